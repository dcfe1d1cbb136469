"""The seeds a seeded fuzz test runs, and the examples of the slowest Hypothesis properties,
shared by the test modules: few in ``make test`` (its 10 minutes), more in a campaign."""

from __future__ import annotations

import os


def seeds(count: int) -> range:
    """``range(count)`` in ``make test``; a longer campaign sets
    ``HUBFRAME_FUZZ_SEEDS="START:COUNT"`` (every seeded test then runs those seeds)."""
    spec = os.environ.get("HUBFRAME_FUZZ_SEEDS", "")
    if not spec:
        return range(count)
    start, _, many = spec.partition(":")
    return range(int(start), int(start) + int(many or count))


def examples(count: int) -> int:
    """``count`` Hypothesis examples in ``make test``; a campaign multiplies them by
    ``HUBFRAME_EXAMPLES_TIMES`` (the slowest properties take ``make test`` a few seconds each
    with ``count``; they ran 3-4 times as many before 2026-11-30)."""
    return count * max(1, int(os.environ.get("HUBFRAME_EXAMPLES_TIMES", "1") or 1))
