"""Two labels of one pair in one batch: each row is confirmed by its own label.

A labeled create's results name pairs, with the labels of each input.  Two rows of one pair
(two labels) were both confirmed by any result naming the pair: when HubSpot skipped one of
the two inputs without a word, its row was reported ``success`` and left out of the retry
file.  A row of such a pair is now confirmed only by a result of its pair listing its label;
otherwise it is read back (there: ``success``; not there: ``failed`` ``NOT_APPLIED``).  A
result without a ``labels`` list, and a row given by type id only, are confirmed by the pair
as before.  The fault proxy plays both: ``swallow`` takes one input out of the request,
``unnamed`` takes its result out of the answer.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

DEAL = str(demo_ids("deals")[75])
CONTACTS = [str(c) for c in demo_ids("contacts")[175:177]]
LABELS = ["Champion", "Decision maker"]


def _sheet() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Deal ID": [DEAL, DEAL, DEAL],
            "Contact ID": [CONTACTS[0], CONTACTS[0], CONTACTS[1]],
            "Association label": [LABELS[0], LABELS[1], LABELS[1]],
        }
    )


def _labels_of(sb: Sandbox, contact: str) -> set[str]:
    links = sb.associations("deals", "contacts")
    mine = links[(links["from_id"].astype(str) == DEAL) & (links["to_id"].astype(str) == contact)]
    types = sb.labels("deals", "contacts")
    names = dict(zip(types["type_id"], types["label"], strict=True))
    return {str(names[t]) for t in mine["type_id"].astype(int) if pd.notna(names.get(t))}


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
@pytest.mark.parametrize("skipped", LABELS)
def test_a_label_hubspot_skips_beside_another_of_its_pair_is_not_a_success(
    version: str, skipped: str
) -> None:
    with Sandbox(seed="demo") as sb:
        type_id = sb.type_id("deals", "contacts", skipped)
        with FaultProxy(sb, then=f'swallow:"associationTypeId": {type_id}', cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, api_version=version)
            result = hf.associate(_sheet(), client, batch_size=3, progress=False)
        held = _labels_of(sb, CONTACTS[0])
    status, codes = result["status"].tolist(), result["error_code"].tolist()
    n = LABELS.index(skipped)
    assert held == {LABELS[1 - n]}
    assert status[n] == "failed" and codes[n] == "NOT_APPLIED", result
    assert status[1 - n] == "success"
    assert status[2] == ("failed" if skipped == LABELS[1] else "success")  # same type swallowed


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_a_label_applied_but_not_listed_beside_another_of_its_pair_is_read_back(
    version: str,
) -> None:
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then=f'unnamed:"{LABELS[1]}"', cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, api_version=version)
            result = hf.associate(_sheet(), client, batch_size=3, progress=False)
        held = _labels_of(sb, CONTACTS[0])
    assert held == set(LABELS)
    assert result["status"].tolist() == ["success"] * 3, result


# --- an error naming a pair whose results also list it -------------------------------------------


def _refusal(contact: str) -> dict[str, object]:
    """An error naming one pair by both its ids (as a label-specific refusal does)."""
    return {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": f"Association type is not valid for {DEAL} to {contact}",
        "context": {"fromObjectId": [DEAL], "toObjectId": [contact]},
    }


def _listed(contact: str, label: str) -> dict[str, object]:
    return {
        "fromObjectTypeId": "0-3",
        "fromObjectId": int(DEAL),
        "toObjectTypeId": "0-1",
        "toObjectId": int(contact),
        "labels": [label],
    }


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_an_error_naming_a_pair_whose_other_label_was_applied_is_settled_by_a_read(
    version: str,
) -> None:
    """HubSpot applies one label of a pair and refuses the other with an error naming the
    pair's two ids: the row of the applied label was reported ``failed`` with the error (and
    an undo left its link).  A row an error names while the results list its pair is read
    back: the applied label is a ``success``, the refused one keeps the error."""
    with Sandbox(seed="demo") as sb:
        champion = sb.type_id("deals", "contacts", LABELS[0])
        sb.associate("deals", DEAL, "contacts", CONTACTS[1], type_id=champion)
        sb.set_limit("deals", "contacts", 1, type_id=champion)  # the Champion row is refused
        body = {
            "status": "COMPLETE",
            "results": [_listed(CONTACTS[0], LABELS[1])],
            "numErrors": 1,
            "errors": [_refusal(CONTACTS[0])],
        }
        with FaultProxy(sb, then="replace:" + json.dumps(body), cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, api_version=version)
            result = hf.associate(_sheet()[:2], client, preflight=False, progress=False)
        held = _labels_of(sb, CONTACTS[0])
    assert held == {LABELS[1]}
    assert result["status"].tolist() == ["failed", "success"], result
    assert result["error_code"][0] == "LIMIT_EXCEEDED"  # the refusal, diagnosed by a read


@pytest.mark.parametrize("version", ["2026-03", "v4"])
@pytest.mark.parametrize("applied", [True, False])
def test_a_row_an_answer_both_lists_and_refuses_is_what_the_portal_shows(
    version: str, applied: bool
) -> None:
    """An answer that lists a row's pair as done and refuses it too says nothing sure: the
    row is read back (before, the error won: an applied row was reported ``failed``)."""
    with Sandbox(seed="demo") as sb:
        if not applied:  # the row is refused by a limit: HubSpot did not apply it
            maker = sb.type_id("deals", "contacts", LABELS[1])
            sb.associate("deals", DEAL, "contacts", CONTACTS[1], type_id=maker)
            sb.set_limit("deals", "contacts", 1, type_id=maker)
        body = {
            "status": "COMPLETE",
            "results": [_listed(CONTACTS[0], LABELS[1])],
            "errors": [_refusal(CONTACTS[0])],
        }
        with FaultProxy(sb, then="replace:" + json.dumps(body), cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, api_version=version)
            result = hf.associate(_sheet()[1:2], client, preflight=False, progress=False)
        held = _labels_of(sb, CONTACTS[0])
    assert held == ({LABELS[1]} if applied else set())
    assert result["status"].tolist() == ["success" if applied else "failed"], result
    if not applied:
        assert result["error_code"].iloc[0] == "LIMIT_EXCEEDED"
