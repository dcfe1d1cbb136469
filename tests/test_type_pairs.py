"""The object pairs a sheet names (``run/rows.type_pairs``), read column-wise, are those a
frame's ``dropna().drop_duplicates()`` gives, in the same order: every object pair a job reads
labels or spellings for, none lost, none made up; and a frame's notes (``attrs``) stay as they
were when a job reads its columns without them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io.meta import without_attrs
from hubframe.run.rows import type_pairs
from tests.fuzzseeds import examples

# a few spellings, so that rows repeat pairs; blanks, NA and look-alikes among them
_TYPES = st.sampled_from(
    ["deals", "contacts", "Deals", "deals ", "2-123", "p_cars", "", "0-1", "ß", "SS", None]
)


def _reference(frame: pd.DataFrame) -> list[tuple[Any, Any]]:
    types = frame[["from_type", "to_type"]].dropna().drop_duplicates()
    return list(zip(types["from_type"], types["to_type"], strict=True))


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.tuples(_TYPES, _TYPES), max_size=30), st.sampled_from(["str", object]))
def test_the_pairs_are_a_frames_distinct_filled_pairs_in_order(
    rows: list[tuple[Any, Any]], dtype: Any
) -> None:
    frame = pd.DataFrame(rows, columns=["from_type", "to_type"], dtype=dtype)
    assert type_pairs(frame) == _reference(frame)


def test_a_frame_without_a_type_column_names_no_pair() -> None:
    assert type_pairs(pd.DataFrame({"from_type": ["deals"]})) == []
    assert type_pairs(pd.DataFrame({"from_type": [], "to_type": []})) == []


def test_a_read_sheets_pairs_come_as_the_reader_spelled_them() -> None:
    frame = hf.read_pairs(
        pd.DataFrame(
            {
                "from_type": ["Deal", "deals", "Contact", None],
                "from_id": ["1", "2", "3", "4"],
                "to_type": ["contacts", "Contact", "deal", "contacts"],
                "to_id": ["5", "6", "7", "8"],
            }
        )
    )
    assert type_pairs(frame) == _reference(frame)
    assert type_pairs(frame)[:2] == [("deals", "contacts"), ("contacts", "deals")]


def test_a_frame_read_without_its_notes_keeps_them() -> None:
    frame = hf.read_pairs(
        pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["2"]}),
    )
    before = repr(frame.attrs)
    bare = without_attrs(frame)
    assert bare.attrs == {} and frame.attrs and repr(frame.attrs) == before
    bare["from_id"] = np.nan  # the bare frame's columns are its own to replace
    assert frame["from_id"].tolist() == ["1"]
