"""Reading analyst sheets: sources, CSV and Excel, header detection, ``read_pairs``/``read_limits``.

A source (path, bytes, binary file, DataFrame) is turned into one or more raw sheets: the
header cells and the cells below as Arrow text columns, with the row number the analyst sees.
The header row is found even under a title block.  Headers are mapped by
:mod:`hubframe.io.columns`, cells are normalized by :mod:`hubframe.io.normalize`, and the
result keeps every original column.  Whole-file problems raise
:class:`~hubframe.errors.InputError` naming the file (and the sheet).

The modules, in the order a read goes through them:

* :mod:`~hubframe.io.sources`: paths, bytes, file objects and DataFrames; sniffing;
* :mod:`~hubframe.io.bounds` and :mod:`~hubframe.io.guard`: the read limits, and the checks of a
  workbook before an Excel engine opens it;
* :mod:`~hubframe.io.csv` and :mod:`~hubframe.io.excel`: the readers, giving raw sheets
  (:mod:`~hubframe.io.sheet`; cells to text: :mod:`~hubframe.io.cells`);
* :mod:`~hubframe.io.columns`: headers to hubframe's columns (the documented alias table:
  :mod:`~hubframe.io.aliases`);
* :mod:`~hubframe.io.rows` and :mod:`~hubframe.io.normalize`: blank rows, ``;`` splits, cells
  (on Arrow text columns: :mod:`~hubframe.io.text`);
* :mod:`~hubframe.io.exports`: HubSpot's own exports (the from type from the file name);
* :mod:`~hubframe.io.frame`: the normalized frame and the public readers;
  :mod:`~hubframe.io.notes`: what a read chose and inferred (``attrs["hubframe"]``);
  :mod:`~hubframe.io.syntax`: messages in the caller's syntax (Python or the command line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubframe.io.bounds import DEFAULT_LIMITS, ReadLimits, read_limits_in_force, set_read_limits
from hubframe.io.cells import cells_to_text
from hubframe.io.frame import read_limits, read_pairs, sheet_headers, sheet_list
from hubframe.io.notes import EmptyRowsLeftOut, HiddenIds, ReadNotes, SheetsLeftOut, read_notes
from hubframe.io.sources import SheetArg, Source
from hubframe.io.syntax import Syntax

if TYPE_CHECKING:
    from hubframe.io.excel import SheetInfo


def __getattr__(name: str) -> Any:
    """``SheetInfo`` from the Excel reader, loaded when first asked for (a DataFrame's read
    needs none of it)."""
    if name == "SheetInfo":
        from hubframe.io.excel import SheetInfo

        return SheetInfo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_LIMITS",
    "EmptyRowsLeftOut",
    "HiddenIds",
    "ReadLimits",
    "ReadNotes",
    "SheetArg",
    "SheetInfo",
    "SheetsLeftOut",
    "Source",
    "Syntax",
    "cells_to_text",
    "read_limits",
    "read_limits_in_force",
    "read_notes",
    "read_pairs",
    "set_read_limits",
    "sheet_headers",
    "sheet_list",
]
