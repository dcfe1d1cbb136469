"""Tables longer than an Excel sheet holds go on in further sheets, and are read back whole.

Excel loads 1,048,576 rows of a sheet (the header row included) and stops: a report or retry
file of a 2,000,000-row run written as one sheet showed the first million rows only, and a
file saved again from Excel had lost the others.  A longer table now goes on in sheets titled
"Results (2)", "Results (3)" ...; undo reads every part of a report's results, and a retry
file's parts read back with ``sheet="*"``.  The tests lower the limit to a few rows
(``SHEET_ROWS``); the full-size write is measured apart (it takes minutes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import hubframe as hf
from hubframe.io import read_notes
from hubframe.report import excel as report_excel
from hubframe.report.excel import continued_title
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(7_100_000_001 + i) for i in range(13)]
CONTACTS = [str(8_100_000_001 + i) for i in range(13)]
ROWS_PER_SHEET = 5  # SHEET_ROWS 6: a header row and five rows


@pytest.fixture
def short_sheets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_excel, "SHEET_ROWS", ROWS_PER_SHEET + 1)


def _portal(sb: Sandbox) -> None:
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS[:-2])  # the last two contacts do not exist: failed


def _run(sb: Sandbox) -> pd.DataFrame:
    frame = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Notes": list("abcdefghijklm")})
    pairs = hf.read_pairs(frame)
    return hf.associate(pairs, client_for(sb), progress=False, record_existing=True)


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_a_long_result_table_goes_on_in_further_sheets(
    sandbox_factory: object, short_sheets: None, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    _portal(sb)
    result = _run(sb)
    path = hf.export_report(result, tmp_path / "report.xlsx")
    sheets = _sheets(path)
    parts = [t for t in sheets if t.startswith("Results")]
    assert parts == ["Results", "Results (2)", "Results (3)"]
    assert [len(sheets[t]) - 1 for t in parts] == [5, 5, 3]
    assert all(sheets[t][0] == sheets["Results"][0] for t in parts)  # each has the header
    header = sheets["Results"][0]
    ids = [row[header.index("to_id")] for t in parts for row in sheets[t][1:]]
    assert [str(v) for v in ids] == CONTACTS  # every row, once, in order


def test_undo_from_a_report_in_several_sheets_takes_back_every_row(
    sandbox_factory: object, short_sheets: None, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    _portal(sb)
    result = _run(sb)
    assert result["status"].tolist().count("success") == 11
    path = hf.export_report(result, tmp_path / "report.xlsx")
    done = hf.undo(path, client_for(sb), progress=False)
    assert done["status"].tolist().count("success") == 11
    assert sb.associations("deals", "contacts").empty


def test_a_long_retry_file_reads_back_whole(
    sandbox_factory: object, short_sheets: None, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    sb.add_records("deals", DEALS)  # no contacts: every row failed
    result = _run(sb)
    path = hf.export_retry(result, tmp_path / "retry.xlsx")
    assert list(_sheets(path)) == ["Retry", "Retry (2)", "Retry (3)"]
    back = hf.read_pairs(path, sheet="*")
    assert back["to_id"].tolist() == CONTACTS and back["Notes"].tolist() == list("abcdefghijklm")
    whole = hf.read_pairs(path)  # a retry file hubframe marked: the default reads it whole
    assert whole["to_id"].tolist() == CONTACTS and not read_notes(whole).skipped
    first = hf.read_pairs(path, sheet="Retry")  # a sheet named: that one, the others named
    assert len(first) == ROWS_PER_SHEET
    skipped = [s.name for s in read_notes(first).skipped]
    assert skipped == ["Retry (2)", "Retry (3)"]


def test_continued_titles_fit_excel_and_stay_distinct() -> None:
    long = "Deals and their contacts, 2026Q4"  # 32 characters
    titles = [continued_title(long, n) for n in (1, 2, 10, 100)]
    assert titles[0] == long
    assert all(len(t) <= 31 for t in titles[1:]) and len(set(titles)) == 4
    assert titles[1].endswith(" (2)") and titles[3].endswith(" (100)")


def test_a_bad_cell_past_the_first_sheet_is_named_by_its_sheet_and_line(
    sandbox_factory: object, short_sheets: None, tmp_path: Path
) -> None:
    """A message about a report row names the sheet and the line the analyst opens: line 3 of
    "Results (2)", not the row's place in the joined table (line 8, which is another row)."""
    import openpyxl

    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    _portal(sb)
    path = hf.export_report(_run(sb), tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book[continued_title("Results", 2)]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("from_id") + 1, value="3.00E+09")
    book.save(path)
    with pytest.raises(hf.InputError, match=r"report\.xlsx: sheet 'Results \(2\)' line 3: from_id"):
        hf.undo(path, client_for(sb), progress=False)


def test_report_lines_count_from_each_sheet() -> None:
    from hubframe.report.reader import report_lines

    one = report_lines("r.csv")
    assert [one(0), one(9)] == ["r.csv: line 2", "r.csv: line 11"]
    parts = report_lines("r.xlsx", [("Results", 5), ("Results (2)", 5), ("Results (3)", 3)])
    assert [parts(p) for p in (0, 4, 5, 9, 10, 12)] == [
        "r.xlsx: sheet 'Results' line 2",
        "r.xlsx: sheet 'Results' line 6",
        "r.xlsx: sheet 'Results (2)' line 2",
        "r.xlsx: sheet 'Results (2)' line 6",
        "r.xlsx: sheet 'Results (3)' line 2",
        "r.xlsx: sheet 'Results (3)' line 4",
    ]
