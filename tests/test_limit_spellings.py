"""One limit named through two spellings of a custom object is one limit.

HubSpot takes a custom object by its type id (``2-7350001``) or its name
(``p_installations``).  Rows of a limits sheet were keyed by the type as written, so
``Deals,2-7350001,5`` and ``Deals,p_installations,7`` were both sent and both reported
``success`` while the portal held one value.  Rows are now keyed by the pair HubSpot resolves
(the object type ids its labels list names, or where it names none -- the 2026-09 API,
``label_object_types=False`` -- the type id the custom object schemas list gives its name):
asking different limits, both are ``CONFLICTING_ROWS`` and neither is sent; asking the same,
the limit is set once.  Where neither says which name is which type id (here: 2026-09 with the
schemas list failing), a name and a type id cannot be told to be one object: such a sheet is
refused (before: taken for one object by the association types listed, which under per-pair
type ids two custom objects share, and one's limits were set on the other's).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, without_schemas

VERSIONS = ["2026-03", "2026-09", "v4"]
BEHAVIOURS = [None, {"type_ids": "per_pair"}, {"label_object_types": False}]
CUSTOM = "2-7350001"
SPELLINGS = [CUSTOM, "p_installations"]
MIXED = re.escape("by type id (2-7350001) and by name (p_installations)")


def _ids_unknown(version: str, behaviour: dict[str, object] | None) -> bool:
    """Whether nothing tells a name's type id: the labels lists name no object type ids, and
    the schemas list fails (:func:`_client`)."""
    return version == "2026-09"


def _client(sb: Sandbox, version: str) -> HubSpotClient:
    """The sandbox's client; under 2026-09 its custom object schemas list fails, so that the
    refusal is checked (a list read tells a name's type id on every version:
    tests/test_custom_spelling_schemas.py)."""
    client = client_for(sb, version)
    return without_schemas(client) if version == "2026-09" else client


def _sheet(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return hf.read_limits(
        pd.DataFrame(rows, columns=["From", "To", "Label", "Max"]).replace("", pd.NA)
    )


def _held(sb: Sandbox, from_type: str = "deals") -> dict[int, int]:
    held = sb.limits(from_type, CUSTOM)
    return dict(zip(held["type_id"].astype(int), held["max_to_object_ids"], strict=True))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("behaviour", BEHAVIOURS)
@pytest.mark.parametrize("how", ["blank", "unlabeled", "type id", "label"])
@pytest.mark.parametrize("flip", [False, True])
def test_two_spellings_asking_different_limits_conflict(
    version: str, behaviour: dict[str, object] | None, how: str, flip: bool
) -> None:
    first, second = SPELLINGS[::-1] if flip else SPELLINGS
    with Sandbox(seed="demo", behaviour=behaviour) as sb:
        label = sb.add_label("deals", CUSTOM, "Site") if how == "label" else None
        type_id = sb.type_id("deals", CUSTOM, "Site" if label else None)
        sb.set_limit("deals", CUSTOM, 3, type_id=type_id)
        cell = {"blank": "", "unlabeled": "Unlabeled", "type id": "", "label": "Site"}[how]
        rows = [("deals", first, cell, "5"), ("deals", second, cell, "7")]
        sheet = _sheet(rows)
        if how == "type id":
            sheet["type_id"] = pd.array([type_id, pd.NA], dtype="Int64")
        client = _client(sb, version)
        if _ids_unknown(version, behaviour):
            for dry_run in (True, False):
                with pytest.raises(hf.InputError, match=MIXED):
                    hf.configure_limits(sheet, client, dry_run=dry_run, progress=False)
            assert _held(sb) == {type_id: 3}
            return
        planned = hf.configure_limits(sheet, client, dry_run=True)
        result = hf.configure_limits(sheet, client, progress=False)
        held = _held(sb)
    assert planned["error_code"].tolist() == ["CONFLICTING_ROWS"] * 2
    assert result["status"].tolist() == ["invalid"] * 2, result
    assert result["error_code"].tolist() == ["CONFLICTING_ROWS"] * 2
    assert held == {type_id: 3}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_two_spellings_asking_the_same_limit_set_it(
    version: str, behaviour: dict[str, object] | None
) -> None:
    """Set once (the later row a repeat, not sent)."""
    with Sandbox(seed="demo", behaviour=behaviour) as sb:
        type_id = sb.type_id("deals", CUSTOM)
        sheet = _sheet([("deals", s, "", "6") for s in SPELLINGS])
        sb.reset_request_log()
        if _ids_unknown(version, behaviour):
            with pytest.raises(hf.InputError, match=MIXED):
                hf.configure_limits(sheet, _client(sb, version), progress=False)
            assert _held(sb) == {}
            return
        result = hf.configure_limits(sheet, _client(sb, version), progress=False)
        writes = sb.request_log()["path"].str.contains("/batch/").sum()
        held = _held(sb)
    assert held == {type_id: 6}
    assert result["status"].tolist() == ["success", "duplicate"], result
    assert result["error_code"].tolist()[1] == "DUPLICATE_ROW"
    assert writes == 1
    assert result["to_type"].tolist() == SPELLINGS  # the report shows the sheet's spelling


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_other_pairs_with_the_custom_object_stay_apart(
    version: str, behaviour: dict[str, object] | None
) -> None:
    """Deals and contacts to the custom object (under per_pair both list the same type id)
    are two limits: each is set."""
    with Sandbox(seed="demo", behaviour=behaviour) as sb:
        sheet = _sheet([("deals", SPELLINGS[0], "", "4"), ("contacts", SPELLINGS[1], "", "9")])
        if _ids_unknown(version, behaviour):
            with pytest.raises(hf.InputError, match=MIXED):
                hf.configure_limits(sheet, _client(sb, version), progress=False)
            sheet = _sheet([("deals", CUSTOM, "", "4"), ("contacts", CUSTOM, "", "9")])
        result = hf.configure_limits(sheet, _client(sb, version), progress=False)
        deals, contacts = _held(sb), _held(sb, "contacts")
    assert result["status"].tolist() == ["success"] * 2, result
    assert list(deals.values()) == [4] and list(contacts.values()) == [9]
