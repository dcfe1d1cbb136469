"""The seeds a seeded fuzz test runs, and the examples of the slowest Hypothesis properties,
shared by the test modules: few in ``make test`` (its 10 minutes), more in a campaign."""

from __future__ import annotations

import math
import os


def _share() -> float:
    """The share of its seeds and examples each such test runs: half in ``make test``, whose
    10 minutes a clean clone's run on a shared two-core machine passed (580-666 s of tests
    with them all, 2026-12-07); all of them with ``HUBFRAME_EVERY_CASE=1`` (``make
    campaign``), which runs every parametrized case under every value too."""
    return 1.0 if os.environ.get("HUBFRAME_EVERY_CASE") else 0.5


def seeds(count: int) -> range:
    """``range(count)``, its first half in ``make test`` (at least one); a longer campaign
    sets ``HUBFRAME_FUZZ_SEEDS="START:COUNT"`` (every seeded test then runs those seeds)."""
    spec = os.environ.get("HUBFRAME_FUZZ_SEEDS", "")
    if not spec:
        return range(max(1, math.ceil(count * _share())))
    start, _, many = spec.partition(":")
    return range(int(start), int(start) + int(many or count))


def examples(count: int) -> int:
    """``count`` Hypothesis examples (half in ``make test``, at least one); a campaign
    multiplies them by ``HUBFRAME_EXAMPLES_TIMES`` (the slowest properties take ``make test``
    a few seconds each with ``count``; they ran 3-4 times as many before 2026-11-30)."""
    times = max(1, int(os.environ.get("HUBFRAME_EXAMPLES_TIMES", "1") or 1))
    return max(1, math.ceil(count * _share())) * times
