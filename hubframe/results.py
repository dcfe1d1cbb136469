"""The result table: one row per input row, in input order, exactly one status each.

:func:`result_frame` merges the outcomes (keyed by frame position) back into the normalized
input frame, in the column order of design.md's result table contract: ``sheet``, ``row``, the
normalized inputs, the status columns (:data:`hubframe.constants.STATUS_COLUMNS`), then the
analyst's original columns.  :func:`summarize` counts rows by status and error code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from hubframe.constants import LIMIT_COLUMNS, PAIR_COLUMNS, STATUS_COLUMNS, STATUSES
from hubframe.models import Outcome

_INT_COLUMNS = frozenset({"http_status", "batch", "attempts"})


def input_columns(frame: pd.DataFrame, kind: str) -> list[str]:
    """``sheet``, ``row`` and the normalized input columns present in ``frame``."""
    normalized = [*PAIR_COLUMNS] if kind == "pairs" else [*LIMIT_COLUMNS, "remove"]
    return [c for c in ("sheet", "row", *normalized) if c in frame.columns]


def result_frame(
    frame: pd.DataFrame, outcomes: Mapping[int, Outcome], *, kind: str
) -> pd.DataFrame:
    """Assemble the result table; every position of ``frame`` must have an outcome."""
    missing = [p for p in range(len(frame)) if p not in outcomes]
    if missing:
        raise RuntimeError(f"internal error: no outcome for frame positions {missing[:10]}")
    ordered = [outcomes[p] for p in range(len(frame))]
    inputs = input_columns(frame, kind)
    originals = [c for c in frame.columns if c not in inputs and c not in STATUS_COLUMNS]
    declared = (frame.attrs.get("hubframe") or {}).get("original_columns")
    if declared is not None:  # private helper columns of the reader are not the analyst's
        originals = [c for c in originals if c in set(declared)]
    base = frame.reset_index(drop=True)
    status = pd.DataFrame(
        {col: _column(col, [getattr(o, col) for o in ordered]) for col in STATUS_COLUMNS}
    )
    result = pd.concat([base[inputs], status, base[originals]], axis=1)
    result.attrs = dict(frame.attrs)
    return result


def _column(name: str, values: list[Any]) -> pd.Series:
    return pd.Series(values, dtype="Int64" if name in _INT_COLUMNS else "string")


def summarize(result: pd.DataFrame) -> pd.DataFrame:
    """Row counts by status and error code (statuses in contract order), plus a total row."""
    counts = (
        result.assign(error_code=result["error_code"].astype("string").fillna(""))
        .groupby(["status", "error_code"], dropna=False, sort=False)
        .size()
        .rename("rows")
        .reset_index()
    )
    order = {s: i for i, s in enumerate(STATUSES)}
    counts["_order"] = counts["status"].map(lambda s: order.get(str(s), len(order)))
    counts = counts.sort_values(["_order", "rows", "error_code"], ascending=[True, False, True])
    counts = counts.drop(columns="_order").reset_index(drop=True)
    total = pd.DataFrame({"status": ["total"], "error_code": [""], "rows": [len(result)]})
    out = pd.concat([counts, total], ignore_index=True)
    out["status"] = out["status"].astype("string")
    out["error_code"] = out["error_code"].astype("string")
    out["rows"] = out["rows"].astype("int64")
    return out
