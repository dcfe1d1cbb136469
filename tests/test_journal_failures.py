"""A journal that cannot be written, a run killed while its report is written, two runs on
one journal: nothing is sent that the journal cannot take back, and no run's rows are lost.

An adversarial pass found three ways a journaled run went wrong:

- on a full disk the run warned "the run goes on without it" and sent every batch it could no
  longer record, then stopped (exit 2) without a report when it could not mark its end: the
  undo from the journal took back one row and said it was done.  Now a batch the journal
  cannot record is not sent: the run stops (``JOURNAL_FAILED``, rows in the retry file), and
  a failure to mark the end only warns; SQLite's ``max_page_count`` plays the full disk;
- the command line marked a run finished before writing its report, so a run killed while
  writing it was run again as new by the same command (every pair "existed before"), and the
  second report's undo left everything.  The run is marked finished once its outputs are
  written, so the same command resumes it;
- two runs on one journal: a deferred transaction that read, then wrote after the other run
  committed, failed at once with "database is locked" (no wait), and a finished run lost its
  report.  Write transactions take the write lock first (``BEGIN IMMEDIATE``) and wait.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[20:60]]
CONTACTS = [str(i) for i in demo_ids("contacts")[100:140]]
Entries = set[tuple[str, str, int]]


def _entries(sb: Sandbox) -> Entries:
    table = sb.associations("deals", "contacts")
    return set(zip(table["from_id"], table["to_id"], table["type_id"].astype(int), strict=True))


def _sheet(rows: int = 40) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEALS[:rows], "Contact ID": CONTACTS[:rows]})


def _many() -> pd.DataFrame:
    """200 pairs: 10 deals with 20 contacts each (within the demo's limit of 25)."""
    pairs = [(d, c) for d in DEALS[:10] for c in CONTACTS[:20]]
    return pd.DataFrame(pairs, columns=["Deal ID", "Contact ID"])


def test_a_journal_full_from_the_start_sends_nothing(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        start, client = _entries(sb), client_for(sb)
        with Journal(tmp_path / "run.sqlite") as journal:
            journal.bind(client)
            used = int(journal._db.execute("PRAGMA page_count").fetchone()[0])
            journal._db.execute(f"PRAGMA max_page_count = {used}")
            with pytest.raises(hf.InputError, match="database or disk is full"):
                hf.associate(_many(), client, journal=journal, progress=False)
        assert _entries(sb) == start


@pytest.mark.parametrize("pages", [1, 2])
def test_a_full_journal_stops_the_run_before_a_batch_it_cannot_record(
    tmp_path: Path, pages: int
) -> None:
    path = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        start = _entries(sb)
        client = client_for(sb)
        with Journal(path) as journal:
            journal.bind(client)
            used = int(journal._db.execute("PRAGMA page_count").fetchone()[0])
            journal._db.execute(f"PRAGMA max_page_count = {used + pages}")  # the disk fills
            result = hf.associate(_many(), client, journal=journal, batch_size=1, progress=False)
            journal._db.execute("PRAGMA max_page_count = 1073741823")  # space freed
        codes = result["error_code"].astype("string").fillna("").tolist()
        assert "JOURNAL_FAILED" in codes, codes  # the disk did fill
        sent = result.loc[result["status"] == "success"]
        added = _entries(sb) - start
        assert {(f, t) for f, t, _ in added} == set(
            zip(sent["from_id"], sent["to_id"], strict=True)
        )
        stopped = result.loc[result["error_code"] == "JOURNAL_FAILED"]
        assert set(stopped["status"]) == {"skipped"} and len(stopped) + len(sent) == len(result)
        retry = hf.read_pairs(hf.export_retry(result, tmp_path / "retry.csv"))
        assert retry["from_id"].tolist() == stopped["from_id"].tolist()
        undone = hf.undo(path, client, progress=False)
        assert _entries(sb) == start, undone  # every batch sent was recorded: all taken back


def test_a_run_killed_while_its_report_is_written_is_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubframe import cli

    sheet = tmp_path / "pairs.csv"
    _sheet(12).to_csv(sheet, index=False)
    journal, report = tmp_path / "run.sqlite", tmp_path / "report.xlsx"
    with Sandbox(seed="demo") as sb:
        start = _entries(sb)
        hub = ["--token", sb.token, "--base-url", sb.url]
        args = ["associate", str(sheet), "--journal", str(journal), "--no-progress", *hub]
        real = cli._write_outputs

        def killed(*_: object, **__: object) -> None:
            raise SystemExit(137)  # the process dies while writing the report

        monkeypatch.setattr(cli, "_write_outputs", killed)
        with pytest.raises(SystemExit):
            cli.main([*args, "--report", str(report)])
        writes = len(sb.request_log())
        assert _entries(sb) != start
        monkeypatch.setattr(cli, "_write_outputs", real)
        assert cli.main([*args, "--report", str(report)]) == 0  # the same command
        resent = sb.request_log().iloc[writes:]
        assert not resent["path"].str.contains("batch/(?:create|associate)").any(), resent
        final = pd.read_excel(report, sheet_name="Results", dtype=str, engine="openpyxl")
        assert set(final["existed_before"]) == {"False"}, final
        capsys.readouterr()
        assert cli.main(["undo", str(report), *hub]) == 0
        assert _entries(sb) == start


def test_a_run_ends_in_its_journal_while_another_run_writes_to_it(tmp_path: Path) -> None:
    """Another run holds the journal's write lock and commits a change while this run ends:
    this run waits for the lock, then ends (it failed at once, "database is locked")."""
    path = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb, Journal(path) as journal:
        hf.associate(_sheet(4), client_for(sb), journal=journal, progress=False)  # bound
        journal.begin_run()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO runs (started_at) VALUES (?)", (time.time(),))
        failures: list[BaseException] = []

        def finish() -> None:
            try:
                journal.finish_run()
            except BaseException as exc:  # the test fails on any, naming it
                failures.append(exc)

        ender = threading.Thread(target=finish)
        ender.start()
        time.sleep(0.3)  # it reads, then waits for the lock
        other.execute("COMMIT")
        ender.join(10)
        other.close()
    assert not failures, failures


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_that_cannot_be_written_says_which_and_the_journal_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk when the report is written, after the run sent its rows: a bare "[Errno 28]
    No space left on device" named no file and said nothing of what was sent.  The run stays
    open in its journal (it ends once its outputs are out), so the same command resumes it."""
    from hubframe import cli

    sheet = tmp_path / "pairs.csv"
    _sheet(6).to_csv(sheet, index=False)
    full = tmp_path / "report.csv"
    full.symlink_to("/dev/full")
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        start = _entries(sb)
        hub = ["--token", sb.token, "--base-url", sb.url]
        args = ["associate", str(sheet), "--journal", str(journal), "--no-progress", *hub]
        assert cli.main([*args, "--report", str(full)]) == 2
        said = capsys.readouterr().err
        assert f"{full}: the report could not be written" in said
        assert "were sent" in said and f"--journal {journal} resumes the run" in said
        writes = len(sb.request_log())
        report = tmp_path / "ok.xlsx"
        assert cli.main([*args, "--report", str(report)]) == 0
        again = sb.request_log().iloc[writes:]
        assert not again["path"].str.contains("batch/(?:create|associate)").any(), again
        capsys.readouterr()
        assert cli.main(["undo", str(report), *hub]) == 0
        assert _entries(sb) == start
