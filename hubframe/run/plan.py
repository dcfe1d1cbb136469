"""Pure planning: set aside repeats and conflicts, group, and chunk to the endpoint maxima.

No I/O here.  The caller hands over the rows that passed validation as
:class:`~hubframe.run.work.WorkItem` s (labels already resolved); :func:`make_plan` returns the
batches to send, in a stable order, plus an :class:`~hubframe.run.work.Outcome` for every row that
will not be sent (a repeat of an earlier row, or a row conflicting with one).
:func:`stream_plan` yields the same batches one at a time, each as soon as it is full, so a
large job starts sending while the rest is still being planned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from hubframe.errors import ErrorCode
from hubframe.run.endpoints import batch_limit
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.vocab import Action, Status


@dataclass(frozen=True)
class Plan:
    """Batches to send, and the outcome of every row settled without sending."""

    batches: tuple[Batch, ...]
    settled: dict[int, Outcome]

    @property
    def rows_to_send(self) -> int:
        return sum(len(b.items) for b in self.batches)

    def planned(self) -> dict[int, Outcome]:
        """Outcomes for a dry run: every row to send is ``planned`` with its batch number."""
        out = dict(self.settled)
        for batch in self.batches:
            for item in batch.items:
                out[item.position] = Outcome(Status.PLANNED, action=item.action, batch=batch.number)
        return out


def make_plan(
    items: Iterable[WorkItem],
    *,
    batch_size: int | None = None,
    describe: Callable[[int], str] = lambda position: f"row at position {position}",
) -> Plan:
    """Plan the sending of ``items`` (in input order).

    ``describe(position)`` names a row for messages ("row 12", "row 12 of sheet Deals").
    """
    settled: dict[int, Outcome] = {}
    batches = tuple(stream_plan(items, settled, batch_size=batch_size, describe=describe))
    return Plan(batches=batches, settled=settled)


def stream_plan(
    items: Iterable[WorkItem],
    settled: dict[int, Outcome],
    *,
    batch_size: int | None = None,
    describe: Callable[[int], str] = lambda position: f"row at position {position}",
) -> Iterator[Batch]:
    """Batches as soon as they are full (so sending can start at once), then the rest.

    Rows of one (from type, to type, action) group keep their input order; a batch is numbered
    when it is emitted.  Repeats and conflicting rows are recorded in ``settled``.
    """
    first: dict[tuple[object, ...], WorkItem] = {}
    open_chunks: dict[tuple[str, str, Action], list[WorkItem]] = {}
    number = 0
    for item in items:
        earlier = first.setdefault(item.identity, item)
        if earlier is not item:
            settled[item.position] = _repeat(item, earlier, describe)
            continue
        chunk = open_chunks.setdefault(item.group, [])
        chunk.append(item)
        if len(chunk) >= batch_limit(item.action, batch_size):
            number += 1
            yield _batch(number, item.group, chunk)
            del open_chunks[item.group]
    for group, chunk in open_chunks.items():
        number += 1
        yield _batch(number, group, chunk)


def _batch(number: int, group: tuple[str, str, Action], chunk: list[WorkItem]) -> Batch:
    from_type, to_type, action = group
    return Batch(number, action, from_type, to_type, tuple(chunk))


def _repeat(item: WorkItem, earlier: WorkItem, describe: Callable[[int], str]) -> Outcome:
    if earlier.asks_the_same_as(item):
        return Outcome(
            Status.DUPLICATE,
            action=item.action,
            error_code=ErrorCode.DUPLICATE_ROW,
            error_message=(
                f"Repeats {describe(earlier.position)} (same records and association type); "
                "sent once."
            ),
        )
    return Outcome(
        Status.INVALID,
        action=item.action,
        error_code=ErrorCode.CONFLICTING_ROWS,
        error_message=(
            f"Asks for something different from {describe(earlier.position)} for the same "
            "association type; keep one of the two rows."
        ),
    )
