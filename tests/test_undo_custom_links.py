"""What an undo took back of a sync's removals is kept in the journal for custom objects too.

A custom object's unlabeled association type is ``USER_DEFINED`` (1017 from installations to
contacts), not ``HUBSPOT_DEFINED`` as between two standard objects.  Before, the undo of a
sync's result table keyed the removal of such a pair's link by its category, as a label's
removal (``archive_labels`` of 1017), while the journal held the sync's batch archive of the
pair: ``take_back`` matched nothing, and a later undo from the journal created the association
again -- after the analyst had removed it by hand -- and said ``success``.  Whether a removal
row is the pair's link is now told by the pair's labels list (its unlabeled type ids), for
every spelling of the custom object, both directions, every API version.  Against the demo
sandbox over HTTP, each behaviour profile.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.report.reader import NotUndone
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import PORTAL_ID
from hubframe.testing import client_for, demo_ids

pytestmark = pytest.mark.profiles

VERSIONS = ["2026-03", "v4", "2026-09"]
KW = {"progress": False}
INSTALLATIONS = [str(i) for i in demo_ids("installations")[20:22]]
CONTACTS = [str(i) for i in demo_ids("contacts")[200:202]]
DEALS = [str(i) for i in demo_ids("deals")[60:62]]
SPELLINGS = ["2-7350001", "p_installations", f"p{PORTAL_ID}_installations"]


@dataclass(frozen=True)
class Pair:
    """An object pair and the two record pairs a scenario links."""

    from_type: str
    to_type: str
    from_ids: list[str]
    to_ids: list[str]


def _pairs() -> list[Pair]:
    out = [Pair("deals", "contacts", DEALS, CONTACTS)]
    for name in SPELLINGS:
        out.append(Pair(name, "contacts", INSTALLATIONS, CONTACTS))
    out.append(Pair("contacts", SPELLINGS[0], CONTACTS, INSTALLATIONS))
    out.append(Pair("contacts", SPELLINGS[1], CONTACTS, INSTALLATIONS))
    return out


PAIRS = _pairs()


def _id(pair: Pair) -> str:
    return f"{pair.from_type}->{pair.to_type}"


Setting = tuple[Sandbox, HubSpotClient, Path]


def _setting(
    factory: Callable[..., Sandbox], tmp_path: Path, pair: Pair, version: str, labeled: bool
) -> Setting:
    sb = factory(seed="demo")
    label = sb.add_label(pair.from_type, pair.to_type, "Site contact") if labeled else None
    for from_id, to_id in zip(pair.from_ids, pair.to_ids, strict=True):
        sb.associate(pair.from_type, from_id, pair.to_type, to_id, label)
    return sb, client_for(sb, version), tmp_path / "run.sqlite"


def _held(sb: Sandbox, pair: Pair) -> dict[tuple[str, str], set[object]]:
    """(from id, to id) -> the type ids the first record pair holds now."""
    found = sb.associations(pair.from_type, pair.to_type)
    first = found[
        (found["from_id"].astype(str) == pair.from_ids[0])
        & (found["to_id"].astype(str) == pair.to_ids[0])
    ]
    return {(pair.from_ids[0], pair.to_ids[0]): set(first["type_id"].tolist())}


def _links(client: HubSpotClient, pair: Pair) -> pd.DataFrame:
    ids = [int(i) for i in pair.from_ids]
    return hf.read_associations(client, pair.from_type, pair.to_type, ids=ids, **KW)


def _first(links: pd.DataFrame, pair: Pair) -> pd.Series:
    return (links["from_id"].astype(str) == pair.from_ids[0]) & (
        links["to_id"].astype(str) == pair.to_ids[0]
    )


def _undo_quietly(run: object, client: HubSpotClient) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a journal left out would be warned: fail on it
        return hf.undo(run, client, **KW)  # type: ignore[arg-type]


def _journal_undo(path: Path, client: HubSpotClient) -> pd.DataFrame:
    """The undo from the journal (its "nothing left to undo" warning is the point)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotUndone)
        return hf.undo(path, client, **KW)


@pytest.mark.parametrize("labeled", [False, True], ids=["unlabeled", "labeled"])
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("pair", PAIRS, ids=_id)
def test_a_pair_removed_whole_and_taken_back_is_not_created_again_from_the_journal(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    pair: Pair,
    version: str,
    labeled: bool,
) -> None:
    sb, client, path = _setting(sandbox_factory, tmp_path, pair, version, labeled)
    links = _links(client, pair)
    first = _first(links, pair)
    synced = hf.sync(links[~first], client, allow_removals=True, journal=path, **KW)
    assert _held(sb, pair) == {(pair.from_ids[0], pair.to_ids[0]): set()}, synced
    undone = _undo_quietly(synced, client)
    assert set(undone["status"]) <= {"success", "skipped"}, undone
    assert _held(sb, pair)[(pair.from_ids[0], pair.to_ids[0])], undone
    removed = hf.remove_associations(links[first].iloc[:1, :4], client, **KW)
    assert (removed["status"] == "success").all(), removed
    again = _journal_undo(path, client)
    assert _held(sb, pair) == {(pair.from_ids[0], pair.to_ids[0]): set()}, again
    assert not (again["status"] == "success").any(), again


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("pair", PAIRS, ids=_id)
def test_a_label_removed_and_taken_back_is_not_created_again_from_the_journal(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, pair: Pair, version: str
) -> None:
    """The sync removes the label only (its row kept without it): the link stays, the undo
    creates the label again, the analyst removes it by hand; the journal's undo leaves it."""
    sb, client, path = _setting(sandbox_factory, tmp_path, pair, version, labeled=True)
    links = _links(client, pair)
    sheet = links.copy()
    sheet.loc[_first(links, pair), ["label", "category", "type_id"]] = None
    synced = hf.sync(sheet, client, allow_removals=True, journal=path, **KW)
    labels = _held(sb, pair)[(pair.from_ids[0], pair.to_ids[0])]
    assert len(labels) == 1, synced  # the link only
    _undo_quietly(synced, client)
    assert len(_held(sb, pair)[(pair.from_ids[0], pair.to_ids[0])]) == 2
    label_row = links[_first(links, pair)].iloc[:1]
    hf.remove_associations(label_row, client, **KW)
    assert _held(sb, pair)[(pair.from_ids[0], pair.to_ids[0])] == labels
    again = _journal_undo(path, client)
    assert _held(sb, pair)[(pair.from_ids[0], pair.to_ids[0])] == labels, again
    assert not (again["status"] == "success").any(), again


@pytest.mark.parametrize("pair", [PAIRS[0], PAIRS[1], PAIRS[2], PAIRS[4]], ids=_id)
def test_the_undo_of_a_report_finds_its_journal_and_keeps_what_it_took_back(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, pair: Pair
) -> None:
    """An .xlsx report of the sync names its journal: the report's undo knows it for the
    run's (it sent the rows the report says were applied, a custom pair's link too), ends
    its runs and keeps what it took back."""
    sb, client, path = _setting(sandbox_factory, tmp_path, pair, "2026-03", labeled=True)
    links = _links(client, pair)
    first = _first(links, pair)
    synced = hf.sync(links[~first], client, allow_removals=True, journal=path, **KW)
    report = tmp_path / "report.xlsx"
    hf.export_report(synced, report)
    _undo_quietly(report, client)
    assert _held(sb, pair)[(pair.from_ids[0], pair.to_ids[0])]
    hf.remove_associations(links[first].iloc[:1, :4], client, **KW)
    again = _journal_undo(path, client)
    assert _held(sb, pair) == {(pair.from_ids[0], pair.to_ids[0]): set()}, again
