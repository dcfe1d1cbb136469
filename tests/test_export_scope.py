"""An export carries the records it read (its scope) into the sync of its edit.

Before, deleting the last row of a record in an export and syncing it with removals did
nothing for that record, saying nothing: the sync's scope is the sheet's from ids, and the
record had left the sheet.  Now an export (its frame, and its .xlsx: a sheet "Export scope")
keeps the records it read, and a sync takes them (with the sheet's own from ids) as its scope
unless ``scope=`` is given; a .csv cannot carry it: the export command says how to unlink a
record's last association, and a sync with removals of a sheet in an export's layout with no
scope warns.  A sheet that is not an export keeps the rule of its from ids.
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.io import SheetsLeftOut, read_notes, read_pairs
from hubframe.io.scope import SCOPE_SHEET, NoExportScope
from hubframe.jobs import read_associations
from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = ["2049000001", "2049000002", "2049000003", "2049000004"]
CONTACTS = [str(i) for i in demo_ids("contacts")[60:70]]
KW: dict[str, Any] = {"progress": False}


def _portal(sb: Sandbox) -> None:
    """Deal 0 with two contacts, deal 1 with one, deal 2 with one (its last row is deleted),
    deal 3 with none."""
    sb.add_records("deals", DEALS)
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], None)
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[1], None)
    sb.associate("deals", DEALS[1], "contacts", CONTACTS[2], None)
    sb.associate("deals", DEALS[2], "contacts", CONTACTS[3], None)


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    mine = found[found["from_id"].astype(str).isin(DEALS)]
    return {(str(f), str(t)) for f, t in zip(mine["from_id"], mine["to_id"], strict=True)}


AFTER = {(DEALS[0], CONTACTS[0]), (DEALS[0], CONTACTS[1]), (DEALS[1], CONTACTS[2])}


def _edited(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["from_id"] != DEALS[2]]


def _sync(source: Any, client: hf.HubSpotClient, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoExportScope)
        return hf.sync(source, client, allow_removals=True, **KW, **options)


@pytest.mark.parametrize("form", ["frame", "xlsx", "read xlsx", "xlsx *"])
def test_deleting_a_records_last_row_of_an_export_removes_its_association(
    form: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        edited = _edited(read_associations(client, "deals", "contacts", DEALS, **KW))
        source: Any = edited
        if form != "frame":
            source = write_pairs(edited, tmp_path / "links.xlsx")
            assert SCOPE_SHEET in openpyxl.load_workbook(source).sheetnames
        if form == "read xlsx":
            source = read_pairs(source)
        if form == "xlsx *":
            source = read_pairs(source, sheet="*")
            assert read_notes(source).sheets == ["Associations"]
        result = _sync(source, client)
        assert _links(sb) == AFTER, result.to_string()
        gone = result[result["change"] == "remove"]
        assert gone[["from_id", "to_id"]].values.tolist() == [[DEALS[2], CONTACTS[3]]]


def test_an_export_edited_in_excel_removes_the_deleted_records_associations(
    tmp_path: Path,
) -> None:
    """The rows deleted in the workbook itself (openpyxl, as Excel saves it)."""
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        path = write_pairs(
            read_associations(client, "deals", "contacts", DEALS, **KW), tmp_path / "l.xlsx"
        )
        book = openpyxl.load_workbook(path)
        sheet = book["Associations"]
        for n in range(sheet.max_row, 1, -1):
            if sheet.cell(n, 2).value == DEALS[2]:
                sheet.delete_rows(n)
        book.save(path)
        notes = read_notes(read_pairs(path))
        assert any("Export scope" in text for _, text in notes.messages()), notes.messages()
        _sync(path, client)
        assert _links(sb) == AFTER


def test_scope_given_wins_over_the_exports_and_new_records_are_synced(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        export = read_associations(client, "deals", "contacts", DEALS[:3], **KW)
        path = write_pairs(_edited(export), tmp_path / "links.xlsx")
        _sync(path, client, scope=[DEALS[0]])  # deal 2 is not in the scope given
        assert _links(sb) == {*AFTER, (DEALS[2], CONTACTS[3])}
        added = pd.concat(
            [
                _edited(export),
                pd.DataFrame(
                    [
                        {
                            "from_type": "deals",
                            "from_id": DEALS[3],
                            "to_type": "contacts",
                            "to_id": CONTACTS[5],
                        }
                    ]
                ),
            ]
        )
        added.attrs = export.attrs
        _sync(added, client)  # deal 3 was not read by the export: its row is synced too
        assert _links(sb) == {*AFTER, (DEALS[3], CONTACTS[5])}


@pytest.mark.parametrize("form", ["frame", "csv", "xlsx"])
def test_a_sheet_that_is_no_export_keeps_the_scope_of_its_from_ids(
    form: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        sheet = pd.DataFrame({"Deal ID": [DEALS[0], DEALS[0]], "Contact ID": CONTACTS[:2]})
        source: Any = read_pairs(sheet)
        if form == "csv":
            source = tmp_path / "pairs.csv"
            sheet.to_csv(source, index=False)
        if form == "xlsx":
            source = write_pairs(source, tmp_path / "pairs.xlsx")
            assert openpyxl.load_workbook(source).sheetnames == ["Associations"]
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            hf.sync(source, client, allow_removals=True, **KW)
        warned = [w for w in said if issubclass(w.category, NoExportScope)]
        assert len(warned) == (form == "xlsx")  # written in an export's layout: said
        assert _links(sb) == {*AFTER, (DEALS[2], CONTACTS[3])}  # deals 1, 2 not in scope


def test_a_csv_export_synced_with_removals_warns_how_to_unlink_a_last_row(
    tmp_path: Path,
) -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        export = read_associations(client, "deals", "contacts", DEALS, **KW)
        path = write_pairs(_edited(export), tmp_path / "links.csv")
        with pytest.warns(NoExportScope, match="clear its to_id"):
            hf.sync(path, client, allow_removals=True, **KW)
        assert _links(sb) == {*AFTER, (DEALS[2], CONTACTS[3])}  # as the warning says
        with warnings.catch_warnings():
            warnings.simplefilter("error", NoExportScope)
            hf.sync(path, client, **KW)  # no removals: nothing to warn of
        cleared = export.copy()
        cleared.loc[cleared["from_id"] == DEALS[2], ["to_id", "label", "category", "type_id"]] = (
            None
        )
        path = write_pairs(cleared, tmp_path / "cleared.csv")
        with pytest.warns(NoExportScope):
            hf.sync(path, client, allow_removals=True, **KW)
        assert _links(sb) == AFTER


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_command_line_round_trip(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        ids = tmp_path / "deals.csv"
        ids.write_text("Deal ID\n" + "".join(f"{d}\n" for d in DEALS))
        out = tmp_path / f"links{suffix}"
        argv = ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o", str(out)]
        assert main([*argv, *hub]) == 0
        said = capsys.readouterr().out
        if suffix == ".csv":
            assert "clear its to_id" in said, said
            with out.open(encoding="utf-8-sig", newline="") as f:
                rows = [r for r in csv.reader(f) if r[1] != DEALS[2]]
            with out.open("w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows(rows)
        else:
            assert "clear its to_id" not in said
            write_pairs(_edited(read_pairs(out)), tmp_path / "edited.xlsx")
            out = tmp_path / "edited.xlsx"
        code = main(["sync", str(out), "--delete", *hub])
        said = capsys.readouterr()
        assert code == 0, said
        if suffix == ".csv":
            assert "clear its to_id" in said.err, said
            assert _links(sb) == {*AFTER, (DEALS[2], CONTACTS[3])}
        else:
            assert "Export scope" in said.out, said
            assert _links(sb) == AFTER


@pytest.mark.parametrize("cell", ["2.04E+09", "garbage", "12.5"])
def test_a_scope_sheet_edited_to_hold_no_id_is_refused_naming_its_row(
    cell: str, tmp_path: Path
) -> None:
    frame = pd.DataFrame({"from_type": ["deals"], "from_id": [DEALS[0]], "to_type": ["contacts"]})
    frame["to_id"], frame["label"], frame["category"], frame["type_id"] = CONTACTS[0], "", "", ""
    frame.attrs["hubframe"] = {
        "export_scope": {"from_type": "deals", "to_type": "contacts", "ids": DEALS[:3]}
    }
    path = write_pairs(frame, tmp_path / "links.xlsx")
    book = openpyxl.load_workbook(path)
    book[SCOPE_SHEET].cell(3, 2).value = cell
    book.save(path)
    with pytest.raises(hf.InputError, match=re.escape(f"sheet 'Export scope', row 3: {cell!r}")):
        read_pairs(path)


def test_an_export_split_over_sheets_keeps_its_scope_after_them(tmp_path: Path) -> None:
    """A sheet 'Associations (2)' left unread still stops a sync that may remove."""
    import hubframe.report.excel as excel

    frame = pd.DataFrame(
        {"from_type": "deals", "from_id": DEALS, "to_type": "contacts", "to_id": CONTACTS[:4]}
    )
    frame.attrs["hubframe"] = {
        "export_scope": {"from_type": "deals", "to_type": "contacts", "ids": DEALS}
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(excel, "SHEET_ROWS", 3)
        path = write_pairs(frame, tmp_path / "links.xlsx")
    names = openpyxl.load_workbook(path).sheetnames
    assert names[-2:] == [SCOPE_SHEET, f"{SCOPE_SHEET} (2)"], names
    read = read_pairs(path, sheet="*")
    assert read["from_id"].tolist() == DEALS
    assert list(read.attrs["hubframe"]["export_scope"]["ids"]) == DEALS
    with pytest.warns(SheetsLeftOut):
        notes = read_notes(read_pairs(path))
    assert [s.name for s in notes.skipped if s.holds_rows] == ["Associations (2)"]


def test_a_large_scope_costs_nothing_per_operation_of_the_frame() -> None:
    """pandas deep-copies ``attrs`` on every operation: the scope's ids are copied as one
    object (a list of a million ids made each filter take half a second)."""
    import copy

    from hubframe.io.scope import ExportScope, export_scope, scope_attrs

    ids = tuple(str(2_040_000_000 + n) for n in range(100_000))
    entry = scope_attrs(ExportScope("deals", "contacts", ids))
    assert copy.deepcopy(entry)["export_scope"]["ids"] is entry["export_scope"]["ids"]
    frame = pd.DataFrame({"from_id": ["1", "2"]})
    frame.attrs["hubframe"] = entry
    edited = frame[frame["from_id"] != "1"]
    assert edited.attrs["hubframe"]["export_scope"]["ids"] is entry["export_scope"]["ids"]
    found = export_scope(edited.attrs["hubframe"])
    assert found is not None and found.ids == ids


@pytest.mark.parametrize("retry_suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("form", ["frame", "xlsx", "read xlsx"])
@pytest.mark.parametrize("deleted", [[2], [1, 2], [0, 2]], ids=str)
def test_a_failed_removal_of_a_deleted_records_last_row_is_in_the_retry_file(
    form: str, retry_suffix: str, deleted: list[int], tmp_path: Path
) -> None:
    """The removal of a record in scope through the export alone (its rows all deleted)
    failed: the retry file held nothing of the record (and no scope), so its sync removed
    nothing and the association the analyst deleted stayed.  The retry file names the record
    with no targets now, and its sync finishes the removal and nothing else."""
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb, max_retries=0)
        read = read_associations(client, "deals", "contacts", DEALS, **KW)
        edited = read[~read["from_id"].isin([DEALS[i] for i in deleted])]
        source: Any = edited
        if form != "frame":
            source = write_pairs(edited, tmp_path / "links.xlsx")
        if form == "read xlsx":
            source = read_pairs(source)
        sb.set_faults(server_error_rate=1.0, writes_only=True)
        result = _sync(source, client)
        failed = result[(result["change"] == "remove") & (result["status"] == "failed")]
        assert len(failed) == sum(1 + (i == 0) for i in deleted)
        sb.set_faults()
        retry = hf.export_retry(result, tmp_path / f"retry{retry_suffix}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NoExportScope)
            again = hf.sync(retry, client, allow_removals=True, **KW)
        assert set(again.loc[again["change"] == "remove", "status"]) == {"success"}
        kept = {(DEALS[0], CONTACTS[0]), (DEALS[0], CONTACTS[1]), (DEALS[1], CONTACTS[2])}
        assert _links(sb) == {(d, c) for d, c in kept if DEALS.index(d) not in deleted}


# --- the scope's object pair ------------------------------------------------------------------
# Before, the scope sheet's type cells were taken as written, from its first row only: 'Deals'
# (or 'deal', '0-3') filed the export's records under a pair no row has, and a sync with
# removals removed every association they have while each row of the sheet said "keep"; a
# first row with its type cells cleared dropped the whole scope without a word.


def _scope_book(tmp_path: Path, cells: dict[tuple[int, int], str | None]) -> Path:
    """The export of deals 0-2 (as exported), its scope sheet's cells edited."""
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        frame = read_associations(client_for(sb), "deals", "contacts", DEALS[:3], **KW)
    path = write_pairs(frame, tmp_path / "links.xlsx")
    book = openpyxl.load_workbook(path)
    for (row, column), value in cells.items():
        book[SCOPE_SHEET].cell(row, column).value = value
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("from_type", "to_type"),
    [("Deals", "Contacts"), ("deal", "contact"), ("0-3", "0-1"), (" DEALS ", "contacts ")],
)
@pytest.mark.parametrize("rows", [[2], [2, 3, 4]], ids=["first row", "every row"])
def test_a_scope_sheet_spelling_its_types_otherwise_removes_nothing_listed(
    from_type: str, to_type: str, rows: list[int], tmp_path: Path
) -> None:
    cells = {(r, c): v for r in rows for c, v in ((1, from_type), (3, to_type))}
    path = _scope_book(tmp_path, cells)
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        before = _links(sb)
        result = _sync(path, client_for(sb))
        assert _links(sb) == before
    assert set(result["change"]) == {"keep"}, result[["from_id", "to_id", "change"]]
    assert (result["sheet"] != "(portal)").all()


@pytest.mark.parametrize("row", [2, 3])
@pytest.mark.parametrize("column", [1, 3])
def test_a_scope_row_with_an_empty_type_cell_is_refused_naming_it(
    row: int, column: int, tmp_path: Path
) -> None:
    path = _scope_book(tmp_path, {(row, column): None})
    name = "from_type" if column == 1 else "to_type"
    with pytest.raises(hf.InputError, match=rf"sheet 'Export scope', row {row}: its {name} cell"):
        read_pairs(path)


def test_a_scope_row_naming_another_pair_is_refused_naming_it(tmp_path: Path) -> None:
    path = _scope_book(tmp_path, {(3, 1): "contacts", (3, 3): "deals"})
    with pytest.raises(hf.InputError, match=r"row 3: it names contacts -> deals, and row 2"):
        read_pairs(path)


def test_a_scope_of_another_pair_than_the_sheets_rows_is_refused_before_sending(
    tmp_path: Path,
) -> None:
    cells = {(r, c): v for r in (2, 3, 4) for c, v in ((1, "contacts"), (3, "deals"))}
    path = _scope_book(tmp_path, cells)
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        before = _links(sb)
        sb.reset_request_log()
        with pytest.raises(hf.InputError, match="would remove every association"):
            _sync(path, client_for(sb))
        assert _links(sb) == before
        paths = sb.request_log()["path"]
        assert not paths.str.contains("archive|create|labels/", regex=True).any(), paths


@pytest.mark.parametrize("types", [("", "contacts"), ("deals", "  ")])
def test_a_frames_scope_without_its_types_is_refused(types: tuple[Any, Any]) -> None:
    frame = pd.DataFrame({"from_type": ["deals"], "from_id": [DEALS[0]], "to_type": ["contacts"]})
    frame["to_id"], frame["label"], frame["category"], frame["type_id"] = CONTACTS[0], "", "", ""
    frame.attrs["hubframe"] = {
        "export_scope": {"from_type": types[0], "to_type": types[1], "ids": DEALS[:3]}
    }
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        before = _links(sb)
        with pytest.raises(hf.InputError, match="not their object types"):
            _sync(frame, client_for(sb))
        assert _links(sb) == before


def test_a_frames_scope_spelled_otherwise_is_its_pair() -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        edited = _edited(read_associations(client, "deals", "contacts", DEALS, **KW))
        edited.attrs["hubframe"]["export_scope"] |= {"from_type": "Deal", "to_type": "0-1"}
        _sync(edited, client)
        assert _links(sb) == AFTER


def test_a_scope_split_over_sheets_naming_two_pairs_is_refused(tmp_path: Path) -> None:
    import hubframe.report.excel as excel

    frame = pd.DataFrame(
        {"from_type": "deals", "from_id": DEALS, "to_type": "contacts", "to_id": CONTACTS[:4]}
    )
    frame.attrs["hubframe"] = {
        "export_scope": {"from_type": "deals", "to_type": "contacts", "ids": DEALS}
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(excel, "SHEET_ROWS", 3)
        path = write_pairs(frame, tmp_path / "links.xlsx")
    book = openpyxl.load_workbook(path)
    second = book[f"{SCOPE_SHEET} (2)"]
    for row in range(2, second.max_row + 1):
        second.cell(row, 1).value, second.cell(row, 3).value = "companies", "contacts"
    book.save(path)
    with pytest.raises(hf.InputError, match=r"'Export scope \(2\)' names companies -> contacts"):
        read_pairs(path, sheet="*")
