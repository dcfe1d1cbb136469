"""A write's answer confirms a row only by what its top-level ``results`` say, read as HubSpot
means it; anything else in the answer, or a value there that does not read, confirms nothing.

Before:

* an answer read from its bytes (the fast path of a run's common answer) found its pairs
  anywhere in the body: a gateway echoing the request (``"echo": {"inputs": [...]}``), a
  second list of results under another key, ``results`` spelled twice or with escapes (JSON
  keeps the last) all had every row reported ``success`` though nothing was applied; and a
  result of the other direction (a default association's reverse entry, a labeled result whose
  object types are the other way round) confirmed a row the parsed answer does not;
* a limit create or update answered with another limit spelled ``"50"``, ``50.0``, ``true`` or
  under ``maxToObjectIds`` (as pre-flight reads it) was ``success`` with the limit sent;
* a labeled create whose result's ``labels`` was a text, or a list holding a number beside the
  label, was ``success`` though the label was not set; a default association's result whose
  type id was a text (``"4"``: the other direction's) confirmed the row.

Now each such row is unconfirmed and settled by a read of the portal, as any other.  The
tests play each answer in front of a sandbox that applies what the answer's HubSpot applied
(the fault proxy of tests/faultproxy.py), and check every row against the portal."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import HUBSPOT_DEFINED
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.wire import ApiResponse
from hubframe.run.answers import read_answer
from hubframe.run.work import Batch, WorkItem
from hubframe.run.worktable import WorkTable
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids
from hubframe.vocab import Action, Status

LABEL = "Decision maker"
STAMP = b'"startedAt":"2026-01-01T00:00:00.000Z","completedAt":"2026-01-01T00:00:01.000Z"'
#: Where an answer puts what is not its results: the request's inputs echoed, a full list of
#: results naming every row (nested, or as ``results`` again, or spelled with escapes: JSON
#: keeps the last ``results``), before or after the real list.
DECOYS = [
    "none",
    "echo",
    "inputs_first",
    "nested",
    "twice",
    "escaped_first",
    "escaped_last",
    "spaced_echo",
]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _answer(results: list[Any], every: list[Any], inputs: list[Any], decoy: str) -> bytes:
    """An answer whose top-level ``results`` (as JSON reads it) is ``results``, beside
    ``decoy``: ``every`` (results naming every row) or the request's ``inputs``."""
    real, fake, sent = _dumps(results), _dumps(every), _dumps(inputs)
    status = b'"status":"COMPLETE"'
    bodies = {
        "none": b"{" + status + b',"results":' + real + b"," + STAMP + b"}",
        "echo": b"{" + status + b',"results":' + real + b',"echo":{"inputs":' + sent + b"}}",
        "inputs_first": b'{"inputs":' + sent + b"," + status + b',"results":' + real + b"}",
        "nested": b"{" + status + b',"results":' + real + b',"previous":{"results":' + fake + b"}}",
        "twice": b'{"results":' + fake + b"," + status + b',"results":' + real + b"}",
        "escaped_first": b'{"result\\u0073":' + fake + b"," + status + b',"results":' + real + b"}",
        "escaped_last": b'{"results":' + fake + b"," + status + b',"result\\u0073":' + real + b"}",
        "spaced_echo": json.dumps(
            {"status": "COMPLETE", "results": results, "echo": {"inputs": inputs}}
        ).encode(),
    }
    body = bodies[decoy]
    assert [_key(r) for r in json.loads(body)["results"]] == [_key(r) for r in results]
    return body


def _key(result: dict[str, Any]) -> tuple[str, str]:
    if "from" in result:
        return str(result["from"]["id"]), str(result["to"]["id"])
    return str(result["fromObjectId"]), str(result["toObjectId"])


def _result(labeled: bool, from_id: str, to_id: str) -> list[dict[str, Any]]:
    """What HubSpot's answer lists for a pair it linked (a default association: both ways)."""
    if labeled:
        return [
            {
                "fromObjectTypeId": "0-3",
                "fromObjectId": int(from_id),
                "toObjectTypeId": "0-1",
                "toObjectId": int(to_id),
                "labels": [LABEL],
            }
        ]
    spec = {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": 3}
    back = {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": 4}
    return [
        {"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": spec},
        {"from": {"id": to_id}, "to": {"id": from_id}, "associationSpec": back},
    ]


class _Hub:
    """HubSpot applying some of a write's inputs (each kept at random), its answer listing
    what it applied beside a decoy naming every input."""

    def __init__(self, rng: random.Random, decoy: str) -> None:
        self.rng, self.decoy = rng, decoy

    def __call__(
        self, path: str, body: Any, forward: Callable[[Any], tuple[int, Any]]
    ) -> tuple[int, Any]:
        inputs = body["inputs"]
        kept = [i for i in inputs if self.rng.random() < 0.5]
        results: list[Any] = []
        if kept:
            status, answer = forward({"inputs": kept})
            assert status < 300, answer
            results = answer["results"]
        labeled = "types" in inputs[0]
        every = [r for i in inputs for r in _result(labeled, i["from"]["id"], i["to"]["id"])]
        return 200, _answer(results, every, inputs, self.decoy)


def _client(url: str, token: str) -> HubSpotClient:
    return hf.HubSpotClient(token=token, base_url=url, backoff_base=0.01, backoff_cap=0.05)


def _linked(sb: Sandbox) -> set[tuple[str, str, int]]:
    frame = sb.associations("deals", "contacts")
    return set(
        zip(
            frame["from_id"].astype(str),
            frame["to_id"].astype(str),
            frame["type_id"].astype(int),
            strict=True,
        )
    )


def _label_id(sb: Sandbox) -> int:
    labels = sb.labels("deals", "contacts")
    return int(labels.loc[labels["label"] == LABEL, "type_id"].iloc[0])


def test_pairs_outside_the_answers_results_confirm_no_row() -> None:
    """Seeded: each decoy, labeled and not; a row is ``success`` exactly when its change is
    in the portal, and a row its HubSpot did not apply is ``NOT_APPLIED``."""
    deals = [str(d) for d in demo_ids("deals")]
    contacts = [str(c) for c in demo_ids("contacts")]
    with Sandbox(seed="demo") as sb:
        label_id = _label_id(sb)
        for n, (decoy, labeled) in enumerate((d, b) for d in DECOYS for b in (False, True)):
            rng = random.Random(n)
            size = rng.randint(2, 5)
            pairs = list(zip(deals[n * 5 : n * 5 + size], contacts[100 + n * 5 :], strict=False))
            sheet = pd.DataFrame(pairs, columns=["Deal ID", "Contact ID"])
            if labeled:
                sheet["Association label"] = LABEL
            with FaultProxy(sb, on_write=_Hub(rng, decoy)) as fp:
                result = hf.associate(
                    sheet, _client(fp.url, sb.token), progress=False, preflight=False
                )
            linked = _linked(sb)
            for row, (deal, contact) in enumerate(pairs):
                there = (deal, contact, label_id if labeled else 3) in linked
                status, code = result["status"][row], result["error_code"][row]
                where = f"{decoy} labeled={labeled} row {row}: {status} {code}"
                assert (status == "success") == there, where
                if not there:
                    assert code == "NOT_APPLIED", where


def _batch(action: Action, n: int) -> Batch:
    labeled = action is Action.ASSOCIATE
    items = [
        WorkItem(
            i,
            action,
            "deals",
            "contacts",
            str(1000 + i),
            str(2000 + i),
            category="USER_DEFINED" if labeled else None,
            type_id=7 if labeled else None,
            label=LABEL if labeled else None,
        )
        for i in range(n)
    ]
    return Batch(1, action, "deals", "contacts", table=WorkTable.from_items(items))


@settings(max_examples=150, deadline=None)
@given(
    labeled=st.booleans(),
    listed=st.sets(st.integers(0, 5)),
    decoy=st.sampled_from(DECOYS),
)
def test_read_from_its_bytes_or_parsed_an_answer_confirms_the_same_rows(
    labeled: bool, listed: set[int], decoy: str
) -> None:
    """Whatever path reads it, a row is a success exactly when the top-level ``results`` JSON
    reads list it."""
    action = Action.ASSOCIATE if labeled else Action.ASSOCIATE_DEFAULT
    batch = _batch(action, 6)
    pair = [(str(1000 + i), str(2000 + i)) for i in range(6)]
    results = [r for i in sorted(listed) for r in _result(labeled, *pair[i])]
    every = [r for p in pair for r in _result(labeled, *p)]
    inputs = [{"from": {"id": f}, "to": {"id": t}} for f, t in pair]
    content = _answer(results, every, inputs, decoy)
    answer = read_answer(batch, ApiResponse(200, content, {}, "c-1", 1))
    statuses = [o.status for o in answer.outcomes]
    assert statuses == [Status.SUCCESS if i in listed else Status.FAILED for i in range(6)]


class _Unparsed(ApiResponse):
    def json(self) -> dict[str, Any]:
        raise AssertionError("the answer was parsed")


@pytest.mark.parametrize("labeled", [False, True])
def test_the_common_answer_is_still_read_from_its_bytes(labeled: bool) -> None:
    """The answer HubSpot writes (no spaces, nothing but its results beside scalars) is read
    without parsing, as the fast path was meant to (2,000 rows)."""
    action = Action.ASSOCIATE if labeled else Action.ASSOCIATE_DEFAULT
    batch = _batch(action, 2000)
    results = [r for i in range(2000) for r in _result(labeled, str(1000 + i), str(2000 + i))]
    content = _answer(results, [], [], "none")
    answer = read_answer(batch, _Unparsed(200, content, {}, "c-1", 1))
    assert {o.status for o in answer.outcomes} == {Status.SUCCESS}


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    ("labeled", "entry"),
    [
        # a default association's reverse entry (contact 1000 -> deal 2000), its type id a
        # number or a text, or a text that does not read
        (False, {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": 4}),
        (False, {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": "4"}),
        (False, {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": "four"}),
        (False, {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": 4.0}),
        # a labeled result of contact 1000 -> deal 2000, or whose types do not read
        (True, ("0-1", "0-3")),
        (True, (1, 3)),
    ],
)
def test_a_result_of_the_other_direction_confirms_no_row(
    labeled: bool, entry: Any, fast: bool
) -> None:
    """Deal 1000 -> contact 2000 and an answer listing only (1000, 2000) of the other
    direction, or of a direction that does not read: the row is read back, whichever path
    reads the answer (``fast``: written as HubSpot writes its answers)."""
    action = Action.ASSOCIATE if labeled else Action.ASSOCIATE_DEFAULT
    batch = _batch(action, 1)
    if labeled:
        result: dict[str, Any] = {
            "fromObjectTypeId": entry[0],
            "fromObjectId": 1000,
            "toObjectTypeId": entry[1],
            "toObjectId": 2000,
            "labels": [LABEL],
        }
    else:
        result = {"from": {"id": "1000"}, "to": {"id": "2000"}, "associationSpec": entry}
    body = {"status": "COMPLETE", "results": [result]}
    content = _dumps(body) if fast else json.dumps(body).encode()
    unlabeled = {("deals", "contacts"): frozenset({3}), ("contacts", "deals"): frozenset({4})}
    answer = read_answer(batch, ApiResponse(200, content, {}, "c-1", 1), unlabeled=unlabeled)
    assert answer.outcomes[0].status is Status.FAILED
    assert list(answer.unconfirmed) == [0]


LIMIT_SHEET = "from_type,to_type,label,max_to_object_ids\ndeals,contacts,{label},{limit}\n"
#: How an answer spells a limit (``n``: the value it gives), and whether it reads as ``n``.
SPELLINGS: list[tuple[str, Callable[[int], dict[str, Any]], bool]] = [
    ("int", lambda n: {"userEnforcedMaxToObjectIds": n}, True),
    ("digits", lambda n: {"userEnforcedMaxToObjectIds": str(n)}, True),
    ("maxToObjectIds", lambda n: {"maxToObjectIds": n}, True),
    ("maxToObjectIds digits", lambda n: {"maxToObjectIds": str(n)}, True),
    ("both keys", lambda n: {"userEnforcedMaxToObjectIds": n, "maxToObjectIds": n}, True),
    ("float", lambda n: {"userEnforcedMaxToObjectIds": float(n)}, False),
    ("float text", lambda n: {"userEnforcedMaxToObjectIds": f"{n}.0"}, False),
    ("spaced text", lambda n: {"userEnforcedMaxToObjectIds": f" {n}"}, False),
    ("true", lambda n: {"userEnforcedMaxToObjectIds": True}, False),
    ("null", lambda n: {"userEnforcedMaxToObjectIds": None}, False),
    ("list", lambda n: {"userEnforcedMaxToObjectIds": [n]}, False),
]


class _LimitHub:
    """HubSpot applying a limit write or not, its answer giving the limit sent (applied) or
    ten times it (not applied), spelled ``spell``; ``keys``: the sent limit under one key and
    another limit under the other (not applied)."""

    def __init__(self, apply: bool, spell: Callable[[int], dict[str, Any]]) -> None:
        self.apply, self.spell = apply, spell

    def __call__(
        self, path: str, body: Any, forward: Callable[[Any], tuple[int, Any]]
    ) -> tuple[int, Any]:
        if self.apply:
            status, answer = forward(body)
            assert status < 300, answer
        results = []
        for entry in body["inputs"]:
            sent = int(entry["maxToObjectIds"])
            given = self.spell(sent if self.apply else sent * 10)
            results.append({"category": entry["category"], "typeId": entry["typeId"], **given})
        return 200, {"status": "COMPLETE", "results": results}


def _limit_held(sb: Sandbox, type_id: int) -> int | None:
    limits = sb.limits("deals", "contacts")
    held = limits.loc[limits["type_id"] == type_id, "max_to_object_ids"]
    return None if held.empty or pd.isna(held.iloc[0]) else int(held.iloc[0])


def test_a_limit_answer_confirms_a_row_only_with_the_limit_sent() -> None:
    """Each spelling of a limit, applied and given as sent, or not applied and given as
    another (or not reading as a limit): a row is ``success`` exactly when the portal holds
    the limit sent; one the answer's HubSpot did not apply is ``NOT_APPLIED``.  And an answer
    giving the limit sent under one key and another under the other is read back."""
    cases: list[tuple[str, bool, Callable[[int], dict[str, Any]]]] = []
    for name, spell, reads in SPELLINGS:
        cases.append((name, False, spell))
        if reads:
            cases.append((name, True, spell))
    cases.append(
        (
            "two limits",
            False,
            lambda n: {"userEnforcedMaxToObjectIds": n // 10, "maxToObjectIds": n},
        )
    )
    with Sandbox(seed="demo") as sb:
        type_ids = {LABEL: _label_id(sb), "": 3}
        for n, (name, apply, spell) in enumerate(cases):
            label = LABEL if n % 2 else ""
            # none the demo portal holds (25, 2), labels' under the object limit (25 and up)
            limit = 3 + n if label else 30 + n
            sheet = LIMIT_SHEET.format(label=label, limit=limit).encode()
            with FaultProxy(sb, on_write=_LimitHub(apply, spell)) as fp:
                result = hf.configure_limits(
                    hf.read_limits(io.BytesIO(sheet)), _client(fp.url, sb.token), progress=False
                )
            held = _limit_held(sb, type_ids[label])
            status, code = result["status"].iloc[0], str(result["error_code"].iloc[0])
            message = result["error_message"].iloc[0]
            where = f"{name} applied={apply}: {status} {code} {message}, portal holds {held}"
            assert (status == "success") == (held == limit), where
            assert held == limit if apply else code == "NOT_APPLIED", where


@pytest.mark.parametrize(
    ("labels", "set_label"),
    [
        (LABEL, False),  # a text, not a list
        ({"0": LABEL}, False),
        ([LABEL, 7], False),  # a list holding a number beside the label
        ([{"label": LABEL}], False),
        (LABEL, True),  # set, the answer unreadable all the same: the read says so
        ([LABEL, None], True),
    ],
)
def test_labels_that_do_not_read_confirm_no_label(labels: Any, set_label: bool) -> None:
    """A labeled create whose HubSpot linked the pair (with its label or without), its answer
    listing the pair with ``labels`` that are not a list of names: the row is read back."""
    deal, contact = str(demo_ids("deals")[79]), str(demo_ids("contacts")[239])

    def hub(path: str, body: Any, forward: Callable[[Any], tuple[int, Any]]) -> tuple[int, Any]:
        inputs = body["inputs"]
        if not set_label:  # the pair linked with its unlabeled type only
            spec = {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": 3}
            inputs = [{**i, "types": [spec]} for i in inputs]
        status, answer = forward({"inputs": inputs})
        assert status < 300, answer
        for entry in answer["results"]:
            entry["labels"] = labels
        return 200, answer

    sheet = pd.DataFrame({"Deal ID": [deal], "Contact ID": [contact], "Association label": [LABEL]})
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, on_write=hub) as fp:
            result = hf.associate(sheet, _client(fp.url, sb.token), progress=False, preflight=False)
        there = (deal, contact, _label_id(sb)) in _linked(sb)
    assert there == set_label
    status, code = result["status"].iloc[0], result["error_code"].iloc[0]
    assert (status == "success") == there, (status, code, result["error_message"].iloc[0])
    if not there:
        assert code == "NOT_APPLIED"
