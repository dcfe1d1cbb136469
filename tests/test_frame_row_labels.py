"""A DataFrame's row is named by its index label too in the read's messages.

A read numbers a DataFrame's rows as a sheet's (its first row is row 2: the result's ``row``
column), and its errors said "row 3".  An analyst reads that as ``df.loc[3]``: in
``full.iloc[3:]`` (index 3, 4, 5) the row refused was ``df.loc[4]``, and with the index
``[7, 8, 2]`` "row 4" named no label at all.  Each read message naming a DataFrame's row now
names its label as well, ``row 3 (index 4)``; a file's rows are the rows the spreadsheet
shows, and are named as before.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import EmptyRowsLeftOut
from hubframe.io.ids import read_ids
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[:12]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:12]]


def _full() -> pd.DataFrame:
    """Six pairs; the row labelled 4 lists two ids on both sides."""
    full = pd.DataFrame({"Deal ID": DEALS[:6], "Contact ID": CONTACTS[:6]})
    full.loc[4, "Contact ID"] = f"{CONTACTS[4]};{CONTACTS[5]}"
    full.loc[4, "Deal ID"] = f"{DEALS[4]};{DEALS[5]}"
    return full


def _refusal(read: Callable[[], object]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputError) as caught:
            read()
    return str(caught.value)


def test_a_filtered_frame_names_the_row_refused_by_its_label() -> None:
    sub = _full().iloc[3:]  # index 3, 4, 5: the lists are df.loc[4], at row 3
    said = _refusal(lambda: hf.read_pairs(sub))
    assert "row 3 (index 4) holds several ';'-separated ids on both sides" in said, said
    assert "(row 3 (index 4): 'Deal ID' =" in said, said


def test_a_float32_column_names_the_rounded_row_by_its_label() -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": np.array([5, 6, int(DEALS[0])], dtype="float32"),
            "Contact ID": CONTACTS[:3],
        },
        index=[7, 8, 2],
    )
    said = _refusal(lambda: hf.read_pairs(frame))
    assert "its row 4 (index 2) reads 2040000000" in said, said


def test_a_job_given_a_filtered_frame_names_the_label(sandbox: Sandbox) -> None:
    sub = _full().iloc[3:]
    said = _refusal(lambda: hf.associate(sub, client_for(sandbox), progress=False))
    assert "row 3 (index 4) holds several" in said, said


def test_the_ids_read_names_a_frames_row_by_its_label() -> None:
    frame = pd.DataFrame({"Deal ID": [DEALS[0], "x", DEALS[2]]}, index=[9, 8, 7])
    said = _refusal(lambda: read_ids(frame))
    assert "(row 3 (index 8): 'x')" in said, said


def test_an_empty_row_of_an_int_index_is_named_by_its_digits() -> None:
    frame = pd.DataFrame(
        {"Deal ID": [DEALS[0], None, DEALS[2]], "Contact ID": [CONTACTS[0], None, CONTACTS[2]]},
        index=[5, 6, 7],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hf.read_pairs(frame)
    said = [str(w.message) for w in caught if issubclass(w.category, EmptyRowsLeftOut)]
    assert len(said) == 1 and "(index 6) holds nothing" in said[0], said  # not np.int64(6)


def test_a_csv_names_its_rows_as_before(tmp_path: Path) -> None:
    lines = ["Deal ID,Contact ID"] + [
        f"{d},{c}" for d, c in zip(DEALS[:3], CONTACTS[:3], strict=True)
    ]
    lines.insert(2, f"{DEALS[4]};{DEALS[5]},{CONTACTS[4]};{CONTACTS[5]}")
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(lines) + "\n")
    said = _refusal(lambda: hf.read_pairs(path))
    assert "pairs.csv: row 3 holds several ';'-separated ids on both sides (row 3: " in said, said
    assert "index" not in said, said


# --- a property: any index, one bad cell planted ------------------------------------------------

#: kind -> (the cells planted at the bad row: header -> value; the read's arguments)
_PLANTED: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "lists on both sides": (
        {"Deal ID": f"{DEALS[10]};{DEALS[11]}", "Contact ID": f"{CONTACTS[10]};{CONTACTS[11]}"},
        {},
    ),
    "float32 id": ({"Deal ID": np.float32(DEALS[0])}, {}),
    "bytes label": ({"Label": b"Champion"}, {}),
    "list label": ({"Label": ["Champion", "Buyer"]}, {}),
    "date label": ({"Label": pd.Timestamp("2026-02-03")}, {}),
    "too many ids": (
        {"Contact ID": ";".join(CONTACTS[:5])},
        {"limits": hf.ReadLimits(max_ids_per_cell=3)},
    ),
    "cut by Excel": ({"Contact ID": (f"{CONTACTS[0]};" * 3300)[:32_767]}, {}),
    "header in another order": ({"Deal ID": "Contact ID", "Contact ID": "Deal ID"}, {}),
    "second header": ({"Deal ID": "Company ID", "Contact ID": "Ticket ID"}, {}),
    "removal marked": ({"Remove": "yes"}, {}),
    "label against label=": ({"Label": "Buyer"}, {"label": "Champion"}),
}


@st.composite
def _indexes(draw: st.DrawFn, size: int) -> list[Any]:
    """An index that is not 0..n-1: ints shuffled or offset, text, repeated labels, tuples."""
    kind = draw(st.sampled_from(["shuffled", "offset", "text", "repeated", "tuples"]))
    if kind == "shuffled":
        return draw(st.permutations(list(range(size))))
    if kind == "offset":
        start = draw(st.integers(-50, 1_000))
        return list(range(start, start + size))
    if kind == "text":
        names = st.text("abcxyz _-", min_size=1, max_size=6)
        return draw(st.lists(names, min_size=size, max_size=size, unique=True))
    if kind == "repeated":
        return draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
    return [(draw(st.sampled_from("ab")), n) for n in range(size)]


def _expected(label: Any) -> str:
    if isinstance(label, tuple):
        return repr(label)
    return str(label) if isinstance(label, int) else repr(label)


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data(), kind=st.sampled_from(sorted(_PLANTED)), size=st.integers(2, 7))
def test_a_planted_bad_cell_is_named_by_its_rows_label(
    data: st.DataObject, kind: str, size: int
) -> None:
    index = data.draw(_indexes(size), label="index")
    at = data.draw(st.integers(1 if "header" in kind else 0, size - 1), label="at")
    cells, arguments = _PLANTED[kind]
    columns: dict[str, list[Any]] = {
        "Deal ID": list(DEALS[:size]),
        "Contact ID": list(CONTACTS[:size]),
        "Label": ["Champion"] * size,
    }
    if "Remove" in cells:
        columns["Remove"] = [""] * size
    if kind == "float32 id":  # a float32 column: the other ids small enough to be exact
        columns["Deal ID"] = [np.float32(n + 5) for n in range(size)]
    for header, value in cells.items():
        columns[header][at] = value
    frame = pd.DataFrame({h: pd.Series(v, dtype=object) for h, v in columns.items()})
    if kind == "float32 id":
        frame["Deal ID"] = frame["Deal ID"].astype("float32")
    labels = pd.MultiIndex.from_tuples(index) if isinstance(index[0], tuple) else index
    frame.index = pd.Index(labels) if not isinstance(labels, pd.MultiIndex) else labels
    said = _refusal(lambda: hf.read_pairs(frame, **arguments))
    assert f"row {at + 2} (index {_expected(index[at])})" in said, (kind, index, said)
