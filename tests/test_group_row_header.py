"""A group row above the header (``From`` over the deal's columns, ``To`` over the contact's)
is a title: the header is the row below it.

A bare ``From`` / ``To`` names a column hubframe reads, so the group row scored as many known
headers as the real header (``Deal ID, Deal Name, Contact ID, Contact Name``) and, being the
earlier, was taken for the header: without types the read failed saying to pass
``from_type=`` (although ``Deal ID`` names the type); with them the real header was refused as
"a second table below the first" (ids first), or ``From`` / ``To`` were read as the id
columns, the deal's and the contact's names sent as ids (names first).  A sheet whose header
is ``From | To`` (ids below it, types given as arguments) reads as before.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io import sheet_headers
from tests.fuzzseeds import examples

DEAL, CONTACT = "2040000001", "1019360001"
DEAL2, CONTACT2 = "2040000002", "1019360002"
IDS_FIRST = ["Deal ID", "Deal Name", "Contact ID", "Contact Name"]
NAMES_FIRST = ["Deal Name", "Deal ID", "Contact Name", "Contact ID"]
CELLS = {
    "Deal ID": [DEAL, DEAL2],
    "Deal Name": ["Big deal", "Small deal"],
    "Contact ID": [CONTACT, CONTACT2],
    "Contact Name": ["Ann", "Bob"],
}
TYPES: list[dict[str, str]] = [{}, {"from_type": "deals", "to_type": "contacts"}]


def _rows(header: list[str]) -> list[list[str]]:
    return [[CELLS[h][i] for h in header] for i in range(2)]


def _xlsx(path: Path, top: list[list[Any]], header: list[str], merge: bool) -> Path:
    """A workbook: the rows ``top`` above ``header``, then two rows of pairs.  ``merge``:
    each group cell of the last row of ``top`` is merged over the blank cells after it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in [*top, header, *_rows(header)]:
        sheet.append([int(c) if c.isdigit() else (c or None) for c in map(str, cells)])
    if merge and top:
        group_row = len(top)
        cells = top[-1]
        for start, cell in enumerate(cells):
            if not cell:
                continue
            end = start
            while end + 1 < len(cells) and not cells[end + 1]:
                end += 1
            if end > start:
                sheet.merge_cells(
                    start_row=group_row, start_column=start + 1, end_row=group_row,
                    end_column=end + 1,
                )  # fmt: skip
    book.save(path)
    return path


def _csv(path: Path, top: list[list[Any]], header: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([*top, header, *_rows(header)])
    return path


def _read_as_pairs(frame: pd.DataFrame, header_row: int) -> None:
    assert frame["from_type"].tolist() == ["deals", "deals"]
    assert frame["to_type"].tolist() == ["contacts", "contacts"]
    assert frame["from_id"].tolist() == [DEAL, DEAL2]
    assert frame["to_id"].tolist() == [CONTACT, CONTACT2]
    assert frame["row"].tolist() == [header_row + 1, header_row + 2]
    assert frame.attrs["hubframe"]["column_map"] == {"Deal ID": "from_id", "Contact ID": "to_id"}
    assert frame["Deal Name"].tolist() == ["Big deal", "Small deal"]


def _group(header: list[str], left: str = "From", right: str = "To") -> list[str]:
    """The group row over ``header``: ``left`` over the deal's two columns, ``right`` over the
    contact's."""
    return [left, "", right, ""] if len(header) == 4 else [left, right]


@pytest.mark.parametrize(
    ("header", "merge", "types"),
    list(itertools.product([IDS_FIRST, NAMES_FIRST], [True, False], TYPES)),
)
def test_a_group_row_over_the_header_of_a_workbook_is_a_title(
    tmp_path: Path, header: list[str], merge: bool, types: dict[str, str]
) -> None:
    path = _xlsx(tmp_path / "group.xlsx", [_group(header)], header, merge)
    _read_as_pairs(hf.read_pairs(path, **types), header_row=2)
    assert sheet_headers(path) == header


@pytest.mark.parametrize(
    ("header", "types"), list(itertools.product([IDS_FIRST, NAMES_FIRST], TYPES))
)
def test_a_group_row_over_the_header_of_a_csv_file_is_a_title(
    tmp_path: Path, header: list[str], types: dict[str, str]
) -> None:
    path = _csv(tmp_path / "group.csv", [_group(header)], header)
    assert path.read_text().splitlines()[0] == ",".join(_group(header))  # "From,,To,"
    _read_as_pairs(hf.read_pairs(path, **types), header_row=2)
    assert sheet_headers(path) == header


@pytest.mark.parametrize(
    ("left", "right"),
    [("From object", "To object"), ("From Object Type", "To Object Type"), ("FROM", "to")],
)
@pytest.mark.parametrize("header", [IDS_FIRST, NAMES_FIRST])
def test_group_cells_naming_the_objects_in_other_words(
    tmp_path: Path, left: str, right: str, header: list[str]
) -> None:
    group = _group(header, left, right)
    _read_as_pairs(hf.read_pairs(_xlsx(tmp_path / "g.xlsx", [group], header, True)), 2)
    _read_as_pairs(hf.read_pairs(_csv(tmp_path / "g.csv", [group], header)), 2)


def test_a_title_blank_rows_and_the_objects_names_around_the_group_row(tmp_path: Path) -> None:
    top = [
        ["Q3 associations", "", "", ""],
        ["", "", "", ""],
        ["From", "", "To", ""],
        ["", "", "", ""],
        ["Deals", "", "Contacts", ""],
    ]
    _read_as_pairs(hf.read_pairs(_xlsx(tmp_path / "g.xlsx", top, IDS_FIRST, True)), 6)
    _read_as_pairs(hf.read_pairs(_csv(tmp_path / "g.csv", top, NAMES_FIRST)), 6)


def test_a_group_row_over_a_two_column_header(tmp_path: Path) -> None:
    """``From | To`` over ``Deal ID | Contact ID``: the row below names the columns."""
    path = tmp_path / "two.csv"
    path.write_text(f"From,To\nDeal ID,Contact ID\n{DEAL},{CONTACT}\n")
    frame = hf.read_pairs(path)
    assert frame[["from_type", "from_id", "to_type", "to_id"]].values.tolist() == [
        ["deals", DEAL, "contacts", CONTACT]
    ]
    assert frame["row"].tolist() == [3]


_GROUPS = st.sampled_from(
    [("From", "To"), ("From object", "To object"), ("from", "TO"), ("From Object", "To Object")]
)
_TITLES = st.lists(
    st.sampled_from([["Q3 associations"], ["Portal ID", "4412345"], [""], ["Prepared by Ann"]]),
    max_size=3,
)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    header=st.permutations(IDS_FIRST),
    groups=_GROUPS,
    titles=_TITLES,
    blanks=st.integers(0, 2),
    workbook=st.booleans(),
    merge=st.booleans(),
    types=st.sampled_from(TYPES),
)
def test_the_header_under_a_group_row_is_found_in_any_layout(
    tmp_path: Path,
    header: list[str],
    groups: tuple[str, str],
    titles: list[list[str]],
    blanks: int,
    workbook: bool,
    merge: bool,
    types: dict[str, str],
) -> None:
    """Columns in any order (the deal's first), titles above the group row, blank rows
    between it and the header: the header row is the one naming the columns."""
    header = sorted(header, key=lambda h: not h.startswith("Deal"))  # From over the deals
    top = [[*t, *[""] * (4 - len(t))] for t in titles]
    top += [[groups[0], "", groups[1], ""], *[["", "", "", ""]] * blanks]
    header_row = len(top) + 1
    name = f"g{len(list(tmp_path.iterdir()))}"
    path = (
        _xlsx(tmp_path / f"{name}.xlsx", top, header, merge)
        if workbook
        else _csv(tmp_path / f"{name}.csv", top, header)
    )
    _read_as_pairs(hf.read_pairs(path, **types), header_row)


# --- sheets that read as before ------------------------------------------------------------------


@pytest.mark.parametrize("workbook", [True, False])
@pytest.mark.parametrize("above", [[], [["Q3 associations", ""]], [["Notes: from the CRM", ""]]])
def test_from_to_as_the_real_header_reads_as_before(
    tmp_path: Path, workbook: bool, above: list[list[str]]
) -> None:
    """``From | To`` with ids below (types as arguments): the ids are read from it."""
    rows = [*above, ["From", "To"], [DEAL, CONTACT], [DEAL2, CONTACT2]]
    if workbook:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for cells in rows:
            sheet.append([int(c) if c.isdigit() else c for c in cells])
        path = tmp_path / "ft.xlsx"
        book.save(path)
    else:
        path = tmp_path / "ft.csv"
        path.write_text("".join(",".join(r) + "\n" for r in rows))
    frame = hf.read_pairs(path, from_type="deals", to_type="contacts")
    assert frame.attrs["hubframe"]["column_map"] == {"From": "from_id", "To": "to_id"}
    assert frame["from_id"].tolist() == [DEAL, DEAL2]
    assert frame["to_id"].tolist() == [CONTACT, CONTACT2]
    assert frame["row"].tolist() == [len(above) + 2, len(above) + 3]


def test_notes_and_a_title_above_an_ordinary_header_read_as_before(tmp_path: Path) -> None:
    top = [["Associations to create", "", "", ""], ["Owner: Ann", "", "", ""], ["", "", "", ""]]
    _read_as_pairs(hf.read_pairs(_xlsx(tmp_path / "t.xlsx", top, IDS_FIRST, False)), 4)
    _read_as_pairs(hf.read_pairs(_csv(tmp_path / "t.csv", top, NAMES_FIRST)), 4)


def test_a_group_row_with_rows_of_ids_below_it_is_still_the_header(tmp_path: Path) -> None:
    """``From | | To |`` with pairs below it, and a second table's header further down: the
    first row is the header, and the second table is refused as before."""
    path = tmp_path / "two_tables.csv"
    path.write_text(
        f"From,,To,\n{DEAL},,{CONTACT},\n\nDeal ID,Deal Name,Contact ID,Contact Name\n"
        f"{DEAL2},Small deal,{CONTACT2},Bob\n"
    )
    assert sheet_headers(path) == ["From", "Unnamed: 1", "To", "Unnamed: 3"]
    with pytest.raises(hf.errors.InputError, match="row 4"):
        hf.read_pairs(path, from_type="deals", to_type="contacts")


def test_a_limits_sheet_headed_from_to_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "limits.csv"
    path.write_text("Association limits,,,\nFrom,To,Label,Max\ndeals,contacts,Champion,5\n")
    frame = hf.read_limits(path)
    assert frame[["from_type", "to_type", "label"]].values.tolist() == [
        ["deals", "contacts", "Champion"]
    ]
    assert frame["max_to_object_ids"].tolist() == [5]
