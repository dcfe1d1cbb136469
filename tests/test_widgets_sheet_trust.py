"""The notebook app with sheets analysts really upload: a token pasted into a header, a file
that is not what its name says, a sheet with its own "Status" column.

Before: a header holding the token was every column dropdown's option label (on screen, and in
the widget state a saved notebook keeps); a CSV renamed .xlsx, or one with a quote never
closed, was shown loaded and its error told the analyst to pick columns; a sheet's "Status"
column ("won") was drawn as the row's status badge and the row's status was called
"Status (as sent)"."""

from __future__ import annotations

import html
import json
import re

import ipywidgets.widgets.widget as widget_module
import pytest
from app_driver import click, upload

from hubframe.testing import workbook_bytes, xlsx_bytes
from hubframe.widgets import HubframeApp

DEALS = 2040000001
CONTACTS = 1019360001


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", value))


def _every_widget_state() -> str:
    """What the page and a saved notebook hold: every live widget's state."""
    states = [w.get_state() for w in list(widget_module._instances.values())]
    return json.dumps(states, default=str).casefold()


def test_a_token_in_a_header_is_in_no_widget(app: HubframeApp) -> None:
    click(app, app.connect_button)
    assert app.connection is not None and app.connection.sandbox is not None
    token = app.connection.sandbox.token
    pairs = [["Deal ID", "Contact ID", f"Token {token}"], [DEALS, CONTACTS, "x"]]
    upload(app, "t.xlsx", workbook_bytes({"Pairs": pairs, "More": pairs}))
    options = [label for d in app.columns.values() for label, _ in d.options]
    assert any("redacted" in label for label in options), options
    click(app, app.validate_button)
    click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    assert token.casefold() not in _every_widget_state()


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("renamed.xlsx", b"Deal ID,Contact ID\n1,2\n", "not an Excel workbook"),
        ("quote.csv", b'Deal ID,Contact ID\n"2040000001,1019360001\n3,4\n', "never closed"),
    ],
)
def test_a_file_that_cannot_be_read_is_not_loaded(
    app: HubframeApp, name: str, data: bytes, said: str
) -> None:
    upload(app, "good.xlsx", xlsx_bytes([["Deal ID", "Contact ID"], [DEALS, CONTACTS]]))
    assert app.source is not None
    upload(app, name, data)
    assert app.source is None  # nor the sheet loaded before it
    assert said in _text(app.messages["sheet"].value)
    assert _text(app.messages["mapping"].value).strip() == ""
    assert all(d.options == (("(not in the sheet)", ""),) for d in app.columns.values()), [
        d.options for d in app.columns.values()
    ]


@pytest.mark.parametrize("own", ["Status", "Problem", "Message"])
def test_a_sheets_own_status_column_is_not_the_rows_status(app: HubframeApp, own: str) -> None:
    click(app, app.connect_button)
    rows: list[list[object]] = [["Deal ID", "Contact ID", own], [DEALS, 99, "won"]]
    upload(app, "s.xlsx", xlsx_bytes(rows))
    click(app, app.run_button)
    page = app.preview.value
    heads = [_text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", page)]
    assert {"Status", "Problem", "Message", f"{own} (sheet)"} <= set(heads), heads
    assert not [h for h in heads if "(as sent)" in h and h.split(" (")[0] in {own}], heads
    cells = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "<td" in r)
    values = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
    row = dict(zip(heads, values, strict=True))
    assert row["Status"] in {"failed", "invalid"} and row[f"{own} (sheet)"] == "won", row
    assert "won</span>" not in page  # the sheet's cell is text, not a status badge
