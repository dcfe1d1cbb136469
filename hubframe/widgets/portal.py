"""The app's "Export" and "Sync" jobs: their few widgets, their calls and their HTML.

* Export reads the portal's associations between two object types (of the records of the loaded
  sheet's id column, or of every record) and offers them as ``.xlsx`` and ``.csv`` downloads in
  the upload layout (:func:`hubframe.read_associations`).
* Sync runs :func:`hubframe.sync` on the loaded sheet: its dry run shows the diff (what would be
  added, removed, kept, and why); the Run button applies a sync only once its diff has been
  shown (the first click shows it), so nothing is sent unseen.

:mod:`hubframe.widgets.app` places these widgets in its steps; this module holds the rest, so
the app itself changes little.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from hubframe.errors import HubframeError
from hubframe.jobs import read_associations, sync
from hubframe.jobs.sync_rules import change_counts, sync_facts
from hubframe.report import write_pairs
from hubframe.widgets.backend import Connection, SheetSource
from hubframe.widgets.render import (
    badge,
    download_link_html,
    esc,
    message_html,
    plural,
    status_badge,
    table_html,
    too_large_words,
)

CHANGE_COLORS: Final = {"add": "#2e7d32", "remove": "#c62828", "keep": "#8d8d8d"}
DIFF_COLUMNS: Final = (
    "sheet",
    "row",
    "change",
    "from_id",
    "to_id",
    "label",
    "status",
    "reason",
    "error_message",
)
REVIEW: Final = "The diff is above: nothing was sent. Click Run again to apply it."
_STYLE: Final = {"description_width": "150px"}


class SyncOptions:
    """The sync's removal rules: remove what the sheet lacks, and how many removals at most."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.removals = w.Checkbox(
            value=False,
            description="Remove what the sheet lacks (labels and pairs in scope)",
            indent=False,
        )
        self.max_removals = w.BoundedIntText(
            value=0,
            min=0,
            max=1_000_000,
            description="Max removals",
            tooltip="0 = the default rule: 10 % of the associations in scope, at least 10",
            style=_STYLE,
            layout=w.Layout(width="260px"),
        )
        for widget in (self.removals, self.max_removals):
            widget.observe(lambda _: on_change(), "value")
        self.box = w.VBox([self.removals, self.max_removals])
        self.box.add_class("hf-sync-options")

    def options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`hubframe.sync`."""
        return {
            "allow_removals": bool(self.removals.value),
            "max_removals": int(self.max_removals.value) or None,
        }


def run_sync(
    frame: pd.DataFrame,
    connection: Connection,
    options: dict[str, Any],
    *,
    dry_run: bool,
    issues: pd.DataFrame | None,
    batch_size: int | None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """:func:`hubframe.sync` without tqdm output."""
    return sync(
        frame,
        connection.client,
        dry_run=dry_run,
        progress=False,
        batch_size=batch_size,
        issues=issues,
        on_start=on_start,
        on_progress=on_progress,
        cancel=cancel,
        **options,
    )


def change_badge(value: object) -> str:
    text = esc(value)
    return badge(text, CHANGE_COLORS.get(text, "#546e7a")) if text else ""


def diff_html(plan: pd.DataFrame, *, max_rows: int = 200) -> str:
    """A sync's dry run: the counts per change, the guard's warning, then the rows that change
    the portal first (additions and removals), each with its reason."""
    counts = change_counts(plan)
    text = (
        f"The sync would add {counts.get('add', 0):,}, remove {counts.get('remove', 0):,} and "
        f"keep {counts.get('keep', 0):,} (of {plural(len(plan), 'row')}). Nothing was sent."
    )
    notes = [message_html(text, "info")]
    facts = sync_facts(plan)
    if facts is not None and facts.guard:
        notes.append(
            message_html(
                f"More removals than the {facts.allowance} allowed: a real run refuses to start. "
                "Check the sheet lists every association to keep, then raise Max removals.",
                "warning",
            )
        )
    if facts is not None and not facts.allow_removals and facts.not_in_sheet:
        notes.append(
            message_html(
                f"{plural(facts.not_in_sheet, 'association')} of the portal in scope are not in "
                "the sheet: kept (tick 'Remove what the sheet lacks' to remove them).",
                "info",
            )
        )
    order = plan["change"].astype("string").map({"add": 0, "remove": 1, "keep": 2}).fillna(3)
    ordered = plan.iloc[order.reset_index(drop=True).sort_values(kind="stable").index]
    shown = ordered[[c for c in DIFF_COLUMNS if c in ordered.columns]]
    table = table_html(
        shown, max_rows=max_rows, cell_html={"status": status_badge, "change": change_badge}
    )
    gap = '<div style="height:6px"></div>'
    return f'<div class="hf-diff">{gap.join(notes)}{gap}{table}</div>'


# --- export -----------------------------------------------------------------------------------


def export(
    connection: Connection,
    from_type: str,
    to_type: str,
    source: SheetSource | None,
    *,
    sheet: str | None = None,
    id_column: str | None = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """The associations of the records of the sheet's id column (every record without a
    sheet) in the upload layout.  ``id_column``: the column the analyst picked; without it the
    reader picks it, or refuses, as :func:`hubframe.read_associations` does.  The frame's
    ``attrs["hubframe"]["id_columns"]`` names the column read ({sheet: header}).  ``cancel``
    set stops the read (a HubframeError with code ``CANCELLED``: nothing partial)."""
    if not from_type or not to_type:
        raise HubframeError("Pick the from and to object types (step 4) to export.")
    ids = source.reader_input() if source is not None else None
    return read_associations(
        connection.client,
        from_type,
        to_type,
        ids,
        sheet=sheet,
        column=id_column,
        progress=False,
        cancel=cancel,
        syntax="app",  # its messages name the page's pickers and dropdowns
    )


def export_id_column(frame: pd.DataFrame) -> str | None:
    """The one column an export read its record ids from (None: no sheet, or sheets read from
    different columns)."""
    used = set(((frame.attrs.get("hubframe") or {}).get("id_columns") or {}).values())
    return str(next(iter(used))) if len(used) == 1 else None


def export_files(frame: pd.DataFrame, stem: str) -> dict[str, bytes]:
    """The export as downloads: ``<stem>.xlsx`` and ``<stem>.csv``."""
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="hubframe-app-") as tmp:
        for suffix in (".xlsx", ".csv"):
            path = write_pairs(frame, Path(tmp) / f"{stem}{suffix}")
            out[path.name] = path.read_bytes()
    return out


def export_html(
    frame: pd.DataFrame, files: Mapping[str, bytes], *, max_bytes: int, max_rows: int = 200
) -> str:
    """What an export found, its download links (for the files of at most ``max_bytes``; a
    larger one is said too large, and Save report writes it: the page and the notebook never
    carry it) and its first rows."""
    info = frame.attrs.get("hubframe") or {}
    linked = int(frame["to_id"].notna().sum())
    text = (
        f"{plural(linked, 'association')} of {info.get('linked_records', 0):,} of the "
        f"{info.get('records', 0):,} {esc(info.get('from_type', 'records'))} read"
        f"{_id_columns_words(info.get('id_columns') or {})}. Edit the file and load it with "
        "the Sync job to make HubSpot look like it."
    )
    links = "".join(
        download_link_html(data, name, name)
        for name, data in files.items()
        if len(data) <= max_bytes
    )
    big = [(name, len(data)) for name, data in files.items() if len(data) > max_bytes]
    links += message_html(too_large_words(big), "warning")
    gap = '<div style="height:6px"></div>'
    table = table_html(frame, max_rows=max_rows)
    return f'<div class="hf-export">{message_html(text, "success")}{gap}{links}{gap}{table}</div>'


def _id_columns_words(columns: dict[str, str]) -> str:
    """Which column of the sheet the record ids were read from ("" without a sheet)."""
    used = sorted(set(columns.values()))
    if not used:
        return ""
    if len(used) == 1:
        return f' (their ids from the column "{esc(used[0])}")'
    each = "; ".join(f'{esc(s)}: "{esc(h)}"' for s, h in columns.items())
    return f" (their ids from the columns {each})"


__all__ = [
    "REVIEW",
    "SyncOptions",
    "diff_html",
    "export",
    "export_files",
    "export_html",
    "export_id_column",
    "run_sync",
]
