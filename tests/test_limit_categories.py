"""A row's Category cell is checked against the type its label or type id names.

A limits row whose label was given had its Category cell ignored: "Decision maker" with
HUBSPOT_DEFINED was sent as USER_DEFINED, and the result showed HUBSPOT_DEFINED as applied.  A
category that disagrees with the resolved type is now refused (``invalid``,
``LABEL_TYPE_MISMATCH``, naming the value), like a label and type id that disagree, and the
result shows the category that was sent.
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

VERSIONS = ["2026-03", "2026-09", "v4"]
#: label, category cell, type id given, whether the category is the type's
CASES = [
    ("Decision maker", "HUBSPOT_DEFINED", False, False),
    ("Champion", "INTEGRATOR_DEFINED", False, False),
    ("Champion", "USER_DEFINED", True, True),
    ("", "HUBSPOT_DEFINED", True, True),
    ("", "USER_DEFINED", True, False),
    ("Unlabeled", "USER_DEFINED", False, False),
    ("Champion", "INTEGRATOR_DEFINED", True, False),
    ("Budget holder", "user_defined", False, True),
    ("Unlabeled", " hubspot_defined ", False, True),
    ("", "USER_DEFINED", False, False),  # a category alone: the object limit's type
    ("", "hubspot defined", False, True),
]


def _limits(sb: Sandbox, label: str, category: str, by_id: bool) -> pd.DataFrame:
    type_id = sb.type_id("deals", "contacts", label if label not in ("", "Unlabeled") else None)
    frame = pd.DataFrame(
        {
            "From": ["deals"],
            "To": ["contacts"],
            "Label": [label or pd.NA],
            "Category": [category],
            "Type ID": [str(type_id) if by_id else pd.NA],
            "Max": ["2"],
        }
    )
    return hf.read_limits(frame)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("label", "category", "by_id", "right"), CASES)
def test_a_category_the_type_does_not_have_is_refused(
    version: str, label: str, category: str, by_id: bool, right: bool
) -> None:
    with Sandbox(seed="demo") as sb:
        before = sb.limits("deals", "contacts")
        sheet = _limits(sb, label, category, by_id)
        client = client_for(sb, version)
        planned = hf.configure_limits(sheet, client, dry_run=True)
        result = hf.configure_limits(sheet, client, progress=False)
        after = sb.limits("deals", "contacts")
    listed = "HUBSPOT_DEFINED" if label in ("", "Unlabeled") else "USER_DEFINED"
    if right:
        assert result["status"].tolist() == ["success"], result
        assert result["category"].tolist() == [listed]  # the category sent
        assert planned["status"].tolist() == ["planned"]
    else:
        for table in (planned, result):
            assert table["status"].tolist() == ["invalid"], table
            assert table["error_code"].tolist() == ["LABEL_TYPE_MISMATCH"]
            message = table["error_message"][0]
            assert category in message and listed in message
        pd.testing.assert_frame_equal(before, after)


@pytest.mark.parametrize("version", VERSIONS)
def test_an_association_row_with_the_wrong_category_is_refused_too(version: str) -> None:
    """The check is where labels are resolved for every job: associate refuses it alike."""
    deal, contact = str(demo_ids("deals")[0]), str(demo_ids("contacts")[40])
    sheet = pd.DataFrame(
        {
            "Deal ID": [deal, deal],
            "Contact ID": [contact, str(demo_ids("contacts")[41])],
            "Association label": ["Champion", "Champion"],
            "Category": ["HUBSPOT_DEFINED", "USER_DEFINED"],
        }
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(sheet, client_for(sb, version), progress=False)
    assert result["status"].tolist() == ["invalid", "success"], result
    assert result["error_code"].tolist()[0] == "LABEL_TYPE_MISMATCH"


@pytest.mark.parametrize("spelled", ["user defined", "User-Defined", " user_defined "])
def test_a_category_spelled_as_analysts_write_it_is_that_category(spelled: str) -> None:
    """A frame given as it is (not read from a file) keeps its cells as typed: "user defined"
    is USER_DEFINED, not another category."""
    deal, contact = str(demo_ids("deals")[40]), str(demo_ids("contacts")[140])
    frame = pd.DataFrame(
        {
            "from_type": ["deals"],
            "to_type": ["contacts"],
            "from_id": [deal],
            "to_id": [contact],
            "label": ["Champion"],
            "category": [spelled],
        }
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(frame, client_for(sb), progress=False)
    assert result["status"].tolist() == ["success"], result
    assert result["category"].tolist() == ["USER_DEFINED"]


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_a_label_named_twice_is_told_apart_by_the_rows_category(version: str) -> None:
    """A user label "Primary" beside HubSpot's: each row was AMBIGUOUS_LABEL though its
    Category cell said which it meant (and the message's advice, "write the label exactly",
    could not be followed: it was exact).  The category now chooses; without one the label
    stays ambiguous."""
    contacts = [str(c) for c in demo_ids("contacts")[50:53]]
    company = str(demo_ids("companies")[10])
    sheet = pd.DataFrame(
        {
            "Contact ID": contacts,
            "Company ID": [company] * 3,
            "Label": ["Primary"] * 3,
            "Category": ["HUBSPOT_DEFINED", "USER_DEFINED", ""],
        }
    )
    with Sandbox(seed="demo") as sb:
        mine = sb.add_label("contacts", "companies", "Primary")
        result = hf.associate(sheet, client_for(sb, api_version=version), progress=False)
        links = sb.associations("contacts", "companies")
    assert result["status"].tolist() == ["success", "success", "invalid"], result
    assert result["error_code"].tolist()[2] == "AMBIGUOUS_LABEL"
    held = {
        (str(f), int(t))
        for f, to, t in zip(links["from_id"], links["to_id"], links["type_id"], strict=True)
        if str(to) == company
    }
    assert (contacts[0], 1) in held and (contacts[1], mine) in held
    assert (contacts[1], 1) not in held and (contacts[0], mine) not in held
