"""The app's object type pickers offer the connected portal's custom objects (the demo portal's
installations, 2-7350001), and every job that takes object types runs with one: associate,
limits, export and sync, headlessly against the sandbox over HTTP.  A custom object's other
spellings (p_installations, p24681357_installations) set from code pick it; before a portal is
known, the mapping message does not tell the analyst to type into a picker."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from app_driver import click, upload
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from traitlets import TraitError

from hubframe.constants import OBJECT_TYPES
from hubframe.hubspot.client import HubSpotClient
from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.widgets import HubframeApp, backend
from hubframe.widgets.portal import REVIEW

CUSTOM = "2-7350001"
SPELLINGS = ["2-7350001", "p_installations", "p24681357_installations", " P_Installations "]
INSTALLATIONS = [str(4710000001 + i) for i in range(30)]
DEALS = [str(2040000001 + i) for i in range(80)]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&quot;", '"').replace("&#x27;", "'")


def _offered(app: HubframeApp) -> dict[str, list[str]]:
    return {
        side: [str(v) for _, v in picker.options if str(v).startswith("2-")]
        for side, picker in (("from", app.from_type), ("to", app.to_type))
    }


def _sandbox(app: HubframeApp) -> Sandbox:
    assert app.connection is not None and app.connection.sandbox is not None
    return app.connection.sandbox


def _linked(app: HubframeApp, from_type: str, to_type: str) -> set[tuple[str, str]]:
    found = _sandbox(app).associations(from_type, to_type)
    return set(zip(found["from_id"].astype(str), found["to_id"].astype(str), strict=True))


@pytest.mark.parametrize("api_version", ["2026-03", "2026-09", "v4"])
def test_the_pickers_offer_the_portals_custom_objects_once_connected(api_version: str) -> None:
    app = HubframeApp(api_version=api_version)
    try:
        assert _offered(app) == {"from": [], "to": []}  # no portal known yet
        click(app, app.connect_button)
        assert _offered(app) == {"from": [CUSTOM], "to": [CUSTOM]}
        labels = {str(v): lbl for lbl, v in app.from_type.options}
        assert labels[CUSTOM] == "installations (2-7350001)"
        assert not app.messages["connect"].value  # the list was read: nothing to say
    finally:
        app.close()


@pytest.mark.parametrize("spelling", SPELLINGS, ids=["type-id", "p-name", "qualified", "cased"])
def test_a_custom_objects_spellings_pick_it(app: HubframeApp, spelling: str) -> None:
    with pytest.raises(TraitError, match="Connect"):  # no portal known: not offered
        app.from_type.value = spelling
    click(app, app.connect_button)
    app.from_type.value = spelling
    assert app.from_type.value == CUSTOM


@pytest.mark.parametrize("spelling", ["2-7350002", "p_cars", "p99_installations", "nonsense"])
def test_an_object_the_portal_does_not_list_is_refused_naming_what_is(
    app: HubframeApp, spelling: str
) -> None:
    click(app, app.connect_button)
    with pytest.raises(TraitError, match=r"installations \(2-7350001\)"):
        app.to_type.value = spelling
    assert app.to_type.value == ""


@settings(max_examples=examples(40), deadline=None)
@given(
    kind=st.sampled_from(OBJECT_TYPES),
    which=st.sampled_from(["name", "singular", "type_id"]),
    upper=st.booleans(),
)
def test_every_standard_spelling_picks_its_object(kind: object, which: str, upper: bool) -> None:
    from hubframe.widgets.types import TypePicker

    picker = TypePicker()
    spelling = str(getattr(kind, which))
    picker.value = spelling.upper() if upper else spelling
    assert picker.value == kind.name  # type: ignore[attr-defined]
    picker.close()


def test_the_mapping_message_asks_only_what_the_page_can_do(app: HubframeApp) -> None:
    upload(app, "inst.csv", b"Installation ID,Deal ID\n4710000009,2040000009\n")
    said = _text(app.messages["mapping"].value)
    assert '"Installation ID"' in said and "custom object" in said
    assert "p_..." not in said and "2-..." not in said  # nothing to type into a picker
    assert '"To object type"' in said and "Connect at step 1" in said
    click(app, app.connect_button)  # what it says can now be done
    assert CUSTOM in _offered(app)["to"]


def test_associate_with_a_custom_object_end_to_end(app: HubframeApp) -> None:
    click(app, app.connect_button)
    pairs = [(INSTALLATIONS[9], DEALS[9]), (INSTALLATIONS[10], DEALS[11])]
    sheet = "Installation ID,Deal ID\n" + "".join(f"{i},{d}\n" for i, d in pairs)
    upload(app, "inst.csv", sheet.encode())
    app.columns["from_id"].value, app.columns["to_id"].value = "Installation ID", "Deal ID"
    app.from_type.value, app.to_type.value = "p_installations", "deals"
    assert app.from_type.value == CUSTOM
    click(app, app.validate_button)
    assert not app.messages["validate"].value and not app.messages["mapping"].value
    click(app, app.dry_run_button)
    click(app, app.run_button)
    assert app.result is not None, _text(app.messages["run"].value)
    assert set(app.result["status"]) == {"success"}
    assert set(pairs) <= _linked(app, CUSTOM, "deals")


def test_limits_of_a_custom_object_end_to_end(app: HubframeApp, tmp_path: Path) -> None:
    click(app, app.connect_button)
    app.job.value = "limits"
    sheet = tmp_path / "limits.csv"
    sheet.write_text("Label,Max associations\n,2\n", encoding="utf-8")
    app.path.value = str(sheet)
    click(app, app.load_button)
    app.from_type.value, app.to_type.value = CUSTOM, "deals"
    click(app, app.validate_button)
    click(app, app.run_button)
    assert app.result is not None, _text(app.messages["run"].value + app.messages["mapping"].value)
    assert set(app.result["status"]) == {"success"}
    held = _sandbox(app).limits(CUSTOM, "deals")
    assert held["max_to_object_ids"].tolist() == [2]


@pytest.mark.parametrize("direction", ["from-custom", "to-custom"])
def test_export_links_of_a_custom_object(app: HubframeApp, direction: str) -> None:
    click(app, app.connect_button)
    app.job.value = "export"
    types = (CUSTOM, "deals") if direction == "from-custom" else ("deals", CUSTOM)
    app.from_type.value, app.to_type.value = types
    click(app, app.run_button)
    assert app.result is not None, _text(app.messages["run"].value)
    demo = {(DEALS[i], INSTALLATIONS[i]) for i in range(3)}  # the demo portal's links
    found = set(zip(app.result["from_id"], app.result["to_id"], strict=True))
    assert found == (demo if direction == "to-custom" else {(i, d) for d, i in demo})
    assert sorted(app.downloads) == [f"{types[0]}_{types[1]}_links.{x}" for x in ("csv", "xlsx")]


def test_sync_of_a_custom_object(app: HubframeApp, tmp_path: Path) -> None:
    click(app, app.connect_button)
    app.job.value = "sync"
    ids = {"Installation ID": INSTALLATIONS[:2], "Deal ID": [DEALS[0], DEALS[5]]}
    sheet = pd.DataFrame(ids)  # installation 2's link to deal 2 is not in it
    upload(app, "inst.xlsx", write_pairs(sheet, tmp_path / "inst.xlsx").read_bytes())
    app.columns["from_id"].value, app.columns["to_id"].value = "Installation ID", "Deal ID"
    app.from_type.value, app.to_type.value = "p24681357_installations", "deals"
    app.sync_options.removals.value = True
    click(app, app.run_button)  # the diff first
    assert REVIEW in _text(app.message.value), _text(app.messages["mapping"].value)
    click(app, app.run_button)
    assert app.result is not None
    linked = _linked(app, CUSTOM, "deals")
    assert {(INSTALLATIONS[0], DEALS[0]), (INSTALLATIONS[1], DEALS[5])} <= linked
    assert (INSTALLATIONS[1], DEALS[1]) not in linked  # removed: in scope, not in the sheet
    assert (INSTALLATIONS[2], DEALS[2]) in linked  # out of scope: kept


def test_a_token_without_the_schemas_scope_connects_and_says_why_none_are_listed(
    app: HubframeApp,
) -> None:
    with Sandbox(seed="demo") as sb:
        scopes = [f"crm.objects.{o}.{a}" for o in ("deals", "contacts") for a in ("read", "write")]
        app.mode.value = "hubspot"
        app.token.value, app.base_url.value = sb.create_token(scopes), sb.url
        click(app, app.connect_button)
        assert app.connection is not None
        assert _offered(app) == {"from": [], "to": []}
        said = _text(app.messages["connect"].value)
        assert "crm.schemas.custom.read" in said and "standard objects only" in said


# --- the schemas list answered oddly: what Connect says ------------------------------------

FAKE_TOKEN = "pat-na1-00000000-0000-0000-0000-000000000000"
ODD_ANSWERS: dict[str, tuple[int, object]] = {
    "a server error": (500, {"status": "error", "message": "boom", "category": "INTERNAL_ERROR"}),
    "an answer that is not the list": (200, {"results": "nothing"}),
    "an entry that is not a schema": (200, {"results": [{"objectTypeId": "0-1"}]}),
}


@contextmanager
def _answering(code: int, body: object) -> Iterator[str]:
    """A server on 127.0.0.1 answering every GET with ``code`` and ``body`` (JSON)."""
    data = json.dumps(body).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("case", list(ODD_ANSWERS))
def test_a_list_that_fails_otherwise_does_not_send_the_analyst_to_the_scopes(case: str) -> None:
    """Only HubSpot's 403 MISSING_SCOPES names the scope: a 500 or an odd answer said "give
    the private app the crm.schemas.custom.read scope" to a token that had it."""
    with _answering(*ODD_ANSWERS[case]) as url:
        client = HubSpotClient(token=FAKE_TOKEN, base_url=url, max_retries=0)
        try:
            customs, said = backend.custom_object_types(client)
        finally:
            client.close()
    assert customs == () and "standard objects only" in said
    assert "scope" not in said, said


def test_a_custom_object_named_in_capitals_is_listed() -> None:
    """HubSpot's schema names take letters of either case: one such object hid them all."""
    body = {
        "results": [
            {"objectTypeId": "2-111", "name": "cars", "fullyQualifiedName": "p123_cars"},
            {
                "objectTypeId": "2-222",
                "name": "MyProjects",
                "fullyQualifiedName": "p123_MyProjects",
            },
        ]
    }
    with _answering(200, body) as url:
        client = HubSpotClient(token=FAKE_TOKEN, base_url=url, max_retries=0)
        try:
            customs, said = backend.custom_object_types(client)
        finally:
            client.close()
    assert said == "" and [c.type_id for c in customs] == ["2-111", "2-222"]
