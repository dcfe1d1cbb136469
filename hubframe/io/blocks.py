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
(Cells of columns not read are not read as anything: a second table to the right of the read
columns leaves their cells empty, and its rows are refused for that.)  A header repeated in its own
order (or another spelling of the same columns: ``Deal IDs`` under ``Deal ID``) is one row,
refused by validation; one cell naming a column (a note "Label", a label "Deal ID") is a cell;
a note mentioning a header ("Company ID to check") names none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import InputError
from hubframe.io.aliases import (
    PROPERTY_HEADERS,
    SIDE_KEYS,
    STRONG_KEYS,
    TYPED_HEADERS,
    WEAK_KEYS,
    header_key,
)
from hubframe.io.sheet import RawSheet, Request, sheet_where
from hubframe.io.text import Text, take_rows

#: The fields whose columns name records: their ids, or their object types.
RECORD_FIELDS: Final = frozenset({"from_id", "to_id", "from_type", "to_type", "from", "to"})
#: A header row's cells shown in a message, at most.
SHOWN_CELLS: Final = 4


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
    """InputError naming the first row below the header that reads as a header of other columns
    (module docstring); ``more``: header keys the read knows besides :data:`NAMED` (a labels
    sheet's ``Inverse label``)."""
    named = {**NAMED, **(more or {})}
    table = _TABLE if not more else _Table.of(named)
    headers = dict.fromkeys(raw.mapping.columns.values())
    mapped = sorted(raw.headers.index(h) for h in headers if h in raw.headers)  # sheet order
    if not raw.size or not mapped:
        return
    hits = np.zeros(raw.size, dtype=bool)
    for position in mapped:
        hits |= _naming(raw.columns[position], table)
    rows = np.flatnonzero(hits)
    if not len(rows):
        return
    codes = np.stack([_codes(take_rows(raw.columns[p], rows), table) for p in mapped], axis=1)
    own = np.array([_own(raw, p, table, named) for p in mapped], dtype=np.int64)
    known = codes >= 0
    records = np.array([n.records for n in table.what], dtype=bool)
    found = (
        (known.sum(axis=1) >= 2)
        & (known & records[np.maximum(codes, 0)]).any(axis=1)
        & (known & (codes != own[None, :])).any(axis=1)
    )
    if found.any():
        first = int(np.flatnonzero(found)[0])
        cells = [p for p, k in zip(mapped, known[first], strict=True) if k]
        raise _second_header(raw, request, int(rows[first]), cells)


def _second_header(raw: RawSheet, request: Request, at: int, cells: Sequence[int]) -> InputError:
    def shown(position: int) -> str:
        header = raw.headers[position]
        cell = str(raw.columns[position][at].as_py()).strip()
        return f"'{cell}' under '{raw.written.get(header, header)}'"

    more = f" and {len(cells) - SHOWN_CELLS} more" if len(cells) > SHOWN_CELLS else ""
    return InputError(
        f"{sheet_where(raw, request)}: row {int(raw.rows[at])} reads as a header "
        f"({', '.join(map(shown, cells[:SHOWN_CELLS]))}{more}): a second table below the "
        "first, whose rows would be read under the first table's header, as its columns "
        "and objects (one object's ids sent as another's). Put the second table on its own "
        "sheet or in its own file, then read again."
    )
