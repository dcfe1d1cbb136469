"""A column of the analyst's own that says in words what to do with each row stops the read.

``df["action"] = np.where(cond, "remove", "keep")`` is a very ordinary notebook column.  Only
headers spelled as a removal's word ("Remove", "Delete?") were looked at, so an "Action"
column of remove / keep, a "Keep?" column of yes / no, or "Should remove", "Needs removal",
"Disassociate" beside TRUE / FALSE were read as the analyst's own: ``remove_associations``
removed the rows marked keep too, and ``associate`` linked the rows marked remove, each said
``success``.  A column asking some rows' removal and not others' is refused, naming the column
and the first row asking; a column asking every row's removal, or holding other words, is read,
and so is a hubframe report read back (its change and action columns say what its run did: a
job refuses its removals in the run's words).
"""

from __future__ import annotations

import io
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

DEALS = [str(d) for d in demo_ids("deals")[10:14]]
CONTACTS = [str(c) for c in demo_ids("contacts")[75:79]]
REMOVES = ["remove", "Remove", "DELETE", "to remove", "Unlink", "drop", "Disassociate"]
OTHERS = ["keep", "Keep", "add", "", "no change", "Link", "new", "skip"]


def _sheet(header: str, cells: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, header: cells})


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        for deal, contact in zip(DEALS, CONTACTS, strict=True):
            sb.associate("deals", deal, "contacts", contact, None)
        yield sb


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    header=st.sampled_from(["Action", "action", "Operation", "What to do", "Status", "Notes"]),
    asks=st.sampled_from(REMOVES),
    others=st.lists(st.sampled_from(OTHERS), min_size=3, max_size=3),
    at=st.integers(0, 3),
    job=st.sampled_from(["remove", "associate", "sync"]),
)
def test_a_column_of_remove_and_keep_stops_every_job(
    portal: Sandbox, header: str, asks: str, others: list[str], at: int, job: str
) -> None:
    cells = [*others[:at], asks, *others[at:]]
    before = portal.associations("deals", "contacts")
    run = {"remove": hf.remove_associations, "associate": hf.associate, "sync": hf.sync}[job]
    said = re.escape(f'the column "{header}" marks rows to remove (row {at + 2} (index {at}))')
    with pytest.raises(HeaderError, match=said):
        run(_sheet(header, cells), client_for(portal), progress=False)
    assert portal.associations("deals", "contacts").equals(before)


@pytest.mark.parametrize(
    ("header", "cells", "row"),
    [
        ("Keep?", ["yes", "yes", "no", "yes"], 4),
        ("Keep", ["Y", "N", "", "Y"], 3),
        ("Should remove", ["FALSE", "TRUE", "FALSE", "FALSE"], 3),
        ("should_remove", ["", "", "", "1"], 5),
        ("Needs removal", ["x", "", "", ""], 2),
        ("Disassociate?", ["", "yes", "", ""], 3),
        ("Unassociate", ["", "", "✓", ""], 4),
        ("Do remove (Y/N)", ["N", "N", "Y", "N"], 4),
        ("Drop", ["", "x", "", ""], 3),
    ],
)
def test_headers_asking_removals_in_other_words_stop_the_read(
    header: str, cells: list[str], row: int
) -> None:
    """In a CSV file too: its row numbers are the file's."""
    with pytest.raises(HeaderError, match=re.escape(f'"{header}" marks rows to remove (row {row}')):
        hf.read_pairs(_sheet(header, cells).to_csv(index=False).encode(), **_TYPES)


_TYPES = {"from_type": "deals", "to_type": "contacts"}


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Action", ["remove", "remove", "Remove", "to remove"]),  # every row: a remove sheet
        ("Action", ["keep", "add", "", "keep"]),  # no removal asked
        ("Action", ["Archive", "keep", "", "keep"]),  # a record's: "a deal to archive later"
        ("Notes", ["remove", "call back", "", "keep"]),  # words of the analyst's own
        ("Status", ["Archived", "Removed", "", "Deleted"]),  # what was, not what to do
        ("Keep?", ["yes", "yes", "", "yes"]),
        ("Keeper", ["Anna", "Bo", "", "Cy"]),
        ("Removal note", ["yes", "", "x", ""]),
        ("Date removed", ["yes", "", "", ""]),
        ("Dropdown", ["", "", "", ""]),
    ],
)
def test_columns_asking_no_row_apart_are_the_analysts_own(header: str, cells: list[str]) -> None:
    frame = hf.read_pairs(_sheet(header, cells), **_TYPES)
    assert frame["to_id"].tolist() == CONTACTS
    assert frame[header].fillna("").tolist() == cells


def test_a_limits_sheet_with_an_action_column_is_refused() -> None:
    """Its rows marked remove would have been set (or skipped as blank), the limits kept."""
    data = io.StringIO(
        "From,To,Max,Action\ndeals,contacts,5,keep\ndeals,companies,,remove\n"
    ).getvalue()
    with pytest.raises(HeaderError, match=r'"Action" asks for limits to be removed \(row 3\)'):
        hf.read_limits(data.encode())
