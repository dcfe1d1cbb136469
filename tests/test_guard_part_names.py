"""A sheet part is measured whatever its name, or the sheet is never opened.

The guard scanned only parts named ``*.xml`` or ``*.rels``: a 1.5 KB workbook whose relations
lead its sheet to ``xl/worksheets/sheet1.bin`` (or a name without an extension), which
calamine reads all the same, went unmeasured, counted as 0 cells, and calamine allocated
A1:XFD1048576 (512 GiB asked): the process aborted (a notebook's kernel died, ``hubframe
validate`` printed a Rust backtrace).  The checks of a row written twice and of cells out of
place were skipped for such a part too.  Now every part the workbook names as a sheet, every
part that starts as XML, and every part of a workbook whose list of sheets cannot be read is
scanned, and a sheet the guard did not measure is refused, never opened as 0 cells.  The far
cells are read in a process of their own under an address-space limit (tests/hostile_worker.py):
the code before the fix fails the test, not the machine.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ooxml import MAIN, PACKAGE, RELS, inline_cell

from hubframe.errors import InputError
from hubframe.io import read_pairs
from hubframe.io.bounds import DEFAULT_LIMITS
from hubframe.io.excel import SheetInfo, Workbook, workbook_checked
from hubframe.io.guard import CheckedBook, checked_workbook
from hubframe.io.sources import load_source

WORKER = Path(__file__).with_name("hostile_worker.py")
ADDRESS_SPACE_MB = 3072
ARGS = {"from_type": "deals", "to_type": "contacts"}


HEADER = (
    '<row r="1">' + inline_cell("A1", "Deal ID") + inline_cell("B1", "Contact ID") + "</row>"
    '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>'
)
FAR = '<row r="1048576">' + inline_cell("XFD1048576", "x") + "</row>"
TWICE = '<row r="2"><c r="A2"><v>3</v></c><c r="B2"><v>4</v></c></row>'


def _book(target: str, rows: str, prolog: str = "", before: str = "") -> bytes:
    """A workbook whose relations lead its one sheet to ``xl/<target>`` (``prolog`` goes
    before workbook.xml's root element, ``before`` before the sheet part's)."""
    sheet = f'{before}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    parts = {
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{prolog}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="Links" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/worksheet" Target="{target}"/></Relationships>'
        ),
        f"xl/{target}": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return buffer.getvalue()


#: Sheet parts calamine reads that were not named like XML, and one behind a workbook.xml
#: whose list of sheets the checks cannot read (a document type), its part starting with text.
FAR_BOOKS = {
    "bin": {"target": "worksheets/sheet1.bin"},
    "no extension": {"target": "worksheets/sheet1"},
    "upper case": {"target": "worksheets/sheet1.XML.old"},
    "unread list": {
        "target": "worksheets/sheet1.dat",
        "prolog": "<!DOCTYPE workbook [<!ELEMENT workbook ANY>]>",
        "before": "junk",
    },
}


def test_a_far_cell_in_a_sheet_part_of_any_name_is_refused(tmp_path: Path) -> None:
    paths = []
    for number, made in enumerate(FAR_BOOKS.values()):
        paths.append(tmp_path / f"far{number}.xlsx")
        paths[-1].write_bytes(_book(rows=HEADER + FAR, **made))
    command = [sys.executable, str(WORKER), str(ADDRESS_SPACE_MB), *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"file')]
    forms = list(FAR_BOOKS)
    assert done.returncode == 0, f"died at {forms[len(results)]!r}: {done.stderr[-300:]}"
    assert {f: r["outcome"] for f, r in zip(forms, results, strict=True)} == dict.fromkeys(
        forms, "InputError"
    )
    assert max(r["seconds"] for r in results) < 5
    for made in FAR_BOOKS.values():  # safe in this process now: the guard itself refuses
        with pytest.raises(InputError, match="max_sheet_cells"):  # (as undo's reader uses it)
            checked_workbook(_book(rows=HEADER + FAR, **made), "x.xlsx", DEFAULT_LIMITS)


@pytest.mark.parametrize("target", ["worksheets/sheet1.bin", "worksheets/sheet1"])
def test_a_row_written_twice_in_a_sheet_part_of_any_name_is_refused(target: str) -> None:
    with pytest.raises(InputError, match="writes row 2 twice"):
        read_pairs(_book(target, HEADER + TWICE), **ARGS)


@pytest.mark.parametrize("target", ["worksheets/sheet1.xml", "worksheets/sheet1.bin"])
def test_a_sheet_part_of_any_name_within_the_limits_is_read(target: str) -> None:
    frame = read_pairs(_book(target, HEADER), **ARGS)
    assert list(frame["from_id"]) == ["1"]


def test_a_sheet_the_guard_did_not_measure_is_never_opened() -> None:
    """A sheet part the checks left unmeasured counted 0 cells and was opened."""
    data = _book("worksheets/sheet1.xml", HEADER)
    checked = workbook_checked(load_source(data), DEFAULT_LIMITS)
    assert list(checked.cells.values())  # measured: read
    assert Workbook(checked, "x.xlsx").grid(SheetInfo("Links", 0)).cells
    unmeasured = Workbook(CheckedBook(checked.data, {}), "x.xlsx")
    with pytest.raises(InputError, match="did not measure"):
        unmeasured.grid(SheetInfo("Links", 0))
