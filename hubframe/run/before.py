"""What the pairs of a run carried before it, read column by column (so it can be undone).

An associate run with a journal (or ``record_existing=True``) and no pre-flight reads, before
sending, which of its pairs were already associated and with which types: the result's
``existed_before`` and ``linked_before`` columns, and the journal's memory of the pairs
(:meth:`~hubframe.run.journal.Journal.remember_before`), which :func:`hubframe.undo` reads.

The read costs as little as the sheet allows:

* the reads start as soon as the sheet is checked (:func:`start_reads`): they need the ids,
  not the labels, so they travel while the labels lookup does;
* pairs the journal remembers (an interrupted first run) keep that reading: they are read again
  only to check the outcomes the journal recorded for them (a resumed run re-uses a recorded
  success only while HubSpot still holds the row's association type, :func:`agreement`: one
  removed by hand since is sent again), in the same batch reads as the others;
* the associations are read from the side with fewer distinct records -- 200,000 deals with
  20,000 contacts are read as 20 batch reads of contacts, not 200 of deals -- with the
  concurrent, paged batch reads of :mod:`hubframe.run.reads`, under the client's rate limiter;
* read from the target side, a link only says that two records are associated; the type ids
  of the sheet's pairs found linked are then read from the source side, for those records
  only (in a portal the sheet has not touched yet: none);
* the rows are matched column-wise: only the rows of linked pairs are looked at one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import EXISTING_COLUMNS, MAX_BATCH_READ
from hubframe.errors import HubframeError
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.journal import Journal
from hubframe.run.reads import MAX_READ_WORKERS, iter_links, read_links, types_of
from hubframe.run.rows import arrow_column
from hubframe.run.table import ExtraColumn
from hubframe.run.work import Outcome, WorkItem
from hubframe.run.worktable import NONE, WorkTable
from hubframe.vocab import ObjectPair, RecordPair, Status

Links = dict[RecordPair, frozenset[int]]  # the linked pairs only: a pair not in it is not linked
Unlabeled = Callable[[ObjectPair], int | None]
_EMPTY: frozenset[int] = frozenset()


@dataclass
class BeforeColumns:
    """``existed_before`` and ``linked_before`` by frame position; NA where not known.
    ``unread``: the frame positions whose read failed, with the error (each object pair's)."""

    existed: npt.NDArray[np.bool_]
    linked: npt.NDArray[np.bool_]
    known: npt.NDArray[np.bool_]
    unread: list[tuple[npt.NDArray[np.int64], HubframeError]] = field(default_factory=list)
    #: what the portal holds now, per object pair read (for :func:`agreement`)
    now: dict[ObjectPair, Links] = field(default_factory=dict)

    @classmethod
    def empty(cls, size: int) -> BeforeColumns:
        return cls(np.zeros(size, bool), np.zeros(size, bool), np.zeros(size, bool))

    def columns(self) -> list[ExtraColumn]:
        """The two result columns, after ``attempts``."""
        out: list[ExtraColumn] = []
        after = "attempts"
        for name, values in zip(EXISTING_COLUMNS, (self.existed, self.linked), strict=True):
            series = pd.Series(pd.arrays.BooleanArray(values.copy(), ~self.known))
            out.append(ExtraColumn(after, name, series))
            after = name
        return out


@dataclass
class EarlyReads:
    """The reads of :func:`start_reads`, on their way: per object pair, what the journal
    remembered when they started and the links being read for the other rows."""

    remembered: dict[ObjectPair, Mapping[RecordPair, frozenset[int]]]
    links: dict[ObjectPair, Future[Links]]

    def finish(self) -> None:
        """Drop the reads not started and wait for the others (their results or errors are
        for :func:`read_before`), so that no read is still on its way when a run returns."""
        for reading in self.links.values():
            reading.cancel()
        wait(self.links.values())


def start_reads(
    client: HubSpotClient, frame: pd.DataFrame, rows: npt.NDArray[np.int64], journal: Journal | None
) -> EarlyReads:
    """Start reading the state before the run of the frame's ``rows`` (the rows that may be
    sent) in the background, before their labels are resolved: the reads need only the ids,
    so they travel while the labels lookup does.  :func:`read_before` picks them up (rows
    settled in between were read for nothing, which costs no request of their own)."""
    early = EarlyReads({}, {})
    if len(rows) == 0:
        return early
    part = frame[["from_type", "to_type", "from_id", "to_id"]]  # not the sheet's other columns
    part = part.iloc[rows] if len(rows) < len(frame) else part
    f, f_names = pd.factorize(part["from_type"])
    t, t_names = pd.factorize(part["to_type"])
    from_ids = arrow_column(part["from_id"]).cast(pa.large_string())
    to_ids = arrow_column(part["to_id"]).cast(pa.large_string())
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hubframe-before")
    for fc, tc in dict.fromkeys(zip(f.tolist(), t.tolist(), strict=True)):
        if fc < 0 or tc < 0:
            continue
        pair = ObjectPair(str(f_names[fc]), str(t_names[tc]))
        mask = pa.array((f == fc) & (t == tc))
        remembered = journal.existing(*pair, current=True) if journal is not None else {}
        from_part, to_part = from_ids.filter(mask), to_ids.filter(mask)
        early.remembered[pair] = remembered
        early.links[pair] = pool.submit(read_links_of, client, pair, from_part, to_part)
    pool.shutdown(wait=False)
    return early


def read_before(
    client: HubSpotClient,
    table: WorkTable,
    journal: Journal | None,
    *,
    size: int,
    unlabeled: Unlabeled,
    early: EarlyReads | None = None,
) -> BeforeColumns:
    """The state before the run of every row of ``table`` (see the module docstring), and the
    new readings remembered in ``journal``.  ``size``: the rows of the frame; ``unlabeled``:
    an object pair's unlabeled type id (asked only when a linked row needs it); ``early``: the
    reads :func:`start_reads` began.  A read that fails leaves its object pair's rows NA and
    lists them in ``unread`` (not to be sent: the run could not undo them); an error that
    stops every run is raised."""
    out = BeforeColumns.empty(size)
    for code, pair in enumerate(table.pairs):
        rows = np.flatnonzero(table.pair_codes == code)
        if len(rows):
            _pair_before(client, table.take(rows), pair, journal, out, unlabeled, early)
    return out


def _pair_before(
    client: HubSpotClient,
    part: WorkTable,
    pair: ObjectPair,
    journal: Journal | None,
    out: BeforeColumns,
    unlabeled: Unlabeled,
    early: EarlyReads | None,
) -> None:
    reading = early.links.get(pair) if early is not None else None
    if early is not None and reading is not None:
        remembered = early.remembered[pair]
    else:
        remembered = journal.existing(*pair, current=True) if journal is not None else {}
    unread = _unread(part.from_ids, part.to_ids, remembered)
    try:
        if reading is not None:
            links = reading.result()  # read for these rows and maybe a few more
        else:
            links = read_links_of(client, pair, part.from_ids, part.to_ids)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        taken = pc.invert(unread)
        if journal is not None:  # the readings it goes by, taken from the open runs
            taken_from, taken_to = part.from_ids.filter(taken), part.to_ids.filter(taken)
            _remember(journal, pair, taken_from, taken_to, remembered)
        _fill(out, part, pair, remembered, unread=unread, unlabeled=unlabeled)
        failed = part.positions[unread.to_numpy(zero_copy_only=False)]
        if len(failed):
            out.unread.append((failed.astype(np.int64), exc))
        return
    out.now[pair] = links
    went_by = {**links, **remembered}  # the journal's reading first: what held before run 1
    if journal is not None:
        _remember(journal, pair, part.from_ids, part.to_ids, went_by)
    _fill(out, part, pair, went_by, unread=None, unlabeled=unlabeled)


def _unread(
    from_ids: pa.Array, to_ids: pa.Array, remembered: Mapping[RecordPair, frozenset[int]]
) -> pa.Array:
    """True for the rows whose pair the journal does not remember."""
    if not remembered:
        return pa.array(np.ones(len(from_ids), bool))
    pairs = zip(from_ids.to_pylist(), to_ids.to_pylist(), strict=True)
    return pa.array([RecordPair(f, t) not in remembered for f, t in pairs], pa.bool_())


def _remember(
    journal: Journal,
    pair: ObjectPair,
    from_ids: pa.Array,
    to_ids: pa.Array,
    links: Mapping[RecordPair, frozenset[int]],
) -> None:
    """Keep in the journal, as this run's, the reading it goes by for each of its pairs: a new
    one, or the one it took from an open run (:meth:`Journal.existing`).  Kept again under this
    run, an undo from the journal finds it by the run that applied the row, also when this run
    re-used none of that open run's batches (another sheet sharing its pairs)."""
    if not len(from_ids):
        return
    linked = {}
    if links:
        pairs = zip(from_ids.to_pylist(), to_ids.to_pylist(), strict=True)
        for n, record in enumerate(pairs):
            found = links.get(RecordPair(*record))
            if found:
                linked[n] = found
    journal.remember_before(pair.from_type, pair.to_type, from_ids, to_ids, linked)


def _fill(
    out: BeforeColumns,
    part: WorkTable,
    pair: ObjectPair,
    links: Mapping[RecordPair, frozenset[int]],
    *,
    unread: pa.Array | None,
    unlabeled: Unlabeled,
) -> None:
    """Set the rows of one object pair: known unless ``unread`` (rows whose read failed);
    linked and existed only for the rows of linked pairs."""
    known = np.ones(len(part), bool) if unread is None else ~unread.to_numpy(zero_copy_only=False)
    out.known[part.positions[known]] = True
    linked = dict.fromkeys(p.from_id for p, t in links.items() if t)
    linked_ids = pa.array(list(linked), pa.large_string())
    candidates = np.flatnonzero(pc.is_in(part.from_ids, value_set=linked_ids).to_numpy(False))
    candidates = candidates[known[candidates]]
    if not len(candidates):
        return
    # Plain lists, not an Arrow scalar per row: a portal where every pair is linked already
    # (a sheet run a second time) has a candidate in every row.
    take = pa.array(candidates)
    from_ids, to_ids = part.from_ids.take(take).to_pylist(), part.to_ids.take(take).to_pylist()
    type_ids, positions = part.type_ids[candidates].tolist(), part.positions[candidates].tolist()
    default: int | None = None
    asked = False
    rows = zip(from_ids, to_ids, type_ids, positions, strict=True)
    for from_id, to_id, type_id, position in rows:
        types = links.get(RecordPair(from_id, to_id), _EMPTY)
        if not types:
            continue
        if type_id == NONE and not asked:
            default, asked = unlabeled(pair), True
        wanted = default if type_id == NONE else type_id
        out.linked[position] = True
        out.existed[position] = wanted in types if wanted is not None else True


def agreement(
    now: Callable[[WorkItem], frozenset[int] | None], unlabeled: Mapping[ObjectPair, int | None]
) -> Callable[[WorkItem, Outcome], bool]:
    """Whether a journal's outcome of an associate row holds for what the portal holds now
    (``now``: the type ids between the row's two records, None when that read failed;
    ``unlabeled``: each object pair's unlabeled type id): a recorded success only while the
    two records still hold the row's association type (its label's, or the pair's unlabeled
    type for a row without one).  One removed since outside the journal (by hand, another
    tool) is sent again, never reported done from the journal; so is a recorded failure (a
    create is safe to send twice, and what refused it -- a limit, a record -- may have changed
    since: re-used, it said the old limit while the dry run planned it).  Other outcomes are
    re-used as recorded, and so is a success whose read failed (the journal is all there is)."""

    def agrees(item: WorkItem, outcome: Outcome) -> bool:
        if not item.action.creates_association:
            return True
        if outcome.status is Status.FAILED:
            return False
        if outcome.status is not Status.SUCCESS:
            return True
        types = now(item)
        if types is None:
            return True
        wanted = item.type_id if item.type_id is not None else unlabeled.get(item.objects)
        return wanted in types if wanted is not None else bool(types)

    return agrees


def reads_before(table: WorkTable) -> int:
    """The batch reads a real run makes to record the state before of ``table``'s rows, as a
    dry run counts them for its budget (:mod:`hubframe.run.budget`): per object pair, those of
    the side :func:`read_links_of` reads, and read from the target side those of every source
    too (the read decides how many were found linked); then the primary companies of the
    records the rows make a company the primary of
    (:func:`~hubframe.run.primary_before.primaries_before`).  More pages of a record with many
    associations are not counted."""
    from hubframe.run.primary import table_rows

    reads = 0
    codes = np.asarray(table.pair_codes)
    for code in np.unique(codes).tolist():
        mask = pa.array(codes == code)
        sources = len(pc.unique(table.from_ids.filter(mask)))
        targets = len(pc.unique(table.to_ids.filter(mask)))
        reads += _calls(sources) + (_calls(targets) if targets < sources else 0)
    records: dict[str, set[str]] = {}
    for row in table_rows(table):
        records.setdefault(row.record_type, set()).add(row.record_id)
    return reads + sum(_calls(len(ids)) for ids in records.values())


def _calls(records: int) -> int:
    """The batch reads of ``records`` records (one page each)."""
    return -(-records // MAX_BATCH_READ)


def _workers(client: HubSpotClient, records: int) -> int:
    """Every call at once, as the writes go (the sender keeps up to 32 in flight): the sending
    waits for these reads, and the rate limiter books each call anyway."""
    calls = -(-records // MAX_BATCH_READ)
    return max(1, min(calls, MAX_READ_WORKERS, client.limiter.effective_max))


def read_links_of(
    client: HubSpotClient, pair: ObjectPair, from_ids: pa.Array, to_ids: pa.Array
) -> Links:
    """The type ids of the linked pairs among (from id, to id) pairs, read from the side with
    fewer distinct records (see the module docstring); pairs not linked are left out."""
    sources, targets = pc.unique(from_ids), pc.unique(to_ids)
    if not len(sources):
        return {}
    if len(targets) < len(sources):
        # Read backwards: which of the sheet's sources each target is linked with.
        workers = _workers(client, len(targets))
        found = iter_links(
            client, pair.to_type, pair.from_type, targets.to_pylist(), workers=workers
        )
        linked = {str(e.get("toObjectId")) for _, entries in found for e in entries}
        hit = pc.is_in(sources, value_set=pa.array(list(linked), pa.large_string()))
        sources = sources.filter(hit)
        if not len(sources):
            return {}
    workers = _workers(client, len(sources))
    read = read_links(client, pair.from_type, pair.to_type, sources.to_pylist(), workers=workers)
    return {
        RecordPair(from_id, to_id): types
        for from_id, entries in read.items()
        for to_id, types in types_of(entries).items()
        if types
    }


__all__ = [
    "BeforeColumns",
    "EarlyReads",
    "agreement",
    "read_before",
    "read_links_of",
    "reads_before",
    "start_reads",
]
