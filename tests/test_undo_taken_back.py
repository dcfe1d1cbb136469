"""An undo from a journal leaves alone what an undo of a run's result table took back.

Before, undoing a journaled run's result table ended the journal's runs but the journal still
listed their rows: an undo from the journal afterwards took them back again, and a link made
again by hand in between (on a pair with nothing before the run) was removed and reported
``success``.  The journal now keeps the rows an undo took back (or found gone); a later run
that sends such a row again makes it the journal's to take back again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_journal_between import deals_and_contacts

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

DEALS = [str(5_300_000_001 + i) for i in range(6)]
CONTACTS = [str(6_300_000_001 + i) for i in range(6)]
KW = {"progress": False}

Setting = tuple[Sandbox, HubSpotClient, Path]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb, client = deals_and_contacts(sandbox_factory, DEALS, CONTACTS, "Decision maker")
    return sb, client, tmp_path / "run.sqlite"


def _sheet(rows: range, label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Deal ID": [DEALS[n] for n in rows],
            "Contact ID": [CONTACTS[n] for n in rows],
            "Association label": [label] * len(rows),
        }
    )


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    return set(zip(found["from_id"].astype(str), found["to_id"].astype(str), strict=True))


def _by_hand(sb: Sandbox, n: int) -> None:
    sb.associate("deals", DEALS[n], "contacts", CONTACTS[n])


@pytest.mark.parametrize("label", ["", "Decision maker"])
def test_a_link_made_again_after_its_tables_undo_is_kept_by_the_journals(
    setting: Setting, label: str
) -> None:
    sb, client, path = setting
    run = hf.associate(_sheet(range(3), label), client, journal=path, **KW)
    assert (run["status"] == "success").all()
    assert (hf.undo(run, client, **KW)["status"] == "success").all()
    _by_hand(sb, 1)
    again = hf.undo(path, client, **KW)
    assert (DEALS[1], CONTACTS[1]) in _linked(sb)
    assert not (again["status"] == "success").any()  # nothing of the run was left to take back


def test_rows_the_tables_undo_left_out_are_still_the_journals(setting: Setting) -> None:
    """An undo of part of the table (rows filtered out, or failed): the rest stays for an undo
    from the journal, and the rows taken back do not."""
    sb, client, path = setting
    run = hf.associate(_sheet(range(4), ""), client, journal=path, **KW)
    hf.undo(run.iloc[:2], client, **KW)
    _by_hand(sb, 0)
    hf.undo(path, client, **KW)
    assert _linked(sb) == {(DEALS[0], CONTACTS[0])}  # rows 2 and 3 taken back, 0 kept


def test_a_row_sent_again_after_an_undo_is_the_journals_again(setting: Setting) -> None:
    sb, client, path = setting
    first = hf.associate(_sheet(range(2), ""), client, journal=path, **KW)
    hf.undo(first, client, **KW)
    assert _linked(sb) == set()
    hf.associate(_sheet(range(2), ""), client, journal=path, **KW)
    assert len(_linked(sb)) == 2
    hf.undo(path, client, **KW)
    assert _linked(sb) == set()  # the later run's links taken back


def test_a_row_found_gone_by_the_tables_undo_is_not_taken_back_later(setting: Setting) -> None:
    """A link removed by hand before the table's undo (found gone: NOT_ASSOCIATED), then made
    again by hand: the journal's undo leaves it."""
    sb, client, path = setting
    run = hf.associate(_sheet(range(2), ""), client, journal=path, **KW)
    removed = hf.remove_associations(_sheet(range(1), ""), client, **KW)  # by hand, no journal
    assert (removed["status"] == "success").all()
    undone = hf.undo(run, client, **KW)
    assert undone["error_code"].tolist()[0] == "NOT_ASSOCIATED"
    _by_hand(sb, 0)
    hf.undo(path, client, **KW)
    assert _linked(sb) == {(DEALS[0], CONTACTS[0])}


@pytest.mark.parametrize("seed", range(4))
def test_any_sequence_of_runs_and_table_undos_then_the_journals_undo(
    setting: Setting, seed: int
) -> None:
    """Seeded sequences of journaled runs of overlapping sheets, undos of some of their result
    tables (some rows only), and links made again by hand after a table's undo took them
    back; then an undo from the journal.  It takes back exactly the links a run made that no
    table undo took back since, and keeps the links made by hand."""
    sb, client, path = setting
    rng = random.Random(seed)
    owner: dict[int, str] = {}  # pair -> who made its link now there: "run" or "hand"
    results: list[pd.DataFrame] = []
    for _ in range(6):
        step = rng.random()
        if step < 0.45 or not results:
            start = rng.randrange(0, 5)
            rows = range(start, min(6, start + rng.randrange(1, 4)))
            results.append(hf.associate(_sheet(rows, ""), client, journal=path, **KW))
            owner.update({n: owner.get(n, "run") for n in rows})
        elif step < 0.8:
            table = rng.choice(results)
            part = table.iloc[
                sorted(rng.sample(range(len(table)), rng.randrange(1, len(table) + 1)))
            ]
            undone = hf.undo(part, client, **KW)
            for n, status in zip(part["Deal ID"].map(DEALS.index), undone["status"], strict=True):
                if status == "success":
                    owner.pop(n)
        else:
            free = [n for n in range(6) if n not in owner]
            if free:
                n = rng.choice(free)
                _by_hand(sb, n)
                owner[n] = "hand"
        assert _linked(sb) == {(DEALS[n], CONTACTS[n]) for n in owner}, (seed, owner)
    hf.undo(path, client, **KW)
    kept = {(DEALS[n], CONTACTS[n]) for n, who in owner.items() if who == "hand"}
    assert _linked(sb) == kept, (seed, owner)
