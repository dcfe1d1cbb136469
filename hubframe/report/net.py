"""The net change of several runs on one record pair, for an undo from their journal.

A journal's rows (:meth:`~hubframe.run.journal.Journal.created`) each carry the reading of
the run that first applied them.  When several runs applied rows to one record pair (a sync
adding a label that the next sync removes; a pair removed whole and linked again), those
readings disagree, and undoing every row by its own run's reading -- removals first, then
creations -- created again what a later run had removed.  Here each such pair is replayed
from the reading of the first run that applied a row of it (what it held before the first
run undone), through every row the runs applied in the order they were sent, and only the
difference is taken back: a type there before and gone now is created again, one there now
and not before is removed, and a row whose change a later run reversed is left, saying so.
A type whose last change is of unknown outcome is set back either way (removing what is not
there, or creating what is, changes nothing).  A pair only one run applied rows to keeps its
rows as they are, as does a pair whose first run recorded no reading of it.  Runs of both
directions on two records not linked before the first are replayed together, at the link;
records linked before are taken back direction by direction (one direction's type ids are
not the other's).  A pair linked before whose runs changed labels from both sides -- a label
added written one way, a label (or the pair) removed written the other -- is not undone:
HubSpot never says which label of one direction is which of the other's inverse (names may
cross), so one direction's rows may put back what the other's took off; its rows are refused,
saying what each run did (:func:`_crossed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from hubframe.run.journal import JournalRow, JournalStep
from hubframe.vocab import Action

#: The link itself (the pair is associated with any type) beside the type ids.
_LINK: Final = -1
Pair = tuple[str, str, str, str]


@dataclass(frozen=True)
class NetNote:
    """Why a row of a pair several runs changed is not taken back: nothing to take back, or
    (``refused``) the undo cannot tell what would put the pair back (``NOT_UNDOABLE``)."""

    message: str
    refused: bool = False


#: A row of the undo's frame and, for a row not taken back, why (else None).
NetRow = tuple[JournalRow, NetNote | None]


def _pair(key: Sequence[object]) -> Pair:
    return (str(key[1]), str(key[2]), str(key[3]), str(key[4]))


def _row_pair(row: JournalRow) -> Pair:
    return (str(row.from_type), str(row.to_type), str(row.from_id), str(row.to_id))


def _ends(pair: Pair) -> Pair:
    """The two records of a pair, in either direction: (type, id, type, id), sorted."""
    one, other = (pair[0], pair[2]), (pair[1], pair[3])
    first, second = sorted([one, other])
    return (first[0], first[1], second[0], second[1])


def net_rows(rows: list[JournalRow], steps: list[JournalStep]) -> list[NetRow]:
    """``rows`` (one per journal key) with the pairs several runs applied rows to replaced by
    the rows that take back their net change (and those with none to take back, noted)."""
    by_ends: dict[Pair, list[JournalStep]] = {}
    for step in steps:
        by_ends.setdefault(_ends(_pair(step.key)), []).append(step)
    grouped: dict[Pair, list[JournalRow]] = {}
    for row in rows:
        grouped.setdefault(_ends(_row_pair(row)), []).append(row)
    out: list[NetRow] = []
    for ends, pair_rows in grouped.items():
        found = by_ends.get(ends, [])
        directions = {_pair(s.key) for s in found}
        if len(directions) > 1 and found[0].before == frozenset():
            out.extend(_net_of_link(pair_rows, found))
            continue
        crossed = _crossed(found)
        if crossed is not None:
            out.extend((replace(row, before=found[0].before), crossed) for row in pair_rows)
            continue
        for direction in sorted({_row_pair(r) for r in pair_rows}):
            these = [r for r in pair_rows if _row_pair(r) == direction]
            theirs = [s for s in found if _pair(s.key) == direction]
            if len({s.run for s in theirs}) < 2 or theirs[0].before is None:
                out.extend((row, None) for row in these)
            else:
                out.extend(_net_of_pair(these, theirs))
    return out


def _net_of_link(rows: list[JournalRow], steps: list[JournalStep]) -> list[NetRow]:
    """Runs of both directions changed two records that were not linked before the first:
    they are linked after the last when a row linking them came after the last removal of the
    pair (a label's removal leaves the link), and then the pair goes whole; else nothing is
    to take back.  (The types of one direction are not those of the other: a pair linked
    before is taken back direction by direction.)"""
    linked, unsure = False, False
    for step in steps:
        action = step.key[0]
        if action in (Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT):
            linked, unsure = True, step.maybe
        elif action == Action.ARCHIVE:
            linked, unsure = False, step.maybe
    if linked or unsure:
        made = [r for r in rows if r.action in (Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT)]
        if made:
            return [(replace(row, before=frozenset()), None) for row in made]
    return [(replace(row, before=frozenset()), NetNote(_nothing(row, set()))) for row in rows]


def _net_of_pair(rows: list[JournalRow], steps: list[JournalStep]) -> list[NetRow]:
    """The rows taking back what ``steps`` (several runs', one direction) did to a pair, from
    the first run's reading: a removal per type there now and not before (the pair whole when
    it was not linked), a creation per type there before and not now; the other rows noted
    with nothing to take back."""
    before = steps[0].before or frozenset()
    was = set(before) | ({_LINK} if before else set())
    now, unsure = _replay(was, steps)
    named = {s.key[6] for s in steps if s.key[6] is not None}
    acts: dict[int, bool] = {}  # type -> True: create again; False: remove
    for kind in (now | was | named | {_LINK}) - ({_LINK} if before else set()):
        if (kind in now) != (kind in was) or unsure.get(kind, False):
            acts[kind] = kind in was
    out: list[NetRow] = []
    if before:
        out += [(_removal(rows, t, before, unsure), None) for t, make in acts.items() if not make]
        out += [(_creation(rows, t, before, unsure), None) for t, make in acts.items() if make]
    elif acts:  # not linked before: the pair goes whole
        out += _whole(_creations(rows), before, named - now - {k for k, u in unsure.items() if u})
    if out and not before:  # every row of the pair goes with it
        return out
    covered = {row.type_id for row, _ in out}
    acting = bool(out)
    for row in rows:
        if acting and (row.type_id is None or row.type_id in covered):
            continue  # taken back by the rows above
        out.append((replace(row, before=before), NetNote(_nothing(row, was))))
    return out


#: A step's change in words, by action (a type id named after it, where it has one).
_DID: Final = {
    Action.ASSOCIATE: "added association type",
    Action.ASSOCIATE_DEFAULT: "linked the records",
    Action.ARCHIVE_LABELS: "removed association type",
    Action.ARCHIVE: "removed the association whole",
}
#: The actions that put a label on a pair, and those that take one (or every one) off.
_ADDS: Final = frozenset({Action.ASSOCIATE})
_TAKES: Final = frozenset({Action.ARCHIVE_LABELS, Action.ARCHIVE})


def _crossed(steps: Sequence[JournalStep]) -> NetNote | None:
    """Why the rows of a pair several runs changed from both sides are refused (None: they
    are not): one side's runs added a label and the other's took one off (or the pair).  The
    inverse of a label is not known -- "Manager" may be "Managed deal" seen from the contact --
    so neither side's replay can say what the other did to it: the one may put back a label
    the other took off, reported success (before, each side was replayed alone)."""
    if len({s.run for s in steps}) < 2:
        return None
    adds = {_pair(s.key)[:2] for s in steps if s.key[0] in _ADDS and s.key[6] is not None}
    takes = {_pair(s.key)[:2] for s in steps if s.key[0] in _TAKES}
    if not any(a != t for a in adds for t in takes):
        return None
    first = _pair(steps[0].key)
    between = f"{first[0]} {first[2]} and {first[1]} {first[3]}"
    did = "; ".join(dict.fromkeys(_did(s) for s in steps))
    return NetNote(
        f"Not undone: several runs of the journal changed the labels of {between} from both "
        f"sides ({did}). HubSpot does not say which label of one side is which label of the "
        "other (a label's inverse may carry another name, or the name of another label), so "
        "undo cannot tell whether one run's label is the one another run took off, and "
        "putting back either side could leave a label that was there before neither run. "
        f"Nothing sent for this pair: check its labels in HubSpot, from both records, against "
        "what it held before the first of these runs, and set them by hand.",
        refused=True,
    )


def _did(step: JournalStep) -> str:
    """What a step did, in words ("run 2 removed association type 1002 (contacts -> deals)")."""
    action, type_id = Action(step.key[0]), step.key[6]
    words = _DID.get(action, str(action))
    typed = f" {type_id}" if action in (Action.ASSOCIATE, Action.ARCHIVE_LABELS) else ""
    maybe = " (outcome unknown)" if step.maybe else ""
    return f"run {step.run} {words}{typed} ({step.key[1]} -> {step.key[2]}){maybe}"


def _replay(was: set[int], steps: Iterable[JournalStep]) -> tuple[set[int], dict[int, bool]]:
    """What the pair holds after ``steps`` from ``was`` (type ids, :data:`_LINK` while
    linked), and for each type whether its last change is of unknown outcome."""
    now, unsure = set(was), {}
    for step in steps:
        action, type_id = step.key[0], step.key[6]
        changed: set[int]
        if action == Action.ASSOCIATE:
            changed = {_LINK} | ({int(type_id)} if type_id is not None else set())
            now |= changed
        elif action == Action.ASSOCIATE_DEFAULT:
            changed = {_LINK}
            now |= changed
        elif action == Action.ARCHIVE_LABELS and type_id is not None:
            changed = {int(type_id)}
            now -= changed
        elif action == Action.ARCHIVE:
            changed = now | {_LINK}
            now = set()
        else:
            continue
        unsure.update(dict.fromkeys(changed, step.maybe))
    return now, unsure


def _whole(rows: list[JournalRow], before: frozenset[int], gone: set[int]) -> list[NetRow]:
    """The creation rows taking back a pair the runs linked (not linked before), each
    claiming its type; a label row whose type a later run removed (``gone``) claims none: it
    is noted with nothing to take back, so the undo takes that type, held now, for someone
    else's (a label put back by hand since keeps the pair: :func:`~hubframe.jobs.unlink.
    _spare_other_labels`), and when every row is such a row the pair's link goes by a row of
    its own.  Before, the label's row claimed it, and the pair went whole with a label a
    colleague put back after a later sync of the journal removed the run's."""
    kept = [r for r in rows if r.type_id is None or r.type_id not in gone]
    left = [r for r in rows if r not in kept]
    if not kept:
        link = replace(left[0], action=str(Action.ASSOCIATE_DEFAULT), category=None, type_id=None)
        kept = [link]
    out: list[NetRow] = [(replace(row, before=before), None) for row in kept]
    out += [(replace(row, before=before), NetNote(_nothing(row, set()))) for row in left]
    return out


def _creations(rows: list[JournalRow]) -> list[JournalRow]:
    """The rows of a pair that created something (the pair's removal takes them back)."""
    made = [r for r in rows if r.action in (Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT)]
    if made:
        return made
    first = rows[0]  # only removals recorded: the pair's link, to remove whole
    return [replace(first, action=str(Action.ASSOCIATE_DEFAULT), category=None, type_id=None)]


def _removal(
    rows: list[JournalRow], type_id: int, before: frozenset[int], unsure: dict[int, bool]
) -> JournalRow:
    """The row taking back type ``type_id`` the runs added to a pair linked before."""
    return _type_row(rows, type_id, before, unsure, Action.ASSOCIATE)


def _creation(
    rows: list[JournalRow], type_id: int, before: frozenset[int], unsure: dict[int, bool]
) -> JournalRow:
    """The row creating again type ``type_id``, held before the first run and removed since."""
    return _type_row(rows, type_id, before, unsure, Action.ARCHIVE_LABELS)


def _type_row(
    rows: list[JournalRow],
    type_id: int,
    before: frozenset[int],
    unsure: dict[int, bool],
    action: Action,
) -> JournalRow:
    """A run's row of ``action`` on type ``type_id`` (the last such, else the pair's first row
    with that action and type), which undo takes back: a creation's is a removal, a removal's
    a creation (which sets no primary: its ``primary_before`` is not kept)."""
    same = [r for r in rows if r.action == action and r.type_id == type_id]
    base = same[-1] if same else rows[0]
    return replace(
        base,
        action=str(action),
        type_id=type_id,
        category=base.category if same else None,
        before=before,
        maybe=unsure.get(type_id, False),
        primary_before=base.primary_before if action is Action.ASSOCIATE else None,
    )


def _nothing(row: JournalRow, was: set[int]) -> str:
    """Why a row of a pair several runs changed has nothing to take back: what it changed
    is, after the last of them, as before the first."""
    kind = _LINK if row.type_id is None else row.type_id
    what = "the association" if row.type_id is None else f"association type {row.type_id}"
    between = f"between {row.from_type} {row.from_id} and {row.to_type} {row.to_id}"
    state = (
        "was there before the first run undone and is there again after the last"
        if kind in was
        else "was not there before the first run undone and is gone again after the last"
    )
    return (
        f"Not undone: nothing to take back: {what} {between} {state} (several runs of the "
        "journal changed this pair; an undo takes back their net change)."
    )


def replayed(steps: Iterable[JournalStep]) -> list[list[str]]:
    """The record pairs (:func:`ends`, as lists) several runs applied rows to: what the
    journal's replay of such a pair decides is to take back, also of a type a later run
    removed (the link the runs made, left by a label's removal, goes with the pair).  An undo
    does not take such a row's missing type for a change made outside the journal (a label
    removed by hand, whose link is someone else's).  Pairs, not positions: a journal's frame
    sliced in Python (``load_run(j).iloc[[3]]``) keeps its attrs, and positions would name
    other rows."""
    runs: dict[Pair, set[int]] = {}
    for step in steps:
        runs.setdefault(_ends(_pair(step.key)), set()).add(step.run)
    return sorted(list(pair) for pair, by in runs.items() if len(by) > 1)


def ends(from_type: str, to_type: str, from_id: str, to_id: str) -> Pair:
    """The two records of a pair, in either direction, as :func:`replayed` names them."""
    return _ends((from_type, to_type, from_id, to_id))


__all__ = ["NetNote", "NetRow", "ends", "net_rows", "replayed"]
