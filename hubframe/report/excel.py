"""Writing workbooks fast: openpyxl builds the sheets, the large tables are streamed.

openpyxl builds the workbook (styles, the Summary sheet and its chart, the header rows,
frozen panes, filters, column widths) in write-only mode; the cells of the large tables are
then streamed straight into the worksheet XML, chunk by chunk, with the style ids openpyxl
registered.  openpyxl's own per-cell serializer manages about 200,000 cells a second, which is
20 s for 200,000 result rows; the stream writes the same cells in a fraction of that
(``bench/report_export.py`` prints both).  Text is always written as an inline string cell,
which Excel never evaluates; so is a whole number Excel's number cells cannot hold exactly
(from 10**15 up: a 16-18 digit record id would read back as another record's).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hubframe import formula
from hubframe.constants import ERROR_TEXTS
from hubframe.errors import InputError, InternalError, interrupt_kept
from hubframe.io.cells import EXCEL_LIMIT
from hubframe.report.safety import SheetFormula, outgoing_frame, outgoing_text
from hubframe.report.whole import written_whole

STATUS_COLOURS: Final[Mapping[str, str]] = {
    "success": "C6EFCE",  # green
    "failed": "FFC7CE",  # red
    "invalid": "F8CBAD",  # orange
    "duplicate": "D9D9D9",  # grey
    "skipped": "D9D9D9",  # grey
    "planned": "BDD7EE",  # blue
}
SEVERITY_COLOURS: Final[Mapping[str, str]] = {"error": "F8CBAD", "warning": "FFEB9C"}
CHANGE_COLOURS: Final[Mapping[str, str]] = {
    "add": "C6EFCE",  # green
    "remove": "FFC7CE",  # red
    "keep": "D9D9D9",  # grey
}
HEADER_FILL: Final = "1F4E78"
# openpyxl's type stubs miss most attributes of write-only worksheets (column_dimensions,
# auto_filter, add_chart, ...), so they are handled as Any.
WriteOnlyWorksheet = Any
# Control characters XML 1.0 cannot hold (written as Excel's _xHHHH_ escapes), U+FFFE/U+FFFF
# and lone surrogates (U+FFFD), and text that would read as such an escape.
_OOXML_ESCAPE: Final = re.compile(
    "_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]"
)
_XML_SPECIAL: Final = re.compile(
    "[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_"
)
_SHEET_TITLE_BAD: Final = re.compile(r"[\[\]:*?/\\]")
_CHUNK_ROWS: Final = 20_000
#: Rows an Excel sheet holds, its header row included: a longer table goes on in sheets
#: titled "Results (2)", "Results (3)" ... (Excel stops loading a sheet there, and a file
#: saved again from Excel would have lost the rows past it).
SHEET_ROWS: Final = 1_048_576
SHEET_COLUMNS: Final = 16_384  # an Excel sheet's columns, A to XFD
RESULTS: Final = "Results"  # the title of a report's sheet of result rows
_WIDTH_SAMPLE: Final = 2_000


# --- Tables streamed into the workbook -----------------------------------------------------------


@dataclass
class Table:
    """One tabular sheet: a frame in its final column order, and how to colour it."""

    title: str
    frame: pd.DataFrame
    colours: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    max_width: int = 60


@dataclass
class _Styles:
    """Style ids (cellXfs indexes) registered with openpyxl for the streamed cells."""

    quote: int
    by_column: dict[int, dict[str, int]]
    header: int
    header_quote: int


def fill(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _style_id(
    ws: WriteOnlyWorksheet,
    *,
    colour: str | None = None,
    quote: bool = False,
    header: bool = False,
) -> int:
    cell = WriteOnlyCell(ws)
    if colour:
        cell.fill = fill(colour)
    if quote:
        cell.quotePrefix = True
    if header:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill(HEADER_FILL)
        cell.alignment = Alignment(vertical="center")
    return int(cell.style_id)


def _width(series: pd.Series, header: str, cap: int) -> float:
    sample = series.head(_WIDTH_SAMPLE).dropna()
    longest = int(sample.astype(str).str.len().max()) if len(sample) else 0
    return float(min(max(longest, len(header), 6) + 2, cap))


def _prepare_sheet(ws: WriteOnlyWorksheet, table: Table) -> _Styles:
    frame = table.frame
    n_cols = max(len(frame.columns), 1)
    for i, name in enumerate(frame.columns, 1):
        letter = get_column_letter(i)
        width = _width(frame.iloc[:, i - 1], str(name), table.max_width)
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{len(frame) + 1}"
    by_column: dict[int, dict[str, int]] = {}
    for name, mapping in table.colours.items():
        if name in frame.columns:
            position = list(frame.columns).index(name)
            by_column[position] = {v: _style_id(ws, colour=c) for v, c in mapping.items()}
    return _Styles(
        quote=_style_id(ws, quote=True),
        by_column=by_column,
        header=_style_id(ws, header=True),
        header_quote=_style_id(ws, header=True, quote=True),
    )


def _ooxml_one(match: re.Match[str]) -> str:
    char = match.group()
    if char == "_":
        return "_x005F_"
    if "\ud800" <= char <= "\udfff" or char in "\ufffe\uffff":
        return "\ufffd"  # no UTF-8 file holds a lone surrogate; XML refuses U+FFFE/U+FFFF
    return f"_x{ord(char):04X}_"


def ooxml(text: str) -> str:
    """``text`` in Excel's own escapes: ``_xHHHH_`` for characters XML cannot hold, ``_x005F_``
    before text that would read as such an escape (Excel and calamine decode them)."""
    return _OOXML_ESCAPE.sub(_ooxml_one, text) if _OOXML_ESCAPE.search(text) else text


def _needs_xml_escape(text: str) -> bool:
    """Whether :func:`_escape_xml` changes ``text`` (fast substring checks first)."""
    if "&" in text or "<" in text or ">" in text or "_x" in text or "\r" in text:
        return True
    return not text.isprintable() and _XML_SPECIAL.search(text) is not None


def _escape_xml(text: str) -> str:
    if not _needs_xml_escape(text):
        return text
    text = ooxml(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


#: The most characters an Excel cell holds, counted as Excel counts them (UTF-16 units): a
#: workbook with a longer cell is one Excel says is damaged.
EXCEL_CELL_CHARS: Final = 32_767


def fit_cell(text: str) -> str:
    """``text`` as an Excel cell can hold it: whole when it fits, else cut and ending with a
    note of its length (the CSV report keeps it whole)."""
    if len(text) <= EXCEL_CELL_CHARS // 2:
        return text
    units = len(text.encode("utf-16-le")) // 2
    if units <= EXCEL_CELL_CHARS:
        return text
    note = (
        f" [... cut here: the text has {len(text):,} characters, more than Excel's "
        f"{EXCEL_CELL_CHARS:,}]"
    )
    kept = text.encode("utf-16-le")[: (EXCEL_CELL_CHARS - len(note)) * 2]
    return kept.decode("utf-16-le", errors="ignore") + note  # half a surrogate pair dropped


def _text_cell(ref: str, text: str, style: int | None) -> str:
    text = fit_cell(text)
    s = f' s="{style}"' if style is not None else ""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape_xml(text)}</t></is></c>'


def _number_text(value: float | int) -> str | None:
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else str(value)
    return repr(value) if isinstance(value, float) else str(int(value))


def _past_excel(value: int) -> bool:
    """Whether a whole number is one an Excel number cell does not hold exactly: Excel keeps
    15 significant digits, a double is exact to 2**53, and the readers refuse a number cell
    from 10**15 up as an id (a 16-18 digit id would come back another record's)."""
    return abs(value) >= EXCEL_LIMIT


def _int_text_cell(ref: str, value: int, quote: int) -> str:
    """A whole number Excel cannot hold exactly, as a text cell of its digits (quote-prefixed
    when negative: a text starting with "-" is kept text when edited)."""
    text = str(value)
    return _text_cell(ref, text, quote if formula.starts_like_formula(text) else None)


def _cell_xml(ref: str, value: object, styles: Mapping[str, int] | None, quote: int) -> str:
    """One <c> element (empty string for an empty cell)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, SheetFormula):
        return _formula_cell(ref, value)
    style = styles.get(str(value)) if styles else None
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | np.integer) and _past_excel(int(value)):
        return _int_text_cell(ref, int(value), quote)
    if isinstance(value, int | float | np.integer | np.floating):
        number = _number_text(value.item() if isinstance(value, np.generic) else value)
        if number is None:
            return ""
        if number in ("inf", "-inf"):
            return _text_cell(ref, number, quote if number == "-inf" else style)
        s = f' s="{style}"' if style is not None else ""
        return f'<c r="{ref}"{s}><v>{number}</v></c>'
    text = _as_text(value)
    if text == "":
        return ""
    if style is None and text.startswith(formula.TRIGGERS):
        style = quote
    return _text_cell(ref, text, style)


def _formula_cell(ref: str, cell: SheetFormula) -> str:
    """An error cell (``t="e"``: Excel's own error values in its spelling, ``#N/A`` for a
    formula without its value; see :class:`~hubframe.report.safety.SheetFormula`): read back,
    refused again."""
    text = fit_cell(cell.shown)
    known = text.upper() if text.upper() in ERROR_TEXTS else text
    return f'<c r="{ref}" t="e"><v>{_escape_xml(known)}</v></c>'


def _as_text(value: object) -> str:
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _column_values(series: pd.Series) -> list[Any]:
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()


def _text_column(
    letter: str,
    values: list[str | None],
    refs: list[str],
    styles: Mapping[str, int] | None,
    quote: int,
) -> list[str]:
    """Cells of a column holding only text (the common case), without a call per cell."""
    if max((len(v) for v in values if v), default=0) > EXCEL_CELL_CHARS // 2:
        values = [fit_cell(v) if v else v for v in values]
    present = " ".join(v for v in values if v)
    escaped = values
    if _needs_xml_escape(present):
        escaped = [_escape_xml(v) if v else v for v in values]
    out: list[str] = []
    append = out.append
    for value, text, ref in zip(values, escaped, refs, strict=True):
        if not value or not text:
            append("")
            continue
        style = styles.get(value) if styles else None
        if style is None and value.startswith(formula.TRIGGERS):
            style = quote
        s = "" if style is None else f' s="{style}"'
        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
        append(f'<c r="{letter}{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>')
    return out


def _int_column(letter: str, values: list[Any], refs: list[str], quote: int) -> list[str]:
    """Cells of a column of whole numbers: number cells, but text for those Excel cannot hold
    exactly (:func:`_past_excel`)."""
    out: list[str] = []
    for v, ref in zip(values, refs, strict=True):
        if v is None:
            out.append("")
        elif _past_excel(int(v)):
            out.append(_int_text_cell(f"{letter}{ref}", int(v), quote))
        else:
            out.append(f'<c r="{letter}{ref}"><v>{int(v)}</v></c>')
    return out


def _column_xml(
    letter: str,
    series: pd.Series,
    refs: list[str],
    styles: Mapping[str, int] | None,
    quote: int,
) -> list[str]:
    values = _column_values(series)
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("string", "empty"):
        return _text_column(letter, values, refs, styles, quote)
    if kind == "integer" and not styles:
        return _int_column(letter, values, refs, quote)
    return [
        _cell_xml(f"{letter}{ref}", v, styles, quote) for v, ref in zip(values, refs, strict=True)
    ]


def _header_xml(names: Sequence[str], letters: Sequence[str], styles: _Styles) -> str:
    """Row 1: the column names, as text, with the quote prefix on risky ones."""
    cells = [
        _text_cell(
            f"{letter}1",
            name,
            styles.header_quote if formula.starts_like_formula(name) else styles.header,
        )
        for name, letter in zip(names, letters, strict=True)
    ]
    return f'<row r="1">{"".join(cells)}</row>'


def _rows_xml(frame: pd.DataFrame, styles: _Styles) -> Iterator[str]:
    """The <row> elements of a table: the header, then the rows, chunk by chunk."""
    letters = [get_column_letter(i) for i in range(1, len(frame.columns) + 1)]
    yield _header_xml([str(c) for c in frame.columns], letters, styles)
    for start in range(0, len(frame), _CHUNK_ROWS):
        chunk = frame.iloc[start : start + _CHUNK_ROWS]
        refs = [str(start + 2 + i) for i in range(len(chunk))]
        columns = [
            _column_xml(letters[i], chunk.iloc[:, i], refs, styles.by_column.get(i), styles.quote)
            for i in range(len(letters))
        ]
        if not columns:
            yield "".join(f'<row r="{ref}"/>' for ref in refs)
            continue
        yield "".join(
            f'<row r="{ref}">{"".join(cells)}</row>'
            for ref, cells in zip(refs, zip(*columns, strict=True), strict=True)
        )


def _inject_rows(
    source: zipfile.ZipFile, target: zipfile.ZipFile, name: str, rows: Iterator[str]
) -> None:
    xml = source.read(name).decode("utf-8")
    cut = xml.rfind("</sheetData>")
    if cut < 0:
        raise InternalError(f"unexpected worksheet XML in {name}: no </sheetData>")
    with target.open(name, "w", force_zip64=True) as out:
        out.write(xml[:cut].encode("utf-8"))
        for chunk in rows:
            out.write(chunk.encode("utf-8"))
        out.write(xml[cut:].encode("utf-8"))


def _save_with_tables(
    wb: Workbook, path: Path, streamed: Mapping[str, tuple[pd.DataFrame, _Styles]]
) -> None:
    """Save ``wb``, then copy it to ``path`` with the tables' rows streamed into their sheets."""
    with tempfile.TemporaryDirectory(prefix="hubframe-report-") as tmp:
        skeleton = Path(tmp) / "skeleton.xlsx"
        wb.save(skeleton)
        with interrupt_kept():
            _copy_streamed(skeleton, path, streamed)


def _copy_streamed(
    skeleton: Path, path: Path, streamed: Mapping[str, tuple[pd.DataFrame, _Styles]]
) -> None:
    with (
        written_whole(path) as partial,  # a stop in the middle leaves no cut-off file
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename in streamed:
                frame, styles = streamed[info.filename]
                _inject_rows(source, target, info.filename, _rows_xml(frame, styles))
            else:
                target.writestr(info, source.read(info.filename))


def write_tables(
    path: Path,
    tables: Sequence[Table],
    build_first: Callable[[Workbook], None] | None = None,
    build_last: Callable[[Workbook], None] | None = None,
) -> None:
    """Write a workbook: ``build_first`` adds small sheets, then one sheet per table, then
    ``build_last`` sees them all as titled (a retry file's mark names them).  A table wider
    than an Excel sheet is refused before anything is written."""
    for table in tables:
        _check_width(path, table)
    wb = Workbook(write_only=True)
    if build_first is not None:
        build_first(wb)
    streamed: dict[str, tuple[pd.DataFrame, _Styles]] = {}
    taken = {name.casefold() for name in wb.sheetnames}
    for given in (part for whole in tables for part in sheet_parts(whole)):
        table = replace(given, frame=outgoing_frame(given.frame))
        ws = wb.create_sheet(unique_title(table.title, taken))
        styles = _prepare_sheet(ws, table)
        # openpyxl names sheet parts xl/worksheets/sheetN.xml in workbook order, from 1.
        streamed[f"xl/worksheets/sheet{wb.worksheets.index(ws) + 1}.xml"] = (table.frame, styles)
    if build_last is not None:
        build_last(wb)
    _save_with_tables(wb, path, streamed)


def _check_width(path: Path, table: Table) -> None:
    """InputError when ``table`` has more columns than an Excel sheet holds."""
    width = len(table.frame.columns)
    if width > SHEET_COLUMNS:
        raise InputError(
            f"{path.name}: the {table.title} sheet would have {width:,} columns, and an Excel "
            f"sheet holds {SHEET_COLUMNS:,}; nothing was written. Write it as a .csv file "
            f"instead ({path.with_suffix('.csv').name})."
        )


def sheet_parts(table: Table) -> list[Table]:
    """The table in sheets Excel loads whole: itself, or parts of ``SHEET_ROWS - 1`` rows
    titled as :func:`continued_title` says."""
    rows = SHEET_ROWS - 1
    if len(table.frame) <= rows:
        return [table]
    frame, starts = table.frame, range(0, len(table.frame), rows)
    return [
        replace(table, title=continued_title(table.title, n), frame=frame.iloc[at : at + rows])
        for n, at in enumerate(starts, start=1)
    ]


def continued_title(title: str, part: int) -> str:
    """The title of a table's ``part``-th sheet: "Results", "Results (2)", ... (31 characters
    at most, as Excel allows)."""
    if part == 1:
        return title
    suffix = f" ({part})"
    return _sheet_title(title)[: 31 - len(suffix)] + suffix


def unique_title(title: str, taken: set[str]) -> str:
    """:func:`_sheet_title`, told apart from the names in ``taken`` (case-folded, as Excel
    compares them) by " (2)", " (3)" ... within the 31 characters; added to ``taken``.  Two
    source sheets alike in their first 31 characters were both cut to one name, and openpyxl
    appended a "1": 32 characters, a workbook Excel repairs, and a warning the analyst cannot
    act on."""
    name, n = _sheet_title(title), 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = _sheet_title(title)[: 31 - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _sheet_title(title: str) -> str:
    """A valid Excel sheet name (sheet names are never evaluated: no formula guard needed)."""
    title = _OOXML_ESCAPE.sub("_", outgoing_text(title))
    return _SHEET_TITLE_BAD.sub("_", title).strip("'")[:31] or "Sheet"
