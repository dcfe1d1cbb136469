"""Which runs of a journal an undo of a report (or a result table) takes back.

A journal is shared by runs (one per portal, as advised): an undo of a run's report takes back
what that run, and the runs it resumed, wrote -- never what another run of the journal wrote.
A fresh result table knows its run (``RunFacts.journal_run``), a report's Summary names it
(``journal run``); :meth:`~hubframe.run.journal.Journal.run_chain` adds the runs it resumed.
Before, the report's rows were held to what any run of the journal wrote: a second undo of an
earlier report, after a later run linked the same pairs again, removed the later run's links,
and a report whose ids (or label and type id) were retyped to a write of another run passed.
A row whose change a later run of the journal reversed (a sync or a remove removing what the
run made, a run making again what it removed) is left too, naming that run
(:func:`changed_later`): before, an undo of run A's report removed the links run C (or a
colleague) made after a sync B of the journal had removed A's.
"""

from __future__ import annotations

import time
from typing import Final

import pandas as pd

from hubframe.report.reader import report_run
from hubframe.run.journal import Journal, LaterChange
from hubframe.run.pipeline import run_facts


def report_runs(table: pd.DataFrame, path: str | None) -> frozenset[int] | None:
    """The runs of the journal (``path``) whose rows a report or result table holds: its run
    (a fresh table's ``RunFacts.journal_run``, the ``journal run`` its report's Summary names)
    and the runs that run resumed; None when not known (a report of an older hubframe, no
    journal).  Not for a table read from the journal: it holds every run's rows."""
    if path is None:
        return None
    facts = run_facts(table)
    run = facts.journal_run if facts is not None else report_run(table)
    if run is None:
        return None
    with Journal(path) as journal:
        return journal.run_chain(run)


def _run_named(journal: Journal, run: int) -> str:
    """Run ``run`` of ``journal`` as a row's message names it."""
    started = journal.run_started(run)
    when = (
        ""
        if started is None
        else f", started {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}"
    )
    return (
        f"run {run} of the journal {journal.path.name}{when} (its report's Summary says "
        f"journal run {run})"
    )


_UNKNOWN_RUN: Final = (
    " (this report does not say which run of the journal it is: a report of an older hubframe)"
)


def sent_again(journal: Journal, run: int, runs: frozenset[int] | None) -> str:
    """Why a row a later run of ``journal`` sent again (``run``) is left: it is that run's."""
    unknown = _UNKNOWN_RUN if runs is None else ""
    return (
        f"Not undone: an earlier undo took this row back, and {_run_named(journal, run)} sent "
        f"it again since{unknown}: the association is that run's, not this report's run's, "
        "and is left in place; nothing sent. To take it back, undo that run's report, or the "
        f"journal (hubframe undo {journal.path})."
    )


def changed_later(
    journal: Journal, change: LaterChange, runs: frozenset[int] | None, *, made_link: bool
) -> str:
    """Why a row whose change a later run of ``journal`` reversed since (:class:`LaterChange`)
    is left: what the report's run did is undone already, and what the pair holds now is not
    its to change.  ``made_link``: the row's run linked the two records too (they were not
    linked before it), which a removal of the row's label alone left."""
    unknown = _UNKNOWN_RUN if runs is None else ""
    maybe = " (or may have: its outcome was unknown)" if change.maybe else ""
    where = f"undo that run's report, or the journal (hubframe undo {journal.path})"
    if change.made:
        return (
            f"Not undone: {_run_named(journal, change.run)} made this association again since"
            f"{maybe}{unknown}: what this report's run removed is back, and it is that run's "
            f"now, not made again; nothing sent. To take back that run's change, {where}."
        )
    what = "this association" if change.whole else "this label (it alone)"
    link = (
        " The link between the two records, which this run made with the label, is left "
        "too (that run did not remove it)."
        if made_link and not change.whole
        else ""
    )
    return (
        f"Not undone: {_run_named(journal, change.run)} removed {what} since{maybe}{unknown}: "
        "what this report's run made is gone, and what the two records hold now, if anything, "
        "was made since (by hand, or by a later run) and is not this run's: it is left in "
        f"place; nothing sent. To take back a later run's link, {where}.{link}"
    )


__all__ = ["changed_later", "report_runs", "sent_again"]
