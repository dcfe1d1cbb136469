"""Number formats that show an id cell's number otherwise than the cell holds it stop the read.

Before, the number held was read whatever Excel showed: ``0,`` shows 101936297 for
101936297024, ``"10"0`` shows 10123 for 123, ``;;;`` shows nothing, ``0%`` shows 200% for 2 --
the analyst saw one id and another was sent (and the same sheet saved as CSV from Excel gives
the one shown).  Formats that only pad, group or round (documented) read as before, as does a
misleading format on a column hubframe does not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook
from openpyxl.formatting.rule import Rule
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from workbook_features import read_with, rewrite_sheet

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.numfmt import hides_text, misleading_styles, shows_other_digits

DEALS = [7_300_000_001 + i for i in range(3)]
CONTACTS = [8_300_000_001 + i for i in range(3)]


def _book(id_format: str | None, other_format: str | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Amount"])
    for deal, contact in zip(DEALS, CONTACTS, strict=True):
        ws.append([deal, contact, 2])
    for row in range(2, 5):
        if id_format is not None:
            ws.cell(row, 1).number_format = id_format
        if other_format is not None:
            ws.cell(row, 3).number_format = other_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHOWN_OTHERWISE = ["0,", "#,##0,", '"10"0', ";;;", '[<100]0;"big"', "0%", "0.00%", '"big"']
SHOWN_AS_HELD = ["0", "#,##0", "00000000000", "0.00E+00", "@", "General", "[Red]0", '"Deal "0']


@pytest.mark.parametrize("code", SHOWN_OTHERWISE)
def test_formats_that_show_other_digits(code: str) -> None:
    assert shows_other_digits(code)


@pytest.mark.parametrize("code", [*SHOWN_AS_HELD, "yyyy-mm-dd", "[h]:mm", "# ?/?", "0;-0;;@"])
def test_formats_that_show_the_digits_held(code: str) -> None:
    assert not shows_other_digits(code)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("code", SHOWN_OTHERWISE)
def test_an_id_column_shown_otherwise_stops_the_read(engine: str, code: str) -> None:
    with read_with(engine), pytest.raises(InputError, match="column 'Deal ID'") as info:
        hf.read_pairs(_book(code), from_type="deals", to_type="contacts")
    message = str(info.value)
    assert f"rows 2, 3, 4; row 2 holds {DEALS[0]}" in message and f"'{code}'" in message


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("code", SHOWN_AS_HELD)
def test_an_id_column_shown_as_held_reads_as_before(engine: str, code: str) -> None:
    with read_with(engine):
        pairs = hf.read_pairs(_book(code, "0%"), from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == [str(d) for d in DEALS]  # a column not read: its own


def test_styles_that_cannot_be_read_mislead_nothing() -> None:
    assert misleading_styles(b"<styleSheet><cellXfs><xf numFmtId='9'/>") == {}
    assert misleading_styles(b"") == {}
    styles = (
        b'<styleSheet><numFmts><numFmt numFmtId="164" formatCode="0,"/></numFmts>'
        b'<cellStyleXfs><xf numFmtId="9"/></cellStyleXfs>'
        b'<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="9"/><xf numFmtId="3"/>'
        b"</cellXfs></styleSheet>"
    )
    assert misleading_styles(styles) == {1: "0,", 2: "0%"}


LAYOUTS = {
    "style first": lambda x: re.sub(
        rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', rb'<c s="\2" r="\1"', x
    ),
    "type first": lambda x: re.sub(
        rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)" t="n"', rb'<c r="\1" t="n" s="\2"', x
    ),
    "prefixed": lambda x: (
        x.replace(b"<worksheet ", b"<x:worksheet xmlns:x=" + NS + b" ")
        .replace(b"</worksheet>", b"</x:worksheet>")
        .replace(b"<c ", b"<x:c ")
        .replace(b"</c>", b"</x:c>")
    ),
}
NS = b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_cells_written_in_other_layouts_are_found(layout: str) -> None:
    """Writers other than Excel order a cell's attributes otherwise, or prefix its tag."""
    data = rewrite_sheet(_book("0,"), LAYOUTS[layout])
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    written = {"style first": b'<c s="', "type first": b't="n" s="', "prefixed": b"<x:c "}
    assert written[layout] in sheet  # the layout was written
    with pytest.raises(InputError, match="column 'Deal ID'"):
        hf.read_pairs(data, from_type="deals", to_type="contacts")
    plain = rewrite_sheet(_book("0", "0%"), LAYOUTS[layout])
    assert len(hf.read_pairs(plain, from_type="deals", to_type="contacts")) == 3


def test_another_part_named_styles_does_not_hide_the_workbooks_own() -> None:
    """A part of another folder named styles.xml (an add-in's) beside the workbook's own: the
    workbook's is read (before, two such parts meant none was)."""
    source = zipfile.ZipFile(io.BytesIO(_book("0,")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        copy.writestr("customXml/styles.xml", b"<styleSheet/>")
        for info in source.infolist():
            copy.writestr(info, source.read(info))
    with pytest.raises(InputError, match="column 'Deal ID'"):
        hf.read_pairs(out.getvalue(), from_type="deals", to_type="contacts")


HIDE_TEXT = [";;;", '0;0;0;"x"', '0;-0;0;"id"', "General;General;General;"]
# digits written beside the text: Excel shows the text 2040000001 as 102040000001
HIDE_TEXT += ['"10"@', '0;0;0;"10"@', "\\1@", '@"0"', '0;-0;0;"Deal 7 "@']
SHOW_TEXT = ["@", "0;-0;;@", ';;;"Deal "@', "0", "0,", ";;", "General", '0;0;0;"@"@']


@pytest.mark.parametrize("code", HIDE_TEXT)
def test_formats_that_hide_text(code: str) -> None:
    assert hides_text(code)


@pytest.mark.parametrize("code", SHOW_TEXT)
def test_formats_that_show_text(code: str) -> None:
    assert not hides_text(code)


def _text_book(code: str, column: int) -> bytes:
    """Ids and labels written as text; the cells of ``column`` formatted with ``code``."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Label"])
    for deal, contact in zip(DEALS, CONTACTS, strict=True):
        ws.append([str(deal), str(contact), "Champion"])
    for row in range(2, 5):
        ws.cell(row, column).number_format = code
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("column", [1, 3])
@pytest.mark.parametrize("code", HIDE_TEXT)
def test_a_text_cell_hidden_by_its_format_stops_the_read(
    engine: str, column: int, code: str
) -> None:
    """Excel shows a text id or label formatted ``;;;`` as an empty cell (or as the format's
    own text): sending what the file holds would send what the analyst does not see."""
    header = ["Deal ID", "Contact ID", "Label"][column - 1]
    with read_with(engine), pytest.raises(InputError, match=f"column '{header}'") as info:
        hf.read_pairs(_text_book(code, column), from_type="deals", to_type="contacts")
    held = [str(DEALS[0]), "", "Champion"][column - 1]
    assert f"rows 2, 3, 4; row 2 holds {held}" in str(info.value)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("code", [*SHOW_TEXT, *(c for c in SHOWN_OTHERWISE if c != ";;;")])
def test_a_text_cell_shown_as_held_reads_as_before(engine: str, code: str) -> None:
    """Formats whose text section shows the text (or that have none) leave text cells as they
    are, whatever they do to numbers."""
    with read_with(engine):
        pairs = hf.read_pairs(_text_book(code, 1), from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == [str(d) for d in DEALS]
    assert pairs["label"].tolist() == ["Champion"] * 3


def test_a_limits_sheet_with_a_hidden_label_stops_the_read() -> None:
    """Every sheet read goes through the same check: a limit's label hidden by ``;;;`` would
    set the limit of a label the analyst does not see."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["From object", "To object", "Label", "Max associations"])
    ws.append(["Deals", "Contacts", "Decision maker", 3])
    ws.cell(2, 3).number_format = ";;;"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InputError, match=r"column 'Label'.*row 2 holds Decision maker"):
        hf.read_limits(out.getvalue())


# --- formats the cells' own references and styles do not tell -----------------------------------
# Before, the check found only cells written with a reference and an ``s``: the same cell
# written without its (optional) reference, a format given to style 0 (every cell without
# ``s``), or one a conditional formatting rule gives were read silently, Excel showing
# 7300000 for the 7300000001 sent.


def _rewrite_part(data: bytes, name: str, edit: Callable[[bytes], bytes]) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            part = source.read(info)
            copy.writestr(info, edit(part) if info.filename == name else part)
    return out.getvalue()


def _unreferenced(xml: bytes) -> bytes:
    """Every cell written without its reference: the engines place it after the one before."""
    return re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_cells_without_references_are_placed_and_checked(engine: str) -> None:
    data = rewrite_sheet(_book("0,"), _unreferenced)
    with read_with(engine), pytest.raises(InputError, match="column 'Deal ID'") as info:
        hf.read_pairs(data, from_type="deals", to_type="contacts")
    assert f"rows 2, 3, 4; row 2 holds {DEALS[0]}" in str(info.value)
    other_column = rewrite_sheet(_book("0", "0%"), _unreferenced)  # placed in column C
    with read_with(engine):
        pairs = hf.read_pairs(other_column, from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == [str(d) for d in DEALS]


def _style_zero(code: str) -> Callable[[bytes], bytes]:
    """styles.xml with style 0 (the style of every cell without ``s``) given ``code``."""

    def edit(styles: bytes) -> bytes:
        cell_styles = styles.index(b"<cellXfs")
        first = styles.index(b'numFmtId="0"', cell_styles)
        styles = styles[:first] + b'numFmtId="170"' + styles[first + len(b'numFmtId="0"') :]
        listed = f'<numFmts count="1"><numFmt numFmtId="170" formatCode="{code}"/></numFmts>'
        return re.sub(rb"(<styleSheet[^>]*>)", rb"\1" + listed.encode(), styles, count=1)

    return edit


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_style_zero_is_the_style_of_cells_without_one(engine: str) -> None:
    data = _rewrite_part(_book(None), "xl/styles.xml", _style_zero("0,"))
    with read_with(engine), pytest.raises(InputError, match="column 'Deal ID'") as info:
        hf.read_pairs(data, from_type="deals", to_type="contacts")
    assert "'0,'" in str(info.value)
    plain = _rewrite_part(_book(None), "xl/styles.xml", _style_zero("#,##0"))
    with read_with(engine):
        assert len(hf.read_pairs(plain, from_type="deals", to_type="contacts")) == 3


def _conditional(column: str, code: str, *, in_sheet: bool = True) -> bytes:
    """The ids (no format of their own) and a conditional formatting rule giving the cells of
    ``column`` the format ``code``: through styles.xml (``dxfId``), or written in the rule as
    Excel 2010's extensions write it."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Amount"])
    for deal, contact in zip(DEALS, CONTACTS, strict=True):
        ws.append([deal, contact, 2])
    if in_sheet:
        style = DifferentialStyle(numFmt=NumberFormat(164, code))
        ws.conditional_formatting.add(
            f"{column}2:{column}100", Rule(type="expression", dxf=style, formula=["TRUE"])
        )
    out = io.BytesIO()
    book.save(out)
    if in_sheet:
        return out.getvalue()
    extension = (
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.'
        'microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
        '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/'
        'main"><x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-0000000'
        f'00001}}"><xm:f>Lists!A1</xm:f><x14:dxf><numFmt numFmtId="164" formatCode="{code}"/>'
        f"</x14:dxf></x14:cfRule><xm:sqref>{column}2:{column}1048576</xm:sqref>"
        "</x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
    )
    return rewrite_sheet(
        out.getvalue(), lambda x: x.replace(b"</worksheet>", extension.encode() + b"</worksheet>")
    )


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("in_sheet", [True, False], ids=["dxfId", "x14 extension"])
def test_a_conditional_format_that_shows_other_digits_stops_the_read(
    engine: str, in_sheet: bool
) -> None:
    """Whether the rule applies is not known (its formula is Excel's to compute): the cells it
    covers may be shown so, and which id was meant cannot be told."""
    data = _conditional("B", "0,", in_sheet=in_sheet)
    with read_with(engine), pytest.raises(InputError, match="column 'Contact ID'") as info:
        hf.read_pairs(data, from_type="deals", to_type="contacts")
    assert f"rows 2, 3, 4; row 2 holds {CONTACTS[0]}, shown with the format '0,'" in str(info.value)
    for harmless in (_conditional("C", "0,", in_sheet=in_sheet), _conditional("B", "#,##0")):
        with read_with(engine):
            assert len(hf.read_pairs(harmless, from_type="deals", to_type="contacts")) == 3


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_an_empty_cell_shows_nothing_whatever_its_format(engine: str) -> None:
    """An empty id cell formatted ``0,`` was refused as holding "" shown otherwise, and one
    below the last row read failed the read (IndexError)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID"])
    ws.append([DEALS[0], CONTACTS[0]])
    ws.append([None, CONTACTS[1]])
    ws.cell(3, 1).number_format = "0,"
    ws.cell(9, 1).number_format = "0,"  # written as an empty cell of its own
    out = io.BytesIO()
    book.save(out)
    with read_with(engine):
        pairs = hf.read_pairs(out.getvalue(), from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [2, 3]


def test_a_part_the_check_cannot_parse_is_refused() -> None:
    """A sheet whose cells lack references is parsed cell by cell; a document type (where
    entities that expand without end are declared) is not parsed, and the read stops."""
    data = rewrite_sheet(
        _book("0,"),
        lambda x: _unreferenced(x).replace(b"<worksheet ", b"<!DOCTYPE w><worksheet ", 1),
    )
    with pytest.raises(InputError, match="cannot check the number formats"):
        hf.read_pairs(data, from_type="deals", to_type="contacts")


def _with_styles(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with its styles.xml changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            part = source.read(info.filename)
            book.writestr(info, change(part) if info.filename == "xl/styles.xml" else part)
    return out.getvalue()


STYLES_DAMAGE = {
    "trailing bytes": lambda part: part + b"<junk",
    "a document type": lambda part: re.sub(
        rb"<styleSheet", b'<!DOCTYPE x [<!ENTITY a "b">]><styleSheet', part, count=1
    ),
    "an unclosed element": lambda part: part.replace(b"</styleSheet>", b"<numFmts></styleSheet>"),
}


@pytest.mark.parametrize("damage", list(STYLES_DAMAGE))
@pytest.mark.parametrize("id_format", ["0,", "0"])
def test_a_styles_part_the_check_cannot_parse_stops_the_read(damage: str, id_format: str) -> None:
    """calamine reads past a styles part expat refuses (trailing bytes): the check took the
    formats it could not read for none, and an id Excel shows as 8300000001 was sent as
    8300000001000.  The read stops, saying the formats cannot be checked (or, where the engine
    refuses the part too, that the workbook cannot be read), whatever the format."""
    data = _with_styles(_book(id_format), STYLES_DAMAGE[damage])
    with pytest.raises(InputError, match=r"cannot check the number formats|cannot be read"):
        hf.read_pairs(io.BytesIO(data))
    assert misleading_styles(b"<styleSheet><cellXfs><xf numFmtId='9'/>") == {}  # by index: none
