"""Validation's messages naming another row name a DataFrame's row by its index label too.

"This row repeats row 2" in the result of a sorted frame (index 12, 11, 10) read as
``df.loc[2]``: no such label, or another row.  The read names a DataFrame's rows
``row 3 (index 4)`` (tests/test_frame_row_labels.py); the messages of validation and of the
jobs naming the row a row repeats or conflicts with now do too.  A file's rows are the rows
the spreadsheet shows, named as before.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from hubframe.validate import validate_limits

DEALS = [str(i) for i in demo_ids("deals")[:8]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:8]]
NAMED = re.compile(r"[Rr]ow (\d+) \(index (.+?)\)")


def _pairs(index: list[object]) -> pd.DataFrame:
    """Three pairs, the third repeating the first, labelled ``index``."""
    return pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": [DEALS[0], DEALS[1], DEALS[0]],
            "to_type": "contacts",
            "to_id": [CONTACTS[0], CONTACTS[1], CONTACTS[0]],
        },
        index=index,
    )


def test_a_repeat_names_the_row_it_repeats_by_its_label() -> None:
    frame = _pairs([10, 11, 12]).iloc[::-1]  # the repeat first: index 12, 11, 10
    issues = hf.validate_pairs(frame)
    said = issues.loc[issues["code"] == "DUPLICATE_ROW", "message"].tolist()
    assert len(said) == 1 and "repeats row 2 (index 12) and" in said[0], said


def test_a_string_index_is_named_as_its_repr() -> None:
    issues = hf.validate_pairs(_pairs(["a", "b", "c"]))
    said = issues.loc[issues["code"] == "DUPLICATE_ROW", "message"].tolist()
    assert len(said) == 1 and "repeats row 2 (index 'a')" in said[0], said


def test_a_default_index_is_named_by_number_only() -> None:
    issues = hf.validate_pairs(_pairs([0, 1, 2]).reset_index(drop=True))
    said = issues.loc[issues["code"] == "DUPLICATE_ROW", "message"].tolist()
    assert len(said) == 1 and "repeats row 2 and" in said[0], said


def test_a_csv_names_its_rows_as_before(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    _pairs([10, 11, 12]).iloc[::-1].to_csv(path, index=False)
    issues = hf.validate_pairs(path)
    said = issues.loc[issues["code"] == "DUPLICATE_ROW", "message"].tolist()
    assert len(said) == 1 and "repeats row 2 and" in said[0] and "(index" not in said[0], said


def _limits(index: list[object], label_limits: list[int]) -> pd.DataFrame:
    """An object limit of 3 and label limits of Decision maker, labelled ``index``."""
    return pd.DataFrame(
        {
            "From object": "Deals",
            "To object": "Contacts",
            "Label": ["", *["Decision maker"] * len(label_limits)],
            "Max associations": [3, *label_limits],
        },
        index=index,
    )


def test_a_limits_conflict_names_the_other_row_by_its_label() -> None:
    issues = hf.validate_limits(_limits([7, 5, 9], [2, 1]))
    said = " | ".join(issues["message"].tolist())
    assert "than row 4 (index 9)" in said and "than row 3 (index 5)" in said, said


def test_a_label_above_the_object_limit_names_its_row_by_label() -> None:
    issues = hf.validate_limits(_limits([7, 5], [5]))
    said = " | ".join(issues["message"].tolist())
    assert "associations (row 2 (index 7))" in said, said


def test_a_limits_row_asking_two_things_is_named_by_its_label() -> None:
    """A frame made by hand that both removes and sets a limit (the read refuses such a
    column; the check is the last guard): the row is named by its label too."""
    frame = hf.read_limits(_limits([7, 5], [2]))
    frame["remove"] = [False, True]
    issues = validate_limits(frame, labels=pd.Index([7, 5]))
    said = issues.loc[issues["message"].str.contains("two things"), "message"].tolist()
    assert len(said) == 1 and said[0].startswith("Row 3 (index 5) asks for two things"), said


def test_a_jobs_result_names_the_repeated_row_by_its_label(sandbox: Sandbox) -> None:
    frame = _pairs([10, 11, 12]).iloc[::-1]
    result = hf.associate(frame, client_for(sandbox), progress=False)
    said = str(result.loc[10, "error_message"])
    assert result.loc[12, "status"] == "success", result
    assert result.loc[10, "status"] == "duplicate" and "repeats row 2 (index 12)" in said, said


def _check_names(frame: pd.DataFrame, issues: pd.DataFrame) -> int:
    """Each row a message names by number and label is that row of ``frame``; how many."""
    read = hf.read_pairs(frame)
    numbered = pd.Series(read["row"].to_numpy(), index=frame.index)
    count = 0
    for message in issues["message"]:
        for number, label in NAMED.findall(str(message)):
            hits = [k for k in frame.index if repr(k.item() if hasattr(k, "item") else k) == label]
            assert len(hits) == 1, (label, message)
            assert numbered[hits[0]] == int(number), (number, label, message)
            count += 1
    return count


def test_property_every_row_named_is_the_row_of_its_label() -> None:
    """Seeded: frames of repeats and conflicts (a label on one row, another on its repeat),
    shuffled, with int or text labels: every ``row N (index L)`` names the row labelled L,
    numbered N."""
    named = 0
    for seed in seeds(40):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(2, 14))
        frame = pd.DataFrame(
            {
                "from_type": "deals",
                "from_id": [DEALS[i] for i in rng.integers(0, 3, n)],
                "to_type": "contacts",
                "to_id": [CONTACTS[i] for i in rng.integers(0, 3, n)],
                "association_label": [["", "", "Champion"][i] for i in rng.integers(0, 3, n)],
            }
        )
        labels: list[object] = (
            [f"r{i}" for i in rng.permutation(n)]
            if seed % 2
            else [int(v) for v in rng.choice(1000, n, replace=False)]
        )
        frame.index = pd.Index(labels)
        frame = frame.iloc[rng.permutation(n)]
        named += _check_names(frame, hf.validate_pairs(frame))
    assert named > 20  # the property spoke of many rows
