"""write_pairs: a sheet of pairs (an export of the portal) as an analyst opens and edits it.

The same safe writers as the reports (:mod:`hubframe.report.excel`, :mod:`hubframe.report.export`):
text stays text (a label named ``=cmd`` is never run as a formula: inline strings in ``.xlsx``,
the reversible guard in ``.csv``), record ids are written as text so Excel cannot round them,
and :func:`hubframe.read_pairs` reads the file back to the same pairs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from hubframe.errors import InputError
from hubframe.report.excel import Table, write_tables
from hubframe.report.export import write_csv

PathLike = str | os.PathLike[str]
SHEET_TITLE = "Associations"


def write_pairs(frame: pd.DataFrame, path: PathLike, *, title: str = SHEET_TITLE) -> Path:
    """Write a frame (e.g. :func:`hubframe.read_associations`'s) to ``.xlsx`` or ``.csv``;
    returns the path written."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError(f"{target.name}: an export must end in .xlsx or .csv")
    out = frame.reset_index(drop=True)
    for column in ("from_id", "to_id"):
        if column in out.columns:
            out[column] = out[column].astype("string")
    if suffix == ".csv":
        write_csv(out, target)
    else:
        write_tables(target, [Table(title, out)])
    return target


__all__ = ["write_pairs"]
