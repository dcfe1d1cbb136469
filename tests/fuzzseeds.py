"""The seeds a seeded fuzz test runs, shared by the fuzz modules."""

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
