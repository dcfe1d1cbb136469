"""Numbers held by a float wider than float64 (``np.longdouble``, float128 on x86-64: whole
numbers exact below 2**64) are read in their own precision, never through float64.

Before, a cell was made a float64 before its wholeness was tested: an id cell holding
999999999999999.01 was read as the id 999999999999999 and linked (the same value as a Decimal
is refused), a type id or limit holding a fraction as its whole part, and an analyst's own
float128 column showed 123456789012345678 as 1.2345678901234568e+17 in the reports.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import MAX_ID_DIGITS
from hubframe.io.ids import given_ids
from hubframe.run.primary import primary_companies
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from tests.fuzzseeds import examples

pytestmark = pytest.mark.skipif(
    np.finfo(np.longdouble).nmant <= np.finfo(np.float64).nmant,
    reason="this platform's longdouble is float64",
)
TYPES = {"from_type": "deals", "to_type": "contacts"}
LD = np.longdouble


def _held(whole: int, numerator: int, shift: int) -> np.longdouble:
    """``whole`` plus ``numerator / 2**shift`` as a longdouble (rounded to what it holds)."""
    return LD(whole) + LD(numerator) / LD(2**shift)


def _exact(value: np.longdouble) -> Fraction:
    """The number a longdouble holds, exactly (the test's own reading, not hubframe's)."""
    return Fraction(*value.as_integer_ratio())


def _read_back(text: str, held: np.longdouble) -> Fraction:
    """The number a refused cell's text names: as a float64 when the value is one (it is
    written with a float64's digits), else as a long double."""
    if np.float64(held) == held:
        return Fraction(*np.float64(text).as_integer_ratio())
    return _exact(LD(text))


def _expected(value: np.longdouble) -> str | None:
    """The id text of a whole number held; None for a number with a fraction (refused)."""
    exact = _exact(value)
    return str(exact.numerator) if exact.denominator == 1 else None


held_values = st.builds(
    _held,
    st.integers(10_000, 10**18 - 1),  # record ids: 5 to 18 digits
    st.one_of(st.just(0), st.integers(1, 2**20)),
    st.integers(1, 40),
)


def _forms(values: list[np.longdouble]) -> dict[str, Any]:
    """The same longdoubles as a float128 column and as objects among text."""
    return {
        "float128 column": pd.Series(values, dtype=LD),
        "object column": pd.Series(values, dtype=object),
    }


@settings(max_examples=examples(100), deadline=None)
@given(values=st.lists(held_values, min_size=1, max_size=5))
def test_a_wide_float_id_is_read_exactly_or_refused_naming_its_row(
    values: list[np.longdouble],
) -> None:
    for name, column in _forms(values).items():
        frame = pd.DataFrame({"Deal ID": column, "Contact ID": ["45"] * len(values)})
        pairs = hf.read_pairs(frame, **TYPES)
        issues = hf.validate_pairs(pairs)
        refused = issues[(issues["column"] == "from_id") & (issues["code"] == "BAD_ID")]
        for row, (value, read) in enumerate(zip(values, pairs["from_id"], strict=True), 2):
            expected = _expected(value)
            if expected is not None and len(expected) > MAX_ID_DIGITS:  # held as 10**18
                assert row in set(refused["row"]), (name, value)
            elif expected is not None:
                assert read == expected, (name, value)
                assert row not in set(refused["row"]), (name, value)
            else:
                said = refused[refused["row"] == row]
                assert said["code"].tolist() == ["BAD_ID"], (name, value, read)
                assert _read_back(read, value) == _exact(value)  # the value, not rounded


@settings(max_examples=examples(100), deadline=None)
@given(values=st.lists(held_values, min_size=1, max_size=5))
def test_wide_float_ids_given_in_python_are_read_exactly_or_refused(
    values: list[np.longdouble],
) -> None:
    containers = {
        "array": np.array(values, dtype=LD),
        "series": pd.Series(values, dtype=LD),
        "list": list(values),
    }
    whole = [e for e in map(_expected, values) if e is not None]
    # a value just under 10**18 may be held as 10**18 itself: 19 digits, no record id, refused
    ids = list(dict.fromkeys(e for e in whole if len(e) <= MAX_ID_DIGITS))
    too_long = {e for e in whole if len(e) > MAX_ID_DIGITS}
    fractions = {_exact(v) for v in values if _expected(v) is None}
    for name, held in containers.items():
        found, bad = given_ids(held, "scope=")
        refused = {text.strip("'") for text in bad}
        assert [f for f in found if f not in refused] == ids, name
        assert too_long <= refused, name
        float64s = any(np.float64(v) == v for v in values if _expected(v) is None)
        readings = {_exact(LD(t)) for t in refused} | {
            Fraction(*np.float64(t).as_integer_ratio()) for t in refused if float64s
        }
        assert fractions <= readings, name  # as held, exactly


def test_a_fraction_held_by_a_wide_float_is_not_sent_as_the_id() -> None:
    deal, contact = 999999999999999, 899999999999999
    held = LD("999999999999999.01")
    assert float(held) == deal  # float64 cannot tell them apart
    with Sandbox(seed="demo") as sb:
        sb.add_records("deals", [deal])
        sb.add_records("contacts", [contact])
        frame = pd.DataFrame({"Deal ID": pd.Series([held], dtype=LD), "Contact ID": [contact]})
        result = hf.associate(frame, client_for(sb), progress=False)
        assert result["status"].tolist() == ["invalid"]
        assert result["error_code"].tolist() == ["BAD_ID"]
        assert "999999999999999.01" in result["error_message"].iloc[0]
        assert sb.associations("deals", "contacts").query(f"from_id == '{deal}'").empty


SHEET = {"From object": ["Deals"] * 2, "To object": ["Contacts"] * 2}


def test_a_wide_float_type_id_with_a_fraction_is_refused_on_its_row() -> None:
    type_ids = pd.Series([_held(1003, 1, 52), LD(1003)], dtype=LD)  # float64: 1003.0
    labels = pd.DataFrame({**SHEET, "Label": ["Champion", "Renamed"], "Type ID": type_ids})
    with Sandbox(seed="demo") as sb:
        result = hf.configure_labels(labels, client_for(sb), dry_run=True)
    assert result["error_code"].iloc[0] == "BAD_ID"
    assert pd.isna(result["type_id"].iloc[0])  # never 1003, the whole part


def test_a_wide_float_limit_with_a_fraction_is_refused_on_its_row() -> None:
    limits = pd.Series([_held(5, 1, 52), LD(3)], dtype=LD)  # float64: 5.0
    sheet = pd.DataFrame({**SHEET, "Label": ["Champion", "Decision maker"], "Max": limits})
    with Sandbox(seed="demo") as sb:
        result = hf.configure_limits(sheet, client_for(sb), dry_run=True, progress=False)
    assert result["error_code"].iloc[0] == "BAD_LIMIT"
    assert result["max_to_object_ids"].astype(object).tolist()[1] == 3


def test_an_analysts_wide_float_column_keeps_its_value_in_the_reports(tmp_path: Path) -> None:
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    own = pd.Series([LD(123456789012345678), LD("1.1"), LD("nan")], dtype=LD)
    frame = pd.DataFrame(
        {
            "Deal ID": [str(d) for d in deals[:3]],
            "Contact ID": [str(c) for c in contacts[40:43]],
            "Amount": own,
        }
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(frame, client_for(sb), progress=False)
    shown = ["123456789012345678", "1.1"]
    assert result["Amount"].tolist()[:2] == shown and result["Amount"].iloc[2] in ("", None)
    for suffix in ("csv", "xlsx"):
        path = tmp_path / f"report.{suffix}"
        hf.export_report(result, path)
        if suffix == "csv":
            back = pd.read_csv(path, dtype=str)
        else:
            back = pd.read_excel(path, sheet_name="Results", dtype=str, engine="openpyxl")
        assert back["Amount"].tolist()[:2] == shown, suffix


def test_an_edited_primary_before_cell_holding_a_fraction_is_not_an_id() -> None:
    assert primary_companies(LD("999999999999999.01")) is None
    assert primary_companies(LD(4070000001)) == frozenset({"4070000001"})


def test_an_own_column_of_float64_values_keeps_their_digits() -> None:
    """A float128 column made from float64 data (``astype(np.longdouble)``) shows 0.1 as 0.1,
    not its 20 digits of a long double (helper-293)."""
    own = pd.Series([0.1, 19.99, 1e-07]).astype(np.longdouble)
    sheet = pd.DataFrame({"Deal ID": ["2040000001"] * 3, "Contact ID": ["1019360001"] * 3})
    sheet["Amount"] = own
    read = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
    assert read["Amount"].tolist() == ["0.1", "19.99", "1e-07"]
