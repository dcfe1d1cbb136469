"""Runs of the app can be undone from their reports, as command-line runs are: a real run records
which pairs existed before it.  Run clicked again sends every row again, says so, and keeps the
earlier run's report, the only one that undoes that run (a sync run again keeps the earlier
sync's).  Driven headlessly against the built-in sandbox; the portal itself is the oracle."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from app_driver import click, upload

from hubframe.jobs import undo
from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.widgets import HubframeApp
from hubframe.widgets.app import RUN_AGAIN, SYNC_AGAIN

DEAL, CONTACT = 2040000001, 1019360001  # associated in the demo portal (unlabeled and labels)
NEW_DEAL, NEW_CONTACT = 2040000050, 1019360230  # not associated in the demo portal

Links = set[tuple[str, str, int]]
SHEETS: dict[str, list[list[object]]] = {
    "new pairs": [[NEW_DEAL + i, NEW_CONTACT + i, None] for i in range(3)],
    "pairs there already and new": [[DEAL, CONTACT, None], [NEW_DEAL, NEW_CONTACT + 5, None]],
    "labels on new and existing pairs": [
        [DEAL, CONTACT, "Champion"],
        [NEW_DEAL + 1, NEW_CONTACT + 7, "Champion"],
        [NEW_DEAL + 1, NEW_CONTACT + 7, None],
    ],
}


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Deal ID", "Contact ID", "Association label"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _links(app: HubframeApp) -> Links:
    assert app.connection is not None and isinstance(app.connection.sandbox, Sandbox)
    frame = app.connection.sandbox.associations("deals", "contacts")
    return {(str(f), str(t), int(k)) for f, t, k in frame[["from_id", "to_id", "type_id"]].values}


def _undo_from(app: HubframeApp, report: Path) -> list[str]:
    """Undo the run ``report`` was saved from; the error codes of its rows."""
    assert app.connection is not None
    result = undo(report, app.connection.client, progress=False)
    return [str(code) for code in result["error_code"].dropna()]


def _loaded(app: HubframeApp, rows: list[list[object]]) -> Links:
    click(app, app.connect_button)
    upload(app, "links.xlsx", _xlsx(rows))
    return _links(app)


@pytest.mark.parametrize("sheet", sorted(SHEETS))
def test_a_report_saved_from_the_app_undoes_its_run(
    app: HubframeApp, tmp_path: Path, sheet: str
) -> None:
    """The app ran without recording what existed before, so ``hubframe undo`` of its report
    marked every row NOT_UNDOABLE and took nothing back."""
    before = _loaded(app, SHEETS[sheet])
    click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    assert _links(app) != before
    app.save_folder.value = str(tmp_path)
    click(app, app.save_button)
    assert "NOT_UNDOABLE" not in _undo_from(app, app.saved[0])
    assert _links(app) == before


def test_run_again_that_reached_no_hubspot_does_not_say_every_row_was_sent(
    app: HubframeApp,
) -> None:
    """The second run found HubSpot gone (the sandbox stopped): nothing was sent, and the page
    said "every row was sent a second time" all the same."""
    _loaded(app, SHEETS["new pairs"])
    click(app, app.run_button)
    assert app.connection is not None and app.connection.sandbox is not None
    app.connection.sandbox.stop()
    app.connection.client.max_retries = 1  # gone for good: no need to wait for six retries
    click(app, app.run_button)
    said = html.unescape(re.sub(r"<[^>]+>", "", app.messages["run"].value))
    assert "sent a second time" not in said, said
    assert app.result is not None and app.result["http_status"].isna().all(), app.result


def test_run_clicked_again_says_so_and_keeps_the_earlier_report(
    app: HubframeApp, tmp_path: Path
) -> None:
    """A second click of Run re-sent every row and replaced the report without a word; that
    report could not undo the first run.  Now the page says so and keeps the earlier report,
    which undoes the first run; the second's undo leaves what was there before it."""
    before = _loaded(app, SHEETS["labels on new and existing pairs"])
    click(app, app.run_button)
    after_first = _links(app)
    assert not app.messages["run"].value
    click(app, app.run_button)
    assert html.unescape(re.sub(r"<[^>]+>", "", app.messages["run"].value)) == RUN_AGAIN
    assert app.result is not None and app.result["existed_before"].all()
    assert set(app.downloads) == {"links_report.xlsx", "links_report (run 1).xlsx"}
    assert "Report of run 1" in app.download_links.value
    app.save_folder.value = str(tmp_path)
    click(app, app.save_button)
    names = sorted(path.name for path in app.saved)
    assert names == ["links_report (run 1).xlsx", "links_report (run 2).xlsx"]
    assert "NOT_UNDOABLE" not in _undo_from(app, tmp_path / "links_report (run 2).xlsx")
    assert _links(app) == after_first  # all there before the second run: left in place
    earlier = tmp_path / "links_report (run 1).xlsx"
    assert "NOT_UNDOABLE" not in _undo_from(app, earlier)
    assert _links(app) == before
    app.label.value = "Champion"  # a change: the result goes, the last run's report stays
    assert app.result is None and list(app._earlier) == [
        "links_report (run 1).xlsx",
        "links_report (run 2).xlsx",
    ]
    assert "Report of the last run" in app.download_links.value


def test_the_last_runs_report_stays_when_another_file_is_uploaded(
    app: HubframeApp, tmp_path: Path
) -> None:
    """A run, then the next file uploaded (or any setting changed): the run's results and its
    report went from the page, and with them the only way to undo it from the app's report.
    The report is kept, offered and saved; it undoes the run."""
    before = _loaded(app, SHEETS["new pairs"])
    click(app, app.run_button)
    assert _links(app) != before
    upload(app, "next.xlsx", _xlsx(SHEETS["pairs there already and new"]))
    assert app.result is None and "Report of the last run" in app.download_links.value
    assert not app.save_button.disabled
    app.save_folder.value = str(tmp_path / "kept")
    click(app, app.save_button)
    assert [p.name for p in app.saved] == ["links_report (run 1).xlsx"]  # its own name
    click(app, app.run_button)  # the next file's run: the kept report is still offered
    assert "Report of run 1" in app.download_links.value
    assert not app.messages["run"].value  # not "run again": another sheet
    assert "NOT_UNDOABLE" not in _undo_from(app, app.saved[0])
    assert {link for link in _links(app) if str(NEW_CONTACT) in link[1]} == {
        link for link in before if str(NEW_CONTACT) in link[1]
    }


def test_a_sync_run_again_keeps_the_earlier_syncs_report(app: HubframeApp, tmp_path: Path) -> None:
    """A sync that removed the deal's other links, then Run again (a new diff, then a sync
    with nothing left to change): the first sync's report, the only one that puts the links
    back, went from the page and from Save report without a word.  It is kept and said, as
    for an associate run, and it undoes the first sync."""
    click(app, app.connect_button)
    before = _links(app)
    sheet = pd.DataFrame(
        {
            "from_type": ["deals"],
            "from_id": [str(DEAL)],
            "to_type": ["contacts"],
            "to_id": [str(CONTACT)],
            "label": ["Decision maker"],
        }
    )
    app.job.value = "sync"
    upload(app, "links.xlsx", write_pairs(sheet, tmp_path / "links.xlsx").read_bytes())
    app.sync_options.removals.value = True
    app.sync_options.max_removals.value = 100
    click(app, app.run_button)  # the diff
    click(app, app.run_button)  # sync 1: removes the deal's other links
    assert app.result is not None and "remove" in set(app.result["change"])
    assert not app.messages["run"].value
    click(app, app.run_button)  # Run again: a new diff first
    click(app, app.run_button)  # sync 2: nothing left to change
    assert html.unescape(re.sub(r"<[^>]+>", "", app.messages["run"].value)) == SYNC_AGAIN
    assert set(app.downloads) == {"links_report.xlsx", "links_report (run 1).xlsx"}
    assert "Report of run 1" in app.download_links.value
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)
    assert sorted(path.name for path in app.saved) == [
        "links_report (run 1).xlsx",
        "links_report (run 2).xlsx",
    ]
    assert _links(app) != before
    assert "NOT_UNDOABLE" not in _undo_from(app, tmp_path / "out/links_report (run 1).xlsx")
    assert _links(app) == before
