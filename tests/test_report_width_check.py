"""The check that an .xlsx report or retry file fits an Excel sheet counts the columns they have.

Before: the check counted the read frame's columns (the sheet's and the 9 read from them) and
added every column a run adds, so it counted 9 too many and named that count as the sheet's: a
16,360-column sheet, whose report Python writes with 16,378 columns, was refused "the sheet has
16,369 columns"; a retry file (the sheet's own columns) was refused by the same count.
"""

from __future__ import annotations

import io

import pytest

import hubframe as hf
from hubframe.report import excel
from hubframe.report.columns import report_columns, result_width, workbook_too_wide
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids


def _frame(columns: int):  # type: ignore[no-untyped-def]
    extra = [f"Note {i}" for i in range(columns - 2)]
    header = ",".join(["Deal ID", "Contact ID", *extra])
    row = ",".join([str(demo_ids("deals")[0]), str(demo_ids("contacts")[0]), *(["x"] * len(extra))])
    return hf.read_pairs(io.BytesIO(f"{header}\n{row}\n".encode()))


@pytest.mark.parametrize("columns", [40, 3_000])
def test_the_width_counted_is_the_reports_at_most(sandbox: Sandbox, columns: int) -> None:
    frame = _frame(columns)
    result = hf.associate(frame, client_for(sandbox), progress=False)
    written = len(report_columns(result))
    assert written <= result_width(frame) <= written + 12  # a run may add a few more


def test_a_sheet_whose_report_fits_is_not_refused() -> None:
    frame = _frame(16_360)
    assert workbook_too_wide(frame) is None
    assert workbook_too_wide(frame, retry=True) is None


def test_a_sheet_too_wide_for_a_report_names_its_own_count() -> None:
    frame = _frame(16_380)
    said = workbook_too_wide(frame)
    assert said is not None and "The sheet has 16,380 columns" in said, said
    assert workbook_too_wide(frame, retry=True) is None  # its retry file fits
    assert workbook_too_wide(_frame(excel.SHEET_COLUMNS), retry=True) is not None


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_limits_reports_width_is_counted_too(sandbox: Sandbox, dry_run: bool) -> None:
    sheet = "From,To,Label,Max,Note\ndeals,contacts,,25,x\n"
    frame = hf.read_limits(io.BytesIO(sheet.encode()))
    result = hf.configure_limits(frame, client_for(sandbox), dry_run=dry_run, progress=False)
    written = len(report_columns(result))
    assert written <= result_width(frame) <= written + 12
