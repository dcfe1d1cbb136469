"""HubSpot's daily request budget against what a run needs: said before anything is sent.

HubSpot counts every request of a private app against a daily limit and tells how much is left
in ``X-HubSpot-RateLimit-Daily-Remaining``; the client's rate limiter follows that header
(:attr:`~hubframe.hubspot.ratelimit.RateLimiter.daily_left`).  Once a run is planned, its
request count is known: :class:`DailyBudget` compares the two, so a dry run (and the CLI, the
app) can say that a real run would stop part-way, before the analyst starts it.  A real run
that reaches the limit stops cleanly on its own (its unsent rows ``skipped``, in the retry
file): see :mod:`hubframe.hubspot.ratelimit`.

A run reads as well as writes: the labels lookup, the portal read before a removal or a sync,
the read of the state before a journaled associate, the read-back of each batch of a removal.
:class:`JobReads` counts, through the client's rate limiter, the requests a job made before
its plan -- the reads a real run makes again -- less those a dry run makes for itself alone
(an associate's or a limits run's pre-flight), plus those only a real run makes that its rows
tell (:func:`hubframe.run.before.reads_before`); the plan adds one read a batch whose answers
confirm no row, and where a dry run's own pre-flight holds back rows a real run sends, the
batches counted are the real run's (:attr:`~hubframe.run.pipeline.Prepared.real_batches`).
Reads no one can count beforehand (more pages of a record with many associations, the rows an
answer leaves unsure, and the read of their records when the read-back leaves them unknown:
:mod:`hubframe.run.gone`) make the figure a floor: "at least".  Before, ``needed`` counted the
write batches alone, and a dry run that said the day had room was followed by a real run that
stopped at the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubframe.constants import RATE_LIMIT_DAILY_REMAINING_HEADER

if TYPE_CHECKING:  # only annotations
    from hubframe.hubspot.ratelimit import RateLimiter


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class DailyBudget:
    """The requests a planned run needs, and what is left of the day's (None: not known).

    ``writes``: the plan's batches; ``reads``: the reads of the portal the run makes before
    its first batch (see the module docstring); ``checks``: the reads of its batches whose
    answers confirm no row."""

    writes: int
    left: int | None
    #: the day's limit was reached while the plan was made (the reads before it): no plan
    used_up: bool = False
    reads: int = 0
    checks: int = 0

    @property
    def needed(self) -> int:
        """Every request the run makes that can be counted beforehand: writes and reads."""
        return self.writes + self.reads + self.checks

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
            f"This run needs at least {_plural(self.needed, 'request')} "
            f"({_plural(self.writes, 'write')}, {_plural(self.reads + self.checks, 'read')} of the "
            "portal; more when HubSpot's answers leave rows to read back) and HubSpot's daily "
            f"limit has {_plural(self.left, 'request')} left today "
            f"({RATE_LIMIT_DAILY_REMAINING_HEADER}). A real run would stop when the limit is "
            "reached: the rows not sent by then are reported skipped and go to the retry file. "
            "Run it after the daily limit resets (midnight in the portal's time zone), or in "
            "parts."
        )


class JobReads:
    """The requests one job made (read off its client's rate limiter, every attempt), the reads
    its real run makes again: those made since the job started, less those set aside as a dry
    run's own (:meth:`dry_run_only`), plus those only a real run makes (:meth:`add_real_only`)."""

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter
        self._start = limiter.booked
        self._aside = 0
        self._more = 0

    @property
    def made(self) -> int:
        """The reads the job's real run makes before its plan, as far as they can be counted."""
        return max(0, self._limiter.booked - self._start - self._aside) + self._more

    @contextmanager
    def dry_run_only(self, dry_run: bool = True) -> Iterator[None]:
        """The requests made inside are a dry run's own, which a real run does not make (a
        pre-flight read); with ``dry_run`` False they count as any other."""
        before = self._limiter.booked
        try:
            yield
        finally:
            if dry_run:
                self._aside += self._limiter.booked - before

    def add_real_only(self, reads: int) -> None:
        """``reads`` a real run makes that this dry run did not (counted from its rows)."""
        self._more += max(0, reads)


__all__ = ["DailyBudget", "JobReads"]
