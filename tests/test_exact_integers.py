"""Whole numbers an Excel number cell cannot hold exactly are written as text, in every workbook.

Excel keeps 15 significant digits of a number, a double is exact to 2**53, and the readers refuse
a number cell from 10**15 up as an id.  ``hf.write_pairs`` wrote the ids of a frame's ``Deal ID``
column (an int64 or uint64 column, Python ints in an object column) as number cells unless the
column was named ``from_id`` / ``to_id``: read back they were ``9007199254740992.0`` and
``1.2345678901234568e+17``, refused as BAD_ID (the ``.csv`` was right).  The same held for such a
number in any column of a report or retry workbook.  The workbook writer now writes a whole
number from 10**15 up as a text cell of its digits; ``write_pairs`` writes every column a read
takes ids from by its name as text.
"""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.report import export_report, export_retry
from hubframe.report.reader import load_run
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.vocab import Status

BIG = [9007199254740993, 123456789012345678, 1234567890123456, 10**15]
HEADERS = [("Deal ID", "Contact ID"), ("Record ID", "Associated Contact IDs"), ("From ID", "To ID")]


def _holding(ids: list[int], kind: str) -> pd.Series:
    """``ids`` in a column of dtype ``kind``, as an analyst's frame may hold them."""
    if kind == "object":
        return pd.Series(ids, dtype=object)
    if kind == "decimal":
        return pd.Series([Decimal(i) for i in ids], dtype=object)
    if kind == "mixed":  # ints and text in one column
        return pd.Series([i if n % 2 else str(i) for n, i in enumerate(ids)], dtype=object)
    return pd.Series(pd.array(ids, dtype=kind))


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(st.integers(10**14, 10**18 - 1), min_size=1, max_size=5, unique=True),
    kind=st.sampled_from(["int64", "uint64", "Int64", "UInt64", "object", "decimal", "mixed"]),
    headers=st.sampled_from(HEADERS),
    suffix=st.sampled_from([".xlsx", ".csv"]),
)
def test_ids_of_any_frame_read_back_exactly(
    tmp_path_factory: pytest.TempPathFactory,
    ids: list[int],
    kind: str,
    headers: tuple[str, str],
    suffix: str,
) -> None:
    frame = pd.DataFrame({headers[0]: _holding(ids, kind), headers[1]: _holding(ids[::-1], kind)})
    given_types = {} if headers[0] == "Deal ID" else {"from_type": "deals", "to_type": "contacts"}
    path = hf.write_pairs(frame, tmp_path_factory.mktemp("pairs") / f"pairs{suffix}")
    back = hf.read_pairs(path, **given_types)
    assert back["from_id"].tolist() == [str(i) for i in ids]
    assert back["to_id"].tolist() == [str(i) for i in ids[::-1]]
    assert "BAD_ID" not in set(hf.validate_pairs(back)["code"])


def test_the_id_columns_of_a_frame_are_text_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": np.array([2040000001, 9007199254740993], dtype="uint64"),
            "Associated Contact IDs": [1019360001, 5],
            "Amount": [7, 8],
        }
    )
    sheet = openpyxl.load_workbook(hf.write_pairs(frame, tmp_path / "pairs.xlsx")).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows == [("2040000001", "1019360001", 7), ("9007199254740993", "5", 8)]


def _result(amounts: pd.Series) -> pd.DataFrame:
    """A result table the analyst gave a column of whole numbers (``result["Amount"] = ...``)."""
    deals = [str(2040000001 + n) for n in range(len(amounts))]
    sheet = pd.DataFrame({"Deal ID": deals, "Contact ID": "1019360001", "Amount": ""})
    pairs = hf.read_pairs(sheet)
    outcomes = {n: Outcome(Status.FAILED) for n in range(len(pairs))}
    result = result_table(pairs, outcomes, kind="pairs")
    result["Amount"] = amounts.array
    return result


NUMBERS = [2**53 + 1, -(2**62) - 3, 10**15, 10**15 - 1, 2**63 - 1, 0]


@pytest.mark.parametrize("kind", ["int64", "object", "Int64"])
def test_report_and_retry_workbooks_keep_every_whole_number(tmp_path: Path, kind: str) -> None:
    result = _result(_holding(NUMBERS, kind))
    digits = [str(n) for n in NUMBERS]
    report = export_report(result, tmp_path / "report.xlsx")
    assert load_run(report)["Amount"].tolist() == digits
    retry = export_retry(result, tmp_path / "retry.xlsx")
    assert hf.read_pairs(retry)["Amount"].tolist() == digits


def test_numbers_excel_holds_stay_number_cells(tmp_path: Path) -> None:
    """Counts, row numbers and whole numbers below 10**15 stay numbers; past it, text (a
    negative one quote-prefixed, so that editing it keeps it text)."""
    result = _result(pd.Series(NUMBERS, dtype="int64"))
    report = export_report(result, tmp_path / "report.xlsx")
    sheet = openpyxl.load_workbook(report)["Results"]
    header = [c.value for c in sheet[1]]
    amount = [row[header.index("Amount")] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in amount] == ["s", "s", "s", "n", "s", "n"]
    assert [c.value for c in amount] == [
        str(n) if n >= 10**15 or n < -(10**15) else n for n in NUMBERS
    ]
    assert amount[1].quotePrefix
    rows = [row[header.index("row")] for row in sheet.iter_rows(min_row=2)]
    assert {c.data_type for c in rows} == {"n"}
    with zipfile.ZipFile(report) as book:  # never a number Excel would round
        xml = book.read("xl/worksheets/sheet2.xml").decode()
    assert "<v>9007199254740993</v>" not in xml
