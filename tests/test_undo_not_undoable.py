"""``hubframe undo`` of what it cannot take back says so, and never that it undid it.

Before, the undo of a limits run's journal printed "total 0" and exit 0 with the limits it had
changed still in place (and marked the journal's runs undone); the undo of its report said "not
a hubframe associate report (no from_id, to_id column)", as did a labels report's, and an
export's file was "no Results sheet" or "no status column".  Limits and labels cannot be undone
(docs/preflight_undo.md): each is now a whole-run refusal (exit 2) saying what the file is and
how to set it back; a journal with nothing left to take back says so.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import tempfile
import time
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.report import export_report
from hubframe.report.reader import NotUndone
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

LIMITS = (
    "From object,To object,Label,Max associations\n"
    "deals,contacts,,30\ndeals,contacts,Decision maker,3\n"
)
DEAL, CONTACT = "2040000001", "1019360005"


def _hub(sandbox: Sandbox) -> list[str]:
    return ["--token", sandbox.token, "--base-url", sandbox.url]


def _limits(sandbox: Sandbox) -> dict[str, int]:
    found = sandbox.limits("deals", "contacts")
    pairs = zip(found["label"], found["max_to_object_ids"], strict=True)
    return {str(label): int(n) for label, n in pairs}


def _runs(path: Path) -> list[tuple[int, str | None]]:
    with Journal(path) as journal:
        return list(journal._db.execute("SELECT id, ended FROM runs ORDER BY id"))


def _limits_run(sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(LIMITS, encoding="utf-8")
    journal = tmp_path / "lj.sqlite"
    args = ["limits", str(sheet), "--journal", str(journal), "--report", str(tmp_path / "lr.xlsx")]
    assert main([*args, *_hub(sandbox)]) == 0
    assert main(["limits", str(sheet), "--report", str(tmp_path / "lr.csv"), *_hub(sandbox)]) == 0
    capsys.readouterr()
    return journal


def test_the_undo_of_a_limits_runs_journal_is_refused(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _limits_run(sandbox, tmp_path, capsys)
    changed, runs = _limits(sandbox), _runs(journal)
    assert main(["undo", str(journal), *_hub(sandbox)]) == 2  # before: 0, "total 0"
    out, err = capsys.readouterr()
    assert "total" not in out
    assert "lj.sqlite: nothing was undone: it records only limits runs (2 limits rows sent" in err
    assert "hubframe cannot undo limits changes" in err and "`hubframe limits`" in err
    assert _limits(sandbox) == changed
    assert _runs(journal) == runs  # before: its run marked undone, an undo's mark added


@pytest.mark.parametrize("report", ["lr.xlsx", "lr.csv"])
def test_the_undo_of_a_limits_report_is_refused(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str
) -> None:
    _limits_run(sandbox, tmp_path, capsys)
    assert main(["undo", str(tmp_path / report), *_hub(sandbox)]) == 2
    err = capsys.readouterr().err
    assert f"{report} is the report of a limits run (`hubframe limits`)" in err
    assert "hubframe cannot undo limits changes, so nothing was undone" in err
    assert "Its 2 rows with status success changed a limit" in err
    assert "does not keep the limits before the run" in err and "no from_id" not in err


def test_a_limits_dry_runs_report_says_where_the_limits_before_are(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(LIMITS, encoding="utf-8")
    dry = tmp_path / "dry.xlsx"
    assert main(["limits", str(sheet), "--dry-run", "--report", str(dry), *_hub(sandbox)]) == 0
    capsys.readouterr()
    with pytest.raises(InputError, match=r"No row of it changed a limit.*current_max column"):
        hf.undo(dry, client_for(sandbox), progress=False)


@pytest.mark.parametrize("report", ["lab.xlsx", "lab.csv"])
def test_the_undo_of_a_labels_report_is_refused(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str
) -> None:
    sheet = tmp_path / "labels.csv"
    sheet.write_text("From object,To object,Label\ndeals,contacts,Sponsor\n", encoding="utf-8")
    assert main(["labels", str(sheet), "--report", str(tmp_path / report), *_hub(sandbox)]) == 0
    capsys.readouterr()
    assert main(["undo", str(tmp_path / report), *_hub(sandbox)]) == 2
    err = capsys.readouterr().err
    assert f"{report} is the report of a labels run (`hubframe labels`): hubframe cannot" in err


@pytest.mark.parametrize("out", ["ex.xlsx", "ex.csv"])
def test_the_undo_of_an_export_is_refused(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str
) -> None:
    export = ["export", "--from", "deals", "--to", "contacts", "-o", str(tmp_path / out)]
    assert main([*export, *_hub(sandbox)]) == 0
    capsys.readouterr()
    assert main(["undo", str(tmp_path / out), *_hub(sandbox)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: not the report of a run: " in err and "`hubframe export`" in err
    assert "records no change, so there is nothing to undo" in err


def test_a_journal_no_run_used_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Journal(path).close()
    with pytest.raises(InputError, match="nothing to undo: no run has used this journal"):
        hf.undo(path, client_for(sandbox), progress=False)


def test_a_journal_undone_already_says_nothing_is_left(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client, path = client_for(sandbox), tmp_path / "run.sqlite"
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]})
    hf.associate(sheet, client, journal=path, progress=False)
    hf.undo(path, client, progress=False)
    with pytest.warns(NotUndone, match="nothing left to undo: an earlier undo took back"):
        again = hf.undo(path, client, progress=False)
    assert again.empty
    assert main(["undo", str(path), *_hub(sandbox)]) == 0  # the portal is as before the run
    assert "run.sqlite: nothing left to undo" in capsys.readouterr().err


def test_a_journal_of_limits_and_links_undoes_the_links_and_says_the_limits_stay(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _limits_run(sandbox, tmp_path, capsys)
    client, changed = client_for(sandbox), _limits(sandbox)
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]})
    hf.associate(sheet, client, journal=journal, progress=False)
    with pytest.warns(NotUndone, match=r"its limits runs \(2 limits rows sent.*are not undone"):
        undone = hf.undo(journal, client, progress=False)
    assert (undone["status"] == "success").all() and len(undone) == 1
    assert _limits(sandbox) == changed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotUndone)
        with pytest.raises(InputError, match=r"an earlier undo took back.*it records limits"):
            hf.undo(journal, client, progress=False)


# --- a damaged journal is called one (defect 5) ------------------------------------------------


@pytest.fixture
def journal_bytes(sandbox: Sandbox, tmp_path: Path) -> bytes:
    """The bytes of a real journal of one run."""
    path = tmp_path / "made" / "run.sqlite"
    path.parent.mkdir()
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]})
    hf.associate(sheet, client_for(sandbox), journal=path, progress=False)
    with Journal(path) as journal:  # its write-ahead log into the file
        journal._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("j3.sqlite", "it is named like a journal"),
        ("j3.db", "it is named like a journal"),
        ("j3.bin", "it has a SQLite database's page layout"),
    ],
)
def test_a_journal_whose_header_is_damaged_is_called_a_damaged_journal(
    sandbox: Sandbox, tmp_path: Path, journal_bytes: bytes, name: str, said: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"XXXX" + journal_bytes[4:])
    with pytest.raises(InputError) as caught:  # before: "save it again as 'CSV UTF-8'"
        hf.undo(path, client_for(sandbox), progress=False)
    message = str(caught.value)
    assert message.startswith(f"{name}: not a readable hubframe journal: {said}, but does not")
    assert "(damaged?)" in message and "CSV" not in message
    assert path.read_bytes()[:4] == b"XXXX"  # left as it was


def test_an_empty_journal_file_is_not_called_an_empty_report(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "j0.sqlite"
    path.write_bytes(b"")
    assert main(["undo", str(path), *_hub(sandbox)]) == 2
    err = capsys.readouterr().err  # before: "the report is empty; is it a hubframe report?"
    assert "j0.sqlite: not a readable hubframe journal: the file is empty (0 bytes)" in err
    assert path.read_bytes() == b""  # not made a journal
    empty_report = tmp_path / "r.csv"
    empty_report.write_bytes(b"")
    with pytest.raises(InputError, match="the report is empty"):  # a report's, as before
        hf.undo(empty_report, client_for(sandbox), progress=False)


# --- a read-only journal is called read-only (defect 6) ----------------------------------------

NOBODY = 65534


def _hubframe_as_user(args: list[str]) -> tuple[int, str, str]:
    """``hubframe ARGS`` (exit code, stdout, stderr) as a user who cannot write what is marked
    read-only: root may write any file on a writable disk (``os.access`` says so too), so as
    root the command runs in a fork of this process as the user 'nobody' (a fork, not a new
    interpreter: the interpreter may live where 'nobody' cannot read, and everything the
    undo imports is imported already -- see the dry runs before)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            _child(args, out, err)
        code = _wait(pid)
        out.seek(0)
        err.seek(0)
        return code, out.read(), err.read()


def _child(args: list[str], out: IO[str], err: IO[str]) -> NoReturn:
    code = 70
    try:
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    except BaseException:
        traceback.print_exc(file=err)
    finally:
        out.flush()
        err.flush()
        os._exit(code)


def _wait(pid: int) -> int:
    deadline = time.monotonic() + 120
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            done = os.waitpid(pid, 0)
            break
        time.sleep(0.05)
    return os.waitstatus_to_exitcode(done[1])


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder the user of :func:`_hubframe_as_user` can read (pytest's tmp_path is root's
    alone when the tests run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="hubframe-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)


def test_a_read_only_journal_is_called_read_only(sandbox: Sandbox, shared: Path) -> None:
    folder, report = shared / "journals", shared / "run.xlsx"
    folder.mkdir()
    journal = folder / "j.sqlite"
    client, hub = client_for(sandbox), _hub(sandbox)
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]})
    run = hf.associate(sheet, client, journal=journal, progress=False)
    hf.export_report(run, report)
    report.chmod(0o644)
    hf.undo(journal, client, dry_run=True, progress=False)  # what the undos import, imported
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["undo", str(report), "--dry-run", *hub]) == 0
    before = journal.read_bytes()
    journal.chmod(0o444)
    folder.chmod(0o555)

    code, _, err = _hubframe_as_user(["undo", str(journal), *hub])
    assert code == 2, err
    assert f"journal {journal}: cannot be written (the file is read-only" in err
    assert "unable to open" not in err

    code, out, err = _hubframe_as_user(["undo", str(report), *hub])
    assert code == 0, err  # before: "..., but it is not a hubframe journal; ..."
    assert f"its Summary names the journal {journal}, but it cannot be written (the file" in err
    assert "not a hubframe journal" not in err and "Once it can be written again" in err
    assert "success" in out
    linked = sandbox.associations("deals", "contacts")
    pairs = set(zip(linked["from_id"].astype(str), linked["to_id"].astype(str), strict=True))
    assert (DEAL, CONTACT) not in pairs  # the undo from the report still went on
    assert journal.read_bytes() == before


@pytest.mark.parametrize("how", ["table", "xlsx", "csv"])
def test_the_undo_of_a_dry_run_says_nothing_was_sent(how: str, tmp_path: Path) -> None:
    """A dry run's report given to undo skipped its rows one by one ("the run did not create
    this association (status planned)") and ended as done, exit 0: it now says it is a dry
    run's, before anything is read or sent."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        plan = hf.associate(
            pd.DataFrame({"Deal ID": ["2040000050"], "Contact ID": ["1019360230"]}),
            client,
            dry_run=True,
            progress=False,
        )
        given: Any = plan
        if how != "table":
            given = tmp_path / f"plan.{how}"
            hf.export_report(plan, given)
        with pytest.raises(hf.InputError, match="is the result of a dry run"):
            hf.undo(given, client, progress=False)


def test_undo_with_a_fresh_sandbox_is_refused_saying_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hubframe undo report.xlsx --sandbox` met a new, empty demo portal and was refused with
    advice to clear the report's portal key, which cannot help: the run's portal is gone."""
    assert main(["undo", str(tmp_path / "report.xlsx"), "--sandbox"]) == 2
    assert "starts a new demo portal" in capsys.readouterr().err


def test_the_undo_of_a_journal_whose_run_sent_nothing_is_a_warning_not_a_refusal(
    tmp_path: Path,
) -> None:
    """A sync with nothing to change ran with a journal: its undo from the journal refused
    ("no run has sent anything with this journal", found by a fuzz seed), though the run was
    the journal's; it says nothing is left to undo, and undoes nothing."""
    journal = tmp_path / "sync.sqlite"
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        links = hf.read_associations(client, "deals", "contacts", [DEAL], progress=False)
        hf.sync(links, client, allow_removals=True, journal=journal, progress=False)
        before = sb.associations("deals", "contacts")
        with pytest.warns(NotUndone, match="its runs sent nothing"):
            result = hf.undo(journal, client, progress=False)
        pd.testing.assert_frame_equal(sb.associations("deals", "contacts"), before)
    assert result.empty


@pytest.mark.parametrize("deleted", [["existed_before"], ["existed_before", "linked_before"]])
def test_a_report_whose_before_columns_were_deleted_points_to_the_journal(
    sandbox: Sandbox, tmp_path: Path, deleted: list[str]
) -> None:
    """An analyst deleted existed_before / linked_before from the report: each row the run
    made was "not undone: the run did not record whether ...", which was not so (its journal
    recorded it); the message now says the column is gone and how to undo all the same."""
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]})
    pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
    journal = tmp_path / "run.sqlite"
    result = hf.associate(pairs, client_for(sandbox), journal=journal, progress=False)
    assert result["status"].tolist() == ["success"]
    report = tmp_path / "report.csv"
    hf.export_report(result.drop(columns=deleted), report)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a .csv report names no portal
        undone = hf.undo(report, client_for(sandbox), progress=False)
    assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
    message = undone["error_message"][0]
    assert f"the {' and '.join(deleted)} column" in message, message
    assert "deleted from its report" in message and "journal" in message, message
    again = hf.undo(journal, client_for(sandbox), progress=False)  # as the message says
    assert again["status"].tolist() == ["success"], again[["status", "error_message"]]


def _undone(sandbox: Sandbox, job: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A run of one labeled pair (``associate`` or a ``sync`` that also removes), and its
    undo's result."""
    client = client_for(sandbox)
    sheet = pd.DataFrame(
        {"from_type": ["deals"], "from_id": [DEAL], "to_type": ["contacts"]}
        | {"to_id": [CONTACT], "label": ["Champion"]}
    )
    if job == "sync":
        result = hf.sync(sheet, client, allow_removals=True, progress=False)
    else:
        result = hf.associate(sheet, client, record_existing=True, progress=False)
    return result, hf.undo(result, client, progress=False)


@pytest.mark.parametrize("job", ["associate", "sync"])
@pytest.mark.parametrize("given", ["table", "xlsx", "cli-xlsx"])
def test_the_undo_of_an_undo_is_refused_saying_so(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], job: str, given: str
) -> None:
    """Before: every row the first undo acted on came back NOT_UNDOABLE with advice that
    cannot apply ("run associate with record_existing=True"), exit 1."""
    result, undone = _undone(sandbox, job)
    before = sandbox.associations("deals", "contacts")
    if given == "cli-xlsx":  # the command line's report: its Summary names the command
        report = tmp_path / "r.xlsx"
        export_report(result, report)
        args = ["undo", str(report), "--report", str(tmp_path / "u.xlsx"), *_hub(sandbox)]
        assert main(args) in (0, 1)
        capsys.readouterr()
        assert main(["undo", str(tmp_path / "u.xlsx"), *_hub(sandbox)]) == 2
        assert "u.xlsx is the result of an undo: undo takes back" in capsys.readouterr().err
    else:
        run: object = undone
        if given == "xlsx":
            run = tmp_path / "u.xlsx"
            export_report(undone, run)
        with pytest.raises(InputError, match="is the result of an undo: undo takes back a run"):
            hf.undo(run, client_for(sandbox), progress=False)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), before)


def test_an_undos_csv_report_says_it_may_be_an_undos(sandbox: Sandbox, tmp_path: Path) -> None:
    """A .csv report keeps no Summary: the rows' words say what it may be."""
    _, undone = _undone(sandbox, "sync")
    path = tmp_path / "u.csv"
    export_report(undone, path)
    again = hf.undo(path, client_for(sandbox), progress=False)
    told = again.loc[again["error_code"] == "NOT_UNDOABLE", "error_message"].tolist()
    assert told and all("If the file is the result of an undo" in m for m in told), told
