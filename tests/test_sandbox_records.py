"""The sandbox's CRM objects endpoints: batch read by id or unique property, and listing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openapi_check import CheckedApi

from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import CONTACT_IDS, DEAL_IDS, contact_properties

READ = "/crm/objects/2026-03/contacts/batch/read"


def _read(api: CheckedApi, ids: list[str], path: str = READ, **body: Any) -> dict[str, Any]:
    payload = {"inputs": [{"id": i} for i in ids], "properties": [], "propertiesWithHistory": []}
    payload.update(body)
    resp = api.call("POST", path, payload)
    data: dict[str, Any] = resp.json()
    data["_status"] = resp.status_code
    return data


def test_read_by_email_matches_case_insensitively(api: CheckedApi) -> None:
    email = contact_properties()[0]["email"]
    data = _read(api, [email.upper()], idProperty="email", properties=["firstname"])
    assert data["_status"] == 200
    (record,) = data["results"]
    assert record["id"] == str(CONTACT_IDS[0])
    assert record["properties"]["email"] == email
    assert record["properties"]["firstname"] == "Olivia"


def test_unknown_values_are_one_error_listing_them(api: CheckedApi) -> None:
    email = contact_properties()[1]["email"]
    data = _read(api, [email, "nobody@example.com", "nobody@example.com"], idProperty="email")
    assert data["_status"] == 207
    assert [r["id"] for r in data["results"]] == [str(CONTACT_IDS[1])]
    (error,) = data["errors"]
    assert error["category"] == "OBJECT_NOT_FOUND"
    assert error["context"] == {"ids": ["nobody@example.com"]}


def test_read_by_record_id_and_domain(api: CheckedApi) -> None:
    data = _read(api, [str(CONTACT_IDS[2]), "12"])
    assert [r["id"] for r in data["results"]] == [str(CONTACT_IDS[2])]
    companies = _read(
        api, ["NorthwindAnalytics.example.com"], "/crm/objects/2026-03/companies/batch/read",
        idProperty="domain",
    )  # fmt: skip
    assert companies["_status"] == 200
    assert len(companies["results"]) == 1


def test_only_unique_properties_and_a_hundred_inputs(api: CheckedApi, sandbox: Sandbox) -> None:
    refused = api.call(
        "POST",
        READ,
        {"inputs": [{"id": "Olivia"}], "idProperty": "firstname", "properties": []},
        expect=400,
    )
    assert "not a unique property" in refused.json()["message"]
    too_many = {"inputs": [{"id": str(i)} for i in range(101)], "properties": []}
    api.call("POST", READ, too_many, expect=400)
    sandbox.add_unique_property("contacts", "firstname")
    data = _read(api, ["olivia"], idProperty="firstname")
    assert data["_status"] == 200


def test_v3_spelling_and_2026_09_status(api: CheckedApi, sandbox: Sandbox) -> None:
    email = contact_properties()[3]["email"]
    with HubSpotClient(sandbox.token, sandbox.url, "v4") as client:  # v3 is not in the specs
        v3 = client.batch_read_records("contacts", [email, "x@y.z"], id_property="email")
    assert v3.status == 207 and len(v3.json()["results"]) == 1
    assert "/crm/v3/objects/contacts/batch/read" in set(sandbox.request_log()["path"])
    dated = _read(api, ["x@y.z"], "/crm/objects/2026-09/contacts/batch/read", idProperty="email")
    assert dated["_status"] == 200 and dated["errors"]


def test_list_pages_records_in_id_order(api: CheckedApi) -> None:
    seen: list[str] = []
    after = None
    for _ in range(10):
        path = "/crm/objects/2026-03/deals?limit=30" + (f"&after={after}" if after else "")
        body = api.call("GET", path).json()
        seen += [r["id"] for r in body["results"]]
        after = (body.get("paging") or {}).get("next", {}).get("after")
        if not after:
            break
    assert seen == [str(i) for i in DEAL_IDS]


def test_scopes_are_checked(sandbox: Sandbox, api_for: Callable[..., CheckedApi]) -> None:
    token = sandbox.create_token(["crm.objects.deals.read"])
    caller = api_for(sandbox, token)
    caller.call("POST", READ, {"inputs": [{"id": "1"}], "properties": []}, expect=403)
