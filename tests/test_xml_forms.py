"""A sheet reads the same whatever form its XML takes, as long as XML allows it.

The engines read a cell's attributes however they are written: single quotes, a line break or
a tab before a name, spaces around ``=``, a start tag of any length, a ``>`` inside a quoted
value.  hubframe's own scans of the sheet's XML (error values, formulas without a value, hidden
rows and columns, merged cells, number formats) looked for the exact bytes Excel writes: an
error cell written ``t = "e"`` was not found (its #N/A label read as "no label" and was sent),
nor a row written ``hidden = "1"``, nor anything in a start tag longer than 1,024 bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pandas as pd
import pytest
from openpyxl import Workbook
from workbook_features import read_with, rewrite_sheet

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import read_notes

DEALS = [str(7_000_000_001 + i) for i in range(6)]
CONTACTS = [str(8_000_000_001 + i) for i in range(6)]


def _features() -> bytes:
    """Row 2 a #N/A label, row 3 hidden, row 4 a formula without a value, a label merged down
    rows 5 and 6, column D (read: the label type) hidden."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Label", "Category"])
    labels = ["#N/A", "Champion", "=VLOOKUP(A4,L!A:B,2,0)", "Buyer", None]
    for deal, contact, label in zip(DEALS, CONTACTS, labels, strict=False):
        ws.append([int(deal), int(contact), label, "USER_DEFINED"])
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["D"].hidden = True
    ws.merge_cells("C5:C6")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _spaced(xml: bytes) -> bytes:
    return re.sub(rb' ([\w:]+)="', rb' \1 = "', xml)


def _broken_lines(xml: bytes) -> bytes:
    return re.sub(rb' ([\w:]+)="([^"]*)"', rb"\n\1=\n'\2'", xml)


def _tabs(xml: bytes) -> bytes:
    return re.sub(rb' ([\w:]+)="([^"]*)"', rb"\t\1='\2'", xml)


def _long_tags(xml: bytes) -> bytes:
    """Every row, column, cell and merged range tag 2,000 bytes longer: an attribute (or, on a
    merged range, which allows no other, whitespace) before its own."""
    padded = re.sub(rb"<(c|row|col) ", rb'<\1 pad="' + b"x" * 2000 + b'" ', xml)
    return padded.replace(b"<mergeCell ", b"<mergeCell" + b" \n" * 1000)


def _long_tails(xml: bytes) -> bytes:
    """Every row, column and cell tag 2,000 bytes longer after its attributes."""
    return re.sub(rb"(<(?:c|row|col) [^<>]*?)(/?>)", rb'\1 pad="' + b"x" * 2000 + rb'"\2', xml)


def _quoted_ends(xml: bytes) -> bytes:
    """A ``>`` in a quoted value before the attributes of every cell and row tag."""
    return re.sub(rb"<(c|row|col) ", rb'<\1 note="a>b" ', xml)


FORMS: dict[str, Callable[[bytes], bytes]] = {
    "spaces around =": _spaced,
    "line breaks and single quotes": _broken_lines,
    "tabs and single quotes": _tabs,
    "start tags of 2,000 bytes": _long_tags,
    "2,000 bytes after the attributes": _long_tails,
    "'>' in a quoted value": _quoted_ends,
}


def _read(data: bytes) -> tuple[pd.DataFrame, list[tuple[int, str]], list[str]]:
    pairs = hf.read_pairs(data, from_type="deals", to_type="contacts")
    issues = hf.validate_pairs(pairs)
    said = [text for _, text in read_notes(pairs).messages()]
    return pairs, [(int(r), str(c)) for r, c in issues[["row", "code"]].values], said


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("form", list(FORMS))
def test_a_sheet_reads_the_same_in_every_form_of_its_xml(engine: str, form: str) -> None:
    usual = _features()
    written = rewrite_sheet(usual, FORMS[form])
    assert written != usual
    with read_with(engine):
        expected, expected_issues, expected_notes = _read(usual)
        pairs, issues, notes = _read(written)
    assert {(2, "FORMULA_ERROR"), (3, "HIDDEN_ROW"), (4, "FORMULA_ERROR")} <= set(issues)
    assert pairs["label"].tolist() == [
        "#N/A",
        "Champion",
        "=VLOOKUP(A4,L!A:B,2,0)",
        "Buyer",
        "Buyer",
    ]
    pd.testing.assert_frame_equal(pairs, expected)
    assert issues == expected_issues
    assert notes == expected_notes and any("'Category' is hidden" in n for n in notes)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("form", list(FORMS))
def test_a_number_format_is_found_in_every_form(engine: str, form: str) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID"])
    ws.append([int(DEALS[0]), int(CONTACTS[0])])
    ws.cell(2, 2).number_format = "0,"
    out = io.BytesIO()
    book.save(out)
    data = rewrite_sheet(out.getvalue(), FORMS[form])
    with read_with(engine), pytest.raises(InputError, match="column 'Contact ID'"):
        hf.read_pairs(data, from_type="deals", to_type="contacts")


def _later_cell(form: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """``form`` applied to the tag of cell B300 alone (the cells before it, the first 4 KB of
    the sheet among them, as Excel writes them)."""

    def change(xml: bytes) -> bytes:
        return re.sub(rb'<c r="B300"[^<>]*>', lambda m: form(m.group(0)), xml)

    return change


def _type_first(tag: bytes) -> bytes:
    """The cell's type written before its style (openpyxl writes ``s="1" t="n"``)."""
    return re.sub(rb' (s="\d+") (t="\w+")', rb" \2 \1", tag)


LATER_FORMS = {
    **FORMS,
    "t before s": _type_first,
    "spaces around s's =": lambda tag: tag.replace(b' s="', b' s = "'),
    "a line break before s": lambda tag: tag.replace(b' s="', b'\ns="'),
    "s in single quotes": lambda tag: re.sub(rb' s="(\d+)"', rb" s='\1'", tag),
}


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("form", list(LATER_FORMS))
def test_a_number_format_is_found_on_a_cell_written_otherwise_than_the_first(
    engine: str, form: str
) -> None:
    """The first cell of the format's style written as Excel writes it (a header), an id cell
    far after it in another form: the scan took the whole sheet for Excel's layout from the first
    one, and its regular expression missed the other, read silently."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Notes"])
    for n in range(299):
        ws.append([int(DEALS[0]) + n, int(CONTACTS[0]) + n, "x"])
    ws.cell(1, 3).number_format = "0,"  # the style's first cell: a header of a column not read
    ws.cell(300, 2).number_format = "0,"
    out = io.BytesIO()
    book.save(out)
    data = rewrite_sheet(out.getvalue(), _later_cell(LATER_FORMS[form]))
    assert data != out.getvalue()
    with read_with(engine), pytest.raises(InputError, match="column 'Contact ID'"):
        hf.read_pairs(data, from_type="deals", to_type="contacts")
