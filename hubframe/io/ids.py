"""Record ids from a sheet's id column: the records an export reads (``--ids deals.xlsx``).

:func:`read_ids` reads one column of record ids from a CSV, an Excel workbook or a DataFrame,
with the same readers (and the same guards) as :func:`hubframe.read_pairs`, and returns the
distinct ids in sheet order.  The column is the one ``column=`` names, else the one whose
header names the object type's ids ("Deal ID", "Record ID - Deal"), else the sheet's own id
column ("Record ID", "ID", "from_id", ...; a HubSpot export's first column), else the only
column.  A cell that is not a record id is an :class:`~hubframe.errors.InputError` naming its
row: an export must not silently read fewer records than the sheet lists.  So a file of ids
without a header line (one id a line) is read from its first line: a first row whose one cell
is a record id is data, its column named by its letter ("A") (:meth:`_IdRequest.headerless`);
and a column *named* by a record id (a frame pandas read from such a file) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from hubframe.constants import OBJECT_TYPES_BY_NAME
from hubframe.errors import InputError
from hubframe.io.aliases import STRONG_KEYS, TYPED_HEADERS, WEAK_KEYS, header_key
from hubframe.io.bounds import ReadLimits, read_limits_in_force
from hubframe.io.cells import looks_like_id, one_cell_text, record_id
from hubframe.io.columns import ColumnMapping, HeaderError
from hubframe.io.frame import headers_found, raw_sheets
from hubframe.io.narrow import refuse_rounded_values
from hubframe.io.normalize import (
    canonical_ids,
    canonical_object_type,
    id_text,
)
from hubframe.io.notes import warn_hidden_ids, warn_sheets_left_out
from hubframe.io.rows import explode
from hubframe.io.sheet import RawSheet, Request, sheet_where
from hubframe.io.sources import SheetArg, Source, load_source, reading, sheet_argument
from hubframe.io.syntax import PYTHON, Syntax, SyntaxName, syntax_of
from hubframe.io.text import as_text, to_objects, to_series
from hubframe.vocab import object_noun

#: Bad cells named in the error of a sheet whose id column holds other things.
SHOWN_BAD_CELLS: Final = 5


def id_header_rank(header: str, object_type: str | None) -> int | None:
    """How well a header names a record id column of ``object_type`` (lower is better)."""
    key = header_key(header)
    typed = TYPED_HEADERS.get(key)
    if (
        typed is not None
        and typed.side in (None, "from")
        and object_type in (None, typed.object_type)
    ):
        return 0
    if STRONG_KEYS.get(key) == "from_id":
        return 1
    if WEAK_KEYS.get(key) == "from_id":
        return 2
    return None


_WEAK: Final = 2  # the rank of a generic header ("ID"), which row numbers are often under


def name_the_column(words: Syntax, what: str = "it") -> str:
    """How the caller chooses the id column, as a clause: ``name it with column=`` (Python),
    ``name it with --ids-column`` (``export --ids``; ``--scope-column`` for ``sync --scope``),
    ``pick it in the "From record ID" dropdown`` (the app)."""
    if words.name == "app":
        return f"pick {what} in {column_option(words)}"
    return f"name {what} with {column_option(words)}"


def column_option(words: Syntax) -> str:
    """The caller's option for the id column: ``column=``, ``--ids-column`` (or a command's
    own flag), the app's ``the "From record ID" dropdown``."""
    named = words.named("column")
    return f"the {named} dropdown" if words.name == "app" else named


def _sentence(clause: str) -> str:
    return clause[:1].upper() + clause[1:]


def _check_weak(
    headers: Sequence[str], header: str, object_type: str | None, where: str, words: Syntax
) -> None:
    """A generic "ID" picked while headers name other objects' ids ("Deal ID" when contacts
    are read): a frame saved with its index ("ID": 0, 1, 2...) beside the ids sent its row
    numbers as the records' ids.  Asked, as :func:`hubframe.read_pairs` asks."""
    named = [
        h
        for h in headers
        if (typed := TYPED_HEADERS.get(header_key(h))) is not None and typed.side != "to"
    ]
    if not named:
        return
    listed = ", ".join(f'"{h}"' for h in named)
    records = f"the {object_type} ids" if object_type else "the record ids"
    raise HeaderError(
        where,
        f'the column "{header}" would be read as {records}, but {listed} '
        f"name{'s' if len(named) == 1 else ''} record ids too (a column of row numbers saved "
        f"beside the ids reads as ids). {_sentence(name_the_column(words, 'the column to read'))}.",
    )


def _named_id_column(headers: Sequence[str], column: str, where: str, syntax: Syntax) -> str:
    """The column ``column`` names: the one so headed, else the one with its
    :func:`~hubframe.io.aliases.header_key`; HeaderError when it names none, or several alike
    but for case, spaces or punctuation (``contact id`` beside ``Contact ID`` and
    ``Contact-ID``: before, the last was read)."""
    key = header_key(column)
    found = [column] if column in headers else [h for h in headers if header_key(h) == key]
    if not found:
        raise HeaderError(
            where,
            f"no column {column!r} ({column_option(syntax)}). Columns found: "
            f"{', '.join(headers) or '(none)'}.",
        )
    if len(found) > 1:
        raise HeaderError(
            where,
            f"{column!r} ({column_option(syntax)}) could be any of the columns "
            f"{', '.join(repr(h) for h in found)}: they differ from it only in case, spaces or "
            "punctuation. Name the column exactly as it is headed.",
        )
    return found[0]


def pick_id_column(
    headers: Sequence[str],
    object_type: str | None,
    column: str | None,
    where: str,
    syntax: Syntax = PYTHON,
) -> str:
    """The header of the id column (see the module docstring); HeaderError when none or when
    several are equally good, saying how to name the column in ``syntax``'s words."""
    if column is not None:
        return _named_id_column(headers, column, where, syntax)
    ranked = [(rank, h) for h in headers if (rank := id_header_rank(h, object_type)) is not None]
    if ranked:
        best = min(rank for rank, _ in ranked)
        picks = [h for rank, h in ranked if rank == best]
        if len(picks) == 1:
            if best == _WEAK:
                _check_weak(headers, picks[0], object_type, where, syntax)
            return picks[0]
        raise HeaderError(
            where,
            f"several columns could hold the record ids: {', '.join(picks)}. "
            f"{_sentence(name_the_column(syntax, 'one'))}.",
        )
    named = [h for h in headers if h and not h.startswith("Unnamed: ")]
    if len(named) == 1:
        other = other_object(named[0], object_type)
        if other is not None:
            raise HeaderError(
                where,
                f"the only column, {named[0]!r}, holds {object_noun(other)} ids, and the records "
                f"read are {object_type}. Give a file of {object_noun(str(object_type))} ids, or "
                f"{name_the_column(syntax, 'the column')} to read its ids as they are.",
            )
        if names_a_record(named[0]):
            raise HeaderError(where, f"the only column is named {named[0]!r}, {LOST_FIRST_ID}")
        return named[0]
    raise HeaderError(
        where,
        f"no column of record ids. Columns found: {', '.join(headers) or '(none)'}. "
        f"{_sentence(name_the_column(syntax))}, or head it 'Record ID' or '<Object> ID'"
        + (
            " (the first line holds record ids, not column names: add a header line)."
            if any(map(names_a_record, headers))
            else "."
        ),
        unrecognised=True,
    )


#: Why ids under a name that is a record id are refused, and what to do ("... is named X, ").
LOST_FIRST_ID: Final = (
    "a record id: the first line of a file without a header line, which pandas took for the "
    "column's name (pd.read_csv, pd.read_excel), so that record would be left out. Read the "
    "file with header=None, or give the file itself."
)


def other_object(header: str, object_type: str | None) -> str | None:
    """The object whose ids ``header`` says a column holds ("Contact ID": contacts), when it
    is not ``object_type`` (the records read); None when it names no object or that one."""
    typed = TYPED_HEADERS.get(header_key(header))
    if object_type is None or typed is None or typed.object_type == object_type:
        return None
    return typed.object_type


def names_a_record(header: str) -> bool:
    """Whether a column's name is what a record id looks like (5 to 18 digits): a file's first
    id taken for its header (a frame's positional names 0, 1, 2 are not)."""
    return looks_like_id(header)


def is_record_id(cell: object) -> bool:
    """Whether one cell reads as a record id, as an id column's cells are read
    (:func:`~hubframe.io.cells.record_id`)."""
    return record_id(cell) is not None


@dataclass
class _IdRequest(Request):
    """A read of one id column: the header row is the row naming it, the mapping that column."""

    object_type: str | None = None
    id_column: str | None = None

    def match(
        self,
        headers: Sequence[str],
        where: str,
        preview: Sequence[Sequence[object]] = (),
        sheet: str | None = None,
    ) -> ColumnMapping:
        header = pick_id_column(headers, self.object_type, self.id_column, where, self.syntax)
        return ColumnMapping(columns={"from_id": header})

    def headerless(self, cells: Sequence[object]) -> bool:
        """A first row whose one cell is a record id is the first of a file of ids without a
        header line (as ``cut``, a database client or a text editor writes one): it is read as
        data, not taken for the column's name (which left that record out of the read).  A
        cell only shaped like one (a float too long to hold its digits) is read as data too, and
        refused as the cells below it are, by its row."""
        filled = [cell for cell in cells if one_cell_text(cell).strip()]
        return len(filled) == 1 and (is_record_id(filled[0]) or looks_like_id(filled[0]))

    def score(self, cells: Sequence[object]) -> int:
        keys = {header_key(self.id_column)} if self.id_column else set()
        return sum(
            1
            for cell in cells
            if header_key(cell) in keys or id_header_rank(str(cell), self.object_type) is not None
        )


def read_ids(
    source: Source,
    *,
    object_type: str | None = None,
    column: str | None = None,
    sheet: SheetArg = None,
    limits: ReadLimits | None = None,
    syntax: SyntaxName | Syntax = "python",
) -> list[str]:
    """The distinct record ids of a sheet's id column, in sheet order (see the module
    docstring).  ``object_type`` (canonical, e.g. "deals") prefers the column naming its ids;
    ``sheet`` picks a workbook's sheet as :func:`hubframe.read_pairs` does (a CSV takes none);
    ``syntax`` as for :func:`hubframe.read_pairs`."""
    return read_id_columns(
        source, object_type=object_type, column=column, sheet=sheet, limits=limits, syntax=syntax
    ).ids


@dataclass(frozen=True)
class IdsRead:
    """What :func:`read_id_columns` read: the ids, and the id column each sheet was read from
    (``{sheet name: header}``, the name as the read names its sheets), and the file read
    (None for bytes, a file object or a DataFrame)."""

    ids: list[str]
    columns: dict[str, str]
    path: Path | None = None


def read_id_columns(
    source: Source,
    *,
    object_type: str | None = None,
    column: str | None = None,
    sheet: SheetArg = None,
    limits: ReadLimits | None = None,
    syntax: SyntaxName | Syntax = "python",
) -> IdsRead:
    """:func:`read_ids`, with the column it read the ids from in each sheet: the one
    ``column`` names, or the one the reader picked."""
    sheet = sheet_argument(sheet)
    loaded = load_source(source)
    name = loaded.name
    request = _IdRequest(
        "pairs", name, None, None, None, syntax=syntax_of(syntax),
        object_type=object_type, id_column=column,
    )  # fmt: skip
    request.limits = limits or read_limits_in_force()
    with reading(name):
        raws = raw_sheets(loaded, sheet, request)
    ids: dict[str, None] = {}
    columns: dict[str, str] = {}
    warn_ids_left_out(name, request)
    for raw in raws:
        columns[raw.name or name] = raw.mapping.columns["from_id"]
        if column is None and object_type is not None:
            _check_side_type(raw, object_type, name, request.syntax)
        _refuse_extra_cells(raw, request)
        raw = explode(raw, request)  # "101;102": both ids, as a sheet of pairs reads them
        cells = raw.cells("from_id")
        assert cells is not None
        text = id_text(cells)
        values = to_objects(to_series(text))
        present = np.array([v is not None for v in values], dtype=bool)
        bad = np.flatnonzero(~canonical_ids(text) & present)
        if len(bad):
            shown = ", ".join(
                f"row {raw.row_name(raw.rows[p])}: {values[p]!r}" for p in bad[:SHOWN_BAD_CELLS]
            )
            where = f"{name} [{raw.name}]" if raw.name and raw.name != name else name
            one = len(bad) == 1
            raise InputError(
                f"{where}: {'1 cell' if one else f'{len(bad)} cells'} of the id column "
                f"{raw.mapping.columns['from_id']!r} "
                f"{'is not a record id' if one else 'are not record ids'} ({shown})."
            )
        _warn_hidden(raw, present, name)
        ids.update(dict.fromkeys(str(v) for v in values if v is not None))
    return IdsRead(list(ids), columns, loaded.path)


def _refuse_extra_cells(raw: RawSheet, request: Request) -> None:
    """InputError naming the rows with cells past the header (an unquoted comma in a cell:
    ``1,019,360,003``): their cells may be shifted, and the ids in them would be left out
    (a sheet of pairs refuses such a row, ``EXTRA_CELLS``)."""
    if raw.extra is None or raw.extra.null_count == len(raw.extra):
        return
    cells = raw.extra.to_pylist()
    found = [(int(r), c) for r, c in zip(raw.rows, cells, strict=True) if c]
    rows = ", ".join(str(r) for r, _ in found[:SHOWN_BAD_CELLS])
    row, beyond = found[0]
    raise InputError(
        f"{sheet_where(raw, request)}: {'row' if len(found) == 1 else 'rows'} {rows} "
        f"{'has' if len(found) == 1 else 'have'} more cells than the header row ('{beyond}' "
        f"beyond the last column in row {row}), so the ids there may be shifted or left out: "
        "a cell probably holds an unquoted delimiter, such as the commas in 1,019,360,003. "
        "Put that cell in quotes or remove the separator (or give the extra column a "
        "header), then export again."
    )


def _warn_hidden(raw: RawSheet, present: np.ndarray, name: str) -> None:
    """Warn of the rows holding ids that the workbook hides (:class:`HiddenIds`): read, as a
    sheet of pairs reads them, and said, as a sheet of pairs says them (``HIDDEN_ROW``)."""
    if not raw.hidden:
        return
    rows = [int(r) for r, there in zip(raw.rows, present, strict=True) if there and r in raw.hidden]
    if rows:
        warn_hidden_ids(f"{name} [{raw.name}]" if raw.name and raw.name != name else name, rows)


def id_headers(
    source: Source, *, sheet: SheetArg = None, limits: ReadLimits | None = None
) -> list[str]:
    """The headers :func:`read_ids` finds in a sheet (for a column picker): a file of ids
    without a header line names its id column by its letter ("A"), as the read does."""
    loaded = load_source(source)
    request = _IdRequest("pairs", loaded.name, None, None, None)
    request.limits = limits or read_limits_in_force()
    with reading(loaded.name):
        return headers_found(loaded, sheet_argument(sheet), request)


def warn_ids_left_out(name: str, request: Request) -> None:
    """Warn of the visible sheets holding ids that the read left out (the default reads the
    first sheet with an id column): an export of fewer records than the workbook lists, or a
    sync's scope, must not be silent (:class:`~hubframe.io.notes.SheetsLeftOut`)."""
    choice = request.choice
    left = [s for s in (choice.skipped if choice else []) if s.holds_rows and not s.hidden]
    if left:
        warn_sheets_left_out(name, left, stacklevel=5)


def _check_side_type(raw: RawSheet, object_type: str, name: str, words: Syntax) -> None:
    """The generic id column of a sheet of pairs (``from_id``) picked for ``object_type``'s
    ids while the sheet's own type column says its ids are another object's (an export of
    deals -> contacts given as the contacts to read): its ids would be read as records of
    another object.  Refused, naming the column that holds ``object_type``'s ids if one does."""
    header = raw.mapping.columns["from_id"]
    if STRONG_KEYS.get(header_key(header)) != "from_id":
        return
    said = _types_in(raw, "from_type")
    if not said or said == {object_type} or not said <= set(OBJECT_TYPES_BY_NAME):
        return  # no type column, the same object, or a custom object's spelling: not told
    if object_type not in OBJECT_TYPES_BY_NAME:
        return
    other = next((h for h in raw.headers if STRONG_KEYS.get(header_key(h)) == "to_id"), None)
    hint = (
        f"; its column {other!r} holds {object_type} ids: {name_the_column(words)}"
        if other is not None and _types_in(raw, "to_type") == {object_type}
        else ""
    )
    raise InputError(
        f"{name}: the id column {header!r} holds the ids of {', '.join(sorted(said))} (as the "
        f"sheet's type column says), and the records read are {object_type}{hint}."
    )


def _types_in(raw: RawSheet, canonical: str) -> set[str]:
    """The object types (canonical) a sheet's type column names (empty: no such column)."""
    header = next((h for h in raw.headers if STRONG_KEYS.get(header_key(h)) == canonical), None)
    if header is None:
        return set()
    cells = to_objects(to_series(raw.columns[raw.headers.index(header)]))
    return {str(canonical_object_type(c)) for c in cells if c not in (None, "")}


def given_ids(values: Iterable[Any], where: str = "ids=") -> tuple[list[str], list[str]]:
    """Record ids given as Python values (``ids=``, ``scope=``: ``where``): text, whole numbers
    (numpy's too) and floats read as a sheet's cells are.  The distinct ids in the order given,
    and the values that are not record ids (as written); empty values are left out, and True
    and False are not the ids 1 and 0.  Whole numbers a float32 or float16 may have rounded
    stop the read (:func:`~hubframe.io.narrow.refuse_rounded_values`)."""
    held = values if hasattr(values, "dtype") else list(values)
    refuse_rounded_values(held, where)
    cells = [c for c in map(_given_cell, _plain(held)) if c is not None]
    text = id_text(as_text(np.asarray(cells, dtype=object)))
    found = to_objects(to_series(text))
    bad = [repr(v) for v, ok in zip(found, canonical_ids(text), strict=True) if v and not ok]
    return list(dict.fromkeys(str(v) for v in found if v is not None)), bad


def _plain(values: Any) -> list[Any]:
    """The values of a list-like of ids, each as it is held: an ``Int64`` or Arrow array's
    as Python ints (never through a float), missing values as ``pd.NA`` (left out)."""
    tolist = getattr(values, "tolist", None)
    return list(tolist()) if callable(tolist) else list(values)


def _given_cell(value: Any) -> str | None:
    """A value as an id cell, as a DataFrame's cell is read (:func:`one_cell_text`): ints as
    digits (never 1.0e9), a yearly period or numpy date as a date (never the digits 2021), a
    missing value as None; True and False as themselves, so they are refused."""
    if isinstance(value, bool | np.bool_):
        return str(value)
    return one_cell_text(value) or None


__all__ = [
    "LOST_FIRST_ID",
    "IdsRead",
    "column_option",
    "given_ids",
    "id_header_rank",
    "id_headers",
    "is_record_id",
    "name_the_column",
    "names_a_record",
    "other_object",
    "pick_id_column",
    "read_id_columns",
    "read_ids",
]
