"""Sheets read together in the app run each in the direction of its own columns, as the command
line reads them.

A workbook of two sheets, ``One`` = Deal ID | Contact ID and ``Two`` = Contact ID | Deal ID, each
row labelled "Manager", with labels whose names cross (deals -> contacts "Manager" has the
inverse "Managed deal", and "Managed deal" has the inverse "Manager").  ``read_pairs`` (and so
``hubframe associate``) reads sheet Two as contacts -> deals, so its row sets the deal -> contact
label "Managed deal".  The app took the types the first sheet's headers tell (deals, contacts)
into its type pickers and gave them to the read of every sheet, which then read sheet Two by
name as deals -> contacts: its row got "Manager", the other association, with "No problems
found" at Validate.  So it did on the retry workbook a first run wrote (its default choice, "The
retry's sheets", which the docs say reads the file as the command line does) and on "All
visible sheets".  Now the guess pre-fills a type only when every sheet's own read took it, and
when the sheets run apart the pickers stay empty and a note beside them names each sheet's
direction: the read is the command line's.  The Python API's run of the same bytes, against a
sandbox set up alike, is the oracle: the same associations, labels and report rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from app_driver import WAIT, click, upload

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import workbook_bytes
from hubframe.widgets import HubframeApp
from hubframe.widgets.app import ALL_SHEETS, RETRY_SHEETS

DEALS, CONTACTS = (2040000030, 2040000031), (1019360150, 1019360151)
LABELS = ("Manager", "Managed deal")
ONE = [["Deal ID", "Contact ID", "Association label"], [DEALS[0], CONTACTS[0], "Manager"]]
TWO = [["Contact ID", "Deal ID", "Association label"], [CONTACTS[1], DEALS[1], "Manager"]]
#: the report's columns compared, row by row
KEY = ["sheet", "row", "from_type", "from_id", "to_type", "to_id", "label", "status"]

Link = tuple[str, str, str]  # (deal, contact, the deals -> contacts label; "": unlabeled)


def _crossed(sb: Sandbox) -> None:
    sb.add_label("deals", "contacts", "Manager", "Managed deal")
    sb.add_label("deals", "contacts", "Managed deal", "Manager")


def _links(sb: Sandbox) -> set[Link]:
    names = {sb.type_id("deals", "contacts", n): n for n in LABELS}
    found = sb.associations("deals", "contacts")
    return {(r.from_id, r.to_id, names.get(int(r.type_id), "")) for r in found.itertuples()}


@contextmanager
def _portal() -> Iterator[tuple[Sandbox, set[Link]]]:
    """A demo sandbox with the crossed labels, and the links it holds before the run."""
    with Sandbox(seed="demo") as sb:
        _crossed(sb)
        yield sb, _links(sb)


def _retry_workbook(tmp_path: Path) -> Path:
    """The first run (before the labels exist): both rows UNKNOWN_LABEL, a marked retry
    workbook of both sheets."""
    source = tmp_path / "links.xlsx"
    source.write_bytes(workbook_bytes({"One": ONE, "Two": TWO}))
    with Sandbox(seed="demo") as sb:
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        result = hf.associate(hf.read_pairs(source, sheet="*"), client)
    assert set(result["status"]) == {"invalid"}, result[["status", "error_code"]]
    retry = tmp_path / "links_retry.xlsx"
    hf.export_retry(result, retry)
    return retry


def _api(path: Path, **read: str) -> tuple[set[Link], pd.DataFrame]:
    """The Python API's (the command line's) run of ``path``: the links made, the report."""
    with _portal() as (sb, before):
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        result = hf.associate(hf.read_pairs(path, **read), client)  # type: ignore[arg-type]
        return _links(sb) - before, result


def _text(html: str) -> str:
    return re.sub("<[^>]+>", "", html).replace("&#x27;", "'")


@contextmanager
def _connected() -> Iterator[tuple[HubframeApp, Sandbox, set[Link]]]:
    with _portal() as (sb, before):
        app = HubframeApp(sandbox=False)
        try:
            app.token.value, app.base_url.value = sb.token, sb.url
            click(app, app.connect_button)
            assert app.connection is not None, _text(app.messages["connect"].value)
            yield app, sb, before
        finally:
            app.close()


def _run(app: HubframeApp) -> pd.DataFrame:
    click(app, app.validate_button)
    assert app.issues is not None, _text(app.messages["validate"].value)
    click(app, app.run_button)
    assert app.result is not None, _text(app.messages["run"].value)
    return app.result


def _rows(result: pd.DataFrame) -> list[tuple[object, ...]]:
    frame = result[KEY].astype(str).sort_values(["sheet", "row"])
    return [tuple(r) for r in frame.itertuples(index=False)]


def _type_notes(app: HubframeApp) -> str:
    return " ".join(_text(n.value) for n in app.type_notes.values())


def test_the_retrys_sheets_are_sent_as_the_command_line_sends_them(tmp_path: Path) -> None:
    retry = _retry_workbook(tmp_path)
    api_links, api_result = _api(retry)
    # the oracle: sheet Two's row runs contacts -> deals, so its "Manager" is "Managed deal"
    assert {link for link in api_links if link[2]} == {
        (str(DEALS[0]), str(CONTACTS[0]), "Manager"),
        (str(DEALS[1]), str(CONTACTS[1]), "Managed deal"),
    }
    with _connected() as (app, sb, before):
        upload(app, retry.name, retry.read_bytes())
        assert app.sheet.label == RETRY_SHEETS
        notes = _type_notes(app)
        result = _run(app)
        assert _links(sb) - before == api_links
        assert _rows(result) == _rows(api_result)
        assert set(result["status"]) == {"success"}
        # no type taken from sheet One's headers is given to sheet Two's read, and the page
        # says each sheet's direction
        assert (app.from_type.value, app.to_type.value) == ("", "")
        assert "sheet 'One': deals → contacts" in notes, notes
        assert "sheet 'Two': contacts → deals" in notes, notes


def test_every_visible_sheet_is_read_in_its_own_direction(tmp_path: Path) -> None:
    """ "All visible sheets" of a workbook whose sheets order their columns apart: as
    ``--sheet '*'`` reads it, not every sheet in the first sheet's direction."""
    path = tmp_path / "links.xlsx"
    path.write_bytes(workbook_bytes({"One": ONE, "Two": TWO}))
    api_links, api_result = _api(path, sheet="*")
    assert (str(DEALS[1]), str(CONTACTS[1]), "Managed deal") in api_links
    with _connected() as (app, sb, before):
        upload(app, path.name, path.read_bytes())
        app.sheet.value = ALL_SHEETS
        assert app.wait(WAIT)
        notes = _type_notes(app)
        result = _run(app)
        assert _links(sb) - before == api_links
        assert _rows(result) == _rows(api_result)
        assert (app.from_type.value, app.to_type.value) == ("", "")
        assert "sheet 'Two': contacts → deals" in notes, notes


def test_a_type_picked_reads_every_sheet_by_name_as_the_flags_do(tmp_path: Path) -> None:
    """The analyst's pick is the command line's --from-type/--to-type: every sheet's columns
    read by name in that one direction (said in the note before the pick)."""
    path = tmp_path / "links.xlsx"
    path.write_bytes(workbook_bytes({"One": ONE, "Two": TWO}))
    api_links, api_result = _api(path, sheet="*", from_type="deals", to_type="contacts")
    assert {label for _, _, label in api_links} == {"Manager", ""}
    with _connected() as (app, sb, before):
        upload(app, path.name, path.read_bytes())
        app.sheet.value = ALL_SHEETS
        assert app.wait(WAIT)
        assert "by name in that one direction" in _type_notes(app)
        with app._state_lock:  # as the analyst sets both pickers
            app.from_type.value, app.to_type.value = "deals", "contacts"
        assert app.wait(WAIT)
        result = _run(app)
        assert _links(sb) - before == api_links
    assert _rows(result) == _rows(api_result)


@pytest.mark.parametrize("sheet", ["named", "every"])
def test_sheets_that_run_one_way_still_prefill_the_types(tmp_path: Path, sheet: str) -> None:
    """Sheets in one direction (or one sheet): the types their reads took are pre-filled."""
    two = [["Deal ID", "Contact ID"], [DEALS[1], CONTACTS[1]]]
    path = tmp_path / "links.xlsx"
    path.write_bytes(workbook_bytes({"One": ONE, "Two": two}))
    with _connected() as (app, _, _before):
        upload(app, path.name, path.read_bytes())
        app.sheet.value = "Two" if sheet == "named" else ALL_SHEETS
        assert app.wait(WAIT)
        assert (app.from_type.value, app.to_type.value) == ("deals", "contacts")
        assert "different directions" not in _type_notes(app)
