"""A sync that makes a company a record's primary is undone as an associate run is: never by
taking the record's primary away.

HubSpot keeps one primary company per contact, deal and ticket: a sync row making another
company the primary takes the label from the company that held it.  Before, a sync did not read
the records' primary companies before its additions (``associate`` did): its result had no
``primary_before`` column (undo from it refused, not saying why), and its journal held no
reading of them, which undo from the journal took for "no primary before" -- for a row going
from the company (type ids 2, 6, 25) it removed the new primary and left the record with none.
Now a sync reads them as ``associate`` does (result, report, journal), and a journal records
which records' primary companies a run read at all: a row of a record it holds no reading of
(an older hubframe's journal) is ``NOT_UNDOABLE``, saying so, rather than taken back blind.
"""

from __future__ import annotations

import sqlite3
import threading
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.constants import PRIMARY_TYPES
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

TYPES = {t.record_type: t for t in PRIMARY_TYPES}
COMPANIES = [str(c) for c in demo_ids("companies")[40:44]]
OLD, NEW = COMPANIES[0], COMPANIES[1]
KW: dict[str, Any] = {"progress": False}
SIDES = ["record", "company"]


def _record(kind: str) -> str:
    return str(demo_ids(kind)[-1])


def _cells(kind: str, side: str, company: str, record: str | None = None) -> dict[str, str]:
    t, record = TYPES[kind], record or _record(kind)
    if side == "record":
        cells = (kind, record, "companies", company, t.to_company)
    else:
        cells = ("companies", company, kind, record, t.from_company)
    names = ("From Type", "From ID", "To Type", "To ID", "Type ID")
    return dict(zip(names, map(str, cells), strict=True))


def _sheet(kind: str, side: str, company: str = NEW) -> pd.DataFrame:
    return hf.read_pairs(pd.DataFrame([_cells(kind, side, company)], dtype=object))


def _primaries(sb: Sandbox, kind: str, record: str | None = None) -> set[str]:
    rows = sb.associations(kind, "companies")
    mine = rows[rows["from_id"].astype(str) == (record or _record(kind))]
    held = mine[mine["type_id"].astype(int) == TYPES[kind].to_company]
    return set(held["to_id"].astype(str))


def _linked(sb: Sandbox, kind: str) -> set[str]:
    rows = sb.associations(kind, "companies")
    return set(rows.loc[rows["from_id"].astype(str) == _record(kind), "to_id"].astype(str))


def _set_primary(sb: Sandbox, kind: str, company: str, side: str) -> None:
    """The record's primary company, set from the record's side or from the company's."""
    t = TYPES[kind]
    if side == "record":
        sb.associate(kind, _record(kind), "companies", company, t.to_company)
    else:
        sb.associate("companies", company, kind, _record(kind), t.from_company)


def _undo(run: Any, client: hf.HubSpotClient, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a report's journal, left out or not
        return hf.undo(run, client, **KW, **options)


def _source(result: pd.DataFrame, source: str, journal: Path, tmp_path: Path) -> Any:
    if source == "journal":
        return journal
    if source == "table":
        return result
    path = tmp_path / f"report.{source}"
    hf.export_report(result, path)
    return path


SOURCES = [("journal", True), ("table", True), ("table", False), ("xlsx", False), ("csv", True)]


# --- a sync that replaces a record's primary ------------------------------------------------------


@pytest.mark.parametrize(("source", "journaled"), SOURCES)
@pytest.mark.parametrize("old_side", SIDES)
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_undo_of_a_sync_keeps_the_primary_it_replaced(
    kind: str, side: str, old_side: str, source: str, journaled: bool, tmp_path: Path
) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _set_primary(sb, kind, OLD, old_side)
        client = client_for(sb)
        options = {"journal": journal} if journaled else {}
        result = hf.sync(_sheet(kind, side), client, **KW, **options)
        assert result["change"].tolist() == ["add"]
        assert result["status"].tolist() == ["success"]
        assert result["primary_before"].tolist() == [OLD]
        assert "Replaces" in str(result["error_message"].iloc[0])
        assert _primaries(sb, kind) == {NEW}
        run = _source(result, source, journal, tmp_path)
        for undone in (_undo(run, client, dry_run=True), _undo(run, client)):
            assert undone["status"].tolist() == ["skipped"]
            assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
            said = str(undone["error_message"].iloc[0])
            assert f"in place of {OLD}" in said
        assert _primaries(sb, kind) == {NEW}
        assert _linked(sb, kind) == {OLD, NEW}


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_dry_run_sync_says_which_primary_it_replaces(kind: str, side: str) -> None:
    with Sandbox(seed="demo") as sb:
        _set_primary(sb, kind, OLD, "company")
        result = hf.sync(_sheet(kind, side), client_for(sb), **KW, dry_run=True)
        assert result["status"].tolist() == ["planned"]
        assert result["primary_before"].tolist() == [OLD]
        assert f"primary company {OLD}" in str(result["error_message"].iloc[0])
        assert _primaries(sb, kind) == {OLD}


@pytest.mark.parametrize(("source", "journaled"), SOURCES)
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_undo_of_a_syncs_first_primary_removes_it(
    kind: str, side: str, source: str, journaled: bool, tmp_path: Path
) -> None:
    """The record had no primary company: taking the row back leaves it as it was."""
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        options = {"journal": journal} if journaled else {}
        result = hf.sync(_sheet(kind, side), client, **KW, **options)
        assert result["primary_before"].tolist() == [""]
        run = _source(result, source, journal, tmp_path)
        assert _undo(run, client, dry_run=True)["status"].tolist() == ["planned"]
        assert _undo(run, client)["status"].tolist() == ["success"]
        assert _linked(sb, kind) == set()


@pytest.mark.parametrize("source", ["journal", "table"])
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_sync_naming_the_primary_the_record_has_leaves_it(
    kind: str, side: str, source: str, tmp_path: Path
) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _set_primary(sb, kind, OLD, "company")
        client = client_for(sb)
        result = hf.sync(_sheet(kind, side, OLD), client, **KW, journal=journal)
        assert result["change"].tolist() == ["keep"]
        if source == "table":
            assert _undo(result, client)["status"].tolist() == ["skipped"]
        else:  # the journal records nothing sent: nothing to take back
            assert _undo(journal, client).empty
        assert _primaries(sb, kind) == {OLD}
        assert _linked(sb, kind) == {OLD}


@pytest.mark.parametrize("kind", list(TYPES))
def test_a_sync_adding_the_primary_label_to_a_linked_company_keeps_the_old_primary(
    kind: str, tmp_path: Path
) -> None:
    """The new company was associated already, unlabeled: the sync adds the Primary label."""
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _set_primary(sb, kind, OLD, "company")
        sb.associate(kind, _record(kind), "companies", NEW)
        client = client_for(sb)
        result = hf.sync(_sheet(kind, "company"), client, **KW, journal=journal)
        assert result["primary_before"].tolist() == [OLD]
        for run in (journal, result):
            assert _undo(run, client)["error_code"].tolist() == ["NOT_UNDOABLE"]
        assert _primaries(sb, kind) == {NEW}
        assert _linked(sb, kind) == {OLD, NEW}


def test_a_sync_whose_records_primary_cannot_be_read_holds_the_row_back(tmp_path: Path) -> None:
    """Only the read of the deal's companies fails (the row goes from the company, whose
    associations the sync compares): the row is not sent, as any row whose state before
    cannot be read by a run that records it."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    with Sandbox(seed="demo") as sb:
        _set_primary(sb, "deals", OLD, "company")
        with FaultProxy(sb, fail_path="/deals/companies/batch/read") as proxy:
            client = HubSpotClient(
                token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01,
                backoff_cap=0.02,
            )  # fmt: skip
            result = hf.sync(_sheet("deals", "company"), client, **KW, journal=tmp_path / "j")
        row = result.iloc[0]
        assert row["status"] == "failed"
        assert str(row["error_message"]).startswith("Not sent: what these records")
        assert pd.isna(row["primary_before"])
        assert _primaries(sb, "deals") == {OLD}


# --- a journal that holds no reading of the record's primary ------------------------------------


def _older_journal(journal: Path, kind: str) -> None:
    """The journal as a hubframe that did not read the records' primary companies left it:
    no reading of the record's companies in its direction, format 7."""
    db = sqlite3.connect(journal)
    try:
        db.executescript(
            f"DELETE FROM before WHERE from_type = '{kind}' AND to_type = 'companies'; "
            "DROP TABLE IF EXISTS primary_read; PRAGMA user_version = 7;"
        )
    finally:
        db.close()


@pytest.mark.parametrize("job", ["sync", "associate"])
@pytest.mark.parametrize("before", ["none", "another company"])
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_journal_without_the_readings_is_not_undone_blind(
    kind: str, before: str, job: str, tmp_path: Path
) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        if before != "none":
            _set_primary(sb, kind, OLD, "company")
        client = client_for(sb)
        run = hf.sync if job == "sync" else hf.associate
        result = run(_sheet(kind, "company"), client, **KW, journal=journal)
        assert result["status"].tolist() == ["success"]
        _older_journal(journal, kind)
        for undone in (_undo(journal, client, dry_run=True), _undo(journal, client)):
            assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
            said = str(undone["error_message"].iloc[0])
            assert _record(kind) in said and "not read" in said
        assert _primaries(sb, kind) == {NEW}


@pytest.mark.parametrize("job", ["sync", "associate"])
def test_a_resumed_run_goes_by_its_first_runs_reading_of_a_first_primary(
    job: str, tmp_path: Path
) -> None:
    """Stopped after its first batch, then resumed: the portal now holds the first run's
    primary, and the journal's reading says the deal had none, so every undo removes it."""
    records = [str(r) for r in demo_ids("deals")[-2:]]
    rows = [_cells("deals", "company", c, r) for r, c in zip(records, COMPANIES[1:3], strict=True)]
    pairs = hf.read_pairs(pd.DataFrame(rows, dtype=object))
    journal = tmp_path / "run.sqlite"
    run = hf.sync if job == "sync" else hf.associate
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        cancel = threading.Event()
        first = run(
            pairs, client, journal=journal, cancel=cancel, on_progress=lambda _: cancel.set(),
            progress=False, batch_size=1, workers=1,
        )  # fmt: skip
        assert first["status"].tolist() == ["success", "skipped"]
        second = run(pairs, client, journal=journal, progress=False, batch_size=1)
        assert second["status"].tolist() == ["success", "success"]
        assert second["primary_before"].tolist() == ["", ""]
        assert _undo(journal, client)["status"].tolist() == ["success", "success"]
        for record in records:
            assert _primaries(sb, "deals", record) == set()


@pytest.mark.parametrize("job", ["sync", "associate"])
def test_a_run_resuming_an_older_journal_does_not_take_the_portal_for_the_state_before(
    job: str, tmp_path: Path
) -> None:
    """The first run (an older hubframe's journal: no reading of the deals' primary) applied
    its first row, replacing the deal's primary; the resumed run cannot read what held it
    before (the portal holds the first run's work): that row's state before is blank, and no
    undo takes the new primary away."""
    records = [str(r) for r in demo_ids("deals")[-2:]]
    rows = [_cells("deals", "company", c, r) for r, c in zip(records, COMPANIES[1:3], strict=True)]
    pairs = hf.read_pairs(pd.DataFrame(rows, dtype=object))
    journal = tmp_path / "run.sqlite"
    run = hf.sync if job == "sync" else hf.associate
    with Sandbox(seed="demo") as sb:
        for record in records:
            sb.associate("companies", OLD, "deals", record, TYPES["deals"].from_company)
        client = client_for(sb)
        cancel = threading.Event()
        run(
            pairs, client, journal=journal, cancel=cancel, on_progress=lambda _: cancel.set(),
            progress=False, batch_size=1, workers=1,
        )  # fmt: skip
        _older_journal(journal, "deals")
        second = run(pairs, client, journal=journal, progress=False, batch_size=1)
        assert second["status"].tolist() == ["success", "success"]
        assert pd.isna(second["primary_before"].iloc[0])
        assert pd.isna(second["existed_before"].iloc[0])
        assert second["primary_before"].iloc[1] == OLD
        for source in (second, journal):
            undone = _undo(source, client)
            assert undone["error_code"].tolist() == ["NOT_UNDOABLE", "NOT_UNDOABLE"]
        for record, company in zip(records, COMPANIES[1:3], strict=True):
            assert _primaries(sb, "deals", record) == {company}
