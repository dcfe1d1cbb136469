"""Spreadsheet error values (``#N/A``, ``#REF!`` ...): found, kept, and named.

A cell whose formula failed holds an error, not a value: a VLOOKUP that found no label gives
``#N/A``.  python-calamine reads such a cell as empty text, and an empty label cell means "no
label": the pair would be associated without the label the analyst meant, and reported done.
So the workbook reader finds the error cells in the sheet's XML (:func:`error_cells`) and puts
their text back, and validation refuses every cell that holds one (:func:`error_mask`), whether
it came from a workbook or from a CSV file Excel or Google Sheets wrote (they write the error's
text).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.io.text import TEXT, BoolArray, Text, bool_array, chunked

#: Error values Excel, Google Sheets and LibreOffice write (LibreOffice also writes Err:502).
ERROR_TEXTS: Final = (
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#DIV/0!",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#PYTHON!",
    "#GETTING_DATA",
    "#ERROR!",
)
UNKNOWN_ERROR: Final = "#ERROR!"  # the text of an error cell that does not say which
_OFFICE_ERROR: Final = r"^ERR:[0-9]{3}$"
_WHY: Final = {
    "#N/A": "a lookup such as VLOOKUP, XLOOKUP or MATCH found no match",
    "#REF!": "the formula refers to cells that were deleted",
    "#VALUE!": "the formula was given a value of the wrong kind",
    "#NAME?": "the formula uses a name or function the spreadsheet does not know",
    "#DIV/0!": "the formula divides by zero",
}

# An error cell's start tag (t="e"), with any namespace prefix; its value follows in <v>.
_ERROR_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bt\s*=\s*[\"']e[\"'][^>]*>")
_CELL_REF = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]{0,64})</(?:[A-Za-z_][\w.-]*:)?v>")
_ERROR_MARKS: Final = (b't="e"', b"t='e'")
_PREFIXED_FORMULA: Final = (b":f>", b":f ")
_MARKS: Final = (*_ERROR_MARKS, b"<f>", b"<f ", *_PREFIXED_FORMULA)
# A formula not followed by a computed value (a fast first look; unprefixed XML, as Excel,
# LibreOffice and openpyxl write it): only these need a closer look.
_SUSPECT = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)(?!<v>[^<])")
# A formula's start tag; the cell's start tag is the tag just before it (CT_Cell: f, v, is).
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(?:\s[^>]*)?/?>")
_FORMULA_TEXT = re.compile(rb"([^<]{0,200})</(?:[A-Za-z_][\w.-]*:)?f>")
_TYPE = re.compile(rb"\bt\s*=\s*[\"']([a-zA-Z]+)[\"']")
_ANY_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)</(?:[A-Za-z_][\w.-]*:)?v>")
_EMPTY_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\s*/>|<(?:[A-Za-z_][\w.-]*:)?v>\s*</")
UNCOMPUTED: Final = "="  # how the text of a formula cell without a computed value starts


@dataclass(frozen=True)
class ErrorCell:
    """An error cell of a sheet: 1-based row and column, and the error's text."""

    row: int
    column: int
    text: str


def may_hold_errors(data: bytes) -> bool:
    """False when no part of the (stored) workbook can hold an error cell: the usual case,
    decided by one scan of the bytes."""
    return any(mark in data for mark in _MARKS)


def error_cells(part: bytes) -> list[ErrorCell] | None:
    """The error cells of a sheet part (its XML); None when one has no cell reference, so it
    cannot be placed (the caller then reads the sheet with an engine that keeps errors)."""
    found: list[ErrorCell] = []
    if not any(mark in part for mark in _ERROR_MARKS):
        return found
    for tag in _ERROR_TAG.finditer(part):
        ref = _CELL_REF.search(tag.group(0))
        if ref is None:
            return None
        found.append(ErrorCell(int(ref.group(2)), _column(ref.group(1)), _value(part, tag)))
    return found


def uncomputed_cells(part: bytes) -> list[ErrorCell]:
    """Formula cells without a computed value (a workbook written by a program and never saved
    by a spreadsheet app): their text is ``=`` and the formula.  A cell that computed empty
    text keeps its (empty) value.  ValueError when such a cell has no cell reference."""
    prefixed = any(mark in part for mark in _PREFIXED_FORMULA)
    found: list[ErrorCell] = []
    for formula in (_FORMULA if prefixed else _SUSPECT).finditer(part):
        opened = part.find(b">", formula.start()) + 1  # the end of the formula's start tag
        start = part.rfind(b"<", 0, formula.start())
        tag = part[start : formula.start()]
        close = _CLOSE.search(part, opened)
        if not _uncomputed(part, tag, opened, close.start() if close else len(part)):
            continue
        ref = _CELL_REF.search(tag)
        if ref is None:
            raise ValueError("a formula cell without a value or a cell reference")
        text = _formula(part, part[formula.start() : opened], opened)
        found.append(ErrorCell(int(ref.group(2)), _column(ref.group(1)), text))
    return found


def _uncomputed(part: bytes, tag: bytes, begin: int, end: int) -> bool:
    kind = _TYPE.search(tag)
    cell_type = kind.group(1) if kind is not None else b"n"
    if cell_type == b"e":
        return False  # an error cell: error_cells reads it
    value = _ANY_VALUE.search(part, begin, end)
    if value is not None and value.group(1).strip():
        return False
    empty = value is not None or _EMPTY_VALUE.search(part, begin, end) is not None
    return not (empty and cell_type in (b"str", b"s", b"inlineStr"))  # computed empty text


def _formula(part: bytes, start_tag: bytes, opened: int) -> str:
    if start_tag.endswith(b"/>"):
        return UNCOMPUTED + "(shared formula)"
    text = _FORMULA_TEXT.match(part, opened)
    body = html.unescape(text.group(1).decode("utf-8", "replace")).strip() if text else ""
    return UNCOMPUTED + (body or "(formula)")


def _value(part: bytes, tag: re.Match[bytes]) -> str:
    if tag.group(0).endswith(b"/>"):
        return UNKNOWN_ERROR
    close = _CLOSE.search(part, tag.end())
    value = _VALUE.search(part, tag.end(), close.start() if close else len(part))
    text = html.unescape(value.group(1).decode("utf-8", "replace")).strip() if value else ""
    return text or UNKNOWN_ERROR


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def place(
    cells: list[list[object]], errors: list[ErrorCell], first_row: int, first_col: int
) -> None:
    """Write the errors' text into a grid whose ``cells[0][0]`` is (``first_row``,
    ``first_col``), both 1-based; errors outside the grid (rows not read) are left."""
    for error in errors:
        r, c = error.row - first_row, error.column - first_col
        if 0 <= r < len(cells) and 0 <= c < len(cells[r]):
            cells[r][c] = error.text


def is_error_text(value: str) -> bool:
    """True for a cell that holds a spreadsheet error's text (``#N/A``, ``Err:502``) or a
    formula instead of its value (``=VLOOKUP(...)``)."""
    text = value.strip().upper()
    return (
        text in ERROR_TEXTS
        or re.fullmatch(_OFFICE_ERROR, text) is not None
        or text.startswith(UNCOMPUTED)
    )


def error_mask(text: Text) -> BoolArray:
    """True where a cell holds a spreadsheet error's text (edge spaces and case ignored)."""
    column = chunked(text)
    if not any(_may_hold(chunk) for chunk in column.chunks):
        return np.zeros(len(column), dtype=bool)
    folded = pc.utf8_upper(pc.utf8_trim_whitespace(column))
    named = pc.is_in(folded, value_set=pa.array(ERROR_TEXTS, type=TEXT))
    office = pc.match_substring_regex(folded, _OFFICE_ERROR)
    formula = pc.starts_with(folded, UNCOMPUTED)
    return bool_array(pc.or_kleene(pc.or_kleene(named, office), formula))


def _may_hold(chunk: pa.Array) -> bool:
    """False when no cell of a text chunk can be an error's text or a formula: no '#', ':' nor
    '=' in its bytes (a byte search of the data buffer, not a string function per cell)."""
    data = chunk.buffers()[2] if len(chunk) else None
    if data is None:
        return False
    raw = data.to_pybytes()
    return bool(raw.find(b"#") >= 0 or raw.find(b":") >= 0 or raw.find(b"=") >= 0)


def explain(value: str) -> tuple[str, str]:
    """(what the cell holds, what to do), in words, for a cell :func:`is_error_text` flags."""
    if value.strip().startswith(UNCOMPUTED):
        return (
            "is a formula whose value was never computed (a program wrote the workbook and no "
            "spreadsheet app has saved it since, or a CSV file holds the formula)",
            "Open the file in Excel or LibreOffice, save it, and run the sheet again.",
        )
    why = _WHY.get(value.strip().upper(), "the formula in it failed")
    return (
        f"is a spreadsheet error, not a value: {why}",
        "Fix the formula (or type the value) in the spreadsheet, save, and run the sheet again.",
    )


__all__ = [
    "ERROR_TEXTS",
    "ErrorCell",
    "error_cells",
    "error_mask",
    "explain",
    "is_error_text",
    "may_hold_errors",
    "place",
    "uncomputed_cells",
]
