"""A second column of one side's record ids, named with other words ("Contact ID (new)",
"Secondary Contact ID", "Contact IDs (;-separated)"), is refused when it holds ids: its cells
would be left out unseen.

Before, only a header spelled exactly as a record id header ("Company ID") or numbered ("Contact
ID 2") was caught: a sheet ``Deal ID, Contact ID, Contact ID (new)`` was read from the first two,
the run associated the old contacts and reported ``success``, and the new ids were never sent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from tests.fuzzseeds import examples

DEAL = str(demo_ids("deals")[0])
OLD, NEW = (str(c) for c in demo_ids("contacts")[:2])

SECOND = [
    "Contact ID (new)",
    "Secondary Contact ID",
    "Contact IDs (;-separated)",
    "New contact id",
    "contactid_new",
    "Contact ID - corrected",
    "Corrected Contact IDs",
    "Record ID - Contact (old)",
]


def _sheet(extra: str, cell: str = NEW) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [OLD], extra: [cell]})


@pytest.mark.parametrize("extra", SECOND)
def test_a_second_column_of_a_sides_ids_is_refused_by_name(extra: str) -> None:
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(_sheet(extra))
    message = str(caught.value)
    assert f'"{extra}"' in message and "contacts" in message and "left out" in message


@pytest.mark.parametrize(
    "cell",
    [
        f"{OLD}; {NEW}",
        "1.019360002E+9",
        f"{NEW}.0",
        f" {NEW} ",
        f"'{NEW}",
        f'="{NEW}"',
        f"\u00a0{NEW}",
    ],
)
def test_ids_as_spreadsheets_and_lists_write_them_are_ids(cell: str) -> None:
    with pytest.raises(HeaderError, match="Contact ID \\(new\\)"):
        hf.read_pairs(_sheet("Contact ID (new)", cell))


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_file_with_a_second_id_column_sends_nothing(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"pairs.{suffix}"
    rows = [["Deal ID", "Contact ID", "Contact ID (new)"], [DEAL, OLD, NEW]]
    if suffix == "csv":
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        book = Workbook()
        for row in rows:
            book.active.append([int(v) if v.isdigit() else v for v in row])
        book.save(path)
    with Sandbox(seed="demo") as sb:
        before = sb.associations("deals", "contacts")
        with pytest.raises(HeaderError, match="Contact ID \\(new\\)"):
            hf.associate(path, client_for(sb), progress=False)
        assert sb.associations("deals", "contacts").equals(before)


@pytest.mark.parametrize("cell", ["", "see notes", "yes", "n/a"])
def test_a_column_without_ids_under_such_a_name_is_the_sheets_own(cell: str) -> None:
    frame = hf.read_pairs(_sheet("Contact ID (new)", cell))
    assert frame["to_id"].tolist() == [OLD] and "Contact ID (new)" in frame.columns


@pytest.mark.parametrize("extra", ["Contact Name", "Deal Stage", "Contact email (work)", "Notes"])
def test_columns_that_name_no_ids_stay_the_sheets_own(extra: str) -> None:
    frame = hf.read_pairs(_sheet(extra, "12345"))
    assert frame["to_id"].tolist() == [OLD] and frame[extra].tolist() == ["12345"]


def test_the_columns_chosen_are_read_and_the_other_left_on_purpose() -> None:
    frame = hf.read_pairs(
        _sheet("Contact ID (new)"),
        columns={"Deal ID": "from_id", "Contact ID (new)": "to_id"},
        to_type="contacts",
    )
    assert frame["to_id"].tolist() == [NEW]


def test_a_type_given_leaves_another_objects_column_out_as_before() -> None:
    # as "Company ID" beside "Deal ID" and "Contact ID" with from_type and to_type given
    frame = hf.read_pairs(
        _sheet("Company ID (new)", "3050000001"), from_type="deals", to_type="contacts"
    )
    assert frame["to_id"].tolist() == [OLD]


def test_an_exports_primary_company_beside_its_companies_is_read_as_before() -> None:
    export = pd.DataFrame(
        {
            "Record ID": [DEAL],
            "Deal Name": ["Renewal"],
            "Associated Company IDs": ["3050000001;3050000002"],
            "Associated Company IDs (Primary)": ["3050000001"],
        }
    )
    frame = hf.read_pairs(export, from_type="deals", to_type="companies")
    assert frame["to_id"].tolist() == ["3050000001", "3050000002"]


_DECOR = st.sampled_from(["new", "old", "2nd", "secondary", "corrected", "(new)", "- fixed", "v2"])


@settings(max_examples=examples(60), deadline=None)
@given(
    before=st.lists(_DECOR, max_size=2),
    after=st.lists(_DECOR, min_size=0, max_size=2),
    obj=st.sampled_from(["Contact", "Deal", "contact", "DEAL"]),
    ids=st.sampled_from(["ID", "IDs", "Id", "id"]),
)
def test_any_decoration_of_a_read_sides_id_header_is_refused(
    before: list[str], after: list[str], obj: str, ids: str
) -> None:
    if not before and not after:
        after = ["new"]
    extra = " ".join([*before, obj, ids, *after])
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(_sheet(extra))
    assert f'"{extra}"' in str(caught.value)
