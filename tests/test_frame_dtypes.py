"""A DataFrame's id column of any dtype: the id read is the whole number the cell holds, or the
row is refused; never a number the cell does not hold.

A yearly ``Period`` shows as ``2020`` and was read as record id 2020 (in a ``period`` column,
an object column of periods, or a categorical of them).  Dates, times, spans and periods are
refused as ids (``BAD_ID``) whatever their dtype; whole numbers are read exactly whatever dtype
holds them.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from oddcells import NoText

import hubframe as hf
from hubframe.errors import InputError

_DAYS = [dt.date(2020, 1, 1), dt.date(2021, 1, 1)]
_MOMENTS = [dt.datetime(2020, 1, 1), dt.datetime(2021, 1, 1, 5)]
_SPANS = [dt.timedelta(seconds=5), dt.timedelta(days=2020)]


def _arrow(values: list[Any], kind: pa.DataType) -> pd.Series:
    return pd.Series(pd.array(values, dtype=pd.ArrowDtype(kind)))


# Columns that hold no record id: every row is refused.
NOT_IDS: dict[str, Callable[[], pd.Series]] = {
    "period, yearly": lambda: pd.Series(pd.period_range("2020", periods=2, freq="Y")),
    "period, quarterly": lambda: pd.Series(pd.period_range("2020Q1", periods=2, freq="Q")),
    "period, daily": lambda: pd.Series(pd.period_range("2020-01-01", periods=2, freq="D")),
    "period, hourly": lambda: pd.Series(pd.period_range("2020-01-01", periods=2, freq="h")),
    "object of yearly periods": lambda: pd.Series(
        [pd.Period("2020", "Y"), pd.Period("2021", "Y")], dtype=object
    ),
    "category of yearly periods": lambda: pd.Series(
        pd.Categorical(pd.period_range("2020", periods=2, freq="Y"))
    ),
    "datetime64[ns]": lambda: pd.Series(pd.to_datetime(_MOMENTS)),
    "datetime64[s]": lambda: pd.Series(np.array(["2020-01-01", "2021"], dtype="datetime64[s]")),
    "datetime with a time zone": lambda: pd.Series(pd.date_range("2020", periods=2, tz="UTC")),
    "datetime64[s] past year 9999": lambda: pd.Series(
        np.array(["20000-01-01", "20210-01-01T05:00"], dtype="datetime64[s]")
    ),
    "object of yearly numpy datetimes": lambda: pd.Series(
        [np.datetime64("2020"), np.datetime64("2021")], dtype=object
    ),
    "object of numpy dates past year 9999": lambda: pd.Series(
        [np.datetime64("20000-01-01"), np.datetime64("20210", "Y")], dtype=object
    ),
    "timedelta64": lambda: pd.Series(pd.to_timedelta(_SPANS)),
    "object of dates": lambda: pd.Series(_DAYS, dtype=object),
    "object of numpy datetimes": lambda: pd.Series(
        [np.datetime64("2020-01-01"), np.datetime64("2021")], dtype=object
    ),
    "arrow date32": lambda: _arrow(_DAYS, pa.date32()),
    "arrow timestamp": lambda: _arrow(_MOMENTS, pa.timestamp("s")),
    "arrow duration": lambda: _arrow(_SPANS, pa.duration("s")),
    "arrow time": lambda: _arrow([dt.time(1), dt.time(20, 20)], pa.time64("us")),
    "interval": lambda: pd.Series(pd.interval_range(2020, 2022)),
    "bool": lambda: pd.Series([True, False]),
    "arrow bool": lambda: _arrow([True, False], pa.bool_()),
    "complex": lambda: pd.Series([2020 + 0j, 2021 + 0j]),
    "bytes": lambda: pd.Series([b"2020", b"2021"], dtype=object),
    "lists": lambda: pd.Series([[2020], [2021]], dtype=object),
}


def _read(ids: pd.Series) -> tuple[list[Any], pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": ids,
            "to_type": "contacts",
            "to_id": range(201, 201 + len(ids)),
        }
    )
    pairs = hf.read_pairs(frame)
    return list(pairs["from_id"]), hf.validate_pairs(pairs)


@pytest.mark.parametrize("kind", list(NOT_IDS))
def test_a_column_of_dates_spans_or_periods_gives_no_ids(kind: str) -> None:
    read, issues = _read(NOT_IDS[kind]())
    refused = issues[issues["code"] == "BAD_ID"]
    assert sorted(refused["row"]) == [2, 3], (kind, read)
    assert not any(str(text).isdigit() for text in read), (kind, read)


def _whole_columns(ids: list[int]) -> dict[str, pd.Series]:
    """``ids`` (record ids: at most 18 digits) held by every dtype that holds whole numbers."""
    return {
        "int64": pd.Series(ids, dtype="int64"),
        "Int64": pd.Series(ids, dtype="Int64"),
        "uint64": pd.Series(ids, dtype="uint64"),
        "arrow int64": _arrow(ids, pa.int64()),
        "arrow decimal": _arrow([decimal.Decimal(i) for i in ids], pa.decimal128(38, 2)),
        "category": pd.Series(ids, dtype="category"),
        "object of numpy ints": pd.Series([np.int64(i) for i in ids], dtype=object),
        "object of decimals": pd.Series([decimal.Decimal(i) for i in ids], dtype=object),
        "string": pd.Series([str(i) for i in ids], dtype="string"),
        "arrow dictionary": _arrow([str(i) for i in ids], pa.dictionary(pa.int32(), pa.string())),
    }


@settings(max_examples=examples(15), deadline=None)
@given(st.lists(st.integers(1, 10**18 - 1), min_size=1, max_size=4))
def test_whole_numbers_are_read_exactly_whatever_dtype_holds_them(ids: list[int]) -> None:
    for kind, column in _whole_columns(ids).items():
        read, issues = _read(column)
        assert read == [str(i) for i in ids], kind
        assert "BAD_ID" not in set(issues["code"]), kind


@pytest.mark.parametrize("kind", ["period, yearly", "object of yearly numpy datetimes", "bool"])
def test_an_edited_frame_given_such_a_column_gives_no_ids(kind: str) -> None:
    """The same column put into a frame hubframe read (the analyst's edit) is refused too."""
    pairs = hf.read_pairs(
        pd.DataFrame(
            {"from_type": "deals", "from_id": ["101", "102"], "to_type": "contacts", "to_id": "201"}
        )
    )
    pairs["from_id"] = NOT_IDS[kind]().to_numpy()
    issues = hf.validate_pairs(pairs)
    assert sorted(issues.loc[issues["code"] == "BAD_ID", "row"]) == [2, 3], (kind, issues)


# Columns of every kind with a missing value (NaT, NA, NaN, None) at each place.
WITH_MISSING: dict[str, Callable[[], pd.Series]] = {
    "datetime64[ns]": lambda: pd.Series(pd.to_datetime(["2024-01-05", None, "2024-02-01"])),
    "datetime with a time zone": lambda: pd.Series(
        pd.to_datetime(["2024-01-05", None, "2024-02-01"]).tz_localize("UTC")
    ),
    "timedelta64": lambda: pd.Series(pd.to_timedelta(["1 day", None, "2 days"])),
    "period": lambda: pd.Series(pd.PeriodIndex(["2020", None, "2021"], freq="Y")),
    "object of timestamps": lambda: pd.Series(
        [pd.Timestamp("2024-01-05"), pd.NaT, pd.Timestamp("2024-01-05 10:00")], dtype=object
    ),
    "object of numpy moments": lambda: pd.Series(
        [np.datetime64("2024-01-05"), np.datetime64("NaT"), np.timedelta64("NaT")], dtype=object
    ),
    "Int64": lambda: pd.Series([5, None, 7], dtype="Int64"),
    "boolean": lambda: pd.Series([True, None, False], dtype="boolean"),
    "category": lambda: pd.Series(["a", None, "b"], dtype="category"),
    "interval": lambda: pd.Series(pd.arrays.IntervalArray.from_tuples([(0, 1), None, (1, 2)])),
    "arrow timestamp": lambda: _arrow([_MOMENTS[0], None, _MOMENTS[1]], pa.timestamp("s")),
    "object of pd.NA and None": lambda: pd.Series([pd.NA, None, "x"], dtype=object),
}


@pytest.mark.parametrize("kind", list(WITH_MISSING))
def test_a_column_with_missing_values_never_stops_the_read(kind: str) -> None:
    """A DataFrame with a date column holding one missing value (a "Close date" in a CRM
    export) stopped the whole read: "the file could not be read (ValueError: NaTType does not
    support time)".  Carried, such a column reads with an empty cell where the value is
    missing; as the id column, that row is MISSING_VALUE and the others are refused."""
    column = WITH_MISSING[kind]()
    ids = ["101", "102", "103"]
    frame = pd.DataFrame(
        {"from_type": "deals", "from_id": ids, "to_type": "contacts", "to_id": "201"}
    )
    frame["Close date"] = column.to_numpy() if kind.startswith("object") else column
    pairs = hf.read_pairs(frame)
    shown = pairs["Close date"].tolist()
    assert shown[1] in ("", None) or pd.isna(shown[1]), (kind, shown)
    assert all(isinstance(cell, str) and "NaT" not in cell for cell in shown[::2]), (kind, shown)
    as_ids = frame.drop(columns="Close date").assign(from_id=frame["Close date"])
    issues = hf.validate_pairs(hf.read_pairs(as_ids))
    assert issues.loc[issues["row"] == 3, "code"].tolist() == ["MISSING_VALUE"], (kind, issues)


ODD_VALUES: dict[str, Any] = {
    "an int of 5,000 digits": 10**5000,
    "a negative int of 5,000 digits": -(10**5000),
    "an object whose str fails": NoText(),
    "a signalling NaN Decimal": decimal.Decimal("sNaN"),
    "a Decimal of a huge exponent": decimal.Decimal("1E+999999999"),
    "a set": {2020},
    "numpy bytes": np.bytes_(b"2020"),
}


@pytest.mark.parametrize("name", list(ODD_VALUES))
def test_an_odd_object_in_a_cell_never_stops_the_read(name: str) -> None:
    """An int longer than Python writes (over 4,300 digits) or an object whose ``str`` fails
    stopped the whole read ("the file could not be read ... save it again as .xlsx"); it is a
    cell with a text naming it, refused as an id, carried as that text."""
    value = ODD_VALUES[name]
    frame = pd.DataFrame(
        {"from_type": "deals", "from_id": ["101", "102"], "to_type": "contacts", "to_id": "201"}
    )
    frame["Notes"] = pd.Series([value, "x"], dtype=object)
    carried = hf.read_pairs(frame)["Notes"].tolist()
    assert isinstance(carried[0], str) and carried[0] and len(carried[0]) < 200, carried
    frame["from_id"] = frame["Notes"]
    issues = hf.validate_pairs(hf.read_pairs(frame.drop(columns="Notes")))
    assert issues.loc[issues["row"] == 2, "code"].tolist() == ["BAD_ID"], issues


def _scalars() -> st.SearchStrategy[Any]:
    """Any value a DataFrame's object column may hold."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**4000, max_value=10**4400),
        st.floats(),
        st.decimals(),
        st.datetimes(),
        st.dates(),
        st.times(),
        st.timedeltas(),
        st.text(max_size=12),
        st.binary(max_size=6),
        st.integers(-(2**63), 2**63 - 1).map(np.int64),
        st.floats(width=32).map(np.float32),
        st.datetimes().map(np.datetime64),
        st.dates().map(lambda d: pd.Period(d, freq="Y")),
        st.sampled_from([pd.NaT, pd.NA, np.nan, np.datetime64("NaT")]),
    )


def _whole(value: Any) -> int | None:
    """The record id ``value`` holds exactly, when it is a whole number an id may be."""
    if isinstance(value, bool | np.bool_) or value is None:
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and np.isfinite(value):
        whole = float(value)
        return int(whole) if whole.is_integer() and abs(whole) < 10**15 else None
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    return None


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(_scalars(), min_size=1, max_size=6))
def test_any_cell_reads_and_gives_an_id_only_for_the_whole_number_it_holds(
    cells: list[Any],
) -> None:
    """Whatever an object column holds, the read never fails, and a row's id is the whole
    number its cell holds exactly, or the row is refused."""
    frame = pd.DataFrame(
        {"from_type": "deals", "from_id": pd.Series(cells, dtype=object), "to_type": "contacts"}
    )
    frame["to_id"] = "201"
    try:
        pairs = hf.read_pairs(frame)
    except InputError as exc:  # float32 ids past 2**24 stop the read (test_narrow_floats)
        narrow = [c for c in cells if isinstance(c, np.float32) and abs(c) >= 2**24]
        assert narrow and "float32" in str(exc), exc
        return
    refused = set(hf.validate_pairs(pairs)["row"])
    for row, read in zip(pairs["row"], pairs["from_id"], strict=True):
        cell = cells[int(row) - 2]
        if row in refused:
            continue
        if isinstance(cell, str) and _whole(cell) is None:  # a list of ids: "12;13"
            listed = [t.lstrip("0") or "0" for t in re.split(r"[^0-9]+", cell) if t]
            assert read in listed, (cell, read)
            continue
        assert _whole(cell) is not None and str(_whole(cell)) == read, (cell, read)
