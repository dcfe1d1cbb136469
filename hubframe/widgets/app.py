"""``hf.app()``: the notebook app -- connect, pick a sheet, map columns, validate, dry run, run.

The app is a plain object holding its widgets; ``app.widget`` is the ipywidgets tree and the
object displays itself as that tree (``_repr_mimebundle_``), so ``hf.app()`` as the last line
of a cell shows it.  Every step that talks to HubSpot or reads a file runs on one background
worker (:class:`~hubframe.widgets.runner.Runner`), so the page never freezes and the cancel
button works during a run.  Exceptions become a message at the step they concern (a sheet that
cannot be read under "Sheet", a refused token under "Connect"), never a traceback; the access
token is never shown and is cleared from its field once used.  What the app shows speaks the
analyst's words (:mod:`hubframe.widgets.words`): "Contact ID", "link without label".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from hubframe.constants import API_VERSIONS, DEFAULT_API_VERSION, MAX_BATCH_CREATE
from hubframe.errors import ConfigurationError, ErrorCode, HubframeError, InputError
from hubframe.hubspot.auth import Secret, may_hold_secret
from hubframe.io import SheetInfo
from hubframe.io.columns import TypeGuess
from hubframe.io.notes import read_notes
from hubframe.io.sources import as_path
from hubframe.io.syntax import APP, APP_CONTROLS
from hubframe.redaction import contains_secret, redact, replace_value
from hubframe.report.columns import workbook_too_wide
from hubframe.tokens import token_problem, token_text
from hubframe.widgets import backend, kept, portal, render, words
from hubframe.widgets.backend import Connection, FileKind, Guess, Progress, SheetSource
from hubframe.widgets.kept import KeptReport, Made, Offer, PageFile, SavedFiles, kept_name
from hubframe.widgets.runner import Runner
from hubframe.widgets.types import TypePicker

NONE: Final = ""  # the "not mapped / from the sheet" choice of every dropdown
#: The label picker's value while a label picked for other object types is set aside: no
#: label, and none sent, until one (or none) is picked again.
_PICK_AGAIN: Final = "\x00pick again"
ALL_SHEETS: Final = backend.ALL_SHEETS
#: The sheet picker's default: the sheet the command line reads without --sheet, read the same
#: way (``sheet=None``), so what it says of the sheets left out, and what a sync that may
#: remove refuses for them, hold in the app too.
FIRST_SHEET: Final = "(first visible sheet with recognised columns)"
#: The first option of a retry workbook hubframe wrote, of several sheets: read whole.
RETRY_SHEETS: Final = "The retry's sheets (each holds rows to retry; a tab added is not read)"
UPLOAD_ACCEPT: Final = ".xlsx,.xlsm,.csv,.tsv,.txt"
_BOX: Final = {"border": "1px solid #e0e0e0", "padding": "6px 12px", "margin": "4px 0"}
_WIDE: Final = {"width": "auto"}
_LABEL_STYLE: Final = {"description_width": "150px"}
#: Files larger than this (reports, retry files, an export's files) are not offered as a
#: download link (a data URI the page and the notebook would carry): they are saved to a
#: folder the analyst picks.
MAX_DOWNLOAD_BYTES: Final = 5 * 1024 * 1024
#: The steps, in order: a message under each says what went wrong there.
STEPS: Final = (
    ("connect", "1 · Connect"),
    ("job", "2 · Choose the job"),
    ("sheet", "3 · Sheet"),
    ("mapping", "4 · Map columns"),
    ("validate", "5 · Validate"),
    ("dry-run", "6 · Dry run"),
    ("run", "7 · Run"),
    ("results", "8 · Results"),
)
_TITLES: Final = dict(STEPS)


#: The app's jobs, and their buttons' names.
APP_JOBS: Final = ("associate", "limits", "export", "sync")
APP_JOB_NAMES: Final = (
    "Associate records",
    "Configure limits",
    "Export links",
    "Sync to the sheet",
)


#: Said at Run when the sheet was run again with nothing changed (every row sent once more).
RUN_AGAIN: Final = (
    "The sheet was run again: every row was sent a second time, and the report below is this "
    "run's (rows already there before it are marked so, and undoing this report leaves them in "
    "place). The earlier runs' reports are kept below, each named after its run, and Save "
    "report saves them too: undo an earlier run from its own."
)


def _answered(result: pd.DataFrame) -> bool:
    """Whether HubSpot answered a request of the run (a row with an HTTP status): a run that
    could not reach it sent nothing, and :data:`RUN_AGAIN` ("every row was sent a second
    time") would say otherwise.  A table without the column is taken as answered."""
    if "http_status" not in result.columns:
        return True
    return bool(result["http_status"].notna().any())


#: Said with the last run's report, kept after the inputs changed.
EARLIER_KEPT: Final = (
    "The sheet or a setting changed since the last run, so its results are no longer shown; "
    "its report and retry file are kept here, with those of the runs before it (and Save "
    "report saves them): only a run's own report undoes it, and its retry file holds the rows "
    "it left to do."
)


#: A box holding an access token (pasted into the wrong box): emptied, and nothing done with it.
TOKEN_IN_BOX: Final = (
    "The {box} box held an access token (pasted into the wrong box?): it was emptied, so a "
    "saved notebook does not keep it, and nothing was done with it. Type {what} there; the "
    "token goes into the Access token field (step 1)."
)
#: The free-text boxes: (their name in messages, what goes into them, the step that says so).
_BOXES: Final = {
    "base_url": ("Base URL", "HubSpot's address (empty: https://api.hubapi.com)", "connect"),
    "path": ("path", "the path of a .xlsx or .csv file", "sheet"),
    "save_folder": ("Save to folder", "a folder", "results"),
}


#: A step's work set aside: an input changed while it ran (before the page locked it).
CHANGED_WHILE_WORKING: Final = (
    "A setting changed while this step was working, so what it found no longer matches the "
    "page and was set aside. Click it again."
)
#: A run whose inputs changed while it sent: its result is what was sent, and is shown.
CHANGED_WHILE_RUNNING: Final = (
    "A setting changed while the run was sending: the results below are of the sheet as it "
    "was read before that change, which is what was sent. Validate again before another run."
)
#: A run set aside before its first request: an input changed while it got ready.
CHANGED_BEFORE_SENDING: Final = (
    "A setting changed while the run was getting ready, so nothing was sent: it would not "
    "have sent what the page shows. Click Run again."
)
#: A connection made while its settings changed on the page: closed unused.
CHANGED_WHILE_CONNECTING: Final = (
    "The connection settings changed while connecting, so that connection was closed unused: "
    "it was not the one the page shows. Click Connect again."
)
#: Said at Run when a sync was run again after a sync run: the earlier sync's report is kept.
SYNC_AGAIN: Final = (
    "The sheet was synced again: the report below is this sync's (what it changed in the "
    "portal as the last sync left it). The earlier syncs' reports are kept below, each named "
    "after its run, and Save report saves them too: undo an earlier sync from its own."
)
#: What the run step says once Cancel is clicked, while the step stops.
CANCELLING_RUN: Final = "Cancelling: the run stops after the batches already in flight."
CANCELLING_EXPORT: Final = "Cancelling: the export stops after the reads already in flight."
#: An export stopped by Cancel: nothing of it is offered.
EXPORT_CANCELLED: Final = (
    "Cancelled: the export stopped before it had read every record, so nothing of it is "
    "offered (an export is whole or not at all). Click Run to export again."
)


#: The generation of a snapshot taken while the page was still being filled in after a change
#: (the sheet's columns read again, the labels listed): no change ever has it, so the step
#: that took it keeps nothing (:meth:`HubframeApp._keep`).
STALE: Final = -2


@dataclass(frozen=True)
class _State:
    """The app's state as a background step found it, taken at once under the state lock
    (:meth:`HubframeApp._snapshot`).  The step works on these, never on the attributes again
    (a change from the page may reset them meanwhile), and keeps what it makes only while
    ``generation`` is still the app's (:meth:`HubframeApp._keep`).  ``sheet`` and ``job``:
    the sheet and the job picked, which the step reads (sheet None: the default).  ``result`` and
    ``result_issues``: the run the page shows and the issues it ran with; ``result_generation``:
    the inputs it was sent from; ``result_run``: its number; ``earlier``: the reports kept of
    the runs before."""

    generation: int
    sheet: str | None
    job: str
    connection: Connection | None
    frame: pd.DataFrame | None
    issues: pd.DataFrame | None
    plan: pd.DataFrame | None
    result: pd.DataFrame | None
    result_issues: pd.DataFrame | None
    result_generation: int
    result_run: int
    earlier: Mapping[str, KeptReport]


@dataclass(frozen=True)
class _Work:
    """What a dry run or a run works on, from one snapshot: the rows validated, their issues,
    the job and the connection."""

    state: _State
    connection: Connection
    job: str
    frame: pd.DataFrame
    issues: pd.DataFrame


class StepError(HubframeError):
    """A problem that concerns another step than the one clicked: shown at ``step``."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


def _hidden(widget: w.Widget, hidden: bool) -> None:
    widget.layout.display = "none" if hidden else None


def _output() -> w.HTML:
    """An HTML output as wide as its step, never wider: a wide table scrolls inside its own
    box (``min_width=0`` lets the flex layout shrink it below the table's width)."""
    return w.HTML(layout=w.Layout(width="100%", min_width="0", overflow="hidden"))


def _step(name: str, message: w.HTML, *children: w.Widget) -> w.VBox:
    """A bordered section with a title, then its message (what went wrong here), then its
    controls; CSS class ``hf-step-<name>`` for browser tests."""
    heading = w.HTML(f"<b style='font-size:15px'>{render.esc(_TITLES[name])}</b>")
    message.add_class("hf-step-message")
    box = w.VBox([heading, message, *children], layout=w.Layout(**_BOX, min_width="0"))
    box.add_class(f"hf-step-{name}")
    return box


def _advanced(*children: w.Widget) -> w.Accordion:
    """Tuning the analyst rarely needs, folded away under "Advanced"."""
    panel = w.Accordion(children=[w.VBox(list(children))], titles=("Advanced",))
    panel.selected_index = None
    panel.add_class("hf-advanced")
    return panel


def _help(text: str) -> w.HTML:
    style = "color:#616161;font-size:12px;margin:0 0 6px 154px;max-width:640px"
    return w.HTML(f'<div style="{style}">{render.esc(text)}</div>')


class HubframeApp:
    """The widgets of the app and the state of one session with it.

    Drive it from code (tests, scripts) by setting widget values and calling
    ``button.click()``, then ``app.wait()`` for the background worker.
    """

    def __init__(
        self,
        *,
        sandbox: bool = True,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str | None = None,
        job: str = "associate",
        max_preview_rows: int = 200,
        max_download_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> None:
        self.connection: Connection | None = None
        self.source: SheetSource | None = None
        self.guess: Guess | None = None
        #: Types pre-filled from the reader's inference and left as they were (side -> guess):
        #: the read notes them as inferred; a change of the picker makes the type the analyst's.
        self._type_guesses: dict[str, TypeGuess] = {}
        #: The column dropdowns the analyst changed since the sheet's columns were filled in:
        #: only these are given to the read as chosen (``columns=``); the others show what the
        #: app found or suggests, and the reader decides them (and refuses what it refused).
        self._picked: set[str] = set()
        #: The object types (from, to) the label picked was picked for: a label of that name
        #: in another direction may be another association (an inverse named otherwise, or
        #: names that cross: "Manager" one way is "Managed deal"'s inverse the other way).
        self._label_types: tuple[str, str] | None = None
        #: The label picked for other types than the ones picked now, and those types: not
        #: read in these types' direction; the read is refused until a label is picked again.
        self._stale_label: tuple[str, tuple[str, str]] | None = None
        self.frame: pd.DataFrame | None = None
        self.issues: pd.DataFrame | None = None
        self.plan: pd.DataFrame | None = None
        self.result: pd.DataFrame | None = None
        #: The issues the shown run ran with (its report's Validation sheet, whatever was
        #: validated since), and the generation of the inputs it was sent from.
        self._result_issues: pd.DataFrame | None = None
        self._result_generation = -1
        self.downloads: dict[str, bytes] = {}
        #: What the worker made of the shown run's report and retry file for the page (None:
        #: nothing yet): kept with them once another run is shown or a setting changes, so a
        #: change on the page never writes a workbook (:meth:`_make_downloads`).
        self._made: Made | None = None
        self._export_files: dict[str, bytes] = {}  # the export's files, for Save report
        #: The reports of the session's earlier runs ({file name: report}, oldest first),
        #: offered and saved beside the shown run's: each undoes its own run.
        self._earlier: dict[str, KeptReport] = {}
        self._dropped = 0  # reports of runs that changed nothing, past the bound
        self._runs = 0  # the runs sent in this session: a report is named after its run's
        self._result_run = 0  # the shown run's number (0: none shown, or an export)
        #: The shown run's report and retry file names (a .csv report for a sheet wider than
        #: an Excel sheet holds: :meth:`_report_names`).
        self._result_names: tuple[str, str] = ("", "")
        self.saved: list[Path] = []
        self._shown_saved: SavedFiles | None = None  # the shown run's files a Save wrote
        self._max_preview_rows = max_preview_rows
        self._max_download_bytes = max_download_bytes
        self._cancel = threading.Event()
        self._cancelling = CANCELLING_RUN  # what Cancel says while the step on its way stops
        self._work = 0  # tasks submitted and not finished: the inputs stay locked till none
        self._work_lock = threading.RLock()
        self._run_queued = False  # a run is queued or running: another click adds none
        #: Per thread: an observer firing on the main thread (a change from the page) is never
        #: taken for the worker's own quiet filling-in of the dropdowns.
        self._local = threading.local()
        #: Counts the changes of the inputs (:meth:`_invalidate`): a step stores what it read,
        #: validated or planned only when no change came while it ran (:meth:`_keep`).
        self._generation = 0
        #: The tasks a change from the page queued to fill the page in again (the sheet's
        #: columns read for another sheet or job, the labels of other types), not yet done:
        #: a step that takes its snapshot meanwhile would read the page half filled in.
        self._owed = 0
        self._state_lock = threading.RLock()
        self._secret: Secret | None = None  # the token last used, to redact it from messages
        self._runner = Runner(self._show_error)
        self.messages: dict[str, w.HTML] = {name: _output() for name, _ in STEPS}
        self._build(sandbox=sandbox, api_version=api_version, base_url=base_url, job=job)
        self._assemble()

    # --- display and lifecycle ------------------------------------------------------------

    def _assemble(self) -> None:
        """The page: the steps' boxes in one column; a token pasted in a box is emptied at once."""
        self.widget = w.VBox(
            [
                self.message,
                self._connect_box,
                self._job_box,
                self._file_box,
                self._map_box,
                self._validate_box,
                self._dry_box,
                self._run_box,
                self._result_box,
            ],
            layout=w.Layout(max_width="1100px", min_width="0"),
        )
        for name, (_, _, step) in _BOXES.items():  # a token pasted in: emptied at once
            on_typed = self._safe(partial(self._on_box_typed, name), step)
            getattr(self, name).observe(on_typed, "value")
        self.widget.add_class("hf-app")
        self.message.add_class("hf-app-message")
        self._sync_visibility()

    @property
    def _quiet(self) -> bool:
        """Whether this thread is setting widget values that must not reset the steps."""
        return bool(getattr(self._local, "quiet", False))

    @_quiet.setter
    def _quiet(self, value: bool) -> None:
        self._local.quiet = value

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait (at most ``timeout`` s) for the background work to finish; False on timeout."""
        return self._runner.wait(timeout)

    @property
    def busy(self) -> bool:
        return self._runner.busy

    def close(self) -> None:
        """Stop the worker and the built-in sandbox (if one was started) and close widgets."""
        self._cancel.set()
        self._runner.close()
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        _close_tree(self.widget)

    # --- building -------------------------------------------------------------------------

    def _build(self, *, sandbox: bool, api_version: str, base_url: str | None, job: str) -> None:
        self.message = _output()
        self._build_connect(sandbox, api_version, base_url)
        self._build_job(job)
        self._build_file()
        self._build_mapping()
        self._build_steps()

    def _build_connect(self, sandbox: bool, api_version: str, base_url: str | None) -> None:
        self.mode = w.ToggleButtons(
            options=[
                ("Built-in sandbox", "sandbox"),
                ("Rehearsal with my records", "rehearse"),
                ("HubSpot account", "hubspot"),
            ],
            tooltips=[
                "a local fake HubSpot holding the demo data of the sample sheets",
                "a local fake HubSpot that gets the records and labels of your sheet, to "
                "rehearse a run of it",
                "your HubSpot account, with a private app access token",
            ],
            value="sandbox" if sandbox else "hubspot",
            description="Connect to",
            style=_LABEL_STYLE,
        )
        self.token = w.Password(
            description="Access token",
            placeholder="private app token (empty: use HUBSPOT_ACCESS_TOKEN)",
            layout=w.Layout(width="520px"),
            style=_LABEL_STYLE,
        )
        self.base_url = w.Text(
            value=base_url or "",
            description="Base URL",
            placeholder="https://api.hubapi.com (empty: HUBSPOT_BASE_URL or HubSpot)",
            layout=w.Layout(width="520px"),
            style=_LABEL_STYLE,
        )
        self.api_version = w.Dropdown(
            options=list(API_VERSIONS),
            value=api_version,
            description="API version",
            style=_LABEL_STYLE,
        )
        self.connect_button = w.Button(description="Connect", button_style="primary", icon="plug")
        self.connect_status = w.HTML()
        self.mode.observe(self._safe(lambda: self._sync_visibility(), "connect"), "value")
        for setting in (self.mode, self.base_url, self.api_version):
            setting.observe(self._safe(self._disconnect, "connect"), "value")
        self.token.observe(self._safe(self._on_token_typed, "connect"), "value")
        self.connect_button.on_click(
            self._safe(lambda: self._submit(self._do_connect, "connect"), "connect")
        )
        self._connect_box = _step(
            "connect",
            self.messages["connect"],
            self.mode,
            self.token,
            self.base_url,
            w.HBox([self.connect_button, self.connect_status]),
            _advanced(
                self.api_version,
                _help(
                    "The version of HubSpot's API to call. Keep the default unless HubSpot "
                    "support or your developers ask for another; every version gives the same "
                    "results."
                ),
            ),
        )

    def _build_job(self, job: str) -> None:
        self.job = w.ToggleButtons(
            options=list(zip(APP_JOB_NAMES, APP_JOBS, strict=True)),
            value=job,
            description="Job",
            style=_LABEL_STYLE,
        )
        self.job.observe(self._safe(lambda: self._on_job_change(), "job"), "value")
        self._job_box = _step("job", self.messages["job"], self.job)

    def _build_file(self) -> None:
        self.upload = w.FileUpload(
            accept=UPLOAD_ACCEPT,
            multiple=False,
            description="Upload sheet",
            layout=w.Layout(width="200px"),
        )
        self.path = w.Text(
            description="or a path",
            placeholder="sample_data/deals_contacts.xlsx",
            layout=w.Layout(width="520px"),
            style=_LABEL_STYLE,
        )
        self.load_button = w.Button(description="Load path", icon="folder-open")
        self.file_status = w.HTML()
        self.sheet = w.Dropdown(
            options=[("(first sheet)", NONE)],
            value=NONE,
            description=APP_CONTROLS["sheet"],
            style=_LABEL_STYLE,
            disabled=True,
        )
        self.sheet_notes = _output()  # the sheets the last read took and left out, and why
        self.sheet_notes.add_class("hf-sheet-notes")
        self.upload.observe(self._safe(lambda: self._on_upload(), "sheet"), "value")
        self.load_button.on_click(self._safe(lambda: self._on_load_path(), "sheet"))
        self.sheet.observe(self._safe(lambda: self._on_sheet_change(), "sheet"), "value")
        self._file_box = _step(
            "sheet",
            self.messages["sheet"],
            w.HBox([self.upload, self.file_status]),
            w.HBox([self.path, self.load_button]),
            self.sheet,
            self.sheet_notes,
        )

    def _build_mapping(self) -> None:
        self.columns: dict[str, w.Dropdown] = {
            field: w.Dropdown(
                options=[("(not in the sheet)", NONE)],
                value=NONE,
                description=backend.FIELD_LABELS[field],
                style=_LABEL_STYLE,
            )
            for field in backend.ALL_FIELDS
        }
        #: HubSpot's standard objects, and the portal's custom objects once connected.
        self.from_type = TypePicker(description=APP_CONTROLS["from_type"], style=_LABEL_STYLE)
        self.to_type = TypePicker(description=APP_CONTROLS["to_type"], style=_LABEL_STYLE)
        #: Where a pre-filled type came from, or why none was taken (see :meth:`_type_note`).
        self.type_notes: dict[str, w.HTML] = {"from": _output(), "to": _output()}
        for side, note in self.type_notes.items():
            note.add_class(f"hf-{side}-type-note")
        self.label = w.Dropdown(
            options=[("(from the sheet, or unlabeled)", NONE)],
            value=NONE,
            description=APP_CONTROLS["label"],
            style=_LABEL_STYLE,
            layout=w.Layout(width="520px"),
        )
        self.labels_status = w.HTML()
        self.remove_blank = w.Checkbox(
            value=False,
            description="An empty limit cell removes that limit (otherwise the row is not sent; "
            "write 'remove' in a cell to remove its limit)",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        for field, dropdown in self.columns.items():
            dropdown.observe(self._safe(partial(self._on_column_change, field), "mapping"), "value")
        for side, picker in (("from", self.from_type), ("to", self.to_type)):
            picker.observe(self._safe(partial(self._on_types_change, side), "mapping"), "value")
        self.label.observe(self._safe(self._on_label_pick, "mapping"), "value")
        self.remove_blank.observe(self._safe(lambda: self._invalidate(), "mapping"), "value")
        self._map_columns = w.VBox(list(self.columns.values()))
        self._map_box = _step(
            "mapping",
            self.messages["mapping"],
            self._map_columns,
            self.from_type,
            self.type_notes["from"],
            self.to_type,
            self.type_notes["to"],
            w.HBox([self.label, self.labels_status]),
            self.remove_blank,
        )

    def _build_steps(self) -> None:
        self.validate_button = w.Button(description="Validate", icon="check")
        self.check_records = w.Checkbox(
            value=False,
            description="Also check that every record exists in HubSpot (when connected)",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        # The rows checked in HubSpot are not those checked without it: a validation made
        # before it changed no longer holds.
        self.check_records.observe(self._safe(lambda: self._invalidate(), "validate"), "value")
        self.validation = _output()
        self._validate_box = _step(
            "validate",
            self.messages["validate"],
            w.HBox([self.validate_button, self.check_records]),
            self.validation,
        )
        self.dry_run_button = w.Button(description="Dry run", icon="eye")
        self.dry_run_output = _output()
        changed = self._safe(self._invalidate, "dry-run")
        self.sync_options = portal.SyncOptions(lambda: changed(None))
        self._dry_box = _step(
            "dry-run",
            self.messages["dry-run"],
            self.sync_options.box,
            self.dry_run_button,
            self.dry_run_output,
        )
        self.run_button = w.Button(description="Run", button_style="success", icon="play")
        self.cancel_button = w.Button(
            description="Cancel", button_style="danger", icon="stop", disabled=True
        )
        self.batch_size = w.BoundedIntText(
            value=0,
            min=0,
            max=MAX_BATCH_CREATE,
            description="Batch size",
            tooltip="0 = the API maximum; smaller batches report progress more often",
            style=_LABEL_STYLE,
            layout=w.Layout(width="260px"),
        )
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Progress")
        self.live_counts = w.HTML()
        self._run_box = _step(
            "run",
            self.messages["run"],
            w.HBox([self.run_button, self.cancel_button]),
            w.HBox([self.progress, self.live_counts]),
            _advanced(
                self.batch_size,
                _help(
                    "Rows sent per request to HubSpot. 0 (the default) sends as many as HubSpot "
                    "allows (100 to 2,000 depending on the call), which is the fastest. A "
                    "smaller number makes the progress bar move more often and Cancel stop "
                    "sooner, at the cost of more requests against your daily API limit."
                ),
            ),
        )
        self._build_results()
        self.validate_button.on_click(
            self._safe(lambda: self._submit(self._do_validate, "validate"), "validate")
        )
        self.dry_run_button.on_click(
            self._safe(lambda: self._submit(lambda: self._execute(True), "dry-run"), "dry-run")
        )
        self.run_button.on_click(self._safe(lambda: self._start_run(), "run"))
        self.cancel_button.on_click(self._safe(lambda: self._on_cancel(), "run"))

    def _build_results(self) -> None:
        self.summary = _output()
        self.chart = _output()
        self.preview = _output()
        self.download_links = _output()
        self.save_folder = w.Text(
            description="Save to folder",
            placeholder=str(Path.cwd() / "reports"),
            tooltip="a folder on this computer (created if missing); empty: ./reports",
            style=_LABEL_STYLE,
            layout=w.Layout(width="520px"),
        )
        self.save_folder.add_class("hf-save-folder")
        self.save_button = w.Button(description="Save report", icon="save", disabled=True)
        self.saved_paths = _output()
        self.save_button.on_click(
            self._safe(lambda: self._submit(self._do_save, "results"), "results")
        )
        self._result_box = _step(
            "results",
            self.messages["results"],
            self.summary,
            self.chart,
            self.download_links,
            w.HBox([self.save_folder, self.save_button]),
            self.saved_paths,
            self.preview,
        )

    # --- small helpers --------------------------------------------------------------------

    def _safe(self, handler: Callable[[], None], step: str) -> Callable[[Any], None]:
        """A widget callback that shows any error at ``step`` instead of raising it."""

        def callback(_: Any) -> None:
            try:
                handler()
            except Exception as exc:
                self._show_error(exc, step)

        return callback

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Set widget values without their observers resetting the downstream steps."""
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    def _submit(self, task: Callable[[], None], step: str) -> None:
        """Run ``task`` on the worker; what goes wrong is shown at ``step`` (or at the step a
        :class:`StepError` names)."""
        self._say("")
        self._say("", step=step)
        with self._work_lock:
            self._work += 1
            self._set_busy(True)

        def run() -> None:
            try:
                task()
            except Exception as exc:
                self._show_error(exc, step)
            finally:
                self._finished_one()

        self._runner.submit(run)

    def _follow_up(self, task: Callable[[], None], step: str) -> None:
        """Run ``task``, which fills the page in after a change from it, on the worker: a step
        whose snapshot is taken before it is done keeps nothing (:data:`STALE`)."""
        with self._state_lock:
            self._owed += 1

        def done_after() -> None:
            try:
                task()
            finally:
                with self._state_lock:
                    self._owed -= 1

        self._submit(done_after, step)

    def _finished_one(self) -> None:
        """One task is done: the inputs unlock once no other is queued or running."""
        with self._work_lock:
            self._work -= 1
            if self._work == 0:
                self._set_busy(False)

    def _inputs(self) -> list[w.ValueWidget]:
        """The inputs whose change resets what was read, validated or run (``_invalidate``)."""
        return [
            *(self.mode, self.token, self.base_url, self.api_version, self.job),
            *(self.upload, self.path, *self.columns.values(), self.from_type, self.to_type),
            *(self.label, self.remove_blank, self.check_records, self.batch_size),
            *(self.sync_options.removals, self.sync_options.max_removals),
        ]

    def _set_busy(self, busy: bool) -> None:
        for button in (self.connect_button, self.validate_button, self.dry_run_button):
            button.disabled = busy
        self.run_button.disabled = busy
        self.load_button.disabled = busy
        self.save_button.disabled = busy or (self.result is None and not self._earlier)
        # Nothing that resets the steps may change while work is on its way: a sheet uploaded
        # or a job chosen during a run would clear its result before it could be saved.
        for widget in self._inputs():
            widget.disabled = busy
        self.sheet.disabled = busy or len(self.sheet.options) < 2  # a text file has one table

    def _say(self, text: str, kind: str = "info", *, step: str | None = None) -> None:
        """A message at the top of the app, or under ``step``'s title."""
        shown = render.message_html(self._redact(text), kind)
        (self.message if step is None else self.messages[step]).value = shown

    def _say_lines(self, step: str, lines: Sequence[tuple[str, str]]) -> None:
        """Messages (text, kind) under ``step``'s title, one after the other ("": none)."""
        shown = [render.message_html(self._redact(text), kind) for text, kind in lines]
        self.messages[step].value = "".join(shown)

    def _box_text(self, name: str) -> str:
        """The text of the free-text box ``name`` (:data:`_BOXES`), stripped.  A box holding
        an access token (one registered or connected with, or a word of a token's shape) is
        emptied first and refused (ConfigurationError), so a saved notebook's widget state
        never keeps it and no file, folder or connection is made of it."""
        box = getattr(self, name)
        text = str(box.value)
        if not self._holds_token(text):
            return text.strip()
        box.value = ""
        said, what, _ = _BOXES[name]
        raise ConfigurationError(TOKEN_IN_BOX.format(box=said, what=what))

    def _on_box_typed(self, name: str) -> None:
        self._box_text(name)

    def _holds_token(self, text: str) -> bool:
        if contains_secret(text):
            return True
        return self._secret is not None and self._redact(text) != text

    def _redact(self, text: str) -> str:
        if self._secret is not None:
            text = replace_value(text, self._secret.reveal(), "***")
        return text

    def _show_error(self, exc: BaseException, step: str | None = None) -> None:
        """The error at the step it concerns (a :class:`StepError` names it), with a pointer
        there from the step that was clicked; at the top when no step is known."""
        if isinstance(exc, StepError) and exc.step != step:
            if step is not None:
                self._say(f"Not done: see {_TITLES[exc.step]} above.", "error", step=step)
            step = exc.step
        self._say(_error_text(exc), "error", step=step)

    def _sync_visibility(self) -> None:
        account = self.mode.value == "hubspot"
        _hidden(self.token, not account)
        _hidden(self.base_url, not account)
        fields = backend.FIELDS[str(self.job.value)]
        for field, dropdown in self.columns.items():
            _hidden(dropdown, field not in fields)
        _hidden(self.label, self.job.value != "associate")
        _hidden(self.labels_status, self.job.value != "associate")
        _hidden(self.remove_blank, self.job.value != "limits")
        _hidden(self.sync_options.box, self.job.value != "sync")
        for box in (self._validate_box, self._dry_box):
            _hidden(box, self.job.value == "export")
        self._result_box.layout.display = None

    def _invalidate(self) -> None:
        """The inputs changed: what was read, validated, planned or run no longer applies."""
        if self._quiet:
            return
        with self._state_lock:  # cleared first: nothing after it may leave stale rows to send
            self._generation += 1
            shown = kept.keep(  # with what the worker made of its files: none made here
                self.result, self._result_issues, self._result_run, self._shown_names(), self._made
            )
            self.frame = self.issues = self.plan = self.result = self._result_issues = None
            self.downloads, self._export_files, self._result_run = {}, {}, 0
            self._made = None
            if shown is not None:  # a real run's report: only it undoes that run
                if self._shown_saved is not None:
                    self._shown_saved.hand_to(shown)
                self._earlier = self._bounded({**self._earlier, shown.name: shown})
            self._shown_saved = None
            earlier = bool(self._earlier)
            # cleared under the lock, with the generation: a step that sees the new generation
            # says so at its step after this (cleared after, its "nothing was sent" was lost)
            for step in ("validate", "dry-run", "run", "results"):
                self.messages[step].value = ""
        for output in (self.validation, self.dry_run_output, self.live_counts):
            output.value = ""
        for output in (self.summary, self.chart, self.preview, self.download_links):
            output.value = ""
        self.saved_paths.value = ""
        self.save_button.disabled = not earlier
        self.progress.value = 0
        if earlier:
            self._offer_earlier()

    # --- 1 connect ------------------------------------------------------------------------

    def _do_connect(self) -> None:
        # Another portal: what was validated, planned or shown as a diff was for the last one.
        self._invalidate()
        with self._state_lock:
            old, self.connection = self.connection, None
        if old is not None:
            old.close()
        secret = self._typed_token()
        self._secret = secret
        self._box_text("base_url")  # the token pasted there: emptied, and no connection made
        settings = self._connection_settings()
        self.connect_status.value = render.message_html("Connecting…", "info")
        try:
            connection = backend.connect(
                settings[0], token=secret, base_url=settings[1] or None, api_version=settings[2]
            )
        except Exception:
            self.connect_status.value = render.message_html("Not connected.", "error")
            if settings[1] and may_hold_secret(settings[1]):  # the token pasted there?
                self.base_url.value = ""
            raise
        with self._state_lock:  # a setting changed meanwhile: not the connection on screen
            kept = self._connection_settings() == settings and not self.token.value
            if kept:
                self.connection = connection
        if not kept:
            connection.close()
            self.connect_status.value = render.message_html("Not connected.", "warning")
            raise StepError("connect", CHANGED_WHILE_CONNECTING)
        if secret is None and connection.sandbox is not None:
            # the token connected with, kept when the sandbox stops (its token is no longer
            # redacted then): a box given it is emptied as ever.  Before, a sandbox stopped
            # by a change of mode made the box keep its token, by the order the two came in.
            self._secret = Secret(connection.sandbox.token)
        self.connect_status.value = render.message_html(connection.description, "success")
        self._offer_custom_types(connection)
        self._refresh_labels()

    def _offer_custom_types(self, connection: Connection) -> None:
        """The type pickers offer the custom objects ``connection``'s portal listed; a portal
        whose list could not be read is said at Connect (the pickers keep the standard
        objects)."""
        with self._state_lock, self._quietly():
            for picker in (self.from_type, self.to_type):
                picker.offer(connection.custom_types)
        if connection.custom_problem:
            self._say(connection.custom_problem, "warning", step="connect")

    def _connection_settings(self) -> tuple[str, str, str]:
        """The mode, base URL and API version the page shows."""
        base_url = str(self.base_url.value).strip()
        return str(self.mode.value), base_url, str(self.api_version.value)

    def _typed_token(self) -> Secret | None:
        """The token typed, masked (None: none typed).  The field is emptied first, whatever
        follows, so the widget state a notebook saves never keeps it; a token no request may
        carry is refused as the client refuses it, without its value, and no frame of a failed
        connect holds it as a local."""
        typed, self.token.value = str(self.token.value), ""
        problem = token_problem(token_text(typed)) if typed.strip() else None
        secret = Secret(typed) if typed.strip() and problem is None else None
        del typed
        if problem is not None:
            raise ConfigurationError(problem)
        return secret

    def _disconnect(self) -> None:
        """Another mode, base URL or API version: the connection made with the last settings
        is not the one on screen, so it goes (Run then asks to connect)."""
        if self._quiet:
            return
        with self._state_lock:
            old, self.connection = self.connection, None
            if old is None:
                return
            self._invalidate()
        self._refresh_labels()
        self.connect_status.value = render.message_html(
            "Not connected: the connection settings changed. Click Connect.", "warning"
        )
        self._runner.submit(old.close)  # after any task still using it

    def _on_token_typed(self) -> None:
        if self.token.value:  # emptied once used (_do_connect): no change of account
            self._disconnect()

    # --- 2 job, 3 sheet -------------------------------------------------------------------

    def _on_job_change(self) -> None:
        self._sync_visibility()
        self._invalidate()
        if self.source is not None:
            self._follow_up(self._do_guess, "sheet")

    def _refused_during_run(self) -> bool:
        """A sheet loaded while a run is on its way would wipe its results: refused."""
        if self._run_queued:
            self._say("A run is on its way: load the next sheet once it is done.", "warning")
        return self._run_queued

    def _on_upload(self) -> None:
        value = self.upload.value
        if not value:
            return
        # Emptied at once: the file is the app's once read (SheetSource), and the widget state
        # a saved notebook keeps holds no copy of it; picking it again later is a change.
        self.upload.value = ()
        if self._refused_during_run():
            return
        item = value[0]
        self._submit(lambda: self._use_source(lambda: SheetSource.from_upload(item)), "sheet")

    def _on_load_path(self) -> None:
        text = self._box_text("path")
        if self._refused_during_run():
            return
        if not text:
            self._say("Type the path of a .xlsx or .csv file first.", "warning", step="sheet")
            return
        self.upload.value = ()  # the upload is not the sheet loaded: picking it again loads it
        self._submit(lambda: self._use_source(lambda: SheetSource.from_path(text)), "sheet")

    def _use_source(self, make: Callable[[], SheetSource]) -> None:
        """Load the sheet ``make`` gives; the last one is dropped first, so a sheet that
        cannot be read leaves nothing of the last one behind."""
        self._drop_source()
        source = make()
        sheets = backend.workbook_sheets(source)
        self.source = source
        with self._quietly():
            if sheets:
                self.sheet.options, self.sheet.value = _sheet_options(
                    sheets, backend.retry_workbook(source)
                )
                self.sheet.disabled = False
            else:
                self.sheet.options = [("(text file: one table)", NONE)]
                self.sheet.value = NONE
                self.sheet.disabled = True
        self.file_status.value = render.message_html(source.describe(), "success")
        try:
            self._do_guess()
        except Exception:  # not even its header row reads: the file is not loaded
            self._drop_source()
            raise

    def _drop_source(self) -> None:
        """No sheet loaded: what was read, mapped, validated, planned or run from the last one
        goes (a failed upload must never leave the last file's rows to run)."""
        self.source = self.guess = None
        self.file_status.value = self.sheet_notes.value = ""
        self.messages["mapping"].value = ""
        before, self._quiet = self._quiet, False
        try:
            self._invalidate()
        finally:
            self._quiet = before
        self._picked.clear()
        with self._quietly():
            for dropdown in self.columns.values():
                dropdown.options = [("(not in the sheet)", NONE)]
                dropdown.value = NONE
            self.from_type.value = self.to_type.value = NONE
            self._show_type_notes(None)
            self.label.value = NONE  # "for all rows" meant the last sheet's rows
            self._label_types = self._stale_label = None
            self.remove_blank.value = False  # so did "an empty limit cell removes that limit"
            self.sheet.options = [("(first sheet)", NONE)]
            self.sheet.value = NONE
            self.sheet.disabled = True

    def _on_sheet_change(self) -> None:
        """Another sheet picked: what was read, validated or run goes now, on the page's own
        thread (a step on its way then keeps nothing), and the sheet's columns are read again."""
        if self._quiet or self.source is None:
            return
        self._invalidate()
        self._follow_up(self._do_guess, "sheet")

    # --- 4 mapping ------------------------------------------------------------------------

    def _do_guess(self) -> None:
        """The columns of the sheet picked, read for the job picked, filled in.  Called after
        the change that asked for it reset the steps (:meth:`_invalidate`), never resetting
        them itself: what a step said of that change, or a run sent before it, stays shown."""
        if self.source is None:
            return
        guess = backend.guess_columns(self.source, str(self.job.value), self._sheet())
        self.guess = guess
        self._picked.clear()
        with self._quietly():
            if guess.problem:  # the read refused: what the alias table matched is a suggestion
                self._fill_columns({}, suggested=guess.mapping)
            else:  # the columns the read took
                self._fill_columns(guess.mapping)
            self.from_type.value = guess.from_type or NONE
            self.to_type.value = guess.to_type or NONE
        self._show_type_notes(guess)
        self.sheet_notes.value = _sheet_notes_html(guess.sheets)
        self._say("", step="mapping")
        if guess.problem:  # the sheet was read; its columns need a choice: fixed in step 4
            self._say(guess.problem + _suggested_words(guess.mapping), "warning", step="mapping")
        self._refresh_labels()

    def _fill_columns(
        self, mapping: Mapping[str, str], suggested: Mapping[str, str] | None = None
    ) -> None:
        """The column dropdowns not picked by the analyst show ``mapping`` ({field: header}):
        the columns a read took.  A field ``suggested`` only stays empty, its suggestion said
        in its empty choice: a suggestion is never read as the analyst's choice."""
        # a header is shown redacted (a token pasted in a header cell was in every dropdown,
        # and in the widget state a saved notebook keeps); the value is the header itself
        headers = [(redact(h), h) for h in self.guess.headers] if self.guess is not None else []
        for field, dropdown in self.columns.items():
            if field in self._picked:
                continue
            hint = (suggested or {}).get(field)
            empty = f"(not picked; suggested: {redact(hint)})" if hint else "(not in the sheet)"
            dropdown.options = [(empty, NONE), *headers]
            value = mapping.get(field, NONE)
            dropdown.value = value if value in {h for _, h in headers} else NONE

    def _on_column_change(self, field: str) -> None:
        self._invalidate()
        if not self._quiet:  # the analyst's choice: read as chosen, whatever was shown before
            self._picked.add(field)

    def _show_read_columns(self, frame: pd.DataFrame) -> None:
        """The dropdowns the analyst left show the columns the read took, which the reader
        decided: a suggestion shown before is replaced by what was read.  Not for every
        visible sheet: the read maps each sheet by its own headers."""
        if self._sheet() == ALL_SHEETS:
            return
        fields = backend.FIELDS[str(self.job.value)]
        column_map = dict((frame.attrs.get("hubframe") or {}).get("column_map") or {})
        read = {str(f): str(h) for h, f in column_map.items() if f in fields}
        with self._quietly():
            self._fill_columns(read)

    def _sheet_columns_html(self, frame: pd.DataFrame) -> str:
        """Every visible sheet read: the columns each sheet's read took, and a warning for each
        that differs from what its dropdown shows (the first sheet's headers), so that no
        sheet's column is sent while the page says another, or none, is read."""
        if self._sheet() != ALL_SHEETS:
            return ""
        meta = frame.attrs.get("hubframe") or {}
        maps = dict(meta.get("sheet_column_maps") or {})
        if not maps and meta.get("sheets_read"):  # one sheet read: its map is the frame's
            maps = {meta["sheets_read"][0]: dict(meta.get("column_map") or {})}
        fields = [f for f in backend.FIELDS[str(self.job.value)] if f in self.columns]
        shown = {f: str(self.columns[f].value) for f in fields}
        lines, differ = [], []
        for sheet, column_map in maps.items():
            read = {str(f): str(h) for h, f in column_map.items() if f in fields}
            taken = [f for f in fields if f in read]
            named = "; ".join(f'{backend.FIELD_LABELS[f]}: "{read[f]}"' for f in taken)
            lines.append(f"sheet '{sheet}': {named or 'no columns'}")
            differ += [
                _column_differs(sheet, backend.FIELD_LABELS[f], read.get(f), shown[f])
                for f in fields
                if read.get(f, NONE) != shown[f]
            ]
        said = render.message_html("Columns read, sheet by sheet: " + " · ".join(lines), "info")
        return said + "".join(render.message_html(text, "warning") for text in differ)

    def _show_type_notes(self, guess: Guess | None) -> None:
        """Beside each type picker, where its pre-filled type came from, or why none was."""
        self._type_guesses = dict(guess.guessed) if guess is not None else {}
        for side, note in self.type_notes.items():
            note.value = render.message_html(self._type_note(guess, side), "warning")

    def _type_note(self, guess: Guess | None, side: str) -> str:
        name = self.source.name if self.source is not None else "the file"
        found = self._type_guesses.get(side)
        if found is not None:
            where = found.reason
            if where == "headers" and "," not in found.evidence:
                where = "header"
            return (
                f"{found.object_type} — taken from the {where} {found.evidence}; change it if "
                "the file holds another object's records."
            )
        if guess is not None and guess.directions and getattr(guess, f"{side}_type") is None:
            return _directions_note(guess.directions, side)
        why = guess.unguessed.get(side) if guess is not None else None
        if not why:
            return ""
        return (
            f"No {side} object type was taken from {name}: {why[:1].lower()}{why[1:]} Pick "
            "the object whose records the file lists."
        )

    def _show_read_guesses(self, frame: pd.DataFrame) -> None:
        """A type the read inferred for an empty picker (none was pre-filled: the first read
        of the sheet failed on another column) is put in the picker and said, as at upload.
        Not for every visible sheet: the read guesses per sheet, one picker would apply one
        sheet's guess to all."""
        if self._sheet() == ALL_SHEETS:
            return
        pickers = {"from": self.from_type, "to": self.to_type}
        found = read_notes(frame).guessed_types
        new = {s: g for s, g in found.items() if s in pickers and not pickers[s].value}
        if not new:
            return
        with self._quietly():
            for side, guess in new.items():
                pickers[side].value = guess.object_type
        self._type_guesses.update(new)
        for side in new:
            note = self._type_note(None, side)
            self.type_notes[side].value = render.message_html(note, "warning")
        self._refresh_labels()

    def _on_types_change(self, side: str) -> None:
        self._invalidate()
        if self._quiet:
            return
        # The analyst changed it: the type is theirs now, not the guess the note spoke of.
        self._type_guesses.pop(side, None)
        self.type_notes[side].value = ""
        with self._state_lock:  # before the list is read: a read that fails keeps it aside too
            self._mark_stale((str(self.from_type.value), str(self.to_type.value)))
        if self.connection is not None and self.job.value == "associate":
            self._follow_up(self._refresh_labels, "mapping")

    def _on_label_pick(self) -> None:
        self._invalidate()
        if not self._quiet:  # the analyst's pick: for the types picked now
            self._label_types = (str(self.from_type.value), str(self.to_type.value))
            self._stale_label = None

    def _refresh_labels(self) -> None:
        """The label picker lists the labels HubSpot has for the types picked.  Read once
        from the connection and types as they were: when either changed meanwhile, the change
        lists its own (:meth:`_disconnect`, :meth:`_on_types_change`), and this is dropped.
        A list that cannot be read (the day's limit, HubSpot out of reach) is said beside the
        picker; the sheet stays loaded (before, the upload that read it was dropped)."""
        connection, from_type, to_type = self._label_pair()
        options: list[tuple[str, str]] = [("(from the sheet, or unlabeled)", NONE)]
        status = ""
        if connection is not None and from_type and to_type:
            try:
                names = backend.label_names(connection, from_type, to_type)
                ids = backend.label_type_ids(connection, from_type, to_type)
            except HubframeError as exc:
                status = render.esc(
                    self._redact(f"The labels for {from_type} → {to_type} could not be read: {exc}")
                )
            else:
                options += [(redact(backend.label_shown(n, names, ids)), n) for n in names]
                status = render.esc(f"{len(names)} labels for {from_type} → {to_type} in HubSpot")
        with self._state_lock:
            now, *types = self._label_pair()
            if now is not connection or types != [from_type, to_type]:
                return
            keep = self._label_kept((from_type, to_type))
            self._show_labels(options, keep, status)

    def _label_kept(self, types: tuple[str, str]) -> str:
        """The value the label picker keeps for ``types`` (lock held): the label picked, or
        back to the types it was picked for a label set aside (:meth:`_mark_stale`), or the
        placeholder that asks for a label again."""
        if self._stale_label is not None and self._stale_label[1] == types:
            keep, self._stale_label = self._stale_label[0], None
            self._label_types = types
            return keep
        self._mark_stale(types)
        return _PICK_AGAIN if self._stale_label is not None else str(self.label.value)

    def _show_labels(self, options: list[tuple[str, str]], keep: str, status: str) -> None:
        """The picker's labels, its value, and the status beside it (lock held); while a label
        picked for other types is set aside, a first option asks for one again."""
        if self._stale_label is not None:
            label, (from_type, to_type) = self._stale_label
            ask = f"(pick again: {redact(label)!r} was for {from_type} → {to_type})"
            options = [(ask, _PICK_AGAIN), *options]
            said = render.esc(self._stale_words())
            status = f"{status}<br>{said}" if status else said
        self.labels_status.value = status
        with self._quietly():
            self.label.options = options
            self.label.value = keep if keep in {v for _, v in options} else NONE

    def _mark_stale(self, types: tuple[str, str]) -> None:
        """Set the label picked aside when it was picked for other types than ``types`` (lock
        held): its name in this direction may be another association (the inverse of another
        label: names that cross), so the read is refused until a label, or none, is picked
        again (:meth:`_refuse_stale_label`).  Before, it was kept when the new direction had a
        label of that name (with names that cross, another type was set) and dropped without
        a word when not (the pairs linked unlabeled)."""
        label = str(self.label.value)
        if self._stale_label is not None or label in (NONE, _PICK_AGAIN):
            return
        if self._label_types is not None and self._label_types != types:
            self._stale_label, self._label_types = (label, self._label_types), None

    def _stale_words(self) -> str:
        label, (from_type, to_type) = self._stale_label or ("", ("", ""))
        return (
            f"The label {redact(label)!r} was picked for {from_type} → {to_type}, not for the "
            f"types picked now: a label of that name this way may be another one (each "
            "direction names its labels its own way). Pick the label again (or "
            '"(from the sheet, or unlabeled)").'
        )

    def _refuse_stale_label(self, job: str) -> None:
        """StepError while the label picked was picked for other types (:meth:`_mark_stale`),
        whether or not the picker's list could be read since the types changed."""
        if job != "associate":
            return
        with self._state_lock:
            self._mark_stale((str(self.from_type.value), str(self.to_type.value)))
            stale = self._stale_label is not None or self.label.value == _PICK_AGAIN
        if stale:
            raise StepError("mapping", self._stale_words())

    def _label_pair(self) -> tuple[Connection | None, str, str]:
        """What the label picker's list depends on: the connection and the types picked."""
        return self.connection, str(self.from_type.value), str(self.to_type.value)

    def mapping(self) -> dict[str, str]:
        """The column mapping the dropdowns show, as ``{sheet header: field}``."""
        fields = backend.FIELDS[str(self.job.value)]
        return {
            str(d.value): field for field, d in self.columns.items() if field in fields and d.value
        }

    def chosen_mapping(self) -> dict[str, str]:
        """The columns the analyst picked in the dropdowns, as ``{sheet header: field}``: what
        the read is given as chosen.  A column the app filled in is not among them."""
        return {h: f for h, f in self.mapping().items() if f in self._picked}

    def _one_column_per_field(self, job: str) -> None:
        """A column picked for two fields: said so (the mapping, {header: field}, keeps one)."""
        fields = backend.FIELDS[job]
        seen: dict[str, str] = {}
        for field, dropdown in self.columns.items():
            header = str(dropdown.value)
            if field not in fields or not header:
                continue
            if header in seen:
                first, second = backend.FIELD_LABELS[seen[header]], backend.FIELD_LABELS[field]
                raise StepError(
                    "mapping",
                    f'The column "{header}" is picked for both "{first}" and "{second}": '
                    "pick another column for one of them.",
                )
            seen[header] = field

    def _sheet(self) -> str | None:
        value = self.sheet.value
        return str(value) if value else None

    # --- 5 validate -----------------------------------------------------------------------

    def _read(self, state: _State | None = None) -> pd.DataFrame:
        """The sheet read as the page shows it (the sheet and job ``state`` took, if given)."""
        if self.source is None:
            raise StepError("sheet", "Upload a sheet or load one from a path first.")
        job = state.job if state is not None else str(self.job.value)
        self._one_column_per_field(job)
        self._refuse_stale_label(job)
        try:
            frame = backend.read(
                self.source,
                job,
                sheet=state.sheet if state is not None else self._sheet(),
                columns=self.chosen_mapping(),
                from_type=str(self.from_type.value) or None,
                to_type=str(self.to_type.value) or None,
                label=str(self.label.value).strip() or None if job == "associate" else None,
                remove_blank=bool(self.remove_blank.value),
                guessed=self._type_guesses,
                type_id=self._picked_type_id(job),
            )
        except InputError as exc:  # the sheet loaded at step 3: its columns need a choice
            raise StepError("mapping", str(exc)) from exc
        self._refuse_read_against_choice(frame, job)
        return frame

    def _picked_type_id(self, job: str) -> int | None:
        """The type id of the label picked for every row, as the picker listed it: sent with
        the label, so that the label picked is the one linked ("Champion " beside "Champion"
        reads, trimmed, as either).  None: no label picked, or the list cannot be read (the
        label alone is sent; a label that could be either is refused)."""
        picked, connection = str(self.label.value), self.connection
        if job != "associate" or picked in (NONE, _PICK_AGAIN) or connection is None:
            return None
        try:
            return backend.label_type_id(
                connection, str(self.from_type.value), str(self.to_type.value), picked
            )
        except HubframeError:
            return None

    def _refuse_read_against_choice(self, frame: pd.DataFrame, job: str) -> None:
        """A field the analyst set to "(not in the sheet)" for which the read took a column
        all the same (its header names it): refused, rather than its cells sent while the
        dropdown says no column is read.  The reader has no way to leave such a column unread
        (it refuses a label column left out, say, so that no row loses its label)."""
        column_map = dict((frame.attrs.get("hubframe") or {}).get("column_map") or {})
        read = {str(f): str(h) for h, f in column_map.items()}
        per_sheet = words.sheet_headers_of(frame)  # sheets read together may name it apart
        for field in backend.FIELDS[job]:
            dropdown = self.columns.get(field)
            if dropdown is None or field not in self._picked or dropdown.value != NONE:
                continue
            if field not in read:
                continue
            name, header = backend.FIELD_LABELS[field], read[field]
            found: dict[str, list[str]] = {}  # header -> the sheets that read it as the field
            for sheet, headers in per_sheet.items():
                if field in headers:
                    found.setdefault(headers[field], []).append(sheet)
            if len(found) > 1:  # the union's last sheet named every sheet's column
                named = " and ".join(
                    f'"{h}" on sheet{"s" if len(sheets) > 1 else ""} '
                    + ", ".join(repr(s) for s in sheets)
                    for h, sheets in found.items()
                )
                raise StepError(
                    "mapping",
                    f'"{name}" is set to (not in the sheet), but the sheets\' columns {named} '
                    f"are read as {name}: their headers say so, and their cells would be sent. "
                    f'Pick the first sheet\'s column for "{name}" to use them, or rename those '
                    "columns in the sheets to keep them as columns of your own, and load the "
                    "sheet again.",
                )
            raise StepError(
                "mapping",
                f'"{name}" is set to (not in the sheet), but the sheet\'s column "{header}" '
                f"is read as {name}: its header says so, and its cells would be sent. Pick "
                f'"{header}" for "{name}" to use it, or rename that column in the sheet to '
                "keep it as a column of your own, and load the sheet again.",
            )

    def _keep(self, generation: int, step: str, said: str = CHANGED_WHILE_WORKING) -> None:
        """Raise, at ``step``, when the inputs changed since ``generation`` (a change that
        reached the kernel while the step ran): what it read no longer matches the page.
        Call with ``_state_lock`` held, then store."""
        if generation != self._generation:
            raise StepError(step, said)

    def _snapshot(self) -> _State:
        """The state a background step works on, taken at once (see :class:`_State`)."""
        with self._state_lock:
            return _State(
                generation=STALE if self._owed else self._generation,
                sheet=self._sheet(),
                job=str(self.job.value),
                connection=self.connection,
                frame=self.frame,
                issues=self.issues,
                plan=self.plan,
                result=self.result,
                result_issues=self._result_issues,
                result_generation=self._result_generation,
                result_run=self._result_run,
                earlier=dict(self._earlier),
            )

    def _do_validate(self) -> None:
        self._validated(self._snapshot())

    @contextmanager
    def _set_aside_if_changed(self, state: _State, step: str) -> Iterator[None]:
        """What goes wrong in the block, when the inputs changed since ``state`` was taken, is
        said as the change (the step set aside), not as a fault of the page as it is now."""
        try:
            yield
        except Exception:
            with self._state_lock:
                self._keep(state.generation, step)
            raise

    def _validated(self, state: _State) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Read and validate the sheet as the page shows it, with ``state``'s connection; kept
        (and shown) only when no change came since ``state`` was taken.  Validate redone (by
        Run or Dry run too): what an earlier click said at its step goes."""
        self._say("", step="validate")
        with self._state_lock:  # the page was still filled in: the read would not match it
            self._keep(state.generation, "validate")
        with self._set_aside_if_changed(state, "validate"):
            return self._read_and_check(state)

    def _read_and_check(self, state: _State) -> tuple[pd.DataFrame, pd.DataFrame]:
        """:meth:`_validated`'s read and validation, stored while ``state`` is current."""
        frame = self._read(state)
        with self._state_lock:
            self._keep(state.generation, "validate")  # a stale read fills in no dropdown
        self._say("", step="mapping")  # what the read refused before was answered
        self.sheet_notes.value = _sheet_notes_html(read_notes(frame).sheet_messages())
        self._show_read_columns(frame)
        self._show_read_guesses(frame)
        if state.connection is not None:
            backend.rehearse(state.connection, frame)
        issues = backend.validate(
            frame,
            state.job,
            state.connection,
            check_records=bool(self.check_records.value),
        )
        with self._state_lock:
            self._keep(state.generation, "validate")
            self.frame, self.issues = frame, issues
        self.validation.value = self._sheet_columns_html(frame) + _read_warnings(frame)
        self.validation.value += render.issues_html(
            issues,
            rows_read=len(frame),
            max_rows=self._max_preview_rows,
            checked_in_hubspot=state.connection is not None,
            headers=words.headers_of(frame),
            sheet_headers=words.sheet_headers_of(frame),
        )
        return frame, issues

    # --- 6 dry run, 7 run -----------------------------------------------------------------

    def _start_run(self) -> None:
        if self._run_queued:  # a double click: the run is on its way already
            return
        self._run_queued = True
        self._cancel.clear()
        self._cancelling = CANCELLING_RUN
        self.cancel_button.disabled = False
        self.cancel_button.tooltip = "Stop after the batches already sent"
        self._submit(self._do_run, "run")

    def _do_run(self) -> None:
        try:
            self._execute(False)
        finally:
            with self._state_lock:
                self.cancel_button.disabled = True
                if self.live_counts.value == self._cancelling_html():
                    self.live_counts.value = ""  # the step's own message says how it ended
                self._run_queued = False

    def _on_cancel(self) -> None:
        with self._state_lock:
            if not self._run_queued:  # the run ended as the click came: nothing to stop
                return
            self._cancel.set()
            self.cancel_button.disabled = True
            self.live_counts.value = self._cancelling_html()

    def _cancelling_html(self) -> str:
        return render.message_html(self._cancelling, "warning")

    def _execute(self, dry_run: bool) -> None:
        state = self._snapshot()
        if state.connection is None:
            raise StepError("connect", "Connect first: the run needs HubSpot or the sandbox.")
        step, said = (
            ("dry-run", CHANGED_WHILE_WORKING) if dry_run else ("run", CHANGED_BEFORE_SENDING)
        )
        with self._state_lock:  # taken while the page was still filled in after a change
            self._keep(state.generation, step, said)
        job = state.job
        if job == "export":
            self._export(state, state.connection)
            return
        if self.source is None:  # never the rows of a sheet no longer loaded
            raise StepError("sheet", "Upload a sheet or load one from a path first.")
        frame, issues = state.frame, state.issues
        if frame is None or issues is None:
            frame, issues = self._validated(state)
        backend.rehearse(state.connection, frame)  # read before connecting: made now
        work = _Work(state, state.connection, job, frame, issues)
        if job == "sync":
            self._execute_sync(dry_run, work)
        elif dry_run:
            self._dry_run(work)
        else:
            self._send(work)

    def _dry_run(self, work: _Work) -> None:
        plan = backend.execute(
            work.frame,
            work.connection,
            work.job,
            dry_run=True,
            batch_size=self._batch_size(),
            issues=work.issues,
        )
        with self._state_lock:
            self._keep(work.state.generation, "dry-run")
            self.plan = plan
        self.dry_run_output.value = _left_out_html(work.frame) + render.plan_html(plan)

    def _send(self, work: _Work) -> None:
        """The run: sent only when no change came since ``work``'s snapshot was taken."""
        earlier, again = self._kept_reports(work.state)
        names = self._report_names(work.frame)
        with self._state_lock:
            self._keep(work.state.generation, "run", CHANGED_BEFORE_SENDING)
        self._sending(len(work.frame))
        result = backend.execute(
            work.frame,
            work.connection,
            work.job,
            dry_run=False,
            batch_size=self._batch_size(),
            issues=work.issues,
            on_progress=self._on_progress,
            cancel=self._cancel,
        )
        said = RUN_AGAIN if again and _answered(result) else ""  # sent again: HubSpot answered
        self._ran(work, result, (earlier, names), said)

    def _kept_reports(self, state: _State) -> tuple[dict[str, KeptReport], bool]:
        """The reports to keep beside the next run's (those kept before, and the shown run's;
        nothing is written), and whether the shown run was of the inputs the next one sends
        (Run clicked again with nothing changed)."""
        with self._state_lock:  # what the worker made of the shown run's files, if anything
            made = self._made
        shown = kept.keep(
            state.result, state.result_issues, state.result_run, self._shown_names(), made
        )
        again = shown is not None and state.result_generation == state.generation
        earlier = dict(state.earlier)
        if shown is not None:
            if (saved := self._shown_saved) is not None:  # its file a Save wrote, if any
                saved.hand_to(shown)
            earlier[shown.name] = shown
        return earlier, again

    def _bounded(self, reports: Mapping[str, KeptReport]) -> dict[str, KeptReport]:
        """``reports`` held to :data:`kept.MAX_KEPT`; those that give way are counted, to be
        said (:func:`kept.dropped_words`)."""
        held, dropped = kept.bounded(reports, kept.MAX_KEPT)
        self._dropped += len(dropped)
        return held

    def _report_names(self, frame: pd.DataFrame) -> tuple[tuple[str, str], str]:
        """The report's and the retry file's names for a run of ``frame``, and what to say of
        them: .csv files when the sheet is too wide for an Excel sheet once the result's
        columns are added (the command line refuses an .xlsx report then, before sending)."""
        report_name, retry_name = self._names()
        wide = workbook_too_wide(frame)
        if wide is None:
            return (report_name, retry_name), ""
        csv = (
            str(Path(report_name).with_suffix(".csv")),
            str(Path(retry_name).with_suffix(".csv")),
        )
        return csv, f"{wide} The report is a .csv file (the Results alone), as is the retry file."

    def _sending(self, rows: int) -> None:
        self.progress.value, self.progress.max = 0, max(rows, 1)
        self.progress.bar_style = "info"
        self.live_counts.value = render.esc("sending…")

    def _ran(
        self,
        work: _Work,
        result: pd.DataFrame,
        kept_and_names: tuple[dict[str, KeptReport], tuple[tuple[str, str], str]],
        again: str,
    ) -> None:
        """A run's result, sent: stored and shown whatever changed meanwhile, with why HubSpot
        stopped it, and a warning when its inputs changed while it sent (else ``again``)."""
        earlier, (names, wide) = kept_and_names
        with self._state_lock:
            self._runs += 1
            self.result, self._result_issues = result, work.issues
            self._result_generation, self._result_run = work.state.generation, self._runs
            self._result_names = names
            self._earlier = self._bounded({**self._earlier, **earlier})
        self._show_result(result, work.frame, work.issues)
        said = [stop] if (stop := _stop_words(result)) is not None else []
        if wide:
            said.append((wide, "info"))
        if work.state.generation != self._generation:  # sent all the same: shown, never dropped
            said.append((CHANGED_WHILE_RUNNING, "warning"))
        elif again:
            said.append((again, "warning"))
        self._say_lines("run", said)

    def _offer_earlier(self) -> None:
        """The earlier runs' reports and retry files, kept on the page after their inputs
        changed (another file, another setting): without them those runs could not be undone
        from the app.  Offered as made on the worker: nothing is written here, which a change
        on the page calls."""
        said = render.message_html(EARLIER_KEPT, "info")
        self.download_links.value = said + self._links(self._kept_offers(last=True))

    def _kept_offers(self, *, last: bool) -> list[Offer]:
        """The kept runs' files as the page offers them, the latest run's named "the last run"
        when ``last`` (no run is shown)."""
        with self._state_lock:
            reports = list(self._earlier.values())
        return [
            offer
            for report in reports
            for offer in report.offers(last=last and report is reports[-1])
        ]

    def _made_for_page(self, name: str, make: Callable[[], bytes]) -> PageFile:
        """The file ``make`` writes, made for the page (on the worker only: a workbook of a
        large run takes seconds); a file that cannot be made (the temp folder full or gone)
        is noted as such, and Save report writes it again."""
        try:
            return PageFile.made(make(), self._max_download_bytes)
        except (OSError, HubframeError, MemoryError) as exc:
            return PageFile.failed(f"{name}: {_error_text(exc)}")

    def _links(self, offers: Sequence[Offer]) -> str:
        """Download links for the files ``offers`` holds while they are small; larger ones
        are saved to a folder (:meth:`_do_save`), never carried by the page.  Nothing is made
        here: a file not made for the page, or that could not be, is said at the results,
        and Save report writes it."""
        self.messages["results"].value = ""  # said again below while a file is not made
        links, too_big, failed = [], [], []
        for offer in offers:
            page = offer.page
            if page is None or page.problem:
                failed.append(page.problem if page is not None else f"{offer.name}: not made yet")
            elif page.data is None:
                too_big.append((offer.name, page.size))
            else:
                self.downloads[offer.name] = page.data
                links.append(render.download_link_html(page.data, offer.name, offer.label))
        notes = [
            (kept.dropped_words(self._dropped, kept.MAX_KEPT), "info"),
            (render.too_large_words(too_big), "warning"),
        ]
        if failed:
            why = "; ".join(failed)
            self._say(
                f"A report or retry file could not be made for the page ({why}). It is kept: "
                "Save report writes it to a folder.",
                "error",
                step="results",
            )
        return "".join(links) + "".join(render.message_html(t, k) for t, k in notes)

    def _execute_sync(self, dry_run: bool, work: _Work) -> None:
        """A sync: the dry run shows the diff; a run applies only a diff that was shown."""
        options = self.sync_options.options()
        if dry_run or work.state.plan is None:
            if not dry_run:  # Run showing the diff, which sends nothing: no Cancel to offer
                self.cancel_button.disabled = True
            plan = portal.run_sync(
                work.frame,
                work.connection,
                options,
                dry_run=True,
                issues=work.issues,
                batch_size=self._batch_size(),
            )
            with self._state_lock:
                self._keep(work.state.generation, "dry-run")
                self.plan = plan
            self.dry_run_output.value = _left_out_html(work.frame) + portal.diff_html(plan)
            if not dry_run:
                self._say(portal.REVIEW, "warning")
            return
        earlier, again = self._kept_reports(work.state)
        names = self._report_names(work.frame)
        with self._state_lock:
            self._keep(work.state.generation, "run", CHANGED_BEFORE_SENDING)
            self.plan = None  # a diff shown lets one run go, not every later one
        relay = backend.progress_relay(self._on_progress)
        self._sending(len(work.state.plan))
        result = portal.run_sync(
            work.frame,
            work.connection,
            options,
            dry_run=False,
            issues=work.issues,
            batch_size=self._batch_size(),
            on_start=relay.start,
            on_progress=relay,
            cancel=self._cancel,
        )
        self._ran(work, result, (earlier, names), SYNC_AGAIN if again else "")

    def _export(self, state: _State, connection: Connection) -> None:
        """Read the portal's associations between the types picked; kept (and named after the
        types it read) only when no change came while it read.  Cancel stops it."""
        from_type, to_type = str(self.from_type.value), str(self.to_type.value)
        if not from_type or not to_type:
            raise StepError("mapping", "Pick the from and to object types to export.")
        self._cancelling = CANCELLING_EXPORT
        frame = self._read_export(connection, from_type, to_type, state.sheet)
        files = portal.export_files(frame, f"{from_type}_{to_type}_links")
        limit = self._max_download_bytes  # larger: Save report writes it, the page never has it
        with self._state_lock:
            self._keep(state.generation, "run")
            self.result, self._result_issues, self._made = frame, None, None
            self.downloads = {name: data for name, data in files.items() if len(data) <= limit}
            self._export_files = dict(files)
        self._say("", step="mapping")  # what the read refused before was answered
        if self.source is not None and self._sheet() != ALL_SHEETS:
            used = portal.export_id_column(frame)  # shown: the column the ids were read from
            with self._quietly():
                self._fill_columns({"from_id": used} if used else {})
        self.summary.value = portal.export_html(frame, files, max_bytes=limit)
        self.chart.value = self.preview.value = self.download_links.value = ""
        if self._earlier:  # the runs before it: an export hides none of their reports
            self._offer_earlier()

    def _read_export(
        self, connection: Connection, from_type: str, to_type: str, sheet: str | None
    ) -> pd.DataFrame:
        """The export's read (:func:`portal.export`) of ``sheet``, with the sheet's id column
        as the page shows it; a column the read needs chosen is said in step 4."""
        picked = "from_id" in self._picked  # else the reader's to pick, or to refuse
        self.live_counts.value = render.esc("reading HubSpot…")
        try:
            return portal.export(
                connection,
                from_type,
                to_type,
                self.source,
                sheet=sheet,
                id_column=(str(self.columns["from_id"].value) or None) if picked else None,
                cancel=self._cancel,
            )
        except InputError as exc:  # the sheet's id column needs a choice: said in step 4
            if self.source is None:
                raise
            guessed = self.guess.mapping.get("from_id") if self.guess is not None else None
            hint = str(self.columns["from_id"].value) or guessed
            with self._quietly():  # nothing was read: a column shown is only a suggestion
                self._fill_columns({}, suggested={"from_id": hint} if hint else None)
            raise StepError("mapping", str(exc)) from exc
        except HubframeError as exc:
            if exc.code is ErrorCode.CANCELLED:
                raise StepError("run", EXPORT_CANCELLED) from None
            raise
        finally:
            self.live_counts.value = ""

    def _batch_size(self) -> int | None:
        return int(self.batch_size.value) or None

    def _on_progress(self, progress: Progress) -> None:
        self.progress.max = max(progress.total, 1)
        self.progress.value = min(progress.done, self.progress.max)
        self.live_counts.value = render.esc(f"{progress.done:,} of {progress.total:,} rows sent")

    def _show_result(
        self, result: pd.DataFrame, frame: pd.DataFrame, issues: pd.DataFrame | None
    ) -> None:
        """The run's result, counts, chart, table and downloads (its report with ``issues``);
        first, the sheets of pairs the read of ``frame`` left out (as the command line warns
        of them at a run)."""
        counts = render.status_counts(result)
        self.progress.value = self.progress.max
        self.progress.bar_style = "success" if not _has_problems(counts) else "warning"
        cancelled = self._cancel.is_set() and _cancelled_rows(result) > 0
        self.live_counts.value = render.count_line_html(result)
        headline = _headline(result, counts, cancelled=cancelled)
        self.summary.value = (
            render.message_html(
                headline, "warning" if _has_problems(counts) or cancelled else "success"
            )
            + f'<div class="hf-summary-line">{render.count_line_html(result)}</div>'
            + _left_out_html(frame)
        )
        self.chart.value = render.summary_chart_html(result)
        self.preview.value = render.preview_html(result, max_rows=self._max_preview_rows)
        self._make_downloads(result, issues)

    # --- 8 downloads ----------------------------------------------------------------------

    def _names(self) -> tuple[str, str]:
        """The report's and the retry file's file names, after the sheet's."""
        stem = self.source.stem if self.source is not None else "hubframe"
        suffix = self.source.suffix if self.source is not None else ".xlsx"
        return f"{stem}_report.xlsx", f"{stem}_retry{suffix}"

    def _shown_names(self) -> tuple[str, str]:
        """The shown run's report and retry file names (kept after another upload), else the
        sheet's."""
        report, retry = self._names()
        return self._result_names[0] or report, self._result_names[1] or retry

    def _make_downloads(self, result: pd.DataFrame, issues: pd.DataFrame | None) -> None:
        """Download links for the report, the retry file and the earlier runs' files, made
        here, on the worker (a kept file not made yet, or that could not be, is made again);
        what was made is kept with the run (:meth:`_invalidate`), never made on the page."""
        self.downloads, self._export_files = {}, {}
        made, offers = self._make_shown(result, issues)
        with self._state_lock:
            self._made = made
            earlier = list(self._earlier.values())
        for file in (file for report in earlier for file in report.files):
            if file.page is None or file.page.problem:
                file.page = self._made_for_page(file.name, file.file.data)
        self.download_links.value = self._links(offers + self._kept_offers(last=False))
        self.save_button.disabled = False

    def _make_shown(
        self, result: pd.DataFrame, issues: pd.DataFrame | None
    ) -> tuple[Made, list[Offer]]:
        """The shown run's report and retry file (when it left rows to do), made for the
        page, and their offers."""
        report_name, retry_name = self._result_names
        make = partial(backend.report_bytes, result, issues, report_name)
        pages = {report_name: self._made_for_page(report_name, make)}
        offers = [Offer(report_name, "Report", pages[report_name])]
        retry_rows = int(backend.retry_count(result))
        if retry_rows:
            make = partial(backend.retry_bytes, result, retry_name)
            pages[retry_name] = self._made_for_page(retry_name, make)
            label = f"Retry file ({render.plural(retry_rows, 'row')})"
            offers.append(Offer(retry_name, label, pages[retry_name]))
        return Made(pages, retry_rows), offers

    def _do_save(self) -> None:
        """Write the report (and the retry file, when rows are left to do) into the folder
        typed (./reports when empty); the paths are shown.  The paths are checked first, as the
        command line checks them (:func:`hubframe.report.outputs.check_outputs`)."""
        with self._state_lock:  # one state: a change meanwhile moves the report to _earlier
            result, issues, names = self.result, self._result_issues, self._result_names
            earlier, exported = dict(self._earlier), dict(self._export_files)
            if earlier and result is not None:  # beside "(run 1)": "(2)" read as run 2's
                names = (
                    kept_name(names[0], self._result_run),
                    kept_name(names[1], self._result_run),
                )
        typed = self._box_text("save_folder")  # before anything is made of it
        if result is None and not earlier:
            raise StepError("run", "Run the sheet first: there is no report to save yet.")
        folder = as_path(typed or "reports")
        stages: list[Callable[[], list[Path]]] = []
        if exported:  # an export: its files, as the page offers them
            stages.append(partial(backend.save_files, exported, folder))
        elif result is not None:
            stages.append(partial(self._save_shown, result, issues, names, folder))
        if earlier:  # the earlier runs' reports, each under its own name, once a folder
            stages.append(partial(_save_kept, list(earlier.values()), folder))
        written, failed = _save_each(stages)
        self.saved = written
        self.saved_paths.value = _saved_html(folder, written)
        if failed:  # the files written are shown, and named in the message too
            raise backend.NotAllSaved(failed, dict(enumerate(written)))

    def _save_shown(
        self,
        result: pd.DataFrame,
        issues: pd.DataFrame | None,
        names: tuple[str, str],
        folder: Path,
    ) -> list[Path]:
        """Save the shown run's report and retry file into ``folder``: the files an earlier
        Save wrote there, as written, are those files again (each Save wrote them anew,
        "a_report (2).xlsx" beside "a_report.xlsx")."""
        before = self._shown_saved
        again = before.still(result, issues, names, folder) if before is not None else {}
        wanted = [FileKind.REPORT] + ([FileKind.RETRY] if backend.retry_count(result) else [])
        missing = [kind for kind in wanted if kind not in again]
        done: dict[FileKind, Path] = {}
        source = self.source.path if self.source is not None else None
        try:
            if missing:
                paths = backend.save_outputs(
                    result, issues, folder, *names, source=source, kinds=missing
                )
                done = dict(zip(missing, paths, strict=True))
        except backend.NotAllSaved as exc:  # those written are noted: no copy of them next
            done = {missing[n]: path for n, path in exc.done.items()}
            raise backend.NotAllSaved(exc.failed, dict(enumerate((again | done).values()))) from exc
        finally:
            self._shown_saved = SavedFiles.of(result, issues, names, again | done)
        return [(again | done)[kind] for kind in wanted]


def _save_kept(reports: list[KeptReport], folder: Path) -> list[Path]:
    """Save the kept runs' reports and retry files into ``folder``: a file this session saved
    there before, as written then, is that file again (each Save wrote it anew, "a_report
    (run 1) (2).xlsx", "(3)" ... beside it), the others are written beside what is there, never
    over it (:func:`backend.save_run_files`)."""
    files = [file for report in reports for file in report.files]
    found = {file.name: file.saved_as(folder) for file in files}
    new = [file for file in files if found[file.name] is None]
    failed: list[str] = []
    try:
        done = dict(enumerate(backend.save_run_files([file.file for file in new], folder)))
    except backend.NotAllSaved as exc:  # those written are noted: no copy of them next
        done, failed = exc.done, exc.failed
    for n, path in done.items():
        new[n].was_saved(path)
        found[new[n].name] = path
    written = [path for path in found.values() if path is not None]
    if failed:
        raise backend.NotAllSaved(failed, dict(enumerate(written)))
    return written


def _save_each(stages: Sequence[Callable[[], list[Path]]]) -> tuple[list[Path], list[str]]:
    """Each stage of a Save (the shown run's files or an export's, the kept runs') done
    whatever became of the others: the files written, and what could not be."""
    written: list[Path] = []
    failed: list[str] = []
    for stage in stages:
        try:
            written += stage()
        except backend.NotAllSaved as exc:
            written += exc.written
            failed += exc.failed
        except InputError as exc:  # a path refused: the other stages write still
            failed.append(str(exc).rstrip("."))
    return written, list(dict.fromkeys(failed))  # a folder refused is said once


def _size_now(path: Path) -> str:
    """A saved file's size as the page lists it; a file moved or deleted since it was written
    (a sync client, the analyst) is said so, not taken for a Save that failed."""
    try:
        return render.file_size(path.stat().st_size)
    except OSError:
        return "written; since moved or deleted"


def _saved_html(folder: Path, written: Sequence[Path]) -> str:
    """The files a Save wrote, with their sizes ("": none)."""
    if not written:
        return ""
    lines = "".join(
        f'<div class="hf-saved-path" style="font-family:monospace">{render.esc(path)} '
        f"({_size_now(path)})</div>"
        for path in written
    )
    head = render.message_html(f"Saved to {folder.resolve()}:", "success")
    return f'<div class="hf-saved">{head}{lines}</div>'


#: Said for a MemoryError (which has no text of its own).
OUT_OF_MEMORY: Final = (
    "Out of memory: this step needed more memory than the notebook's kernel could get. "
    "Close other notebooks or programs, or split the sheet (fewer rows or columns), and try "
    "again; a run whose results are shown was sent, and Save report writes its report."
)


def _error_text(exc: BaseException) -> str:
    """An error as the app says it: hubframe's own message, a file's, or its kind and text."""
    if isinstance(exc, HubframeError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"Could not read or write a file: {exc}"
    if isinstance(exc, MemoryError):
        return OUT_OF_MEMORY
    return f"Unexpected error ({type(exc).__name__}): {exc}"


def _suggested_words(suggested: Mapping[str, str]) -> str:
    """What the dropdowns suggest for a sheet the read refused, and that it is only that."""
    if not suggested:
        return ""
    named = "; ".join(f"{backend.FIELD_LABELS[f]}: {h}" for f, h in suggested.items())
    return (
        f" The headers suggest {named}: not filled in, as the sheet was refused. A column you "
        "pick below is read as your choice; the others are left to the reader."
    )


def _directions_note(directions: Sequence[tuple[str, str, str]], side: str) -> str:
    """Beside an empty type picker, when the sheets read together run in different
    directions: each is read in its own, as the command line reads them."""
    each = "; ".join(f"sheet '{sheet}': {f} → {t}" for sheet, f, t in directions)
    return (
        f"No {side} object type is pre-filled: the sheets' columns run in different "
        f"directions ({each}), and each sheet is read in the direction of its own columns, "
        "as the command line reads them. A type picked here reads every sheet's columns by "
        "name in that one direction instead."
    )


def _column_differs(sheet: str, name: str, read: str | None, shown: str) -> str:
    """A sheet of every visible sheet whose read took another column than its dropdown shows."""
    showing = f'"{shown}"' if shown else "(not in the sheet)"
    if read is None:
        return (
            f"Sheet '{sheet}': no \"{name}\" was read there, though the dropdown shows "
            f"{showing} (the first sheet's headers): its rows are sent without it."
        )
    return (
        f'Sheet \'{sheet}\': "{name}" is read from its column "{read}", though the dropdown '
        f"shows {showing} (the first sheet's headers): that column's cells are sent for its rows."
    )


def _sheet_options(sheets: list[SheetInfo], retry: bool) -> tuple[list[tuple[str, str]], str]:
    """The sheet picker's options and the one picked first: the default read (the command
    line's without ``--sheet``), each sheet, and every visible sheet.  A retry file hubframe
    wrote of several sheets is read whole first, as the command line reads it (every sheet of
    it holds rows to retry): it offers no first sheet alone but by its name."""
    named = [(redact(_sheet_label(s)), s.name) for s in sheets]
    if len(sheets) < 2:
        return [(FIRST_SHEET, NONE), *named], NONE
    if retry:
        return [(RETRY_SHEETS, ALL_SHEETS), *named], ALL_SHEETS
    # the default: read as the command line reads it, not a choice
    return [(FIRST_SHEET, NONE), *named, ("All visible sheets", ALL_SHEETS)], NONE


def _sheet_label(info: SheetInfo) -> str:
    """A sheet as the picker shows it: quoted when its name has edge spaces (else it looks
    like another sheet's), marked when hidden or a chart sheet."""
    name = f"'{info.name}'" if info.name != info.name.strip() else info.name
    if not info.worksheet:
        return f"{name} (chart)"
    return f"{name} (hidden)" if info.hidden else name


def _sheet_notes_html(lines: Sequence[tuple[str, str]]) -> str:
    """The sheets a read took and those it left out, as notes under the sheet picker."""
    return "".join(render.message_html(text, level) for level, text in lines)


def _left_out_html(frame: pd.DataFrame | None) -> str:
    """Warnings of the sheets holding rows that the read left out (none: "")."""
    lines = backend.left_out(frame) if frame is not None else []
    return "".join(render.message_html(text, "warning") for text in lines)


def _read_warnings(frame: pd.DataFrame) -> str:
    """What the read warns about beside the issues table (a hidden column it reads, a sheet
    left unread); hidden rows are in the table already (HIDDEN_ROW)."""
    notes = replace(read_notes(frame), hidden=[])
    warnings = [text for level, text in notes.messages(APP) if level == "warning"]
    return "".join(render.message_html(text, "warning") for text in warnings)


def _close_tree(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _cancelled_rows(result: pd.DataFrame) -> int:
    """Rows a cancel left unsent (a cancel after the last batch left skips none)."""
    if "error_code" not in result.columns:
        return 0
    skipped = result["status"].astype("string") == "skipped"
    cancelled = result["error_code"].astype("string") == str(ErrorCode.CANCELLED)
    return int((skipped & cancelled.fillna(False)).sum())


def _has_problems(counts: Mapping[str, int]) -> bool:
    return any(counts.get(s, 0) for s in ("failed", "invalid", "skipped"))


def _headline(result: pd.DataFrame, counts: Mapping[str, int], *, cancelled: bool) -> str:
    """What the run did, in a line: why it stopped early (HubSpot stopped it, or Cancel),
    the rows that succeeded, and the rows that need attention, as many as the retry file
    holds (failed, invalid, and those a stop left unsent)."""
    said: list[str] = []
    stop = _stop_words(result)
    if stop is not None:
        said.append(stop[0].rstrip(".") + ".")
    if cancelled:
        left = render.plural(_cancelled_rows(result), "row")
        said.append(f"Cancelled: {left} not sent (skipped, CANCELLED).")
    done = counts.get("success", 0)
    said.append(f"{done:,} of {render.plural(len(result), 'row')} succeeded.")
    todo = backend.retry_count(result)
    if todo:
        need = "needs" if todo == 1 else "need"
        said.append(
            f"{render.plural(todo, 'row')} {need} attention: see the table below and the "
            "retry file."
        )
    return " ".join(said)


def _stop_words(result: pd.DataFrame) -> tuple[str, str] | None:
    """Why HubSpot stopped the run early, with the rows it left undone, and the level to say
    it at: a stop that fails a command-line run (the token refused, HubSpot not reached) in
    the command line's words, an error; another (the daily limit) as its unsent rows say it,
    a warning.  None when the run was not stopped, or only cancelled."""
    from hubframe.run.pipeline import run_facts
    from hubframe.stops import stopped_by, undone_rows

    facts = run_facts(result)
    stop = facts.stop if facts is not None else None
    if facts is None or stop is None or stop.code is ErrorCode.CANCELLED:
        return None
    undone = undone_rows(result, stop)
    failed = stopped_by(stop.code, result, undone, "row", facts.base_url or "")
    if failed is not None:
        return f"The run stopped: {failed}", "error"
    why = stop.message.removeprefix("Not sent: ")
    return f"{why[:1].upper()}{why[1:]} ({render.plural(undone, 'row')} not done)", "warning"


def app(
    *,
    sandbox: bool = True,
    api_version: str = DEFAULT_API_VERSION,
    base_url: str | None = None,
    job: str = "associate",
) -> HubframeApp:
    """The notebook app: ``hf.app()`` as the last line of a cell shows it.

    ``sandbox=True`` pre-selects the built-in sandbox (click Connect to start it); ``False``
    pre-selects a HubSpot account (type the token into the masked field, or leave it empty to
    use ``HUBSPOT_ACCESS_TOKEN``).  ``job``: ``"associate"``, ``"limits"``, ``"export"`` or
    ``"sync"``.  An argument of another kind is a ConfigurationError naming it (ipywidgets raised
    a TraitError, "value not found").
    """
    from hubframe.argtypes import flag

    sandbox = flag("sandbox", sandbox)
    if job not in APP_JOBS:
        raise ConfigurationError(f"job must be one of {', '.join(APP_JOBS)}, not {job!r}")
    if api_version not in API_VERSIONS:
        raise ConfigurationError(
            f"Unknown api_version {api_version!r}; use one of {', '.join(API_VERSIONS)}."
        )
    return HubframeApp(sandbox=sandbox, api_version=api_version, base_url=base_url, job=job)
