"""Cell normalization: ids, object types, categories, labels, whole numbers, ; splits."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.io import normalize as hn
from hubframe.io import read_pairs
from hubframe.io import text as ht
from hubframe.io.normalize import (
    explode_ids,
    id_digits,
    is_scientific,
    normalize_categories,
    normalize_ids,
    normalize_labels,
    normalize_object_types,
    normalize_whole_numbers,
    purge_mask,
)
from hubframe.validate import validate_pairs

#: Every test here runs in both pandas text representations (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("text_mode")


def _s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def test_ids() -> None:
    got = normalize_ids(
        _s("123", " 123 ", "123.0", "00123", "'123", "\u3000123\x0c", "", None, "12a", "0", "-5")
    )
    assert got.tolist()[:6] == ["123"] * 6
    assert got.isna().tolist()[6:8] == [True, True]
    assert got.tolist()[8:] == ["12a", "0", "-5"]


# Every form here was accepted (or silently changed) before issue 10; now each one is kept as
# written, so validate_pairs reports it as BAD_ID instead of sending another record's id.
REFUSED_IDS = [
    "123,000",  # was 123
    "101.000",  # was 101
    "123,00",  # was 123
    "123.00",  # was 123
    "1,019,360,003",
    "\u2460\u2461",  # circled digits: was 12
    "\u00b9\u2070\u00b9\u2079",  # superscripts: was 1019
    "\uff11\uff12\uff13",  # fullwidth: was 123
    "\U0001d7cf\U0001d7d0",  # mathematical bold: was 12
    "\u0663\u0664",  # Arabic-Indic
    "\u09ea",  # Bengali four, looks like 8
    "+123",
    "-5",
    "-0",
    "0x1F",
    "1_000",
    "1 000",
    "1\u00a0000",
    "1\u202f000",
    "1'000",
    "123.",
    "12%",
    "$123",
    "NaN",
    "inf",
    "1e3",
    "1234567890123456.0",  # a float past 15 digits: was 1234567890123456
    "12\u200b3",
    "99999999999999999999",
]


@pytest.mark.parametrize("value", REFUSED_IDS)
def test_ambiguous_or_foreign_numbers_are_never_ids(value: str) -> None:
    got = normalize_ids(_s(value))
    assert got.iloc[0] == value.strip()
    ok, _ = id_digits(np.array([got.iloc[0]], dtype=object))
    assert not ok[0]
    assert hn.parse_whole(value) == value.strip()  # limits and type ids refuse them too


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("123,000", "could mean 123000 or 123"),
        ("101.000", "could mean 101000 or 101"),
        ("1 000", "did you mean 1000"),
        ("\uff11\uff12", "FULLWIDTH DIGIT ONE"),
        ("\u09ea", "BENGALI DIGIT FOUR"),
        ("12\u200b3", "ZERO WIDTH SPACE"),
        ("1234567890123456.0", "15 digits"),
        ("-5", "sign"),
        ("2025-07-01", "date"),
        ("0", "zero"),
        # several ids in a cell, not separated by ';' (before: "has a decimal part or point",
        # "an unusual or invisible character", "not a whole number")
        ("1019360001,1019360002", "looks like 2 ids separated by ','"),
        ("1019360001, 1019360002", "looks like 2 ids separated by ','"),
        ("1019360001\n1019360002", "looks like 2 ids separated by a line break"),
        ("1019360001 1019360002 1019360003", "looks like 3 ids separated by a space"),
        ("1019360001|1019360002", "looks like 2 ids separated by '|'"),
        ("1019360001/1019360002", "looks like 2 ids separated by '/'"),
        ("101,202", "could mean 101202 or 101"),  # digit groups: not a list
        ("12 345", "did you mean 12345"),
    ],
)
def test_refused_numbers_are_described(value: str, said: str) -> None:
    assert said in hn.describe_number(value)


def test_id_digits_mask_and_values() -> None:
    values = np.array(["1", "0123", "9" * 18, "9" * 19, "12 3", None, "é1", "42"], dtype=object)
    ok, ints = id_digits(values)
    assert ok.tolist() == [True, False, True, False, False, False, False, True]
    assert ints[0] == 1 and ints[2] == int("9" * 18) and ints[7] == 42


@pytest.mark.parametrize("text", ["1.01936E+11", "1,01936E+11", "2E+5", "1.2e-3"])
def test_scientific(text: str) -> None:
    assert is_scientific(text)


def test_object_types() -> None:
    got = normalize_object_types(
        _s(
            "Contact",
            "CONTACTS",
            "0-1",
            "0-3",
            "2-123",
            "line item",
            "Line_Items",
            "p_pets",
            "P123_Cars",
            "bogus",
            "",
            None,
        )
    )
    assert got.tolist()[:9] == [
        "contacts",
        "contacts",
        "contacts",
        "deals",
        "2-123",
        "line_items",
        "line_items",
        "p_pets",
        "p123_cars",
    ]
    assert got.iloc[9] == "bogus" and got.iloc[10:].isna().all()


def test_categories_and_labels() -> None:
    cats = normalize_categories(_s("user defined", "HubSpot-Defined", " WORK ", "odd", ""))
    assert cats.tolist()[:4] == ["USER_DEFINED", "HUBSPOT_DEFINED", "WORK", "odd"]
    labels = normalize_labels(_s("  Decision maker ", "", None))
    assert labels.iloc[0] == "Decision maker" and labels.iloc[1:].isna().all()


def test_whole_numbers_and_purge() -> None:
    numbers, raw = normalize_whole_numbers(
        _s("5", "5.0", " 7 ", "x", "", None, "-3", "2.5", "1,000", "1.000", "+5", "1e3")
    )
    assert str(numbers.dtype) == "Int64"
    assert numbers.tolist()[:3] == [5, 5, 7]
    assert numbers.iloc[6:].isna().all()  # signs, decimals, separators: refused, not guessed
    assert raw.iloc[3] == "x" and raw.iloc[7] == "2.5" and raw.iloc[:3].isna().all()
    assert raw.tolist()[8:] == ["1,000", "1.000", "+5", "1e3"]
    cells = _s("5", "REMOVE", " remove ", "", None, "No  Limit", "remove limit", "none", "0")
    # only words remove a limit: an empty cell never does (BLANK_LIMIT), nor "none" or 0
    assert purge_mask(cells).tolist() == [False, True, True, False, False, True, True, False, False]


def test_explode_keeps_order_and_other_cells() -> None:
    frame = pd.DataFrame(
        {"id": pd.Series(["1", "2;3", "4;;", ";"], dtype=object), "note": ["a", "b", "c", "d"]}
    )
    out = explode_ids(frame, ["id"])
    assert out["id"].tolist()[:4] == ["1", "2", "3", "4"]
    assert out["note"].tolist() == ["a", "b", "b", "c", "d"]
    assert out["id"].iloc[4] == ""


# --- Arrow text columns -----------------------------------------------------------------------

id_like = st.one_of(
    st.from_regex(r"[0-9]{0,20}", fullmatch=True),
    st.sampled_from(["", " 1", "1 ", "01", "１２", "٣", "1;2", "-1", "+1", "1.0", "é"]),
    st.text(max_size=6),
    st.none(),
)


def _chunks(values: list[str | None], cut: int) -> pa.ChunkedArray:
    """The values as a chunked array whose chunks are slices (non-zero offsets)."""
    whole = pa.array(["pad", *values, "pad"], type=ht.TEXT)
    cut = min(cut, len(values))
    return pa.chunked_array([whole.slice(1, cut), whole.slice(1 + cut, len(values) - cut)])


def _canonical(value: str | None) -> bool:
    return bool(value and re.fullmatch(r"[1-9][0-9]{0,17}", value, re.ASCII))


@settings(max_examples=80, deadline=None)
@given(st.lists(id_like, max_size=20), st.integers(0, 20))
def test_canonical_ids_on_bytes_match_the_rule(values: list[str | None], cut: int) -> None:
    text = _chunks(values, cut)
    ok = hn.canonical_ids(text)
    assert ok.tolist() == [_canonical(v) for v in values]
    ints = hn.id_values(text)
    assert ints.tolist() == [int(v) if _canonical(v) else 0 for v in values]  # type: ignore[arg-type]
    assert ht.empty_mask(text).tolist() == [not v for v in values]


@settings(max_examples=80, deadline=None)
@given(st.lists(id_like, max_size=20), st.integers(0, 20))
def test_id_text_matches_clean_id(values: list[str | None], cut: int) -> None:
    text = _chunks(values, cut)
    assert hn.id_text(text).to_pylist() == [v if _canonical(v) else hn.clean_id(v) for v in values]


cells = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
    st.sampled_from(["", " ", " a ", "\u00a0b", "c\u200b", "\ufeffd", "\t", "a b"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(cells, max_size=20), st.integers(0, 20))
def test_split_rows_matches_split_ids(values: list[str | None], cut: int) -> None:
    text = _chunks(values, cut)
    take, parts = hn.split_rows(text)
    expected = [hn.split_ids(v) if v is not None and ";" in v else [v] for v in values]
    if take is None:
        assert all(len(e) == 1 for e in expected) and parts is text
        return
    assert take.tolist() == [i for i, e in enumerate(expected) for _ in e]
    assert parts.to_pylist() == [p for e in expected for p in e]


def test_whole_numbers_beyond_int64_stay_text() -> None:
    numbers, raw = normalize_whole_numbers(_s("99999999999999999999", "7"))
    assert pd.isna(numbers.iloc[0]) and numbers.iloc[1] == 7
    assert raw.iloc[0] == "99999999999999999999"


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u2060", "\u00ad", "\u200c", "\u200d",
                                  "\u202a", "\u202c", "\u2066", "\u2069"])  # fmt: skip
def test_invisible_marks_at_an_ids_edges_are_trimmed_inside_refused(mark: str) -> None:
    """Direction marks, joiners and a soft hyphen a copy from a web page or a right-to-left
    document brings along: trimmed at the edges (the docs said so; they were refused), still
    refused inside an id (they could hide a change of digits)."""
    edges = [
        f"{mark}1019360001",
        f"1019360001{mark}",
        f" {mark} 1019360001 {mark}",
        f"{mark}'1019360001",
    ]
    assert normalize_ids(pd.Series(edges)).tolist() == ["1019360001"] * len(edges)
    inside = f"10193{mark}60001"
    assert normalize_ids(pd.Series([inside])).iloc[0] == inside
    pairs = read_pairs(pd.DataFrame({"Deal ID": [f"{mark}2040000001"], "Contact ID": [inside]}))
    assert pairs["from_id"].tolist() == ["2040000001"]
    issues = validate_pairs(pairs)
    assert issues["column"].tolist() == ["to_id"], issues
