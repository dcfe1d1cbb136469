"""Rows sent in phases: a run whose rows must reach HubSpot in an order.

A sync (and the undo of one) removes some associations and creates others, and a configured
limit may only have room for a new association once an old one is gone (a contact moving from
one employer to another, with a limit of one employer).  :func:`run_in_phases` runs such a job
like :func:`~hubframe.run.pipeline.run_job` -- the same preparation, planning, sending, journal,
progress, cancel and result table -- but sends every removal first and the creations only once
the removals are done.  A job with one kind of row runs exactly as under ``run_job``.  A job
may give each row its phase instead (:attr:`~hubframe.run.pipeline.Prepared.phase`: the limits
job lowers label limits before it changes the object limit, and raises them after); a dry run
plans the same phases, in the same order.  A row may also need others applied first
(:attr:`~hubframe.run.pipeline.Prepared.needs`: an undo takes back the row that moved a
record's primary company only once the old one is Primary again): when one of them is not
(``planned`` counts in a dry run), the row is not sent and gets the outcome it names.  A row
may be covered by another, in an earlier phase (:attr:`~hubframe.run.pipeline.Prepared.covered`:
an undo's link row by the creation of its pair's label, which brings the link): when that row
is applied, the row is not sent and takes its outcome from that row's; else it is sent.
A job may decide a row again just before its phase is sent
(:attr:`~hubframe.run.pipeline.Prepared.recheck`: an undo reads a record pair again once its
label removals are done).

Batch numbers continue from one phase to the next; ``on_start`` is called once with every row
to send; a run that stops in the first phase (a refused token, the daily limit, no HubSpot)
leaves the second phase's rows undone with the stop's reason, as ``run_job`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from hubframe.errors import StopReason
from hubframe.hubspot.client import HubSpotClient, require_client
from hubframe.run.budget import DailyBudget, JobReads
from hubframe.run.interrupt import ctrl_c_cancels
from hubframe.run.left_behind import warn_left_behind
from hubframe.run.options import RunOptions, calm_gc, finished, opened_journal
from hubframe.run.pipeline import (
    Covered,
    Job,
    Needs,
    Prepared,
    Recheck,
    RunContext,
    execute,
    facts_of,
    settle_used_up,
    table_with_facts,
)
from hubframe.run.plan import make_plan
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Status


def split(items: Iterable[WorkItem]) -> tuple[list[WorkItem], list[WorkItem]]:
    """(removals, the rest), each in input order."""
    removals: list[WorkItem] = []
    rest: list[WorkItem] = []
    for item in items:
        (removals if item.action.removes_association else rest).append(item)
    return removals, rest


def phases(prepared: Prepared, items: Iterable[WorkItem]) -> list[list[WorkItem]]:
    """The rows of each phase, in the order they are sent (each in input order; none empty):
    by :attr:`Prepared.phase`, else removals first (:func:`split`)."""
    if not prepared.phase:
        return [p for p in split(items) if p]
    grouped: dict[int, list[WorkItem]] = {}
    for item in items:
        grouped.setdefault(prepared.phase.get(item.position, 0), []).append(item)
    return [grouped[n] for n in sorted(grouped)]


def pin_phases(prepared: Prepared, items: Iterable[WorkItem]) -> int:
    """Give each of ``items`` without a phase the one :func:`phases` sends it in when no row
    has one (removals 0, the rest 1), so that a job can add a phase after them; the last
    phase given."""
    for item in items:
        prepared.phase.setdefault(item.position, 0 if item.action.removes_association else 1)
    return max(prepared.phase.values(), default=0)


def _stopped(
    items: Iterable[WorkItem], reason: StopReason, batches: Mapping[int, int]
) -> dict[int, Outcome]:
    """The outcomes of a phase a stop left unsent, each in the batch it would have gone in
    (``batches``, by position), as the rows of a stopped phase keep theirs."""
    return {
        item.position: Outcome(
            reason.status,
            action=item.action,
            error_code=reason.code,
            error_message=reason.message,
            batch=batches.get(item.position),
        )
        for item in items
    }


def _numbered(items: list[WorkItem], batch_size: int | None, offset: int) -> dict[int, int]:
    """The batch each of ``items`` would go in (numbered on from ``offset``), by position."""
    positions, _, numbers = make_plan(items, batch_size=batch_size).planned()
    return {int(p): int(n) + offset for p, n in zip(positions, numbers, strict=True)}


def _applied(outcome: Outcome | None) -> bool:
    return outcome is not None and outcome.status in (Status.SUCCESS, Status.PLANNED)


def _covered_done(
    items: list[WorkItem], covered: Mapping[int, Covered], outcomes: Mapping[int, Outcome]
) -> tuple[list[WorkItem], dict[int, Outcome]]:
    """The ``items`` still to send, and the outcome of each one whose covering row
    (:attr:`Prepared.covered`) was applied: :attr:`Covered.outcome` of that row's, unsent."""
    if not covered:
        return items, {}
    rest: list[WorkItem] = []
    done: dict[int, Outcome] = {}
    for item in items:
        cover = covered.get(item.position)
        by = outcomes.get(cover.by) if cover is not None else None
        if cover is not None and by is not None and _applied(by):
            done[item.position] = cover.outcome(by)
        else:
            rest.append(item)
    return rest, done


def _needs_met(
    items: list[WorkItem], needs: Mapping[int, Needs], outcomes: Mapping[int, Outcome]
) -> tuple[list[WorkItem], dict[int, Outcome]]:
    """The ``items`` whose needed rows (:attr:`Prepared.needs`) were applied, and the outcome
    of each other one (its :attr:`Needs.otherwise`: it is not sent)."""
    if not needs:
        return items, {}
    sent: list[WorkItem] = []
    held: dict[int, Outcome] = {}
    for item in items:
        need = needs.get(item.position)
        if need is None or all(_applied(outcomes.get(p)) for p in need.positions):
            sent.append(item)
        else:
            held[item.position] = need.otherwise
    return sent, held


def _rechecked(
    items: list[WorkItem], recheck: Mapping[int, Recheck], outcomes: Mapping[int, Outcome]
) -> tuple[list[WorkItem], dict[int, Outcome]]:
    """The ``items`` to send once each job's :data:`Recheck` of theirs (:attr:`Prepared.recheck`)
    has decided them again, and the outcomes of those it settled, unsent.  Rows with the same
    recheck are given to it together (one read for them all)."""
    if not recheck:
        return items, {}
    mine: dict[int, tuple[Recheck, list[WorkItem]]] = {}
    rest: list[WorkItem] = []
    for item in items:
        check = recheck.get(item.position)
        if check is None:
            rest.append(item)
        else:
            mine.setdefault(id(check), (check, []))[1].append(item)
    settled: dict[int, Outcome] = {}
    for check, theirs in mine.values():
        sent, done = check(theirs, outcomes)
        rest += sent
        settled.update(done)
    order = {item.position: n for n, item in enumerate(items)}
    return sorted(rest, key=lambda i: order.get(i.position, len(order))), settled


def _shifted(outcomes: Mapping[int, Outcome], positions: set[int], by: int) -> dict[int, Outcome]:
    """The outcomes of ``positions`` with their batch numbers moved on by ``by``."""
    return {
        pos: o.with_(batch=o.batch + by) if pos in positions and o.batch is not None else o
        for pos, o in outcomes.items()
    }


def execute_in_phases(
    prepared: Prepared, run: RunContext
) -> tuple[dict[int, Outcome], StopReason | None]:
    """Send (or plan) the rows of ``prepared`` phase after phase (:func:`phases`): every row's
    outcome, and why the run stopped early (None when it did not)."""
    parts = phases(prepared, prepared.items)
    options = run.options
    if options.on_start is not None:
        options.on_start(sum(len(p) for p in parts))
    quiet = replace(run, options=replace(options, on_start=None))
    spent = settle_used_up(prepared, options)
    outcomes: dict[int, Outcome] = dict(prepared.settled)
    offset = 0
    stop: StopReason | None = None
    budgets: list[DailyBudget] = []
    for items in parts:
        # a covered row is done once its covering row is, even when the run stopped since
        items, done = _covered_done(items, prepared.covered, outcomes)
        outcomes.update(done)
        if stop is not None:
            numbers = _numbered(items, options.batch_size, offset)
            outcomes.update(_stopped(items, stop, numbers))
            offset = max([offset, *numbers.values()])
            continue
        items, held = _needs_met(items, prepared.needs, outcomes)
        outcomes.update(held)
        items, held = _rechecked(items, prepared.recheck, outcomes)
        outcomes.update(held)
        if not items:
            continue
        part = replace(prepared, items=items, table=None, count=len(items), settled={})
        store, stop, _ = execute(part, quiet)
        if part.budget is not None:
            budgets.append(part.budget)
        positions = {item.position for item in items}
        found = {p: o for p in positions if (o := store.get(p)) is not None}
        outcomes.update(_shifted(found, positions, offset))
        offset = max([offset, *(o.batch or 0 for p, o in outcomes.items() if p in positions)])
    prepared.budget = _budget(budgets, prepared, run, spent)
    return outcomes, stop


def _budget(
    budgets: list[DailyBudget], prepared: Prepared, run: RunContext, spent: bool
) -> DailyBudget:
    """Every phase's requests, against what was left when the first one was planned: their
    writes (or a real run's, :attr:`Prepared.real_batches`) and checks, and the reads before
    the first phase once (a later phase's count holds them again, and in a real run the
    phases before it too)."""
    if not budgets:  # nothing to plan (the day's limit stopped the reads before the plan, say)
        writes, left = prepared.real_batches or 0, run.client.limiter.daily_left
        return DailyBudget(writes, left, spent, run.reads.made)
    first = budgets[0]
    writes = sum(b.writes for b in budgets)
    writes = writes if prepared.real_batches is None else prepared.real_batches
    return DailyBudget(writes, first.left, spent, first.reads, sum(b.checks for b in budgets))


def run_in_phases(job: Job, client: HubSpotClient, options: RunOptions) -> pd.DataFrame:
    """:func:`~hubframe.run.pipeline.run_job`, in phases (see the module docstring)."""
    require_client(client)
    with (
        ctrl_c_cancels(options) as options,
        calm_gc(),
        opened_journal(options.journal, client, begin=not options.dry_run) as journal,
    ):
        run = RunContext(client, options, journal, JobReads(client.limiter))
        prepared = job.prepare(run)
        prepared.items = prepared.work().items()  # phases split the rows one by one
        prepared.table = None
        outcomes, stop = execute_in_phases(prepared, run)
        warn_left_behind(journal, prepared, options)
        finished(journal, (prepared.stop or stop) is not None, options)
        finish = getattr(job, "finish", None)  # rows whose outcome is another row's
        if callable(finish):
            finish(prepared, outcomes)
    facts = facts_of(prepared, client, options, stop, prepared.count, journal)
    return table_with_facts(prepared, outcomes, facts)


__all__ = ["execute_in_phases", "phases", "pin_phases", "run_in_phases", "split"]
