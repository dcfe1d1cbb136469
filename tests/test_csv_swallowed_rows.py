"""A stray quote in a CSV cell, closed only by a later quote lines below, took the rows between
into one cell: a note ``"Met at fair`` whose quote never closed on its line and a later note
``wants 27" monitor`` made the three rows between one Notes cell, and they vanished from the
read without a word ("success 2, total 2"; hunter found).  Such a file is now refused, naming
the row and line the quote opens on; notes of several lines, quoted as written (addresses,
phone numbers, paragraphs with commas), read as before, each row once."""

from __future__ import annotations

import random
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples, seeds
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError, SourceError
from hubframe.io.csv import csv_text

HEADERS = ["From Type", "From ID", "To Type", "To ID"]
DELIMITERS = [",", ";", "\t"]
NEWLINES = ["\n", "\r\n"]
#: Notes of several lines as analysts write them: addresses, phone numbers, amounts, lists.
LEGIT_NOTES = [
    "12 Main St, Apt 4\nSpringfield, IL 62704\nUSA",
    "Call +1 (555) 010-0199, ext. 12\nor 555-0100 after 5pm",
    "Budget: 10,000; paid 2,500\nrest due 2024-05-01",
    "10,000\n1,500,000\n2;3",
    "Order 4471, 12 units\n\nshipped to: 1 Infinite Loop, Cupertino, CA 95014",
    'He said "call me"\r\nthen, 2 days later; nothing',
    "Met at the fair, booth 27, hall 3\n\tfollow up\tQ3",
    "line one\nline two\nline three\nline four",
]


class Raw(str):
    """A cell written as it is, unquoted (a stray quote an analyst typed)."""


def _cell(cell: str, delimiter: str) -> str:
    if isinstance(cell, Raw):
        return str(cell)
    if any(ch in cell for ch in (delimiter, '"', "\r", "\n")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _sheet(records: list[list[str]], delimiter: str, newline: str, bom: bool) -> bytes:
    text = "".join(delimiter.join(_cell(c, delimiter) for c in r) + newline for r in records)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


@dataclass(frozen=True)
class Pairs:
    """A pairs sheet: its rows' ids and notes, the Notes column's position."""

    ids: list[tuple[str, str]]
    notes: list[str]
    at: int  # the Notes column's position

    def records(self) -> list[list[str]]:
        header = [*HEADERS[: self.at], "Notes", *HEADERS[self.at :]]
        rows = []
        for (deal, contact), note in zip(self.ids, self.notes, strict=True):
            cells = ["deals", deal, "contacts", contact]
            rows.append([*cells[: self.at], note, *cells[self.at :]])
        return [header, *rows]


def _delimited_as_written(data: bytes, delimiter: str) -> bool:
    """Whether the reader takes the file's delimiter for the one it was written with.  A few
    rows of ``;`` or tab whose notes of several lines hold commas can read as ``,``-separated
    (more lines share a field count): a header it does not find, refused -- not this test's
    matter."""
    return csv_text(data, "sheet.csv")[1] == delimiter


def _read(data: bytes, as_file: bool) -> pd.DataFrame:
    if not as_file:
        return hf.read_pairs(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pairs.csv"
        path.write_bytes(data)
        return hf.read_pairs(path)


def _line_of(notes: list[str], index: int) -> int:
    """The line of the file row ``index`` of the sheet (0: the first below the header) begins on."""
    return 2 + index + sum(len(re.findall(r"\r\n|\r|\n", n)) for n in notes[:index])


def _refused_or_whole(sheet: Pairs, data: bytes, opens: int, as_file: bool) -> None:
    """The read refuses the file naming the row and line a stray quote opens in (row
    ``opens`` below the header), or gives every pair it lists -- never fewer."""
    try:
        pairs = _read(data, as_file)
    except InputError as exc:
        row, line = opens + 2, _line_of(sheet.notes, opens)
        assert re.search(rf"quote that opens a cell in row {row} \(Notes, line {line} ", str(exc))
        return
    assert pairs["from_id"].tolist() == [deal for deal, _ in sheet.ids]


ids = st.integers(10**4, 10**11).map(str)
#: Notes a stray quote can sweep past: no quote, line break or delimiter (written unquoted).
plain = st.text(alphabet="abc xyz0123456789-.:", max_size=12)


@st.composite
def stray_quotes(draw: st.DrawFn) -> tuple[Pairs, int, str, str, bool]:
    count = draw(st.integers(2, 8))
    opens = draw(st.integers(0, count - 2))
    closes = draw(st.integers(opens + 1, count - 1))
    delimiter, newline = draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(NEWLINES))
    notes: list[str] = []
    for n in range(count):
        if n < opens or n > closes:  # outside the quote: any note, quoted as written
            notes.append(draw(st.sampled_from(["", "ok", *LEGIT_NOTES])))
        elif n == opens:
            notes.append(Raw('"Met at fair' + draw(plain).replace(delimiter, "")))
        elif n == closes:
            notes.append(Raw("wants 27" + '" monitor' + draw(plain).replace(delimiter, "")))
        else:
            notes.append(draw(plain).replace(delimiter, ""))
    pairs = [(draw(ids), draw(ids)) for _ in range(count)]
    return (
        Pairs(pairs, notes, draw(st.integers(0, 4))),
        opens,
        delimiter,
        newline,
        draw(st.booleans()),
    )


@settings(max_examples=examples(80), deadline=None)
@given(case=stray_quotes(), as_file=st.booleans())
def test_a_stray_quote_closed_lines_below_is_refused_never_rows_lost(
    case: tuple[Pairs, int, str, str, bool], as_file: bool
) -> None:
    sheet, opens, delimiter, newline, bom = case
    data = _sheet(sheet.records(), delimiter, newline, bom)
    assume(_delimited_as_written(data, delimiter))
    _refused_or_whole(sheet, data, opens, as_file)


@st.composite
def legit_sheets(draw: st.DrawFn) -> tuple[Pairs, str, str, bool]:
    count = draw(st.integers(1, 8))
    notes = [draw(st.sampled_from(["", "ok", "a, b", *LEGIT_NOTES])) for _ in range(count)]
    pairs = [(draw(ids), draw(ids)) for _ in range(count)]
    delimiter, newline = draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(NEWLINES))
    return Pairs(pairs, notes, draw(st.integers(0, 4))), delimiter, newline, draw(st.booleans())


@settings(max_examples=examples(60), deadline=None)
@given(case=legit_sheets(), as_file=st.booleans())
def test_notes_of_several_lines_quoted_as_written_read_exactly(
    case: tuple[Pairs, str, str, bool], as_file: bool
) -> None:
    sheet, delimiter, newline, bom = case
    data = _sheet(sheet.records(), delimiter, newline, bom)
    assume(_delimited_as_written(data, delimiter))
    pairs = _read(data, as_file)
    assert pairs["row"].tolist() == list(range(2, 2 + len(sheet.ids)))
    assert pairs["from_id"].tolist() == [deal for deal, _ in sheet.ids]
    assert pairs["to_id"].tolist() == [contact for _, contact in sheet.ids]
    assert pairs["Notes"].tolist() == sheet.notes


@pytest.mark.parametrize("seed", seeds(12))
def test_seeded_sheets_with_notes_and_stray_quotes(seed: int, tmp_path: Path) -> None:
    """Longer sheets: many notes of several lines, and in half of them a stray quote."""
    rng = random.Random(seed)
    count = rng.randint(20, 80)
    notes = [rng.choice(["", "ok", "a, b", "call back", *LEGIT_NOTES]) for _ in range(count)]
    pairs = [(str(rng.randint(10**6, 10**11)), str(rng.randint(10**3, 10**9))) for _ in notes]
    delimiter, newline = rng.choice(DELIMITERS), rng.choice(NEWLINES)
    opens = -1
    if seed % 2:
        opens = rng.randint(0, count - 2)
        closes = rng.randint(opens + 1, min(count - 1, opens + 6))
        notes[opens] = Raw('"Met at fair')
        notes[closes] = Raw('wants 27" monitor')
        for n in range(opens + 1, closes):
            notes[n] = rng.choice(["", "ok", "call back"])
    sheet = Pairs(pairs, notes, rng.randint(0, 4))
    data = _sheet(sheet.records(), delimiter, newline, bom := rng.random() < 0.5)
    if not _delimited_as_written(data, delimiter):
        data = _sheet(sheet.records(), ",", newline, bom)  # see _delimited_as_written
    path = tmp_path / "pairs.csv"
    path.write_bytes(data)
    if opens >= 0:
        _refused_or_whole(sheet, path.read_bytes(), opens, as_file=True)
        with pytest.raises(InputError, match=f"row {opens + 2} "):
            hf.read_pairs(path)
        return
    read = hf.read_pairs(path)
    assert read["from_id"].tolist() == [deal for deal, _ in pairs]
    assert read["Notes"].tolist() == notes


HUNTER = (
    "Deal ID,Contact ID,Label,Notes\n"
    '2040000001,1019360001,Champion,"Met at fair\n'
    "2040000002,1019360002,Champion,call back\n"
    "2040000003,1019360003,Decision maker,ok\n"
    '2040000004,1019360004,Champion,wants 27" monitor\n'
    "2040000005,1019360005,Champion,done\n"
)


def test_the_hunters_file_is_refused_naming_the_row_the_cell_and_the_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "swallow.csv"
    path.write_text(HUNTER)
    with pytest.raises(InputError) as info:
        hf.read_pairs(path)
    said = str(info.value)
    assert said.startswith("swallow.csv: the quote that opens a cell in row 2 (Notes, line 2 ")
    assert "closed only 3 lines further down, so lines 3 to 5, which read as rows" in said
    assert '("Met at fair\\n2040000002,1019360002,Champion,call back\\n' in said
    assert '""' in said and "\n" not in said
    assert isinstance(info.value, SourceError)
    fixed = HUNTER.replace('"Met at fair', "Met at fair").replace('27" monitor', '27"" monitor')
    path.write_text(fixed)
    assert hf.read_pairs(path)["from_id"].tolist() == [f"204000000{n}" for n in range(1, 6)]


@pytest.mark.parametrize("at", range(5))
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_quote_closed_on_the_next_line_is_refused_in_any_column(at: int, delimiter: str) -> None:
    """One row taken: its cells before the note are on the closing line, the opening row's
    cells after it on the opening line."""
    notes = ["x", Raw('"Met at fair'), Raw('wants 27" monitor'), "y"]
    sheet = Pairs(
        [("2040000001", "101"), ("2040000002", "102"), ("3", "103"), ("4", "104")], notes, at
    )
    data = _sheet(sheet.records(), delimiter, "\r\n", bom=True)
    with pytest.raises(
        InputError, match=r"row 3 \(Notes, line 3 of the file\) is closed only 1 line"
    ):
        hf.read_pairs(data)


def test_the_line_named_counts_the_lines_of_notes_above() -> None:
    notes = ["a\nb\nc", "ok", Raw('"oops'), "fine", Raw('27" screen'), "z"]
    sheet = Pairs([(str(2040000000 + n), str(1019360000 + n)) for n in range(6)], notes, 4)
    data = _sheet(sheet.records(), ",", "\n", bom=False)
    with pytest.raises(InputError, match=r"row 4 \(Notes, line 6 of the file\).* lines 7 to 8,"):
        hf.read_pairs(data)


def test_a_limits_sheet_with_a_stray_quote_is_refused() -> None:
    text = (
        "From Type,To Type,Label,Limit,Notes\n"
        'deals,contacts,Champion,2,"first\n'
        "deals,contacts,Decision maker,3,second\n"
        'deals,companies,Buyer,1,27" screen\n'
    )
    with pytest.raises(InputError, match=r"row 2 \(Notes, line 2 of the file\)"):
        hf.read_limits(text.encode())


def test_a_ragged_file_read_by_the_slower_readers_is_refused_too() -> None:
    """A row with a cell past the header sends the file to pandas' and Python's readers."""
    text = (
        "From ID,To ID,Notes\n"
        "2040000001,1019360001,ok,extra\n"
        '2040000002,1019360002,"Met at fair\n'
        "2040000003,1019360003,call back\n"
        '2040000004,1019360004,27" screen\n'
    )
    with pytest.raises(InputError, match=r"row 3 \(Notes, line 3 of the file\)"):
        hf.read_pairs(text.encode(), from_type="deals", to_type="contacts")


def test_a_note_whose_lines_hold_no_row_reads_whatever_its_quotes() -> None:
    """A quote closed lines below around text that is not a row (a paragraph): one note."""
    text = 'From ID,To ID,Notes\n1,2,"Met at fair\nbig booth, hall 3\n27" screen\n5,6,x\n'
    pairs = hf.read_pairs(text.encode(), from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [2, 3]
    assert pairs["Notes"].tolist() == ["Met at fair\nbig booth, hall 3\n27 screen", "x"]


@st.composite
def quotes_closed_at_a_lines_end(
    draw: st.DrawFn,
) -> tuple[Pairs, int, str, str, bool, list[list[str]]]:
    """A stray quote opened in a note and closed by a quote typed at the end of a row below
    that has no note (``2040000006,1019360006"``): the closing line may hold fewer cells than
    the note's column, and the cells before the quote are the row's, by position."""
    count = draw(st.integers(2, 6))
    opens = draw(st.integers(0, count - 2))
    closes = draw(st.integers(opens + 1, count - 1))
    delimiter, newline = draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(NEWLINES))
    notes = [draw(st.sampled_from(["", "ok", *LEGIT_NOTES])) for _ in range(count)]
    notes[opens] = Raw('"Met at fair' + draw(plain).replace(delimiter, ""))
    for n in range(opens + 1, closes + 1):
        notes[n] = Raw(draw(plain).replace(delimiter, ""))
    sheet = Pairs([(draw(ids), draw(ids)) for _ in range(count)], notes, draw(st.integers(0, 4)))
    records = sheet.records()
    cells = [c for i, c in enumerate(records[closes + 1]) if i != sheet.at]  # no note
    records[closes + 1] = [*cells[:-1], Raw(_cell(cells[-1], delimiter) + '"')]
    return sheet, opens, delimiter, newline, draw(st.booleans()), records


@settings(max_examples=examples(80), deadline=None)
@given(case=quotes_closed_at_a_lines_end())
def test_a_stray_quote_closed_at_a_rows_end_is_refused_never_rows_lost(
    case: tuple[Pairs, int, str, str, bool, list[list[str]]],
) -> None:
    sheet, opens, delimiter, newline, as_file, records = case
    data = _sheet(records, delimiter, newline, bom=False)
    assume(_delimited_as_written(data, delimiter))
    _refused_or_whole(sheet, data, opens, as_file)


@pytest.mark.parametrize("last", ["", "ok"])
def test_a_quote_closed_at_the_end_of_a_shorter_line_is_refused(last: str) -> None:
    """The quote closes after the contact id of the next line, a line of fewer cells than the
    note's column: its two cells are the row taken (hunter's find: the row vanished)."""
    text = (
        "Deal ID,Contact ID,Note\n"
        '2040000001,1019360001,"Met at fair\n'
        '2040000006,1019360006"\n'
        f"2040000002,1019360002,{last}\n"
    )
    with pytest.raises(InputError, match=r"row 2 \(Note, line 2 of the file\) is closed only 1"):
        hf.read_pairs(text.encode(), from_type="deals", to_type="contacts")


@st.composite
def quotes_closed_after_any_cell(
    draw: st.DrawFn,
) -> tuple[Pairs, int, str, str, bool, list[list[str]]]:
    """A stray quote opened in a note and closed by a quote typed after any cell of a row
    below, the row's other cells after it on the line (``2040000006",1019360006,ok``): the
    line's cells after the quote become the record's next cells, beyond the header's last
    when the note is the last column."""
    count = draw(st.integers(2, 6))
    opens = draw(st.integers(0, count - 2))
    closes = draw(st.integers(opens + 1, count - 1))
    delimiter, newline = draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(NEWLINES))
    notes = [draw(st.sampled_from(["", "ok", *LEGIT_NOTES])) for _ in range(count)]
    notes[opens] = Raw('"Met at fair' + draw(plain).replace(delimiter, ""))
    for n in range(opens + 1, closes + 1):
        notes[n] = Raw(draw(plain).replace(delimiter, ""))
    sheet = Pairs([(draw(ids), draw(ids)) for _ in range(count)], notes, draw(st.integers(0, 4)))
    records = sheet.records()
    row = records[closes + 1]
    quoted = draw(st.integers(0, len(row) - 1))
    row[quoted] = Raw(_cell(row[quoted], delimiter) + '"')
    return sheet, opens, delimiter, newline, draw(st.booleans()), records


@settings(max_examples=examples(80), deadline=None)
@given(case=quotes_closed_after_any_cell())
def test_a_stray_quote_closed_after_any_cell_is_refused_never_rows_lost(
    case: tuple[Pairs, int, str, str, bool, list[list[str]]],
) -> None:
    sheet, opens, delimiter, newline, as_file, records = case
    data = _sheet(records, delimiter, newline, bom=False)
    assume(_delimited_as_written(data, delimiter))
    _refused_or_whole(sheet, data, opens, as_file)


def test_a_quote_closed_mid_line_under_a_last_note_is_refused() -> None:
    """The rest of the closing line went to the opening row as cells beyond the header:
    that row was refused for them (EXTRA_CELLS) and the closing row lost without a word."""
    text = (
        "Deal ID,Contact ID,Note\n"
        '2040000001,1019360001,"Met at fair\n'
        '2040000006",1019360006,ok\n'
        "2040000002,1019360002,x\n"
    )
    with pytest.raises(InputError, match=r"row 2 \(Note, line 2 of the file\) is closed only 1"):
        hf.read_pairs(text.encode(), from_type="deals", to_type="contacts")
