"""A sync resumed from its journal after the sheet was edited still leaves the portal equal
to the sheet, and its undo restores the portal as it was before the first run.

A resumed sync plans from its journal's memory of the portal before the first, interrupted
run, so it plans the same changes.  When the analyst edited the sheet in between, the memory
alone misled: a pair the first run removed and the sheet lists again was reported "Kept:
already in the portal" and not sent (the portal then lacked it), and a pair the first run
added and the sheet no longer lists was left in place.  Now what the portal holds now is
compared too: the first is added again (``existed_before`` as the memory says), the second
removed (not ``existed_before``: undo does not create it again).

Seeded: a portal of six deals, a first sheet and an edit of it drawn at random, the first run
cancelled after a random number of batches.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[:6]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:10]]
LABELS = [None, None, "Budget holder", "Champion"]  # labels the demo portal does not limit
Entry = tuple[str, str, str | None]


def _portal_entries(sb: Sandbox) -> set[tuple[str, str, int]]:
    table = sb.associations("deals", "contacts")
    table = table.loc[table["from_id"].isin(DEALS)]
    return set(zip(table["from_id"], table["to_id"], table["type_id"].astype(int), strict=True))


def _sheet(rng: random.Random) -> pd.DataFrame:
    """Each deal with one to three contacts, labeled or not."""
    rows = [
        (deal, contact, rng.choice(LABELS))
        for deal in DEALS
        for contact in rng.sample(CONTACTS, rng.randint(1, 3))
    ]
    return pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])


def _edit(rng: random.Random, sheet: pd.DataFrame) -> pd.DataFrame:
    """Rows dropped (each deal keeps one), labels changed, rows added."""
    out = []
    for _, rows in sheet.groupby("Deal ID", sort=False):
        keep = rows.sample(n=rng.randint(1, len(rows)), random_state=rng.randrange(2**31))
        out.append(keep)
    edited = pd.concat(out, ignore_index=True)
    for pos in range(len(edited)):
        if rng.random() < 0.3:
            edited.loc[pos, "Association label"] = rng.choice(LABELS)
    extra = [(rng.choice(DEALS), rng.choice(CONTACTS), rng.choice(LABELS)) for _ in range(3)]
    edited = pd.concat([edited, pd.DataFrame(extra, columns=edited.columns)], ignore_index=True)
    return edited.drop_duplicates(["Deal ID", "Contact ID"], keep="first").reset_index(drop=True)


def _wanted(sb: Sandbox, sheet: pd.DataFrame) -> set[tuple[str, str, int]]:
    """The entries the portal holds once synced to the sheet: each pair's link, and its label."""
    out: set[tuple[str, str, int]] = set()
    for deal, contact, label in sheet.itertuples(index=False):
        out.add((str(deal), str(contact), 3))
        if isinstance(label, str):
            out.add((str(deal), str(contact), sb.type_id("deals", "contacts", label)))
    return out


@pytest.mark.parametrize("seed", seeds(8))
def test_a_resumed_sync_of_an_edited_sheet_ends_as_the_sheet(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    path = tmp_path / "sync.sqlite"
    with Sandbox(seed="demo") as sb:
        for deal in DEALS:
            for contact in rng.sample(CONTACTS, rng.randint(0, 3)):
                sb.associate("deals", deal, "contacts", contact)
        client = client_for(sb)
        start = _portal_entries(sb)
        first, cancel, stop_after = _sheet(rng), threading.Event(), rng.randint(1, 6)
        progress: list[int] = []

        def tick(rows: int) -> None:
            progress.append(rows)
            if len(progress) >= stop_after:
                cancel.set()

        options = {"allow_removals": True, "max_removals": 1000, "progress": False}
        hf.sync(
            first, client, journal=path, batch_size=1, cancel=cancel, on_progress=tick, **options
        )
        second = _edit(rng, first)
        result = hf.sync(second, client, journal=path, **options)
        assert _portal_entries(sb) == _wanted(sb, second), result
        assert not (result["status"] == "failed").any(), result
        hf.undo(path, client, progress=False)
        assert _portal_entries(sb) == start


@pytest.mark.parametrize("seed", seeds(10))
def test_what_someone_else_adds_between_the_runs_is_never_lost(seed: int, tmp_path: Path) -> None:
    """Between the stopped sync and its resume, a colleague adds labels (and links) to pairs
    of the scope.  The resumed sync removed those the sheet does not list on pairs the stopped
    run had sent, as if that run had added them (not ``existed_before``): an undo then left
    them removed, for good.  Such a removal is held now (REMOVAL_HELD, dry run and real), and
    an undo from the journal leaves the portal as it was before the first run plus what the
    colleague added."""
    rng = random.Random(seed)
    path = tmp_path / "sync.sqlite"
    with Sandbox(seed="demo") as sb:
        for deal in DEALS:
            for contact in rng.sample(CONTACTS, rng.randint(1, 3)):
                sb.associate("deals", deal, "contacts", contact)
                if rng.random() < 0.5:
                    sb.associate(
                        "deals",
                        deal,
                        "contacts",
                        contact,
                        sb.type_id("deals", "contacts", "Champion"),
                    )
        client = client_for(sb)
        start = _portal_entries(sb)
        first, cancel, stop_after = _sheet(rng), threading.Event(), rng.randint(1, 6)
        progress: list[int] = []

        def tick(rows: int) -> None:
            progress.append(rows)
            if len(progress) >= stop_after:
                cancel.set()

        options = {"allow_removals": True, "max_removals": 1000, "progress": False}
        hf.sync(
            first, client, journal=path, batch_size=1, cancel=cancel, on_progress=tick, **options
        )
        linked = sorted({(f, t) for f, t, _ in _portal_entries(sb)})
        theirs: set[tuple[str, str, int]] = set()
        for deal, contact in rng.sample(linked, min(len(linked), rng.randint(1, 4))):
            type_id = sb.type_id("deals", "contacts", rng.choice(["Budget holder", "Champion"]))
            if (deal, contact, type_id) not in _portal_entries(sb):
                sb.associate("deals", deal, "contacts", contact, type_id)
                theirs.add((deal, contact, type_id))
        second = first if rng.random() < 0.5 else _edit(rng, first)
        planned = hf.sync(second, client, journal=path, dry_run=True, **options)
        result = hf.sync(second, client, journal=path, **options)
        dry = ["success" if s == "planned" else s for s in planned["status"]]
        assert dry == result["status"].tolist(), (planned, result)
        assert planned["error_code"].tolist() == result["error_code"].tolist()
        assert not (result["status"] == "failed").any(), result
        hf.undo(path, client, progress=False)
        assert _portal_entries(sb) == start | theirs, (start, theirs, result)


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_a_label_a_colleague_adds_to_a_pair_the_stopped_run_sent_is_held(
    version: str, tmp_path: Path
) -> None:
    """The sheet keeps deal D with contacts C1 and C2 unlabeled; the stopped sync removed
    C1's Champion; a colleague then gives (D, C1) 'Budget holder'.  The resume removed it as
    its own (existed_before False) and no undo gave it back."""
    deal, c1, c2 = DEALS[5], CONTACTS[8], CONTACTS[9]
    path = tmp_path / "sync.sqlite"
    sheet = pd.DataFrame(
        {"Deal ID": [deal, deal], "Contact ID": [c1, c2], "Association label": [None, None]}
    )
    options = {"allow_removals": True, "progress": False}
    with Sandbox(seed="demo") as sb:
        champion = sb.type_id("deals", "contacts", "Champion")
        for contact in (c1, c2):
            sb.associate("deals", deal, "contacts", contact, champion)
        start = _portal_entries(sb)
        client = client_for(sb, version)
        cancel = threading.Event()
        _one_row_a_batch(sheet, client, path, cancel, lambda _: cancel.set(), **options)
        budget = sb.type_id("deals", "contacts", "Budget holder")
        sb.associate("deals", deal, "contacts", c1, budget)
        planned = hf.sync(sheet, client, journal=path, dry_run=True, **options)
        done = hf.sync(sheet, client, journal=path, **options)
        held = done.loc[done["label"].eq("Budget holder")]
        assert held["error_code"].tolist() == ["REMOVAL_HELD"], done
        assert "added since the stopped run" in held["error_message"].iloc[0]
        assert planned["error_code"].tolist() == done["error_code"].tolist()
        assert (deal, c1, budget) in _portal_entries(sb)
        hf.undo(path, client, progress=False)
        assert _portal_entries(sb) == start | {(deal, c1, budget)}


def _label_then_other_contact() -> tuple[str, str, pd.DataFrame, pd.DataFrame]:
    """(deal, contact, first sheet, second sheet): the first gives the deal and the contact,
    pairs the demo portal has not linked, a label (and another deal another); the second
    lists the deal with another contact only."""
    deal, gone, kept = DEALS[0], CONTACTS[4], CONTACTS[5]
    first = pd.DataFrame(
        [(deal, gone, "Budget holder"), (DEALS[1], CONTACTS[6], "Champion")],
        columns=["Deal ID", "Contact ID", "Association label"],
    )
    return deal, gone, first, pd.DataFrame([(deal, kept, None)], columns=first.columns)


def _one_row_a_batch(
    sheet: pd.DataFrame,
    client: hf.HubSpotClient,
    path: Path,
    cancel: threading.Event,
    on_progress: Callable[[int], None],
    **options: Any,
) -> pd.DataFrame:
    """A journaled sync of ``sheet``, a row a batch on one worker, ``on_progress`` may stop."""
    options.setdefault("progress", False)
    return hf.sync(
        sheet,
        client,
        journal=path,
        batch_size=1,
        workers=1,
        cancel=cancel,
        on_progress=on_progress,
        **options,
    )


def test_the_link_a_stopped_syncs_label_brought_is_removed_with_it(tmp_path: Path) -> None:
    """A stopped sync added a label to a pair that had no link: HubSpot links the pair with its
    plain (unlabeled) type too.  Its resume, from a sheet that no longer lists the pair, removed
    the label but held the plain link as "added ... not by it (by someone else?)"
    (REMOVAL_HELD): the portal kept a pair the sheet does not list (seed 21015 of a campaign)."""
    path = tmp_path / "sync.sqlite"
    deal, gone, first, second = _label_then_other_contact()
    options = {"allow_removals": True, "max_removals": 1000, "progress": False}
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        start = _portal_entries(sb)
        cancel = threading.Event()

        def labeled(rows: int) -> None:  # stop once the label is in
            if any((d, c) == (deal, gone) for d, c, _ in _portal_entries(sb)):
                cancel.set()

        stopped = _one_row_a_batch(first, client, path, cancel, labeled, **options)
        assert list(stopped["status"].iloc[:2]) == ["success", "skipped"], stopped
        held = {(c, k) for d, c, k in _portal_entries(sb) if d == deal}
        assert {c for c, _ in held if c == gone} == {gone} and len(held & {(gone, 3)}) == 1
        result = hf.sync(second, client, journal=path, **options)
        now = {e for e in _portal_entries(sb) if e[0] == deal}
        assert now == _wanted(sb, second), result  # the sheet's one row, nothing of `gone`
        assert not result["error_code"].eq("REMOVAL_HELD").any(), result
        hf.undo(path, client, progress=False)
        assert _portal_entries(sb) == start


def test_a_link_a_colleague_makes_where_a_stopped_syncs_label_never_landed_is_held(
    tmp_path: Path,
) -> None:
    """A stopped sync sent a label to an unlinked pair and never learned the outcome (the
    connection reset, and the pair was not there when looked for again: UNKNOWN_OUTCOME); a
    colleague then linked the pair.  The resume, from a sheet that no longer lists the pair,
    took the link for one the stopped run's label brought and removed it: a colleague's work
    lost.  A label's link counts as the run's only where the label is in the portal now; the
    colleague's link is held (REMOVAL_HELD), and the undo of both runs keeps it too."""
    path = tmp_path / "sync.sqlite"
    deal, gone, first, second = _label_then_other_contact()
    with Sandbox(seed="demo", faults={"reset_rate": 1.0, "writes_only": True}) as sb:
        client = client_for(sb, max_retries=0)
        cancel = threading.Event()
        stopped = _one_row_a_batch(first, client, path, cancel, lambda rows: cancel.set())
        assert stopped["error_code"].tolist() == ["UNKNOWN_OUTCOME", "CANCELLED"], stopped
        sb.set_faults()
        sb.associate("deals", deal, "contacts", gone)  # the colleague's
        theirs = (deal, gone, sb.type_id("deals", "contacts", None))
        options = {"allow_removals": True, "max_removals": 1000, "progress": False}
        result = hf.sync(second, client, journal=path, **options)
        assert theirs in _portal_entries(sb), result
        held = result[result["to_id"] == gone]
        assert held["error_code"].tolist() == ["REMOVAL_HELD"], result
        undone = hf.undo(path, client, progress=False)  # the label never landed: theirs stays
        assert theirs in _portal_entries(sb), undone
