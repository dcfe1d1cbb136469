"""A sheet's own column marking rows to remove ("Remove: yes") stops the read.

hubframe removes a limit only when its limit cell says ``remove`` (or, with ``remove_blank``,
is empty).  Before: a "Remove" (or "Delete?", "Purge") column was kept as the analyst's own,
and its rows were set to their limit, or skipped as blank, with the limits the analyst meant
to remove kept and nothing said.  In a pairs sheet no such column is read: associate and sync
linked the rows marked for removal, and remove removed the rows not marked.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hubframe
from hubframe.io.columns import HeaderError
from hubframe.testing import xlsx_bytes

HEADERS = ["Remove", "remove?", "Delete", "To delete", "Purge limit", "REMOVE LIMIT", "Clear"]
YES = ["yes", "Y", " x ", "TRUE", True, 1, "remove", "Delete"]
NO = ["no", "", None, "n", "false", False, 0, "later", "keep"]


@given(
    header=st.sampled_from(HEADERS),
    cells=st.lists(st.sampled_from(YES + NO), min_size=1, max_size=6),
    limits=st.lists(st.sampled_from([5, 10, None, "remove"]), min_size=6, max_size=6),
)
def test_a_removal_asked_beside_the_limit_cell_is_refused(
    header: str, cells: list[Any], limits: list[Any]
) -> None:
    n = len(cells)
    sheet = pd.DataFrame(
        {"From": ["deals"] * n, "To": ["contacts"] * n, "Max": limits[:n], header: cells}
    )
    asks = [_yes(c) and m != "remove" for c, m in zip(cells, limits[:n], strict=True)]
    if any(asks):
        with pytest.raises(HeaderError, match=re.escape(f'the column "{header}" asks for limits')):
            hubframe.read_limits(sheet)
    else:
        hubframe.read_limits(sheet)


def _yes(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int):
        return cell == 1
    words = {"yes", "y", "x", "true", "remove", "delete"}
    return isinstance(cell, str) and cell.strip().lower() in words


def test_the_message_names_the_row_and_what_to_write() -> None:
    data = xlsx_bytes(
        [
            ["From", "To", "Max", "Remove"],
            ["deals", "contacts", 5, ""],
            ["deals", "companies", "", "yes"],
        ]
    )
    with pytest.raises(HeaderError, match=r'\(row 3\).*Write "remove" in "Max"'):
        hubframe.read_limits(data)


@pytest.mark.parametrize("header", ["Remove", "Delete?", "To delete", "Unlink"])
def test_a_pairs_sheet_marking_rows_to_remove_is_refused(header: str) -> None:
    """associate and sync would have linked the rows marked, remove removed the rows not."""
    sheet = pd.DataFrame({"Deal ID": ["1", "2"], "Contact ID": ["3", "4"], header: ["", "yes"]})
    with pytest.raises(HeaderError, match=r"marks rows to remove \(row 3 \(index 1\)\)"):
        hubframe.read_pairs(sheet)


@pytest.mark.parametrize(
    ("header", "cells"),
    [("Remove", ["no", ""]), ("Deleted", ["true", "false"]), ("Removed", ["yes", ""])],
)
def test_a_pairs_sheets_status_columns_and_noes_are_its_own(header: str, cells: list[str]) -> None:
    sheet = pd.DataFrame({"Deal ID": ["1", "2"], "Contact ID": ["3", "4"], header: cells})
    assert hubframe.read_pairs(sheet)[header].tolist() == cells
