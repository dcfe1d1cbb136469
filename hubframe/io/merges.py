"""Merged cells, read as the sheet shows them: the first cell's value over the whole range.

A label merged over the three contacts it applies to is shown in all three rows, and the
workbook holds it in the first cell only: read as the file holds it, two of the three pairs
would be associated without the label.  The cells a merge covers show nothing of their own,
whatever the file keeps in them (LibreOffice's "keep the contents of the hidden cells" leaves
their old values there, unseen): a covered cell is never read as what it holds.

So, for a range whose first (top-left) cell is in the rows read:

* its first column reads the first cell's value in every row the range covers;
* the other columns it covers read as empty: the sheet shows the value across them, not a
  value of their own.  Whether that is a value of theirs is the reader's call
  (:func:`spans`: a value shown across two columns hubframe reads, a deal id across the
  contact id column, is refused there, since reading it into both would invent an id and
  reading it into one is a guess);

and a range that starts above the rows read (a title, the header merged down) shows their
cells nothing of their own: they read as empty.

The ranges come from python-calamine (``merged_cell_ranges``) or the sheet's XML
(:func:`xml_merges`: openpyxl's read-only mode gives none).  Excel never writes overlapping
ranges; a sheet whose rows read have them is damaged (:class:`Overlap`), and ranges are filled
once each, so a crafted list of ranges costs time in proportion to the sheet, not to ranges x
rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from hubframe.io.cells import one_cell_text
from hubframe.io.xmltags import PREFIX, SPACE, column_letters, column_number, opening

#: A merged range: top, left, bottom and right (Excel numbers, 1-based).
Merge = tuple[int, int, int, int]

_REF: Final = rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"
_MERGE = re.compile(
    rb"<" + PREFIX + rb"mergeCell" + SPACE + rb"[^<>]*?" + opening(b"ref") + _REF + rb":" + _REF
)


class Overlap(ValueError):
    """Two merged ranges share a cell of the rows read: the sheet is damaged."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")
        self.first, self.second = first, second


@dataclass(frozen=True)
class Span:
    """A range across several columns whose first cell, in the rows read, shows a value:
    its name ("B5:C5"), the value, and the grid indexes of its first and other columns."""

    name: str
    value: Any
    first: int
    others: tuple[int, ...]


@dataclass
class Filled:
    """What :func:`fill_merged` did: the ranges read into every row they cover ("C2:C4"),
    and the ranges across several columns that show a value (:class:`Span`)."""

    names: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def ranges(found: Iterable[tuple[int, int, int, int]]) -> list[Merge]:
    """The ranges (top, left, bottom, right; 1-based) that cover more than one cell, each
    once, in the order they are filled (by first column, then row)."""
    merged = {
        (top, left, bottom, right)
        for top, left, bottom, right in found
        if bottom >= top and right >= left and (bottom > top or right > left)
    }
    return sorted(merged, key=lambda m: (m[1], m[0], m[2], m[3]))


def xml_merges(part: bytes) -> list[Merge]:
    """The merged ranges a sheet part (its XML) lists (``<mergeCell ref="C2:D4"/>``)."""
    if b"mergeCell" not in part:
        return []
    found = (
        (int(m.group(2)), column_number(m.group(1)), int(m.group(4)), column_number(m.group(3)))
        for m in _MERGE.finditer(part)
    )
    return ranges(found)


def name(merge: Merge) -> str:
    """'C2:D4'."""
    top, left, bottom, right = merge
    return f"{column_letters(left)}{top}:{column_letters(right)}{bottom}"


def fill_merged(
    body: list[list[Any]], merged: Iterable[Merge], first: int, first_col: int = 1, width: int = 0
) -> Filled:
    """Read the cells each range covers in ``body`` as the sheet shows them (see the module):
    ``first`` is the Excel row of ``body[0]``, ``first_col`` the Excel column of its cells'
    first, ``width`` how many columns are read (0: as wide as the widest row).  A range
    reaching below the last row or right of the columns read is filled as far as they go.
    Raises :class:`Overlap` for two ranges sharing a cell there (a range listed twice is one
    range)."""
    merged = ranges(merged)
    done = Filled()
    if not body or not merged:
        return done
    width = width or max(len(row) for row in body)
    owner: np.ndarray[Any, np.dtype[np.int32]] | None = None
    for number, merge in enumerate(merged):
        top, left, bottom, right = merge
        start, stop = max(top, first) - first, min(bottom - first, len(body) - 1)
        low, high = max(left, first_col) - first_col, min(right - first_col, width - 1)
        if start > stop or low > high:
            continue  # outside the rows or columns read
        if owner is None:
            owner = np.full((len(body), width), -1, dtype=np.int32)
        block = owner[start : stop + 1, low : high + 1]
        if (block >= 0).any():
            raise Overlap(name(merged[int(block.max())]), name(merge))
        block[...] = number
        _fill(body, merge, first, first_col, (start, stop, low, high), done)
    return done


def _fill(
    body: list[list[Any]],
    merge: Merge,
    first: int,
    first_col: int,
    clipped: tuple[int, int, int, int],
    done: Filled,
) -> None:
    top, left, bottom, _ = merge
    start, stop, low, high = clipped
    origin = (top - first, left - first_col)
    inside = origin[0] >= 0 and origin[1] >= 0
    value = _cell(body[origin[0]], origin[1]) if inside else None
    shown = one_cell_text(value).strip() != ""
    held = False  # whether a covered cell held something of its own
    for at in range(start, stop + 1):
        row = body[at]
        if len(row) <= high:  # a short row (openpyxl leaves trailing empty cells out)
            row.extend([None] * (high + 1 - len(row)))
        for column in range(low, high + 1):
            if (at, column) == origin:
                continue
            cell = value if column == origin[1] else None
            held = held or one_cell_text(row[column]).strip() != ""
            row[column] = cell
    if not inside:
        return
    if bottom > top and stop > start and (shown or held):
        done.names.append(name(merge))
    others = tuple(range(max(low, origin[1] + 1), high + 1))
    if shown and others:
        done.spans.append(Span(name(merge), value, origin[1], others))


def _cell(row: list[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


__all__ = ["Filled", "Merge", "Overlap", "Span", "fill_merged", "name", "ranges", "xml_merges"]
