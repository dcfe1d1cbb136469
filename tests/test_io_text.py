"""Arrow text columns: conversions, masks on the buffers, remembered facts, per-distinct maps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.io import normalize as hn
from hubframe.io import text as ht

#: Every test here runs in both pandas text representations (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("text_mode")

cells = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
    st.sampled_from(["", " ", " a ", "\u00a0b", "c\u200b", "\ufeffd", "\t", "a b"]),
)


def _chunks(values: list[str | None], cut: int) -> pa.ChunkedArray:
    """The values as a chunked array whose chunks are slices (non-zero offsets)."""
    whole = pa.array(["pad", *values, "pad"], type=ht.TEXT)
    cut = min(cut, len(values))
    return pa.chunked_array([whole.slice(1, cut), whole.slice(1 + cut, len(values) - cut)])


@settings(max_examples=80, deadline=None)
@given(st.lists(cells, max_size=20), st.integers(0, 20))
def test_trimmed_text_matches_clean_text(values: list[str | None], cut: int) -> None:
    text = _chunks(values, cut)
    assert ht.trimmed_text(text).to_pylist() == [ht.clean_text(v) for v in values]
    assert ht.blank_mask(text).tolist() == [not (v or "").strip() for v in values]


def test_map_text_paths_and_remembered_values() -> None:
    same = pa.chunked_array([pa.array(["a", "b", None, "a"], type=ht.TEXT)])
    assert ht.map_text(same, lambda v: v) is same  # nothing changes: the very same column
    empties = pa.chunked_array([pa.array(["a", "", "b"], type=ht.TEXT)])
    assert ht.map_text(empties, lambda v: v or None).to_pylist() == ["a", None, "b"]
    dropped = ht.map_text(same, lambda v: None if v == "b" else v)
    assert dropped.to_pylist() == ["a", None, None, "a"]
    mapped = ht.map_text(same, lambda v: v and v.upper())
    assert mapped.to_pylist() == ["A", "B", None, "A"]
    assert ht.recall(mapped, "distinct") == ["A", "B", None]


def test_null_where_keeps_data_and_offsets() -> None:
    text = _chunks(["x", "yy", "", "z"], 1)
    out = ht.null_where(text, np.array([False, True, False, True]))
    assert out.to_pylist() == ["x", None, "", None]
    again = ht.null_where(out, np.array([True, False, False, False]))
    assert again.to_pylist() == [None, None, "", None]


def test_facts_follow_the_object_not_the_values() -> None:
    text = pa.chunked_array([pa.array(["1", "2"], type=ht.TEXT)])
    assert hn.canonical_ids(text).all()
    key = id(text)
    assert key in ht._FACTS
    series = ht.to_series(text)  # pandas 3 keeps the very object: the facts come along
    assert (
        ht.as_text(series) is text
        or ht.arrow_text_dtype() is None
        or int(pd.__version__.split(".")[0]) < 3
    )
    series.iloc[0] = "x"  # an edit makes a new Arrow object: its facts start empty
    assert hn.canonical_ids(ht.as_text(series)).tolist() == [False, True]
    del text, series
    assert key not in ht._FACTS  # forgotten with the column


def test_text_conversion_follows_the_pandas_text_mode(text_mode: str) -> None:
    values = pd.Series(["a", None, "c"], dtype=object)
    text = ht.as_text(values)
    assert text.type == ht.TEXT and text.to_pylist() == ["a", None, "c"]
    assert ht.as_text(pd.Series([1, None, 2.5], dtype=object)).to_pylist() == ["1", None, "2.5"]
    series = ht.to_series(text)
    assert (series.dtype == object) == (text_mode == "object")
    assert series.tolist()[::2] == ["a", "c"] and pd.isna(series.iloc[1])
    assert ht.as_text(series).to_pylist() == ["a", None, "c"]


def test_run_all_same_results_with_threads() -> None:
    jobs = {str(i): (lambda i=i: i * i) for i in range(6)}
    assert ht.run_all(jobs, threads=True) == ht.run_all(jobs, threads=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(cells, max_size=20),
    st.integers(0, 20),
    st.lists(st.integers(0, 40), max_size=30),
)
def test_take_rows_matches_arrow_take(values: list[str | None], cut: int, picks: list[int]) -> None:
    text = _chunks(values, cut)
    rows = np.array(sorted(p for p in picks if p < len(values)), dtype=np.int64)
    assert ht.take_rows(text, rows).to_pylist() == text.take(pa.array(rows)).to_pylist()
