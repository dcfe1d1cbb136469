"""Regenerate the golden input sheets in this folder: ``python tests/golden/make_golden.py``.

The files are committed; this script documents exactly what is in them.  ``protected.xlsx`` is
made with msoffcrypto-tool (not a project dependency) when it is importable, else kept as is.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

PAIRS_ROWS = [
    ["deals", "2040000001", "contacts", "101", "Decision maker"],
    ["Deal", "2040000002", "Contacts", "102", ""],
    ["deals", "1.01936E+11", "contacts", "103", "Decision maker"],
    ["deals", "2040000001", "contacts", "101", "Decision maker"],
]


def _csv_text(delimiter: str, rows: list[list[str]]) -> str:
    header = ["From Type", "From ID", "To Type", "To ID", "Label"]
    lines = [delimiter.join(header), *(delimiter.join(r) for r in rows)]
    return "\r\n".join(lines) + "\r\n"


def write_csvs() -> None:
    (HERE / "pairs_utf8.csv").write_text(_csv_text(",", PAIRS_ROWS), encoding="utf-8")
    (HERE / "pairs_bom.csv").write_bytes(
        b"\xef\xbb\xbf" + _csv_text(",", PAIRS_ROWS).encode("utf-8")
    )
    euro = [[*r[:4], "Décideur"] for r in PAIRS_ROWS]
    euro[2][1] = "1,01936E+11"
    (HERE / "pairs_semicolon_cp1252.csv").write_bytes(_csv_text(";", euro).encode("cp1252"))
    (HERE / "pairs_tab.tsv").write_text(_csv_text("\t", PAIRS_ROWS), encoding="utf-8")
    (HERE / "pairs_utf16.txt").write_bytes(_csv_text("\t", PAIRS_ROWS).encode("utf-16"))
    title = "Deals to link - Q3 review,,,\r\nPrepared by: Ana,,,\r\n,,,\r\n"
    body = (
        "Record ID,Deal Name,Associated Contact IDs,Notes\r\n"
        "2040000001,Big deal,101;102;103,first\r\n"
        "2040000002,Small deal,,no contacts\r\n"
        "\r\n"
        "2040000003,Third,104,\r\n"
    )
    (HERE / "export_title.csv").write_text(title + body, encoding="utf-8")
    limits = (
        "From Object Type,To Object Type,Association Label,Limit\r\n"
        "deals,contacts,,5\r\n"
        "deals,contacts,Decision maker,3\r\n"
        "deals,contacts,Champion,9\r\n"
        "contacts,companies,,remove\r\n"
        "contacts,companies,Billing contact,\r\n"
        "deals,companies,,0\r\n"
        "deals,companies,Primary,abc\r\n"
        "tickets,contacts,,4\r\n"
        "tickets,contacts,,6\r\n"
    )
    (HERE / "limits.csv").write_text(limits, encoding="utf-8")


def write_workbooks() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Links"
    ws["A1"] = "Deal to contact links"
    ws["A2"] = dt.date(2025, 7, 1)
    ws.append([])
    ws.append(["Deal ID", "Contact ID", "Label", "Amount", "Signed"])
    ws.append([2040000001, 101, "Decision maker", 1500.5, True])
    ws.append([2040000002, "102", None, 20, False])
    ws.append([None, None, None, None, None])
    ws.append([12345678901234567890, 103.0, "Champion", None, None])
    ws.append(["2040000004", "104;105", None, None, dt.datetime(2025, 7, 2, 9, 30)])
    second = book.create_sheet("More")
    second.append(["Deal ID", "Contact ID"])
    second.append([2040000005, 106])
    notes = book.create_sheet("Notes")
    notes["B2"] = "Just some notes, not data."
    book.create_sheet("Empty")
    book.save(HERE / "pairs_title.xlsx")

    offset = openpyxl.Workbook()
    ws = offset.active
    assert ws is not None
    ws.title = "Offset"
    ws["C3"] = "From Type"
    ws["D3"] = "From ID"
    ws["E3"] = "To Type"
    ws["F3"] = "To ID"
    ws.append([None, None, "companies", 501, "companies", 502])
    offset.save(HERE / "pairs_offset.xlsx")

    (HERE / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 64)
    _protected()


def _protected() -> None:
    try:
        import msoffcrypto  # type: ignore[import-not-found]
        from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-not-found]
    except ImportError:
        return
    plain = io.BytesIO()
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["From ID", "To ID"])
    ws.append([1, 2])
    book.save(plain)
    plain.seek(0)
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", out)
    (HERE / "protected.xlsx").write_bytes(out.getvalue())
    _ = msoffcrypto


if __name__ == "__main__":
    write_csvs()
    write_workbooks()
