"""An undo that takes a label back alone says the two records stay associated.

A pair the run linked goes whole on undo, unless it holds a label the undo does not take
back (a later run's, one added by hand, a row of the run left out of the undo): then only the
row's label goes.  That row said ``success`` with no word, as a row whose pair went whole
does, and the analyst took the records for unlinked; after undoing an earlier run first and
then the later one, the link the first made stays for good (the later run found it there).
The row now says the pair stays linked, names the labels that hold it, and that undoing runs
newest first takes the link too; the dry run's planned row says the same.  Nothing else
changes: what is removed is as before.  (The words are checked: they are the fix.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEAL, CONTACT = "5700000001", "6700000001"
KW = {"progress": False}

Setting = tuple[Sandbox, HubSpotClient, Path]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb = sandbox_factory(seed=None)
    sb.start()
    sb.add_records("deals", [DEAL])
    sb.add_records("contacts", [CONTACT])
    for label in ("Champion", "Budget holder"):
        sb.add_label("deals", "contacts", label)
    return sb, client_for(sb), tmp_path


def _sheet(*labels: str) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEAL, "Contact ID": CONTACT, "Label": list(labels)})


def _labels(sb: Sandbox) -> set[str]:
    """The pair's labels ("" for its plain link)."""
    types = sb.labels("deals", "contacts")
    names = dict(zip(types["type_id"], types["label"].fillna(""), strict=True))
    return {str(names[t]) for t in sb.associations("deals", "contacts")["type_id"]}


def _run(how: str, sb: Sandbox, client: HubSpotClient, tmp: Path) -> pd.DataFrame:
    """The run undone (Champion, on a pair with no link), and Budget holder kept on the pair:
    a later run's, one added by hand, or a row of the run left out of the undo."""
    if how == "row left out":
        both = hf.associate(_sheet("Champion", "Budget holder"), client, record_existing=True, **KW)
        return both.iloc[[0]]
    run = hf.associate(_sheet("Champion"), client, journal=tmp / "run.sqlite", **KW)
    if how == "later run":
        hf.associate(_sheet("Budget holder"), client, journal=tmp / "run.sqlite", **KW)
    else:
        sb.associate(
            "deals", DEAL, "contacts", CONTACT, sb.type_id("deals", "contacts", "Budget holder")
        )
    return run


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # the .csv report
@pytest.mark.parametrize("source", ["table", "xlsx", "csv"])
@pytest.mark.parametrize("how", ["later run", "by hand", "row left out"])
def test_a_label_taken_back_alone_says_the_pair_stays_linked(
    setting: Setting, how: str, source: str
) -> None:
    sb, client, tmp = setting
    run = _run(how, sb, client, tmp)
    assert run["linked_before"].tolist() == [False], run
    given = run if source == "table" else hf.export_report(run, tmp / f"r.{source}")
    planned = hf.undo(given, client, dry_run=True, **KW)
    undone = hf.undo(given, client, **KW)
    assert _labels(sb) == {"", "Budget holder"}  # as before: the row's label alone
    assert undone["status"].tolist() == ["success"], undone
    said = str(undone["error_message"].iloc[0])
    assert "stay associated" in said and '"Budget holder"' in said, said
    assert "newest first" in said, said
    assert planned["status"].tolist() == ["planned"], planned
    assert planned["error_message"].tolist() == [said], planned


def test_a_pair_that_goes_whole_says_nothing(setting: Setting) -> None:
    """The row of a pair removed whole keeps its plain ``success``."""
    sb, client, _ = setting
    run = hf.associate(_sheet("Champion"), client, record_existing=True, **KW)
    undone = hf.undo(run, client, **KW)
    assert _labels(sb) == set()
    assert undone["status"].tolist() == ["success"], undone
    assert undone["error_message"].isna().all(), undone
