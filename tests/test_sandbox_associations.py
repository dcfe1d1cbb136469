"""Record associations over HTTP, every version: batch create / default / read / archive /
labels archive, single PUT default / PUT labeled / DELETE, the per-record GET list.

Every response goes through ``api.call`` and so is validated against HubSpot's OpenAPI specs.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from openapi_check import CheckedApi

from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import (
    BUDGET_HOLDER,
    CHAMPION,
    COMPANY_IDS,
    CONTACT_IDS,
    DEAL_IDS,
    DECISION_MAKER,
    EMPLOYEE,
    RESELLER,
)

VERSIONS = ["v4", "2026-03", "2026-09"]
DEAL, DEAL2, DEAL_FREE = "2040000001", "2040000002", "2040000040"
CONTACT_FREE, CONTACT_FREE2 = "1019360100", "1019360101"
MISSING_CONTACT = "1019369999"


def assoc(version: str) -> str:
    return "/crm/v4/associations" if version == "v4" else f"/crm/associations/{version}"


def objects(version: str) -> str:
    return "/crm/v4/objects" if version == "v4" else f"/crm/objects/{version}"


def spec(type_id: int, category: str = "USER_DEFINED") -> dict[str, Any]:
    return {"associationCategory": category, "associationTypeId": type_id}


def create_input(from_id: str, to_id: str, *types: dict[str, Any]) -> dict[str, Any]:
    return {"from": {"id": from_id}, "to": {"id": to_id}, "types": list(types)}


def pair_types(sb: Sandbox, a: str, b: str, from_id: str, to_id: str) -> list[int]:
    rows = sb.associations(a, b)
    return sorted(rows[(rows.from_id == from_id) & (rows.to_id == to_id)].type_id.tolist())


# --- batch create -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_create_success(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    body = {"inputs": [create_input(DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id))]}
    ok = 200 if version == "2026-09" else 201
    r = api.call("POST", f"{assoc(version)}/deals/contacts/batch/create", body, expect=ok)
    result = r.json()["results"][0]
    assert result["labels"] == ["Champion"]
    assert result["fromObjectId"] == int(DEAL_FREE) and result["toObjectId"] == int(CONTACT_FREE)
    assert (result["fromObjectTypeId"], result["toObjectTypeId"]) == ("0-3", "0-1")
    assert "errors" not in r.json()
    # the labeled type carries the unlabeled one; the reverse direction gets both inverses
    assert pair_types(sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == [3, 1003]
    assert pair_types(sandbox, "contacts", "deals", CONTACT_FREE, DEAL_FREE) == [4, 1004]


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_create_mixed_maps_errors_through_context(
    api: CheckedApi, sandbox: Sandbox, version: str
) -> None:
    inputs = [
        create_input(DEAL_FREE, CONTACT_FREE, spec(DECISION_MAKER.type_id)),  # good
        create_input(DEAL_FREE, MISSING_CONTACT, spec(DECISION_MAKER.type_id)),  # no record
        create_input(DEAL_FREE, CONTACT_FREE2, spec(EMPLOYEE.type_id)),  # wrong pair
        create_input(DEAL, CONTACT_FREE2, spec(DECISION_MAKER.type_id)),  # deal at its limit 2
    ]
    r = api.call("POST", f"{assoc(version)}/deals/contacts/batch/create", {"inputs": inputs})
    assert r.status_code == (200 if version == "2026-09" else 207)
    body = r.json()
    assert [(x["fromObjectId"], x["toObjectId"]) for x in body["results"]] == [
        (int(DEAL_FREE), int(CONTACT_FREE))
    ]
    assert body["numErrors"] == 3
    by_kind = {
        next(k for k in ("INVALID_OBJECT_IDS", "INVALID_ASSOCIATION_TYPE_ID", "fromObjectId")
             if k in e["context"]): e
        for e in body["errors"]
    }  # fmt: skip
    missing = by_kind["INVALID_OBJECT_IDS"]
    assert missing["context"]["INVALID_OBJECT_IDS"] == [f"CONTACT={MISSING_CONTACT} is not valid"]
    assert missing["context"]["objectId"] == [MISSING_CONTACT]
    assert missing["context"]["objectType"] == ["CONTACT"]
    bad_type = by_kind["INVALID_ASSOCIATION_TYPE_ID"]
    assert bad_type["context"]["associationSpec"] == [f"USER_DEFINED={EMPLOYEE.type_id}"]
    limit = by_kind["fromObjectId"]
    assert limit["category"] == "VALIDATION_ERROR"
    assert limit["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    assert limit["context"] == {
        "fromObjectId": [DEAL],
        "toObjectId": [CONTACT_FREE2],
        "associationSpec": [f"USER_DEFINED={DECISION_MAKER.type_id}"],
    }
    assert DEAL in limit["message"] and "2" in limit["message"]
    assert pair_types(sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == [3, 1001]
    assert pair_types(sandbox, "deals", "contacts", DEAL, CONTACT_FREE2) == []
    assert pair_types(sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE2) == []


def test_batch_create_is_idempotent(api: CheckedApi, sandbox: Sandbox) -> None:
    body = {"inputs": [create_input(DEAL, "1019360001", spec(DECISION_MAKER.type_id))]}
    for _ in range(2):  # already there: succeeds without counting against the limit of 2
        api.call("POST", "/crm/v4/associations/deals/contacts/batch/create", body, expect=201)
    assert pair_types(sandbox, "deals", "contacts", DEAL, "1019360001") == [3, 1001]


def test_batch_create_several_labels_and_numeric_ids(api: CheckedApi, sandbox: Sandbox) -> None:
    item = create_input(
        DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id), spec(1005), spec(3, "HUBSPOT_DEFINED")
    )
    item["from"]["id"] = int(DEAL_FREE)  # HubSpot deserializes numbers into the string id
    r = api.call("POST", "/crm/v4/associations/deal/contact/batch/create", {"inputs": [item]})
    assert sorted(r.json()["results"][0]["labels"]) == ["Budget holder", "Champion"]
    assert pair_types(sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == [3, 1003, 1005]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"", "a request body was expected, but none found"),
        (b'{"inputs": [', "Invalid input JSON on line 1"),
        (b'{"inputs": "x"}', "Cannot deserialize"),
        (b'{"nothing": []}', "Some required fields were not set: [inputs]"),
        (
            b'{"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": [{}]}]}',
            "Some required fields were not set: [associationCategory, associationTypeId]",
        ),
        (
            b'{"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}}]}',
            "Some required fields were not set: [types]",
        ),
        (
            b'{"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": '
            b'[{"associationCategory": "MINE", "associationTypeId": 3}]}]}',
            "not one of the values accepted",
        ),
    ],
)
@pytest.mark.parametrize("version", VERSIONS)
def test_batch_create_whole_request_400(
    api: CheckedApi, sandbox: Sandbox, version: str, raw: bytes, fragment: str
) -> None:
    before = len(sandbox.associations("deals", "contacts"))
    r = api.call("POST", f"{assoc(version)}/deals/contacts/batch/create", raw=raw, expect=400)
    assert fragment in r.json()["message"]
    assert r.json()["category"] == "VALIDATION_ERROR"
    assert len(sandbox.associations("deals", "contacts")) == before


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_create_over_maximum_is_400(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    inputs = [create_input(DEAL_FREE, CONTACT_FREE, spec(3, "HUBSPOT_DEFINED"))] * 2001
    path = f"{assoc(version)}/deals/contacts/batch/create"
    r = api.call("POST", path, {"inputs": inputs}, expect=400)
    assert "2000" in r.json()["message"]
    assert pair_types(sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == []
    api.call("POST", path, {"inputs": inputs[:2000]})  # exactly the maximum is fine


@pytest.mark.parametrize(
    ("from_type", "to_type"),
    [
        ("deals", "contacts"),
        ("DEAL", "Contact"),
        ("0-3", "0-1"),
        ("deal", "CONTACTS"),
    ],
)
def test_object_type_spellings(api: CheckedApi, from_type: str, to_type: str) -> None:
    body = {"inputs": [create_input(DEAL_FREE, CONTACT_FREE, spec(3, "HUBSPOT_DEFINED"))]}
    api.call("POST", f"/crm/v4/associations/{from_type}/{to_type}/batch/create", body, expect=201)


@pytest.mark.parametrize("custom", ["2-7350001", "p_installations", "P24681357_installations"])
def test_custom_object_spellings(api: CheckedApi, sandbox: Sandbox, custom: str) -> None:
    inputs = [{"from": {"id": "2040000050"}, "to": {"id": "4710000010"}}]
    r = api.call(
        "POST", f"/crm/v4/associations/deals/{custom}/batch/associate/default", {"inputs": inputs}
    )
    assert r.status_code == 200
    assert r.json()["results"][0]["associationSpec"]["associationCategory"] == "USER_DEFINED"
    assert len(sandbox.associations("2-7350001", "deals").query("from_id == '4710000010'")) == 1


@pytest.mark.parametrize("bad", ["installations", "widgets", "2-999", "0-999"])
@pytest.mark.parametrize("version", VERSIONS)
def test_unknown_object_type_is_400(api: CheckedApi, version: str, bad: str) -> None:
    r = api.call("POST", f"{assoc(version)}/deals/{bad}/batch/create", {"inputs": []}, expect=400)
    assert r.json()["message"] == f"Unable to infer object type from: {bad}"


# --- batch associate default -------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_associate_default(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    inputs = [
        {"from": {"id": "2040000060"}, "to": {"id": "3120000030"}},
        {"from": {"id": "2040000060"}, "to": {"id": "3199999999"}},
    ]
    path = f"{assoc(version)}/deals/companies/batch/associate/default"
    r = api.call("POST", path, {"inputs": inputs}, expect=200)
    results = r.json()["results"]
    assert {(x["from"]["id"], x["associationSpec"]["associationTypeId"]) for x in results} == {
        ("2040000060", 341),
        ("3120000030", 342),
    }
    assert r.json()["errors"][0]["context"]["objectId"] == ["3199999999"]
    assert pair_types(sandbox, "companies", "deals", "3120000030", "2040000060") == [342]


# --- batch read ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_read_with_paging(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    sandbox.set_read_page_size(1)
    path = f"{assoc(version)}/deals/contacts/batch/read"
    r = api.call("POST", path, {"inputs": [{"id": DEAL}]}, expect=200)
    first = r.json()["results"][0]
    assert first["from"] == {"id": DEAL}
    assert first["to"][0]["toObjectId"] == 1019360001
    types = first["to"][0]["associationTypes"]
    assert types == [
        {"category": "USER_DEFINED", "typeId": 1001, "label": "Decision maker"},
        {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None},
    ]
    after = first["paging"]["next"]["after"]
    r = api.call("POST", path, {"inputs": [{"id": DEAL, "after": after}]}, expect=200)
    second = r.json()["results"][0]
    assert [t["toObjectId"] for t in second["to"]] == [1019360002]
    assert "paging" not in second


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_read_without_associations(api: CheckedApi, version: str) -> None:
    path = f"{assoc(version)}/deals/contacts/batch/read"
    r = api.call("POST", path, {"inputs": [{"id": DEAL}, {"id": DEAL_FREE}]})
    assert r.status_code == (200 if version == "2026-09" else 207)
    assert [x["from"]["id"] for x in r.json()["results"]] == [DEAL]
    error = r.json()["errors"][0]
    assert error["category"] == "OBJECT_NOT_FOUND"
    assert error["context"] == {"fromObjectId": [DEAL_FREE]}


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_read_over_maximum_is_400(api: CheckedApi, version: str) -> None:
    inputs = [{"id": str(2040000001 + i)} for i in range(1001)]
    path = f"{assoc(version)}/deals/contacts/batch/read"
    r = api.call("POST", path, {"inputs": inputs}, expect=400)
    assert "1000" in r.json()["message"]


# --- archive -------------------------------------------------------------------------------------


def _archive_status(version: str) -> int:
    return 204 if version == "v4" else 200


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_archive_removes_both_directions(
    api: CheckedApi, sandbox: Sandbox, version: str
) -> None:
    inputs = [{"from": {"id": DEAL}, "to": [{"id": "1019360001"}, {"id": "1019360002"}]}]
    path = f"{assoc(version)}/deals/contacts/batch/archive"
    r = api.call("POST", path, {"inputs": inputs}, expect=_archive_status(version))
    if version == "2026-03":
        assert r.json()["results"] == [{}]
    assert pair_types(sandbox, "deals", "contacts", DEAL, "1019360001") == []
    assert pair_types(sandbox, "contacts", "deals", "1019360002", DEAL) == []
    # the limit of 2 decision makers is free again
    body = {"inputs": [create_input(DEAL, CONTACT_FREE, spec(DECISION_MAKER.type_id))]}
    api.call("POST", "/crm/v4/associations/deals/contacts/batch/create", body, expect=201)


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_labels_archive(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    path = f"{assoc(version)}/deals/contacts/batch/labels/archive"
    label_only = {"inputs": [create_input(DEAL, "1019360001", spec(DECISION_MAKER.type_id))]}
    api.call("POST", path, label_only, expect=_archive_status(version))
    assert pair_types(sandbox, "deals", "contacts", DEAL, "1019360001") == [3]
    assert pair_types(sandbox, "contacts", "deals", "1019360001", DEAL) == [4]
    unlabeled = {"inputs": [create_input(DEAL, "1019360002", spec(3, "HUBSPOT_DEFINED"))]}
    api.call("POST", path, unlabeled, expect=_archive_status(version))
    assert pair_types(sandbox, "deals", "contacts", DEAL, "1019360002") == []
    bad = {"inputs": [create_input(DEAL, "1019360002", spec(EMPLOYEE.type_id))]}
    r = api.call("POST", path, bad, expect=400)
    assert r.json()["context"]["associationSpec"] == [f"USER_DEFINED={EMPLOYEE.type_id}"]


# --- single-record endpoints -----------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_put_default(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    path = f"{objects(version)}/deals/{DEAL_FREE}/associations/default/companies/3120000020"
    r = api.call("PUT", path, expect=200)
    specs = [x["associationSpec"]["associationTypeId"] for x in r.json()["results"]]
    assert specs == [341, 342]
    assert pair_types(sandbox, "deals", "companies", DEAL_FREE, "3120000020") == [341]


@pytest.mark.parametrize("version", VERSIONS)
def test_put_default_missing_record_is_400(api: CheckedApi, version: str) -> None:
    path = f"{objects(version)}/deals/{DEAL_FREE}/associations/default/contacts/{MISSING_CONTACT}"
    r = api.call("PUT", path, expect=400)
    assert r.json()["message"] == "One or more associations are invalid"
    assert r.json()["context"]["INVALID_OBJECT_IDS"] == [f"CONTACT={MISSING_CONTACT} is not valid"]


@pytest.mark.parametrize("version", VERSIONS)
def test_put_labeled_replaces_labels(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    path = f"{objects(version)}/deals/{DEAL2}/associations/contacts/1019360003"
    r = api.call("PUT", path, [spec(BUDGET := 1005)], expect=201)
    assert r.json() == {
        "fromObjectTypeId": "0-3",
        "fromObjectId": int(DEAL2),
        "toObjectTypeId": "0-1",
        "toObjectId": 1019360003,
        "labels": ["Budget holder"],
    }
    assert pair_types(sandbox, "deals", "contacts", DEAL2, "1019360003") == [3, BUDGET]
    assert pair_types(sandbox, "contacts", "deals", "1019360003", DEAL2) == [4, 1006]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"", "a request body was expected, but none found"),
        (b'"Champion"', "Cannot deserialize value of type `java.util.HashSet"),
        (b"[{}]", "Some required fields were not set"),
        (b'[{"associationCategory": "USER_DEFINED", "associationTypeId": 1007}]', "invalid"),
    ],
)
def test_put_labeled_errors(api: CheckedApi, raw: bytes, fragment: str) -> None:
    path = f"/crm/v4/objects/deals/{DEAL2}/associations/contacts/1019360003"
    r = api.call("PUT", path, raw=raw, expect=400)
    assert fragment in r.json()["message"]


def test_put_labeled_over_limit_is_400(api: CheckedApi) -> None:
    path = f"/crm/objects/2026-03/deals/{DEAL}/associations/contacts/{CONTACT_FREE}"
    r = api.call("PUT", path, [spec(DECISION_MAKER.type_id)], expect=400)
    assert r.json()["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"


@pytest.mark.parametrize("version", VERSIONS)
def test_delete_single(api: CheckedApi, sandbox: Sandbox, version: str) -> None:
    path = f"{objects(version)}/deals/{DEAL}/associations/contacts/1019360001"
    api.call("DELETE", path, expect=204)
    assert pair_types(sandbox, "deals", "contacts", DEAL, "1019360001") == []
    assert pair_types(sandbox, "contacts", "deals", "1019360001", DEAL) == []
    api.call("DELETE", path, expect=204)  # deleting again is harmless


@pytest.mark.parametrize("version", ["v4", "2026-03"])
def test_get_list_with_paging(api: CheckedApi, version: str) -> None:
    path = f"{objects(version)}/deals/{DEAL}/associations/contacts"
    r = api.call("GET", f"{path}?limit=1", expect=200)
    assert [x["toObjectId"] for x in r.json()["results"]] == [1019360001]
    after = r.json()["paging"]["next"]["after"]
    r = api.call("GET", f"{path}?limit=1&after={after}", expect=200)
    assert [x["toObjectId"] for x in r.json()["results"]] == [1019360002]
    assert "paging" not in r.json()
    r = api.call("GET", f"{objects(version)}/deals/{DEAL_FREE}/associations/contacts")
    assert r.json() == {"results": []}


def test_get_list_is_gone_in_2026_09(api: CheckedApi) -> None:
    api.call("GET", f"/crm/objects/2026-09/deals/{DEAL}/associations/contacts", expect=404)


def test_2025_09_alias_routes_like_2026_03(api: CheckedApi) -> None:
    body = {"inputs": [create_input(DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id))]}
    api.call("POST", "/crm/associations/2025-09/deals/contacts/batch/create", body, expect=201)


def test_unknown_route_and_method(api: CheckedApi) -> None:
    api.call("GET", "/crm/v4/associations/deals/contacts/batch/create", expect=405)
    api.call("POST", "/crm/v5/associations/deals/contacts/batch/create", {"inputs": []}, expect=404)
    # the /crm/associations/v4 spelling carries only the schema endpoints
    r = api.call("POST", "/crm/associations/v4/deals/contacts/batch/create", {"inputs": []})
    assert r.status_code == 404


# --- the batch hot path ---------------------------------------------------------------------------


def portal_state(sb: Sandbox) -> tuple[dict[Any, list[int]], dict[tuple[int, int], int]]:
    """Every stored link (with its types sorted) and every non-zero per-record type count."""
    links = {
        (key, from_id, to_id): sorted(types)
        for key, by_from in sb.portal.links.items()
        for from_id, targets in by_from.items()
        for to_id, types in targets.items()
    }
    return links, {k: n for k, n in sb.portal.counts.items() if n}


@pytest.mark.parametrize(
    ("a", "b", "type_ids"),
    [
        ("deals", "contacts", [DECISION_MAKER.type_id]),  # limited: checked pair by pair
        ("deals", "contacts", []),  # the unlabeled type is limited too (25)
        ("deals", "companies", [RESELLER.type_id]),  # no limit: the one-loop path
        ("deals", "companies", [RESELLER.type_id, 5]),  # two labels at once
        ("deals", "companies", []),
        ("companies", "companies", [13]),  # one object type both ways; some pairs from == to
        ("companies", "companies", []),
    ],
)
def test_associate_all_matches_associate_pair_by_pair(a: str, b: str, type_ids: list[int]) -> None:
    rng = random.Random(f"{a}{b}{type_ids}")
    ids = {"deals": DEAL_IDS, "contacts": CONTACT_IDS, "companies": COMPANY_IDS}
    pairs = [(rng.choice(ids[a][:6]), rng.choice(ids[b][:6])) for _ in range(120)]
    outcomes = []
    for whole in (False, True):
        sb = Sandbox(seed="demo")
        portal = sb.portal
        fk, tk = portal.kind(a), portal.kind(b)
        types = [portal.defs[t] for t in type_ids]
        before = portal_state(sb)
        if whole:
            refused = portal.associate_all(fk, tk, pairs, types)
        else:
            refused = {}
            for n, pair in enumerate(pairs):
                err = portal.associate(fk, tk, pair, types)
                if err is not None:
                    refused[n] = err
        assert portal_state(sb) != before
        outcomes.append(({n: e["message"] for n, e in refused.items()}, portal_state(sb)))
    assert outcomes[0] == outcomes[1]
    if type_ids == [DECISION_MAKER.type_id]:
        assert outcomes[0][0]  # the demo limit (2 per deal) refused some pairs


def test_batch_create_keeps_input_order_across_types(api: CheckedApi, sandbox: Sandbox) -> None:
    inputs = [
        create_input(DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id)),
        create_input(DEAL_FREE, MISSING_CONTACT, spec(CHAMPION.type_id)),  # error 1
        create_input(DEAL_FREE, CONTACT_FREE2, spec(BUDGET_HOLDER.type_id)),
        create_input(DEAL, CONTACT_FREE, spec(DECISION_MAKER.type_id)),  # error 2: at its limit
        create_input(DEAL_FREE, "1019360102", spec(CHAMPION.type_id)),
        create_input(DEAL_FREE, "1019360103", spec(EMPLOYEE.type_id)),  # error 3 (bad type, last)
        create_input("2040000041", CONTACT_FREE, spec(CHAMPION.type_id)),
        create_input("x1", CONTACT_FREE, spec(CHAMPION.type_id)),  # error 4 (no such record)
    ]
    r = api.call("POST", "/crm/v4/associations/deals/contacts/batch/create", {"inputs": inputs})
    body = r.json()
    assert [(x["fromObjectId"], x["toObjectId"], x["labels"]) for x in body["results"]] == [
        (int(DEAL_FREE), int(CONTACT_FREE), ["Champion"]),
        (int(DEAL_FREE), int(CONTACT_FREE2), ["Budget holder"]),
        (int(DEAL_FREE), 1019360102, ["Champion"]),
        (2040000041, int(CONTACT_FREE), ["Champion"]),
    ]
    kinds = [next(iter(e["context"])) for e in body["errors"]]
    assert kinds == [
        "INVALID_OBJECT_IDS",
        "fromObjectId",
        "INVALID_OBJECT_IDS",
        "INVALID_ASSOCIATION_TYPE_ID",
    ]
    assert body["errors"][2]["context"]["objectId"] == ["x1"]


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_associate_default_keeps_input_order(
    api: CheckedApi, sandbox: Sandbox, version: str
) -> None:
    inputs = [
        {"from": {"id": DEAL_FREE}, "to": {"id": CONTACT_FREE}},
        {"from": {"id": DEAL_FREE}, "to": {"id": MISSING_CONTACT}},
        {"from": {"id": "2040000041"}, "to": {"id": CONTACT_FREE2}},
    ]
    path = f"{assoc(version)}/deals/contacts/batch/associate/default"
    body = api.call("POST", path, {"inputs": inputs}, expect=200).json()
    assert [(x["from"]["id"], x["to"]["id"]) for x in body["results"]] == [
        (DEAL_FREE, CONTACT_FREE), (CONTACT_FREE, DEAL_FREE),
        ("2040000041", CONTACT_FREE2), (CONTACT_FREE2, "2040000041"),
    ]  # fmt: skip
    assert body["errors"][0]["context"]["objectId"] == [MISSING_CONTACT]
