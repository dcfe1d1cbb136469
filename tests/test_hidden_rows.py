"""Rows a workbook hides (a filter, Hide Rows) are read and sent like the others, and said to
be: a HIDDEN_ROW warning per row, and one warning line from the read.  An analyst who filtered
the sheet down to the rows they meant must not learn only from the portal that the others
went too."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

import hubframe as hf
from hubframe.io import read_notes
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

REPO = Path(__file__).resolve().parent.parent


def _book(sheets: dict[str, list[list[object]]], hidden: dict[str, list[int]]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for number in hidden.get(title, []):
            ws.row_dimensions[number].hidden = True
        ws.column_dimensions["D"].hidden = True  # a hidden column hides no row
        ws.auto_filter.ref = f"A1:C{len(rows)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _warned(pairs: pd.DataFrame) -> list[int]:
    issues = hf.validate_pairs(pairs)
    hidden = issues.loc[issues["code"] == "HIDDEN_ROW"]
    assert set(hidden["severity"]) <= {"warning"}
    return [int(r) for r in hidden["row"]]


def _rows(n: int, start: int = 0) -> list[list[object]]:
    return [
        [str(7_000_000_001 + start + i), str(8_000_000_001 + start + i), None] for i in range(n)
    ]


def test_hidden_rows_are_warned_row_by_row_and_sent(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    rows = [["Deal ID", "Contact ID", "Label"], *_rows(6)]
    data = _book({"Links": rows}, {"Links": [3, 6]})
    pairs = hf.read_pairs(data)
    assert len(pairs) == 6  # nothing left out
    assert _warned(pairs) == [3, 6]
    notes = read_notes(pairs).messages()
    said = [text for level, text in notes if level == "warning"]
    assert len(said) == 1 and "2 row(s) hidden" in said[0] and "row 3, 6" in said[0]
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", [r[0] for r in rows[1:]])
    sb.add_records("contacts", [r[1] for r in rows[1:]])
    result = hf.associate(pairs, client_for(sb), progress=False)
    assert set(result["status"]) == {"success"}  # a warning: sent like the others
    assert len(sb.associations("deals", "contacts")) == 6


def test_only_hidden_rows_of_the_table_are_named() -> None:
    """A hidden title block above the header, hidden blank rows and a sheet without hidden
    rows: no warning; no private column either."""
    rows = [["Links of 2026"], [], ["Deal ID", "Contact ID", "Label"], *_rows(2), [], *_rows(1, 5)]
    pairs = hf.read_pairs(_book({"Links": rows}, {"Links": [1, 2, 6]}))
    assert pairs["row"].tolist() == [4, 5, 7]
    assert _warned(pairs) == []
    assert not [t for level, t in read_notes(pairs).messages() if level == "warning"]
    plain = hf.read_pairs(_book({"Links": rows}, {}))
    assert not any(str(c).startswith("_raw_hidden") for c in plain.columns)


def test_every_sheet_and_every_pair_of_an_exported_row() -> None:
    header = ["Record ID", "Deal Name", "Associated Contact IDs"]
    jan = [header, ["7000000001", "A", "8000000001;8000000002"], ["7000000002", "B", "8000000003"]]
    feb = [header, ["7000000003", "C", "8000000004"], ["7000000004", "D", "8000000005;8000000006"]]
    data = _book({"January": jan, "February": feb}, {"January": [2], "February": [3]})
    pairs = hf.read_pairs(data, sheet="*", from_type="deals")
    issues = hf.validate_pairs(pairs)
    hidden = issues.loc[issues["code"] == "HIDDEN_ROW", ["sheet", "row"]]
    assert sorted(map(tuple, hidden.values.tolist())) == [
        ("February", 3),
        ("February", 3),
        ("January", 2),
        ("January", 2),
    ]  # one warning per pair read from the row (two ids each)


def test_the_command_line_warns_before_it_sends(tmp_path: Path) -> None:
    path = tmp_path / "links.xlsx"
    path.write_bytes(
        _book({"Links": [["Deal ID", "Contact ID", "Label"], *_rows(3)]}, {"Links": [2]})
    )
    proc = subprocess.run(
        [sys.executable, "-m", "hubframe", "associate", str(path), "--sandbox", "--dry-run"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert "1 row(s) hidden in the workbook (sheet 'Links' row 2" in proc.stderr, proc.stderr


def test_a_limits_sheet_warns_too() -> None:
    rows = [
        ["From object", "To object", "Max"],
        ["deals", "contacts", 3],
        ["deals", "companies", 2],
    ]
    limits = hf.read_limits(_book({"Limits": rows}, {"Limits": [3]}))
    issues = hf.validate_limits(limits)
    assert issues.loc[issues["code"] == "HIDDEN_ROW", "row"].tolist() == [3]
