"""Rows of a raw sheet: blank rows dropped, ``;``-separated id cells split into one row each,
and label cells too where the label header says they are lists (:func:`split_labels`).

A cell of several ids (``"101;102;103"``, as HubSpot exports write associations) becomes one row
per id, all with the sheet's row number; the split is refused before any of it is done when it
would exceed the read limits (``max_ids_per_cell``, ``max_split_bytes``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import InputError
from hubframe.io.aliases import header_key, header_words
from hubframe.io.bounds import hint
from hubframe.io.normalize import (
    canonical_ids,
    clean_id,
    shown_as,
    shows_nothing,
    split_ids,
    split_rows,
)
from hubframe.io.sheet import RawSheet, Request, sheet_where
from hubframe.io.sheet_errors import is_error_text
from hubframe.io.text import (
    PARALLEL_ROWS,
    TEXT,
    BoolArray,
    Text,
    blank_mask,
    clean_text,
    empty_mask,
    run_all,
    take_rows,
)
from hubframe.redaction import clip

ID_COLUMNS: Final = ("from_id", "to_id")
SIDES: Final = ("from", "to")  # the sides of ID_COLUMNS, in order
EXCEL_CELL_CHARS: Final = 32_767  # the characters an Excel cell holds


def drop_blank(raw: RawSheet) -> RawSheet:
    """Drop rows where every cell is empty, and unnamed columns with no data at all."""
    ids = [
        raw.headers.index(raw.mapping.columns[c]) for c in ID_COLUMNS if c in raw.mapping.columns
    ]
    extra = [] if raw.extra is None else [raw.extra]
    blank = _blank_rows(raw.columns + extra, ids)
    keep = [
        i
        for i, h in enumerate(raw.headers)
        if not (h.startswith("Unnamed: ") and empty_mask(raw.columns[i]).all())
        or h in raw.mapping.columns.values()
    ]
    columns, rows = [raw.columns[i] for i in keep], raw.rows
    if blank.any():
        rows_kept = pa.array(~blank)
        columns, rows = [c.filter(rows_kept) for c in columns], rows[~blank]
        extra = [c.filter(rows_kept) for c in extra]
    headers = [raw.headers[i] for i in keep]
    extra_cells = (extra or [None])[0]
    return replace(raw, headers=headers, columns=columns, rows=rows, extra=extra_cells)


def _blank_rows(columns: list[Text], ids: list[int]) -> BoolArray:
    """True for rows whose cells are all empty or whitespace.

    Each column only checks the rows still blank after the columns before it; id columns go
    first, where a canonical id (a check needed later anyway, and remembered) is never blank.
    """
    n = len(columns[0]) if columns else 0
    maybe = np.ones(n, dtype=bool)
    for position in ids:
        maybe &= ~canonical_ids(columns[position])
    candidates = np.flatnonzero(maybe)
    for column in columns:
        if len(candidates) == 0:
            break
        cells = column if len(candidates) == n else take_rows(column, candidates)
        candidates = candidates[blank_mask(cells)]
    blank = np.zeros(n, dtype=bool)
    blank[candidates] = True
    return blank


def explode(raw: RawSheet, request: Request) -> RawSheet:
    """One row per id of the id cells holding several ';'-separated ids (refused when a row
    holds several on both sides, :func:`_check_both_sides`, or several beside a list of
    labels, :func:`_check_ids_beside_labels`)."""
    _check_both_sides(raw, request)
    _check_ids_beside_labels(raw, request)
    for canonical in ID_COLUMNS:
        header = raw.mapping.columns.get(canonical)
        if header is None:
            continue
        position = raw.headers.index(header)
        if not canonical_ids(raw.columns[position]).all():
            _check_cut_short(raw, position, request)
            _check_split(raw, position, request)
        take, parts = split_rows(raw.columns[position])
        if take is None:
            continue
        jobs = {i: partial(take_rows, c, take) for i, c in enumerate(raw.columns) if i != position}
        if raw.extra is not None:
            jobs[-1] = partial(take_rows, raw.extra, take)
        taken = run_all(jobs, threads=len(take) >= PARALLEL_ROWS) | {position: parts}
        columns = [taken[i] for i in range(len(raw.columns))]
        extra = taken.get(-1)
        raw = replace(raw, columns=columns, rows=raw.rows[take], extra=extra)
    return raw


def list_separator(header: str | None) -> str | None:
    """The separator a label header says its cells hold lists with ("Labels (;-separated)",
    "Labels (semicolon separated)": ``;``; "Labels (comma-separated)": ``,``), else None."""
    words = set(header_words(header)) if header is not None else set()
    if "comma" in words:
        return ","
    return ";" if words & {"semicolon", "separated"} else None


def split_labels(raw: RawSheet) -> RawSheet:
    """One row per label of the label cells holding several, when the label header says its
    cells are lists (:func:`list_separator`), each with the sheet's row number, as id cells
    are split; a cell without the separator is kept as it is (a label may hold a ``;`` under
    any other header)."""
    listed = _label_list(raw)
    if listed is None:
        return raw
    position, sep = listed
    cells = raw.columns[position].to_pylist()
    rows = raw.rows.tolist()
    literal = raw.literal_labels
    parts = [_cell_labels(cell, row, sep, literal) for cell, row in zip(cells, rows, strict=True)]
    split = {
        row
        for p, cell, row in zip(parts, cells, rows, strict=True)
        if len(p) != 1 or p[0] is not cell
    }
    if not split:
        return raw
    counts = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    take = np.repeat(np.arange(len(cells), dtype=np.int64), counts)
    labels = pa.chunked_array([pa.array([x for p in parts for x in p], type=TEXT)], type=TEXT)
    columns = [labels if i == position else take_rows(c, take) for i, c in enumerate(raw.columns)]
    extra = None if raw.extra is None else take_rows(raw.extra, take)
    # a part of a list is text ("=SUM(A1)" in "Champion;=SUM(A1)" is a label, not a formula)
    return replace(
        raw, columns=columns, rows=raw.rows[take], extra=extra, literal_labels=literal | split
    )


def _label_list(raw: RawSheet) -> tuple[int, str] | None:
    """The position of the label column whose header says its cells are lists, and their
    separator (:func:`list_separator`); None when the sheet has no such column."""
    header = raw.mapping.columns.get("label")
    sep = list_separator(header)
    if header is None or sep is None or header not in raw.headers:
        return None
    return raw.headers.index(header), sep


def _cell_labels(cell: str | None, row: int, sep: str, literal: frozenset[int]) -> list[str | None]:
    """The labels :func:`split_labels` gives a label cell of a list column: its parts, or the
    cell whole when it is a formula's text."""
    return [cell] if _formula(cell, row, literal) else _label_parts(cell, sep)


def _formula(cell: str | None, row: int, literal: frozenset[int]) -> bool:
    """Whether a label cell is a formula's text (or an error's), as validation tells them
    (kept whole: its parts are no labels, and the cell is refused once, FORMULA_ERROR)."""
    return cell is not None and row not in literal and is_error_text(cell)


def _label_parts(cell: str | None, sep: str) -> list[str | None]:
    """A label cell's labels: its ``sep``-separated parts, trimmed, empty parts left out (one
    empty label when all are); the cell itself when it holds no ``sep``."""
    if cell is None or sep not in cell:
        return [cell]
    return [p.strip() for p in cell.split(sep) if not shows_nothing(p)] or [""]


def _check_both_sides(raw: RawSheet, request: Request) -> None:
    """A row with several ids in both id cells (``101;102`` beside ``201;202``): split one side
    after the other it became every combination (four pairs), while an analyst who lined the
    lists up meant two.  Which was meant cannot be told: stop, naming the rows.  One id
    written more than once (``101;101`` beside ``201;202``: :func:`_several_ids`) is one
    record, paired with each of the other side's in every reading."""
    headers = [raw.mapping.columns.get(c) for c in ID_COLUMNS]
    if None in headers:
        return
    cells = [raw.columns[raw.headers.index(str(h))] for h in headers]
    both = np.ones(len(raw.rows), dtype=bool)
    for column in cells:
        both &= _has(column, ";")
    properties = request.properties(raw.mapping)
    sides = [side in properties for side in SIDES]
    rows = [
        n
        for n in np.flatnonzero(both).tolist()
        if all(_several_ids(column[n].as_py(), by) for column, by in zip(cells, sides, strict=True))
    ]
    if rows:
        shown = ", ".join(raw.row_name(raw.rows[n]) for n in rows[:5])
        shown += " ..." if len(rows) > 5 else ""
        first = rows[0]
        values = " and ".join(f"'{h}' = {cells[i][first].as_py()!r}" for i, h in enumerate(headers))
        raise InputError(
            f"{sheet_where(raw, request)}: row{'s' if len(rows) > 1 else ''} {shown} "
            f"{'hold' if len(rows) > 1 else 'holds'} several ';'-separated ids on both sides "
            f"(row {raw.row_name(raw.rows[first])}: {values}); hubframe cannot tell every "
            "combination from the ids paired in order. Put one side's ids one to a row (a row "
            "per pair, or one record with a list of the other side's ids)."
        )


def _has(column: Text, sep: str) -> BoolArray:
    """Which cells of ``column`` hold ``sep``."""
    return np.asarray(pc.count_substring(column, sep).fill_null(0).to_numpy()) > 0


def _several_ids(cell: str | None, by_property: bool) -> bool:
    """Whether :func:`explode` splits an id cell into rows of more than one record (a
    formula's text is not split: :func:`~hubframe.io.normalize.split_rows`): its parts as
    the read cleans them (:func:`~hubframe.io.normalize.clean_id`; a property's value, an
    email, trimmed: ``by_property``), so one id written twice (``2020001;2020001``,
    ``2020001; 2020001.0``) names one record, whatever the reading (each repeat a
    ``duplicate`` row); a part that reads as nothing (an invisible mark) is a row of its own."""
    if cell is None or is_error_text(cell):
        return False
    clean = clean_text if by_property else clean_id
    return len({clean(part) for part in split_ids(cell)}) > 1


def _check_ids_beside_labels(raw: RawSheet, request: Request) -> None:
    """A row with several ids in an id cell beside several labels in a label list cell
    (``2020001;2020002`` beside ``Champion;Decision maker``): split one after the other it
    became every combination (each id with every label), while an analyst who lined the
    lists up meant one label per id.  Which was meant cannot be told: stop, naming the rows
    and both cells.  Several labels beside one id (one pair, several labels) and several ids
    beside one label are read as before, as are several ids beside one label written more
    than once (``Champion;Champion``: :func:`_distinct_labels`), which every reading gives
    each id, and one id written more than once beside several labels (``2020001;2020001``:
    :func:`_several_ids`), which every reading gives every label."""
    listed = _label_list(raw)
    if listed is None:
        return
    position, sep = listed
    labels = raw.columns[position]
    maybe = _has(labels, sep)
    properties = request.properties(raw.mapping)
    several: dict[int, str] = {}
    for side, canonical in zip(SIDES, ID_COLUMNS, strict=True):
        header = raw.mapping.columns.get(canonical)
        if header not in raw.headers:
            continue
        column = raw.columns[raw.headers.index(str(header))]
        candidates = np.flatnonzero(maybe & _has(column, ";"))
        cells = take_rows(column, candidates).to_pylist()
        for n, cell in zip(candidates.tolist(), cells, strict=True):
            if _several_ids(cell, side in properties):
                several.setdefault(n, str(header))
    literal = raw.literal_labels
    rows = [
        (n, header)
        for n, header in sorted(several.items())
        if _distinct_labels(_cell_labels(labels[n].as_py(), int(raw.rows[n]), sep, literal)) > 1
    ]
    if rows:
        _refuse_ids_beside_labels(raw, request, rows, raw.headers[position])


def _distinct_labels(labels: list[str | None]) -> int:
    """How many labels ``labels`` holds as the label lookup keeps them apart: by the
    characters and case a sheet shows, spaces as one (``Champion;Champion`` and ``Champion;
    Champion `` are one label, whatever the reading each id gets it; ``Champion;champion``
    are two, as the portal may have both) -- :func:`~hubframe.io.normalize.shown_as`."""
    return len({None if label is None else shown_as(label) for label in labels})


def _refuse_ids_beside_labels(
    raw: RawSheet, request: Request, rows: list[tuple[int, str]], label_header: str
) -> None:
    """The InputError of :func:`_check_ids_beside_labels`: ``rows`` (position, id header)."""
    shown = ", ".join(raw.row_name(raw.rows[n]) for n, _ in rows[:5])
    shown += " ..." if len(rows) > 5 else ""
    first, header = rows[0]
    values = " and ".join(_shown_cell(raw, h, first) for h in (header, label_header))
    many = len(rows) > 1
    raise InputError(
        f"{sheet_where(raw, request)}: row{'s' if many else ''} {shown} "
        f"{'hold' if many else 'holds'} several ';'-separated ids beside several labels "
        f"(row {raw.row_name(raw.rows[first])}: {values}); hubframe cannot tell every label on "
        "every id from the labels paired with the ids in order. Put each id on a row of its own "
        f"with its labels (or each label on a row of its own with its ids).{_old_retry(request)}"
    )


def _old_retry(request: Request) -> str:
    """What the refusal of :func:`_refuse_ids_beside_labels` adds for a retry file hubframe
    wrote (its workbook's mark): one written by an earlier version put such rows in it,
    meaning every label on every id."""
    if not request.retry_file:
        return ""
    return (
        " This is a retry file hubframe wrote: one written by an earlier version of hubframe "
        "puts such a row in it to mean every label on every id, so split the row into one row "
        "per id, each with all the row's labels, to retry it as that run meant."
    )


def _shown_cell(raw: RawSheet, header: str, n: int) -> str:
    """``'header' = 'cell'`` for a message, the cell of row position ``n`` cut to 80
    characters (a list of labels may be long)."""
    cell = str(raw.columns[raw.headers.index(header)][n].as_py())
    return f"'{raw.written.get(header, header)}' = {clip(cell, 80)!r}"


def _check_cut_short(raw: RawSheet, position: int, request: Request) -> None:
    """A list of ids exactly as long as an Excel cell holds: Excel cut it short when the file
    was opened or saved (it drops what is past 32,767 characters), so the ids past it are lost
    and the last one left may be cut, another record's id.  Stop, naming the cell, rather than
    send a cut id and, in a sync, remove the lost ones."""
    lengths = pc.utf8_length(raw.columns[position]).fill_null(0).to_numpy()
    cut = np.flatnonzero(np.asarray(lengths) == EXCEL_CELL_CHARS)
    if len(cut):
        raise InputError(
            f"{sheet_where(raw, request)}: the cell in row {raw.row_name(raw.rows[cut[0]])}, "
            f"column '{raw.headers[position]}' holds {EXCEL_CELL_CHARS:,} characters, the most an "
            "Excel cell holds: Excel cut it short when the file was opened or saved, so the ids "
            "past that are lost and the last one left may be cut (another record's id). Export "
            "the list again and use the file without saving it from Excel, or put one id a row."
        )


def _check_split(raw: RawSheet, position: int, request: Request) -> None:
    """Refuse a split beyond the limits before any of it is done: a cell of too many ids, or
    rows whose other cells would be copied for each of their ids past ``max_split_bytes``."""
    limits, where = request.limits, sheet_where(raw, request)
    semicolons = pc.count_substring(raw.columns[position], ";").fill_null(0)
    counts = np.asarray(semicolons.to_numpy(), dtype=np.int64)
    if not counts.any():
        return
    worst = int(np.argmax(counts))
    if counts[worst] + 1 > limits.max_ids_per_cell:
        raise InputError(
            f"{where}: the cell in row {raw.row_name(raw.rows[worst])}, column "
            f"'{raw.headers[position]}' holds {counts[worst] + 1:,} ';'-separated values; "
            "hubframe reads at most "
            f"{limits.max_ids_per_cell:,} ids per cell (max_ids_per_cell). Split the list over "
            f"several rows, or {hint('max_ids_per_cell')}."
        )
    other = np.zeros(len(counts), dtype=np.int64)
    for i, column in enumerate(raw.columns):
        if i != position:
            lengths = pc.binary_length(column).fill_null(0).to_numpy()
            other += np.asarray(lengths, dtype=np.int64)
    copied = int((counts * (other + 16)).sum())  # 16: the offsets and numbers of a row
    if copied > limits.max_split_bytes:
        raise InputError(
            f"{where}: splitting the ';'-separated ids into one row each would copy the rows' "
            f"other cells {int(counts.sum()):,} times ({copied / (1 << 20):,.0f} MiB); the limit "
            f"is {limits.max_split_bytes / (1 << 20):,.0f} MiB (max_split_bytes). Shorten the "
            f"other cells of those rows, or {hint('max_split_bytes')}."
        )


# --- a header repeated in another order -----------------------------------------------------------


def _named(column: Text, names: list[str]) -> np.ndarray:
    """Which cells' :func:`~hubframe.io.aliases.header_key` is one of ``names`` (keys): only
    the distinct cells that are not all digits are keyed."""
    size = len(column)
    candidates = pc.unique(column.filter(pc.invert(pc.utf8_is_digit(column).fill_null(True))))
    if not len(candidates) or not names:
        return np.zeros(size, dtype=bool)
    keys = pc.replace_substring_regex(pc.utf8_lower(candidates), "[^0-9a-z]", "")
    found = candidates.filter(pc.is_in(keys, value_set=pa.array(names)).fill_null(False))
    if not len(found):
        return np.zeros(size, dtype=bool)
    hits = pc.is_in(column, value_set=found).fill_null(False)
    return np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool)


def check_reordered_header(raw: RawSheet, request: Request) -> None:
    """InputError when a row below the header repeats it with the columns in another order: a
    second block pasted under the first (``Contact ID | Deal ID`` below ``Deal ID | Contact
    ID``).  Its rows would be read under the first header, one side's ids sent as the
    other's.  A row is a header when two of the columns read, at least, hold header names
    there (one cell naming a column -- a label "Label" -- is a cell); a header repeated in the
    same order is only that row (refused by validation)."""
    mapped = [h for h in dict.fromkeys(raw.mapping.columns.values()) if h in raw.headers]
    keys = {h: header_key(h) for h in mapped}
    every = [k for k in dict.fromkeys(keys.values()) if k]
    if len(every) < 2:
        return
    named = np.zeros(raw.size, dtype=np.int64)
    moved: dict[str, np.ndarray] = {}
    for header in mapped:
        column = raw.columns[raw.headers.index(header)]
        named += _named(column, every)
        others = [k for k in every if k != keys[header]]
        moved[header] = _named(column, others)
    for header, hits in moved.items():
        rows = np.flatnonzero(hits & (named >= 2))
        if not len(rows):
            continue
        first = int(rows[0])
        column = raw.columns[raw.headers.index(header)]
        cell = str(column[first].as_py())
        raise InputError(
            f"{sheet_where(raw, request)}: row {raw.row_name(raw.rows[first])} repeats the "
            f"header in another order ('{cell}' under '{raw.written.get(header, header)}'): the "
            "rows below it would be read under the first header's order, one column's values "
            "sent as another's. Put that block's columns in the header's order (or the block "
            "on its own sheet), then read again."
        )
