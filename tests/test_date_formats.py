"""A number formatted as a date reads the same whichever engine reads the workbook.

An id cell that got a date format ("mm") holds 101936297021, past the last date a spreadsheet
shows (Excel shows ########).  python-calamine reads the number it holds; openpyxl read it as
'#VALUE!', refused as "a spreadsheet error ... the formula was given a value of the wrong kind"
(there is no formula, and the value was never named).  One cell formatted as a duration
("[h]:mm") holding such a number anywhere in the workbook makes calamine fail, so openpyxl read
every sheet, and the same id cell changed its reading.  openpyxl's reading now puts the number
back, as calamine reads it; and a number of an id column formatted as a date or time, which
Excel shows as ######## (tests/test_date_formatted_ids.py), is refused by both alike.
"""

from __future__ import annotations

import io
import warnings
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from workbook_features import read_with

import hubframe as hf

ID = 101936297021
COLUMNS = ["sheet", "row", "from_type", "from_id", "to_type", "to_id", "label"]


def _book(rows: list[list[object]], formats: dict[str, str]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    for cell, number_format in formats.items():
        ws[cell].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = hf.read_pairs(data)
    return pairs[[c for c in COLUMNS if c in pairs]], hf.validate_pairs(pairs)


def _refusal(data: bytes) -> str | None:
    """The column and rows a read refuses for its label cells (the text before what the
    first holds, which the engines give as a time or a date alike), None when it reads."""
    try:
        _read(data)
    except hf.InputError as exc:
        return str(exc).split(" holds ")[0]
    return None


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("hours", [False, True])
def test_an_id_formatted_as_a_date_is_refused_the_same_with_a_duration_anywhere(
    engine: str, hours: bool
) -> None:
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Label", "Hours"]]
    rows.append([ID, 8000000001, None, ID if hours else None])
    formats = {"A2": "mm"} | ({"D2": "[h]:mm"} if hours else {})
    with read_with(engine), warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl's warning of the cell is not passed on
        with pytest.raises(hf.InputError, match=f"'Deal ID'.*row 2 holds {ID}.*'mm' as ####"):
            _read(_book(rows, formats))


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_duration_of_a_column_not_read_reads_the_same(engine: str) -> None:
    """A number past the last date in a duration column of the analyst's own: calamine fails,
    openpyxl reads the sheet, and the ids read alike."""
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Label", "Hours"]]
    rows.append([ID, 8000000001, None, ID])
    with read_with(engine), warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl's warning of the cell is not passed on
        pairs, issues = _read(_book(rows, {"D2": "[h]:mm"}))
    assert pairs["from_id"].tolist() == [str(ID)]
    assert issues.empty, issues[["row", "column", "value", "code"]].values.tolist()


def test_a_real_value_error_is_still_one() -> None:
    """Only the cells openpyxl turned into '#VALUE!' for their date format get their number
    back: an error cell the sheet holds stays an error (FORMULA_ERROR)."""
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Label", "Since"]]
    rows.append([ID, 8000000001, "x", ID])
    data = _book(rows, {"D2": "yyyy-mm-dd"})  # a date column of the analyst's own
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = part.index(b'<c r="C2"')
                end = part.index(b"</c>", start) + 4
                part = part[:start] + b'<c r="C2" t="e"><v>#VALUE!</v></c>' + part[end:]
            copy.writestr(info.filename, part)
    with read_with("openpyxl"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs, issues = _read(out.getvalue())
    assert pairs["from_id"].tolist() == [str(ID)]
    assert pairs["label"].tolist() == ["#VALUE!"]
    assert issues[["column", "code"]].values.tolist() == [["label", "FORMULA_ERROR"]]


_FORMATS = st.sampled_from(["General", "0", "mm", "yyyy-mm-dd", "d-mmm", "h:mm:ss", "[h]:mm"])
_NUMBERS = st.sampled_from(
    [0, 1, 0.5, 61, 45000, 45000.25, 2958465, 2958466, 7000000001, ID, 999999999999999]
)
_CELLS = st.tuples(_NUMBERS, _FORMATS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grid=st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=5),
    far=st.booleans(),
)
def test_property_numbers_in_any_format_read_as_calamine_reads_them(
    grid: list[list[tuple[float, str]]], far: bool
) -> None:
    """Numbers (ids, dates, times, past the last date) in number, date, time and duration
    formats: openpyxl reads the same frame and issues as calamine, and so does calamine's
    read of the same sheet beside a duration too large for it (which falls to openpyxl); a
    label cell holding a date or a formatted number is refused by both alike, naming the
    same column and rows (io.labelcells)."""
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Label", "Hours"]]
    formats: dict[str, str] = {}
    for r, cells in enumerate(grid, start=2):
        rows.append([value for value, _ in cells])
        formats |= {f"{'ABC'[c]}{r}": f for c, (_, f) in enumerate(cells)}
    plain = _book(rows, formats)
    rows[1] = [*rows[1], ID if far else None]
    hours = _book(rows, formats | ({"D2": "[h]:mm"} if far else {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with read_with("calamine"):
            refused = _refusal(plain)
            beside_refused = _refusal(hours)
        with read_with("openpyxl"):
            got_refused = _refusal(plain)
    assert got_refused == beside_refused == refused
    if refused is not None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with read_with("calamine"):
            expected, expected_issues = _read(plain)
            beside, beside_issues = _read(hours)
        with read_with("openpyxl"):
            got, got_issues = _read(plain)
    for frame, issues in ((got, got_issues), (beside, beside_issues)):
        pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
        pd.testing.assert_frame_equal(
            issues[["row", "column", "value", "code"]],
            expected_issues[["row", "column", "value", "code"]],
        )
