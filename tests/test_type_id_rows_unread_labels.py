"""Rows that name their association type by its type id only, while HubSpot does not answer
one object pair's labels list (a 503 after every retry).

A limits row giving its label by ``Type ID`` alone had its type checked against the pair's
labels outside the guard every other row's labels read has: the read's ServerError left
``configure_limits`` (dry run and real run alike), so no row of the sheet got an outcome, no
report was written, and the other object pairs' limits were not set.  Its row now fails as a
row naming the label by name does ("Could not read the association labels"), and every other
row is judged on its own.  Driven over HTTP through a proxy that fails only that pair's labels
read; the portal is the oracle."""

from __future__ import annotations

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

HEADER = ["From", "To", "Label", "Type ID", "Max"]
#: The rows of the pair whose labels cannot be read, each naming its type another way.
UNREAD = {
    "type id": ["deals", "contacts", "", "1003", "7"],
    "label": ["deals", "contacts", "Champion", "", "7"],
    "both": ["deals", "contacts", "Champion", "1003", "7"],
    "unlabeled": ["deals", "contacts", "", "", "7"],
}
OTHER = ["contacts", "companies", "Employee", "", "3"]


def _client(proxy: FaultProxy, sb: Sandbox) -> hf.HubSpotClient:
    return hf.HubSpotClient(
        token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05, max_retries=1
    )


def _limit(sb: Sandbox, from_type: str, to_type: str, label: str) -> str | None:
    held = sb.limits(from_type, to_type)
    found = held.loc[held["label"].astype("string").fillna("") == label, "max_to_object_ids"]
    return None if found.empty else str(found.iloc[0])


@pytest.mark.parametrize("named", list(UNREAD))
@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("first", [True, False])
def test_a_row_of_an_unread_pair_fails_and_the_others_are_sent(
    named: str, dry_run: bool, first: bool
) -> None:
    rows = [UNREAD[named], OTHER] if first else [OTHER, UNREAD[named]]
    sheet = pd.DataFrame(rows, columns=HEADER)
    with Sandbox(seed="demo") as sb, FaultProxy(sb, fail_path="deals/contacts/labels") as proxy:
        before = _limit(sb, "deals", "contacts", "Champion")
        employee = _limit(sb, "contacts", "companies", "Employee")
        result = hf.configure_limits(sheet, _client(proxy, sb), dry_run=dry_run, progress=False)
        assert len(result) == 2
        mine = result.iloc[0 if first else 1]
        other = result.iloc[1 if first else 0]
        if named != "unlabeled":  # the object limit needs no label: it is sent
            assert mine["status"] == "failed", result[["status", "error_message"]]
            assert "Could not read the association labels" in mine["error_message"]
        assert other["status"] == ("planned" if dry_run else "success"), other
        assert _limit(sb, "deals", "contacts", "Champion") == before
        assert _limit(sb, "contacts", "companies", "Employee") == (employee if dry_run else "3")
        assert proxy.path_failures > 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_pair_rows_by_type_id_of_an_unread_pair_fail_and_the_others_are_sent(
    dry_run: bool,
) -> None:
    """An associate sheet whose rows give the type id alone needs no labels list (a type id
    is sent as it is): both rows are sent, neither run raises."""
    deals, contacts, companies = (demo_ids(t) for t in ("deals", "contacts", "companies"))
    sheet = pd.DataFrame(
        [
            ["deals", deals[40], "contacts", contacts[40], "", "1003"],
            ["contacts", contacts[41], "companies", companies[41], "", "1"],
        ],
        columns=["from_type", "from_id", "to_type", "to_id", "label", "type_id"],
    )
    with Sandbox(seed="demo") as sb, FaultProxy(sb, fail_path="deals/contacts/labels") as proxy:
        result = hf.associate(sheet, _client(proxy, sb), dry_run=dry_run, progress=False)
        assert len(result) == 2
        assert result["status"].tolist() == ["planned" if dry_run else "success"] * 2, result
        held = sb.associations("deals", "contacts")
        sent = held["from_id"].astype(str).eq(str(deals[40])) & held["type_id"].eq(1003)
        assert sent.any() != dry_run
