"""Arrow text columns: the layout every reader and check works on, and its fast paths.

Cells are Arrow ``large_string`` chunked arrays, the layout behind pandas' ``str`` dtype, so
pandas Series convert without copies (:func:`as_text`, :func:`to_series`).  Facts derived from a
column (its distinct values, its canonical-id mask) are remembered per column object
(:func:`memo`); masks are computed on numpy views of the Arrow buffers (:class:`Layout`); a
function of the cells runs once per distinct value (:func:`map_text`).  Nothing loops over rows
in Python.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# pandas 3 has a dedicated string dtype ("str"); pandas 2.2 keeps text in object columns.
TEXT_DTYPE: Final[Any] = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
TEXT: Final[Any] = pa.large_string()  # the Arrow type of every text column here

PARALLEL_ROWS: Final = 200_000  # from this many rows, independent columns use threads
# What clean_text strips at the edges of a cell: spaces, tabs, line breaks, no-break and
# zero-width spaces, byte order marks.
SPACE = " \t\r\n\u00a0\ufeff\u200b"

ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
Text = Any  # pa.ChunkedArray of large_string (pyarrow ships no type hints)
R = TypeVar("R")
K = TypeVar("K")


# --- Arrow text columns <-> pandas --------------------------------------------------------------


def arrow_text_dtype() -> Any:
    """The Arrow-backed dtype pandas uses for text now, or None when it uses object columns."""
    dtype = pd.api.types.pandas_dtype(str)  # what text becomes: pd.Series(["a"]).dtype
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
    through ``render``.  A lone surrogate (``"\\ud83d"``, half of an emoji; a byte another
    program's text kept as an escape) is stored as U+FFFD (:func:`storable`): one such cell,
    even in a column hubframe does not read, stopped the read of the whole frame ("the file
    could not be read ... save it again").
    """
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return chunked(values)
    if isinstance(values, pd.Series):
        if _is_arrow_text(values.dtype):
            return chunked(values.array.__arrow_array__())  # the column's own Arrow data
        values = to_objects(values)
    objects = np.asarray(values, dtype=object)
    try:
        try:
            return chunked(pa.array(objects, type=TEXT, from_pandas=True))
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            return chunked(pa.array(_rendered(objects, render), type=TEXT, from_pandas=True))
    except UnicodeEncodeError:  # a lone surrogate: a frame of another program's bytes
        cells = _rendered(objects, render)
        texts = np.flatnonzero(type_mask(cells, str))
        cells[texts] = [storable(v) for v in cells[texts].tolist()]
        return chunked(pa.array(cells, type=TEXT, from_pandas=True))


#: :func:`to_series`'s ``dtype`` when the caller has not found it.
_ASK: Final[Any] = object()


def to_series(values: Any, index: pd.Index | None = None, dtype: Any = _ASK) -> pd.Series:
    """An Arrow text column as a pandas text Series (no copy when pandas uses Arrow text);
    ``dtype``: :func:`arrow_text_dtype`, found once by a caller making many columns (it builds
    a Series each time: a sheet of 16,384 columns spent a second on it)."""
    text = chunked(values)
    dtype = arrow_text_dtype() if dtype is _ASK else dtype
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
    """``n`` copies of one text (or nulls), built directly from buffers.  A lone surrogate is
    stored as U+FFFD (:func:`storable`): a CSV's sheet is its file name, and a name that is not
    UTF-8 (``Kontakte_M\xe4rz.csv`` from an old zip or share) is one Python holds with such
    escapes: reading it failed, blamed on the file's content."""
    if value is None:
        return chunked(pa.nulls(n, type=TEXT))
    encoded = storable(value).encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(encoded)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(encoded * n)]
    return chunked(pa.Array.from_buffers(TEXT, n, buffers))


def storable(value: str) -> str:
    """``value`` as Arrow text can hold it: a lone surrogate (a byte of a name that is not
    UTF-8, as :func:`os.fsdecode` escapes it) becomes U+FFFD, as the reports write it."""
    if value.isascii() or _SURROGATE.search(value) is None:
        return value
    return _SURROGATE.sub("\ufffd", value)


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


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
    text = value.strip(SPACE)
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


def per_cell(text: Text, func: Callable[[Layout], BoolArray]) -> BoolArray:
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
    return per_cell(text, lambda t: ~t.valid | (t.lengths == 0))


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


# UTF-8 bytes that can start / end one of the SPACE characters clean_text strips.
_SPACE_FIRST_BYTES: Final = _byte_table([c.encode()[0] for c in SPACE])
_SPACE_LAST_BYTES: Final = _byte_table([c.encode()[-1] for c in SPACE])


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
    if per_cell(text, _space_edges).any():
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
