"""The same rows read the same, whatever form the file gives them.

An analyst's sheet reaches hubframe as a CSV, as a workbook whose id cells are text, or as one
whose id cells are numbers (what Excel stores when nobody formats the column as text); with
its columns in any order, a column of notes beside them, blank lines between the rows, or the
rows sorted another way.  None of that may change what a row asks for or what is wrong with
it: each row reads to the same ids and label, with the same issues (numbered by the row it
has in that file), and a repeat is a repeat of the same earlier row.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from typing import Any

import pandas as pd
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.testing import workbook_bytes

HEADERS = ("Deal ID", "Contact ID", "Association label")
#: Cells as analysts' sheets hold them: good ids (some with spaces or Excel's ".0"), ids that
#: are wrong in ways validation names, and empty cells.
IDS = ["2040000010", "2040000011", "1019360032", " 1019360033 ", "2040000012.0", "", "12a",
       "1,234", "0", "-5", "2040000010 2040000011", "1.2345E+11", "'2040000013", "2040000010.5",
       "\u00a02040000014", "2040000015\t", "=2040000010", "00123", "2.04E+09", "１２３",
       "2040000018.00"]  # fmt: skip
#: A cell listing several ids is one side's only (lists on both sides stop the read).
LISTS = ["2040000016;2040000017", "1019360032; 1019360034", "1019360035;;"]
LABELS = ["", "Decision maker", " decision  maker ", "Champion", "Buyer", "#N/A", "=A1",
          "'Buyer", "Caf\u00e9", "Cafe\u0301", "Buyer;Champion", "TRUE", "0",
          "Champion\u200b"]  # fmt: skip

#: Issues about the whole row, whichever column they are shown in.
ROW_CODES = ("DUPLICATE_ROW",)
Row = tuple[str, str, str]
rows_strategy = st.lists(
    st.tuples(st.sampled_from(IDS), st.sampled_from(IDS + LISTS), st.sampled_from(LABELS)),
    min_size=1,
    max_size=12,
)


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _number(cell: str) -> object:
    """An id cell as Excel stores a number typed into a General column (text otherwise)."""
    text = cell.strip()
    if text.isascii() and text.isdigit() and len(text) <= 15 and text[0] != "0":
        return int(text)
    return cell


def _read(data: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = hf.read_pairs(data)
    return frame, hf.validate_pairs(frame)


def _by_row(frame: pd.DataFrame, issues: pd.DataFrame) -> dict[int, tuple[Any, ...]]:
    """Excel row -> (deal id, contact id, label, the codes of its issues by column).  The
    sheet's first id column is the from side, so the sides are told apart by object type."""
    flipped = bool((frame["from_type"] == "contacts").any())
    sides = {"from_id": "to_id", "to_id": "from_id"} if flipped else {}
    found: dict[int, list[tuple[str, str]]] = {}
    for row, column, code in issues[["row", "column", "code"]].itertuples(index=False):
        side = "" if code in ROW_CODES else sides.get(str(column), str(column))
        found.setdefault(int(row), []).append((side, str(code)))
    deal, contact = ("to_id", "from_id") if flipped else ("from_id", "to_id")
    return {
        int(row): (_text(d), _text(c), _text(label), tuple(sorted(found.get(int(row), []))))
        for row, d, c, label in frame[["row", deal, contact, "label"]].itertuples(index=False)
    }


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or value != value else str(value)


def _baseline(rows: list[Row]) -> dict[int, tuple[Any, ...]]:
    return _by_row(*_read(_csv(HEADERS, rows)))


@settings(max_examples=examples(30), deadline=None)
@given(rows=rows_strategy, numbers=st.booleans())
def test_a_workbook_reads_as_the_csv_of_the_same_rows(rows: list[Row], numbers: bool) -> None:
    cells = [[_number(f), _number(t), label] if numbers else [f, t, label] for f, t, label in rows]
    book = workbook_bytes({"Links": [list(HEADERS), *cells]})
    assert _by_row(*_read(book)) == _baseline(rows)


@settings(max_examples=examples(30), deadline=None)
@given(rows=rows_strategy, order=st.permutations(range(4)), seed=st.integers(0, 2**16))
def test_column_order_and_a_notes_column_change_nothing(
    rows: list[Row], order: list[int], seed: int
) -> None:
    rng = random.Random(seed)
    header = [*HEADERS, "Notes"]
    notes = ["", "call back", "2040000099", "=1+1", "Decision maker"]
    # a blank row keeps an empty note: a note alone makes it a row (test below)
    full = [[*row, rng.choice(notes) if any(row) else ""] for row in rows]
    moved = _csv([header[i] for i in order], [[r[i] for i in order] for r in full])
    assert _by_row(*_read(moved)) == _baseline(rows)


def test_a_row_holding_only_a_note_is_a_row_missing_its_ids() -> None:
    """Not a blank row (dropped): the analyst wrote something there, so it is reported."""
    data = _csv([*HEADERS, "Notes"], [["2040000010", "1019360010", "", ""], ["", "", "", "call"]])
    frame, issues = _read(data)
    assert frame["row"].tolist() == [2, 3]
    found = set(issues.loc[issues["row"] == 3, "code"])
    assert found == {"MISSING_VALUE"}, issues


@settings(max_examples=examples(30), deadline=None)
@given(rows=rows_strategy, gaps=st.lists(st.integers(0, 2), min_size=12, max_size=12))
def test_blank_lines_between_rows_only_renumber_them(rows: list[Row], gaps: list[int]) -> None:
    spaced: list[Sequence[object]] = []
    renumber: dict[int, int] = {}
    for i, row in enumerate(rows):
        spaced.extend([["", "", ""]] * gaps[i])
        spaced.append(row)
        renumber[i + 2] = len(spaced) + 1  # Excel rows: the header is row 1
    got = _by_row(*_read(_csv(HEADERS, spaced)))
    assert got == {renumber[row]: value for row, value in _baseline(rows).items()}


@settings(max_examples=examples(30), deadline=None)
@given(rows=rows_strategy, seed=st.integers(0, 2**16))
def test_rows_in_another_order_ask_the_same(rows: list[Row], seed: int) -> None:
    """Each row asks what it asked; which of two equal rows is the repeat follows the order."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    shuffled = [rows[i] for i in order]
    got = _by_row(*_read(_csv(HEADERS, shuffled)))
    want = _baseline(rows)
    for new, old in enumerate(order):  # a blank row is no row in either
        assert (new + 2 in got) == (old + 2 in want)
        if old + 2 in want:
            assert _without_repeats(got[new + 2]) == _without_repeats(want[old + 2])
    repeats = sum("DUPLICATE_ROW" in str(v[3]) for v in got.values())
    assert repeats == sum("DUPLICATE_ROW" in str(v[3]) for v in want.values())


def _without_repeats(value: tuple[Any, ...]) -> tuple[Any, ...]:
    *cells, codes = value
    return (*cells, tuple(c for c in codes if c[1] != "DUPLICATE_ROW"))


#: Headers that name the same columns (case, spaces and punctuation aside; HubSpot's and other
#: tools' names).
SPELLINGS = (
    ("Deal ID", "deal_id", "DEAL-ID", "Deal Id", " Deal ID "),
    ("Contact ID", "contact_id", "CONTACT ID", "Contact Id"),
    ("Association label", "Label", "label", "Association Label Name", "Labels", "LABEL NAME"),
)


@settings(max_examples=examples(30), deadline=None)
@given(rows=rows_strategy, picks=st.tuples(*(st.sampled_from(s) for s in SPELLINGS)))
def test_headers_spelled_another_way_read_the_same(
    rows: list[Row], picks: tuple[str, str, str]
) -> None:
    assert _by_row(*_read(_csv(picks, rows))) == _baseline(rows)


@settings(max_examples=examples(30), deadline=None)
@given(
    rows=rows_strategy,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_a_csv_in_another_dialect_or_encoding_reads_the_same(
    rows: list[Row], delimiter: str, encoding: str, newline: str
) -> None:
    """As Excel's "Save as" writes CSV in other locales: semicolons or tabs, UTF-16 ("Unicode
    text"), the Windows code page (rows it cannot encode are kept out of that case)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return  # not a file that encoding can hold
    assert _by_row(*_read(data)) == _baseline(rows)
