"""Rows naming one limit through several spellings, asking the same value, are one limit.

``Deals,Contacts,,1`` and ``Deals,Contacts,unlabeled,1`` (or ``Champion,40`` and
``champion ,40``) are one request.  When HubSpot would refuse it for the limits it holds
(LABEL_LIMIT_ABOVE_OBJECT_LIMIT), the check kept only the last row of each limit: the repeat
was ``invalid``, and the first was planned by the dry run, sent by the real run and refused by
HubSpot.  Now the first row is ``invalid`` and every repeat ``duplicate`` of it, in the dry run
and the real run alike, and nothing is sent; a repeat of a row that is sent is listed in the
dry run as repeating it, not as a second change.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

#: Spellings of one limit of the demo portal's deals -> contacts.
OBJECT_SPELLINGS = ["", "unlabeled", "Unlabeled ", "UNLABELED"]
CHAMPION_SPELLINGS = ["Champion", "champion ", " CHAMPION", "champion"]


def _sheet(rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [("Deals", "Contacts", label, limit) for label, limit in rows],
        columns=["From object", "To object", "Label", "Max associations"],
    )
    return hf.read_limits(frame.replace("", pd.NA))


def _writes(sb: Sandbox) -> int:
    return int((sb.request_log()["method"] != "GET").sum())


def _runs(sheet: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int, bool]:
    """The dry run, the real run, the writes the real run sent, and whether the limits are
    as they were."""
    with Sandbox(seed="demo") as sb:
        before = sb.limits("deals", "contacts")
        planned = hf.configure_limits(sheet, client_for(sb), dry_run=True)
        sb.reset_request_log()
        result = hf.configure_limits(sheet, client_for(sb), progress=False)
        writes = _writes(sb)
        after = sb.limits("deals", "contacts")
    return planned, result, writes, after.equals(before)


def _spelling_pairs(spellings: list[str]) -> list[tuple[str, ...]]:
    return [*itertools.permutations(spellings[:3], 2), tuple(spellings)]


@pytest.mark.parametrize(
    ("spellings", "limit"),
    [
        *((s, "1") for s in _spelling_pairs(OBJECT_SPELLINGS)),  # below Decision maker's 2
        *((s, "40") for s in _spelling_pairs(CHAMPION_SPELLINGS)),  # above the object's 25
    ],
)
def test_repeats_of_a_limit_hubspot_refuses_are_duplicates_and_nothing_is_sent(
    spellings: tuple[str, ...], limit: str
) -> None:
    planned, result, writes, unchanged = _runs(_sheet([(s, limit) for s in spellings]))
    for run in (planned, result):
        assert run["status"].tolist() == ["invalid"] + ["duplicate"] * (len(spellings) - 1)
        codes = ["LABEL_LIMIT_ABOVE_OBJECT_LIMIT"] + ["DUPLICATE_ROW"] * (len(spellings) - 1)
        assert run["error_code"].tolist() == codes
        # two spellings alike but for spaces are validation's repeats, and say so its way
        assert run["error_message"].iloc[1].startswith("Repeats row 2 (the same limit")
    assert writes == 0 and unchanged  # nothing HubSpot would refuse was sent


def test_a_repeat_between_other_rows_repeats_the_first() -> None:
    sheet = _sheet([("champion ", "40"), ("Budget holder", "5"), ("Champion", "40")])
    planned, result, writes, _ = _runs(sheet)  # Budget holder's limit is set
    for run, sent in ((planned, "planned"), (result, "success")):
        assert run["status"].tolist() == ["invalid", sent, "duplicate"]
    assert writes == 1  # Budget holder's limit only


def test_a_repeat_of_a_row_that_is_sent_is_listed_as_a_repeat() -> None:
    sheet = _sheet([("Decision maker", "3"), ("decision  MAKER", "3")])
    with Sandbox(seed="demo") as sb:
        planned = hf.configure_limits(sheet, client_for(sb), dry_run=True)
        result = hf.configure_limits(sheet, client_for(sb), progress=False)
        held = sb.limits("deals", "contacts")
    assert planned["limit_change"].tolist() == [
        "changes the limit from 2 to 3",
        "nothing: repeats row 2",
    ]
    assert result["status"].tolist() == ["success", "duplicate"]
    message = str(result["error_message"].iloc[1])
    assert "(the same limit: object pair and association type)" in message
    assert "records" not in message
    assert held.loc[held["label"] == "Decision maker", "max_to_object_ids"].tolist() == [3]
