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
from pathlib import Path
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
REMOVES = ["remove", "Remove", "DELETE", "to remove", "Unlink", "Disassociate"]
OTHERS = ["keep", "Keep", "add", "", "no change", "Link", "new", "skip", "Don't remove", "retain",
          "Keep (VIP)", "do not delete"]  # fmt: skip


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
        ("Keep (Y/N)", ["Y", "Y", "Y", "N"], 5),
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
        ("Status", ["Archived", "Removed", "", "Deleted"]),  # what was, not what to do
        ("Keep?", ["yes", "yes", "", "yes"]),
        ("Keeper", ["Anna", "Bo", "", "Cy"]),
        ("Removal note", ["yes", "", "x", ""]),
        ("Date removed", ["yes", "", "", ""]),
        ("Dropdown", ["", "", "", ""]),
        ("Keepsake", ["0", "3", "4", "5"]),
        ("Do not remove", ["yes", "", "x", ""]),  # protects its rows (helper-293)
        ("Don't delete", ["Y", "N", "", "Y"]),
        ("Do Not Delete (Y/N)", ["Y", "N", "N", "Y"]),
        ("Never unlink", ["x", "", "", ""]),
        ("Exempt from removal", ["yes", "", "", ""]),
        ("Stage", ["New", "Drop", "", "New"]),  # a dropped deal: a stage, not a link's removal
        ("Notes", ["remove later?", "call", "", "maybe remove"]),  # sentences: text
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


def test_a_column_the_analyst_added_to_a_report_is_looked_at(tmp_path: Path) -> None:
    """A report's own change and action columns say what its run did (the job refuses its
    removals in the run's words); a Decision column of remove / keep added to it marks rows as
    on any sheet: remove_associations removed the rows marked keep too."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        run = hf.associate(_sheet("Notes", ["", "", "", ""]), client, progress=False)
        hf.export_report(run, tmp_path / "report.csv")
        edited = pd.read_csv(tmp_path / "report.csv", dtype=str, keep_default_na=False)
        edited["Decision"] = ["remove", "keep", "keep", "remove"]
        before = sb.associations("deals", "contacts")
        with pytest.raises(hf.InputError, match='the column "Decision" marks rows to remove'):
            hf.remove_associations(edited, client, progress=False)
        assert sb.associations("deals", "contacts").equals(before)


def test_a_removal_far_down_a_column_of_few_words_is_found() -> None:
    """The first 1,000 rows all "keep", row 1,502 "remove": the whole column is looked at."""
    n = 1500
    sheet = pd.DataFrame(
        {"Deal ID": ["2040000001"] * (n + 1), "Contact ID": ["1019360001"] * (n + 1)}
    )
    sheet["Action"] = ["keep"] * n + ["remove"]
    with pytest.raises(HeaderError, match=r"marks rows to remove \(row 1502 "):
        hf.read_pairs(sheet, **_TYPES)


def test_a_column_of_many_words_is_text() -> None:
    cells = [f"call {n}" for n in range(30)] + ["remove"]
    sheet = pd.DataFrame({"Deal ID": ["2040000001"] * 31, "Contact ID": ["1019360001"] * 31})
    sheet["Notes"] = cells
    assert hf.read_pairs(sheet, **_TYPES)["Notes"].tolist() == cells


@pytest.mark.parametrize("job", ["remove", "associate"])
def test_a_column_added_to_a_read_frame_stops_the_job(portal: Sandbox, job: str) -> None:
    """read_pairs, then df["action"] = np.where(...): the frame read is taken as it is, its
    added column was not looked at."""
    frame = hf.read_pairs(_sheet("Notes", ["", "", "", ""]), **_TYPES)
    frame["action"] = ["keep", "remove", "keep", "Don't remove"]
    before = portal.associations("deals", "contacts")
    run = hf.remove_associations if job == "remove" else hf.associate
    with pytest.raises(hf.InputError, match=r'"action" marks rows to remove \(row 3\)'):
        run(frame, client_for(portal), progress=False)
    assert portal.associations("deals", "contacts").equals(before)
