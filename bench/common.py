"""Fair timing for the benchmarks: every side interleaved, repeated, min and median reported.

Timing each side in its own block lets a noisy neighbour (the machines are shared) land on one
side only: the same work gave ratios of 1.65, 1.80 and 3.87 in three runs that way.  Here the
sides take turns (A B C, then C B A, ...), each turn after a garbage collection, and a ratio is
given for both the fastest and the median turn of each side.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
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
    for name in turn_order(list(tasks), repeat):
        gc.collect()
        start = time.perf_counter()
        tasks[name]()
        timings[name].turns.append(time.perf_counter() - start)
    return timings


def turn_order(names: Sequence[str], repeat: int = 3) -> list[str]:
    """The turns of :func:`interleaved`: A B C, C B A, A B C, ..."""
    return [
        name
        for round_ in range(repeat)
        for name in (names if round_ % 2 == 0 else list(reversed(names)))
    ]


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


# --- the schedule-optimal time of a rate-limited job ------------------------------------------


def limiter_budget(rate_limit: tuple[int, float]) -> tuple[int, float]:
    """(requests per window, seconds a request holds its slot) with hubframe's safety margins
    (:mod:`hubframe.hubspot.ratelimit`: COUNT_MARGIN of the budget kept in reserve, rounded
    down; each slot held TIME_MARGIN of the window longer, at least MIN_TIME_MARGIN_S)."""
    from hubframe.hubspot.ratelimit import COUNT_MARGIN, MIN_TIME_MARGIN_S, TIME_MARGIN

    max_requests, window_s = rate_limit
    allowed = max(1, max_requests - math.floor(max_requests * COUNT_MARGIN))
    return allowed, window_s + max(MIN_TIME_MARGIN_S, window_s * TIME_MARGIN)


def schedule_optimum(
    inputs: Sequence[int],
    rate_limit: tuple[int, float],
    latency: tuple[float, float],
    *,
    max_in_flight: int = 32,
    lookup: bool = True,
    lookup_s: float | None = None,
) -> float:
    """Earliest finish (seconds from the first request) of requests with ``inputs`` each.

    Each request starts as soon as both a pool slot is free (at most ``max_in_flight``, and never
    more than the window's budget, in flight) and the rolling window has room (at most
    ``allowed`` requests started within any ``hold`` seconds, :func:`limiter_budget`), and takes
    ``base + per_input * inputs`` seconds.  ``lookup``: one request without inputs goes first
    (hubframe's labels lookup) and the batches wait for its answer; it counts in the window
    and takes ``lookup_s`` (default: the base latency).
    No client CPU is counted: this is the schedule's floor, not a model of any client.
    """
    allowed, hold = limiter_budget(rate_limit)
    base, per_input = latency
    starts: list[float] = []
    ready = 0.0
    if lookup:
        starts.append(0.0)
        ready = base if lookup_s is None else lookup_s
    free = [ready] * max(1, min(max_in_flight, allowed))  # when each pool slot is next free
    finish = ready
    for n in inputs:
        start = heapq.heappop(free)
        if len(starts) >= allowed:
            start = max(start, starts[-allowed] + hold)
        starts.append(start)  # non-decreasing: both bounds only move later
        end = start + base + per_input * n
        heapq.heappush(free, end)
        finish = max(finish, end)
    return finish


def batch_sizes(pairs: int, batch: int) -> list[int]:
    """Inputs of each request when ``pairs`` are sent ``batch`` at a time."""
    full, rest = divmod(pairs, batch)
    return [batch] * full + ([rest] if rest else [])
