"""Ids held by float32 / float16 in a DataFrame given as input are refused, never rounded.

A float32 holds whole numbers exactly only below 2**24: 101936297007 made float32 reads
101936300032.  Such a column that hubframe reads stops the read (naming the column, the row and
the value); a narrow-float column hubframe only carries is shown with the float's own digits.
"""

from __future__ import annotations

import decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.jobs import associate, load_run, undo
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

TYPES = {"from_type": "deals", "to_type": "contacts"}


def _column(ids: list[int], kind: str) -> Any:
    """``ids`` as a column of one narrow-float kind (the ways a DataFrame comes to hold them)."""
    if kind == "float32":
        return np.array(ids, dtype=np.float32)
    if kind == "float16":
        return np.array(ids, dtype=np.float16)
    if kind == "Float32":
        return pd.array([*ids, None], dtype="Float32")[: len(ids)]
    if kind == "arrow float":
        return pd.arrays.ArrowExtensionArray(pa.array(np.array(ids, dtype=np.float32)))
    if kind == "object of np.float32":
        return pd.Series([np.float32(i) for i in ids], dtype=object)
    raise AssertionError(kind)


KINDS = ["float32", "float16", "Float32", "arrow float", "object of np.float32"]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(
        st.one_of(st.integers(1, 3000), st.integers(1, 2**25), st.integers(1, 10**12)),
        min_size=1,
        max_size=6,
    ),
    kind=st.sampled_from(KINDS),
    side=st.sampled_from(["Deal ID", "Contact ID"]),
)
def test_a_narrow_float_id_is_read_exactly_or_refused(ids: list[int], kind: str, side: str) -> None:
    column = _column(ids, kind)
    other = "Contact ID" if side == "Deal ID" else "Deal ID"
    frame = pd.DataFrame({side: column, other: ["45"] * len(ids)})
    try:
        pairs = hf.read_pairs(frame, **TYPES)
    except InputError as exc:
        assert repr(side) in str(exc) and " reads " in str(exc)
        assert any(i >= 2**11 for i in ids), "refused though every id is held exactly"
        return
    refused = set(hf.validate_pairs(pairs)["row"].tolist())
    column_name = "from_id" if side == "Deal ID" else "to_id"
    for n, (read, typed) in enumerate(zip(pairs[column_name], ids, strict=True)):
        assert read == str(typed) or n + 2 in refused  # never another number, unrefused


def test_the_refusal_names_the_column_first_row_value_and_count() -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": np.array([1234, 101936297007, 5, 2**24 + 1], dtype=np.float32),
            "Contact ID": ["45", "46", "47", "48"],
        }
    )
    with pytest.raises(InputError) as caught:
        hf.read_pairs(frame, **TYPES)
    text = str(caught.value)
    assert "'Deal ID'" in text and "float32" in text and "16,777,216" in text
    assert "row 3 (index 1) reads 101936300032" in text  # the rounded number, on its row
    assert "1 more row" in text
    assert "text or as whole numbers (int64)" in text


def test_small_narrow_float_ids_and_limits_read_as_their_digits() -> None:
    frame = pd.DataFrame(
        {"Deal ID": np.array([1234.0, 16777215.0], dtype=np.float32), "Contact ID": [45, 46]}
    )
    pairs = hf.read_pairs(frame, **TYPES)
    assert pairs["from_id"].tolist() == ["1234", "16777215"]
    assert hf.validate_pairs(pairs).empty
    limits = hf.read_limits(pd.DataFrame({"Max": np.array([5.0, 2.5], dtype=np.float32)}), **TYPES)
    assert limits["max_to_object_ids"].astype(object).tolist()[0] == 5


def test_a_narrow_float_column_hubframe_only_carries_keeps_its_own_digits() -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": ["123", "124", "125"],
            "Contact ID": ["45", "46", "47"],
            "Amount": np.array([0.1, 2.0e7, np.nan], dtype=np.float32),
            "Share": pd.array([0.3, None, 1.0], dtype="Float32"),
            "Mixed": pd.Series([np.float32(0.7), "x", None], dtype=object),
        }
    )
    pairs = hf.read_pairs(frame, **TYPES)  # big whole numbers in a carried column: no stop
    assert pairs["Amount"].tolist() == ["0.1", "20000000", ""]
    assert pairs["Share"].tolist() == ["0.3", "", "1"]
    assert pairs["Mixed"].tolist()[:2] == ["0.7", "x"]


@pytest.mark.parametrize(
    "cells",
    [
        [123.0, 101936297007.0],  # float64: exact below 10**15
        [decimal.Decimal("101936297007")],
        ["101936297007"],
    ],
)
def test_wide_numbers_are_not_refused(cells: list[Any]) -> None:
    frame = pd.DataFrame({"Deal ID": cells, "Contact ID": ["45"] * len(cells)})
    pairs = hf.read_pairs(frame, **TYPES)
    assert pairs["from_id"].tolist() == [str(int(c)) for c in cells]


def test_associate_refuses_the_sheet_before_sending(sandbox: Sandbox) -> None:
    sandbox.start()
    frame = pd.DataFrame(
        {"Deal ID": np.array([2040000001.0], dtype=np.float32), "Contact ID": ["1019360001"]}
    )
    with pytest.raises(InputError, match="float32"):
        associate(frame, client_for(sandbox), progress=False)
    assert sandbox.request_log().empty


def test_undo_of_a_table_with_float32_ids_is_refused(sandbox: Sandbox) -> None:
    sandbox.start()
    client = client_for(sandbox)
    deals, contacts = ["2040000003", "2040000004"], ["1019360011", "1019360012"]
    frame = pd.DataFrame({"Deal ID": deals, "Contact ID": contacts})
    result = associate(frame, client, progress=False)
    assert (result["status"] == "success").all()
    before = sandbox.associations("deals", "contacts")
    edited = result.copy()
    edited["from_id"] = edited["from_id"].astype("float64").astype("float32")
    with pytest.raises(InputError) as caught:
        load_run(edited)
    assert "the result table: column 'from_id'" in str(caught.value)
    assert "row at position 0" in str(caught.value)
    sandbox.reset_request_log()
    with pytest.raises(InputError, match="float32"):
        undo(edited, client, progress=False)
    assert sandbox.request_log().empty
    pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), before)
