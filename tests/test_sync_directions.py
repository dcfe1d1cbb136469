"""A sync never removes an association its sheet lists from the other side.

An association is one for both directions: removing deal A - contact C removes contact C -
deal A too.  A sheet can list both directions: an export of companies to companies lists
every parent/child association twice (A -> C and C -> A), and analysts put an export of deals
-> contacts and one of contacts -> deals in one file.  Deleting the row of one direction while
the other still listed the association made the sync remove it, report the other row ``keep``
(false after the run) and plan to add it back on the next sync.  Such a removal is now held
(``REMOVAL_HELD``, naming the row that keeps it): the pair's removal while any row of the
other direction lists the pair, a label's while the other direction removes nothing of the
pair.  Deleting (or relabeling) the rows of both directions still removes.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

COMPANIES = [str(i) for i in demo_ids("companies")[:4]]
DEALS = [str(i) for i in demo_ids("deals")[:3]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:6]]
Link = frozenset[str]


def _companies(sb: Sandbox) -> pd.DataFrame:
    """A parent/child association A - B, a plain one A - C, and B - D; exported both ways."""
    a, b, c, d = COMPANIES
    child = sb.type_id("companies", "companies", "Child company")
    sb.associate("companies", a, "companies", b, child)
    sb.associate("companies", a, "companies", c)
    sb.associate("companies", b, "companies", d)
    return hf.read_associations(client_for(sb), "companies", "companies", COMPANIES, progress=False)


def _links(sb: Sandbox, from_type: str, to_type: str) -> set[Link]:
    table = sb.associations(from_type, to_type)
    return {
        frozenset(p)
        for p in zip(table["from_id"].astype(str), table["to_id"].astype(str), strict=True)
    }


def _without(frame: pd.DataFrame, from_id: str, to_id: str) -> pd.DataFrame:
    keep = ~((frame["from_id"] == from_id) & (frame["to_id"] == to_id))
    return frame.loc[keep].reset_index(drop=True)


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_one_direction_deleted_holds_the_removal(version: str) -> None:
    a, _, c, _ = COMPANIES
    with Sandbox(seed="demo") as sb:
        exported = _companies(sb)
        before = _links(sb, "companies", "companies")
        client = client_for(sb, api_version=version)
        result = hf.sync(_without(exported, a, c), client, allow_removals=True, progress=False)
        assert _links(sb, "companies", "companies") == before
    removal = result.loc[result["change"] == "remove"]
    assert removal["error_code"].tolist() == ["REMOVAL_HELD"], result
    assert "from the other side" in str(removal["error_message"].iloc[0])


def test_both_directions_deleted_remove_it() -> None:
    a, _, c, _ = COMPANIES
    with Sandbox(seed="demo") as sb:
        exported = _companies(sb)
        client = client_for(sb)
        sheet = _without(_without(exported, a, c), c, a)
        result = hf.sync(sheet, client, allow_removals=True, progress=False)
        assert frozenset((a, c)) not in _links(sb, "companies", "companies")
    assert (result.loc[result["change"] == "remove", "status"] == "success").all(), result


@pytest.mark.parametrize("both", [True, False])
def test_a_label_cleared_on_one_side_only_is_kept(both: bool) -> None:
    a, b, _, _ = COMPANIES
    with Sandbox(seed="demo") as sb:
        exported = _companies(sb)
        client = client_for(sb)
        sheet = exported.copy()
        sides = [(a, b), (b, a)] if both else [(a, b)]
        for f, t in sides:
            sheet.loc[(sheet["from_id"] == f) & (sheet["to_id"] == t), ["label", "type_id"]] = None
        hf.sync(sheet, client, allow_removals=True, progress=False)
        after = hf.read_associations(client, "companies", "companies", [a], progress=False)
    labels = set(after.loc[after["to_id"] == b, "label"].dropna())
    assert frozenset((a, b)) in _links(sb, "companies", "companies")
    assert labels == (set() if both else {"Child company"})


def test_a_file_of_both_directions_keeps_what_either_lists() -> None:
    """Deals -> contacts and contacts -> deals in one file: each association is removed only
    when neither half lists it (a seeded draw of the rows deleted)."""
    rng = random.Random(20261130)
    for _ in range(8):
        with Sandbox(seed="demo") as sb:
            for n, deal in enumerate(DEALS):  # every record with several associations
                for contact in CONTACTS[n % 2 :: 2]:
                    sb.associate("deals", deal, "contacts", contact)
            client = client_for(sb)
            forward = hf.read_associations(client, "deals", "contacts", DEALS, progress=False)
            back = hf.read_associations(client, "contacts", "deals", CONTACTS, progress=False)
            both = pd.concat([forward, back], ignore_index=True)
            kept = both.loc[[rng.random() < 0.7 for _ in range(len(both))]]
            listed = {frozenset(p) for p in zip(kept["from_id"], kept["to_id"], strict=True)}
            before = _links(sb, "deals", "contacts")
            scope_links = {
                frozenset(p)
                for p in zip(both["from_id"], both["to_id"], strict=True)
                if frozenset(p) in before
            }
            hf.sync(
                kept.reset_index(drop=True),
                client,
                allow_removals=True,
                max_removals=1000,
                progress=False,
            )
            after = _links(sb, "deals", "contacts")
        assert listed & before <= after, "an association the sheet lists was removed"
        in_scope = {
            link
            for link in scope_links
            if link & set(kept.loc[kept["from_type"] == "deals", "from_id"])
            or link & set(kept.loc[kept["from_type"] == "contacts", "from_id"])
        }
        assert not (in_scope - listed) & after, "an association neither half lists stayed"


def test_an_invalid_row_of_the_other_side_holds_its_records_removals() -> None:
    """A row of contact C -> deals that could not be compared may name deal A: nothing of C
    is removed from the deals side either."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        forward = hf.read_associations(client, "deals", "contacts", DEALS[:1], progress=False)
        target = str(forward["to_id"].iloc[0])
        typo = forward.iloc[[0]].assign(
            from_type="contacts",
            from_id=target,
            to_type="deals",
            to_id=DEALS[0],
            label="Decision makr",
            type_id=None,
            category=None,
        )
        sheet = pd.concat([_without(forward, DEALS[0], target), typo], ignore_index=True)
        before = _links(sb, "deals", "contacts")
        result = hf.sync(sheet, client, allow_removals=True, progress=False)
        assert _links(sb, "deals", "contacts") == before
    removal = result.loc[result["change"] == "remove"]
    assert set(removal["error_code"]) == {"REMOVAL_HELD"}, result
