"""A retry file of a workbook whose sheets list their id columns in opposite orders.

A workbook read with ``sheet="*"`` keeps each sheet's own column map
(``sheet_column_maps``) beside ``column_map``, their union, in which the last sheet wins a
header the sheets share.  The retry file took each sheet's map from the union: a sheet
``Contact ID | Company ID | Label=Employee`` beside a sheet ``Company ID | Contact ID |
Label=Employer`` was written with the marks ``Contact ID [to_id] | Company ID [from_id]``, so
read back its rows went companies -> contacts (a paired label turned invalid, an unlabeled row
was sent the other way), and a cell listing several ids was rebuilt from the other side's ids.
Each ``.xlsx`` sheet is now written with its own sheet's map; a ``.csv`` retry file (one table
under one header) of sheets that read a shared header as different fields is refused, naming
the sheets, unless only one of them has rows still to do.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.report import export_report, export_retry
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

PAIR_ASK = ["from_type", "from_id", "to_type", "to_id", "label"]
D = [str(i) for i in demo_ids("deals")]
C = [str(i) for i in demo_ids("contacts")]
CO = [str(i) for i in demo_ids("companies")]

#: Ids no record has (the rows that fail), and the ids the analyst fixes them to.
MISSING_COMPANY, MISSING_CONTACT, MISSING_DEAL = "7770001", "7770002", "7770003"
FIXES = {MISSING_COMPANY: CO[44], MISSING_CONTACT: C[58], MISSING_DEAL: D[53]}

Sheets = dict[str, list[list[object]]]


def _labeled(failing: str) -> Sheets:
    """contacts <-> companies with paired labels, the sheets' id columns in opposite orders."""
    people: list[list[object]] = [["Contact ID", "Company ID", "Label"]]
    firms: list[list[object]] = [["Company ID", "Contact ID", "Label"]]
    people += [[C[50], MISSING_COMPANY, "Employee"], [C[51], CO[41], "Employee"]]
    if failing == "both":
        firms.append([CO[42], MISSING_CONTACT, "Employer"])
    firms.append([CO[43], C[53], "Employer"])
    return {"People": people, "Firms": firms}


def _unlabeled(failing: str) -> Sheets:
    """deals <-> contacts without labels, the sheets' id columns in opposite orders."""
    deals: list[list[object]] = [
        ["Deal ID", "Contact ID"],
        [D[50], MISSING_CONTACT],
        [D[51], C[55]],
    ]
    contacts: list[list[object]] = [["Contact ID", "Deal ID"]]
    if failing == "both":
        contacts.append([C[56], MISSING_DEAL])
    contacts.append([C[57], D[52]])
    return {"Deals": deals, "Contacts": contacts}


CASES = {"labeled": _labeled, "unlabeled": _unlabeled}


def _sheets(case: str, order: str, failing: str) -> Sheets:
    """The case's sheets, in the order given or reversed; ``failing``: "first" (only the
    first sheet has a row that fails) or "both"."""
    sheets = CASES[case]("both")
    names = list(sheets) if order == "given" else list(sheets)[::-1]
    if failing == "first":  # the second sheet keeps its rows that succeed
        second = names[1]
        sheets[second] = [row for row in sheets[second] if not set(map(str, row)) & set(FIXES)]
    return {name: sheets[name] for name in names}


def _book(path: Path, sheets: Sheets) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([int(c) if isinstance(c, str) and c.isdigit() else c for c in row])
    book.save(path)
    return path


def _asks(frame: pd.DataFrame) -> list[tuple[str | None, ...]]:
    asks = frame[PAIR_ASK].astype(object).where(frame[PAIR_ASK].notna(), None)
    return [tuple(None if v is None else str(v) for v in row) for row in asks.to_numpy()]


def _fixed_asks(asks: list[tuple[str | None, ...]]) -> list[tuple[str | None, ...]]:
    return [tuple(FIXES.get(v, v) if v else v for v in row) for row in asks]


def _read(path: Path) -> pd.DataFrame:
    return hf.read_pairs(path, sheet="*") if path.suffix == ".xlsx" else hf.read_pairs(path)


def _fix(path: Path) -> Path:
    """The retry file with the missing ids replaced by records that exist (the analyst's fix)."""
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        for missing, real in FIXES.items():
            text = text.replace(missing, real)
        path.write_text(text, encoding="utf-8-sig")
        return path
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None and str(cell.value) in FIXES:
                    cell.value = FIXES[str(cell.value)]
    book.save(path)
    return path


def _links(sb: Sandbox, types: tuple[str, str]) -> set[tuple[str, str, str, str, int]]:
    found: set[tuple[str, str, str, str, int]] = set()
    for a, b in (types, types[::-1]):
        frame = sb.associations(a, b)
        found |= {
            (a, f, b, t, int(k))
            for f, t, k in zip(frame["from_id"], frame["to_id"], frame["type_id"], strict=True)
        }
    return found


def _types(case: str) -> tuple[str, str]:
    return ("contacts", "companies") if case == "labeled" else ("deals", "contacts")


def _check_retry(sb: Sandbox, case: str, result: pd.DataFrame, retry: Path) -> None:
    """The retry file reads back as the run read its failed rows, dry-runs them as such, and
    once fixed a real run links exactly them, each in its direction with its type."""
    failed = result.loc[result["status"] == "failed"]
    assert len(failed) and (result["status"].isin(["failed", "success"])).all()
    back = _read(retry)
    assert _asks(back) == _asks(failed)
    client = client_for(sb)
    dry = hf.associate(back, client, dry_run=True)
    assert _asks(dry) == _asks(failed)
    assert (dry["status"] == "planned").all(), dry[["status", "error_code"]]
    assert dry["type_id"].astype("string").tolist() == failed["type_id"].astype("string").tolist()

    before = _links(sb, _types(case))
    again = hf.associate(_read(_fix(retry)), client)
    assert _asks(again) == _fixed_asks(_asks(failed))
    assert (again["status"] == "success").all(), again[["status", "error_code"]]
    new = _links(sb, _types(case)) - before
    sent = failed[["from_type", "from_id", "to_type", "to_id", "type_id"]].astype("string")
    wanted = [(f, FIXES.get(i, i), t, FIXES.get(j, j), k) for f, i, t, j, k in sent.to_numpy()]
    labeled = {(f, i, t, j, int(k)) for f, i, t, j, k in wanted if not pd.isna(k)}
    assert labeled <= new  # each labeled row in its own direction, with its label's type
    pairs = {frozenset({(a, i), (b, j)}) for a, i, b, j, _ in wanted}
    assert {frozenset({(a, i), (b, j)}) for a, i, b, j, _ in new} == pairs
    assert {(f, i, t, j) for f, i, t, j, _ in wanted} <= {link[:4] for link in new}


@pytest.mark.parametrize("failing", ["first", "both"])
@pytest.mark.parametrize("order", ["given", "reversed"])
@pytest.mark.parametrize("case", list(CASES))
def test_an_xlsx_retry_file_reads_each_sheet_as_the_run_read_it(
    tmp_path: Path, case: str, order: str, failing: str
) -> None:
    path = _book(tmp_path / "pairs.xlsx", _sheets(case, order, failing))
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(path, sheet="*"), client_for(sb))
        retry = export_retry(result, tmp_path / "retry.xlsx")
        _check_retry(sb, case, result, retry)


@pytest.mark.parametrize("order", ["given", "reversed"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_csv_retry_file_of_one_sheets_rows_reads_them_as_the_run_read_them(
    tmp_path: Path, case: str, order: str
) -> None:
    path = _book(tmp_path / "pairs.xlsx", _sheets(case, order, "first"))
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(path, sheet="*"), client_for(sb))
        retry = export_retry(result, tmp_path / "retry.csv")
        _check_retry(sb, case, result, retry)


@pytest.mark.parametrize("order", ["given", "reversed"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_csv_retry_file_of_sheets_in_opposite_orders_is_refused(
    tmp_path: Path, case: str, order: str
) -> None:
    sheets = _sheets(case, order, "both")
    path = _book(tmp_path / "pairs.xlsx", sheets)
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(path, sheet="*"), client_for(sb))
    target = tmp_path / "retry.csv"
    with pytest.raises(InputError) as refused:
        export_retry(result, target)
    message = str(refused.value)  # names the sheets and says what to write instead
    assert all(f"'{name}'" in message for name in sheets) and ".xlsx" in message
    assert not target.exists()
    assert _asks(_read(export_retry(result, tmp_path / "retry.xlsx"))) == _asks(
        result.loc[result["status"] == "failed"]
    )


def test_a_csv_retry_file_of_sheets_of_other_object_pairs_is_refused(tmp_path: Path) -> None:
    """Headers that name different objects put under the first sheet's: the company ids of
    the second sheet were written under "Contact ID" and sent as contacts."""
    sheets: Sheets = {
        "Contacts": [["Deal ID", "Contact ID"], [D[50], MISSING_CONTACT]],
        "Companies": [["Deal ID", "Company ID"], [D[51], MISSING_COMPANY]],
    }
    path = _book(tmp_path / "pairs.xlsx", sheets)
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(path, sheet="*"), client_for(sb))
    with pytest.raises(InputError, match="'Contacts' and 'Companies'"):
        export_retry(result, tmp_path / "retry.csv")
    back = _read(export_retry(result, tmp_path / "retry.xlsx"))
    assert _asks(back) == _asks(result)


def test_an_id_list_cell_keeps_its_own_sheets_ids(tmp_path: Path) -> None:
    """A cell of several ids, one of them failed: its retry cell was rebuilt from the other
    side's ids (the contact's cell held the missing company id)."""
    sheets: Sheets = {
        "People": [["Contact ID", "Company ID"], [C[40], f"{CO[40]};{MISSING_COMPANY}"]],
        "Firms": [["Company ID", "Contact ID"], [CO[41], f"{C[41]};{MISSING_CONTACT}"]],
    }
    path = _book(tmp_path / "pairs.xlsx", sheets)
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(path, sheet="*"), client_for(sb))
        assert result["status"].tolist() == ["success", "failed", "success", "failed"]
        retry = export_retry(result, tmp_path / "retry.xlsx")
        cells = pd.read_excel(retry, sheet_name=None, dtype=str, engine="calamine")
        assert cells["People"].to_numpy().tolist() == [[C[40], MISSING_COMPANY]]
        assert cells["Firms"].to_numpy().tolist() == [[CO[41], MISSING_CONTACT]]
        _check_retry(sb, "labeled", result, retry)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_sheets_in_one_order_write_the_retry_file_as_before(tmp_path: Path, suffix: str) -> None:
    sheets: Sheets = {
        "People": [["Contact ID", "Company ID", "Label"], [C[50], MISSING_COMPANY, "Employee"]],
        "More": [["Contact ID", "Company ID", "Label"], [C[51], MISSING_COMPANY, "Employee"]],
    }
    path = _book(tmp_path / "pairs.xlsx", sheets)
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(path, sheet="*"), client_for(sb))
        retry = export_retry(result, tmp_path / f"retry{suffix}")
        if suffix == ".csv":
            lines = retry.read_text(encoding="utf-8-sig").splitlines()
            assert lines[0] == "Contact ID,Company ID,Label" and len(lines) == 3
        _check_retry(sb, "labeled", result, retry)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_undo_from_the_report_takes_back_each_sheets_links(tmp_path: Path, suffix: str) -> None:
    """The report's own re-read: each row is undone in the direction its sheet read it."""
    people = [[C[30], CO[30], "Employee"], [C[31], CO[31], None]]
    firms = [[CO[32], C[32], "Employer"], [CO[33], C[33], None]]
    sheets: Sheets = {
        "People": [["Contact ID", "Company ID", "Label"], *people],
        "Firms": [["Company ID", "Contact ID", "Label"], *firms],
    }
    path = _book(tmp_path / "pairs.xlsx", sheets)
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        before = _links(sb, ("contacts", "companies"))
        result = hf.associate(hf.read_pairs(path, sheet="*"), client, journal=tmp_path / "j.db")
        assert (result["status"] == "success").all()
        assert _links(sb, ("contacts", "companies")) != before
        report = export_report(result, tmp_path / f"report{suffix}")
        undone = hf.undo(report, client, journal=tmp_path / "undo.db")
        assert (undone["status"] == "success").all(), undone[["status", "error_code"]]
        assert _asks(undone) == _asks(result)
        assert _links(sb, ("contacts", "companies")) == before
