"""The behaviour switches (``Sandbox(behaviour=...)``): each does what it says, over HTTP, in
every API version it applies to, and ``"hostile"`` picks the least convenient value of each.

Every response goes through ``api_for(sb).call`` and so is validated against HubSpot's OpenAPI
specs, with only the differences the sandbox's switches claim (tests/openapi_check.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import pytest
from openapi_check import CheckedApi, SpecChecker, SpecMismatch, allowances_of

from hubframe.sandbox import Sandbox, serve
from hubframe.sandbox.behaviour import (
    PRESETS,
    AllFailed,
    Behaviour,
    CreatedStatus,
    ErrorDetails,
    LimitErrorNames,
    LimitsRead,
    PartialFailure,
    TypeIds,
    resolve,
)
from hubframe.sandbox.demo import CHAMPION, DECISION_MAKER, EMPLOYEE
from hubframe.testing import SandboxFactory

ApiFor = Callable[..., CheckedApi]
VERSIONS = ["v4", "2026-03", "2026-09"]
SCHEMA_PREFIXES = [
    "/crm/associations/v4",
    "/crm/v4/associations",
    "/crm/associations/2026-03",
    "/crm/associations/2026-09",
]
DEAL, DEAL_FREE, DEAL_FREE2 = "2040000001", "2040000040", "2040000041"
CONTACT_FREE, CONTACT_FREE2 = "1019360100", "1019360101"
MISSING_CONTACT = "1019369999"
CONF = "definitions/configurations"


def assoc(version: str) -> str:
    return "/crm/v4/associations" if version == "v4" else f"/crm/associations/{version}"


def objects(version: str) -> str:
    return "/crm/v4/objects" if version == "v4" else f"/crm/objects/{version}"


def spec(type_id: int | str, category: str = "USER_DEFINED") -> dict[str, Any]:
    return {"associationCategory": category, "associationTypeId": type_id}


def create_input(from_id: str, to_id: str, *types: dict[str, Any]) -> dict[str, Any]:
    return {"from": {"id": from_id}, "to": {"id": to_id}, "types": list(types)}


def limit(type_id: int, value: int, category: str = "USER_DEFINED") -> dict[str, Any]:
    return {"category": category, "typeId": type_id, "maxToObjectIds": value}


def partial(version: str) -> int:
    """The status of a batch with item errors."""
    return 200 if version == "2026-09" else 207


def linked(sb: Sandbox, a: str, b: str, from_id: str, to_id: str) -> list[int]:
    rows = sb.associations(a, b)
    return sorted(rows[(rows.from_id == from_id) & (rows.to_id == to_id)].type_id.tolist())


@pytest.fixture
def make(sandbox_factory: SandboxFactory, api_for: ApiFor) -> Callable[..., CheckedApi]:
    """A started demo sandbox with this behaviour, and its spec-checked caller."""

    def build(behaviour: Any = None) -> CheckedApi:
        return api_for(sandbox_factory(seed="demo", behaviour=behaviour))

    return build


Make = Callable[..., CheckedApi]


# --- the switches and presets ---------------------------------------------------------------------


def test_default_preset_is_the_long_standing_behaviour() -> None:
    assert resolve(None) == resolve("default") == Behaviour()
    assert Sandbox(seed=None).behaviour == Behaviour()


def test_hostile_picks_the_least_convenient_value_of_every_switch() -> None:
    hostile = PRESETS["hostile"]
    assert hostile == Behaviour(
        partial_failure=PartialFailure.REFUSE_BATCH,  # nothing applied, one error for the batch
        created_status=CreatedStatus.OK,  # clients that map only 201 break
        type_ids=TypeIds.PER_PAIR,  # ids shared across pairs, inverse not id + 1
        all_failed=AllFailed.CANCELED,
        limits_read=LimitsRead.WITH_NULLS,
        strict_inputs=True,
        label_object_types=False,
        error_details=ErrorDetails.BARE,
        limit_error_names=LimitErrorNames.RECORD,  # which of the record's rows was refused?
    )
    default = Behaviour()
    changed = [
        name for name, value in hostile.as_dict().items() if default.as_dict()[name] != value
    ]
    assert changed == list(default.as_dict())  # every switch differs from the default


def test_behaviour_from_names_mappings_and_text() -> None:
    assert resolve("HOSTILE") == PRESETS["hostile"]
    custom = resolve({"type_ids": "per_pair", "strict_inputs": "true"})
    assert (custom.type_ids, custom.strict_inputs) == (TypeIds.PER_PAIR, True)
    assert custom.name() is None and PRESETS["observed"].name() == "observed"
    based = resolve({"preset": "hostile", "strict_inputs": False})
    assert based == PRESETS["hostile"].with_overrides({"strict_inputs": "no"})
    assert not based.strict_inputs and based.type_ids is TypeIds.PER_PAIR
    text: dict[str, Any] = {"type_ids": "per_pair", "created_status": 200, "strict_inputs": "yes"}
    spelled = Behaviour(**text)
    assert spelled.type_ids is TypeIds.PER_PAIR and spelled.created_status is CreatedStatus.OK
    assert spelled.strict_inputs is True
    for bad in ("gentle", {"nope": 1}, {"type_ids": "random"}, {"strict_inputs": "maybe"}):
        with pytest.raises(ValueError):
            resolve(bad)
    with pytest.raises(ValueError):
        Sandbox(behaviour="gentle")


def test_command_line_behaviour() -> None:
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args(
        ["--behaviour", "hostile", "--behaviour-set", "strict_inputs=false,type_ids=global",
         "--behaviour-set", "created_status=201"]
    )  # fmt: skip
    sb = serve.build(args)
    assert sb.behaviour == PRESETS["hostile"].with_overrides(
        {"strict_inputs": False, "type_ids": "global", "created_status": "201"}
    )
    assert serve.build(parser.parse_args([])).behaviour == Behaviour()
    for bad in (["--behaviour", "gentle"], ["--behaviour-set", "type_ids=random"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


# --- partial failure ------------------------------------------------------------------------------


REFUSE = {"partial_failure": "refuse_batch"}


@pytest.mark.parametrize("version", VERSIONS)
def test_refused_batch_create_applies_nothing(make: Make, version: str) -> None:
    inputs = [
        create_input(DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id)),  # good
        create_input(DEAL_FREE, MISSING_CONTACT, spec(CHAMPION.type_id)),  # no such contact
    ]
    path = f"{assoc(version)}/deals/contacts/batch/create"
    items = make()
    body = items.call("POST", path, {"inputs": inputs}, expect=partial(version)).json()
    assert len(body["results"]) == 1 and body["numErrors"] == 1  # the good input is applied
    refused = make(REFUSE)
    err = refused.call("POST", path, {"inputs": inputs}, expect=400).json()
    assert err["category"] == "VALIDATION_ERROR"
    assert err["context"]["objectId"] == [MISSING_CONTACT]  # the failing input's own error
    assert linked(refused.sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_refused_batch_carries_the_first_failing_input(make: Make, version: str) -> None:
    inputs = [
        create_input(DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id)),
        create_input(DEAL_FREE, CONTACT_FREE2, spec(EMPLOYEE.type_id)),  # 1: wrong pair's type
        create_input(DEAL_FREE, MISSING_CONTACT, spec(CHAMPION.type_id)),  # 2: no such contact
    ]
    api = make(REFUSE)
    path = f"{assoc(version)}/deals/contacts/batch/create"
    err = api.call("POST", path, {"inputs": inputs}, expect=400).json()
    assert "INVALID_ASSOCIATION_TYPE_ID" in err["context"]  # input 1, not input 2
    assert "errors" not in err  # the other failures are not reported


@pytest.mark.parametrize("version", VERSIONS)
def test_refused_batch_rolls_back_inputs_before_a_limit_error(make: Make, version: str) -> None:
    # "Decision maker" is limited to 2 contacts per deal; DEAL is at its limit already
    dm = spec(DECISION_MAKER.type_id)
    api = make(REFUSE)
    sb = api.sandbox
    path = f"{assoc(version)}/deals/contacts/batch/create"
    created = 200 if version == "2026-09" else 201
    api.call("POST", path, {"inputs": [create_input(DEAL_FREE, "1019360102", dm)]}, expect=created)
    before = sb.associations("contacts", "deals")
    inputs = [
        create_input(DEAL_FREE, CONTACT_FREE, dm),  # applies at first: DEAL_FREE's 2nd
        create_input(DEAL, CONTACT_FREE2, dm),  # over the limit
    ]
    err = api.call("POST", path, {"inputs": inputs}, expect=400)
    assert err.json()["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    assert linked(sb, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == []
    assert sb.associations("contacts", "deals").equals(before)  # reverse links rolled back too
    # DEAL_FREE's count went back to 1: a second "Decision maker" is still allowed
    api.call("POST", path, {"inputs": [create_input(DEAL_FREE, CONTACT_FREE2, dm)]}, expect=created)


@pytest.mark.parametrize("version", VERSIONS)
def test_refused_batch_associate_default(make: Make, version: str) -> None:
    inputs = [
        {"from": {"id": DEAL_FREE}, "to": {"id": CONTACT_FREE}},
        {"from": {"id": DEAL_FREE}, "to": {"id": MISSING_CONTACT}},
    ]
    api = make(REFUSE)
    path = f"{assoc(version)}/deals/contacts/batch/associate/default"
    err = api.call("POST", path, {"inputs": inputs}, expect=400).json()
    assert err["context"]["objectId"] == [MISSING_CONTACT]
    assert linked(api.sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == []
    api.call("POST", path, {"inputs": inputs[:1]}, expect=200)
    assert linked(api.sandbox, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == [3]


@pytest.mark.parametrize("prefix", SCHEMA_PREFIXES)
def test_refused_limit_batch_applies_nothing(make: Make, prefix: str) -> None:
    api = make(REFUSE)
    inputs = [limit(CHAMPION.type_id, 3), limit(999, 3)]  # a good input, then an unknown type
    path = f"{prefix}/{CONF}/deals/contacts/batch/create"
    err = api.call("POST", path, {"inputs": inputs}, expect=400).json()
    assert err["subCategory"] == "crm.associations.INVALID_ASSOCIATION_TYPE"
    assert CHAMPION.type_id not in set(api.sandbox.limits().type_id)
    update = [limit(DECISION_MAKER.type_id, 1), limit(CHAMPION.type_id, 1)]  # 2nd: no limit yet
    path = f"{prefix}/{CONF}/deals/contacts/batch/update"
    api.call("POST", path, {"inputs": update}, expect=400)
    rows = api.sandbox.limits("deals", "contacts")
    assert dict(zip(rows.type_id, rows.max_to_object_ids, strict=True)) == {
        3: 25, DECISION_MAKER.type_id: 2,
    }  # fmt: skip


# --- success status -------------------------------------------------------------------------------


OK = {"created_status": "200"}


@pytest.mark.parametrize("version", VERSIONS)
def test_created_status_200_on_batch_create(make: Make, version: str) -> None:
    body = {"inputs": [create_input(DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id))]}
    path = f"{assoc(version)}/deals/contacts/batch/create"
    make().call("POST", path, body, expect=200 if version == "2026-09" else 201)
    make(OK).call("POST", path, body, expect=200)
    mixed = {"inputs": [*body["inputs"], create_input(DEAL_FREE, MISSING_CONTACT)]}
    make(OK).call("POST", path, mixed, expect=partial(version))  # multi-status is unchanged


@pytest.mark.parametrize("version", VERSIONS)
def test_created_status_200_on_limit_create_and_labeled_put(make: Make, version: str) -> None:
    path = f"{assoc(version)}/{CONF}/deals/contacts/batch/create"
    body = {"inputs": [limit(CHAMPION.type_id, 3)]}
    make().call("POST", path, body, expect=200 if version == "2026-09" else 201)
    make(OK).call("POST", path, body, expect=200)
    put = f"{objects(version)}/deals/{DEAL_FREE}/associations/contacts/{CONTACT_FREE}"
    make().call("PUT", put, [spec(CHAMPION.type_id)], expect=201)
    make(OK).call("PUT", put, [spec(CHAMPION.type_id)], expect=200)


# --- type ids -------------------------------------------------------------------------------------


PER_PAIR = {"type_ids": "per_pair"}


def labels(api: CheckedApi, prefix: str, a: str, b: str) -> dict[str | None, dict[str, Any]]:
    results = api.call("GET", f"{prefix}/{a}/{b}/labels", expect=200).json()["results"]
    return {x["label"]: x for x in results}


@pytest.mark.parametrize("prefix", SCHEMA_PREFIXES)
def test_per_pair_ids_collide_across_pairs_and_inverses_are_not_adjacent(
    make: Make, prefix: str
) -> None:
    api = make(PER_PAIR)
    dm = labels(api, prefix, "deals", "contacts")["Decision maker"]
    dm_back = labels(api, prefix, "contacts", "deals")["Decision maker"]
    primary = labels(api, prefix, "contacts", "companies")["Primary"]
    unlabeled = labels(api, prefix, "deals", "contacts")[None]
    assert dm["typeId"] == primary["typeId"]  # a user label shares HubSpot's "Primary" id
    assert dm_back["typeId"] == unlabeled["typeId"]  # ... and the reverse one deal->contact's
    assert (dm["category"], primary["category"]) == ("USER_DEFINED", "HUBSPOT_DEFINED")
    assert abs(dm["typeId"] - dm_back["typeId"]) > 1
    assert dm["typeId"] != DECISION_MAKER.type_id
    body = {"name": "sponsor", "label": "Sponsor", "inverseLabel": "Sponsored deal"}
    forward, backward = api.call(
        "POST", f"{prefix}/deals/contacts/labels", body, expect=200
    ).json()["results"]
    assert forward["typeId"] < 100 and backward["typeId"] < 100
    assert abs(forward["typeId"] - backward["typeId"]) > 1
    assert api.sandbox.type_id("contacts", "deals", "Sponsored deal") == backward["typeId"]


def test_global_ids_are_unique_and_inverse_is_next() -> None:
    sb = Sandbox()
    assert sb.type_id("deals", "contacts", "Decision maker") == DECISION_MAKER.type_id == 1001
    assert sb.type_id("contacts", "deals", "Decision maker") == 1002
    per_pair = Sandbox(behaviour=PER_PAIR)
    assert per_pair.type_id("deals", "contacts", "Decision maker") == 1
    assert per_pair.type_id("contacts", "deals", "Decision maker") == 3


@pytest.mark.parametrize("version", VERSIONS)
def test_per_pair_ids_in_associations_reads_and_errors(make: Make, version: str) -> None:
    api = make(PER_PAIR)
    sb = api.sandbox
    champion = sb.type_id("deals", "contacts", "Champion")
    champion_back = sb.type_id("contacts", "deals", "Champion")
    body = {"inputs": [create_input(DEAL_FREE, CONTACT_FREE, spec(champion))]}
    path = f"{assoc(version)}/deals/contacts/batch/create"
    r = api.call("POST", path, body, expect=200 if version == "2026-09" else 201)
    assert r.json()["results"][0]["labels"] == ["Champion"]
    assert linked(sb, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == sorted([3, champion])
    assert linked(sb, "contacts", "deals", CONTACT_FREE, DEAL_FREE) == sorted([4, champion_back])
    read = {"inputs": [{"id": CONTACT_FREE}]}
    got = api.call("POST", f"{assoc(version)}/contacts/deals/batch/read", read).json()
    types = {(t["typeId"], t["label"]) for t in got["results"][0]["to"][0]["associationTypes"]}
    assert types == {(champion_back, "Champion"), (4, None)}
    # "Decision maker" of deal->contact has the id of contact->company's HubSpot "Primary": as
    # USER_DEFINED it is no type of that pair
    dm = sb.type_id("deals", "contacts", "Decision maker")
    assert dm == sb.type_id("contacts", "companies", "Primary")
    wrong = {"inputs": [create_input(CONTACT_FREE, "3120000001", spec(dm))]}
    path = f"{assoc(version)}/contacts/companies/batch/create"
    err = api.call("POST", path, wrong, expect=partial(version)).json()
    assert "INVALID_ASSOCIATION_TYPE_ID" in err["errors"][0]["context"]


@pytest.mark.parametrize("prefix", SCHEMA_PREFIXES)
def test_per_pair_ids_in_limits(make: Make, prefix: str) -> None:
    api = make(PER_PAIR)
    sb = api.sandbox
    dm = sb.type_id("deals", "contacts", "Decision maker")
    employee = sb.type_id("contacts", "companies", "Employee")
    rows = api.call("GET", f"{prefix}/{CONF}/all", expect=200).json()["results"]
    assert {(x["typeId"], x["label"], x["userEnforcedMaxToObjectIds"]) for x in rows} == {
        (3, None, 25), (dm, "Decision maker", 2), (employee, "Employee", 1),
    }  # fmt: skip
    champion = sb.type_id("deals", "contacts", "Champion")
    path = f"{prefix}/{CONF}/deals/contacts/batch/create"
    api.call("POST", path, {"inputs": [limit(champion, 1)]})
    assert set(sb.limits("deals", "contacts").type_id) == {3, dm, champion}
    # the limit is enforced on the per-pair id: a second "Champion" contact for DEAL is refused
    body = {"inputs": [create_input(DEAL, CONTACT_FREE, spec(champion))]}
    api.call("POST", "/crm/v4/associations/deals/contacts/batch/create", body, expect=201)
    body = {"inputs": [create_input(DEAL, CONTACT_FREE2, spec(champion))]}
    r = api.call("POST", "/crm/v4/associations/deals/contacts/batch/create", body, expect=207)
    assert r.json()["errors"][0]["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    # the same id in another pair has no limit
    reseller = sb.type_id("deals", "companies", "Reseller")
    assert reseller == dm and reseller not in set(sb.limits("deals", "companies").type_id)


@pytest.mark.parametrize("prefix", SCHEMA_PREFIXES)
def test_per_pair_label_update_and_delete_by_forward_or_reverse_id(make: Make, prefix: str) -> None:
    api = make(PER_PAIR)
    sb = api.sandbox
    employer = sb.type_id("companies", "contacts", "Employer")
    body = {"associationTypeId": employer, "label": "Workplace"}
    api.call("PUT", f"{prefix}/companies/contacts/labels", body, expect=204)
    assert sb.type_id("companies", "contacts", "Workplace") == employer
    budget = sb.type_id("deals", "contacts", "Budget holder")
    budget_back = sb.type_id("contacts", "deals", "Budget holder")
    api.call("DELETE", f"{prefix}/contacts/deals/labels/{budget_back}", expect=204)
    assert budget not in set(sb.labels("deals", "contacts").type_id)
    # the ids other pairs share are untouched
    assert sb.type_id("deals", "companies", "Reseller") == 1
    assert sb.type_id("contacts", "companies", "Primary") == 1
    api.call("DELETE", f"{prefix}/deals/contacts/labels/{budget}", expect=400)  # gone already


@pytest.mark.parametrize("version", VERSIONS)
def test_per_pair_custom_object_default_types(make: Make, version: str) -> None:
    api = make(PER_PAIR)
    body = {"inputs": [{"from": {"id": "4710000010"}, "to": {"id": DEAL_FREE}}]}
    path = f"{assoc(version)}/p_installations/deals/batch/associate/default"
    results = api.call("POST", path, body, expect=200).json()["results"]
    forward, backward = (r["associationSpec"]["associationTypeId"] for r in results)
    assert forward < 100 and backward < 100 and abs(forward - backward) > 1


def test_per_pair_python_helpers() -> None:
    sb = Sandbox(behaviour=PER_PAIR)
    made = sb.add_label("deals", "tickets", "Escalation", "Escalated from")
    assert made == sb.type_id("deals", "tickets", "Escalation") < 100
    sb.associate("deals", DEAL_FREE, "contacts", CONTACT_FREE, type_id=1)  # deal->contact's 1
    assert linked(sb, "deals", "contacts", DEAL_FREE, CONTACT_FREE) == [1, 3]
    sb.set_limit("deals", "companies", 4, type_id=1)  # "Reseller", not "Decision maker"
    assert sb.limits("deals", "companies")[["label", "max_to_object_ids"]].values.tolist() == [
        ["Reseller", 4]
    ]
    with pytest.raises(ValueError):
        sb.associate("deals", DEAL_FREE, "contacts", CONTACT_FREE, type_id=1001)


# --- every input failed ---------------------------------------------------------------------------


CANCELED = {"all_failed": "canceled"}


@pytest.mark.parametrize("version", VERSIONS)
def test_all_failed_batches_are_canceled(make: Make, version: str) -> None:
    read = {"inputs": [{"id": DEAL_FREE}, {"id": "x"}]}
    path = f"{assoc(version)}/deals/contacts/batch/read"
    default = make().call("POST", path, read, expect=partial(version)).json()
    assert default["status"] == "COMPLETE"
    api = make(CANCELED)
    body = api.call("POST", path, read, expect=partial(version)).json()
    assert (body["status"], body["results"], body["numErrors"]) == ("CANCELED", [], 2)
    create = {"inputs": [create_input(DEAL_FREE, MISSING_CONTACT, spec(CHAMPION.type_id))]}
    path = f"{assoc(version)}/deals/contacts/batch/create"
    assert api.call("POST", path, create).json()["status"] == "CANCELED"
    path = f"{assoc(version)}/{CONF}/deals/contacts/batch/update"
    assert (
        api.call("POST", path, {"inputs": [limit(CHAMPION.type_id, 2)]}).json()["status"]
        == "CANCELED"
    )
    some = {"inputs": [{"id": DEAL}, {"id": "x"}]}
    path = f"{assoc(version)}/deals/contacts/batch/read"
    assert api.call("POST", path, some).json()["status"] == "COMPLETE"  # one input succeeded


# --- limits read ----------------------------------------------------------------------------------


NULLS = {"limits_read": "with_nulls"}


@pytest.mark.parametrize("prefix", SCHEMA_PREFIXES)
def test_limits_read_with_nulls(make: Make, prefix: str) -> None:
    configured = make().call("GET", f"{prefix}/{CONF}/deals/contacts", expect=200).json()
    assert all(x["userEnforcedMaxToObjectIds"] is not None for x in configured["results"])
    api = make(NULLS)
    rows = api.call("GET", f"{prefix}/{CONF}/deals/contacts", expect=200).json()["results"]
    by_label = {x["label"]: x["userEnforcedMaxToObjectIds"] for x in rows}
    assert by_label == {None: 25, "Decision maker": 2, "Champion": None, "Budget holder": None}
    back = api.call("GET", f"{prefix}/{CONF}/contacts/deals", expect=200).json()["results"]
    assert back and all(x["userEnforcedMaxToObjectIds"] is None for x in back)  # reverse pair
    assert api.call("GET", f"{prefix}/{CONF}/deals/tickets").json()["results"] == []
    everything = api.call("GET", f"{prefix}/{CONF}/all", expect=200).json()["results"]
    assert len([x for x in everything if x["userEnforcedMaxToObjectIds"] is not None]) == 3
    assert len(everything) > len(configured["results"]) + len(back)


# --- strict inputs --------------------------------------------------------------------------------


STRICT = {"strict_inputs": True}


@pytest.mark.parametrize("version", VERSIONS)
def test_strict_object_types_are_case_sensitive(make: Make, version: str) -> None:
    read = {"inputs": [{"id": DEAL}]}
    for spelling in ("Deals", "DEALS", "deal"):
        path = f"{assoc(version)}/{spelling}/contacts/batch/read"
        make().call("POST", path, read, expect=200)
        expect = 200 if spelling == "deal" else 400
        make(STRICT).call("POST", path, read, expect=expect)
    make(STRICT).call("GET", f"{assoc(version)}/Deals/contacts/labels", expect=400)


@pytest.mark.parametrize("version", VERSIONS)
def test_strict_ids_are_not_trimmed(make: Make, version: str) -> None:
    body = {"inputs": [create_input(f" {DEAL_FREE}", CONTACT_FREE, spec(CHAMPION.type_id))]}
    path = f"{assoc(version)}/deals/contacts/batch/create"
    make().call("POST", path, body, expect=200 if version == "2026-09" else 201)
    r = make(STRICT).call("POST", path, body, expect=partial(version)).json()
    assert r["errors"][0]["context"]["objectId"] == [f" {DEAL_FREE}"]
    as_text = {"inputs": [create_input(DEAL_FREE, CONTACT_FREE, spec("٣", "HUBSPOT_DEFINED"))]}
    make().call("POST", path, as_text, expect=200 if version == "2026-09" else 201)  # int("٣")
    make(STRICT).call("POST", path, as_text, expect=400)


@pytest.mark.parametrize("version", VERSIONS)
def test_strict_inputs_collapse_duplicates(make: Make, version: str) -> None:
    one = create_input(DEAL_FREE, CONTACT_FREE, spec(CHAMPION.type_id))
    path = f"{assoc(version)}/deals/contacts/batch/create"
    assert len(make().call("POST", path, {"inputs": [one, one]}).json()["results"]) == 2
    api = make(STRICT)
    assert len(api.call("POST", path, {"inputs": [one, one]}).json()["results"]) == 1
    read = {"inputs": [{"id": DEAL}, {"id": DEAL}]}
    path = f"{assoc(version)}/deals/contacts/batch/read"
    assert len(make().call("POST", path, read).json()["results"]) == 2
    assert len(api.call("POST", path, read).json()["results"]) == 1
    default = {"inputs": [{"from": {"id": DEAL_FREE2}, "to": {"id": CONTACT_FREE}}] * 2}
    path = f"{assoc(version)}/deals/contacts/batch/associate/default"
    assert len(make().call("POST", path, default).json()["results"]) == 4  # two per input
    assert len(api.call("POST", path, default).json()["results"]) == 2
    limits = {"inputs": [limit(CHAMPION.type_id, 3)] * 2}
    path = f"{assoc(version)}/{CONF}/deals/contacts/batch/create"
    assert make().call("POST", path, limits).status_code == partial(version)  # 2nd: exists
    assert len(api.call("POST", path, limits).json()["results"]) == 1


def test_strict_archive_collapses_duplicates(make: Make) -> None:
    body = {"inputs": [{"from": {"id": DEAL}, "to": [{"id": "1019360001"}]}] * 2}
    path = "/crm/associations/2026-03/deals/contacts/batch/archive"
    assert len(make().call("POST", path, body, expect=200).json()["results"]) == 2
    assert len(make(STRICT).call("POST", path, body, expect=200).json()["results"]) == 1


@pytest.mark.parametrize("version", ["v4", "2026-03"])
def test_strict_limit_query_must_fit_int32(make: Make, version: str) -> None:
    path = f"{objects(version)}/deals/{DEAL}/associations/contacts?limit=2147483648"
    make().call("GET", path, expect=200)  # taken as the maximum page size
    make(STRICT).call("GET", path, expect=400)
    path = f"{objects(version)}/deals/{DEAL}/associations/contacts?limit=2147483647"
    make(STRICT).call("GET", path, expect=200)


@pytest.mark.parametrize("version", ["2026-03", "2026-09"])
def test_strict_limit_query_is_ascii_digits(make: Make, version: str) -> None:
    path = f"{objects(version)}/contacts?limit=%D9%A3"  # "٣", an Arabic-Indic three
    assert len(make().call("GET", path, expect=200).json()["results"]) == 3
    make(STRICT).call("GET", path, expect=400)


# --- labels read back -----------------------------------------------------------------------------


NO_TYPES = {"label_object_types": False}


@pytest.mark.parametrize("prefix", SCHEMA_PREFIXES)
def test_labels_without_object_type_ids(make: Make, prefix: str) -> None:
    default = labels(make(), prefix, "contacts", "companies")["Primary"]
    assert ("fromObjectTypeId" in default) == ("2026-09" not in prefix)
    api = make(NO_TYPES)
    primary = labels(api, prefix, "contacts", "companies")["Primary"]
    assert set(primary) == {"category", "typeId", "label"}
    body = {"name": "advisor", "label": "Advisor"}
    created = api.call("POST", f"{prefix}/deals/contacts/labels", body, expect=200).json()
    assert all(set(x) == {"category", "typeId", "label"} for x in created["results"])


# --- error details --------------------------------------------------------------------------------


BARE = {"error_details": "bare"}
REQUIRED_ERROR_KEYS = {"status", "message", "correlationId", "category"}


@pytest.mark.parametrize("version", VERSIONS)
def test_bare_top_level_errors(make: Make, version: str) -> None:
    put = f"{objects(version)}/deals/{DEAL_FREE}/associations/contacts/{MISSING_CONTACT}"
    full = make().call("PUT", put, [spec(CHAMPION.type_id)], expect=400).json()
    assert "context" in full
    bare = make(BARE).call("PUT", put, [spec(CHAMPION.type_id)], expect=400).json()
    assert set(bare) == REQUIRED_ERROR_KEYS
    api = make(BARE)
    token = api.sandbox.create_token(["crm.objects.deals.read"])
    path = f"{assoc(version)}/deals/contacts/batch/read"
    denied = api.call("POST", path, {"inputs": [{"id": DEAL}]}, token=token, expect=403).json()
    assert set(denied) == REQUIRED_ERROR_KEYS and denied["category"] == "MISSING_SCOPES"


@pytest.mark.parametrize("version", VERSIONS)
def test_bare_item_errors(make: Make, version: str) -> None:
    body = {"inputs": [create_input(DEAL, CONTACT_FREE, spec(DECISION_MAKER.type_id))]}
    path = f"{assoc(version)}/deals/contacts/batch/create"
    full = make().call("POST", path, body, expect=partial(version)).json()["errors"][0]
    assert {"subCategory", "errors", "links"} <= set(full)
    bare = make(BARE).call("POST", path, body, expect=partial(version)).json()["errors"][0]
    assert set(bare) == {"status", "category", "message", "context"}


@pytest.mark.parametrize("version", VERSIONS)
def test_limit_errors_naming_the_record_only(make: Make, version: str) -> None:
    """``limit_error_names="record"``: a limit error names the record at its limit -- the
    input's from record (``fromObjectId``), or its to record (``toObjectId``) when the reverse
    direction's limit refuses it -- and the type, not the input's pair."""
    path = f"{assoc(version)}/deals/contacts/batch/create"
    body = {"inputs": [create_input(DEAL, CONTACT_FREE, spec(DECISION_MAKER.type_id))]}
    full = make().call("POST", path, body, expect=partial(version)).json()["errors"][0]
    assert set(full["context"]) == {"fromObjectId", "toObjectId", "associationSpec"}
    api = make({"limit_error_names": "record"})
    err = api.call("POST", path, body, expect=partial(version)).json()["errors"][0]
    assert err["context"] == {
        "fromObjectId": [DEAL],
        "associationSpec": [f"USER_DEFINED={DECISION_MAKER.type_id}"],
    }
    sb = api.sandbox
    inverse = sb.type_id("contacts", "deals", "Decision maker")
    sb.set_limit("contacts", "deals", 1, type_id=inverse)  # a contact: DM of one deal
    sb.associate("deals", DEAL_FREE, "contacts", CONTACT_FREE2, type_id=DECISION_MAKER.type_id)
    body = {"inputs": [create_input(DEAL_FREE2, CONTACT_FREE2, spec(DECISION_MAKER.type_id))]}
    err = api.call("POST", path, body, expect=partial(version)).json()["errors"][0]
    assert err["context"] == {
        "toObjectId": [CONTACT_FREE2],
        "associationSpec": [f"USER_DEFINED={inverse}"],
    }
    api = make({"limit_error_names": "record", "partial_failure": "refuse_batch"})
    body = {"inputs": [create_input(DEAL, CONTACT_FREE, spec(DECISION_MAKER.type_id))]}
    whole = api.call("POST", path, body, expect=400).json()
    assert set(whole["context"]) == {"fromObjectId", "associationSpec"}


# --- the presets over HTTP ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("version", VERSIONS)
def test_every_preset_answers_within_the_specs(make: Make, name: str, version: str) -> None:
    api = make(name)
    sb = api.sandbox
    champion = sb.type_id("deals", "contacts", "Champion")
    good = create_input(DEAL_FREE, CONTACT_FREE, spec(champion))
    calls: list[tuple[str, str, Any]] = [
        ("POST", f"{assoc(version)}/deals/contacts/batch/create", {"inputs": [good]}),
        ("POST", f"{assoc(version)}/deals/contacts/batch/create",
         {"inputs": [good, create_input(DEAL_FREE, MISSING_CONTACT, spec(champion))]}),
        ("POST", f"{assoc(version)}/deals/contacts/batch/read",
         {"inputs": [{"id": DEAL}, {"id": "x"}]}),
        ("POST", f"{assoc(version)}/deals/contacts/batch/read", {"inputs": [{"id": "x"}]}),
        ("GET", f"{assoc(version)}/deals/contacts/labels", None),
        ("GET", f"{assoc(version)}/{CONF}/all", None),
        ("POST", f"{assoc(version)}/{CONF}/deals/contacts/batch/create",
         {"inputs": [limit(champion, 3)]}),
        ("POST", f"{assoc(version)}/{CONF}/deals/contacts/batch/update",
         {"inputs": [limit(champion, 2), limit(999, 2)]}),
        ("PUT", f"{objects(version)}/deals/{DEAL_FREE2}/associations/contacts/{CONTACT_FREE}",
         [spec(champion)]),
        ("PUT", f"{objects(version)}/deals/{DEAL_FREE2}/associations/contacts/{MISSING_CONTACT}",
         [spec(champion)]),
    ]  # fmt: skip
    statuses = [api.call(method, path, body).status_code for method, path, body in calls]
    assert all(s < 500 for s in statuses), statuses


# --- the spec checker's behaviour-only differences --------------------------------------------


def test_spec_checker_allows_a_switchs_differences_only_for_that_switch(
    spec_checker: SpecChecker,
) -> None:
    assert allowances_of(Behaviour()) == frozenset()
    assert allowances_of(PRESETS["hostile"]) == {"created_as_ok", "null_limits", "bare_items"}
    started = "2026-11-23T13:26:37.281Z"
    created = {"status": "COMPLETE", "results": [], "startedAt": started, "completedAt": started}
    path = "/crm/v4/associations/deals/contacts/batch/create"
    item = {"status": "error", "category": "VALIDATION_ERROR", "message": "m", "context": {}}
    limits = {
        "results": [{"category": "USER_DEFINED", "typeId": 1, "userEnforcedMaxToObjectIds": None}]
    }
    cases = [
        ("created_as_ok", "POST", path, 200, created),
        ("bare_items", "POST", path, 207, {**created, "numErrors": 1, "errors": [item]}),
        ("null_limits", "GET", "/crm/associations/v4/definitions/configurations/all", 200, limits),
    ]
    for allowance, method, where, status, body in cases:
        with pytest.raises(SpecMismatch):
            spec_checker.check(method, where, status, body)
        with pytest.raises(SpecMismatch):
            others = frozenset(a for a in allowances_of(PRESETS["hostile"]) if a != allowance)
            spec_checker.check(method, where, status, body, others)
        spec_checker.check(method, where, status, body, frozenset({allowance}))
