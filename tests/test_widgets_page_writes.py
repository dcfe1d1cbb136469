"""A change on the page never writes a file on the kernel's thread.  Once a run's report was
larger than ``max_download_bytes`` (about 50,000 rows at the 5 MB default), changing any
setting afterwards (a dropdown, the job, the label, a type, the "check records" box, the
connection mode) wrote that whole report again inside the widget callback (``_invalidate`` ->
``_offer_earlier`` -> ``_links`` -> the kept report's bytes -> ``backend.report_bytes``): the
worker had made it for the download links when the run ended and thrown it away as too
large, so the kept report came without it.  The notebook froze 5 s a change for a 200,000-row
sheet, "the page never freezes" notwithstanding, and in ``_disconnect`` with the state lock
held.  Now what the worker made of a run's files is kept with them: their bytes while a link
may carry them, else only their size, so the page says "too large" without writing, and Save
report, on the worker, writes them.  Every input of the page is changed after two runs (so
both a shown and a kept run have a report and a retry file too large for a link), and a spy
on every writer the app calls says on which thread each ran; with a large report the change
takes a small share of what writing it takes.  Driven headlessly over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import click, upload

from hubframe.constants import API_VERSIONS
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids, workbook_bytes
from hubframe.widgets import HubframeApp, backend, portal

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
MISSING = 1019369000  # no contact of the demo portal has an id from here on
HEADER = ["Deal ID", "Contact ID", "Notes"]
SHEET = workbook_bytes(
    {
        "First": [HEADER]
        + [[DEALS[30 + i], CONTACTS[130 + i], "fine"] for i in range(3)]
        + [[DEALS[30], MISSING + i, "no such contact"] for i in range(3)],
        "Second": [HEADER, [DEALS[50], CONTACTS[150], "fine"]],
    }
)
#: Every function of the app's that writes a report, retry file or export, by module.
WRITERS: dict[Any, tuple[str, ...]] = {
    backend: (
        *("report_bytes", "retry_bytes", "export_report", "export_retry"),
        *("save_outputs", "save_files", "save_reports", "save_run_files"),
    ),
    portal: ("export_files", "write_pairs"),
}


class Spy:
    """Which writer ran, and whether on the kernel's (the main) thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def spied(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, threading.current_thread() is threading.main_thread()))
            return real(*args, **kwargs)

        return spied

    @property
    def on_kernel(self) -> list[str]:
        return [name for name, main in self.calls if main]


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    found = Spy()
    for module, names in WRITERS.items():
        for name in names:
            if hasattr(module, name):
                monkeypatch.setattr(module, name, found.wrap(name, getattr(module, name)))
    return found


@pytest.fixture
def small_links() -> Iterator[HubframeApp]:
    """An app whose every report and retry file is too large for a download link."""
    app = HubframeApp(max_download_bytes=10)
    yield app
    app.close()


def _set(attribute: str, value: object) -> Callable[[HubframeApp], None]:
    def change(app: HubframeApp) -> None:
        widget = app
        for part in attribute.split("."):
            widget = getattr(widget, part)
        widget.value = value  # type: ignore[attr-defined]

    return change


def _column(app: HubframeApp) -> None:
    app.columns["to_id"].value = "Notes"


def _upload(app: HubframeApp) -> None:
    upload(app, "next.csv", b"Deal ID,Contact ID\n1,2\n")


def _load_path(app: HubframeApp, tmp_path: Path) -> None:
    (tmp_path / "next.csv").write_bytes(b"Deal ID,Contact ID\n1,2\n")
    app.path.value = str(tmp_path / "next.csv")
    app.load_button.click()


def _connect(app: HubframeApp) -> None:
    app.connect_button.click()


#: Every input of the page (and the buttons that reload or reconnect), changed after a run.
CHANGES: dict[str, Callable[[HubframeApp], None]] = {
    "mode": _set("mode", "rehearse"),
    "token": _set("token", "pat-na1-11111111-2222-3333-4444-555555555555"),
    "base url": _set("base_url", "http://127.0.0.1:9"),
    "api version": _set("api_version", API_VERSIONS[-1]),
    "job limits": _set("job", "limits"),
    "job export": _set("job", "export"),
    "job sync": _set("job", "sync"),
    "sheet": _set("sheet", "Second"),
    "column": _column,
    "from type": _set("from_type", "companies"),
    "to type": _set("to_type", "companies"),
    "label": _set("label", "Champion"),
    "remove blank": _set("remove_blank", True),
    "check records": _set("check_records", True),
    "batch size": _set("batch_size", 10),
    "sync removals": _set("sync_options.removals", True),
    "sync max removals": _set("sync_options.max_removals", 5),
    "upload": _upload,
    "connect": _connect,
}


def _two_runs(app: HubframeApp) -> None:
    click(app, app.connect_button)
    upload(app, "pairs.xlsx", SHEET)
    for _ in range(2):
        click(app, app.run_button)
        assert app.result is not None and "failed" in set(app.result["status"])
    assert "Too large to download" in app.download_links.value


@pytest.mark.parametrize("change", sorted([*CHANGES, "load path"]))
def test_no_change_on_the_page_writes_a_file_on_the_kernels_thread(
    small_links: HubframeApp, spy: Spy, tmp_path: Path, change: str
) -> None:
    """The change, then another (the kept files offered again), then Save report: every
    file written on the worker, none by a callback; the runs' files kept and saved."""
    app = small_links
    _two_runs(app)
    made = len(spy.calls)
    assert made and not spy.on_kernel  # the runs' files, made for the page on the worker
    if change == "load path":
        _load_path(app, tmp_path)
    else:
        CHANGES[change](app)
    assert app.wait(60)
    app.check_records.value = not app.check_records.value  # a change with only kept runs
    assert app.wait(60)
    assert spy.on_kernel == [] and len(spy.calls) == made, spy.calls[made:]
    page = app.download_links.value
    assert "Too large to download" in page and "pairs_retry (run 2).xlsx" in page
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)
    assert spy.on_kernel == [] and len(spy.calls) > made
    assert {"pairs_report (run 1).xlsx", "pairs_report (run 2).xlsx"} <= {
        path.name for path in app.saved
    }


ROWS = 12_000


@pytest.fixture
def large_portal() -> Iterator[Sandbox]:
    sandbox = Sandbox(seed=None)
    sandbox.start()
    sandbox.add_records("deals", range(3_000_000_001, 3_000_000_501))
    sandbox.add_records("contacts", range(5_000_000_001, 5_000_000_001 + ROWS))
    yield sandbox
    sandbox.stop()


def test_a_change_after_a_large_run_takes_a_small_share_of_writing_its_report(
    large_portal: Sandbox, spy: Spy
) -> None:
    """A run of 12,000 rows whose report is too large for a link: a change, and another,
    each take less than a fifth of the time writing the report takes (the report was written
    again in each before)."""
    rows = "".join(f"{3_000_000_001 + i % 500},{5_000_000_001 + i}\n" for i in range(ROWS))
    app = HubframeApp(max_download_bytes=100_000)
    try:
        app.mode.value = "hubspot"
        app.token.value, app.base_url.value = large_portal.token, large_portal.url
        click(app, app.connect_button)
        upload(app, "large.csv", f"Deal ID,Contact ID\n{rows}".encode())
        app.run_button.click()
        assert app.wait(300) and app.result is not None
        assert "Too large to download" in app.download_links.value
        start = time.perf_counter()
        backend.report_bytes(app.result, None, "large_report.xlsx")  # the test's own
        writing = time.perf_counter() - start
        spy.calls.clear()
        for change in (_set("job", "limits"), _set("check_records", True)):
            start = time.perf_counter()
            change(app)
            took = time.perf_counter() - start
            assert took < writing / 5, (took, writing)
        assert spy.calls == []
        assert app.wait(60)
    finally:
        app.close()
