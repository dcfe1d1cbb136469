"""A run killed one to three times in a row, then resumed to the end, reports and undoes exactly.

A run was taken for resuming an open one only when it re-used a batch that run recorded.  Run
1 killed after its first burst of batches was sent but before any answer was recorded, run 2
(the resume) killed once it had sent a batch: run 2 had re-used nothing, so run 3 closed run 1
as ``superseded`` (run 2 "changed its pairs"), read again the pairs only run 1 had sent, found
run 1's links there, and reported them ``existed_before`` TRUE; the undo of its report left
them.  A run now resumes the open runs whose reading of a pair it goes by, and those whose
rows it sends again.

Each run is a child process that SIGKILLs itself at the Nth call of a seeded
:class:`~hubframe.run.journal.Journal` method, against a sandbox served from this process.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_700_000_001 + i) for i in range(12)]
CONTACTS = [str(6_700_000_001 + i) for i in range(12)]
LABELS = ("", "Champion")
#: Journal methods a run is killed at, with the calls to kill at (the Nth call of it).
KILL_AT: dict[str, int] = {
    "begin_run": 1,
    "remember_before": 2,
    "lookup": 6,
    "intend": 6,
    "record": 6,
    "finish_run": 1,
}

_CHILD = """
import json, os, signal, sys
import pandas as pd
import hubframe as hf
from hubframe.run.journal import Journal

url, token, sheet, journal, out, spec, job = sys.argv[1:8]
kill = json.loads(spec)
if kill:
    original, calls = getattr(Journal, kill["where"]), [0]

    def dying(self, *args, **kwargs):
        calls[0] += 1
        hit = calls[0] == kill["at"]
        if hit and kill["phase"] == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        found = original(self, *args, **kwargs)
        if hit and kill["phase"] == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return found

    setattr(Journal, kill["where"], dying)
client = hf.HubSpotClient(token=token, base_url=url, backoff_base=0.01, backoff_cap=0.05)
frame = pd.read_csv(sheet, dtype=str, keep_default_na=False)
run = hf.remove_associations if job == "remove" else hf.associate
result = run(frame, client, journal=journal, progress=False, batch_size=3)
result.to_pickle(out)
"""


def _held(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    return set(zip(found["from_id"], found["to_id"], found["type_id"].astype(int), strict=True))


def _run(
    sb: Sandbox, tmp: Path, kill: dict[str, Any] | None, job: str = "associate"
) -> pd.DataFrame | None:
    """One ``job`` run (associate or remove) in a child process; its result table, None when
    it was killed."""
    out = tmp / "result.pkl"
    out.unlink(missing_ok=True)
    args = [sb.url, sb.token, str(tmp / "pairs.csv"), str(tmp / "run.sqlite"), str(out)]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args, json.dumps(kill or {}), job],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode == -signal.SIGKILL:
        return None
    assert done.returncode == 0, done.stderr[-2000:]
    return pd.read_pickle(out)


def _portal(sb: Sandbox, rng: random.Random) -> tuple[list[tuple[str, str, str]], set[Any]]:
    """A sheet of new pairs and some linked before (a plain link, or the row's label)."""
    champion = sb.type_id("deals", "contacts", "Champion")
    pairs = rng.sample([(d, c) for d in DEALS for c in CONTACTS], 30)
    rows = [(d, c, rng.choice(LABELS)) for d, c in pairs]
    for d, c, label in rows[:4]:
        sb.associate("deals", d, "contacts", c)
        if label and rng.random() < 0.5:
            sb.associate("deals", d, "contacts", c, champion)
    return rows, _held(sb)


def _kills(rng: random.Random, seed: int) -> list[dict[str, Any]]:
    """One to three kills in a row; seed 0 is the one the tester found (killed before the
    first answer was recorded, then just after the resume kept its first batch).  Never just
    after a run marked itself finished: that run ended, and the next is a new one (its
    ``existed_before`` says what the pairs held before it)."""
    if seed == 0:
        return [
            {"where": "record", "at": 1, "phase": "before"},
            {"where": "intend", "at": 1, "phase": "after"},
        ]
    kills = []
    for _ in range(rng.randint(1, 3)):
        where = rng.choice(sorted(KILL_AT))
        at = rng.randint(1, KILL_AT[where])
        phase = "before" if where == "finish_run" else rng.choice(["before", "after"])
        kills.append({"where": where, "at": at, "phase": phase})
    return kills


@pytest.mark.parametrize("seed", seeds(4))
def test_runs_killed_in_a_row_then_resumed_report_and_undo_exactly(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    sb = sandbox_factory(seed=None, latency=(0.1, 0.0))
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    sb.add_label("deals", "contacts", "Champion")
    rows, start = _portal(sb, rng)
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
    sheet.to_csv(tmp_path / "pairs.csv", index=False)
    kills = _kills(rng, seed)
    result = None
    for kill in kills:
        result = _run(sb, tmp_path, kill)
        if result is not None:  # it finished before the kill
            break
    result = _run(sb, tmp_path, None) if result is None else result
    assert result is not None

    assert result["from_id"].tolist() == sheet["Deal ID"].tolist(), kills
    assert result["to_id"].tolist() == sheet["Contact ID"].tolist(), kills
    assert result["status"].tolist() == ["success"] * len(sheet), (kills, result)
    champion = sb.type_id("deals", "contacts", "Champion")
    unlabeled = sb.type_id("deals", "contacts", None)
    linked = {(d, c) for d, c, _ in start}
    for row, (d, c, label) in enumerate(rows):
        wanted = (d, c, champion if label else unlabeled)
        found = result.iloc[row]
        assert bool(found["existed_before"]) is (wanted in start), (kills, row, wanted)
        assert bool(found["linked_before"]) is ((d, c) in linked), (kills, row, wanted)

    if rng.random() < 0.5:
        undone = hf.undo(result, client_for(sb), progress=False)
    else:
        undone = hf.undo(tmp_path / "run.sqlite", client_for(sb), progress=False)
    assert set(undone["status"]) <= {"success", "skipped"}, (kills, undone)
    assert _held(sb) == start, kills


@pytest.mark.parametrize("kills", [1, 2])
def test_a_removal_killed_in_a_row_then_resumed_reports_its_removals_done(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, kills: int
) -> None:
    """A remove run (which reads nothing before it sends) killed before any answer was
    recorded; then (``kills=2``) its resume killed once it kept its first batch; then resumed
    to the end: every row is ``success``, as the removals the killed runs made are.  Before,
    the resume reported them ``skipped`` ``NOT_ASSOCIATED`` ("already removed?"): a journal
    that had recorded no batch was taken for no journal; and after two kills the third run took
    the first for changed by its resume (``superseded``), as the associate runs above."""
    sb = sandbox_factory(seed=None, latency=(0.1, 0.0))
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    pairs = [(d, c) for d in DEALS[:4] for c in CONTACTS[:4]]
    for d, c in pairs:
        sb.associate("deals", d, "contacts", c)
    sheet = pd.DataFrame(pairs, columns=["Deal ID", "Contact ID"])
    sheet.to_csv(tmp_path / "pairs.csv", index=False)
    killed = [
        {"where": "record", "at": 1, "phase": "before"},
        {"where": "intend", "at": 1, "phase": "after"},
    ]
    for kill in killed[:kills]:
        assert _run(sb, tmp_path, kill, "remove") is None
    result = _run(sb, tmp_path, None, "remove")
    assert result is not None
    assert result["status"].tolist() == ["success"] * len(sheet), result["error_code"]
    assert not _held(sb)


def test_a_sheet_relabelled_between_kills_is_resumed_by_its_readings(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    """The sheet's labels changed between the first kill and its resume (the analyst's
    corrected copy): the resume sends other rows on the first run's pairs, so only its going
    by the first run's readings ties it to that run.  Killed again once it kept its first
    batch, the third run went on to take the first for changed (``superseded``), read its
    pairs again and reported its links ``linked_before``."""
    sb = sandbox_factory(seed=None, latency=(0.1, 0.0))
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    sb.add_label("deals", "contacts", "Champion")
    start = _held(sb)
    pairs = [(d, c) for d in DEALS[:4] for c in CONTACTS[:4]]
    columns = ["Deal ID", "Contact ID", "Association label"]
    pd.DataFrame([(d, c, "") for d, c in pairs], columns=columns).to_csv(
        tmp_path / "pairs.csv", index=False
    )
    assert _run(sb, tmp_path, {"where": "record", "at": 1, "phase": "before"}) is None
    pd.DataFrame([(d, c, "Champion") for d, c in pairs], columns=columns).to_csv(
        tmp_path / "pairs.csv", index=False
    )
    assert _run(sb, tmp_path, {"where": "intend", "at": 1, "phase": "after"}) is None
    result = _run(sb, tmp_path, None)
    assert result is not None
    assert result["status"].tolist() == ["success"] * len(pairs)
    assert not result["linked_before"].any() and not result["existed_before"].any()
    undone = hf.undo(tmp_path / "run.sqlite", client_for(sb), progress=False)
    assert set(undone["status"]) <= {"success", "skipped", "duplicate"}, undone
    assert _held(sb) == start
