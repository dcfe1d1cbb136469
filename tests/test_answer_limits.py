"""An answer too large or too slow to read is dropped, not read for ever.

The client read every answer's body whole: a server streaming without end (a mistyped base
URL, a broken proxy) grew the process until it died, and one sending a byte at a time kept a
run waiting for ever (the read timeout counts the time between bytes, not the whole).  An
answer's body is now read up to ``max_answer_bytes`` (512 MiB) and within
``answer_deadline_s`` (600 s) of the request's start; past either it is dropped as an answer
that never came: a write's rows are settled by reading the portal (applied: ``success``),
nothing is retried.  The tests lower both limits; the fault proxy floods or trickles the
answer of each write it applies.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import NetworkError
from hubframe.hubspot.client import MAX_ANSWER_BYTES, HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

DEALS = [str(i) for i in demo_ids("deals")[30:34]]
CONTACTS = [str(i) for i in demo_ids("contacts")[130:134]]


def _client(url: str, token: str, version: str = "2026-03") -> HubSpotClient:
    client = HubSpotClient(
        token=token, base_url=url, api_version=version, backoff_base=0.01, backoff_cap=0.05
    )
    client.max_answer_bytes = 1 << 20
    client.answer_deadline_s = 1.5
    return client


def _sheet() -> pd.DataFrame:
    labels = ["", "Champion", "", "Champion"]
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Association label": labels})


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


@pytest.mark.parametrize("mode", ["flood:8000000", "trickle"])
@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_a_write_whose_answer_never_ends_is_settled_by_a_read(mode: str, version: str) -> None:
    start = time.monotonic()
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then=mode, cued=True) as fp:
            result = hf.associate(_sheet(), _client(fp.url, sb.token, version), progress=False)
        linked = _linked(sb)
        log = sb.request_log()
    assert set(result["status"]) == {"success"}, result[["status", "error_message"]]
    assert set(zip(DEALS, CONTACTS, strict=True)) <= linked
    assert time.monotonic() - start < 20
    writes = log[log["method"] == "POST"]["path"]
    sent = writes[~writes.str.endswith("/batch/read")]
    assert len(sent) == 2, sent.tolist()  # the plain batch and the labeled one, once each


@pytest.mark.parametrize("mode", ["flood:8000000", "trickle"])
def test_the_dropped_answer_is_named(mode: str) -> None:
    with Sandbox(seed="demo") as sb, FaultProxy(sb, then=mode, cued=True) as fp:
        client = _client(fp.url, sb.token)
        with pytest.raises(NetworkError, match="the answer was dropped: its body") as caught:
            client.batch_associate_default(
                "deals", "contacts", [{"from": {"id": DEALS[0]}, "to": {"id": CONTACTS[0]}}]
            )
    assert caught.value.may_have_applied and caught.value.attempts == 1


def test_an_answer_under_the_limits_is_read_whole() -> None:
    """Bodies up to the limit are read as before (a batch read answer of a few MB)."""
    assert MAX_ANSWER_BYTES >= 256 << 20
    with Sandbox(seed="demo") as sb:
        client = _client(sb.url, sb.token)
        client.max_answer_bytes = 200_000
        found = client.read_associations("deals", "contacts", [str(d) for d in demo_ids("deals")])
    assert sum(len(v) for v in found.values()) > 0


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_a_connection_cut_while_the_answer_arrives_is_a_lost_answer(version: str) -> None:
    """The first answers of a run are cut halfway through their bodies: each is a lost answer
    (a network error, retried; the write was applied, so sending it again is safe), never an
    error of the HTTP library that kills the run."""
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then="cut_body", cued=True, then_count=2) as fp:
            result = hf.associate(_sheet(), _client(fp.url, sb.token, version), progress=False)
        linked = _linked(sb)
    assert set(result["status"]) == {"success"}, result[["status", "error_message"]]
    assert set(zip(DEALS, CONTACTS, strict=True)) <= linked
