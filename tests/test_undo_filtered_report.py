"""An undo of a report whose rows are hidden (filtered with the report's own filter) says so.

An analyst who filtered the Results sheet down to some rows may expect the undo to take back
those alone; it takes back every row of the report (as a sheet's hidden rows are sent, warned
``HIDDEN_ROW``).  Before, it did so without a word.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.report import export_report
from hubframe.report.reader import HiddenReportRows
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]


def _report(sb: Sandbox, path: Path) -> None:
    sheet = pd.DataFrame({"Deal ID": DEALS[30:34], "Contact ID": CONTACTS[180:184]})
    result = hf.associate(sheet, client_for(sb), record_existing=True, progress=False)
    assert result["status"].eq("success").all(), result
    export_report(result, path)


@pytest.mark.parametrize(
    ("lines", "said"), [((3, 4), "lines 3, 4: a filter"), ((2, 3, 4, 5), "lines 2, 3, 4, 5: a")]
)
def test_an_undo_of_a_filtered_report_warns_naming_the_hidden_lines(
    lines: tuple[int, ...], said: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        _report(sb, tmp_path / "report.xlsx")
        book = openpyxl.load_workbook(tmp_path / "report.xlsx")
        for line in lines:
            book["Results"].row_dimensions[line].hidden = True
        book.save(tmp_path / "filtered.xlsx")
        with pytest.warns(HiddenReportRows, match=f"sheet 'Results' {said}"):
            undone = hf.undo(tmp_path / "filtered.xlsx", client_for(sb), progress=False)
        assert undone["status"].eq("success").all(), undone  # every row, as warned


def test_an_undo_of_a_report_as_written_says_nothing_of_hidden_rows(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        _report(sb, tmp_path / "report.xlsx")
        with warnings.catch_warnings():
            warnings.simplefilter("error", HiddenReportRows)
            hf.undo(tmp_path / "report.xlsx", client_for(sb), dry_run=True, progress=False)
