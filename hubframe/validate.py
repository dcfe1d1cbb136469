"""Vectorized checks of read pairs and limits: every problem of every row, in one issues table.

``validate_pairs`` / ``validate_limits`` return the columns of
:data:`hubframe.constants.ISSUE_COLUMNS` plus ``position`` (the row's position in the frame,
since rows split from one ``;`` cell share a row number).  Codes come from
:class:`hubframe.errors.ErrorCode`; ``DUPLICATE_ROW`` is a warning, everything else an error.
Checks run per column with numpy/pandas; messages are built per issue, never per row.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe.columns import DESCRIPTIONS, LIMIT_FIELDS, PAIR_FIELDS
from hubframe.constants import (
    CATEGORIES,
    HUBSPOT_DEFINED_TYPES,
    ISSUE_COLUMNS,
    MAX_LIMIT_VALUE,
    OBJECT_TYPES,
)
from hubframe.errors import ErrorCode
from hubframe.normalize import (
    id_digits,
    is_scientific,
    is_valid_object_type,
    map_unique,
    to_objects,
)

ERROR: Final = "error"
WARNING: Final = "warning"
RAW_PREFIX: Final = "_raw_"
OUTPUT_COLUMNS: Final = (*ISSUE_COLUMNS, "position")
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_UNLABELED_IDS: Final = {
    (t.from_type, t.to_type): t.type_id for t in HUBSPOT_DEFINED_TYPES if t.label is None
}
_TYPE_NAMES: Final = [t.name for t in OBJECT_TYPES]


@dataclass
class _Collector:
    """Issues found so far, as column arrays; one entry per (row position, column, code)."""

    frame: pd.DataFrame
    parts: list[pd.DataFrame] = field(default_factory=list)
    _missing: dict[str, BoolArray] = field(default_factory=dict)
    _ids: dict[str, tuple[BoolArray, IntArray]] = field(default_factory=dict)

    @cached_property
    def several_sheets(self) -> bool:
        return bool(self.frame["sheet"].nunique() > 1)

    def column(self, name: str) -> pd.Series:
        return _col(self.frame, name)

    def missing(self, name: str) -> BoolArray:
        """Empty cells (NA or blank text) of a column, computed once."""
        if name not in self._missing:
            self._missing[name] = _missing(self.column(name))
        return self._missing[name]

    def ids(self, name: str) -> tuple[BoolArray, IntArray]:
        """(canonical id mask, ids as int64), computed once per column."""
        if name not in self._ids:
            self._ids[name] = id_digits(to_objects(self.column(name)))
        return self._ids[name]

    @property
    def headers(self) -> dict[str, str]:
        info = self.frame.attrs.get("hubframe") or {}
        return {canonical: header for header, canonical in info.get("column_map", {}).items()}

    def where(self, column: str) -> str:
        header = self.headers.get(column)
        return f"column '{header}'" if header and header != column else f"column {column}"

    def add(
        self,
        positions: IntArray,
        column: str,
        code: ErrorCode,
        values: Sequence[str],
        messages: Sequence[str],
        severity: str = ERROR,
    ) -> None:
        if len(positions) == 0:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "position": positions.astype(np.int64),
                    "column": column,
                    "value": list(values),
                    "code": str(code),
                    "message": list(messages),
                    "severity": severity,
                }
            )
        )

    def add_each(
        self,
        mask: BoolArray,
        column: str,
        code: ErrorCode,
        values: pd.Series | npt.NDArray[np.object_],
        message: Callable[[str], str],
    ) -> None:
        """Issues where ``mask``; one message per distinct value."""
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return
        picked = values.iloc[positions] if isinstance(values, pd.Series) else values[positions]
        texts = pd.Series([_text(v) for v in picked], dtype=object)
        messages = map_unique(texts, lambda v: message(v or ""))
        self.add(positions, column, code, texts.tolist(), messages.tolist())

    def error_mask(self) -> BoolArray:
        mask = np.zeros(len(self.frame), dtype=bool)
        for part in self.parts:
            errors = part.loc[part["severity"] == ERROR, "position"].to_numpy(dtype=np.int64)
            mask[errors] = True
        return mask

    def table(self, order: Sequence[str]) -> pd.DataFrame:
        if not self.parts:
            return _empty_issues()
        issues = pd.concat(self.parts, ignore_index=True)
        positions = issues["position"].to_numpy(dtype=np.int64)
        sheets = self.frame["sheet"].to_numpy(dtype=object)[positions]
        issues["sheet"] = pd.Series(sheets, dtype=object).fillna("").astype(str)
        issues["row"] = self.frame["row"].to_numpy(dtype=np.int64)[positions]
        sheet_rank = {s: i for i, s in enumerate(pd.unique(self.frame["sheet"]))}
        column_rank = {c: i for i, c in enumerate(order)}
        issues["_s"] = issues["sheet"].map(sheet_rank).fillna(-1)
        issues["_c"] = issues["column"].map(column_rank).fillna(len(order))
        issues = issues.sort_values(["_s", "row", "position", "_c", "code"], kind="stable")
        issues = issues[list(OUTPUT_COLUMNS)].reset_index(drop=True)
        return _typed(issues)


def _empty_issues() -> pd.DataFrame:
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in OUTPUT_COLUMNS})
    return _typed(empty)


def _typed(issues: pd.DataFrame) -> pd.DataFrame:
    for column in ("sheet", "column", "value", "code", "message", "severity"):
        issues[column] = issues[column].astype(str)
    issues["row"] = issues["row"].astype(np.int64)
    issues["position"] = issues["position"].astype(np.int64)
    return issues


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _missing(s: pd.Series) -> BoolArray:
    empty = s.isna().to_numpy(dtype=bool)
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        empty = empty | (s == "").to_numpy(dtype=bool, na_value=False)
    return np.asarray(empty, dtype=bool)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


# --- checks shared by pairs and limits ------------------------------------------------------


def _check_missing(c: _Collector, columns: Sequence[str]) -> None:
    for column in columns:
        mask = c.missing(column)
        what = DESCRIPTIONS.get(column, column)
        c.add_each(
            mask,
            column,
            ErrorCode.MISSING_VALUE,
            c.column(column),
            partial(_missing_message, c, column, what),
        )


def _missing_message(c: _Collector, column: str, what: str, _value: str) -> str:
    return (
        f"The cell for {what} ({c.where(column)}) is empty. Fill it in, or delete the row "
        "if it should not be sent."
    )


def _check_ids(c: _Collector, columns: Sequence[str]) -> None:
    for column in columns:
        bad = ~c.missing(column) & ~c.ids(column)[0]
        c.add_each(bad, column, ErrorCode.BAD_ID, c.column(column), partial(_id_message, c, column))


def _id_message(c: _Collector, column: str, value: str) -> str:
    if is_scientific(value):
        return (
            f"The record id '{value}' ({c.where(column)}) was shortened by Excel to scientific "
            "notation, so the real id is lost. Format the id column as text (Format Cells > "
            "Text), paste the ids again, and export the sheet again."
        )
    return (
        f"'{value}' ({c.where(column)}) is not a HubSpot record id. Use the record's id from "
        "HubSpot: a whole number of digits such as 12345, with no letters or decimals."
    )


def _check_types(c: _Collector, columns: Sequence[str]) -> None:
    for column in columns:
        s = c.column(column)
        valid = map_unique(s, lambda v: isinstance(v, str) and is_valid_object_type(v))
        bad = ~c.missing(column) & ~np.asarray(valid, dtype=bool)
        c.add_each(
            bad,
            column,
            ErrorCode.BAD_OBJECT_TYPE,
            s,
            partial(_type_message, c, column),
        )


def _type_message(c: _Collector, column: str, value: str) -> str:
    close = difflib.get_close_matches(value.casefold(), _TYPE_NAMES, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return (
        f"'{value}' ({c.where(column)}) is not an object type HubSpot knows.{hint} Use a name "
        "such as contacts, companies, deals or tickets, or a custom object id like 2-1234."
    )


def _check_category(c: _Collector) -> None:
    present = ~c.missing("category")
    if not present.any():
        return
    s = c.column("category")
    known = np.asarray(map_unique(s, lambda v: v in CATEGORIES), dtype=bool)
    c.add_each(
        present & ~known,
        "category",
        ErrorCode.BAD_CATEGORY,
        s,
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
            f"'{v}' ({c.where('type_id')}) is not an association type id. Use the whole "
            "number HubSpot shows for the label (such as 3), or leave the cell empty and give "
            "the label's name."
        ),
    )


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


def _codes(*columns: pd.Series) -> IntArray:
    """One exact int64 key per distinct combination of the columns (NA is a value)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    size = 1
    for s in columns:
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        width = len(uniques) + 1
        if size * width >= 2**62:
            key, seen = pd.factorize(key)
            size = len(seen)
        key = key * width + np.asarray(codes, dtype=np.int64)
        size *= width
    return key


_MIX: Final = np.uint64(0x9E3779B97F4A7C15)


def _group_codes(parts: Sequence[IntArray]) -> IntArray:
    """Exact group codes (in order of first appearance) for rows of several int64 arrays.

    Hashes the parts into one uint64 and factorizes that; every group is then checked to hold
    one exact combination, with an exact (slower) grouping if a hash ever collides.
    """
    with np.errstate(over="ignore"):
        h = np.zeros(len(parts[0]), dtype=np.uint64)
        for part in parts:
            h = (h ^ part.astype(np.uint64)) * _MIX
            h ^= h >> np.uint64(31)
    codes = np.asarray(pd.factorize(h)[0], dtype=np.int64)
    first = _first_positions(codes)[codes]
    if all(bool((part == part[first]).all()) for part in parts):
        return codes
    frame = pd.DataFrame({i: part for i, part in enumerate(parts)})
    exact = frame.groupby(list(frame.columns), sort=False).ngroup()
    return np.asarray(exact.to_numpy(), dtype=np.int64)


def _first_positions(codes: IntArray) -> IntArray:
    """Position of the first row of each code, for codes numbered in order of appearance."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    running = np.maximum.accumulate(codes)
    is_first = np.concatenate(([True], running[1:] > running[:-1]))
    return np.flatnonzero(is_first).astype(np.int64)


# --- pairs --------------------------------------------------------------------------------------


def validate_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Check every row of a read_pairs frame; one issue per problem, sorted by sheet and row."""
    c = _Collector(pairs.reset_index(drop=True))
    _check_missing(c, ("from_type", "from_id", "to_type", "to_id"))
    _check_types(c, ("from_type", "to_type"))
    _check_ids(c, ("from_id", "to_id"))
    _check_category(c)
    _check_type_id(c)
    errors = c.error_mask()
    _check_pair_conflicts(c, ~errors)
    errors = c.error_mask()
    _check_pair_duplicates(c, ~errors)
    return c.table(PAIR_FIELDS)


def _pair_key(c: _Collector, *extra: pd.Series) -> IntArray:
    small = _codes(c.column("from_type"), c.column("to_type"), c.column("label"), *extra)
    return _group_codes([small, c.ids("from_id")[1], c.ids("to_id")[1]])


def _check_pair_conflicts(c: _Collector, ok: BoolArray) -> None:
    explicit = ~c.missing("type_id") | ~c.missing("category")
    if not (explicit & ok).any():
        return
    key = _pair_key(c)
    value = _codes(c.column("type_id"), c.column("category"))
    _flag_conflicts(c, ok & explicit, key, value, "type_id", "type id or category")


def _flag_conflicts(
    c: _Collector,
    rows: BoolArray,
    key: IntArray,
    value: IntArray,
    column: str,
    what: str,
    subject: str = "records",
) -> None:
    """Rows of one key with different values: every such row is a CONFLICTING_ROWS error."""
    positions = np.flatnonzero(rows)
    if len(positions) == 0:
        return
    sub = pd.DataFrame({"key": key[positions], "value": value[positions], "pos": positions})
    distinct = sub.groupby("key")["value"].transform("nunique")
    sub = sub[distinct.to_numpy() > 1]
    if sub.empty:
        return
    rows_of = c.frame["row"].to_numpy(dtype=np.int64)
    shown = to_objects(_col(c.frame, column).astype(object))
    flagged: list[int] = []
    messages: list[str] = []
    values: list[str] = []
    for _, group in sub.groupby("key", sort=False):  # conflicting groups only
        for pos, val in zip(group["pos"].tolist(), group["value"].tolist(), strict=True):
            other = int(group.loc[group["value"] != val, "pos"].iloc[0])
            flagged.append(pos)
            values.append(_number_text(shown[pos]))
            messages.append(
                f"This row asks for a different {what} than row {rows_of[other]}"
                f"{_sheet_note(c, other)} for the same {subject}. Keep one of the two rows."
            )
    c.add(np.array(flagged, dtype=np.int64), column, ErrorCode.CONFLICTING_ROWS, values, messages)


def _sheet_note(c: _Collector, position: int) -> str:
    if not c.several_sheets:
        return ""
    return f" (sheet '{c.frame['sheet'].iloc[position]}')"


def _check_pair_duplicates(c: _Collector, ok: BoolArray) -> None:
    if not ok.any():
        return
    key = _pair_key(c, c.column("category"), c.column("type_id"))
    _flag_duplicates(c, ok, key, "from_id")


def _flag_duplicates(c: _Collector, ok: BoolArray, key: IntArray, column: str) -> None:
    """Later rows repeating an earlier valid row are DUPLICATE_ROW warnings naming it."""
    positions = np.flatnonzero(ok)
    codes = np.asarray(pd.factorize(key[positions])[0], dtype=np.int64)
    first_pos = positions[_first_positions(codes)[codes]]
    dup = first_pos != positions
    if not dup.any():
        return
    dup_positions = positions[dup]
    originals = first_pos[dup]
    rows_of = c.frame["row"].to_numpy(dtype=np.int64)
    shown = to_objects(_col(c.frame, column))
    messages = [
        f"This row repeats row {rows_of[o]}{_sheet_note(c, int(o))}; it is sent once. "
        "Delete the repeat to keep the sheet tidy."
        for o in originals.tolist()
    ]
    values = [_text(v) for v in shown[dup_positions]]
    c.add(dup_positions, column, ErrorCode.DUPLICATE_ROW, values, messages, WARNING)


# --- limits -------------------------------------------------------------------------------------


def validate_limits(limits: pd.DataFrame) -> pd.DataFrame:
    """Check every row of a read_limits frame; one issue per problem, sorted by sheet and row."""
    c = _Collector(limits.reset_index(drop=True))
    _check_missing(c, ("from_type", "to_type"))
    _check_types(c, ("from_type", "to_type"))
    _check_category(c)
    _check_type_id(c)
    _check_limit_values(c)
    errors = c.error_mask()
    target = _codes(
        _col(c.frame, "from_type").astype(object),
        _col(c.frame, "to_type").astype(object),
        _col(c.frame, "label").astype(object),
        _col(c.frame, "type_id").astype(object),
    )
    value = _codes(_remove(c.frame), _col(c.frame, "max_to_object_ids").astype(object))
    _flag_conflicts(
        c, ~errors, target, value, "max_to_object_ids", "limit", "object pair and label"
    )
    errors = c.error_mask()
    _flag_duplicates(c, ~errors, target, "max_to_object_ids")
    _check_label_above_object(c, ~c.error_mask())
    return c.table(LIMIT_FIELDS)


def _remove(frame: pd.DataFrame) -> pd.Series:
    if "remove" in frame.columns:
        return frame["remove"].fillna(False).astype(bool)
    return pd.Series(np.zeros(len(frame), dtype=bool), index=frame.index)


def _check_limit_values(c: _Collector) -> None:
    numbers, raw = _whole_numbers(c, "max_to_object_ids")
    remove = _remove(c.frame).to_numpy(dtype=bool)
    has_raw = ~pd.isna(raw)
    out_of_range = ~np.isnan(numbers) & ((numbers < 1) | (numbers > MAX_LIMIT_VALUE))
    bad = ~remove & (has_raw | np.isnan(numbers) | out_of_range)
    values = np.where(has_raw, raw, numbers.astype(object))
    c.add_each(
        bad,
        "max_to_object_ids",
        ErrorCode.BAD_LIMIT,
        np.array([_number_text(v) for v in values], dtype=object),
        lambda v: (
            f"'{v}' ({c.where('max_to_object_ids')}) is not a valid limit. Enter a whole "
            f"number from 1 to {MAX_LIMIT_VALUE:,}, or 'remove' to delete the limit."
        ),
    )


def _floats(s: pd.Series) -> npt.NDArray[np.float64]:
    numbers = pd.to_numeric(s, errors="coerce")
    return np.asarray(numbers.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


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
    is_object = pd.isna(sub["label"]).to_numpy() & (np.isnan(type_ids) | (type_ids == unlabeled))
    objects = sub[is_object].drop_duplicates(["from_type", "to_type"])
    labels = sub[~is_object]
    merged = labels.merge(objects, on=["from_type", "to_type"], suffixes=("", "_object"))
    merged = merged[merged["max"] > merged["max_object"]]
    rows_of = frame["row"].to_numpy(dtype=np.int64)
    messages = [
        f"The limit {int(m)} for label '{_text(lab) or _number_text(tid)}' is higher than the "
        f"limit {int(mo)} for all {f} to {t} associations (row {rows_of[po]}). Lower the label "
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


__all__ = ["invalid_rows", "validate_limits", "validate_pairs"]
