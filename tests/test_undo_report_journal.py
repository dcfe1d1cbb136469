"""A report's Summary names the run's journal by its absolute path.

Before, a report written from Python without ``settings=`` did not name the run's journal, and
the command line's named it as given (``--journal j.sqlite``): relative to a working directory
the report does not keep.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_400_000_001 + i) for i in range(6)]
CONTACTS = [str(6_400_000_001 + i) for i in range(6)]
KW = {"progress": False}

Setting = tuple[Sandbox, HubSpotClient, Path]


def _portal(sb: Sandbox) -> Sandbox:
    sb.start()
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb = _portal(sandbox_factory(seed=None))
    sb.add_label("deals", "contacts", "Decision maker")
    return sb, client_for(sb), tmp_path / "run.sqlite"


def _sheet(rows: range, label: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Deal ID": [DEALS[n] for n in rows],
            "Contact ID": [CONTACTS[n] for n in rows],
            "Association label": [label] * len(rows),
        }
    )


def _report(run: pd.DataFrame, path: Path) -> Path:
    return hf.export_report(run, path)  # no settings: the run's own journal on the Summary


def _summary(report: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(report)["Summary"]
    return {r[0]: r[1] for r in sheet.iter_rows(max_col=2, values_only=True) if r[0]}


def test_a_reports_summary_names_the_runs_journal_absolute(
    setting: Setting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From Python, without ``settings=``: the run's journal (before: not named at all), made
    absolute though given relative."""
    _, client, _ = setting
    monkeypatch.chdir(tmp_path)
    run = hf.associate(_sheet(range(1)), client, journal="j.sqlite", **KW)
    monkeypatch.chdir(tmp_path.parent)  # written from elsewhere: the run's path still
    assert _summary(_report(run, tmp_path / "r.xlsx"))["journal"] == str(tmp_path / "j.sqlite")
