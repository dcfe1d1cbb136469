"""An undo that gives a record its old primary company back takes the new one back too.

A sync allowed to remove primaries (``allow_primary_removal``) whose sheet makes company B a
record's primary moves the label from company A (HubSpot keeps one primary company per
contact, deal or ticket), and removes A's pair when the sheet leaves it out.  Its undo creates
A's pair again, Primary label included -- which moves the primary back to A -- so the row that
made B the primary is no longer the record's only primary: it can be taken back as any other
row the run created.  Such a row is sent in a phase of its own, after the creations, and only
when every creation giving the record one of its old primary companies back was applied; else
it is left in place, ``NOT_UNDOABLE``, as a row whose old primary is not given back.

Before, the undo created A's Primary again and left B's association, which the run had
created, in place; the row said "undo does not set A as primary again" of an undo that had.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hubframe.constants import HUBSPOT_DEFINED
from hubframe.run.phases import pin_phases
from hubframe.run.pipeline import Needs, Prepared
from hubframe.run.primary import PrimaryRow, row_of
from hubframe.run.work import Outcome, WorkItem

#: A record's Primary with one company: (record type, record id, company id).
_Held = tuple[str, str, str]


@dataclass(frozen=True)
class MovedPrimary:
    """A row of the run that made ``primary.company_id`` the record's primary company in
    place of ``old``: ``removal`` takes it back once ``old`` holds the Primary again, else the
    row is ``refusal``."""

    removal: WorkItem
    refusal: Outcome
    primary: PrimaryRow
    old: tuple[str, ...]

    def held(self) -> list[_Held]:
        """The Primary the undo must give back for this row to be taken back."""
        return [(self.primary.record_type, self.primary.record_id, c) for c in self.old]


def _given_back(items: Iterable[WorkItem]) -> dict[_Held, list[int]]:
    """The creations of ``items`` that give a record a Primary company, by (record, company)."""
    found: dict[_Held, list[int]] = {}
    for item in items:
        if not item.action.creates_association:
            continue
        # a journal's rows have no category yet (the portal's labels give it later): a
        # Primary's type id is HubSpot's own in its object pair, whatever the cell says
        category = item.category or HUBSPOT_DEFINED
        primary = row_of(
            item.from_type, str(item.from_id), item.to_type, str(item.to_id), category, item.type_id
        )
        if primary is not None:
            key = (primary.record_type, primary.record_id, primary.company_id)
            found.setdefault(key, []).append(item.position)
    return found


def take_back_moved(
    items: list[WorkItem], moved: Sequence[MovedPrimary], prepared: Prepared
) -> list[WorkItem]:
    """``items`` with the removal of each moved primary whose old Primary the undo gives back
    (sent last, once those creations are applied: :attr:`Prepared.needs`); the other moved
    rows are settled with their refusal."""
    given = _given_back(items)
    taken: list[WorkItem] = []
    for row in moved:
        held = row.held()
        if not all(h in given for h in held):
            prepared.settled[row.removal.position] = row.refusal
            continue
        needed = frozenset(p for h in held for p in given[h])
        prepared.needs[row.removal.position] = Needs(needed, row.refusal)
        taken.append(row.removal)
    if not taken:
        return items
    # removals, creations, then the rows that moved a primary (once their record has its old
    # primary company again)
    last = pin_phases(prepared, items)
    prepared.phase.update(dict.fromkeys((item.position for item in taken), last + 1))
    return sorted([*items, *taken], key=lambda item: item.position)


__all__ = ["MovedPrimary", "take_back_moved"]
