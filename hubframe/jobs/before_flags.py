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

from collections.abc import Collection, Mapping, Sequence
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
#: A write a run row made: (a creation?, from id, to id, type id or None).
Write = tuple[bool, str, str, int | None]


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
    path: str | None,
    items: Sequence[WorkItem],
    rows: Sequence[Mapping[Any, Any]],
    runs: Collection[int] | None = None,
) -> None:
    """InputError when a run row an undo acts on (``items``, of the run rows ``rows``) names a
    write the run never sent (of its kind: a creation the undo removes, a removal it makes
    again): a record pair, or an association type of the pair (its ``type_id``), that the
    run's journal at ``path`` holds no write of by the report's run (``runs``: that run and
    the runs it resumed; every run of the journal when not known).  Its ids, or its label
    and type id, were edited since the run (the report's ``to_id`` column sorted alone, a
    label retyped), and the undo would remove or create an association the run never
    touched -- perhaps one a later run of the journal wrote.  Nothing when no journal is
    known.  Before, a pair any run of the journal wrote passed, whatever its type."""
    if path is None or not items:
        return
    asked = written_rows(rows, [item.position for item in items])
    with Journal(path) as journal:
        sent = journal.written({(w[1], w[2]) for w in asked.values()}, runs)
    strays = sorted(p for p, write in asked.items() if not _written(write, sent))
    if strays:
        raise InputError(_unsent_message(strays, asked, sent, rows, path))


def written_rows(rows: Sequence[Mapping[Any, Any]], positions: Sequence[int]) -> dict[int, Write]:
    """The write each run row at ``positions`` made: (a creation?, from id, to id, type id or
    None); a row without both ids is left out."""
    out: dict[int, Write] = {}
    for position, (creates, from_id, to_id) in written_pairs(rows, positions).items():
        out[position] = (creates, from_id, to_id, _type_id(rows[position]))
    return out


def _type_id(row: Mapping[Any, Any]) -> int | None:
    found = value(row.get("type_id"))
    try:
        return None if found is None else int(found)
    except (TypeError, ValueError):
        return None


def _written(write: Write, sent: Mapping[SentPair, set[int | None]]) -> bool:
    """Whether the run sent ``write``: its pair (the other direction's, whose type ids are
    another's, by the pair alone), of the row's type -- a row whose type id is empty by the
    pair alone, a removal by the pair's removal whole too."""
    creates, from_id, to_id, type_id = write
    if (creates, to_id, from_id) in sent:
        return True
    types = sent.get((creates, from_id, to_id))
    if types is None:
        return False
    return type_id is None or type_id in types or (not creates and None in types)


def _unsent_message(
    strays: list[int],
    asked: Mapping[int, Write],
    sent: Mapping[SentPair, set[int | None]],
    rows: Sequence[Mapping[Any, Any]],
    path: str,
) -> str:
    first = strays[0]
    row, (creates, from_id, to_id, type_id) = rows[first], asked[first]
    where = ", ".join(_named(rows, p) for p in strays[:SHOWN])
    more = f" and {len(strays) - SHOWN:,} more" if len(strays) > SHOWN else ""
    types = sent.get((creates, from_id, to_id))
    if types is None:
        holds = "holds no write of these two records by the run"
        edited = "an id changed, or a column sorted alone"
    else:
        holds = (
            f"holds the run's write of association type {_types(types)} between these two "
            f"records, not of type {type_id} (label {shown(row.get('label'))})"
        )
        edited = "a label or type_id cell changed"
    return (
        f"{_named(rows, first)} ({row.get('from_type')} {row.get('from_id')} -> "
        f"{row.get('to_type')} {row.get('to_id')}) is not a row the run sent: its journal "
        f"{path} {holds} (the rows so: {where}{more}). The report was edited ({edited}), and "
        "the undo would change an association the run never touched (perhaps one a later run "
        "of the journal made). Undo from the report as the run wrote it, or from the run's "
        "journal (hubframe undo JOURNAL: the file the run was given with --journal). Nothing "
        "was changed."
    )


def _types(types: set[int | None]) -> str:
    named = sorted(str(t) for t in types if t is not None)
    plain = ["(the plain link)"] if None in types else []
    return " and ".join([*named, *plain])


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
