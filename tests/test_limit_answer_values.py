"""A limit create or update whose answer names the row with another limit than was sent.

Before: the row was reported ``success`` with the limit sent, as long as the answer named its
category and type id, though HubSpot said it holds another (a limit it capped, or kept).  Now
such a row is settled by a read of the limits: ``NOT_APPLIED`` when the limit sent is not there,
with a message that says so.  An answer that gives no limit says nothing against the row.
The fault proxy answers every write itself (nothing reaches the portal)."""

from __future__ import annotations

import io
import json

import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.sandbox import Sandbox

SHEET = (
    b"from_type,to_type,label,max_to_object_ids\n"
    b"deals,contacts,Decision maker,5\n"
    b"deals,contacts,,7\n"
)


def _type_id(sb: Sandbox, label: str) -> int:
    labels = sb.labels("deals", "contacts")
    return int(labels.loc[labels["label"] == label, "type_id"].iloc[0])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ((50, 7), ["failed", "success"]),  # another limit for the label's row
        ((5, 70), ["success", "failed"]),
        ((5, 7), ["success", "success"]),  # the limits sent: confirmed as before
        ((None, None), ["success", "success"]),  # no limit given: says nothing against them
    ],
)
@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_an_answer_giving_another_limit_is_settled_by_a_read(
    given: tuple[int | None, int | None], expected: list[str], version: str
) -> None:
    with Sandbox(seed="demo") as sb:
        results = []
        for (category, type_id), limit in zip(
            [("USER_DEFINED", _type_id(sb, "Decision maker")), ("HUBSPOT_DEFINED", 3)],
            given,
            strict=True,
        ):
            entry = {"category": category, "typeId": type_id}
            if limit is not None:
                entry["userEnforcedMaxToObjectIds"] = limit
            results.append(entry)
        answer = {"status": "COMPLETE", "results": results}
        before = sb.limits("deals", "contacts")
        with FaultProxy(sb, then="answer:" + json.dumps(answer), cued=True) as proxy:
            client = hf.HubSpotClient(token=sb.token, base_url=proxy.url, api_version=version)
            limits = hf.read_limits(io.BytesIO(SHEET))
            result = hf.configure_limits(limits, client, progress=False)
        assert sb.limits("deals", "contacts").equals(before)  # the proxy kept every write
        assert result["status"].tolist() == expected, result["error_message"].tolist()
        for n, status in enumerate(expected):
            if status == "failed":
                assert result["error_code"].iloc[n] == "NOT_APPLIED"
                sent = result["max_to_object_ids"].iloc[n]
                assert f"did not confirm the limit {sent}" in result["error_message"].iloc[n]
