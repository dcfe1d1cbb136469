"""write_pairs: a sheet of pairs (an export of the portal) as an analyst opens and edits it.

The same safe writers as the reports (:mod:`hubframe.report.excel`, :mod:`hubframe.report.export`):
text stays text (a label named ``=cmd`` is never run as a formula: inline strings in ``.xlsx``,
the reversible guard in ``.csv``), record ids are written as text so Excel cannot round them
(``from_id``, ``to_id`` and every column a read takes ids from by its name: ``Deal ID``,
``Associated Contact IDs``, in a frame of the analyst's own too), and
:func:`hubframe.read_pairs` reads the file back to the same pairs.  An export's ``.xlsx``
keeps the records it read in a sheet of their own, "Export scope", which a sync of the edited
workbook takes as its scope (:mod:`hubframe.io.scope`); a ``.csv`` cannot.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from hubframe.constants import LITERAL_LABEL_COLUMN
from hubframe.errors import InputError
from hubframe.io.cells import cells_to_text, plain_cells
from hubframe.io.columns import record_id_headers
from hubframe.io.frame import RAW_PREFIX
from hubframe.io.scope import SCOPE_SHEET, export_scope, scope_frame
from hubframe.io.sheet_errors import is_error_text
from hubframe.io.sources import as_path
from hubframe.report.excel import Table, write_tables
from hubframe.report.export import write_csv
from hubframe.report.outputs import check_output, check_written_over, refuse_own_sources
from hubframe.report.safety import SheetFormula

PathLike = str | os.PathLike[str]
SHEET_TITLE = "Associations"


def write_pairs(frame: pd.DataFrame, path: PathLike, *, title: str = SHEET_TITLE) -> Path:
    """Write a frame (e.g. :func:`hubframe.read_associations`'s, or :func:`hubframe.read_pairs`'s,
    edited or not) to ``.xlsx`` or ``.csv``; returns the path written.  InputError for a path
    the frame was read from (its workbook would lose its other sheets and the analyst's own
    headers): write the edited sheet to a new file."""
    target = as_path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError(f"{target.name}: an export must end in .xlsx or .csv")
    check_output(target, "export")  # its folder a file, a name no disk takes, a dangling link
    refuse_own_sources(target, "sheet", frame)
    check_written_over(target, "export")  # never over a journal
    out = _as_sheet(plain_cells(frame.copy(deep=False))).reset_index(drop=True)
    headers = [str(c) for c in out.columns]
    for i in sorted({headers.index(h) for h in record_id_headers(headers)}):
        out.isetitem(i, _id_text(out.iloc[:, i]).array)
    if suffix == ".csv":
        write_csv(out, target)
    else:
        scope = export_scope(frame.attrs.get("hubframe"))
        tables = [Table(title, out)]
        if scope is not None:  # the records read: a sync of the edited sheet takes them
            tables.append(Table(SCOPE_SHEET, scope_frame(scope)))
        write_tables(target, tables)
    return target


def _id_text(column: pd.Series) -> pd.Series:
    """A column of record ids as the reader's text of its cells (whole numbers as their
    digits, exactly): written as text cells, which Excel shows and keeps as typed."""
    if column.dtype != object and pd.api.types.is_string_dtype(column.dtype):
        return column
    text = pd.Series(cells_to_text(column.to_numpy(dtype=object)), index=column.index)
    return text.astype("string").mask(column.isna().to_numpy(dtype=bool))


def _as_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame of :func:`hubframe.read_pairs` as a sheet: its normalized columns and the
    analyst's columns that were not read into them.  The columns read into them (``Deal ID``
    beside ``from_id``) made a file that could not be read back, two columns holding the same
    field, and an edit made to the normalized column met the old cell there; the reader's
    private columns go too, a type id cell that did not parse keeping its text."""
    meta = frame.attrs.get("hubframe")
    kind = meta.get("kind") if isinstance(meta, Mapping) else None
    if kind == "limits":
        raise InputError(
            "write_pairs writes pairs; this is a limits sheet read by read_limits (keep the "
            "limits sheet itself, or write it with DataFrame.to_excel)"
        )
    if kind != "pairs" or not isinstance(meta, Mapping):
        return frame
    column_map = meta.get("column_map") or {}
    # a column named as the one it was read into ("from_id": an export read back) is that one
    read_into = {str(h) for h, field in column_map.items() if str(h) != str(field)}
    dropped = [c for c in frame.columns if str(c) in read_into or str(c).startswith(RAW_PREFIX)]
    out = frame.drop(columns=dropped)
    raw = frame.get(RAW_PREFIX + "type_id")
    if raw is not None:
        out["type_id"] = out["type_id"].astype(object).where(out["type_id"].notna(), raw)
    return _as_error_labels(out, frame.get(LITERAL_LABEL_COLUMN))


def _as_error_labels(out: pd.DataFrame, literal: pd.Series | None) -> pd.DataFrame:
    """``out`` (a read frame as a sheet) with each label cell the read took as a formula
    without its value or an error (text like one, ``=B2`` or ``#N/A``, that the reader's
    ``literal`` mark does not say it held as text) made a
    :class:`~hubframe.report.safety.SheetFormula`: written as text, the file read back sent
    the label "=B2" that the frame refuses (validation's FORMULA_ERROR, as here)."""
    if "label" not in out.columns:
        return out
    held = [False] * len(out) if literal is None else literal.astype("boolean").fillna(False)
    cells = out["label"].tolist()
    marks = [
        not bool(text) and isinstance(cell, str) and is_error_text(cell)
        for cell, text in zip(cells, list(held), strict=True)
    ]
    if any(marks):
        written = [SheetFormula(c) if m else c for c, m in zip(cells, marks, strict=True)]
        out["label"] = pd.Series(written, index=out.index, dtype=object)
    return out


__all__ = ["write_pairs"]
