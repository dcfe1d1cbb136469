"""Which runs of a journal an undo of a report (or a result table) takes back.

A journal is shared by runs (one per portal, as advised): an undo of a run's report takes back
what that run, and the runs it resumed, wrote -- never what another run of the journal wrote.
A fresh result table knows its run (``RunFacts.journal_run``), a report's Summary names it
(``journal run``); :meth:`~hubframe.run.journal.Journal.run_chain` adds the runs it resumed.
Before, the report's rows were held to what any run of the journal wrote: a second undo of an
earlier report, after a later run linked the same pairs again, removed the later run's links,
and a report whose ids (or label and type id) were retyped to a write of another run passed.
"""

from __future__ import annotations

import time

import pandas as pd

from hubframe.report.reader import report_run
from hubframe.run.journal import Journal
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


def sent_again(journal: Journal, run: int, runs: frozenset[int] | None) -> str:
    """Why a row a later run of ``journal`` sent again (``run``) is left: it is that run's."""
    started = journal.run_started(run)
    when = (
        ""
        if started is None
        else f", started {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}"
    )
    unknown = (
        " (this report does not say which run of the journal it is: a report of an older hubframe)"
        if runs is None
        else ""
    )
    return (
        f"Not undone: an earlier undo took this row back, and run {run} of the journal "
        f"{journal.path.name}{when} (its report's Summary says journal run {run}) sent it "
        f"again since{unknown}: the association is that run's, not this report's run's, and "
        "is left in place; nothing sent. To take it back, undo that run's report, or the "
        f"journal (hubframe undo {journal.path})."
    )


__all__ = ["report_runs", "sent_again"]
