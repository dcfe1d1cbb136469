"""Labels a limits sheet names and the portal lacks, created before its limits
(``hubframe limits FILE --create-labels``).

HubSpot keeps a label once created, and hubframe cannot take one back, so a label is created
only for a limits row the run then sends:

1. :func:`plan_new_labels`: the labels a labels run would create for the sheet's rows that
   set a limit and pass the sheet's own checks (not a removal, not an empty or bad cell; a
   label limit above the object limit the sheet sets is judged later, see
   :func:`limit_rows`) --
   :func:`~hubframe.jobs.labels.configure_labels`'s dry run -- each under a stand-in type id
   per direction (:func:`~hubframe.run.labels.is_stand_in`), one however the sheet spells a
   custom object (:func:`~hubframe.jobs.labels.spellings`).  Then every row of the sheet is
   judged as the limits run judges it (:func:`~hubframe.jobs.limits.rows_to_send`: the
   sheet's checks, rows naming one limit however spelled, limits above the object limit the
   portal holds, repeats, removals) with those labels listed as if they existed.  A label is
   to create when a row the run sends names it (in either direction).
2. :func:`create_new_labels`: creates those (a dry run plans them) and says of every label of
   the plan what became of it: a label none of whose rows is sent is ``skipped``, not created.
3. :func:`~hubframe.jobs.limits.limits_after_labels`: the limits, judged with the same labels
   listed (those not created too, under their stand-ins), so that each row meets what step 1
   judged: the dry run and the real run agree row by row, and agree with
   ``hf.validate_limits(limits, client)`` on a portal that has the labels.  A row the real run
   would send whose label was not created after all (HubSpot refused it, a Ctrl-C) is
   ``invalid``, ``UNKNOWN_LABEL``.  The labels the plan does not make (refused, or left out
   for want of a row sent) are listed too, under stand-ins of their own
   (:attr:`NewLabels.unmade`): a row naming one is judged as the plan judged it (rows that
   conflict say so), and one the run would send carries the label's refusal
   (:meth:`NewLabels.refusal`: ``TOO_MANY_LABELS``...), dry run and real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from hubframe.constants import USER_DEFINED
from hubframe.errors import ErrorCode, HubframeError
from hubframe.io.normalize import normalize_label
from hubframe.jobs.labels import LABELS_STOP, configure_labels, spellings
from hubframe.run.labels import LabelBook, LabelDef, is_stand_in, named, visible_label
from hubframe.run.rows import read_input, text, value
from hubframe.vocab import ObjectPair, Status

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient

Direction = tuple[str, str]  # from type, to type
Key = tuple[str, str, str]  # from type, to type, normalized label

#: The first stand-in type id (-1 is the limits job's "no type id"; HubSpot's are positive).
FIRST_STAND_IN: Final = -2

#: What a label of the plan none of whose limits rows is sent says (nothing is created).
NOT_CREATED: Final = (
    "Not created: none of the limits rows naming it is sent (their status says why), and a "
    "label once created stays in HubSpot."
)


@dataclass(frozen=True)
class NewLabels:
    """The labels to create first (see the module docstring)."""

    #: the limits rows whose labels may be created: the sheet's checks passed, with a limit
    candidates: pd.DataFrame
    #: :func:`configure_labels`'s dry run of ``candidates``: one row per label
    plan: pd.DataFrame
    #: the labels the plan creates, per direction, under stand-in type ids
    new: Mapping[Direction, tuple[LabelDef, ...]]
    #: stand-in type id -> the position in ``plan`` of the label that makes it
    creators: Mapping[int, int]
    #: the positions in ``plan`` of the labels to create: a row the run sends names them
    sent: frozenset[int]
    #: the labels of the plan it does not make (refused, as ``TOO_MANY_LABELS``, or left out
    #: because none of their rows is sent), per direction, under stand-in type ids of their own
    unmade: Mapping[Direction, tuple[LabelDef, ...]] = field(default_factory=dict)
    #: their stand-in type id -> the position in ``plan`` of the label's line
    unmakers: Mapping[int, int] = field(default_factory=dict)

    def book(self, client: HubSpotClient, *, dry_run: bool = False) -> LabelBook:
        """HubSpot's labels, with the plan's new ones not listed there yet (those it does not
        make too, so that a row naming one is judged as the plan judged it, then refused for
        the label: :meth:`refusal`); a dry run's book knows which of them the run creates
        first (its unknown-label messages name them)."""
        first = [s for s, pos in self.creators.items() if pos in self.sent] if dry_run else []
        listed = {
            w: (*self.new.get(w, ()), *self.unmade.get(w, ())) for w in {*self.new, *self.unmade}
        }
        return LabelBook(client, listed, first=first)

    def refusal(self, type_id: int) -> tuple[ErrorCode, str] | None:
        """Why the label of stand-in ``type_id`` is not made: its line's code and message
        (``TOO_MANY_LABELS``...), or ``UNKNOWN_LABEL`` for a label left out; None for a label
        the plan makes."""
        pos = self.unmakers.get(type_id)
        if pos is None:
            return None
        line = self.plan.iloc[pos]
        code, message = text(value(line["error_code"])), text(value(line["error_message"]))
        if code is not None and message is not None and code in ErrorCode.__members__:
            return ErrorCode[code], message
        return ErrorCode.UNKNOWN_LABEL, (
            f'The label "{visible_label(str(line["label"]))}" does not exist from '
            f"{line['from_type']} to {line['to_type']}: it is not created (see its line among "
            "the labels), so nothing is sent for this row."
        )

    def creators_of(self, from_type: str, to_type: str, label: str) -> set[int]:
        """The positions in ``plan`` of the labels that make ``label`` exist from ``from_type``
        to ``to_type`` (empty: not a new label of that direction)."""
        found = named(label, self.new.get((from_type, to_type), ()))
        return {self.creators[d.type_id] for d in found}


def plan_new_labels(
    limits: Any, client: HubSpotClient, *, issues: pd.DataFrame | None = None
) -> NewLabels:
    """The labels ``limits --create-labels`` creates, and those it plans but does not create
    (no row naming them is sent); ``issues`` as for
    :func:`~hubframe.jobs.limits.configure_limits`.  Creates nothing.

    A label a row creates counts toward the labels the pair holds (``TOO_MANY_LABELS``) only
    when it is created: while the plan refuses a label for want of room and plans labels none
    of whose rows is sent, it is made again without those rows (their lines kept, ``skipped``)."""
    from hubframe.jobs.check import run_issues

    frame, index = read_input(limits, "limits")
    candidates = limit_rows(frame)
    spelled = _spelled(client, candidates)
    judged: pd.DataFrame | None = None
    passes: list[NewLabels] = []
    while True:
        plan = configure_labels(candidates, client, dry_run=True)
        new, creators = _stand_ins(plan, spelled)
        if not creators:
            none = NewLabels(candidates, plan, new, creators, frozenset())
            return _with_unmade(_with_dropped(none, passes), spelled)
        if judged is None:
            judged = run_issues(frame, issues, "limits", client, labels=index)
        sent = _sent(frame, judged, client, new, creators)
        done = NewLabels(candidates, plan, new, creators, sent)
        unsent = _unsent_rows(done)
        full = plan["error_code"].eq(str(ErrorCode.TOO_MANY_LABELS)).fillna(False).any()
        if not full or not unsent.any():
            return _with_unmade(_with_dropped(done, passes), spelled)
        passes.append(done)
        candidates = candidates[~unsent]


def _sent(
    frame: pd.DataFrame,
    judged: pd.DataFrame,
    client: HubSpotClient,
    new: Mapping[Direction, tuple[LabelDef, ...]],
    creators: Mapping[int, int],
) -> frozenset[int]:
    """The positions in the plan of the labels a row the limits run sends names."""
    from hubframe.jobs.limits import rows_to_send

    try:
        items = rows_to_send(frame, judged, client, LabelBook(client, new))
    except HubframeError as exc:
        if not exc.stops_run:
            raise
        items = []  # nothing is sent: the limits run stops too, and says why
    return frozenset(
        creators[i.type_id] for i in items if i.type_id is not None and is_stand_in(i.type_id)
    )


def _unsent_rows(new: NewLabels) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Per candidate row: it names a new label none of whose rows is sent."""
    rows = new.candidates.to_dict("records")
    return np.asarray(
        [bool(m) and not m <= new.sent for m in (_makers(new, r) for r in rows)], dtype=bool
    )


def _with_dropped(last: NewLabels, passes: list[NewLabels]) -> NewLabels:
    """``last``, its plan holding too the lines of the labels earlier passes left out (none of
    whose rows is sent: ``skipped``, not created), in the first plan's order."""
    if not passes:
        return last
    lines = _lines(passes[0], None)  # every label of a row not sent: skipped
    keys = [_line_key(r) for r in lines.to_dict("records")]
    kept = {_line_key(r): r for r in last.plan.to_dict("records")}
    merged = [kept.get(k, r) for k, r in zip(keys, lines.to_dict("records"), strict=True)]
    plan = pd.DataFrame(merged, columns=lines.columns).astype(lines.dtypes.to_dict())
    plan.attrs = dict(last.plan.attrs)
    at = {k: n for n, k in enumerate(keys)}
    moved = {n: at[_line_key(r)] for n, r in enumerate(last.plan.to_dict("records"))}
    creators = {s: moved[pos] for s, pos in last.creators.items()}
    sent = frozenset(moved[pos] for pos in last.sent)
    return NewLabels(last.candidates, plan, last.new, creators, sent)


def _line_key(row: Mapping[Any, Any]) -> tuple[str, str, Key]:
    return (str(row["sheet"]), str(row["row"]), _key(row))


def limit_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a limits sheet whose labels are planned: those that set a limit (not a
    removal, not an empty cell) and that the sheet's own checks pass, or refuse only for a
    label limit above the object limit (the run refuses such a row for its label while
    HubSpot lacks it, and for its limit once the label exists)."""
    from hubframe.jobs.check import above_object_limit
    from hubframe.validate import invalid_rows, validate_limits

    issues = validate_limits(frame)
    bad = invalid_rows(frame, issues).to_numpy(dtype=bool, copy=True)
    bad[sorted(above_object_limit(issues))] = False
    removes = frame["remove"].fillna(False).astype(bool).to_numpy(dtype=bool)
    empty = frame["max_to_object_ids"].isna().to_numpy(dtype=bool)
    return frame[~bad & ~removes & ~empty]


def _spelled(client: HubSpotClient, candidates: pd.DataFrame) -> dict[Direction, list[Direction]]:
    """Each object pair of ``candidates`` (either way) as :func:`spellings` spells it -> every
    spelling the sheet gives it (itself among them): a custom object written by its type id
    and by its name is one object, so that one new label is one stand-in however its rows
    spell the object (two rows asking it different limits are then rows of one limit)."""
    reverse = candidates.rename(columns={"from_type": "to_type", "to_type": "from_type"})
    both = pd.concat([candidates[["from_type", "to_type"]], reverse[["from_type", "to_type"]]])
    spell = spellings(client, both)
    out: dict[Direction, list[Direction]] = {}
    for f, t in zip(both["from_type"], both["to_type"], strict=True):
        if isinstance(f, str) and isinstance(t, str):
            one = spell(ObjectPair(f, t))
            ways = out.setdefault((one.from_type, one.to_type), [])
            if (f, t) not in ways:
                ways.append((f, t))
    return out


def _with_unmade(new: NewLabels, spelled: Mapping[Direction, list[Direction]]) -> NewLabels:
    """``new``, with stand-ins for the labels its plan would create and does not make."""
    creates = new.plan["change"].eq("create").fillna(False).to_numpy(dtype=bool)
    creates[sorted(set(new.creators.values()))] = False
    first = FIRST_STAND_IN - len(new.creators)
    unmade, unmakers = _stand_ins(new.plan, spelled, creates, first=first)
    if not unmakers:
        return new
    return replace(new, unmade=unmade, unmakers=unmakers)


def _stand_ins(
    plan: pd.DataFrame,
    spelled: Mapping[Direction, list[Direction]],
    made: np.ndarray[Any, np.dtype[np.bool_]] | None = None,
    *,
    first: int = FIRST_STAND_IN,
) -> tuple[dict[Direction, tuple[LabelDef, ...]], dict[int, int]]:
    """The labels ``plan`` creates (``made``, default: the lines it plans to create), per
    direction (each spelling of it, ``spelled``), each under a stand-in type id (from
    ``first`` down) -> its position in ``plan``.  A label between two objects is named both
    ways (its inverse label, else itself); one of an object to itself without another inverse
    is one type both ways."""
    new: dict[Direction, list[LabelDef]] = {}
    creators: dict[int, int] = {}
    if made is None:
        planned = (plan["status"] == str(Status.PLANNED)) & (plan["change"] == "create")
        made = planned.fillna(False).to_numpy(dtype=bool)
    as_spelled = {w: one for one, ways in spelled.items() for w in ways}
    for pos in np.flatnonzero(made).tolist():
        row = plan.iloc[pos]
        written = (str(row["from_type"]), str(row["to_type"]))
        f, t = as_spelled.get(written, written)
        label = visible_label(str(row["label"]))
        inverse = text(value(row["inverse_label"]))
        back = visible_label(inverse) if inverse else label
        ways = [(f, t, label)]
        if f != t or normalize_label(back) != normalize_label(label):
            ways.append((t, f, back))
        for way in ways:
            stand_in = first - len(creators)
            creators[stand_in] = pos
            for written in dict.fromkeys([way[:2], *spelled.get(way[:2], ())]):
                new.setdefault(written, []).append(LabelDef(USER_DEFINED, stand_in, way[2]))
    return {way: tuple(defs) for way, defs in new.items()}, creators


def create_new_labels(
    new: NewLabels,
    client: HubSpotClient,
    *,
    dry_run: bool,
    cancel: threading.Event | None = None,
    on_start: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Create the labels a row the run sends names (a dry run plans them): the plan's table,
    with what became of each label.  ``cancel`` / ``on_start`` as for
    :func:`configure_labels`."""
    rows = _creating(new)
    if rows.empty:
        return _lines(new, None)
    done = configure_labels(rows, client, dry_run=dry_run, cancel=cancel, on_start=on_start)
    lines = _lines(new, done)
    stop = (done.attrs.get("hubframe") or {}).get(LABELS_STOP)
    if stop is not None:  # what stopped the labels: the limits run is told (labels_first)
        lines.attrs["hubframe"] = {**(lines.attrs.get("hubframe") or {}), LABELS_STOP: stop}
    return lines


def _creating(new: NewLabels) -> pd.DataFrame:
    """The candidate rows whose labels are created: a label to create, either way."""
    keep = [
        bool(makers) and makers <= new.sent
        for makers in (_makers(new, row) for row in new.candidates.to_dict("records"))
    ]
    return new.candidates[np.asarray(keep, dtype=bool)]


def _makers(new: NewLabels, row: Mapping[Any, Any]) -> set[int]:
    label = text(value(row.get("label")))
    if label is None:
        return set()
    return new.creators_of(str(row["from_type"]), str(row["to_type"]), label)


def _key(row: Mapping[Any, Any]) -> Key:
    return (str(row["from_type"]), str(row["to_type"]), normalize_label(str(row["label"])))


#: The columns of a labels result that say what became of a label.
_OUTCOME: Final = ("change", "category", "type_id", "status", "error_code", "error_message")


def _lines(new: NewLabels, done: pd.DataFrame | None) -> pd.DataFrame:
    """The plan's table: a label created (or planned) as its run says, one none of whose rows
    is sent ``skipped``, not created; the others (existing, refused) as the plan says."""
    out = new.plan.copy()
    by_key = {} if done is None else {_key(r): r for r in done.to_dict("records")}
    skipped: dict[Any, Any] = dict.fromkeys(_OUTCOME) | {
        "change": "create",
        "status": str(Status.SKIPPED),
        "error_message": NOT_CREATED,
    }
    for pos, row in enumerate(new.plan.to_dict("records")):
        makers = _makers(new, row)
        if not makers:
            continue
        said = by_key.get(_key(row)) if makers <= new.sent else None
        said = skipped if said is None else said
        for column in _OUTCOME:
            out.loc[out.index[pos], column] = value(said[column])
    return out


__all__ = ["NewLabels", "create_new_labels", "limit_rows", "plan_new_labels"]
