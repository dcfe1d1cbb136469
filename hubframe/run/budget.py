"""HubSpot's daily request budget against what a run needs: said before anything is sent.

HubSpot counts every request of a private app against a daily limit and tells how much is left
in ``X-HubSpot-RateLimit-Daily-Remaining``; the client's rate limiter follows that header
(:attr:`~hubframe.hubspot.ratelimit.RateLimiter.daily_left`).  Once a run is planned, its
request count is known: :class:`DailyBudget` compares the two, so a dry run (and the CLI, the
app) can say that a real run would stop part-way, before the analyst starts it.  A real run
that reaches the limit stops cleanly on its own (its unsent rows ``skipped``, in the retry
file): see :mod:`hubframe.hubspot.ratelimit`.
"""

from __future__ import annotations

from dataclasses import dataclass

from hubframe.constants import RATE_LIMIT_DAILY_REMAINING_HEADER


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class DailyBudget:
    """The requests a planned run needs, and what is left of the day's (None: not known)."""

    needed: int
    left: int | None
    #: the day's limit was reached while the plan was made (the reads before it): no plan
    used_up: bool = False

    @property
    def short(self) -> bool:
        """True when HubSpot said fewer requests are left today than the run needs."""
        return self.used_up or (self.left is not None and self.needed > self.left)

    def message(self) -> str | None:
        """What to tell the analyst when the day's budget is too small (None when it is not)."""
        if self.used_up:
            return (
                "HubSpot's daily API limit was reached while the portal was read for the plan "
                f"({RATE_LIMIT_DAILY_REMAINING_HEADER}: {self.left or 0}), so nothing could be "
                "planned: a real run now would stop at once. Run it after the daily limit "
                "resets (midnight in the portal's time zone)."
            )
        if not self.short or self.left is None:
            return None
        return (
            f"This run needs at least {_plural(self.needed, 'request')} and HubSpot's daily "
            f"limit has {_plural(self.left, 'request')} left today "
            f"({RATE_LIMIT_DAILY_REMAINING_HEADER}). A real run would stop when the limit is "
            "reached: the rows not sent by then are reported skipped and go to the retry file. "
            "Run it after the daily limit resets (midnight in the portal's time zone), or in "
            "parts."
        )


__all__ = ["DailyBudget"]
