"""The result table: one row per input row, in input order, exactly one status each.

:func:`result_table` builds it once, from the input frame, every row's
:class:`~hubframe.run.work.Outcome` and what the run learned on the way (the category and type
id a label resolved to, columns such as ``existed_before``), in the column order of the
result table contract: ``sheet``, ``row``, the normalized inputs, the status columns
(:data:`hubframe.constants.STATUS_COLUMNS`) and any extra columns, then the analyst's original
columns.  :func:`summarize` counts rows by status and error code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from hubframe.constants import LIMIT_COLUMNS, PAIR_COLUMNS, STATUS_COLUMNS
from hubframe.errors import InternalError
from hubframe.run.work import Outcome
from hubframe.vocab import Action, Status

Kind = Literal["pairs", "limits"]
_INT_COLUMNS = frozenset({"http_status", "batch", "attempts"})


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


def result_table(
    frame: pd.DataFrame,
    outcomes: Mapping[int, Outcome],
    *,
    kind: Kind,
    resolved: Mapping[int, tuple[str, int]] | None = None,
    extra: Sequence[ExtraColumn] = (),
    shown: Action | None = None,
) -> pd.DataFrame:
    """Assemble the result table; every position of ``frame`` must have an outcome.

    ``resolved``: the (category, type id) a row's label resolved to, shown where the sheet left
    them empty.  ``shown``: the action every row shows (removal jobs show ``archive``);
    otherwise each row's own, as :attr:`Action.shown`.
    """
    missing = [p for p in range(len(frame)) if p not in outcomes]
    if missing:
        raise InternalError(f"no outcome for frame positions {missing[:10]}")
    ordered = [outcomes[p] for p in range(len(frame))]
    inputs = input_columns(frame, kind)
    originals = [c for c in frame.columns if c not in inputs and c not in STATUS_COLUMNS]
    declared = (frame.attrs.get("hubframe") or {}).get("original_columns")
    if declared is not None:  # private helper columns of the reader are not the analyst's
        originals = [c for c in originals if c in set(declared)]
    base = frame.reset_index(drop=True)
    status = pd.DataFrame({col: _status_column(col, ordered, shown) for col in STATUS_COLUMNS})
    result = pd.concat([_with_resolved(base[inputs], resolved), status, base[originals]], axis=1)
    for column in extra:
        at = list(result.columns).index(column.after) + 1
        result.insert(at, column.name, column.values.set_axis(result.index))
    result.attrs = dict(frame.attrs)
    return result


def _status_column(name: str, ordered: list[Outcome], shown: Action | None) -> pd.Series:
    if name == "action":
        values: list[Any] = [
            None if o.action is None else str(shown or o.action.shown) for o in ordered
        ]
    else:
        values = [getattr(o, name) for o in ordered]
        if name in ("status", "error_code"):
            values = [None if v is None else str(v) for v in values]
    return pd.Series(values, dtype="Int64" if name in _INT_COLUMNS else "string")


def _with_resolved(
    inputs: pd.DataFrame, resolved: Mapping[int, tuple[str, int]] | None
) -> pd.DataFrame:
    """Show the category and type id a label resolved to, where the sheet left them empty."""
    if not resolved or "type_id" not in inputs.columns:
        return inputs
    out = inputs.copy()
    positions = list(resolved)
    categories = pd.Series([resolved[p][0] for p in positions], index=positions, dtype="string")
    type_ids = pd.Series([resolved[p][1] for p in positions], index=positions, dtype="Int64")
    out["category"] = out["category"].astype("string").fillna(categories)
    out["type_id"] = out["type_id"].astype("Int64").fillna(type_ids)
    return out


def summarize(result: pd.DataFrame) -> pd.DataFrame:
    """Row counts by status and error code (statuses in contract order), plus a total row."""
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


__all__ = ["ExtraColumn", "input_columns", "result_table", "summarize"]
