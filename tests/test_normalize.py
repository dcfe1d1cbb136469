"""Cell normalization: ids, object types, categories, labels, whole numbers, ; splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hubframe.normalize import (
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


def _s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def test_ids() -> None:
    got = normalize_ids(
        _s(
            "123",
            " 123 ",
            "123.0",
            "123,00",
            "00123",
            "'123",
            "１２３",
            "",
            None,
            "12a",
            "1.01936E+11",
            "0",
            "-5",
        )
    )
    assert got.tolist()[:7] == ["123"] * 7
    assert got.isna().tolist()[7:9] == [True, True]
    assert got.tolist()[9:] == ["12a", "1.01936E+11", "0", "-5"]


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
    numbers, raw = normalize_whole_numbers(_s("5", "5.0", "1,000", "x", "", None, "-3", "2.5"))
    assert str(numbers.dtype) == "Int64"
    assert numbers.tolist()[:3] == [5, 5, 1000] and numbers.iloc[6] == -3
    assert raw.iloc[3] == "x" and raw.iloc[7] == "2.5" and raw.iloc[:3].isna().all()
    assert purge_mask(_s("5", "REMOVE", " remove ", "", None)).tolist() == [
        False,
        True,
        True,
        True,
        True,
    ]


def test_explode_keeps_order_and_other_cells() -> None:
    frame = pd.DataFrame(
        {"id": pd.Series(["1", "2;3", "4;;", ";"], dtype=object), "note": ["a", "b", "c", "d"]}
    )
    out = explode_ids(frame, ["id"])
    assert out["id"].tolist()[:4] == ["1", "2", "3", "4"]
    assert out["note"].tolist() == ["a", "b", "b", "c", "d"]
    assert out["id"].iloc[4] == ""
