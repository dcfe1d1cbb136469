"""Driving the notebook app headlessly, as the tests of its steps do: an upload as the browser
sends it, and a click that waits for the app's background work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import ipywidgets

from hubframe.widgets import HubframeApp

WAIT = 60.0  # seconds the app's background work may take in a test


def upload(app: HubframeApp, name: str, data: bytes) -> None:
    """``data`` uploaded as the file ``name``, and the app's read of it done."""
    item = {"name": name, "type": "", "size": len(data), "content": memoryview(data)}
    app.upload.value = ({**item, "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)
    assert app.wait(WAIT)


def click(app: HubframeApp, button: ipywidgets.Button) -> None:
    """``button`` clicked, and what it started done."""
    button.click()
    assert app.wait(WAIT), "the app's background work did not finish in time"


def page_changes(app: HubframeApp) -> dict[str, Callable[[], None]]:
    """Inputs changed from the page (the main thread) while the worker is busy."""

    def label() -> None:
        app.label.value = "Champion"

    def swap_types() -> None:
        # One change of the page, not two: the worker sees both types or neither.  Unlocked,
        # a step set aside by the first said so, and the second (a change of its own, after
        # the step ended) cleared what it said, as any change clears the steps' messages.
        with app._state_lock:
            app.from_type.value, app.to_type.value = "contacts", "deals"

    def to_column() -> None:
        app.columns["to_id"].value = "Notes"

    return {"label": label, "swap_types": swap_types, "to_column": to_column}
