"""A SQLite journal of finished batches, so a killed run resumes without re-sending them.

Each batch's outcome is recorded the moment it completes, keyed by a digest of what the batch
sends (action, object types, and each row's ids, category, type id and limit: :func:`pack`).
Running the same sheet again with the same journal resumes: it re-uses the outcomes recorded by
the runs still open and sends only the rest (an associate or limits run re-uses a row's only
while what it read of the portal first agrees with it: ``Prepared.agrees``).  A journal keeps
its runs (table ``runs``): one killed, cancelled or stopped early stays open, through runs of
other sheets; one that finished is closed with the open runs it resumed (table ``resumed``;
:meth:`Journal.finish_run`), as is every open one whose work an undo takes back
(:meth:`Journal.close_runs`), and one whose pairs or limits a later run changed without
resuming it (:func:`_superseded`).  A closed run's batches are sent again by a later run.
Only final outcomes are recorded: a batch whose rows were skipped or whose outcome was
transient (rate limited, server or network failure) is sent again on the next run, which is
safe because association create and limit updates are idempotent.

For undo, the journal also keeps what a run did to each record pair (table ``sent``: the
association rows of every batch that created or removed associations, with their status; each
batch kept there as maybe applied before it leaves, a batch of limits too, so a resumed
limits run tells a removal it sent whose answer was lost from one never sent
(:meth:`Journal.removed_limits`); the readers of associations leave limits rows out) and
what the pairs carried before the first run touched them (table ``before``: the association
type ids found by the read before sending; of a pair the resumed runs sent (or may have), a
resumed run goes by the last reading taken before the first of them sent it, so it does not
mistake their work for old links, nor miss a link made by hand before that send; the other pairs
are read again; a run that goes by an open run's reading records it again as its own,
so an undo, which goes by the reading of the run that first applied a row (:class:`_Befores`),
finds it also when that run re-used none of the open run's batches).  A run also keeps there
its reading of the primary pairs (record -> company, with every type they held) of each
record a row makes a company the primary of, and (table ``primary_read``) which records it
read: an undo from the journal finds in it the company such a row took the primary from, or
that the record had none (``JournalRow.primary_before``); a record no run read is not taken for
one without (``JournalRow.primary_read``).

A journal belongs to the portal of its first run (table ``portal``: the base URL and a salted
SHA-256 of the access token, :mod:`hubframe.run.portal`); a run against another is refused.

The format is compact, one database row per batch (or per read), not per sheet row: a batch's
record ids are one text each side (one id a line), its outcomes are the distinct outcomes of the
batch (usually one) and a byte per row pointing at them, its rows' states a byte per row (none
when every row succeeded).  A 200,000-row run takes about 50 bytes a row on disk.  The format's
version is the database's ``user_version`` (:data:`SCHEMA_VERSION`); a journal written by an
older hubframe is refused with an :class:`~hubframe.errors.InputError` saying so.

A path that cannot be a journal, and any database error later, is an
:class:`~hubframe.errors.InputError` naming the journal (no ``sqlite3`` error escapes).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import HUBSPOT_DEFINED, PRIMARY_COMPANY, PRIMARY_TYPES
from hubframe.errors import ErrorCode, HubframeWarning, InputError
from hubframe.io.sources import as_path, special_kind
from hubframe.run.lease import Lease, run_lease
from hubframe.run.portal import PortalKey, TokenHolder, refuse_another_portal
from hubframe.run.work import Batch, Outcome, shared_outcome
from hubframe.run.worktable import NONE, WorkTable
from hubframe.vocab import Action, RecordPair, Status

#: The journal format this hubframe writes and reads (the database's ``PRAGMA user_version``).
#: 1 (user_version 0): one database row per sheet row, outcomes as JSON objects (hubframe
#: before issue 15); refused with a message saying so.
#: 2: without the portal it belongs to (hubframe before the portal binding); refused too.
#: 3: without runs (hubframe before a finished run's outcomes stopped being reused): brought
#: to format 4 when opened, its batches counted as one run left open (so it still resumes).
#: 4: without the run of each sent batch (hubframe before an undo from a journal took back
#: only the runs since the last one it took back whole): brought to format 5 when opened.
#: 5: without the runs each run resumed (hubframe before a run of another sheet between a killed
#: run and its resumption stopped closing the killed one): brought to format 6 when opened.
#: 6: a sent batch's final states written over its row in ``sent`` (hubframe before the states
#: got a table of their own, ``settled``), and no rows an undo of a result table took back
#: (``taken_back``): brought to format 7 when opened (nothing to move).
#: 7: no record of which records' primary companies a run read (hubframe before a sync read
#: them; table ``primary_read``): brought to format 8 when opened, with none read, so an undo
#: from it does not take a row that set a record's primary back blind.
#: 8: no limits batch in ``sent`` (hubframe before a limits batch was kept there as maybe
#: applied before it left): brought to format 9 when opened (nothing to move).  A hubframe
#: that reads format 8 refuses format 9: it would read the limits rows as association rows.
SCHEMA_VERSION: Final = 9

_RUNS = """
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  REAL NOT NULL,
    ended       TEXT            -- NULL: open (running, killed, or stopped early); 'finished'
                                -- (every batch was sent); 'undone' (an undo took it back);
                                -- 'superseded' (a later run changed what its batches did)
);"""
_RESUMED = """
CREATE TABLE resumed (
    run         INTEGER NOT NULL,  -- a run (runs.id) that re-used a recorded batch, went by
                                   -- a reading of a pair or sent a row again ...
    from_run    INTEGER NOT NULL,  -- ... of this run
    PRIMARY KEY (run, from_run)
);"""
_SETTLED = """
CREATE TABLE settled (
    entry       INTEGER PRIMARY KEY,  -- a sent batch (sent.rowid) whose answer was read ...
    states      BLOB                  -- ... and its rows' states then (as sent.states)
);"""
_TAKEN_BACK = """
CREATE TABLE taken_back (
    run         INTEGER NOT NULL,  -- the undo's mark (runs.id): rows the runs before it sent ...
    action      TEXT NOT NULL,     -- ... that the undo took back, as in sent
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    from_ids    TEXT NOT NULL,
    to_ids      TEXT NOT NULL,
    types       TEXT NOT NULL,
    type_rows   BLOB
);"""
_PRIMARY_READ = """
CREATE TABLE primary_read (
    record_type TEXT NOT NULL,  -- contacts, deals or tickets: records of this type ...
    size        INTEGER NOT NULL,
    record_ids  TEXT NOT NULL,  -- ... whose primary companies the run read (one id a line);
                                -- the companies holding it are its readings in before, in
                                -- the record's direction (none there: the record had none)
    run         INTEGER NOT NULL  -- the run that read them (runs.id)
);"""
_SCHEMA = f"""
CREATE TABLE batches (
    digest      TEXT PRIMARY KEY,
    action      TEXT NOT NULL,
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    outcomes    TEXT NOT NULL,  -- JSON: the batch's distinct outcomes, each a list (_OUTCOME)
    rows        BLOB,           -- each row's index into outcomes (1 or 2 bytes); NULL: all 0
    recorded_at REAL NOT NULL,
    run         INTEGER NOT NULL DEFAULT 0  -- the run that recorded it (runs.id)
);
CREATE TABLE sent (
    action      TEXT NOT NULL,
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    from_ids    TEXT NOT NULL,  -- the rows' ids, one a line (_ids_text)
    to_ids      TEXT NOT NULL,
    types       TEXT NOT NULL,  -- JSON: the distinct [category, type id, limit] of the rows
    type_rows   BLOB,           -- each row's index into types; NULL: all 0
    -- states: a byte a row, s(uccess), u(nknown), f (other); NULL: all s.  A batch written
    -- before it was sent has u in every row here, and its states once answered in settled
    -- (a row of its own: rewriting this one would write the ids again)
    -- run: the run that sent it (runs.id)
    states      BLOB,
    run         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE before (
    from_type   TEXT NOT NULL,
    to_type     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    from_ids    TEXT NOT NULL,
    to_ids      TEXT NOT NULL,
    linked      TEXT NOT NULL,  -- JSON {{row: [type ids]}} of the pairs linked; the others were not
    run         INTEGER NOT NULL DEFAULT 0  -- the run that read it (runs.id)
);
{_RUNS}
{_RESUMED}
{_SETTLED}
{_TAKEN_BACK}
{_PRIMARY_READ}
CREATE TABLE portal (
    base_url    TEXT NOT NULL,  -- the API's base URL of the runs
    salt        TEXT NOT NULL,  -- random, hex
    token       TEXT NOT NULL   -- SHA-256 of salt and access token, hex (never the token)
);
PRAGMA user_version = {SCHEMA_VERSION};
"""
UNKNOWN = "unknown"
#: How a run row marks an undo that took back every row of the runs before it.
TAKEN_BACK: Final = "taken back"
#: Failures that may go away on their own: never recorded, so the next run tries again.
TRANSIENT_CODES = frozenset(
    {
        ErrorCode.RATE_LIMITED,
        ErrorCode.SERVER_ERROR,
        ErrorCode.HUBSPOT_LOCKED,
        ErrorCode.HUBSPOT_MIGRATING,
        ErrorCode.NETWORK_ERROR,
        ErrorCode.UNKNOWN_OUTCOME,
        ErrorCode.UNAUTHORIZED,
        ErrorCode.MISSING_SCOPES,
    }
)
#: How every write transaction starts: with the write lock, waiting for it (the connection's
#: busy timeout).  A deferred BEGIN that reads before it writes fails at once ("database is
#: locked", no wait) when another run on the journal commits in between: two runs on one
#: journal lost a finished run's end that way.
_WRITE: Final = "BEGIN IMMEDIATE"
_DIGEST_TAG: Final = "hubframe-batch-2"
_BEFORE_CHUNK: Final = 250_000  # pairs per row of ``before``
_SUCCESS, _UNKNOWN, _OTHER = ord("s"), ord("u"), ord("f")
#: How often (seconds) a run folds the journal's write-ahead log (``run.sqlite-wal``) into its
#: file as batches are recorded; also at once after a run starts and after each reading of the
#: pairs before.  SQLite otherwise keeps a run's whole journal in the ``-wal`` file until the
#: last connection closes cleanly (or the log passes 4 MB), which a killed run never does:
#: ``run.sqlite`` copied or moved alone was an empty database, taken for a new journal.
CHECKPOINT_EVERY_S: float = 1.0
_EMPTY: frozenset[int] = frozenset()
#: A record type holding one primary company -> its Primary type towards companies (deals: 5).
_TO_COMPANY: Final = {t.record_type: t.to_company for t in PRIMARY_TYPES}
_NEWLINE: Final = pa.scalar("\n", pa.large_string())


def is_final(outcome: Outcome) -> bool:
    """True when sending the row again could not change its outcome."""
    if outcome.status is Status.SUCCESS:
        return True
    return outcome.status is Status.FAILED and outcome.error_code not in TRANSIENT_CODES


# --- a batch, packed once ---------------------------------------------------------------------

_from_id, _to_id = attrgetter("from_id"), attrgetter("to_id")
_type = attrgetter("category", "type_id", "max_to_object_ids")


def _ids_text(ids: list[Any]) -> str:
    """Ids as one text, one a line; JSON after a NUL when an id is not a plain line of text."""
    try:
        text = "\n".join(ids)
    except TypeError:  # None (limit rows) or not text
        return "\0" + json.dumps(ids)
    if text.count("\n") != max(0, len(ids) - 1) or text.startswith("\0"):
        return "\0" + json.dumps(ids)
    return text


def _column_text(ids: Sequence[str] | pa.Array) -> str:
    """:func:`_ids_text` of a list, or of an Arrow text array joined in Arrow (its plain case
    told by the joined text itself: one line an id, the first not starting with NUL)."""
    if not isinstance(ids, pa.Array):
        return _ids_text(list(ids))
    if ids.null_count or not len(ids):
        return _ids_text(ids.to_pylist())
    texts = ids if pa.types.is_large_string(ids.type) else ids.cast(pa.large_string())
    offsets = pa.array([0, len(ids)], pa.int64())
    lines = pa.LargeListArray.from_arrays(offsets, texts)
    joined = str(pc.binary_join(lines, _NEWLINE)[0].as_py())
    if joined.count("\n") != len(ids) - 1 or joined.startswith("\0"):
        return _ids_text(ids.to_pylist())
    return joined


def _ids_of(text: str, size: int) -> list[str]:
    if text.startswith("\0"):
        return [str(i) for i in json.loads(text[1:])]
    return text.split("\n") if size else []


def _index(codes: list[int], distinct: int) -> bytes | None:
    """Each row's index into a table of ``distinct`` values: None when all are 0."""
    if distinct == 1:
        return None
    if distinct <= 256:
        return bytes(codes)
    return np.asarray(codes, dtype="<u2").tobytes()


def _codes(blob: bytes | None, size: int) -> list[int]:
    if blob is None:
        return [0] * size
    if len(blob) == size:
        return list(blob)
    return [int(c) for c in np.frombuffer(blob, dtype="<u2")]


def _distinct(keys: list[Any]) -> tuple[list[Any], bytes | None]:
    """The distinct values (first seen first) and each key's index (None: all the same)."""
    if keys and keys.count(keys[0]) == len(keys):
        return [keys[0]], None
    table: dict[Any, int] = {}
    codes = [table.setdefault(k, len(table)) for k in keys]
    return list(table), _index(codes, len(table))


@dataclass(frozen=True, slots=True)
class Packed:
    """What a batch sends, in the journal's form, computed once per batch (:func:`pack`)."""

    digest: str
    from_ids: str
    to_ids: str
    types: str  # JSON of the distinct (category, type id, limit)
    type_rows: bytes | None


def pack(batch: Batch) -> Packed:
    """The batch's journal key and rows (see the module docstring)."""
    from_ids, to_ids, distinct, rows = _columns(batch)
    types = json.dumps([list(t) for t in distinct], separators=(",", ":"))
    parts = (_DIGEST_TAG, str(batch.action), batch.from_type, batch.to_type, from_ids, to_ids)
    h = hashlib.sha256()
    for part in (*parts, types, (rows or b"").hex()):
        raw = part.encode()
        h.update(b"%d:" % len(raw))
        h.update(raw)
    return Packed(h.hexdigest(), from_ids, to_ids, types, rows)


def _columns(batch: Batch) -> tuple[str, str, list[Any], bytes | None]:
    """The batch's from ids and to ids as text, the distinct (category, type id, limit) of its
    rows and each row's index into them (:func:`_distinct`): from the table's arrays when the
    batch has one (no WorkItems made), else from its items."""
    table = batch.table
    if table is None:
        items = batch.items
        from_ids, to_ids = list(map(_from_id, items)), list(map(_to_id, items))
        return _ids_text(from_ids), _ids_text(to_ids), *_distinct(list(map(_type, items)))
    texts = _column_text(table.from_ids), _column_text(table.to_ids)
    codes = (table.category_codes, table.type_ids, table.maxima)
    if len(table) and all(bool((c == c[0]).all()) for c in codes):  # the usual batch: one type
        return *texts, _type_keys(table, slice(0, 1)), None
    return *texts, *_distinct(_type_keys(table, slice(None)))


def _type_keys(table: WorkTable, rows: slice) -> list[tuple[Any, ...]]:
    """(category, type id, limit) of some table rows, None for each one missing."""
    names = table.categories
    categories = [None if c == NONE else names[c] for c in table.category_codes[rows].tolist()]
    type_ids = [None if t == NONE else t for t in table.type_ids[rows].tolist()]
    maxima = [None if m == NONE else m for m in table.maxima[rows].tolist()]
    return list(zip(categories, type_ids, maxima, strict=True))


def digest(batch: Batch) -> str:
    """A digest of what the batch sends (action, types, inputs); the journal's key."""
    return pack(batch).digest


# --- outcomes, compact ------------------------------------------------------------------------

_OUTCOME = attrgetter(
    "status",
    "action",
    "error_code",
    "error_message",
    "http_status",
    "hubspot_category",
    "correlation_id",
    "attempts",
)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, (Status, Action, ErrorCode)) else value


def _outcome(values: list[Any], batch: int) -> Outcome:
    status, action, code, message, http, category, correlation, attempts = values
    return Outcome(
        Status(status),
        action=Action(action) if action else None,
        error_code=ErrorCode(code) if code else None,
        error_message=message,
        http_status=http,
        hubspot_category=category,
        correlation_id=correlation,
        batch=batch,
        attempts=attempts,
    )


def _state(outcome: tuple[Any, ...]) -> int:
    if outcome[0] == Status.SUCCESS:
        return _SUCCESS
    return _UNKNOWN if outcome[2] == ErrorCode.UNKNOWN_OUTCOME else _OTHER


def _final(outcome: tuple[Any, ...]) -> bool:
    """:func:`is_final` of an outcome's values (see ``_OUTCOME``)."""
    if outcome[0] == Status.SUCCESS:
        return True
    return outcome[0] == Status.FAILED and outcome[2] not in TRANSIENT_CODES


def _states(distinct: list[tuple[Any, ...]], rows: bytes | None, size: int) -> bytes | None:
    """A byte a row (s, u, f); None when every row succeeded."""
    states = [_state(o) for o in distinct]
    if rows is None:
        return None if states[0] == _SUCCESS else bytes(states[:1]) * size
    if all(s == _SUCCESS for s in states):
        return None
    return bytes(states[c] for c in _codes(rows, size))


# --- which runs are open -----------------------------------------------------------------------

_LIMIT_NAMES: Final = tuple(str(a) for a in Action if a.is_limit)
#: SQL: a ``sent`` entry of associations, not of limits (a limits batch is kept there too, as
#: maybe applied before it leaves: :meth:`Journal.intend`); the names are the plain words of
#: :class:`~hubframe.vocab.Action`, quoted as SQL text.
_LINKS: Final = f"action NOT IN ({','.join(repr(n) for n in _LIMIT_NAMES)})"


def _resumed_by(db: sqlite3.Connection, run: int) -> set[int]:
    """The runs ``run`` resumed, directly or through a run it resumed."""
    found: set[int] = set()
    todo = [run]
    while todo:
        rows = db.execute("SELECT from_run FROM resumed WHERE run = ?", (todo.pop(),))
        for (earlier,) in rows:
            if int(earlier) not in found:
                found.add(int(earlier))
                todo.append(int(earlier))
    return found


RecordEnds = tuple[str, str, str, str]


def _read_only(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """The journal at ``path`` opened as the file is (``immutable``: no lock taken, no log
    file made beside it -- a read-only open made one, and the run's checks of a journal whose
    content is in a log then found the log).  OSError for a path that is not a file: SQLite's
    open of a named pipe waits for ever for a program to write to it."""
    found = Path(path).expanduser().resolve()
    if not found.is_file():
        raise FileNotFoundError(f"{found}: not a file")
    uri = found.as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=5)


def has_open_run(path: str | os.PathLike[str]) -> bool:
    """Whether the journal at ``path`` holds a run that did not end (stopped, killed): the
    same command again resumes it.  Read as the file is (:func:`_read_only`), and False for
    anything that is not a journal hubframe can read (no file, a named pipe, another
    program's database, content still in a write-ahead log: the report is then kept)."""
    try:
        with contextlib.closing(_read_only(path)) as db:
            found = db.execute("SELECT 1 FROM runs WHERE ended IS NULL LIMIT 1").fetchone()
    except (sqlite3.Error, OSError, ValueError):
        return False
    return found is not None


@dataclass(frozen=True)
class OpenRuns:
    """What a journal's open runs, and the runs they resumed, recorded (:func:`open_runs`):
    what tells a report one of those runs wrote from the report of another run."""

    runs: frozenset[int]  # the runs (runs.id)
    started: float | None  # when the first of them started (seconds since the epoch)
    sent: frozenset[tuple[Any, ...]]  # what they sent to (:func:`_touched`)
    applied: frozenset[RecordEnds]  # the record pairs of the rows that succeeded or may have
    #: (from type, from id, to type, to id) -> each reading of the pair they took (the type
    #: ids it held), in the direction read; only of the pairs asked for
    readings: Mapping[RecordEnds, tuple[frozenset[int], ...]]


def open_runs(path: str | os.PathLike[str], wanted: Container[tuple[str, ...]]) -> OpenRuns | None:
    """What the journal's open runs, and the runs they resumed, recorded (:class:`OpenRuns`;
    ``wanted``: the record pairs, :func:`record_ends`, whose readings are kept).  Read as
    :func:`has_open_run` reads; None for a file it cannot read."""
    try:
        with contextlib.closing(_read_only(path)) as db:
            runs = {int(r) for (r,) in db.execute("SELECT id FROM runs WHERE ended IS NULL")}
            for run in list(runs):
                runs |= _resumed_by(db, run)
            return OpenRuns(
                runs=frozenset(runs),
                started=_first_started(db, runs),
                sent=frozenset(set().union(*(_touched(db, run) for run in runs))),
                applied=_applied_ends(db, runs),
                readings=_readings_of(db, runs, wanted),
            )
    except (sqlite3.Error, OSError, ValueError):
        return None


def _first_started(db: sqlite3.Connection, runs: Collection[int]) -> float | None:
    """When the first of ``runs`` started; None when none did (none, or not recorded)."""
    marks = ",".join("?" * len(runs))
    query = f"SELECT MIN(started_at) FROM runs WHERE id IN ({marks})"
    found = db.execute(query, tuple(runs)).fetchone()[0] if runs else None
    return None if found is None else float(found)


def _applied_ends(db: sqlite3.Connection, runs: Collection[int]) -> frozenset[RecordEnds]:
    """The record pairs of the association rows ``runs`` sent that succeeded or may have (as
    last answered: :meth:`Journal.settle`)."""
    out: set[RecordEnds] = set()
    query = (
        "SELECT s.action, s.from_type, s.to_type, s.size, s.from_ids, s.to_ids, s.types, "
        "s.type_rows, CASE WHEN t.entry IS NULL THEN s.states ELSE t.states END "
        f"FROM sent s LEFT JOIN settled t ON t.entry = s.rowid WHERE s.run = ? AND s.{_LINKS}"
    )
    for run in runs:
        for *entry, states in db.execute(query, (run,)).fetchall():
            state = states or bytes([_SUCCESS]) * int(entry[3])
            for key, row_state in zip(_keys(*entry), state, strict=True):
                if row_state != _OTHER:
                    out.add(record_ends(key[1], key[3], key[2], key[4]))
    return frozenset(out)


def _readings_of(
    db: sqlite3.Connection, runs: Collection[int], wanted: Container[tuple[str, ...]]
) -> dict[RecordEnds, tuple[frozenset[int], ...]]:
    """Each reading ``runs`` took of a pair ``wanted`` holds (either direction), keyed as
    (from type, from id, to type, to id) in the direction read, in the order taken."""
    found: dict[RecordEnds, tuple[frozenset[int], ...]] = {}
    query = "SELECT from_type, to_type, size, from_ids, to_ids, linked FROM before WHERE run = ?"
    for run in runs:
        for from_type, to_type, size, from_text, to_text, linked_text in db.execute(
            query, (run,)
        ).fetchall():
            linked = {int(n): frozenset(t) for n, t in json.loads(linked_text).items()}
            pairs = zip(_ids_of(from_text, size), _ids_of(to_text, size), strict=True)
            for n, (from_id, to_id) in enumerate(pairs):
                if record_ends(from_type, from_id, to_type, to_id) in wanted:
                    key = (from_type, from_id, to_type, to_id)
                    found[key] = (*found.get(key, ()), linked.get(n, _EMPTY))
    return found


def record_ends(from_type: str, from_id: str, to_type: str, to_id: str) -> RecordEnds:
    """An association's two records, the same for either direction."""
    first, second = sorted([(from_type, from_id), (to_type, to_id)])
    return (*first, *second)


def _touched(db: sqlite3.Connection, run: int) -> set[tuple[Any, ...]]:
    """What a run sent to: each association's two records (either direction), and each object
    pair whose limits it changed."""
    out: set[tuple[Any, ...]] = set()
    query = "SELECT from_type, to_type, size, from_ids, to_ids FROM sent WHERE run = ? AND "
    query += _LINKS
    for from_type, to_type, size, from_text, to_text in db.execute(query, (run,)):
        pairs = zip(_ids_of(from_text, size), _ids_of(to_text, size), strict=True)
        for from_id, to_id in pairs:
            out.add(record_ends(from_type, from_id, to_type, to_id))
    marks = ",".join("?" * len(_LIMIT_NAMES))
    for table in ("batches", "sent"):  # a limits batch sent, answered or not
        query = f"SELECT DISTINCT from_type, to_type FROM {table} WHERE run = ? AND "
        query += f"action IN ({marks})"
        out.update(("limits", f, t) for f, t in db.execute(query, (run, *_LIMIT_NAMES)))
    return out


def _superseded(db: sqlite3.Connection, open_runs: tuple[int, ...]) -> tuple[int, ...]:
    """The open runs a later run changed the work of: it sent to a record pair (or an object
    pair's limits) the open run sent to, and did not resume it.  Re-using such a run's
    outcomes could report a pair linked that the later run removed, or a limit it changed;
    its batches are sent again instead.  A run of another sheet that touched none of its
    pairs leaves it open."""
    runs = [int(r) for (r,) in db.execute("SELECT id FROM runs WHERE id > ?", (min(open_runs),))]
    touched: dict[int, set[tuple[Any, ...]]] = {}

    def of(run: int) -> set[tuple[Any, ...]]:
        if run not in touched:
            touched[run] = _touched(db, run)
        return touched[run]

    resumed = {later: _resumed_by(db, later) for later in runs}
    gone = []
    for run in open_runs:
        for later in (r for r in runs if r > run):
            if run in resumed[later]:
                continue
            if not of(run).isdisjoint(of(later)):
                gone.append(run)
                break
    return tuple(gone)


# --- opening ----------------------------------------------------------------------------------

#: The columns of each table, to tell a hubframe journal from another SQLite database.
_COLUMNS = {
    "batches": [
        *("digest", "action", "from_type", "to_type", "size", "outcomes", "rows"),
        *("recorded_at", "run"),
    ],
    "sent": [
        *("action", "from_type", "to_type", "size", "from_ids", "to_ids", "types"),
        *("type_rows", "states", "run"),
    ],
    "before": ["from_type", "to_type", "size", "from_ids", "to_ids", "linked", "run"],
    "portal": ["base_url", "salt", "token"],
    "runs": ["id", "started_at", "ended"],
    "resumed": ["run", "from_run"],
    "settled": ["entry", "states"],
    "taken_back": [
        *("run", "action", "from_type", "to_type", "size", "from_ids", "to_ids", "types"),
        "type_rows",
    ],
    "primary_read": ["record_type", "size", "record_ids", "run"],
}
#: The tables of a journal of format 1 (user_version 0).
_FORMAT_1 = {"batches", "items", "existing"}


def _tables(db: sqlite3.Connection) -> set[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(name) for (name,) in rows}


def _format(db: sqlite3.Connection) -> tuple[int, set[str]]:
    """The journal's format and tables, read in one transaction: read apart, another run
    creating the journal at that moment could commit between the two (format 0 beside
    its new tables: "not a hubframe journal")."""
    db.execute("BEGIN")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        return version, _tables(db)
    finally:
        db.execute("COMMIT")


def _check_format(db: sqlite3.Connection, path: Path, *, log_left: bool = False) -> None:
    """Create the tables of a new journal; refuse another format or another database, and
    (``log_left``: a write-ahead database whose log is not beside it) an empty one."""
    version, tables = _format(db)
    if version == 0 and not tables and log_left:
        raise InputError(
            f"journal {path}: its file holds no tables, and SQLite says its content is in the "
            f"write-ahead log {path.name}-wal, which is not beside it. Most likely the run that "
            "made it was stopped (killed) or could not write (a full disk) while it made it, "
            "before it sent anything, and it holds nothing: delete it, or give a new journal "
            f"file. If it is a journal copied or moved without its {path.name}-wal file (a run "
            f"killed, or still running, keeps its whole journal there), copy {path.name}-wal "
            "beside it from where the run wrote it instead. Nothing was sent."
        )
    if version == 0 and not tables:
        try:
            db.executescript(f"BEGIN; {_SCHEMA} COMMIT;")
            return
        except sqlite3.OperationalError as exc:
            if "already exists" not in str(exc):
                raise
            if db.in_transaction:
                db.execute("ROLLBACK")
        # another run created the journal at the same moment: check what it wrote
        return _check_format(db, path)
    version = _upgraded(db, version)
    _refuse_version(path, version, tables)
    for table, columns in _COLUMNS.items():
        found = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        if version != SCHEMA_VERSION or found != columns:
            raise InputError(
                f"journal {path}: not a hubframe journal (its table {table!r} has other "
                "columns); give another file"
            )


#: The tables every journal hubframe reads (format 3 on) has.
_JOURNAL_TABLES: Final = frozenset({"sent", "portal", "batches"})


def _refuse_foreign(db: sqlite3.Connection, path: Path) -> None:
    """Refuse, before anything is written to it, a database that is no journal this hubframe
    reads: another program's (given by mistake), or one of a format it does not bring up.
    Before, it was turned to write-ahead logging, and one whose own ``user_version`` was 3-7
    got hubframe's tables and format number, before the refusal."""
    version, tables = _format(db)
    if version == 0 and not tables:  # an empty database: made a journal
        return
    if (version == 0 and tables == _FORMAT_1) or 0 < version < 3 or version > SCHEMA_VERSION:
        _refuse_version(path, version, tables)
    if version < 3 or not tables >= _JOURNAL_TABLES:
        listed = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise InputError(
            f"journal {path}: not a hubframe journal (another program's SQLite database? its "
            f"tables: {listed}); give another file. It was left as it was."
        )


def _if_missing(tables: str) -> str:
    return tables.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")


def _upgrades() -> dict[int, str]:
    """The script that brings a journal of each older format one format up."""
    return {
        # format 3: every batch becomes part of one run, left open (resumable)
        3: "ALTER TABLE batches ADD COLUMN run INTEGER NOT NULL DEFAULT 0; "
        f"ALTER TABLE before ADD COLUMN run INTEGER NOT NULL DEFAULT 0; {_RUNS}",
        # format 4: its sent batches belong to no run (all before any take-back)
        4: "ALTER TABLE sent ADD COLUMN run INTEGER NOT NULL DEFAULT 0;",
        # format 5: no run is known to have resumed another
        5: _if_missing(_RESUMED),
        # format 6: every sent batch's states are in its row of sent
        6: _if_missing(_SETTLED + _TAKEN_BACK),
        # format 7: no run is known to have read a record's primary companies
        7: _if_missing(_PRIMARY_READ),
        # format 8: no limits batch kept in sent: nothing to move
        8: "",
    }


def _upgraded(db: sqlite3.Connection, version: int) -> int:
    """Bring a journal of format 3 or later up to this one's, a format at a time (each in its
    own transaction); the format it is in then."""
    upgrades = _upgrades()
    while version in upgrades:
        db.executescript(f"BEGIN; {upgrades[version]} PRAGMA user_version = {version + 1}; COMMIT;")
        version += 1
    return version


def _refuse_version(path: Path, version: int, tables: set[str]) -> None:
    """An InputError for a journal of a format this hubframe does not read."""
    if version == 0 and tables == _FORMAT_1:
        raise InputError(
            f"journal {path}: written by an older hubframe (journal format 1; this one reads "
            f"format {SCHEMA_VERSION}); resume or undo that run with the hubframe that wrote "
            "it, or give a new journal file"
        )
    if 0 < version < SCHEMA_VERSION:
        raise InputError(
            f"journal {path}: written by an older hubframe (journal format {version}, which "
            "does not say which portal its batches went to; this one reads format "
            f"{SCHEMA_VERSION}); resume or undo that run with the hubframe that wrote it, or "
            "give a new journal file"
        )
    if version > SCHEMA_VERSION:
        raise InputError(
            f"journal {path}: written by a newer hubframe (journal format {version}; this one "
            f"reads format {SCHEMA_VERSION}); use that hubframe, or give a new journal file"
        )


def _open(path: Path) -> sqlite3.Connection:
    """The journal's database, created when new; InputError (one line, naming the path) when
    the path cannot be one: a directory, a missing directory, an unreadable file, a file that is
    not SQLite, another program's SQLite database, or a journal of another format."""
    if path.is_dir():
        example = path / "run.sqlite"
        raise InputError(f"journal {path}: is a directory; give a file path such as {example}")
    if not path.parent.is_dir():
        raise InputError(f"journal {path}: the directory {path.parent} does not exist")
    kind = special_kind(path)
    if kind is not None:  # SQLite said "disk I/O error", or waited on a pipe
        raise InputError(f"journal {path}: is {kind}, not a file; give a file path")
    _refuse_emptied(path)  # before connecting, which deletes that -wal file
    log_left = _log_left(path)  # before connecting, which makes an empty -wal file
    new = not path.exists()
    empty = new or _size(path) == 0
    try:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError(f"journal {path}: cannot open it ({exc})") from None
    try:
        _prepare(db, path, log_left=log_left, new=empty)
    except sqlite3.OperationalError as exc:
        db.close()
        said = f"journal {path}: cannot use it as a journal ({exc})"
        why = _no_room(path, exc)
        if new and why:
            _drop_unmade(path)
        raise InputError(said + why) from None
    except sqlite3.Error as exc:
        db.close()
        raise InputError(f"journal {path}: not a hubframe journal ({exc})") from None
    except BaseException:
        db.close()
        raise
    return db


#: What SQLite says when it cannot write a file: a full disk or a file size limit (EFBIG), the
#: commit it then rolled back ("cannot commit - no transaction is active"), an I/O error.
_WRITE_FAILED: Final = ("disk i/o error", "disk is full", "no transaction is active")


def _no_room(path: Path, exc: sqlite3.Error) -> str:
    """What to say of a journal that could not be written as it was made or opened: the file
    size limit the system sets for this program (``ulimit -f``), or the disk's free space."""
    if not any(said in str(exc).lower() for said in _WRITE_FAILED):
        return ""
    try:
        import resource

        limit: int | None = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit == resource.RLIM_INFINITY:
            limit = None
    except (ImportError, OSError, ValueError):  # Windows: no such limit
        limit = None
    try:
        free: int | None = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    if limit is not None:
        why = f"the system limits the files this program writes to {limit:,} bytes (ulimit -f)"
    elif free is not None and free < _LOW_SPACE:
        why = f"the disk holding it has {free:,} bytes free"
    else:
        why = "the disk is full or a file size limit was reached"
    return (
        f": it could not be written, as {why}. Free disk space or raise the limit, or give a "
        "journal on another disk; nothing was sent"
    )


_LOW_SPACE: Final = 16 << 20


#: Tries to open a journal another run holds locked for a moment (it is being created, or
#: switched to write-ahead logging): ~10 s in all before the lock is reported.
_OPEN_TRIES: Final = 40


def _log_left(path: Path) -> bool:
    """Whether ``path`` is a SQLite database in write-ahead mode (its header's bytes 18-19),
    its schema empty in the file, with neither its write-ahead log (``path-wal``) nor the
    log's index (``path-shm``) beside it: what is left of a journal copied or moved alone
    while its content was still in the log.  (A journal in use, or left by a killed run, has
    both; one closed cleanly has none, and its content in the file.)  Asked twice, a moment
    apart: another run creating the journal now makes them the moment after it turns the file
    to write-ahead logging."""
    for attempt in range(2):
        try:
            with path.open("rb") as handle:
                header = handle.read(_SQLITE_HEADER)
            beside = any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm"))
        except OSError:
            return False
        wal_mode = header.startswith(b"SQLite format 3\x00") and header[18:20] == b"\x02\x02"
        if beside or not wal_mode or not _no_tables(header):
            return False
        if attempt == 0:
            time.sleep(0.1)
    return True


def _size(path: Path) -> int | None:
    """The size of the file at ``path``; None when it cannot be told."""
    try:
        return path.stat().st_size
    except OSError:
        return None


def _refuse_emptied(path: Path) -> None:
    """Refuse a journal file of 0 bytes with a write-ahead log (``path-wal``) of content beside
    it: a killed run's journal whose file was emptied (truncated by hand or by a tool), its
    record all in the log.  Before, SQLite took the empty file for a new database and deleted
    the log as it opened it: the run's record was gone, and its resume reported the links the
    killed run made ``existed_before`` (an undo of its report left them).  ``hubframe undo``
    already refused such a file; a run now does too, with nothing sent and nothing deleted."""
    log = path.with_name(path.name + "-wal")
    try:
        emptied = path.is_file() and path.stat().st_size == 0 and log.stat().st_size > 0
    except OSError:  # no -wal beside it (or it cannot be read): SQLite says what it finds
        return
    if emptied:
        raise InputError(
            f"journal {path}: its file is empty (0 bytes) while its write-ahead log {log.name} "
            f"beside it holds a run's record: the file was emptied after a run wrote to it. "
            f"Opened as it is, SQLite would take it for a new journal and delete {log.name}. "
            f"Put back the journal file from a copy (keep {log.name} beside it), or give a new "
            "journal file. Nothing was sent, and nothing was deleted."
        )


def _drop_unmade(path: Path) -> None:
    """Delete the journal this run began to make and could not write (a full disk): left,
    its file would hold no table, and every later run and undo take it for a journal copied
    without its write-ahead log.  Only while it holds nothing: no table in the file, no log
    beside it with content (another run making it at the same moment that got further)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(_SQLITE_HEADER)
        logs = [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]
        if any(log.exists() and log.stat().st_size for log in logs[:1]):
            return
        if header and not (header.startswith(b"SQLite format 3\x00") and _no_tables(header)):
            return
        for leftover in (path, *logs):
            leftover.unlink(missing_ok=True)
    except OSError:
        return


def _no_tables(header: bytes) -> bool:
    """Whether the first page of a database (its first :data:`_SQLITE_HEADER` bytes) says its
    schema is empty: a leaf page (0x0D) of no cells."""
    return len(header) >= _SQLITE_HEADER and header[100] == 0x0D and header[103:105] == b"\0\0"


_SQLITE_HEADER: Final = 108  # the file's header (100 bytes) and its first page's


def _make_tables(db: sqlite3.Connection) -> None:
    """Make the tables of a new journal (an empty file, in SQLite's rollback mode yet), in one
    transaction under the write lock: a run making it at the same moment waits for it, and
    makes none of its own (``IF NOT EXISTS``); a run killed meanwhile leaves an empty database
    (SQLite rolls the transaction back when it is next opened)."""
    tables = _SCHEMA.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")
    db.executescript(f"BEGIN IMMEDIATE; {tables} COMMIT;")


def _prepare(
    db: sqlite3.Connection, path: Path, *, log_left: bool = False, new: bool = False
) -> None:
    """Write-ahead logging, and the format checked (the tables made when new).  A run opening
    the same journal at the same moment may hold it locked for a moment: wait and try again.
    A ``new`` journal gets its tables before write-ahead logging: a run killed between the two
    leaves a whole journal (turned to write-ahead logging when next opened).  Before, the
    file was turned first, and a run killed before its tables were made left a file of no
    tables in write-ahead mode with no log beside it, which every later run and undo refused
    as a journal copied without its ``-wal`` file."""
    for attempt in range(1, _OPEN_TRIES + 1):
        try:
            if new:
                _make_tables(db)
            else:
                _refuse_foreign(db, path)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _check_format(db, path, log_left=log_left)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _OPEN_TRIES:
                raise
            if db.in_transaction:
                db.execute("ROLLBACK")
            time.sleep(min(0.5, 0.02 * attempt))


class JournalGone(HubframeWarning):
    """The journal's file was deleted or replaced while a run wrote to it (by hand, or by a
    folder syncing tool): what the run recorded went with it."""


class JournalNotFinished(HubframeWarning):
    """The journal could not record that a run finished (a full disk): the run's rows are
    reported all the same, and a later run of the sheet with the journal resumes it."""


class ResumedRowsLeftOut(HubframeWarning):
    """A run resumed an open run of its journal (a killed or stopped run of the sheet) that had
    applied rows this run's sheet no longer lists (edited between the two runs): those
    associations stay in HubSpot, and this run's report does not show them."""


class StoppedRunRowsRefused(HubframeWarning):
    """A run refused rows (invalid: a label HubSpot no longer lists, renamed since) of pairs
    an open run of its journal (killed or stopped, not resumed by this run) had applied:
    those associations stay in HubSpot, and this run's report shows the rows as not sent."""


class ReportJournalLeftOut(HubframeWarning):
    """An undo of a report did not use the journal its Summary names (not there, not a hubframe
    journal, another portal's, or not holding the report's rows: the report was moved, or the
    path given to another journal since): that journal's runs stay open and what the undo took
    back is not kept in it."""


def is_journal(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a file holding a hubframe journal (of this format or one brought to
    it when opened), told without writing to it: opening a :class:`Journal` makes one where
    there is none and turns a SQLite file to write-ahead logging."""
    found = as_path(path)
    try:
        if not found.is_file():
            return False
        with found.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return False
        db = sqlite3.connect(f"{found.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, ValueError, sqlite3.Error):
        return False
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = _tables(db)
    except sqlite3.Error:
        return False
    finally:
        db.close()
    return 3 <= version <= SCHEMA_VERSION and tables >= _JOURNAL_TABLES


def _identity(path: Path) -> tuple[int, int] | None:
    """The file at ``path`` (device, inode), None when there is none."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


class Journal:
    """Thread-safe record of finished batches in one SQLite file.

    Opening checks the file (see :func:`_open`): a path that cannot be a journal raises
    :class:`~hubframe.errors.InputError` at once, before anything is sent.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = as_path(path)
        self._lock = threading.Lock()
        self._db = _open(self.path)
        self._file = _identity(self.path)  # to tell when the file is deleted under the run
        self._run = 0  # the run recording now (runs.id); 0 before begin_run
        self._deferred = self._finish_due = False  # defer_finish
        self._open: tuple[int, ...] = (0,)  # the runs whose outcomes may be re-used (begin_run)
        self._resumed: set[int] = set()  # the open runs this run re-used a batch of
        #: the readings :meth:`existing` lent this run from the open runs, by direction: each
        #: pair's type ids and the open runs that applied it (:meth:`_went_by`)
        self._lent: dict[tuple[str, str], dict[RecordPair, tuple[frozenset[int], set[int]]]]
        self._lent = {}
        #: the rows the open runs sent, by (action, from type, to type), each with the runs
        #: that sent it (:meth:`_sends_again`); made when this run first sends such a batch
        self._open_sent: dict[tuple[str, str, str], dict[SentKey, set[int]]] = {}
        self._lease: Lease | None = None  # held while a run records (begin_run to end_run)
        self._folding = threading.Lock()  # one checkpoint at a time (_checkpoint)
        self._folder: sqlite3.Connection | None = None  # its own connection
        self._folded = time.monotonic()
        self._first_intent = False  # the run's first batch is folded in at once (intend)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._check_file()
        self._release()
        with self._folding:
            if self._folder is not None:
                self._folder.close()
                self._folder = None
        with self._lock:
            self._db.close()

    def _checkpoint(self, *, now: bool = False) -> None:
        """Fold the write-ahead log into the journal's file (``PRAGMA wal_checkpoint(PASSIVE)``,
        on a connection of its own: the run's batches go on being recorded meanwhile): at once
        (``now``), or when :data:`CHECKPOINT_EVERY_S` have passed since the last time.  What a
        resume or an undo depends on is then in ``run.sqlite`` itself, also after a kill, when
        the ``-wal`` file is left behind (copied or moved without it).  Best effort: a
        checkpoint that fails leaves the log as it was, which SQLite reads as before."""
        if not now and time.monotonic() - self._folded < CHECKPOINT_EVERY_S:
            return
        if not self._folding.acquire(blocking=False):
            return  # another thread is folding it now
        try:
            self._folded = time.monotonic()
            if self._folder is None:
                self._folder = sqlite3.connect(
                    self.path, check_same_thread=False, isolation_level=None
                )
                self._folder.execute("PRAGMA synchronous=NORMAL")
            self._folder.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            pass
        finally:
            self._folding.release()

    def _release(self) -> None:
        if self._lease is not None:
            lease, self._lease = self._lease, None
            lease.release()

    def end_run(self) -> None:
        """The run recording in this journal has ended (sent all, stopped, cancelled or
        failed): its lease (:mod:`hubframe.run.lease`) goes, so an undo from the journal may
        take it back; held on while its finish is deferred (:meth:`defer_finish`)."""
        if not self._deferred:
            self._release()

    def _check_file(self) -> None:
        """Warn (:class:`JournalGone`, once) when a run wrote to the journal and its file is no
        longer the one opened: SQLite goes on writing to the file it holds open, so the run
        would end with nothing on disk, and a later resume or undo from the path find none of
        it, unseen."""
        if not self._run or self._file is None or _identity(self.path) == self._file:
            return
        self._file = None
        warnings.warn(
            f"journal {self.path}: the file was deleted or replaced while the run wrote to it; "
            "what the run recorded went with it, so a resume or an undo from this path will not "
            "find this run. Undo from the run's report or result table, and give the next run "
            "a new journal.",
            JournalGone,
            stacklevel=3,
        )

    @contextmanager
    def _using(self, doing: str, *, first: bool = False) -> Iterator[None]:
        """The lock, and an InputError naming the journal for any database error (or an entry
        that cannot be read back: a damaged file); ``first``: a write before the run reads or
        sends anything, whose failure to write says why (a full disk) and that nothing was
        sent."""
        with self._lock:
            try:
                yield
            except (
                sqlite3.Error,
                ValueError,
                KeyError,
                TypeError,
                RecursionError,
                AttributeError,
                IndexError,
                OverflowError,
            ) as exc:  # a damaged entry read back: a cell of another type or shape
                said = f"journal {self.path}: could not {doing} ({exc})"
                why = _no_room(self.path, exc) if first and isinstance(exc, sqlite3.Error) else ""
                raise InputError(said + why) from None

    def portal(self) -> PortalKey | None:
        """The portal the journal's runs went to (None for a journal no run has used)."""
        with self._using("read it"):
            row = self._db.execute("SELECT base_url, salt, token FROM portal").fetchone()
        if row is None:
            return None
        key = PortalKey(str(row[0]), str(row[1]), str(row[2]))
        if not key.well_formed():
            raise InputError(
                f"journal {self.path}: its record of the portal its runs went to is damaged (the "
                "salt or the token's hash is not what hubframe writes), so which portal it "
                "belongs to is not known; it is not used. Give the run a new journal (undo "
                "the runs it holds from their reports)."
            )
        return key

    def bind(self, client: TokenHolder) -> None:
        """Tie a new journal to ``client``'s portal; refuse one written against another
        (:mod:`hubframe.run.portal`).  Called before a run reads or sends anything.  The
        portal is written only while none is (two runs starting on one new journal at once:
        the first to write wins, and the other is checked against it)."""
        if self.portal() is None:
            new = PortalKey.of(client)
            with self._using("write it", first=True):
                self._db.execute(
                    "INSERT INTO portal (base_url, salt, token) SELECT ?, ?, ? "
                    "WHERE NOT EXISTS (SELECT 1 FROM portal)",
                    (new.base_url, new.salt, new.token),
                )
        key = self.portal()
        assert key is not None  # written above, by this run or another
        refuse_another_portal(key, client, str(self.path))

    # --- runs ------------------------------------------------------------------------------

    def begin_run(self) -> None:
        """Start a run: the batches it records are its own, and the outcomes it re-uses are
        those of the open runs (:meth:`_open_runs`).  A run killed or stopped early (the daily
        limit, a refused token) is left open, so a later run of its sheet resumes it, even
        after runs of other sheets; a run that finished, or that an undo took back
        (:meth:`close_runs`), is never taken for done again: its batches are sent again, and
        the portal says what is there.  The run holds the journal's lease until it ends
        (:meth:`end_run`): an undo from the journal is refused meanwhile, and a run is refused
        while an undo from it holds it (InputError, nothing sent)."""
        if self._lease is None:
            self._lease = run_lease(self.path)
        with self._using("start a run", first=True), self._db:
            self._db.execute(_WRITE)
            self._open = self._open_runs(supersede=True)
            cursor = self._db.execute("INSERT INTO runs (started_at) VALUES (?)", (time.time(),))
            self._run = int(cursor.lastrowid or 0)
            self._resumed = set()
        self._checkpoint(now=True)
        self._first_intent = True

    def follow(self) -> None:
        """Read from the open runs as :meth:`begin_run` does, without starting a run (a dry
        run records nothing)."""
        with self._using("read it"):
            self._open = self._open_runs(supersede=False)

    def _open_runs(self, *, supersede: bool) -> tuple[int, ...]:
        """The runs whose outcomes a new run may re-use: those left open (killed, cancelled,
        stopped early; run 0, a format-3 journal's batches, while no run has ended), except
        one a later run changed the work of (:func:`_superseded`).  ``supersede``: end those
        in the journal."""
        ended = self._db.execute("SELECT COUNT(*) FROM runs WHERE ended IS NOT NULL")
        legacy = (0,) if int(ended.fetchone()[0]) == 0 else ()
        rows = self._db.execute("SELECT id FROM runs WHERE ended IS NULL ORDER BY id")
        open_runs = (*legacy, *(int(r) for (r,) in rows))
        if not open_runs:
            return ()
        gone = _superseded(self._db, open_runs)
        if supersede and gone:
            marks = ",".join("?" * len(gone))
            self._db.execute(f"UPDATE runs SET ended = 'superseded' WHERE id IN ({marks})", gone)
        return tuple(r for r in open_runs if r not in gone)

    def _reading(self) -> tuple[str, tuple[int, ...]]:
        """The SQL test and parameters of a ``run`` column for the runs this run reads from:
        the open runs and its own."""
        runs = (*self._open, self._run) if self._run else self._open
        return f"run IN ({','.join('?' * len(runs))})", runs

    def defer_finish(self) -> None:
        """Hold :meth:`finish_run` until :meth:`finish_deferred`: the command line marks a run
        finished only once its report and retry file are written, so a run killed while
        writing them is resumed (its recorded outcomes and its reading of the pairs before
        re-used), not run again as new."""
        self._deferred = True

    def finish_deferred(self) -> None:
        """Finish the run :meth:`finish_run` was asked to finish while deferred."""
        self._deferred = False
        try:
            if self._finish_due:
                self._finish_due = False
                self.finish_run()
        finally:
            self._release()

    def finish_run(self) -> None:
        """The run sent every batch: its outcomes, and those of the open runs it resumed
        (re-used a batch of, or of one that did), are not re-used by a later run.  An open run
        of another sheet stays open; one an undo ended while it sent (the undo of a report of
        its pairs) keeps the undo's end, as do the runs it resumed."""
        if self._deferred:
            self._finish_due = True
            return
        self._check_file()
        if self._run:
            with self._using("finish a run"), self._db:
                self._db.execute(_WRITE)
                runs = [self._run, *_resumed_by(self._db, self._run)]
                marks = ",".join("?" * len(runs))
                self._db.execute(
                    f"UPDATE runs SET ended = 'finished' WHERE id IN ({marks}) AND "
                    "(ended IS NULL OR (id = ? AND ended NOT IN ('undone', ?)))",
                    (*runs, self._run, TAKEN_BACK),
                )

    def close_runs(
        self, reason: str = "undone", *, touching: Iterable[RecordEnds] | None = None
    ) -> None:
        """End the open runs an undo took work of back: a later run re-uses none of their
        outcomes.  Every open run, or (``touching``: the record pairs of the table undone, as
        :func:`record_ends` writes them) those that sent to one of those pairs: an open run
        of another sheet stays open, to be resumed (closed, its rerun took the links its
        first run made for links found there, and the undo of its report left them)."""
        with self._using("close its runs"), self._db:
            self._db.execute(_WRITE)
            if touching is None:
                self._db.execute("UPDATE runs SET ended = ? WHERE ended IS NULL", (reason,))
            elif not self._close_touching(reason, set(touching)):
                return
            self._db.execute(
                "INSERT INTO runs (started_at, ended) VALUES (?, ?)", (time.time(), reason)
            )

    def _close_touching(self, reason: str, wanted: set[RecordEnds]) -> bool:
        """End the open runs that sent to a pair of ``wanted``; whether any was (lock held)."""
        closing = self._closing(wanted)
        if closing:
            marks = ",".join("?" * len(closing))
            self._db.execute(f"UPDATE runs SET ended = ? WHERE id IN ({marks})", (reason, *closing))
        return bool(closing)

    def _closing(self, wanted: set[RecordEnds] | None) -> list[int]:
        """The open runs :meth:`close_runs` ends: every one (``wanted`` None), or those that
        sent to a pair of ``wanted`` (lock held)."""
        rows = self._db.execute("SELECT id FROM runs WHERE ended IS NULL ORDER BY id")
        found = [int(r) for (r,) in rows.fetchall()]
        if wanted is None:
            return found
        return [run for run in found if _touched(self._db, run) & wanted]

    def closing_sent(self, touching: Iterable[RecordEnds] | None = None) -> list[SentKey]:
        """The association rows (applied, or maybe: a batch out when its run was killed) that
        the open runs :meth:`close_runs` would end with ``touching`` sent, keyed as
        :meth:`created` keys them: the work an undo that ends those runs must take back, or
        leave them open for."""
        with self._using("read it"):
            runs = tuple(self._closing(None if touching is None else set(touching)))
            if not runs:
                return []
            test = f"s.run IN ({','.join('?' * len(runs))}) AND s.{_LINKS}"
            return list(self._sent_keys(test, runs))

    def mark_taken_back(self) -> None:
        """An undo from this journal took back every row it found (none failed, none of unknown
        outcome): a later undo from it takes back only the runs after this one.  Before, an
        undo after another took the first runs back again, with what the pairs held before
        them, and so removed what was added by hand or by a later run since."""
        self.close_runs(TAKEN_BACK)

    def _not_taken_back(self) -> int:
        """The first run an undo from the journal takes back: the one after the last complete
        undo's mark (0, every run and a format-3 journal's batches, when none was)."""
        found = self._db.execute(
            "SELECT COALESCE(MAX(id), 0) FROM runs WHERE ended = ?", (TAKEN_BACK,)
        ).fetchone()[0]
        return int(found) + 1 if found else 0

    @property
    def run(self) -> int:
        """The run recording now (runs.id; 0 before :meth:`begin_run`, and in a dry run): a
        result table keeps it (``RunFacts.journal_run``), its report's Summary names it."""
        return self._run

    def run_chain(self, run: int) -> frozenset[int]:
        """``run`` and the runs it resumed, directly or through another (table ``resumed``):
        the runs whose rows a report of ``run`` holds."""
        with self._using("read it"):
            return frozenset({run, *_resumed_by(self._db, run)})

    def run_started(self, run: int) -> float | None:
        """When ``run`` started (seconds since the epoch); None for a run the journal lacks."""
        with self._using("read it"):
            found = self._db.execute("SELECT started_at FROM runs WHERE id = ?", (run,))
            row = found.fetchone()
        return None if row is None else float(row[0])

    def last_run(self) -> int:
        """The journal's last run (runs.id, an undo's mark too; 0 when none): a table read from
        the journal knows the runs it holds, and an undo of it knows when another came since."""
        with self._using("read it"):
            return int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()[0])

    def reusable(self) -> int:
        """How many recorded batches this run may re-use."""
        with self._using("read it"):
            where, runs = self._reading()
            query = f"SELECT COUNT(*) FROM batches WHERE {where}"
            return int(self._db.execute(query, runs).fetchone()[0])

    def lookup(self, batch: Batch, packed: Packed | None = None) -> list[Outcome] | None:
        """The recorded outcomes of ``batch`` (one per item, in order), or None.  ``packed``:
        the batch's :func:`pack`, when the caller has it already."""
        key = (packed or pack(batch)).digest
        with self._using("read it"):
            where, runs = self._reading()
            row = self._db.execute(
                f"SELECT size, outcomes, rows, run FROM batches WHERE digest = ? AND {where}",
                (key, *runs),
            ).fetchone()
            if row is None or row[0] != batch.size:
                return None
            self._resumes(int(row[3]))
            distinct = [_outcome(values, batch.number) for values in json.loads(row[1])]
            return [distinct[c] for c in _codes(row[2], row[0])]

    def _resumes(self, run: int) -> None:
        """This run re-used a batch of ``run`` (an earlier, open one), or went by its reading
        of a pair it applied (:meth:`_went_by`): kept, so that finishing this run ends that one
        too, a run of another sheet does not, and a later run does not take this one for a
        change of that one's work (:func:`_superseded`) (lock held)."""
        if not self._run or run in (self._run, 0) or run in self._resumed:
            return
        self._resumed.add(run)
        self._db.execute("INSERT OR IGNORE INTO resumed VALUES (?, ?)", (self._run, run))

    def intend(self, batch: Batch, packed: Packed | None = None) -> int:
        """Keep the rows of a batch about to be sent in ``sent`` as maybe applied, before it
        leaves: a run killed while HubSpot applies it (its answer never read) left nothing an
        undo could take back, nor anything a resumed limits run could tell a removal it made
        by (:meth:`removed_limits`).  Returns the entry for :meth:`record` (which writes the
        rows' outcomes into it) or :meth:`retract`.  A batch of limits is kept there too (its
        rows' ids empty); the readers of associations leave it out (``_LINKS``)."""
        packed = packed or pack(batch)
        with self._using("record a batch"), self._db:
            self._db.execute(_WRITE)
            entry = self._record_sent(batch, packed, bytes([_UNKNOWN]) * batch.size)
        # the run's first batch at once: a -wal lost in the run's first second (copied or
        # moved without it) took with it every batch the run had sent (the undo left them)
        self._checkpoint(now=self._first_intent)
        self._first_intent = False
        return entry

    def retract(self, intended: int) -> None:
        """A batch :meth:`intend` kept was not sent after all (the run was cancelled)."""
        with self._using("record a batch"), self._db:
            self._db.execute(_WRITE)
            self._db.execute("DELETE FROM sent WHERE rowid = ?", (intended,))
            self._db.execute("DELETE FROM settled WHERE entry = ?", (intended,))

    def record(
        self,
        batch: Batch,
        outcomes: Sequence[Outcome],
        packed: Packed | None = None,
        intended: int | None = None,
        *,
        final: bool | None = None,
    ) -> bool:
        """Record a finished batch; returns False (and records no outcome) unless all are
        final (``final``: the caller's word, for a batch whose rows not sent have outcomes a
        read decided, to be judged again when met).  The association rows of the batch are
        kept in ``sent`` either way (for undo), in the entry :meth:`intend` made when given
        (its states then in ``settled``).  One transaction per batch."""
        if len(outcomes) != batch.size:
            return False
        packed = packed or pack(batch)
        shared = shared_outcome(outcomes)
        if shared is not None:  # one for all (a batch's successes)
            distinct, rows = [_OUTCOME(shared)], None
        else:
            distinct, rows = _distinct(list(map(_OUTCOME, outcomes)))
        if final is None:
            final = all(_final(o) for o in distinct)
        with self._using("record a batch"), self._db:
            self._db.execute(_WRITE)
            states = _states(distinct, rows, len(outcomes))
            if intended is not None:
                self._db.execute("INSERT OR REPLACE INTO settled VALUES (?, ?)", (intended, states))
            elif batch.action.changes_links:
                self._record_sent(batch, packed, states)
            if final:
                data = json.dumps([[_plain(v) for v in o] for o in distinct], separators=(",", ":"))
                self._db.execute(
                    "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        packed.digest,
                        str(batch.action),
                        batch.from_type,
                        batch.to_type,
                        batch.size,
                        data,
                        rows,
                        time.time(),
                        self._run,
                    ),
                )
        self._checkpoint()
        return final

    def _record_sent(self, batch: Batch, packed: Packed, states: bytes | None) -> int:
        self._sends_again(batch, packed)
        cursor = self._db.execute(
            "INSERT INTO sent VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(batch.action),
                batch.from_type,
                batch.to_type,
                batch.size,
                packed.from_ids,
                packed.to_ids,
                packed.types,
                packed.type_rows,
                states,
                self._run,
            ),
        )
        return int(cursor.lastrowid or 0)

    def _sends_again(self, batch: Batch, packed: Packed) -> None:
        """This run sends a row an open run sent (the same action, records, category and type
        id: a success or a write that may have been applied): it carries on that run's work
        and resumes it (:meth:`_resumes`).  Before, only a re-used batch did: a ``remove`` (or
        any run that reads nothing before) killed before any answer was recorded, resumed,
        and killed again once its resume sent a batch, was then taken for changed by its
        resume (``superseded``), and the third run reported the first run's removals
        ``NOT_ASSOCIATED``, which its undo did not put back (lock held)."""
        waiting = [r for r in self._open if r not in (0, self._run) and r not in self._resumed]
        if not waiting or not self._run:
            return
        group = (str(batch.action), batch.from_type, batch.to_type)
        if group not in self._open_sent:
            marks = ",".join("?" * len(waiting))
            test = f"s.action = ? AND s.from_type = ? AND s.to_type = ? AND s.run IN ({marks})"
            index: dict[SentKey, set[int]] = {}
            for key, run in self._sent_rows(test, (*group, *waiting)):
                index.setdefault(key, set()).add(run)
            self._open_sent[group] = index
        index = self._open_sent[group]
        if not index:
            return
        for key in _batch_keys(group, batch.size, packed):
            for run in index.get(key, _EMPTY):
                self._resumes(run)

    # --- what the pairs carried before the run ------------------------------------------------

    def remember_before(
        self,
        from_type: str,
        to_type: str,
        from_ids: Sequence[str] | pa.Array,
        to_ids: Sequence[str] | pa.Array,
        linked: Mapping[int, Iterable[int]],
    ) -> None:
        """Keep what pairs carried before sending (each reading kept; :meth:`existing` picks
        the one a run goes by): the pairs ``from_ids[n]``, ``to_ids[n]``; ``linked``: the type
        ids of those that were linked, by ``n`` (the others were not).  Lists, or Arrow text
        arrays (joined in Arrow)."""
        rows = self._before_rows(from_type, to_type, from_ids, to_ids, linked)
        went_by = self._went_by(from_type, to_type, from_ids, to_ids, linked)
        with self._using("record what existed before"), self._db:
            self._db.execute(_WRITE)
            self._db.executemany("INSERT INTO before VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            for run in sorted(went_by):
                self._resumes(run)
        self._checkpoint(now=True)

    def _went_by(
        self,
        from_type: str,
        to_type: str,
        from_ids: Sequence[str] | pa.Array,
        to_ids: Sequence[str] | pa.Array,
        linked: Mapping[int, Iterable[int]],
    ) -> set[int]:
        """The open runs whose reading of a pair this run keeps as its own
        (:meth:`remember_before`): the runs that applied a pair :meth:`existing` lent it the
        reading of, kept as it was lent.  Such a run resumes them (:meth:`_resumes`).  Before,
        only a re-used batch did: a run killed before any answer was recorded, resumed, and
        killed again once its resume sent a batch, was then taken for changed by its resume
        (``superseded``), and the third run read again the pairs only the first had sent,
        found its links, and reported them ``existed_before``: an undo left them."""
        lent = self._lent.get((from_type, to_type))
        if not lent:
            return set()
        froms = from_ids.to_pylist() if isinstance(from_ids, pa.Array) else list(from_ids)
        tos = to_ids.to_pylist() if isinstance(to_ids, pa.Array) else list(to_ids)
        runs: set[int] = set()
        for n, pair in enumerate(zip(froms, tos, strict=True)):
            found = lent.get(RecordPair(str(pair[0]), str(pair[1])))
            if found is not None and found[0] == frozenset(linked.get(n, _EMPTY)):
                runs |= found[1]
        return runs

    def _before_rows(
        self,
        from_type: str,
        to_type: str,
        from_ids: Sequence[str] | pa.Array,
        to_ids: Sequence[str] | pa.Array,
        linked: Mapping[int, Iterable[int]],
    ) -> list[tuple[Any, ...]]:
        """The rows of ``before`` that keep a reading (see :meth:`remember_before`)."""
        rows = []
        for start in range(0, len(from_ids), _BEFORE_CHUNK):
            end = start + _BEFORE_CHUNK
            types = {n - start: sorted(t) for n, t in linked.items() if start <= n < end}
            rows.append(
                (
                    from_type,
                    to_type,
                    len(from_ids[start:end]),
                    _column_text(from_ids[start:end]),
                    _column_text(to_ids[start:end]),
                    json.dumps(types, separators=(",", ":")),
                    self._run,
                )
            )
        return rows

    def remember_primaries(
        self, record_type: str, found: Mapping[str, Mapping[str, Iterable[int]]]
    ) -> None:
        """Keep this run's reading of the primary companies of records of ``record_type``:
        record id -> each company holding the record's primary, with every type id the pair
        held (empty: the record had none).  The pairs go to ``before`` as readings in the
        record's direction, the records to ``primary_read``: an undo from the journal tells a
        record read with no primary company from one never read (:class:`_Befores`)."""
        pairs = [
            (r, company, types) for r, held in found.items() for company, types in held.items()
        ]
        linked = {n: types for n, (_, _, types) in enumerate(pairs) if types}
        rows = self._before_rows(
            record_type,
            PRIMARY_COMPANY,
            [p[0] for p in pairs],
            [p[1] for p in pairs],
            linked,
        )
        records = list(found)
        read = [
            (record_type, len(chunk), _ids_text(chunk), self._run)
            for start in range(0, len(records), _BEFORE_CHUNK)
            if (chunk := records[start : start + _BEFORE_CHUNK])
        ]
        with self._using("record the primary companies before"), self._db:
            self._db.execute(_WRITE)
            self._db.executemany("INSERT INTO before VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.executemany("INSERT INTO primary_read VALUES (?, ?, ?, ?)", read)
        self._checkpoint(now=True)

    def remember_existing(
        self, from_type: str, to_type: str, states: Mapping[RecordPair, Iterable[int]]
    ) -> None:
        """Keep the type ids each pair carried before sending (see :meth:`remember_before`)."""
        pairs = list(states.items())
        linked = {n: types for n, (_, types) in enumerate(pairs) if types}
        from_ids = [str(p[0]) for p, _ in pairs]
        to_ids = [str(p[1]) for p, _ in pairs]
        self.remember_before(from_type, to_type, from_ids, to_ids, linked)

    def existing(
        self, from_type: str, to_type: str, *, current: bool = False
    ) -> dict[RecordPair, frozenset[int]]:
        """The remembered type ids per pair of one object pair direction: the first reading
        of each pair (what it held before the journal's first run); ``current``: of the pairs
        the runs this run resumes sent (a write that may have been applied), the last reading
        by those runs taken before the first of them sent it (what it held before the chain of
        stopped runs changed it, as this run's result reports it; :meth:`_before_sent`), not
        one a finished run made: a pair they never sent is read again, since what it holds now
        may have been changed by hand since (a resumed run took a link made in between for its
        own, and its undo removed it).  A run that goes by these readings records them again as
        its own (:meth:`remember_before`), and so resumes the open runs that applied them: an
        undo from the journal looks only at the readings of the run that applied a row and the
        runs it resumed, and a later run does not take it for a change of their work
        (:func:`_superseded`)."""
        found: dict[RecordPair, frozenset[int]] = {}
        with self._using("read it"):
            if current:
                return self._before_sent(from_type, to_type)
            where, runs = "run >= ?", (self._not_taken_back(),)
            for pair, _, types in self._readings(from_type, to_type, where, runs):
                found.setdefault(pair, types)
        return found

    def _before_sent(self, from_type: str, to_type: str) -> dict[RecordPair, frozenset[int]]:
        """:meth:`existing` of ``current``: of each pair the open runs (and this one) sent a
        write of that succeeded or may have, the last reading by those runs taken before the
        first of them sent it -- by a run up to that one (a run reads its pairs before it
        sends).  Before, the first reading was taken: run 1 read a pair unlinked and never
        sent it, it was linked by hand, run 2 read it linked and sent it, and run 3 reported
        run 1's reading (``existed_before`` False), whose undo removed the link made by hand.
        A reading taken after the first send (a later run's, of that run's own link) is no
        reading of what was there before (lock held)."""
        where, runs = self._reading()
        applied = self._applied(from_type, to_type, where, runs)
        if not applied:
            return {}
        first = {pair: min(by) for pair, by in applied.items()}
        found: dict[RecordPair, frozenset[int]] = {}
        for pair, run, types in self._readings(from_type, to_type, where, runs):
            if run <= first.get(pair, -1):
                found[pair] = types  # in the order taken: the last one stays
        if self._run:
            lent = {p: (t, applied[p] - {self._run, 0}) for p, t in found.items()}
            self._lent[(from_type, to_type)] = lent
        return found

    def readings(self, from_type: str, to_type: str) -> dict[RecordPair, list[frozenset[int]]]:
        """Every reading of each pair of one direction the journal holds, by any of its runs
        (the type ids the pair carried then), in the order taken."""
        found: dict[RecordPair, list[frozenset[int]]] = {}
        with self._using("read it"):
            for pair, _, types in self._readings(from_type, to_type, "run >= ?", (0,)):
                found.setdefault(pair, []).append(types)
        return found

    def primaries(
        self, record_type: str, record_ids: Iterable[str]
    ) -> dict[str, frozenset[str] | None]:
        """Record id -> the companies holding the record's primary before the chain of runs
        this run resumes (and its own) set it, of each record a row of which making a company
        its primary they sent (or may have): the last reading of the record by those runs up
        to the first of them that sent such a row (a run keeps its readings of the primary
        companies of the records its rows set one for; :meth:`remember_primaries`), an empty
        set for a record read with none, None when none of those runs read it.  Records no
        such row of was sent are left out (read again: the chain has not moved their primary).
        Before, the first reading of each company's pair was taken: run 1 read deal D's
        primary P1 and was stopped before sending D's row, a colleague moved it to P2, run 2
        read P2 and sent D's row, and run 3 reported P1 and P2 (or P1 when the colleague
        took the primary off), and its undo named the wrong company to put back, or left the
        row as one that moved a primary."""
        wanted = set(record_ids)
        with self._using("read it"):
            where, runs = self._reading()
            first = self._primary_sent(record_type, wanted, where, runs)
            if not first:
                return {}
            readings = self._record_readings(record_type, where, runs)
        type_id = _TO_COMPANY[record_type]
        out: dict[str, frozenset[str] | None] = {}
        for record, by in first.items():
            pairs, read = readings.get(record, ([], set()))
            held, known = _held_before(pairs, read, {r for r in runs if r <= by}, type_id)
            out[record] = held if known else None
        return out

    def _primary_sent(
        self, record_type: str, wanted: Container[str], where: str, runs: tuple[int, ...]
    ) -> dict[str, int]:
        """Record id (of ``wanted``) -> the first of the runs ``where`` selects that sent a row
        making a company its primary (either direction) that succeeded or may have (lock
        held)."""
        either = "((s.from_type = ? AND s.to_type = ?) OR (s.from_type = ? AND s.to_type = ?))"
        test = f"{either} AND s.{where} AND s.action = ?"
        params = (record_type, PRIMARY_COMPANY, PRIMARY_COMPANY, record_type, *runs)
        first: dict[str, int] = {}
        for key, run in self._sent_rows(test, (*params, str(Action.ASSOCIATE))):
            found = _primary_of(key)
            if found is not None and found[0] == record_type and found[1] in wanted:
                first[found[1]] = min(run, first.get(found[1], run))
        return first

    def _record_readings(
        self, record_type: str, where: str, runs: tuple[int, ...]
    ) -> dict[str, RecordReadings]:
        """Record id -> the readings of its companies by the runs ``where`` selects, as
        (company, run, type ids) in the order taken, and the runs that read its primary
        companies (``primary_read``) (lock held)."""
        out: dict[str, RecordReadings] = {}
        for pair, run, types in self._readings(record_type, PRIMARY_COMPANY, where, runs):
            out.setdefault(pair.from_id, ([], set()))[0].append((pair.to_id, run, types))
        for record, run in self._primaries_read(record_type, where, runs):
            out.setdefault(record, ([], set()))[1].add(run)
        return out

    def _primaries_read(
        self, record_type: str, where: str, runs: tuple[int, ...]
    ) -> Iterator[tuple[str, int]]:
        """(record id, run) of each record of ``record_type`` whose primary companies the runs
        ``where`` selects read (lock held)."""
        rows = self._db.execute(
            f"SELECT size, record_ids, run FROM primary_read WHERE record_type = ? AND {where}",
            (record_type, *runs),
        ).fetchall()
        for size, text, run in rows:
            for record in _ids_of(text, size):
                yield record, int(run)

    def _readings(
        self, from_type: str, to_type: str, where: str, runs: tuple[int, ...]
    ) -> Iterator[tuple[RecordPair, int, frozenset[int]]]:
        """Each remembered reading of a pair of one direction by the runs ``where`` selects,
        as (pair, run, type ids), in the order taken (lock held)."""
        rows = self._db.execute(
            "SELECT size, from_ids, to_ids, linked, run FROM before "
            f"WHERE from_type = ? AND to_type = ? AND {where} ORDER BY rowid",
            (from_type, to_type, *runs),
        ).fetchall()
        for size, from_text, to_text, linked_text, run in rows:
            linked = {int(n): frozenset(t) for n, t in json.loads(linked_text).items()}
            pairs = zip(_ids_of(from_text, size), _ids_of(to_text, size), strict=True)
            for n, pair in enumerate(pairs):
                yield RecordPair(*pair), int(run), linked.get(n, _EMPTY)

    def left_behind(self, rows: Callable[[], Callable[[SentKey], bool]]) -> list[SentKey]:
        """The association rows the open runs this run resumed applied (or may have) that no
        row of this run names: ``rows`` gives the test of whether this run names one (asked
        only when it resumed a run that applied any)."""
        if not self._run:
            return []
        with self._using("read it"):
            runs = sorted(_resumed_by(self._db, self._run))
            if not runs:
                return []
            test = f"s.run IN ({','.join('?' * len(runs))}) AND s.{_LINKS}"
            found = list(self._sent_keys(test, tuple(runs)))
        if not found:
            return []
        names = rows()
        return [key for key in found if not names(key)]

    def open_applied(self, pairs: Collection[tuple[str, str]]) -> list[SentKey]:
        """The association rows the open runs of the journal (killed or stopped, whether this
        run resumed them or not) applied, or may have, to the record pairs ``pairs`` (from id,
        to id; either direction): this run's refused rows, which it neither sends nor reports
        as applied, so what the stopped runs did to them is said nowhere else (a resumed run's
        rows this sheet left out are :meth:`left_behind`'s, not a refused row's)."""
        if not self._run or not pairs:
            return []
        with self._using("read it"):
            runs = tuple(r for r in self._open if r not in (0, self._run))
            if not runs:
                return []
            test = f"s.run IN ({','.join('?' * len(runs))}) AND s.{_LINKS}"
            found = list(self._sent_keys(test, runs))
        wanted = set(pairs)
        return [
            key
            for key in found
            if (str(key[3]), str(key[4])) in wanted or (str(key[4]), str(key[3])) in wanted
        ]

    def applied(self, action: str, from_type: str, to_type: str) -> set[tuple[str, str, Any]]:
        """The rows (from id, to id, type id) that this run or the open runs it resumes sent
        as ``action`` from ``from_type`` to ``to_type``, and that succeeded or may have: a
        resumed removal reports the removals its stopped run made as done, not as absent."""
        with self._using("read it"):
            where, runs = self._reading()
            test = f"s.action = ? AND s.from_type = ? AND s.to_type = ? AND s.{where}"
            keys = self._sent_keys(test, (action, from_type, to_type, *runs))
            return {(key[3], key[4], key[6]) for key in keys}

    def applied_runs(self, rows: Iterable[SentKey]) -> dict[SentKey, set[int]]:
        """Of every row of the ``rows``' object pairs (keyed as :meth:`created` keys them)
        that the journal's runs applied or may have, whatever its action, the runs that did:
        what an undo holds a report's cells to (:mod:`hubframe.jobs.undo_cells`)."""
        groups = {(str(row[1]), str(row[2])) for row in rows}
        found: dict[SentKey, set[int]] = {}
        with self._using("read it"):
            for from_type, to_type in sorted(groups):
                test = f"s.from_type = ? AND s.to_type = ? AND s.{_LINKS}"
                for key, run in self._sent_rows(test, (from_type, to_type)):
                    found.setdefault(key, set()).add(run)
        return found

    def resumed_by(self, run: int) -> set[int]:
        """The runs ``run`` resumed, directly or through a run it resumed."""
        with self._using("read it"):
            return _resumed_by(self._db, run)

    def removed_limits(self, from_type: str, to_type: str) -> set[tuple[str | None, int | None]]:
        """The limits (category, type id) from ``from_type`` to ``to_type`` whose last change
        a run of the journal sent (applied, or may have) is a removal: one this run or an open
        run it resumes sent (applied, or its answer lost: a run killed while it was sent, or
        stopped before a read settled it), or one whose outcome is still unknown (a run that
        finished with it ``UNKNOWN_OUTCOME``).  A resumed limits run reports such a removal
        of a limit HubSpot no longer holds as done, never as "nothing to remove"
        (:meth:`settle` then keeps that it was found applied)."""
        _, runs = self._reading()
        reading = set(runs)
        marks = ",".join("?" * len(_LIMIT_NAMES))
        last: dict[tuple[Any, ...], tuple[str, int, int]] = {}  # limit -> action, state, run
        with self._using("read it"):
            rows = self._db.execute(
                "SELECT s.action, s.size, s.from_ids, s.to_ids, s.types, s.type_rows, "
                "CASE WHEN t.entry IS NULL THEN s.states ELSE t.states END, s.run "
                "FROM sent s LEFT JOIN settled t ON t.entry = s.rowid "
                f"WHERE s.from_type = ? AND s.to_type = ? AND s.action IN ({marks}) "
                "ORDER BY s.rowid",
                (from_type, to_type, *_LIMIT_NAMES),
            ).fetchall()
        for action, size, from_text, to_text, types, type_rows, states, run in rows:
            state = states or bytes([_SUCCESS]) * int(size)
            keys = _keys(action, from_type, to_type, size, from_text, to_text, types, type_rows)
            for key, row_state in zip(keys, state, strict=True):
                if row_state == _OTHER:  # refused: it changed nothing
                    continue
                last[(key[5], key[6])] = (action, row_state, int(run))
        return {
            limit
            for limit, (action, row_state, run) in last.items()
            if action == Action.PURGE_LIMIT and (row_state == _UNKNOWN or run in reading)
        }

    def settle(self, batch: Batch) -> None:
        """The rows of ``batch`` a read of the portal found applied, sending nothing (a limit
        removal whose answer was lost, its limit gone): the last entry of ``sent`` of each
        that holds it as maybe applied now holds it as applied, so a later run does not
        report it again as this run's work (:meth:`removed_limits`), and this run resumes
        the open run that sent it (finishing, it ends that run too)."""
        group = (str(batch.action), batch.from_type, batch.to_type)
        wanted = set(_batch_keys(group, batch.size, pack(batch)))
        with self._using("record a batch"), self._db:
            self._db.execute(_WRITE)
            rows = self._db.execute(
                "SELECT s.rowid, s.size, s.from_ids, s.to_ids, s.types, s.type_rows, "
                "CASE WHEN t.entry IS NULL THEN s.states ELSE t.states END, s.run "
                "FROM sent s LEFT JOIN settled t ON t.entry = s.rowid "
                "WHERE s.action = ? AND s.from_type = ? AND s.to_type = ? ORDER BY s.rowid DESC",
                (str(batch.action), batch.from_type, batch.to_type),
            ).fetchall()
            for entry, size, from_text, to_text, types, type_rows, states, run in rows:
                if not wanted:
                    break
                state = bytearray(states or bytes([_SUCCESS]) * int(size))
                keys = _keys(*group, size, from_text, to_text, types, type_rows)
                changed = False
                for i, key in enumerate(keys):
                    if key in wanted:  # its last entry decides
                        wanted.discard(key)
                        if int(run) in self._open:  # this run carries on its work
                            self._resumes(int(run))
                        if state[i] == _UNKNOWN:
                            state[i], changed = _SUCCESS, True
                if changed:
                    self._db.execute(
                        "INSERT OR REPLACE INTO settled VALUES (?, ?)", (entry, bytes(state))
                    )
        self._checkpoint()

    def _applied(
        self, from_type: str, to_type: str, where: str, runs: tuple[int, ...]
    ) -> dict[RecordPair, set[int]]:
        """The pairs (of this direction; a write of the other direction counted too) that the
        runs ``where`` selects sent a write of that succeeded or may have, each with those
        runs (lock held)."""
        found: dict[RecordPair, set[int]] = {}
        either = "((s.from_type = ? AND s.to_type = ?) OR (s.from_type = ? AND s.to_type = ?))"
        test = f"{either} AND s.{where} AND s.{_LINKS}"
        params = (from_type, to_type, to_type, from_type, *runs)
        for key, run in self._sent_rows(test, params):
            if key[1] == from_type:
                found.setdefault(RecordPair(key[3], key[4]), set()).add(run)
            if key[1] == to_type:  # the other direction (both, for one object type)
                found.setdefault(RecordPair(key[4], key[3]), set()).add(run)
        return found

    def _sent_keys(self, test: str, params: tuple[Any, ...]) -> Iterator[SentKey]:
        """The rows of the ``sent`` entries ``test`` (SQL on ``s``) selects that succeeded or
        may have, keyed as :meth:`created` keys them (lock held)."""
        return (key for key, _ in self._sent_rows(test, params))

    def _sent_rows(self, test: str, params: tuple[Any, ...]) -> Iterator[tuple[SentKey, int]]:
        """:meth:`_sent_keys`, each row with the run that sent it (lock held)."""
        rows = self._db.execute(
            "SELECT s.action, s.from_type, s.to_type, s.size, s.from_ids, s.to_ids, s.types, "
            "s.type_rows, CASE WHEN t.entry IS NULL THEN s.states ELSE t.states END, s.run "
            f"FROM sent s LEFT JOIN settled t ON t.entry = s.rowid WHERE {test}",
            params,
        ).fetchall()
        for *entry, states, run in rows:
            state = states or bytes([_SUCCESS]) * int(entry[3])
            keys = _keys(*entry)
            yield from (
                (key, int(run))
                for key, row_state in zip(keys, state, strict=True)
                if row_state != _OTHER
            )

    def created(self) -> list[JournalRow]:
        """Every association row the journal's runs created or removed successfully (its
        ``action`` says which), or that may have been
        applied (``maybe``: UNKNOWN_OUTCOME), with the pair's state before the first run (None
        when it was not recorded); in the order they were first sent.  A row sent several times
        counts as successful once any time was, as maybe applied once any time may have been."""
        rows: dict[tuple[Any, ...], bool] = {}  # -> maybe
        applied_by: dict[SentKey, int] = {}  # -> the first run that applied it (or may have)
        with self._using("read it"):
            first = self._not_taken_back()
            sent, undone = self._sent_since(first)
            for run, *entry in sent:
                _merge_sent(rows, *entry, undone=undone, run=int(run), applied_by=applied_by)
            before = _Befores(self, first)
            recorded: dict[int, bool] = {}
            out = []
            for key, maybe in rows.items():
                action, from_type, to_type, from_id, to_id, category, type_id = key
                run = applied_by[key]
                reading = before.of(key, run)
                primary = before.primary(key, run)
                if reading is None and run not in recorded:
                    recorded[run] = before.recorded(run)
                out.append(
                    JournalRow(
                        action=action,
                        from_type=from_type,
                        to_type=to_type,
                        from_id=from_id,
                        to_id=to_id,
                        category=category,
                        type_id=type_id,
                        before=reading,
                        maybe=maybe,
                        primary_before=primary[0] if primary is not None else None,
                        primary_read=primary is None or primary[1],
                        recorded=reading is not None or recorded[run],
                    )
                )
            return out

    def history(self) -> list[JournalStep]:
        """Every association row the runs :meth:`created` covers applied (or may have), once
        for each time a run sent it, in the order they were sent, with the reading of the
        pair by that run (and the runs it resumed): what several runs did to one pair, for an
        undo that takes back their net change (:mod:`hubframe.report.net`).  Empty when one
        run sent them all (no pair has several runs' changes: not read twice)."""
        with self._using("read it"):
            first = self._not_taken_back()
            runs = self._db.execute(
                f"SELECT COUNT(DISTINCT run) FROM sent WHERE run >= ? AND {_LINKS}", (first,)
            ).fetchone()[0]
            if int(runs) < 2:
                return []
            sent, undone = self._sent_since(first)
            before = _Befores(self, first)
            out: list[JournalStep] = []
            for run, *entry, states in sent:
                size = int(entry[3])
                state = states or bytes([_SUCCESS]) * size
                for key, row_state in zip(_keys(*entry), state, strict=True):
                    if row_state == _OTHER or (key, int(run)) in undone:
                        continue
                    reading = before.of(key, int(run))
                    out.append(JournalStep(key, int(run), row_state != _SUCCESS, reading))
            return out

    def take_back(self, rows: Iterable[SentKey]) -> None:
        """An undo of a result table (or of part of the journal) took back these rows of its
        runs (each as :meth:`created` keys it: action, object types, ids, category, type id):
        a later undo from the journal leaves them alone, or it would remove a link made again
        by hand since (the pair's state before the run says it was not there).  A row a later
        run sends again is taken back again.  Marked as a run of its own (ended 'undone')."""
        groups: dict[tuple[str, str, str], list[SentKey]] = {}
        for row in rows:
            groups.setdefault((row[0], row[1], row[2]), []).append(row)
        if not groups:
            return
        with self._using("record what an undo took back"), self._db:
            self._db.execute(_WRITE)
            cursor = self._db.execute(
                "INSERT INTO runs (started_at, ended) VALUES (?, 'undone')", (time.time(),)
            )
            mark = int(cursor.lastrowid or 0)
            for (action, from_type, to_type), keys in groups.items():
                distinct, type_rows = _distinct([(k[5], k[6], None) for k in keys])
                self._db.execute(
                    "INSERT INTO taken_back VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        mark,
                        action,
                        from_type,
                        to_type,
                        len(keys),
                        _ids_text([k[3] for k in keys]),
                        _ids_text([k[4] for k in keys]),
                        json.dumps([list(t) for t in distinct], separators=(",", ":")),
                        type_rows,
                    ),
                )

    def still_taken_back(
        self, rows: Iterable[SentKey], runs: Collection[int] | None = None
    ) -> dict[SentKey, int | None]:
        """The ``rows`` (keyed as :meth:`created` keys them) an undo of a run's report leaves,
        each with why: None, an undo took it back (or found it gone: :meth:`take_back`) since
        the last run that sent it -- what an undo from the journal leaves out too: what the
        pair holds now was made since (by hand, say), not by a run; or a run's number, a
        later run of the journal that sent it again after an undo took it back from the
        report's run (``runs``: that run and the runs it resumed, :meth:`run_chain`): the row
        is that run's now, taken back from its report or from the journal, never from an
        earlier report (before, a second undo of the earlier report removed the later run's
        links).  Without ``runs`` (a report that names no run of the journal), a row taken
        back once and sent again since may be either run's: it is left too."""
        wanted = {tuple(row) for row in rows}
        with self._using("read it"):
            if (
                not wanted
                or not self._db.execute("SELECT EXISTS (SELECT 1 FROM taken_back)").fetchone()[0]
            ):
                return {}
            sent, undone = self._sent_since(0)
        sends: dict[SentKey, set[int]] = {}  # -> the runs that sent it (applied, or maybe)
        for run, *entry, states in sent:
            state = states or bytes([_SUCCESS]) * int(entry[3])
            for key, row_state in zip(_keys(*entry), state, strict=True):
                if row_state != _OTHER and key in wanted:
                    sends.setdefault(key, set()).add(int(run))
        out: dict[SentKey, int | None] = {}
        for key, by in sends.items():
            if (key, max(by)) in undone:
                out[key] = None
            elif _sent_again(key, by, runs, undone):
                out[key] = max(by)
        return out

    def changed_later(
        self, rows: Iterable[SentKey], runs: Collection[int] | None = None
    ) -> dict[SentKey, LaterChange]:
        """The ``rows`` (keyed as :meth:`created` keys them) whose change a later run of the
        journal reversed since the report's run (``runs``: that run and the runs it resumed,
        :meth:`run_chain`) last sent them, each with the first such reversal: a creation
        removed (the pair whole, in either direction: every type goes; or the row's type), a
        removal undone by a creation (the pair linked again, from either side, for a pair
        removed whole; the type added again, for a label removed alone), applied or maybe
        applied, sent by a run not in ``runs`` after the last send of the row by ``runs``, and
        not taken back by an undo since (an undo of that run's table gave the row's change
        back; one after a run reversed the change again took nothing back:
        :func:`_undone_sends`).  What the run did is undone already: what the pair holds now,
        if anything, was made since (by hand, by a later run) and is not the run's to take
        back.  Before, only undos were known (:meth:`still_taken_back`): run A linking a pair,
        a sync B of the journal removing it, run C (or a colleague) linking it again, the undo
        of A's report removed C's link, ``success``.  Without ``runs`` (a report that names no
        run of the journal), a reversal after the row's first send, by another run than that
        send's, counts."""
        wanted = {tuple(row) for row in rows}
        if not wanted:
            return {}
        by_ends: dict[frozenset[tuple[Any, Any]], list[SentKey]] = {}
        for key in wanted:
            by_ends.setdefault(_ends_of(key), []).append(key)
        with self._using("read it"):
            sent, undone = self._sent_since(0)
        chain = None if runs is None else frozenset(runs)
        mine: dict[SentKey, tuple[int, int]] = {}  # -> the place and run of its last send
        changes: dict[SentKey, list[tuple[int, LaterChange]]] = {}
        for place, (run, *entry, states) in enumerate(sent):
            by = int(run)
            state = states or bytes([_SUCCESS]) * int(entry[3])
            for key, row_state in zip(_keys(*entry), state, strict=True):
                if row_state == _OTHER:  # refused: it changed nothing
                    continue
                if key in wanted and (chain is None or by in chain):
                    if chain is None:
                        mine.setdefault(key, (place, by))  # the first send: any run's
                    else:
                        mine[key] = (place, by)
                    continue
                if (chain is not None and by in chain) or (key, by) in undone:
                    continue
                for row in by_ends.get(_ends_of(key), []):
                    if _reversed_by(row, key):
                        change = LaterChange(
                            by, row_state != _SUCCESS, key[0] == Action.ARCHIVE, key[0] in _ADDS
                        )
                        changes.setdefault(row, []).append((place, change))
        out: dict[SentKey, LaterChange] = {}
        for key, (place, by) in mine.items():
            later = [found for at, found in changes.get(key, []) if at > place and found.run != by]
            if later:
                out[key] = later[0]
        return out

    def sent_any(self, rows: Iterable[SentKey]) -> bool:
        """Whether the journal's runs sent any of ``rows`` (keyed as :meth:`created` keys
        them), whatever came of it and whether an undo took it back since: a journal that
        recorded a run's rows, rather than one given the same path later."""
        wanted: dict[tuple[str, str, str], set[SentKey]] = {}
        for row in rows:
            wanted.setdefault((row[0], row[1], row[2]), set()).add(tuple(row))
        with self._using("read it"):
            for (action, from_type, to_type), keys in wanted.items():
                found = self._db.execute(
                    "SELECT size, from_ids, to_ids, types, type_rows FROM sent "
                    "WHERE action = ? AND from_type = ? AND to_type = ?",
                    (action, from_type, to_type),
                )
                for size, from_text, to_text, types, type_rows in found:
                    every = _keys(
                        action, from_type, to_type, size, from_text, to_text, types, type_rows
                    )
                    if not keys.isdisjoint(every):
                        return True
        return False

    def never_sent(self, rows: Iterable[SentPair]) -> set[SentPair]:
        """The ``rows`` -- (creates?, from id, to id) -- no run of the journal sent a write of
        (a creation, or a removal), whatever came of it, in either direction and however its
        object types were spelled: a report's row an undo would act on that its run never
        wrote (its ids edited since)."""
        wanted = set(rows)
        with self._using("read it"):
            found = self._db.execute(
                f"SELECT action, size, from_ids, to_ids FROM sent WHERE {_LINKS}"
            )
            for action, size, from_text, to_text in found:
                creates = Action(action).creates_association
                for pair in zip(_ids_of(from_text, size), _ids_of(to_text, size), strict=True):
                    wanted.discard((creates, *pair))
                    wanted.discard((creates, pair[1], pair[0]))
                if not wanted:
                    break
        return wanted

    def written(
        self, pairs: Collection[tuple[str, str]], runs: Collection[int] | None = None
    ) -> dict[SentPair, set[int | None]]:
        """The writes the journal's runs (``runs`` only, when given) sent of the record pairs
        ``pairs`` -- (from id, to id), found in either direction -- whatever came of them:
        (a creation?, from id, to id) -> the association type ids sent (None: the pair's
        default association, or its removal whole).  An undo of a report holds each of its
        rows to what its own run wrote (:func:`~hubframe.jobs.before_flags.refuse_unsent`)."""
        wanted = set(pairs)
        out: dict[SentPair, set[int | None]] = {}
        test, params = (_LINKS, ()) if runs is None else _of_runs(runs)
        with self._using("read it"):
            found = self._db.execute(
                "SELECT action, from_type, to_type, size, from_ids, to_ids, types, type_rows "
                f"FROM sent WHERE {test}",
                params,
            ).fetchall()
        for entry in found:
            creates = Action(entry[0]).creates_association
            for key in _keys(*entry):
                if (key[3], key[4]) in wanted or (key[4], key[3]) in wanted:
                    out.setdefault((creates, key[3], key[4]), set()).add(key[6])
        return out

    def _sent_since(self, first: int) -> tuple[list[Any], set[tuple[SentKey, int]]]:
        """The ``sent`` entries of run ``first`` on, in the order sent (run, then the entry's
        columns and its states), and the rows (key, run) undos of result tables took back
        (:meth:`take_back`, :func:`_undone_sends`) (lock held)."""
        sent = self._db.execute(
            "SELECT s.run, s.action, s.from_type, s.to_type, s.size, s.from_ids, s.to_ids, "
            "s.types, s.type_rows, CASE WHEN t.entry IS NULL THEN s.states ELSE t.states END "
            "FROM sent s LEFT JOIN settled t ON t.entry = s.rowid "
            f"WHERE s.run >= ? AND s.{_LINKS} ORDER BY s.rowid",
            (first,),
        ).fetchall()
        return sent, _undone_sends(sent, self._taken_back(first))

    def _taken_back(self, first: int) -> dict[SentKey, list[int]]:
        """The rows undos took back (:meth:`take_back`) since run ``first``, each with the
        undos' marks (lock held)."""
        gone: dict[SentKey, list[int]] = {}
        found = self._db.execute(
            "SELECT run, action, from_type, to_type, size, from_ids, to_ids, types, type_rows "
            "FROM taken_back WHERE run >= ?",
            (first,),
        )
        for mark, action, from_type, to_type, size, from_text, to_text, types, type_rows in found:
            for key in _keys(
                action, from_type, to_type, size, from_text, to_text, types, type_rows
            ):
                gone.setdefault(key, []).append(int(mark))
        return gone

    def __len__(self) -> int:
        with self._using("read it"):
            return int(self._db.execute("SELECT COUNT(*) FROM batches").fetchone()[0])

    def holds(self) -> JournalHolds:
        """What the journal holds, for messages (read only): the rows of its recorded batches
        by action (limits runs' too: only association rows go to ``sent``), the association
        rows it sent, and whether an undo has taken any back."""
        with self._using("read it"):
            batches = self._db.execute(
                "SELECT action, SUM(size) FROM batches GROUP BY action"
            ).fetchall()
            sent = self._db.execute(
                f"SELECT COALESCE(SUM(size), 0) FROM sent WHERE {_LINKS}"
            ).fetchone()[0]
            undone = self._db.execute(
                "SELECT EXISTS (SELECT 1 FROM taken_back) "
                "OR EXISTS (SELECT 1 FROM runs WHERE ended = ?)",
                (TAKEN_BACK,),
            ).fetchone()[0]
            runs = self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        by_action = {str(a): int(n) for a, n in batches}
        return JournalHolds(by_action, int(sent), bool(undone), int(runs))


@dataclass(frozen=True)
class JournalHolds:
    """What a journal holds (:meth:`Journal.holds`)."""

    batch_rows: dict[str, int]  # action -> rows of the batches recorded with it
    sent_rows: int  # association rows sent (and recorded before sending)
    taken_back: bool  # an undo took rows of it back
    runs: int = 0  # runs that used it (a run that sent nothing too)


#: A sent row as :meth:`Journal.created` keys it: action, from type, to type, from id, to id,
#: category, type id.
SentKey = tuple[Any, ...]
#: A record's readings of its companies, (company, run, type ids) in the order taken, and the
#: runs that read its primary companies (:meth:`Journal._record_readings`).
RecordReadings = tuple[list[tuple[str, int, frozenset[int]]], set[int]]
#: A write of a record pair: (a creation?, from id, to id) (:meth:`Journal.never_sent`).
SentPair = tuple[bool, str, str]


@dataclass(frozen=True)
class LaterChange:
    """A later run's row that reversed a row an undo is about to take back
    (:meth:`Journal.changed_later`)."""

    run: int  # the run that sent it (runs.id)
    maybe: bool  # its outcome is unknown: it may have been applied
    whole: bool  # the pair's removal (every type)
    made: bool  # a creation (the row undone was a removal); False: a removal


def _ends_of(key: SentKey) -> frozenset[tuple[Any, Any]]:
    """A row's record pair, whichever its direction: (object type, id) of each side."""
    return frozenset({(key[1], key[3]), (key[2], key[4])})


def _reversed_by(key: SentKey, other: SentKey) -> bool:
    """Whether a later row ``other`` of the same two records reversed what ``key`` did:
    :func:`_reverses` in the same direction; from the other side, only where the removal is
    of the pair whole (one direction's type ids are not the other's)."""
    if key[1:5] == other[1:5]:
        return _reverses(key, other)
    if (key[0] in _ADDS) == (other[0] in _ADDS):
        return False
    removing = other if key[0] in _ADDS else key
    return bool(removing[0] == Action.ARCHIVE)


def _of_runs(runs: Collection[int]) -> tuple[str, tuple[int, ...]]:
    """The SQL test (and its parameters) of a ``sent`` entry of associations of ``runs``."""
    chosen = tuple(sorted(runs))
    return f"{_LINKS} AND run IN ({','.join('?' * len(chosen))})", chosen


def _sent_again(
    key: SentKey,
    by: set[int],
    runs: Collection[int] | None,
    undone: Container[tuple[SentKey, int]],
) -> bool:
    """Whether ``key``'s last send (by the last of the runs ``by``) came after an undo took it
    back from the report's run (``runs``; None: not known, any earlier run) and is another
    run's: not the report's run's to take back (:meth:`Journal.still_taken_back`)."""
    last = max(by)
    if runs is None:
        return any((key, run) in undone for run in by if run < last)
    mine = [run for run in by if run in runs]
    return last not in runs and bool(mine) and (key, max(mine)) in undone


def _batch_keys(group: tuple[str, str, str], size: int, packed: Packed) -> list[SentKey]:
    """:func:`_keys` of a batch about to be (or being) recorded: ``group`` its action and
    object types, ``packed`` its rows as the journal keeps them."""
    return list(_keys(*group, size, packed.from_ids, packed.to_ids, packed.types, packed.type_rows))


def _keys(
    action: str,
    from_type: str,
    to_type: str,
    size: int,
    from_text: str,
    to_text: str,
    types_text: str,
    type_rows: bytes | None,
) -> Iterator[SentKey]:
    """The keys of an entry of ``sent`` (or ``taken_back``), row by row."""
    types = [(c or None, None if t is None else int(t)) for c, t, _ in json.loads(types_text)]
    kinds = _codes(type_rows, size)
    pairs = zip(_ids_of(from_text, size), _ids_of(to_text, size), kinds, strict=True)
    for from_id, to_id, kind in pairs:
        yield (action, from_type, to_type, from_id, to_id, *types[kind])


class _Befores:
    """What a pair held before the run that first applied a row of it (:meth:`Journal.created`):
    the last reading of it by that run or the runs it resumed -- the one that run went by, not
    an earlier run's that never applied it (a reading of a pair a refused write left as it
    was, linked by hand since, would have an undo remove that link)."""

    def __init__(self, journal: Journal, first: int) -> None:
        self._journal, self._first = journal, first
        self._pairs: dict[tuple[str, str], dict[RecordPair, list[tuple[int, frozenset[int]]]]]
        self._pairs = {}
        self._chains: dict[int, set[int]] = {}
        self._records: dict[str, dict[str, RecordReadings]] = {}  # by record type, record

    def recorded(self, run: int) -> bool:
        """Whether ``run`` or a run it resumed recorded any reading at all: False for a run
        that did not record what its pairs held (``record_existing=False``)."""
        chain = self._chain(run)
        marks = ",".join("?" * len(chain))
        found = self._journal._db.execute(
            f"SELECT EXISTS (SELECT 1 FROM before WHERE run IN ({marks}))", tuple(chain)
        ).fetchone()[0]
        return bool(found)

    def _chain(self, run: int) -> set[int]:
        if run not in self._chains:
            self._chains[run] = {run, *_resumed_by(self._journal._db, run)}
        return self._chains[run]

    def of(self, key: SentKey, run: int) -> frozenset[int] | None:
        _, from_type, to_type, from_id, to_id, *_ = key
        objects = (str(from_type), str(to_type))
        if objects not in self._pairs:
            readings: dict[RecordPair, list[tuple[int, frozenset[int]]]] = {}
            found = self._journal._readings(*objects, "run >= ?", (self._first,))
            for pair, by, types in found:
                readings.setdefault(pair, []).append((by, types))
            self._pairs[objects] = readings
        chain = self._chain(run)
        taken = [types for by, types in self._pairs[objects].get(RecordPair(from_id, to_id), [])
                 if by in chain]  # fmt: skip
        return taken[-1] if taken else None

    def primary(self, key: SentKey, run: int) -> tuple[frozenset[str], bool] | None:
        """For a row that makes a company a record's primary (:func:`_primary_of`): the
        companies the last reading of the record by the run that applied it, or a run it
        resumed, found holding the record's primary (:func:`_held_before`; a run keeps its
        readings of the companies of each record a row sets a primary company of), and whether
        it is known: a company found holding it is (HubSpot keeps one); none found is only
        when one of those runs read the record's primary companies (``primary_read``), else an
        older hubframe's run, or a sync before they were read, left no reading of them.  None
        for another row.  Before, the last reading of each company's pair was taken, whichever
        run took it: a primary moved by hand between two runs of the chain had both
        companies named."""
        found = _primary_of(key)
        if found is None:
            return None
        record_type, record_id, type_id = found
        if record_type not in self._records:
            self._records[record_type] = self._journal._record_readings(
                record_type, "run >= ?", (self._first,)
            )
        pairs, read = self._records[record_type].get(record_id, ([], set()))
        return _held_before(pairs, read, self._chain(run), type_id)


def _held_before(
    pairs: Iterable[tuple[str, int, frozenset[int]]],
    read: Collection[int],
    runs: Collection[int],
    type_id: int,
) -> tuple[frozenset[str], bool]:
    """The companies holding a record's primary (type ``type_id``) as the last of ``runs``
    that read it found them, and whether that is known (:meth:`Journal.primaries`,
    :meth:`_Befores.primary`).  ``pairs``: the readings of the record's companies (company,
    run, type ids) in the order taken; ``read``: the runs that read its primary companies.
    The last such run of ``runs`` tells (a run reads them all at once; a company it did not
    find holding the primary did not); when none of ``runs`` did (an older hubframe's), the
    last reading of each company's pair by ``runs``, known when one holds it."""
    last = max((r for r in read if r in runs), default=None)
    held: dict[str, frozenset[int]] = {}
    for company, run, types in pairs:
        if run == last or (last is None and run in runs):
            held[company] = types  # in the order taken: the last one stays
    companies = frozenset(c for c, types in held.items() if type_id in types)
    return companies, last is not None or bool(companies)


#: (from type, to type, type id) of a row making a company a record's primary -> the record's
#: type, whether it is the row's from side, and its Primary type towards companies.
_PRIMARY_ROWS: Final = {
    **{(t.record_type, PRIMARY_COMPANY, t.to_company): (t.record_type, True, t.to_company)
       for t in PRIMARY_TYPES},
    **{(PRIMARY_COMPANY, t.record_type, t.from_company): (t.record_type, False, t.to_company)
       for t in PRIMARY_TYPES},
}  # fmt: skip


def _primary_of(key: SentKey) -> tuple[str, str, int] | None:
    """(record type, record id, its Primary type towards companies) of a sent row that makes
    a company a record's primary; None for another row."""
    action, from_type, to_type, from_id, to_id, category, type_id = key
    if action != Action.ASSOCIATE or category != HUBSPOT_DEFINED:
        return None
    found = _PRIMARY_ROWS.get((from_type, to_type, type_id))
    if found is None:
        return None
    record_type, record_is_from, primary = found
    return record_type, str(from_id if record_is_from else to_id), primary


def _merge_sent(
    rows: dict[SentKey, bool],
    action: str,
    from_type: str,
    to_type: str,
    size: int,
    from_text: str,
    to_text: str,
    types_text: str,
    type_rows: bytes | None,
    states: bytes | None,
    *,
    undone: Container[tuple[SentKey, int]],
    run: int,
    applied_by: dict[SentKey, int],
) -> None:
    """Add one sent batch's successful and maybe-applied rows to ``rows`` (key -> maybe),
    except those of ``run`` (the batch's run) an undo took back (``undone``); the first run
    to apply each goes in ``applied_by``."""
    state = states or bytes([_SUCCESS]) * size
    keys = _keys(action, from_type, to_type, size, from_text, to_text, types_text, type_rows)
    for key, row_state in zip(keys, state, strict=True):
        if row_state == _OTHER or (key, run) in undone:
            continue
        applied_by.setdefault(key, run)
        if row_state == _SUCCESS:
            rows[key] = False
        else:
            rows.setdefault(key, True)


_ADDS: Final = frozenset({str(Action.ASSOCIATE), str(Action.ASSOCIATE_DEFAULT)})


def _reverses(key: SentKey, other: SentKey) -> bool:
    """Whether row ``other`` (of the same record pair) undid what row ``key`` did: a removal
    of what it added (the pair's, or its type's), an addition of what it removed."""
    if (key[0] in _ADDS) == (other[0] in _ADDS):
        return False
    adding, removing = (key, other) if key[0] in _ADDS else (other, key)
    return removing[0] == Action.ARCHIVE or (removing[6] is not None and removing[6] == adding[6])


def _undone_sends(sent: list[Any], gone: Mapping[SentKey, list[int]]) -> set[tuple[SentKey, int]]:
    """The rows (key, run) the undos of result tables took back: for each row an undo took
    back (``gone``: key -> the undos' marks), the runs before the undo that sent it since a
    row reversing it was last sent on its pair.  The undo took back the change that row made
    last; an earlier run's row the pair's later rows reversed is still the journal's (a sync
    removing a pair, a run linking it again, a third sync removing it, that sync's table
    undone: the first removal is still to take back).  Before, every earlier send went."""
    if not gone:
        return set()
    groups = {(k[0], k[1], k[2]) for k in gone}
    pairs = {(k[1], k[2], k[3], k[4]) for k in gone}
    wanted = groups | {(str(a), f, t) for a in Action if not a.is_limit for _, f, t in groups}
    history: dict[tuple[Any, ...], list[tuple[int, SentKey]]] = {}
    for run, *entry, states in sent:
        if (entry[0], entry[1], entry[2]) not in wanted:
            continue
        state = states or bytes([_SUCCESS]) * int(entry[3])
        for key, row_state in zip(_keys(*entry), state, strict=True):
            pair = (key[1], key[2], key[3], key[4])
            if row_state != _OTHER and pair in pairs:
                history.setdefault(pair, []).append((int(run), key))
    out: set[tuple[SentKey, int]] = set()
    for key, marks in gone.items():
        steps = history.get((key[1], key[2], key[3], key[4]), [])
        for mark in marks:
            for run, other in reversed([s for s in steps if s[0] < mark]):
                if other == key:
                    out.add((key, run))
                elif _reverses(key, other):
                    break
    return out


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
    #: a row making a company a record's primary: the companies the readings of the run
    #: that applied it found holding that record's primary (empty: none); None: another row
    primary_before: frozenset[str] | None = None
    #: False: a row making a company a record's primary whose run left no reading of the
    #: record's primary companies (an older hubframe's, or a sync before it read them):
    #: ``primary_before`` empty says nothing then
    primary_read: bool = True
    #: whether the run that applied it recorded what its pairs held before it (False: it
    #: recorded none, ``record_existing=False``; True with ``before`` None: the journal holds
    #: no reading of this pair by that run, though it holds the others')
    recorded: bool = True


@dataclass(frozen=True)
class JournalStep:
    """One time a run applied (or may have) a row (:meth:`Journal.history`)."""

    key: SentKey
    run: int
    maybe: bool  # the outcome is unknown
    before: frozenset[int] | None  # the pair's types as that run read them; None: no reading


__all__ = [
    "SCHEMA_VERSION",
    "TRANSIENT_CODES",
    "Journal",
    "JournalGone",
    "JournalHolds",
    "JournalNotFinished",
    "JournalRow",
    "JournalStep",
    "LaterChange",
    "OpenRuns",
    "Packed",
    "ReportJournalLeftOut",
    "ResumedRowsLeftOut",
    "SentKey",
    "StoppedRunRowsRefused",
    "digest",
    "is_final",
    "is_journal",
    "open_runs",
    "pack",
    "record_ends",
]
