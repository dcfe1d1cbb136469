"""A run's report read back as a sheet never links again what that run removed.

A sync's report lists, beside the sheet's rows, the associations it removed (``(portal)``
rows, ``change`` "remove"); an undo's or a remove's report, the ones it took away (``action``
"archive").  Read as a sheet of pairs (``read_pairs``, ``hubframe associate report.csv``), they
came back as ordinary pairs: associating (or syncing) the report linked every removed pair
again, exit 0.  Such a sheet is refused, naming the first removal row; a report of a run that
only linked is read as any sheet.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
DEAL = DEALS[66]


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    f = sb.associations("deals", "contacts")
    return set(zip(f["from_id"], f["to_id"], strict=True))


def _sheet(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": [p[0] for p in pairs],
            "to_type": "contacts",
            "to_id": [p[1] for p in pairs],
        }
    )


def _synced(sb: Sandbox) -> pd.DataFrame:
    """A sync of one contact of a deal that had three: two removed."""
    for contact in CONTACTS[150:153]:
        sb.associate("deals", DEAL, "contacts", contact)
    sheet = _sheet([(DEAL, CONTACTS[150])])
    result = hf.sync(sheet, client_for(sb), allow_removals=True, progress=False)
    assert result["change"].tolist() == ["keep", "remove", "remove"], result
    return result


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("job", ["associate", "sync"])
def test_a_syncs_report_is_refused_as_a_sheet(suffix: str, job: str, tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        report = tmp_path / f"report{suffix}"
        export_report(_synced(sb), report)
        held = _links(sb)
        run = hf.associate if job == "associate" else hf.sync
        source = hf.read_pairs(report) if suffix == ".csv" else report
        with pytest.raises(hf.InputError) as caught:
            run(source, client_for(sb), progress=False)
        said = str(caught.value)
        assert f"row 3 of the sheet ({DEAL} -> {CONTACTS[151]}) is a run's removal" in said
        assert "2 of its rows" in said and f"{job} would link them again" in said
        assert _links(sb) == held


def test_an_undos_report_is_refused_as_a_sheet(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        run = hf.associate(_sheet([(DEALS[67], CONTACTS[170])]), client, record_existing=True)
        undone = hf.undo(run, client, progress=False)
        export_report(undone, tmp_path / "undo.csv")
        with pytest.raises(hf.InputError, match="is a run's removal"):
            hf.associate(hf.read_pairs(tmp_path / "undo.csv"), client, progress=False)
        assert (DEALS[67], CONTACTS[170]) not in _links(sb)


def test_the_command_line_refuses_it_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(seed="demo") as sb:
        export_report(_synced(sb), tmp_path / "report.csv")
        held = _links(sb)
        hub = ["--token", sb.token, "--base-url", sb.url]
        code = main(["associate", str(tmp_path / "report.csv"), *hub])
        assert code != 0
        assert "is a run's removal" in capsys.readouterr().err
        assert _links(sb) == held


def test_a_report_of_links_only_is_read_as_any_sheet(tmp_path: Path) -> None:
    """A run that linked (and one row that failed): its report run again links the same."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        pairs = [(DEALS[68], CONTACTS[171]), (DEALS[68], "999")]
        run = hf.associate(_sheet(pairs), client, progress=False)
        assert run["status"].tolist() == ["success", "failed"]
        export_report(run, tmp_path / "run.csv")
        again = hf.associate(hf.read_pairs(tmp_path / "run.csv"), client, progress=False)
        assert again["status"].tolist() == ["success", "failed"]


@pytest.mark.parametrize("read", [False, True])
def test_an_undos_result_table_is_refused_as_pairs(read: bool) -> None:
    """The result table itself (a DataFrame, its columns as the run named them), given to
    associate as it is or through read_pairs: linked again what the undo removed."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        pairs = [(DEALS[67], CONTACTS[170]), (DEALS[68], CONTACTS[171])]
        run = hf.associate(_sheet(pairs), client, record_existing=True, progress=False)
        undone = hf.undo(run, client, progress=False)
        assert undone["status"].tolist() == ["success", "success"], undone
        source = hf.read_pairs(undone) if read else undone
        with pytest.raises(hf.InputError, match="is a run's removal"):
            hf.associate(source, client, progress=False)
        assert not set(pairs) & _links(sb)


@pytest.mark.parametrize(
    ("columns", "cells"),
    [(("status", "action"), ("open", "Archive")), (("status", "change"), ("new", "Review"))],
)
def test_an_analysts_own_status_and_action_columns_are_any_sheets(
    columns: tuple[str, str], cells: tuple[str, str], tmp_path: Path
) -> None:
    """A sheet of the analyst's own "status" and "action" columns ("Archive": a deal to
    archive later) is no report: it has none of a result table's error columns.  It was
    refused as a run's removals."""
    sheet = _sheet([(DEALS[69], CONTACTS[172]), (DEALS[69], CONTACTS[173])])
    sheet[columns[0]] = [cells[0]] * 2
    sheet[columns[1]] = [cells[1], ""]
    sheet.to_csv(tmp_path / "pairs.csv", index=False)
    with Sandbox(seed="demo") as sb:
        result = hf.associate(tmp_path / "pairs.csv", client_for(sb), dry_run=True)
        assert result["status"].tolist() == ["planned", "planned"], result


@pytest.mark.parametrize("header", ["Status", "STATUS", "status "])
def test_a_reports_status_header_retyped_is_still_a_report(header: str, tmp_path: Path) -> None:
    """The Results header "status" retyped in another case: the check looked for the exact
    name and linked both removed pairs again."""
    with Sandbox(seed="demo") as sb:
        export_report(_synced(sb), tmp_path / "report.csv")
        text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
        (tmp_path / "edited.csv").write_text(
            text.replace(",status,", f",{header},", 1), encoding="utf-8"
        )
        held = _links(sb)
        with pytest.raises(hf.InputError, match="is a run's removal"):
            hf.associate(hf.read_pairs(tmp_path / "edited.csv"), client_for(sb), progress=False)
        assert _links(sb) == held
