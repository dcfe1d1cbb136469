"""A command whose stdout cannot be written goes on, and writes its report and retry file.

``hubframe associate ... | head`` (the reader gone) or ``> /dev/full`` (a full disk): the run
sent its rows, then stopped at its summary with ``hubframe: error: [Errno 32] Broken pipe``
(exit 2, naming no file), before its report and retry file were written, and its journal run
was left open.  stdout's failure is now one warning line on stderr, after which the command
goes on; its exit code is the run's.  In subprocesses, against the sandbox over real HTTP.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path

import pytest
from test_cli import BAD, GOOD, REPO, _csv, _env

from hubframe.io import read_pairs
from hubframe.sandbox import Sandbox

LIMITS = "From object,To object,Label,Max associations\ndeals,contacts,Champion,3\ndeals,x,,2\n"


@contextmanager
def _gone_reader() -> Iterator[int]:
    """A pipe whose reading end is closed: writes fail with EPIPE."""
    read, write = os.pipe()
    os.close(read)
    try:
        yield write
    finally:
        os.close(write)


@contextmanager
def _full_disk() -> Iterator[int]:
    """/dev/full: writes fail with ENOSPC."""
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        yield fd
    finally:
        os.close(fd)


STDOUTS: dict[str, Callable[[], AbstractContextManager[int]]] = {
    "a pipe whose reader is gone": _gone_reader,
    "a full disk": _full_disk,
}


def _argv(command: str, tmp_path: Path) -> tuple[list[str], int]:
    """The command line of ``command`` with a report and a retry file; its exit code."""
    out = ["--report", str(tmp_path / "report.xlsx"), "--retry-file", str(tmp_path / "retry.csv")]
    if command == "limits":
        sheet = tmp_path / "limits.csv"
        sheet.write_text(LIMITS, encoding="utf-8")
        return ["limits", str(sheet), *out], 1
    sheet = _csv(tmp_path / "pairs.csv", GOOD + BAD)
    return [command, str(sheet), *out, "--journal", str(tmp_path / "run.sqlite")], 1


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("stdout", list(STDOUTS))
@pytest.mark.parametrize("command", ["associate", "sync", "limits"])
def test_a_run_whose_stdout_fails_still_writes_its_files(
    sandbox: Sandbox, tmp_path: Path, command: str, stdout: str
) -> None:
    argv, code = _argv(command, tmp_path)
    with STDOUTS[stdout]() as fd:
        proc = subprocess.run(
            [sys.executable, "-m", "hubframe", *argv],
            stdout=fd,
            stderr=subprocess.PIPE,
            env=_env(sandbox),
            cwd=REPO,
            timeout=120,
            check=False,
        )
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err and "Exception ignored" not in err
    warned = [line for line in err.splitlines() if "could not write to stdout" in line]
    assert len(warned) == 1 and warned[0].startswith("hubframe: warning: "), err
    assert (tmp_path / "report.xlsx").is_file()
    if command == "limits":
        assert (tmp_path / "retry.csv").is_file()
        return
    assert read_pairs(tmp_path / "retry.csv")["to_id"].tolist() == ["1019369999", "12ab"]
    links = sandbox.associations("deals", "contacts")
    assert ("2040000011", "1019360011") in set(zip(links["from_id"], links["to_id"], strict=True))


def test_validate_whose_stdout_fails_keeps_its_exit_code(tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "pairs.csv", GOOD + BAD)
    with _gone_reader() as fd:
        proc = subprocess.run(
            [sys.executable, "-m", "hubframe", "validate", str(sheet)],
            stdout=fd,
            stderr=subprocess.PIPE,
            env=_env(),
            cwd=REPO,
            timeout=120,
            check=False,
        )
    err = proc.stderr.decode()
    assert proc.returncode == 1, err  # the sheet has an error (BAD_ID)
    assert "Traceback" not in err and "could not write to stdout" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("stream", list(STDOUTS))
@pytest.mark.parametrize("lost", ["stderr", "stdout and stderr"])
def test_a_run_whose_stderr_fails_still_writes_its_files(
    sandbox: Sandbox, tmp_path: Path, lost: str, stream: str
) -> None:
    """The progress bars (asked for here) and the warnings go to stderr: a stderr that fails
    (a reader gone, a full disk), or both streams, still lets the run send its rows and write
    its report, retry file and journal, with the run's exit code."""
    argv, code = _argv("associate", tmp_path)
    with STDOUTS[stream]() as full:
        proc = subprocess.run(
            [sys.executable, "-m", "hubframe", *argv, "--progress"],
            stdout=full if lost == "stdout and stderr" else subprocess.PIPE,
            stderr=full,
            env=_env(sandbox),
            cwd=REPO,
            timeout=120,
            check=False,
        )
    assert proc.returncode == code
    if lost == "stderr":
        out = proc.stdout.decode()
        assert "Traceback" not in out and "retry.csv" in out, out
    assert (tmp_path / "report.xlsx").is_file()
    assert read_pairs(tmp_path / "retry.csv")["to_id"].tolist() == ["1019369999", "12ab"]
    with closing(sqlite3.connect(tmp_path / "run.sqlite")) as journal:
        ended = [row[0] for row in journal.execute("SELECT ended FROM runs")]
    assert ended == ["finished"], ended  # not left open for a resume
    links = sandbox.associations("deals", "contacts")
    assert ("2040000011", "1019360011") in set(zip(links["from_id"], links["to_id"], strict=True))


NAMED = "décision→✓"  # é is in cp1252 and latin-1, → and ✓ are in neither


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "latin-1"])
@pytest.mark.parametrize("command", ["associate", "limits", "validate"])
def test_a_run_whose_stdout_cannot_encode_a_name_still_writes_its_files(
    sandbox: Sandbox, tmp_path: Path, command: str, encoding: str
) -> None:
    """A Windows console redirected to a file writes cp1252; ``PYTHONIOENCODING=ascii`` writes
    ASCII.  A run whose sheet was named ``décision→✓.csv`` stopped at its summary's title with a
    UnicodeEncodeError traceback, after its rows were sent and before its report and retry file
    were written.  What the stream cannot encode is now written as an escape (``\\u2192``)."""
    folder = tmp_path / NAMED
    folder.mkdir()
    if command == "limits":
        sheet = folder / f"{NAMED}.csv"
        sheet.write_text(LIMITS.replace("deals,x", "deals,é"), encoding="utf-8")
    else:
        sheet = _csv(folder / f"{NAMED}.csv", [*GOOD, ("2040000014", "12é→", "Champion", "")])
    report = folder / f"{NAMED}.xlsx"
    argv = [command, str(sheet)]
    if command != "validate":
        argv += ["--report", str(report), "--retry-file", str(folder / "retry.csv")]
    proc = subprocess.run(
        [sys.executable, "-m", "hubframe", *argv],
        capture_output=True,
        env={**_env(sandbox), "PYTHONIOENCODING": encoding},
        cwd=REPO,
        timeout=120,
        check=False,
    )
    out, err = proc.stdout.decode(encoding), proc.stderr.decode(encoding, "replace")
    assert proc.returncode == 1, out + err  # one row is refused
    assert "Traceback" not in err and "Error" not in err, err
    assert "\\u2192" in out and "\\u2713" in out, out  # the name, escaped where it is written
    if command == "validate":
        assert "12\\xe9\\u2192" in out or "12é\\u2192" in out, out  # the refused cell
        return
    assert report.is_file() and (folder / "retry.csv").is_file()


@pytest.mark.parametrize("closed", [">&-", "2>&-", ">&- 2>&-"])
def test_a_run_started_with_a_closed_stream_still_writes_its_files(
    sandbox: Sandbox, tmp_path: Path, closed: str
) -> None:
    """Started with stdout or stderr closed (``hubframe ... >&-``, as some schedulers start
    jobs), Python has no such stream (``sys.stdout is None``): the run stopped at its summary
    with an AttributeError, after its rows were sent and before its report was written."""
    argv, code = _argv("associate", tmp_path)
    proc = subprocess.run(
        [
            "sh",
            "-c",
            f'exec "$@" --progress {closed}',
            "sh",
            sys.executable,
            "-m",
            "hubframe",
            *argv,
        ],
        capture_output=True,
        env=_env(sandbox),
        cwd=REPO,
        timeout=120,
        check=False,
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == code, out + err
    assert "Traceback" not in out + err, out + err
    assert (tmp_path / "report.xlsx").is_file()
    assert read_pairs(tmp_path / "retry.csv")["to_id"].tolist() == ["1019369999", "12ab"]
    if closed == ">&-":
        assert "could not write to stdout" in err, err
