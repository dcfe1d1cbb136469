"""Numbers held by a float narrower than float64 (float32, float16) in a DataFrame given as input.

Such a float keeps whole numbers exactly only below 2**24 (float32) or 2**11 (float16): a
record id made float32 (``df.astype("float32")``, a float32 Parquet column; inside a
categorical, sparse or Arrow dictionary column too) has already become another number --
101936297007 is 101936300032 -- before hubframe sees it.  A column hubframe reads (ids, type
ids, limits) whose whole numbers reach that bound is refused
(:func:`refuse_rounded`); any such column is shown with the float's own digits (0.1, not
0.10000000149011612; :func:`narrow_text`).  Excel and CSV readers never give these floats.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import InputError
from hubframe.io.rowname import row_name
from hubframe.io.text import TEXT, Text, chunked

#: The scalars of a narrow float an object column may hold, and their size in bytes.
_NARROW: dict[type, int] = {np.float16: 2, np.float32: 4, pa.HalfFloatScalar: 2, pa.FloatScalar: 4}


def held_dtype(dtype: Any) -> Any:
    """The type a column's values are held in: a categorical's categories', a sparse column's
    subtype, an Arrow dictionary's value type (looked inside again); another type as it is."""
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories is not None:
        return held_dtype(dtype.categories.dtype)
    if isinstance(dtype, pd.SparseDtype):
        return held_dtype(dtype.subtype)
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_dictionary(dtype.pyarrow_dtype):
        return held_dtype(pd.ArrowDtype(dtype.pyarrow_dtype.value_type))
    return dtype


def unwrapped(series: pd.Series) -> pd.Series:
    """The column's cells as :func:`held_dtype` holds them: a categorical's categories taken
    by its codes (missing where a cell is), a sparse column dense, an Arrow dictionary
    decoded.  A float32 id made categorical is the float32 it was, not a category's text."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = unwrapped(pd.Series(dtype.categories))
        codes = series.cat.codes.to_numpy(dtype=np.intp)
        cells = categories.array.take(codes, allow_fill=True)
    elif isinstance(dtype, pd.SparseDtype):
        cells = series.to_numpy(dtype=dtype.subtype)
    elif isinstance(dtype, pd.ArrowDtype) and pa.types.is_dictionary(dtype.pyarrow_dtype):
        arrow = pa.chunked_array(series.array.__arrow_array__())
        cells = pd.arrays.ArrowExtensionArray(arrow.cast(dtype.pyarrow_dtype.value_type))
    else:
        return series
    return unwrapped(pd.Series(cells, index=series.index, name=series.name))


def narrow_dtype(dtype: Any) -> np.dtype[Any] | None:
    """The numpy float type of a column narrower than float64 (numpy, pandas' Float32, Arrow
    float; inside a categorical, sparse or Arrow dictionary column too), or None."""
    held = held_dtype(dtype)
    numpy_dtype = getattr(held, "numpy_dtype", held)  # pandas' masked and Arrow dtypes
    try:
        found = np.dtype(numpy_dtype)
    except TypeError:
        return None
    return found if found.kind == "f" and found.itemsize < 8 else None


def exact_limit(dtype: np.dtype[Any]) -> int:
    """The first whole number the float type may not hold exactly (2**24 for float32)."""
    return int(2 ** (np.finfo(dtype).nmant + 1))


def _narrow_cells(series: pd.Series) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """The column's narrow floats as float64 (NaN elsewhere) and each cell's float size in
    bytes (0 elsewhere); None when it holds none.  A wrapper column (categorical, sparse,
    Arrow dictionary) is read as the cells it holds (:func:`unwrapped`)."""
    dtype = narrow_dtype(series.dtype)
    if dtype is not None:
        numbers = unwrapped(series).to_numpy(dtype=np.float64, na_value=np.nan)
        return numbers, np.full(len(numbers), dtype.itemsize, dtype=np.int8)
    if not pd.api.types.is_object_dtype(held_dtype(series.dtype)):
        return None
    values = unwrapped(series).to_numpy(dtype=object)
    if not set(map(type, values)) & _NARROW.keys():  # one pass at C speed: the usual column
        return None
    sizes = np.array([_NARROW.get(type(v), 0) for v in values], dtype=np.int8)
    numbers = np.array([_number(v) if n else np.nan for v, n in zip(values, sizes, strict=True)])
    return numbers, sizes


def _number(value: Any) -> float:
    """A narrow float scalar (numpy's or Arrow's) as float64; NaN for Arrow's null."""
    held = value.as_py() if isinstance(value, pa.Scalar) else value
    return np.nan if held is None else float(held)


class _Rounded(NamedTuple):
    """The first whole number a column holds as a narrow float at or above the bound its type
    holds exactly: its position, value and float type, and how many such cells there are."""

    at: int
    value: int
    dtype: np.dtype[Any]
    many: int


def _first_rounded(series: pd.Series) -> _Rounded | None:
    """The column's first :class:`_Rounded` cell; None when it holds none."""
    found = _narrow_cells(series)
    if found is None:
        return None
    numbers, sizes = found
    limits = np.full(len(numbers), np.inf)
    for size in (2, 4):
        limits[sizes == size] = exact_limit(np.dtype(f"f{size}"))
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers))
    rounded = np.flatnonzero(whole & (np.abs(numbers) >= limits))
    if not len(rounded):
        return None
    at = int(rounded[0])
    return _Rounded(at, int(numbers[at]), np.dtype(f"f{sizes[at]}"), len(rounded))


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
    value.  A categorical, sparse or Arrow dictionary column of them too."""
    found = _first_rounded(series)
    if found is None:
        return
    name, limit = found.dtype.name, exact_limit(found.dtype)
    more = f" (and {found.many - 1:,} more rows)" if found.many > 1 else ""
    raise InputError(
        f"{where}: column {header!r} holds {name} numbers, which hold whole numbers "
        f"exactly only below {limit:,}; its {row} {row_name(found.at + first, index)} reads "
        f"{found.value}{more}, "
        f"which may have been rounded from another number when it was made {name}. Give "
        "this column as text or as whole numbers (int64), read from the source again"
    )


def refuse_rounded_values(values: Any, where: str) -> None:
    """Raise InputError when ids given in Python (``ids=``, ``scope=``: a list, an array, a
    Series, an Index, a Categorical...) hold a whole number as a narrow float at or above the
    bound it holds exactly (a float32 array, a categorical or sparse one, or float32 and
    float16 values in a list), naming its place and value: float32 2040000001 is 2040000000,
    another record."""
    if hasattr(values, "dtype") and getattr(values, "ndim", 1) == 1:
        series = pd.Series(values, copy=False).reset_index(drop=True)
    else:
        series = pd.Series(list(values), dtype=object)
    found = _first_rounded(series)
    if found is None:
        return
    name, limit = found.dtype.name, exact_limit(found.dtype)
    raise InputError(
        f"{where} holds {name} numbers, which hold whole numbers exactly only "
        f"below {limit:,}: its value {found.at + 1} reads {found.value}, which may have been "
        f"rounded from another id when it was made {name}. Give the ids as text "
        "or as whole numbers (int64), read from the source again."
    )


def narrow_text(series: pd.Series) -> Text | None:
    """The text of a narrow-float column, each number with its own type's digits (whole
    numbers below the exact bound as digits); None for another column."""
    dtype = narrow_dtype(series.dtype)
    if dtype is None:
        return None
    numbers = unwrapped(series).to_numpy(dtype=np.float64, na_value=np.nan)
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
    "held_dtype",
    "narrow_cell_text",
    "narrow_dtype",
    "narrow_text",
    "refuse_rounded",
    "refuse_rounded_values",
    "unwrapped",
]
