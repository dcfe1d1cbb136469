"""Vectorized cell normalization: record ids, object types, categories, labels, whole numbers.

Cells are handled as Arrow text columns (``pa.ChunkedArray`` of ``large_string``, the layout
behind pandas' ``str`` dtype, so pandas Series convert without copies).  Ids are checked on
the raw UTF-8 bytes with numpy; types, categories and labels are mapped once per distinct value
(``pc.unique``) and applied with one vectorized take; nothing loops over rows in Python.

The ``normalize_*`` functions keep the Series interface: they take a Series of cell text
(``""`` or NA for an empty cell, object or Arrow-backed) and return a Series on the same index.
Values that cannot be normalized are kept as their trimmed text so that
:mod:`hubframe.validate` can name them; empty cells become NA.
"""

from __future__ import annotations

import os
import re
import unicodedata
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import CATEGORIES, OBJECT_TYPES, OBJECT_TYPES_BY_ID

# pandas 3 has a dedicated string dtype ("str"); pandas 2.2 keeps text in object columns.
TEXT_DTYPE: Final[Any] = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
TEXT: Final[Any] = pa.large_string()  # the Arrow type of every text column here

PARALLEL_ROWS: Final = 200_000  # from this many rows, independent columns use threads
MAX_ID_DIGITS: Final = 18  # HubSpot ids are 64-bit integers; 18 digits always fit.
# Excel keeps 15 significant digits of a number, and a float is exact only up to 2**53: a whole
# number that went through a float (an Excel number cell, "123.0" text) is trusted below 10**15.
FLOAT_DIGITS: Final = 15
PURGE_WORDS: Final = frozenset({"remove"})

ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
Text = Any  # pa.ChunkedArray of large_string (pyarrow ships no type hints)
R = TypeVar("R")
K = TypeVar("K")

# The only number forms accepted in text: ASCII digits, optionally with the ".0" tail a float
# column gets when pandas or a script writes it ("123.0").  Everything else that looks like a
# number (separators, other decimals, signs, other Unicode digits) is refused, never guessed.
_PLAIN_NUMBER = re.compile(r"([0-9]+)(\.0)?", re.ASCII)
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+", re.ASCII)
_GROUPED = re.compile("[0-9]{1,3}(?:[,.'\u2019 _\u00a0\u202f\u2009][0-9]{3})+")
_SIGNED = re.compile("[+\u2212-]\\s*[0-9.,]+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+", re.ASCII)
_CURRENCY = re.compile("[$\u20ac\u00a3\u00a5]\\s*[0-9.,]+|[0-9.,]+\\s*[$\u20ac\u00a3\u00a5%]")
_CUSTOM_TYPE_ID = re.compile(r"2-[0-9]+", re.ASCII)
_STANDARD_TYPE_ID = re.compile(r"0-[0-9]+", re.ASCII)
_QUALIFIED_NAME = re.compile(r"p[0-9]*_[a-z0-9_]+", re.ASCII)
_SPACE = " \t\r\n\u00a0\ufeff\u200b"


# --- Arrow text columns <-> pandas --------------------------------------------------------------


def arrow_text_dtype() -> Any:
    """The Arrow-backed dtype pandas uses for text now, or None when it uses object columns."""
    dtype = pd.Series(["a"]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage in ("pyarrow", "pyarrow_numpy"):
        return dtype
    return None


def _is_arrow_text(dtype: Any) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage in ("pyarrow", "pyarrow_numpy")
    if isinstance(dtype, pd.ArrowDtype):
        return bool(pa.types.is_string(dtype.pyarrow_dtype)) or bool(
            pa.types.is_large_string(dtype.pyarrow_dtype)
        )
    return False


def chunked(values: Any) -> Text:
    """An Arrow array or chunked array as a chunked ``large_string`` array."""
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values], type=values.type)
    if values.type != TEXT:
        values = values.cast(TEXT)
    return values


def to_objects(s: pd.Series) -> ObjArray:
    """The cells of a Series as an object array, None for NA."""
    values: ObjArray = s.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return values


def _rendered(values: ObjArray, render: Callable[[Any], str]) -> ObjArray:
    """Text cells kept, NA cells None, every other cell through ``render``."""
    out = values.copy()
    empty = np.asarray(pd.isna(values), dtype=bool)
    out[empty] = None
    other = np.flatnonzero(~empty & ~type_mask(values, str))
    if len(other):
        out[other] = [render(v) for v in values[other].tolist()]
    return out


def as_text(values: pd.Series | ObjArray | Any, render: Callable[[Any], str] = str) -> Text:
    """Cells as an Arrow text column: zero-copy for Arrow-backed text, else converted.

    NA cells become nulls; cells that are not text (numbers in a hand-built frame) go
    through ``render``.
    """
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return chunked(values)
    if isinstance(values, pd.Series):
        if _is_arrow_text(values.dtype):
            return chunked(values.array.__arrow_array__())  # the column's own Arrow data
        values = to_objects(values)
    objects = np.asarray(values, dtype=object)
    try:
        return chunked(pa.array(objects, type=TEXT, from_pandas=True))
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return chunked(pa.array(_rendered(objects, render), type=TEXT, from_pandas=True))


def to_series(values: Any, index: pd.Index | None = None) -> pd.Series:
    """An Arrow text column as a pandas text Series (no copy when pandas uses Arrow text)."""
    text = chunked(values)
    dtype = arrow_text_dtype()
    if dtype is None:
        objects = text.to_numpy(zero_copy_only=False) if len(text) else np.empty(0, object)
        return pd.Series(np.asarray(objects, dtype=object), index=index, dtype=object)
    array_type: Any = pd.arrays.ArrowStringArray
    try:  # wrap the very same Arrow object (facts remembered about it stay reachable)
        array = array_type(text, dtype=dtype)
    except TypeError:  # pandas 2.2 spells its Arrow string arrays differently
        array = pd.array(text, dtype=dtype)
    series: pd.Series = pd.Series(array, index=index, copy=False)
    return series


def text_series(values: ObjArray | list[Any], index: pd.Index | None = None) -> pd.Series:
    """A text Series (the installed pandas' string dtype) from Python strings and None."""
    return to_series(pa.array(np.asarray(values, dtype=object), type=TEXT, from_pandas=True), index)


def constant_text(value: str | None, n: int) -> Text:
    """``n`` copies of one text (or nulls), built directly from buffers."""
    if value is None:
        return chunked(pa.nulls(n, type=TEXT))
    encoded = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(encoded)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(encoded * n)]
    return chunked(pa.Array.from_buffers(TEXT, n, buffers))


def run_all(jobs: Mapping[K, Callable[[], R]], *, threads: bool) -> dict[K, R]:
    """Run independent column jobs, on a few threads when ``threads`` (large columns)."""
    workers = min(4, os.cpu_count() or 1)
    if not threads or workers < 2 or len(jobs) < 2:
        return {name: job() for name, job in jobs.items()}
    with ThreadPoolExecutor(workers, thread_name_prefix="hubframe") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def take_rows(text: Text, rows: IntArray) -> Text:
    """``text.take(rows)`` for ascending ``rows``, chunk by chunk (Arrow's own take of a
    chunked array joins all chunks into one copy first)."""
    text = chunked(text)
    bounds = np.cumsum([0, *(len(c) for c in text.chunks)])
    cuts = np.searchsorted(rows, bounds)
    parts = [
        chunk.take(pa.array(rows[cuts[i] : cuts[i + 1]] - bounds[i]))
        for i, chunk in enumerate(text.chunks)
        if cuts[i + 1] > cuts[i]
    ]
    return pa.chunked_array(parts, type=TEXT)


def type_mask(values: ObjArray, cls: type) -> BoolArray:
    """True where a cell's type is exactly ``cls`` (one C-level pass)."""
    kinds: Any = np.frompyfunc(type, 1, 1)(values)
    return np.asarray(kinds == cls, dtype=bool)


def bool_array(values: Any) -> BoolArray:
    """An Arrow boolean (chunked) array or an object array of bools as a numpy bool array."""
    if isinstance(values, pa.ChunkedArray | pa.Array):
        values = values.fill_null(False).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=bool)


def clean_text(value: object) -> str | None:
    """Trim one cell; None when nothing is left."""
    if not isinstance(value, str):
        return None
    text = value.strip(_SPACE)
    return text or None


# --- facts about Arrow columns ---------------------------------------------------------------

_FACTS: dict[int, tuple[weakref.ref[Any], dict[str, Any]]] = {}


def memo(text: Text, name: str, compute: Callable[[], R]) -> R:
    """``compute()`` once per Arrow column object.

    Arrow arrays are immutable, so a fact derived from one (its distinct values, its canonical
    id mask) stays true while the object lives: pandas keeps the object when a Series is put in
    a DataFrame, selected or re-indexed, so ``validate_pairs(read_pairs(...))`` reuses what the
    read found.  An edited column is a new object and gets fresh facts.
    """
    key = id(text)
    entry = _FACTS.get(key)
    if entry is None or entry[0]() is not text:
        entry = (weakref.ref(text, partial(_forget, key)), {})
        _FACTS[key] = entry
    facts = entry[1]
    if name not in facts:
        facts[name] = compute()
    value: R = facts[name]
    return value


def recall(text: Text, name: str) -> Any:
    """A fact already remembered about this column object, or None."""
    entry = _FACTS.get(id(text))
    return entry[1].get(name) if entry is not None and entry[0]() is text else None


def _forget(key: int, ref: weakref.ref[Any]) -> None:
    entry = _FACTS.get(key)
    if entry is not None and entry[0] is ref:
        _FACTS.pop(key, None)


def distinct(text: Text) -> list[str | None]:
    """The distinct cells of a column (null as None), computed once per column object."""
    return memo(text, "distinct", lambda: list(pc.unique(text).to_pylist()))


# --- the bytes of a text column ---------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """One chunk of a text column as numpy views of its Arrow buffers (no copies).

    Cell ``i`` is ``data[offsets[i]:offsets[i + 1]]``; ``lengths`` are the byte lengths.
    """

    offsets: IntArray
    lengths: IntArray
    data: npt.NDArray[np.uint8]
    valid: BoolArray

    def first_bytes(self) -> npt.NDArray[np.uint8]:
        """The first byte of every cell (meaningless for an empty cell)."""
        return self._bytes_at(self.offsets[:-1])

    def last_bytes(self) -> npt.NDArray[np.uint8]:
        """The last byte of every cell (meaningless for an empty cell)."""
        return self._bytes_at(self.offsets[1:] - 1)

    def _bytes_at(self, where: IntArray) -> npt.NDArray[np.uint8]:
        if len(self.data) == 0:
            return np.zeros(len(where), dtype=np.uint8)
        return np.take(self.data, where, mode="clip")

    def region(self) -> npt.NDArray[np.uint8]:
        """The bytes of this chunk's cells."""
        return self.data[self.offsets[0] : self.offsets[-1]]

    def cells_with(self, byte_mask: BoolArray) -> BoolArray:
        """True for cells with a byte flagged in ``byte_mask`` (one flag per region byte)."""
        flags = np.concatenate([byte_mask, np.zeros(1, dtype=bool)])  # so every start is valid
        found = np.logical_or.reduceat(flags, self.offsets[:-1] - self.offsets[0])
        return np.asarray(found & (self.lengths > 0), dtype=bool)


def layouts(text: Text) -> list[Layout]:
    """The chunks of a text column as numpy views (no copies)."""
    out = []
    for chunk in chunked(text).chunks:
        n = len(chunk)
        _, offsets_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=np.int64, count=n + 1, offset=chunk.offset * 8)
        data = np.zeros(0, np.uint8) if data_buf is None else np.frombuffer(data_buf, np.uint8)
        valid = np.ones(n, dtype=bool) if chunk.null_count == 0 else bool_array(chunk.is_valid())
        out.append(Layout(offsets, np.diff(offsets), data, valid))
    return out


def _per_cell(text: Text, func: Callable[[Layout], BoolArray]) -> BoolArray:
    parts = [func(layout) for layout in layouts(text)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def empty_mask(text: Text) -> BoolArray:
    """True for null or zero-length cells (answered from known facts when possible)."""
    n = len(text)
    if text.null_count == n:
        return np.ones(n, dtype=bool)
    values, canonical = recall(text, "distinct"), recall(text, "canonical")
    if (values is not None and None not in values and "" not in values) or (
        canonical is not None and canonical.all()
    ):
        return np.zeros(n, dtype=bool)
    return _per_cell(text, lambda t: ~t.valid | (t.lengths == 0))


def blank_mask(text: Text) -> BoolArray:
    """True for null, zero-length or whitespace-only cells (Python's ``str.isspace``)."""
    spaces = bool_array(pc.utf8_is_space(text)) if len(text) else np.zeros(0, dtype=bool)
    return empty_mask(text) | spaces


def null_where(text: Text, mask: BoolArray) -> Text:
    """The column with the cells under ``mask`` set to null (data buffers shared, not copied)."""
    chunks, start = [], 0
    for chunk in chunked(text).chunks:
        n = len(chunk)
        keep = ~mask[start : start + n]
        if chunk.null_count:
            keep &= bool_array(chunk.is_valid())
        bits = np.packbits(np.concatenate([np.zeros(chunk.offset, bool), keep]), bitorder="little")
        _, offsets, data = chunk.buffers()
        chunks.append(
            pa.Array.from_buffers(TEXT, n, [pa.py_buffer(bits), offsets, data], offset=chunk.offset)
        )
        start += n
    return pa.chunked_array(chunks, type=TEXT)


# --- one call per distinct value --------------------------------------------------------------


def map_text(text: Text, func: Callable[[str | None], str | None]) -> Text:
    """Apply ``func`` once per distinct cell (null included) and spread the results.

    Columns ``func`` leaves unchanged come back as they are; if it only empties some values,
    only the validity bitmap is rebuilt.
    """
    text = chunked(text)
    values = distinct(text)
    mapped = [func(v) for v in values]
    changed = [v for v, m in zip(values, mapped, strict=True) if v != m]
    if not changed:
        return text
    if changed == [""] and func("") is None:
        out = null_where(text, empty_mask(text))  # only "" -> null: no lookup needed
    elif all(func(v) is None for v in changed):
        out = null_where(text, bool_array(pc.is_in(text, value_set=pa.array(changed, TEXT))))
    else:
        index = pc.index_in(text, value_set=pa.array(values, type=TEXT))
        out = chunked(pa.array(mapped, type=TEXT).take(index))
    memo(out, "distinct", lambda: list(dict.fromkeys(mapped)))
    return out


def _byte_table(values: Sequence[int]) -> BoolArray:
    table = np.zeros(256, dtype=bool)
    table[list(values)] = True
    return table


# UTF-8 bytes that can start / end one of the _SPACE characters clean_text strips.
_SPACE_FIRST_BYTES: Final = _byte_table([c.encode()[0] for c in _SPACE])
_SPACE_LAST_BYTES: Final = _byte_table([c.encode()[-1] for c in _SPACE])


def _space_edges(layout: Layout) -> BoolArray:
    """True for cells whose first or last byte may belong to a space clean_text strips."""
    first = np.take(_SPACE_FIRST_BYTES, layout.first_bytes())
    return np.asarray(first | np.take(_SPACE_LAST_BYTES, layout.last_bytes()), dtype=bool)


def trimmed_text(text: Text) -> Text:
    """:func:`clean_text` on every cell (trimmed; null when empty).

    Cells are looked at one by one only when a cell's edge byte could be a space; otherwise
    only empty cells change, and only the validity bitmap is rebuilt.
    """
    text = chunked(text)
    if _per_cell(text, _space_edges).any():
        return map_text(text, clean_text)
    empty = empty_mask(text)
    return null_where(text, empty) if empty.any() else text


def map_unique(s: pd.Series, func: Callable[[Any], object]) -> ObjArray:
    """Apply ``func`` once per distinct value of ``s``; NA cells get ``func(None)``."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, unique in enumerate(uniques):  # one call per distinct value, never per row
        mapped[i] = func(unique)
    mapped[-1] = func(None)
    return mapped[codes]  # code -1 (NA) picks the last slot


def unique_flags(text: Text, predicate: Callable[[str], bool]) -> BoolArray:
    """True where a non-empty cell fails ``predicate`` (evaluated once per distinct value)."""
    failing = [v for v in distinct(text) if v and not predicate(v)]
    if not failing:
        return np.zeros(len(text), dtype=bool)
    return bool_array(pc.is_in(text, value_set=pa.array(failing, type=TEXT)))


# --- record ids -------------------------------------------------------------------------------


def _canonical_cells(layout: Layout) -> BoolArray:
    lengths = layout.lengths
    ok = layout.valid & (lengths >= 1) & (lengths <= MAX_ID_DIGITS)
    first = layout.first_bytes()
    ok &= (first >= 49) & (first <= 57)  # a digit, not a leading zero
    not_digit = np.subtract(layout.region(), 48, dtype=np.uint8) > 9
    if not_digit.any():
        ok &= ~layout.cells_with(not_digit)
    return ok


def canonical_ids(text: Text) -> BoolArray:
    """True where a cell already is a canonical id: 1-18 ASCII digits, no leading zero."""
    return memo(text, "canonical", lambda: _per_cell(text, _canonical_cells))


def id_values(text: Text) -> IntArray:
    """The canonical id cells as int64 (0 elsewhere), computed once per column object."""
    return memo(text, "ids", lambda: _id_values(text, canonical_ids(text)))


def _id_values(text: Text, canonical: BoolArray) -> IntArray:
    if len(canonical) and canonical.all():
        return np.asarray(pc.cast(text, pa.int64()).to_numpy(), dtype=np.int64)
    ints = np.zeros(len(canonical), dtype=np.int64)
    if canonical.any():
        picked = chunked(text).filter(pa.array(canonical))
        ints[canonical] = pc.cast(picked, pa.int64()).to_numpy()
    return ints


def id_digits(values: ObjArray) -> tuple[BoolArray, IntArray]:
    """(canonical-id mask, the ids as int64 where canonical, else 0).

    ``values`` hold text or None (None never passes); other cells are compared as ``str(v)``.
    """
    text = as_text(np.asarray(values, dtype=object))
    return canonical_ids(text), id_values(text)


def plain_number(text: str) -> str | None:
    """Trimmed cell text -> its digits without leading zeros when it is an accepted number form:
    ASCII digits, or digits with a ".0" tail (a float written as text) of at most
    :data:`FLOAT_DIGITS` significant digits.  Anything else -> None."""
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None:
        return None
    digits = match.group(1).lstrip("0") or "0"
    if match.group(2) is not None and len(digits) > FLOAT_DIGITS:
        return None  # a float this long may not hold the number that was typed
    return digits


def _trim_id(value: str) -> str:
    """Edges trimmed of any Unicode space or invisible mark (never changes a digit), then one
    leading apostrophe (Excel's text marker)."""
    text = value.strip().strip(_SPACE).strip()
    if text.startswith("'"):
        text = text[1:].strip().strip(_SPACE).strip()
    return text


def clean_id(value: object) -> str | None:
    """One id cell -> digits, or the trimmed text when it is not an id (None when empty)."""
    if not isinstance(value, str):
        return None
    text = _trim_id(value)
    if not text:
        return None
    return plain_number(text) or text


def id_text(text: Text) -> Text:
    """Id cells -> canonical digit strings; other text kept trimmed; empty -> null."""
    text = chunked(text)
    fix = ~canonical_ids(text)
    if not fix.any():
        return text
    positions = np.flatnonzero(fix)
    cells = text.take(positions)
    mask = pa.array(fix)
    replacements = map_text(cells, clean_id).combine_chunks()
    return chunked(pc.replace_with_mask(text.combine_chunks(), mask, replacements))


def normalize_ids(s: pd.Series) -> pd.Series:
    """Record id cells -> canonical digit strings; other text kept trimmed; empty -> NA."""
    return to_series(id_text(as_text(s)), s.index)


def is_scientific(value: str) -> bool:
    """True for numbers Excel wrote in scientific notation, e.g. 1.01936E+11 or 1,01936E+11."""
    return _SCIENTIFIC.fullmatch(value.strip()) is not None


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def _odd_character(text: str) -> str | None:
    """What is wrong with the first character that is not ASCII-printable, if any."""
    for ch in text:
        if ch.isascii() and ch.isprintable():
            continue
        if unicodedata.numeric(ch, None) is not None:
            return (
                f"holds the character '{ch}' ({_char_name(ch)}), which is not one of the digits "
                "0-9 even though it may look like one"
            )
        return f"holds an unusual or invisible character ({_char_name(ch)})"
    return None


def describe_number(value: str) -> str:
    """What a careful reader sees in a cell refused as a number: a phrase to follow "'x' ..."."""
    text = _trim_id(value)
    for describe in _DESCRIPTIONS:
        said = describe(text)
        if said is not None:
            return said
    return "is not a whole number written with the digits 0-9"


def _grouped(text: str) -> str | None:
    if not _GROUPED.fullmatch(text):
        return None
    joined = re.sub(r"[^0-9]", "", text)
    if re.search(r"[0-9][.,][0-9]", text):
        head = re.split(r"[^0-9]", text)[0]
        return (
            "has a separator that some languages read as thousands and others as a decimal "
            f"point (it could mean {joined} or {head})"
        )
    return f"has digit-group separators (did you mean {joined}?)"


def _float_tail(text: str) -> str | None:
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None or not match.group(2) or plain_number(text) is not None:
        return None
    return (
        f"has more than {FLOAT_DIGITS} digits written as a decimal number; Excel and "
        f"floating-point numbers keep only {FLOAT_DIGITS} digits, so the last ones may have "
        "changed"
    )


def _too_long(text: str) -> str | None:
    if not re.fullmatch(r"[0-9]+", text, re.ASCII):
        return None
    digits = text.lstrip("0")
    if not digits:
        return "is zero"
    return (
        f"has {len(digits)} digits (at most {MAX_ID_DIGITS} fit)"
        if len(digits) > MAX_ID_DIGITS
        else None
    )


def _matches(pattern: re.Pattern[str], said: str) -> Callable[[str], str | None]:
    return lambda text: said if pattern.fullmatch(text) else None


_DESCRIPTIONS: Final[tuple[Callable[[str], str | None], ...]] = (
    _grouped,
    _odd_character,
    _matches(_SCIENTIFIC, "is in scientific notation, so digits are lost"),
    _float_tail,
    _matches(re.compile(r"[0-9]*[.,][0-9]*", re.ASCII), "has a decimal part or point"),
    _matches(_SIGNED, "has a sign"),
    _matches(_HEX, "is a hexadecimal number"),
    _matches(_CURRENCY, "has a currency or percent sign"),
    _matches(
        re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9:.]+)?|[0-9:]+:[0-9.]+"),
        "is a date or time",
    ),
    _matches(re.compile(r"TRUE|FALSE", re.IGNORECASE), "is a TRUE/FALSE value"),
    _too_long,
)


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
    return to_series(map_text(as_text(s), canonical_object_type), s.index)


_CATEGORY_KEYS: Final = {re.sub(r"[^A-Z]", "", c): c for c in CATEGORIES}


def canonical_category(value: object) -> str | None:
    """'user defined', 'User-Defined' -> 'USER_DEFINED'; unknown -> trimmed text."""
    text = clean_text(value)
    if text is None:
        return None
    return _CATEGORY_KEYS.get(re.sub(r"[^A-Z]", "", text.upper()), text)


def normalize_categories(s: pd.Series) -> pd.Series:
    return to_series(map_text(as_text(s), canonical_category), s.index)


def normalize_labels(s: pd.Series) -> pd.Series:
    """Labels are only trimmed here; they are checked against HubSpot's labels later."""
    return to_series(trimmed_text(as_text(s)), s.index)


# --- whole numbers (type ids, limits) ---------------------------------------------------------


def parse_whole(value: object) -> int | str | None:
    """'5', ' 5 ', '5.0' -> int; any other text (including '1,000', '+5', '1e3') -> the trimmed
    text, to be reported; empty -> None."""
    text = clean_text(value)
    if text is None:
        return None
    digits = plain_number(text)
    if digits is None or len(digits) > MAX_ID_DIGITS:
        return text
    return int(digits)


def unique_codes(text: Text) -> tuple[list[Any], npt.NDArray[np.int32]]:
    """(distinct values, null included; each cell's index among them, len(values) if none)."""
    values = distinct(text)
    codes = pc.index_in(text, value_set=pa.array(values, type=TEXT)).fill_null(len(values))
    return values, np.asarray(codes.to_numpy(), dtype=np.int32)


def whole_numbers(text: Text) -> tuple[pd.arrays.IntegerArray, Text]:
    """Cells -> (nullable Int64 values, raw text where the cell was not a whole number)."""
    values, codes = unique_codes(chunked(text))
    parsed = [parse_whole(v) for v in values]
    is_int = np.array([*(isinstance(p, int) for p in parsed), False], dtype=bool)
    numbers = np.array([*(p if isinstance(p, int) else 0 for p in parsed), 0], dtype=np.int64)
    raw = pa.array([*(p if isinstance(p, str) else None for p in parsed), None], type=TEXT)
    ints = pd.arrays.IntegerArray(numbers[codes], ~is_int[codes])
    return ints, chunked(raw.take(pa.array(codes)))


def normalize_whole_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Cells -> (nullable Int64 values, raw text where the cell was not a whole number)."""
    ints, raw = whole_numbers(as_text(s))
    return pd.Series(ints, index=s.index), to_series(raw, s.index)


def purge_flags(text: Text) -> BoolArray:
    """True where a limit cell asks to remove the limit: empty or 'remove' (any case)."""
    values, codes = unique_codes(chunked(text))
    flags = [(clean_text(v) or "remove").casefold() in PURGE_WORDS for v in values]
    return np.array([*flags, True], dtype=bool)[codes]


def purge_mask(s: pd.Series) -> pd.Series:
    """True where a limit cell asks to remove the limit: empty or 'remove' (any case)."""
    return pd.Series(purge_flags(as_text(s)), index=s.index)


# --- several ids in one cell ------------------------------------------------------------------


def split_ids(cell: object) -> list[str]:
    """'1;2; 3' -> ['1', '2', ' 3']; keeps one (possibly empty) part for an empty cell."""
    if not isinstance(cell, str):
        return [""]
    parts = [p for p in cell.split(";") if p.strip(_SPACE)]
    return parts or [""]


def _has_semicolon(layout: Layout) -> BoolArray:
    semicolons = layout.region() == 59
    if not semicolons.any():
        return np.zeros(len(layout.valid), dtype=bool)
    return np.asarray(layout.valid & layout.cells_with(semicolons), dtype=bool)


def split_rows(text: Text) -> tuple[IntArray | None, Text]:
    """Cells of several ';'-separated ids -> (row of every part, the parts).

    Returns ``(None, text)`` when no cell holds a ';'; otherwise ``take`` (which input row each
    output row comes from, in order) and the new column.
    """
    text = chunked(text)
    if canonical_ids(text).all():
        return None, text
    multi = np.flatnonzero(_per_cell(text, _has_semicolon))
    if len(multi) == 0:
        return None, text
    parts = [split_ids(cell) for cell in text.take(multi).to_pylist()]
    counts = np.ones(len(text), dtype=np.int64)
    counts[multi] = [len(p) for p in parts]
    take = np.repeat(np.arange(len(text), dtype=np.int64), counts)
    slots = _part_slots(counts, multi)
    mask = np.zeros(len(take), dtype=bool)
    mask[slots] = True
    flat = pa.array([part for cell in parts for part in cell], type=TEXT)
    is_multi = np.zeros(len(text), dtype=bool)
    is_multi[multi] = True
    # the split cells are emptied before spreading (Arrow's take sizes its output by offsets,
    # even for null slots): a long cell copied once per id it holds would cost its length
    # times its number of ids (80 GB for a 400 KB cell of 200,000 ids)
    emptied = pc.if_else(pa.array(is_multi), pa.scalar("", type=TEXT), chunked(text))
    spread = take_rows(emptied, take).combine_chunks()
    return take, chunked(pc.replace_with_mask(spread, pa.array(mask), flat))


def _part_slots(counts: IntArray, multi: IntArray) -> IntArray:
    """Output positions of the parts of the split rows, in order."""
    starts = np.cumsum(counts) - counts
    sizes = counts[multi]
    within = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.asarray(np.repeat(starts[multi], sizes) + within, dtype=np.int64)


def explode_ids(frame: pd.DataFrame, columns: Sequence[Hashable]) -> pd.DataFrame:
    """Rows whose id cells hold several ';'-separated ids become one row per id, in order."""
    for column in columns:
        s = frame[column]
        if s.dtype.kind in "iu":
            continue
        take, parts = split_rows(as_text(s))
        if take is None:
            continue
        frame = frame.iloc[take].reset_index(drop=True)
        frame[column] = to_series(parts, frame.index)
    return frame
