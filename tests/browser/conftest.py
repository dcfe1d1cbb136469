"""The browser check runs only when asked: ``HUBFRAME_BROWSER=1`` (``make test-browser``).

A plain ``pytest`` run collects these tests and skips them with that reason, so the unit suite
never needs chromium.  When asked outside CI and chromium is missing, the tests skip with a
clear message; in CI (``CI=true``) a missing chromium is a failure.
"""

from __future__ import annotations

import os

import pytest

ENABLE_ENV = "HUBFRAME_BROWSER"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(ENABLE_ENV) == "1":
        return
    skip = pytest.mark.skip(reason=f"browser check: set {ENABLE_ENV}=1 (make test-browser)")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)
