"""A second table below the first: a row under the header that reads as a header of its own.

A sheet may hold, under its table, an analyst's second one -- a blank row or a title, then a
header naming other columns (``Company ID | Contact ID`` under ``Deal ID | Contact ID``, or
``From Type | From ID | To ID``).  Read under the first header, its rows were sent as the first
header's objects (company ids as deal ids: a company id equal to a deal id linked that deal),
and only its header row was refused, as a bad id.  :func:`check_second_header` stops the read
at such a row.

A row is a header when two of its cells at least, in the columns the read takes, name columns
hubframe reads (:data:`NAMED`: the aliases of docs/columns.md, an object's id or property
column such as ``Company ID`` or ``Contact email``, a bare ``From`` / ``To``), one of them a
record id or object type column, and one names another column than the header above it does.
In a column of record ids, an object's name (``Contact``, ``deals``, ``Line item``, ``0-1``)
names that object's ids too: ``Contact | Deal`` under ``Deal ID | Contact ID`` is a second
table's header, its sides the other way round (in a column of object types it is a cell).
A header repeated in its own order (or another spelling of the same columns: ``Deal IDs`` under
``Deal ID``) is one row, refused by validation, whatever its other cells hold (a print layout's
``Page 2``) -- when the id columns read name their objects (``Deal ID | Contact ID``, or a
column of object types for the side): no other object can hide under them.  When one names
none (``Record ID``, ``Object ID``, ``From ID`` without a type column, a column chosen with
``columns=``: :func:`_neutral`), a row repeating the header there -- its cell in such a column
alone is enough -- is a second table's header, whether its other cells differ or not: a
tickets export below a deals export (``Record ID | Ticket name | Associated Contact IDs`` under
``Record ID | Deal Name | Associated Contact IDs``, or both trimmed to the columns read) repeats
the columns read, and its ticket ids would be read as deal ids; HubSpot's internal
``hs_object_id`` and a numbered repeat (``Record ID 2``) repeat it too.  In such a column an
object's name is the column's own when it is the object its side is read as (the type given,
the one the file name gives, or the row's cell in the side's column of object types): a
template's example row ``Deals | Contacts`` under ``From ID | To ID`` (deals and contacts) is
one refused row; another object's name there (a title ``Tickets`` under a deals ``Record
ID``, a record id below it) is a second table's title or header on its own -- unless another
id cell read in its row holds a record id: ``1010002 | Lead`` under ``From ID | To ID`` is a
data row, its ``Lead`` its own refused id.  One cell naming
a column (a note "Label", a label "Deal ID") is a cell; a note mentioning a header ("Company
ID to check") names none.

A second table *beside* the first, in columns the read does not take, is read as nothing: its
cells ride along as the sheet's own columns (``Unnamed: 4``), and where the read columns' cells
are empty its rows are refused as such -- but beside a longer first table they are filled, and
the second table's pairs were left out unseen.  :func:`check_beside` stops a read of pairs at a
row whose cells in those columns name two record id or object type columns (``Deal ID |
Company ID``; a cell naming its own column's header repeats it, it names no other table) with
a record id (5 to 18 digits) below one of them.  One such cell (a note "Contact ID"), property
columns (``Deal Name``, ``Amount``) and notes are the sheet's own.  A labels or limits sheet
reads no pairs, so pairs beside it are not its rows to leave out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import OBJECT_TYPES
from hubframe.errors import InputError
from hubframe.io.aliases import (
    OBJECT_SPELLINGS,
    PROPERTY_HEADERS,
    SIDE_KEYS,
    STRONG_KEYS,
    TYPED_HEADERS,
    WEAK_KEYS,
    Side,
    header_key,
)
from hubframe.io.cells import looks_like_id, record_id
from hubframe.io.sheet import RawSheet, Request, sheet_where
from hubframe.io.text import BoolArray, IntArray, Layout, Text, per_cell, take_rows

#: The fields whose columns name records: their ids, or their object types.
RECORD_FIELDS: Final = frozenset({"from_id", "to_id", "from_type", "to_type", "from", "to"})
#: The fields of the columns that hold record ids: an object's name heads such a column.
ID_FIELDS: Final = frozenset({"from_id", "to_id"})
#: A header row's cells shown in a message, at most.
SHOWN_CELLS: Final = 4
#: A header's cells written out whole in a message, at most.
SHOWN_HEADER: Final = 8
#: HubSpot's internal names of a record's id, which name no object (an API or data sync
#: export's ``hs_object_id``): under a column naming no object they repeat its header.
NEUTRAL_ID_KEYS: Final = frozenset({header_key("hs_object_id")})
#: The most digits a numbered repeat of a header ends in (``Record ID 2``): a record id has 5.
NUMBER_DIGITS: Final = 3


@dataclass(frozen=True)
class Named:
    """What a header names: one of hubframe's fields (``from_id``, ``label``), a side (``from``:
    its ids or its type), or an object's record ids (``id``) or unique property (``email``)."""

    what: str
    object_type: str | None = None

    @property
    def records(self) -> bool:
        """Whether the column holds record ids or object types."""
        return self.what in RECORD_FIELDS or self.object_type is not None


def _named() -> dict[str, Named]:
    """Header key -> what it names, for every header the column matcher maps."""
    out: dict[str, Named] = {}
    for table in (STRONG_KEYS, WEAK_KEYS, SIDE_KEYS):
        for key, field in table.items():
            out.setdefault(key, Named(field))
    for key, typed in (*TYPED_HEADERS.items(), *PROPERTY_HEADERS.items()):
        out.setdefault(key, Named(typed.id_property or "id", typed.object_type))
    return out


#: Header key -> what it names (:func:`_named`).
NAMED: Final = _named()
#: The key of each name of a standard object (``contact``, ``deals``, ``lineitems``, the type
#: id ``0-1`` as ``01``) -> the object.
OBJECT_KEYS: Final = {
    **OBJECT_SPELLINGS,
    **{header_key(t.type_id): t.name for t in OBJECT_TYPES},
}


def with_objects(named: Mapping[str, Named]) -> dict[str, Named]:
    """``named`` and, for the keys it has not, the object names (:data:`OBJECT_KEYS`) as the
    record ids of their object: what a header cell in a column of record ids names.  Its
    :class:`_Table` lists ``named``'s values first, so their codes are the same in both."""
    objects = {k: Named("id", t) for k, t in OBJECT_KEYS.items() if k not in named}
    return {**named, **objects}


@dataclass(frozen=True)
class _Table:
    """The known header keys as Arrow looks them up: ``keys[i]`` names ``what[codes[i]]``."""

    keys: pa.Array
    codes: np.ndarray
    what: list[Named]

    @classmethod
    def of(cls, named: Mapping[str, Named]) -> _Table:
        what = list(dict.fromkeys(named.values()))
        index = {n: i for i, n in enumerate(what)}
        codes = np.fromiter((index[n] for n in named.values()), dtype=np.int64, count=len(named))
        return cls(pa.array(list(named), type=pa.string()), codes, what)

    def code(self, named: Named | None) -> int:
        return -1 if named is None or named not in self.what else self.what.index(named)


_TABLE: Final = _Table.of(NAMED)
#: :data:`_TABLE` and the object names, for the columns of record ids (:func:`with_objects`).
_ID_TABLE: Final = _Table.of(with_objects(NAMED))
#: The header keys of record id and object type columns (a second table's beside the first).
_RECORD_KEYS: Final = pa.array(sorted(k for k, n in NAMED.items() if n.records), type=pa.string())
#: The bytes of a cell that may be written as a record id (:data:`_ID_WRITTEN`): 5 digits, up to
#: 18 with spaces, a text marker, a ``.0`` tail or an exponent around them.
ID_BYTES: Final = (5, 48)
#: A cell written as a record id as the id columns read one (:data:`~hubframe.io.cells.RECORD_ID`):
#: 5 to 18 digits, a whole float's ``.0`` tail, spaces and Excel's text marker or ``="..."``
#: around them; or in Excel's scientific notation (``2.04E+09``, refused when read).
_ID_WRITTEN: Final = (
    r"^[\s\pZ]*(?:'|=\")?[\s\pZ]*(?:[0-9]{5,18}(?:\.0+)?|[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]{1,2})"
    r"[\s\pZ]*\"?[\s\pZ]*$"
)
#: The first bytes of :data:`_ID_WRITTEN`: a digit, ``'``, ``=``, an ASCII space or the UTF-8
#: lead byte of a Unicode one (U+00A0, U+1680, U+2000-U+205F, U+3000).
_ID_FIRST_BYTES: Final = np.isin(
    np.arange(256), [*range(48, 58), 39, 61, 32, *range(9, 14), 0xC2, 0xE1, 0xE2, 0xE3]
)
#: The last cells of a column :func:`_last_id` looks at first.
_LAST_CELLS: Final = 64


def _keys(cells: Text) -> Text:
    """The header keys of cells (:func:`~hubframe.io.aliases.header_key`, marks aside)."""
    return pc.replace_substring_regex(pc.utf8_lower(cells), "[^0-9a-z]", "")


def _naming(column: Text, table: _Table) -> np.ndarray:
    """Which cells of a column name a header of ``table``: only its distinct cells that are not
    all digits are keyed."""
    size = len(column)
    distinct = pc.unique(column.filter(pc.invert(pc.utf8_is_digit(column).fill_null(True))))
    if not len(distinct):
        return np.zeros(size, dtype=bool)
    found = distinct.filter(pc.is_in(_keys(distinct), value_set=table.keys).fill_null(False))
    if not len(found):
        return np.zeros(size, dtype=bool)
    hits = pc.is_in(column, value_set=found).fill_null(False)
    return np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool)


def _codes(cells: Text, table: _Table) -> np.ndarray:
    """For each cell, the code of what it names (``table.what``), -1 for none."""
    index = pc.index_in(_keys(cells), value_set=table.keys).fill_null(-1)
    at = np.asarray(index.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.where(at >= 0, table.codes[np.maximum(at, 0)], -1)


def _own(raw: RawSheet, position: int, table: _Table, named: Mapping[str, Named]) -> int:
    """The code of what a column's header names: by its name, else by the field it is read as
    (a column chosen with ``columns=``), -1 for neither."""
    header = raw.headers[position]
    found = named.get(header_key(header))
    if found is None:
        field = raw.mapping.column_map.get(header)
        found = Named(field) if field is not None else None
    return table.code(found)


def check_second_header(
    raw: RawSheet, request: Request, more: Mapping[str, Named] | None = None
) -> None:
    """InputError naming the first row below the header that reads as a header of other columns,
    or, in a read of pairs, beside the columns read (:func:`check_beside`; module docstring);
    ``more``: header keys the read knows besides :data:`NAMED` (a labels sheet's ``Inverse
    label``; a labels sheet reads no pairs)."""
    _check_below(raw, request, more)
    if more is None and request.kind == "pairs":
        check_beside(raw, request)


def _check_below(raw: RawSheet, request: Request, more: Mapping[str, Named] | None) -> None:
    """InputError naming the first row below the header that reads as a header of other columns
    in the columns read, or that repeats the header there when an id column's header does not
    name its object (module docstring)."""
    mapped = _mapped(raw)
    neutral = _neutral(raw)
    found = _header_rows(raw, mapped, more, neutral, _side_objects(raw, request))
    if found is None:
        return
    second = found.other | (bool(neutral) & ~found.affirmed)
    if not second.any():
        return
    first = int(np.flatnonzero(second)[0])
    at = int(found.rows[first])
    if found.foreign[first].any():
        cells = [p for p, f in zip(mapped, found.foreign[first], strict=True) if f]
        raise _foreign_error(raw, request, at, cells)
    if found.other[first]:
        cells = [p for p, k in zip(mapped, found.known[first], strict=True) if k]
        raise _second_header(raw, request, at, cells)
    unlike = _unlike_header(raw, np.array([at], dtype=np.int64), set(mapped))[0]
    raise _repeat_error(raw, request, at, neutral, unlike)


def _side_objects(raw: RawSheet, request: Request) -> dict[str, str]:
    """The object each side is read as for every row, where one is: the type given, else the
    one its header implies or the file name gives (a column of object types says it per row:
    :func:`_expected`)."""
    given = {"from": request.from_type, "to": request.to_type}
    out: dict[str, str] = {}
    for side in ("from", "to"):
        found = given[side] or raw.mapping.implied_types.get(side)  # type: ignore[call-overload]
        if found:
            out[side] = OBJECT_KEYS.get(header_key(found), found)
    return out


def _neutral(raw: RawSheet) -> list[int]:
    """The positions of the id columns read whose header does not name their object (``Record
    ID``, ``Object ID``, ``From ID``, a column chosen by ``columns=``: the object comes from an
    argument, the file name or the other columns) on a side no column of object types gives:
    a header repeated below cannot tell that the rows under it are of that object."""
    mapping = raw.mapping
    out: list[int] = []
    for side in ("from", "to"):
        header = mapping.columns.get(f"{side}_id")
        typed = _names_object(raw, side) or f"{side}_type" in mapping.columns
        if header in raw.headers and not typed:
            out.append(raw.headers.index(header))
    return sorted(out)


def _names_object(raw: RawSheet, side: str) -> bool:
    """Whether a side's id column names its object (``Deal ID``), not the file name."""
    implied, guessed = raw.mapping.implied_types, raw.mapping.guessed_types
    return side in implied and side not in guessed


@dataclass(frozen=True)
class _Headers:
    """The rows below the header whose cells in the columns read name two columns hubframe
    reads, one of them a record id or object type column."""

    rows: IntArray  # their positions in the sheet
    known: BoolArray  # per row, per column read: its cell names a column
    other: BoolArray  # per row: a cell names another column than its header does
    #: per row: every id column naming no object (:func:`_neutral`) holds the name of the object
    #: its side is read as (``Deals`` under ``From ID``, deals given): a row the rows below are
    #: read as, not a header naming nothing
    affirmed: BoolArray
    #: per row, per column read: a cell naming another object's ids than its side is read as,
    #: in an id column naming no object (:func:`_other_objects`)
    foreign: BoolArray


def _header_rows(
    raw: RawSheet,
    mapped: Sequence[int],
    more: Mapping[str, Named] | None,
    neutral: Sequence[int],
    sides: Mapping[str, str],
) -> _Headers | None:
    """The rows below the header that read as a header in the columns read (:class:`_Headers`;
    an object's name names its ids in a column of record ids, and is the column's own name when
    it is the object the side is read as: :func:`_own_objects`), None for none.  In a column of
    ``neutral`` (:func:`_neutral`) a cell repeating its header is a header's alone, and so is
    one naming another object's ids (a title ``Tickets`` under a deals ``Record ID``)."""
    named = {**NAMED, **(more or {})}
    table = _TABLE if not more else _Table.of(named)
    ids = _ID_TABLE if not more else _Table.of(with_objects(named))
    if not raw.size or not mapped:
        return None
    tables = [ids if _takes_ids(raw, p) else table for p in mapped]
    hits = np.zeros(raw.size, dtype=bool)
    for position, each in zip(mapped, tables, strict=True):
        hits |= _naming(raw.columns[position], each)
    repeated = {p: _repeating(raw, p, table, named) for p in neutral}
    for flags in repeated.values():
        hits |= flags
    rows = np.flatnonzero(hits)
    if not len(rows):
        return None
    codes = np.stack(
        [_codes(take_rows(raw.columns[p], rows), t) for p, t in zip(mapped, tables, strict=True)],
        axis=1,
    )
    own = np.array([_own(raw, p, table, named) for p in mapped], dtype=np.int64)
    alone = np.zeros(len(rows), dtype=bool)
    for position, flags in repeated.items():
        alone |= flags[rows]
        at = mapped.index(position)
        codes[flags[rows], at] = own[at]
    same = _own_objects(raw, mapped, rows, named, sides)
    codes = np.where(same, own[None, :], codes)
    columns = {mapped.index(p): p for p in neutral}
    foreign = _other_objects(raw, rows, codes, ids, columns, sides)
    foreign &= ~_ids_beside(raw, mapped, rows)
    alone |= foreign.any(axis=1)
    known = codes >= 0
    records = np.array([n.records for n in ids.what], dtype=bool)
    header = (known.sum(axis=1) >= 2) & (known & records[np.maximum(codes, 0)]).any(axis=1)
    header |= alone
    if not header.any():
        return None
    other = (known & (codes != own[None, :])).any(axis=1)
    affirmed = np.zeros(len(rows), dtype=bool)
    if columns:
        affirmed = np.asarray(same[:, list(columns)].all(axis=1), dtype=bool)
    return _Headers(rows[header], known[header], other[header], affirmed[header], foreign[header])


def _own_objects(
    raw: RawSheet,
    mapped: Sequence[int],
    rows: IntArray,
    named: Mapping[str, Named],
    sides: Mapping[str, str],
) -> BoolArray:
    """Per row of ``rows``, per column read: its cell, in an id column whose header names no
    object, names the object its side is read as -- the row's cell in the side's column of
    object types, else the side's object (``sides``): ``Deals`` under ``From ID``, deals given,
    is a template's example row, not a header of deals.  Only an object's name (``Deals``,
    ``contact``, ``0-3``) counts: a header naming one (``Deal ID``) is a header's."""
    out = np.zeros((len(rows), len(mapped)), dtype=bool)
    for at, position in enumerate(mapped):
        expected = _expected(raw, position, rows, sides)
        if expected is None:
            continue
        cells = _objects_of(take_rows(raw.columns[position], rows), named)
        out[:, at] = [c is not None and c == e for c, e in zip(cells, expected, strict=True)]
    return out


def _expected(
    raw: RawSheet, position: int, rows: IntArray, sides: Mapping[str, str]
) -> list[str | None] | None:
    """The object each of ``rows`` reads an id column's ids as, None for a column that is no
    id column or whose header names its object (its own name says it)."""
    field = raw.mapping.column_map.get(raw.headers[position])
    if field not in ID_FIELDS:
        return None
    side = _side(raw, position)
    if _names_object(raw, side):
        return None
    types = raw.mapping.columns.get(f"{side}_type")
    if types in raw.headers:
        return _objects_of(take_rows(raw.columns[raw.headers.index(types)], rows), {})
    return [sides.get(side)] * len(rows)


def _objects_of(cells: Text, named: Mapping[str, Named]) -> list[str | None]:
    """The standard object each cell names (:data:`OBJECT_KEYS`), None for none or for a
    header ``named`` knows (``Email``)."""
    keys: list[str | None] = _keys(cells).to_pylist()
    return [None if k is None or k in named else OBJECT_KEYS.get(k) for k in keys]


def _other_objects(
    raw: RawSheet,
    rows: IntArray,
    codes: IntArray,
    ids: _Table,
    columns: Mapping[int, int],
    sides: Mapping[str, str],
) -> BoolArray:
    """Per row, per column of the codes: a cell in one of ``columns`` (index among the codes'
    columns -> position; those of :func:`_neutral`) names the ids of another object than its
    side is read as (``Tickets``, ``Ticket IDs`` under a deals ``Record ID``) with a record id
    below it there (:func:`_last_id`): a second table's title or header, when the row's other
    id cells read hold no record id (:func:`_ids_beside`).  With no id below (``Notes`` over a
    few lines of text) nothing would be read as the wrong object: its rows are refused one by
    one."""
    objects = [n.object_type if n.what == "id" else None for n in ids.what]
    out = np.zeros(codes.shape, dtype=bool)
    for at, position in columns.items():
        expected = sides.get(_side(raw, position))
        named = [objects[c] if c >= 0 else None for c in codes[:, at]]
        out[:, at] = [n is not None and n != expected for n in named]
        if out[:, at].any():
            out[:, at] &= rows < _last_id(raw.columns[position])
    return out


def _ids_beside(raw: RawSheet, mapped: Sequence[int], rows: IntArray) -> BoolArray:
    """Per row of ``rows``, per column read: another id column read holds a record id in that
    row, as the read takes one (:func:`~hubframe.io.cells.record_id`: ``51`` too, an old
    portal's contact) or written in Excel's scientific notation: a data row, whose odd cell
    (``Lead`` under ``To ID`` beside a deal id) is its own refused row, no second table's title
    or header.  Only the few rows that name an object are looked at, cell by cell."""
    written = np.zeros((len(rows), len(mapped)), dtype=bool)
    for at, position in enumerate(mapped):
        if _takes_ids(raw, position):
            cells = take_rows(raw.columns[position], rows).to_pylist()
            written[:, at] = [record_id(c) is not None or looks_like_id(c) for c in cells]
    return np.asarray(written.sum(axis=1, keepdims=True) - written > 0, dtype=bool)


def _side(raw: RawSheet, position: int) -> str:
    """The side an id column read holds the ids of (``from``, ``to``)."""
    return str(raw.mapping.column_map.get(raw.headers[position])).removesuffix("_id")


def _repeating(
    raw: RawSheet, position: int, table: _Table, named: Mapping[str, Named]
) -> BoolArray:
    """Which cells of a column repeat its header: its header key as read or as written
    (``hs_object_id`` chosen by ``columns=``), a header naming what it names (``Object ID``
    under ``Record ID``) or a record's id in HubSpot's internal name (:data:`NEUTRAL_ID_KEYS`),
    numbered or not (``Record ID 2``, ``ID.1``: the reader's rule for a numbered header,
    :func:`~hubframe.io.columns.numbered_base`, up to :data:`NUMBER_DIGITS` digits).  Only its
    distinct cells that are not all digits are keyed."""
    header = raw.headers[position]
    own = _own(raw, position, table, named)
    keys = {header_key(header), header_key(raw.written.get(header, header)), *NEUTRAL_ID_KEYS}
    alike = table.keys.take(pa.array(np.flatnonzero(table.codes == own), type=pa.int64()))
    wanted = pa.concat_arrays([pa.array(sorted(keys - {""}), type=pa.string()), alike])
    column = raw.columns[position]
    distinct = pc.unique(column.filter(pc.invert(pc.utf8_is_digit(column).fill_null(True))))
    bases = pc.replace_substring_regex(_keys(distinct), f"[0-9]{{1,{NUMBER_DIGITS}}}$", "")
    found = distinct.filter(
        pc.or_(
            pc.is_in(_keys(distinct), value_set=wanted), pc.is_in(bases, value_set=wanted)
        ).fill_null(False)
    )
    if not len(found):
        return np.zeros(raw.size, dtype=bool)
    return _flags(pc.is_in(column, value_set=found))


def _takes_ids(raw: RawSheet, position: int) -> bool:
    """Whether the read takes a column's cells as record ids."""
    return raw.mapping.column_map.get(raw.headers[position]) in ID_FIELDS


def _unlike_header(raw: RawSheet, rows: IntArray, read: Collection[int]) -> BoolArray:
    """For each of ``rows`` (rows repeating the header in the columns ``read``), which of the
    other columns hold a cell naming another column than the header does there, as keyed by
    :func:`~hubframe.io.aliases.header_key` (an empty cell, or one of no letters or digits,
    names none).  The last column stands for a CSV row's cells past the header
    (:attr:`RawSheet.extra`)."""
    out = np.zeros((len(rows), len(raw.headers) + 1), dtype=bool)
    if not len(rows):
        return out
    for position, header in enumerate(raw.headers):
        if position not in read:
            key = header_key(raw.written.get(header, header))
            out[:, position] = _other_names(take_rows(raw.columns[position], rows), key)
    if raw.extra is not None:
        out[:, -1] = _other_names(take_rows(raw.extra, rows), "")
    return out


def _other_names(cells: Text, key: str) -> BoolArray:
    """Which cells' header key is neither empty nor ``key``: only the distinct cells are
    keyed."""
    other = [
        c for c in pc.unique(cells).to_pylist() if c is not None and header_key(c) not in ("", key)
    ]
    if not other:
        return np.zeros(len(cells), dtype=bool)
    return _flags(pc.is_in(cells, value_set=pa.array(other, type=cells.type)))


def _repeat_error(
    raw: RawSheet, request: Request, at: int, neutral: Sequence[int], unlike: BoolArray
) -> InputError:
    """The error naming a row that repeats the header in the columns read, some of them
    ``neutral`` (:func:`_neutral`), and the two headers; ``unlike`` marks its other cells that
    name other columns than the header's (:func:`_unlike_header`)."""

    def cell(position: int) -> str:
        return str(raw.columns[position][at].as_py() or "").strip()

    def written(position: int) -> str:
        header = raw.headers[position]
        return raw.written.get(header, header).strip()

    def whole(cells: list[str]) -> str:
        more = " | ..." if len(cells) > SHOWN_HEADER else ""
        return " | ".join(cells[:SHOWN_HEADER]) + more

    differ = [int(p) for p in np.flatnonzero(unlike[:-1])]
    shown = [f"'{cell(p)}' under '{written(p)}'" for p in differ[:SHOWN_CELLS]]
    row = [cell(p) for p in range(len(raw.headers))]
    if unlike[-1] and raw.extra is not None:
        extra = str(raw.extra[at].as_py()).strip()
        shown.append(f"'{extra}' past the header's last column")
        row.append(extra)
    more = f" and {len(differ) - SHOWN_CELLS} more" if len(differ) > SHOWN_CELLS else ""
    others = f", not the header's other cells ({', '.join(shown)}{more})" if shown else ""
    read = ", ".join(f"'{written(p)}'" for p in _mapped(raw))
    plain = " and ".join(f"'{written(p)}'" for p in neutral)
    objects = _objects(raw, request, neutral)
    return InputError(
        f"{sheet_where(raw, request)}: row {raw.row_name(raw.rows[at])} reads as a header "
        f"of a second table below the first: it repeats the columns read ({read}){others}. "
        f"The first table's header is '{whole([written(p) for p in range(len(raw.headers))])}', "
        f"this one's '{whole(row)}'. {plain} {'do' if len(neutral) > 1 else 'does'} not name "
        f"the object of {'their' if len(neutral) > 1 else 'its'} ids (read as {objects} from "
        "an argument, the file name or the other columns), so nothing tells that the rows "
        f"below this row hold {objects}: another export (of another object, its ids in "
        "columns named alike) below the first would have its rows read as the first table's "
        "objects (one object's ids sent as another's). Put the second table on its own sheet "
        "or in its own file and read each export on its own (if the rows below are the same "
        "object's, delete this row), then read again."
    )


def _foreign_error(raw: RawSheet, request: Request, at: int, cells: Sequence[int]) -> InputError:
    """The error naming a row whose cells ``cells``, in id columns naming no object, name the
    ids of another object than their side is read as (:func:`_other_objects`)."""

    def shown(position: int) -> str:
        header = raw.headers[position]
        cell = str(raw.columns[position][at].as_py()).strip()
        return f"'{cell}' under '{raw.written.get(header, header).strip()}'"

    objects = _objects(raw, request, cells)
    return InputError(
        f"{sheet_where(raw, request)}: row {raw.row_name(raw.rows[at])} names another object "
        f"than the one its column's ids are read as ({', '.join(map(shown, cells))}; read as "
        f"{objects} from an argument, the file name or the other columns, the header naming "
        "no object): the title or header of a second table below the first, another export "
        f"whose rows would be read as {objects} (one object's ids sent as another's). Put the "
        "second table on its own sheet or in its own file and read each export on its own (if "
        "the cell is a note, delete it), then read again."
    )


def _objects(raw: RawSheet, request: Request, neutral: Sequence[int]) -> str:
    """The objects the ``neutral`` columns' ids are read as (``deals and contacts``)."""
    headers = [raw.headers[p] for p in neutral]
    types: list[str | None] = []
    given_types: tuple[tuple[Side, str | None], ...] = (
        ("from", request.from_type),
        ("to", request.to_type),
    )
    for side, given in given_types:
        if raw.mapping.columns.get(f"{side}_id") in headers:
            types.append(given or raw.mapping.implied_types.get(side))
    known = [t for t in dict.fromkeys(types) if t]
    return " and ".join(known) if known else "the object given"


def _second_header(raw: RawSheet, request: Request, at: int, cells: Sequence[int]) -> InputError:
    def shown(position: int) -> str:
        header = raw.headers[position]
        cell = str(raw.columns[position][at].as_py()).strip()
        return f"'{cell}' under '{raw.written.get(header, header)}'"

    more = f" and {len(cells) - SHOWN_CELLS} more" if len(cells) > SHOWN_CELLS else ""
    return InputError(
        f"{sheet_where(raw, request)}: row {raw.row_name(raw.rows[at])} reads as a header "
        f"({', '.join(map(shown, cells[:SHOWN_CELLS]))}{more}): a second table below the "
        "first, whose rows would be read under the first table's header, as its columns "
        "and objects (one object's ids sent as another's). Put the second table on its own "
        "sheet or in its own file, then read again."
    )


def _mapped(raw: RawSheet) -> list[int]:
    """The positions of the columns the read takes, in sheet order."""
    headers = dict.fromkeys(raw.mapping.columns.values())
    return sorted(raw.headers.index(h) for h in headers if h in raw.headers)


# --- a second table beside the first -----------------------------------------------------------


def check_beside(raw: RawSheet, request: Request) -> None:
    """InputError naming the first row whose cells in the columns not read name two record id
    or object type columns, a record id below one of them: a second table beside the first,
    whose rows the read would leave out (module docstring).  Only the columns holding record
    ids are keyed first: a sheet of names and notes beside its ids costs a test of digits."""
    mapped = set(_mapped(raw))
    unread = [p for p in range(len(raw.headers)) if p not in mapped]
    if not raw.size or not mapped or len(unread) < 2:
        return
    last = {p: _last_id(raw.columns[p]) for p in unread}
    hits = {p: h for p in unread if last[p] > 0 and (h := _heading(raw, p)) is not None}
    below = np.zeros(raw.size, dtype=bool)
    for position, named in hits.items():
        below[: last[position]] |= named[: last[position]]  # a header above an id
    if not below.any():
        return
    hits |= {p: h for p in unread if last[p] <= 0 and (h := _heading(raw, p)) is not None}
    found = np.flatnonzero((np.sum(list(hits.values()), axis=0) >= 2) & below)
    if len(found):
        at = int(found[0])
        raise _beside(raw, request, at, sorted(p for p, h in hits.items() if h[at]))


def _heading(raw: RawSheet, position: int) -> BoolArray | None:
    """Which cells of a column not read name a record id or object type column other than its
    own header (a repeat of it is not a header of another table); None for none.  Only its
    distinct cells that are not all digits are keyed."""
    column = raw.columns[position]
    header = raw.headers[position]
    own = pa.array([header_key(header), header_key(raw.written.get(header, header))])
    distinct = pc.unique(column.filter(pc.invert(pc.utf8_is_digit(column).fill_null(True))))
    keys = _keys(distinct)
    wanted = pc.and_(
        pc.is_in(keys, value_set=_RECORD_KEYS), pc.invert(pc.is_in(keys, value_set=own))
    )
    found = distinct.filter(wanted.fill_null(False))
    if not len(found):
        return None
    hits = pc.is_in(column, value_set=found).fill_null(False)
    return np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool)


def _last_id(column: Text) -> int:
    """The position of a column's last cell written as a record id (:data:`_ID_WRITTEN`: an id
    column would read it as one, or refuse it as one Excel rounded), -1 for none.  Only cells
    of :data:`ID_BYTES` are looked at, their last ones first: in a column of ids the last is
    one."""
    maybe = np.flatnonzero(per_cell(column, _id_sized))
    for rows in (maybe[-_LAST_CELLS:], maybe[: -_LAST_CELLS or None]):
        at = _written_ids(take_rows(column, rows), rows)
        if len(at):
            return int(at[-1])
    return -1


def _written_ids(cells: Text, rows: IntArray) -> IntArray:
    """The rows whose cells are written as record ids: the pattern is run only on the cells
    that are not plain digits and may match it (a cell of a date holds a dash)."""
    ids = _flags(pc.utf8_is_digit(cells))
    other = np.flatnonzero(~ids & ~_flags(pc.match_substring(cells, "-").fill_null(True)))
    if len(other):
        ids[other] = _flags(pc.match_substring_regex(take_rows(cells, other), _ID_WRITTEN))
    return rows[ids]


def _flags(found: pa.Array | pa.ChunkedArray) -> BoolArray:
    return np.array(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _id_sized(layout: Layout) -> BoolArray:
    """Cells of :data:`ID_BYTES` bytes whose first byte may start :data:`_ID_WRITTEN`."""
    low, high = ID_BYTES
    fits = np.subtract(layout.lengths, low).view(np.uint64) <= high - low  # (shorter: past it)
    fits &= _ID_FIRST_BYTES[layout.first_bytes()]
    return np.asarray(fits & layout.valid, dtype=bool)


def _beside(raw: RawSheet, request: Request, at: int, cells: Sequence[int]) -> InputError:
    def shown(position: int) -> str:
        header = raw.headers[position]
        cell = str(raw.columns[position][at].as_py()).strip()
        written = raw.written.get(header, header)
        unnamed = header.startswith("Unnamed: ") or not written.strip()
        return f"'{cell}'" if unnamed else f"'{cell}' under '{written}'"

    read = ", ".join(f"'{raw.written.get(raw.headers[p], raw.headers[p])}'" for p in _mapped(raw))
    more = f" and {len(cells) - SHOWN_CELLS} more" if len(cells) > SHOWN_CELLS else ""
    return InputError(
        f"{sheet_where(raw, request)}: row {raw.row_name(raw.rows[at])} reads as the header "
        f"of a second table beside the one read "
        f"({', '.join(map(shown, cells[:SHOWN_CELLS]))}{more}, in "
        f"columns hubframe does not read), with record ids below it: hubframe reads the columns "
        f"{read} only, so that table's rows would be left out, their pairs never sent. Nothing "
        "was sent. Move the second table to its own sheet (read it with "
        f"{request.syntax.option('sheet', 'NAME')}) or its own file, then read again."
    )
