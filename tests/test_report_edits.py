"""A report edited in Excel and undone: nothing the analyst's edits changed is acted on.

Analysts open the report in Excel before an undo: they turn text ids into numbers, copy the
Results sheet as a backup (Excel names the copy "Results (2)"), and keep labels whose names
pandas reads as missing values ("N/A", "None").  Each of these made an undo act on something
the run did not do:

* an id cell made a number past 15 digits was read back as all its digits (Excel keeps 15: a
  17-digit id becomes another record's), and the undo removed that record's association,
  which existed before the run;
* a copy "Results (2)" was read as more of the report (a report goes on there only past
  Excel's row limit), undoing the rows the analyst had deleted from Results to keep them;
* a label named "N/A" was read as no label, and the undo of a sync re-created the pair it
  had removed without its label, reporting success.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
import hubframe.jobs
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, pairs_sheet, workbook_bytes
from hubframe.vocab import Status

CONTACT = str(demo_ids("contacts")[5])
OLD, NEW = 20400000000000000, 20400000000000001  # 17 digits: 15 significant ones are equal


def _links(sb: Sandbox) -> set[tuple[str, str, int]]:
    table = sb.associations("deals", "contacts")
    return set(
        zip(
            table["from_id"].astype(str),
            table["to_id"].astype(str),
            table["type_id"].astype(int),
            strict=True,
        )
    )


def _edited(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    book = openpyxl.load_workbook(path)
    edit(book)
    out = path.with_name(f"edited_{path.name}")
    book.save(out)
    return out


def _as_numbers(columns: tuple[str, ...]) -> Callable[[openpyxl.Workbook], None]:
    """What Excel's "Convert to Number" leaves: a number cell of 15 significant digits."""

    def edit(book: openpyxl.Workbook) -> None:
        sheet = book["Results"]
        head = [c.value for c in sheet[1]]
        for name in columns:
            at = head.index(name) + 1
            for row in range(2, sheet.max_row + 1):
                cell = sheet.cell(row, at)
                cell.value = float(f"{float(cell.value):.15g}")
                cell.number_format = "0"

    return edit


@pytest.mark.parametrize("columns", [("from_id",), ("from_id", "Deal ID")])
def test_an_id_made_a_number_past_15_digits_stops_the_undo(
    tmp_path: Path, columns: tuple[str, ...]
) -> None:
    with Sandbox(seed="demo") as sb:
        sb.add_records("deals", [OLD, NEW])
        sb.associate("deals", OLD, "contacts", CONTACT)  # there before the run
        client = client_for(sb)
        before = _links(sb)
        run = hf.associate(
            pairs_sheet([(str(NEW), CONTACT, "")]), client, record_existing=True, progress=False
        )
        assert run["status"].tolist() == ["success"]
        report = hf.export_report(run, tmp_path / "report.xlsx")
        edited = _edited(Path(report), _as_numbers(columns))
        with pytest.raises(InputError, match=r"line 2: from_id .* digits are lost"):
            hf.undo(edited, client, progress=False)
        assert before <= _links(sb)  # the association there before the run is kept


def test_ids_made_numbers_within_15_digits_are_still_undone(tmp_path: Path) -> None:
    deals, contacts = demo_ids("deals")[60:63], demo_ids("contacts")[160:163]
    rows = [(str(d), str(c), "") for d, c in zip(deals, contacts, strict=True)]
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        before = _links(sb)
        run = hf.associate(pairs_sheet(rows), client, record_existing=True, progress=False)
        report = hf.export_report(run, tmp_path / "report.xlsx")
        edited = _edited(Path(report), _as_numbers(("from_id", "to_id")))
        undone = hf.undo(edited, client, progress=False)
        assert undone["status"].tolist() == ["success"] * 3
        assert _links(sb) == before


def _copy_results(book: openpyxl.Workbook) -> None:
    """Excel's Move or Copy > Create a copy names the copy "Results (2)"; the analyst then
    deletes from Results the rows to keep."""
    results = book["Results"]
    book.copy_worksheet(results).title = "Results (2)"
    results.delete_rows(2)


def test_a_copy_of_the_results_sheet_is_not_more_of_the_run(tmp_path: Path) -> None:
    deals, contacts = demo_ids("deals")[64:67], demo_ids("contacts")[164:167]
    rows = [(str(d), str(c), "") for d, c in zip(deals, contacts, strict=True)]
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        run = hf.associate(pairs_sheet(rows), client, record_existing=True, progress=False)
        after_run = _links(sb)
        report = hf.export_report(run, tmp_path / "report.xlsx")
        edited = _edited(Path(report), _copy_results)
        with pytest.raises(InputError, match=r"sheet 'Results \(2\)', but 'Results' holds 2 rows"):
            hf.undo(edited, client, progress=False)
        assert _links(sb) == after_run  # nothing undone


@pytest.mark.parametrize("name", ["N/A", "None", "NULL", "nan", "NA", "#N/A"])
def test_a_label_named_like_a_missing_value_is_restored_with_its_label(
    tmp_path: Path, name: str
) -> None:
    deal, contact = demo_ids("deals")[50], demo_ids("contacts")[150]
    with Sandbox(seed="demo") as sb:
        type_id = sb.add_label("deals", "contacts", name)
        sb.associate("deals", deal, "contacts", contact, type_id)
        client = client_for(sb)
        before = _links(sb)
        keep = pd.DataFrame(
            [{"from_type": "deals", "from_id": str(deal), "to_type": "contacts", "to_id": ""}]
        )
        synced = hf.sync(keep, client, allow_removals=True, progress=False)
        assert (str(deal), str(contact), type_id) not in _links(sb)
        report = hf.export_report(synced, tmp_path / "sync.xlsx")
        undone = hf.undo(report, client, progress=False)
        assert set(undone["status"]) <= {"success", "skipped"}, undone
        assert _links(sb) == before


# --- cells the undo needs, edited or cleared ------------------------------------------------------


def _labeled_run(sb: Sandbox, tmp_path: Path) -> Path:
    """A run that adds "Champion" to a deal and contact holding "Decision maker" before it;
    its CSV report."""
    deal, contact = demo_ids("deals")[0], demo_ids("contacts")[0]
    run = hf.associate(
        pairs_sheet([(str(deal), str(contact), "Champion")]),
        client_for(sb),
        record_existing=True,
        progress=False,
    )
    assert run["status"].tolist() == ["success"]
    return Path(hf.export_report(run, tmp_path / "report.csv"))


@pytest.mark.parametrize("category", [None, "user defined", "User-Defined", "custom"])
def test_a_category_cleared_or_retyped_is_the_portals(tmp_path: Path, category: str | None) -> None:
    """Undo removed the label with the category cell as it was: cleared or retyped, the
    removal's check found no such label and reported it "Not there" while HubSpot kept it."""
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        report = _labeled_run(sb, tmp_path)
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
        if category is None:
            table = table.drop(columns=["category"])
        else:
            table["category"] = category
        table.to_csv(report, index=False)
        undone = hf.undo(report, client_for(sb), progress=False)
        assert undone["status"].tolist() == ["success"], undone
        assert _links(sb) == before


@pytest.mark.parametrize("cleared", [("label",), ("label", "category")])
def test_a_sync_report_without_its_label_cells_restores_the_labels(
    tmp_path: Path, cleared: tuple[str, ...]
) -> None:
    """A removed label whose label (and category) cells were cleared was created again as a
    plain link and reported a success: the label stayed gone.  Its type id says which type
    it was."""
    deal, contact = demo_ids("deals")[50], demo_ids("contacts")[150]
    with Sandbox(seed="demo") as sb:
        sb.associate(
            "deals", deal, "contacts", contact, sb.type_id("deals", "contacts", "Champion")
        )
        client = client_for(sb)
        before = _links(sb)
        keep = pd.DataFrame(
            [{"from_type": "deals", "from_id": str(deal), "to_type": "contacts", "to_id": ""}]
        )
        synced = hf.sync(keep, client, allow_removals=True, progress=False)
        report = Path(hf.export_report(synced, tmp_path / "sync.csv"))
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig").drop(columns=list(cleared))
        table.to_csv(report, index=False)
        hf.undo(report, client, progress=False)
        assert _links(sb) == before


def test_a_label_row_without_its_type_id_says_so(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        report = _labeled_run(sb, tmp_path)
        after_run = _links(sb)
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig").drop(columns=["type_id"])
        table.to_csv(report, index=False)
        undone = hf.undo(report, client_for(sb), progress=False)
        assert _links(sb) == after_run
    assert undone["status"].tolist() == ["skipped"]
    assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]  # found by code, in the Summary
    assert "no type_id" in str(undone["error_message"].iloc[0]), undone


@pytest.mark.parametrize(
    ("true", "false", "encoding"),
    [
        ("WAHR", "FALSCH", "cp1252"),
        ("VRAI", "FAUX", "cp1252"),
        ("VERO", "FALSO", "cp1252"),
        ("TOSI", "EPÄTOSI", "cp1252"),
        # Excel's "CSV" in the code page of the computer's language (read as cp1252: these
        # words were not known, every row was skipped), and as "CSV UTF-8"
        ("ИСТИНА", "ЛОЖЬ", "cp1251"),
        ("PRAWDA", "FAŁSZ", "cp1250"),
        ("DOĞRU", "YANLIŞ", "cp1254"),
        ("ИСТИНА", "ЛОЖЬ", "utf-8-sig"),
        ("DOĞRU", "YANLIŞ", "utf-8-sig"),  # YANLIŞ casefolds to "yanliş", not "yanlış"
    ],
)
def test_a_report_saved_by_excel_in_another_language_is_undone(
    tmp_path: Path, true: str, false: str, encoding: str
) -> None:
    """German Excel saves TRUE as WAHR: every row was skipped ("did not record whether this
    association existed")."""
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        report = _labeled_run(sb, tmp_path)
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
        for column in ("existed_before", "linked_before"):
            table[column] = table[column].map({"True": true, "False": false})
        table.to_csv(report, index=False, sep=";", encoding=encoding)
        undone = hf.undo(report, client_for(sb), progress=False)
        assert undone["status"].tolist() == ["success"], undone
        assert _links(sb) == before


def test_a_sheet_named_portal_keeps_its_failed_rows_in_the_retry_file(tmp_path: Path) -> None:
    """A sync's removal rows have sheet "(portal)" and no row: a sheet of the upload named so
    lost its failed rows from the retry file."""
    deals, contact = demo_ids("deals")[60:62], demo_ids("contacts")[160]
    rows = [["Deal ID", "Contact ID"], [str(deals[0]), str(contact)], [str(deals[1]), "abc"]]
    with Sandbox(seed="demo") as sb:
        sheet = hf.read_pairs(workbook_bytes({"(portal)": rows}))
        run = hf.associate(sheet, client_for(sb), progress=False)
    assert run["status"].tolist() == ["success", "invalid"]
    retry = hf.read_pairs(hf.export_retry(run, tmp_path / "retry.csv"))
    assert retry["to_id"].tolist() == ["abc"]


def test_a_row_without_a_number_is_named_by_its_place_in_the_table() -> None:
    """A sync's removal rows have no sheet row: a repeat of one said "Repeats row <NA>"."""
    from hubframe.run.rows import describer

    frame = pd.DataFrame({"sheet": ["(portal)", "(portal)"], "row": pd.array([None, 7], "Int64")})
    describe = describer(frame)
    assert [describe(0), describe(1)] == ["row 1 of the table", "row 7"]


def _spelled(word: str, draw: st.DrawFn) -> str:
    """``word`` as an analyst may retype it: any letters capitalized, spaces around."""
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    return f"{draw(st.sampled_from(['', ' ', '  ']))}{cased}{draw(st.sampled_from(['', ' ']))}"


@settings(max_examples=examples(25), deadline=None)
@given(data=st.data())
def test_status_action_and_code_retyped_read_as_the_words_they_spell(data: st.DataObject) -> None:
    """A report's ``status``, ``action`` and ``error_code`` retyped with capitals or spaces
    ("Success", " associate_default ") are the words the run wrote.  Before, every such row
    was ``skipped`` "the run did not create this association (status Success)" and what the
    run made stayed in the portal."""
    statuses = [str(s) for s in Status]
    actions = ["associate", "associate_default", "archive"]
    n = data.draw(st.integers(1, 6))
    status = data.draw(st.lists(st.sampled_from(statuses), min_size=n, max_size=n))
    action = data.draw(st.lists(st.sampled_from(actions), min_size=n, max_size=n))
    code = data.draw(st.lists(st.sampled_from(["UNKNOWN_OUTCOME", None]), min_size=n, max_size=n))
    table = pd.DataFrame(
        {
            "from_type": ["deals"] * n,
            "from_id": ["2040000001"] * n,
            "to_type": ["contacts"] * n,
            "to_id": ["1019360001"] * n,
            "status": [_spelled(s, data.draw) for s in status],
            "action": [_spelled(a, data.draw) for a in action],
            "error_code": [c if c is None else _spelled(c.lower(), data.draw) for c in code],
        }
    )
    for loaded in (hf.jobs.load_run(table), hf.jobs.load_run(table.assign(row=range(2, n + 2)))):
        assert loaded["status"].tolist() == status
        assert loaded["action"].tolist() == action
        assert loaded["error_code"].tolist() == code


@pytest.mark.parametrize("column", ["status", "action"])
def test_a_retyped_status_or_action_is_undone_and_an_unknown_one_stops_it(
    tmp_path: Path, column: str
) -> None:
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        report = _labeled_run(sb, tmp_path)
        after_run = _links(sb)
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
        table.assign(**{column: "ok"}).to_csv(report, index=False)
        with pytest.raises(InputError, match=rf"line 2: {column} 'ok' is not an? {column}"):
            hf.undo(report, client_for(sb), progress=False)
        assert _links(sb) == after_run  # nothing undone
        table.assign(**{column: f" {table[column].iloc[0].title()} "}).to_csv(report, index=False)
        undone = hf.undo(report, client_for(sb), progress=False)
        assert undone["status"].tolist() == ["success"], undone
        assert _links(sb) == before


def test_an_applied_row_without_its_action_says_so(tmp_path: Path) -> None:
    """A success whose action was cleared said "the run did not create this association"."""
    with Sandbox(seed="demo") as sb:
        report = _labeled_run(sb, tmp_path)
        after_run = _links(sb)
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
        for edited in (table.drop(columns=["action"]), table.assign(action="")):
            edited.to_csv(report, index=False)
            undone = hf.undo(report, client_for(sb), progress=False)
            assert undone["status"].tolist() == ["skipped"]
            assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
            assert "its action is empty" in str(undone["error_message"].iloc[0]), undone
        assert _links(sb) == after_run


@pytest.mark.parametrize("cleared", ["column", "cell"])
def test_a_new_pairs_label_row_without_its_type_id_says_so(tmp_path: Path, cleared: str) -> None:
    """A label the run put on two records it linked, its type_id cleared: the row said "Left
    in place: the two records also hold "Champion", which this undo does not take back (a row
    of the run left out of it, or a label added since)" -- its own label, and neither reason."""
    deal, contact = demo_ids("deals")[70], demo_ids("contacts")[170]
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        run = hf.associate(
            pairs_sheet([(str(deal), str(contact), "Champion")]),
            client,
            record_existing=True,
            progress=False,
        )
        assert run["linked_before"].tolist() == [False]
        report = Path(hf.export_report(run, tmp_path / "report.csv"))
        after_run = _links(sb)
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
        edited = (
            table.drop(columns=["type_id"]) if cleared == "column" else table.assign(type_id="")
        )
        edited.to_csv(report, index=False)
        undone = hf.undo(report, client, progress=False)
        assert _links(sb) == after_run
    assert undone["status"].tolist() == ["skipped"]
    assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]  # found by code, in the Summary
    assert "no type_id" in str(undone["error_message"].iloc[0]), undone


def test_rows_undo_cannot_take_back_have_a_code_and_rows_with_nothing_to_undo_none(
    tmp_path: Path,
) -> None:
    """A row the run did not record the state before of is NOT_UNDOABLE (the report's Summary
    lists it with what to do); one that existed before, or that the run did not create, has
    nothing to undo and no code.  Before, every one of them was skipped with no code, and the
    Summary of the undo said "No errors or warnings" while rows were left in the portal."""
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        sheet = pairs_sheet([(str(deals[71]), str(contacts[171]), "")])
        unrecorded = hf.associate(sheet, client, preflight=False, progress=False)
        assert unrecorded["existed_before"].isna().all() if "existed_before" in unrecorded else True
        undone = hf.undo(unrecorded, client, progress=False)
        assert undone["status"].tolist() == ["skipped"]
        assert undone["error_code"].tolist() == ["NOT_UNDOABLE"], undone
        again = hf.associate(sheet, client, record_existing=True, progress=False)
        kept = hf.undo(again, client, progress=False)  # it existed before this run: left
        assert kept["status"].tolist() == ["skipped"] and kept["error_code"].isna().all(), kept
        summary = hf.export_report(undone, tmp_path / "undo.xlsx")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(summary)).get_sheet_by_name("Summary").to_python()
    assert any(row and row[0] == "NOT_UNDOABLE" for row in rows)


@pytest.mark.parametrize("directive", ["sep=;", '"sep=;"', "SEP=;", "sep=\t", "sep=|"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_a_csv_report_with_excels_sep_line_is_undone(
    tmp_path: Path, directive: str, encoding: str
) -> None:
    """Excel's "sep=;" first line (added so that Excel splits the file with that delimiter)
    gives the delimiter and is not a line of the report, as for a sheet.  Before, it was
    read as the header: "line 2 has 23 cells and the header 2", nothing undone."""
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        report = _labeled_run(sb, tmp_path)
        table = pd.read_csv(report, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        delimiter = directive[-1] if directive[-1] != '"' else directive[-2]
        with report.open("w", encoding=encoding, newline="") as handle:
            handle.write(directive + "\r\n")
            table.to_csv(handle, index=False, sep=delimiter, lineterminator="\r\n")
        undone = hf.undo(report, client_for(sb), progress=False)
        assert undone["status"].tolist() == ["success"], undone
        assert _links(sb) == before
