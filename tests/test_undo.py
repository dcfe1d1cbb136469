"""undo and remove_associations over HTTP against the sandbox: exactly what a run created goes."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hubframe.errors import InputError
from hubframe.jobs import associate, load_run, remove_associations, undo
from hubframe.report import export_report
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import CHAMPION, DECISION_MAKER, contact_properties
from hubframe.testing import client_for, pairs_sheet

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

DEALS = [str(2040000001 + i) for i in range(12)]
CONTACTS = [str(1019360001 + i) for i in range(60)]
DIRECTIONS = (("deals", "contacts"), ("contacts", "deals"))

# (deal, contact, label): what each row meets in the demo portal
ROWS = [
    (DEALS[0], CONTACTS[0], "Decision maker"),  # exists already: left in place
    (DEALS[0], CONTACTS[30], "Decision maker"),  # over the demo limit (2): failed
    (DEALS[2], CONTACTS[3], "Champion"),  # linked before (unlabeled): only the label goes
    (DEALS[5], CONTACTS[31], "Champion"),  # new pair, labeled: the whole link goes
    (DEALS[5], CONTACTS[31], ""),  # same pair, default row: removed with it
    (DEALS[6], CONTACTS[32], ""),  # new pair, default
    (DEALS[1], CONTACTS[2], "Champion"),  # exists already (demo): sent, left in place
    (DEALS[7], "1019369999", ""),  # no such contact: failed
]


def snapshot(sb: Sandbox) -> dict[tuple[str, str], pd.DataFrame]:
    return {d: sb.associations(*d) for d in DIRECTIONS}


def assert_same(sb: Sandbox, before: dict[tuple[str, str], pd.DataFrame]) -> None:
    for direction, frame in before.items():
        pd.testing.assert_frame_equal(sb.associations(*direction), frame)


@pytest.mark.parametrize("version", ("2026-03", "2026-09", "v4"))
def test_undo_leaves_the_portal_as_before(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    before = snapshot(sandbox)
    run = associate(pairs_sheet(ROWS), client, record_existing=True, progress=False)
    assert run["status"].tolist() == [
        "success", "failed", "success", "success", "success", "success", "success", "failed",
    ]  # fmt: skip
    assert run["existed_before"].tolist()[:4] == [True, False, False, False]
    assert run.loc[2, "linked_before"]
    assert not sandbox.associations("deals", "contacts").equals(before[DIRECTIONS[0]])
    result = undo(run, client, progress=False)
    assert_same(sandbox, before)
    assert len(result) == len(ROWS)
    assert set(result["action"]) == {"archive"}
    assert result["status"].tolist() == [
        "skipped", "skipped", "success", "success", "duplicate", "success", "skipped", "skipped",
    ]  # fmt: skip
    assert "existed before" in result.loc[0, "error_message"]
    assert "status failed" in result.loc[1, "error_message"]


def test_labels_archive_keeps_the_old_unlabeled_link(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    run = associate(pairs_sheet([ROWS[2]]), client, record_existing=True, progress=False)
    champion = sandbox.type_id("deals", "contacts", CHAMPION.label)
    linked = sandbox.associations("deals", "contacts").query(f"from_id == '{DEALS[2]}'")
    assert set(linked["type_id"]) == {3, champion}
    undo(run, client, progress=False)
    linked = sandbox.associations("deals", "contacts").query(f"from_id == '{DEALS[2]}'")
    assert set(linked["type_id"]) == {3}  # the pair's own link stays
    paths = _log_paths(sandbox)
    assert any(p.endswith("/batch/labels/archive") for p in paths)
    assert not any(p.endswith("/batch/archive") for p in paths)


def _log_paths(sb: Sandbox) -> list[str]:
    return [str(p) for p in sb.request_log()["path"]]


def test_undo_from_report_csv_and_journal(sandbox: Sandbox, tmp_path: Path) -> None:
    client = client_for(sandbox)
    before = snapshot(sandbox)
    journal = tmp_path / "run.sqlite"
    run = associate(pairs_sheet(ROWS), client, journal=journal, progress=False, batch_size=2)
    assert "existed_before" in run.columns  # a journal records the state before sending
    xlsx, csv = export_report(run, tmp_path / "r.xlsx"), export_report(run, tmp_path / "r.csv")
    assert load_run(csv)["status"].tolist() == run["status"].tolist()
    assert len(load_run(journal)) == 6  # every row the run sent successfully
    from_report = load_run(xlsx)
    assert from_report["existed_before"].map(str).tolist()[:2] == ["True", "False"]
    assert from_report["to_id"].tolist() == run["to_id"].tolist()
    planned = undo(xlsx, client, dry_run=True, progress=False)
    assert planned["status"].tolist().count("planned") == 3
    assert not sandbox.associations("deals", "contacts").equals(before[DIRECTIONS[0]])
    done = undo(journal, client, progress=False)
    assert sorted(done["status"]) == ["duplicate"] + ["skipped"] * 2 + ["success"] * 3
    assert_same(sandbox, before)
    archives = sum(p.endswith("/archive") for p in _log_paths(sandbox))
    again = undo(csv, client, progress=False)  # what is gone is reported as not there
    assert "success" not in set(again["status"])
    gone = again[again["error_code"] == "NOT_ASSOCIATED"]
    # the rows the first undo took back (the repeated pair's two rows included)
    assert gone["status"].tolist() == ["skipped"] * 4
    assert gone["error_message"].str.startswith("Not there:").all()
    assert sum(p.endswith("/archive") for p in _log_paths(sandbox)) == archives  # none sent
    assert_same(sandbox, before)


def test_rows_a_lost_answer_may_have_applied_are_undone_after_the_day_ran_out(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    """The write's answer is lost and it used the day's last request: its retry and the check
    are refused by the client's own daily count.  The rows are UNKNOWN_OUTCOME, not "not
    sent", so the next day an undo from the journal takes them back."""
    sb = sandbox_factory(daily_limit=3, faults={"lost_response_rate": 1.0, "writes_only": True})
    before = snapshot(sb)
    journal = tmp_path / "run.sqlite"
    rows = [(DEALS[9], CONTACTS[50], "Champion"), (DEALS[10], CONTACTS[51], "Champion")]
    run = associate(pairs_sheet(rows), client_for(sb), journal=journal, progress=False)
    log = sb.request_log()  # the labels, the state before, the write (its answer lost)
    assert log["path"].iloc[-1].endswith("/batch/create") and log["status"].iloc[-1] == 0
    assert len(log) == 3
    assert run["status"].tolist() == ["failed"] * 2
    assert run["error_code"].tolist() == ["UNKNOWN_OUTCOME"] * 2
    assert not sb.associations("deals", "contacts").equals(before[DIRECTIONS[0]])
    sb.set_daily_limit(None)  # the next day
    sb.set_faults()
    done = undo(journal, client_for(sb), progress=False)
    assert set(done["status"]) == {"success"}
    assert_same(sb, before)


def test_resumed_run_keeps_the_first_reading(sandbox: Sandbox, tmp_path: Path) -> None:
    """A run cancelled after its first batch and resumed with its journal reports what the
    pairs held before the first attempt (not its own earlier work as old links), and its undo
    takes back both parts.  After a run that finished, the next run with the journal is a new
    run: what it reports existed is what existed before it."""
    client = client_for(sandbox)
    before = snapshot(sandbox)
    journal = tmp_path / "run.sqlite"
    rows = [(DEALS[8], CONTACTS[40 + n], "") for n in range(6)]
    cancel = threading.Event()
    first = associate(
        pairs_sheet(rows), client, journal=journal, progress=False, batch_size=2, workers=1,
        cancel=cancel, on_progress=lambda done: cancel.set(),
    )  # fmt: skip
    status = first["status"].tolist()  # the second batch may have left as the first was read
    assert status[:2] == ["success"] * 2 and status[4:] == ["skipped"] * 2
    second = associate(pairs_sheet(rows), client, journal=journal, progress=False, batch_size=2)
    assert second["existed_before"].tolist() == [False] * 6  # not the first part's own work
    with Journal(journal) as opened:
        assert len(opened.created()) == 6
    third = associate(pairs_sheet(rows), client, journal=journal, progress=False, batch_size=2)
    assert third["existed_before"].tolist() == [True] * 6  # the second run finished
    undo(second, client, progress=False)
    assert_same(sandbox, before)


def test_without_a_record_nothing_is_removed(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    run = associate(pairs_sheet(ROWS[5:6]), client, progress=False)
    assert "existed_before" not in run.columns
    result = undo(run, client, progress=False)
    assert result["status"].tolist() == ["skipped"]
    assert "did not record" in result.loc[0, "error_message"]
    assert len(sandbox.associations("deals", "contacts").query(f"from_id == '{DEALS[6]}'")) == 1


def test_remove_associations_on_purpose(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    email = contact_properties()[1]["email"]
    pairs = pd.DataFrame(
        {
            "Deal ID": [DEALS[0], DEALS[2], DEALS[9]],
            "Contact email": [email, contact_properties()[3]["email"], "nobody@example.com"],
            "Label": ["Decision maker", "", ""],
        }
    )
    result = remove_associations(pairs, client, progress=False)
    assert result["action"].tolist() == ["archive"] * 3
    assert result["status"].tolist() == ["success", "success", "failed"]
    assert result.loc[2, "error_code"] == "OBJECT_NOT_FOUND"
    links = sandbox.associations("deals", "contacts")
    first = links.query(f"from_id == '{DEALS[0]}' and to_id == '{CONTACTS[1]}'")
    assert set(first["type_id"]) == {3}  # the label went, the unlabeled link stayed
    assert links.query(f"from_id == '{DEALS[2]}'").empty  # the whole association went
    assert sandbox.type_id("deals", "contacts", DECISION_MAKER.label) in set(
        links.query(f"from_id == '{DEALS[0]}'")["type_id"]
    )


def test_removing_what_is_not_there_says_so(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    rows = [
        (DEALS[0], CONTACTS[0], "Decision maker"),  # there: removed
        (DEALS[0], CONTACTS[0], "Champion"),  # the pair is linked, not with this label
        (DEALS[10], CONTACTS[50], ""),  # not associated at all
    ]
    planned = remove_associations(pairs_sheet(rows), client, dry_run=True, progress=False)
    assert planned["status"].tolist() == ["planned", "skipped", "skipped"]
    result = remove_associations(pairs_sheet(rows), client, progress=False)
    assert result["status"].tolist() == ["success", "skipped", "skipped"]
    assert result["error_code"].tolist()[1:] == ["NOT_ASSOCIATED"] * 2
    assert 'do not have the label "Champion"' in result.loc[1, "error_message"]
    assert "are not associated in HubSpot" in result.loc[2, "error_message"]
    writes = [p for p in _log_paths(sandbox) if p.endswith("/archive")]
    assert len(writes) == 1  # only the row that was there was sent


def test_load_run_refuses_other_files(tmp_path: Path) -> None:
    other = tmp_path / "x.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a hubframe associate report"):
        load_run(other)
    frame: Any = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="status"):
        load_run(frame)


def _edited_report(sandbox: Sandbox, tmp_path: Path) -> pd.DataFrame:
    run = associate(pairs_sheet(ROWS), client_for(sandbox), journal=tmp_path / "j.sqlite")
    report = export_report(run, tmp_path / "r.csv")
    return pd.read_csv(report, dtype=str, keep_default_na=False)


#: Type id cells an analyst (or a spreadsheet) may leave in a report: each names no type id.
NOT_TYPE_IDS = ["abc", "1.5", "1e3", "-1001", "99999999999999999999", "1,001", "TRUE", "1001 x"]
#: Id cells that no longer hold the id the run wrote.
NOT_IDS = ["3.00E+09", "2,040,000,001", "2040000001.5", "", "abc", "0", "1" * 19]
EDITS = [("type_id", cell, "is not an") for cell in NOT_TYPE_IDS] + [
    (column, cell, "") for column in ("from_id", "to_id") for cell in NOT_IDS
]


def test_an_edited_cell_undo_acts_on_stops_it_naming_the_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Undo acts on a report's type ids, record ids and object types: each cell edited into
    something that is not one (line 4 of the report, a success) stops the undo naming the
    line and the value, before anything is read or sent.  Before, a type id of 1.5 crashed,
    1e3 became 1000, text became 'no type' (which undoes a whole pair), and an id that was not
    the run's was 'Not there', leaving the run's association in the portal."""
    table = _edited_report(sandbox, tmp_path)
    assert table.loc[2, "status"] == "success"
    sandbox.reset_request_log()
    for column, cell, said in EDITS:
        edited = tmp_path / "edited.csv"
        table.assign(**{column: table[column].where(table.index != 2, cell)}).to_csv(
            edited, index=False
        )
        pattern = rf"edited.csv: line 4: {column} '{re.escape(cell)}' {said}"
        with pytest.raises(ValueError, match=pattern):
            undo(edited, client_for(sandbox), progress=False)
    assert sandbox.request_log().empty  # nothing read, nothing sent


def test_a_blank_line_in_a_csv_report_keeps_the_lines_named(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A line emptied in a CSV report (an analyst deleted a row's text) is left alone, and the
    lines after it keep their numbers: the bad cell on line 5 is said to be on line 5 (the
    reader used to skip blank lines, so it said line 4, another row)."""
    table = _edited_report(sandbox, tmp_path)
    edited = tmp_path / "edited.csv"
    table.assign(from_id=table["from_id"].where(table.index != 2, "3.00E+09")).to_csv(
        edited, index=False
    )
    lines = edited.read_text().splitlines(keepends=True)
    edited.write_text("".join([*lines[:2], "\n", *lines[2:]]))  # a blank line 3
    with pytest.raises(ValueError, match=r"edited.csv: line 5: from_id '3.00E\+09'"):
        undo(edited, client_for(sandbox), progress=False)
    table.to_csv(edited, index=False)
    lines = edited.read_text().splitlines(keepends=True)
    edited.write_text("".join([*lines[:2], ",,,\n", "\n", *lines[2:]]))
    loaded = load_run(edited)
    assert len(loaded) == len(table) + 2 and loaded["status"].iloc[1:3].isna().all()
    links = len(sandbox.associations("deals", "contacts"))
    undone = undo(edited, client_for(sandbox), progress=False)
    assert len(undone) == len(table) + 2
    assert undone["status"].iloc[1:3].tolist() == ["skipped", "skipped"], undone.iloc[1:3]
    assert len(sandbox.associations("deals", "contacts")) < links  # the run was undone


@pytest.mark.parametrize("cell", ["1001.0", " 1001 ", "1001"])
def test_a_type_id_as_excel_shows_it_is_read(tmp_path: Path, cell: str) -> None:
    table = pd.DataFrame(
        {"from_type": ["deals"], "from_id": ["1"], "to_type": ["contacts"], "to_id": ["2"]}
    )
    table = table.assign(status="success", row=cell, type_id=cell)
    table.to_csv(tmp_path / "r.csv", index=False)
    loaded = load_run(tmp_path / "r.csv")
    assert loaded["type_id"].tolist() == [1001] and loaded["row"].tolist() == [1001]
    table.assign(row="1.5 (moved)").to_csv(tmp_path / "r.csv", index=False)  # shown, not used
    assert load_run(tmp_path / "r.csv")["row"].isna().all()


def test_a_result_table_with_a_fractional_type_id_is_refused() -> None:
    table = pd.DataFrame({"status": ["success", "success"], "type_id": [1001.0, 1.5]})
    with pytest.raises(ValueError, match=r"position 1: type_id 1.5 is not an association type"):
        load_run(table)
    assert load_run(table.iloc[:1])["type_id"].tolist() == [1001]


# --- record ids and object types as a spreadsheet saves them -------------------------------------


def test_ids_resaved_as_excel_writes_them_are_still_undone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A report saved again by a spreadsheet or pandas: ids with a '.0' tail, number cells,
    spaces around, object types in other spellings. Undo takes back every row it took back
    before; before the fix such rows were 'Not there' and stayed in the portal."""
    before = snapshot(sandbox)
    table = _edited_report(sandbox, tmp_path)
    plan = undo(tmp_path / "r.csv", client_for(sandbox), dry_run=True, progress=False)
    expected = plan["status"].replace("planned", "success").tolist()
    assert "success" in expected
    done = table["status"] == "success"
    table.loc[done, "from_id"] = table.loc[done, "from_id"] + ".0"
    table.loc[done, "to_id"] = " " + table.loc[done, "to_id"] + " "
    table.loc[done, "from_type"] = table.loc[done, "from_type"].str.title().str.rstrip("s")
    edited = tmp_path / "edited.csv"
    table.to_csv(edited, index=False)
    result = undo(edited, client_for(sandbox), progress=False)
    assert result["status"].tolist() == expected
    assert_same(sandbox, before)


def test_a_result_table_read_back_with_number_columns_is_undone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    before = snapshot(sandbox)
    run = associate(pairs_sheet(ROWS), client_for(sandbox), journal=tmp_path / "j.sqlite")
    report = export_report(run, tmp_path / "r.csv")
    plan = undo(report, client_for(sandbox), dry_run=True, progress=False)
    numbers = pd.read_csv(report)  # ids as int64 / float64
    numbers.loc[len(numbers)] = numbers.iloc[-1]  # a float column (NaN) for the ids
    numbers.loc[len(numbers) - 1, ["from_id", "status"]] = [float("nan"), "invalid"]
    assert numbers["from_id"].dtype == "float64"
    result = undo(numbers, client_for(sandbox), progress=False)
    assert result["status"].tolist()[:-1] == plan["status"].replace("planned", "success").tolist()
    assert_same(sandbox, before)


def test_an_unknown_object_type_stops_undo_and_rows_not_acted_on_are_free(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    table = _edited_report(sandbox, tmp_path)
    table.loc[2, "to_type"] = "people"
    table.to_csv(tmp_path / "edited.csv", index=False)
    with pytest.raises(ValueError, match=r"line 4: to_type 'people' is not an object type"):
        undo(tmp_path / "edited.csv", client_for(sandbox), progress=False)
    table.loc[2, ["to_type", "status"]] = ["people", "invalid"]  # not acted on: left as written
    table.loc[2, "from_id"] = "1.2345E+11"
    table.to_csv(tmp_path / "edited.csv", index=False)
    result = undo(tmp_path / "edited.csv", client_for(sandbox), progress=False)
    assert result.loc[2, "status"] == "skipped"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda lines: [lines[0], lines[1].rstrip("\r\n") + ",my note\n", *lines[2:]],
            "line 2 has",
        ),
        (lambda lines: [*lines, '"never closed,x\n'], "quote never closed"),
        (lambda lines: [], "empty"),
    ],
    ids=["a cell past the last column", "an open quote", "empty"],
)
def test_a_damaged_csv_report_stops_the_undo_naming_the_line(
    sandbox: Sandbox, tmp_path: Path, edit: Any, said: str
) -> None:
    """A CSV report edited by hand: a note typed past the last column made pandas take the
    first cell of every line for an index, so every cell moved a column and the undo read
    statuses from the action column (nothing undone, no word said)."""
    table = _edited_report(sandbox, tmp_path)
    path = tmp_path / "edited.csv"
    table.to_csv(path, index=False)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(edit(lines)))
    sandbox.reset_request_log()
    with pytest.raises(InputError, match=said):
        undo(path, client_for(sandbox), progress=False)
    assert sandbox.request_log().empty


def test_a_csv_report_with_a_repeated_header_reads_as_pandas_names_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "from_type,from_id,to_type,to_id,status,Notes,Notes\ndeals,1,contacts,2,failed,a,b\n"
    )
    table = load_run(path)
    assert table[["Notes", "Notes.1"]].values.tolist() == [["a", "b"]]


def test_an_undo_with_another_portals_token_is_refused(sandbox_factory: Any) -> None:
    """Every HubSpot portal is at api.hubapi.com: a result table's host alone let an undo with
    another portal's token go on, removing that portal's associations the table lists.  The
    table keeps a salted hash of its run's token (never the token), and the undo stops before
    anything is read or sent; with the run's own token it goes on."""
    sb = sandbox_factory(seed="demo")
    sheet = pairs_sheet([("2040000001", "1019360091", "")])
    result = associate(sheet, client_for(sb), record_existing=True, progress=False)
    other = client_for(sb, token=sb.create_token(["crm.objects.deals.write"]))
    sb.reset_request_log()
    with pytest.raises(InputError, match="another access token") as info:
        undo(result, other, progress=False)
    assert sb.request_log().empty and sb.token not in str(info.value)
    links = sb.associations("deals", "contacts")
    assert (links["to_id"].astype(str) == "1019360091").sum() == 1
    assert undo(result, client_for(sb), progress=False)["status"].tolist() == ["success"]


def test_an_edited_result_table_with_odd_cells_is_refused_by_name(sandbox: Sandbox) -> None:
    """A result table given back to undo with an odd object in a column it reads (an int past
    int64, a signalling-NaN Decimal, a dict, a date) made load_run fail with Python's own
    errors (TypeError: Cannot hash a signaling NaN value; ValueError: Exceeds the limit (4300
    digits)...); it is refused with an InputError naming the cell, or read as the text it is."""
    import datetime as dt
    import decimal

    import numpy as np
    from oddcells import NoText, edits, refused_or_done

    result = associate(pairs_sheet(ROWS[:3]), client_for(sandbox), progress=False)
    odd = [
        10**5000,
        2**64,
        decimal.Decimal("sNaN"),
        decimal.Decimal("1001"),
        {"a": 1},
        [1],
        dt.date(2020, 1, 1),
        pd.Period("2020", "Y"),
        np.datetime64("2021"),
        NoText(),
    ]
    columns = ["from_id", "to_id", "type_id", "status", "action", "from_type", "label", "row"]
    for case, table in edits(result, columns, odd):
        refused_or_done(lambda table=table: load_run(table), case)
