"""Workbooks whose XML the engines would read wrongly, or die reading, are refused by the guard
(hubframe.io.guard) before an engine sees them:

- a shared-strings part declaring more strings (``uniqueCount``) than its size can hold:
  python-calamine set aside room for all of them, and a 2 KB file declaring 2,000,000,000 aborted
  the process (SIGABRT, no exception: a notebook kernel dies);
- cells written without a reference running past column XFD (the guard compared only the
  referenced cells with it: a 4 KB file became a 65,000-column frame in 15 s);
- a cell written twice (the same reference, one in another case, a cell naming another row than
  its row's): the engines kept the later value, a wrong contact for the row, read silently;
- cells out of column order: openpyxl (the fallback engine) dropped those before a lower column,
  a row's label lost without a word.  Both engines read the same cells, or the sheet is refused.

Hand-built workbooks (the XML in the zip), read in a process of its own under an address-space
limit where the engine could abort.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbook_features import read_with

from hubframe.errors import InputError
from hubframe.io import placement, read_pairs
from hubframe.io.xmltags import column_letters, column_number

ARGS = {"from_type": "deals", "to_type": "contacts"}
WORKER = Path(__file__).with_name("hostile_worker.py")
ADDRESS_SPACE_MB = 3072
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
STRINGS = ["Deal ID", "Contact ID", "Label", "Decision maker"]


def _sst(strings: list[str], unique: str | None = None) -> str:
    declared = unique if unique is not None else f'uniqueCount="{len(strings)}"'
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<sst xmlns="{_MAIN}" count="{len(strings)}" {declared}>{items}</sst>'


def _book(rows: str, sst: str | None = None) -> bytes:
    """A workbook of one sheet 'P' whose sheetData is ``rows`` (shared strings: STRINGS)."""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_RELS}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets><sheet name="P" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_RELS}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_RELS}/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/sharedStrings.xml": sst if sst is not None else _sst(STRINGS),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>\n' + text)
    return out.getvalue()


def _s(ref: str, index: int) -> str:
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def _n(ref: str, value: int) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


HEADER = f'<row r="1">{_s("A1", 0)}{_s("B1", 1)}{_s("C1", 2)}</row>'
ROW2 = f'<row r="2">{_n("A2", 2040000010)}{_n("B2", 1019360050)}{_s("C2", 3)}</row>'


def _in_worker(tmp_path: Path, books: dict[str, bytes]) -> dict[str, str]:
    """The workbooks read in a process of their own under an address-space limit: name ->
    'ok', 'InputError' or what else happened (an abort ends the process: the rest missing)."""
    import json

    paths = []
    for name, data in books.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        paths.append(str(path))
    command = [sys.executable, str(WORKER), str(ADDRESS_SPACE_MB), *paths]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    said = {Path(line["file"]).stem: line["outcome"] for line in lines if "outcome" in line}
    return {name: said.get(name, f"exit {done.returncode}") for name in books}


# --- (3) a shared-strings part declaring more strings than it can hold --------------------------

SST_DECLARED = {
    "two billion": 'uniqueCount="2000000000"',
    "u32 max": 'uniqueCount="4294967295"',
    "single quotes": "uniqueCount='2000000000'",
    "spaced": 'uniqueCount = "2000000000"',
    "leading zeros": 'uniqueCount="0002000000000"',
    "character reference": 'uniqueCount="&#50;000000000"',
    "plus sign": 'uniqueCount="+2000000000"',
}


def test_a_shared_strings_count_past_the_part_is_refused_not_allocated(tmp_path: Path) -> None:
    books = {
        form.replace(" ", "_"): _book(HEADER + ROW2, _sst(STRINGS, declared))
        for form, declared in SST_DECLARED.items()
    }
    assert _in_worker(tmp_path, books) == dict.fromkeys(books, "InputError")
    for data in books.values():  # refused before the engine: safe to read in this process
        with pytest.raises(InputError, match=r"xl/sharedStrings\.xml declares .*uniqueCount"):
            read_pairs(data, **ARGS)


@pytest.mark.parametrize("unique", [0, 1, 4, 5], ids=["none", "fewer", "exact", "one more"])
def test_a_shared_strings_count_the_part_can_hold_is_read(unique: int) -> None:
    """Writers' counts may be stale: one the part's size can hold is read as before."""
    data = _book(HEADER + ROW2, _sst(STRINGS, f'uniqueCount="{unique}"'))
    pairs = read_pairs(data, **ARGS)
    assert list(pairs["label"]) == ["Decision maker"]


# --- (4) cells without a reference past column XFD ----------------------------------------------


@pytest.mark.parametrize(
    ("before", "unreferenced"),
    [(0, 16_385), (2, 16_383), (16_384, 1)],
    ids=["all unreferenced", "after two referenced", "after XFD"],
)
def test_cells_without_references_past_xfd_are_refused(before: int, unreferenced: int) -> None:
    cells = "".join(_n(f"{_letters(i + 1)}2", 1) for i in range(before))
    row = f'<row r="2">{cells}' + "<c><v>1</v></c>" * unreferenced + "</row>"
    data = _book(HEADER.replace('<c r="C1" t="s"><v>2</v></c>', "") + row)
    with pytest.raises(InputError, match=r"\[P\]: .*past the last row .* or column \(XFD\)"):
        read_pairs(data, **ARGS)


def test_rows_without_references_past_the_last_row_are_refused() -> None:
    rows = '<row r="1048575"><c r="A1048575"><v>1</v></c></row><row><c><v>1</v></c></row>' * 1
    rows += "<row><c><v>1</v></c></row>"
    with pytest.raises(InputError, match=r"\[P\]: .*past the last row"):
        read_pairs(_book(HEADER + rows), **ARGS)


def test_cells_without_references_up_to_xfd_are_read() -> None:
    """The edge: a row of 16,384 cells, the last ones without references, is a sheet."""
    row = f'<row r="2">{_n("A2", 2040000010)}{_n("B2", 1019360050)}'
    row += "<c/>" * (16_384 - 3) + "<c><v>7</v></c></row>"
    pairs = read_pairs(_book(HEADER + row), **ARGS)
    assert list(pairs["to_id"]) == ["1019360050"]


def test_many_short_rows_without_references_are_not_one_wide_row() -> None:
    """Unreferenced cells in many rows are as wide as the widest row, not all of them."""
    rows = "".join(
        f"<row><c><v>{2040000000 + i}</v></c><c><v>{1019360000 + i}</v></c>" + "<c/>" * 8 + "</row>"
        for i in range(2_000)
    )
    pairs = read_pairs(_book(HEADER + rows), **ARGS)
    assert len(pairs) == 2_000


def _letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def test_column_letters_and_numbers_are_one_mapping() -> None:
    """The readers' one pair of helpers (io/xmltags; the workbook guard and io/placement had
    copies of their own): every Excel column, upper or lower case, both ways, as this file's
    own spelling of the letters writes them."""
    for number in range(1, 16_385):
        letters = column_letters(number)
        assert letters == _letters(number)
        assert column_number(letters.encode()) == number
        assert column_number(letters.lower().encode()) == number
    assert (column_letters(16_384), column_number(b"AA"), column_letters(0)) == ("XFD", 27, "")


def test_the_placement_check_numbers_columns_as_the_readers_do() -> None:
    """io/placement numbers a sheet's reference letters eight bytes at a time, any case (its
    own copy of the arithmetic is gone): every Excel column, upper, lower and mixed case, and
    a reference without letters, get the numbers column_number gives."""
    spellings = [column_letters(n) for n in range(1, 16_385)]
    mixed = [x[0].lower() + x[1:] for x in spellings]
    given = [*spellings, *(x.lower() for x in spellings), *mixed, ""]
    numbers = placement._columns(np.array([x.encode() for x in given], dtype="S3"))
    assert numbers.tolist() == [*range(1, 16_385)] * 3 + [0]


# --- (2, 1) a cell written twice or out of order ------------------------------------------------

LABELED = f'<row r="9">{_n("A9", 2040000019)}{_n("B9", 1019360059)}{_s("C9", 3)}</row>'
#: Error cell without a reference: the read falls to openpyxl (docs/columns.md).
NO_REF_ERROR = '<row r="10"><c r="A10"><v>2040000020</v></c><c t="e"><v>#N/A</v></c></row>'
MISPLACED = {
    "same reference twice": (
        f'<row r="2">{_n("A2", 2040000010)}{_n("A2", 2040000099)}{_n("B2", 1019360050)}</row>',
        "the cell A2 twice in row 2",
    ),
    "lower-case reference": (
        f'<row r="2">{_n("A2", 2040000010)}{_n("B2", 1019360050)}{_n("a2", 2040000077)}</row>',
        "the cell A2 after B2 in row 2",
    ),
    "cell of row 2 in row 3": (
        ROW2 + f'<row r="3">{_n("A3", 2040000011)}{_n("B2", 1019360099)}</row>',
        "the cell B2 in row 3",
    ),
    "label before the ids": (
        f'<row r="2">{_s("C2", 3)}{_n("A2", 2040000010)}{_n("B2", 1019360050)}</row>',
        "the cell A2 after C2 in row 2",
    ),
    "to id before from id": (
        f'<row r="2">{_n("B2", 1019360050)}{_n("A2", 2040000010)}</row>',
        "the cell A2 after B2 in row 2",
    ),
    "unreferenced cell onto a referenced one": (
        f'<row r="2">{_n("A2", 2040000010)}<c><v>1019360050</v></c>{_n("B2", 1)}</row>',
        "the cell B2 twice in row 2",
    ),
    "rows out of order": (
        f'<row r="3">{_n("A3", 2040000011)}{_n("B3", 1019360051)}</row>' + ROW2,
        "row 2 after row 3",
    ),
}


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("fallback", [False, True], ids=["as written", "error cell unreferenced"])
@pytest.mark.parametrize("case", list(MISPLACED), ids=list(MISPLACED))
def test_a_cell_written_twice_or_out_of_order_is_refused(
    case: str, fallback: bool, engine: str
) -> None:
    rows, said = MISPLACED[case]
    data = _book(HEADER + rows + LABELED + (NO_REF_ERROR if fallback else ""))
    with read_with(engine), pytest.raises(InputError, match=r"\[P\]: the sheet's XML writes "):
        read_pairs(data, **ARGS)
    with pytest.raises(InputError) as refused:
        read_pairs(data, **ARGS)
    assert said in str(refused.value)


def test_cells_in_order_with_and_without_references_are_read() -> None:
    rows = f'<row r="2">{_n("A2", 2040000010)}<c><v>1019360050</v></c>{_s("C2", 3)}</row>'
    rows += '<row><c r="A3"><v>2040000011</v></c><c r="B3"><v>1019360051</v></c></row>'
    for engine in ("calamine", "openpyxl"):
        with read_with(engine):
            pairs = read_pairs(_book(HEADER + rows + NO_REF_ERROR), **ARGS)
        assert list(pairs["to_id"])[:2] == ["1019360050", "1019360051"]
        assert pairs["label"].iloc[0] == "Decision maker"


def _clean_rows(count: int) -> list[list[tuple[int, str]]]:
    """Rows 2.. of a valid sheet: (column, cell XML without its reference)."""
    return [
        [
            (1, f"<v>{2040000100 + i}</v>"),
            (2, f"<v>{1019360100 + i}</v>"),
            (3, '<v>3</v>" t="s'),
        ]
        for i in range(count)
    ]


def _xml(rows: list[list[tuple[int, str, str]]]) -> str:
    """Rows of (column, reference as written or '' for none, value XML)."""
    out = []
    for at, cells in enumerate(rows):
        written = []
        for _, ref, value in cells:
            inner, _, kind = value.partition('" t="')
            typed = f' t="{kind}"' if kind else ""
            named = f' r="{ref}"' if ref else ""
            written.append(f"<c{named}{typed}>{inner}</c>")
        out.append(f'<row r="{at + 2}">' + "".join(written) + "</row>")
    return "".join(out)


def _read(data: bytes, engine: str) -> list[tuple[object, ...]] | None:
    with read_with(engine):
        try:
            pairs = read_pairs(data, **ARGS)
        except InputError:
            return None
    return [tuple(row) for row in pairs[["row", "from_id", "to_id", "label"]].to_numpy()]


@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 4), fallback=st.booleans())
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_damaged_sheet_reads_as_the_clean_one_or_is_refused(
    seed: int, count: int, fallback: bool
) -> None:
    """Shuffle, duplicate (another value), move to another row, lower-case or unreference the
    cells of a valid sheet: either engine reads what the clean sheet holds, or refuses."""
    rng = random.Random(seed)
    clean = [
        [(column, f"{_letters(column)}{at + 2}", value) for column, value in cells]
        for at, cells in enumerate(_clean_rows(count))
    ]
    tail = NO_REF_ERROR.replace('r="10"', f'r="{count + 2}"').replace("A10", f"A{count + 2}")
    tail = tail if fallback else ""
    expected = _read(_book(HEADER + _xml(clean) + tail), "calamine")
    assert expected is not None
    damaged = [list(cells) for cells in clean]
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(count)
        cells = damaged[at]
        what = rng.choice(["shuffle", "twice", "other row", "lower"])
        if what == "shuffle":
            rng.shuffle(cells)
        elif what == "twice":
            column, ref, _ = rng.choice(cells)
            cells.insert(rng.randrange(len(cells) + 1), (column, ref, "<v>2040009999</v>"))
        elif what == "other row":
            damaged[rng.randrange(count)].append(rng.choice(cells))
        else:
            i = rng.randrange(len(cells))
            cells[i] = (cells[i][0], cells[i][1].lower(), cells[i][2])
    for cells in damaged:  # unreferenced where the engines place a cell as before
        i = rng.randrange(len(cells))
        before = cells[i - 1][0] if i else 0
        if rng.random() < 0.5 and cells[i][0] == before + 1 and all(c[1] for c in cells[:i]):
            cells[i] = (cells[i][0], "", cells[i][2])
    data = _book(HEADER + _xml(damaged) + tail)
    for engine in ("calamine", "openpyxl"):
        read = _read(data, engine)
        assert read is None or read == expected, (engine, _xml(damaged))


@pytest.mark.parametrize("case", list(MISPLACED), ids=list(MISPLACED))
def test_a_sheet_scanned_in_slices_finds_what_it_finds_whole(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Millions of cells are scanned in slices (bounded memory): a slice of a few bytes, a row
    each, finds the same first misplaced cell, across the slices' ends too."""
    xml = (HEADER + MISPLACED[case][0] + LABELED).encode()
    whole = placement.misplaced(xml)
    assert whole is not None
    monkeypatch.setattr(placement, "_SLICE", 1)
    assert placement.misplaced(xml) == whole
    assert placement.misplaced((HEADER + ROW2 + LABELED).encode()) is None
