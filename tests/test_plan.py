"""Planning: repeats set aside, groups by (from, to, action), chunks within the maxima."""

from __future__ import annotations

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.errors import ConfigurationError, ErrorCode
from hubframe.io.text import recall
from hubframe.run.endpoints import ENDPOINTS, batch_limit
from hubframe.run.plan import make_plan
from hubframe.run.work import WorkItem
from hubframe.run.worktable import ACTIONS, WorkTable
from hubframe.vocab import Action, Status

TYPES = ("deals", "contacts", "companies")


def pair(position: int, from_id: str, to_id: str, *, type_id: int | None = None) -> WorkItem:
    return WorkItem(
        position=position,
        action=Action.ASSOCIATE if type_id is not None else Action.ASSOCIATE_DEFAULT,
        from_type="deals",
        to_type="contacts",
        from_id=from_id,
        to_id=to_id,
        category="USER_DEFINED" if type_id is not None else None,
        type_id=type_id,
    )


#: Record ids the planner codes three ways: numbers in a narrow range (placed in a grid of both
#: ranges), numbers far apart (the grid would leave int64: each side coded first), and text.
ID_POOLS = {
    "narrow": [str(i) for i in range(1, 41)],
    "wide": ["1", "2", str(10**17), str(10**18 - 1), str(5 * 10**17 + 3), "999999999999999998"],
    "text": ["a", "b", "1", "2", "x9", "10"],
    # texts a number parser reads as one number (7 or 10): each is its own id (validation
    # refuses or rewrites them, but a planner handed them must not merge them into "repeats")
    "numeric": ["7", "07", "007", "0x7", "0X7", "10", "0xA", "010"],
    # "0" is written the one way its number is but is no record id: coded as text, apart
    "zero": ["0", "00", "1", "01", "10", "0.0"],
}


@st.composite
def work_items(draw: st.DrawFn) -> list[WorkItem]:
    n = draw(st.integers(min_value=0, max_value=300))
    pool = ID_POOLS[draw(st.sampled_from(sorted(ID_POOLS)))]
    to_pool = pool[: draw(st.integers(1, len(pool)))]  # the two sides' ranges differ
    one_group = draw(st.booleans())  # the usual sheet: one object pair, one action
    items = []
    for position in range(n):
        from_type = "deals" if one_group else draw(st.sampled_from(TYPES))
        to_type = "contacts" if one_group else draw(st.sampled_from(TYPES))
        type_id = 2 if one_group else draw(st.one_of(st.none(), st.integers(1, 4)))
        items.append(
            WorkItem(
                position=position,
                action=Action.ASSOCIATE if type_id is not None else Action.ASSOCIATE_DEFAULT,
                from_type=from_type,
                to_type=to_type,
                from_id=draw(st.sampled_from(pool)),
                to_id=draw(st.sampled_from(to_pool)),
                category="USER_DEFINED" if type_id is not None else None,
                type_id=type_id,
            )
        )
    return items


@settings(max_examples=examples(30), deadline=None)
@given(items=work_items(), batch_size=st.integers(min_value=1, max_value=40))
def test_no_row_lost_or_sent_twice_and_batches_within_max(
    items: list[WorkItem], batch_size: int
) -> None:
    plan = make_plan(items, batch_size=batch_size)
    batches = list(plan.stream())
    sent = [i.position for b in batches for i in b.items]
    assert len(sent) == len(set(sent))
    assert sorted(sent + list(plan.settled)) == list(range(len(items)))
    assert not set(sent) & set(plan.settled)
    for batch in batches:
        assert 1 <= len(batch.items) <= min(batch_size, ENDPOINTS[batch.action].maximum)
        assert {i.group for i in batch.items} == {(batch.from_type, batch.to_type, batch.action)}
    # each identity is sent at most once
    identities = [i.identity for b in batches for i in b.items]
    assert len(identities) == len(set(identities))


@settings(max_examples=examples(30), deadline=None)
@given(items=work_items(), batch_size=st.integers(min_value=1, max_value=40))
def test_order_kept_within_groups_and_batches_numbered(
    items: list[WorkItem], batch_size: int
) -> None:
    plan = make_plan(items, batch_size=batch_size)
    batches = list(plan.stream())
    assert [b.number for b in batches] == list(range(1, len(batches) + 1))
    by_group: dict[tuple[str, str, str], list[int]] = {}
    for batch in batches:
        by_group.setdefault((batch.from_type, batch.to_type, batch.action), []).extend(
            i.position for i in batch.items
        )
    for positions in by_group.values():
        assert positions == sorted(positions)
    # a batch is emitted when full: all full batches come before any partial one
    sizes = [(len(b.items), min(batch_size, ENDPOINTS[b.action].maximum)) for b in batches]
    partial = [n for n, (size, limit) in enumerate(sizes) if size < limit]
    assert all(sizes[n][0] == sizes[n][1] for n in range(partial[0] if partial else 0))


def test_repeats_are_duplicates_naming_the_first_row() -> None:
    items = [pair(0, "1", "2"), pair(1, "1", "3"), pair(2, "1", "2")]
    plan = make_plan(items, describe=lambda p: f"row {p + 2}")
    assert plan.rows_to_send == 2
    assert plan.settled[2].status == Status.DUPLICATE
    assert plan.settled[2].error_code == ErrorCode.DUPLICATE_ROW
    assert "row 2" in (plan.settled[2].error_message or "")


def test_conflicting_limit_rows_are_invalid() -> None:
    def limit(position: int, value: int, type_id: int = 7) -> WorkItem:
        return WorkItem(
            position, Action.CREATE_LIMIT, "deals", "contacts", category="USER_DEFINED",
            type_id=type_id, max_to_object_ids=value,
        )  # fmt: skip

    plan = make_plan([limit(0, 3), limit(1, 4), limit(2, 3)], describe=lambda p: f"row {p + 2}")
    # None is sent: sending the first would choose 3 over 4 for the analyst.
    assert {p: o.status for p, o in plan.settled.items()} == dict.fromkeys(range(3), Status.INVALID)
    assert {o.error_code for o in plan.settled.values()} == {ErrorCode.CONFLICTING_ROWS}
    said = {p: o.error_message or "" for p, o in plan.settled.items()}
    assert "row 3" in said[0] and "row 2" in said[1] and "row 3" in said[2]  # a row asking else
    assert plan.rows_to_send == 0
    agreeing = make_plan([limit(0, 3), limit(1, 3), limit(2, 5, type_id=8)])
    assert agreeing.settled[1].status == Status.DUPLICATE and agreeing.rows_to_send == 2


def test_chunks_to_the_maximum_and_batch_size_lowers_it() -> None:
    items = [pair(p, str(p), "9", type_id=1) for p in range(4_500)]
    assert [len(b.rows) for b in make_plan(items).batches] == [2_000, 2_000, 500]
    assert [len(b.rows) for b in make_plan(items, batch_size=1_500).batches] == [1_500] * 3
    assert batch_limit(Action.ASSOCIATE, 5_000) == 2_000
    with pytest.raises(ConfigurationError):
        batch_limit(Action.ASSOCIATE, 0)


def test_dry_run_rows_are_planned_with_batch_numbers() -> None:
    items = [pair(0, "1", "2"), pair(1, "1", "2", type_id=1), pair(2, "3", "4")]
    plan = make_plan(items, batch_size=1)
    positions, actions, numbers = plan.planned()
    assert dict(zip(positions.tolist(), numbers.tolist(), strict=True)) == {0: 1, 1: 2, 2: 3}
    assert [ACTIONS[a] for a in actions.tolist()] == [
        Action.ASSOCIATE_DEFAULT,
        Action.ASSOCIATE,
        Action.ASSOCIATE_DEFAULT,
    ]


def _streamed(items: list[WorkItem], batch_size: int) -> list[tuple[int, Action, list[int]]]:
    """The planner hubframe had before plans were made column by column (a batch is emitted
    when it fills; the open ones at the end, in the order they were started): the reference."""
    first: dict[tuple[object, ...], WorkItem] = {}
    open_chunks: dict[tuple[str, str, Action], list[WorkItem]] = {}
    out: list[tuple[int, Action, list[int]]] = []
    for item in items:
        if first.setdefault(item.identity, item) is not item:
            continue
        chunk = open_chunks.setdefault(item.group, [])
        chunk.append(item)
        if len(chunk) >= batch_limit(item.action, batch_size):
            out.append((len(out) + 1, item.action, [i.position for i in chunk]))
            del open_chunks[item.group]
    for group, chunk in open_chunks.items():
        out.append((len(out) + 1, group[2], [i.position for i in chunk]))
    return out


@settings(max_examples=examples(45), deadline=None)
@given(items=work_items(), batch_size=st.integers(min_value=1, max_value=25))
def test_batches_are_those_a_streaming_planner_gives(
    items: list[WorkItem], batch_size: int
) -> None:
    plan = make_plan(items, batch_size=batch_size)
    got = [(b.number, b.action, [i.position for i in b.items]) for b in plan.stream()]
    assert got == _streamed(items, batch_size)


def test_the_plan_leaves_no_facts_on_the_work_table_s_ids() -> None:
    """The planner reads the ids as numbers once; the work table lives through the run, so
    facts remembered on its id columns (a mask and 8 bytes a row each) would too."""
    table = WorkTable.from_items([pair(n, str(1000 + n), str(2000 + n % 7)) for n in range(50)])
    make_plan(table)
    for ids in (table.from_ids, table.to_ids):
        assert recall(ids, "canonical") is None and recall(ids, "ids") is None
