"""A write's answer settles a row only when it says, unambiguously, that it is about that row.

Each test plays an answer HubSpot's specs allow in front of a sandbox that really applies the
writes (the fault proxy of tests/faultproxy.py, or an answer written by hand), and checks every
row's outcome against the portal: a row reported ``success`` is there; a row the answer does
not tie to itself is read back or sent again, never settled with another row's code.

* A default association's answer lists both directions of each pair (deal -> company 341 and
  company -> deal 342); record ids are per object type, so deal 5 -> company 7 and deal 7 ->
  company 5 can share a batch: the reverse entry of one is not the other.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

VERSIONS = ["2026-03", "2026-09", "v4"]
D0, D1 = "1000000100", "1000000200"  # deal ids
C0, C1 = "1000000200", "1000000100"  # company ids: the deals' numbers, swapped
STAMP = {"startedAt": "2026-01-01T00:00:00.000Z", "completedAt": "2026-01-01T00:00:00.000Z"}


def _client(url: str, token: str, version: str = "2026-03") -> HubSpotClient:
    return HubSpotClient(
        token=token, base_url=url, api_version=version, backoff_base=0.01, backoff_cap=0.05
    )


def _linked(sb: Sandbox, from_type: str, to_type: str) -> set[tuple[str, str, int]]:
    frame = sb.associations(from_type, to_type)
    return set(
        zip(
            frame["from_id"].astype(str),
            frame["to_id"].astype(str),
            frame["type_id"].astype(int),
            strict=True,
        )
    )


def _pairs(sb: Sandbox, from_type: str, to_type: str) -> set[tuple[str, str]]:
    return {(f, t) for f, t, _ in _linked(sb, from_type, to_type)}


def _outcomes(result: pd.DataFrame) -> list[tuple[str, str]]:
    codes = result["error_code"].astype("string").fillna("")
    return list(zip(result["status"].astype(str), codes, strict=True))


def _default_spec(type_id: int) -> dict[str, Any]:
    return {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}


# --- R1: a result names a row of its own direction only ---------------------------------------

DEAL_COMPANY = pd.DataFrame({"Deal ID": [D0, D1], "Company ID": [C0, C1]})


def _reverse_answer(error: dict[str, Any] | None) -> dict[str, Any]:
    """Row 0's two results (deal -> company and its reverse), and ``error`` for row 1."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": [
            {"from": {"id": D0}, "to": {"id": C0}, "associationSpec": _default_spec(341)},
            {"from": {"id": C0}, "to": {"id": D0}, "associationSpec": _default_spec(342)},
        ],
        **STAMP,
    }
    if error is not None:
        body |= {"numErrors": 1, "errors": [error]}
    return body


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("how", ["swallowed", "unread error"])
def test_a_default_results_reverse_entry_confirms_no_other_row(version: str, how: str) -> None:
    """Row 1 (deal D1 -> company C1) is the reverse of row 0 by number, not by record: HubSpot
    skips it without a word, or refuses it with an error hubframe cannot read (its deal does
    not exist).  Row 0's reverse entry (company C0 -> deal D0) confirmed row 1: reported
    ``success``, not in the portal.  Now row 1 is read back and found not applied."""
    unread = {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": f"DEAL={D1} is not valid",
        "context": {"ids": [D1]},
    }
    then = (
        f'swallow:"from": {{"id": "{D1}"}}'
        if how == "swallowed"
        else "replace:" + json.dumps(_reverse_answer(unread))
    )
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", [D0, D1] if how == "swallowed" else [D0])
        sb.add_records("companies", [C0, C1])
        with FaultProxy(sb, then=then, cued=True) as fp:
            result = hf.associate(DEAL_COMPANY, _client(fp.url, sb.token, version), progress=False)
        linked = _pairs(sb, "deals", "companies")
    assert (D0, C0) in linked and (D1, C1) not in linked
    assert _outcomes(result)[0] == ("success", "")
    expected = "NOT_APPLIED" if how == "swallowed" else "OBJECT_NOT_FOUND"
    assert _outcomes(result)[1] == ("failed", expected), result["error_message"][1]


def test_a_labeled_results_reverse_entry_confirms_no_other_row() -> None:
    """The same with a labeled create: an answer listing row 0 both ways (the reverse with the
    company as its from object) does not confirm row 1; nothing of row 1 is there."""
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", [D0, D1])
        sb.add_records("companies", [C0, C1])
        partner = sb.add_label("deals", "companies", "Partner", "Partner of")
        sb.associate("deals", D0, "companies", C0, partner)
        result_of = {"toObjectTypeId": "0-2", "toObjectId": int(C0), "labels": ["Partner"]}
        reverse = {"toObjectTypeId": "0-3", "toObjectId": int(D0), "labels": ["Partner of"]}
        answer = {
            "status": "COMPLETE",
            "results": [
                {"fromObjectTypeId": "0-3", "fromObjectId": int(D0), **result_of},
                {"fromObjectTypeId": "0-2", "fromObjectId": int(C0), **reverse},
            ],
            **STAMP,
        }
        sheet = DEAL_COMPANY.assign(**{"Association label": ["Partner", "Partner"]})
        with FaultProxy(sb, then="answer:" + json.dumps(answer), cued=True) as fp:
            result = hf.associate(sheet, _client(fp.url, sb.token), progress=False)
        linked = _pairs(sb, "deals", "companies")
    assert (D1, C1) not in linked
    assert _outcomes(result) == [("success", ""), ("failed", "NOT_APPLIED")]


def test_a_same_object_pairs_reverse_entry_is_its_pair() -> None:
    """Deal A -> deal B is deal B -> deal A (one type both ways, 451): the reverse entry of
    one row confirms the row of the swapped pair, and no read is made."""
    a, b = "1000000100", "1000000200"
    frame = pd.DataFrame({"From ID": [a, b], "To ID": [b, a]})
    sheet = hf.read_pairs(frame, from_type="deals", to_type="deals")
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", [a, b])
        with FaultProxy(sb, then=f'swallow:"from": {{"id": "{b}"}}', cued=True) as fp:
            result = hf.associate(sheet, _client(fp.url, sb.token), progress=False)
        reads = sb.request_log()["path"].str.endswith("/batch/read").sum()
    assert _outcomes(result) == [("success", ""), ("success", "")]
    assert reads == 0


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d{10}", text))


# --- R2: an error naming several pairs in parallel lists ---------------------------------------

R2_DEALS = ["2040000001", "2040000002"]
R2_CONTACTS = ["1019360001", "1019360002"]
#: rows 0 and 1 fit the limit of one contact per deal, rows 2 and 3 do not
R2_ROWS = [(0, 0), (1, 1), (0, 1), (1, 0)]
R2_SHEET = pd.DataFrame(
    {
        "Deal ID": [R2_DEALS[d] for d, _ in R2_ROWS],
        "Contact ID": [R2_CONTACTS[c] for _, c in R2_ROWS],
    }
)


def _parallel_error(to_ids: list[str]) -> dict[str, Any]:
    """A limit error naming deals D1, D2 and ``to_ids`` in parallel lists."""
    return {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "subCategory": "crm.associations.ASSOCIATION_LIMIT_EXCEEDED",
        "message": "One or more associations exceed the configured limit",
        "correlationId": "00000000-0000-4000-8000-000000000001",
        "context": {
            "fromObjectId": list(R2_DEALS),
            "toObjectId": to_ids,
            "associationSpec": ["HUBSPOT_DEFINED=3"] * 2,
        },
    }


def _limited_deals(behaviour: dict[str, str] | None = None) -> Sandbox:
    sb = Sandbox(seed=None, behaviour=behaviour).start()
    sb.add_records("deals", R2_DEALS)
    sb.add_records("contacts", R2_CONTACTS)
    sb.set_limit("deals", "contacts", 1)  # unlabeled deal -> contact: one per deal
    return sb


@pytest.mark.parametrize(
    "to_ids", [[R2_CONTACTS[1], R2_CONTACTS[0]], [R2_CONTACTS[1], R2_CONTACTS[0], "1019369999"]]
)
def test_a_refusal_naming_pairs_in_parallel_lists_fails_those_pairs_only(
    to_ids: list[str],
) -> None:
    """A 400 (nothing applied) whose error names (D1, C2) and (D2, C1) in parallel lists
    failed the cross rows (D1, C1) and (D2, C2) too: with another row's limit error, never sent
    again.  Lists of one length name their pairs (zip); lists that do not pair up name no row
    for sure, and the rows they may be about are sent again."""
    sb = _limited_deals({"partial_failure": "refuse_batch"})
    refusal = "replace:" + json.dumps(_parallel_error(to_ids))
    try:
        with FaultProxy(sb, then=refusal, then_count=1, cued=True) as fp:
            result = hf.associate(R2_SHEET, _client(fp.url, sb.token), progress=False)
        linked = _pairs(sb, "deals", "contacts")
    finally:
        sb.stop()
    assert _outcomes(result) == [("success", "")] * 2 + [("failed", "LIMIT_EXCEEDED")] * 2
    assert {(R2_DEALS[0], R2_CONTACTS[0]), (R2_DEALS[1], R2_CONTACTS[1])} == linked
    for n in (2, 3):
        deal = R2_DEALS[R2_ROWS[n][0]]
        assert _numbers(result["error_message"][n]) <= {deal, R2_CONTACTS[R2_ROWS[n][1]]}


def test_a_partial_answer_naming_pairs_in_parallel_lists_fails_those_pairs_only() -> None:
    """The same error in a 207 whose results list nothing: rows 0 and 1 were applied (the
    sandbox applies them) and were reported LIMIT_EXCEEDED; now they are read back."""
    sb = _limited_deals()
    answer = {
        "status": "COMPLETE",
        "results": [],
        "numErrors": 1,
        "errors": [_parallel_error([R2_CONTACTS[1], R2_CONTACTS[0]])],
        **STAMP,
    }
    try:
        with FaultProxy(sb, then="replace:" + json.dumps(answer), then_count=1, cued=True) as fp:
            result = hf.associate(R2_SHEET, _client(fp.url, sb.token), progress=False)
        linked = _pairs(sb, "deals", "contacts")
    finally:
        sb.stop()
    assert {(R2_DEALS[0], R2_CONTACTS[0]), (R2_DEALS[1], R2_CONTACTS[1])} == linked
    assert _outcomes(result) == [("success", "")] * 2 + [("failed", "LIMIT_EXCEEDED")] * 2
