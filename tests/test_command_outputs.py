"""Every command that writes a file checks it before it reads the portal or sends anything.

``labels --report`` was written only after the labels were created (over the sheet being read,
or failing with a raw errno once the labels existed), and ``export -o`` and ``sync --scope``
had checks of their own that missed cases.  Each command here is run with each kind of path
it cannot write: one error line, exit 2, no request, the sheets read left as they were.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hubframe.cli import main
from hubframe.sandbox import Sandbox

PAIRS = "Deal ID,Contact ID,Association label\n2040000011,1019360011,Decision maker\n"
SHEETS = {
    "associate": PAIRS,
    "remove": PAIRS,
    "sync": PAIRS,
    "undo": PAIRS,  # checked before the report to undo is read
    "limits": "From object,To object,Label,Max associations\ndeals,contacts,Champion,3\n",
    "labels": "From type,To type,Label\ndeals,contacts,Scout\n",
    "export": "Deal ID\n2040000011\n",  # the --ids sheet
}


def _argv(command: str, sheet: Path, out: Path) -> list[str]:
    if command == "export":
        ids = ["--ids", str(sheet), "-o", str(out)]
        return ["export", "--from", "deals", "--to", "contacts", *ids]
    return [command, str(sheet), "--report", str(out)]


def _unwritable(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes anywhere but in /sys
        return Path("/sys")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    return locked


def _hard_link(sheet: Path) -> Path:
    os.link(sheet, sheet.with_name("same.csv"))
    return sheet.with_name("same.csv")


#: case -> (the output path made from the sheet read, what the error line says)
CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "the sheet itself": (lambda s: s, "is the file being read"),
    "the sheet through ..": (lambda s: s.parent / ".." / s.parent.name / s.name, "being read"),
    "a hard link to the sheet": (_hard_link, "is the file being read"),
    "the sheet's name in capitals": (lambda s: s.with_name(s.name.upper()), "capital letters"),
    "a wrong extension": (lambda s: s.with_name("out.txt"), "must end in .xlsx or .csv"),
    "a folder": (lambda s: s.parent, "is a folder"),
    "an unwritable folder": (lambda s: _unwritable(s.parent.parent) / "out.csv", "cannot write"),
    "a folder that is a file": (lambda s: s / "out.csv", "not a folder"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", list(SHEETS))
def test_an_output_that_cannot_be_written_stops_every_command_first(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, case: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    sheet = folder / "sheet.csv"
    sheet.write_text(SHEETS[command], encoding="utf-8")
    make, said = CASES[case]
    out = make(sheet)
    before = sheet.read_bytes()
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    assert main([*_argv(command, sheet, out), *hub]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    assert sandbox.request_log().empty  # nothing read, nothing sent
    assert sheet.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "said"), [("scope.csv", "is the file being read"), ("SCOPE.csv", "capital letters")]
)
def test_a_sync_report_over_its_scope_sheet_is_refused(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, said: str
) -> None:
    sheet, scope = tmp_path / "pairs.csv", tmp_path / "scope.csv"
    sheet.write_text(PAIRS, encoding="utf-8")
    scope.write_text("Deal ID\n2040000011\n", encoding="utf-8")
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    argv = ["sync", str(sheet), "--scope", str(scope), "--report", str(tmp_path / name), *hub]
    assert main(argv) == 2
    assert said in capsys.readouterr().err
    assert sandbox.request_log().empty
    assert scope.read_text(encoding="utf-8") == "Deal ID\n2040000011\n"


def test_a_labels_report_is_written_when_it_can_be(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "labels.csv"
    sheet.write_text(SHEETS["labels"], encoding="utf-8")
    report = tmp_path / "new" / "labels_report.csv"  # a missing folder is made
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    assert main(["labels", str(sheet), "--report", str(report), *hub]) == 0
    assert f"report: {report}" in capsys.readouterr().out and report.is_file()


@pytest.mark.parametrize("output", ["--report", "--retry-file"])
@pytest.mark.parametrize("journal_name", ["run.csv", "run.xlsx"])
def test_an_undo_never_writes_over_the_journal_its_report_names(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    output: str,
    journal_name: str,
) -> None:
    """The report undone names its run's journal, which the undo reads and writes: a report
    or retry file at that path replaced the journal (exit 0), and with it what a later undo
    or resume needs.  Refused before anything is sent; the journal is left as it was."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pairs.csv").write_text(PAIRS)
    hub = ["--base-url", sandbox.url, "--token", sandbox.token]
    run = ["associate", "pairs.csv", "--journal", journal_name, "--report", "r.xlsx"]
    assert main([*run, *hub]) == 0
    kept = (tmp_path / journal_name).read_bytes()
    linked = sandbox.associations("deals", "contacts")
    sent = len(sandbox.request_log())
    assert main(["undo", "r.xlsx", output, str(tmp_path / journal_name), *hub]) == 2
    assert (tmp_path / journal_name).read_bytes() == kept
    assert len(sandbox.request_log()) == sent  # nothing asked of the portal
    assert sandbox.associations("deals", "contacts").equals(linked)  # the run's pair stays
