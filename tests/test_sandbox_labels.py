"""Association labels (definitions) over HTTP: list, create, update, delete, every spelling."""

from __future__ import annotations

import pytest
from openapi_check import CheckedApi

from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import CHAMPION, DECISION_MAKER

# (prefix, version) for every spelling of the schema endpoints
PREFIXES = [
    ("/crm/associations/v4", "v4"),
    ("/crm/v4/associations", "v4"),
    ("/crm/associations/2026-03", "2026-03"),
    ("/crm/associations/2026-09", "2026-09"),
]
IDS = [p for p, _ in PREFIXES]


@pytest.mark.parametrize(("prefix", "version"), PREFIXES, ids=IDS)
def test_list_labels(api: CheckedApi, prefix: str, version: str) -> None:
    r = api.call("GET", f"{prefix}/contacts/companies/labels", expect=200)
    results = r.json()["results"]
    by_id = {x["typeId"]: x for x in results}
    assert by_id[1]["label"] == "Primary" and by_id[1]["category"] == "HUBSPOT_DEFINED"
    assert by_id[279]["label"] is None
    assert by_id[1007]["label"] == "Employee" and by_id[1007]["category"] == "USER_DEFINED"
    assert results[-1]["typeId"] == 279  # the unlabeled type comes last
    if version == "2026-09":
        assert "fromObjectTypeId" not in by_id[1]
    else:
        assert (by_id[1]["fromObjectTypeId"], by_id[1]["toObjectTypeId"]) == ("0-1", "0-2")
    reverse = api.call("GET", f"{prefix}/companies/contacts/labels").json()["results"]
    assert {x["typeId"]: x["label"] for x in reverse}[1008] == "Employer"


def test_custom_object_labels(api: CheckedApi) -> None:
    r = api.call("GET", "/crm/associations/v4/p_installations/deals/labels", expect=200)
    assert r.json()["results"] == [
        {
            "category": "USER_DEFINED",
            "typeId": 1013,
            "label": None,
            "fromObjectTypeId": "2-7350001",
            "toObjectTypeId": "0-3",
        }
    ]


@pytest.mark.parametrize(("prefix", "version"), PREFIXES, ids=IDS)
def test_create_paired_label(api: CheckedApi, sandbox: Sandbox, prefix: str, version: str) -> None:
    body = {"name": "manager_report", "label": "Manager", "inverseLabel": "Report"}
    r = api.call("POST", f"{prefix}/contacts/contacts/labels", body, expect=200)
    forward, backward = r.json()["results"]
    assert forward["category"] == backward["category"] == "USER_DEFINED"
    assert (forward["label"], backward["label"]) == ("Manager", "Report")
    assert forward["typeId"] != backward["typeId"]
    assert forward["typeId"] > 1000  # portal-specific ids, above every HUBSPOT_DEFINED id
    labels = sandbox.labels("contacts", "contacts")
    assert {"Manager", "Report"} <= set(labels.label.dropna())


def test_create_unpaired_label_has_one_id_per_direction(api: CheckedApi, sandbox: Sandbox) -> None:
    body = {"name": "partner", "label": "Partner"}
    r = api.call("POST", "/crm/associations/2026-03/deals/companies/labels", body, expect=200)
    forward, backward = r.json()["results"]
    assert (forward["fromObjectTypeId"], backward["fromObjectTypeId"]) == ("0-3", "0-2")
    assert forward["label"] == backward["label"] == "Partner"
    # an unpaired same-object label is one symmetric type
    r = api.call(
        "POST", "/crm/v4/associations/deals/deals/labels", {"name": "twin", "label": "Twin"}
    )
    assert len(r.json()["results"]) == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "bad-name", "label": "Bad"}, "Invalid association label name"),
        ({"name": "9lives", "label": "Bad"}, "Invalid association label name"),
        ({"name": "decision_maker", "label": "Again"}, "already exists"),
        ({"label": "No name"}, "Some required fields were not set: [name]"),
        ({"name": "x", "label": 5}, "Cannot deserialize"),
    ],
)
def test_create_label_errors(api: CheckedApi, body: dict[str, object], fragment: str) -> None:
    r = api.call("POST", "/crm/associations/v4/deals/contacts/labels", body, expect=400)
    assert fragment in r.json()["message"]


def test_at_most_ten_labels_per_pair(api: CheckedApi) -> None:
    path = "/crm/associations/v4/deals/tickets/labels"
    for i in range(10):
        api.call("POST", path, {"name": f"label_{i}", "label": f"Label {i}"}, expect=200)
    r = api.call("POST", path, {"name": "label_10", "label": "Label 10"}, expect=400)
    assert "at most 10" in r.json()["message"]


@pytest.mark.parametrize(("prefix", "version"), PREFIXES, ids=IDS)
def test_update_label(api: CheckedApi, sandbox: Sandbox, prefix: str, version: str) -> None:
    body = {"associationTypeId": 1007, "label": "Staff", "inverseLabel": "Organisation"}
    api.call("PUT", f"{prefix}/contacts/companies/labels", body, expect=204)
    assert "Staff" in set(sandbox.labels("contacts", "companies").label.dropna())
    assert "Organisation" in set(sandbox.labels("companies", "contacts").label.dropna())


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"associationTypeId": 279, "label": "Nope"}, 400),  # HUBSPOT_DEFINED
        ({"associationTypeId": 1001, "label": "Nope"}, 400),  # other pair
        ({"associationTypeId": 1007}, 400),
        ({"associationTypeId": 1007, "label": " "}, 400),
    ],
)
def test_update_label_errors(api: CheckedApi, body: dict[str, object], status: int) -> None:
    api.call("PUT", "/crm/associations/2026-03/contacts/companies/labels", body, expect=status)


@pytest.mark.parametrize(("prefix", "version"), PREFIXES, ids=IDS)
def test_delete_label(api: CheckedApi, sandbox: Sandbox, prefix: str, version: str) -> None:
    api.call("DELETE", f"{prefix}/deals/contacts/labels/{DECISION_MAKER.type_id}", expect=400)
    # in use by the demo data; free it first, then delete (both directions go)
    for contact in ("1019360001", "1019360002"):
        api.call("DELETE", f"/crm/v4/objects/deals/2040000001/associations/contacts/{contact}")
    api.call("DELETE", f"{prefix}/deals/contacts/labels/{DECISION_MAKER.type_id}", expect=204)
    assert DECISION_MAKER.type_id not in set(sandbox.labels("deals", "contacts").type_id)
    assert DECISION_MAKER.inverse_type_id not in set(sandbox.labels("contacts", "deals").type_id)
    assert DECISION_MAKER.type_id not in set(sandbox.limits().type_id)  # its limit went too


def test_delete_label_errors(api: CheckedApi) -> None:
    api.call("DELETE", "/crm/associations/v4/deals/contacts/labels/3", expect=400)  # HubSpot's
    api.call("DELETE", "/crm/associations/v4/deals/contacts/labels/abc", expect=400)
    api.call("DELETE", f"/crm/associations/v4/contacts/deals/labels/{CHAMPION.type_id}", expect=400)
