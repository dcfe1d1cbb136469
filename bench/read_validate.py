"""Benchmark: reading and validating analyst sheets, against the fastest readers there are.

Prints, in one run, for a grid of sizes (CSV 100,000 and 1,000,000 rows; xlsx 10,000 and
100,000 rows), every side timed in turns (:mod:`common`: min and median of ``--repeat``):

- CSV: ``read_pairs + validate_pairs`` against ``pandas.read_csv`` (C engine, the usual call),
  ``pandas.read_csv(engine="pyarrow")`` and ``pyarrow.csv.read_csv`` (the fastest CSV reader
  in Python; it only parses, it does not map, clean or check anything).  The target
  (``read_pairs + validate_pairs`` <= 3.0 x ``pandas.read_csv``) is judged on the median.
- xlsx: ``read_pairs`` against python-calamine's raw ``to_python`` (the fastest reader; target
  <= 1.5).
- Peak memory of one run of each side at the largest size: the RSS it adds to a fresh
  interpreter (Arrow's buffers included) and tracemalloc's peak (Python allocations only).

Usage: ``python bench/read_validate.py [--rows 100000,1000000] [--xlsx-rows 10000,100000]
[--repeat 3]``.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.csv as pacsv
from common import interleaved, peak_rss_mb, ratio_line, timing_line
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


CSV_TASKS: dict[str, Callable[[Path], Any]] = {
    "read_pairs + validate_pairs": lambda path: validate_pairs(read_pairs(path)),
    "read_pairs": lambda path: read_pairs(path),
    "pandas.read_csv": lambda path: pd.read_csv(path),
    "pandas.read_csv(engine='pyarrow')": lambda path: pd.read_csv(path, engine="pyarrow"),
    "pyarrow.csv.read_csv": lambda path: pacsv.read_csv(path),
}
XLSX_TASKS: dict[str, Callable[[Path], Any]] = {
    "read_pairs xlsx": lambda path: read_pairs(path),
    "python-calamine to_python": calamine_read,
}
TASKS = {**CSV_TASKS, **XLSX_TASKS}


def rss_of(task: str, path: Path) -> float:
    """Peak RSS one run of a task adds to a fresh interpreter (Arrow buffers included)."""
    command = [sys.executable, __file__, "--rss-of", task, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return float(done.stdout.strip())


def csv_grid(sizes: list[int], repeat: int, tmp: Path) -> Path:
    path = tmp / "pairs.csv"
    for rows in sizes:
        write_csv(path, rows)
        print(f"CSV {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB)")
        times = interleaved({n: partial(f, path) for n, f in CSV_TASKS.items()}, repeat)
        for name, timing in times.items():
            print(timing_line(name, timing, rows))
        ours = times["read_pairs + validate_pairs"]
        print(ratio_line("ratio to pandas.read_csv", ours, times["pandas.read_csv"], CSV_TARGET))
        print(
            ratio_line(
                "ratio to pandas.read_csv(engine='pyarrow')",
                ours,
                times["pandas.read_csv(engine='pyarrow')"],
            )
        )
        print(ratio_line("ratio to pyarrow.csv.read_csv", ours, times["pyarrow.csv.read_csv"]))
    return path


def xlsx_grid(sizes: list[int], repeat: int, tmp: Path) -> Path:
    path = tmp / "pairs.xlsx"
    for rows in sizes:
        write_xlsx(path, rows)
        print(f"XLSX {rows:,} rows")
        times = interleaved({n: partial(f, path) for n, f in XLSX_TASKS.items()}, repeat)
        for name, timing in times.items():
            print(timing_line(name, timing, rows))
        print(
            ratio_line(
                "ratio to python-calamine",
                times["read_pairs xlsx"],
                times["python-calamine to_python"],
                XLSX_TARGET,
            )
        )
    return path


def memory(csv_path: Path, xlsx_path: Path) -> None:
    print("Peak memory of one run at the largest size: RSS added to a fresh interpreter /")
    print("Python allocations traced (tracemalloc does not see Arrow's buffers; RSS does)")
    for name in TASKS:
        path = csv_path if name in CSV_TASKS else xlsx_path
        traced = traced_peak(partial(TASKS[name], path))
        print(f"  {name:34s} {rss_of(name, path):7.0f} MB RSS {traced / 1e6:7.0f} MB traced")


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.replace("_", "").split(",") if x]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_sizes, default=[100_000, 1_000_000])
    parser.add_argument("--xlsx-rows", type=_sizes, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rss-of", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_of:
        task, path = args.rss_of
        before = peak_rss_mb()
        TASKS[task](Path(path))
        print(peak_rss_mb() - before)
        return
    with tempfile.TemporaryDirectory(prefix="hubframe-bench-") as tmp:
        csv_path = csv_grid(args.rows, args.repeat, Path(tmp))
        xlsx_path = xlsx_grid(args.xlsx_rows, args.repeat, Path(tmp))
        memory(csv_path, xlsx_path)


if __name__ == "__main__":
    main()
