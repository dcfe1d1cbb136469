"""A redirect is not HubSpot's answer, and it is not followed.

HubSpot's API answers where it is asked.  The client followed redirects: a batch create
answered ``302`` became a GET of whatever the redirect named, and that page's answer was read
as the create's (rows refused with another endpoint's error); a ``307`` sent the batch's body
to another endpoint; a redirect to another host dropped the token (as requests does) and the
run stopped saying HubSpot did not accept the token.  A redirect is now an error of the
request that names it: not followed, not retried, nothing applied, every row failed
``REQUEST_REFUSED`` in the retry file, the token never sent elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import ApiError, ErrorCode
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

DEALS = [str(i) for i in demo_ids("deals")[40:44]]
CONTACTS = [str(i) for i in demo_ids("contacts")[140:144]]


def _sheet() -> pd.DataFrame:
    labels = ["", "Champion", "", "Champion"]
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Association label": labels})


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("where", ["same host", "sandbox", "elsewhere"])
def test_a_redirected_write_is_not_followed(status: int, where: str, tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        fp = FaultProxy(sb, then="forward", cued=True)
        with fp:
            target = {
                "same host": fp.url + "/crm/associations/2026-03/deals/contacts/batch/read",
                "sandbox": sb.url + "/crm/associations/2026-03/deals/contacts/labels",
                "elsewhere": "https://example.invalid/crm/v4/associations",
            }[where]
            fp.then = f"redirect:{status} {target}"
            client = HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)
            result = hf.associate(_sheet(), client, progress=False)
        log = sb.request_log()
        links = sb.associations("deals", "contacts")
    assert result["status"].tolist() == ["failed"] * 4, result
    assert set(result["error_code"]) == {str(ErrorCode.REQUEST_REFUSED)}
    message = result["error_message"][0]
    assert message.startswith("Not applied: The answer to POST") and f"(HTTP {status})" in message
    assert "check the base URL" in message and sb.token not in message
    assert not links["to_id"].astype(str).isin(CONTACTS).any()
    assert (log["method"] == "GET").all(), log  # the labels looked up; nothing followed
    assert log["path"].str.endswith("/labels").all() and len(log) <= 2, log
    retry = hf.read_pairs(hf.export_retry(result, tmp_path / "retry.csv"))
    assert retry["to_id"].tolist() == CONTACTS


def test_the_redirect_error_says_nothing_was_applied() -> None:
    with Sandbox(seed="demo") as sb, FaultProxy(sb) as fp:
        labels = f"{sb.url}/crm/associations/2026-03/deals/contacts/labels"
        fp.then, fp.cued = f"redirect:302 {labels}", True
        client = HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)
        pair = [{"from": {"id": DEALS[0]}, "to": {"id": CONTACTS[0]}}]
        with pytest.raises(ApiError, match=r"redirect \(HTTP 302\) to http://127.0.0.1") as caught:
            client.batch_associate_default("deals", "contacts", pair)
    assert not caught.value.may_have_applied and caught.value.attempts == 1
    assert caught.value.code is ErrorCode.REQUEST_REFUSED
