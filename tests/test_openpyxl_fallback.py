"""When openpyxl reads a workbook (calamine failed, or an error cell without a cell reference),
the sheet is read as calamine reads it: every row and column the sheet holds, whatever
dimension it states, labels merged down a column in every row they cover, formulas without a
value kept as their formula, hidden rows warned about.  Before, openpyxl's read-only mode
stopped at the stated dimension (rows and the label column left out unseen), gave no merged
ranges (rows associated without their label) and read a formula without a value as empty.

Merged ranges cost time in proportion to the sheet: overlapping ones (which Excel never
writes) stop the read, and a range listed many times is one range.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from workbook_features import GRIDS, HEADER, HIDDEN, MERGES, features_book, read_with, rewrite_sheet

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.merges import xml_merges

DEALS = [str(7_000_000_001 + i) for i in range(8)]
CONTACTS = [str(8_000_000_001 + i) for i in range(8)]


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stale(ref: bytes) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        assert b"<dimension " in xml
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', xml)

    return edit


def _pairs_book(count: int) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    for i in range(count):
        ws.append([DEALS[i % 8], CONTACTS[i % 8] + str(i), "Champion"])
    return _save(book)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("ref", [b"A1", b"A1:B5", b"A1:C3"])
def test_a_stale_dimension_leaves_no_row_or_column_out(engine: str, ref: bytes) -> None:
    data = rewrite_sheet(_pairs_book(40), _stale(ref))
    with read_with(engine):
        pairs = hf.read_pairs(data)
    assert pairs["row"].tolist() == list(range(2, 42))
    assert pairs["label"].tolist() == ["Champion"] * 40


def test_an_error_cell_without_a_reference_reads_every_row_of_a_stale_sheet() -> None:
    """The real way into openpyxl: a writer that leaves out cell references (and states a
    dimension of one cell).  Before, 2 of 30 rows were read, and without their labels."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    ws.append([DEALS[0], CONTACTS[0], "#N/A"])
    for i in range(1, 30):
        ws.append([DEALS[i % 8], CONTACTS[i % 8] + str(i), "Champion"])
    data = rewrite_sheet(
        _save(book),
        lambda x: _stale(b"A1")(re.sub(rb'<c r="C2" t="e">', b'<c t="e">', x)),
    )
    pairs = hf.read_pairs(data)
    assert len(pairs) == 30 and pairs["label"].tolist() == ["#N/A"] + ["Champion"] * 29
    codes = hf.validate_pairs(pairs)["code"].tolist()
    assert codes == ["FORMULA_ERROR"]


def _visible(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in frame.columns if c != "sheet"]].reset_index(drop=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=GRIDS, hidden=HIDDEN, merge=MERGES)
def test_property_openpyxl_reads_every_workbook_feature_as_calamine_does(
    grid: list[list[str]], hidden: set[int], merge: tuple[int, int] | None
) -> None:
    """Ids, labels, error values, formulas without a value, hidden rows and a label merged
    down: the same frame, the same issues, whichever engine reads the workbook."""
    data = features_book(grid, hidden, merge).data
    with read_with("calamine"):
        expected = hf.read_pairs(data)
    with read_with("openpyxl"):
        got = hf.read_pairs(data)
    pd.testing.assert_frame_equal(_visible(got), _visible(expected), check_dtype=False)
    assert got.attrs["hubframe"].get("merged_cells") == expected.attrs["hubframe"].get(
        "merged_cells"
    )
    issues = [hf.validate_pairs(p)[["row", "column", "code"]] for p in (got, expected)]
    pd.testing.assert_frame_equal(issues[0], issues[1])


def test_merged_ranges_are_read_from_the_xml_however_written() -> None:
    part = (
        b'<mergeCells count="4"><mergeCell ref="C2:C4"/><x:mergeCell ref=\'$B$7:$B$9\'/>'
        b'<mergeCell ref="A10:B10"/><mergeCell ref="AA3:AA5"/></mergeCells>'
    )
    # (top, left, bottom, right), by first column: across columns too (A10:B10)
    assert xml_merges(part) == [(10, 1, 10, 2), (7, 2, 9, 2), (2, 3, 4, 3), (3, 27, 5, 27)]
    assert xml_merges(b"<sheetData/>") == []


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_overlapping_merged_ranges_stop_the_read(engine: str) -> None:
    merges = b'<mergeCells count="2"><mergeCell ref="C2:C9"/><mergeCell ref="C5:C7"/></mergeCells>'
    data = rewrite_sheet(
        _pairs_book(10), lambda x: x.replace(b"</sheetData>", b"</sheetData>" + merges)
    )
    with read_with(engine), pytest.raises(InputError, match=r"C2:C9 and C5:C7 overlap"):
        hf.read_pairs(data)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_range_listed_many_times_costs_one_range(engine: str) -> None:
    """Before: 6,000 copies of one range over 6,000 rows filled 36 million cells (4,000 of
    them took 17 s on calamine's path; listed 20,000 times in a 250 KB file, minutes)."""
    rows = 6000
    merges = b'<mergeCell ref="C2:C%d"/>' % (rows + 1)
    block = b'<mergeCells count="6000">' + merges * 6000 + b"</mergeCells>"
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    for i in range(rows):
        ws.append([DEALS[i % 8], str(9_000_000_000 + i), "Champion" if i == 0 else None])
    data = rewrite_sheet(_save(book), lambda x: x.replace(b"</sheetData>", b"</sheetData>" + block))
    started = time.perf_counter()
    with read_with(engine):
        pairs = hf.read_pairs(data)
    assert time.perf_counter() - started < 10  # loose: linear takes about half a second
    assert pairs["label"].tolist() == ["Champion"] * rows


#: Number cells of many digits, as a program writes them (``<v>12345678901234567</v>``):
#: Excel holds a double (15 significant digits) and shows 12345678901234600.
LONG_NUMBERS = [
    123456789012345,
    1234567890123456,
    12345678901234567,
    -12345678901234567,
    10**19 + 7,
    999,  # written past a double's range below: 1 and 400 zeros
]


def test_a_number_cell_reads_as_the_double_excel_holds_with_either_engine() -> None:
    """openpyxl reads a number written without a point as an exact int: 16 and 17 digit ids
    read and sent exactly as the file held them, where calamine (a double, as Excel holds
    it) reads text validation refuses (BAD_ID): which was sent depended on the engine."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    for number in LONG_NUMBERS:
        ws.append([DEALS[0], number, None])
    data = rewrite_sheet(_save(book), lambda x: x.replace(b"<v>999<", b"<v>1" + b"0" * 400 + b"<"))
    read = {}
    for engine in ("calamine", "openpyxl"):
        with read_with(engine):
            pairs = hf.read_pairs(data, from_type="deals", to_type="contacts")
        issues = hf.validate_pairs(pairs)
        read[engine] = (pairs["to_id"].tolist(), issues[["row", "code"]].values.tolist())
    assert read["openpyxl"] == read["calamine"]
    ids, issues = read["openpyxl"]
    assert ids[:2] == ["123456789012345", "1234567890123456.0"]  # 15 digits: exact
    assert [row for row, code in issues if code == "BAD_ID"] == [3, 4, 5, 6, 7]


#: Pieces of text as a workbook's XML writes them: Excel's escapes of a carriage return, a
#: space, an accented letter, an escaped underscore (``_x005F_x0041_`` is ``_x0041_``), one
#: calamine keeps as written (``_x0100_``), and half escapes.
_PIECES = st.sampled_from(
    [
        "Sponsor",
        "7000000001",
        "_x000D_",
        "_x000d_",
        "_x0020_",
        "_x00e9_",
        "_x0031_",
        "_x005F_",
        "_x005F_x0041_",
        "_x0100_",
        "_x00",
        "41_",
        "_",
        "x",
    ]
)
_ESCAPED = st.lists(_PIECES, min_size=1, max_size=4).map("".join)
_HEADERS = st.sampled_from(
    [HEADER, ["Deal_x0020_ID", "Contact ID", "Label"], ["Deal ID", "Contact_x005F_x0020_ID", "L"]]
)


def _shared(data: bytes) -> bytes:
    """The workbook with its inline strings moved to a shared strings part, as Excel writes
    them (openpyxl writes inline ones)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: list[str] = []

    def share(found: re.Match[bytes]) -> bytes:
        strings.append(found.group(2).decode())
        return b'<c r="' + found.group(1) + b'" t="s"><v>%d</v></c>' % (len(strings) - 1)

    sheet = source.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(
        rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', share, sheet
    )
    items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
    table = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = sheet
            elif info.filename == "[Content_Types].xml":
                part = part.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                part = part.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            copy.writestr(info, part)
        copy.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


def _outcome(data: bytes) -> tuple[pd.DataFrame, pd.DataFrame] | str:
    try:
        pairs = hf.read_pairs(data, from_type="deals", to_type="contacts")
    except InputError as exc:
        return str(exc)
    return _visible(pairs), hf.validate_pairs(pairs)[["row", "column", "value", "code"]]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=_HEADERS,
    grid=st.lists(st.lists(_ESCAPED, min_size=3, max_size=3), min_size=1, max_size=5),
    shared=st.booleans(),
)
def test_property_escaped_text_reads_as_calamine_reads_it(
    header: list[str], grid: list[list[str]], shared: bool
) -> None:
    """Text holding Excel's ``_xHHHH_`` escapes, in headers, ids and labels, shared or inline:
    openpyxl's read is calamine's.  Before, openpyxl gave the escapes as written: a label
    read ``Sponsor_x000D_`` (created so by hubframe labels) or an id BAD_ID whenever calamine
    failed on the workbook for another cell."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in [header, *grid]:
        ws.append(row)
    data = _save(book)
    data = _shared(data) if shared else data
    with read_with("calamine"):
        expected = _outcome(data)
    with read_with("openpyxl"):
        got = _outcome(data)
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
        return
    pd.testing.assert_frame_equal(got[0], expected[0], check_dtype=False)
    pd.testing.assert_frame_equal(got[1], expected[1])


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Sponsor_x000D_", "Sponsor\r"),
        ("Decision_x0020_maker", "Decision maker"),
        ("_x005F_x0041_", "_x0041_"),
        ("_x005F_x005F_x0041_", "_x005FA"),
        ("_x0100_x0041_", "_x0100A"),
        ("_x00e9_", "é"),
        ("plain", "plain"),
    ],
)
def test_escapes_decode_as_calamine_decodes_them(written: str, read: str) -> None:
    from hubframe.io.escapes import decoded_escapes

    assert decoded_escapes(written) == read
