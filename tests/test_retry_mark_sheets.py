"""A retry workbook's mark names the sheets hubframe wrote; the default read takes those alone.

Since aa3a569 a workbook carrying hubframe's retry mark was read whole by default, every sheet
of it taken for rows to retry.  An analyst who added a tab to the retry file (a ``Done`` tab of
the pairs that already went through, a ``Contacts`` lookup of emails) had the done pairs
silently sent again, or the whole read refused over the lookup's emails, where before the tab
was left out with a warning.  The writer now names its sheets as titled (custom property
``hubframe sheets``), and the default read takes those: an added tab holding rows is warned of
(``SheetsLeftOut``), never read as rows to retry.  A named sheet gone (the analyst renamed
'January' to 'Jan') reads every sheet, with a warning, so that no row is lost; a workbook
marked before the list is read whole, as it was.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.packaging.custom import StringProperty

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import HubframeWarning
from hubframe.io import SheetsLeftOut, read_notes
from hubframe.report import excel as report_excel
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
MISSING = [str(1019369900 + n) for n in range(70, 90)]  # contacts the portal does not hold
Pair = tuple[str, str, str]  # (sheet, deal id, contact id)

#: Per sheet: a pair that links and one whose contact is missing (its row to retry).
TWO_SHEETS = {
    "January": [(DEALS[40], CONTACTS[40]), (DEALS[41], MISSING[0])],
    "February": [(DEALS[42], CONTACTS[42]), (DEALS[43], MISSING[1])],
}
#: The pairs an analyst lists on an added tab: done already.
DONE = [["Deal ID", "Contact ID", "status"], [DEALS[40], CONTACTS[40], "ok"]]
DONE += [[DEALS[42], CONTACTS[42], "ok"]]
#: Lookup tabs an analyst adds: read with the retry, they named the to records otherwise.
CONTACTS_TAB = [["Contact ID", "Email", "Name"], [CONTACTS[41], "ada@example.com", "Ada"]]
COMPANIES_TAB = [["Deal ID", "Company domain"], [DEALS[41], "example.com"]]


def _book(path: Path, sheets: dict[str, list[tuple[str, str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, pairs in sheets.items():
        sheet = book.create_sheet(name)
        for row in [("Deal ID", "Contact ID"), *pairs]:
            sheet.append(list(row))
    book.save(path)
    return path


def _retry_file(sandbox: Sandbox, tmp_path: Path) -> Path:
    """A retry file of sheets January and February, as a run of every sheet writes it."""
    book = _book(tmp_path / "links.xlsx", TWO_SHEETS)
    result = hf.associate(hf.read_pairs(book, sheet="*"), client_for(sandbox), progress=False)
    return hf.export_retry(result, tmp_path / "retry.xlsx")


def _with_tab(path: Path, name: str, rows: list[list[str]]) -> Path:
    """The analyst adds a tab to the retry file and saves it (the mark is kept)."""
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet(name)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _renamed(path: Path, old: str, new: str) -> Path:
    book = openpyxl.load_workbook(path)
    book[old].title = new
    book.save(path)
    return path


def _listed(path: Path) -> tuple[str, ...] | None:
    """The sheets the retry mark of ``path`` names (imported here: the test module loads on
    a hubframe before the list, whose tests then fail one by one)."""
    from hubframe.io.retrymark import retry_mark

    mark = retry_mark(path.read_bytes())
    assert mark is not None
    return mark.sheets


def _pairs(frame: pd.DataFrame) -> set[Pair]:
    cells = frame[["sheet", "from_id", "to_id"]].astype(str).to_numpy()
    return {(str(s), str(f), str(t)) for s, f, t in cells}


RETRIED = {("January", DEALS[41], MISSING[0]), ("February", DEALS[43], MISSING[1])}


def _read(path: Path) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        frame = hf.read_pairs(path)
    return frame, list(said)


def _left_out_said(said: list[warnings.WarningMessage]) -> str:
    return " ".join(str(w.message) for w in said if issubclass(w.category, SheetsLeftOut))


# --- the writer names the sheets it wrote ----------------------------------------------------


def test_the_mark_names_the_sheets_as_written(sandbox: Sandbox, tmp_path: Path) -> None:
    retry = _retry_file(sandbox, tmp_path)
    assert _listed(retry) == ("January", "February")
    props = {p.name: p.value for p in openpyxl.load_workbook(retry).custom_doc_props}
    assert props["hubframe"] == "retry file"  # the mark older code reads, unchanged


def test_the_mark_names_continuation_sheets(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_excel, "SHEET_ROWS", 3)  # a header and two rows a sheet
    pairs = [(DEALS[50 + n], MISSING[10 + n]) for n in range(5)]
    frame = pd.DataFrame(pairs, columns=["Deal ID", "Contact ID"])
    result = hf.associate(frame, client_for(sandbox), progress=False)
    retry = hf.export_retry(result, tmp_path / "retry.xlsx")
    names = openpyxl.load_workbook(retry).sheetnames
    assert names == ["Retry", "Retry (2)", "Retry (3)"]
    assert _listed(_with_tab(retry, "Done", DONE)) == tuple(names)
    read, said = _read(retry)
    assert {str(t) for t in read["to_id"]} == {t for _, t in pairs}
    assert "'Done'" in _left_out_said(said)


def test_the_mark_names_per_direction_sheets_as_titled(sandbox: Sandbox, tmp_path: Path) -> None:
    """Results put together of two directions: a sheet per direction, titled by the writer."""
    client = client_for(sandbox)
    first = hf.associate(
        pd.DataFrame({"Deal ID": [DEALS[60], "777777"], "Contact ID": CONTACTS[100:102]}),
        client,
        progress=False,
    )
    second = hf.associate(
        pd.DataFrame({"Contact ID": [CONTACTS[102], "888888"], "Deal ID": DEALS[61:63]}),
        client,
        progress=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        retry = hf.export_retry(pd.concat([first, second]), tmp_path / "retry.xlsx")
    names = openpyxl.load_workbook(retry).sheetnames
    assert len(names) == 2 and all(len(n) <= 31 for n in names)
    assert _listed(_with_tab(retry, "Done", DONE)) == tuple(names)
    read, said = _read(retry)
    assert set(zip(read["from_type"], read["to_type"], strict=True)) == {
        ("deals", "contacts"),
        ("contacts", "deals"),
    }
    assert "'Done'" in _left_out_said(said)


def test_a_long_list_is_written_in_parts_excel_keeps(tmp_path: Path) -> None:
    from hubframe.io.retrymark import PART_CHARS, SHEETS_NAME, sheet_list_parts

    names = [f"Sheet number {n:04d} of many" for n in range(40)]
    parts = sheet_list_parts(names)
    assert len(parts) > 1 and all(len(value) <= PART_CHARS for _, value in parts)
    assert [name for name, _ in parts][:2] == [SHEETS_NAME, f"{SHEETS_NAME} (2)"]
    book = openpyxl.Workbook()
    for name, value in parts:
        book.custom_doc_props.append(StringProperty(name=name, value=value))
    book.custom_doc_props.append(StringProperty(name="hubframe", value="retry file"))
    book.save(path := tmp_path / "retry.xlsx")
    assert _listed(path) == tuple(names)


# --- the reader: an added tab is left to the usual rules --------------------------------------


def test_an_added_done_tab_is_not_read_as_rows_to_retry(sandbox: Sandbox, tmp_path: Path) -> None:
    retry = _with_tab(_retry_file(sandbox, tmp_path), "Done", DONE)
    read, said = _read(retry)
    assert _pairs(read) == RETRIED
    assert "sheet 'Done' was not read" in _left_out_said(said)
    assert "hubframe wrote" in _left_out_said(said)
    notes = read_notes(read)
    assert notes.sheets == ["January", "February"]


@pytest.mark.parametrize(
    ("name", "rows"), [("Contacts", CONTACTS_TAB), ("Companies", COMPANIES_TAB)]
)
def test_an_added_lookup_tab_does_not_stop_the_read(
    sandbox: Sandbox, tmp_path: Path, name: str, rows: list[list[str]]
) -> None:
    """Read with the retry, the tab named the to records by email / by domain: refused."""
    retry = _with_tab(_retry_file(sandbox, tmp_path), name, rows)
    read, _ = _read(retry)
    assert _pairs(read) == RETRIED


def test_an_added_tab_first_in_the_workbook_is_not_read(sandbox: Sandbox, tmp_path: Path) -> None:
    retry = _retry_file(sandbox, tmp_path)
    book = openpyxl.load_workbook(retry)
    sheet = book.create_sheet("Original", 0)
    for row in DONE:
        sheet.append(row)
    book.save(retry)
    read, said = _read(retry)
    assert _pairs(read) == RETRIED
    assert "'Original'" in _left_out_said(said)


def test_a_sheet_named_is_read_even_if_added(sandbox: Sandbox, tmp_path: Path) -> None:
    retry = _with_tab(_retry_file(sandbox, tmp_path), "Done", DONE)
    assert set(hf.read_pairs(retry, sheet="Done")["sheet"]) == {"Done"}
    assert set(hf.read_pairs(retry, sheet="*")["sheet"]) == {"January", "February", "Done"}


def test_a_renamed_retry_sheet_reads_every_sheet_and_says_so(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    retry = _renamed(_retry_file(sandbox, tmp_path), "January", "Jan")
    read, said = _read(retry)
    assert _pairs(read) == {("Jan", DEALS[41], MISSING[0]), ("February", DEALS[43], MISSING[1])}
    gone = [str(w.message) for w in said if issubclass(w.category, HubframeWarning)]
    assert any("'January' is gone" in text for text in gone), gone
    assert "'January' is gone" in str(read_notes(read).sheet_choice)


def test_a_marked_workbook_of_no_list_is_read_whole(tmp_path: Path) -> None:
    """A retry file an earlier hubframe wrote (the mark alone): every sheet, as before."""
    book = openpyxl.Workbook()
    book.active.title = "January"
    book.active.append(["Deal ID", "Contact ID"])
    book.active.append([DEALS[1], CONTACTS[1]])
    other = book.create_sheet("February")
    other.append(["Deal ID", "Contact ID"])
    other.append([DEALS[2], CONTACTS[2]])
    book.custom_doc_props.append(StringProperty(name="hubframe", value="retry file"))
    book.save(path := tmp_path / "retry.xlsx")
    read, said = _read(path)
    assert set(read["sheet"]) == {"January", "February"} and not _left_out_said(said)


def test_a_multi_sheet_retry_file_is_still_read_whole(sandbox: Sandbox, tmp_path: Path) -> None:
    read, said = _read(_retry_file(sandbox, tmp_path))
    assert _pairs(read) == RETRIED and not _left_out_said(said)


# --- the command line -------------------------------------------------------------------------


def test_the_cli_retry_sends_no_pair_of_an_added_tab(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    retry = _with_tab(_retry_file(sandbox, tmp_path), "Done", DONE)
    capsys.readouterr()
    run = ["associate", str(retry), "--report", str(tmp_path / "r.xlsx"), "--dry-run"]
    main([*run, "--token", sandbox.token, "--base-url", sandbox.url])
    said = capsys.readouterr()
    assert "read sheets 'January', 'February'" in said.out, said.out
    assert "sheet 'Done' skipped: not one of the sheets hubframe wrote" in said.err


def test_the_app_reads_the_retrys_sheets_not_a_tab_added(
    app: object, sandbox: Sandbox, tmp_path: Path
) -> None:
    """The app's picker starts a retry workbook on its retry's sheets: a Done tab the analyst
    added is not read as rows to retry there either (it read "*": every sheet)."""
    from app_driver import click, upload

    from hubframe.widgets import HubframeApp

    assert isinstance(app, HubframeApp)
    retry = _with_tab(_retry_file(sandbox, tmp_path), "Done", DONE)
    click(app, app.connect_button)
    upload(app, retry.name, retry.read_bytes())
    click(app, app.dry_run_button)
    assert app.frame is not None
    assert set(app.frame["sheet"]) == {"January", "February"}, set(app.frame["sheet"])
