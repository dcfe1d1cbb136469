"""Types inferred on several sheets read together are each said, sheet by sheet.

Before: a read of every visible sheet kept only the last sheet's inferred type per side, so a
workbook whose 'Deals' sheet was read as deals from its headers and whose 'Tickets' sheet as
tickets said only "from type tickets": the report's Summary named tickets as the type of every
row, and the deals guess was never said anywhere (the app has no type picker per sheet).
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io import read_notes
from hubframe.io.columns import TypeGuess
from hubframe.report.summary import _inferred_types
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, workbook_bytes
from hubframe.widgets import HubframeApp

DEALS_SHEET = [
    ["Record ID", "Deal Name", "Deal Stage", "Associated Contact IDs"],
    ["1", "a", "s", "2"],
]
TICKETS_SHEET = [
    ["Record ID", "Ticket name", "Ticket status", "Associated Contact IDs"],
    ["3", "b", "open", "4"],
]
EXPLICIT_SHEET = [["Deal ID", "Contact ID"], ["5", "6"]]


def _read(sheets: dict[str, list[list[str]]], sheet: str | None = "*") -> pd.DataFrame:
    return hf.read_pairs(io.BytesIO(workbook_bytes(sheets)), sheet=sheet)


def _settings(frame: pd.DataFrame) -> dict[str, str]:
    return {k: str(v) for k, v in _inferred_types(frame.attrs["hubframe"]).items()}


def test_two_sheets_inferring_two_types_both_are_said() -> None:
    frame = _read({"Deals": DEALS_SHEET, "Tickets": TICKETS_SHEET})
    assert frame["from_type"].tolist() == ["deals", "tickets"]
    notes = read_notes(frame)
    assert notes.guessed_types == {}  # no one type was inferred for the side
    assert notes.guessed_by_sheet == {
        "Deals": {"from": TypeGuess("deals", "headers", "Deal Name, Deal Stage")},
        "Tickets": {"from": TypeGuess("tickets", "headers", "Ticket name, Ticket status")},
    }
    said = [text for level, text in notes.messages() if level == "warning"]
    assert len(said) == 2
    assert "sheet 'Deals': from type deals, from the headers (Deal Name, Deal Stage)" in said[0]
    assert "sheet 'Tickets': from type tickets" in said[1]
    summary = _settings(frame)["from type"]
    assert "deals, inferred from the headers Deal Name, Deal Stage (sheet Deals)" in summary
    assert (
        "tickets, inferred from the headers Ticket name, Ticket status (sheet Tickets)" in summary
    )


def test_sheets_agreeing_keep_the_side_and_each_sheet_is_named() -> None:
    other = [row[:] for row in DEALS_SHEET]
    other[1][0] = "7"
    frame = _read({"North": DEALS_SHEET, "South": other})
    notes = read_notes(frame)
    assert notes.guessed_types == {"from": TypeGuess("deals", "headers", "Deal Name, Deal Stage")}
    assert list(notes.guessed_by_sheet) == ["North", "South"]
    assert "(sheet North); deals" in _settings(frame)["from type"]


def test_a_guess_on_one_sheet_beside_a_typed_sheet_names_its_sheet() -> None:
    """Before: "from type tickets, from the headers" with nothing to say the Deals rows were
    typed by their header and only the other sheet's were a guess."""
    frame = _read({"Typed": EXPLICIT_SHEET, "Tickets": TICKETS_SHEET})
    assert frame["from_type"].tolist() == ["deals", "tickets"]
    said = [text for level, text in read_notes(frame).messages() if level == "warning"]
    assert len(said) == 1 and "sheet 'Tickets': from type tickets" in said[0]
    assert _settings(frame)["from type"].endswith("(sheet Tickets)")


@pytest.mark.filterwarnings("ignore:.*was not read")
@pytest.mark.parametrize("sheet", [None, "Tickets"])
def test_one_sheet_read_says_its_guess_as_before(sheet: str | None) -> None:
    frame = _read({"Tickets": TICKETS_SHEET, "Deals": DEALS_SHEET}, sheet=sheet)
    notes = read_notes(frame)
    assert notes.guessed_by_sheet == {}
    assert [lvl for lvl, text in notes.messages() if "from type" in text] == ["info"]
    assert _settings(frame)["from type"].startswith("tickets, inferred from the headers")


def test_the_report_of_a_run_of_several_sheets_says_each_guess(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    frame = _read({"Deals": DEALS_SHEET, "Tickets": TICKETS_SHEET})
    with Sandbox(seed="demo") as sb:
        result = hf.associate(frame, client_for(sb), dry_run=True, progress=False)
    path = hf.export_report(result, tmp_path / "plan.xlsx")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python()
    said = {str(r[0]): str(r[1]) for r in rows if len(r) >= 2}
    assert "(sheet Deals)" in said["from type"] and "(sheet Tickets)" in said["from type"]


def test_the_app_warns_of_each_sheets_guess_when_every_sheet_is_read(app: HubframeApp) -> None:
    """No type picker can show a guess per sheet: the validation panel says each."""
    data = workbook_bytes({"Deals": DEALS_SHEET, "Tickets": TICKETS_SHEET})
    item = {"name": "book.xlsx", "type": "", "size": len(data), "content": memoryview(data)}
    app.upload.value = ({**item, "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)
    assert app.wait(60)
    app.sheet.value = "*"
    assert app.wait(60)
    app.validate_button.click()
    assert app.wait(60)
    assert app.frame is not None
    shown = html.unescape(re.sub(r"<[^>]+>", "", app.validation.value))
    assert "sheet 'Deals': from type deals" in shown
    assert "sheet 'Tickets': from type tickets" in shown


EXPORT_ROWS = [
    ["Record ID", "Deal Name", "Associated Contact IDs"],
    ["2040000001", "x", "1019360001"],
]


@pytest.mark.parametrize("sheet", ["Companies", "All companies", "Tickets 2024", "companies (2)"])
def test_a_sheet_named_for_another_object_takes_no_type_from_the_file_name(
    tmp_path: Path, sheet: str
) -> None:
    """``deals.xlsx`` whose sheet is named "Companies": the file name's deals was taken and the
    sheet's records sent as deals, with a note the sheet's name contradicted.  No type is
    taken, and the refusal says why."""
    path = tmp_path / "deals.xlsx"
    path.write_bytes(workbook_bytes({sheet: EXPORT_ROWS}))
    with pytest.raises(hf.InputError, match=f"the sheet's name '{re.escape(sheet)}' says"):
        hf.read_pairs(path)
    pairs = hf.read_pairs(path, from_type="companies")  # said: read as told
    assert pairs["from_type"].tolist() == ["companies"]


@pytest.mark.parametrize(
    "sheet",
    [
        "Deals",
        "All deals",
        "Sheet1",
        "Export",
        "Deals & contacts",
        "Email campaign Q3",
        "Call list",
    ],
)
def test_a_sheet_named_for_its_own_object_or_none_keeps_the_file_names_type(
    tmp_path: Path, sheet: str
) -> None:
    path = tmp_path / "deals.xlsx"
    path.write_bytes(workbook_bytes({sheet: EXPORT_ROWS}))
    assert hf.read_pairs(path)["from_type"].tolist() == ["deals"]
