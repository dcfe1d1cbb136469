"""A write's outcome left unknown names the attempt that may have applied it.

A write's attempt got a 5xx (it may have been applied) and the last attempt was refused (423
Locked, say): its row is ``UNKNOWN_OUTCOME``, and its message quoted the 423's "nothing of the
request was applied" beside "the outcome is unknown".  It now names the earlier attempt and
what it got ("attempt 2 got HTTP 504"), and the last refusal by its status alone.
"""

from __future__ import annotations

from typing import Any

import hubframe as hf
import hubframe.testing as T
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

DEALS = [str(n) for n in range(93000001, 93000006)]
CONTACTS = [str(n) for n in range(94000001, 94000031)]


def _client(url: str, token: str, **kwargs: Any) -> HubSpotClient:
    kwargs.setdefault("max_retries", 1)
    client = HubSpotClient(token=token, base_url=url, backoff_base=0.01, backoff_cap=0.02, **kwargs)
    client.locked_wait_s = 0.02  # the 2 s floor after a 423 has its own test
    return client


def test_an_unknown_outcome_after_a_5xx_and_a_423_does_not_say_nothing_was_applied() -> None:
    """Writes answered 423, 504, 423 (the sandbox's seeded faults, seed 0): the row is
    ``UNKNOWN_OUTCOME`` (the 504 attempt may have applied it), and its message names that
    attempt instead of quoting the last 423's "nothing of the request was applied"."""
    faults = {"locked_rate": 0.6, "server_error_rate": 0.4, "writes_only": True, "seed": 0}
    with Sandbox(seed=None, faults=faults) as sb:
        sb.add_records("deals", DEALS[:1])
        sb.add_records("contacts", CONTACTS[:1])
        sheet = T.pairs_sheet([(DEALS[0], CONTACTS[0], "")])
        result = hf.associate(sheet, _client(sb.url, sb.token, max_retries=2), progress=False)
        log = sb.request_log()
    writes = log[log["path"].str.contains("associate/default")]["status"].tolist()
    assert writes == [423, 504, 423]
    row = result.loc[0]
    assert (row["status"], row["error_code"]) == ("failed", "UNKNOWN_OUTCOME")
    message = row["error_message"]
    assert "nothing of the request was applied" not in message
    assert "an earlier attempt (attempt 2 got HTTP 504) may have applied it" in message
    assert "HTTP 423 Locked" in message
