"""A SQLite journal of finished batches, so a killed run resumes without re-sending them.

Each batch's outcome is recorded the moment it completes, keyed by a digest of what the batch
sends (action, object types, inputs: :func:`digest`).  Running the same
sheet again with the same journal re-uses the recorded outcomes and sends only the rest.
Only final outcomes are recorded: a batch whose rows were skipped or whose outcome was
transient (rate limited, server or network failure) is sent again on the next run, which is
safe because association create and limit updates are idempotent.

For undo, the journal also keeps what a run did to each record pair (table ``items``: every
association row sent, with its latest status) and what the pairs carried before the first run
touched them (table ``existing``: the association type ids found by the read before sending;
the first observation is kept, so a resumed run does not mistake its own work for old links).

A path that cannot be a journal, and any database error later, is an
:class:`~hubframe.errors.InputError` naming the journal (no ``sqlite3`` error escapes).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hubframe.errors import ErrorCode, InputError
from hubframe.run.endpoints import payloads
from hubframe.run.work import Batch, Outcome
from hubframe.vocab import RecordPair, Status

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    digest      TEXT PRIMARY KEY,
    action      TEXT NOT NULL,
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    outcomes    TEXT NOT NULL,
    recorded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    action      TEXT NOT NULL,
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    from_id     TEXT NOT NULL,
    to_id       TEXT NOT NULL,
    category    TEXT NOT NULL,  -- '' for the default (unlabeled) association
    type_id     INTEGER NOT NULL,  -- -1 for the default (unlabeled) association
    status      TEXT NOT NULL,
    recorded_at REAL NOT NULL,
    PRIMARY KEY (action, from_type, to_type, from_id, to_id, category, type_id)
);
CREATE TABLE IF NOT EXISTS existing (
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    from_id     TEXT NOT NULL,
    to_id       TEXT NOT NULL,
    type_ids    TEXT NOT NULL,  -- JSON list of the type ids the pair carried; [] = not linked
    PRIMARY KEY (from_type, to_type, from_id, to_id)
)
"""
#: A row's latest status, except that 'success' is never replaced and 'unknown' (the write may
#: have been applied: UNKNOWN_OUTCOME) only by 'success': undo must still take it back.
_UPSERT_ITEM = """
INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO UPDATE SET status = excluded.status, recorded_at = excluded.recorded_at
WHERE items.status != 'success' AND (items.status != 'unknown' OR excluded.status = 'success')
"""
UNKNOWN = "unknown"
#: Failures that may go away on their own: never recorded, so the next run tries again.
TRANSIENT_CODES = frozenset(
    {
        ErrorCode.RATE_LIMITED,
        ErrorCode.SERVER_ERROR,
        ErrorCode.NETWORK_ERROR,
        ErrorCode.UNKNOWN_OUTCOME,
        ErrorCode.UNAUTHORIZED,
        ErrorCode.MISSING_SCOPES,
    }
)


def _item_status(outcome: Outcome) -> str:
    unknown = outcome.error_code is ErrorCode.UNKNOWN_OUTCOME
    return UNKNOWN if unknown else str(outcome.status)


def digest(batch: Batch) -> str:
    """A digest of what the batch sends (action, types, inputs); the journal's key."""
    content = [str(batch.action), batch.from_type, batch.to_type, payloads(batch)]
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def is_final(outcome: Outcome) -> bool:
    """True when sending the row again could not change its outcome."""
    if outcome.status is Status.SUCCESS:
        return True
    return outcome.status is Status.FAILED and outcome.error_code not in TRANSIENT_CODES


#: The columns of each table, to tell a hubframe journal from another SQLite database.
_COLUMNS = {
    "batches": ["digest", "action", "from_type", "to_type", "size", "outcomes", "recorded_at"],
    "items": [
        *("action", "from_type", "to_type", "from_id", "to_id", "category", "type_id"),
        *("status", "recorded_at"),
    ],
    "existing": ["from_type", "to_type", "from_id", "to_id", "type_ids"],
}


def _open(path: Path) -> sqlite3.Connection:
    """The journal's database, created when new; InputError (one line, naming the path) when
    the path cannot be one: a directory, a missing directory, an unreadable file, a file that is
    not SQLite, or another program's SQLite database."""
    if path.is_dir():
        example = path / "run.sqlite"
        raise InputError(f"journal {path}: is a directory; give a file path such as {example}")
    if not path.parent.is_dir():
        raise InputError(f"journal {path}: the directory {path.parent} does not exist")
    try:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError(f"journal {path}: cannot open it ({exc})") from None
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        for table, columns in _COLUMNS.items():
            found = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            if found != columns:
                raise InputError(
                    f"journal {path}: not a hubframe journal (its table {table!r} has other "
                    "columns); give another file"
                )
    except sqlite3.OperationalError as exc:
        db.close()
        raise InputError(f"journal {path}: cannot use it as a journal ({exc})") from None
    except sqlite3.Error as exc:
        db.close()
        raise InputError(f"journal {path}: not a hubframe journal ({exc})") from None
    except BaseException:
        db.close()
        raise
    return db


class Journal:
    """Thread-safe record of finished batches in one SQLite file.

    Opening checks the file (see :func:`_open`): a path that cannot be a journal raises
    :class:`~hubframe.errors.InputError` at once, before anything is sent.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = _open(self.path)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _using(self, doing: str) -> Iterator[None]:
        """The lock, and an InputError naming the journal for any database error."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise InputError(f"journal {self.path}: could not {doing} ({exc})") from None

    def lookup(self, batch: Batch) -> list[Outcome] | None:
        """The recorded outcomes of ``batch`` (one per item, in order), or None."""
        with self._using("read it"):
            row = self._db.execute(
                "SELECT outcomes FROM batches WHERE digest = ?", (digest(batch),)
            ).fetchone()
        if row is None:
            return None
        outcomes = [Outcome.from_record(d) for d in json.loads(row[0])]
        if len(outcomes) != len(batch.items):
            return None
        return [o.with_(batch=batch.number) for o in outcomes]

    def record(self, batch: Batch, outcomes: Sequence[Outcome]) -> bool:
        """Record a finished batch; returns False (and records nothing) unless all are final.

        The association rows of the batch are kept in ``items`` either way (for undo).
        """
        if len(outcomes) != len(batch.items):
            return False
        self._record_items(batch, outcomes)
        if not all(is_final(o) for o in outcomes):
            return False
        data = json.dumps([o.to_record() for o in outcomes], separators=(",", ":"))
        with self._using("record a batch"):
            self._db.execute(
                "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    digest(batch),
                    str(batch.action),
                    batch.from_type,
                    batch.to_type,
                    len(batch.items),
                    data,
                    time.time(),
                ),
            )
        return True

    def _record_items(self, batch: Batch, outcomes: Sequence[Outcome]) -> None:
        if not batch.action.creates_association:
            return
        now = time.time()
        rows = [
            (
                str(batch.action),
                batch.from_type,
                batch.to_type,
                str(item.from_id),
                str(item.to_id),
                item.category or "",
                -1 if item.type_id is None else item.type_id,
                _item_status(outcome),
                now,
            )
            for item, outcome in zip(batch.items, outcomes, strict=True)
        ]
        with self._using("record a batch's rows"), self._db:
            self._db.execute("BEGIN")
            self._db.executemany(_UPSERT_ITEM, rows)

    # --- what the pairs carried before the run ------------------------------------------------

    def remember_existing(
        self, from_type: str, to_type: str, states: Mapping[RecordPair, Iterable[int]]
    ) -> None:
        """Keep the type ids each pair carried before sending (first observation wins)."""
        rows = [
            (from_type, to_type, f, t, json.dumps(sorted(types)))
            for (f, t), types in states.items()
        ]
        with self._using("record what existed before"), self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO existing VALUES (?, ?, ?, ?, ?)", rows)

    def existing(self, from_type: str, to_type: str) -> dict[RecordPair, frozenset[int]]:
        """The remembered type ids per pair of one object pair direction."""
        with self._using("read it"):
            rows = self._db.execute(
                "SELECT from_id, to_id, type_ids FROM existing WHERE from_type = ? AND to_type = ?",
                (from_type, to_type),
            ).fetchall()
        return {RecordPair(f, t): frozenset(json.loads(ids)) for f, t, ids in rows}

    def created(self) -> list[JournalRow]:
        """Every association row the journal's runs sent successfully, or that may have been
        applied (``maybe``: UNKNOWN_OUTCOME), with the pair's state before the first run (None
        when it was not recorded)."""
        with self._using("read it"):
            rows = self._db.execute(
                "SELECT i.action, i.from_type, i.to_type, i.from_id, i.to_id, i.category, "
                "i.type_id, e.type_ids, i.status FROM items i LEFT JOIN existing e ON "
                "(e.from_type, e.to_type, e.from_id, e.to_id) = "
                "(i.from_type, i.to_type, i.from_id, i.to_id) "
                "WHERE i.status IN ('success', 'unknown') ORDER BY i.rowid"
            ).fetchall()
        return [
            JournalRow(
                action=a,
                from_type=f,
                to_type=t,
                from_id=fi,
                to_id=ti,
                category=c or None,
                type_id=None if tid < 0 else int(tid),
                before=None if ids is None else frozenset(json.loads(ids)),
                maybe=status == UNKNOWN,
            )
            for a, f, t, fi, ti, c, tid, ids, status in rows
        ]

    def __len__(self) -> int:
        with self._using("read it"):
            return int(self._db.execute("SELECT COUNT(*) FROM batches").fetchone()[0])


@dataclass(frozen=True)
class JournalRow:
    """One association row a journaled run created (see :meth:`Journal.created`)."""

    action: str
    from_type: str
    to_type: str
    from_id: str
    to_id: str
    category: str | None
    type_id: int | None
    before: frozenset[int] | None  # type ids the pair carried before; None = not recorded
    maybe: bool = False  # the outcome is unknown: the write may have been applied
