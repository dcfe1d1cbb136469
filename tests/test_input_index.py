"""A result lines up with the DataFrame it came from, whatever that frame's index.

An analyst filters a sheet (``df[df.Amount > 0]``: index 0, 2, 5, ...), runs it, and writes
the statuses back with ``df["status"] = result["status"]`` or picks the failed rows with
``df.loc[result.index[result.status == "failed"]]``.  Both align on the index: a result
numbered 0..n-1 put each status on another row of the analyst's frame, without a word.  Every
job that returns a row per input row keeps the input's labels (a cell of several ids gives its
label to each of its rows, as ``DataFrame.explode`` does); rows a sync adds for removals take
labels no input row has.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")


def _indexes(size: int) -> st.SearchStrategy[pd.Index]:
    """Indexes a filtered, sorted, concatenated or keyed frame has."""
    ints = st.lists(st.integers(-(10**6), 10**6), min_size=size, max_size=size, unique=True).map(
        pd.Index
    )
    repeated = st.lists(st.integers(0, 3), min_size=size, max_size=size).map(pd.Index)
    text = st.lists(
        st.text("abcxyz ", min_size=1, max_size=4), min_size=size, max_size=size, unique=True
    ).map(lambda v: pd.Index(v, name="key"))
    dates = st.just(pd.date_range("2026-01-01", periods=size, freq="D"))
    shifted = st.integers(1, 50).map(lambda start: pd.RangeIndex(start, start + size))
    multi = st.just(
        pd.MultiIndex.from_arrays([[f"s{i % 2}" for i in range(size)], list(range(size))])
    )
    return st.one_of(ints, repeated, text, dates, shifted, multi)


@st.composite
def _sheets(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(1, 12))
    deals = [
        draw(st.sampled_from([str(d) for d in DEALS[:6]] + ["not an id", ""])) for _ in range(size)
    ]
    contacts = [draw(st.sampled_from([str(c) for c in CONTACTS[:6]])) for _ in range(size)]
    frame = pd.DataFrame(
        {"Deal ID": deals, "Contact ID": contacts, "Mine": [f"m{i}" for i in range(size)]}
    )
    return frame.set_axis(draw(_indexes(size)))


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


def _aligned(sheet: pd.DataFrame, result: pd.DataFrame) -> None:
    """Each result row carries the label of the sheet row it reports (its own ``Mine`` cell)."""
    assert len(result) == len(sheet)
    assert result.index.equals(sheet.index)
    assert (result["row"].to_numpy() - 2).tolist() == list(range(len(sheet)))
    assert result["Mine"].tolist() == sheet["Mine"].tolist()


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sheet=_sheets())
def test_a_dry_run_keeps_the_frames_index(portal: Sandbox, sheet: pd.DataFrame) -> None:
    result = hubframe.associate(sheet, client_for(portal), dry_run=True, progress=False)
    _aligned(sheet, result)
    read = hubframe.read_pairs(sheet, from_type="deals", to_type="contacts")
    assert read.index.equals(sheet.index)
    again = hubframe.associate(read, client_for(portal), dry_run=True, progress=False)
    assert again.index.equals(sheet.index)
    diff = hubframe.sync(
        sheet, client_for(portal), dry_run=True, allow_removals=True, progress=False
    )
    assert list(diff.index[: len(sheet)]) == list(sheet.index.to_flat_index())
    added = diff.index[len(sheet) :]
    assert not any(label in set(sheet.index.to_flat_index()) for label in added)


def test_statuses_written_back_land_on_their_own_rows(sandbox_factory: Any) -> None:
    """The analyst's workflow on a filtered frame: run, write the statuses back, pick the
    failed rows to fix."""
    sb = sandbox_factory(seed="demo")
    whole = pd.DataFrame(
        {
            "Deal ID": [str(DEALS[0]), "999", str(DEALS[1]), "bad", str(DEALS[2]), "77"],
            "Contact ID": [str(c) for c in CONTACTS[:6]],
            "Amount": [10, 0, 20, 30, 0, 40],
        }
    )
    sheet = whole[whole["Amount"] > 0].copy()  # index 0, 2, 3, 5
    result = hubframe.associate(sheet, client_for(sb), progress=False)
    sheet["status"] = result["status"]
    assert sheet["status"].tolist() == ["success", "success", "invalid", "failed"]
    assert sheet.loc[result.index[result["status"] != "success"], "Deal ID"].tolist() == [
        "bad",
        "77",
    ]


def test_a_cell_of_several_ids_gives_its_label_to_each_pair(portal: Sandbox) -> None:
    ids = f"{CONTACTS[0]};{CONTACTS[1]}"
    sheet = pd.DataFrame(
        {"Record ID": [str(DEALS[0]), str(DEALS[1])], "Associated Contact IDs": [ids, ""]},
        index=["first", "second"],
    )
    read = hubframe.read_pairs(sheet, from_type="deals")
    assert read.index.tolist() == ["first", "first", "second"]
    result = hubframe.associate(read, client_for(portal), dry_run=True, progress=False)
    assert result.index.tolist() == ["first", "first", "second"]
    assert result["row"].tolist() == [2, 2, 3]


def test_limits_and_removals_keep_the_frames_index(sandbox_factory: Any) -> None:
    sb = sandbox_factory(seed="demo")
    limits = pd.DataFrame(
        {"From": ["deals", "deals"], "To": ["contacts", "companies"], "Max": [5, "many"]},
        index=[7, 3],
    )
    result = hubframe.configure_limits(limits, client_for(sb), progress=False)
    assert result.index.tolist() == [7, 3]
    assert result["status"].tolist() == ["success", "invalid"]
    pairs = pd.DataFrame(
        {"Deal ID": [str(DEALS[0]), "x"], "Contact ID": [str(CONTACTS[0]), str(CONTACTS[1])]},
        index=["b", "a"],
    )
    hubframe.associate(pairs, client_for(sb), progress=False)
    removed = hubframe.remove_associations(pairs, client_for(sb), progress=False)
    assert removed.index.tolist() == ["b", "a"]
    assert removed["status"].tolist() == ["success", "invalid"]


def _sync_keeping_two_of_three(sandbox_factory: Any, index: Any) -> pd.DataFrame:
    """A deal linked to three contacts, synced (with removals) from a sheet of two of them
    labelled ``index``: two rows kept, one removal added."""
    sb = sandbox_factory(seed="demo")
    deal = str(DEALS[3])
    linked = pd.DataFrame({"Deal ID": [deal] * 3, "Contact ID": [str(c) for c in CONTACTS[:3]]})
    hubframe.associate(linked, client_for(sb), progress=False)
    sheet = linked.iloc[:2].set_axis(index)
    return hubframe.sync(sheet, client_for(sb), allow_removals=True, progress=False)


@pytest.mark.parametrize(
    ("index", "added"),
    [([10, 4], [11]), (["b", "a"], [None])],
    ids=["integers", "text"],
)
def test_a_syncs_removals_take_labels_no_row_has(
    sandbox_factory: Any, index: list[Any], added: list[Any]
) -> None:
    result = _sync_keeping_two_of_three(sandbox_factory, index)
    assert result.index[:2].tolist() == index
    last = result.index[-1]
    assert pd.isna(last) if added == [None] else last == added[0]
    assert result["status"].tolist() == ["skipped", "skipped", "success"]  # kept, removed
    assert result["to_id"].iloc[-1] == str(CONTACTS[2])
    assert np.array_equal(result["row"].iloc[:2].to_numpy(), [2, 3])


#: Indexes at the edges of their dtypes: a sync was applied, then the result failed with
#: OverflowError or TypeError (no result table, no report, no undo), or came back float64 with
#: its labels rounded.
EDGE_INDEXES = {
    "int64 largest": pd.Index([2**63 - 1, 5]),
    "uint64 largest": pd.Index(np.array([2**64 - 1, 3], dtype="uint64")),
    "uint64 past 2**53": pd.Index(np.array([2**53 + 1, 2**53 + 3], dtype="uint64")),
    "uint64 small": pd.Index(np.array([5, 3], dtype="uint64")),
    "Int64 all missing": pd.Index(pd.array([None, None], dtype="Int64")),
    "int8 largest": pd.Index(np.array([127, 1], dtype="int8")),
    "object ints past 2**53": pd.Index([2**53 + 1, 2**70], dtype=object),
    "bool": pd.Index([True, False]),
    "dates, named": pd.DatetimeIndex(["2026-01-01", "2026-02-01"], name="day"),
    "multi, named": pd.MultiIndex.from_tuples([("a", 0), ("b", 1)], names=["grp", "n"]),
    "multi, unsigned and bool": pd.MultiIndex.from_arrays(
        [np.array([2**64 - 1, 3], dtype="uint64"), [True, False]]
    ),
    "multi, dates and text": pd.MultiIndex.from_arrays(
        [pd.DatetimeIndex(["2026-01-01", "2026-02-01"]), pd.array(["x", "y"], dtype="string")]
    ),
}


@pytest.mark.parametrize("name", list(EDGE_INDEXES))
def test_a_syncs_result_keeps_an_index_at_its_dtypes_edge(sandbox_factory: Any, name: str) -> None:
    index = EDGE_INDEXES[name]
    result = _sync_keeping_two_of_three(sandbox_factory, index)
    assert result["status"].tolist() == ["skipped", "skipped", "success"]  # kept, removed
    kept = result.index[:2]
    assert kept.tolist() == index.tolist() and kept.names == index.names
    assert [type(v) for v in kept.tolist()] == [type(v) for v in index.tolist()]
    added = result.index[-1]
    if isinstance(index, pd.MultiIndex):  # a flat index of tuples, its level names lost
        assert isinstance(result.index, pd.MultiIndex), result.index
        assert all(pd.isna(v) for v in added)
        levels = [result.index.get_level_values(i)[:2] for i in range(index.nlevels)]
        assert [lv.dtype.kind for lv in levels] == [lv.dtype.kind for lv in index.levels]
        return
    assert pd.isna(added) or all(pd.isna(v) or v != added for v in index.tolist())


@settings(max_examples=examples(200), deadline=None)
@given(
    dtype=st.sampled_from(["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64"]),
    data=st.data(),
    added=st.integers(1, 300),
)
def test_rows_added_to_an_integer_index_never_change_its_labels(
    dtype: str, data: st.DataObject, added: int
) -> None:
    """The labels a result adds (a sync's removals) are new, and the input's stay exactly as
    they were, in their dtype where the new ones fit it."""
    from hubframe.run.pipeline import _labels

    info = np.iinfo(dtype)
    near_top = st.integers(max(int(info.min), int(info.max) - 400), int(info.max))
    values = data.draw(
        st.lists(st.integers(int(info.min), int(info.max)) | near_top, min_size=0, max_size=6)
    )
    index = pd.Index(np.array(values, dtype=dtype))
    out = _labels(index, len(index) + added)
    assert len(out) == len(index) + added
    assert out[: len(index)].tolist() == values
    new = out[len(index) :].tolist()
    if out.dtype == index.dtype:
        assert len(set(new)) == added and not set(new) & set(values)
    else:
        assert out.dtype == object and all(v is None for v in new)
        assert max(values, default=0) + added > info.max


def test_an_undo_is_labelled_as_the_run_it_takes_back(sandbox_factory: Any) -> None:
    sb = sandbox_factory(seed="demo")
    sheet = pd.DataFrame(
        {
            "Deal ID": [str(DEALS[4]), "bad", str(DEALS[5])],
            "Contact ID": list(map(str, CONTACTS[4:7])),
        },
        index=["k", "m", "z"],
    )
    run = hubframe.associate(sheet, client_for(sb), progress=False, record_existing=True)
    undone = hubframe.undo(run, client_for(sb), progress=False)
    assert undone.index.tolist() == ["k", "m", "z"]
    assert undone["status"].tolist() == ["success", "skipped", "success"]


@pytest.mark.parametrize("moved", [["from_id"], ["from_id", "to_id"]])
def test_ids_moved_into_the_index_are_named_in_the_error(moved: list[str]) -> None:
    """``df.set_index("from_id")`` leaves no id column: the error names the index and how to
    read it (it said only "no column for the 'from' record id. Columns found: ...")."""
    from hubframe.io.columns import HeaderError

    frame = pd.DataFrame(
        {"from_type": "deals", "from_id": ["101"], "to_type": "contacts", "to_id": ["201"]}
    ).set_index(moved)
    with pytest.raises(HeaderError) as refused:
        hubframe.read_pairs(frame)
    said = str(refused.value)
    assert "no column for the 'from' record id" in said
    assert f"index is named {', '.join(repr(m) for m in moved)}" in said
    assert "frame.reset_index()" in said
    assert len(hubframe.read_pairs(frame.reset_index())) == 1  # as the error says


def test_an_unnamed_index_adds_nothing_to_the_error() -> None:
    from hubframe.io.columns import HeaderError

    with pytest.raises(HeaderError) as refused:
        hubframe.read_pairs(pd.DataFrame({"to_id": ["201"]}))
    assert "index" not in str(refused.value)
