"""The rows of an input frame, as a run sees them: cell values, names, validation outcomes.

A job's frame is the output of :func:`hubframe.read_pairs` / :func:`hubframe.read_limits` (or a
result table being undone).  These helpers read its cells as plain values, name a row the way
the analyst sees it ("row 12 of sheet Deals"), find rows of one target that ask for different
things, and turn validation issues into the outcomes of the rows that will not be sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from hubframe.constants import PORTAL_SHEET, REMOVALS_SHEET
from hubframe.errors import ConfigurationError, ErrorCode, InputError
from hubframe.run.work import Outcome
from hubframe.terminal import shown
from hubframe.vocab import Status


def arrow_column(column: pd.Series) -> pa.Array:
    """A frame column as one Arrow array (no copy for Arrow-backed text; missing -> null)."""
    found = pa.array(column.array) if hasattr(column.array, "__arrow_array__") else None
    if found is None:
        found = pa.array(column.astype(object).where(column.notna(), None).tolist())
    if isinstance(found, pa.ChunkedArray):
        found = found.combine_chunks()
    return found


def issues_argument(value: Any, kind: Literal["pairs", "limits"]) -> pd.DataFrame | None:
    """A job's ``issues=``: the table ``validate_pairs``/``validate_limits`` returned, or None
    (ConfigurationError for anything else, before the job reads or sends anything)."""
    if value is None:
        return value
    if isinstance(value, pd.DataFrame):
        missing = [c for c in ISSUES_NEEDED if c not in value.columns]
        if not missing:
            return value
        raise ConfigurationError(
            f"issues= takes the table validate_{kind} returned; this DataFrame lacks its "
            f"column(s) {', '.join(map(repr, missing))} (is it another table?)"
        )
    raise ConfigurationError(
        f"issues= takes the table validate_{kind} returned (a DataFrame) or None, "
        f"not {shown(value)}"
    )


#: The columns of an issues table a job or a report reads (the validators give them all).
ISSUES_NEEDED: Final = ("row", "code", "message", "severity")


def as_frame(source: Any, kind: Literal["pairs", "limits"]) -> pd.DataFrame:
    """A job's input as a frame of :func:`hubframe.read_pairs` / ``read_limits`` numbered from
    0: such a frame as it is, anything else read first (:func:`read_input` keeps its index)."""
    return read_input(source, kind)[0]


def read_input(
    source: Any, kind: Literal["pairs", "limits"]
) -> tuple[pd.DataFrame, pd.Index | None]:
    """:func:`as_frame`, and the index the frame read had (a DataFrame's own labels, see
    :func:`hubframe.io.frame.source_index`); None when it was the default ``0..n-1``."""
    from hubframe.io.frame import is_read_frame
    from hubframe.io.meta import refuse_odd_meta

    if isinstance(source, pd.DataFrame):
        refuse_odd_meta(source, f"the {kind}")
    if isinstance(source, pd.DataFrame) and is_read_frame(source, kind):
        from hubframe.io.conform import conformed

        frame = conformed(source, kind)
    else:
        from hubframe.io import read_limits, read_pairs

        frame = read_pairs(source) if kind == "pairs" else read_limits(source)
    return frame.reset_index(drop=True), own_index(frame.index)


def refuse_unread_part(frame: pd.DataFrame, would: str) -> None:
    """A workbook whose table goes on in a sheet the read left out ("Associations (2)" beside
    the "Associations" read: an export, a report or a retry file longer than an Excel sheet).
    Before, a remove (or an associate) took the rows of the sheet read for the whole job: it
    sent them, said success for every row and exit 0, and the later parts' rows were left,
    told only by a warning.  Stop before anything is read or sent, as a sync that may remove
    does, saying how to read every part (``would``: "remove would remove")."""
    from hubframe.io.notes import read_notes

    notes = read_notes(frame)
    found = notes.unread_part()
    if found is None:
        return
    part, first = found
    how = (
        "Unhide it and read every sheet"
        if part.hidden
        else "Read every sheet, or rename that sheet if it is not more of this one"
    )
    raise InputError(  # the reason says how to read every sheet, as the caller gives options
        f"{notes.source}: sheet '{part.name}' was not read ({part.reason}), and its name says "
        f"it goes on from sheet '{first}' (a table longer than an Excel sheet, as an export "
        f"writes one): {would} only the rows of the sheet read and leave the rest. {how}. "
        "Nothing was sent."
    )


def refuse_removals_sheet(frame: pd.DataFrame, doing: str) -> None:
    """An undo's or a remove's retry workbook (its sheet named "To remove") holds removals
    still to do: associating or syncing it would link its rows again (and a sync would remove
    what its records keep), the opposite.  InputError naming the sheet, before anything is
    read from HubSpot."""
    _refuse_report_removals(frame, doing)
    if "sheet" not in frame.columns:
        return
    sheets = [str(s) for s in frame["sheet"].astype("string").dropna().unique()]
    named = [s for s in sheets if s.casefold().startswith(REMOVALS_SHEET.casefold())]
    if named:
        raise InputError(
            f"the sheet {shown(named[0])} holds removals still to do (the retry file of an undo "
            f"or a remove): {doing} would link its rows again. hf.remove_associations (or "
            "hubframe remove) removes them; to link them after all, rename the sheet. Nothing "
            "was sent."
        )


#: The columns every hubframe result table has (as it is, or read back as a sheet, where they
#: are kept as the analyst's under "... (original)": :func:`hubframe.io.frame.original_name`;
#: any case, as a header retyped in Excel), the ones whose cells say a row is a removal, and
#: what those cells say.
_REPORT_COLUMNS: Final = ("status", "error_code", "error_message")
_REMOVAL_COLUMNS: Final = ("action", "change")
_REMOVED: Final = frozenset({"archive", "archive_labels", "remove"})
_KEPT = re.compile(r" \(original(?: [0-9]+)?\)$")


def _report_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame's columns by the name a result table gives them (case and the "(original)" a
    read adds left out); empty unless it has every column of :data:`_REPORT_COLUMNS`."""
    named: dict[str, Any] = {}
    for column in frame.columns:
        if isinstance(column, str):
            named.setdefault(_KEPT.sub("", column).strip().casefold(), column)
    return named if all(c in named for c in _REPORT_COLUMNS) else {}


def _refuse_report_removals(frame: pd.DataFrame, doing: str) -> None:
    """A run's report (or result table) read as a sheet, whose rows hold associations the run
    removed or would (a sync's ``(portal)`` rows, ``change`` "remove"; an undo's or a
    remove's rows, ``action`` "archive"): associating or syncing it links them again, the
    opposite of that run.  InputError naming the first such row, before anything is read
    from HubSpot.  A report of a run that only linked is read as any sheet, and so is a sheet
    of the analyst's own "Status" and "Action" columns (a result table has
    :data:`_REPORT_COLUMNS` all)."""
    named = _report_columns(frame)
    if not named:
        return
    removed = pd.Series(False, index=frame.index)
    for column in (named[c] for c in _REMOVAL_COLUMNS if c in named):
        cells = frame[column].astype("string").str.strip().str.casefold()
        removed |= cells.isin(_REMOVED).fillna(False).astype(bool)
    if not removed.any():
        return
    first = frame.loc[removed].iloc[0]
    line = value(first.get("row"))
    place = f"row {int(line)}" if line is not None else "a row"
    raise InputError(
        f"{place} of the sheet ({first.get('from_id')} -> {first.get('to_id')}) is a run's "
        "removal: the sheet is a hubframe report or result table (its status, error and "
        f"action columns say so), and {int(removed.sum()):,} of its rows are associations that run "
        f"removed; {doing} would "
        "link them again, the opposite of the run. To take the run back, undo it from this "
        "report (hf.undo, hubframe undo); to link those records after all, delete the "
        "report's status column. Nothing was sent."
    )


def own_index(index: pd.Index) -> pd.Index | None:
    """``index`` when it is a frame's own labels; None for the default ``0..n-1``."""
    default = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    return None if default else index


def value(v: Any) -> Any:
    """None for every kind of missing value."""
    if v is None:
        return None
    try:
        return None if pd.isna(v) else v
    except (TypeError, ValueError):
        return v


def text(v: Any) -> str | None:
    """Trimmed text, None when empty."""
    v = value(v)
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def whole(v: Any) -> int | None:
    """A whole number, None when empty; InputError for anything else (a fraction was cut to
    its whole part, and text stopped a job with a bare ValueError)."""
    v = value(v)
    if v is None:
        return None
    if isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and _WHOLE.fullmatch(v.strip()):
        try:
            return int(v.strip())
        except ValueError:  # more digits than Python makes an int of (4,300)
            raise InputError(f"{shown(v)} is not a whole number hubframe takes") from None
    raise InputError(f"{shown(v)} is not a whole number")


_WHOLE: Final = re.compile(r"[+-]?[0-9]+")


def columns(frame: pd.DataFrame, positions: list[int], names: tuple[str, ...]) -> list[list[Any]]:
    """Plain Python lists (None for missing) of some columns at some positions."""
    sub = frame.iloc[positions]
    sub.attrs = {}  # pandas deep-copies attrs into every column taken out
    out: list[list[Any]] = []
    for name in names:
        if name not in sub.columns:
            out.append([None] * len(positions))
            continue
        column = sub[name].astype(object)
        out.append(column.where(column.notna(), None).tolist())
    return out


def type_pairs(frame: pd.DataFrame) -> list[tuple[Any, Any]]:
    """The distinct (from type, to type) of the rows whose two type cells are filled, as
    written, in the order they first come (column-wise: a frame's ``drop_duplicates`` took
    ~2 ms on a one-row sheet, and every job asks)."""
    if "from_type" not in frame.columns or "to_type" not in frame.columns:
        return []
    f, f_names = pd.factorize(frame["from_type"])
    t, t_names = pd.factorize(frame["to_type"])
    width = max(1, len(t_names))
    codes = f.astype(np.int64) * width + t
    found = pd.unique(codes[(f >= 0) & (t >= 0)]).tolist()
    return [(f_names[code // width], t_names[code % width]) for code in found]


def describer(frame: pd.DataFrame) -> Callable[[int], str]:
    """position -> "row 12" (or "row 12 of sheet Deals" when the frame holds several sheets);
    the frame is looked at only when a row is named."""
    several: list[bool] = []

    def describe(position: int) -> str:
        if not several:  # a sync's removal rows ("(portal)") are no sheet of the analyst's
            sheets = frame["sheet"] if "sheet" in frame.columns else None
            named = None if sheets is None else sheets.astype("string")
            named = None if named is None else named[(named != PORTAL_SHEET) & (named != "")]
            several.append(named is not None and named.nunique() > 1)
        row = frame["row"].iloc[position] if "row" in frame.columns else position + 2
        # a sync's removal rows have none: the table's own row (counted from 1) names them
        name = f"row {row}" if not pd.isna(row) else f"row {position + 1} of the table"
        sheet = frame["sheet"].iloc[position] if several[0] else None
        if sheet is None or pd.isna(sheet) or str(sheet) in ("", PORTAL_SHEET):
            return name
        return f"{name} of sheet {sheet}"

    return describe


def differing(asks: Mapping[int, Hashable | None]) -> dict[int, int]:
    """Rows of one target that ask for different things: each row (position -> what it asks;
    None asks nothing) -> the first row asking something else, when two things are asked;
    {} when the rows agree."""
    said = {a for a in asks.values() if a is not None}
    if len(said) < 2:
        return {}
    return {
        pos: next(p for p, a in asks.items() if a is not None and a != ask)
        for pos, ask in asks.items()
    }


def issue_outcomes(frame: pd.DataFrame, issues: pd.DataFrame) -> dict[int, Outcome]:
    """``invalid`` for rows with an error issue, ``duplicate`` for DUPLICATE_ROW rows,
    ``skipped`` (nothing to do) for NO_TARGETS and BLANK_LIMIT rows."""
    if issues.empty:
        return {}
    positions = _issue_positions(frame, issues)
    grouped: dict[int, list[dict[Any, Any]]] = {}
    for pos, rec in zip(positions, issues.to_dict("records"), strict=True):
        if pos is not None:
            grouped.setdefault(pos, []).append(rec)
    out: dict[int, Outcome] = {}
    for pos, recs in grouped.items():
        outcome = _row_outcome(recs)
        if outcome is not None:
            out[pos] = outcome
    return out


def _row_outcome(recs: list[dict[Any, Any]]) -> Outcome | None:
    errors = [r for r in recs if str(r.get("severity")) == "error"]
    errors.sort(key=_error_rank)
    if errors:
        first, more = errors[0], len(recs) - 1
        note = f" (and {more} more problem{'s' if more > 1 else ''} in this row)" if more else ""
        return Outcome(
            Status.INVALID,
            error_code=ErrorCode(str(first["code"])),
            error_message=f"{str(first['message']).rstrip('.')}{note}.",
        )
    duplicate = ErrorCode.DUPLICATE_ROW
    repeat = next((r for r in recs if str(r.get("code")) == duplicate), None)
    if repeat is not None:
        return Outcome(Status.DUPLICATE, error_code=duplicate, error_message=str(repeat["message"]))
    for code, message in _NOTHING_TO_DO.items():
        if any(str(r.get("code")) == code for r in recs):
            return Outcome(Status.SKIPPED, error_code=code, error_message=message)
    return None


def _error_rank(issue: Mapping[Any, Any]) -> int:
    """Which of a row's errors its outcome names: a table's totals row is that first (its
    counts are no ids: retry files leave it out); a limit above the object limit last (a row
    whose label does not exist is refused for that, not told to lower its limit)."""
    code = str(issue.get("code"))
    if code == ErrorCode.TOTALS_ROW:
        return 0
    return 2 if code == ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT else 1


#: Warnings that leave a row nothing to do: it is ``skipped``, never sent.
_NOTHING_TO_DO = {
    # a HubSpot export's record with an empty association cell
    ErrorCode.NO_TARGETS: "Nothing to do: the row names no associated records (its cell is empty).",
    # a limits row whose limit cell is empty: never a removal unless asked
    ErrorCode.BLANK_LIMIT: (
        "Nothing to do: the limit cell is empty, so the limit stays as it is (write 'remove' "
        "to remove it)."
    ),
}


#: The codes of warnings that leave a row nothing to do (never sent, never checked online).
NOTHING_TO_DO: Final = frozenset(_NOTHING_TO_DO)


def _issue_positions(frame: pd.DataFrame, issues: pd.DataFrame) -> list[int | None]:
    if "position" in issues.columns:
        return [None if value(p) is None else int(p) for p in issues["position"].tolist()]
    first: dict[tuple[str, int], int] = {}
    for pos, (sheet, row) in enumerate(zip(frame["sheet"], frame["row"], strict=True)):
        first.setdefault((str(sheet), int(row)), pos)
    return [
        first.get((str(s), int(r))) for s, r in zip(issues["sheet"], issues["row"], strict=True)
    ]


__all__ = [
    "as_frame",
    "columns",
    "describer",
    "issue_outcomes",
    "own_index",
    "read_input",
    "text",
    "type_pairs",
    "value",
    "whole",
]
