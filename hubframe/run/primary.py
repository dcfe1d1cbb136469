"""One primary company per contact, deal or ticket: the rows of a sheet that give a record two.

HubSpot keeps ONE primary company per contact, deal and ticket
(:data:`hubframe.constants.PRIMARY_TYPES`: contact 1 / 2, deal 5 / 6, ticket 26 / 25, one
association seen from each side); setting another moves it, and the company that held it
stays associated without the label.  Two rows of a sheet naming two different primary
companies for one record cannot both hold: sent, both came back ``success`` while HubSpot kept
one.  :func:`conflicts` finds every such row (whichever side of its row names the record);
:func:`settle_conflicts` settles them ``invalid``, ``CONFLICTING_ROWS``, before the portal is
read or anything is sent, and :func:`hubframe.validate_pairs` with a client finds the same rows
with the same function.  Rows naming the same primary again are ordinary repeats.

Where a run reads the portal before sending (pre-flight, the state before a journaled run),
:func:`current_primaries` reads the current primary company of each record a row sets one for:
the result's ``primary_before`` column holds it (:func:`primary_cell`; a journal keeps the
pair as a reading of what it held), undo reads it back (:func:`primary_companies`), and the
row says which company it replaces (:func:`replace_message`): the row is what the analyst
asked and is sent, but HubSpot takes the label from that company.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from hubframe.constants import (
    HUBSPOT_DEFINED,
    ONE_WAY_PRIMARIES,
    PRIMARY_COMPANY,
    PRIMARY_TYPES,
    PrimaryType,
)
from hubframe.errors import ErrorCode, HubframeError
from hubframe.io.cells import EXCEL_LIMIT
from hubframe.io.normalize import FLOAT_DIGITS
from hubframe.run.rows import describer, value
from hubframe.run.work import Outcome
from hubframe.run.worktable import ACTION_CODE, WorkTable
from hubframe.vocab import Action, ObjectPair, RecordPair, Status, object_noun

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.run.pipeline import Prepared

Describe = Callable[[int], str]


@dataclass(frozen=True)
class PrimarySpec:
    """What a Primary association type of an object pair says of its rows."""

    primary: PrimaryType
    type_id: int
    record_is_from: bool  # the record holding one primary is the row's from side


#: (from type, to type) -> the Primary type of that direction.
_BY_PAIR: Final[dict[tuple[str, str], PrimarySpec]] = {
    **{(t.record_type, PRIMARY_COMPANY): PrimarySpec(t, t.to_company, True) for t in PRIMARY_TYPES},
    **{
        (PRIMARY_COMPANY, t.record_type): PrimarySpec(t, t.from_company, False)
        for t in PRIMARY_TYPES
    },
}

#: Companies and rows a message lists before it counts the rest.
_SHOWN_COMPANIES, _SHOWN_ROWS = 4, 3


@dataclass(frozen=True)
class PrimaryRow:
    """A row that makes a company the primary one of a record."""

    position: int  # in the input frame
    record_type: str  # "deals"
    record_id: str
    company_id: str
    record_is_from: bool = True  # the row goes from the record to the company

    @property
    def objects(self) -> ObjectPair:
        """The row's object pair, in its direction."""
        if self.record_is_from:
            return ObjectPair(self.record_type, PRIMARY_COMPANY)
        return ObjectPair(PRIMARY_COMPANY, self.record_type)

    @property
    def records(self) -> RecordPair:
        """The row's record pair, in its direction."""
        if self.record_is_from:
            return RecordPair(self.record_id, self.company_id)
        return RecordPair(self.company_id, self.record_id)


def primary_spec(
    from_type: str, to_type: str, category: str | None, type_id: int | None
) -> PrimarySpec | None:
    """The Primary type a row's association type is (None for any other type)."""
    spec = _BY_PAIR.get((from_type, to_type))
    if spec is None or category != HUBSPOT_DEFINED or type_id != spec.type_id:
        return None
    return spec


def primary_row(
    position: int,
    pair: tuple[str, str],
    ids: tuple[str, str],
    category: str | None,
    type_id: int | None,
) -> PrimaryRow | None:
    """The row as a :class:`PrimaryRow` when its type is a Primary one, else None."""
    spec = primary_spec(pair[0], pair[1], category, type_id)
    if spec is None:
        return None
    record, company = ids if spec.record_is_from else (ids[1], ids[0])
    return PrimaryRow(position, spec.primary.record_type, record, company, spec.record_is_from)


def table_rows(table: WorkTable) -> list[PrimaryRow]:
    """The rows of a work table that set a primary company (labeled creates only)."""
    if HUBSPOT_DEFINED not in table.categories:
        return []
    hub = table.categories.index(HUBSPOT_DEFINED)
    creates = (table.actions == ACTION_CODE[Action.ASSOCIATE]) & (table.category_codes == hub)
    out: list[PrimaryRow] = []
    for code, pair in enumerate(table.pairs):
        spec = _BY_PAIR.get((pair.from_type, pair.to_type))
        if spec is None:
            continue
        rows = np.flatnonzero(
            creates & (table.pair_codes == code) & (table.type_ids == spec.type_id)
        )
        if not len(rows):
            continue
        index = rows.tolist()
        froms, tos = table.from_ids.take(index).to_pylist(), table.to_ids.take(index).to_pylist()
        positions = table.positions[rows].tolist()
        for position, from_id, to_id in zip(positions, froms, tos, strict=True):
            found = primary_row(
                int(position), pair, (str(from_id), str(to_id)), HUBSPOT_DEFINED, spec.type_id
            )
            if found is not None:
                out.append(found)
    return out


def conflicts(rows: Iterable[PrimaryRow], describe: Describe) -> dict[int, str]:
    """Every row of a record given two or more different primary companies -> the message
    naming the record, the companies and the rows."""
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for row in rows:
        by_company = groups.setdefault((row.record_type, row.record_id), {})
        by_company.setdefault(row.company_id, []).append(row.position)
    out: dict[int, str] = {}
    for (record_type, record_id), companies in groups.items():
        if len(companies) < 2:
            continue
        message = conflict_message(record_type, record_id, companies, describe)
        for positions in companies.values():
            out.update(dict.fromkeys(positions, message))
    return out


def conflict_message(
    record_type: str, record_id: str, companies: Mapping[str, list[int]], describe: Describe
) -> str:
    """'HubSpot keeps one primary company per deal: row 3 names company 3120000030 and
    row 7 names company 3120000031 as deal 2040000060's primary ...'."""
    noun = object_noun(record_type)
    named = [_names(company, sorted(rows), describe) for company, rows in companies.items()]
    if len(named) > _SHOWN_COMPANIES:
        others = len(named) - _SHOWN_COMPANIES + 1
        named = [*named[: _SHOWN_COMPANIES - 1], f"other rows name {others} other companies"]
    said = ", ".join(named[:-1]) + f" and {named[-1]}"
    return (
        f"HubSpot keeps one primary company per {noun}: {said} as {noun} {record_id}'s "
        "primary company. Keep the row of the company you mean (none of these rows is sent)."
    )


def _names(company: str, rows: list[int], describe: Describe) -> str:
    """'row 3 names company 31', 'row 3 and row 5 name company 31'."""
    shown = [describe(p) for p in rows[:_SHOWN_ROWS]]
    if len(rows) > _SHOWN_ROWS:
        shown.append(f"{len(rows) - _SHOWN_ROWS} more rows")
    if len(shown) == 1:
        return f"{shown[0]} names company {company}"
    return f"{', '.join(shown[:-1])} and {shown[-1]} name company {company}"


def settle_conflicts(prepared: Prepared) -> None:
    """Settle the rows to send that give a record two primary companies (``invalid``,
    ``CONFLICTING_ROWS``) and take them out of the rows to send."""
    if prepared.stop is not None:
        return
    table = prepared.work()
    found = conflicts(table_rows(table), describer(prepared.frame))
    if not found:
        return
    for position, message in found.items():
        prepared.settled[position] = Outcome(
            Status.INVALID,
            action=Action.ASSOCIATE,
            error_code=ErrorCode.CONFLICTING_ROWS,
            error_message=message,
        )
    keep = np.flatnonzero(~np.isin(table.positions, list(found)))
    prepared.table, prepared.count = table.take(keep), len(keep)


#: (record type, record id) -> each company holding the record's Primary type, with every
#: type id the pair holds (what a journal keeps of it).
Primaries = dict[tuple[str, str], dict[str, frozenset[int]]]


@dataclass
class PrimaryReading:
    """The current primary companies of the records rows set one for
    (:func:`current_primaries`); ``unread``: the records whose read failed, with its error."""

    found: Primaries
    unread: dict[tuple[str, str], HubframeError]


def current_primaries(client: HubSpotClient, rows: Iterable[PrimaryRow]) -> PrimaryReading:
    """The companies holding the Primary type of each record of ``rows`` now (batch reads of
    each record's companies).  A record whose read failed is in ``unread``; an error that
    stops every run is raised."""
    from hubframe.run.reads import read_links, types_of

    wanted: dict[str, dict[str, None]] = {}
    for row in rows:
        wanted.setdefault(row.record_type, {})[row.record_id] = None
    out = PrimaryReading({}, {})
    for record_type, ids in wanted.items():
        primary = _TO_COMPANY[record_type]
        try:
            found = read_links(client, record_type, PRIMARY_COMPANY, list(ids))
        except HubframeError as exc:
            if exc.stops_run:
                raise
            out.unread.update(dict.fromkeys(((record_type, r) for r in ids), exc))
            continue
        for record in ids:
            held = types_of(found.get(record, []))
            out.found[(record_type, record)] = {c: t for c, t in held.items() if primary in t}
    return out


#: A record type -> its Primary type towards companies (deals: 5).
_TO_COMPANY: Final = {t.record_type: t.to_company for t in PRIMARY_TYPES}


def replaced_by(row: PrimaryRow, before: Iterable[str]) -> list[str]:
    """The companies a row takes the record's primary from: those that held it before the
    row, but the row's own company."""
    return sorted(set(before) - {row.company_id})


def replace_message(row: PrimaryRow, others: list[str], removed: Iterable[str] = ()) -> str:
    """'Replaces deal 1's primary company 2: ...' (no final stop); ``removed``: the companies
    whose association with the record the run removes too (a sync's rows of their own)."""
    noun = object_noun(row.record_type)
    companies = " and ".join(others)
    gone = [c for c in others if c in set(removed)]
    kept = [c for c in others if c not in gone]
    said = (
        f"Replaces {noun} {row.record_id}'s primary company {companies}: HubSpot keeps one "
        f"primary company per {noun}"
    )
    if kept:
        said += f", so {' and '.join(kept)} stays associated without the Primary label"
    if gone:
        said += f"; this run also removes {' and '.join(gone)}'s association with it (its own row)"
    return said


# --- the ``primary_before`` cell -----------------------------------------------------------------


def primary_cell(companies: Iterable[str]) -> str:
    """A ``primary_before`` cell: the company ids, sorted, one space between; "" for none."""
    return " ".join(sorted(companies, key=lambda c: (len(c), c)))


def primary_companies(cell: object) -> frozenset[str] | None:
    """The company ids of a ``primary_before`` cell (a result table's, its report's: text, or
    a number a spreadsheet made of one id, below the 15 digits Excel keeps); an empty set for
    an empty cell, None for a cell that holds anything else (edited: not to be trusted)."""
    cell = value(cell)
    if cell is None:
        return frozenset()
    if isinstance(cell, bool):
        return None
    if isinstance(cell, float | np.floating):  # from Excel's 15 digits up: maybe not the id
        whole = bool(cell == np.trunc(cell)) and 0 < cell < EXCEL_LIMIT  # in its own precision
        return frozenset({str(int(cell))}) if whole else None
    if isinstance(cell, int | np.integer):
        return frozenset({str(int(cell))}) if cell > 0 else None
    if not isinstance(cell, str):
        return None
    words = cell.replace(",", " ").replace(";", " ").split()
    ids = [w.removesuffix(".0") for w in words]
    if not all(i.isascii() and i.isdigit() for i in ids):
        return None
    if any(w != i and len(i.lstrip("0")) > FLOAT_DIGITS for w, i in zip(words, ids, strict=True)):
        return None  # a float's text from Excel's 15 digits up: maybe not the id
    return frozenset(i.lstrip("0") or "0" for i in ids)


def row_of(
    from_type: str, from_id: str, to_type: str, to_id: str, category: object, type_id: object
) -> PrimaryRow | None:
    """A result row as a :class:`PrimaryRow` when it sets a primary company, else None."""
    kind = int(type_id) if isinstance(type_id, int | np.integer) else None
    found = category if isinstance(category, str) else None
    return primary_row(-1, (from_type, to_type), (from_id, to_id), found, kind)


#: The label of each one-way primary type (:data:`~hubframe.constants.ONE_WAY_PRIMARIES`).
ONE_WAY_LABELS: Final[dict[int, str | None]] = {t.type_id: t.label for t in ONE_WAY_PRIMARIES}


def one_way_types(pair: ObjectPair) -> frozenset[int]:
    """The HubSpot-defined primaries of ``pair``'s other direction that ``pair`` does not
    list (:data:`~hubframe.constants.ONE_WAY_PRIMARIES`): contacts -> leads: {578}.  Removing
    a pair whole from ``pair``'s side takes them with it, unseen there."""
    from hubframe.io.normalize import canonical_object_type

    ends = (canonical_object_type(pair.to_type), canonical_object_type(pair.from_type))
    return frozenset(t.type_id for t in ONE_WAY_PRIMARIES if (t.from_type, t.to_type) == ends)


__all__ = [
    "ONE_WAY_LABELS",
    "PrimaryReading",
    "PrimaryRow",
    "PrimarySpec",
    "conflicts",
    "current_primaries",
    "one_way_types",
    "primary_cell",
    "primary_companies",
    "primary_row",
    "primary_spec",
    "replace_message",
    "replaced_by",
    "row_of",
    "settle_conflicts",
    "table_rows",
]
