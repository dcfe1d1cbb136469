"""A resumed run writes over its own report only, never the report of another run of its sheet.

Run A linked a sheet's pairs (``--report a.csv``, the one record ``hubframe undo a.csv`` reads);
run B, the same sheet with ``--journal j.sqlite``, found them linked, sent them again and was
left open (its report could not be written, or it was killed); run C, the same command with
``--report a.csv``, resumed j and wrote its report over A's: a .csv report names no journal,
and B's open run had sent every pair A's report said applied, so A's report was taken for B's.
A's ``existed_before`` FALSE cells became TRUE, and ``undo a.csv`` took nothing back (exit 0,
only ``report: a.csv`` printed).  Now a report is the resumed run's only when it was written
since the open run started, and what it says each applied pair held before agrees with the
run's readings (an .xlsx report naming the journal must name an open run too); another run's
report is kept, and the run refused before it sends anything (exit 2), as for any other run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from hubframe.cli import main
from hubframe.report.reader import report_read
from hubframe.sandbox import Sandbox

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")

PAIRS = [(f"20400000{10 + i}", f"10193600{10 + i}") for i in range(5)]
KEPT = "holds the report of a run that sent rows"


def _sheet(tmp_path: Path, label: str) -> Path:
    sheet = tmp_path / "pairs.csv"
    rows = "".join(f"{d},{c},{label}\n" for d, c in PAIRS)
    sheet.write_text("Deal ID,Contact ID,Association label\n" + rows)
    return sheet


def _hub(sb: Sandbox) -> list[str]:
    return ["--token", sb.token, "--base-url", sb.url, "--no-progress"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _left_open(sb: Sandbox, sheet: Path, journal: Path, tmp_path: Path) -> None:
    """Run B: the sheet again with ``journal``; its report cannot be written (a full disk),
    so the journal's run is left open, to be resumed."""
    full = tmp_path / "b.csv"
    full.symlink_to("/dev/full")
    argv = ["associate", str(sheet), "--journal", str(journal), "--report", str(full)]
    assert main([*argv, *_hub(sb)]) == 2


def _resume_into(
    sb: Sandbox, sheet: Path, journal: Path, report: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    capsys.readouterr()
    argv = ["associate", str(sheet), "--journal", str(journal), "--report", str(report)]
    code = main([*argv, *_hub(sb)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("journal_a", ["none", "its own", "the same"])
def test_a_resume_keeps_the_report_of_an_earlier_run_of_its_sheet(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    journal_a: str,
) -> None:
    """Run A (without a journal, with its own, or with the journal B and C use, finished)
    linked the pairs; B found them linked and was left open; C resumes B given A's report."""
    sheet, journal = _sheet(tmp_path, "Decision maker"), tmp_path / "j.sqlite"
    report_a = tmp_path / f"a{suffix}"
    with_a = {"none": [], "its own": [str(tmp_path / "a.sqlite")], "the same": [str(journal)]}
    argv = ["associate", str(sheet), "--report", str(report_a)]
    argv += [a for j in with_a[journal_a] for a in ("--journal", j)]
    assert main([*argv, *_hub(sandbox)]) == 0
    said = pd.read_csv(report_a, dtype=str) if suffix == ".csv" else None
    assert said is None or set(said["existed_before"]) == {"False"}
    kept = _digest(report_a)
    _left_open(sandbox, sheet, journal, tmp_path)
    code, err = _resume_into(sandbox, sheet, journal, report_a, capsys)
    assert code == 2 and KEPT in err and "Nothing was sent" in err, err
    assert _digest(report_a) == kept, "the report of run A was written over"
    code, err = _resume_into(sandbox, sheet, journal, tmp_path / f"c{suffix}", capsys)
    assert code == 0, err  # the journal is still resumed, into a report of its own


def test_a_resume_keeps_the_report_of_a_run_of_plain_links(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same, the rows without a label (the report's ``type_id`` empty: its
    ``linked_before`` FALSE is what the open run's readings contradict)."""
    sheet, journal, report_a = _sheet(tmp_path, ""), tmp_path / "j.sqlite", tmp_path / "a.csv"
    assert main(["associate", str(sheet), "--report", str(report_a), *_hub(sandbox)]) == 0
    kept = _digest(report_a)
    _left_open(sandbox, sheet, journal, tmp_path)
    code, err = _resume_into(sandbox, sheet, journal, report_a, capsys)
    assert code == 2 and KEPT in err, err
    assert _digest(report_a) == kept


def test_a_resume_keeps_a_report_written_before_its_run_started(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run A found every pair linked already (its report says each existed before, as the open
    run's readings do): only when it was written tells it from the open run's report.  A
    file last written before the open run started is not that run's report."""
    sheet, journal, report_a = _sheet(tmp_path, ""), tmp_path / "j.sqlite", tmp_path / "a.csv"
    assert main(["associate", str(sheet), *_hub(sandbox)]) == 0  # linked by an earlier run
    assert main(["associate", str(sheet), "--report", str(report_a), *_hub(sandbox)]) == 0
    assert set(pd.read_csv(report_a, dtype=str)["existed_before"]) == {"True"}
    written = os.stat(report_a).st_mtime - 60  # A ran a minute before B
    os.utime(report_a, (written, written))
    kept = _digest(report_a)
    _left_open(sandbox, sheet, journal, tmp_path)
    code, err = _resume_into(sandbox, sheet, journal, report_a, capsys)
    assert code == 2 and KEPT in err, err
    assert _digest(report_a) == kept


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("label", ["", "Decision maker"])
def test_a_resume_still_writes_over_its_own_report(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    label: str,
) -> None:
    """The run stopped by the daily limit wrote its report; the same command again resumes it
    and writes over that report, as designed (the resumed run reports its rows too)."""
    sb = sandbox_factory(seed="demo", daily_limit=3)
    sheet, journal, report = _sheet(tmp_path, label), tmp_path / "j.sqlite", tmp_path / f"r{suffix}"
    argv = ["associate", str(sheet), "--journal", str(journal), "--report", str(report)]
    assert main([*argv, "--batch-size", "1", *_hub(sb)]) == 1  # stopped: the run left open
    before = _digest(report)
    sb.set_daily_limit(None)
    code, err = _resume_into(sb, sheet, journal, report, capsys)
    assert code == 0 and KEPT not in err, err
    assert _digest(report) != before
    table, _ = report_read(report)
    assert set(table["status"].astype(str)) == {"success"}
