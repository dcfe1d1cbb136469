"""Shared test set-up: the sandbox fixtures of hubframe.testing, and the spec checker."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import openapi_check
import pandas as pd
import pytest
from openapi_check import CheckedApi, SpecChecker, get_checker

from hubframe.normalize import arrow_text_dtype
from hubframe.sandbox import Sandbox

pytest_plugins = ["hubframe.testing"]


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker:
    """HubSpot's OpenAPI specs (tests/openapi, committed), loaded once."""
    return get_checker()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many responses were checked against HubSpot's specs."""
    checker = openapi_check._CHECKER
    checked = checker.checked if checker is not None else 0
    terminalreporter.write_line(f"OpenAPI schema checks run: {checked:,} responses")


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


@pytest.fixture(scope="module", params=["default", "flipped"])
def text_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test in both pandas text representations: the default one, then the other one
    (future.infer_string flipped: object text on pandas 3, Arrow text on pandas 2.2)."""
    if request.param == "default":
        yield "object" if arrow_text_dtype() is None else "arrow"
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pandas 3 deprecates the option
        try:
            inferring = bool(pd.get_option("future.infer_string"))
        except (KeyError, pd.errors.OptionError):
            pytest.skip("this pandas has no future.infer_string option")
        with pd.option_context("future.infer_string", not inferring):
            yield "object" if arrow_text_dtype() is None else "arrow"
