"""A DataFrame whose index is named as a column of record ids (``Deal ID``, ``Record ID``,
``from_id``) or object types is refused, saying to ``reset_index()`` first.

An index is not read.  With ``Deal ID, Contact ID, Company ID`` as columns the read is refused
(which two are meant is not clear), but after ``df.set_index("Deal ID")`` it read contacts ->
companies without a word, the deals left out.  An index of row numbers, labels (``"a"``,
dates) or one a column repeats, and the frames hubframe gives back (they keep the labels of
the frame read), read as before.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from tests.fuzzseeds import examples

DEALS = ["2040000001", "2040000002"]
CONTACTS = ["1019360001", "1019360002"]
COMPANIES = ["3050000001", "3050000002"]


def _refused(frame: pd.DataFrame, *names: str, **kwargs: Any) -> str:
    with pytest.raises(hf.errors.InputError) as refused:
        hf.read_pairs(frame, **kwargs)
    said = str(refused.value)
    for name in names:
        assert f"'{name}'" in said
    assert "reset_index()" in said
    return said


def test_ids_moved_into_the_index_are_not_left_out() -> None:
    """The hunter's repro: three id columns are refused, and so is one of them as the index."""
    frame = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Company ID": COMPANIES})
    with pytest.raises(hf.errors.InputError):
        hf.read_pairs(frame)
    said = _refused(frame.set_index("Deal ID"), "Deal ID")
    assert "index" in said
    assert len(hf.read_pairs(frame.drop(columns="Company ID").set_index("Deal ID").reset_index()))


@pytest.mark.parametrize(
    ("index", "columns"),
    [
        ("Record ID", {"Deal ID": DEALS, "Contact ID": CONTACTS}),
        ("from_id", {"Deal ID": DEALS, "Contact ID": CONTACTS}),
        ("to_id", {"Deal ID": DEALS, "Contact ID": CONTACTS}),
        ("Contact ID", {"Deal ID": DEALS, "Company ID": COMPANIES}),
        ("ID", {"Deal ID": DEALS, "Contact ID": CONTACTS}),
        ("From", {"Deal ID": DEALS, "Contact ID": CONTACTS}),
        ("Associated Company IDs", {"Deal ID": DEALS, "Contact ID": CONTACTS}),
    ],
)
def test_an_index_named_as_an_id_column_is_refused(index: str, columns: dict[str, Any]) -> None:
    ids = ["9990000001", "9990000002"]
    frame = pd.DataFrame(columns, index=pd.Index(ids, name=index))
    _refused(frame, index)


def test_a_level_of_a_multiindex_named_as_ids_is_refused() -> None:
    frame = pd.DataFrame(
        {"Contact ID": CONTACTS, "Company ID": COMPANIES, "Deal ID": DEALS, "Region": ["N", "S"]}
    ).set_index(["Region", "Deal ID"])
    _refused(frame, "Deal ID")


def test_an_index_of_types_is_refused_in_a_limits_sheet() -> None:
    frame = pd.DataFrame(
        {"To": ["contacts", "companies"], "Label": ["", ""], "Max": ["5", "3"]},
        index=pd.Index(["deals", "tickets"], name="From"),
    )
    with pytest.raises(hf.errors.InputError, match="reset_index"):
        hf.read_limits(frame, from_type="deals")


_NAMES = st.sampled_from(
    ["Deal ID", "Deal IDs", "Record ID", "Object ID", "from_id", "to_id", "Ticket ID",
     "deal_id", "Company Record ID", "From Record ID", "To ID"]
)  # fmt: skip


@settings(max_examples=examples(40), deadline=None)
@given(
    name=_NAMES,
    values=st.lists(
        st.integers(10**5, 10**12).map(str) | st.integers(10**5, 10**12),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    other=st.booleans(),
)
def test_ids_in_a_named_index_are_never_left_out(name: str, values: list[Any], other: bool) -> None:
    """Any index of ids named as an id column, beside two id columns that would read."""
    size = len(values)
    columns = {
        "Contact ID": [CONTACTS[i % 2] for i in range(size)],
        "Company ID" if other else "Line Item ID": [COMPANIES[i % 2] for i in range(size)],
    }
    frame = pd.DataFrame(columns, index=pd.Index(values, name=name))
    _refused(frame, name)


# --- frames that read as before -----------------------------------------------------------------


def _pairs(**kwargs: Any) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS}, **kwargs)


@pytest.mark.parametrize(
    "index",
    [
        pd.Index(["a", "b"]),
        pd.Index(["a", "b"], name="key"),
        pd.date_range("2026-01-01", periods=2, name="Date"),
        pd.RangeIndex(2, name="Deal ID"),  # the default range, named: row numbers
        pd.RangeIndex(5, 7, name="ID"),  # a slice's
        pd.Index([0, 1], name="ID"),  # a frame saved with its index, read with index_col
        pd.MultiIndex.from_arrays([["s0", "s1"], [0, 1]], names=["sheet_name", "n"]),
    ],
)
def test_an_index_of_labels_or_row_numbers_reads_as_before(index: pd.Index) -> None:
    frame = _pairs(index=index)
    read = hf.read_pairs(frame)
    assert read["from_id"].tolist() == DEALS
    assert read["to_id"].tolist() == CONTACTS
    assert read.index.equals(frame.index)
    assert hf.read_pairs(read).index.equals(frame.index)  # read back, as a job takes it


def test_an_index_kept_as_a_column_too_reads_as_before() -> None:
    frame = _pairs().set_index("Deal ID", drop=False)
    read = hf.read_pairs(frame)
    assert read["from_id"].tolist() == DEALS
    assert read.index.tolist() == DEALS


def test_a_saved_frame_read_back_with_its_index_column_reads_as_before() -> None:
    saved = _pairs().rename_axis("ID").to_csv()
    frame = pd.read_csv(io.StringIO(saved), index_col="ID", dtype=str)
    assert hf.read_pairs(frame)["to_id"].tolist() == CONTACTS


def test_hubframes_own_frames_read_back_as_before() -> None:
    """A read frame keeps the labels of the frame read, under any name; it reads back, with
    its ``attrs`` or without them (a ``pd.concat`` of two reads drops them)."""
    read = hf.read_pairs(_pairs(index=pd.Index(["a", "b"], name="key")))
    for name in ("Record ID", "Deal ID", "from_id"):
        renamed = read.rename_axis(name)
        assert hf.read_pairs(renamed)["from_id"].tolist() == DEALS
        bare = renamed.copy()
        bare.attrs = {}
        again = hf.read_pairs(bare)
        assert again["to_id"].tolist() == CONTACTS
        assert again.index.tolist() == ["a", "b"]
