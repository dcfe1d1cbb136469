"""A limits sheet's own column saying which limits to remove ("Remove: yes") stops the read.

hubframe removes a limit only when its limit cell says ``remove`` (or, with ``remove_blank``,
is empty).  Before: a "Remove" (or "Delete?", "Purge") column was kept as the analyst's own,
and its rows were set to their limit, or skipped as blank, with the limits the analyst meant
to remove kept and nothing said.
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


def test_a_pairs_sheet_keeps_such_a_column_as_its_own() -> None:
    sheet = pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["2"], "Remove": ["yes"]})
    assert hubframe.read_pairs(sheet)["Remove"].tolist() == ["yes"]
