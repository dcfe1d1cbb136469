"""An error answer whose fields are not of the type HubSpot sends fails its rows, never the run.

A 429 whose ``policyName`` was a number (``5``), a list or an object (a proxy or another server
answering) raised AttributeError out of ``associate`` (``RateLimitError.is_daily`` upper-cased
it), and a ``Retry-After`` date with a field out of range (``Mon, 1 Jan 2020 99999999999:00:00
GMT``) raised OverflowError out of the date parser: every row lost, no report, no retry file,
the journal's lease left behind (helper-213).  Such a field is now not taken (a policy name
that is no text is no DAILY policy; a date that cannot be read asks no wait), and the rows fail
with the status's code as for any other such answer.  Here every field the client takes from an
error body, with values of every JSON type, under each status that reads them, and any text in
``Retry-After``.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from faultproxy import FaultProxy
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.errors import ErrorCode, RateLimitError
from hubframe.hubspot.client import HubSpotClient, _retry_after
from hubframe.jobs import associate
from hubframe.sandbox import Sandbox
from hubframe.testing import pairs_sheet

DEALS = [str(2040000001 + i) for i in range(10)]
CONTACTS = [str(1019360001 + i) for i in range(40)]
ROWS = [(DEALS[5], CONTACTS[n], "") for n in range(4)]
FIELDS = ("policyName", "category", "errorType", "correlationId", "message")
ODD: list[Any] = [5, 1.5, True, None, [], ["DAILY"], {}, {"policyName": "DAILY"}, ""]
STATUSES = (429, 403, 500, 400)
PLAIN = {"policyName": "TEN_SECONDLY_ROLLING", "errorType": "RATE_LIMIT", "correlationId": "c-1"}


def _client(url: str, token: str, *, retries: int = 1) -> HubSpotClient:
    return HubSpotClient(
        token=token, base_url=url, backoff_base=0.01, backoff_cap=0.05, max_retries=retries
    )


def _outcomes(status: int, body: dict[str, Any]) -> list[tuple[str, str]]:
    """(status, error code) of each row of a run whose every write is answered ``body``."""

    def refuse(path: str, sent: Any, forward: Any) -> tuple[int, Any]:
        return status, body

    with Sandbox(seed="demo") as sb, FaultProxy(sb, on_write=refuse) as proxy:
        # A 429 is not sent again here: its retry waits out the rolling window (10 s a case,
        # 45 cases), and the fields are read as the 429 arrives, retried or not.
        client = _client(proxy.url, sb.token, retries=0 if status == 429 else 1)
        result = associate(pairs_sheet(ROWS), client, progress=False)
    assert len(result) == len(ROWS)
    category = result["hubspot_category"].dropna()
    assert all(isinstance(c, str) for c in category), category
    return list(zip(result["status"], result["error_code"], strict=True))


_PLAIN_OUTCOMES: dict[int, list[tuple[str, str]]] = {}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", ODD, ids=repr)
def test_a_field_of_another_type_fails_the_rows_not_the_run(
    status: int, field: str, value: Any
) -> None:
    """The rows end as under the same answer with the field as HubSpot sends it (text); an
    answer with no message at all (empty) is one no two rows can be told to share, so its rows
    are refused one by one rather than the run stopped as one refusal of the requests."""
    body = {"status": "error", "message": "refused", "category": "RATE_LIMITS", **PLAIN}
    if status not in _PLAIN_OUTCOMES:
        _PLAIN_OUTCOMES[status] = _outcomes(status, body)
    found = _outcomes(status, {**body, field: value})
    if field == "message" and not value and status == 400:
        assert found == [("failed", ErrorCode.HUBSPOT_VALIDATION.value)] * len(ROWS)
    else:
        assert found == _PLAIN_OUTCOMES[status]
    assert {code for _, code in _PLAIN_OUTCOMES[status]} <= {c.value for c in ErrorCode}


@pytest.mark.parametrize(
    "retry_after",
    [
        "Mon, 1 Jan 2020 99999999999:00:00 GMT",
        "Mon, 99999999999 Jan 2020 00:00:00 GMT",
        "Mon, 1 Jan 99999999999 00:00:00 GMT",
        "Mon, 1 Jan 2020 00:00:00 +99999999999",
    ],
)
def test_a_date_out_of_range_asks_no_wait(retry_after: str) -> None:
    with (
        Sandbox(seed="demo", faults={"throttle_rate": 1.0, "writes_only": True}) as sb,
        FaultProxy(sb, set_headers={"Retry-After": retry_after}) as proxy,
    ):
        result = associate(pairs_sheet(ROWS), _client(proxy.url, sb.token), progress=False)
    assert len(result) == len(ROWS)
    assert set(result["error_code"]) == {ErrorCode.RATE_LIMITED.value}


def _answer(retry_after: str) -> requests.Response:
    resp = requests.Response()
    resp.status_code = 429
    resp.headers["Retry-After"] = retry_after
    return resp


_DATE_PARTS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["Mon,", "Jan", "GMT", "+0000", "-9999", ":", "00:00:00", "1e400", "nan"]),
    st.text(max_size=8),
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(_DATE_PARTS, max_size=7).map(" ".join),
    )
)
def test_any_retry_after_is_a_wait_or_none(value: str) -> None:
    """Whatever the header holds: a wait of 0 s or more, or None (no exception)."""
    wait = _retry_after(_answer(value))
    assert wait is None or wait >= 0 or wait != wait


@pytest.mark.parametrize("name", [*ODD, "DAILY", "daily", " daily "])
def test_only_the_text_daily_is_the_daily_policy(name: Any) -> None:
    assert RateLimitError("x", policy_name=name).is_daily == (name in ("DAILY", "daily"))
