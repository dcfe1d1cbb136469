"""A journal file emptied beside its log, and a journal whose making was interrupted.

* A killed run's journal whose file was emptied (0 bytes) while its ``-wal`` beside it held the
  run's record was taken for a new journal by ``associate --journal``: SQLite deleted the
  ``-wal`` as it opened it, and the resume reported the killed run's links ``existed_before``.
  Now refused, naming the ``-wal``, with nothing sent and nothing deleted.
* A run killed while it made a new journal (after the file was turned to write-ahead logging,
  before its tables were made) left a file of no tables and no log, refused ever after as "a
  journal copied or moved without its -wal file".  A new journal now gets its tables first, and
  such a file (left by an older hubframe) is said to be most likely one whose making was
  interrupted, holding nothing.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox, demo

_KILLED_RUN = """
import os, signal, sys
from hubframe.run.journal import Journal
from hubframe.run.work import Batch, WorkItem
from hubframe.vocab import Action

journal = Journal(sys.argv[1])
journal.begin_run()
items = tuple(
    WorkItem(position=n, action=Action.ASSOCIATE_DEFAULT, from_type="deals",
             to_type="contacts", from_id=str(5_900_000_001 + n), to_id=str(6_900_000_001))
    for n in range(3)
)
journal.intend(Batch(1, Action.ASSOCIATE_DEFAULT, "deals", "contacts", items))
os.kill(os.getpid(), signal.SIGKILL)
"""

_KILLED_MAKING = """
import os, signal, sys
from hubframe.run import journal as J

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

J._check_format = killed
J.Journal(sys.argv[1])
"""


def _child(code: str, path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", code, str(path)], env=dict(os.environ))
    assert done.returncode == -signal.SIGKILL


def _emptied(path: Path) -> bytes:
    """A killed run's journal, its file emptied and its log left: the log's bytes."""
    _child(_KILLED_RUN, path)
    log = path.with_name(path.name + "-wal")
    assert log.stat().st_size > 0
    path.write_bytes(b"")
    return log.read_bytes()


def test_a_journal_file_emptied_beside_its_log_is_refused_and_the_log_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.sqlite"
    log = _emptied(path)
    with pytest.raises(InputError, match=r"run\.sqlite-wal") as refused:
        Journal(path)
    assert "\n" not in str(refused.value) and "emptied" in str(refused.value)
    assert path.stat().st_size == 0
    assert path.with_name("run.sqlite-wal").read_bytes() == log


def test_associate_with_an_emptied_journal_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sheet = tmp_path / "run.sqlite", tmp_path / "pairs.csv"
    log = _emptied(path)
    rows = [(demo.DEAL_IDS[10], demo.CONTACT_IDS[50 + n]) for n in range(3)]
    pd.DataFrame(rows, columns=["Deal ID", "Contact ID"]).to_csv(sheet, index=False)
    with Sandbox(seed="demo") as sb:
        monkeypatch.setenv("HUBSPOT_BASE_URL", sb.url)
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", sb.token)
        code = main(["associate", str(sheet), "--journal", str(path), "--no-progress"])
        requests = sb.request_log()
    assert code == 2
    assert "run.sqlite-wal" in capsys.readouterr().err
    assert requests.empty  # nothing read, nothing sent
    assert path.with_name("run.sqlite-wal").read_bytes() == log


def test_a_run_killed_while_it_made_a_new_journal_leaves_one_the_next_run_uses(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.sqlite"
    _child(_KILLED_MAKING, path)
    with Journal(path) as journal:  # before: refused as a journal copied without its -wal
        journal.begin_run()
        assert journal.last_run() == 1


def test_a_journal_whose_making_was_interrupted_is_said_to_be_so(tmp_path: Path) -> None:
    """As an older hubframe left it: turned to write-ahead logging, no tables, no log."""
    path = tmp_path / "run.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    assert not path.with_name("run.sqlite-wal").exists()
    with pytest.raises(InputError) as refused:
        Journal(path)
    said = str(refused.value)
    assert "Most likely the run that made it was stopped" in said, said
    assert said.index("Most likely") < said.index("copy run.sqlite-wal")
