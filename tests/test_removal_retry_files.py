"""The retry file of ``remove`` (and ``undo``) says what it holds: removals still to do.

``hubframe undo r.xlsx --retry-file u.xlsx`` said "6 rows to fix and run again" and wrote the
associate sheet's layout under its sheet's name: ``hubframe associate u.xlsx`` accepted it and
would link the rows again, the opposite of the undo.  Now the line names the command that runs
it, the workbook's sheet is named "To remove", and ``associate`` / ``sync`` refuse such a
sheet.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from hubframe.cli import main
from hubframe.sandbox import Sandbox


def _hub(sb: Sandbox) -> list[str]:
    return ["--token", sb.token, "--base-url", sb.url, "--no-progress"]


def _sheet(tmp_path: Path) -> Path:
    sheet = tmp_path / "unlink.csv"
    sheet.write_text("Deal ID,Contact ID\n2040000011,1019360011\n2040000014,12ab\n")
    return sheet


def test_a_remove_retry_file_says_it_holds_removals(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet, retry = _sheet(tmp_path), tmp_path / "retry.xlsx"
    assert main(["remove", str(sheet), "--retry-file", str(retry), *_hub(sandbox)]) == 1
    out = capsys.readouterr().out
    assert f"retry file: {retry} (1 row not removed: fix it and run hubframe remove {retry})" in out
    assert openpyxl.load_workbook(retry, read_only=True).sheetnames == ["To remove"]
    sent = len(sandbox.request_log())
    for command in ("associate", "sync"):
        assert main([command, str(retry), *_hub(sandbox)]) == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert "holds removals still to do" in line and f"hubframe remove {retry}" in line
    assert len(sandbox.request_log()) == sent
    assert main(["remove", str(retry), "--dry-run", *_hub(sandbox)]) == 1  # BAD_ID still


def test_an_undo_retry_line_names_both_ways_to_finish() -> None:
    import argparse

    from hubframe.cli import _retry_words

    args = argparse.Namespace(command="undo", file=Path("r.xlsx"), retry_file=Path("u.xlsx"))
    said = _retry_words(args, 6)
    assert (
        said == "6 rows not taken back: run hubframe remove u.xlsx, or hubframe undo r.xlsx again"
    )
