"""How fast does a 200,000-row result table export?

Prints rows/s and seconds for ``export_report`` to ``.xlsx`` and ``.csv`` on a generated
result table shaped like a real ``associate`` result, and the same table written by a plain
``DataFrame.to_excel(engine="openpyxl")`` (the baseline: no styles, no Summary, no formula
safety), with the ratio.  Run: ``.venv/bin/python bench/report_export.py [ROWS]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import PatternFill

from hubframe.report import STATUS_COLOURS, export_report, report_columns

STATUS_MIX = {"success": 0.90, "failed": 0.04, "invalid": 0.03, "duplicate": 0.02, "skipped": 0.01}
CODES = {"failed": "OBJECT_NOT_FOUND", "invalid": "BAD_ID", "duplicate": "DUPLICATE_ROW"}


def result_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """A result table like associate() returns for a deals -> contacts sheet."""
    rng = np.random.default_rng(seed)
    deals = (2_040_000_000 + rng.integers(1, 500_000, rows)).astype(str)
    contacts = (1_019_360_000 + rng.integers(1, 900_000, rows)).astype(str)
    status = rng.choice(list(STATUS_MIX), size=rows, p=list(STATUS_MIX.values()))
    failed = pd.Series(status == "failed")
    code = pd.Series(status).map(CODES).astype("string")
    message = ("Contact " + pd.Series(contacts) + " does not exist in HubSpot.").where(
        code.notna(), None
    )
    frame = pd.DataFrame(
        {
            "sheet": "Deals",
            "row": np.arange(2, rows + 2),
            "from_type": "deals",
            "from_id": deals,
            "to_type": "contacts",
            "to_id": contacts,
            "label": "Decision maker",
            "category": "USER_DEFINED",
            "type_id": pd.array(np.full(rows, 101), dtype="Int64"),
            "action": "associate",
            "status": status,
            "error_code": code,
            "error_message": message,
            "http_status": pd.array(np.where(status == "failed", 207, 201), dtype="Int64"),
            "hubspot_category": pd.Series("VALIDATION_ERROR", index=range(rows)).where(failed),
            "correlation_id": pd.Series("7d6f0e1a-92c3-4f4e", index=range(rows)).where(failed),
            "batch": pd.array(np.arange(rows) // 2_000 + 1, dtype="Int64"),
            "attempts": pd.array(np.ones(rows, dtype=int), dtype="Int64"),
            "Deal ID": deals,
            "Contact ID": contacts,
            "Association label": "Decision maker",
            "Notes": np.where(rng.random(rows) < 0.5, "renewal Q3", '=HYPERLINK("x")'),
        }
    )
    frame.attrs["hubframe"] = {
        "kind": "pairs",
        "source": "deals_contacts.xlsx",
        "original_columns": ["Deal ID", "Contact ID", "Association label", "Notes"],
        "column_map": {"Deal ID": "from_id", "Contact ID": "to_id", "Association label": "label"},
    }
    return frame


def openpyxl_write_only(frame: pd.DataFrame, path: Path) -> None:
    """The textbook fast openpyxl way: write-only mode, a styled WriteOnlyCell per status."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Results")
    ws.append(list(frame.columns))
    status_at = list(frame.columns).index("status")
    fills = {s: PatternFill("solid", start_color=c) for s, c in STATUS_COLOURS.items()}
    for values in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
        row: list[object] = list(values)
        cell = WriteOnlyCell(ws, value=str(row[status_at]))
        cell.fill = fills[str(row[status_at])]
        row[status_at] = cell
        ws.append(row)
    wb.save(path)


def timed(label: str, rows: int, action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"{label:<42} {seconds:8.2f} s  {rows / seconds:>10,.0f} rows/s")
    return seconds


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    frame = result_frame(rows)
    print(f"result table: {rows:,} rows x {len(frame.columns)} columns")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ours = timed(
            "export_report -> .xlsx (4 sheets)",
            rows,
            lambda: export_report(frame, out / "report.xlsx"),
        )
        timed("export_report -> .csv", rows, lambda: export_report(frame, out / "report.csv"))
        plain = frame.loc[:, report_columns(frame)]
        write_only = timed(
            "openpyxl write-only, Results sheet only",
            rows,
            lambda: openpyxl_write_only(plain, out / "write_only.xlsx"),
        )
        base = timed(
            "DataFrame.to_excel(engine='openpyxl')",
            rows,
            lambda: plain.to_excel(out / "plain.xlsx", index=False, engine="openpyxl"),
        )
        size = (out / "report.xlsx").stat().st_size / 1e6
    print(f"report.xlsx size: {size:.1f} MB")
    print(f"speed-up over openpyxl write-only cell by cell: {write_only / ours:.1f}x")
    print(
        f"speed-up over plain to_excel: {base / ours:.1f}x (report time / to_excel time = "
        f"{ours / base:.2f}); the report also writes Summary, Errors and Validation sheets"
    )


if __name__ == "__main__":
    main()
