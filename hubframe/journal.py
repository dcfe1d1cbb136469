"""A SQLite journal of finished batches, so a killed run resumes without re-sending them.

Each batch's outcome is recorded the moment it completes, keyed by a digest of what the batch
sends (action, object types, inputs: :meth:`hubframe.models.Batch.digest`).  Running the same
sheet again with the same journal re-uses the recorded outcomes and sends only the rest.
Only final outcomes are recorded: a batch whose rows were skipped or whose outcome was
transient (rate limited, server or network failure) is sent again on the next run, which is
safe because association create and limit updates are idempotent.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from hubframe.errors import ErrorCode
from hubframe.models import FAILED, SUCCESS, Batch, Outcome

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    digest      TEXT PRIMARY KEY,
    action      TEXT NOT NULL,
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    outcomes    TEXT NOT NULL,
    recorded_at REAL NOT NULL
)
"""
#: Failures that may go away on their own: never recorded, so the next run tries again.
TRANSIENT_CODES = frozenset(
    {
        ErrorCode.RATE_LIMITED.value,
        ErrorCode.SERVER_ERROR.value,
        ErrorCode.NETWORK_ERROR.value,
        ErrorCode.UNKNOWN_OUTCOME.value,
        ErrorCode.UNAUTHORIZED.value,
        ErrorCode.MISSING_SCOPES.value,
    }
)


def is_final(outcome: Outcome) -> bool:
    """True when sending the row again could not change its outcome."""
    if outcome.status == SUCCESS:
        return True
    return outcome.status == FAILED and outcome.error_code not in TRANSIENT_CODES


class Journal:
    """Thread-safe record of finished batches in one SQLite file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def lookup(self, batch: Batch) -> list[Outcome] | None:
        """The recorded outcomes of ``batch`` (one per item, in order), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT outcomes FROM batches WHERE digest = ?", (batch.digest(),)
            ).fetchone()
        if row is None:
            return None
        outcomes = [Outcome.from_dict(d) for d in json.loads(row[0])]
        if len(outcomes) != len(batch.items):
            return None
        return [o.with_(batch=batch.number) for o in outcomes]

    def record(self, batch: Batch, outcomes: Sequence[Outcome]) -> bool:
        """Record a finished batch; returns False (and records nothing) unless all are final."""
        if len(outcomes) != len(batch.items) or not all(is_final(o) for o in outcomes):
            return False
        data = json.dumps([o.to_dict() for o in outcomes], separators=(",", ":"))
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    batch.digest(),
                    batch.action,
                    batch.from_type,
                    batch.to_type,
                    len(batch.items),
                    data,
                    time.time(),
                ),
            )
        return True

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM batches").fetchone()[0])
