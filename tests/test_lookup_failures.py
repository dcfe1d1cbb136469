"""A lookup by email that HubSpot does not answer: every row says why, none is sent.

The objects batch read that turns a sheet's emails into record ids failing -- a 503 that lasts,
the day's limit, a 10-second limit that does not clear, a connection refused, an answer naming
one of the values nowhere, a proxy's HTML page in HubSpot's place -- leaves each row of the
sheet with a status and a message naming the lookup, sends nothing, and shows no token.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import contact_properties
from tests.faultproxy import FaultProxy

EMAILS = [p["email"] for p in contact_properties()]
DEALS = ["2040000030", "2040000031", "2040000032"]

#: fault -> (the proxy's settings, the status and error code of every row)
FAULTS: dict[str, tuple[dict[str, object], str, str]] = {
    "503 lasting": ({"fail_path": "/crm/objects"}, "failed", "SERVER_ERROR"),
    "daily limit": ({"then": "daily", "cued": True}, "skipped", "RATE_LIMITED"),
    "10-second limit": ({"then": "throttle", "cued": True}, "failed", "RATE_LIMITED"),
    "connection refused": ({"then": "refuse", "cued": True}, "failed", "NETWORK_ERROR"),
    "value named nowhere": ({"drop_reads": EMAILS[2]}, "failed", "SERVER_ERROR"),
    "html page": ({"then": "page", "cued": True}, "failed", "SERVER_ERROR"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_lookup_leaves_every_row_said_and_nothing_sent(fault: str) -> None:
    proxy_kw, status, code = FAULTS[fault]
    frame = pd.DataFrame(
        {"Deal ID": DEALS, "Contact email": [EMAILS[1], EMAILS[2], "nobody@nowhere.example"]}
    )
    with Sandbox(seed="demo") as sb, FaultProxy(sb, **proxy_kw) as proxy:
        client = hf.HubSpotClient(
            token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05, max_retries=1
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = hf.associate(hf.read_pairs(frame), client, progress=False, preflight=False)
        links = sb.associations("deals", "contacts")
        assert not links["from_id"].astype(str).isin(DEALS).any(), links
        token = sb.token
    assert result["row"].tolist() == [2, 3, 4], result
    assert result["Contact email"].tolist() == frame["Contact email"].tolist()
    assert set(result["status"]) == {status}, result
    assert set(result["error_code"]) == {code}, result
    for message in result["error_message"]:
        assert str(message).startswith("Not sent: could not look up contacts by email"), message
    assert token not in result.to_csv()
