"""Association limit configurations over HTTP, and their enforcement on association writes."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_check import CheckedApi

from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import CHAMPION, DECISION_MAKER, EMPLOYEE

PREFIXES = [
    ("/crm/associations/v4", "v4"),
    ("/crm/v4/associations", "v4"),
    ("/crm/associations/2026-03", "2026-03"),
    ("/crm/associations/2026-09", "2026-09"),
]
IDS = [p for p, _ in PREFIXES]
CONF = "definitions/configurations"


def limit(type_id: int, value: int, category: str = "USER_DEFINED") -> dict[str, Any]:
    return {"category": category, "typeId": type_id, "maxToObjectIds": value}


def create_status(version: str, errors: bool) -> int:
    if version == "2026-09":
        return 200
    return 207 if errors else 201


def update_status(version: str, errors: bool) -> int:
    return 207 if errors and version != "2026-09" else 200


@pytest.mark.parametrize(("prefix", "version"), PREFIXES, ids=IDS)
def test_get_all_and_per_pair(api: CheckedApi, prefix: str, version: str) -> None:
    everything = api.call("GET", f"{prefix}/{CONF}/all", expect=200).json()["results"]
    assert {(x["typeId"], x["userEnforcedMaxToObjectIds"]) for x in everything} == {
        (3, 25),
        (DECISION_MAKER.type_id, 2),
        (EMPLOYEE.type_id, 1),
    }
    pair = api.call("GET", f"{prefix}/{CONF}/deals/contacts", expect=200).json()["results"]
    assert pair == [
        {"category": "HUBSPOT_DEFINED", "typeId": 3, "userEnforcedMaxToObjectIds": 25,
         "label": None},
        {"category": "USER_DEFINED", "typeId": 1001, "userEnforcedMaxToObjectIds": 2,
         "label": "Decision maker"},
    ]  # fmt: skip
    empty = api.call("GET", f"{prefix}/{CONF}/tickets/contacts", expect=200).json()
    assert empty == {"results": []}


@pytest.mark.parametrize(("prefix", "version"), PREFIXES, ids=IDS)
def test_create_update_purge(api: CheckedApi, sandbox: Sandbox, prefix: str, version: str) -> None:
    base = f"{prefix}/{CONF}/deals/contacts/batch"
    body = {"inputs": [limit(CHAMPION.type_id, 3)]}
    r = api.call("POST", f"{base}/create", body, expect=create_status(version, False))
    assert r.json()["results"] == [
        {"category": "USER_DEFINED", "typeId": CHAMPION.type_id, "label": "Champion",
         "userEnforcedMaxToObjectIds": 3}
    ]  # fmt: skip
    r = api.call("POST", f"{base}/create", body, expect=create_status(version, True))
    assert "already exists" in r.json()["errors"][0]["message"]
    body = {"inputs": [limit(CHAMPION.type_id, 4)]}
    r = api.call("POST", f"{base}/update", body, expect=update_status(version, False))
    assert r.json()["results"] == [
        {"category": "USER_DEFINED", "typeId": CHAMPION.type_id, "userEnforcedMaxToObjectIds": 4}
    ]
    assert sandbox.limits("deals", "contacts").set_index("type_id").max_to_object_ids[1003] == 4
    purge = {"inputs": [{"category": "USER_DEFINED", "typeId": CHAMPION.type_id}]}
    r = api.call("POST", f"{base}/purge", purge, expect=204 if version == "v4" else 200)
    assert CHAMPION.type_id not in set(sandbox.limits().type_id)
    api.call("POST", f"{base}/purge", purge)  # purging again is harmless


@pytest.mark.parametrize(("prefix", "version"), PREFIXES, ids=IDS)
def test_item_errors(api: CheckedApi, sandbox: Sandbox, prefix: str, version: str) -> None:
    base = f"{prefix}/{CONF}/deals/contacts/batch"
    inputs = [
        limit(1005, 1),  # fine
        limit(EMPLOYEE.type_id, 1),  # not a deals -> contacts type
        limit(1003, 0),  # below 1
        limit(1003, 10_001),  # above the maximum
        limit(DECISION_MAKER.type_id, 26),  # label limit above the object limit (25)
        limit(3, 5, "USER_DEFINED"),  # wrong category for 3
    ]
    r = api.call("POST", f"{base}/create", {"inputs": inputs}, expect=create_status(version, True))
    assert [x["typeId"] for x in r.json()["results"]] == [1005]
    errors = r.json()["errors"]
    assert len(errors) == 5
    invalid = errors[0]
    assert invalid["subCategory"] == "crm.associations.INVALID_ASSOCIATION_TYPE"
    assert invalid["message"] == "1-1007 is not a valid association type between DEAL and CONTACT"
    # HubSpot's shape (hubspot-api.md 3.4): the type and the object types, no associationSpec
    assert invalid["context"] == {
        "type": ["1-1007"],
        "fromObjectType": ["DEAL"],
        "toObjectType": ["CONTACT"],
    }
    assert errors[4]["context"]["type"] == ["1-3"]  # USER_DEFINED 3: no deals -> contacts type
    specs = [e["context"]["associationSpec"][0] for e in errors[1:4]]
    assert specs == ["USER_DEFINED=1003", "USER_DEFINED=1003", "USER_DEFINED=1001"]
    update = {"inputs": [limit(1003, 2)]}  # no limit configured for Champion yet
    r = api.call("POST", f"{base}/update", update, expect=update_status(version, True))
    assert "create it before updating" in r.json()["errors"][0]["message"]


def test_a_purge_of_an_invalid_type_is_refused_in_hubspot_s_shape(api: CheckedApi) -> None:
    """The whole request's 400 names the type as the item errors do, without an
    associationSpec; the labels archive's keeps it, as the associations endpoints' errors do."""
    purge = {"inputs": [{"category": "USER_DEFINED", "typeId": EMPLOYEE.type_id}]}
    base = f"/crm/associations/2026-03/{CONF}/deals/contacts/batch"
    r = api.call("POST", f"{base}/purge", purge, expect=400)
    assert r.json()["subCategory"] == "crm.associations.INVALID_ASSOCIATION_TYPE"
    assert r.json()["context"] == {
        "type": [f"1-{EMPLOYEE.type_id}"],
        "fromObjectType": ["DEAL"],
        "toObjectType": ["CONTACT"],
    }
    types = [{"associationCategory": "USER_DEFINED", "associationTypeId": EMPLOYEE.type_id}]
    archive = {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": types}]}
    path = "/crm/associations/2026-03/deals/contacts/batch/labels/archive"
    r = api.call("POST", path, archive, expect=400)
    assert r.json()["context"]["associationSpec"] == [f"USER_DEFINED={EMPLOYEE.type_id}"]


def test_label_limit_at_most_object_limit_on_update(api: CheckedApi, sandbox: Sandbox) -> None:
    base = f"/crm/associations/2026-03/{CONF}/deals/contacts/batch"
    r = api.call("POST", f"{base}/update", {"inputs": [limit(DECISION_MAKER.type_id, 30)]})
    error = r.json()["errors"][0]
    assert "between 1 and 25" in error["message"]
    # lowering the object limit below a label limit fails too, naming the label
    r = api.call("POST", f"{base}/update", {"inputs": [limit(3, 1, "HUBSPOT_DEFINED")]})
    assert "at least 2" in r.json()["errors"][0]["message"]
    r = api.call("POST", f"{base}/update", {"inputs": [limit(3, 2, "HUBSPOT_DEFINED")]})
    assert r.status_code == 200
    assert sandbox.limits("deals", "contacts").set_index("type_id").max_to_object_ids[3] == 2


@pytest.mark.parametrize(
    "raw",
    [
        b'{"inputs": [{"category": "USER_DEFINED", "typeId": 1003}]}',
        b'{"inputs": [{"category": "NOPE", "typeId": 1003, "maxToObjectIds": 2}]}',
        b'{"inputs": [{"category": "USER_DEFINED", "typeId": "x", "maxToObjectIds": 2}]}',
        b"not json",
    ],
)
def test_limit_whole_request_400(api: CheckedApi, raw: bytes) -> None:
    api.call(
        "POST", f"/crm/associations/v4/{CONF}/deals/contacts/batch/create", raw=raw, expect=400
    )


def test_purge_unknown_type_is_400(api: CheckedApi) -> None:
    body = {"inputs": [{"category": "USER_DEFINED", "typeId": 999999}]}
    api.call("POST", f"/crm/associations/v4/{CONF}/deals/contacts/batch/purge", body, expect=400)


# --- enforcement ----------------------------------------------------------------------------------


def _create(api: CheckedApi, from_id: str, to_id: str, type_id: int) -> Any:
    item = {
        "from": {"id": from_id},
        "to": {"id": to_id},
        "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": type_id}],
    }
    return api.call("POST", "/crm/v4/associations/deals/contacts/batch/create", {"inputs": [item]})


def test_limit_is_per_source_record_and_type(api: CheckedApi, sandbox: Sandbox) -> None:
    sandbox.set_limit("deals", "contacts", 1, type_id=CHAMPION.type_id)
    assert _create(api, "2040000010", "1019360100", CHAMPION.type_id).status_code == 201
    assert _create(api, "2040000010", "1019360101", CHAMPION.type_id).status_code == 207
    # another deal has its own budget; another label on the same deal is not limited
    assert _create(api, "2040000011", "1019360101", CHAMPION.type_id).status_code == 201
    assert _create(api, "2040000010", "1019360101", 1005).status_code == 201


def test_limit_within_one_batch(api: CheckedApi, sandbox: Sandbox) -> None:
    inputs = [
        {
            "from": {"id": "2040000020"},
            "to": {"id": str(1019360100 + i)},
            "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 1001}],
        }
        for i in range(4)
    ]
    r = api.call("POST", "/crm/v4/associations/deals/contacts/batch/create", {"inputs": inputs})
    assert r.status_code == 207
    assert [x["toObjectId"] for x in r.json()["results"]] == [1019360100, 1019360101]
    assert [e["context"]["toObjectId"] for e in r.json()["errors"]] == [
        ["1019360102"],
        ["1019360103"],
    ]


def test_unlabeled_limit_applies_to_default_associations(api: CheckedApi, sandbox: Sandbox) -> None:
    sandbox.set_limit("deals", "companies", 1)
    path = "/crm/associations/2026-03/deals/companies/batch/associate/default"
    inputs = [{"from": {"id": "2040000030"}, "to": {"id": str(3120000001 + i)}} for i in range(2)]
    r = api.call("POST", path, {"inputs": inputs}, expect=200)
    assert len(r.json()["results"]) == 2  # one pair, both directions
    assert r.json()["errors"][0]["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    put = "/crm/v4/objects/deals/2040000030/associations/default/companies/3120000009"
    api.call("PUT", put, expect=400)


def test_reverse_direction_limit(api: CheckedApi, sandbox: Sandbox) -> None:
    # contacts -> companies "Employee" is limited to 1: the reverse "Employer" link from a
    # company cannot give contact 1019360001 (employee of 3120000001) a second employer
    path = "/crm/v4/associations/companies/contacts/batch/create"
    item = {
        "from": {"id": "3120000005"},
        "to": {"id": "1019360001"},
        "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 1008}],
    }
    r = api.call("POST", path, {"inputs": [item]}, expect=207)
    error = r.json()["errors"][0]
    assert error["context"]["fromObjectId"] == ["3120000005"]
    assert "1019360001" in error["message"]
