"""Spreadsheet error cells (#N/A, #REF! ...) are kept and refused, never read as empty.

python-calamine reads an error cell as empty text.  An empty label cell means "no label", an
empty association cell of an export means "no associations": a failed VLOOKUP became an
unlabeled association reported `success`, and a `#REF!` in an export made a sync remove the
record's associations.  Workbooks here are built as Excel saves them (openpyxl writes a text
such as "#N/A" as an error cell, t="e"), CSV files as Excel writes them (the error's text).
"""

from __future__ import annotations

import contextlib
import io
import re
import time
import zipfile
from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.hidden import hidden_rows
from hubframe.io.ids import read_ids
from hubframe.io.sheet_errors import (
    ERROR_TEXTS,
    Unplaceable,
    error_cells,
    is_error_text,
    uncomputed_cells,
)
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, xlsx_bytes

Factory = Callable[..., Sandbox]
DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]


def _issues(pairs: pd.DataFrame) -> list[tuple[int, str, str, str]]:
    issues = hf.validate_pairs(pairs)
    return [
        (int(r), str(c), str(v), str(k))
        for r, c, v, k in issues[["row", "column", "value", "code"]].itertuples(index=False)
    ]


def test_the_workbook_reader_keeps_the_error_text_where_calamine_reads_empty() -> None:
    data = xlsx_bytes(
        [
            ["Deal ID", "Contact ID", "Label", "Type ID"],
            [DEALS[0], CONTACTS[0], "#N/A", None],
            ["#REF!", CONTACTS[1], None, None],
            [DEALS[2], CONTACTS[2], None, "#VALUE!"],
            [DEALS[3], CONTACTS[3], "Decision maker", None],
        ]
    )
    pairs = hf.read_pairs(data)
    assert pairs["label"].iloc[0] == "#N/A"
    assert pairs["from_id"].iloc[1] == "#REF!"
    assert _issues(pairs) == [
        (2, "label", "#N/A", "FORMULA_ERROR"),
        (3, "from_id", "#REF!", "FORMULA_ERROR"),  # one issue per cell: not BAD_ID as well
        (4, "type_id", "#VALUE!", "FORMULA_ERROR"),
    ]
    message = hf.validate_pairs(pairs)["message"].iloc[0]
    assert "column 'Label'" in message and "VLOOKUP" in message and "not sent" in message


def _rewrite_sheet(
    data: bytes, edit: Callable[[bytes], bytes], compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """The workbook with its first sheet's XML edited (as other writers lay it out)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as copy:
        for info in source.infolist():
            part = source.read(info)
            info.compress_type = compression
            copy.writestr(info, edit(part) if info.filename.endswith("sheet1.xml") else part)
    return out.getvalue()


def _swap(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        assert old in xml
        return xml.replace(old, new)

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda x: x, id="as-openpyxl-writes"),
        pytest.param(lambda x: re.sub(rb'<c r="C2" t="e">', b'<c t="e">', x), id="no-reference"),
        pytest.param(lambda x: x.replace(b't="e"', b"t='e'"), id="single-quotes"),
        pytest.param(
            lambda x: re.sub(rb"<(/?)(c|v|row|sheetData)([ >])", rb"<\1x:\2\3", x).replace(
                b"<worksheet ",
                b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            ),
            id="prefixed",
        ),
    ],
)
def test_error_cells_are_found_however_the_xml_is_written(edit: Callable[[bytes], bytes]) -> None:
    data = _rewrite_sheet(
        xlsx_bytes([["Deal ID", "Contact ID", "Label"], [DEALS[0], CONTACTS[0], "#N/A"]]), edit
    )
    pairs = hf.read_pairs(data)
    assert pairs["label"].tolist() == ["#N/A"]
    assert [i[3] for i in _issues(pairs)] == ["FORMULA_ERROR"]


def test_a_table_away_from_a1_and_a_row_of_only_an_error() -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws["C5"], ws["D5"], ws["E5"] = "Deal ID", "Contact ID", "Label"
    ws["C6"], ws["D6"], ws["E6"] = int(DEALS[0]), int(CONTACTS[0]), "#N/A"
    ws["E8"] = "#DIV/0!"  # a row that holds nothing but an error is not dropped either
    out = io.BytesIO()
    book.save(out)
    pairs = hf.read_pairs(out.getvalue())
    assert pairs["row"].tolist() == [6, 8]
    assert pairs["label"].tolist() == ["#N/A", "#DIV/0!"]
    found = {(r, c, k) for r, c, _, k in _issues(pairs)}
    assert {(6, "label", "FORMULA_ERROR"), (8, "label", "FORMULA_ERROR")} <= found


def test_error_cells_of_the_xml_are_placed_by_reference() -> None:
    part = (
        b'<sheetData><row r="2"><c r="B2" s="1" t="e"><f>VLOOKUP(A2,X!A:B,2,0)</f><v>#N/A</v>'
        b'</c><c r="C2" t="n"><v>5</v></c><c r="AA2" t="e"/></row></sheetData>'
    )
    assert [(e.row, e.column, e.text) for e in error_cells(part)] == [
        (2, 2, "#N/A"),
        (2, 27, "#ERROR!"),  # no value written: an error all the same
    ]
    with pytest.raises(Unplaceable):  # no reference: openpyxl reads the sheet
        list(error_cells(b'<row><c t="e"><v>#N/A</v></c></row>'))


def test_csv_error_texts_are_refused_in_every_column_read() -> None:
    csv = (
        "Deal ID,Contact ID,Label,Type ID\n"
        f"{DEALS[0]},{CONTACTS[0]},#N/A,\n"
        f"{DEALS[1]},#REF!,,\n"
        f"{DEALS[2]},{CONTACTS[2]},,Err:502\n"
        f"{DEALS[3]},{CONTACTS[3]}, #name? ,\n"
        f"{DEALS[4]},{CONTACTS[4]},#1 fan,\n"  # a label that merely starts with '#'
        f'{DEALS[5]},{CONTACTS[5]},"=VLOOKUP(A7,L!A:B,2,0)",\n'  # the formula, not its value
    )
    pairs = hf.read_pairs(io.BytesIO(csv.encode()))
    assert _issues(pairs) == [
        (2, "label", "#N/A", "FORMULA_ERROR"),
        (3, "to_id", "#REF!", "FORMULA_ERROR"),
        (4, "type_id", "Err:502", "FORMULA_ERROR"),
        (5, "label", "#name?", "FORMULA_ERROR"),  # the reader trims label cells
        (7, "label", "=VLOOKUP(A7,L!A:B,2,0)", "FORMULA_ERROR"),
    ]


def test_a_label_lookup_that_failed_is_never_sent_without_its_label(
    sandbox_factory: Factory,
) -> None:
    """Before: the #N/A row was associated unlabeled and reported `success`."""
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", ["11", "12"])
    sb.add_records("contacts", ["21", "22"])
    type_id = sb.add_label("deals", "contacts", "Decision maker")
    data = xlsx_bytes(
        [["Deal ID", "Contact ID", "Label"], ["11", "21", "#N/A"], ["12", "22", "Decision maker"]]
    )
    result = hf.associate(hf.read_pairs(data), client_for(sb), progress=False)
    assert result["status"].tolist() == ["invalid", "success"]
    assert result["error_code"].iloc[0] == "FORMULA_ERROR"
    linked = sb.associations("deals", "contacts")
    assert set(zip(linked["from_id"], linked["to_id"], linked["type_id"], strict=True)) == {
        ("12", "22", type_id),
        ("12", "22", 3),  # a labeled association carries the default one
    }


def test_a_sync_never_reads_an_error_cell_as_no_associations(sandbox: Sandbox) -> None:
    """A HubSpot export whose association cell became #REF!: before, the record read as one
    without associations, and a sync allowed to remove took all of them away."""
    for contact in CONTACTS[2:4]:
        sandbox.associate("deals", DEALS[1], "contacts", contact)
    data = xlsx_bytes(
        [
            ["Record ID", "Deal Name", "Associated Contact IDs"],
            [DEALS[0], "A", f"{CONTACTS[0]};{CONTACTS[1]}"],
            [DEALS[1], "B", "#REF!"],
        ]
    )
    pairs = hf.read_pairs(data, from_type="deals")
    before = sandbox.associations("deals", "contacts")
    result = hf.sync(pairs, client_for(sandbox), allow_removals=True, progress=False)
    theirs = result.loc[result["from_id"] == DEALS[1]]
    assert "success" not in set(theirs["status"])
    assert theirs.loc[theirs["row"].notna(), "error_code"].tolist() == ["FORMULA_ERROR"]
    after = sandbox.associations("deals", "contacts")
    kept = after.loc[after["from_id"] == DEALS[1]]
    assert len(kept) == len(before.loc[before["from_id"] == DEALS[1]])


def test_labels_and_inverse_labels_are_not_created_from_an_error(sandbox: Sandbox) -> None:
    data = xlsx_bytes(
        [
            ["From object", "To object", "Label", "Inverse label"],
            ["deals", "contacts", "Sponsor", "#N/A"],  # before: created without its inverse
            ["deals", "contacts", "#REF!", None],  # before: left out without a word
            ["deals", "contacts", "Buyer", None],
        ]
    )
    before = set(sandbox.labels("deals", "contacts")["label"].dropna())
    result = hf.configure_labels(data, client_for(sandbox))
    assert result["status"].tolist() == ["invalid", "invalid", "success"]
    assert result["error_code"].tolist()[:2] == ["FORMULA_ERROR", "FORMULA_ERROR"]
    assert "inverse label" in result["error_message"].iloc[0]
    assert set(sandbox.labels("deals", "contacts")["label"].dropna()) - before == {"Buyer"}


@pytest.mark.parametrize("remove_blank", [False, True])
def test_a_limit_from_an_error_is_refused_never_blank(remove_blank: bool) -> None:
    """Before: read as an empty cell, a BLANK_LIMIT warning, or with remove_blank=True
    (--remove-blank-limits) the removal of the limit."""
    data = xlsx_bytes(
        [
            ["From object", "To object", "Max"],
            ["deals", "contacts", "#N/A"],
            ["deals", "companies", 3],
        ]
    )
    limits = hf.read_limits(data, remove_blank=remove_blank)
    assert not limits["remove"].fillna(False).astype(bool).any()
    issues = hf.validate_limits(limits)
    assert issues[["row", "code"]].values.tolist() == [[2, "FORMULA_ERROR"]]


def test_an_id_list_with_an_error_cell_reads_no_fewer_ids_unseen() -> None:
    data = xlsx_bytes([["Deal ID"], [DEALS[0]], ["#N/A"], [DEALS[2]]])
    with pytest.raises(InputError, match=r"row 3: '#N/A'"):
        read_ids(data, object_type="deals")


_CELLS = st.one_of(
    st.sampled_from(ERROR_TEXTS),
    st.sampled_from(DEALS[:3] + CONTACTS[:3]),
    st.sampled_from(["", "Decision maker", "note: x", "#1", "=VLOOKUP(A2,L!A:B,2,FALSE)"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example([["", "", "=VLOOKUP(A2,L!A:B,2,FALSE)"]])  # a row of formulas only: it was lost
@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=8))
def test_property_every_error_cell_is_read_and_refused(rows: list[list[str]]) -> None:
    """Any grid: each error cell (and each formula openpyxl wrote without computing it) comes
    back as its text at its place, and is a FORMULA_ERROR of its row and column, the only issue
    of that cell.  An error's text openpyxl writes as a text cell (``#SPILL!``: not one of its
    error codes) is an error in an id column, and a label of that name in the label column:
    Excel shows it as text, and a portal's label may be named so (an export writes it so)."""
    from openpyxl.cell.cell import ERROR_CODES

    grid = [[cell or None for cell in row] for row in rows]
    pairs = hf.read_pairs(xlsx_bytes([["Deal ID", "Contact ID", "Label"], *grid]))
    by_row = {int(r): i for i, r in enumerate(pairs["row"])}
    issues = _issues(pairs)
    columns = ("from_id", "to_id", "label")
    for n, row in enumerate(rows, start=2):
        for cell, column in zip(row, columns, strict=True):
            if not is_error_text(cell):
                continue
            assert pairs[column].iloc[by_row[n]] == cell
            found = [k for r, c, _, k in issues if r == n and c == column]
            text_label = column == "label" and cell not in ERROR_CODES and cell[:1] == "#"
            assert found == ([] if text_label else ["FORMULA_ERROR"]), (cell, column, found)


def test_formula_cells_without_a_value_are_refused_and_computed_ones_read() -> None:
    """A workbook written by a program (openpyxl, pandas' to_excel) holds formulas without
    their values; calamine read them as empty: a label VLOOKUP became "no label"."""
    part = (
        b'<row r="2"><c r="A2" t="str"><f>IF(1,"","x")</f><v></v></c>'  # computed: empty text
        b'<c r="B2" t="str"><f>"abc"</f><v>abc</v></c><c r="C2"><f>1+1</f><v>2</v></c>'
        b'<c r="D2"><f t="shared" si="0"/><v>5</v></c><c r="E2"><f t="shared" si="0"/></c>'
        b'<c r="F2" t="str"><f>A1</f></c><c r="G2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        b'<c r="H2"><f>1+1</f><v /></c></row>'
    )
    assert [(e.column, e.text) for e in uncomputed_cells(part)] == [
        (5, "=(shared formula)"),
        (6, "=A1"),
        (8, "=1+1"),
    ]
    data = xlsx_bytes(
        [
            ["Deal ID", "Contact ID", "Label"],
            [DEALS[0], CONTACTS[0], "=VLOOKUP(A2,Labels!A:B,2,FALSE)"],
            ["=Deals!A7", CONTACTS[1], "Decision maker"],
            [DEALS[2], CONTACTS[2], "Decision maker"],
        ]
    )
    pairs = hf.read_pairs(data)
    assert _issues(pairs) == [
        (2, "label", "=VLOOKUP(A2,Labels!A:B,2,FALSE)", "FORMULA_ERROR"),
        (3, "from_id", "=Deals!A7", "FORMULA_ERROR"),
    ]
    assert "never computed" in hf.validate_pairs(pairs)["message"].iloc[0]
    computed = _rewrite_sheet(
        data,
        _swap(
            b'<c r="C4" t="inlineStr"><is><t>Decision maker</t></is></c>',
            b'<c r="C4" t="str"><f>VLOOKUP(A4,Labels!A:B,2,FALSE)</f><v>Decision maker</v></c>',
        ),
    )
    assert hf.read_pairs(computed)["label"].iloc[2] == "Decision maker"  # as Excel saves it


def _recalc_book(calc: bytes) -> bytes:
    """Deal ids as formulas with XlsxWriter's placeholder value 0, and one computed value,
    in a workbook whose calcPr is ``calc``."""
    data = xlsx_bytes([["Deal ID", "Contact ID"], [DEALS[0], CONTACTS[0]], [DEALS[1], CONTACTS[1]]])
    sheet = _rewrite_sheet(
        data,
        lambda xml: re.sub(
            rb'<c r="A3"( t="\w+")?>.*?</c>',
            b'<c r="A3"><f>D3</f><v>0</v></c>',
            re.sub(
                rb'<c r="A2"( t="\w+")?>.*?</c>',
                b'<c r="A2"><f>D2</f><v>' + DEALS[0].encode() + b"</v></c>",
                xml,
            ),
        ),
    )
    source = zipfile.ZipFile(io.BytesIO(sheet))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            part = source.read(info)
            if info.filename.endswith("workbook.xml"):
                part = re.sub(rb"<calcPr[^>]*/>", b"", part).replace(
                    b"</workbook>", calc + b"</workbook>"
                )
            copy.writestr(info, part)
    return out.getvalue()


@pytest.mark.parametrize(
    "calc", [b'<calcPr fullCalcOnLoad="1"/>', b"<calcPr fullCalcOnLoad='true'/>"]
)
def test_a_placeholder_zero_of_a_workbook_computed_when_opened_is_never_computed(
    calc: bytes,
) -> None:
    """XlsxWriter writes every formula with the value 0 and asks Excel to compute them when the
    workbook opens: Excel shows the formula's value, hubframe read 0 ("the id is zero")."""
    pairs = hf.read_pairs(_recalc_book(calc))
    assert _issues(pairs) == [(3, "from_id", "=D3", "FORMULA_ERROR")]
    assert pairs["from_id"].iloc[0] == DEALS[0]  # a value the writer gave is the value


def test_a_zero_of_a_workbook_computed_as_saved_is_its_value() -> None:
    pairs = hf.read_pairs(_recalc_book(b'<calcPr calcId="191029"/>'))
    assert [(row, code) for row, _, _, code in _issues(pairs)] == [(3, "BAD_ID")]


def test_rows_of_formulas_only_are_never_lost() -> None:
    """calamine leaves out rows whose only cells are formulas without a value (a script copied
    ids and labels by formula): they were missing from the read, without a word."""
    data = xlsx_bytes(
        [
            ["Deal ID", "Contact ID", "Label"],
            [DEALS[0], CONTACTS[0], "Decision maker"],
            ["=Deals!A3", "=Contacts!A3", "=Labels!A3"],
            [DEALS[2], CONTACTS[2], None],
            [None, None, "=Labels!A5"],
        ]
    )
    pairs = hf.read_pairs(data)
    assert pairs["row"].tolist() == [2, 3, 4, 5]
    issues = _issues(pairs)
    assert [(r, c) for r, c, _, k in issues if k == "FORMULA_ERROR"] == [
        (3, "from_id"),
        (3, "to_id"),
        (3, "label"),
        (5, "label"),
    ]


def test_a_formula_cell_that_cannot_be_placed_stops_the_read() -> None:
    data = _rewrite_sheet(
        xlsx_bytes([["Deal ID", "Contact ID", "Label"], [DEALS[0], CONTACTS[0], "=A1"]]),
        _swap(b'<c r="C2">', b"<c>"),
    )
    with pytest.raises(InputError, match="never computed"):
        hf.read_pairs(data)


_CRAFTED = {
    "tags without an end": b"<c " * 250_000 + b't="e"',
    "error cells without a close": b'<c r="A1" t="e">' * 120_000,
    "formula cells without a close": b'<c r="A1"><f>' * 150_000,
    "formulas without an end": b"<f " * 250_000,
    "prefixed formulas": b"<x:f " * 200_000,
    "rows without an end": b"<row " * 200_000 + b'hidden="1"',
    "hidden rows": b'<row r="1" hidden="1">' * 80_000,
}


@pytest.mark.parametrize("name", list(_CRAFTED))
def test_a_crafted_sheet_costs_time_in_proportion_to_its_size(name: str) -> None:
    """Each ~2 MB part took hours before the searches were bounded (a search per cell that ran
    to the end of the part: the square of its size); now well under a second each.  The bound
    is loose on purpose: it tells linear from quadratic, not fast from slow."""
    part = _CRAFTED[name]
    started = time.perf_counter()
    for _ in error_cells(part):
        pass
    with contextlib.suppress(Unplaceable):
        for _ in uncomputed_cells(part):
            pass
    hidden_rows(part)
    assert time.perf_counter() - started < 20


def test_a_part_repeating_one_error_cell_stops_the_read_at_once() -> None:
    """A crafted sheet naming cell C2 as an error 300,000 times (its grid is 2 x 3): the scan
    stops at the first repeat (the guard refuses a cell written twice), and says the file is
    damaged, instead of working through every repeat."""
    repeats = b'<c r="C2" t="e"><v>#N/A</v></c>' * 300_000
    data = _rewrite_sheet(
        xlsx_bytes([["Deal ID", "Contact ID", "Label"], [DEALS[0], CONTACTS[0], "#N/A"]]),
        _swap(b'<c r="C2" t="e"><v>#N/A</v></c>', repeats),
        zipfile.ZIP_STORED,  # stored: the zip-bomb check (compression ratio) lets it through
    )
    started = time.perf_counter()
    with pytest.raises(InputError, match="writes the cell C2 twice in row 2"):
        hf.read_pairs(data)
    assert time.perf_counter() - started < 20  # loose: bounded by the sheet, not the repeats
