"""An undo's link row is covered by a creation of the same pair.

A sync that removed a pair whole removed its link (one row) and its labels (a row each); its
undo creates them again: each label with batch create, the link with batch associate default.
Creating a label creates the pair's link with it (HubSpot gives every labeled association its
unlabeled type too), so the link's own request adds nothing -- and when HubSpot refused that
request alone, the row said ``failed`` of a link the label's creation had brought back.

Now a link row whose pair another row of the undo creates (either way round) is sent in a
phase after it, and only when that creation was not applied (:attr:`Prepared.covered`): when it
was, the link row takes its outcome, saying so; when it was not (HubSpot refused the label),
the link is still created by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from hubframe.run.phases import pin_phases
from hubframe.run.pipeline import Covered, Prepared
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, Status

#: The two records of a pair, either way round: (object type, id) of each.
_Ends = frozenset[tuple[str, str]]


def _ends(item: WorkItem) -> _Ends:
    return frozenset({(item.from_type, str(item.from_id)), (item.to_type, str(item.to_id))})


def cover_links(items: Iterable[WorkItem], prepared: Prepared) -> list[WorkItem]:
    """``items``, each link creation (associate default) of a pair another item creates put in
    a phase after every other row, covered by that item (:attr:`Prepared.covered`).  A row
    another one needs applied first (:attr:`Prepared.needs`) is left as it is."""
    items = list(items)
    carriers: dict[_Ends, int] = {}
    for item in items:
        if item.action is Action.ASSOCIATE:
            carriers.setdefault(_ends(item), item.position)
    needed = {p for need in prepared.needs.values() for p in need.positions}
    covered: dict[int, Covered] = {}
    for item in items:
        carrier = carriers.get(_ends(item)) if item.action is Action.ASSOCIATE_DEFAULT else None
        if carrier is not None and item.position not in needed:
            covered[item.position] = Covered(carrier, covered_outcome)
    if not covered:
        return items
    last = pin_phases(prepared, items)
    prepared.phase.update(dict.fromkeys(covered, last + 1))
    prepared.covered.update(covered)
    return items


def covered_outcome(carrier: Outcome) -> Outcome:
    """The outcome of a link row from its covering row's (applied, or planned)."""
    said = _WITH_LABEL if carrier.status is Status.SUCCESS else f"Planned: {_WITH_LABEL_LOWER}"
    return carrier.with_(action=Action.ASSOCIATE_DEFAULT, error_message=said)


_WITH_LABEL = (
    "Created again with the pair's label (its own row): creating a label creates the pair's "
    "association too."
)
_WITH_LABEL_LOWER = _WITH_LABEL[0].lower() + _WITH_LABEL[1:]


__all__ = ["cover_links", "covered_outcome"]
