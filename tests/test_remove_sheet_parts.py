"""A remove never takes the first part of a long table for the whole of it.

A table longer than an Excel sheet (an export, a report, a retry file) goes on in "Associations
(2)", "(3)" ...  The default read takes the first sheet of pairs and leaves the later parts
with a warning, and a remove then removed the first sheet's rows alone, reported every row
``success`` and exited 0: the associations of the later parts stayed, the run looking done.
A remove now stops before anything is read or sent, as a sync that may remove does, naming
the sheet and how to read every part (``sheet="*"`` / ``--sheet '*'``); reading every sheet
removes them all.  A later sheet that is not named as a part of the one read (another table)
is left out with a warning, as before.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut
from hubframe.report import excel as report_excel
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, workbook_bytes

DEALS = [str(7_300_000_001 + i) for i in range(5)]
CONTACTS = [str(8_300_000_001 + i) for i in range(5)]
HEADER = ["Deal ID", "Contact ID"]


def _portal() -> Sandbox:
    sb = Sandbox(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    for deal, contact in zip(DEALS, CONTACTS, strict=True):
        sb.associate("deals", deal, "contacts", contact)
    return sb


def _linked(sb: Sandbox) -> int:
    return len(sb.associations("deals", "contacts"))


def _parts(first: str, second: str) -> dict[str, list[list[str]]]:
    """Two sheets of the deals' pairs: three rows on ``first``, two on ``second``."""
    rows = [list(pair) for pair in zip(DEALS, CONTACTS, strict=True)]
    return {first: [HEADER, *rows[:3]], second: [HEADER, *rows[3:]]}


def _export(sb: Sandbox, path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The deals' export, written two rows a sheet: "Associations", "(2)", "(3)"."""
    links = hf.read_associations(client_for(sb), "deals", "contacts", ids=DEALS, progress=False)
    monkeypatch.setattr(report_excel, "SHEET_ROWS", 3)  # a header and two rows a sheet
    return hf.write_pairs(links, path)


def _hidden(sheets: dict[str, list[list[str]]], name: str) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook_bytes(sheets)))
    book[name].sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("sheet", [None, "Associations", 0])
def test_a_remove_of_a_long_export_read_in_part_stops_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dry_run: bool, sheet: object
) -> None:
    """Before: the two rows of "Associations" were removed, every row ``success``."""
    with _portal() as sb:
        path = _export(sb, tmp_path / "links.xlsx", monkeypatch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SheetsLeftOut)
            source = path if sheet is None else hf.read_pairs(path, sheet=sheet)
        sb.reset_request_log()
        with warnings.catch_warnings(), pytest.raises(InputError) as info:
            warnings.simplefilter("ignore", SheetsLeftOut)  # the read's own, of a path
            hf.remove_associations(source, client_for(sb), dry_run=dry_run, progress=False)
        message = str(info.value)
        assert "sheet 'Associations (2)' was not read" in message
        assert "goes on from sheet 'Associations'" in message and 'sheet="*"' in message
        assert sb.request_log().empty and _linked(sb) == 5
        whole = hf.read_pairs(path, sheet="*")
        result = hf.remove_associations(whole, client_for(sb), progress=False)
        assert result["status"].tolist() == ["success"] * 5 and _linked(sb) == 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("To remove", "To remove (2)"),  # a remove's or an undo's retry file
        ("Results", "Results (2)"),  # a report
        ("deals", "DEALS (2)"),  # Excel compares sheet names case-folded
        ("Deals to contacts of the North", "Deals to contacts of the No (2)"),  # 31 chars
    ],
)
def test_every_table_that_goes_on_in_a_next_sheet_stops_a_remove_read_in_part(
    first: str, second: str
) -> None:
    with _portal() as sb:
        data = workbook_bytes(_parts(first, second))
        with (
            pytest.warns(SheetsLeftOut),
            pytest.raises(InputError, match="goes on from sheet"),
        ):
            hf.remove_associations(data, client_for(sb), progress=False)
        assert sb.request_log().empty and _linked(sb) == 5


def test_a_hidden_next_part_stops_a_remove_too() -> None:
    with _portal() as sb:
        data = _hidden(_parts("Associations", "Associations (2)"), "Associations (2)")
        with pytest.raises(InputError, match="Unhide it"):
            hf.remove_associations(data, client_for(sb), progress=False)
        assert _linked(sb) == 5


def test_another_table_left_out_is_warned_of_and_the_first_removed_as_before() -> None:
    """A later sheet not named as a part of the first ("February" after "January") is
    another table: the default read takes the first, with a warning, as documented."""
    with _portal() as sb:
        data = workbook_bytes(_parts("January", "February"))
        with pytest.warns(SheetsLeftOut, match="'February'"):
            result = hf.remove_associations(data, client_for(sb), progress=False)
        assert result["status"].tolist() == ["success"] * 3 and _linked(sb) == 2


def test_the_command_line_stops_with_exit_2_and_removes_every_part_with_sheet_star(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with _portal() as sb:
        path = _export(sb, tmp_path / "links.xlsx", monkeypatch)
        hub = ["--token", sb.token, "--base-url", sb.url]
        for extra in ([], ["--dry-run"]):
            assert main(["remove", str(path), *extra, *hub]) == 2
            err = capsys.readouterr().err
            assert "sheet 'Associations (2)' was not read" in err and "--sheet '*'" in err
            assert "Traceback" not in err and sb.token not in err
        assert _linked(sb) == 5
        assert main(["remove", str(path), "--sheet", "*", *hub]) == 0
        assert _linked(sb) == 0


@pytest.mark.parametrize(
    ("name", "first", "goes_on"),
    [
        ("Associations (2)", "Associations", True),
        ("Associations (12)", "Associations", True),
        ("associations (3)", "Associations", True),
        ("Associations (1)", "Associations", False),
        ("Associations(2)", "Associations", False),
        ("Associations (2)", "Association", False),
        ("Assoc (2)", "Associations", False),  # cut, but not to Excel's 31 characters
        ("Deals to contacts of the No (2)", "Deals to contacts of the North", True),
        ("February", "January", False),
    ],
)
def test_which_sheet_names_go_on_from_another(name: str, first: str, goes_on: bool) -> None:
    from hubframe.io.sheet import goes_on_from

    assert goes_on_from(name, first) is goes_on
