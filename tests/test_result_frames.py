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

import hubframe
from hubframe.run.pipeline import run_facts
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
