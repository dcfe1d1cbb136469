"""Cells merged down a column show their value in every row they cover, and a workbook holds
it in the first cell only: a label merged over three contacts labels all three (before, the two
below were associated without a label and reported success), a deal id merged over its
contacts names the deal in each row."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from workbook_features import GRIDS, HIDDEN, MERGES, features_book, read_with, with_merges

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import read_notes
from hubframe.io.merges import fill_merged as _fill_merged
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(7_000_000_001 + i) for i in range(4)]
CONTACTS = [str(8_000_000_001 + i) for i in range(6)]


def _book_keeping(rows: list[list[object]], merges: list[str]) -> bytes:
    """A workbook of ``rows`` whose ``merges`` keep the cells they cover, as LibreOffice
    writes them with "keep the contents of the hidden cells" (openpyxl clears them)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Sheet"
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return with_merges(out.getvalue(), merges)


def _book(rows: list[list[object]], merges: list[str], at: str = "A1") -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    column, row = ord(at[0]) - 64, int(at[1:])
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None:
                ws.cell(row + r, column + c, value)
    for merge in merges:
        ws.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["Deal ID", "Contact ID", "Label"]


def test_a_merged_label_labels_every_row_it_covers(sandbox_factory: Callable[..., Sandbox]) -> None:
    rows = [
        HEADER,
        [DEALS[0], CONTACTS[0], "Decision maker"],
        [DEALS[0], CONTACTS[1], None],
        [DEALS[0], CONTACTS[2], None],
        [DEALS[1], CONTACTS[3], None],
    ]
    pairs = hf.read_pairs(_book(rows, ["C2:C4"]))
    assert pairs["label"].tolist()[:3] == ["Decision maker"] * 3
    assert pairs["label"].isna().tolist()[3]  # below the merge: no label, as the sheet shows
    said = [text for _, text in read_notes(pairs).messages()]
    assert any("cells merged over several rows (C2:C4)" in text for text in said)
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    type_id = sb.add_label("deals", "contacts", "Decision maker")
    result = hf.associate(pairs, client_for(sb), progress=False)
    assert set(result["status"]) == {"success"}
    linked = sb.associations("deals", "contacts")
    labeled = linked.loc[linked["type_id"] == type_id, "to_id"].tolist()
    assert sorted(labeled) == CONTACTS[:3]


def test_a_merged_id_names_its_record_in_every_row_away_from_a1() -> None:
    rows = [
        HEADER,
        [DEALS[0], CONTACTS[0], None],
        [None, CONTACTS[1], None],
        [DEALS[1], CONTACTS[2], None],
    ]
    pairs = hf.read_pairs(_book(rows, ["C6:C7"], at="C5"))
    assert pairs["from_id"].tolist() == [DEALS[0], DEALS[0], DEALS[1]]
    assert hf.validate_pairs(pairs).empty


def test_merges_outside_the_rows_read_show_the_rows_nothing_of_their_own() -> None:
    """A title merged down above the header and a header merged into the first row: the rows
    below read as the sheet shows them, without a value of their own (the header is never a
    label), whatever the file keeps in the covered cells."""
    rows = [
        ["Links of 2026"],
        [None],
        HEADER,
        [DEALS[0], CONTACTS[0], "Former"],  # C3:C4, the header into this row: kept unseen
        [DEALS[2], CONTACTS[2], "Buyer"],  # C5:C6
        [DEALS[3], CONTACTS[3], "Old"],  # covered by C5:C6: shows Buyer
    ]
    for engine in ("calamine", "openpyxl"):
        with read_with(engine):
            pairs = hf.read_pairs(_book_keeping(rows, ["A1:A2", "C3:C4", "C5:C6"]))
        assert pairs["row"].tolist() == [4, 5, 6]
        labels = pairs["label"].tolist()
        assert pd.isna(labels[0]) and labels[1:] == ["Buyer", "Buyer"], engine
        assert pairs["to_id"].tolist() == [CONTACTS[0], CONTACTS[2], CONTACTS[3]]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize(
    ("merge", "columns"),
    [
        ("A2:B2", "'Deal ID', 'Contact ID'"),  # one id shown over both id columns
        ("B3:C3", "'Contact ID', 'Label'"),  # a contact id shown over the label column
        ("A2:C4", "'Deal ID', 'Contact ID', 'Label'"),
    ],
)
def test_a_value_merged_across_columns_hubframe_reads_stops_the_read(
    engine: str, merge: str, columns: str
) -> None:
    """Before, the first column read the value and the others read as what they hold (a
    contact id shown across the label cell read as "no label"; a deal id shown across the
    contact id column read the contact id the file kept unseen).  Reading the one value
    into both would invent an id or a label: the read stops, naming the range, the columns
    and the value."""
    rows = [HEADER, [DEALS[0], CONTACTS[0], "Buyer"], [DEALS[1], CONTACTS[1], "Old"]]
    rows += [[DEALS[2], CONTACTS[2], None]]
    with read_with(engine), pytest.raises(InputError) as caught:
        hf.read_pairs(_book_keeping(rows, [merge]))
    said = str(caught.value)
    value = DEALS[0] if merge.startswith("A") else CONTACTS[1]
    assert f"the cells {merge} are merged across the columns {columns}" in said
    assert f"'{value}'" in said and "[Sheet]" in said and "\n" not in said


def test_a_label_merged_across_a_column_of_the_sheets_own_labels_every_row() -> None:
    """A label merged down and across a notes column (C2:D4): before, rows 3 and 4 were
    associated without the label and nothing said so.  The label column reads the label in
    every row; the notes column, which only shows the label across it, reads as empty."""
    rows = [
        [*HEADER, "Note"],
        [DEALS[0], CONTACTS[0], "Decision maker", None],
        [DEALS[0], CONTACTS[1], None, "kept unseen"],
        [DEALS[0], CONTACTS[2], None, None],
        [DEALS[1], CONTACTS[3], "Champion", "ok"],
    ]
    for engine in ("calamine", "openpyxl"):
        with read_with(engine):
            pairs = hf.read_pairs(_book_keeping(rows, ["C2:D4"]))
        assert pairs["label"].tolist() == ["Decision maker"] * 3 + ["Champion"], engine
        assert [n if isinstance(n, str) else "" for n in pairs["Note"]] == ["", "", "", "ok"]
        assert pairs.attrs["hubframe"]["merged_cells"] == {"Sheet": ["C2:D4"]}
        assert hf.validate_pairs(pairs).empty


def test_a_covered_cell_reads_as_the_merge_shows_it_whatever_it_holds() -> None:
    """Excel clears the cells a merge covers; LibreOffice ("keep the contents of the hidden
    cells") and programs may leave a value there, which the sheet does not show.  Before, it
    was read (a deal 999 labeled "Former" sent for a row showing deal 101, "Champion")."""
    body: list[list[object]] = [["1", "Champion"], ["2", None], ["3", "Former"], ["4", ""]]
    filled = _fill_merged(body, [(2, 2, 5, 2)], first=2)  # B2:B5
    assert [row[1] for row in body] == ["Champion"] * 4
    assert filled.names == ["B2:B5"]
    body = [["1", ""], ["2", "Former"], ["3", None]]
    assert _fill_merged(body, [(2, 2, 4, 2)], first=2).names == ["B2:B4"]  # an empty merge
    assert [row[1] for row in body] == ["", "", ""]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_ids_and_labels_kept_unseen_under_a_merge_are_not_read(engine: str) -> None:
    """The tester's sheet: A2:A4 and C2:C4 merged, the file keeping 999 / "Former" in row 3."""
    rows = [HEADER, [101, 201, "Champion"], [999, 202, "Former"], [None, 203, None]]
    with read_with(engine):
        pairs = hf.read_pairs(_book_keeping(rows, ["A2:A4", "C2:C4"]))
    assert pairs["from_id"].tolist() == ["101"] * 3
    assert pairs["label"].tolist() == ["Champion"] * 3
    assert pairs.attrs["hubframe"]["merged_cells"] == {"Sheet": ["A2:A4", "C2:C4"]}


_WIDE = [*HEADER, "Note"]  # the three columns hubframe reads, and one of the sheet's own
_READ = ("from_id", "to_id", "label", "Note")
_HELD = st.sampled_from(["", DEALS[0], CONTACTS[1], "Champion", "Former", "n"])


@st.composite
def _merged_sheets(draw: st.DrawFn) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """Rows 2.. of cells (a last row no merge covers, so the rows end there) and ranges
    (top, left, bottom, right) that do not overlap, from the header row down, any width (but
    a range starting in the header row is one column wide: headers are read as they are)."""
    grid = draw(st.lists(st.lists(_HELD, min_size=4, max_size=4), min_size=1, max_size=6))
    last = len(grid) + 1
    grid.append([DEALS[3], CONTACTS[5], "Buyer", "end"])
    taken: set[tuple[int, int]] = set()
    merges: list[tuple[int, int, int, int]] = []
    for _ in range(draw(st.integers(0, 4))):
        top, left = draw(st.integers(1, last)), draw(st.integers(1, 4))
        bottom = draw(st.integers(top, last))
        right = left if top == 1 else draw(st.integers(left, 4))
        cells = {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)}
        if len(cells) > 1 and not cells & taken:
            taken |= cells
            merges.append((top, left, bottom, right))
    return grid, merges


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheet=_merged_sheets(), engine=st.sampled_from(["calamine", "openpyxl"]))
def test_property_merged_ranges_read_as_a_viewer_shows_them_or_stop(
    sheet: tuple[list[list[str]], list[tuple[int, int, int, int]]], engine: str
) -> None:
    """Random ranges, down and across, over cells the file keeps unseen: each row reads as a
    spreadsheet shows it (a range's first column its first cell's value in every row, the
    other columns nothing), or the read stops, naming a range that shows a value across a
    column hubframe reads."""
    grid, merges = sheet
    rows: list[list[object]] = [_WIDE, *[[c or None for c in row] for row in grid]]
    shown = [list(row) for row in grid]
    across: list[str] = []
    for top, left, bottom, right in merges:
        value = grid[top - 2][left - 1] if top >= 2 else ""
        for r in range(max(top, 2), bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    shown[r - 2][c - 1] = value if c == left else ""
        if value and right > left and min(right, 3) > left:  # a read column beside the first
            across.append(f"{chr(64 + left)}{top}:{chr(64 + right)}{bottom}")
    data = _book_keeping(rows, [f"{chr(64 + m[1])}{m[0]}:{chr(64 + m[3])}{m[2]}" for m in merges])
    with read_with(engine):
        if across:
            with pytest.raises(InputError, match="are merged across the columns") as caught:
                hf.read_pairs(data)
            assert any(f"the cells {name} " in str(caught.value) for name in across)
            return
        pairs = hf.read_pairs(data)
    expected = [n for n, row in enumerate(shown, start=2) if any(row)]
    assert pairs["row"].tolist() == expected
    for position, number in enumerate(expected):
        for column, cell in zip(_READ, shown[number - 2], strict=True):
            read = pairs[column].iloc[position]
            assert (read if isinstance(read, str) else "") == cell, (number, column)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(  # a merge reaching below the last row: the rows it covers lost their label
    grid=[
        ["", "", ""],
        [DEALS[0], CONTACTS[1], "Champion"],
        [DEALS[0], CONTACTS[1], ""],
        ["", "", ""],  # the merge covers this empty last row too
    ],
    hidden=set(),
    merge=(3, 3),
)
@given(grid=GRIDS, hidden=HIDDEN, merge=MERGES)
def test_property_merges_hidden_rows_errors_and_formulas_never_lose_or_change_a_row(
    grid: list[list[str]], hidden: set[int], merge: tuple[int, int] | None
) -> None:
    """Any mix of this stop's workbook features: every row holding something is read, in
    order, as the sheet shows it (a label merged down repeated, an error or a formula kept as
    its text and refused), and every hidden row read is warned about."""
    made = features_book(grid, hidden, merge)
    held, shown = made.held, made.shown
    pairs = hf.read_pairs(made.data)
    # A merge reaching below the last row with cells of its own adds no row: nothing but the
    # merged label would be in it (no ids), and the sheet's rows end where its cells do.
    last = max((n for n, row in enumerate(held, start=2) if any(row)), default=1)
    expected = [n for n, row in enumerate(shown, start=2) if any(row) and n <= last]
    assert pairs["row"].tolist() == expected
    issues = hf.validate_pairs(pairs)
    for position, number in enumerate(expected):
        row = shown[number - 2]
        for column, cell in zip(("from_id", "to_id", "label"), row, strict=True):
            read = pairs[column].iloc[position]
            assert (read if isinstance(read, str) else "") == cell, (number, column)
            codes = issues.loc[
                (issues["row"] == number) & (issues["column"] == column), "code"
            ].tolist()
            if cell.startswith(("#", "=")):
                assert codes == ["FORMULA_ERROR"], (number, column, codes)
        warned = issues.loc[(issues["row"] == number) & (issues["code"] == "HIDDEN_ROW")]
        assert len(warned) == (1 if number in hidden else 0)
