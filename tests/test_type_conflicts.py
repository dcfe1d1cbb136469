"""A type cell that names another object than its id column's name: TYPE_CONFLICT.

"Deal ID, Contact ID, To Type" with "companies" in a To Type cell: the cell decides the row's
type, so the contact id in that row was looked up, and associated, as a company's without a
word.  The row is now refused before anything is sent; type cells that agree with the header,
in any spelling, and empty ones (they take the header's type) read as before.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, workbook_bytes, xlsx_bytes

pytestmark = pytest.mark.profiles

Rows = list[list[str]]
Factory = Callable[..., Sandbox]


def _csv(rows: Rows) -> bytes:
    return "".join(",".join(r) + "\n" for r in rows).encode()


def _frame(rows: Rows) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])


READERS: dict[str, Callable[[Rows], Any]] = {
    "csv": lambda rows: io.BytesIO(_csv(rows)),
    "xlsx": lambda rows: xlsx_bytes(rows),
    "frame": _frame,
}


def _issues(pairs: pd.DataFrame) -> list[tuple[int, str, str, str]]:
    issues = hf.validate_pairs(pairs)
    return list(zip(issues["row"], issues["column"], issues["value"], issues["code"], strict=True))


@pytest.mark.parametrize("reader", READERS)
def test_a_type_cell_against_the_id_column_name_refuses_its_row(reader: str) -> None:
    rows = [
        ["Deal ID", "Contact ID", "To Type"],
        ["11", "21", "companies"],  # the conflict
        ["12", "22", "contacts"],
        ["13", "23", "Contact"],  # the same object, spelled otherwise
        ["14", "24", "0-1"],  # and by its type id
        ["15", "25", ""],  # empty: the header's type
        ["16", "26", "contcts"],  # no object at all: BAD_OBJECT_TYPE only
        ["17", "27", "2-1234"],  # a custom object is another object too
    ]
    pairs = hf.read_pairs(READERS[reader](rows))
    assert pairs["to_type"].tolist()[1:5] == ["contacts"] * 4
    assert _issues(pairs) == [
        (2, "to_type", "companies", "TYPE_CONFLICT"),
        (7, "to_type", "contcts", "BAD_OBJECT_TYPE"),
        (8, "to_type", "2-1234", "TYPE_CONFLICT"),
    ]
    message = hf.validate_pairs(pairs)["message"].iloc[0]
    assert "'To Type'" in message and "'Contact ID'" in message and "contacts" in message


def test_the_from_side_too_and_both_in_one_row() -> None:
    rows = [
        ["Company ID", "From Type", "Ticket ID", "To Type"],
        ["11", "deals", "21", "contacts"],
        ["12", "companies", "22", "tickets"],
    ]
    pairs = hf.read_pairs(io.BytesIO(_csv(rows)))
    assert _issues(pairs) == [
        (2, "from_type", "deals", "TYPE_CONFLICT"),
        (2, "to_type", "contacts", "TYPE_CONFLICT"),
    ]


def test_untyped_id_columns_take_the_type_cells_as_before() -> None:
    rows = [["From ID", "To ID", "From Type", "To Type"], ["11", "21", "deals", "companies"]]
    pairs = hf.read_pairs(io.BytesIO(_csv(rows)))
    assert _issues(pairs) == []
    assert pairs[["from_type", "to_type"]].values.tolist() == [["deals", "companies"]]


def test_each_sheet_is_held_to_its_own_headers() -> None:
    data = workbook_bytes(
        {
            "Contacts": [["Deal ID", "Contact ID", "To Type"], ["11", "21", "companies"]],
            "Companies": [["Deal ID", "Company ID", "To Type"], ["12", "31", "companies"]],
        }
    )
    pairs = hf.read_pairs(data, sheet="*")
    issues = hf.validate_pairs(pairs)
    assert list(zip(issues["sheet"], issues["row"], issues["code"], strict=True)) == [
        ("Contacts", 2, "TYPE_CONFLICT")
    ]


def test_nothing_is_sent_for_a_conflicting_row(sandbox_factory: Factory) -> None:
    """Before: deal 11 was associated with company 21, a record the sheet never meant."""
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", ["11", "12"])
    sb.add_records("contacts", ["21", "22"])
    sb.add_records("companies", ["21", "22"])
    rows = [["Deal ID", "Contact ID", "To Type"], ["11", "21", "companies"], ["12", "22", ""]]
    result = hf.associate(hf.read_pairs(xlsx_bytes(rows)), client_for(sb), progress=False)
    assert result["status"].tolist() == ["invalid", "success"]
    assert result["error_code"].iloc[0] == "TYPE_CONFLICT"
    assert sb.associations("deals", "companies").empty
    linked = sb.associations("deals", "contacts")
    assert set(zip(linked["from_id"], linked["to_id"], strict=True)) == {("12", "22")}


def test_a_removal_is_refused_the_same_way(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", ["11"])
    sb.add_records("contacts", ["21"])
    sb.add_records("companies", ["21"])
    sb.associate("deals", "11", "companies", "21")
    rows = [["Deal ID", "Contact ID", "To Type"], ["11", "21", "companies"]]
    result = hf.remove_associations(hf.read_pairs(_csv(rows)), client_for(sb), progress=False)
    assert result["error_code"].tolist() == ["TYPE_CONFLICT"]
    assert len(sb.associations("deals", "companies")) == 1


SPELLINGS = {
    "contacts": ["contacts", "Contact", "CONTACTS", " contact ", "0-1"],
    "companies": ["companies", "Company", "0-2"],
    "deals": ["deals", "Deal", "0-3"],
    "tickets": ["tickets", "Ticket", "0-5"],
}


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.sampled_from(["", *(s for spelled in SPELLINGS.values() for s in spelled)]),
        min_size=1,
        max_size=12,
    )
)
def test_property_a_row_conflicts_exactly_when_its_cell_names_another_object(
    cells: list[str],
) -> None:
    rows = [["Deal ID", "Contact ID", "To Type"]]
    rows += [[str(100 + i), str(200 + i), cell] for i, cell in enumerate(cells)]
    pairs = hf.read_pairs(_frame(rows))
    expected = [
        (i + 2, "to_type", "TYPE_CONFLICT")
        for i, cell in enumerate(cells)
        if cell and cell not in SPELLINGS["contacts"]
    ]
    got = [(row, column, code) for row, column, _, code in _issues(pairs)]
    assert got == expected
    assert set(pairs["to_type"]) <= set(SPELLINGS)  # every cell read as an object's name
