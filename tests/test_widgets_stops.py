"""A run that stopped before its last row: HubSpot refused the token, its daily limit was
reached, or Cancel was clicked.  The run step says why, as the command line does, and the
headline counts the rows that need attention as the retry file holds them.  Driven headlessly
against a sandbox behind tests/faultproxy.py, over HTTP."""

from __future__ import annotations

import html
import io
import re
import time

import pandas as pd
import pytest
from app_driver import WAIT, click, upload
from faultproxy import FaultProxy

from hubframe.errors import CODE_INFO, ErrorCode
from hubframe.testing import SandboxFactory
from hubframe.widgets import HubframeApp

DEALS = 2040000001
CONTACTS = 1019360001


def _sheet(count: int) -> bytes:
    """``count`` deal -> contact pairs: sent in batches of 5, many are still to send when
    HubSpot stops the run, whatever the pool has in flight."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Deal ID", "Contact ID"])
    for i in range(count):
        sheet.append([DEALS + i % 80, CONTACTS + i])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def _headline(app: HubframeApp) -> str:
    """The summary's first message: the headline."""
    found = re.search(r"<div[^>]*>(.*?)</div>", app.summary.value, re.S)
    assert found is not None
    return _text(found.group(1))


def _retry_rows(app: HubframeApp) -> int:
    """The rows of the retry file offered, as its link says and as the file holds."""
    found = re.search(r"Retry file \(([\d,]+) rows?\)", _text(app.download_links.value))
    assert found is not None
    said = int(found.group(1).replace(",", ""))
    name = next(name for name in app.downloads if "_retry" in name)
    assert len(pd.read_excel(io.BytesIO(app.downloads[name]), engine="openpyxl")) == said
    return said


def _undone(result: pd.DataFrame, code: ErrorCode) -> int:
    skipped = result["status"].astype("string") == "skipped"
    return int((skipped & (result["error_code"].astype("string") == str(code))).sum())


def _attention(app: HubframeApp, rows: int) -> str:
    assert app.result is not None
    done = int((app.result["status"] == "success").sum())
    return (
        f"{done:,} of {len(app.result):,} rows succeeded. {rows:,} rows need attention: see the "
        "table below and the retry file."
    )


@pytest.mark.parametrize(
    ("then", "code"),
    [("token:pat-na1-revoked-00000000", ErrorCode.UNAUTHORIZED), ("daily", ErrorCode.RATE_LIMITED)],
    ids=["token revoked", "daily limit"],
)
def test_a_run_hubspot_stopped_says_why_and_counts_the_rows_not_done(
    app: HubframeApp, sandbox_factory: SandboxFactory, then: str, code: ErrorCode
) -> None:
    """HubSpot stopped accepting the token (or its daily limit was reached) mid-run: the page
    said nothing of it, and the headline's "6 rows need attention" disagreed with the 38-row
    retry file.  The command line fails such a run with "HubSpot did not accept the access
    token ... (32 rows not done)"; the app now says the same at the run step and in its
    headline, and counts every row the retry file holds."""
    sandbox = sandbox_factory(seed="demo")
    with FaultProxy(sandbox, lose=2, then=then) as proxy:
        app.mode.value = "hubspot"
        app.token.value, app.base_url.value = sandbox.token, proxy.url
        click(app, app.connect_button)
        # 200 batches, not 40: the pool's 32 writes in flight with the lost one all forwarded
        # before its answer is lost (the cue) left no row unsent on a busy machine
        upload(app, "pairs.xlsx", _sheet(1000))
        app.batch_size.value = 5
        click(app, app.run_button)
    assert app.result is not None
    undone = _undone(app.result, code)
    assert undone > 0
    if code is ErrorCode.UNAUTHORIZED:  # a whole-run failure: the command line's words
        info = CODE_INFO[code]
        why = f"The run stopped: {info.meaning} {info.action} ({undone} rows not done)"
    else:  # the daily limit: as its unsent rows say it
        said = app.result.loc[app.result["error_code"] == str(code), "error_message"].iloc[0]
        why = f"{said.removeprefix('Not sent: ')} ({undone} rows not done)"
        assert why.startswith("HubSpot's daily API limit was reached, so the run stopped")
    assert _text(app.messages["run"].value) == why
    assert _headline(app) == f"{why}. {_attention(app, _retry_rows(app))}"


def test_a_cancelled_run_counts_the_rows_it_left_as_the_retry_file_does(
    app: HubframeApp, sandbox_factory: SandboxFactory
) -> None:
    """After Cancel the headline said only the failed and invalid rows "need attention", not
    the rows the cancel left unsent, which the retry file holds."""
    slow = sandbox_factory(seed="demo", latency=(0.15, 0.0), rate_limit=(3, 1.0))
    app.mode.value = "hubspot"
    app.token.value, app.base_url.value = slow.token, slow.url
    click(app, app.connect_button)
    upload(app, "pairs.xlsx", _sheet(200))
    app.batch_size.value = 5
    app.run_button.click()
    deadline = time.monotonic() + WAIT
    while app.progress.value == 0 and time.monotonic() < deadline:  # a batch is back
        time.sleep(0.02)
    app.cancel_button.click()
    assert app.wait(WAIT)
    assert app.result is not None
    left = _undone(app.result, ErrorCode.CANCELLED)
    assert left > 0
    cancelled = f"Cancelled: {left} rows not sent (skipped, CANCELLED)."
    assert _headline(app) == f"{cancelled} {_attention(app, _retry_rows(app))}"
    assert _text(app.live_counts.value).startswith(f"{(app.result['status'] == 'success').sum()}")
    assert _text(app.messages["run"].value) == ""
