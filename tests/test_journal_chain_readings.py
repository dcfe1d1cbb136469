"""Over a chain of stopped and resumed runs of one sheet, a pair's ``existed_before`` (and what an
undo restores) is what the portal held before the chain first sent the pair.

Before, a resumed run took the first reading of a pair by the runs it resumed: run 1 read a pair
unlinked and was stopped before sending it, a colleague linked it by hand, run 2 read it linked
and sent it (no change: already there) before it was stopped too, and run 3 reported run 1's
reading (``existed_before`` False): the undo of its result table, or of its ``.xlsx`` or
``.csv`` report, removed the colleague's link and label.  The same when run 2 was killed with
the pair's batch out (kept as maybe applied, never sent).  A resumed run now takes, of each pair
the chain sent (or may have), the last reading taken before the chain first sent it.

Against a sandbox over HTTP; a run stopped by its ``cancel`` event stands in for a killed one
(both leave the run open, to be resumed).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds
from test_journal_kills_in_a_row import _run as run_in_child

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(7_500_000_001 + i) for i in range(6)]
CONTACTS = [str(8_500_000_001 + i) for i in range(4)]
PAIRS = [(d, c) for d in DEALS for c in CONTACTS]
ONE_BY_ONE: dict[str, Any] = {"progress": False, "batch_size": 1, "workers": 1}
LABELS = ("", "Champion", "Decision maker")
SOURCES = ("table", "report", "csv", "journal")
Pair = tuple[str, str]
Held = dict[Pair, frozenset[int]]


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("contacts", CONTACTS)
        sb.add_label("deals", "contacts", "Champion")
        sb.add_label("deals", "contacts", "Decision maker")
        yield sb


def held(sb: Sandbox) -> Held:
    """Each linked pair's type ids."""
    found = sb.associations("deals", "contacts")
    out: dict[Pair, set[int]] = {}
    for d, c, t in zip(found["from_id"], found["to_id"], found["type_id"], strict=True):
        out.setdefault((str(d), str(c)), set()).add(int(t))
    return {pair: frozenset(types) for pair, types in out.items()}


def sheet(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    columns = ["Deal ID", "Contact ID", "Association label"]
    return pd.DataFrame(rows, columns=columns)


def stopped_after(
    frame: pd.DataFrame, client: hf.HubSpotClient, journal: Path, batches: int
) -> pd.DataFrame:
    """A run of ``frame`` stopped once ``batches`` batches are done (re-used ones too); 0: run
    to the end."""
    cancel, done = threading.Event(), [0]

    def progress(_: int) -> None:
        done[0] += 1
        if batches and done[0] >= batches:
            cancel.set()

    return hf.associate(
        frame, client, journal=journal, cancel=cancel, on_progress=progress, **ONE_BY_ONE
    )


def undo_from(
    source: str, result: pd.DataFrame, client: hf.HubSpotClient, journal: Path, tmp: Path
) -> pd.DataFrame:
    """Undo the run of ``result`` from its table, its .xlsx or .csv report, or its journal."""
    if source in ("report", "csv"):
        path = tmp / ("r.xlsx" if source == "report" else "r.csv")
        hf.export_report(result, path)
        return hf.undo(path, client, progress=False)
    return hf.undo(result if source == "table" else journal, client, progress=False)


def link_by_hand(sb: Sandbox, pair: Pair, label: str) -> None:
    sb.associate("deals", pair[0], "contacts", pair[1])
    if label:
        sb.associate("deals", pair[0], "contacts", pair[1], sb.type_id("deals", "contacts", label))


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
@pytest.mark.parametrize("source", SOURCES)
def test_a_pair_linked_by_hand_then_sent_by_a_stopped_resume_is_left_by_the_undo(
    portal: Sandbox, tmp_path: Path, source: str
) -> None:
    """The tester's chain: run 1 sends row 1 and stops; rows 2-6 are linked by hand with the
    sheet's label; run 2 sends rows 2-3 (already there) and stops; run 3 finishes."""
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    rows = [(DEALS[i], CONTACTS[i % 4], "Champion") for i in range(6)]
    frame = sheet(rows)
    assert not held(portal)
    first = stopped_after(frame, client, journal, 1)
    assert first["status"].tolist()[:2] == ["success", "skipped"]
    for d, c, label in rows[1:]:
        link_by_hand(portal, (d, c), label)
    colleague = held(portal)
    second = stopped_after(frame, client, journal, 3)
    assert second["status"].tolist()[:4] == ["success"] * 3 + ["skipped"]
    third = stopped_after(frame, client, journal, 0)
    assert third["status"].tolist() == ["success"] * 6
    assert third["existed_before"].tolist() == [False] + [True] * 5
    undone = undo_from(source, third, client, journal, tmp_path)
    assert set(undone["status"]) <= {"success", "skipped"}, undone
    runs_own = (rows[0][0], rows[0][1])  # linked by run 1
    assert held(portal) == {p: t for p, t in colleague.items() if p != runs_own}


@pytest.mark.parametrize("source", ["table", "journal"])
def test_a_pair_linked_by_hand_whose_resume_was_killed_with_it_out_is_left_by_the_undo(
    portal: Sandbox, tmp_path: Path, source: str
) -> None:
    """Run 2 killed once it kept its batch of the pairs linked by hand as maybe applied,
    before sending it: the chain first (maybe) sent them after run 2 read them linked."""
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    rows = [(DEALS[i], CONTACTS[i % 4], "Champion") for i in range(6)]
    frame = sheet(rows)
    frame.to_csv(tmp_path / "pairs.csv", index=False)
    cancel = threading.Event()
    first = hf.associate(
        frame, client, journal=journal, cancel=cancel, on_progress=lambda _: cancel.set(),
        progress=False, batch_size=3, workers=1,
    )  # fmt: skip
    assert first["status"].tolist() == ["success"] * 3 + ["skipped"] * 3
    for d, c, label in rows[3:]:
        link_by_hand(portal, (d, c), label)
    colleague = held(portal)
    killed = {"where": "intend", "at": 1, "phase": "after"}
    assert run_in_child(portal, tmp_path, killed) is None
    assert held(portal) == colleague  # the batch never left
    third = hf.associate(frame, client, journal=journal, progress=False, batch_size=3)
    assert third["status"].tolist() == ["success"] * 6
    assert third["existed_before"].tolist() == [False] * 3 + [True] * 3
    undone = undo_from(source, third, client, journal, tmp_path)
    assert set(undone["status"]) <= {"success", "skipped"}, undone
    runs_own = {(d, c) for d, c, _ in rows[:3]}  # linked by run 1
    assert held(portal) == {p: t for p, t in colleague.items() if p not in runs_own}


# --- the property: any chain of 2-4 runs, hand-made changes between ---------------------------


def set_up(sb: Sandbox, rng: random.Random) -> list[tuple[str, str, str]]:
    """Some pairs linked before the first run (plainly, or with a label), and a sheet of eight
    rows (a pair sometimes twice, with another label)."""
    for pair in rng.sample(PAIRS, 6):
        link_by_hand(sb, pair, rng.choice(LABELS))
    pairs = rng.sample(PAIRS, 8)
    rows = [(d, c, rng.choice(LABELS)) for d, c in pairs]
    if rng.random() < 0.5:
        d, c, label = rows[0]
        other = rng.choice([x for x in LABELS if x != label])
        rows.insert(rng.randrange(1, len(rows)), (d, c, other))
    return rows


def by_hand(sb: Sandbox, client: hf.HubSpotClient, rng: random.Random, pair: Pair) -> None:
    """A colleague's change of one pair: linked (with a label or none), unlinked, or a label
    taken off and maybe another put on."""
    now = held(sb).get(pair, frozenset())
    labels = {sb.type_id("deals", "contacts", x): x for x in LABELS if x}
    on = [t for t in now if t in labels]
    how = rng.choice(["link", "unlink", "relabel"])
    if how == "link" or not now:
        link_by_hand(sb, pair, rng.choice(LABELS))
    elif how == "unlink":
        client.delete_associations("deals", pair[0], "contacts", pair[1])
    else:
        if on:
            label = {"associationCategory": "USER_DEFINED", "associationTypeId": rng.choice(on)}
            inputs = [{"from": {"id": pair[0]}, "to": {"id": pair[1]}, "types": [label]}]
            client.batch_archive_labels("deals", "contacts", inputs)
        if rng.random() < 0.7:
            link_by_hand(sb, pair, rng.choice([x for x in LABELS if x]))


def hand_changes(
    sb: Sandbox, client: hf.HubSpotClient, rng: random.Random, last: pd.DataFrame, sent: set[Pair]
) -> None:
    """One to four changes by hand of pairs no run of the chain sent yet: mostly the sheet's,
    those the next run sends first more often (the last run's result plans their batches)."""
    rows = last.sort_values("batch", kind="stable")
    unsent = [p for p in zip(rows["from_id"], rows["to_id"], strict=True) if p not in sent]
    others = [p for p in PAIRS if p not in sent]
    for _ in range(rng.randint(1, 4)):
        pool = unsent[:3] if rng.random() < 0.6 else unsent
        by_hand(sb, client, rng, rng.choice(pool if pool and rng.random() < 0.9 else others))


def check_before(result: pd.DataFrame, rows: list[Any], first: Held, sb: Sandbox) -> None:
    """Each row's ``existed_before`` and ``linked_before``: what its pair held before the chain
    first sent it."""
    for n, (d, c, label) in enumerate(rows):
        then = first[(d, c)]
        type_id = sb.type_id("deals", "contacts", label or None)
        assert bool(result["existed_before"].iloc[n]) is (type_id in then), (n, rows[n], then)
        assert bool(result["linked_before"].iloc[n]) is bool(then), (n, rows[n], then)


def run_chain(
    sb: Sandbox, rng: random.Random, rows: list[Any], journal: Path
) -> tuple[pd.DataFrame, Held, Held]:
    """2-4 runs of ``rows``, each but the last stopped after 1-3 new batches, with changes by
    hand between them: the last run's result, each pair as the run that first sent it found
    it, and the portal as it should be after an undo (as before the first run, with exactly
    the changes by hand)."""
    client = client_for(sb)
    sent: set[Pair] = set()
    first: Held = {}
    result = pd.DataFrame({"status": []})
    runs = rng.randint(2, 4)
    for n in range(runs):
        if n:
            hand_changes(sb, client, rng, result, sent)
        now, done_before = held(sb), int((result["status"] == "success").sum())
        stop = done_before + rng.randint(1, 3) if n < runs - 1 else 0  # re-used batches count
        result = stopped_after(sheet(rows), client, journal, stop)
        statuses = zip(rows, result["status"], strict=True)
        done = {(d, c) for (d, c, _), status in statuses if status == "success"}
        first.update({pair: now.get(pair, frozenset()) for pair in done - sent})
        sent |= done
        if stop and (result["status"] == "success").all():
            break  # its stop came at its last batch: it finished, and closed the chain
    expected = {pair: types for pair, types in held(sb).items() if pair not in first}
    expected.update({pair: then for pair, then in first.items() if then})
    return result, first, expected


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
@pytest.mark.parametrize("seed", seeds(12))
def test_any_chain_of_stopped_runs_undoes_to_the_portal_before_and_the_changes_by_hand(
    portal: Sandbox, tmp_path: Path, seed: int
) -> None:
    """2-4 runs of one sheet, each but the last stopped after 1-3 batches, with changes by hand
    of pairs the chain had not sent between them; after the last and an undo (from its table,
    .xlsx report, .csv report or journal, by the seed) the portal is as before the first run
    with exactly the changes by hand."""
    rng = random.Random(seed)
    journal = tmp_path / "run.sqlite"
    rows = set_up(portal, rng)
    result, first, expected = run_chain(portal, rng, rows, journal)
    assert result["status"].tolist() == ["success"] * len(rows)
    check_before(result, rows, first, portal)
    source = SOURCES[seed % len(SOURCES)]
    undone = undo_from(source, result, client_for(portal), journal, tmp_path)
    assert set(undone["status"]) <= {"success", "skipped", "duplicate"}, undone
    assert held(portal) == expected, (source, rows)
