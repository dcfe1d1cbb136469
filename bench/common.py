"""Fair timing for the benchmarks: every side interleaved, repeated, min and median reported.

Timing each side in its own block lets a noisy neighbour (the machines are shared) land on one
side only: the same work gave ratios of 1.65, 1.80 and 3.87 in three runs that way.  Here the
sides take turns (A B C, then C B A, ...), each turn after a garbage collection, and a ratio is
given for both the fastest and the median turn of each side.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Timing:
    """The seconds of each turn of one side."""

    turns: list[float] = field(default_factory=list)

    @property
    def min(self) -> float:
        return min(self.turns)

    @property
    def median(self) -> float:
        return statistics.median(self.turns)


def interleaved(tasks: Mapping[str, Callable[[], Any]], repeat: int = 3) -> dict[str, Timing]:
    """Run every task ``repeat`` times, taking turns (reversed order every other round)."""
    timings = {name: Timing() for name in tasks}
    names = list(tasks)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            gc.collect()
            start = time.perf_counter()
            tasks[name]()
            timings[name].turns.append(time.perf_counter() - start)
    return timings


def ratio(ours: Timing, peer: Timing) -> tuple[float, float]:
    """(min / min, median / median)."""
    return ours.min / peer.min, ours.median / peer.median


def timing_line(name: str, timing: Timing, rows: int | None = None, width: int = 44) -> str:
    rate = f"  {rows / timing.min:>12,.0f} rows/s" if rows else ""
    return f"  {name:<{width}} min {timing.min:8.3f} s  median {timing.median:8.3f} s{rate}"


def ratio_line(label: str, ours: Timing, peer: Timing, target: float | None = None) -> str:
    best, middle = ratio(ours, peer)
    verdict = ""
    if target is not None:
        verdict = f"  (target <= {target}: {'OK' if middle <= target else 'OVER TARGET'})"
    return f"  {label:<44} min {best:8.2f}    median {middle:8.2f}{verdict}"


def reset_peak_rss() -> None:
    """Start this process's RSS high-water mark again from its current RSS (Linux)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return peak_rss_mb()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def peak_rss_mb() -> float:
    """This process's own RSS high-water mark in MB (Linux VmHWM)."""
    import resource

    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
