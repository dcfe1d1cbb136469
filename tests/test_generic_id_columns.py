"""A generic id header ("ID", "Record ID", "Object ID") beside a header naming an object's ids
("Deal ID") stops the read: either could hold the records' ids.

Before: the generic one was read and the other left out without a word.  A frame saved by
pandas with a named index (``df.index.name = "ID"; df.to_csv(...)``) beside "Deal ID" sent its
row numbers (5, 9) as the deal ids.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hubframe
from hubframe.io.columns import HeaderError

GENERIC = ["ID", "Record ID", "Object ID", "record id", "Id"]
NAMED = ["Deal ID", "Deal IDs", "Deal Record ID", "From Deal ID", "Record ID - Deal"]


@given(generic=st.sampled_from(GENERIC), named=st.sampled_from(NAMED), first=st.booleans())
def test_a_generic_and_a_named_from_id_column_are_refused(
    generic: str, named: str, first: bool
) -> None:
    cells = {generic: ["5"], named: ["2040000001"]}
    order = [generic, named] if first else [named, generic]
    sheet = pd.DataFrame({**{c: cells[c] for c in order}, "Contact ID": ["1019360001"]})
    with pytest.raises(HeaderError, match=f"the column \"{generic}\" would be read as the 'from'"):
        hubframe.read_pairs(sheet, to_type="contacts")
    chosen = hubframe.read_pairs(
        sheet, columns={named: "from_id"}, from_type="deals", to_type="contacts"
    )
    assert chosen["from_id"].tolist() == ["2040000001"]


def test_a_frame_saved_with_its_named_index_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"Deal ID": ["2040000001", "2040000002"], "Contact ID": ["1019360001", "1019360002"]},
        index=pd.Index([5, 9], name="ID"),
    )
    frame.to_csv(tmp_path / "saved.csv")
    with pytest.raises(HeaderError, match=r'"ID" would be read.*"Deal ID", "Contact ID" name'):
        hubframe.read_pairs(tmp_path / "saved.csv")


@pytest.mark.parametrize(
    "columns",
    [
        ["Record ID", "Contact ID"],
        ["Record ID", "Associated Contact IDs", "Associated Company IDs"],
        ["ID", "To Contact ID"],
    ],
)
def test_sheets_without_two_candidates_read_as_before(columns: list[str]) -> None:
    sheet = pd.DataFrame([["2040000001", "1019360001", ""][: len(columns)]], columns=columns)
    read = hubframe.read_pairs(sheet, from_type="deals", to_type="contacts")
    assert read["from_id"].tolist() == ["2040000001"]


def test_types_given_do_not_settle_which_column_holds_the_ids() -> None:
    """With from_type and to_type given, "ID" was still read as the deal ids and "Deal ID"
    left out."""
    sheet = pd.DataFrame({"Deal ID": ["2040000001"], "Contact ID": ["1019360001"], "ID": ["7"]})
    with pytest.raises(HeaderError, match="would be read as the 'from' record ids"):
        hubframe.read_pairs(sheet, from_type="deals", to_type="contacts")
