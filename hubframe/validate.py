"""Vectorized checks of read pairs and limits: every problem of every row, in one issues table.

``validate_pairs`` / ``validate_limits`` return the columns of
:data:`hubframe.constants.ISSUE_COLUMNS` plus ``position`` (the row's position in the frame,
since rows split from one ``;`` cell share a row number).  Codes come from
:class:`hubframe.errors.ErrorCode`; ``DUPLICATE_ROW``, ``NO_TARGETS`` and ``BLANK_LIMIT`` are
warnings, everything else an error.
Checks run per column on Arrow text (zero-copy views of pandas' Arrow-backed ``str`` columns)
and numpy; messages are built per issue, never per row.  Repeats and conflicts are searched
with a hash of the id pair and one sort; rows are grouped exactly only where a pair repeats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import (
    CATEGORIES,
    HEADER_TYPE_COLUMNS,
    HUBSPOT_DEFINED,
    HUBSPOT_DEFINED_TYPES,
    ID_PROPERTIES,
    ISSUE_COLUMNS,
    LITERAL_LABEL_COLUMN,
    LOOKED_UP,
    MAX_LIMIT_VALUE,
    NO_TARGETS_COLUMN,
    OBJECT_TYPES,
    UNLABELED_NAMES,
)
from hubframe.errors import ErrorCode
from hubframe.io.aliases import (
    DESCRIPTIONS,
    LIMIT_FIELDS,
    PAIR_FIELDS,
    PROPERTY_HEADERS,
    TYPED_HEADERS,
    TypedHeader,
    alias_field,
    header_key,
    typed_among_words,
)
from hubframe.io.hidden import HIDDEN_ROW
from hubframe.io.meta import sheet_column_maps, without_attrs
from hubframe.io.normalize import (
    canonical_category,
    canonical_ids,
    canonical_object_type,
    describe_number,
    describe_one_number,
    id_values,
    is_purge_word,
    is_scientific,
    is_valid_object_type,
    normalize_label,
    object_key,
    unique_codes,
)
from hubframe.io.rowname import index_label
from hubframe.io.sheet_errors import error_mask, explain
from hubframe.io.sources import FRAME_SOURCE
from hubframe.io.tables import SUM_ROW, TOTALS_ROW
from hubframe.io.text import (
    PARALLEL_ROWS,
    ObjArray,
    Text,
    as_text,
    blank_mask,
    chunked,
    empty_mask,
    run_all,
    text_series,
    to_objects,
    unique_flags,
)
from hubframe.redaction import clip

ERROR: Final = "error"
WARNING: Final = "warning"
RAW_PREFIX: Final = "_raw_"
EXTRA_CELLS: Final = "extra_cells"  # issue column of CSV rows with cells beyond the header
OUTPUT_COLUMNS: Final = (*ISSUE_COLUMNS, "position")
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_UNLABELED_IDS: Final = {
    (t.from_type, t.to_type): t.type_id for t in HUBSPOT_DEFINED_TYPES if t.label is None
}
_TYPE_NAMES: Final = [t.name for t in OBJECT_TYPES]


@dataclass(frozen=True)
class _Part:
    """Issues of one check on one column: positions, shown values and messages per issue."""

    positions: IntArray
    column: str
    code: str
    values: ObjArray
    messages: ObjArray
    severity: str


class ObjectKeys(dict[str, str]):
    """Custom object spelling -> its object's key (:func:`hubframe.run.spelling.object_keys`),
    and ``untold``: the names a sheet also writing type ids gives an object that neither a
    labels list nor the custom object schemas list could say the type id of (name -> why).
    Their rows are refused (``BAD_OBJECT_TYPE``): taken for another object than the type id's,
    rows of one record pair spelled two ways were sent twice."""

    def __init__(
        self, keys: Mapping[str, str] | None = None, untold: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(keys or {})
        self.untold: dict[str, str] = dict(untold or {})


@dataclass
class _Collector:
    """Issues found so far, as column arrays; one entry per (row position, column, code)."""

    frame: pd.DataFrame
    #: Custom object spelling -> its object's key, for repeats and conflicts (given with a
    #: client: :func:`hubframe.run.spelling.object_keys`); other spellings by ``object_key``.
    objects: Mapping[str, str] = field(default_factory=dict)
    parts: list[_Part] = field(default_factory=list)
    _texts: dict[str, Text] = field(default_factory=dict)
    _missing: dict[str, BoolArray] = field(default_factory=dict)
    _ids: dict[str, tuple[BoolArray, IntArray]] = field(default_factory=dict)
    #: Cells a FORMULA_ERROR settles, per column: no other check speaks of them.
    settled: dict[str, BoolArray] = field(default_factory=dict)
    #: :func:`naming_cells` per side, computed once.
    naming: dict[str, list[tuple[str, str | None, BoolArray]]] = field(default_factory=dict)
    #: The index labels of the frame as given (the frame is kept with a 0, 1, 2... index).
    labels: pd.Index | None = None

    #: The frame's ``attrs["hubframe"]`` (the frame itself is kept without its attrs: pandas
    #: deep-copies them into every column taken out).
    info: Mapping[str, Any] = field(init=False)
    #: The sheet the messages being written are for (:meth:`add_each`), None for any.
    at_sheet: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.info = self.frame.attrs.get("hubframe") or {}
        self.frame = without_attrs(self.frame)

    @cached_property
    def several_sheets(self) -> bool:
        return bool(self.frame["sheet"].nunique() > 1)

    def column(self, name: str) -> pd.Series:
        return _col(self.frame, name)

    def is_text(self, name: str) -> bool:
        s = self.column(name)
        return s.dtype == object or pd.api.types.is_string_dtype(s.dtype)

    def text(self, name: str) -> Text:
        """A column as Arrow text (no copy for Arrow-backed text), computed once."""
        if name not in self._texts:
            self._texts[name] = as_text(self.column(name))
        return self._texts[name]

    def missing(self, name: str) -> BoolArray:
        """Empty cells (NA or blank text) of a column, computed once."""
        if name not in self._missing:
            empty = empty_mask(self.text(name)) if self.is_text(name) else None
            self._missing[name] = _isna(self.column(name)) if empty is None else empty
        return self._missing[name]

    @cached_property
    def properties(self) -> dict[str, str]:
        """Id columns that hold a unique property's values (``{"to_id": "email"}``): the sides
        :func:`hubframe.read_pairs` noted in ``attrs["hubframe"]["id_properties"]``; a run
        looks them up to record ids (``hubframe.run.lookup``) before sending."""
        given = self.info.get(ID_PROPERTIES) or {}
        return {f"{side}_id": str(given[side]) for side in ("from", "to") if given.get(side)}

    @cached_property
    def named_by(self) -> dict[str, str]:
        """:attr:`properties`, and the sides a run already looked up (``attrs["hubframe"]
        ["looked_up"]``: their cells hold record ids now, their header still the property's
        values): what a message calls an id column's cell ("the 'to' email")."""
        given = {**(self.info.get(LOOKED_UP) or {}), **(self.info.get(ID_PROPERTIES) or {})}
        return {f"{side}_id": str(given[side]) for side in ("from", "to") if given.get(side)}

    def ids(self, name: str) -> tuple[BoolArray, IntArray]:
        """(canonical id mask, ids as int64), computed once per column.  A column of property
        values: (filled cells, one number per value ignoring case and edge spaces, as HubSpot
        matches emails and domains)."""
        if name not in self._ids:
            text = self.text(name)
            if name in self.properties:
                folded = pc.utf8_lower(pc.utf8_trim_whitespace(text))
                codes = np.asarray(unique_codes(chunked(folded))[1], dtype=np.int64)
                self._ids[name] = ~empty_mask(text), codes
            else:
                self._ids[name] = canonical_ids(text), id_values(text)
        return self._ids[name]

    def prepare_ids(self, names: Sequence[str]) -> None:
        """Compute the id columns' checks up front, side by side on large frames."""
        jobs = {name: partial(self.ids, name) for name in names}
        run_all(jobs, threads=len(self.frame) >= PARALLEL_ROWS)

    def object_codes(self, name: str) -> IntArray:
        """Group numbers of an object type column's objects: spellings of one object (the
        reader writes a standard object one way; a custom object's, ``objects``) are one."""
        names, codes = unique_codes(self.text(name))
        keys = [self.objects.get(n) or object_key(n) if n else None for n in names]
        grouped = pd.factorize(np.array([*keys, None], dtype=object), use_na_sentinel=False)[0]
        return np.asarray(grouped, dtype=np.int64)[np.asarray(codes, dtype=np.int64)]

    def codes(self, name: str) -> IntArray:
        """Exact group numbers of a column's values (NA is a value of its own)."""
        if self.is_text(name):
            return np.asarray(unique_codes(self.text(name))[1], dtype=np.int64)
        codes, _ = pd.factorize(self.column(name), use_na_sentinel=False)
        return np.asarray(codes, dtype=np.int64)

    @cached_property
    def in_frame(self) -> bool:
        """Whether the rows were read from a DataFrame (not a file): messages say so."""
        return bool(self.info.get("source") == FRAME_SOURCE)

    @cached_property
    def row_numbers(self) -> IntArray:
        """The ``row`` column as numbers."""
        return np.asarray(self.frame["row"].to_numpy(dtype=np.int64), dtype=np.int64)

    def row_words(self, position: int) -> str:
        """The words after "row" naming the row at ``position`` in another row's message:
        its number, and its sheet when several were read; a DataFrame's row with its index
        label too (``3 (index 4)``), as the read names it (:mod:`hubframe.io.rowname`)."""
        number = int(self.row_numbers[position])
        label = ""
        if self.in_frame and self.labels is not None and position < len(self.labels):
            label = f" (index {index_label(self.labels[position])})"
        return f"{number}{label}{_sheet_note(self, position)}"

    @cached_property
    def headers(self) -> dict[str, dict[str, list[str]]]:
        """Each field's header -> the sheets that read it from that header (one key ``""`` for
        a read of one sheet): sheets read together (``sheet="*"``) may name a field apart,
        or read one header as two fields (``Contact ID`` 'from' on one sheet, 'to' on
        another), so the union ``column_map`` names the wrong one for some of them."""
        maps: Mapping[str, Mapping[str, str]] = sheet_column_maps(self.info) or {
            "": self.info.get("column_map") or {}
        }
        out: dict[str, dict[str, list[str]]] = {}
        for sheet, columns in maps.items():
            for header, canonical in columns.items():
                out.setdefault(canonical, {}).setdefault(str(header), []).append(str(sheet))
        return out

    def where(self, column: str) -> str:
        found = self.headers.get(column, {})
        if len(found) > 1 and self.at_sheet is not None:  # the sheet the message is for
            found = {h: s for h, s in found.items() if self.at_sheet in s} or found
        if len(found) > 1:  # by sheet: each row's own sheet is in its issue's sheet column
            named = [f"'{h}' on {_sheets_shown(sheets)}" for h, sheets in found.items()]
            return f"column {' or '.join(named)}"
        header = next(iter(found), None)
        return f"column '{header}'" if header and header != column else f"column {column}"

    def add(
        self,
        positions: IntArray,
        column: str,
        code: ErrorCode,
        values: Sequence[str] | ObjArray,
        messages: Sequence[str] | ObjArray,
        severity: str = ERROR,
    ) -> None:
        shown, said = np.asarray(values, dtype=object), np.asarray(messages, dtype=object)
        settled = self.settled.get(column)
        if settled is not None and code != ErrorCode.FORMULA_ERROR:
            keep = ~settled[positions]
            positions, shown, said = positions[keep], shown[keep], said[keep]
        if len(positions) == 0:
            return
        self.parts.append(
            _Part(positions.astype(np.int64), column, str(code), shown, said, severity)
        )

    def warn(self, positions: IntArray, column: str, code: ErrorCode, message: str) -> None:
        """One warning, the same message, for each of ``positions`` (no value shown)."""
        self.add(
            positions, column, code, [""] * len(positions), [message] * len(positions), WARNING
        )

    def add_each(
        self,
        mask: BoolArray,
        column: str,
        code: ErrorCode,
        values: Text | ObjArray,
        message: Callable[[str], str],
    ) -> None:
        """Issues where ``mask``; one message per distinct value (and sheet, where the sheets
        read together name the column apart: each message names its own sheet's header)."""
        if not mask.any():
            return
        if len(self.headers.get(column, {})) > 1 and self.at_sheet is None:
            self._add_by_sheet(mask, column, code, values, message)
            return
        positions = np.flatnonzero(mask)
        if isinstance(values, np.ndarray):
            picked = as_text(np.array([_text(v) for v in values[positions].tolist()], object))
        else:
            picked = chunked(values.take(positions)).fill_null("")
        distinct_values, codes = unique_codes(picked)
        said = np.array([*(message(v or "") for v in distinct_values), ""], dtype=object)
        shown = np.asarray(picked.to_numpy(zero_copy_only=False), dtype=object)
        self.add(positions, column, code, shown, said[codes])

    def _add_by_sheet(
        self,
        mask: BoolArray,
        column: str,
        code: ErrorCode,
        values: Text | ObjArray,
        message: Callable[[str], str],
    ) -> None:
        sheets = self.frame["sheet"].astype(object).to_numpy()
        for sheet in dict.fromkeys(sheets[mask].tolist()):
            self.at_sheet = str(sheet)
            try:
                self.add_each(mask & (sheets == sheet), column, code, values, message)
            finally:
                self.at_sheet = None

    def error_mask(self) -> BoolArray:
        mask = np.zeros(len(self.frame), dtype=bool)
        for part in self.parts:
            if part.severity == ERROR:
                mask[part.positions] = True
        return mask

    def table(self, order: Sequence[str]) -> pd.DataFrame:
        """All issues, sorted by sheet (in frame order), row, position, column, code."""
        if not self.parts:
            return _empty_issues()
        positions = np.concatenate([p.positions for p in self.parts])
        rows = self.frame["row"].to_numpy(dtype=np.int64)[positions]
        names, sheet_codes = unique_codes(as_text(self.frame["sheet"]))
        sheet_rank = np.array([*(i if v is not None else -1 for i, v in enumerate(names)), -1])
        sheets = np.array([*(_text(v) for v in names), ""], dtype=object)[sheet_codes[positions]]
        codes = sorted({p.code for p in self.parts})
        rank = {c: i for i, c in enumerate(order)}
        column_rank = self._per_part(lambda p: rank.get(p.column, len(order)), np.int64)
        code_rank = self._per_part(lambda p: codes.index(p.code), np.int64)
        keys = (code_rank, column_rank, positions, rows, sheet_rank[sheet_codes[positions]])
        ordered = np.lexsort(keys)  # stable: ties keep the order the checks ran in
        columns: dict[str, Any] = {
            "sheet": sheets,
            "row": rows,
            "column": self._per_part(lambda p: p.column),
            "value": np.concatenate([p.values for p in self.parts]),
            "code": self._per_part(lambda p: p.code),
            "message": np.concatenate([p.messages for p in self.parts]),
            "severity": self._per_part(lambda p: p.severity),
            "position": positions,
        }
        return pd.DataFrame(
            {
                name: text_series(values[ordered]) if values.dtype == object else values[ordered]
                for name, values in columns.items()
            }
        )

    def _per_part(self, value: Callable[[_Part], Any], dtype: Any = object) -> npt.NDArray[Any]:
        """One value per part, spread over that part's issues."""
        sizes = [len(p.positions) for p in self.parts]
        return np.repeat(np.array([value(p) for p in self.parts], dtype=dtype), sizes)


def _empty_issues() -> pd.DataFrame:
    """The issues table of a sheet without any, in the column types of the text type pandas
    uses now (a copy of one made once per text type: building it took 3 ms, half of
    validating a one-row sheet, and every job validates its sheet)."""
    return _empty_issues_in(pd.api.types.pandas_dtype(str)).copy()


@cache
def _empty_issues_in(text: Any) -> pd.DataFrame:
    numbers = ("row", "position")
    return pd.DataFrame(
        {c: pd.Series([], dtype=np.int64 if c in numbers else str) for c in OUTPUT_COLUMNS}
    )


def _typed(issues: pd.DataFrame) -> pd.DataFrame:
    for column in ("sheet", "column", "value", "code", "message", "severity"):
        issues[column] = issues[column].astype(str)
    issues["row"] = issues["row"].astype(np.int64)
    issues["position"] = issues["position"].astype(np.int64)
    return issues


def _sheets_shown(sheets: list[str]) -> str:
    shown = ", ".join(f"'{s}'" for s in sheets[:3]) + (" ..." if len(sheets) > 3 else "")
    return f"sheet{'s' if len(sheets) > 1 else ''} {shown}"


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _isna(s: pd.Series) -> BoolArray:
    return np.asarray(s.isna().to_numpy(dtype=bool), dtype=bool)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


# --- checks shared by pairs and limits ------------------------------------------------------


def _check_extra_cells(c: _Collector) -> None:
    """CSV rows with more cells than the header: their cells may be shifted, so they are
    errors (never sent), reported first for the row."""
    if RAW_PREFIX + EXTRA_CELLS not in c.frame.columns:
        return
    extra = as_text(c.frame[RAW_PREFIX + EXTRA_CELLS])
    c.add_each(
        ~empty_mask(extra),
        EXTRA_CELLS,
        ErrorCode.EXTRA_CELLS,
        extra,
        lambda v: (
            f"This row has more cells than the header row ('{_shown(v)}' beyond the last "
            "column), so its cells may be shifted: a value probably holds an unquoted "
            "delimiter, such as the commas in 1,019,360,003. Put that value in quotes or remove "
            "the separator (or give the extra column a header), then export again."
        ),
    )


def _check_hidden_rows(c: _Collector) -> None:
    """Rows the workbook hides: a warning each, the row is read and sent like the others."""
    if HIDDEN_ROW not in c.frame.columns:
        return
    positions = np.flatnonzero(c.frame[HIDDEN_ROW].fillna(False).to_numpy(dtype=bool))
    said = (
        "This row is hidden in the workbook (a filter or Hide Rows), and hubframe reads and "
        "sends it like the others. If it should not be sent, delete it from the sheet (a filter "
        "only hides rows) and run again."
    )
    c.warn(positions, "row", ErrorCode.HIDDEN_ROW, said)


def _check_totals_rows(c: _Collector) -> None:
    """The totals row of an Excel table, or one typed by hand (a formula totalling its
    column's cells: io.sums): totals, not a pair (or a limit), never sent."""
    _check_typed_totals(c)
    if TOTALS_ROW not in c.frame.columns:
        return
    tables = as_text(c.frame[TOTALS_ROW])
    c.add_each(
        ~empty_mask(tables),
        "row",
        ErrorCode.TOTALS_ROW,
        tables,
        lambda name: (
            f"This row is the totals row of the Excel table '{_shown(name)}': its cells are "
            "the table's totals (a count under an id column reads as an id), not a row to "
            "send. It is not sent; to send the row, turn the totals row off (Table Design > "
            "Total Row) and put the pair in a row of the table."
        ),
    )


def _check_typed_totals(c: _Collector) -> None:
    if SUM_ROW not in c.frame.columns:
        return
    sums = as_text(c.frame[SUM_ROW])
    totals = ~empty_mask(sums)
    if "max_to_object_ids" in c.frame.columns and "label" in c.frame.columns:
        # a label's limit worked out from the others' (=SUM(D2:D3) for "Decision maker") is
        # its own; a total is the row without a label, which would set the object limit
        totals &= empty_mask(as_text(c.frame["label"]))
    c.add_each(
        totals,
        "row",
        ErrorCode.TOTALS_ROW,
        sums,
        lambda said: (
            f"This row is a totals row typed in the sheet: {_shown(said, 200)}, so not a row "
            "to send. It is not sent; to send the row, type its value in place of the "
            "formula, or delete the row if it is a total."
        ),
    )


def _check_formula_errors(c: _Collector, columns: Sequence[str]) -> None:
    """Cells holding a spreadsheet error (#N/A from a lookup that found nothing, #REF! ...):
    FORMULA_ERROR, the one issue of such a cell.  A number column keeps what was not a number
    in its raw column."""
    for column in columns:
        source = RAW_PREFIX + column
        if source not in c.frame.columns:
            if not c.is_text(column):
                continue
            source = column
        text = c.text(source)
        bad = error_mask(text)
        if column == "label" and LITERAL_LABEL_COLUMN in c.frame.columns:
            bad &= ~c.frame[LITERAL_LABEL_COLUMN].astype("boolean").fillna(False).to_numpy(bool)
        if bad.any():
            c.add_each(
                bad, column, ErrorCode.FORMULA_ERROR, text, partial(_formula_message, c, column)
            )
            c.settled[column] = bad


def _formula_message(c: _Collector, column: str, value: str) -> str:
    what, fix = explain(value, in_frame=c.in_frame)
    return (
        f"'{_shown(value)}' ({c.where(column)}) {what}. So "
        f"{DESCRIPTIONS.get(column, column)} this row should have is unknown, and the row is not "
        f"sent. {fix}"
    )


def _check_missing(
    c: _Collector, columns: Sequence[str], no_targets: BoolArray | None = None
) -> None:
    for column in columns:
        mask = c.missing(column)
        if column == "to_id" and no_targets is not None:
            mask = mask & ~no_targets
        what = DESCRIPTIONS.get(column, column)
        if column in c.named_by:
            what = f"the '{column.removesuffix('_id')}' {c.named_by[column]}"
        if column in ("from_id", "to_id"):
            mask = _missing_beside_named(c, column, mask, what)
        record_only = _names_record_only(c) if column == "to_id" else np.zeros_like(mask)
        for rows, hint in ((mask & ~record_only, ""), (mask & record_only, _SYNC_HINT)):
            c.add_each(
                rows,
                column,
                ErrorCode.MISSING_VALUE,
                c.text(column),
                partial(_missing_message, c, column, what, hint),
            )


#: Said of a row that names its from record and nothing else, as ``hubframe export
#: --keep-empty`` writes a record without associations: what a sync reads it as.  (No
#: parentheses around it: a run's message ends its sentence with a period of its own.)
_SYNC_HINT: Final = (
    ' A sync reads a row that names only its record as "this record has no associations": '
    "check a sheet for a sync with the sync's dry run, hubframe sync --dry-run or "
    "hf.sync(..., dry_run=True)."
)


def record_only_rows(frame: pd.DataFrame) -> BoolArray:
    """Rows of a pairs frame that name a from record and nothing else (no to id, label,
    category or type id, and no column of the sheet's own that could name the to record:
    :func:`naming_cells`): what ``export --keep-empty`` writes for a record without
    associations, and what a sync reads as "this record is in scope and has none"."""
    return _names_record_only(_Collector(frame))


def _names_record_only(c: _Collector) -> BoolArray:
    """:func:`record_only_rows`, with the collector's empty-cell masks."""
    only = ~c.missing("from_id") & c.missing("to_id")
    for column in ("label", "category", "type_id"):
        only &= c.missing(column)
    return only & ~_named_elsewhere(c, "to")


def _missing_message(c: _Collector, column: str, what: str, hint: str, _value: str) -> str:
    return (
        f"The cell for {what} ({c.where(column)}) is empty. Fill it in, or delete the row "
        f"if it should not be sent.{hint}"
    )


# --- a side's record named by a column of the sheet's own -----------------------------------


#: What names a side's records by the header of a column hubframe does not read: a record id
#: column of an object (``Contact ID (new)``), a unique property of it (``Contact email``,
#: ``Email``, ``Company domain``), or a bare record id (``Record ID``: a 'from' record).
_Names = tuple[str | None, str | None, str | None]  # (object, side, property): None for any


def _header_names(header: str) -> _Names | None:
    """The (object, side) whose records a header's cells could name (None: none), as the
    reader recognises such headers (:data:`~hubframe.io.aliases.PROPERTY_HEADERS`,
    :data:`~hubframe.io.aliases.TYPED_HEADERS`, ids among other words, ``Record ID``)."""
    key = header_key(header)
    typed: TypedHeader | None = PROPERTY_HEADERS.get(key) or TYPED_HEADERS.get(key)
    if typed is None:
        found = typed_among_words(header)
        typed = None if found is None else found[0]
    if typed is not None:
        return typed.object_type, typed.side, typed.id_property
    if alias_field(header) == "from_id":
        return None, "from", None
    return None


def _own_columns(c: _Collector) -> list[tuple[str, _Names]]:
    """The sheet's own columns whose headers say they could name records."""
    read = {h for by_header in c.headers.values() for h in by_header}
    read |= set(c.info.get("column_map") or {})
    out: list[tuple[str, _Names]] = []
    for name in c.frame.columns:
        header = str(name)
        if header in read or header in PAIR_FIELDS or header in ("sheet", "row"):
            continue
        if header.startswith("_"):
            continue
        names = _header_names(header)
        if names is not None:
            out.append((header, names))
    return out


def naming_cells(c: _Collector, side: str) -> list[tuple[str, str | None, BoolArray]]:
    """The columns of the sheet's own that could name ``side``'s record, each with the rows
    where it holds something and names that side's object (and the unique property its
    cells are values of, None for record ids).  A column of the other side's
    object (a contact's ``Email`` beside ``Contact ID`` on the 'from' side) is that side's
    own property; one of an object both sides are is the 'from' record's unless its header
    says 'to' (``Associated Contact Email``), as an export writes the record's own properties.
    """
    if side not in c.naming:
        c.naming[side] = _naming_cells(c, side)
    return c.naming[side]


def _naming_cells(c: _Collector, side: str) -> list[tuple[str, str | None, BoolArray]]:
    found = _own_columns(c)
    if not found:
        return []
    other = "to" if side == "from" else "from"
    types = _row_objects(c, f"{side}_type")
    others = _row_objects(c, f"{other}_type")
    out: list[tuple[str, str | None, BoolArray]] = []
    for header, (object_type, header_side, prop) in found:
        if header_side not in (None, side):
            continue
        column = c.column(header)
        filled = ~blank_mask(c.text(header)) if c.is_text(header) else ~_isna(column)
        if object_type is not None:
            filled &= types == object_type
            if header_side is None and side == "to":
                filled &= others != object_type
        if filled.any():
            out.append((header, prop, filled))
    return out


def _row_objects(c: _Collector, column: str) -> ObjArray:
    """Each row's object type of a type column, as the standard object's name."""
    names, codes = unique_codes(c.text(column))
    canon = [canonical_object_type(n) if n else None for n in names]
    return np.asarray([*canon, None], dtype=object)[np.asarray(codes, dtype=np.int64)]


def _named_elsewhere(c: _Collector, side: str) -> BoolArray:
    """Rows where a column of the sheet's own could name ``side``'s record."""
    out = np.zeros(len(c.frame), dtype=bool)
    for _, _, filled in naming_cells(c, side):
        out |= filled
    return out


def _missing_beside_named(c: _Collector, column: str, mask: BoolArray, what: str) -> BoolArray:
    """Report the rows of ``mask`` (the side's id cell empty) where a column of the sheet's
    own holds a value that could name the record (``Contact email`` beside an empty
    ``Contact ID``): the row is no "record without associations", and the column is not
    read.  The rows left to report otherwise."""
    if not mask.any():
        return mask
    left = mask.copy()
    for header, prop, filled in naming_cells(c, column.removesuffix("_id")):
        rows = left & filled
        if not rows.any():
            continue
        left &= ~rows
        values = np.asarray(as_text(c.column(header)).to_numpy(zero_copy_only=False), object)
        sheets = c.frame["sheet"].astype(object).to_numpy()
        by_sheet = len(c.headers.get(column, {})) > 1
        for sheet in dict.fromkeys(sheets[rows].tolist()) if by_sheet else [None]:
            c.at_sheet = None if sheet is None else str(sheet)
            try:
                at = rows if sheet is None else rows & (sheets == sheet)
                positions = np.flatnonzero(at)
                said = {
                    v: _named_message(c, (column, what), (header, prop), str(v).strip())
                    for v in dict.fromkeys(values[positions].tolist())
                }
                shown = np.asarray(
                    chunked(c.text(column).take(positions))
                    .fill_null("")
                    .to_numpy(zero_copy_only=False),
                    dtype=object,
                )
                messages = np.array([said[v] for v in values[positions].tolist()], dtype=object)
                c.add(positions, column, ErrorCode.MISSING_VALUE, shown, messages)
            finally:
                c.at_sheet = None
    return left


def _named_message(
    c: _Collector, id_column: tuple[str, str], own: tuple[str, str | None], value: str
) -> str:
    column, what = id_column
    header, prop = own
    side = column.removesuffix("_id")
    read = f"columns={{'{header}': '{column}'}}"
    if prop is not None:
        read += f", {side}_id_property='{prop}'"
    return (
        f"The cell for {what} ({c.where(column)}) is empty, and column '{header}' holds "
        f"'{_shown(value)}', but that column is not read while the id column is: the row "
        'names no record, so it is not sent, and a sync does not take it for "no '
        'associations" (nothing of its record is removed). Fill in the id, or read '
        f"'{header}' instead (delete the id column, or {read})."
    )


def _check_ids(c: _Collector, columns: Sequence[str]) -> None:
    for column in columns:
        if column in c.properties:  # emails, codes: looked up in HubSpot by the run
            long = unique_flags(c.text(column), lambda v: not _long_number(v))
            message = partial(_long_message, c, column)
            c.add_each(long, column, ErrorCode.BAD_ID, c.text(column), message)
            continue
        bad = ~c.missing(column) & ~c.ids(column)[0]
        c.add_each(bad, column, ErrorCode.BAD_ID, c.text(column), partial(_id_message, c, column))


#: The text of a number past Excel's 15 digits: a float's, as a number cell is read
#: (``1.2345678901234568e+16``, ``1234567890123456.0``), or Excel's own shortening of it
#: (``1.23457E+16``, in a CSV it saved).
_LONG_NUMBER: Final = re.compile(r"[0-9]\.[0-9]+[eE]\+?([0-9]{2,3})|[0-9]{16,}\.0", re.ASCII)


def _long_number(text: str) -> bool:
    found = _LONG_NUMBER.fullmatch(text.strip())
    return found is not None and (found.group(1) is None or int(found.group(1)) >= 15)


def _long_message(c: _Collector, column: str, value: str) -> str:
    prop = c.properties[column]
    return (
        f"'{_shown(value)}' ({c.where(column)}) is a number of more than 15 digits as Excel "
        f"holds it: Excel keeps 15 digits of a number, so the {prop} typed is lost, and this "
        f"text is not a {prop} to look up. Format the column as text (Format Cells > Text), "
        "type the values again, and save the sheet again."
    )


def _id_message(c: _Collector, column: str, value: str) -> str:
    if is_scientific(value):
        return (
            f"The record id '{value}' ({c.where(column)}) was shortened by Excel to scientific "
            "notation, so the real id is lost. Format the id column as text (Format Cells > "
            "Text), paste the ids again, and export the sheet again."
        )
    return (
        f"'{_shown(value)}' ({c.where(column)}) is not a HubSpot record id: it "
        f"{describe_number(value)}. Use the record's id from HubSpot written with the digits "
        "0-9 only, such as 12345 (no separators, decimals or signs); if Excel changes the ids, "
        "format the id column as text and export again."
    )


def _shown(value: str, limit: int = 60) -> str:
    """A cell's text for a message: at most ``limit`` characters, redacted before it is cut
    (a token straddling the cut was shown in part)."""
    return clip(value, limit, count=True)


def _check_types(c: _Collector, columns: Sequence[str]) -> None:
    for column in columns:
        bad = unique_flags(c.text(column), is_valid_object_type)
        c.add_each(
            bad,
            column,
            ErrorCode.BAD_OBJECT_TYPE,
            c.text(column),
            partial(_type_message, c, column),
        )


def _type_message(c: _Collector, column: str, value: str) -> str:
    import difflib  # only for a type name no object has

    close = difflib.get_close_matches(value.casefold(), _TYPE_NAMES, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return (
        f"'{value}' ({c.where(column)}) is not an object type HubSpot knows.{hint} Use a name "
        "such as contacts, companies, deals or tickets, or a custom object id like 2-1234."
    )


def _check_untold(c: _Collector, untold: Mapping[str, str]) -> None:
    """Rows naming a custom object by a name whose type id could not be told (``untold``:
    name -> why, :class:`ObjectKeys`) while other rows write type ids: ``BAD_OBJECT_TYPE``."""
    for column in ("from_type", "to_type") if untold else ():
        named = pc.is_in(chunked(c.text(column)), value_set=pa.array(list(untold), pa.string()))
        said = partial(_untold, c, column, untold)
        mask = np.asarray(named.fill_null(False), dtype=bool)
        c.add_each(mask, column, ErrorCode.BAD_OBJECT_TYPE, c.text(column), said)


def _untold(c: _Collector, column: str, untold: Mapping[str, str], value: str) -> str:
    return (
        f"'{value}' ({c.where(column)}) names a custom object by its name, other rows name "
        f"custom objects by type id, and which type id this name is could not be told: "
        f"{untold.get(value, '')}. The row is not sent (taken for another object, a pair "
        "written both ways would be sent twice). Write the object by its type id (2-...) as "
        "the other rows do, or give the token the crm.schemas.custom.read scope."
    )


def _check_header_types(c: _Collector) -> None:
    """Rows whose type cell names another object than the id column's name ("companies" in
    the To Type cell of a "Contact ID" column; the reader marks them): TYPE_CONFLICT, since
    the id may be a contact's, which would be looked up, and associated, as a company's."""
    for column, private in HEADER_TYPE_COLUMNS.items():
        if private not in c.frame.columns:
            continue
        named = c.text(private)
        for header_type in (v for v in pc.unique(chunked(named)).to_pylist() if v):
            mask = np.asarray(pc.equal(named, header_type).fill_null(False), dtype=bool)
            said = partial(_conflict_message, c, column, header_type)
            c.add_each(mask, column, ErrorCode.TYPE_CONFLICT, c.text(column), said)


def _conflict_message(c: _Collector, column: str, header_type: str, value: str) -> str:
    id_column = column.replace("_type", "_id")
    plain = "'From ID'" if column == "from_type" else "'To ID'"
    return (
        f"'{value}' ({c.where(column)}) names another object than {c.where(id_column)}, whose "
        f"name says it holds {header_type}: the id would be looked up among the {value}, and "
        f"may be another record's. Correct the type cell, or name the id column without an "
        f"object (such as {plain}) if it holds records of several objects."
    )


def _check_category(c: _Collector) -> None:
    if c.missing("category").all():
        return
    c.add_each(
        unique_flags(c.text("category"), lambda v: v in CATEGORIES),
        "category",
        ErrorCode.BAD_CATEGORY,
        c.text("category"),
        lambda v: (
            f"'{v}' ({c.where('category')}) is not an association category. Use "
            "HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED, or leave the cell empty."
        ),
    )


def _whole_numbers(
    c: _Collector, column: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """(numbers as float with NaN for NA, raw text of cells that were not whole numbers)."""
    s = _col(c.frame, column)
    numbers = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    raw = to_objects(_col(c.frame, RAW_PREFIX + column))
    return numbers, raw


def _check_type_id(c: _Collector) -> None:
    if c.missing("type_id").all() and RAW_PREFIX + "type_id" not in c.frame.columns:
        return
    numbers, raw = _whole_numbers(c, "type_id")
    has_raw = ~pd.isna(raw)
    bad = has_raw | (~np.isnan(numbers) & (numbers < 1))
    shown = np.where(has_raw, raw, numbers.astype(object))
    shown = np.array([_number_text(v) for v in shown[bad]], dtype=object)
    values = np.empty(len(numbers), dtype=object)
    values[bad] = shown
    c.add_each(
        bad,
        "type_id",
        ErrorCode.BAD_ID,
        values,
        lambda v: (
            f"'{_shown(v)}' ({c.where('type_id')}) is not an association type id: it "
            f"{_number_problem(v, 'a type id')}. Use the whole number HubSpot shows for the "
            "label (such as 3, digits 0-9 only), or leave the cell empty and give the label's "
            "name."
        ),
    )


def _number_problem(value: str, what: str) -> str:
    """Why a whole-number cell (``what``: "a limit", "a type id") was refused: out of range
    when the reader's own rule reads a number in it (``describe_one_number``)."""
    return describe_one_number(value, what)


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


# --- grouping rows ------------------------------------------------------------------------------


def _combined(codes: Sequence[IntArray]) -> IntArray:
    """One exact group number per distinct combination of several code arrays."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    size = 1
    for part in codes:
        part = np.asarray(pd.factorize(part)[0], dtype=np.int64)
        width = int(part.max(initial=0)) + 1
        if size * width >= 2**62:
            key = np.asarray(pd.factorize(key)[0], dtype=np.int64)
            size = int(key.max(initial=0)) + 1
        key, size = key * width + part, size * width
    return np.asarray(pd.factorize(key)[0], dtype=np.int64)


def _exact_codes(c: _Collector, positions: IntArray, names: Sequence[str]) -> IntArray:
    """Group numbers (in order of first appearance) of the rows at ``positions``."""
    if len(positions) == 0:
        return np.zeros(0, dtype=np.int64)
    parts = []
    for name in names:
        if name in ("from_id", "to_id"):
            values = c.ids(name)[1]
        elif name in ("from_type", "to_type"):
            values = c.object_codes(name)
        else:
            values = c.codes(name)
        parts.append(values[positions])
    return _combined(parts)


_MIX: Final = np.uint64(0x9E3779B97F4A7C15)


def _repeated(parts: Sequence[IntArray]) -> BoolArray:
    """True for rows whose combination of values may occur more than once.

    A 64-bit hash of each row and one sort answer "no repeats" for most sheets; otherwise
    the rows sharing a hash are returned (a superset of the repeats: callers group exactly).
    """
    h = np.zeros(len(parts[0]), dtype=np.uint64)
    for part in parts:  # wrapping arithmetic: equal rows always share a hash
        h *= _MIX
        h += part.view(np.uint64)
    ordered = np.sort(h, kind="stable")  # values only (no argsort); runs of sorted rows help
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(len(h), dtype=bool)
    shared = np.unique(ordered[1:][same])  # the hashes more than one row has: few
    del ordered, same
    return np.asarray(pd.Series(h).isin(shared).to_numpy(), dtype=bool)


def _repeating(c: _Collector, rows: BoolArray) -> IntArray:
    """Positions among ``rows`` whose (from_id, to_id) pair may repeat among ``rows``."""
    positions = np.arange(len(rows), dtype=np.int64) if rows.all() else np.flatnonzero(rows)
    if len(positions) < 2:
        return np.zeros(0, dtype=np.int64)
    parts = [c.ids("from_id")[1], c.ids("to_id")[1]]
    if len(positions) < len(rows):
        parts = [part[positions] for part in parts]
    return positions[_repeated(parts)]


def _first_positions(codes: IntArray) -> IntArray:
    """Position of the first row of each code, for codes numbered in order of appearance."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    running = np.maximum.accumulate(codes)
    is_first = np.concatenate(([True], running[1:] > running[:-1]))
    return np.flatnonzero(is_first).astype(np.int64)


# --- pairs --------------------------------------------------------------------------------------

PAIR_KEY: Final = ("from_type", "to_type", "label", "from_id", "to_id")
#: One association type of a record pair by its type id (empty: the unlabeled type).
TYPE_KEY: Final = ("from_type", "to_type", "type_id", "from_id", "to_id")


def validate_pairs(
    pairs: pd.DataFrame, objects: Mapping[str, str] | None = None, labels: pd.Index | None = None
) -> pd.DataFrame:
    """Check every row of a read_pairs frame; one issue per problem, sorted by sheet and row.

    Repeats (``DUPLICATE_ROW``) and conflicts (``CONFLICTING_ROWS``) are of one record pair
    however its objects are spelled: ``objects`` maps custom object spellings to their objects
    (what a portal says: :func:`hubframe.run.spelling.object_keys`); without it two names of
    one object (``p_cars``, ``p123_cars``) are one, and a name and a type id (``2-123``) are
    two, since which name is which id is not known offline.  ``labels``: the index labels of
    the DataFrame the rows were read from (:func:`hubframe.run.rows.read_input`), which the
    messages naming another row give beside its number."""
    c = _Collector(pairs.reset_index(drop=True), dict(objects or {}), labels=labels)
    untold = objects.untold if isinstance(objects, ObjectKeys) else {}
    c.prepare_ids(("from_id", "to_id"))
    _check_extra_cells(c)
    _check_hidden_rows(c)
    _check_totals_rows(c)
    _check_formula_errors(c, PAIR_FIELDS)
    no_targets = _check_no_targets(c)
    _check_missing(c, ("from_type", "from_id", "to_type", "to_id"), no_targets)
    _check_types(c, ("from_type", "to_type"))
    _check_untold(c, untold)
    _check_header_types(c)
    _check_ids(c, ("from_id", "to_id"))
    _check_category(c)
    _check_type_id(c)
    _check_category_alone(c)
    _check_same_record(c)
    errors = c.error_mask() | no_targets
    _check_pair_conflicts(c, ~errors)
    errors = c.error_mask() | no_targets
    _check_pair_duplicates(c, ~errors)
    return c.table((EXTRA_CELLS, *PAIR_FIELDS))


def _check_no_targets(c: _Collector) -> BoolArray:
    """Rows of a HubSpot export whose association cell is empty (the reader marks them in
    ``_raw_no_targets``): a NO_TARGETS warning, not a missing value; nothing to send."""
    if NO_TARGETS_COLUMN not in c.frame.columns:
        return np.zeros(len(c.frame), dtype=bool)
    marked = c.frame[NO_TARGETS_COLUMN].astype("boolean").fillna(False).to_numpy(dtype=bool)
    rows = marked & c.missing("to_id") & ~_named_elsewhere(c, "to")
    if rows.any():
        positions = np.flatnonzero(rows)
        said = (
            f"The record has no associated records in this export ({c.where('to_id')} is "
            "empty): nothing to do for it, it is not sent."
        )
        c.warn(positions, "to_id", ErrorCode.NO_TARGETS, said)
    return rows


def _check_category_alone(c: _Collector) -> None:
    """Rows with a category cell and no label or type id are sent as the pair's unlabeled
    type: on a pair whose unlabeled type HubSpot defines (two standard objects) a category
    other than HUBSPOT_DEFINED is refused (``LABEL_TYPE_MISMATCH``, as the run refuses it once
    the labels are read; a custom object's is known only then)."""
    if c.missing("category").all():
        return
    alone = ~c.missing("category") & c.missing("label") & c.missing("type_id")
    raw = RAW_PREFIX + "type_id"
    if raw in c.frame.columns:  # a type id cell that is not one (BAD_ID already)
        alone &= _isna(c.frame[raw])
    if not alone.any():
        return
    positions = np.flatnonzero(alone)
    froms = _type_names(c, "from_type")[positions]
    tos = _type_names(c, "to_type")[positions]
    given = to_objects(c.column("category"))[positions]
    flagged: list[int] = []
    values: list[str] = []
    messages: list[str] = []
    for pos, f, t, cell in zip(positions.tolist(), froms, tos, given, strict=True):
        type_id = _UNLABELED_IDS.get((f, t))
        category = canonical_category(cell)
        if type_id is None or category not in CATEGORIES or category == HUBSPOT_DEFINED:
            continue
        flagged.append(pos)
        values.append(_text(cell))
        messages.append(
            category_alone_message(str(f), str(t), _text(cell), type_id, HUBSPOT_DEFINED)
        )
    mismatch = ErrorCode.LABEL_TYPE_MISMATCH
    c.add(np.array(flagged, dtype=np.int64), "category", mismatch, values, messages)


def category_alone_message(
    from_type: str, to_type: str, given: str, type_id: int, category: str
) -> str:
    """Why a category cell without a label or type id is refused: such a row is sent as the
    pair's unlabeled type (``type_id``), whose category is another."""
    return (
        f'The category "{given}" is not the category of the unlabeled type from {from_type} to '
        f"{to_type} (type id {type_id}, {category}), which a row without a label or type id "
        "is sent as; give the label or type id the category is for, or correct the category "
        "or clear it."
    )


def _check_same_record(c: _Collector) -> None:
    """Rows whose two sides are one record (the same object type and id): a record is not
    associated with itself.  A sheet of records read as pairs (a contact id beside the
    contact's own email) gives such rows once its emails are looked up: the run checks the
    ids it found the same way."""
    if "from_id" in c.properties or "to_id" in c.properties:
        return  # values still to look up: checked again on the ids they name
    from_types = _type_names(c, "from_type")
    same_type = (from_types != None) & (from_types == _type_names(c, "to_type"))  # noqa: E711
    (from_ok, from_ids), (to_ok, to_ids) = c.ids("from_id"), c.ids("to_id")
    same = same_type & from_ok & to_ok & (from_ids == to_ids)
    c.add_each(same, "to_id", ErrorCode.SAME_RECORD, c.text("to_id"), partial(_same_message, c))


def _type_names(c: _Collector, column: str) -> ObjArray:
    """Each cell's object type as hubframe names it ("Deal", "0-3" -> "deals"); None where
    the cell names none."""
    names, codes = unique_codes(c.text(column))
    canonical = [canonical_object_type(n) if n else None for n in names]
    return np.array([*canonical, None], dtype=object)[np.asarray(codes, dtype=np.int64)]


def _same_message(c: _Collector, value: str) -> str:
    return (
        f"The row associates record {value} with itself ({c.where('from_id')} and "
        f"{c.where('to_id')} name the same record): a record is not associated with itself. "
        "Give the other record of the pair; a sheet listing records beside their own ids or "
        "emails is not one to associate."
    )


def _check_pair_conflicts(c: _Collector, ok: BoolArray) -> None:
    """Rows of one record pair that give one association type two ways: the same label with
    another type id in the same category (or both without one), or the same type id with
    another category (a category alone names the unlabeled type).  Rows without a label and
    with different type ids are distinct associations (1001 and 1003, or 1003 and the
    unlabeled 3), as different labels are; a label without a type id or category is the
    run's to resolve."""
    explicit = ~c.missing("type_id") | ~c.missing("category")
    positions = _repeating(c, ok & explicit)
    if len(positions) == 0:
        return
    labeled = ~c.missing("label")[positions]
    by_label = positions[labeled]
    # a label's rows are one type per category: HubSpot's "Primary" (5) and a user label
    # named "Primary" are two associations, as an export writes them, categories given
    key = _exact_codes(c, by_label, (*PAIR_KEY, "category"))
    value = _exact_codes(c, by_label, ("type_id", "category"))
    _flag_conflicts(c, by_label, key, value, "type_id", "type id or category")
    by_type = positions[~c.missing("type_id")[positions] | ~labeled]
    key = _exact_codes(c, by_type, TYPE_KEY)
    value = _exact_codes(c, by_type, ("category",))
    refused = c.error_mask()[by_type]  # in conflict by their label already: named only
    _flag_conflicts(
        c, by_type, key, value, "category", "category", "type id and records", refused=refused
    )


def _flag_conflicts(
    c: _Collector,
    positions: IntArray,
    key: IntArray,
    value: IntArray,
    column: str,
    what: str,
    subject: str = "records",
    *,
    refused: BoolArray | None = None,
) -> None:
    """Rows of one key with different values: every such row is a CONFLICTING_ROWS error
    (but those ``refused`` already, which are only named as the other row)."""
    if len(positions) == 0:
        return
    quiet = np.zeros(len(positions), dtype=bool) if refused is None else refused
    sub = pd.DataFrame({"key": key, "value": value, "pos": positions, "quiet": quiet})
    distinct = sub.groupby("key")["value"].transform("nunique")
    sub = sub[distinct.to_numpy() > 1]
    if sub.empty:
        return
    shown = to_objects(_col(c.frame, column).astype(object))
    flagged: list[int] = []
    messages: list[str] = []
    values: list[str] = []
    for _, group in sub.groupby("key", sort=False):  # conflicting groups only
        for pos, val, done in zip(group["pos"], group["value"], group["quiet"], strict=True):
            if done:
                continue
            other = int(group.loc[group["value"] != val, "pos"].iloc[0])
            flagged.append(pos)
            values.append(_number_text(shown[pos]))
            messages.append(
                f"This row asks for a different {what} than row {c.row_words(other)} for the "
                f"same {subject}. Keep one of the two rows."
            )
    c.add(np.array(flagged, dtype=np.int64), column, ErrorCode.CONFLICTING_ROWS, values, messages)


def _sheet_note(c: _Collector, position: int) -> str:
    if not c.several_sheets:
        return ""
    return f" (sheet '{c.frame['sheet'].iloc[position]}')"


def _check_pair_duplicates(c: _Collector, ok: BoolArray) -> None:
    positions = _repeating(c, ok)
    if len(positions) == 0:
        return
    key = _exact_codes(c, positions, (*PAIR_KEY, "category", "type_id"))
    _flag_duplicates(c, positions, key, "from_id")


def _flag_duplicates(c: _Collector, positions: IntArray, key: IntArray, column: str) -> None:
    """Later rows repeating an earlier valid row are DUPLICATE_ROW warnings naming it."""
    if len(positions) == 0:
        return
    first_pos = positions[_first_positions(key)[key]]
    dup = first_pos != positions
    if not dup.any():
        return
    dup_positions = positions[dup]
    originals = first_pos[dup]
    rows_of = c.row_numbers
    shown = as_text(_col(c.frame, column)).take(dup_positions).fill_null("")
    named, which = np.unique(originals, return_inverse=True)
    messages = np.array(
        [
            f"This row repeats row {c.row_words(o)} and is not sent again: row "
            f"{rows_of[o]}'s status is what became of both. Delete the repeat to keep the "
            "sheet tidy."
            for o in named.tolist()
        ],
        dtype=object,
    )[which]
    values = shown.to_numpy(zero_copy_only=False)
    c.add(dup_positions, column, ErrorCode.DUPLICATE_ROW, values, messages, WARNING)


# --- limits -------------------------------------------------------------------------------------

LIMIT_TARGET: Final = ("from_type", "to_type", "label", "type_id")


def validate_limits(
    limits: pd.DataFrame, objects: Mapping[str, str] | None = None, labels: pd.Index | None = None
) -> pd.DataFrame:
    """Check every row of a read_limits frame; one issue per problem, sorted by sheet and row.

    An empty limit cell is a ``BLANK_LIMIT`` warning (the row is not sent; the limit stays),
    never a removal: only a cell saying ``remove`` (``remove`` column True) removes a limit.
    ``objects``, ``labels``: as :func:`validate_pairs` takes them."""
    frame = limits.reset_index(drop=True)
    c = _Collector(frame.assign(remove=_remove(frame)), dict(objects or {}), labels=labels)
    _check_extra_cells(c)
    _check_hidden_rows(c)
    _check_totals_rows(c)
    _check_formula_errors(c, LIMIT_FIELDS)
    _check_missing(c, ("from_type", "to_type"))
    _check_types(c, ("from_type", "to_type"))
    _check_category(c)
    _check_type_id(c)
    _check_category_alone(c)
    sound = ~c.error_mask()
    blank, both, bad = _check_limit_values(c)
    everyone = np.arange(len(frame), dtype=np.int64)
    target = _exact_codes(c, everyone, LIMIT_TARGET)
    asked = _exact_codes(c, everyone, ("remove", "max_to_object_ids"))
    value = _combined([asked, both.astype(np.int64)])
    # blank rows ask for nothing: no conflict; a row asking two things (``both``), or a limit
    # not read (``1,000``: 1000 meant?), conflicts with every other row of its limit too,
    # whatever that one asks: the other's limit is not sent as if the sheet asked it alone
    refused = (both | bad) & sound
    ok = np.flatnonzero((~c.error_mask() | refused) & ~blank)
    _flag_conflicts(
        c,
        ok,
        target[ok],
        value[ok],
        "max_to_object_ids",
        "limit",
        "object pair and label",
        refused=refused[ok],
    )
    ok = np.flatnonzero(~c.error_mask() & ~blank)
    _flag_duplicates(
        c, ok, np.asarray(pd.factorize(target[ok])[0], dtype=np.int64), "max_to_object_ids"
    )
    _check_label_above_object(c, ~c.error_mask() & ~blank)
    return c.table((EXTRA_CELLS, *LIMIT_FIELDS))


def _remove(frame: pd.DataFrame) -> pd.Series:
    if "remove" in frame.columns:
        return frame["remove"].fillna(False).astype(bool)
    return pd.Series(np.zeros(len(frame), dtype=bool), index=frame.index)


def _check_limit_values(c: _Collector) -> tuple[BoolArray, BoolArray, BoolArray]:
    """BAD_LIMIT errors, BLANK_LIMIT warnings for empty cells, and CONFLICTING_ROWS for rows
    that ask to remove a limit and hold one (:func:`_asks_both`); returns the blank rows,
    those, and the rows of a limit not read (``1,000``)."""
    numbers, raw = _whole_numbers(c, "max_to_object_ids")
    remove = _remove(c.frame).to_numpy(dtype=bool)
    has_raw = ~pd.isna(raw)
    blank = ~remove & np.isnan(numbers) & ~has_raw
    _blank_limits(c, blank)
    out_of_range = ~np.isnan(numbers) & ((numbers < 1) | (numbers > MAX_LIMIT_VALUE))
    bad = ~remove & ~blank & (has_raw | np.isnan(numbers) | out_of_range)
    values = np.where(has_raw, raw, numbers.astype(object))
    held = remove & has_raw  # the reader keeps a removal's own word ("remove") as its text
    held[held] = [not is_purge_word(str(v)) for v in raw[held]]
    both = remove & (held | ~np.isnan(numbers))
    _asks_both(c, both, values)
    c.add_each(
        bad,
        "max_to_object_ids",
        ErrorCode.BAD_LIMIT,
        np.array([_number_text(v) for v in values], dtype=object),
        lambda v: (
            f"'{_shown(v)}' ({c.where('max_to_object_ids')}) is not a valid limit: it "
            f"{_number_problem(v, 'a limit')}. Enter a whole number from 1 to "
            f"{MAX_LIMIT_VALUE} with the digits 0-9 only (no separators or decimals), or "
            "'remove' to delete the limit."
        ),
    )
    return blank, both, bad


def _asks_both(c: _Collector, both: BoolArray, values: ObjArray) -> None:
    """Rows that ask to remove the limit (``remove`` True) and hold a limit too: a read frame
    edited after reading (a removal row given a limit), or a frame made by hand.  Neither
    half is taken for the other (a purge would undo the limit the analyst wrote last, a
    limit set would keep one the sheet said to remove): the row is a conflict of its own,
    ``CONFLICTING_ROWS``, and is not sent."""
    if not both.any():
        return
    positions = np.flatnonzero(both)
    shown = [_number_text(v) for v in values[positions]]
    messages = [
        f"Row {c.row_words(pos)} asks for two things for one limit: to "
        f"remove it (remove is True) and to set it to '{_shown(value)}' (max_to_object_ids); "
        "nothing is sent for it. Keep one: set remove to False to set the limit, or empty "
        "max_to_object_ids to remove it."
        for pos, value in zip(positions.tolist(), shown, strict=True)
    ]
    c.add(positions, "max_to_object_ids", ErrorCode.CONFLICTING_ROWS, shown, messages)


def _blank_limits(c: _Collector, blank: BoolArray) -> None:
    """Empty limit cells: a warning that says what happens (nothing) and how to remove."""
    if not blank.any():
        return
    positions = np.flatnonzero(blank)
    said = (
        f"The limit cell ({c.where('max_to_object_ids')}) is empty: this row is not sent and "
        "the limit stays as it is. Write a number to set the limit, or 'remove' to remove it."
    )
    c.warn(positions, "max_to_object_ids", ErrorCode.BLANK_LIMIT, said)


def _floats(s: pd.Series) -> npt.NDArray[np.float64]:
    numbers = pd.to_numeric(s, errors="coerce")
    return np.asarray(numbers.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


def _names_unlabeled(labels: ObjArray) -> BoolArray:
    """Label cells that name the unlabeled type: empty, or "Unlabeled", "default", ...
    (the object limit, however it is written)."""
    return np.array(
        [pd.isna(v) or normalize_label(str(v)) in UNLABELED_NAMES for v in labels], dtype=bool
    )


def _limited(label: object, type_id: object) -> str:
    """What a label row's limit is for, in words: its label, or its type id when the row gives
    only that ("type id 1003", never "label '1003'")."""
    named = _text(label)
    return f"label '{named}'" if named else f"type id {_number_text(type_id)}"


def _check_label_above_object(c: _Collector, ok: BoolArray) -> None:
    frame = c.frame
    remove = _remove(frame).to_numpy(dtype=bool)
    rows = ok & ~remove
    if not rows.any():
        return
    sub = pd.DataFrame(
        {
            "pos": np.flatnonzero(rows),
            "from_type": to_objects(frame["from_type"])[rows],
            "to_type": to_objects(frame["to_type"])[rows],
            "label": to_objects(_col(frame, "label"))[rows],
            "type_id": _floats(_col(frame, "type_id"))[rows],
            "max": _floats(frame["max_to_object_ids"])[rows],
        }
    )
    unlabeled = np.array(
        [
            _UNLABELED_IDS.get((f, t), np.nan)
            for f, t in zip(sub["from_type"], sub["to_type"], strict=True)
        ],
        dtype=np.float64,
    )
    type_ids = sub["type_id"].to_numpy(dtype=np.float64)
    unlabeled_label = _names_unlabeled(sub["label"].to_numpy(dtype=object))
    is_object = unlabeled_label & (np.isnan(type_ids) | (type_ids == unlabeled))
    objects = sub[is_object].drop_duplicates(["from_type", "to_type"])
    labels = sub[~is_object]
    merged = labels.merge(objects, on=["from_type", "to_type"], suffixes=("", "_object"))
    merged = merged[merged["max"] > merged["max_object"]]
    messages = [
        f"The limit {int(m)} for {_limited(lab, tid)} is higher than the "
        f"limit {int(mo)} for all {f} to {t} associations (row {c.row_words(po)}). Lower the label "
        f"limit to at most {int(mo)}, or raise the object limit."
        for m, lab, tid, mo, f, t, po in zip(
            merged["max"],
            merged["label"],
            merged["type_id"],
            merged["max_object"],
            merged["from_type"],
            merged["to_type"],
            merged["pos_object"],
            strict=True,
        )
    ]
    values = [str(int(m)) for m in merged["max"]]
    c.add(
        merged["pos"].to_numpy(dtype=np.int64),
        "max_to_object_ids",
        ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
        values,
        messages,
    )


# --- which rows are stopped ----------------------------------------------------------------------


def invalid_rows(frame: pd.DataFrame, issues: pd.DataFrame) -> pd.Series:
    """True for frame rows (by position) that have at least one error-severity issue."""
    mask = np.zeros(len(frame), dtype=bool)
    if len(issues):
        errors = issues.loc[issues["severity"] == ERROR, "position"].to_numpy(dtype=np.int64)
        mask[errors] = True
    return pd.Series(mask, index=frame.index, name="invalid")


__all__ = ["ObjectKeys", "invalid_rows", "record_only_rows", "validate_limits", "validate_pairs"]
