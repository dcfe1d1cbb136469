"""What a sync says about each row: the ``reason`` column and the messages of held rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from hubframe.errors import ErrorCode
from hubframe.run.diff import Change, Removal, RowChange
from hubframe.run.labels import LabelDef, named
from hubframe.run.primary import PrimaryRow
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import ObjectPair, Status, object_noun

if TYPE_CHECKING:
    from hubframe.jobs.sync_records import UnknownSource

KEPT: str = "Kept: already in the portal as the sheet says; not sent."
NO_TARGETS: str = "In scope with no associations listed in the sheet."


def _as(label: str | None) -> str:
    return f' as "{label}"' if label else ""


def _who(pair: ObjectPair, from_id: object, to_id: object) -> str:
    f, t = object_noun(pair.from_type), object_noun(pair.to_type)
    return f"{f} {from_id} and {t} {to_id}"


def row_reason(
    item: WorkItem, change: RowChange, defs: Mapping[int, LabelDef], unlabeled: int | None
) -> str:
    """Why a sheet row is kept or added."""
    who = _who(item.objects, item.from_id, item.to_id)
    known = defs.get(item.type_id) if item.type_id is not None else None
    label = known.label if known is not None else item.label
    if label is None and item.type_id is not None and item.type_id != unlabeled:
        label = f"type {item.type_id}"
    if change.change is Change.KEEP:
        return f"In the portal as in the sheet: {who} are associated{_as(label)}."
    if change.existed_before:  # a resumed sync: the journal's reading, the portal now lacks it
        return (
            f"Not in the portal now: {who} were associated{_as(label)} before the first, "
            "interrupted run of this sync (its journal says), and are no longer; the sync "
            "associates them again."
        )
    if not change.linked_before:
        return f"Not in the portal: {who} are not associated; the sync associates them{_as(label)}."
    return f'{who[0].upper()}{who[1:]} are associated without "{label}": the sync adds the label.'


def removal_reason(
    pair: ObjectPair, found: Removal, label: str | None, *, held: bool = False
) -> str:
    """Why an association of the portal is removed -- or, ``held``, that this row does not
    remove it (its message says why): a held row's reason must not read as done."""
    who = _who(pair, found.from_id, found.to_id)
    where = "In the portal, not in the sheet:"
    if held:
        what = f"{who} are associated" if found.link else f'the label "{label}" of {who}'
        return f"{where} {what}; this row does not remove it (see its message)."
    if found.link:
        return f"{where} {who} are associated; the sync removes the association (every label)."
    if found.with_pair:
        return f'{where} the label "{label}" goes with the association of {who}.'
    return f'{where} the label "{label}" of {who}; the sync removes it, they stay associated.'


def held_primary(found: Removal) -> Outcome:
    """A primary association (or a pair holding one) the sync keeps."""
    what = (
        "the pair holds a HubSpot-defined primary association"
        if found.link
        else "a HubSpot-defined primary association"
    )
    return Outcome(
        Status.SKIPPED,
        error_code=ErrorCode.PRIMARY_PROTECTED,
        error_message=(
            f"Kept: {what}; a sync removes it only with allow_primary_removal=True "
            "(--allow-primary-removal)."
        ),
    )


def held_one_way_primary(pair: ObjectPair, found: Removal, types: frozenset[int]) -> Outcome:
    """A pair kept because the other direction holds a primary only it lists (578)."""
    record = f"{object_noun(pair.to_type)} {found.to_id}"
    said = ", ".join(str(t) for t in sorted(types))
    return Outcome(
        Status.SKIPPED,
        error_code=ErrorCode.PRIMARY_PROTECTED,
        error_message=(
            f"Kept: {record} holds {object_noun(pair.from_type)} {found.from_id} as its "
            f"HubSpot-defined primary (type {said}, listed from the {object_noun(pair.to_type)}"
            "'s side only), and removing the pair removes it; a sync removes it only with "
            "allow_primary_removal=True (--allow-primary-removal)."
        ),
    )


def held_one_way_unread(pair: ObjectPair, found: Removal, exc: Exception) -> Outcome:
    """A pair's removal kept because whether the other direction holds a primary only it
    lists (578) could not be read."""
    record = f"{object_noun(pair.to_type)} {found.to_id}"
    return _held(
        f"Kept: whether {record} holds {object_noun(pair.from_type)} {found.from_id} as its "
        f"primary (listed from the {object_noun(pair.to_type)}'s side only) could not be read "
        f"({exc}); removing the pair would remove that primary too."
    )


def primary_moved(row: PrimaryRow, old: str, by: object) -> Outcome:
    """A record's primary company the sheet leaves out while row ``by`` makes ``row``'s
    company its primary: its own removal is not sent (``allow_primary_removal`` not given),
    yet the label goes, through that row (HubSpot keeps one primary company per record)."""
    noun = object_noun(row.record_type)
    return Outcome(
        Status.SKIPPED,
        error_code=ErrorCode.PRIMARY_MOVED,
        error_message=(
            f"Not removed by this row: {_where(by)} makes company {row.company_id} the primary "
            f"company of {noun} {row.record_id} in its place, and HubSpot keeps one primary "
            f"company per {noun}, so company {old} loses the Primary label through that row "
            "and stays associated."
        ),
    )


def primary_pair_moved(row: PrimaryRow, old: str, by: object) -> Outcome:
    """The pair holding a record's primary company, held, while row ``by`` moves that
    primary to ``row``'s company: the pair is kept, without the label."""
    noun = object_noun(row.record_type)
    return Outcome(
        Status.SKIPPED,
        error_code=ErrorCode.PRIMARY_PROTECTED,
        error_message=(
            f"Kept: the pair holds the primary association of {noun} {row.record_id}, and a "
            "sync removes such a pair only with allow_primary_removal=True "
            f"(--allow-primary-removal); {_where(by)} makes company {row.company_id} the "
            f"primary in its place, so company {old} stays associated without the Primary "
            "label: sync again to remove the pair."
        ),
    )


def _held(message: str) -> Outcome:
    """A removal the sync holds back (``REMOVAL_HELD``), saying why."""
    return Outcome(Status.SKIPPED, error_code=ErrorCode.REMOVAL_HELD, error_message=message)


def _where(row: object) -> str:
    return f"row {row}" if row is not None else "a row"


def held_for_invalid_rows(pair: ObjectPair, from_id: str, row: object) -> Outcome:
    """A removal held because a row of the same record could not be compared."""
    noun = object_noun(pair.from_type)
    return _held(
        f"Kept: {_where(row)} of the sheet for {noun} {from_id} could not be compared (see its "
        f"message); nothing of this {noun} is removed until it is fixed."
    )


def held_for_unplaced_row(pair: ObjectPair, row: object) -> Outcome:
    """A removal held because a row's record (or object type) could not be read at all."""
    return _held(
        f"Kept: {_where(row)} of the sheet names no record that can be read (see its "
        f"message), so which {object_noun(pair.from_type)} it lists is unknown; nothing is "
        "removed until it is fixed or deleted."
    )


def missing_target(item: WorkItem) -> Outcome:
    """A row adding a pair whose target record HubSpot does not have (a typo of an id)."""
    record = f"{object_noun(item.from_type)} {item.from_id}"
    held = f"nothing of {record} is removed until the row is fixed."
    return _no_record(item, object_noun(item.to_type), str(item.to_id), held)


def missing_source(item: WorkItem) -> Outcome:
    """A row adding a pair whose from record HubSpot does not have (a typo of an id): not
    sent, and what it could be asking to keep is held (:mod:`hubframe.jobs.sync_records`)."""
    noun, target = object_noun(item.from_type), object_noun(item.to_type)
    held = (
        f"not sent, and no {noun}'s association with {target} {item.to_id} that this row "
        "could be asking to keep is removed until the row is fixed."
    )
    return _no_record(item, noun, str(item.from_id), held)


def _no_record(item: WorkItem, noun: str, record_id: str, held: str) -> Outcome:
    """``invalid``, ``OBJECT_NOT_FOUND``: HubSpot has no ``noun`` ``record_id``; ``held``
    says what the sync does not remove for it."""
    return Outcome(
        Status.INVALID,
        action=item.action,
        error_code=ErrorCode.OBJECT_NOT_FOUND,
        error_message=(
            f"HubSpot has no {noun} with id {record_id} (a typo? it may be deleted, or belong "
            f"to another object type); {held}"
        ),
    )


def held_for_unknown_source(source: UnknownSource, row: object) -> Outcome:
    """A removal held because a row naming its target (or, the other way, its record) names
    a from record HubSpot does not have, or one that could not be read: a typo of the
    removal's record id, it would keep the removal."""
    noun, target = object_noun(source.pair.from_type), object_noun(source.pair.to_type)
    named = f"{noun} {source.from_id} with {target} {source.to_id}{_as(source.label)}"
    if source.error is None:
        return _held(
            f"Kept: {_where(row)} of the sheet names {named}, and HubSpot has no {noun} "
            f"{source.from_id} (a typo of a {noun} id?): the row could be asking to keep this "
            "association, so it is not removed until the row is fixed or deleted."
        )
    return _held(
        f"Kept: {_where(row)} of the sheet names {named}, and whether that {noun} exists "
        f"could not be read ({source.error}); a typo of a {noun} id must not remove the "
        "association it was meant to keep, so this one is not removed."
    )


def held_added_since(pair: ObjectPair, found: Removal, label: str | None) -> Outcome:
    """A resumed sync's removal of an entry made since its stopped run read the pair, not by
    that run (someone else's): its journal does not say it was there before, so an undo
    would not give it back."""
    what = "the association" if found.link else f'the label "{label}"' if label else "its type"
    return _held(
        f"Kept: {what} of {object_noun(pair.from_type)} {found.from_id} and "
        f"{object_noun(pair.to_type)} {found.to_id} was added since the stopped run this sync "
        "resumes read the pair, and not by it (by someone else?); the journal does not hold it "
        "as there before, so an undo would not give it back. Run the sync again with a new "
        "journal (or none) to remove it."
    )


def held_unchecked(pair: ObjectPair, from_id: str, exc: Exception) -> Outcome:
    """A removal held because the records the sheet adds for the record could not be read."""
    noun = object_noun(pair.from_type)
    return _held(
        f"Kept: whether the {object_noun(pair.to_type)} records the sheet adds for {noun} "
        f"{from_id} exist could not be read ({exc}); a typo of an id must not remove the "
        f"pair it was meant to keep, so nothing of this {noun} is removed."
    )


def held_for_reverse_rows(pair: ObjectPair, found: Removal, row: object) -> Outcome:
    """A removal held because the sheet lists the association from the other side too."""
    back = f"{object_noun(pair.to_type)} {found.to_id} -> {object_noun(pair.from_type)} "
    what = "the association" if found.link else "its label"
    return _held(
        f"Kept: {_where(row)} of the sheet lists this association from the other side "
        f"({back}{found.from_id}) and keeps {what} there; an association is one for both "
        "directions, so the sheet contradicts itself. Delete or change the rows of both "
        "directions to remove it."
    )


def held_for_inverse(pair: ObjectPair, found: Removal, row: object) -> Outcome:
    """A label's removal held because the other side's row may name it under its inverse's
    name: HubSpot's labels list does not say which label is which one's inverse, and no record
    pair the sync read proved it (:func:`.sync_inverse.pins`).  The rows may already be right,
    so the advice is what works whatever the inverse: ``remove``, or one direction's rows."""
    back = f"{object_noun(pair.to_type)} {found.to_id} -> {object_noun(pair.from_type)} "
    here = f"{object_noun(pair.from_type)} {found.from_id} -> {object_noun(pair.to_type)} "
    return _held(
        f"Kept: {_where(row)} of the sheet lists this association from the other side "
        f"({back}{found.from_id}) with a label that may be this one's inverse: HubSpot does not "
        "say which label of that direction is which one's inverse (a paired label's inverse "
        'may have another name, even another label\'s: "Manager" with "Managed deal"), and no '
        "record pair the sync read holds one label of the kind from each side to tell, so "
        "removing it could remove what that row keeps. To remove it, remove this label with "
        f"remove (hubframe remove / hf.remove_associations: a row {here}{found.to_id} with the "
        "label), or sync the rows of one direction only."
    )


def unlisted_type(item: WorkItem, listed: Iterable[LabelDef]) -> str:
    """A row's type id HubSpot does not list for its object pair (a type id of another portal:
    labels' type ids are the portal's own)."""
    pair = f"from {item.from_type} to {item.to_type}"
    message = (
        f"HubSpot has no association type {item.type_id} {pair} (its labels list does not have "
        "it), so the row cannot be compared with the portal and nothing of its record is "
        "removed."
    )
    same = named(item.label, listed) if item.label else []
    if len(same) == 1:
        return (
            f'{message} The label "{same[0].label}" is type id {same[0].type_id} here: clear '
            "the type id and category cells to sync by the label (an export of another portal "
            "carries that portal's type ids)."
        )
    return (
        f"{message} Clear the type id and category cells and name the label, or use a type id "
        "HubSpot lists for this pair."
    )


def predicted_limit(item: WorkItem, message: str | None, *, dry_run: bool) -> Outcome:
    """An addition a configured limit is predicted to refuse: not sent."""
    if dry_run:
        status, said = Status.PLANNED, f"{message}; a real run will not send it."
    else:
        status = Status.FAILED
        said = f"{message}; not sent (send_predicted_failures=True sends it anyway)."
    return Outcome(
        status, action=item.action, error_code=ErrorCode.LIMIT_EXCEEDED, error_message=said
    )


def rider_message(pair_outcome: Outcome) -> str:
    """The message of a label removed with its pair, from the pair's own outcome."""
    said = pair_outcome.error_message
    if pair_outcome.status is Status.PLANNED and said is None:
        return "Planned: removed with the association of the pair (its own row)."
    if pair_outcome.status is Status.SUCCESS or said is None:
        return "Removed with the association of the pair (its own row)."
    return f"Removed with the association of the pair (its own row): {said}"


__all__ = [
    "KEPT",
    "NO_TARGETS",
    "held_for_invalid_rows",
    "held_one_way_primary",
    "held_one_way_unread",
    "held_primary",
    "predicted_limit",
    "primary_moved",
    "primary_pair_moved",
    "removal_reason",
    "rider_message",
    "row_reason",
]
