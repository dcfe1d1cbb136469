"""An undo is not journaled into the journal of the run it takes back.

``hubframe undo report.xlsx --journal run.sqlite`` (the run's own journal, which ``undo --help``
offers as "resume journal") restored the portal, but recorded the undo's removals in that
journal as a run of its own: a later ``hubframe undo run.sqlite`` took that run back too, and
reported every row ``skipped NOT_UNDOABLE`` with exit 1, though nothing was left to undo.  Such
an undo is refused before anything is sent; a journal of its own works as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
SHEET = pd.DataFrame(
    {"Deal ID": [str(DEALS[60]), str(DEALS[61])], "Contact ID": [str(c) for c in CONTACTS[200:202]]}
)


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], strict=True))


@pytest.mark.parametrize("given", ["path", "relative", "link", "open journal"])
@pytest.mark.parametrize("source", ["result", "xlsx report"])
def test_the_runs_own_journal_is_refused_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, source: str
) -> None:
    monkeypatch.chdir(tmp_path)
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        result = hf.associate(SHEET, client_for(sb), journal=journal, progress=False)
        assert result["status"].tolist() == ["success", "success"]
        run: object = result
        if source == "xlsx report":
            run = hf.export_report(result, tmp_path / "report.xlsx")
        if given == "link":
            (tmp_path / "alias.sqlite").symlink_to(journal)
        requests = len(sb.request_log())
        own: object = {"path": journal, "relative": "run.sqlite", "link": "alias.sqlite"}.get(given)
        with pytest.raises(InputError, match="journal of the run it takes back"):
            if given == "open journal":
                with Journal(journal) as opened:
                    hf.undo(run, client_for(sb), journal=opened, progress=False)  # type: ignore[arg-type]
            else:
                hf.undo(run, client_for(sb), journal=own, progress=False)  # type: ignore[arg-type]
        assert len(sb.request_log()) == requests  # nothing read or sent
        assert _links(sb) > before
        # A journal of the undo's own takes the run back, and the run's journal then has
        # nothing left to undo.
        done = hf.undo(run, client_for(sb), journal=tmp_path / "undo.sqlite", progress=False)  # type: ignore[arg-type]
        assert done["status"].tolist() == ["success", "success"]
        assert _links(sb) == before
        with pytest.warns(UserWarning, match="nothing"):
            again = hf.undo(journal, client_for(sb), progress=False)
        assert again.empty or set(again["status"]) <= {"skipped"}
        assert "NOT_UNDOABLE" not in set(again.get("error_code", pd.Series(dtype=str)).dropna())


def test_the_command_line_says_so_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "pairs.csv"
    SHEET.to_csv(sheet, index=False)
    with Sandbox(seed="demo") as sb:
        where = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        journal, report = str(tmp_path / "run.sqlite"), str(tmp_path / "report.xlsx")
        assert (
            main(["associate", str(sheet), "--journal", journal, "--report", report, *where]) == 0
        )
        before = _links(sb)
        capsys.readouterr()
        assert main(["undo", report, "--journal", journal, *where]) == 2
        err = capsys.readouterr().err
        assert "journal of the run it takes back" in err and "Traceback" not in err
        assert _links(sb) == before
        assert main(["undo", report, "--journal", str(tmp_path / "undo.sqlite"), *where]) == 0
        assert main(["undo", journal, *where]) == 0
    assert os.path.exists(journal)
