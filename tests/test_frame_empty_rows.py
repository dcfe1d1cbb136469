"""A DataFrame's rows that hold nothing are left out, as a sheet's blank rows are, and said.

``pd.read_excel`` keeps a sheet's blank row as a row of ``NaN``; the read left it out without a
word, so the result table had fewer rows than the frame and the row's index label was missing
where the result is lined up with the frame.  An :class:`EmptyRowsLeftOut` warning now names
the index labels of the rows left out.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import EmptyRowsLeftOut
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [int(i) for i in demo_ids("deals")[60:66]]
CONTACTS = [int(i) for i in demo_ids("contacts")[60:66]]


def _left_out(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, EmptyRowsLeftOut)]


def test_an_empty_row_is_named_by_its_index_label(sandbox: Sandbox) -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": [DEALS[0], np.nan, DEALS[2]],
            "Contact ID": pd.array([CONTACTS[0], None, CONTACTS[2]], dtype="Int64"),
            "Notes": ["a", "  ", "c"],
        },
        index=["acme", "globex", "initech"],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = hf.associate(frame, client_for(sandbox), progress=False)
    [said] = _left_out(caught)
    assert "1 row of the frame (index 'globex') holds nothing" in said, said
    assert "the result has no row for it" in said
    assert result.index.tolist() == ["acme", "initech"]
    assert result["status"].eq("success").all(), result[["status", "error_message"]]


def test_a_frame_with_no_empty_row_says_nothing() -> None:
    frame = pd.DataFrame({"Deal ID": DEALS[:3], "Contact ID": CONTACTS[:3]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", EmptyRowsLeftOut)
        assert len(hf.read_pairs(frame)) == 3


blank = st.sampled_from([None, np.nan, "", "  ", pd.NA])
cell = st.one_of(blank, st.sampled_from([*map(str, DEALS), *map(str, CONTACTS), "x", "1;2"]))


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=10), st.booleans())
def test_the_warning_names_exactly_the_rows_left_out(
    rows: list[tuple[object, object, object]], labelled: bool
) -> None:
    """Random frames: the rows the read left out are the ones named, and those are the rows
    whose cells are all empty or blank; the others each give at least one row."""
    index = [f"r{n}" for n in range(len(rows))] if labelled else None
    frame = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Notes"], index=index)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            read = hf.read_pairs(frame, from_type="deals", to_type="contacts")
        except InputError:
            return
    empty = [
        frame.index[n]
        for n, cells in enumerate(rows)
        if all(
            c is None or c is pd.NA or (isinstance(c, float) or str(c).strip() == "") for c in cells
        )
    ]
    assert sorted(set(read.index), key=str) == sorted(set(frame.index) - set(empty), key=str)
    said = _left_out(caught)
    if not empty:
        assert not said
        return
    [one] = said
    for label in empty[:5]:
        assert repr(label) in one, (one, label)
