"""A sync compares one custom object however the rows spell it.

A custom object is written by its type id (``2-7350001``) or its name (``p_installations``,
``p24681357_installations``); the reader keeps each as written.  Before: a sync grouped rows by
the spelling, so a deal's rows naming its installations two ways were two object pairs, each
missing the other's installations, and ``allow_removals=True`` removed every association the
sheet kept (while both rows said ``keep``).  Rows of the other direction spelled another way
did not hold a removal either, nor did an invalid row spelled another way.  Against the demo
sandbox over HTTP, for every API version.  2026-09's labels lists name no object type ids:
there the custom object schemas list says which name is which type id, and where it cannot be
read a sheet mixing a type id and a name is refused (which is which cannot be told), before
anything is read or sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs import sync
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import PORTAL_ID
from hubframe.testing import client_for, demo_ids, without_schemas

VERSIONS = ["2026-03", "v4", "2026-09"]
MIXED = "by type id (2-7350001) and by name"
ID, NAME, LONG = "2-7350001", "p_installations", f"p{PORTAL_ID}_installations"
DEAL = str(demo_ids("deals")[5])
ONE, TWO, THREE = (str(i) for i in demo_ids("installations")[:3])


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    """The demo portal, deal ``DEAL`` linked to installations ONE, TWO and THREE only."""
    with Sandbox(seed="demo") as sb:
        for installation in (ONE, TWO, THREE):
            sb.associate("deals", DEAL, ID, installation)
        yield sb


def installations(sb: Sandbox) -> list[str]:
    links = sb.associations("deals", ID)
    return sorted(links.loc[links["from_id"] == DEAL, "to_id"].unique())


def sheet(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["from_type", "from_id", "to_type", "to_id"])


def synced(sb: Sandbox, rows: pd.DataFrame, version: str) -> pd.DataFrame:
    """The sync with removals of ``rows``.  Under 2026-09, whose labels lists do not say which
    name is which type id, rows naming the object both ways are first refused with the schemas
    list failing (nothing else says it), then synced with the list read."""
    spellings = set(rows["from_type"]) | set(rows["to_type"])
    if version == "2026-09" and ID in spellings and spellings & {NAME, LONG}:
        before = installations(sb)
        with pytest.raises(InputError, match=re.escape(MIXED)):
            client = without_schemas(client_for(sb, version))
            sync(rows, client, allow_removals=True, progress=False)
        assert installations(sb) == before
    return sync(rows, client_for(sb, version), allow_removals=True, progress=False)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("other", [NAME, LONG])
def test_rows_of_one_object_spelled_two_ways_keep_what_they_list(
    portal: Sandbox, version: str, other: str
) -> None:
    rows = sheet(("deals", DEAL, ID, ONE), ("deals", DEAL, other, TWO))
    result = synced(portal, rows, version)
    assert installations(portal) == [ONE, TWO]  # THREE only: the sheet lists the others
    removed = result[result["change"] == "remove"]
    assert removed["to_id"].tolist() == [THREE], result[["to_type", "to_id", "change"]]
    assert result["change"].tolist()[:2] == ["keep", "keep"]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_row_of_the_other_direction_spelled_another_way_holds_the_removal(
    portal: Sandbox, version: str
) -> None:
    rows = sheet(("deals", DEAL, ID, ONE), (NAME, TWO, "deals", DEAL), (ID, THREE, "deals", DEAL))
    result = synced(portal, rows, version)
    assert installations(portal) == [ONE, TWO, THREE], result[["to_id", "change", "status"]]
    removals = result[result["change"] == "remove"]
    of_deal = removals[removals["from_id"] == DEAL]
    assert sorted(of_deal["to_id"]) == [TWO, THREE]
    assert set(of_deal["error_code"]) == {"REMOVAL_HELD"}, of_deal
    # what the installations' rows leave out (their demo deals) goes, whatever the spelling
    others = removals[removals["from_id"] != DEAL]
    assert sorted(others["from_id"]) == [TWO, THREE] and set(others["status"]) == {"success"}


@pytest.mark.parametrize("version", VERSIONS)
def test_an_invalid_row_spelled_another_way_holds_its_record(portal: Sandbox, version: str) -> None:
    rows = sheet(("deals", DEAL, ID, ONE), ("deals", DEAL, NAME, "12ab"))
    result = synced(portal, rows, version)
    assert installations(portal) == [ONE, TWO, THREE]
    assert result.loc[1, "status"] == "invalid"
    held = result[result["change"] == "remove"]
    assert set(held["error_code"]) == {"REMOVAL_HELD"}, held


def test_two_custom_objects_stay_two(portal: Sandbox) -> None:
    """Spellings of two different objects are not taken for one: the deal's contacts are
    compared with the contacts the sheet lists, its installations with its installations."""
    contact = str(demo_ids("contacts")[0])
    portal.associate("deals", DEAL, "contacts", contact)
    rows = sheet(("deals", DEAL, NAME, ONE), ("deals", DEAL, "contacts", contact))
    result = sync(rows, client_for(portal), allow_removals=True, dry_run=True, progress=False)
    removed = result[result["change"] == "remove"]
    assert sorted(removed["to_id"]) == [TWO, THREE]


@pytest.mark.parametrize("version", VERSIONS)
def test_two_names_of_one_object_are_one_object(portal: Sandbox, version: str) -> None:
    """``p_installations`` and ``p24681357_installations`` name one object, whatever the
    labels lists say: both directions, rows of each name."""
    rows = sheet(
        ("deals", DEAL, NAME, ONE), ("deals", DEAL, LONG, TWO), (LONG, THREE, "deals", DEAL)
    )
    result = sync(rows, client_for(portal, version), allow_removals=True, progress=False)
    assert installations(portal) == [ONE, TWO, THREE], result[["to_id", "change", "status"]]
    of_deal = result[(result["change"] == "remove") & (result["from_id"] == DEAL)]
    assert set(of_deal["error_code"]) <= {"REMOVAL_HELD"}, of_deal


@pytest.mark.parametrize("version", ["2026-03", "v4", "2026-09"])
def test_the_refusal_says_what_hubspot_answered_not_only_2026_09(version: str) -> None:
    """Labels lists read back without object type ids (the ``observed`` preset: HubSpot's own
    reference answers leave them out) and a schemas list that fails make 2026-03 and v4 refuse
    the sheet too: the message blamed the 2026-09 API, and an analyst who moved to 2026-03 met
    the same refusal.  It says what failed: the schemas list, and the labels lists."""
    rows = pd.DataFrame(
        [
            {"From object": ID, "To object": "deals", "Label": "", "Max": "5"},
            {"From object": NAME, "To object": "contacts", "Label": "", "Max": "6"},
        ]
    )
    with Sandbox(seed="demo", behaviour="observed") as sb:
        client = without_schemas(HubSpotClient(sb.token, sb.url, api_version=version))
        with pytest.raises(hf.HubframeError) as refused:
            hf.configure_limits(rows, client, progress=False)
    message = str(refused.value)
    assert "name no object type ids" in message
    assert "schemas list, which says it, could not be read" in message
    assert "2026-09" not in message
