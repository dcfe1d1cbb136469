"""A sync row whose type id HubSpot does not list for its object pair holds its record.

Labels' type ids are the portal's own.  Before: a row naming "Decision maker" with the type id
another portal gave it was compared with the portal as an addition of that type id, and the
portal's own "Decision maker" as a removal: removals go first, the addition was then refused,
and the label the row names was gone.  An export of one portal (a sandbox rehearsal, a test
portal) synced unedited into another removed every label it listed, under the removal guard's
floor.  Such a row is now ``invalid`` (``INVALID_ASSOCIATION_TYPE``, saying which type id the
label has here) and, as every invalid row, holds its record.  Against the sandbox over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from hubframe.jobs import read_associations, sync
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[:3]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:2]]
VERSIONS = ["2026-03", "v4", "2026-09"]


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sb:
        yield sb


def links(sb: Sandbox, ids: list[str]) -> list[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    found = found[found["from_id"].isin(ids)]
    return sorted(zip(found["from_id"], found["to_id"], found["type_id"].astype(int), strict=True))


def rows(label: str | None, type_id: int, category: str | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": DEALS[0],
            "to_type": "contacts",
            "to_id": CONTACTS,
            "label": label,
            "category": category,
            "type_id": type_id,
        }
    )


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("label", "category"),
    [("Decision maker", "USER_DEFINED"), ("decision  MAKER", None), (None, "USER_DEFINED")],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_type_id_the_pair_lacks_holds_its_record(
    portal: Sandbox, version: str, label: str | None, category: str | None, dry_run: bool
) -> None:
    before = links(portal, DEALS[:1])
    result = sync(
        rows(label, 1099, category),
        client_for(portal, version),
        allow_removals=True,
        dry_run=dry_run,
        progress=False,
    )
    assert links(portal, DEALS[:1]) == before
    sheet = result[result["sheet"] != "(portal)"]
    assert sheet["status"].tolist() == ["invalid", "invalid"]
    assert set(sheet["error_code"]) == {"INVALID_ASSOCIATION_TYPE"}
    message = str(sheet["error_message"].iloc[0])
    assert "1099" in message and "from deals to contacts" in message
    if label is not None:  # the label it names, under the type id it has here
        assert '"Decision maker" is type id 1001 here' in message, message
    removals = result[result["sheet"] == "(portal)"]  # none: the record's rows are refused
    assert removals.empty, removals


@pytest.mark.parametrize("version", VERSIONS)
def test_an_export_of_another_portal_removes_nothing(version: str) -> None:
    """A rehearsal's export synced unedited into a portal with the same labels under other
    type ids: every labeled row is refused, naming its label's type id there."""
    with (
        Sandbox(seed="demo") as rehearsal,
        Sandbox(seed="demo", behaviour={"type_ids": "per_pair"}) as production,
    ):
        export = read_associations(
            client_for(rehearsal), "deals", "contacts", DEALS, progress=False
        )
        assert export["label"].notna().any()
        before = links(production, DEALS)
        result = sync(export, client_for(production, version), allow_removals=True, progress=False)
        assert links(production, DEALS) == before
    labeled = result[(result["sheet"] != "(portal)") & result["label"].notna()]
    assert set(labeled["error_code"]) == {"INVALID_ASSOCIATION_TYPE"}, labeled
    assert labeled["error_message"].str.contains("here: clear the type id").all()
    assert "success" not in set(result["status"])


def test_a_listed_type_id_is_compared_as_before(portal: Sandbox) -> None:
    """The type id of the label the row names (listed for the pair) is compared: the label is
    added where the portal lacks it."""
    result = sync(rows("Decision maker", 1001, "USER_DEFINED"), client_for(portal), progress=False)
    assert set(result["status"]) <= {"success", "skipped"}, result
    assert {(DEALS[0], contact, 1001) for contact in CONTACTS} <= set(links(portal, DEALS[:1]))
