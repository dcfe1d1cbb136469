"""A workbook reads the same whatever the size of its list of sheets, or is refused.

The checks of what the engines leave out (error values such as #N/A, formulas without a value,
hidden rows and columns, merged cells) read the sheet's XML part, found through workbook.xml
and its relations.  workbook.xml was parsed only up to 4 MiB: past that (tens of thousands of
defined names, as workbooks gather them) no part was found, every check was skipped, and an
#N/A label read as no label, a hidden row went unwarned, a merged label covered no rows.  Now
workbook.xml is parsed as a stream at any size the workbook's checks let through, and a sheet
whose part cannot be found is refused, never read without the checks.  Hostile XML there (a
document type declaring entities, deep nesting, a zip bomb) is refused, or read, in seconds and
bounded memory.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from workbook_features import read_with

import hubframe as hf
from hubframe.errors import InputError

WORKER = Path(__file__).with_name("hostile_worker.py")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
OLD_LIMIT = 4 << 20

SHEET = (
    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{RELS}">'
    '<cols><col min="2" max="2" width="12" hidden="1"/></cols><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Contact ID</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Label</t></is></c></row>'
    '<row r="2"><c r="A2"><v>101</v></c><c r="B2"><v>201</v></c>'
    '<c r="C2" t="e"><f>VLOOKUP(B2,Roles!A:B,2,0)</f><v>#N/A</v></c></row>'
    '<row r="3" hidden="1"><c r="A3"><v>102</v></c><c r="B3"><v>202</v></c>'
    '<c r="C3" t="inlineStr"><is><t>Champion</t></is></c></row>'
    '<row r="4"><c r="A4"><v>103</v></c><c r="B4"><v>203</v></c>'
    '<c r="C4" t="inlineStr"><is><t>Buyer</t></is></c></row>'
    '<row r="5"><c r="A5"><v>103</v></c><c r="B5"><v>204</v></c>'
    '<c r="C5" t="inlineStr"><is><t>Former</t></is></c></row>'
    '<row r="6"><c r="A6"><v>104</v></c><c r="B6"><v>205</v></c><c r="C6"><f>A1</f></c></row>'
    '</sheetData><mergeCells count="1"><mergeCell ref="C4:C5"/></mergeCells></worksheet>'
)


def _book(workbook_extra: str = "", prolog: str = "", before: str = "") -> bytes:
    """A workbook as Excel lays it out, written by hand: ``workbook_extra`` goes after the
    list of sheets (defined names), ``before`` before it, ``prolog`` before workbook.xml's
    root element."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicat'
            'ion/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conte'
            'ntType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="appli'
            'cation/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
            'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-o'
            'fficedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<workbook xmlns="{MAIN}" '
            f'xmlns:r="{RELS}">{before}<sheets><sheet name="Links" sheetId="1" r:id="rId1"/>'
            f"</sheets>{workbook_extra}</workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", SHEET)
    return out.getvalue()


def _names(size: int) -> str:
    """Defined names making workbook.xml about ``size`` bytes (as workbooks gather them)."""
    one = len('<definedName name="n_0123456789abcdef">Links!$A$1000</definedName>')
    count = max(0, size - 400) // one
    names = "".join(
        f'<definedName name="n_{secrets.token_hex(8)}">Links!$A${i % 1000 + 1000}</definedName>'
        for i in range(count)
    )
    return f"<definedNames>{names}</definedNames>" if count else ""


def _read(data: bytes) -> tuple[list[list[object]], list[list[object]], dict[str, object]]:
    pairs = hf.read_pairs(data)
    issues = hf.validate_pairs(pairs)[["row", "column", "value", "code"]]
    frame = pairs[["row", "from_id", "to_id", "label"]].astype(object).values.tolist()
    notes = {k: v for k, v in pairs.attrs["hubframe"].items() if k != "source"}
    return frame, issues.astype(object).values.tolist(), notes


@pytest.mark.parametrize(
    ("engine", "size"),
    [
        *[(e, s) for e in ("calamine", "openpyxl") for s in (OLD_LIMIT - 4096, OLD_LIMIT + 4096)],
        ("calamine", 3 * OLD_LIMIT),  # with openpyxl too it took 15 s of the suite, for no new path
    ],
)
def test_a_large_workbook_xml_reads_as_a_small_one(engine: str, size: int) -> None:
    data = _book(_names(size))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert abs(z.getinfo("xl/workbook.xml").file_size - size) < 4096
    with read_with(engine):
        expected = _read(_book())
        got = _read(data)
    assert got == expected
    frame, issues, notes = got
    assert [row[3] for row in frame] == ["#N/A", "Champion", "Buyer", "Buyer", "=A1"]
    assert [(row[0], row[3]) for row in issues] == [
        (2, "FORMULA_ERROR"),
        (3, "HIDDEN_ROW"),
        (6, "FORMULA_ERROR"),
    ]
    assert notes["merged_cells"] == {"Links": ["C4:C5"]}


def test_a_workbook_xml_declaring_a_document_type_is_refused_naming_the_sheet() -> None:
    """Excel never writes a document type; one there could declare entities that expand
    without end.  Before, the checks were skipped and the #N/A label read as no label."""
    data = _book(prolog='<!DOCTYPE workbook [<!ENTITY x "x">]>')
    with pytest.raises(InputError) as caught:
        hf.read_pairs(data)
    said = str(caught.value)
    assert "[Links]" in said and "cannot find the sheet's cells" in said
    assert "document type" in said and "\n" not in said


def test_a_part_named_in_another_case_is_found_and_checked() -> None:
    """The relations name the sheet's part in another case ("Worksheets/Sheet1.xml"), as
    OPC allows (part names ignore case): calamine reads it, and so do the checks (before,
    the part was not found, and the read fell to openpyxl, which cannot follow it)."""
    with zipfile.ZipFile(io.BytesIO(_book())) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"worksheets/sheet1", b"Worksheets/Sheet1")
    assert _read(_zip(parts)) == _read(_book())


def _zip(parts: dict[str, bytes], level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, part in parts.items():
            z.writestr(name, part)
    return out.getvalue()


_LAUGHS = (
    '<!DOCTYPE workbook [<!ENTITY l0 "lollollollollollollollol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


def test_hostile_workbook_xml_costs_seconds_and_bounded_memory(tmp_path: Path) -> None:
    """Read in a process of its own under an address-space limit (tests/hostile_worker.py):
    entities that expand to gigabytes, nesting 100,000 deep (before and after the list of
    sheets), a zip bomb and a 12 MiB list of names.  Each is read or refused (InputError) in
    seconds; none is read unchecked."""
    tags = [f"x{secrets.token_hex(3)}" for _ in range(100_000)]  # deep, and not a zip bomb
    deep = "".join(f"<{t}>" for t in tags) + "".join(f"</{t}>" for t in reversed(tags))
    made = {
        "laughs.xlsx": _book(prolog=_LAUGHS),  # declared, not used: the engines read it
        "laughs_used.xlsx": _book(
            '<definedNames><definedName name="x">&l9;</definedName></definedNames>',
            prolog=_LAUGHS,
        ),
        "deep.xlsx": _book(f"<extLst>{deep}</extLst>"),
        "deep_first.xlsx": _book(before=f"<bookViews>{deep}</bookViews>"),
        "bomb.xlsx": _book("<!--" + " " * (300 << 20) + "-->"),
        "names.xlsx": _book(_names(3 * OLD_LIMIT)),
    }
    paths = []
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    start = time.perf_counter()
    here = str(Path(hf.__file__).resolve().parents[1])  # the worker reads with this hubframe
    env = os.environ | {"PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, str(WORKER), "3072", *paths]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    outcomes = {r["file"]: r["outcome"] for r in lines if "file" in r}
    assert outcomes["laughs.xlsx"] == outcomes["laughs_used.xlsx"] == "InputError"
    assert outcomes["bomb.xlsx"] == "InputError"
    assert outcomes["deep.xlsx"] in ("ok", "InputError")
    assert outcomes["deep_first.xlsx"] in ("ok", "InputError")
    assert outcomes["names.xlsx"] == "ok"
    assert all(r["seconds"] < 10 for r in lines if "file" in r), lines
    assert lines[-1]["peak_rss_mb"] < 1024
    assert time.perf_counter() - start < 90
