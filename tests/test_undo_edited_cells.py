"""An undo of an .xlsx report whose cells that decide what the undo does were edited since the
run (``status``, ``error_code``, ``action``, ``existed_before``, ``linked_before``) never
leaves the run's associations saying they were not the run's.

Before: the analyst's ordinary edits of a report had the undo leave associations the run made,
exit 0, each row saying something false: the ``error_code`` / ``error_message`` columns deleted
(rows of unknown outcome, applied by HubSpot after the run stopped watching, read as plain
failures: "Not undone: the run did not create this association (status failed)"); the
``status`` column sorted alone (an applied row now ``failed``); a before-flag typed TRUE
("Left in place: ... existed before the run", or a label's row ``success`` with the run's link
left without a word).  Now each such cell is held to the run's journal the report's Summary
names, and a contradiction stops the undo before anything is sent, naming the rows and cells;
without a journal, failed rows with no ``error_code`` column are refused.
"""

from __future__ import annotations

import random
import shutil
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.report import export_report
from hubframe.run import send
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

#: deals -> contacts in the demo portal: new plain links, new labels, a label on a pair linked
#: before (row 5), a label there before (row 6), a contact that does not exist (row 7: failed)
PAIRS = [
    ("2040000011", "1019360021", ""),
    ("2040000012", "1019360022", "Champion"),
    ("2040000013", "1019360023", "Decision maker"),
    ("2040000003", "1019360004", "Decision maker"),
    ("2040000001", "1019360001", "Decision maker"),
    ("2040000014", "1019369999", ""),
    ("2040000015", "1019360025", "Budget holder"),
    ("2040000016", "1019360026", ""),
]
SHEET = pd.DataFrame(PAIRS, columns=["Deal ID", "Contact ID", "Association label"])
Links = set[tuple[str, str, int]]
Edit = Callable[[dict[str, int], Any], None]


def _links(sb: Sandbox) -> Links:
    found = sb.associations("deals", "contacts")
    cells = zip(found["from_id"], found["to_id"], found["type_id"], strict=True)
    return {(str(f), str(t), int(k)) for f, t, k in cells}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sb:
        yield sb


def _run(sb: Sandbox, tmp: Path, *, unknown: bool = False) -> Path:
    """The sheet associated with a journal, its .xlsx report written; ``unknown``: every batch
    answered PROCESSING and applied after the run stopped watching (UNKNOWN_OUTCOME rows)."""
    if unknown:
        sb.set_faults(processing_rate=1.0, processing_delay=1.0)
    result = hf.associate(SHEET, client_for(sb), progress=False, journal=tmp / "run.sqlite")
    if unknown:
        sb.set_faults()
        time.sleep(1.5)  # HubSpot applies them now
        assert "UNKNOWN_OUTCOME" in set(result["error_code"].dropna()), result
    return Path(export_report(result, tmp / "report.xlsx"))


def _edit(path: Path, edit: Edit) -> Path:
    """Cells of the Results sheet edited as an analyst does in Excel: edit(header->col, ws)."""
    book = openpyxl.load_workbook(path)
    sheet = book["Results"]
    edit({str(c.value): c.column for c in sheet[1]}, sheet)
    book.save(path)
    return path


def _refused(report: Path, sb: Sandbox) -> str:
    """The undo's refusal (its dry run refusing the same), nothing sent."""
    held = _links(sb)
    said = []
    for dry_run in (True, False):
        with pytest.raises(InputError) as refused, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hf.undo(report, client_for(sb), progress=False, dry_run=dry_run)
        said.append(str(refused.value))
    assert said[0] == said[1]
    assert _links(sb) == held
    assert "Nothing was changed" in said[1]
    return said[1]


def _sort_alone(name: str) -> Edit:
    def edit(col: dict[str, int], ws: Any) -> None:
        cells = [ws.cell(r, col[name]) for r in range(2, ws.max_row + 1)]
        values = sorted((c.value for c in cells), key=lambda v: str(v), reverse=True)
        for cell, v in zip(cells, values, strict=True):
            cell.value = v

    return edit


def _drop_codes(col: dict[str, int], ws: Any) -> None:
    for name in ("error_message", "error_code"):
        ws.delete_cols(col[name])
        col = {str(c.value): c.column for c in ws[1]}


@pytest.fixture(autouse=True)
def _quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(send, "PROCESSING_WAITS", (0.05, 0.1))


# --- the prober's three reports ---------------------------------------------------------------


def test_unknown_rows_whose_error_code_columns_were_deleted_are_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    before = _links(sandbox)
    report = _run(sandbox, tmp_path, unknown=True)
    applied = _links(sandbox)
    assert applied - before
    clean = shutil.copy(report, tmp_path / "clean.xlsx")
    said = _refused(_edit(report, _drop_codes), sandbox)
    assert "row 2 " in said and "error_code" in said and "run.sqlite" in said
    hf.undo(clean, client_for(sandbox), progress=False)  # as the run wrote it: all back
    assert _links(sandbox) == before


def test_failed_rows_without_error_code_are_refused_without_a_journal(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    report = _edit(_run(sandbox, tmp_path, unknown=True), _drop_codes)
    (tmp_path / "run.sqlite").rename(tmp_path / "moved.sqlite")
    said = _refused(report, sandbox)
    assert "has no error_code column" in said and "rows 2, 3, 4 and" in said


def test_a_csv_report_without_error_code_is_refused_only_with_failed_rows(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    report = _run(sandbox, tmp_path, unknown=True)
    results = pd.read_excel(report, sheet_name="Results", dtype=str)
    failed = results.drop(columns=["error_code", "error_message"])
    failed.to_csv(tmp_path / "failed.csv", index=False)
    assert "has no error_code column" in _refused(tmp_path / "failed.csv", sandbox)
    done = failed[failed["status"] != "failed"]
    done.to_csv(tmp_path / "done.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        undone = hf.undo(tmp_path / "done.csv", client_for(sandbox), progress=False)
    assert len(undone) == len(done)


def test_the_status_column_sorted_alone_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    before = _links(sandbox)
    report = _run(sandbox, tmp_path)
    said = _refused(_edit(report, _sort_alone("status")), sandbox)
    assert "cell of row 9 " in said and "says failed" in said
    assert _links(sandbox) != before  # the run's links are all there, for a clean undo


@pytest.mark.parametrize(
    ("cells", "named"),
    [
        ([(2, "linked_before"), (3, "linked_before"), (8, "existed_before"), (8, "linked_before")],
         ["row 2 (linked_before)", "row 3 (linked_before)", "row 8 (existed_before)"]),
        ([(9, "existed_before")], ["row 9 (existed_before)"]),
        ([(4, "existed_before")], ["row 4 (existed_before)"]),
    ],
)  # fmt: skip
def test_before_flags_typed_true_are_refused(
    sandbox: Sandbox, tmp_path: Path, cells: list[tuple[int, str]], named: list[str]
) -> None:
    report = _run(sandbox, tmp_path)

    def flip(col: dict[str, int], ws: Any) -> None:
        for line, name in cells:
            ws.cell(line, col[name]).value = True

    said = _refused(_edit(report, flip), sandbox)
    assert all(n in said for n in named), said
    assert "is TRUE" in said


@pytest.mark.parametrize(
    ("line", "action"),
    [(2, "associate"), (3, "archive"), (5, "associate_default"), (4, None)],
)
def test_an_applied_rows_action_edited_is_refused(
    sandbox: Sandbox, tmp_path: Path, line: int, action: str | None
) -> None:
    report = _run(sandbox, tmp_path)

    def retype(col: dict[str, int], ws: Any) -> None:
        ws.cell(line, col["action"]).value = action

    said = _refused(_edit(report, retype), sandbox)
    assert f"action cell of row {line} " in said


# --- reports that stay undoable ---------------------------------------------------------------


def test_an_unedited_report_is_undone_whole(sandbox: Sandbox, tmp_path: Path) -> None:
    before = _links(sandbox)
    report = _run(sandbox, tmp_path)
    hf.undo(report, client_for(sandbox), progress=False)
    assert _links(sandbox) == before


def test_a_second_run_of_the_journal_finding_the_first_runs_links_is_undone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Run 2 (the same journal) finds run 1's links there: its report says so, and its undo
    leaves them for run 1's undo, which takes them back."""
    before = _links(sandbox)
    journal = tmp_path / "run.sqlite"
    client = client_for(sandbox)
    first = hf.associate(SHEET.iloc[:4], client, progress=False, journal=journal)
    second = hf.associate(SHEET.iloc[2:], client, progress=False, journal=journal)
    assert second["existed_before"].tolist()[:2] == [True, True]
    one = export_report(first, tmp_path / "one.xlsx")
    two = export_report(second, tmp_path / "two.xlsx")
    hf.undo(two, client, progress=False)
    hf.undo(one, client, progress=False)
    assert _links(sandbox) == before


def test_a_failed_row_a_later_run_of_the_journal_applied_is_not_the_first_runs(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Run 1's row 7 fails (no such contact); the contact is made, and the sheet with a row
    more is run again with the same journal: run 2 sends every row again (its links found
    there) and applies row 7.  Run 1's report says row 7 failed, rightly: both undos go on."""
    before = _links(sandbox)
    journal = tmp_path / "run.sqlite"
    client = client_for(sandbox)
    first = hf.associate(SHEET, client, progress=False, journal=journal)
    assert first["status"].tolist()[5] == "failed"
    sandbox.add_records("contacts", ["1019369999"])
    more = pd.concat([SHEET, pd.DataFrame([(*PAIRS[0][:2], "Champion")], columns=SHEET.columns)])
    second = hf.associate(more, client, progress=False, journal=journal)
    assert second["status"].tolist()[5] == "success"
    one = export_report(first, tmp_path / "one.xlsx")
    two = export_report(second, tmp_path / "two.xlsx")
    hf.undo(one, client, progress=False, dry_run=True)  # not refused
    hf.undo(two, client, progress=False)
    hf.undo(one, client, progress=False)
    assert _links(sandbox) == before


def test_rows_deleted_from_a_copy_are_left_for_a_later_undo(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    before = _links(sandbox)
    report = _run(sandbox, tmp_path)
    part = shutil.copy(report, tmp_path / "part.xlsx")
    _edit(Path(part), lambda col, ws: ws.delete_rows(3, 2))
    hf.undo(part, client_for(sandbox), progress=False)
    assert _links(sandbox) != before
    hf.undo(report, client_for(sandbox), progress=False)
    assert _links(sandbox) == before


# --- one random edit of one deciding cell -----------------------------------------------------

COLUMNS = ["status", "error_code", "action", "existed_before", "linked_before"]
WORDS = {
    "status": ["success", "failed", "skipped", "invalid", "duplicate", "Failed "],
    "error_code": [None, "UNKNOWN_OUTCOME", "OBJECT_NOT_FOUND", "CANCELLED"],
    "action": ["associate", "associate_default", "archive", None],
    "existed_before": [True, False],
    "linked_before": [True, False],
}
#: what a row says of an association it leaves as not the run's
NOT_THE_RUNS = ("did not create", "existed before the run", "associated before the run")


def _one_edit(r: random.Random) -> tuple[str, Edit]:
    name = r.choice(COLUMNS)
    if r.random() < 0.3:
        return f"{name} sorted alone", _sort_alone(name)
    line, word = r.randint(2, len(PAIRS) + 1), r.choice(WORDS[name])

    def edit(col: dict[str, int], ws: Any) -> None:
        ws.cell(line, col[name]).value = word

    return f"{name} of row {line} -> {word!r}", edit


@pytest.mark.parametrize("seed", seeds(16))
def test_one_edited_cell_never_leaves_the_runs_links_unsaid(
    sandbox: Sandbox, tmp_path: Path, seed: int
) -> None:
    r = random.Random(seed)
    before = _links(sandbox)
    report = _run(sandbox, tmp_path, unknown=r.random() < 0.3)
    after = _links(sandbox)
    what, edit = _one_edit(r)
    _edit(report, edit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            undone = hf.undo(report, client_for(sandbox), progress=False)
    except InputError as refused:
        assert _links(sandbox) == after, (what, str(refused))
        return
    made = {(f, t) for f, t, _ in after - before}
    for row in undone.to_dict("records"):
        said = str(row.get("error_message") or "")
        mine = (str(row["from_id"]), str(row["to_id"])) in made
        assert not (mine and any(w in said for w in NOT_THE_RUNS)), (what, row)
    assert _links(sandbox) == before, (what, undone[["row", "status", "error_message"]])
