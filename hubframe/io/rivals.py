"""Columns not read beside the column read for the same thing, held to its cells row by row.

A header matching picks one column per field and keeps the others as the analyst's own
(:mod:`hubframe.io.columns`).  Two kinds of such columns say what the column read says, so
their cells must agree with it on every row, or the read stops naming both columns and the
first row where they differ:

* a HubSpot export's ``Associated Company IDs (Primary)`` beside the ``Associated Company
  IDs`` read: each id it names is among the ids of the row's cell read.  Before, a primary
  company not listed was left out without a word, and a sync with removals removed the very
  company the sheet names as the record's primary.  A primary cell is read in every way it may
  name ids (``3030009, 3030001``, ``3 030 009``, ``3.030009E+06``), a number Excel formats
  (``3,030,009.00``, ``30,30,009``) as one id, not its digit groups; one of ``#N/A`` or a header
  repeated in the data names none, and an id cell that may list the primary otherwise
  (``3030002, 3030001``) is its row's own ``BAD_ID``.  A side read by a unique property
  (domains) is not compared;
* a second column of one side's object types under another accepted name (``Object`` beside
  ``From Type``, a bare ``To`` beside ``To Type`` in a limits sheet) or in its words
  (``Object (from)``, ``Associated Object Type ID``): each object type it names is the row's
  type, or where no column is read for it, the type given or the id column's name gives (a row
  with none is its own matter).  Before, one of two contradicting columns was sent (a deal's
  row sent as a ticket's; a deals->companies limit set from a row whose ``To`` said contacts).
  A custom object's name beside a custom type id is not compared: only the portal says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import MAX_ID_DIGITS
from hubframe.io.aliases import DESCRIPTIONS, Side
from hubframe.io.cells import record_id
from hubframe.io.columns import HeaderError, primary_of, type_rivals
from hubframe.io.normalize import (
    CUSTOM_TYPE_ID,
    QUALIFIED_NAME,
    canonical_object_type,
    clean_id,
    is_scientific,
    is_valid_object_type,
    listed_parts,
    object_key,
    split_ids,
)
from hubframe.io.sheet import RawSheet, Request
from hubframe.io.sheet_errors import is_error_text
from hubframe.io.text import bool_array, clean_text, empty_mask, take_rows

#: Rows a message names after the first where the columns differ.
ROWS_COUNTED: Final = 1

# One number as Excel or a locale shows it: digit groups (``3,030,001``, ``3 030 001``,
# ``3.030.001``), India's lakh grouping (``30,30,001``), a custom format's spaces before groups
# of three (``0 000``: ``3030 001``), with or without a decimal part of zeros
# (``3,030,001.00``, ``3030001.00``, ``3.030.001,00``).
_SEPARATOR = "[,.'\u2019 _\u00a0\u202f\u2009]"
_SPACE = "[ \u00a0\u202f\u2009]"
_GROUPED_NUMBER = re.compile(
    f"[0-9]+|[0-9]{{1,3}}(?:{_SEPARATOR}[0-9]{{2}})*(?:{_SEPARATOR}[0-9]{{3}})+"
    f"|[0-9]+(?:{_SPACE}[0-9]{{3}})+"
)
_ZERO_DECIMALS = re.compile(r"(.*[0-9])([.,])0+")
#: A piece of a split cell this short is a digit group of one number, not an id of its own.
_GROUP_DIGITS: Final = 4
# A digit cell with the decimal part of zeros a float column is written with (``3030001.0``).
_ZERO_TAIL_PATTERN: Final = r"^([0-9]+)\.0+$"


def check_rival_columns(raw: RawSheet, request: Request, where: str) -> None:
    """Raise :class:`HeaderError` when a column not read contradicts the column read for the
    same thing on a row (see the module's words)."""
    for header in raw.headers:
        canonical = primary_of(header, raw.mapping)
        if canonical is not None:
            _check_primary(raw, request, where, header, canonical)
    for header, canonical in type_rivals(raw.headers, raw.mapping, request.kind):
        _check_types(raw, request, where, header, canonical)


def _cells(raw: RawSheet, header: str | None) -> pa.Array | None:
    """The cells of the column ``header`` names, None when no column of the sheet is so headed
    (no column read: nothing to hold another to)."""
    if header is None or header not in raw.headers:
        return None
    cells: pa.Array = raw.columns[raw.headers.index(header)]
    return cells


def _check_primary(
    raw: RawSheet, request: Request, where: str, header: str, canonical: str
) -> None:
    """Every id a row's primary cell names is among the ids read from the row's cell of the
    column it is the primary of (split into rows by then: one id per row, the rows of a sheet
    row together).  A side read by a unique property (domains, emails) is not compared: a
    primary column holds record ids.  Rows whose primary cell is empty or is a cell read need
    nothing (compared in Arrow); the others are compared one by one (:func:`_missing`)."""
    side = "from" if canonical == "from_id" else "to"
    if side in request.properties(raw.mapping):
        return
    read_header = raw.mapping.columns[canonical]
    read_cells, named_cells = _cells(raw, read_header), _cells(raw, header)
    if read_cells is None or named_cells is None:
        return
    rows = np.asarray(raw.rows)
    same = bool_array(pc.fill_null(pc.equal(_digits(named_cells), _digits(read_cells)), False))
    pending = ~empty_mask(named_cells) & ~np.isin(rows, rows[same])
    if not pending.any():
        return
    at = np.flatnonzero(pending)
    cells = (take_rows(read_cells, at).to_pylist(), take_rows(named_cells, at).to_pylist())
    missing = list(_missing(rows[at].tolist(), *cells))
    if missing:
        raise HeaderError(where, _primary_left_out(raw, (header, read_header), missing))


def _digits(cells: pa.Array) -> pa.Array:
    """Cells with the zero decimals of a float column taken off a digit cell (``3030001.0``
    -> ``3030001``): such a primary cell names the very id of an equal cell read."""
    return pc.replace_substring_regex(cells, _ZERO_TAIL_PATTERN, r"\1")


def _missing(
    rows: list[int], read_cells: list[str], named_cells: list[str]
) -> Iterator[tuple[int, set[str], str]]:
    """(row, its ids read, the first id its primary cell names that none of its cells read may
    name) for each sheet row where there is one.  A cell read that is no record id but may
    name ids (``3030002, 3030001``, ``3 030 001``: its own ``BAD_ID``) may hold the primary;
    one naming none (``#N/A``) holds none."""
    read: dict[int, list[str]] = {}
    named: dict[int, str] = {}
    for row, cell, primary in zip(rows, read_cells, named_cells, strict=True):
        read.setdefault(row, []).append(cell)
        named.setdefault(row, primary)
    for row, cells in read.items():
        parsed = [(cell, record_id(cell)) for cell in cells]
        ids = {value for _, value in parsed if value is not None}
        listed = ids | {
            token
            for cell, value in parsed
            if value is None
            for reading in _readings(cell, keep_groups=True)
            for token in reading
        }
        missing = _cell_missing(named[row], listed)
        if missing is not None:
            yield row, ids, missing


def _cell_missing(cell: str, listed: set[str]) -> str | None:
    """The first id a primary cell names that is not among ``listed``.  The cell is split as
    the read splits an id cell (';'), each part in every way it may be read
    (:func:`_readings`): a part names an id missing only when each of its readings naming ids
    names one missing (``3 030 009``: 3030009, or 3, 30 and 9).  A split reading of digit
    groups alone (``30,30,001``: 30 and 30) names no ids.  A part of no id says nothing."""
    for part in split_ids(cell):
        readings = _readings(part, keep_groups=False)
        found = [_first_absent(reading, listed) for reading in readings]
        if found and all(value is not None for value in found):
            return found[0]
    return None


def _readings(cell: str | None, *, keep_groups: bool) -> list[list[str]]:
    """The ways a cell may be read as ids, each a list of what it names (ids, or numbers in
    Excel's scientific notation): the cell as the read reads an id cell; as one number in
    digit groups or with a decimal part of zeros (``3,030,009``, ``30,30,009``,
    ``3,030,009.00``: :func:`_numbers`); split at other separators than ';'
    (``3030009, 3030001``, ``3030009|3030001``, a line break, a space or '/' between them),
    each piece read as an id cell.  A split whose ids are all of up to 4 digits (``3``, ``30``
    of ``3,030,009.00``) is a number's digit groups, left out unless ``keep_groups`` (a cell
    read may list what it may).  Readings naming nothing are left out; a formula's or an
    error's text names nothing."""
    text = clean_id(cell)
    if text is None or is_error_text(text):
        return []
    if (value := _piece(text)) is not None:
        return [[value]]
    readings = [[value] for value in _numbers(text)]
    listed = [value for piece in listed_parts(text) if (value := _piece(piece)) is not None]
    if listed and (keep_groups or not all(_is_group(value) for value in listed)):
        readings.append(listed)
    return readings


def _numbers(text: str) -> list[str]:
    """The record ids a cell may be as one number: its digits without a decimal part of zeros
    (``3,030,001.00``), and when it is written in digit groups (``3,030,001.000`` is
    3030001 or 3030001000; ``3.030.000``, its groups' separator, 3030000 alone)."""
    heads = [text]
    match = _ZERO_DECIMALS.fullmatch(text)
    if match is not None and match.group(2) not in match.group(1):
        heads.insert(0, match.group(1))
    found: list[str] = []
    for head in heads:
        if _GROUPED_NUMBER.fullmatch(head) is None:
            continue
        value = record_id(re.sub(r"[^0-9]", "", head))
        if value is not None and value not in found:
            found.append(value)
    return found


def _is_group(value: str) -> bool:
    """Whether a piece read from a split cell is a short digit group (``3``, ``030``)."""
    return value.isdigit() and len(value) <= _GROUP_DIGITS


def _piece(text: str) -> str | None:
    """A record id's digits, a number in scientific notation that may be one, else None."""
    if is_scientific(text):
        return text if _scientific(text) is not None else None
    return record_id(text)


def _first_absent(reading: list[str], listed: set[str]) -> str | None:
    scientific = [_scientific(token) for token in listed if is_scientific(token)]
    for value in reading:
        if value in listed:
            continue
        near = _scientific(value) if is_scientific(value) else (Decimal(value), Decimal(0))
        if near is None or not any(_close(near, token) for token in _spans(listed, scientific)):
            return value
    return None


def _spans(
    listed: set[str], scientific: list[tuple[Decimal, Decimal] | None]
) -> Iterator[tuple[Decimal, Decimal]]:
    yield from (span for span in scientific if span is not None)
    yield from ((Decimal(token), Decimal(0)) for token in listed if not is_scientific(token))


def _close(one: tuple[Decimal, Decimal], other: tuple[Decimal, Decimal]) -> bool:
    """Whether two numbers may be one id: within the unit of the coarser one's last digit
    (Excel's scientific notation loses the digits after the last shown); ids exactly."""
    unit = max(one[1], other[1])
    difference = abs(one[0] - other[0])
    return difference == 0 or difference < unit


def _scientific(text: str) -> tuple[Decimal, Decimal] | None:
    """A number Excel wrote in scientific notation (``3.030009E+06``) as (its value, the unit
    of its last digit shown), None when it is no id (negative, under 1, not whole, longer
    than an id): validation's matter."""
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:  # an exponent past what Decimal holds (1e99999999999999999999)
        return None
    if number < 1 or number.adjusted() >= MAX_ID_DIGITS or number != number.to_integral_value():
        return None
    exponent = number.as_tuple().exponent
    return number, Decimal(10) ** exponent if isinstance(exponent, int) else Decimal(1)


def _primary_left_out(
    raw: RawSheet, headers: tuple[str, str], missing: list[tuple[int, set[str], str]]
) -> str:
    header, read_header = headers
    row, ids, value = missing[0]
    listed = ", ".join(sorted(ids)) or "no id"
    more = f" ({len(missing):,} rows in all)" if len(missing) > ROWS_COUNTED else ""
    add = (
        f"Add the id Excel shortened to {value} (format the column as text and export again)"
        if is_scientific(value)
        else f"Add {value}"
    )
    return (
        f'row {raw.row_name(row)}: the column "{header}" names {value} as the primary, but '
        f'"{read_header}" lists {listed} there{more}: the primary would be left out, and a sync '
        f"with removals would remove the association the sheet names. {add} to "
        f'"{read_header}" on that row (the primary is one of the associations), or correct '
        f'the cell of "{header}".'
    )


def _check_types(raw: RawSheet, request: Request, where: str, header: str, canonical: str) -> None:
    """Every object type a row's cell of ``header`` names is the row's type: the cell of the
    column read, or where it is empty the type given or the id column's name gives."""
    side: Side = "from" if canonical == "from_type" else "to"
    fallback = (request.from_type if side == "from" else request.to_type) or (
        raw.mapping.implied_types.get(side)
    )
    read_header = raw.mapping.columns.get(canonical)
    other_cells = _cells(raw, header)
    if other_cells is None:
        return
    read_cells = _cells(raw, read_header)
    if read_cells is None:
        read_header, read_cells = None, pa.nulls(len(other_cells), pa.string())
    first = _first_differing(read_cells, other_cells, fallback)
    if first is None:
        return
    row, cell, other = int(raw.rows[first]), read_cells[first].as_py(), other_cells[first].as_py()
    if read_header is None:
        raise HeaderError(where, _type_not_read(raw, request, row, (header, other), side))
    raise HeaderError(where, _types_differ(raw, row, (read_header, cell), (header, other)))


def _first_differing(read: pa.Array, other: pa.Array, fallback: str | None) -> int | None:
    """The position of the first row whose cell of ``other`` names another object than the
    row's (:func:`_differ`), None for none: each distinct pair of cells is judged once, the
    rows found in Arrow (a sheet of 200,000 rows has a handful of pairs)."""
    table = pa.table({"read": read, "other": other})
    pairs = table.group_by(["read", "other"]).aggregate([])
    bad = [
        (cell, value)
        for cell, value in zip(pairs["read"].to_pylist(), pairs["other"].to_pylist(), strict=True)
        if _differ(cell, value, fallback)
    ]
    if not bad:
        return None
    hits = np.zeros(len(other), dtype=bool)
    for cell, value in bad:
        hits |= _equal(read, cell) & _equal(other, value)
    return int(np.flatnonzero(hits)[0])


def _equal(cells: pa.Array, value: str | None) -> npt.NDArray[np.bool_]:
    """Which cells are ``value`` (a null cell for None)."""
    same = pc.is_null(cells) if value is None else pc.fill_null(pc.equal(cells, value), False)
    return bool_array(same)


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
    if mine is None or not is_valid_object_type(mine) or _name_and_type_id(mine, theirs):
        return False
    return object_key(mine) != object_key(theirs)


def _name_and_type_id(one: str, other: str) -> bool:
    """Whether one spelling is a custom object's name (``p_installations``) and the other a
    custom object's type id (``2-7350001``): only the portal's schemas say whether they are
    one object (the run resolves names there: :mod:`hubframe.run.spelling`), so the read does
    not stop on them.  Standard objects (``contacts``, ``0-1``) and two names or two type ids
    are compared here."""
    return any(
        QUALIFIED_NAME.fullmatch(a) is not None and CUSTOM_TYPE_ID.fullmatch(b) is not None
        for a, b in ((one, other), (other, one))
    )


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
