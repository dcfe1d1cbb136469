"""Cells merged down a column show their value in every row they cover, and a workbook holds
it in the first cell only: a label merged over three contacts labels all three (before, the two
below were associated without a label and reported success), a deal id merged over its
contacts names the deal in each row."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from openpyxl import Workbook
from workbook_features import GRIDS, HIDDEN, MERGES, features_book

import hubframe as hf
from hubframe.io import read_notes
from hubframe.io.merges import fill_merged as _fill_merged
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(7_000_000_001 + i) for i in range(4)]
CONTACTS = [str(8_000_000_001 + i) for i in range(6)]


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


def test_merges_outside_the_rows_or_across_columns_are_not_spread() -> None:
    """A title merged down above the header, a header merged into the first row, a merge
    across columns: each read as the sheet holds it (a contact id merged across the label
    column never becomes a label)."""
    rows = [
        ["Links of 2026"],
        [None],
        HEADER,
        [DEALS[0], CONTACTS[0], None],  # C3:C4, the header into this row: no label here
        [DEALS[1], CONTACTS[1], None],  # B5:C5 across columns
        [DEALS[2], CONTACTS[2], "Buyer"],  # C6:C7
        [DEALS[3], CONTACTS[3], None],
    ]
    pairs = hf.read_pairs(_book(rows, ["A1:A2", "C3:C4", "B5:C5", "C6:C7"]))
    assert pairs["row"].tolist() == [4, 5, 6, 7]
    labels = pairs["label"].tolist()
    assert pd.isna(labels[0]) and pd.isna(labels[1]) and labels[2:] == ["Buyer", "Buyer"]
    assert pairs["to_id"].tolist() == CONTACTS[:4]


def test_a_covered_cell_holding_its_own_value_keeps_it() -> None:
    """Excel clears the cells a merge covers; a program may leave a value there: it is kept."""
    body: list[list[object]] = [["1", "Champion"], ["2", None], ["3", "Buyer"], ["4", ""]]
    filled = _fill_merged(body, [(2, 5, 2, 1)], first=2)  # B2:B5, index 1 in the rows
    assert [row[1] for row in body] == ["Champion", "Champion", "Buyer", "Champion"]
    assert filled == ["B2:B5"]


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
