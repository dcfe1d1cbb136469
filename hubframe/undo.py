"""Taking associations back: :func:`undo` a run, :func:`remove_associations` on purpose.

:func:`undo` removes exactly what a run of :func:`hubframe.jobs.associate` created, and nothing
that was there before it.  It needs the run's record of the pairs' state before sending: the
``existed_before`` / ``linked_before`` columns of its result table (present when the run read
the portal: pre-flight, ``skip_existing``, ``record_existing``, a journal, or any CLI run), or
its journal.  For each row the run created:

* the two records were not associated before the run: the pair is removed with batch archive
  (every type the run put between them goes);
* they were associated before, with other types: only the row's label is removed with batch
  labels archive, which keeps the unlabeled link and the other labels.

Rows the run did not create (failed, invalid, skipped, or already there) are ``skipped`` with a
reason; undo never guesses.  A row whose outcome was unknown (failed, ``UNKNOWN_OUTCOME``: its
write may have been applied) is taken back like a created one: removing an association that is
not there changes nothing, so the portal ends as before the run either way.

:func:`remove_associations` removes the pairs of a sheet on purpose: a row with a label (or
type id) loses that label only, a row without one loses the whole association.  Both return a
result table of their own (action ``archive``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd

from hubframe.client import HubSpotClient
from hubframe.constants import EXISTING_COLUMNS, PAIR_COLUMNS, STATUS_COLUMNS
from hubframe.errors import ErrorCode, InputError
from hubframe.jobs import (
    JournalArg,
    _as_frame,
    _calm_gc,
    _execute,
    _fill_resolved,
    _Hooks,
    _pair_items,
    _Prep,
    _with_pair_actions,
    issue_outcomes,
)
from hubframe.journal import Journal, JournalRow
from hubframe.labels import LabelBook
from hubframe.models import (
    ARCHIVE,
    ARCHIVE_LABELS,
    ASSOCIATE,
    ASSOCIATION_ACTIONS,
    FAILED,
    SKIPPED,
    SUCCESS,
    Outcome,
    WorkItem,
)
from hubframe.results import result_frame

RunArg = pd.DataFrame | str | os.PathLike[str] | Journal
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_TRUE: Final = frozenset({"true", "yes", "1", "y"})
_FALSE: Final = frozenset({"false", "no", "0", "n"})


# --- reading a run back -----------------------------------------------------------------------


def _flag(value: Any) -> bool | None:
    """True / False / None (not known) from a cell: a bool, or text such as 'True' or 'no'."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    return True if text in _TRUE else False if text in _FALSE else None


def _report_frame(path: Path) -> pd.DataFrame:
    """The Results sheet of an .xlsx report, or a .csv report, as a result table."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            table = pd.read_excel(path, sheet_name="Results", dtype=str, engine="calamine")
        except ValueError as exc:
            raise InputError(f"{path.name}: no Results sheet; is it a hubframe report?") from exc
    else:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in ("from_type", "from_id", "to_type", "to_id", "status") if c not in table]
    if missing:
        raise InputError(
            f"{path.name}: not a hubframe associate report (no {', '.join(missing)} column)."
        )
    table = table.astype(object).where(table.notna(), None)
    if "row" in table:
        table["row"] = pd.to_numeric(table["row"], errors="coerce").astype("Int64")
    if "type_id" in table:
        table["type_id"] = pd.to_numeric(table["type_id"], errors="coerce").astype("Int64")
    known = {"sheet", "row", *PAIR_COLUMNS, *STATUS_COLUMNS, *EXISTING_COLUMNS}
    originals = [str(c) for c in table.columns if c not in known]
    table.attrs["hubframe"] = {"kind": "pairs", "source": path.name, "original_columns": originals}
    return table


def _journal_frame(journal: Journal) -> pd.DataFrame:
    """The association rows a journal's runs created, as a result table."""
    rows: list[JournalRow] = journal.created()
    frame = pd.DataFrame(
        {
            "sheet": [journal.path.name] * len(rows),
            "row": list(range(1, len(rows) + 1)),
            "from_type": [r.from_type for r in rows],
            "from_id": [r.from_id for r in rows],
            "to_type": [r.to_type for r in rows],
            "to_id": [r.to_id for r in rows],
            "label": [None] * len(rows),
            "category": [r.category for r in rows],
            "type_id": pd.array([r.type_id for r in rows], dtype="Int64"),
            "action": [r.action for r in rows],
            "status": [FAILED if r.maybe else SUCCESS for r in rows],
            "error_code": [ErrorCode.UNKNOWN_OUTCOME.value if r.maybe else None for r in rows],
            "existed_before": [_existed(r) for r in rows],
            "linked_before": [None if r.before is None else bool(r.before) for r in rows],
        }
    )
    frame.attrs["hubframe"] = {"kind": "pairs", "source": journal.path.name, "original_columns": []}
    return frame


def _existed(row: JournalRow) -> bool | None:
    if row.before is None:
        return None
    if row.type_id is None:  # the default association: there if the records were linked
        return bool(row.before)
    return row.type_id in row.before


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}).") from None


def load_run(run: RunArg) -> pd.DataFrame:
    """A run's result table from a DataFrame, a report (.xlsx / .csv) or a journal (SQLite)."""
    if isinstance(run, pd.DataFrame):
        if "status" not in run.columns:
            raise InputError("not a hubframe result table: it has no 'status' column")
        return run.reset_index(drop=True)
    if isinstance(run, Journal):
        return _journal_frame(run)
    path = Path(run)
    if _is_sqlite(path):
        try:
            with Journal(path) as journal:
                return _journal_frame(journal)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path.name}: not a hubframe journal ({exc}).") from None
    return _report_frame(path)


# --- undo -------------------------------------------------------------------------------------


def _cell(row: Mapping[Any, Any], name: str) -> Any:
    value = row.get(name)
    if value is None or value is pd.NA:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _skip(message: str) -> Outcome:
    return Outcome(SKIPPED, action=ARCHIVE, error_message=message)


def _undo_row(pos: int, row: Mapping[Any, Any]) -> WorkItem | Outcome:
    """The removal that takes one row of a run back, or why there is none."""
    status, action = _cell(row, "status"), _cell(row, "action")
    maybe = status == FAILED and _cell(row, "error_code") == ErrorCode.UNKNOWN_OUTCOME.value
    if not (status == SUCCESS or maybe) or action not in ASSOCIATION_ACTIONS:
        return _skip(f"Not undone: the run did not create this association (status {status}).")
    existed, linked = _flag(_cell(row, "existed_before")), _flag(_cell(row, "linked_before"))
    if existed is None or linked is None:
        return _skip(
            "Not undone: the run did not record whether this association existed before it "
            "(run associate with preflight=True, skip_existing=True, record_existing=True or a "
            "journal, or from the command line, to make it undoable)."
        )
    if existed:
        return _skip("Left in place: the association existed before the run.")
    type_id = _cell(row, "type_id")
    base = WorkItem(
        position=pos,
        action=ARCHIVE,
        from_type=str(row["from_type"]),
        to_type=str(row["to_type"]),
        from_id=str(row["from_id"]),
        to_id=str(row["to_id"]),
        label=_cell(row, "label"),
    )
    if not linked:
        return base  # the run linked the two records: take the whole link back
    if action != ASSOCIATE or type_id is None:
        return _skip("Left in place: the two records were associated before the run.")
    base.action, base.category, base.type_id = ARCHIVE_LABELS, _cell(row, "category"), int(type_id)
    return base


def _undo_prep(frame: pd.DataFrame) -> _Prep:
    prep = _Prep()
    items: list[WorkItem] = []
    for pos, row in enumerate(frame.to_dict("records")):
        found = _undo_row(pos, row)
        if isinstance(found, WorkItem):
            items.append(found)
        else:
            prep.settled[pos] = found
    prep.items, prep.count = items, len(items)
    return prep


def _as_archive(outcomes: Mapping[int, Outcome]) -> dict[int, Outcome]:
    """Result tables show both removal endpoints as the one action ``archive``."""
    return {
        pos: o.with_(action=ARCHIVE) if o.action in (ARCHIVE_LABELS, *ASSOCIATION_ACTIONS) else o
        for pos, o in outcomes.items()
    }


def _base(frame: pd.DataFrame) -> pd.DataFrame:
    """The run's rows without its outcome: inputs and the analyst's columns."""
    drop = [c for c in (*STATUS_COLUMNS, *EXISTING_COLUMNS) if c in frame.columns]
    base = frame.drop(columns=drop).reset_index(drop=True)
    base.attrs = dict(frame.attrs)
    return base


def undo(
    run: RunArg,
    client: HubSpotClient,
    *,
    dry_run: bool = False,
    journal: JournalArg = None,
    progress: bool = True,
    batch_size: int | None = None,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """Remove the associations a run created; returns a result table (one row per run row).

    ``run``: the result table of :func:`hubframe.jobs.associate`, a report it was written to
    (``.xlsx``: its Results sheet, or ``.csv``), or the run's journal.  See the module
    docstring for what is removed.  ``journal`` here records the undo's own batches (to resume
    an interrupted undo); ``dry_run`` plans the removals without sending them.
    """
    frame = load_run(run)
    with _calm_gc():
        prep = _undo_prep(frame)
        base = _base(frame)
        outcomes = _execute(
            prep,
            base,
            client,
            desc="undo",
            dry_run=dry_run,
            batch_size=batch_size,
            journal=journal,
            progress=progress,
            workers=workers,
            hooks=_Hooks(on_progress, cancel),
        )
        return result_frame(base, _as_archive(outcomes), kind="pairs")


# --- remove on purpose ----------------------------------------------------------------------


def _removals(items: Iterable[WorkItem]) -> Iterator[WorkItem]:
    """Association rows -> removals: a label's own archive, or the whole link."""
    for item in items:
        if item.action == ASSOCIATE:
            item.action = ARCHIVE_LABELS
        else:
            item.action, item.category, item.type_id = ARCHIVE, None, None
        yield item


def remove_associations(
    pairs: Any,
    client: HubSpotClient,
    *,
    dry_run: bool = False,
    batch_size: int | None = None,
    journal: JournalArg = None,
    progress: bool = True,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """Remove the associations a sheet lists; returns the result table (action ``archive``).

    ``pairs`` is read like :func:`hubframe.jobs.associate`'s (record ids, or unique property
    values looked up first).  A row with a label or type id removes that association type only
    (batch labels archive: the unlabeled link and other labels stay); a row without one removes
    every association between the two records (batch archive).  HubSpot ignores pairs that are
    not associated, so those rows succeed too.
    """
    from hubframe.lookup import resolve_ids
    from hubframe.validate import validate_pairs

    frame = _as_frame(pairs, "pairs")
    with _calm_gc():
        frame, looked_up = resolve_ids(frame, client)
        settled = _with_pair_actions(
            frame, issue_outcomes(frame, validate_pairs(frame)) | looked_up
        )
        prep = _pair_items(frame, settled, LabelBook(client))
        prep.items = _removals(prep.items)
        outcomes = settled | _execute(
            prep,
            frame,
            client,
            desc="remove",
            dry_run=dry_run,
            batch_size=batch_size,
            journal=journal,
            progress=progress,
            workers=workers,
            hooks=_Hooks(on_progress, cancel),
        )
        result = result_frame(frame, _as_archive(outcomes), kind="pairs")
        return _fill_resolved(result, prep.resolved)


__all__ = ["load_run", "remove_associations", "undo"]
