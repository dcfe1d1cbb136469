"""The typed records of a run: a row to send, a request's worth of rows, what became of a row.

DataFrames are the edges of hubframe; inside a run, one input row that will be sent is a
:class:`WorkItem`, a request's worth of them is a :class:`Batch`, and what became of a row is an
:class:`Outcome`.  ``position`` is always the row's position in the input frame (not its sheet
row number: rows split from one cell share a row number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from hubframe.errors import ApiError, ErrorCode, HubframeError
from hubframe.vocab import Action, ObjectPair, RecordPair, Status

if TYPE_CHECKING:
    from hubframe.run.worktable import WorkTable


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and rows are many
class WorkItem:
    """One input row, resolved and ready to send (treat as immutable once planned)."""

    position: int
    action: Action
    from_type: str
    to_type: str
    from_id: str | None = None
    to_id: str | None = None
    category: str | None = None
    type_id: int | None = None
    max_to_object_ids: int | None = None
    label: str | None = None  # as the analyst wrote it; for messages only

    @property
    def objects(self) -> ObjectPair:
        return ObjectPair(self.from_type, self.to_type)

    @property
    def records(self) -> RecordPair:
        return RecordPair(str(self.from_id), str(self.to_id))

    @property
    def group(self) -> tuple[str, str, Action]:
        """Rows of one group go to one endpoint together."""
        return (self.from_type, self.to_type, self.action)

    @property
    def identity(self) -> tuple[Any, ...]:
        """What the row is about; two rows with one identity must ask for the same thing."""
        if self.action.is_limit:
            return ("limit", self.from_type, self.to_type, self.category, self.type_id)
        return (self.from_type, self.from_id, self.to_type, self.to_id, self.category, self.type_id)

    def asks_the_same_as(self, other: WorkItem) -> bool:
        """True when sending ``other`` instead would change nothing (a repeated row)."""
        return self.action is other.action and self.max_to_object_ids == other.max_to_object_ids


@dataclass(frozen=True)
class Batch:
    """Rows sent in one request: same object pair and action, at most the endpoint maximum.

    A planned batch holds its rows as a :class:`~hubframe.run.worktable.WorkTable` slice
    (``table``): its request body, row positions and plain successes come from the arrays, and
    :attr:`items` (one WorkItem per row) are made only when a row needs its own handling (an
    error to map, a half to resend, a journal).  Other batches are made of items.
    """

    number: int
    action: Action
    from_type: str
    to_type: str
    _items: tuple[WorkItem, ...] | None = field(default=None, repr=False)
    #: The portal was read already to find the rows of this batch HubSpot would refuse.
    diagnosed: bool = False
    #: How many times HubSpot refused these rows whole naming one of them (each failed, the
    #: rest sent again): a refusal chain the sender shortens once it grows.
    refusals: int = 0
    table: WorkTable | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._items is None and self.table is None:
            raise ValueError("a batch needs its items or its table")

    @property
    def items(self) -> tuple[WorkItem, ...]:
        """One WorkItem per row, in order (made from the table the first time)."""
        if self._items is None:
            assert self.table is not None
            object.__setattr__(self, "_items", tuple(self.table.items()))
        assert self._items is not None
        return self._items

    @property
    def size(self) -> int:
        if self._items is None and self.table is not None:
            return len(self.table)
        return len(self.items)

    def positions(self) -> list[int]:
        """Each row's position in the input frame, in order."""
        if self._items is None and self.table is not None:
            return list(self.table.positions.tolist())
        return [item.position for item in self.items]

    def part(self, items: tuple[WorkItem, ...]) -> Batch:
        return replace(self, _items=items, table=None)

    def unsendable_type_id(self) -> int | None:
        """A type id of a row HubSpot cannot have (below 1: a stand-in for a label not created
        yet, :func:`~hubframe.run.labels.is_stand_in`), or None when every row's is sendable."""
        if self._items is None and self.table is not None:
            from hubframe.run.worktable import NONE  # worktable imports this module

            type_ids = self.table.type_ids
            bad = type_ids[(type_ids != NONE) & (type_ids < 1)]
            return int(bad[0]) if len(bad) else None
        for item in self.items:
            if item.type_id is not None and item.type_id < 1:
                return item.type_id
        return None


@dataclass(slots=True)  # not frozen, for speed; treat as immutable (use with_)
class Outcome:
    """What became of one input row (the status columns of the result table)."""

    status: Status
    action: Action | None = None
    error_code: ErrorCode | None = None
    error_message: str | None = None
    http_status: int | None = None
    hubspot_category: str | None = None
    correlation_id: str | None = None
    batch: int | None = None
    attempts: int | None = None

    def with_(self, **changes: Any) -> Outcome:
        return replace(self, **changes)

    @classmethod
    def of_error(
        cls,
        status: Status,
        error: HubframeError,
        message: str,
        *,
        action: Action | None = None,
        code: ErrorCode | None = None,
        batch: int | None = None,
        attempts: int | None = None,
    ) -> Outcome:
        """A row an error settled: its code (or ``code``), and HubSpot's status, category and
        correlation id when the error is HubSpot's answer."""
        api = error if isinstance(error, ApiError) else None
        return cls(
            status,
            action=action,
            error_code=code or error.code or ErrorCode.HUBSPOT_VALIDATION,
            error_message=message,
            http_status=api.http_status if api else None,
            hubspot_category=api.category if api else None,
            correlation_id=api.correlation_id if api else None,
            batch=batch,
            attempts=attempts,
        )

    def to_record(self) -> dict[str, Any]:
        """Plain values (enum members as their strings), for files."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Outcome:
        """Back from :meth:`to_record` (unknown keys ignored, enums restored)."""
        action, code = data.get("action"), data.get("error_code")
        return cls(
            status=Status(data["status"]),
            action=Action(action) if action else None,
            error_code=ErrorCode(code) if code else None,
            error_message=data.get("error_message"),
            http_status=data.get("http_status"),
            hubspot_category=data.get("hubspot_category"),
            correlation_id=data.get("correlation_id"),
            batch=data.get("batch"),
            attempts=data.get("attempts"),
        )


def shared_outcome(outcomes: Sequence[Outcome]) -> Outcome | None:
    """The outcome every row of a batch has, when they all have one (a batch's successes are
    one object: :func:`~hubframe.run.answers.map_response`); else None."""
    if outcomes and outcomes.count(outcomes[0]) == len(outcomes):
        return outcomes[0]
    return None


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, (Status, Action, ErrorCode)) else value


__all__ = ["Batch", "Outcome", "WorkItem", "shared_outcome"]
