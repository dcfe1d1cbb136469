"""A CSV report's cells a stray quote stretched over its rows.

A report saved as CSV and edited in a text editor can get a stray quote: one typed at the start
of a note (``"Met at fair``) makes every line up to the next quote in the file (an inch mark,
``27"``) part of that one cell, and the report rows on those lines vanish from the read.  An
undo from such a report took back only the rows it still saw and said nothing of the others,
which stayed in HubSpot.  :func:`refuse_swallowed` refuses the report, naming the row and the
lines, when a cell's lines read as report rows: split at the report's delimiter, their record
ids (``from_id``, ``to_id``) are whole numbers and their object types are given, at the
header's positions.  A note of several lines (an address, a paragraph) holds no such line.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from hubframe.errors import InputError
from hubframe.io.quotes import LINE_BREAK, SpanningCell, around, shown

#: The columns a report row is told by: its object types, and its record ids (whole numbers).
_TYPES, _IDS = ("from_type", "to_type"), ("from_id", "to_id")


def _cells(line: str, delimiter: str) -> list[str]:
    """One line split at ``delimiter`` as a CSV reader splits it (quotes kept loosely)."""
    return next(csv.reader([line], delimiter=delimiter), [])


def _reads_as_row(cells: Sequence[str], types: Sequence[int], ids: Sequence[int]) -> bool:
    if len(cells) <= max(*types, *ids):
        return False
    typed = all(cells[p].strip() and not cells[p].strip().isdigit() for p in types)
    return typed and all(cells[p].strip().isdigit() for p in ids)


def _swallows(
    text: str,
    column: int,
    header: Sequence[str],
    delimiter: str,
    where: tuple[list[int], list[int]],
) -> bool:
    """Whether the lines of a cell (at ``column`` of its row) read as report rows."""
    lines = [_cells(line, delimiter) for line in LINE_BREAK.split(text)]
    types, ids = where
    if any(_reads_as_row(cells, types, ids) for cells in lines[1:-1]):
        return True
    return _reads_as_row(around(lines[0], lines[-1], column, len(header)), types, ids)


def refuse_swallowed(
    name: str, header: Sequence[str], rows: Sequence[tuple[int, list[str]]], delimiter: str
) -> None:
    """Refuse a CSV report (``rows``: each row's first line and cells) one of whose cells took
    lines that read as report rows (see the module)."""
    if not all(c in header for c in (*_TYPES, *_IDS)):
        return  # not a report the undo reads: it refuses it by its columns
    where = ([header.index(c) for c in _TYPES], [header.index(c) for c in _IDS])
    for line, cells in rows:
        for column, text in enumerate(cells):
            if ("\n" in text or "\r" in text) and _swallows(text, column, header, delimiter, where):
                # the line the cell opens on: its row's, after the cells before it
                opens = line + sum(SpanningCell(line, 0, c).breaks for c in cells[:column])
                cell = SpanningCell(line, column, text)
                _refuse(name, opens, header[column] if column < len(header) else "", cell)


def _refuse(name: str, line: int, column: str, cell: SpanningCell) -> None:
    """Refuse the report: ``cell``, of the ``column`` header, opens on ``line``."""
    breaks = cell.breaks
    lines = f"line {line + 1}" if breaks == 1 else f"lines {line + 1} to {line + breaks}"
    raise InputError(
        f"{name}: the quote that opens a cell on line {line} ({column}) is closed only on line "
        f"{line + breaks}, so {lines}, which read as rows of the report, would be read as part "
        f'of that one cell ("{shown(cell.text)}") and their rows left out of the undo. Close '
        'the quote where the cell ends, or remove it (write it twice, "", if it is meant as '
        "text), or export the report again, then try again."
    )


__all__ = ["refuse_swallowed"]
