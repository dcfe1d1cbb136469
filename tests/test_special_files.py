"""A path given as a sheet, a scope or a run to undo that is not a file a read can finish: a
named pipe (no program writing to it: a read waits for ever), a device (``/dev/zero``: a read
never ends), a link to a missing file, a folder.  Each is refused at once, naming the path and
what it is; nothing is sent.  Before, ``hubframe undo`` waited for ever on a named pipe and read
``/dev/zero`` until memory ran out, and the sheet readers called a named pipe "no such file"."""

from __future__ import annotations

import contextlib
import os
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
from hubframe.io.ids import read_ids
from hubframe.report.reader import load_run
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from hubframe.widgets.backend import SheetSource

REPO = Path(__file__).resolve().parents[1]
KINDS = ["named pipe", "device", "dangling link", "folder"]


@pytest.fixture(params=KINDS)
def special(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A path of one kind, and the words the refusal must use for it."""
    kind = request.param
    if kind == "named pipe":
        path = tmp_path / "pairs.csv"
        os.mkfifo(path)
        yield path, "is a named pipe, not a file"
        _unblock(path)  # a read the test did not expect to wait: let it end
    elif kind == "device":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero here")
        yield Path("/dev/zero"), "is a device, not a file"
    elif kind == "dangling link":
        path = tmp_path / "report.xlsx"
        path.symlink_to(tmp_path / "moved" / "report.xlsx")
        yield path, "a link to a file that is not there"
    else:
        yield tmp_path, "is a folder"


def _unblock(fifo: Path) -> None:
    """Open the pipe for writing without waiting (a reader still waiting then sees its end)."""
    with contextlib.suppress(OSError):  # no reader waiting: nothing to release
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def _refused_at_once(call: Callable[[], Any]) -> str:
    """The InputError ``call`` raises, within 10 s (a read of a pipe would wait for ever)."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # the test fails on anything but InputError
            caught.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the read waits: it did not refuse the path"
    assert caught, "the path was read"
    assert isinstance(caught[0], InputError), repr(caught[0])
    return str(caught[0])


def test_the_readers_refuse_it_naming_what_it_is(special: tuple[Path, str]) -> None:
    path, said = special
    readers: list[Callable[[], Any]] = [
        lambda: hf.read_pairs(path),
        lambda: hf.read_limits(path),
        lambda: read_ids(path),
        lambda: load_run(path),
    ]
    for read in readers:
        message = _refused_at_once(read)
        assert said in message and "\n" not in message
        assert "no such file" not in message or said == "is a folder"


def test_an_undo_of_it_sends_nothing(special: tuple[Path, str], sandbox: Sandbox) -> None:
    path, said = special
    client = client_for(sandbox)
    sandbox.reset_request_log()
    message = _refused_at_once(lambda: hf.undo(path, client, progress=False))
    assert said in message
    assert len(sandbox.request_log()) == 0


def test_the_app_refuses_it_when_typed_as_the_sheets_path(special: tuple[Path, str]) -> None:
    path, said = special
    message = _refused_at_once(lambda: SheetSource.from_path(str(path)))
    assert said in message


@pytest.mark.parametrize("command", ["validate", "undo", "sync-scope"])
def test_the_command_line_exits_2_with_one_line(
    special: tuple[Path, str], command: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    path, said = special
    sheet = tmp_path / "sheet.csv"
    pd.DataFrame({"Deal ID": ["101"], "Contact ID": ["201"]}).to_csv(sheet, index=False)
    args = {
        "validate": ["validate", str(path), "--from", "deals", "--to", "contacts"],
        "undo": ["undo", str(path)],
        "sync-scope": ["sync", str(sheet), "--from", "deals", "--to", "contacts", "--dry-run"],
    }[command]
    if command == "sync-scope":
        args += ["--scope", str(path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    env |= {"HUBSPOT_ACCESS_TOKEN": sandbox.token, "HUBSPOT_BASE_URL": sandbox.url}
    sandbox.reset_request_log()
    proc = subprocess.run(
        [sys.executable, "-m", "hubframe", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hubframe: error: "), proc.stderr
    assert said in lines[0]
    log = sandbox.request_log()
    writes = log[(log["method"] != "GET") & ~log["path"].str.contains("batch/read")]
    assert writes.empty


def test_a_journal_there_that_is_not_a_file_is_refused_before_anything_is_sent(
    special: tuple[Path, str], sandbox: Sandbox
) -> None:
    path, said = special
    sheet = hf.read_pairs(
        pd.DataFrame({"Deal ID": ["101"], "Contact ID": ["201"]}),
        from_type="deals",
        to_type="contacts",
    )
    client = client_for(sandbox)
    sandbox.reset_request_log()
    message = _refused_at_once(lambda: hf.associate(sheet, client, journal=path, progress=False))
    if said.startswith("a link"):  # SQLite would make the file it points to: not its folder
        assert "cannot open it" in message
    else:
        assert said.replace(", not a file", "").replace("folder", "directory") in message
    log = sandbox.request_log()
    assert log[log["method"] != "GET"].empty
