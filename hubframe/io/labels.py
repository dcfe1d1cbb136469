"""Sheets of association labels: the labels a portal should have (``hubframe labels FILE``).

:func:`read_labels` reads a sheet with one label per row -- the object types (columns, or
``from_type=`` / ``to_type=``), the label, and optionally its inverse label (a paired label:
"Employee" from contacts to companies, "Employer" back), its type id (to rename a label that
exists) and its internal name -- with the same readers and guards as :func:`hubframe.read_pairs`.
Accepted headers: the pairs sheet's ones for the types, the label, the category and the type id
(docs/columns.md), and for the inverse label ``Inverse label``, ``Inverse``, ``Reverse label``,
``Paired label``, ``inverseLabel``; for the name ``Name``, ``Internal name``, ``Label name
(internal)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Final

import numpy as np
import pandas as pd

from hubframe.constants import LITERAL_INVERSE_COLUMN, LITERAL_LABEL_COLUMN
from hubframe.errors import HubframeWarning
from hubframe.io.aliases import SIDE_KEYS, STRONG_KEYS, Kind, header_key, noted_key
from hubframe.io.arguments import check_arguments
from hubframe.io.blocks import Named, check_second_header
from hubframe.io.bounds import ReadLimits, read_limits_in_force
from hubframe.io.columns import (
    ColumnMapping,
    HeaderError,
    check_repeats,
    check_unread_roles,
    fields_read,
    several_columns,
)
from hubframe.io.frame import (
    EXTRA_CELLS,
    RAW_PREFIX,
    RESERVED,
    column_values,
    own_columns,
    raw_sheets,
    source_index,
    type_argument,
)
from hubframe.io.normalize import canonical_object_type, label_text, whole_numbers
from hubframe.io.notes import choice_attrs, warn_left_out
from hubframe.io.sheet import RawSheet, Request, sheet_where
from hubframe.io.sources import (
    SheetArg,
    Source,
    load_source,
    read_from_attrs,
    reading,
    sheet_argument,
)
from hubframe.io.syntax import CLI, SyntaxName, syntax_of
from hubframe.io.text import constant_text, to_objects, to_series, trimmed_text
from hubframe.terminal import shown

#: What ``attrs["hubframe"]["kind"]`` says of a labels sheet.
LABELS_KIND: Final = "labels"
LABEL_COLUMNS: Final = ("from_type", "to_type", "label", "inverse_label", "type_id", "name")
RAW_TYPE_ID: Final = "_raw_type_id"  # the text of type id cells that are not whole numbers
_EXTRA_ALIASES: Final = {
    "inverse_label": ("Inverse label", "Inverse", "Reverse label", "Paired label", "inverseLabel"),
    "name": ("Name", "Internal name", "Label name (internal)"),
}
#: The columns a labels sheet reads that a column not read may name ("New label").
_READ_ROLES: Final = ("label", "type_id")
_KEYS: Final = {
    **{header_key(a): c for c, aliases in _EXTRA_ALIASES.items() for a in (c, *aliases)},
}
#: The headers a labels sheet names besides the pairs sheet's, for a second table's header
#: below its table (:func:`~hubframe.io.blocks.check_second_header`).
_NAMED: Final = {key: Named(column) for key, column in _KEYS.items()}


def _canonical(header: str) -> str | None:
    """The column ``header`` names, as spelled or with its fill notes left out ("Inverse
    label (optional)"), as the pairs reader finds a column (:func:`noted_key`)."""
    for key in (header_key(header), noted_key(header)):
        found = _keyed(key) if key is not None else None
        if found is not None:
            return found
    return None


def _keyed(key: str) -> str | None:
    if key in _KEYS:
        return _KEYS[key]
    found = STRONG_KEYS.get(key)
    if found in ("from_type", "to_type", "label", "type_id"):
        return found
    side = SIDE_KEYS.get(key)
    return f"{side}_type" if side is not None else None


def _mapped(headers: Sequence[str], where: str) -> ColumnMapping:
    """Each column's header; several headers naming one column are refused naming them all
    (the first was read and the others left out: a paired label created unpaired, a rename
    made a new label), as the pairs reader refuses them (:func:`several_columns`)."""
    found: dict[str, list[str]] = {}
    for header in headers:
        canonical = _canonical(header)
        if canonical is not None:
            found.setdefault(canonical, []).append(header)
    mapping = ColumnMapping()
    for canonical, matches in found.items():
        if len(matches) > 1:
            raise several_columns(where, canonical, matches, CLI)  # no columns= to choose with
        mapping.columns[canonical] = matches[0]
    return mapping


@dataclass
class _LabelsRequest(Request):
    """A read of a labels sheet: its header row is the one naming a label column."""

    def match(
        self,
        headers: Sequence[str],
        where: str,
        preview: Sequence[Sequence[object]] = (),
        sheet: str | None = None,
    ) -> ColumnMapping:
        mapping = _mapped(headers, where)
        if "label" not in mapping.columns:
            raise HeaderError(
                where,
                f"no label column. Columns found: {', '.join(headers) or '(none)'}. Head it "
                "'Label' (and 'From type', 'To type', optionally 'Inverse label').",
                unrecognised=True,
            )
        for side in ("from", "to"):
            given = self.from_type if side == "from" else self.to_type
            if f"{side}_type" not in mapping.columns and not given:
                raise HeaderError(
                    where,
                    f"no column for the '{side}' object type and no "
                    f"{self.syntax.named(f'{side}_type')} given.",
                    looks_like=_other_sheet(list(headers), mapping),
                )
        check_repeats(headers, mapping, set(), LABEL_COLUMNS, where, CLI)
        return mapping

    def score(self, cells: Sequence[object]) -> int:
        return sum(1 for cell in cells if _canonical(str(cell)) is not None)


def _column(raw: RawSheet, canonical: str, given: str | None = None) -> pd.Series:
    cells = raw.cells(canonical)
    if cells is None:
        return pd.Series([given] * raw.size, dtype="Int64" if canonical == "type_id" else object)
    if canonical in ("from_type", "to_type"):  # a cell that names no type is kept as written
        cell_text = to_objects(to_series(trimmed_text(cells)))
        values = [(canonical_object_type(v) or v) if v else given for v in cell_text]
        return pd.Series(values, dtype=object)
    if canonical == "type_id":
        numbers, _ = whole_numbers(cells)
        return pd.Series(numbers, dtype="Int64")
    text = label_text(cells) if canonical in ("label", "inverse_label") else trimmed_text(cells)
    return pd.Series(to_objects(to_series(text)), dtype=object)


def _literal_marks(raw: RawSheet) -> dict[str, np.ndarray]:
    """The private columns saying which rows' label and inverse label cells are text the sheet
    holds as such ("=SUM(A1)" in a workbook's text cell, "'#N/A" in a CSV: labels, not a
    formula without its value nor an error cell), for those a row has
    (:data:`~hubframe.constants.LITERAL_LABEL_COLUMN`)."""
    marks = {LITERAL_LABEL_COLUMN: raw.literal_labels, LITERAL_INVERSE_COLUMN: raw.literal_inverses}
    return {
        column: np.isin(raw.rows, np.fromiter(rows, dtype=np.int64))
        for column, rows in marks.items()
        if rows
    }


def _bad_type_ids(raw: RawSheet) -> pd.Series | None:
    """The text of type id cells that are not whole numbers ("#REF!", "3,000"), None where the
    cell is one or empty; None when every cell is.  Kept so that the row is refused, never read
    as a label without a type id (which would create a label instead of renaming one)."""
    cells = raw.cells("type_id")
    if cells is None:
        return None
    _, bad = whole_numbers(cells)
    if bad.null_count == len(bad):
        return None
    return pd.Series(to_objects(to_series(bad)), dtype=object)


def _check_unread(raw: RawSheet, request: Request) -> None:
    """A column not read whose name says it holds labels or type ids ("New label", "Label
    type ID") and holds such a cell stops the read, as in a pairs sheet
    (:func:`check_unread_roles`): its cells would be left out unseen."""
    if raw.size:
        values = partial(column_values, raw)
        where = sheet_where(raw, request)
        check_unread_roles(raw.headers, raw.mapping, "pairs", values, where, CLI, _READ_ROLES)


def _refuse_limits_sheet(raw: RawSheet, request: Request) -> None:
    """A sheet with a column of association limits (``From, To, Label, Max``) is a limits
    sheet: read as labels, its limits were left aside, and a row removing a label's limit
    ("remove" under Max) asked for the label to be created.  HeaderError (the labels job then
    reads it with :func:`~hubframe.io.read_limits`, which knows a removal).  A sheet with an
    inverse label or internal name column is a labels sheet all the same, one with record id
    columns a pairs sheet."""
    header = _limits_column(list(raw.headers), raw.mapping)
    if header is not None:
        reader = {"cli": "hubframe limits", "app": "the Configure limits job"}.get(
            request.syntax.name, "read_limits"
        )
        raise LimitsSheetError(
            sheet_where(raw, request),
            f"the column {shown(header)} holds association limits: this is a limits sheet, "
            f"not a labels sheet ({reader} reads it).",
            unrecognised=True,
            looks_like="limits",
        )


def _limits_column(headers: list[str], mapping: ColumnMapping) -> str | None:
    """The column of association limits that makes ``headers`` a limits sheet's
    (:func:`_refuse_limits_sheet`), else None."""
    if any(c in mapping.columns for c in ("inverse_label", "name")):
        return None  # a labels sheet with a note of limits: the limits reader would drop these
    try:
        found = fields_read(headers, "limits")
    except HeaderError:
        return None
    if _names_records(headers, set(found.columns.values())):
        return None  # record ids beside: a pairs sheet's labels, whatever its limit column says
    return found.columns.get("max_to_object_ids")


def _other_sheet(headers: list[str], mapping: ColumnMapping) -> Kind | None:
    """The kind of sheet ``headers`` say a sheet the labels reader refuses is, as
    :func:`_refuse_limits_sheet` and :func:`_refuse_pairs_sheet` tell (``HeaderError.looks_like``:
    the labels job says that reader's refusal): a refusal before them (no type column) too."""
    if _limits_column(headers, mapping) is not None:
        return "limits"
    if _names_records(headers, set(mapping.columns.values())):
        return "pairs"
    return None


class LimitsSheetError(HeaderError):
    """A limits sheet given to the labels reader (:func:`_refuse_limits_sheet`)."""


class PairsSheetError(HeaderError):
    """A pairs sheet given to the labels reader (:func:`_refuse_pairs_sheet`)."""


def _refuse_pairs_sheet(raw: RawSheet, request: Request) -> None:
    """A sheet with record id columns (``Deal ID``, ``to_id``: an export's layout) is a pairs
    sheet, whatever object type columns it has or types are given: read as labels, its
    ``;``-lists were one label of their whole text, its unlabeled pairs rows refused, and a
    label edited beside the export's type id renamed that label across the portal.  HeaderError
    (the labels job then reads it with :func:`~hubframe.io.read_pairs`)."""
    taken = set(raw.mapping.columns.values())
    if _names_records(list(raw.headers), taken):
        raise PairsSheetError(
            sheet_where(raw, request),
            "it has record id columns: this is a pairs sheet, not a labels sheet (its labels "
            "are read with read_pairs).",
            unrecognised=True,
            looks_like="pairs",
        )


def _names_records(headers: list[str], limits: set[str]) -> bool:
    """True when a pairs read of ``headers`` takes a record id column other than those a
    limits read takes (bare "From"/"To" are ids or types by their cells)."""
    try:
        found = fields_read(headers, "pairs")
    except HeaderError:
        return False
    ids = {found.columns[f] for f in ("from_id", "to_id") if f in found.columns}
    return bool(ids - limits)


class TypeRowsLeftOut(HubframeWarning):
    """Rows of a labels sheet that name object types and nothing else (no label, inverse
    label, name or type id) were left out: a template's rows not filled in, or a label cell
    left empty (or holding only spaces).  The result has no row for them."""


def _warn_type_rows(raw: RawSheet, asks: pd.Series, where: str) -> None:
    """One :class:`TypeRowsLeftOut` naming the first rows of ``raw`` that ask nothing yet
    hold a type cell of the sheet's own (not a ``from_type=`` argument's)."""
    own = [raw.cells(c) for c in ("from_type", "to_type")]
    typed = np.zeros(raw.size, dtype=bool)
    for cells in own:
        if cells is not None:
            typed |= to_series(trimmed_text(cells)).fillna("").to_numpy(dtype=object) != ""
    left = np.flatnonzero(typed & ~asks.to_numpy(dtype=bool))
    if not len(left):
        return
    rows = [raw.row_name(raw.rows[n]) for n in left[:5]]
    more = f" and {len(left) - 5:,} more" if len(left) > 5 else ""
    one = len(left) == 1
    warnings.warn(
        f"{where}: {'row' if one else 'rows'} {', '.join(rows)}{more} "
        f"{'names' if one else 'name'} object types and nothing else (the label cell is "
        f"empty or holds only spaces) and {'was' if one else 'were'} left out: the result has "
        f"no row for {'it' if one else 'them'}. Write the label to create, or delete the "
        f"{'row' if one else 'rows'}.",
        TypeRowsLeftOut,
        stacklevel=3,
    )


def _asks(part: pd.DataFrame) -> pd.Series:
    """The rows that ask something: a label, or without one an inverse label, an internal name
    or a type id (the labels job refuses those ``MISSING_VALUE``: they were dropped, and the
    row given an inverse label only had no result row).  A row naming object types alone asks
    nothing (a template's rows not filled in)."""
    asking = [
        c
        for c in ("label", "inverse_label", "name", "type_id", RAW_TYPE_ID, EXTRA_CELLS)
        if c in part
    ]
    return part[asking].notna().any(axis=1)


#: The names of the labels result's columns: a sheet's column so named is kept as
#: "<name> (original)" (:func:`~hubframe.io.frame.own_columns`), as a pairs sheet's "status".
_OWNED: Final = frozenset({*RESERVED, *LABEL_COLUMNS, "category"})


def _combined(parts: list[pd.DataFrame], originals: list[str]) -> pd.DataFrame:
    """The sheets' rows, one frame numbered from 0: the label columns, then the analyst's
    (a sheet without one of another sheet's columns: empty cells, ``""``), then the private
    ones."""
    if not parts:
        return pd.DataFrame(columns=LABEL_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    private = [c for c in frame.columns if str(c).startswith(RAW_PREFIX)]
    for column in originals:
        if column in frame.columns and column not in LABEL_COLUMNS and frame[column].hasnans:
            frame[column] = frame[column].fillna("")
    head = ["sheet", "row", *LABEL_COLUMNS]
    own = [c for c in originals if c in frame.columns and c not in head]
    return frame[[*head, *own, *private]]


def read_labels(
    source: Source,
    *,
    sheet: SheetArg = None,
    from_type: str | None = None,
    to_type: str | None = None,
    limits: ReadLimits | None = None,
    syntax: SyntaxName = "python",
) -> pd.DataFrame:
    """A labels sheet: ``sheet``, ``row``, ``from_type``, ``to_type``, ``label``,
    ``inverse_label``, ``type_id`` (Int64), ``name``, then the sheet's columns as text (as
    :func:`~hubframe.io.read_pairs` keeps them: ``attrs["hubframe"]["original_columns"]``;
    one named like a column of the labels result as ``<name> (original)``); rows that ask
    nothing (no label, inverse label, name or type id) are dropped.  A DataFrame's rows keep
    its index; a file's are numbered from 0.
    ``from_type`` / ``to_type`` give the types for every row (a column's empty cells take
    them; a cell naming another object stops the read, HeaderError, as in
    :func:`~hubframe.io.read_pairs`).  ``sheet`` and ``syntax`` as for
    :func:`~hubframe.io.read_pairs`: a sheet that is not there, or one named for a CSV, is
    refused; the sheets read and skipped are noted (:func:`hubframe.io.read_notes`), and a
    later sheet with rows left out is warned of (``SheetsLeftOut``).  InputError
    (HeaderError) when the sheet has no label column."""
    sheet = sheet_argument(sheet)
    loaded = load_source(source)
    name = loaded.name
    said = syntax_of(syntax)
    given = {  # an argument naming no object type is refused, naming it as typed
        "from_type": type_argument(from_type or None, "from_type", name, said),
        "to_type": type_argument(to_type or None, "to_type", name, said),
    }
    request = _LabelsRequest(
        "pairs", name, None, given["from_type"], given["to_type"], syntax=syntax_of(syntax)
    )
    request.limits = limits or read_limits_in_force()
    with reading(name):
        raws = raw_sheets(loaded, sheet, request)
    parts = []
    originals: dict[str, None] = {}  # the analyst's columns, every sheet's, in order
    for raw in raws:
        _refuse_limits_sheet(raw, request)
        _refuse_pairs_sheet(raw, request)
        check_arguments(raw, request, sheet_where(raw, request))  # a type cell saying otherwise
        _check_unread(raw, request)
        check_second_header(raw, request, _NAMED)
        part = pd.DataFrame({c: _column(raw, c, given.get(c)) for c in LABEL_COLUMNS})
        bad = _bad_type_ids(raw)
        if bad is not None:
            part[RAW_TYPE_ID] = bad
        part = part.assign(**_literal_marks(raw))
        if raw.extra is not None and raw.extra.null_count < len(raw.extra):
            part[EXTRA_CELLS] = to_objects(to_series(raw.extra))
        part.insert(0, "row", raw.rows)
        # a DataFrame's rows come from no sheet: empty, as read_pairs has them (docs/report.md)
        where = raw.name or ("" if loaded.frame is not None else name)
        part.insert(0, "sheet", to_series(constant_text(where, raw.size)))
        own, names, _ = own_columns(raw, LABEL_COLUMNS, {*raw.headers, *part.columns}, _OWNED)
        part = pd.concat([part, pd.DataFrame(own, copy=False)], axis=1)
        originals.update(dict.fromkeys(names))
        asks = _asks(part)
        _warn_type_rows(raw, asks, sheet_where(raw, request))
        parts.append(part[asks])
    frame = _combined(parts, list(originals))
    if loaded.frame is not None:  # a DataFrame's rows keep its index (the result lines up)
        frame.index = source_index(loaded.frame, frame["row"])
    frame.attrs["hubframe"] = {
        "kind": LABELS_KIND,
        "source": name,
        "original_columns": list(originals),
        **choice_attrs(request.choice),
        **read_from_attrs(loaded.path),
    }
    warn_left_out(frame)
    return frame


__all__ = [
    "LABELS_KIND",
    "LABEL_COLUMNS",
    "RAW_TYPE_ID",
    "LimitsSheetError",
    "PairsSheetError",
    "TypeRowsLeftOut",
    "read_labels",
]
