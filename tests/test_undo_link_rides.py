"""The undo of a sync that removed a labeled pair whole says of the pair's link what HubSpot holds.

Such a sync removes the pair's link (one row) and its labels (a row each); its undo creates the
labels again (batch create) and, before, the link too (batch associate default).  Creating a
label brings the link with it, so when HubSpot refused the link's request alone the row said
``failed`` while the portal held the link again.  Now the link row is sent after the labels,
only when none of them was created (else it takes the label's outcome): every row matches the
portal, whatever was refused, from every undo source.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from tests.faultproxy import FaultProxy
from tests.test_sync_primary import _source, _undo

DEAL, OTHER_DEAL = (str(d) for d in demo_ids("deals")[-4:-2])
CONTACTS = [str(c) for c in demo_ids("contacts")[60:63]]
KW: dict[str, Any] = {"progress": False}
#: what the proxy refuses during the undo: nothing, the link's requests, the labels' requests
REFUSED = [None, "batch/associate/default", "batch/create"]
SOURCES = ["table", "journal", "xlsx", "csv"]


def _sheet_row(side: str) -> tuple[str, str, str, str]:
    """The sheet's one row: from the deal, keeping CONTACTS[0]; from CONTACTS[1], giving it
    another deal (either way the deal's pair with CONTACTS[1] is left out: removed)."""
    if side == "deal":
        return ("deals", DEAL, "contacts", CONTACTS[0])
    return ("contacts", CONTACTS[1], "deals", OTHER_DEAL)


def _held(sb: Sandbox) -> set[tuple[str, int]]:
    """(contact, type id) of every deal -> contact association of the deal."""
    rows = sb.associations("deals", "contacts")
    mine = rows[rows["from_id"].astype(str) == DEAL]
    return {(str(c), int(t)) for c, t in zip(mine["to_id"], mine["type_id"], strict=True)}


def _sync_removing(
    sb: Sandbox, side: str, labels: int, journal: Path
) -> tuple[pd.DataFrame, set[tuple[str, int]]]:
    """The sync that removes the deal's pair with CONTACTS[1] (link and ``labels`` labels),
    from either side (:func:`_sheet_row`); its result, and what the deal held before it."""
    gone = CONTACTS[1]
    for n in range(labels):
        type_id = sb.add_label("deals", "contacts", f"Role {n}", f"Role {n} of")
        sb.associate("deals", DEAL, "contacts", gone, type_id)
    sb.associate("deals", DEAL, "contacts", CONTACTS[0])
    before = _held(sb)
    from_type, from_id, to_type, to_id = _sheet_row(side)
    sheet = pd.DataFrame(
        [{"From Type": from_type, "From ID": from_id, "To Type": to_type, "To ID": to_id}]
    )
    result = hf.sync(
        hf.read_pairs(sheet), client_for(sb), allow_removals=True, journal=journal, **KW
    )
    removed = result["change"] == "remove"
    assert set(result.loc[removed, "status"]) == {"success"}, result["error_message"].tolist()
    assert removed.sum() == labels + 1  # the link's row and each label's
    assert not any(c == gone for c, _ in _held(sb))
    return result, before


def _agrees(undone: pd.DataFrame, sb: Sandbox) -> None:
    """Every row the undo creates again says success exactly when the portal holds it: a
    label its own type, a link the pair (either way round)."""
    held = _held(sb)
    made = undone[undone["action"].isin(["associate", "associate_default"])]
    assert len(made) >= 2, undone.to_dict("records")
    for row in made.to_dict("records"):
        contact = str(row["to_id"] if row["from_type"] == "deals" else row["from_id"])
        there = any(c == contact for c, _ in held)
        if row["action"] == "associate":  # a label: its own type
            there = any(c == contact and t not in (3, 4) for c, t in held)
        assert (row["status"] == "success") == there, (row, held)


@pytest.mark.parametrize("refused", REFUSED)
@pytest.mark.parametrize("side", ["deal", "contact"])
def test_the_link_row_says_what_the_portal_holds(
    refused: str | None, side: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        result, before = _sync_removing(sb, side, 1, tmp_path / "sync.sqlite")
        with FaultProxy(sb, reject_path=refused) as proxy:
            undone = _undo(result, HubSpotClient(token=sb.token, base_url=proxy.url))
        _agrees(undone, sb)
        link = undone[(result["change"] == "remove") & result["label"].isna()]
        if refused == "batch/create":  # no label again: the link is created by itself
            assert link["status"].tolist() == ["success"]
            assert pd.isna(link["error_message"].iloc[0])
            assert (CONTACTS[1], 3) in _held(sb)
        else:
            assert link["status"].tolist() == ["success"]
            assert "with the pair's label" in str(link["error_message"].iloc[0])
            assert _held(sb) == before


@pytest.mark.parametrize("seed", range(8))
def test_every_source_and_shape_agrees_with_the_portal(seed: int, tmp_path: Path) -> None:
    """Seeded: either side, one or two labels, any undo source, anything refused, dry run
    first: the undo's rows agree with the portal, and an undo nothing refused is exact."""
    rng = random.Random(seed)
    side, labels = rng.choice(["deal", "contact"]), rng.choice([1, 2])
    source, refused = rng.choice(SOURCES), rng.choice(REFUSED)
    journal = tmp_path / "sync.sqlite"
    with Sandbox(seed="demo") as sb:
        result, before = _sync_removing(sb, side, labels, journal)
        run = _source(result, source, journal, tmp_path)
        with FaultProxy(sb, reject_path=refused) as proxy:
            client = HubSpotClient(token=sb.token, base_url=proxy.url)
            planned = _undo(run, client, dry_run=True)
            made = planned["action"].isin(["associate", "associate_default"])
            assert set(planned.loc[made, "status"]) == {"planned"}, planned.to_dict("records")
            undone = _undo(run, client)
        _agrees(undone, sb)
        if refused is None:
            assert _held(sb) == before
            made = undone["action"].isin(["associate", "associate_default"])
            assert set(undone.loc[made, "status"]) == {"success"}


def test_a_link_whose_label_row_is_set_aside_is_sent_alone(tmp_path: Path) -> None:
    """The label row cannot be undone (its type id cleared): the link is created by itself."""
    with Sandbox(seed="demo") as sb:
        result, _ = _sync_removing(sb, "deal", 1, tmp_path / "sync.sqlite")
        edited = result.copy()
        label_row = (result["change"] == "remove") & result["label"].notna()
        edited.loc[label_row, "type_id"] = pd.NA
        undone = _undo(edited, client_for(sb))
        assert undone.loc[label_row, "error_code"].tolist() == ["NOT_UNDOABLE"]
        link = undone[(result["change"] == "remove") & result["label"].isna()]
        assert link["status"].tolist() == ["success"]
        assert pd.isna(link["error_message"].iloc[0])  # sent: no word of a label
        assert (CONTACTS[1], 3) in _held(sb)
        assert not any(c == CONTACTS[1] and t not in (3, 4) for c, t in _held(sb))


def test_a_run_stopped_after_the_label_says_the_link_is_back(tmp_path: Path) -> None:
    """The day's limit reached on another object pair's creation, in the labels' phase: the
    run stops, and the link row (whose phase comes after) was left ``skipped`` with the
    stop's code though the label's creation had brought the link back.  It says what the
    portal holds, and the row HubSpot refused is in the retry file's share (skipped)."""
    company, other = (str(c) for c in demo_ids("companies")[30:32])
    with Sandbox(seed="demo") as sb:
        type_id = sb.add_label("deals", "contacts", "Role 0", "Role 0 of")
        sb.associate("deals", DEAL, "contacts", CONTACTS[1], type_id)
        sb.associate("deals", DEAL, "contacts", CONTACTS[0])
        sb.associate("deals", DEAL, "companies", company)
        rows = [("contacts", CONTACTS[0]), ("companies", other)]
        sheet = pd.DataFrame(
            [{"From Type": "deals", "From ID": DEAL, "To Type": t, "To ID": i} for t, i in rows]
        )
        result = hf.sync(hf.read_pairs(sheet), client_for(sb), allow_removals=True, **KW)
        assert set(result.loc[result["change"] == "remove", "status"]) == {"success"}
        with FaultProxy(sb, daily_path="/deals/companies/batch/associate") as proxy:
            undone = _undo(result, HubSpotClient(token=sb.token, base_url=proxy.url))
        _agrees(undone, sb)
        contact_rows = (result["change"] == "remove") & (result["to_type"] == "contacts")
        assert set(undone.loc[contact_rows, "status"]) == {"success"}, undone.to_dict("records")
        company_row = (result["change"] == "remove") & (result["to_type"] == "companies")
        assert undone.loc[company_row, "error_code"].tolist() == ["RATE_LIMITED"]
