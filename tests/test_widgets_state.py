"""The app's state between steps: what a failed upload, a change of connection settings, a
second click or a new file leaves behind.  Driven headlessly against the sandbox, over HTTP."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import ipywidgets
import pandas as pd
import pytest
from app_driver import page_changes

from hubframe.sandbox import Sandbox
from hubframe.testing import SandboxFactory, xlsx_bytes
from hubframe.widgets import HubframeApp
from hubframe.widgets.app import NONE
from hubframe.widgets.backend import Progress

WAIT = 60.0
DEALS = 2040000001
CONTACTS = 1019360001


def _pairs(count: int, first_contact: int = 0) -> list[list[object]]:
    rows: list[list[object]] = [["Deal ID", "Contact ID"]]
    return rows + [[DEALS + i % 80, CONTACTS + first_contact + i] for i in range(count)]


def _upload(app: HubframeApp, name: str, data: bytes, *, wait: bool = True) -> None:
    item = {"name": name, "type": "", "size": len(data), "content": memoryview(data)}
    app.upload.value = ({**item, "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)
    if wait:
        assert app.wait(WAIT)


def _click(app: HubframeApp, button: ipywidgets.Button) -> None:
    button.click()
    assert app.wait(WAIT), "the app's background work did not finish in time"


def _message(app: HubframeApp, step: str) -> str:
    return re.sub(r"<[^>]+>", "", app.messages[step].value)


def _posts(sandbox: Sandbox) -> int:
    """The writes sent (POSTs but the batch reads a run makes to record what was there)."""
    log = sandbox.request_log()
    if not len(log):
        return 0
    reads = log["path"].astype(str).str.endswith("/batch/read")
    return int(((log["method"] == "POST") & ~reads).sum())


def _own_sandbox(app: HubframeApp) -> Sandbox:
    assert app.connection is not None and app.connection.sandbox is not None
    return app.connection.sandbox


# --- a failed upload -----------------------------------------------------------------------


def _damaged(app: HubframeApp, tmp_path: Path) -> None:
    _upload(app, "B.xlsx", b"PK\x03\x04 not really a workbook")


def _empty(app: HubframeApp, tmp_path: Path) -> None:
    _upload(app, "B.csv", b"")


def _missing_path(app: HubframeApp, tmp_path: Path) -> None:
    app.path.value = str(tmp_path / "nowhere.xlsx")
    _click(app, app.load_button)


@pytest.mark.parametrize("fail", [_damaged, _empty, _missing_path])
def test_a_failed_load_leaves_nothing_of_the_last_sheet_to_run(
    app: HubframeApp, tmp_path: Path, fail: Callable[[HubframeApp, Path], None]
) -> None:
    """A damaged workbook uploaded after a good one left the good one's rows loaded: Run sent
    them.  A failed load drops the last sheet (rows, issues, mapping); Run refuses."""
    _click(app, app.connect_button)
    sandbox = _own_sandbox(app)
    _upload(app, "A.xlsx", xlsx_bytes(_pairs(4)))
    _click(app, app.validate_button)
    assert app.frame is not None and app.columns["from_id"].value == "Deal ID"
    fail(app, tmp_path)
    assert _message(app, "sheet")
    assert app.source is None and app.frame is None and app.issues is None
    assert app.validation.value == "" and app.file_status.value == ""
    assert all(d.value == NONE and len(d.options) == 1 for d in app.columns.values())
    _click(app, app.run_button)
    assert app.result is None and _posts(sandbox) == 0
    assert "3 · Sheet" in _message(app, "run")


# --- work on its way -----------------------------------------------------------------------


def _slow_app(app: HubframeApp, sandbox_factory: SandboxFactory, count: int) -> Sandbox:
    """Connect ``app`` to a slow sandbox and load ``count`` pairs, in batches of 5."""
    slow = sandbox_factory(seed="demo", latency=(0.2, 0.0), rate_limit=(10, 1.0))
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = slow.token, slow.url
    _click(app, app.connect_button)
    _upload(app, "a.xlsx", xlsx_bytes(_pairs(count)))
    app.batch_size.value = 5
    return slow


def _until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def test_inputs_stay_locked_until_every_queued_task_is_done(
    app: HubframeApp, sandbox_factory: SandboxFactory
) -> None:
    """Validate and Run clicked at once: when Validate finished, every input unlocked while the
    run still went, and a sheet uploaded then wiped the run's results."""
    _slow_app(app, sandbox_factory, 40)
    app.validate_button.click()
    app.run_button.click()  # queued behind Validate
    _until(lambda: app.issues is not None and app.progress.value > 0)
    assert app.busy
    locked = [app.upload, app.job, app.mode, app.run_button, app.columns["to_id"]]
    assert all(widget.disabled for widget in locked), [w for w in locked if not w.disabled]
    assert not app.cancel_button.disabled
    _upload(app, "b.xlsx", xlsx_bytes(_pairs(3, 500)), wait=False)  # a click racing the lock
    assert app.wait(WAIT)
    assert app.result is not None and len(app.result) == 40 and app.downloads
    assert app.source is not None and app.source.name == "a.xlsx"
    assert not any(widget.disabled for widget in locked)


def test_a_double_click_of_run_runs_once(app: HubframeApp, sandbox_factory: SandboxFactory) -> None:
    """Two clicks of Run (the second before the page knew the button was disabled) ran the
    sheet twice, and Cancel was disabled during the second run."""
    slow = _slow_app(app, sandbox_factory, 40)
    _click(app, app.validate_button)
    shown: list[int] = []
    original = app._show_result

    def spy(result: pd.DataFrame, frame: pd.DataFrame, issues: pd.DataFrame | None) -> None:
        shown.append(len(result))
        original(result, frame, issues)

    app._show_result = spy  # type: ignore[method-assign]
    app.run_button.click()
    app.run_button.click()
    _until(lambda: app.progress.value > 0)
    assert not app.cancel_button.disabled
    assert app.wait(WAIT)
    # 40 rows in batches of 5, once: 8 writes (a retry on a loaded machine may add one; a
    # second run would add 8)
    assert shown == [40] and _posts(slow) < 16
    assert app.cancel_button.disabled and not app.run_button.disabled


# --- the connection on screen --------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("mode", "sandbox"),
        ("mode", "rehearse"),
        ("api_version", "v4"),
        ("token", "pat-other-1"),
        ("base_url", "http://127.0.0.1:9"),
    ],
)
def test_a_changed_connection_setting_drops_the_connection(
    app: HubframeApp, sandbox: Sandbox, setting: str, value: str
) -> None:
    """Connected to an account, then switched to the built-in sandbox without Connect: Run
    wrote to the account.  Any change of mode, base URL, API version or token disconnects."""
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = sandbox.token, sandbox.url
    _click(app, app.connect_button)
    _upload(app, "A.xlsx", xlsx_bytes(_pairs(3, 300)))
    _click(app, app.validate_button)
    getattr(app, setting).value = value
    assert app.connection is None and "Click Connect" in app.connect_status.value
    assert app.frame is None and app.validation.value == ""
    _click(app, app.run_button)
    assert app.result is None and _posts(sandbox) == 0
    assert "1 · Connect" in _message(app, "run")


# --- a new sheet ---------------------------------------------------------------------------


def test_a_label_for_all_rows_is_not_carried_to_the_next_sheet(app: HubframeApp) -> None:
    """ "Label for all rows" picked for sheet A was applied to sheet B's rows."""
    _click(app, app.connect_button)
    _upload(app, "A.xlsx", xlsx_bytes(_pairs(2, 10)))
    app.label.value = "Champion"
    _click(app, app.run_button)
    assert app.result is not None and set(app.result["label"]) == {"Champion"}
    _upload(app, "B.xlsx", xlsx_bytes(_pairs(1, 30)))
    assert app.label.value == NONE
    _click(app, app.run_button)
    assert app.result is not None and app.result["label"].isna().all()


def test_the_file_uploaded_before_a_path_loads_again(app: HubframeApp, tmp_path: Path) -> None:
    """Upload A, load path B, pick A again: the upload's value did not change, no event came,
    and the app kept B."""
    _click(app, app.connect_button)
    data = xlsx_bytes(_pairs(4))
    _upload(app, "A.xlsx", data)
    path = tmp_path / "B.csv"
    path.write_text("Deal ID,Contact ID\n2040000001,1019360099\n")
    app.path.value = str(path)
    _click(app, app.load_button)
    assert app.source is not None and app.source.name == "B.csv"
    _upload(app, "A.xlsx", data)  # the same file, as the browser sends it again
    assert app.source is not None and app.source.name == "A.xlsx"
    _click(app, app.run_button)
    assert app.result is not None and len(app.result) == 4


def test_a_home_folder_of_no_user_is_a_message_at_its_step(
    app: HubframeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``~analyst/...`` of a user this machine does not know, as the sheet's path or the save
    folder: "Unexpected error (RuntimeError): Could not determine home directory." before;
    now the step says why ``~analyst`` is not a home folder, and nothing is written."""
    monkeypatch.chdir(tmp_path)
    _click(app, app.connect_button)
    app.path.value = "~no_such_user_hubframe/links.xlsx"
    _click(app, app.load_button)
    said = html.unescape(app.messages["sheet"].value)
    assert "'~no_such_user_hubframe' is not a home folder" in said, said
    assert "Unexpected error" not in said
    _upload(app, "A.xlsx", xlsx_bytes(_pairs(2)))
    _click(app, app.run_button)
    app.save_folder.value = "~no_such_user_hubframe/reports"
    _click(app, app.save_button)
    said = html.unescape(app.messages["results"].value)
    assert "'~no_such_user_hubframe' is not a home folder" in said, said
    assert list(tmp_path.iterdir()) == []


# --- what the page shows -------------------------------------------------------------------


def test_a_token_in_a_cell_never_reaches_the_page(app: HubframeApp, sandbox: Sandbox) -> None:
    """A sheet cell holding the access token: the report redacted it, the validation and the
    results table on the page (and so the notebook's widget state) showed it."""
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = sandbox.token, sandbox.url
    _click(app, app.connect_button)
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Notes"]]
    rows += [[DEALS, CONTACTS, f"token {sandbox.token}"], [DEALS + 1, "12ab", sandbox.token]]
    rows += [
        [DEALS + 2, CONTACTS, sandbox.token.upper()],
        [DEALS + 3, "12ab", sandbox.token.title()],
    ]
    _upload(app, "t.xlsx", xlsx_bytes(rows))
    _click(app, app.validate_button)
    _click(app, app.dry_run_button)
    _click(app, app.run_button)
    assert app.result is not None and "<redacted>" in html.unescape(app.preview.value)
    shown = [app.validation, app.dry_run_output, app.preview, app.summary, app.download_links]
    folded = sandbox.token.casefold()  # in any case: an upper-cased token gives it away too
    assert not [w.value for w in shown if folded in html.unescape(w.value).casefold()]


def test_a_cancel_that_stops_nothing_is_not_called_cancelled(app: HubframeApp) -> None:
    """Cancel clicked once every batch had left: every row succeeded, yet the headline said
    "Cancelled ... Rows not sent are 'skipped'; the retry file holds them"."""
    _click(app, app.connect_button)
    _upload(app, "a.xlsx", xlsx_bytes(_pairs(20)))
    app.batch_size.value = 5
    original = app._on_progress

    def late_cancel(progress: Progress) -> None:
        original(progress)
        if progress.total and progress.done >= progress.total:
            app.cancel_button.click()  # the last batch is back: nothing is left to stop

    app._on_progress = late_cancel  # type: ignore[method-assign]
    _click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    summary = html.unescape(re.sub(r"<[^>]+>", " ", app.summary.value))
    assert "Cancelled" not in summary and "20 of 20 rows succeeded" in summary


# --- saving ----------------------------------------------------------------------------------


def test_save_after_an_export_saves_the_export(app: HubframeApp, tmp_path: Path) -> None:
    """Save report after an Export job failed with "not a hubframe result table: it has no
    'status' column"; it now saves the export's files, as the page offers them."""
    _click(app, app.connect_button)
    app.job.value = "export"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    _click(app, app.run_button)
    assert app.result is not None and not app.save_button.disabled
    app.save_folder.value = str(tmp_path / "out")
    _click(app, app.save_button)
    assert _message(app, "results") == ""
    assert sorted(p.name for p in app.saved) == sorted(app.downloads)
    assert all(p.read_bytes() == app.downloads[p.name] for p in app.saved)


def test_an_export_cut_short_by_a_full_disk_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving an export's files: a disk that fills mid-file left a cut file under the
    export's own name, which an analyst would later open as the export.  Each file now
    appears whole or not at all; the error still reaches the page."""
    import errno

    from hubframe.widgets import backend

    real = Path.write_bytes

    def fills_up(self: Path, data: bytes) -> int:
        real(self, data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    folder = tmp_path / "out"
    monkeypatch.setattr(Path, "write_bytes", fills_up)
    with pytest.raises(backend.NotAllSaved, match=r"export\.csv: the export could not be "):
        backend.save_files({"export.csv": b"Deal ID,Contact ID\n" * 50}, folder)
    monkeypatch.undo()
    assert list(folder.iterdir()) == []
    assert [p.name for p in backend.save_files({"export.csv": b"x"}, folder)] == ["export.csv"]


def test_a_long_sheet_name_still_gives_a_report(app: HubframeApp, tmp_path: Path) -> None:
    """A 250-character upload name: the run was done, but its report could be neither offered
    nor saved ("File name too long").  Names made after the sheet's are cut, never mid-letter."""
    _click(app, app.connect_button)
    name = ("Q3 pipeline cleanup - Verknüpfungen 😀 " * 7)[:245] + ".xlsx"
    _upload(app, name, xlsx_bytes(_pairs(3)))
    _click(app, app.run_button)
    assert app.result is not None and _message(app, "run") == ""
    [report] = app.downloads
    assert report.endswith("_report.xlsx") and name.startswith(report[: -len("_report.xlsx")])
    app.save_folder.value = str(tmp_path)
    _click(app, app.save_button)
    assert [p.name for p in app.saved] == [report] and _message(app, "results") == ""
    assert all(len(p.name.encode()) < 200 for p in app.saved)


# --- mapping ---------------------------------------------------------------------------------


def test_every_visible_sheet_is_mapped_by_its_headers_names(app: HubframeApp) -> None:
    """ "All visible sheets" whose sheets order their columns differently: the dropdowns took
    the last sheet's map (Contact ID as the from id) and no types, so Validate failed on the
    first sheet with a message about a missing type column.  Each sheet is read in the
    direction of its own columns, as ``--sheet '*'`` reads it (no type pre-filled from the
    first sheet's headers: test_widgets_retry_direction.py)."""
    from hubframe.testing import workbook_bytes

    _click(app, app.connect_button)
    north = [["Deal ID", "Contact ID"], [DEALS, CONTACTS], [DEALS + 1, CONTACTS + 1]]
    south = [["Contact ID", "Deal ID"], [CONTACTS + 2, DEALS + 2], [CONTACTS + 3, DEALS + 3]]
    _upload(app, "book.xlsx", workbook_bytes({"North": north, "South": south}))
    app.sheet.value = "*"
    assert app.wait(WAIT)
    assert app.mapping() == {"Deal ID": "from_id", "Contact ID": "to_id"}
    assert (app.from_type.value, app.to_type.value) == ("", "")
    _click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    by_sheet = app.result.groupby("sheet")["from_id"].agg(set).to_dict()
    assert by_sheet == {
        "North": {str(DEALS), str(DEALS + 1)},
        "South": {str(CONTACTS + 2), str(CONTACTS + 3)},
    }


def test_one_column_picked_for_two_fields_is_said_so(app: HubframeApp) -> None:
    """ "Deal ID" picked for both record ids: the mapping kept one of them and the message
    spoke of a contacts column read as deals."""
    _click(app, app.connect_button)
    _upload(app, "two.xlsx", xlsx_bytes(_pairs(2)))
    app.columns["to_id"].value = "Deal ID"
    _click(app, app.run_button)
    assert app.result is None
    text = html.unescape(_message(app, "mapping"))
    assert '"Deal ID" is picked for both "From record ID" and "To record ID"' in text


# --- what the app fills in is a suggestion; only the analyst's pick is a choice ----------------


def _refusal(app: HubframeApp) -> str:
    return html.unescape(_message(app, "mapping"))


def test_a_bare_id_column_the_read_refused_is_not_read_until_the_analyst_picks(
    app: HubframeApp,
) -> None:
    """ "ID,Deal ID,Contact ID": the read refuses (the bare ID may be row numbers), but the
    dropdowns were filled with ID and Deal ID and Validate read them as chosen: row "1" as deal
    1 linked to deal 2040000002, the Contact ID column dropped silently.  The dropdowns only
    suggest; Validate refuses until the analyst picks the columns, then reads them as picked."""
    rows = f"ID,Deal ID,Contact ID\n1,{DEALS + 1},{CONTACTS}\n"
    _upload(app, "ids.csv", rows.encode())
    assert app.mapping() == {}
    assert app.columns["from_id"].label == "(not picked; suggested: ID)"
    assert "The headers suggest From record ID: ID; To record ID: Deal ID: not filled in" in (
        _refusal(app)
    )
    app.from_type.value = "deals"
    _click(app, app.validate_button)
    assert app.frame is None and app.validation.value == ""
    assert "\"ID\" would be read as the 'from' record ids" in _refusal(app)
    app.columns["from_id"].value = "Deal ID"
    app.columns["to_id"].value = "Contact ID"
    _click(app, app.validate_button)
    assert app.frame is not None and _refusal(app) == ""
    assert app.frame[["from_type", "from_id", "to_type", "to_id"]].values.tolist() == [
        ["deals", str(DEALS + 1), "contacts", str(CONTACTS)]
    ]


def test_a_third_id_column_the_read_refused_is_not_dropped_until_the_analyst_picks(
    app: HubframeApp,
) -> None:
    """ "Deal ID,Contact ID,Company ID": the read refuses to leave Company ID out, but Validate
    read the filled-in Deal ID and Contact ID as chosen and dropped it, saying "No problems
    found" under the warning still shown.  It refuses until the analyst picks; picked (here
    the columns suggested), the sheet reads as picked and the old warning goes."""
    rows = f"Deal ID,Contact ID,Company ID\n{DEALS},{CONTACTS},77\n"
    _upload(app, "three.csv", rows.encode())
    assert app.mapping() == {}
    assert app.columns["to_id"].label == "(not picked; suggested: Contact ID)"
    _click(app, app.validate_button)
    assert app.frame is None and "No problems found" not in app.validation.value
    assert '"Company ID" holds the record ids of companies' in _refusal(app)
    app.columns["from_id"].value = "Deal ID"
    app.columns["to_id"].value = "Contact ID"
    _click(app, app.validate_button)
    assert app.frame is not None and _refusal(app) == ""
    assert "No problems found" in app.validation.value
    assert app.frame[["from_id", "to_type", "to_id"]].values.tolist() == [
        [str(DEALS), "contacts", str(CONTACTS)]
    ]


def test_every_visible_sheet_with_a_third_id_column_is_refused_until_the_analyst_picks(
    app: HubframeApp,
) -> None:
    """ "All visible sheets", one of which holds a Company ID column: the first sheet's
    columns filled in were read as chosen for every sheet, and Company ID was dropped."""
    from hubframe.testing import workbook_bytes

    north = [["Deal ID", "Contact ID"], [DEALS, CONTACTS]]
    south = [["Deal ID", "Contact ID", "Company ID"], [DEALS + 1, CONTACTS + 1, 77]]
    _upload(app, "book.xlsx", workbook_bytes({"North": north, "South": south}))
    app.sheet.value = "*"
    assert app.wait(WAIT)
    assert app.mapping() == {}
    _click(app, app.validate_button)
    assert app.frame is None and '"Company ID" holds the record ids' in _refusal(app)
    app.columns["from_id"].value = "Deal ID"
    app.columns["to_id"].value = "Contact ID"
    _click(app, app.validate_button)
    assert app.frame is not None and _refusal(app) == ""
    assert app.frame["to_id"].tolist() == [str(CONTACTS), str(CONTACTS + 1)]


@pytest.mark.parametrize(
    ("job", "rows", "other", "field"),
    [
        (
            "associate",
            f"Deal ID,Contact ID,Backup\n{DEALS},{CONTACTS},{CONTACTS + 1}\n",
            "Backup",
            "to_id",
        ),
        (
            "limits",
            "From object,To object,Max associations,Comment\ndeals,contacts,3,Champion\n",
            "Comment",
            "label",
        ),
    ],
)
def test_a_sheet_that_reads_is_read_as_before_and_a_changed_dropdown_is_the_choice(
    app: HubframeApp,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    job: str,
    rows: str,
    other: str,
    field: str,
) -> None:
    """A sheet the read takes: its columns fill the dropdowns, and the read at Validate gets
    none of them as chosen (they were sent as the analyst's mapping): it reads the same frame
    as the reader alone.  A dropdown the analyst changes is given as chosen, and only it."""
    from hubframe.io import read_limits, read_pairs
    from hubframe.widgets import backend

    given: list[object] = []
    real = backend.read

    def spy(*args: object, **kwargs: object) -> pd.DataFrame:
        given.append(kwargs.get("columns"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backend, "read", spy)
    path = tmp_path / "tidy.csv"
    path.write_text(rows)
    app.job.value = job
    _upload(app, path.name, path.read_bytes())
    assert app.mapping() and _refusal(app) == ""
    _click(app, app.validate_button)
    assert given[-1] == {}
    expected = (read_limits if job == "limits" else read_pairs)(path)
    assert app.frame is not None
    pd.testing.assert_frame_equal(
        app.frame.assign(sheet=expected["sheet"]), expected, check_like=False
    )
    app.columns[field].value = other
    _click(app, app.validate_button)
    assert given[-1] == {other: field}
    assert app.frame is not None and app.mapping()[other] == field
    assert app.frame[field].astype(str).tolist() == [
        str(CONTACTS + 1) if job == "associate" else "Champion"
    ]


def test_removing_limits_by_empty_cells_is_not_carried_to_the_next_sheet(
    app: HubframeApp, sandbox: Sandbox
) -> None:
    """ "An empty limit cell removes that limit", ticked for one limits sheet, stayed ticked for
    the next: its empty cells (meaning "leave it") removed the portal's limits."""
    _click(app, app.connect_button)
    app.job.value = "limits"
    head = ["From object", "To object", "Association label", "Max associations"]
    _upload(app, "A.xlsx", xlsx_bytes([head, ["deals", "contacts", "Champion", ""]]))
    app.remove_blank.value = True
    _upload(app, "B.xlsx", xlsx_bytes([head, ["deals", "contacts", "Decision maker", ""]]))
    assert app.remove_blank.value is False
    before = sandbox.limits("deals", "contacts")
    _click(app, app.run_button)
    assert app.result is not None and app.result["status"].tolist() == ["skipped"], app.result
    pd.testing.assert_frame_equal(sandbox.limits("deals", "contacts"), before)


# --- where a pre-filled object type came from ----------------------------------------------

EXPORT = "hubspot-crm-exports-all-deals-2026-11-29.csv"
EXPORT_ROWS = f"Record ID,Associated Contact IDs\n{DEALS},{CONTACTS};{CONTACTS + 1}\n"


def _note(app: HubframeApp, side: str = "from") -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", app.type_notes[side].value))


def _guessed(frame: pd.DataFrame | None) -> object:
    assert frame is not None
    return frame.attrs["hubframe"].get("guessed_types")


def test_a_type_taken_from_the_file_name_is_said_and_recorded_as_inferred(
    app: HubframeApp, tmp_path: Path
) -> None:
    """A HubSpot export named after deals: the app pre-selected "deals" and ran it as if the
    analyst had chosen it, with nothing saying it was read from the file name (a renamed
    contacts export would have been sent as deals).  The note names the file, and the run
    records the type as inferred, as read_pairs does."""
    from hubframe.io import read_pairs

    path = tmp_path / EXPORT
    path.write_text(EXPORT_ROWS)
    _click(app, app.connect_button)
    _upload(app, EXPORT, path.read_bytes())
    assert app.from_type.value == "deals"
    assert _note(app) == (
        f"deals — taken from the file name {EXPORT}; change it if the file holds another "
        "object's records."
    )
    assert _note(app, "to") == ""
    _click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    expected = _guessed(read_pairs(path))
    assert expected == {"from": {"type": "deals", "reason": "file name", "evidence": EXPORT}}
    assert _guessed(app.frame) == expected and _guessed(app.result) == expected


def test_a_type_changed_from_the_guess_is_the_analysts_choice(app: HubframeApp) -> None:
    """Changed from the pre-filled guess (even back to it), the type is the analyst's: the
    note goes and the read records no inferred type."""
    _upload(app, EXPORT, EXPORT_ROWS.encode())
    assert _note(app)
    app.from_type.value = "contacts"
    assert _note(app) == ""
    _click(app, app.validate_button)
    assert _guessed(app.frame) is None and set(app.frame["from_type"]) == {"contacts"}
    app.from_type.value = "deals"
    _click(app, app.validate_button)
    assert _note(app) == "" and _guessed(app.frame) is None


def test_a_type_taken_from_the_headers_is_said(app: HubframeApp) -> None:
    rows = f"Record ID,Deal Name,Deal Stage,Associated Contact IDs\n{DEALS},Q3,won,{CONTACTS}\n"
    _upload(app, "export.csv", rows.encode())
    assert app.from_type.value == "deals"
    assert _note(app) == (
        "deals — taken from the headers Deal Name, Deal Stage; change it if the file holds "
        "another object's records."
    )
    _click(app, app.validate_button)
    assert _guessed(app.frame) == {
        "from": {"type": "deals", "reason": "headers", "evidence": "Deal Name, Deal Stage"}
    }


def test_why_no_type_was_taken_is_said_beside_the_type(app: HubframeApp) -> None:
    """A contacts export of a view named "Deal champions": no type is taken, and the reason
    was only inside the read's error, in Python's words; it is said beside the empty type."""
    name = "hubspot-crm-exports-deal-champions-2026-11-29.csv"
    _upload(app, name, EXPORT_ROWS.encode())
    assert app.from_type.value == NONE
    note = _note(app)
    assert note.startswith(f"No from object type was taken from {name}: the file name ")
    assert "mentions deals, but not as a name of its own" in note
    assert note.endswith("Pick the object whose records the file lists.")
    app.from_type.value = "contacts"
    assert _note(app) == ""


@pytest.mark.parametrize(
    "rows",
    [
        f"From type,Deal ID,Contact ID\ndeals,{DEALS},{CONTACTS}\n",  # a type column
        f"Deal ID,Contact ID\n{DEALS},{CONTACTS}\n",  # headers naming the ids' object
    ],
)
def test_types_the_sheet_gives_have_no_note(app: HubframeApp, rows: str) -> None:
    _upload(app, "hubspot-crm-exports-all-tickets-2026-11-29.csv", rows.encode())
    assert (_note(app), _note(app, "to")) == ("", "")
    _click(app, app.validate_button)
    assert _guessed(app.frame) is None and set(app.frame["from_type"]) == {"deals"}


def test_a_type_the_read_takes_at_validate_is_said_too(app: HubframeApp) -> None:
    """An export whose first read fails on another column (two association columns): no type
    was pre-filled, and Validate then read the rows as deals, from the file name, while the
    picker still showed "(from the sheet)" and nothing said so.  The type is shown and said
    (once the analyst has picked the association column to read)."""
    rows = f"Record ID,Associated Contact IDs,Associated Company IDs\n{DEALS},{CONTACTS},1\n"
    _upload(app, EXPORT, rows.encode())
    assert app.from_type.value == NONE and _note(app) == ""
    app.columns["to_id"].value = "Associated Contact IDs"
    _click(app, app.validate_button)
    assert app.from_type.value == "deals"
    assert _note(app).startswith(f"deals — taken from the file name {EXPORT}; change it")
    assert _guessed(app.frame) == {
        "from": {"type": "deals", "reason": "file name", "evidence": EXPORT}
    }


@pytest.mark.parametrize(
    ("job", "rows", "field", "header"),
    [
        ("associate", f"Deal ID,Contact ID,Label\n{DEALS},{CONTACTS},Champion\n", "label", "Label"),
        (
            "associate",
            f"Deal ID,Contact ID,Type ID\n{DEALS},{CONTACTS},3\n",
            "type_id",
            "Type ID",
        ),
        (
            "limits",
            "From object,To object,Label,Max\ndeals,contacts,Champion,3\n",
            "label",
            "Label",
        ),
        (
            "associate",
            f"Object,Record ID,To object,To ID\ndeals,{DEALS},contacts,{CONTACTS}\n",
            "from_type",
            "Object",
        ),
    ],
)
def test_a_column_set_to_not_in_the_sheet_that_the_read_takes_is_refused(
    app: HubframeApp, job: str, rows: str, field: str, header: str
) -> None:
    """Before: the analyst set "Label column" to "(not in the sheet)", the reader read the
    sheet's Label column all the same, and every row was sent with its label while the
    dropdown said no label column was read."""
    app.job.value = job
    _upload(app, "sheet.csv", rows.encode())
    assert app.columns[field].value == header  # filled in by the read
    app.columns[field].value = ""  # the analyst: "(not in the sheet)"
    _click(app, app.validate_button)
    said = _refusal(app)
    assert app.frame is None
    assert f'is set to (not in the sheet), but the sheet\'s column "{header}" is read' in said
    app.columns[field].value = header  # picked back: read as chosen
    _click(app, app.validate_button)
    assert app.frame is not None and _refusal(app) == ""


def test_not_in_the_sheet_for_a_column_the_read_leaves_validates(app: HubframeApp) -> None:
    _upload(app, "sheet.csv", f"Deal ID,Contact ID\n{DEALS},{CONTACTS}\n".encode())
    app.columns["label"].value = "Deal ID"
    app.columns["label"].value = ""  # the analyst chose it, and the sheet has none
    assert "label" in app._picked
    _click(app, app.validate_button)
    assert app.frame is not None and _refusal(app) == ""


# --- a change that reaches the kernel while a step works ------------------------------------


@pytest.mark.parametrize("step", ["validate", "dry-run"])
@pytest.mark.parametrize("change", ["label", "swap_types", "to_column"])
def test_a_change_while_a_step_works_sets_its_result_aside(
    app: HubframeApp, monkeypatch: pytest.MonkeyPatch, step: str, change: str
) -> None:
    """The inputs are locked in the browser only: a change reaching the kernel while Validate
    read the sheet reset the page, then the worker stored what it had read, and Run sent
    unlabeled links while the page said "Label for all rows: Champion".  A step whose inputs
    changed while it worked now sets its result aside and says so; the run sends what the
    page shows, as a fresh read of it gives."""
    from hubframe.widgets import backend

    rows: list[list[object]] = [["Deal ID", "Contact ID", "Notes"]]
    rows += [[DEALS + 71 + i, CONTACTS + 201 + i, str(CONTACTS + 210 + i)] for i in range(2)]
    _click(app, app.connect_button)
    _upload(app, "a.xlsx", xlsx_bytes(rows))
    if step == "dry-run":
        _click(app, app.validate_button)
    started, go = threading.Event(), threading.Event()
    name = "validate" if step == "validate" else "execute"
    real = getattr(backend, name)

    def held(*args: object, **kwargs: object) -> pd.DataFrame:
        started.set()
        assert go.wait(WAIT)
        return real(*args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(backend, name, held)
    (app.validate_button if step == "validate" else app.dry_run_button).click()
    assert started.wait(WAIT)
    page_changes(app)[change]()
    go.set()
    assert app.wait(WAIT)
    monkeypatch.setattr(backend, name, real)
    assert "A setting changed while this step was working" in _message(app, step)
    assert app.frame is None and app.plan is None
    expected = app._read()
    _click(app, app.run_button)
    assert app.result is not None
    sent = ["from_type", "from_id", "to_type", "to_id", "label"]
    pd.testing.assert_frame_equal(
        app.result[sent].reset_index(drop=True).astype(object),
        expected[sent].reset_index(drop=True).astype(object),
    )
