"""An undo from the journal takes back a run that went by another open run's reading of its pairs.

Sheet B was stopped (killed, Ctrl-C'd, or still running in another process) after it read the
portal and sent some batches; sheet A, sharing B's pairs with other labels (the analyst's
corrected copy), then ran to the end with the same journal.  A took B's reading of the pairs B
had sent (what they held before B; ``Journal.existing(current=True)``) and did not read them
again, but re-used none of B's batches (their digests differ), so nothing tied A to that
reading: ``hubframe undo run.sqlite`` found no reading for A's rows on those pairs and skipped
them ``NOT_UNDOABLE`` ("the run did not record whether this association existed before it"),
leaving A's links and labels in the portal.  A run now records the readings it takes from
another run as its own.

Against a sandbox over HTTP; a run stopped by its ``cancel`` event stands in for a killed one
(both leave the run open); "overlap" holds B in the middle of its sending while A runs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(7_300_000_001 + i) for i in range(5)]
CONTACTS = [str(8_300_000_001 + i) for i in range(2)]
PAIRS = [(d, c) for d in DEALS for c in CONTACTS]  # 10 pairs
ONE_BY_ONE: dict[str, Any] = {"progress": False, "batch_size": 1, "workers": 1}
LABELS = ("Champion", "Decision maker", "")


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("contacts", CONTACTS)
        sb.add_label("deals", "contacts", "Champion")
        sb.add_label("deals", "contacts", "Decision maker")
        yield sb


def held(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    types = found["type_id"].astype(int)
    return set(zip(found["from_id"], found["to_id"], types, strict=True))


def sheet(pairs: list[tuple[str, str]], labels: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "Deal ID": [p[0] for p in pairs],
            "Contact ID": [p[1] for p in pairs],
            "Association label": labels,
        }
    )
    return hf.read_pairs(frame, from_type="deals", to_type="contacts")


def sheets() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sheet B: every other pair; sheet A: every pair, B's with another label."""
    b_pairs = PAIRS[::2]
    b_labels = [LABELS[n % 3] for n in range(len(b_pairs))]
    a_labels = [LABELS[(n // 2 + 1) % 3] if n % 2 == 0 else LABELS[n % 3] for n in range(10)]
    return sheet(b_pairs, b_labels), sheet(PAIRS, a_labels)


def set_up(sb: Sandbox, before: str) -> None:
    """What some of the shared pairs held before either run: nothing, a plain link, a label."""
    if before == "plain":
        sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
        sb.associate("deals", DEALS[2], "contacts", CONTACTS[0])
    elif before == "label":
        champion = sb.type_id("deals", "contacts", "Champion")
        sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
        sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], champion)
        sb.associate("deals", DEALS[1], "contacts", CONTACTS[0])


def run_b(
    b: pd.DataFrame, client: hf.HubSpotClient, journal: Path, hold: threading.Event | None
) -> pd.DataFrame:
    """Sheet B, stopped after its first two batches (``hold``: held there until it is set)."""
    cancel = threading.Event()
    done = [0]

    def progress(rows: int) -> None:
        done[0] += rows
        if done[0] >= 2:
            if hold is not None:
                hold.wait(60)
            cancel.set()

    return hf.associate(
        b, client, journal=journal, cancel=cancel, on_progress=progress, **ONE_BY_ONE
    )


def run_a_beside_b(
    sb: Sandbox,
    a: pd.DataFrame,
    b: pd.DataFrame,
    client: hf.HubSpotClient,
    journal: Path,
    mode: str,
    **a_options: Any,
) -> pd.DataFrame:
    """Sheet A run to the end while B is stopped (``seq``) or held mid-run (``overlap``)."""
    if mode == "seq":
        stopped = run_b(b, client, journal, None)
        assert "success" in set(stopped["status"]) and "skipped" in set(stopped["status"])
        return hf.associate(a, client, journal=journal, **a_options, **ONE_BY_ONE)
    hold, results = threading.Event(), []
    b_client = client_for(sb)  # a client of its own, as another process has
    thread = threading.Thread(target=lambda: results.append(run_b(b, b_client, journal, hold)))
    thread.start()
    try:
        while not _b_sent(journal):
            thread.join(0.02)
            assert thread.is_alive(), "sheet B ended before it sent a batch"
        result = hf.associate(a, client, journal=journal, **a_options, **ONE_BY_ONE)
    finally:
        hold.set()
        thread.join(60)
    assert results and "success" in set(results[0]["status"])
    return result


def _b_sent(journal: Path) -> bool:
    """Whether the first run's first batch is recorded."""
    if not journal.exists():
        return False
    with Journal(journal) as opened:
        return bool(opened._db.execute("SELECT COUNT(*) FROM batches").fetchone()[0])


@pytest.mark.parametrize("before", ["none", "plain", "label"])
@pytest.mark.parametrize("mode", ["seq", "overlap"])
@pytest.mark.parametrize("preflight", [False, True])
def test_an_undo_from_the_journal_takes_back_a_run_that_used_another_runs_reading(
    portal: Sandbox, tmp_path: Path, before: str, mode: str, preflight: bool
) -> None:
    set_up(portal, before)
    start = held(portal)
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    b, a = sheets()
    result = run_a_beside_b(portal, a, b, client, journal, mode, preflight=preflight)
    assert result["status"].tolist() == ["success"] * len(a), result
    undone = hf.undo(journal, client, **ONE_BY_ONE)
    assert "NOT_UNDOABLE" not in set(undone["error_code"].dropna()), undone[
        ["from_id", "to_id", "type_id", "status", "error_message"]
    ]
    assert held(portal) == start


@pytest.mark.parametrize("mode", ["seq", "overlap"])
def test_the_stopped_run_resumed_after_the_other_sheet_is_undone_exactly(
    portal: Sandbox, tmp_path: Path, mode: str
) -> None:
    """B resumed to the end after A (the two-process case): the undo from the journal takes
    back both sheets, and leaves the links made before them."""
    set_up(portal, "label")
    start = held(portal)
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    b, a = sheets()
    run_a_beside_b(portal, a, b, client, journal, mode)
    resumed = hf.associate(b, client, journal=journal, **ONE_BY_ONE)
    assert resumed["status"].tolist() == ["success"] * len(b)
    undone = hf.undo(journal, client, **ONE_BY_ONE)
    assert "NOT_UNDOABLE" not in set(undone["error_code"].dropna())
    assert held(portal) == start


def _drop_reading(journal: Path, pair: tuple[str, str]) -> None:
    """Leave ``pair`` out of every reading the journal holds (as a journal written before a
    run recorded the readings it took from another run lacks it)."""
    with Journal(journal) as opened:
        rows = opened._db.execute("SELECT rowid, from_ids, to_ids, linked FROM before").fetchall()
        for rowid, from_text, to_text, linked_text in rows:
            pairs = list(zip(from_text.split("\n"), to_text.split("\n"), strict=True))
            if pair not in pairs:
                continue
            at = pairs.index(pair)
            kept = [p for p in pairs if p != pair]
            linked = {int(n): t for n, t in json.loads(linked_text).items()}
            moved = {str(n - (n > at)): t for n, t in linked.items() if n != at}
            opened._db.execute(
                "UPDATE before SET size = ?, from_ids = ?, to_ids = ?, linked = ? WHERE rowid = ?",
                (
                    len(kept),
                    "\n".join(p[0] for p in kept),
                    "\n".join(p[1] for p in kept),
                    json.dumps(moved),
                    rowid,
                ),
            )


def test_not_undoable_says_whether_the_run_recorded_or_the_reading_is_missing(
    portal: Sandbox, tmp_path: Path
) -> None:
    """The message tells a run that recorded no reading at all (record_existing=False) from a
    reading the journal lacks for one pair of a run that recorded the others'."""
    client = client_for(portal)
    pairs = sheet(PAIRS[:2], ["", ""])
    unrecorded = tmp_path / "unrecorded.sqlite"
    hf.associate(pairs, client, journal=unrecorded, record_existing=False, **ONE_BY_ONE)
    undone = hf.undo(unrecorded, client, **ONE_BY_ONE)
    assert set(undone["error_code"]) == {"NOT_UNDOABLE"}
    assert all("did not record" in m for m in undone["error_message"])  # the cause, in words

    portal_pairs = sheet(PAIRS[2:4], ["", ""])
    lacking = tmp_path / "lacking.sqlite"
    hf.associate(portal_pairs, client, journal=lacking, **ONE_BY_ONE)
    _drop_reading(lacking, PAIRS[2])
    undone = hf.undo(lacking, client, **ONE_BY_ONE)
    assert undone["error_code"].tolist()[0] == "NOT_UNDOABLE"
    message = undone["error_message"].tolist()[0]
    assert "no reading" in message and "did not record" not in message, message
    assert undone["status"].tolist()[1] == "success"
