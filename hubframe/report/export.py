"""export_report: a result table as an Excel report or a CSV of the results."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from hubframe import formula
from hubframe.constants import (
    ISSUE_COLUMNS,
)
from hubframe.errors import InputError
from hubframe.report.columns import check_result, errors_mask, report_columns
from hubframe.report.excel import SEVERITY_COLOURS, STATUS_COLOURS, Table, write_tables
from hubframe.report.outputs import REPORT_SUFFIXES
from hubframe.report.safety import csv_column, outgoing_frame
from hubframe.report.summary import build_summary, summary_data

PathLike = str | os.PathLike[str]

# --- Public: reports -----------------------------------------------------------------------------


def issues_frame(validation: pd.DataFrame | None) -> pd.DataFrame:
    if validation is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
    columns = [c for c in ISSUE_COLUMNS if c in validation.columns]
    columns += [str(c) for c in validation.columns if c not in columns and c != "position"]
    return validation.loc[:, columns].reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame = outgoing_frame(frame)
    safe = pd.DataFrame(
        {i: csv_column(frame.iloc[:, i]) for i in range(len(frame.columns))}, index=frame.index
    )
    safe.columns = pd.Index([formula.guard(str(c)) for c in frame.columns], dtype=object)
    path.parent.mkdir(parents=True, exist_ok=True)
    # CRLF line ends (as Excel writes them) make the csv module quote cells holding a CR too.
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def target_path(path: PathLike) -> tuple[Path, str]:
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"{target.name}: a report or retry file must end in .xlsx or .csv")
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give the report or retry file a file name")
    return target, suffix


def export_report(
    result: pd.DataFrame,
    path: PathLike,
    *,
    validation: pd.DataFrame | None = None,
    settings: Mapping[str, object] | None = None,
) -> Path:
    """Write a result table as an Excel report (``.xlsx``) or the results alone (``.csv``).

    ``validation`` is the issues table of ``validate_pairs``/``validate_limits`` (shown on the
    Validation sheet); ``settings`` are the run's settings shown on the Summary sheet (keys
    such as ``api_version``, ``dry_run``, ``base_url``, ``started``, ``finished``; anything
    that looks like a secret is left out and a URL is shown as its host only).
    Returns the path written.
    """
    check_result(result)
    target, suffix = target_path(path)
    frame = result.loc[:, report_columns(result)].reset_index(drop=True)
    if suffix == ".csv":
        write_csv(frame, target)
        return target
    colours = {"status": STATUS_COLOURS}
    tables = [
        Table("Results", frame, colours),
        Table("Errors", frame.loc[errors_mask(frame)].reset_index(drop=True), colours),
        Table("Validation", issues_frame(validation), {"severity": SEVERITY_COLOURS}, max_width=80),
    ]
    data = summary_data(result, settings)
    write_tables(target, tables, lambda wb: build_summary(wb, data))
    return target
