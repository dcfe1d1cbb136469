"""The hubframe command line, end to end against sandboxes over real HTTP: most commands run
through ``main`` in the test's process (see ``_hubframe``), some as ``python -m hubframe``."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from hubframe.cli import build_parser, main
from hubframe.io import read_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

REPO = Path(__file__).resolve().parents[1]
GOOD = [
    ("2040000011", "1019360011", "Decision maker", "first"),
    ("2040000012", "1019360012", "Champion", '=HYPERLINK("http://evil")'),
]
BAD = [
    ("2040000013", "1019369999", "Champion", "no such contact"),  # OBJECT_NOT_FOUND
    ("2040000014", "12ab", "Champion", "bad id"),  # BAD_ID
]


def _csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    lines = ["Deal ID,Contact ID,Association label,Notes"]
    lines += [",".join(f'"{v}"' if "," in v or '"' in v else v for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env(sb: Sandbox | None = None, token: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    if sb is not None:
        env["HUBSPOT_ACCESS_TOKEN"] = token or sb.token
        env["HUBSPOT_BASE_URL"] = sb.url
    return env


#: Run every command of these tests in a process of its own (a campaign); by default they run
#: in this one through ``main`` -- a process costs 1.2 s of start-up and imports on the test
#: machine, a third of this file's time -- and the tests marked so (``process=True``) run
#: ``python -m hubframe`` itself, as the notebook, ctrl-c and lost-stdout tests do.
ALWAYS_A_PROCESS = os.environ.get("HUBFRAME_CLI_PROCESSES", "") == "1"


def _hubframe(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """The command's exit code, stdout and stderr, as a process of its own would give them."""
    if process or ALWAYS_A_PROCESS:
        return subprocess.run(
            [sys.executable, "-m", "hubframe", *args],
            capture_output=True,
            text=True,
            env=env if env is not None else _env(),
            cwd=cwd or REPO,
            timeout=timeout,
            check=False,
        )
    return _in_this_process(list(args), env if env is not None else _env(), cwd or REPO)


def _in_this_process(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """``main(args)`` with ``env`` as the environment and ``cwd`` as the folder; an exception
    that escapes it is a traceback on stderr and exit code 1, as Python's would be."""
    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exit_:  # argparse's usage errors and --help
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
            except Exception:
                traceback.print_exc(file=err)
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    return subprocess.CompletedProcess(["hubframe", *args], code, out.getvalue(), err.getvalue())


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("hubframe: error: ")
    assert "Traceback" not in proc.stderr + proc.stdout
    return lines[0]


# --- associate ---------------------------------------------------------------------------------


def test_all_rows_succeed_exit_0_with_report(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    report = tmp_path / "out" / "report.xlsx"
    proc = _hubframe(
        "associate", str(sheet), "--report", str(report), env=_env(sandbox), process=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "success" in proc.stdout and "total" in proc.stdout
    assert f"report: {report}" in proc.stdout
    assert openpyxl.load_workbook(report).sheetnames == [
        "Summary",
        "Results",
        "Errors",
        "Validation",
    ]
    links = sandbox.associations("deals", "contacts")
    pairs = set(zip(links["from_id"], links["to_id"], strict=True))
    assert {("2040000011", "1019360011"), ("2040000012", "1019360012")} <= pairs


def test_failed_rows_exit_1_and_retry_file_reads_back(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD + BAD)
    retry = tmp_path / "retry.xlsx"
    proc = _hubframe(
        "associate", str(sheet), "--retry-file", str(retry), "--report", str(tmp_path / "r.csv"),
        env=_env(sandbox),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "OBJECT_NOT_FOUND" in proc.stdout and "BAD_ID" in proc.stdout
    assert "retry file:" in proc.stdout and "(2 rows" in proc.stdout
    back = read_pairs(retry)
    assert back["to_id"].tolist() == ["1019369999", "12ab"]
    assert back.attrs["hubframe"]["original_columns"] == [
        "Deal ID", "Contact ID", "Association label", "Notes",
    ]  # fmt: skip


def test_journal_resumes_without_sending_again(sandbox: Sandbox, tmp_path: Path) -> None:
    """A run cancelled after its first batch resumes from the command line with its journal:
    the batch done is not sent again.  Once that run has finished, the next run with the
    journal sends every batch again (a finished run is never taken for done)."""
    import threading

    import hubframe as hf
    from hubframe.testing import client_for

    sheet = _csv(tmp_path / "pairs.csv", GOOD + BAD)
    journal = tmp_path / "run.sqlite"
    cancel = threading.Event()
    first = hf.associate(
        sheet, client_for(sandbox), progress=False, journal=journal, batch_size=1, workers=1,
        cancel=cancel, on_progress=lambda rows: cancel.set(),
    )  # fmt: skip
    status = list(first["status"])
    assert status[0] == "success" and status[2:] == ["skipped", "invalid"]
    # the second row's request may have left as the first's answer was read: in flight
    unsent = status.count("skipped")

    def creates() -> int:
        log = sandbox.request_log()
        return int((log["method"] == "POST").sum() - log["path"].str.endswith("/read").sum())

    before = creates()
    args = ("associate", str(sheet), "--journal", str(journal), "--batch-size", "1")
    again = _hubframe(*args, env=_env(sandbox))
    assert again.returncode == 1, again.stderr  # the contact that does not exist
    assert creates() == before + unsent  # the rows not sent; those done came from the journal
    third = _hubframe(*args, env=_env(sandbox))
    assert third.returncode == 1, third.stderr
    assert third.stdout == again.stdout  # the same outcomes ...
    assert creates() == before + unsent + 3  # ... from sending every batch again


def test_token_is_in_no_output_or_file(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD + BAD)
    files = [tmp_path / "r.xlsx", tmp_path / "r.csv", tmp_path / "retry.xlsx"]
    proc = _hubframe(
        "associate", str(sheet), "--token", sandbox.token, "--base-url", sandbox.url,
        "--report", str(files[0]), "--retry-file", str(files[2]), env=_env(), process=True,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    _hubframe("associate", str(sheet), "--report", str(files[1]), env=_env(sandbox))
    assert sandbox.token not in proc.stdout + proc.stderr
    assert sandbox.token.encode() not in files[1].read_bytes()
    for path in (files[0], files[2]):
        with zipfile.ZipFile(path) as zf:
            assert all(sandbox.token.encode() not in zf.read(n) for n in zf.namelist())


def test_dry_run_sends_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    before = len(sandbox.associations("deals", "contacts"))
    proc = _hubframe("associate", str(sheet), "--dry-run", env=_env(sandbox))
    assert proc.returncode == 0, proc.stderr
    assert "planned" in proc.stdout and "dry run" in proc.stdout
    assert len(sandbox.associations("deals", "contacts")) == before


def test_dry_run_reports_preflight_predictions(sandbox: Sandbox, tmp_path: Path) -> None:
    rows = [
        ("2040000001", "1019360001", "Decision maker", "exists"),
        ("2040000001", "1019360020", "Decision maker", "over the limit"),
        *GOOD,
    ]
    sheet = _csv(tmp_path / "pairs.csv", rows)
    report = tmp_path / "plan.csv"
    proc = _hubframe(
        "associate", str(sheet), "--dry-run", "--report", str(report), env=_env(sandbox)
    )
    assert proc.returncode == 0, proc.stderr
    assert "ALREADY_ASSOCIATED" in proc.stdout and "LIMIT_EXCEEDED" in proc.stdout
    plan = read_csv_text(report)
    assert "predicted: deal 2040000001 already has 2 of at most 2 'Decision maker'" in plan
    quiet = _hubframe("associate", str(sheet), "--dry-run", "--no-preflight", env=_env(sandbox))
    assert "LIMIT_EXCEEDED" not in quiet.stdout


def read_csv_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def test_undo_a_report_leaves_the_portal_as_before(sandbox: Sandbox, tmp_path: Path) -> None:
    before = {d: sandbox.associations(*d) for d in (("deals", "contacts"), ("contacts", "deals"))}
    rows = [("2040000001", "1019360001", "Decision maker", "exists"), *GOOD, *BAD]
    sheet = _csv(tmp_path / "pairs.csv", rows)
    report = tmp_path / "report.xlsx"
    run = _hubframe("associate", str(sheet), "--report", str(report), env=_env(sandbox))
    assert run.returncode == 1, run.stderr  # the BAD rows
    assert len(sandbox.associations("deals", "contacts")) > len(before[("deals", "contacts")])
    undo_report = tmp_path / "undo.csv"
    proc = _hubframe("undo", str(report), "--report", str(undo_report), env=_env(sandbox))
    assert proc.returncode == 0, proc.stderr
    assert "undo" in proc.stdout and "success" in proc.stdout
    for direction, frame in before.items():
        assert sandbox.associations(*direction).equals(frame)
    assert "existed before" in read_csv_text(undo_report)


def test_an_undo_that_leaves_rows_it_cannot_take_back_exits_1(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Before: the undo of a report whose type_id column was deleted took back none of its
    labeled rows (skipped, NOT_UNDOABLE) and exited 0, "all rows done", to a script."""
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    report = tmp_path / "report.csv"
    run = _hubframe("associate", str(sheet), "--report", str(report), env=_env(sandbox))
    assert run.returncode == 0, run.stderr
    table = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
    assert table["type_id"].notna().any()
    table.drop(columns=["type_id"]).to_csv(report, index=False)
    proc = _hubframe("undo", str(report), env=_env(sandbox))
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "NOT_UNDOABLE" in proc.stdout


def test_remove_by_email_and_skip_existing(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet = tmp_path / "unlink.csv"
    sheet.write_text(
        "Deal ID,Contact email\n2040000001,olivia.martin0@northwindanalytics.example.com\n",
        encoding="utf-8",
    )
    proc = _hubframe("remove", str(sheet), "--dry-run", env=_env(sandbox))
    assert proc.returncode == 0 and "planned" in proc.stdout, proc.stderr
    proc = _hubframe("remove", str(sheet), env=_env(sandbox))
    assert proc.returncode == 0, proc.stderr
    links = sandbox.associations("deals", "contacts")
    assert links.query("from_id == '2040000001' and to_id == '1019360001'").empty
    again = _hubframe("associate", str(sheet), "--skip-existing", env=_env(sandbox))
    assert again.returncode == 0 and "success" in again.stdout, again.stderr
    skipped = _hubframe("associate", str(sheet), "--skip-existing", env=_env(sandbox))
    assert "skipped" in skipped.stdout and "ALREADY_ASSOCIATED" in skipped.stdout


def test_bad_token_one_line_exit_2_token_nowhere(sandbox: Sandbox, tmp_path: Path) -> None:
    secret = "pat-na1-00000000-dead-beef-0000-000000000000"
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    report = tmp_path / "report.xlsx"
    proc = _hubframe(
        "associate", str(sheet), "--report", str(report), "--token", secret,
        "--base-url", sandbox.url, env=_env(), process=True,
    )  # fmt: skip
    line = _one_error_line(proc)
    assert "access token" in line
    assert secret not in proc.stdout + proc.stderr
    with zipfile.ZipFile(report) as zf:
        assert all(secret.encode() not in zf.read(n) for n in zf.namelist())
    assert len(sandbox.associations("deals", "contacts").query("from_id == '2040000011'")) == 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", ["associate", "limits"])
def test_unreachable_hubspot_one_line_exit_2_quickly(tmp_path: Path, command: str) -> None:
    if command == "associate":
        sheet = _csv(tmp_path / "pairs.csv", GOOD + BAD)
    else:
        sheet = tmp_path / "limits.csv"
        sheet.write_text(
            "From object,To object,Label,Max associations\nDeals,Contacts,Decision maker,3\n",
            encoding="utf-8",
        )
    env = _env()
    env["HUBSPOT_ACCESS_TOKEN"] = "pat-na1-unreachable"
    env["HUBSPOT_BASE_URL"] = f"http://127.0.0.1:{_closed_port()}"
    retry = tmp_path / "retry.csv"
    started = time.monotonic()
    proc = _hubframe(command, str(sheet), "--retry-file", str(retry), env=env, timeout=120)
    elapsed = time.monotonic() - started
    line = _one_error_line(proc)
    assert "reach HubSpot" in line and "127.0.0.1" in line
    assert elapsed < 10, f"{elapsed:.1f} s"
    assert "UNKNOWN_OUTCOME" not in proc.stdout  # nothing was sent: no outcome is unknown
    assert retry.is_file()  # every row to do is in the retry file
    print(f"unreachable HubSpot: {command} exit 2 after {elapsed:.2f} s")


@pytest.mark.parametrize("case", ["missing directory", "a directory", "not SQLite"])
def test_bad_journal_path_one_line_exit_2_nothing_sent(
    sandbox: Sandbox, tmp_path: Path, case: str
) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database\n", encoding="utf-8")
    journal = {"missing directory": tmp_path / "no" / "dir" / "j.sqlite", "a directory": tmp_path,
               "not SQLite": text}[case]  # fmt: skip
    limits = tmp_path / "limits.csv"
    limits.write_text(
        "From object,To object,Label,Max associations\nDeals,Contacts,Decision maker,3\n",
        encoding="utf-8",
    )
    sheets = {"associate": _csv(tmp_path / "pairs.csv", GOOD), "limits": limits}
    for command, sheet in sheets.items():
        proc = _hubframe(command, str(sheet), "--journal", str(journal), env=_env(sandbox))
        assert journal.name in _one_error_line(proc)
    assert sandbox.request_log().empty  # found before anything was sent


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder nobody may create files in: /sys for root (whom permissions do not stop),
    else a folder of the test's own without write permission."""
    if os.geteuid() == 0:
        return Path("/sys")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    return locked


def _bad_outputs(tmp_path: Path, sheet: Path) -> dict[str, tuple[list[str], str]]:
    """case -> (the output options, what the one error line names)."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    locked = _unwritable_folder(tmp_path)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return {
        "report with a wrong extension": (["--report", str(out / "r.pdf")], "r.pdf"),
        "report that is a folder": (["--report", str(out)], "is a folder"),
        "report in a folder that is a file": (["--report", str(a_file / "r.xlsx")], "not a folder"),
        "report in an unwritable folder": (["--report", str(locked / "r.xlsx")], "cannot write"),
        "retry file in an unwritable folder": (
            ["--retry-file", str(locked / "new" / "retry.csv")], "cannot write",
        ),
        "retry file with no extension": (["--retry-file", str(out / "retry")], "retry"),
        "journal in a missing folder": (["--journal", str(out / "no" / "j.sqlite")], "j.sqlite"),
        "journal in an unwritable folder": (["--journal", str(locked / "j.sqlite")], "cannot"),
        "report over the sheet": (["--report", str(sheet)], "is the file being read"),
        "report and retry file one file": (
            ["--report", str(out / "x.csv"), "--retry-file", str(out / "x.csv")], "one file",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    "case",
    [
        "report with a wrong extension",
        "report that is a folder",
        "report in a folder that is a file",
        "report in an unwritable folder",
        "retry file in an unwritable folder",
        "retry file with no extension",
        "journal in a missing folder",
        "journal in an unwritable folder",
        "report over the sheet",
        "report and retry file one file",
    ],
)
def test_an_output_that_cannot_be_written_stops_the_run_before_anything_is_sent(
    sandbox: Sandbox, tmp_path: Path, case: str
) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    options, named = _bad_outputs(tmp_path, sheet)[case]
    before = sheet.read_bytes()
    proc = _hubframe("associate", str(sheet), *options, env=_env(sandbox))
    assert named in _one_error_line(proc)
    assert proc.stdout == ""  # not even read: nothing to report
    assert sandbox.request_log().empty  # no request at all, so no write
    assert sheet.read_bytes() == before
    assert not (tmp_path / "out" / "r.pdf").exists()


def test_a_report_in_a_missing_folder_is_written_there(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    report = tmp_path / "new" / "deeper" / "r.csv"
    proc = _hubframe("associate", str(sheet), "--report", str(report), env=_env(sandbox))
    assert proc.returncode == 0, proc.stderr
    assert report.is_file() and not list(report.parent.glob(".hubframe-check-*"))


@pytest.mark.parametrize("command", ["limits", "undo", "remove"])
def test_every_job_checks_its_outputs_first(sandbox: Sandbox, tmp_path: Path, command: str) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    if command == "limits":
        sheet.write_text("From,To,Label,Max\ndeals,contacts,Champion,3\n", encoding="utf-8")
    proc = _hubframe(command, str(sheet), "--report", str(tmp_path / "r.pdf"), env=_env(sandbox))
    assert "r.pdf" in _one_error_line(proc)
    assert sandbox.request_log().empty


def test_a_sheet_whose_file_name_is_not_utf8_runs_and_reports(tmp_path: Path) -> None:
    """Its name held a byte that is not UTF-8: exit 2, 'the file could not be read ... save it
    again as .xlsx or as CSV UTF-8', blaming the content (the same bytes read under another
    name)."""
    raw = os.path.join(os.fsencode(tmp_path), b"Kontakte_M\xe4rz.csv")
    sheet = _csv(Path(os.fsdecode(raw)), GOOD)
    report, retry = tmp_path / "report.xlsx", tmp_path / "retry.csv"
    checked = _hubframe("validate", str(sheet))
    assert checked.returncode == 0, ascii(checked.stderr)  # (xdist cannot send the escape)
    proc = _hubframe(
        "associate", str(sheet), "--sandbox", "--report", str(report), "--retry-file", str(retry)
    )
    assert proc.returncode == 0, ascii(proc.stderr)
    assert "success" in proc.stdout and report.exists()
    results = pd.read_excel(report, sheet_name="Results", dtype=str, engine="openpyxl")
    assert set(results["sheet"]) == {"Kontakte_M\ufffdrz.csv"}


@pytest.mark.parametrize("option", ["--token", "--base-url"])
@pytest.mark.parametrize("command", ["associate", "validate", "labels", "sync"])
def test_an_empty_token_or_base_url_is_refused_not_taken_as_not_given(
    sandbox: Sandbox, tmp_path: Path, option: str, command: str
) -> None:
    """``--base-url "$SB_URL"`` with the variable unset: the run went to $HUBSPOT_BASE_URL (or
    HubSpot itself) with the environment's token, though it named a base URL of its own."""
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    proc = _hubframe(command, str(sheet), option, " ", env=_env(sandbox))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"error: argument {option}: is empty (a shell variable that is not set?)" in (
        proc.stderr
    )
    assert sandbox.request_log().empty


def test_missing_file_one_line_exit_2(tmp_path: Path) -> None:
    proc = _hubframe("associate", str(tmp_path / "nope.xlsx"), "--sandbox")
    assert "nope.xlsx" in _one_error_line(proc)


def test_missing_column_one_line_exit_2(tmp_path: Path) -> None:
    sheet = tmp_path / "deals.csv"
    sheet.write_text("Deal,Notes\n2040000001,x\n", encoding="utf-8")
    line = _one_error_line(_hubframe("associate", str(sheet), "--sandbox"))
    assert "deals.csv" in line and "Columns found: Deal, Notes" in line


def test_no_token_one_line_exit_2(tmp_path: Path) -> None:
    proc = _hubframe("associate", str(_csv(tmp_path / "p.csv", GOOD)))
    assert "HUBSPOT_ACCESS_TOKEN" in _one_error_line(proc)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _hubframe("associate").returncode == 2
    # message text checked on purpose: a usage error must name the option at fault
    proc = _hubframe("associate", "x.csv", "--batch-size", "0")
    assert proc.returncode == 2 and "--batch-size" in proc.stderr
    proc = _hubframe("associate", "x.csv", "--sandbox", "--token", "t")
    assert proc.returncode == 2 and "--sandbox cannot be combined" in proc.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ("associate", "x.csv", "--sandbox", "--token", "t"),
        ("associate", "--sandbox", "--token", "t"),
        ("limits", "x.csv", "--sandbox", "rehearse", "--base-url", "http://127.0.0.1:9"),
        ("validate", "x.csv", "--sandbox", "--token", "t"),
    ],
)
def test_a_usage_error_shows_the_usage_of_its_own_command(argv: tuple[str, ...]) -> None:
    proc = _hubframe(*argv)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"usage: hubframe {argv[0]} "), proc.stderr
    assert "Traceback" not in proc.stderr


def test_version() -> None:
    from hubframe import __version__

    proc = _hubframe("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"hubframe {__version__}"


def test_help_has_examples() -> None:
    proc = _hubframe("--help")
    assert proc.returncode == 0
    assert "examples:" in proc.stdout and "hubframe associate" in proc.stdout
    proc = _hubframe("associate", "--help")
    assert proc.returncode == 0 and "--retry-file" in proc.stdout and "examples:" in proc.stdout


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subs.choices)


@pytest.mark.parametrize("command", sorted(_commands()))
def test_each_command_help_shows_its_own_examples_only(command: str) -> None:
    proc = _hubframe(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: hubframe {command} ")
    examples = [line.strip() for line in proc.stdout.splitlines() if line.startswith("  hubframe")]
    assert examples, "no examples"
    assert all(line.startswith(f"hubframe {command}") for line in examples), examples


def test_every_option_of_every_command_has_help() -> None:
    parsers = {"hubframe": build_parser(), **_commands()}
    missing = [
        f"{name} {action.option_strings or action.dest}"
        for name, parser in parsers.items()
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction)
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    # undo reads --sandbox only to say why it refuses it, so its help does not offer it
    assert missing == ["undo ['--sandbox']"]


def test_sandbox_before_the_file_still_means_the_demo_sandbox(tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    proc = _hubframe("associate", "--sandbox", str(sheet), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "built-in demo sandbox" in proc.stderr and "planned" in proc.stdout


def test_builtin_sandbox_flag_runs_the_job(tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD)
    proc = _hubframe("associate", str(sheet), "--sandbox", "--api-version", "2026-09")
    assert proc.returncode == 0, proc.stderr
    assert "built-in demo sandbox" in proc.stderr


# --- in-process: the same main() the console script calls ----------------------------------------


def test_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(_csv(tmp_path / "good.csv", GOOD))]) == 0
    assert "no problems found" in capsys.readouterr().out
    assert main(["validate", str(_csv(tmp_path / "bad.csv", GOOD + BAD + GOOD[:1]))]) == 1
    out = capsys.readouterr().out
    assert "1 error, 1 warning" in out
    assert "row 5: error BAD_ID" in out and "row 6: warning DUPLICATE_ROW" in out


@pytest.mark.parametrize("online", [False, True])
def test_an_offline_validate_says_hubspot_was_not_asked(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    online: bool,
) -> None:
    """A "no problems found" of the sheet alone read as if labels and records were checked."""
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    connect = ["--token", sandbox.token, "--base-url", sandbox.url] if online else []
    for sheet in (_csv(tmp_path / "good.csv", GOOD), tmp_path / "limits.csv"):
        if sheet.name == "limits.csv":
            sheet.write_text("From,To,Max\ndeals,contacts,5\n", encoding="utf-8")
        assert main(["validate", str(sheet), *connect]) == 0
        out = capsys.readouterr().out
        assert ("checked offline (the sheet alone)" in out) is not online, out
        assert ("checked in HubSpot too" in out) is online, out


def _email_sheet(path: Path, emails: list[str]) -> Path:
    lines = ["Deal ID,Contact ID,Association label"]
    lines += [f"{2040000060 + i},{email},Champion" for i, email in enumerate(emails)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validate_accepts_what_associate_accepts(sandbox: Sandbox, tmp_path: Path) -> None:
    from hubframe.sandbox.demo import contact_properties

    emails = [p["email"] for p in contact_properties()[60:63]]
    sheet = _email_sheet(tmp_path / "deal_contact_emails.csv", emails)
    proc = _hubframe("validate", str(sheet), "--to-id-property", "email")
    assert proc.returncode == 0, proc.stdout
    assert "3 rows of pairs, no problems found." in proc.stdout and "BAD_ID" not in proc.stdout
    run = _hubframe("associate", str(sheet), "--to-id-property", "email", env=_env(sandbox))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[2].split() == ["success", "3"]


def test_validate_online_checks_what_a_run_checks(sandbox: Sandbox, tmp_path: Path) -> None:
    from hubframe.sandbox.demo import contact_properties

    email = contact_properties()[70]["email"]
    sheet = _email_sheet(tmp_path / "emails.csv", [email, "nobody@example.com"])
    offline = _hubframe("validate", str(sheet), "--to-id-property", "email", env=_env(sandbox))
    assert offline.returncode == 0 and sandbox.request_log().empty  # offline unless asked
    online = _hubframe(
        "validate", str(sheet), "--to-id-property", "email", "--online", env=_env(sandbox)
    )
    assert online.returncode == 1, online.stderr
    assert (
        "row 3: error OBJECT_NOT_FOUND" in online.stdout and "checked in HubSpot" in online.stdout
    )
    ids = tmp_path / "ids.csv"
    ids.write_text(
        "Deal ID,Contact ID,Association label\n"
        "2040000001,1019399999,\n2040000002,1019360002,Champ\n",
        encoding="utf-8",
    )
    proc = _hubframe("validate", str(ids), "--check-records", env=_env(sandbox))
    assert proc.returncode == 1, proc.stderr
    assert "row 2: error OBJECT_NOT_FOUND" in proc.stdout
    assert "row 3: error UNKNOWN_LABEL" in proc.stdout
    demo = _hubframe("validate", str(ids), "--sandbox")  # the built-in demo portal
    assert demo.returncode == 1 and "UNKNOWN_LABEL" in demo.stdout
    assert "OBJECT_NOT_FOUND" not in demo.stdout  # records only with --check-records
    log = sandbox.request_log()
    assert (log["method"] == "GET").any() and not log["path"].str.contains("/batch/create").any()


def test_the_report_lists_every_invalid_row_on_its_validation_sheet(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    rows = [*GOOD, ("2040000015", "1019360015", "Champ", "unknown label"), BAD[1]]
    sheet = _csv(tmp_path / "pairs.csv", rows)
    report = tmp_path / "report.xlsx"
    proc = _hubframe("associate", str(sheet), "--report", str(report), env=_env(sandbox))
    assert proc.returncode == 1, proc.stderr
    results = pd.read_excel(report, sheet_name="Results", dtype=str, engine="openpyxl")
    validation = pd.read_excel(report, sheet_name="Validation", dtype=str, engine="openpyxl")
    invalid = results.loc[results["status"] == "invalid", ["row", "error_code"]]
    listed = validation.loc[validation["severity"] == "error", ["row", "code"]]
    assert sorted(map(tuple, invalid.values)) == [("4", "UNKNOWN_LABEL"), ("5", "BAD_ID")]
    assert sorted(map(tuple, listed.values)) == sorted(map(tuple, invalid.values))
    assert validation.loc[validation["code"] == "UNKNOWN_LABEL", "column"].tolist() == ["label"]


def test_validate_reads_limits_sheets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From object,To object,Label,Max associations\ndeals,contacts,Champion,zero\n",
        encoding="utf-8",
    )
    assert main(["validate", str(sheet)]) == 1
    out = capsys.readouterr().out
    assert "rows of limits" in out and "BAD_LIMIT" in out


def test_limits_command_configures_limits(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From object,To object,Label,Max associations\ndeals,contacts,Champion,3\n",
        encoding="utf-8",
    )
    code = main(["limits", str(sheet), "--token", sandbox.token, "--base-url", sandbox.url])
    assert code == 0, capsys.readouterr()
    limits = sandbox.limits("deals", "contacts")
    assert limits.loc[limits["label"] == "Champion", "max_to_object_ids"].tolist() == [3]


def test_limits_are_never_removed_by_accident(sandbox: Sandbox, tmp_path: Path) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From,To,Label,Max\n"
        "deals,contacts,,30\n"  # demo: 25
        "deals,contacts,Decision maker,remove\n"  # demo: 2
        "contacts,companies,Employee,\n",  # demo: 1; an empty cell
        encoding="utf-8",
    )
    check = _hubframe("validate", str(sheet))
    assert check.returncode == 0, check.stdout  # a warning, not an error
    assert "row 4: warning BLANK_LIMIT" in check.stdout and "'remove'" in check.stdout
    dry = _hubframe("limits", str(sheet), "--dry-run", env=_env(sandbox))
    assert dry.returncode == 0, dry.stderr
    # message text checked on purpose: the dry run must say what each row does, in words
    assert (
        "row 2: deals -> contacts (all associations): changes the limit from 25 to 30" in dry.stdout
    )
    assert 'row 3: deals -> contacts "Decision maker": removes the limit of 2' in dry.stdout
    assert 'row 4: contacts -> companies "Employee": nothing: the limit cell is empty' in dry.stdout
    assert "purge_limit" not in dry.stdout
    run = _hubframe("limits", str(sheet), env=_env(sandbox))
    assert run.returncode == 0, run.stderr
    assert "BLANK_LIMIT" in run.stdout
    assert sandbox.limits("contacts", "companies")["max_to_object_ids"].tolist() == [1]  # kept
    asked = _hubframe("limits", str(sheet), "--remove-blank-limits", env=_env(sandbox))
    assert asked.returncode == 0, asked.stderr
    assert sandbox.limits("contacts", "companies").empty  # removed: asked for


# --- the sandbox subcommand -----------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubframe", "sandbox", "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "hubframe sandbox printed nothing within 30 s"
        line = proc.stdout.readline()  # the server prints one JSON line once it listens
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _own_ids(path: Path) -> Path:
    """A sheet of the analyst's own records: none of them is in the demo portal."""
    return _csv(
        path,
        [("81000000001", "71000000001", "Sponsor", ""), ("81000000002", "71000000002", "", ""),
         ("81000000003", "71000000003", "Decision maker", "")],
    )  # fmt: skip


def test_rehearse_a_real_sheet_with_its_own_ids(tmp_path: Path) -> None:
    sheet = _own_ids(tmp_path / "mine.csv")
    demo = _hubframe("associate", str(sheet), "--sandbox")
    assert demo.returncode == 1 and "OBJECT_NOT_FOUND" in demo.stdout  # the demo lacks them
    proc = _hubframe("associate", str(sheet), "--sandbox", "rehearse")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[2].split() == ["success", "3"]
    assert "a rehearsal sandbox with the sheet's 6 records" in proc.stderr
    check = _hubframe("validate", str(sheet), "--sandbox", "rehearse", "--check-records")
    assert check.returncode == 0 and "no problems found" in check.stdout, check.stdout


@pytest.mark.parametrize("command", ["labels", "export"])
def test_rehearse_without_a_sheet_to_make_it_from_is_refused(tmp_path: Path, command: str) -> None:
    """`labels` and `export` read no pairs or limits sheet: --sandbox rehearse was the demo
    portal, said on one stderr line, its custom objects not the sheet's ("Unable to infer
    object type from: p_cars" for a row the real portal takes)."""
    labels = tmp_path / "labels.csv"
    labels.write_text("From type,To type,Label\ndeals,p_cars,Owner\n")
    ids = tmp_path / "ids.csv"
    ids.write_text("Deal ID\n101\n")
    out = tmp_path / "out.csv"
    args = {
        "labels": ["labels", str(labels), "--dry-run"],
        "export": [
            "export",
            "--from",
            "deals",
            "--to",
            "contacts",
            "--ids",
            str(ids),
            "-o",
            str(out),
        ],
    }[command]
    proc = _hubframe(*args, "--sandbox", "rehearse")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"`hubframe {command}` reads none to make it from" in proc.stderr
    assert "demo sandbox" not in proc.stderr and not out.exists() and "Traceback" not in proc.stderr


@pytest.fixture
def served_records(tmp_path: Path) -> Iterator[dict[str, Any]]:
    sheet = _own_ids(tmp_path / "mine.csv")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubframe", "sandbox", "--records", str(sheet), "--port", "0",
         "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "hubframe sandbox printed nothing within 30 s"
        yield {**json.loads(proc.stdout.readline()), "sheet": sheet}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_sandbox_records_serves_the_sheets_records(
    served_records: dict[str, Any], tmp_path: Path
) -> None:
    assert served_records["records"] == {"deals": 3, "contacts": 3}
    # not seeded with the demo portal: its "Decision maker" is made from the sheet too
    assert served_records["labels"] == [
        ["deals", "contacts", "Sponsor"],
        ["deals", "contacts", "Decision maker"],
    ]
    env = _env() | {
        "HUBSPOT_ACCESS_TOKEN": served_records["token"],
        "HUBSPOT_BASE_URL": served_records["url"],
    }
    sheet = served_records["sheet"]
    proc = _hubframe("associate", str(sheet), "--report", str(tmp_path / "r.csv"), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    undo = _hubframe("undo", str(tmp_path / "r.csv"), env=env)
    assert undo.returncode == 0 and "success" in undo.stdout, undo.stdout
    again = _hubframe("undo", str(tmp_path / "r.csv"), env=env)  # nothing left to take back
    assert again.returncode == 0, again.stdout + again.stderr
    assert "skipped  NOT_ASSOCIATED" in again.stdout and "success" not in again.stdout


def test_sandbox_subcommand_serves_a_sandbox(served: dict[str, str], tmp_path: Path) -> None:
    assert served["url"].startswith("http://127.0.0.1:")
    env = _env() | {"HUBSPOT_ACCESS_TOKEN": served["token"], "HUBSPOT_BASE_URL": served["url"]}
    proc = _hubframe("associate", str(_csv(tmp_path / "p.csv", GOOD + BAD)), env=env)
    assert proc.returncode == 1, proc.stderr
    assert "success" in proc.stdout and "OBJECT_NOT_FOUND" in proc.stdout


# --- demo ---------------------------------------------------------------------------------------


def test_demo_writes_reports_and_summaries(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    proc = _hubframe("demo", "--out", str(out), timeout=240)
    assert proc.returncode == 0, proc.stderr
    for name in ("deals_contacts", "contacts_companies", "limits", "messy_deals_contacts"):
        report = out / f"{name}_report.xlsx"
        assert report.is_file(), name
        assert f"{name}." in proc.stdout
    assert (out / "messy_deals_contacts_retry.xlsx").is_file()
    assert proc.stdout.count("total") == 4
    assert "Traceback" not in proc.stderr


def _installed_copy(site: Path) -> Path:
    """What a wheel of this checkout holds: the packages' modules and the package data that
    pyproject.toml declares, and nothing else of the repository (no sample_data/)."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["hubframe"]
    source = REPO / "hubframe"
    files = [p for p in source.rglob("*.py") if (p.parent / "__init__.py").is_file()]
    files += [p for pattern in patterns for p in source.glob(pattern)]
    for path in files:
        target = site / "hubframe" / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return site


def test_demo_runs_from_an_installed_package(tmp_path: Path) -> None:
    site = _installed_copy(tmp_path / "site")
    work = tmp_path / "work"  # no sample_data/ here, and the checkout is not on the path
    work.mkdir()
    env = _env() | {"PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import hubframe; print(hubframe.__file__)"],
        capture_output=True, text=True, env=env, cwd=work, check=True,
    )  # fmt: skip
    assert where.stdout.strip() == str(site / "hubframe" / "__init__.py")
    proc = _hubframe("demo", "--no-progress", env=env, cwd=work, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("total") == 4
    assert (work / "reports" / "deals_contacts_report.xlsx").is_file()


def test_demo_without_sample_data_fails_clearly(tmp_path: Path) -> None:
    proc = _hubframe("demo", "--sample-data", str(tmp_path / "nowhere"), cwd=tmp_path)
    line = _one_error_line(proc)
    assert "sample data not found" in line and "make demo" in line


def test_ctrl_c_stops_cleanly_and_the_journal_resumes(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    """A run stopped by Ctrl-C (cleanly: tests/test_cli_ctrl_c.py) stays open in its journal:
    the same command again sends only the batches the first did not."""
    slow = sandbox_factory(seed="demo", rate_limit=(10, 1.0), latency=(0.2, 0.0))
    rows = [(f"{2040000040 + n % 20}", f"{1019360040 + n}", "", "") for n in range(200)]
    sheet, journal = _csv(tmp_path / "many.csv", rows), tmp_path / "run.sqlite"
    command = ["associate", str(sheet), "--batch-size", "5", "--journal", str(journal)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubframe", *command],
        env=_env(slow),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _writes(slow):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[0].startswith("hubframe: stopping: ")
    assert err.strip().splitlines()[-1].startswith("hubframe: interrupted: ")
    assert "Traceback" not in out + err
    first = _writes(slow)
    assert 0 < len(first) < 40  # stopped part-way: 200 rows are 40 batches
    again = _hubframe(*command, env=_env(slow))
    assert again.returncode == 0, again.stdout + again.stderr
    every = _writes(slow)
    assert len(every) == len(set(every)) == 40  # the journal kept finished batches from resending
    stored = slow.associations("deals", "contacts")
    linked = set(zip(stored["from_id"], stored["to_id"], strict=True))
    assert {(f, t) for f, t, _, _ in rows} <= linked


def _writes(sb: Sandbox) -> list[str]:
    """Body hashes of the association writes the sandbox answered (200/201/207)."""
    log = sb.request_log()
    done = log[(log["method"] == "POST") & log["status"].between(200, 299)]
    return done.loc[done["path"].str.contains("/batch/associate/default"), "body_sha1"].tolist()


# --- reading: sheets, HubSpot exports, messages in the command line's syntax ------------------


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    archive = book.active
    archive.title = "Archive"
    archive.append(["Deal ID", "Contact ID"])
    archive.append([2040000001, 1019360001])
    archive.sheet_state = "hidden"
    notes = book.create_sheet("Notes")
    notes.append(["Read me"])
    links = book.create_sheet("Links")
    links.append(["Deal ID", "Contact ID"])
    links.append([2040000002, 1019360002])
    book.save(path)
    return path


def test_cli_says_which_sheet_it_read_and_warns_of_skipped_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _workbook(tmp_path / "book.xlsx")
    assert main(["validate", str(book)]) == 0
    out, err = capsys.readouterr()
    assert "book.xlsx: read sheet 'Links' (the first visible sheet with recognised columns)" in out
    assert "book.xlsx: 1 rows of pairs, no problems found." in out
    assert "hubframe: warning: book.xlsx: sheet 'Archive' skipped: hidden" in err
    assert "hubframe: warning: book.xlsx: sheet 'Notes' skipped: no recognised columns" in err


@pytest.mark.parametrize(("sheet", "read"), [("0", "Archive"), ("2", "Links"), ("-1", "Links")])
def test_cli_sheet_takes_positions_from_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet: str, read: str
) -> None:
    book = _workbook(tmp_path / "book.xlsx")
    assert main(["validate", str(book), "--sheet", sheet]) == 0
    assert f"read sheet '{read}' (by position" in capsys.readouterr().out


def test_cli_reads_limits_headed_from_to_label_max(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text("From,To,Label,Max\ndeals,contacts,,5\n", encoding="utf-8")
    assert main(["validate", str(sheet)]) == 0
    assert "1 rows of limits, no problems found" in capsys.readouterr().out


def test_cli_reads_a_hubspot_export_and_speaks_its_own_syntax(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "hubspot-crm-exports-all-deals-2026-11-29.csv"
    export.write_text(
        "Record ID,Deal Name,Associated Contact IDs,Associated Company IDs\n"
        "2040000001,Big,1019360001;1019360002,3001\n2040000002,Quiet,,\n",
        encoding="utf-8",
    )
    assert main(["validate", str(export)]) == 2
    err = capsys.readouterr().err
    assert "--to contacts" in err and "to_type" not in err  # the flag, as typed here
    assert main(["validate", str(export), "--to", "contacts"]) == 0  # warnings only
    out = capsys.readouterr().out
    assert "from type deals, from the file name; --from sets another" in out
    assert "warning NO_TARGETS" in out
    plain = tmp_path / "pairs.csv"
    plain.write_text("From ID,To ID\n1,2\n", encoding="utf-8")
    assert main(["validate", str(plain), "--kind", "pairs", "--to", "contacts"]) == 2
    assert "Pass --from contacts" in capsys.readouterr().err


def test_an_export_runs_as_it_comes_and_empty_cells_are_nothing_to_do(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A HubSpot export: a record without associations is reported as nothing to do (skipped,
    NO_TARGETS), never sent, not in the retry file, and does not make the run fail."""
    export = tmp_path / "hubspot-crm-exports-all-deals-2026-11-29.csv"
    export.write_text(
        "Record ID,Deal Name,Associated Contact IDs\n"
        "2040000031,Big,1019360101;1019360102\n2040000032,Quiet,\n2040000033,Small,1019360103\n",
        encoding="utf-8",
    )
    report, retry = tmp_path / "report.csv", tmp_path / "retry.csv"
    proc = _hubframe(
        "associate", str(export), "--report", str(report), "--retry-file", str(retry),
        env=_env(sandbox),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(report, dtype=str, keep_default_na=False)
    quiet = table[table["from_id"] == "2040000032"]
    assert quiet[["status", "error_code"]].values.tolist() == [["skipped", "NO_TARGETS"]]
    assert set(table.loc[table["from_id"] != "2040000032", "status"]) == {"success"}
    assert not retry.exists() and "no rows to retry" in proc.stdout
    sent = sandbox.request_log()
    assert not sent["path"].str.contains("2040000032").any()
    links = sandbox.associations("deals", "contacts")
    assert not (links["from_id"] == "2040000032").any()


def test_a_type_option_the_id_column_contradicts_stops_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "links.csv"
    sheet.write_text("Deal ID,Contact ID\n2040000001,1019360001\n")
    assert main(["associate", str(sheet), "--from", "companies", "--sandbox"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and '"Deal ID" holds deals' in err[0]
    assert "--from companies was given" in err[0] and "leave out --from" in err[0]


def test_a_retry_file_of_an_earlier_run_is_emptied_when_nothing_is_left(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The run printed "retry file: not written", and the file at that path still held an
    earlier run's failed rows: running it would send them again."""
    sheet, retry = tmp_path / "pairs.csv", tmp_path / "retry.csv"
    deal, contact = demo_ids("deals")[77], demo_ids("contacts")[177]
    sheet.write_text(f"Deal ID,Contact ID\n{deal},{contact}\n", encoding="utf-8")
    retry.write_text(f"Deal ID,Contact ID\n{deal},99999999999\n", encoding="utf-8")  # old
    proc = _hubframe("associate", str(sheet), "--retry-file", str(retry), env=_env(sandbox))
    assert proc.returncode == 0, proc.stderr
    assert "no rows to retry: emptied" in proc.stdout
    assert pd.read_csv(retry, dtype=str).empty


@pytest.mark.parametrize("hash_seed", ["0", "1", "2", "3", "4", "5"])
def test_a_labels_run_stopped_two_ways_names_the_token_whatever_the_hash_seed(
    hash_seed: str,
) -> None:
    """A labels run whose labels hold a refused token and a lost connection (one label made
    before it): the stop was looked up in a set's order, which varies with the interpreter's
    hash seed, and when the network error came first its label made meant "not a whole-run
    stop" and the token went unsaid (exit 1 instead of 2).  The token is now said first."""
    code = (
        "import pandas as pd\n"
        "from hubframe.cli_portal import _labels_stopped\n"
        "result = pd.DataFrame({'status': ['success', 'failed', 'skipped', 'skipped'],\n"
        "    'error_code': [None, 'NETWORK_ERROR', 'UNAUTHORIZED', 'UNAUTHORIZED']})\n"
        "print(_labels_stopped(result, 'https://api.hubapi.com'))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    said = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert said.returncode == 0, said.stderr
    assert "token" in said.stdout.lower() and "(2 labels not done)" in said.stdout


def test_stdout_wrapper_says_what_its_stream_is_until_the_stream_is_lost() -> None:
    """``cli._Stdout`` (the stdout a gone reader cannot stop) answers ``isatty`` and
    ``encoding`` for its stream -- progress bars and encoders ask them -- and, once a write
    has failed, is no terminal: nothing it is given is shown any more."""
    import errno
    import io

    from hubframe.cli import _Stdout

    class Terminal(io.StringIO):
        encoding = "cp1252"  # type: ignore[assignment]
        fail = False

        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> int:
            if self.fail:
                raise OSError(errno.EPIPE, "Broken pipe")
            return super().write(text)

    plain = _Stdout(io.StringIO())
    assert not plain.isatty() and plain.encoding == "utf-8"
    stream = Terminal()
    out = _Stdout(stream)
    assert out.isatty() and out.encoding == "cp1252"
    assert out.write("shown\n") == 6 and stream.getvalue() == "shown\n"
    stream.fail = True
    assert out.write("lost\n") == 5 and out.lost is not None
    assert not out.isatty() and out.encoding == "cp1252"
    stream.fail = False
    out.write("after\n")
    assert stream.getvalue() == "shown\n"
