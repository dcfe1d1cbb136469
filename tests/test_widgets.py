"""The notebook app, driven headlessly: set widget values, click buttons, wait for the worker.

Rendering helpers are checked on hand-made frames; the app itself runs against the built-in
sandbox (its own, via "Built-in sandbox") or the ``sandbox`` fixture (via "HubSpot account").
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import ipywidgets
import pandas as pd
import pytest

from hubframe.hubspot.auth import Secret
from hubframe.io import read_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import SandboxFactory
from hubframe.widgets import HubframeApp, render
from hubframe.widgets.app import FIRST_SHEET, NONE
from hubframe.widgets.backend import Progress, _ProgressRelay
from hubframe.widgets.runner import Runner

# --- render ---------------------------------------------------------------------------------


def _result(statuses: list[str], codes: list[str] | None = None) -> pd.DataFrame:
    n = len(statuses)
    return pd.DataFrame(
        {
            "sheet": ["S"] * n,
            "row": list(range(2, n + 2)),
            "action": ["associate"] * n,
            "status": statuses,
            "error_code": codes or [""] * n,
            "batch": [1 + i // 2 for i in range(n)],
        }
    )


def test_bar_chart_scales_bars_to_the_largest_count() -> None:
    out = render.bar_chart_html({"success": 8, "failed": 2, "skipped": 0}, title="Rows")
    widths = re.findall(r'hf-bar-fill" style="background:#\w+;width:([\d.]+)%', out)
    assert widths == ["100.0", "25.0", "0.0"]
    assert 'data-name="failed" data-count="2"' in out
    assert "Rows" in out


def test_status_counts_follow_the_status_order_and_drop_zeros() -> None:
    result = _result(["failed", "success", "success", "invalid"])
    assert list(render.status_counts(result).items()) == [
        ("success", 2),
        ("failed", 1),
        ("invalid", 1),
    ]


def test_summary_chart_has_status_and_code_bars() -> None:
    result = _result(["success", "failed", "failed"], ["", "OBJECT_NOT_FOUND", "LIMIT_EXCEEDED"])
    out = render.summary_chart_html(result)
    assert 'data-name="success" data-count="1"' in out
    assert 'data-name="OBJECT_NOT_FOUND" data-count="1"' in out
    assert render.STATUS_COLORS["failed"] in out


def test_cells_are_escaped() -> None:
    frame = pd.DataFrame({"note": ["<script>alert(1)</script>", None]})
    out = render.table_html(frame)
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


def test_table_says_when_rows_are_cut() -> None:
    out = render.table_html(pd.DataFrame({"a": range(10)}), max_rows=3)
    assert "first 3 of 10 rows" in out
    assert out.count("<tr>") == 4  # header + 3


def test_issues_html_counts_per_code_with_meaning() -> None:
    issues = pd.DataFrame(
        {
            "sheet": ["S", "S", "S"],
            "row": [3, 4, 5],
            "column": ["from_id", "from_id", "to_id"],
            "value": ["1.2E+11", "x", "2"],
            "code": ["BAD_ID", "BAD_ID", "DUPLICATE_ROW"],
            "message": ["m1", "m2", "m3"],
            "severity": ["error", "error", "warning"],
            "position": [0, 1, 2],
        }
    )
    counts = render.issue_counts_frame(issues)
    assert counts[["code", "rows"]].values.tolist() == [["BAD_ID", 2], ["DUPLICATE_ROW", 1]]
    assert counts.loc[0, "meaning"].startswith("A record id")
    out = render.issues_html(issues, rows_read=10)
    assert "10 rows read. 2 errors and 1 warning found." in out
    assert ">position<" not in out


def test_issues_html_without_issues_is_a_success_message() -> None:
    empty = pd.DataFrame(columns=["sheet", "row", "column", "value", "code", "message", "severity"])
    assert "No problems found" in render.issues_html(empty, rows_read=3)


def test_plan_html_counts_rows_and_batches_per_action() -> None:
    result = _result(["planned", "planned", "planned", "invalid"])
    result.loc[3, "action"] = pd.NA
    table = render.plan_frame(result)
    planned = table[table["status"] == "planned"].iloc[0]
    assert (planned["action"], planned["rows"], planned["batches"]) == ("associate", 3, 2)
    assert "3 of 4 rows would be sent in 2 batches" in render.plan_html(result)


def test_download_link_carries_the_bytes() -> None:
    out = render.download_link_html(b"a,b\n1,2\n", "retry.csv", "Retry file")
    payload = re.search(r"base64,([^\"]+)\"", out)
    assert payload is not None
    assert base64.b64decode(payload.group(1)) == b"a,b\n1,2\n"
    assert 'download="retry.csv"' in out and "text/csv" in out


def test_preview_puts_problems_first() -> None:
    out = render.preview_html(_result(["success", "failed", "success"]))
    assert out.index("failed") < out.index("success")


# --- runner ---------------------------------------------------------------------------------


def test_runner_runs_tasks_in_order_off_the_calling_thread() -> None:
    errors: list[BaseException] = []
    runner = Runner(errors.append)
    seen: list[tuple[int, str]] = []
    main = threading.current_thread().name
    for i in range(3):
        runner.submit(lambda i=i: seen.append((i, threading.current_thread().name)))
    assert runner.wait(5)
    assert [i for i, _ in seen] == [0, 1, 2]
    assert all(name != main for _, name in seen)
    assert not errors
    runner.close()


def test_runner_reports_errors_and_keeps_going() -> None:
    errors: list[BaseException] = []
    runner = Runner(errors.append)
    done = threading.Event()

    def boom() -> None:
        raise ValueError("bad cell")

    runner.submit(boom)
    runner.submit(done.set)
    assert runner.wait(5)
    assert done.is_set()
    assert [str(e) for e in errors] == ["bad cell"]
    runner.close()


def test_runner_wait_is_bounded() -> None:
    runner = Runner(lambda exc: None)
    release = threading.Event()
    runner.submit(lambda: release.wait(5))
    started = time.monotonic()
    assert runner.wait(0.2) is False
    assert time.monotonic() - started < 2
    assert runner.busy
    release.set()
    assert runner.wait(5)
    runner.close()


# --- the app --------------------------------------------------------------------------------

WAIT = 60.0
DEALS = 2040000001
CONTACTS = 1019360001


def _xlsx(
    rows: list[list[object]], *, title: str | None = "Deal links", sheet: str = "Pairs"
) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(app: HubframeApp, name: str, data: bytes) -> None:
    app.upload.value = (
        {
            "name": name,
            "type": "",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime.now(UTC),
        },
    )
    assert app.wait(WAIT)


def _click(app: HubframeApp, button: ipywidgets.Button) -> None:
    button.click()
    assert app.wait(WAIT), "the app's background work did not finish in time"


def _message(app: HubframeApp, step: str | None = None) -> str:
    """The text of the message at the top of the app, or under one step's title."""
    widget = app.message if step is None else app.messages[step]
    return re.sub(r"<[^>]+>", "", widget.value)


def _messages(app: HubframeApp) -> dict[str, str]:
    """Every step that shows a message, and the message."""
    texts = {step: _message(app, step) for step in app.messages}
    return {step: text for step, text in texts.items() if text}


def _pairs_sheet() -> bytes:
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Association label", "Notes"]]
    rows += [[DEALS + i, CONTACTS + i, "Champion" if i % 2 else None, f"n{i}"] for i in range(12)]
    rows.append([DEALS, CONTACTS, None, "repeat of the first row"])
    rows.append([DEALS + 1, 9999999999, None, "contact that does not exist"])
    rows.append(["1.01936E+11", CONTACTS, None, "id shortened by Excel"])
    return _xlsx(rows)


def _pairs_in(sandbox: Sandbox) -> set[tuple[str, str, int]]:
    frame = sandbox.associations("deals", "contacts")
    return {
        (str(f), str(t), int(k))
        for f, t, k in frame[["from_id", "to_id", "type_id"]].itertuples(index=False)
    }


def test_app_runs_a_sheet_end_to_end_on_the_builtin_sandbox(app: HubframeApp) -> None:
    _click(app, app.connect_button)
    assert "Connected to the built-in sandbox" in app.connect_status.value
    assert app.connection is not None and app.connection.sandbox is not None

    _upload(app, "links.xlsx", _pairs_sheet())
    assert "links.xlsx: Excel workbook" in app.file_status.value
    assert app.sheet.value == NONE  # the first sheet with recognised columns, as the CLI reads
    assert "read sheet &#x27;Pairs&#x27;" in app.sheet_notes.value
    assert app.columns["from_id"].value == "Deal ID"
    assert app.columns["to_id"].value == "Contact ID"
    assert app.columns["label"].value == "Association label"
    assert (app.from_type.value, app.to_type.value) == ("deals", "contacts")
    assert "Champion" in [v for _, v in app.label.options]

    _click(app, app.validate_button)
    assert app.issues is not None
    assert set(app.issues["code"]) == {"DUPLICATE_ROW", "BAD_ID"}
    assert "15 rows read. 1 error and 1 warning found." in app.validation.value
    assert "BAD_ID" in app.validation.value and "A record id" in app.validation.value

    _click(app, app.dry_run_button)
    assert app.plan is not None
    assert "13 of 15 rows would be sent in 2 batches" in app.dry_run_output.value
    sandbox = app.connection.sandbox
    assert _pairs_in(sandbox) & {(str(DEALS + 1), str(CONTACTS + 1), 1003)} == set()

    _click(app, app.run_button)
    assert app.result is not None
    counts = render.status_counts(app.result)
    assert counts == {"success": 12, "failed": 1, "invalid": 1, "duplicate": 1}
    assert 'class="hf-count-success" data-count="12"' in app.summary.value
    assert "12 of 15 rows succeeded" in app.summary.value
    assert app.progress.value == app.progress.max
    assert 'data-name="OBJECT_NOT_FOUND"' in app.chart.value
    stored = _pairs_in(sandbox)
    for i in range(12):
        assert (str(DEALS + i), str(CONTACTS + i), 3) in stored
    assert (str(DEALS + 1), str(CONTACTS + 1), 1003) in stored  # "Champion"
    assert _message(app) == ""


def test_app_downloads_the_report_and_a_retry_file(app: HubframeApp, tmp_path: Path) -> None:
    _click(app, app.connect_button)
    _upload(app, "links.xlsx", _pairs_sheet())
    _click(app, app.run_button)  # validates first by itself
    assert sorted(app.downloads) == ["links_report.xlsx", "links_retry.xlsx"]
    assert app.download_links.value.count('class="hf-download"') == 2
    assert "Retry file (2 rows)" in app.download_links.value
    report = tmp_path / "report.xlsx"
    report.write_bytes(app.downloads["links_report.xlsx"])
    from openpyxl import load_workbook

    assert {"Summary", "Results", "Errors", "Validation"} <= set(load_workbook(report).sheetnames)
    retry = tmp_path / "retry.xlsx"
    retry.write_bytes(app.downloads["links_retry.xlsx"])
    again = read_pairs(retry)
    assert sorted(again["Notes"]) == ["contact that does not exist", "id shortened by Excel"]


def test_app_connects_to_an_account_with_a_masked_token_it_then_forgets(
    app: HubframeApp, sandbox: Sandbox
) -> None:
    app.mode.value = "hubspot"
    assert app.token.layout.display is None and app.base_url.layout.display is None
    app.token.value = sandbox.token
    app.base_url.value = sandbox.url
    app.api_version.value = "v4"
    _click(app, app.connect_button)
    assert "Connected to 127.0.0.1" in app.connect_status.value
    assert "API v4" in app.connect_status.value
    assert app.token.value == ""
    assert app.connection is not None and app.connection.sandbox is None
    state = json.dumps([widget.get_state() for widget in _widgets(app.widget)], default=str)
    assert sandbox.token not in state
    assert sandbox.token not in repr(app.connection)


def test_a_wrong_token_is_a_message_not_a_traceback(app: HubframeApp, sandbox: Sandbox) -> None:
    app.mode.value = "hubspot"
    app.token.value = "pat-na1-wrong-token-0000"
    app.base_url.value = sandbox.url
    _click(app, app.connect_button)
    text = _message(app, "connect")
    assert "token" in text.lower()
    assert "Traceback" not in text and "pat-na1-wrong-token-0000" not in text
    assert list(_messages(app)) == ["connect"] and _message(app) == ""
    assert app.connection is None
    assert "Not connected" in app.connect_status.value


@pytest.mark.parametrize(
    ("tail", "what"),
    [
        ("\ud83d", "a character outside ASCII"),
        ("é", "a character outside ASCII"),
        ("\n1", "a line break"),
    ],
    ids=["lone surrogate", "accent", "line break"],
)
def test_a_token_that_cannot_be_one_is_refused_and_forgotten(
    app: HubframeApp, sandbox: Sandbox, tail: str, what: str
) -> None:
    """A token holding a lone surrogate (half of a pasted emoji, as a browser's JSON can carry
    it) failed with "Unexpected error (UnicodeEncodeError)" before the field was cleared, so
    the token stayed in the widget state a saved notebook keeps.  It is refused as any token
    holding a character outside ASCII is, and the field is emptied first."""
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = sandbox.token + tail, sandbox.url
    _click(app, app.connect_button)
    position = len(sandbox.token) + 1
    assert _message(app, "connect").startswith(
        f"The access token holds {what} at character {position} of "
    )
    assert app.token.value == "" and app.connection is None
    state = json.dumps([widget.get_state() for widget in _widgets(app.widget)], default=str)
    assert sandbox.token not in state


def test_problems_before_the_run_are_messages_at_their_step(app: HubframeApp) -> None:
    _click(app, app.validate_button)
    assert "Upload a sheet" in _message(app, "sheet")  # what to fix, where it is fixed
    assert _message(app, "validate") == "Not done: see 3 · Sheet above."  # where it was clicked
    app.path.value = "no/such/file.xlsx"
    _click(app, app.load_button)
    assert "no such file" in _message(app, "sheet")
    app.path.value = str(Path(__file__).parent)
    _click(app, app.load_button)
    assert "is a folder" in _message(app, "sheet")
    _upload(app, "links.xlsx", _pairs_sheet())
    assert _messages(app) == {}  # a good sheet clears the step's message
    _click(app, app.run_button)
    assert "Connect first" in _message(app, "connect")
    assert "see 1 · Connect" in _message(app, "run")
    assert app.result is None
    assert _message(app) == ""  # nothing at the top


def test_unrecognised_headers_are_mapped_with_the_dropdowns(app: HubframeApp) -> None:
    rows: list[list[object]] = [["Deal", "Person", "Comment"]]
    rows += [[DEALS + i, CONTACTS + 40 + i, "x"] for i in range(5)]
    _click(app, app.connect_button)
    _upload(app, "odd.xlsx", _xlsx(rows, title=None))
    assert "no column" in _message(app, "mapping")  # the sheet is fine: its columns need a choice
    assert app.guess is not None and app.guess.headers == ("Deal", "Person", "Comment")
    app.columns["from_id"].value = "Deal"
    app.columns["to_id"].value = "Person"
    app.from_type.value = "deals"
    app.to_type.value = "contacts"
    assert app.wait(WAIT)
    app.label.value = "Budget holder"
    assert app.mapping() == {"Deal": "from_id", "Person": "to_id"}
    _click(app, app.run_button)
    assert app.result is not None
    assert render.status_counts(app.result) == {"success": 5}
    assert app.connection is not None and app.connection.sandbox is not None
    stored = _pairs_in(app.connection.sandbox)
    assert {(str(DEALS + i), str(CONTACTS + 40 + i), 1005) for i in range(5)} <= stored


def test_a_repeated_column_is_never_chosen_for_the_analyst(app: HubframeApp) -> None:
    """A sheet with "Contact ID" twice: the mapping step says so, no dropdown picks either
    column, and running without a choice stops at the mapping step (nothing is sent); choosing
    one runs it."""
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Contact ID"]]
    rows += [[DEALS + i, CONTACTS + 60 + i, CONTACTS + 70 + i] for i in range(3)]
    _click(app, app.connect_button)
    _upload(app, "twice.xlsx", _xlsx(rows, title=None))
    assert '"Contact ID.1" repeats "Contact ID"' in html.unescape(_message(app, "mapping"))
    assert not app.columns["from_id"].value  # the read refused: "Deal ID" is only suggested
    assert app.columns["from_id"].label == "(not picked; suggested: Deal ID)"
    assert not app.columns["to_id"].value  # neither of the two
    _click(app, app.run_button)
    assert app.result is None
    assert '"Contact ID.1" repeats "Contact ID"' in html.unescape(_message(app, "mapping"))
    assert app.connection is not None and app.connection.sandbox is not None
    log = app.connection.sandbox.request_log()
    assert not (log["method"] == "POST").any()  # nothing sent
    app.columns["to_id"].value = "Contact ID.1"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    assert app.wait(WAIT)
    _click(app, app.run_button)
    assert app.result is not None
    assert app.result["to_id"].tolist() == [str(CONTACTS + 70 + i) for i in range(3)]


def test_labels_in_a_column_named_otherwise_are_never_dropped(app: HubframeApp) -> None:
    """A "Contact Role" column holding labels: the mapping step names it, running without a
    choice sends nothing; choosing it as the label column runs the rows with their labels."""
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Contact Role"]]
    rows += [[DEALS + 5 + i, CONTACTS + 80 + i, "Decision maker"] for i in range(2)]
    _click(app, app.connect_button)
    _upload(app, "roles.xlsx", _xlsx(rows, title=None))
    assert '"Contact Role" may hold association labels' in html.unescape(_message(app, "mapping"))
    assert not app.columns["label"].value
    _click(app, app.run_button)
    assert app.result is None
    assert app.connection is not None and app.connection.sandbox is not None
    assert not (app.connection.sandbox.request_log()["method"] == "POST").any()
    app.columns["label"].value = "Contact Role"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    assert app.wait(WAIT)
    _click(app, app.run_button)
    assert app.result is not None
    assert app.result["label"].tolist() == ["Decision maker"] * 2
    assert set(app.result["status"]) == {"success"}, app.result["error_message"].tolist()


def test_an_empty_label_column_beside_a_role_column_sends_nothing(app: HubframeApp) -> None:
    """The Label dropdown suggests the empty "Label" column, the labels stand in "Contact
    Role": running says so and sends nothing; choosing the role column runs them."""
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Label", "Contact Role"]]
    rows += [[DEALS + 7 + i, CONTACTS + 90 + i, None, "Decision maker"] for i in range(2)]
    _click(app, app.connect_button)
    _upload(app, "template.xlsx", _xlsx(rows, title=None))
    assert app.columns["label"].label == "(not picked; suggested: Label)"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    assert app.wait(WAIT)
    _click(app, app.run_button)
    assert app.result is None
    said = html.unescape(" ".join(_messages(app).values()))
    assert 'the column "Label" is empty in every row, and the column "Contact Role"' in said
    assert app.connection is not None and app.connection.sandbox is not None
    assert not (app.connection.sandbox.request_log()["method"] == "POST").any()
    app.columns["label"].value = "Contact Role"
    assert app.wait(WAIT)
    _click(app, app.run_button)
    assert app.result is not None
    assert app.result["label"].tolist() == ["Decision maker"] * 2
    assert set(app.result["status"]) == {"success"}, app.result["error_message"].tolist()


def test_app_configures_limits_from_a_csv_path(app: HubframeApp, tmp_path: Path) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From object,To object,Label,Max associations\n"
        "deals,contacts,Champion,3\n"
        "deals,contacts,Budget holder,0\n",
        encoding="utf-8",
    )
    _click(app, app.connect_button)
    app.job.value = "limits"
    assert app.label.layout.display == "none"
    assert app.columns["max_to_object_ids"].layout.display is None
    app.path.value = str(sheet)
    _click(app, app.load_button)
    assert app.sheet.disabled
    assert app.columns["max_to_object_ids"].value == "Max associations"
    _click(app, app.validate_button)
    assert app.issues is not None and list(app.issues["code"]) == ["BAD_LIMIT"]
    _click(app, app.run_button)
    assert app.result is not None
    assert render.status_counts(app.result) == {"success": 1, "invalid": 1}
    assert app.connection is not None and app.connection.sandbox is not None
    limits = app.connection.sandbox.limits("deals", "contacts")
    champion = limits[limits["label"] == "Champion"]
    assert champion["max_to_object_ids"].tolist() == [3]


@pytest.mark.parametrize("change", ["rewritten", "deleted"])
def test_a_sheet_loaded_from_a_path_is_the_sheet_as_loaded(
    app: HubframeApp, tmp_path: Path, change: str
) -> None:
    """The file was read again at Validate and at Run: rewritten after Load (another sheet,
    more rows) the run sent rows the page, still describing the file as loaded, never
    showed; deleted, Validate failed under 4 · Map columns.  Each step now works on the bytes
    read at Load, as on an upload's."""
    sheet = tmp_path / "pairs.xlsx"
    sheet.write_bytes(_xlsx([["Deal ID", "Contact ID"], [DEALS + 1, CONTACTS + 1]]))
    _click(app, app.connect_button)
    app.path.value = str(sheet)
    _click(app, app.load_button)
    if change == "rewritten":
        more = [["Deal ID", "Contact ID"]] + [[DEALS + i, CONTACTS + i] for i in range(2, 7)]
        sheet.write_bytes(_xlsx(more, sheet="Other"))
    else:
        sheet.unlink()
    _click(app, app.validate_button)
    _click(app, app.run_button)
    assert app.result is not None
    assert app.result["to_id"].tolist() == [str(CONTACTS + 1)]
    assert app.result["sheet"].tolist() == ["Pairs"] and app.result["status"].tolist() == [
        "success"
    ]


def _validated_on(app: HubframeApp, slow: Sandbox, count: int) -> list[list[object]]:
    """Connect the app to ``slow``, load a sheet of ``count`` pairs and validate it; batches of
    5 rows, so a run takes a while.  Returns the sheet's rows (header first)."""
    rows: list[list[object]] = [["Deal ID", "Contact ID"]]
    rows += [[DEALS + i % 80, CONTACTS + i] for i in range(count)]
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = slow.token, slow.url
    _click(app, app.connect_button)
    _upload(app, "some.xlsx", _xlsx(rows))
    _click(app, app.validate_button)
    app.batch_size.value = 5
    return rows


def test_the_run_works_in_the_background_and_cancel_stops_it(
    app: HubframeApp, sandbox_factory: SandboxFactory
) -> None:
    slow = sandbox_factory(seed="demo", latency=(0.15, 0.0), rate_limit=(10, 1.0))
    before = slow.associations("deals", "contacts")
    existed = set(zip(before["from_id"], before["to_id"], strict=True))
    rows = _validated_on(app, slow, 200)
    started = time.monotonic()
    app.run_button.click()
    assert time.monotonic() - started < 1.0  # the click returns at once
    assert app.busy and not app.cancel_button.disabled
    deadline = time.monotonic() + 30
    while app.progress.value == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    app.cancel_button.click()
    assert app.wait(WAIT)
    assert app.result is not None
    counts = render.status_counts(app.result)
    assert 0 < counts.get("success", 0) < 200
    assert counts.get("skipped", 0) > 0
    assert "Cancelled" in app.summary.value
    stored = slow.associations("deals", "contacts")
    stored = stored[stored["type_id"] == 3]
    sent = {(str(deal), str(contact)) for deal, contact in rows[1:]}
    new = sent - existed
    created = {p for p in zip(stored["from_id"], stored["to_id"], strict=True) if p in new}
    assert len(created) == counts["success"] - len(sent & existed)


def test_progress_is_reported_per_batch(app: HubframeApp) -> None:
    seen: list[tuple[int, int]] = []
    original = app._on_progress

    def spy(progress: Progress) -> None:
        seen.append((progress.done, progress.total))
        original(progress)

    app._on_progress = spy  # type: ignore[method-assign]
    rows: list[list[object]] = [["Deal ID", "Contact ID"]]
    rows += [[DEALS + i, CONTACTS + i] for i in range(30)]
    _click(app, app.connect_button)
    _upload(app, "p.xlsx", _xlsx(rows))
    app.batch_size.value = 10
    _click(app, app.run_button)
    assert seen[0] == (0, 30)  # the run says how many rows it sends before the first request
    assert seen[-1] == (30, 30)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_token_never_reaches_a_message(app: HubframeApp, sandbox: Sandbox) -> None:
    secret = "pat-na1-0123456789abcdef"
    app._secret = Secret(secret)
    app._show_error(RuntimeError(f"boom with {secret} inside"))
    assert secret not in app.message.value and "***" in app.message.value


def _widgets(root: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    found = [root]
    for child in getattr(root, "children", ()):
        found += _widgets(child)
    return found


def test_progress_relay_sums_batches_from_many_threads_and_ends_complete() -> None:
    seen: list[Progress] = []
    relay = _ProgressRelay(seen.append, per_second=1000.0)
    relay.start(400)
    threads = [threading.Thread(target=lambda: [relay(5) for _ in range(20)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert seen[-1] == Progress(400, 400)
    assert all(p.done <= p.total for p in seen)


def test_progress_relay_throttles_updates_but_never_the_last() -> None:
    seen: list[Progress] = []
    relay = _ProgressRelay(seen.append, per_second=1.0)
    relay.start(100)
    for _ in range(10):
        relay(10)
    assert seen == [Progress(0, 100), Progress(10, 100), Progress(100, 100)]


def test_every_control_of_the_app_is_on_screen(app: HubframeApp) -> None:
    shown = {id(widget) for widget in _widgets(app.widget)}
    controls = {
        name: value
        for name, value in vars(app).items()
        if isinstance(value, ipywidgets.Widget) and name != "widget"
    }
    controls.update({f"columns[{k}]": v for k, v in app.columns.items()})
    missing = sorted(name for name, widget in controls.items() if id(widget) not in shown)
    assert missing == []
    assert len(controls) > 30


def test_counts_read_as_english() -> None:
    assert [render.plural(n, "row") for n in (0, 1, 2, 1200)] == [
        "0 rows",
        "1 row",
        "2 rows",
        "1,200 rows",
    ]
    assert render.plural(1, "batch") == "1 batch" and render.plural(3, "batch") == "3 batches"


def test_long_messages_wrap_but_other_cells_do_not() -> None:
    out = render.table_html(pd.DataFrame({"row": [2], "error_message": ["x " * 200]}))
    cells = re.findall(r'<td style="([^"]+)">', out)
    assert "white-space:nowrap" in cells[0] and "white-space:normal;min-width:420px" in cells[1]


def test_preview_shows_where_and_what_happened_first() -> None:
    result = _result(["success", "failed"]).assign(error_message=["", "Contact 9 does not exist."])
    head = re.findall(r"<th[^>]*>([^<]+)</th>", render.preview_html(result))
    assert head[:5] == ["Sheet", "Row", "Status", "Problem", "Message"]


def test_a_damaged_workbook_is_a_message(app: HubframeApp) -> None:
    _upload(app, "broken.xlsx", b"PK\x03\x04 this is not really a workbook")
    text = _message(app, "sheet")
    assert "broken.xlsx" in text and "Traceback" not in text
    assert app.source is None


def test_errors_in_widget_callbacks_are_messages(app: HubframeApp) -> None:
    item = {"name": "x.csv", "type": "", "size": 0, "last_modified": datetime.now(UTC)}
    app.upload.value = ({**item, "content": None},)  # not what the browser sends
    assert app.wait(WAIT)
    assert _message(app, "sheet").startswith("Unexpected error")


def test_app_marks_hidden_sheets_and_reads_the_first_visible_by_default(app: HubframeApp) -> None:
    from openpyxl import Workbook

    book = Workbook()
    old = book.active
    old.title = "Archive"
    old.append(["Deal ID", "Contact ID"])
    old.sheet_state = "hidden"
    pairs = book.create_sheet("Pairs")
    pairs.append(["Deal ID", "Contact ID"])
    pairs.append([DEALS, CONTACTS])
    buffer = io.BytesIO()
    book.save(buffer)
    _upload(app, "links.xlsx", buffer.getvalue())
    assert list(app.sheet.options) == [
        (FIRST_SHEET, NONE),
        ("Archive (hidden)", "Archive"),
        ("Pairs", "Pairs"),
        ("All visible sheets", "*"),
    ]
    assert app.sheet.value == NONE
    assert "read sheet &#x27;Pairs&#x27;" in app.sheet_notes.value
    assert app.columns["from_id"].value == "Deal ID"


def test_validate_checks_in_hubspot_what_the_run_would_check(app: HubframeApp) -> None:
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Association label"]]
    rows += [[DEALS + 60, CONTACTS + 60, "Champ"], [DEALS + 61, 1019399999, ""]]
    rows += [[DEALS + 62, CONTACTS + 62, "Champion"]]
    _upload(app, "links.xlsx", _xlsx(rows))
    _click(app, app.validate_button)  # not connected: the sheet's own checks only
    assert app.issues is not None and app.issues.empty
    _click(app, app.connect_button)
    _click(app, app.validate_button)
    assert app.issues is not None and list(app.issues["code"]) == ["UNKNOWN_LABEL"]
    assert "Checked in HubSpot too" in app.validation.value
    app.check_records.value = True
    _click(app, app.validate_button)
    assert list(app.issues["code"]) == ["UNKNOWN_LABEL", "OBJECT_NOT_FOUND"]
    _click(app, app.run_button)  # the run does not send what validate called an error
    assert app.result is not None
    assert app.result["status"].tolist() == ["invalid", "invalid", "success"]


# --- the analyst's language, tuning under Advanced, reports saved to a folder -------------------

INTERNAL_NAMES = ("to_id", "from_id", "associate_default", "purge_limit", "max_to_object_ids")


def _screen(app: HubframeApp) -> str:
    """Everything the app shows as text (HTML tags, attributes and styles removed)."""
    parts = [getattr(widget, "value", "") for widget in _widgets(app.widget)]
    parts = [p for p in parts if isinstance(p, str)]
    parts += [getattr(widget, "description", "") for widget in _widgets(app.widget)]
    return re.sub(r"<[^>]+>", " ", " ".join(parts))


def test_no_internal_names_on_screen(app: HubframeApp, tmp_path: Path) -> None:
    rows: list[list[object]] = [["Deal ID", "Contact ID"]]
    rows += [[DEALS + 70, CONTACTS + 70], [DEALS + 71, "12ab"], [DEALS + 72, CONTACTS + 72]]
    _click(app, app.connect_button)
    _upload(app, "links.xlsx", _xlsx(rows))
    _click(app, app.validate_button)
    _click(app, app.dry_run_button)
    _click(app, app.run_button)
    screen = _screen(app)
    assert "link without label" in screen and "Contact ID" in screen
    assert not [name for name in INTERNAL_NAMES if re.search(rf"\b{name}\b", screen)], screen
    limits = tmp_path / "limits.csv"
    limits.write_text(
        "From,To,Label,Max\ncontacts,companies,Employee,remove\ndeals,contacts,,\n",
        encoding="utf-8",
    )
    app.job.value = "limits"
    app.path.value = str(limits)
    _click(app, app.load_button)
    _click(app, app.dry_run_button)
    screen = _screen(app)
    assert "remove limit" in screen and "removes the limit of 1" in screen
    assert "BLANK_LIMIT" in screen  # the empty cell: said, not removed
    assert not [name for name in INTERNAL_NAMES if re.search(rf"\b{name}\b", screen)], screen


def test_tuning_lives_under_advanced_with_an_explanation(app: HubframeApp) -> None:
    panels = [w for w in _widgets(app.widget) if isinstance(w, ipywidgets.Accordion)]
    assert len(panels) == 2 and all(p.selected_index is None for p in panels)  # folded away
    inside = {id(w) for p in panels for w in _widgets(p)}
    assert id(app.batch_size) in inside and id(app.api_version) in inside
    run_panel = next(p for p in panels if id(app.batch_size) in {id(w) for w in _widgets(p)})
    assert run_panel.get_title(0) == "Advanced"
    explained = " ".join(str(getattr(w, "value", "")) for w in _widgets(run_panel))
    assert "Rows sent per request" in explained


def test_reports_are_saved_to_a_folder_and_large_ones_are_not_downloads(
    tmp_path: Path,
) -> None:
    app = HubframeApp(max_download_bytes=1_000)  # every report is "large" here
    try:
        _click(app, app.connect_button)
        _upload(app, "links.xlsx", _pairs_sheet())
        assert app.save_button.disabled  # nothing to save yet
        _click(app, app.run_button)
        assert app.downloads == {}
        assert "hf-download" not in app.download_links.value
        assert "Too large to download" in app.download_links.value
        folder = tmp_path / "out" / "reports"
        app.save_folder.value = str(folder)
        _click(app, app.save_button)
        assert sorted(p.name for p in folder.iterdir()) == ["links_report.xlsx", "links_retry.xlsx"]
        assert str(folder / "links_report.xlsx") in app.saved_paths.value  # the path, shown
        _click(app, app.save_button)  # again: the files saved are those files
        assert sorted(p.name for p in folder.iterdir()) == ["links_report.xlsx", "links_retry.xlsx"]
        (folder / "links_report.xlsx").write_bytes(b"edited")  # changed: never written over
        _click(app, app.save_button)
        assert "links_report (2).xlsx" in {p.name for p in folder.iterdir()}
        assert (folder / "links_report.xlsx").read_bytes() == b"edited"
        a_file = tmp_path / "notes.txt"
        a_file.write_text("x", encoding="utf-8")
        app.save_folder.value = str(a_file)
        _click(app, app.save_button)
        assert "not a folder" in _message(app, "results")
    finally:
        app.close()


def test_a_rehearsal_runs_a_sheet_of_my_own_records(app: HubframeApp) -> None:
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Association label"]]
    rows += [[81000000001 + i, 71000000001 + i, "Sponsor" if i % 2 else None] for i in range(4)]
    _upload(app, "mine.xlsx", _xlsx(rows))
    app.mode.value = "rehearse"
    _click(app, app.connect_button)
    assert "rehearsal sandbox" in app.connect_status.value
    _click(app, app.run_button)
    assert app.result is not None
    assert render.status_counts(app.result) == {"success": 4}
    assert app.connection is not None and app.connection.sandbox is not None
    made = app.connection.sandbox.rehearsal
    assert made is not None and made.records == {"deals": 4, "contacts": 4}
    assert made.labels == [("deals", "contacts", "Sponsor")]


def test_validate_names_a_hidden_column_the_read_uses(app: HubframeApp) -> None:
    """The app shows the read's warnings above the issues: a hidden "Contact ID" column beside
    the emails the analyst edited is what would be sent."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Pairs"
    ws.append(["Deal ID", "Contact ID", "Contact email"])
    ws.append([DEALS, CONTACTS, "someone@example.com"])
    ws.column_dimensions["B"].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    _click(app, app.connect_button)
    _upload(app, "hidden.xlsx", buffer.getvalue())
    _click(app, app.validate_button)
    shown = html.unescape(re.sub(r"<[^>]+>", "", app.validation.value))
    assert "the column 'Contact ID' is hidden in the workbook" in shown
    assert "1 row read. No problems found." in shown


def test_inputs_that_reset_the_steps_are_locked_while_a_run_works(
    app: HubframeApp, sandbox_factory: SandboxFactory
) -> None:
    """A sheet uploaded or a job chosen during a run cleared its result before it could be saved
    (the change reset the steps once the run was done): such inputs are disabled while busy."""
    _validated_on(app, sandbox_factory(seed="demo", latency=(0.2, 0.0), rate_limit=(10, 1.0)), 30)
    inputs = [app.upload, app.job, app.label, app.from_type, app.columns["to_id"], app.mode]
    assert not any(widget.disabled for widget in inputs)
    assert not app.sheet.disabled  # a workbook: its sheets can be chosen
    app.run_button.click()
    assert app.busy
    locked = [*inputs, app.sheet, app.path, app.batch_size, app.sync_options.removals]
    assert all(widget.disabled for widget in locked), [w for w in locked if not w.disabled]
    assert not app.cancel_button.disabled  # Cancel stays at hand
    assert app.wait(WAIT)
    assert app.result is not None and len(app.result) == 30
    assert not any(widget.disabled for widget in inputs) and not app.sheet.disabled
    _upload(app, "pairs.csv", b"Deal ID,Contact ID\n2040000001,1019360001\n")
    assert app.sheet.disabled  # a text file has one table, also after the work is done
