"""A lower limit than the rate-limit headers describe: HubSpot's association endpoints.

HubSpot's association API has a burst limit of its own (150 requests per 10 s on Professional)
below the app's (190), and the ``X-HubSpot-RateLimit-*`` headers describe the app's window.  The
limiter learned 190 from them and went on sending at that pace: HubSpot refused about one
request in five (429 with ``Remaining`` above 0, which the limiter took for someone else's
problem).  A 429 the headers do not explain now sets a ceiling below what the limiter's window
held, raised again slowly while no request is refused.  The sandbox models the second window
(``association_rate_limit``).
"""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest
from fuzzseeds import seeds
from limiter_sim import Portal, Simulation

import hubframe as hf
from hubframe.hubspot.ratelimit import (
    ADAPTIVE_STEP,
    CEILING_CUT,
    CEILING_FLOOR,
    CEILING_RISE,
    MIN_TIME_MARGIN_S,
    TIME_MARGIN,
    RateLimiter,
    Slot,
)
from hubframe.sandbox import Sandbox
from hubframe.testing import FakeClock, demo_ids


def _counted(counted: int, budget: int) -> dict[str, str]:
    """A 429's headers: HubSpot had counted ``counted`` of the headers' ``budget``."""
    return {
        "X-HubSpot-RateLimit-Max": str(budget),
        "X-HubSpot-RateLimit-Remaining": str(budget - counted),
        "X-HubSpot-RateLimit-Interval-Milliseconds": "1000",
    }


def _limiter(budget: tuple[int, float], clock: FakeClock) -> RateLimiter:
    return RateLimiter(budget, clock=clock, wait=clock.wait)


def _fill(rl: RateLimiter, n: int) -> list[Slot]:
    slots = []
    for _ in range(n):
        slot = rl.acquire()
        rl.sending(slot)
        slots.append(slot)
    return slots


def test_a_429_the_headers_do_not_explain_sets_a_ceiling_below_what_hubspot_counted() -> None:
    clock = FakeClock()
    rl = _limiter((20, 1.0), clock)
    _fill(rl, 20)
    rl.throttled(_counted(16, 20))
    assert rl.effective_max == int(16 * CEILING_CUT)
    rl.throttled(_counted(16, 20))  # the requests already out when the first came: no more cut
    assert rl.effective_max == int(16 * CEILING_CUT)


def test_the_ceiling_is_hubspots_count_not_the_limiters_window() -> None:
    """The limiter's window holds requests HubSpot refused (it does not count them), and
    requests reach HubSpot in another order than they left (the refused one may have left
    first): what HubSpot counted is what its headers say.  Before, the window's count before
    the refused request set the ceiling: 18 of 19 sent (a ceiling of 16, above the limit of 15:
    the next window refused again), or 4 when the refused request had left fifth (no ceiling at
    all: every window refused again)."""
    clock = FakeClock()
    rl = _limiter((19, 1.0), clock)
    _fill(rl, 19)
    rl.throttled(_counted(15, 19))
    assert rl.effective_max == int(15 * CEILING_CUT)


def test_the_ceiling_reads_the_headers_budget_or_the_limiters() -> None:
    """``Remaining`` counts down from the headers' budget; without a budget the limiter could
    learn from them (none, not a number, absurd), from the limiter's own."""
    clock = FakeClock()
    rl = _limiter((100, 1.0), clock)
    _fill(rl, 97)
    rl.throttled({"X-HubSpot-RateLimit-Max": "80", "X-HubSpot-RateLimit-Remaining": "10"})
    assert rl.effective_max == int(70 * CEILING_CUT)
    for said in ({}, {"X-HubSpot-RateLimit-Max": "x"}, {"X-HubSpot-RateLimit-Max": "10" * 20}):
        clock = FakeClock()
        rl = _limiter((100, 1.0), clock)
        _fill(rl, 97)
        rl.throttled({**said, "X-HubSpot-RateLimit-Remaining": "30"})
        assert rl.effective_max == int(70 * CEILING_CUT), said


def test_a_refusal_at_a_low_count_is_no_volume_limit() -> None:
    """A 429 with room after HubSpot counted fewer than half the budget (a throttle of
    HubSpot's own, a fault): no ceiling, and the window is not taken for full -- the next
    request goes now."""
    clock = FakeClock()
    rl = _limiter((100, 1.0), clock)
    _fill(rl, 90)
    rl.throttled(_counted(49, 100))
    assert rl.effective_max == 97
    started = clock.now
    _fill(rl, 7)
    assert clock.now == started


def test_the_ceiling_never_goes_below_half_the_budget() -> None:
    clock = FakeClock()
    rl = _limiter((100, 1.0), clock)
    _fill(rl, 52)
    rl.throttled(_counted(52, 100))
    assert rl.effective_max == int(100 * CEILING_FLOOR)


@pytest.mark.parametrize("said", [{"X-HubSpot-RateLimit-Remaining": "0"}, {}])
def test_a_429_of_a_full_window_sets_no_ceiling(said: dict[str, str]) -> None:
    clock = FakeClock()
    rl = _limiter((20, 1.0), clock)
    _fill(rl, 20)
    rl.throttled(said)
    assert rl.effective_max == 20


def test_the_ceiling_holds_the_window_and_rises_back_one_request_a_window() -> None:
    clock = FakeClock()
    rl = _limiter((20, 1.0), clock)
    slots = _fill(rl, 20)
    rl.throttled(_counted(19, 20))
    cut_at, ceiling = clock.now, rl.effective_max
    after = _fill(rl, 1)  # waits until the window holds fewer than the ceiling
    assert after[0].at >= slots[0].at + rl.hold_s - 1e-9
    per_request = 1.0 / (20 * CEILING_RISE)  # windows for the ceiling to rise by one
    clock.now = cut_at + per_request * 2 + 1e-6
    assert rl.effective_max == ceiling + 2
    clock.advance(per_request * 100)
    assert rl.effective_max == 20  # never above the headers' budget


def test_a_later_429_cuts_again_from_the_risen_ceiling() -> None:
    clock = FakeClock()
    rl = _limiter((100, 1.0), clock)
    _fill(rl, 97)
    rl.throttled(_counted(96, 100))
    assert rl.effective_max == int(96 * CEILING_CUT)  # 86
    clock.advance(4 / (100 * CEILING_RISE))  # windows to rise by 4
    assert rl.effective_max == 90
    _fill(rl, 90)
    rl.throttled(_counted(95, 100))
    assert rl.effective_max == int(90 * CEILING_CUT)


def test_the_sandbox_refuses_association_requests_past_their_own_window() -> None:
    """Headers describe the app's window; the association API's lower one refuses with 429."""
    with Sandbox(seed="demo", rate_limit=(50, 10.0), association_rate_limit=(3, 10.0)) as sb:
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url, max_retries=0)
        deal = str(demo_ids("deals")[0])
        for _ in range(3):
            client.read_associations("deals", "contacts", [deal])
        with pytest.raises(hf.RateLimitError):
            client.read_associations("deals", "contacts", [deal])
        log = sb.request_log()
        assert list(log["status"]) == [200, 200, 200, 429]
        client.batch_read_records("deals", [deal])  # the records API is under the app's window only
        assert sb.request_log()["status"].iloc[-1] == 200


def _bursts(started: pd.Series, gap_s: float = 0.25) -> int:
    """How many bursts the times make: runs of refusals less than ``gap_s`` apart."""
    ordered = started.sort_values()
    return int((ordered.diff().fillna(gap_s + 1) > gap_s).sum())


def test_a_run_under_a_lower_association_limit_is_rarely_refused() -> None:
    """120 requests under an association limit of 15 / s while the headers say 19: the first
    window's excess is refused (4 requests), then the ceiling keeps the run under the limit.
    Before: about 18 % answered 429, every window.  Once, on a loaded machine, 17 of 137: the
    ceiling was cut from the limiter's window, where the refused request had left before most of
    those HubSpot counted ahead of it (threads scheduled late), so no ceiling was set and every
    window refused again; HubSpot's own count (its headers) is now what the ceiling is cut from.
    And once, on a loaded CI machine, 15 of 135: the sandbox shares this process, and a stall of
    the process longer than the limiter's time margin (30 ms of a 1 s window) had HubSpot count
    requests later than they left, so a window after each stall was refused again.  A refusal
    that shows it (HubSpot counts more than the limiter's window holds) now widens the margin and
    has each answered request count from its answer (less the fastest round trip), so a run's
    later refusals come in one burst at most: those out when the first stall ended.  The first
    window's refusals are not bounded here: they are the requests out before the first answer
    beyond a limit no header announces (4 on an idle machine; more when a stall holds the first
    answers back)."""
    deals, contacts = demo_ids("deals")[:60], demo_ids("contacts")[:4]
    pairs = pd.DataFrame(
        {"Deal ID": [d for d in deals for _ in range(4)], "Contact ID": list(contacts) * 60}
    )
    with Sandbox(seed="demo", rate_limit=(19, 1.0), association_rate_limit=(15, 1.0)) as sb:
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        result = hf.associate(hf.read_pairs(pairs), client, batch_size=2, progress=False)
        log = sb.request_log()
    assert (result["status"] == "success").all()
    writes = log[log["path"].str.contains("/batch/")]
    refused = writes[writes["status"] == 429]["started"]
    later = refused[refused >= writes["started"].min() + 1.0]
    assert len(writes) >= 120
    assert _bursts(later) <= 1, f"refused after the first window: {list(later)}"


def test_seeded_runs_under_a_lower_limit_are_refused_in_their_first_window_only() -> None:
    """Simulated runs (no real time): HubSpot's app window of 10-200 requests per 1, 2 or
    10 s, an association window 55-95 % of it, 4-32 requests in flight, 0.05-1.5 s answers,
    requests reaching HubSpot out of order (jitter under the limiter's time margin), 2-12
    windows of work.  Only the first window's excess is refused, give or take a few as the
    ceiling rises back to the limit, and the run keeps near the fastest schedule.  Before (the
    ceiling cut from the limiter's window): up to 112 refusals after the first window in 300
    seeds, a request in five."""
    failures = []
    for seed in seeds(300):
        sim = Simulation(seed)
        out = sim.run()
        portal = sim.portal
        slack = portal.window_s + 2 * portal.latency_s
        if out.refused_late > max(3, portal.requests // 100):
            failures.append((seed, "refused", out.refused_late, portal))
        if out.took_s > 1.6 * portal.floor_s + slack:
            failures.append((seed, "slow", round(out.took_s / portal.floor_s, 2), portal))
    assert not failures, failures[:5]


def test_seeded_runs_through_stalls_are_refused_in_two_bursts_at_most() -> None:
    """The simulated runs above, with HubSpot (or the machine between) stalling for 3-10 times
    the limiter's time margin every 2-4 windows: what arrives meanwhile is counted when the
    stall ends, later than it left.  The first stall's release may be refused (the requests out
    then), but the refusal shows the lag, and from then on each request counts from its answer:
    after the first window a run's refusals come in two bursts at most (that release, and the
    ceiling's rise back to the limit meeting it), of a pool of requests in flight each.  Before,
    each stall could bring a window of refusals: 32 of 2,000 seeds had more bursts or more
    refusals (up to 5 bursts, 65 refusals), none now."""
    failures = []
    for seed in seeds(300):
        rng = random.Random(seed * 7 + 3)
        portal = Portal.draw(seed)
        margin = max(MIN_TIME_MARGIN_S, portal.window_s * TIME_MARGIN)
        stalls = (rng.uniform(2, 4) * portal.window_s, rng.uniform(3, 10) * margin)
        out = Simulation(seed, stalls=stalls).run()
        at = sorted(out.late_at)
        gaps = zip([-math.inf, *at], at, strict=False)
        bursts = sum(1 for a, b in gaps if b - a > portal.window_s / 2)
        if bursts > 2 or out.refused_late > 2 * portal.in_flight:
            failures.append((seed, bursts, out.refused_late, portal))
        if out.took_s > 2 * portal.floor_s + portal.window_s + 2 * portal.latency_s:
            failures.append((seed, "slow", round(out.took_s / portal.floor_s, 2), portal))
    assert not failures, failures[:5]


def test_a_refusal_that_shows_hubspot_counting_late_widens_the_margin_and_books_its_count() -> None:
    """HubSpot counted 15 requests in its window when the limiter's held 5 (the others had left
    it): they reached HubSpot later than they left.  The time margin widens and the window is
    booked up to what HubSpot counted (under the ceiling the refusal also set)."""
    clock = FakeClock()
    rl = _limiter((20, 1.0), clock)
    _fill(rl, 12)
    clock.advance(rl.hold_s + 0.01)
    _fill(rl, 5)
    hold = rl.hold_s
    rl.throttled(_counted(15, 20))
    assert rl.effective_max == int(15 * CEILING_CUT)  # 13
    assert rl.hold_s == pytest.approx(hold + ADAPTIVE_STEP)
    started = clock.now
    _fill(rl, 1)  # 13 booked: the next waits for room
    assert clock.now >= started + rl.hold_s - ADAPTIVE_STEP - 1e-9


def test_a_refusal_hubspot_counted_no_more_than_the_window_holds_widens_nothing() -> None:
    clock = FakeClock()
    rl = _limiter((20, 1.0), clock)
    _fill(rl, 19)
    hold = rl.hold_s
    rl.throttled(_counted(15, 20))
    assert rl.hold_s == hold


def test_after_a_refusal_an_answered_request_counts_from_its_answer_less_the_fastest_trip() -> None:
    clock = FakeClock()
    rl = _limiter((20, 1.0), clock)
    fast, slow = _fill(rl, 2)
    left = slow.at
    clock.advance(0.05)
    rl.observe({}, fast)  # the fastest round trip: 0.05 s
    clock.advance(0.45)
    rl.observe({}, slow)  # no refusal yet: it counts from when it left
    assert slow.at == left
    rl.throttled({"X-HubSpot-RateLimit-Remaining": "0"})
    (late,) = _fill(rl, 1)
    sent = late.at
    clock.advance(0.5)
    rl.observe({}, late)
    assert late.at == pytest.approx(sent + 0.45)
    (lost,) = _fill(rl, 1)  # answered after it left the window: booked again
    clock.advance(rl.hold_s + 0.5)
    rl.observe({}, lost)
    assert lost.booked and lost.at == pytest.approx(clock.now - 0.05)
