"""The rules of a sync and what it found: the removal guard, the options, the facts it reports.

Shared by :mod:`hubframe.jobs.sync` (the public job) and :mod:`hubframe.jobs.sync_plan` (its
planning).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from hubframe.errors import ErrorCode, HubframeError, HubframeWarning

#: The removal guard: more removals than this share of the associations in scope ...
REMOVAL_SHARE: Final = 0.10
#: ... (but never fewer than this many, nor more than the cap) need ``max_removals``.
REMOVAL_FLOOR: Final = 10
REMOVAL_CAP: Final = 500
#: HubSpot-defined labels with this name are the primary associations a sync keeps.
PRIMARY_LABEL: Final = "primary"
#: Where a result table keeps its :class:`SyncFacts`: ``attrs["hubframe"]["sync"]``.
SYNC_KEY: Final = "sync"


class RemovalGuard(HubframeError):
    """A real sync would remove more associations than it may without ``max_removals``."""

    code = ErrorCode.TOO_MANY_REMOVALS


class ScopeUnlisted(HubframeWarning):
    """Records of ``scope=`` the sheet has no row for: not compared, left as they are."""


def warn_scope_unlisted(records: Collection[str]) -> None:
    """Warn of the records of ``scope=`` that no row of the sheet names (see
    :class:`ScopeUnlisted`): a sync compares what the sheet lists of a record, and to sync one
    to no associations the sheet keeps a row of it with an empty to id."""
    if not records:
        return
    shown = ", ".join(sorted(records)[:5]) + (
        f" and {len(records) - 5} more" if len(records) > 5 else ""
    )
    warnings.warn(
        ScopeUnlisted(
            f"scope= names {len(records):,} record(s) that no row of the sheet names ({shown}): "
            "they were not compared, and what the portal holds for them is left as it is. To "
            "remove every association of a record, keep a row of it with an empty to id."
        ),
        stacklevel=4,
    )


def removal_allowance(scope_entries: int, max_removals: int | None = None) -> int:
    """Removals a sync may make: ``max_removals`` when given, else 10 % of the associations in
    scope (as an export lists them: each link and each label), at least 10, at most 500."""
    if max_removals is not None:
        return max(0, int(max_removals))
    share = math.floor(REMOVAL_SHARE * scope_entries)
    return min(REMOVAL_CAP, max(REMOVAL_FLOOR, share))


@dataclass(frozen=True)
class SyncRules:
    """The options of one sync (see :func:`hubframe.sync`)."""

    allow_removals: bool
    max_removals: int | None
    allow_primary_removal: bool
    scope: frozenset[str] | None
    send_predicted_failures: bool
    dry_run: bool


@dataclass(frozen=True)
class SyncFacts:
    """What a sync found, carried by its result table (``attrs["hubframe"]["sync"]``).

    ``counts``: rows per change (``add``, ``remove``, ``keep``; removals only when allowed);
    ``not_in_sheet``: the portal's associations in scope that the sheet lacks (removed only
    with ``allow_removals``); ``held``: removals held back (primary, or a record with invalid
    rows); ``allowance``: removals allowed; ``guard``: the planned removals exceed it (a real
    run refuses); ``scope_records`` / ``scope_entries``: the records in scope and their
    associations (links and labels); ``allowance_given``: the allowance is ``max_removals``'s.
    """

    counts: Mapping[str, int]
    allow_removals: bool
    not_in_sheet: int
    held: int
    allowance: int
    guard: bool
    scope_records: int
    scope_entries: int
    allowance_given: bool = False

    def __deepcopy__(self, memo: dict[int, Any]) -> SyncFacts:
        return self


def sync_facts(result: pd.DataFrame) -> SyncFacts | None:
    """The :class:`SyncFacts` of a sync's result table (None for other tables, and for one
    read back from a file: use :func:`change_counts` there)."""
    meta = result.attrs.get("hubframe")
    found = meta.get(SYNC_KEY) if isinstance(meta, Mapping) else None
    return found if isinstance(found, SyncFacts) else None


def change_counts(result: pd.DataFrame) -> dict[str, int]:
    """Rows per change of a sync's result (also of one read back from a report); {} for
    other tables."""
    if "change" not in result.columns:
        return {}
    counts = result["change"].astype("string").value_counts()
    return {c: int(counts.get(c, 0)) for c in ("add", "remove", "keep")}


def guard_message(facts: SyncFacts, *, real: bool) -> str:
    """Why the guard stops a real run (``real``) or warns on a dry run's removal rows."""
    planned, allowed = facts.counts["remove"], facts.allowance
    if facts.allowance_given:
        given = f"max_removals={allowed} (--max-removals {allowed})"
        why = (
            f"{given} forbids removals"
            if allowed == 0
            else f"more than the {allowed} {given} allows"
        )
        said = f"{planned} removals planned, {why}"
    else:
        said = (
            f"{planned} removals planned, more than the {allowed} a sync makes without "
            f"max_removals= (--max-removals; 10 % of the {facts.scope_entries} associations in "
            f"scope, at least {REMOVAL_FLOOR}, at most {REMOVAL_CAP})"
        )
    return (
        f"{said}; check the sheet lists every association to keep, then allow them with "
        f"max_removals={planned} (--max-removals {planned})"
        + (". Nothing was sent." if real else "; a real run without it refuses to start.")
    )


__all__ = [
    "PRIMARY_LABEL",
    "REMOVAL_CAP",
    "REMOVAL_FLOOR",
    "REMOVAL_SHARE",
    "SYNC_KEY",
    "RemovalGuard",
    "SyncFacts",
    "SyncRules",
    "change_counts",
    "guard_message",
    "removal_allowance",
    "sync_facts",
]
