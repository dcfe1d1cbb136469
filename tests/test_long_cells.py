"""A report cell longer than an Excel cell holds is cut with a note, never written whole.

An analyst's column of a CSV (a notes field, a list of ids) or a long HubSpot message went
into the ``.xlsx`` report as it was: a cell of 50,000 characters, past the 32,767 an Excel
cell holds (counted in UTF-16 units), makes a workbook Excel calls damaged.  Such a cell is
now cut to fit and ends with a note of its length; the CSV report keeps it whole.  A cut list
of ids in a retry workbook is refused when read back (the reader's check of a cell cut at
Excel's limit), never sent cut.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.report.excel import EXCEL_CELL_CHARS, fit_cell
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = str(demo_ids("deals")[50]), str(demo_ids("contacts")[150])


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@settings(max_examples=200, deadline=None)
@given(
    head=st.text(max_size=40),
    fill=st.sampled_from(["x", "é", "😀", "\u4e2d"]),
    count=st.integers(0, 40_000),
)
def test_fit_cell_fits_and_keeps_what_fits(head: str, fill: str, count: int) -> None:
    text = head + fill * count
    fitted = fit_cell(text)
    assert _units(fitted) <= EXCEL_CELL_CHARS
    if _units(text) <= EXCEL_CELL_CHARS:
        assert fitted == text
    else:
        kept, _, note = fitted.partition(" [... cut here: ")
        assert text.startswith(kept) and f"{len(text):,} characters" in note
        assert _units(fitted) >= EXCEL_CELL_CHARS - 1  # at most half a surrogate pair lost


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    sheet = pd.DataFrame(
        {"Deal ID": [DEAL] * 3, "Contact ID": [CONTACT] * 3, "Association label": ["", "", ""]}
    )
    sheet["Note"] = ["x" * 40_000, "😀" * 20_000, "y" * EXCEL_CELL_CHARS]
    with Sandbox(seed="demo") as sb:
        out = hf.associate(sheet, client_for(sb), progress=False)
    out.loc[0, "error_message"] = "=HYPERLINK(1)" + "z" * 50_000
    return out


def test_the_report_workbook_holds_no_cell_excel_refuses(
    result: pd.DataFrame, tmp_path: Path
) -> None:
    path = hf.export_report(result, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    longest: dict[str, int] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert _units(value) <= EXCEL_CELL_CHARS, (ws.title, len(value))
                    longest[value[:1]] = max(longest.get(value[:1], 0), _units(value))
    wb.close()
    results = pd.read_excel(path, sheet_name="Results", dtype=object, engine="calamine")
    notes = results["Note"].tolist()
    assert notes[0].startswith("x" * 30_000) and "the text has 40,000 characters" in notes[0]
    assert notes[1].startswith("😀" * 16_000) and "the text has 20,000 characters" in notes[1]
    assert notes[2] == "y" * EXCEL_CELL_CHARS  # a cell that fits exactly is whole
    assert results["error_message"][0].startswith("=HYPERLINK(1)zzz")
    csv = hf.export_report(result, tmp_path / "report.csv")
    whole = pd.read_csv(csv, dtype=str)
    assert whole["Note"].tolist()[:1] == ["x" * 40_000]


def test_a_list_of_ids_too_long_for_a_retry_workbook_cell_reads_back_whole(
    tmp_path: Path,
) -> None:
    """5,000 contact ids in one cell of a CSV, refused (an unknown label): the retry workbook
    cut the cell, and reading it back stopped naming the cell.  Now the list goes on over
    rows, each a copy of the row, and both retry files read back every id, in order."""
    ids = [str(7_000_000_000 + n) for n in range(5_000)]
    sheet = pd.DataFrame(
        {"Deal ID": [DEAL], "Contact ID": [";".join(ids)], "Association label": ["No such"]}
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(sheet), client_for(sb), progress=False)
    assert len(result) == 5_000 and set(result["status"]) == {"invalid"}
    workbook = hf.read_pairs(hf.export_retry(result, tmp_path / "retry.xlsx"))
    assert workbook["to_id"].tolist() == ids
    assert set(workbook["label"]) == {"No such"} and workbook["row"].nunique() > 1
    back = hf.read_pairs(hf.export_retry(result, tmp_path / "retry.csv"))
    assert back["to_id"].tolist() == ids
