"""One rate limiter shared by every worker of a run: a rolling window of requests.

HubSpot counts requests per app in a rolling window (``X-HubSpot-RateLimit-Max`` requests per
``X-HubSpot-RateLimit-Interval-Milliseconds``).  :class:`RateLimiter` keeps the send times of the
requests of the current window and makes a caller wait while the window is full, so a run uses
the whole budget without tripping 429s.  The budget is learned from response headers unless an
override is given.  Safety margins: a slot is held a little longer than the window (requests
reach the server a moment after they leave), large budgets keep a few requests in reserve, and
each 429 that HubSpot sends with an exhausted window widens the time margins.  Requests are paced
evenly, so they reach HubSpot as a steady stream rather than in bursts whose arrival times
jitter.  ``X-HubSpot-RateLimit-Remaining`` is watched too:
when HubSpot reports fewer requests left than the limiter believes (another app shares the
budget), the difference is booked.

A request counts from the moment it goes on the wire, not from the moment the limiter let it
go: :meth:`RateLimiter.acquire` returns a :class:`Slot`, and the client calls
:meth:`RateLimiter.sending` with it right before the request's first byte is written.  Between
the two a thread may wait for the GIL behind planning or other workers' response handling, or
open a connection (a TLS handshake); counted from the earlier moment, such a request would
leave the limiter's window while it is still in HubSpot's, and the next one would be refused.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from hubframe.constants import (
    DEFAULT_RATE_LIMIT,
    RATE_LIMIT_INTERVAL_HEADER,
    RATE_LIMIT_MAX_HEADER,
    RATE_LIMIT_REMAINING_HEADER,
)
from hubframe.errors import ConfigurationError

#: Share of the window's budget left unused (rounded down: none below 34 requests a window).
COUNT_MARGIN = 0.03
#: Extra time a slot is held past the window, as a share of the window (at least 30 ms).
TIME_MARGIN = 0.03
MIN_TIME_MARGIN_S = 0.03
#: Requests are paced over a slightly longer period than the window, so that the window is a
#: backstop and a late wake-up never delays the requests after it.
PACE_MARGIN = 0.04
MIN_PACE_MARGIN_S = 0.04
#: Tokens a paced sender may save up: after a late request the next may follow after half a
#: period, never back to back (pairs of requests close together jitter into 429s).
PACE_CATCH_UP = 1.5
#: Added to both time margins (as a share of the window) each time HubSpot refuses a request
#: the limiter thought its window had room for; never more than ADAPTIVE_CAP in all, and
#: fading by ADAPTIVE_DECAY per window while no request is refused.
ADAPTIVE_STEP = 0.01
ADAPTIVE_CAP = 0.10
ADAPTIVE_DECAY = 0.002


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _wait(condition: threading.Condition, seconds: float) -> None:
    condition.wait(timeout=seconds)


class Slot:
    """One request booked in the window: the moment it counts as sent."""

    __slots__ = ("at", "booked")

    def __init__(self, at: float) -> None:
        self.at = at
        self.booked = True  # in the window (False once expired)

    def __repr__(self) -> str:
        return f"Slot(at={self.at:.3f})"


class RateLimiter:
    """Thread-safe rolling-window limiter; :meth:`acquire` blocks until a request may go."""

    def __init__(
        self,
        rate_limit: tuple[int, float] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[threading.Condition, float], object] | None = None,
    ) -> None:
        """``clock`` and ``wait(condition, seconds)`` may be replaced together (tests use a clock
        that moves only when a caller waits: :class:`hubframe.testing.FakeClock`)."""
        self._fixed = rate_limit is not None
        max_requests, window_s = rate_limit or DEFAULT_RATE_LIMIT
        if max_requests < 1 or window_s <= 0:
            raise ConfigurationError("rate_limit must be (max_requests >= 1, window_s > 0)")
        self._max = int(max_requests)
        self._window = float(window_s)
        self._learned = self._fixed
        self._adaptive = 0.0  # share of the window added to the time margins (at _throttled_at)
        self._throttled_at = 0.0
        self._sent: deque[Slot] = deque()
        self._cond = threading.Condition()
        self._clock = clock
        self._wait = wait or _wait
        # Pacing: requests are spread evenly from the start.  (A full window at once would not
        # finish a run sooner: the next window would have to wait for it.)
        self._tokens = 1.0
        self._refilled = clock()

    # --- what the limiter knows -------------------------------------------------------------

    @property
    def known(self) -> bool:
        """True once the budget is known (given, or learned from a response)."""
        return self._learned

    @property
    def budget(self) -> tuple[int, float]:
        """(max requests, window seconds) currently applied, before the safety margin."""
        return self._max, self._window

    @property
    def effective_max(self) -> int:
        """Requests booked per window: the budget less the fixed reserve."""
        return max(1, self._max - math.floor(self._max * COUNT_MARGIN))

    @property
    def hold_s(self) -> float:
        """How long a request occupies its slot."""
        margin = max(MIN_TIME_MARGIN_S, self._window * TIME_MARGIN)
        return self._window * (1 + self._extra()) + margin

    @property
    def rate_per_s(self) -> float:
        """The steady pace: requests per second."""
        margin = max(MIN_PACE_MARGIN_S, self._window * PACE_MARGIN)
        period = self._window * (1 + self._extra()) + margin
        return self.effective_max / period

    # --- use ----------------------------------------------------------------------------------

    def _extra(self) -> float:
        """The learned time margin now: it fades again while HubSpot stops refusing."""
        if not self._adaptive:
            return 0.0
        windows = (self._clock() - self._throttled_at) / self._window
        return max(0.0, self._adaptive - ADAPTIVE_DECAY * windows)

    @property
    def burst(self) -> float:
        """Pacing credit a late request may catch up on: half a period, never a burst."""
        return PACE_CATCH_UP

    def acquire(self) -> Slot:
        """Wait until the window has room and the pace allows, then book one request now.

        The returned slot counts from now; :meth:`sending` moves it to the moment the request
        really leaves.
        """
        with self._cond:
            while True:
                now = self._clock()
                self._expire(now)
                self._refill(now)
                window_wait = 0.0
                if len(self._sent) >= self.effective_max:
                    window_wait = self._sent[0].at + self.hold_s - now
                pace_wait = (1.0 - self._tokens) / self.rate_per_s if self._tokens < 1.0 else 0.0
                if window_wait <= 0 and pace_wait <= 0:
                    self._tokens -= 1.0
                    slot = Slot(now)
                    self._sent.append(slot)
                    return slot
                self._wait(self._cond, max(window_wait, pace_wait, 0.001))

    def sending(self, slot: Slot) -> None:
        """The request of ``slot`` is being written now: it occupies the window from now on.

        Slots only move later, so the window may hold them out of order; the oldest-first
        expiry then keeps a slot a little longer than needed, never shorter.
        """
        with self._cond:
            slot.at = max(slot.at, self._clock())
            if not slot.booked:  # it waited longer than the window: book it again
                slot.booked = True
                self._sent.append(slot)

    def _refill(self, now: float) -> None:
        if self._tokens < self.burst:
            gained = (now - self._refilled) * self.rate_per_s
            self._tokens = min(self.burst, self._tokens + gained)
        self._refilled = now

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the budget from a response's headers and book usage HubSpot reports."""
        max_requests = _header_int(headers, RATE_LIMIT_MAX_HEADER)
        interval_ms = _header_int(headers, RATE_LIMIT_INTERVAL_HEADER)
        remaining = _header_int(headers, RATE_LIMIT_REMAINING_HEADER)
        with self._cond:
            if not self._fixed and max_requests and interval_ms and max_requests > 0:
                if (max_requests, interval_ms / 1000.0) != (self._max, self._window):
                    self._max, self._window = max_requests, interval_ms / 1000.0
                    self._tokens = min(self._tokens, 1.0)
                self._learned = True
            if remaining is not None:
                self._book_foreign_usage(remaining)
            self._cond.notify_all()

    def throttled(self, headers: Mapping[str, str]) -> None:
        """HubSpot answered 429 (not DAILY): widen the margins if its window really was full."""
        remaining = _header_int(headers, RATE_LIMIT_REMAINING_HEADER)
        with self._cond:
            if remaining is None or remaining <= 0:
                self._adaptive = min(ADAPTIVE_CAP, self._extra() + ADAPTIVE_STEP)
                self._throttled_at = self._clock()
                self._book_foreign_usage(0)
            self._cond.notify_all()

    def _book_foreign_usage(self, remaining: int) -> None:
        now = self._clock()
        self._expire(now)
        available = self.effective_max - len(self._sent)
        # Our own requests are all counted already, so a lower figure means someone else
        # (another app on the account) used part of the window: book the difference.
        for _ in range(max(0, available - max(0, remaining))):
            self._sent.append(Slot(now))

    def _expire(self, now: float) -> None:
        hold = self.hold_s
        while self._sent and self._sent[0].at + hold <= now:
            self._sent.popleft().booked = False
