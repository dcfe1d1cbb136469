"""Limit and type id cells are read by the ids' rule, and the reason a refused one is given is
the reason it was refused.

A limit ``'5`` or a type id ``'1003`` (Excel's text marker, which a CSV export keeps) was
refused as "out of range": the parser kept the apostrophe and refused the cell, the explanation
took it off, saw plain digits and blamed the range.  docs/columns.md says type ids follow the
ids' rule (edges trimmed of spaces and invisible marks, one leading apostrophe) and limits are
written the same way.  Here a grid of spellings, and random ones, are held to an oracle written
from that rule: an accepted cell is the number the rule gives, a refused one says "out of
range" exactly when the rule gives a number outside the range.
"""

from __future__ import annotations

import io
import re
from itertools import product

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf

EDGES = " \u00a0\u200e"  # spaces and an invisible mark (a left-to-right mark)
MAX_LIMIT = 10000
MAX_DIGITS = 18  # HubSpot ids (and type ids) are 64-bit; 18 digits always fit
FLOAT_DIGITS = 15  # a ".0" tail past 15 digits may not hold the number typed

BODIES = [
    "5", "05", "5.0", "0", "00", "0.0", "10000", "10000.0", "10001", "1003",
    "99999999999999999999", "1234567890123456.0", "5.5", "1,000", "1'000", "+5", "-3",
    "1e3", "abc", "'5", "5'", "",
]  # fmt: skip
# not "'\t": a CSV's formula guard reads an apostrophe before a tab as its own mark
PREFIXES = ["", " ", "'", " ' ", "''", "\u200e", "\u200e'", "'\u200e", "\u00a0'"]
SUFFIXES = ["", " ", "\u200e", "'"]


def _rule(cell: str) -> int | None:
    """The number docs/columns.md says a cell holds (any size), or None when it holds none."""
    text = cell.strip(EDGES)
    if text.startswith("'"):
        text = text[1:].strip(EDGES)
    match = re.fullmatch(r"([0-9]+)(\.0)?", text)
    if match is None:
        return None
    digits = match.group(1).lstrip("0") or "0"
    if match.group(2) and len(digits) > FLOAT_DIGITS:
        return None
    return int(digits)


def _cells() -> list[str]:
    cells = {p + b + s for p, b, s in product(PREFIXES, BODIES, SUFFIXES)}
    return sorted(c for c in cells if c.strip(" \u00a0\t"))  # an empty cell is blank, not bad


def _limits(cells: list[str], column: str, csv: bool) -> pd.DataFrame:
    n = len(cells)
    frame = pd.DataFrame(
        {"From": ["deals"] * n, "To": ["contacts"] * n, "Label": [f"x{i}" for i in range(n)]}
    )
    frame["Type ID" if column == "type_id" else "Max"] = cells
    if column == "type_id":
        frame["Max"] = "5"
    return _read(hf.read_limits, frame, csv)


def _pairs(cells: list[str], csv: bool) -> pd.DataFrame:
    n = len(cells)
    ids = [str(i + 1) for i in range(n)]
    frame = pd.DataFrame({"Deal ID": ids, "Contact ID": ids, "Type ID": cells})
    return _read(hf.read_pairs, frame, csv)


def _read(reader: object, frame: pd.DataFrame, csv: bool) -> pd.DataFrame:
    source: object = frame
    if csv:
        source = io.BytesIO(frame.to_csv(index=False).encode("utf-8"))
    return reader(source)  # type: ignore[operator, no-any-return]


def _check(read: pd.DataFrame, issues: pd.DataFrame, cells: list[str], column: str) -> None:
    """Every cell against the rule: its number, or its refusal and the reason given."""
    top = MAX_LIMIT if column == "max_to_object_ids" else 10**MAX_DIGITS - 1
    mine = issues[(issues["column"] == column) & issues["code"].isin(["BAD_ID", "BAD_LIMIT"])]
    said = dict(zip(mine["row"].astype(int), mine["message"], strict=True))
    for at, cell in enumerate(cells):
        row = int(read["row"].iloc[at])
        number = _rule(cell)
        got = read[column].iloc[at]
        if number is not None and 1 <= number <= top:
            assert got == number, (cell, got)
            assert row not in said, (cell, said.get(row))
            continue
        assert row in said, (cell, got)
        out_of_range = "out of range" in said[row]
        assert out_of_range == (number is not None), (cell, said[row])


@pytest.mark.parametrize("csv", [False, True], ids=["frame", "csv"])
@pytest.mark.parametrize("column", ["max_to_object_ids", "type_id"])
def test_limit_and_type_id_cells_follow_the_ids_rule(column: str, csv: bool) -> None:
    cells = _cells()
    read = _limits(cells, column, csv)
    _check(read, hf.validate_limits(read), cells, column)


@pytest.mark.parametrize("csv", [False, True], ids=["frame", "csv"])
def test_type_id_cells_of_a_pairs_sheet_follow_the_ids_rule(csv: bool) -> None:
    cells = _cells()
    read = _pairs(cells, csv)
    _check(read, hf.validate_pairs(read), cells, "type_id")


def test_the_reported_cells() -> None:
    """The hunt's cells: ``'5`` is 5, ``'1003`` is 1003, as ``'2040000001`` is an id."""
    read = hf.read_limits(
        io.BytesIO(
            b"From,To,Label,Type ID,Max\ndeals,contacts,,'1003,5\ndeals,contacts,Champion,,'5\n"
        )
    )
    assert read["type_id"].tolist()[0] == 1003
    assert read["max_to_object_ids"].tolist() == [5, 5]
    assert hf.validate_limits(read).empty


@settings(max_examples=examples(150), deadline=None)
@given(
    st.text(alphabet="0123456789'.,+-e \u00a0\u200e", min_size=1, max_size=8),
    st.sampled_from(["max_to_object_ids", "type_id"]),
)
def test_random_cells_follow_the_ids_rule(cell: str, column: str) -> None:
    if not cell.strip(" \u00a0\t"):
        return
    read = _limits([cell], column, csv=False)
    _check(read, hf.validate_limits(read), [cell], column)
