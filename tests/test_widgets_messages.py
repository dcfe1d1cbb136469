"""A step redone says only what its last doing found: Run and Dry run read and validate the
sheet again, so what an earlier Validate click said at 5 · Validate goes when they do.  Driven
headlessly against the built-in sandbox."""

from __future__ import annotations

import html
import re

import pytest
from app_driver import click, upload

from hubframe.testing import demo_ids
from hubframe.widgets import HubframeApp

DEAL, CONTACT = demo_ids("deals")[66], demo_ids("contacts")[166]
#: Sheets the read refuses (said at 4 · Map columns), and what the page is set to first.
REFUSED: dict[str, tuple[bytes, str | None]] = {
    "label for all rows against a label column": (
        f"Deal ID,Contact ID,Association label\n{DEAL},{CONTACT},Decision maker\n".encode(),
        "Champion",
    ),
    "no to id column": (f"Deal ID,Notes\n{DEAL},x\n".encode(), None),
}
POINTER = "Not done: see 4 · Map columns above."


def _messages(app: HubframeApp) -> dict[str, str]:
    said = {k: html.unescape(re.sub(r"<[^>]+>", "", v.value)) for k, v in app.messages.items()}
    return {k: v for k, v in said.items() if v}


@pytest.mark.parametrize("redo", ["run", "dry-run"])
@pytest.mark.parametrize("sheet", list(REFUSED))
def test_a_step_redone_by_run_or_dry_run_keeps_no_earlier_message(
    app: HubframeApp, sheet: str, redo: str
) -> None:
    """Validate refused (5 · Validate: "Not done: see 4 · Map columns above."), then Run
    refused the same way: the line at 5 · Validate stayed from the earlier click.  The page
    now says what the last click alone says: at the step clicked and at 4 · Map columns."""
    data, label = REFUSED[sheet]
    click(app, app.connect_button)
    upload(app, "a.csv", data)
    if label is not None:
        app.label.value = label
    click(app, app.validate_button)
    first = _messages(app)
    assert first["validate"] == POINTER and "mapping" in first
    click(app, app.run_button if redo == "run" else app.dry_run_button)
    assert _messages(app) == {"mapping": first["mapping"], redo: POINTER}
