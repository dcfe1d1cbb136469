"""An undo of run A leaves what a pair holds after a later run of its journal removed A's link.

Run A links pairs (journal J), run B of the same journal (a sync with removals, or a remove)
removes them, and then run C of J (or a colleague by hand) links the same pairs again.  Before,
an undo of A's report (or its result table) removed C's (the colleague's) links and labels,
each row ``success``: the journal was asked only whether an *undo* had taken A's rows back
(``Journal.still_taken_back``), never whether a later run had removed them.  Now a row whose
association a later run of the journal removed (the pair whole, or the row's label) is
``skipped``, no code, nothing sent, naming that run; an undo of B (which gives A's links back)
makes A's rows A's again.  The other way round too: a removal of A that a later run made
again (a sync A removing a link, run C linking it again) is not made again by A's undo.  And
an undo from the journal no longer takes a pair whole with a label put back by hand since a
later sync removed the runs' label from it (the runs' label row claimed the label).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds
from test_journal_between import deals_and_contacts

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.report.reader import NotUndone
from hubframe.sandbox import Sandbox

DEALS = [str(5_700_000_001 + i) for i in range(3)]
CONTACTS = [str(6_700_000_001 + i) for i in range(4)]
LABELS = ("Champion", "Decision maker")
KW: dict[str, Any] = {"progress": False}

Link = tuple[str, str, int]
Setting = tuple[Sandbox, HubSpotClient, Path]
SHEET_A = [(0, 0, ""), (1, 1, "Champion")]
PAIR_0, PAIR_1 = (DEALS[0], CONTACTS[0]), (DEALS[1], CONTACTS[1])


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    return (*_portal(sandbox_factory), tmp_path)


def _portal(factory: Callable[..., Sandbox]) -> tuple[Sandbox, HubSpotClient]:
    sb, client = deals_and_contacts(factory, DEALS, CONTACTS, LABELS[0])
    sb.add_label("deals", "contacts", LABELS[1])
    return sb, client


def _held(sb: Sandbox) -> set[Link]:
    found = sb.associations("deals", "contacts")
    rows = found[["from_id", "to_id", "type_id"]].itertuples(index=False)
    return {(str(f), str(t), int(k)) for f, t, k in rows}


def _sheet(rows: list[tuple[int, int, str]]) -> pd.DataFrame:
    """Deals -> contacts rows: (deal, contact, label) by their places in DEALS, CONTACTS."""
    return pd.DataFrame(
        {
            "Deal ID": [DEALS[d] for d, _, _ in rows],
            "Contact ID": [CONTACTS[c] for _, c, _ in rows],
            "Association label": [label for _, _, label in rows],
        }
    )


def _undo(source: object, client: HubSpotClient, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotUndone)
        return hf.undo(source, client, **KW, **options)  # type: ignore[arg-type]


def _remove_a(how: str, client: HubSpotClient, journal: Path) -> pd.DataFrame:
    """Run B: removes both of run A's associations (a sync keeps deal 0 -> contact 2 only and
    deal 1 -> contact 1 plain: A's Champion label goes; a remove takes both pairs whole)."""
    if how == "sync":
        sheet = _sheet([(0, 2, ""), (1, 1, "")])
        return hf.sync(sheet, client, allow_removals=True, journal=journal, **KW)
    return hf.remove_associations(_sheet([(0, 0, ""), (1, 1, "")]), client, journal=journal, **KW)


def _link_again(
    case: str, sb: Sandbox, client: HubSpotClient, journal: Path
) -> pd.DataFrame | None:
    """Run C of the journal (``later_run``), or a colleague by hand (``by_hand``), links A's
    pairs again, A's label too."""
    if case == "later_run":
        return hf.associate(_sheet(SHEET_A), client, journal=journal, **KW)
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
    sb.associate(
        "deals", DEALS[1], "contacts", CONTACTS[1], sb.type_id("deals", "contacts", "Champion")
    )
    return None


def _assert_left(result: pd.DataFrame, run: int, journal: Path) -> None:
    assert (result["status"] == "skipped").all(), result.to_dict("records")
    assert result["error_code"].isna().all(), result.to_dict("records")
    said = result["error_message"].astype(str)
    assert said.str.contains(f"run {run} of the journal {journal.name}").all(), said.tolist()
    assert said.str.contains("removed this").all(), said.tolist()
    assert said.str.contains("nothing sent").all(), said.tolist()


# --- the prober's cases -----------------------------------------------------------------------


@pytest.mark.parametrize("source", ["xlsx", "table"])
@pytest.mark.parametrize("how", ["sync", "remove"])
@pytest.mark.parametrize("case", ["later_run", "by_hand"])
def test_an_undo_of_run_a_leaves_what_was_linked_after_run_b_removed_it(
    setting: Setting, source: str, how: str, case: str
) -> None:
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    run_a = hf.associate(_sheet(SHEET_A), client, journal=journal, **KW)
    report_a = hf.export_report(run_a, tmp / "a.xlsx") if source == "xlsx" else run_a
    _remove_a(how, client, journal)
    after_b = _held(sb)
    run_c = _link_again(case, sb, client, journal)
    theirs = _held(sb)
    assert {(DEALS[0], CONTACTS[0], 3), (DEALS[1], CONTACTS[1], 3)} <= theirs
    planned = _undo(report_a, client, dry_run=True)
    _assert_left(planned, 2, journal)
    assert _held(sb) == theirs
    undone = _undo(report_a, client)
    assert _held(sb) == theirs, undone.to_dict("records")
    _assert_left(undone, 2, journal)
    if run_c is not None:  # run C's own undo still takes back what C made
        taken = _undo(hf.export_report(run_c, tmp / "c.xlsx"), client)
        assert _held(sb) == after_b, taken.to_dict("records")


def test_a_label_a_later_run_removed_alone_is_left_with_the_link(setting: Setting) -> None:
    """A remove of A's Champion label alone: A's plain link row is still A's (taken back); its
    labeled row is left, saying the label was removed and the link is left too."""
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    run_a = hf.associate(_sheet(SHEET_A), client, journal=journal, **KW)
    report_a = hf.export_report(run_a, tmp / "a.xlsx")
    hf.remove_associations(_sheet([(1, 1, "Champion")]), client, journal=journal, **KW)
    champion = sb.type_id("deals", "contacts", "Champion")
    sb.associate("deals", DEALS[1], "contacts", CONTACTS[1], champion)  # a colleague's label
    undone = _undo(report_a, client)
    assert _held(sb) == {(DEALS[1], CONTACTS[1], 3), (DEALS[1], CONTACTS[1], champion)}, undone
    rows = undone.set_index("to_id")
    assert rows.loc[CONTACTS[0], "status"] == "success"
    assert rows.loc[CONTACTS[1], "status"] == "skipped"
    said = str(rows.loc[CONTACTS[1], "error_message"])
    assert "removed this label (it alone)" in said and "is left too" in said, said


def test_an_undo_of_run_b_gives_run_a_its_links_back(setting: Setting) -> None:
    """A links, sync B removes, B's report is undone (A's links made again): A's undo takes
    them back as before B, the portal ends as it was before A."""
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    start = _held(sb)
    run_a = hf.associate(_sheet(SHEET_A), client, journal=journal, **KW)
    report_a = hf.export_report(run_a, tmp / "a.xlsx")
    after_a = _held(sb)
    run_b = _remove_a("sync", client, journal)
    _undo(hf.export_report(run_b, tmp / "b.xlsx"), client)
    assert _held(sb) == after_a
    undone = _undo(report_a, client)
    assert (undone["status"] == "success").all(), undone.to_dict("records")
    assert _held(sb) == start


def test_a_run_linking_again_before_the_undo_of_run_b_keeps_its_links(setting: Setting) -> None:
    """A links, sync B removes, C links again, B's report is undone (nothing to make: C's
    links are there, and B's removal is not taken back by it): A's undo leaves C's links."""
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    run_a = hf.associate(_sheet(SHEET_A), client, journal=journal, **KW)
    report_a = hf.export_report(run_a, tmp / "a.xlsx")
    run_b = _remove_a("sync", client, journal)
    hf.associate(_sheet(SHEET_A), client, journal=journal, **KW)
    _undo(hf.export_report(run_b, tmp / "b.xlsx"), client)
    theirs = _held(sb)
    undone = _undo(report_a, client)
    assert _held(sb) == theirs, undone.to_dict("records")
    assert (undone["status"] == "skipped").all(), undone.to_dict("records")
    said = undone["error_message"].astype(str)  # run B's removal stands: its undo found C's
    assert said.str.contains("run 2 of the journal run.sqlite").all(), said.tolist()


@pytest.mark.parametrize("then_removed", [False, True])
def test_a_sync_removal_a_later_run_made_again_is_not_made_again(
    setting: Setting, then_removed: bool
) -> None:
    """The other way round: sync A removes a colleague's link, run C links the pair again
    (and sync D removes it again): A's undo leaves the pair as C (D) left it, naming run C
    (before, it made the link again: with D, what D had removed)."""
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])
    run_a = hf.sync(_sheet([(0, 2, "")]), client, allow_removals=True, journal=journal, **KW)
    report_a = hf.export_report(run_a, tmp / "a.xlsx")
    hf.associate(_sheet([(0, 0, "")]), client, journal=journal, **KW)
    if then_removed:
        hf.sync(_sheet([(0, 2, "")]), client, allow_removals=True, journal=journal, **KW)
    theirs = _held(sb)
    undone = _undo(report_a, client)
    assert {link for link in _held(sb) if link[:2] == PAIR_0} == {
        link for link in theirs if link[:2] == PAIR_0
    }, undone.to_dict("records")
    row = undone[undone["to_id"] == CONTACTS[0]].iloc[0]
    assert row["status"] == "skipped", row.to_dict()
    said = str(row["error_message"])
    assert "run 2 of the journal run.sqlite" in said and "made this association again" in said


@pytest.mark.parametrize("how", ["sync", "remove"])
def test_the_journal_undo_after_a_removal_leaves_a_colleagues_link(
    setting: Setting, how: str
) -> None:
    """An undo from the journal (every run's net change): A's link and B's removal cancel out,
    and what a colleague made since is left -- also a label put back on the link a sync B
    kept (before, the pair went whole with it: A's label row claimed the label)."""
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    hf.associate(_sheet(SHEET_A), client, journal=journal, **KW)
    _remove_a(how, client, journal)
    _link_again("by_hand", sb, client, journal)
    theirs = {link for link in _held(sb) if link[:2] in {PAIR_0, PAIR_1}}
    undone = _undo(journal, client)
    assert theirs <= _held(sb), undone.to_dict("records")


# --- seeded: runs, removals and undos sharing a journal ---------------------------------------


class _Portal:
    """The runs so far and who made each association present: a run (its number), a
    colleague (``hand``), or the portal before every run (``before``)."""

    def __init__(self, sb: Sandbox, client: HubSpotClient, tmp: Path) -> None:
        self.sb, self.client, self.tmp = sb, client, tmp
        self.journal = tmp / "run.sqlite"
        self.results: list[pd.DataFrame] = []
        self.kinds: list[str] = []
        self.owner: dict[Link, object] = dict.fromkeys(_held(sb), "before")
        self.removed: dict[int, dict[Link, object]] = {}  # run -> what it removed, whose
        self.log: list[str] = []

    def _changed(self, before: set[Link], by: object) -> None:
        after = _held(self.sb)
        for link in after - before:
            self.owner[link] = by
        gone = {link: self.owner.pop(link, None) for link in before - after}
        if isinstance(by, int):
            self.removed[by] = gone

    def run(self, kind: str, rows: list[tuple[int, int, str]]) -> None:
        before, number = _held(self.sb), len(self.results)
        self.log.append(f"run {number} {kind} {rows}")
        if kind == "associate":
            result = hf.associate(_sheet(rows), self.client, journal=self.journal, **KW)
        elif kind == "sync":
            sheet = _sheet(rows)
            result = hf.sync(sheet, self.client, allow_removals=True, journal=self.journal, **KW)
        else:
            result = hf.remove_associations(_sheet(rows), self.client, journal=self.journal, **KW)
        self.results.append(result)
        self.kinds.append(kind)
        self._changed(before, number)

    def by_hand(self, deal: int, contact: int, label: str) -> None:
        """A colleague links a pair (with a label) that is not linked."""
        if any(link[:2] == (DEALS[deal], CONTACTS[contact]) for link in _held(self.sb)):
            return
        self.log.append(f"hand {deal} {contact} {label!r}")
        before = _held(self.sb)
        type_id = self.sb.type_id("deals", "contacts", label) if label else None
        self.sb.associate("deals", DEALS[deal], "contacts", CONTACTS[contact], type_id)
        self._changed(before, "hand")

    def undo(self, number: int) -> None:
        """Undo run ``number``'s result table: it removes only what that run made (or was
        given back by an undo of a run that removed it), and what it makes again is its."""
        self.log.append(f"undo {number}")
        before = _held(self.sb)
        result = _undo(self.results[number], self.client)
        after = _held(self.sb)
        others = {link: self.owner.get(link) for link in before - after}
        others = {link: who for link, who in others.items() if who != number}
        assert not others, (self.log, others, result.to_dict("records"))
        for link in before - after:
            self.owner.pop(link, None)
        for link in after - before:  # given back: whose it was when the run removed it
            self.owner[link] = self.removed.get(number, {}).get(link, ("undo", number))


def _rows(rng: random.Random) -> list[tuple[int, int, str]]:
    """1-3 of the 4 pairs (deals 0-1 to contacts 0-1), labels mostly the pair's usual one."""
    pairs = rng.sample([(d, c) for d in range(2) for c in range(2)], rng.randint(1, 3))
    usual = ["", *LABELS]
    return [
        (d, c, usual[(d + c) % 3] if rng.random() < 0.7 else rng.choice(usual)) for d, c in pairs
    ]


@pytest.mark.parametrize("seed", seeds(6))
def test_an_undo_never_removes_what_its_run_did_not_make(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    sb, client = _portal(sandbox_factory)
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[3])  # there before every run
    portal = _Portal(sb, client, tmp_path)
    for _ in range(rng.randint(6, 9)):
        chance = rng.random()
        undoable = [n for n, k in enumerate(portal.kinds) if k != "remove"]
        if chance < 0.35:
            portal.run("associate", _rows(rng))
        elif chance < 0.5:
            portal.run("sync", _rows(rng))
        elif chance < 0.65:
            portal.run("remove", _rows(rng))
        elif chance < 0.75:
            d, c, label = _rows(rng)[0]
            portal.by_hand(d, c, label)
        elif undoable:
            portal.undo(rng.choice(undoable))
    for number in [n for n, k in enumerate(portal.kinds) if k != "remove"]:
        portal.undo(number)  # each run's undo, oldest first: each takes back only its own
