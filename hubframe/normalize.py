"""Vectorized cell normalization: record ids, object types, categories, labels, whole numbers.

Every function takes a Series of cell text (``""`` or NA for an empty cell) and returns a Series
on the same index.  Values that cannot be normalized are kept as their trimmed text so that
:mod:`hubframe.validate` can name them; empty cells become NA.  Work is done once per distinct
value (``pd.factorize`` + a small Python map) or with numpy on the whole column, never with a
Python loop over all rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe.constants import CATEGORIES, OBJECT_TYPES, OBJECT_TYPES_BY_ID

# pandas 3 has a dedicated string dtype ("str"); pandas 2.2 keeps text in object columns.
TEXT_DTYPE: Final[Any] = "str" if int(pd.__version__.split(".")[0]) >= 3 else object

MAX_ID_DIGITS: Final = 18  # HubSpot ids are 64-bit integers; 18 digits always fit.
PURGE_WORDS: Final = frozenset({"remove"})

ObjArray = npt.NDArray[np.object_]

_ID_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ID_WITH_ZERO_DECIMALS = re.compile(r"([0-9]+)[.,]0+", re.ASCII)
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+", re.ASCII)
_WHOLE = re.compile(r"[+-]?[0-9]+(?:[.,]0+)?", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+", re.ASCII)
_CUSTOM_TYPE_ID = re.compile(r"2-[0-9]+", re.ASCII)
_STANDARD_TYPE_ID = re.compile(r"0-[0-9]+", re.ASCII)
_QUALIFIED_NAME = re.compile(r"p[0-9]*_[a-z0-9_]+", re.ASCII)
_SPACE = " \t\r\n\u00a0\ufeff\u200b"


def text_series(values: ObjArray | list[Any], index: pd.Index | None = None) -> pd.Series:
    """A text Series (the installed pandas' string dtype) from Python strings and None."""
    series: pd.Series = pd.Series(values, index=index, dtype=TEXT_DTYPE)
    return series


def to_objects(s: pd.Series) -> ObjArray:
    """The cells of a Series as an object array, None for NA."""
    values: ObjArray = s.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return values


def type_mask(values: ObjArray, cls: type) -> npt.NDArray[np.bool_]:
    """True where a cell's type is exactly ``cls`` (one C-level pass)."""
    kinds: Any = np.frompyfunc(type, 1, 1)(values)
    return np.asarray(kinds == cls, dtype=bool)


def bool_array(values: Any) -> npt.NDArray[np.bool_]:
    """An object array of Python bools (e.g. from np.frompyfunc) as a bool array."""
    return np.asarray(values, dtype=bool)


def clean_text(value: object) -> str | None:
    """Trim one cell; None when nothing is left."""
    if not isinstance(value, str):
        return None
    text = value.strip(_SPACE)
    return text or None


def map_unique(s: pd.Series, func: Callable[[Any], object]) -> ObjArray:
    """Apply ``func`` once per distinct value of ``s``; NA cells get ``func(None)``."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, unique in enumerate(uniques):  # one call per distinct value, never per row
        mapped[i] = func(unique)
    mapped[-1] = func(None)
    return mapped[codes]  # code -1 (NA) picks the last slot


# --- record ids -------------------------------------------------------------------------------


def canonical_id_mask(values: ObjArray) -> npt.NDArray[np.bool_]:
    """True where a value already is a canonical id: 1-18 ASCII digits, no leading zero."""
    return id_digits(values)[0]


def id_digits(values: ObjArray) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """(canonical-id mask, the ids as int64 where canonical, else 0), on numpy byte grids.

    ``values`` hold text or None (None never passes).  Non-ASCII text takes a slower path.
    """
    n = len(values)
    ints = np.zeros(n, dtype=np.int64)
    if n == 0:
        return np.zeros(0, dtype=bool), ints
    try:
        raw = values.astype("S")
    except (UnicodeEncodeError, TypeError, ValueError):
        ok = bool_array(np.frompyfunc(_is_canonical_id, 1, 1)(values))
        if ok.any():
            ints[ok] = values[ok].astype(np.int64)
        return ok, ints
    width = raw.dtype.itemsize
    if width == 0:
        return np.zeros(n, dtype=bool), ints
    grid = raw.view(np.uint8).reshape(n, width)
    digit = (grid >= 48) & (grid <= 57)
    pad = grid == 0
    ok = (digit | pad).all(axis=1) & digit[:, 0] & (grid[:, 0] != 48)
    if width > 1:
        ok &= (pad[:, 1:] >= pad[:, :-1]).all(axis=1)
    if width > MAX_ID_DIGITS:
        ok &= pad[:, MAX_ID_DIGITS]
    for j in range(min(width, MAX_ID_DIGITS)):
        step = ints * 10 + (grid[:, j].astype(np.int64) - 48)
        ints = np.where(digit[:, j], step, ints)
    ints[~ok] = 0
    return bool_array(ok), ints


def _is_canonical_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_DIGITS
        and _ID_DIGITS.fullmatch(value) is not None
        and value[0] != "0"
    )


def clean_id(value: object) -> str | None:
    """One id cell -> digits, or the trimmed text when it is not an id (None when empty)."""
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).strip(_SPACE).lstrip("'").strip(_SPACE)
    if not text:
        return None
    match = _ID_WITH_ZERO_DECIMALS.fullmatch(text)
    digits = match.group(1) if match else text
    if _ID_DIGITS.fullmatch(digits):
        return digits.lstrip("0") or "0"
    return text


def normalize_ids(s: pd.Series) -> pd.Series:
    """Record id cells -> canonical digit strings; other text kept trimmed; empty -> NA."""
    values = to_objects(s)
    ok = canonical_id_mask(values)
    if ok.all():
        return text_series(values, s.index)
    out = values.copy()
    bad = ~ok
    out[bad] = map_unique(pd.Series(values[bad]), clean_id)
    return text_series(out, s.index)


def is_scientific(value: str) -> bool:
    """True for numbers Excel wrote in scientific notation, e.g. 1.01936E+11 or 1,01936E+11."""
    return _SCIENTIFIC.fullmatch(value.strip()) is not None


# --- object types, categories, labels ---------------------------------------------------------


def _type_spellings() -> dict[str, str]:
    out: dict[str, str] = {}
    for t in OBJECT_TYPES:
        for spelling in (t.name, t.singular):
            out[re.sub(r"[^0-9a-z]", "", spelling)] = t.name
    return out


_TYPE_SPELLINGS: Final = _type_spellings()


def canonical_object_type(value: object) -> str | None:
    """'Contact', 'CONTACTS', '0-1' -> 'contacts'; '2-1234' kept; unknown -> trimmed text."""
    text = clean_text(value)
    if text is None:
        return None
    if _STANDARD_TYPE_ID.fullmatch(text):
        known = OBJECT_TYPES_BY_ID.get(text)
        return known.name if known else text
    if _CUSTOM_TYPE_ID.fullmatch(text):
        return text
    lowered = text.casefold()
    if _QUALIFIED_NAME.fullmatch(lowered):
        return lowered
    return _TYPE_SPELLINGS.get(re.sub(r"[^0-9a-z]", "", lowered), text)


def is_valid_object_type(value: str) -> bool:
    """True for a canonical standard name, a custom type id '2-n' or a 'p_name' name."""
    return (
        value in _TYPE_SPELLINGS.values()
        or _CUSTOM_TYPE_ID.fullmatch(value) is not None
        or _QUALIFIED_NAME.fullmatch(value) is not None
    )


def normalize_object_types(s: pd.Series) -> pd.Series:
    return text_series(map_unique(s, canonical_object_type), s.index)


_CATEGORY_KEYS: Final = {re.sub(r"[^A-Z]", "", c): c for c in CATEGORIES}


def canonical_category(value: object) -> str | None:
    """'user defined', 'User-Defined' -> 'USER_DEFINED'; unknown -> trimmed text."""
    text = clean_text(value)
    if text is None:
        return None
    return _CATEGORY_KEYS.get(re.sub(r"[^A-Z]", "", text.upper()), text)


def normalize_categories(s: pd.Series) -> pd.Series:
    return text_series(map_unique(s, canonical_category), s.index)


def normalize_labels(s: pd.Series) -> pd.Series:
    """Labels are only trimmed here; they are checked against HubSpot's labels later."""
    return text_series(map_unique(s, clean_text), s.index)


# --- whole numbers (type ids, limits) ---------------------------------------------------------


def parse_whole(value: object) -> int | str | None:
    """'5', '5.0', '1,000' -> int; other text -> the trimmed text; empty -> None."""
    text = clean_text(value)
    if text is None:
        return None
    if _GROUPED.fullmatch(text):
        return int(text.replace(",", ""))
    if _WHOLE.fullmatch(text):
        return int(re.split(r"[.,]", text)[0])
    return text


def normalize_whole_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Cells -> (nullable Int64 values, raw text where the cell was not a whole number)."""
    parsed = map_unique(s, parse_whole)
    is_int = bool_array(np.frompyfunc(lambda v: isinstance(v, int), 1, 1)(parsed))
    numbers = parsed.copy()
    numbers[~is_int] = None
    raw = parsed.copy()
    raw[is_int] = None
    ints = pd.array(numbers, dtype="Int64")  # type: ignore[call-overload]
    return pd.Series(ints, index=s.index), text_series(raw, s.index)


def purge_mask(s: pd.Series) -> pd.Series:
    """True where a limit cell asks to remove the limit: empty or 'remove' (any case)."""
    flags = map_unique(s, lambda v: (clean_text(v) or "remove").casefold() in PURGE_WORDS)
    return pd.Series(flags.astype(bool), index=s.index)


# --- several ids in one cell ------------------------------------------------------------------


def split_ids(cell: object) -> list[str]:
    """'1;2; 3' -> ['1', '2', ' 3']; keeps one (possibly empty) part for an empty cell."""
    if not isinstance(cell, str):
        return [""]
    parts = [p for p in cell.split(";") if p.strip(_SPACE)]
    return parts or [""]


def explode_ids(frame: pd.DataFrame, columns: list[Hashable]) -> pd.DataFrame:
    """Rows whose id cells hold several ';'-separated ids become one row per id, in order."""
    for column in columns:
        s = frame[column]
        if s.dtype.kind in "iu":
            continue
        multi = s.str.contains(";", regex=False, na=False).to_numpy(dtype=bool)
        if not multi.any():
            continue
        cells = to_objects(s).copy()
        cells[multi] = map_unique(s[multi], split_ids)
        exploded = pd.Series(cells).explode()
        frame = frame.iloc[exploded.index.to_numpy()].reset_index(drop=True)
        frame[column] = text_series(exploded.to_numpy(dtype=object), frame.index)
    return frame
