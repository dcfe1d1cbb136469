"""One rate limiter shared by every worker of a run: a rolling window of requests.

HubSpot counts requests per app in a rolling window (``X-HubSpot-RateLimit-Max`` requests per
``X-HubSpot-RateLimit-Interval-Milliseconds``).  :class:`RateLimiter` keeps the send times of the
requests of the current window and makes a caller wait while the window is full, so a run uses
the whole budget without tripping 429s.  The budget is learned from response headers unless an
override is given, and it keeps a small safety margin: a few requests below the maximum, and a
slot is held a little longer than the window (requests reach the server a moment after they
leave).  ``X-HubSpot-RateLimit-Remaining`` is watched too: when HubSpot reports fewer requests
left than the limiter believes (another app shares the budget), the difference is booked.
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

#: Share of the window's budget left unused, so clock skew and jitter never trip a 429.
COUNT_MARGIN = 0.05
#: Extra time a slot is held past the window, as a share of the window (at least 20 ms).
TIME_MARGIN = 0.02
MIN_TIME_MARGIN_S = 0.02


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


class RateLimiter:
    """Thread-safe rolling-window limiter; :meth:`acquire` blocks until a request may go."""

    def __init__(
        self,
        rate_limit: tuple[int, float] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fixed = rate_limit is not None
        max_requests, window_s = rate_limit or DEFAULT_RATE_LIMIT
        if max_requests < 1 or window_s <= 0:
            raise ValueError("rate_limit must be (max_requests >= 1, window_s > 0)")
        self._max = int(max_requests)
        self._window = float(window_s)
        self._learned = self._fixed
        self._sent: deque[float] = deque()
        self._cond = threading.Condition()
        self._clock = clock

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
        return max(1, self._max - max(1, math.ceil(self._max * COUNT_MARGIN)))

    @property
    def hold_s(self) -> float:
        """How long a request occupies its slot."""
        return self._window + max(MIN_TIME_MARGIN_S, self._window * TIME_MARGIN)

    @property
    def rate_per_s(self) -> float:
        return self.effective_max / self.hold_s

    # --- use ----------------------------------------------------------------------------------

    def acquire(self) -> None:
        """Wait until the window has room, then book one request now."""
        with self._cond:
            while True:
                now = self._clock()
                self._expire(now)
                if len(self._sent) < self.effective_max:
                    self._sent.append(now)
                    return
                wait = self._sent[0] + self.hold_s - now
                self._cond.wait(timeout=max(wait, 0.001))

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the budget from a response's headers and book usage HubSpot reports."""
        max_requests = _header_int(headers, RATE_LIMIT_MAX_HEADER)
        interval_ms = _header_int(headers, RATE_LIMIT_INTERVAL_HEADER)
        remaining = _header_int(headers, RATE_LIMIT_REMAINING_HEADER)
        with self._cond:
            if not self._fixed and max_requests and interval_ms and max_requests > 0:
                self._max, self._window = max_requests, interval_ms / 1000.0
                self._learned = True
            if remaining is not None:
                self._book_foreign_usage(remaining)
            self._cond.notify_all()

    def _book_foreign_usage(self, remaining: int) -> None:
        now = self._clock()
        self._expire(now)
        available = self.effective_max - len(self._sent)
        # Our own requests are all counted already, so a lower figure means someone else
        # (another app on the account) used part of the window: book the difference.
        for _ in range(max(0, available - max(0, remaining))):
            self._sent.append(now)

    def _expire(self, now: float) -> None:
        hold = self.hold_s
        while self._sent and self._sent[0] + hold <= now:
            self._sent.popleft()
