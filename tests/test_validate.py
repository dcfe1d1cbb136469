"""validate_pairs / validate_limits / invalid_rows: codes, positions, order, messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hubframe.constants import ISSUE_COLUMNS
from hubframe.errors import ErrorCode
from hubframe.io import read_limits, read_pairs
from hubframe.validate import invalid_rows, validate_limits, validate_pairs

GOLDEN = Path(__file__).parent / "golden"
COLUMNS = [*ISSUE_COLUMNS, "position"]


#: Every test here runs in both pandas text representations (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("text_mode")


def _pairs(rows: list[dict[str, object]]) -> pd.DataFrame:
    return read_pairs(pd.DataFrame(rows))


def _row(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "from_type": "deals",
        "from_id": "1",
        "to_type": "contacts",
        "to_id": "2",
        "label": "",
    }
    base.update(kw)
    return base


def test_clean_frame_gives_empty_issues_with_columns() -> None:
    issues = validate_pairs(_pairs([_row(), _row(to_id="3")]))
    assert list(issues.columns) == COLUMNS
    assert issues.empty


def test_no_issues_and_issues_have_one_set_of_column_types() -> None:
    """In both text modes (the module's fixture), one after the other in one process: the
    table of a clean sheet has the types of a table with issues (text as pandas makes text
    in the mode in force, whole numbers for rows and positions)."""
    clean = validate_pairs(_pairs([_row()]))
    found = validate_pairs(_pairs([_row(from_id="x")]))
    assert not found.empty
    assert clean.dtypes.to_dict() == found.dtypes.to_dict()
    text = pd.Series(["a"]).astype(str).dtype
    assert [clean[c].dtype for c in COLUMNS if c not in ("row", "position")] == [text] * 6


def test_each_pair_check_has_its_code() -> None:
    pairs = _pairs(
        [
            _row(),
            _row(from_id=""),
            _row(to_id="12a"),
            _row(from_type="dealz"),
            _row(to_id="1.01936E+11"),
            _row(category="SOMETHING"),
            _row(type_id="x"),
            _row(),
        ]
    )
    issues = validate_pairs(pairs)
    got = list(zip(issues["row"], issues["column"], issues["code"], strict=True))
    assert got == [
        (3, "from_id", "MISSING_VALUE"),
        (4, "to_id", "BAD_ID"),
        (5, "from_type", "BAD_OBJECT_TYPE"),
        (6, "to_id", "BAD_ID"),
        (7, "category", "BAD_CATEGORY"),
        (8, "type_id", "BAD_ID"),
        (9, "from_id", "DUPLICATE_ROW"),
    ]
    assert issues["severity"].tolist() == ["error"] * 6 + ["warning"]
    messages = dict(zip(issues["row"], issues["message"], strict=True))
    assert "scientific notation" in messages[6] and "1.01936E+11" in messages[6]
    assert "'dealz'" in messages[5] and "deals" in messages[5]
    assert "row 2" in messages[9]
    assert issues.set_index("row").loc[8, "value"] == "x"
    assert set(issues["code"]) <= {c.value for c in ErrorCode}


def test_every_check_runs_on_every_row() -> None:
    issues = validate_pairs(_pairs([_row(from_id="", to_id="x", to_type="??")]))
    assert sorted(issues["code"]) == ["BAD_ID", "BAD_OBJECT_TYPE", "MISSING_VALUE"]
    assert issues["column"].tolist() == ["from_id", "to_type", "to_id"]  # column order


def test_conflicting_rows_name_each_other() -> None:
    """One type id with two categories for the same records; another type id is another
    association (not a conflict)."""
    pairs = _pairs(
        [
            _row(type_id="3"),
            _row(type_id="3", category="USER_DEFINED"),
            _row(to_id="9", type_id="3"),
            _row(type_id="1003"),
        ]
    )
    issues = validate_pairs(pairs)
    assert issues["code"].tolist() == ["CONFLICTING_ROWS", "CONFLICTING_ROWS"]
    assert "row 3" in issues["message"].iloc[0] and "row 2" in issues["message"].iloc[1]


def test_split_rows_keyed_by_position() -> None:
    pairs = _pairs([_row(to_id="5;x;5")])
    issues = validate_pairs(pairs)
    assert issues["position"].tolist() == [1, 2]
    assert issues["code"].tolist() == ["BAD_ID", "DUPLICATE_ROW"]
    assert issues["row"].tolist() == [2, 2]
    assert invalid_rows(pairs, issues).tolist() == [False, True, False]


def test_golden_sheet_issues_in_sheet_order() -> None:
    pairs = read_pairs(GOLDEN / "pairs_title.xlsx", sheet="*")
    issues = validate_pairs(pairs)
    assert issues[["sheet", "row", "code"]].values.tolist() == [["Links", 8, "BAD_ID"]]
    assert "column 'Deal ID'" in issues["message"].iloc[0]


def test_limits_checks() -> None:
    issues = validate_limits(read_limits(GOLDEN / "limits.csv"))
    got = list(zip(issues["row"], issues["code"], issues["value"], strict=True))
    assert got == [
        (4, "LABEL_LIMIT_ABOVE_OBJECT_LIMIT", "9"),
        (6, "BLANK_LIMIT", ""),  # an empty cell: not sent, never a removal
        (7, "BAD_LIMIT", "0"),
        (8, "BAD_LIMIT", "abc"),
        (9, "CONFLICTING_ROWS", "4"),
        (10, "CONFLICTING_ROWS", "6"),
    ]
    assert "row 2" in issues["message"].iloc[0]
    assert issues.loc[issues["code"] == "BLANK_LIMIT", "severity"].tolist() == ["warning"]


def test_a_blank_limit_is_a_warning_that_conflicts_with_nothing() -> None:
    limits = read_limits(
        pd.DataFrame(
            {
                "From": ["deals", "deals", "deals", "deals"],
                "To": ["contacts"] * 4,
                "Label": ["Champion", "Champion", "Budget holder", "Decision maker"],
                "Max": ["", "3", "", "Remove Limit"],
            }
        )
    )
    issues = validate_limits(limits)
    assert issues[["row", "code", "severity"]].values.tolist() == [
        [2, "BLANK_LIMIT", "warning"],
        [4, "BLANK_LIMIT", "warning"],
    ]  # row 3 sets Champion to 3, row 5 removes a limit: no conflict, nothing to say
    assert "'remove'" in issues["message"].iloc[0]  # says how to remove it
    assert invalid_rows(limits, issues).tolist() == [False] * 4
    removing = read_limits(limits, remove_blank=True)  # empty cells remove: asked for
    assert removing["remove"].tolist() == [True, False, True, True]
    assert validate_limits(removing)["code"].tolist() == ["CONFLICTING_ROWS"] * 2


def test_limit_duplicates_and_types() -> None:
    limits = read_limits(
        pd.DataFrame(
            {
                "from_type": ["deals", "deals", "nope", ""],
                "to_type": ["contacts", "contacts", "contacts", "contacts"],
                "max": ["5", "5", "3", "20000"],
                "category": ["", "", "", "USER"],
            }
        )
    )
    issues = validate_limits(limits)
    got = list(zip(issues["row"], issues["code"], strict=True))
    assert got == [
        (3, "DUPLICATE_ROW"),
        (4, "BAD_OBJECT_TYPE"),
        (5, "MISSING_VALUE"),
        (5, "BAD_CATEGORY"),
        (5, "BAD_LIMIT"),
    ]


def test_unlabeled_type_id_counts_as_object_limit() -> None:
    limits = read_limits(
        pd.DataFrame(
            {
                "from_type": ["deals", "deals"],
                "to_type": ["contacts", "contacts"],
                "type_id": ["3", "77"],
                "max": ["2", "4"],
            }
        )
    )
    issues = validate_limits(limits)
    assert issues["code"].tolist() == ["LABEL_LIMIT_ABOVE_OBJECT_LIMIT"]
    assert issues["row"].tolist() == [3]


def test_hand_built_frame_without_attrs() -> None:
    frame = pd.DataFrame(
        {
            "sheet": ["s", "s"],
            "row": [2, 3],
            "from_type": ["deals", "deals"],
            "from_id": ["1", None],
            "to_type": ["contacts", "contacts"],
            "to_id": ["2", "3"],
            "label": [None, None],
            "category": [None, None],
            "type_id": pd.array([None, None], dtype="Int64"),
        }
    )
    issues = validate_pairs(frame)
    assert issues["code"].tolist() == ["MISSING_VALUE"]
    assert issues["message"].iloc[0].startswith("The cell for the 'from' record id")


ids = st.one_of(st.from_regex(r"[1-9][0-9]{0,5}", fullmatch=True), st.text(max_size=6), st.just(""))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ids, ids), min_size=1, max_size=15))
def test_property_issue_positions_are_real_rows(rows: list[tuple[str, str]]) -> None:
    # a row of several ids on both sides is refused whole (test_lists_both_sides), not reported
    assume(not any(";" in a and ";" in b for a, b in rows))
    pairs = _pairs([_row(from_id=a, to_id=b) for a, b in rows])
    issues = validate_pairs(pairs)
    assert list(issues.columns) == COLUMNS
    assert issues["position"].between(0, len(pairs) - 1).all()
    rows_at = pairs["row"].to_numpy()[issues["position"].to_numpy()]
    assert (rows_at == issues["row"].to_numpy()).all()
    mask = invalid_rows(pairs, issues)
    errors = set(issues.loc[issues["severity"] == "error", "position"])
    assert mask.index.equals(pairs.index)  # a cell of several ids: its rows share its label
    assert set(np.flatnonzero(mask.to_numpy())) == errors


def test_pairs_sharing_a_hash_are_grouped_exactly() -> None:
    from hubframe.validate import _MIX, _repeated

    step = next(k for k in range(1, 1000) if (k * int(_MIX)) % 2**64 < 10**17)
    shift = (step * int(_MIX)) % 2**64
    a, b = 10**12, 10**12
    twin = (a - step, b + shift)  # a different pair with the same 64-bit hash
    pairs = _pairs(
        [
            _row(from_id=str(a), to_id=str(b)),
            _row(from_id=str(twin[0]), to_id=str(twin[1])),
            _row(from_id=str(a), to_id=str(b)),
        ]
    )
    ints = [np.array([a, twin[0], a]), np.array([b, twin[1], b])]
    assert _repeated(ints).tolist() == [True, True, True]  # the hash alone cannot tell
    issues = validate_pairs(pairs)
    assert issues[["row", "code"]].values.tolist() == [[4, "DUPLICATE_ROW"]]
    assert "row 2" in issues["message"].iloc[0]


def test_repeats_conflicts_and_labels_in_one_sheet() -> None:
    pairs = _pairs(
        [
            _row(),
            _row(label="Champion"),  # another label: not a repeat
            _row(),
            _row(label="Champion", type_id="1003"),
            _row(label="Champion", type_id="1001"),
            _row(to_id="3"),
            _row(),
        ]
    )
    issues = validate_pairs(pairs)
    got = list(zip(issues["row"], issues["code"], strict=True))
    assert got == [
        (4, "DUPLICATE_ROW"),
        (5, "CONFLICTING_ROWS"),
        (6, "CONFLICTING_ROWS"),
        (8, "DUPLICATE_ROW"),
    ]
    assert "row 6" in issues["message"].iloc[1] and "row 2" in issues["message"].iloc[3]


def test_issues_follow_sheet_order_of_the_frame_then_row_and_column() -> None:
    frame = pd.DataFrame(
        {
            "sheet": ["b", "a", "b", None],
            "row": [9, 2, 3, 1],
            "from_type": ["deals", "deals", "nope", "deals"],
            "from_id": ["x", "1", "", "2"],
            "to_type": ["contacts"] * 4,
            "to_id": ["1", "y", "1", "z"],
            "label": [None] * 4,
            "category": [None] * 4,
            "type_id": pd.array([None] * 4, dtype="Int64"),
        }
    )
    issues = validate_pairs(frame)
    got = list(zip(issues["sheet"], issues["row"], issues["column"], strict=True))
    assert got == [
        ("", 1, "to_id"),  # no sheet name (hand-built frames only) sorts first
        ("b", 3, "from_type"),
        ("b", 3, "from_id"),
        ("b", 9, "from_id"),
        ("a", 2, "to_id"),
    ]


def test_no_targets_marks_turn_an_empty_to_id_into_a_warning() -> None:
    # the reader's contract with validate and the engine: the private bool column
    pairs = _pairs(
        [
            {"From Type": "deals", "From ID": "1", "To Type": "contacts", "To ID": ""},
            {"From Type": "deals", "From ID": "2", "To Type": "contacts", "To ID": ""},
            {"From Type": "deals", "From ID": "3", "To Type": "contacts", "To ID": "7"},
        ]
    )
    assert validate_pairs(pairs)["code"].tolist() == ["MISSING_VALUE", "MISSING_VALUE"]
    pairs["_raw_no_targets"] = [True, False, True]  # row 3 has a to id: the mark changes nothing
    issues = validate_pairs(pairs)
    assert issues[["row", "code", "severity"]].values.tolist() == [
        [2, "NO_TARGETS", "warning"],
        [3, "MISSING_VALUE", "error"],
    ]
    assert invalid_rows(pairs, issues).tolist() == [False, True, False]
    assert ErrorCode.NO_TARGETS.value == "NO_TARGETS"


# --- a limit or type id cell holds one small number, not record ids ----------------------------


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("5,0", "holds 2 numbers"),
        ("3 4", "holds 2 numbers"),
        ("2|3|4", "holds 3 numbers"),
        ("1/2", "holds 2 numbers"),
        ("3\n4", "holds 2 numbers"),
        ("99999999999999999999", "is out of range"),
        ("1" * 19, "is out of range"),
        ("0" * 5 + "7" * 30, "is out of range"),
    ],
)
@pytest.mark.parametrize(("column", "what"), [("Max", "a limit"), ("Type ID", "a type id")])
def test_a_limit_or_type_id_cell_is_not_advised_as_ids(
    cell: str, said: str, column: str, what: str
) -> None:
    """'5,0' in a limit cell was told to separate ids with ';'; a 20-digit limit that at most
    18 digits fit (the id rule), though a limit runs from 1 to 10000."""
    row = {"From": "deals", "To": "contacts", "Label": "Champion", "Type ID": "", "Max": "5"}
    row[column] = cell
    issues = validate_limits(read_limits(pd.DataFrame([row]).replace("", pd.NA)))
    message = str(issues["message"].iloc[0])
    assert said in message
    if said.startswith("holds"):
        assert f"; {what} is one whole number" in message
    assert " ids" not in message and "fit" not in message


def test_a_label_limit_given_by_type_id_only_is_named_by_its_type_id() -> None:
    """It was "the limit 5 for label '1003'": no label is called 1003."""
    frame = pd.DataFrame(
        {"From": ["deals"] * 2, "To": ["contacts"] * 2, "Type ID": [None, 1003], "Max": [3, 5]}
    )
    issues = validate_limits(read_limits(frame))
    assert issues["code"].tolist() == ["LABEL_LIMIT_ABOVE_OBJECT_LIMIT"]
    assert "The limit 5 for type id 1003 is higher" in str(issues["message"].iloc[0])
