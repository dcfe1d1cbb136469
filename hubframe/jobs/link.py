"""The associate job: link the record pairs of a sheet (labeled or not).

:func:`associate` reads the sheet (unless given a frame from :func:`hubframe.read_pairs`),
looks up records named by a unique property, validates every row, resolves labels through
HubSpot and, when asked, reads the portal first (pre-flight: :mod:`hubframe.run.preflight`);
:func:`hubframe.run.pipeline.run_job` plans, sends and builds the result table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Unpack

import pandas as pd

from hubframe.argtypes import flag, optional_flag
from hubframe.constants import EXISTING_COLUMNS
from hubframe.errors import ErrorCode, HubframeError, StopReason
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.before import EarlyReads, agreement, read_before, reads_before, start_reads
from hubframe.run.endpoints import batch_limit
from hubframe.run.journal import Journal
from hubframe.run.labels import LabelBook
from hubframe.run.options import RunKwargs, RunOptions
from hubframe.run.pairs import labeled_pairs, prepare_pairs, with_actions
from hubframe.run.phases import run_in_phases
from hubframe.run.pipeline import Note, Prepared, RunContext, run_job
from hubframe.run.preflight import Check, PortalState, predict, read_state, sources_of
from hubframe.run.primary import settle_conflicts
from hubframe.run.primary_before import held, hold_back, primaries_before
from hubframe.run.rows import (
    issues_argument,
    read_input,
    refuse_removals_sheet,
    refuse_unread_part,
)
from hubframe.run.send import MAX_IN_FLIGHT
from hubframe.run.table import ExtraColumn
from hubframe.run.work import Outcome, WorkItem
from hubframe.run.worktable import ACTIONS
from hubframe.vocab import Action, ObjectPair, RecordPair, Status

#: Whether ``preflight=None`` turns pre-flight on for dry runs (it does: a dry run then reads
#: limits and current associations, with GETs and batch reads, and still writes nothing).
PREFLIGHT_ON_DRY_RUNS = True


def associate(
    pairs: Any,
    client: HubSpotClient,
    *,
    preflight: bool | None = None,
    skip_existing: bool = False,
    send_predicted_failures: bool = False,
    record_existing: bool | None = None,
    issues: pd.DataFrame | None = None,
    **run: Unpack[RunKwargs],
) -> pd.DataFrame:
    """Associate record pairs; returns the result table (one row per input row).

    ``pairs``: the output of :func:`hubframe.read_pairs`, or anything it reads (a path, bytes, a
    file-like object, a DataFrame).  Sides named by a unique property (``from_id_property=``,
    "Contact email") are looked up to record ids first (:mod:`hubframe.run.lookup`).  Rows with
    a label or type id are sent with labeled batch create, the others with batch associate
    default.  ``issues``: the issues :func:`hubframe.validate_pairs` gave with a client (what
    HubSpot holds: records not found, unknown labels), so the run does not send those rows.
    The sheet's own checks are always made again on the rows as they are, and a finding is
    kept only for a row still as it was validated (:func:`hubframe.jobs.check.run_issues`):
    issues of rows filtered out, sorted or edited since never settle another row.

    Run options (:class:`~hubframe.run.options.RunOptions`, the same for every job):
    ``dry_run`` sends nothing and marks rows ``planned`` with their batch number; ``journal`` (a
    path) records finished batches so an interrupted run resumes without re-sending them;
    ``batch_size``, ``workers``, ``progress``; ``on_start(rows)`` before the first request,
    ``on_progress(rows)`` as each batch finishes; setting ``cancel`` (a
    :class:`threading.Event`) stops the run before the next batch: unsent rows come back
    ``skipped`` with ``CANCELLED`` (in the retry file).

    Reading the portal first (:mod:`hubframe.run.preflight`):

    * ``preflight=True`` reads the pairs' limit configuration and the current associations of
      every source record, and predicts ``ALREADY_ASSOCIATED`` and ``LIMIT_EXCEEDED`` per row.
      A dry run reports the predictions on its ``planned`` rows (``error_code`` and
      ``error_message``; predicted limit failures get no batch).  A real run does not send
      predicted limit failures (``failed``, ``LIMIT_EXCEEDED``, "... not sent") unless
      ``send_predicted_failures=True``.  ``None`` (default): on for dry runs, off for
      real runs (:data:`PREFLIGHT_ON_DRY_RUNS`).
    * ``skip_existing=True``: rows whose association type exists already are ``skipped`` with
      ``ALREADY_ASSOCIATED`` and not sent.
    * ``record_existing`` (default: when a journal is given): read which pairs exist before
      sending, even without pre-flight, so the run can be undone exactly
      (:func:`hubframe.undo`).  A journal keeps the first run's reading across resumes.

    Whenever the portal was read, the result gains two boolean columns after ``attempts``:
    ``existed_before`` (the requested association type was already there) and
    ``linked_before`` (the two records were associated, with any type).
    """
    options = RunOptions.of(run)
    preflight = optional_flag("preflight", preflight)
    record_existing = optional_flag("record_existing", record_existing)
    wanted = _Wanted(
        preflight=PREFLIGHT_ON_DRY_RUNS and options.dry_run if preflight is None else preflight,
        skip_existing=flag("skip_existing", skip_existing),
        send_predicted_failures=flag("send_predicted_failures", send_predicted_failures),
        record=options.journal is not None if record_existing is None else record_existing,
        dry_run=options.dry_run,
        defaulted=preflight is None,
    )
    job = _Associate(pairs, wanted, issues_argument(issues, "pairs"))
    # pre-flight may hold predicted refusals back to a second phase (:func:`_refused_last`)
    return (run_in_phases if wanted.preflight else run_job)(job, client, options)


@dataclass(frozen=True)
class _Wanted:
    """What an associate run reads the portal for."""

    preflight: bool
    skip_existing: bool
    send_predicted_failures: bool
    record: bool
    dry_run: bool
    defaulted: bool  # ``preflight`` not given: a dry run's alone

    @property
    def read(self) -> bool:
        return self.preflight or self.skip_existing or (self.record and not self.dry_run)

    @property
    def dry_run_only(self) -> bool:
        """The portal is read only because this is a dry run (its default pre-flight): a real
        run with the same options does not make these reads (it may read the state before
        instead, :meth:`record_only`), and the day's budget does not count them."""
        return self.dry_run and self.defaulted and self.preflight and not self.skip_existing

    @property
    def every_label(self) -> bool:
        """The labels of every object pair are read ahead, not only of those a row labels: the
        pairs whose portal is read ask their unlabeled type (a dry run's own reads ask theirs
        as they need them, counted apart: :meth:`dry_run_only`)."""
        return self.record if self.dry_run_only or self.unread_record else self.read

    @property
    def unread_record(self) -> bool:
        """A dry run that reads nothing while its real run reads the state before to record
        it (pre-flight turned off, ``record_existing``): the day's budget counts those reads
        (:func:`~hubframe.run.before.reads_before`).  Before, only a dry run with its default
        pre-flight counted them, and ``--dry-run --no-preflight`` said the day had room for a
        run that then stopped at the limit."""
        return self.dry_run and self.record and not self.read

    @property
    def record_only(self) -> bool:
        """The portal is read only to record the state before the run (no predictions)."""
        return self.read and not (self.preflight or self.skip_existing)


@dataclass(frozen=True)
class _Associate:
    source: Any
    wanted: _Wanted
    issues: pd.DataFrame | None

    def prepare(self, run: RunContext) -> Prepared:
        from hubframe.jobs.check import run_issues, settled_rows
        from hubframe.run.lookup import resolve_ids
        from hubframe.run.spelling import sheet_objects

        source, index = read_input(self.source, "pairs")
        refuse_removals_sheet(source, "associate")
        refuse_unread_part(source, "associate would link")
        book = LabelBook(run.client)
        # Read while the sheet is checked: the labels the rows name, and when the state before
        # is read, every pair's (its unlabeled type is asked as soon as a pair is found linked).
        book.prefetch(labeled_pairs(source, every=self.wanted.every_label))
        frame, looked_up = resolve_ids(source, run.client)
        objects = sheet_objects(book, frame)  # one record pair however it is spelled
        issues = run_issues(frame, self.issues, "pairs", run.client, objects, index)
        settled = with_actions(frame, settled_rows(source, frame, issues, looked_up))
        prepared = Prepared("pairs", frame, "associate", settled=settled, issues=issues)
        prepared.index = index
        prepared.objects = objects
        if not self.wanted.dry_run:  # the connections of the first burst open during the lookup
            rows = len(frame) - len(settled)
            run.client.open_connections(_first_burst(rows, run.options.batch_size))
        if self.wanted.record_only:
            return _with_state_before(prepared, run, book)
        prepare_pairs(prepared, book, listed_only=True)
        settle_conflicts(prepared)
        if self.wanted.dry_run_only:
            _count_real_run(prepared, run, self.wanted)
        elif self.wanted.unread_record:
            run.reads.add_real_only(reads_before(prepared.work()))
        with run.reads.dry_run_only(self.wanted.dry_run_only):
            checks = _check_portal(prepared, run, book, self.wanted)
            if checks is not None:
                prepared.extra = _existing_columns(checks, len(frame))
                if self.wanted.dry_run:
                    prepared.notes = _notes(checks)
                record = self.wanted.record and not self.wanted.dry_run
                primaries_before(prepared, run, record=record)
        return prepared


def _count_real_run(prepared: Prepared, run: RunContext, wanted: _Wanted) -> None:
    """What a real run with the same options sends and reads, for a dry run's budget, where
    the dry run's own pre-flight (:attr:`_Wanted.dry_run_only`) is about to hold rows back:
    the batches of every row, and the reads of their state before when it is recorded."""
    prepared.real_batches = len(prepared.plan(run.options.batch_size).batches)
    if wanted.record:
        run.reads.add_real_only(reads_before(prepared.work()))


def _first_burst(rows: int, batch_size: int | None) -> int:
    """Requests a run of ``rows`` rows may have in flight at once (an upper bound)."""
    return min(MAX_IN_FLIGHT, -(-rows // batch_limit(Action.ASSOCIATE, batch_size)))


# --- reading the portal before sending (pre-flight, skip existing, undo records) ---------------


def _unlabeled_ids(book: LabelBook, pairs: Iterable[ObjectPair]) -> dict[ObjectPair, int | None]:
    out: dict[ObjectPair, int | None] = {}
    for pair in pairs:
        try:
            found = book.unlabeled(*pair)
        except HubframeError as exc:
            if exc.stops_run:
                raise
            found = None
        out[pair] = found.type_id if found is not None else None
    return out


Before = Callable[[WorkItem], frozenset[int] | None]


def _read_portal(
    items: list[WorkItem], run: RunContext, wanted: _Wanted
) -> tuple[PortalState, Before]:
    """The portal's state, and each row's pair as it was before the run (the journal's memory
    of an earlier, interrupted run first).  The readings it goes by are remembered in the
    journal as this run's."""
    journal = run.journal
    pairs = {item.objects for item in items}
    known = (
        {pair: journal.existing(*pair, current=True) for pair in pairs}
        if journal is not None
        else {}
    )

    # every pair, those the journal remembers too: what they hold now checks the outcomes
    # the journal recorded for them (:func:`hubframe.run.before.agreement`)
    state = read_state(run.client, sources_of(items), limits=wanted.preflight)

    def before(item: WorkItem) -> frozenset[int] | None:
        remembered = known.get(item.objects, {}).get(item.records)
        return remembered if remembered is not None else state.types(item.objects, item.records)

    if journal is not None and not wanted.dry_run:
        _remember(journal, items, before)
    return state, before


def _remember(journal: Journal, items: list[WorkItem], before: Before) -> None:
    """Keep in the journal, as this run's, the reading it goes by for each row's pair: a new
    one, or the one it took from an open run (see :func:`hubframe.run.before._remember`)."""
    by_pair: dict[ObjectPair, dict[RecordPair, frozenset[int]]] = {}
    for item in items:
        types = before(item)
        if types is not None:
            by_pair.setdefault(item.objects, {})[item.records] = types
    for pair, states in by_pair.items():
        journal.remember_existing(pair.from_type, pair.to_type, states)


def _with_state_before(prepared: Prepared, run: RunContext, book: LabelBook) -> Prepared:
    """The rows prepared, with the state before the run read while their labels are (the reads
    need the ids only); no read is left on its way when this returns."""
    early = start_reads(run.client, prepared.frame, prepared.open_positions(), run.journal)
    try:
        prepare_pairs(prepared, book, listed_only=True)
        settle_conflicts(prepared)
        prepared.plan_ahead(run.options.batch_size)  # while the reads are on their way
        _record_before(prepared, run, book, early)
    finally:
        early.finish()
    return prepared


def _record_before(prepared: Prepared, run: RunContext, book: LabelBook, early: EarlyReads) -> None:
    """The state before the run of the rows to send, read column-wise
    (:mod:`hubframe.run.before`): the ``existed_before`` and ``linked_before`` columns."""
    if prepared.stop is not None:
        return
    table = prepared.work()
    unlabeled: dict[ObjectPair, int | None] = {}

    def unlabeled_of(pair: ObjectPair) -> int | None:
        if pair not in unlabeled:
            unlabeled.update(_unlabeled_ids(book, [pair]))
        return unlabeled[pair]

    try:
        found = read_before(
            run.client,
            table,
            run.journal,
            size=len(prepared.frame),
            unlabeled=unlabeled_of,
            early=early,
        )
    except HubframeError as exc:  # a bad token, the daily limit, no HubSpot: nothing will work
        if not exc.stops_run:
            raise
        codes = zip(table.positions.tolist(), table.actions.tolist(), strict=True)
        prepared.stop_all(StopReason.of(exc), {pos: ACTIONS[code] for pos, code in codes})
        return
    prepared.extra = found.columns()
    for positions, error in found.unread:
        hold_back(prepared, positions.tolist(), error)
    if run.journal is not None:  # a recorded success is re-used while HubSpot holds it
        now = found.now
        defaults = {pair: unlabeled_of(pair) for pair in now}  # asked here, not in the pool

        def types_now(item: WorkItem) -> frozenset[int] | None:
            links = now.get(item.objects)
            return None if links is None else links.get(item.records, frozenset())

        prepared.agrees = agreement(types_now, defaults)
    primaries_before(prepared, run, record=True)


def _check_portal(
    prepared: Prepared, run: RunContext, book: LabelBook, wanted: _Wanted
) -> dict[int, Check] | None:
    """Read the portal for the prepared rows; settle the rows not to send; the checks by row."""
    if not wanted.read or prepared.stop is not None:
        return None
    table = prepared.work()
    items = table.items()  # the whole sheet, row by row: limits count rows in input order
    try:
        state, before = _read_portal(items, run, wanted)
        unlabeled = _unlabeled_ids(book, {item.objects for item in items})
    except HubframeError as exc:  # a bad token, the daily limit, no HubSpot: nothing will work
        if not exc.stops_run:
            raise
        prepared.stop_all(StopReason.of(exc), {i.position: i.action for i in items})
        return None
    checks = predict(items, state, unlabeled=unlabeled, before=before)
    if run.journal is not None and not wanted.dry_run:
        prepared.agrees = agreement(lambda item: state.types(item.objects, item.records), unlabeled)
    keep: list[int] = []
    for row, item in enumerate(items):
        unread = state.failed.get(item.objects)
        if wanted.record and not wanted.dry_run and unread is not None and before(item) is None:
            prepared.settled[item.position] = held(item.action, unread)
            continue
        outcome = _decide(item, checks[item.position], wanted)
        if outcome is None:
            keep.append(row)
        else:
            prepared.settled[item.position] = outcome
    prepared.table, prepared.count = table.take(keep), len(keep)
    _refused_last(prepared, [items[row] for row in keep], checks)
    return checks


def _refused_last(prepared: Prepared, sent: list[WorkItem], checks: dict[int, Check]) -> None:
    """Rows predicted ``LIMIT_EXCEEDED`` that are sent all the same (uncertain ones, or with
    ``send_predicted_failures``) go in a second phase, once every other row is answered:
    batches travel at once, from two endpoints, so sent together a row the sheet puts past a
    record's last place could reach HubSpot first and take it from a row before it."""
    later = [item.position for item in sent if checks[item.position].code is _LIMIT]
    if later:
        prepared.phase.update(dict.fromkeys(later, 1))


_LIMIT = ErrorCode.LIMIT_EXCEEDED


def _decide(item: WorkItem, check: Check, wanted: _Wanted) -> Outcome | None:
    """The outcome of a row pre-flight keeps from sending, or None to send it."""
    if check.code is ErrorCode.ALREADY_ASSOCIATED and wanted.skip_existing:
        message = f"{check.message}; skipped, not sent."
        return Outcome(
            Status.SKIPPED, action=item.action, error_code=check.code, error_message=message
        )
    if (
        check.code is ErrorCode.LIMIT_EXCEEDED
        and check.certain
        and not wanted.send_predicted_failures
    ):
        if wanted.dry_run:
            status = Status.PLANNED
            message = f"{check.message}; {_NOT_SENT_WITH_PREFLIGHT}"
        else:
            status = Status.FAILED
            message = f"{check.message}; not sent (send_predicted_failures=True sends it anyway)."
        return Outcome(status, action=item.action, error_code=check.code, error_message=message)
    return None


#: A dry run's predicted refusal: pre-flight is on for dry runs, off for real runs by default.
_NOT_SENT_WITH_PREFLIGHT = (
    "a real run with pre-flight on (preflight=True, --preflight) will not send it; without "
    "it, it is sent and HubSpot refuses it."
)

_NOTES = {
    ErrorCode.ALREADY_ASSOCIATED: "; sending it again changes nothing.",
    ErrorCode.LIMIT_EXCEEDED: "; HubSpot will refuse it (sent: send_predicted_failures=True).",
}


#: A limit reached only with earlier rows of the sheet: sent, since those may fail.
_UNSURE = "; sent all the same: HubSpot refuses it only if those rows are applied."


def _notes(checks: dict[int, Check]) -> dict[int, Note]:
    """The predictions a dry run shows on the planned rows that would be sent."""
    return {pos: _note(check) for pos, check in checks.items() if check.message is not None}


def _note(check: Check) -> Note:
    if check.code is None:  # its pair's limits could not be read
        return Note(str(check.message))
    return Note(f"{check.message}{_NOTES[check.code] if check.certain else _UNSURE}", check.code)


def _existing_columns(checks: dict[int, Check], rows: int) -> list[ExtraColumn]:
    """``existed_before`` and ``linked_before``, after the status columns."""
    out: list[ExtraColumn] = []
    after = "attempts"
    for name in EXISTING_COLUMNS:
        values = [getattr(checks[p], name) if p in checks else None for p in range(rows)]
        out.append(ExtraColumn(after, name, pd.Series(values, dtype="boolean")))
        after = name
    return out


__all__ = ["PREFLIGHT_ON_DRY_RUNS", "associate"]
