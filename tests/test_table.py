"""The result table contract and summarize."""

from __future__ import annotations

import pandas as pd
import pytest

from hubframe.constants import PAIR_COLUMNS, STATUS_COLUMNS
from hubframe.errors import ErrorCode, InputError
from hubframe.run.table import result_table, summarize
from hubframe.run.work import Outcome
from hubframe.vocab import Action, Status


def pairs_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "sheet": ["Deals"] * 4,
            "row": [2, 3, 4, 4],
            "from_type": ["deals"] * 4,
            "from_id": ["1", "2", "3", "3"],
            "to_type": ["contacts"] * 4,
            "to_id": ["7", "8", "9", "10"],
            "label": [None, "Champion", None, None],
            "category": pd.array([None] * 4, dtype="string"),
            "type_id": pd.array([None] * 4, dtype="Int64"),
            "Deal ID": ["1", "2", "3", "3"],
            "Notes": ["a", "b", "c", "c"],
        }
    )
    frame.attrs["hubframe"] = {"kind": "pairs", "original_columns": ["Deal ID", "Notes"]}
    return frame


def outcomes() -> dict[int, Outcome]:
    return {
        0: Outcome(
            Status.SUCCESS, action=Action.ASSOCIATE_DEFAULT, http_status=200, batch=1, attempts=1
        ),
        1: Outcome(
            Status.FAILED,
            action=Action.ASSOCIATE,
            error_code=ErrorCode.OBJECT_NOT_FOUND.value,
            error_message="Deal 2 does not exist in HubSpot (or is not a deal).",
            http_status=207,
            batch=2,
            attempts=2,
        ),
        2: Outcome(Status.INVALID, error_code=ErrorCode.BAD_ID.value, error_message="bad"),
        3: Outcome(Status.DUPLICATE, error_code=ErrorCode.DUPLICATE_ROW.value, error_message="dup"),
    }


def test_columns_order_and_values() -> None:
    result = result_table(pairs_frame(), outcomes(), kind="pairs")
    assert list(result.columns) == [
        "sheet", "row", *PAIR_COLUMNS, *STATUS_COLUMNS, "Deal ID", "Notes",
    ]  # fmt: skip
    assert result["status"].tolist() == [
        Status.SUCCESS,
        Status.FAILED,
        Status.INVALID,
        Status.DUPLICATE,
    ]
    assert str(result["http_status"].dtype) == "Int64"
    assert str(result["attempts"].dtype) == "Int64"
    assert result["batch"].tolist()[:2] == [1, 2]
    assert pd.isna(result["error_code"].iloc[0])
    assert result["Notes"].tolist() == ["a", "b", "c", "c"]
    assert result.attrs["hubframe"]["kind"] == "pairs"


def test_every_row_needs_an_outcome() -> None:
    partial = outcomes()
    del partial[3]
    with pytest.raises(RuntimeError, match="no outcome"):
        result_table(pairs_frame(), partial, kind="pairs")


def test_summarize_counts_by_status_and_code_with_total() -> None:
    summary = summarize(result_table(pairs_frame(), outcomes(), kind="pairs"))
    assert list(summary.columns) == ["status", "error_code", "rows"]
    rows = list(summary.itertuples(index=False, name=None))
    assert rows == [
        (Status.SUCCESS, "", 1),
        (Status.FAILED, "OBJECT_NOT_FOUND", 1),
        (Status.INVALID, "BAD_ID", 1),
        (Status.DUPLICATE, "DUPLICATE_ROW", 1),
        ("total", "", 4),
    ]


def test_limits_keep_remove_column() -> None:
    frame = pd.DataFrame(
        {
            "sheet": ["l"],
            "row": [2],
            "from_type": ["deals"],
            "to_type": ["contacts"],
            "label": [None],
            "category": [None],
            "type_id": pd.array([None], dtype="Int64"),
            "max_to_object_ids": pd.array([None], dtype="Int64"),
            "remove": [True],
            "Max": ["remove"],
        }
    )
    result = result_table(
        frame, {0: Outcome(Status.SKIPPED, action=Action.PURGE_LIMIT)}, kind="limits"
    )
    assert list(result.columns)[8:10] == ["remove", "action"]
    assert list(result.columns)[-1] == "Max"


@pytest.mark.parametrize(
    "frame",
    [pd.DataFrame(), pd.DataFrame({"a": [1]}), pd.DataFrame({"status": ["success"]})],
    ids=["empty", "plain", "no error_code"],
)
def test_summarize_refuses_a_frame_that_is_not_a_result(frame: pd.DataFrame) -> None:
    """A read frame or an issues table stopped it with a KeyError."""
    with pytest.raises(InputError, match="not a hubframe result table"):
        summarize(frame)
