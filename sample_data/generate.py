"""Regenerate the sample sheets from the demo portal (``hubframe/sandbox/demo.py``).

    python sample_data/generate.py [OUTPUT_DIR]

Without OUTPUT_DIR the sheets are written twice: into ``sample_data/`` (for people reading the
repository) and into ``hubframe/sandbox/data/samples/`` (shipped with the package, so
``hubframe demo`` works from an installed package).  This generator is the one source of both;
``tests/test_sandbox_sample_data.py`` checks the copies are identical.

Deterministic: the same code gives byte-identical files (fixed document timestamps, fixed zip
entry dates), so ``git diff`` shows only real changes.  See ``sample_data/README.md``.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from hubframe.sandbox import demo

HERE = Path(__file__).resolve().parent
#: The copy shipped with the package (package data): what ``hubframe demo`` reads by default.
PACKAGED = HERE.parent / "hubframe" / "sandbox" / "data" / "samples"
FIXED_ZIP_DATE = (2026, 11, 20, 9, 0, 0)
FIXED_ISO = "2026-11-20T09:00:00Z"
Row = Sequence[Any]

# --- deals <-> contacts --------------------------------------------------------------------------

DEALS_CONTACTS_HEADER = ("Deal ID", "Deal name", "Contact ID", "Contact email",
                         "Association label", "Notes")  # fmt: skip
_LABEL_CYCLE = ("Decision maker", "Champion", "Budget holder", "")
_NOTES = ("", "Met at the partner summit", "", "Signs the PO", "", "", "Asked for a demo", "")


def deals_contacts_rows() -> list[Row]:
    """62 pairs: 60 new ones, one already in the portal, one over the Decision-maker limit."""
    deals = {i: p for i, p in zip(demo.DEAL_IDS, demo.deal_properties(), strict=True)}
    contacts = {i: p for i, p in zip(demo.CONTACT_IDS, demo.contact_properties(), strict=True)}

    def row(deal: int, contact: int, label: str, note: str) -> Row:
        return (deal, deals[deal]["dealname"], contact, contacts[contact]["email"], label, note)

    first_deal, dm = demo.DEAL_IDS[0], demo.DECISION_MAKER.label
    rows = [
        row(first_deal, demo.CONTACT_IDS[0], dm, "Already linked in HubSpot"),
        row(first_deal, demo.CONTACT_IDS[19], dm, "Third decision maker on this deal"),
    ]
    for k, deal in enumerate(demo.DEAL_IDS[3:23]):
        for j in range(3):
            contact = demo.CONTACT_IDS[20 + 3 * k + j]
            rows.append(row(deal, contact, _LABEL_CYCLE[(k + j) % 4], _NOTES[(3 * k + j) % 8]))
    return rows


# --- contacts <-> companies ----------------------------------------------------------------------

CONTACTS_COMPANIES_HEADER = ("Contact ID", "Contact name", "Company ID", "Company name",
                             "Association label")  # fmt: skip


def contacts_companies_rows() -> list[Row]:
    """40 employees and former employees, two primaries, one contact given a second employer."""
    contacts = demo.contact_properties()
    companies = demo.company_properties()

    def row(ci: int, co: int, label: str) -> Row:
        name = f"{contacts[ci]['firstname']} {contacts[ci]['lastname']}"
        return (demo.CONTACT_IDS[ci], name, demo.COMPANY_IDS[co], companies[co]["name"], label)

    rows = []
    for i in range(40):
        label = "Former employee" if i % 5 == 4 else "" if i % 7 == 3 else "Employee"
        rows.append(row(30 + i, 10 + i // 4, label))
    rows.append(row(70, 20, "Primary"))
    rows.append(row(71, 20, "Primary"))
    rows.append(row(0, 12, demo.EMPLOYEE.label))  # already Employee at another company: limit 1
    return rows


# --- limits --------------------------------------------------------------------------------------

LIMITS_HEADER = ("From object", "To object", "Label", "Max associations")


def limits_rows() -> list[Row]:
    return [
        ("Deals", "Contacts", "", 30),  # raises the object limit (now 25)
        ("Deals", "Contacts", demo.DECISION_MAKER.label, 3),  # raises the label limit (now 2)
        ("Deals", "Contacts", demo.CHAMPION.label, 2),  # new
        ("Deals", "Contacts", demo.BUDGET_HOLDER.label, 40),  # above the object limit: refused
        ("Deals", "Companies", demo.RESELLER.label, 1),  # new
        ("Companies", "Contacts", demo.EMPLOYEE.inverse_label, 50),  # new, reverse direction
        ("Contacts", "Companies", demo.EMPLOYEE.label, "remove"),  # purge the limit of 1
    ]


# --- the messy workbook --------------------------------------------------------------------------

MESSY_HEADER = (" Deal ID ", "Contact  ID", "From object", "To object", "Label ", "Notes")


def messy_rows() -> list[Row]:
    """The usual problems of exported sheets, one or two of each, between good rows."""
    d, c = demo.DEAL_IDS, demo.CONTACT_IDS
    return [
        (d[30], c[120], "Deal", "Contact", "Champion", "good"),
        (float(d[31]), c[121], "deals", "contacts", "Decision maker", "float id from Excel"),
        (d[32], float(c[122]), "0-3", "0-1", "Budget holder", "float id, type ids"),
        (f" {d[33]} ", f"{c[123]} ", "DEAL", "CONTACTS", "Champion ", "stray spaces"),
        (d[34], "1.01936E+11", "Deal", "Contact", "Champion", "id mangled by Excel"),
        (d[35], None, "Deal", "Contact", "Champion", "contact id missing"),
        (None, None, None, None, None, None),
        (d[36], c[126], "Deal", "Contact", "Decison maker", "typo in label"),
        (d[37], c[127], "Deal", "Contact", "Influencer", "label not in HubSpot"),
        (d[38], c[128], "Deal", "Contatcs", "Champion", "object type misspelled"),
        (d[39], c[129], "Deal", "Contact", "Champion", "duplicate below"),
        (d[39], c[129], "Deal", "Contact", "Champion", "duplicate above"),
        (2049999999, c[130], "Deal", "Contact", "Champion", "deal not in the portal"),
        (d[40], 1019369999, "Deal", "Contact", "Champion", "contact not in the portal"),
        (d[41], c[131], "Deal", "Contact", None, "no label: plain association"),
        (d[42], c[132], "0-3", "0-1", "budget holder", "label in lower case"),
        (f"{d[43]}", str(c[133]), "Deal", "Contact", "Champion", "ids stored as text"),
        (d[44], c[134], "Deal", "Contact", "Champion", "good"),
    ]


# --- writing -------------------------------------------------------------------------------------


def _normalize_xlsx(data: bytes) -> bytes:
    """Fix the document timestamps and zip entry dates, so output is byte-identical."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rf"\g<1>{FIXED_ISO}\g<2>",
                    content.decode(),
                )
                content = text.encode()
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, content)
    return out.getvalue()


def _save(wb: Workbook, path: Path) -> None:
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_normalize_xlsx(buffer.getvalue()))


def _new_workbook() -> Workbook:
    wb = Workbook()
    wb.properties.creator = "Revenue Operations"
    return wb


def write_deals_contacts(path: Path) -> None:
    wb = _new_workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Deal contacts"
    ws.append(["Q4 deal contacts to associate in HubSpot"])
    ws.append(["Prepared by Revenue Operations, 20 Nov 2026. One row per deal and contact."])
    ws.append([])
    ws.append(list(DEALS_CONTACTS_HEADER))
    for row in deals_contacts_rows():
        ws.append(list(row))
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[4]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        cell.alignment = Alignment(horizontal="center")
    for col, width in zip("ABCDEF", (14, 34, 14, 40, 18, 34), strict=True):
        ws.column_dimensions[col].width = width
    for row_cells in ws.iter_rows(min_row=5, min_col=1, max_col=3):
        row_cells[0].number_format = "0"
        row_cells[2].number_format = "0"
    ws.freeze_panes = "A5"
    _save(wb, path)


def write_messy(path: Path) -> None:
    wb = _new_workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Export"
    ws.append(list(MESSY_HEADER))
    for row in messy_rows():
        ws.append(list(row))
    notes = wb.create_sheet("Read me")
    notes.append(["Exported from the old CRM; ids and labels were typed by hand."])
    _save(wb, path)


def write_csv(path: Path, header: Row, rows: list[Row]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def generate(out_dir: Path = HERE) -> list[Path]:
    """Write every sample file into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        out_dir / "deals_contacts.xlsx",
        out_dir / "contacts_companies.csv",
        out_dir / "limits.csv",
        out_dir / "messy_deals_contacts.xlsx",
    ]
    write_deals_contacts(paths[0])
    write_csv(paths[1], CONTACTS_COMPANIES_HEADER, contacts_companies_rows())
    write_csv(paths[2], LIMITS_HEADER, limits_rows())
    write_messy(paths[3])
    return paths


if __name__ == "__main__":
    targets = [Path(sys.argv[1])] if len(sys.argv) > 1 else [HERE, PACKAGED]
    for target in targets:
        for written in generate(target):
            print(written)
