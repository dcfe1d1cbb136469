"""An undo's report held to the run's journal cell by cell: every cell of a row that decides
what the undo does -- ``status``, ``error_code``, ``action``, ``existed_before``,
``linked_before`` -- besides the ids and labels checked elsewhere
(:mod:`hubframe.jobs.before_flags`, :func:`~hubframe.io.conform.check_report_ids`).

An analyst's ordinary edit of an ``.xlsx`` report (the ``error_code`` column deleted as
noise, the ``status`` column sorted alone, a before-flag typed TRUE) had the undo leave the
run's associations, each row saying the run did not create it, or that it was there before.
When the run's journal is known, a row the report calls not applied whose association the
journal records the report's run applied (or may have), a row whose action is not the one the
run sent, and a TRUE before-flag every reading of the pair in the journal contradicts stop the
undo before anything is sent (:class:`~hubframe.errors.InputError`, naming the rows and the
cells).  Without a journal, a report whose failed rows lost their ``error_code`` column is
refused: which of them may have been applied (``UNKNOWN_OUTCOME``) cannot be told."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from hubframe.errors import InputError
from hubframe.report.reader import flag
from hubframe.run.journal import Journal, SentKey
from hubframe.run.rows import text, value
from hubframe.terminal import shown
from hubframe.vocab import RecordPair, Status, first_few

SHOWN: Final = 3  # rows named in the error
#: A key's parts after its action: object types, ids, category, type id.
Core = tuple[Any, ...]
Readings = Mapping[RecordPair, Sequence[frozenset[int]]]

_WAY_OUT: Final = (
    "Undo from the report as the run wrote it, or from the run's journal (hubframe undo "
    "JOURNAL: the file the run was given with --journal). Nothing was changed."
)


@dataclass(frozen=True)
class _Found:
    """What the journal holds of a report's rows: the runs that applied (or may have) each
    row, by key and by key without its action, and the readings of their pairs."""

    applied: Mapping[SentKey, set[int]]
    cores: Mapping[Core, set[int]]
    readings: Mapping[tuple[str, str], Readings]


def refuse_edited_cells(
    path: str | None,
    rows: Sequence[Mapping[Any, Any]],
    keys: Sequence[SentKey],
    acted: Sequence[bool],
    runs: Collection[int] | None = None,
) -> None:
    """InputError when a run row's deciding cell (``rows``, keyed as the journal keys what it
    sent; ``acted``: the rows the report says the run applied, or may have) says otherwise
    than the journal at ``path`` records of the report's run (``runs``: it and the runs it
    resumed, as the report names it; else told from the rows: :func:`_report_runs`);
    nothing without a journal."""
    if path is None or not any(acted):
        return
    done = [k for k, did in zip(keys, acted, strict=True) if did]
    with Journal(path) as journal:
        applied = journal.applied_runs(keys)
        mine = set(runs) if runs is not None else _report_runs(journal, applied, done)
        objects = {(str(k[1]), str(k[2])) for k in keys}
        readings = {pair: journal.readings(*pair) for pair in objects}
    found = _Found(applied, _by_core(applied), readings)
    held = {k[1:] for k in done}
    edited: list[tuple[int, str]] = []
    for position, (row, key, did) in enumerate(zip(rows, keys, acted, strict=True)):
        cell = _edited_cell(row, key, did, found, mine, held)
        if cell is not None:
            edited.append((position, cell))
    if edited:
        raise InputError(_message(edited, rows, path))


def refuse_lost_codes(table: pd.DataFrame, path: str | None) -> None:
    """InputError when ``table`` (a report or result table) has failed rows
    and no ``error_code`` column while no journal says which of them may have been applied:
    a row of unknown outcome is taken back, a plain failure is not, and the column alone tells
    them apart.  Before, every failed row was read as a plain failure, and the associations
    HubSpot applied after the run stopped watching stayed."""
    if path is not None or "error_code" in table.columns or "status" not in table.columns:
        return
    status = table["status"].astype("string").str.strip().str.lower()
    failed = (status == Status.FAILED).fillna(False).to_numpy(dtype=bool)
    count = int(failed.sum())
    if not count:
        return
    lines = table["row"][failed].tolist() if "row" in table.columns else []
    rows = f" (rows {first_few([shown(r) for r in lines], SHOWN)})" if lines else ""
    raise InputError(
        f"{_where(table)} has no error_code column (deleted?), and {count:,} of its rows are failed"
        f"{rows}: a failed row whose outcome is unknown (error_code UNKNOWN_OUTCOME) may have "
        "been applied by HubSpot and is taken back, a plain failure is not, and only that "
        "column tells them apart. Put the error_code column back as the run wrote it, or undo "
        "from the run's journal (hubframe undo JOURNAL: the file the run was given with "
        "--journal; an .xlsx report's Summary names it). Nothing was changed."
    )


def _where(table: pd.DataFrame) -> str:
    """The report a table was read from (its file), else "the result table"."""
    meta = table.attrs.get("hubframe")
    source = meta.get("source") if isinstance(meta, Mapping) else None
    report = isinstance(meta, Mapping) and not meta.get("column_map") and source
    return str(source) if report else "the result table"


def _report_runs(
    journal: Journal, applied: Mapping[SentKey, set[int]], done: Sequence[SentKey]
) -> set[int]:
    """The journal's run the report is of, with the runs it resumed: of the runs that applied
    (or may have) the rows the report says were applied, the one that, with the runs it
    resumed, applied most of them (the earliest of those), since a later run of the journal
    may have sent them again (a run of the sheet with a row more, its links found there) and
    an earlier one some of them (a pair whose link was removed by hand since).  None when the
    journal holds none of them."""
    runs = set().union(*(applied.get(k, set()) for k in done))
    if not runs:
        return set()
    chains = {run: {run} | journal.resumed_by(run) for run in runs}
    covered = {run: sum(bool(applied.get(k, set()) & chains[run]) for k in done) for run in runs}
    best = min(runs, key=lambda run: (-covered[run], run))
    return chains[best]


def _by_core(applied: Mapping[SentKey, set[int]]) -> dict[Core, set[int]]:
    cores: dict[Core, set[int]] = {}
    for key, runs in applied.items():
        cores.setdefault(tuple(key[1:]), set()).update(runs)
    return cores


def _edited_cell(
    row: Mapping[Any, Any],
    key: SentKey,
    did: bool,
    found: _Found,
    mine: set[int],
    held: set[Core],
) -> str | None:
    """The deciding cell of one run row the journal contradicts, else None."""
    flipped = _true_contradicted(row, key, found.readings)
    if flipped is not None:
        return flipped
    core = tuple(key[1:])
    if did:
        others = found.cores.get(core, set()) & mine
        return "action" if others and not found.applied.get(key, set()) & mine else None
    if flag(value(row.get("existed_before"))) is True:  # left in place whatever it says
        return None
    if core in held or not found.cores.get(core, set()) & mine:
        return None
    return "status / error_code" if value(row.get("status")) == Status.FAILED else "status"


def _true_contradicted(
    row: Mapping[Any, Any], key: SentKey, readings: Mapping[Any, Readings]
) -> str | None:
    """``existed_before`` or ``linked_before`` TRUE where every reading of the pair in the
    journal found the row's type (the pair's link, for a plain link's row) absent, or the pair
    unlinked; None when there is no reading, or one agrees."""
    pair = RecordPair(str(key[3]), str(key[4]))
    taken = readings.get((str(key[1]), str(key[2])), {}).get(pair, ())
    if not taken:
        return None
    type_id = key[6]
    existed = flag(value(row.get("existed_before"))) is True
    if existed and all(not t if type_id is None else type_id not in t for t in taken):
        return "existed_before"
    if flag(value(row.get("linked_before"))) is True and not any(taken):
        return "linked_before"
    return None


def _message(edited: list[tuple[int, str]], rows: Sequence[Mapping[Any, Any]], path: str) -> str:
    first, cell = edited[0]
    row = rows[first]
    where = first_few([f"{_named(rows, p)} ({c})" for p, c in edited], SHOWN)
    return (
        f"the run's {cell} cell of {_named(rows, first)} ({row.get('from_type')} "
        f"{row.get('from_id')} -> {row.get('to_type')} {row.get('to_id')}) {_says(row, cell)}, "
        f"but the run's journal {path} {_records(cell)} (the rows so, and their cells: {where}): "
        f"the report was edited (a cell changed, a column deleted, or one column "
        "sorted alone), and the undo would leave an association the run made, saying it was "
        f"not the run's. {_WAY_OUT}"
    )


def _named(rows: Sequence[Mapping[Any, Any]], position: int) -> str:
    """A run row as the analyst finds it: its sheet row, or its place among the results."""
    row = value(rows[position].get("row"))
    return f"row {shown(row)}" if row is not None else f"result {position + 1:,}"


def _says(row: Mapping[Any, Any], cell: str) -> str:
    """What the edited cell says, in the report's words."""
    if cell in ("existed_before", "linked_before"):
        return "is TRUE"
    if cell == "action":
        return f"says {text(row.get('action'))}"
    status = text(row.get("status")) or "nothing"
    if "error_code" not in row:
        return f"says {status}, and the report has no error_code column"
    code = text(row.get("error_code"))
    return f"says {status} (error_code {code})" if code else f"says {status}, its error_code empty"


def _records(cell: str) -> str:
    """What the journal records against the cell."""
    if cell == "existed_before":
        return "read the two records without this association before the run, every time"
    if cell == "linked_before":
        return "read the two records not associated before the run, every time"
    if cell == "action":
        return "records the run sending another action for these two records and type"
    return (
        "records the run applying this row's association (or maybe applying it: its "
        "outcome unknown)"
    )
