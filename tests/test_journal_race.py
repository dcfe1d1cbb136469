"""Runs that open one new journal at the same moment all open it.

Two runs given the same new journal file both found it empty and both created its tables;
the second stopped with "cannot use it as a journal (table batches already exists)", a
message that says nothing of what happened.  The one that finds the tables made meanwhile
now checks them as any opener of an existing journal does.  Processes released together
open fresh journals, six times over.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

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
    context = mp.get_context("spawn")
    for attempt in range(6):
        path = str(tmp_path / f"run{attempt}.journal")
        results = context.Queue()
        start = time.time() + 1.5  # after every process has imported hubframe
        procs = [
            context.Process(target=_open_at, args=(path, start, results)) for _ in range(OPENERS)
        ]
        for proc in procs:
            proc.start()
        said = [results.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(timeout=60)
        assert said == ["ok"] * OPENERS, (attempt, said)
