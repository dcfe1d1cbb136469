"""The schedule-optimal time bench/throughput.py prints beside each measured wall time.

Hand-computed cases: with a budget of 100 requests per 10 s, hubframe's margins allow 97
requests (3 % kept in reserve) per 10.3 s (each slot held 3 % of the window longer); the pool
sends at most 32 at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from common import batch_sizes, limiter_budget, schedule_optimum

from hubframe.hubspot.ratelimit import COUNT_MARGIN, MIN_TIME_MARGIN_S, TIME_MARGIN
from hubframe.run.send import MAX_IN_FLIGHT

HUNDRED = (100, 10.0)
ONE_SECOND = (1.0, 0.0)


def test_the_budget_has_hubframes_margins() -> None:
    assert (COUNT_MARGIN, TIME_MARGIN, MIN_TIME_MARGIN_S, MAX_IN_FLIGHT) == (0.03, 0.03, 0.03, 32)
    assert limiter_budget(HUNDRED) == (97, pytest.approx(10.3))
    assert limiter_budget((150, 10.0)) == (146, pytest.approx(10.3))
    assert limiter_budget((20, 1.0)) == (20, pytest.approx(1.03))  # 3 % of 20 rounds down to 0


def test_one_request_waits_for_the_lookup_then_its_latency() -> None:
    assert schedule_optimum([2000], HUNDRED, ONE_SECOND) == pytest.approx(2.0)
    assert schedule_optimum([2000], HUNDRED, (0.5, 0.0002)) == pytest.approx(0.5 + 0.9)
    assert schedule_optimum([2000], HUNDRED, ONE_SECOND, lookup=False) == pytest.approx(1.0)


def test_exactly_one_window_goes_in_waves_of_the_pool() -> None:
    # The lookup and 96 batches fill the 97 slots: three waves of 32 after the lookup.
    assert schedule_optimum([2000] * 96, HUNDRED, ONE_SECOND) == pytest.approx(4.0)


def test_one_request_past_the_window_waits_for_the_first_slot_to_leave() -> None:
    # The 98th request (the 97th batch) starts when the lookup's slot frees, at 10.3 s.
    assert schedule_optimum([2000] * 97, HUNDRED, ONE_SECOND) == pytest.approx(11.3)
    # Two windows' worth and one: the 195th request waits for the 98th's slot (10.3 + 10.3).
    assert schedule_optimum([2000] * 194, HUNDRED, ONE_SECOND) == pytest.approx(21.6)


def test_a_wide_window_is_bound_by_the_pool() -> None:
    wide = (1000, 10.0)
    assert schedule_optimum([2000] * 64, wide, ONE_SECOND) == pytest.approx(3.0)
    assert schedule_optimum([2000] * 65, wide, ONE_SECOND) == pytest.approx(4.0)
    assert schedule_optimum([2000] * 64, wide, (0.5, 0.0002)) == pytest.approx(0.5 + 2 * 0.9)
    assert schedule_optimum([2000] * 64, wide, ONE_SECOND, max_in_flight=64) == pytest.approx(2.0)


def test_the_pool_is_never_wider_than_the_window() -> None:
    # 10 per 1.03 s: ten go at once, the next ten when the first slots leave the window.
    assert schedule_optimum([2000] * 20, (10, 1.0), (0.25, 0), lookup=False) == pytest.approx(1.28)


def test_a_smaller_last_batch_takes_its_own_latency() -> None:
    assert batch_sizes(4500, 2000) == [2000, 2000, 500]
    assert batch_sizes(4000, 2000) == [2000, 2000]
    assert batch_sizes(1, 2000) == [1]
    sizes = batch_sizes(4500, 2000)
    assert schedule_optimum(sizes, HUNDRED, (0.5, 0.0002)) == pytest.approx(0.5 + 0.9)
    assert schedule_optimum([500], HUNDRED, (0.5, 0.0002)) == pytest.approx(0.5 + 0.6)
