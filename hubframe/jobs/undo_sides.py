"""An undo of a record pair a run linked from both sides: read again once its labels are off.

A run may give two records that were not associated a label written deals -> contacts and
another written contacts -> deals.  Each row says the pair was not linked before the run, so
its link is the run's; but a pair's link goes whole only when it holds no label the undo does
not take back, and HubSpot lists the labels of a pair per direction, each under its own type
ids: a contacts -> deals label shows from the deal's side as its inverse, whose type id and
name HubSpot's labels list does not tie to it (names may differ -- "Manager" / "Managed by" --
or cross: "Manager" with inverse "Managed deal", and "Managed deal" with inverse "Manager").
Before, the undo took the other side's label for one it does not take back: it removed both
labels alone, left the link the run made, and said the pair "stays associated" because of a
label that same undo removed.

Now (:class:`BothSides`) the labels of such a pair are taken back first, each alone, and one
row of the pair (its plain link's, else its last label's) is decided once they are done
(:attr:`~hubframe.run.pipeline.Prepared.recheck`): the pair is read again from that row's side,
and when it holds no label but that row's own, the row removes the pair whole (its link was
the run's); when it holds another (added since, or a label of this undo's not applied), only
the row's own label goes, and the row names what keeps the link.  No inverse is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from hubframe.errors import ErrorCode, HubframeError
from hubframe.run.phases import pin_phases
from hubframe.run.pipeline import Note, Prepared
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, Status

#: (from type, to type, from id, to id): a pair in one direction.
PairKey = tuple[str, str, str, str]
#: The two records of a pair, either way round.
Ends = frozenset[tuple[str, str]]
#: A row's label: (type id, name); None for the plain link's row.
Label = tuple[int, str] | None
#: The types each pair holds now: pair -> type id -> label (None: unlabeled).
Held = Mapping[PairKey, Mapping[int, str | None]]


def pair_key(item: WorkItem) -> PairKey:
    return (item.from_type, item.to_type, str(item.from_id), str(item.to_id))


def _ends(item: WorkItem) -> Ends:
    return frozenset({(item.from_type, str(item.from_id)), (item.to_type, str(item.to_id))})


@dataclass(frozen=True)
class BothSides:
    """How an undo takes back the pairs its rows linked from both sides (module docstring)."""

    #: a row's label (its type id and name), None for a plain link's row
    label_of: Callable[[WorkItem], Label]
    #: a row's whole removal turned into the removal of its label alone
    alone: Callable[[WorkItem], WorkItem]
    #: the types the items' pairs hold now, read from each item's side
    read: Callable[[list[WorkItem]], Held]
    dry_run: bool
    #: the undo's notes (:attr:`Prepared.notes`), where a decided row's words go
    notes: dict[int, Note]

    def groups(self, items: Iterable[WorkItem]) -> dict[Ends, list[WorkItem]]:
        """The pairs this undo removes whole (every row of theirs it acts on says they were
        not linked before the run), written from both sides, a label among their rows."""
        found: dict[Ends, list[WorkItem]] = {}
        for item in items:
            if item.from_id is not None:
                found.setdefault(_ends(item), []).append(item)
        return {
            ends: rows
            for ends, rows in found.items()
            if all(r.action is Action.ARCHIVE for r in rows)
            and len({(r.from_type, r.to_type) for r in rows}) > 1
            and any(self.label_of(r) is not None for r in rows)
        }

    def take_back(
        self, items: list[WorkItem], groups: Mapping[Ends, list[WorkItem]], prepared: Prepared
    ) -> list[WorkItem]:
        """``items`` with each group's labels removed alone, and its last row (the plain
        link's, else the last label's) sent once they are done, decided again then."""
        lasts: set[int] = set()
        alone: dict[int, WorkItem] = {}
        for rows in groups.values():
            plain = [r.position for r in rows if self.label_of(r) is None]
            last = set(plain or [rows[-1].position])
            lasts |= last
            alone.update((r.position, self.alone(r)) for r in rows if r.position not in last)
        out = [alone.get(i.position, i) for i in items]
        phase = pin_phases(prepared, out) + 1
        for pos in sorted(lasts):
            prepared.phase[pos] = phase
            prepared.recheck[pos] = self._again
            if self.dry_run:
                prepared.notes[pos] = Note(_PLANNED)
        return out

    def _again(
        self, items: list[WorkItem], outcomes: Mapping[int, Outcome]
    ) -> tuple[list[WorkItem], dict[int, Outcome]]:
        """The last rows of their pairs, decided by what the pairs hold now (the labels of
        the pair's other rows taken back): whole, their label alone, or settled unsent."""
        if self.dry_run:
            return items, {}
        try:
            held = self.read(items)
        except HubframeError as exc:
            return [], {i.position: _unread(i, exc) for i in items}
        sent: list[WorkItem] = []
        settled: dict[int, Outcome] = {}
        for item in items:
            decided = self._decide(item, held.get(pair_key(item)))
            if isinstance(decided, Outcome):
                settled[item.position] = decided
            else:
                sent.append(decided[0])
                self.notes[item.position] = decided[1]
        return sent, settled

    def _decide(
        self, item: WorkItem, types: Mapping[int, str | None] | None
    ) -> tuple[WorkItem, Note] | Outcome:
        """What the last row of a pair does, given the types the pair holds now."""
        between = f"{item.from_type} {item.from_id} and {item.to_type} {item.to_id}"
        if types is None:
            return _skipped(
                f"Not there: {between} are not associated in HubSpot once this undo's other "
                "rows were taken back (removed since?); nothing to remove, not sent.",
                item,
            )
        own = self.label_of(item)
        others = {t for t, name in types.items() if name} - ({own[0]} if own else set())
        if not others:
            return item, Note(_WHOLE.format(between=between), sent=True)
        names = ", ".join(f'"{types[t]}"' for t in sorted(others))
        if own is None:
            return _skipped(_KEPT.format(between=between, names=names), item, code=None)
        if own[0] not in types:
            return _skipped(
                f'Not there: {between} do not have the label "{own[1]}" in HubSpot once this '
                f"undo's other rows were taken back; the two records stay associated, since "
                f"they still hold {names}{_WHY_KEPT}; nothing sent.",
                item,
            )
        said = _ALONE.format(between=between, names=names)
        return self.alone(item), Note(said, sent=True)


#: Why a pair the undo read again still holds a label (it cannot tell which).
_WHY_KEPT = (
    " (a label added since the run, or a row of the run this undo does not take back or did "
    "not apply)"
)
_WHOLE = (
    "The pair goes whole: once this undo's other rows of {between} were taken back, they held "
    "no other label, so their link was the run's."
)
_ALONE = (
    "Only this row's label is taken back: once this undo's other rows were taken back, "
    "{between} still hold {names}" + _WHY_KEPT + ", so they stay associated."
)
_KEPT = (
    "Left in place: once this undo's other rows were taken back, {between} still hold "
    "{names}" + _WHY_KEPT + "; the link stays for them. Nothing sent."
)
_PLANNED = (
    "Planned: this undo takes back the pair's labels of its other rows first, then reads the "
    "pair again: it goes whole when it holds no other label then, else only this row's label "
    "goes."
)


def _skipped(
    message: str, item: WorkItem, code: ErrorCode | None = ErrorCode.NOT_ASSOCIATED
) -> Outcome:
    return Outcome(Status.SKIPPED, action=item.action, error_code=code, error_message=message)


def _unread(item: WorkItem, exc: HubframeError) -> Outcome:
    """A last row whose pair could not be read again: not removed whole unchecked."""
    return Outcome.of_error(
        Status.FAILED,
        exc,
        (
            f"Not removed: which labels {item.from_type} {item.from_id} and {item.to_type} "
            f"{item.to_id} hold once this undo's other rows were taken back could not be read "
            f"({str(exc).rstrip('.')}). Run the undo again."
        ),
        action=item.action,
    )


__all__ = ["BothSides", "pair_key"]
