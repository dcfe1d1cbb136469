"""Numbers held by a float narrower than float64 (float32, float16) in a DataFrame given as input.

Such a float keeps whole numbers exactly only below 2**24 (float32) or 2**11 (float16): a
record id made float32 (``df.astype("float32")``, a float32 Parquet column) has already become
another number -- 101936297007 is 101936300032 -- before hubframe sees it.  A column hubframe
reads (ids, type ids, limits) whose whole numbers reach that bound is refused
(:func:`refuse_rounded`); any such column is shown with the float's own digits (0.1, not
0.10000000149011612; :func:`narrow_text`).  Excel and CSV readers never give these floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import InputError
from hubframe.io.rowname import row_name
from hubframe.io.text import TEXT, Text, chunked

_NARROW = (np.float16, np.float32)


def narrow_dtype(dtype: Any) -> np.dtype[Any] | None:
    """The numpy float type of a column narrower than float64 (numpy, pandas' Float32, Arrow
    float), or None."""
    numpy_dtype = getattr(dtype, "numpy_dtype", dtype)  # pandas' masked and Arrow dtypes
    try:
        found = np.dtype(numpy_dtype)
    except TypeError:
        return None
    return found if found.kind == "f" and found.itemsize < 8 else None


def exact_limit(dtype: np.dtype[Any]) -> int:
    """The first whole number the float type may not hold exactly (2**24 for float32)."""
    return int(2 ** (np.finfo(dtype).nmant + 1))


def _narrow_cells(series: pd.Series) -> tuple[np.ndarray[Any, Any], np.dtype[Any]] | None:
    """The column's narrow floats as float64 (NaN elsewhere) and their type; None when none."""
    dtype = narrow_dtype(series.dtype)
    if dtype is not None:
        return series.to_numpy(dtype=np.float64, na_value=np.nan), dtype
    if series.dtype != object:
        return None
    values = series.to_numpy()
    kinds = set(map(type, values))  # one pass at C speed; the usual column stops here
    narrow = [k for k in _NARROW if k in kinds]
    if not narrow:
        return None
    picked = np.fromiter((type(v) in _NARROW for v in values), dtype=bool, count=len(values))
    numbers = np.full(len(values), np.nan)
    numbers[picked] = values[picked].astype(np.float64)
    return numbers, np.dtype(narrow[-1])


def refuse_rounded(
    series: pd.Series,
    header: str,
    where: str,
    *,
    first: int = 2,
    row: str = "row",
    index: pd.Index | None = None,
) -> None:
    """Raise InputError when the column holds whole numbers as narrow floats at or above the
    bound they hold exactly (see the module docstring), naming the first such row (its
    position counted from ``first``: 2 for a sheet under its header row; ``row``: what the
    position is called; ``index``: a DataFrame read's, whose label is named too) and its
    value."""
    found = _narrow_cells(series)
    if found is None:
        return
    numbers, dtype = found
    limit = exact_limit(dtype)
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers))
    rounded = np.flatnonzero(whole & (np.abs(numbers) >= limit))
    if not len(rounded):
        return
    at = int(rounded[0])
    more = f" (and {len(rounded) - 1:,} more rows)" if len(rounded) > 1 else ""
    raise InputError(
        f"{where}: column {header!r} holds {dtype.name} numbers, which hold whole numbers "
        f"exactly only below {limit:,}; its {row} {row_name(at + first, index)} reads "
        f"{int(numbers[at])}{more}, "
        f"which may have been rounded from another number when it was made {dtype.name}. Give "
        "this column as text or as whole numbers (int64), read from the source again"
    )


def refuse_rounded_values(values: Any, where: str) -> None:
    """Raise InputError when ids given in Python (``ids=``, ``scope=``: a list, an array, a
    Series) hold a whole number as a narrow float at or above the bound it holds exactly (a
    float32 array, or float32 and float16 values in a list), naming its place and value:
    float32 2040000001 is 2040000000, another record."""
    dtype = narrow_dtype(getattr(values, "dtype", None))
    if dtype is not None:
        numbers = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan).tolist()
        found = [(at, number, dtype) for at, number in enumerate(numbers)]
    else:
        found = [
            (at, float(v), np.dtype(type(v)))
            for at, v in enumerate(values)
            if isinstance(v, _NARROW)
        ]
    for at, number, kind in found:
        limit = exact_limit(kind)
        if number.is_integer() and abs(number) >= limit:
            raise InputError(
                f"{where} holds {kind.name} numbers, which hold whole numbers exactly only "
                f"below {limit:,}: its value {at + 1} reads {int(number)}, which may have been "
                f"rounded from another id when it was made {kind.name}. Give the ids as text "
                "or as whole numbers (int64), read from the source again."
            )


def narrow_text(series: pd.Series) -> Text | None:
    """The text of a narrow-float column, each number with its own type's digits (whole
    numbers below the exact bound as digits); None for another column."""
    dtype = narrow_dtype(series.dtype)
    if dtype is None:
        return None
    numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers))
    whole &= np.abs(numbers) < exact_limit(dtype)
    ints = np.where(whole, numbers, 0).astype(np.int64)
    text = pc.cast(pa.array(ints, mask=~whole), TEXT)
    other = ~whole & ~np.isnan(numbers)
    if other.any():
        shown = pa.array([_digits(dtype.type(v)) for v in numbers[other].tolist()], type=TEXT)
        text = pc.replace_with_mask(text, pa.array(other), shown)
    return chunked(text.fill_null(""))


def narrow_cell_text(value: np.floating[Any]) -> str:
    """One narrow float's text (see :func:`narrow_text`)."""
    number = float(value)
    if number.is_integer() and abs(number) < exact_limit(value.dtype):
        return str(int(number))
    return _digits(value)


def _digits(value: np.floating[Any]) -> str:
    """The shortest text that reads back as this float (positional where Excel would be)."""
    if np.isfinite(value) and 1e-4 <= abs(float(value)) < 1e15:
        return np.format_float_positional(value, unique=True, trim="-")
    return str(value)


__all__ = [
    "exact_limit",
    "narrow_cell_text",
    "narrow_dtype",
    "narrow_text",
    "refuse_rounded",
    "refuse_rounded_values",
]
