"""Reading a run back from its report (.xlsx Results sheet, or .csv) or its journal.

:func:`load_run` gives the result table :func:`hubframe.undo` works from: a result table as it
is, the Results sheet of an ``.xlsx`` report, a ``.csv`` report (its formula guard taken off),
or the association rows a journal recorded (with what the pairs held before the first run).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, Final

import pandas as pd

from hubframe import formula
from hubframe.constants import EXISTING_COLUMNS, PAIR_COLUMNS, STATUS_COLUMNS, SYNC_COLUMNS
from hubframe.errors import ErrorCode, InputError
from hubframe.run.journal import Journal, JournalRow
from hubframe.vocab import Status

RunArg = pd.DataFrame | str | os.PathLike[str] | Journal
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_TRUE: Final = frozenset({"true", "yes", "1", "y"})
_FALSE: Final = frozenset({"false", "no", "0", "n"})


# --- reading a run back -----------------------------------------------------------------------


def flag(cell: Any) -> bool | None:
    """True / False / None (not known) from a cell: a bool, or text such as 'True' or 'no'."""
    if cell is None or cell is pd.NA:
        return None
    if isinstance(cell, bool):
        return cell
    text = str(cell).strip().casefold()
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
        table.columns = pd.Index([formula.unguard(str(c)) for c in table.columns], dtype=object)
        table = table.apply(lambda column: column.map(formula.unguard, na_action="ignore"))
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
    known = {"sheet", "row", *PAIR_COLUMNS, *STATUS_COLUMNS, *EXISTING_COLUMNS, *SYNC_COLUMNS}
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
            "action": [str(r.action) for r in rows],
            "status": [str(Status.FAILED if r.maybe else Status.SUCCESS) for r in rows],
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
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
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


__all__ = ["RunArg", "flag", "load_run"]
