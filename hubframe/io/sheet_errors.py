"""Spreadsheet error values (``#N/A``, ``#REF!`` ...): found, kept, and named.

A cell whose formula failed holds an error, not a value: a VLOOKUP that found no label gives
``#N/A``.  python-calamine reads such a cell as empty text, and an empty label cell means "no
label": the pair would be associated without the label the analyst meant, and reported done.
So the workbook reader finds the error cells in the sheet's XML (:func:`error_cells`) and puts
their text back, and validation refuses every cell that holds one (:func:`error_mask`), whether
it came from a workbook or from a CSV file Excel or Google Sheets wrote (they write the error's
text).  A formula without a computed value (a workbook a program wrote: openpyxl, pandas'
``to_excel``) is read as empty too; :func:`uncomputed_cells` finds those, and their text is the
formula (``=VLOOKUP(...)``), refused the same way.

Every search in a sheet part is bounded and moves forward only (:class:`_Cells`), and
:func:`place` stops past the sheet's size: a crafted part costs time in proportion to the
sheet, never the square of its size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import ERROR_TEXTS, OFFICE_ERROR
from hubframe.io.text import TEXT, BoolArray, Text, bool_array, chunked
from hubframe.io.xmltags import (
    PREFIX,
    SPACE,
    Tags,
    attribute,
    column_number,
    marked_tags,
    opening,
)

UNKNOWN_ERROR: Final = "#ERROR!"  # the text of an error cell that does not say which
_OFFICE_ERROR: Final = rf"^{OFFICE_ERROR}$"
_WHY: Final = {
    "#N/A": "a lookup such as VLOOKUP, XLOOKUP or MATCH found no match",
    "#REF!": "the formula refers to cells that were deleted",
    "#VALUE!": "the formula was given a value of the wrong kind",
    "#NAME?": "the formula uses a name or function the spreadsheet does not know",
    "#DIV/0!": "the formula divides by zero",
}


_CELL_TAG = re.compile(rb"<" + PREFIX + rb"c[\s>/]")  # a cell's start tag
_CLOSE = re.compile(rb"</" + PREFIX + rb"c" + SPACE + rb"*>")
_FORMULA_START = re.compile(rb"<" + PREFIX + rb"f[\s>/]")
_FORMULA_END = re.compile(rb"</" + PREFIX + rb"f" + SPACE + rb"*>")
_CELL_REF = re.compile(opening(b"r") + rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_V_OPEN: Final = rb"<" + PREFIX + rb"v" + SPACE + rb"*>"
_V_CLOSE: Final = rb"</" + PREFIX + rb"v" + SPACE + rb"*>"
_VALUE = re.compile(_V_OPEN + rb"([^<]{0,64})" + _V_CLOSE)
_FORMULA_TEXT = re.compile(rb"([^<]{0,200})" + _FORMULA_END.pattern)
_TYPE = attribute(b"t", rb"[a-zA-Z]+")
_ANY_VALUE = re.compile(_V_OPEN + rb"([^<]*)" + _V_CLOSE)
_EMPTY_VALUE = re.compile(rb"<" + PREFIX + rb"v" + SPACE + rb"*/>|" + _V_OPEN + SPACE + rb"*</")
_ERROR_TYPE = attribute(b"t", rb"e")  # an error cell's type, however it is written
_ERROR_VALUES: Final = (b'"e"', b"'e'")  # what every way of writing it holds
#: Formulas written otherwise than ``<f>`` or ``<f `` (a prefix, a line break after the name):
#: the quick count of formulas and their values does not see them.
_OTHER_FORMULAS = re.compile(rb":f[\s>/]|<f[\t\n\r]")
_SPACED_FORMULA_END = re.compile(rb"</f[ \t\n\r]")
_EMPTY_VALUES: Final = (b"<v></v>", b"<v/>", b"<v />")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]{0,32}:(?:worksheet|sheetData|row|c)[\s>]")
HEAD: Final = 1 << 16  # the start of a part, where its root element declares its style
UNCOMPUTED: Final = "="  # how the text of a formula cell without a computed value starts


@dataclass(frozen=True)
class ErrorCell:
    """An error cell of a sheet: 1-based row and column, and the error's text."""

    row: int
    column: int
    text: str


class Unplaceable(ValueError):
    """An error cell (``formula`` False) or a formula cell without a value (True) that has no
    cell reference, so its place in the grid is unknown."""

    def __init__(self, formula: bool) -> None:
        super().__init__("a cell without a cell reference")
        self.formula = formula


class _Cells:
    """Bounded, forward-only searches in a sheet part.  Positions asked for only grow, so each
    of the part's bytes is searched a bounded number of times: a crafted part costs time in
    proportion to its size, never its square."""

    def __init__(self, part: bytes) -> None:
        self.part = part
        self._close = self._next_cell = -1

    def end(self, pos: int) -> int:
        """Where the cell whose content starts at ``pos`` ends: its closing tag, or the next
        cell when it has none."""
        if self._close < pos:
            self._close = _found(_CLOSE.search(self.part, pos), len(self.part))
        if self._next_cell < pos:
            self._next_cell = _found(_CELL_TAG.search(self.part, pos), len(self.part))
        return min(self._close, self._next_cell)


def _found(match: re.Match[bytes] | None, default: int) -> int:
    return match.start() if match is not None else default


def may_hold_errors(part: bytes) -> bool:
    """False when a sheet part (its XML) holds no error cell and no formula: the usual case,
    decided by byte searches.  Every way of writing an error cell's type holds ``"e"`` or
    ``'e'``; a formula ends with ``</f>``, or a prefixed or spaced end tag (prefixes are looked
    for when the part's start uses them: a writer keeps one style)."""
    if any(value in part for value in _ERROR_VALUES) or b"</f>" in part:
        return True
    if _PREFIXED.search(part, 0, HEAD) is not None and b":f" in part:
        return True
    return _SPACED_FORMULA_END.search(part) is not None


def error_cells(part: bytes) -> Iterator[ErrorCell]:
    """The error cells of a sheet part (its XML), in the part's order.  Raises
    :class:`Unplaceable` (formula False) for one without a cell reference."""
    cells = _Cells(part)
    for start, end in marked_tags(part, _ERROR_TYPE, _CELL_TAG):
        yield _error_cell(cells, start, end)


def _unescaped(xml_text: bytes) -> str:
    """An XML text node's text, trimmed (``html`` loads with the first workbook read)."""
    import html

    return html.unescape(xml_text.decode("utf-8", "replace")).strip()


def _error_cell(cells: _Cells, start: int, end: int) -> ErrorCell:
    part = cells.part
    ref = _CELL_REF.search(part, start, end)
    if ref is None:
        raise Unplaceable(formula=False)
    text = ""
    if part[end - 2 : end] != b"/>":
        value = _VALUE.search(part, end, cells.end(end))
        text = _unescaped(value.group(1)) if value else ""
    return ErrorCell(int(ref.group(2)), column_number(ref.group(1)), text or UNKNOWN_ERROR)


def uncomputed_cells(part: bytes, *, placeholders: bool = False) -> Iterator[ErrorCell]:
    """Formula cells without a computed value (a workbook written by a program and never saved
    by a spreadsheet app): their text is ``=`` and the formula.  A cell that computed empty
    text keeps its (empty) value.  ``placeholders``: a number value of 0 is not a computed
    value either (a workbook that asks to be computed when opened, as XlsxWriter writes every
    formula).  Raises :class:`Unplaceable` (formula True) for such a cell without a cell
    reference."""
    if not placeholders and _all_computed(part):
        return
    cells = _Cells(part)
    tags = Tags(part)
    for formula in _FORMULA_START.finditer(part):
        cell = tags.before(formula.start(), _CELL_TAG)
        own = tags.before(formula.start() + 1, _FORMULA_START)
        if cell is None or own is None or cell[1] > formula.start():
            continue
        opened = own[1]
        cell_tag = part[cell[0] : cell[1]]
        if not _uncomputed(part, cell_tag, opened, cells.end(opened), placeholders):
            continue
        ref = _CELL_REF.search(cell_tag)
        if ref is None:
            raise Unplaceable(formula=True)
        text = _formula(part, part[formula.start() : opened], opened)
        yield ErrorCell(int(ref.group(2)), column_number(ref.group(1)), text)


def _all_computed(part: bytes) -> bool:
    """True when every formula of an unprefixed part is followed by a non-empty value (as a
    spreadsheet app saves them), counted at C speed: the usual case needs no closer look."""
    if _OTHER_FORMULAS.search(part) is not None:
        return False
    formulas = part.count(b"<f>") + part.count(b"<f ") + part.count(b"<f/")
    if not formulas:
        return True
    valued = part.count(b"</f><v>") + part.count(b"/><v>")
    return formulas == valued and not any(empty in part for empty in _EMPTY_VALUES)


def _uncomputed(part: bytes, tag: bytes, begin: int, end: int, placeholders: bool) -> bool:
    kind = _TYPE.search(tag)
    cell_type = kind.group(1) if kind is not None else b"n"
    if cell_type == b"e":
        return False  # an error cell: error_cells reads it
    value = _ANY_VALUE.search(part, begin, end)
    if value is not None and value.group(1).strip():
        return placeholders and cell_type == b"n" and value.group(1).strip() == b"0"
    empty = value is not None or _EMPTY_VALUE.search(part, begin, end) is not None
    return not (empty and cell_type in (b"str", b"s", b"inlineStr"))  # computed empty text


def _formula(part: bytes, start_tag: bytes, opened: int) -> str:
    if start_tag.endswith(b"/>"):
        return UNCOMPUTED + "(shared formula)"
    text = _FORMULA_TEXT.match(part, opened)
    body = _unescaped(text.group(1)) if text else ""
    return UNCOMPUTED + (body or "(formula)")


class TooMany(ValueError):
    """The part names more error or formula cells than its sheet can hold: a crafted or
    damaged file (each such cell is a cell of the sheet)."""


def place(
    cells: list[list[object]],
    errors: Iterable[ErrorCell],
    first_row: int,
    first_col: int,
    most: int,
    rows: int | None = None,
) -> None:
    """Write the errors' text into a grid whose ``cells[0][0]`` is (``first_row``,
    ``first_col``), both 1-based.  The grid grows to hold a cell below or right of it (calamine
    leaves out a row whose only cells are formulas without a value), except past the ``rows``
    read (a sheet's first rows only); ValueError (:class:`Unplaceable`) for one above or left
    of it.  Raises :class:`TooMany` past ``most`` errors, so the scan's work is bounded by the
    sheet's size, not by how often a crafted part repeats one cell."""
    width = len(cells[0]) if cells else 0
    for count, error in enumerate(errors, start=1):
        if count > most:
            raise TooMany(f"more than {most:,} error or formula cells")
        r, c = error.row - first_row, error.column - first_col
        if r < 0 or c < 0:
            raise Unplaceable(formula=error.text.startswith(UNCOMPUTED))
        if rows is not None and r >= rows:
            continue
        while len(cells) <= r:
            cells.append([""] * width)
        row = cells[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        row[c] = error.text


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


def explain(value: str, *, in_frame: bool = False) -> tuple[str, str]:
    """(what the cell holds, what to do), in words, for a cell :func:`is_error_text` flags;
    ``in_frame``: a cell of a DataFrame given as the sheet, which holds text, not a file's
    formula (pandas reads a workbook's error cell as its text)."""
    why = _WHY.get(value.strip().upper(), "the formula in it failed")
    if in_frame:
        if value.strip().startswith(UNCOMPUTED):
            return (
                "is the text of a formula, not a value",
                "Put the value in the DataFrame's cell, and run it again.",
            )
        return (
            f"is a spreadsheet error's text, not a value ({why}, in the spreadsheet the "
            "DataFrame was read from)",
            "Put the value in the DataFrame's cell (or fix the formula in that spreadsheet and "
            "read it again), and run it again.",
        )
    if value.strip().startswith(UNCOMPUTED):
        return (
            "is a formula whose value was never computed (a program wrote the workbook and no "
            "spreadsheet app has saved it since, or a CSV file holds the formula)",
            "Open the file in Excel or LibreOffice, save it, and run the sheet again.",
        )
    return (
        f"is a spreadsheet error, not a value: {why}",
        "Fix the formula (or type the value) in the spreadsheet, save, and run the sheet again.",
    )


__all__ = [
    "ERROR_TEXTS",
    "ErrorCell",
    "TooMany",
    "Unplaceable",
    "error_cells",
    "error_mask",
    "explain",
    "is_error_text",
    "may_hold_errors",
    "place",
    "uncomputed_cells",
]
