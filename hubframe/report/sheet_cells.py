"""A report sheet's cells as text, column by column, the way pandas' Excel reader gives them.

:func:`sheet_text` turns the cells python-calamine read (a list of rows of Python values) into
the table the report reader works on: the first row the headers, every other cell the text
of its value -- a whole number as its digits (``1001.0`` -> ``"1001"``), another number,
a boolean or a date as ``str`` of the value pandas makes of it -- and NaN where the cell is
empty.  pandas' reader converts every cell in Python (about 15 microseconds each: a
1,000,000-row report of 23 columns took over a minute); here a column of one kind of value
(text, whole numbers, booleans: nearly every column of a report) is converted by Arrow at
once, and only a column mixing kinds, or holding other numbers or dates, cell by cell as
pandas does.  A sheet whose header row is not plain distinct text (pandas names empty and
repeated headers itself) gives None: the caller reads it with pandas.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

#: The kinds of cell a column of one kind is converted at once of.
_AT_ONCE: Final = frozenset({str, float, bool})
#: Whole numbers converted at once: ones a float holds exactly (beyond, cell by cell).
_EXACT: Final = 2.0**53


def sheet_text(
    rows: Sequence[Sequence[Any]], ids: Collection[str] = (), id_limit: float = 1e15
) -> pd.DataFrame | None:
    """The sheet's table (object columns of str, NaN where empty), or None when its headers
    are not plain distinct text or its rows not all as wide (see the module docstring).  In
    the ``ids`` columns a number from ``id_limit`` up is kept as its float's text
    ('2.04e+16'): Excel keeps 15 digits of a number cell, so its digits are not the id the
    run wrote."""
    if not rows:
        return None
    header = list(rows[0])
    if not all(isinstance(h, str) and h for h in header) or len(set(header)) != len(header):
        return None
    body = rows[1:]
    if any(len(row) != len(header) for row in body):  # calamine's rows are whole: never here
        return None
    columns = list(zip(*body, strict=True)) if body else [() for _ in header]
    data = {
        name: _column_text(cells, id_limit if name in ids else None)
        for name, cells in zip(header, columns, strict=True)
    }
    return pd.DataFrame(data, index=pd.RangeIndex(len(body)), columns=header, dtype=object)


def _column_text(cells: Sequence[Any], id_limit: float | None) -> npt.NDArray[np.object_]:
    """One column's cells as text (object array; NaN where empty)."""
    values = [None if cell == "" else cell for cell in cells]
    kinds = set(map(type, values)) - {type(None)}
    if len(kinds) > 1 or not kinds <= _AT_ONCE:  # mixed kinds (False beside 5.0): one by one
        return _each(values, id_limit)
    try:
        found = pa.array(values, from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return _each(values, id_limit)
    kind = found.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _with_nan(found.to_numpy(zero_copy_only=False), found)
    if pa.types.is_boolean(kind):
        return _with_nan(_words(found), found)
    if pa.types.is_floating(kind):
        numbers = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.float64)
        present = _present(found)
        bound = _EXACT if id_limit is None else min(_EXACT, id_limit)
        whole = np.abs(numbers, where=present, out=np.zeros_like(numbers)) < bound
        whole &= numbers == np.trunc(numbers, where=present, out=np.zeros_like(numbers))
        if bool((whole | ~present).all()):  # every number whole: its digits
            digits = np.where(present, numbers, 0).astype(np.int64).astype(str)
            return _with_nan(digits.astype(object), found)
    if pa.types.is_null(kind):
        return np.full(len(values), np.nan, dtype=object)
    return _each(values, id_limit)


def _words(found: pa.Array) -> npt.NDArray[np.object_]:
    """Booleans as ``str`` gives them."""
    flags = np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.where(flags, "True", "False").astype(object)


def _present(found: pa.Array) -> npt.NDArray[np.bool_]:
    return np.asarray(found.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _with_nan(values: npt.NDArray[Any], found: pa.Array) -> npt.NDArray[np.object_]:
    """``values`` as an object array with NaN where ``found`` is null."""
    out = np.asarray(values, dtype=object).copy()
    if found.null_count:
        out[~_present(found)] = np.nan
    return out


def _each(values: Sequence[Any], id_limit: float | None) -> npt.NDArray[np.object_]:
    """Cell by cell, as pandas' calamine reader converts a cell and ``str`` gives it."""
    out = np.empty(len(values), dtype=object)
    for n, value in enumerate(values):
        out[n] = np.nan if value is None else _text(_as_pandas(value), id_limit)
    return out


def _text(cell: Any, id_limit: float | None) -> str:
    number = isinstance(cell, int | float) and not isinstance(cell, bool)
    if number and id_limit is not None and abs(cell) >= id_limit:
        return repr(float(cell))
    return str(cell)


def _as_pandas(value: Any) -> Any:
    """A cell as pandas' calamine reader makes it (pandas.io.excel._calamine)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime | timedelta | time):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


__all__ = ["sheet_text"]
