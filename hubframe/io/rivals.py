"""Columns not read beside the column read for the same thing, held to its cells row by row.

A header matching picks one column per field and keeps the others as the analyst's own
(:mod:`hubframe.io.columns`).  Two kinds of such columns say what the column read says, so
their cells must agree with it on every row, or the read stops naming both columns and the
first row where they differ:

* a HubSpot export's ``Associated Company IDs (Primary)`` beside the ``Associated Company
  IDs`` read: each id it names is among the ids of the row's cell read.  Before, a primary
  company not listed was left out without a word, and a sync with removals removed the very
  company the sheet names as the record's primary;
* a second column of one side's object types under another accepted name (``Object`` beside
  ``From Type``, a bare ``To`` beside ``To Type`` in a limits sheet): each object type it
  names is the row's type.  Before, one of two contradicting columns was sent (a deal's row
  sent as a ticket's; a deals->companies limit set from a row whose ``To`` said contacts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from hubframe.io.aliases import DESCRIPTIONS, Side
from hubframe.io.columns import HeaderError, primary_of, type_rivals
from hubframe.io.normalize import (
    canonical_object_type,
    clean_id,
    is_valid_object_type,
    object_key,
    split_ids,
)
from hubframe.io.sheet import RawSheet, Request
from hubframe.io.text import clean_text

#: Rows a message names after the first where the columns differ.
ROWS_COUNTED: Final = 1


def check_rival_columns(raw: RawSheet, request: Request, where: str) -> None:
    """Raise :class:`HeaderError` when a column not read contradicts the column read for the
    same thing on a row (see the module's words)."""
    for header in raw.headers:
        canonical = primary_of(header, raw.mapping)
        if canonical is not None:
            _check_primary(raw, request, where, header, canonical)
    for header, canonical in type_rivals(raw.headers, raw.mapping, request.kind):
        _check_types(raw, request, where, header, canonical)


def _column(raw: RawSheet, header: str) -> list[str | None]:
    cells: list[str | None] = raw.columns[raw.headers.index(header)].to_pylist()
    return cells


def _id_cell(raw: RawSheet, request: Request, canonical: str) -> Callable[[object], str | None]:
    """One id cell as the read makes it: canonical digits for record ids, trimmed text for
    unique property values (:func:`hubframe.io.frame._id_cells`)."""
    side = "from" if canonical == "from_id" else "to"
    return clean_text if side in request.properties(raw.mapping) else clean_id


def _check_primary(
    raw: RawSheet, request: Request, where: str, header: str, canonical: str
) -> None:
    """Every id a row's primary cell names is among the ids read from the row's cell of the
    column it is the primary of (split into rows by then: one id per row, the rows of a sheet
    row together)."""
    read_header = raw.mapping.columns[canonical]
    norm = _id_cell(raw, request, canonical)
    read: dict[int, set[str]] = {}
    primary: dict[int, str] = {}
    rows = raw.rows.tolist()
    for row, cell, named in zip(rows, _column(raw, read_header), _column(raw, header), strict=True):
        ids = read.setdefault(row, set())
        if (value := norm(cell)) is not None:
            ids.add(value)
        if named is not None and row not in primary:
            primary[row] = named
    missing = list(_missing(primary, read, norm))
    if not missing:
        return
    row, value = missing[0]
    listed = ", ".join(sorted(read[row])) or "no id"
    more = f" ({len(missing):,} rows in all)" if len(missing) > ROWS_COUNTED else ""
    raise HeaderError(
        where,
        f'row {raw.row_name(row)}: the column "{header}" names {value} as the primary, but '
        f'"{read_header}" lists {listed} there{more}: the primary would be left out, and a sync '
        f"with removals would remove the association the sheet names. Add {value} to "
        f'"{read_header}" on that row (the primary is one of the associations), or correct '
        f'the cell of "{header}".',
    )


def _missing(
    primary: dict[int, str], read: dict[int, set[str]], norm: Callable[[object], str | None]
) -> Iterator[tuple[int, str]]:
    """(row, id) for the first id of each row's primary cell that is not among its ids read."""
    for row, cell in primary.items():
        for part in split_ids(cell):
            value = norm(part)
            if value is not None and value not in read[row]:
                yield row, value
                break


def _check_types(raw: RawSheet, request: Request, where: str, header: str, canonical: str) -> None:
    """Every object type a row's cell of ``header`` names is the row's type: the cell of the
    column read, or where it is empty the type given or the id column's name gives."""
    side: Side = "from" if canonical == "from_type" else "to"
    fallback = (request.from_type if side == "from" else request.to_type) or (
        raw.mapping.implied_types.get(side)
    )
    read_header = raw.mapping.columns[canonical]
    seen: dict[tuple[str | None, str | None], bool] = {}
    rows = raw.rows.tolist()
    for row, cell, other in zip(rows, _column(raw, read_header), _column(raw, header), strict=True):
        key = (cell, other)
        if key not in seen:
            seen[key] = _differ(cell, other, fallback)
        if seen[key]:
            raise HeaderError(where, _types_differ(raw, row, (read_header, cell), (header, other)))


def _differ(cell: str | None, other: str | None, fallback: str | None) -> bool:
    """Whether ``other`` names an object type that is not the row's (``cell``'s, else
    ``fallback``); a cell naming no object (a record id under a bare "To", a note) says
    nothing of the row's type, nor does one the read refuses as no object (BAD_OBJECT_TYPE)."""
    theirs = canonical_object_type(other)
    if theirs is None or not is_valid_object_type(theirs):
        return False
    mine = canonical_object_type(cell) or fallback
    if mine is not None and not is_valid_object_type(mine):
        return False
    return mine is None or object_key(mine) != object_key(theirs)


def _types_differ(
    raw: RawSheet, row: int, read: tuple[str, str | None], other: tuple[str, str | None]
) -> str:
    (read_header, cell), (header, value) = read, other
    canonical = raw.mapping.column_map[read_header]
    says = f'"{(cell or "").strip()}"' if clean_text(cell) else "nothing"
    return (
        f'the columns "{read_header}" and "{header}" both hold {DESCRIPTIONS[canonical]}, and '
        f'they differ: row {raw.row_name(row)} says {says} in "{read_header}" and '
        f'"{(value or "").strip()}" in "{header}". "{read_header}" would be read and '
        f'"{header}" left out, so the row could be sent as another object. Keep one of them '
        "(delete or rename the other), or make them agree."
    )


__all__ = ["check_rival_columns"]
