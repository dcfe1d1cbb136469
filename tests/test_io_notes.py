"""What a read notes beside its frame, typed and as lines (hubframe.io.notes)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from hubframe.io import ReadNotes, read_notes, read_pairs
from hubframe.io.columns import TypeGuess
from hubframe.io.sheet import SkippedSheet
from hubframe.io.syntax import CLI


def test_notes_of_an_export_read_as_lines_in_both_syntaxes() -> None:
    data = io.BytesIO(b"Record ID,Associated Contact IDs\n1,2\n3,\n")
    data.name = "hubspot-crm-exports-all-deals-2026-11-29.csv"  # type: ignore[attr-defined]
    notes = read_notes(read_pairs(data))
    assert notes.guessed_types == {"from": TypeGuess("deals", "file name", data.name)}
    assert notes.no_targets == 1 and notes.sheets == [] and notes.skipped == []
    lines = notes.messages(CLI)
    assert lines[0] == (
        "info",
        f"{data.name}: from type deals, from the file name; --from sets another",
    )
    assert lines[1][0] == "info" and "NO_TARGETS" in lines[1][1]
    assert "from_type= sets another" in notes.messages()[0][1]


def test_notes_survive_a_copy_and_default_to_nothing() -> None:
    frame = read_pairs(b"Deal ID,Contact ID\n1,2\n")
    assert read_notes(frame.copy()) == ReadNotes(source="<bytes>", rows=1)
    assert read_notes(frame).messages() == []
    assert read_notes(pd.DataFrame()) == ReadNotes()


def test_skipped_sheets_are_warnings() -> None:
    notes = ReadNotes("b.xlsx", ["Links"], "by name", [SkippedSheet("Old", "hidden")])
    assert notes.messages() == [
        ("info", "b.xlsx: read sheet 'Links' (by name)"),
        ("warning", "b.xlsx: sheet 'Old' skipped: hidden"),
    ]


BOOK = {
    "January": [["Deal ID", "Contact ID"], ["2040000001", "1019360001"]],
    "February": [["Deal ID", "Contact ID"], ["2040000002", "1019360002"]],
    "March": [["Deal #", "Contact #"], ["2040000003", "1019360003"]],
    "Notes": [["call the buyer"], ["budget"]],
}


def test_python_reads_warn_of_sheets_holding_rows_they_leave_out() -> None:
    """From Python nothing else said that February's pairs were not read."""
    import warnings

    from hubframe.io import SheetsLeftOut
    from hubframe.testing import workbook_bytes

    with pytest.warns(SheetsLeftOut) as caught:
        read_pairs(workbook_bytes(BOOK), from_type="deals", to_type="contacts")
    said = [str(w.message) for w in caught if w.category is SheetsLeftOut]
    assert len(said) == 1  # one warning, however many sheets
    assert "sheet 'February' was not read" in said[0] and "sheet 'March'" in said[0]
    assert "Notes" not in said[0]
    assert caught[0].filename == __file__  # it points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", SheetsLeftOut)
        read_pairs(workbook_bytes({"January": BOOK["January"], "Notes": BOOK["Notes"]}))
        read_pairs(
            workbook_bytes({k: v for k, v in BOOK.items() if k != "March"}),
            sheet="*",
            from_type="deals",
            to_type="contacts",
        )


def test_the_command_line_says_a_sheet_left_out_once_in_its_own_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubframe.cli import main
    from hubframe.testing import workbook_bytes

    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(BOOK))
    assert main(["validate", str(path), "--from", "deals", "--to", "contacts"]) == 0
    labels = ["labels", str(path), "--from", "deals", "--to", "contacts", "--dry-run"]
    assert main([*labels, "--sandbox"]) in (0, 1)
    err = capsys.readouterr().err
    assert "SheetsLeftOut" not in err and "Traceback" not in err
    assert err.count("sheet 'February'") == 2  # once per command


EMPTY_READS = {
    "header alone, csv": ("pairs.csv", b"from_type,from_id,to_type,to_id\n", "the file holds"),
    "empty rows, csv": ("pairs.csv", b"Deal ID,Contact ID\n,\n , \n", "the file holds"),
    "limits header, csv": ("limits.csv", b"object_type,to_object_type,max\n", "the file holds"),
    "header alone, xlsx": ("pairs.xlsx", [["Deal ID", "Contact ID"]], "the sheet read holds"),
    "empty rows, xlsx": (
        "pairs.xlsx",
        [["Deal ID", "Contact ID"], [None, " "]],
        "the sheet read holds",
    ),
}


#: each pairs sheet to the commands that read pairs, the limits sheet to limits
EMPTY_RUNS = [
    (command, case)
    for case in EMPTY_READS
    for command in (
        ["limits"] if case.startswith("limits") else ["validate", "associate", "remove"]
    )
]


@pytest.mark.parametrize(("command", "case"), EMPTY_RUNS)
def test_a_sheet_holding_no_rows_is_warned_of(
    case: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A header alone (the wrong file saved, every row filtered out) gave "0 rows, no problems
    found" and a run of nothing, exit 0, with no word that nothing was read."""
    from hubframe.cli import main
    from hubframe.testing import xlsx_bytes

    name, content, where = EMPTY_READS[case]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else xlsx_bytes(content))
    dry = [] if command == "validate" else ["--sandbox", "--dry-run"]
    assert main([command, str(path), *dry, "--from", "deals", "--to", "contacts"]) == 0
    said = capsys.readouterr().err
    assert f"warning: {name}: {where} no rows below the header" in said, said


def test_a_sheet_holding_rows_has_no_such_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_bytes(b"Deal ID,Contact ID\n,\n1,2\n")
    from hubframe.cli import main

    assert main(["validate", str(path), "--from", "deals", "--to", "contacts"]) == 0
    assert "no rows below the header" not in capsys.readouterr().err
