"""A report or retry file whose name is near the longest a file system takes is written.

Each file is built in a hidden file beside it and moved into place: `.{name}.{random}.partial`
(and `.{stem}.{random}.staged.csv` for the command line's retry file).  A name within the file
system's limit (255 bytes) but not with those ~25 characters added passed every check made
before sending, then could not be written once the rows were sent: "File name too long", exit
2, the rows HubSpot applied written nowhere.  The hidden name's own part is now cut to fit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import _csv

from hubframe.cli import main
from hubframe.report.whole import hidden_beside, written_whole
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

ROWS = [("2040000011", "1019360011", "", ""), ("2040000012", "1019369999", "", "")]


def _name_max(folder: Path) -> int:
    return int(os.pathconf(folder, "PC_NAME_MAX"))


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_command_lines_report_and_retry_file_of_long_names_are_written(
    sandbox: Sandbox, tmp_path: Path, kind: str
) -> None:
    """One row linked, one failed (a contact that does not exist): the report and the retry
    file, each named a few characters short of the limit, are written after the run."""
    room = _name_max(tmp_path) - len(f".{kind}") - 2
    report = tmp_path / f"{'r' * room}.{kind}"
    retry = tmp_path / f"{'t' * room}.csv"
    sheet = _csv(tmp_path / "pairs.csv", ROWS)
    args = ["associate", str(sheet), "--base-url", sandbox.url, "--token", sandbox.token]
    code = main([*args, "--no-progress", "--report", str(report), "--retry-file", str(retry)])
    assert code == 1  # a row failed
    assert report.is_file() and retry.is_file()
    assert len(pd.read_csv(retry, dtype=str)) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_python_report_of_a_long_name_is_written(sandbox: Sandbox, tmp_path: Path) -> None:
    import hubframe as hf

    result = hf.associate(
        pd.DataFrame({"Deal ID": ["2040000011"], "Contact ID": ["1019360011"]}),
        client_for(sandbox),
        progress=False,
    )
    report = tmp_path / f"{'é' * ((_name_max(tmp_path) - 6) // 2)}.xlsx"  # two bytes a letter
    hf.export_report(result, report)
    assert report.is_file()


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=120).filter(lambda n: "/" not in n and "\0" not in n))
def test_a_hidden_name_fits_whatever_the_name(name: str) -> None:
    """Any name (letters of one to four bytes): the hidden file's name is within 255 bytes,
    hidden, keeps its end and is whole letters (a cut never splits one)."""
    target = Path("/tmp") / name
    hidden = hidden_beside(target, name, "0123456789abcdef", ".partial")
    assert hidden.parent == target.parent
    assert len(hidden.name.encode()) <= _name_max(Path("/tmp"))
    assert hidden.name.startswith(".") and hidden.name.endswith(".0123456789abcdef.partial")
    assert name.startswith(hidden.name[1 : -len(".0123456789abcdef.partial")])


def test_written_whole_moves_a_long_name_into_place(tmp_path: Path) -> None:
    target = tmp_path / ("w" * _name_max(tmp_path))
    with written_whole(target) as temp:
        temp.write_text("rows")
    assert target.read_text() == "rows"


def test_a_name_past_its_folders_limit_is_refused_before_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose disk takes 143-byte names (eCryptfs): a 200-byte report name was let
    through (the check knew 255 only), its hidden file cut to fit, and the move into place
    failed once the rows were sent.  It is refused before, naming the folder's limit."""
    from hubframe.errors import InputError
    from hubframe.report.outputs import check_outputs

    real = os.pathconf
    monkeypatch.setattr(os, "pathconf", lambda p, n: 143 if n == "PC_NAME_MAX" else real(p, n))
    with pytest.raises(InputError, match="takes 143 at most"):
        check_outputs(report=tmp_path / f"{'r' * 195}.xlsx")
    check_outputs(report=tmp_path / f"{'r' * 130}.xlsx")  # within it: taken
