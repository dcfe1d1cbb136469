"""CSV cells a stray quote stretched over rows of the sheet.

A quote that opens a CSV cell makes every line up to the next quote in the file part of that
one cell: a quote typed into a note (``"Met at fair``) and not closed on its line swallows the
rows below it until a later quote (an inch mark, ``27"``) closes it, and those rows vanished
from the read without a word.  A cell that spans lines is refused when the lines it took read
as rows of the sheet (:class:`hubframe.io.sheet.RowShape`, as rows above a header are read:
two values of the columns the header maps, or an id and a label, at their positions), split at
the file's delimiter as raw text:

- a line inside the cell (a whole line of the file): with ids as long as the sheet's, or of
  any length when the line holds as many cells as the header;
- the cells around it on its first and last lines: the closing line's cells before the
  cell's column, the opening line's after it (a quote closed on the next line).

A note of several lines (an address, a paragraph with commas, phone numbers, amounts) reads
as written: its lines do not hold the sheet's values where a row holds them.  Only cells with
a line break are looked at, found in the Arrow buffers (:func:`break_rows`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from hubframe.errors import SourceError
from hubframe.io.sheet import RowShape
from hubframe.io.text import IntArray, Text
from hubframe.redaction import clip

#: What ends a line in a CSV file (and in a cell that spans lines).
LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_CR, _LF = 13, 10


@dataclass(frozen=True)
class SpanningCell:
    """A cell that holds a line break."""

    index: int  # the record's index below the header
    column: int  # the cell's position (the header's width: the cells beyond it)
    text: str
    #: the record's cells after it: on the line its quote closes on, after the quote
    after: tuple[str, ...] = ()

    @property
    def breaks(self) -> int:
        """The line breaks it holds: the lines of the file it runs on after its first."""
        return len(LINE_BREAK.findall(self.text))


def break_rows(column: Text) -> IntArray:
    """The indexes of the cells of ``column`` holding a CR or LF, read from the Arrow text
    buffers: a chunk without either byte (most of them) costs one search of its bytes."""
    found: list[IntArray] = []
    base = 0
    for chunk in column.chunks:
        data = chunk.buffers()[2] if len(chunk) else None
        if data is not None and _has_break(data.to_pybytes()):
            found.append(_chunk_break_rows(chunk) + base)
        base += len(chunk)
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def _has_break(data: bytes) -> bool:
    return data.find(b"\n") >= 0 or data.find(b"\r") >= 0


def _chunk_break_rows(chunk: Any) -> IntArray:
    """The cells of a large_string chunk whose bytes hold a CR or LF (by its offsets)."""
    buffers = chunk.buffers()
    size, start = len(chunk), chunk.offset
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[start : start + size + 1]
    at = np.flatnonzero((data == _LF) | (data == _CR))
    rows = np.searchsorted(offsets, at, side="right") - 1
    return np.unique(rows[(rows >= 0) & (rows < size)]).astype(np.int64)


def spanning_cells(columns: Sequence[Text]) -> list[SpanningCell]:
    """The cells of ``columns`` (by position) holding a line break, in the order of the file."""
    found: list[SpanningCell] = []
    for position, column in enumerate(columns):
        rows = break_rows(column)
        if len(rows):
            texts = column.take(rows).to_pylist()
            later = [_texts(c.take(rows).to_pylist()) for c in columns[position + 1 :]]
            found += [
                SpanningCell(int(r), position, t, tuple(cells[n] for cells in later))
                for n, (r, t) in enumerate(zip(rows, texts, strict=True))
            ]
    return sorted(found, key=lambda cell: (cell.index, cell.column))


def _texts(cells: list[Any]) -> list[str]:
    return ["" if cell is None else str(cell) for cell in cells]


def swallows_rows(cell: SpanningCell, width: int, delimiter: str, shape: RowShape) -> bool:
    """Whether the lines a cell runs on read as rows of the sheet (see the module)."""
    lines = [line.split(delimiter) for line in LINE_BREAK.split(cell.text)]
    if any(_row_like(cells, len(cells) >= width, shape) for cells in lines[1:-1]):
        return True
    first, last = lines[0], lines[-1]
    whole = len(last) >= cell.column and len(first) >= width - cell.column  # see around()
    if _row_like(around(first, last, cell.column, width), whole, shape):
        return True
    # the quote closed inside the line, before the row's last cell: the line goes on after it
    # as the record's next cells, past the header's last (``2040000006",1019360006,ok`` under
    # a last note: extra cells of the row the quote opened in), so the line, read from its
    # start, is a row the quote took.  (A note closed as written is followed by its own row's
    # cells, never by cells past the header.)
    beyond = cell.after[max(width - cell.column - 1, 0) :]
    if len(lines) < 2 or not any(beyond):
        return False
    closing = [*last, *(part for text in cell.after for part in text.split(delimiter))]
    return _row_like(closing, len(closing) >= cell.column, shape)  # its cells before the note


def _row_like(cells: list[str], whole: bool, shape: RowShape) -> bool:
    """Cells that read as a row of the sheet: its values with ids as long as the sheet's, or,
    in a line with cells enough for a row (``whole``), with ids of any length."""
    return shape.reads_as_row(cells) or (whole and shape.any_length.reads_as_row(cells))


def around(first: list[str], last: list[str], column: int, width: int) -> list[str]:
    """The cells a quote closed on the next line took, by position: the closing line's
    before the cell's column (its last field is the cell's own text; on a line of no more
    fields than that, the quote closed before the cell's column and every field is a cell
    of the row it took: ``2040000006,1019360006"`` under a note), and the opening line's
    after it, counted from the row's end (its first field is the cell's own text, which may
    hold delimiters)."""
    after_count = max(width - column - 1, 0)
    before = last[:-1][:column] if len(last) > column else last[:column]
    after = first[1:][-after_count:] if after_count else []
    gap = [""] * (column - len(before) + 1 + after_count - len(after))
    return [*before, *gap, *after]


def swallowing_cell(
    cells: Sequence[SpanningCell], width: int, delimiter: str, shape: RowShape
) -> SpanningCell | None:
    """The first of ``cells`` whose lines read as rows of the sheet, if one does."""
    return next((c for c in cells if swallows_rows(c, width, delimiter, shape)), None)


def swallowed_error(
    where: str, cell: SpanningCell, row: int, line: int, header: str
) -> SourceError:
    """The refusal of a file one of whose cells took lines that read as rows of the sheet
    (its row, its column's header, the line of the file its quote opens on)."""
    one = cell.breaks == 1
    count = "1 line" if one else f"{cell.breaks:,} lines"
    lines = f"line {line + 1}" if one else f"lines {line + 1} to {line + cell.breaks}"
    reads, lost = ("reads as a row", "its row") if one else ("read as rows", "their rows")
    return SourceError(
        f"{where}: the quote that opens a cell in row {row} ({header}, line {line} of the file) "
        f"is closed only {count} further down, so {lines}, which {reads} of the sheet, "
        f'would be read as part of that one cell ("{shown(cell.text)}") and {lost} lost. '
        'Close the quote where the cell ends, or remove it (write it twice, "", if it is meant '
        "as text), then try again; a note meant to hold those lines must not hold ids where "
        "the sheet's rows have them."
    )


def shown(text: str) -> str:
    """The start of a cell for a message of one line: its line breaks as escapes."""
    return clip(text, 60).replace("\r", "\\r").replace("\n", "\\n")
