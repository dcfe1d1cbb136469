"""The Summary sheet: the run's settings (never a secret), counts by status and code."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from hubframe.errors import CODE_INFO, ErrorCode
from hubframe.report.columns import is_sync, meta
from hubframe.report.excel import STATUS_COLOURS, WriteOnlyWorksheet, fill, ooxml
from hubframe.report.safety import needs_escaping, outgoing_text
from hubframe.run.pipeline import run_facts
from hubframe.run.portal import PORTAL_LABEL
from hubframe.run.table import summarize

BASE_URL: Final = "base_url"  # the setting of where the run sent: its host is shown
BASE_URL_LABEL: Final = "base URL host"  # how the Summary sheet labels it
#: The job that made the report ("associate", "sync", "undo", ...) when the command line's
#: ``command`` setting does not name it: an undo refuses an undo's report.
JOB: Final = "job"
#: The setting of the run's journal: its absolute path (an undo of the report uses it).
JOURNAL: Final = "journal"
#: The run's number in its journal: an undo of the report takes back what that run (and the
#: runs it resumed) wrote, never what a later run of the journal wrote again.
JOURNAL_RUN: Final = "journal run"
#: The portal the run sent to, as a salted SHA-256 of its token (never the token): an undo of
#: the report with another portal's token is refused (every portal shares one host).
PORTAL: Final = PORTAL_LABEL

_SECRET_KEY_RE: Final = re.compile(r"token|secret|password|authori[sz]ation|api[_-]?key", re.I)


# --- Run settings (never the token) --------------------------------------------------------------


def _setting_text(key: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if "url" in key.lower():
        try:
            return urlsplit(str(value)).hostname or ""
        except ValueError:  # not a URL after all (e.g. a broken IPv6 host)
            return ""
    return str(value)


def _safe_settings(settings: Mapping[str, object] | None) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in (settings or {}).items():
        if _SECRET_KEY_RE.search(str(key)):
            continue
        label = str(key).replace("_", " ")
        if "url" in label.lower():
            label = re.sub("url", "URL host", label, flags=re.I)  # BASE_URL_LABEL
        text = _setting_text(str(key), value)
        rows.append((outgoing_text(label), outgoing_text(text)))
    return rows


# --- Counts ----------------------------------------------------------------------------------


def _counts(result: pd.DataFrame) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Rows by status (contract order) and rows by error code (most first), from summarize."""
    if "error_code" not in result.columns:
        result = result.assign(error_code="")
    table = summarize(result)
    table = table.loc[table["status"] != "total"]
    by_status = table.groupby("status", sort=False)["rows"].sum()
    codes = table.loc[table["error_code"].fillna("").str.strip() != ""]
    by_code = codes.groupby("error_code", sort=False)["rows"].sum().sort_values(ascending=False)
    return (
        [(str(s), int(n)) for s, n in by_status.items()],
        [(str(c), int(n)) for c, n in by_code.items()],
    )


def _changes(result: pd.DataFrame) -> str | None:
    """A sync's rows per change, in words: "add 2, remove 3, keep 7"; a labels run's, the
    changes it made or planned: "create 2, rename 1" (None for other runs)."""
    if "change" not in result.columns:
        return None
    counts = result["change"].astype("string").value_counts()
    if not is_sync(result):
        return ", ".join(f"{c} {int(n)}" for c, n in counts.items() if c) or None
    return ", ".join(f"{c} {int(counts.get(c, 0))}" for c in ("add", "remove", "keep"))


def _code_row(code: str, count: int) -> list[str | int]:
    try:
        info = CODE_INFO[ErrorCode(code)]
    except ValueError:
        return [code, count, "", "", ""]
    source = {"input": "the sheet", "run": "the run"}.get(info.source, "HubSpot")
    return [code, count, source, info.meaning, info.action]


# --- The Summary sheet ---------------------------------------------------------------------------


def _summary_cell(ws: WriteOnlyWorksheet, value: str | int | None, *, bold: bool = False) -> object:
    """A Summary cell: text always as text (never a formula), numbers as numbers."""
    if value is None or (isinstance(value, int) and not bold):
        return value
    if isinstance(value, int):
        cell = WriteOnlyCell(ws, value=value)
    else:
        value = outgoing_text(value)
        cell = WriteOnlyCell(ws, value=ooxml(value))
        cell.data_type = "s"
        if needs_escaping(value):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _coloured(ws: WriteOnlyWorksheet, value: str, colour: str | None) -> object:
    cell = _summary_cell(ws, value)
    if colour and isinstance(cell, Cell):
        cell.fill = fill(colour)
    return cell


@dataclass
class _SummaryData:
    settings: list[tuple[str, str]]
    statuses: list[tuple[str, int]]
    codes: list[tuple[str, int]]
    total: int


def _not_read(skipped: list[Mapping[str, object]]) -> str | None:
    """The workbook sheets the read left out, each with why: a report keeps them in view (a
    later sheet of pairs is not run by the default read)."""
    said = "; ".join(f"{s.get('sheet')} ({s.get('reason')})" for s in skipped)
    return said or None


def _inferred_types(info: Mapping[str, object]) -> dict[str, object]:
    """The object types the read inferred rather than was given, and from what: a report
    says so beside the run's settings (a file name or headers can be wrong)."""
    by_sheet = info.get("guessed_types_by_sheet")
    if isinstance(by_sheet, Mapping):
        return _inferred_by_sheet(by_sheet)
    found = info.get("guessed_types")
    out: dict[str, object] = {}
    for side, guess in found.items() if isinstance(found, Mapping) else ():
        if isinstance(guess, Mapping):
            out[f"{side} type"] = (
                f"{guess.get('type')}, inferred from the {guess.get('reason')} "
                f"{guess.get('evidence')}"
            )
    return out


def _inferred_by_sheet(by_sheet: Mapping[object, object]) -> dict[str, object]:
    """Of several sheets read, each sheet's inferred types: 'deals, inferred from the headers
    Deal Name, Deal Stage (sheet Deals); tickets, ... (sheet Tickets)'."""
    said: dict[str, list[str]] = {}
    for sheet, guesses in by_sheet.items():
        for side, guess in guesses.items() if isinstance(guesses, Mapping) else ():
            if isinstance(guess, Mapping):
                said.setdefault(f"{side} type", []).append(
                    f"{guess.get('type')}, inferred from the {guess.get('reason')} "
                    f"{guess.get('evidence')} (sheet {sheet})"
                )
    return {key: "; ".join(parts) for key, parts in said.items()}


def summary_data(result: pd.DataFrame, settings: Mapping[str, object] | None) -> _SummaryData:
    info, facts = meta(result), run_facts(result)
    base: dict[str, object] = {
        "kind": info.get("kind"),
        "source": info.get("source"),
        "sheets read": ", ".join(str(s) for s in info.get("sheets_read") or []) or None,
        "sheets not read": _not_read(info.get("skipped_sheets") or []),
        BASE_URL: facts.base_url if facts is not None else None,
        JOURNAL: facts.journal if facts is not None else None,
        JOURNAL_RUN: facts.journal_run if facts is not None else None,
        PORTAL: facts.portal.text() if facts is not None and facts.portal else None,
        **_inferred_types(info),
    }
    if facts is not None and "command" not in (settings or {}):  # the CLI's names the job
        base[JOB] = facts.job
    merged = {k: v for k, v in base.items() if v is not None} | dict(settings or {})
    journal = merged.get(JOURNAL)
    if isinstance(journal, str | os.PathLike) and os.fspath(journal):
        merged[JOURNAL] = os.path.abspath(os.fspath(journal))  # as given: from where it runs
    changes = _changes(result)
    if changes:
        merged["changes"] = changes
    statuses, codes = _counts(result)
    return _SummaryData(
        settings=_safe_settings(merged),
        statuses=statuses,
        codes=codes,
        total=len(result),
    )


def _status_chart(ws: WriteOnlyWorksheet, data: _SummaryData, header_row: int) -> None:
    from openpyxl.chart.marker import DataPoint

    last = header_row + len(data.statuses)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Rows by status"
    chart.y_axis.title = "Rows"
    chart.legend = None
    chart.add_data(
        Reference(ws, min_col=2, min_row=header_row, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    series = chart.series[0]
    for i, (status, _count) in enumerate(data.statuses):
        point = DataPoint(idx=i)
        point.graphicalProperties.solidFill = STATUS_COLOURS.get(status, "A6A6A6")
        point.graphicalProperties.line.solidFill = "7F7F7F"
        series.dPt.append(point)
    chart.width, chart.height = 15, 8
    ws.add_chart(chart, "D3")


def build_summary(wb: Workbook, data: _SummaryData) -> None:
    ws = wb.create_sheet("Summary")
    for letter, width in zip("ABCDE", (26, 14, 12, 60, 70), strict=True):
        ws.column_dimensions[letter].width = width
    title = WriteOnlyCell(ws, value="hubframe report")
    title.font = Font(bold=True, size=14)
    rows: list[list[object]] = [[title], [], [_summary_cell(ws, "Run", bold=True)]]
    rows += [[_summary_cell(ws, k), _summary_cell(ws, v)] for k, v in data.settings]
    rows.append([])
    header_row = len(rows) + 1
    rows.append([_summary_cell(ws, "status", bold=True), _summary_cell(ws, "rows", bold=True)])
    rows += [[_coloured(ws, s, STATUS_COLOURS.get(s)), n] for s, n in data.statuses]
    rows.append([_summary_cell(ws, "total", bold=True), _summary_cell(ws, data.total, bold=True)])
    rows += [[] for _ in range(max(2, 20 - len(rows)))]  # keep the chart clear of the next table
    headings = ("error code", "rows", "comes from", "what it means", "what to do")
    rows.append([_summary_cell(ws, h, bold=True) for h in headings])
    if data.codes:
        rows += [[_summary_cell(ws, v) for v in _code_row(c, n)] for c, n in data.codes]
    else:
        rows.append([_summary_cell(ws, "No errors or warnings.")])
    for row in rows:
        ws.append(row)
    if data.statuses:
        _status_chart(ws, data, header_row)
