"""A run of another sheet between a killed run and its resumption.

Before, a journal re-used the outcomes of the runs since the last one that ended.  Run A
cancelled half way, run B of another sheet finished on the same journal, then A again: A no
longer resumed, sent its batches again, reported its own earlier work ``existed_before``, and an
undo of its result table left those associations in the portal.  A journal now resumes every
open run, and a finished run ends only itself and the runs it resumed.  An open run whose work a
later run changed (it sent to one of its record pairs, or changed the limits of its object pair,
without resuming it) is not re-used: its batches are sent again and the portal says what is
there, so a pair a removal took away between is made again, never reported done.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.journal import SCHEMA_VERSION, Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_300_000_001 + i) for i in range(24)]
CONTACTS = [str(6_300_000_001 + i) for i in range(24)]
KW: dict[str, Any] = {"progress": False, "batch_size": 2, "workers": 1}

Setting = tuple[Sandbox, HubSpotClient, Path]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb, client = deals_and_contacts(sandbox_factory, DEALS, CONTACTS)
    return sb, client, tmp_path / "run.sqlite"


def deals_and_contacts(
    factory: Callable[..., Sandbox], deals: list[str], contacts: list[str], label: str = ""
) -> tuple[Sandbox, HubSpotClient]:
    """A started sandbox holding only ``deals`` and ``contacts`` (and ``label``, deals to
    contacts, when given): the portal the journal and undo tests link, and its client."""
    sb = factory(seed=None)
    sb.start()
    sb.add_records("deals", deals)
    sb.add_records("contacts", contacts)
    if label:
        sb.add_label("deals", "contacts", label)
    return sb, client_for(sb)


def _sheet(rows: range) -> pd.DataFrame:
    return pd.DataFrame(
        {"Deal ID": [DEALS[i] for i in rows], "Contact ID": [CONTACTS[i] for i in rows]}
    )


def _cancelled(job: Callable[..., pd.DataFrame], sheet: pd.DataFrame, client: object, path: Path,
               after: int = 1) -> pd.DataFrame:  # fmt: skip
    """A run of two-row batches, one at a time, cancelled once ``after`` batches are done."""
    cancel, done = threading.Event(), [0]

    def progress(rows: int) -> None:
        done[0] += 1
        if done[0] >= after:
            cancel.set()

    return job(sheet, client, journal=path, cancel=cancel, on_progress=progress, **KW)


def _pairs(sb: Sandbox) -> set[tuple[str, str]]:
    held = sb.associations("deals", "contacts")
    return set(zip(held["from_id"].astype(str), held["to_id"].astype(str), strict=True))


def _writes(sb: Sandbox) -> int:
    log = sb.request_log()
    return int(((log["method"] != "GET") & ~log["path"].str.endswith("/batch/read")).sum())


def test_a_run_of_another_sheet_between_leaves_the_killed_run_to_resume(setting: Setting) -> None:
    sb, client, path = setting
    a, b = _sheet(range(0, 12)), _sheet(range(12, 14))
    first = _cancelled(hf.associate, a, client, path, after=2)
    done = int((first["status"] == "success").sum())
    assert 0 < done < len(a)
    assert (hf.associate(b, client, journal=path, **KW)["status"] == "success").all()
    sb.reset_request_log()
    again = hf.associate(a, client, journal=path, **KW)
    assert (again["status"] == "success").all()
    assert _writes(sb) == (len(a) - done) // 2  # resumed: only the batches not done
    assert not again["existed_before"].any()  # its own earlier work is not "existed before"
    hf.undo(again, client, progress=False)
    assert _pairs(sb) == set(zip(b["Deal ID"], b["Contact ID"], strict=True))


def test_runs_killed_twice_with_another_sheet_between_resume_both(setting: Setting) -> None:
    sb, client, path = setting
    a, b = _sheet(range(0, 12)), _sheet(range(12, 14))
    first = _cancelled(hf.associate, a, client, path, after=1)
    hf.associate(b, client, journal=path, **KW)
    sb.reset_request_log()
    second = _cancelled(hf.associate, a, client, path, after=2)
    done = int((second["status"] == "success").sum())
    assert done < len(a)
    assert _writes(sb) == (done - int((first["status"] == "success").sum())) // 2  # resumed
    sb.reset_request_log()
    third = hf.associate(a, client, journal=path, **KW)
    assert (third["status"] == "success").all() and _writes(sb) == (len(a) - done) // 2
    sb.reset_request_log()
    hf.associate(a, client, journal=path, **KW)  # the resumed runs ended with the third
    assert _writes(sb) == len(a) // 2


@pytest.mark.parametrize("between", ["remove", "associate"])
def test_a_run_that_changed_the_killed_runs_pairs_is_not_hidden_by_the_resume(
    setting: Setting, between: str
) -> None:
    """A removal of pairs the killed run made, with the journal: the next run of the killed
    sheet makes them again (before, with the fix's open runs alone, it would re-use their
    recorded success while the portal no longer held them).  A run of an overlapping sheet
    between ends the killed run's re-use the same way (its batches are sent again)."""
    sb, client, path = setting
    a = _sheet(range(0, 12))
    first = _cancelled(hf.associate, a, client, path, after=2)
    made = first[first["status"] == "success"]
    assert len(made) >= 2
    touched = _sheet(range(0, 1))
    if between == "remove":
        gone = hf.remove_associations(touched, client, journal=path, progress=False)
        assert (gone["status"] == "success").all()
        assert (DEALS[0], CONTACTS[0]) not in _pairs(sb)
    else:
        hf.associate(_sheet(range(0, 1)), client, journal=path, progress=False)
    sb.reset_request_log()
    again = hf.associate(a, client, journal=path, **KW)
    assert (again["status"] == "success").all()
    assert _pairs(sb) == set(zip(a["Deal ID"], a["Contact ID"], strict=True))
    assert _writes(sb) == len(a) // 2  # every batch sent again


def test_a_limits_run_between_is_not_hidden_by_the_resume(setting: Setting) -> None:
    sb, client, path = setting
    rows = [("deals", "contacts", "", "10"), ("contacts", "deals", "", "7")]
    for from_type, to_type, _, _ in rows:  # each row an update, of the same batch each run
        sb.set_limit(from_type, to_type, 25, type_id=sb.type_id(from_type, to_type, None))
    sheet = pd.DataFrame(rows, columns=["From", "To", "Label", "Max"])
    first = _cancelled(hf.configure_limits, hf.read_limits(sheet), client, path, after=1)
    assert first["status"].tolist().count("success") == 1
    changed = first.loc[first["status"] == "success", ["From", "To"]].iloc[0].tolist()
    other = pd.DataFrame([[*changed, "", "3"]], columns=["From", "To", "Label", "Max"])
    hf.configure_limits(hf.read_limits(other), client, journal=path, progress=False)
    again = hf.configure_limits(hf.read_limits(sheet), client, journal=path, **KW)
    assert (again["status"] == "success").all()
    for from_type, to_type, _, value in rows:
        held = sb.limits(from_type, to_type)
        unlabeled = held[held["label"].isna()]["max_to_object_ids"].astype(int).tolist()
        assert unlabeled == [int(value)], (from_type, to_type, held)


def test_a_resume_ends_only_the_runs_it_resumed(setting: Setting) -> None:
    """B finishing (another sheet) leaves A open in the journal; A finishing ends it."""
    _, client, path = setting
    a, b = _sheet(range(0, 8)), _sheet(range(12, 14))
    _cancelled(hf.associate, a, client, path, after=1)
    hf.associate(b, client, journal=path, **KW)
    with Journal(path) as journal:
        ended = dict(journal._db.execute("SELECT id, ended FROM runs").fetchall())
    assert ended == {1: None, 2: "finished"}
    hf.associate(a, client, journal=path, **KW)
    with Journal(path) as journal:
        ended = dict(journal._db.execute("SELECT id, ended FROM runs").fetchall())
    assert ended == {1: "finished", 2: "finished", 3: "finished"}


def test_a_journal_of_format_5_is_brought_to_this_format_and_still_resumes(
    setting: Setting,
) -> None:
    sb, client, path = setting
    a, b = _sheet(range(0, 12)), _sheet(range(12, 14))
    first = _cancelled(hf.associate, a, client, path, after=2)
    done = int((first["status"] == "success").sum())
    db = sqlite3.connect(path)  # as hubframe before runs kept what they resumed wrote it
    db.executescript("DROP TABLE resumed; PRAGMA user_version = 5;")
    db.close()
    hf.associate(b, client, journal=path, **KW)
    sb.reset_request_log()
    assert (hf.associate(a, client, journal=path, **KW)["status"] == "success").all()
    assert _writes(sb) == (len(a) - done) // 2
    with Journal(path) as journal:
        assert int(journal._db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION


def test_a_journal_of_format_8_is_brought_to_this_format_and_still_resumes(
    setting: Setting,
) -> None:
    """Format 9 keeps limits batches in ``sent`` (a removal whose answer was lost is told from
    one never sent); a hubframe reading format 8 would take them for association rows, so the
    format number moved on (found in review); a format-8 journal opens as before."""
    sb, client, path = setting
    a = _sheet(range(0, 12))
    first = _cancelled(hf.associate, a, client, path, after=2)
    done = int((first["status"] == "success").sum())
    db = sqlite3.connect(path)  # as hubframe before limits batches were kept in sent wrote it
    db.executescript("PRAGMA user_version = 8;")
    db.close()
    sb.reset_request_log()
    assert (hf.associate(a, client, journal=path, **KW)["status"] == "success").all()
    assert _writes(sb) == (len(a) - done) // 2
    with Journal(path) as journal:
        assert int(journal._db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
    assert SCHEMA_VERSION == 9


@pytest.mark.parametrize("seed", range(6))
def test_any_sequence_of_runs_on_one_journal_reports_what_the_portal_holds(
    setting: Setting, seed: int
) -> None:
    """Seeded sequences of associate and remove runs of overlapping sheets on one journal, some
    cancelled part way: after each run, every pair an associate run reports ``success`` is in
    the portal, and every pair a removal reports ``success`` is not."""
    sb, client, path = setting
    rng = random.Random(seed)
    for _ in range(7):
        start = rng.randrange(0, 16)
        sheet = _sheet(range(start, start + rng.randrange(2, 9)))
        remove = rng.random() < 0.3
        job = hf.remove_associations if remove else hf.associate
        if rng.random() < 0.5:
            result = _cancelled(job, sheet, client, path, after=rng.randrange(1, 3))
        else:
            result = job(sheet, client, journal=path, **KW)
        held = _pairs(sb)
        for _, row in result[result["status"] == "success"].iterrows():
            pair = (str(row["Deal ID"]), str(row["Contact ID"]))
            assert (pair in held) is not remove, (seed, remove, pair, result)
