"""The messages of a workbook read with ``sheet="*"`` name the column of the row's own sheet.

Sheets read together may name a field apart (``Deal ID`` on one, ``Deal Record ID`` on
another), or read one header as two fields (``Contact ID`` the 'from' side of one sheet and
the 'to' side of another).  Before, messages took the header from the union of the sheets'
maps: a bad id on sheet Q1 was "(column 'Deal Record ID')", a column Q1 does not have, and a
typo in People's ``Contact ID`` was blamed on its ``Company ID`` column.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for


def _book(sheets: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SPELLINGS = _book(
    {
        "Q1": [["Deal ID", "Contact ID"], ["12x45", "1019360001"], ["2040000002", "10193-6"]],
        "Q2": [
            ["Deal Record ID", "Contact Record ID"],
            ["20400O0003", "1019360003"],
            ["2040000004", ""],
        ],
    }
)
ORDERS = _book(
    {
        "People": [["Contact ID", "Company ID", "Label"], ["1019360O01", "3050000001", "Employee"]],
        "Firms": [["Company ID", "Contact ID", "Label"], ["30500000x2", "1019360002", "Employer"]],
    }
)


def _messages(data: bytes, **options: str) -> dict[tuple[str, int], str]:
    issues = hf.validate_pairs(hf.read_pairs(data, sheet="*", **options))
    return {
        (sheet, int(row)): message
        for sheet, row, message in zip(
            issues["sheet"], issues["row"], issues["message"], strict=True
        )
    }


def test_each_sheets_message_names_its_own_header() -> None:
    said = _messages(SPELLINGS, from_type="deals", to_type="contacts")
    assert "(column 'Deal ID')" in said[("Q1", 2)]
    assert "(column 'Contact ID')" in said[("Q1", 3)]
    assert "(column 'Deal Record ID')" in said[("Q2", 2)]
    assert "Record ID" not in said[("Q1", 2)] + said[("Q1", 3)]


def test_an_empty_cells_message_names_its_sheets_header() -> None:
    said = _messages(SPELLINGS, from_type="deals", to_type="contacts")[("Q2", 3)]
    assert "(column 'Contact Record ID') is empty" in said


def test_a_header_read_as_either_side_is_named_on_its_own_sheet() -> None:
    said = _messages(ORDERS)
    assert "'1019360O01' (column 'Contact ID')" in said[("People", 2)]
    assert "'30500000x2' (column 'Company ID')" in said[("Firms", 2)]


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_run_tells_the_same(dry_run: bool) -> None:
    with Sandbox(seed="demo") as sb:
        result = hf.associate(
            hf.read_pairs(ORDERS, sheet="*"), client_for(sb), dry_run=dry_run, progress=False
        )
    by_sheet = dict(zip(result["sheet"], result["error_message"], strict=True))
    assert "(column 'Contact ID')" in by_sheet["People"]
    assert "(column 'Company ID')" in by_sheet["Firms"]


def test_one_sheet_reads_as_before() -> None:
    frame = pd.DataFrame({"Deal ID": ["12x45"], "Contact ID": ["1019360001"]})
    issues = hf.validate_pairs(hf.read_pairs(frame))
    assert "(column 'Deal ID')" in issues["message"].iloc[0]
