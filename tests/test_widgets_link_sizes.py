"""No download link on the page is larger than ``max_download_bytes``.  Every report and retry
file link was held to it ("so the page and the notebook never carry them"), but the Export
job put its ``.xlsx`` and ``.csv`` into the page as data-URI links whatever their size (23 MB
of HTML in a widget value for 200,000 links, with a limit of 1 MB).  Now an export's file
larger than the limit is said too large, as a report is, and Save report writes it.  Every
widget value of the page is searched for links, after runs, changes, exports and both, under
limits every file fits, none does, and some do.  Driven headlessly against the built-in
sandbox, over HTTP."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import ipywidgets as w
import pytest
from app_driver import click, upload

from hubframe.testing import demo_ids
from hubframe.widgets import HubframeApp

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
MISSING = 1019369000  # no contact of the demo portal has an id from here on
SHEET = (
    "Deal ID,Contact ID\n"
    + "".join(f"{DEALS[40 + i]},{CONTACTS[140 + i]}\n" for i in range(3))
    + "".join(f"{DEALS[40]},{MISSING + i}\n" for i in range(3))  # rows for the retry file
).encode()
EXPORT = {"deals_contacts_links.xlsx", "deals_contacts_links.csv"}
_LINK = re.compile(r'href="data:[^";]*;base64,([^"]*)"')


def _widgets(root: w.Widget) -> Iterator[w.Widget]:
    yield root
    for child in getattr(root, "children", ()):
        yield from _widgets(child)


def _linked(app: HubframeApp) -> list[int]:
    """The size of every file a download link of the page carries, in any widget's value."""
    values = [str(getattr(widget, "value", "")) for widget in _widgets(app.widget)]
    return [len(base64.b64decode(p)) for value in values for p in _LINK.findall(value)]


def _text(app: HubframeApp) -> str:
    values = [str(getattr(widget, "value", "")) for widget in _widgets(app.widget)]
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(values)))


def _run(app: HubframeApp) -> None:
    upload(app, "pairs.csv", SHEET)
    click(app, app.run_button)
    assert app.result is not None and "status" in app.result.columns


def _export(app: HubframeApp) -> None:
    app.job.value = "export"
    assert app.wait(60)
    app.from_type.value, app.to_type.value = "deals", "contacts"
    click(app, app.run_button)
    assert app.result is not None and set(app._export_files) == EXPORT


def _change(app: HubframeApp) -> None:
    app.check_records.value = not app.check_records.value
    assert app.wait(60)


#: What the analyst did, step by step, before the page is searched.
SCENARIOS: dict[str, tuple[Callable[[HubframeApp], None], ...]] = {
    "run": (_run,),
    "run, change": (_run, _change),
    "run twice": (_run, _run),
    "export": (_export,),
    "run, export": (_run, _export),
    "run, export, change": (_run, _export, _change),
}
#: Every file fits, none does, some do (an export's .csv and a retry .csv, not the workbooks).
LIMITS = {"all fit": 10**9, "none fits": 50, "some fit": 4_000}


@pytest.mark.parametrize("limit", sorted(LIMITS))
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_link_on_the_page_is_larger_than_the_limit(
    tmp_path: Path, scenario: str, limit: str
) -> None:
    """Each link the page holds carries at most ``max_download_bytes``, as do the downloads
    offered; a file left out is said too large, and Save report writes every file."""
    most = LIMITS[limit]
    app = HubframeApp(max_download_bytes=most)
    try:
        click(app, app.connect_button)
        for step in SCENARIOS[scenario]:
            step(app)
        linked = _linked(app)
        assert all(size <= most for size in linked), (linked, most)
        assert all(len(data) <= most for data in app.downloads.values())
        assert len(linked) == len(app.downloads)
        kept = {name for name in app.downloads if "(run " in name} | set(app._export_files)
        if limit == "all fit":
            assert linked and "Too large" not in _text(app)
        else:
            assert "Too large to download from the page" in _text(app)
        app.save_folder.value = str(tmp_path / "out")
        click(app, app.save_button)
        saved = {path.name for path in app.saved}
        assert kept <= saved, (kept, saved)
        if "export" in scenario and "change" not in scenario:
            assert saved >= EXPORT
    finally:
        app.close()
