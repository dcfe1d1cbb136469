"""A hidden column hubframe reads is named in the read's notes (CLI, notebook app, Python).

An export keeps both "Contact ID" and "Contact email"; an analyst hides the id column, edits
the emails, and expects them to be used -- but ids come first, so the hidden (stale) ids are
what would be sent, without a word.  The read now says which columns it reads that the workbook
hides; columns it only carries are not named.  Both Excel engines, any column offset.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from workbook_features import read_with

import hubframe as hf
from hubframe.cli import main
from hubframe.io import read_notes
from hubframe.io.hidden import hidden_columns, hidden_rows, may_hide_rows

HEADER = ["Deal ID", "Contact ID", "Contact email", "Notes"]
ROW = ["2040000001", "1019360001", "a@example.com", "n"]


def _book(hide: list[str], *, offset: int = 0, sheets: int = 1) -> bytes:
    book = Workbook()
    for n in range(sheets):
        ws = book.active if n == 0 else book.create_sheet()
        assert ws is not None
        ws.title = f"S{n + 1}"
        for r, row in enumerate([HEADER, ROW], start=1):
            for c, value in enumerate(row, start=1 + offset):
                ws.cell(row=r, column=c, value=value)
        for letters in hide:
            ws.column_dimensions[letters].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _warnings(data: bytes, **kw: Any) -> list[str]:
    return [
        t for level, t in read_notes(hf.read_pairs(data, **kw)).messages() if level == "warning"
    ]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_hidden_id_column_is_named_and_a_hidden_carried_one_is_not(engine: str) -> None:
    with read_with(engine):
        said = _warnings(_book(["B", "D"]))
        assert len(said) == 1
        assert "sheet 'S1': the column 'Contact ID' is hidden in the workbook" in said[0]
        assert "Notes" not in said[0]
        assert _warnings(_book(["C", "D"])) == []  # the emails and notes are only carried
        assert _warnings(_book([])) == []


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_columns_are_counted_from_where_the_sheet_starts(engine: str) -> None:
    with read_with(engine):
        said = _warnings(_book(["C", "D"], offset=2))  # the table starts in column C
        assert len(said) == 1 and "the columns 'Deal ID', 'Contact ID' are hidden" in said[0]
        assert "unhide them" in said[0]


def test_each_sheet_read_says_its_own() -> None:
    said = _warnings(_book(["A"], sheets=2), sheet="*")
    assert [re.search(r"sheet '(S\d)'", s).group(1) for s in said] == ["S1", "S2"]  # type: ignore[union-attr]


def test_ranges_and_spellings_of_hidden_columns() -> None:
    xml = (
        b'<worksheet><cols><col min="1" max="1" width="9"/><col min="2" max="3" hidden="1"/>'
        b'<x:col max="9" min="7" hidden="true" width="0"/><col min="12" max="12" hidden="0"/>'
        b"</cols></worksheet>"
    )
    assert hidden_columns(xml, range(1, 14)) == {2, 3, 7, 8, 9}


def test_the_cli_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "links.xlsx"
    path.write_bytes(_book(["B"]))
    main(["validate", str(path)])
    said = capsys.readouterr()
    assert "the column 'Contact ID' is hidden in the workbook" in said.out + said.err


def test_a_column_of_no_width_and_a_row_of_no_height_are_hidden() -> None:
    """Excel writes hidden="1" for them; other writers leave the size at 0, which Excel shows
    as nothing all the same.  A size that is not 0, and customHeight="0", hide nothing."""
    xml = (
        b'<worksheet><cols><col min="2" max="2" width="0" customWidth="1"/>'
        b"<col min='4' max='5' width='0.0'/><col min=\"6\" max=\"6\" width=\"0.5\"/></cols>"
        b'<sheetData><row r="3" ht="0" customHeight="1"/><row r="4" ht="0.75"/>'
        b'<row r="5" customHeight="0" ht="15"/><row r="6" spans="1:2" ht=\'0.0\'/></sheetData>'
        b"</worksheet>"
    )
    assert may_hide_rows(xml)
    assert hidden_columns(xml, range(1, 8)) == {2, 4, 5}
    assert hidden_rows(xml) == {3, 6}
    assert not may_hide_rows(b'<worksheet><row r="2" ht="15" customHeight="0"/></worksheet>')
