"""How fast does a result table export, against the fastest Excel writer there is?

For a grid of sizes (20,000 and 200,000 rows of a result table shaped like a real
``associate`` result), every side timed in turns (:mod:`common`: min and median of 3):

- ``export_report`` to ``.xlsx`` (Summary, Results, Errors, Validation sheets, styles, chart,
  formula safety) and to ``.csv``;
- the baseline: xlsxwriter in constant-memory mode writing the Results sheet alone, with the
  status colour as a cell format (the fastest well-known Excel writer, doing less);
- openpyxl write-only, cell by cell, with the same colours; ``DataFrame.to_excel`` (openpyxl,
  small sizes only: it takes a minute a turn at 200,000 rows);
- ``DataFrame.to_csv`` for the CSV report.

Run: ``.venv/bin/python bench/report_export.py [--rows 20000,200000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from common import interleaved, ratio_line, timing_line
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import PatternFill

from hubframe.report import STATUS_COLOURS, export_report, report_columns

STATUS_MIX = {"success": 0.90, "failed": 0.04, "invalid": 0.03, "duplicate": 0.02, "skipped": 0.01}
TO_EXCEL_MAX_ROWS = 50_000
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


def xlsxwriter_constant_memory(frame: pd.DataFrame, path: Path) -> None:
    """xlsxwriter's fastest mode (rows streamed to disk), one format per status."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    ws = book.add_worksheet("Results")
    formats = {s: book.add_format({"bg_color": f"#{c}"}) for s, c in STATUS_COLOURS.items()}
    ws.write_row(0, 0, list(frame.columns))
    status_at = list(frame.columns).index("status")
    for n, values in enumerate(
        frame.astype(object).where(frame.notna(), None).itertuples(index=False)
    ):
        row = list(values)
        ws.write_row(n + 1, 0, row)
        ws.write_string(n + 1, status_at, str(row[status_at]), formats[str(row[status_at])])
    book.close()


def one_size(rows: int, repeat: int, out: Path) -> None:
    frame = result_frame(rows)
    plain = frame.loc[:, report_columns(frame)]
    print(f"result table: {rows:,} rows x {len(frame.columns)} columns")
    tasks = {
        "export_report -> .xlsx (4 sheets)": lambda: export_report(frame, out / "r.xlsx"),
        "xlsxwriter constant_memory, Results only": lambda: xlsxwriter_constant_memory(
            plain, out / "xw.xlsx"
        ),
        "openpyxl write-only, Results only": lambda: openpyxl_write_only(plain, out / "w.xlsx"),
        "export_report -> .csv": lambda: export_report(frame, out / "r.csv"),
        "DataFrame.to_csv": lambda: plain.to_csv(out / "p.csv", index=False),
    }
    if rows <= TO_EXCEL_MAX_ROWS:  # a minute a turn at 200,000 rows, and the slowest anyway
        tasks["DataFrame.to_excel(engine='openpyxl')"] = lambda: plain.to_excel(
            out / "p.xlsx", index=False, engine="openpyxl"
        )
    times = interleaved(tasks, repeat)
    for name, timing in times.items():
        print(timing_line(name, timing, rows))
    ours = times["export_report -> .xlsx (4 sheets)"]
    print(
        ratio_line(
            "xlsx: ratio to xlsxwriter constant_memory",
            ours,
            times["xlsxwriter constant_memory, Results only"],
        )
    )
    print(
        ratio_line(
            "xlsx: ratio to openpyxl write-only", ours, times["openpyxl write-only, Results only"]
        )
    )
    print(
        ratio_line(
            "csv: ratio to DataFrame.to_csv",
            times["export_report -> .csv"],
            times["DataFrame.to_csv"],
        )
    )
    print(f"  report.xlsx size: {(out / 'r.xlsx').stat().st_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=lambda t: [int(x) for x in t.split(",")], default=[20_000, 200_000]
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            one_size(rows, args.repeat, Path(tmp))


if __name__ == "__main__":
    main()
