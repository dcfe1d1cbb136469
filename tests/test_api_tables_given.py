"""Tables and paths a Python caller passes are checked before anything is read or sent.

Before, ``issues=`` took any DataFrame without a word (``pd.DataFrame({"anything": [1]})``: the
run went on as if validated), ``export_report(validation=...)`` of another table and of a
result whose columns were a MultiIndex stopped with a raw pandas KeyError, and ``journal=" "``
made a journal file named " " (``journal=""``: "journal .: is a directory").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import ConfigurationError, HubframeError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = str(demo_ids("deals")[0]), str(demo_ids("contacts")[5])
SHEET = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]})
NOT_ISSUES = {
    "another table": pd.DataFrame({"anything": [1, 2]}),
    "issues cut down": pd.DataFrame({"row": [2], "message": ["x"]}),
    "the sheet": SHEET,
}


@pytest.fixture(scope="module")
def client() -> Any:
    with Sandbox(seed="demo") as sb:
        yield client_for(sb)


@pytest.mark.parametrize("table", list(NOT_ISSUES))
def test_issues_that_are_not_an_issues_table_are_refused(client: Any, table: str) -> None:
    with pytest.raises(ConfigurationError, match="lacks its column"):
        hf.associate(SHEET, client, issues=NOT_ISSUES[table], dry_run=True, progress=False)


def test_an_issues_table_read_back_from_a_file_is_taken(client: Any, tmp_path: Path) -> None:
    issues = hf.validate_pairs(hf.read_pairs(SHEET), client)
    issues.to_csv(tmp_path / "issues.csv", index=False)
    again = pd.read_csv(tmp_path / "issues.csv")
    result = hf.associate(SHEET, client, issues=again, dry_run=True, progress=False)
    assert result["status"].tolist() == ["planned"]


@pytest.mark.parametrize("table", list(NOT_ISSUES))
def test_a_report_validation_that_is_not_an_issues_table_is_refused(
    client: Any, table: str, tmp_path: Path
) -> None:
    result = hf.associate(SHEET, client, dry_run=True, progress=False)
    with pytest.raises(ConfigurationError, match="lacks its column"):
        hf.export_report(result, tmp_path / "r.xlsx", validation=NOT_ISSUES[table])
    assert not (tmp_path / "r.xlsx").exists()


def test_a_result_with_columns_of_several_levels_is_refused(client: Any, tmp_path: Path) -> None:
    result = hf.associate(SHEET, client, dry_run=True, progress=False)
    result.columns = pd.MultiIndex.from_tuples([(c, "") for c in result.columns])
    for write in (hf.export_report, hf.export_retry):
        with pytest.raises(HubframeError, match="several levels"):
            write(result, tmp_path / "r.xlsx")


@pytest.mark.parametrize("journal", ["", " ", "\t"])
def test_a_blank_journal_path_is_refused(
    client: Any, journal: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match="give a file path"):
        hf.associate(SHEET, client, journal=journal, progress=False)
    assert list(tmp_path.iterdir()) == []
