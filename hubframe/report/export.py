"""export_report: a result table as an Excel report or a CSV of the results."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pandas as pd

from hubframe import formula
from hubframe.constants import (
    ISSUE_COLUMNS,
)
from hubframe.errors import ConfigurationError, ErrorCode, InputError
from hubframe.io.cells import plain_cells
from hubframe.io.sources import as_path
from hubframe.report.columns import (
    changes_mask,
    check_result,
    errors_mask,
    is_sync,
    report_columns,
    row_key,
)
from hubframe.report.excel import (
    CHANGE_COLOURS,
    RESULTS,
    SEVERITY_COLOURS,
    STATUS_COLOURS,
    Table,
    write_tables,
)
from hubframe.report.outputs import (
    REPORT_SUFFIXES,
    check_output,
    check_written_over,
    refuse_own_sources,
)
from hubframe.report.safety import csv_column, outgoing_frame
from hubframe.report.summary import build_summary, summary_data
from hubframe.report.whole import written_whole
from hubframe.terminal import shown

PathLike = str | os.PathLike[str]

# --- Public: reports -----------------------------------------------------------------------------


#: The column a run-time problem of a row is about (for the Validation sheet).
_CODE_COLUMNS: Final = {
    ErrorCode.UNKNOWN_LABEL: "label",
    ErrorCode.AMBIGUOUS_LABEL: "label",
    ErrorCode.INVALID_ASSOCIATION_TYPE: "type_id",
    ErrorCode.BAD_LIMIT: "max_to_object_ids",
    ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT: "max_to_object_ids",
}


def _run_issues(result: pd.DataFrame) -> pd.DataFrame | None:
    """The validation issues a fresh result table carries (its RunFacts), else None."""
    meta = result.attrs.get("hubframe")
    facts = meta.get("run") if isinstance(meta, Mapping) else None  # run.pipeline.FACTS_KEY
    issues = getattr(facts, "issues", None)
    return issues if isinstance(issues, pd.DataFrame) else None


def _row_keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(sheet, row) of each row as text, alike whatever the frame holds them as (3, 3.0, "3");
    a row without a number (a sync's removal, read from the portal) keyed by an empty row.
    Before, a row without a number stopped the report with "cannot convert NA to integer"."""
    sheets = ["" if pd.isna(s) else str(s) for s in frame["sheet"].astype(object)]
    rows = ["" if pd.isna(r) else row_key(r) for r in frame["row"].astype(object)]
    return list(zip(sheets, rows, strict=True))


def _uncovered_invalid(result: pd.DataFrame, validation: pd.DataFrame | None) -> pd.DataFrame:
    """Rows that ended ``invalid`` without an error on the Validation sheet (found while the run
    prepared them: an unknown label, rows that conflict once labels resolve), as issues."""
    status = result["status"].astype("string").reset_index(drop=True)
    invalid = (status == "invalid").fillna(False).to_numpy(dtype=bool)
    if validation is not None and len(validation):
        errors = validation[validation["severity"].astype("string") == "error"]
        if "position" in errors.columns:
            positions = errors["position"].to_numpy(dtype="int64")
            invalid[positions[(positions >= 0) & (positions < len(invalid))]] = False
        else:
            covered = set(_row_keys(errors))
            invalid &= [key not in covered for key in _row_keys(result)]
    rows = []
    for pos in invalid.nonzero()[0].tolist():
        record = result.iloc[pos]
        code = str(record.get("error_code") or "")
        column = _CODE_COLUMNS.get(ErrorCode(code), "") if code in set(ErrorCode) else ""
        cell = record.get(column) if column else None
        rows.append(
            {
                "sheet": record.get("sheet"),
                "row": record.get("row"),
                "column": column,
                "value": "" if cell is None or pd.isna(cell) else str(cell),
                "code": code,
                "message": record.get("error_message"),
                "severity": "error",
            }
        )
    return pd.DataFrame(rows, columns=list(ISSUE_COLUMNS))


def issues_frame(
    validation: pd.DataFrame | None, result: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The Validation sheet: the issues of the sheet and, given the result, every row that
    ended ``invalid`` the issues do not name already (in row order)."""
    if validation is None and result is not None:
        validation = _run_issues(result)
    if validation is None:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
    else:
        columns = [c for c in ISSUE_COLUMNS if c in validation.columns]
        columns += [str(c) for c in validation.columns if c not in columns and c != "position"]
        frame = validation.loc[:, columns].reset_index(drop=True)
    if result is None or not {"status", "sheet", "row"} <= set(result.columns):
        return frame
    extra = _uncovered_invalid(result, validation)
    if extra.empty:
        return frame
    both = pd.concat([frame.astype(object), extra.astype(object)], ignore_index=True)
    sheets = {str(name): i for i, name in enumerate(dict.fromkeys(result["sheet"].astype(str)))}
    order = pd.DataFrame(
        {
            "sheet": both["sheet"].astype(str).map(sheets).fillna(len(sheets)),
            "row": pd.to_numeric(both["row"], errors="coerce"),
        }
    )
    ranked = order.sort_values(["sheet", "row"], kind="stable").index
    return both.loc[ranked].reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame = outgoing_frame(frame)
    safe = pd.DataFrame(
        {i: csv_column(frame.iloc[:, i]) for i in range(len(frame.columns))}, index=frame.index
    )
    safe.columns = pd.Index([formula.guard(str(c)) for c in frame.columns], dtype=object)
    with written_whole(path) as partial:  # a stop in the middle leaves no cut-off file
        # CRLF line ends (as Excel writes them) make the csv module quote cells holding a CR.
        safe.to_csv(partial, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def target_path(path: PathLike, result: pd.DataFrame, role: str) -> tuple[Path, str]:
    """``path`` and its suffix, checked: a report or retry file, never a file ``result`` was
    read from (InputError)."""
    target = as_path(path)
    suffix = target.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"{target.name}: a report or retry file must end in .xlsx or .csv")
    check_output(target, role)  # a folder, its folder a file, a name no disk takes, a bad link
    refuse_own_sources(target, role, result)
    check_written_over(target, role)  # a report over a report, a retry file over a retry file
    return target, suffix


def _check_extras(validation: object, settings: object) -> None:
    """``validation`` is an issues table and ``settings`` a mapping (or None), as documented."""
    if validation is not None and not isinstance(validation, pd.DataFrame):
        raise ConfigurationError(
            "validation= takes the table validate_pairs or validate_limits returned (a "
            f"DataFrame) or None, not {shown(validation)}"
        )
    if isinstance(validation, pd.DataFrame):
        missing = [c for c in ("row", "code", "message", "severity") if c not in validation]
        if missing:
            raise ConfigurationError(
                "validation= takes the table validate_pairs or validate_limits returned; this "
                f"DataFrame lacks its column(s) {', '.join(map(repr, missing))} (is it another "
                "table?)"
            )
    if settings is not None and not isinstance(settings, Mapping):
        raise ConfigurationError(
            f"settings= takes a mapping of names to values (a dict) or None, not {shown(settings)}"
        )


def export_report(
    result: pd.DataFrame,
    path: PathLike,
    *,
    validation: pd.DataFrame | None = None,
    settings: Mapping[str, object] | None = None,
) -> Path:
    """Write a result table as an Excel report (``.xlsx``) or the results alone (``.csv``).

    A sync's report also has a ``Changes`` sheet (its diff: the rows it adds and removes) and
    its counts per change on the Summary sheet.

    ``validation`` is the issues table of ``validate_pairs``/``validate_limits`` (shown on the
    Validation sheet); ``settings`` are the run's settings shown on the Summary sheet (keys
    such as ``api_version``, ``dry_run``, ``base_url``, ``started``, ``finished``; anything
    that looks like a secret is left out and a URL is shown as its host only).
    Returns the path written; InputError for a path ``result`` was read from (its sheet, the
    report it undid: :func:`~hubframe.report.outputs.refuse_own_sources`), left as it was.
    """
    check_result(result)
    _check_extras(validation, settings)
    target, suffix = target_path(path, result, "report")
    result = plain_cells(result.copy(deep=False))
    frame = result.loc[:, report_columns(result)].reset_index(drop=True)
    if suffix == ".csv":
        write_csv(frame, target)
        return target
    colours = {"status": STATUS_COLOURS, "change": CHANGE_COLOURS}
    tables = [
        Table(RESULTS, frame, colours),
        Table("Errors", frame.loc[errors_mask(frame)].reset_index(drop=True), colours),
        Table(
            "Validation",
            issues_frame(validation, result),
            {"severity": SEVERITY_COLOURS},
            max_width=80,
        ),
    ]
    if is_sync(frame):  # its diff, the rows that change the portal
        tables.insert(
            1, Table("Changes", frame.loc[changes_mask(frame)].reset_index(drop=True), colours)
        )
    data = summary_data(result, settings)
    write_tables(target, tables, lambda wb: build_summary(wb, data))
    return target
