"""What a read notes beside its frame, typed and as lines (hubframe.io.notes)."""

from __future__ import annotations

import io

import pandas as pd

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
