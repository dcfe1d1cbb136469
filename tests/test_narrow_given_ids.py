"""Record ids given in Python (``read_associations(ids=...)``, ``sync(scope=...)``) held by a
float32 or float16 are read exactly or refused, as a DataFrame column of them is.

Such a float holds whole numbers exactly only below 2**24 (float32) or 2**11 (float16): float32
2040000001 is 2040000000.  Before, a float32 array, Series or pandas array of ids (or float32
values in a list) went through ``tolist()`` as Python floats and was read as the rounded id: the
export read another record, and a sync scoped the wrong one and removed its associations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.ids import given_ids
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from tests.fuzzseeds import examples

LIMITS = {"float32": 2**24, "float16": 2**11}


def _containers(values: list[int], dtype: str) -> dict[str, Any]:
    """The same numbers in each container a caller may give."""
    array = np.array(values, dtype=dtype)
    made: dict[str, Any] = {
        "ndarray": array,
        "series": pd.Series(array, name="ids"),
        "scalars": list(array),  # numpy float scalars in a list
        "mixed": ["77", *list(array), 88],  # among text and ints
    }
    if dtype == "float32":  # pandas has no float16 index nor Float16 array
        made["index"] = pd.Index(array)
        made["masked"] = pd.array(array, dtype="Float32")
        made["arrow"] = pd.array(array, dtype=pd.ArrowDtype(pa.float32()))
    return made


#: the largest number each float holds (float16 beyond it is inf, refused as no id)
HIGHEST = {"float32": 2**40, "float16": 65504}


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data(), dtype=st.sampled_from(sorted(LIMITS)))
def test_narrow_float_ids_are_read_exactly_or_refused(data: st.DataObject, dtype: str) -> None:
    near = st.integers(LIMITS[dtype] - 40, LIMITS[dtype] + 40)
    one = st.one_of(st.integers(1, HIGHEST[dtype]), near)
    ids = data.draw(st.lists(one, min_size=1, max_size=6))
    limit = LIMITS[dtype]
    held = [int(v) for v in np.array(ids, dtype=dtype).astype(np.float64)]  # what the float holds
    for kind, values in _containers(ids, dtype).items():
        for where in ("ids=", "scope="):
            if any(abs(v) >= limit for v in held):
                with pytest.raises(InputError) as caught:
                    given_ids(values, where)
                said = str(caught.value)
                assert said.startswith(where) and dtype in said, (kind, said)
                first = next(v for v in held if abs(v) >= limit)
                assert f"reads {first}," in said, (kind, said)
            else:
                found, bad = given_ids(values, where)
                expected = [str(v) for v in ids]
                if kind == "mixed":
                    expected = ["77", *expected, "88"]
                assert found == list(dict.fromkeys(expected)), kind
                assert bad == []


def test_a_float32_id_is_not_read_as_another_record() -> None:
    deal, neighbour, contact = 2040000001, 2040000000, 1019360001
    assert int(np.float32(deal)) == neighbour  # what the float holds
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", [neighbour, deal])
        sb.add_records("contacts", [contact, contact + 1])
        sb.associate("deals", deal, "contacts", contact)
        sb.associate("deals", neighbour, "contacts", contact + 1)
        client = client_for(sb)
        ids = pd.Series([deal], dtype="float32", name="Deal ID")
        with pytest.raises(InputError, match="reads 2040000000"):
            hf.read_associations(client, "deals", "contacts", ids=ids, progress=False)
        with pytest.raises(InputError, match="reads 2040000000"):
            hf.read_associations(
                client, "deals", "contacts", ids=[np.float32(deal)], progress=False
            )
        sheet = pd.DataFrame(
            {
                "from_type": ["deals"],
                "from_id": [str(deal)],
                "to_type": ["contacts"],
                "to_id": [str(contact)],
            }
        )
        scope = np.array([deal], dtype="float32")
        with pytest.raises(InputError, match=r"^scope= holds float32"):
            hf.sync(sheet, client, allow_removals=True, scope=scope, progress=False)
        assert len(sb.associations("deals", "contacts")) == 2  # nothing removed
        small = pd.Series([deal], dtype="Int64")  # whole numbers, never through a float
        read = hf.read_associations(client, "deals", "contacts", ids=small, progress=False)
        assert read["from_id"].astype(str).tolist() == [str(deal)]
