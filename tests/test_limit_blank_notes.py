"""With ``remove_blank``, an empty limit cell removes a limit only on a row that says which.

A row holding nothing but the analyst's own note (``,,see above`` under ``Label,Max,Notes``),
with the object types given as arguments, was read as "remove the deals -> contacts limit";
without the note the row was blank and dropped.  A removal now needs a cell of the sheet that
says which limit (a type, label, category or type id); otherwise the row is an empty limit
(BLANK_LIMIT: not sent), as without ``remove_blank``.
"""

from __future__ import annotations

import csv
import io

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io.columns import HeaderError

TYPES = {"from_type": "deals", "to_type": "contacts"}


def _limits(text: str, **kwargs: object) -> object:
    return hf.read_limits(text.encode(), remove_blank=True, **{**TYPES, **kwargs})  # type: ignore[arg-type]


def test_a_row_of_notes_only_removes_nothing() -> None:
    frame = _limits("Label,Max,Notes\nChampion,5,\n,,see above\nDecision maker,,\n")
    assert frame["remove"].tolist() == [False, False, True]  # the labeled blank still removes
    issues = hf.validate_limits(frame)
    assert issues["row"].tolist() == [3] and issues["code"].tolist() == ["BLANK_LIMIT"]


@pytest.mark.parametrize(
    ("header", "row", "removes"),
    [
        ("From,To,Max,Notes", "deals,contacts,,", True),  # the types say which
        ("Category,Type ID,Max,Notes", "USER_DEFINED,,,", True),
        ("Type ID,Max,Notes", "3,,", True),
        ("Max,Notes", ",why", False),  # nothing of the sheet says which
        ("Label,Max,Notes", " ,,why", False),  # a label cell of spaces says nothing
    ],
)
def test_which_cells_make_an_empty_limit_a_removal(header: str, row: str, removes: bool) -> None:
    given_types = {} if header.startswith("From") else TYPES
    frame = hf.read_limits(f"{header}\n{row}\n".encode(), remove_blank=True, **given_types)
    assert frame["remove"].tolist() == [removes]


cells = st.sampled_from(["", " ", "Champion", "5", "remove", "note"])


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=6))
def test_a_removal_always_has_a_cell_that_says_which_limit(
    rows: list[tuple[str, str, str]],
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Label", "Max", "Notes"])
    writer.writerows(rows)
    try:
        frame = _limits(out.getvalue())
    except HeaderError as exc:  # a Notes cell of "remove" beside others asks a removal
        assert 'the column "Notes"' in str(exc), exc  # no limit cell does (test_action_columns)
        assert "remove" in [notes for _, _, notes in rows], rows
        return
    for _, row in frame[frame["remove"]].iterrows():
        said = str(row["Label"] if row["Label"] == row["Label"] else "").strip()
        written = str(row["Max"] if row["Max"] == row["Max"] else "").strip().lower()
        assert said or written == "remove", row.to_dict()
