"""A labels sheet's columns are read as the pairs reader reads a sheet's: two columns of one
kind stop the read naming both, fill notes ("(optional)") are left out of every column's
name, and a CSV row with cells past the header is refused, never created from.  Before,
the first column of a kind won and the other was left out without a word: a paired label was
created unpaired, a rename became a new label, the cells after an unquoted comma were lost."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from hubframe.io.columns import HeaderError
from hubframe.io.labels import read_labels
from hubframe.jobs import configure_labels
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

#: Two headers of each column a labels sheet reads.
SPELLINGS = {
    "label": ("Label", "Association label", "Label name"),
    "inverse_label": ("Inverse label", "Inverse", "Reverse label", "Paired label"),
    "type_id": ("Type ID", "Association Type ID"),
    "name": ("Name", "Internal name"),
    "from_type": ("From type", "From object"),
}
NOTES = ("(optional)", "(required)", "(if any)", "- optional")
CELLS = {
    "label": "Supervisor",
    "inverse_label": "Supervisee",
    "type_id": "45",
    "name": "supervisor",
    "from_type": "contacts",
}


def _sheet(headers: list[str], cells: list[str]) -> bytes:
    return (",".join(headers) + "\n" + ",".join(cells) + "\n").encode()


TWICE = [
    (column, first, second, empty)
    for column, names in SPELLINGS.items()
    for first, second in itertools.permutations(names, 2)
    for empty in (None, 0, 1)
]


@pytest.mark.parametrize(("column", "first", "second", "empty"), TWICE)
def test_two_columns_of_one_kind_stop_the_read_naming_both(
    column: str, first: str, second: str, empty: int | None
) -> None:
    base = {"From type": "contacts", "To type": "companies", "Label": "Supervisor"}
    if column == "from_type":
        del base["From type"]
    elif column == "label":
        del base["Label"]
    cells = [CELLS[column], CELLS[column]]
    if empty is not None:
        cells[empty] = ""
    headers = [*base, first, second]
    with pytest.raises(HeaderError) as caught:
        read_labels(_sheet(headers, [*base.values(), *cells]))
    assert f"{first}, {second}" in caught.value.detail


@pytest.mark.parametrize(
    ("column", "header"),
    [(c, f"{name} {note}") for c in SPELLINGS for name in SPELLINGS[c][:2] for note in NOTES],
)
def test_fill_notes_are_left_out_of_every_column_name(column: str, header: str) -> None:
    base = {"From type": "contacts", "To type": "companies", "Label": "Supervisor"}
    if column == "from_type":
        del base["From type"]
    elif column == "label":
        del base["Label"]
    frame = read_labels(_sheet([*base, header], [*base.values(), CELLS[column]]))
    expected: object = int(CELLS[column]) if column == "type_id" else CELLS[column]
    assert frame.loc[0, column] == expected
    assert frame.loc[0, "label"] == "Supervisor"


@pytest.mark.parametrize(
    "header", ["Inverse label 2", "Label.1", "Type ID 2", "New label", "Label type ID"]
)
def test_a_column_not_read_that_names_a_read_one_stops_the_read(header: str) -> None:
    headers = ["From type", "To type", "Label", "Inverse label", "Type ID", header]
    cells = ["contacts", "companies", "Supervisor", "Supervisee", "", "Mentor"]
    with pytest.raises(HeaderError) as caught:
        read_labels(_sheet(headers, cells))
    assert header in caught.value.detail


@pytest.mark.parametrize(
    "row",
    [
        "contacts,companies,Supervisor, lead,Supervisee",
        "contacts,companies,Supervisor,Supervisee,,x",
        "contacts,companies,,,x",
        "contacts,companies,Supervisor,,a,b,c",
    ],
)
def test_rows_with_cells_past_the_header_are_refused(sandbox: Sandbox, row: str) -> None:
    data = f"From type,To type,Label,Inverse label\ncontacts,companies,Mentor,\n{row}\n"
    frame = read_labels(data.encode())
    assert frame["row"].tolist() == [2, 3]
    result = configure_labels(data.encode(), client_for(sandbox))
    assert result["status"].tolist() == ["success", "invalid"]
    assert result.loc[1, "error_code"] == "EXTRA_CELLS"
    beyond = row.split(",", 4)[4].lstrip(",")
    assert beyond in str(result.loc[1, "error_message"])
    made = {str(x) for x in sandbox.labels("contacts", "companies")["label"].dropna()}
    assert "Supervisor" not in made and "Mentor" in made


def test_a_pairs_frame_row_with_cells_past_the_header_creates_no_label(
    sandbox: Sandbox,
) -> None:
    data = b"Deal ID,Contact ID,Label\n1,2,Decision, maker\n3,4,Scout\n"
    result = configure_labels(data, client_for(sandbox), from_type="deals", to_type="contacts")
    by_label = dict(zip(result["label"], result["error_code"], strict=True))
    assert by_label["Decision"] == "EXTRA_CELLS" and pd.isna(by_label["Scout"])
    assert "Decision" not in {str(x) for x in sandbox.labels("deals", "contacts")["label"]}
