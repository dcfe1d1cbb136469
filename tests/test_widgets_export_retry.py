"""The retry file the app offers for a HubSpot CRM export whose from type only its file name
gave reads back with that type: uploaded as it was offered, it runs the rows still to do.
Driven headlessly against the built-in sandbox."""

from __future__ import annotations

import pytest
from app_driver import click, upload

from hubframe.testing import demo_ids
from hubframe.widgets import HubframeApp

DEAL, KNOWN, OTHER = demo_ids("deals")[70], demo_ids("contacts")[170], demo_ids("contacts")[171]
MISSING = 1019369999  # no such contact in the demo portal


@pytest.mark.parametrize(
    "name",
    [
        "hubspot-crm-exports-all-deals-2026-11-29.csv",
        "hubspot-crm-exports-my-open-deals-2026-11-29 (1).csv",
        "deals.csv",
    ],
)
def test_the_retry_file_of_an_export_typed_by_its_name_runs(app: HubframeApp, name: str) -> None:
    """The app named the retry file ..._retry.csv, whose last word "retry" left the name no
    object's own: uploaded back it was refused ("no column for the 'from' object type"),
    suggesting contacts for a deals export."""
    export = (
        f"Record ID,Deal Name,Associated Contact IDs\n{DEAL},Big,{KNOWN};{MISSING};{OTHER}\n"
    ).encode()
    click(app, app.connect_button)
    upload(app, name, export)
    assert (app.from_type.value, app.to_type.value) == ("deals", "contacts")
    click(app, app.run_button)
    assert app.result is not None
    retry = [n for n in app.downloads if "_retry" in n]
    assert len(retry) == 1, list(app.downloads)
    upload(app, retry[0], app.downloads[retry[0]])
    assert (app.from_type.value, app.to_type.value) == ("deals", "contacts")
    assert "taken from the file name" in app.type_notes["from"].value
    click(app, app.run_button)
    assert app.result is not None
    sent = app.result[["from_type", "from_id", "to_type", "to_id"]].astype(str)
    assert sent.values.tolist() == [["deals", str(DEAL), "contacts", str(MISSING)]]
