"""An undo from an edited report never touches a record pair its run never wrote.

A report whose id columns carry hubframe's own names (``from_id``/``to_id``: a sheet written
by ``hubframe export``, or mapped with ``columns=``) has no second id column to compare with;
a ``to_id`` column sorted alone, or one id typed over, had the undo remove an association that
was there before the run (and leave the run's own), or, for a sync's removal row, create one
that was never there -- with the run's journal named in the Summary, reported ``success``.
When the run's journal is known, every row the undo acts on must name a pair one of its runs
sent a write of (of the row's kind): else the undo stops before anything is sent, naming the
row.
"""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds
from test_journal_readings import two_spellings

import hubframe as hf
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]


def _links(sb: Sandbox) -> set[tuple[str, str, int]]:
    f = sb.associations("deals", "contacts")
    return set(zip(f["from_id"], f["to_id"], f["type_id"].astype(int), strict=True))


def _edited(report: Path, column: str, change: dict[int, str]) -> Path:
    """``report`` with the cells of ``column`` on the Results lines ``change`` names retyped
    (as Excel keeps them: text)."""
    book = openpyxl.load_workbook(report)
    sheet = book["Results"]
    header = [c.value for c in sheet[1]]
    j = header.index(column) + 1
    for line, text in change.items():
        sheet.cell(line, j).value = text
    out = report.with_name(f"edited-{report.name}")
    book.save(out)
    return out


def _sheet(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": [r[0] for r in rows],
            "to_type": "contacts",
            "to_id": [r[1] for r in rows],
            "label": [r[2] for r in rows],
        }
    )


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("label", ["", "Decision maker"])
def test_a_to_id_column_sorted_alone_is_refused(dry_run: bool, label: str, tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        sb.associate("deals", DEALS[74], "contacts", CONTACTS[82])  # before the run
        rows = [(DEALS[74 + i], CONTACTS[81 + i], label) for i in range(3)]
        result = hf.associate(_sheet(rows), client, journal=tmp_path / "j.sqlite")
        assert result["status"].eq("success").all(), result
        export_report(result, tmp_path / "report.xlsx")
        swapped = _edited(tmp_path / "report.xlsx", "to_id", {2: CONTACTS[82], 3: CONTACTS[81]})
        held = _links(sb)
        with pytest.raises(hf.InputError) as caught:
            hf.undo(swapped, client, dry_run=dry_run, progress=False)
        said = str(caught.value)
        assert said.startswith(f"row 2 (deals {DEALS[74]} -> contacts {CONTACTS[82]})"), said
        assert "row 2, row 3" in said and "Nothing was changed" in said
        # the run's journal is undone as the file undone, never given as the undo's --journal
        assert "(hubframe undo JOURNAL: the file the run was given with --journal)" in said
        assert _links(sb) == held
        undone = hf.undo(tmp_path / "report.xlsx", client, progress=False)  # as written: taken
        assert undone["status"].eq("success").all(), undone
        assert (DEALS[74], CONTACTS[82], 3) in _links(sb)


def test_a_syncs_removal_row_given_another_id_is_refused(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        deal = DEALS[66]
        for contact in CONTACTS[150:153]:
            sb.associate("deals", deal, "contacts", contact)
        sheet = _sheet([(deal, CONTACTS[150], "")])
        result = hf.sync(
            sheet, client, allow_removals=True, journal=tmp_path / "j.sqlite", progress=False
        )
        assert result["change"].tolist() == ["keep", "remove", "remove"], result
        export_report(result, tmp_path / "report.xlsx")
        edited = _edited(tmp_path / "report.xlsx", "to_id", {3: CONTACTS[160]})
        held = _links(sb)
        with pytest.raises(hf.InputError, match=r"result 2 \(of the portal\)"):
            hf.undo(edited, client, progress=False)
        assert _links(sb) == held  # never linked: not created; removed: not made again
        hf.undo(tmp_path / "report.xlsx", client, progress=False)
        assert {c for d, c, _ in _links(sb) if d == deal} == set(CONTACTS[150:153])


def test_a_result_table_edited_in_python_is_refused(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        rows = [(DEALS[70], CONTACTS[90], ""), (DEALS[71], CONTACTS[91], "")]
        result = hf.associate(_sheet(rows), client, journal=tmp_path / "j.sqlite")
        edited = result.copy()
        edited["from_id"] = edited["from_id"].iloc[::-1].to_numpy()
        with pytest.raises(hf.InputError, match="is not a row the run sent"):
            hf.undo(edited, client, progress=False)
        assert {(DEALS[70], CONTACTS[90], 3), (DEALS[71], CONTACTS[91], 3)} <= _links(sb)


def test_whole_rows_sorted_or_dropped_still_undo(tmp_path: Path) -> None:
    """Rows moved whole (a sort of every column) or deleted name pairs the run sent."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        rows = [(DEALS[60 + i], CONTACTS[100 + i], "") for i in range(4)]
        result = hf.associate(_sheet(rows), client, journal=tmp_path / "j.sqlite")
        export_report(result, tmp_path / "report.xlsx")
        book = openpyxl.load_workbook(tmp_path / "report.xlsx")
        sheet = book["Results"]
        values = [[c.value for c in line] for line in sheet.iter_rows(min_row=2)]
        sheet.delete_rows(2, sheet.max_row)
        for line in reversed(values[1:]):  # sorted descending, the first row deleted
            sheet.append(line)
        book.save(tmp_path / "sorted.xlsx")
        undone = hf.undo(tmp_path / "sorted.xlsx", client, progress=False)
        assert undone["status"].eq("success").all(), undone
        assert {(d, c) for d, c, _ in _links(sb)} & {r[:2] for r in rows} == {rows[0][:2]}


@pytest.mark.parametrize("seed", seeds(12))
def test_seeded_edits_of_a_reports_ids_never_touch_a_pair_the_run_did_not(
    seed: int, tmp_path: Path
) -> None:
    """A random associate or sync, its report's id cells edited at random (swapped within a
    column, typed over with another record's id, or left): the undo is refused, or every
    pair whose links it changed is one the run wrote."""
    rng = random.Random(seed)
    deals = rng.sample(DEALS[40:80], 4)
    contacts = rng.sample(CONTACTS[120:200], 8)
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        for deal in deals:
            for contact in rng.sample(contacts, rng.randint(0, 3)):
                sb.associate("deals", deal, "contacts", contact)
        rows = [
            (rng.choice(deals), rng.choice(contacts), rng.choice(["", "", "Decision maker"]))
            for _ in range(rng.randint(2, 8))
        ]
        before = _links(sb)
        journal = tmp_path / "j.sqlite"
        if rng.random() < 0.5:
            result = hf.associate(_sheet(rows), client, journal=journal, progress=False)
        else:
            result = hf.sync(
                _sheet(rows), client, allow_removals=True, journal=journal, progress=False
            )
        after = _links(sb)
        wrote = {(d, c) for d, c, _ in before ^ after}
        export_report(result, tmp_path / "report.xlsx")
        lines = len(result) + 1
        change: dict[int, str] = {}
        column = rng.choice(["from_id", "to_id"])
        pool = deals if column == "from_id" else contacts
        for _ in range(rng.randint(1, 3)):
            line = rng.randint(2, lines)
            change[line] = rng.choice(pool)
        edited = _edited(tmp_path / "report.xlsx", column, change)
        try:
            hf.undo(edited, client, progress=False)
        except hf.InputError:
            assert _links(sb) == after
            return
        touched = {(d, c) for d, c, _ in after ^ _links(sb)}
        assert touched <= wrote, (seed, rows, change, touched - wrote)


def test_a_report_whose_rows_the_journal_keys_otherwise_is_undone_not_refused(
    tmp_path: Path,
) -> None:
    """A sync of a custom object spelled two ways sends every row under the first spelling:
    the report's applied rows (the other spelling) match no key of the journal, but their
    record pairs are the journal's -- the run's journal, not an edited report: undone,
    warned as before (the journal left out), never refused."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        rows = two_spellings(sb)
        deal, targets = rows["from_id"].iloc[0], rows["to_id"].tolist()
        result = hf.sync(rows, client, journal=tmp_path / "j.sqlite", progress=False)
        assert result["status"].tolist() == ["skipped"] + ["success"] * 3, result
        export_report(result, tmp_path / "report.xlsx")
        with pytest.warns(UserWarning, match="as the report writes them"):
            undone = hf.undo(tmp_path / "report.xlsx", client, progress=False)
        assert undone["status"].tolist() == ["skipped"] + ["success"] * 3, undone
        links = sb.associations("deals", "2-7350001")
        assert list(links.loc[links["from_id"] == deal, "to_id"]) == [targets[0]]
