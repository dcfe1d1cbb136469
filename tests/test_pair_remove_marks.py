"""A pairs sheet's own column marking rows to remove stops the read, in every common spelling.

Before, only a header spelled exactly as one of a few words ("Remove", "Delete") whose cells
were exact marks ("yes", "x", "✓") was refused: "Remove (Y/N)" with Y/N, "Remove" with ✔ and
"Delete" with "Yes." were read as a plain pairs sheet, so ``remove`` removed every row --
those marked N, no or left empty too -- and reported them ``success`` (associate and sync would
link the rows marked for removal).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(d) for d in demo_ids("deals")[:3]]
CONTACTS = [str(c) for c in demo_ids("contacts")[40:43]]
HEADERS = ["Remove", "Remove?", "Remove (Y/N)", "remove link", "Delete", "Delete?", "To be removed",
           "Unlink", "REMOVE ASSOCIATION", "Delete this row"]  # fmt: skip
YES = ["Yes", "yes.", "Y", "x", "X", "✔", "✓", "✅", "TRUE", "1", "Remove", "Yes!"]
NO = ["No", "N", "", "no.", "✘", "false", "0", "keep"]


def _sheet(header: str, marks: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, header: marks})


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        for deal, contact in zip(DEALS, CONTACTS, strict=True):
            sb.associate("deals", deal, "contacts", contact, None)
        yield sb


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    header=st.sampled_from(HEADERS),
    yes=st.sampled_from(YES),
    no=st.lists(st.sampled_from(NO), min_size=2, max_size=2),
    job=st.sampled_from(["remove", "associate"]),
)
def test_a_column_marking_rows_to_remove_stops_every_job(
    portal: Sandbox, header: str, yes: str, no: list[str], job: str
) -> None:
    before = portal.associations("deals", "contacts")
    run = hf.remove_associations if job == "remove" else hf.associate
    with pytest.raises(HeaderError, match=re.escape(f'the column "{header}" marks rows to remove')):
        run(_sheet(header, [no[0], yes, no[1]]), client_for(portal), progress=False)
    assert portal.associations("deals", "contacts").equals(before)


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Removed on", ["2026-01-02", "", "2026-03-04"]),
        ("Deleted", ["yes", "no", "yes"]),  # an export's status column: what was
        ("Removal note", ["yes", "", "x"]),
        ("Notes", ["remove later", "", "yes"]),  # a cell of just "remove": test_action_columns
    ],
)
def test_other_columns_are_the_analysts_own(header: str, cells: list[str]) -> None:
    frame = hf.read_pairs(_sheet(header, cells), from_type="deals", to_type="contacts")
    assert frame["to_id"].tolist() == CONTACTS
