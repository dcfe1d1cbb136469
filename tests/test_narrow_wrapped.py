"""Ids held by a float32 or float16 inside a wrapper column (a pandas Categorical, a
SparseArray, an Arrow dictionary; object cells of Arrow's float scalars) are refused as the
bare float32 column is, never read as the rounded number.

Before, only numpy, masked and Arrow float columns and object columns of numpy's narrow scalars
were looked at: ``pd.Categorical(float32 ids)`` was read through its categories' digits, and
2040000001 (float32: 2040000000) was sent as the id, linking another record with every row
said success.  ``given_ids`` (``scope=``, ``ids=``) read such values as the rounded ids too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.ids import given_ids
from hubframe.io.labels import read_labels
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from tests.fuzzseeds import examples

TYPES = {"from_type": "deals", "to_type": "contacts"}
LIMITS = {"float32": 2**24, "float16": 2**11}
#: the largest number each float holds (float16 beyond it is inf, refused as no id)
HIGHEST = {"float32": 2**40, "float16": 65504}


def _objects(array: np.ndarray[Any, Any]) -> pd.Categorical:
    """A categorical whose categories are the numpy scalars themselves (object)."""
    cells = pd.Series(list(array), dtype=object)
    categories = pd.Index(list(dict.fromkeys(array.tolist())), dtype=object)
    held = [array.dtype.type(c) for c in categories]
    return pd.Categorical(cells, categories=pd.Index(held, dtype=object))


def _wrapped(ids: list[int], dtype: str, kind: str) -> Any:
    """``ids`` as ``dtype`` floats inside one wrapper (the ways a DataFrame comes to hold
    them: ``astype("category")``, a sparse frame, a Parquet dictionary column...)."""
    array = np.array(ids, dtype=dtype)
    if kind == "category":
        return pd.Categorical(array)
    if kind == "category with a missing cell":
        return pd.Categorical([*array, None])[: len(ids)]
    if kind == "sparse":
        return pd.arrays.SparseArray(array)
    if kind == "arrow dictionary":
        return pd.arrays.ArrowExtensionArray(pa.array(array).dictionary_encode())
    if kind == "category of objects":
        return _objects(array)
    if kind == "object of Arrow scalars":
        return pd.Series([pa.scalar(v) for v in array], dtype=object).array
    raise AssertionError(kind)


KINDS = [
    "category",
    "category with a missing cell",
    "sparse",
    "arrow dictionary",
    "category of objects",
    "object of Arrow scalars",
]


#: pandas has no float16 index, so no categorical of float16 numbers (of float16 objects, yes)
FLOAT32_ONLY = frozenset({"category", "category with a missing cell"})


#: the kinds whose cells are the narrow scalars themselves
OBJECTS = frozenset({"category of objects", "object of Arrow scalars"})


def _ids(data: st.DataObject, dtype: str, kind: str) -> list[int]:
    assume(dtype == "float32" or kind not in FLOAT32_ONLY)
    near = st.integers(LIMITS[dtype] - 40, LIMITS[dtype] + 40)
    one = st.one_of(st.integers(1, HIGHEST[dtype]), near)
    return data.draw(st.lists(one, min_size=1, max_size=6))


def _first_rounded(ids: list[int], dtype: str) -> int | None:
    """What the float holds of the first id at or past its exact bound; None when none is."""
    held = [int(v) for v in np.array(ids, dtype=dtype).astype(np.float64)]
    return next((v for v in held if v >= LIMITS[dtype]), None)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    dtype=st.sampled_from(sorted(LIMITS)),
    kind=st.sampled_from(KINDS),
    side=st.sampled_from(["Deal ID", "Contact ID"]),
)
def test_a_wrapped_narrow_float_id_is_read_exactly_or_refused(
    data: st.DataObject, dtype: str, kind: str, side: str
) -> None:
    ids = _ids(data, dtype, kind)
    other = "Contact ID" if side == "Deal ID" else "Deal ID"
    frame = pd.DataFrame({side: _wrapped(ids, dtype, kind), other: ["45"] * len(ids)})
    first = _first_rounded(ids, dtype)
    if first is not None:
        with pytest.raises(InputError) as caught:
            hf.read_pairs(frame, **TYPES)
        said = str(caught.value)
        assert repr(side) in said and dtype in said and f" reads {first}" in said, said
        return
    pairs = hf.read_pairs(frame, **TYPES)
    column = "from_id" if side == "Deal ID" else "to_id"
    assert pairs[column].tolist() == [str(i) for i in ids]


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data(), dtype=st.sampled_from(sorted(LIMITS)), kind=st.sampled_from(KINDS))
def test_wrapped_narrow_float_ids_given_in_python_are_read_exactly_or_refused(
    data: st.DataObject, dtype: str, kind: str
) -> None:
    ids = _ids(data, dtype, kind)
    first = _first_rounded(ids, dtype)
    wrapped = _wrapped(ids, dtype, kind)
    containers = {"array": wrapped, "series": pd.Series(wrapped)}
    if kind in OBJECTS:  # a list of the scalars themselves (a list of a float32 categorical's
        containers["list"] = list(wrapped)  # values is of Python floats: no float32 left)
    if kind.startswith("category"):
        containers["index"] = pd.CategoricalIndex(wrapped)
    for name, values in containers.items():
        if first is not None:
            with pytest.raises(InputError) as caught:
                given_ids(values, "scope=")
            said = str(caught.value)
            assert said.startswith("scope=") and f"reads {first}," in said, (name, said)
        else:
            found, bad = given_ids(values, "scope=")
            assert found == list(dict.fromkeys(str(i) for i in ids)), name
            assert bad == []


def test_a_float16_beside_float32_values_is_held_to_its_own_bound() -> None:
    values = [np.float32(5), np.float16(2049)]  # float16 holds 2049 as 2048
    with pytest.raises(InputError, match=r"float16 numbers.*its value 2 reads 2048,"):
        given_ids(values, "ids=")
    frame = pd.DataFrame({"Deal ID": pd.Series(values, dtype=object), "Contact ID": [45, 46]})
    with pytest.raises(InputError, match=r"float16 numbers.*row 3 .*reads 2048"):
        hf.read_pairs(frame, **TYPES)


@pytest.mark.parametrize("kind", ["category", "sparse", "arrow dictionary", "category of objects"])
def test_associate_refuses_a_wrapped_float32_id_column_before_sending(kind: str) -> None:
    contacts = demo_ids("contacts")
    with Sandbox(seed="demo") as sb:
        sb.add_records("deals", [2040000000])  # the record the rounding lands on
        frame = pd.DataFrame(
            {
                "Deal ID": _wrapped([2040000001, 2040000002], "float32", kind),
                "Contact ID": [str(contacts[90]), str(contacts[91])],
            }
        )
        with pytest.raises(InputError, match=r"'Deal ID' holds float32.*reads 2040000000"):
            hf.associate(frame, client_for(sb), progress=False)
        assert sb.request_log().empty
        assert sb.associations("deals", "contacts").query("from_id == '2040000000'").empty


def _limits() -> pd.DataFrame:
    sheet = {"From object": ["Deals"], "To object": ["Contacts"], "Label": ["Champion"]}
    read = hf.read_limits(pd.DataFrame({**sheet, "Max associations": [5]}))
    return read.drop(columns=["Max associations"])


def _labels() -> pd.DataFrame:
    sheet = {"From object": ["Deals"], "To object": ["Contacts"], "Label": ["Champion"]}
    return read_labels(pd.DataFrame({**sheet, "Type ID": [1003]})).drop(columns=["Type ID"])


@pytest.mark.parametrize("kind", ["bare", "category", "sparse", "arrow dictionary"])
@pytest.mark.parametrize(("read", "column"), [(_limits, "max_to_object_ids"), (_labels, "type_id")])
def test_a_read_frames_number_set_to_a_rounded_narrow_float_is_refused(
    kind: str, read: Any, column: str
) -> None:
    """A type id or limit of a read frame set to float32 16777217 (held as 16777216) was parsed
    from the float's digits: another type id, another limit."""
    frame = read()
    wrapped = [16777217] if kind == "bare" else _wrapped([16777217], "float32", kind)
    frame[column] = np.array(wrapped, dtype="float32") if kind == "bare" else wrapped
    with Sandbox(seed="demo") as sb:
        job = hf.configure_limits if column == "max_to_object_ids" else hf.configure_labels
        with pytest.raises(InputError, match=rf"column '{column}' holds float32.*reads 16777216"):
            job(frame, client_for(sb), dry_run=True)
        assert sb.request_log().empty


@pytest.mark.parametrize("column", ["from_id", "type_id"])
@pytest.mark.parametrize("kind", ["category", "sparse"])
def test_undo_of_a_table_with_wrapped_float32_numbers_is_refused(kind: str, column: str) -> None:
    """A result table whose ids (or type ids) were made a float32 categorical: the undo would
    have removed the associations of the rounded numbers."""
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    frame = pd.DataFrame({"Deal ID": [str(deals[3])], "Contact ID": [str(contacts[11])]})
    with Sandbox(seed="demo") as sb:
        result = hf.associate(frame, client_for(sb), progress=False)
        edited = result.copy()
        edited[column] = _wrapped([16777217], "float32", kind)
        sb.reset_request_log()
        with pytest.raises(InputError, match=rf"column '{column}' holds float32.*reads 16777216"):
            hf.undo(edited, client_for(sb), progress=False)
        assert sb.request_log().empty
