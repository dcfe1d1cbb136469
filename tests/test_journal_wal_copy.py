"""A killed run's journal file copied alone holds the run; one that holds nothing is refused.

SQLite kept a killed run's whole journal (its tables too) in ``run.sqlite-wal``: only the last
connection closing cleanly folds the log back into ``run.sqlite``, which a killed run never
does.  ``run.sqlite`` copied to another folder alone was an empty database, taken for a new
journal without a word: the resume there reported the killed run's links ``existed_before`` and
the undo from it left them in the portal.  A run now folds the log into the file after it starts,
after each reading of the pairs before, and every :data:`CHECKPOINT_EVERY_S` as it records; a
journal file that is empty while SQLite says its content is in a log that is not beside it is
refused, naming the ``-wal`` file.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.run import journal as journal_module
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(2060000000 + d) for d in range(20)]
CONTACTS = [str(1039360000 + c) for c in range(20)]
PAIRS = pd.DataFrame([(d, c) for d in DEALS for c in CONTACTS], columns=["Deal ID", "Contact ID"])
OLD = (DEALS[0], CONTACTS[0])  # linked before the run: the undo keeps it

_RUNNER = """
import sys
from hubframe.run import journal
journal.CHECKPOINT_EVERY_S = float(sys.argv[1])
from hubframe.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _portal() -> Sandbox:
    sb = Sandbox(seed=None, rate_limit=(4, 1.0))
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    sb.associate("deals", OLD[0], "contacts", OLD[1])
    return sb


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


def _killed_run(tmp_path: Path, sb: Sandbox, where: list[str], every: float) -> Path:
    """A command-line run with a journal, SIGKILLed half way; its journal file alone, copied."""
    sheet, path = tmp_path / "s.csv", tmp_path / "run" / "run.sqlite"
    path.parent.mkdir()
    PAIRS.to_csv(sheet, index=False)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    args = ["associate", str(sheet), "--from", "deals", "--to", "contacts", "--journal", str(path)]
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, str(every), *args, "--batch-size", "20", *where], env=env
    )
    try:
        deadline = time.monotonic() + 90
        while len(_links(sb)) < 120 and time.monotonic() < deadline:
            assert proc.poll() is None, "the run ended before it was killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert (path.parent / "run.sqlite-wal").is_file()  # the kill left the log
    copy = tmp_path / "elsewhere" / "run.sqlite"
    copy.parent.mkdir()
    shutil.copy(path, copy)  # the one file the analyst named
    return copy


@pytest.mark.parametrize("resume", [True, False], ids=["resumed", "undone-at-once"])
def test_a_killed_runs_journal_copied_alone_is_resumed_and_undone_whole(
    tmp_path: Path, resume: bool
) -> None:
    with _portal() as sb:
        before = _links(sb)
        where = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        copy = _killed_run(tmp_path, sb, where, every=0.0)
        made = _links(sb) - before
        if resume:
            report = tmp_path / "r.csv"
            args = ["associate", str(tmp_path / "s.csv"), "--from", "deals", "--to", "contacts"]
            assert main([*args, "--journal", str(copy), "--report", str(report), *where]) == 0
            rows = pd.read_csv(report, dtype=str)
            pairs = zip(rows["from_id"], rows["to_id"], strict=True)
            mine = rows[[pair in made for pair in pairs]]
            assert len(mine) == len(made)
            assert set(mine["existed_before"]) == {"False"}  # the run's own links, not old ones
        assert main(["undo", str(copy), *where]) == 0
        assert _links(sb) == before


def test_a_live_runs_journal_file_holds_what_it_recorded_a_moment_ago(tmp_path: Path) -> None:
    """At the default pace: the file alone has the run, its reading and its batches but the
    last :data:`CHECKPOINT_EVERY_S` of them."""
    path = tmp_path / "run.sqlite"
    with _portal() as sb:
        client = client_for(sb)
        pairs = hf.read_pairs(PAIRS, from_type="deals", to_type="contacts")
        worker = threading.Thread(
            target=hf.associate,
            args=(pairs, client),
            kwargs={"journal": path, "batch_size": 20, "progress": False},
        )
        worker.start()
        try:
            deadline = time.monotonic() + 60
            while len(_links(sb)) < 100 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(journal_module.CHECKPOINT_EVERY_S + 1.0)  # a batch recorded since
            copy = tmp_path / "copy.sqlite"
            shutil.copy(path, copy)
        finally:
            worker.join(timeout=120)
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM portal").fetchone()[0] == 1
        assert db.execute("SELECT SUM(size) FROM before").fetchone()[0] == len(PAIRS)
        assert db.execute("SELECT SUM(size) FROM sent").fetchone()[0] >= 80


def _empty_copy(tmp_path: Path) -> tuple[Path, Journal]:
    """A journal whose content is all in its log (opened, not closed), copied alone.  Its file
    was turned to write-ahead logging before its tables were made (as a hubframe before its
    journals were made tables first did; a new journal now has them in its file at once)."""
    path = tmp_path / "run" / "run.sqlite"
    path.parent.mkdir()
    made = sqlite3.connect(path)
    made.execute("PRAGMA journal_mode=WAL")
    made.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # its log is beside it
    held = Journal(path)  # its tables are in run.sqlite-wal until it closes
    made.close()
    copy = tmp_path / "copy.sqlite"
    shutil.copy(path, copy)
    return copy, held


def test_a_journal_file_whose_content_is_in_a_log_not_beside_it_is_refused(
    tmp_path: Path,
) -> None:
    copy, held = _empty_copy(tmp_path)
    try:
        with pytest.raises(InputError, match=r"copy\.sqlite-wal"):
            Journal(copy)
        with Sandbox(seed=None) as sb:
            sb.add_records("deals", DEALS)
            sb.add_records("contacts", CONTACTS)
            where = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
            sheet = tmp_path / "s.csv"
            PAIRS.head(5).to_csv(sheet, index=False)
            args = ["associate", str(sheet), "--from", "deals", "--to", "contacts"]
            assert main([*args, "--journal", str(copy), *where]) == 2
            assert main(["undo", str(copy), *where]) == 2
            assert _links(sb) == set()
        shutil.copy(held.path.with_name("run.sqlite-wal"), copy.with_name("copy.sqlite-wal"))
        with Journal(copy) as journal:  # with its log beside it: the journal it was
            assert journal.portal() is None
    finally:
        held.close()


@pytest.mark.parametrize("start", ["no file", "empty file"])
def test_a_new_journal_is_still_made(tmp_path: Path, start: str) -> None:
    path = tmp_path / "run.sqlite"
    if start == "empty file":
        path.touch()
    with Journal(path) as journal:
        journal.begin_run()
    with Journal(path) as journal:
        assert journal.last_run() == 1
