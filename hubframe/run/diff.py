"""What makes the portal equal a sheet, for the records in scope: the pure diff of a sync.

No I/O here.  For one object pair (from type -> to type), the sheet's rows -- each resolved to a
pair of records and an association type -- are compared with what the portal holds for the
records in scope (every type between each source record and its targets).  Both sides are seen
as *entries*, the way an export lists them:

* the **link** of a pair (the two records are associated at all: HubSpot's unlabeled type,
  which it keeps beside every label).  A sheet row without a label asks for it; any row of a
  pair implies it;
* each **label** of a pair (a labeled association type).

Then, per sheet row, ``keep`` when its entry is in the portal and ``add`` when not; and, per
portal entry the sheet does not have, a :class:`Removal`: a label the sheet does not list for a
pair it keeps (its own removal, the link stays), or a pair the sheet does not list at all (one
removal for the link, which takes the pair with every label; its labels are listed as
removals too, removed with it).  Protected types (HubSpot-defined primary associations) are
never planned for removal unless allowed: their removal is ``held``, and so is the removal of
a pair that holds one (its other labels are still removed one by one).

The sheet side is compared with vectorized index lookups; the portal side is walked once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import numpy as np
import pandas as pd

#: The type key of a pair's link (the unlabeled type) in the diff.
LINK: Final = -1

Portal = Mapping[str, Mapping[str, frozenset[int]]]  # from id -> to id -> type ids


class Change(StrEnum):
    """What a sync does for a row (the ``change`` column)."""

    ADD = "add"
    REMOVE = "remove"
    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class Wanted:
    """One sheet row, resolved: its records and the type it asks for (None: the link only)."""

    position: int
    from_id: str
    to_id: str
    type_id: int | None


@dataclass(frozen=True, slots=True)
class RowChange:
    """What the sync does for one sheet row, and what the pair held before (for undo)."""

    change: Change
    existed_before: bool  # the row's entry was in the portal
    linked_before: bool  # the two records were associated, with any type


@dataclass(frozen=True, slots=True)
class Removal:
    """An entry of the portal the sheet lacks.

    ``type_id``: the label's type, or the pair's unlabeled type for its link (None when the
    portal lists none: the link of a pair holding labels only).  ``link``: the removal of the
    whole pair (batch archive); otherwise of one label (batch labels archive).  ``with_pair``:
    a label removed with its pair (not sent on its own).  ``held``: protected, not removed.
    """

    from_id: str
    to_id: str
    type_id: int | None
    link: bool
    with_pair: bool = False
    held: bool = False


@dataclass
class Diff:
    """The diff of one object pair: a change per sheet row, the removals, the scope's size."""

    rows: dict[int, RowChange] = field(default_factory=dict)
    removals: list[Removal] = field(default_factory=list)
    scope_entries: int = 0  # entries the portal holds for the records in scope
    #: removals of entries the portal did not hold before (from id, to id, link?, type id):
    #: a resumed sync's, of what its first run added (``jobs.sync_plan``)
    since: set[tuple[str, str, bool, int | None]] = field(default_factory=set)
    #: removals of entries the portal did not hold before that the runs did not add either
    #: (someone else's, between a stopped sync and its resume): held, not sent
    foreign: set[tuple[str, str, bool, int | None]] = field(default_factory=set)

    def counts(self) -> dict[Change, int]:
        """Rows per change (held removals are not counted: they do not happen)."""
        out = dict.fromkeys(Change, 0)
        for row in self.rows.values():
            out[row.change] += 1
        out[Change.REMOVE] = sum(1 for r in self.removals if not r.held)
        return out


def _key(type_id: int | None, unlabeled: int | None) -> int:
    return LINK if type_id is None or type_id == unlabeled else type_id


def _index(
    from_ids: Sequence[str], to_ids: Sequence[str], keys: Sequence[int] | None = None
) -> pd.MultiIndex:
    arrays: list[list[object]] = [list(from_ids), list(to_ids)]
    if keys is not None:
        arrays.append(list(keys))
    return pd.MultiIndex.from_arrays(arrays)


def diff(
    wanted: Sequence[Wanted],
    portal: Portal,
    scope: Iterable[str],
    *,
    unlabeled: int | None,
    protected: frozenset[int] = frozenset(),
) -> Diff:
    """The diff of one object pair (see the module docstring).

    ``portal``: what the portal held before the sync, for (at least) the records in ``scope``;
    ``unlabeled``: the pair's unlabeled type id; ``protected``: type ids never removed.
    """
    scope_ids = list(dict.fromkeys(scope))
    entries = [
        (f, t, _key(type_id, unlabeled))
        for f in scope_ids
        for t, types in portal.get(f, {}).items()
        for type_id in ({None} | set(types) if types else set())
    ]
    entries = list(dict.fromkeys(entries))  # the unlabeled type and the link are one entry
    result = Diff(scope_entries=len(entries))
    in_portal = _index(*zip(*entries, strict=True)) if entries else _index([], [], [])
    result.rows = _row_changes(wanted, in_portal, unlabeled)
    sheet_pairs = _index([w.from_id for w in wanted], [w.to_id for w in wanted])
    sheet_keys = _index(
        [w.from_id for w in wanted],
        [w.to_id for w in wanted],
        [_key(w.type_id, unlabeled) for w in wanted],
    )
    result.removals = _removals(entries, sheet_keys, sheet_pairs, portal, unlabeled, protected)
    return result


def _row_changes(
    wanted: Sequence[Wanted], in_portal: pd.MultiIndex, unlabeled: int | None
) -> dict[int, RowChange]:
    if not wanted:
        return {}
    from_ids = [w.from_id for w in wanted]
    to_ids = [w.to_id for w in wanted]
    keys = [_key(w.type_id, unlabeled) for w in wanted]
    existed = np.asarray(_index(from_ids, to_ids, keys).isin(in_portal), dtype=bool)
    links = _index(from_ids, to_ids, [LINK] * len(wanted))
    linked = np.asarray(links.isin(in_portal), dtype=bool)
    return {
        w.position: RowChange(Change.KEEP if e else Change.ADD, bool(e), bool(k))
        for w, e, k in zip(wanted, existed.tolist(), linked.tolist(), strict=True)
    }


def _removals(
    entries: list[tuple[str, str, int]],
    sheet_keys: pd.MultiIndex,
    sheet_pairs: pd.MultiIndex,
    portal: Portal,
    unlabeled: int | None,
    protected: frozenset[int],
) -> list[Removal]:
    if not entries:
        return []
    in_sheet = np.asarray(_index(*zip(*entries, strict=True)).isin(sheet_keys), dtype=bool)
    pairs = _index([e[0] for e in entries], [e[1] for e in entries])
    pair_kept = np.asarray(pairs.isin(sheet_pairs), dtype=bool)
    out: list[Removal] = []
    for (f, t, key), listed, kept in zip(
        entries, in_sheet.tolist(), pair_kept.tolist(), strict=True
    ):
        if listed or (key == LINK and kept):
            continue
        types = portal[f][t]
        if key == LINK:
            held = not protected.isdisjoint(types)
            link_type = unlabeled if unlabeled in types else None
            out.append(Removal(f, t, link_type, link=True, held=held))
            continue
        pair_goes = not kept and protected.isdisjoint(types)
        out.append(Removal(f, t, key, link=False, with_pair=pair_goes, held=key in protected))
    order = {f: n for n, f in enumerate(dict.fromkeys(e[0] for e in entries))}
    out.sort(key=lambda r: (order[r.from_id], _number(r.to_id), r.link, r.type_id or 0))
    return out


def _number(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (0, text)


__all__ = ["LINK", "Change", "Diff", "Removal", "RowChange", "Wanted", "diff"]
