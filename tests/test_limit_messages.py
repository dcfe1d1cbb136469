"""A row a limit refused says whose limit it is.

The message of a ``LIMIT_EXCEEDED`` row always named the source record ("Deal D already has as
many contacts as its association limit allows"), also when HubSpot refused the row for the
target record's limit (a contact already Decision maker of as many deals as its own limit
allows), while the deal had room.  The error names the association type it counted: the row's
own type, or its direction's unlabeled type, is the source's limit; the other direction's
unlabeled type, or another label of the user's (the row's label seen from the target), the
target's; an error that does not say names both records.  Bare errors are diagnosed by reading
the portal, which finds the record at its limit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEAL, CONTACT = "2040000061", "1019360210"
OTHER_DEAL, OTHER_CONTACTS = "2040000060", ("1019360001", "1019360002")


def _full(sb: Sandbox, case: str) -> str:
    """Bring one side to its limit; the label the row asks for."""
    if case == "deal":  # the demo's Decision maker limit: 2 contacts a deal
        for contact in OTHER_CONTACTS:
            sb.associate("deals", DEAL, "contacts", contact, type_id=1001)
        return "Decision maker"
    if case == "contact":
        sb.set_limit("contacts", "deals", 1, type_id=1002)
        sb.associate("deals", OTHER_DEAL, "contacts", CONTACT, type_id=1001)
        return "Decision maker"
    if case == "unlabeled deal":
        unlabeled = sb.type_id("deals", "contacts", None)
        sb.set_limit("deals", "contacts", 1, type_id=unlabeled)
        sb.associate("deals", DEAL, "contacts", OTHER_CONTACTS[0], type_id=unlabeled)
        return ""
    unlabeled = sb.type_id("contacts", "deals", None)
    sb.set_limit("contacts", "deals", 1, type_id=unlabeled)
    sb.associate("contacts", CONTACT, "deals", OTHER_DEAL, type_id=unlabeled)
    return ""


@pytest.mark.parametrize("details", ["full", "bare"])
@pytest.mark.parametrize("case", ["deal", "contact", "unlabeled deal", "unlabeled contact"])
def test_the_message_names_the_record_at_its_limit(case: str, details: str) -> None:
    behaviour: dict[str, Any] = {"error_details": "bare"} if details == "bare" else {}
    with Sandbox(seed="demo", behaviour=behaviour or None) as sb:
        label = _full(sb, case)
        sheet = pd.DataFrame(
            {"Deal ID": [DEAL], "Contact ID": [CONTACT], "Association label": [label]}
        )
        result = hf.associate(sheet, client_for(sb), progress=False)
    row = result.iloc[0]
    assert (row["status"], row["error_code"]) == ("failed", "LIMIT_EXCEEDED")
    said = str(row["error_message"]).split(" (HubSpot:")[0]
    deal, contact = f"Deal {DEAL}" in said, f"ontact {CONTACT}" in said
    if case.endswith("deal"):
        assert said.startswith(f"Deal {DEAL} already has") and not contact, said
    else:
        assert said.startswith(f"Contact {CONTACT} already has") and not deal, said


def test_two_rows_of_one_pair_refused_by_one_limit_are_both_limit_exceeded() -> None:
    """A label and the pair's unlabeled type in one batch, the deal at its pair limit: HubSpot
    answers two errors that both name the unlabeled type.  The second was matched to the row
    the first named already, and the label's row read back as "answered without this row"
    (NOT_APPLIED: the retry file then sends it again, to the same refusal)."""
    with Sandbox(seed="demo") as sb:
        unlabeled = sb.type_id("deals", "contacts", None)
        sb.set_limit("deals", "contacts", 1, type_id=unlabeled)
        sb.associate("deals", DEAL, "contacts", OTHER_CONTACTS[0], type_id=unlabeled)
        sheet = pd.DataFrame(
            {
                "Deal ID": [DEAL, DEAL],
                "Contact ID": [CONTACT, CONTACT],
                "Association label": ["Champion", ""],
            }
        )
        result = hf.associate(sheet, client_for(sb), progress=False)
        held = sb.associations("deals", "contacts")
    assert result["error_code"].tolist() == ["LIMIT_EXCEEDED", "LIMIT_EXCEEDED"], result
    assert all(str(m).startswith(f"Deal {DEAL} already has") for m in result["error_message"])
    assert CONTACT not in set(held["to_id"].astype(str))
