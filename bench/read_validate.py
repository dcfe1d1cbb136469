"""Benchmark: reading and validating analyst sheets (issue 3).

Prints, in one run:
- (read_pairs + validate_pairs) time on a generated 1,000,000-row CSV divided by a plain
  ``pandas.read_csv`` of the same file (target <= 3.0);
- read_pairs time on a generated 100,000-row xlsx divided by the raw python-calamine read of
  it (target <= 1.5);
- peak memory (tracemalloc peak of the measured calls, and the process's max RSS).

Usage: ``python bench/read_validate.py [--rows 1000000] [--xlsx-rows 100000] [--repeat 3]``.
Each ratio uses the best of ``--repeat`` runs of both sides, so a busy machine does not skew it.
"""

from __future__ import annotations

import argparse
import gc
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from python_calamine import CalamineWorkbook

from hubframe.io import read_pairs
from hubframe.validate import validate_pairs

CSV_TARGET = 3.0
XLSX_TARGET = 1.5
LABELS = np.array(["", "Decision maker", "Champion", "Billing contact"])
TYPES = np.array(["deals", "contacts", "companies", "tickets"])


def make_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "From Type": TYPES[rng.integers(0, 2, rows)],
            "From ID": rng.integers(10**9, 10**12, rows),
            "To Type": TYPES[rng.integers(1, 4, rows)],
            "To ID": rng.integers(10**9, 10**12, rows),
            "Label": LABELS[rng.integers(0, len(LABELS), rows)],
        }
    )


def write_csv(path: Path, rows: int) -> None:
    make_frame(rows).to_csv(path, index=False)


def write_xlsx(path: Path, rows: int) -> None:
    frame = make_frame(rows, seed=11)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Pairs")
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        sheet.append([record[0], int(record[1]), record[2], int(record[3]), record[4] or None])
    book.save(path)


def best_time(func: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def traced_peak(func: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def calamine_read(path: Path) -> list[list[Any]]:
    book = CalamineWorkbook.from_path(str(path))
    rows: list[list[Any]] = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hubframe-bench-") as tmp:
        csv_path = Path(tmp) / "pairs.csv"
        xlsx_path = Path(tmp) / "pairs.xlsx"
        write_csv(csv_path, args.rows)
        write_xlsx(xlsx_path, args.xlsx_rows)

        def ours_csv() -> None:
            validate_pairs(read_pairs(csv_path))

        plain = best_time(lambda: pd.read_csv(csv_path), args.repeat)
        ours = best_time(ours_csv, args.repeat)
        raw = best_time(lambda: calamine_read(xlsx_path), args.repeat)
        ours_xlsx = best_time(lambda: read_pairs(xlsx_path), args.repeat)
        csv_peak = traced_peak(ours_csv)
        plain_peak = traced_peak(lambda: pd.read_csv(csv_path))
        xlsx_peak = traced_peak(lambda: read_pairs(xlsx_path))
        size_mb = csv_path.stat().st_size / 1e6
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    csv_ratio, xlsx_ratio = ours / plain, ours_xlsx / raw
    print(f"CSV  {args.rows:,} rows ({size_mb:.0f} MB)")
    print(f"  pandas.read_csv                 {plain:7.3f} s")
    print(f"  read_pairs + validate_pairs     {ours:7.3f} s")
    verdict = "OK" if csv_ratio <= CSV_TARGET else "OVER TARGET"
    print(
        f"  ratio                           {csv_ratio:7.2f}   (target <= {CSV_TARGET}) {verdict}"
    )
    print(f"XLSX {args.xlsx_rows:,} rows")
    print(f"  python-calamine to_python       {raw:7.3f} s")
    print(f"  read_pairs                      {ours_xlsx:7.3f} s")
    verdict = "OK" if xlsx_ratio <= XLSX_TARGET else "OVER TARGET"
    print(
        f"  ratio                           {xlsx_ratio:7.2f}   (target <= {XLSX_TARGET}) {verdict}"
    )
    print("Peak memory")
    print(f"  read_pairs + validate_pairs CSV {csv_peak / 1e6:7.0f} MB (tracemalloc peak)")
    print(f"  pandas.read_csv                 {plain_peak / 1e6:7.0f} MB (tracemalloc peak)")
    print(f"  read_pairs xlsx                 {xlsx_peak / 1e6:7.0f} MB (tracemalloc peak)")
    print(f"  process max RSS                 {rss:7.0f} MB")


if __name__ == "__main__":
    main()
