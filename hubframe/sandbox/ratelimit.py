"""The sandbox's request budget: a rolling window and a daily quota, plus their headers."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from hubframe.constants import (
    DEFAULT_RATE_LIMIT,
    RATE_LIMIT_DAILY_HEADER,
    RATE_LIMIT_DAILY_REMAINING_HEADER,
    RATE_LIMIT_INTERVAL_HEADER,
    RATE_LIMIT_MAX_HEADER,
    RATE_LIMIT_REMAINING_HEADER,
)

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
DAILY = "DAILY"


@dataclass
class RateLimiter:
    """Rolling window over accepted requests; 429s consume no budget.

    ``enforce=False`` (no ``rate_limit`` given) still reports the default budget in the
    headers but never refuses.  ``association_limit`` (requests, seconds): a second, lower
    window for the association API's requests (HubSpot's association endpoints have their own
    burst limit, 150 / 10 s on Professional, below the app's 190), which refuses them with the
    same 429 while the headers go on describing the app's window alone.  Not thread-safe: the
    caller holds the server's gate lock.
    """

    max_requests: int = DEFAULT_RATE_LIMIT[0]
    window_s: float = DEFAULT_RATE_LIMIT[1]
    daily_limit: int | None = None
    enforce: bool = False
    clock: object = field(default=time.monotonic, repr=False)
    association_limit: tuple[int, float] | None = None
    _accepted: deque[float] = field(default_factory=deque, repr=False)
    _associations: deque[float] = field(default_factory=deque, repr=False)
    _daily_used: int = 0

    def _now(self) -> float:
        return self.clock()  # type: ignore[operator,no-any-return]

    def _trim(self, now: float) -> None:
        edge = now - self.window_s
        while self._accepted and self._accepted[0] <= edge:
            self._accepted.popleft()

    def admit(self, *, association: bool = False) -> str | None:
        """Count the request and return None, or the policy name that refuses it
        (``association``: a request of the association API, under ``association_limit`` too)."""
        now = self._now()
        self._trim(now)
        if self.daily_limit is not None and self._daily_used >= self.daily_limit:
            return DAILY
        if self.enforce and len(self._accepted) >= self.max_requests:
            return TEN_SECONDLY
        if association and self._associations_full(now):
            return TEN_SECONDLY
        self._accepted.append(now)
        if association and self.association_limit is not None:
            self._associations.append(now)
        self._daily_used += 1
        return None

    def _associations_full(self, now: float) -> bool:
        if self.association_limit is None:
            return False
        most, window = self.association_limit
        while self._associations and self._associations[0] <= now - window:
            self._associations.popleft()
        return len(self._associations) >= most

    def new_day(self) -> None:
        """The day turns over: no request of the new day is counted yet."""
        self._daily_used = 0

    def headers(self) -> dict[str, str]:
        """The X-HubSpot-RateLimit-* headers as they stand now."""
        self._trim(self._now())
        remaining = max(0, self.max_requests - len(self._accepted))
        out = {
            RATE_LIMIT_MAX_HEADER: str(self.max_requests),
            RATE_LIMIT_REMAINING_HEADER: str(remaining),
            RATE_LIMIT_INTERVAL_HEADER: str(round(self.window_s * 1000)),
        }
        if self.daily_limit is not None:
            out[RATE_LIMIT_DAILY_HEADER] = str(self.daily_limit)
            out[RATE_LIMIT_DAILY_REMAINING_HEADER] = str(
                max(0, self.daily_limit - self._daily_used)
            )
        return out
