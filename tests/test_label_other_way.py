"""A label or type id that exists only for the row's reverse direction says so.

Before, a row of contacts -> companies labeled "Employer" (HubSpot's label from companies to
contacts) was told the label does not exist and shown the labels of its own direction, and a
row of deals -> contacts with type id 1002 (contacts -> deals' "Decision maker") that HubSpot
has no such type: neither said the analyst had swapped From and To, which is what they did.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

CONTACT, COMPANY = str(demo_ids("contacts")[0]), str(demo_ids("companies")[0])
DEAL = str(demo_ids("deals")[0])

#: (from, to, from id, to id, label, type id) -> what the message must say (None: no hint)
CASES: list[tuple[tuple[str, str, str, str, str, str], str | None]] = [
    (("contacts", "companies", CONTACT, COMPANY, "Employer", ""), 'The label "Employer" exists'),
    (("contacts", "companies", CONTACT, COMPANY, "employer ", ""), 'The label "Employer" exists'),
    (("deals", "contacts", DEAL, CONTACT, "", "1002"), 'Type id 1002 is the label "Decision'),
    (("contacts", "companies", CONTACT, COMPANY, "Nobody at all", ""), None),
    (("deals", "contacts", DEAL, CONTACT, "", "987654"), None),
]


def _frame(rows: list[tuple[str, str, str, str, str, str]]) -> pd.DataFrame:
    names = ["from_type", "to_type", "from_id", "to_id", "label", "type_id"]
    return pd.DataFrame(rows, columns=names)


def _check(messages: list[str], cases: list[Any]) -> None:
    for message, (_, hint) in zip(messages, cases, strict=True):
        if hint is None:
            assert "other direction" not in message, message
        else:
            assert hint in message and "the other direction" in message, message
            assert "swap the row's from and to" in message, message


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_pairs_row_of_the_reverse_direction_says_so(dry_run: bool) -> None:
    frame = hf.read_pairs(_frame([c[0] for c in CASES]))
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = hf.associate(frame, client, dry_run=dry_run, progress=False)
        issues = hf.validate_pairs(frame, client)
    assert (result["status"] == "invalid").all(), result[["status", "error_message"]]
    _check(result["error_message"].tolist(), CASES)
    online = issues[issues["code"].isin(["UNKNOWN_LABEL", "INVALID_ASSOCIATION_TYPE"])]
    _check(online.sort_values("position")["message"].tolist(), CASES)


def test_a_limits_row_of_the_reverse_direction_says_so() -> None:
    rows = [(f, t, lab, tid, "3") for (f, t, _, _, lab, tid), _ in CASES]
    frame = pd.DataFrame(rows, columns=["from_type", "to_type", "label", "type_id", "max"])
    limits = hf.read_limits(frame)
    with Sandbox(seed="demo") as sb:
        result = hf.configure_limits(limits, client_for(sb), dry_run=True, progress=False)
    assert (result["status"] == "invalid").all(), result[["status", "error_message"]]
    _check(result["error_message"].tolist(), CASES)
