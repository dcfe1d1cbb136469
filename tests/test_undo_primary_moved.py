"""Two cases the rule "a labeled row whose label the pair lacks now is left in place" must not
reach (found reviewing it):

* Primary: HubSpot takes "Primary" off a pair by itself when another company becomes the
  record's primary, and keeps the pair's link -- the run's.  The undo left that link as
  "someone else's" (``NOT_ASSOCIATED``) and recorded the row as gone, so no undo ever took it
  back.  It is taken back again, as before the rule.
* A journal's frame sliced in Python keeps its attrs: the pairs several runs changed were
  kept as positions, which then named other rows, and a row the rule leaves was taken back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.report.reader import load_run
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

Factory = Callable[..., Sandbox]
DEAL, FIRST, SECOND = "5600000001", "7600000001", "7600000002"


def _held(sb: Sandbox) -> set[tuple[str, str, str]]:
    table = sb.associations("deals", "companies")
    return {tuple(r) for r in table[["from_id", "to_id", "type_id"]].astype(str).values.tolist()}


@pytest.mark.filterwarnings("ignore::hubframe.HubframeWarning")
@pytest.mark.parametrize("source", ["xlsx", "journal", "table"])
def test_a_primary_moved_since_leaves_the_runs_link_to_take_back(
    sandbox_factory: Factory, tmp_path: Path, source: str
) -> None:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", [DEAL])
    sb.add_records("companies", [FIRST, SECOND])
    client = client_for(sb)
    sheet = pd.DataFrame(
        {"Deal ID": [DEAL], "Company ID": [FIRST], "Association label": ["Primary"]}
    )
    journal = tmp_path / "run.sqlite"
    run = hf.associate(sheet, client, journal=journal, record_existing=True, progress=False)
    assert run["status"].tolist() == ["success"]
    given: object = {
        "xlsx": hf.export_report(run, tmp_path / "r.xlsx"),
        "journal": journal,
        "table": run,
    }[source]
    sb.associate("deals", DEAL, "companies", SECOND, type_id=5)  # another primary, by hand
    assert any(r[:2] == (DEAL, FIRST) for r in _held(sb))  # the run's link, its Primary gone
    plan = hf.undo(given, client, dry_run=True, progress=False)  # type: ignore[arg-type]
    assert plan["status"].tolist() == ["planned"], plan["error_message"].tolist()
    undone = hf.undo(given, client, progress=False)  # type: ignore[arg-type]
    assert undone["status"].tolist() == ["success"], undone["error_message"].tolist()
    assert not any(r[:2] == (DEAL, FIRST) for r in _held(sb))  # the run's link taken back
    assert (DEAL, SECOND, "5") in _held(sb)  # the other primary left


@pytest.mark.filterwarnings("ignore::hubframe.HubframeWarning")
@pytest.mark.parametrize("sliced", [False, True])
def test_a_sliced_journal_frame_keeps_the_rows_the_rule_leaves(
    sandbox_factory: Factory, tmp_path: Path, sliced: bool
) -> None:
    deals, contacts = ["5600000001", "5600000002"], ["6600000001", "6600000002"]
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", deals)
    sb.add_records("contacts", contacts)
    sb.add_label("deals", "contacts", "L")
    sb.add_label("deals", "contacts", "M")
    client, journal = client_for(sb), tmp_path / "run.sqlite"
    kw: dict[str, object] = {"journal": journal, "record_existing": True, "progress": False}
    both = pd.DataFrame({"Deal ID": deals, "Contact ID": contacts, "Association label": "L"})
    hf.associate(both, client, **kw)  # type: ignore[arg-type]
    once = pd.DataFrame(
        {"Deal ID": deals[:1], "Contact ID": contacts[:1], "Association label": "M"}
    )
    hf.associate(once, client, **kw)  # type: ignore[arg-type]  # the first pair: two runs
    by_hand = pd.DataFrame({"Deal ID": deals[1:], "Contact ID": contacts[1:], "Label": ["L"]})
    hf.remove_associations(by_hand, client, progress=False)  # its label gone, its link kept
    table = load_run(journal)
    second = [i for i, v in enumerate(table["from_id"].astype(str)) if v == deals[1]]
    undone = hf.undo(table.iloc[second] if sliced else table, client, progress=False)
    row = undone[undone["from_id"].astype(str) == deals[1]]
    assert row["status"].tolist() == ["skipped"] and row["error_code"].tolist() == [
        "NOT_ASSOCIATED"
    ]
    left = sb.associations("deals", "contacts")
    assert (left["from_id"].astype(str) == deals[1]).any()  # someone else's link, kept
