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
    assert read_notes(frame.copy()) == ReadNotes(source="<bytes>")
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
