"""Reading analyst sheets: sources, CSV and Excel, header detection, ``read_pairs``/``read_limits``.

A source (path, bytes, binary file, DataFrame) is turned into one or more *raw sheets*: the
header cells and the cells below as Arrow text columns, with the row number the analyst sees.
The header row is found even under a title block.  Headers are mapped by
:mod:`hubframe.columns`, cells are normalized by :mod:`hubframe.normalize`, and the result keeps
every original column.  Whole-file problems raise :class:`~hubframe.errors.InputError` naming
the file.

CSV files are read by pyarrow's multithreaded reader, every column as text (the encoding and
delimiter are still detected here first); files it refuses (ragged rows, bytes the detected
encoding cannot decode) go to pandas' C reader, then to Python's ``csv`` module.  Excel
workbooks are read by python-calamine (openpyxl when calamine fails) and converted column by
column with Arrow and numpy.  The frame wraps the Arrow columns without copying them.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.columns import ColumnMapping, Kind, fields_for, header_score, match_headers
from hubframe.constants import RESERVED_COLUMNS
from hubframe.errors import InputError
from hubframe.formula import unguard, unguard_column
from hubframe.guard import checked_workbook, refuse_legacy_excel
from hubframe.limits import ReadLimits, hint, read_limits_in_force
from hubframe.normalize import (
    FLOAT_DIGITS,
    PARALLEL_ROWS,
    TEXT,
    TEXT_DTYPE,
    BoolArray,
    IntArray,
    ObjArray,
    Text,
    as_text,
    blank_mask,
    canonical_category,
    canonical_ids,
    canonical_object_type,
    chunked,
    clean_text,
    constant_text,
    distinct,
    empty_mask,
    id_text,
    is_valid_object_type,
    map_text,
    purge_flags,
    run_all,
    split_rows,
    take_rows,
    to_series,
    trimmed_text,
    type_mask,
    whole_numbers,
)

Source: TypeAlias = "str | os.PathLike[str] | bytes | bytearray | IO[bytes] | pd.DataFrame"
SheetArg: TypeAlias = "str | int | None"

HEADER_SEARCH_ROWS: Final = 30
SAMPLE_BYTES: Final = 256 * 1024
SCAN_BYTES: Final = 4 * 1024 * 1024
DELIMITERS: Final = (",", ";", "\t", "|")
ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK: Final = "EncryptedPackage".encode("utf-16-le")
# Whole floats below this are written as digits; above it, Excel (15 significant digits) and
# floats (exact to 2**53) may not hold the number that was typed, so they keep their float text
# ('1234567890123456.0', '1e+16') and are refused as ids and limits.
EXCEL_LIMIT: Final = 10**FLOAT_DIGITS
RESERVED: Final = frozenset(RESERVED_COLUMNS)
RAW_PREFIX: Final = "_raw_"  # private columns: the text of cells that did not parse
EXTRA_CELLS: Final = RAW_PREFIX + "extra_cells"  # CSV cells beyond the header's width
ID_COLUMNS: Final = ("from_id", "to_id")
_CSV_LIMIT_LOCK: Final = threading.Lock()


# --- raw sheets ---------------------------------------------------------------------------------


@dataclass
class RawSheet:
    """One sheet as text: headers, cell columns (positional), and the analyst's row numbers.

    ``columns`` are Arrow text columns ("" for an empty cell), one per header.  ``extra`` holds,
    for CSV rows with more cells than the header, those cells joined (null elsewhere): such a
    row is reported (EXTRA_CELLS), never shifted or dropped.
    """

    name: str
    headers: list[str]
    columns: list[Text]
    rows: IntArray
    mapping: ColumnMapping
    extra: Text | None = None
    #: header name -> the header as the sheet wrote it, where the two differ (a repeat named
    #: "Notes.1", an empty one "Unnamed: 3", spaces or line breaks cleaned)
    written: Mapping[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def data(self) -> pd.DataFrame:
        """The cells as a DataFrame of text columns 0..n-1 (for inspection and tests)."""
        return pd.DataFrame({i: to_series(c) for i, c in enumerate(self.columns)})

    def cells(self, canonical: str) -> Text | None:
        """The column mapped to a canonical name, or None."""
        header = self.mapping.columns.get(canonical)
        return None if header is None else self.columns[self.headers.index(header)]


@dataclass
class Request:
    """What the caller asked for, with the types given as arguments made canonical."""

    kind: Kind
    source_name: str
    columns: Mapping[str, str] | None
    from_type: str | None
    to_type: str | None
    label: str | None = None
    skipped_sheets: list[str] = field(default_factory=list)
    id_properties: dict[str, str] = field(default_factory=dict)  # side -> property (arguments)
    limits: ReadLimits = field(default_factory=read_limits_in_force)

    def properties(self, mapping: ColumnMapping) -> dict[str, str]:
        """Sides whose cells are unique property values: from the arguments, else the headers."""
        found: dict[str, str] = {str(k): v for k, v in mapping.id_properties.items()}
        return found | self.id_properties

    def match(self, headers: Sequence[str], where: str) -> ColumnMapping:
        return match_headers(
            headers,
            self.kind,
            columns=self.columns,
            from_type=self.from_type,
            to_type=self.to_type,
            source=where,
        )

    def score(self, cells: Sequence[object]) -> int:
        explicit = self.columns or {}
        return header_score(cells, self.kind, [*explicit.keys(), *explicit.values()])


# --- cells to text ------------------------------------------------------------------------------


def _one_cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | np.floating):
        number = float(value)
        if number.is_integer() and abs(number) < EXCEL_LIMIT:
            return str(int(number))
        return repr(number)
    if isinstance(value, datetime | pd.Timestamp) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, timedelta | pd.Timedelta):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def cells_to_text(values: Sequence[object] | ObjArray) -> ObjArray:
    """Cells (str, float, int, bool, dates, None) -> text; whole floats exact, no '.0'."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    is_str = type_mask(arr, str)
    if is_str.all():
        return arr
    out = arr.copy()
    is_float = type_mask(arr, float)
    if is_float.any():
        where = np.flatnonzero(is_float)
        numbers = arr[where].astype(np.float64)
        whole = np.isfinite(numbers) & (numbers == np.trunc(numbers))
        whole &= np.abs(numbers) < EXCEL_LIMIT
        out[where[whole]] = list(map(str, numbers[whole].astype(np.int64).tolist()))
        out[where[~whole]] = [_one_cell_text(v) for v in numbers[~whole].tolist()]
    other = np.flatnonzero(~is_str & ~is_float)
    if len(other):
        out[other] = [_one_cell_text(v) for v in arr[other].tolist()]
    return out


def cells_to_arrow(values: ObjArray) -> Text:
    """Cells -> an Arrow text column with the text of :func:`cells_to_text` ("" when empty).

    One pass collects the cell types; columns of text, of numbers (floats, ints, empty cells)
    then convert with Arrow/numpy, mixed columns (bools, dates) cell by cell.
    """
    kinds = set(map(type, values)) - {type(None)}
    try:
        if kinds <= {str}:
            return _filled(chunked(pa.array(values, type=TEXT, from_pandas=True)))
        if kinds <= {int}:
            return _filled(chunked(pc.cast(pa.array(values, type=pa.int64()), TEXT)))
        if kinds <= {float, int}:  # Arrow refuses ints a float cannot hold exactly
            numbers = pa.array(values, type=pa.float64(), from_pandas=True)
            return _number_text(numbers.to_numpy(zero_copy_only=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    if kinds <= {float, str}:
        types: Any = np.frompyfunc(type, 1, 1)(values)
        empty = _kind(types, type(None)) | (
            _kind(types, str) & np.asarray(values == "", dtype=bool)
        )
        if (_kind(types, float) | empty).all():  # numbers with empty text cells (calamine)
            return _number_text(np.where(empty, np.nan, values).astype(np.float64))
    return chunked(pa.array(cells_to_text(values), type=TEXT))


def _kind(kinds: ObjArray, cls: type) -> BoolArray:
    """True where the cell type (from ``np.frompyfunc(type, 1, 1)``) is exactly ``cls``."""
    same: Any = np.equal(kinds, np.asarray(cls, dtype=object))
    return np.asarray(same, dtype=np.bool_)


def _number_text(numbers: npt.NDArray[np.float64]) -> Text:
    """Numbers (NaN when empty) -> text: whole numbers as exact digits, others as repr."""
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (np.abs(numbers) < EXCEL_LIMIT)
    ints = np.where(whole, numbers, 0).astype(np.int64)
    text = pc.cast(pa.array(ints, mask=~whole), TEXT)
    other = ~whole & ~np.isnan(numbers)  # fractions, infinities, numbers beyond 2**53
    if other.any():
        shown = pa.array([_one_cell_text(v) for v in numbers[other].tolist()], type=TEXT)
        text = pc.replace_with_mask(text, pa.array(other), shown)
    return _filled(chunked(text))


def _filled(text: Text) -> Text:
    """Raw cell text: null cells become ""."""
    return text.fill_null("") if text.null_count else text


def _written_headers(cells: Sequence[object], names: Sequence[str]) -> dict[str, str]:
    """Header name -> the header cell's text, for the names that differ from it."""
    texts = [_one_cell_text(cell) for cell in cells]
    return {n: t for n, t in zip(names, texts, strict=True) if t != n}


def _clean_headers(cells: Sequence[object]) -> list[str]:
    """Header text; empty -> 'Unnamed: i'; repeats -> 'Name.1' (as pandas does)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        text = (clean_text(_one_cell_text(cell)) or f"Unnamed: {i}").replace("\n", " ")
        name = text
        while name in seen:
            seen[text] += 1
            name = f"{text}.{seen[text]}"
        seen.setdefault(text, 0)
        seen[name] = seen.get(name, 0)
        out.append(name)
    return out


def _find_header(preview: Sequence[Sequence[object]], request: Request) -> int:
    """Index of the header row: the earliest row with the most known headers."""
    best, best_score = -1, 0
    for i, cells in enumerate(preview[:HEADER_SEARCH_ROWS]):
        score = request.score([_one_cell_text(c) for c in cells])
        if score > best_score:
            best, best_score = i, score
    if best >= 0:
        return best
    for i, cells in enumerate(preview):
        if any(clean_text(_one_cell_text(c)) for c in cells):
            return i
    return -1


# --- sources ------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """A source resolved to bytes (files) or a DataFrame, with the name to show in messages."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    frame: pd.DataFrame | None = None
    extension: str = ""


def _load(source: Source) -> Loaded:
    if isinstance(source, pd.DataFrame):
        return Loaded("<DataFrame>", frame=source)
    if isinstance(source, bytes | bytearray | memoryview):
        return Loaded("<bytes>", data=bytes(source))
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{path.name}: no such file ({path}).")
        return Loaded(path.name, path=path, extension=path.suffix.lower())
    if hasattr(source, "read"):
        name = Path(str(getattr(source, "name", "") or "<file>")).name
        try:
            data = source.read()
        except (OSError, ValueError) as exc:
            raise InputError(f"{name}: the file could not be read ({exc}).") from exc
        if isinstance(data, str):
            data = data.encode("utf-8")
        return Loaded(name, data=bytes(data), extension=Path(name).suffix.lower())
    raise InputError(
        f"Cannot read a {type(source).__name__}: pass a file path, bytes, a binary file "
        "object or a DataFrame."
    )


def _head(loaded: Loaded, size: int = SAMPLE_BYTES) -> bytes:
    if loaded.data is not None:
        return loaded.data[:size]
    assert loaded.path is not None
    try:
        with loaded.path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise InputError(f"{loaded.name}: the file could not be read ({exc}).") from exc


def _all_bytes(loaded: Loaded) -> bytes:
    if loaded.data is not None:
        return loaded.data
    assert loaded.path is not None
    try:
        return loaded.path.read_bytes()
    except OSError as exc:
        raise InputError(f"{loaded.name}: the file could not be read ({exc}).") from exc


@contextmanager
def _reading(name: str) -> Iterator[None]:
    """Readers raise only :class:`InputError`: whatever a damaged or hostile file makes a
    library raise (csv, zipfile, XML, Arrow, pandas, calamine errors, MemoryError) becomes
    one, naming the file, with the original error chained for debugging."""
    try:
        yield
    except InputError:
        raise
    except MemoryError as exc:
        raise InputError(
            f"{name}: there is not enough memory to read the file. Split it into smaller "
            "files and try again."
        ) from exc
    except Exception as exc:
        detail = " ".join(str(exc).split())[:200]
        raise InputError(
            f"{name}: the file could not be read ({type(exc).__name__}: {detail}). If it opens "
            "in Excel, save it again as .xlsx or as CSV UTF-8 and try again."
        ) from exc


def _raw_sheets(loaded: Loaded, sheet: SheetArg, request: Request) -> list[RawSheet]:
    if loaded.frame is not None:
        return [_frame_sheet(loaded.frame, request)]
    head = _head(loaded, 8)
    if head.startswith((OLE_MAGIC, ZIP_MAGIC)):
        return _excel_sheets(_workbook(loaded, request.limits), sheet, request)
    if loaded.extension in (".xlsx", ".xlsm", ".xls", ".xlsb"):
        raise InputError(
            f"{loaded.name}: this is not an Excel workbook (the file is damaged or has the "
            "wrong extension). Open it in Excel and save it again as .xlsx."
        )
    return [_csv_sheet(loaded, request)]


# --- DataFrame input ------------------------------------------------------------------------------


def _frame_sheet(frame: pd.DataFrame, request: Request) -> RawSheet:
    cells = [str(c) for c in frame.columns]
    headers = _clean_headers(cells)
    mapping = request.match(headers, request.source_name)
    columns = [_frame_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    rows = np.arange(len(frame), dtype=np.int64) + 2
    return RawSheet("", headers, columns, rows, mapping, written=_written_headers(cells, headers))


def _frame_column(s: pd.Series) -> Text:
    if s.dtype != object and pd.api.types.is_string_dtype(s.dtype):
        return _filled(as_text(s))  # Arrow-backed text: no copy
    return cells_to_arrow(s.to_numpy(dtype=object))


# --- CSV ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFormat:
    encoding: str  # a Python codec without BOM handling ("utf-8", "utf-16-le", "cp1252", ...)
    delimiter: str
    header_index: int  # 0-based record index of the header record (= Excel row - 1)
    headers: list[str]
    width: int
    data_start: int  # byte offset of the first record below the header
    written: Mapping[str, str] = field(default_factory=dict)  # see RawSheet.written


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


def _detect_encoding(sample: bytes, complete: bool) -> tuple[str, int]:
    """(codec, length of the byte order mark the file starts with)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252", 0
    except UnicodeDecodeError:
        return "latin-1", 0


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


def _check_text_sample(loaded: Loaded, sample: bytes) -> None:
    if not sample.strip():
        raise InputError(f"{loaded.name}: the file is empty.")
    if b"\x00" in sample[:4096] and not sample.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise InputError(
            f"{loaded.name}: this is not a CSV or Excel file (it holds binary data). "
            "Save the sheet as .xlsx or .csv and try again."
        )


def _csv_format(loaded: Loaded, request: Request) -> CsvFormat:
    sample = _head(loaded)
    complete = len(sample) < SAMPLE_BYTES
    _check_text_sample(loaded, sample)
    encoding, bom = _detect_encoding(sample, complete)
    text = sample[bom:].decode(encoding, errors="replace")
    if not complete:
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]  # whole lines only
    delimiter = _detect_delimiter(text)
    found = _records_with_ends(text, delimiter, HEADER_SEARCH_ROWS)
    index = _find_header([record for record, _ in found], request)
    if index < 0:
        raise InputError(f"{loaded.name}: the file has no data (only empty lines).")
    cells = [unguard(cell) for cell in found[index][0]]
    headers = _clean_headers(cells)
    written = _written_headers(cells, headers)
    start = bom + len(text[: found[index][1]].encode(encoding))
    return CsvFormat(encoding, delimiter, index, headers, len(headers), start, written)


def _csv_sheet(loaded: Loaded, request: Request) -> RawSheet:
    fmt = _csv_format(loaded, request)
    mapping = request.match(fmt.headers, loaded.name)
    columns, extra = _read_csv_columns(loaded, fmt, request.limits)
    columns = [unguard_column(c) for c in columns]  # the formula guard of CSV writers
    first = fmt.header_index + 2  # Excel's row of the first record below the header
    rows = np.arange(first, first + len(columns[0]), dtype=np.int64)
    _check_closed_quotes(loaded, fmt, columns, extra, rows)
    return RawSheet(loaded.name, fmt.headers, columns, rows, mapping, extra, fmt.written)


def _read_csv_columns(
    loaded: Loaded, fmt: CsvFormat, limits: ReadLimits
) -> tuple[list[Text], Text | None]:
    """Cells below the header as text, and the cells beyond the header's width (joined, null
    where a row has none): pyarrow's multithreaded reader, else pandas', else Python's."""
    if fmt.data_start >= _size(loaded):
        return [chunked(pa.array([], type=TEXT)) for _ in range(fmt.width)], None
    try:
        return _arrow_csv(loaded, fmt), None
    except (pa.ArrowException, UnicodeError, LookupError):
        pass  # ragged rows, bytes the sampled encoding cannot decode, huge rows: slower readers
    data = _all_bytes(loaded)
    for encoding in dict.fromkeys([fmt.encoding, "cp1252", "latin-1"]):
        try:
            frame = _pandas_csv(data, fmt, encoding)
            return [as_text(frame[i]) for i in range(fmt.width)], None
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.ParserWarning, csv.Error, ValueError):
            return _python_csv(loaded, data, fmt, encoding, limits)
    raise InputError(f"{loaded.name}: the file's text encoding could not be recognised.")


def _size(loaded: Loaded) -> int:
    if loaded.data is not None:
        return len(loaded.data)
    assert loaded.path is not None
    try:
        return loaded.path.stat().st_size
    except OSError as exc:
        raise InputError(f"{loaded.name}: the file could not be read ({exc}).") from exc


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
    text = data[fmt.data_start :].decode(encoding, errors="replace")
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


def _check_row_cells(
    loaded: Loaded, fmt: CsvFormat, n: int, cells: int, limits: ReadLimits
) -> None:
    if cells > limits.max_row_cells:
        raise InputError(
            f"{loaded.name}: row {fmt.header_index + 2 + n} has {cells:,} cells; hubframe reads "
            f"at most {limits.max_row_cells:,} cells per row (max_row_cells, Excel's own column "
            f"limit). Check the file was saved as a sheet with the right delimiter, or "
            f"{hint('max_row_cells')}."
        )


def _check_closed_quotes(
    loaded: Loaded, fmt: CsvFormat, columns: list[Text], extra: Text | None, rows: IntArray
) -> None:
    """A quote that opens a cell and is never closed makes every line after it part of that one
    cell: those rows would vanish.  Such a cell is in the last row and runs to the end of the
    file; a closed cell would end with its closing quote."""
    if not len(rows) or not _scan(loaded).quotes:
        return
    last = [c[-1].as_py() for c in columns] + ([extra[-1].as_py()] if extra is not None else [])
    multiline = [cell for cell in last if cell and ("\n" in cell or "\r" in cell)]
    if not multiline:
        return
    tail = _tail_text(loaded, fmt, max(len(c) for c in multiline) * 4 + 8)
    for cell in multiline:
        raw = '"' + cell.replace('"', '""')  # the cell as written, from its opening quote
        closed = any(tail.endswith(raw + '"' + end) for end in ("", "\n", "\r\n", "\r"))
        if not closed and tail.endswith(raw):
            first_line = cell.splitlines()[0][:40]
            raise InputError(
                f'{loaded.name}: the quote that opens a cell in row {rows[-1]} ("{first_line}'
                "...) is never closed, so every line after it would be read as part of that "
                'one cell. Add the closing quote (") or remove the opening one, then try again.'
            )


def _tail_text(loaded: Loaded, fmt: CsvFormat, size: int) -> str:
    """The last ``size`` bytes or so of the file as text (whole UTF-16 code units)."""
    total = _size(loaded)
    start = max(fmt.data_start, total - size)
    if fmt.encoding.startswith("utf-16"):
        start += (start - fmt.data_start) % 2
    if loaded.data is not None:
        return loaded.data[start:].decode(fmt.encoding, errors="replace")
    assert loaded.path is not None
    with loaded.path.open("rb") as handle:
        handle.seek(start)
        return handle.read().decode(fmt.encoding, errors="replace")


# --- Excel --------------------------------------------------------------------------------------


@dataclass
class Grid:
    name: str
    cells: list[list[Any]]
    first_row: int  # Excel row number of cells[0]


def _workbook(loaded: Loaded, limits: ReadLimits) -> bytes:
    """The workbook's bytes once checked (:mod:`hubframe.guard`): what the engines may open."""
    data = _all_bytes(loaded)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise InputError(
                f"{loaded.name}: the workbook is password-protected. Open it in Excel, remove "
                "the password (File > Info > Protect Workbook > Encrypt with Password), save, "
                "and try again."
            )
        raise refuse_legacy_excel(loaded.name)
    return checked_workbook(data, loaded.name, limits)


def _excel_sheets(data: bytes, sheet: SheetArg, request: Request) -> list[RawSheet]:
    name = request.source_name
    grids = _excel_grids(data, sheet, name)
    sheets: list[RawSheet] = []
    for grid in grids:
        raw = _grid_sheet(grid, request, every=sheet == "*")
        if raw is not None:
            sheets.append(raw)
    if not sheets:
        raise InputError(
            f"{name}: no sheet has a header hubframe recognises "
            f"(sheets: {', '.join(g.name for g in grids)})."
        )
    return sheets


def _excel_grids(data: bytes, sheet: SheetArg, name: str) -> list[Grid]:
    try:
        return _calamine_grids(data, sheet, name)
    except InputError:
        raise
    except Exception as first:  # calamine raises several error types; try openpyxl next
        if type(first).__name__ == "PasswordError":
            raise InputError(
                f"{name}: the workbook is password-protected. Remove the password in Excel, "
                "save, and try again."
            ) from first
        try:
            return _openpyxl_grids(data, sheet, name)
        except InputError:
            raise
        except Exception as second:
            raise InputError(
                f"{name}: the workbook cannot be read; the file is damaged or not an Excel "
                f"workbook ({first}; {second}). Open it in Excel and save it again."
            ) from second


def _pick_sheets(names: list[str], sheet: SheetArg, source: str) -> list[str]:
    if not names:
        raise InputError(f"{source}: the workbook has no sheets.")
    if sheet is None:
        return names[:1]
    if sheet == "*":
        return names
    if isinstance(sheet, int):
        if -len(names) <= sheet < len(names):
            return [names[sheet]]
    else:
        exact = [n for n in names if n == sheet]
        loose = [n for n in names if n.strip().casefold() == str(sheet).strip().casefold()]
        if exact or loose:
            return (exact or loose)[:1]
    raise InputError(
        f"{source}: no sheet {sheet!r}. Sheets in the workbook: {', '.join(names)} "
        "(sheet= takes a name, a 0-based number, or '*' for every sheet)."
    )


def _calamine_grids(data: bytes, sheet: SheetArg, source: str) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    for name in _pick_sheets(list(book.sheet_names), sheet, source):
        ws = book.get_sheet_by_name(name)
        cells = ws.to_python()
        start = ws.start
        first = (start[0] if start else 0) + 1
        grids.append(Grid(name, cells if cells else [], first))
    return grids


def _openpyxl_grids(data: bytes, sheet: SheetArg, source: str) -> list[Grid]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        grids = []
        for name in _pick_sheets(list(book.sheetnames), sheet, source):
            ws = book[name]
            cells = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            grids.append(Grid(name, cells, 1))
        return grids
    finally:
        book.close()


def _rectangle(body: list[list[Any]], width: int) -> ObjArray:
    """Rows of cells as a 2-D object array of exactly ``width`` columns (None pads)."""
    table: ObjArray = np.empty((len(body), width), dtype=object)
    if not body:
        return table
    block = np.array(body, dtype=object)
    if block.ndim == 2:
        cols = min(width, block.shape[1])
        table[:, :cols] = block[:, :cols]
        return table
    for i, row in enumerate(body):  # ragged rows (openpyxl): padded with None
        cells = row[:width]
        table[i, : len(cells)] = cells
    return table


def _grid_sheet(grid: Grid, request: Request, *, every: bool) -> RawSheet | None:
    where = f"{request.source_name} [{grid.name}]"
    index = _find_header(grid.cells, request)
    if index < 0 or (every and request.score(grid.cells[index]) == 0):
        if every:
            request.skipped_sheets.append(grid.name)
            return None
        raise InputError(f"{where}: the sheet is empty.")
    headers = _clean_headers(grid.cells[index])
    mapping = request.match(headers, where)
    body = grid.cells[index + 1 :]
    table = _rectangle(body, len(headers))
    columns = [cells_to_arrow(table[:, i]) for i in range(len(headers))]
    rows = np.arange(len(body), dtype=np.int64) + grid.first_row + index + 1
    written = _written_headers(grid.cells[index], headers)
    return RawSheet(grid.name, headers, columns, rows, mapping, written=written)


# --- building the normalized frame ------------------------------------------------------------


def _drop_blank(raw: RawSheet) -> RawSheet:
    """Drop rows where every cell is empty, and unnamed columns with no data at all."""
    ids = [
        raw.headers.index(raw.mapping.columns[c]) for c in ID_COLUMNS if c in raw.mapping.columns
    ]
    extra = [] if raw.extra is None else [raw.extra]
    blank = _blank_rows(raw.columns + extra, ids)
    keep = [
        i
        for i, h in enumerate(raw.headers)
        if not (h.startswith("Unnamed: ") and empty_mask(raw.columns[i]).all())
        or h in raw.mapping.columns.values()
    ]
    columns, rows = [raw.columns[i] for i in keep], raw.rows
    if blank.any():
        rows_kept = pa.array(~blank)
        columns, rows = [c.filter(rows_kept) for c in columns], rows[~blank]
        extra = [c.filter(rows_kept) for c in extra]
    headers = [raw.headers[i] for i in keep]
    extra_cells = (extra or [None])[0]
    return RawSheet(raw.name, headers, columns, rows, raw.mapping, extra_cells, raw.written)


def _blank_rows(columns: list[Text], ids: list[int]) -> BoolArray:
    """True for rows whose cells are all empty or whitespace.

    Each column only checks the rows still blank after the columns before it; id columns go
    first, where a canonical id (a check needed later anyway, and remembered) is never blank.
    """
    n = len(columns[0]) if columns else 0
    maybe = np.ones(n, dtype=bool)
    for position in ids:
        maybe &= ~canonical_ids(columns[position])
    candidates = np.flatnonzero(maybe)
    for column in columns:
        if len(candidates) == 0:
            break
        cells = column if len(candidates) == n else take_rows(column, candidates)
        candidates = candidates[blank_mask(cells)]
    blank = np.zeros(n, dtype=bool)
    blank[candidates] = True
    return blank


def _explode(raw: RawSheet, request: Request) -> RawSheet:
    """One row per id of the id cells holding several ';'-separated ids."""
    for canonical in ID_COLUMNS:
        header = raw.mapping.columns.get(canonical)
        if header is None:
            continue
        position = raw.headers.index(header)
        if not canonical_ids(raw.columns[position]).all():
            _check_split(raw, position, request)
        take, parts = split_rows(raw.columns[position])
        if take is None:
            continue
        jobs = {i: partial(take_rows, c, take) for i, c in enumerate(raw.columns) if i != position}
        if raw.extra is not None:
            jobs[-1] = partial(take_rows, raw.extra, take)
        taken = run_all(jobs, threads=len(take) >= PARALLEL_ROWS) | {position: parts}
        columns = [taken[i] for i in range(len(raw.columns))]
        extra = taken.get(-1)
        raw = RawSheet(
            raw.name, raw.headers, columns, raw.rows[take], raw.mapping, extra, raw.written
        )
    return raw


def _check_split(raw: RawSheet, position: int, request: Request) -> None:
    """Refuse a split beyond the limits before any of it is done: a cell of too many ids, or
    rows whose other cells would be copied for each of their ids past ``max_split_bytes``."""
    limits, where = request.limits, request.source_name
    if raw.name and raw.name != request.source_name:
        where = f"{where} [{raw.name}]"  # a workbook sheet
    semicolons = pc.count_substring(raw.columns[position], ";").fill_null(0)
    counts = np.asarray(semicolons.to_numpy(), dtype=np.int64)
    if not counts.any():
        return
    worst = int(np.argmax(counts))
    if counts[worst] + 1 > limits.max_ids_per_cell:
        raise InputError(
            f"{where}: the cell in row {raw.rows[worst]}, column '{raw.headers[position]}' holds "
            f"{counts[worst] + 1:,} ';'-separated values; hubframe reads at most "
            f"{limits.max_ids_per_cell:,} ids per cell (max_ids_per_cell). Split the list over "
            f"several rows, or {hint('max_ids_per_cell')}."
        )
    other = np.zeros(len(counts), dtype=np.int64)
    for i, column in enumerate(raw.columns):
        if i != position:
            lengths = pc.binary_length(column).fill_null(0).to_numpy()
            other += np.asarray(lengths, dtype=np.int64)
    copied = int((counts * (other + 16)).sum())  # 16: the offsets and numbers of a row
    if copied > limits.max_split_bytes:
        raise InputError(
            f"{where}: splitting the ';'-separated ids into one row each would copy the rows' "
            f"other cells {int(counts.sum()):,} times ({copied / (1 << 20):,.0f} MiB); the limit "
            f"is {limits.max_split_bytes / (1 << 20):,.0f} MiB (max_split_bytes). Shorten the "
            f"other cells of those rows, or {hint('max_split_bytes')}."
        )


def _type_column(raw: RawSheet, side: Literal["from", "to"], given: str | None) -> Text:
    cells = raw.cells(f"{side}_type")
    fallback = given or raw.mapping.implied_types.get(side)
    if cells is None:
        return constant_text(fallback, raw.size)
    types = map_text(cells, canonical_object_type)
    return types.fill_null(fallback) if fallback and types.null_count else types


def _text_column(
    raw: RawSheet, canonical: str, func: Callable[[Text], Text], default: str | None = None
) -> Text:
    cells = raw.cells(canonical)
    if cells is None:
        return constant_text(default, raw.size)
    values = func(cells)
    return values.fill_null(default) if default and values.null_count else values


def _whole_column(raw: RawSheet, canonical: str) -> tuple[pd.arrays.IntegerArray, Text | None]:
    cells = raw.cells(canonical)
    if cells is None:
        n = raw.size
        return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)), None
    return whole_numbers(cells)


def _normalized(raw: RawSheet, request: Request) -> dict[str, Any]:
    """The canonical columns (Arrow text, Int64 arrays, bool arrays) and private raw text.

    The columns are independent; on large sheets they are computed on a few threads (Arrow
    and numpy release the GIL).
    """
    pairs = request.kind == "pairs"
    whole = ["type_id"] if pairs else ["type_id", "max_to_object_ids"]
    jobs: dict[str, Callable[[], Any]] = {
        "from_type": partial(_type_column, raw, "from", request.from_type),
        "from_id": partial(_text_column, raw, "from_id", _id_cells(raw, request, "from")),
        "to_type": partial(_type_column, raw, "to", request.to_type),
        "to_id": partial(_text_column, raw, "to_id", _id_cells(raw, request, "to")),
        "label": partial(_text_column, raw, "label", trimmed_text, request.label),
        "category": partial(
            _text_column, raw, "category", partial(map_text, func=canonical_category)
        ),
        **{canonical: partial(_whole_column, raw, canonical) for canonical in whole},
    }
    if not pairs:
        del jobs["from_id"], jobs["to_id"]
        jobs["remove"] = partial(_purge_column, raw)
    out = run_all(jobs, threads=raw.size >= PARALLEL_ROWS)
    private: dict[str, Any] = {}
    for canonical in whole:
        out[canonical], bad = out[canonical]
        if bad is not None and bad.null_count < len(bad):
            private[RAW_PREFIX + canonical] = bad
    return out | private


def _id_cells(raw: RawSheet, request: Request, side: str) -> Callable[[Text], Text]:
    """Record ids become canonical digits; unique property values (emails...) stay as written."""
    return trimmed_text if side in request.properties(raw.mapping) else id_text


def _purge_column(raw: RawSheet) -> BoolArray:
    cells = raw.cells("max_to_object_ids")
    assert cells is not None
    return purge_flags(cells)


def _series(values: Any) -> pd.Series:
    if isinstance(values, pa.ChunkedArray):
        return to_series(values)
    return pd.Series(values, copy=False)


def _study(raw: RawSheet) -> None:
    """Compute the column facts the steps below need (canonical ids, distinct values) side by
    side; they are remembered on the columns, so the steps find them ready."""
    jobs: dict[str, Callable[[], Any]] = {}
    for canonical in ID_COLUMNS:
        if (cells := raw.cells(canonical)) is not None:
            jobs[canonical] = partial(canonical_ids, cells)
    for canonical in ("from_type", "to_type", "category"):
        if (cells := raw.cells(canonical)) is not None:
            jobs[canonical] = partial(distinct, cells)
    run_all(jobs, threads=raw.size >= PARALLEL_ROWS)


def _sheet_frame(raw: RawSheet, request: Request) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The sheet's frame, its original columns (frame names, in sheet order) and the header
    as written for the names that differ from it."""
    _study(raw)
    raw = _drop_blank(raw)
    if request.kind == "pairs":
        raw = _explode(raw, request)
    normalized = _normalized(raw, request)
    columns: dict[str, pd.Series] = {
        "sheet": to_series(constant_text(raw.name, raw.size)),
        "row": pd.Series(raw.rows, dtype=np.int64, copy=False),
    }
    private = {k: v for k, v in normalized.items() if k.startswith(RAW_PREFIX)}
    columns.update({k: _series(v) for k, v in normalized.items() if k not in private})
    originals: list[str] = []
    written: dict[str, str] = {}
    for position, header in enumerate(raw.headers):
        name = header
        if header not in normalized:  # (a header spelled as the field keeps its cleaned cells)
            name = f"{header} (original)" if header in RESERVED else header
            columns[name] = to_series(_filled(raw.columns[position]))
        originals.append(name)
        if name != header or header in raw.written:
            written[name] = raw.written.get(header, header)
    columns.update({k: to_series(v) for k, v in private.items()})
    if raw.extra is not None and raw.extra.null_count < len(raw.extra):
        columns[EXTRA_CELLS] = to_series(raw.extra)
    return pd.DataFrame(columns, copy=False), originals, written


def _read(
    kind: Kind,
    source: Source,
    *,
    sheet: SheetArg,
    columns: Mapping[str, str] | None,
    from_type: str | None,
    to_type: str | None,
    label: str | None = None,
    id_properties: Mapping[str, str | None] | None = None,
    limits: ReadLimits | None = None,
) -> pd.DataFrame:
    loaded = _load(source)
    if loaded.frame is not None and _is_read_output(loaded.frame, kind):
        return loaded.frame.copy()
    request = Request(
        kind,
        loaded.name,
        columns,
        _type_argument(from_type, "from_type", loaded.name),
        _type_argument(to_type, "to_type", loaded.name),
        clean_text(label) if label is not None else None,
        id_properties={k: str(v).strip() for k, v in (id_properties or {}).items() if v},
        limits=limits or read_limits_in_force(),
    )
    parts: list[pd.DataFrame] = []
    originals: list[str] = []
    written: dict[str, str] = {}
    column_map: dict[str, str] = {}
    properties: dict[str, str] = {}
    with _reading(loaded.name):
        for raw in _raw_sheets(loaded, sheet, request):
            frame, names, as_written = _sheet_frame(raw, request)
            parts.append(frame)
            originals.extend(n for n in names if n not in originals)
            written.update(as_written)
            column_map.update(raw.mapping.column_map)
            properties.update(request.properties(raw.mapping))
    result = _combine(parts, kind)
    result.attrs["hubframe"] = {
        "kind": kind,
        "source": loaded.name,
        "original_columns": originals,
        "column_map": column_map,
    }
    if written:
        result.attrs["hubframe"]["written_headers"] = written
    if request.skipped_sheets:
        result.attrs["hubframe"]["skipped_sheets"] = list(request.skipped_sheets)
    if properties and kind == "pairs":
        result.attrs["hubframe"]["id_properties"] = properties
    return result


def _combine(parts: list[pd.DataFrame], kind: Kind) -> pd.DataFrame:
    if len(parts) == 1:
        return parts[0]  # built in this order, original cells already "" when empty
    result = pd.concat(parts, ignore_index=True)
    head = ["sheet", "row", *fields_for(kind), *(["remove"] if kind == "limits" else [])]
    rest = [c for c in result.columns if c not in head and not str(c).startswith(RAW_PREFIX)]
    private = [c for c in result.columns if str(c).startswith(RAW_PREFIX)]
    result = result[head + rest + private]
    for column in rest + private:
        if result[column].isna().any() and not column.startswith(RAW_PREFIX):
            result[column] = result[column].fillna("")
    result["row"] = result["row"].astype(np.int64)
    return result.reset_index(drop=True)


def _is_read_output(frame: pd.DataFrame, kind: Kind) -> bool:
    info = frame.attrs.get("hubframe")
    wanted = {"sheet", "row", *fields_for(kind)}
    return isinstance(info, dict) and info.get("kind") == kind and wanted <= set(frame.columns)


def _type_argument(value: str | None, name: str, source: str) -> str | None:
    if value is None:
        return None
    canonical = canonical_object_type(value)
    if canonical is None or not is_valid_object_type(canonical):
        raise InputError(
            f"{source}: {name}={value!r} is not an object type HubSpot knows. Use a name such "
            "as contacts, companies, deals or tickets, or a custom object id like 2-1234."
        )
    return canonical


# --- public -------------------------------------------------------------------------------------


def sheet_headers(
    source: Source,
    *,
    sheet: SheetArg = None,
    kind: Kind = "pairs",
    limits: ReadLimits | None = None,
) -> list[str]:
    """The header row the readers would use (found below any title block), as they name it.

    For a column-mapping UI: unlike :func:`read_pairs` it does not require the columns to be
    recognised.  ``sheet="*"`` gives the first sheet's headers.  Unreadable files raise
    :class:`InputError` as the readers do.
    """
    loaded = _load(source)
    with _reading(loaded.name):
        return _headers_of(loaded, sheet, kind, limits)


def _headers_of(
    loaded: Loaded, sheet: SheetArg, kind: Kind, limits: ReadLimits | None
) -> list[str]:
    if loaded.frame is not None:
        return _clean_headers([str(c) for c in loaded.frame.columns])
    request = Request(kind, loaded.name, None, None, None, limits=limits or read_limits_in_force())
    if _head(loaded, 8).startswith((OLE_MAGIC, ZIP_MAGIC)):
        data = _workbook(loaded, request.limits)
        grid = _excel_grids(data, None if sheet == "*" else sheet, loaded.name)[0]
        index = _find_header(grid.cells[:HEADER_SEARCH_ROWS], request)
        return _clean_headers(grid.cells[index]) if index >= 0 else []
    return _csv_format(loaded, request).headers


def read_pairs(
    source: Source,
    *,
    sheet: SheetArg = None,
    columns: Mapping[str, str] | None = None,
    from_type: str | None = None,
    to_type: str | None = None,
    label: str | None = None,
    from_id_property: str | None = None,
    to_id_property: str | None = None,
    limits: ReadLimits | None = None,
) -> pd.DataFrame:
    """Read a sheet of record pairs to associate.

    Returns ``sheet``, ``row``, ``from_type``, ``from_id``, ``to_type``, ``to_id``, ``label``,
    ``category``, ``type_id`` (Int64), then the sheet's original columns as text.  A cell of
    several ``;``-separated ids becomes several rows with the same ``sheet`` and ``row``.
    ``from_id_property="email"`` (or a header such as "Contact email") says a side names its
    records by a unique property instead of record ids: the values are kept as written and
    noted in ``attrs["hubframe"]["id_properties"]``; ``associate`` looks them up
    (:mod:`hubframe.lookup`).  Raises :class:`~hubframe.errors.InputError` for whole-file
    problems, including files beyond ``limits`` (:class:`hubframe.limits.ReadLimits`; the
    process-wide ones by default): sheets too large, zip bombs, rows of too many cells.
    """
    return _read(
        "pairs",
        source,
        sheet=sheet,
        columns=columns,
        from_type=from_type,
        to_type=to_type,
        label=label,
        id_properties={"from": from_id_property, "to": to_id_property},
        limits=limits,
    )


def read_limits(
    source: Source,
    *,
    sheet: SheetArg = None,
    columns: Mapping[str, str] | None = None,
    from_type: str | None = None,
    to_type: str | None = None,
    limits: ReadLimits | None = None,
) -> pd.DataFrame:
    """Read a sheet of association limits.

    Returns ``sheet``, ``row``, ``from_type``, ``to_type``, ``label``, ``category``,
    ``type_id`` (Int64), ``max_to_object_ids`` (Int64), ``remove`` (bool: an empty cell or
    'remove' purges the limit), then the sheet's original columns as text.
    """
    return _read(
        "limits",
        source,
        sheet=sheet,
        columns=columns,
        from_type=from_type,
        to_type=to_type,
        limits=limits,
    )


__all__ = ["cells_to_text", "read_limits", "read_pairs", "sheet_headers"]
