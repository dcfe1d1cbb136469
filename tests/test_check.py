"""hf.validate_pairs / hf.validate_limits agree with the run: offline for sides named by email
or domain, and connected (over HTTP against the sandbox) for what a run finds in HubSpot."""

from __future__ import annotations

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import AuthError, RateLimitError
from hubframe.hubspot.client import HubSpotClient
from hubframe.io import read_limits, read_pairs
from hubframe.jobs import associate, check
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import CONTACT_IDS, DEAL_IDS, contact_properties
from hubframe.testing import client_for

EMAILS = [p["email"] for p in contact_properties()]


def _codes(issues: pd.DataFrame) -> list[tuple[int, str, str]]:
    return [(int(r), str(c), str(k)) for r, c, k in issues[["row", "column", "code"]].values]


def test_the_public_names_are_the_connected_ones() -> None:
    assert hf.validate_pairs is check.validate_pairs
    assert hf.validate_limits is check.validate_limits


def test_a_side_named_by_email_is_no_bad_id_and_repeats_ignore_case() -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": ["2040000001", "2040000002", "2040000002", "2040000003"],
            "Contact": [EMAILS[0], f" {EMAILS[0].upper()} ", EMAILS[0], ""],
        }
    )
    pairs = read_pairs(frame, to_type="contacts", columns={"Contact": "to_id"},
                       to_id_property="email")  # fmt: skip
    issues = hf.validate_pairs(pairs)
    assert _codes(issues) == [(4, "from_id", "DUPLICATE_ROW"), (5, "to_id", "MISSING_VALUE")]
    assert "'to' email" in issues.loc[1, "message"]  # what is missing, in the sheet's terms


def test_connected_checks_find_what_the_run_finds(sandbox: Sandbox) -> None:
    sheet = pd.DataFrame(
        {
            "Deal ID": [str(DEAL_IDS[40 + i]) for i in range(6)],
            "Contact ID": [
                str(CONTACT_IDS[100]),  # fine
                str(CONTACT_IDS[101]),  # unknown label
                "1019399999",  # no such contact
                str(CONTACT_IDS[102]),  # a type id the pair does not have
                "12ab",  # offline error: never looked up
                str(CONTACT_IDS[103]),
            ],
            "Association label": ["Champion", "Champ", "", "", "", ""],
            "Type ID": ["", "", "", "77777", "", ""],
        }
    )
    client = client_for(sandbox)
    offline = hf.validate_pairs(sheet)
    assert _codes(offline) == [(6, "to_id", "BAD_ID")]
    issues = hf.validate_pairs(sheet, client, check_records=True)
    assert _codes(issues) == [
        (3, "label", "UNKNOWN_LABEL"),
        (4, "to_id", "OBJECT_NOT_FOUND"),
        (5, "type_id", "INVALID_ASSOCIATION_TYPE"),
        (6, "to_id", "BAD_ID"),
    ]
    assert '"Champion"' in issues.loc[0, "message"]  # the labels that exist
    without = hf.validate_pairs(sheet, client)  # records are checked only when asked
    assert "OBJECT_NOT_FOUND" not in set(without["code"])
    log = sandbox.request_log()
    assert not log["path"].str.contains("/batch/(?:create|archive|associate)").any()  # reads only
    # the run agrees: every row validate calls an error is not done
    result = associate(sheet, client, progress=False)
    done = result["status"].isin(["success"]).tolist()
    flagged = set(issues["position"].tolist())
    assert [not ok for ok in done] == [pos in flagged for pos in range(len(sheet))]


def test_connected_lookup_names_emails_hubspot_does_not_know(sandbox: Sandbox) -> None:
    sheet = pd.DataFrame(
        {"Deal ID": ["2040000050", "2040000051"], "Contact email": [EMAILS[5], "no@example.com"]}
    )
    issues = hf.validate_pairs(sheet, client_for(sandbox))
    assert _codes(issues) == [(3, "to_id", "OBJECT_NOT_FOUND")]
    assert issues.loc[0, "message"] == 'No contact with email "no@example.com" exists in HubSpot.'
    result = associate(sheet, client_for(sandbox), progress=False)
    assert result["error_code"].tolist()[1] == "OBJECT_NOT_FOUND"


def test_connected_limits_check_labels(sandbox: Sandbox) -> None:
    limits = read_limits(
        pd.DataFrame({"From": ["deals", "deals"], "To": ["contacts"] * 2,
                      "Label": ["Champion", "Champions"], "Max": ["3", "4"]})
    )  # fmt: skip
    assert hf.validate_limits(limits).empty
    issues = hf.validate_limits(limits, client_for(sandbox))
    assert _codes(issues) == [(3, "label", "UNKNOWN_LABEL")]


def test_a_refused_token_stops_the_connected_check(sandbox: Sandbox) -> None:
    sheet = pd.DataFrame({"Deal ID": ["2040000001"], "Contact ID": ["1019360001"]})
    with pytest.raises(AuthError):
        hf.validate_pairs(sheet, client_for(sandbox, token="pat-na1-wrong"))


@pytest.mark.parametrize("then", ["throttle", "daily"])
def test_a_records_read_hubspot_refuses_raises_its_error(sandbox: Sandbox, then: str) -> None:
    """The objects batch reads go at once; one HubSpot refuses for good fails the whole read
    with HubSpot's error (validation then says, on each row, that the check could not be made)
    -- never a partial set that would call the unread records missing."""
    with FaultProxy(sandbox, then=then, cued=True) as proxy:
        client = HubSpotClient(token=sandbox.token, base_url=proxy.url, max_retries=0,
                               backoff_base=0.01, backoff_cap=0.02)  # fmt: skip
        ids = [str(DEAL_IDS[i]) for i in range(60)] + [str(2040100000 + i) for i in range(190)]
        with pytest.raises(RateLimitError) as caught:
            check.records_found(client, "deals", ids)
    assert caught.value.is_daily is (then == "daily")
    assert sandbox.token not in str(caught.value)
