"""Pure planning, column by column: repeats and conflicts set aside, groups chunked to the maxima.

No I/O here.  :func:`make_plan` takes the rows to send as a
:class:`~hubframe.run.worktable.WorkTable` (labels already resolved) and returns a :class:`Plan`:
the batches to send, each a request's worth of rows of one object pair and action, at most the
endpoint's maximum, and an :class:`~hubframe.run.work.Outcome` for every row that will not be
sent (a repeat of an earlier row, or a row asking something else of the same association type).
Everything is computed with numpy over whole columns (1,000,000 rows plan in well under a
second); :class:`~hubframe.run.work.Batch` objects, each a slice of the table, are made one at
a time as they are sent (:meth:`Plan.stream`).

Batches keep the order a streaming planner would give them: a batch is numbered when it fills
(the input row that fills it decides), and the last, partly filled batch of each group comes
after all full ones, in the order those batches were started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import ErrorCode
from hubframe.io.normalize import canonical_mask, id_numbers
from hubframe.io.text import bool_array
from hubframe.run.endpoints import batch_limit
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.run.worktable import ACTIONS, IntArray, WorkTable
from hubframe.vocab import Action, ObjectPair, Status

Describe = Callable[[int], str]


def _position(position: int) -> str:
    return f"row at position {position}"


@dataclass(frozen=True)
class BatchPlan:
    """One request's rows: indexes into the plan's table, in input order."""

    number: int
    action: Action
    pair: ObjectPair
    rows: IntArray


@dataclass
class Plan:
    """Batches to send, and the outcome of every row settled without sending."""

    table: WorkTable
    batches: list[BatchPlan]
    settled: dict[int, Outcome] = field(default_factory=dict)  # by frame position

    @property
    def rows_to_send(self) -> int:
        return sum(len(b.rows) for b in self.batches)

    def batch(self, spec: BatchPlan) -> Batch:
        """The batch of ``spec``: its rows as a table (WorkItems are made if they are needed)."""
        part = self.table.take(spec.rows)
        pair = spec.pair
        return Batch(spec.number, spec.action, pair.from_type, pair.to_type, table=part)

    def stream(self) -> Iterator[Batch]:
        """The batches in order, each made as it is needed."""
        for spec in self.batches:
            yield self.batch(spec)

    def planned(self) -> tuple[IntArray, npt.NDArray[np.int8], IntArray]:
        """For a dry run: (frame positions, action codes, batch numbers) of every row to send."""
        if not self.batches:
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0, dtype=np.int8), empty
        rows = np.concatenate([b.rows for b in self.batches])
        numbers = np.concatenate([np.full(len(b.rows), b.number) for b in self.batches])
        return self.table.positions[rows], self.table.actions[rows], numbers.astype(np.int64)


def make_plan(
    rows: WorkTable | Iterable[WorkItem],
    *,
    batch_size: int | None = None,
    describe: Describe = _position,
) -> Plan:
    """Plan the sending of ``rows`` (a work table, or WorkItems; in input order).

    ``describe(position)`` names a row for messages ("row 12", "row 12 of sheet Deals").
    """
    table = rows if isinstance(rows, WorkTable) else WorkTable.from_items(rows)
    repeat, first = _repeats(table)
    differing = _first_differing(table, repeat, first)
    conflict = np.isin(first, list(differing))
    held = repeat | conflict
    settled = _repeat_outcomes(table, np.flatnonzero(held), first, differing, describe)
    sending = np.flatnonzero(~held)
    return Plan(table, _batches(table, sending, batch_size), settled)


# --- repeats ------------------------------------------------------------------------------------


def _codes(values: npt.NDArray[np.int64] | pa.Array) -> tuple[IntArray, int]:
    """Dense codes of the values (nulls get their own), and how many there are."""
    if isinstance(values, pa.Array):
        numbers = _numbers(values)
        if numbers is not None:  # record ids are digits: as numbers they are coded faster
            return _codes(numbers)
        encoded = pc.dictionary_encode(values)
        found = encoded.indices.fill_null(-1) if encoded.null_count else encoded.indices
        codes = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64) + 1
        return codes, len(encoded.dictionary) + 1
    if len(values) and bool((values == values[0]).all()):  # one value: the usual type, pair
        return np.zeros(len(values), dtype=np.int64), 1
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), len(uniques)


def _numbers(ids: pa.Array) -> IntArray | None:
    """Record ids as numbers (-1 for a missing one) when every id present is written the one
    way its number is (1-18 ASCII digits, no leading zero: :func:`canonical_mask`) -- so two
    texts share a number only when they are the same text ("7" and "07", "0x7" stay apart, as
    the journal and the request bodies keep them); else None (the ids are coded as text).
    Not remembered: the work table lives through the run, and so would its facts."""
    canonical = canonical_mask(ids)
    if canonical.all():
        return id_numbers(ids, canonical)
    if not ids.null_count or not bool((canonical | ~bool_array(ids.is_valid())).all()):
        return None
    return np.where(canonical, id_numbers(ids, canonical), -1)


def _record_codes(from_ids: pa.Array, to_ids: pa.Array) -> tuple[IntArray, int]:
    """One number per (from id, to id), equal only for equal pairs, and a bound on them.  The
    ids of one object type usually lie in a narrow range: the pair is then placed in the grid
    of both ranges at once; otherwise each side is coded densely first."""
    froms, tos = _numbers(from_ids), _numbers(to_ids)
    if froms is not None and tos is not None and len(froms):
        low_f, low_t = int(froms.min()), int(tos.min())
        span_f, span_t = int(froms.max()) - low_f + 1, int(tos.max()) - low_t + 1
        if span_f * span_t < 2**62:
            return (tos - low_t) * span_f + (froms - low_f), span_f * span_t
    from_codes, from_count = _codes(from_ids if froms is None else froms)
    to_codes, to_count = _codes(to_ids if tos is None else tos)
    return to_codes * from_count + from_codes, from_count * to_count


def _repeats(table: WorkTable) -> tuple[npt.NDArray[np.bool_], IntArray]:
    """Rows whose identity an earlier row has, and each row's first row of that identity.

    The identity (association rows: object pair, both ids, category, type id; limit rows:
    object pair, category, type id) is folded into one integer per row, then deduplicated."""
    n = len(table)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    limits = np.isin(table.actions, [n for n, a in enumerate(ACTIONS) if a.is_limit])
    records, records_count = _record_codes(table.from_ids, table.to_ids)
    records = np.where(limits, 0, records)
    small = table.pair_codes.astype(np.int64) * 2 + limits
    small = small * (len(table.categories) + 1) + (table.category_codes.astype(np.int64) + 1)
    type_code, type_count = _codes(table.type_ids)
    small_code, small_count = _codes(small * type_count + type_code)
    if records_count * small_count >= 2**62:  # renumber first: the product must fit
        records, _ = _codes(records)
    identity = records * small_count + small_code
    first = np.arange(n, dtype=np.int64)
    rows = _sharing(identity)
    if len(rows):
        inverse = pd.factorize(identity[rows])[0]
        first_of = np.full(int(inverse.max()) + 1, n, dtype=np.int64)
        np.minimum.at(first_of, inverse, rows)
        first[rows] = first_of[inverse]
    return first != np.arange(n), first


def _sharing(identity: IntArray) -> IntArray:
    """The rows whose identity another row has too (few, in the usual sheet), in order: one
    sort of the values, twice as fast as hashing every row."""
    ordered = np.sort(identity)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(0, dtype=np.int64)
    shared = np.unique(ordered[1:][same])
    del ordered, same
    return np.flatnonzero(pd.Series(identity).isin(shared).to_numpy())


def _differs(table: WorkTable, rows: IntArray, others: IntArray) -> npt.NDArray[np.bool_]:
    """True where a row asks for something else (action or limit) than the other row."""
    actions, maxima = table.actions, table.maxima
    return np.asarray(
        (actions[rows] != actions[others]) | (maxima[rows] != maxima[others]), dtype=bool
    )


def _first_differing(
    table: WorkTable, repeat: npt.NDArray[np.bool_], first: IntArray
) -> dict[int, int]:
    """For each identity whose rows ask for different things (a limit of 2 and of 7 for one
    label): its first row -> the first row asking something else.  None of such an identity's
    rows is sent, as validation keeps back every row of a conflict it sees -- sending the first
    would pick one of two instructions without a word."""
    rows = np.flatnonzero(repeat)
    out: dict[int, int] = {}
    for row in rows[_differs(table, rows, first[rows])].tolist():
        out.setdefault(int(first[row]), row)
    return out


def _repeat_outcomes(
    table: WorkTable,
    rows: IntArray,
    first: IntArray,
    differing: dict[int, int],
    describe: Describe,
) -> dict[int, Outcome]:
    """The outcomes of the rows not sent: repeats of an earlier row (that one is sent) and the
    rows of conflicting identities (``differing``), each naming a row that asks for something
    else."""
    out: dict[int, Outcome] = {}
    for row in rows.tolist():
        earlier = int(first[row])
        action = ACTIONS[int(table.actions[row])]
        if earlier in differing:
            asks_as_first = not _differs(table, np.array([row]), np.array([earlier]))[0]
            other = differing[earlier] if asks_as_first else earlier
            outcome = Outcome(
                Status.INVALID,
                action=action,
                error_code=ErrorCode.CONFLICTING_ROWS,
                error_message=(
                    f"Asks for something different from {describe(int(table.positions[other]))} "
                    "for the same association type; keep one of the two rows (neither is sent)."
                ),
            )
        else:
            outcome = repeat_outcome(action, describe(int(table.positions[earlier])))
        out[int(table.positions[row])] = outcome
    return out


def repeat_outcome(action: Action, where: str) -> Outcome:
    """A row repeating ``where`` (the row sent for both): ``duplicate``, not sent again."""
    if action is Action.ARCHIVE:  # a whole pair's removal names no type: two labels, one removal
        same = "removes the whole association between the same records, every type with it"
    elif action.is_limit:
        same = "the same limit: object pair and association type"
    else:
        same = "same records and association type"
    return Outcome(
        Status.DUPLICATE,
        action=action,
        error_code=ErrorCode.DUPLICATE_ROW,
        error_message=(
            f"Repeats {where} ({same}) and is not sent again: {where}'s status is what became "
            "of both."
        ),
    )


# --- groups and chunks --------------------------------------------------------------------------


def _batches(table: WorkTable, rows: IntArray, batch_size: int | None) -> list[BatchPlan]:
    """Chunks of each (object pair, action) group, in the order a streaming planner emits them."""
    if len(rows) == 0:
        return []
    actions = table.actions[rows].astype(np.int64)
    group_key = table.pair_codes[rows].astype(np.int64) * len(ACTIONS) + actions
    if bool((group_key == group_key[0]).all()):  # one object pair and action: plain slices
        return _one_group(table, rows, batch_size)
    groups, group = np.unique(group_key, return_inverse=True)
    sizes = np.array([batch_limit(a, batch_size) for a in ACTIONS], dtype=np.int64)[actions]
    rank = pd.Series(group).groupby(group, sort=False).cumcount().to_numpy()
    chunk = rank // sizes
    counts = np.bincount(group, minlength=len(groups))
    full = (chunk + 1) * sizes <= counts[group]
    chunk_id = group * (int(chunk.max()) + 1) + chunk
    # A full chunk is emitted at its last row; a partial one after every full chunk, in the
    # order the partial chunks were started (their first row).
    index = np.arange(len(rows))
    last = pd.Series(index).groupby(chunk_id, sort=False).transform("max").to_numpy()
    start = pd.Series(index).groupby(chunk_id, sort=False).transform("min").to_numpy()
    emit = np.where(full, last, len(rows) + start)
    order = np.lexsort((index, emit))
    ordered_chunks = chunk_id[order]
    cuts = np.flatnonzero(np.diff(ordered_chunks)) + 1
    out: list[BatchPlan] = []
    for number, part in enumerate(np.split(order, cuts), start=1):
        head = rows[part[0]]
        out.append(
            BatchPlan(
                number=number,
                action=ACTIONS[int(table.actions[head])],
                pair=table.pairs[int(table.pair_codes[head])],
                rows=rows[part],
            )
        )
    return out


def _one_group(table: WorkTable, rows: IntArray, batch_size: int | None) -> list[BatchPlan]:
    """The chunks of rows that all go to one endpoint: consecutive, in input order."""
    head = rows[0]
    action = ACTIONS[int(table.actions[head])]
    pair = table.pairs[int(table.pair_codes[head])]
    size = batch_limit(action, batch_size)
    return [
        BatchPlan(number=n, action=action, pair=pair, rows=rows[start : start + size])
        for n, start in enumerate(range(0, len(rows), size), start=1)
    ]


__all__ = ["BatchPlan", "Plan", "make_plan"]
