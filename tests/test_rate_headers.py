"""Rate limit figures no HubSpot would send are not learned.

The limiter learns the window's budget from each answer's ``X-HubSpot-RateLimit-Max`` and
``-Interval-Milliseconds``, and books the requests other apps used from ``-Remaining``.  An
answer saying ``Max: 1000000000000`` and ``Remaining: 0`` (a broken proxy, another server at
a mistyped base URL) made it book a trillion slots: the process grew until it died.  Figures
outside what a budget can be (more than 100,000 requests, a window under 10 ms or over a day,
zero or negative) are not learned; the run goes on with the budget it had.  Each case runs in a
process of its own under an address-space limit, so code without the fix fails the test, not
the machine.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from faultproxy import FaultProxy

from hubframe.hubspot.ratelimit import LEARNED_MAX_REQUESTS, RateLimiter
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

ABSURD = [
    ("1000000000000", "10000"),  # a trillion requests a window
    ("9" * 40, "10000"),
    ("100", "0"),
    ("100", "-5"),
    ("-3", "10000"),
    ("100", "9" * 30),
    ("250", "1"),  # a 1 ms window
]

_JOB = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
import pandas as pd
import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
url, token, deals, contacts = sys.argv[1], sys.argv[2], sys.argv[3:33], sys.argv[33:63]
client = HubSpotClient(token=token, base_url=url, backoff_base=0.01, backoff_cap=0.05)
sheet = pd.DataFrame({"Deal ID": deals, "Contact ID": contacts})
start = time.perf_counter()
result = hf.associate(sheet, client, batch_size=10, progress=False)
budget = client.limiter.budget
print(json.dumps({"status": sorted(set(result["status"])), "rows": len(result),
                  "budget": [budget[0], budget[1]], "seconds": time.perf_counter() - start}))
"""


@pytest.mark.parametrize(("max_requests", "interval_ms"), ABSURD)
def test_a_run_goes_on_past_rate_figures_no_hubspot_would_send(
    max_requests: str, interval_ms: str
) -> None:
    deals = [str(d) for d in demo_ids("deals")[10:40]]
    contacts = [str(c) for c in demo_ids("contacts")[100:130]]
    said = {
        "X-HubSpot-RateLimit-Max": max_requests,
        "X-HubSpot-RateLimit-Interval-Milliseconds": interval_ms,
        "X-HubSpot-RateLimit-Remaining": "0",
    }
    with Sandbox(seed="demo") as sb, FaultProxy(sb, set_headers=said) as fp:
        proc = subprocess.run(
            [sys.executable, "-c", _JOB, fp.url, sb.token, *deals, *contacts],
            capture_output=True,
            text=True,
            timeout=120,
        )
        linked = sb.associations("deals", "contacts")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"] == ["success"] and out["rows"] == 30, out
    assert 0 < out["budget"][0] <= LEARNED_MAX_REQUESTS and out["budget"][1] >= 0.01, out
    pairs = set(zip(linked["from_id"].astype(str), linked["to_id"].astype(str), strict=True))
    assert set(zip(deals, contacts, strict=True)) <= pairs


_FUZZ = """
import random, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from hubframe.hubspot.ratelimit import LEARNED_MAX_REQUESTS, RateLimiter
rng = random.Random(int(sys.argv[1]))
def figure():
    return rng.choice([str(rng.randint(-10**3, 10**3)), str(rng.randint(-10**30, 10**30)),
                       str(10 ** rng.randint(0, 40)), "", "x", " 7 ", "1e9", "nan"])
limiter = RateLimiter()
start = time.perf_counter()
for _ in range(300):
    limiter.observe({
        "X-HubSpot-RateLimit-Max": figure(),
        "X-HubSpot-RateLimit-Interval-Milliseconds": figure(),
        "X-HubSpot-RateLimit-Remaining": figure(),
        "X-HubSpot-RateLimit-Daily-Remaining": figure(),
    })
    limiter.throttled({
        "X-HubSpot-RateLimit-Max": figure(), "X-HubSpot-RateLimit-Remaining": figure()
    })
    count, window = limiter.budget
    assert 0 < count <= LEARNED_MAX_REQUESTS and 0.01 <= window <= 86400, (count, window)
    assert 1 <= limiter.effective_max <= count, (limiter.effective_max, count)
print(round(time.perf_counter() - start, 3))
"""


@pytest.mark.parametrize("seed", range(4))
def test_seeded_rate_figures_keep_the_budget_in_bounds(seed: int) -> None:
    """Seeded header figures (huge, negative, not numbers) on 300 answers: the budget stays a
    budget, and the limiter stays small and quick (1 GiB address space, 30 s)."""
    proc = subprocess.run(
        [sys.executable, "-c", _FUZZ, str(seed * 7919 + random.Random(seed).randint(0, 99))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert float(proc.stdout.strip()) < 30


def test_a_plausible_budget_is_still_learned() -> None:
    limiter = RateLimiter()
    limiter.observe(
        {"X-HubSpot-RateLimit-Max": "250", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    )
    assert limiter.budget == (250, 10.0)
