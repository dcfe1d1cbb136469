"""The app's Export and Sync jobs, driven headlessly against its built-in sandbox: the export
offers files read_pairs reads back, and Cancel stops it; a sync shows its diff before anything
is sent."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from threading import Event, Thread

import ipywidgets
import pandas as pd
import pytest

from hubframe.errors import ConfigurationError, ErrorCode, HubframeError
from hubframe.hubspot.client import HubSpotClient
from hubframe.io import read_pairs
from hubframe.jobs import read_associations
from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import SandboxFactory
from hubframe.widgets import HubframeApp
from hubframe.widgets.app import EXPORT_CANCELLED
from hubframe.widgets.portal import REVIEW, diff_html

WAIT = 60.0
DEALS = [str(2040000001 + i) for i in range(80)]
CONTACTS = [str(1019360001 + i) for i in range(240)]


def _click(app: HubframeApp, button: ipywidgets.Button) -> None:
    button.click()
    assert app.wait(WAIT), "the app's background work did not finish in time"


def _upload(app: HubframeApp, name: str, data: bytes) -> None:
    item = {"name": name, "type": "", "size": len(data), "content": memoryview(data)}
    app.upload.value = ({**item, "last_modified": datetime.now(UTC)},)
    assert app.wait(WAIT)


def _message(app: HubframeApp, step: str | None = None) -> str:
    """The message at the top of the app, or under one step's title."""
    widget = app.message if step is None else app.messages[step]
    return re.sub(r"<[^>]+>", "", widget.value)


def _sandbox(app: HubframeApp) -> Sandbox:
    assert app.connection is not None and app.connection.sandbox is not None
    return app.connection.sandbox


def _entries(frame: pd.DataFrame) -> set[tuple[str, str, str | None]]:
    plain = frame[["from_id", "to_id", "label"]].astype(object)
    plain = plain.where(plain.notna(), None)
    return {(str(f), str(t), lbl) for f, t, lbl in plain.itertuples(index=False)}


def test_export_offers_files_that_read_back(app: HubframeApp, tmp_path: Path) -> None:
    _click(app, app.connect_button)
    app.job.value = "export"
    assert app._validate_box.layout.display == "none" and app._dry_box.layout.display == "none"
    assert app.columns["to_id"].layout.display == "none"
    _click(app, app.run_button)
    assert "Pick the from and to object types" in _message(app, "mapping")
    assert "see 4 · Map columns" in _message(app, "run")
    app.from_type.value, app.to_type.value = "deals", "contacts"
    _click(app, app.run_button)
    assert app.result is not None and len(app.result) == 4
    assert sorted(app.downloads) == ["deals_contacts_links.csv", "deals_contacts_links.xlsx"]
    assert "4 associations of 3 of the 80 deals read" in app.summary.value
    for name, data in app.downloads.items():
        (tmp_path / name).write_bytes(data)
        assert _entries(read_pairs(tmp_path / name)) == _entries(app.result)
    _upload(app, "deals.csv", f"Record ID,Deal Name\n{DEALS[1]},x\n{DEALS[5]},y\n".encode())
    assert app.columns["from_id"].value == "Record ID"
    app.from_type.value, app.to_type.value = "deals", "contacts"  # a sheet resets the guess
    _click(app, app.run_button)
    assert app.result is not None and set(app.result["from_id"]) == {DEALS[1]}


# --- the export's id column: the reader's unless the analyst picks one ------------------------


def _export_sheet(app: HubframeApp, tmp_path: Path, rows: str) -> Path:
    """Connect, choose the Export job and upload ``rows`` as a CSV (kept at the path returned,
    for the Python API to read the same sheet)."""
    _click(app, app.connect_button)
    app.job.value = "export"
    path = tmp_path / "deals.csv"
    path.write_text(rows)
    _upload(app, path.name, path.read_bytes())
    return path


def _given_id_columns(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The ``id_column`` each export of the app is given."""
    from hubframe.widgets import portal

    given: list[object] = []
    real = portal.export

    def spy(*args: object, **kwargs: object) -> pd.DataFrame:
        given.append(kwargs.get("id_column"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(portal, "export", spy)
    return given


def _api_export(app: HubframeApp, path: Path, column: str | None = None) -> pd.DataFrame:
    assert app.connection is not None
    client = app.connection.client
    return read_associations(client, "deals", "contacts", path, column=column, progress=False)


def test_an_id_column_the_app_filled_in_is_not_read_as_chosen(
    app: HubframeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "ID,Deal ID": the dropdown was filled with the bare ID (the alias table's match) and
    the export read it as chosen: rows "1" and "2" as deal ids, "0 associations of 0 of the 2
    deals read", where the Python API alone reads Deal ID.  The app leaves the column to the
    reader, reads what the API reads, and shows and names the column the ids came from."""
    given = _given_id_columns(monkeypatch)
    path = _export_sheet(app, tmp_path, f"ID,Deal ID\n1,{DEALS[0]}\n2,{DEALS[1]}\n")
    assert app.columns["from_id"].value != "ID"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    _click(app, app.run_button)
    assert given == [None] and _message(app, "mapping") == "" and _message(app, "run") == ""
    expected = _api_export(app, path)
    assert expected.attrs["hubframe"]["id_columns"] == {"deals.csv": "Deal ID"}
    assert app.result is not None and not app.result.empty
    assert _entries(app.result) == _entries(expected)
    assert set(app.result["from_id"]) <= {DEALS[0], DEALS[1]}
    assert app.columns["from_id"].value == "Deal ID"
    assert "of the 2 deals read (their ids from the column &quot;Deal ID&quot;)" in (
        app.summary.value
    )


def test_an_id_column_the_analyst_picks_is_read_as_chosen(
    app: HubframeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The column the analyst picks is read, though the reader would take another; the page
    names it as the column read, and a later run reads it still."""
    given = _given_id_columns(monkeypatch)
    path = _export_sheet(app, tmp_path, f"Record ID,Deal ID\n{DEALS[1]},{DEALS[0]}\n")
    assert app.columns["from_id"].value == "Deal ID"  # what the reader takes
    app.columns["from_id"].value = "Record ID"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    _click(app, app.run_button)
    assert given == ["Record ID"] and app.result is not None
    assert _entries(app.result) == _entries(_api_export(app, path, "Record ID"))
    assert set(app.result["from_id"]) == {DEALS[1]}
    assert "(their ids from the column &quot;Record ID&quot;)" in app.summary.value
    app.to_type.value = "companies"
    _click(app, app.run_button)
    assert given[-1] == "Record ID" and app.columns["from_id"].value == "Record ID"


def test_a_tidy_sheet_exports_as_the_reader_reads_it(
    app: HubframeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet whose id column is plain: the same column, the same export as the Python API's,
    the column left to the reader (before, the filled-in column was given as chosen)."""
    given = _given_id_columns(monkeypatch)
    path = _export_sheet(app, tmp_path, f"Deal ID,Deal Name\n{DEALS[1]},x\n{DEALS[5]},y\n")
    assert app.columns["from_id"].value == "Deal ID" and _message(app, "mapping") == ""
    app.from_type.value, app.to_type.value = "deals", "contacts"
    _click(app, app.run_button)
    assert given == [None] and app.result is not None
    pd.testing.assert_frame_equal(app.result, _api_export(app, path))
    assert app.columns["from_id"].value == "Deal ID"


@pytest.mark.parametrize("pick", [False, True])
def test_a_sheet_of_ids_without_a_header_exports_every_record(
    app: HubframeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pick: bool
) -> None:
    """One id a line, no header: the dropdown offered the first id as the column's name, the
    export left that deal out ("of the 2 deals read"), and picking it did the same.  The app
    shows the column as the reader names it (its letter) and reads every id, picked or not."""
    given = _given_id_columns(monkeypatch)
    path = _export_sheet(app, tmp_path, f"{DEALS[0]}\n{DEALS[1]}\n{DEALS[2]}\n")
    assert app.guess is not None and app.guess.headers == ("A",)
    assert app.columns["from_id"].value == "A" and _message(app, "mapping") == ""
    if pick:  # the analyst's choice: the page's own, changed away and back
        app.columns["from_id"].value = ""
        app.columns["from_id"].value = "A"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    _click(app, app.run_button)
    assert given == ["A" if pick else None] and app.result is not None
    assert _entries(app.result) == _entries(_api_export(app, path))
    assert DEALS[0] in set(app.result["from_id"])
    assert "of the 3 deals read (their ids from the column &quot;A&quot;)" in app.summary.value


def test_an_id_column_the_reader_refuses_is_said_in_the_mapping_step(
    app: HubframeApp, tmp_path: Path
) -> None:
    """A sheet whose columns name other objects' ids than the from type's: the reader refuses;
    the app says it where the column is picked, shows no column as read, and reads the
    analyst's pick once made."""
    rows = f"Deal ID,Contact ID\n{DEALS[1]},{CONTACTS[0]}\n"
    _export_sheet(app, tmp_path, rows)
    app.from_type.value, app.to_type.value = "companies", "contacts"
    _click(app, app.run_button)
    assert app.result is None and "no column of record ids" in _message(app, "mapping")
    assert app.columns["from_id"].value == ""
    app.from_type.value = "deals"
    app.columns["from_id"].value = "Deal ID"
    _click(app, app.run_button)
    assert app.result is not None and set(app.result["from_id"]) == {DEALS[1]}
    assert _message(app, "mapping") == "" and app.columns["from_id"].value == "Deal ID"


def test_a_sync_shows_its_diff_before_anything_is_sent(app: HubframeApp, tmp_path: Path) -> None:
    _click(app, app.connect_button)
    sandbox = _sandbox(app)
    before = sandbox.associations("deals", "contacts")
    sheet = pd.DataFrame(
        {
            "from_type": ["deals"] * 3,
            "from_id": [DEALS[0], DEALS[1], DEALS[2]],
            "to_type": ["contacts"] * 3,
            "to_id": [CONTACTS[0], CONTACTS[2], CONTACTS[9]],
            "label": ["Decision maker", "Champion", None],
        }
    )
    app.job.value = "sync"
    assert app.sync_options.box.layout.display is None
    _upload(app, "links.xlsx", write_pairs(sheet, tmp_path / "links.xlsx").read_bytes())
    app.sync_options.removals.value = True
    _click(app, app.run_button)  # the first click shows the diff, sends nothing
    assert app.plan is not None and app.result is None
    assert REVIEW in _message(app)
    assert "would add 1, remove 3 and keep 2" in app.dry_run_output.value
    assert 'class="hf-diff"' in app.dry_run_output.value
    pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), before)
    app.sync_options.max_removals.value = 2  # a changed rule: the diff is shown again
    assert app.plan is None
    _click(app, app.run_button)
    assert app.result is None and "a real run refuses to start" in app.dry_run_output.value
    app.sync_options.max_removals.value = 0
    _click(app, app.dry_run_button)
    _click(app, app.run_button)
    assert app.result is not None
    assert set(app.result.loc[app.result["change"] != "keep", "status"]) == {"success"}
    assert "links_report.xlsx" in app.downloads
    after = sandbox.associations("deals", "contacts")
    linked = set(zip(after["from_id"], after["to_id"], strict=True))
    assert linked == {(DEALS[0], CONTACTS[0]), (DEALS[1], CONTACTS[2]), (DEALS[2], CONTACTS[9])}


def test_diff_html_lists_the_changes_first() -> None:
    plan = pd.DataFrame(
        {
            "sheet": ["S", "(portal)", "S"],
            "row": pd.array([2, None, 3], dtype="Int64"),
            "change": ["keep", "remove", "add"],
            "from_id": ["1", "1", "2"],
            "to_id": ["5", "6", "7"],
            "label": [None, "Champion", None],
            "status": ["skipped", "planned", "planned"],
            "reason": ["in", "gone <b>", "new"],
        }
    )
    out = diff_html(plan)
    assert "would add 1, remove 1 and keep 1" in out
    assert out.index(">add<") < out.index(">remove<") < out.index(">keep<")
    assert "gone &lt;b&gt;" in out  # escaped


def _sync_sheet_upload(app: HubframeApp, tmp_path: Path) -> None:
    sheet = pd.DataFrame(
        {
            "from_type": ["deals"],
            "from_id": [DEALS[0]],
            "to_type": ["contacts"],
            "to_id": [CONTACTS[0]],
            "label": ["Decision maker"],
        }
    )
    app.job.value = "sync"
    _upload(app, "links.xlsx", write_pairs(sheet, tmp_path / "links.xlsx").read_bytes())
    app.sync_options.removals.value = True


def test_a_diff_reviewed_in_one_portal_does_not_let_a_sync_run_in_another(
    app: HubframeApp, tmp_path: Path
) -> None:
    _click(app, app.connect_button)
    _sync_sheet_upload(app, tmp_path)
    _click(app, app.run_button)  # the diff of the first portal, reviewed
    assert app.plan is not None and REVIEW in _message(app)
    _click(app, app.connect_button)  # another portal (a new sandbox)
    other = _sandbox(app)
    before = other.associations("deals", "contacts")
    assert app.plan is None and app.dry_run_output.value == ""
    _click(app, app.run_button)  # shows this portal's diff, sends nothing
    assert app.result is None and REVIEW in _message(app)
    pd.testing.assert_frame_equal(other.associations("deals", "contacts"), before)


def test_after_a_sync_run_the_next_run_shows_a_new_diff_first(
    app: HubframeApp, tmp_path: Path
) -> None:
    _click(app, app.connect_button)
    sandbox = _sandbox(app)
    _sync_sheet_upload(app, tmp_path)
    _click(app, app.run_button)
    _click(app, app.run_button)  # applies the diff shown
    assert app.result is not None
    sandbox.associate("deals", DEALS[0], "contacts", CONTACTS[5])  # the portal changes
    after_run = sandbox.associations("deals", "contacts")
    _click(app, app.run_button)  # a diff first: its removal is not applied unseen
    assert REVIEW in _message(app) and "would add 0, remove 1" in app.dry_run_output.value
    pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), after_run)


# --- cancelling an export ---------------------------------------------------------------------


def _reads(sandbox: Sandbox, method: str, path: str) -> int:
    log = sandbox.request_log()
    if not len(log):
        return 0
    return int(
        ((log["method"] == method) & log["path"].astype(str).str.contains(path, regex=False)).sum()
    )


def _cancel_once(sandbox: Sandbox, method: str, path: str, cancel: Callable[[], None]) -> Thread:
    """A thread that calls ``cancel`` once the sandbox has answered a first such request."""

    def watch() -> None:
        deadline = time.monotonic() + WAIT
        while not _reads(sandbox, method, path) and time.monotonic() < deadline:
            time.sleep(0.005)
        cancel()

    thread = Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_cancel_stops_an_export_of_every_record(
    app: HubframeApp, sandbox_factory: SandboxFactory
) -> None:
    """Cancel was offered during an export, said "Cancelling: the run stops after the batches
    already in flight", and was ignored: the export of every record read on to its end, and
    the line stayed beside its result.  The export now stops after the reads in flight, offers
    nothing partial, and says so; clicked again, it exports in full."""
    slow = sandbox_factory(seed="demo", latency=(0.2, 0.0))
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = slow.token, slow.url
    _click(app, app.connect_button)
    app.job.value = "export"
    app.from_type.value, app.to_type.value = "contacts", "deals"  # 240 contacts: 3 pages
    app.run_button.click()
    assert not app.cancel_button.disabled
    _cancel_once(slow, "GET", "/contacts?limit", app.cancel_button.click).join(WAIT)
    assert app.wait(WAIT)
    assert html.unescape(_message(app, "run")) == EXPORT_CANCELLED
    assert app.result is None and app.downloads == {} and app.save_button.disabled
    assert app.live_counts.value == "" and app.cancel_button.disabled
    assert _reads(slow, "GET", "/contacts?limit") < 3
    assert _reads(slow, "POST", "/batch/read") == 0
    _click(app, app.run_button)
    assert app.result is not None and _message(app, "run") == ""
    assert set(app.downloads) == {"contacts_deals_links.xlsx", "contacts_deals_links.csv"}


def test_read_associations_stops_when_cancelled(sandbox_factory: SandboxFactory) -> None:
    """``hf.read_associations(cancel=)``, as the app's export passes its Cancel: no call is
    made once it is set, and nothing partial is returned."""
    slow = sandbox_factory(seed="demo", latency=(0.2, 0.0))
    client = HubSpotClient(token=slow.token, base_url=slow.url)
    cancel = Event()
    _cancel_once(slow, "POST", "/batch/read", cancel.set)
    ids = [str(1019360001 + i) for i in range(2500)]  # 3 calls of 1,000
    with pytest.raises(HubframeError, match="cancelled") as raised:
        read_associations(client, "contacts", "deals", ids, workers=1, cancel=cancel)
    assert raised.value.code is ErrorCode.CANCELLED
    assert _reads(slow, "POST", "/batch/read") < 3
    with pytest.raises(ConfigurationError, match=r"cancel must be a threading\.Event"):
        read_associations(client, "contacts", "deals", ids, cancel=True)  # type: ignore[arg-type]
