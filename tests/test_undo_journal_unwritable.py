"""An undo whose journal cannot record what it took back still returns (and writes) its table.

An undo that had sent its removals then failed to write into the run's journal what it took
back (a full disk: sqlite's "database or disk is full"; out of memory there) raised: `hf.undo`
lost the table of the removals it had made, and `hubframe undo` wrote no report and no retry
file, exit 2, its one line saying only that the journal could not be written -- not that the
links were gone (helper-227, seen on a full tmpfs).  Now the failure is warned of
(`UndoNotJournaled`, saying what a later undo from that journal would do), and the table,
report and retry file are as for any undo.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.jobs.unlink import UndoNotJournaled
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[20:26]]
CONTACTS = [str(i) for i in demo_ids("contacts")[100:106]]
WRITES = ("take_back", "mark_taken_back")


def _fails(monkeypatch: pytest.MonkeyPatch, write: str, error: BaseException) -> None:
    def fail(self: Journal, *args: Any) -> None:
        raise error

    monkeypatch.setattr(Journal, write, fail)


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    return set(zip(found["from_id"].astype(str), found["to_id"].astype(str), strict=True))


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize(
    "error", [sqlite3.OperationalError("database or disk is full"), MemoryError()], ids=repr
)
@pytest.mark.parametrize("source", ["journal", "table", "report"])
def test_the_undo_returns_its_table_and_warns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, write: str, error: BaseException, source: str
) -> None:
    with Sandbox(seed="demo") as sb:
        before = _linked(sb)
        client = client_for(sb)
        journal = tmp_path / "j.sqlite"
        frame = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})
        run = hf.associate(frame, client, journal=journal, progress=False)
        what: Any = {"journal": journal, "table": run}.get(source)
        if source == "report":
            what = hf.export_report(run, tmp_path / "r.xlsx")
        _fails(monkeypatch, write, error)
        if write == "mark_taken_back" and source != "journal":  # only a journal's undo marks it
            undone = hf.undo(what, client, progress=False)
        else:
            with pytest.warns(UndoNotJournaled, match="removals were sent"):
                undone = hf.undo(what, client, progress=False)
        assert set(undone["status"]) == {"success"}
        assert _linked(sb) == before


@pytest.mark.parametrize("write", WRITES)
def test_the_command_writes_its_report_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    write: str,
) -> None:
    with Sandbox(seed="demo") as sb:
        before = _linked(sb)
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        sheet = tmp_path / "s.csv"
        pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS}).to_csv(sheet, index=False)
        journal = str(tmp_path / "j.sqlite")
        assert main(["associate", str(sheet), "--journal", journal, *hub]) == 0
        _fails(monkeypatch, write, sqlite3.OperationalError("database or disk is full"))
        report, retry = tmp_path / "u.xlsx", tmp_path / "u_retry.csv"
        code = main(["undo", journal, "--report", str(report), "--retry-file", str(retry), *hub])
        said = capsys.readouterr()
        assert code == 0, said
        assert report.is_file()
        assert "removals were sent" in said.out + said.err
        assert _linked(sb) == before
