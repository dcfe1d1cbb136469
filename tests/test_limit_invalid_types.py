"""A limit row HubSpot refuses as an invalid type is failed as that row's, by the type it names.

HubSpot's limits endpoints answer an invalid association type with an item error whose
context holds only ``type`` ("1-1003": the category's prefix, 0 HUBSPOT_DEFINED, 1
USER_DEFINED, and the type id), ``fromObjectType`` and ``toObjectType``, and whose message
says "1-1003 is not a valid association type between DEAL and CONTACT" (hubspot-api.md 3.4).
The sandbox added an ``associationSpec``, and hubframe read the row from it alone: in a batch
of several limit rows, HubSpot's own answer named no row hubframe could read, and the refused
row was read back and failed ``HUBSPOT_VALIDATION``; a purge's whole-request 400 was split
until the row went alone.  The row is now found by the type and the two object types, when
exactly one row of the batch has that type: ``INVALID_ASSOCIATION_TYPE``, naming its label
and type id.  Two rows of the type are left to the read, as before.

The fault proxy answers the refused rows as HubSpot does and forwards the others to the
sandbox, which applies them (it refuses a type only when its label is gone, and a run then
reads the labels list that lacks it).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import ErrorCode
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.wire import ApiResponse
from hubframe.run.answers import blame, read_answer
from hubframe.run.work import Batch, WorkItem
from hubframe.sandbox import Sandbox
from hubframe.vocab import Action

VERSIONS = ["2026-03", "2026-09", "v4"]
LABELS = list("ABCDEFG")
#: The sheet's limit for each label: A-C have none yet (created), D and E have 5 (updated),
#: F and G have 5 (purged).
ASKED = {"A": "3", "B": "3", "C": "3", "D": "4", "E": "4", "F": "remove", "G": "remove"}
REFUSED = {"B", "E", "G"}  # one row of each batch
INVALID = "crm.associations.INVALID_ASSOCIATION_TYPE"

Writer = Callable[[str, dict[str, Any], Callable[[Any], tuple[int, Any]]], tuple[int, Any]]


def _refusal(type_text: str, from_type: str = "DEAL", to_type: str = "CONTACT") -> dict[str, Any]:
    """HubSpot's item error for an invalid type on a limits endpoint (hubspot-api.md 3.4)."""
    return {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "subCategory": INVALID,
        "message": f"{type_text} is not a valid association type between {from_type} and {to_type}",
        "context": {"type": [type_text], "fromObjectType": [from_type], "toObjectType": [to_type]},
    }


def _hubspot(refused: set[int], error: Callable[[int], dict[str, Any]], log: list[str]) -> Writer:
    """A HubSpot that refuses the limit inputs of ``refused`` type ids with ``error`` and
    applies the others (a purge naming one is refused whole, with nothing applied)."""

    def on_write(
        path: str, body: dict[str, Any], forward: Callable[[Any], tuple[int, Any]]
    ) -> tuple[int, Any]:
        log.append(path.rsplit("/", 1)[-1])
        inputs = body.get("inputs", [])
        bad = [i for i in inputs if i.get("typeId") in refused]
        if not bad:
            return forward(body)
        if path.endswith("/purge"):
            return 400, {**error(bad[0]["typeId"]), "correlationId": "c-1"}
        _, answer = forward({"inputs": [i for i in inputs if i not in bad]})
        errors = [error(i["typeId"]) for i in bad]
        answer = {**answer, "numErrors": len(errors), "errors": errors}
        return (200 if "/2026-09/" in path else 207), answer

    return on_write


def _portal(sandbox_factory: Callable[..., Sandbox], labels: list[str]) -> tuple[Sandbox, dict]:
    """A portal with ``labels`` from deals to contacts, an object limit of 20, and a limit of
    5 on each label the sheet updates or purges."""
    sb = sandbox_factory(seed=None)
    ids = {name: sb.add_label("deals", "contacts", name) for name in labels}
    sb.set_limit("deals", "contacts", 20)
    for name in labels:
        if ASKED[name[0]] != "3":
            sb.set_limit("deals", "contacts", 5, type_id=ids[name])
    return sb, ids


def _sheet(labels: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "From object": "deals",
            "To object": "contacts",
            "Association label": labels,
            "Max associations": [ASKED[name[0]] for name in labels],
        }
    )
    return hf.read_limits(frame)


def _run(sb: Sandbox, labels: list[str], version: str, on_write: Writer) -> pd.DataFrame:
    with FaultProxy(sb, on_write=on_write) as fp:
        client = HubSpotClient(
            token=sb.token,
            base_url=fp.url,
            api_version=version,
            backoff_base=0.01,
            backoff_cap=0.05,
        )
        return hf.configure_limits(_sheet(labels), client, progress=False)


def _limits(sb: Sandbox) -> dict[int, int]:
    frame = sb.limits("deals", "contacts")
    return dict(
        zip(frame["type_id"].astype(int), frame["max_to_object_ids"].astype(int), strict=True)
    )


def _check(
    result: pd.DataFrame, sb: Sandbox, ids: dict[str, int], refused: set[str], *, quoted: bool
) -> None:
    """The refused rows failed as invalid types naming their label and type id (``quoted``:
    and HubSpot's message, which names the type); the others applied, and the portal holds
    what each row asked for (a refused row: what it held)."""
    limits = _limits(sb)
    for row in result.itertuples():
        name, type_id, asked = row.label, ids[row.label], ASKED[row.label[0]]
        if name in refused:
            assert (row.status, row.error_code) == ("failed", "INVALID_ASSOCIATION_TYPE"), row
            assert f'{type_id} ("{name}")' in row.error_message
            assert (f"1-{type_id} is not a valid" in row.error_message) == quoted
            assert limits.get(type_id) == (None if asked == "3" else 5)
        else:
            assert row.status == "success", row
            assert limits.get(type_id) == (None if asked == "remove" else int(asked))


@pytest.mark.parametrize("version", VERSIONS)
def test_the_refused_row_of_each_limits_batch_is_named(
    sandbox_factory: Callable[..., Sandbox], version: str
) -> None:
    sb, ids = _portal(sandbox_factory, LABELS)
    log: list[str] = []
    refused = {ids[name] for name in REFUSED}
    result = _run(sb, LABELS, version, _hubspot(refused, lambda t: _refusal(f"1-{t}"), log))
    _check(result, sb, ids, REFUSED, quoted=True)
    assert log.count("purge") == 2  # the purge refused whole, then F alone: G not sent again


@pytest.mark.parametrize("seed", seeds(12))
def test_a_refused_type_is_named_however_the_error_spells_it(
    sandbox_factory: Callable[..., Sandbox], seed: int
) -> None:
    """Two or three rows per batch (a pair holds ten labels at most), any one refused; the
    object types as HubSpot writes them (DEAL), as paths do (deals) or by type id (0-3), in
    the context, the message or both."""
    rng = random.Random(seed)
    labels = [f"{group}{n}" for group in "ADF" for n in range(rng.randint(2, 3))]
    refused = {rng.choice([name for name in labels if name[0] == group]) for group in "ADF"}
    spellings = rng.choice([("DEAL", "CONTACT"), ("deals", "contacts"), ("0-3", "0-1")])
    said = rng.choice(["context", "message", "both"])

    def error(type_id: int) -> dict[str, Any]:
        err = _refusal(f"1-{type_id}", *spellings)
        if said == "context":
            err["message"] = "One or more association types are invalid."
        if said == "message":
            err["context"] = {}
        return err

    sb, ids = _portal(sandbox_factory, labels)
    version = rng.choice(VERSIONS)
    log: list[str] = []
    result = _run(sb, labels, version, _hubspot({ids[n] for n in refused}, error, log))
    _check(result, sb, ids, refused, quoted=said != "context")


# --- a type no one row has: left to the read ----------------------------------------------------


def _item(position: int, action: Action, type_id: int, pair: tuple[str, str]) -> WorkItem:
    return WorkItem(
        position,
        action,
        *pair,
        category="USER_DEFINED",
        type_id=type_id,
        max_to_object_ids=None if action is Action.PURGE_LIMIT else 4,
        label=f"L{position}",
    )


DEALS_CONTACTS = ("deals", "contacts")
TWO_ROWS_OF_ONE_TYPE = {
    "create and update": [
        _item(0, Action.CREATE_LIMIT, 1003, DEALS_CONTACTS),
        _item(1, Action.UPDATE_LIMIT, 1003, DEALS_CONTACTS),
        _item(2, Action.CREATE_LIMIT, 1005, DEALS_CONTACTS),
    ],
    "two directions": [
        _item(0, Action.CREATE_LIMIT, 1003, DEALS_CONTACTS),
        _item(1, Action.CREATE_LIMIT, 1003, ("contacts", "deals")),
        _item(2, Action.CREATE_LIMIT, 1005, DEALS_CONTACTS),
    ],
}


@pytest.mark.parametrize("case", sorted(TWO_ROWS_OF_ONE_TYPE))
def test_a_type_two_rows_have_pins_neither(case: str) -> None:
    items = TWO_ROWS_OF_ONE_TYPE[case]
    assert blame(_refusal("1-1003"), items).rows == []
    assert blame(_refusal("1-1005"), items).sure == (2,)  # the batch's one row of 1005
    body = {"status": "COMPLETE", "results": [], "errors": [_refusal("1-1003")]}
    batch = Batch(1, Action.CREATE_LIMIT, *DEALS_CONTACTS, tuple(items))
    answer = read_answer(batch, ApiResponse(207, json.dumps(body).encode(), {}, "c-1", 1))
    assert sorted(answer.unconfirmed) == [0, 1, 2]  # each read back, none failed on a guess
    assert ErrorCode.INVALID_ASSOCIATION_TYPE.value not in {
        outcome.error_code for outcome in answer.unconfirmed.values()
    }


@pytest.mark.parametrize(
    "error",
    [
        _refusal("1-1003", "CONTACT", "DEAL"),  # the other direction's
        _refusal("0-1003"),  # HubSpot's own 1003, not the user's
        {**_refusal("1-1003"), "message": "0--1 is not a valid association type between X and Y"},
        {**_refusal("1-1003"), "subCategory": None},  # not said to be an invalid type
    ],
    ids=["direction", "category", "message-disagrees", "no-subcategory"],
)
def test_an_error_that_is_not_the_row_s_pins_nothing(error: dict[str, Any]) -> None:
    items = TWO_ROWS_OF_ONE_TYPE["create and update"][1:]
    assert blame(error, items).rows == []
