"""An undo of a sync's result table keeps in the journal the removals it took back (table
``taken_back``), keyed as the journal keyed what was sent (a pair's removal as the pair's
batch archive, its labels' rows riding on it): before, they never matched, and a later undo
from the journal created the pair again.
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

DEALS = [str(5_400_000_001 + i) for i in range(3)]
CONTACTS = [str(6_400_000_001 + i) for i in range(4)]
LABELS = ["Decision maker", "Champion"]
KW = {"progress": False}

Setting = tuple[Sandbox, HubSpotClient, Path]
State = set[tuple[str, str, str, str, int]]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    for label in LABELS:
        sb.add_label("deals", "contacts", label)
    return sb, client_for(sb), tmp_path / "run.sqlite"


def _state(sb: Sandbox) -> State:
    """Every association, both directions, every type."""
    out: State = set()
    for a, b in (("deals", "contacts"), ("contacts", "deals")):
        found = sb.associations(a, b)
        for f, t, tid in zip(found["from_id"], found["to_id"], found["type_id"], strict=True):
            out.add((a, str(f), b, str(t), int(tid)))
    return out


def _sheet(rows: list[tuple[int, int | None, str | None]]) -> pd.DataFrame:
    """Deal -> contact rows (deal index, contact index or None: the deal has none, label)."""
    return pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": [DEALS[d] for d, _, _ in rows],
            "to_type": "contacts",
            "to_id": [None if c is None else CONTACTS[c] for _, c, _ in rows],
            "label": [label for _, _, label in rows],
        }
    )


def _sync(sheet: pd.DataFrame, client: HubSpotClient, path: Path) -> pd.DataFrame:
    return hf.sync(sheet, client, allow_removals=True, max_removals=500, journal=path, **KW)


def _type_of(sb: Sandbox, label: str) -> int:
    labels = client_for(sb).list_labels("deals", "contacts")
    return next(int(e["typeId"]) for e in labels if e.get("label") == label)


def test_an_undo_of_a_syncs_table_keeps_its_removals_taken_back(setting: Setting) -> None:
    """The sync removes a pair with its label, its table's undo creates it again, the pair is
    then removed by hand: an undo from the journal leaves it removed."""
    sb, client, path = setting
    label = _type_of(sb, "Decision maker")
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[1], label)
    run = _sync(_sheet([(0, 0, None)]), client, path)
    assert (run.loc[run["change"] == "remove", "status"] == "success").all()
    assert (hf.undo(run, client, **KW).loc[run["change"] == "remove", "status"] == "success").all()
    hf.remove_associations(_sheet([(0, 1, None)]), client, **KW)  # by hand, no journal
    by_hand = _state(sb)
    again = hf.undo(path, client, **KW)
    assert _state(sb) == by_hand
    assert not (again["status"] == "success").any()


def test_a_syncs_label_removal_taken_back_by_its_table_is_left_alone(setting: Setting) -> None:
    """The label alone removed (the link kept), its table's undo puts it back, the label is
    removed by hand: the journal's undo does not create it again."""
    sb, client, path = setting
    label = _type_of(sb, "Decision maker")
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], label)
    run = _sync(_sheet([(0, 0, None)]), client, path)
    assert (hf.undo(run, client, **KW)["status"] != "failed").all()
    hf.remove_associations(_sheet([(0, 0, "Decision maker")]), client, **KW)
    by_hand = _state(sb)
    hf.undo(path, client, **KW)
    assert _state(sb) == by_hand
