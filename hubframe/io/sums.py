"""Totals rows typed by hand: a cell whose formula aggregates cells of its own column.

An analyst who adds a totals row below a table without making it an Excel table types
``=SUM(B2:B3)`` under the limits (or ``=COUNT(A2:A3)`` under ids).  The engines give the
value Excel saved (7, 2), and a row with an empty label and a limit of 7 is an object limit:
it was set.  The formulas are in the sheet's XML: :func:`aggregate_cells` finds the cells
whose formula is one call of SUM, SUBTOTAL, AGGREGATE, COUNT, COUNTA, AVERAGE, MAX, MIN or
PRODUCT over cells of the cell's own column only (no number beside them: ``MIN(D2,500)`` caps
a limit), a shared formula's copies as well.  The cells may be named as Excel names them: a
structured reference to a table of the sheet (``=SUM(Table1[Max])``, io.structured), the
sheet's own name (``=SUM(Limits!B2:B3)``), a unary "+" or "@" before the call; the
reader refuses those in the columns it reads as totals (``TOTALS_ROW``, as an Excel table's
totals row).  Other formulas (``=B2``, ``=5``, a VLOOKUP, a SUM of other columns) are read as
their values.

The search costs nothing for a sheet without formulas or without a ``(``, one quick look at
C speed for a sheet none of whose formulas starts with such a call (lookups, arithmetic), and
one scan at C speed otherwise, whose cells are checked in Python only in the columns read;
every pattern is bounded, so a crafted part costs time in proportion to its size.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from hubframe.io.sheet_errors import may_hold_errors
from hubframe.io.structured import resolved
from hubframe.io.tables import Table
from hubframe.io.xmltags import (
    PREFIX,
    SPACE,
    TAG_MAX,
    Tags,
    attribute,
    column_letters,
    column_number,
)

#: The functions whose call over a column's cells is a total of them.
AGGREGATES: Final = ("SUM", "SUBTOTAL", "AGGREGATE", "COUNT", "COUNTA", "AVERAGE", "MAX", "MIN",
                     "PRODUCT")  # fmt: skip
_NAMES: Final = "|".join(sorted(AGGREGATES, key=len, reverse=True))
#: what may come before the call: a unary "+" or "@" (Excel saves "=@SUM(...)" as SINGLE's)
_LEAD: Final = rb"(?:[+@]" + SPACE + rb"*|_xlfn\.SINGLE\(" + SPACE + rb"*)*"
#: a sheet's name before a cell ("Limits!", "'Q1 limits'!"; 31 characters, 124 bytes at most)
_SHEET: Final = rb"(?:'[^'<](?:[^'<]|''){0,123}+'|[^\s!'<>()=+,;:\"&\[\]]{1,124})!"
_CALL: Final = (
    _LEAD + rb"(?:(?:_xlfn\.)?(?:" + _NAMES.encode() + rb")" + SPACE + rb"*\("
    rb"|(?:"
    + _SHEET
    + rb")?\$?[A-Za-z]{1,3}\$?[0-9]{1,7}"
    + SPACE
    + rb"*\+"
    + SPACE
    + rb"*(?:"
    + _SHEET
    + rb")?\$?[A-Za-z]{1,3}\$?[0-9])"
    # or a sum written "B2+B3" (a cell plus a cell: "=D2+0" is not looked at)
)
#: a formula that starts with an aggregate's call, anywhere (a quick look: none, no search)
_STARTS = re.compile(
    rb"<" + PREFIX + rb"f(?:" + SPACE + rb"[^>]{0,1024})?>" + SPACE + rb"*" + _CALL
)


@functools.lru_cache(maxsize=64)
def _cell_calls(letters: frozenset[str] | None) -> re.Pattern[bytes]:
    """Cells of the columns ``letters`` (any when None) whose formula starts with an
    aggregate's call: column letters, row, the formula's attributes and text.  Led by the
    "r" of the cell's reference: one scan at C speed, the cells found given as tuples."""
    column = rb"[A-Za-z]{1,3}"
    if letters is not None:
        column = rb"(?i:" + "|".join(sorted(letters)).encode() + rb")"
    return re.compile(
        rb"r" + SPACE + rb"*=" + SPACE + rb"*[\"']\$?(" + column + rb")\$?([0-9]{1,7})[\"']"
        rb"[^>]{0,1024}>"
        + SPACE
        + rb"*<"
        + PREFIX
        + rb"f((?:"
        + SPACE
        + rb"[^>]{0,1024})?)>"
        + SPACE
        + rb"*("
        + _CALL
        + rb"[^<]{0,4096})<"
    )


#: "+" and a cell (its sheet named or not): a part without one holds no sum written with "+"
#: (a quick look first)
_PLUS_CELL = re.compile(rb"\+" + SPACE + rb"*(?:" + _SHEET + rb")?\$?[A-Za-z]{1,3}\$?[0-9]")
_FORMULA_TAG = re.compile(rb"<" + PREFIX + rb"f(?=[\s>/])")
_TAG_END = re.compile(rb"[^>]{0,1024}>")
_CELL_TAG = re.compile(rb"<" + PREFIX + rb"c[\s>/]")
_CELL_REF = attribute(b"r", rb"\$?[A-Za-z]{1,3}\$?[0-9]{1,7}")
_SHARED = attribute(b"t", rb"shared")
_SHARED_INDEX = attribute(b"si", rb"[0-9]{1,9}")
#: the whole formula: one call of an aggregate (Excel's "_xlfn." prefix of newer functions)
_WHOLE_CALL = re.compile(r"\s*(?:_xlfn\.)?(" + _NAMES + r")\s*\((.*)\)\s*", re.DOTALL)
#: "=", a unary "+" or "@" before a formula: the same formula
_UNARY = re.compile(r"\s*=?[\s+@]*")
#: a formula Excel saves for "=@...": SINGLE's call of it
_SINGLE = re.compile(r"_xlfn\.SINGLE\s*\((.*)\)\s*", re.DOTALL)
#: a sheet's name in a formula, quoted or not (31 characters at most, a "'" written twice;
#: none starts or ends with one)
_SHEET_NAME: Final = r"(?:'[^'](?:[^']|''){0,61}+'|[^\W\d][\w.]{0,61})"
#: a cell or range reference, with its sheet when it names one (group 1)
_REFERENCE = re.compile(
    r"(" + _SHEET_NAME + r"!)?"
    r"(?<![\w.])(\$?)([A-Z]{1,3})(\$?)([0-9]{1,7})?"
    r"(?::(\$?)([A-Z]{1,3})(\$?)([0-9]{1,7})?)?(?![\w(!])"
)


@dataclass(frozen=True)
class Place:
    """The sheet a formula is read in: its name (a reference naming it is to its own cells)
    and its Excel tables (whose columns structured references name)."""

    sheet: str | None = None
    tables: Sequence[Table] = ()


@dataclass(frozen=True)
class Aggregate:
    """A cell whose formula totals its own column: 1-based row and column, and the formula
    as Excel's formula bar shows it (``=SUM(B2:B3)``)."""

    row: int
    column: int
    formula: str


def _verdict_key(body: bytes, found: bytes, row: int, table: int) -> tuple[bytes, bytes, int, int]:
    """What a formula's verdict is remembered by: the formula without its digits (they are
    row numbers: ``SUM(B2:B3)`` below row 4 is ``SUM(B2:B4)`` below row 5), its column and
    table.  A formula naming a table or a sheet is remembered whole, with its row: their names
    hold digits too (``Table1[Max]`` and ``Table2[Max]``, ``'Q1 limits'!`` and ``'Q2
    limits'!``), and one total of its own column was read as a limit after another table's
    formula of the same shape (helper-294)."""
    if b"[" in body or b"!" in body:
        return body, found.upper(), table, row
    return body.translate(None, b"0123456789"), found.upper(), table, 0


def aggregate_cells(
    part: bytes, columns: Collection[int] | None = None, place: Place = Place()
) -> Iterator[Aggregate]:
    """The cells of a sheet part (its XML) whose formula is a total of their own column, in
    the part's order (a shared formula's copies after the cells written in full); only those
    of ``columns`` (1-based numbers) when given (a shared formula's copies too: of a formula
    written in full in one of them).  ``place``: the sheet's name and tables."""
    if b"(" not in part and _PLUS_CELL.search(part) is None:  # no call, no "+ B3"
        return
    if not may_hold_errors(part) or _STARTS.search(part) is None:
        return
    masters: dict[str, tuple[int, int, str]] = {}
    letters = None if columns is None else frozenset(column_letters(c) for c in columns)
    verdicts: dict[tuple[bytes, bytes, int, int], bool] = {}  # see _verdict_key
    for found, row, attributes, body in _cell_calls(letters).findall(part):
        column, text = column_number(found), _text(body)
        if b"shared" in attributes:
            shared = _SHARED_INDEX.search(attributes)
            if shared is not None and _SHARED.search(attributes):
                plain = resolved(text, int(row), column, place.tables)
                masters[shared.group(1).decode()] = (int(row), column, plain)
        key = _verdict_key(body, found, int(row), _table_at(body, row, column, place))
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = totals_its_column(text, column, place, int(row))
        if verdict:
            yield Aggregate(int(row), column, _as_shown(text))
    if any(totals_its_column(text, column, place) for _, column, text in masters.values()):
        found_copies = _copies(part, masters, place)
        yield from (c for c in found_copies if columns is None or c.column in columns)


def _table_at(body: bytes, row: bytes, column: int, place: Place) -> int:
    """Which of the sheet's tables holds the cell (-1: none), for a formula that may name
    a table's column without the table's name (``SUM([Max])``): its verdict depends on it."""
    if b"[" not in body:
        return -1
    at = int(row)
    return next((i for i, t in enumerate(place.tables) if t.holds(at, column)), -1)


def _copies(
    part: bytes, masters: dict[str, tuple[int, int, str]], place: Place
) -> Iterator[Aggregate]:
    """The cells holding a copy of a shared formula (``<f t="shared" si="0"/>``) that totals
    its own column, read as the master's formula (its structured references resolved) moved
    to the copy's place."""
    tags = Tags(part)
    for index in _SHARED_INDEX.finditer(part):
        held = tags.holding(index.start(), _FORMULA_TAG)
        master = masters.get(index.group(1).decode())
        if held is None or master is None or not part[held[0] : held[1]].endswith(b"/>"):
            continue
        ref = _cell_ref(part, held[0])
        if ref is None:
            continue
        row, column = _place(ref)
        text = moved(master[2], row - master[0], column - master[1])
        if totals_its_column(text, column, place):
            yield Aggregate(row, column, _as_shown(text))


def _text(body: bytes) -> str:
    return html.unescape(body.decode("utf-8", "replace"))


def _as_shown(text: str) -> str:
    """A formula's text as Excel's formula bar shows it ("=", no "_xlfn." prefixes, "@"
    for SINGLE's call of the whole formula)."""
    text = text.strip().removeprefix("=")
    single = _SINGLE.fullmatch(text)
    if single is not None and _balanced(single.group(1)):
        text = "@" + single.group(1)
    return "=" + text.replace("_xlfn.", "")


def _cell_ref(part: bytes, pos: int) -> str | None:
    """The reference of the cell whose start tag ends right before ``pos`` (a formula's)."""
    start = part.rfind(b"<", max(0, pos - TAG_MAX), pos)
    tag_end = _TAG_END.match(part, start) if start >= 0 else None
    if tag_end is None or not _CELL_TAG.match(part, start) or part[tag_end.end() : pos].strip():
        return None
    ref = _CELL_REF.search(part, start, tag_end.end())
    return ref.group(1).decode() if ref is not None else None


def _place(ref: str) -> tuple[int, int]:
    letters = ref.replace("$", "").rstrip("0123456789")
    return int(ref.replace("$", "")[len(letters) :]), column_number(letters.encode())


def totals_its_column(formula: str, column: int, place: Place = Place(), row: int = 0) -> bool:
    """Whether ``formula`` (its text, "=" or not) is one call of an aggregate over cells of
    the column ``column`` (1-based) of its own sheet only: ``SUM(B2:B3)``, ``SUBTOTAL(9,
    $B$2:$B$9)``, ``COUNT(B:B)``, ``SUM(Table1[Max])`` (a column of a table of ``place``),
    ``SUM(Limits!B2:B3)`` (the sheet's own name) in column B; or a sum of two cells or more of
    it written with "+" (``B2+B3``).  A unary "+" or "@" before it changes nothing; ``row``:
    the formula's (a reference to a table's row of its own, ``[@Max]``)."""
    formula = _without_unary(resolved(formula, row, column, place.tables))
    if _PLUSES.fullmatch(formula):
        return _all_own(list(_REFERENCE.finditer(formula)), column, place)
    call = _WHOLE_CALL.fullmatch(formula)
    if call is None or not _balanced(call.group(2)):
        return False
    refs = list(_REFERENCE.finditer(call.group(2)))
    if not refs or _holds_more(call.group(1), _REFERENCE.sub("", call.group(2))):
        return False
    return _all_own(refs, column, place)


def _without_unary(formula: str) -> str:
    """The formula without its "=" and a unary "+" or "@" before it (``=+SUM(B2:B3)``,
    ``=@SUM(B2:B3)``, saved as ``_xlfn.SINGLE(SUM(B2:B3))``)."""
    unary = _UNARY.match(formula)
    text = formula[unary.end() :] if unary is not None else formula
    single = _SINGLE.fullmatch(text)
    if single is not None and _balanced(single.group(1)):
        return _without_unary(single.group(1))
    return text


def _all_own(refs: list[re.Match[str]], column: int, place: Place) -> bool:
    """Whether every reference is to cells of the column ``column`` of the formula's sheet
    (named or not)."""
    own = column_letters(column)
    return bool(refs) and all(
        _own_sheet(r.group(1), place) and {r.group(3), r.group(7) or r.group(3)} == {own}
        for r in refs
    )


def _own_sheet(prefix: str | None, place: Place) -> bool:
    """Whether a reference's sheet (``Limits!``, ``'Q1 limits'!``; None: none named) is the
    formula's own."""
    if not prefix:
        return True
    name = prefix[:-1]
    if name.startswith("'"):
        name = name[1:-1].replace("''", "'")
    return place.sheet is not None and name.casefold() == place.sheet.casefold()


#: a sum written with "+": two cells or more, nothing else ("=B2+B3+B4"), a sheet's name
#: before each or not
_CELL: Final = r"(?:" + _SHEET_NAME + r"!)?\$?[A-Z]{1,3}\$?[0-9]{1,7}"
_PLUSES = re.compile(r"\s*" + _CELL + r"(?:\s*\+\s*" + _CELL + r")+\s*")


#: SUBTOTAL's function number, AGGREGATE's and its options: the arguments before the cells
_FUNCTION_NUMBERS: Final = re.compile(r"\s*[0-9]+\s*,(?:\s*[0-9]+\s*,)?")


def _holds_more(name: str, rest: str) -> bool:
    """Whether a call's arguments hold more than its references (``rest``: the text left
    once they are taken out): a number (``MIN(D2,500)`` caps a limit: no total), text, another
    call.  SUBTOTAL's and AGGREGATE's function numbers come first."""
    if name.upper() in ("SUBTOTAL", "AGGREGATE"):
        rest = _FUNCTION_NUMBERS.sub("", rest, count=1)
    return bool(re.search(r"[^\s,()]", rest))


def _balanced(args: str) -> bool:
    """Whether the text between a call's parentheses closes every one it opens, in order
    (``B2:B3)+SUM(C2`` does not: two calls)."""
    depth = 0
    for ch in args:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def moved(formula: str, rows: int, columns: int) -> str:
    """A shared formula's text as Excel reads it in a copy ``rows`` and ``columns`` away:
    references without a ``$`` move with it."""

    def shift(m: re.Match[str]) -> str:
        first = _moved_ref(m.group(2), m.group(3), m.group(4), m.group(5), rows, columns)
        if m.group(7) is None:
            return (m.group(1) or "") + first
        second = _moved_ref(m.group(6), m.group(7), m.group(8), m.group(9), rows, columns)
        return (m.group(1) or "") + first + ":" + second

    return _REFERENCE.sub(shift, formula)


def _moved_ref(
    col_fixed: str, letters: str, row_fixed: str, row: str | None, rows: int, columns: int
) -> str:
    number = column_number(letters.encode()) + (0 if col_fixed else columns)
    out = col_fixed + column_letters(max(number, 1))
    if row is not None:
        out += row_fixed + str(max(int(row) + (0 if row_fixed else rows), 1))
    return out


__all__ = ["AGGREGATES", "Aggregate", "aggregate_cells", "moved", "totals_its_column"]
