"""A second table below the first, under a header of its own, stops the read naming that row.

Before: a sheet of ``Deal ID | Contact ID`` rows with, below a blank line or a title, an
analyst's second table ``Company ID | Contact ID`` (or ``From Type | From ID | To ID``) had only
that header row refused (BAD_ID: 'Company ID' is not a record id); the company rows under it
were read and sent as deal -> contact pairs, so a company id equal to a deal id linked that
deal (a wrong association reported a success).  Only a header repeating the first one's
columns in another order stopped the read.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import OBJECT_TYPES
from hubframe.errors import InputError
from hubframe.io.labels import read_labels
from hubframe.testing import xlsx_bytes

DEALS = [str(2_040_000_010 + 10 * i) for i in range(40)]
CONTACTS = [str(1_019_360_050 + i) for i in range(40)]
COMPANIES = [str(3_120_000_005 + i) for i in range(40)]
KINDS = ["csv", "xlsx"]
Rows = list[list[str]]


def _csv(rows: Rows) -> io.BytesIO:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    source = io.BytesIO(out.getvalue().encode())
    source.name = "links.csv"
    return source


def _source(rows: Rows, kind: str) -> io.BytesIO | bytes:
    return _csv(rows) if kind == "csv" else xlsx_bytes(rows, title="Links")


def _where(kind: str) -> str:
    return "links.csv" if kind == "csv" else r"\[Links\]"


# --- the hunt's sheets ---------------------------------------------------------------------------

FIRST: Rows = [["Deal ID", "Contact ID"], [DEALS[0], CONTACTS[0]]]
SECOND_TABLES: dict[str, tuple[Rows, int, str]] = {
    # the rows below the first table (FIRST); the second header's row; a cell it names
    "company-contact": (
        [[], ["Company ID", "Contact ID"], [COMPANIES[0], CONTACTS[1]]],
        4,
        "Company ID",
    ),
    "titled": (
        [[], ["Companies", ""], ["Company ID", "Contact ID"], [COMPANIES[0], CONTACTS[1]]],
        5,
        "Company ID",
    ),
    "from-to": (
        [[], ["From Type", "From ID", "To ID"], ["companies", COMPANIES[0], CONTACTS[1]]],
        # (under "Deal ID | Contact ID | Label": a header of three more would be taken)
        4,
        "From Type",
    ),
    "no-blank": (
        [["Associated Company IDs", "Record ID"], [COMPANIES[0], CONTACTS[1]]],
        3,
        "Associated Company IDs",
    ),
    "sides": ([[], ["From", "To"], [COMPANIES[0], CONTACTS[1]]], 4, "From"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(SECOND_TABLES))
def test_a_second_table_under_its_own_header_stops_the_read(kind: str, case: str) -> None:
    below, row, cell = SECOND_TABLES[case]
    first = [
        [*r, *([h] if len(below[1]) == 3 else [])]
        for r, h in zip(FIRST, ["Label", ""], strict=True)
    ]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source(first + below, kind))
    message = str(info.value)
    assert f"row {row} reads as a header" in message
    assert f"reads as a header ('{cell}' under 'Deal ID'" in message  # its cells, in order
    assert "on its own sheet or in its own file" in message
    assert info.match(_where(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_table_of_pairs_below_a_limits_table_stops_the_read(kind: str) -> None:
    rows = [["From Object Type", "To Object Type", "Max"], ["deals", "contacts", "5"], []]
    rows += [["Deal ID", "Contact ID", ""], [DEALS[0], CONTACTS[0], ""]]
    with pytest.raises(InputError, match=r"row 4 reads as a header") as info:
        hf.read_limits(_source(rows, kind))
    assert info.match("'Deal ID'")


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_labels_table_below_a_labels_sheet_stops_the_read(kind: str) -> None:
    """Types given as arguments, the second table's types landed in the label columns: the
    object names were read as labels to create ("companies" paired with "contacts")."""
    rows = [["Label", "Inverse label", "Internal name"], ["Employee", "Employer", "employee"], []]
    rows += [["From Type", "To Type", "Label"], ["companies", "contacts", "Partner"]]
    with pytest.raises(InputError, match=r"row 4 reads as a header") as info:
        read_labels(_source(rows, kind), from_type="contacts", to_type="companies")
    assert info.match("'From Type'")


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_header_repeated_is_still_one_refused_row(kind: str) -> None:
    """The rows under a repeat of the header (another spelling of the same columns too) mean
    what the first header says: read, its header row refused by validation."""
    rows = [*FIRST, [], ["Deal IDs", "Contact ID"], [DEALS[1], CONTACTS[1]]]
    pairs = hf.read_pairs(_source(rows, kind))
    assert pairs["from_id"].tolist()[-1] == DEALS[1]
    assert set(hf.validate_pairs(pairs)["row"]) == {4}


NOTES = [
    "Company ID to check",
    "see Contact ID 1019360050",
    "from Sam",
    "to do: ask about the Deal ID",
    "Label",
    "ID",
    "Email",
    "To",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("note", NOTES)
def test_words_in_a_note_are_not_a_header(kind: str, note: str) -> None:
    """One cell naming a column (a note "Label", a label "Deal ID") is a cell of its row, and
    a note mentioning headers is a note."""
    rows = [["Deal ID", "Contact ID", "Label", "Notes"]]
    rows += [[DEALS[0], CONTACTS[0], "Deal ID", note], [DEALS[1], CONTACTS[1], "", note]]
    rows += [[DEALS[2], CONTACTS[2], note, ""]]
    pairs = hf.read_pairs(_source(rows, kind))
    assert pairs["row"].tolist() == [2, 3, 4]
    assert pairs["Notes"].tolist()[:2] == [note, note]


def test_the_command_line_refuses_the_sheet_before_any_request(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text(
        f"Deal ID,Contact ID\n{DEALS[0]},{CONTACTS[0]}\n\nCompany ID,Contact ID\n"
        f"{COMPANIES[0]},{CONTACTS[1]}\n{DEALS[2]},{CONTACTS[2]}\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "hubframe", "associate", str(path), "--dry-run", "--sandbox"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode != 0
    assert "row 4 reads as a header" in run.stderr
    assert "Company ID" in run.stderr


# --- seeded properties ---------------------------------------------------------------------------

OBJECTS = [t for t in OBJECT_TYPES if t.name == t.name.lower() and not t.name.startswith("0-")]
TYPED = ["{} ID", "{} IDs", "{} Record ID", "Associated {} IDs", "From {} ID", "To {} ID"]
PLAIN = ["From ID", "To ID", "From Type", "To Type", "Record ID", "Object ID", "Associated ID"]
WORDS = ["Acme", "renewal", "Q3", "call back", "ok", "check", "todo", "Sam", "per", "see"]
SAFE_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8",
        categories=("L", "N", "Zs", "Pd", "Po"),
        exclude_characters="\"'@+=#",
    ),
    max_size=24,
)


def _typed(patterns: list[str]) -> st.SearchStrategy[tuple[str, str]]:
    """A header naming an object's ids by one of ``patterns``, and that object."""
    return st.tuples(st.sampled_from(OBJECTS), st.sampled_from(patterns), st.booleans()).map(
        lambda t: (
            t[1].format((t[0].singular if t[2] else t[0].name).replace("_", " ").title()),
            t[0].name,
        )
    )


@st.composite
def _sheet(draw: st.DrawFn) -> tuple[Rows, list[str]]:
    """A valid pairs sheet: titles perhaps, a header of two object id columns and a notes
    column, rows of ids; and the header's objects."""
    first = draw(_typed(TYPED[:3]))
    second = draw(_typed(TYPED[:3]).filter(lambda h: h[1] != first[1]))
    titles = [[t, "", ""] for t in draw(st.lists(st.sampled_from(["Links", "Q3", ""]), max_size=3))]
    count = draw(st.integers(2, 12))
    body = [[DEALS[i], CONTACTS[i], ""] for i in range(count)]
    return [*titles, [first[0], second[0], "Notes"], *body], [first[1], second[1]]


@settings(max_examples=examples(40), deadline=None)
@given(sheet=_sheet(), data=st.data(), kind=st.sampled_from(KINDS))
def test_seeded_second_headers_of_any_object_stop_the_read(
    sheet: tuple[Rows, list[str]], data: st.DataObject, kind: str
) -> None:
    """A second header of two cells naming record id or type columns (of any object, or none)
    other than the first header's, anywhere below it, after a blank row, a title or none."""
    rows, objects = sheet
    cell = st.one_of(_typed(TYPED), st.sampled_from(PLAIN).map(lambda h: (h, "")))
    second = data.draw(
        st.tuples(cell, cell).filter(lambda h: [h[0][1], h[1][1]] != objects), label="second"
    )
    header_at = next(i for i, r in enumerate(rows) if r[2] == "Notes")
    at = data.draw(st.integers(header_at + 2, len(rows)), label="at")
    gap = data.draw(st.sampled_from([[], [[]], [["Companies", "", ""]]]), label="gap")
    block = [*gap, [second[0][0], second[1][0], ""], [COMPANIES[0], CONTACTS[30], ""]]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source(rows[:at] + block + rows[at:], kind))
    assert info.match(rf"row {at + len(gap) + 1} (reads as a header|repeats the header)")


@settings(max_examples=examples(40), deadline=None)
@given(
    sheet=_sheet(),
    notes=st.lists(
        st.one_of(
            SAFE_TEXT,
            st.sampled_from(["Label", "ID", "To", "From", "Max", "Email", "Deal ID"]),
            st.tuples(st.sampled_from(WORDS), _typed(TYPED), st.sampled_from(WORDS)).map(
                lambda t: f"{t[0]} {t[1][0]} {t[2]}"
            ),
        ),
        min_size=12,
        max_size=12,
    ),
    kind=st.sampled_from(KINDS),
)
def test_seeded_notes_of_header_words_are_read_as_notes(
    sheet: tuple[Rows, list[str]], notes: list[str], kind: str
) -> None:
    rows, _ = sheet
    header_at = next(i for i, r in enumerate(rows) if r[2] == "Notes")
    body = [[r[0], r[1], notes[i]] for i, r in enumerate(rows[header_at + 1 :])]
    pairs = hf.read_pairs(_source(rows[: header_at + 1] + body, kind))
    assert pairs["from_id"].tolist() == [r[0] for r in body]
    assert pairs["Notes"].fillna("").str.strip().tolist() == [n.strip() for n in notes[: len(body)]]
