"""Reading the portal to explain refusals HubSpot gave no reason for."""

from __future__ import annotations

import pytest

from hubframe.errors import ErrorCode
from hubframe.run.diagnose import diagnose
from hubframe.run.work import Batch, WorkItem
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from hubframe.vocab import Action

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]


def _batch(action: Action, *items: WorkItem) -> Batch:
    return Batch(1, action, "deals", "contacts", items)


def test_rows_are_explained_by_what_the_portal_holds(sandbox: Sandbox) -> None:
    """A limit is full by what the portal holds; a row past it only counting the rows before
    it that fit is a finding marked ``later`` (those rows were refused too, or may yet be, for
    a reason no read shows: the caller sends it once they are settled)."""
    dm = sandbox.type_id("deals", "contacts", "Decision maker")  # demo limit: 2 per deal
    sandbox.associate("deals", DEALS[30], "contacts", CONTACTS[200], dm)
    sandbox.associate("deals", DEALS[30], "contacts", CONTACTS[204], dm)

    def row(n: int, deal: str, contact: str, type_id: int | None = dm) -> WorkItem:
        category = "USER_DEFINED" if type_id is not None else None
        action = Action.ASSOCIATE if type_id else Action.ASSOCIATE_DEFAULT
        return WorkItem(n, action, "deals", "contacts", deal, contact, category, type_id)

    batch = _batch(
        Action.ASSOCIATE,
        row(0, DEALS[30], CONTACTS[200]),  # there already: takes no other place
        row(1, DEALS[30], CONTACTS[201]),  # the deal holds its two decision makers
        row(2, DEALS[32], CONTACTS[201]),  # deal 32 holds none: its first two rows fit,
        row(3, DEALS[32], CONTACTS[202]),
        row(4, DEALS[32], CONTACTS[203]),  # its third is past the limit if they apply
        row(5, DEALS[31], "1019369999"),  # no such contact
        row(6, DEALS[31], CONTACTS[203], 4242),  # no such type for the pair
    )
    findings = diagnose(client_for(sandbox), batch)
    codes = [(f.code, f.later) if f else None for f in findings]
    assert codes == [
        None,
        (ErrorCode.LIMIT_EXCEEDED, False),
        None,
        None,
        (ErrorCode.LIMIT_EXCEEDED, True),
        (ErrorCode.OBJECT_NOT_FOUND, False),
        (ErrorCode.INVALID_ASSOCIATION_TYPE, False),
    ]
    assert findings[1] is not None and "'Decision maker'" in findings[1].message


def test_limit_rows_are_explained(sandbox: Sandbox) -> None:
    budget = sandbox.type_id("deals", "contacts", "Budget holder")
    unlabeled = sandbox.type_id("deals", "contacts", None)

    def limit(n: int, type_id: int, value: int, category: str) -> WorkItem:
        return WorkItem(
            n, Action.UPDATE_LIMIT, "deals", "contacts", category=category, type_id=type_id,
            max_to_object_ids=value, label="Budget holder" if type_id == budget else None,
        )  # fmt: skip

    batch = _batch(
        Action.UPDATE_LIMIT,
        limit(0, budget, 50, "USER_DEFINED"),  # above the demo object limit of 25
        limit(1, budget, 5, "USER_DEFINED"),  # fine
        limit(2, 4242, 5, "USER_DEFINED"),  # no such type
        limit(3, unlabeled, 1, "HUBSPOT_DEFINED"),  # below the demo label limits
    )
    codes = [f.code if f else None for f in diagnose(client_for(sandbox), batch)]
    assert codes == [
        ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
        None,
        ErrorCode.INVALID_ASSOCIATION_TYPE,
        ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
    ]


def test_a_failed_read_explains_nothing(sandbox_factory: object) -> None:
    sb = sandbox_factory(seed="demo")  # type: ignore[operator]
    row = WorkItem(0, Action.ASSOCIATE_DEFAULT, "deals", "contacts", DEALS[0], "1019369999")
    bad_token = client_for(sb, token="pat-na1-not-the-token-at-all")
    assert diagnose(bad_token, _batch(Action.ASSOCIATE_DEFAULT, row)) == [None]
