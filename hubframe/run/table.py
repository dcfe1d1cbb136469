"""The result table: one row per input row, in input order, exactly one status each.

:func:`result_table` builds it once, from the input frame, every row's
:class:`~hubframe.run.work.Outcome` and what the run learned on the way (the category and type
id a label resolved to, columns such as ``existed_before``), in the column order of the
result table contract: ``sheet``, ``row``, the normalized inputs, the status columns
(:data:`hubframe.constants.STATUS_COLUMNS`) and any extra columns, then the analyst's original
columns.  :func:`summarize` counts rows by status and error code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe.constants import (
    CURRENT_LIMIT_COLUMNS,
    LIMIT_COLUMNS,
    PAIR_COLUMNS,
    RESERVED_COLUMNS,
    STATUS_COLUMNS,
    SYNC_COLUMNS,
)
from hubframe.errors import InputError
from hubframe.io.cells import plain_cells, refuse_repeated_columns
from hubframe.io.meta import refuse_odd_meta
from hubframe.run.outcomes import Outcomes, decoded
from hubframe.run.work import Outcome
from hubframe.run.worktable import NONE, IntArray
from hubframe.vocab import Action, Status

Kind = Literal["pairs", "limits"]


class Resolved:
    """The association type a row's label resolved to (category, type id), shown in the result
    table: the category as resolved (the one sent, never a cell that was not: a row sent as the
    unlabeled type beside a category cell shows that type's, its type id left empty), the type
    id where the sheet left it empty; set row by row or for many rows at once.  Rows not set
    (not sent: refused, failed before sending; repeats of a row by type id) keep their cells."""

    def __init__(self) -> None:
        self._single: dict[int, tuple[str, int]] = {}
        self._parts: list[tuple[IntArray, npt.NDArray[np.int16], tuple[str, ...], IntArray]] = []

    def __setitem__(self, position: int, value: tuple[str, int]) -> None:
        self._single[position] = value

    def add(
        self,
        positions: IntArray,
        category_codes: npt.NDArray[np.int16],
        categories: tuple[str, ...],
        type_ids: IntArray,
    ) -> None:
        """Many rows: codes into ``categories`` and type ids, one per row."""
        self._parts.append((positions, category_codes, categories, type_ids))

    def __bool__(self) -> bool:
        return bool(self._single) or any(len(p) for p, _, _, _ in self._parts)

    def fill(self, inputs: pd.DataFrame) -> pd.DataFrame:
        if not self or "type_id" not in inputs.columns:
            return inputs
        names: dict[str, int] = {}
        codes = np.full(len(inputs), NONE, dtype=np.int32)
        type_ids = np.full(len(inputs), NONE, dtype=np.int64)
        for positions, part_codes, categories, ids in self._parts:
            table = np.array([names.setdefault(c, len(names)) for c in categories], dtype=np.int32)
            codes[positions] = np.where(part_codes == NONE, NONE, table[part_codes])
            type_ids[positions] = ids
        for position, (category, type_id) in self._single.items():
            codes[position], type_ids[position] = names.setdefault(category, len(names)), type_id
        out = inputs.copy()
        sent = decoded(codes, tuple(names)).set_axis(out.index)  # what the rows were sent with
        out["category"] = _filled(sent.astype("string"), out["category"].astype("string"))
        resolved = pd.Series(pd.arrays.IntegerArray(type_ids, type_ids == NONE), index=out.index)
        out["type_id"] = _filled(out["type_id"].astype("Int64"), resolved)
        return out


def _filled(given: pd.Series, found: pd.Series) -> pd.Series:
    """``given`` where the sheet had a value, else ``found`` (all of ``found`` when the sheet's
    column is empty, without a row-by-row merge)."""
    found = found.set_axis(given.index)
    if bool(given.isna().all()):
        return found
    return given.fillna(found)


@dataclass(frozen=True)
class ExtraColumn:
    """A column a run adds to its result table, right after the column ``after``."""

    after: str
    name: str
    values: pd.Series


def input_columns(frame: pd.DataFrame, kind: Kind) -> list[str]:
    """``sheet``, ``row`` and the normalized input columns present in ``frame``."""
    normalized = [*PAIR_COLUMNS] if kind == "pairs" else [*LIMIT_COLUMNS, "remove"]
    return [c for c in ("sheet", "row", *normalized) if c in frame.columns]


def analyst_columns(frame: pd.DataFrame, inputs: Collection[str]) -> list[str]:
    """The analyst's own columns of a read frame, in its order, that a result keeps after its
    own: those its read lists (``original_columns``) but ``inputs`` (the columns the result
    shows as read) and the status columns; a read frame whose attrs pandas dropped: every
    column but ``inputs`` and hubframe's own (the private ``_raw_...`` ones too)."""
    originals = [c for c in frame.columns if c not in inputs and c not in STATUS_COLUMNS]
    declared = (frame.attrs.get("hubframe") or {}).get("original_columns")
    if declared is not None:  # private helper columns of the reader are not the analyst's
        own = set(declared)
        return [c for c in originals if c in own]
    owned = {*RESERVED_COLUMNS, *SYNC_COLUMNS, *CURRENT_LIMIT_COLUMNS}
    return [c for c in originals if c not in owned and not str(c).startswith("_raw_")]


def result_table(
    frame: pd.DataFrame,
    outcomes: Outcomes | Mapping[int, Outcome],
    *,
    kind: Kind,
    resolved: Resolved | Mapping[int, tuple[str, int]] | None = None,
    extra: Sequence[ExtraColumn] = (),
    shown: Action | None = None,
) -> pd.DataFrame:
    """Assemble the result table; every position of ``frame`` must have an outcome.

    ``outcomes``: an :class:`~hubframe.run.outcomes.Outcomes` store, or outcomes by position.
    ``resolved``: the (category, type id) a row's label resolved to, shown where the sheet left
    them empty.  ``shown``: the action every row shows (removal jobs show ``archive``);
    otherwise each row's own, as :attr:`Action.shown`.
    """
    store = outcomes if isinstance(outcomes, Outcomes) else _store(len(frame), outcomes)
    inputs = input_columns(frame, kind)
    originals = analyst_columns(frame, inputs)
    base = frame.reset_index(drop=True)
    status = pd.DataFrame(store.columns(shown), copy=False)
    found = resolved if isinstance(resolved, Resolved) else _resolved(resolved)
    result = pd.concat([found.fill(base[inputs]), status, base[originals]], axis=1)
    for column in extra:
        at = list(result.columns).index(column.after) + 1
        result.insert(at, column.name, column.values.set_axis(result.index))
    result.attrs = dict(frame.attrs)
    return result


def _store(size: int, outcomes: Mapping[int, Outcome]) -> Outcomes:
    store = Outcomes(size)
    store.put_all(outcomes)
    return store


def _resolved(given: Mapping[int, tuple[str, int]] | None) -> Resolved:
    found = Resolved()
    for position, value in (given or {}).items():
        found[position] = value
    return found


def summarize(result: pd.DataFrame) -> pd.DataFrame:
    """Row counts by status and error code (statuses in contract order), plus a total row."""
    if not isinstance(result, pd.DataFrame) or not {"status", "error_code"} <= set(result.columns):
        raise InputError("not a hubframe result table: it has no 'status' and 'error_code' columns")
    refuse_repeated_columns(result)
    refuse_odd_meta(result, "the result table")
    result = plain_cells(result[["status", "error_code"]].copy())  # an edited cell: its text
    counts = (
        result.assign(error_code=result["error_code"].astype("string").fillna(""))
        .groupby(["status", "error_code"], dropna=False, sort=False)
        .size()
        .rename("rows")
        .reset_index()
    )
    order = {str(s): i for i, s in enumerate(Status)}
    counts["_order"] = counts["status"].map(lambda s: order.get(str(s), len(order)))
    counts = counts.sort_values(["_order", "rows", "error_code"], ascending=[True, False, True])
    counts = counts.drop(columns="_order").reset_index(drop=True)
    total = pd.DataFrame({"status": ["total"], "error_code": [""], "rows": [len(result)]})
    out = pd.concat([counts, total], ignore_index=True)
    out["status"] = out["status"].astype("string")
    out["error_code"] = out["error_code"].astype("string")
    out["rows"] = out["rows"].astype("int64")
    return out


__all__ = [
    "ExtraColumn",
    "Resolved",
    "analyst_columns",
    "input_columns",
    "result_table",
    "summarize",
]
