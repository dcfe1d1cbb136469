"""Number cells of a column read by a unique property are read as the text the sheet shows.

A custom unique property with leading zeros (``00123``) typed in Excel as the number 123
formatted ``00000`` shows ``00123``, and hubframe looked up ``123``: another record (HubSpot
compares property values as text), without a word.  Padding keeps a record id's digits, so the
check let it pass for every id column.  For a column of property values a format that shows the
number as other text than its digits (padded, grouped, with decimals or an exponent) is now
refused naming the cell.  And a number of 16 or more digits in such a column (an external id
typed into Excel, which keeps 15 digits) was looked up as ``1.2345678901234568e+16``, failing
``OBJECT_NOT_FOUND`` with a value the analyst never saw: it is now ``BAD_ID`` saying that
Excel kept 15 digits, as a record id is.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.numfmt import shows_number_otherwise
from hubframe.testing import xlsx_bytes


def _book(values: list[object], code: str, header: str = "Contact code") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Deal ID", header])
    for n, value in enumerate(values):
        sheet.append([2040000040 + n, value])
        sheet.cell(row=n + 2, column=2).number_format = code
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data: bytes, **kwargs: str) -> pd.DataFrame:
    return hf.read_pairs(
        io.BytesIO(data),
        columns={"Contact code": "to_id"},
        to_id_property="code",
        from_type="deals",
        to_type="contacts",
        **kwargs,
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (123, "00000"),
        (7, "000"),
        (1234, "#,##0"),
        (123, "0.00"),
        (123, "0.00E+00"),
        (123, '"C-"0'),
        (123, "[Blue]00000"),
        (12, "??0"),
        (0, "#"),
    ],
)
def test_a_number_shown_as_other_text_in_a_property_column_is_refused(
    value: int, code: str
) -> None:
    with pytest.raises(InputError, match=r"row 2"):
        _read(_book([value], code))


@pytest.mark.parametrize(
    ("value", "code"),
    [(123, "General"), (123, "0"), (123456, "00000"), (123, "#"), (999, "#,##0"), (5, "@")],
)
def test_a_number_shown_as_its_digits_is_read(value: int, code: str) -> None:
    pairs = _read(_book([value], code))
    assert pairs["to_id"].tolist() == [str(value)]


def test_the_padding_of_a_record_id_column_is_still_read_as_the_id() -> None:
    """``00123`` and ``123`` are one record id: padding stays allowed there."""
    pairs = hf.read_pairs(io.BytesIO(_book([123], "00000", "Contact ID")))
    assert pairs["to_id"].tolist() == ["123"]


@settings(max_examples=examples(200), deadline=None)
@given(
    value=st.integers(min_value=0, max_value=10**12),
    zeros=st.integers(min_value=1, max_value=14),
    decimals=st.integers(min_value=0, max_value=2),
    grouped=st.booleans(),
)
def test_a_format_shows_the_digits_exactly_when_it_is_said_to(
    value: int, zeros: int, decimals: int, grouped: bool
) -> None:
    """Against what Excel shows for these formats: padded to ``zeros`` digits, grouped by
    thousands, and ``decimals`` places."""
    code = ("#,##" if grouped else "") + "0" * zeros + ("." + "0" * decimals if decimals else "")
    same = zeros <= len(str(value)) and not decimals and (not grouped or value < 1000)
    assert shows_number_otherwise(code, float(value)) is not same


def test_a_property_number_past_15_digits_is_bad_id_naming_excel() -> None:
    data = xlsx_bytes(
        [["Deal ID", "Contact ID"], [2040000040, 12345678901234567], [2040000041, 42]]
    )
    pairs = hf.read_pairs(
        io.BytesIO(data), to_id_property="code", from_type="deals", to_type="contacts"
    )
    issues = hf.validate_pairs(pairs)
    bad = issues[issues["code"] == "BAD_ID"]
    assert bad["row"].tolist() == [2]
    assert "15 digits" in bad["message"].iloc[0]


@pytest.mark.parametrize(
    "text", ["1.2345678901234568e+16", "1.23457E+16", "1234567890123456.0", "9.99999999999999E+19"]
)
def test_the_text_of_a_long_number_in_a_property_column_is_bad_id(text: str) -> None:
    frame = pd.DataFrame({"Deal ID": ["1", "2"], "Contact code": [text, "12E45"]})
    pairs = hf.read_pairs(
        frame,
        columns={"Contact code": "to_id"},
        to_id_property="code",
        from_type="deals",
        to_type="contacts",
    )
    issues = hf.validate_pairs(pairs)
    assert issues.loc[issues["code"] == "BAD_ID", "row"].tolist() == [2]
