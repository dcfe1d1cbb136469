"""Rows above the header row that read as rows of the table (two cells or more that are values
of the columns the header maps: ids of any length, emails, domains, labels) stop the read,
naming them, and so does a header row above the header taken with rows under it; title rows (a
sentence, a date, "Portal ID | 4412345", a group row) are read past as before.  Before, rows of
emails and domains above the header (Excel's Sort with "My data has headers" off sorts the
header in among them), or an id beside an email, were dropped as a title without a word."""

from __future__ import annotations

import pytest

from hubframe.errors import InputError
from hubframe.io import read_pairs
from hubframe.testing import xlsx_bytes

ID1, ID2, ID3 = "101936297021", "201936297022", "301936297023"
EMAILS = "Company Domain,Contact Email"
IDS = "Deal ID,Contact ID"

#: (the sheet's lines, the rows refused)
REFUSED = [
    (
        ["acme.com,ann@acme.com", "beta.com,bob@beta.com", EMAILS, "delta.com,dan@delta.com"],
        [1, 2],
    ),
    ([f"{ID1},ann@x.com", "Deal ID,Contact Email", f"{ID2},bob@x.com"], [1]),
    (["12,34", IDS, "15,16"], [1]),  # short ids, as short as the table's
    ([f"{ID1},{ID2}", IDS, f"{ID1[:-1]},{ID2[:-1]}"], [1]),  # a digit more: still an id
    ([f"{ID1},,Champion", "Deal ID,Contact ID,Label", f"{ID2},{ID3},Champion"], [1]),
    ([f",{ID2},Champion", "Deal ID,Contact ID,Label", f"{ID2},{ID3},Champion"], [1]),
    (
        [EMAILS, "acme.com,ann@acme.com", "", f"{EMAILS},Label", "beta.com,bob@beta.com,Champion"],
        [1],
    ),
    (["Title", IDS, f"{ID1},{ID2}", f"{IDS},Label", f"{ID1},{ID3},Champion"], [2]),
    # a first block by email and domain above a header of other columns: its own header
    ([EMAILS, "acme.com,ann@acme.com", f"{IDS},Label", f"{ID1},{ID3},Champion"], [1]),
]
#: title blocks read past: (the lines above the header, the header)
TITLES = [
    (["Q3 associations"], IDS),
    (["Associations for Q3 2026,,", "2026-11-30"], IDS),
    (["Portal ID,4412345"], IDS),
    (["Deals to contacts - see notes below", ""], IDS),
    (["Deals,Contacts"], IDS),
    (["Company,Contact"], EMAILS),
    (["acme.com accounts"], EMAILS),
    ([",,Q3 labels"], "Deal ID,Contact ID,Label"),
    (["Owner: ann@acme.com"], EMAILS),
    # a title's number is not one of the table's ids: a year, a portal, a count, a version
    (["Portal,4412345,production"], "Deal ID,Contact ID,Label"),
    (["2024,Q3,partner associations"], "Deal ID,Contact ID,Label"),
    (["Exported,20241105,by Jane"], "Deal ID,Contact ID,Label"),
    (["Version,3,final"], "Deal ID,Contact ID,Label"),
    (["Deals,Contacts,Labels", "80,240,3"], "Deal ID,Contact ID,Label"),
    (["Summary", "Deals,Contacts", "2,2"], IDS),
    (["Prepared by,jane@acme.example,please check labels"], "Company Domain,Contact Email,Label"),
]


def _sources(lines: list[str]) -> list[bytes]:
    return [
        ("\n".join(lines) + "\n").encode(),
        xlsx_bytes([[c or None for c in line.split(",")] for line in lines]),
    ]


@pytest.mark.parametrize(("lines", "rows"), REFUSED)
def test_rows_of_the_table_above_the_header_stop_the_read(
    lines: list[str], rows: list[int]
) -> None:
    for data in _sources(lines):
        with pytest.raises(InputError) as caught:
            read_pairs(data)
        said = str(caught.value)
        listed = f"row {rows[0]}" if len(rows) == 1 else "rows " + ", ".join(map(str, rows))
        assert listed in said, said


@pytest.mark.parametrize(("above", "header"), TITLES)
def test_title_rows_are_read_past(above: list[str], header: str) -> None:
    row = f"{ID1},{ID2}" if header.startswith("Deal") else "acme.com,ann@acme.com"
    if header.endswith("Label"):
        row += ",Champion"
    lines = [*above, header, row]
    for data in _sources(lines):
        pairs = read_pairs(data, from_type="deals" if "Deal" in header else "companies",
                           to_type="contacts")  # fmt: skip
        assert pairs["row"].tolist() == [len(lines)]
