"""An undo of a report takes back what the report's run wrote, never another run's.

A journal is shared by the runs of a portal (as advised), and an undo of a run's report
consults it.  Before, it held the report's rows to what *any* run of the journal wrote:

* run A linked its pairs, an undo of report A took them back, run B linked the same pairs
  (same journal); undoing report A a second time removed all of run B's links, each row
  ``success``, exit 0 (a row a later run sent again was "the journal's to take back");
* a row of report A whose ids were typed over with a pair run B created passed the check
  against edited ids, and the undo removed run B's link;
* a row whose label and type id were retyped (Champion 1003 -> Decision maker 1001) passed
  it too (the check went by the pair alone): the row ended ``NOT_ASSOCIATED``, calling the
  link "someone else's", and the run's Champion label and link stayed.

Now a report's run is known (``RunFacts.journal_run``; the Summary's ``journal run``), with the
runs it resumed; its rows are held to what those runs wrote, pair and association type; a row
a later run wrote again after an undo took it back is left, naming that run.
"""

from __future__ import annotations

import random
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds
from test_journal_between import deals_and_contacts

import hubframe as hf
from hubframe.errors import InputError
from hubframe.hubspot.client import HubSpotClient
from hubframe.report.reader import NotUndone
from hubframe.sandbox import Sandbox

DEALS = [str(5_700_000_001 + i) for i in range(4)]
CONTACTS = [str(6_700_000_001 + i) for i in range(4)]
LABELS = ("Champion", "Decision maker")
KW = {"progress": False}

Link = tuple[str, str, int]
Setting = tuple[Sandbox, HubSpotClient, Path]


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


SHEET = [(0, 0, ""), (1, 1, "Champion"), (2, 2, "Decision maker")]


def _undo(source: object, client: HubSpotClient) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotUndone)
        return hf.undo(source, client, **KW)  # type: ignore[arg-type]


def _edit(path: Path, row: int, cells: dict[str, object]) -> Path:
    """The report at ``path`` with cells of its Results row ``row`` (0: the first) typed over,
    as an analyst does in Excel, saved as a copy."""
    book = openpyxl.load_workbook(path)
    sheet = book["Results"]
    columns = {c.value: c.column for c in sheet[1]}
    for name, value in cells.items():
        sheet.cell(row + 2, columns[name]).value = value
    edited = path.with_name(f"edited-{path.name}")
    book.save(edited)
    return edited


# --- the prober's cases ---------------------------------------------------------------------


def test_a_second_undo_of_report_a_leaves_what_run_b_linked_again(setting: Setting) -> None:
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    run_a = hf.associate(_sheet(SHEET), client, journal=journal, **KW)
    report_a = hf.export_report(run_a, tmp / "a.xlsx")
    _undo(report_a, client)
    assert _held(sb) == set()
    run_b = hf.associate(_sheet(SHEET), client, journal=journal, **KW)
    theirs = _held(sb)
    assert len(theirs) == 5, run_b  # one plain link, two labels with their links
    again = _undo(report_a, client)
    assert _held(sb) == theirs, again
    assert (again["status"] == "skipped").all(), again
    assert again["error_code"].isna().all(), again
    said = again["error_message"].astype(str)
    assert said.str.contains("run 3 of the journal run.sqlite").all(), said.tolist()
    assert said.str.contains(f"hubframe undo {journal}", regex=False).all(), said.tolist()
    taken = _undo(hf.export_report(run_b, tmp / "b.xlsx"), client)  # run B's report takes it
    assert _held(sb) == set(), taken
    assert (taken["status"] == "success").all(), taken


@pytest.mark.parametrize("where", ["xlsx", "table"])
def test_a_row_typed_over_with_a_pair_another_run_made_is_refused(
    setting: Setting, where: str
) -> None:
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    run_a = hf.associate(_sheet(SHEET), client, journal=journal, **KW)
    hf.associate(_sheet([(3, 3, "")]), client, journal=journal, **KW)
    now = _held(sb)
    assert (DEALS[3], CONTACTS[3], 3) in now
    ids = {"Deal ID": DEALS[3], "from_id": DEALS[3], "Contact ID": CONTACTS[3]}
    ids["to_id"] = CONTACTS[3]
    source: object
    if where == "xlsx":
        source = _edit(hf.export_report(run_a, tmp / "a.xlsx"), 0, ids)
    else:
        source = run_a.copy()
        for name, value in ids.items():
            source.loc[0, name] = value  # type: ignore[union-attr]
    with pytest.raises(InputError, match=r"row 2 \(deals 5700000004 -> contacts 6700000004\)"):
        _undo(source, client)
    assert _held(sb) == now


@pytest.mark.parametrize("where", ["xlsx", "table"])
def test_a_row_whose_label_and_type_id_were_retyped_is_refused(
    setting: Setting, where: str
) -> None:
    sb, client, tmp = setting
    run = hf.associate(_sheet(SHEET), client, journal=tmp / "run.sqlite", **KW)
    now = _held(sb)
    champion, decision = (int(sb.type_id("deals", "contacts", label)) for label in LABELS)
    cells = {"Association label": LABELS[1], "label": LABELS[1], "type_id": decision}
    source: object
    if where == "xlsx":
        source = _edit(hf.export_report(run, tmp / "a.xlsx"), 1, cells)
    else:
        source = run.copy()
        for name, value in cells.items():
            source.loc[1, name] = value  # type: ignore[union-attr]
    with pytest.raises(InputError) as refused:
        _undo(source, client)
    said = str(refused.value)
    assert "row 3 (deals 5700000002 -> contacts 6700000002)" in said, said
    assert f"type {champion} between these two records, not of type {decision}" in said, said
    assert "a label or type_id cell changed" in said, said
    assert _held(sb) == now


# --- what the old rule kept right -------------------------------------------------------------


def test_the_report_of_a_resumed_run_takes_back_the_runs_it_resumed(setting: Setting) -> None:
    """A run stopped part way and resumed by the same sheet: the resuming run's report holds
    the first run's rows too, and its undo takes them back."""
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    cancel = threading.Event()
    first = hf.associate(
        _sheet(SHEET),
        client,
        journal=journal,
        batch_size=1,
        workers=1,
        cancel=cancel,
        on_progress=lambda rows: cancel.set(),
        **KW,
    )
    assert (first["status"] != "success").any(), first
    resumed = hf.associate(_sheet(SHEET), client, journal=journal, **KW)
    assert (resumed["status"] == "success").all(), resumed
    undone = _undo(hf.export_report(resumed, tmp / "r.xlsx"), client)
    assert (undone["status"] == "success").all(), undone
    assert _held(sb) == set()


def test_the_journal_takes_back_what_every_run_wrote(setting: Setting) -> None:
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    run_a = hf.associate(_sheet(SHEET), client, journal=journal, **KW)
    _undo(run_a, client)
    hf.associate(_sheet(SHEET), client, journal=journal, **KW)
    hf.associate(_sheet([(3, 3, "Champion")]), client, journal=journal, **KW)
    _undo(journal, client)
    assert _held(sb) == set()


# --- seeded: runs sharing a journal, undos of their reports in any order -----------------------


class _Portal:
    """The runs so far, their reports, and which run last made each association."""

    def __init__(self, sb: Sandbox, client: HubSpotClient, tmp: Path) -> None:
        self.sb, self.client, self.tmp = sb, client, tmp
        self.reports: list[Path] = []
        self.made: dict[Link, int] = {}  # association -> the run that last made it
        self.undone: set[int] = set()
        self.in_order = True  # every undo so far took back the newest run left, or an undone one

    def run(self, rows: list[tuple[int, int, str]]) -> None:
        before = _held(self.sb)
        result = hf.associate(_sheet(rows), self.client, journal=self.tmp / "run.sqlite", **KW)
        number = len(self.reports)
        self.reports.append(hf.export_report(result, self.tmp / f"run{number}.xlsx"))
        for link in _held(self.sb) - before:
            self.made[link] = number

    def undo(self, number: int, edit: dict[str, object] | None, row: int) -> None:
        """Undo run ``number``'s report (with ``edit`` typed over its row ``row``): it removes
        only what that run made, and nothing when refused as edited."""
        left = [n for n in range(len(self.reports)) if n not in self.undone]
        self.in_order = self.in_order and (number in self.undone or number == max(left))
        source = self.reports[number] if edit is None else _edit(self.reports[number], row, edit)
        before = _held(self.sb)
        try:
            result = _undo(source, self.client)
        except InputError as exc:
            assert edit is not None, exc
            assert _held(self.sb) == before
            return
        removed = before - _held(self.sb)
        others = {link: self.made.get(link) for link in removed if self.made.get(link) != number}
        assert not others, (number, edit, others, result.to_dict("records"))
        if edit is None:
            self.undone.add(number)


def _rows(rng: random.Random) -> list[tuple[int, int, str]]:
    """A sheet of 2-4 of the portal's 6 pairs (deals 0-1 to contacts 1-3), labels mostly as
    the pair's usual one: later runs send many of the same rows again."""
    pairs = rng.sample([(d, c) for d in range(2) for c in range(1, 4)], rng.randint(2, 4))
    usual = ["", *LABELS]
    return [
        (d, c, usual[(d + c) % 3] if rng.random() < 0.7 else rng.choice(usual)) for d, c in pairs
    ]


def _edit_of(
    rng: random.Random, rows: list[tuple[int, int, str]], sb: Sandbox
) -> dict[str, object]:
    """One cell of a row retyped: its contact (the sheet's column and the run's), or its label
    (with its type id)."""
    if rng.random() < 0.5:
        contact = CONTACTS[rng.randrange(len(CONTACTS))]
        return {"Contact ID": contact, "to_id": contact}
    label = rng.choice(LABELS)
    return {
        "Association label": label,
        "label": label,
        "type_id": int(sb.type_id("deals", "contacts", label)),
    }


def _target(rng: random.Random, portal: _Portal) -> int:
    """The report to undo next: the newest, one undone already (shell history), or any."""
    chance, undone = rng.random(), sorted(portal.undone)
    if chance < 0.4:
        return len(portal.reports) - 1
    if chance < 0.8 and undone:
        return rng.choice(undone)
    return rng.randrange(len(portal.reports))


@pytest.mark.parametrize("seed", seeds(10))
def test_undos_of_reports_take_back_only_their_runs(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    sb, client = _portal(sandbox_factory)
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[3])  # there before every run
    start = _held(sb)
    portal = _Portal(sb, client, tmp_path)
    sheets: list[list[tuple[int, int, str]]] = []
    for _ in range(rng.randint(2, 3)):
        sheets.append(_rows(rng))
        portal.run(sheets[-1])
        for _ in range(rng.randint(1, 2)):  # the newest report, one undone (again), or any
            number = _target(rng, portal)
            edit = _edit_of(rng, sheets[number], sb) if rng.random() < 0.3 else None
            portal.undo(number, edit, rng.randrange(len(sheets[number])))
    for number in reversed(range(len(portal.reports))):
        portal.undo(number, None, 0)
    if portal.in_order:
        assert _held(sb) == start, (seed, sheets)
