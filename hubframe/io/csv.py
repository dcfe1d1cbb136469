"""CSV files: encoding, delimiter and header row detection, then the cells as Arrow text.

The encoding (byte order marks, UTF-8, else cp1252 / latin-1) and the delimiter (``,`` ``;``
tab ``|``: the one whose field count most lines share) are detected on the first 256 KiB, and
the header row is found even below a title block.  The cells below it are read by pyarrow's
multithreaded reader, every column as text; files it refuses (ragged rows, bytes the detected
encoding cannot decode) go to pandas' C reader, then to Python's ``csv`` module, which keeps a
row's cells beyond the header's width (reported as ``EXTRA_CELLS``, never shifted).

Lines are what every CSV reader and Excel call lines: only CR, LF and CRLF end one, and not
inside quotes.  A quote that opens a cell and is never closed is refused, and so is one that a
later quote closes lines below when the lines between read as rows (:mod:`hubframe.io.quotes`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import SourceError
from hubframe.formula import ERROR_PATTERN, unguard, unguard_column
from hubframe.io.bounds import ReadLimits, hint
from hubframe.io.cells import TEXT_FORMULA, written_headers
from hubframe.io.encoding import UTF8, code_unit, detect, whole_encoding
from hubframe.io.quotes import LINE_BREAK, spanning_cells, swallowed_error, swallowing_cell
from hubframe.io.sheet import (
    HEADER_SEARCH_ROWS,
    HeaderRow,
    RawSheet,
    Request,
    RowShape,
    check_rows_above,
    check_values_above,
    find_header,
    match_found,
    row_headers,
    row_shape,
)
from hubframe.io.sources import SAMPLE_BYTES, Loaded, all_bytes, file_size, head_bytes
from hubframe.io.text import (
    TEXT,
    TEXT_DTYPE,
    IntArray,
    Text,
    as_text,
    chunked,
)
from hubframe.redaction import clip

SCAN_BYTES: Final = 4 * 1024 * 1024
#: Excel's delimiter directive, a CSV file's first line ("sep=;"): Excel splits the file with
#: that delimiter and does not show the line, so the rows are counted as if it were not there.
_SEP_LINE: Final = re.compile(r'"?sep=([^\r\n"])"?(?:\r\n|\n|\r)', re.IGNORECASE)
DELIMITERS: Final = (",", ";", "\t", "|")
_CSV_LIMIT_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class CsvFormat:
    encoding: str  # a Python codec without BOM handling ("utf-8", "utf-16-le", "cp1252", ...)
    delimiter: str
    #: 0-based record index of the header record (= Excel row - 1); of the record before the
    #: first of data for a file without a header line (``headerless``)
    header_index: int
    headers: list[str]
    width: int
    data_start: int  # byte offset of the first record below the header
    written: Mapping[str, str] = field(default_factory=dict)  # see RawSheet.written
    preview: Sequence[Sequence[str]] = ()  # the first records below the header (a sample)
    above: Sequence[Sequence[str]] = ()  # the records above the header (a title block)
    headerless: bool = False  # the record found for the header is data (Request.headerless)


@contextmanager
def _csv_fields_up_to(size: int) -> Iterator[None]:
    """Python's csv module refuses fields over 131,072 characters by default; a genuine cell
    (thousands of ';'-separated ids) can be longer.  The limit is process-wide: it is raised
    for the duration of one read and put back."""
    with _CSV_LIMIT_LOCK:
        previous = csv.field_size_limit()
        csv.field_size_limit(max(previous, size))
        try:
            yield
        finally:
            csv.field_size_limit(previous)


def _records_with_ends(text: str, delimiter: str, limit: int) -> list[tuple[list[str], int]]:
    """The first ``limit`` CSV records of ``text`` with the offset just past each.

    Lines are what every CSV reader (and Excel) calls lines: only CR, LF and CRLF end one, and
    not inside quotes.  ``str.splitlines`` also splits on form feeds, U+2028, NEL and others,
    which once made the header search and the reader disagree about where data starts.
    """
    consumed = [0]

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed[0] += len(line)
            yield line

    out: list[tuple[list[str], int]] = []
    with _csv_fields_up_to(len(text) + 1):
        for record in csv.reader(lines(), delimiter=delimiter):
            out.append((record, consumed[0]))
            if len(out) >= limit:
                break
    return out


def _detect_delimiter(text: str) -> str:
    """The delimiter whose most common field count (> 1) is shared by the most lines."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts: dict[int, int] = {}
        for record, _ in _records_with_ends(text, delimiter, 50):
            if any(cell.strip() for cell in record) and len(record) > 1:
                counts[len(record)] = counts.get(len(record), 0) + 1
        if not counts:
            continue
        width, lines = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if (lines, width) > best_score:
            best, best_score = delimiter, (lines, width)
    return best


def csv_text(data: bytes, name: str) -> tuple[str, str]:
    """A whole CSV file's text (in the one encoding it is written in, without a byte order
    mark: :mod:`hubframe.io.encoding`) and its delimiter -- for a file hubframe wrote and an
    analyst saved again (Excel saves cp1252, UTF-16, or ``;`` in some languages).  Excel's
    ``sep=;`` first line gives the delimiter and is not part of the text, as for a sheet
    (before, a report's was read as its header).  A report Excel saved in another code page
    (cp1251, cp1250, cp1254) is read as cp1252, not refused as a sheet is: undo acts on its
    ids and type ids, and reads its true and false words back in those code pages
    (:mod:`hubframe.report.reader`)."""
    _refuse_zeroed_part(Loaded(name, data=data))
    encoding, bom = detect(data[:SAMPLE_BYTES], len(data) <= SAMPLE_BYTES)
    text = data[bom:].decode(whole_encoding(data, encoding, bom, name, western=False))
    directive = _SEP_LINE.match(text)
    if directive is not None:
        return text[directive.end() :], directive.group(1)
    return text, _detect_delimiter(text[:SAMPLE_BYTES])


#: Control bytes text does not hold (NUL, tab, line ends and form feed aside).
_CONTROL: Final = bytes(range(1, 32)).translate(None, b"\t\n\r\x0c")
#: The first bytes of binary files an analyst may pick: a workbook (.xlsx, .xls), a database,
#: a compressed file, an image.
_MAGIC: Final = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"SQLite format 3\x00",
    b"\x1f\x8b",
    b"\x89PNG",
)


def _binary(head: bytes) -> bool:
    """Whether a file's first bytes holding a NUL are binary data, not text: a binary
    format's first bytes, a NUL first, text in UTF-16 or UTF-32 without its byte order mark,
    or more than a few other control bytes.  NULs in cells -- a DataFrame's cell written out
    in a report or retry file, a database's padding -- are text (before, any NUL refused the
    file as binary, even hubframe's own retry file)."""
    boms = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-32 LE's too
    if b"\x00" not in head or head.startswith(boms):
        return False
    if head.startswith(_MAGIC) or head.startswith(b"\x00") or _wide_text(head):
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > max(2, len(head) // 100)


def _bomless_wide_text(head: bytes) -> bool:
    """Text in UTF-16 or UTF-32 without its byte order mark (not a binary format's bytes)."""
    boms = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-32 LE's too
    if b"\x00" not in head or head.startswith(boms) or head.startswith(_MAGIC):
        return False
    return _wide_text(head)


def _wide_text(head: bytes) -> bool:
    """Text in UTF-16 or UTF-32 without a byte order mark: NULs in every other byte, or in
    three of every four, and almost none in the others (padding NULs fill every position)."""
    full = [part.count(0) >= len(part) / 2 for part in (head[i::4] for i in range(4))]
    none = [part.count(0) <= len(part) / 10 for part in (head[i::4] for i in range(4))]
    utf16 = sum(full) == 2 and sum(none) == 2 and full[0] == full[2]
    return utf16 or (sum(full) == 3 and sum(none) == 1)


def _check_text_sample(loaded: Loaded, sample: bytes) -> None:
    if not sample.strip():
        raise SourceError(f"{loaded.name}: the file is empty.")
    head = sample[:4096]
    if _bomless_wide_text(head):
        raise SourceError(
            f"{loaded.name}: this looks like text saved as UTF-16 or UTF-32 (two or four bytes "
            "a letter, as some programs write 'Unicode text') without the byte order mark "
            "that says which, so it cannot be read for sure. Open the file, save it again as "
            "'CSV UTF-8', and try again."
        )
    if _binary(head):
        raise SourceError(
            f"{loaded.name}: this is not a CSV or Excel file (it holds binary data). "
            "Save the sheet as .xlsx or .csv and try again."
        )


#: How far :func:`_sample` reads on for a header line wider than :data:`SAMPLE_BYTES` (16,384
#: cells of 255 characters, twice: the header and a row; four bytes a character at worst).
MAX_SAMPLE_BYTES: Final = 64 * 1024 * 1024


def _sample(loaded: Loaded) -> tuple[bytes, bool]:
    """The file's first bytes and whether they are all of it: :data:`SAMPLE_BYTES`, more while
    they hold fewer than two line ends (a header wider than the sample -- an export of many
    properties -- was read as no line at all: "the file has no data"), up to
    :data:`MAX_SAMPLE_BYTES`."""
    size = SAMPLE_BYTES
    while True:
        sample = head_bytes(loaded, size)
        complete = len(sample) < size
        ends = sample.count(b"\n") + sample.count(b"\r")
        if complete or ends >= 2 or size >= MAX_SAMPLE_BYTES:
            return sample, complete
        size *= 4


def _refuse_endless_line(loaded: Loaded, text: str) -> None:
    if not text:  # whole lines only, and none in the sample read
        raise SourceError(
            f"{loaded.name}: its first line is longer than {MAX_SAMPLE_BYTES // 2**20} MB, "
            "more than a sheet's header and a row can be: this is not a sheet saved as CSV "
            "(a file of one line?)."
        )


def csv_format(loaded: Loaded, request: Request) -> CsvFormat:
    sample, complete = _sample(loaded)
    _check_text_sample(loaded, sample)
    _refuse_zeroed_part(loaded)  # before a file in another encoding is read whole
    encoding, bom = detect(sample, complete)
    if encoding != UTF8:  # not UTF-8 from its first bytes: the whole file must be one encoding
        encoding = whole_encoding(all_bytes(loaded), encoding, bom, loaded.name)
    text = sample[bom:].decode(encoding, errors="replace")
    if not complete:
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]  # whole lines only
        _refuse_endless_line(loaded, text)
    directive = _SEP_LINE.match(text)  # Excel's "sep=;" line: its delimiter, a line not shown
    skip = directive.end() if directive else 0
    body = text[skip:]
    delimiter = directive.group(1) if directive else _detect_delimiter(body)
    found = _records_with_ends(body, delimiter, HEADER_SEARCH_ROWS)
    _refuse_wide_records(loaded, found, 1 if directive else 0, request.limits)
    index = find_header([record for record, _ in found], request)
    if not directive and delimiter != "," and index >= 0 and len(found[index][0]) == 1:
        # a header of one cell: a file of one column, whose cells may hold ";" lists (an
        # export's "Associated Deal IDs" copied) -- never split at a delimiter it lacks
        delimiter = ","
        found = _records_with_ends(body, delimiter, HEADER_SEARCH_ROWS)
        index = find_header([record for record, _ in found], request)
    if index < 0:
        raise SourceError(f"{loaded.name}: the file has no data (only empty lines).")
    cells = [unguard(cell) for cell in found[index][0]]
    headers, headerless = row_headers(cells, request)
    written = {} if headerless else written_headers(cells, headers)
    top = index if headerless else index + 1  # the first record of data
    start = bom + len(text[: skip + (found[top - 1][1] if top else 0)].encode(encoding))
    preview = [record for record, _ in found[top:]]
    above = [record for record, _ in found[:index]]
    return CsvFormat(
        encoding, delimiter, top - 1, headers, len(headers), start, written, preview, above,
        headerless,
    )  # fmt: skip


#: More NUL bytes in a row than a spreadsheet cell holds: 32,767 characters, 4 bytes each in
#: UTF-32 (whose neighbours add at most 3), so no cell's text, in any encoding, is one.
ZEROED_RUN: Final = 4 * 32_768


def _chunks(loaded: Loaded) -> Iterator[bytes]:
    """The file's bytes in pieces of :data:`SCAN_BYTES` (one piece for bytes given)."""
    if loaded.data is not None:
        yield loaded.data
        return
    assert loaded.path is not None
    with loaded.path.open("rb") as handle:
        while chunk := handle.read(SCAN_BYTES):
            yield chunk


def _zeroed_at(loaded: Loaded) -> int | None:
    """Where the file's first run of :data:`ZEROED_RUN` NUL bytes starts, if it has one."""
    zeros = b"\x00" * ZEROED_RUN
    offset, carry = 0, b""
    for chunk in _chunks(loaded):
        window = carry + chunk
        found = window.find(zeros)
        if found >= 0:
            return offset - len(carry) + found
        carry = window[-(ZEROED_RUN - 1) :]
        offset += len(chunk)
    return None


def _refuse_zeroed_part(loaded: Loaded) -> None:
    """A file whose text gives way to a run of NUL bytes was cut short as it was saved or
    copied (a crash, a full disk, a copy that did not finish): the rows it held from there on
    are lost.  Before, the rows above it were read and the zeros became one cell of millions of
    characters (a 100 MB file: 40 s and 0.9 GB to read, and one invalid row)."""
    at = _zeroed_at(loaded)
    if at is None:
        return
    line = head_bytes(loaded, at).count(b"\n") + 1
    raise SourceError(
        f"{loaded.name}: from line {line:,} (byte {at:,}) on, the file holds zero bytes where "
        "text should be: it was cut short while it was saved or copied (a crash, a full disk, "
        "a copy that did not finish), so the rows it held from there on are lost. Save the "
        "sheet again from the program that made it."
    )


def csv_sheet(loaded: Loaded, request: Request) -> RawSheet:
    fmt = csv_format(loaded, request)
    check_rows_above(fmt.above, 1, fmt.header_index + 1, request, loaded.name)
    first_cells = 0 if fmt.headerless else -1  # the header row, or the first row of data
    _check_row_cells(loaded, fmt, first_cells, fmt.width, request.limits)
    cells = [fmt.written.get(h, h) for h in fmt.headers]
    looked = fmt.header_index + 1 + len(fmt.preview)  # the records the header was looked for in
    row = None if fmt.headerless else fmt.header_index + 1
    header = HeaderRow(fmt.headers, cells, row, looked >= HEADER_SEARCH_ROWS)
    mapping = match_found(request, header, loaded.name, fmt.preview)
    if not fmt.headerless:
        header_row = fmt.header_index + 1
        check_values_above(
            fmt.above, 1, header_row, fmt.headers, mapping, request, loaded.name, fmt.preview
        )
    _check_csv_lines(loaded, request.limits)
    columns, extra, fmt = _read_csv_columns(loaded, fmt, request.limits)
    first = fmt.header_index + 2  # Excel's row of the first record below the header
    rows = np.arange(first, first + len(columns[0]), dtype=np.int64)
    literal = _guarded_labels(columns, fmt.headers, mapping.columns.get("label"), rows)
    inverses = _guarded_labels(columns, fmt.headers, mapping.columns.get("inverse_label"), rows)
    columns = [unguard_column(_text_formulas(c)) for c in columns]  # CSV writers' idioms
    shape = row_shape(fmt.headers, mapping, request, fmt.preview)
    _check_quotes(loaded, fmt, [*columns, *([] if extra is None else [extra])], rows, shape)
    raw = RawSheet(loaded.name, fmt.headers, columns, rows, mapping, extra, fmt.written)
    return replace(raw, literal_labels=literal, literal_inverses=inverses)


def _guarded_labels(
    columns: list[Text], headers: list[str], label: str | None, rows: IntArray
) -> frozenset[int]:
    """Rows whose label (or inverse label: the column ``label``) a writer guarded as text
    ("'=SUM(A1)", "'#N/A": hubframe's CSV guard): once the guard is off, the label starts with
    "=" or is an error's text, and is text, not a formula nor a formula's error."""
    if label is None:
        return frozenset()
    cells = columns[headers.index(label)]
    if not pc.any(pc.starts_with(cells, "'")).as_py():
        return frozenset()
    plain = unguard_column(cells)
    guarded = pc.not_equal(plain, cells).fill_null(False)
    marked = pc.or_(pc.starts_with(plain, "="), pc.match_substring_regex(plain, ERROR_PATTERN))
    both = pc.and_(guarded, marked.fill_null(False))
    found = np.flatnonzero(np.asarray(both.to_numpy(zero_copy_only=False), dtype=bool))
    return frozenset(int(rows[i]) for i in found)


#: A cell that is a formula of one text: ="2040000001", as exports write ids meant for Excel
#: (so it keeps them as text); Excel and Google Sheets show the text.
_TEXT_FORMULA: Final = f"^{TEXT_FORMULA.pattern}$"


def _text_formulas(column: Text) -> Text:
    """Cells written ``="text"`` read as the text they show; other cells are left alone (a
    formula that computes something is refused by validation as FORMULA_ERROR)."""
    if not pc.any(pc.starts_with(column, '="')).as_py():
        return column  # the common case: no copy
    return pc.replace_substring_regex(column, pattern=_TEXT_FORMULA, replacement=r"\1")


def _read_csv_columns(
    loaded: Loaded, fmt: CsvFormat, limits: ReadLimits
) -> tuple[list[Text], Text | None, CsvFormat]:
    """Cells below the header as text, and the cells beyond the header's width (joined, null
    where a row has none): pyarrow's multithreaded reader, else pandas', else Python's; and
    the format with the encoding the whole file was read in (:mod:`hubframe.io.encoding`: a
    file whose first bytes were UTF-8 may turn out cp1252 further on, or mix the two)."""
    if fmt.data_start >= file_size(loaded):
        return [chunked(pa.array([], type=TEXT)) for _ in range(fmt.width)], None, fmt
    try:
        return _arrow_csv(loaded, fmt), None, fmt
    except (pa.ArrowException, UnicodeError, LookupError):
        pass  # ragged rows, bytes the sampled encoding cannot decode, huge rows: slower readers
    data = all_bytes(loaded)
    fmt = replace(fmt, encoding=whole_encoding(data, fmt.encoding, 0, loaded.name))
    try:
        frame = _pandas_csv(data, fmt, fmt.encoding)
        return [as_text(frame[i]) for i in range(fmt.width)], None, fmt
    except (pd.errors.ParserError, pd.errors.ParserWarning, csv.Error, ValueError):
        return *_python_csv(loaded, data, fmt, fmt.encoding, limits), fmt


def _arrow_csv(loaded: Loaded, fmt: CsvFormat) -> list[Text]:
    import pyarrow.csv as pv

    names = [f"c{i}" for i in range(fmt.width)]
    utf8 = fmt.encoding == "utf-8"
    scan = _scan(loaded)
    with _arrow_source(loaded, fmt.data_start) as source:
        table = pv.read_csv(
            source,
            read_options=pv.ReadOptions(
                column_names=names, encoding="utf8" if utf8 else fmt.encoding
            ),
            parse_options=pv.ParseOptions(
                delimiter=fmt.delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=scan.quotes,  # slower chunking, only when needed
                ignore_empty_lines=False,
            ),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, TEXT),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=not (utf8 and scan.ascii),
            ),
        )
    return [chunked(table.column(i)) for i in range(fmt.width)]


@contextmanager
def _arrow_source(loaded: Loaded, start: int) -> Iterator[Any]:
    """The file's bytes from ``start`` on, as an Arrow stream (no copy)."""
    if loaded.data is not None:
        yield pa.BufferReader(pa.py_buffer(loaded.data).slice(start))
        return
    assert loaded.path is not None
    handle = pa.OSFile(str(loaded.path))
    try:
        handle.seek(start)
        yield handle
    finally:
        handle.close()


@dataclass(frozen=True)
class ByteScan:
    """What one pass over a file's bytes tells the CSV reader."""

    quotes: bool  # a quote character somewhere: cells may span lines
    ascii: bool  # only ASCII bytes: valid UTF-8 without checking every cell


def _scan(loaded: Loaded) -> ByteScan:
    if loaded.data is not None:
        return ByteScan(b'"' in loaded.data, loaded.data.isascii())
    assert loaded.path is not None
    quotes, ascii_only = False, True
    buffer = bytearray(SCAN_BYTES)
    try:
        with loaded.path.open("rb", buffering=0) as handle:
            while (size := handle.readinto(buffer)) and not (quotes and not ascii_only):
                chunk = buffer if size == len(buffer) else buffer[:size]
                quotes = quotes or chunk.find(b'"') >= 0
                ascii_only = ascii_only and chunk.isascii()
    except OSError:
        return ByteScan(True, False)  # the careful settings
    return ByteScan(quotes, ascii_only)


def _pandas_csv(data: bytes, fmt: CsvFormat, encoding: str) -> pd.DataFrame:
    """pandas' C reader pads short rows; a row with more cells than the header is a
    ParserError (the Python reader keeps those cells).  It reads a stand-in header line and a
    stand-in first row of exactly ``width`` cells first (dropped after): a long *first* row
    would otherwise be cut with a mere warning, after minutes and gigabytes for a row of
    3,000,000 cells."""
    stand_in = (fmt.delimiter * (fmt.width - 1) + "\n").encode(encoding) * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        frame = pd.read_csv(
            io.BytesIO(stand_in + data[fmt.data_start :]),
            sep=fmt.delimiter,
            header=0,
            names=list(range(fmt.width)),
            dtype=TEXT_DTYPE,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=encoding,
            quotechar='"',
            engine="c",
            index_col=False,
        )
    return frame.iloc[1:].reset_index(drop=True)


def _python_csv(
    loaded: Loaded, data: bytes, fmt: CsvFormat, encoding: str, limits: ReadLimits
) -> tuple[list[Text], Text | None]:
    """Slow but forgiving (ragged rows, odd quoting).  Cells beyond the header row's width are
    kept, joined with the delimiter, so that the row is reported (EXTRA_CELLS), never shifted."""
    text = data[fmt.data_start :].decode(encoding)  # the whole file decodes (whole_encoding)
    width, delimiter = fmt.width, fmt.delimiter
    records: list[list[str]] = []
    extra: dict[int, str] = {}
    with _csv_fields_up_to(len(text) + 1):
        for n, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            if len(record) > width:
                _check_row_cells(loaded, fmt, n, len(record), limits)
                beyond = record[width:]
                while beyond and not beyond[-1].strip():
                    beyond.pop()
                if beyond:
                    extra[n] = delimiter.join(beyond)
                record = record[:width]
            records.append(record + [""] * (width - len(record)))
    columns = [chunked(pa.array(list(c), type=TEXT)) for c in zip(*records, strict=True)]
    if not records:
        columns = [chunked(pa.array([], type=TEXT)) for _ in range(width)]
    if not extra:
        return columns, None
    shown: list[str | None] = [None] * len(records)
    for n, cells in extra.items():
        shown[n] = cells
    return columns, chunked(pa.array(shown, type=TEXT))


def _check_csv_lines(loaded: Loaded, limits: ReadLimits) -> None:
    """The file's lines within ``max_csv_lines``, counted before the engine reads it: every
    line is a row through the read (blank ones too, to keep the sheet's row numbers), some
    100 bytes each, and 40 MB of line breaks took 2.5 GB."""
    lines = _line_breaks(loaded) + 1
    if lines > limits.max_csv_lines:
        raise SourceError(
            f"{loaded.name}: the file holds {lines:,} lines; hubframe reads at most "
            f"{limits.max_csv_lines:,} lines of a CSV file (max_csv_lines). Split the file, "
            f"remove its empty lines, or {hint('max_csv_lines')}."
        )


def _line_breaks(loaded: Loaded) -> int:
    """The line breaks of a file, read in blocks: LF, CR LF and CR alone each end a line (the
    readers take all three; counting LF alone, or CR only where there was no LF, let a file
    of one LF and 40 MB of CRs through)."""
    if loaded.data is not None:
        blocks: Iterator[bytes] = iter([loaded.data])
    else:
        blocks = _blocks(loaded)
    breaks, last = 0, b""
    for block in blocks:
        pairs = block.count(b"\r\n") + (last == b"\r" and block.startswith(b"\n"))
        breaks += block.count(b"\n") + block.count(b"\r") - pairs
        last = block[-1:]
    return breaks


def _blocks(loaded: Loaded) -> Iterator[bytes]:
    assert loaded.path is not None
    try:
        with loaded.path.open("rb") as stream:
            while block := stream.read(1 << 24):
                yield block
    except OSError as exc:
        raise SourceError(f"{loaded.name}: the file could not be read ({exc}).") from exc


def _check_row_cells(
    loaded: Loaded, fmt: CsvFormat, n: int, cells: int, limits: ReadLimits
) -> None:
    _refuse_wide_row(loaded, fmt.header_index + 2 + n, cells, limits)


def _refuse_wide_row(loaded: Loaded, row: int, cells: int, limits: ReadLimits) -> None:
    if cells > limits.max_row_cells:
        raise SourceError(
            f"{loaded.name}: row {row:,} has {cells:,} cells; hubframe reads "
            f"at most {limits.max_row_cells:,} cells per row (max_row_cells, Excel's own column "
            f"limit). Check the file was saved as a sheet with the right delimiter, or "
            f"{hint('max_row_cells')}."
        )


def _refuse_wide_records(
    loaded: Loaded, found: list[tuple[list[str], int]], before: int, limits: ReadLimits
) -> None:
    """The first rows, read to find the header, each within ``max_row_cells`` (the header
    search scores every cell: a row of a million cells took half a minute)."""
    for at, (record, _) in enumerate(found):
        _refuse_wide_row(loaded, before + at + 1, len(record), limits)


def _check_quotes(
    loaded: Loaded, fmt: CsvFormat, columns: list[Text], rows: IntArray, shape: RowShape | None
) -> None:
    """Quotes that take rows into one cell, in a file with quotes: one never closed
    (:func:`_check_closed_quotes`), one a later quote closes lines below
    (:func:`_check_swallowed_rows`).  ``columns``: the cells beyond the header's last."""
    if not len(rows) or not _scan(loaded).quotes:
        return
    _check_closed_quotes(loaded, fmt, columns, rows)
    if shape is not None:
        _check_swallowed_rows(loaded, fmt, columns, rows, shape)


def _check_closed_quotes(
    loaded: Loaded, fmt: CsvFormat, columns: list[Text], rows: IntArray
) -> None:
    """A quote that opens a cell and is never closed makes every line after it part of that one
    cell: those rows would vanish.  Such a cell is in the last row and runs to the end of the
    file; a closed cell would end with its closing quote."""
    last = [c[-1].as_py() for c in columns]
    multiline = [cell for cell in last if cell and ("\n" in cell or "\r" in cell)]
    if not multiline:
        return
    tail = _tail_text(loaded, fmt, max(len(c) for c in multiline) * 4 + 8)
    for cell in multiline:
        raw = '"' + cell.replace('"', '""')  # the cell as written, from its opening quote
        closed = any(tail.endswith(raw + '"' + end) for end in ("", "\n", "\r\n", "\r"))
        if not closed and tail.endswith(raw):
            first_line = clip(cell.splitlines()[0], 40).removesuffix("...")
            raise SourceError(
                f'{loaded.name}: the quote that opens a cell in row {rows[-1]} ("{first_line}'
                "...) is never closed, so every line after it would be read as part of that "
                'one cell. Add the closing quote (") or remove the opening one, then try again.'
            )


def _check_swallowed_rows(
    loaded: Loaded, fmt: CsvFormat, columns: list[Text], rows: IntArray, shape: RowShape
) -> None:
    """A quote a later quote closes lines below, whose lines read as rows of the sheet: the
    rows between would vanish into one cell (:mod:`hubframe.io.quotes`)."""
    spanning = spanning_cells(columns)
    cell = swallowing_cell(spanning, fmt.width, fmt.delimiter, shape)
    if cell is None:
        return
    earlier = (c.breaks for c in spanning if (c.index, c.column) < (cell.index, cell.column))
    line = _lines_above(loaded, fmt) + cell.index + sum(earlier) + 1
    header = fmt.headers[cell.column] if cell.column < fmt.width else "beyond the header"
    shown = fmt.written.get(header, header)
    raise swallowed_error(loaded.name, cell, int(rows[cell.index]), line, shown)


def _lines_above(loaded: Loaded, fmt: CsvFormat) -> int:
    """The lines of the file above its first record of data (titles, the header)."""
    head = head_bytes(loaded, fmt.data_start).decode(fmt.encoding, errors="replace")
    return len(LINE_BREAK.findall(head))


def _tail_text(loaded: Loaded, fmt: CsvFormat, size: int) -> str:
    """The last ``size`` bytes or so of the file as text (whole UTF-16 code units)."""
    total = file_size(loaded)
    start = max(fmt.data_start, total - size)
    start += -(start - fmt.data_start) % code_unit(fmt.encoding)  # whole code units
    if loaded.data is not None:
        return loaded.data[start:].decode(fmt.encoding, errors="replace")
    assert loaded.path is not None
    with loaded.path.open("rb") as handle:
        handle.seek(start)
        return handle.read().decode(fmt.encoding, errors="replace")
