"""A row HubSpot refused for a record's association limit names the record at its limit.

The limit error names the association type it counted: the row's own type (or its
direction's unlabeled type, which a label comes with) is the FROM record's limit; the other
direction's type is the TO record's.  Before, (a) on a same-object pair (companies ->
companies: 450 both ways) the FROM company was always blamed, the one with none; (b) a
custom object's unlabeled type is USER_DEFINED (1017), which hubframe took for the row's
label seen from the target: a labeled installation -> contact row refused by the
installation's limit blamed the contact.  The pair's unlabeled type ids are now learned from
its labels list, and a type that names either side (a same-object pair's) names both records.
Every API version and behaviour profile, custom objects spelled three ways.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import ErrorCode
from hubframe.run.answers import row_message
from hubframe.run.work import WorkItem
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import PORTAL_ID
from hubframe.testing import client_for, demo_ids
from hubframe.vocab import Action

pytestmark = pytest.mark.profiles

VERSIONS = ["2026-03", "v4", "2026-09"]
KW = {"progress": False}
COMPANIES = [str(i) for i in demo_ids("companies")[30:34]]
INSTALLATION = str(demo_ids("installations")[19])
CONTACTS = [str(i) for i in demo_ids("contacts")[210:212]]
SPELLINGS = ["2-7350001", "p_installations", f"p{PORTAL_ID}_installations"]


def _one(sb: Sandbox, version: str, row: dict[str, object]) -> str:
    result = hf.associate(pd.DataFrame([row]), client_for(sb, version), **KW)
    assert result.loc[0, "status"] == "failed", result.loc[0].to_dict()
    assert result.loc[0, "error_code"] == "LIMIT_EXCEEDED", result.loc[0].to_dict()
    return str(result.loc[0, "error_message"])


def _blames(message: str, noun: str, record: str) -> bool:
    return message.startswith(f"{noun} {record} already has")


@pytest.mark.parametrize("at_limit", ["from", "to"])
@pytest.mark.parametrize("version", VERSIONS)
def test_a_same_object_pairs_limit_never_blames_a_record_alone_by_a_type_of_both_sides(
    sandbox_factory: Callable[..., Sandbox], version: str, at_limit: str
) -> None:
    sb = sandbox_factory(seed="demo")
    sb.set_limit("companies", "companies", 1, type_id=450)
    full, other, new = COMPANIES[0], COMPANIES[1], COMPANIES[2]
    sb.associate("companies", full, "companies", other)  # `full` holds 1 (either direction)
    ends = (full, new) if at_limit == "from" else (new, full)
    row = {"from_type": "companies", "from_id": ends[0], "to_type": "companies", "to_id": ends[1]}
    message = _one(sb, version, row)
    assert not _blames(message, "Company", new), message
    assert full in message.split(" (HubSpot:")[0], message


@pytest.mark.parametrize("labeled", [True, False], ids=["labeled", "unlabeled"])
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", SPELLINGS)
def test_a_custom_objects_unlabeled_limit_blames_the_custom_record(
    sandbox_factory: Callable[..., Sandbox], name: str, version: str, labeled: bool
) -> None:
    sb = sandbox_factory(seed="demo")
    sb.add_label("2-7350001", "contacts", "Site contact", "Contact site")
    sb.set_limit("2-7350001", "contacts", 1, type_id=sb.type_id("2-7350001", "contacts"))
    sb.associate("2-7350001", INSTALLATION, "contacts", CONTACTS[0])  # at its limit of 1
    row: dict[str, object] = {
        "from_type": name,
        "from_id": INSTALLATION,
        "to_type": "contacts",
        "to_id": CONTACTS[1],
    }
    if labeled:
        row["label"] = "Site contact"
    message = _one(sb, version, row)
    assert not _blames(message, "Contact", CONTACTS[1]), message
    assert message.startswith(f"{name} record {INSTALLATION} already has"), message


@pytest.mark.parametrize("version", VERSIONS)
def test_the_contacts_limit_of_the_other_direction_blames_the_contact(
    sandbox_factory: Callable[..., Sandbox], version: str
) -> None:
    """Installation -> contact refused by the contact's limit of contact -> installation (the
    other direction's unlabeled type, read from its list): the contact is named."""
    sb = sandbox_factory(seed="demo")
    back = sb.type_id("contacts", "2-7350001")
    sb.set_limit("contacts", "2-7350001", 1, type_id=back)
    sb.associate("contacts", CONTACTS[0], "2-7350001", INSTALLATION)  # the contact holds 1
    other = str(demo_ids("installations")[18])
    row = {"from_type": "2-7350001", "from_id": other, "to_type": "contacts", "to_id": CONTACTS[0]}
    message = _one(sb, version, row)
    named = message.split(" (HubSpot:")[0]
    assert CONTACTS[0] in named and not _blames(message, "2-7350001 record", other), message


@pytest.mark.parametrize(
    ("item", "spec", "unlabeled", "side"),
    [
        # a same-object pair: its unlabeled type, or the row's own type, counts on either side
        (("companies", "companies", None, None), ("HUBSPOT_DEFINED", 450), {}, None),
        (("companies", "companies", "HUBSPOT_DEFINED", 13), ("HUBSPOT_DEFINED", 13), {}, None),
        (("contacts", "contacts", "USER_DEFINED", 1050), ("USER_DEFINED", 1050), {}, None),
        # a custom pair's unlabeled type, learned from its labels list
        (("2-1", "contacts", "USER_DEFINED", 1019), ("USER_DEFINED", 1017), {1017: 0}, 0),
        (("2-1", "contacts", None, None), ("USER_DEFINED", 1017), {1017: 0}, 0),
        (("2-1", "contacts", None, None), ("USER_DEFINED", 1018), {1017: 0, 1018: 1}, 1),
        (("2-1", "contacts", "USER_DEFINED", 1019), ("USER_DEFINED", 1020), {1017: 0}, 1),
        # not learned: a USER_DEFINED type may be either side's
        (("2-1", "contacts", "USER_DEFINED", 1019), ("USER_DEFINED", 1017), {}, None),
        # standard pairs, as before
        (("deals", "contacts", "USER_DEFINED", 1001), ("USER_DEFINED", 1001), {}, 0),
        (("deals", "contacts", "USER_DEFINED", 1001), ("USER_DEFINED", 1002), {}, 1),
        (("deals", "contacts", None, None), ("HUBSPOT_DEFINED", 4), {}, 1),
        (("deals", "contacts", None, None), ("HUBSPOT_DEFINED", 3), {}, 0),
    ],
)
def test_whose_limit_a_type_names(
    item: tuple[str, str, str | None, int | None],
    spec: tuple[str, int],
    unlabeled: dict[int, int],
    side: int | None,
) -> None:
    f, t, category, type_id = item
    row = WorkItem(0, Action.ASSOCIATE, f, t, "11", "22", category, type_id)
    learned = {
        (f, t): frozenset(i for i, s in unlabeled.items() if s == 0),
        (t, f): frozenset(i for i, s in unlabeled.items() if s == 1),
    }
    learned = {k: v for k, v in learned.items() if v}
    err = {
        "message": "at its limit",
        "subCategory": "crm.associations.LIMIT_EXCEEDED",
        "context": {
            "fromObjectId": ["11"],
            "toObjectId": ["22"],
            "associationSpec": [f"{spec[0]}={spec[1]}"],
        },
    }
    message = row_message(row, err, ErrorCode.LIMIT_EXCEEDED, learned)
    if side is None:
        assert " or " in message.split(" already")[0], message
    else:
        assert message.split(" already")[0].endswith(("11", "22")[side]), message
