"""A change that reaches the kernel while a background step works, for every step that reads the
app's state: the step works on one snapshot of it and keeps what it made only when no change
came (tests/test_widgets_state.py holds Validate and Dry run clicked alone).  A change is played
as a browser's that raced the page's lock: a backend call is held on an Event while the main
thread sets a widget.  Driven headlessly against the built-in sandbox, over HTTP."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from app_driver import WAIT, click, page_changes, upload

from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import xlsx_bytes
from hubframe.widgets import HubframeApp, backend, portal
from hubframe.widgets.app import (
    CHANGED_BEFORE_SENDING,
    CHANGED_WHILE_CONNECTING,
    CHANGED_WHILE_RUNNING,
    CHANGED_WHILE_WORKING,
    NONE,
)

DEALS = 2040000001
CONTACTS = 1019360001


SHEET = xlsx_bytes(
    [["Deal ID", "Contact ID", "Notes"]]
    + [[DEALS + 71 + i, CONTACTS + 201 + i, str(CONTACTS + 210 + i)] for i in range(2)]
)


def _message(app: HubframeApp, step: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", app.messages[step].value))


def _writes(sandbox: Sandbox) -> int:
    """The writes sent (POSTs but the batch reads a run makes to record what was there)."""
    log = sandbox.request_log()
    if not len(log):
        return 0
    reads = log["path"].astype(str).str.endswith("/batch/read")
    return int(((log["method"].isin(["POST", "PUT", "DELETE"])) & ~reads).sum())


def _own_sandbox(app: HubframeApp) -> Sandbox:
    assert app.connection is not None and app.connection.sandbox is not None
    return app.connection.sandbox


def _always(*args: Any, **kwargs: Any) -> bool:
    return True


@contextmanager
def _held(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    *,
    when: Callable[..., bool] = _always,
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """``owner.name`` held on an Event the first time it is called with arguments ``when``
    accepts (later calls, the page's own among them, go through): (started, go).  Put back
    once the block ends."""
    real = getattr(owner, name)
    started, go = threading.Event(), threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        if not started.is_set() and when(*args, **kwargs):
            started.set()
            assert go.wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    try:
        yield started, go
    finally:
        go.set()
        monkeypatch.setattr(owner, name, real)


# --- Run, before its first request -----------------------------------------------------------


@pytest.mark.parametrize("change", ["label", "swap_types", "to_column"])
@pytest.mark.parametrize("again", [False, True], ids=["first run", "run again"])
def test_a_change_while_the_run_gets_ready_sends_nothing(
    app: HubframeApp, monkeypatch: pytest.MonkeyPatch, change: str, again: bool
) -> None:
    """Run clicked again, or a first run, held after its validation: a change then crashed
    the run with "Unexpected error (TypeError): object of type 'NoneType' has no len()", as
    the run read the frame the change had reset.  The run now works on one snapshot and
    sends nothing when a change came before its first request; the earlier run's report
    stays offered."""
    click(app, app.connect_button)
    sandbox = _own_sandbox(app)
    upload(app, "a.xlsx", SHEET)
    click(app, app.validate_button)
    if again:
        click(app, app.run_button)
    writes = _writes(sandbox)
    with _held(monkeypatch, backend, "rehearse") as (started, go):
        app.run_button.click()
        assert started.wait(WAIT)
        page_changes(app)[change]()
        go.set()
        assert app.wait(WAIT)
    assert _message(app, "run") == CHANGED_BEFORE_SENDING
    assert app.result is None and _writes(sandbox) == writes
    assert not app.busy and not app.run_button.disabled
    if again:  # the run shown before the change: its report, the only one that undoes it
        assert list(app._earlier) == ["a_report (run 1).xlsx"]
        assert "Report of the last run" in app.download_links.value


# --- sync --------------------------------------------------------------------------------------


def _sync_sheet(app: HubframeApp, tmp_path: Path) -> None:
    sheet = pd.DataFrame(
        {
            "from_type": ["deals"],
            "from_id": [str(DEALS)],
            "to_type": ["contacts"],
            "to_id": [str(CONTACTS)],
            "label": ["Decision maker"],
        }
    )
    app.job.value = "sync"
    upload(app, "links.xlsx", write_pairs(sheet, tmp_path / "links.xlsx").read_bytes())
    app.sync_options.removals.value = True
    app.sync_options.max_removals.value = 100


def _sending(*args: Any, **kwargs: Any) -> bool:
    return kwargs.get("dry_run") is False


def test_a_change_while_a_sync_sends_is_said_beside_its_result(
    app: HubframeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ "Remove what the sheet lacks" unticked while the sync sent its removals: the result was
    shown with no word beside the unticked box, where an associate run warns."""
    click(app, app.connect_button)
    _sync_sheet(app, tmp_path)
    click(app, app.run_button)  # the diff
    with _held(monkeypatch, portal, "run_sync", when=_sending) as (started, go):
        app.run_button.click()
        assert started.wait(WAIT)
        app.sync_options.removals.value = False
        go.set()
        assert app.wait(WAIT)
    assert app.result is not None and "remove" in set(app.result["change"])
    assert _message(app, "run") == CHANGED_WHILE_RUNNING


def test_a_change_while_a_sync_gets_ready_sends_nothing(
    app: HubframeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The sync run read the sheet's rows again after a change had reset them: it failed
    with Python's AssertionError, or sent the removals of a rule unticked meanwhile."""
    click(app, app.connect_button)
    sandbox = _own_sandbox(app)
    _sync_sheet(app, tmp_path)
    click(app, app.run_button)  # the diff
    before = sandbox.associations("deals", "contacts")
    with _held(monkeypatch, backend, "rehearse") as (started, go):
        app.run_button.click()
        assert started.wait(WAIT)
        app.sync_options.removals.value = False
        go.set()
        assert app.wait(WAIT)
    assert _message(app, "run") == CHANGED_BEFORE_SENDING and app.result is None
    pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), before)


# --- export ------------------------------------------------------------------------------------


def test_a_change_while_an_export_reads_sets_it_aside(
    app: HubframeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The to type switched to companies while the export read deals -> contacts: the page
    offered the contacts links as deals_companies_links.xlsx, beside to = companies, with no
    word.  The export is set aside; clicked again, it reads what the page shows."""
    click(app, app.connect_button)
    app.job.value = "export"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    with _held(monkeypatch, portal, "export") as (started, go):
        app.run_button.click()
        assert started.wait(WAIT)
        app.to_type.value = "companies"
        go.set()
        assert app.wait(WAIT)
    assert _message(app, "run") == CHANGED_WHILE_WORKING
    assert app.result is None and app.downloads == {} and app.save_button.disabled
    click(app, app.run_button)
    assert app.result is not None and set(app.result["to_type"]) == {"companies"}
    assert set(app.downloads) == {"deals_companies_links.xlsx", "deals_companies_links.csv"}


# --- connect, labels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value"), [("base_url", "http://127.0.0.1:9"), ("mode", "sandbox")]
)
def test_a_setting_changed_while_connecting_leaves_no_connection(
    app: HubframeApp, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, setting: str, value: str
) -> None:
    """The base URL (or the mode) changed while Connect worked: the connection made with the
    old settings was kept and said "Connected to ...", and Run sent to a portal the page no
    longer named.  It is closed unused, and the page asks to connect again."""
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = sandbox.token, sandbox.url
    with _held(monkeypatch, backend, "connect") as (started, go):
        app.connect_button.click()
        assert started.wait(WAIT)
        getattr(app, setting).value = value
        go.set()
        assert app.wait(WAIT)
    assert app.connection is None and "Connected" not in app.connect_status.value
    assert _message(app, "connect") == CHANGED_WHILE_CONNECTING
    upload(app, "a.xlsx", SHEET)
    click(app, app.run_button)
    assert app.result is None and "1 · Connect" in _message(app, "run")
    assert not len(sandbox.request_log()) or _writes(sandbox) == 0


def test_labels_listed_for_a_connection_gone_meanwhile_are_not_offered(
    app: HubframeApp, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The labels of deals -> companies were being listed when the mode changed (the
    connection went): the list came back after, and the picker offered that portal's labels
    while the page said "Not connected"."""
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = sandbox.token, sandbox.url
    click(app, app.connect_button)
    upload(app, "a.xlsx", SHEET)
    with _held(monkeypatch, backend, "label_names") as (started, go):
        app.to_type.value = "companies"
        assert started.wait(WAIT)
        app.mode.value = "sandbox"
        go.set()
        assert app.wait(WAIT)
    assert app.connection is None and "Click Connect" in app.connect_status.value
    assert [value for _, value in app.label.options] == [NONE]
    assert app.labels_status.value == ""
