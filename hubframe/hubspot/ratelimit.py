"""One rate limiter shared by every worker of a run: HubSpot's rolling window, and its day.

HubSpot counts requests per app in a rolling window (``X-HubSpot-RateLimit-Max`` requests per
``X-HubSpot-RateLimit-Interval-Milliseconds``: the "burst" limit).  :class:`RateLimiter` keeps
the send times of the requests of the current window and lets a request go as soon as the
window has room: a run that starts with an unused window may send the window's whole budget at
once (the worker pool bounds how many are in flight), and then one request each time an old one
leaves the window.  That is the fastest schedule the limit allows; pacing requests evenly from
the first one would make every run take at least a window's time.

Safety margins: a slot is held a little longer than the window (requests reach HubSpot a moment
after they leave, and that moment jitters), large budgets keep a few requests in reserve, and
each 429 widens the time margin (fading again while no request is refused) and fills the
limiter's window, so the budget is re-learned from the next answers instead of retried into a
storm. While that wider margin lasts, an answered request counts from its answer less the
fastest round trip seen (the latest moment HubSpot can have counted it), not from when it left:
a stall of the machine or the link makes HubSpot count requests later than they left, and the
window after each stall would be refused again. A 429 whose headers still show room in the
window means a lower limit applies than the headers describe (HubSpot's association endpoints
have their own burst limit, below the app's): the limiter then keeps under a ceiling below what
HubSpot counted, raised again slowly while no request is refused (:data:`CEILING_CUT`); when
HubSpot counted more than the limiter's window holds, the margin widens too and the difference
is booked. ``X-HubSpot-RateLimit-Remaining`` is watched too: when HubSpot reports fewer requests
left than the limiter believes (another app shares the budget), the difference is booked.

The daily budget: ``X-HubSpot-RateLimit-Daily-Remaining`` (when HubSpot sends it) is followed,
each request counted off as it is booked; :meth:`RateLimiter.acquire` refuses a request that
would go past it (a :class:`~hubframe.errors.RateLimitError` of the DAILY policy, before anything
is sent), so a run stops cleanly -- its unsent rows skipped, in the retry file -- instead of
collecting 429s.  That belief is HubSpot's word of one moment, and the day resets at midnight in
the portal's time zone, which the limiter does not know: a new job asks HubSpot again
(:meth:`RateLimiter.ask_again`, called as each job starts), and so does the first request
:data:`DAILY_ASK_AGAIN_S` after the answer that said the day was used up (a client used
directly, across midnight).  The request that asks goes out; HubSpot's answer decides (a 429 of
the DAILY policy, or a fresh figure).  Before, a client that had once reached the limit refused
every later request of every later run without sending it, the day long reset.

A request counts from the moment it goes on the wire, not from the moment the limiter let it
go: :meth:`RateLimiter.acquire` returns a :class:`Slot`, and the client calls
:meth:`RateLimiter.sending` with it right before the request's first byte is written.  Between
the two a thread may wait for the GIL behind other workers, or open a connection (a TLS
handshake); counted from the earlier moment, such a request would leave the limiter's window
while it is still in HubSpot's, and the next one would be refused.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from hubframe.argtypes import MAX_SECONDS, is_seconds, is_whole
from hubframe.constants import (
    DEFAULT_RATE_LIMIT,
    RATE_LIMIT_DAILY_REMAINING_HEADER,
    RATE_LIMIT_INTERVAL_HEADER,
    RATE_LIMIT_MAX_HEADER,
    RATE_LIMIT_REMAINING_HEADER,
)
from hubframe.errors import ConfigurationError, RateLimitError

#: Share of the window's budget left unused (rounded down: none below 34 requests a window).
COUNT_MARGIN = 0.03
#: Extra time a slot is held past the window, as a share of the window (at least 30 ms).
TIME_MARGIN = 0.03
MIN_TIME_MARGIN_S = 0.03
#: Added to the time margin (as a share of the window) each time HubSpot refuses a request the
#: limiter thought its window had room for; never more than ADAPTIVE_CAP in all, and fading by
#: ADAPTIVE_DECAY per window while no request is refused.
ADAPTIVE_STEP = 0.01
ADAPTIVE_CAP = 0.10
ADAPTIVE_DECAY = 0.002
#: A 429 while HubSpot's headers still show room, after HubSpot counted at least CEILING_FLOOR
#: of their budget in the window, means a lower limit than they describe applies to these
#: requests (HubSpot's association endpoints have their own burst limit, 150 per 10 s on
#: Professional against the app's 190): the limiter then books at most CEILING_CUT of what
#: HubSpot counted, never less than CEILING_FLOOR of the budget, and lets that ceiling rise by
#: CEILING_RISE of the budget a window (one request every few windows for small budgets) while
#: no refusal comes, back to the headers' budget.  A refusal at a lower count is no volume
#: limit (a throttle of HubSpot's own, a fault): it changes nothing.
CEILING_CUT = 0.9
CEILING_FLOOR = 0.5
CEILING_RISE = 0.01
#: The budgets an answer's headers may teach: HubSpot's are tens to hundreds of requests per
#: 1-10 s; figures outside these bounds (a broken proxy, another server) are not learned.
LEARNED_MAX_REQUESTS = 100_000
LEARNED_INTERVAL_MS = (10, 86_400_000)
#: How long the limiter believes the day used up without asking HubSpot again (seconds since
#: the answer that last told the day's figure): a request after that goes out and its answer
#: decides (at worst HubSpot refuses it with the day's 429).
DAILY_ASK_AGAIN_S = 600.0
#: How long a request waits, when the day looks used up, for the answers of the requests on
#: their way (the figure counts them as not yet counted by HubSpot): past it, it is refused.
DAILY_SETTLE_S = 30.0


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _plausible(max_requests: int | None, interval_ms: int | None) -> tuple[int, float] | None:
    """(requests, window in seconds) that an answer's headers may teach, else None (see
    :data:`LEARNED_MAX_REQUESTS`)."""
    if max_requests is None or interval_ms is None:
        return None
    low, high = LEARNED_INTERVAL_MS
    if 0 < max_requests <= LEARNED_MAX_REQUESTS and low <= interval_ms <= high:
        return max_requests, interval_ms / 1000.0
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


def _rate_limit(given: object) -> tuple[int, float]:
    """``rate_limit=``: (requests, seconds), a whole number of requests of at least 1 in a
    window above 0 seconds; anything else raised from deep inside at the first request."""
    if isinstance(given, tuple | list) and len(given) == 2:
        count, window = given
        if is_whole(count, minimum=1) and is_seconds(window):
            return int(count), float(window)
    raise ConfigurationError(
        f"rate_limit must be (max_requests >= 1, window_s above 0 and at most {MAX_SECONDS}), "
        f"such as (100, 10), not {given!r}"
    )


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
        max_requests, window_s = _rate_limit(rate_limit or DEFAULT_RATE_LIMIT)
        self._max = int(max_requests)
        self._window = float(window_s)
        self._learned = self._fixed
        self._adaptive = 0.0  # share of the window added to the time margin (at _throttled_at)
        self._throttled_at = 0.0
        self._sent: deque[Slot] = deque()
        self._cond = threading.Condition()
        self._clock = clock
        self._wait = wait or _wait
        self._daily_left: int | None = None  # requests left today, when HubSpot says
        self._daily_said: int | None = None  # the lowest figure HubSpot gave today
        self._daily_at = 0.0  # when an answer last told the day's figure
        self._booked = 0  # requests booked since the limiter was made (every attempt)
        self._in_flight = 0  # requests booked whose answer has not come back
        self._ceiling: int | None = None  # a lower budget 429s taught (see CEILING_CUT)
        self._ceiling_at = 0.0  # when it was taught
        self._fastest = math.inf  # the fastest round trip seen (seconds)

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
        """Requests booked per window: the budget less the fixed reserve, or the lower ceiling
        HubSpot's refusals taught (:data:`CEILING_CUT`)."""
        reserved = max(1, self._max - math.floor(self._max * COUNT_MARGIN))
        ceiling = self._risen_ceiling()
        return reserved if ceiling is None else min(reserved, ceiling)

    def _risen_ceiling(self) -> int | None:
        """The taught ceiling now: CEILING_RISE of the budget higher for each window since."""
        if self._ceiling is None:
            return None
        windows = (self._clock() - self._ceiling_at) / self._window
        return self._ceiling + int(windows * self._max * CEILING_RISE)

    @property
    def hold_s(self) -> float:
        """How long a request occupies its slot."""
        margin = max(MIN_TIME_MARGIN_S, self._window * TIME_MARGIN)
        return self._window * (1 + self._extra()) + margin

    @property
    def daily_left(self) -> int | None:
        """Requests left in HubSpot's daily budget, as far as the limiter knows (None: never
        told; HubSpot sends the daily headers to private apps)."""
        return self._daily_left

    @property
    def booked(self) -> int:
        """Requests booked since the limiter was made, every attempt counted (each may count
        against HubSpot's day): the difference of two readings is what was sent between."""
        return self._booked

    def _extra(self) -> float:
        """The learned time margin now: it fades again while HubSpot stops refusing."""
        if not self._adaptive:
            return 0.0
        windows = (self._clock() - self._throttled_at) / self._window
        return max(0.0, self._adaptive - ADAPTIVE_DECAY * windows)

    # --- use ----------------------------------------------------------------------------------

    def acquire(self) -> Slot:
        """Wait until the window has room, then book one request now.

        The returned slot counts from now; :meth:`sending` moves it to the moment the request
        really leaves.  Raises :class:`~hubframe.errors.RateLimitError` (DAILY) when the day's
        budget is used up: nothing should be sent.  While requests are on their way that
        budget is a guess on the safe side (HubSpot's last figure may count some of them
        already): the request waits for their answers, up to :data:`DAILY_SETTLE_S`, and their
        figure decides (before, several requests in flight made a run stop a request or two
        before the day's end, with a dry run's budget saying it had room).
        """
        with self._cond:
            settle_by: float | None = None
            while True:
                now = self._clock()
                self._expire(now)
                if self._day_used_up(now) and self._in_flight:
                    settle_by = now + DAILY_SETTLE_S if settle_by is None else settle_by
                    if now < settle_by:
                        self._wait(self._cond, settle_by - now)
                        continue
                self._check_daily(now)
                if len(self._sent) < self.effective_max:
                    slot = Slot(now)
                    self._sent.append(slot)
                    self._in_flight += 1
                    self._booked += 1
                    if self._daily_left is not None:
                        self._daily_left -= 1
                    return slot
                self._wait(self._cond, max(self._sent[0].at + self.hold_s - now, 0.001))

    def ask_again(self) -> None:
        """A new job starts: a day the limiter believes used up is asked of HubSpot again (the
        belief is forgotten, so the job's first request goes out and its answer decides).  A
        day with requests left is kept: the first answer corrects it, a new day included
        (:meth:`_day_left`)."""
        with self._cond:
            self._forget_used_up()

    def _forget_used_up(self) -> None:
        if self._daily_left is not None and self._daily_left <= 0:
            self._daily_left = None
            self._daily_said = None

    def _day_used_up(self, now: float) -> bool:
        """Whether the day is used up, as HubSpot said it less than :data:`DAILY_ASK_AGAIN_S`
        ago; after that the belief is forgotten, and HubSpot asked again."""
        if now - self._daily_at >= DAILY_ASK_AGAIN_S:
            self._forget_used_up()
        return self._daily_left is not None and self._daily_left <= 0

    def _check_daily(self, now: float) -> None:
        """Raise the DAILY refusal while the day is used up (:meth:`_day_used_up`)."""
        if self._day_used_up(now):
            raise RateLimitError(
                "HubSpot's daily API limit is used up (X-HubSpot-RateLimit-Daily-Remaining); "
                "not sent.",
                policy_name="DAILY",
                attempts=0,
            )

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

    def unanswered(self) -> None:
        """A request booked with :meth:`acquire` got no answer (the connection failed)."""
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            self._cond.notify_all()  # a request waiting for the day's figure (acquire)

    def observe(self, headers: Mapping[str, str], slot: Slot | None = None) -> None:
        """An answer came back: learn the budget from its headers, book usage HubSpot reports,
        and take the day's remaining budget (less the requests still on their way).

        ``slot``: the answered request's.  While a refusal's time margin lasts (HubSpot counted
        requests the limiter's window had let go: they reached it late), the request counts
        from its answer less the fastest round trip seen, the latest moment HubSpot can have
        counted it (a refused request too, which HubSpot did not count: the safe side)."""
        max_requests = _header_int(headers, RATE_LIMIT_MAX_HEADER)
        interval_ms = _header_int(headers, RATE_LIMIT_INTERVAL_HEADER)
        remaining = _header_int(headers, RATE_LIMIT_REMAINING_HEADER)
        daily = _header_int(headers, RATE_LIMIT_DAILY_REMAINING_HEADER)
        with self._cond:
            if slot is not None:
                self._answered(slot)
            self._in_flight = max(0, self._in_flight - 1)
            budget = _plausible(max_requests, interval_ms)
            if not self._fixed and budget is not None:
                self._max, self._window = budget
                self._learned = True
            if remaining is not None:
                self._book_foreign_usage(remaining)
            if daily is not None:
                self._daily_left = self._day_left(daily)
                self._daily_at = self._clock()
            self._cond.notify_all()

    def _answered(self, slot: Slot) -> None:
        """The request of ``slot`` was answered now: learn the fastest round trip, and while a
        refusal's time margin lasts, count the request from the moment HubSpot can have
        counted it last (its answer less the fastest round trip)."""
        now = self._clock()
        self._fastest = min(self._fastest, max(0.0, now - slot.at))
        counted_by = now - self._fastest
        if self._extra() > 0 and counted_by > slot.at:
            slot.at = counted_by
            if not slot.booked:  # it had left the window meanwhile
                slot.booked = True
                self._sent.append(slot)

    def _day_left(self, daily: int) -> int:
        """The day's budget after an answer saying ``daily`` left.  Answers overtake each other:
        one that left the server earlier says more than is left.  The lowest figure of the day is
        the freshest, and it counts every request answered so far; the requests still out there
        may not be counted yet.  A figure above it by more than a window of requests could
        explain means the day turned over."""
        said = self._daily_said
        if said is None or daily < said or daily > said + self.effective_max:
            self._daily_said = said = daily
        return said - self._in_flight

    def throttled(self, headers: Mapping[str, str]) -> None:
        """HubSpot answered 429 (not DAILY): when its window really was full, widen the margin
        and count the window as full, so requests wait for room instead of being retried at
        once.  When its headers still say the window has room, and HubSpot had counted a good
        part of the budget (the headers' budget less what they say remains), a lower limit
        applies than they describe: the limiter books at most :data:`CEILING_CUT` of that from
        then on."""
        remaining = _header_int(headers, RATE_LIMIT_REMAINING_HEADER)
        with self._cond:
            now = self._clock()
            self._expire(now)
            if remaining is not None and remaining > 0:
                counted = self._counted(headers, remaining)
                self._lower_ceiling(now, counted)
                if counted > len(self._sent):  # HubSpot still counts requests the window let go
                    self._widen(now)
                    self._book(counted - len(self._sent), now)
            else:
                self._widen(now)
                self._book_foreign_usage(0)
            self._cond.notify_all()

    def _widen(self, now: float) -> None:
        """A refusal the window had room for: one more step of time margin (see ADAPTIVE_STEP)."""
        self._adaptive = min(ADAPTIVE_CAP, self._extra() + ADAPTIVE_STEP)
        self._throttled_at = now

    def _book(self, count: int, now: float) -> None:
        """Book ``count`` requests sent by no one here, now (never past the window's room)."""
        for _ in range(max(0, min(count, self.effective_max - len(self._sent)))):
            self._sent.append(Slot(now))

    def _counted(self, headers: Mapping[str, str], remaining: int) -> int:
        """The requests HubSpot had counted in its window when it refused: its headers' budget
        (the limiter's when they give none it could learn) less what they say remains.  HubSpot's
        own figure, not the limiter's window: requests leave the limiter in one order and may
        reach HubSpot in another, and the limiter's window holds the refused requests that
        HubSpot does not count."""
        said = _header_int(headers, RATE_LIMIT_MAX_HEADER)
        budget = said if said is not None and 0 < said <= LEARNED_MAX_REQUESTS else self._max
        return budget - remaining

    def _lower_ceiling(self, now: float, counted: int) -> None:
        """A refusal the headers do not explain: when HubSpot had counted at least
        CEILING_FLOOR of the budget, the ceiling is cut to CEILING_CUT of that (not below the
        floor), once a window (the requests already on their way when the first refusal came
        are refused together: they say nothing new)."""
        if self._ceiling is not None and now - self._ceiling_at < self._window:
            return
        floor = max(1, math.floor(self._max * CEILING_FLOOR))
        if counted < floor:
            return
        cut = math.floor(min(counted, self.effective_max) * CEILING_CUT)
        self._ceiling = max(floor, cut)
        self._ceiling_at = now

    def _book_foreign_usage(self, remaining: int) -> None:
        now = self._clock()
        self._expire(now)
        available = self.effective_max - len(self._sent)
        # Our own requests are all counted already, so a lower figure means someone else
        # (another app on the account) used part of the window: book the difference.
        self._book(available - max(0, remaining), now)

    def _expire(self, now: float) -> None:
        hold = self.hold_s
        while self._sent and self._sent[0].at + hold <= now:
            self._sent.popleft().booked = False
