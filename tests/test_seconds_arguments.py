"""Every argument that is a time in seconds holds a finite number of at most a day
(hubframe.argtypes.MAX_SECONDS), checked where it is given.

Before: ``HubSpotClient(timeout=float("inf"))`` (or ``1e300``, or ``(5, inf)``) was accepted and
the first request failed with Python's ``OverflowError: timestamp out of range``;
``backoff_cap=inf`` made a retry wait forever, and so did ``rate_limit=(5, inf)`` at the sixth
request; the sandbox took ``latency=(nan, 0)`` or a window of ``inf`` and failed or hung inside
its request threads.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.argtypes import MAX_SECONDS, is_seconds
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

NOT_SECONDS = [math.inf, -math.inf, math.nan, 1e300, MAX_SECONDS + 1, -1.0, True, "5", None]
URL = "http://127.0.0.1:9"


def client(**options: Any) -> hf.HubSpotClient:
    return hf.HubSpotClient(token="pat-na1-test", base_url=URL, **options)


@settings(max_examples=examples(200), deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_seconds_are_finite_and_at_most_a_day(value: float) -> None:
    assert is_seconds(value) == (0 < value <= MAX_SECONDS)
    assert is_seconds(value, zero=True) == (0 <= value <= MAX_SECONDS)


SHAPES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "timeout": lambda v: {"timeout": v},
    "timeout (connect, read)": lambda v: {"timeout": (v, 5.0)},
    "timeout (connect, read) ": lambda v: {"timeout": (5.0, v)},
    "backoff_base": lambda v: {"backoff_base": v},
    "backoff_cap": lambda v: {"backoff_cap": v},
}


@pytest.mark.parametrize("value", NOT_SECONDS, ids=repr)
@pytest.mark.parametrize("shape", SHAPES)
def test_the_client_refuses_a_time_it_cannot_wait(shape: str, value: Any) -> None:
    options = SHAPES[shape](value)
    with pytest.raises(hf.ConfigurationError, match=f"^{next(iter(options))} must be"):
        client(**options)


@pytest.mark.parametrize("window", NOT_SECONDS[:6], ids=repr)
def test_the_client_refuses_a_rate_limit_window_it_cannot_wait(window: float) -> None:
    with pytest.raises(hf.ConfigurationError, match="rate_limit"):
        client(rate_limit=(5, window))


def test_the_longest_times_allowed_still_run() -> None:
    """A day is allowed everywhere, and a run with such a client goes as with the defaults."""
    with Sandbox(seed="demo") as sb:
        slow = hf.HubSpotClient(
            token=sb.token,
            base_url=sb.url,
            timeout=(MAX_SECONDS, float(MAX_SECONDS)),
            backoff_cap=MAX_SECONDS,
            rate_limit=(100, MAX_SECONDS),
        )
        deal, contact = demo_ids("deals")[0], demo_ids("contacts")[0]
        pairs = hf.read_pairs(
            pd.DataFrame({"deal_id": [deal], "contact_id": [contact]}),
            from_type="deals",
            to_type="contacts",
        )
        result = hf.associate(pairs, slow)
    assert result["status"].tolist() == ["success"]


@pytest.mark.parametrize(
    "options",
    [
        {"latency": (math.nan, 0.0)},
        {"latency": (0.0, math.inf)},
        {"latency": (-1.0, 0.0)},
        {"latency": (1.0,)},
        {"rate_limit": (5, math.inf)},
        {"rate_limit": (5, math.nan)},
        {"rate_limit": (5, 0.0)},
    ],
    ids=repr,
)
def test_the_sandbox_refuses_a_time_it_cannot_wait(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        Sandbox(seed=None, **options)


@pytest.mark.parametrize("option", [["--latency", "nan"], ["--rate-limit", "5/inf"]])
def test_the_sandbox_command_refuses_a_time_it_cannot_wait(option: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hubframe.sandbox", "--port", "0", *option],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    # refused as the command line is read, naming the option as typed (not a Python name)
    assert f"error: argument {option[0]}:" in done.stderr and "Traceback" not in done.stderr
    assert option[1] in done.stderr and "rate_limit" not in done.stderr
