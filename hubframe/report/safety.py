"""Text as it may leave hubframe in a file: secrets redacted, formulas never run.

Every text a report or retry file holds -- cells, headers, sheet names, settings -- goes
through here: values registered with :mod:`hubframe.redaction` (the client's token) are
replaced by ``<redacted>``, lone surrogates by U+FFFD; CSV cells that a spreadsheet would run
as a formula get the reversible guard of :mod:`hubframe.formula`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe import formula, redaction

_SURROGATE: Final = re.compile("[\ud800-\udfff]")


# --- Safe cell values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetFormula:
    """A cell the sheet held as a formula without its value (``=B2``) or as an error
    (``#N/A``), as the reader read it: written back as an error value (:attr:`shown`), which
    a read refuses again (FORMULA_ERROR), as it refused the row.  Written as text, it read
    back as the label "=B2" and was sent so; written as a live formula, Excel would work it
    out against the rows of the file written (a retry file holds other rows: ``=E3`` named
    another row's label) and a save would send that.  A ``.xlsx`` file's error cell, a
    ``.csv`` file's error text.  Only cells a read took as a formula or error are made one;
    the row's sheet and row say where the formula is.  Its ``text`` is redacted
    (:func:`outgoing_text`) when made."""

    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", outgoing_text(self.text))

    def __str__(self) -> str:
        return self.shown

    @property
    def shown(self) -> str:
        """The error value written: the cell's own error (``#REF!``), ``#N/A`` for a formula."""
        text = self.text.strip()
        return "#N/A" if text.startswith("=") else text


def needs_escaping(value: object) -> bool:
    """True for text Excel would read as a formula (starts with = + - @ tab or CR)."""
    return isinstance(value, str) and formula.starts_like_formula(value)


def csv_safe(value: object) -> object:
    """The value to put in a CSV cell: text redacted and guarded (:func:`formula.guard`: a
    leading ``'`` on risky text, none on plain numbers), other values as they are."""
    if isinstance(value, str):
        return formula.guard(outgoing_text(value))
    return value


def outgoing_text(text: str) -> str:
    """Text as it may leave hubframe: secrets redacted, lone surrogates replaced."""
    text = redaction.redact(text)
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def _arrow_text(series: pd.Series) -> bool:
    """Arrow-backed text (it cannot hold a lone surrogate)."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)


def _literal(text: str) -> str:
    """``text`` as a pattern matching itself in Arrow's regular expressions (RE2): every
    character but a letter or digit written as its code point."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):X}}}" for c in text)


def _arrow_holds_secret(array: pa.Array | pa.ChunkedArray, secrets: tuple[str, ...]) -> bool:
    """True when Arrow text holds one of ``secrets`` in any case, or a word of
    :data:`redaction.TOKEN_SHAPE`: one pass of Arrow's regular expressions over the column."""
    secrets = tuple(s for s in secrets if not _SURROGATE.search(s))  # Arrow holds none
    pattern = "|".join([redaction.TOKEN_SHAPE_RE2, *map(_literal, secrets)])
    # Arrow's own search: pandas' str.contains parses the pattern with Python's re first,
    # which takes seconds once a process has registered many tokens (hundreds of spellings)
    found = pc.match_substring_regex(array, pattern, ignore_case=True)
    return bool(pc.any(found).as_py())


def _re2_class(chars: str) -> str:
    """A character class of Arrow's regular expressions (RE2) for ``chars`` written as a
    Python class body (its ``-`` are ranges)."""
    return "[" + "".join(c if c == "-" else f"\\x{{{ord(c):X}}}" for c in chars) + "]"


_GAPS_RE2: Final = _re2_class(redaction.GAP)
_ASCII_GAPS_RE2: Final = _re2_class("".join(c for c in redaction.GAP if c.isascii() and c != "-"))
_HYPHENS_RE2: Final = _re2_class("\u2010-\u2015\u2212\ufe58\ufe63")


def _arrow_squeezed(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Arrow text as :func:`redaction.squeeze` reads it (full-width forms by NFKC; what else
    NFKC changes only widens the search).  ASCII text loses its white space alone."""
    if bool(pc.all(pc.string_is_ascii(array)).as_py()):
        return pc.replace_substring_regex(array, _ASCII_GAPS_RE2, "")
    array = pc.replace_substring_regex(array, _GAPS_RE2, "")
    return pc.replace_substring_regex(pc.utf8_normalize(array, "NFKC"), _HYPHENS_RE2, "-")


def _arrow_holds_split(array: pa.Array | pa.ChunkedArray) -> bool:
    """True when Arrow text holds a registered secret, whole, in any case, or split by gaps
    (:func:`redaction.squeeze`), or a word of :data:`redaction.TOKEN_SHAPE`."""
    secrets = redaction.spellings()
    if _arrow_holds_secret(array, secrets):
        return True
    if not secrets:
        return False
    # a gap only lengthens a secret: ASCII text shorter than the shortest holds none (most
    # cells); other text may be shorter by its ligatures ("ﬃ" reads as "ffi")
    shortest = min(map(len, secrets))
    length, ascii = pc.utf8_length(array), pc.string_is_ascii(array)
    may = pc.if_else(
        ascii, pc.greater_equal(length, shortest), pc.greater_equal(length, shortest // 3)
    )
    long = pc.filter(array, may)
    return len(long) > 0 and _arrow_holds_secret(_arrow_squeezed(long), secrets)


def _arrow_holds_any(series: pd.Series) -> bool:
    """:func:`_arrow_holds_split` of an Arrow text column."""
    return _arrow_holds_split(series.array.__arrow_array__())


def _arrow_columns_hold(columns: list[pd.Series]) -> bool:
    """:func:`_arrow_holds_split` of many Arrow text columns in one search (each column's own
    search costs about 2 ms whatever its length: a wide sheet's report took seconds)."""
    chunks = [
        chunk.cast(pa.large_string())
        for column in columns
        for chunk in column.array.__arrow_array__().chunks
    ]
    return bool(chunks) and _arrow_holds_split(pa.chunked_array(chunks, type=pa.large_string()))


def outgoing_column(series: pd.Series) -> pd.Series:
    """A column with :func:`outgoing_text` applied to its text cells; a clean column is
    recognised with one search (Arrow text) or a few substring searches and returned as it
    is."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series
    if _arrow_text(series):
        hit = _arrow_holds_any(series)
        return series.map(outgoing_text, na_action="ignore") if hit else series
    texts = [v for v in series.tolist() if isinstance(v, str)]
    joined = "\x00".join(texts)
    odd = not joined.isascii() and _SURROGATE.search(joined) is not None
    if not (odd or redaction.contains_secret(joined)):
        return series
    return series.map(lambda v: outgoing_text(v) if isinstance(v, str) else v)


def outgoing_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it may be written: secrets out of every header and text cell."""
    columns = [outgoing_text(str(c)) for c in frame.columns]
    # without its attrs: pandas deep-copies them into every column taken out (and every
    # result of a column's methods), which made a wide sheet's report quadratic in columns
    bare = frame.copy(deep=False)
    bare.attrs = {}
    series = [bare.iloc[:, i] for i in range(len(bare.columns))]
    arrow = {i for i, column in enumerate(series) if _arrow_text(column)}
    clean = bool(arrow) and not _arrow_columns_hold([series[i] for i in arrow])
    data = {
        i: column if clean and i in arrow else outgoing_column(column)
        for i, column in enumerate(series)
    }
    out = pd.DataFrame(data, index=frame.index)
    out.columns = pd.Index(columns, dtype=object)
    return out


def _csv_cell(value: object) -> object:
    if isinstance(value, str):
        return formula.guard(value)
    if isinstance(value, float | np.floating) and value == -np.inf:
        return formula.guard("-inf")
    return value


#: A column up to this long is looked at cell by cell first: the vectorized passes cost about
#: 6 ms a column whatever its length (a one-row sheet of 16,000 columns: 100 s).
_FEW_CELLS: Final = 64


def _needs_guard(cell: object) -> bool:
    if isinstance(cell, str):
        return formula.guard(cell) != cell
    return isinstance(cell, float | np.floating) and cell == -np.inf


def csv_column(column: pd.Series) -> pd.Series:
    """``column`` with risky text guarded (:func:`formula.guard`, vectorized for text)."""
    if len(column) <= _FEW_CELLS and not any(map(_needs_guard, column.tolist())):
        return column
    if pd.api.types.is_float_dtype(column):
        negative_infinity = (column == -np.inf).fillna(False).to_numpy(dtype=bool)
        if negative_infinity.any():  # written "-inf", which Excel would run as a formula
            return column.astype(object).where(~negative_infinity, formula.guard("-inf"))
        return column
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column
    if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        return column.astype(object).map(_csv_cell)
    text = column.astype("string")
    risky = text.str.match(formula.GUARDED_PATTERN).fillna(False) & ~text.str.fullmatch(
        formula.NUMBER.pattern
    ).fillna(False)
    risky |= text.str.match(formula.ERROR_PATTERN).fillna(False)  # an error's text: #N/A
    if not bool(risky.any()):
        return column
    return text.where(~risky, "'" + text)
