"""The app and a workbook of several sheets: the sheet picker's default reads as the command line
reads without --sheet, so the sheets it leaves out are said at every step, and a sync that may
remove is refused for them as ``hubframe sync --delete`` refuses it.  Driven headlessly against
the built-in sandbox; the Python API's read of the same bytes is the oracle."""

from __future__ import annotations

import html
import io
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from app_driver import WAIT, click, upload

from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut, read_notes, read_pairs
from hubframe.jobs import sync
from hubframe.sandbox import Sandbox
from hubframe.widgets import HubframeApp
from hubframe.widgets.app import FIRST_SHEET, NONE

DEAL = 2040000001
#: Both associated with DEAL in the demo portal.
LISTED, ELSEWHERE = 1019360001, 1019360002

Rows = list[list[object]]
PAIRS: Rows = [["Deal ID", "Contact ID"], [DEAL, LISTED]]
OTHER: Rows = [["Deal ID", "Contact ID"], [DEAL, ELSEWHERE]]
UNNAMED_IDS: Rows = [["A", "B"], [DEAL, ELSEWHERE]]  # ids under columns not recognised
PROSE: Rows = [["How to fill this in"], ["One pair a row."]]

#: Workbooks: (name, rows, hidden) per sheet, in order.
LAYOUTS: dict[str, list[tuple[str, Rows, bool]]] = {
    "later sheet of pairs": [("North", PAIRS, False), ("South", OTHER, False)],
    "hidden sheet after": [("North", PAIRS, False), ("Archive", OTHER, True)],
    "hidden sheet before": [("Archive", OTHER, True), ("North", PAIRS, False)],
    "ids under other headers": [("North", PAIRS, False), ("Other", UNNAMED_IDS, False)],
    "a table's second part": [("North", PAIRS, False), ("North (2)", OTHER, False)],
    "instructions first": [("Read me", PROSE, False), ("North", PAIRS, False)],
    "prose after": [("North", PAIRS, False), ("Notes", PROSE, False)],
}


def _workbook(layout: list[tuple[str, Rows, bool]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows, hidden in layout:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def _links(sandbox: Sandbox) -> set[tuple[str, str, int]]:
    frame = sandbox.associations("deals", "contacts")
    return {(str(f), str(t), int(k)) for f, t, k in frame[["from_id", "to_id", "type_id"]].values}


def _sandbox(app: HubframeApp) -> Sandbox:
    assert app.connection is not None and app.connection.sandbox is not None
    return app.connection.sandbox


def _read(path: Path, sheet: str | None) -> pd.DataFrame:
    """The Python API's read of ``path``, in the app's words; the sheets it leaves out are
    warned of from Python (SheetsLeftOut), which the app says in its own way."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SheetsLeftOut)
        return read_pairs(path, sheet=sheet, syntax="app")


def _api_refuses(path: Path, sheet: str | None, app: HubframeApp) -> bool:
    """Whether the Python API (as the command line) refuses a sync that may remove of the
    sheet read with ``sheet``."""
    assert app.connection is not None
    frame = _read(path, sheet)
    try:
        sync(frame, app.connection.client, allow_removals=True, dry_run=True, progress=False)
    except InputError as exc:
        assert "was not read" in str(exc)
        return True
    return False


@pytest.mark.parametrize("choice", [None, "North", "*"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_sync_that_may_remove_is_refused_as_the_command_line_refuses_it(
    app: HubframeApp, tmp_path: Path, layout: str, choice: str | None
) -> None:
    """The app preselected the first visible sheet by name, so every read was an explicit
    choice, and a sync with removals of North removed what South (or a hidden Archive) lists.
    The default now reads as ``sheet=None`` does: refused exactly when the API refuses, and
    nothing is removed then, at Dry run or Run."""
    path = tmp_path / "links.xlsx"
    path.write_bytes(_workbook(LAYOUTS[layout]))
    click(app, app.connect_button)
    app.job.value = "sync"
    assert app.wait(WAIT)
    upload(app, path.name, path.read_bytes())
    assert app.sheet.value == NONE and app.sheet.label == FIRST_SHEET
    if choice is not None:
        app.sheet.value = choice
        assert app.wait(WAIT)
    app.sync_options.removals.value = True
    refused = _api_refuses(path, choice, app)
    before = _links(_sandbox(app))
    click(app, app.dry_run_button)
    said = _text(app.messages["dry-run"].value)
    assert ("was not read" in said) == refused, said
    assert (app.plan is None) == refused
    click(app, app.run_button)  # a run without the diff shown shows it; once more applies it
    click(app, app.run_button)
    assert ("was not read" in _text(app.messages["run"].value)) == refused
    removed = before - _links(_sandbox(app))
    assert not refused or not removed
    assert choice == "*" or refused or layout in ("instructions first", "prose after") or removed


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_sheets_left_out_are_said_at_every_step(
    app: HubframeApp, tmp_path: Path, layout: str
) -> None:
    """The app said nothing of the other sheets of pairs, or of hidden ones, it left out; the
    command line warns of each.  Their notes are under the sheet picker from the upload on and
    in Validate; those holding rows again at Dry run and in the run's summary."""
    path = tmp_path / "links.xlsx"
    path.write_bytes(_workbook(LAYOUTS[layout]))
    notes = read_notes(_read(path, None))
    skipped = [text for level, text in notes.sheet_messages() if level == "warning"]
    holding = [s.name for s in notes.skipped if s.holds_rows]
    click(app, app.connect_button)
    upload(app, path.name, path.read_bytes())
    read_line = f"read sheet '{notes.sheets[0]}'"
    assert read_line in _text(app.sheet_notes.value)
    assert all(text in _text(app.sheet_notes.value) for text in skipped)
    click(app, app.validate_button)
    assert all(text in _text(app.validation.value) for text in skipped)
    click(app, app.dry_run_button)
    if layout == "a table's second part":  # the run would link the first part alone
        said = _text(app.messages["dry-run"].value)
        assert "sheet 'North (2)' was not read" in said and "goes on from sheet 'North'" in said
        assert '"Sheet" All visible sheets' in said and "sheet=" not in said, said
        click(app, app.run_button)
        assert app.result is None
        return
    click(app, app.run_button)
    for step in (app.dry_run_output, app.summary):
        shown = _text(step.value)
        assert all(f"sheet '{name}' was not read" in shown for name in holding), shown
        assert shown.count("was not read") == len(holding)
    assert app.result is not None and len(app.result) == 1


def test_the_mapping_shows_the_headers_of_the_sheet_the_default_read_takes(
    app: HubframeApp,
) -> None:
    """A workbook opening on an instructions sheet: the default read takes the sheet of pairs
    after it, and the dropdowns offer and show that sheet's columns, not the instructions'."""
    upload(app, "links.xlsx", _workbook(LAYOUTS["instructions first"]))
    assert app.sheet.value == NONE
    assert app.columns["from_id"].value == "Deal ID"
    assert [h for _, h in app.columns["to_id"].options][1:] == ["Deal ID", "Contact ID"]
    assert not _text(app.messages["mapping"].value)
    click(app, app.validate_button)
    assert app.frame is not None and list(app.frame["sheet"]) == ["North"]
    pd.testing.assert_series_equal(
        app.frame["to_id"].reset_index(drop=True),
        read_pairs(io.BytesIO(_workbook(LAYOUTS["instructions first"])))["to_id"],
        check_names=False,
    )


# --- every visible sheet: what each sheet's read took is what the page says -------------------

LABELLED: Rows = [["Deal ID", "Contact ID", "Association label"]]
LABELLED += [[2040000060 + i, 1019360100 + i, "Champion"] for i in range(2)]
PLAIN: Rows = [["Deal ID", "Contact ID"], *[[2040000062 + i, 1019360102 + i] for i in range(2)]]
REORDERED: Rows = [["Association label", "Contact ID", "Deal ID"]]
REORDERED += [["Champion", 1019360104 + i, 2040000064 + i] for i in range(2)]
PLAIN_TOO: Rows = [["Deal ID", "Contact ID"], [2040000066, 1019360106]]
EVERY_SHEET: dict[str, list[tuple[str, Rows, bool]]] = {
    "label on the later sheet only": [("North", PLAIN, False), ("South", LABELLED, False)],
    "label on the first sheet only": [("North", LABELLED, False), ("South", PLAIN, False)],
    "label on both, in another order": [("North", LABELLED, False), ("South", REORDERED, False)],
    "no label": [("North", PLAIN, False), ("South", PLAIN_TOO, False)],
}


@pytest.mark.parametrize("layout", sorted(EVERY_SHEET))
def test_every_visible_sheet_says_which_columns_each_sheet_read(
    app: HubframeApp, layout: str
) -> None:
    """With "All visible sheets", the Label column dropdown showed (not in the sheet), the first
    sheet's headers, while a later sheet's label column was read and its labels sent, without
    a word.  Validate now lists each sheet's columns read, and warns of each sheet whose labels
    sent (or not) differ from what the dropdown shows.  The run's rows are the oracle."""
    click(app, app.connect_button)
    upload(app, "links.xlsx", _workbook(EVERY_SHEET[layout]))
    app.sheet.value = "*"
    assert app.wait(WAIT)
    shown = app.columns["label"].value
    click(app, app.validate_button)
    said = _text(app.validation.value)
    click(app, app.run_button)
    assert app.result is not None and set(app.result["status"]) == {"success"}
    labelled = app.result.groupby("sheet")["label"].apply(lambda s: bool(s.notna().any()))
    for sheet, sent in labelled.items():
        assert f"sheet '{sheet}': From record ID" in said
        warned = f"Sheet '{sheet}': " in said and '"Label column"' in said.split(f"'{sheet}': ")[-1]
        assert warned == (sent != bool(shown)), (sheet, sent, shown, said)


# --- sheets named alike, chart sheets ----------------------------------------------------------


def _renamed(data: bytes, renames: dict[str, str]) -> bytes:
    """The workbook with sheets renamed in its XML (to names openpyxl would not write)."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = content.decode()
                for old, new in renames.items():
                    text = text.replace(f'name="{old}"', f'name="{new}"')
                content = text.encode()
            book.writestr(item, content)
    return out.getvalue()


ALIKE = _renamed(
    _workbook([("A", PAIRS, False), ("B", OTHER, False), ("C", PAIRS, False)]),
    {"A": "Pairs", "B": "pairs", "C": "Pairs "},
)


@pytest.mark.parametrize(
    ("asked", "read"),
    [
        ("Pairs", "Pairs"),
        ("pairs", "pairs"),
        ("Pairs ", "Pairs "),
        ("PAIRS", None),
        (" pairs", None),
    ],
)
def test_a_name_several_sheets_match_loosely_is_refused(asked: str, read: str | None) -> None:
    """Sheets "Pairs", "pairs" and "Pairs ": a name matching none exactly and several but for
    capitals or spaces read the first of them without a word.  An exact name reads its sheet;
    a loose one matching several is refused, naming them."""
    if read is None:
        with pytest.raises(InputError, match=r"'Pairs', 'pairs', 'Pairs '.*not clear"):
            _read_bytes(ALIKE, asked)
        return
    assert _read_bytes(ALIKE, asked)["sheet"].unique().tolist() == [read]


def _read_bytes(data: bytes, sheet: str) -> pd.DataFrame:
    handle = io.BytesIO(data)
    handle.name = "links.xlsx"
    return _read(handle, sheet)  # type: ignore[arg-type]


def test_the_picker_tells_alike_names_and_chart_sheets_apart(app: HubframeApp) -> None:
    """The picker showed "Pairs" and "Pairs " as the same text, and offered a chart sheet as a
    sheet, which read as "the sheet is empty"."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    upload(app, "alike.xlsx", ALIKE)
    labels = [label for label, _ in app.sheet.options]
    assert labels == [FIRST_SHEET, "Pairs", "pairs", "'Pairs '", "All visible sheets"]
    book = Workbook()
    rows = book.active
    rows.title = "Pairs"
    for row in PAIRS:
        rows.append(row)
    chart = BarChart()
    chart.add_data(Reference(rows, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("Chart", 0).add_chart(chart)
    buffer = io.BytesIO()
    book.save(buffer)
    upload(app, "chart.xlsx", buffer.getvalue())
    assert [label for label, _ in app.sheet.options][1:3] == ["Chart (chart)", "Pairs"]
    assert app.columns["from_id"].value == "Deal ID"  # the default read skips the chart
    app.sheet.value = "Chart"
    assert app.wait(WAIT)
    assert "is a chart sheet, not a table of rows" in _text(app.messages["sheet"].value)
