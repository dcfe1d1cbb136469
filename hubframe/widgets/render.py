"""HTML for the notebook app and the worked notebooks: tables, counts, bar charts, links.

Pure functions from DataFrames to HTML strings (inline styles only, so the markup renders the
same in JupyterLab, classic Notebook, VS Code and Voilà).  No ipywidgets here: the app wraps
these strings in ``ipywidgets.HTML`` and a notebook can show them with ``IPython.display.HTML``.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

import pandas as pd

from hubframe.constants import STATUSES
from hubframe.errors import CODE_INFO, ErrorCode
from hubframe.redaction import redact
from hubframe.widgets import words

STATUS_COLORS: Final[Mapping[str, str]] = {
    "success": "#2e7d32",
    "failed": "#c62828",
    "invalid": "#ef6c00",
    "duplicate": "#8d8d8d",
    "skipped": "#616161",
    "planned": "#1565c0",
}
SEVERITY_COLORS: Final[Mapping[str, str]] = {"error": "#c62828", "warning": "#ef6c00"}
MESSAGE_COLORS: Final[Mapping[str, tuple[str, str]]] = {
    "info": ("#e3f2fd", "#0d47a1"),
    "success": ("#e8f5e9", "#1b5e20"),
    "warning": ("#fff3e0", "#e65100"),
    "error": ("#ffebee", "#b71c1c"),
}
_FONT: Final = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:13px"
_CELL: Final = (
    "padding:3px 8px;border-bottom:1px solid #e0e0e0;text-align:left;vertical-align:top;"
    "white-space:nowrap"
)
_TEXT_CELL: Final = f"{_CELL};white-space:normal;min-width:420px"
_HEAD: Final = f"{_CELL};background:#f5f5f5;font-weight:600;position:sticky;top:0"
PREVIEW_FIRST: Final = ("sheet", "row", "status", "error_code", "error_message")
PROSE_COLUMNS: Final = frozenset(
    {"message", "error_message", "meaning", "what to do", "Message", "Meaning", "What to do"}
)
_DEFAULT_BAR: Final = "#546e7a"


def esc(value: object) -> str:
    """Text of a cell, secrets redacted as reports redact them (a token pasted into a cell
    never reaches the page or the notebook's widget state), HTML-escaped; NA and None become
    an empty string."""
    if value is None:
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(redact(str(value)))


def plural(n: int, noun: str) -> str:
    """'1 row', '2 rows', '1,200 rows'."""
    return f"{n:,} {noun}{'' if n == 1 else ('es' if noun.endswith('ch') else 's')}"


def message_html(text: str, kind: str = "info") -> str:
    """A coloured message box (kind: info, success, warning, error); empty text -> empty HTML."""
    if not text:
        return ""
    background, color = MESSAGE_COLORS.get(kind, MESSAGE_COLORS["info"])
    style = f"{_FONT};background:{background};color:{color};padding:8px 12px;border-radius:4px"
    return f'<div class="hf-message hf-{esc(kind)}" style="{style}">{esc(text)}</div>'


def badge(text: str, color: str) -> str:
    """A small coloured pill, e.g. a status or a severity."""
    style = (
        f"background:{color};color:white;padding:1px 7px;border-radius:9px;"
        "font-size:12px;white-space:nowrap"
    )
    return f'<span style="{style}">{esc(text)}</span>'


def table_html(
    frame: pd.DataFrame,
    *,
    max_rows: int = 200,
    cell_html: Mapping[str, Callable[[object], str]] | None = None,
    css_class: str = "hf-table",
    max_height: int = 360,
) -> str:
    """A scrollable HTML table of the first ``max_rows`` rows.

    ``cell_html`` maps a column name to a function ``value -> html`` used instead of plain
    escaped text for that column (e.g. status badges).
    """
    formatters = dict(cell_html or {})
    shown = frame.head(max_rows)
    shown.attrs = {}  # else each column taken out copies them, and they list every column
    head = "".join(f'<th style="{_HEAD}">{esc(c)}</th>' for c in shown.columns)
    body_rows: list[str] = []
    styles = [_TEXT_CELL if str(c) in PROSE_COLUMNS else _CELL for c in shown.columns]
    for values in shown.itertuples(index=False, name=None):
        cells = []
        for column, style, value in zip(shown.columns, styles, values, strict=True):
            formatter = formatters.get(str(column), esc)
            cells.append(f'<td style="{style}">{formatter(value)}</td>')
        body_rows.append(f"<tr>{''.join(cells)}</tr>")
    more = ""
    if len(frame) > len(shown):
        more = (
            f'<div style="{_FONT};color:#616161;padding:4px 0">'
            f"Showing the first {len(shown):,} of {len(frame):,} rows.</div>"
        )
    # width:0 + min-width:100%: the box takes the width it is given and never asks for the
    # table's (a flex parent would otherwise grow to the table and cut it off); the table
    # scrolls inside, both ways.
    wrapper = (
        f"max-height:{max_height}px;width:0;min-width:100%;max-width:100%;"
        "box-sizing:border-box;overflow:auto;border:1px solid #e0e0e0;border-radius:4px"
    )
    return (
        f'<div class="hf-scroll" style="{wrapper}"><table class="{esc(css_class)}" '
        f'style="{_FONT};border-collapse:collapse;min-width:100%">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body_rows)}</tbody></table></div>{more}"
    )


def status_badge(value: object) -> str:
    text = esc(value)
    return badge(text, STATUS_COLORS.get(text, _DEFAULT_BAR)) if text else ""


def severity_badge(value: object) -> str:
    text = esc(value)
    return badge(text, SEVERITY_COLORS.get(text, _DEFAULT_BAR)) if text else ""


def bar_chart_html(
    counts: Mapping[str, int] | Iterable[tuple[str, int]],
    *,
    title: str = "",
    colors: Mapping[str, str] | None = None,
    css_class: str = "hf-chart",
) -> str:
    """A horizontal bar chart in plain HTML/CSS: one labelled bar per (name, count)."""
    items = [(str(k), int(v)) for k, v in dict(counts).items()]
    palette = colors or {}
    top = max((v for _, v in items), default=0)
    rows: list[str] = []
    for name, count in items:
        width = 0.0 if top == 0 else max(count / top * 100.0, 0.5 if count else 0.0)
        color = palette.get(name, _DEFAULT_BAR)
        bar = (
            f'<div class="hf-bar-fill" style="background:{color};width:{width:.1f}%;height:16px;'
            'border-radius:3px"></div>'
        )
        rows.append(
            f'<tr class="hf-bar" data-name="{esc(name)}" data-count="{count}">'
            f'<td style="padding:2px 8px 2px 0;white-space:nowrap">{esc(name)}</td>'
            f'<td style="width:100%;padding:2px 0">{bar}</td>'
            f'<td style="padding:2px 0 2px 8px;text-align:right;font-variant-numeric:'
            f'tabular-nums">{count:,}</td></tr>'
        )
    heading = f'<div style="font-weight:600;margin-bottom:4px">{esc(title)}</div>' if title else ""
    return (
        f'<div class="{esc(css_class)}" style="{_FONT};max-width:640px">{heading}'
        f'<table style="width:100%;border-collapse:collapse">{"".join(rows)}</table></div>'
    )


def status_counts(result: pd.DataFrame) -> dict[str, int]:
    """Rows per status in the order of :data:`hubframe.constants.STATUSES` (zeros left out)."""
    counts = result["status"].astype("string").value_counts()
    ordered = {s: int(counts.get(s, 0)) for s in STATUSES if int(counts.get(s, 0))}
    extra = {str(k): int(v) for k, v in counts.items() if k not in STATUSES}
    return {**ordered, **extra}


def code_counts(frame: pd.DataFrame, column: str = "error_code") -> dict[str, int]:
    """Rows per error code, most frequent first (empty codes left out)."""
    codes = frame[column].astype("string")
    codes = codes[codes.notna() & (codes.str.strip() != "")]
    return {str(k): int(v) for k, v in codes.value_counts().items()}


def summary_chart_html(result: pd.DataFrame, *, title: str = "Rows by status") -> str:
    """The summary picture of a run: a bar per status and, if any, a bar per error code."""
    parts = [bar_chart_html(status_counts(result), title=title, colors=STATUS_COLORS)]
    codes = code_counts(result)
    if codes:
        parts.append(bar_chart_html(codes, title="Problems by error code", colors={}))
    gap = '<div style="height:10px"></div>'
    return f'<div class="hf-summary">{gap.join(parts)}</div>'


def count_line_html(result: pd.DataFrame) -> str:
    """One line with the count of each status, e.g. '12 success · 3 failed'."""
    counts = status_counts(result)
    parts = [
        f'<span class="hf-count-{esc(s)}" data-count="{n}" '
        f'style="color:{STATUS_COLORS.get(s, _DEFAULT_BAR)};font-weight:600">{n:,} {esc(s)}</span>'
        for s, n in counts.items()
    ]
    return f'<div class="hf-counts" style="{_FONT}">{" · ".join(parts) or "no rows"}</div>'


def _code_info_cells(code: str) -> tuple[str, str]:
    try:
        info = CODE_INFO[ErrorCode(code)]
    except ValueError:
        return "", ""
    return info.meaning, info.action


def issue_counts_frame(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues per code and severity with what each code means and what to do about it."""
    columns = ["code", "severity", "rows", "meaning", "what to do"]
    if issues.empty:
        return pd.DataFrame(columns=columns)
    grouped = (
        issues.groupby(["code", "severity"], sort=False, dropna=False)
        .size()
        .reset_index(name="rows")
        .sort_values(["rows", "code"], ascending=[False, True], kind="stable")
    )
    info = [_code_info_cells(str(c)) for c in grouped["code"]]
    grouped["meaning"] = [m for m, _ in info]
    grouped["what to do"] = [a for _, a in info]
    return grouped.reset_index(drop=True)[columns]


def issues_html(
    issues: pd.DataFrame,
    *,
    rows_read: int | None = None,
    max_rows: int = 200,
    checked_in_hubspot: bool = False,
    headers: Mapping[str, str] | None = None,
    sheet_headers: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The validation step: a headline, counts per code, then the issues table.

    ``headers`` (hubframe column -> the sheet's header) names the columns as the sheet does;
    for sheets read together, ``sheet_headers`` (sheet -> hubframe column -> header) names
    each row's column as its own sheet does; other column names are shown in words
    (:mod:`hubframe.widgets.words`)."""
    errors = int((issues["severity"] == "error").sum()) if not issues.empty else 0
    warnings = int((issues["severity"] == "warning").sum()) if not issues.empty else 0
    read = f"{plural(rows_read, 'row')} read. " if rows_read is not None else ""
    checked = " Checked in HubSpot too: labels, emails and domains." if checked_in_hubspot else ""
    if issues.empty:
        return message_html(f"{read}No problems found.{checked}", "success")
    kind = "error" if errors else "warning"
    found = f"{plural(errors, 'error')} and {plural(warnings, 'warning')} found."
    head = message_html(f"{read}{found}{checked}", kind)
    badges = {"Severity": severity_badge}
    counts = table_html(words.shown(issue_counts_frame(issues)), cell_html=badges)
    visible = issues[[c for c in issues.columns if c != "position"]]
    if "column" in visible.columns:
        visible = visible.assign(column=words.issue_columns(visible, headers or {}, sheet_headers))
    detail = table_html(words.shown(visible), max_rows=max_rows, cell_html=badges)
    return (
        f'<div class="hf-issues">{head}<div style="height:6px"></div>{counts}'
        f'<div style="height:6px"></div>{detail}</div>'
    )


def plan_frame(result: pd.DataFrame) -> pd.DataFrame:
    """A dry run as a table: rows and batches per action and status."""
    frame = result.assign(
        action=result["action"].astype("string").fillna("(not sent)"),
        status=result["status"].astype("string"),
    )
    grouped = frame.groupby(["action", "status"], sort=False, dropna=False)
    table = grouped.agg(rows=("status", "size"), batches=("batch", "nunique")).reset_index()
    return table.sort_values(["status", "action"], kind="stable").reset_index(drop=True)


def plan_html(result: pd.DataFrame) -> str:
    """The dry-run step: what would be sent, in how many requests; for limits, what each row
    does, in words (``limit_change``)."""
    planned = result[result["status"].astype("string") == "planned"]
    batches = int(planned["batch"].nunique()) if not planned.empty else 0
    text = (
        f"Dry run: {len(planned):,} of {plural(len(result), 'row')} would be sent in "
        f"{plural(batches, 'batch')}. Nothing was sent."
    )
    kind = "info" if len(planned) else "warning"
    table = table_html(words.shown(plan_frame(result)), cell_html={"Status": status_badge})
    gap = '<div style="height:6px"></div>'
    budget = _budget_html(result)
    text_html = message_html(text, kind) + (gap + budget if budget else "")
    changes = ""
    if "limit_change" in result.columns:
        columns = ["row", "from_type", "to_type", "label", "current_max", "max_to_object_ids",
                   "limit_change"]  # fmt: skip
        rows = result.loc[result["limit_change"].notna(), [c for c in columns if c in result]]
        changes = f"{gap}{table_html(words.shown(rows), css_class='hf-changes')}"
    return f'<div class="hf-plan">{text_html}{gap}{table}{changes}</div>'


def _budget_html(result: pd.DataFrame) -> str:
    """A warning when the run needs more requests than HubSpot's daily limit has left."""
    from hubframe.run.pipeline import run_facts

    facts = run_facts(result)
    message = facts.budget.message() if facts is not None and facts.budget else None
    return message_html(message, "warning") if message else ""


def preview_html(result: pd.DataFrame, *, max_rows: int = 200) -> str:
    """The results table, problems first, with coloured status badges: where and what
    happened, then the sheet's own columns, then what hubframe sent (as the report orders
    them), every hubframe column named in words."""
    from hubframe.report import report_columns

    rank = {s: i for i, s in enumerate(("failed", "invalid", "skipped", "duplicate"))}
    shown = result.loc[:, report_columns(result)]  # the order its attrs tell: then dropped,
    shown.attrs = {}  # as each column taken out would copy them (they list every column)
    order = shown["status"].astype("string").map(lambda s: rank.get(str(s), 9))
    ordered = shown.iloc[order.reset_index(drop=True).sort_values(kind="stable").index]
    return table_html(words.shown(ordered), max_rows=max_rows, cell_html={"Status": status_badge})


def download_link_html(data: bytes, filename: str, label: str, *, mime: str = "") -> str:
    """A link that downloads ``data`` as ``filename`` (a data: URI; no server round trip)."""
    kind = mime or _mime_for(filename)
    payload = base64.b64encode(data).decode("ascii")
    style = (
        "display:inline-block;padding:6px 12px;margin:2px 6px 2px 0;border-radius:4px;"
        "background:#1565c0;color:white;text-decoration:none;"
    )
    return (
        f'<a class="hf-download" download="{esc(filename)}" href="data:{kind};base64,{payload}" '
        f'style="{_FONT};{style}">{esc(label)} ({_size(len(data))})</a>'
    )


def too_large_words(files: Sequence[tuple[str, int]]) -> str:
    """What the page says of files (name, size) too large for a download link: Save report
    writes them ("" when none are)."""
    if not files:
        return ""
    big = ", ".join(f"{name} ({_size(size)})" for name, size in files)
    return f"Too large to download from the page: {big}. Save it to a folder below."


def _mime_for(filename: str) -> str:
    if filename.lower().endswith(".csv"):
        return "text/csv"
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "application/octet-stream"


def file_size(n: int) -> str:
    """'812 B', '1.4 MB'."""
    return _size(n)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    exponent = min(int(math.log(n, 1024)), 3)
    return f"{n / 1024**exponent:.1f} {('B', 'KB', 'MB', 'GB')[exponent]}"


def key_value_html(pairs: Sequence[tuple[str, object]]) -> str:
    """A two-column table of settings (name, value)."""
    rows = "".join(
        f'<tr><td style="{_CELL};color:#616161">{esc(k)}</td><td style="{_CELL}">{esc(v)}</td></tr>'
        for k, v in pairs
    )
    return f'<table style="{_FONT};border-collapse:collapse">{rows}</table>'
