"""A custom object's name with another portal's id, or misspelled, is its own (unknown) object.

Before: ``p999_installations`` (another portal's) was taken for this portal's
``p_installations`` by its spelling, so its row was ``duplicate`` of a ``p_installations`` row
and the run exited 0 though HubSpot refuses it; and a misspelled name beside a type id
(``p_instalations`` beside ``2-7350001``) made sync and labels refuse the whole sheet, calling
the typo a spelling clash.  Now the unknown name's rows are ``invalid``, ``BAD_OBJECT_TYPE``,
in every job and API version, and this portal's own spellings are still one object.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

VERSIONS = ["2026-03", "2026-09", "v4"]
CUSTOM = "2-7350001"
DEAL = str(demo_ids("deals")[10])
RECORD = str(demo_ids(CUSTOM)[5])


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


def _spellings(sb: Sandbox) -> tuple[list[str], list[str]]:
    """(this portal's spellings of the custom object, names of no object here)."""
    schema = client_for(sb).request("GET", "/crm-object-schemas/2026-03/schemas").json()
    full = schema["results"][0]["fullyQualifiedName"]  # p24681357_installations
    name = full.split("_", 1)[1]
    return [CUSTOM, f"p_{name}", full], [f"p999_{name}", f"p_{name[:5]}{name[6:]}"]


def _sheet(types: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_type": ["deals"] * len(types),
            "from_id": [DEAL] * len(types),
            "to_type": types,
            "to_id": [RECORD] * len(types),
        }
    )


@pytest.mark.parametrize("seed", seeds(8))
def test_no_row_of_an_unknown_name_is_done_or_a_repeat(portal: Sandbox, seed: int) -> None:
    own, unknown = _spellings(portal)
    r = random.Random(seed)
    types = [r.choice(own + unknown) for _ in range(r.randint(2, 5))]
    version = r.choice(VERSIONS)
    client = client_for(portal, version)
    result = hf.associate(hf.read_pairs(_sheet(types)), client, dry_run=True, progress=False)
    assert len(result) == len(types)
    outcomes = zip(types, result["status"], result["error_code"], strict=True)
    for i, (spelled, status, code) in enumerate(outcomes):
        if spelled in unknown and spelled in types[:i]:  # a repeat of its own spelling's row
            assert status in {"invalid", "duplicate"}, (types, version, result)
        elif spelled in unknown:
            assert (status, code) == ("invalid", "BAD_OBJECT_TYPE"), (types, version, result)
        else:
            assert status in {"planned", "duplicate"}, (types, version, result)


@pytest.mark.parametrize("version", VERSIONS)
def test_this_portals_spellings_are_still_one_object(portal: Sandbox, version: str) -> None:
    own, _ = _spellings(portal)
    for types in itertools.permutations(own[1:]):
        result = hf.associate(
            hf.read_pairs(_sheet(list(types))), client_for(portal, version), dry_run=True
        )
        assert result["status"].tolist() == ["planned", "duplicate"], result


@pytest.mark.parametrize("version", VERSIONS)
def test_a_misspelled_name_fails_its_rows_in_sync_and_labels(portal: Sandbox, version: str) -> None:
    _, unknown = _spellings(portal)
    typo = unknown[1]
    client = client_for(portal, version)
    synced = hf.sync(hf.read_pairs(_sheet([CUSTOM, typo])), client, dry_run=True, progress=False)
    rows = synced[synced["row"].notna()]
    assert rows["error_code"].tolist()[1] == "BAD_OBJECT_TYPE", rows
    labels = pd.DataFrame(
        {"From type": ["deals", "deals"], "To type": [CUSTOM, typo], "Label": ["Site owner"] * 2}
    )
    made = hf.configure_labels(labels, client, dry_run=True)
    assert made["status"].tolist() == ["planned", "invalid"], made
    assert made["error_code"].tolist()[1] == "BAD_OBJECT_TYPE"
