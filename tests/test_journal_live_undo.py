"""An undo from a journal a run is still writing to is refused; a killed run's hold is gone.

Process A runs ``hubframe associate s.csv --journal j.sqlite``; while it sends, B runs
``hubframe undo j.sqlite``.  B took back what A had recorded so far and marked the journal; A
went on, linked the rest and reported it ``success``, and from then on every undo from the
journal sent nothing ("nothing left to undo") with A's later links in the portal: the mark
covered A's run id, which its later batches kept.  Now a run holds the journal's lease while it
records (:mod:`hubframe.run.lease`) and an undo from the journal is refused meanwhile, naming
why; a run started while an undo holds the journal is refused too; a run killed drops its hold
with its process, so its journal is undone at once; and a run an undo ended while it sent is
not turned back into a finished one.
"""

from __future__ import annotations

import os
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
from hubframe.report import load_run
from hubframe.run.journal import Journal
from hubframe.run.lease import undo_lease
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(2050000000 + d) for d in range(10)]
CONTACTS = [str(1029360000 + c) for c in range(20)]
PAIRS = pd.DataFrame([(d, c) for d in DEALS for c in CONTACTS], columns=["Deal ID", "Contact ID"])


def _portal(rate: tuple[int, float] | None = (3, 1.0)) -> Sandbox:
    sb = Sandbox(seed=None, rate_limit=rate)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _links(sb: Sandbox) -> int:
    return len(sb.associations("deals", "contacts"))


def _wait_for(sb: Sandbox, done: threading.Event | None, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while _links(sb) < at_least and time.monotonic() < deadline:
        assert done is None or not done.is_set(), "the run ended before the undo"
        time.sleep(0.05)


def _named(path: Path, how: str) -> str | Path | Journal:
    return {"str": str(path), "path": path, "journal": Journal(path)}[how]


@pytest.mark.parametrize(("how", "after"), [("str", 20), ("path", 60), ("journal", 120)])
def test_an_undo_from_the_journal_of_a_live_run_is_refused_and_later_takes_all_back(
    tmp_path: Path, how: str, after: int
) -> None:
    path = tmp_path / "j.sqlite"
    with _portal() as sb:
        client = client_for(sb)
        done = threading.Event()
        results: list[pd.DataFrame] = []

        def run() -> None:
            try:
                pairs = hf.read_pairs(PAIRS, from_type="deals", to_type="contacts")
                results.append(
                    hf.associate(pairs, client, journal=path, batch_size=20, progress=False)
                )
            finally:
                done.set()

        worker = threading.Thread(target=run)
        worker.start()
        try:
            _wait_for(sb, done, after)
            named = _named(path, how)
            with pytest.raises(InputError, match="a run is writing to it now"):
                hf.undo(named, client_for(sb), progress=False)
            if isinstance(named, Journal):
                named.close()
            assert _links(sb) >= after  # nothing taken back
        finally:
            worker.join(timeout=120)
        assert results and set(results[0]["status"]) == {"success"}
        assert _links(sb) == len(PAIRS)
        undone = hf.undo(str(path), client_for(sb), progress=False)
        assert set(undone["status"]) == {"success"}
        assert _links(sb) == 0


def test_a_dry_run_undo_beside_a_live_run_is_not_refused(tmp_path: Path) -> None:
    """A dry run writes nothing to the journal: it plans what was recorded so far."""
    path = tmp_path / "j.sqlite"
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
            _wait_for(sb, None, 20)
            planned = hf.undo(str(path), client_for(sb), progress=False, dry_run=True)
            assert len(planned) and "success" not in set(planned["status"])  # (rate limited too)
        finally:
            worker.join(timeout=120)
        assert _links(sb) == len(PAIRS)


def test_a_run_on_a_journal_an_undo_holds_is_refused_before_sending(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with _portal(rate=None) as sb:
        client = client_for(sb)
        pairs = hf.read_pairs(PAIRS, from_type="deals", to_type="contacts")
        with undo_lease(path):
            with pytest.raises(InputError, match="an undo from it is taking back"):
                hf.associate(pairs, client, journal=path, progress=False)
            assert _links(sb) == 0
        result = hf.associate(pairs, client, journal=path, progress=False)
        assert set(result["status"]) == {"success"}


def test_the_journal_object_of_an_ended_run_is_undone_with_it(tmp_path: Path) -> None:
    """The lease goes when the run ends, not when its Journal is closed."""
    with _portal(rate=None) as sb, Journal(tmp_path / "j.sqlite") as journal:
        client = client_for(sb)
        pairs = hf.read_pairs(PAIRS.head(40), from_type="deals", to_type="contacts")
        hf.associate(pairs, client, journal=journal, progress=False)
        hf.associate(pairs.head(10), client, journal=journal, progress=False)  # a second run
        assert set(hf.undo(journal, client, progress=False)["status"]) == {"success"}
        assert _links(sb) == 0


def test_two_runs_share_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with _portal(rate=(10, 1.0)) as sb:
        client = client_for(sb)
        halves = [PAIRS.iloc[:100], PAIRS.iloc[100:]]
        errors: list[BaseException] = []

        def run(frame: pd.DataFrame) -> None:
            try:
                pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
                hf.associate(pairs, client, journal=path, batch_size=20, progress=False)
            except BaseException as exc:  # the test fails naming it
                errors.append(exc)

        workers = [threading.Thread(target=run, args=(h,)) for h in halves]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert not errors
        assert _links(sb) == len(PAIRS)
        hf.undo(str(path), client, progress=False)
        assert _links(sb) == 0


_RUNNER = """
import sys
from hubframe.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_command_line_undo_beside_a_run_is_refused_and_a_killed_run_holds_nothing(
    tmp_path: Path,
) -> None:
    sheet, path = tmp_path / "s.csv", tmp_path / "j.sqlite"
    PAIRS.to_csv(sheet, index=False)
    with _portal() as sb:
        where = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        args = ["associate", str(sheet), "--from", "deals", "--to", "contacts"]
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _RUNNER,
                *args,
                "--journal",
                str(path),
                "--batch-size",
                "20",
                *where,
            ],
            env=env,
        )
        try:
            _wait_for(sb, None, 40)
            assert main(["undo", str(path), *where]) == 2  # refused: the run writes to it
            assert _links(sb) >= 40
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
        assert main(["undo", str(path), *where]) == 0  # the killed run's hold went with it
        assert _links(sb) == 0


def _ended(path: Path) -> list[str | None]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT ended FROM runs ORDER BY id")]


@pytest.mark.parametrize("reason", ["undone", "taken back"])
def test_a_run_an_undo_ended_while_it_sent_keeps_that_end(tmp_path: Path, reason: str) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as run:
        run.begin_run()
        with Journal(path) as other:  # the undo of a report of the run's pairs
            other.close_runs(reason)
        run.finish_run()
    assert _ended(path) == [reason, reason]


def test_a_table_read_from_the_journal_before_a_run_is_refused(tmp_path: Path) -> None:
    """Read, then a run of another sheet on the journal, then the undo of the table read: the
    table does not hold that run's rows, and its mark would have covered them."""
    path = tmp_path / "j.sqlite"
    with _portal(rate=None) as sb:
        client = client_for(sb)
        first = hf.read_pairs(PAIRS.head(20), from_type="deals", to_type="contacts")
        hf.associate(first, client, journal=path, progress=False)
        table = load_run(path)
        later = hf.read_pairs(PAIRS.tail(20), from_type="deals", to_type="contacts")
        hf.associate(later, client, journal=path, progress=False)
        with pytest.raises(InputError, match="after this table was read"):
            hf.undo(table, client, progress=False)
        assert _links(sb) == 40
        hf.undo(load_run(path), client, progress=False)  # read again: both runs
        assert _links(sb) == 0
