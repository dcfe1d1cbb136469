"""A batch in flight when its run dies is in the journal, and an undo takes it back.

A batch was written to the journal's ``sent`` rows only once its answer arrived: a run killed
while HubSpot applied a batch (its answer never read) left nothing there, and ``hubframe undo
run.sqlite`` took nothing back (exit 0) while the portal kept every association of the batch.
Each batch of associations is now kept as maybe applied before it is sent; its answer then
writes the rows' outcomes into that entry (a cancelled batch's entry is taken out).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.run.journal import SCHEMA_VERSION, Journal
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.sandbox import Sandbox, demo
from hubframe.testing import client_for
from hubframe.vocab import Action, Status


def _batch(count: int) -> Batch:
    items = tuple(
        WorkItem(
            position=n,
            action=Action.ASSOCIATE_DEFAULT,
            from_type="deals",
            to_type="contacts",
            from_id=str(demo.DEAL_IDS[10]),
            to_id=str(demo.CONTACT_IDS[50 + n]),
        )
        for n in range(count)
    )
    return Batch(1, Action.ASSOCIATE_DEFAULT, "deals", "contacts", items)


def test_a_batch_kept_before_sending_is_maybe_applied_until_its_answer(tmp_path: Path) -> None:
    batch = _batch(3)
    with Journal(tmp_path / "run.sqlite") as journal:
        journal.begin_run()
        intended = journal.intend(batch)
        assert intended is not None
        assert [row.maybe for row in journal.created()] == [True] * 3  # the run dies here
        done = [Outcome(Status.SUCCESS, action=batch.action)] * 2
        done.append(Outcome(Status.FAILED, action=batch.action, error_message="refused"))
        journal.record(batch, done, intended=intended)
        assert [(r.to_id, r.maybe) for r in journal.created()] == [
            (str(demo.CONTACT_IDS[50]), False),
            (str(demo.CONTACT_IDS[51]), False),
        ]
        journal.retract(journal.intend(_batch(1)) or 0)  # cancelled before it left
        assert len(journal.created()) == 2


def test_a_journal_of_format_6_keeps_its_answered_and_unanswered_batches(tmp_path: Path) -> None:
    """Format 6 wrote a batch's answered states over its row of ``sent``; format 7 keeps them
    in ``settled`` (rewriting the row wrote its ids again).  A format-6 journal is brought to
    format 7 when opened, and reads as it did: the answered batch's failed row is left out,
    the unanswered batch's row is maybe applied."""
    path = tmp_path / "run.sqlite"
    answered = _batch(3)
    unanswered = Batch(
        2, answered.action, "deals", "contacts", (replace(answered.items[0], to_id="7"),)
    )
    with Journal(path) as journal:
        journal.begin_run()
        intended = journal.intend(answered)
        journal.intend(unanswered)
        done = [Outcome(Status.SUCCESS, action=answered.action)] * 2
        done.append(Outcome(Status.FAILED, action=answered.action, error_message="refused"))
        journal.record(answered, done, intended=intended)
        found = [(r.to_id, r.maybe) for r in journal.created()]
    contacts = [str(demo.CONTACT_IDS[50 + n]) for n in range(2)]
    assert found == [(contacts[0], False), (contacts[1], False), ("7", True)]
    db = sqlite3.connect(path)  # as format 6 wrote it
    db.executescript(
        "UPDATE sent SET states = (SELECT states FROM settled WHERE entry = sent.rowid) "
        "WHERE rowid IN (SELECT entry FROM settled); DROP TABLE settled; DROP TABLE taken_back; "
        "PRAGMA user_version = 6;"
    )
    db.close()
    with Journal(path) as journal:
        assert [(r.to_id, r.maybe) for r in journal.created()] == found
        assert int(journal._db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION


_RUN = """
import sys
from hubframe.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_run_killed_while_hubspot_applies_its_batches_is_undone(tmp_path: Path) -> None:
    sheet, journal = tmp_path / "pairs.csv", tmp_path / "run.sqlite"
    rows = [(demo.DEAL_IDS[10 + n // 2], demo.CONTACT_IDS[50 + n]) for n in range(20)]
    pd.DataFrame(rows, columns=["Deal ID", "Contact ID"]).to_csv(sheet, index=False)
    with Sandbox(seed="demo", latency=(1.0, 0.0)) as sb:  # applied at once, answered 1 s later
        before = sb.associations("deals", "contacts")
        env = dict(os.environ, HUBSPOT_BASE_URL=sb.url, HUBSPOT_ACCESS_TOKEN=sb.token)
        command = [sys.executable, "-c", _RUN, "associate", str(sheet), "--batch-size", "5"]
        run = subprocess.Popen(
            [*command, "--journal", str(journal)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(sb.associations("deals", "contacts")) == len(before):
            assert time.monotonic() < deadline and run.poll() is None, "nothing was applied"
            time.sleep(0.02)
        run.send_signal(signal.SIGKILL)  # HubSpot applied a batch; its answer is on the way
        run.wait()
        assert len(sb.associations("deals", "contacts")) > len(before)
        undone = hf.undo(journal, client_for(sb), progress=False)
        after = sb.associations("deals", "contacts")
    assert set(undone["status"]) <= {"success", "skipped"}, undone
    pd.testing.assert_frame_equal(after.reset_index(drop=True), before.reset_index(drop=True))


def test_a_runs_first_batch_is_in_the_journals_file_without_its_log(tmp_path: Path) -> None:
    """The log of a journal (``run.sqlite-wal``) was folded into its file a second at most
    after the last time: a run killed in its first second, its journal copied or moved without
    the log, had lost every batch it sent (helper-271: a resume took its rows for links that
    were there before, and the undo left 78 links).  The run's first batch is folded in at
    once: the file alone holds it, maybe applied."""
    path = tmp_path / "run.sqlite"
    batch = _batch(3)
    with Journal(path) as journal:
        journal.begin_run()
        journal.intend(batch)  # the run is killed here: its log left behind, or lost
        copy = tmp_path / "copy.sqlite"
        copy.write_bytes(path.read_bytes())  # the file alone, as a copy without its -wal
        with sqlite3.connect(copy) as db:
            held = db.execute("SELECT COUNT(*) FROM sent").fetchone()[0]
        assert held == 1
    with Journal(copy) as alone:
        assert [row.maybe for row in alone.created()] == [True] * 3
