"""An undo from a journal of several runs puts the portal back as it was before the first.

Before, an undo from a journal made one row per run row, each going by its own run's reading,
and sent every removal before every creation: a pair a first sync added and a second sync
removed was created again (``success``), with its label, though it was not there before the
first run.  Now, per record pair, the reading of the first run that applied a row of it
decides what existed, and only the net change of the runs is taken back; a row whose net
change is none is ``skipped``, saying so.

An undo of a sync's result table keeps in the journal the removals it took back (table
``taken_back``), keyed as the journal keyed what was sent (a pair's removal as the pair's
batch archive, its labels' rows riding on it): before, they never matched, and a later undo
from the journal created the pair again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples, seeds
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs.unlink import _undo_row
from hubframe.report.net import NetRow, net_rows
from hubframe.report.reader import _each_type, _existed
from hubframe.run.journal import JournalRow, JournalStep
from hubframe.run.work import WorkItem
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_400_000_001 + i) for i in range(3)]
CONTACTS = [str(6_400_000_001 + i) for i in range(4)]
LABELS = ["Decision maker", "Champion"]
KW = {"progress": False}

Setting = tuple[Sandbox, HubSpotClient, Path]
State = set[tuple[str, str, str, str, int]]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    for label in LABELS:
        sb.add_label("deals", "contacts", label)
    return sb, client_for(sb), tmp_path / "run.sqlite"


def _state(sb: Sandbox) -> State:
    """Every association, both directions, every type."""
    out: State = set()
    for a, b in (("deals", "contacts"), ("contacts", "deals")):
        found = sb.associations(a, b)
        for f, t, tid in zip(found["from_id"], found["to_id"], found["type_id"], strict=True):
            out.add((a, str(f), b, str(t), int(tid)))
    return out


def _sheet(rows: list[tuple[int, int | None, str | None]]) -> pd.DataFrame:
    """Deal -> contact rows (deal index, contact index or None: the deal has none, label)."""
    return pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": [DEALS[d] for d, _, _ in rows],
            "to_type": "contacts",
            "to_id": [None if c is None else CONTACTS[c] for _, c, _ in rows],
            "label": [label for _, _, label in rows],
        }
    )


def _sync(sheet: pd.DataFrame, client: HubSpotClient, path: Path) -> pd.DataFrame:
    return hf.sync(sheet, client, allow_removals=True, max_removals=500, journal=path, **KW)


def _type_of(sb: Sandbox, label: str) -> int:
    labels = client_for(sb).list_labels("deals", "contacts")
    return next(int(e["typeId"]) for e in labels if e.get("label") == label)


def _agrees(undone: pd.DataFrame, sb: Sandbox) -> None:
    """Each row of an undo says what the sandbox shows: a success removed its type (or the
    pair), a success creation left it there; nothing failed."""
    now = _state(sb)
    assert not (undone["status"] == "failed").any(), undone
    for row in undone.itertuples(index=False):
        pair = {(a, f, b, t) for a, f, b, t, _ in now}
        key = (str(row.from_type), str(row.from_id), str(row.to_type), str(row.to_id))
        typed = None if pd.isna(row.type_id) else int(row.type_id)
        there = key in pair if typed is None else (*key, typed) in now
        if row.status == "success" and row.action == "archive":
            assert not there, row
        elif row.status == "success":
            assert there, row
        elif str(row.error_code) == "NOT_ASSOCIATED":
            assert not there, row


def test_a_pair_one_sync_added_and_the_next_removed_is_not_created(setting: Setting) -> None:
    sb, client, path = setting
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
    start = _state(sb)
    keep = (0, 0, None)
    first = _sync(_sheet([keep, (0, 1, "Champion")]), client, path)
    assert first["change"].tolist().count("add") == 1
    second = _sync(_sheet([keep]), client, path)
    assert "remove" in second["change"].tolist()
    undone = hf.undo(path, client, **KW)
    assert _state(sb) == start
    assert not (undone["status"] == "success").any()  # nothing to take back: net none
    assert (undone["status"] == "skipped").all()
    assert undone["error_message"].str.contains("nothing to take back").all()


def test_a_label_removed_then_added_back_with_another_is_restored(setting: Setting) -> None:
    """Sync 1 removes the pair's label, sync 2 gives the pair another one: the undo takes the
    new label away and creates the old one again."""
    sb, client, path = setting
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], _type_of(sb, "Decision maker"))
    start = _state(sb)
    _sync(_sheet([(0, 0, None)]), client, path)
    _sync(_sheet([(0, 0, "Champion")]), client, path)
    undone = hf.undo(path, client, **KW)
    assert _state(sb) == start
    _agrees(undone, sb)


def test_a_pair_removed_whole_then_added_back_gets_every_type_again(setting: Setting) -> None:
    sb, client, path = setting
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[1], _type_of(sb, "Champion"))
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[1], _type_of(sb, "Decision maker"))
    start = _state(sb)
    _sync(_sheet([(0, None, None)]), client, path)  # the deal has no contacts: removed whole
    hf.associate(_sheet([(0, 1, None)]), client, journal=path, **KW)  # the link comes back
    undone = hf.undo(path, client, **KW)
    assert _state(sb) == start
    _agrees(undone, sb)


def test_an_undo_of_a_syncs_table_keeps_its_removals_taken_back(setting: Setting) -> None:
    """The sync removes a pair with its label, its table's undo creates it again, the pair is
    then removed by hand: an undo from the journal leaves it removed."""
    sb, client, path = setting
    label = _type_of(sb, "Decision maker")
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[1], label)
    run = _sync(_sheet([(0, 0, None)]), client, path)
    assert (run.loc[run["change"] == "remove", "status"] == "success").all()
    assert (hf.undo(run, client, **KW).loc[run["change"] == "remove", "status"] == "success").all()
    hf.remove_associations(_sheet([(0, 1, None)]), client, **KW)  # by hand, no journal
    by_hand = _state(sb)
    again = hf.undo(path, client, **KW)
    assert _state(sb) == by_hand
    assert not (again["status"] == "success").any()


def test_a_syncs_label_removal_taken_back_by_its_table_is_left_alone(setting: Setting) -> None:
    """The label alone removed (the link kept), its table's undo puts it back, the label is
    removed by hand: the journal's undo does not create it again."""
    sb, client, path = setting
    label = _type_of(sb, "Decision maker")
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], label)
    run = _sync(_sheet([(0, 0, None)]), client, path)
    assert (hf.undo(run, client, **KW)["status"] != "failed").all()
    hf.remove_associations(_sheet([(0, 0, "Decision maker")]), client, **KW)
    by_hand = _state(sb)
    hf.undo(path, client, **KW)
    assert _state(sb) == by_hand


def test_a_tables_undo_takes_back_its_own_runs_removal_not_an_earlier_ones(
    setting: Setting,
) -> None:
    """Sync 1 removes a pair, a run links it again, sync 2 removes it again and its table is
    undone: the journal still holds sync 1's removal, and its undo creates the pair's label
    again.  Before, the table's undo hid every earlier removal of the pair too."""
    sb, client, path = setting
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[1], _type_of(sb, "Champion"))
    start = _state(sb)
    _sync(_sheet([(0, None, None)]), client, path)
    hf.associate(_sheet([(0, 1, None)]), client, journal=path, **KW)
    hf.undo(_sync(_sheet([(0, None, None)]), client, path), client, **KW)
    undone = hf.undo(path, client, **KW)
    assert _state(sb) == start
    _agrees(undone, sb)


@pytest.mark.parametrize("again", [False, True])
def test_a_pair_added_one_way_and_removed_the_other_is_not_created(
    setting: Setting, again: bool
) -> None:
    """Sync 1 links deal and contact (deals to contacts), sync 2 of the contact's sheet
    (contacts to deals) removes the pair; ``again``: an associate of the deal links it once
    more.  The journal's undo leaves the two records unlinked, as before sync 1."""
    sb, client, path = setting
    start = _state(sb)
    _sync(_sheet([(0, 2, "Champion")]), client, path)
    mine = pd.DataFrame(
        {"from_type": ["contacts"], "from_id": [CONTACTS[2]], "to_type": ["deals"], "to_id": [None]}
    )
    assert (_sync(mine, client, path)["change"] == "remove").any()
    if again:
        hf.associate(_sheet([(0, 2, "Decision maker")]), client, journal=path, **KW)
    undone = hf.undo(path, client, **KW)
    assert _state(sb) == start
    _agrees(undone, sb)
    assert (undone["status"] == "success").any() == again


def test_tables_undone_in_reverse_then_the_journal_changes_nothing(setting: Setting) -> None:
    sb, client, path = setting
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
    start = _state(sb)
    runs = [
        _sync(_sheet([(0, 0, None), (0, 1, "Champion")]), client, path),
        _sync(_sheet([(0, 0, None)]), client, path),
    ]
    for run in reversed(runs):
        hf.undo(run, client, **KW)
    assert _state(sb) == start
    hf.undo(path, client, **KW)
    assert _state(sb) == start


def _random_rows(rng: random.Random, deals: list[int]) -> list[tuple[int, int | None, str | None]]:
    rows: list[tuple[int, int | None, str | None]] = []
    for d in deals:
        picked = rng.sample(range(len(CONTACTS)), rng.randint(0, 3))
        rows += [(d, c, rng.choice([None, *LABELS])) for c in picked]
        if not picked:
            rows.append((d, None, None))
    return rows


def _applied(result: pd.DataFrame) -> list[tuple[int, int]]:
    done = result[(result["status"] == "success") & result["to_id"].notna()]
    return sorted(
        {
            (DEALS.index(str(f)), CONTACTS.index(str(t)))
            for f, t in zip(done["from_id"], done["to_id"], strict=True)
            if str(f) in DEALS and str(t) in CONTACTS
        }
    )


@pytest.mark.parametrize("seed", seeds(6))
def test_any_sequence_of_runs_on_one_journal_is_undone_to_the_start(
    setting: Setting, seed: int
) -> None:
    """Seeded sequences of 2-4 syncs, associates and removes (of pairs an earlier run
    applied a row of, its table not undone: a remove run records no reading of its own, so
    the journal knows what a pair held only from a run before it) on one journal, some
    result tables undone right after their run; then an undo from the journal: the portal,
    every direction and type, is as before the first run, and each undo row agrees with it."""
    sb, client, path = setting
    rng = random.Random(seed)
    types = [None, _type_of(sb, LABELS[0]), _type_of(sb, LABELS[1])]
    for d in range(len(DEALS)):
        for c in rng.sample(range(len(CONTACTS)), 2):
            sb.associate("deals", DEALS[d], "contacts", CONTACTS[c], rng.choice(types))
    start = _state(sb)
    touched: list[tuple[int, int]] = []
    for _ in range(rng.randint(2, 4)):
        step = rng.random()
        deals = sorted(rng.sample(range(len(DEALS)), rng.randint(1, len(DEALS))))
        if step < 0.5:
            result = _sync(_sheet(_random_rows(rng, deals)), client, path)
        elif step < 0.8 or not touched:
            rows = [r for r in _random_rows(rng, deals) if r[1] is not None]
            if not rows:
                continue
            result = hf.associate(_sheet(rows), client, journal=path, **KW)
        else:
            pick = rng.sample(touched, rng.randint(1, len(touched)))
            rows = [(d, c, rng.choice([None, *LABELS])) for d, c in pick]
            result = hf.remove_associations(_sheet(rows), client, journal=path, **KW)
        if rng.random() < 0.3 and "existed_before" in result:
            hf.undo(result, client, **KW)  # its rows are no longer the journal's
        else:
            touched = sorted(set(touched) | set(_applied(result)))
    undone = hf.undo(path, client, **KW)
    assert _state(sb) == start
    _agrees(undone, sb)


# --- the net change of one pair, as a property of its rows ----------------------------------

UNLABELED, TYPES = 3, (3, 1001, 1003)
Op = tuple[str, int | None]  # (action, type id)
_OPS = st.sampled_from(
    [
        ("associate", 1001),
        ("associate", 1003),
        ("associate_default", None),
        ("archive_labels", 1001),
        ("archive_labels", 1003),
        ("archive", None),
    ]
)


def _apply(held: set[int], op: Op) -> set[int]:
    """What HubSpot does to a pair's types: a label made on a pair with none links it too."""
    action, type_id = op
    if action == "associate":
        return held | {int(type_id or 0)} | (set() if held else {UNLABELED})
    if action == "associate_default":
        return held | {UNLABELED}
    if action == "archive_labels":
        return held - {type_id}
    return set()


def _undo_in_model(rows: list[NetRow], held: set[int]) -> set[int]:
    """What the undo of a journal's frame rows does to the pair (removals first)."""
    items = []
    for row, note in rows:
        for split in [row] if note is not None else _each_type(row):
            cells = {
                "action": split.action,
                "from_type": "deals",
                "to_type": "contacts",
                "from_id": "1",
                "to_id": "2",
                "category": split.category,
                "type_id": split.type_id,
                "label": None,
                "status": "failed" if split.maybe else "success",
                "error_code": "UNKNOWN_OUTCOME" if split.maybe else None,
                "existed_before": _existed(split),
                "linked_before": bool(split.before),
                "primary_before": None,
            }
            found = _undo_row(0, cells) if note is None else None
            if isinstance(found, WorkItem):
                items.append(found)
    for item in sorted(items, key=lambda i: i.action not in ("archive", "archive_labels")):
        if item.action == "archive":
            held = set()
        elif item.action == "archive_labels":
            held = held - {item.type_id}
        else:
            type_id = UNLABELED if item.type_id is None else item.type_id
            held = _apply(held, ("associate", type_id))
    return held


@settings(max_examples=examples(300), deadline=None)
@given(
    start=st.sets(st.sampled_from(TYPES)),
    runs=st.lists(st.tuples(_OPS, st.booleans(), st.booleans()), min_size=2, max_size=5),
)
def test_the_net_rows_of_a_pair_put_it_back_as_before_the_first_run(
    start: set[int], runs: list[tuple[Op, bool, bool]]
) -> None:
    """Runs (one row each; some of unknown outcome, applied or not) change one pair; the undo
    of the rows :func:`net_rows` gives leaves it as before the first run, every type."""
    if start and UNLABELED not in start:
        start = start | {UNLABELED}  # a linked pair lists its unlabeled type
    held, steps, rows = set(start), [], {}
    for run, (op, maybe, applied) in enumerate(runs, 1):
        action, type_id = op
        category = None if type_id is None else "USER_DEFINED"
        key = (action, "deals", "contacts", "1", "2", category, type_id)
        steps.append(JournalStep(key, run, maybe, frozenset(held)))
        if key not in rows:
            rows[key] = JournalRow(*key, before=frozenset(held), maybe=maybe)
        elif not maybe:
            rows[key] = replace(rows[key], maybe=False)
        if applied or not maybe:
            held = _apply(held, op)
    undone = _undo_in_model(net_rows(list(rows.values()), steps), held)
    assert undone == start
