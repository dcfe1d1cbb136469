"""A rehearsal makes the custom object a sheet names by its p_ name, as by its type id; a run
that names an object the portal lacks says so alike for labeled and unlabeled rows.

``Sandbox.from_pairs`` (``--sandbox rehearse``) made a custom object for an unknown ``2-1234``
but not for ``p_cars``, a spelling a real portal takes for its object: every row of it failed
"HubSpot refused the whole request: Unable to infer object type from: p_cars."
(``HUBSPOT_VALIDATION``) -- a false alarm.  Now ``p_<name>`` (and ``p<portal id>_<name>``) is
made too.  Against a portal that has no such object, an unlabeled row is ``invalid``
``BAD_OBJECT_TYPE`` before sending, as a labeled row is (its pair's labels list is read, and
HubSpot's "Unable to infer object type" is the sheet's cell at fault), in validation, dry run
and run, for every API version and behaviour profile.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import ErrorCode
from hubframe.run.send import Sender
from hubframe.run.work import Batch, WorkItem
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import PORTAL_ID
from hubframe.testing import client_for
from hubframe.vocab import Action, Status

pytestmark = pytest.mark.profiles

VERSIONS = ["2026-03", "v4", "2026-09"]
KW = {"progress": False}
NAMES = ["p_cars", "p_Cars", f"p{PORTAL_ID}_cars", "p_site_visits"]


def _sheet(rows: list[tuple[str, str, str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["from_type", "from_id", "to_type", "to_id", "label"])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", NAMES)
def test_a_rehearsal_makes_a_custom_object_named_by_its_p_name(
    name: str, version: str, profile: str
) -> None:
    pairs = hf.read_pairs(
        _sheet(
            [
                (name, "12345678", "contacts", "23456789", None),
                ("contacts", "23456780", name, "12345670", "Driver"),
                (name, "12345671", "2-9990001", "34567890", None),
            ]
        )
    )
    with Sandbox.from_pairs(pairs, behaviour=profile) as sb:
        assert len(sb.rehearsal.custom_objects) == 2, sb.rehearsal.describe()
        result = hf.associate(pairs, client_for(sb, version), **KW)
    assert (result["status"] == "success").all(), result[["status", "error_message"]]


def test_a_known_p_name_makes_no_new_object(profile: str) -> None:
    pairs = hf.read_pairs(_sheet([("p_installations", "4710000001", "contacts", "1", None)]))
    with Sandbox.from_pairs(pairs, seed="demo", behaviour=profile) as sb:
        assert sb.rehearsal.custom_objects == []


@pytest.mark.parametrize("label", [None, "Driver"], ids=["unlabeled", "labeled"])
@pytest.mark.parametrize("version", VERSIONS)
def test_an_object_the_portal_lacks_is_the_sheets_fault_with_or_without_a_label(
    sandbox_factory: Callable[..., Sandbox], version: str, label: str | None
) -> None:
    sb = sandbox_factory(seed="demo")
    client = client_for(sb, version)
    sheet = _sheet([("p_cars", "12345678", "contacts", "1019360001", label)])
    issues = hf.validate_pairs(hf.read_pairs(sheet), client)
    assert issues["code"].tolist() == ["BAD_OBJECT_TYPE"], issues[["code", "message"]]
    for dry_run in (True, False):
        result = hf.associate(sheet, client, dry_run=dry_run, **KW)
        assert result.loc[0, "status"] == "invalid", result.loc[0].to_dict()
        assert result.loc[0, "error_code"] == "BAD_OBJECT_TYPE"
        assert 'no object type "p_cars"' in str(result.loc[0, "error_message"])


@pytest.mark.parametrize("action", [Action.ASSOCIATE_DEFAULT, Action.ASSOCIATE])
@pytest.mark.parametrize("version", VERSIONS)
def test_a_batch_hubspot_refuses_for_an_unknown_object_says_so_as_the_lookup_does(
    sandbox_factory: Callable[..., Sandbox], version: str, action: Action
) -> None:
    """A batch sent for an object the portal lacks (its labels were not read first: a
    journal's resumed run, a read that failed) and refused whole with "Unable to infer object
    type": its rows are the cell's fault (BAD_OBJECT_TYPE), in the lookup's words."""
    sb = sandbox_factory(seed="demo")
    typed = action is Action.ASSOCIATE
    items = tuple(
        WorkItem(
            n,
            action,
            "p_cars",
            "contacts",
            str(12345678 + n),
            "1019360001",
            "USER_DEFINED" if typed else None,
            1001 if typed else None,
        )
        for n in range(3)
    )
    found = Sender(client_for(sb, version)).run([Batch(0, action, "p_cars", "contacts", items)])
    for n in range(3):
        assert found[n].error_code is ErrorCode.BAD_OBJECT_TYPE, found[n]
        assert found[n].status is Status.INVALID, found[n]
        assert 'no object type "p_cars"' in str(found[n].error_message)
