"""An undo of a report whose ``existed_before`` / ``linked_before`` cell was flipped to FALSE
never removes what was there before the run, when the run's journal is known.

Before: a report row of an association that was there before the run, its before-state
cells set to FALSE in Excel (or the column sorted alone), was undone as one the run made: the
pre-existing link was removed, the row reported ``success``.  The report's Summary names the
run's journal, which holds what the run read of each pair before sending: a removal every
reading contradicts stops the undo, naming the row, and nothing is removed.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(d) for d in demo_ids("deals")[40:46]]
CONTACTS = [str(c) for c in demo_ids("contacts")[50:56]]
FLAGS = ["existed_before", "linked_before"]


def _links(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    cells = zip(found["from_id"], found["to_id"], found["type_id"], strict=True)
    return {(str(f), str(t), int(k)) for f, t, k in cells}


def _run(sb: Sandbox, journal: Path, there: list[int]) -> pd.DataFrame:
    """Six pairs, those at ``there`` linked (plain) before the run; rows 0-2 labeled."""
    for n in there:
        sb.associate("deals", int(DEALS[n]), "contacts", int(CONTACTS[n]))
    labels = ["Champion", "Champion", "Champion", "", "", ""]
    sheet = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Label": labels})
    return hf.associate(sheet, client_for(sb), progress=False, journal=journal)


def _edited(result: pd.DataFrame, path: Path, flips: list[tuple[int, str]]) -> Path:
    export_report(result, path)
    book = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    for at, cell in flips:
        book["Results"].loc[at, cell] = "FALSE"
    with pd.ExcelWriter(path) as writer:
        for name, frame in book.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


@pytest.mark.parametrize("seed", seeds(8))
def test_flipped_before_flags_never_remove_what_was_there(tmp_path: Path, seed: int) -> None:
    """The dry run refuses as the real run does, and the real run, refused or not, keeps every
    association that was there before the run."""
    r = random.Random(seed)
    there = sorted(r.sample(range(6), r.randint(1, 4)))
    flips = [(at, cell) for at in there for cell in FLAGS if r.random() < 0.6]
    flips = flips or [(there[0], "linked_before")]
    with Sandbox(seed="demo") as sb:
        before_run = _links(sb)
        result = _run(sb, tmp_path / "run.sqlite", there)
        assert set(result["status"]) == {"success"}, result
        after_run = _links(sb)
        report = _edited(result, tmp_path / "report.xlsx", flips)
        said = []
        for dry_run in (True, False):
            try:
                hf.undo(report, client_for(sb), progress=False, dry_run=dry_run)
            except InputError as refused:
                assert "Nothing was removed" in str(refused)
                assert any(f"row {at + 2} " in str(refused) for at, _ in flips), refused
                assert _links(sb) == after_run
                said.append(str(refused))
            else:
                said.append("")
        assert said[0] == said[1]  # the dry run says what the real run does
        assert before_run <= _links(sb), flips  # refused, or no flip made a removal of it
        # a flip that makes a removal: a label's row (its pair linked before) whose
        # linked_before says FALSE; a plain row (there before) whose two cells say FALSE
        flipped = {at: {c for a, c in flips if a == at} for at, _ in flips}
        removes = any("linked_before" in c and (at < 3 or len(c) == 2) for at, c in flipped.items())
        assert bool(said[0]) == removes, flips


def test_an_unedited_report_undoes_and_keeps_what_was_there(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        before_run = _links(sb)
        result = _run(sb, tmp_path / "run.sqlite", [0, 3])
        report = _edited(result, tmp_path / "report.xlsx", [])
        undone = hf.undo(report, client_for(sb), progress=False)
        assert set(undone["status"]) <= {"success", "skipped"}, undone
        assert _links(sb) == before_run | {
            (DEALS[n], CONTACTS[n], 3) for n in (0, 3)
        }  # (deal -> contact's plain link: HUBSPOT_DEFINED 3), the rest taken back


def test_a_pair_removed_by_hand_between_two_runs_is_undone_from_the_second(
    tmp_path: Path,
) -> None:
    """The first run read the pair linked, the second (after a removal by hand) not: the
    second's report rightly says FALSE, and its undo removes the link it made."""
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        sheet = pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": CONTACTS[:1]})
        sb.associate("deals", int(DEALS[0]), "contacts", int(CONTACTS[0]))
        first = hf.associate(sheet, client, progress=False, journal=journal)
        assert first["existed_before"].tolist() == [True]
        hf.remove_associations(sheet, client, progress=False)
        second = hf.associate(sheet, client, progress=False, journal=journal)
        assert second["existed_before"].tolist() == [False]
        report = export_report(second, tmp_path / "second.xlsx")
        undone = hf.undo(report, client, progress=False)
        assert undone["status"].tolist() == ["success"], undone
        assert (DEALS[0], CONTACTS[0]) not in {(f, t) for f, t, _ in _links(sb)}


def test_a_result_table_flipped_in_the_notebook_is_refused_too(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        result = _run(sb, tmp_path / "run.sqlite", [1])
        after_run = _links(sb)
        table = result.copy()
        table.loc[1, "linked_before"] = False  # a label's row: its pair was linked before
        with pytest.raises(InputError, match=r"linked_before cell of row 3 .*Nothing was removed"):
            hf.undo(table, client_for(sb), progress=False)
        assert _links(sb) == after_run
