"""A retry workbook hubframe marked is read whole by default: every sheet of it is the retry.

A run of ``--sheet '*'`` over a workbook of sheets January and February wrote a retry file of
sheets January and February (and a sheet per direction of rows read in several).  Run as the
command line's own words suggest (``hubframe associate retry.xlsx``), it read January alone,
exited 0 and said "retry file: not written, no rows to retry": February's failed rows were
never sent, and were missing from the next retry file, told only by a warning.  The workbook
carries hubframe's mark (a custom document property), so hubframe knows every sheet of it is
rows to retry: ``read_pairs`` / ``read_limits``, every job given its path or bytes, the command
line and the app read every sheet of it, each row keeping its sheet's name, unless a sheet is
named.  And "no rows to retry" is never said while sheets holding rows were not read.
"""

from __future__ import annotations

import io
import random
import warnings
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.cli import main
from hubframe.io import SheetsLeftOut, read_notes
from hubframe.report import retry_rows
from hubframe.report.reader import load_run
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
#: Contact ids the demo portal does not hold (until a test makes them).
MISSING = [str(1019369900 + n) for n in range(60)]
Pair = tuple[str, str, str]  # (sheet, deal id, contact id)


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _pairs_sheets(rows: dict[str, list[tuple[str, str]]]) -> dict[str, list[list[object]]]:
    return {name: [["Deal ID", "Contact ID"], *map(list, pairs)] for name, pairs in rows.items()}


def _cli(sb: Sandbox, *args: str) -> int:
    return main([*args, "--token", sb.token, "--base-url", sb.url])


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return {(str(f), str(t)) for f, t in frame[["from_id", "to_id"]].to_numpy()}


def _read_all(path: Path | bytes, **kwargs: object) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SheetsLeftOut)  # a sheet left out fails the test
        return hf.read_pairs(path, **kwargs)  # type: ignore[arg-type]


def _pairs(frame: pd.DataFrame) -> set[Pair]:
    cells = frame[["sheet", "from_id", "to_id"]].astype(str).to_numpy()
    return {(str(s), str(f), str(t)) for s, f, t in cells}


def _todo(result: pd.DataFrame) -> set[Pair]:
    return _pairs(result.loc[retry_rows(result)])


# --- the command line: the round trip -----------------------------------------------------------

#: Per sheet: a pair that links, a pair whose contact is made before the retry, one never made.
ROUND_TRIP = {
    "January": [(DEALS[30], CONTACTS[30]), (DEALS[31], MISSING[0]), (DEALS[32], MISSING[1])],
    "February": [(DEALS[33], CONTACTS[33]), (DEALS[34], MISSING[2]), (DEALS[35], MISSING[3])],
}
FIXED = [MISSING[0], MISSING[2]]


def test_the_cli_retry_of_a_run_of_every_sheet_sends_every_failed_row(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _book(tmp_path / "links.xlsx", _pairs_sheets(ROUND_TRIP))
    retry, retry2 = tmp_path / "retry.xlsx", tmp_path / "retry2.xlsx"
    first = ["associate", str(book), "--sheet", "*", "--report", str(tmp_path / "r1.xlsx")]
    assert _cli(sandbox, *first, "--retry-file", str(retry)) == 1
    assert openpyxl.load_workbook(retry).sheetnames == ["January", "February"]
    capsys.readouterr()
    sandbox.add_records("contacts", FIXED)  # the analyst had them made
    again = ["associate", str(retry), "--report", str(tmp_path / "r2.xlsx")]
    assert _cli(sandbox, *again, "--retry-file", str(retry2)) == 1  # two rows still fail
    said = capsys.readouterr()
    assert "read sheets 'January', 'February'" in said.out, said.out
    assert "no rows to retry" not in said.out and "not read" not in said.err
    linked = _linked(sandbox)
    assert (DEALS[31], MISSING[0]) in linked and (DEALS[34], MISSING[2]) in linked
    report = load_run(tmp_path / "r2.xlsx")
    assert len(report) == 4  # every failed row of both sheets was run
    still = {("January", DEALS[32], MISSING[1]), ("February", DEALS[35], MISSING[3])}
    assert _pairs(_read_all(retry2)) == still
    assert _todo(report) == still


def test_a_sheet_named_is_still_read_alone(sandbox: Sandbox, tmp_path: Path) -> None:
    book = _book(tmp_path / "links.xlsx", _pairs_sheets(ROUND_TRIP))
    retry = tmp_path / "retry.xlsx"
    result = hf.associate(hf.read_pairs(book, sheet="*"), client_for(sandbox), progress=False)
    hf.export_retry(result, retry)
    assert set(hf.read_pairs(retry, sheet="February")["sheet"]) == {"February"}
    assert main(["validate", str(retry), "--sheet", "January"]) in (0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SheetsLeftOut)
        assert set(hf.read_pairs(retry, sheet=0)["sheet"]) == {"January"}


@pytest.mark.parametrize("earlier_retry_file", [False, True])
def test_no_rows_to_retry_is_not_said_while_sheets_holding_rows_were_not_read(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], earlier_retry_file: bool
) -> None:
    """An analyst's workbook (no mark) read by default: its first sheet links, its second is
    left out.  The retry file line said "no rows to retry" of rows that were never sent."""
    sheets = {"January": [(DEALS[40], CONTACTS[40])], "February": [(DEALS[41], MISSING[5])]}
    book = _book(tmp_path / "links.xlsx", _pairs_sheets(sheets))
    retry = tmp_path / "retry.xlsx"
    if earlier_retry_file:  # an earlier run's retry file at the path: emptied
        failed = hf.associate(
            hf.read_pairs(book, sheet="*"), client_for(sandbox), dry_run=True, progress=False
        )
        failed["status"] = "failed"
        hf.export_retry(failed, retry)
    capsys.readouterr()
    _cli(sandbox, "associate", str(book), "--retry-file", str(retry))
    out = capsys.readouterr().out
    assert "no rows to retry" not in out, out
    assert "sheet 'February' was not read and holds rows" in out, out


# --- the Python API -----------------------------------------------------------------------------


def test_the_python_api_reads_and_runs_a_retry_workbook_whole(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    book = _book(tmp_path / "links.xlsx", _pairs_sheets(ROUND_TRIP))
    client = client_for(sandbox)
    result = hf.associate(hf.read_pairs(book, sheet="*"), client, progress=False)
    retry = hf.export_retry(result, tmp_path / "retry.xlsx")
    todo = _todo(result)
    assert {s for s, _, _ in todo} == {"January", "February"}
    read = _read_all(retry)
    assert _pairs(read) == todo  # every row, its sheet's name kept
    assert "retry file" in str(read_notes(read).sheet_choice)
    assert _pairs(_read_all(retry.read_bytes())) == todo
    assert _pairs(_read_all(io.BytesIO(retry.read_bytes()))) == todo
    assert _pairs(_read_all(retry, sheet="*")) == todo
    check = hf.validate_pairs(retry)  # a job given the path reads it whole too
    assert set(check["sheet"]) <= {"January", "February"}
    sandbox.add_records("contacts", FIXED)
    for source in (retry, retry.read_bytes()):
        again = hf.associate(source, client, dry_run=True, progress=False)
        assert _pairs(again) == todo
    again = hf.associate(retry, client, progress=False)
    assert _pairs(again) == todo
    assert _todo(again) == {("January", DEALS[32], MISSING[1]), ("February", DEALS[35], MISSING[3])}


def test_a_retry_workbook_of_one_sheet_per_direction_is_read_whole(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Results put together (``pd.concat``) of two directions: a sheet per direction."""
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
    assert len(openpyxl.load_workbook(retry).sheetnames) == 2
    read = _read_all(retry)
    assert set(zip(read["from_type"], read["to_type"], strict=True)) == {
        ("deals", "contacts"),
        ("contacts", "deals"),
    }
    sandbox.add_records("deals", ["777777"])
    sandbox.add_records("contacts", ["888888"])
    again = hf.associate(retry, client, progress=False)
    assert len(again) == 2 and set(again["status"]) == {"success"}


# --- limits -------------------------------------------------------------------------------------

LIMITS = {
    "Deals": [
        ["From", "To", "Label", "Max"],
        ["deals", "contacts", "Later label A", 3],
    ],
    "Companies": [
        ["From", "To", "Label", "Max"],
        ["contacts", "companies", "Later label B", 2],
    ],
}


def test_a_limits_retry_workbook_is_read_and_run_whole(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _book(tmp_path / "limits.xlsx", LIMITS)
    retry = tmp_path / "retry.xlsx"
    run = ["limits", str(book), "--sheet", "*", "--retry-file", str(retry)]
    assert _cli(sandbox, *run, "--report", str(tmp_path / "r1.xlsx")) == 1  # no such labels
    assert openpyxl.load_workbook(retry).sheetnames == ["Deals", "Companies"]
    read = hf.read_limits(retry)
    assert list(read["sheet"]) == ["Deals", "Companies"]
    assert list(read["label"]) == ["Later label A", "Later label B"]
    sandbox.add_label("deals", "contacts", "Later label A")
    sandbox.add_label("contacts", "companies", "Later label B")
    capsys.readouterr()
    again = ["limits", str(retry), "--retry-file", str(tmp_path / "retry2.xlsx")]
    assert _cli(sandbox, *again, "--report", str(tmp_path / "r2.xlsx")) == 0
    assert "no rows to retry" in capsys.readouterr().out
    report = pd.read_excel(tmp_path / "r2.xlsx", sheet_name="Results", dtype=str, engine="calamine")
    assert list(report["sheet"]) == ["Deals", "Companies"]
    assert set(report["status"]) == {"success"}


# --- the app ------------------------------------------------------------------------------------


def test_the_app_reads_a_retry_workbook_of_several_sheets_whole(
    app: object, tmp_path: Path
) -> None:
    from app_driver import click, upload

    from hubframe.widgets import HubframeApp
    from hubframe.widgets.app import ALL_SHEETS, RETRY_SHEETS

    assert isinstance(app, HubframeApp)
    book = _book(tmp_path / "links.xlsx", _pairs_sheets(ROUND_TRIP))
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(book, sheet="*"), client_for(sb), progress=False)
    retry = hf.export_retry(result, tmp_path / "retry.xlsx")
    click(app, app.connect_button)
    upload(app, retry.name, retry.read_bytes())
    assert app.sheet.value == ALL_SHEETS and app.sheet.options[0] == (RETRY_SHEETS, ALL_SHEETS)
    assert ("January", "January") in app.sheet.options  # a sheet alone, by its name
    click(app, app.dry_run_button)
    assert app.frame is not None and _pairs(app.frame) == _todo(result)


# --- the property: a retry run reads every row of every sheet of its file ----------------------


def _random_book(rng: random.Random, path: Path) -> tuple[Path, dict[str, list[tuple[str, str]]]]:
    """1-4 sheets of 1-4 pairs, each failing (a contact not in the portal) at random, at
    least one failing on some sheet."""
    deals, contacts, missing = iter(DEALS[:60]), iter(CONTACTS[:60]), iter(MISSING)
    sheets: dict[str, list[tuple[str, str]]] = {}
    for n in range(rng.randint(1, 4)):
        sheets[f"Part {n + 1}"] = [
            (next(deals), next(missing) if rng.random() < 0.5 else next(contacts))
            for _ in range(rng.randint(1, 4))
        ]
    first = next(iter(sheets))
    if not any(c in MISSING for rows in sheets.values() for _, c in rows):
        sheets[first][0] = (sheets[first][0][0], next(missing))
    return _book(path, _pairs_sheets(sheets)), sheets


def _every_row(path: Path) -> Iterator[Pair]:
    book = openpyxl.load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for deal, contact in list(sheet.iter_rows(min_row=2, values_only=True)):
            yield str(sheet.title), str(deal), str(contact)


@pytest.mark.parametrize("seed", seeds(6))
def test_a_retry_run_reads_every_row_of_every_sheet_of_its_retry_file(
    sandbox_factory: object, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    sb = sandbox_factory(seed="demo")  # type: ignore[operator]
    client = client_for(sb)
    book, sheets = _random_book(rng, tmp_path / "links.xlsx")
    result = hf.associate(hf.read_pairs(book, sheet="*"), client, progress=False)
    retry = hf.export_retry(result, tmp_path / "retry.xlsx")
    failing = {name for name, rows in sheets.items() if any(c in MISSING for _, c in rows)}
    assert set(openpyxl.load_workbook(retry).sheetnames) == failing
    written = set(_every_row(retry))
    assert written == _todo(result)
    assert _pairs(_read_all(retry)) == written
    sb.add_records("contacts", MISSING)
    again = hf.associate(retry, client, progress=False)
    assert _pairs(again) == written and set(again["status"]) == {"success"}
    assert {(d, c) for _, d, c in written} <= _linked(sb)
