"""Every output of a run is attempted, and a dry run writes over nothing a real run left.

A report that could not be written (a full disk, ``ulimit -f``) stopped the command before the
retry file was attempted: without ``--journal`` the failed rows were written nowhere ("the
table above says how each went", but it gives counts only).  Now each output is attempted, one
error line says which were written and which not, and when neither holds the rows still to do
(and no journal can rebuild them) it names their rows.  A dry run emptied the real run's retry
file ("no rows to retry: emptied": it had sent nothing) and wrote its plan over the real run's
report, which ``undo`` needs; it leaves both alone now, and the journal too.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")

GOOD = [(f"20400000{10 + i}", f"10193600{10 + i}") for i in range(6)]
MISSING = ("2040000001", "999999")  # OBJECT_NOT_FOUND: the one row to retry


def _sheet(tmp_path: Path, notes: str = "", missing_notes: str = "short") -> Path:
    sheet = tmp_path / "pairs.csv"
    rows = [f"{d},{c},Decision maker,{notes}" for d, c in GOOD]
    rows.append(f"{MISSING[0]},{MISSING[1]},,{missing_notes}")
    sheet.write_text("Deal ID,Contact ID,Association label,Notes\n" + "\n".join(rows) + "\n")
    return sheet


def _hub(sb: Sandbox) -> list[str]:
    return ["--token", sb.token, "--base-url", sb.url, "--no-progress"]


def _full(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.symlink_to("/dev/full")
    return path


def _retry_ids(path: Path) -> list[str]:
    return pd.read_csv(path, dtype=str)["Contact ID"].tolist()


@pytest.mark.parametrize("report_name", ["report.csv", "report.xlsx"])
def test_a_report_that_cannot_be_written_leaves_the_retry_file_written(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], report_name: str
) -> None:
    sheet, report = _sheet(tmp_path), _full(tmp_path, report_name)
    retry = tmp_path / "retry.csv"
    argv = ["associate", str(sheet), "--report", str(report), "--retry-file", str(retry)]
    assert main([*argv, *_hub(sandbox)]) == 2
    out, err = capsys.readouterr()
    assert _retry_ids(retry) == [MISSING[1]]
    assert f"retry file: {retry} (1 row" in out
    [line] = err.strip().splitlines()
    assert f"{report}: the report could not be written" in line
    assert f"The retry file ({retry}) was written" in line and "were sent" in line


def test_a_retry_file_that_cannot_be_written_leaves_the_report_written(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet, retry = _sheet(tmp_path), _full(tmp_path, "retry.csv")
    report = tmp_path / "report.csv"
    argv = ["associate", str(sheet), "--report", str(report), "--retry-file", str(retry)]
    assert main([*argv, *_hub(sandbox)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert f"{retry}: the retry file could not be written" in line
    assert f"The report ({report}) was written" in line
    table = pd.read_csv(report, dtype=str)
    assert table["status"].value_counts().to_dict() == {"success": 6, "failed": 1}


@pytest.mark.parametrize("asked", ["--report", "--retry-file"])
def test_rows_written_nowhere_are_named_on_the_error_line(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], asked: str
) -> None:
    """No journal, and no output holds the failed row: the last resort names its row."""
    sheet, full = _sheet(tmp_path), _full(tmp_path, "out.csv")
    assert main(["associate", str(sheet), asked, str(full), *_hub(sandbox)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert f"{full}: the " in line and "could not be written (No space left on device)" in line
    assert "Rows still to do, written nowhere: pairs.csv row 8." in line


def test_with_a_journal_the_rows_are_not_listed(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet, journal = _sheet(tmp_path), tmp_path / "run.sqlite"
    argv = ["associate", str(sheet), "--report", str(_full(tmp_path, "r.csv"))]
    assert main([*argv, "--journal", str(journal), *_hub(sandbox)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert f"--journal {journal} resumes the run" in line and "written nowhere" not in line


def _limited(size: int) -> Callable[[], None]:
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def _run_limited(sandbox: Sandbox, argv: list[str], size: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    return subprocess.run(
        [sys.executable, "-m", "hubframe", *argv, *_hub(sandbox)],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_limited(size),
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("limit", "retry_kept"), [(150_000, True), (20_000, False)])
def test_outputs_past_the_file_size_limit(
    sandbox: Sandbox, tmp_path: Path, limit: int, retry_kept: bool
) -> None:
    """``ulimit -f``: the report (the long notes of every row) passes the limit; the retry
    file (the failed row's note, 30,000 characters) passes the lower one only: then neither is
    written, and the error line names the row."""
    sheet = _sheet(tmp_path, notes="x" * 40_000, missing_notes="y" * 30_000)
    report, retry = tmp_path / "report.csv", tmp_path / "retry.csv"
    argv = ["associate", str(sheet), "--report", str(report), "--retry-file", str(retry)]
    proc = _run_limited(sandbox, argv, limit)
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert f"{report}: the report could not be written (File too large)" in line
    assert not report.exists()
    if retry_kept:
        assert _retry_ids(retry) == [MISSING[1]]
        assert f"The retry file ({retry}) was written" in line
    else:
        assert not retry.exists()
        assert f"{retry}: the retry file could not be written (File too large)" in line
        assert "Rows still to do, written nowhere: pairs.csv row 8." in line


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_dry_run_leaves_the_real_runs_retry_file_and_journal_as_they_were(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet, retry, journal = _sheet(tmp_path), tmp_path / "retry.csv", tmp_path / "run.sqlite"
    argv = ["associate", str(sheet), "--retry-file", str(retry), "--journal", str(journal)]
    assert main([*argv, *_hub(sandbox)]) == 1
    kept = {path: _digest(path) for path in (retry, journal)}
    capsys.readouterr()
    assert main([*argv, "--dry-run", *_hub(sandbox)]) == 0
    out = capsys.readouterr().out
    assert {path: _digest(path) for path in kept} == kept
    assert _retry_ids(retry) == [MISSING[1]]
    assert f"retry file: {retry} left as it was (dry run: nothing was sent)" in out


@pytest.mark.parametrize("name", ["report.xlsx", "report.csv"])
def test_a_dry_run_does_not_write_over_a_real_runs_report(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """The report of the real run is what ``undo`` reads: a dry run recalled from the history
    wrote its plan over it, and the undo then said "nothing to undo"."""
    sheet, report = _sheet(tmp_path), tmp_path / name
    argv = ["associate", str(sheet), "--report", str(report)]
    assert main([*argv, *_hub(sandbox)]) == 1
    kept, sent = _digest(report), len(sandbox.request_log())
    capsys.readouterr()
    assert main([*argv, "--dry-run", *_hub(sandbox)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    line = err.strip()
    assert f"{report}: holds the report of a run that sent rows" in line
    assert _digest(report) == kept and len(sandbox.request_log()) == sent
    assert main(["undo", str(report), "--dry-run", *_hub(sandbox)]) == 0


@pytest.mark.parametrize("name", ["labels.xlsx", "labels.csv"])
def test_a_labels_dry_run_does_not_write_over_a_real_labels_runs_report(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """The labels run's report is the record of the labels it created."""
    sheet, report = tmp_path / "sheet.csv", tmp_path / name
    sheet.write_text("From type,To type,Label\ndeals,contacts,Sponsor\n", encoding="utf-8")
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    argv = ["labels", str(sheet), "--report", str(report), *hub]
    assert main(argv) == 0
    kept = _digest(report)
    capsys.readouterr()
    assert main([*argv, "--dry-run"]) == 2
    assert f"{report}: holds the report of a run that sent rows" in capsys.readouterr().err
    assert _digest(report) == kept


def test_a_dry_run_writes_over_a_dry_runs_report(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet, plan = _sheet(tmp_path), tmp_path / "plan.xlsx"
    argv = ["associate", str(sheet), "--report", str(plan), "--dry-run", *_hub(sandbox)]
    assert main(argv) == 0
    first = plan.stat().st_mtime_ns
    assert main(argv) == 0
    assert plan.stat().st_mtime_ns != first


def _replaced_once_sent(sb: Sandbox, folders: list[Path]) -> threading.Thread:
    """A thread that, once the run has sent its first batch, replaces each folder by a file
    (a folder removed, a drive gone while the run sends)."""

    def replace() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            log = sb.request_log()
            if (log["method"] == "POST").any():
                break
            time.sleep(0.01)
        for folder in folders:
            shutil.rmtree(folder)
            folder.write_text("not a folder")

    thread = threading.Thread(target=replace, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("gone", ["report", "retry file", "both"])
def test_an_output_folder_gone_while_the_run_sends_leaves_the_other_written(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    gone: str,
) -> None:
    """The folder checked before sending is a file when the output is written: before, the
    path check's error left the command at once -- the retry file never attempted, the error
    read as a usage error, the rows to fix written nowhere."""
    sb = sandbox_factory(latency=(0.2, 0.0))
    sheet = _sheet(tmp_path)
    report, retry = tmp_path / "out" / "report.csv", tmp_path / "keep" / "retry.csv"
    report.parent.mkdir()
    retry.parent.mkdir()
    folders = {"report": [report.parent], "retry file": [retry.parent]}
    folders["both"] = [report.parent, retry.parent]
    argv = ["associate", str(sheet), "--report", str(report), "--retry-file", str(retry)]
    argv += ["--batch-size", "1"]
    thread = _replaced_once_sent(sb, folders[gone])
    assert main([*argv, *_hub(sb)]) == 2
    thread.join()
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "were sent" in line, line
    for what, path in (("report", report), ("retry file", retry)):
        if what in gone or gone == "both":
            assert f"{path}: the {what} could not be written (" in line, line
            assert "is a file, not a folder" in line, line
        else:
            assert f"({path}) was written" in line, line
    if gone == "report":
        assert _retry_ids(retry) == [MISSING[1]]
    if gone == "retry file":
        assert (pd.read_csv(report, dtype=str)["status"] == "failed").sum() == 1
    if gone == "both":
        assert "Rows still to do, written nowhere: pairs.csv row 8" in line, line


@pytest.mark.parametrize("name", ["report.xlsx", "report.csv"])
def test_an_export_does_not_write_over_a_real_runs_report(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """``hubframe export -o report.xlsx`` recalled from the history wrote the portal's links
    over the report ``undo`` reads; it is refused as a dry run's report is, nothing read.  A
    dry run's report and an earlier export are written over, as before."""
    sheet, report = _sheet(tmp_path), tmp_path / name
    assert main(["associate", str(sheet), "--report", str(report), *_hub(sandbox)]) == 1
    kept, asked = _digest(report), len(sandbox.request_log())
    ids = tmp_path / "deals.csv"
    ids.write_text("Deal ID\n" + "\n".join(d for d, _ in GOOD) + "\n")
    export = ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o"]
    capsys.readouterr()
    assert main([*export, str(report), *_hub(sandbox)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert f"{report}: holds the report of a run that sent rows" in line, line
    assert "an export does not write over it" in line and "Nothing was read" in line, line
    assert _digest(report) == kept and len(sandbox.request_log()) == asked
    planned = tmp_path / f"plan{Path(name).suffix}"
    dry = ["associate", str(sheet), "--report", str(planned), "--dry-run"]
    assert main([*dry, *_hub(sandbox)]) == 0
    for _ in range(2):  # over a dry run's report, then over the export written before
        assert main([*export, str(planned), *_hub(sandbox)]) == 0
        read = pd.read_csv if planned.suffix == ".csv" else pd.read_excel
        table = read(planned, dtype=str)
        assert "status" not in table.columns and len(table) >= len(GOOD), table


@pytest.mark.parametrize("who", ["export", "dry run"])
def test_a_real_runs_report_named_with_a_tilde_is_kept_too(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    who: str,
) -> None:
    """``-o "~/report.xlsx"`` (quoted: the shell leaves the ``~``) names the file the writers
    write, in the home folder; the check looked for a file named "~/report.xlsx" and let the
    export or the dry run write over the real run's report."""
    monkeypatch.setenv("HOME", str(tmp_path))
    sheet, report = _sheet(tmp_path), tmp_path / "report.xlsx"
    assert main(["associate", str(sheet), "--report", str(report), *_hub(sandbox)]) == 1
    kept = _digest(report)
    ids = tmp_path / "deals.csv"
    ids.write_text("Deal ID\n" + "\n".join(d for d, _ in GOOD) + "\n")
    argv = {
        "export": ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o"],
        "dry run": ["associate", str(sheet), "--dry-run", "--report"],
    }[who]
    capsys.readouterr()
    assert main([*argv, "~/report.xlsx", *_hub(sandbox)]) == 2
    assert "holds the report of a run that sent rows" in capsys.readouterr().err
    assert _digest(report) == kept


def _to_hubspot(report: Path) -> None:
    """The report as a run that sent to HubSpot wrote it: its Summary names HubSpot's host."""
    from openpyxl import load_workbook

    book = load_workbook(report)
    for row in book["Summary"].iter_rows():
        if row[0].value == "base URL host":
            row[1].value = "api.hubapi.com"
    book.save(report)


@pytest.mark.parametrize(
    ("then", "suffix"),
    [
        (then, suffix)
        for then in ("associate again", "retry file", "remove", "undo's report", "labels")
        for suffix in (".xlsx", ".csv")
    ]
    + [("demo", ".xlsx")],  # the demo writes .xlsx reports
)
def test_no_run_writes_over_a_real_runs_report(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    then: str,
) -> None:
    """A real run given the ``--report`` (up-arrow after fixing a row) or ``--retry-file`` of
    an earlier run that sent rows wrote over that report, and the earlier run could no longer
    be undone ("no Results sheet"; or every row ``NOT_UNDOABLE``).  Every job now refuses,
    before anything is sent; the demo writes over its own reports (runs that sent to a
    sandbox), never over a report of a run that sent to HubSpot."""
    sheet, report = _sheet(tmp_path), tmp_path / f"deals_contacts_report{suffix}"
    assert main(["associate", str(sheet), "--report", str(report), *_hub(sandbox)]) == 1
    if then == "demo":
        _to_hubspot(report)
    kept, asked = _digest(report), len(sandbox.request_log())
    labels = tmp_path / "labels.csv"
    labels.write_text("From type,To type,Label\ndeals,contacts,Sponsor\n", encoding="utf-8")
    argv = {
        "associate again": ["associate", str(sheet), "--report", str(report)],
        "retry file": ["associate", str(sheet), "--retry-file", str(report)],
        "remove": ["remove", str(sheet), "--report", str(report)],
        "undo's report": ["undo", str(report), "--report", str(report.with_stem("again"))],
        "labels": ["labels", str(labels), "--report", str(report)],
        "demo": ["demo", "--out", str(tmp_path), "--no-progress"],
    }[then]
    if then == "undo's report":  # the undo's report over another run's report
        shutil.copy(report, report.with_stem("again"))
        kept = _digest(report.with_stem("again"))
    capsys.readouterr()
    hub = {"demo": [], "labels": _hub(sandbox)[:-1]}.get(then, _hub(sandbox))
    code = main([*argv, *hub])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "holds the report of a run that sent rows" in err and "Nothing was sent" in err, err
    assert "hubframe undo reads it" in err, err
    assert _digest(report.with_stem("again") if then == "undo's report" else report) == kept
    assert len(sandbox.request_log()) == asked  # nothing sent (the demo has its own sandbox)
    if then != "demo":
        assert main(["undo", str(report), "--dry-run", *_hub(sandbox)]) == 0


def test_the_demo_writes_over_its_own_reports(tmp_path: Path) -> None:
    """Run again, the demo writes over the reports it wrote (runs that sent to its sandbox)."""
    for _ in range(2):
        assert main(["demo", "--out", str(tmp_path), "--no-progress"]) == 0


@pytest.mark.parametrize("again", ["undo again", "nothing applied", "rehearsal"])
def test_the_same_command_again_writes_over_its_report(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], again: str
) -> None:
    """Where the report written over is no loss, the same command runs again (found reviewing
    the refusal above): an undo again (an
    undo's report is undone by nothing), a run none of whose rows HubSpot applied (unreachable:
    nothing to undo), a rehearsal again (its sandbox is gone: nothing could undo it)."""
    sheet, report = _sheet(tmp_path), tmp_path / "report.xlsx"
    first = {
        "undo again": ["undo", str(tmp_path / "run.xlsx"), "--report", str(report)],
        "nothing applied": ["associate", str(sheet), "--report", str(report)],
        "rehearsal": ["associate", str(sheet), "--report", str(report), "--sandbox", "rehearse"],
    }[again]
    hub = _hub(sandbox)
    if again == "undo again":
        assert main(["associate", str(sheet), "--report", str(tmp_path / "run.xlsx"), *hub]) == 1
    if again == "nothing applied":
        hub = ["--token", sandbox.token, "--base-url", "http://127.0.0.1:9", "--no-progress"]
    if again == "rehearsal":
        hub = ["--no-progress"]
    assert main([*first, *hub]) in (0, 1, 2)
    assert report.is_file()
    capsys.readouterr()
    code = main([*first, *(_hub(sandbox) if again == "nothing applied" else hub)])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "holds the report of a run that sent rows" not in err


@pytest.mark.parametrize("saved", ["semicolons", "utf-16"])
def test_a_report_saved_again_by_excel_is_kept_too(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], saved: str
) -> None:
    """A .csv report opened and saved again in Excel (";" in many locales, or "Unicode text",
    UTF-16 and tabs) is still the report ``undo`` reads (it reads those); the check read it
    with ``pd.read_csv`` defaults, found no ``status`` column, and let a run write over it."""
    sheet, report = _sheet(tmp_path), tmp_path / "report.csv"
    assert main(["associate", str(sheet), "--report", str(report), *_hub(sandbox)]) == 1
    table = pd.read_csv(report, dtype=str, keep_default_na=False)
    if saved == "semicolons":
        table.to_csv(report, sep=";", index=False, encoding="cp1252")
    else:
        table.to_csv(report, sep="\t", index=False, encoding="utf-16")
    kept = _digest(report)
    capsys.readouterr()
    assert main(["associate", str(sheet), "--report", str(report), *_hub(sandbox)]) == 2
    assert "holds the report of a run that sent rows" in capsys.readouterr().err
    assert _digest(report) == kept


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_journal_resumed_writes_over_its_runs_report_only(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
) -> None:
    """A run stopped by HubSpot's daily limit with a journal: the same command again, as the
    command line advises, resumes it and writes over its report (the resumed run reports the
    journal's rows too).  A journal whose runs all ended starts a new run, and the earlier
    run's report is kept; so is the report of another run (found reviewing: the journal's
    file merely existing let any run write over any report)."""
    sb = sandbox_factory(seed="demo", daily_limit=3)
    sheet, report = _sheet(tmp_path), tmp_path / f"report{suffix}"
    journal = ["--journal", str(tmp_path / "run.sqlite"), "--batch-size", "1"]
    argv = ["associate", str(sheet), "--report", str(report), *journal, *_hub(sb)]
    assert main(argv) == 1  # stopped by the daily limit: rows skipped, the run left open
    sb.set_daily_limit(None)
    capsys.readouterr()
    assert main(argv) == 1  # resumed (the missing contact's row fails, as it did)
    assert "holds the report of a run that sent rows" not in capsys.readouterr().err
    assert main(argv) == 2  # every run of the journal ended: a new run keeps the report
    assert "holds the report of a run that sent rows" in capsys.readouterr().err
    other = tmp_path / f"other{suffix}"
    assert main(["associate", str(_companies(tmp_path)), "--report", str(other), *_hub(sb)]) == 0
    kept = _digest(other)
    sb.set_daily_limit(2)
    assert main([*argv[:2], "--report", str(report.with_stem("next")), *argv[4:]]) == 1
    sb.set_daily_limit(None)
    capsys.readouterr()
    again = ["associate", str(sheet), "--report", str(other), *journal, *_hub(sb)]
    code = main(again)  # the journal's open run resumed, but "other" is not its report: it
    assert code == 2 and _digest(other) == kept  # says applied rows that run did not send


def _companies(tmp_path: Path, first: int = 40) -> Path:
    """A sheet of three deal -> company pairs, none of which the pairs sheet names."""
    from hubframe.testing import demo_ids

    sheet = tmp_path / f"companies{first}.csv"
    pairs = zip(demo_ids("deals")[first : first + 3], demo_ids("companies")[:3], strict=True)
    sheet.write_text("Deal ID,Company ID\n" + "".join(f"{d},{c}\n" for d, c in pairs))
    return sheet


def test_a_resumed_journal_does_not_take_another_sheets_csv_report_for_its_runs(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .csv report names no journal, so while a --journal held a stopped run, any .csv
    report given as --report was taken for that run's and written over: the report of a run
    of another sheet, which undo needs, was lost.  Now the report is that run's only when the
    journal's open runs sent every row it says HubSpot applied."""
    sb = sandbox_factory(seed="demo", daily_limit=3)
    sheet = _sheet(tmp_path)
    journal = ["--journal", str(tmp_path / "run.sqlite"), "--batch-size", "1"]
    assert main(["associate", str(sheet), *journal, *_hub(sb)]) == 1  # stopped: run left open
    sb.set_daily_limit(None)
    elsewhere = _companies(tmp_path)
    other = tmp_path / "other.csv"
    assert main(["associate", str(elsewhere), "--report", str(other), *_hub(sb)]) == 0
    kept = _digest(other)
    capsys.readouterr()
    code = main(["associate", str(sheet), "--report", str(other), *journal, *_hub(sb)])
    assert code == 2 and "holds the report of a run that sent rows" in capsys.readouterr().err
    assert _digest(other) == kept
    own = tmp_path / "own.csv"  # the resumed run's own report: written, and written over
    assert main(["associate", str(sheet), "--report", str(own), *journal, *_hub(sb)]) == 1
    assert "holds the report" not in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_resumed_run_keeps_the_report_of_a_finished_run_of_its_journal(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
) -> None:
    """Run A finished with --journal j and --report rA; run B of another sheet with the same
    journal stopped; B again, given rA by mistake: rA names j (an .xlsx) or names nothing (a
    .csv), so it was taken for B's report and replaced by B's rows -- A could no longer be
    undone from its report."""
    sb = sandbox_factory(seed="demo")
    journal = ["--journal", str(tmp_path / "j.sqlite"), "--batch-size", "1"]
    first = _companies(tmp_path, 50)
    report_a = tmp_path / f"rA{suffix}"
    assert main(["associate", str(first), "--report", str(report_a), *journal, *_hub(sb)]) == 0
    kept = _digest(report_a)
    sb.set_daily_limit(len(sb.request_log()) + 3)
    sheet = _sheet(tmp_path)
    assert main(["associate", str(sheet), *journal, *_hub(sb)]) == 1  # stopped: left open
    sb.set_daily_limit(None)
    capsys.readouterr()
    code = main(["associate", str(sheet), "--report", str(report_a), *journal, *_hub(sb)])
    assert code == 2 and "holds the report of a run that sent rows" in capsys.readouterr().err
    assert _digest(report_a) == kept


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_resumed_run_keeps_a_report_whose_rows_may_have_been_applied(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, suffix: str
) -> None:
    """A run of another sheet whose only row ended UNKNOWN_OUTCOME (HubSpot applied it, its
    answer lost) has no success row: the resumed run's check found nothing the journal had
    not sent and would write over the report undo needs (found in review)."""
    from hubframe.report.outputs import keep_run_report

    sb = sandbox_factory(seed="demo", daily_limit=3)
    journal = tmp_path / "run.sqlite"
    argv = ["associate", str(_sheet(tmp_path)), "--journal", str(journal), "--batch-size", "1"]
    assert main([*argv, *_hub(sb)]) == 1  # stopped by the daily limit: the run left open
    other = tmp_path / f"other{suffix}"
    table = pd.DataFrame(
        {
            "sheet": ["companies.csv"],
            "row": [2],
            "status": ["failed"],
            "error_code": ["UNKNOWN_OUTCOME"],
            "from_type": ["deals"],
            "from_id": ["2040000041"],
            "to_type": ["companies"],
            "to_id": ["3120000001"],
        }
    )
    if suffix == ".csv":
        table.to_csv(other, index=False)
    else:
        hf.export_report(table, other)
    kept = _digest(other)
    with pytest.raises(InputError, match="1 UNKNOWN_OUTCOME"):
        keep_run_report(other, "a run", "the run's report", "sent", resumed=journal)
    assert _digest(other) == kept
