"""Typed records shared by plan, send, journal and results.

DataFrames are the edges of hubframe; inside, one input row that will be sent is a
:class:`WorkItem`, a request's worth of them is a :class:`Batch`, and what became of a row is an
:class:`Outcome`.  ``position`` is always the row's position in the input frame (not its sheet
row number: rows split from one cell share a row number).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from hubframe.constants import OBJECT_TYPES_BY_NAME

ASSOCIATE = "associate"
ASSOCIATE_DEFAULT = "associate_default"
CREATE_LIMIT = "create_limit"
UPDATE_LIMIT = "update_limit"
PURGE_LIMIT = "purge_limit"
LIMIT_ACTIONS = (CREATE_LIMIT, UPDATE_LIMIT, PURGE_LIMIT)
#: Remove every association type between two records (batch archive).
ARCHIVE = "archive"
#: Remove one association type (label) between two records (batch labels archive).  Internal:
#: result tables show it as ``archive``.
ARCHIVE_LABELS = "archive_labels"
ASSOCIATION_ACTIONS = (ASSOCIATE, ASSOCIATE_DEFAULT)

SUCCESS = "success"
FAILED = "failed"
INVALID = "invalid"
DUPLICATE = "duplicate"
SKIPPED = "skipped"
PLANNED = "planned"


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and rows are many
class WorkItem:
    """One input row, resolved and ready to send."""

    position: int
    action: str
    from_type: str
    to_type: str
    from_id: str | None = None
    to_id: str | None = None
    category: str | None = None
    type_id: int | None = None
    max_to_object_ids: int | None = None
    label: str | None = None  # as the analyst wrote it; for messages only

    @property
    def group(self) -> tuple[str, str, str]:
        return (self.from_type, self.to_type, self.action)

    @property
    def identity(self) -> tuple[Any, ...]:
        """What the row is about; two rows with one identity must ask for the same thing."""
        if self.action in LIMIT_ACTIONS:
            return ("limit", self.from_type, self.to_type, self.category, self.type_id)
        return (self.from_type, self.from_id, self.to_type, self.to_id, self.category, self.type_id)

    def payload(self) -> dict[str, Any]:
        """The JSON input HubSpot receives for this row."""
        if self.action == ASSOCIATE_DEFAULT:
            return {"from": {"id": self.from_id}, "to": {"id": self.to_id}}
        if self.action in (ASSOCIATE, ARCHIVE_LABELS):
            spec = {"associationCategory": self.category, "associationTypeId": self.type_id}
            return {"from": {"id": self.from_id}, "to": {"id": self.to_id}, "types": [spec]}
        if self.action == ARCHIVE:
            return {"from": {"id": self.from_id}, "to": [{"id": self.to_id}]}
        if self.action == PURGE_LIMIT:
            return {"category": self.category, "typeId": self.type_id}
        return {
            "category": self.category,
            "typeId": self.type_id,
            "maxToObjectIds": self.max_to_object_ids,
        }


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows sent in one request: same object pair and action, at most the endpoint maximum."""

    number: int
    action: str
    from_type: str
    to_type: str
    items: tuple[WorkItem, ...]

    def digest(self) -> str:
        """A digest of what the batch sends (action, types, inputs); the journal's key."""
        content = [self.action, self.from_type, self.to_type, [i.payload() for i in self.items]]
        raw = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()

    def part(self, items: tuple[WorkItem, ...]) -> Batch:
        return replace(self, items=items)


@dataclass(slots=True)  # not frozen, for speed; treat as immutable (use with_)
class Outcome:
    """What became of one input row (the status columns of the result table)."""

    status: str
    action: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    http_status: int | None = None
    hubspot_category: str | None = None
    correlation_id: str | None = None
    batch: int | None = None
    attempts: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        return cls(**fields)

    def with_(self, **changes: Any) -> Outcome:
        return replace(self, **changes)


def object_noun(object_type: str) -> str:
    """'contacts' -> 'contact', '2-123' -> 'object 2-123 record' (for messages)."""
    known = OBJECT_TYPES_BY_NAME.get(object_type)
    if known is not None:
        return known.singular.replace("_", " ")
    return f"{object_type} record"
