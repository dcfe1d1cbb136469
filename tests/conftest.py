"""Shared test set-up: the sandbox fixtures of hubframe.testing, and the spec checker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openapi_check import CheckedApi, SpecChecker, get_checker

from hubframe.sandbox import Sandbox

pytest_plugins = ["hubframe.testing"]


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker:
    """HubSpot's OpenAPI specs, loaded once; tests using it skip when the specs are missing."""
    checker = get_checker()
    if checker is None:
        pytest.skip(
            "HubSpot OpenAPI specs not found (expected ../shared/hubspot-openapi next to the "
            "repository, or set HUBFRAME_OPENAPI_DIR): responses cannot be checked"
        )
    return checker


@pytest.fixture
def api(sandbox: Sandbox, spec_checker: SpecChecker) -> Iterator[CheckedApi]:
    """``api.call(method, path, body)`` against the demo sandbox, every response spec-checked."""
    caller = CheckedApi(sandbox, spec_checker)
    yield caller
    caller.close()


@pytest.fixture
def api_for(spec_checker: SpecChecker) -> Iterator[Callable[..., CheckedApi]]:
    """Make spec-checked callers for other sandboxes (or tokens)."""
    made: list[CheckedApi] = []

    def make(sb: Sandbox, token: Any = None) -> CheckedApi:
        caller = CheckedApi(sb, spec_checker, token)
        made.append(caller)
        return caller

    yield make
    for caller in made:
        caller.close()
