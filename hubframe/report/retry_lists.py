"""The list cells of a retry file: a source row whose cell listed several values (ids, emails,
labels) gives the retry file the values of its pairs still to do, as the sheet wrote them.

The reader splits a cell of several ``;``-separated ids (``Associated Contact IDs``), emails
(``Contact email``) or other values a side is looked up by into one pair per value, and a
label cell whose header says it holds lists (``Labels (;-separated)``) into one pair per label
(:mod:`hubframe.io.rows`), each pair keeping the part of the cell it came from in the sheet's
own column.  A retry file joins those parts again, for the pairs still to do only, so that
read back it gives exactly those pairs: the same ids or emails as the analyst wrote them, the
same labels, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from hubframe.io.meta import sheet_column_maps
from hubframe.io.rows import list_separator
from hubframe.report.columns import meta
from hubframe.report.excel import EXCEL_CELL_CHARS

#: The separator of a list of ids or of values a side is looked up by.
ID_SEPARATOR: Final = ";"
#: The keys that name a source row: the rows of its pairs share them.
KEYS: Final = ["sheet", "row"]

#: Whether a list cell of a total length (as :data:`Measure` counts it) may be written.
Fits = Callable[[int], bool]
#: The length of a cell's text as a :data:`Fits` judges it.
Measure = Callable[[str], int]


def excel_units(text: str) -> int:
    """The length of ``text`` as Excel counts it (UTF-16 units: an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def fits_excel(length: int) -> bool:
    """A list cell of ``length`` units an ``.xlsx`` retry file may hold: shorter than Excel's
    32,767 (a cell of exactly 32,767 is refused when read: Excel cuts longer ones to it)."""
    return length < EXCEL_CELL_CHARS


def fits_csv(length: int) -> bool:
    """A list cell of ``length`` characters a ``.csv`` retry file may hold: any but exactly
    32,767, which the reader takes for a list Excel cut short and refuses."""
    return length != EXCEL_CELL_CHARS


@dataclass(frozen=True)
class CellLimit:
    """How long a rebuilt list cell may be: ``fits`` judges the length ``measure`` gives."""

    fits: Fits
    measure: Measure


#: An ``.xlsx`` retry file: every list cell shorter than an Excel cell's limit.
XLSX_CELLS: Final = CellLimit(fits_excel, excel_units)
#: A ``.csv`` retry file: every list cell whole, none exactly as long as an Excel cell.
CSV_CELLS: Final = CellLimit(fits_csv, len)


@dataclass(frozen=True)
class ListColumns:
    """The sheet's own columns whose cells the reader splits into one pair per value: the id
    headers (header -> ``from_id`` / ``to_id``) and the label headers that say they hold lists
    (header -> separator; one a sheet)."""

    ids: Mapping[str, str]
    labels: Mapping[str, str]
    #: The id fields the id headers hold (several sheets': a header may hold one field on one
    #: sheet and the other on the next); those of ``ids`` when empty.
    sides: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """Whether the sheet has a column whose cells may have been split."""
        return bool(self.ids) or bool(self.labels)

    @property
    def headers(self) -> list[str]:
        """Every list column, the id headers first."""
        return [*self.ids, *self.labels]

    @property
    def cells(self) -> list[str]:
        """The columns whose cells a retry file's list cells are rebuilt from: every list
        column, then the id fields."""
        return [*self.headers, *dict.fromkeys([*self.ids.values(), *self.sides])]


def sheet_maps(result: pd.DataFrame) -> dict[str, dict[str, str]] | None:
    """Each sheet's own ``column_map`` (header -> field) of a read of several sheets
    (``sheet_column_maps``); None for a read of one sheet, or a result that does not say them.
    The read's ``column_map`` is their union, in which the last sheet wins a header the sheets
    share: "Contact ID" is ``from_id`` on a sheet "Contact ID | Company ID" and ``to_id`` on a
    sheet "Company ID | Contact ID", and the union read the first sheet's ids the other way."""
    return sheet_column_maps(meta(result)) or None


def sheet_map(result: pd.DataFrame, sheet: object) -> dict[str, str]:
    """The ``column_map`` the rows of ``sheet`` were read with: their sheet's own (see
    :func:`sheet_maps`), else the read's."""
    maps = sheet_maps(result)
    if maps is not None and isinstance(sheet, str) and sheet in maps:
        return maps[sheet]
    return {str(h): str(f) for h, f in (meta(result).get("column_map") or {}).items()}


def list_columns(result: pd.DataFrame, sheet: object = None) -> ListColumns:
    """The columns of ``result`` that hold the parts of split cells (see :class:`ListColumns`),
    as the rows of ``sheet`` were read (:func:`sheet_map`; every sheet's when None: the union
    of the columns); none when the result lost the run's ``column_map`` (which column was split
    is not known)."""
    maps = sheet_maps(result)
    if sheet is None and maps is not None:
        every = [list_columns(result, name) for name in maps]
        return ListColumns(
            {h: f for lists in every for h, f in lists.ids.items()},
            {h: s for lists in every for h, s in lists.labels.items()},
            tuple(dict.fromkeys(f for lists in every for f in lists.ids.values())),
        )
    column_map = sheet_map(result, sheet)
    mapped = {str(h): str(f) for h, f in column_map.items() if h in result.columns}
    written = meta(result).get("written_headers") or {}
    labels: dict[str, str] = {}
    for header in (h for h, f in mapped.items() if f == "label"):
        sep = list_separator(str(written.get(header, header)))
        if sep is not None:
            labels[header] = sep
    ids = {h: f for h, f in mapped.items() if f in ("from_id", "to_id")}
    return ListColumns(ids, labels)


@dataclass(frozen=True)
class Split:
    """A split cell of a source row: its header, its separator, and the part each pair still to
    do holds (None for an empty cell)."""

    header: str
    separator: str
    parts: Sequence[str | None]


@dataclass
class _Run:
    """The pairs of one value of the id list in a row: its labels, and the rows they are."""

    value: str | None
    labels: list[str | None]
    rows: list[int]


@dataclass
class _Piece:
    """A retry row to write: consecutive id values that have the same labels."""

    runs: list[_Run] = field(default_factory=list)

    @property
    def labels(self) -> list[str | None]:
        return self.runs[0].labels


@dataclass(frozen=True)
class Rebuilt:
    """A retry row made of a source row's pairs: the row it copies (a position in the result)
    and the list cells it writes (header -> the joined values)."""

    row: int
    cells: Mapping[str, str]


def _runs(
    rows: Sequence[int], ids: Sequence[str | None], labels: Sequence[str | None]
) -> list[_Run]:
    """The pairs ``rows`` (in order) grouped into runs of one id value each."""
    runs: list[_Run] = []
    for row, value, label in zip(rows, ids, labels, strict=True):
        if runs and runs[-1].value == value:
            runs[-1].labels.append(label)
            runs[-1].rows.append(row)
        else:
            runs.append(_Run(value, [label], [row]))
    return runs


def _pieces(runs: list[_Run], listed: bool) -> list[_Piece]:
    """Consecutive runs that have the same labels, each group one retry row: only ids that are
    still to do with the same labels may share a row, and, from a label list cell (``listed``),
    only with one label: a row of ids ``a;b`` beside labels ``X;Y`` is refused when read
    (:func:`hubframe.io.rows.explode`), so each id goes on a row of its own with its labels."""
    pieces: list[_Piece] = []
    for run in runs:
        shared = not listed or len(run.labels) == 1
        if pieces and shared and pieces[-1].labels == run.labels:
            pieces[-1].runs.append(run)
        else:
            pieces.append(_Piece([run]))
    return pieces


def _chunks(values: Sequence[str], sep: str, limit: CellLimit) -> list[range]:
    """``values`` cut into consecutive parts whose joined text ``limit`` lets a cell hold (a
    value too long alone is a part of its own)."""
    parts: list[range] = []
    start, length = 0, 0
    for n, value in enumerate(values):
        size = limit.measure(value)
        grown = size if n == start else length + len(sep) + size
        if n > start and not limit.fits(grown):
            parts.append(range(start, n))
            start, grown = n, size
        length = grown
    if len(values):
        parts.append(range(start, len(values)))
    return parts


def _text(value: str | None) -> str:
    return "" if value is None else value


def _fitted(piece: _Piece, label_separator: str, limit: CellLimit) -> list[_Piece]:
    """``piece`` as retry rows whose list cells ``limit`` lets a file hold: the ids cut into
    several rows; labels too many for one cell cut into several rows, each of one id (so the
    pairs read back come in the same order)."""
    labels = [_text(label) for label in piece.labels]
    label_parts = _chunks(labels, label_separator, limit)
    if len(label_parts) > 1:
        return [
            _Piece([_Run(run.value, run.labels[p.start : p.stop], run.rows[p.start : p.stop])])
            for run in piece.runs
            for p in label_parts
        ]
    ids = [_text(run.value) for run in piece.runs]
    return [_Piece(piece.runs[p.start : p.stop]) for p in _chunks(ids, ID_SEPARATOR, limit)]


def rebuild_row(
    rows: Sequence[int], ids: Split | None, labels: Split | None, limit: CellLimit
) -> list[Rebuilt]:
    """The retry rows of one source row's pairs still to do (``rows``, in order): ``ids`` is
    its split id cell, ``labels`` its split label cell (None for a cell that was not split).

    Before, the id list was rebuilt from the ids the run sent (a list of emails became record
    ids, an email no record has was left out) and a split label cell kept its first label only;
    a list longer than an Excel cell was cut, and refused when read back.  Now each cell is
    its pairs' own parts joined again, rows are cut where labels differ or a cell would be too
    long, and the file read back gives exactly these pairs, in this order."""
    none: list[str | None] = [None] * len(rows)
    runs = _runs(rows, ids.parts if ids else none, labels.parts if labels else none)
    out: list[Rebuilt] = []
    for piece in _pieces(runs, labels is not None):
        for part in _fitted(piece, labels.separator if labels else ID_SEPARATOR, limit):
            cells: dict[str, str] = {}
            if ids is not None:
                cells[ids.header] = ids.separator.join(_text(run.value) for run in part.runs)
            if labels is not None:
                cells[labels.header] = labels.separator.join(_text(x) for x in part.labels)
            out.append(Rebuilt(part.runs[0].rows[0], cells))
    return out
