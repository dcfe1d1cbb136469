"""Vectorized cell normalization: record ids, object types, categories, labels, whole numbers.

Cells are handled as Arrow text columns (:mod:`hubframe.io.text`: ``pa.ChunkedArray`` of
``large_string``, the layout behind pandas' ``str`` dtype).  Ids are checked on
the raw UTF-8 bytes with numpy; types, categories and labels are mapped once per distinct value
(``pc.unique``) and applied with one vectorized take; nothing loops over rows in Python.

The ``normalize_*`` functions keep the Series interface: they take a Series of cell text
(``""`` or NA for an empty cell, object or Arrow-backed) and return a Series on the same index.
Values that cannot be normalized are kept as their trimmed text so that
:mod:`hubframe.validate` can name them; empty cells become NA.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import (
    CATEGORIES,
    MAX_ID_DIGITS,
    OBJECT_TYPES,
    OBJECT_TYPES_BY_ID,
    OBJECT_TYPES_BY_NAME,
)
from hubframe.io.sheet_errors import error_mask
from hubframe.io.text import (
    SPACE,
    TEXT,
    BoolArray,
    IntArray,
    Layout,
    ObjArray,
    Text,
    as_text,
    chunked,
    clean_text,
    distinct,
    map_text,
    memo,
    per_cell,
    take_rows,
    to_series,
    trimmed_text,
)

# Excel keeps 15 significant digits of a number, and a float is exact only up to 2**53: a whole
# number that went through a float (an Excel number cell, "123.0" text) is trusted below 10**15.
FLOAT_DIGITS: Final = 15
#: What a limit cell says to remove the limit (any case, spaces as typed). An empty cell never
#: does: it is a BLANK_LIMIT warning and the row is not sent (``read_limits(remove_blank=True)``
#: makes empty cells remove their limit).
PURGE_WORDS: Final = frozenset({"remove", "remove limit", "no limit"})

# The only number forms accepted in text: ASCII digits, optionally with the ".0" tail a float
# column gets when pandas or a script writes it ("123.0").  Everything else that looks like a
# number (separators, other decimals, signs, other Unicode digits) is refused, never guessed.
_PLAIN_NUMBER = re.compile(r"([0-9]+)(\.0)?", re.ASCII)
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+", re.ASCII)
_GROUPED = re.compile("[0-9]{1,3}(?:[,.'\u2019 _\u00a0\u202f\u2009][0-9]{3})+")
_SIGNED = re.compile("[+\u2212-]\\s*[0-9.,]+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+", re.ASCII)
_CURRENCY = re.compile("[$\u20ac\u00a3\u00a5]\\s*[0-9.,]+|[0-9.,]+\\s*[$\u20ac\u00a3\u00a5%]")
#: A custom object's type id as HubSpot writes it (``2-7350001``).
CUSTOM_TYPE_ID: Final = re.compile(r"2-[0-9]+", re.ASCII)
_STANDARD_TYPE_ID = re.compile(r"0-[0-9]+", re.ASCII)
#: A custom object's name as HubSpot qualifies it (``p_installations``, ``p24681357_cars``).
QUALIFIED_NAME: Final = re.compile(r"p([0-9]*)_([a-z0-9_]+)", re.ASCII)


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
    """True where a cell already is a canonical id: 1-18 ASCII digits, no leading zero
    (remembered for the column object: see :func:`canonical_mask` for a column used once)."""
    return memo(text, "canonical", lambda: canonical_mask(text))


def canonical_mask(text: Text) -> BoolArray:
    """:func:`canonical_ids`, not remembered: for a column looked at once, whose facts would
    otherwise be held as long as it lives (a run's work table)."""
    return per_cell(text, _canonical_cells)


def id_values(text: Text) -> IntArray:
    """The canonical id cells as int64 (0 elsewhere), computed once per column object."""
    return memo(text, "ids", lambda: id_numbers(text, canonical_ids(text)))


def id_numbers(text: Text, canonical: BoolArray) -> IntArray:
    """The ``canonical`` cells of ``text`` as int64 (0 elsewhere), not remembered."""
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


#: What an id cell is trimmed of at its edges besides spaces: marks that show nothing, which a
#: copy from a web page or a right-to-left document brings along (direction marks and
#: isolates, joiners, a soft hyphen).  Inside an id they are refused, as any other character.
_EDGE_MARKS: Final = (
    SPACE + "\u200c\u200d\u200e\u200f\u2060\u00ad\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069"
)


def _trim_id(value: str) -> str:
    """Edges trimmed of any Unicode space or invisible mark (never changes a digit), then one
    leading apostrophe (Excel's text marker)."""
    text = _edges(value)
    if text.startswith("'"):
        text = _edges(text[1:])
    return text


def _edges(text: str) -> str:
    """``text`` without spaces and invisible marks at its edges, however they mix."""
    while True:
        trimmed = text.strip().strip(_EDGE_MARKS)
        if trimmed == text:
            return text
        text = trimmed


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


def char_name(ch: str) -> str:
    """A character as a message names it: ``U+212A KELVIN SIGN``."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def _odd_character(text: str) -> str | None:
    """What is wrong with the first character that is not ASCII-printable, if any."""
    for ch in text:
        if ch.isascii() and ch.isprintable():
            continue
        if unicodedata.numeric(ch, None) is not None:
            return (
                f"holds the character '{ch}' ({char_name(ch)}), which is not one of the digits "
                "0-9 even though it may look like one"
            )
        return f"holds an unusual or invisible character ({char_name(ch)})"
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


_LIST_SEPARATORS: Final = re.compile(r"\s*[,|/\s]\s*")


def listed_parts(text: str) -> list[str]:
    """A trimmed cell's parts between the separators other than ';' that analysts put between
    ids (a comma, a line break, a space, '|', '/'), empty parts left out."""
    return [part for part in _LIST_SEPARATORS.split(text) if part]


def _listed(text: str) -> str | None:
    """Several ids in one cell separated by something other than ';' (a comma, a line break
    inside the cell, a space, '|', '/'): not digit groups (a part after the first of other
    than three digits)."""
    parts = _LIST_SEPARATORS.split(text.strip())
    if len(parts) < 2 or not all(re.fullmatch(r"[0-9]+", p, re.ASCII) for p in parts):
        return None
    if all(len(p) == 3 for p in parts[1:]):
        return None  # digit groups: see _grouped
    separator = _LIST_SEPARATORS.search(text.strip())
    shown = repr(separator.group().strip() or separator.group()) if separator else "' '"
    shown = {"'\\n'": "a line break", "' '": "a space"}.get(shown, shown)
    return (
        f"looks like {len(parts)} ids separated by {shown}; separate ids with ';' (each then "
        "gets a row of its own) or put one id a cell"
    )


def describe_one_number(value: str, what: str) -> str:
    """As :func:`describe_number`, for a whole-number cell (``what``: "a limit", "a type id")
    refused by its caller, not a record id: a cell :func:`whole_digits` reads as a number (any
    length) was refused for its range; several numbers in it are not advice to split ids."""
    text = _trim_id(value)
    if whole_digits(value) is not None:
        return "is out of range"
    if _listed(text) is not None:
        count = len(_LIST_SEPARATORS.split(text.strip()))
        return f"holds {count} numbers; {what} is one whole number"
    return describe_number(value)


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
    _listed,
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
    if CUSTOM_TYPE_ID.fullmatch(text):
        return text
    lowered = text.casefold()
    if QUALIFIED_NAME.fullmatch(lowered):
        return lowered
    return _TYPE_SPELLINGS.get(re.sub(r"[^0-9a-z]", "", lowered), text)


def object_key(object_type: str) -> str:
    """A HubSpot object as its spelling alone tells it: a standard object's type id (``0-3``),
    a custom object's type id as written, or ``name:<name>`` for a custom object's qualified
    name (``p_cars`` and ``p24681357_cars`` are one object: HubSpot takes either in the
    portal); any other text as it is.  A name and a type id are never told one object here:
    only a portal says which name is which type id (:mod:`hubframe.run.spelling`)."""
    known = OBJECT_TYPES_BY_NAME.get(object_type)
    if known is not None:
        return known.type_id
    qualified = QUALIFIED_NAME.fullmatch(object_type)
    return f"name:{qualified.group(2)}" if qualified else object_type


def is_valid_object_type(value: str) -> bool:
    """True for a canonical standard name, a custom type id '2-n' or a 'p_name' name."""
    return (
        value in _TYPE_SPELLINGS.values()
        or CUSTOM_TYPE_ID.fullmatch(value) is not None
        or QUALIFIED_NAME.fullmatch(value) is not None
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


def whole_digits(value: str) -> str | None:
    """A whole-number cell's (type id, limit) digits by the ids' rule, any length: edges
    trimmed of spaces and invisible marks, one leading apostrophe (Excel's text marker), a
    ``.0`` tail up to :data:`FLOAT_DIGITS` digits; None when it holds no such number.  The one
    reading of these cells: :func:`parse_whole` takes its number from here and
    :func:`describe_one_number` calls a cell with digits here out of range, so the two cannot
    disagree about a cell."""
    return plain_number(_trim_id(value))


def parse_whole(value: object) -> int | str | None:
    """'5', ' 5 ', '5.0', "'5" -> int; any other text (including '1,000', '+5', '1e3', more
    than :data:`MAX_ID_DIGITS` digits) -> the trimmed text, to be reported; empty -> None."""
    text = clean_text(value)
    if text is None:
        return None
    digits = whole_digits(text)
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
    """True where a limit cell asks to remove the limit: 'remove', 'remove limit' or 'no limit'
    (any case and spacing); never for an empty cell."""
    values, codes = unique_codes(chunked(text))
    flags = [is_purge_word(v) for v in values]
    return np.array([*flags, False], dtype=bool)[codes]


def is_purge_word(cell: str | None) -> bool:
    """A limit cell's text that asks to remove the limit (see :func:`purge_flags`)."""
    return " ".join((clean_text(cell) or "").split()).casefold() in PURGE_WORDS


def purge_mask(s: pd.Series) -> pd.Series:
    """True where a limit cell asks to remove the limit (see :func:`purge_flags`)."""
    return pd.Series(purge_flags(as_text(s)), index=s.index)


# --- several ids in one cell ------------------------------------------------------------------


def split_ids(cell: object) -> list[str]:
    """'1;2; 3' -> ['1', '2', ' 3']; keeps one (possibly empty) part for an empty cell."""
    if not isinstance(cell, str):
        return [""]
    parts = [p for p in cell.split(";") if p.strip(SPACE)]
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
    multi = np.flatnonzero(per_cell(text, _has_semicolon))
    if len(multi) == 0:
        return None, text
    # a formula's text ("=VLOOKUP(A2;L!A:B;2;0)", never computed) is one cell, refused as a
    # formula (validation's FORMULA_ERROR test): split, its parts were ids ("2") of no record
    # the analyst named
    multi = multi[~error_mask(text.take(multi))]
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


# --- labels, as compared ---------------------------------------------------------------


def normalize_label(text: str) -> str:
    """A label as compared: its visible characters (:func:`composed`), spaces collapsed,
    lower case (not ``casefold``, which takes 'Maße' for 'Masse': two labels)."""
    return shown_as(str(text)).lower()


#: Characters that show nothing (Unicode's format characters: zero-width space and joiners,
#: soft hyphen, word joiner, direction marks, byte order mark...), which text copied from web
#: pages, chats and PDFs carries: "Cham\u200bpion" shows as "Champion".  With them the other
#: default-ignorable code points (Unicode's Default_Ignorable_Code_Point, which Python's
#: unicodedata does not give): variation selectors (U+FE00-FE0F, U+E0100-E01EF; an emoji's
#: U+FE0F after a letter), the combining grapheme joiner U+034F, Mongolian free variation
#: selectors U+180B-180D and U+180F, Hangul fillers, Khmer's inherent vowels U+17B4-17B5:
#: "Champion\ufe0f" was created beside "Champion" as a new label no sheet could tell apart.
_INVISIBLE = re.compile(  # Unicode 14's category Cf and Default_Ignorable_Code_Point, as ranges
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160"
    "\u17b4-\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


#: Unicode 14's format characters (category Cf) alone: what a new label's text drops -- but
#: the zero-width non-joiner and joiner (U+200C, U+200D), which are part of how a word is
#: written: a Persian word joins letters it keeps apart without U+200C, and an emoji sequence
#: (woman, U+200D, laptop) falls apart into two emoji without U+200D.  Compared
#: (:data:`_INVISIBLE`), they still count for nothing.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)


#: Characters that show as a blank but are neither spaces (``str.split`` does not split on
#: them) nor :data:`_INVISIBLE`: the Braille pattern blank U+2800 and the musical null notehead
#: U+1D159.  "Sponsor\u2800" shows as "Sponsor " and "Key\u2800contact" as "Key contact":
#: compared, each is a space.  (The Hangul fillers, U+180E and the other default-ignorable
#: characters are in :data:`_INVISIBLE`; Unicode's spaces are spaces to ``str.split``.)
_BLANK = re.compile("[\u2800\U0001d159]")


def composed(text: str) -> str:
    """The characters a label shows, as labels are compared: every character that shows
    nothing dropped, one that shows as a blank (:data:`_BLANK`) a space, then Unicode NFC
    ("ä" typed as "a" and a combining mark, as Mac and PDF text may hold it, is "ä")."""
    return unicodedata.normalize("NFC", _BLANK.sub(" ", _INVISIBLE.sub("", text)))


def shown_as(label: str) -> str:
    """A label as a sheet, HubSpot's pages and the app's picker show it: the characters it
    shows (:func:`composed`), its case, and its spaces as one plain space
    between words -- spaces at its ends, a double space, a no-break space or a tab inside do
    not show (a cell is trimmed as it is read; a page shows a run of spaces as one)."""
    return " ".join(composed(label).split())


def composed_as_typed(text: str) -> str:
    """The text a new or renamed label gets: format characters dropped (a zero-width space
    HubSpot would keep), Unicode NFC; a variation selector kept (an emoji's U+FE0F is how the
    cell shows it: "❤️" stays "❤️", not the text-style "❤")."""
    return unicodedata.normalize("NFC", _FORMAT.sub("", text))


def shows_nothing(text: str) -> bool:
    """Text of only spaces and characters that show nothing (a word joiner, a lone variation
    selector, a Hangul filler): a cell an analyst sees as empty.  A blank that shows with a
    width (:data:`_BLANK`) is text: HubSpot keeps a label named "\u2800" (its trim leaves it),
    and such a cell read as empty made the row unlabeled -- a removal of every association of
    the pair, a sync archiving the label, an associate linking without it."""
    return not _INVISIBLE.sub("", text).strip(SPACE).strip()


def _label_cell(cell: str | None) -> str | None:
    return None if cell is None or shows_nothing(cell) else cell


def label_text(text: Text) -> Text:
    """A label column: trimmed, and a cell that shows nothing empty.  "\u2060" alone was read
    as a label whose name, compared, is "": the dry run planned creating the label "" and a run
    refused the row naming a label it could not show."""
    if text.null_count == len(text):  # an unlabeled sheet's column: nothing to look at
        return chunked(text)
    text = trimmed_text(text)
    hidden = pc.match_substring_regex(text, _INVISIBLE.pattern).fill_null(False)
    return map_text(text, _label_cell) if pc.any(hidden).as_py() else text
