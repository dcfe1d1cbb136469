"""A cell holding a lone surrogate reads as the reports write it (U+FFFD), never fails the read.

Python text may hold a lone surrogate (``"\\ud83d"``: half of an emoji a browser's JSON split, or
a byte another program's text kept as an escape, ``errors="surrogateescape"``); Arrow and every
file format refuse it.  Before: one such cell in a DataFrame, in a column hubframe does not even
read, stopped the read of the whole frame with "the file could not be read (UnicodeEncodeError
...). If it opens in Excel, save it again", advice that does not fit a DataFrame.  Now the cell
holds U+FFFD: carried, as in the report; as an id, refused (``BAD_ID``) naming the character.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf

DEALS = ["2040000001", "2040000002"]
CONTACTS = ["1019360001", "1019360002"]
ODD = ["\ud83d", "ab\udce4c", "\udfff", "\ud83d\ude00x"]


def frame(column: str, cell: object) -> pd.DataFrame:
    cells = {"deal_id": list(DEALS), "contact_id": list(CONTACTS), "Notes": ["a", "b"]}
    cells[column][1] = cell
    return pd.DataFrame(cells, dtype=object)


@pytest.mark.parametrize("cell", ODD, ids=ascii)
def test_a_carried_cell_with_a_lone_surrogate_is_kept_as_the_report_writes_it(cell: str) -> None:
    pairs = hf.read_pairs(frame("Notes", cell), from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == DEALS and pairs["to_id"].tolist() == CONTACTS
    notes = str(pairs["Notes"].iloc[1])
    assert "\ufffd" in notes and not any("\ud800" <= c <= "\udfff" for c in notes)
    assert hf.validate_pairs(pairs).empty


@pytest.mark.parametrize("column", ["deal_id", "contact_id"])
@pytest.mark.parametrize("cell", ODD, ids=ascii)
def test_an_id_with_a_lone_surrogate_is_refused_naming_its_row(column: str, cell: str) -> None:
    pairs = hf.read_pairs(frame(column, cell), from_type="deals", to_type="contacts")
    issues = hf.validate_pairs(pairs)
    assert issues["row"].tolist() == [3] and issues["code"].tolist() == ["BAD_ID"], issues
    assert "U+FFFD" in str(issues["message"].iloc[0])


@settings(max_examples=examples(60), deadline=None)
@given(st.text(alphabet=st.characters(codec=None, categories=["Cs", "Ll", "Nd"]), max_size=6))
def test_any_text_in_a_carried_column_reads(cell: str) -> None:
    pairs = hf.read_pairs(frame("Notes", cell), from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == DEALS
    assert not any("\ud800" <= c <= "\udfff" for c in str(pairs["Notes"].iloc[1]))
