"""``hf.app()``: the notebook app -- connect, pick a sheet, map columns, validate, dry run, run.

The app is a plain object holding its widgets; ``app.widget`` is the ipywidgets tree and the
object displays itself as that tree (``_repr_mimebundle_``), so ``hf.app()`` as the last line
of a cell shows it.  Every step that talks to HubSpot or reads a file runs on one background
worker (:class:`~hubframe.widgets.runner.Runner`), so the page never freezes and the cancel
button works during a run.  Exceptions become a message at the top of the app, never a
traceback; the access token is never shown and is cleared from its field once used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from hubframe.constants import API_VERSIONS, DEFAULT_API_VERSION, MAX_BATCH_CREATE, OBJECT_TYPES
from hubframe.errors import HubframeError
from hubframe.hubspot.auth import Secret
from hubframe.widgets import backend, render
from hubframe.widgets.backend import Connection, Guess, Progress, SheetSource
from hubframe.widgets.runner import Runner

NONE: Final = ""  # the "not mapped / from the sheet" choice of every dropdown
ALL_SHEETS: Final = "*"
UPLOAD_ACCEPT: Final = ".xlsx,.xlsm,.csv,.tsv,.txt"
_TYPE_CHOICES: Final = [(f"{t.name} ({t.type_id})", t.name) for t in OBJECT_TYPES]
_BOX: Final = {"border": "1px solid #e0e0e0", "padding": "6px 12px", "margin": "4px 0"}
_WIDE: Final = {"width": "auto"}
_LABEL_STYLE: Final = {"description_width": "150px"}


def _hidden(widget: w.Widget, hidden: bool) -> None:
    widget.layout.display = "none" if hidden else None


def _output() -> w.HTML:
    """An HTML output as wide as its step (wide tables scroll inside it)."""
    return w.HTML(layout=w.Layout(width="100%", overflow="auto"))


def _step(name: str, title: str, *children: w.Widget) -> w.VBox:
    """A bordered section with a title; CSS class ``hf-step-<name>`` for browser tests."""
    heading = w.HTML(f"<b style='font-size:15px'>{render.esc(title)}</b>")
    box = w.VBox([heading, *children], layout=w.Layout(**_BOX))
    box.add_class(f"hf-step-{name}")
    return box


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
    ) -> None:
        self.connection: Connection | None = None
        self.source: SheetSource | None = None
        self.guess: Guess | None = None
        self.frame: pd.DataFrame | None = None
        self.issues: pd.DataFrame | None = None
        self.plan: pd.DataFrame | None = None
        self.result: pd.DataFrame | None = None
        self.downloads: dict[str, bytes] = {}
        self._max_preview_rows = max_preview_rows
        self._cancel = threading.Event()
        self._quiet = False
        self._secret: Secret | None = None  # the token last used, to redact it from messages
        self._runner = Runner(self._show_error)
        self._build(sandbox=sandbox, api_version=api_version, base_url=base_url, job=job)
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
            layout=w.Layout(max_width="1100px"),
        )
        self.widget.add_class("hf-app")
        self.message.add_class("hf-app-message")
        self._sync_visibility()

    # --- display and lifecycle ------------------------------------------------------------

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
            options=[("Built-in sandbox", "sandbox"), ("HubSpot account", "hubspot")],
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
        self.mode.observe(self._safe(lambda: self._sync_visibility()), "value")
        self.connect_button.on_click(self._safe(lambda: self._submit(self._do_connect)))
        self._connect_box = _step(
            "connect",
            "1 · Connect",
            self.mode,
            self.token,
            self.base_url,
            self.api_version,
            w.HBox([self.connect_button, self.connect_status]),
        )

    def _build_job(self, job: str) -> None:
        self.job = w.ToggleButtons(
            options=[("Associate records", "associate"), ("Configure limits", "limits")],
            value=job,
            description="Job",
            style=_LABEL_STYLE,
        )
        self.job.observe(self._safe(lambda: self._on_job_change()), "value")
        self._job_box = _step("job", "2 · Choose the job", self.job)

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
            description="Sheet",
            style=_LABEL_STYLE,
            disabled=True,
        )
        self.upload.observe(self._safe(lambda: self._on_upload()), "value")
        self.load_button.on_click(self._safe(lambda: self._on_load_path()))
        self.sheet.observe(self._safe(lambda: self._on_sheet_change()), "value")
        self._file_box = _step(
            "sheet",
            "3 · Sheet",
            w.HBox([self.upload, self.file_status]),
            w.HBox([self.path, self.load_button]),
            self.sheet,
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
        type_options = [("(from the sheet)", NONE), *_TYPE_CHOICES]
        self.from_type = w.Dropdown(
            options=type_options, value=NONE, description="From object type", style=_LABEL_STYLE
        )
        self.to_type = w.Dropdown(
            options=type_options, value=NONE, description="To object type", style=_LABEL_STYLE
        )
        self.label = w.Dropdown(
            options=[("(from the sheet, or unlabeled)", NONE)],
            value=NONE,
            description="Label for all rows",
            style=_LABEL_STYLE,
            layout=w.Layout(width="520px"),
        )
        self.labels_status = w.HTML()
        for dropdown in self.columns.values():
            dropdown.observe(self._safe(lambda: self._invalidate()), "value")
        for picker in (self.from_type, self.to_type):
            picker.observe(self._safe(lambda: self._on_types_change()), "value")
        self.label.observe(self._safe(lambda: self._invalidate()), "value")
        self._map_columns = w.VBox(list(self.columns.values()))
        self._map_box = _step(
            "mapping",
            "4 · Map columns",
            self._map_columns,
            self.from_type,
            self.to_type,
            w.HBox([self.label, self.labels_status]),
        )

    def _build_steps(self) -> None:
        self.validate_button = w.Button(description="Validate", icon="check")
        self.check_records = w.Checkbox(
            value=False,
            description="Also check that every record exists in HubSpot (when connected)",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.validation = _output()
        self._validate_box = _step(
            "validate",
            "5 · Validate",
            w.HBox([self.validate_button, self.check_records]),
            self.validation,
        )
        self.dry_run_button = w.Button(description="Dry run", icon="eye")
        self.dry_run_output = _output()
        self._dry_box = _step("dry-run", "6 · Dry run", self.dry_run_button, self.dry_run_output)
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
            "7 · Run",
            w.HBox([self.run_button, self.cancel_button, self.batch_size]),
            w.HBox([self.progress, self.live_counts]),
        )
        self.summary = _output()
        self.chart = _output()
        self.preview = _output()
        self.download_links = _output()
        self._result_box = _step(
            "results", "8 · Results", self.summary, self.chart, self.download_links, self.preview
        )
        self.validate_button.on_click(self._safe(lambda: self._submit(self._do_validate)))
        self.dry_run_button.on_click(
            self._safe(lambda: self._submit(lambda: self._do_execute(True)))
        )
        self.run_button.on_click(self._safe(lambda: self._start_run()))
        self.cancel_button.on_click(self._safe(lambda: self._on_cancel()))

    # --- small helpers --------------------------------------------------------------------

    def _safe(self, handler: Callable[[], None]) -> Callable[[Any], None]:
        """A widget callback that shows any error in the app instead of raising it."""

        def callback(_: Any) -> None:
            try:
                handler()
            except Exception as exc:
                self._show_error(exc)

        return callback

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Set widget values without their observers resetting the downstream steps."""
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    def _submit(self, task: Callable[[], None]) -> None:
        self._say("")
        self._set_busy(True)

        def run() -> None:
            try:
                task()
            finally:
                self._set_busy(False)

        self._runner.submit(run)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.connect_button, self.validate_button, self.dry_run_button):
            button.disabled = busy
        self.run_button.disabled = busy
        self.load_button.disabled = busy

    def _say(self, text: str, kind: str = "info") -> None:
        self.message.value = render.message_html(self._redact(text), kind)

    def _redact(self, text: str) -> str:
        if self._secret is not None:
            text = text.replace(self._secret.reveal(), "***")
        return text

    def _show_error(self, exc: BaseException) -> None:
        if isinstance(exc, HubframeError):
            text = str(exc)
        elif isinstance(exc, OSError):
            text = f"Could not read or write a file: {exc}"
        else:
            text = f"Unexpected error ({type(exc).__name__}): {exc}"
        self._say(text, "error")

    def _sync_visibility(self) -> None:
        account = self.mode.value == "hubspot"
        _hidden(self.token, not account)
        _hidden(self.base_url, not account)
        fields = backend.FIELDS[str(self.job.value)]
        for field, dropdown in self.columns.items():
            _hidden(dropdown, field not in fields)
        _hidden(self.label, self.job.value != "associate")
        _hidden(self.labels_status, self.job.value != "associate")
        self._result_box.layout.display = None

    def _invalidate(self) -> None:
        """The inputs changed: what was read, validated, planned or run no longer applies."""
        if self._quiet:
            return
        self.frame = self.issues = self.plan = self.result = None
        self.downloads = {}
        for output in (self.validation, self.dry_run_output, self.live_counts):
            output.value = ""
        for output in (self.summary, self.chart, self.preview, self.download_links):
            output.value = ""
        self.progress.value = 0

    # --- 1 connect ------------------------------------------------------------------------

    def _do_connect(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        # Masked at once: no frame of a failed connect holds the token as a local.
        secret = Secret(str(self.token.value)) if str(self.token.value).strip() else None
        self._secret = secret
        self.token.value = ""  # never keep the token in the widget state a notebook saves
        self.connect_status.value = render.message_html("Connecting…", "info")
        try:
            self.connection = backend.connect(
                str(self.mode.value),
                token=secret,
                base_url=str(self.base_url.value).strip() or None,
                api_version=str(self.api_version.value),
            )
        except Exception:
            self.connect_status.value = render.message_html("Not connected.", "error")
            raise
        self.connect_status.value = render.message_html(self.connection.description, "success")
        self._refresh_labels()

    # --- 2 job, 3 sheet -------------------------------------------------------------------

    def _on_job_change(self) -> None:
        self._sync_visibility()
        self._invalidate()
        if self.source is not None:
            self._submit(self._do_guess)

    def _on_upload(self) -> None:
        value = self.upload.value
        if not value:
            return
        source = SheetSource.from_upload(value[0])
        self._submit(lambda: self._use_source(source))

    def _on_load_path(self) -> None:
        text = str(self.path.value).strip()
        if not text:
            self._say("Type the path of a .xlsx or .csv file first.", "warning")
            return
        self._submit(lambda: self._use_source(SheetSource.from_path(text)))

    def _use_source(self, source: SheetSource) -> None:
        self.source = None
        self.file_status.value = ""
        sheets = backend.workbook_sheets(source)
        self.source = source
        with self._quietly():
            if sheets:
                options = [(f"{s.name} (hidden)" if s.hidden else s.name, s.name) for s in sheets]
                if len(sheets) > 1:
                    options.append(("All visible sheets", ALL_SHEETS))
                self.sheet.options = options
                self.sheet.value = next((s.name for s in sheets if not s.hidden), sheets[0].name)
                self.sheet.disabled = False
            else:
                self.sheet.options = [("(text file: one table)", NONE)]
                self.sheet.value = NONE
                self.sheet.disabled = True
        self.file_status.value = render.message_html(source.describe(), "success")
        self._do_guess()

    def _on_sheet_change(self) -> None:
        if self._quiet or self.source is None:
            return
        self._submit(self._do_guess)

    # --- 4 mapping ------------------------------------------------------------------------

    def _do_guess(self) -> None:
        if self.source is None:
            return
        self._invalidate()
        guess = backend.guess_columns(self.source, str(self.job.value), self._sheet())
        self.guess = guess
        headers = [("(not in the sheet)", NONE), *[(h, h) for h in guess.headers]]
        with self._quietly():
            for field, dropdown in self.columns.items():
                dropdown.options = headers
                dropdown.value = guess.mapping.get(field, NONE)
            self.from_type.value = guess.from_type or NONE
            self.to_type.value = guess.to_type or NONE
        if guess.problem:
            self._say(guess.problem, "warning")
        self._refresh_labels()

    def _on_types_change(self) -> None:
        self._invalidate()
        if self._quiet:
            return
        if self.connection is not None and self.job.value == "associate":
            self._submit(self._refresh_labels)

    def _refresh_labels(self) -> None:
        from_type, to_type = self.from_type.value, self.to_type.value
        keep = self.label.value
        options: list[tuple[str, str]] = [("(from the sheet, or unlabeled)", NONE)]
        if self.connection is None or not from_type or not to_type:
            self.labels_status.value = ""
        else:
            names = backend.label_names(self.connection, str(from_type), str(to_type))
            options += [(name, name) for name in names]
            self.labels_status.value = render.esc(
                f"{len(names)} labels for {from_type} → {to_type} in HubSpot"
            )
        with self._quietly():
            self.label.options = options
            self.label.value = keep if keep in {v for _, v in options} else NONE

    def mapping(self) -> dict[str, str]:
        """The column mapping chosen in the dropdowns, as ``{sheet header: field}``."""
        fields = backend.FIELDS[str(self.job.value)]
        return {
            str(d.value): field for field, d in self.columns.items() if field in fields and d.value
        }

    def _sheet(self) -> str | None:
        value = self.sheet.value
        return str(value) if value else None

    # --- 5 validate -----------------------------------------------------------------------

    def _read(self) -> pd.DataFrame:
        if self.source is None:
            raise HubframeError("Upload a sheet or load one from a path first (step 3).")
        job = str(self.job.value)
        frame = backend.read(
            self.source,
            job,
            sheet=self._sheet(),
            columns=self.mapping(),
            from_type=str(self.from_type.value) or None,
            to_type=str(self.to_type.value) or None,
            label=str(self.label.value) or None if job == "associate" else None,
        )
        return frame

    def _do_validate(self) -> None:
        frame = self._read()
        issues = backend.validate(
            frame,
            str(self.job.value),
            self.connection,
            check_records=bool(self.check_records.value),
        )
        self.frame, self.issues = frame, issues
        self.validation.value = render.issues_html(
            issues,
            rows_read=len(frame),
            max_rows=self._max_preview_rows,
            checked_in_hubspot=self.connection is not None,
        )

    # --- 6 dry run, 7 run -----------------------------------------------------------------

    def _start_run(self) -> None:
        self._cancel.clear()
        self.cancel_button.disabled = False
        self.cancel_button.tooltip = "Stop after the batches already sent"
        self._submit(lambda: self._do_execute(False))

    def _on_cancel(self) -> None:
        self._cancel.set()
        self.cancel_button.disabled = True
        self.live_counts.value = render.message_html(
            "Cancelling: the run stops after the batches already in flight.", "warning"
        )

    def _do_execute(self, dry_run: bool) -> None:
        try:
            self._execute(dry_run)
        finally:
            self.cancel_button.disabled = True

    def _execute(self, dry_run: bool) -> None:
        if self.connection is None:
            raise HubframeError("Connect first (step 1): the run needs HubSpot or the sandbox.")
        if self.frame is None or self.issues is None:
            self._do_validate()
        assert self.frame is not None
        job = str(self.job.value)
        if dry_run:
            self.plan = backend.execute(
                self.frame,
                self.connection,
                job,
                dry_run=True,
                batch_size=self._batch_size(),
                issues=self.issues,
            )
            self.dry_run_output.value = render.plan_html(self.plan)
            return
        self.progress.value, self.progress.max = 0, max(len(self.frame), 1)
        self.progress.bar_style = "info"
        self.live_counts.value = render.esc("sending…")
        result = backend.execute(
            self.frame,
            self.connection,
            job,
            dry_run=False,
            batch_size=self._batch_size(),
            issues=self.issues,
            on_progress=self._on_progress,
            cancel=self._cancel,
        )
        self._show_result(result)

    def _batch_size(self) -> int | None:
        return int(self.batch_size.value) or None

    def _on_progress(self, progress: Progress) -> None:
        self.progress.max = max(progress.total, 1)
        self.progress.value = min(progress.done, self.progress.max)
        self.live_counts.value = render.esc(f"{progress.done:,} of {progress.total:,} rows sent")

    def _show_result(self, result: pd.DataFrame) -> None:
        self.result = result
        counts = render.status_counts(result)
        self.progress.value = self.progress.max
        self.progress.bar_style = "success" if not _has_problems(counts) else "warning"
        cancelled = self._cancel.is_set()
        self.live_counts.value = render.count_line_html(result)
        headline = _headline(counts, len(result), cancelled=cancelled)
        self.summary.value = (
            render.message_html(
                headline, "warning" if _has_problems(counts) or cancelled else "success"
            )
            + f'<div class="hf-summary-line">{render.count_line_html(result)}</div>'
        )
        self.chart.value = render.summary_chart_html(result)
        self.preview.value = render.preview_html(result, max_rows=self._max_preview_rows)
        self._make_downloads(result)

    # --- 8 downloads ----------------------------------------------------------------------

    def _make_downloads(self, result: pd.DataFrame) -> None:
        stem = self.source.stem if self.source is not None else "hubframe"
        report_name = f"{stem}_report.xlsx"
        self.downloads = {report_name: backend.report_bytes(result, self.issues, report_name)}
        links = [render.download_link_html(self.downloads[report_name], report_name, "Report")]
        retry_rows = int(result["status"].isin(["failed", "invalid"]).sum())
        retry_label = f"Retry file ({render.plural(retry_rows, 'row')})"
        if retry_rows:
            retry_name = f"{stem}_retry{self.source.suffix if self.source else '.xlsx'}"
            self.downloads[retry_name] = backend.retry_bytes(result, retry_name)
            links.append(
                render.download_link_html(self.downloads[retry_name], retry_name, retry_label)
            )
        self.download_links.value = "".join(links)


def _close_tree(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _has_problems(counts: Mapping[str, int]) -> bool:
    return any(counts.get(s, 0) for s in ("failed", "invalid", "skipped"))


def _headline(counts: Mapping[str, int], total: int, *, cancelled: bool) -> str:
    done = counts.get("success", 0)
    text = f"{done:,} of {render.plural(total, 'row')} succeeded."
    if cancelled:
        text = f"Cancelled. {text} Rows not sent are 'skipped'; the retry file holds them."
    problems = sum(counts.get(s, 0) for s in ("failed", "invalid"))
    if problems:
        need = "needs" if problems == 1 else "need"
        text += f" {render.plural(problems, 'row')} {need} attention: see the table below"
        text += " and the retry file."
    return text


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
    use ``HUBSPOT_ACCESS_TOKEN``).
    """
    return HubframeApp(sandbox=sandbox, api_version=api_version, base_url=base_url, job=job)
