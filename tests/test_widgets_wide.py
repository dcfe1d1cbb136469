"""A wide sheet in the app, and the names of the files it makes.  The result table copied the
frame's attrs (which list every column) once per column: 8,000 columns took 15 s and 860 MB,
and a sheet of 16,370 columns ran out of memory after it was sent ("Unexpected error
(MemoryError):", no text, no report).  A sheet too wide for an Excel report was sent, then its
report could not be written, where the command line refuses it before sending.  Now the table
drops the attrs, such a run's report is a .csv file (said at Run, before anything is written),
and a MemoryError says what it is.  Odd upload names made file names with a newline, a folder
('/'), or the token in them."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from app_driver import click, upload
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.jobs import undo
from hubframe.redaction import forget_secret, register_secret
from hubframe.report import excel as report_excel
from hubframe.widgets import HubframeApp, render, words
from hubframe.widgets.app import OUT_OF_MEMORY
from hubframe.widgets.backend import SheetSource

DEAL, CONTACT = 2040000050, 1019360230  # not associated in the demo portal


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


class _Counted:
    """An attrs value that counts its deep copies."""

    copies = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> _Counted:
        _Counted.copies += 1
        return self


def _result(columns: int) -> pd.DataFrame:
    own = {f"c{i}": ["x"] for i in range(columns)}
    frame = pd.DataFrame(
        {"sheet": ["S"], "row": [2], "status": ["success"], "error_code": [None]}
        | {"error_message": [None], "from_type": ["deals"], "from_id": [str(DEAL)]}
        | {"to_type": ["contacts"], "to_id": [str(CONTACT)], "action": ["associate_default"]}
        | own
    )
    frame.attrs = {"hubframe": {"original_columns": list(own), "probe": _Counted()}}
    return frame


@pytest.mark.parametrize("columns", [50, 400])
@pytest.mark.parametrize(
    "show",
    [
        pytest.param(lambda f: render.preview_html(f), id="result table"),
        pytest.param(lambda f: render.table_html(f), id="table"),
        pytest.param(lambda f: words.shown(f), id="words"),
    ],
)
def test_showing_a_wide_result_copies_its_attrs_a_few_times(columns: int, show: Any) -> None:
    """Was once per column at least (400 columns: 400 copies of a list of 400 names)."""
    frame = _result(columns)
    _Counted.copies = 0
    copy.deepcopy(frame.attrs)
    once = _Counted.copies
    _Counted.copies = 0
    show(frame)
    assert _Counted.copies <= 10 * once


def _wide_csv(extra: int) -> bytes:
    header = ["Deal ID", "Contact ID", *(f"c{i}" for i in range(extra))]
    row = [str(DEAL), str(CONTACT), *("x" * extra)]
    return (",".join(header) + "\n" + ",".join(row) + "\n").encode()


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
def test_a_run_too_wide_for_an_excel_report_gets_a_csv_report(
    app: HubframeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run was sent, then its report failed ("would have N columns ... Write it as a .csv
    file"), which the app gave no way to do: no report, the only record that undoes it."""
    monkeypatch.setattr(report_excel, "SHEET_COLUMNS", 40)  # a sheet as wide as 40 columns
    click(app, app.connect_button)
    upload(app, "wide.csv", _wide_csv(30))
    click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    assert set(app.downloads) == {"wide_report.csv"}
    said = _text(app.messages["run"].value)
    assert "past an Excel sheet's 40" in said and "The report is a .csv file" in said
    app.save_folder.value = str(tmp_path / "out")
    click(app, app.save_button)
    assert [p.name for p in app.saved] == ["wide_report.csv"]
    assert app.connection is not None and app.connection.sandbox is not None
    undone = undo(app.saved[0], app.connection.client, progress=False)
    assert set(undone["status"]) == {"success"}
    app.label.value = "Champion"  # a change: the run's report is kept, as a .csv too
    assert list(app._earlier) == ["wide_report (run 1).csv"]
    assert "wide_report (run 1).csv" in app.downloads or "wide_report (run 1).csv" in (
        app.download_links.value
    )


def test_running_out_of_memory_is_said_in_words(
    app: HubframeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A MemoryError has no text: the page said "Unexpected error (MemoryError):"."""

    def no_memory(*_: object, **__: object) -> str:
        raise MemoryError

    monkeypatch.setattr(render, "preview_html", no_memory)
    click(app, app.connect_button)
    upload(app, "a.csv", _wide_csv(1))
    click(app, app.run_button)
    assert _text(app.messages["run"].value) == OUT_OF_MEMORY
    assert app.result is not None and not app.save_button.disabled  # sent: its report saves


TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
ODD_NAMES = [
    "a\nb.csv",
    "<b>x</b>.csv",
    "../../x.csv",
    "a\\b.csv",
    "..csv",
    ".csv",
    "\x00\x1b.csv",
    f"{TOKEN}.csv",
    "a:b*c?.xlsx",
]


def _safe(stem: str) -> None:
    assert stem and stem.isprintable() and stem not in (".", "..")
    assert not set(stem) & set('/\\<>:"|?*') and TOKEN not in stem


@pytest.mark.parametrize("name", ODD_NAMES)
def test_file_names_made_from_an_odd_upload_name_are_safe(name: str) -> None:
    register_secret(TOKEN)
    try:
        _safe(SheetSource(name=name, data=b"").stem)
    finally:
        forget_secret(TOKEN)


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=40))
def test_any_upload_name_gives_one_printable_path_component(name: str) -> None:
    stem = SheetSource(name=name, data=b"").stem
    assert stem.isprintable() and Path(stem).name == stem and stem not in (".", "..")
    assert not set(stem) & set('/\\<>:"|?*')
