"""The undo of a sync puts a label back only on a pair that is still associated.

A sync that took a label off a pair it kept linked is undone by creating the label again, and
creating a label links the pair.  When a colleague removed the association whole since the
run, that creation linked the two records again, ``success`` with no word.  Such a row is now
skipped (``NOT_ASSOCIATED``), nothing sent; a pair the sync removed whole is restored whole as
before, and a pair still linked gets its label back.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.jobs import read_associations, sync, undo
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from tests.faultproxy import FaultProxy
from tests.fuzzseeds import seeds

DEALS = [str(d) for d in demo_ids("deals")[10:16]]
CONTACTS = [str(c) for c in demo_ids("contacts")[40:46]]
VERSIONS = ["2026-03", "2026-09", "v4"]


def _linked(sb: Sandbox) -> dict[tuple[str, str], set[str]]:
    """(deal, contact) -> the labels it holds ('' for the plain link)."""
    links = sb.associations("deals", "contacts")
    champion = sb.type_id("deals", "contacts", "Champion")
    out: dict[tuple[str, str], set[str]] = {}
    for row in links.itertuples():
        label = "Champion" if int(row.type_id) == champion else ""
        out.setdefault((str(row.from_id), str(row.to_id)), set()).add(label)
    return out


def _unlink(client: hf.HubSpotClient, deal: str, contact: str) -> None:
    """A colleague removes the association whole."""
    sheet = pd.DataFrame(
        {"from_type": ["deals"], "from_id": [deal], "to_type": ["contacts"], "to_id": [contact]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hf.remove_associations(sheet, client, progress=False)


def _synced(sb: Sandbox, client: hf.HubSpotClient, clear: set[int], drop: set[int]) -> pd.DataFrame:
    """Pairs i labeled Champion; the export edited: rows ``clear`` lose their label (the link
    kept), rows ``drop`` deleted (the pair removed whole); synced with removals."""
    champion = sb.type_id("deals", "contacts", "Champion")
    for deal, contact in zip(DEALS, CONTACTS, strict=True):
        sb.associate("deals", deal, "contacts", contact, champion)
    sheet = read_associations(client, "deals", "contacts", DEALS, progress=False)
    sheet = sheet.reset_index(drop=True)
    order = {d: i for i, d in enumerate(DEALS)}
    rows = sheet["from_id"].astype(str).map(order)
    cleared = rows.isin(clear) & sheet["label"].notna()
    sheet.loc[cleared, "label"] = None
    sheet.loc[cleared, ["category", "type_id"]] = pd.NA
    sheet = sheet[~rows.isin(drop)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sync(sheet, client, allow_removals=True, progress=False)


def _row(result: pd.DataFrame, deal: str) -> pd.Series:
    rows = result[(result["from_id"].astype(str) == deal) & (result["label"] == "Champion")]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_label_is_not_put_back_on_a_pair_unlinked_since(version: str) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, version)
        result = _synced(sb, client, clear={0, 1}, drop=set())
        _unlink(client, DEALS[0], CONTACTS[0])
        undone = undo(result, client, progress=False)
        linked = _linked(sb)
    row = _row(undone, DEALS[0])
    assert (row["status"], row["error_code"]) == ("skipped", "NOT_ASSOCIATED")
    assert "no longer associated" in row["error_message"]
    assert (DEALS[0], CONTACTS[0]) not in linked
    kept = _row(undone, DEALS[1])
    assert kept["status"] == "success"
    assert "Champion" in linked[(DEALS[1], CONTACTS[1])]


def test_the_reports_undo_and_its_dry_run_say_the_same(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = _synced(sb, client, clear={2}, drop=set())
        report = tmp_path / "sync.xlsx"
        hf.export_report(result, report)
        _unlink(client, DEALS[2], CONTACTS[2])
        planned = undo(str(report), client, dry_run=True, progress=False)
        undone = undo(str(report), client, progress=False)
        linked = _linked(sb)
    for table in (planned, undone):
        row = _row(table, DEALS[2])
        assert (row["status"], row["error_code"]) == ("skipped", "NOT_ASSOCIATED"), row
    assert (DEALS[2], CONTACTS[2]) not in linked


def test_a_pair_the_sync_removed_whole_is_restored_whole() -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = _synced(sb, client, clear=set(), drop={3})
        assert (DEALS[3], CONTACTS[3]) not in _linked(sb)
        undone = undo(result, client, progress=False)
        linked = _linked(sb)
    assert _row(undone, DEALS[3])["status"] == "success"
    assert "Champion" in linked[(DEALS[3], CONTACTS[3])]


def test_a_pair_linked_again_without_the_label_gets_it_back() -> None:
    """A colleague unlinked and linked the pair again (plain): it is associated, so the label
    goes back on it as on any linked pair."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = _synced(sb, client, clear={4}, drop=set())
        _unlink(client, DEALS[4], CONTACTS[4])
        sb.associate("deals", DEALS[4], "contacts", CONTACTS[4])
        undone = undo(result, client, progress=False)
        linked = _linked(sb)
    assert _row(undone, DEALS[4])["status"] == "success"
    assert "Champion" in linked[(DEALS[4], CONTACTS[4])]


def test_a_failed_read_sends_the_label_saying_so() -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = _synced(sb, client, clear={5}, drop=set())
        with FaultProxy(sb, fail_reads=True) as fp:
            proxied = hf.HubSpotClient(
                token=sb.token, base_url=fp.url, backoff_base=0.01, backoff_cap=0.05
            )
            undone = undo(result, proxied, progress=False)
    row = _row(undone, DEALS[5])
    assert row["status"] == "success"
    assert "could not be read" in row["error_message"]


@pytest.mark.parametrize("seed", seeds(3))
def test_no_undo_links_a_pair_its_run_left_linked_and_a_colleague_unlinked(seed: int) -> None:
    """Seeded: six labeled pairs, each kept, its label cleared or its row deleted; then a
    colleague unlinks some; the undo: a cleared pair unlinked since stays unlinked; every
    other pair holds its label again."""
    rng = random.Random(seed)
    fate = {i: rng.choice(["keep", "clear", "drop"]) for i in range(6)}
    clear = {i for i, f in fate.items() if f == "clear"}
    drop = {i for i, f in fate.items() if f == "drop"}
    gone = {i for i in clear | (set(fate) - drop) if rng.random() < 0.5}
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, rng.choice(VERSIONS))
        result = _synced(sb, client, clear=clear, drop=drop)
        for i in gone:
            _unlink(client, DEALS[i], CONTACTS[i])
        undo(result, client, progress=False)
        linked = _linked(sb)
    for i in range(6):
        pair = (DEALS[i], CONTACTS[i])
        where = f"seed {seed} pair {i}: {fate[i]}, unlinked since: {i in gone}"
        if i in gone:
            assert pair not in linked, where
        else:
            assert "Champion" in linked.get(pair, set()), where


def test_the_journals_undo_skips_it_too(tmp_path: Path) -> None:
    """From the sync's journal (its rows keep type ids only): the same."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        champion = sb.type_id("deals", "contacts", "Champion")
        for deal, contact in zip(DEALS, CONTACTS, strict=True):
            sb.associate("deals", deal, "contacts", contact, champion)
        sheet = read_associations(client, "deals", "contacts", DEALS[:2], progress=False)
        cleared = sheet["label"].notna()
        sheet.loc[cleared, "label"] = None
        sheet.loc[cleared, ["category", "type_id"]] = pd.NA
        path = tmp_path / "sync.sqlite"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sync(sheet, client, allow_removals=True, journal=path, progress=False)
        _unlink(client, DEALS[0], CONTACTS[0])
        undone = undo(path, client, progress=False)
        linked = _linked(sb)
    assert (DEALS[0], CONTACTS[0]) not in linked
    assert "Champion" in linked[(DEALS[1], CONTACTS[1])]
    skipped = undone[undone["error_code"] == "NOT_ASSOCIATED"]
    assert skipped["from_id"].astype(str).tolist() == [DEALS[0]], undone
