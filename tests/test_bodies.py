"""Request bodies built from a batch's arrays (hubframe.run.bodies) say exactly what the
row-by-row payloads say, or are not built at all; a batch packed for the journal from its table
has the digest of the same batch packed from its items (so a resume finds it either way)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.run.bodies import encoded_inputs
from hubframe.run.endpoints import payloads
from hubframe.run.journal import pack
from hubframe.run.work import Batch, WorkItem
from hubframe.run.worktable import WorkTable
from hubframe.vocab import Action

SENT = (Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT, Action.ARCHIVE, Action.ARCHIVE_LABELS)
plain_ids = st.from_regex(r"[0-9]{1,18}", fullmatch=True)
#: Ids no template may paste: quotes, backslashes, spaces, other digits, control characters.
odd_ids = st.sampled_from(
    [
        '12"3',
        "12\\3",
        " 123",
        "١٢٣",
        "",
        "1\n2",
        "1\x002",
        "\x0012",
        "１２",
        "12\n",
        "\n12",
        "12\r",
        "12 ",
        "²",
    ]
)  # (a trailing newline too: "$" of some regex engines matches before it)
categories = st.sampled_from(["USER_DEFINED", "HUBSPOT_DEFINED", 'ODD"CAT\\', "É"])


@st.composite
def tables(draw: st.DrawFn, ids: st.SearchStrategy[str] = plain_ids) -> tuple[Action, WorkTable]:
    action = draw(st.sampled_from(SENT))
    size = draw(st.integers(1, 40))
    labeled = action in (Action.ASSOCIATE, Action.ARCHIVE_LABELS)
    types = st.tuples(categories, st.integers(1, 2**40))
    one_type = draw(types)  # the usual batch: every row of one type (its own path)
    mixed = draw(st.booleans())
    items = []
    for n in range(size):
        category, type_id = draw(types) if mixed else one_type
        items.append(
            WorkItem(
                position=n * 3,
                action=action,
                from_type="deals",
                to_type="contacts",
                from_id=draw(ids),
                to_id=draw(ids),
                category=category if labeled else None,
                type_id=type_id if labeled else None,
            )
        )
    table = WorkTable.from_items(items)
    skip = draw(st.integers(0, 3))  # ids as a slice of a longer Arrow array (offset > 0)
    kind = draw(st.sampled_from([pa.large_string(), pa.string()]))  # as a frame may hold them
    if skip or kind != pa.large_string():
        pad = ["9"] * skip
        longer_from = pa.array([*pad, *(i.from_id for i in items)], type=kind)
        longer_to = pa.array([*pad, *(i.to_id for i in items)], type=kind)
        table = WorkTable(
            **{
                **table.__dict__,
                "from_ids": longer_from.slice(skip),
                "to_ids": longer_to.slice(skip),
            }
        )
    return action, table


def _batch(action: Action, table: WorkTable) -> Batch:
    return Batch(1, action, "deals", "contacts", table=table)


def _rows(action: Action, table: WorkTable) -> list[Any]:
    items = tuple(table.items())
    return payloads(Batch(1, action, "deals", "contacts", items))


@settings(max_examples=examples(120), deadline=None)
@given(tables())
def test_a_body_from_arrays_says_what_the_row_payloads_say(case: tuple[Action, WorkTable]) -> None:
    action, table = case
    encoded = encoded_inputs(action, table)
    assert encoded is not None
    assert json.loads(encoded) == _rows(action, table)


@settings(max_examples=examples(80), deadline=None)
@given(tables(ids=st.one_of(plain_ids, odd_ids)))
def test_ids_that_need_an_encoder_get_no_template(case: tuple[Action, WorkTable]) -> None:
    action, table = case
    ids = table.from_ids.to_pylist() + table.to_ids.to_pylist()
    plain = all(i.isascii() and i.isdigit() for i in ids)
    encoded = encoded_inputs(action, table)
    assert (encoded is not None) == plain
    if encoded is not None:
        assert json.loads(encoded) == _rows(action, table)


def test_a_labeled_row_without_its_type_gets_no_template() -> None:
    items = [
        WorkItem(0, Action.ASSOCIATE, "deals", "contacts", "1", "2", "USER_DEFINED", 5),
        WorkItem(1, Action.ASSOCIATE, "deals", "contacts", "1", "3", None, None),
    ]
    assert encoded_inputs(Action.ASSOCIATE, WorkTable.from_items(items)) is None


def test_the_limit_endpoints_have_no_template() -> None:
    items = [
        WorkItem(0, Action.CREATE_LIMIT, "deals", "contacts", None, None, "USER_DEFINED", 5, 3)
    ]
    assert encoded_inputs(Action.CREATE_LIMIT, WorkTable.from_items(items)) is None


@settings(max_examples=examples(80), deadline=None)
@given(tables(ids=st.one_of(plain_ids, odd_ids)))
def test_a_batch_packs_the_same_from_its_table_or_its_items(
    case: tuple[Action, WorkTable],
) -> None:
    action, table = case
    from_table = pack(_batch(action, table))
    from_items = pack(Batch(1, action, "deals", "contacts", tuple(table.items())))
    assert from_table == from_items


def test_a_planned_batch_makes_no_items_unless_asked() -> None:
    items = [
        WorkItem(n, Action.ASSOCIATE_DEFAULT, "deals", "contacts", str(n + 1), "7")
        for n in range(5)
    ]
    batch = _batch(Action.ASSOCIATE_DEFAULT, WorkTable.from_items(items))
    assert batch.size == 5 and batch.positions() == [0, 1, 2, 3, 4]
    assert batch._items is None
    assert [i.from_id for i in batch.items] == ["1", "2", "3", "4", "5"]
    half = batch.part(batch.items[:2])
    assert half.table is None and half.size == 2 and half.positions() == [0, 1]
    assert np.array_equal(batch.table.positions if batch.table is not None else [], np.arange(5))
