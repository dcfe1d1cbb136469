"""Smoke test of the sandbox core: start, authenticate, create, read back."""

from __future__ import annotations

import requests

from hubframe.sandbox import Sandbox


def test_create_then_read_back(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    body = {
        "inputs": [
            {
                "from": {"id": "2040000010"},
                "to": {"id": "1019360050"},
                "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 1003}],
            }
        ]
    }
    url = f"{sandbox.url}/crm/v4/associations/deals/contacts/batch/create"
    r = requests.post(url, json=body, headers=headers, timeout=10)
    assert r.status_code == 201
    assert r.json()["results"][0]["labels"] == ["Champion"]
    rows = sandbox.associations("deals", "contacts")
    got = rows[(rows.from_id == "2040000010") & (rows.to_id == "1019360050")]
    assert sorted(got.type_id) == [3, 1003]
    assert "X-HubSpot-RateLimit-Max" in r.headers


def test_missing_token_is_401(sandbox: Sandbox) -> None:
    r = requests.get(f"{sandbox.url}/crm/v4/associations/deals/contacts/labels", timeout=10)
    assert r.status_code == 401
    assert r.json()["category"] == "INVALID_AUTHENTICATION"
