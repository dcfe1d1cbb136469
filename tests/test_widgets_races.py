"""Every input a step reads, changed from the page while Validate, Dry run or Run works (a
browser message that raced the page's lock): the step never keeps, plans or sends anything
but what the page shows, and never hides what it did without a word.  The sheet picker and
the job, whose change makes the app read the sheet's columns again, are inputs as the label,
the types and the column dropdowns are.  A backend call is held on an Event while the main
thread sets a widget (or, for "now", Run is clicked and the widget set at once).  Driven
headlessly against the built-in sandbox, over HTTP."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import pandas as pd
import pytest
from app_driver import WAIT, click, page_changes, upload

from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids, workbook_bytes
from hubframe.widgets import HubframeApp, backend
from hubframe.widgets.app import (
    CHANGED_BEFORE_SENDING,
    CHANGED_WHILE_RUNNING,
    CHANGED_WHILE_WORKING,
)

DEALS = [str(i) for i in demo_ids("deals")[70:74]]
CONTACTS = [str(i) for i in demo_ids("contacts")[200:204]]
COMPANIES = [str(i) for i in demo_ids("companies")[40:44]]
SENT = ["from_type", "from_id", "to_type", "to_id", "label"]


def _workbook() -> bytes:
    """Sheets A and B of deals -> contacts, C of deals -> companies: each names other records."""
    return workbook_bytes(
        {
            "A": [["Deal ID", "Contact ID", "Notes"], [DEALS[0], CONTACTS[0], CONTACTS[3]]],
            "B": [["Deal ID", "Contact ID", "Notes"], [DEALS[1], CONTACTS[1], CONTACTS[3]]],
            "C": [["Deal ID", "Company ID", "Notes"], [DEALS[2], COMPANIES[2], CONTACTS[3]]],
        }
    )


def _changes(app: HubframeApp) -> dict[str, Callable[[], None]]:
    def sheet(name: str) -> Callable[[], None]:
        def pick() -> None:
            app.sheet.value = name

        return pick

    def job() -> None:
        app.job.value = "limits"

    def check_records() -> None:
        app.check_records.value = not app.check_records.value

    return {
        **page_changes(app),
        "sheet": sheet("B"),
        "sheet_of_companies": sheet("C"),
        "job": job,
        "check_records": check_records,
    }


def _message(app: HubframeApp, step: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", app.messages[step].value))


Pair = frozenset[tuple[str, str]]


def _pairs(frame: pd.DataFrame, from_type: pd.Series, to_type: pd.Series) -> set[Pair]:
    """The pairs of ``frame``'s rows, each as its two records (whichever is "from")."""
    ends = zip(from_type, frame["from_id"], to_type, frame["to_id"], strict=True)
    return {frozenset({(str(a), str(b)), (str(c), str(d))}) for a, b, c, d in ends}


def _portal(app: HubframeApp) -> set[Pair]:
    """The pairs of deals and contacts, and of deals and companies, the portal holds."""
    assert app.connection is not None and app.connection.sandbox is not None
    sandbox: Sandbox = app.connection.sandbox
    pairs: set[Pair] = set()
    for to_type in ("contacts", "companies"):
        links = sandbox.associations("deals", to_type)
        pairs |= _pairs(links, pd.Series("deals", links.index), pd.Series(to_type, links.index))
    return pairs


def _always(*args: Any, **kwargs: Any) -> bool:
    return True


@contextmanager
def _held(
    monkeypatch: pytest.MonkeyPatch, name: str, when: Callable[..., bool] = _always
) -> Iterator[threading.Event]:
    """``backend.name`` held the first time ``when`` accepts its arguments, till the block
    ends: the Event tells it was reached."""
    real = getattr(backend, name)
    started, go = threading.Event(), threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        if not started.is_set() and when(*args, **kwargs):
            started.set()
            assert go.wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(backend, name, held)
    try:
        yield started
    finally:
        go.set()


def _dry(*args: Any, **kwargs: Any) -> bool:
    return kwargs.get("dry_run") is True


def _sending(*args: Any, **kwargs: Any) -> bool:
    return kwargs.get("dry_run") is False


#: (step clicked, validated first, the backend call held while the page changes; None: the
#: change comes right after the click, wherever the worker is).
POINTS: dict[str, tuple[str, bool, str | None, Callable[..., bool]]] = {
    "validate reads": ("validate", False, "read", _always),
    "validate checks": ("validate", False, "validate", _always),
    "dry run plans": ("dry-run", True, "execute", _dry),
    "run validates": ("run", False, "read", _always),
    "run gets ready": ("run", False, "rehearse", _always),
    "run sends": ("run", False, "execute", _sending),
    "run now": ("run", False, None, _always),
    "validated run now": ("run", True, None, _always),
    "validated run sends": ("run", True, "execute", _sending),
}
CHANGES = [
    *("sheet", "sheet_of_companies", "job", "label", "swap_types", "to_column"),
    "check_records",
]


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("point", list(POINTS))
def test_an_input_changed_while_a_step_works_never_sends_or_hides_unsaid(
    app: HubframeApp, monkeypatch: pytest.MonkeyPatch, point: str, change: str
) -> None:
    """The sheet picked while Run started: the run sent the newly picked sheet (or, after
    Validate, the old one while the picker showed the new), then the sheet's columns read
    again hid its result, and 7 · Run said nothing.  Now every input is the step's snapshot:
    a change sets the step aside and says so at the step, or (once sending) shows what was
    sent with a warning; Run clicked again sends what the page shows."""
    step, validated, name, when = POINTS[point]
    click(app, app.connect_button)
    upload(app, "two.xlsx", _workbook())
    app.sheet.value = "A"
    assert app.wait(WAIT)
    if validated:
        click(app, app.validate_button)
    before = _portal(app)
    button = {"validate": app.validate_button, "dry-run": app.dry_run_button}.get(
        step, app.run_button
    )
    holding = _held(monkeypatch, name, when) if name else nullcontext(None)
    with holding as started:
        button.click()
        assert started is None or started.wait(WAIT)
        _changes(app)[change]()
    assert app.wait(WAIT)
    sent = _portal(app) - before
    said = _message(app, step)
    if sent:  # shown: sent before the change reached it (and said), or after (as shown)
        assert app.result is not None, said
        shown = app.result[app.result["status"] == "success"]
        assert _pairs(shown, shown["from_type"], shown["to_type"]) == sent
        if said != CHANGED_WHILE_RUNNING:
            assert said == "" and app.job.value == "associate"
            _assert_sent_as_shown(app, app._read())
    elif step == "run":  # set aside, and said so at Run (or at Validate, pointed to)
        assert app.result is None
        assert said in {CHANGED_BEFORE_SENDING, "Not done: see 5 · Validate above."}, said
        if said != CHANGED_BEFORE_SENDING:
            assert _message(app, "validate") == CHANGED_WHILE_WORKING
    else:
        assert said == CHANGED_WHILE_WORKING and app.frame is None and app.plan is None
    if app.job.value != "associate":
        return
    expected = app._read()
    click(app, app.run_button)
    _assert_sent_as_shown(app, expected)


def _assert_sent_as_shown(app: HubframeApp, expected: pd.DataFrame) -> None:
    """The run shown sent the rows a read of the page as it is gives."""
    assert app.result is not None, _message(app, "run")
    pd.testing.assert_frame_equal(
        app.result[SENT].reset_index(drop=True).astype(object),
        expected[SENT].reset_index(drop=True).astype(object),
    )
