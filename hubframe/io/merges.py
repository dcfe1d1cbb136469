"""Cells merged down one column: their value, in every row they cover.

A label merged over the three contacts it applies to is shown in all three rows, and the
workbook holds it in the first cell only: read as the file holds it, two of the three pairs
would be associated without the label.  The ranges come from python-calamine
(``merged_cell_ranges``) or, when openpyxl reads the sheet, from the sheet's XML
(:func:`xml_merges`: openpyxl's read-only mode gives none).  Excel never writes overlapping
ranges; a sheet that has them is damaged (:class:`Overlap`), and ranges are filled once each,
so a crafted list of ranges costs time in proportion to the sheet, not to ranges x rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from hubframe.io.cells import one_cell_text
from hubframe.io.guard import column_letters
from hubframe.io.xmltags import PREFIX, column_number

#: A range merged down one column: first and last row, and column (Excel numbers, 1-based),
#: and the column's index in the grid's rows.
Merge = tuple[int, int, int, int]

_REF: Final = rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"
_MERGE = re.compile(rb"<" + PREFIX + rb"mergeCell\s+ref\s*=\s*[\"']" + _REF + rb":" + _REF)


class Overlap(ValueError):
    """Two merged ranges of one column share a cell: the sheet is damaged."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")
        self.first, self.second = first, second


def vertical(ranges: Iterable[tuple[int, int, int, int]], first_col: int) -> list[Merge]:
    """The ranges (top, left, bottom, right; 1-based) that span rows of one column, as
    :data:`Merge` for a grid whose first column is ``first_col`` (1-based)."""
    return [
        (top, bottom, left, left - first_col)
        for top, left, bottom, right in ranges
        if left == right and bottom > top and left >= first_col
    ]


def xml_merges(part: bytes) -> list[Merge]:
    """The ranges merged down one column that a sheet part (its XML) lists, for a grid that
    starts at column A (``<mergeCell ref="C2:C4"/>``)."""
    if b"mergeCell" not in part:
        return []
    found = (
        (int(m.group(2)), column_number(m.group(1)), int(m.group(4)), column_number(m.group(3)))
        for m in _MERGE.finditer(part)
    )
    return vertical(found, 1)


def fill_merged(body: list[list[Any]], merged: Iterable[Merge], first: int) -> list[str]:
    """Fill the empty cells each range covers below its first with that cell's value, for
    ranges below the header (``first``: the Excel row of ``body[0]``).  A range reaching
    below the sheet's last row with cells is filled down to that row (the rows below hold
    nothing else and are not read).  Returns the ranges filled ("C2:C4"); raises
    :class:`Overlap` for two ranges sharing a cell (a range listed twice is one range)."""
    filled: list[str] = []
    reach: dict[int, tuple[int, str]] = {}  # column index -> last row of the range before
    for top, bottom, column, index in sorted(set(merged), key=lambda m: (m[3], m[0], m[1])):
        name = f"{column_letters(column)}{top}:{column_letters(column)}{bottom}"
        before = reach.get(index)
        if before is not None and top <= before[0]:
            raise Overlap(before[1], name)
        reach[index] = (bottom, name)
        if _fill(body, top - first, bottom - first, index):
            filled.append(name)
    return filled


def _fill(body: list[list[Any]], start: int, stop: int, index: int) -> bool:
    if start < 0 or start >= len(body) or index >= len(body[start]):
        return False
    value = body[start][index]
    if not one_cell_text(value).strip():
        return False
    for row in body[start + 1 : min(stop, len(body) - 1) + 1]:
        if len(row) <= index:  # a short row (openpyxl leaves trailing empty cells out)
            row.extend([None] * (index + 1 - len(row)))
        if not one_cell_text(row[index]).strip():
            row[index] = value
    return True


__all__ = ["Merge", "Overlap", "fill_merged", "vertical", "xml_merges"]
