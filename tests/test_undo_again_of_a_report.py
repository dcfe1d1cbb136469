"""A second undo of a run's report leaves what its journal records an earlier undo took back.

An undo stopped part way (HubSpot answering 5xx, a Ctrl-C) says to run the undo again, of
the same report.  Its rows taken back are kept in the run's journal (table ``taken_back``),
and an undo from the journal leaves them alone; an undo of the report (an ``.xlsx`` whose
Summary names the journal, or the fresh result table) read only its cells, which still say
the run made the link on a pair with nothing before: a colleague's link made again since was
removed and reported ``success``.  Now such a row is ``skipped`` (no code: nothing of the run
is left to take back), nothing sent, whichever source the first undo and the second had, and
the dry run of the second says what the real one does.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_journal_between import deals_and_contacts

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.report.reader import NotUndone
from hubframe.sandbox import Sandbox

DEALS = [str(5_500_000_001 + i) for i in range(4)]
CONTACTS = [str(6_500_000_001 + i) for i in range(4)]
LABELS = ["Decision maker", "", "Decision maker", ""]  # labeled and unlabeled rows
KW = {"progress": False}

Setting = tuple[Sandbox, HubSpotClient, Path]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb, client = deals_and_contacts(sandbox_factory, DEALS, CONTACTS, "Decision maker")
    return sb, client, tmp_path


def _sheet() -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Association label": LABELS})


def _held(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    rows = found[["from_id", "to_id", "type_id"]].itertuples(index=False)
    return {(str(f), str(t), int(k)) for f, t, k in rows}


def _source(kind: str, run: pd.DataFrame, tmp: Path) -> object:
    """The run as an undo is given it: its .xlsx report, its result table, or its journal."""
    if kind == "xlsx":
        return hf.export_report(run, tmp / "r.xlsx")
    return tmp / "run.sqlite" if kind == "journal" else run


def _undo(source: object, client: HubSpotClient, **options: object) -> pd.DataFrame:
    with warnings.catch_warnings():  # a journal with nothing left: said, not asserted here
        warnings.simplefilter("ignore", NotUndone)
        return hf.undo(source, client, **KW, **options)  # type: ignore[arg-type]


def _first_undo(source: object, client: HubSpotClient, stopped: bool) -> set[int]:
    """The first undo, whole or stopped after its first batch (cancelled, as by Ctrl-C):
    the positions of the run's rows it took back."""
    options: dict[str, object] = {}
    if stopped:
        cancel = threading.Event()
        options = {"batch_size": 1, "workers": 1, "cancel": cancel}
        options["on_progress"] = lambda rows: cancel.set()
    undone = _undo(source, client, **options)
    done = undone.loc[undone["status"] == "success", "from_id"].astype(str)
    taken = {DEALS.index(deal) for deal in done}  # a journal's rows come in the order sent
    assert taken and (not stopped or len(taken) < len(DEALS)), undone
    return taken


def _again(sb: Sandbox, taken: set[int]) -> set[tuple[str, str, int]]:
    """The colleague links the pairs taken back again, as the run did (label and all): the
    links of theirs."""
    for n in taken:
        type_id = sb.type_id("deals", "contacts", LABELS[n] or None)
        sb.associate("deals", DEALS[n], "contacts", CONTACTS[n], type_id)
    return {entry for entry in _held(sb) if DEALS.index(entry[0]) in taken}


@pytest.mark.parametrize("stopped", [False, True], ids=["whole", "stopped"])
@pytest.mark.parametrize("first", ["xlsx", "table", "journal"])
@pytest.mark.parametrize("second", ["xlsx", "table"])
def test_a_second_undo_of_the_report_keeps_what_the_first_took_back(
    setting: Setting, first: str, second: str, stopped: bool
) -> None:
    sb, client, tmp = setting
    run = hf.associate(_sheet(), client, journal=tmp / "run.sqlite", **KW)
    assert (run["status"] == "success").all(), run
    source = _source(second, run, tmp)  # written before any undo: as the run left it
    taken = _first_undo(_source(first, run, tmp), client, stopped)
    theirs = _again(sb, taken)
    now = _held(sb)
    planned = _undo(source, client, dry_run=True)
    assert _held(sb) == now
    undone = _undo(source, client)
    assert _held(sb) == theirs  # the colleague's links kept; the run's others taken back
    skipped = undone["from_id"].astype(str).isin([DEALS[n] for n in taken]).to_numpy()
    assert (undone.loc[skipped, "status"] == "skipped").all(), undone
    assert undone.loc[skipped, "error_code"].isna().all(), undone
    assert (undone.loc[~skipped, "status"] == "success").all(), undone
    assert planned["status"].replace({"planned": "success"}).tolist() == undone["status"].tolist()
    assert planned["error_code"].equals(undone["error_code"]), (planned, undone)


def test_a_row_a_later_run_sent_again_is_the_journals_to_take_back(setting: Setting) -> None:
    """The journal's rule: a row taken back and then sent again by a later run of the journal
    is the journal's again (an undo from the journal takes it)."""
    sb, client, tmp = setting
    run = hf.associate(_sheet(), client, journal=tmp / "run.sqlite", **KW)
    _undo(run, client)
    assert _held(sb) == set()
    hf.associate(_sheet(), client, journal=tmp / "run.sqlite", **KW)
    undone = _undo(tmp / "run.sqlite", client)
    assert _held(sb) == set(), undone
    assert (undone["status"] == "success").all(), undone


@pytest.mark.parametrize("second", ["xlsx", "table"])
def test_a_row_a_later_run_sent_again_is_that_runs_not_the_earlier_reports(
    setting: Setting, second: str
) -> None:
    """From the earlier run's report (or table), such a row is the later run's: left, saying
    which run sent it again and how to take it back; that run's report takes it back.  (This
    test said before that the earlier report took it back, "as from the journal": a second
    undo of run A's report removed run B's links, reported success.)"""
    sb, client, tmp = setting
    run = hf.associate(_sheet(), client, journal=tmp / "run.sqlite", **KW)
    source = _source(second, run, tmp)
    _undo(run, client)
    again = hf.associate(_sheet(), client, journal=tmp / "run.sqlite", **KW)
    theirs = _held(sb)
    assert theirs, again
    undone = _undo(source, client)
    assert _held(sb) == theirs, undone
    assert (undone["status"] == "skipped").all(), undone
    said = undone["error_message"].astype(str)
    assert said.str.contains("run 3 of the journal run.sqlite").all(), said.tolist()
    assert said.str.contains("undo that run's report, or the journal").all(), said.tolist()
    later = _undo(hf.export_report(again, tmp / "b.xlsx") if second == "xlsx" else again, client)
    assert _held(sb) == set(), later
    assert (later["status"] == "success").all(), later
