"""Sheets read together name their records the same way, or the read says they do not.

With ``sheet="*"``, one sheet's "Contact Email" column made the frame's to side a column of
emails, so every other sheet's contact ids were looked up as emails: on a portal they failed
"No contact with email '1019360032'", and a rehearsal created contacts with those emails and
reported the rows a success.  Sheets that name a side differently (by email on one, by id on
another) are refused together, naming both; each reads alone.
"""

from __future__ import annotations

import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import demo
from hubframe.testing import workbook_bytes

EMAILS = [p["email"] for p in demo.contact_properties()[30:32]]
BY_EMAIL = [["Deal ID", "Contact Email"], ["2040000010", EMAILS[0]], ["2040000010", EMAILS[1]]]
BY_ID = [["Deal ID", "Contact ID"], ["2040000011", "1019360032"], ["2040000011", "1019360033"]]
COMPANY_BY_DOMAIN = [["Company Domain", "Contact ID"], ["example.com", "1019360032"]]
COMPANY_BY_ID = [["Company ID", "Contact ID"], ["3120000001", "1019360033"]]


@pytest.mark.parametrize(
    ("sheets", "side"),
    [
        ({"ByEmail": BY_EMAIL, "ById": BY_ID}, "to"),
        ({"ById": BY_ID, "ByEmail": BY_EMAIL}, "to"),
        ({"Domains": COMPANY_BY_DOMAIN, "Ids": COMPANY_BY_ID}, "to"),
    ],
)
def test_sheets_naming_records_differently_are_not_read_together(
    sheets: dict[str, list[list[str]]], side: str
) -> None:
    book = workbook_bytes(sheets)
    first, second = sheets
    with pytest.raises(
        InputError, match=rf"sheet '{first}' names the {side} records by .* and sheet '{second}' by"
    ):
        hf.read_pairs(book, sheet="*")
    for name in sheets:  # each alone reads as before
        assert len(hf.read_pairs(book, sheet=name)) == len(sheets[name]) - 1


def test_sheets_naming_records_alike_read_together() -> None:
    book = workbook_bytes({"A": BY_EMAIL, "B": BY_EMAIL})
    frame = hf.read_pairs(book, sheet="*")
    assert frame.attrs["hubframe"]["id_properties"] == {"to": "email"}
    assert len(frame) == 4
