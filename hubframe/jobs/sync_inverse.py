"""Which label of the other direction is a label's inverse -- only where that is known.

HubSpot's labels lists give, per direction, each association type's id, label and category,
never which type of the other direction is its inverse; a paired label's inverse may carry
another name ("Manager" / "Managed by"), or names that cross ("Manager" with the inverse
"Managed deal", beside "Managed deal" with the inverse "Manager"), so a name match proves
nothing.  A sync holds a removal the other direction's rows may contradict
(:class:`~hubframe.jobs.sync_plan.Reverse`); it needs the inverse to tell.  Known:

- the HubSpot-defined pairs hubframe knows (:data:`~hubframe.constants.HUBSPOT_DEFINED_TYPES`:
  the unlabeled types, "Primary", "Child company" / "Parent company", ...) and the two
  directions' unlabeled types;
- pins the portal's own pairs prove (:func:`pins`): an association is one thing seen from both
  sides, so a record pair holding, of a category, exactly one labeled type read from one side
  and exactly one read from the other holds each as the other's inverse (conflicting pins for
  a type -- the portal changed between the two reads -- teach nothing of it);
- a category (``USER_DEFINED``, ``INTEGRATOR_DEFINED``) with one labeled type left each way
  once those are taken: no other pairing is possible (every such label has one inverse, of
  its category), whatever the names.  Of an object type with itself both directions are one
  list, and one label left there is unpaired: its own inverse.

Any other label's inverse is one of the other direction's labels of its category that no
known pair takes (:meth:`Inverses.maybe`); of one record pair, one of those the pair holds
from the other side (HubSpot holds an association's inverse type beside it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hubframe.constants import HUBSPOT_DEFINED, HUBSPOT_DEFINED_TYPES
from hubframe.io.normalize import canonical_object_type
from hubframe.run.labels import LabelDef
from hubframe.vocab import ObjectPair

#: a reading of a direction: from id -> to id -> the types the pair holds from that side
Holdings = Mapping[str, Mapping[str, frozenset[int]]]

#: HubSpot-defined pairs whose two directions' labels have other names (type id -> inverse)
_RENAMED_HUBSPOT: Mapping[int, int] = {13: 14, 14: 13}  # Child company <-> Parent company


@dataclass(frozen=True, slots=True)
class Inverses:
    """The inverses of a direction's types: ``known`` (type -> the other direction's type)
    and, for the others, the other direction's types by category that no known pair takes."""

    known: Mapping[int, int]
    free: Mapping[str, frozenset[int]]  # category -> the other direction's types unpaired
    categories: Mapping[int, str]  # this direction's type -> its category

    def maybe(self, type_id: int) -> frozenset[int]:
        """The types of the other direction that may be ``type_id``'s inverse: the known one,
        else those of its category no known pair takes (any category's for a type the labels
        list does not name)."""
        if type_id in self.known:
            return frozenset({self.known[type_id]})
        category = self.categories.get(type_id)
        if category is None:
            return frozenset(t for types in self.free.values() for t in types)
        return self.free.get(category, frozenset())


def inverses(
    pair: ObjectPair,
    here: Mapping[int, LabelDef],
    back: Mapping[int, LabelDef],
    unlabeled: tuple[int | None, int | None] = (None, None),
    pinned: Mapping[int, int] | None = None,
) -> Inverses:
    """The inverses of ``pair``'s types (``here``: its labels list, ``back``: the other
    direction's; ``unlabeled``: the two directions' unlabeled types; ``pinned``: the pins of
    :func:`pins`), see the module docstring."""
    known = _hubspot_known(pair, here, back)
    if unlabeled[0] is not None and unlabeled[1] is not None:
        known.setdefault(unlabeled[0], unlabeled[1])
    for type_id, inverse in (pinned or {}).items():
        if type_id not in known and inverse not in known.values():
            known[type_id] = inverse
    same = canonical_object_type(pair.from_type) == canonical_object_type(pair.to_type)
    free: dict[str, frozenset[int]] = {}
    for category in sorted(
        {d.category for d in back.values()} | {d.category for d in here.values()}
    ):
        mine = _left(here, category, set(known))
        theirs = _left(back, category, set(known.values()))
        if category != HUBSPOT_DEFINED and len(mine) == 1 and (same or len(theirs) == 1):
            (only,) = mine
            known[only] = only if same else next(iter(theirs))
            theirs = frozenset()
        free[category] = theirs
    return Inverses(known, free, {d.type_id: d.category for d in here.values()})


def pins(
    here_read: Holdings,
    back_read: Holdings,
    here: Mapping[int, LabelDef],
    back: Mapping[int, LabelDef],
) -> dict[int, int]:
    """The inverses the portal's own record pairs prove: this direction's type -> the other
    direction's (``here_read``/``back_read``: what each side read, ``here``/``back``: the
    labels lists).  A pair holding, of a category other than HubSpot's own, one labeled type
    from each side pins the two; a type pinned to two (or two pinned to one) is left out."""
    seen: dict[int, set[int]] = {}
    onto: dict[int, set[int]] = {}
    for from_id, targets in here_read.items():
        for to_id, types in targets.items():
            other = back_read.get(to_id, {}).get(from_id, frozenset())
            for mine, theirs in _one_each(types, other, here, back):
                seen.setdefault(mine, set()).add(theirs)
                onto.setdefault(theirs, set()).add(mine)
    return {
        mine: theirs
        for mine, found in seen.items()
        if len(found) == 1 and len(onto[theirs := next(iter(found))]) == 1
    }


def _one_each(
    types: frozenset[int],
    other: frozenset[int],
    here: Mapping[int, LabelDef],
    back: Mapping[int, LabelDef],
) -> list[tuple[int, int]]:
    """The (type, type) of each category (HubSpot's own aside) that a pair holds exactly one
    labeled type of from each side (``types`` from this one, ``other`` from that one)."""
    mine, theirs = _labeled(types, here), _labeled(other, back)
    return [
        (only[0], found[0])
        for category, only in mine.items()
        if len(only) == 1 and len(found := theirs.get(category, [])) == 1
    ]


def _labeled(types: frozenset[int], defs: Mapping[int, LabelDef]) -> dict[str, list[int]]:
    """``types``' labeled ones by category, HubSpot's own aside."""
    out: dict[str, list[int]] = {}
    for type_id in types:
        found = defs.get(type_id)
        if found is not None and found.label is not None and found.category != HUBSPOT_DEFINED:
            out.setdefault(found.category, []).append(type_id)
    return out


def _left(defs: Mapping[int, LabelDef], category: str, taken: set[int]) -> frozenset[int]:
    """The labeled types of ``category`` that no known pair takes."""
    return frozenset(
        d.type_id
        for d in defs.values()
        if d.category == category and d.label is not None and d.type_id not in taken
    )


def _hubspot_known(
    pair: ObjectPair, here: Mapping[int, LabelDef], back: Mapping[int, LabelDef]
) -> dict[int, int]:
    """The HubSpot-defined pairs hubframe knows that both labels lists name as such."""
    ends = (canonical_object_type(pair.from_type), canonical_object_type(pair.to_type))
    mine = [t for t in HUBSPOT_DEFINED_TYPES if (t.from_type, t.to_type) == ends]
    theirs = [t for t in HUBSPOT_DEFINED_TYPES if (t.from_type, t.to_type) == ends[::-1]]
    out: dict[int, int] = {}
    for t in mine:
        found = [b.type_id for b in theirs if b.label == t.label]
        inverse = _RENAMED_HUBSPOT.get(t.type_id, found[0] if len(found) == 1 else None)
        if inverse is not None and _defined(here, t.type_id) and _defined(back, inverse):
            out[t.type_id] = inverse
    return out


def _defined(defs: Mapping[int, LabelDef], type_id: int) -> bool:
    found = defs.get(type_id)
    return found is not None and found.category == HUBSPOT_DEFINED


__all__ = ["Holdings", "Inverses", "inverses", "pins"]
