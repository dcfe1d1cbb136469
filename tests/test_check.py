"""hf.validate_pairs / hf.validate_limits agree with the run: offline for sides named by email
or domain, and connected (over HTTP against the sandbox) for what a run finds in HubSpot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import AuthError, RateLimitError
from hubframe.hubspot.client import HubSpotClient
from hubframe.io import read_limits, read_pairs
from hubframe.jobs import associate, check, online
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
            online.records_found(client, "deals", ids)
    assert caught.value.is_daily is (then == "daily")
    assert sandbox.token not in str(caught.value)


def _errors(issues: pd.DataFrame) -> set[tuple[int, str]]:
    errors = issues.loc[issues["severity"] == "error"]
    return {(int(r), str(c)) for r, c in zip(errors["row"], errors["code"], strict=True)}


#: One label in two spellings asking two limits; a label limit above HubSpot's object limit (25).
ONE_LABEL_TWO_WAYS = (
    "deals,contacts,Champion,4\ndeals,contacts,CHAMPION,5\ndeals,contacts,Budget holder,40\n"
)


@pytest.mark.parametrize(
    ("rows", "refused"),
    [
        (
            ONE_LABEL_TWO_WAYS,
            {
                (2, "CONFLICTING_ROWS"),
                (3, "CONFLICTING_ROWS"),
                (4, "LABEL_LIMIT_ABOVE_OBJECT_LIMIT"),
            },
        ),
        (  # one custom object, by its type id and by its name
            "deals,2-7350001,,30\ndeals,p_installations,,20\n",
            {(2, "CONFLICTING_ROWS"), (3, "CONFLICTING_ROWS")},
        ),
        # below "Decision maker"'s 2 in HubSpot
        ("deals,contacts,,1\n", {(2, "LABEL_LIMIT_ABOVE_OBJECT_LIMIT")}),
    ],
)
def test_connected_limits_check_says_what_the_run_refuses(
    sandbox: Sandbox, rows: str, refused: set[tuple[int, str]]
) -> None:
    """Validation with a client found only unknown labels: a label in two spellings asking
    two limits, or a limit HubSpot would refuse for the limits it holds, was "no problems
    found", and the run refused the rows.  It says what the run refuses, with the run's
    codes."""
    limits = read_limits(f"From,To,Label,Max\n{rows}".encode())
    issues = hf.validate_limits(limits, client_for(sandbox))
    result = hf.configure_limits(limits, client_for(sandbox), dry_run=True)
    invalid = result.loc[result["status"] == "invalid"]
    assert _errors(issues) == refused
    assert {(int(r), str(c)) for r, c in invalid[["row", "error_code"]].values} == refused


def test_connected_limits_check_of_a_custom_object_spelled_two_ways(sandbox: Sandbox) -> None:
    """The object limit 3 (by the object's type id) below a label whose own row (by the
    object's name) is refused: HubSpot keeps the label's 8, and refuses the object row too."""
    site = sandbox.add_label("deals", "2-7350001", "Site")
    sandbox.set_limit("deals", "2-7350001", 8, type_id=site)
    sheet = b"From,To,Label,Max\ndeals,2-7350001,,3\ndeals,p_installations,Site,5\n"
    issues = hf.validate_limits(read_limits(sheet), client_for(sandbox))
    above = "LABEL_LIMIT_ABOVE_OBJECT_LIMIT"
    assert _errors(issues) == {(2, above), (3, above)}


def test_validate_online_says_nothing_is_fine_when_the_run_refuses_rows(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubframe.cli import main

    path = tmp_path / "limits.csv"
    path.write_text(f"From,To,Label,Max\n{ONE_LABEL_TWO_WAYS}")
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    assert main(["validate", str(path), "--online", *hub]) == 1
    out = capsys.readouterr().out
    assert "no problems found" not in out
    assert "row 4: error LABEL_LIMIT_ABOVE_OBJECT_LIMIT" in out
