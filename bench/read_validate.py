"""Benchmark: reading and validating analyst sheets (issue 3).

Prints, in one run:
- (read_pairs + validate_pairs) time on a generated 1,000,000-row CSV divided by a plain
  ``pandas.read_csv`` of the same file (target <= 3.0);
- read_pairs time on a generated 100,000-row xlsx divided by the raw python-calamine read of
  it (target <= 1.5);
- peak memory of one run of each side: the RSS it adds to a fresh interpreter (this includes
  Arrow's buffers) and tracemalloc's peak (Python allocations only).

Usage: ``python bench/read_validate.py [--rows 1000000] [--xlsx-rows 100000] [--repeat 3]``.
Each ratio uses the best of ``--repeat`` runs of both sides, so a busy machine does not skew it.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
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


TASKS: dict[str, Callable[[Path], Any]] = {
    "pandas.read_csv": lambda path: pd.read_csv(path),
    "read_pairs + validate_pairs": lambda path: validate_pairs(read_pairs(path)),
    "python-calamine to_python": calamine_read,
    "read_pairs xlsx": lambda path: read_pairs(path),
}


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    """This process's own RSS high-water mark (Linux VmHWM: unlike ru_maxrss it does not
    start from the parent's peak after fork+exec)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return max_rss_mb()
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def rss_of(task: str, path: Path) -> float:
    """Peak RSS one run of a task adds to a fresh interpreter (Arrow buffers included)."""
    command = [sys.executable, __file__, "--rss-of", task, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return float(done.stdout.strip())


@dataclass
class Figures:
    rows: int
    xlsx_rows: int
    size_mb: float
    plain: float
    ours: float
    read_only: float
    raw: float
    ours_xlsx: float
    traced: dict[str, int]
    rss: dict[str, float]


def measure(args: argparse.Namespace, tmp: Path) -> Figures:
    csv_path, xlsx_path = tmp / "pairs.csv", tmp / "pairs.xlsx"
    write_csv(csv_path, args.rows)
    write_xlsx(xlsx_path, args.xlsx_rows)
    paths = dict(zip(TASKS, [csv_path, csv_path, xlsx_path, xlsx_path], strict=True))
    times = {name: best_time(partial(TASKS[name], paths[name]), args.repeat) for name in TASKS}
    return Figures(
        rows=args.rows,
        xlsx_rows=args.xlsx_rows,
        size_mb=csv_path.stat().st_size / 1e6,
        plain=times["pandas.read_csv"],
        ours=times["read_pairs + validate_pairs"],
        read_only=best_time(lambda: read_pairs(csv_path), args.repeat),
        raw=times["python-calamine to_python"],
        ours_xlsx=times["read_pairs xlsx"],
        traced={name: traced_peak(partial(TASKS[name], paths[name])) for name in TASKS},
        rss={name: rss_of(name, paths[name]) for name in TASKS},
    )


def ratio_line(ratio: float, target: float) -> str:
    verdict = "OK" if ratio <= target else "OVER TARGET"
    return f"  ratio                           {ratio:7.2f}   (target <= {target}) {verdict}"


def report(f: Figures) -> None:
    print(f"CSV  {f.rows:,} rows ({f.size_mb:.0f} MB)")
    print(f"  pandas.read_csv                 {f.plain:7.3f} s")
    print(f"  read_pairs + validate_pairs     {f.ours:7.3f} s   (read_pairs: {f.read_only:.3f} s)")
    print(ratio_line(f.ours / f.plain, CSV_TARGET))
    print(f"XLSX {f.xlsx_rows:,} rows")
    print(f"  python-calamine to_python       {f.raw:7.3f} s")
    print(f"  read_pairs                      {f.ours_xlsx:7.3f} s")
    print(ratio_line(f.ours_xlsx / f.raw, XLSX_TARGET))
    print("Peak memory of one run: RSS added to a fresh interpreter / Python allocations traced")
    print("(tracemalloc does not see Arrow's buffers; RSS does)")
    for name in TASKS:
        print(f"  {name:31s} {f.rss[name]:7.0f} MB RSS {f.traced[name] / 1e6:7.0f} MB traced")
    print(f"  this process, max RSS           {max_rss_mb():7.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
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
        report(measure(args, Path(tmp)))


if __name__ == "__main__":
    main()
