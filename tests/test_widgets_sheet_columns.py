"""The app and sheets read together ("All visible sheets", ``sheet="*"``) that name a field apart
("Deal ID" on one, "Deal Record ID" on another): what the page says of a sheet's column is that
sheet's own header (``sheet_column_maps``), never the header the last sheet gave the field in
the read's union ``column_map``.  Driven headlessly against the built-in sandbox."""

from __future__ import annotations

import html
import io
import re

import pandas as pd
from app_driver import WAIT, click, upload

from hubframe.testing import demo_ids
from hubframe.widgets import HubframeApp, words
from hubframe.widgets.app import NONE

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")

Rows = list[list[object]]


def _workbook(sheets: dict[str, Rows]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cells(value: str) -> str:
    """The page's HTML as text, its cells apart: ``| Q1 | 2 | Deal ID |``."""
    return re.sub(r"\s*(\|\s*)+", " | ", html.unescape(re.sub(r"<[^>]+>", "|", value)))


def _read_every_sheet(app: HubframeApp, sheets: dict[str, Rows]) -> None:
    click(app, app.connect_button)
    upload(app, "links.xlsx", _workbook(sheets))
    app.sheet.value = "*"
    assert app.wait(WAIT)


def test_each_issue_row_names_the_column_of_its_own_sheet(app: HubframeApp) -> None:
    """A bad id on Q1 ("Deal ID") was shown in the Column cell as "Deal Record ID", the header
    Q2 (the last sheet) gave the field, while its message said 'Deal ID'."""
    _read_every_sheet(
        app,
        {
            "Q1": [["Deal ID", "Contact ID", "Association label"], ["20400000O1", CONTACTS[0], ""]],
            "Q2": [["Deal Record ID", "Contact ID", "Label"], ["20400000O2", CONTACTS[2], ""]],
        },
    )
    click(app, app.validate_button)
    assert app.issues is not None
    bad = app.issues[app.issues["code"] == "BAD_ID"]
    assert set(bad["sheet"]) == {"Q1", "Q2"}
    said = _cells(app.validation.value)
    assert "| Q1 | 2 | Deal ID | 20400000O1 | BAD_ID |" in said, said
    assert "| Q2 | 2 | Deal Record ID | 20400000O2 | BAD_ID |" in said, said
    assert "(column 'Deal ID')" in said and "(column 'Deal Record ID')" in said


def test_a_sheet_the_sheets_maps_do_not_list_takes_the_reads_header() -> None:
    """Each row's own sheet's header; a row whose sheet is not listed (or has none) takes the
    read's, and a column its sheet does not read is named in words, not by another sheet."""
    issues = pd.DataFrame(
        {
            "sheet": ["Q1", "Q2", "Elsewhere", None, "Q1"],
            "column": ["from_id", "from_id", "from_id", "from_id", "label"],
        }
    )
    by_sheet = {"Q1": {"from_id": "Deal ID"}, "Q2": {"from_id": "Deal Record ID", "label": "L"}}
    union = {"from_id": "Deal Record ID", "label": "L"}
    shown = words.issue_columns(issues, union, by_sheet)
    in_words = words.COLUMN_WORDS["label"]
    assert list(shown) == [
        "Deal ID",
        "Deal Record ID",
        "Deal Record ID",
        "Deal Record ID",
        in_words,
    ]


def test_limits_of_every_sheet_fill_the_dropdowns_with_the_first_sheets_columns(
    app: HubframeApp,
) -> None:
    """The dropdowns show the first sheet's headers, but were filled in from the union of the
    sheets' maps: a later sheet's "Association label" and "Limit" won, not among the first
    sheet's headers, so Label and Limit showed (not in the sheet) while L1's were read."""
    app.job.value = "limits"
    _read_every_sheet(
        app,
        {
            "L1": [["From object", "To object", "Label", "Max associations"],
                   ["Deals", "Contacts", "", 30]],
            "L2": [["From object", "To object", "Association label", "Limit"],
                   ["Deals", "Contacts", "Decision maker", 3]],
        },
    )  # fmt: skip
    assert app.columns["label"].value == "Label"
    assert app.columns["max_to_object_ids"].value == "Max associations"
    click(app, app.validate_button)
    said = _cells(app.validation.value)
    assert "Sheet 'L1'" not in said, said  # what L1 reads is what the dropdowns show


def test_a_column_set_to_not_in_the_sheet_is_refused_naming_each_sheets_header(
    app: HubframeApp,
) -> None:
    """Label set to (not in the sheet) while each sheet reads a label column by its own header:
    the refusal named only the last sheet's "Label" and said to pick it, which the dropdown
    (the first sheet's headers) does not offer."""
    _read_every_sheet(
        app,
        {
            "Q1": [["Deal ID", "Contact ID", "Association label"], [DEALS[0], CONTACTS[0], ""]],
            "Q2": [["Deal ID", "Contact ID", "Label"], [DEALS[2], CONTACTS[2], "Champion"]],
        },
    )
    app.columns["label"].value = "Association label"
    app.columns["label"].value = NONE  # the analyst's choice
    click(app, app.validate_button)
    said = _cells(app.messages["mapping"].value)
    assert "\"Association label\" on sheet 'Q1'" in said, said
    assert "\"Label\" on sheet 'Q2'" in said, said
    assert 'Pick "Label"' not in said
