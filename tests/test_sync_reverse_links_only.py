"""A links-only row of the other direction keeps the labels of the pair it lists.

A sheet with no label or type id column (``Contact ID``, ``Company ID``: a HubSpot CRM
export) says nothing of labels: a sync leaves the labels of the pairs it lists.  Before, that
held only for a pair listed in the direction of the removal: a workbook read whole
(``sheet="*"``) with a labeled sheet of companies -> contacts and a links-only sheet of
contacts -> companies kept the pair the links-only sheet listed (``REMOVAL_HELD``) but removed
its label ("Employer").  The same in one links-only sheet listing both directions.  Against
the demo sandbox over HTTP.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, workbook_bytes

K = [str(i) for i in demo_ids("companies")[:1]]
C = [str(i) for i in demo_ids("contacts")[:4]]
D = [str(i) for i in demo_ids("deals")[:3]]
VERSIONS = ["2026-03", "2026-09", "v4"]
EMPLOYEE, CONTACT_COMPANY = 1007, 279  # contact -> company: the label, the unlabeled type
DECISION_MAKER, CHAMPION, CONTACT_DEAL = 1002, 1004, 4  # contact -> deal
EXPORT = ["from_type", "from_id", "to_type", "to_id", "label"]


def _types(sb: Sandbox, from_type: str, from_id: str, to_type: str, to_id: str) -> set[int]:
    found = sb.associations(from_type, to_type)
    mine = found[(found["from_id"].astype(str) == from_id) & (found["to_id"].astype(str) == to_id)]
    return {int(t) for t in mine["type_id"]}


def _state(sb: Sandbox, from_type: str, to_type: str) -> set[tuple[str, str, int]]:
    table = sb.associations(from_type, to_type)
    return {
        (str(f), str(t), int(k))
        for f, t, k in zip(table["from_id"], table["to_id"], table["type_id"], strict=True)
    }


def _changes(result: pd.DataFrame) -> list[tuple[str, ...]]:
    """What a run did or plans: a dry run's ``planned`` read as the real run's ``success``."""
    status = {"planned": "success"}
    columns = ["from_id", "to_id", "label", "change", "status"]
    return sorted(
        tuple(status.get(str(v), str(v)) for v in row)
        for row in result[columns].astype(object).itertuples(index=False)
    )


def _sync(sb: Sandbox, pairs: pd.DataFrame, version: str) -> pd.DataFrame:
    """Dry run, then the real run (which must do what the dry run said); returns the run's."""
    client = client_for(sb, version)
    options = {"allow_removals": True, "max_removals": 1000, "progress": False}
    plan = hf.sync(pairs, client, dry_run=True, **options)
    result = hf.sync(pairs, client, **options)
    assert _changes(plan) == _changes(result)
    return result


def _undone(sb: Sandbox, result: pd.DataFrame, version: str) -> None:
    hf.undo(result, client_for(sb, version), progress=False)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_links_only_sheet_of_the_other_direction_keeps_the_pairs_label(version: str) -> None:
    """Firms (companies -> contacts, with a type id column) lists K0 - C0 unlabeled; People
    (contacts -> companies, links only) lists C1 - K0, which the portal labels "Employee"."""
    book = {
        "Firms": [["Company ID", "Contact ID", "Type ID"], [K[0], C[0], 280]],
        "People": [["Contact ID", "Company ID"], [C[1], K[0]]],
    }
    with Sandbox(seed="demo") as sb:
        before = _state(sb, "contacts", "companies")
        assert _types(sb, "contacts", C[1], "companies", K[0]) == {CONTACT_COMPANY, EMPLOYEE}
        pairs = hf.read_pairs(io.BytesIO(workbook_bytes(book)), sheet="*")
        result = _sync(sb, pairs, version)
        shown = result[["sheet", "from_id", "to_id", "label", "change", "status"]]
        assert _types(sb, "contacts", C[1], "companies", K[0]) == {
            CONTACT_COMPANY,
            EMPLOYEE,
        }, shown
        # no links-only row lists K0 - C0: the labeled sheet's Type ID 280 says it has none
        assert _types(sb, "contacts", C[0], "companies", K[0]) == {CONTACT_COMPANY}, shown
        # nor K0 - C2: removed whole, as before
        assert _types(sb, "contacts", C[2], "companies", K[0]) == set(), shown
        _undone(sb, result, version)
        assert _state(sb, "contacts", "companies") == before


@pytest.mark.parametrize("version", VERSIONS)
def test_deals_and_contacts_other_direction_links_only_keeps_the_label(version: str) -> None:
    """An export of deal D0 (Decision maker with C0, no Champion) and a links-only sheet of
    contacts -> deals listing C1 - D0 (Decision maker in the portal): the same-named labels
    of the two directions are no pair of HubSpot's, told apart by name."""
    book = {
        "Deals": [EXPORT, ["deals", D[0], "contacts", C[0], "Decision maker"]],
        "Contacts": [["Contact ID", "Deal ID"], [C[1], D[0]]],
    }
    with Sandbox(seed="demo") as sb:
        sb.associate("deals", D[0], "contacts", C[0], type_id=1003)  # Champion
        before = _state(sb, "contacts", "deals")
        assert _types(sb, "contacts", C[1], "deals", D[0]) == {CONTACT_DEAL, DECISION_MAKER}
        pairs = hf.read_pairs(io.BytesIO(workbook_bytes(book)), sheet="*")
        result = _sync(sb, pairs, version)
        shown = result[["sheet", "from_id", "to_id", "label", "change", "status"]]
        assert _types(sb, "contacts", C[1], "deals", D[0]) == {
            CONTACT_DEAL,
            DECISION_MAKER,
        }, shown
        # the export lists D0 - C0 without Champion, and no links-only row lists it: removed
        assert _types(sb, "contacts", C[0], "deals", D[0]) == {CONTACT_DEAL, DECISION_MAKER}
        _undone(sb, result, version)
        assert _state(sb, "contacts", "deals") == before
        assert CHAMPION in _types(sb, "contacts", C[0], "deals", D[0])


@pytest.mark.parametrize("version", VERSIONS)
def test_one_links_only_sheet_listing_both_directions_keeps_the_labels(version: str) -> None:
    """One sheet, no label column, rows of both directions: deal D0 -> C0 and C1 -> D0.  D0 -
    C1 is held by the contact's row, and so is its Decision maker label."""
    sheet = [
        ["from_type", "from_id", "to_type", "to_id"],
        ["deals", D[0], "contacts", C[0]],
        ["contacts", C[1], "deals", D[0]],
    ]
    with Sandbox(seed="demo") as sb:
        before = _state(sb, "contacts", "deals")
        pairs = hf.read_pairs(io.BytesIO(workbook_bytes({"Links": sheet})))
        result = _sync(sb, pairs, version)
        shown = result[["sheet", "from_id", "to_id", "label", "change", "status"]]
        assert _types(sb, "contacts", C[1], "deals", D[0]) == {
            CONTACT_DEAL,
            DECISION_MAKER,
        }, shown
        assert _types(sb, "contacts", C[0], "deals", D[0]) == {CONTACT_DEAL, DECISION_MAKER}
        assert not ((result["change"] == "remove") & (result["status"] == "success")).any(), shown
        _undone(sb, result, version)
        assert _state(sb, "contacts", "deals") == before


def test_a_labeled_sheet_of_the_other_direction_still_removes_the_label() -> None:
    """Without a links-only row, a label the other direction's labeled rows lack goes, as
    before: Firms lists K0 - C0 with its type id, People (with a Type ID column) lists C1 -
    K0 unlabeled (279): Employee goes, the pair stays."""
    book = {
        "Firms": [["Company ID", "Contact ID", "Type ID"], [K[0], C[0], 280]],
        "People": [["Contact ID", "Company ID", "Type ID"], [C[1], K[0], CONTACT_COMPANY]],
    }
    with Sandbox(seed="demo") as sb:
        pairs = hf.read_pairs(io.BytesIO(workbook_bytes(book)), sheet="*")
        result = _sync(sb, pairs, "2026-03")
        shown = result[["sheet", "from_id", "to_id", "label", "change", "status"]]
        assert _types(sb, "contacts", C[1], "companies", K[0]) == {CONTACT_COMPANY}, shown
