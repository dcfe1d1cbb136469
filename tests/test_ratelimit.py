"""The shared rate limiter: HubSpot's rolling window (bursts included) and its daily budget.

Every test runs on a :class:`~hubframe.testing.FakeClock`: time passes only when the limiter
waits (or the test says so), so pacing is checked to the microsecond in no real time.
"""

from __future__ import annotations

import pytest

from hubframe.errors import ConfigurationError, RateLimitError
from hubframe.hubspot.ratelimit import RateLimiter, Slot
from hubframe.testing import FakeClock

WINDOW = 0.2  # 1 request per 0.2 s: a slot is held 0.23 s, requests are paced 0.24 s apart


def limiter(budget: tuple[int, float], clock: FakeClock) -> RateLimiter:
    return RateLimiter(budget, clock=clock, wait=clock.wait)


def test_a_slot_counts_from_when_its_request_is_written() -> None:
    clock = FakeClock()
    rl = limiter((1, WINDOW), clock)
    slot = rl.acquire()
    assert isinstance(slot, Slot) and slot.at == 1_000.0
    clock.advance(0.1)  # e.g. waiting for the GIL or a TLS handshake before the first byte
    rl.sending(slot)
    assert slot.at == pytest.approx(1_000.1)
    rl.acquire()
    # Counted from acquire(), the next request could have gone at 1000 + hold.
    assert clock.now >= slot.at + rl.hold_s - 1e-9


def test_a_slot_written_after_its_window_is_booked_again() -> None:
    clock = FakeClock()
    rl = limiter((1, WINDOW), clock)
    slot = rl.acquire()
    clock.advance(rl.hold_s + 0.05)
    rl.observe({"X-HubSpot-RateLimit-Remaining": "1"})  # the window drops the old slot
    assert not slot.booked
    rl.sending(slot)  # the request leaves only now: it occupies the window again
    assert slot.booked
    rl.acquire()
    assert clock.now >= slot.at + rl.hold_s - 1e-9


def test_sending_never_moves_a_slot_earlier() -> None:
    clock = FakeClock(10.0)
    rl = limiter((5, 1.0), clock)
    slot = rl.acquire()
    clock.now = 9.0  # a clock read before the booking must not shorten the hold
    rl.sending(slot)
    assert slot.at == 10.0
    clock.now = 10.5
    rl.sending(slot)
    assert slot.at == 10.5


@pytest.mark.parametrize("budget", [(10, 1.0), (150, 10.0), (190, 10.0), (1, 0.2)])
def test_a_fresh_window_goes_at_once_and_no_window_ever_holds_more_than_the_budget(
    budget: tuple[int, float],
) -> None:
    clock = FakeClock()
    rl = limiter(budget, clock)
    sent = []
    for _ in range(3 * budget[0] + 5):
        slot = rl.acquire()
        rl.sending(slot)
        sent.append(slot.at)
    maximum, window = budget
    burst = rl.effective_max
    assert sent[:burst] == [sent[0]] * burst  # the whole (effective) budget at once
    assert sent[burst] >= sent[0] + rl.hold_s - 1e-9  # then as the first leaves the window
    for i, start in enumerate(sent):  # every window of the budget's length, from each request
        inside = [t for t in sent[i:] if t < start + window]
        assert len(inside) <= maximum
    # in the long run the window's budget every hold period, not less
    periods = (sent[-1] - sent[0]) / rl.hold_s
    assert len(sent) <= burst * (periods + 1) + 1e-9 and len(sent) >= burst * periods


def test_a_429_widens_the_margin_fills_the_window_and_the_margin_fades_again() -> None:
    clock = FakeClock()
    rl = limiter((10, 1.0), clock)
    hold = rl.hold_s
    rl.throttled({"X-HubSpot-RateLimit-Remaining": "0"})
    assert rl.hold_s > hold
    started = clock.now
    rl.sending(rl.acquire())  # no storm: the next request waits for the window to roll
    assert clock.now - started >= 1.0
    clock.advance(1_000.0)  # many windows without a refusal
    assert rl.hold_s == pytest.approx(hold)


def test_the_daily_budget_stops_requests_before_they_are_sent() -> None:
    clock = FakeClock()
    rl = limiter((100, 10.0), clock)
    rl.sending(rl.acquire())
    rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": "3"})  # the first answer says 3 left
    for _ in range(3):
        rl.sending(rl.acquire())  # counted off as they are booked
    assert rl.daily_left == 0
    with pytest.raises(RateLimitError) as info:
        rl.acquire()
    assert info.value.is_daily and info.value.stops_run and not info.value.may_have_applied
    rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": "2"})  # HubSpot counted one of three
    assert rl.daily_left == 0  # the two still out there are not free
    rl.unanswered()
    rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": "500"})  # a new day
    assert rl.daily_left == 500


def test_an_answer_overtaken_by_a_later_one_never_raises_the_days_budget() -> None:
    """Three requests out at once: HubSpot counts them in the order they arrive, and their
    answers come back in another order.  The one that left the server first says more is left
    than is; the day's budget keeps the lower figure (a dry run reported one request too many)."""
    clock = FakeClock()
    rl = limiter((100, 10.0), clock)
    for _ in range(3):
        rl.sending(rl.acquire())
    for said in ("17", "19", "18"):  # counted as 19, 18, 17 left; answered last-counted first
        rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": said})
    assert rl.daily_left == 17
    rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": "18"})  # stale again, nothing out
    assert rl.daily_left == 17
    rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": "500000"})  # the day turned over
    assert rl.daily_left == 500000


def test_the_budget_is_learned_from_the_headers_unless_fixed() -> None:
    clock = FakeClock()
    learned = RateLimiter(clock=clock, wait=clock.wait)
    assert not learned.known
    learned.observe(
        {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    )
    assert learned.known and learned.budget == (100, 10.0)
    fixed = limiter((5, 1.0), clock)
    fixed.observe(
        {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    )
    assert fixed.budget == (5, 1.0)


def test_another_apps_usage_is_booked() -> None:
    clock = FakeClock()
    rl = limiter((10, 1.0), clock)
    rl.observe({"X-HubSpot-RateLimit-Remaining": "2"})  # someone else used most of the window
    started = clock.now
    for _ in range(3):
        rl.sending(rl.acquire())
    assert clock.now - started >= 1.0  # the third had to wait for the window to roll


def test_a_budget_that_cannot_work_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        RateLimiter((0, 1.0))
    with pytest.raises(ConfigurationError):
        RateLimiter((10, 0.0))
