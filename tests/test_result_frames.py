"""Result tables take the pandas operations analysts use on them.

Before: ``pd.concat([first, second])`` of the results of two runs of the same size raised
"The truth value of a DataFrame is ambiguous": pandas compares the tables' ``attrs``, and the
run's facts compared field by field down to their issues table.
"""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe
from hubframe.run.pipeline import run_facts
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")


def _links(client: Any, deals: list[int]) -> list[str]:
    found = hubframe.read_associations(client, "deals", "contacts", deals, progress=False)
    return sorted(found["to_id"].dropna().astype(str))


def test_two_runs_joined_are_one_table_that_undoes_both(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed="demo")
    client = client_for(sb)
    deals = [DEALS[8], DEALS[9]]
    before = _links(client, deals)
    runs = [
        hubframe.associate(
            pd.DataFrame({"Deal ID": [d, d], "Contact ID": list(CONTACTS[n : n + 2])}),
            client,
            progress=False,
            record_existing=True,
        )
        for d, n in ((DEALS[8], 8), (DEALS[9], 9))
    ]
    both = pd.concat(runs)
    assert len(both) == 4 and run_facts(both) is None  # two runs joined are no one run
    hubframe.export_report(both, tmp_path / "both.xlsx")
    assert hubframe.summarize(both)["rows"].iloc[-1] == 4
    undone = hubframe.undo(both, client, progress=False)
    assert undone["status"].tolist() == ["success"] * 4
    assert _links(client, deals) == before


def test_a_result_survives_copies_pickles_and_merges(sandbox: Any) -> None:
    pairs = pd.DataFrame({"Deal ID": [DEALS[1], "x"], "Contact ID": list(CONTACTS[1:3])})
    first = hubframe.associate(pairs, client_for(sandbox), dry_run=True, progress=False)
    second = hubframe.associate(pairs, client_for(sandbox), dry_run=True, progress=False)
    for made in (
        pd.concat([first, second]),
        pd.concat([first, first]),
        first.merge(second, on=["sheet", "row"]),
        first.join(second, rsuffix="_again"),
        copy.deepcopy(first),
        pickle.loads(pickle.dumps(first)),
    ):
        assert isinstance(made, pd.DataFrame) and len(made) >= 2


def test_frames_read_from_two_files_and_joined_run_as_read(sandbox: Any, tmp_path: Path) -> None:
    """pd.concat drops the attrs of frames read from two files (they differ); the joined frame
    was read again as a sheet and refused: 'several columns could hold the association label:
    label, Label'."""
    first, second = tmp_path / "a.csv", tmp_path / "b.xlsx"
    pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]}).to_csv(first, index=False)
    pd.DataFrame(
        {"Deal ID": [DEALS[1]], "Contact ID": [CONTACTS[1]], "Label": ["Champion"], "Mine": ["x"]}
    ).to_excel(second, index=False)
    both = pd.concat([hubframe.read_pairs(first), hubframe.read_pairs(second)], ignore_index=True)
    assert not both.attrs
    result = hubframe.associate(both, client_for(sandbox), dry_run=True, progress=False)
    assert result["sheet"].tolist() == ["a.csv", "Sheet1"]
    assert result["label"].tolist()[1] == "Champion"
    assert result["status"].tolist() == ["planned", "planned"]
    assert list(result.columns).count("status") == 1 and "Mine" in result.columns


def test_a_result_saved_with_pandas_and_read_back_runs_again(sandbox: Any, tmp_path: Path) -> None:
    pairs = pd.DataFrame({"Deal ID": [DEALS[2], "x"], "Contact ID": list(CONTACTS[2:4])})
    first = hubframe.associate(pairs, client_for(sandbox), dry_run=True, progress=False)
    first.to_csv(tmp_path / "r.csv", index=False)
    again = hubframe.associate(
        pd.read_csv(tmp_path / "r.csv"), client_for(sandbox), dry_run=True, progress=False
    )
    assert again["status"].tolist() == ["planned", "invalid"]
    assert again["from_id"].tolist() == [str(DEALS[2]), "x"]
    assert len(set(again.columns)) == len(again.columns)


# --- a result fed back to its job -------------------------------------------------------------

_TYPE_CELLS = ["", "1", "abc", "3.5", "1e3", "-4", "2,000"]
_LIMIT_CELLS = ["", "7", "many", "7.5", "remove", "no limit", "-1", "2.0", "x"]


def _same_rows(first: pd.DataFrame, second: pd.DataFrame) -> None:
    shown = ["status", "error_code", "action", "type_id"]
    if "max_to_object_ids" in first.columns:
        shown += ["max_to_object_ids", "remove"]
    pd.testing.assert_frame_equal(
        first[shown].reset_index(drop=True), second[shown].reset_index(drop=True)
    )


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.sampled_from(_TYPE_CELLS), min_size=1, max_size=6), keep=st.booleans())
def test_a_pairs_result_run_again_asks_for_what_the_sheet_asked(
    cells: list[str], keep: bool
) -> None:
    """A result fed back to associate read a type id its sheet spelled badly ("abc") as none:
    the row, refused the first time, was planned as an unlabeled association.  The result (or
    the part not done) gives every row the outcome it had."""
    pairs = pd.DataFrame(
        {
            "Deal ID": [str(DEALS[n]) for n in range(len(cells))],
            "Contact ID": [str(CONTACTS[40 + n]) for n in range(len(cells))],
            "Type ID": cells,
        }
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        first = hubframe.associate(pairs, client, dry_run=True, progress=False)
        part = first[first["status"] != "planned"] if keep else first
        second = hubframe.associate(part, client, dry_run=True, progress=False)
    _same_rows(part, second)


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.sampled_from(_LIMIT_CELLS), min_size=1, max_size=3))
def test_a_limits_result_run_again_removes_nothing_its_sheet_kept(cells: list[str]) -> None:
    """A limit spelled badly ("many") was read back from the result as blank: with
    remove_blank=True the limit the sheet meant to set was removed from the portal."""
    labels = ["Champion", "Decision maker", "Budget holder"][: len(cells)]
    sheet = pd.DataFrame(
        {"From": "deals", "To": "contacts", "Label": labels, "Max": cells}, dtype=object
    )
    with Sandbox(seed="demo") as sb:
        for label in labels:
            sb.set_limit("deals", "contacts", 9, type_id=sb.type_id("deals", "contacts", label))
        client = client_for(sb)
        read = hubframe.read_limits(sheet, remove_blank=True)
        first = hubframe.configure_limits(read, client, dry_run=True, progress=False)
        second = hubframe.configure_limits(first, client, dry_run=True, progress=False)
        _same_rows(first, second)
        hubframe.configure_limits(first, client, progress=False)
        left = sb.limits("deals", "contacts").dropna(subset=["label"])
    kept = dict(zip(left["label"], left["max_to_object_ids"], strict=True))
    for label, status, removal in zip(labels, first["status"], first["remove"], strict=True):
        if status == "invalid":
            assert kept.get(label) == 9, (label, kept)  # refused: the portal keeps its limit
        elif removal:
            assert label not in kept


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    types=st.lists(
        st.sampled_from(["", "contacts", "Contact", "companies", "0-2", "tickets", "bogus"]),
        min_size=1,
        max_size=5,
    )
)
def test_a_type_conflict_stays_refused_when_its_result_runs_again(types: list[str]) -> None:
    """A "To Type" cell naming companies in a "Contact ID" row is refused (TYPE_CONFLICT: the
    id may be another record's).  Fed back from the result, the row was planned as a deal to
    company association with the contact column's id."""
    pairs = pd.DataFrame(
        {
            "Deal ID": [str(DEALS[n]) for n in range(len(types))],
            "Contact ID": [str(CONTACTS[50 + n]) for n in range(len(types))],
            "To Type": types,
        }
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        first = hubframe.associate(
            hubframe.read_pairs(pairs, from_type="deals"), client, dry_run=True, progress=False
        )
        second = hubframe.associate(first, client, dry_run=True, progress=False)
    _same_rows(first, second)
    assert (second["status"] == "planned").tolist() == [
        t in ("", "contacts", "Contact") for t in types
    ]
