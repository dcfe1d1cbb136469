"""A workbook's parts are read by the checks as the engines read them, or it is refused.

Two zip entries whose names differ only in case (``xl/worksheets/sheet1.xml`` and
``xl/worksheets/Sheet1.xml``) or by ``\\`` for ``/`` were not refused as duplicated parts: the
checks read the exact-name part (ids and a label), python-calamine the other (its part names
ignore ASCII case and read ``\\`` as ``/``), whose ``#N/A`` label, hidden row and ``0,``
formatted id were read as no label, unwarned, and unrefused.  Now any two entries whose names
are one part name once case, ``\\``, a leading ``/``, ``.`` and ``..`` segments and
percent-encoding are set aside are refused, naming both; and a part stored under another case
or with ``\\`` alone is the one the checks read (before, a part named in another case than its
relation skipped the checks of its rows).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_workbook_parts import _book, _read, _zip
from workbook_features import read_with

import hubframe as hf
from hubframe.errors import InputError

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Contact ID</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Label</t></is></c></row>'
)
HARMLESS = (
    f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER}'
    '<row r="2"><c r="A2"><v>2040000001</v></c><c r="B2"><v>1019360001</v></c>'
    '<c r="C2" t="inlineStr"><is><t>Decision maker</t></is></c></row></sheetData></worksheet>'
)
HOSTILE = (
    f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER}'
    '<row r="2"><c r="A2"><v>2040000001</v></c><c r="B2"><v>1019360001</v></c>'
    '<c r="C2" t="e"><v>#N/A</v></c></row>'
    '<row r="3" hidden="1"><c r="A3" s="1"><v>2040000002</v></c><c r="B3"><v>1019360002</v>'
    '</c></row><row r="4"><c r="A4"><v>2040000003</v></c><c r="B4"><v>1019360003</v></c>'
    '<c r="C4"><f>VLOOKUP(A4,Z:Z,2,0)</f></c></row></sheetData></worksheet>'
)
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0,"/>'
    '</numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
)
VARIANTS = [
    "xl/worksheets/Sheet1.xml",
    "xl\\worksheets\\sheet1.xml",
    "XL/WORKSHEETS/SHEET1.XML",
    "xl/worksheets\\Sheet1.xml",
    "/xl/worksheets/sheet1.xml",
    "./xl/worksheets/sheet1.xml",
    "xl/./worksheets/sheet1.xml",
    "xl/worksheets/../worksheets/sheet1.xml",
    "xl//worksheets/sheet1.xml",
    "xl/worksheets/sheet%31.xml",
    "xl/worksheets/%73heet1.xml",
]


def _parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(_book())) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[SHEET] = HARMLESS.encode()
    parts["xl/styles.xml"] = STYLES.encode()
    return parts


def _with_entry(name: str, part: bytes, *, first: bool = False) -> bytes:
    """The harmless workbook with one more zip entry, ``name``, holding ``part`` (after the
    sheet's own entry, or before it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for stored, data in _parts().items():
            if stored == SHEET and first:
                z.writestr(name, part)
            z.writestr(stored, data)
            if stored == SHEET and not first:
                z.writestr(name, part)
    return out.getvalue()


def _refused(data: bytes, original: str, variant: str) -> str:
    with pytest.raises(InputError) as caught:
        hf.read_pairs(data, from_type="deals", to_type="contacts")
    said = str(caught.value)
    assert said.startswith("<bytes>") and "damaged" in said and "\n" not in said
    assert f"'{original}'" in said and f"'{variant}'" in said
    return said


@pytest.mark.parametrize("first", [False, True])
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_sheet_part_stored_twice_under_one_name_is_refused(variant: str, first: bool) -> None:
    """The report's case: the checks read one entry and calamine the other (an #N/A label as
    no label, a hidden row and a ``0,`` id unseen); now refused as damaged, naming both."""
    data = _with_entry(variant, HOSTILE.encode(), first=first)
    names = (variant, SHEET) if first else (SHEET, variant)
    _refused(data, *names)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_the_report_case_is_not_sent(engine: str) -> None:
    """associate refuses the file before anything is sent (it read 3 rows unlabeled)."""
    from hubframe.sandbox import Sandbox
    from hubframe.testing import client_for

    data = _with_entry("xl/worksheets/Sheet1.xml", HOSTILE.encode())
    with (
        read_with(engine),
        Sandbox(seed="demo") as sandbox,
        pytest.raises(InputError, match=r"'xl/worksheets/Sheet1\.xml'"),
    ):
        hf.associate(data, client_for(sandbox))


def _variant(draw: st.DrawFn, name: str) -> str:
    """``name`` as another entry could spell the same part: letters in another case, ``\\``
    for ``/``, a leading ``/`` or ``./``, ``.`` or ``x/..`` segments, percent-encoded
    characters (at least one change)."""
    letters = [c.swapcase() if c.isalpha() and draw(st.booleans()) else c for c in name]
    out = []
    for c in letters:
        if c == "/":
            out.append(draw(st.sampled_from(["/", "\\", "/./", "/x/../", "//"])))
        elif c.isalnum() and draw(st.integers(0, 9)) == 0:
            out.append(f"%{ord(c):02X}")
        else:
            out.append(c)
    spelled = draw(st.sampled_from(["", "/", "./"])) + "".join(out)
    return spelled if spelled != name else name.swapcase()


PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "_rels/.rels"]


@settings(max_examples=examples(40), deadline=None)
@given(data=st.data(), part=st.sampled_from(PARTS), first=st.booleans())
def test_any_spelling_of_a_part_stored_twice_is_refused(
    data: st.DataObject, part: str, first: bool
) -> None:
    """A property over generated spellings of a part's name: whichever part, whichever entry
    comes first, the two entries are refused naming both."""
    variant = _variant(data.draw, part)
    assert variant != part
    held = _parts()[part] if part != SHEET else HOSTILE.encode()
    names = (variant, part) if first else (part, variant)
    book = (
        _with_entry(variant, held, first=first) if part == SHEET else _twice(part, variant, first)
    )
    _refused(book, *names)


def _twice(part: str, variant: str, first: bool) -> bytes:
    """The harmless workbook with ``part`` stored again as ``variant`` (before or after)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for stored, data in _parts().items():
            if stored == part and first:
                z.writestr(variant, data)
            z.writestr(stored, data)
            if stored == part and not first:
                z.writestr(variant, data)
    return out.getvalue()


def test_parts_of_different_names_read_as_before() -> None:
    """sheet1.xml and sheet10.xml, a part and its relations, are different parts."""
    data = _with_entry("xl/worksheets/sheet10.xml", HOSTILE.encode())
    pairs = hf.read_pairs(data, from_type="deals", to_type="contacts")
    assert pairs["label"].tolist() == ["Decision maker"]


def _renamed(name: str, xml: bytes) -> bytes:
    """The sheet's part stored as ``name`` alone (no other entry of it)."""
    parts = _parts()
    parts.pop(SHEET)
    parts[name] = xml
    return _zip(parts)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("name", ["xl/worksheets/Sheet1.xml", "xl\\worksheets\\sheet1.xml"])
def test_a_part_stored_in_another_spelling_alone_is_checked(engine: str, name: str) -> None:
    """Stored in another case, or with ``\\`` (as some Windows zip tools write), the part is
    the one calamine reads, and its checks run on it: a row written twice is refused (before,
    in another case, the guard took it for no sheet and row 4 read one row's cells)."""
    twice = HARMLESS.replace('<row r="2">', '<row r="1">').replace('r="A2"', 'r="A1"')
    twice = re.sub(r'r="([BC])2"', r'r="\g<1>1"', twice)
    with read_with(engine), pytest.raises(InputError, match="writes row 1 twice"):
        hf.read_pairs(_renamed(name, twice.encode()), from_type="deals", to_type="contacts")


@pytest.mark.parametrize(
    ("engine", "name"),
    [
        ("calamine", "xl/worksheets/Sheet1.xml"),
        ("calamine", "xl\\worksheets\\sheet1.xml"),
        ("openpyxl", "xl\\worksheets\\sheet1.xml"),  # in another case openpyxl finds no part
    ],
)
def test_a_part_stored_in_another_spelling_alone_reads_as_shown(engine: str, name: str) -> None:
    """Its error label, hidden row and ``0,`` id are seen as in the usual spelling (the
    checked copy the engines read stores ``\\`` as ``/``: openpyxl reads it too)."""
    with read_with(engine), pytest.raises(InputError, match="'0,'"):
        hf.read_pairs(_renamed(name, HOSTILE.encode()), from_type="deals", to_type="contacts")
    expected = _read(_book())
    parts = _parts()
    with zipfile.ZipFile(io.BytesIO(_book())) as z:
        parts[SHEET] = z.read(SHEET)
    del parts["xl/styles.xml"]
    with read_with(engine):
        assert _read(_zip({(name if n == SHEET else n): p for n, p in parts.items()})) == expected
