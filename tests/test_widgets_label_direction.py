"""The label picked at the mapping step is never carried to other object types.

The analyst picked "Manager" from the list HubSpot gives for deals -> contacts, then set the
type pickers to contacts -> deals to match the sheet.  The pick was kept when the new direction
had a label of that name, and dropped without a word when not: with an inverse named otherwise
("Manager" / "Managed by") the run linked every pair unlabeled; with names that cross
("Manager" with inverse "Managed deal", and "Managed deal" with inverse "Manager") it set the
other label's association, both `success` (helper-220).  A label of one name is another
association in the other direction, and HubSpot never says which is which one's inverse.  Now
the pick is not kept for other types: the page says so at the label picker, the read (and so
validate, dry run and run) is refused at the mapping step until a label is picked again, and
the types set back to the ones it was picked for pick it again.  Review (helper-228): the check
ran only once the new direction's labels were read, so with that read failing (the day's limit
seen earlier, HubSpot out of reach) the label went in the other direction, `success`; it now
runs as the types change and again at the read.  The picker shows a first option asking for a
label again, so "(from the sheet, or unlabeled)" can be picked (it was the value already, and
picking it changed nothing: the refusal stayed); and a label list that cannot be read no longer
drops the sheet just uploaded.
"""

from __future__ import annotations

import re

import pytest
from app_driver import click, upload

from hubframe.widgets import HubframeApp
from hubframe.widgets.app import _PICK_AGAIN, NONE

PAIRS = {
    "renamed": [("Manager", "Managed by")],
    "crossed": [("Manager", "Managed deal"), ("Managed deal", "Manager")],
    "same-name": [("Manager", "Manager")],
}
FLIPS = {
    "reversed": ("contacts", "deals"),
    "another-pair": ("deals", "companies"),
    "one-side": ("contacts", "contacts"),
}


def _text(html: str) -> str:
    return re.sub("<[^>]+>", "", html).replace("&#x27;", "'")


def _app(labels: list[tuple[str, str]]) -> tuple[HubframeApp, int]:
    app = HubframeApp()
    click(app, app.connect_button)
    sb = app.connection.sandbox  # type: ignore[union-attr]
    sb.add_records("deals", [101])
    sb.add_records("contacts", [201])
    ids = [sb.add_label("deals", "contacts", a, b) for a, b in labels]
    upload(app, "links.csv", b"Deal ID,Contact ID\n101,201\n")
    app._refresh_labels()
    assert (app.from_type.value, app.to_type.value) == ("deals", "contacts")
    app.label.value = "Manager"  # picked from the deals -> contacts list
    return app, ids[0]


def _set_types(app: HubframeApp, from_type: str, to_type: str) -> None:
    with app._state_lock:  # as the analyst sets both pickers
        app.from_type.value, app.to_type.value = from_type, to_type
    app.wait(60)


def _linked(app: HubframeApp) -> set[int]:
    sb = app.connection.sandbox  # type: ignore[union-attr]
    found = sb.associations("deals", "contacts")
    return {int(t) for t in found.loc[found["from_id"] == "101", "type_id"]}


@pytest.mark.parametrize("labels", list(PAIRS))
@pytest.mark.parametrize("flip", list(FLIPS))
def test_a_label_picked_for_other_types_is_refused_until_picked_again(
    labels: str, flip: str
) -> None:
    app, _ = _app(PAIRS[labels])
    try:
        _set_types(app, *FLIPS[flip])
        assert app.label.value == _PICK_AGAIN  # asks for a label again
        said = _text(app.labels_status.value)
        assert "'Manager' was picked for deals → contacts" in said, said
        click(app, app.run_button)
        assert "Pick the label again" in _text(app.messages["mapping"].value)
        assert _linked(app) == set()  # nothing sent
    finally:
        app.close()


@pytest.mark.parametrize("labels", list(PAIRS))
def test_the_types_set_back_pick_the_label_again_and_it_is_sent(labels: str) -> None:
    app, wanted = _app(PAIRS[labels])
    try:
        _set_types(app, "contacts", "deals")
        _set_types(app, "deals", "contacts")
        assert app.label.value == "Manager"
        assert "picked for" not in _text(app.labels_status.value)
        click(app, app.run_button)
        assert wanted in _linked(app)
    finally:
        app.close()


def test_a_label_picked_again_for_the_new_types_is_sent_as_picked() -> None:
    """Picked again in the new direction (the sheet's contacts -> deals), it is that one."""
    app, _ = _app(PAIRS["crossed"])
    sb = app.connection.sandbox  # type: ignore[union-attr]
    try:
        upload(app, "links.csv", b"Contact ID,Deal ID\n201,101\n")
        _set_types(app, "deals", "contacts")
        app.label.value = "Manager"
        _set_types(app, "contacts", "deals")
        app.label.value = "Manager"  # the contacts -> deals label of that name, picked
        click(app, app.run_button)
        back = sb.associations("contacts", "deals")
        types = {int(t) for t in back.loc[back["from_id"] == "201", "type_id"]}
        assert sb.type_id("contacts", "deals", "Manager") in types
    finally:
        app.close()


def test_a_new_sheet_forgets_the_pick() -> None:
    app, _ = _app(PAIRS["renamed"])
    try:
        _set_types(app, "contacts", "deals")
        upload(app, "other.csv", b"Deal ID,Contact ID\n101,201\n")
        app.wait(60)
        click(app, app.run_button)
        assert "Pick the label again" not in _text(app.messages["mapping"].value)
    finally:
        app.close()


def test_the_check_holds_when_the_new_direction_s_labels_cannot_be_read() -> None:
    app, _ = _app(PAIRS["renamed"])
    sb = app.connection.sandbox  # type: ignore[union-attr]
    try:
        sb.set_daily_limit(0)  # the contacts -> deals labels cannot be read
        _set_types(app, "contacts", "deals")
        assert "could not be read" in _text(app.labels_status.value)
        sb.set_daily_limit(None)
        click(app, app.run_button)
        assert "Pick the label again" in _text(app.messages["mapping"].value)
        back = sb.associations("contacts", "deals")
        assert back.loc[back["from_id"] == "201"].empty  # nothing sent
    finally:
        app.close()


def test_picking_no_label_clears_the_refusal_and_runs_unlabeled() -> None:
    app, _ = _app(PAIRS["crossed"])
    sb = app.connection.sandbox  # type: ignore[union-attr]
    try:
        upload(app, "links.csv", b"Contact ID,Deal ID\n201,101\n")
        _set_types(app, "deals", "contacts")
        app.label.value = "Manager"
        _set_types(app, "contacts", "deals")
        assert app.label.value == _PICK_AGAIN
        app.label.value = NONE  # "(from the sheet, or unlabeled)"
        click(app, app.run_button)
        assert "Pick the label again" not in _text(app.messages["mapping"].value)
        back = sb.associations("contacts", "deals")
        types = {int(t) for t in back.loc[back["from_id"] == "201", "type_id"]}
        assert types == {sb.type_id("contacts", "deals", None)}  # linked, no label
    finally:
        app.close()


def test_a_sheet_is_kept_when_its_labels_cannot_be_read() -> None:
    app, _ = _app(PAIRS["renamed"])
    sb = app.connection.sandbox  # type: ignore[union-attr]
    try:
        sb.set_daily_limit(0)  # the day's limit: the contacts -> companies labels unread
        upload(app, "companies.csv", b"Contact ID,Company ID\n201,301\n")
        assert app.source is not None
        assert "could not be read" in _text(app.labels_status.value)
    finally:
        app.close()
