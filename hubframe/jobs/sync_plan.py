"""Planning a sync: the sheet's resolved rows and the portal's state -> the rows to send.

:class:`SyncPlanner` takes a prepared sync (its rows resolved by
:func:`hubframe.run.pairs.prepare_pairs`) through these steps, per object pair:

1. the scope: the from ids of the rows that can be compared (and of rows naming a record with
   no targets), within ``scope=``, and without it the records an export read
   (:mod:`hubframe.io.scope`); records with invalid rows are in scope too, with every removal
   held; an invalid row whose from id (or object type) cannot be read holds every removal of
   its object pair (of the whole sync): which record it meant is unknown;
2. the portal before the sync: batch reads of the scope, concurrent
   (:func:`hubframe.run.reads.read_links`); a journal's memory of an interrupted first run
   wins, and the state is remembered for the next one;
3. the diff (:func:`hubframe.run.diff.diff`): keeps settled, additions kept as work items,
   removals appended to the frame as rows of their own (``sheet`` "(portal)");
   a sheet without label or type id columns (links only: a HubSpot CRM export) leaves the
   labels of the pairs it keeps alone;
4. the guard (:func:`~hubframe.jobs.sync_rules.removal_allowance`), then the limits predicted
   for the additions on the portal after the removals;
5. the result's columns: ``change``, ``reason``, ``existed_before``, ``linked_before``, and the
   :class:`~hubframe.jobs.sync_rules.SyncFacts` in the frame's attrs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from hubframe.constants import (
    EXISTING_COLUMNS,
    HUBSPOT_DEFINED,
    NO_TARGETS_COLUMN,
    PORTAL_SHEET,
    PRIMARY_COMPANY,
    PRIMARY_TYPES,
)
from hubframe.errors import ErrorCode, HubframeError, InputError, StopReason
from hubframe.io.normalize import normalize_label
from hubframe.jobs import sync_words as words
from hubframe.jobs.sync_inverse import Holdings, Inverses, inverses, pins
from hubframe.jobs.sync_records import (
    RecordCheck,
    UnknownSource,
    records_exist,
    unknown_source,
)
from hubframe.jobs.sync_rules import (
    PRIMARY_LABEL,
    SYNC_KEY,
    RemovalGuard,
    SyncFacts,
    SyncRules,
    guard_message,
    removal_allowance,
    warn_scope_unlisted,
)
from hubframe.run.diff import Change, Diff, Removal, RowChange, Wanted, diff
from hubframe.run.journal import Journal
from hubframe.run.labels import LabelBook, LabelDef
from hubframe.run.phases import pin_phases
from hubframe.run.pipeline import Note, Prepared, RunContext
from hubframe.run.preflight import PortalState, predict, read_pair_limits
from hubframe.run.primary import ONE_WAY_LABELS, PrimaryRow, one_way_types, primary_row
from hubframe.run.reads import read_links, types_of
from hubframe.run.rows import columns, text, value
from hubframe.run.table import ExtraColumn
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, ObjectPair, RecordPair, Status

Gone = set[tuple[ObjectPair, str, str, bool, int | None]]  # removals: pair, ids, link?, type


@dataclass
class PairPlan:
    """One object pair of the sheet: its rows, its scope and what the portal holds."""

    pair: ObjectPair
    items: list[WorkItem] = field(default_factory=list)
    scope: dict[str, None] = field(default_factory=dict)
    blocked: dict[str, int] = field(default_factory=dict)  # from id -> an invalid row's position
    #: an invalid row of the pair whose from id cannot be read: its position (holds the pair)
    unplaced: int | None = None
    outside: list[WorkItem] = field(default_factory=list)  # rows out of ``scope=``
    #: from id -> why the records its new pairs name could not be checked (holds the record)
    unchecked: dict[str, HubframeError] = field(default_factory=dict)
    #: to id -> the rows naming it whose from record HubSpot lacks, or could not be read
    #: (each holds what it could be asking to keep: :func:`.sync_records.unknown_source`)
    sources: dict[str, list[UnknownSource]] = field(default_factory=dict)
    portal: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    #: with a journal's memory in ``portal``: what the portal holds now
    now: dict[str, dict[str, frozenset[int]]] | None = None
    unlabeled: int | None = None
    defs: dict[int, LabelDef] = field(default_factory=dict)
    result: Diff = field(default_factory=Diff)
    failed: bool = False
    #: (from id, to id) of a pair this direction removes whole -> the primaries the other
    #: direction lists for it that this one does not (lead -> contact 578): they go with it
    one_way: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    #: why the other direction of the pairs removed whole could not be read (holds them)
    one_way_unread: HubframeError | None = None


@dataclass
class PlannedRemoval:
    """A removal of the diff, named as the portal names it; ``outcome`` set: held, not sent."""

    pair: ObjectPair
    found: Removal
    label: str | None
    category: str | None
    outcome: Outcome | None = None
    existed: bool = True  # False: added since the journal's first reading (a resumed sync)
    #: a label of the other direction removed with this direction's pair: that removal's key
    rides: tuple[ObjectPair, str, str] | None = None


class SyncPlanner:
    """Turns a prepared sync into its work (see the module docstring)."""

    def __init__(
        self,
        prepared: Prepared,
        book: LabelBook,
        run: RunContext,
        rules: SyncRules,
        *,
        labels: Sequence[bool] | None = None,
        spell: Callable[[ObjectPair], ObjectPair] | None = None,
        records: Mapping[ObjectPair, Sequence[str]] | None = None,
    ) -> None:
        self.prepared, self.book, self.run, self.rules = prepared, book, run, rules
        #: per row: its sheet says which labels pairs have (a label or type id column), so a
        #: label its pair lacks there is removed.  A sheet of links only (a HubSpot CRM
        #: export) leaves the labels of the pairs it lists.  None: every row says.
        self.labels = labels
        self.rows: dict[int, RowChange] = {}
        self.reasons: dict[int, str] = {}
        #: removal rows that ride on their pair's removal: position -> the pair's row position
        self.riders: dict[int, int] = {}
        #: a held removal of a record's primary company (or of its pair) that a row making
        #: another company the primary demotes: its position -> (that row's position, the
        #: outcome it has when that row is not applied)
        self.moved: dict[int, tuple[int, Outcome]] = {}
        #: the rows that make a company a record's primary: (record type, id) -> the row
        self.new_primaries: dict[tuple[str, str], PrimaryRow] = {}
        #: an invalid row whose object types cannot be read: its position (holds every removal)
        self.unplaced: int | None = None
        #: an object pair as a row writes it -> as the plan spells it (a custom object named
        #: by its type id on one row and by its name on another is one object)
        self.spell: Callable[[ObjectPair], ObjectPair] = spell or (lambda pair: pair)
        #: records in scope beside the sheet's from ids: an export's, by object pair (a record
        #: whose rows were all deleted from the export is synced too)
        self.records: Mapping[ObjectPair, Sequence[str]] = records or {}

    def plan(self, items: list[WorkItem]) -> None:
        pairs = self._group(items)
        try:
            self._read(pairs)
        except HubframeError as exc:  # only errors that stop every run come out
            self.prepared.stop_all(StopReason.of(exc), {i.position: i.action for i in items})
            return
        adds: list[WorkItem] = []
        removals: list[PlannedRemoval] = []
        live = [plan for plan in pairs.values() if not plan.failed]
        for plan in live:
            wanted = [
                Wanted(i.position, str(i.from_id), str(i.to_id), i.type_id) for i in plan.items
            ]
            protected = frozenset() if self.rules.allow_primary_removal else primary_types(plan)
            plan.result = diff(
                wanted, plan.portal, plan.scope, unlabeled=plan.unlabeled, protected=protected
            )
            if plan.now is not None and plan.now != plan.portal:
                _reconcile(plan, wanted, protected, self._added(plan))
            self._one_way(plan)
            adds += self._rows(plan)
        if self.rules.allow_removals:
            adds = self._check_records(pairs, live, adds)
        for plan in live:
            removals += self._removals(plan, Reverse(pairs, plan.pair, self.labels))
        self.new_primaries = _new_primaries(adds)
        planned = self._append(removals) if self.rules.allow_removals else []
        facts = self._facts(pairs, removals)
        if facts.guard and not self.rules.dry_run:
            raise RemovalGuard(guard_message(facts, real=True))
        if facts.guard:
            note = Note(guard_message(facts, real=False), ErrorCode.TOO_MANY_REMOVALS)
            self.prepared.notes.update({i.position: note for i in planned})
        adds, refused = self._predict(pairs, adds, removals)
        self.prepared.items = [*planned, *adds]
        self.prepared.count = len(self.prepared.items)
        self._refused_last(refused)
        self.prepared.extra = self._columns()
        self._keep(facts)

    # --- 1 scope ------------------------------------------------------------------------------

    def _group(self, items: list[WorkItem]) -> dict[ObjectPair, PairPlan]:
        """Rows by object pair, the scope (from ids) and the records with invalid rows."""
        scope = self.rules.scope
        pairs: dict[ObjectPair, PairPlan] = {}
        for item in items:
            plan = pairs.setdefault(item.objects, PairPlan(item.objects))
            if scope is not None and str(item.from_id) not in scope:
                self._out_of_scope(item, str(item.from_id))
                plan.outside.append(item)  # still keeps what it lists the other way
                continue
            plan.items.append(item)
            plan.scope[str(item.from_id)] = None
        self._settled_rows(pairs)
        for pair, records in self.records.items():  # an export's records, rows left or not
            _same_pair(self.spell(pair), pairs, len(records))
            found = pairs.setdefault(self.spell(pair), PairPlan(self.spell(pair)))
            for from_id in records:
                if scope is None or from_id in scope:
                    found.scope.setdefault(from_id, None)
        for plan in pairs.values():  # what a record with invalid rows keeps is shown, held
            if plan.scope:
                for from_id in plan.blocked:
                    if from_id.isdigit() and (scope is None or from_id in scope):
                        plan.scope.setdefault(from_id, None)
        if scope is not None:
            listed = {r for plan in pairs.values() for r in (*plan.scope, *plan.blocked)}
            warn_scope_unlisted(scope - listed)
        return pairs

    def _settled_rows(self, pairs: dict[ObjectPair, PairPlan]) -> None:
        """Rows naming a record and no target join the scope; invalid rows block removals:
        their record's, or their object pair's (every sync's) when the from id (an object
        type) cannot be read -- a bad cell must not read as "remove"."""
        settled = self.prepared.settled
        positions = sorted(settled)
        names = ("from_type", "to_type", "from_id")
        unread = _unread_cells(self.prepared.issues)
        totals = _coded(self.prepared.issues, ErrorCode.TOTALS_ROW)
        for pos, f, t, from_id in zip(
            positions, *columns(self.prepared.frame, positions, names), strict=True
        ):
            from_id, outcome = text(from_id), settled[pos]
            bad = unread.get(pos, set())
            if outcome.status not in (Status.INVALID, Status.FAILED):
                if outcome.error_code is ErrorCode.NO_TARGETS:
                    self._no_targets(pairs, pos, (text(f), text(t)), from_id)
                continue
            if outcome.error_code is ErrorCode.TOTALS_ROW or pos in totals:
                continue  # an Excel table's totals row: no record's (whatever else is wrong)
            if bad & {"from_type", "to_type"} or text(f) is None or text(t) is None:
                self.unplaced = pos if self.unplaced is None else self.unplaced
                continue
            pair = self.spell(ObjectPair(str(text(f)), str(text(t))))
            plan = pairs.setdefault(pair, PairPlan(pair))
            if "from_id" in bad or not _record_id(from_id):
                plan.unplaced = pos if plan.unplaced is None else plan.unplaced
            else:
                plan.blocked.setdefault(str(from_id), pos)

    def _no_targets(
        self,
        pairs: dict[ObjectPair, PairPlan],
        pos: int,
        types: tuple[str | None, str | None],
        from_id: str | None,
    ) -> None:
        """A row naming a record and no target: the record joins the scope (within it)."""
        scope = self.rules.scope
        if from_id is not None and (scope is None or from_id in scope):
            pair = self.spell(ObjectPair(str(types[0]), str(types[1])))
            pairs.setdefault(pair, PairPlan(pair)).scope[from_id] = None
            self.reasons[pos] = words.NO_TARGETS

    def _out_of_scope(self, item: WorkItem, from_id: str) -> None:
        self.prepared.settled[item.position] = Outcome(
            Status.SKIPPED,
            action=item.action,
            error_code=ErrorCode.OUT_OF_SCOPE,
            error_message=f"Not compared: record {from_id} is outside the scope given.",
        )

    # --- 2 the portal before the sync -----------------------------------------------------------

    def _read(self, pairs: Mapping[ObjectPair, PairPlan]) -> None:
        """What the portal held before the sync, for each pair's scope."""
        journal = self.run.journal
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
                self._fail(plan, exc)
                continue
            plan.portal = {f: types_of(entries) for f, entries in found.items() if entries}
            if journal is not None:
                plan.now = {f: dict(targets) for f, targets in plan.portal.items()}
                _recall(plan, journal, remember=not self.rules.dry_run)

    def _added(self, plan: PairPlan) -> set[tuple[str, str, int | None]]:
        """The entries (from id, to id, type id; None: a link of the pair's default type) the
        runs a resumed sync resumes added (or may have) in ``plan``'s direction.  A label they
        added to a pair added its link too (HubSpot links a pair with its default type when
        it is given a label): the link is theirs where the journal's memory lacks it and the
        label is in the portal now.  A label write whose outcome the stopped run never learned
        and that never landed brought no link: one there now is someone else's."""
        journal = self.run.journal
        if journal is None:
            return set()
        pair = plan.pair
        labeled = journal.applied(str(Action.ASSOCIATE), pair.from_type, pair.to_type)
        default = journal.applied(str(Action.ASSOCIATE_DEFAULT), pair.from_type, pair.to_type)
        out = {(str(f), str(t), _type_id(k)) for f, t, k in labeled}
        now = plan.now or {}
        brought = {  # a label links the pair too: HubSpot adds the pair's default type with it
            (f, t, None) for f, t, k in out if k is None or k in now.get(f, {}).get(t, ())
        }
        return out | brought | {(str(f), str(t), None) for f, t, _ in default}

    def _fail(self, plan: PairPlan, exc: HubframeError) -> None:
        plan.failed = True
        message = f"Could not read the portal's associations for the sync: {exc}"
        for item in plan.items:
            self.prepared.settled[item.position] = Outcome.of_error(
                Status.FAILED, exc, message, action=item.action
            )

    # --- 3 the diff -----------------------------------------------------------------------------

    def _rows(self, plan: PairPlan) -> list[WorkItem]:
        """The sheet rows' changes: keeps settled, additions returned."""
        adds: list[WorkItem] = []
        for item in plan.items:
            change = plan.result.rows[item.position]
            self.rows[item.position] = change
            self.reasons[item.position] = words.row_reason(item, change, plan.defs, plan.unlabeled)
            if change.change is Change.KEEP:
                self.prepared.settled[item.position] = Outcome(
                    Status.SKIPPED,
                    action=item.action,
                    error_code=ErrorCode.ALREADY_ASSOCIATED,
                    error_message=words.KEPT,
                )
            else:
                adds.append(item)
        return adds

    def _one_way(self, plan: PairPlan) -> None:
        """The pairs this direction removes whole that hold a HubSpot-defined primary the
        other direction lists and this one does not (a lead's Primary contact, 578, which
        contact -> lead lists as unlabeled): the removal takes it too.  They are read from the
        other side; without ``allow_primary_removal`` their removals are held, as those of a
        primary this side lists; with it, the primary is removed as a label riding on the
        pair's removal (a row of its own, so undo creates it again).  When the read fails,
        those removals are held."""
        types = one_way_types(plan.pair)
        gone = {r.to_id for r in plan.result.removals if r.link and not r.held}
        if not types or not gone:
            return
        back = ObjectPair(plan.pair.to_type, plan.pair.from_type)
        try:
            found = read_links(self.run.client, back.from_type, back.to_type, gone)
        except HubframeError as exc:
            if exc.stops_run:
                raise
            plan.one_way_unread = exc
            return
        readings: dict[RecordPair, frozenset[int]] = {}
        for to_id, entries in found.items():
            for from_id, held in types_of(entries).items():
                if held & types:
                    plan.one_way[(from_id, to_id)] = held & types
                    readings[RecordPair(to_id, from_id)] = held
        journal = self.run.journal
        if journal is not None and readings and not self.rules.dry_run:
            journal.remember_existing(back.from_type, back.to_type, readings)  # for its undo
        if not self.rules.allow_primary_removal and plan.one_way:
            plan.result.removals = [_hold_one_way(r, plan.one_way) for r in plan.result.removals]

    def _check_records(
        self, pairs: Mapping[ObjectPair, PairPlan], plans: list[PairPlan], adds: list[WorkItem]
    ) -> list[WorkItem]:
        """The records new rows name where a typo may hide must exist (a typo of an id would
        remove the real pair, then fail to add the typo's): read in one batch read per
        object type (:mod:`hubframe.jobs.sync_records`).  A row naming none is ``invalid``,
        ``OBJECT_NOT_FOUND``, and holds what it could be asking to keep; when the read
        fails, those removals are held."""
        keep = {i.position for i in adds}
        checks = [*_target_checks(plans, keep), *_source_checks(plans, keep)]
        if not checks:
            return adds
        found = records_exist(self.run.client, checks)
        for check in checks:
            known = found[check.object_type]
            if check.side == "to":
                self._target_found(pairs[check.pair], check.item, known, keep)
            else:
                self._source_found(pairs[check.pair], check.item, known, keep)
        return [i for i in adds if i.position in keep]

    def _target_found(
        self, plan: PairPlan, item: WorkItem, known: set[str] | HubframeError, keep: set[int]
    ) -> None:
        """A new target of a record that loses pairs: a missing one holds its record, as any
        invalid row; an unread one holds it too (:attr:`PairPlan.unchecked`)."""
        if isinstance(known, HubframeError):
            plan.unchecked.setdefault(str(item.from_id), known)
        elif str(item.to_id) not in known:
            self._not_compared(plan, item, words.missing_target(item), keep)

    def _source_found(
        self, plan: PairPlan, item: WorkItem, known: set[str] | HubframeError, keep: set[int]
    ) -> None:
        """A new row's from record the portal shows no association of: missing, the row is
        not sent; missing or unread, it holds what it could be asking to keep
        (:func:`~hubframe.jobs.sync_records.unknown_source`).  One that exists is a record new
        to the sheet, sent as any."""
        if not isinstance(known, HubframeError) and str(item.from_id) in known:
            return
        error = known if isinstance(known, HubframeError) else None
        says = self.labels is None or self.labels[item.position]
        source = UnknownSource(
            item.position,
            plan.pair,
            str(item.from_id),
            str(item.to_id),
            item.label,
            item.type_id,
            says,
            error,
        )
        plan.sources.setdefault(source.to_id, []).append(source)
        if error is None:
            self._not_compared(plan, item, words.missing_source(item), keep)

    def _not_compared(
        self, plan: PairPlan, item: WorkItem, outcome: Outcome, keep: set[int]
    ) -> None:
        """A new row settled ``invalid``: not sent, no change, and its record held."""
        self.prepared.settled[item.position] = outcome
        self.rows.pop(item.position, None)  # not compared: no change
        self.reasons.pop(item.position, None)
        plan.blocked.setdefault(str(item.from_id), item.position)
        keep.discard(item.position)

    def _removals(self, plan: PairPlan, reverse: Reverse) -> list[PlannedRemoval]:
        out: list[PlannedRemoval] = []
        frame_rows = self.prepared.frame["row"]
        silent = self._silent(plan) | reverse.silent
        for found in plan.result.removals:
            if not found.link and (found.from_id, found.to_id) in silent:
                continue  # a sheet of links only says nothing of a listed pair's labels
            known = plan.defs.get(found.type_id) if found.type_id is not None else None
            label = None if found.link or known is None else known.label
            removal = PlannedRemoval(plan.pair, found, label, known.category if known else None)
            removal.existed = (
                found.from_id,
                found.to_id,
                found.link,
                found.type_id,
            ) not in plan.result.since
            unplaced = _first(self.unplaced, plan.unplaced, reverse.unplaced)
            ends = (found.from_id, found.to_id)
            if (*ends, found.link, found.type_id) in plan.result.foreign:
                removal.outcome = words.held_added_since(plan.pair, found, label)
            elif found.held and ends in plan.one_way:
                removal.outcome = words.held_one_way_primary(plan.pair, found, plan.one_way[ends])
            elif found.held:
                removal.outcome = words.held_primary(found)
            elif found.link and plan.one_way_unread is not None:
                removal.outcome = words.held_one_way_unread(plan.pair, found, plan.one_way_unread)
            elif unplaced is not None:
                row = value(frame_rows.iloc[unplaced])
                removal.outcome = words.held_for_unplaced_row(plan.pair, row)
            elif found.from_id in plan.unchecked:
                removal.outcome = words.held_unchecked(
                    plan.pair, found.from_id, plan.unchecked[found.from_id]
                )
            elif found.to_id in reverse.unchecked:  # held there: one association both ways
                back = ObjectPair(plan.pair.to_type, plan.pair.from_type)
                removal.outcome = words.held_unchecked(
                    back, found.to_id, reverse.unchecked[found.to_id]
                )
            elif found.from_id in plan.blocked:
                row = value(frame_rows.iloc[plan.blocked[found.from_id]])
                removal.outcome = words.held_for_invalid_rows(plan.pair, found.from_id, row)
            elif (source := reverse.unknown(found, plan.sources)) is not None:
                row = value(frame_rows.iloc[source.position])
                removal.outcome = words.held_for_unknown_source(source, row)
            elif (listed := reverse.keeps(found)) is not None:
                row = value(frame_rows.iloc[listed.position])
                said = words.held_for_reverse_rows if listed.certain else words.held_for_inverse
                removal.outcome = said(plan.pair, found, row)
            out.append(removal)
            there = (ends[1], ends[0]) in reverse.removing  # that direction's rows remove it
            if found.link and removal.outcome is None and not there:
                out += _one_way_riders(plan, found)
        return out

    def _silent(self, plan: PairPlan) -> set[tuple[str, str]]:
        """The record pairs a row lists whose sheet says nothing of labels (links only)."""
        says = self.labels
        if says is None:
            return set()
        return {(str(i.from_id), str(i.to_id)) for i in plan.items if not says[i.position]}

    def _append(self, removals: list[PlannedRemoval]) -> list[WorkItem]:
        """The removal rows, appended to the frame; the removals to send."""
        if not removals:
            return []
        prepared = self.prepared
        start = len(prepared.frame)
        prepared.frame = _with_rows(prepared.frame, removals)
        items: list[WorkItem] = []
        links: dict[tuple[ObjectPair, str, str], int] = {}
        riders: list[tuple[int, PlannedRemoval]] = []
        for pos, removal in enumerate(removals, start):
            found = removal.found
            action = Action.ARCHIVE if found.link else Action.ARCHIVE_LABELS
            key = removal.rides or (removal.pair, found.from_id, found.to_id)
            self.rows[pos] = RowChange(Change.REMOVE, removal.existed, removal.existed)
            held = removal.outcome is not None
            self.reasons[pos] = words.removal_reason(removal.pair, found, removal.label, held=held)
            if removal.outcome is not None:
                prepared.settled[pos] = self._held(pos, removal, action)
            elif found.with_pair:
                riders.append((pos, removal))
            else:
                items.append(_removal_item(pos, action, removal))
                if found.link:
                    links[key] = pos
        for pos, removal in riders:  # a label removed with its pair's removal, when sent
            key = removal.rides or (removal.pair, removal.found.from_id, removal.found.to_id)
            if key in links:
                self.riders[pos] = links[key]
            else:  # the pair's removal is held, not its own: a label removal of its own
                items.append(self._on_its_own(pos, removal))
        return items

    def _held(self, pos: int, removal: PlannedRemoval, action: Action) -> Outcome:
        """A held removal's outcome; a record's primary company (or its pair) kept while a
        row makes another company its primary says that row takes the label from it
        (:attr:`moved`: :meth:`~hubframe.jobs.sync._Sync.finish` says "Kept" again when
        that row is not applied)."""
        assert removal.outcome is not None
        kept = removal.outcome.with_(action=action)
        found = removal.found
        type_id = _primary_type(removal.pair) if found.link else found.type_id
        category = HUBSPOT_DEFINED if found.link else removal.category
        old = primary_row(pos, removal.pair, (found.from_id, found.to_id), category, type_id)
        if not found.held or old is None:
            return kept
        new = self.new_primaries.get((old.record_type, old.record_id))
        if new is None or new.company_id == old.company_id:
            return kept
        by = value(self.prepared.frame["row"].iloc[new.position])
        self.moved[pos] = (new.position, kept)
        said = words.primary_pair_moved if found.link else words.primary_moved
        return said(new, old.company_id, by).with_(action=action)

    def _on_its_own(self, pos: int, removal: PlannedRemoval) -> WorkItem:
        """A label whose pair's removal is held (the other direction's rows list the pair)
        while its own checks pass (that direction removes the label too): removed as a label,
        the pair stays -- held with the pair, its row said "Kept" while the other direction's
        row removed it."""
        removal.found = replace(removal.found, with_pair=False)
        self.reasons[pos] = words.removal_reason(removal.pair, removal.found, removal.label)
        return _removal_item(pos, Action.ARCHIVE_LABELS, removal)

    # --- 4 limits after the removals --------------------------------------------------------

    def _predict(
        self,
        pairs: Mapping[ObjectPair, PairPlan],
        adds: list[WorkItem],
        removals: list[PlannedRemoval],
    ) -> tuple[list[WorkItem], list[int]]:
        """Configured limits, counted on the portal after the removals (sent first): the
        additions to send, and the positions of those predicted refused (sent all the same)."""
        if not adds:
            return adds, []
        gone: Gone = {
            (r.pair, r.found.from_id, r.found.to_id, r.found.link, r.found.type_id)
            for r in removals
            if r.outcome is None and self.rules.allow_removals
        }
        state = PortalState()
        for pair, plan in pairs.items():
            if plan.failed or not plan.scope:
                continue
            read_pair_limits(self.run.client, pair, state)  # unread: said, not predicted
            state.links[pair] = _after(plan, gone)
        unlabeled = {pair: plan.unlabeled for pair, plan in pairs.items()}
        checks = predict(adds, state, unlabeled=unlabeled)
        keep: list[WorkItem] = []
        refused: list[int] = []
        for item in adds:
            check = checks.get(item.position)
            if check is None or check.code is not ErrorCode.LIMIT_EXCEEDED:
                if check is not None and check.code is None and check.message:  # limits unread
                    self.prepared.notes[item.position] = Note(check.message)
                keep.append(item)
            elif not check.certain:  # only with earlier additions, which may fail: sent
                self.prepared.notes[item.position] = Note(
                    f"{check.message}; sent all the same: HubSpot refuses it only if those "
                    "additions are applied.",
                    check.code,
                )
                keep.append(item)
                refused.append(item.position)
            elif self.rules.send_predicted_failures:
                note = f"{check.message}; HubSpot will refuse it (sent: send_predicted_failures)."
                self.prepared.notes[item.position] = Note(note, check.code)
                keep.append(item)
                refused.append(item.position)
            else:
                self.prepared.settled[item.position] = words.predicted_limit(
                    item, check.message, dry_run=self.rules.dry_run
                )
        return keep, refused

    def _refused_last(self, refused: list[int]) -> None:
        """Additions predicted refused and sent all the same go in a phase of their own, after
        the removals and the other additions: sent with them, a row the sheet puts past a
        record's last place could reach HubSpot first (batches travel at once, from two
        endpoints) and take the place from a row before it."""
        if refused:
            last = pin_phases(self.prepared, self.prepared.items)
            self.prepared.phase.update(dict.fromkeys(refused, last + 1))

    # --- 5 the result's columns and facts -------------------------------------------------------

    def _columns(self) -> list[ExtraColumn]:
        rows = range(len(self.prepared.frame))
        got = self.rows.get
        change = [c.change.value if (c := got(p)) is not None else None for p in rows]
        existed = [c.existed_before if (c := got(p)) is not None else None for p in rows]
        linked = [c.linked_before if (c := got(p)) is not None else None for p in rows]
        reasons = [self.reasons.get(p) for p in rows]
        before, after = EXISTING_COLUMNS
        return [
            ExtraColumn("row", "change", pd.Series(change, dtype="string")),
            ExtraColumn("change", "reason", pd.Series(reasons, dtype="string")),
            ExtraColumn("attempts", before, pd.Series(existed, dtype="boolean")),
            ExtraColumn(before, after, pd.Series(linked, dtype="boolean")),
        ]

    def _facts(
        self, pairs: Mapping[ObjectPair, PairPlan], removals: list[PlannedRemoval]
    ) -> SyncFacts:
        entries = sum(p.result.scope_entries for p in pairs.values())
        counts = dict.fromkeys([c.value for c in Change], 0)
        for change in self.rows.values():
            counts[change.change.value] += 1
        sent = sum(1 for r in removals if r.outcome is None) if self.rules.allow_removals else 0
        counts[Change.REMOVE.value] = sent
        allowance = removal_allowance(entries, self.rules.max_removals)
        return SyncFacts(
            counts=counts,
            allow_removals=self.rules.allow_removals,
            not_in_sheet=len(removals),
            held=len(removals) - sent if self.rules.allow_removals else 0,
            allowance=allowance,
            guard=sent > allowance,
            scope_records=sum(len(p.scope) for p in pairs.values()),
            scope_entries=entries,
            allowance_given=self.rules.max_removals is not None,
        )

    def _keep(self, facts: SyncFacts) -> None:
        frame = self.prepared.frame
        meta = dict(frame.attrs.get("hubframe") or {})
        meta[SYNC_KEY] = facts
        frame.attrs = {**frame.attrs, "hubframe": meta}


# --- helpers ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Keeper:
    """A row of the other direction that holds a removal; ``certain``: it names what the
    removal takes (the pair, the label's known inverse, or every label the pair holds), else
    it may (a label whose inverse is not known)."""

    position: int
    certain: bool = True


class Reverse:
    """The rows of the other direction of an object pair (the pair itself for one object
    type to itself): an association is one for both directions, so a removal the sheet asks
    for one way and contradicts the other way is held (see :meth:`keeps`)."""

    def __init__(
        self,
        pairs: Mapping[ObjectPair, PairPlan],
        pair: ObjectPair,
        says: Sequence[bool] | None = None,
    ) -> None:
        back = pairs.get(ObjectPair(pair.to_type, pair.from_type))
        self.listed: dict[tuple[str, str], int] = {}
        #: the pairs (of this direction: ends swapped) that a row of that direction lists
        #: whose sheet says nothing of labels (links only): their labels stay, as when a row
        #: of this direction lists them (``says``: per row, its sheet names labels)
        self.silent: set[tuple[str, str]] = set()
        #: (a pair of that direction, a label's type there) -> the first row listing it
        self.labeled: dict[tuple[tuple[str, str], int], int] = {}
        #: a label's type of this direction -> its type the other way, where that is known
        self.inverses = Inverses({}, {}, {})
        #: the pairs of that direction (ends as there) -> the types the portal holds from
        #: that side (an association's inverse among them), of the records it read (``read``)
        self.held: dict[tuple[str, str], frozenset[int]] = {}
        self.read: set[str] = set()
        self.removing: set[tuple[str, str]] = set()
        self.blocked: dict[str, int] = {}
        self.unplaced: int | None = None
        #: records of that direction whose new targets could not be checked (held there)
        self.unchecked: Mapping[str, HubframeError] = {}
        #: that direction's rows whose from record HubSpot lacks, by the to id they name
        self.sources: Mapping[str, list[UnknownSource]] = {}
        if back is None:
            return
        self.blocked = dict(back.blocked)
        self.unplaced = back.unplaced
        self.unchecked = back.unchecked
        self.sources = back.sources
        if back.failed:  # its rows could not be compared: each holds its record
            for item in back.items:
                self.blocked.setdefault(str(item.from_id), item.position)
        for item in [*back.items, *back.outside]:  # out of scope: not compared, still listed
            records = (str(item.from_id), str(item.to_id))
            self.listed.setdefault(records, item.position)
            if item.type_id is not None:
                self.labeled.setdefault((records, item.type_id), item.position)
            if says is not None and not says[item.position]:
                self.silent.add((records[1], records[0]))
        if not back.failed:
            self.removing = {(r.from_id, r.to_id) for r in back.result.removals}
            self.read, self.held = set(back.scope), _holdings(back)
        here = pairs.get(pair)
        if here is not None:
            ends = (here.unlabeled, back.unlabeled)
            pinned = {} if back.failed else _pins(here, back)
            self.inverses = inverses(pair, here.defs, back.defs, ends, pinned)

    def unknown(
        self, found: Removal, here: Mapping[str, list[UnknownSource]]
    ) -> UnknownSource | None:
        """The row with an unknown from record, of this direction (``here``) or that one,
        that could be asking to keep ``found``."""
        return unknown_source(found, here, self.sources, self.inverses.known)

    def keeps(self, found: Removal) -> Keeper | None:
        """The row of the other direction that keeps what ``found`` removes: any row of the
        pair for the pair's removal; for a label's, a row of the pair with the label's inverse
        when that is known (:mod:`~hubframe.jobs.sync_inverse`, with the pins both
        directions' reads prove), else (``certain`` False) a
        row of the pair with a label that may be its inverse (of its category, held by the
        pair from that side), or else any row of the pair while that direction removes nothing
        of it (it lists every label the pair holds, or was not compared); and a row of the
        target record there that could not be compared (it may name the pair)."""
        key = (found.to_id, found.from_id)
        if found.to_id in self.blocked:  # a row of the other side that could not be compared
            return Keeper(self.blocked[found.to_id])
        at = self.listed.get(key)
        if at is None or found.link or found.type_id is None:
            return None if at is None else Keeper(at)
        if found.type_id in self.inverses.known:  # that direction lists it, or removes it too
            named = self.labeled.get((key, self.inverses.known[found.type_id]))
            return None if named is None else Keeper(named)
        named = self._maybe_inverse(key, found.type_id)
        if named is not None:
            return Keeper(named, certain=False)
        return None if key in self.removing else Keeper(at)

    def _maybe_inverse(self, key: tuple[str, str], type_id: int) -> int | None:
        """The first row of the pair ``key`` (ends as there) naming a label that may be
        ``type_id``'s inverse: of its category, unpaired, held by the pair from that side
        when that side read it."""
        maybe = self.inverses.maybe(type_id)
        if key[0] in self.read:
            maybe &= self.held.get(key, frozenset())
        return min(
            (self.labeled[(key, t)] for t in maybe if (key, t) in self.labeled), default=None
        )


def _pins(here: PairPlan, back: PairPlan) -> dict[int, int]:
    """The inverses the pairs both directions read prove (:func:`.sync_inverse.pins`), from
    what the portal holds now (a resumed sync's journal memory aside)."""
    return pins(_reading(here), _reading(back), here.defs, back.defs)


def _reading(plan: PairPlan) -> Holdings:
    """What ``plan``'s read of the portal found (now, for a resumed sync)."""
    return plan.portal if plan.now is None else plan.now


def _holdings(plan: PairPlan) -> dict[tuple[str, str], frozenset[int]]:
    """The types each pair of ``plan``'s scope holds, as read (and, for a resumed sync, as
    its journal remembers them: either may be the one its rows name)."""
    out: dict[tuple[str, str], frozenset[int]] = {}
    for state in (plan.portal, plan.now or {}):
        for from_id, targets in state.items():
            for to_id, types in targets.items():
                out[(from_id, to_id)] = out.get((from_id, to_id), frozenset()) | types
    return out


def _target_checks(plans: list[PairPlan], keep: set[int]) -> list[RecordCheck]:
    """The to ids of the new pairs (``keep``: the additions) of records that lose pairs."""
    out: list[RecordCheck] = []
    for plan in plans:
        losing = {r.from_id for r in plan.result.removals if not r.held}
        out += [
            RecordCheck(plan.pair, i, "to")
            for i in plan.items
            if i.position in keep
            and str(i.from_id) in losing
            and not plan.result.rows[i.position].linked_before
        ]
    return out


def _source_checks(plans: list[PairPlan], keep: set[int]) -> list[RecordCheck]:
    """The from ids of the additions (``keep``) whose record the portal shows no association
    of: a record holding one exists, so only these can be typos (2040009999 for 2040000001),
    which would read as the removal of the pair the row meant.  All of them, not only those
    whose target loses a pair: the dry run then says what the real run would meet, and a read
    of 100 records a call costs no more than the read of their associations did.  Rows out of
    ``scope=`` too: the scope does not hold a typo's record, and the pair the row meant (of a
    record in it) would be removed all the same."""
    out: list[RecordCheck] = []
    for plan in plans:
        shown = plan.portal.keys() | (plan.now or {}).keys()
        added = [i for i in plan.items if i.position in keep]
        out += [
            RecordCheck(plan.pair, i, "from")
            for i in [*added, *plan.outside]
            if str(i.from_id) not in shown
        ]
    return out


def _hold_one_way(found: Removal, one_way: Mapping[tuple[str, str], frozenset[int]]) -> Removal:
    """``found`` held when its pair holds a primary the other direction lists (its removal and
    the labels that would ride on it: they are removed on their own, as beside any primary)."""
    if (found.from_id, found.to_id) not in one_way:
        return found
    if found.link:
        return replace(found, held=True)
    return replace(found, with_pair=False)


def _one_way_riders(plan: PairPlan, found: Removal) -> list[PlannedRemoval]:
    """The other direction's primaries a pair's removal takes with it, as label removals
    riding on it (allow_primary_removal): the result lists them, and undo creates them."""
    types = plan.one_way.get((found.from_id, found.to_id), frozenset())
    back = ObjectPair(plan.pair.to_type, plan.pair.from_type)
    key = (plan.pair, found.from_id, found.to_id)
    return [
        PlannedRemoval(
            back,
            Removal(found.to_id, found.from_id, t, link=False, with_pair=True),
            ONE_WAY_LABELS.get(t),
            HUBSPOT_DEFINED,
            rides=key,
        )
        for t in sorted(types)
    ]


def _new_primaries(adds: list[WorkItem]) -> dict[tuple[str, str], PrimaryRow]:
    """The additions that make a company a record's primary, by record (one a record: rows
    naming two are invalid, :func:`hubframe.run.primary.settle_conflicts`)."""
    out: dict[tuple[str, str], PrimaryRow] = {}
    for item in adds:
        ids = (str(item.from_id), str(item.to_id))
        found = primary_row(item.position, item.objects, ids, item.category, item.type_id)
        if found is not None:
            out.setdefault((found.record_type, found.record_id), found)
    return out


def _primary_type(pair: ObjectPair) -> int | None:
    """The Primary type of a record's pairs with companies, in ``pair``'s direction."""
    for t in PRIMARY_TYPES:
        if pair == ObjectPair(t.record_type, PRIMARY_COMPANY):
            return t.to_company
        if pair == ObjectPair(PRIMARY_COMPANY, t.record_type):
            return t.from_company
    return None


def _same_pair(pair: ObjectPair, pairs: Mapping[ObjectPair, PairPlan], count: int) -> None:
    """Refuse an export's scope whose object pair none of the sheet's rows has, while rows of
    another pair are there: its records would be read under a pair the sheet says nothing of,
    and a sync remove every association they have (an edited or mismatched scope sheet).  A
    sheet whose rows were all deleted has no pair: its records' links are removed, as asked."""
    if pairs and pair not in pairs:
        listed = ", ".join(f"{p.from_type} -> {p.to_type}" for p in pairs)
        raise InputError(
            f"the export's scope lists {count:,} records of "
            f"{pair.from_type} -> {pair.to_type}, and the sheet's rows are of {listed}: a sync "
            "would remove every association those records have. Sync the sheet with the scope "
            "of its own export, or delete the scope sheet to sync only the records the sheet "
            "lists. Nothing was sent."
        )


def _unread_cells(issues: pd.DataFrame | None) -> dict[int, set[str]]:
    """Position -> the columns among a row's records and types that have an error issue."""
    if issues is None or issues.empty or "position" not in issues.columns:
        return {}
    wanted = issues["column"].isin(["from_id", "from_type", "to_type"])
    if "severity" in issues.columns:
        wanted &= issues["severity"].astype(str) == "error"
    out: dict[int, set[str]] = {}
    for pos, column in zip(
        issues.loc[wanted, "position"], issues.loc[wanted, "column"], strict=True
    ):
        if pd.notna(pos):
            out.setdefault(int(pos), set()).add(str(column))
    return out


def _coded(issues: pd.DataFrame | None, code: ErrorCode) -> set[int]:
    """The positions of the rows with an issue of ``code`` (whichever issue came first)."""
    if issues is None or issues.empty or "position" not in issues.columns:
        return set()
    found = issues.loc[issues["code"].astype(str) == code.value, "position"]
    return {int(p) for p in found if pd.notna(p)}


def _record_id(found: str | None) -> bool:
    """Whether a cell reads as a record id (a whole number HubSpot can hold)."""
    return found is not None and found.isascii() and found.isdigit() and 0 < int(found) < 2**63


def _first(*positions: int | None) -> int | None:
    found = [p for p in positions if p is not None]
    return min(found) if found else None


def primary_types(plan: PairPlan) -> frozenset[int]:
    """HubSpot-defined primary types of the pair (labels named "Primary")."""
    return frozenset(
        d.type_id
        for d in plan.defs.values()
        if d.category == HUBSPOT_DEFINED and d.label and normalize_label(d.label) == PRIMARY_LABEL
    )


def _recall(plan: PairPlan, journal: Journal, *, remember: bool) -> None:
    """A journal's memory of the pairs in scope (from a first, interrupted run) replaces what
    the portal shows now, so a resumed sync plans what the first one did; with ``remember``
    (a real run), what the portal holds now is kept for the next run (first observation
    wins)."""
    pair = plan.pair
    for (from_id, to_id), types in journal.existing(*pair, current=True).items():
        if from_id not in plan.scope:
            continue
        targets = plan.portal.setdefault(from_id, {})
        if types:
            targets[to_id] = types
        else:
            targets.pop(to_id, None)
    states = {
        RecordPair(f, t): types
        for f, targets in plan.portal.items()
        for t, types in targets.items()
    }
    for item in plan.items:
        states.setdefault(item.records, frozenset())
    if remember:
        journal.remember_existing(pair.from_type, pair.to_type, states)


def _type_id(key: object) -> int | None:
    try:
        return int(str(key))
    except ValueError:
        return None


def _reconcile(
    plan: PairPlan,
    wanted: list[Wanted],
    protected: frozenset[int],
    added: set[tuple[str, str, int | None]],
) -> None:
    """A resumed sync planned from its journal's memory of the portal (what it held before
    the first, interrupted run): where the portal now differs and the sheet was edited since,
    what the memory plans would leave the portal unlike the sheet.  A row kept by the memory
    that the portal now lacks (the first run removed it; the sheet lists it again) is added
    again, ``existed_before`` as the memory says; an entry the portal now holds that the
    memory lacks and the sheet does not list is removed, not ``existed_before``, when the
    runs resumed added it (``added``); one they did not add (someone else's, made between
    the runs) is held: the memory does not say it was there before, so an undo would not give
    it back.  Undo then takes back exactly what the runs changed."""
    assert plan.now is not None
    current = diff(wanted, plan.now, plan.scope, unlabeled=plan.unlabeled, protected=protected)
    asked = {w.position: w for w in wanted}
    for pos, change in plan.result.rows.items():
        now = current.rows[pos].change
        if change.change is Change.KEEP and now is Change.ADD:
            plan.result.rows[pos] = RowChange(Change.ADD, True, change.linked_before)
        elif change.change is Change.ADD and now is Change.KEEP:
            row = asked[pos]
            k = row.type_id if row.type_id is not None else plan.unlabeled
            if not _ours(plan, row.from_id, row.to_id, k, added):  # someone else's since
                plan.result.rows[pos] = current.rows[pos]
    planned = {(r.from_id, r.to_id, r.link, r.type_id) for r in plan.result.removals}
    for found in plan.result.removals:  # a pair removed whole takes what was added since
        if found.link and _foreign(plan, found, added):
            plan.result.foreign.add((found.from_id, found.to_id, True, found.type_id))
    for found in current.removals:
        key = (found.from_id, found.to_id, found.link, found.type_id)
        if key not in planned:
            plan.result.removals.append(found)
            (plan.result.foreign if _foreign(plan, found, added) else plan.result.since).add(key)


def _foreign(plan: PairPlan, found: Removal, added: set[tuple[str, str, int | None]]) -> bool:
    """Whether a removal of a resumed sync takes an entry the portal holds now that its
    memory lacks and the runs it resumes did not add (someone else's, made in between)."""
    assert plan.now is not None
    f, t = found.from_id, found.to_id
    new = plan.now.get(f, {}).get(t, frozenset()) - plan.portal.get(f, {}).get(t, frozenset())
    taken = new if found.link else new & {found.type_id}
    return not all(_ours(plan, f, t, k, added) for k in taken)


def _ours(
    plan: PairPlan, f: str, t: str, k: int | None, added: set[tuple[str, str, int | None]]
) -> bool:
    """Whether the runs a resumed sync resumes added type ``k`` from ``f`` to ``t``."""
    return (f, t, k) in added or (k == plan.unlabeled and (f, t, None) in added)


def _after(plan: PairPlan, gone: Gone) -> dict[str, dict[str, frozenset[int]]]:
    """The pair's portal once the planned removals are done."""
    out: dict[str, dict[str, frozenset[int]]] = {}
    for from_id, targets in plan.portal.items():
        kept: dict[str, frozenset[int]] = {}
        for to_id, types in targets.items():
            key = (plan.pair, from_id, to_id)
            if (*key, True, None) in gone or any((*key, True, t) in gone for t in types):
                continue
            left = frozenset(t for t in types if (*key, False, t) not in gone)
            if left:
                kept[to_id] = left
        out[from_id] = kept
    return out


def _removal_item(pos: int, action: Action, removal: PlannedRemoval) -> WorkItem:
    found = removal.found
    return WorkItem(
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


def _with_rows(frame: pd.DataFrame, removals: list[PlannedRemoval]) -> pd.DataFrame:
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
    empty: list[Any] = [None] * n
    extra = pd.DataFrame({c: _column(given.get(str(c), empty), head[c].dtype) for c in head})
    combined = pd.concat([head, extra], ignore_index=True)
    combined.attrs = dict(frame.attrs)
    return combined


def _column(values: list[Any], dtype: Any) -> pd.Series:
    try:
        column: pd.Series = pd.Series(values, dtype=dtype)
    except (TypeError, ValueError):
        column = pd.Series(values, dtype=object)
    return column


__all__ = ["PairPlan", "PlannedRemoval", "SyncPlanner", "primary_types"]
