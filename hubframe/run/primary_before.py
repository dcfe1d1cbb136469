"""The primary companies before a run: read, written into its result, kept in its journal.

A run that reads the portal before sending (``associate`` with pre-flight or the state before
recorded, every ``sync``) reads the current primary company of each record a row to send makes
a company the primary of (:func:`hubframe.run.primary.current_primaries`), and

* writes it into the result's ``primary_before`` column (the companies, "" for none, NA for a
  row that sets no primary company), and says on a row that takes the primary from another
  company that it does;
* keeps it in the journal (a real run, :meth:`~hubframe.run.journal.Journal.remember_primaries`):
  the pairs holding it as readings, and the records read at all, so that an undo from the
  journal tells "read: none" from "never read";
* for a record a row of which making a company its primary the runs it resumes sent (or may
  have), goes by the journal's reading (the portal now holds their work): the last reading by
  those runs up to the first of them that sent such a row, so a primary moved by hand between
  two stopped runs, before the chain sent the record's row, is the one reported (and undone);
  a record they sent no such row of is read again;
* a row whose record could not be read is held back by a run that records the state before it
  (:func:`hold_back`: it sends nothing it could not take back); in another run its
  ``existed_before`` and ``linked_before`` are blanked, so its undo says it was not recorded.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import pandas as pd

from hubframe.constants import EXISTING_COLUMNS, PRIMARY_BEFORE
from hubframe.errors import ErrorCode, HubframeError, StopReason
from hubframe.redaction import clip
from hubframe.run.primary import (
    PrimaryReading,
    PrimaryRow,
    current_primaries,
    primary_cell,
    replace_message,
    replaced_by,
    table_rows,
)
from hubframe.run.table import ExtraColumn
from hubframe.run.work import Outcome
from hubframe.run.worktable import ACTIONS
from hubframe.vocab import Action, Status

if TYPE_CHECKING:
    from hubframe.run.journal import Journal
    from hubframe.run.pipeline import Prepared, RunContext

Record = tuple[str, str]  # (record type, record id)
Held = tuple[str, str, str]  # (record type, record id, company id)


def primaries_before(
    prepared: Prepared, run: RunContext, *, record: bool, removed: Collection[Held] = ()
) -> None:
    """The companies that hold the primary of each record a row to send makes a company the
    primary of, read where the run reads the portal anyway (see the module docstring).
    ``record``: a real run that records the state before it (to be undone): a row whose
    record's primary could not be read is held back, as one whose pair could not be; else the
    row's ``existed_before`` and ``linked_before`` are blanked (its undo says it was not
    recorded).  ``removed``: the (record type, record id, company) pairs the run removes
    whole (a sync's removals), which the row that replaces their primary says."""
    if prepared.stop is not None:
        return
    rows = table_rows(prepared.work())
    if not rows:
        return
    try:
        reading = current_primaries(run.client, rows)
    except HubframeError as exc:  # a bad token, the daily limit, no HubSpot: nothing will work
        if not exc.stops_run:
            raise
        table = prepared.work()
        codes = zip(table.positions.tolist(), table.actions.tolist(), strict=True)
        prepared.stop_all(StopReason.of(exc), {pos: ACTIONS[code] for pos, code in codes})
        return
    journal = run.journal if not run.options.dry_run else None
    resumed = _resumed(journal, rows) if journal is not None else {}
    if journal is not None:
        _remember(journal, reading, skip=set(resumed))
    cells: dict[int, str] = {}
    unread: dict[int, HubframeError] = {}
    unknown: list[int] = []
    for row in rows:
        key = (row.record_type, row.record_id)
        if key in resumed:
            before = resumed[key]
            if before is None:  # the runs it resumes left no reading of it
                unknown.append(row.position)
                continue
        elif key in reading.unread:
            unread[row.position] = reading.unread[key]
            continue
        else:
            before = frozenset(reading.found.get(key, {}))
        cells[row.position] = primary_cell(before)
        others = replaced_by(row, before)
        if others:
            gone = [c for c in others if (row.record_type, row.record_id, c) in removed]
            prepared.say(row.position, f"{replace_message(row, others, gone)}.")
    _primary_column(prepared, cells)
    if unread and record:
        for error, positions in _by_error(unread).items():
            hold_back(prepared, positions, error)
    else:
        unknown += list(unread)
    if unknown:
        _unrecorded(prepared, unknown)


def _resumed(journal: Journal, rows: list[PrimaryRow]) -> dict[Record, frozenset[str] | None]:
    """The records a row of which making a company their primary (either direction) the runs
    this one resumes sent (or may have), with their primary companies before those runs as the
    journal kept them (:meth:`~hubframe.run.journal.Journal.primaries`: the last reading up to
    the first of them that sent such a row; None: it holds no reading of them): read now, the
    portal holds that run's work, not what was there before it.  A record they sent no such
    row of is read again (its primary may have been moved by hand since)."""
    records: dict[str, set[str]] = {}
    for row in rows:
        records.setdefault(row.record_type, set()).add(row.record_id)
    out: dict[Record, frozenset[str] | None] = {}
    for record_type, ids in records.items():
        kept = journal.primaries(record_type, ids)
        out.update({(record_type, r): before for r, before in kept.items()})
    return out


def _remember(journal: Journal, reading: PrimaryReading, *, skip: set[Record]) -> None:
    """Keep in the journal each record's primary pairs as read, and that it was read (a
    reading of the pairs, with every type they hold, as the state before the run keeps its
    pairs'): an undo from the journal alone finds there the company a row took the primary
    from, or that the record had none.  ``skip``: records whose reading the journal has from
    the runs this one resumes (read now, the portal holds their work)."""
    by_type: dict[str, dict[str, dict[str, frozenset[int]]]] = {}
    for (record_type, record_id), companies in reading.found.items():
        if (record_type, record_id) not in skip:
            by_type.setdefault(record_type, {})[record_id] = companies
    for record_type, found in by_type.items():
        journal.remember_primaries(record_type, found)


def _primary_column(prepared: Prepared, cells: dict[int, str]) -> None:
    """``primary_before`` after ``linked_before``: the companies, "" for none, NA for rows
    that set no primary company (or whose record could not be read)."""
    values = pd.Series(pd.NA, index=range(len(prepared.frame)), dtype="string")
    if cells:
        values.iloc[list(cells)] = list(cells.values())
    prepared.extra.append(ExtraColumn(EXISTING_COLUMNS[-1], PRIMARY_BEFORE, values))


def _by_error(unread: dict[int, HubframeError]) -> dict[HubframeError, list[int]]:
    out: dict[HubframeError, list[int]] = {}
    for position, error in unread.items():
        out.setdefault(error, []).append(position)
    return out


def _unrecorded(prepared: Prepared, positions: list[int]) -> None:
    """Rows sent whose record's primary company before the run is not known (its read failed,
    or the journal of the runs it resumes holds none): their state before the run is not known
    whole, so their ``existed_before`` and ``linked_before`` are blanked (an undo then says so
    rather than take the record's primary company away)."""
    for column in prepared.extra:
        if column.name in EXISTING_COLUMNS:
            column.values.iloc[positions] = pd.NA


def hold_back(prepared: Prepared, positions: list[int], error: HubframeError) -> None:
    """Rows whose state before the run could not be read are not sent: a run that records it
    sends nothing it could not take back.  They fail with the read's error (the retry file
    holds them); nothing of theirs was changed."""
    table = prepared.work()
    held_rows = set(positions)
    keep = [row for row, pos in enumerate(table.positions.tolist()) if pos not in held_rows]
    actions = dict(zip(table.positions.tolist(), table.actions.tolist(), strict=True))
    for pos in positions:
        prepared.settled[pos] = held(ACTIONS[actions[pos]], error)
    prepared.table, prepared.count = table.take(keep), len(keep)


def held(action: Action | None, error: HubframeError) -> Outcome:
    """The outcome of a row held back because its state before the run could not be read."""
    text = " ".join(str(error).split())
    reason = clip(text, 157)
    message = (
        "Not sent: what these records were associated with before the run could not be read "
        f"({reason}), and a run that records it, to be undone, sends nothing it could not "
        "take back. Nothing was changed: run the retry file once HubSpot answers again (from "
        "Python, record_existing=False sends without it, and cannot be undone)."
    )
    code = error.code or ErrorCode.SERVER_ERROR
    return Outcome(Status.FAILED, action=action, error_code=code, error_message=message)


__all__ = ["held", "hold_back", "primaries_before"]
