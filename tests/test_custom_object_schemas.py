"""The portal's custom objects, read from its schemas list (what the app's type pickers offer):
the sandbox serves the list over HTTP in every API version's path, refuses a token without the
schemas scope, and the client refuses an answer whose entries are not schemas."""

from __future__ import annotations

import pytest
import requests

from hubframe.errors import ServerError
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.shapes import CustomObjectType, custom_objects
from hubframe.sandbox import Sandbox

INSTALLATIONS = CustomObjectType("2-7350001", "installations", "p24681357_installations")


@pytest.mark.parametrize("api_version", ["2026-03", "2026-09", "v4"])
def test_the_client_lists_the_demo_portals_custom_object(api_version: str) -> None:
    with Sandbox(seed="demo") as sb:
        client = HubSpotClient(token=sb.token, base_url=sb.url, api_version=api_version)
        try:
            assert client.custom_object_types() == [INSTALLATIONS]
        finally:
            client.close()
    spelled = ("2-7350001", "p_installations", "p24681357_installations")
    assert INSTALLATIONS.spellings == spelled


@pytest.mark.parametrize(
    "path",
    ["/crm-object-schemas/v3/schemas", "/crm/v3/schemas", "/crm-object-schemas/2026-03/schemas"],
    ids=["v3", "crm-v3", "2026-03"],
)
def test_the_sandbox_serves_the_list_and_checks_the_scope(path: str) -> None:
    with Sandbox(seed="demo") as sb:
        answer = requests.get(sb.url + path, headers={"Authorization": f"Bearer {sb.token}"})
        assert answer.status_code == 200
        assert [r["objectTypeId"] for r in answer.json()["results"]] == ["2-7350001"]
        narrow = sb.create_token(["crm.objects.deals.read"])
        refused = requests.get(sb.url + path, headers={"Authorization": f"Bearer {narrow}"})
        assert refused.status_code == 403 and "crm.schemas.custom.read" in refused.text


def test_an_empty_portal_lists_none() -> None:
    with Sandbox(seed=None) as sb:
        client = HubSpotClient(token=sb.token, base_url=sb.url)
        try:
            assert client.custom_object_types() == []
        finally:
            client.close()


@pytest.mark.parametrize(
    "entry",
    [
        {"objectTypeId": "0-3", "name": "deals"},
        {"objectTypeId": 7350001, "name": "installations"},
        {"objectTypeId": "2-7350001", "name": ""},
        {"objectTypeId": "2-7350001", "name": "x", "fullyQualifiedName": "installations"},
        "2-7350001",
    ],
    ids=["standard-id", "number-id", "no-name", "bad-qualified", "not-an-object"],
)
def test_an_entry_that_is_not_a_schema_is_refused(entry: object) -> None:
    with pytest.raises(ServerError, match="custom object schemas"):
        custom_objects([entry], "the custom object schemas")
