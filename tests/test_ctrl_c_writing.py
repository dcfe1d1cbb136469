"""Ctrl-C while the report or retry file is being written, in subprocesses over real HTTP.

Once the run had sent its rows, the Ctrl-C handler was gone: a Ctrl-C while the report or the
retry file was written stopped the write in the middle and said only ``hubframe:
interrupted``.  The file was left cut off at some row (a retry.csv of 9,768 of its 299,875
rows) and read back as a whole sheet: the analyst ran it again and the other rows were never
sent.  Files are now written whole or not at all (a hidden file beside the path, renamed over
it at the end), and a real run keeps its Ctrl-C handling until its files are written: a first
Ctrl-C then finishes them, as it does while the run sends (exit 130); a dry run quits at once
and leaves no file, nor any earlier one cut off.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from test_cli import REPO, _env

from hubframe.io import read_pairs
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

BAD_ROWS = 20_000


def _sheet(path: Path) -> Path:
    """One good row, then ``BAD_ROWS`` rows of bad contact ids (invalid: never sent, but every
    one in the report and the retry file)."""
    deal, contact = demo_ids("deals")[0], demo_ids("contacts")[0]
    lines = ["Deal ID,Contact ID,Notes", f"{deal},{contact},good"]
    lines += [f"{deal},x{n},row {n}" for n in range(BAD_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _interrupt_when_writing(argv: list[str], sb: Sandbox, folder: Path) -> tuple[int, str]:
    """Run hubframe; send SIGINT as soon as a file appears in ``folder`` (the first output
    being written; not the file that checks, before anything is read, that the folder can be
    written: caught under load, it sent the SIGINT before the run began); its exit code and
    stderr."""
    before = set(os.listdir(folder))

    def written() -> set[str]:
        return {n for n in os.listdir(folder) if not n.startswith(".hubframe-check-")}

    proc = subprocess.Popen(
        [sys.executable, "-m", "hubframe", *argv],
        env=_env(sb),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while written() == before:
        assert proc.poll() is None, "the run ended before writing anything"
        assert time.monotonic() < deadline, "nothing written within 120 s"
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode()


def _rows(path: Path) -> int:
    if path.suffix == ".csv":
        return len(pd.read_csv(path, dtype=str, keep_default_na=False))
    return len(pd.read_excel(path, sheet_name="Results", dtype=str, engine="calamine"))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_ctrl_c_while_a_runs_files_are_written_finishes_them_whole(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    sheet = _sheet(tmp_path / "pairs.csv")
    out = tmp_path / "out"
    out.mkdir()
    report, retry = out / f"report{suffix}", out / f"retry{suffix}"
    argv = ["associate", str(sheet), "--report", str(report), "--retry-file", str(retry)]
    code, err = _interrupt_when_writing([*argv, "--no-progress"], sandbox, out)
    assert code == 130, err
    assert "Traceback" not in err
    assert "hubframe: stopping: " in err
    assert (
        err.strip().splitlines()[-1] == "hubframe: interrupted: every row was sent before the stop"
    )
    assert sorted(os.listdir(out)) == sorted([report.name, retry.name])  # nothing left half done
    assert _rows(report) == BAD_ROWS + 1
    assert len(read_pairs(retry)) == BAD_ROWS


@pytest.mark.parametrize("earlier", [False, True])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_ctrl_c_while_a_dry_runs_report_is_written_leaves_no_cut_off_file(
    sandbox: Sandbox, tmp_path: Path, suffix: str, earlier: bool
) -> None:
    sheet = _sheet(tmp_path / "pairs.csv")
    out = tmp_path / "out"
    out.mkdir()
    report = out / f"plan{suffix}"
    kept = b""
    if earlier:  # an earlier dry run's report, kept whole (a file that is no report, as the
        # b"earlier" this test wrote before, is now refused before the run: test_written_over)
        export_report(read_pairs(sheet).assign(status="planned"), report)
        kept = report.read_bytes()
    argv = ["associate", str(sheet), "--dry-run", "--no-preflight", "--report", str(report)]
    code, err = _interrupt_when_writing([*argv, "--no-progress"], sandbox, out)
    assert code == 130, err
    assert err.strip().splitlines()[-1] == "hubframe: interrupted"
    assert os.listdir(out) == ([report.name] if earlier else [])
    if earlier:
        assert report.read_bytes() == kept


@pytest.mark.parametrize("through_link", [False, True])
def test_a_path_that_is_no_file_is_written_in_place_never_replaced(
    tmp_path: Path, through_link: bool
) -> None:
    """A report path that is a named pipe, or a link to one (or to a device: the journal tests
    write a report to a link to ``/dev/full``), is written as it is: the rename of the whole
    file put a file in its place -- run as root, a report replaced ``/dev/full`` itself."""
    import stat
    import threading

    from hubframe.report.whole import written_whole

    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    path = pipe
    if through_link:
        path = tmp_path / "report.csv"
        path.symlink_to(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()), daemon=True)
    reader.start()
    with written_whole(path) as out:
        out.write_bytes(b"Deal ID,Contact ID\r\n")
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode), "the pipe was replaced by a file"
    assert got == [b"Deal ID,Contact ID\r\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({pipe.name, path.name})


@pytest.mark.parametrize("earlier", [False, True])
def test_a_ctrl_c_just_after_the_hidden_file_is_made_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: bool
) -> None:
    """The hidden file was made before the block that deletes it on a stop: a Ctrl-C landing
    just after it was made (as the SIGINT of the dry-run test above once did, in CI) left
    ``.plan.xlsx.<hex>.partial`` beside the report.  The interrupt is played here where a
    signal would land: as the file's descriptor is closed."""
    from hubframe.report.whole import written_whole

    path = tmp_path / "plan.xlsx"
    if earlier:
        path.write_bytes(b"earlier")
    close = os.close

    def close_then_interrupt(fd: int) -> None:
        close(fd)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), monkeypatch.context() as patch:
        patch.setattr(os, "close", close_then_interrupt)
        with written_whole(path) as out:
            out.write_bytes(b"never")
    assert os.listdir(tmp_path) == (["plan.xlsx"] if earlier else [])
    if earlier:
        assert path.read_bytes() == b"earlier"


@pytest.mark.parametrize("twice", [False, True], ids=["first Ctrl-C", "second Ctrl-C"])
def test_an_object_a_ctrl_c_cut_short_adds_no_traceback(tmp_path: Path, twice: bool) -> None:
    """A Ctrl-C inside zipfile's constructor (a dry run's .xlsx report being made) left a
    half-made ZipFile whose ``__del__`` failed: after "hubframe: interrupted" came "Exception
    ignored in ... ZipFile.__del__", a traceback and "AttributeError: 'ZipFile' object has no
    attribute '_writing'" (make test caught it).  The run as a program says only what it says
    on any Ctrl-C; a caller of ``main`` in its own process keeps its own hook."""
    sheet = _sheet(tmp_path / "pairs.csv")
    stop = 'cli._Interrupted("quit")' if twice else "KeyboardInterrupt"
    code = (
        "import sys\n"
        "import hubframe.cli as cli\n"
        "class Half:\n"
        "    def __del__(self):\n"
        "        raise AttributeError(\"'ZipFile' object has no attribute '_writing'\")\n"
        "def dispatch(args, parser):\n"
        "    half = Half()\n"
        f"    raise {stop}\n"
        "cli._dispatch = dispatch\n"
        "hook = sys.unraisablehook\n"
        "assert cli.main(['validate', sys.argv[1]]) == 130\n"
        "assert sys.unraisablehook is hook\n"
        "sys.argv[1:] = ['validate', sys.argv[1]]\n"
        "sys.exit(cli.main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(sheet)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    said = "quit" if twice else "interrupted"
    lines = done.stderr.splitlines()
    assert lines[-1] == f"hubframe: {said}", done.stderr
    assert "Traceback" not in done.stderr.split(f"hubframe: {said}")[-1]
    assert lines.count(f"hubframe: {said}") == 2  # in process, then as the program


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_written_again_keeps_its_permissions(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    """A report, a retry file and an export written over earlier ones keep those files'
    permissions: files written whole took the umask's mode, so a report kept private
    (0600: it holds the sheet's own columns, e-mail addresses among them) became readable by
    every user of the machine.  A new file takes the umask's mode, as before."""
    import stat

    import hubframe as hf
    from hubframe.report import write_pairs
    from hubframe.testing import client_for

    deal, contact = demo_ids("deals")[0], demo_ids("contacts")[0]
    frame = pd.DataFrame(
        {"Deal ID": [str(deal), str(deal)], "Contact ID": [str(contact), "x"], "Email": "a@b.c"}
    )
    result = hf.associate(
        read_pairs(frame, from_type="deals", to_type="contacts"),
        client_for(sandbox),
        dry_run=True,
        progress=False,
    )
    writers = {
        "report": lambda p: hf.export_report(result, p),
        "retry": lambda p: hf.export_retry(result, p),
        "export": lambda p: write_pairs(read_pairs(frame), p),
    }
    old = os.umask(0o022)
    try:
        for name, write in writers.items():
            path = tmp_path / f"{name}{suffix}"
            write(path)
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, name  # new: the umask's
            for mode in (0o600, 0o640):
                path.chmod(mode)
                write(path)
                assert stat.S_IMODE(path.stat().st_mode) == mode, (name, oct(mode))
    finally:
        os.umask(old)


def _interrupt_as_a_zip_write_opens(monkeypatch: pytest.MonkeyPatch, into: str) -> None:
    """A Ctrl-C played as zipfile's ``open`` for writing returns its handle (``writestr``
    opens one too), in the archives ``into`` names: "report" (the .partial file being
    written) or "read" (the reader's checked copy of a workbook, in memory)."""
    import zipfile

    opened = zipfile.ZipFile.open

    def open_then_interrupt(
        self: zipfile.ZipFile, name: Any, mode: str = "r", *a: Any, **kw: Any
    ) -> Any:
        handle = opened(self, name, mode, *a, **kw)
        target = (
            str(self.filename).endswith(".partial") if into == "report" else self.filename is None
        )
        if mode == "w" and target:
            raise KeyboardInterrupt
        return handle

    monkeypatch.setattr(zipfile.ZipFile, "open", open_then_interrupt)
    # The archive left with its handle open says so when collected ("Exception ignored in
    # ZipFile.__del__"); the CLI silences that after a Ctrl-C (test_an_object_a_ctrl_c_...).
    monkeypatch.setattr(sys, "unraisablehook", lambda _: None)


def _collected() -> None:
    import gc

    gc.collect()


@pytest.mark.parametrize("rows", [1, 300])
def test_a_ctrl_c_inside_zipfiles_open_leaves_a_report_as_a_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """The handle stayed open, and closing the archive raised ValueError ("Can't close the
    ZIP file while there is an open writing handle") in the interrupt's place: the CLI
    exited 1, not 130 (clean-clone CI).  Nothing is left of the report."""
    from hubframe.report import export_report

    ids = [str(n + 1) for n in range(rows)]
    result = pd.DataFrame({"from_id": ids, "to_id": ids, "status": ["success"] * rows})
    _interrupt_as_a_zip_write_opens(monkeypatch, "report")
    with pytest.raises(KeyboardInterrupt):
        export_report(result, tmp_path / "report.xlsx")
    _collected()
    assert os.listdir(tmp_path) == []


def test_a_ctrl_c_inside_zipfiles_open_while_a_workbook_is_read_is_a_ctrl_c(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same ValueError in the reader's checked copy was reported as an unreadable file
    ("the file could not be read (ValueError: ...)"): a Ctrl-C blamed on the sheet."""
    from hubframe.testing import workbook_bytes

    data = workbook_bytes({"Links": [["Deal ID", "Contact ID"], ["101", "201"]]})
    _interrupt_as_a_zip_write_opens(monkeypatch, "read")
    with pytest.raises(KeyboardInterrupt):
        read_pairs(data)
    _collected()
