"""Where a sheet's XML places each row and cell, as the engines place them, and the first one
no spreadsheet program would write (io.guard): a cell written twice (the same reference, one in
another case, a cell naming another row than its row's), or out of order (a cell before a
lower column of its row, a row before a lower row).  The engines read such a sheet
differently: calamine keeps the later of two cells at one place, openpyxl (the fallback)
dropped the cells of a row written before a lower column, so a row's id or label was read
wrong or lost without a word.

One pass of one regular expression over the part, then arrays: a cost in proportion to its
cells, no Python step per cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from hubframe.io.xmltags import PREFIX, SPACE, column_letters, column_number

IntArray = npt.NDArray[np.int64]

#: A row's or cell's start tag, with its reference's letters and row digits when it has one.
_PLACES: Final = re.compile(
    rb"<"
    + PREFIX
    + rb"(row|c)(?=[ \t\n\r>/])[^>]*?(?:"
    + SPACE
    + rb"r"
    + SPACE
    + rb"*="
    + SPACE
    + rb"*[\"']([A-Za-z]{0,8})0*([0-9]{0,13})[\"']|>)"
)


@dataclass(frozen=True)
class Misplaced:
    """The first row or cell written out of place: its reference as written (``A2``), the
    row it is written in, and what is wrong."""

    reference: str
    row: int
    why: str


#: Bytes of a part scanned at once (ending before a row's start tag): the matches of a scan
#: are Python objects, ~100 bytes a cell, so a sheet of millions of cells is scanned in slices.
_SLICE: Final = 1 << 22
_ROW_START: Final = re.compile(rb"<" + PREFIX + rb"row(?=[ \t\n\r>/])")


def misplaced(part: bytes) -> Misplaced | None:
    """The first row or cell of a sheet part (character references already read) written
    twice or out of order, or None."""
    start, last = 0, 0
    while start < len(part):
        after = _ROW_START.search(part, start + _SLICE) if start + _SLICE < len(part) else None
        end = after.start() if after is not None else len(part)
        wrong, last = _misplaced_in(part, start, end, last)
        if wrong is not None:
            return wrong
        start = end
    return None


def _misplaced_in(part: bytes, start: int, end: int, last: int) -> tuple[Misplaced | None, int]:
    """:func:`misplaced` of the slice ``start:end`` (beginning at a row's start tag, but the
    first), after a slice whose last row is ``last``; and this slice's last row."""
    found = _PLACES.findall(part, start, end)
    if not found:
        return None, last
    table = np.array(found, dtype="S13")  # kind, letters, digits
    is_row = table[:, 0] == b"row"
    numbers, named = _numbers(table[:, 2])
    rows = _row_places(np.r_[last, numbers[is_row]], np.r_[True, named[is_row]])
    wrong = _rows_out_of_order(rows)
    if wrong is not None:
        return wrong, last
    cells = ~is_row
    within = np.cumsum(is_row)[cells]  # the row each cell is in (0: none, or the last slice's)
    within[within == 0] = -1 if start == 0 else 0
    columns = _columns(table[cells, 1])
    wrong = _cells_out_of_place(rows, within, columns, numbers[cells], named[cells])
    return wrong, int(rows[-1])


def _numbers(text: npt.NDArray[np.bytes_]) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """The row numbers of the references (0 where none), and which have one."""
    named = text != b""
    numbers = np.zeros(len(text), dtype=np.int64)
    numbers[named] = text[named].astype(np.int64)
    return numbers, named


def _row_places(numbers: IntArray, named: npt.NDArray[np.bool_]) -> IntArray:
    """Each row element's row: its reference's, or the one after the row before it."""
    return _following(numbers, named, np.zeros(len(numbers), dtype=np.int64))


def _following(values: IntArray, named: npt.NDArray[np.bool_], starts: IntArray) -> IntArray:
    """Each place: its own value where ``named``, else one more than the place before it;
    counting restarts from 0 at each run start (``starts``: the first index of its run)."""
    index = np.arange(len(values), dtype=np.int64)
    last = np.maximum.accumulate(np.where(named, index, -1)) if len(values) else index
    kept = last >= starts
    base = np.where(kept, values[np.maximum(last, 0)] - np.maximum(last, 0), -starts + 0)
    return np.where(kept, base + index, index - starts + 1)


def _rows_out_of_order(rows: IntArray) -> Misplaced | None:
    steps = np.flatnonzero(np.diff(rows) <= 0)
    if not len(steps):
        return None
    at = int(steps[0]) + 1
    row, before = int(rows[at]), int(rows[at - 1])
    why = "twice" if row == before else f"after row {before:,}"
    return Misplaced(f"row {row:,}", row, why)


def _columns(letters: npt.NDArray[np.bytes_]) -> IntArray:
    """Column numbers of the references' letters (0: none), any case: the letters (at most 8)
    as one big-endian word each, upper-cased by clearing the bit that makes a letter lower
    case, so that each spelling is converted once."""
    words = np.ascontiguousarray(letters.astype("S8")).view(">u8") & _UPPER
    kinds, inverse = np.unique(words, return_inverse=True)
    spelled = (int(k).to_bytes(8, "big").rstrip(b"\0") for k in kinds)  # unpadded
    numbers = np.array([column_number(b) for b in spelled], dtype=np.int64)
    placed: IntArray = numbers[inverse.reshape(-1)]
    return placed


_UPPER: Final = np.uint64(0xDFDFDFDFDFDFDFDF)


def _cells_out_of_place(
    rows: IntArray,
    within: IntArray,
    columns: IntArray,
    numbers: IntArray,
    named: npt.NDArray[np.bool_],
) -> Misplaced | None:
    inside = within >= 0
    within, columns, numbers, named = (
        within[inside],
        columns[inside],
        numbers[inside],
        named[inside],
    )
    if not len(within):
        return None
    row = rows[within]
    other = np.flatnonzero(named & (numbers != row))
    index = np.arange(len(within), dtype=np.int64)
    first = np.flatnonzero(np.r_[True, within[1:] != within[:-1]])
    starts = first[np.cumsum(np.isin(index, first)) - 1]
    places = _following(columns, columns > 0, starts)
    back = np.flatnonzero((places[1:] <= places[:-1]) & (within[1:] == within[:-1])) + 1
    candidates = [int(i) for i in (other[:1].tolist() + back[:1].tolist())]
    if not candidates:
        return None
    at = min(candidates)
    reference = column_letters(int(places[at])) + str(
        int(numbers[at]) if named[at] else int(row[at])
    )
    if named[at] and int(numbers[at]) != int(row[at]):
        return Misplaced(reference, int(row[at]), f"in row {int(row[at]):,}")
    before = column_letters(int(places[at - 1])) + str(int(row[at]))
    why = "twice" if places[at] == places[at - 1] else f"after {before}"
    return Misplaced(reference, int(row[at]), why)
