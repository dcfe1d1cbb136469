"""Any JSON in HubSpot's place is read as an answer or refused as one; nothing else escapes.

A write answer whose ``errors`` was ``true`` or a number (``for err in body.get("errors") or
[]``) raised TypeError inside the run, as did a read answer whose ``results`` was ``true``.
Hypothesis draws JSON bodies from HubSpot's own vocabulary of keys, nested and out of shape,
for every write action and for the batch read: reading them gives outcomes or a
HubframeError, never another exception.  A type id of more than 4,300 digits in an error's
context raised ValueError (Python makes no int of it) and stopped the run.
"""

from __future__ import annotations

import json
from typing import Any

from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.errors import HubframeError
from hubframe.hubspot.pages import PageWalk
from hubframe.hubspot.wire import ApiResponse
from hubframe.run.answers import classify, read_answer, rows_named
from hubframe.run.work import Batch, WorkItem
from hubframe.vocab import Action

KEYS = [
    "results", "errors", "from", "to", "id", "context", "fromObjectId", "toObjectId", "labels",
    "category", "typeId", "subCategory", "message", "status", "objectId", "objectType",
    "associationSpec", "INVALID_OBJECT_IDS", "INVALID_ASSOCIATION_TYPE_ID", "paging", "next",
    "after", "associationTypes", "userEnforcedMaxToObjectIds",
]  # fmt: skip
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2**70),
    st.floats(allow_nan=False),
    st.sampled_from(["10", "11", "20", "x", "", "0-1", "USER_DEFINED", "USER_DEFINED:1001"]),
    # numbers of more digits than Python makes an int of (4,300): a context's type id, a spec
    st.integers(4301, 4400).map(lambda n: "7" * n),
    st.integers(4301, 4400).map(lambda n: "USER_DEFINED=" + "7" * n),
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=25,
)
BODIES = st.dictionaries(st.sampled_from(KEYS), JSON_VALUES, max_size=5)
ACTIONS = [
    Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT, Action.ARCHIVE, Action.ARCHIVE_LABELS,
    Action.CREATE_LIMIT, Action.UPDATE_LIMIT, Action.PURGE_LIMIT,
]  # fmt: skip


def _batch(action: Action, rows: int) -> Batch:
    defined = "USER_DEFINED"
    items = tuple(
        WorkItem(
            i, action, "deals", "contacts", category=defined, type_id=1001, max_to_object_ids=3
        )
        if action.is_limit
        else WorkItem(
            i, action, "deals", "contacts", str(10 + i % 2), str(20 + i), defined, 1001, label="X"
        )
        for i in range(rows)
    )
    return Batch(1, action, "deals", "contacts", items)


@settings(max_examples=examples(160), deadline=None)
@given(
    action=st.sampled_from(ACTIONS),
    rows=st.integers(1, 4),
    body=BODIES,
    status=st.sampled_from([200, 201, 207]),
)
def test_a_write_answer_of_any_shape_reads_or_is_refused(
    action: Action, rows: int, body: dict[str, Any], status: int
) -> None:
    batch = _batch(action, rows)
    try:
        answer = read_answer(batch, ApiResponse(status, json.dumps(body).encode(), {}, "c", 1), 0)
    except HubframeError:
        return
    assert len(answer.outcomes) == rows
    errors = body.get("errors")
    for err in errors if isinstance(errors, list) else []:
        if isinstance(err, dict):
            assert all(0 <= i < rows for i in rows_named(err, batch.items))
            classify(err)


@settings(max_examples=examples(160), deadline=None)
@given(body=BODIES, results=st.one_of(LEAVES, st.lists(JSON_VALUES, max_size=3), JSON_VALUES))
def test_a_read_answer_of_any_shape_reads_or_is_refused(body: dict[str, Any], results: Any) -> None:
    body = {**body, "results": results}
    walk = PageWalk(["10", "11"], "deals to contacts")
    chunk = walk.take()
    try:
        settled = walk.settle(json.loads(json.dumps(body)), chunk)
    except HubframeError:
        return
    assert {from_id for from_id, _ in settled.found} <= {"10", "11"}


_HUGE = "7" * 4400
_HUGE_CONTEXTS = [
    {"typeId": [_HUGE]},
    {"associationTypeId": [_HUGE]},
    {"associationSpec": [f"USER_DEFINED={_HUGE}"]},
    {"INVALID_ASSOCIATION_TYPE_ID": [f"HUBSPOT_DEFINED={_HUGE}"]},
    {"typeId": [_HUGE], "fromObjectId": ["10"], "toObjectId": ["20"]},
]


@settings(max_examples=examples(60), deadline=None)
@given(
    action=st.sampled_from(ACTIONS),
    rows=st.integers(1, 4),
    context=st.sampled_from(_HUGE_CONTEXTS),
    category=st.sampled_from(["VALIDATION_ERROR", "OBJECT_NOT_FOUND", "INVALID_ASSOCIATION"]),
    status=st.sampled_from([207, 200]),
)
def test_an_error_naming_a_type_id_of_thousands_of_digits_reads(
    action: Action, rows: int, context: dict[str, Any], category: str, status: int
) -> None:
    """The errors of a 207 whose context names a type id of 4,400 digits: read (the number
    names no type), never a ValueError out of the run."""
    batch = _batch(action, rows)
    err = {"status": "error", "category": category, "message": "bad", "context": context}
    body = {"status": "COMPLETE", "results": [], "errors": [err], "numErrors": 1}
    try:
        answer = read_answer(batch, ApiResponse(status, json.dumps(body).encode(), {}, "c", 1), 0)
    except HubframeError:
        return
    assert len(answer.outcomes) == rows
    assert all(0 <= i < rows for i in rows_named(err, batch.items))
    classify(err)
