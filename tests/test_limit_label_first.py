"""A limits row whose label HubSpot does not have is refused for its label, not for its limit.

The sheet's own checks compare a label limit with the object limit of the same pair before the
labels are read: a misspelled label with a limit above the object limit was refused
``LABEL_LIMIT_ABOVE_OBJECT_LIMIT``, "lower the label limit to at most 5" -- the analyst lowered
it, and the next run said the label does not exist.  The label's problem now comes first, in
the run, its dry run, and a validation with a client (which lists both problems).
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

OBJECT_LIMIT = "5"


def _sheet(label: str, type_id: str) -> pd.DataFrame:
    return hf.read_limits(
        pd.DataFrame(
            {
                "From": ["deals", "deals"],
                "To": ["contacts", "contacts"],
                "Label": ["", label],
                "Type ID": ["", type_id],
                "Max": [OBJECT_LIMIT, "7"],
            }
        )
    )


CASES = {
    "misspelled": ("Decison maker", "", "UNKNOWN_LABEL"),
    "unknown": ("Nope", "", "UNKNOWN_LABEL"),
    "label and type id disagree": ("Champion", "Decision maker", "LABEL_TYPE_MISMATCH"),
    "spelled right": ("champion", "", "LABEL_LIMIT_ABOVE_OBJECT_LIMIT"),
}


def _case(sb: Sandbox, name: str) -> tuple[pd.DataFrame, str]:
    label, type_of, code = CASES[name]
    type_id = str(sb.type_id("deals", "contacts", type_of)) if type_of else ""
    return _sheet(label, type_id), code


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("mode", ["run", "dry run", "run with online issues"])
def test_the_label_row_is_refused_for_its_label(name: str, mode: str) -> None:
    with Sandbox(seed="demo") as sb:
        sheet, code = _case(sb, name)
        client = client_for(sb)
        issues = hf.validate_limits(sheet, client) if mode == "run with online issues" else None
        result = hf.configure_limits(
            sheet, client, progress=False, dry_run=mode == "dry run", issues=issues
        )
        assert result["status"].tolist()[1] == "invalid"
        assert result["error_code"].tolist()[1] == code
        if code != "LABEL_LIMIT_ABOVE_OBJECT_LIMIT":
            assert "Lower the label limit" not in str(result["error_message"][1])
        # The object limit row goes on as it would without the label row.
        assert result["status"].tolist()[0] == ("planned" if mode == "dry run" else "success")


@pytest.mark.parametrize("name", list(CASES))
def test_validation_with_a_client_lists_both_problems(name: str) -> None:
    with Sandbox(seed="demo") as sb:
        sheet, code = _case(sb, name)
        offline = hf.validate_limits(sheet)
        online = hf.validate_limits(sheet, client_for(sb))
    assert offline["code"].tolist() == ["LABEL_LIMIT_ABOVE_OBJECT_LIMIT"]
    assert set(online.loc[online["row"] == 3, "code"]) == {"LABEL_LIMIT_ABOVE_OBJECT_LIMIT", code}
