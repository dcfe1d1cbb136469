"""A run of requests through :class:`RateLimiter` against a simulated HubSpot, in no real time.

HubSpot is modelled with its two rolling windows: the app's (``max_requests`` per window, which
the ``X-HubSpot-RateLimit-*`` headers describe) and the association API's lower one (which they
do not).  Requests reach HubSpot ``0..jitter`` seconds after they leave (so in another order
than they left) and are answered ``latency`` seconds later; at most ``in_flight`` are out at
once, and a refused request is sent again.  One thread: the limiter's ``wait`` hands the time
over to the simulation, which delivers what arrives and what is answered meanwhile (the
limiter's condition is re-entrant), as the client's workers would.

``stalls=(every_s, length_s)``: HubSpot (or the machine between) stops taking requests for
``length_s`` every ``every_s`` seconds; what arrives meanwhile is counted when the stall ends,
all at once, as a paused process or a congested link delivers it.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections import deque
from dataclasses import dataclass, field

from hubframe.hubspot.ratelimit import RateLimiter, Slot
from hubframe.testing import FakeClock


@dataclass(frozen=True)
class Portal:
    """A drawn setting: HubSpot's windows, the network, the client's pool, the job."""

    window_s: float
    max_requests: int
    association_max: int
    latency_s: float
    jitter_s: float
    in_flight: int
    requests: int

    @classmethod
    def draw(cls, seed: int) -> Portal:
        """Jitter below the limiter's time margin: sends in one of its windows then reach
        HubSpot within one of HubSpot's."""
        rng = random.Random(seed)
        window = rng.choice([1.0, 2.0, 10.0])
        most = rng.randint(10, 200)
        lower = max(2, int(most * rng.uniform(0.55, 0.95)))
        margin = max(0.03, 0.03 * window)
        return cls(
            window_s=window,
            max_requests=most,
            association_max=lower,
            latency_s=rng.uniform(0.05, 1.5),
            jitter_s=rng.uniform(0.0, 0.9 * margin),
            in_flight=rng.choice([4, 8, 32]),
            requests=int(lower * rng.uniform(2, 12)),
        )

    @property
    def floor_s(self) -> float:
        """No schedule is faster: the association window's pace, or the pool's."""
        by_window = self.requests / self.association_max * self.window_s
        return max(by_window, self.requests * self.latency_s / self.in_flight)


@dataclass
class Outcome:
    took_s: float = 0.0
    done: int = 0
    refused: int = 0
    refused_late: int = 0  # refusals answered after the first window (and a round trip)
    late_at: list[float] = field(default_factory=list)  # when those were answered
    first_answer: float | None = None


@dataclass
class _Hubspot:
    portal: Portal
    app: deque[float] = field(default_factory=deque)
    associations: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> tuple[bool, dict[str, str]]:
        edge = now - self.portal.window_s
        for window in (self.app, self.associations):
            while window and window[0] <= edge:
                window.popleft()
        most = self.portal.max_requests
        ok = len(self.app) < most and len(self.associations) < self.portal.association_max
        if ok:
            self.app.append(now)
            self.associations.append(now)
        return ok, {
            "X-HubSpot-RateLimit-Max": str(most),
            "X-HubSpot-RateLimit-Remaining": str(most - len(self.app)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(round(self.portal.window_s * 1000)),
        }


class Simulation:
    """One seeded run; :meth:`run` returns what happened."""

    def __init__(self, seed: int, stalls: tuple[float, float] | None = None) -> None:
        self.portal = Portal.draw(seed)
        self._stalls = stalls
        self._rng = random.Random(seed + 1)
        self._clock = FakeClock(0.0)
        self._events: list[tuple[float, int, str, object]] = []
        self._order = itertools.count()
        self._hubspot = _Hubspot(self.portal)
        self._queued = self.portal.requests
        self._out = 0
        self.outcome = Outcome()
        self.limiter = RateLimiter(clock=self._clock, wait=self._wait)

    def run(self) -> Outcome:
        deadline = 100 * self.portal.floor_s + 100 * self.portal.window_s
        while self.outcome.done < self.portal.requests:
            assert self._clock.now < deadline, f"stalled: {self.outcome} {self.portal}"
            if self._queued and self._out < self.portal.in_flight:
                self._send()
            else:
                self._deliver(self._events[0][0])
        self.outcome.took_s = self._clock.now
        return self.outcome

    def _send(self) -> None:
        slot = self.limiter.acquire()
        self.limiter.sending(slot)
        self._queued -= 1
        self._out += 1
        arrives = self._clock.now + self._rng.uniform(0.0, self.portal.jitter_s)
        self._push(self._after_stall(arrives), "arrive", slot)

    def _after_stall(self, at: float) -> float:
        """When a request arriving at ``at`` is counted: at the end of a stall it falls in."""
        if self._stalls is None:
            return at
        every, length = self._stalls
        into = at % every
        return at - into + every if into >= every - length else at

    def _push(self, at: float, kind: str, payload: object) -> None:
        heapq.heappush(self._events, (at, next(self._order), kind, payload))

    def _wait(self, _condition: threading.Condition, seconds: float) -> None:
        target = self._clock.now + seconds
        self._deliver(min(target, self._events[0][0]) if self._events else target)

    def _deliver(self, until: float) -> None:
        while self._events and self._events[0][0] <= until:
            at, _, kind, payload = heapq.heappop(self._events)
            self._clock.now = max(self._clock.now, at)
            if kind == "arrive":
                answer = (*self._hubspot.admit(at), payload)
                self._push(at + self.portal.latency_s, "answer", answer)
            else:
                self._answered(at, payload)  # type: ignore[arg-type]
        self._clock.now = max(self._clock.now, until)

    def _answered(self, at: float, answer: tuple[bool, dict[str, str], Slot]) -> None:
        ok, headers, slot = answer
        out = self.outcome
        if out.first_answer is None:
            out.first_answer = at
        self.limiter.observe(headers, slot)
        self._out -= 1
        if ok:
            out.done += 1
            return
        out.refused += 1
        if at > out.first_answer + self.portal.window_s + self.portal.latency_s:
            out.refused_late += 1
            out.late_at.append(at)
        self.limiter.throttled(headers)
        self._queued += 1


__all__ = ["Outcome", "Portal", "Simulation"]
