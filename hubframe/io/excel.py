"""Excel workbooks: checked bytes, the sheets to read, cells as Arrow text.

A workbook is checked before an engine sees it (:mod:`hubframe.io.guard`), then read by
python-calamine (openpyxl when calamine fails) and converted column by column with Arrow and
numpy (:func:`hubframe.io.cells.cells_to_arrow`).

Which sheets (``sheet=`` / ``--sheet``):

* ``None`` (the default): the first *visible* sheet whose columns hubframe recognises; hidden
  sheets, chart sheets and sheets without recognised columns before it are skipped (and noted).
  When it has no rows (a template) and one later visible sheet has recognised columns and rows,
  that one is read instead; with several, the read stops and asks which.  A retry workbook
  hubframe marked (:mod:`hubframe.io.retrymark`) is read for the sheets its mark names (the
  ones hubframe wrote, as ``"*"`` reads them; all of them for a mark naming none, or naming
  one gone): a sheet the analyst added holding rows is left out and warned of;
* ``"*"``: every visible sheet with recognised columns; the others are skipped and noted, and
  only a workbook with none is an error.  Hidden sheets are never read by ``"*"``;
* a name (exact, else ignoring case and edge spaces: refused when that matches several sheets):
  that sheet, hidden or not; a chart sheet named is refused as one;
* a position, an int or text that is a whole number and no sheet's name: counted from 0 in the
  workbook's order, hidden sheets included (``-1`` is the last).  A sheet *named* "2" is
  reached by ``"2"``; position 2 is then ``2`` (an int) from Python.

"Recognised" means the sheet has the columns every sheet of its kind has (record ids for
pairs, the limit for limits).  A sheet that has them but needs a choice (no object type, two
candidate id columns) is never skipped: the read stops with that sheet's error rather than
read another sheet instead.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import tempfile
import warnings
import weakref
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from typing import Any, Final, TypeVar

import numpy as np
import pyarrow.compute as pc

from hubframe.errors import HubframeWarning, InputError
from hubframe.io.bounds import STYLES_MAX_BYTES, ReadLimits, hint, read_limits_in_force
from hubframe.io.cells import cells_to_arrow, looks_like_id, one_cell_text, written_headers
from hubframe.io.columns import (
    ColumnMapping,
    HeaderError,
)
from hubframe.io.escapes import decoded_escapes, shared_strings
from hubframe.io.guard import (
    CheckedBook,
    Unreadable,
    checked_book,
    folded,
    recalculates,
    refuse_legacy_excel,
    sheet_parts,
)
from hubframe.io.hidden import hidden_columns, hidden_rows, may_hide_rows
from hubframe.io.labelcells import LABEL_FIELDS, refuse_label_cells
from hubframe.io.merges import Filled, Merge, Overlap, fill_merged, ranges, xml_merges
from hubframe.io.numfmt import (
    LAST_DATE,
    Formats,
    Unchecked,
    conditional_formats,
    hides_text,
    misleading_formats,
    shows_as_date,
    shows_number_otherwise,
    shows_other_digits,
    styled_cells,
)
from hubframe.io.retrymark import RetryMark, retry_mark
from hubframe.io.scope import ExportScope, is_scope_header, is_scope_sheet, read_scope
from hubframe.io.sheet import (
    CONTINUES,
    HEADER_SEARCH_ROWS,
    HIDDEN,
    ID_COLUMNS,
    SAMPLE_CELLS,
    HeaderRow,
    RawSheet,
    Request,
    SheetChoice,
    SkippedSheet,
    check_rows_above,
    check_values_above,
    find_header,
    match_found,
    may_be_limit_row,
    may_head_a_side,
    row_headers,
)
from hubframe.io.sheet_errors import (
    UNCOMPUTED,
    ErrorCell,
    TooMany,
    Unplaceable,
    error_cells,
    error_mask,
    may_hold_errors,
    place,
    uncomputed_cells,
)
from hubframe.io.sources import OLE_MAGIC, Loaded, SheetArg, all_bytes
from hubframe.io.sums import Place, aggregate_cells
from hubframe.io.tables import Table, sheet_tables, totals_rows
from hubframe.io.text import IntArray, ObjArray, Text, blank_mask
from hubframe.io.xmltags import column_letters, column_number
from hubframe.redaction import clip

ENCRYPTED_MARK: Final = "EncryptedPackage".encode("utf-16-le")
FIRST_READABLE: Final = "the first visible sheet with recognised columns"
#: How a sheet read instead of an empty one before it (a template's headers) was chosen.
ONLY_WITH_ROWS: Final = "the only visible sheet with recognised columns and rows"
#: The reason the first sheet with recognised columns is skipped for the one with rows.
NO_ROWS: Final = "it has recognised columns but no rows"
#: How the reason of a later sheet of the kind read, left out by the default read, begins.
_UNREAD: Final = "it has recognised columns and rows too"
#: The reason a sheet none of whose columns is recognised is skipped.
NO_COLUMNS: Final = "no recognised columns"
_SPARE: Final = 1024  # error or formula cells a sheet may name beyond twice its cells


#: What openpyxl adds to its own errors, which a reader of hubframe's message cannot follow.
_ENGINE_ADVICE = re.compile(r"\s*This is most probably because.*", re.DOTALL)


def _said(exc: BaseException | None, most: int = 200) -> str:
    """An engine's error as one short line (no line breaks, no advice to read a traceback)."""
    text = " ".join(_ENGINE_ADVICE.sub("", str(exc)).split())
    return text if len(text) <= most else text[: most - 1] + "…"


@dataclass
class Grid:
    name: str
    cells: list[list[Any]]
    first_row: int  # Excel row number of cells[0]
    hidden: frozenset[int] = frozenset()  # Excel row numbers of hidden rows
    hiding: bytes | None = None  # the sheet's XML when it hides rows or columns (hidden.py)
    merged: list[Merge] = field(default_factory=list)  # merged ranges (Excel numbers)
    first_col: int = 1  # Excel column number of cells[...][0]
    #: (Excel row, column) of formula cells without a value, placed as "=formula" text
    formulas: frozenset[tuple[int, int]] = frozenset()
    #: (Excel row, column) of error cells (``#N/A``); None when they could not be told apart
    #: from text cells holding an error's text (which are read as errors then)
    errors: frozenset[tuple[int, int]] | None = frozenset()
    #: the sheet's XML and the formats that show cells otherwise (numfmt), when any may
    styling: tuple[bytes, Formats] | None = None
    #: the sheet's XML and the number formats of its styles other than General (style index
    #: -> code), when the workbook has any: what a label cell holding a number shows
    numbers: tuple[bytes, dict[int, str]] | None = None
    #: Excel rows that are an Excel table's totals row -> the table's name (io.tables)
    totals: dict[int, str] = field(default_factory=dict)
    #: the sheet's Excel tables (io.tables), whose columns structured references name
    tables: list[Table] = field(default_factory=list)
    #: the sheet's XML, for the formulas that total their own column (io.sums)
    part: bytes = b""


def workbook_checked(loaded: Loaded, limits: ReadLimits) -> CheckedBook:
    """The workbook once checked (:mod:`hubframe.io.guard`): what the engines may open, and
    how many cells each sheet reaches."""
    data = all_bytes(loaded)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise InputError(
                f"{loaded.name}: the workbook is password-protected. Open it in Excel, remove "
                "the password (File > Info > Protect Workbook > Encrypt with Password), save, "
                "and try again."
            )
        raise refuse_legacy_excel(loaded.name)
    return checked_book(data, loaded.name, limits)


def excel_sheets(checked: CheckedBook, sheet: SheetArg, request: Request) -> list[RawSheet]:
    """The raw sheets ``sheet`` names (see :func:`pick_sheet`); ``request.choice`` says which
    were read and which were left out, and why."""
    book = Workbook(checked, request.source_name, request.limits, request.syntax.named("sheet"))
    named_scope = isinstance(sheet, str) and is_scope_sheet(sheet.strip())
    scope_sheets = [] if request.kind != "pairs" or named_scope else _scope_sheets(book)
    if scope_sheets:
        request.export_scope = _read_scope(book, scope_sheets)
    mark = retry_mark(checked.data)
    request.retry_file = mark is not None
    if sheet is None or sheet == "*":
        others = [s for s in book.sheets if s not in scope_sheets]
        if sheet is None and mark is not None:
            return _retry_sheets(book, request, others, mark)
        return _readable_sheets(book, request, every=sheet == "*", sheets=others)
    info, how = pick_sheet(book.sheets, sheet, request)
    raw = _grid_sheet(book.grid(info), request)
    request.choice = SheetChoice([info.name], how, _next_parts(book, info, request))
    return [raw]


def _retry_sheets(
    book: Workbook, request: Request, others: list[SheetInfo], mark: RetryMark
) -> list[RawSheet]:
    """The default read of a retry workbook hubframe marked: the sheets its mark names (all
    of them for a mark naming none), the others left to the usual rules (one holding rows is
    warned of, never read as rows to retry).  A named sheet gone (renamed, deleted) reads all
    of them, saying so: its rows may be under another name."""
    listed = _listed_sheets(others, mark)
    read = _readable_sheets(book, request, every=True, sheets=others if listed is None else listed)
    if request.choice is None:
        return read
    if listed is None:
        _say_whole(request, request.choice, _gone(others, mark))
        return read
    added = [s for s in others if s not in listed]
    left = [_added(found, request) for s in added if (found := _left_out(book, s, request))]
    how = f"a retry file hubframe wrote: the sheets it wrote ({len(listed):,})"
    request.choice = replace(request.choice, how=how, skipped=request.choice.skipped + left)
    return read


#: Why a sheet of a retry workbook that hubframe did not write was not read by default.
ADDED_TO_RETRY: Final = "not one of the sheets hubframe wrote to this retry file (added to it)"


def _say_whole(request: Request, choice: SheetChoice, gone: list[str]) -> None:
    """Note that a retry workbook was read whole; warn when it was since sheets its mark names
    are ``gone``."""
    how = _retry_whole(request, gone)
    request.choice = replace(choice, how=how)
    if gone:
        warnings.warn(f"{request.source_name}: {how}", HubframeWarning, stacklevel=6)


def _added(skipped: SkippedSheet, request: Request) -> SkippedSheet:
    """``skipped``, a sheet holding rows the analyst added to a retry file, saying so."""
    if skipped.hidden:
        return skipped
    if not skipped.reason.startswith(_UNREAD):
        return replace(skipped, reason=f"{ADDED_TO_RETRY}; {skipped.reason}")
    every = request.syntax.option("sheet", "*")
    return replace(skipped, reason=f"{ADDED_TO_RETRY}; {every} reads every sheet, or name it")


def _listed_sheets(others: list[SheetInfo], mark: RetryMark) -> list[SheetInfo] | None:
    """The sheets ``mark`` names, in the workbook's order; None to read them all (a mark
    naming none, or a named sheet gone)."""
    if mark.sheets is None or _gone(others, mark):
        return None
    named = {n.casefold() for n in mark.sheets}
    return [s for s in others if s.name.casefold() in named]


def _gone(others: list[SheetInfo], mark: RetryMark) -> list[str]:
    """The sheets ``mark`` names that the workbook no longer has (renamed, deleted)."""
    present = {s.name.casefold() for s in others}
    return [n for n in mark.sheets or () if n.casefold() not in present]


def _retry_whole(request: Request, gone: list[str]) -> str:
    """How the sheets of a retry workbook hubframe marked were chosen by default: all of them
    (the mark names none, or names sheets ``gone``)."""
    every = request.syntax.option("sheet", "*")
    if not gone:
        return f"a retry file hubframe wrote: all its sheets, as {every} reads them"
    names = ", ".join(f"'{n}'" for n in gone[:3]) + (" ..." if len(gone) > 3 else "")
    return (
        f"a retry file hubframe wrote whose sheet {names} is gone (renamed or deleted): all "
        f"its sheets, as {every} reads them, so that no row to retry is left out"
    )


def _next_parts(book: Workbook, info: SheetInfo, request: Request) -> list[SkippedSheet]:
    """The sheets named as further parts of the one named ("Associations (2)", "(3)", ...:
    how a table longer than a sheet is written) that hold rows: left out, they are noted, so
    that a sync that may remove stops rather than remove what they list."""
    by_name = {s.name: s for s in book.sheets}
    out: list[SkippedSheet] = []
    part = 2
    while (following := by_name.get(f"{info.name} ({part})")) is not None:
        if following.worksheet and _holding_rows(book, following, request) is not None:
            every = request.syntax.option("sheet", "*")
            reason = f"{CONTINUES} '{info.name}' (a table longer than a sheet); {every} reads both"
            out.append(SkippedSheet(following.name, reason, holds_rows=True))
        part += 1
    return out


def _scope_sheets(book: Workbook) -> list[SheetInfo]:
    """The sheets holding an export's scope (:mod:`hubframe.io.scope`): named so, with its
    header; never read as pairs."""
    named = [s for s in book.sheets if s.worksheet and is_scope_sheet(s.name)]
    return [s for s in named if _scope_header(book, s)]


def _scope_header(book: Workbook, info: SheetInfo) -> bool:
    head = book.head(info, 1)
    return bool(head.cells) and is_scope_header([one_cell_text(c) for c in head.cells[0]])


def _read_scope(book: Workbook, sheets: list[SheetInfo]) -> ExportScope:
    """The export's scope: the ids of its sheets (a scope longer than a sheet goes on in
    "Export scope (2)", ...), in order."""
    parts: list[ExportScope] = []
    for info in sheets:
        grid = book.grid(info)
        rows = ([one_cell_text(c) for c in row] for row in grid.cells[1:])
        parts.append(read_scope(info.name, rows, grid.first_row + 1))
    ids = dict.fromkeys(i for part in parts for i in part.ids)
    filled = [part for part in parts if part.ids] or parts
    first = filled[0]
    for part in filled[1:]:
        if (part.from_type, part.to_type) != (first.from_type, first.to_type):
            raise InputError(
                f"sheet '{part.sheet}' names {part.from_type} -> {part.to_type}, and sheet "
                f"'{first.sheet}' {first.from_type} -> {first.to_type}. An export's scope lists "
                "the records of one object pair: correct the sheet, or delete the scope sheets "
                "to sync only the records the other sheet lists."
            )
    return ExportScope(first.from_type, first.to_type, tuple(ids), first.sheet)


def _readable_sheets(
    book: Workbook, request: Request, *, every: bool, sheets: list[SheetInfo] | None = None
) -> list[RawSheet]:
    """The first visible sheet with recognised columns, or (``every``) all of them, among
    ``sheets`` (default: the workbook's)."""
    infos = book.sheets if sheets is None else sheets
    read: list[RawSheet] = []
    skipped: list[SkippedSheet] = []
    for info in infos:
        found = _try_sheet(book, info, request)
        if isinstance(found, SkippedSheet):
            skipped.append(found)
            continue
        read.append(found)
        if not every:
            later = infos[infos.index(info) + 1 :]
            left = [s for o in later if (s := _left_out(book, o, request)) is not None]
            if not _has_rows(found):
                instead = _instead_of_empty(book, found, left, request)
                if instead is not None:
                    read = [instead]
                    left = [s for s in left if s.name != instead.name]
                    skipped.append(SkippedSheet(found.name, NO_ROWS))
            skipped += left
            break
    if not read:
        raise _nothing_readable(book, request, skipped)
    how = "every visible sheet with recognised columns" if every else FIRST_READABLE
    if any(s.reason == NO_ROWS for s in skipped):
        how = ONLY_WITH_ROWS
    elif not every and not skipped and book.sheets[0].name == read[0].name:
        how = "the first sheet"
    request.choice = SheetChoice([s.name for s in read], how, skipped)
    return read


def _has_rows(raw: RawSheet) -> bool:
    """Whether a sheet holds a cell below its header row (a template's holds none)."""
    return any(not blank_mask(column).all() for column in raw.columns)


def _instead_of_empty(
    book: Workbook, empty: RawSheet, left: list[SkippedSheet], request: Request
) -> RawSheet | None:
    """The first sheet with recognised columns has no rows (an empty template before the
    sheet of data): the one later visible sheet with recognised columns and rows is read
    instead; with several, which one was meant is not clear, and the read stops.  None: no
    later sheet holds such rows (the empty sheet is read: nothing to do)."""
    tables = [s for s in left if s.reason.startswith(_UNREAD) and not s.hidden]
    if not tables:
        return None
    if len(tables) > 1:
        names = ", ".join(f"'{s.name}'" for s in tables)
        raise InputError(
            f"{request.source_name}: sheet '{empty.name}' has recognised columns but no rows, "
            f"and the sheets {names} have rows: which to read is not clear. Name one with "
            f"{request.syntax.option('sheet', 'NAME')}, or read every one with "
            f"{request.syntax.option('sheet', '*')}."
        )
    info = next(i for i in book.sheets if i.name == tables[0].name)
    found = _try_sheet(book, info, request)
    return found if isinstance(found, RawSheet) else None


def _left_out(book: Workbook, info: SheetInfo, request: Request) -> SkippedSheet | None:
    """A later worksheet the default read (the first sheet with recognised columns) leaves
    out that holds rows: a table of the kind being read, or rows of what look like record
    ids under columns that are not recognised (from its first rows); else None."""
    if not info.worksheet:
        return None
    if info.hidden:
        hidden = _hidden(book, info, request)
        return hidden if hidden.holds_rows else None
    return _holding_rows(book, info, request)


def _hidden(book: Workbook, info: SheetInfo, request: Request) -> SkippedSheet:
    """A hidden worksheet, skipped: said to hold rows when its first rows are a table of the
    kind being read or what look like record ids (a sync that may remove stops at it)."""
    held = _holding_rows(book, info, request)
    return SkippedSheet(info.name, HIDDEN, holds_rows=held is not None)


def _holding_rows(book: Workbook, info: SheetInfo, request: Request) -> SkippedSheet | None:
    """Why a worksheet left unread holds rows (see :func:`_left_out`), from its first rows;
    None when it does not.  Whatever of its header is recognised (none of it, a label or type
    id column, one side's ids): rows that may be pairs (or limits) are never left out unsaid."""
    grid = book.head(info, HEADER_SEARCH_ROWS + SAMPLE_CELLS)
    index = find_header(grid.cells, request)
    if index < 0:
        return None
    if _holds_table(grid, index, request):
        return _unread(info.name, request)
    if _in_pairs(grid.cells, index, request):
        return SkippedSheet(info.name, _not_a_table(grid, index, request), holds_rows=True)
    return None


def _in_pairs(cells: list[list[Any]], header: int, request: Request) -> bool:
    """:func:`_holds_ids` for a sheet whose header is recognised in part (a label column, one
    side's ids): a row below the header holding ids in two columns that may be a pair's sides
    (:func:`may_head_a_side`: a header naming a record object or its ids, a side, a column the
    read knows, or none), or two ids in a row at or above it (a header names no title's
    cells).  One id a row beside words and measures is a lookup of records ("Deal ID | Deal
    name | Amount", "Contact ID | Name | Telefon"), not pairs.  A sheet of no recognised
    columns holds rows with one id (its columns say nothing)."""
    if not request.recognises(cells[header]):
        return _holds_ids(cells, header, request)
    above, below = cells[: header + 1], cells[header + 1 : header + 1 + SAMPLE_CELLS]
    if any(sum(map(looks_like_id, row[:ID_COLUMNS])) > 1 for row in above):
        return True
    sides = [p for p, c in enumerate(cells[header][:ID_COLUMNS]) if may_head_a_side(c, request)]
    if any(sum(_id_at(row, p) for p in sides) > 1 for row in below):
        return True
    return request.kind == "limits" and any(map(may_be_limit_row, chain(above, below)))


def _id_at(row: Sequence[Any], position: int) -> bool:
    return position < len(row) and looks_like_id(row[position])


def _not_a_table(grid: Grid, index: int, request: Request) -> str:
    """Why a sheet (header row ``index``) is not read as a table of the kind: none of its
    columns is recognised, or what its recognised ones lack (as a read of it alone says)."""
    if not request.recognises(grid.cells[index]):
        return NO_COLUMNS
    headers, headerless = row_headers(grid.cells[index], request, grid.first_col)
    body = grid.cells[index if headerless else index + 1 :]
    try:
        request.match(headers, grid.name, body, grid.name)
    except HeaderError as exc:
        return exc.detail
    row = grid.first_row + index
    return f"its header, row {row}, heads no rows, and rows above it hold what look like record ids"


def _holds_table(grid: Grid, index: int, request: Request) -> bool:
    """Recognised columns (header row ``index``) and rows below them: a table of the kind
    being read."""
    if not request.recognises(grid.cells[index]):
        return False
    headers, headerless = row_headers(grid.cells[index], request, grid.first_col)
    body = grid.cells[index if headerless else index + 1 :]
    if not any(one_cell_text(cell).strip() for row in body for cell in row):
        return False
    try:
        request.match(headers, grid.name, body, grid.name)
    except HeaderError as exc:
        return not exc.unrecognised
    return True


def _unread(name: str, request: Request) -> SkippedSheet:
    every = request.syntax.option("sheet", "*")
    return SkippedSheet(
        name,
        f"{_UNREAD}, and only the first such sheet is read; {every} reads every sheet, or name "
        "this one",
        holds_rows=True,
    )


def _try_sheet(book: Workbook, info: SheetInfo, request: Request) -> RawSheet | SkippedSheet:
    if not info.worksheet:
        return SkippedSheet(info.name, "not a worksheet (a chart sheet)")
    if info.hidden:
        return _hidden(book, info, request)
    grid = book.grid(info)
    index = find_header(grid.cells, request)
    if index < 0:
        return SkippedSheet(info.name, "empty")
    if not request.recognises(grid.cells[index]):
        return SkippedSheet(info.name, NO_COLUMNS, _holds_ids(grid.cells, index, request))
    try:
        return _grid_sheet(grid, request, index)
    except HeaderError as exc:
        if not exc.unrecognised:
            raise  # a table of this kind that needs a choice (a type, a column): say so
        return SkippedSheet(info.name, exc.detail, _holds_ids(grid.cells, index, request))


def _holds_ids(cells: list[list[Any]], header: int, request: Request) -> bool:
    """Whether the first rows of a sheet left unread (to as many below its header as a read
    samples) hold what look like record ids (whole numbers of 5 to 18 digits; two in a row at
    or above the header, where a title may name one number), or, read for limits, a limit
    beside two object types: pairs or limits whose columns were not (all) recognised, which a
    sync that may remove must not pass over (:func:`hubframe.jobs.sync`).  Bounded: a sheet
    reaching far cells costs no more."""
    above, below = cells[: header + 1], cells[header + 1 : header + 1 + SAMPLE_CELLS]
    if any(sum(map(looks_like_id, row[:ID_COLUMNS])) > 1 for row in above):
        return True
    if any(looks_like_id(cell) for row in below for cell in row[:ID_COLUMNS]):
        return True
    return request.kind == "limits" and any(map(may_be_limit_row, chain(above, below)))


def _nothing_readable(book: Workbook, request: Request, skipped: list[SkippedSheet]) -> InputError:
    """No sheet could be chosen: one candidate sheet raises its own error (its columns), a
    workbook of several says why each was left out and how to choose one."""
    visible = [i for i in book.sheets if i.worksheet and not i.hidden]
    if len(visible) == 1:
        try:
            _grid_sheet(book.grid(visible[0]), request)
        except InputError as exc:
            return exc
    why = "; ".join(f"'{s.name}': {s.reason}" for s in skipped)
    choose = request.syntax.option("sheet", "NAME")
    return InputError(
        f"{request.source_name}: no sheet has columns hubframe recognises ({why}). Choose a "
        f"sheet with {choose} to see what is missing in it."
    )


def pick_sheet(
    sheets: list[SheetInfo], sheet: str | int, request: Request
) -> tuple[SheetInfo, str]:
    """The sheet a name or position names, and how it was chosen.

    A name wins (exact, else ignoring case and edge spaces); text that is not a sheet's name
    but a whole number (``"2"``, ``"-1"``) is a position, as an int is: counted from 0 in the
    workbook's order, hidden sheets included (as pandas and openpyxl count).
    """
    if isinstance(sheet, str):
        wanted = sheet.strip().casefold()
        exact = [i for i in sheets if i.name == sheet]
        loose = [i for i in sheets if i.name.strip().casefold() == wanted]
        if len(loose) > 1 and not exact:  # which one was meant is not clear: never the first
            named = ", ".join(repr(i.name) for i in loose)
            raise InputError(
                f"{request.source_name}: no sheet is named exactly {sheet!r}, and the sheets "
                f"{named} differ from it only by capitals or spaces: which to read is not clear. "
                f"Name one exactly with {request.syntax.named('sheet')}."
            )
        if exact or loose:
            return _worksheet((exact or loose)[0], request), "by name"
    position = _position(sheet)
    if position is not None and -len(sheets) <= position < len(sheets):
        info = _worksheet(sheets[position], request)
        return info, f"by position {position % len(sheets)}"
    listed = ", ".join(f"{i.position} '{i.name}'{' (hidden)' if i.hidden else ''}" for i in sheets)
    raise InputError(
        f"{request.source_name}: no sheet {sheet!r}. Sheets in the workbook: {listed} "
        f"({request.syntax.named('sheet')} takes a name, a position counted from 0, or '*' "
        "for every visible sheet)."
    )


def _worksheet(info: SheetInfo, request: Request) -> SheetInfo:
    """``info``, when it is a worksheet; a chart sheet named is refused as one (it has no
    cells: it read as "empty")."""
    if not info.worksheet:
        raise InputError(
            f"{request.source_name}: sheet '{info.name}' is a chart sheet, not a table of rows. "
            f"Choose the sheet of rows with {request.syntax.named('sheet')}."
        )
    return info


def _position(sheet: str | int) -> int | None:
    if isinstance(sheet, bool):
        return None
    if isinstance(sheet, int):
        return sheet
    text = sheet.strip()
    return int(text) if re.fullmatch(r"[+-]?[0-9]{1,9}", text) else None


# --- engines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetInfo:
    """A sheet of a workbook: its name, position (0-based, workbook order) and visibility."""

    name: str
    position: int
    hidden: bool = False  # hidden or very hidden
    worksheet: bool = True  # False for a chart sheet


T = TypeVar("T")


class Workbook:
    """A checked workbook's sheets and cells: python-calamine, or openpyxl where it fails.

    The engines allocate a sheet's whole rectangle to read it, even for its first rows: every
    sheet an engine opens is counted (the cells the guard measured), and a read that would
    open sheets of more than ``max_workbook_cells`` together is refused before it opens the
    one past it (a small workbook of many far-reaching sheets took minutes)."""

    def __init__(
        self,
        book: CheckedBook | bytes,
        source: str,
        limits: ReadLimits | None = None,
        naming: str = "sheet=",
    ) -> None:
        """``book``: a :class:`CheckedBook` (as bytes: checked, its sheets not counted);
        ``naming``: how the caller names a sheet to read, for messages."""
        self.data = book.data if isinstance(book, CheckedBook) else book
        self.source = source
        #: the cells the guard measured of each sheet part (None: bytes, sheets not counted)
        self._measured = book.cells if isinstance(book, CheckedBook) else None
        limits = limits or read_limits_in_force()
        self._most = max(limits.max_workbook_cells, limits.max_sheet_cells)
        self._naming = naming
        self._opened: dict[str, int] = {}  # sheets an engine opened -> their cells
        self._total = 0  # their cells, added up
        self._calamine: Any = None
        self._failed: Exception | None = None  # calamine's error, once it has failed
        self._parts: dict[str, str] | None = None  # sheet name -> XML part, once read
        self._zip: zipfile.ZipFile | None = None  # the archive, once opened
        self._stored_names: dict[str, list[str]] = {}  # its part names by guard.folded
        self._recalc = False  # formula values are placeholders (read with the parts)
        self._misleading: Formats | None = None  # formats showing cells otherwise, once read
        self.sheets: list[SheetInfo] = self._engines(self._calamine_sheets, self._openpyxl_sheets)
        if not self.sheets:
            raise InputError(f"{source}: the workbook has no sheets.")
        _refuse_repeated_names(self.sheets, source)

    def grid(self, sheet: SheetInfo) -> Grid:
        """The sheet's cells (as the engine gives them) and the Excel row of the first."""
        self._count(sheet.name)
        return self._engines(
            partial(self._calamine_grid, sheet.name), partial(self._openpyxl_grid, sheet.name)
        )

    def head(self, sheet: SheetInfo, rows: int) -> Grid:
        """The sheet's first ``rows`` rows (to look at its header; all of them with openpyxl)."""
        self._count(sheet.name)
        return self._engines(
            partial(self._calamine_grid, sheet.name, rows),
            partial(self._openpyxl_grid, sheet.name),
        )

    def _count(self, name: str) -> None:
        """Count the cells of a sheet an engine is about to open (once a sheet), or refuse
        past ``max_workbook_cells``."""
        if name in self._opened or self._measured is None:
            return
        stored = self._stored(name, self._part_name(name))
        if stored not in self._measured:  # never opened unmeasured: its cells are unknown
            raise self._unfound(name, f"hubframe's checks did not measure its part {stored}")
        cells = self._measured[stored]
        if self._total + cells > self._most:
            raise self._too_many_cells(name, cells, self._total + cells)
        self._opened[name] = cells
        self._total += cells

    def _too_many_cells(self, name: str, cells: int, total: int) -> InputError:
        opened = sorted(self._opened.items(), key=lambda item: -item[1])
        named = [f"'{n}' ({c:,})" for n, c in opened[:3]]
        named += [f"{len(opened) - 3:,} more"] if len(opened) > 3 else []
        after = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
        return InputError(
            f"{self.source}: opening sheet '{name}' ({cells:,} cells) after {after} would "
            f"bring the cells hubframe opened in this workbook to {total:,}, past "
            f"max_workbook_cells ({self._most:,}); a sheet's cells are its rows x columns up "
            "to its farthest cell, which the Excel engine allocates whole. Name the one sheet "
            f"to read with {self._naming}, delete the far-away cells in Excel (select the rows "
            f"and columns after the data, Delete, save), or {hint('max_workbook_cells')}."
        )

    def _calamine_grid(self, name: str, rows: int | None = None) -> Grid:
        """calamine's cells, with what calamine leaves out put back from the sheet's XML: the
        text of error cells and of formulas without a value (it reads both as empty), and the
        hidden rows.  A sheet whose error cells cannot be placed is read by openpyxl, which
        keeps them."""
        part = self._part(name)
        if not may_hold_errors(part):
            grid = _calamine_grid(self._book(), name, rows)
        else:
            grid = self._with_errors(part, name, rows)
        # python-calamine before merged_cell_ranges gives none: the XML lists them
        grid.merged = grid.merged or xml_merges(part)
        if may_hide_rows(part):
            grid.hidden, grid.hiding = hidden_rows(part), part
        grid.styling = self._styling(part)
        grid.numbers = self._numbers(part)
        grid.tables = self._tables(name)
        grid.totals = totals_rows(grid.tables)
        grid.part = part
        return grid

    def _tables(self, name: str) -> list[Table]:
        """The sheet's Excel tables (io.tables); read after its part."""
        where = (self._parts or {}).get(name)
        if self._zip is None or where is None:
            return []
        return sheet_tables(self._zip, where)

    def _styling(self, part: bytes) -> tuple[bytes, Formats] | None:
        """The sheet part and the workbook's formats that show cells otherwise (numfmt), or
        None when none may (a conditional formatting rule may write its own format): the
        cells are looked for once the columns read are known."""
        if self._misleading is None:
            assert self._zip is not None  # opened by _part
            names = sorted(
                (n for n in self._zip.namelist() if n.lower().endswith("/styles.xml")),
                key=lambda n: n.lower() != "xl/styles.xml",  # the workbook's own first
            )
            styles = self._zip.read(names[0]) if names else b""
            self._misleading = misleading_formats(styles)
        if self._misleading or b"numFmt" in part:
            return part, self._misleading
        return None

    def _numbers(self, part: bytes) -> tuple[bytes, dict[int, str]] | None:
        """The sheet part and the workbook's number formats other than General, by style
        (read by :meth:`_styling` first), or None when it has none."""
        numbers = self._misleading.numbers if self._misleading is not None else {}
        return (part, numbers) if numbers else None

    def _with_errors(self, part: bytes, name: str, rows: int | None) -> Grid:
        try:
            placed: list[tuple[int, int]] = []
            errors: list[tuple[int, int]] = []
            found = chain(
                _recorded(error_cells(part), errors), _recorded(self._uncomputed(part), placed)
            )
            grid = _calamine_grid(self._book(), name, rows, found)
            grid.formulas, grid.errors = frozenset(placed), frozenset(errors)
            return grid
        except Unplaceable as exc:
            if exc.formula:
                raise self._unplaceable(name) from None
            return self._openpyxl_grid(name)
        except TooMany:
            raise self._damaged(name) from None

    def _openpyxl_grid(self, name: str) -> Grid:
        """openpyxl's cells (it keeps error cells' text), with what its read-only mode leaves
        out put back from the sheet's XML, as for calamine: the formulas without a value, the
        merged ranges and the hidden rows."""
        grid = _openpyxl_grid(self.data, name, self.source)
        part = self._part(name)
        try:
            if may_hold_errors(part):
                placed: list[tuple[int, int]] = []
                found = _recorded(self._uncomputed(part), placed)
                place(grid.cells, found, 1, 1, _most(grid.cells))
                grid.formulas = frozenset(placed)
                grid.errors = _error_places(part, _most(grid.cells))
        except Unplaceable:
            raise self._unplaceable(name) from None
        except TooMany:
            raise self._damaged(name) from None
        grid.merged = xml_merges(part)
        if may_hide_rows(part):
            grid.hidden, grid.hiding = hidden_rows(part), part
        grid.styling = self._styling(part)
        grid.numbers = self._numbers(part)
        grid.tables = self._tables(name)
        grid.totals = totals_rows(grid.tables)
        grid.part = part
        return grid

    def _uncomputed(self, part: bytes) -> Iterator[ErrorCell]:
        """:func:`uncomputed_cells`; a value of 0 is a placeholder in a workbook computed when
        opened (XlsxWriter's: Excel shows the formula's value, not 0)."""
        return uncomputed_cells(part, placeholders=self._recalc)

    def _damaged(self, name: str) -> InputError:
        return InputError(
            f"{self.source} [{name}]: the sheet's XML names more error or formula cells than "
            "the sheet holds; the file is damaged. Open it in Excel, save it, and try again."
        )

    def _unplaceable(self, name: str) -> InputError:
        return InputError(
            f"{self.source} [{name}]: the sheet has formula cells whose value was never "
            "computed (a program wrote the workbook). Open it in Excel or LibreOffice, save it, "
            "and try again."
        )

    def _part(self, name: str) -> bytes:
        """The sheet's XML part, which the checks of what the engines leave out read (error
        values, formulas without a value, hidden rows and columns, merged cells)."""
        stored = self._stored(name, self._part_name(name))
        assert self._zip is not None  # opened by _part_name
        return self._zip.read(stored)

    def _part_name(self, name: str) -> str:
        """The name of the sheet's XML part.  A sheet whose part cannot be found is refused:
        read without the checks of its XML, it could read otherwise than it shows (an #N/A
        label as no label), unseen.  The archive is opened once: its directory is read in
        time in proportion to its entries, and a workbook of thousands of sheets would
        otherwise read it once a sheet."""
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self.data))
            try:
                found = sheet_parts(self._zip, self._zip.infolist())
                self._recalc = recalculates(self._zip, self._zip.infolist())
            except Unreadable as exc:
                raise self._unfound(name, str(exc)) from None
            self._parts = {n: p for p, n in found.items()}
            for stored in self._zip.namelist():
                self._stored_names.setdefault(folded(stored), []).append(stored)
        part = (self._parts or {}).get(name)
        if part is None:
            raise self._unfound(name, "the workbook's relations do not lead to its cells")
        return part

    def _stored(self, name: str, part: str) -> str:
        """The archive's name of the part of sheet ``name``: part names are not case-sensitive
        (OPC), and "Sheet1.xml" names "sheet1.xml" too, as calamine finds it (the guard refused
        two entries of one part: the one found is the one calamine reads)."""
        same = self._stored_names.get(folded(part), [])
        if part in same:
            return part
        if len(same) != 1:
            raise self._unfound(name, f"the workbook holds no part {part}")
        return same[0]

    def _unfound(self, name: str, why: str) -> InputError:
        return InputError(
            f"{self.source} [{name}]: hubframe cannot find the sheet's cells in the workbook "
            f"({why}), so it cannot check its error values, hidden rows and merged cells; the "
            "file is damaged or was not written by a spreadsheet program. Open it in Excel, "
            "save it, and try again."
        )

    def _engines(self, first: Callable[[], T], second: Callable[[], T]) -> T:
        """``first`` (calamine), or ``second`` (openpyxl) once calamine has failed: not on a
        workbook of a part openpyxl would parse whole past :data:`STYLES_MAX_BYTES`.  An
        engine out of memory is an InputError, raised once the MemoryError is gone: its
        traceback holds what filled the memory (handling it there failed in turn, and a bare
        MemoryError escaped the read)."""
        exhausted = False
        if self._failed is None:
            try:
                return first()
            except InputError:
                raise
            except MemoryError:
                exhausted = True
            except Exception as exc:  # calamine raises several error types; try openpyxl next
                if type(exc).__name__ == "PasswordError":
                    raise InputError(
                        f"{self.source}: the workbook is password-protected. Remove the "
                        "password in Excel, save, and try again."
                    ) from exc
                self._failed = exc
        if not exhausted:
            self._refuse_fallback()
            try:
                return second()
            except InputError:
                raise
            except MemoryError:
                exhausted = True
            except Exception as exc:
                raise InputError(
                    f"{self.source}: the workbook cannot be read; the file is damaged or not an "
                    f"Excel workbook ({_said(self._failed)}; {_said(exc)}). Open it in Excel and "
                    "save it again."
                ) from exc
        raise InputError(
            f"{self.source}: there is not enough memory to read the workbook. Delete what it "
            "holds besides the rows to read (other sheets, unused cell styles), or split it, "
            "and try again."
        )

    def _refuse_fallback(self) -> None:
        """InputError, naming calamine's failure, when openpyxl would parse a part of the
        workbook whole (its list of sheets, stylesheet, relations: all but the sheets and
        shared strings, which it reads as a stream) past :data:`STYLES_MAX_BYTES`: it
        takes some 40 bytes of memory a byte of XML so parsed."""
        with zipfile.ZipFile(io.BytesIO(self.data)) as book:
            infos = book.infolist()
            large = [i for i in infos if i.file_size > STYLES_MAX_BYTES]
            if large:
                try:
                    streamed = set(sheet_parts(book, infos))  # read as a stream, as are
                except Unreadable:  # the shared strings
                    streamed = set()
                large = [
                    i
                    for i in large
                    if i.filename not in streamed
                    and not folded(i.filename).endswith("sharedstrings.xml")
                ]
        if large:
            raise InputError(
                f"{self.source}: the workbook cannot be read ({_said(self._failed)}), and "
                f"hubframe's other Excel engine would parse its part {large[0].filename} "
                f"({large[0].file_size / (1 << 20):,.0f} MiB) whole, past the "
                f"{STYLES_MAX_BYTES >> 20} MiB it parses within bounded memory. Open the "
                "workbook in Excel and save it again."
            )

    def _book(self) -> Any:
        """calamine's workbook: given the checked copy as a file when it is large (calamine
        reads a file part by part, and copies bytes given it whole: 575 MB more for a sheet at
        ``max_sheet_cells``), else as bytes."""
        if self._calamine is None:
            from python_calamine import CalamineWorkbook

            if len(self.data) > _AS_FILE_BYTES:
                self._calamine = _calamine_from_file(self, self.data)
            if self._calamine is None:
                self._calamine = CalamineWorkbook.from_filelike(io.BytesIO(self.data))
        return self._calamine

    def _calamine_sheets(self) -> list[SheetInfo]:
        book = self._book()
        meta = getattr(book, "sheets_metadata", None)
        if meta is None:  # python-calamine before sheet metadata: every sheet visible
            return [SheetInfo(n, i) for i, n in enumerate(book.sheet_names)]
        return [
            SheetInfo(
                m.name,
                i,
                hidden=_enum_name(m.visible) != "Visible",
                worksheet=_enum_name(m.typ) in ("WorkSheet", "DialogSheet", "MacroSheet"),
            )
            for i, m in enumerate(meta)
        ]

    def _openpyxl_sheets(self) -> list[SheetInfo]:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=True)
        try:
            return [
                SheetInfo(
                    name,
                    i,
                    hidden=getattr(book[name], "sheet_state", "visible") != "visible",
                    worksheet=type(book[name]).__name__ != "Chartsheet",
                )
                for i, name in enumerate(book.sheetnames)
            ]
        finally:
            book.close()


#: A checked workbook larger than this is given to calamine as a temporary file.
_AS_FILE_BYTES: Final = 64 << 20


def _calamine_from_file(owner: object, data: bytes) -> Any:
    """calamine's workbook read from a temporary file of ``data``, removed at once (on
    Windows, where an open file stays, once ``owner`` is gone), or None when the file cannot
    be written (no room: the bytes are given instead)."""
    from python_calamine import CalamineWorkbook

    try:
        handle, path = tempfile.mkstemp(prefix="hubframe-", suffix=".xlsx")
    except OSError:
        return None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
    except OSError:
        _removed(path)
        return None
    except BaseException:  # Ctrl-C while writing: the sheet's copy is not left behind
        _removed(path)
        raise
    try:
        book = CalamineWorkbook.from_path(path)
    except BaseException:
        _removed(path)
        raise
    if not _removed(path):
        weakref.finalize(owner, _closed_and_removed, book, path)
    return book


def _removed(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def _closed_and_removed(book: Any, path: str) -> None:
    with contextlib.suppress(Exception):  # closing is best effort
        book.close()
    _removed(path)


def _refuse_repeated_names(sheets: list[SheetInfo], source: str) -> None:
    """Refuse a workbook two of whose sheets have one name: no spreadsheet program writes one
    (a sheet's name is its own), and the engine reads the first such sheet where the checks
    of the sheet's XML (error values, hidden rows, merged cells, formats) read the other."""
    seen: set[str] = set()
    for info in sheets:
        if info.name in seen:
            raise InputError(
                f"{source}: the workbook has two sheets named '{info.name}', which no "
                "spreadsheet program writes: the file is damaged, and which of them a read "
                "would read cannot be told. Open it in Excel (which repairs it), give each "
                "sheet a name of its own, save, and try again."
            )
        seen.add(info.name)


def _enum_name(value: object) -> str:
    """``SheetVisibleEnum.Hidden`` -> ``Hidden`` (calamine's enums print so)."""
    return str(value).rsplit(".", 1)[-1]


def _calamine_grid(
    book: Any, name: str, rows: int | None = None, errors: Iterable[ErrorCell] = ()
) -> Grid:
    ws = book.get_sheet_by_name(name)
    cells = ws.to_python() if rows is None else ws.to_python(nrows=rows)
    first_row, first_col = ws.start or (0, 0)
    if cells:
        last_row, last_col = ws.end or (first_row, first_col)
        size = (last_row - first_row + 1) * (last_col - first_col + 1)
        place(cells, errors, first_row + 1, first_col + 1, 2 * size + _SPARE, rows)
    found = getattr(ws, "merged_cell_ranges", None) or []
    spans = ((top + 1, left + 1, end + 1, right + 1) for (top, left), (end, right) in found)
    merged = ranges(spans)
    return Grid(name, cells if cells else [], first_row + 1, merged=merged, first_col=first_col + 1)


def _recorded(cells: Iterable[ErrorCell], into: list[tuple[int, int]]) -> Iterator[ErrorCell]:
    """``cells``, noting the (row, column) of each as it is placed (placing stops past the
    sheet's size, so the note stays as small as the sheet)."""
    for cell in cells:
        into.append((cell.row, cell.column))
        yield cell


def _error_places(part: bytes, most: int) -> frozenset[tuple[int, int]] | None:
    """(Excel row, column) of the part's error cells; None when one has no reference."""
    places: list[tuple[int, int]] = []
    try:
        for cell in error_cells(part):
            places.append((cell.row, cell.column))
            if len(places) > most:
                raise TooMany
    except Unplaceable:
        return None
    return frozenset(places)


def _literal_column(
    grid: Grid, columns: list[Text], headers: list[str], rows: IntArray, header: str | None
) -> frozenset[int]:
    """:func:`_literal_labels` of the column ``header`` (a label or inverse label column);
    none when the sheet has no such column."""
    if header is None:
        return frozenset()
    index = headers.index(header)
    return _literal_labels(grid, columns[index], rows, index)


def _literal_labels(grid: Grid, cells: Text, rows: IntArray, index: int) -> frozenset[int]:
    """Excel rows whose label cell (the grid's column ``index``) is text starting with "=", or
    an error's text (``#N/A``), as the sheet holds it: not a formula without a value, nor an
    error cell, placed as its text (a label HubSpot holds may be named so; an export writes
    it as text).  A cell a merge filled is what the merge's first cell is (which may be
    such a formula or error)."""
    starts = pc.starts_with(pc.utf8_ltrim_whitespace(cells), UNCOMPUTED).fill_null(False)
    marked = np.asarray(starts.to_numpy(zero_copy_only=False), dtype=bool)
    if grid.errors is not None:
        marked |= error_mask(cells)
    found = np.flatnonzero(marked)
    if not len(found):
        return frozenset()
    column = grid.first_col + index
    down = sorted((top, bottom) for top, left, bottom, _ in grid.merged if left == column)
    tops = [top for top, _ in down]

    def origin(row: int) -> int:
        """The row of the cell the label cell of ``row`` shows (its merge's first)."""
        at = bisect_right(tops, row) - 1
        return down[at][0] if at >= 0 and down[at][0] < row <= down[at][1] else row

    placed = grid.formulas | (grid.errors or frozenset())
    candidates = (int(rows[i]) for i in found)
    return frozenset(row for row in candidates if (origin(row), column) not in placed)


def _most(cells: list[list[Any]]) -> int:
    """How many error or formula cells a sheet of these cells may name (:func:`place`)."""
    return 2 * len(cells) * max((len(row) for row in cells), default=0) + _SPARE


def _openpyxl_grid(data: bytes, name: str, source: str = "") -> Grid:
    """The sheet's cells from row 1, column A, every row as wide as the widest.  The dimension
    the sheet states is not trusted (writers leave stale ones, and openpyxl's read-only mode
    would stop at it, leaving rows and columns out): every row the sheet holds is read."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = book[name]
        _as_written(getattr(ws, "_shared_strings", None), data)
        ws.reset_dimensions()
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            rows = ws.iter_rows(min_row=1, min_col=1, values_only=True)
            cells = [[_as_held(c) for c in row] for row in rows]
        _dates_as_numbers(cells, said, f"{source} [{name}]")
        while cells and all(c is None or c == "" for c in cells[-1]):
            cells.pop()  # rows of styled empty cells: calamine's grid ends before them
        width = max((len(row) for row in cells), default=0)
        for row in cells:  # as wide as the widest row, as calamine's: no cell cut off
            row.extend([None] * (width - len(row)))
        return Grid(name, cells, 1)
    finally:
        book.close()


def _as_written(strings: object, data: bytes) -> None:
    """Put the shared strings as the workbook writes them into openpyxl's list (``strings``:
    its read-only sheet's, taken whole), which drops every ``x005F_`` from them: a literal
    ``_x0041_`` (written ``_x005F_x0041_``) was then decoded again, to ``A``."""
    if not isinstance(strings, list):
        return
    written = shared_strings(data)
    if written is not None and len(written) == len(strings):
        strings[:] = written


def _as_held(value: Any) -> Any:
    """A cell's value as the workbook holds it: a number is a double (Excel keeps 15
    significant digits), as calamine reads it.  openpyxl reads a number written without a
    point as an exact int whatever its digits: 12345678901234567, which Excel holds and shows
    as 12345678901234600, would be sent as read, where calamine's reading is refused.  A text
    has its ``_xHHHH_`` escapes decoded (:func:`decoded_escapes`)."""
    if type(value) is str:
        return decoded_escapes(value)
    if type(value) is not int:
        return value
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


#: What openpyxl says of a number formatted as a date (or duration) past the dates it holds
#: (an id of 101936297021 in a column formatted "mm"), which it reads as '#VALUE!'.
_PAST_DATES = re.compile(
    r"Cell \$?([A-Za-z]{1,3})\$?([0-9]{1,7}) is marked as a date but the serial value "
    r"(\S{1,64}) is outside the limits for dates"
)


def _dates_as_numbers(
    cells: list[list[Any]], said: list[warnings.WarningMessage], where: str
) -> None:
    """Put back the number of each cell openpyxl read as '#VALUE!' because its date format
    does not fit it, as python-calamine reads it (the number the cell holds): the sheet holds
    no error there, and a read that falls to openpyxl (one such cell anywhere can make
    calamine fail) must read every cell as calamine does.  openpyxl's other warnings are
    given on as they came."""
    for warning in said:
        text = str(warning.message)
        found = _PAST_DATES.search(text)
        if found is None and "limits for dates" in text:
            raise _past_dates(where, text)
        if found is None:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
            continue
        row, column = int(found.group(2)) - 1, column_number(found.group(1).encode()) - 1
        try:
            number = float(found.group(3))
        except ValueError:
            raise _past_dates(where, text) from None
        if row < len(cells) and column < len(cells[row]) and cells[row][column] == "#VALUE!":
            cells[row][column] = number


def _past_dates(where: str, said: str) -> InputError:
    return InputError(
        f"{where}: a number formatted as a date cannot be read as the sheet holds it "
        f"(openpyxl: {clip(said, 300)}). Format the column as Number or Text in Excel, save, and "
        "try again."
    )


def header_grid(checked: CheckedBook, sheet: SheetArg, request: Request) -> tuple[Grid, int]:
    """The grid of the sheet a read would use first, and its header row (-1: none), for
    :func:`hubframe.io.sheet_headers`: the named sheet, else the first visible sheet whose
    header row is recognised (the first visible sheet when none is)."""
    book = Workbook(checked, request.source_name, request.limits, request.syntax.named("sheet"))
    if sheet is not None and sheet != "*":
        grid = book.grid(pick_sheet(book.sheets, sheet, request)[0])
        return grid, find_header(grid.cells[:HEADER_SEARCH_ROWS], request)
    candidates = [i for i in book.sheets if i.worksheet and not i.hidden] or book.sheets
    first: tuple[Grid, int] | None = None
    for info in candidates:
        grid = book.grid(info)
        index = find_header(grid.cells[:HEADER_SEARCH_ROWS], request)
        if index >= 0 and request.recognises(grid.cells[index]):
            return grid, index
        first = first or (grid, index)
    assert first is not None
    return first


def _rectangle(body: list[list[Any]], width: int) -> ObjArray:
    """Rows of cells as a 2-D object array of exactly ``width`` columns (None pads)."""
    table: ObjArray = np.empty((len(body), width), dtype=object)
    if not body:
        return table
    block = np.array(body, dtype=object)
    if block.ndim == 2:
        cols = min(width, block.shape[1])
        table[:, :cols] = block[:, :cols]
        return table
    for i, row in enumerate(body):  # ragged rows (openpyxl): padded with None
        cells = row[:width]
        table[i, : len(cells)] = cells
    return table


def _grid_sheet(grid: Grid, request: Request, index: int | None = None) -> RawSheet:
    """The raw sheet of a grid whose header row is ``index`` (found when None)."""
    where = f"{request.source_name} [{grid.name}]"
    if index is None:
        index = find_header(grid.cells, request)
    if index < 0:
        raise InputError(f"{where}: the sheet is empty.")
    check_rows_above(grid.cells[:index], grid.first_row, grid.first_row + index, request, where)
    headers, headerless = row_headers(grid.cells[index], request, grid.first_col)
    top = index if headerless else index + 1  # the first row of data: the header's, if no header
    body = grid.cells[top:]
    try:
        filled = fill_merged(body, grid.merged, grid.first_row + top, grid.first_col, len(headers))
    except Overlap as exc:
        raise InputError(
            f"{where}: the merged cells {exc.first} and {exc.second} overlap, which Excel never "
            "writes; the file is damaged. Open it in Excel, save it, and try again."
        ) from None
    row = None if headerless else grid.first_row + index
    header = HeaderRow(headers, grid.cells[index], row, len(grid.cells) >= HEADER_SEARCH_ROWS)
    mapping = match_found(request, header, where, body, grid.name)
    if not headerless:
        above = grid.cells[:index]
        check_values_above(
            above, grid.first_row, grid.first_row + index, headers, mapping, request, where,
            body[:SAMPLE_CELLS],
        )  # fmt: skip
    _refuse_spans(filled, headers, set(mapping.columns.values()), where)
    _refuse_reformatted(grid, headers, mapping, top - 1, where)
    _refuse_retexted(grid, headers, _property_columns(mapping, request), top - 1, where)
    merged = filled.names
    table = _rectangle(body, len(headers))
    rows = np.arange(len(body), dtype=np.int64) + grid.first_row + top
    _refuse_label_values(grid, table, headers, mapping, rows, where)
    columns = [cells_to_arrow(table[:, i]) for i in range(len(headers))]
    written = {} if headerless else written_headers(grid.cells[index], headers)
    hidden_columns = _hidden_columns(grid, headers, mapping.columns.values())
    literal = _literal_column(grid, columns, headers, rows, mapping.columns.get("label"))
    inverses = _literal_column(grid, columns, headers, rows, mapping.columns.get("inverse_label"))
    return RawSheet(
        grid.name,
        headers,
        columns,
        rows,
        mapping,
        written=written,
        hidden=grid.hidden,
        hidden_columns=hidden_columns,
        merged=merged,
        literal_labels=literal,
        literal_inverses=inverses,
        totals={r: t for r, t in grid.totals.items() if r >= grid.first_row + top},
        sums=_typed_totals(grid, headers, mapping, grid.first_row + top),
    )


#: The columns whose cells a totals row typed by hand (a formula totalling the column) would
#: be read as: a limit, record ids.
TOTALLED: Final = {"max_to_object_ids": "limit", "from_id": "record id", "to_id": "record id"}


def _typed_totals(
    grid: Grid, headers: list[str], mapping: ColumnMapping, first: int
) -> dict[int, str]:
    """Excel row -> what its totals formula is (io.sums), for the rows from ``first`` on
    whose cell in a column of :data:`TOTALLED` totals that column, an Excel table's totals
    row left out (TOTALS_ROW already)."""
    at = {
        grid.first_col + headers.index(h): (h, TOTALLED[c])
        for c, h in mapping.columns.items()
        if c in TOTALLED and h in headers
    }
    if not at:
        return {}
    out: dict[int, str] = {}
    for cell in aggregate_cells(grid.part, at, Place(grid.name, grid.tables)):
        if cell.column in at and cell.row >= first and cell.row not in grid.totals:
            header, what = at[cell.column]
            out.setdefault(
                cell.row,
                f"its cell in column '{clip(header, 40)}' is the formula "
                f"{clip(cell.formula, 60)}, a total of the column's cells, not a {what}",
            )
    return out


def _refuse_reformatted(
    grid: Grid, headers: list[str], mapping: ColumnMapping, index: int, where: str
) -> None:
    """Stop at cells of a column hubframe reads whose number format shows them otherwise than
    they hold (:mod:`hubframe.io.numfmt`: other digits, or no text), by their style or by a
    conditional formatting rule: the analyst sees one id (or none), the file holds another,
    and which one was meant cannot be told.  A number of an id, type id or limit column
    formatted as a date or time shows no digits of its own (``########`` for an id: past
    Excel's last date); a date read as a date is the reader's to refuse.  Empty cells show
    nothing whatever their format."""
    if grid.styling is None:
        return
    read = mapping.column_map
    at = {grid.first_col + i: h for i, h in enumerate(headers) if h in read}
    dated = {c for c, h in at.items() if read[h] in DATED}
    try:
        shown = _shown_otherwise(grid, at, grid.first_row + index, dated)
    except Unchecked as exc:
        raise _unchecked(where, exc) from None
    found: dict[str, dict[int, str]] = {}
    for row, column, code in shown:
        found.setdefault(at[column], {}).setdefault(row, code)
    for header, cells in found.items():
        rows = sorted(cells)
        row, code = rows[0], cells[rows[0]]
        value = _cell(grid, row, grid.first_col + headers.index(header))
        listed = ", ".join(map(str, rows[:5])) + (" ..." if len(rows) > 5 else "")
        listed = f"row {listed}" if len(rows) == 1 else f"rows {listed}"
        raise InputError(
            f"{where}: column '{header}' has cells whose format shows other than they hold "
            f"({listed}; row {row} holds {one_cell_text(value)}, shown with the format "
            f"'{code}'{_as_date(code, value)}), so which "
            f"{_what_it_holds(read[header])} was meant cannot be told. "
            "Give the column the format Number with no decimals, or "
            "Text (Format Cells), and no conditional formatting that changes it, check what "
            "it shows, save, and try again."
        )


#: The columns whose numbers a date or time format shows as no number (:func:`_shown_otherwise`).
DATED: Final = frozenset({"from_id", "to_id", "type_id", "max_to_object_ids"})


def _as_date(code: str, value: Any) -> str:
    """What Excel shows of a number formatted as a date or time, for messages ("" for
    other cells)."""
    if not _is_number(value) or (not shows_as_date(code, value) and "built-in" not in code):
        return ""
    if value < 0 or value > LAST_DATE:
        return " as ########: a date or time format past Excel's last date, 9999-12-31"
    return " as a date or time, not the number"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _what_it_holds(canonical: str) -> str:
    """What one cell of a column holds, for messages: a label, a limit, a type id, an id."""
    if canonical in LABEL_FIELDS:
        return "label"
    return {"max_to_object_ids": "limit", "type_id": "type id"}.get(canonical, "id")


def _refuse_label_values(
    grid: Grid,
    table: ObjArray,
    headers: list[str],
    mapping: ColumnMapping,
    rows: IntArray,
    where: str,
) -> None:
    """Stop at cells of a label column (a label, inverse label, internal name) that the
    workbook holds as a date, time, yes/no value or a number shown otherwise than read
    (:mod:`hubframe.io.labelcells`), in a pairs sheet as in a labels sheet."""
    read = [mapping.columns[c] for c in LABEL_FIELDS if c in mapping.columns]
    at = {grid.first_col + headers.index(h): h for h in read if h in headers}
    at = {c: h for c, h in at.items() if _holds_other_than_text(table[:, c - grid.first_col])}
    if not at:  # every label cell text or empty: no format to look up (the usual sheet)
        return
    formats: dict[int, dict[int, str]] = {}
    if grid.numbers is not None:
        part, styles = grid.numbers
        styles = {i: c for i, c in styles.items() if c.strip().lower() not in ("general", "@")}
        letters = map(column_letters, at)  # General and Text: as a cell without a format
        try:
            for row, column, code in styled_cells(part, styles, letters, _number_cell):
                formats.setdefault(column, {})[row] = code
        except Unchecked as exc:
            raise _unchecked(where, exc) from None
    columns = {h: (table[:, c - grid.first_col], formats.get(c, {})) for c, h in at.items()}
    refuse_label_cells(columns, rows, where)


def _holds_other_than_text(cells: ObjArray) -> bool:
    """A column holds a cell that is neither text nor empty (a number, date, yes/no)."""
    return any(c is not None and not isinstance(c, str) for c in cells)


def _property_columns(mapping: ColumnMapping, request: Request) -> dict[str, str]:
    """Header -> property, for the id columns read as a unique property's values."""
    found = request.properties(mapping)
    return {
        mapping.columns[f"{side}_id"]: prop
        for side, prop in found.items()
        if f"{side}_id" in mapping.columns
    }


def _refuse_retexted(
    grid: Grid, headers: list[str], properties: dict[str, str], index: int, where: str
) -> None:
    """Stop at number cells of a column read as a unique property's values whose format shows
    them as other text than their digits (:func:`~hubframe.io.numfmt.shows_number_otherwise`:
    ``00000`` shows 123 as 00123): HubSpot compares the values as text, so the value looked
    up would be another than the one the analyst sees.  (Padding a record id is harmless:
    00123 and 123 are one id.)"""
    if grid.numbers is None or not properties:
        return
    part, styles = grid.numbers
    at = {grid.first_col + i: h for i, h in enumerate(headers) if h in properties}
    if not at:
        return
    try:
        styled = sorted(styled_cells(part, styles, map(column_letters, at), _number_cell))
    except Unchecked as exc:
        raise _unchecked(where, exc) from None
    for row, column, code in styled:
        value = _cell(grid, row, column)
        if row <= grid.first_row + index or column not in at or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)) and shows_number_otherwise(code, value):
            header = at[column]
            raise InputError(
                f"{where}: column '{header}' holds values of {properties[header]}, and its row "
                f"{row} holds the number {one_cell_text(value)} shown with the format "
                f"'{code}', which shows other text than that number: HubSpot compares "
                f"{properties[header]} as text, so which value was meant cannot be told. "
                "Format the column as Text (Format Cells > Text), type the values as they "
                "should read, save, and try again."
            )


def _number_cell(kind: str, code: str) -> bool:
    """A cell of type ``kind`` (its ``t``) that holds a number (or a date: a number too)."""
    return kind == "n"


def _unchecked(where: str, exc: BaseException) -> InputError:
    return InputError(
        f"{where}: hubframe cannot check the number formats of the sheet's cells "
        f"({_said(exc)}): the file is damaged or was not written by a spreadsheet "
        "program. Open it in Excel, save it, and try again."
    )


def _shown_otherwise(
    grid: Grid, at: dict[int, str], header: int, dated: set[int]
) -> list[tuple[int, int, str]]:
    """(Excel row, column, format code) of the cells below the ``header`` row, in the columns
    ``at``, that hold a value their style or a conditional formatting rule shows otherwise;
    in the columns ``dated`` also the numbers a date or time format shows (:func:`_as_dates`).
    Raises :class:`Unchecked`."""
    assert grid.styling is not None
    part, formats = grid.styling
    if formats.unchecked is not None:
        raise Unchecked(formats.unchecked)
    letters = map(column_letters, at)
    styled = styled_cells(part, formats.cells, letters) if formats.cells else iter(())
    found = [(r, c, code) for r, c, code in styled if r > header and c in at]
    found = [(r, c, code) for r, c, code in found if one_cell_text(_cell(grid, r, c)) != ""]
    found += _as_dates(grid, part, formats.dates, header, dated)
    for (top, left, bottom, right), code in conditional_formats(part, formats.rules):
        for column in (c for c in at if left <= c <= right):
            last = min(bottom, grid.first_row + len(grid.cells) - 1)
            for row in range(max(top, header + 1), last + 1):
                value = _cell(grid, row, column)
                shown = _shown_by(code, value) or (column in dated and _dated(code, value))
                if shown and not _put_back(grid, row, column):
                    found.append((row, column, code))
    return found


def _as_dates(
    grid: Grid, part: bytes, dates: dict[int, str], header: int, dated: set[int]
) -> list[tuple[int, int, str]]:
    """(Excel row, column, format code) of the cells below the ``header`` row, in the columns
    ``dated``, that the engine read as a number though their style shows dates or times: a
    number past Excel's last date (every HubSpot id) shows ``########``, and one the engine
    did not take for a date (a locale's built-in date format) shows a date.  A cell read as a
    date is left to the checks of dates."""
    if not dates or not dated:
        return []
    styled = styled_cells(part, dates, map(column_letters, dated), _number_cell)
    return [
        (r, c, code)
        for r, c, code in styled
        if r > header and c in dated and _dated(code, _cell(grid, r, c), built_in=True)
    ]


def _dated(code: str, value: Any, built_in: bool = False) -> bool:
    """Whether ``code`` shows the number ``value`` as a date or time (a built-in date format,
    named "built-in format N", does when ``built_in``)."""
    if not _is_number(value):
        return False
    return shows_as_date(code, value) or (built_in and code.startswith("built-in format"))


def _cell(grid: Grid, row: int, column: int) -> Any:
    """The grid's cell at an Excel row and column; None outside it."""
    r, c = row - grid.first_row, column - grid.first_col
    if 0 <= r < len(grid.cells) and 0 <= c < len(grid.cells[r]):
        return grid.cells[r][c]
    return None


def _shown_by(code: str, value: Any) -> bool:
    """Whether ``code`` shows a cell holding ``value`` otherwise (a number, or a text)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return shows_other_digits(code)
    return isinstance(value, str) and value != "" and hides_text(code)


def _put_back(grid: Grid, row: int, column: int) -> bool:
    """Whether a cell holds an error or a formula's text put back from the sheet's XML."""
    return (row, column) in grid.formulas or (row, column) in (grid.errors or frozenset())


def _refuse_spans(filled: Filled, headers: list[str], read: set[str], where: str) -> None:
    """Stop at a merged range whose value the sheet shows across a column hubframe reads other
    than the range's first: one value over two columns (a deal id across the contact id
    column, a contact id across the label column) is neither column's for sure, and reading
    it into both would invent a value."""
    for span in filled.spans:
        covered = [headers[i] for i in span.others if headers[i] in read]
        if not covered:
            continue
        columns = ", ".join(f"'{h}'" for h in [headers[span.first], *covered])
        raise InputError(
            f"{where}: the cells {span.name} are merged across the columns {columns}, which "
            f"hubframe reads: the sheet shows one value ({one_cell_text(span.value)!r}) over "
            "them, and which column it belongs to is unknown. Unmerge the cells in Excel "
            "(Home > Merge & Center > Unmerge Cells), put each value in its own column, save, "
            "and try again."
        )


def _hidden_columns(grid: Grid, headers: list[str], read: Iterable[str]) -> tuple[str, ...]:
    """The headers of the columns hubframe reads that the sheet hides, in sheet order."""
    if grid.hiding is None:
        return ()
    numbers = {grid.first_col + headers.index(h): h for h in read if h in headers}
    hidden = hidden_columns(grid.hiding, numbers)
    return tuple(numbers[n] for n in sorted(hidden))
