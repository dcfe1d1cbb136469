"""A label cell written as a word for the plain association ("default", "unlabeled", "(no
label)") where the portal also has a label so called (a user label "Default") names both.

It was taken for the portal's label: associate applied "Default" where the sheet meant the plain
association, and remove_associations took only that label off, leaving the link a row naming
the unlabeled type removes.  Now such a row is refused (``AMBIGUOUS_LABEL``, not sent) in every
job that resolves labels; a row giving the label's type id, a portal (object pair) without such
a label, and a label only spelled like the word ("Default contact") are read as before.
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

VERSIONS = ("2026-03", "2026-09", "v4")
D, C, CO = demo_ids("deals"), demo_ids("contacts"), demo_ids("companies")
PLAIN_DC, PLAIN_DCO = 3, 341  # the unlabeled types of deals -> contacts, deals -> companies


def _row(to_type: str, from_id: object, to_id: object, label: str, type_id: object = None) -> dict:
    return {
        "from_type": "deals",
        "from_id": from_id,
        "to_type": to_type,
        "to_id": to_id,
        "label": label,
        "type_id": type_id,
    }


def _types(sb: Sandbox, to_type: str, from_id: object, to_id: object) -> set[int]:
    held = sb.associations("deals", to_type)
    mine = held.loc[(held["from_id"] == str(from_id)) & (held["to_id"] == str(to_id))]
    return {int(t) for t in mine["type_id"]}


def _clash(got: dict, cell: str, type_id: int) -> None:
    assert got["status"] == "invalid", got
    assert got["error_code"] == "AMBIGUOUS_LABEL", got
    said = str(got["error_message"])
    assert f'Label "{cell.strip()}" names both the plain (unlabeled) association' in said, said
    assert f'the portal\'s label "Default" (type id {type_id})' in said, said
    assert f"type_id column ({type_id} for the label)" in said, said
    assert "leave the label cell empty for the plain association" in said, said


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("version", VERSIONS)
def test_associate_refuses_a_default_cell_the_portal_has_a_label_for(
    version: str, dry_run: bool
) -> None:
    with Sandbox(seed="demo") as sb:
        label = sb.add_label("deals", "contacts", "Default")
        other = sb.add_label("deals", "contacts", "Default contact")
        rows = [
            _row("contacts", D[60], C[60], "default"),
            _row("contacts", D[61], C[61], " DEFAULT "),
            _row("contacts", D[62], C[62], "default", label),  # an export's row of the label
            _row("contacts", D[63], C[63], "Default contact"),
            _row("companies", D[64], CO[44], "default"),  # no "Default" label of this pair
        ]
        result = hf.associate(pd.DataFrame(rows), client_for(sb, version), dry_run=dry_run)
        got = result.to_dict("records")
        _clash(got[0], "default", label)
        _clash(got[1], " DEFAULT ", label)
        sent = "planned" if dry_run else "success"
        assert [g["status"] for g in got[2:]] == [sent] * 3, result
        assert [int(g["type_id"]) for g in got[2:]] == [label, other, PLAIN_DCO], result
        assert _types(sb, "contacts", D[60], C[60]) == set()
        assert _types(sb, "contacts", D[61], C[61]) == set()
        if dry_run:
            assert _types(sb, "contacts", D[62], C[62]) == set()
        else:
            assert label in _types(sb, "contacts", D[62], C[62])
            assert other in _types(sb, "contacts", D[63], C[63])
            assert _types(sb, "companies", D[64], CO[44]) == {PLAIN_DCO}


@pytest.mark.parametrize("version", VERSIONS)
def test_remove_refuses_a_default_cell_and_keeps_the_link_and_label(version: str) -> None:
    with Sandbox(seed="demo") as sb:
        label = sb.add_label("deals", "contacts", "Default")
        for n in (65, 66):
            sb.associate("deals", D[n], "contacts", C[n], PLAIN_DC)
            sb.associate("deals", D[n], "contacts", C[n], label)
        sb.associate("deals", D[67], "companies", CO[45], PLAIN_DCO)
        rows = [
            _row("contacts", D[65], C[65], "default"),
            _row("contacts", D[66], C[66], "default", label),
            _row("companies", D[67], CO[45], "default"),
        ]
        result = hf.remove_associations(pd.DataFrame(rows), client_for(sb, version))
        got = result.to_dict("records")
        _clash(got[0], "default", label)
        assert [g["status"] for g in got[1:]] == ["success", "success"], result
        assert _types(sb, "contacts", D[65], C[65]) == {PLAIN_DC, label}  # untouched
        assert _types(sb, "contacts", D[66], C[66]) == {PLAIN_DC}  # only the label off
        assert _types(sb, "companies", D[67], CO[45]) == set()  # the link itself


@pytest.mark.parametrize("version", VERSIONS)
def test_sync_refuses_a_default_cell_the_portal_has_a_label_for(version: str) -> None:
    with Sandbox(seed="demo") as sb:
        label = sb.add_label("deals", "contacts", "Default")
        rows = [
            _row("contacts", D[68], C[68], "default"),
            _row("contacts", D[69], C[69], "Default", label),
        ]
        client = client_for(sb, version)
        plan = hf.sync(pd.DataFrame(rows), client, dry_run=True)
        _clash(plan.to_dict("records")[0], "default", label)
        result = hf.sync(pd.DataFrame(rows), client)
        got = result.to_dict("records")
        _clash(got[0], "default", label)
        assert got[1]["status"] == "success", result
        assert _types(sb, "contacts", D[68], C[68]) == set()
        assert label in _types(sb, "contacts", D[69], C[69])


@pytest.mark.parametrize("version", VERSIONS)
def test_validation_with_a_client_refuses_a_default_cell(version: str) -> None:
    with Sandbox(seed="demo") as sb:
        label = sb.add_label("deals", "contacts", "Default")
        rows = [
            _row("contacts", D[70], C[70], "default"),
            {**_row("contacts", D[71], C[71], "Default"), "category": "USER_DEFINED"},
            _row("contacts", D[72], C[72], "default", label),
            _row("companies", D[73], CO[46], "default"),
        ]
        issues = hf.validate_pairs(pd.DataFrame(rows), client_for(sb, version))
        flagged = issues.loc[issues["code"] == "AMBIGUOUS_LABEL"]
        assert flagged["row"].astype(int).tolist() == [2, 3], issues
        assert (flagged["column"] == "label").all(), issues
        assert f"(type id {label})" in str(flagged["message"].iloc[0]), issues
        assert set(issues.loc[issues["severity"] == "error", "row"].astype(int)) == {2, 3}, issues


@pytest.mark.parametrize("version", VERSIONS)
def test_limits_refuse_a_default_cell_the_portal_has_a_label_for(version: str) -> None:
    with Sandbox(seed="demo") as sb:
        label = sb.add_label("deals", "contacts", "Default")
        before = sb.limits("deals", "contacts")
        limits = pd.DataFrame(
            [
                {"from_type": "deals", "to_type": "contacts", "label": "default"},
                {"from_type": "deals", "to_type": "contacts", "label": "default", "type_id": label},
            ]
        ).assign(max_to_object_ids=[6, 3])  # the sheet's checks take row 2 for the object
        client = client_for(sb, version)
        checked = hf.validate_limits(limits.iloc[[0]], client)
        assert checked["code"].tolist() == ["AMBIGUOUS_LABEL"], checked
        result = hf.configure_limits(limits, client)
        got = result.to_dict("records")
        _clash(got[0], "default", label)
        assert got[1]["status"] == "success", result
        after = sb.limits("deals", "contacts").set_index("type_id")["max_to_object_ids"]
        assert int(after[label]) == 3
        plain = before.set_index("type_id")["max_to_object_ids"]
        assert int(after[PLAIN_DC]) == int(plain[PLAIN_DC]) == 25
