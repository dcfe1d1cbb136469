"""Pure planning: set aside repeats and conflicts, group, and chunk to the endpoint maxima.

No I/O here.  The caller hands over the rows that passed validation as
:class:`~hubframe.models.WorkItem` s (labels already resolved); :func:`make_plan` returns the
batches to send, in a stable order, plus an :class:`~hubframe.models.Outcome` for every row that
will not be sent (a repeat of an earlier row, or a row conflicting with one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from hubframe.constants import (
    MAX_BATCH_CREATE,
    MAX_BATCH_DEFAULT,
    MAX_BATCH_LIMITS,
)
from hubframe.errors import ErrorCode
from hubframe.models import (
    ASSOCIATE,
    ASSOCIATE_DEFAULT,
    CREATE_LIMIT,
    DUPLICATE,
    INVALID,
    PLANNED,
    PURGE_LIMIT,
    UPDATE_LIMIT,
    Batch,
    Outcome,
    WorkItem,
)

#: Inputs per request for each action (HubSpot's maxima; ``batch_size=`` may lower them).
BATCH_MAXIMA: Mapping[str, int] = {
    ASSOCIATE: MAX_BATCH_CREATE,
    ASSOCIATE_DEFAULT: MAX_BATCH_DEFAULT,
    CREATE_LIMIT: MAX_BATCH_LIMITS,
    UPDATE_LIMIT: MAX_BATCH_LIMITS,
    PURGE_LIMIT: MAX_BATCH_LIMITS,
}


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
                out[item.position] = Outcome(PLANNED, action=item.action, batch=batch.number)
        return out


def batch_limit(action: str, batch_size: int | None) -> int:
    """The inputs per request for ``action``: the maximum, or ``batch_size`` when smaller."""
    maximum = BATCH_MAXIMA[action]
    if batch_size is None:
        return maximum
    if batch_size < 1:
        raise ValueError(f"batch_size must be 1 or more, not {batch_size}")
    return min(maximum, batch_size)


def make_plan(
    items: Sequence[WorkItem],
    *,
    batch_size: int | None = None,
    describe: Callable[[int], str] = lambda position: f"row at position {position}",
) -> Plan:
    """Plan the sending of ``items`` (in input order).

    ``describe(position)`` names a row for messages ("row 12", "row 12 of sheet Deals").
    """
    keep, settled = _set_aside_repeats(items, describe)
    return Plan(batches=tuple(_chunk(_group(keep), batch_size)), settled=settled)


def _set_aside_repeats(
    items: Sequence[WorkItem], describe: Callable[[int], str]
) -> tuple[list[WorkItem], dict[int, Outcome]]:
    first: dict[tuple[object, ...], WorkItem] = {}
    keep: list[WorkItem] = []
    settled: dict[int, Outcome] = {}
    for item in items:
        earlier = first.get(item.identity)
        if earlier is None:
            first[item.identity] = item
            keep.append(item)
        elif earlier.payload() == item.payload() and earlier.action == item.action:
            settled[item.position] = Outcome(
                DUPLICATE,
                action=item.action,
                error_code=ErrorCode.DUPLICATE_ROW.value,
                error_message=(
                    f"Repeats {describe(earlier.position)} (same records and association "
                    "type); sent once."
                ),
            )
        else:
            settled[item.position] = Outcome(
                INVALID,
                action=item.action,
                error_code=ErrorCode.CONFLICTING_ROWS.value,
                error_message=(
                    f"Asks for something different from {describe(earlier.position)} for the "
                    "same association type; keep one of the two rows."
                ),
            )
    return keep, settled


def _group(items: Iterable[WorkItem]) -> dict[tuple[str, str, str], list[WorkItem]]:
    groups: dict[tuple[str, str, str], list[WorkItem]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    return groups


def _chunk(
    groups: Mapping[tuple[str, str, str], list[WorkItem]], batch_size: int | None
) -> list[Batch]:
    batches: list[Batch] = []
    for (from_type, to_type, action), members in groups.items():
        size = batch_limit(action, batch_size)
        for start in range(0, len(members), size):
            chunk = tuple(members[start : start + size])
            batches.append(Batch(len(batches) + 1, action, from_type, to_type, chunk))
    return batches
