"""An export's scope: the records it read, carried to the sync of its edit.

The sync's scope is the from ids of its sheet (``scope=`` aside), so deleting every row of a
record from an export -- the natural way to unlink a deal from its one contact -- took the
record out of the sync, which then removed nothing of it and said nothing.  An export keeps
the records it read in ``attrs["hubframe"]["export_scope"]`` (``from_type``, ``to_type``,
``ids``; pandas keeps ``attrs`` through the usual edits of a frame).
:func:`hubframe.report.write_pairs` writes them to an ``.xlsx`` as a sheet of their own,
:data:`SCOPE_SHEET` (columns ``from_type``, ``from_id``, ``to_type``), which
:func:`hubframe.read_pairs` reads back into the same entry: the sheet is never read as pairs,
nor noted as a sheet left unread.  A sync adds them to the scope of that object pair (the
sheet's from ids) when ``scope=`` is not given: a record of them with no row left has every
association of the pair removed when removals are allowed.  A CSV holds one table: an export
written as one carries no scope, and a sync with removals of a sheet in an export's layout
without one warns (:class:`NoExportScope`), as does a frame in an export's layout that
carries none: pandas keeps ``attrs`` through a frame's own edits (filter, sort, ``.loc``,
``.copy()``) but drops them when ``pd.concat`` or ``pd.merge`` joins frames whose attrs differ,
and ``pd.DataFrame(frame)`` does not copy them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NoReturn

import pandas as pd

from hubframe.errors import HubframeWarning, InputError

#: The ``attrs["hubframe"]`` key of an export's scope.
SCOPE_KEY: Final = "export_scope"
#: The title of the sheet an ``.xlsx`` export keeps its scope in.
SCOPE_SHEET: Final = "Export scope"
#: Its columns, as written.
SCOPE_HEADERS: Final = ("from_type", "from_id", "to_type")
#: The columns of an export (the pairs columns of the result table contract): a sheet that has
#: them all is in an export's layout.
EXPORT_LAYOUT: Final = ("from_type", "from_id", "to_type", "to_id", "label", "category", "type_id")
_PART: Final = re.compile(re.escape(SCOPE_SHEET) + r"(?: \(\d+\))?")

#: What to do to unlink a record's last association in an export that carries no scope.
LAST_ROW_HINT: Final = (
    "to unlink a record's last association, keep its row and clear its to_id (and its "
    "label, category and type_id): a record with no row left is not in the sync's scope"
)


class ScopeIds(tuple[str, ...]):
    """The ids of an export's scope in a frame's ``attrs``: pandas deep-copies ``attrs`` on
    every operation of the frame, and a list of a million ids made each filter of a large
    export take half a second; being immutable, a copy of it is itself."""

    __slots__ = ()

    def __copy__(self) -> ScopeIds:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ScopeIds:
        return self


class NoExportScope(HubframeWarning):
    """A sync with removals of a sheet in an export's layout that carries no export scope and
    no ``scope=``: a ``.csv``, or a frame whose scope pandas dropped (``pd.concat`` or
    ``pd.merge`` of frames whose attrs differ, ``pd.DataFrame(frame)``) or that was built in
    Python.  A record whose rows were all deleted is not synced."""


_FILE_LOST: Final = (
    "the sheet has an export's columns but not the records the export read (a .csv cannot "
    "keep them; an .xlsx export does, in its sheet 'Export scope')."
)
_FRAME_LOST: Final = (
    "The frame has an export's columns but not the records the export read: they ride in "
    "the frame's attrs, which pandas drops when pd.concat or pd.merge joins frames that carry "
    "different ones (a row added as a frame of its own, two exports joined) and which "
    "pd.DataFrame(frame) does not copy."
)
_FRAME_KEEP: Final = (
    "To keep the export's scope, give the joined frame the export's attrs before the sync "
    "(joined.attrs = export.attrs; of two exports, sync each one's edit on its own), or add "
    "rows with .loc under new index labels (the attrs stay). Or, "
)


def warn_no_scope(source: str, listed: int) -> None:
    """Warn :class:`NoExportScope` for the sheet ``source`` (a file's name, or
    :data:`~hubframe.io.sources.FRAME_SOURCE`), whose rows name ``listed`` records: what is
    lost, what the sync will and will not remove, and how to keep the scope.  A warning, not a
    refusal, as for a ``.csv`` (docs/sync.md): a sheet with an export's columns that never was
    an export's is synced as any other, and one whose scope was lost cannot be told from it."""
    import warnings

    from hubframe.io.sources import FRAME_SOURCE

    framed = source == FRAME_SOURCE
    lost = _FRAME_LOST if framed else f"{source}: {_FILE_LOST}"
    does = (
        f" This sync's scope is the records the {'frame' if framed else 'sheet'}'s rows list "
        f"({listed:,}): it removes what HubSpot holds for them that the rows lack, and a record "
        "whose rows were all deleted keeps its associations. "
    )
    hint = (
        f"{_FRAME_KEEP}{LAST_ROW_HINT}" if framed else LAST_ROW_HINT[0].upper() + LAST_ROW_HINT[1:]
    )
    warnings.warn(f"{lost}{does}{hint}.", NoExportScope, stacklevel=3)


@dataclass(frozen=True)
class ExportScope:
    """The records an export read: their type, the type of the records it read their
    associations with, and their ids (distinct, in the order read)."""

    from_type: str
    to_type: str
    ids: tuple[str, ...]
    sheet: str | None = None  # the workbook sheet it was read from


def scope_attrs(scope: ExportScope) -> dict[str, Any]:
    """The ``attrs["hubframe"]`` entry of ``scope``."""
    entry: dict[str, Any] = {
        "from_type": scope.from_type,
        "to_type": scope.to_type,
        "ids": ScopeIds(scope.ids),
    }
    if scope.sheet is not None:
        entry["sheet"] = scope.sheet
    return {SCOPE_KEY: entry}


def export_scope(attrs: Mapping[Any, Any] | None) -> ExportScope | None:
    """The export scope an ``attrs["hubframe"]`` holds; None when it holds none."""
    found = attrs.get(SCOPE_KEY) if isinstance(attrs, Mapping) else None
    if not isinstance(found, Mapping) or not isinstance(found.get("ids"), list | tuple):
        return None
    sheet = found.get("sheet")
    return ExportScope(
        str(found.get("from_type") or ""),
        str(found.get("to_type") or ""),
        ids if isinstance(ids := found["ids"], ScopeIds) else tuple(str(i) for i in ids),
        None if sheet is None else str(sheet),
    )


def scope_frame(scope: ExportScope) -> pd.DataFrame:
    """The scope as the sheet :func:`hubframe.report.write_pairs` writes."""
    ids = list(scope.ids)
    return pd.DataFrame(
        {
            SCOPE_HEADERS[0]: pd.array([scope.from_type] * len(ids), dtype="string"),
            SCOPE_HEADERS[1]: pd.array(ids, dtype="string"),
            SCOPE_HEADERS[2]: pd.array([scope.to_type] * len(ids), dtype="string"),
        }
    )


def is_scope_sheet(name: str) -> bool:
    """Whether a sheet's name is the scope sheet's (or a further part of it)."""
    return _PART.fullmatch(name) is not None


def is_scope_header(cells: Sequence[object]) -> bool:
    """Whether a first row is the scope sheet's header (``from_type``, ``from_id``,
    ``to_type``)."""
    texts = [str(c).strip().casefold() for c in cells if c is not None and str(c).strip()]
    return tuple(texts) == SCOPE_HEADERS


def read_scope(name: str, rows: Iterable[Sequence[str]], first_row: int) -> ExportScope:
    """The scope of the sheet ``name`` from its rows below the header (cells as text);
    InputError naming the row of a cell that is not a record id (an edited scope sheet must
    not leave records out of a sync without a word)."""
    from hubframe.io.ids import given_ids

    kept: list[tuple[int, str, str, str]] = []  # (row, type, id, to type) of the rows filled
    for n, row in enumerate(rows, start=first_row):
        cells = [c.strip() for c in row[:3]] + ["", "", ""]
        if cells[0] or cells[1] or cells[2]:
            kept.append((n, cells[0], cells[1], cells[2]))
    found, bad = given_ids([k[2] for k in kept])
    wrong = next((k for k in kept if not k[2] or repr(k[2]) in bad), None)
    if wrong is not None:
        _refuse(f"sheet '{name}', row {wrong[0]}", wrong[2])
    if bad:
        _refuse(f"sheet '{name}'", bad[0].strip("'"))
    types = _one_pair(name, kept)
    return ExportScope(*types, tuple(found), name)


def _one_pair(name: str, kept: Sequence[tuple[int, str, str, str]]) -> tuple[str, str]:
    """The object pair every row of a scope sheet names, spelled as the pairs sheet's cells
    are read ('Deals', 'deal' and '0-3' are ``deals``); InputError naming the row whose type
    cell is empty, or whose pair is not the first row's (the scope would be read under another
    pair than its records', and a sync remove all they have)."""
    from hubframe.io.normalize import canonical_object_type

    def spelled(cell: str) -> str:
        return canonical_object_type(cell) or ""

    pairs = [(n, spelled(f), spelled(t)) for n, f, _, t in kept]
    for n, from_type, to_type in pairs:
        if not from_type or not to_type:
            column = SCOPE_HEADERS[0] if not from_type else SCOPE_HEADERS[2]
            raise InputError(
                f"sheet '{name}', row {n}: its {column} cell is empty. The sheet lists the "
                "records the export read and their object pair (a sync with removals takes "
                "them as its scope): fill the cell as the other rows have it, or delete the "
                "sheet to sync only the records the other sheet lists."
            )
        if (from_type, to_type) != pairs[0][1:]:
            raise InputError(
                f"sheet '{name}', row {n}: it names {from_type} -> {to_type}, and row "
                f"{pairs[0][0]} {pairs[0][1]} -> {pairs[0][2]}. An export's scope lists the "
                "records of one object pair: correct the row, or delete the sheet to sync only "
                "the records the other sheet lists."
            )
    return pairs[0][1:] if pairs else ("", "")


def _refuse(where: str, cell: str) -> NoReturn:
    raise InputError(
        f"{where}: {cell!r} is not a record id. The sheet lists the records the export read "
        "(a sync with removals takes them as its scope): correct the cell, or delete the sheet "
        "to sync only the records the other sheet lists."
    )


__all__ = [
    "EXPORT_LAYOUT",
    "LAST_ROW_HINT",
    "SCOPE_HEADERS",
    "SCOPE_KEY",
    "SCOPE_SHEET",
    "ExportScope",
    "NoExportScope",
    "ScopeIds",
    "export_scope",
    "is_scope_header",
    "is_scope_sheet",
    "read_scope",
    "scope_attrs",
    "scope_frame",
    "warn_no_scope",
]
