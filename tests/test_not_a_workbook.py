"""A file with an Excel name that is no workbook says what it is and what to do.

Before, a CSV saved (or renamed) as ``.xlsx``, Excel's "Unicode text" under an Excel name and
a web page some tools export as "Excel" all got the same "this is not an Excel workbook (the
file is damaged or has the wrong extension)": the analyst was not told that renaming a text
file to ``.csv`` reads it.  The advice is checked by following it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hubframe.errors import SourceError
from hubframe.io import read_pairs
from tests.fuzzseeds import seeds

CSV = "Deal ID,Contact ID,Label\r\n1,2,Käufer\r\n3,4,\r\n"
TEXTS = {
    "utf-8 csv": CSV.encode("utf-8"),
    "utf-8 csv with bom": b"\xef\xbb\xbf" + CSV.encode("utf-8"),
    "windows-1252 csv": CSV.replace(",", ";").encode("cp1252"),
    "unicode text (utf-16, tabs)": CSV.replace(",", "\t").encode("utf-16"),
}
PAGES = {
    "html page": b"<html><body><table><tr><td>Deal ID</td></tr></table></body></html>",
    "html with doctype": b"\r\n<!DOCTYPE html>\n<html><table></table></html>",
    "spreadsheet xml": b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com">',
}


def _refusal(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SourceError) as caught:
        read_pairs(path)
    return str(caught.value)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".xlsm"])
@pytest.mark.parametrize("case", TEXTS)
def test_text_under_an_excel_name_is_named_text_and_reads_once_renamed(
    tmp_path: Path, case: str, suffix: str
) -> None:
    said = _refusal(tmp_path, f"pairs{suffix}", TEXTS[case])
    assert said.startswith(f"pairs{suffix}: this is not an Excel workbook but a text file")
    assert "Rename it to .csv" in said
    renamed = tmp_path / "pairs.csv"
    (tmp_path / f"pairs{suffix}").rename(renamed)
    pairs = read_pairs(renamed, from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == ["1", "3"] and pairs["to_id"].tolist() == ["2", "4"]
    assert pairs["label"].tolist()[0] == "Käufer"


@pytest.mark.parametrize("case", PAGES)
def test_a_web_page_under_an_excel_name_is_named_one(tmp_path: Path, case: str) -> None:
    said = _refusal(tmp_path, "export.xls", PAGES[case])
    assert "web page or XML file with an Excel name" in said and "save it as .xlsx" in said


@pytest.mark.parametrize("seed", seeds(20))
def test_binary_bytes_under_an_excel_name_are_never_called_text(tmp_path: Path, seed: int) -> None:
    """Random bytes (not a zip or OLE file, which are read as workbooks) keep the damaged
    file's words: they are never advised to be renamed and read as a CSV."""
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(64, 5000)))
    if data.startswith((b"PK", b"\xd0\xcf")):
        data = b"\x00" + data
    said = _refusal(tmp_path, "book.xlsx", data)
    assert "the file is damaged or has the wrong extension" in said, said


def test_a_pdf_under_an_excel_name_is_named_a_pdf(tmp_path: Path) -> None:
    said = _refusal(tmp_path, "book.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    assert "this file is a PDF document, not a sheet" in said
