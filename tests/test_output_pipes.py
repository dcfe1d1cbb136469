"""An output path that is a named pipe (or a socket) is refused before anything is sent.

``--report``, ``--retry-file`` and ``--journal`` naming a named pipe (``mkfifo``) passed every
check made before sending: the run sent its writes, then waited for ever in the open of the
report for writing (a pipe's open waits for a program to read it; SIGTERM only asked the run
to stop, and the open went on waiting; kill -9 ended it), with no report, retry file or
journal record written: nothing said which rows were applied.  As ``--journal`` it waited
before sending, in the check that reads the journal.  Now any output path (report, retry
file, journal, export) that is a named pipe, a socket or a block device is refused with one
line naming it, exit 2, nothing sent; the Python API's writers and a job's ``journal=``
refuse it too (InputError).  A character device is written as before (a link to
``/dev/full`` plays a full disk in the tests of the output failures).

Every call that could open a pipe runs in a child process with a timeout, or in a thread
joined with one, so that a wait fails the test instead of hanging it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")

PAIRS = "Deal ID,Contact ID\n2040000010,1019360010\n2040000011,1019360011\n"
LIMITS = "From,To,Max\ndeals,contacts,5\n"
LABELS = "From type,To type,Label\ndeals,contacts,Piped\n"
TIMEOUT = 60


def _release(path: Path) -> None:
    """Let a process or thread waiting in an open of the pipe ``path`` go on (a reader's open
    and a writer's each end the other's wait), so that nothing is left waiting."""
    for flags in (os.O_RDONLY | os.O_NONBLOCK, os.O_WRONLY | os.O_NONBLOCK):
        with contextlib.suppress(OSError):
            os.close(os.open(path, flags))


@pytest.fixture
def pipe(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Makes named pipes in ``tmp_path``; each is released after the test."""
    made: list[Path] = []

    def make(name: str) -> Path:
        path = tmp_path / name
        os.mkfifo(path)
        made.append(path)
        return path

    yield make
    for path in made:
        _release(path)


def _hubframe(sb: Sandbox, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    hub = ["--token", sb.token, "--base-url", sb.url]
    hub += [] if argv[0] == "labels" else ["--no-progress"]  # labels shows no progress
    try:
        return subprocess.run(
            [sys.executable, "-m", "hubframe", *argv, *hub],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:  # the child is killed: fail, never hang
        pytest.fail(f"hubframe {' '.join(argv)} still ran after {TIMEOUT} s (waiting on a pipe)")


def _refused(proc: subprocess.CompletedProcess[str], path: Path, kind: str) -> None:
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert f"{path}: is {kind}, not a file" in line, line


def _sheet(tmp_path: Path, text: str = PAIRS, name: str = "pairs.csv") -> Path:
    sheet = tmp_path / name
    sheet.write_text(text)
    return sheet


@pytest.mark.parametrize("option", ["--report", "--retry-file", "--journal"])
@pytest.mark.parametrize("command", ["associate", "remove", "sync", "limits"])
def test_a_named_pipe_as_an_output_of_a_run_is_refused_before_sending(
    sandbox: Sandbox,
    tmp_path: Path,
    pipe: Callable[[str], Path],
    command: str,
    option: str,
) -> None:
    sheet = _sheet(tmp_path, LIMITS if command == "limits" else PAIRS)
    path = pipe("out.sqlite" if option == "--journal" else "out.csv")
    asked = len(sandbox.request_log())
    _refused(_hubframe(sandbox, command, str(sheet), option, str(path)), path, "a named pipe")
    assert len(sandbox.request_log()) == asked, "requests were sent"


@pytest.mark.parametrize("name", ["report.xlsx", "retry.xlsx"])
def test_an_xlsx_output_through_a_link_to_a_pipe_is_refused(
    sandbox: Sandbox, tmp_path: Path, pipe: Callable[[str], Path], name: str
) -> None:
    path = tmp_path / name
    path.symlink_to(pipe("pipe"))
    option = "--report" if name.startswith("report") else "--retry-file"
    proc = _hubframe(sandbox, "associate", str(_sheet(tmp_path)), option, str(path))
    _refused(proc, path, "a named pipe")
    assert len(sandbox.request_log()) == 0


@pytest.mark.parametrize("option", ["--report", "--retry-file", "--journal"])
def test_the_undo_refuses_a_pipe_as_its_output(
    sandbox: Sandbox, tmp_path: Path, pipe: Callable[[str], Path], option: str
) -> None:
    report = tmp_path / "run.csv"
    ran = _hubframe(sandbox, "associate", str(_sheet(tmp_path)), "--report", str(report))
    assert ran.returncode == 0, ran.stderr
    asked = len(sandbox.request_log())
    path = pipe("undo.sqlite" if option == "--journal" else "undo.csv")
    _refused(_hubframe(sandbox, "undo", str(report), option, str(path)), path, "a named pipe")
    assert len(sandbox.request_log()) == asked


@pytest.mark.parametrize("command", ["export", "labels"])
def test_an_export_or_a_labels_report_to_a_pipe_is_refused(
    sandbox: Sandbox, tmp_path: Path, pipe: Callable[[str], Path], command: str
) -> None:
    path = pipe("out.csv")
    if command == "export":
        argv = ["export", "--from", "deals", "--to", "contacts", "-o", str(path)]
    else:
        argv = ["labels", str(_sheet(tmp_path, LABELS, "labels.csv")), "--report", str(path)]
    _refused(_hubframe(sandbox, *argv), path, "a named pipe")
    assert len(sandbox.request_log()) == 0


def test_a_socket_as_the_report_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with socket.socket(socket.AF_UNIX) as server:
        try:
            server.bind(str(path))
        except OSError as exc:  # a path too long for a socket's address
            pytest.skip(f"cannot make a socket here: {exc}")
        proc = _hubframe(sandbox, "associate", str(_sheet(tmp_path)), "--report", str(path))
    _refused(proc, path, "a socket")
    assert len(sandbox.request_log()) == 0


def _at_once(call: Callable[[], Any]) -> BaseException | None:
    """What ``call`` raised (None: nothing), within 20 s: a wait on a pipe fails the test."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # the test judges it
            caught.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the call waits on the pipe"
    return caught[0] if caught else None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("writer", ["export_report", "export_retry", "write_pairs"])
def test_the_api_writers_refuse_a_pipe(
    tmp_path: Path, pipe: Callable[[str], Path], writer: str, suffix: str
) -> None:
    table = pd.DataFrame(
        {"row": [2], "status": ["failed"], "from_type": ["deals"], "from_id": ["1"]}
        | {"to_type": ["contacts"], "to_id": ["2"], "error_code": ["OBJECT_NOT_FOUND"]}
    )
    path = pipe(f"out{suffix}")
    write = {
        "export_report": lambda: hf.export_report(table, path),
        "export_retry": lambda: hf.export_retry(table, path),
        "write_pairs": lambda: hf.write_pairs(table[["from_id", "to_id"]], path),
    }[writer]
    caught = _at_once(write)
    assert isinstance(caught, InputError), repr(caught)
    assert f"{path}: is a named pipe, not a file" in str(caught)


def test_a_job_refuses_a_pipe_as_its_journal(
    sandbox: Sandbox, tmp_path: Path, pipe: Callable[[str], Path]
) -> None:
    path = pipe("run.sqlite")
    pairs = pd.read_csv(_sheet(tmp_path), dtype=str)
    client = client_for(sandbox)
    caught = _at_once(lambda: hf.associate(pairs, client, journal=path, progress=False))
    assert isinstance(caught, InputError), repr(caught)
    assert str(path) in str(caught) and "named pipe" in str(caught)
    assert not any(sandbox.request_log()["method"].isin(["POST", "PUT", "DELETE"]))
