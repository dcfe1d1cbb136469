"""The reports the app keeps of its runs, and every change on the page applied whatever befalls
them.  A change after a run wrote that run's report first and cleared what was read only after:
when the write failed (the temp folder full or gone), the stale rows stayed and the next Run sent
them, without the label picked for all rows.  Only one earlier report was kept, so after three
runs the first run's, the only one that undoes it, was gone; an export hid the last run's.
Driven headlessly against the built-in sandbox, over HTTP; the portal is the oracle."""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from app_driver import click, upload

from hubframe.jobs import undo
from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import xlsx_bytes
from hubframe.widgets import HubframeApp, kept
from hubframe.widgets.backend import FileKind
from hubframe.widgets.portal import REVIEW

DEALS, CONTACTS = 2040000001, 1019360001
NEW_DEAL, NEW_CONTACT = 2040000050, 1019360230  # not associated in the demo portal
SHEET = xlsx_bytes(  # the types picked on the page
    [["From ID", "To ID", "Notes"]]
    + [[DEALS + 71 + i, CONTACTS + 201 + i, str(CONTACTS + 210 + i)] for i in range(2)]
)
OTHER = xlsx_bytes(
    [["Deal ID", "Contact ID"]] + [[DEALS + 81 + i, CONTACTS + 221 + i] for i in range(2)]
)
SENT = ["from_type", "from_id", "to_type", "to_id", "label"]
Links = set[tuple[str, str, int]]


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def _links(app: HubframeApp) -> Links:
    assert app.connection is not None and isinstance(app.connection.sandbox, Sandbox)
    frame = app.connection.sandbox.associations("deals", "contacts")
    return {(str(f), str(t), int(k)) for f, t, k in frame[["from_id", "to_id", "type_id"]].values}


def _sent(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows = frame[[c for c in SENT if c in frame.columns]].astype("string")
    return rows.fillna("").to_dict("records")


def _upload_other(app: HubframeApp) -> None:
    upload(app, "other.xlsx", OTHER)


def _to_column(app: HubframeApp) -> None:
    app.columns["to_id"].value = "Notes"


def _types(app: HubframeApp) -> None:
    app.to_type.value = "companies"


def _label(app: HubframeApp) -> None:
    app.label.value = "Champion"


def _remove_blank(app: HubframeApp) -> None:
    app.remove_blank.value = True


def _job(app: HubframeApp) -> None:
    app.job.value = "sync"
    assert app.wait(60)
    app.from_type.value, app.to_type.value = "deals", "contacts"  # the sheet read afresh


#: Every input whose change resets what was read, validated, planned or run.
CHANGES: dict[str, Callable[[HubframeApp], None]] = {
    "upload": _upload_other,
    "columns": _to_column,
    "types": _types,
    "label": _label,
    "limits option": _remove_blank,
    "job": _job,
}


@pytest.fixture
def no_temp_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[bool], None]:
    """The temp folder gone (a full or cleaned temp disk): every report write fails."""

    def gone(on: bool) -> None:
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone") if on else None)

    return gone


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_is_applied_when_the_last_runs_report_cannot_be_written(
    app: HubframeApp, no_temp_folder: Callable[[bool], None], tmp_path: Path, change: str
) -> None:
    """The change clears what was read although the kept report could not be made for the
    page (it is never made by the change: the worker tried when the run ended), says so at the
    results, not under Map columns, and the next Run sends what the page shows."""
    click(app, app.connect_button)
    upload(app, "a.xlsx", SHEET)
    app.from_type.value, app.to_type.value = "deals", "contacts"
    no_temp_folder(True)  # the report cannot be made for the page when the run ends
    click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    assert "could not" in _text(app.messages["results"].value)
    CHANGES[change](app)
    assert app.wait(60)
    assert (app.frame, app.issues, app.plan, app.result) == (None, None, None, None)
    assert "report" not in _text(app.messages["mapping"].value)
    assert "could not" in _text(app.messages["results"].value)
    no_temp_folder(False)
    page = app._read()  # the rows as the page shows them now
    click(app, app.run_button)
    if app.job.value == "sync":  # the first click shows the diff
        click(app, app.run_button)
    assert app.result is not None, app.messages["run"].value
    assert _sent(app.result) == _sent(page)
    assert [report.name.endswith("(run 1).xlsx") for report in app._earlier.values()] == [True]
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)  # the kept report, made now that the temp folder is back
    assert "a_report (run 1).xlsx" in {path.name for path in app.saved}


@pytest.mark.parametrize("option", ["removals", "max_removals"])
def test_a_sync_option_changed_when_the_report_cannot_be_written(
    app: HubframeApp, no_temp_folder: Callable[[bool], None], tmp_path: Path, option: str
) -> None:
    """A sync option toggled after a sync, with the report write failing, raised into the
    cell and left the diff shown before: the next Run applied it unseen.  Now it is said,
    and the next Run shows the new diff first."""
    click(app, app.connect_button)
    sheet = pd.DataFrame(
        {"from_type": ["deals"], "from_id": [str(DEALS)]}
        | {"to_type": ["contacts"], "to_id": [str(CONTACTS)], "label": ["Decision maker"]}
    )
    app.job.value = "sync"
    upload(app, "links.xlsx", write_pairs(sheet, tmp_path / "links.xlsx").read_bytes())
    click(app, app.run_button)  # the diff
    click(app, app.run_button)  # the sync
    click(app, app.run_button)  # the next diff, shown
    assert app.plan is not None
    no_temp_folder(True)
    if option == "removals":
        app.sync_options.removals.value = True
    else:
        app.sync_options.max_removals.value = 100
    assert app.plan is None and app.frame is None
    no_temp_folder(False)
    before = _links(app)
    click(app, app.run_button)
    assert _text(app.message.value) == REVIEW and _links(app) == before


def _run(app: HubframeApp, times: int = 1) -> None:
    for _ in range(times):
        click(app, app.run_button)
        assert app.result is not None and "status" in app.result.columns


def _undo_all(app: HubframeApp, folder: Path) -> None:
    """Undo every report saved to ``folder``, the latest run first."""
    assert app.connection is not None
    reports = [p for p in folder.iterdir() if "_report" in p.name]
    for path in sorted(reports, key=lambda p: p.stat().st_mtime_ns, reverse=True):
        undo(path, app.connection.client, progress=False)


def _pairs_csv(n: int, first: int = 0) -> bytes:
    lines = [f"{NEW_DEAL + first + i},{NEW_CONTACT + first + i}" for i in range(n)]
    return ("Deal ID,Contact ID\n" + "\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("runs", [2, 3, 4])
def test_every_runs_report_is_kept_and_undoes_it(
    app: HubframeApp, tmp_path: Path, runs: int
) -> None:
    """Run clicked again and again: every earlier run's report is offered and saved, each under
    its own name, and undoing them all takes back what run 1 created."""
    click(app, app.connect_button)
    before = _links(app)
    upload(app, "A.csv", _pairs_csv(2))
    _run(app, runs)
    names = [f"A_report (run {n}).xlsx" for n in range(1, runs)]
    assert set(app.downloads) == {"A_report.xlsx", *names}
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)
    # saved beside "(run 1)", the shown run's is named after its run too: as "A_report.xlsx"
    # again, it became "A_report (2).xlsx", read as run 2's report (helper-193)
    shown = f"A_report (run {runs}).xlsx"
    assert sorted(p.name for p in app.saved) == sorted([shown, *names])
    first = {p.name: p.stat().st_mtime_ns for p in app.saved}
    click(app, app.save_button)  # again: the earlier runs' reports are the files saved then
    again = sorted(p.name for p in app.saved)
    assert again == sorted(first), again  # not written again as "(run 1) (2).xlsx"
    assert all((tmp_path / "out" / n).stat().st_mtime_ns == first[n] for n in again)
    _undo_all(app, tmp_path / "out")
    assert _links(app) == before


def test_a_report_kept_across_sheets_and_runs_again(app: HubframeApp, tmp_path: Path) -> None:
    """Run A, upload B, run B twice: A's report (the one that undoes A) stays with B's."""
    click(app, app.connect_button)
    before = _links(app)
    upload(app, "A.csv", _pairs_csv(2))
    _run(app)
    upload(app, "B.csv", _pairs_csv(2, first=5))
    _run(app, 2)
    assert set(app.downloads) == {"B_report.xlsx", "A_report (run 1).xlsx", "B_report (run 2).xlsx"}
    app.label.value = "Champion"  # a change: the shown run's report joins the kept ones
    assert set(app._earlier) == {
        "A_report (run 1).xlsx",
        "B_report (run 2).xlsx",
        "B_report (run 3).xlsx",
    }
    assert "Report of the last run" in app.download_links.value
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)
    assert len(app.saved) == 3
    _undo_all(app, tmp_path / "out")
    assert _links(app) == before


def test_an_export_keeps_the_last_runs_report_on_the_page(app: HubframeApp, tmp_path: Path) -> None:
    """An export after a run removed the run's report from the page and from Save report."""
    click(app, app.connect_button)
    upload(app, "A.csv", _pairs_csv(2))
    _run(app)
    app.job.value = "export"
    assert app.wait(60)
    app.from_type.value, app.to_type.value = "deals", "contacts"
    click(app, app.run_button)
    assert app.result is not None and "status" not in app.result.columns
    assert "A_report (run 1).xlsx" in app.download_links.value
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)
    assert "A_report (run 1).xlsx" in {p.name for p in app.saved}
    assert len(app.saved) == 3  # the export's .xlsx and .csv, and the run's report


def test_reports_of_runs_that_changed_nothing_give_way_first(
    app: HubframeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the bound, the oldest report of a run that changed nothing goes, and the page says
    so; the report of the run that created the links is never dropped."""
    monkeypatch.setattr(kept, "MAX_KEPT", 2)
    click(app, app.connect_button)
    before = _links(app)
    upload(app, "A.csv", _pairs_csv(2))
    _run(app, 5)  # run 1 creates; runs 2 to 5 find the pairs there
    assert "A_report (run 1).xlsx" in app.downloads
    assert len(app._earlier) == 2
    assert "changed nothing" in _text(app.download_links.value)
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)
    _undo_all(app, tmp_path / "out")
    assert _links(app) == before


def test_an_earlier_report_saved_is_written_again_only_when_its_file_changed(
    app: HubframeApp, tmp_path: Path
) -> None:
    """Each Save report wrote every earlier run's report anew beside the one saved before
    ("a_report (run 1) (2).xlsx", "(3)" ...); one deleted or changed since is written again."""
    click(app, app.connect_button)
    upload(app, "A.csv", _pairs_csv(2))
    _run(app, 4)
    out = tmp_path / "out"
    app.save_folder.value = str(out)
    click(app, app.save_button)
    (out / "A_report (run 1).xlsx").unlink()
    (out / "A_report (run 2).xlsx").write_bytes(b"edited")
    click(app, app.save_button)
    again = {p.name for p in app.saved}
    assert {"A_report (run 1).xlsx", "A_report (run 2) (2).xlsx"} <= again, again
    assert "A_report (run 3).xlsx" in again and "A_report (run 3) (2).xlsx" not in again
    assert (out / "A_report (run 2).xlsx").read_bytes() == b"edited"  # never written over
    app.save_folder.value = str(tmp_path / "elsewhere")
    click(app, app.save_button)  # another folder: written there too
    assert {p.parent.name for p in app.saved} == {"elsewhere"}
    assert "A_report (run 1).xlsx" in {p.name for p in app.saved}


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_the_shown_runs_files_are_saved_once_into_a_folder(
    app: HubframeApp, tmp_path: Path
) -> None:
    """Each Save report wrote the shown run's report and retry file anew ("A_report (2).xlsx",
    "A_retry (2).csv" beside the first): a Save again is the files written before, while they
    are as written; an edited one is never written over, and that file alone is written anew
    beside it (the report as written is the report still: a copy would be undone twice)."""
    click(app, app.connect_button)
    bad = b"Deal ID,Contact ID\n9999999901,9999999902\n"  # no such records: a retry row
    upload(app, "A.csv", _pairs_csv(2) + bad.split(b"\n", 1)[1])
    _run(app)
    out = tmp_path / "out"
    app.save_folder.value = str(out)
    click(app, app.save_button)
    first = list(app.saved)
    assert len(first) == 2, first  # the report and the retry file
    click(app, app.save_button)
    click(app, app.save_button)
    assert app.saved == first and _files(out) == {p.name for p in first}
    first[1].write_text("edited\n")
    click(app, app.save_button)
    assert len(_files(out)) == 3 and first[1].read_text() == "edited\n", _files(out)
    assert app.saved == [first[0], out / "A_retry (2).csv"], app.saved


def test_a_shown_report_saved_is_not_written_again_once_kept(
    app: HubframeApp, tmp_path: Path
) -> None:
    """Run 1 saved as "A_report.xlsx", then run 2: a Save wrote run 1's report again, as
    "A_report (run 1).xlsx"; it is the file saved before, and undoing the folder's reports
    takes back both runs."""
    click(app, app.connect_button)
    before = _links(app)
    upload(app, "A.csv", _pairs_csv(2))
    _run(app)
    out = tmp_path / "out"
    app.save_folder.value = str(out)
    click(app, app.save_button)
    assert _files(out) == {"A_report.xlsx"}
    upload(app, "B.csv", _pairs_csv(2, first=10))
    _run(app)
    click(app, app.save_button)
    click(app, app.save_button)
    assert _files(out) == {"A_report.xlsx", "B_report (run 2).xlsx", "B_retry (run 2).csv"}
    _undo_all(app, out)
    assert _links(app) == before


def test_a_report_edited_after_its_save_is_not_handed_on_as_it(tmp_path: Path) -> None:
    """The shown run's report saved, then edited by the analyst, then another run shown: the
    kept report took the edited file for its own (stamped as it was then, not as written), so
    a later Save listed it and wrote nothing: the report that undoes the run was lost
    (helper-210)."""
    result = pd.DataFrame({"status": ["success"]})
    report = tmp_path / "a_report.xlsx"
    report.write_bytes(b"as the Save wrote it")
    saved = kept.SavedFiles.of(
        result, None, ("a_report.xlsx", "a_retry.xlsx"), {FileKind.REPORT: report}
    )
    report.write_bytes(b"edited afterwards, rows deleted")
    os.utime(report, ns=(1, 1))  # another size and time, as an edit gives
    earlier = kept.KeptReport(run=1, name="a_report (run 1).xlsx", result=result, issues=None)
    saved.hand_to(earlier)
    assert earlier.report.saved_as(tmp_path) is None  # written again by the next Save
    untouched = tmp_path / "b_report.xlsx"
    untouched.write_bytes(b"as written")
    saved = kept.SavedFiles.of(
        result, None, ("b_report.xlsx", "b_retry.xlsx"), {FileKind.REPORT: untouched}
    )
    again = kept.KeptReport(run=2, name="b_report (run 2).xlsx", result=result, issues=None)
    saved.hand_to(again)
    assert again.report.saved_as(tmp_path) == untouched  # unchanged: that file again
