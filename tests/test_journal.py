"""The SQLite journal: final outcomes recorded per batch digest, transient ones never."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.errors import ErrorCode, InputError
from hubframe.run.journal import SCHEMA_VERSION, Journal, digest, is_final
from hubframe.run.plan import make_plan
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.vocab import Action, RecordPair, Status


def batch(number: int, *ids: str) -> Batch:
    items = tuple(
        WorkItem(n, Action.ASSOCIATE_DEFAULT, "deals", "contacts", from_id=i, to_id="5")
        for n, i in enumerate(ids)
    )
    return Batch(number, Action.ASSOCIATE_DEFAULT, "deals", "contacts", items)


def ok(n: int) -> Outcome:
    return Outcome(
        Status.SUCCESS, action=Action.ASSOCIATE_DEFAULT, http_status=200, batch=n, attempts=1
    )


def test_records_and_finds_by_content_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "run.journal.sqlite"
    first = batch(1, "1", "2")
    failed = Outcome(Status.FAILED, error_code=ErrorCode.OBJECT_NOT_FOUND.value, error_message="x")
    with Journal(path) as journal:
        assert journal.lookup(first) is None
        assert journal.record(first, [ok(1), failed])
        assert len(journal) == 1
    with Journal(path) as journal:
        again = batch(4, "1", "2")  # same content, another number in this run
        found = journal.lookup(again)
        assert found is not None
        assert [o.status for o in found] == [Status.SUCCESS, Status.FAILED]
        assert {o.batch for o in found} == {4}
        assert found[1].error_code == ErrorCode.OBJECT_NOT_FOUND
        assert journal.lookup(batch(1, "1", "3")) is None


def test_transient_outcomes_are_not_recorded(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        b = batch(1, "1", "2")
        for code in (ErrorCode.NETWORK_ERROR, ErrorCode.UNKNOWN_OUTCOME, ErrorCode.RATE_LIMITED):
            transient = Outcome(Status.FAILED, error_code=code.value)
            assert not is_final(transient)
            assert not journal.record(b, [ok(1), transient])
        assert not journal.record(b, [ok(1), Outcome(Status.SKIPPED)])
        assert not journal.record(b, [ok(1)])  # wrong length
        assert journal.lookup(b) is None
        assert len(journal) == 0


def test_concurrent_records(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        batches = [batch(n, str(n), str(n + 1000)) for n in range(200)]

        def work(chunk: list[Batch]) -> None:
            for b in chunk:
                journal.record(b, [ok(b.number), ok(b.number)])

        threads = [threading.Thread(target=work, args=(batches[k::4],)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(journal) == 200
        assert all(journal.lookup(b) is not None for b in batches)


def _bad_journals(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database\n", encoding="utf-8")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE batches (name TEXT)")  # someone else's database
    db.close()
    return {
        "missing directory": tmp_path / "no" / "such" / "dir" / "j.sqlite",
        "a directory": tmp_path,
        "not SQLite": text,
        "another database": other,
    }


@pytest.mark.parametrize(
    "case", ["missing directory", "a directory", "not SQLite", "another database"]
)
def test_a_bad_journal_path_is_an_input_error_naming_it(tmp_path: Path, case: str) -> None:
    path = _bad_journals(tmp_path)[case]
    with pytest.raises(InputError) as info:
        Journal(path)
    assert path.name in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_journal_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite"
    Journal(path).close()
    path.chmod(0)
    with pytest.raises(InputError):
        Journal(path)


def test_a_journal_broken_under_it_raises_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "run.sqlite"
    with Journal(path) as journal:
        with sqlite3.connect(path) as other:
            other.execute("DROP TABLE batches")
        other.close()
        with pytest.raises(InputError, match=r"run\.sqlite"):
            journal.lookup(batch(1, "1"))
        with pytest.raises(InputError):
            journal.record(batch(1, "1"), [ok(1)])


def test_batch_digest_depends_on_what_is_sent_only() -> None:
    a = next(make_plan([_pair(0, "1", "2"), _pair(1, "3", "4")]).stream())
    b = next(make_plan([_pair(7, "1", "2"), _pair(9, "3", "4")]).stream())
    c = next(make_plan([_pair(0, "1", "2"), _pair(1, "3", "5")]).stream())
    assert digest(a) == digest(b) != digest(c)


def _pair(position: int, from_id: str, to_id: str) -> WorkItem:
    return WorkItem(position, Action.ASSOCIATE_DEFAULT, "deals", "contacts", from_id, to_id)


# --- the compact format (issue 15) ---------------------------------------------------------------

_IDS = st.one_of(
    st.integers(1, 10**18 - 1).map(str),
    st.text(min_size=0, max_size=6),  # never sent in practice; still kept exactly
)
_ACTIONS = st.sampled_from([Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT])
_OUTCOMES = st.builds(
    Outcome,
    status=st.sampled_from([Status.SUCCESS, Status.FAILED]),
    action=st.sampled_from([None, Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT]),
    error_code=st.sampled_from([None, ErrorCode.OBJECT_NOT_FOUND, ErrorCode.LIMIT_EXCEEDED]),
    error_message=st.one_of(st.none(), st.text(max_size=20)),
    http_status=st.sampled_from([None, 200, 201, 207, 400]),
    hubspot_category=st.one_of(st.none(), st.text(max_size=8)),
    correlation_id=st.one_of(st.none(), st.text(max_size=12)),
    attempts=st.one_of(st.none(), st.integers(0, 9)),
)


@st.composite
def _batches(draw: st.DrawFn) -> tuple[Batch, list[Outcome]]:
    action = draw(_ACTIONS)
    size = draw(st.integers(1, 40))
    labels = st.sampled_from([(None, None), ("USER_DEFINED", 7), ("HUBSPOT_DEFINED", 3)])
    items = []
    for n in range(size):
        category, type_id = draw(labels)
        items.append(
            WorkItem(n, action, "deals", "contacts", draw(_IDS), draw(_IDS), category, type_id)
        )
    shared = draw(_OUTCOMES)
    outcomes = [shared if draw(st.booleans()) else draw(_OUTCOMES) for _ in range(size)]
    return Batch(draw(st.integers(1, 99)), action, "deals", "contacts", tuple(items)), outcomes


@settings(max_examples=60, deadline=None)
@given(_batches())
def test_a_batch_round_trips_exactly(drawn: tuple[Batch, list[Outcome]]) -> None:
    """Whatever a batch holds, the journal gives back its outcomes (with this run's batch
    number) and its successful rows exactly."""
    batch, outcomes = drawn
    with tempfile.TemporaryDirectory() as tmp, Journal(Path(tmp) / "j.sqlite") as journal:
        final = journal.record(batch, outcomes)
        assert final == all(is_final(o) for o in outcomes)
        again = replace(batch, number=batch.number + 1)
        found = journal.lookup(again)
        if final:
            assert found == [o.with_(batch=again.number) for o in outcomes]
        else:
            assert found is None
        done = {
            (r.from_id, r.to_id, r.category, r.type_id) for r in journal.created() if not r.maybe
        }
        wanted = {
            (i.from_id, i.to_id, i.category, i.type_id)
            for i, o in zip(batch.items, outcomes, strict=True)
            if o.status is Status.SUCCESS
        }
        assert done == wanted


def test_a_row_once_successful_stays_so_and_unknown_stays_maybe(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        one, two = batch(1, "1", "2"), batch(2, "1", "2")
        unknown = Outcome(Status.FAILED, error_code=ErrorCode.UNKNOWN_OUTCOME)
        failed = Outcome(Status.FAILED, error_code=ErrorCode.OBJECT_NOT_FOUND)
        journal.record(one, [ok(1), unknown])
        journal.record(two, [failed, failed])
        rows = journal.created()
        assert [(r.from_id, r.maybe) for r in rows] == [("1", False), ("2", True)]


def test_remembered_pairs_first_reading_wins(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.remember_before("deals", "contacts", ["1", "2"], ["5", "5"], {1: [3, 9]})
        journal.remember_existing("deals", "contacts", {RecordPair("1", "5"): [4]})
        journal.remember_existing("deals", "contacts", {RecordPair("3", "5"): []})
        assert journal.existing("deals", "contacts") == {
            RecordPair("1", "5"): frozenset(),
            RecordPair("2", "5"): frozenset({3, 9}),
            RecordPair("3", "5"): frozenset(),
        }
        assert journal.existing("contacts", "deals") == {}


def test_a_journal_takes_at_most_100_bytes_a_row(tmp_path: Path) -> None:
    """20,000 rows sent (10 batches of 2,000 typical ids) and their pairs read before: the
    file and its -wal beside it, as the run leaves them."""
    path = tmp_path / "run.sqlite"
    rows = 20_000
    with Journal(path) as journal:
        from_ids = [str(3_200_000_001 + n) for n in range(rows)]
        to_ids = [str(4_200_000_001 + n % 2_000) for n in range(rows)]
        journal.remember_before("deals", "contacts", from_ids, to_ids, {})
        for k in range(10):
            items = tuple(
                WorkItem(n, Action.ASSOCIATE_DEFAULT, "deals", "contacts", from_ids[n], to_ids[n])
                for n in range(k * 2_000, (k + 1) * 2_000)
            )
            shared = ok(k)
            journal.record(Batch(k, Action.ASSOCIATE_DEFAULT, "deals", "contacts", items),
                           [shared] * len(items))  # fmt: skip
    on_disk = sum(p.stat().st_size for p in tmp_path.glob("run.sqlite*"))
    assert on_disk / rows <= 100


def _format_1(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE batches (digest TEXT PRIMARY KEY, action TEXT, from_type TEXT, "
            "to_type TEXT, size INTEGER, outcomes TEXT, recorded_at REAL);"
            "CREATE TABLE items (action TEXT, from_type TEXT, to_type TEXT, from_id TEXT, "
            "to_id TEXT, category TEXT, type_id INTEGER, status TEXT, recorded_at REAL);"
            "CREATE TABLE existing (from_type TEXT, to_type TEXT, from_id TEXT, to_id TEXT, "
            "type_ids TEXT);"
        )
    db.close()


def test_a_journal_of_an_older_hubframe_is_refused_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _format_1(path)
    with pytest.raises(InputError, match=r"old\.sqlite.*older hubframe"):
        Journal(path)
    newer = tmp_path / "newer.sqlite"
    Journal(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(InputError, match="newer hubframe"):
        Journal(newer)


@settings(max_examples=8, deadline=None)
@given(
    size=st.integers(257, 900),
    seed=st.integers(0, 2**32 - 1),
    action=_ACTIONS,
)
def test_a_batch_of_more_than_256_distinct_outcomes_and_types_round_trips(
    size: int, seed: int, action: Action
) -> None:
    """A row's index into its batch's distinct outcomes (and types) takes two bytes past 256
    of them: a batch HubSpot refused row by row, each message naming its own records, or rows
    of hundreds of type ids.  No batch of the property above had so many."""
    import random

    rng = random.Random(seed)
    items = tuple(
        WorkItem(
            n,
            action,
            "deals",
            "contacts",
            str(rng.randint(1, 10**12)),
            str(rng.randint(1, 10**12)),
            "USER_DEFINED",
            rng.randint(1, 5000) if rng.random() < 0.9 else 7,
        )
        for n in range(size)
    )
    outcomes = [
        Outcome(
            Status.FAILED,
            action=action,
            error_code=ErrorCode.LIMIT_EXCEEDED,
            error_message=f"Deal {item.from_id} is at its limit ({item.to_id})",
            http_status=207,
            attempts=1,
        )
        if rng.random() < 0.8
        else ok(3).with_(action=action)
        for item in items
    ]
    one = Batch(3, action, "deals", "contacts", items)
    with tempfile.TemporaryDirectory() as tmp, Journal(Path(tmp) / "j.sqlite") as journal:
        assert journal.record(one, outcomes)
        again = replace(one, number=4)
        assert journal.lookup(again) == [o.with_(batch=4) for o in outcomes]
        done = {(r.from_id, r.to_id, r.type_id) for r in journal.created() if not r.maybe}
        wanted = {
            (i.from_id, i.to_id, i.type_id)
            for i, o in zip(items, outcomes, strict=True)
            if o.status is Status.SUCCESS
        }
        assert done == wanted
