"""Excel and CSV reports, retry files, and formula-safe cells.

``export_report(result, path)`` turns a result table (design.md, "Result table contract") into
what an analyst opens: an ``.xlsx`` workbook with the sheets ``Summary``, ``Results``, ``Errors``
and ``Validation``, or a ``.csv`` of the results alone.  ``export_retry(result, path)`` writes
the rows that still need doing (failed, invalid, and rows a stopped run never sent) in the
layout of the sheet the analyst uploaded, so they can fix them and run the file again.

Speed.  openpyxl builds the workbook (styles, the Summary sheet and its chart, the header rows,
frozen panes, filters, column widths) in write-only mode; the cells of the large tables are then
streamed straight into the worksheet XML, chunk by chunk, with the style ids openpyxl
registered.  openpyxl's own per-cell serializer manages about 200,000 cells a second here, which
is 20 s for 200,000 result rows; the stream writes the same cells in a fraction of that
(``bench/report_export.py`` prints both).

Safety.  Text is always written as text, headers included: in ``.xlsx`` as an inline string
cell (Excel never evaluates those) with the "quote prefix" style on values that start with
``=``, ``+``, ``-``, ``@``, tab or carriage return, so editing the cell keeps it text, and with
the value unchanged (characters XML cannot hold and text that looks like Excel's own ``_xHHHH_``
escapes are escaped that way, so Excel and calamine read the exact text back); in ``.csv``
such values get the reversible guard of :mod:`hubframe.formula` (a leading ``'``, which
hubframe's reader takes off again), unless they are plain numbers such as ``-5``.  Numbers stay
numbers.  No file holds a secret: every text -- cells, headers, sheet names, settings -- has the
values registered with :mod:`hubframe.redaction` (the client's token) replaced by
``<redacted>``; settings whose key looks like a secret are dropped and a base URL is reduced to
its host.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hubframe import formula, redaction
from hubframe.constants import (
    ISSUE_COLUMNS,
    LIMIT_COLUMNS,
    PAIR_COLUMNS,
    STATUS_COLUMNS,
)
from hubframe.errors import CODE_INFO, ErrorCode, InputError
from hubframe.results import summarize

__all__ = [
    "RETRY_STATUSES",
    "STATUS_COLOURS",
    "csv_safe",
    "export_report",
    "export_retry",
    "needs_escaping",
    "original_columns",
    "report_columns",
    "retry_rows",
]

PathLike = str | os.PathLike[str]
# openpyxl's type stubs miss most attributes of write-only worksheets (column_dimensions,
# auto_filter, add_chart, ...), so they are handled as Any.
WriteOnlyWorksheet = Any

# --- Constants ----------------------------------------------------------------------------------

STATUS_COLOURS: Final[Mapping[str, str]] = {
    "success": "C6EFCE",  # green
    "failed": "FFC7CE",  # red
    "invalid": "F8CBAD",  # orange
    "duplicate": "D9D9D9",  # grey
    "skipped": "D9D9D9",  # grey
    "planned": "BDD7EE",  # blue
}
SEVERITY_COLOURS: Final[Mapping[str, str]] = {"error": "F8CBAD", "warning": "FFEB9C"}
HEADER_FILL: Final = "1F4E78"

RETRY_STATUSES: Final = ("failed", "invalid")
# A stopped run (daily limit, token refused) marks unsent rows "skipped" with one of these.
_STOPPED_CODES: Final = frozenset(
    {ErrorCode.RATE_LIMITED, ErrorCode.UNAUTHORIZED, ErrorCode.MISSING_SCOPES}
)
_FIRST_COLUMNS: Final = ("sheet", "row", "status", "error_code", "error_message")
_RESULT_KNOWN: Final = frozenset(
    {"sheet", "row", "remove", *PAIR_COLUMNS, *LIMIT_COLUMNS, *STATUS_COLUMNS}
)
_RISKY_FIRST: Final = formula.TRIGGERS
# Control characters XML 1.0 cannot hold (written as Excel's _xHHHH_ escapes), U+FFFE/U+FFFF
# and lone surrogates (U+FFFD), and text that would read as such an escape.
_OOXML_ESCAPE: Final = re.compile(
    "_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]"
)
_XML_SPECIAL: Final = re.compile(
    "[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_"
)
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SECRET_KEY_RE: Final = re.compile(r"token|secret|password|authori[sz]ation|api[_-]?key", re.I)
_SHEET_TITLE_BAD: Final = re.compile(r"[\[\]:*?/\\]")
_CHUNK_ROWS: Final = 20_000
_WIDTH_SAMPLE: Final = 2_000


# --- Safe cell values ----------------------------------------------------------------------------


def needs_escaping(value: object) -> bool:
    """True for text Excel would read as a formula (starts with = + - @ tab or CR)."""
    return isinstance(value, str) and formula.starts_like_formula(value)


def csv_safe(value: object) -> object:
    """The value to put in a CSV cell: text redacted and guarded (:func:`formula.guard`: a
    leading ``'`` on risky text, none on plain numbers), other values as they are."""
    if isinstance(value, str):
        return formula.guard(_outgoing_text(value))
    return value


def _outgoing_text(text: str) -> str:
    """Text as it may leave hubframe: secrets redacted, lone surrogates replaced."""
    text = redaction.redact(text)
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def _arrow_text(series: pd.Series) -> bool:
    """Arrow-backed text (it cannot hold a lone surrogate)."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)


def _outgoing_column(series: pd.Series) -> pd.Series:
    """A column with :func:`_outgoing_text` applied to its text cells; a clean column is
    recognised with a few substring searches and returned as it is."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series
    secrets = redaction.spellings()
    if _arrow_text(series):
        hit = any(bool(series.str.contains(s, regex=False).any()) for s in secrets)
        return series.map(_outgoing_text, na_action="ignore") if hit else series
    texts = [v for v in series.tolist() if isinstance(v, str)]
    joined = "\x00".join(texts)
    odd = not joined.isascii() and _SURROGATE.search(joined) is not None
    if not (odd or any(s in joined for s in secrets)):
        return series
    return series.map(lambda v: _outgoing_text(v) if isinstance(v, str) else v)


def _outgoing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it may be written: secrets out of every header and text cell."""
    columns = [_outgoing_text(str(c)) for c in frame.columns]
    data = {i: _outgoing_column(frame.iloc[:, i]) for i in range(len(frame.columns))}
    out = pd.DataFrame(data, index=frame.index)
    out.columns = pd.Index(columns, dtype=object)
    return out


# --- Choosing rows and columns -------------------------------------------------------------------


def _check_result(result: pd.DataFrame) -> None:
    if not isinstance(result, pd.DataFrame) or "status" not in result.columns:
        raise InputError("not a hubframe result table: it has no 'status' column")


def _meta(frame: pd.DataFrame) -> dict[str, Any]:
    meta = frame.attrs.get("hubframe")
    return dict(meta) if isinstance(meta, Mapping) else {}


def original_columns(result: pd.DataFrame) -> list[str]:
    """The analyst's columns, in the order of the uploaded sheet."""
    listed = _meta(result).get("original_columns")
    if listed:
        return [str(c) for c in listed]
    return [str(c) for c in result.columns if c not in _RESULT_KNOWN]


def _unique(columns: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(columns))


def report_columns(result: pd.DataFrame) -> list[str]:
    """Column order of the Results sheet: where, status, the analyst's columns, the rest."""
    present = [str(c) for c in result.columns]
    first = [c for c in _FIRST_COLUMNS if c in present]
    originals = [c for c in original_columns(result) if c in present]
    normalized = [c for c in (*PAIR_COLUMNS, *LIMIT_COLUMNS, "remove") if c in present]
    technical = [c for c in STATUS_COLUMNS if c in present]
    return _unique([*first, *originals, *normalized, *technical, *present])


def retry_rows(result: pd.DataFrame) -> pd.Series:
    """Rows still to do: failed, invalid, or skipped because the run stopped."""
    _check_result(result)
    status = result["status"].astype("string")
    needed = status.isin(RETRY_STATUSES)
    if "error_code" in result.columns:
        code = result["error_code"].astype("string")
        needed |= (status == "skipped") & code.isin(list(_STOPPED_CODES))
    return needed.fillna(False).astype(bool)


def _errors_mask(result: pd.DataFrame) -> pd.Series:
    return result["status"].astype("string").isin(RETRY_STATUSES).fillna(False).astype(bool)


# --- Run settings (never the token) --------------------------------------------------------------


def _setting_text(key: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if "url" in key.lower():
        try:
            return urlsplit(str(value)).hostname or ""
        except ValueError:  # not a URL after all (e.g. a broken IPv6 host)
            return ""
    return str(value)


def _safe_settings(settings: Mapping[str, object] | None) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in (settings or {}).items():
        if _SECRET_KEY_RE.search(str(key)):
            continue
        label = str(key).replace("_", " ")
        if "url" in label.lower():
            label = re.sub("url", "URL host", label, flags=re.I)
        text = _setting_text(str(key), value)
        rows.append((_outgoing_text(label), _outgoing_text(text)))
    return rows


# --- Counts ----------------------------------------------------------------------------------


def _counts(result: pd.DataFrame) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Rows by status (contract order) and rows by error code (most first), from summarize."""
    if "error_code" not in result.columns:
        result = result.assign(error_code="")
    table = summarize(result)
    table = table.loc[table["status"] != "total"]
    by_status = table.groupby("status", sort=False)["rows"].sum()
    codes = table.loc[table["error_code"].fillna("").str.strip() != ""]
    by_code = codes.groupby("error_code", sort=False)["rows"].sum().sort_values(ascending=False)
    return (
        [(str(s), int(n)) for s, n in by_status.items()],
        [(str(c), int(n)) for c, n in by_code.items()],
    )


def _code_row(code: str, count: int) -> list[str | int]:
    try:
        info = CODE_INFO[ErrorCode(code)]
    except ValueError:
        return [code, count, "", "", ""]
    source = "the sheet" if info.source == "input" else "HubSpot"
    return [code, count, source, info.meaning, info.action]


# --- Tables streamed into the workbook -----------------------------------------------------------


@dataclass
class _Table:
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


def _fill(colour: str) -> PatternFill:
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
        cell.fill = _fill(colour)
    if quote:
        cell.quotePrefix = True
    if header:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _fill(HEADER_FILL)
        cell.alignment = Alignment(vertical="center")
    return int(cell.style_id)


def _width(series: pd.Series, header: str, cap: int) -> float:
    sample = series.head(_WIDTH_SAMPLE).dropna()
    longest = int(sample.astype(str).str.len().max()) if len(sample) else 0
    return float(min(max(longest, len(header), 6) + 2, cap))


def _prepare_sheet(ws: WriteOnlyWorksheet, table: _Table) -> _Styles:
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


def _ooxml(text: str) -> str:
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
    text = _ooxml(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def _text_cell(ref: str, text: str, style: int | None) -> str:
    s = f' s="{style}"' if style is not None else ""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape_xml(text)}</t></is></c>'


def _number_text(value: float | int) -> str | None:
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else str(value)
    return repr(value) if isinstance(value, float) else str(int(value))


def _cell_xml(ref: str, value: object, styles: Mapping[str, int] | None, quote: int) -> str:
    """One <c> element (empty string for an empty cell)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    style = styles.get(str(value)) if styles else None
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
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
    if style is None and text.startswith(_RISKY_FIRST):
        style = quote
    return _text_cell(ref, text, style)


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
        if style is None and value.startswith(_RISKY_FIRST):
            style = quote
        s = "" if style is None else f' s="{style}"'
        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
        append(f'<c r="{letter}{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>')
    return out


def _int_column(letter: str, values: list[Any], refs: list[str]) -> list[str]:
    return [
        "" if v is None else f'<c r="{letter}{ref}"><v>{int(v)}</v></c>'
        for v, ref in zip(values, refs, strict=True)
    ]


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
        return _int_column(letter, values, refs)
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
        raise RuntimeError(f"unexpected worksheet XML in {name}: no </sheetData>")
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
        partial = Path(tmp) / "out.xlsx"
        with (
            zipfile.ZipFile(skeleton) as source,
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
        ):
            for info in source.infolist():
                if info.filename in streamed:
                    frame, styles = streamed[info.filename]
                    _inject_rows(source, target, info.filename, _rows_xml(frame, styles))
                else:
                    target.writestr(info, source.read(info.filename))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(partial, path)


def _write_tables(
    path: Path, tables: Sequence[_Table], build_first: Callable[[Workbook], None] | None = None
) -> None:
    """Write a workbook: ``build_first`` adds small sheets, then one sheet per table."""
    wb = Workbook(write_only=True)
    if build_first is not None:
        build_first(wb)
    streamed: dict[str, tuple[pd.DataFrame, _Styles]] = {}
    for given in tables:
        table = replace(given, frame=_outgoing(given.frame))
        ws = wb.create_sheet(_sheet_title(table.title))
        styles = _prepare_sheet(ws, table)
        # openpyxl names sheet parts xl/worksheets/sheetN.xml in workbook order, from 1.
        streamed[f"xl/worksheets/sheet{wb.worksheets.index(ws) + 1}.xml"] = (table.frame, styles)
    _save_with_tables(wb, path, streamed)


def _sheet_title(title: str) -> str:
    """A valid Excel sheet name (sheet names are never evaluated: no formula guard needed)."""
    title = _OOXML_ESCAPE.sub("_", _outgoing_text(title))
    return _SHEET_TITLE_BAD.sub("_", title).strip("'")[:31] or "Sheet"


# --- The Summary sheet ---------------------------------------------------------------------------


def _summary_cell(ws: WriteOnlyWorksheet, value: str | int | None, *, bold: bool = False) -> object:
    """A Summary cell: text always as text (never a formula), numbers as numbers."""
    if value is None or (isinstance(value, int) and not bold):
        return value
    if isinstance(value, int):
        cell = WriteOnlyCell(ws, value=value)
    else:
        value = _outgoing_text(value)
        cell = WriteOnlyCell(ws, value=_ooxml(value))
        cell.data_type = "s"
        if needs_escaping(value):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _coloured(ws: WriteOnlyWorksheet, value: str, colour: str | None) -> object:
    cell = _summary_cell(ws, value)
    if colour and isinstance(cell, Cell):
        cell.fill = _fill(colour)
    return cell


@dataclass
class _SummaryData:
    settings: list[tuple[str, str]]
    statuses: list[tuple[str, int]]
    codes: list[tuple[str, int]]
    total: int


def _summary_data(result: pd.DataFrame, settings: Mapping[str, object] | None) -> _SummaryData:
    meta = _meta(result)
    base: dict[str, object] = {"kind": meta.get("kind"), "source": meta.get("source")}
    merged = {k: v for k, v in base.items() if v is not None} | dict(settings or {})
    statuses, codes = _counts(result)
    return _SummaryData(
        settings=_safe_settings(merged),
        statuses=statuses,
        codes=codes,
        total=len(result),
    )


def _status_chart(ws: WriteOnlyWorksheet, data: _SummaryData, header_row: int) -> None:
    from openpyxl.chart.marker import DataPoint

    last = header_row + len(data.statuses)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Rows by status"
    chart.y_axis.title = "Rows"
    chart.legend = None
    chart.add_data(
        Reference(ws, min_col=2, min_row=header_row, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    series = chart.series[0]
    for i, (status, _count) in enumerate(data.statuses):
        point = DataPoint(idx=i)
        point.graphicalProperties.solidFill = STATUS_COLOURS.get(status, "A6A6A6")
        point.graphicalProperties.line.solidFill = "7F7F7F"
        series.dPt.append(point)
    chart.width, chart.height = 15, 8
    ws.add_chart(chart, "D3")


def _build_summary(wb: Workbook, data: _SummaryData) -> None:
    ws = wb.create_sheet("Summary")
    for letter, width in zip("ABCDE", (26, 14, 12, 60, 70), strict=True):
        ws.column_dimensions[letter].width = width
    title = WriteOnlyCell(ws, value="hubframe report")
    title.font = Font(bold=True, size=14)
    rows: list[list[object]] = [[title], [], [_summary_cell(ws, "Run", bold=True)]]
    rows += [[_summary_cell(ws, k), _summary_cell(ws, v)] for k, v in data.settings]
    rows.append([])
    header_row = len(rows) + 1
    rows.append([_summary_cell(ws, "status", bold=True), _summary_cell(ws, "rows", bold=True)])
    rows += [[_coloured(ws, s, STATUS_COLOURS.get(s)), n] for s, n in data.statuses]
    rows.append([_summary_cell(ws, "total", bold=True), _summary_cell(ws, data.total, bold=True)])
    rows += [[] for _ in range(max(2, 20 - len(rows)))]  # keep the chart clear of the next table
    headings = ("error code", "rows", "comes from", "what it means", "what to do")
    rows.append([_summary_cell(ws, h, bold=True) for h in headings])
    if data.codes:
        rows += [[_summary_cell(ws, v) for v in _code_row(c, n)] for c, n in data.codes]
    else:
        rows.append([_summary_cell(ws, "No errors or warnings.")])
    for row in rows:
        ws.append(row)
    if data.statuses:
        _status_chart(ws, data, header_row)


# --- Public: reports -----------------------------------------------------------------------------


def _issues_frame(validation: pd.DataFrame | None) -> pd.DataFrame:
    if validation is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
    columns = [c for c in ISSUE_COLUMNS if c in validation.columns]
    columns += [str(c) for c in validation.columns if c not in columns and c != "position"]
    return validation.loc[:, columns].reset_index(drop=True)


def _csv_cell(value: object) -> object:
    if isinstance(value, str):
        return formula.guard(value)
    if isinstance(value, float | np.floating) and value == -np.inf:
        return formula.guard("-inf")
    return value


def _csv_column(column: pd.Series) -> pd.Series:
    """``column`` with risky text guarded (:func:`formula.guard`, vectorized for text)."""
    if pd.api.types.is_float_dtype(column):
        negative_infinity = (column == -np.inf).fillna(False).to_numpy(dtype=bool)
        if negative_infinity.any():  # written "-inf", which Excel would run as a formula
            return column.astype(object).where(~negative_infinity, formula.guard("-inf"))
        return column
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column
    if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        return column.astype(object).map(_csv_cell)
    text = column.astype("string")
    risky = text.str.match(formula.GUARDED_PATTERN).fillna(False) & ~text.str.fullmatch(
        formula.NUMBER.pattern
    ).fillna(False)
    if not bool(risky.any()):
        return column
    return text.where(~risky, "'" + text)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame = _outgoing(frame)
    safe = pd.DataFrame(
        {i: _csv_column(frame.iloc[:, i]) for i in range(len(frame.columns))}, index=frame.index
    )
    safe.columns = pd.Index([formula.guard(str(c)) for c in frame.columns], dtype=object)
    path.parent.mkdir(parents=True, exist_ok=True)
    # CRLF line ends (as Excel writes them) make the csv module quote cells holding a CR too.
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _target(path: PathLike) -> tuple[Path, str]:
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError(f"{target.name}: a report or retry file must end in .xlsx or .csv")
    return target, suffix


def export_report(
    result: pd.DataFrame,
    path: PathLike,
    *,
    validation: pd.DataFrame | None = None,
    settings: Mapping[str, object] | None = None,
) -> Path:
    """Write a result table as an Excel report (``.xlsx``) or the results alone (``.csv``).

    ``validation`` is the issues table of ``validate_pairs``/``validate_limits`` (shown on the
    Validation sheet); ``settings`` are the run's settings shown on the Summary sheet (keys
    such as ``api_version``, ``dry_run``, ``base_url``, ``started``, ``finished``; anything
    that looks like a secret is left out and a URL is shown as its host only).
    Returns the path written.
    """
    _check_result(result)
    target, suffix = _target(path)
    frame = result.loc[:, report_columns(result)].reset_index(drop=True)
    if suffix == ".csv":
        _write_csv(frame, target)
        return target
    colours = {"status": STATUS_COLOURS}
    tables = [
        _Table("Results", frame, colours),
        _Table("Errors", frame.loc[_errors_mask(frame)].reset_index(drop=True), colours),
        _Table(
            "Validation", _issues_frame(validation), {"severity": SEVERITY_COLOURS}, max_width=80
        ),
    ]
    data = _summary_data(result, settings)
    _write_tables(target, tables, lambda wb: _build_summary(wb, data))
    return target


# --- Public: retry files -------------------------------------------------------------------------


def _split_id_columns(result: pd.DataFrame) -> dict[str, str]:
    """Original header -> normalized id column, for the headers that hold record ids."""
    column_map = _meta(result).get("column_map") or {}
    return {
        str(header): str(canonical)
        for header, canonical in column_map.items()
        if canonical in ("from_id", "to_id") and header in result.columns
    }


def _rejoin_split_ids(result: pd.DataFrame, todo: pd.DataFrame) -> pd.DataFrame:
    """One retry row per source row; a ';' list of ids keeps only the ids still to do."""
    keys = ["sheet", "row"]
    if todo.empty or not set(keys) <= set(todo.columns):
        return todo
    source_rows = result.groupby(keys, sort=False, dropna=False)
    if int(source_rows.size().max()) <= 1:
        return todo
    out = todo.drop_duplicates(subset=keys, keep="first").copy()
    index = pd.MultiIndex.from_frame(out[keys])
    for header, canonical in _split_id_columns(result).items():
        varies = source_rows[canonical].nunique(dropna=False) > 1  # this cell was split
        joined = (
            todo.astype({canonical: "string"})
            .groupby(keys, sort=False, dropna=False)[canonical]
            .agg(lambda ids: ";".join(dict.fromkeys(ids.dropna())))
        )
        rebuild = index.isin(varies[varies].index)
        out.loc[rebuild, header] = joined.reindex(index[rebuild]).to_numpy()
    return out


def _retry_table(result: pd.DataFrame) -> pd.DataFrame:
    columns = original_columns(result)
    todo = _rejoin_split_ids(result, result.loc[retry_rows(result)])
    layout = pd.DataFrame(index=todo.index)
    for name in columns:
        layout[name] = todo[name] if name in todo.columns else pd.Series(pd.NA, index=todo.index)
    if "sheet" in todo.columns:
        layout.attrs["sheets"] = todo["sheet"].astype("string").fillna("").tolist()
    layout = layout.reset_index(drop=True)
    written = _meta(result).get("written_headers") or {}
    layout.columns = pd.Index([str(written.get(c, c)) for c in columns], dtype=object)
    return layout  # headers as the sheet wrote them (repeats, empty ones, "status" included)


def _retry_sheets(result: pd.DataFrame, table: pd.DataFrame) -> list[_Table]:
    sheets: list[str] = table.attrs.get("sheets", [])
    names = list(dict.fromkeys(sheets))
    source = str(_meta(result).get("source", ""))
    from_excel = source.lower().endswith((".xlsx", ".xlsm"))
    if len(names) <= 1:
        title = names[0] if names and from_excel else "Retry"
        return [_Table(title, table)]
    labels = pd.Series(sheets, dtype="string")
    return [
        _Table(name, table.loc[(labels == name).to_numpy()].reset_index(drop=True))
        for name in names
    ]


def export_retry(result: pd.DataFrame, path: PathLike) -> Path:
    """Write the rows still to do in the layout of the uploaded sheet (``.xlsx`` or ``.csv``).

    Failed and invalid rows, and rows a stopped run never sent, with the analyst's columns in
    their original order and their original cell values, so ``read_pairs``/``read_limits``
    read the file back.  A cell that held several ids (``"1;2;3"``) keeps only the ids still
    to do.  From a multi-sheet workbook the ``.xlsx`` retry file has one sheet per source sheet
    (read it back with ``sheet="*"``).  Returns the path written.
    """
    _check_result(result)
    target, suffix = _target(path)
    table = _retry_table(result)
    if suffix == ".csv":
        _write_csv(table, target)
    else:
        _write_tables(target, _retry_sheets(result, table))
    return target
