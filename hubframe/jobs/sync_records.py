"""The records a sync's new rows name, found in HubSpot before it removes what they keep.

A well-formed id that names no record (a typo) cannot be told from a new record without
asking HubSpot, and a sync sends its removals first.  A typo then costs a real association:

* of a **to** id (1019369004 for 1019360004): the deal loses the pair the row meant, since the
  sheet no longer lists it, and the typo's addition fails;
* of a **from** id (deal 2040009999 for 2040000001, contact 1019360002 kept): deal 2040000001
  loses its pair with the contact the row meant, and the typo's addition fails
  (``OBJECT_NOT_FOUND``): one typo deletes a good association and creates nothing.

So a sync with removals reads those records first, one objects batch read per object type
(100 ids a call, at once under the run's rate limiter: :func:`hubframe.jobs.online.records_found`,
the read ``validate_pairs`` makes), and only where a typo may hide: the to id of a row adding a
pair to a record that loses pairs, and the from id of a row adding to a record the portal
shows no association of (a record holding one exists).  A record HubSpot lacks makes its row
``invalid``, ``OBJECT_NOT_FOUND``: nothing is sent for it, in the dry run as in the real run.
What such a row holds is :func:`unknown_source` (a from id) and, for a to id, its record's
removals, as any invalid row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from hubframe.errors import HubframeError
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.diff import Removal
from hubframe.run.work import WorkItem
from hubframe.vocab import ObjectPair

Side = Literal["from", "to"]
#: object type -> the ids HubSpot has among those asked, or why they could not be read
Found = Mapping[str, "set[str] | HubframeError"]


@dataclass(frozen=True)
class RecordCheck:
    """A record a row names (its ``side``) that must exist before the sync removes what the
    row could be asking to keep."""

    pair: ObjectPair  # the row's object pair, as the plan spells it
    item: WorkItem
    side: Side

    @property
    def object_type(self) -> str:
        return self.pair.from_type if self.side == "from" else self.pair.to_type

    @property
    def record(self) -> str:
        return str(self.item.from_id if self.side == "from" else self.item.to_id)


def records_exist(client: HubSpotClient, checks: Iterable[RecordCheck]) -> Found:
    """Per object type of ``checks``: the ids HubSpot has among theirs, or why the read failed
    (then nothing is known of them).  One read per object type, its calls at once under the
    client's limiter: never a request per row.  An error that stops every run is raised."""
    from hubframe.jobs.online import records_found

    wanted: dict[str, list[str]] = {}
    for check in checks:
        wanted.setdefault(check.object_type, []).append(check.record)
    out: dict[str, set[str] | HubframeError] = {}
    for object_type, ids in wanted.items():
        try:
            out[object_type] = records_found(client, object_type, ids)
        except HubframeError as exc:
            if exc.stops_run:
                raise
            out[object_type] = exc
    return out


@dataclass(frozen=True)
class UnknownSource:
    """A row adding to a from record HubSpot does not have (``error`` None: the row is
    ``invalid`` and not sent), or whose existence could not be read (``error``: the row is
    sent, and HubSpot judges it).  Either way it may be a typo of another record's id, so it
    holds the removals it could be asking to keep (:func:`unknown_source`)."""

    position: int
    pair: ObjectPair  # the row's, as the plan spells it
    from_id: str
    to_id: str
    label: str | None
    type_id: int | None  # the row's label type; None: it asks for the pair's link only
    says_labels: bool  # its sheet names labels (a links-only sheet keeps every label)
    error: HubframeError | None = None

    def explains(self, link: bool, type_id: int | None) -> bool:
        """Whether this row, were its from id the removal's record, would keep the removal
        of a pair (``link``: every row asks for the pair's link) or of the label of
        ``type_id`` (that label's type in this row's direction; None: not known, so any
        label the row names may be it).  A row of a links-only sheet keeps every label of
        the pairs it lists."""
        if link or not self.says_labels:
            return True
        return self.type_id is not None and type_id in (None, self.type_id)


Sources = Mapping[str, Sequence[UnknownSource]]  # by the to id the rows name


def unknown_source(
    found: Removal, here: Sources, back: Sources, inverse: Mapping[int, int]
) -> UnknownSource | None:
    """The row with an unknown from record that holds ``found``, a removal from X to T.

    Such a row (F -> T, F no record) says "some record is associated with T"; which, the typo
    hides, and it may well be X.  So it holds exactly what it would keep were its from id X's:
    the removal of a pair X -> T of its object pair, and of the label it names there (the row
    asks for the link and that label); a row of a links-only sheet keeps every label of the
    pair.  The other direction's rows count too (``back``, with ``inverse``: this direction's
    label types -> their inverse's type that way, where it is known, :mod:`.sync_inverse`; a
    label whose inverse is not known may be any label there): a row T' -> F' there names T'
    as X's target-to-be, so it holds this direction's removals *from* T'.  A label of X -> T the row
    does not name is still removed (on its own, the pair kept): corrected, the row would not
    keep it either.  Removals of other targets, or of other object pairs, are unrelated to the
    row and go as planned: holding them all would let one typo stop a whole sync."""
    for row in here.get(found.to_id, ()):
        if row.explains(found.link, found.type_id):
            return row
    there = inverse.get(found.type_id) if found.type_id is not None else None
    for row in back.get(found.from_id, ()):
        if row.explains(found.link, there):
            return row
    return None


__all__ = ["RecordCheck", "UnknownSource", "records_exist", "unknown_source"]
