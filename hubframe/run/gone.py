"""Rows of unknown outcome whose records do not exist: settled, not left "maybe applied".

A write whose answer did not say what became of it (answered still processing, lost, a 5xx,
a run stopped while it was out) is read back; a row the read-back does not find is
``UNKNOWN_OUTCOME``, which undo and reports take for "maybe applied".  A row naming a record
HubSpot does not have can never be applied, though: :func:`records_gone` reads whether the
records of such rows exist (one objects batch read per object type, under the client's rate
limiter), and :func:`settled_gone` gives a row any of whose records is missing the outcome a
run gives it when HubSpot says so -- ``failed``, ``OBJECT_NOT_FOUND``, naming the record -- or,
for a removal, ``skipped`` ``NOT_ASSOCIATED`` (a record that does not exist is associated with
nothing: there was nothing to remove).  A read that fails settles nothing: the rows stay
``UNKNOWN_OUTCOME`` (never a guess).  Limit rows name no record and are left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from hubframe.errors import ErrorCode
from hubframe.run.reads import read_records
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Status, object_noun, sentence_start

if TYPE_CHECKING:  # only annotations
    from hubframe.hubspot.client import HubSpotClient

#: A record as a message names it: (object type, record id).
Record = tuple[str, str]

#: What settled the row, after the record's words.
_SHOWN = (
    "HubSpot's answer did not say what became of the row; a read of the portal shows the "
    "record missing"
)


def unsure_rows(items: Sequence[WorkItem], outcomes: Sequence[Outcome]) -> list[int]:
    """The rows of unknown outcome that name records (not limit rows)."""
    return [
        i
        for i, (item, outcome) in enumerate(zip(items, outcomes, strict=True))
        if outcome.error_code is ErrorCode.UNKNOWN_OUTCOME
        and not item.action.is_limit
        and item.from_id is not None
        and item.to_id is not None
    ]


def _records(items: Sequence[WorkItem]) -> dict[str, set[str]]:
    """The record ids of ``items`` by object type (both sides)."""
    wanted: dict[str, set[str]] = {}
    for item in items:
        wanted.setdefault(item.from_type, set()).add(str(item.from_id))
        wanted.setdefault(item.to_type, set()).add(str(item.to_id))
    return wanted


def records_gone(client: HubSpotClient, items: Sequence[WorkItem]) -> dict[int, list[Record]]:
    """Per index of ``items``: its records HubSpot does not have (rows whose records all exist
    left out).  One objects batch read per object type; a read that fails raises its
    :class:`~hubframe.errors.HubframeError` (nothing is settled then)."""
    found: dict[str, set[str]] = {}
    for object_type, ids in _records(items).items():
        read = read_records(client, object_type, sorted(ids))
        found[object_type] = {str(r.get("id")) for r in read}
    gone: dict[int, list[Record]] = {}
    for i, item in enumerate(items):
        sides = ((item.from_type, str(item.from_id)), (item.to_type, str(item.to_id)))
        missing = [(t, r) for t, r in sides if r not in found[t]]
        if missing:
            gone[i] = missing
    return gone


def _named(records: Sequence[Record]) -> str:
    """That the records do not exist, as a row's message says it (lower case first)."""
    if len(records) == 1:
        object_type, record = records[0]
        noun = object_noun(object_type)
        return f"{noun} {record} does not exist in HubSpot (or is not a {noun})"
    joined = " and ".join(f"{object_noun(t)} {r}" for t, r in records)
    return f"{joined} do not exist in HubSpot (or are of another type)"


def settled_gone(outcome: Outcome, item: WorkItem, records: Sequence[Record]) -> Outcome:
    """The outcome of a row of unknown outcome one of whose ``records`` does not exist: it
    cannot have been applied.  A creation is ``failed`` ``OBJECT_NOT_FOUND`` (sending it again
    does no good until the record is there); a removal is ``skipped`` ``NOT_ASSOCIATED``."""
    said = _named(records)
    if item.action.removes_association:
        return outcome.with_(
            status=Status.SKIPPED,
            error_code=ErrorCode.NOT_ASSOCIATED,
            error_message=(
                f"Not there: {said}, so the two records were not associated: nothing to remove, "
                f"and HubSpot removed nothing ({_SHOWN})."
            ),
        )
    return outcome.with_(
        status=Status.FAILED,
        error_code=ErrorCode.OBJECT_NOT_FOUND,
        error_message=(
            f"{sentence_start(said)}, so HubSpot cannot have applied this row ({_SHOWN})."
        ),
    )


def settle_gone(
    items: Sequence[WorkItem], outcomes: list[Outcome], gone: Mapping[int, list[Record]]
) -> list[Outcome]:
    """``outcomes`` with the rows of ``gone`` (indexes of ``items``) settled."""
    out = list(outcomes)
    for i, records in gone.items():
        out[i] = settled_gone(out[i], items[i], records)
    return out


__all__ = ["records_gone", "settle_gone", "settled_gone", "unsure_rows"]
