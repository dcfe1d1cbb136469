"""Rows the read leaves out are told by ids written as an id column reads them, not by digits only.

Before: a pair above the header written with Excel's text marker (``'2040000009``), as a text
formula (``="2040000009"``) or in scientific notation (``2.04E+09``) was dropped from the read
without a word, though an id column reads (or refuses, for the rounded one) each of those
cells as an id; a row above of one such id and a label likewise; a sheet left unread whose
rows hold only ids so written was not flagged as holding rows (a sync that may remove stops
at one that is).  The checks of rows above the header (``io/sheet``) and of a second table
beside the first (``io/blocks``) now share one notion of a cell written as an id, in Python
and in Arrow; a property holds the two patterns to one another.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import blocks
from hubframe.io.cells import looks_like_id
from tests.fuzzseeds import examples

SPELLED = {
    "plain": "{}",
    "float": "{}.0",
    "spaces": "  {} ",
    "text marker": "'{}",
    "text formula": '="{}"',
    "scientific": "SCI",
}
HEADER = ["Deal ID", "Contact ID", "Label"]
BELOW = [["2040000001", "1019360001", ""], ["2040000002", "1019360002", ""]]


def _spelled(spelling: str, value: int) -> str:
    form = SPELLED[spelling]
    return f"{float(value):.6E}" if form == "SCI" else form.format(value)


def _file(rows: list[list[str]], kind: str, folder: Path) -> Path:
    path = folder / f"links.{kind}"
    if kind == "csv":
        with path.open("w", newline="") as out:
            csv.writer(out, lineterminator="\n").writerows(rows)
        return path
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:  # every cell text, as typed into cells formatted as text
        sheet.append([c or None for c in row])
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("kind", "spelling"),
    [(k, s) for k in ["csv", "xlsx"] for s in SPELLED if (k, s) != ("xlsx", "text formula")],
)  # (a workbook's ="..." is a formula, whose value a program writing it never computed)
def test_a_pair_above_the_header_stops_the_read(kind: str, spelling: str, tmp_path: Path) -> None:
    above = [_spelled(spelling, 2040000009), _spelled(spelling, 1019360009), ""]
    path = _file([above, HEADER, *BELOW], kind, tmp_path)
    with pytest.raises(InputError) as info:
        hf.read_pairs(path, from_type="deals", to_type="contacts")
    message = str(info.value)
    assert "the header is row 2, and row 1 above it" in message
    assert "they would not be read" in message


@pytest.mark.parametrize("spelling", list(SPELLED))
def test_an_id_and_a_label_above_the_header_stop_the_read(spelling: str) -> None:
    above = f"{_spelled(spelling, 2040000009)},,Champion\n"
    body = "\n".join(",".join(r) for r in [HEADER, *BELOW]) + "\n"
    with pytest.raises(InputError, match="row 1 above it read as rows of the table") as info:
        hf.read_pairs(io.BytesIO((above + body).encode()), from_type="deals", to_type="contacts")
    if spelling != "scientific":  # (an id Excel rounded is refused, not read as one)
        assert f"'{_spelled(spelling, 2040000009).strip()}' in row 1" in str(info.value)


@pytest.mark.parametrize("spelling", ["plain", "text marker", "text formula"])
def test_a_header_of_the_kind_above_with_ids_below_it_stops_the_read(spelling: str) -> None:
    """A first block with a header of its own, pasted above the header taken."""
    rows = [["Deal ID", "Contact ID"], [_spelled(spelling, 2040000009), ""]]
    rows += [["", "", ""], ["Deal ID", "Contact ID", "Label"], *BELOW]
    text = "\n".join(",".join(r) for r in rows) + "\n"
    with pytest.raises(InputError, match="row 1 is a header too, and row 2 below it"):
        hf.read_pairs(io.BytesIO(text.encode()), from_type="deals", to_type="contacts")


def test_titles_above_the_header_read_as_before() -> None:
    rows = [["Deals to link, Q3 2026", "", ""], ["Portal", "4412345", ""], ["", "", ""]]
    text = "\n".join(",".join(r) for r in [*rows, HEADER, *BELOW]) + "\n"
    pairs = hf.read_pairs(io.BytesIO(text.encode()), from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == ["2040000001", "2040000002"]


@pytest.mark.parametrize("spelling", ["text marker", "scientific", "float", "spaces"])
def test_a_sheet_left_unread_holding_ids_so_written_holds_rows(
    spelling: str, tmp_path: Path
) -> None:
    book = Workbook()
    links = book.active
    assert links is not None
    links.title = "Links"
    for row in [HEADER[:2], *[r[:2] for r in BELOW]]:
        links.append([int(c) for c in row] if row[0].isdigit() else row)
    old = book.create_sheet("Old")
    old.append(["Deal", "Person"])
    old.append([_spelled(spelling, 2040000005), _spelled(spelling, 1019360005)])
    path = tmp_path / "book.xlsx"
    book.save(path)
    pairs = hf.read_pairs(path)
    skipped = pairs.attrs["hubframe"]["skipped_sheets"]
    assert skipped == [{"sheet": "Old", "reason": "no recognised columns", "holds_rows": True}]


# --- one notion of an id so written, in Python and in Arrow --------------------------------------

_PIECES = st.sampled_from(["0", "1", "2", "9", "12345", "2040000001", ".", ",", "E", "e", "+", "-"])
_MARKS = st.sampled_from(["", "'", '="', '"', " ", "\t", "  ", "x"])


@st.composite
def _cells(draw: st.DrawFn) -> str:
    """Cells near the spellings of an id: marks around runs of digits, dots and exponents."""
    body = "".join(draw(st.lists(_PIECES, min_size=1, max_size=6)))
    return draw(_MARKS) + draw(_MARKS) + body + draw(_MARKS) + draw(_MARKS)


@settings(max_examples=examples(300), deadline=None)
@given(cells=st.lists(_cells(), min_size=1, max_size=20))
def test_the_python_and_arrow_patterns_agree(cells: list[str]) -> None:
    arrow = pc.match_substring_regex(pa.array(cells), blocks._ID_WRITTEN).to_pylist()
    assert arrow == [looks_like_id(c) for c in cells]


@pytest.mark.parametrize("spelling", list(SPELLED))
def test_every_spelling_is_one_an_id_column_reads_or_refuses_as_an_id(spelling: str) -> None:
    """The spellings are those of ids: read as the id (or, rounded by Excel, refused as one)."""
    cell = _spelled(spelling, 2040000009)
    assert looks_like_id(cell)
    text = f"Deal ID,Contact ID\n{cell},1019360009\n"
    pairs = hf.read_pairs(io.BytesIO(text.encode()), from_type="deals", to_type="contacts")
    problems = hf.validate_pairs(pairs)
    if spelling == "scientific":
        assert problems["code"].tolist() == ["BAD_ID"]
    else:
        assert pairs["from_id"].tolist() == ["2040000009"]
        assert problems.empty
