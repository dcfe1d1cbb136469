"""Raw sheets: the header row and the cells below it as text, before any normalization.

Every reader (CSV, Excel, DataFrame) produces :class:`RawSheet` objects; :class:`Request` is
what the caller asked for (kind, types, explicit columns, limits), and finds the header row
(:func:`find_header`, even below a title block) and maps it (:mod:`hubframe.io.columns`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import MAX_LIMIT_VALUE
from hubframe.errors import HubframeError, InputError
from hubframe.io.aliases import (
    PROPERTY_HEADERS,
    SIDE_KEYS,
    TYPED_HEADERS,
    Kind,
    alias_field,
    field_mark,
    header_key,
    header_score,
    names_a_measure,
    names_a_side,
    names_an_objects_key,
    notes_a_side,
)
from hubframe.io.bounds import ReadLimits, read_limits_in_force
from hubframe.io.cells import (
    TEXT_FORMULA,
    cells_to_arrow,
    clean_headers,
    filled,
    label_cells,
    looks_like_id,
    one_cell_text,
    refuse_odd_cells,
    written_headers,
)
from hubframe.io.columns import (
    ColumnMapping,
    HeaderError,
    match_headers,
)
from hubframe.io.exports import from_type_guesser
from hubframe.io.grouprow import header_below_group
from hubframe.io.narrow import narrow_text, refuse_rounded
from hubframe.io.normalize import (
    canonical_object_type,
    is_purge_word,
    is_valid_object_type,
    whole_digits,
)
from hubframe.io.rowname import FIRST_ROW, row_name
from hubframe.io.scope import ExportScope
from hubframe.io.sheet_errors import UNCOMPUTED, error_mask
from hubframe.io.syntax import PYTHON, Syntax
from hubframe.io.text import (
    IntArray,
    Text,
    as_text,
    chunked,
    clean_text,
    to_series,
)
from hubframe.io.xmltags import column_letters

HEADER_SEARCH_ROWS: Final = 30
SAMPLE_CELLS: Final = 200  # cells that decide what a bare "From"/"To" column holds


@dataclass
class RawSheet:
    """One sheet as text: headers, cell columns (positional), and the analyst's row numbers.

    ``columns`` are Arrow text columns ("" for an empty cell), one per header.  ``extra`` holds,
    for CSV rows with more cells than the header, those cells joined (null elsewhere): such a
    row is reported (EXTRA_CELLS), never shifted or dropped.
    """

    name: str
    headers: list[str]
    columns: list[Text]
    rows: IntArray
    mapping: ColumnMapping
    extra: Text | None = None
    #: header name -> the header as the sheet wrote it, where the two differ (a repeat named
    #: "Notes.1", an empty one "Unnamed: 3", spaces or line breaks cleaned)
    written: Mapping[str, str] = field(default_factory=dict)
    #: Excel row numbers of the rows the workbook hides (read and sent all the same)
    hidden: frozenset[int] = frozenset()
    #: headers of the columns hubframe reads (ids, types, labels...) that the workbook hides
    hidden_columns: tuple[str, ...] = ()
    #: Excel rows whose label cell is text that starts with "=" as written (a text cell of a
    #: workbook, a CSV cell a writer guarded with "'"), not a formula: validation lets it be
    literal_labels: frozenset[int] = frozenset()
    #: the same for the inverse label cell of a labels sheet
    literal_inverses: frozenset[int] = frozenset()
    #: ranges of cells merged down a column whose value was read into every row ("C2:C4")
    merged: list[str] = field(default_factory=list)
    #: Excel rows that are an Excel table's totals row -> the table's name (io.tables)
    totals: Mapping[int, str] = field(default_factory=dict)
    #: Excel rows typed as a totals row -> which cell totals its column, and how (io.sums)
    sums: Mapping[int, str] = field(default_factory=dict)
    #: a DataFrame's index, whose labels messages name its rows by too (None for a file's)
    index: pd.Index | None = field(default=None, compare=False, repr=False)

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def data(self) -> pd.DataFrame:
        """The cells as a DataFrame of text columns 0..n-1 (for inspection and tests)."""
        return pd.DataFrame({i: to_series(c) for i, c in enumerate(self.columns)})

    def row_name(self, row: int) -> str:
        """The words after "row" naming sheet row ``row``: ``3``, or a DataFrame's
        ``3 (index 4)`` (:func:`~hubframe.io.rowname.row_name`)."""
        return row_name(row, self.index)

    def cells(self, canonical: str) -> Text | None:
        """The column mapped to a canonical name, or None."""
        header = self.mapping.columns.get(canonical)
        return None if header is None else self.columns[self.headers.index(header)]


@dataclass(frozen=True)
class SkippedSheet:
    """A workbook sheet a read left out, and why: "hidden", "empty", "no recognised columns",
    or what is wrong with its columns (the message a read of that sheet alone raises)."""

    name: str
    reason: str
    #: Pairs or limits left unread: recognised columns and rows, or rows of what look like
    #: record ids under columns that were not recognised.  A hidden sheet's too: a sync that
    #: may remove stops at it, though the read warns only of visible ones.
    holds_rows: bool = False

    @property
    def hidden(self) -> bool:
        """Whether the workbook hides the sheet (left out on purpose, so not warned of)."""
        return self.reason == HIDDEN

    @property
    def continues(self) -> bool:
        """Whether its name says it goes on from the sheet read ("Associations (2)")."""
        return self.reason.startswith(CONTINUES)


#: The reason a hidden sheet is skipped.
HIDDEN: Final = "hidden"
#: How the reason of a sheet named as the next part of the sheet read begins.
CONTINUES: Final = "it may go on from sheet"

_PART: Final = re.compile(r"(?P<base>.*) \((?P<part>[0-9]+)\)")


def goes_on_from(name: str, first: str) -> bool:
    """Whether sheet ``name`` is named as a later part of sheet ``first``: "Associations (2)",
    "(3)" ... after "Associations", as a table longer than an Excel sheet is written
    (:func:`hubframe.report.excel.continued_title`, which cuts ``first`` so that the name
    keeps to Excel's 31 characters).  Compared case-folded, as Excel compares sheet names."""
    found = _PART.fullmatch(name)
    if found is None or int(found["part"]) < 2:
        return False
    base, whole = found["base"].casefold(), first.casefold()
    return base == whole or (len(name) == 31 and whole.startswith(base))


@dataclass
class SheetChoice:
    """Which sheets of a workbook a read used, how they were chosen, and the ones left out."""

    chosen: list[str]
    how: str  # "first visible sheet with recognised columns", "by name", "by position 2", ...
    skipped: list[SkippedSheet] = field(default_factory=list)


@dataclass
class Request:
    """What the caller asked for, with the types given as arguments made canonical."""

    kind: Kind
    source_name: str
    columns: Mapping[str, str] | None
    from_type: str | None
    to_type: str | None
    label: str | None = None
    syntax: Syntax = PYTHON
    choice: SheetChoice | None = None  # set by the workbook reader
    #: an export's scope sheet the workbook reader found (:mod:`hubframe.io.scope`)
    export_scope: ExportScope | None = None
    id_properties: dict[str, str] = field(default_factory=dict)  # side -> property (arguments)
    #: the workbook carries the mark of a retry file hubframe wrote (:mod:`hubframe.io.retrymark`),
    #: set by the workbook reader (a CSV retry file carries none)
    retry_file: bool = False
    limits: ReadLimits = field(default_factory=read_limits_in_force)

    def properties(self, mapping: ColumnMapping) -> dict[str, str]:
        """Sides whose cells are unique property values: from the arguments, else the headers."""
        found: dict[str, str] = {str(k): v for k, v in mapping.id_properties.items()}
        return found | self.id_properties

    def match(
        self,
        headers: Sequence[str],
        where: str,
        preview: Sequence[Sequence[object]] = (),
        sheet: str | None = None,
    ) -> ColumnMapping:
        """Map the headers (``preview``: the first rows below them, for headers whose cells
        decide what they hold; ``sheet``: the workbook sheet's name)."""

        def sample(header: str) -> list[str]:
            i = list(headers).index(header)
            return [one_cell_text(row[i]) for row in preview[:SAMPLE_CELLS] if i < len(row)]

        return match_headers(
            headers,
            self.kind,
            columns=self.columns,
            from_type=self.from_type,
            to_type=self.to_type,
            source=where,
            syntax=self.syntax,
            sample=sample,
            guess=(
                from_type_guesser(self.source_name, headers, sheet)
                if self.kind == "pairs"
                else None
            ),
            label_given=self.label is not None,
        )

    def score(self, cells: Sequence[object]) -> int:
        explicit = self.columns or {}
        return header_score(cells, self.kind, [*explicit.keys(), *explicit.values()])

    def headerless(self, cells: Sequence[object]) -> bool:
        """Whether the row found for the header (``cells``) is no header but the sheet's first
        row of data: never for pairs and limits (a row of ids there is refused by the readers),
        a first line that is a record id for a file of ids (:mod:`hubframe.io.ids`)."""
        return False

    def recognises(self, cells: Sequence[object]) -> bool:
        """Whether a sheet whose header row is ``cells`` is one this read can take: a header
        row naming columns it knows, or a first row of data (:meth:`headerless`)."""
        return self.score(cells) > 0 or self.headerless(cells)


def row_headers(
    cells: Sequence[object], request: Request, first_col: int = 1
) -> tuple[list[str], bool]:
    """The headers a read takes from the row found for the header, and whether that row is a
    row of data (:meth:`Request.headerless`).  A row of data names no columns: each column it
    fills is named by its letter ("A"; ``first_col``: the column number of ``cells[0]``) and
    the others 'Unnamed: i', as empty headers are."""
    if not request.headerless(cells):
        return clean_headers(cells), False
    return [
        column_letters(first_col + i) if clean_text(one_cell_text(cell)) else f"Unnamed: {i}"
        for i, cell in enumerate(cells)
    ], True


def sheet_where(raw: RawSheet, request: Request) -> str:
    """How messages name a raw sheet: the file, and the sheet for a workbook's."""
    if raw.name and raw.name != request.source_name:
        return f"{request.source_name} [{raw.name}]"
    return request.source_name


def find_header(preview: Sequence[Sequence[object]], request: Request) -> int:
    """Index of the header row: the earliest row with the most known headers, unless that row
    is a group row over the header (``From`` over ``Deal ID | Deal Name``, ``To`` over
    ``Contact ID | Contact Name``): then the header below it (:mod:`hubframe.io.grouprow`)."""
    rows = [[one_cell_text(c) for c in cells] for cells in preview[:HEADER_SEARCH_ROWS]]
    scores = [request.score(cells) for cells in rows]
    best, best_score = -1, 0
    for i, score in enumerate(scores):
        if score > best_score:
            best, best_score = i, score
    if best >= 0:
        chosen = request.columns or {}
        explicit = {header_key(h) for h in (*chosen.keys(), *chosen.values())}
        return header_below_group(rows, scores, best, request.score, explicit)
    for i, cells in enumerate(preview):
        if any(clean_text(one_cell_text(c)) for c in cells):
            return i
    return -1


def match_found(
    request: Request,
    header: HeaderRow,
    where: str,
    preview: Sequence[Sequence[object]] = (),
    sheet: str | None = None,
) -> ColumnMapping:
    """``request.match`` of a sheet's header row; when none of the first
    :data:`HEADER_SEARCH_ROWS` rows was recognised (the first row with text was taken:
    :func:`find_header`) and the sheet goes on past them, its HeaderError says so
    (:func:`_not_found`)."""
    try:
        return request.match(header.headers, where, preview, sheet)
    except HeaderError as exc:
        if header.row is None or not header.more or request.recognises(header.cells):
            raise
        raise _not_found(exc, header.cells, header.row) from None


@dataclass(frozen=True)
class HeaderRow:
    """The row a read took for the header: the headers taken from it, its cells as written,
    its row number (None: a row of data, the sheet having no header row), and whether the
    sheet has rows past the :data:`HEADER_SEARCH_ROWS` the header is looked for in."""

    headers: list[str]
    cells: Sequence[object]
    row: int | None
    more: bool


#: The text of a row shown in a message, at most.
SHOWN_ROW: Final = 120


def _not_found(exc: HeaderError, cells: Sequence[object], row: int) -> HeaderError:
    """``exc`` for a sheet none of whose first rows names a column the read knows, saying so:
    before, a header below row 30 gave "no column for the 'from' record id. Columns found:
    Title 0" alone, as if the title were the sheet's header."""
    text = " | ".join(t for c in cells if (t := clean_text(one_cell_text(c))))
    if len(text) > SHOWN_ROW:
        text = text[: SHOWN_ROW - 3] + "..."
    which = "the first row" if row == 1 else f"the first row with text, row {row},"
    detail = (
        f"{exc.detail.rstrip()} No header found in the first {HEADER_SEARCH_ROWS} rows, where "
        f"hubframe looks for it: none of them names a column it reads, and {which} reads "
        f"'{text}'. If the header is further down, delete rows above it to bring it within "
        f"the first {HEADER_SEARCH_ROWS} rows."
    )
    return HeaderError(
        exc.where,
        detail,
        unrecognised=exc.unrecognised,
        unguessed=exc.unguessed,
        looks_like=exc.looks_like,
    )


#: The columns of a row the checks of rows look at (a far cell makes rows very wide).
ID_COLUMNS: Final = 64


def check_rows_above(
    above: Sequence[Sequence[object]], first_row: int, header_row: int, request: Request, where: str
) -> None:
    """InputError when the rows above the header row (``above``; Excel row ``first_row`` is
    the first) are not a title block: rows holding what look like record ids (two or more: a
    pair), or a row that is a header of this kind itself with rows of numbers below it -- rows
    the read would leave out unseen (a table whose first block has a header of its own, a
    block pasted above the header).  Rows of headings (a group row, then the objects' names)
    are a title."""
    for i, cells in enumerate(above):
        if request.score([one_cell_text(c) for c in cells]) < 2:
            continue
        below = _rows_it_heads(above, i, request, where)
        if below:
            rows = _row_list([first_row + j for j in below])
            raise InputError(
                f"{where}: row {first_row + i} is a header too, and {rows} below it (above "
                f"the header taken, row {header_row}) would not be read. Make it one table "
                "under one header row, or put each table on its own sheet."
            )
    # two cells at least: a pair (a title may name one number: "Portal ID | 4412345")
    ids = [i for i, cells in enumerate(above) if sum(map(looks_like_id, cells[:ID_COLUMNS])) > 1]
    if ids:
        rows = _row_list([first_row + i for i in ids])
        shown = next(one_cell_text(c).strip() for c in above[ids[0]] if looks_like_id(c))
        raise _not_read(
            where, header_row, rows, "hold what look like record ids", shown, ids[0] + first_row
        )


def check_values_above(
    above: Sequence[Sequence[object]],
    first_row: int,
    header_row: int,
    headers: Sequence[str],
    mapping: ColumnMapping,
    request: Request,
    where: str,
    below: Sequence[Sequence[object]] = (),
) -> None:
    """InputError naming the rows above the header row (``above``; Excel row ``first_row`` is
    the first) that read as rows of the table (:func:`_reads_as_data`): two values of the
    columns the header maps (an id, an email, a domain, a type id, a limit), or a record id
    and a label.  A record id counts when it has as many digits as the ids of its column in
    the rows ``below`` the header (a first sample) do, give or take one for two values and
    exactly for one beside a label: a title row's number ("Portal | 4412345 | production",
    "2024 | Q3 | ...") is not one.  A value under each side, or under one side beside a label
    with no word under the other, counts with ids of any length (:func:`_holds_pair`: old
    portals' 2-4 digit ids beside 11-digit ones), except a row of counts under a row naming
    the objects ("Deals | Contacts", then "80 | 240": :func:`_under_names`).  In a limits sheet
    a limit beside a label or two object types counts too (:class:`_LimitLayout`).  Rows of
    emails and domains sorted above their header (Excel's Sort with "My data has headers"
    off), and pairs of short ids, were dropped as a title, without a word."""
    shape = row_shape(headers, mapping, request, below)
    if shape is None:
        return
    found = [i for i, cells in enumerate(above) if _reads_above(above, i, shape)]
    if found:
        rows = _row_list([first_row + i for i in found])
        what = "read as rows of the table"
        shown = shape.shown(above[found[0]])
        raise _not_read(where, header_row, rows, what, shown, found[0] + first_row)


def _reads_above(above: Sequence[Sequence[object]], i: int, shape: RowShape) -> bool:
    """Whether row ``i`` of ``above`` reads as a row of the table (see
    :func:`check_values_above`)."""
    if shape.reads_as_row(above[i]):
        return True
    if _numbers_columns(above[i]):
        return False
    return _holds_pair(above[i], shape.tests) and not _under_names(above, i, shape.tests)


def _numbers_columns(cells: Sequence[object]) -> bool:
    """A row numbering the columns below it ("1 | 2 | 3", from 0 or 1, each one more than the
    one before): a template's layout, not a pair of short ids."""
    texts = [one_cell_text(c).strip() for c in cells]
    filled = [t.removesuffix(".0") for t in texts if t]
    if len(filled) < 2 or not all(t.isdigit() and t.isascii() for t in filled):
        return False
    numbers = [int(t) for t in filled]
    return numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _holds_pair(cells: Sequence[object], tests: Mapping[int, Callable[[str], bool]]) -> bool:
    """A value under each side (record ids of any length, emails, domains), or under one side
    beside a label with no word under the other ("1234 | | Champion"; "Version | 3 | final"
    is a title): the row of a pair, or half of one, whatever its ids' length.  Two digits
    written with a leading zero ("2026 | 01", a period) are a date's part, not a record id."""
    sides = [(test, _unmarked(_cell(cells, p))) for p, test in tests.items() if test in _SIDES]
    values = sum(bool(text) and test(text) and not _zero_led(text) for test, text in sides)
    words = sum(bool(text) and not test(text) for test, text in sides)
    label = any(test is bool and _unmarked(_cell(cells, p)) for p, test in tests.items())
    return values >= 2 or (values == 1 and label and not words)


def _zero_led(text: str) -> bool:
    """A number of two digits with a leading zero ("01", "09"): a month or a day.  Longer ones
    ("0101", "007") may be short ids a text column kept zeros before: they count."""
    return len(text) == 2 and text.isdigit() and text.startswith("0")


def _under_names(
    above: Sequence[Sequence[object]], i: int, tests: Mapping[int, Callable[[str], bool]]
) -> bool:
    """Row ``i`` a row of counts under a row naming the objects over each of its sides'
    values ("Deals | Contacts", then "80 | 240"): a summary, not a pair."""
    if i == 0:
        return False
    filled = [p for p, test in tests.items() if test in _SIDES and _unmarked(_cell(above[i], p))]
    return all(_names_object_type(_cell_at(above[i - 1], p)) for p in filled)


def _cell(cells: Sequence[object], position: int) -> object:
    return cells[position] if position < len(cells) else ""


@dataclass(frozen=True)
class RowShape:
    """What a row of a sheet's table holds (see :func:`check_values_above`): two values of
    the columns the header maps, or a record id and a label, at their positions; a limit
    beside two object types or a label in a limits sheet.  Rows above the header and lines a
    stray CSV quote took into one cell are read by it."""

    tests: Mapping[int, Callable[[str], bool]]
    lengths: Mapping[int, set[int]]  # position of a record id column -> its ids' digit counts
    limit: _LimitLayout | None

    def reads_as_row(self, cells: Sequence[object]) -> bool:
        """Whether ``cells`` (by position) read as a row of the table."""
        limit = self.limit is not None and self.limit.reads_as_limit(cells)
        return limit or _reads_as_data(cells, self.tests, self.lengths)

    @property
    def any_length(self) -> RowShape:
        """The shape with record ids of any length (a row's whole line: ids of a length its
        sample did not show)."""
        return replace(self, lengths={})

    def shown(self, cells: Sequence[object]) -> str:
        """The first value of a row that reads as one (its limit in a limits sheet)."""
        if self.limit is not None and self.limit.reads_as_limit(cells):
            return self.limit.limit_of(cells)
        return next(iter(_values_in(cells, self.tests)), "")


def row_shape(
    headers: Sequence[str],
    mapping: ColumnMapping,
    request: Request,
    below: Sequence[Sequence[object]],
) -> RowShape | None:
    """The shape of a row of the table ``headers`` heads (``below``: a first sample of its
    rows, for the digit counts of its ids), or None when a row cannot be told from other
    lines (fewer than two columns of values, no limit column)."""
    tests = _value_tests(headers, mapping, request)
    limit = _limit_layout(headers, mapping) if request.kind == "limits" else None
    if len(tests) < 2 and limit is None:
        return None
    return RowShape(tests, _id_lengths(below, tests), limit)


def _id_lengths(
    below: Sequence[Sequence[object]], tests: Mapping[int, Callable[[str], bool]]
) -> dict[int, set[int]]:
    """Position of each record id column -> the digit counts of its ids in ``below``."""
    out: dict[int, set[int]] = {}
    for position, test in tests.items():
        if test is not _is_record_id:
            continue
        texts = (_unmarked(r[position]) if position < len(r) else "" for r in below)
        found = {len(t.split(".")[0]) for t in texts if t and _is_whole(t)}
        if found:
            out[position] = found
    return out


def _reads_as_data(
    cells: Sequence[object],
    tests: Mapping[int, Callable[[str], bool]],
    lengths: Mapping[int, set[int]],
) -> bool:
    """A row above the header that reads as a row of the table (see :func:`check_values_above`)."""
    values, ids, label = 0, 0, False
    for position, test in sorted(tests.items()):
        text = _unmarked(cells[position]) if position < len(cells) else ""
        if not text or not test(text):
            continue
        if test is bool:
            label = True
            continue
        seen = lengths.get(position)
        digits = _id_digits(text)
        if test is _is_record_id and seen and not min(seen) - 1 <= digits <= max(seen) + 1:
            continue  # a number of a title (a year, a count), not one of these ids
        values += 1
        ids += test is _is_record_id and (not seen or digits in seen)
    return values >= 2 or (label and ids >= 1)


@dataclass(frozen=True)
class _LimitLayout:
    """Positions of a limits sheet's limit, label and type columns (None: not in the sheet):
    a row above the header reads as a row of the table when it holds a limit HubSpot takes (1
    to 10000) or a remove word beside two cells that both read as object types ("deals |
    contacts | | 25", an object limit; a label's limit too), or, in a sheet without type
    columns, beside a label.  A title's number beside nothing else
    ("Max contacts per deal | | | | 25": no object type), a group row ("Deals | Contacts",
    no limit) and a notes row ("1 to 10000") are read past."""

    limit: int
    label: int | None
    types: tuple[int, int] | None

    def limit_of(self, cells: Sequence[object]) -> str:
        """The row's limit cell, when it reads as one ("" otherwise)."""
        text = _cell_at(cells, self.limit)
        return text if _is_limit_value(text) else ""

    def reads_as_limit(self, cells: Sequence[object]) -> bool:
        """A limit beside two object types (a label's or the object limit), or, in a sheet
        without type columns, beside a label: a row of a sheet with type columns carries its
        types, so "Portal | 4412345 | Revision | 2" is a title."""
        if not self.limit_of(cells):
            return False
        if self.types is not None:
            return all(_names_object_type(_cell_at(cells, p)) for p in self.types)
        return self.label is not None and bool(_cell_at(cells, self.label))


def _limit_layout(headers: Sequence[str], mapping: ColumnMapping) -> _LimitLayout | None:
    """The columns of a limits sheet the rows above its header are read by (None: no limit
    column)."""

    def at(canonical: str) -> int | None:
        header = mapping.columns.get(canonical)
        return headers.index(header) if header in headers else None

    limit, src, dst = at("max_to_object_ids"), at("from_type"), at("to_type")
    if limit is None:
        return None
    types = None if src is None or dst is None else (src, dst)
    return _LimitLayout(limit, at("label"), types)


def may_be_limit_row(cells: Sequence[object]) -> bool:
    """Whether a row of a sheet whose columns were not all recognised may be a limits row: a
    limit (1 to 10000, or a remove word) beside two cells that read as object types
    (``deals | contacts | Champion | 5``), in any columns (:class:`_LimitLayout` with the
    positions unknown).  A note or a label lookup names no two object types beside a limit."""
    texts = [one_cell_text(c).strip() for c in cells[:ID_COLUMNS]]
    types = [i for i, t in enumerate(texts) if _names_object_type(t)]
    if len(types) < 2:
        return False
    return any(_is_limit_value(t) for i, t in enumerate(texts) if i not in types)


def may_head_a_side(cell: object, request: Request) -> bool:
    """Whether a header cell of a sheet left unread may head one side's record ids in a pair:
    by its words (:func:`~hubframe.io.aliases.names_a_side`: a record object's name or its
    ids', a side's, none), a custom object's (``p_cars``, ``2-1234``, ``p_cars ID``), or a
    column the read knows (a label or type column over ids: a header out of step with its
    cells says nothing of them).  A header naming a measure or another system's key
    (:func:`~hubframe.io.aliases.names_a_measure`: ``Telefon``, ``Umsatz``, ``Rechnungsnummer``,
    ``External ID``) heads no side's ids, however many digits its numbers have, unless it names
    an object's number or key alone (:func:`~hubframe.io.aliases.names_an_objects_key`:
    ``Customer number``, ``Kontaktnummer``, ``Ticket no``: maybe that object's ids), or does so
    but for a note (:func:`~hubframe.io.aliases.notes_a_side`: ``Contact ID (Sales team)``,
    ``Contact (date added)``, ``Kontakt-Nr. (Datum)``, ``Contact ID - form leads``); a header of
    words neither list knows may (an object named in a language hubframe does not know:
    ``Affär``, ``Car ID``): such a sheet is said, never passed over in silence.  Limits rows are
    told by their cells (:func:`may_be_limit_row`)."""
    text = one_cell_text(cell).strip()
    if names_a_side(text) or names_an_objects_key(text) or request.score([text]) > 0:
        return True
    if notes_a_side(text):  # "Contact ID (Sales team)", "Kontakt-Nr. (Datum)": its note apart
        return True
    if _names_object_type(_ID_TAIL.sub("", text)):
        return True
    return not names_a_measure(text)  # a word not known: an object of a language not known?


#: An id word ending a header (``p_cars ID``, ``2-1234_ids``).
_ID_TAIL: Final = re.compile(r"[\s_-]*ids?$", re.IGNORECASE)


def _names_object_type(text: str) -> bool:
    return bool(text) and is_valid_object_type(canonical_object_type(text) or "")


def _cell_at(cells: Sequence[object], position: int) -> str:
    return one_cell_text(cells[position]).strip() if position < len(cells) else ""


def _is_limit_value(text: str) -> bool:
    """A limit HubSpot takes (1 to 10000: a title's number, "4412345", is none) or a word
    that removes one."""
    if is_purge_word(text):
        return True
    digits = whole_digits(text) if text else None
    return digits is not None and len(digits) <= 5 and 1 <= int(digits) <= MAX_LIMIT_VALUE


def _not_read(where: str, header: int, rows: str, what: str, shown: str, row: int) -> InputError:
    return InputError(
        f"{where}: the header is row {header}, and {rows} above it {what} ('{shown}' in row "
        f"{row}): they would not be read. Put every row below one header row (the table's "
        "first row), or delete those rows if they are a title."
    )


#: A cell that reads as a value of a column: a whole number of 1-18 digits (type ids,
#: limits), of 1-19 (record ids), an email (no spaces, an "@"), a domain (labels between dots).
_WHOLE: Final = re.compile(r"[0-9]{1,18}(\.0+)?")
_RECORD_ID: Final = re.compile(r"[0-9]{1,19}(\.0+)?")
_SCIENTIFIC: Final = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?([0-9]{1,2})")
_DOMAIN: Final = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63}\.?")
_LIMIT_WORDS: Final = frozenset({"remove", "remove limit", "no limit"})


def _value_tests(
    headers: Sequence[str], mapping: ColumnMapping, request: Request
) -> dict[int, Callable[[str], bool]]:
    """Position of each column the header maps whose cells a row of data fills -> whether a
    cell (trimmed, not empty) reads as one of its values.  Types and categories are left out:
    a group row names objects ("Deals | Contacts")."""
    properties = request.properties(mapping)
    tests: dict[int, Callable[[str], bool]] = {}
    for canonical, header in mapping.columns.items():
        if header not in headers:
            continue
        test: Callable[[str], bool] | None = None
        if canonical in ("from_id", "to_id"):
            test = _id_test(properties.get(canonical.removesuffix("_id")))
        elif canonical == "label":
            test = bool
        elif canonical == "type_id":
            test = _is_whole
        elif canonical == "max_to_object_ids":
            test = _is_limit
        if test is not None:
            tests[headers.index(header)] = test
    return tests


def _id_test(prop: str | None) -> Callable[[str], bool]:
    if prop is None:
        return _is_record_id
    if prop == "email":
        return _is_email
    if prop == "domain":
        return _is_domain
    return _is_token


def _is_whole(text: str) -> bool:
    return _WHOLE.fullmatch(text) is not None


def _is_record_id(text: str) -> bool:
    """A record id's cell (a whole number of up to 19 digits, HubSpot's longest ids, or one
    Excel wrote in scientific notation): the test of a column of record ids."""
    return _RECORD_ID.fullmatch(text) is not None or _SCIENTIFIC.fullmatch(text) is not None


def _id_digits(text: str) -> int:
    """The digits of a whole number's cell (before its ``.0``), or of one in scientific
    notation (its exponent and one)."""
    scientific = _SCIENTIFIC.fullmatch(text)
    return int(scientific.group(1)) + 1 if scientific else len(text.split(".")[0])


def _is_email(text: str) -> bool:
    return "@" in text and not any(c.isspace() for c in text)


def _is_domain(text: str) -> bool:
    return _DOMAIN.fullmatch(text) is not None


def _is_token(text: str) -> bool:
    return not any(c.isspace() for c in text)


def _is_limit(text: str) -> bool:
    return _is_whole(text) or " ".join(text.split()).casefold() in _LIMIT_WORDS


#: The tests of the sides' columns (record ids, or the property a side is looked up by).
_SIDES: Final = frozenset({_is_record_id, _is_email, _is_domain, _is_token})


def _values_in(cells: Sequence[object], tests: Mapping[int, Callable[[str], bool]]) -> list[str]:
    """The cells of a row that read as values of their columns (``tests``), in order."""
    out = []
    for position, test in sorted(tests.items()):
        cell = cells[position] if position < len(cells) else ""
        if (text := _unmarked(cell)) and test(text):
            out.append(one_cell_text(cell).strip())
    return out


def _rows_it_heads(
    above: Sequence[Sequence[object]], i: int, request: Request, where: str
) -> list[int]:
    """The rows below row ``i`` of ``above`` (a header row of this kind itself) that read as
    rows of its table: a cell of digits (an id), or a value of a column it maps (an email
    under its email column, a domain, a label: :func:`_value_tests`).  A group row's headings
    below it ("From | To", then "Deal | Contact") are none: a title."""
    headers = [one_cell_text(c) for c in above[i]]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tests = _value_tests(headers, request.match(headers, where, above[i + 1 :]), request)
    except HubframeError:  # headings that map no table: only cells of digits count
        tests = {}
    return [
        j
        for j in range(i + 1, len(above))
        if any(map(_digits, above[j][:ID_COLUMNS])) or _values_in(above[j], tests)
    ]


def _digits(cell: object) -> bool:
    """A cell of digits only (an id of any length), or written as an id
    (:data:`~hubframe.io.cells.RECORD_ID`): a row of data, not of headings."""
    return _unmarked(cell).isdigit() or looks_like_id(cell)


def _unmarked(cell: object) -> str:
    """A cell's trimmed text without Excel's text marker or ``="..."`` around it, as an id
    column reads it."""
    text = one_cell_text(cell).strip()
    formula = TEXT_FORMULA.fullmatch(text)
    if formula:
        return formula.group(1).strip()
    return text[1:].strip() if text.startswith("'") else text


def _row_list(rows: list[int]) -> str:
    more = f" and {len(rows) - 5:,} more" if len(rows) > 5 else ""
    shown = ", ".join(map(str, rows[:5])) + more
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}"


# --- DataFrame input ------------------------------------------------------------------------------


def frame_sheet(frame: pd.DataFrame, request: Request) -> RawSheet:
    frame = _unviewed(frame)
    cells = [str(c) for c in frame.columns]
    headers = clean_headers(cells)
    preview = frame.head(SAMPLE_CELLS).to_numpy(dtype=object).tolist()
    try:
        mapping = request.match(headers, request.source_name, preview)
    except HeaderError as exc:
        raise _index_hint(exc, frame, request) from None
    _refuse_index_of_ids(frame, request)
    rows = np.arange(len(frame), dtype=np.int64) + FIRST_ROW
    for header in mapping.columns.values():  # the columns read, not the sheet's others
        if header in headers:
            column = frame.iloc[:, headers.index(header)]
            refuse_rounded(column, header, request.source_name, index=frame.index)
    _refuse_odd_cells(frame, headers, mapping, request, rows)
    columns = [frame_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    written = written_headers(cells, headers)
    raw = RawSheet("", headers, columns, rows, mapping, written=written, index=frame.index)
    return replace(
        raw,
        literal_labels=_frame_labels(raw, "label"),
        literal_inverses=_frame_labels(raw, "inverse_label"),
    )


#: The fields whose cells are refused row by row unless they read as a whole number (an id,
#: a type id, a limit): an odd cell's text (``b'2040000001'``) is one more such row.
_WHOLE_FIELDS: Final = frozenset({"from_id", "to_id", "type_id", "max_to_object_ids"})


def _refuse_odd_cells(
    frame: pd.DataFrame,
    headers: list[str],
    mapping: ColumnMapping,
    request: Request,
    rows: IntArray,
) -> None:
    """InputError naming the first cell of a column the read takes (a label, an inverse label,
    a name, a type, a category, a property value) that holds bytes or several values (a list,
    a tuple, a dict, an array): its text (``b'Sponsor'``) was the label created.  Columns of
    whole numbers (record ids, type ids, limits) refuse such a cell on its row; the others
    keep what they hold."""
    properties = request.properties(mapping)
    for canonical, header in mapping.columns.items():
        side = canonical.removesuffix("_id")
        if header not in headers or (canonical in _WHOLE_FIELDS and side not in properties):
            continue
        cells = label_cells(frame.iloc[:, headers.index(header)], canonical)
        if cells is not None:
            refuse_odd_cells(
                cells, header, request.source_name, rows.tolist(), canonical, frame.index
            )


def _unviewed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow ``string_view`` / ``binary_view`` columns (polars' own text)
    as ``large_string`` / ``large_binary`` ones, which pandas and Arrow take everywhere: one
    such column, even the analyst's own, stopped the read ("the file could not be read")."""
    viewed = [i for i, dtype in enumerate(frame.dtypes) if _view_type(dtype) is not None]
    if not viewed:
        return frame
    out = frame.copy(deep=False)
    out.attrs = {}  # each column set would deep-copy them
    for i in viewed:
        out.isetitem(i, _unviewed_column(frame.iloc[:, i]).array)
    out.attrs = frame.attrs
    return out


def _view_type(dtype: object) -> pa.DataType | None:
    """The Arrow type a view column of ``dtype`` is read as; None for another column."""
    if not isinstance(dtype, pd.ArrowDtype):
        return None
    if pa.types.is_string_view(dtype.pyarrow_dtype):
        return pa.large_string()
    if pa.types.is_binary_view(dtype.pyarrow_dtype):
        return pa.large_binary()
    return None


def _unviewed_column(column: pd.Series) -> pd.Series:
    """A view column (:func:`_view_type`) cast to the Arrow type it is read as; another as it
    is."""
    kind = _view_type(column.dtype)
    if kind is None:
        return column
    cast = pa.chunked_array(column.array.__arrow_array__()).cast(kind)
    return pd.Series(pd.arrays.ArrowExtensionArray(cast), index=column.index, name=column.name)


def _frame_labels(raw: RawSheet, field: str) -> frozenset[int]:
    """Rows whose label (or inverse label: ``field``) cell starts with "=" or reads as a
    spreadsheet error (``#N/A``): a DataFrame's cell is a value, never a formula waiting for
    its value nor an error cell, so it is the label (a portal's label named ``=SUM(A1)``, read
    by ``read_associations``); an error's text pandas read from a workbook names no label, and
    is refused as unknown."""
    cells = raw.cells(field)
    if cells is None:
        return frozenset()
    starts = pc.starts_with(pc.utf8_ltrim_whitespace(cells), UNCOMPUTED).fill_null(False)
    marked = np.asarray(starts.to_numpy(zero_copy_only=False), dtype=bool) | error_mask(cells)
    return frozenset(int(row) for row in raw.rows[np.flatnonzero(marked)])


def _index_hint(exc: HeaderError, frame: pd.DataFrame, request: Request) -> HeaderError:
    """``exc``, naming the frame's index when it has a name (ids moved there by
    ``set_index("from_id")`` are not a column, so they were "no column for the record id"):
    for a sheet not recognised, or an index named as a column the read takes
    (:func:`_index_of_ids`)."""
    named = [str(name) for name in frame.index.names if name is not None]
    if not named or not (exc.unrecognised or _index_of_ids(frame, request)):
        return exc
    shown = ", ".join(f"'{name}'" for name in named)
    hint = (
        f" The frame's index is named {shown}, and an index is not read: pass "
        "frame.reset_index() to read it as a column."
    )
    return HeaderError(
        exc.where,
        exc.detail + hint,
        unrecognised=exc.unrecognised,
        unguessed=exc.unguessed,
        looks_like=exc.looks_like,
    )


#: The fields an index must not be named as: its cells would be the pairs' records or types.
_INDEX_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "pairs": frozenset({"from_id", "to_id", "from_type", "to_type"}),
    "limits": frozenset({"from_type", "to_type"}),
}


def _refuse_index_of_ids(frame: pd.DataFrame, request: Request) -> None:
    """InputError when the frame's index (or a level of it) is named as a record id or object
    type column the read would take (``Deal ID``, ``Record ID``, ``from_id``, ``From``): an
    index is not read, so after ``df.set_index("Deal ID")`` the pairs were read from the
    other columns (contacts -> companies) without a word.  An index of row numbers, one that
    repeats a column of its name (``set_index(..., drop=False)``) and the frames hubframe
    gives (exports, reports read back; a read frame or result table is not read again) are
    read as before."""
    named = _index_of_ids(frame, request)
    if not named:
        return
    shown = ", ".join(f"'{name}'" for name in named)
    one = len(named) == 1
    raise InputError(
        f"{request.source_name}: the frame's index {'is' if one else 'levels are'} named "
        f"{shown}, as {'a column' if one else 'columns'} of record ids or object types "
        "hubframe reads, but an index is not read: its cells would be left out and the pairs "
        "read from the other columns. Call frame.reset_index() first to read it as a column, "
        "or drop it (frame.reset_index(drop=True)) if it holds no ids."
    )


def _index_of_ids(frame: pd.DataFrame, request: Request) -> list[str]:
    """The names of the frame's index levels that name a record id or object type column the
    read takes (see :func:`_refuse_index_of_ids`), holding other than row numbers."""
    if len(frame) == 0 or _hubframes(frame):
        return []
    fields = _INDEX_FIELDS.get(request.kind, frozenset())
    found = []
    for level, name in enumerate(frame.index.names):
        if name is None or not isinstance(name, str | int):
            continue
        text = str(name)
        if not (request.score([text]) > 0 and _names_field(text, request.kind, fields)):
            continue
        values = frame.index.get_level_values(level)
        if _row_numbers(frame.index, values) or _repeats_column(frame, name, values):
            continue
        found.append(text)
    return found


def _names_field(text: str, kind: Kind, fields: frozenset[str]) -> bool:
    """Whether a header ``text`` names one of ``fields`` (a record id or type column)."""
    marked = field_mark(text)[1]
    if marked is not None:
        return marked in fields
    key = header_key(text)
    if key in SIDE_KEYS or alias_field(text) in fields:
        return True
    return kind == "pairs" and (key in TYPED_HEADERS or key in PROPERTY_HEADERS)


def _hubframes(frame: pd.DataFrame) -> bool:
    """A frame hubframe gave (an export, a report read back: its ``attrs`` say so)."""
    info = frame.attrs.get("hubframe")
    return isinstance(info, Mapping) and bool(info)


def _row_numbers(index: pd.Index, values: pd.Index) -> bool:
    """An index of row numbers: a RangeIndex, or 0, 1, 2... (1, 2, 3...) as numbers or text
    (a frame saved with its index and read back with ``index_col``)."""
    if isinstance(index, pd.RangeIndex):
        return True
    first = str(values[0]).strip()
    if first not in ("0", "1"):
        return False
    texts = [str(v).strip() for v in values]
    return texts == [str(n) for n in range(int(first), int(first) + len(texts))]


def _repeats_column(frame: pd.DataFrame, name: object, values: pd.Index) -> bool:
    """Whether the frame holds a column of the index's name with its cells
    (``set_index("Deal ID", drop=False)``): that column is read."""
    at = [i for i, c in enumerate(frame.columns) if c == name]
    if len(at) != 1:
        return False
    column = frame.iloc[:, at[0]]
    return bool(np.array_equal(column.astype(str).to_numpy(), values.astype(str).to_numpy()))


def frame_column(s: pd.Series) -> Text:
    """A DataFrame column's cells as the reader's text (numbers as their digits)."""
    s = _unviewed_column(s)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _categorical_text(s)
    if s.dtype != object and pd.api.types.is_string_dtype(s.dtype):
        return filled(as_text(s))  # Arrow-backed text: no copy
    narrow = narrow_text(s)  # float32 / float16: their own digits
    if narrow is not None:
        return narrow
    return cells_to_arrow(s.to_numpy(dtype=object))


def _categorical_text(s: pd.Series) -> Text:
    """A categorical column's text: each cell its category's text (code -1, a missing cell,
    ""), the categories read as a column of their own dtype.  Through ``to_numpy`` a
    categorical of int64 ids with a missing cell went through float64: 123456789012345678
    read '1.2345678901234568e+17', refused as an id Excel shortened."""
    categories = frame_column(pd.Series(s.cat.categories))
    codes = s.cat.codes.to_numpy(dtype=np.int64)
    missing = codes < 0
    taken = pc.take(categories, pa.array(np.where(missing, 0, codes), mask=missing))
    return filled(chunked(taken))
