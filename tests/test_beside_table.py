"""A second table beside the first, whose header is below the sheet's first row, stops the read.

Before: a sheet of ``Deal ID | Contact ID | Label`` rows with, to their right, an analyst's
second table (a title, then ``Deal ID | Company ID`` in row 4 and deal -> company pairs below)
read only the first table: the second table's cells rode along as the sheet's own columns
("Unnamed: 4", "Unnamed: 5"), ``hubframe validate`` said "no problems found", and the
deal -> company pairs were never sent, unseen.  Sheets with columns of their own (notes, names,
an export's properties, one cell naming a header) read as before.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

import hubframe as hf
from hubframe.constants import OBJECT_TYPES
from hubframe.errors import InputError
from tests.fuzzseeds import examples

DEALS = [str(2_040_000_001 + i) for i in range(60)]
CONTACTS = [str(1_019_360_001 + i) for i in range(60)]
COMPANIES = [str(3_050_000_001 + i) for i in range(60)]
KINDS = ["csv", "xlsx"]
Rows = list[list[str]]


def _write(rows: Rows, kind: str, folder: Path, name: str = "links") -> Path:
    """The rows as a real file: a CSV, or a workbook whose sheet "Links" holds numbers as
    numbers (as an analyst's does)."""
    path = folder / f"{name}.{kind}"
    if kind == "csv":
        with path.open("w", newline="") as out:
            csv.writer(out, lineterminator="\n").writerows(rows)
        return path
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Links"
    for row in rows:
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    book.save(path)
    return path


def _where(kind: str, name: str = "links") -> str:
    return f"{name}.csv: " if kind == "csv" else f"{name}.xlsx [Links]: "


def _first(n: int, width: int = 0) -> Rows:
    """A first table of ``n`` deal -> contact rows, ``width`` empty cells right of each."""
    rows = [["Deal ID", "Contact ID", "Label", *[""] * width]]
    return rows + [[DEALS[i], CONTACTS[i], "", *[""] * width] for i in range(n)]


def _beside(rows: Rows, at: int, block: Rows, column: int) -> Rows:
    """``block`` written into ``rows`` from row index ``at``, column index ``column``."""
    out = [list(r) for r in rows]
    for i, cells in enumerate(block):
        row = out[at + i]
        row += [""] * (column + len(cells) - len(row))
        row[column : column + len(cells)] = cells
    width = max(map(len, out))
    return [r + [""] * (width - len(r)) for r in out]


# --- the hunt's sheet ----------------------------------------------------------------------------

REPRO = [
    ["Deal ID", "Contact ID", "Label", "", "", ""],
    [DEALS[0], CONTACTS[0], "Champion", "", "", ""],
    [DEALS[1], CONTACTS[1], "", "", "Deals to link to companies", ""],
    [DEALS[2], CONTACTS[2], "", "", "Deal ID", "Company ID"],
    [DEALS[3], CONTACTS[3], "", "", DEALS[0], COMPANIES[0]],
    [DEALS[4], CONTACTS[4], "", "", DEALS[1], COMPANIES[1]],
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_table_beside_the_first_stops_the_read(kind: str, tmp_path: Path) -> None:
    path = _write(REPRO, kind, tmp_path)
    with pytest.raises(InputError) as info:
        hf.read_pairs(path)
    message = str(info.value)
    assert message.startswith(_where(kind))
    assert "row 4 reads as the header of a second table beside the one read" in message
    assert "('Deal ID', 'Company ID', in columns hubframe does not read)" in message
    assert "'Deal ID', 'Contact ID', 'Label' only" in message
    assert "Nothing was sent." in message
    assert 'its own sheet (read it with sheet="NAME") or its own file' in message


def test_hubframe_validate_refuses_the_sheet(tmp_path: Path) -> None:
    """The hunt's run: ``hubframe validate`` said "no problems found"."""
    path = _write(REPRO, "csv", tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "hubframe", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode != 0
    assert "row 4 reads as the header of a second table beside" in run.stderr
    assert "--sheet NAME" in run.stderr  # the option as the command line spells it
    assert "no problems found" not in run.stdout


# (rows below the first table's header, cells of the second table from its header down,
#  where the second table starts (row index, column index), the sheet row, cells shown)
BESIDE: dict[str, tuple[int, Rows, tuple[int, int], int, str]] = {
    "no title": (
        6,
        [["Deal ID", "Company ID"], [DEALS[0], COMPANIES[0]]],
        (2, 4),
        3,
        "'Deal ID', 'Company ID'",
    ),
    "far right": (
        5,
        [["Deal ID", "Company ID"], [DEALS[0], COMPANIES[0]]],
        (3, 12),
        4,
        "'Deal ID', 'Company ID'",
    ),
    "from-to": (  # (a fourth name would make it the header taken, refused otherwise)
        6,
        [["From Type", "From ID", "To ID"], ["companies", COMPANIES[0], CONTACTS[9]]],
        (3, 4),
        4,
        "'From Type', 'From ID', 'To ID'",
    ),
    "export": (
        6,
        [["Record ID", "Associated Company IDs"], [DEALS[0], f"{COMPANIES[0]};{COMPANIES[1]}"]],
        (4, 5),
        5,
        "'Record ID', 'Associated Company IDs'",
    ),
    "lookup": (
        5,
        [["Company ID", "Contact email"], [COMPANIES[0], "ana@example.com"]],
        (2, 3),
        3,
        "'Company ID', 'Contact email'",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(BESIDE))
def test_second_tables_beside_of_any_columns_stop_the_read(
    kind: str, case: str, tmp_path: Path
) -> None:
    n, block, (at, column), row, shown = BESIDE[case]
    path = _write(_beside(_first(n), at, block, column), kind, tmp_path)
    with pytest.raises(InputError, match=f"row {row} reads as the header of a second table"):
        hf.read_pairs(path)
    with pytest.raises(InputError) as info:
        hf.read_pairs(path)
    assert f"({shown}, in columns hubframe does not read)" in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_table_under_headers_of_the_sheets_own_names_its_columns(
    kind: str, tmp_path: Path
) -> None:
    """Columns with a header (a template's "Notes", "Checked by"), the cells named under it."""
    rows = _beside(_first(5), 0, [["Notes", "Checked by"]], 3)
    rows = _beside(rows, 3, [["To ID", "From ID"], [CONTACTS[7], DEALS[7]]], 3)
    with pytest.raises(InputError) as info:
        hf.read_pairs(_write(rows, kind, tmp_path))
    assert "row 4 reads as the header of a second table beside" in str(info.value)
    assert "('To ID' under 'Notes', 'From ID' under 'Checked by'," in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_table_left_of_the_first_stops_the_read(kind: str, tmp_path: Path) -> None:
    rows = [["", "", "", "Deal ID", "Contact ID"]]
    rows += [["", "", "", DEALS[i], CONTACTS[i]] for i in range(6)]
    rows = _beside(rows, 2, [["Company ID", "Contact ID"], [COMPANIES[2], CONTACTS[2]]], 0)
    with pytest.raises(InputError, match="row 3 reads as the header of a second table beside"):
        hf.read_pairs(_write(rows, kind, tmp_path))


# The ways an analyst's sheet writes a record id, each read as the id by an id column (or
# refused as one Excel rounded): a second table of ids so written was left out unseen before.
SPELLED = {
    "float": "{}.0",
    "spaces": "  {} ",
    "no-break space": "\u00a0{}",
    "text marker": "'{}",
    "text formula": '="{}"',
    "scientific": "{:.6E}",
}


def _spelled(spelling: str, value: str) -> str:
    return SPELLED[spelling].format(float(value) if "E" in SPELLED[spelling] else value)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spelling", list(SPELLED))
def test_a_second_table_of_ids_written_as_excel_writes_them_stops_the_read(
    kind: str, spelling: str, tmp_path: Path
) -> None:
    block = [["Deal ID", "Company ID"]]
    block += [[_spelled(spelling, DEALS[i]), _spelled(spelling, COMPANIES[i])] for i in range(3)]
    path = _write(_beside(_first(6), 2, block, 4), kind, tmp_path)
    with pytest.raises(InputError, match="row 3 reads as the header of a second table beside"):
        hf.read_pairs(path)


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_table_of_float_cells_stops_the_read(kind: str, tmp_path: Path) -> None:
    """Ids held as floats: a workbook's number cells of a column pasted from a float export,
    a CSV's cells as pandas writes a float column (``2040000001.0``)."""
    block = [["Deal ID", "Company ID"]]
    block += [[str(float(DEALS[i])), str(float(COMPANIES[i]))] for i in range(3)]
    path = _write(_beside(_first(6), 2, block, 4), kind, tmp_path)
    if kind == "xlsx":
        book = load_workbook(path)
        for i in range(3):
            book["Links"].cell(row=4 + i, column=5, value=float(DEALS[i]))
            book["Links"].cell(row=4 + i, column=6, value=float(COMPANIES[i]))
        book.save(path)
    with pytest.raises(InputError, match="row 3 reads as the header of a second table beside"):
        hf.read_pairs(path)


# --- sheets of columns of their own read as before -----------------------------------------------

OWN: dict[str, Rows] = {
    # a first table's columns right of the read ones, and what each row holds there
    "notes": [
        ["Notes", "Notes 2"],
        ["Contact ID", "see Deal ID"],
        [DEALS[9], ""],
        ["Deal ID 2040000009 to check", "Company ID"],
        ["", CONTACTS[9]],
        ["Label", "ok"],
    ],
    "names": [
        ["Deal Name", "Contact Name"],
        ["Acme renewal", "Ana Silva"],
        ["Deal ID", "Contact ID"],  # header words, but words below
        ["Q3 upsell", "Bo Chen"],
        ["Globex", "Cy Dee"],
        ["Initech", "Di Eve"],
    ],
    "export": [
        ["Associated Company", "Deal Stage", "Amount", "Close Date", "Deal owner"],
        ["Acme Inc", "closedwon", "125000", "2025-03-31", "Sam"],
        ["Globex", "appointmentscheduled", "99999", "2025-04-30 10:00", "Sam"],
        ["Contact ID", "Deal ID", "", "", ""],  # no id below
        ["Initech", "closedlost", "", "", "Jo"],
        ["Umbrella", "closedwon", "12000", "2025-05-01", "Jo"],
    ],
    "one header word": [
        ["Notes", "Owner"],
        ["Contact ID", ""],
        [CONTACTS[8], "Sam"],
        [COMPANIES[8], "Jo"],
        ["", ""],
        ["Company ID", DEALS[8]],
    ],
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(OWN))
def test_columns_of_the_sheets_own_read_as_before(kind: str, case: str, tmp_path: Path) -> None:
    rows = _beside(_first(5), 0, OWN[case], 3)
    pairs = hf.read_pairs(_write(rows, kind, tmp_path))
    assert pairs["from_id"].tolist() == DEALS[:5]
    assert pairs["to_id"].tolist() == CONTACTS[:5]
    header = OWN[case][0][0]
    assert pairs[header].tolist() == [r[0] for r in OWN[case][1:]]


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_repeated_in_its_own_columns_is_one_refused_row(kind: str, tmp_path: Path) -> None:
    """``--from deals --to contacts`` read two of four id columns; the whole header repeated
    below (a second block pasted under the first) names the columns' own headers."""
    header = ["Deal ID", "Contact ID", "Company ID", "Ticket ID"]
    rows = [header] + [[DEALS[i], CONTACTS[i], COMPANIES[i], ""] for i in range(3)]
    rows += [header, [DEALS[5], CONTACTS[5], COMPANIES[5], ""]]
    pairs = hf.read_pairs(_write(rows, kind, tmp_path), from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [2, 3, 4, 5, 6]
    assert set(hf.validate_pairs(pairs)["row"]) == {5}


@pytest.mark.parametrize("kind", KINDS)
def test_a_limits_sheet_reads_no_pairs_so_pairs_beside_it_are_not_refused(
    kind: str, tmp_path: Path
) -> None:
    rows = [["From Object Type", "To Object Type", "Label", "Max"]]
    rows += [["deals", "contacts", "", str(5 + i)] for i in range(3)]
    rows += [["deals", "companies", "", "1"]]
    rows = _beside(rows, 1, [["Deal ID", "Company ID"], [DEALS[0], COMPANIES[0]]], 5)
    limits = hf.read_limits(_write(rows, kind, tmp_path))
    assert len(limits) == 4


# --- seeded properties ---------------------------------------------------------------------------

OBJECTS = [t for t in OBJECT_TYPES if t.name == t.name.lower() and not t.name.startswith("0-")]
TYPED = ["{} ID", "{} IDs", "{} Record ID", "Associated {} IDs", "From {} ID", "To {} ID"]
PLAIN = ["From ID", "To ID", "From Type", "To Type", "Associated ID", "Object ID"]
WORDS = ["Acme", "renewal", "Q3", "call back", "ok", "check", "todo", "Sam", "per", "see"]


def _typed() -> st.SearchStrategy[str]:
    """A header naming an object's ids by one of :data:`TYPED`."""
    return st.tuples(st.sampled_from(OBJECTS), st.sampled_from(TYPED), st.booleans()).map(
        lambda t: t[1].format((t[0].singular if t[2] else t[0].name).replace("_", " ").title())
    )


_HEADER = st.one_of(_typed(), st.sampled_from(PLAIN))


@st.composite
def _second_table(draw: st.DrawFn) -> tuple[Rows, int, int]:
    """A first table, a second table of two columns beside it (its header in a row below the
    first row, a title above it or not, empty columns between), its header's sheet row, and
    the second table's first column index."""
    size = draw(st.integers(2, 12))
    at = draw(st.integers(1, size - 1))  # the second header's row index (0 is the first's)
    ids = draw(st.integers(1, size - at))
    gap = draw(st.integers(0, 3))
    block = [draw(st.lists(_HEADER, min_size=2, max_size=2, unique=True))]
    block += [[COMPANIES[i], DEALS[20 + i]] for i in range(ids)]
    titled = at >= 2 and draw(st.booleans())
    rows = _beside(_first(size, gap), at, block, 3 + gap)
    if titled:
        rows = _beside(rows, at - 1, [["Second table"]], 3 + gap)
    return rows, at + 1, 3 + gap


@settings(max_examples=examples(25), deadline=None)
@given(sheet=_second_table(), kind=st.sampled_from(KINDS))
def test_seeded_second_tables_beside_stop_the_read(
    sheet: tuple[Rows, int, int], kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rows, row, _ = sheet
    path = _write(rows, kind, tmp_path_factory.mktemp("beside"))
    with pytest.raises(InputError, match=f"row {row} reads as the header of a second table"):
        hf.read_pairs(path)


@st.composite
def _own_columns(draw: st.DrawFn) -> Rows:
    """A first table with two columns of its own: words, ids, and at most one cell a row
    naming a header (the other a word, an id or empty)."""
    size = draw(st.integers(1, 10))
    rows = _first(size)
    for row in rows[1:]:
        header = draw(st.sampled_from([*PLAIN, "Deal ID", "Company ID", "Contact ID"]))
        other = draw(st.sampled_from([*WORDS, "", DEALS[30], COMPANIES[30]]))
        row[3:] = draw(st.permutations([header, other]))
    rows[0][3:] = ["Notes", "Checked"]
    return rows


@settings(max_examples=examples(25), deadline=None)
@given(rows=_own_columns(), kind=st.sampled_from(KINDS))
def test_seeded_columns_of_the_sheets_own_read_as_before(
    rows: Rows, kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    pairs = hf.read_pairs(_write(rows, kind, tmp_path_factory.mktemp("own")))
    assert pairs["from_id"].tolist() == [r[0] for r in rows[1:]]
    assert pairs["Notes"].tolist() == [r[3] for r in rows[1:]]
