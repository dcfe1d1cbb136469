"""Cell values to text: what the analyst sees in a cell, as the text every reader works on.

Excel engines give floats, ints, bools, dates and None; CSV readers give text.  Whole numbers
become their exact digits (never ``123.0``), numbers a float may not hold exactly keep their
float text so that they are refused later, and empty cells become ``""``.  Header cells are
cleaned as pandas names them (``Unnamed: 3``, ``Notes.1``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import MAX_ID_DIGITS
from hubframe.errors import InputError
from hubframe.io.aliases import header_key
from hubframe.io.narrow import exact_limit, narrow_cell_text
from hubframe.io.normalize import FLOAT_DIGITS, clean_id
from hubframe.io.rowname import row_name
from hubframe.io.text import (
    TEXT,
    BoolArray,
    ObjArray,
    Text,
    chunked,
    clean_text,
    storable,
    type_mask,
)
from hubframe.terminal import no_text, shown

# Whole floats below this are written as digits; above it, Excel (15 significant digits) and
# floats (exact to 2**53) may not hold the number that was typed, so they keep their float text
# ('1234567890123456.0', '1e+16') and are refused as ids and limits.
EXCEL_LIMIT: Final = 10**FLOAT_DIGITS


def one_cell_text(value: object) -> str:
    if type(value) is str:  # most cells: no type of the checks below (16,384 headers a sheet)
        return value
    if value is None or value is pd.NA or value is pd.NaT:  # NaT is a datetime too
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, np.float16 | np.float32):
        return narrow_cell_text(value)
    if isinstance(value, np.floating) and value.dtype.itemsize > 8:
        return wide_cell_text(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if number.is_integer() and abs(number) < EXCEL_LIMIT:
            return str(int(number))
        return repr(number)
    if isinstance(value, pd.Period):  # a span of time: shown as its first moment, a date
        return one_cell_text(value.to_timestamp())
    if isinstance(value, np.datetime64):
        return _numpy_moment(value)
    if isinstance(value, Decimal) and _whole_decimal(value):
        return str(int(value))  # exact: Decimal('7.00') holds 7
    if isinstance(value, datetime):  # pd.Timestamp too
        return _moment(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta | pd.Timedelta):
        return str(value)
    if isinstance(value, np.timedelta64) and np.isnat(value):
        return ""
    if isinstance(value, np.ndarray):  # str(np.array(7)) is "7": an id of an array, taken
        return shown(value)
    return _text_of(value)


def wide_cell_text(value: np.floating[Any]) -> str:
    """A float wider than float64 (``np.longdouble``: whole numbers exact below 2**64) in its
    own precision: a whole number as its digits (``int`` is exact), another number as the
    digits that read back as it.  Through float64, 999999999999999.01 was the id
    999999999999999 and 123456789012345678 was 1.2345678901234568e+17; now the first is
    refused as no whole number and the second kept."""
    if np.isnan(value):
        return ""
    limit = exact_limit(value.dtype)
    if np.isfinite(value) and value == np.trunc(value) and abs(value) < limit:
        return str(int(value))
    if np.isfinite(value) and np.float64(value) == value:  # a float64's (astype): its digits
        return one_cell_text(float(value))
    if np.isfinite(value) and 1e-4 <= abs(value) < limit:
        return np.format_float_positional(value, unique=True, trim="-")
    return np.format_float_scientific(value, unique=True, trim="-")


#: A cell written as a formula of one text (``="2040000001"``), read as the text it shows.
TEXT_FORMULA: Final = re.compile(r'="([^"]*)"')
#: A cell (its edges trimmed) written as a HubSpot record id, as an id column reads one: a whole
#: number of 5 to 18 digits (a float's ``.0`` tail too), in Excel's text marker or ``="..."``;
#: or in Excel's scientific notation (``2.04E+09``: an id whose digits Excel rounded, refused
#: when read).  ``io/blocks._ID_WRITTEN`` is the same pattern for Arrow
#: (held to it by a property), ``io/columns._ID_CELL`` a looser one (lists of ids too).
RECORD_ID: Final = re.compile(
    r"(?:'|=\")?\s*(?:\d{5,18}(?:\.0+)?|\d(?:[.,]\d+)?[eE]\+?\d{1,2})\s*\"?"
)


def looks_like_id(cell: object) -> bool:
    """Whether a cell looks like a record id (:data:`RECORD_ID`)."""
    return RECORD_ID.fullmatch(one_cell_text(cell).strip()) is not None


#: A record id's canonical digits: 1 to :data:`~hubframe.constants.MAX_ID_DIGITS`, no leading 0.
_CANONICAL_ID: Final = re.compile(rf"[1-9][0-9]{{0,{MAX_ID_DIGITS - 1}}}", re.ASCII)


def record_id(cell: object) -> str | None:
    """The record id one cell reads as, as an id column's cells are read (its canonical digits:
    a whole float's ``.0`` dropped, spaces and Excel's text marker around it, ``="..."``
    unwrapped); None for a cell that reads as none (empty, ``#N/A``, formula text, ``0``)."""
    text = one_cell_text(cell).strip()
    formula = TEXT_FORMULA.fullmatch(text)
    found = clean_id(formula.group(1) if formula else text)
    return found if found is not None and _CANONICAL_ID.fullmatch(found) else None


def _text_of(value: object) -> str:
    """``str(value)``; an int too long for Python to write (over 4,300 digits) or an object
    whose ``str`` fails gets a text that names it (refused as an id), not a failed read."""
    try:
        return str(value)
    except Exception:
        return no_text(value)


def _moment(value: datetime) -> str:
    """A date and time; at midnight, the date alone."""
    try:
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    except (ValueError, NotImplementedError):  # a pd.Timestamp past the years datetime holds
        return str(value)


def _numpy_moment(value: np.datetime64) -> str:
    """A numpy date as pandas shows it: a yearly ``np.datetime64('2021')`` is 2021-01-01, not
    the digits 2021 (read as an id, they were)."""
    if np.isnat(value):
        return ""
    if np.datetime_data(value.dtype)[0] in ("Y", "M", "W"):
        value = value.astype("datetime64[D]")
    try:
        return one_cell_text(pd.Timestamp(value))
    except (OverflowError, ValueError):  # beyond the years pandas holds
        return str(np.datetime_as_string(value))


def _whole_decimal(value: Decimal) -> bool:
    """A finite Decimal holding a whole number of at most 40 digits (``int`` of
    ``Decimal('1E+999999999')`` would build a number of a billion digits)."""
    return value.is_finite() and value.adjusted() < 40 and value == value.to_integral_value()


_PLAIN: Final = (str, bool, float, np.floating, np.integer, date, time, timedelta, type(None))
_INT64: Final = range(-(2**63), 2**63)
#: ``pd.api.types.infer_dtype`` of object columns that hold no other cell than plain ones.
_PLAIN_KINDS: Final = frozenset({"string", "empty", "floating", "boolean", "mixed-integer-float"})


def _plain(cell: object) -> bool:
    """A cell any of hubframe's checks and writers takes as it is: text, a number of int64 or
    a float, a date or time pandas holds, nothing."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell in _INT64
    if isinstance(cell, pd.Period | np.datetime64 | np.timedelta64):
        return False
    return isinstance(cell, _PLAIN) or cell is pd.NA


def plain_cells(frame: pd.DataFrame, columns: Collection[object] | None = None) -> pd.DataFrame:
    """``frame`` (the same object) with any other cell of its object columns (of ``columns``,
    default all) as its text (:func:`one_cell_text`): an int past int64, a Decimal, a dict, a
    period, an object without a text.  An edited result table holding one made the checks and
    the writers fail with Python's own errors (a hash of a signalling NaN, an int too long to
    print); as text it is refused or written like any other cell."""
    # Each column taken out would deep-copy the attrs, which list every column: quadratic.
    attrs, frame.attrs = frame.attrs, {}
    try:
        for i, column in enumerate(frame.columns):
            cells = frame.iloc[:, i]
            if cells.dtype != object or (columns is not None and column not in columns):
                continue
            if pd.api.types.infer_dtype(cells, skipna=True) in _PLAIN_KINDS:
                continue  # a column of text or of floats: no cell to look at one by one
            odd = ~cells.map(_plain).to_numpy(dtype=bool)
            if odd.any():
                shown = np.empty(len(cells), dtype=object)
                shown[:] = [one_cell_text(c) if o else c for c, o in zip(cells, odd, strict=True)]
                frame.isetitem(i, shown)
    finally:
        frame.attrs = attrs
    return frame


def cells_to_text(values: Sequence[object] | ObjArray) -> ObjArray:
    """Cells (str, float, int, bool, dates, None) -> text; whole floats exact, no '.0'."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    is_str = type_mask(arr, str)
    if is_str.all():
        return arr
    out = arr.copy()
    is_float = type_mask(arr, float)
    if is_float.any():
        where = np.flatnonzero(is_float)
        numbers = arr[where].astype(np.float64)
        whole = np.isfinite(numbers) & (numbers == np.trunc(numbers))
        whole &= np.abs(numbers) < EXCEL_LIMIT
        out[where[whole]] = list(map(str, numbers[whole].astype(np.int64).tolist()))
        out[where[~whole]] = [one_cell_text(v) for v in numbers[~whole].tolist()]
    other = np.flatnonzero(~is_str & ~is_float)
    if len(other):
        out[other] = [one_cell_text(v) for v in arr[other].tolist()]
    return out


def cells_to_arrow(values: ObjArray) -> Text:
    """Cells -> an Arrow text column with the text of :func:`cells_to_text` ("" when empty).

    One pass collects the cell types; columns of text, of numbers (floats, ints, empty cells)
    then convert with Arrow/numpy, mixed columns (bools, dates) cell by cell.  A lone
    surrogate (``"\\ud83d"``: half of an emoji, a byte another program kept as an escape) is
    stored as U+FFFD (:func:`~hubframe.io.text.storable`), as the reports write it: one such
    cell, in any column, stopped the read of the whole frame ("the file could not be read ...
    save it again"); as an id it is refused, naming the character.
    """
    try:
        return _cells_to_arrow(values)
    except UnicodeEncodeError:
        texts = np.array(cells_to_text(values), dtype=object, copy=True)
        strs = np.flatnonzero(type_mask(texts, str))
        texts[strs] = [storable(v) for v in texts[strs].tolist()]
        return chunked(pa.array(texts, type=TEXT))


def _cells_to_arrow(values: ObjArray) -> Text:
    kinds = set(map(type, values)) - {type(None)}
    try:
        if kinds <= {str}:
            return filled(chunked(pa.array(values, type=TEXT, from_pandas=True)))
        if kinds <= {int}:
            return filled(chunked(pc.cast(pa.array(values, type=pa.int64()), TEXT)))
        if kinds <= {float, int}:  # Arrow refuses ints a float cannot hold exactly
            arrow = pa.array(values, type=pa.float64(), from_pandas=True)
            numbers = arrow.to_numpy(zero_copy_only=False)
            # An int from 10**15 up is shown with its digits, a float there as a float: such
            # ints are told apart cell by cell below.
            if int not in kinds or not (np.abs(numbers) >= EXCEL_LIMIT).any():
                return _number_text(numbers)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    if kinds <= {float, str}:
        types: Any = np.frompyfunc(type, 1, 1)(values)
        empty = _kind(types, type(None)) | (
            _kind(types, str) & np.asarray(values == "", dtype=bool)
        )
        if (_kind(types, float) | empty).all():  # numbers with empty text cells (calamine)
            return _number_text(np.where(empty, np.nan, values).astype(np.float64))
    return chunked(pa.array(cells_to_text(values), type=TEXT))


def _kind(kinds: ObjArray, cls: type) -> BoolArray:
    """True where the cell type (from ``np.frompyfunc(type, 1, 1)``) is exactly ``cls``."""
    same: Any = np.equal(kinds, np.asarray(cls, dtype=object))
    return np.asarray(same, dtype=np.bool_)


def _number_text(numbers: npt.NDArray[np.float64]) -> Text:
    """Numbers (NaN when empty) -> text: whole numbers as exact digits, others as repr."""
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (np.abs(numbers) < EXCEL_LIMIT)
    ints = np.where(whole, numbers, 0).astype(np.int64)
    text = pc.cast(pa.array(ints, mask=~whole), TEXT)
    other = ~whole & ~np.isnan(numbers)  # fractions, infinities, numbers beyond 2**53
    if other.any():
        shown = pa.array([one_cell_text(v) for v in numbers[other].tolist()], type=TEXT)
        text = pc.replace_with_mask(text, pa.array(other), shown)
    return filled(chunked(text))


def filled(text: Text) -> Text:
    """Raw cell text: null cells become ""."""
    return text.fill_null("") if text.null_count else text


def written_headers(cells: Sequence[object], names: Sequence[str]) -> dict[str, str]:
    """Header name -> the header cell's text, for the names that differ from it."""
    texts = [one_cell_text(cell) for cell in cells]
    return {n: t for n, t in zip(names, texts, strict=True) if t != n}


def clean_headers(cells: Sequence[object]) -> list[str]:
    """Header text; empty -> 'Unnamed: i'; repeats -> 'Name.1' (as pandas does), but never a
    name another header of the row has as written, nor one alike but for case, spaces or
    punctuation (its :func:`~hubframe.io.aliases.header_key`, by which ``columns=`` names
    columns): ``Contact ID | Contact ID | contact id.1`` reads as ``Contact ID | Contact ID.2 |
    contact id.1``, so that a header as written always names its own column (pandas'
    'Contact ID.1.1' for the third of ``Contact ID | Contact ID | Contact ID.1`` took its name
    from it)."""
    texts = [_header_text(cell) for cell in cells]
    own = set(filter(None, texts))  # the names written: no repeat or empty header takes one
    keys = {header_key(t) for t in own}  # nor one alike but for case, spaces or punctuation
    out: list[str] = []
    used: set[str] = set()
    counts: dict[str, int] = {}
    for i, text in enumerate(texts):
        name = (
            text
            if text and text not in used
            else _made_name(text or f"Unnamed: {i}", (own, keys), used, counts)
        )
        used.add(name)
        out.append(name)
    return out


def _header_text(cell: object) -> str:
    """A header cell's name as the read gives it ("" for an empty cell)."""
    return (clean_text(one_cell_text(cell)) or "").replace("\n", " ")


def _made_name(
    text: str, own: tuple[set[str], set[str]], used: set[str], counts: dict[str, int]
) -> str:
    """The name for a repeat of ``text`` (``text`` itself for an empty header's 'Unnamed: i'
    while free): 'text.N' with the next N that no header written has, as written or by its key
    (``own``: the names and their keys), and no name made has."""
    if not _taken(text, own, used):
        return text
    n = counts.get(text, 0)
    while True:
        n += 1
        name = f"{text}.{n}"
        if not _taken(name, own, used):
            counts[text] = n
            return name


def _taken(name: str, own: tuple[set[str], set[str]], used: set[str]) -> bool:
    """Whether a made ``name`` is a header written or alike one but for case, spaces or
    punctuation (``own``: the names written and their keys), or a name given already."""
    names, keys = own
    return name in names or name in used or header_key(name) in keys


#: Cells that hold raw bytes or several values, never one text: ``b"Sponsor"`` from a database
#: driver, ``["Champion", "Gatekeeper"]`` from ``groupby().agg(list)``.
_ODD_KINDS: Final = (bytes, bytearray, memoryview, np.ndarray, Collection)
#: ``pd.api.types.infer_dtype`` of object columns that hold none of them.
_NOT_ODD_KINDS: Final = _PLAIN_KINDS | {
    "decimal",
    "datetime",
    "datetime64",
    "date",
    "time",
    "timedelta",
    "timedelta64",
    "period",
    "interval",
}
#: What a message calls each odd kind, and how the analyst makes such cells text.
_ODD_WORDS: Final[tuple[tuple[tuple[type, ...], str, str], ...]] = (
    ((bytes, bytearray, memoryview), "bytes", "decode the bytes (df[{h}].str.decode('utf-8'))"),
    ((dict,), "a dict", "take the value meant out of each dict"),
    ((object,), "a {t}", "put one value in each row (df.explode({h})) or join the values"),
)
#: How a message names what a column the read takes holds.
_FIELD_NOUNS: Final = {
    "label": "a label",
    "inverse_label": "an inverse label",
    "name": "an internal name",
    "from_type": "an object type",
    "to_type": "an object type",
    "category": "a category",
}
_SHOWN_CHARS: Final = 80


def is_odd_object(value: object) -> bool:
    """A cell holding bytes or several values (a list, tuple, dict, set, array...), not one
    value: its ``str`` (``"b'Sponsor'"``, ``"['Champion']"``) is no text the analyst wrote.
    So is an object with no text of its own (:func:`_textless`)."""
    if isinstance(value, str):
        return False
    return isinstance(value, _ODD_KINDS) or _textless(value)


def _textless(value: object) -> bool:
    """An object whose ``str`` is Python's default (``<module.Kind object at 0x7f...>``, an
    address, different each run) or fails: its text was read as the cell's (a label named so
    was created, or ``(a Kind that has no text)``)."""
    kind = type(value)
    if kind.__str__ is object.__str__ and kind.__repr__ is object.__repr__:
        return True
    try:
        str(value)
    except Exception:
        return True
    return False


def object_cells(column: pd.Series) -> ObjArray | None:
    """The cells of a column that may hold :func:`is_odd_object` cells (object, categorical,
    Arrow binary and nested columns) as objects; None for another column."""
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        if not _holds_objects(dtype.pyarrow_dtype):
            return None
    elif not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)):
        return None
    cells: ObjArray = column.to_numpy(dtype=object)
    return cells


#: The columns whose cells are a label's text: a date there is no label the sheet showed.
_LABEL_FIELDS: Final = frozenset({"label", "inverse_label", "name"})


def label_cells(column: pd.Series, field: str) -> ObjArray | None:
    """:func:`object_cells`, and for a label column (``field``: label, inverse label, internal
    name) of dates (datetime64, a timezone's, Arrow's) its cells as objects too: a date is no
    label text (:func:`refuse_odd_cells`)."""
    if field in _LABEL_FIELDS and _dated(column.dtype):
        cells: ObjArray = column.to_numpy(dtype=object)
        return cells
    return object_cells(column)


def _dated(dtype: Any) -> bool:
    if isinstance(dtype, pd.ArrowDtype):
        kind = dtype.pyarrow_dtype
        return bool(pa.types.is_timestamp(kind) or pa.types.is_date(kind))
    return bool(pd.api.types.is_datetime64_any_dtype(dtype))


def _is_date(value: object) -> bool:
    """A date or time a cell holds (not a missing one)."""
    if isinstance(value, np.datetime64):
        return not bool(np.isnat(value))
    return value is not pd.NaT and isinstance(value, date | time)


def _holds_objects(kind: pa.DataType) -> bool:
    """An Arrow type whose cells pandas gives as bytes, lists, dicts or arrays."""
    binary = pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind)
    return bool(pa.types.is_nested(kind) or pa.types.is_binary(kind) or binary)


#: Object columns of Python ints: odd only where an int has more digits than Python writes.
_INT_KINDS: Final = frozenset({"integer", "mixed-integer-float"})


def odd_positions(cells: ObjArray) -> npt.NDArray[np.intp]:
    """The positions of the :func:`is_odd_object` cells of ``cells``."""
    kind = pd.api.types.infer_dtype(cells, skipna=True) if len(cells) else ""
    if not len(cells) or kind in _NOT_ODD_KINDS:
        return np.empty(0, dtype=np.intp)
    test = _unwritable if kind in _INT_KINDS else is_odd_object
    odd: Any = np.frompyfunc(test, 1, 1)(cells)
    return np.flatnonzero(np.asarray(odd, dtype=bool))


def _unwritable(value: object) -> bool:
    """An int of more digits than Python writes (4,300): read as "(a whole number of about
    5,001 digits)", which is no text the analyst wrote."""
    return isinstance(value, int) and value.bit_length() > _WRITABLE_BITS and _textless(value)


#: Below this many bits an int has fewer than 4,300 digits: Python writes it.
_WRITABLE_BITS: Final = 14_000


def _date_positions(cells: ObjArray) -> npt.NDArray[np.intp]:
    """The positions of the date cells of ``cells`` (none in a column of text or numbers)."""
    if not len(cells) or pd.api.types.infer_dtype(cells, skipna=True) in _PLAIN_KINDS:
        return np.empty(0, dtype=np.intp)
    dated: Any = np.frompyfunc(_is_date, 1, 1)(cells)
    return np.flatnonzero(np.asarray(dated, dtype=bool))


def refuse_odd_cells(
    cells: ObjArray,
    header: str,
    where: str,
    rows: Sequence[object],
    field: str,
    index: pd.Index | None = None,
) -> None:
    """InputError when ``cells`` (the column ``header``, read as ``field``; ``rows``: each
    cell's row number; ``index``: a DataFrame read's, whose labels name the rows too) hold an
    :func:`is_odd_object` cell, naming its row, what it holds and how to make it text: such
    a cell's text was created as a label named ``b'Sponsor'``."""
    odd = odd_positions(cells)
    if field in _LABEL_FIELDS:
        odd = np.union1d(odd, _date_positions(cells)).astype(np.intp)
    if not len(odd):
        return
    value = cells[odd[0]]
    text = shown(value)
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS - 3] + "..."

    def named(at: int) -> str:
        row = rows[at]
        return str(row) if index is None else row_name(int(str(row)), index)

    others = [named(i) for i in odd[1:6]]
    more = f" and {len(odd) - 6:,} more" if len(odd) > 6 else ""
    also = f" (rows {', '.join(others)}{more} too hold such cells)" if others else ""
    advice = dict.fromkeys(_odd_words(cells[i], header)[1] for i in odd[:1000])
    raise InputError(
        f"{where}: row {named(odd[0])} of column {header!r} holds {_odd_words(value, header)[0]}"
        f", not text: {text}{also}. Each cell of this column is read as one text "
        f"({_FIELD_NOUNS.get(field, 'one value')}), and the text of such a cell is not what "
        f"it holds. Make the column text first: {'; '.join(advice)}; then try again."
    )


def _odd_words(value: object, header: str) -> tuple[str, str]:
    """What a message calls ``value`` (an odd cell of the column ``header``), and the fix."""
    if _is_date(value):  # Excel makes dates of text such as 5-Mar or 1-2
        return "a date", "write the labels meant as text (Excel makes dates of text such as 5-Mar)"
    if isinstance(value, int):  # more digits than Python writes
        return "a whole number of more than 4,300 digits", "put the text meant in it"
    if not isinstance(value, _ODD_KINDS):  # an object with no text of its own
        return f"a {type(value).__name__} with no text of its own", "put the text meant in it"
    for kinds, words, advice in _ODD_WORDS:
        if isinstance(value, kinds):
            name = "numpy array" if isinstance(value, np.ndarray) else type(value).__name__
            return words.format(t=name), advice.format(h=shown(header))
    raise AssertionError(value)  # the last kinds, (object,), take every value


def refuse_repeated_columns(frame: pd.DataFrame, what: str = "the result table") -> None:
    """InputError naming the first column name ``frame`` holds twice (an analyst's ``status``
    inserted beside the run's, a column pasted twice): which of the two is the run's is not
    known, and pandas gave a frame where a column was meant (a traceback)."""
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        name = repeated[0]
        at = [n + 1 for n, c in enumerate(frame.columns) if c == name]
        raise InputError(
            f"{what} has {len(at)} columns named {str(name)!r} (columns "
            f"{', '.join(map(str, at))}): which is the run's is not known; rename or drop the "
            "others, then try again."
        )
