"""The checks of a workbook's XML read the sheets the engine reads.

The checks (number formats, error cells, formulas without a value, hidden rows, merges) found
the sheets through the first part of the archive whose name ends in ``workbook.xml``: a crafted
``customXml/workbook.xml`` stored first, naming a clean decoy sheet, had every check read the
decoy while the engine read the real sheet -- an id shown as another (``"10"0``) read
silently.  The workbook part is ``xl/workbook.xml`` (the one the engines read) or the one the
package's relations name; relations naming another part than ``xl/workbook.xml`` stop the
read.  A sheet's relation id is its ``r:id``, not the first ``id`` of any namespace.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from workbook_features import read_with

import hubframe as hf
from hubframe.errors import InputError

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'


def _real(contact_format: str = "0,") -> bytes:
    """A sheet whose contact id is shown divided by a thousand (``0,``): refused when seen
    (``General``: read as it is)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID"])
    ws.append([7000000001, 8000000001])
    ws.cell(2, 2).number_format = contact_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with(data: bytes, first: dict[str, str], change: dict[str, str] | None = None) -> bytes:
    """``data`` with the parts ``first`` stored before its own, and ``change`` written over."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for name, text in first.items():
            copy.writestr(name, text)
        for info in source.infolist():
            text = (change or {}).get(info.filename)
            copy.writestr(info.filename, text if text is not None else source.read(info))
    return out.getvalue()


def _decoy(folder: str) -> dict[str, str]:
    """A workbook part in ``folder`` naming a clean sheet of the same ids."""
    sheet = (
        f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t>'
        '</is></c><c r="B1" t="inlineStr"><is><t>Contact ID</t></is></c></row><row r="2">'
        '<c r="A2"><v>7000000001</v></c><c r="B2"><v>8000000001</v></c></row></sheetData>'
        "</worksheet>"
    )
    return {
        f"{folder}/workbook.xml": (
            f'<workbook {MAIN} xmlns:r="{REL}"><sheets><sheet name="Sheet" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        f"{folder}/_rels/workbook.xml.rels": (
            f'<Relationships {RELS}><Relationship Id="rId1" Type="{REL}/worksheet" '
            'Target="decoy.xml"/></Relationships>'
        ),
        f"{folder}/decoy.xml": sheet,
    }


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("folder", ["customXml", "xl/x", "docProps"])
def test_a_decoy_workbook_part_stored_first_does_not_hide_the_real_sheet(
    engine: str, folder: str
) -> None:
    data = _with(_real(), _decoy(folder))
    with read_with(engine), pytest.raises(InputError, match="column 'Contact ID'"):
        hf.read_pairs(data, from_type="deals", to_type="contacts")


def test_relations_naming_another_workbook_part_stop_the_read() -> None:
    """The package's relations name the decoy as the workbook, while ``xl/workbook.xml``
    is there too: which an engine reads cannot be told."""
    rels = (
        f'<Relationships {RELS}><Relationship Id="rId1" Type="{REL}/officeDocument" '
        'Target="customXml/workbook.xml"/></Relationships>'
    )
    data = _with(_real(), _decoy("customXml"), {"_rels/.rels": rels})
    with pytest.raises(InputError, match=r"customXml/workbook\.xml"):
        hf.read_pairs(data, from_type="deals", to_type="contacts")


def test_a_sheet_is_found_by_its_r_id_not_an_id_of_another_namespace() -> None:
    """A ``<sheet>`` with an ``id`` of another namespace before its ``r:id``, naming a clean
    decoy part: the checks read the part of its ``r:id``, the one the engines read."""
    data = _real()
    book = zipfile.ZipFile(io.BytesIO(data))
    workbook = book.read("xl/workbook.xml").decode()
    rels = book.read("xl/_rels/workbook.xml.rels").decode()
    workbook = workbook.replace("<sheet ", '<sheet xmlns:o="urn:other" o:id="rIdDecoy" ', 1)
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdDecoy" Type="{REL}/worksheet" Target="/customXml/decoy.xml"/>'
        "</Relationships>",
    )
    decoy = {"customXml/decoy.xml": _decoy("customXml")["customXml/decoy.xml"]}
    changed = _with(data, decoy, {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels})
    with pytest.raises(InputError, match="column 'Contact ID'"):
        hf.read_pairs(changed, from_type="deals", to_type="contacts")


def test_a_usual_workbook_reads_as_before() -> None:
    pairs = hf.read_pairs(_real("General"), from_type="deals", to_type="contacts")
    assert pairs["to_id"].tolist() == ["8000000001"]
