"""Runs that open one new journal at the same moment all open it.

Two runs given the same new journal file both found it empty and both created its tables;
the second stopped with "cannot use it as a journal (table batches already exists)", a
message that says nothing of what happened.  The one that finds the tables made meanwhile
now checks them as any opener of an existing journal does.  Processes released together
open fresh journals, six times over.
"""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import time
from pathlib import Path

import pytest
from fuzzseeds import examples

from hubframe.run import journal as journal_module
from hubframe.run.journal import Journal

OPENERS = 6


def _open_at(path: str, start: float, results: mp.Queue) -> None:  # type: ignore[type-arg]
    time.sleep(max(0.0, start - time.time()))
    try:
        with Journal(path) as journal:
            journal.portal()
        results.put("ok")
    except Exception as exc:  # the test fails on any, naming it
        results.put(f"{type(exc).__name__}: {exc}")


def test_openers_of_one_new_journal_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    # forked from a server that imported the journal once (spawned, each opener imported
    # pandas and hubframe itself: 18 processes took 18 s of CPU in a suite short of it)
    context = mp.get_context("forkserver")
    context.set_forkserver_preload([journal_module.__name__])
    for attempt in range(examples(3)):  # a campaign: HUBFRAME_EXAMPLES_TIMES
        path = str(tmp_path / f"run{attempt}.journal")
        results = context.Queue()
        start = time.time() + 1.5  # after every process has started
        procs = [
            context.Process(target=_open_at, args=(path, start, results)) for _ in range(OPENERS)
        ]
        for proc in procs:
            proc.start()
        said = [results.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(timeout=60)
        assert said == ["ok"] * OPENERS, (attempt, said)


def test_a_journal_created_between_reading_its_format_and_its_tables_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the test above met once in a loaded suite: an opener read the format (0, a
    new file), another run then committed the tables, and the opener read them: format 0
    with tables was "not a hubframe journal".  Format and tables are read in one
    transaction."""
    path = tmp_path / "run.journal"
    real = journal_module._tables
    other: list[Journal] = []
    calls = [0]

    def tables_after_another_run_created_them(db: sqlite3.Connection) -> set[str]:
        calls[0] += 1
        if calls[0] == 1:
            other.append(Journal(path))  # another run creates the journal now
        return real(db)

    monkeypatch.setattr(journal_module, "_tables", tables_after_another_run_created_them)
    with Journal(path) as journal:
        assert journal.portal() is None
    other[0].close()
