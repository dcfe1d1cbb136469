"""An undo's label put back on a pair that is no longer associated.

A sync that took a label off a pair it kept linked (its row removed the label, the link
stayed) is undone by creating the label again, and creating a label creates the pair's link
with it.  When the two records are no longer associated at all (a colleague, a workflow or a
merge removed the association since the run), that creation linked them again: an association
neither the run nor the analyst removed, reported a plain ``success``.

Such a row is now ``skipped`` with ``NOT_ASSOCIATED`` and not sent, saying why and how to put it
back when that is wanted.  A pair the undo links again anyway (the sync removed it whole: its
link's row is restored too) is restored as before.  When the read of the pairs fails, the rows
are sent as before, each saying that whether its pair was still associated is not known (an
error that stops every run is raised).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from hubframe.errors import ErrorCode, HubframeError
from hubframe.jobs.undo_sides import PairKey, pair_key
from hubframe.run.pipeline import Prepared
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, Status, object_noun

#: The types each pair holds now (type id -> label), read for a list of items.
Reader = Callable[[list[WorkItem]], Mapping[PairKey, Mapping[int, str | None]]]
#: An object pair's unlabeled type ids (None: not known).
Unlabeled = Callable[[str, str], Collection[int] | None]


def _ends(item: WorkItem) -> frozenset[tuple[str, str]]:
    return frozenset({(item.from_type, str(item.from_id)), (item.to_type, str(item.to_id))})


def spare_unlinked(
    items: list[WorkItem], prepared: Prepared, read: Reader, unlabeled: Unlabeled
) -> list[WorkItem]:
    """``items`` less the label creations whose pair is not associated now and which no link
    row of the undo restores; those are settled (see the module docstring).  ``unlabeled``:
    the unlabeled type ids of an object pair (a journal's link is created again as its type)."""

    def links(item: WorkItem) -> bool:
        if item.action is Action.ASSOCIATE_DEFAULT:
            return True
        if item.action is not Action.ASSOCIATE:
            return False
        plain = unlabeled(item.from_type, item.to_type)
        return plain is None or item.type_id in plain  # not known: restored as before

    relinked = {_ends(i) for i in items if links(i)}
    labels = [
        i
        for i in items
        if i.action is Action.ASSOCIATE
        and i.from_id is not None
        and not links(i)
        and _ends(i) not in relinked
    ]
    if not labels:
        return items
    try:
        held = read(labels)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        for item in labels:
            prepared.say(item.position, _unchecked(item, exc))
        return items
    gone = {i.position: _unlinked(i) for i in labels if not held.get(pair_key(i))}
    prepared.settled.update(gone)
    return [i for i in items if i.position not in gone]


def _unlinked(item: WorkItem) -> Outcome:
    between = (
        f"{object_noun(item.from_type)} {item.from_id} and {object_noun(item.to_type)} {item.to_id}"
    )
    what = f'the label "{item.label}"' if item.label else f"association type {item.type_id}"
    return Outcome(
        Status.SKIPPED,
        action=item.action,
        error_code=ErrorCode.NOT_ASSOCIATED,
        error_message=(
            f"Not put back: {between} are no longer associated in HubSpot (the association was "
            f"removed since the run, not by it), and putting {what} back would associate them "
            "again; not sent. If they should be associated, associate them with this label."
        ),
    )


def _unchecked(item: WorkItem, exc: HubframeError) -> str:
    return (
        f"Whether {object_noun(item.from_type)} {item.from_id} and {object_noun(item.to_type)} "
        f"{item.to_id} were still associated could not be read (the read before sending "
        f"failed: {str(exc).rstrip('.')}); if they no longer were, putting the label back "
        "associated them again."
    )
