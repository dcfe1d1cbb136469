"""A primary HubSpot lists from one side only is protected from a sync of either side.

A lead's Primary contact (type 578) is listed only in the lead -> contact direction: the
contact -> lead direction lists the pair as unlabeled (609).  Before, a sync of contacts ->
leads that left a pair out removed it whole (the lead lost its Primary contact) without
``allow_primary_removal``, and the undo created only 609 again.  Now such a pair is kept
(``PRIMARY_PROTECTED``) from either side; with ``allow_primary_removal`` its removal carries
the reverse direction's primary (a row of its own, riding on the pair's removal), so undo puts
it back.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.constants import ONE_WAY_PRIMARIES
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

CONTACT = str(demo_ids("contacts")[0])
LEAD, OTHER, PLAIN = "777000001", "777000002", "777000003"
KW: dict[str, Any] = {"progress": False}
TYPES = ["leads", "contacts"]


def _state(sb: Sandbox) -> set[tuple[str, str, str, str, int]]:
    out: set[tuple[str, str, str, str, int]] = set()
    for a, b in itertools.product(TYPES, repeat=2):
        if a == b:
            continue
        for r in sb.associations(a, b).itertuples(index=False):
            out.add((a, b, str(r.from_id), str(r.to_id), int(r.type_id)))
    return out


def _portal(sb: Sandbox) -> None:
    sb.add_records("leads", [int(LEAD), int(OTHER), int(PLAIN)])
    sb.associate("leads", LEAD, "contacts", CONTACT, 578)  # the lead's primary contact
    sb.associate("leads", OTHER, "contacts", CONTACT, None)  # a plain one, kept
    sb.associate("leads", PLAIN, "contacts", CONTACT, None)  # a plain one, removed


def _sheet(side: str) -> pd.DataFrame:
    """The sheet that leaves out the lead with its primary contact and a plain lead, and
    keeps another (side "both": both directions leave them out)."""
    contact = [("contacts", CONTACT, "leads", OTHER, "")]
    lead = [
        ("leads", LEAD, "contacts", "", ""),
        ("leads", OTHER, "contacts", CONTACT, ""),
        ("leads", PLAIN, "contacts", "", ""),
    ]
    cells = {"contact": contact, "lead": lead, "both": contact + lead}[side]
    names = ("From Type", "From ID", "To Type", "To ID", "Type ID")
    return hf.read_pairs(pd.DataFrame([dict(zip(names, c, strict=True)) for c in cells]))


def _undo(run: Any, client: hf.HubSpotClient) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hf.undo(run, client, **KW)


def test_the_one_way_primaries_are_the_leads_primary_contact() -> None:
    assert {(t.from_type, t.to_type, t.type_id) for t in ONE_WAY_PRIMARIES} == {
        ("leads", "contacts", 578)
    }


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("side", ["contact", "lead", "both"])
def test_a_sync_keeps_a_pair_holding_a_one_way_primary(side: str, dry_run: bool) -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        before = _state(sb)
        result = hf.sync(_sheet(side), client, allow_removals=True, dry_run=dry_run, **KW)
        gone = {g[:4] for g in before - _state(sb)}
        plain = {("leads", "contacts", PLAIN, CONTACT), ("contacts", "leads", CONTACT, PLAIN)}
        assert gone == (set() if dry_run else plain)
        removals = result[result["sheet"] == "(portal)"]
        held = removals[removals["error_code"].notna()]
        assert set(removals.loc[removals["error_code"].isna(), "to_id"]) <= {PLAIN, CONTACT}
        assert len(held) >= 1
        assert set(held["error_code"]) == {"PRIMARY_PROTECTED"}, held.to_string()
        assert set(held["status"]) == {"skipped"}
        said = str(held["error_message"].iloc[0])
        assert "allow_primary_removal" in said
        if side == "contact":
            assert f"lead {LEAD}" in said and "578" in said, said


@pytest.mark.parametrize("source", ["table", "journal", "csv"])
@pytest.mark.parametrize("side", ["contact", "lead", "both"])
def test_the_undo_of_a_pair_removed_with_its_one_way_primary_puts_it_back(
    side: str, source: str, tmp_path: Path
) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        before = _state(sb)
        result = hf.sync(
            _sheet(side),
            client,
            allow_removals=True,
            allow_primary_removal=True,
            journal=journal,
            **KW,
        )
        assert set(result["status"]) <= {"success", "skipped"}, result.to_string()
        gone = before - _state(sb)
        assert {g[:4] for g in gone} == {
            ("leads", "contacts", LEAD, CONTACT),
            ("contacts", "leads", CONTACT, LEAD),
            ("leads", "contacts", PLAIN, CONTACT),
            ("contacts", "leads", CONTACT, PLAIN),
        }
        removed = result[result["sheet"] == "(portal)"]
        assert 578 in set(removed["type_id"].dropna().astype(int)), removed.to_string()
        run: Any = result
        if source == "journal":
            run = journal
        elif source == "csv":
            run = tmp_path / "report.csv"
            hf.export_report(result, run)
        undone = _undo(run, client)
        assert _state(sb) == before, (undone.to_string(), before - _state(sb))
        assert "duplicate" not in set(undone["status"]), undone.to_string()


@pytest.mark.parametrize("allow", [False, True])
def test_a_pair_whose_other_side_cannot_be_read_is_kept(
    allow: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leads of the pairs a contact -> lead sync would remove whole cannot be read: whether
    they hold their Primary contact is not known, so those pairs are kept (REMOVAL_HELD)."""
    import hubframe.jobs.sync_plan as plan

    real = plan.read_links

    def failing(client: Any, from_type: str, to_type: str, ids: Any, **kw: Any) -> Any:
        if from_type == "leads":
            raise hf.HubframeError("the read failed", code=hf.ErrorCode.SERVER_ERROR)
        return real(client, from_type, to_type, ids, **kw)

    monkeypatch.setattr(plan, "read_links", failing)
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        before = _state(sb)
        result = hf.sync(
            _sheet("contact"), client, allow_removals=True, allow_primary_removal=allow, **KW
        )
        assert _state(sb) == before
        held = result[result["sheet"] == "(portal)"]
        assert set(held["error_code"]) == {"REMOVAL_HELD"}, held.to_string()
        assert set(held["to_id"]) == {LEAD, PLAIN}
        assert all("could not be read" in str(m) for m in held["error_message"])
