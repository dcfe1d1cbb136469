"""The spec checker itself: it must accept HubSpot-shaped bodies and reject everything else."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_check import SpecChecker, SpecMismatch

STARTED = "2026-11-23T13:26:37.281Z"
CREATE = "/crm/v4/associations/deals/contacts/batch/create"


def pair(**over: Any) -> dict[str, Any]:
    out = {
        "fromObjectTypeId": "0-3",
        "fromObjectId": 2040000001,
        "toObjectTypeId": "0-1",
        "toObjectId": 1019360001,
        "labels": [],
    }
    return {**out, **over}


def envelope(results: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "status": "COMPLETE",
        "results": results,
        "startedAt": STARTED,
        "completedAt": STARTED,
        **extra,
    }


ITEM_ERROR = {
    "status": "error",
    "category": "VALIDATION_ERROR",
    "subCategory": "crm.associations.ASSOCIATION_LIMIT_EXCEEDED",
    "message": "over the limit",
    "context": {"fromObjectId": ["1"]},
    "errors": [],
    "links": {},
}


def test_accepts_numeric_ids_and_string_ids(spec_checker: SpecChecker) -> None:
    spec_checker.check("POST", CREATE, 201, envelope([pair()]))
    spec_checker.check("POST", CREATE, 201, envelope([pair(fromObjectId="1", toObjectId="2")]))


@pytest.mark.parametrize(
    "body",
    [
        envelope([pair(labels="Champion")]),  # labels must be a list
        envelope([pair(fromObjectTypeId=3)]),
        {"results": [pair()]},  # envelope fields missing
        envelope([pair()], status="DONE"),
        envelope([pair()], startedAt="yesterday"),
    ],
)
def test_rejects_wrong_success_bodies(spec_checker: SpecChecker, body: Any) -> None:
    with pytest.raises(SpecMismatch):
        spec_checker.check("POST", CREATE, 201, body)


def test_status_must_be_declared(spec_checker: SpecChecker) -> None:
    with pytest.raises(SpecMismatch, match="not declared"):
        spec_checker.check("POST", CREATE, 200, envelope([pair()]))
    with pytest.raises(SpecMismatch, match="not declared"):  # v4 archive is 204 only
        spec_checker.check("POST", "/crm/v4/associations/deals/contacts/batch/archive", 200, {})


def test_multi_status_and_2026_09(spec_checker: SpecChecker) -> None:
    body = envelope([pair()], numErrors=1, errors=[ITEM_ERROR])
    spec_checker.check("POST", CREATE, 207, body)
    spec_checker.check("POST", "/crm/associations/2026-09/deals/contacts/batch/create", 200, body)
    with pytest.raises(SpecMismatch):
        broken = envelope([pair()], numErrors=1, errors=[{"message": "no status, no category"}])
        spec_checker.check("POST", CREATE, 207, broken)


def test_error_bodies(spec_checker: SpecChecker) -> None:
    good = {
        "status": "error",
        "message": "Unable to infer object type from: x",
        "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf",
        "category": "VALIDATION_ERROR",
    }
    spec_checker.check("POST", CREATE, 400, good)
    spec_checker.check("GET", "/nowhere", 404, good)
    with pytest.raises(SpecMismatch):
        spec_checker.check("POST", CREATE, 400, {**good, "correlationId": "not-a-uuid"})
    with pytest.raises(SpecMismatch):
        spec_checker.check("POST", CREATE, 400, {"message": "no category"})


def test_rate_limit_bodies(spec_checker: SpecChecker) -> None:
    body = {
        "status": "error",
        "message": "You have reached your daily limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": "c033cdaa-2c40-4a64-ae48-b4cec88dad24",
        "policyName": "DAILY",
        "requestId": "3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd",
    }
    spec_checker.check("POST", CREATE, 429, body)
    with pytest.raises(SpecMismatch):
        spec_checker.check("POST", CREATE, 429, {**body, "policyName": "HOURLY"})


def test_no_body_statuses(spec_checker: SpecChecker) -> None:
    path = "/crm/v4/objects/deals/1/associations/contacts/2"
    spec_checker.check("DELETE", path, 204, None)
    with pytest.raises(SpecMismatch, match="no body"):
        spec_checker.check("DELETE", path, 204, {"unexpected": True})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/crm/v4/associations/deals/contacts/labels",
         "/crm/associations/v4/deals/contacts/labels"),
        ("/crm/v4/associations/definitions/configurations/all",
         "/crm/associations/v4/definitions/configurations/all"),
        ("/crm/v4/associations/deals/contacts/batch/labels/archive",
         "/crm/v4/associations/deals/contacts/batch/labels/archive"),
        ("/crm/associations/2025-09/deals/contacts/batch/read",
         "/crm/associations/2026-03/deals/contacts/batch/read"),
        ("/crm/objects/2026-09/deals/1/associations/contacts?limit=1",
         "/crm/objects/2026-03/deals/1/associations/contacts"),
    ],
)  # fmt: skip
def test_spec_path_mapping(path: str, expected: str) -> None:
    assert SpecChecker.spec_path(path)[0] == expected


# --- the committed, structure-only specs (scripts/compact_openapi.py) -------------------------


def _compactor() -> Any:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "compact_openapi.py"
    spec = importlib.util.spec_from_file_location("compact_openapi", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compaction_drops_documentation_but_keeps_property_names() -> None:
    compact = _compactor()
    node = {
        "type": "object",
        "description": "docs",
        "example": None,
        "required": ["description"],
        "properties": {
            "description": {"type": "string", "description": "a property named description"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/X", "title": "t"}},
        },
        "allOf": [{"type": "object", "x-hubspot": 1}],
    }
    assert compact.schema(node) == {
        "type": "object",
        "required": ["description"],
        "properties": {
            "description": {"type": "string"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/X"}},
        },
        "allOf": [{"type": "object"}],
    }


def test_compaction_keeps_reachable_components_only() -> None:
    compact = _compactor()
    spec = {
        "paths": {
            "/a": {
                "post": {
                    "summary": "s",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/A"}}
                            },
                        },
                        "default": {"description": "", "$ref": "#/components/responses/Error"},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "string"},
                "Unused": {"type": "string"},
                "Error": {"type": "object"},
            },
            "responses": {
                "Error": {"content": {"*/*": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
        },
    }
    out = compact.compact(spec)
    assert sorted(out["components"]["schemas"]) == ["A", "B", "Error"]
    assert out["paths"]["/a"]["post"]["responses"]["default"] == {
        "$ref": "#/components/responses/Error"
    }


def test_committed_specs_cover_every_endpoint_family(spec_checker: SpecChecker) -> None:
    """The compact specs still hold the operations the sandbox serves, with their statuses."""
    wanted = [
        ("POST", "/crm/associations/2026-03/deals/contacts/batch/create", "201"),
        ("POST", "/crm/v4/associations/deals/contacts/batch/create", "201"),
        ("POST", "/crm/v4/associations/deals/contacts/batch/read", "207"),
        ("GET", "/crm/associations/v4/deals/contacts/labels", "200"),
        (
            "POST",
            "/crm/associations/2026-03/definitions/configurations/deals/contacts/batch/purge",
            "200",
        ),
        ("POST", "/crm/objects/2026-03/contacts/batch/read", "200"),
    ]
    for method, path, status in wanted:
        op, _ = spec_checker.find(method, path)
        assert op is not None, (method, path)
        assert status in op.responses, (method, path, sorted(op.responses))
        assert "default" in op.responses
