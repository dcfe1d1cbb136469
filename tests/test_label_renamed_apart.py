"""A labels sheet giving one type id two names renames it to neither.

Two rows renaming type id 1003 ("Coach", then "Mentor") were each sent and each said
``success``, while HubSpot kept the last name only: the first row's success was false, and a
label's name cannot be taken back by an undo.  Rows giving one type id different names (or
different inverse labels, as labels compare: spaces and case aside) are now ``invalid``
``CONFLICTING_ROWS``, nothing sent, as rows asking two values of one limit are; rows giving it
the same name go as before.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

VERSIONS = ["2026-03", "2026-09", "v4"]


def _sheet(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From type": ["deals"] * len(rows),
            "To type": ["contacts"] * len(rows),
            "Label": [r[0] for r in rows],
            "Type ID": [r[1] for r in rows],
            "Inverse label": [r[2] for r in rows],
        }
    )


def _names(sb: Sandbox) -> dict[int, str]:
    held = sb.labels("deals", "contacts")
    return dict(zip(held["type_id"].astype(int), held["label"].astype(str), strict=True))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "rows",
    [
        [("Coach", 1003, ""), ("Mentor", 1003, "")],
        [("Coach", 1003, "Coached"), ("Coach", 1003, "Mentored")],
    ],
    ids=["two names", "two inverse labels"],
)
def test_two_names_for_one_type_id_rename_it_to_neither(
    version: str, rows: list[tuple[str, int, str]]
) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, version)
        before = _names(sb)
        planned = hf.configure_labels(_sheet(rows), client, renames=True, dry_run=True)
        done = hf.configure_labels(_sheet(rows), client, renames=True)
        after = _names(sb)
    for table in (planned, done):
        assert table["status"].tolist() == ["invalid", "invalid"], table["error_message"].tolist()
        assert table["error_code"].tolist() == ["CONFLICTING_ROWS"] * 2
    assert "1003" in str(done["error_message"][0]) or "Coached" in str(done["error_message"][0])
    assert after == before


def test_one_name_given_twice_renames_once() -> None:
    rows = [("Coach", 1003, ""), ("Coach", 1003, "")]
    with Sandbox(seed="demo") as sb:
        done = hf.configure_labels(_sheet(rows), client_for(sb), renames=True)
        after = _names(sb)
    assert "CONFLICTING_ROWS" not in done["error_code"].fillna("").tolist()
    assert after[1003] == "Coach"


@pytest.mark.parametrize("seed", seeds(4))
def test_no_row_says_a_name_the_portal_does_not_hold(seed: int) -> None:
    """Seeded: renames of three type ids, each given one to three names from a small pool:
    a type id given two names keeps its old name and its rows are CONFLICTING_ROWS; one given
    one name holds it; no success row names a name HubSpot does not give its type id."""
    rng = random.Random(seed)
    rows = [
        (rng.choice(["Coach", "Mentor", "Adviser"]), type_id, "")
        for type_id in (1001, 1003, 1005)
        for _ in range(rng.randint(1, 3))
    ]
    rng.shuffle(rows)
    with Sandbox(seed="demo") as sb:
        before = _names(sb)
        done = hf.configure_labels(_sheet(rows), client_for(sb), renames=True)
        after = _names(sb)
    for type_id in (1001, 1003, 1005):
        names = {label for label, t, _ in rows if t == type_id}
        mine = done[done["type_id"] == type_id]
        where = f"seed {seed} type id {type_id}: {sorted(names)}"
        if len(names) > 1:
            assert set(mine["error_code"]) == {"CONFLICTING_ROWS"}, where
            assert after[type_id] == before[type_id], where
        elif after[type_id] != names.pop():  # refused: another type id asks that name too
            assert "success" not in set(mine["status"]), where
    for row in done[done["status"] == "success"].itertuples():
        assert after[int(row.type_id)] == row.label, (seed, row)


@pytest.mark.parametrize("order", ["inverse first", "inverse second"])
def test_a_blank_inverse_label_asks_nothing_of_it(order: str) -> None:
    """(Coach, 1003, inverse "Coached") beside (Coach, 1003, no inverse): one name, one
    inverse asked; nothing conflicts (the review found both refused, "Coach" and "Coach")."""
    rows = [("Coach", 1003, "Coached"), ("Coach", 1003, "")]
    rows = rows if order == "inverse first" else rows[::-1]
    with Sandbox(seed="demo") as sb:
        done = hf.configure_labels(_sheet(rows), client_for(sb), renames=True)
        after = _names(sb)
    assert "CONFLICTING_ROWS" not in done["error_code"].fillna("").tolist(), done
    assert after[1003] == "Coach"
