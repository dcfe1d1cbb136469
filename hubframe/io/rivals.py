"""Columns not read beside the column read for the same thing, held to its cells row by row.

A header matching picks one column per field and keeps the others as the analyst's own
(:mod:`hubframe.io.columns`).  Two kinds of such columns say what the column read says, so
their cells must agree with it on every row, or the read stops naming both columns and the
first row where they differ:

* a HubSpot export's ``Associated Company IDs (Primary)`` beside the ``Associated Company
  IDs`` read: each id it names is among the ids of the row's cell read.  Before, a primary
  company not listed was left out without a word, and a sync with removals removed the very
  company the sheet names as the record's primary.  Only cells that read as record ids are
  compared: a primary cell of ``#N/A`` or a header repeated in the data is its row's matter;
* a second column of one side's object types under another accepted name (``Object`` beside
  ``From Type``, a bare ``To`` beside ``To Type`` in a limits sheet) or in its words
  (``Object (from)``, ``Associated Object Type ID``): each object type it names is the row's
  type, or where no column is read for it, the type given or the id column's name gives (a row
  with none is its own matter).  Before, one of two contradicting columns was sent (a deal's
  row sent as a ticket's; a deals->companies limit set from a row whose ``To`` said contacts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from hubframe.constants import MAX_ID_DIGITS
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
    """One id cell as the read makes it: a record id's canonical digits, trimmed text for
    unique property values (:func:`hubframe.io.frame._id_cells`)."""
    side = "from" if canonical == "from_id" else "to"
    return clean_text if side in request.properties(raw.mapping) else _record_id


def _record_id(cell: object) -> str | None:
    """A cell's record id as the read cleans it (canonical digits), None for a cell that reads
    as no record id: empty, ``#N/A``, ``-``, formula text, a header repeated in the data, ``0``.
    Such a cell is its row's own matter (validation refuses it, ``BAD_ID``): a primary cell of
    no id says nothing of the row's ids, and an id cell of none lists none."""
    value = clean_id(cell)
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    return value if value[0] != "0" and len(value) <= MAX_ID_DIGITS else None


def _check_primary(
    raw: RawSheet, request: Request, where: str, header: str, canonical: str
) -> None:
    """Every id a row's primary cell names is among the ids read from the row's cell of the
    column it is the primary of (split into rows by then: one id per row, the rows of a sheet
    row together).  Only cells that read as ids are compared (:func:`_record_id`)."""
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
    read_header = raw.mapping.columns.get(canonical)
    rows = raw.rows.tolist()
    read = _column(raw, read_header) if read_header is not None else [None] * len(rows)
    seen: dict[tuple[str | None, str | None], bool] = {}
    for row, cell, other in zip(rows, read, _column(raw, header), strict=True):
        key = (cell, other)
        if key not in seen:
            seen[key] = _differ(cell, other, fallback)
        if not seen[key]:
            continue
        if read_header is None:
            raise HeaderError(where, _type_not_read(raw, request, row, (header, other), side))
        raise HeaderError(where, _types_differ(raw, row, (read_header, cell), (header, other)))


def _differ(cell: str | None, other: str | None, fallback: str | None) -> bool:
    """Whether ``other`` names an object type that is not the row's (``cell``'s, else
    ``fallback``); a cell naming no object (a record id under a bare "To", a note) says
    nothing of the row's type, nor does one the read refuses as no object (BAD_OBJECT_TYPE).
    A row with no type (its cell empty, no type given or named by an id column) is its own
    matter: validation refuses it (MISSING_VALUE), and the other column does not stop the read."""
    theirs = canonical_object_type(other)
    if theirs is None or not is_valid_object_type(theirs):
        return False
    mine = canonical_object_type(cell) or fallback
    if mine is None or not is_valid_object_type(mine):
        return False
    return object_key(mine) != object_key(theirs)


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


def _type_not_read(
    raw: RawSheet, request: Request, row: int, other: tuple[str, str | None], side: Side
) -> str:
    """No column is read for the side's type: the row's comes from the type given, else the
    name of the side's id column (``Deal ID``)."""
    header, value = other
    canonical = f"{side}_type"
    given = request.from_type if side == "from" else request.to_type
    if given is not None:
        mine = given
        source = request.syntax.option(canonical, given) or f"{canonical}={given!r}"
        why = f"{source} was given for every row"
    else:
        mine = raw.mapping.implied_types[side]
        id_header = raw.mapping.columns.get(f"{side}_id")
        why = f'the column "{id_header}" names {mine}' if id_header else f"it reads as {mine}"
    return (
        f'the column "{header}" holds {DESCRIPTIONS[canonical]}, but it is not read: '
        f'{why}, and row {raw.row_name(row)} says "{(value or "").strip()}" in "{header}", '
        f'so the row could be sent as another object. Make "{header}" agree with {mine} on '
        "every row, or delete it if the rows are right."
    )


__all__ = ["check_rival_columns"]
