"""Which rows and columns a report or retry file holds, and in which order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import pandas as pd

from hubframe.constants import (
    CURRENT_LIMIT_COLUMNS,
    EXISTING_COLUMNS,
    LIMIT_COLUMNS,
    PAIR_COLUMNS,
    PORTAL_SHEET,
    PRIMARY_BEFORE,
    RESERVED_COLUMNS,
    STATUS_COLUMNS,
    SYNC_COLUMNS,
)
from hubframe.errors import STOPPING_CODES, ErrorCode, InputError
from hubframe.io.cells import refuse_repeated_columns
from hubframe.io.meta import refuse_odd_meta
from hubframe.vocab import Status

#: Rows a retry file holds (with rows a stopped run left undone: skipped with a stopping code).
RETRY_STATUSES: Final = (Status.FAILED, Status.INVALID)
_FIRST_COLUMNS: Final = (
    "sheet",
    "row",
    *SYNC_COLUMNS,
    "status",
    "error_code",
    "error_message",
)
#: Columns hubframe makes in a result table (an analyst's column of such a name is kept as
#: "<name> (original)"): never taken for the analyst's when the attrs that list theirs are gone.
_RESULT_KNOWN: Final = frozenset(
    {"remove", *PAIR_COLUMNS, *LIMIT_COLUMNS, *RESERVED_COLUMNS, *SYNC_COLUMNS}
)


# --- Choosing rows and columns -------------------------------------------------------------------


def check_result(result: pd.DataFrame) -> None:
    if not isinstance(result, pd.DataFrame) or "status" not in result.columns:
        raise InputError("not a hubframe result table: it has no 'status' column")
    if isinstance(result.columns, pd.MultiIndex):
        raise InputError(
            "not a hubframe result table: its columns have several levels (a MultiIndex); "
            "pass the table the job returned, or flatten its columns first"
        )
    refuse_repeated_columns(result)
    refuse_odd_meta(result, "the result table")


def meta(frame: pd.DataFrame) -> dict[str, Any]:
    meta = frame.attrs.get("hubframe")
    return dict(meta) if isinstance(meta, Mapping) else {}


def original_columns(result: pd.DataFrame) -> list[str]:
    """The analyst's columns, in the order of the uploaded sheet."""
    listed = meta(result).get("original_columns")
    if listed:
        return [str(c) for c in listed]
    return [
        str(c) for c in result.columns if c not in _RESULT_KNOWN and not str(c).startswith("_raw_")
    ]


def _unique(columns: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(columns))


def result_width(frame: pd.DataFrame) -> int:
    """The columns a report of a run of ``frame`` may have at most: the read frame's (the
    sheet's and the columns read from them) and every column a run of its kind adds (a pairs
    sheet's runs: what existed before, a sync's change; a limits sheet's: the current limits),
    each once."""
    kind = meta(frame).get("kind")
    pairs = (*EXISTING_COLUMNS, PRIMARY_BEFORE, *SYNC_COLUMNS) if kind != "limits" else ()
    limits = CURRENT_LIMIT_COLUMNS if kind != "pairs" else ()
    added = (*STATUS_COLUMNS, *pairs, *limits)
    return len(_unique([*map(str, frame.columns), *added]))


#: The columns a retry file adds to the sheet's at most: a label given as an argument, written
#: as a column of its own (``Association label``).
RETRY_ADDED: Final = 1


def workbook_too_wide(frame: pd.DataFrame, *, retry: bool = False) -> str | None:
    """Why a workbook report (``retry``: retry file, the sheet's columns alone) of a run of
    ``frame`` could not be written (wider than an Excel sheet), said before anything is sent;
    None: it can."""
    from hubframe.report import excel

    own = len(original_columns(frame))
    width = own + RETRY_ADDED if retry else result_width(frame)
    if width <= excel.SHEET_COLUMNS:
        return None
    what = "a retry file" if retry else "with the result's columns a report"
    return (
        f"The sheet has {own:,} columns, and {what} would have {width:,}, past an Excel "
        f"sheet's {excel.SHEET_COLUMNS:,}."
    )


def report_columns(result: pd.DataFrame) -> list[str]:
    """Column order of the Results sheet: where, status, the analyst's columns, the rest."""
    present = [str(c) for c in result.columns]
    first = [c for c in _FIRST_COLUMNS if c in present]
    originals = [c for c in original_columns(result) if c in present]
    normalized = [c for c in (*PAIR_COLUMNS, *LIMIT_COLUMNS, "remove") if c in present]
    technical = [c for c in STATUS_COLUMNS if c in present]
    return _unique([*first, *originals, *normalized, *technical, *present])


def retry_rows(result: pd.DataFrame) -> pd.Series:
    """Rows still to do: failed, invalid, or skipped because the run stopped; not an Excel
    table's totals row (``invalid``, ``TOTALS_ROW``): written without its table around it,
    its counts would be read back as a pair and sent."""
    check_result(result)
    status = result["status"].astype("string")
    needed = status.isin(RETRY_STATUSES)
    if "error_code" in result.columns:
        code = result["error_code"].astype("string")
        needed |= (status == "skipped") & code.isin(list(STOPPING_CODES))
        needed &= ~(code == ErrorCode.TOTALS_ROW).fillna(False)
    return needed.fillna(False).astype(bool)


def from_sheet(result: pd.DataFrame) -> pd.Series:
    """Rows of the uploaded sheet (not a sync's removals, whose ``sheet`` is "(portal)" and
    ``row`` empty: a sheet of the upload may be named "(portal)" too)."""
    if "sheet" not in result.columns:
        return pd.Series(True, index=result.index)
    portal = (result["sheet"].astype("string") == PORTAL_SHEET).fillna(False)
    if "row" in result.columns:
        portal &= result["row"].isna()
    return ~portal.astype(bool)


def is_sync(result: pd.DataFrame) -> bool:
    """A sync's result: a ``change`` column beside the pairs' ids.  A labels run's result has
    a ``change`` too (create, rename, exists) and no ids: before, its report was laid out as
    a sync's, the Summary saying "add 0, remove 0, keep 0" of a run that created labels."""
    return "change" in result.columns and "from_id" in result.columns


def changes_mask(result: pd.DataFrame) -> pd.Series:
    """A sync's rows that change the portal, or would: ``add`` and ``remove``."""
    if not is_sync(result):
        return pd.Series(False, index=result.index)
    change = result["change"].astype("string")
    return change.isin(["add", "remove"]).fillna(False).astype(bool)


def errors_mask(result: pd.DataFrame) -> pd.Series:
    return result["status"].astype("string").isin(RETRY_STATUSES).fillna(False).astype(bool)


def row_key(value: object) -> str:
    """A row number as text, the same whether a frame holds it as 3, 3.0, "3" or "3.0" (a
    result the analyst concatenated or read back keeps its row column in another dtype)."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text
