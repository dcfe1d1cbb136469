"""A CSV report a stray quote stretched over its rows is refused, never undone in part.

A report saved as CSV and edited in a text editor: a quote typed at the start of a note
(``"Met at fair``) and a later one (``27"``) made every line between them one cell, and the
report rows on those lines vanished from the read; an undo took back the rows it still saw and
said nothing of the others.  Now such a report is refused, naming the line; notes of several
lines (addresses, amounts, paragraphs) read as before.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.report.reader import load_run
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

ROWS = 6
NOTES = [
    "plain",
    "12 Main St\nSpringfield, IL 62701",
    "Budget: 1,200\n2,400 next year",
    "Call back\n\nafter 5 pm, ext. 204",
    'He said "yes"',
    "Tel 555 0100, 555 0101\nFax 555 0102",
    "deals\ncontacts",
]


@pytest.fixture(scope="module", params=["own names", "hubframe's names"])
def report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[str], list[list[str]]]:
    """A run's CSV report (header, rows), its notes several lines long in places; the sheet's
    columns named the analyst's way (the report repeats its ids: a row made of two rows' cells
    disagrees with itself) or hubframe's (nothing to compare a row's ids with)."""
    deals = [str(d) for d in demo_ids("deals")[:ROWS]]
    contacts = [str(c) for c in demo_ids("contacts")[:ROWS]]
    notes = [NOTES[n % len(NOTES)] for n in range(ROWS)]
    if request.param == "own names":
        sheet = pd.DataFrame({"Deal ID": deals, "Contact ID": contacts, "Notes": notes})
    else:
        sheet = pd.DataFrame(
            {
                "from_type": "deals",
                "from_id": deals,
                "to_type": "contacts",
                "to_id": contacts,
                "Notes": notes,
            }
        )
    path = tmp_path_factory.mktemp("report") / "report.csv"
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(sheet), client_for(sb), progress=False)
    hf.export_report(result, path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _with_stray_quote(text: str, opens: int, closes: int, note: int) -> str:
    """The report's text as a text editor leaves it: a quote typed at the start of row
    ``opens``'s note, and an inch mark at the end of row ``closes``'s (a cell of its own)."""
    lines = text.split("\r\n")
    header = next(csv.reader([lines[0]]))
    out = []
    for n, line in enumerate(lines):
        cells = line.split(",")
        if n in (opens, closes) and len(cells) == len(header):
            cells[note] = ('"' + cells[note]) if n == opens else (cells[note] + ' 27"')
            line = ",".join(cells)
        out.append(line)
    return "\r\n".join(out)


def _plain_rows(rows: list[list[str]], note: int) -> list[list[str]]:
    """The rows with notes of one line without quotes (each row one line of the file)."""
    return [[*r[:note], f"note {n}", *r[note + 1 :]] for n, r in enumerate(rows)]


@pytest.mark.parametrize(("opens", "closes"), [(1, 3), (1, 2), (2, 6), (1, 6)])
def test_a_stray_quote_that_takes_rows_is_refused(
    report: tuple[list[str], list[list[str]]], tmp_path: Path, opens: int, closes: int
) -> None:
    header, rows = report
    note = header.index("Notes")
    plain = _write(tmp_path / "plain.csv", header, _plain_rows(rows, note))
    assert len(load_run(plain)) == ROWS
    edited = tmp_path / "edited.csv"
    edited.write_text(
        _with_stray_quote(plain.read_bytes().decode("utf-8"), opens, closes, note),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=rf"opens a cell on line {opens + 1} \(Notes\)") as info:
        load_run(edited)
    assert f"closed only on line {closes + 1}" in str(info.value)
    assert "left out of the undo" in str(info.value)
    with Sandbox(seed="demo") as sb, pytest.raises(InputError, match="left out of the undo"):
        hf.undo(edited, client_for(sb), dry_run=True, progress=False)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_notes_of_several_lines_read_as_written(
    report: tuple[list[str], list[list[str]]], tmp_path: Path, delimiter: str
) -> None:
    header, rows = report
    path = _write(tmp_path / "report.csv", header, rows, delimiter)
    read = load_run(path)
    assert len(read) == ROWS
    assert read["Notes"].tolist() == [r[header.index("Notes")] for r in rows]
    assert read["from_id"].tolist() == [r[header.index("from_id")] for r in rows]


def _cell(text: str) -> str:
    """A note as a CSV writer writes it: quoted when it holds a quote, comma or line break."""
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


@pytest.mark.parametrize("seed", seeds(12))
def test_a_report_is_read_whole_or_refused(
    report: tuple[list[str], list[list[str]]], tmp_path: Path, seed: int
) -> None:
    """Seeded: notes of any lines, and (mostly) a quote typed at the start of one row's note
    and an inch mark at the end of a later row's: the read holds every row's ids as
    written, or the report is refused; it never holds fewer rows."""
    rng = random.Random(seed)
    header, rows = report
    note = header.index("Notes")
    notes = [rng.choice([*NOTES, "x", ""]) for _ in rows]
    cells = [_cell(text) for text in notes]
    plain = [n for n, text in enumerate(notes) if cells[n] == text]  # written as typed
    if len(plain) >= 2 and rng.random() < 0.8:
        opens, closes = sorted(rng.sample(plain, 2))
        cells[opens] = '"' + notes[opens]
        cells[closes] = notes[closes] + rng.choice(['"', ' 27"'])
    lines = [",".join(header)]
    lines += [",".join([*r[:note], c, *r[note + 1 :]]) for r, c in zip(rows, cells, strict=True)]
    path = tmp_path / "edited.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    try:
        read = load_run(path)
    except InputError:
        return
    assert len(read) == ROWS, cells
    for column in ("from_id", "to_id"):
        assert read[column].tolist() == [r[header.index(column)] for r in rows], cells


def test_the_line_named_is_the_quotes_own_after_a_cell_of_several_lines(
    report: tuple[list[str], list[list[str]]], tmp_path: Path
) -> None:
    """The row the stray quote opens in holds a message of two lines before the note: the
    quote is on the row's second line of the file, and the refusal names that line."""
    header, rows = report
    note, said = header.index("Notes"), header.index("error_message")
    plain = _plain_rows(rows, note)
    lines = [",".join(header)]
    for n, cells in enumerate(plain):
        cells = list(cells)
        if n == 0:  # file lines 2 and 3: the message's two lines, then the typed quote
            cells[said], cells[note] = '"Checked\nby hand"', '"' + cells[note]
        if n == 2:
            cells[note] += ' 27"'
        lines.append(",".join(cells))
    path = tmp_path / "edited.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"opens a cell on line 3 \(Notes\)") as info:
        load_run(path)
    assert "closed only on line 5" in str(info.value)
