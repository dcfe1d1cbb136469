"""Rows a warning leaves nothing to do are not checked online.

An empty limit cell (``BLANK_LIMIT``) and a record with no targets (``NO_TARGETS``) are never
sent: the run skips them.  Before, ``validate_limits(client)`` / ``validate_pairs(client)``
checked their labels all the same and reported an unknown one as an error, so the same row was
``skipped`` in a run and ``invalid`` in a run given the validation's issues (the app and the
command line's validate-then-run pass them), and ``validate --online`` counted an error for a
row nothing is done with.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = str(demo_ids("deals")[0]), str(demo_ids("contacts")[0])
COLUMNS = ["row", "status", "error_code"]


def _agree(frame: pd.DataFrame, job: Any, validate: Any) -> pd.DataFrame:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        issues = validate(frame, client)
        alone = job(frame, client, dry_run=True, progress=False)
        given = job(frame, client, dry_run=True, progress=False, issues=issues)
    pd.testing.assert_frame_equal(alone[COLUMNS], given[COLUMNS])
    return issues


@pytest.mark.parametrize("label", ["Newbie", "decision makr", "9999", "Dec1sion maker"])
def test_an_empty_limit_row_is_skipped_whatever_its_label(label: str, tmp_path: Any) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(f"From,To,Label,Max\ndeals,contacts,{label},\ndeals,contacts,Newbie,3\n")
    limits = hf.read_limits(sheet)
    issues = _agree(limits, hf.configure_limits, hf.validate_limits)
    first = issues[issues["row"] == 2]
    assert first["code"].tolist() == ["BLANK_LIMIT"], first
    second = issues[issues["row"] == 3]  # the same label with a limit: still checked
    assert "UNKNOWN_LABEL" in second["code"].tolist(), second


@pytest.mark.parametrize("label", ["Newbie", "9999"])
def test_a_record_with_no_targets_is_skipped_whatever_its_label(label: str) -> None:
    frame = pd.DataFrame(
        {
            "from_type": ["deals", "deals"],
            "from_id": [DEAL, DEAL],
            "to_type": ["contacts", "contacts"],
            "to_id": ["", CONTACT],
            "label": [label, label],
        }
    )
    pairs = hf.read_pairs(frame)
    issues = _agree(pairs, hf.associate, hf.validate_pairs)
    assert "UNKNOWN_LABEL" not in issues.loc[issues["position"] == 0, "code"].tolist(), issues
    assert "UNKNOWN_LABEL" in issues.loc[issues["position"] == 1, "code"].tolist(), issues
