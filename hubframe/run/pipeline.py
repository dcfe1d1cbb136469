"""The one run skeleton every job uses: prepare, plan, send (or only plan), build the result.

A job (:mod:`hubframe.jobs`) is a :class:`Job`: it turns its input into a :class:`Prepared`
-- the frame to report on, the work items to send, and the outcomes of rows settled while
preparing (invalid, duplicate, looked-up-and-missing, predicted) -- and :func:`run_job` does
the rest, the same way for every job:

1. hold the run's process settings (:func:`~hubframe.run.options.calm_gc`) and open its journal;
2. ``job.prepare(run)``;
3. :func:`execute`: a dry run plans only (rows ``planned``, with the job's notes); a real run
   streams the plan to a :class:`~hubframe.run.send.Sender` (progress bar, ``on_progress``,
   ``cancel``, journal);
4. :func:`~hubframe.run.table.result_table` builds the result table once, and what the run
   knows -- why it stopped, how many rows it meant to send, the validation issues -- rides with
   it as ``result.attrs["hubframe"]["run"]`` (a :class:`RunFacts`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe.errors import ErrorCode, StopReason
from hubframe.hubspot.client import HubSpotClient, require_client
from hubframe.run.budget import DailyBudget, JobReads
from hubframe.run.endpoints import endpoint
from hubframe.run.interrupt import ctrl_c_cancels
from hubframe.run.journal import Journal
from hubframe.run.left_behind import warn_left_behind
from hubframe.run.options import JournalArg, RunOptions, calm_gc, finished, opened_journal
from hubframe.run.outcomes import Outcomes
from hubframe.run.plan import Plan, make_plan
from hubframe.run.portal import PortalKey
from hubframe.run.rows import describer
from hubframe.run.send import Agrees, Sender
from hubframe.run.table import ExtraColumn, Kind, Resolved, result_table
from hubframe.run.work import Outcome, WorkItem
from hubframe.run.worktable import WorkTable
from hubframe.vocab import Action, Status

#: Where a result table keeps its :class:`RunFacts`: ``result.attrs["hubframe"]["run"]``.
FACTS_KEY = "run"


@dataclass(frozen=True)
class Note:
    """What a dry run says on a planned row beside "planned" (a prediction or a warning)."""

    message: str
    code: ErrorCode | None = None
    #: also said on the row when a real run applies it (its ``success`` row has no message)
    sent: bool = False


@dataclass(frozen=True)
class Needs:
    """The rows one row is sent after (:attr:`Prepared.needs`), and its outcome when one of
    them is not applied."""

    positions: frozenset[int]
    otherwise: Outcome


@dataclass(frozen=True)
class Covered:
    """The row whose applying does what one row would (:attr:`Prepared.covered`), and the
    row's outcome, from that row's, when it is applied."""

    by: int
    outcome: Callable[[Outcome], Outcome]


#: A job's last word on the rows of a phase, given just before they are sent, from the outcomes
#: so far (:attr:`Prepared.recheck`): the rows to send (changed as the job decides) and the
#: outcomes of those it settles instead, unsent.
Recheck = Callable[
    [list[WorkItem], Mapping[int, Outcome]], tuple[list[WorkItem], dict[int, Outcome]]
]


@dataclass
class Prepared:
    """A job's input, made ready to run (see the module docstring)."""

    kind: Kind
    frame: pd.DataFrame
    desc: str  # the progress bar's label: "associate", "limits", "undo", "remove"
    #: The rows to send, column by column; or, for jobs that prepare rows one by one, ``items``
    #: (turned into a table when the run starts).
    table: WorkTable | None = None
    items: Iterable[WorkItem] = ()
    count: int = 0  # rows to send (before repeats are set aside)
    settled: dict[int, Outcome] = field(default_factory=dict)
    resolved: Resolved = field(default_factory=Resolved)  # (category, type id) of labels
    notes: dict[int, Note] = field(default_factory=dict)
    extra: list[ExtraColumn] = field(default_factory=list)
    stop: StopReason | None = None
    shown: Action | None = None  # the action every row shows (removal jobs: archive)
    issues: pd.DataFrame | None = None
    budget: DailyBudget | None = None  # set once planned: requests needed, the day's left
    #: the batches a real run with the same options sends, where a dry run plans fewer (its
    #: own pre-flight holds back rows a real run sends): its budget counts these (None: the
    #: plan's own)
    real_batches: int | None = None
    #: The phase each row is sent in, by position (:func:`~hubframe.run.phases.run_in_phases`:
    #: phase 0 first, each once the one before is done); empty: removals first.
    phase: dict[int, int] = field(default_factory=dict)
    #: the index of the DataFrame the rows were read from, given back to the result table
    #: (None: the default 0..n-1), see :func:`hubframe.run.rows.read_input`
    index: pd.Index | None = None
    #: the plan made ahead (:meth:`plan_ahead`) and the batch size it was made with
    ahead: tuple[Plan, int | None] | None = None
    #: whether a journal's outcome of a row still holds, by what the job read of the portal
    #: (None: every recorded outcome is re-used): see :class:`~hubframe.run.send.Sender`
    agrees: Agrees | None = None
    #: rows sent only as a journal's record of them: re-used when the journal records them
    #: (and :attr:`agrees`), else given this outcome, never sent (a resumed removal of a limit
    #: HubSpot no longer holds: the journal's removal, or nothing to remove)
    unsent: dict[int, Outcome] = field(default_factory=dict)
    #: the unlabeled type ids of the object pairs whose labels the job read (a custom
    #: object's): whose limit a limit error names (:data:`~hubframe.run.answers.UnlabeledIds`)
    unlabeled: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    #: the labels' exact names of the object pairs whose labels the job read, by type id (None:
    #: names that cannot tell a label from another): what confirms a labeled row in an
    #: answer (:data:`~hubframe.run.answers.LabelNames`)
    label_names: dict[tuple[str, str], dict[int, str | None]] = field(default_factory=dict)
    #: custom object spelling -> its object (:func:`~hubframe.run.spelling.sheet_objects`):
    #: rows of one record pair spelled two ways are sent under one spelling, so that the plan
    #: finds their repeats and conflicts as for rows spelled alike
    objects: Mapping[str, str] = field(default_factory=dict)
    #: rows sent only once other rows are applied, by position (the rows they need, in an
    #: earlier phase: :func:`~hubframe.run.phases.run_in_phases`); when one of those is not
    #: applied (``planned`` in a dry run), the row is given :attr:`Needs.otherwise`, unsent
    needs: dict[int, Needs] = field(default_factory=dict)
    #: rows not sent when another row, in an earlier phase, is applied (``planned`` in a dry
    #: run): they get :attr:`Covered.outcome` of its outcome; else they are sent
    covered: dict[int, Covered] = field(default_factory=dict)
    #: rows decided again just before their phase is sent (:data:`Recheck`;
    #: :func:`~hubframe.run.phases.run_in_phases` only): an undo reads a record pair again once
    #: its label removals are done, to remove it whole or not
    recheck: dict[int, Recheck] = field(default_factory=dict)

    def say(self, position: int, message: str) -> None:
        """Add ``message`` to the note of the row at ``position`` (after what it says already),
        said on its planned and its applied row."""
        before = self.notes.get(position)
        said = message if before is None else f"{before.message} {message}"
        self.notes[position] = Note(said, before.code if before else None, sent=True)

    def stop_all(self, reason: StopReason, actions: Mapping[int, Action | None]) -> None:
        """The run stops before sending: the rows in ``actions`` not settled yet are left
        undone with the reason, and nothing is sent."""
        self.stop = self.stop or reason
        for pos, action in actions.items():
            if pos not in self.settled:
                self.settled[pos] = Outcome(
                    reason.status,
                    action=action,
                    error_code=reason.code,
                    error_message=reason.message,
                )
        self.items, self.count, self.table = (), 0, WorkTable.empty()

    def open_positions(self) -> npt.NDArray[np.int64]:
        """The frame positions of the rows not settled yet, in order."""
        todo = np.ones(len(self.frame), dtype=bool)
        todo[list(self.settled)] = False
        return np.flatnonzero(todo).astype(np.int64)

    def release(self) -> None:
        """Forget the rows to send once they are sent (the result table is built without them,
        and a big run's peak memory is its result, not both)."""
        self.items, self.table, self.ahead = (), WorkTable.empty(), None

    def plan_ahead(self, batch_size: int | None) -> None:
        """Plan the rows to send now, while the network is busy (the reads of the state
        before the run): :meth:`plan` gives this plan unless the rows to send change first."""
        plan = make_plan(self.work(), batch_size=batch_size, describe=describer(self.frame))
        self.ahead = (plan, batch_size)

    def plan(self, batch_size: int | None) -> Plan:
        """The plan of the rows to send: the one made ahead when the rows to send are still
        those it was made of (rows held back since, or a stop, mean a new one)."""
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead[0].table is self.table and ahead[1] == batch_size:
            return ahead[0]
        return make_plan(self.work(), batch_size=batch_size, describe=describer(self.frame))

    def work(self) -> WorkTable:
        """The rows to send as a table (``items`` are read once, into one)."""
        if self.table is None:
            self.table = WorkTable.from_items(self.items)
            self.items = ()
        return self.table


@dataclass(frozen=True)
class RunContext:
    """What a job may use while preparing: the client, the options, the open journal, and
    the count of the reads it makes (:class:`~hubframe.run.budget.JobReads`, made as the job
    starts)."""

    client: HubSpotClient
    options: RunOptions
    journal: Journal | None
    reads: JobReads


class Job(Protocol):
    """One kind of run: turns its input into a :class:`Prepared`."""

    def prepare(self, run: RunContext) -> Prepared: ...


@dataclass(frozen=True, eq=False)
class RunFacts:
    """What a run knows when it ends, carried by its result table.

    Equal only to itself: pandas compares the ``attrs`` of the tables it concatenates, and a
    field-by-field comparison reached ``issues``, a DataFrame, whose truth is ambiguous, so
    ``pd.concat`` of two runs of the same size raised; two runs' tables joined are no one run.

    ``stop``: why the run stopped early (None when it did not); ``to_send``: the rows it meant to
    send; ``issues``: the validation issues of its input; ``budget``: the requests its plan
    needed against HubSpot's daily budget (its ``message()`` says when the day's is too small).
    Kept by reference when pandas copies the table's ``attrs`` (it never changes).
    """

    job: str
    dry_run: bool
    rows: int
    to_send: int
    stop: StopReason | None = None
    cancelled: bool = False
    issues: pd.DataFrame | None = None
    budget: DailyBudget | None = None
    base_url: str | None = None  # where the run sent (undo refuses to act elsewhere)
    #: the portal the run sent to (its base URL and a salted hash of the token): portals
    #: share one host, and an undo with another portal's token is refused
    portal: PortalKey | None = None
    journal: str | None = None  # the run's journal (an undo of the table ends its open runs)
    #: the run's number in its journal (runs.id): an undo of the table, or of its report,
    #: takes back what that run (and the runs it resumed) wrote, never a later run's
    journal_run: int | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> RunFacts:
        return self


def run_facts(result: pd.DataFrame) -> RunFacts | None:
    """The :class:`RunFacts` of a result table fresh from a run (None for one read from a file)."""
    meta = result.attrs.get("hubframe")
    facts = meta.get(FACTS_KEY) if isinstance(meta, Mapping) else None
    return facts if isinstance(facts, RunFacts) else None


def run_job(job: Job, client: HubSpotClient, options: RunOptions) -> pd.DataFrame:
    """Prepare, run and report one job (see the module docstring)."""
    require_client(client)
    with (
        ctrl_c_cancels(options) as options,
        calm_gc(),
        opened_journal(options.journal, client, begin=not options.dry_run) as journal,
    ):
        run = RunContext(client, options, journal, JobReads(client.limiter))
        prepared = job.prepare(run)
        outcomes, stop, to_send = execute(prepared, run)
        warn_left_behind(journal, prepared, options)
        finished(journal, (prepared.stop or stop) is not None, options)
        prepared.release()
    facts = facts_of(prepared, client, options, stop, to_send, journal)
    return table_with_facts(prepared, outcomes, facts)


def facts_of(
    prepared: Prepared,
    client: HubSpotClient,
    options: RunOptions,
    stop: StopReason | None,
    to_send: int,
    journal: Journal | None = None,
) -> RunFacts:
    """What a run that has ended knows (:class:`RunFacts`), for every job's result table
    (``journal``: the run's, opened, whose run number it keeps)."""
    return RunFacts(
        job=prepared.desc,
        dry_run=options.dry_run,
        rows=len(prepared.frame),
        to_send=to_send,
        stop=prepared.stop or stop,
        cancelled=options.cancel is not None and options.cancel.is_set(),
        issues=prepared.issues,
        budget=prepared.budget,
        base_url=client.base_url,
        portal=PortalKey.of(client),
        journal=_path_of(options.journal),
        journal_run=journal.run or None if journal is not None else None,
    )


def _path_of(journal: JournalArg) -> str | None:
    """A journal's path, made absolute (None without one): an undo of the result table, or
    of its report, finds it from another working directory."""
    if journal is None:
        return None
    return os.path.abspath(journal.path if isinstance(journal, Journal) else journal)


#: A dry run's rows the day's limit left unplanned (it read the portal for the plan).
DRY_RUN_USED_UP: Final = (
    "Not planned: HubSpot's daily API limit was reached while the portal was read for the "
    "plan, so the dry run stopped; run the dry run again after the limit resets (midnight in "
    "the account's time zone)."
)


def settle_used_up(prepared: Prepared, options: RunOptions) -> bool:
    """Whether the day's limit stopped the reads before the plan; a dry run's rows it left
    undone are then said as a dry run's (they said "run the retry file", which a dry run
    does not write)."""
    stop = prepared.stop
    if stop is None or stop.code is not ErrorCode.RATE_LIMITED:
        return False
    if options.dry_run:
        settled = prepared.settled
        for pos, outcome in settled.items():
            if outcome.error_message == stop.message:
                settled[pos] = outcome.with_(error_message=DRY_RUN_USED_UP)
    return True


def execute(prepared: Prepared, run: RunContext) -> tuple[Outcomes, StopReason | None, int]:
    """Plan and send (or only plan) the prepared rows: the outcome of every row, why the run
    stopped early (None when it did not), and how many rows it meant to send."""
    options = run.options
    outcomes = Outcomes(len(prepared.frame))
    plan = prepared.plan(options.batch_size)
    spent = settle_used_up(prepared, options)
    outcomes.put_all(prepared.settled)
    outcomes.put_all(plan.settled)
    prepared.budget = budget_of(plan, prepared, run, spent)
    if options.dry_run:
        outcomes.put_planned(*plan.planned())
        _unsent_planned(outcomes, plan, prepared, run.journal)
        _noted(outcomes, prepared.notes)
        return outcomes, None, plan.rows_to_send
    if options.on_start is not None:
        options.on_start(plan.rows_to_send)
    with _progress(prepared.desc, plan.rows_to_send, options) as advance:
        sender = Sender(
            run.client,
            journal=run.journal,
            workers=options.workers,
            on_progress=advance,
            cancel=options.cancel,
            agrees=prepared.agrees,
            unlabeled=prepared.unlabeled,
            label_names=prepared.label_names,
            unsent=prepared.unsent,
        )
        sender.send(plan.stream(), outcomes, count=len(plan.batches))
    if sender.stream_broke and sender.stop.reason is not None:
        _left_unmade(outcomes, sender.stop.reason)
    _noted_sent(outcomes, prepared.notes)
    return outcomes, sender.stop.reason, plan.rows_to_send


def _left_unmade(outcomes: Outcomes, reason: StopReason) -> None:
    """The rows of batches never made (hubframe failed making them: out of memory) left
    undone with the stop's reason, as the rows of batches made and not sent are."""
    undone = Outcome(
        reason.status, action=None, error_code=reason.code, error_message=reason.message
    )
    outcomes.put_all({int(position): undone for position in outcomes.missing()})


def budget_of(plan: Plan, prepared: Prepared, run: RunContext, spent: bool) -> DailyBudget:
    """The requests ``plan`` needs against the day's left: its batches (or those of a real
    run, :attr:`Prepared.real_batches`), the reads the job made before it (a real run makes
    them again), and one read a batch whose answers confirm no row
    (:attr:`~hubframe.run.endpoints.Endpoint.read_back`)."""
    checks = sum(endpoint(spec.action).read_back for spec in plan.batches)
    writes = len(plan.batches) if prepared.real_batches is None else prepared.real_batches
    left = run.client.limiter.daily_left
    return DailyBudget(writes, left, spent, run.reads.made, checks)


#: A dry run's row that the run reports from its journal, sending nothing.
FROM_JOURNAL: Final = (
    "A stopped run of this journal made this change, and HubSpot holds it: the run reports it "
    "from the journal, sending nothing."
)


#: How a dry run ends the word of a row the run reports ``success`` without sending it.
REPORTED_SO: Final = "The run reports it so (success), sending nothing."


def _unsent_planned(
    outcomes: Outcomes, plan: Plan, prepared: Prepared, journal: Journal | None
) -> None:
    """A dry run's rows the run sends as the journal's record only (:attr:`Prepared.unsent`:
    a limits removal with nothing to remove now): ``planned`` when the journal holds the
    outcome the run then reports (``success``, the read agreeing) or the run reports it
    ``success`` without one (a removal an earlier run sent, its answer lost), else the
    outcome they get without one -- as the run says.  Before, a dry run of a resumed limits run said
    "nothing to remove" where the run said ``success``."""
    if not prepared.unsent:
        return
    unsent = np.fromiter(prepared.unsent, dtype=np.int64)
    for spec in plan.batches:
        if not np.isin(plan.table.positions[spec.rows], unsent).any():
            continue
        batch = plan.batch(spec)
        items = batch.items
        recorded = journal.lookup(batch) if journal is not None else None
        for i, item in enumerate(items):
            if item.position not in prepared.unsent:
                continue
            done = recorded[i] if recorded is not None else None
            if _reported_done(prepared, item, done):
                said = Outcome(Status.PLANNED, action=item.action, error_message=FROM_JOURNAL)
                outcomes.put(item.position, said.with_(batch=batch.number))
            elif (given := prepared.unsent[item.position]).status is Status.SUCCESS:
                # a change an earlier run sent, its answer lost, that HubSpot holds: the run
                # reports it done, sending nothing, and says so
                said = Outcome(
                    Status.PLANNED,
                    action=item.action,
                    error_message=f"{given.error_message} {REPORTED_SO}",
                )
                outcomes.put(item.position, said)
            else:
                outcomes.put(item.position, prepared.unsent[item.position])


def _reported_done(prepared: Prepared, item: WorkItem, recorded: Outcome | None) -> bool:
    """Whether the run reports ``item`` ``success`` from the journal's ``recorded`` outcome:
    a success the job's read of the portal agrees with (:attr:`Prepared.agrees`)."""
    if recorded is None or recorded.status is not Status.SUCCESS:
        return False
    return prepared.agrees is None or prepared.agrees(item, recorded)


def _noted(outcomes: Outcomes, notes: Mapping[int, Note]) -> None:
    """Put the dry run's predictions and warnings on the rows it plans to send."""
    for position, note in notes.items():
        planned = outcomes.get(position)
        if planned is not None and planned.status is Status.PLANNED and not planned.error_code:
            outcomes.put(position, planned.with_(error_code=note.code, error_message=note.message))


def _noted_sent(outcomes: Outcomes, notes: Mapping[int, Note]) -> None:
    """Put the notes meant for applied rows (``Note.sent``) on the rows a real run applied."""
    for position, note in notes.items():
        done = outcomes.get(position) if note.sent else None
        if done is not None and done.status is Status.SUCCESS and not done.error_message:
            outcomes.put(position, done.with_(error_message=note.message))


@contextmanager
def _progress(desc: str, total: int, options: RunOptions) -> Iterator[Callable[[int], None]]:
    """A tqdm bar over the rows to send (tqdm loaded only when shown), fed by the sender
    (and ``on_progress``)."""
    if not options.progress:

        def report(rows: int) -> None:
            if options.on_progress is not None:
                options.on_progress(rows)

        yield report
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit="rows") as bar:

        def advance(rows: int) -> None:
            bar.update(rows)
            if options.on_progress is not None:
                options.on_progress(rows)

        yield advance


def table_with_facts(
    prepared: Prepared, outcomes: Outcomes | Mapping[int, Outcome], facts: RunFacts
) -> pd.DataFrame:
    """The result table of a prepared job, with its :class:`RunFacts` in its attrs."""
    result = result_table(
        prepared.frame,
        outcomes,
        kind=prepared.kind,
        resolved=prepared.resolved,
        extra=prepared.extra,
        shown=prepared.shown,
    )
    if prepared.index is not None and len(prepared.index) <= len(result):
        result.index = _labels(prepared.index, len(result))
    meta = copy.copy(result.attrs.get("hubframe") or {})
    meta[FACTS_KEY] = facts
    result.attrs["hubframe"] = meta
    return result


def _labels(index: pd.Index, rows: int) -> pd.Index:
    """The input's index for a result of ``rows`` rows: rows a job adds after the input's (a
    sync's removals of associations no row lists) are numbered on after the largest label of an
    integer index, in its dtype, so none shares an input row's label; otherwise (numbers that
    would not fit the dtype, labels of any other kind) their label is missing -- of the index's
    own dtype where it has one, else None -- and the input's own labels stay as they are."""
    added = rows - len(index)
    if added <= 0:
        return index
    kept = _numbered_on(index, added)
    if kept is None:
        kept = _multi_on(index, added)
    if kept is None:
        kept = _missing_on(index, added)
    if kept is not None:
        return kept
    # Dates, numbers: as they are.  Not Index.append, which infers a
    # dtype again: the ints of an object index became float64 beside a None, rounded.
    labels = np.empty(len(index) + added, dtype=object)
    labels[: len(index)] = index.to_flat_index().astype(object)
    return pd.Index(labels, dtype=object, name=index.name)


def _multi_on(index: pd.Index, added: int) -> pd.Index | None:
    """A MultiIndex with ``added`` labels missing at every level (its levels' dtypes and
    names kept), or None for another index: the added rows made it a flat index of tuples,
    its level names lost."""
    if not isinstance(index, pd.MultiIndex):
        return None
    levels = []
    for level in range(index.nlevels):
        values = index.get_level_values(level)
        if values.dtype.kind in "iub" and not isinstance(
            values.dtype, pd.api.extensions.ExtensionDtype
        ):
            kind = {"i": "Int", "u": "UInt"}.get(values.dtype.kind)  # numbers stay numbers
            values = values.astype(f"{kind}{values.dtype.itemsize * 8}" if kind else "boolean")
        more = _missing_on(values, added)
        if more is None:
            objects = np.empty(len(values) + added, dtype=object)
            objects[: len(values)] = values.astype(object)
            more = pd.Index(objects, dtype=object)
        levels.append(more)
    return pd.MultiIndex.from_arrays(levels, names=index.names)


def _missing_on(index: pd.Index, added: int) -> pd.Index | None:
    """``index`` with ``added`` missing labels of its own dtype (dates with NaT, floats with
    NaN, text with NA), or None where the dtype holds no missing value."""
    if isinstance(index, pd.MultiIndex) or index.dtype == object:
        return None
    dtype: Any = index.dtype  # any dtype of an index (the stubs' overloads name a few)
    try:
        more = pd.Index(pd.array([None] * added, dtype=dtype))
    except (TypeError, ValueError):
        return None
    if not more.isna().all():  # a numpy bool dtype makes None False
        return None
    out = index.append(more.rename(index.name))
    return out if out.dtype == index.dtype else None


def _numbered_on(index: pd.Index, added: int) -> pd.Index | None:
    """``index`` with ``added`` labels numbered on after its largest, in its own integer dtype
    (None for another kind of index, or numbers past the dtype's largest: an int64 index
    holding 2**63 - 1 made the result fail with OverflowError after the sync was applied, and
    a uint64 one came back float64, its labels rounded)."""
    if not pd.api.types.is_integer_dtype(index.dtype):
        return None
    top = index.max() if len(index) else None
    start = 0 if top is None or pd.isna(top) else int(top) + 1
    largest = np.iinfo(getattr(index.dtype, "numpy_dtype", index.dtype)).max
    if start + added - 1 > largest:
        return None
    dtype: Any = index.dtype
    more = pd.Index(pd.array(list(range(start, start + added)), dtype=dtype), name=index.name)
    out = index.append(more)
    return out if out.dtype == index.dtype else None


__all__ = [
    "FACTS_KEY",
    "Covered",
    "Job",
    "Needs",
    "Note",
    "Prepared",
    "RunContext",
    "RunFacts",
    "execute",
    "facts_of",
    "run_facts",
    "run_job",
    "table_with_facts",
]
