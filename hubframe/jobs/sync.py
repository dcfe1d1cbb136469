"""The sync job: make the portal's associations equal a sheet's, for the records it names.

:func:`sync` reads the sheet as :func:`hubframe.associate` does (ids looked up, every row
validated, labels resolved), reads what the portal holds for the records in scope (every from
id of the sheet, or those of ``scope=``), and compares the two (:mod:`hubframe.run.diff`):

* ``add``: a pair or a label the sheet has and the portal lacks (sent like ``associate``);
* ``remove``: a label or a pair the portal has and the sheet lacks -- only with
  ``allow_removals=True`` (a label: batch labels archive, the pair stays; a pair the sheet
  does not list at all: batch archive, with every label);
* ``keep``: already as the sheet says (not sent).

The result has one row per sheet row plus one row per planned removal (``sheet`` is
``"(portal)"``, ``row`` empty), with a ``change`` column (``add`` / ``remove`` / ``keep``)
and a ``reason`` in plain words; the counts per change ride in ``attrs["hubframe"]["sync"]``
(:func:`sync_facts`).  The rows are sent by the run pipeline (journal, resume, 207 mapping,
rate limiter), removals first (:mod:`hubframe.run.phases`), and the result can be undone
exactly with :func:`hubframe.undo`: additions are taken back as after ``associate``, and each
removed association is created again with its type (``existed_before`` is true on removal
rows).

Safety:

* removals are off unless asked, and more than :func:`removal_allowance` of them (10 % of the
  associations in scope, at least 10, at most 500) stop a real run before anything is sent
  (:class:`RemovalGuard`, ``TOO_MANY_REMOVALS``) unless ``max_removals`` allows that many; a dry
  run shows the plan with the warning on the removal rows;
* HubSpot-defined primary associations (labels named "Primary") are never removed without
  ``allow_primary_removal=True`` (``PRIMARY_PROTECTED``), nor the pairs holding them;
* nothing of a record is removed while a row of it could not be compared (invalid, unknown
  label, label and type id disagreeing): a typo must not read as "remove" (``REMOVAL_HELD``);
* configured limits are predicted for the additions, counting the portal after the removals
  (which are sent first), as pre-flight does for ``associate``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Unpack

import numpy as np
import pandas as pd

from hubframe.constants import (
    EXISTING_COLUMNS,
    HUBSPOT_DEFINED,
    NO_TARGETS_COLUMN,
    PORTAL_SHEET,
)
from hubframe.errors import ErrorCode, HubframeError, StopReason
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.diff import Change, Diff, Removal, RowChange, Wanted, diff
from hubframe.run.labels import UNLABELED_NAMES, LabelBook, LabelDef, normalize_label
from hubframe.run.options import RunKwargs, RunOptions
from hubframe.run.pairs import prepare_pairs, with_actions
from hubframe.run.phases import run_in_phases
from hubframe.run.pipeline import Note, Prepared, RunContext
from hubframe.run.preflight import PortalState, limit_rules, predict
from hubframe.run.reads import read_links, types_of
from hubframe.run.rows import as_frame, issue_outcomes, text, value
from hubframe.run.table import ExtraColumn
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, ObjectPair, RecordPair, Status, object_noun

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


def removal_allowance(scope_entries: int, max_removals: int | None = None) -> int:
    """Removals a sync may make: ``max_removals`` when given, else 10 % of the associations in
    scope (as an export lists them), at least 10, at most 500."""
    if max_removals is not None:
        return max(0, int(max_removals))
    share = math.floor(REMOVAL_SHARE * scope_entries)
    return min(REMOVAL_CAP, max(REMOVAL_FLOOR, share))


@dataclass(frozen=True)
class SyncFacts:
    """What a sync found, carried by its result table (``attrs["hubframe"]["sync"]``).

    ``counts``: rows per change (``add``, ``remove``, ``keep``); ``not_in_sheet``: portal
    associations in scope the sheet lacks (removed only with ``allow_removals``); ``held``:
    removals held back (primary, or a record with invalid rows); ``allowance``: removals
    allowed; ``guard``: the planned removals exceed it (a real run refuses).
    """

    counts: Mapping[str, int]
    allow_removals: bool
    not_in_sheet: int
    held: int
    allowance: int
    guard: bool
    scope_records: int
    scope_entries: int

    def __deepcopy__(self, memo: dict[int, Any]) -> SyncFacts:
        return self


def sync_facts(result: pd.DataFrame) -> SyncFacts | None:
    """The :class:`SyncFacts` of a sync's result table (None for other tables)."""
    meta = result.attrs.get("hubframe")
    found = meta.get(SYNC_KEY) if isinstance(meta, Mapping) else None
    return found if isinstance(found, SyncFacts) else None


def change_counts(result: pd.DataFrame) -> dict[str, int]:
    """Rows per change of a sync's result (also of one read back from a report)."""
    if "change" not in result.columns:
        return {}
    counts = result["change"].astype("string").value_counts()
    return {str(c): int(counts.get(str(c), 0)) for c in Change}


@dataclass(frozen=True)
class _Rules:
    allow_removals: bool
    max_removals: int | None
    allow_primary_removal: bool
    scope: frozenset[str] | None
    send_predicted_failures: bool
    dry_run: bool


def sync(
    pairs: Any,
    client: HubSpotClient,
    *,
    allow_removals: bool = False,
    max_removals: int | None = None,
    allow_primary_removal: bool = False,
    scope: Iterable[Any] | None = None,
    send_predicted_failures: bool = False,
    issues: pd.DataFrame | None = None,
    **run: Unpack[RunKwargs],
) -> pd.DataFrame:
    """Make the portal's associations equal the sheet's for the records it names; returns the
    result table (one row per sheet row, plus one per planned removal).  See the module
    docstring for what is compared, sent and refused.

    ``pairs``: anything :func:`hubframe.read_pairs` reads, or its output (an export of
    :func:`hubframe.read_associations` too).  A row with a from id and no to id (and no label)
    puts its record in scope with no associations.  ``scope``: from ids to sync (others
    ``skipped``, ``OUT_OF_SCOPE``); default every from id of the sheet.  ``allow_removals``,
    ``max_removals``, ``allow_primary_removal``: the removal rules above.
    ``send_predicted_failures``: send additions a configured limit is predicted to refuse.
    Run options as for :func:`hubframe.associate`; ``dry_run=True`` returns the plan (the diff)
    and sends nothing.
    """
    options = RunOptions.of(run)
    rules = _Rules(
        allow_removals=allow_removals,
        max_removals=max_removals,
        allow_primary_removal=allow_primary_removal,
        scope=None if scope is None else frozenset(_ids(scope)),
        send_predicted_failures=send_predicted_failures,
        dry_run=options.dry_run,
    )
    return run_in_phases(_Sync(pairs, rules, issues), client, options)


def _ids(values: Iterable[Any]) -> list[str]:
    from hubframe.io.normalize import clean_id

    out = []
    for v in values:
        if value(v) is None:
            continue
        cleaned = clean_id(str(int(v)) if isinstance(v, int | np.integer) else str(v))
        if cleaned is not None:
            out.append(cleaned)
    return out


# --- the job ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sync:
    source: Any
    rules: _Rules
    issues: pd.DataFrame | None
    #: removal rows that ride on their pair's removal: position -> the pair's row position
    riders: dict[int, int] = field(default_factory=dict)

    def prepare(self, run: RunContext) -> Prepared:
        from hubframe.run.lookup import resolve_ids
        from hubframe.validate import validate_pairs

        source = as_frame(self.source, "pairs")
        frame, looked_up = resolve_ids(source, run.client)
        frame, marked = _mark_no_targets(frame)
        known = self.issues is not None and frame is source and not marked
        issues = self.issues if known and self.issues is not None else validate_pairs(frame)
        settled = with_actions(frame, issue_outcomes(frame, issues) | looked_up)
        prepared = Prepared("pairs", frame, "sync", settled=settled, issues=issues)
        book = LabelBook(run.client)
        prepare_pairs(prepared, book)
        items = list(prepared.items)
        if prepared.stop is not None:
            prepared.items, prepared.count = (), 0
            return prepared
        planner = _Planner(prepared, book, run, self.rules)
        planner.plan(_matching(items, prepared, book))
        self.riders.update(planner.riders)
        return prepared

    def finish(self, prepared: Prepared, outcomes: dict[int, Outcome]) -> None:
        """A label removed with its pair gets the outcome of the pair's removal."""
        for pos, pair_row in self.riders.items():
            found = outcomes.get(pair_row)
            if found is None:
                continue
            said = found.error_message
            message = "Removed with the association of the pair (its own row)."
            if found.status is not Status.SUCCESS:
                message = f"Removed with the association of the pair (its own row): {said}"
            if found.status is Status.PLANNED and said is None:
                message = "Planned: removed with the association of the pair (its own row)."
            outcomes[pos] = found.with_(action=Action.ARCHIVE_LABELS, error_message=message)


def _mark_no_targets(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """A row naming a record and nothing else (no to id, no label, no type id) puts the record
    in scope with no associations: marked like an export's empty association cell."""
    empty = frame["to_id"].isna() & frame["from_id"].notna()
    for column in ("label", "type_id", "category"):
        empty &= frame[column].isna()
    if not bool(empty.any()):
        return frame, False
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    before = out[NO_TARGETS_COLUMN] if NO_TARGETS_COLUMN in out.columns else False
    out[NO_TARGETS_COLUMN] = (empty | before).astype(bool)
    return out, True


# --- a row's label and type id must agree -------------------------------------------------------


def _matching(items: list[WorkItem], prepared: Prepared, book: LabelBook) -> list[WorkItem]:
    """The items whose label and type id agree; the others settled ``LABEL_TYPE_MISMATCH``."""
    frame = prepared.frame
    meta = frame.attrs.get("hubframe") or {}
    label_column = "label" in set((meta.get("column_map") or {}).values())
    given_type = frame["type_id"].notna().to_numpy(dtype=bool)
    keep: list[WorkItem] = []
    for item in items:
        problem = None
        if given_type[item.position] and item.type_id is not None:
            problem = _mismatch(item, book, label_column or item.label is not None)
        if problem is None:
            keep.append(item)
        else:
            prepared.settled[item.position] = Outcome(
                Status.INVALID,
                action=item.action,
                error_code=ErrorCode.LABEL_TYPE_MISMATCH,
                error_message=problem,
            )
    return keep


def _mismatch(item: WorkItem, book: LabelBook, check_empty: bool) -> str | None:
    try:
        defs = {d.type_id: d for d in book.labels(item.from_type, item.to_type)}
    except HubframeError:
        return None
    known = defs.get(int(item.type_id or 0))
    if known is None:
        return None
    written = item.label
    if written is None:
        if not check_empty or known.label is None:
            return None
        return (
            f'The label cell is empty but type id {item.type_id} is "{known.label}"; to remove '
            "the label, clear the type id and category too (or delete the row)."
        )
    if known.label is None and normalize_label(written) in UNLABELED_NAMES:
        return None
    if known.label is not None and normalize_label(written) == normalize_label(known.label):
        return None
    named = f'"{known.label}"' if known.label else "the unlabeled type"
    return (
        f'The label "{written}" and type id {item.type_id} ({named}) disagree; when you '
        "change a label, clear the type id and category too."
    )


# --- planning -------------------------------------------------------------------------------------


@dataclass
class _PairPlan:
    """One object pair of the sheet: its rows, its scope and what the portal holds."""

    pair: ObjectPair
    items: list[WorkItem] = field(default_factory=list)
    scope: dict[str, None] = field(default_factory=dict)
    blocked: dict[str, int] = field(default_factory=dict)  # from id -> an invalid row's position
    portal: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    unlabeled: int | None = None
    defs: dict[int, LabelDef] = field(default_factory=dict)
    result: Diff = field(default_factory=Diff)


@dataclass
class _Removal:
    pair: ObjectPair
    found: Removal
    label: str | None
    category: str | None
    outcome: Outcome | None = None  # set: not sent (held)


class _Planner:
    """Turns the resolved sheet rows into the sync's work (see the module docstring)."""

    def __init__(self, prepared: Prepared, book: LabelBook, run: RunContext, rules: _Rules) -> None:
        self.prepared, self.book, self.run, self.rules = prepared, book, run, rules
        self.rows: dict[int, RowChange] = {}
        self.reasons: dict[int, str] = {}
        self.riders: dict[int, int] = {}
        self.sheet_rows = len(prepared.frame)

    # the steps, in order

    def plan(self, items: list[WorkItem]) -> None:
        pairs = self._group(items)
        try:
            self._read(pairs)
        except HubframeError as exc:  # only errors that stop every run come out
            self.prepared.stop_all(StopReason.of(exc), {i.position: i.action for i in items})
            return
        adds: list[WorkItem] = []
        removals: list[_Removal] = []
        for plan in pairs.values():
            if plan.pair in self._failed:
                continue
            plan.result = diff(
                [Wanted(i.position, str(i.from_id), str(i.to_id), i.type_id) for i in plan.items],
                plan.portal,
                plan.scope,
                unlabeled=plan.unlabeled,
                protected=frozenset() if self.rules.allow_primary_removal else _primary(plan),
            )
            adds += self._rows(plan)
            removals += self._removals(plan)
        planned = self._append(removals) if self.rules.allow_removals else []
        facts = self._facts(pairs, removals)
        if facts.guard and not self.rules.dry_run:
            raise RemovalGuard(_guard_message(facts, real=True))
        if facts.guard:
            note = Note(_guard_message(facts, real=False), ErrorCode.TOO_MANY_REMOVALS)
            self.prepared.notes.update({i.position: note for i in planned})
        adds = self._predict(pairs, adds, removals)
        self.prepared.items = [*planned, *adds]
        self.prepared.count = len(self.prepared.items)
        self.prepared.extra = self._columns()
        self._keep_facts(facts)

    def _group(self, items: list[WorkItem]) -> dict[ObjectPair, _PairPlan]:
        """Rows by object pair, the scope (from ids) and the records with invalid rows."""
        prepared, scope = self.prepared, self.rules.scope
        pairs: dict[ObjectPair, _PairPlan] = {}
        for item in items:
            if scope is not None and str(item.from_id) not in scope:
                self._out_of_scope(item.position, item.action, str(item.from_id))
                continue
            plan = pairs.setdefault(item.objects, _PairPlan(item.objects))
            plan.items.append(item)
            plan.scope[str(item.from_id)] = None
        frame = prepared.frame
        for pos, outcome in list(prepared.settled.items()):
            row = frame.iloc[pos]
            pair = ObjectPair(str(text(row["from_type"])), str(text(row["to_type"])))
            from_id = text(row["from_id"])
            if from_id is None:
                continue
            if outcome.error_code is ErrorCode.NO_TARGETS:
                if scope is not None and from_id not in scope:
                    continue
                pairs.setdefault(pair, _PairPlan(pair)).scope[from_id] = None
                self.reasons[pos] = "In scope with no associations listed in the sheet."
            elif outcome.status in (Status.INVALID, Status.FAILED):
                pairs.setdefault(pair, _PairPlan(pair)).blocked.setdefault(from_id, pos)
        for plan in pairs.values():  # what a record with invalid rows keeps is shown, held
            if plan.scope:
                for from_id in plan.blocked:
                    if from_id.isdigit() and (scope is None or from_id in scope):
                        plan.scope.setdefault(from_id, None)
        return pairs

    def _out_of_scope(self, pos: int, action: Action, from_id: str) -> None:
        self.prepared.settled[pos] = Outcome(
            Status.SKIPPED,
            action=action,
            error_code=ErrorCode.OUT_OF_SCOPE,
            error_message=f"Not compared: record {from_id} is outside the scope given.",
        )

    def _read(self, pairs: Mapping[ObjectPair, _PairPlan]) -> None:
        """What the portal held before the sync, for each pair's scope (a journal's memory of
        an interrupted first run wins, so a resumed sync plans what the first one did)."""
        self._failed: dict[ObjectPair, HubframeError] = {}
        journal = None if self.rules.dry_run else self.run.journal
        for pair, plan in pairs.items():
            if not plan.scope:
                continue
            try:
                plan.defs = {d.type_id: d for d in self.book.labels(*pair)}
                unlabeled = self.book.unlabeled(*pair)
                plan.unlabeled = unlabeled.type_id if unlabeled is not None else None
                found = read_links(self.run.client, pair.from_type, pair.to_type, plan.scope)
            except HubframeError as exc:
                if exc.stops_run:
                    raise
                self._fail_pair(plan, exc)
                continue
            plan.portal = {f: types_of(entries) for f, entries in found.items() if entries}
            if self.run.journal is not None:
                _recall(plan, self.run.journal.existing(*pair))
            if journal is not None:
                journal.remember_existing(pair.from_type, pair.to_type, _states(plan))

    def _fail_pair(self, plan: _PairPlan, exc: HubframeError) -> None:
        self._failed[plan.pair] = exc
        message = f"Could not read the portal's associations for the sync: {exc}"
        for item in plan.items:
            self.prepared.settled[item.position] = Outcome.of_error(
                Status.FAILED, exc, message, action=item.action
            )

    def _rows(self, plan: _PairPlan) -> list[WorkItem]:
        """The sheet rows' changes: keeps settled, additions returned."""
        adds: list[WorkItem] = []
        for item in plan.items:
            change = plan.result.rows[item.position]
            self.rows[item.position] = change
            self.reasons[item.position] = _row_reason(item, change, plan)
            if change.change is Change.KEEP:
                self.prepared.settled[item.position] = Outcome(
                    Status.SKIPPED,
                    action=item.action,
                    error_code=ErrorCode.ALREADY_ASSOCIATED,
                    error_message="Kept: already in the portal as the sheet says; not sent.",
                )
            else:
                adds.append(item)
        return adds

    def _removals(self, plan: _PairPlan) -> list[_Removal]:
        out: list[_Removal] = []
        for found in plan.result.removals:
            known = plan.defs.get(found.type_id) if found.type_id is not None else None
            label = None if found.link or known is None else known.label
            category = known.category if known is not None else None
            removal = _Removal(plan.pair, found, label, category)
            if found.held:
                removal.outcome = _held(found, plan)
            elif found.from_id in plan.blocked:
                removal.outcome = _blocked(plan, found.from_id, self.prepared)
            out.append(removal)
        return out

    def _append(self, removals: list[_Removal]) -> list[WorkItem]:
        """The removal rows, appended to the frame; the removals to send."""
        if not removals:
            return []
        prepared = self.prepared
        start = len(prepared.frame)
        prepared.frame = _with_rows(prepared.frame, removals)
        items: list[WorkItem] = []
        links: dict[tuple[ObjectPair, str, str], int] = {}
        riders: list[tuple[int, _Removal]] = []
        for n, removal in enumerate(removals):
            pos, found = start + n, removal.found
            action = Action.ARCHIVE if found.link else Action.ARCHIVE_LABELS
            self.rows[pos] = RowChange(Change.REMOVE, True, True)
            self.reasons[pos] = _removal_reason(removal)
            if removal.outcome is not None:
                prepared.settled[pos] = removal.outcome.with_(action=action)
            elif found.with_pair:
                riders.append((pos, removal))
            else:
                item = WorkItem(
                    position=pos,
                    action=action,
                    from_type=removal.pair.from_type,
                    to_type=removal.pair.to_type,
                    from_id=found.from_id,
                    to_id=found.to_id,
                    category=None if found.link else removal.category,
                    type_id=None if found.link else found.type_id,
                    label=removal.label,
                )
                items.append(item)
                if found.link:
                    links[(removal.pair, found.from_id, found.to_id)] = pos
        for pos, removal in riders:
            self.riders[pos] = links[(removal.pair, removal.found.from_id, removal.found.to_id)]
        return items

    def _predict(
        self,
        pairs: Mapping[ObjectPair, _PairPlan],
        adds: list[WorkItem],
        removals: list[_Removal],
    ) -> list[WorkItem]:
        """Configured limits, counted on the portal after the removals (sent first)."""
        if not adds:
            return adds
        gone = {
            (r.pair, r.found.from_id, r.found.to_id, r.found.link, r.found.type_id)
            for r in removals
            if r.outcome is None and self.rules.allow_removals
        }
        state = PortalState()
        for pair, plan in pairs.items():
            if pair in self._failed or not plan.scope:
                continue
            try:
                state.limits[pair] = limit_rules(self.run.client, pair)
            except HubframeError as exc:
                if exc.stops_run:
                    raise
                state.failed[pair] = exc  # no prediction; HubSpot still enforces its limits
            state.links[pair] = _after(plan, gone)
        unlabeled = {pair: plan.unlabeled for pair, plan in pairs.items()}
        checks = predict(adds, state, unlabeled=unlabeled)
        keep: list[WorkItem] = []
        for item in adds:
            check = checks.get(item.position)
            if check is None or check.code is not ErrorCode.LIMIT_EXCEEDED:
                keep.append(item)
                continue
            if self.rules.send_predicted_failures:
                note = f"{check.message}; HubSpot will refuse it (sent: send_predicted_failures)."
                self.prepared.notes[item.position] = Note(note, check.code)
                keep.append(item)
                continue
            self.prepared.settled[item.position] = _limit_outcome(item, check.message, self.rules)
        return keep

    # the result's columns and facts

    def _columns(self) -> list[ExtraColumn]:
        rows = len(self.prepared.frame)
        change = [self.rows[p].change.value if p in self.rows else None for p in range(rows)]
        reason = [self.reasons.get(p) for p in range(rows)]
        existed = [self.rows[p].existed_before if p in self.rows else None for p in range(rows)]
        linked = [self.rows[p].linked_before if p in self.rows else None for p in range(rows)]
        return [
            ExtraColumn("row", "change", pd.Series(change, dtype="string")),
            ExtraColumn("change", "reason", pd.Series(reason, dtype="string")),
            ExtraColumn("attempts", EXISTING_COLUMNS[0], pd.Series(existed, dtype="boolean")),
            ExtraColumn(
                EXISTING_COLUMNS[0], EXISTING_COLUMNS[1], pd.Series(linked, dtype="boolean")
            ),
        ]

    def _facts(self, pairs: Mapping[ObjectPair, _PairPlan], removals: list[_Removal]) -> SyncFacts:
        entries = sum(p.result.scope_entries for p in pairs.values())
        counts = dict.fromkeys([c.value for c in Change], 0)
        for change in self.rows.values():
            counts[change.change.value] += 1
        sent = [r for r in removals if r.outcome is None]
        counts[Change.REMOVE.value] = len(sent) if self.rules.allow_removals else 0
        allowance = removal_allowance(entries, self.rules.max_removals)
        return SyncFacts(
            counts=counts,
            allow_removals=self.rules.allow_removals,
            not_in_sheet=len(removals),
            held=len(removals) - len(sent) if self.rules.allow_removals else 0,
            allowance=allowance,
            guard=self.rules.allow_removals and len(sent) > allowance,
            scope_records=sum(len(p.scope) for p in pairs.values()),
            scope_entries=entries,
        )

    def _keep_facts(self, facts: SyncFacts) -> None:
        frame = self.prepared.frame
        meta = dict(frame.attrs.get("hubframe") or {})
        meta[SYNC_KEY] = facts
        frame.attrs = {**frame.attrs, "hubframe": meta}


# --- helpers ------------------------------------------------------------------------------------


def _primary(plan: _PairPlan) -> frozenset[int]:
    """HubSpot-defined primary types of the pair (labels named "Primary")."""
    return frozenset(
        d.type_id
        for d in plan.defs.values()
        if d.category == HUBSPOT_DEFINED and d.label and normalize_label(d.label) == PRIMARY_LABEL
    )


def _recall(plan: _PairPlan, remembered: Mapping[RecordPair, frozenset[int]]) -> None:
    """What a journal remembers of the pairs in scope replaces what the portal shows now."""
    for (from_id, to_id), types in remembered.items():
        if from_id not in plan.scope:
            continue
        targets = plan.portal.setdefault(from_id, {})
        if types:
            targets[to_id] = types
        else:
            targets.pop(to_id, None)


def _states(plan: _PairPlan) -> dict[RecordPair, frozenset[int]]:
    """Every pair of the scope (the portal's and the sheet's) with its types before sending."""
    out = {
        RecordPair(f, t): types
        for f, targets in plan.portal.items()
        for t, types in targets.items()
    }
    for item in plan.items:
        out.setdefault(item.records, frozenset())
    return out


def _after(
    plan: _PairPlan, gone: set[tuple[ObjectPair, str, str, bool, int | None]]
) -> dict[str, dict[str, frozenset[int]]]:
    """The pair's portal once the planned removals are done."""
    out: dict[str, dict[str, frozenset[int]]] = {}
    for from_id, targets in plan.portal.items():
        kept: dict[str, frozenset[int]] = {}
        for to_id, types in targets.items():
            if (plan.pair, from_id, to_id, True, None) in gone or any(
                (plan.pair, from_id, to_id, True, t) in gone for t in types
            ):
                continue
            left = frozenset(t for t in types if (plan.pair, from_id, to_id, False, t) not in gone)
            if left:
                kept[to_id] = left
        out[from_id] = kept
    return out


def _limit_outcome(item: WorkItem, message: str | None, rules: _Rules) -> Outcome:
    if rules.dry_run:
        status, said = Status.PLANNED, f"{message}; a real run will not send it."
    else:
        status = Status.FAILED
        said = f"{message}; not sent (send_predicted_failures=True sends it anyway)."
    return Outcome(
        status, action=item.action, error_code=ErrorCode.LIMIT_EXCEEDED, error_message=said
    )


def _held(found: Removal, plan: _PairPlan) -> Outcome:
    what = (
        "a HubSpot-defined primary association"
        if not found.link
        else ("the pair holds a HubSpot-defined primary association")
    )
    return Outcome(
        Status.SKIPPED,
        error_code=ErrorCode.PRIMARY_PROTECTED,
        error_message=(
            f"Kept: {what}; a sync removes it only with allow_primary_removal=True "
            "(--allow-primary-removal)."
        ),
    )


def _blocked(plan: _PairPlan, from_id: str, prepared: Prepared) -> Outcome:
    pos = plan.blocked[from_id]
    row = value(prepared.frame["row"].iloc[pos])
    where = f"row {row}" if row is not None else "a row"
    noun = object_noun(plan.pair.from_type)
    return Outcome(
        Status.SKIPPED,
        error_code=ErrorCode.REMOVAL_HELD,
        error_message=(
            f"Kept: {where} of the sheet for {noun} {from_id} could not be compared (see its "
            f"message); nothing of this {noun} is removed until it is fixed."
        ),
    )


def _with_rows(frame: pd.DataFrame, removals: list[_Removal]) -> pd.DataFrame:
    """The frame with one row per removal: sheet "(portal)", no row number, the pair columns
    (the label as the portal names it), the analyst's columns empty."""
    n = len(removals)
    given: dict[str, list[Any]] = {
        "sheet": [PORTAL_SHEET] * n,
        "from_type": [r.pair.from_type for r in removals],
        "from_id": [r.found.from_id for r in removals],
        "to_type": [r.pair.to_type for r in removals],
        "to_id": [r.found.to_id for r in removals],
        "label": [r.label for r in removals],
        "category": [r.category for r in removals],
        "type_id": [r.found.type_id for r in removals],
        NO_TARGETS_COLUMN: [False] * n,
    }
    head = frame.astype({"row": "Int64"})
    extra = pd.DataFrame(
        {c: _column(given.get(c, [None] * n), head[c].dtype) for c in head.columns}
    )
    combined = pd.concat([head, extra], ignore_index=True)
    combined.attrs = dict(frame.attrs)
    return combined


def _column(values: list[Any], dtype: Any) -> pd.Series:
    try:
        column: pd.Series = pd.Series(values, dtype=dtype)
    except (TypeError, ValueError):
        column = pd.Series(values, dtype=object)
    return column


def _label_words(label: str | None) -> str:
    return f' as "{label}"' if label else ""


def _row_reason(item: WorkItem, change: RowChange, plan: _PairPlan) -> str:
    f, t = object_noun(item.from_type), object_noun(item.to_type)
    who = f"{f} {item.from_id} and {t} {item.to_id}"
    known = plan.defs.get(item.type_id) if item.type_id is not None else None
    label = known.label if known is not None else item.label
    if label is None and item.type_id is not None and item.type_id != plan.unlabeled:
        label = f"type {item.type_id}"
    if change.change is Change.KEEP:
        return f"In the portal as in the sheet: {who} are associated{_label_words(label)}."
    if not change.linked_before:
        said = _label_words(label)
        return f"Not in the portal: {who} are not associated; the sync associates them{said}."
    return f'{who.capitalize()} are associated without "{label}": the sync adds the label.'


def _removal_reason(removal: _Removal) -> str:
    found, pair = removal.found, removal.pair
    f, t = object_noun(pair.from_type), object_noun(pair.to_type)
    who = f"{f} {found.from_id} and {t} {found.to_id}"
    if found.link:
        return (
            f"In the portal, not in the sheet: {who} are no longer associated (with every label)."
        )
    if found.with_pair:
        return (
            f'In the portal, not in the sheet: the label "{removal.label}" goes with the '
            f"association of {who}."
        )
    return (
        f'In the portal, not in the sheet: the label "{removal.label}" of {who} is removed; '
        "they stay associated."
    )


def _guard_message(facts: SyncFacts, *, real: bool) -> str:
    planned = facts.counts[Change.REMOVE.value]
    return (
        f"{planned} removals planned, more than the {facts.allowance} a sync makes without "
        f"max_removals= (10 % of the {facts.scope_entries} associations in scope, at least "
        f"{REMOVAL_FLOOR}, at most {REMOVAL_CAP}); check the sheet lists every association to "
        f"keep, then allow them with max_removals={planned} (--max-removals {planned})"
        + (". Nothing was sent." if real else "; a real run without it refuses to start.")
    )


__all__ = [
    "REMOVAL_CAP",
    "REMOVAL_FLOOR",
    "REMOVAL_SHARE",
    "RemovalGuard",
    "SyncFacts",
    "change_counts",
    "removal_allowance",
    "sync",
    "sync_facts",
]
