"""Label cells a workbook holds as something other than text.

A label, inverse label or internal name is text.  Excel turns some text typed into a cell into
another value: ``2-3`` becomes the date 3 February (shown ``3-Feb``), ``9:30`` a time, ``true``
a yes/no value, ``1.50`` the number 1.5.  The reader gives such a cell as text of its own
(``2026-02-03``, ``09:30:00``, ``1.5``), which Excel never shows: a label so named would be
created or looked for.  So the read stops at them, naming the row, the column, the value held
and the format it is shown with; except a number General shows as the digits read (``7``,
``1.5``: at most 11 digits, no exponent), one shown by Text, or a whole number whose format
shows its digits as they are (``0``, ``#,##0`` below 1,000, a colour: numfmt's
:func:`~hubframe.io.numfmt.shows_number_otherwise`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Final

import numpy as np

from hubframe.errors import InputError
from hubframe.io.cells import one_cell_text
from hubframe.io.numfmt import shows_number_otherwise
from hubframe.io.text import IntArray, ObjArray

#: The columns of labels (pairs, limits and labels sheets).
LABEL_FIELDS: Final = ("label", "inverse_label", "name")
#: What General shows as it is: a number of at most 11 digits, no exponent.
_PLAIN: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_GENERAL_DIGITS: Final = 11
#: Formats that show a number as General does (``0`` only a whole one).
_AS_GENERAL: Final = frozenset({"general", "@"})


def what_is_shown(value: object, code: str | None) -> str | None:
    """Why a cell holding ``value`` with the number format ``code`` (None: General) is not
    read as a label: what it holds and how Excel shows it; None for a cell read as shown."""
    if value is None or isinstance(value, str):
        return None
    held = one_cell_text(value)
    shown = f", shown with the format '{code}'" if code else ""
    if isinstance(value, bool | np.bool_):
        return f"holds the yes/no value {held} (Excel made one of what was typed)"
    if isinstance(value, datetime | date):
        return f"holds the date {held}{shown}"
    if isinstance(value, time | timedelta):
        return f"holds the time {held}{shown}"
    if not isinstance(value, int | float | np.number) or held == "":
        return None
    if code is not None and code.strip().lower() not in _AS_GENERAL:
        if not shows_number_otherwise(code, float(value)):  # 7 under 0, #,##0, [Blue]0 ...
            return None
        return f"holds the number {held}{shown}"
    plain = _PLAIN.fullmatch(held)
    if plain is None or sum(c.isdigit() for c in held) > _GENERAL_DIGITS:
        return f"holds the number {held}, which Excel shows in another form (General)"
    return None


def refuse_label_cells(
    columns: Mapping[str, tuple[ObjArray, Mapping[int, str]]], rows: IntArray, where: str
) -> None:
    """InputError naming the first label column (header -> its cells and the number format
    of its cells by Excel row) with cells :func:`what_is_shown` refuses: its rows, and what
    the first holds and shows."""
    for header, (cells, formats) in columns.items():
        found = list(_refused(cells, rows, formats))
        if not found:
            continue
        listed = _listed([row for row, _ in found])
        row, why = found[0]
        raise InputError(
            f"{where}: column '{header}' has cells Excel holds as other than text ({listed}; "
            f"row {row} {why}): the label read would be another text than the one shown. A "
            "label is text: give the column the format Text (Format Cells > Text), type the "
            "labels again as they should read, save, and try again."
        )


def _refused(
    cells: ObjArray, rows: IntArray, formats: Mapping[int, str]
) -> Iterator[tuple[int, str]]:
    odd = np.fromiter((c is not None and not isinstance(c, str) for c in cells), bool, len(cells))
    said: dict[tuple[type, object, str | None], str | None] = {}  # a column repeats its labels
    for i in np.flatnonzero(odd):
        row, value = int(rows[i]), cells[i]
        code = formats.get(row)
        key = (type(value), value, code)
        if key not in said:
            said[key] = what_is_shown(value, code)
        if said[key] is not None:
            yield row, str(said[key])


def _listed(rows: Sequence[int]) -> str:
    shown = ", ".join(map(str, rows[:5])) + (" ..." if len(rows) > 5 else "")
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}"
