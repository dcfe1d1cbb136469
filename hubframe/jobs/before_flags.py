"""An undo's rows checked against the run's journal: a report (or result table) whose
``existed_before`` or ``linked_before`` cell was flipped to FALSE (edited in Excel, or the
column sorted alone) had the undo remove an association that was there before the run -- the
one thing an undo must never do.  When the run's journal is known (the report's Summary names
it, or a fresh result table's run kept one), each removal the undo plans is compared with the
journal's readings of the pair; a row every reading contradicts stops the undo before anything
is removed (:class:`~hubframe.errors.InputError`, naming the rows and the cell).

Only a contradiction by every reading counts: a pair removed by hand between two runs of one
journal was read holding the association by the first and not by the second, and the second's
report rightly says it did not exist before that run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from hubframe.errors import InputError
from hubframe.report.reader import flag
from hubframe.run.journal import Journal, SentPair
from hubframe.run.rows import value
from hubframe.run.work import WorkItem
from hubframe.terminal import shown
from hubframe.vocab import Action, RecordPair

SHOWN: Final = 3  # rows named in the error
_REMOVALS: Final = frozenset({str(Action.ARCHIVE), str(Action.ARCHIVE_LABELS)})

Readings = Mapping[RecordPair, Sequence[frozenset[int]]]


def refuse_flipped_flags(
    path: str | None, items: Sequence[WorkItem], rows: Sequence[Mapping[Any, Any]]
) -> None:
    """InputError when a removal among ``items`` (an undo's, of the run rows ``rows``) rests on
    an ``existed_before`` / ``linked_before`` cell that every reading of its pair in the
    journal at ``path`` contradicts; nothing when no journal is known."""
    removals = [i for i in items if i.action in (Action.ARCHIVE, Action.ARCHIVE_LABELS)]
    if path is None or not removals:
        return
    readings: dict[tuple[str, str], Readings] = {}
    flipped: list[tuple[int, str]] = []
    with Journal(path) as journal:
        for item in removals:
            objects = (item.from_type, item.to_type)
            if objects not in readings:
                readings[objects] = journal.readings(*objects)
            taken = readings[objects].get(RecordPair(str(item.from_id), str(item.to_id)), ())
            cell = _contradicted(rows[item.position], taken)
            if cell is not None:
                flipped.append((item.position, cell))
    if flipped:
        raise InputError(_message(flipped, rows, path))


def refuse_unsent(
    path: str | None, items: Sequence[WorkItem], rows: Sequence[Mapping[Any, Any]]
) -> None:
    """InputError when a run row an undo acts on (``items``, of the run rows ``rows``) names a
    record pair no run of the journal at ``path`` sent a write of (of its kind: a creation
    the undo removes, a removal it makes again): its ids were edited since the run (the
    report's ``to_id`` column sorted alone, say), and the undo would remove or create an
    association the run never touched.  Nothing when no journal is known."""
    if path is None or not items:
        return
    asked = written_pairs(rows, [item.position for item in items])
    with Journal(path) as journal:
        unsent = journal.never_sent(asked.values())
    if not unsent:
        return
    strays = sorted(p for p, pair in asked.items() if pair in unsent)
    row = rows[strays[0]]
    where = ", ".join(_named(rows, p) for p in strays[:SHOWN])
    more = f" and {len(strays) - SHOWN:,} more" if len(strays) > SHOWN else ""
    raise InputError(
        f"{_named(rows, strays[0])} ({row.get('from_type')} {row.get('from_id')} -> "
        f"{row.get('to_type')} {row.get('to_id')}) is not a row the run sent: its journal "
        f"{path} holds no write of these two records (the rows so: {where}{more}). The report "
        "was edited (an id changed, or a column sorted alone), and the undo would change an "
        "association the run never touched. Undo from the report as the run wrote it, or from "
        "the run's journal (hubframe undo JOURNAL: the file the run was given with "
        "--journal). Nothing was changed."
    )


def written_pairs(
    rows: Sequence[Mapping[Any, Any]], positions: Sequence[int]
) -> dict[int, SentPair]:
    """The record pair each run row at ``positions`` wrote, as :meth:`Journal.never_sent`
    takes it: (a creation?, from id, to id); a row without both ids is left out."""
    out: dict[int, SentPair] = {}
    for position in positions:
        row = rows[position]
        ids = (value(row.get("from_id")), value(row.get("to_id")))
        if ids[0] is not None and ids[1] is not None:
            creates = str(value(row.get("action"))) not in _REMOVALS
            out[position] = (creates, str(ids[0]), str(ids[1]))
    return out


def _named(rows: Sequence[Mapping[Any, Any]], position: int) -> str:
    """A run row as the analyst finds it: its sheet row, or (a sync's row of the portal,
    which has none) its place among the results."""
    row = value(rows[position].get("row"))
    return f"row {shown(row)}" if row is not None else f"result {position + 1:,} (of the portal)"


def _contradicted(row: Mapping[Any, Any], taken: Sequence[frozenset[int]]) -> str | None:
    """The cell of ``row`` every reading in ``taken`` contradicts: ``existed_before`` FALSE
    where each found the row's type, ``linked_before`` FALSE where each found the pair
    linked; None when there is no reading, or one agrees."""
    if not taken:
        return None
    type_id = value(row.get("type_id"))
    existed = flag(value(row.get("existed_before")))
    if existed is False and type_id is not None and all(int(type_id) in t for t in taken):
        return "existed_before"
    if flag(value(row.get("linked_before"))) is False and all(taken):
        return "linked_before"
    return None


def _message(flipped: list[tuple[int, str]], rows: Sequence[Mapping[Any, Any]], path: str) -> str:
    first, cell = flipped[0]
    row = rows[first]
    where = ", ".join(shown(rows[p].get("row")) for p, _ in flipped[:SHOWN])
    more = f" and {len(flipped) - SHOWN:,} more" if len(flipped) > SHOWN else ""
    return (
        f"the run's {cell} cell of row {shown(row.get('row'))} ({row.get('from_type')} "
        f"{row.get('from_id')} -> {row.get('to_type')} {row.get('to_id')}) is FALSE, but the "
        f"run's journal {path} read the two records {_held(cell)} before the run (rows "
        f"{where}{more} are so): the report was edited (a cell changed, or the column sorted "
        "alone), and the undo would remove an association that was there before the run. "
        "Undo from the report as the run wrote it, or from the run's journal (hubframe undo "
        "JOURNAL: the file the run was given with --journal). "
        "Nothing was removed."
    )


def _held(cell: str) -> str:
    return "holding this association" if cell == "existed_before" else "associated"
