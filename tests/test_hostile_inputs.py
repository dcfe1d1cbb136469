"""Issue 10, section 3: hostile files cost seconds and bounded memory, never the process.

Each guard has a test; then a seeded fuzz test reads a few hundred generated or mutated files
(truncated and bit-flipped workbooks, far cells, lying sizes, small zip bombs, random bytes, CSV
with control characters, quotes and long rows) in a subprocess under an address-space limit,
and asserts: only InputError (or a frame), each file within PER_FILE_SECONDS, all within
TOTAL_SECONDS, peak RSS within PEAK_RSS_MB.
"""

from __future__ import annotations

import io
import json
import random
import resource
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from workbook_features import read_with

from hubframe.errors import InputError
from hubframe.io import (
    DEFAULT_LIMITS,
    ReadLimits,
    read_limits_in_force,
    read_pairs,
    set_read_limits,
    sheet_headers,
)

ARGS = {"from_type": "deals", "to_type": "contacts"}
SEED = 20251010
PER_FILE_SECONDS = 5.0
TOTAL_SECONDS = 60.0
PEAK_RSS_MB = 1024
ADDRESS_SPACE_MB = 3072  # beyond what the worker has mapped once imports are done
WORKER = Path(__file__).with_name("hostile_worker.py")
SHEET = "xl/worksheets/sheet1.xml"


def _workbook(*rows: list[object], far: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows or (["Deal ID", "Contact ID"], [1, 2]):
        sheet.append(row)
    if far is not None:
        sheet[far] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


def _zip(parts: dict[str, bytes], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return buffer.getvalue()


def _with_sheet(xml: bytes, base: bytes | None = None) -> bytes:
    parts = _parts(base or _workbook())
    parts[SHEET] = xml
    return _zip(parts)


def _sheet_xml(rows: str, dimension: str = "A1:B2") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        f'org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}'
        "</sheetData></worksheet>"
    ).encode()


HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Contact ID</t></is></c></row>'
    '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>'
)


def _forged_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s declared uncompressed size changed in the central directory."""
    blob = bytearray(data)
    at = blob.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", blob, at + 28)[0]
        if blob[at + 46 : at + 46 + length] == name.encode():
            struct.pack_into("<I", blob, at + 24, size)
        at = blob.find(b"PK\x01\x02", at + 4)
    return bytes(blob)


# --- workbooks ----------------------------------------------------------------------------------


def test_a_far_cell_is_refused_before_the_engine_allocates() -> None:
    data = _workbook(far="XFD1048576")  # 1.5 KB: the engine would ask for hundreds of GiB
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"\[Sheet\].*max_sheet_cells") as info:
        read_pairs(data, **ARGS)
    assert time.perf_counter() - start < 2
    assert "<bytes>" in str(info.value) and "XFD" in str(info.value)
    with pytest.raises(InputError, match="max_sheet_cells"):
        sheet_headers(data)


def test_a_lying_dimension_does_not_hide_a_far_cell() -> None:
    far = HEADER_ROW + '<row r="3"><c r="XFD1048576"><v>1</v></c></row>'
    with pytest.raises(InputError, match="holds cells up to row 1,048,576"):
        read_pairs(_with_sheet(_sheet_xml(far, "A1:B2")), **ARGS)
    far_cell_low_row = HEADER_ROW.replace('r="B2"', 'r="B1048576"')  # row elements say 2
    limits = ReadLimits(max_sheet_cells=1_000_000)
    with pytest.raises(InputError, match="max_sheet_cells"):
        read_pairs(_with_sheet(_sheet_xml(far_cell_low_row, "A1:B2")), **ARGS, limits=limits)


@pytest.mark.parametrize(
    ("engine", "dimension"),
    [
        *[(e, d) for e in ("calamine", "openpyxl") for d in ("A1:XFD1048576", "B2")],
        ("calamine", "A1:ZZZZ99999999"),  # past any sheet (openpyxl: a damaged file)
    ],
)
def test_a_stale_dimension_over_a_small_sheet_reads_its_cells(engine: str, dimension: str) -> None:
    """Writers leave stale sizes; neither engine allocates from them.  Before, a two-row sheet
    stating A1:XFD1048576 was refused, asking to delete far-away cells it does not have."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with read_with(engine):
        pairs = read_pairs(_with_sheet(_sheet_xml(HEADER_ROW, dimension)), **ARGS)
    assert pairs["from_id"].tolist() == ["1"] and pairs["row"].tolist() == [2]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 200_000  # KB


@pytest.mark.parametrize(
    "row",
    [
        '<row r="10000000000000"><c r="A5000000"><v>1</v></c></row>',  # read in 7 s before
        '<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
        '<row r="3"><c r="A1048577"><v>1</v></c></row>',
        '<row r="3"><c r="XFE3"><v>1</v></c></row>',
        '<row r="99999999999999"><c><v>1</v></c></row>',
    ],
)
def test_a_cell_past_the_last_row_or_column_of_a_spreadsheet_is_refused(row: str) -> None:
    """No spreadsheet program writes a cell past row 1,048,576 or column XFD; the engines read
    one all the same, and a 5 KB workbook with a cell at A5000000 (within the cell limit, one
    column wide) took 7 s. Such a sheet is refused as damaged before the engine sees it."""
    data = _with_sheet(_sheet_xml(HEADER_ROW + row, "A1:B2"))
    with pytest.raises(InputError, match=r"past the last row \(1,048,576\) or column \(XFD\)"):
        read_pairs(data, **ARGS)
    with pytest.raises(InputError, match="past the last row"):
        sheet_headers(data)


def test_a_cell_in_the_last_row_of_a_spreadsheet_is_read() -> None:
    """The edge of the test above, read once (it takes the engine seconds)."""
    last = HEADER_ROW + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    assert read_pairs(_with_sheet(_sheet_xml(last, "A1:B2")), **ARGS) is not None


def test_rows_and_cells_without_references_are_counted() -> None:
    many = HEADER_ROW + "<row><c><v>1</v></c></row>" * 30
    limits = ReadLimits(max_sheet_cells=40)
    with pytest.raises(InputError, match="max_sheet_cells"):
        read_pairs(_with_sheet(_sheet_xml(many, "")), **ARGS, limits=limits)
    assert len(read_pairs(_with_sheet(_sheet_xml(many, "")), **ARGS)) >= 1


#: A far cell written in forms XML allows, which the engines read: the guard saw only
#: ` r="XFD1048576"`, and each of these 1.6 KB workbooks aborted the process (calamine asked for
#: 512 GiB), or (character references: calamine refuses them, openpyxl reads them) ran out of
#: memory in the fallback engine.
FAR_FORMS = {
    "single quotes": "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
    "line break before r": '<row\nr="1048576"><c\nr="XFD1048576"><v>1</v></c></row>',
    "tab before r": '<row\tr="1048576"><c\tr="XFD1048576"><v>1</v></c></row>',
    "carriage return before r": '<row\rr="1048576"><c\rr="XFD1048576"><v>1</v></c></row>',
    "spaces around =": '<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>',
    "line break after =": '<row r=\n"1048576"><c r=\n"XFD1048576"><v>1</v></c></row>',
    "cell only, spaced": "<row r=\"3\"><c r = 'XFD1048576'><v>1</v></c></row>",
    "empty cells before it": '<row r="1048576">' + "<c/>" * 16_383 + "<c><v>1</v></c></row>",
    "character references": '<row r="3"><c r="&#88;FD&#x31;048576"><v>1</v></c></row>',
    "prefixed": "<x:row r=\"1048576\"><x:c r='XFD1048576'><x:v>1</x:v></x:c></x:row>",
}


def _far(form: str) -> bytes:
    xml = _sheet_xml(HEADER_ROW + form)
    if "<x:" in form:
        xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="' + _MAIN + b'" ')
    return _with_sheet(xml)


_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_a_far_cell_however_the_xml_writes_it_is_refused(tmp_path: Path) -> None:
    """Read in a process of its own under an address-space limit (the worker): the code
    before the fix fails the test, not the machine."""
    paths = []
    for number, form in enumerate(FAR_FORMS.values()):
        paths.append(tmp_path / f"far{number}.xlsx")
        paths[-1].write_bytes(_far(form))
    command = [sys.executable, str(WORKER), str(ADDRESS_SPACE_MB), *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TOTAL_SECONDS * 2)
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"file')]
    forms = list(FAR_FORMS)
    assert done.returncode == 0, f"died at {forms[len(results)]!r}: {done.stderr[-300:]}"
    assert {f: r["outcome"] for f, r in zip(forms, results, strict=True)} == dict.fromkeys(
        forms, "InputError"
    )
    assert max(r["seconds"] for r in results) < PER_FILE_SECONDS
    for form in forms:  # the same, in this process now that it is safe: the limit is named
        with pytest.raises(InputError, match=r"max_sheet_cells|past the last row"):
            read_pairs(_far(FAR_FORMS[form]), **ARGS)


def test_a_prefixed_sheet_is_measured_by_its_cells_not_their_end_tags() -> None:
    """Each prefixed cell's end tag (</x:c>) was counted as a cell without a reference, one
    column further: 3,000 rows of two cells were refused as 18 million cells."""
    rows = "".join(
        f'<x:row r="{r}"><x:c r="A{r}"><x:v>{r}</x:v></x:c><x:c r="B{r}"><x:v>{r + 1}</x:v>'
        "</x:c></x:row>"
        for r in range(2, 3002)
    )
    header = HEADER_ROW.split('<row r="2">')[0]
    header = header.replace("<row", "<x:row").replace("</row>", "</x:row>")
    header = header.replace("<c ", "<x:c ").replace("</c>", "</x:c>")
    header = header.replace("<is>", "<x:is>").replace("</is>", "</x:is>")
    header = header.replace("<t>", "<x:t>").replace("</t>", "</x:t>")
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="' + _MAIN + b'">'
        b"<x:sheetData>" + (header + rows).encode() + b"</x:sheetData></x:worksheet>"
    )
    pairs = read_pairs(_with_sheet(xml), **ARGS)
    assert len(pairs) == 3000 and pairs["to_id"].iloc[-1] == "3002"


def test_a_row_written_twice_is_refused_never_half_read() -> None:
    """A damaged sheet writing row 2 twice: the engine kept the second row's cells, and the
    first pair vanished without a word."""
    twice = HEADER_ROW + '<row r="2"><c r="A2"><v>5</v></c><c r="B2"><v>6</v></c></row>'
    with pytest.raises(InputError, match=r"\[Sheet\]: the sheet's XML writes row 2 twice"):
        read_pairs(_with_sheet(_sheet_xml(twice)), **ARGS)
    spaced = HEADER_ROW + "<row r = '02'><c r='A2'><v>5</v></c></row>"
    with pytest.raises(InputError, match="writes row 2 twice"):
        read_pairs(_with_sheet(_sheet_xml(spaced)), **ARGS)
    # Rows out of order: none repeated, but openpyxl (the fallback engine) dropped row 3 without
    # a word, so they are refused too (tests/test_xlsx_cell_guard.py).
    later = '<row r="4"><c r="A4"><v>7</v></c></row><row r="3"><c r="A3"><v>8</v></c></row>'
    with pytest.raises(InputError, match="writes row 3 after row 4"):
        read_pairs(_with_sheet(_sheet_xml(HEADER_ROW + later)), **ARGS)


def test_sheet_limit_is_raisable_per_call_and_per_process() -> None:
    data = _workbook(far="Z100")  # 26 columns x 100 rows
    small = ReadLimits(max_sheet_cells=2_000)
    with pytest.raises(InputError, match=r"max_sheet_cells=\.\.\."):
        read_pairs(data, **ARGS, limits=small)
    assert len(read_pairs(data, **ARGS)) == 2  # row 2 and the Z100 cell's row
    previous = set_read_limits(max_sheet_cells=2_000)
    try:
        assert read_limits_in_force().max_sheet_cells == 2_000
        with pytest.raises(InputError):
            read_pairs(data, **ARGS)
        assert len(read_pairs(data, **ARGS, limits=DEFAULT_LIMITS)) == 2
    finally:
        set_read_limits(previous)
    assert read_limits_in_force() == DEFAULT_LIMITS
    with pytest.raises(ValueError):
        ReadLimits(max_sheet_cells=0)


def _far_sheets(notes: int, pairs_first: bool = False) -> bytes:
    """``notes`` sheets of a header and one cell at J10000 (100,000 cells each), and a sheet
    of pairs last (or first)."""
    book = openpyxl.Workbook()
    pairs = book.active
    assert pairs is not None
    pairs.title = "Pairs"
    pairs.append(["Deal ID", "Contact ID"])
    pairs.append([1, 2])
    for number in range(notes):
        sheet = book.create_sheet(f"Notes{number}", None if pairs_first else number)
        sheet["A1"], sheet["J10000"] = "Notes", 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _book_limits() -> ReadLimits:
    """A sheet may reach 100,000 cells, the sheets a read opens 250,000 together."""
    return ReadLimits(max_sheet_cells=100_000, max_workbook_cells=250_000)


@pytest.mark.parametrize("pairs_first", [False, True])
def test_the_sheets_a_read_opens_are_bounded_together(pairs_first: bool) -> None:
    """Each sheet within its limit, the read's time grew with their number: a 16 KB workbook
    of 40 sheets reaching row 1,048,576 took 130 s, sheets before the one read and after it
    (opened to say whether they hold rows) alike.  The sheets opened are counted before each
    is opened, and the read stops at the one past the limit, naming the limit."""
    data, limits = _far_sheets(3, pairs_first), _book_limits()
    with pytest.raises(InputError, match=r"opening sheet 'Notes2' \(100,000 cells\)") as info:
        read_pairs(data, **ARGS, limits=limits)
    said = str(info.value)
    assert "to 300,0" in said and "max_workbook_cells (250,000)" in said and "sheet=" in said
    opens_every_sheet = _limits_read if pairs_first else sheet_headers  # limits: none here
    with pytest.raises(InputError, match="max_workbook_cells"):
        opens_every_sheet(data, limits=limits)
    assert read_pairs(data, **ARGS, limits=limits, sheet="Pairs")["row"].tolist() == [2]
    assert len(read_pairs(_far_sheets(2, pairs_first), **ARGS, limits=limits)) == 1


def _limits_read(data: bytes, limits: ReadLimits) -> object:
    from hubframe.io import read_limits

    return read_limits(data, limits=limits)


def test_one_sheet_is_never_refused_for_the_workbook_limit() -> None:
    """A limit of the workbook below the sheet's own (raised for a large sheet) counts as the
    sheet's: the sheet alone is read."""
    limits = ReadLimits(max_sheet_cells=100_000, max_workbook_cells=1)
    assert sheet_headers(_far_sheets(1), sheet="Notes0", limits=limits)[0] == "Notes"


def test_a_zip_bomb_is_refused_from_its_declared_sizes() -> None:
    parts = _parts(_workbook())
    parts["xl/sharedStrings.xml"] = b"<sst>" + b"x" * (4 << 20) + b"</sst>"  # ~4 KB zipped
    data = _zip(parts, level=9)
    assert len(data) < 64 << 10
    start = time.perf_counter()
    with pytest.raises(InputError, match="max_zip_ratio"):
        read_pairs(data, **ARGS)
    assert time.perf_counter() - start < 1


def test_lying_and_oversized_parts() -> None:
    forged = _forged_size(_workbook(), SHEET, 3 << 30)  # declares 3 GiB
    with pytest.raises(InputError, match="max_unzipped_bytes"):
        read_pairs(forged, **ARGS)
    shrunk = _forged_size(_workbook(), SHEET, 10)  # declares 10 bytes: never inflates more
    with pytest.raises(InputError, match="damaged"):
        read_pairs(shrunk, **ARGS)
    with pytest.raises(InputError, match="max_unzipped_bytes"):
        read_pairs(_workbook(), **ARGS, limits=ReadLimits(max_unzipped_bytes=1000))
    with pytest.raises(InputError, match="max_zip_parts"):
        read_pairs(_workbook(), **ARGS, limits=ReadLimits(max_zip_parts=3))


@pytest.mark.parametrize(
    ("parts", "said"),
    [
        (
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""},
            "ods",
        ),
        ({"xl/workbook.bin": b"", "[Content_Types].xml": b""}, "xlsb"),
    ],
)
def test_formats_that_cannot_be_checked_are_refused(parts: dict[str, bytes], said: str) -> None:
    with pytest.raises(InputError, match=said):
        read_pairs(_zip(parts), **ARGS)


def test_legacy_xls_is_refused_and_protected_files_still_say_so() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    with pytest.raises(InputError, match=r"\.xls\b"):
        read_pairs(ole, **ARGS)
    golden = Path(__file__).parent / "golden"
    with pytest.raises(InputError, match="password-protected"):
        read_pairs(golden / "protected.xlsx")


_LAUGHS = (
    '<!DOCTYPE w [<!ENTITY l0 "lollollollollollollollol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize("where", ["sheet", "shared strings", "both"])
def test_entity_expansion_is_refused_in_a_line_not_expanded(where: str) -> None:
    """A billion-laughs DOCTYPE (3 GB expanded) in the sheet or the shared strings: each
    engine refuses the unknown entity; the read stops at once, in bounded memory, with a
    one-line message (no engine's multi-line advice)."""
    cell = '<c r="C2" t="s"><v>0</v></c>' if where != "sheet" else ""
    label = (
        '<c r="C2" t="inlineStr"><is><t>&l9;</t></is></c>' if where != "shared strings" else cell
    )
    header = '<?xml version="1.0" encoding="UTF-8"?>'
    sheet = _sheet_xml(HEADER_ROW)
    sheet = sheet.replace(b"</c></row></sheetData>", f"</c>{label}</row></sheetData>".encode())
    parts = _parts(_workbook())
    if where != "shared strings":
        sheet = sheet.replace(header.encode(), (header + _LAUGHS).encode())
    parts[SHEET] = sheet
    if where != "sheet":
        parts["xl/sharedStrings.xml"] = (
            f'{header}{_LAUGHS}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" count="1" uniqueCount="1"><si><t>&l9;</t></si></sst>'
        ).encode()
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        read_pairs(_zip(parts), **ARGS)
    assert time.perf_counter() - start < PER_FILE_SECONDS
    said = str(caught.value)
    assert "\n" not in said and "Please see the exception" not in said
    assert "cannot be read" in said


# --- CSV and ';' cells --------------------------------------------------------------------------


def test_a_long_cell_on_the_forgiving_path_is_not_a_csv_error() -> None:
    ids = ";".join(str(10**14 + n) for n in range(9_000))  # 144 KB: over csv's 131,072
    text = f'From ID,To ID\n"{ids}",2,extra\n3,4\n'
    pairs = read_pairs(text.encode(), **ARGS)
    assert pairs["row"].nunique() == 2 and len(pairs) == 9_001


def test_a_one_line_csv_of_millions_of_cells_is_refused_fast() -> None:
    data = b"From ID,To ID\n" + b"1," * 1_000_000 + b"\n"
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"row 2 has 1,000,001 cells.*max_row_cells"):
        read_pairs(data, **ARGS)
    assert time.perf_counter() - start < 5


def test_ids_per_cell_and_split_size_limits() -> None:
    text = 'From ID,To ID,Notes\n1,"' + ";".join(["7"] * 20) + '",' + "n" * 1000 + "\n"
    with pytest.raises(
        InputError, match=r"row 2, column 'To ID' holds 20 ';'-separated.*max_ids_per_cell"
    ):
        read_pairs(text.encode(), **ARGS, limits=ReadLimits(max_ids_per_cell=10))
    with pytest.raises(InputError, match="max_split_bytes"):
        read_pairs(text.encode(), **ARGS, limits=ReadLimits(max_split_bytes=10_000))
    assert len(read_pairs(text.encode(), **ARGS)) == 20


def test_a_huge_semicolon_cell_costs_its_size_not_its_size_times_its_ids() -> None:
    ids = ";".join(["1"] * 9_000)
    notes = "n" * 20_000
    text = f'From ID,To ID,Notes\n"{ids}",2,{notes}\n'
    pairs = read_pairs(text.encode(), **ARGS)
    assert len(pairs) == 9_000 and pairs["from_id"].iloc[0] == "1"


# --- fuzz ---------------------------------------------------------------------------------------


def _flip(data: bytes, rng: random.Random, flips: int) -> bytes:
    blob = bytearray(data)
    for _ in range(flips):
        blob[rng.randrange(len(blob))] ^= 1 << rng.randrange(8)
    return bytes(blob)


def _xml_mutations(rng: random.Random, base: bytes) -> bytes:
    xml = _parts(base)[SHEET]
    choice = rng.randrange(6)
    if choice == 0:
        return _with_sheet(_flip(xml, rng, rng.randint(1, 20)), base)
    if choice == 1:
        far = f"{rng.choice(['XFD', 'ZZ', 'AAA', 'J'])}{rng.choice([1048576, 99999999, 5000000])}"
        return _with_sheet(
            xml.replace(
                b"</sheetData>", f'<row><c r="{far}"><v>1</v></c></row>'.encode() + b"</sheetData>"
            ),
            base,
        )
    if choice == 2:
        return _with_sheet(
            _sheet_xml(
                HEADER_ROW + "<row><c/><c><v>3</v></c></row>" * rng.randint(1, 500),
                rng.choice(["", "A1:XFD1048576", "ZZZ9", "A0:"]),
            ),
            base,
        )
    if choice == 3:
        return _with_sheet(
            _sheet_xml(
                HEADER_ROW
                + f'<row r="{rng.choice([0, -1, 10**13, 2**31])}">'
                + f'<c r="A{rng.randint(1, 10**7)}"><v>1</v></c></row>'
            ),
            base,
        )
    if choice == 4:
        cut = rng.randrange(len(xml))
        return _with_sheet(xml[:cut], base)
    return _with_sheet(
        xml.replace(b"<v>", b"<v>" + bytes(rng.randrange(256) for _ in range(8))), base
    )


def _csv_case(rng: random.Random) -> bytes:
    alphabet = [
        ",",
        ";",
        '"',
        "\n",
        "\r",
        "\t",
        "\x0c",
        "\x0b",
        "\x1c",
        "\x85",
        "\u2028",
        " ",
        "1",
        "9",
        "x",
        "é",
        "\x00",
        "|",
    ]
    lines = [
        "Title" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))),
        "From ID,To ID,Notes",
    ]
    for _ in range(rng.randint(0, 30)):
        cells = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            for _ in range(rng.randint(1, 6))
        ]
        lines.append(",".join(cells))
    if rng.random() < 0.1:
        lines.append("1," * rng.choice([20_000, 200_000]))  # over max_row_cells
    if rng.random() < 0.1:
        lines.append('"' + ";".join(["5"] * rng.choice([5_000, 50_000])) + '",7')
    text = "\n".join(lines)
    encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
    return text.encode(encoding, errors="replace")


def _fuzz_files(folder: Path) -> list[Path]:
    rng = random.Random(SEED)
    base = _workbook(["Deal ID", "Contact ID", "Label"], [1, 2, "x"], [3, 4, None])
    made: list[bytes] = []
    made += [base[: rng.randrange(len(base))] for _ in range(30)]  # truncated zips
    made += [_flip(base, rng, rng.randint(1, 30)) for _ in range(60)]  # bit flips anywhere
    made += [_xml_mutations(rng, base) for _ in range(60)]  # flips and far cells in the XML
    bomb = _parts(base) | {"xl/sharedStrings.xml": b"<sst>" + b"0" * (3 << 20) + b"</sst>"}
    made += [_zip(bomb, level=9), _forged_size(base, SHEET, 2**32 - 1)]
    made += [_forged_size(base, name, rng.randrange(2**32)) for name in _parts(base)]
    made += [bytes(rng.randrange(256) for _ in range(rng.randint(1, 4000))) for _ in range(20)]
    made += [b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(500)) for _ in range(10)]
    made += [
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(600))
        for _ in range(5)
    ]
    made += [_csv_case(rng) for _ in range(90)]
    paths = []
    for n, data in enumerate(made):
        path = folder / f"f{n:03d}{rng.choice(['.xlsx', '.csv', '', '.txt', '.xls'])}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_fuzz_only_input_errors_in_bounded_time_and_memory(tmp_path: Path) -> None:
    paths = _fuzz_files(tmp_path)
    assert len(paths) >= 280
    command = [sys.executable, str(WORKER), str(ADDRESS_SPACE_MB), *map(str, paths)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=TOTAL_SECONDS * 2)
    elapsed = time.perf_counter() - start
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    results = [r for r in lines if "file" in r]
    assert done.returncode == 0, (
        f"the worker died after {len(results)} of {len(paths)} files "
        f"(next: {paths[len(results)].name if len(results) < len(paths) else '-'}): "
        f"{done.stderr[-2000:]}"
    )
    assert len(results) == len(paths)
    wrong = [r for r in results if r["outcome"] not in ("ok", "InputError")]
    assert not wrong, wrong[:5]
    slow = [r for r in results if r["seconds"] > PER_FILE_SECONDS]
    assert not slow, slow[:5]
    assert elapsed < TOTAL_SECONDS
    assert lines[-1]["peak_rss_mb"] < PEAK_RSS_MB
    assert {r["outcome"] for r in results} == {"ok", "InputError"}  # both kinds exercised


# --- a report given to undo ---------------------------------------------------------------------


def _report(far: str | None = None, bomb: bool = False) -> bytes:
    """A workbook shaped like a hubframe report (a Results sheet), made hostile."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Results"
    sheet.append(["from_type", "from_id", "to_type", "to_id", "status", "action"])
    sheet.append(["deals", "2040000001", "contacts", "1019360001", "success", "associate"])
    if far is not None:
        sheet[far] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    if not bomb:
        return buffer.getvalue()
    parts = _parts(buffer.getvalue())
    parts["xl/sharedStrings.xml"] = b"<sst>" + b"x" * (4 << 20) + b"</sst>"
    return _zip(parts, level=9)


@pytest.mark.parametrize(
    ("made", "said"),
    [({"far": "XFD1048576"}, "max_sheet_cells"), ({"bomb": True}, "max_zip_ratio")],
)
def test_a_hostile_report_given_to_undo_is_refused_before_the_engine_opens_it(
    tmp_path: Path, made: dict[str, object], said: str
) -> None:
    """``hubframe undo report.xlsx`` opened the file with the Excel engine directly: a 1.5 KB
    workbook declaring a far-away cell asked it for 17 billion cells, past what the machine
    holds (the process aborted).  A report is checked as a sheet is first (limits raised to
    what a large report needs); undo reads it before it reads or sends anything.  Run in a
    process of its own under an address-space limit: the code before the fix fails the test,
    not the machine."""
    path = tmp_path / "report.xlsx"
    path.write_bytes(_report(**made))  # type: ignore[arg-type]
    script = (
        "import resource, sys, time\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from hubframe.errors import InputError\n"
        "from hubframe.report.reader import load_run\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    load_run(sys.argv[1])\n"
        "    print('read')\n"
        "except InputError as exc:\n"
        "    print('refused', round(time.perf_counter() - start, 2), exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("refused") and said in proc.stdout, proc.stdout
    assert float(proc.stdout.split()[1]) < 5


def test_a_large_report_is_still_read_for_undo(tmp_path: Path) -> None:
    """The report's limits are those of a sheet raised to a full Results sheet of 64 columns:
    a report of 30 columns past the 10,000,000 cells of a sheet is read."""
    from hubframe.report.reader import REPORT_SHEET_CELLS, report_limits

    limits = report_limits()
    assert limits.max_sheet_cells == REPORT_SHEET_CELLS > 1_048_576 * 30
    assert limits.max_zip_ratio == ReadLimits().max_zip_ratio  # bombs are refused as before
