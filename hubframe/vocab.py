"""hubframe's vocabularies: what became of a row, what is sent for it, and the pairs it names.

The values of :class:`Status` and :class:`Action` are what result tables, reports, retry files
and journals hold (``"success"``, ``"associate"``, ...): they never change once released.  Being
``StrEnum`` s, members compare equal to those strings, so a result table read back from a file
works with them as well as one fresh from a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple

from hubframe.constants import OBJECT_TYPES_BY_NAME


class Status(StrEnum):
    """What became of one input row (the ``status`` column), in the order reports list them."""

    SUCCESS = "success"
    FAILED = "failed"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    PLANNED = "planned"  # a dry run: would be sent


class Action(StrEnum):
    """What is (or would be) sent for a row: one HubSpot batch endpoint each."""

    ASSOCIATE = "associate"  # labeled batch create
    ASSOCIATE_DEFAULT = "associate_default"  # batch associate default (unlabeled)
    CREATE_LIMIT = "create_limit"
    UPDATE_LIMIT = "update_limit"
    PURGE_LIMIT = "purge_limit"
    ARCHIVE = "archive"  # remove every association type between two records
    ARCHIVE_LABELS = "archive_labels"  # remove one association type (shown as ``archive``)

    @property
    def shown(self) -> Action:
        """The action result tables show: both removal endpoints are ``archive`` there."""
        return Action.ARCHIVE if self is Action.ARCHIVE_LABELS else self

    @property
    def is_limit(self) -> bool:
        return self in _LIMIT_ACTIONS

    @property
    def creates_association(self) -> bool:
        return self in (Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT)

    @property
    def removes_association(self) -> bool:
        return self in (Action.ARCHIVE, Action.ARCHIVE_LABELS)

    @property
    def changes_links(self) -> bool:
        """Adds or removes associations (what a journal keeps for undo); not a limit's."""
        return self.creates_association or self.removes_association


_LIMIT_ACTIONS = frozenset({Action.CREATE_LIMIT, Action.UPDATE_LIMIT, Action.PURGE_LIMIT})


class ObjectPair(NamedTuple):
    """A pair of object types, in a direction: ``("deals", "contacts")``."""

    from_type: str
    to_type: str


class RecordPair(NamedTuple):
    """A pair of records, by id, in a direction: ``("2040000001", "1019360001")``."""

    from_id: str
    to_id: str


def object_noun(object_type: str) -> str:
    """'contacts' -> 'contact', '2-123' -> '2-123 record' (for messages)."""
    known = OBJECT_TYPES_BY_NAME.get(object_type)
    if known is not None:
        return known.singular.replace("_", " ")
    return f"{object_type} record"


def sentence_start(text: str) -> str:
    """``text`` to begin a sentence: its first letter upper case, the rest as it is ('deal
    12' -> 'Deal 12'); a custom object's name (``p_cars``, ``p123_cars``), which HubSpot
    matches as written, left as it is."""
    head, underscore, _ = text.partition("_")
    if underscore and head[:1] == "p" and (head == "p" or head[1:].isdigit()):
        return text
    return text[:1].upper() + text[1:]


def first_few(values: Sequence[str], shown: int = 5, sep: str = ", ") -> str:
    """The first ``shown`` values, then how many more: "a, b, c and 4 more"."""
    more = f" and {len(values) - shown:,} more" if len(values) > shown else ""
    return sep.join(values[:shown]) + more


__all__ = [
    "Action",
    "ObjectPair",
    "RecordPair",
    "Status",
    "first_few",
    "object_noun",
    "sentence_start",
]
