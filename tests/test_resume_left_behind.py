"""A run resumed with an edited sheet says what the killed run applied that the sheet dropped.

A run killed or stopped part-way stays open in its journal; the same sheet run again with the
journal resumes it.  When the analyst edited the sheet in between (dropped rows), the rows the
first run had applied and the new sheet no longer lists stayed in HubSpot and the new report,
one row per new sheet row, did not show them: nothing said so.  Now the run ends with a
``ResumedRowsLeftOut`` warning counting them and naming the first.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Any

import pytest

import hubframe as hf
from hubframe.run.journal import ResumedRowsLeftOut
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, pairs_sheet
from tests.faultproxy import FaultProxy
from tests.fuzzseeds import seeds

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
ROWS = [(str(DEALS[i]), str(CONTACTS[100 + i]), "") for i in range(60)]
KW: dict[str, Any] = {"batch_size": 10, "workers": 1, "progress": False}


def _stopped_run(sb: Sandbox, rows: list[tuple[str, str, str]], journal: Path, job: Any) -> set:
    """Run ``job`` until HubSpot stops answering after its third write: the rows it applied."""
    with FaultProxy(sb, lose=3, then="refuse") as proxy:
        client = hf.HubSpotClient(
            token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05, max_retries=1
        )
        first = job(pairs_sheet(rows), client, journal=journal, **KW)
    assert (first["status"] != "success").any()  # stopped part-way
    return _linked(sb, rows)


def _linked(sb: Sandbox, rows: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
    links = sb.associations("deals", "contacts")
    held = set(zip(links["from_id"].astype(str), links["to_id"].astype(str), strict=True))
    return {(d, c) for d, c, _ in rows} & held


def _resumed(sb: Sandbox, rows: list[tuple[str, str, str]], journal: Path, job: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        job(pairs_sheet(rows), client_for(sb), journal=journal, **KW)
    return [str(w.message) for w in caught if issubclass(w.category, ResumedRowsLeftOut)]


@pytest.mark.parametrize("seed", seeds(4))
def test_a_resume_of_an_edited_sheet_counts_the_rows_it_dropped(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        applied = _stopped_run(sb, ROWS, journal, hf.associate)
        assert applied
        kept = [r for r in ROWS if rng.random() < 0.6]
        dropped = applied - {(d, c) for d, c, _ in kept}
        said = _resumed(sb, kept, journal, hf.associate)
        if not dropped:
            assert said == []
            return
        assert len(said) == 1, said
        assert f"applied {len(dropped):,} rows this sheet no longer lists" in said[0]
        first = sorted(dropped, key=lambda p: ROWS.index((*p, "")))[0]
        assert f"deal {first[0]} -> contact {first[1]} (created)" in said[0], said[0]
        assert _linked(sb, ROWS) >= dropped  # still in HubSpot, as said


@pytest.mark.parametrize("job", [hf.associate, hf.sync], ids=["associate", "sync"])
def test_a_resume_of_the_same_sheet_says_nothing(job: Any, tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _stopped_run(sb, ROWS, journal, job)
        assert _resumed(sb, ROWS, journal, job) == []
        assert _linked(sb, ROWS) == {(d, c) for d, c, _ in ROWS}


def test_a_dry_run_or_a_run_without_the_journal_says_nothing(tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _stopped_run(sb, ROWS, journal, hf.associate)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResumedRowsLeftOut)
            hf.associate(
                pairs_sheet(ROWS[30:]), client_for(sb), dry_run=True, journal=journal, **KW
            )
            hf.associate(pairs_sheet(ROWS[30:]), client_for(sb), **KW)


# --- a label changed between the runs ------------------------------------------------------------

LABELED = [(d, c, ["Champion", "", "Decision maker"][i % 3]) for i, (d, c, _) in enumerate(ROWS)]
RELABEL = {"Champion": "", "": "Champion", "Decision maker": "Champion"}


@pytest.mark.parametrize("seed", seeds(3))
def test_a_resume_whose_sheet_changed_a_label_names_the_label_left(
    seed: int, tmp_path: Path
) -> None:
    """Before: the stopped run's 'Champion' of a row relabeled between the runs stayed in
    HubSpot without a word (the pair was still listed), its report row said linked_before
    False, and an undo of the report left it."""
    rng = random.Random(seed)
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _stopped_run(sb, LABELED, journal, hf.associate)
        held = sb.associations("deals", "contacts")
        labeled = set(
            zip(
                held["from_id"].astype(str), held["to_id"].astype(str), held["type_id"], strict=True
            )
        )
        champion = sb.type_id("deals", "contacts", "Champion")
        decision = sb.type_id("deals", "contacts", "Decision maker")
        applied = {
            (d, c, lb)
            for d, c, lb in LABELED
            if lb and (d, c, _type(lb, champion, decision)) in labeled
        }
        assert applied, "the stopped run applied labeled rows"
        edited = [(d, c, RELABEL[lb]) if rng.random() < 0.5 else (d, c, lb) for d, c, lb in LABELED]
        left = {
            (d, c)
            for (d, c, lb), (_, _, now) in zip(LABELED, edited, strict=True)
            if (d, c, lb) in applied and now != lb
        }
        said = _resumed(sb, edited, journal, hf.associate)
        if not left:
            assert said == []
            return
        assert len(said) == 1, said
        assert f"applied {len(left):,} rows this sheet no longer lists" in said[0], said[0]
        assert "its label of type id" in said[0]


def _type(label: str, champion: int, decision: int) -> int:
    return champion if label == "Champion" else decision


@pytest.mark.parametrize("order", ["same", "reversed"])
def test_a_resume_of_the_same_labels_in_any_order_says_nothing(order: str, tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _stopped_run(sb, LABELED, journal, hf.associate)
        rows = LABELED if order == "same" else LABELED[::-1]
        assert _resumed(sb, rows, journal, hf.associate) == []


# --- a removal's label changed between the runs ---------------------------------------------------

TWO = [(d, c, lb) for d, c, _ in ROWS for lb in ("Champion", "Decision maker")]
REMOVING = [(d, c, ["Champion", "Decision maker"][i % 2]) for i, (d, c, _) in enumerate(ROWS)]
SWAP = {"Champion": "Decision maker", "Decision maker": "Champion"}


def _labels_held(sb: Sandbox) -> set[tuple[str, str, int]]:
    held = sb.associations("deals", "contacts")
    return set(
        zip(held["from_id"].astype(str), held["to_id"].astype(str), held["type_id"], strict=True)
    )


@pytest.mark.parametrize("seed", seeds(3))
def test_a_resumed_removal_whose_sheet_changed_a_label_names_the_label_removed(
    seed: int, tmp_path: Path
) -> None:
    """Before: a stopped remove run took 'Champion' off a pair, the sheet then said
    'Decision maker' for that row, and the resume removed 'Decision maker' too: its report
    named only that one, and nothing said 'Champion' was gone (any removal counted as named)."""
    rng = random.Random(seed)
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        hf.associate(pairs_sheet(TWO), client_for(sb), **KW)
        champion = sb.type_id("deals", "contacts", "Champion")
        decision = sb.type_id("deals", "contacts", "Decision maker")
        types = {"Champion": champion, "Decision maker": decision}
        with FaultProxy(sb, lose=3, then="refuse") as proxy:
            client = hf.HubSpotClient(
                token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05
            )
            hf.remove_associations(pairs_sheet(REMOVING), client, journal=journal, **KW)
        held = _labels_held(sb)
        removed = {(d, c, lb) for d, c, lb in REMOVING if (d, c, types[lb]) not in held}
        assert removed, "the stopped run removed labels"
        assert len(removed) < len(REMOVING), "the stopped run stopped part-way"
        edited = [(d, c, SWAP[lb]) if rng.random() < 0.5 else (d, c, lb) for d, c, lb in REMOVING]
        left = [
            (d, c)
            for (d, c, lb), (_, _, now) in zip(REMOVING, edited, strict=True)
            if (d, c, lb) in removed and now != lb
        ]
        said = _resumed(sb, edited, journal, hf.remove_associations)
        if not left:
            assert said == []
            return
        assert len(said) == 1, said
        assert f"applied {len(left):,} rows this sheet no longer lists" in said[0], said[0]
        d, c = left[0]
        assert f"deal {d} -> contact {c} (its label of type id" in said[0], said[0]
        assert "removed)" in said[0]
        assert "put back with associate (hubframe associate) for one removed." in said[0]


@pytest.mark.parametrize("order", ["same", "reversed"])
def test_a_resumed_removal_of_the_same_labels_says_nothing(order: str, tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        hf.associate(pairs_sheet(TWO), client_for(sb), **KW)
        with FaultProxy(sb, lose=3, then="refuse") as proxy:
            client = hf.HubSpotClient(
                token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05
            )
            hf.remove_associations(pairs_sheet(REMOVING), client, journal=journal, **KW)
        rows = REMOVING if order == "same" else REMOVING[::-1]
        assert _resumed(sb, rows, journal, hf.remove_associations) == []
        champion = sb.type_id("deals", "contacts", "Champion")
        decision = sb.type_id("deals", "contacts", "Decision maker")
        types = {"Champion": champion, "Decision maker": decision}
        assert not {(d, c, types[lb]) for d, c, lb in REMOVING} & _labels_held(sb)


@pytest.mark.parametrize("job", [hf.associate, hf.remove_associations], ids=["add", "remove"])
def test_a_resume_whose_new_label_needs_no_call_still_names_the_label_left(
    job: Any, tmp_path: Path
) -> None:
    """The resume's rows ask 'Decision maker', which the pairs already hold (associate) or
    do not hold (remove): none is sent, and the stopped run's 'Champion' (created or
    removed) is still named; before, a pair whose rows were not all sent counted as named."""
    journal = tmp_path / "run.sqlite"
    pairs = [(d, c) for d, c, _ in ROWS if d not in {str(x) for x in DEALS[:1]}]
    with Sandbox(seed="demo") as sb:
        first = "Decision maker" if job is hf.associate else "Champion"
        hf.associate(pairs_sheet([(d, c, first) for d, c in pairs]), client_for(sb), **KW)
        champion = sb.type_id("deals", "contacts", "Champion")
        _stopped_run(sb, [(d, c, "Champion") for d, c in pairs], journal, job)
        held = _labels_held(sb)
        applied = {(d, c) for d, c in pairs if ((d, c, champion) in held) == (job is hf.associate)}
        changed = applied - set(pairs[:10])  # the first batch's rows as they were: a resume
        assert changed and len(applied) < len(pairs)
        rows = [
            (d, c, "Champion" if n < 10 else "Decision maker") for n, (d, c) in enumerate(pairs)
        ]
        said = _resumed(sb, rows, journal, job)
        assert len(said) == 1, said
        assert f"applied {len(changed):,} rows this sheet no longer lists" in said[0], said[0]
        assert f"its label of type id {champion}" in said[0]
