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


def _state(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    return {
        (str(f), str(t), int(k))
        for f, t, k in zip(found["from_id"], found["to_id"], found["type_id"], strict=True)
    }


@pytest.mark.parametrize("job", ["associate", "sync"])
def test_following_an_undos_retry_line_takes_the_run_back(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], job: str
) -> None:
    """An undo stopped partway (HubSpot migrating: 477) says how to finish: its line said "run
    hubframe remove u.xlsx", which took only the labels of labeled rows (the undo removes their
    pairs whole), left the links and said success; for a sync's undo the file held none of the
    removals to create again.  Now the line says to run the undo again, and doing so puts the
    portal back as it was before the run."""
    sheet = tmp_path / "pairs.csv"
    if job == "associate":
        sheet.write_text(
            "Deal ID,Contact ID,Association label\n"
            "2040000021,1019360121,Champion\n2040000022,1019360122,\n"
        )
        run = ["associate", str(sheet)]
    else:  # a sync that adds one pair and removes the labels and links deal 2040000001 holds
        sheet.write_text("Deal ID,Contact ID\n2040000001,1019360121\n")
        run = ["sync", str(sheet), "--delete"]
    start = _state(sandbox)
    report, retry = tmp_path / "r.xlsx", tmp_path / "u.xlsx"
    assert main([*run, "--report", str(report), *_hub(sandbox)]) == 0
    assert _state(sandbox) != start
    sandbox.set_faults(migration_rate=1.0, migration_retry_after=3600, writes_only=True)
    undo = ["undo", str(report), "--retry-file", str(retry), *_hub(sandbox)]
    assert main(undo) == 1
    out = capsys.readouterr().out
    sandbox.set_faults()
    [line] = [x for x in out.splitlines() if x.startswith("retry file:")]
    assert "hubframe remove" not in line, line
    assert f"run hubframe undo {report} again (it takes back only what is still there)" in line
    assert main(["undo", str(report), *_hub(sandbox)]) == 0
    assert _state(sandbox) == start


@pytest.mark.parametrize("job", ["associate", "sync"])
@pytest.mark.parametrize("way", ["python", "app"])
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "run"])
def test_python_and_the_app_refuse_a_removals_workbook_too(
    sandbox: Sandbox, tmp_path: Path, job: str, way: str, dry_run: bool
) -> None:
    """The refusal lived in the command line alone: ``hf.associate`` / ``hf.sync`` and the
    notebook app linked a remove's retry workbook again, and the app's sync with removals
    allowed planned removing the records' other links (the pairs still to remove kept)."""
    import pandas as pd

    import hubframe as hf
    from hubframe.errors import InputError
    from hubframe.testing import client_for
    from hubframe.widgets import backend
    from hubframe.widgets.portal import run_sync

    sheet, retry = tmp_path / "unlink.csv", tmp_path / "retry.xlsx"
    sheet.write_text("Deal ID,Contact ID\n2040000001,1019360001\n2040000014,12ab\n")
    assert main(["remove", str(sheet), "--retry-file", str(retry), *_hub(sandbox)]) == 1
    client, before = client_for(sandbox), _state(sandbox)
    sent = len(sandbox.request_log())
    with pytest.raises(InputError, match="holds removals still to do") as refused:
        if way == "python":
            pairs = hf.read_pairs(retry)
            if job == "associate":
                hf.associate(pairs, client, dry_run=dry_run, progress=False)
            else:
                hf.sync(pairs, client, allow_removals=True, dry_run=dry_run, progress=False)
        else:
            connection = backend.Connection(client)
            frame = backend.read(backend.SheetSource.from_path(str(retry)), job)
            if job == "associate":
                backend.execute(frame, connection, job, dry_run=dry_run)
            else:
                options = {"allow_removals": True, "max_removals": None}
                run_sync(frame, connection, options, dry_run=dry_run, issues=None, batch_size=None)
    assert "'To remove'" in str(refused.value) and "remove_associations" in str(refused.value)
    assert len(sandbox.request_log()) == sent and _state(sandbox) == before
    ordinary = hf.read_pairs(pd.read_excel(retry, dtype=str))  # the rows, not that sheet
    planned = hf.associate(ordinary, client, dry_run=True, progress=False)
    assert list(planned["error_code"]) == ["BAD_ID"]  # accepted, its own rows checked
