"""The sandbox names a custom object in a path only as HubSpot does: its type id (``2-<n>``) or
its fully qualified name (``p_<name>``, ``p<portalId>_<name>``).  It took the singular label
too (``p_installation``), so a sheet so spelled succeeded in tests and the demo while HubSpot
answers every batch 400 "Unable to infer object type from: p_installation"."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import requests

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


def _schema(sb: Sandbox) -> dict[str, Any]:
    answer = requests.get(
        f"{sb.url}/crm-object-schemas/2026-03/schemas",
        headers={"Authorization": f"Bearer {sb.token}"},
        timeout=10,
    )
    return dict(answer.json()["results"][0])


def test_only_hubspots_spellings_name_a_custom_object(portal: Sandbox) -> None:
    schema = _schema(portal)
    singular = schema["labels"]["singular"].lower()
    portal_id = schema["fullyQualifiedName"].split("_", 1)[0]
    named = [schema["objectTypeId"], f"p_{schema['name']}", schema["fullyQualifiedName"]]
    unnamed = [f"p_{singular}", f"{portal_id}_{singular}"]
    for spelling in named + unnamed:
        answer = requests.get(
            f"{portal.url}/crm/associations/2026-03/{spelling}/deals/labels",
            headers={"Authorization": f"Bearer {portal.token}"},
            timeout=10,
        )
        if spelling in named:
            assert answer.status_code == 200, (spelling, answer.text)
        else:
            assert answer.status_code == 400, (spelling, answer.text)
            assert f"Unable to infer object type from: {spelling}" in answer.text


def test_a_sheet_naming_it_by_its_singular_label_is_not_applied(portal: Sandbox) -> None:
    schema = _schema(portal)
    singular = f"p_{schema['labels']['singular'].lower()}"
    record = str(demo_ids(schema["objectTypeId"])[5])
    sheet = pd.DataFrame(
        {
            "from_type": [singular],
            "from_id": [record],
            "to_type": ["deals"],
            "to_id": [str(demo_ids("deals")[40])],
        }
    )
    before = portal.associations(schema["objectTypeId"], "deals")
    result = hf.associate(hf.read_pairs(sheet), client_for(portal), progress=False)
    assert result["status"].tolist() != ["success"], result
    assert len(result) == 1
    assert portal.associations(schema["objectTypeId"], "deals").equals(before)
