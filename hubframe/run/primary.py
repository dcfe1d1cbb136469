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
:func:`replacements` reads the current primary company of each record a row sets one for and
says, on the row, which company it replaces: the row is what the analyst asked and is sent,
but HubSpot takes the label from that company.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from hubframe.constants import HUBSPOT_DEFINED, PRIMARY_COMPANY, PRIMARY_TYPES, PrimaryType
from hubframe.errors import ErrorCode, HubframeError
from hubframe.run.rows import describer
from hubframe.run.work import Outcome
from hubframe.run.worktable import ACTION_CODE, WorkTable
from hubframe.vocab import Action, Status, object_noun

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
    return PrimaryRow(position, spec.primary.record_type, record, company)


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


def current_primaries(
    client: HubSpotClient, rows: Iterable[PrimaryRow]
) -> dict[tuple[str, str], frozenset[str]]:
    """(record type, record id) -> the companies holding the record's Primary type now, for
    the records of ``rows`` (batch reads of each record's companies).  A record whose read
    failed is left out (nothing is said of it); an error that stops every run is raised."""
    from hubframe.run.reads import read_links, types_of

    wanted: dict[str, dict[str, None]] = {}
    for row in rows:
        wanted.setdefault(row.record_type, {})[row.record_id] = None
    out: dict[tuple[str, str], frozenset[str]] = {}
    for record_type, ids in wanted.items():
        primary = next(t.to_company for t in PRIMARY_TYPES if t.record_type == record_type)
        try:
            found = read_links(client, record_type, PRIMARY_COMPANY, list(ids))
        except HubframeError as exc:
            if exc.stops_run:
                raise
            continue
        for record in ids:
            held = types_of(found.get(record, []))
            out[(record_type, record)] = frozenset(c for c, t in held.items() if primary in t)
    return out


def replacements(
    rows: Iterable[PrimaryRow], current: Mapping[tuple[str, str], frozenset[str]]
) -> dict[int, str]:
    """Position -> "Replaces deal 1's primary company 2 ..." for each row that makes another
    company than the one holding it now the record's primary."""
    out: dict[int, str] = {}
    for row in rows:
        others = sorted(
            current.get((row.record_type, row.record_id), frozenset()) - {row.company_id}
        )
        if others:
            out[row.position] = replace_message(row, others)
    return out


def replace_message(row: PrimaryRow, others: list[str]) -> str:
    noun = object_noun(row.record_type)
    companies = " and ".join(others)
    return (
        f"{_REPLACES} {noun} {row.record_id}'s primary company {companies}: HubSpot keeps one "
        f"primary company per {noun}, so {companies} stays associated without the Primary label"
    )


_REPLACES: Final = "Replaces"
_REPLACED: Final = re.compile(rf"(?:^|\. ){_REPLACES} (\w+) (\d+)'s primary company ([\d and]+):")


def replaced(message: object) -> tuple[str, str, list[str]] | None:
    """(record noun, record id, the companies it replaced) from a run row's message that
    :func:`replace_message` wrote (a result table or its report), else None."""
    found = _REPLACED.search(message) if isinstance(message, str) else None
    if found is None:
        return None
    return found.group(1), found.group(2), found.group(3).split(" and ")


__all__ = [
    "PrimaryRow",
    "PrimarySpec",
    "conflicts",
    "current_primaries",
    "primary_row",
    "primary_spec",
    "replace_message",
    "replaced",
    "replacements",
    "settle_conflicts",
    "table_rows",
]
