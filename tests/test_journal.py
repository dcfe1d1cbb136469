"""The SQLite journal: final outcomes recorded per batch digest, transient ones never."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from hubframe.errors import ErrorCode, InputError
from hubframe.run.journal import Journal, digest, is_final
from hubframe.run.plan import make_plan
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.vocab import Action, Status


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
