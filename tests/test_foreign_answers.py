"""A 2xx that is not HubSpot's answer is never read as one.

A proxy or a firewall's login page may answer ``200 OK`` with a page of HTML in HubSpot's
place.  Read as an answer, its empty JSON said that every row of a batch succeeded (nothing
was applied) and that a record had no associations.  The client treats such an answer like a
5xx: retried, and a write it leaves unanswered is checked in the portal or reported
``UNKNOWN_OUTCOME``, never ``success``.
"""

from __future__ import annotations

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import ServerError
from hubframe.hubspot.client import HubSpotClient, _json_object
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids


def _sheet(rows: int) -> pd.DataFrame:
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    return pd.DataFrame(
        {
            "Deal ID": [str(deals[n]) for n in range(rows)],
            "Contact ID": [str(contacts[20 + n]) for n in range(rows)],
            "Association label": ["Champion" if n % 2 else "" for n in range(rows)],
        }
    )


def _client(proxy: FaultProxy, max_retries: int) -> HubSpotClient:
    return HubSpotClient(
        token=proxy.sandbox.token,
        base_url=proxy.url,
        max_retries=max_retries,
        backoff_base=0.01,
        backoff_cap=0.05,
    )


def _links(sb: Sandbox) -> set[tuple[str, str, int]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], frame["type_id"].astype(int), strict=True))


@pytest.mark.parametrize("answer", ["page", "foreign"])
def test_answers_in_hubspots_place_are_never_successes(answer: str) -> None:
    with Sandbox(seed="demo") as sb, FaultProxy(sb, then=answer, cued=True) as proxy:
        before = _links(sb)
        client = _client(proxy, max_retries=1)
        pairs = hf.read_pairs(_sheet(6), from_type="deals", to_type="contacts")
        result = hf.associate(pairs, client, progress=False)
        assert "success" not in set(result["status"]), result[["status", "error_code"]]
        assert set(result["status"]) == {"failed"}
        said = " ".join(result["error_message"])
        assert "not HubSpot's JSON answer" in said
        assert ("text/html" if answer == "page" else "application/json") in said
        assert _links(sb) == before
        limits = pd.DataFrame(
            {"From": ["deals"], "To": ["contacts"], "Label": ["Champion"], "Max": ["2"]}
        )
        before_limits = sb.limits("deals", "contacts")
        result = hf.configure_limits(hf.read_limits(limits), client, progress=False)
        assert result["status"].tolist() == ["failed"]
        pd.testing.assert_frame_equal(sb.limits("deals", "contacts"), before_limits)


@pytest.mark.parametrize("pages", [1, 2])
def test_a_page_then_hubspot_again_is_retried(pages: int) -> None:
    with (
        Sandbox(seed="demo") as sb,
        FaultProxy(sb, then="page", cued=True, then_count=pages) as proxy,
    ):
        client = _client(proxy, max_retries=3)
        pairs = hf.read_pairs(_sheet(4), from_type="deals", to_type="contacts")
        result = hf.associate(pairs, client, progress=False)
        assert set(result["status"]) == {"success"}
        linked = {(f, t) for f, t, _ in _links(sb)}
        assert set(zip(pairs["from_id"], pairs["to_id"], strict=True)) <= linked


@pytest.mark.parametrize("answer", ["page", "foreign"])
def test_reads_answered_in_hubspots_place_are_errors_not_an_empty_portal(answer: str) -> None:
    with Sandbox(seed="demo") as sb, FaultProxy(sb, then=answer, cued=True) as proxy:
        client = _client(proxy, max_retries=0)
        reads = [
            lambda: client.read_associations("deals", str(demo_ids("deals")[0]), "contacts"),
            lambda: client.list_labels("deals", "contacts"),
            lambda: client.get_limits("deals", "contacts"),
            lambda: client.get_all_limits(),
            lambda: client.record_ids("deals", maximum=5),
        ]
        for read in reads:
            with pytest.raises(ServerError, match="not HubSpot's JSON answer"):
                read()


def test_what_counts_as_a_json_object() -> None:
    assert _json_object(b"") and _json_object(None) and _json_object(b' {"a": 1}\n')
    assert not _json_object(b"<html></html>")
    assert not _json_object(b"[1, 2]") and not _json_object(b"OK") and not _json_object(b"{")
    padded = b" " * 100 + b'{"results": []}' + b"\n" * 100
    assert _json_object(padded) and _json_object(b" " * 300)
    assert not _json_object(b" " * 100 + b"<html>") and not _json_object(b"{" + b" " * 100)
