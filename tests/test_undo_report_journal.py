"""An undo of an .xlsx report uses the journal its Summary names, when it is the run's.

Before, an undo from a report file did not touch the journal (only an undo of the result table
or of the journal did): undo the report of a run that stopped early, run the sheet again with
its journal, and the rows the undo took back were reported ``success`` from the journal with
the portal holding none of them; undo the report, make a pair again by hand, undo the journal,
and the hand-made link was removed and reported ``success``.  The report's Summary now names
the journal's absolute path, and an undo of the report ends its open runs and keeps what it
took back -- when the file is there, is a hubframe journal of the undo's portal and sent rows
of the report.  Otherwise the undo goes on without it, warned.  A CSV report has no Summary.
"""

from __future__ import annotations

import shutil
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_400_000_001 + i) for i in range(6)]
CONTACTS = [str(6_400_000_001 + i) for i in range(6)]
KW = {"progress": False}
#: The warning of a report's journal left out (matched by its words: see _left_out).
LEFT_OUT = "its Summary names the journal"

Setting = tuple[Sandbox, HubSpotClient, Path]


def _portal(sb: Sandbox) -> Sandbox:
    sb.start()
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb = _portal(sandbox_factory(seed=None))
    sb.add_label("deals", "contacts", "Decision maker")
    return sb, client_for(sb), tmp_path / "run.sqlite"


def _sheet(rows: range, label: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Deal ID": [DEALS[n] for n in rows],
            "Contact ID": [CONTACTS[n] for n in rows],
            "Association label": [label] * len(rows),
        }
    )


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    return set(zip(found["from_id"].astype(str), found["to_id"].astype(str), strict=True))


def _report(run: pd.DataFrame, path: Path) -> Path:
    return hf.export_report(run, path)  # no settings: the run's own journal on the Summary


def _quiet_undo(run: object, client: HubSpotClient) -> pd.DataFrame:
    """An undo that must not warn of its report's journal."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=f".*{LEFT_OUT}")
        return hf.undo(run, client, **KW)  # type: ignore[arg-type]


def _journal_state(path: Path) -> tuple[int, int]:
    """(open runs, rows kept as taken back) of a journal."""
    with Journal(path) as journal:
        db = journal._db
        open_runs = int(db.execute("SELECT COUNT(*) FROM runs WHERE ended IS NULL").fetchone()[0])
        taken = int(db.execute("SELECT COALESCE(SUM(size), 0) FROM taken_back").fetchone()[0])
    return open_runs, taken


def test_a_run_after_an_undo_of_its_report_sends_the_rows_again(
    setting: Setting, tmp_path: Path
) -> None:
    """A run cancelled part way stays open in its journal; undone from its report, the next run
    with the journal sends the undone rows again (before: reported success, not there)."""
    sb, client, path = setting
    cancel = threading.Event()
    first = hf.associate(
        _sheet(range(6)), client, journal=path, batch_size=2, workers=1, cancel=cancel,
        on_progress=lambda rows: cancel.set(), **KW,  # type: ignore[arg-type]
    )  # fmt: skip
    assert 0 < int((first["status"] == "success").sum()) < 6
    _quiet_undo(_report(first, tmp_path / "first.xlsx"), client)
    assert _linked(sb) == set()
    again = hf.associate(_sheet(range(6)), client, journal=path, batch_size=2, **KW)
    assert (again["status"] == "success").all()
    assert len(_linked(sb)) == 6


@pytest.mark.parametrize("label", ["", "Decision maker"])
def test_a_link_made_again_after_its_reports_undo_is_kept_by_the_journals(
    setting: Setting, tmp_path: Path, label: str
) -> None:
    sb, client, path = setting
    run = hf.associate(_sheet(range(3), label), client, journal=path, **KW)
    undone = _quiet_undo(_report(run, tmp_path / "run.xlsx"), client)
    assert (undone["status"] == "success").all()
    sb.associate("deals", DEALS[1], "contacts", CONTACTS[1])  # by hand
    again = hf.undo(path, client, **KW)
    assert _linked(sb) == {(DEALS[1], CONTACTS[1])}  # before: removed, reported success
    assert not (again["status"] == "success").any()


def _summary(report: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(report)["Summary"]
    return {r[0]: r[1] for r in sheet.iter_rows(max_col=2, values_only=True) if r[0]}


def test_a_reports_summary_names_the_runs_journal_absolute(
    setting: Setting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From Python, without ``settings=``: the run's journal (before: not named at all), made
    absolute though given relative."""
    _, client, _ = setting
    monkeypatch.chdir(tmp_path)
    run = hf.associate(_sheet(range(1)), client, journal="j.sqlite", **KW)
    monkeypatch.chdir(tmp_path.parent)  # written from elsewhere: the run's path still
    assert _summary(_report(run, tmp_path / "r.xlsx"))["journal"] == str(tmp_path / "j.sqlite")


def test_the_command_line_report_names_the_journal_absolute_and_its_undo_uses_it(
    setting: Setting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--journal`` given relative: the Summary names it absolute, so an undo of the report
    from another working directory finds it."""
    sb, _, _ = setting
    hub = ["--token", sb.token, "--base-url", sb.url]
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir(), elsewhere.mkdir()
    _sheet(range(2)).to_csv(work / "pairs.csv", index=False)
    monkeypatch.chdir(work)
    assert (
        main(["associate", "pairs.csv", "--journal", "j.sqlite", "--report", "r.xlsx", *hub]) == 0
    )
    assert _summary(work / "r.xlsx")["journal"] == str(work / "j.sqlite")
    monkeypatch.chdir(elsewhere)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=f".*{LEFT_OUT}")
        assert main(["undo", str(work / "r.xlsx"), *hub]) == 0
    assert _linked(sb) == set()
    assert _journal_state(work / "j.sqlite")[1] == 2  # kept as taken back


def _other_portals_journal(
    sandbox_factory: Callable[..., Sandbox], path: Path, tmp_path: Path
) -> None:
    other = _portal(sandbox_factory(seed=None))
    spare = tmp_path / "other.sqlite"
    hf.associate(_sheet(range(3)), client_for(other), journal=spare, **KW)
    path.unlink()
    shutil.copyfile(spare, path)


def _replaced(how: str, path: Path, client: HubSpotClient, tmp_path: Path, factory: object) -> None:
    """The report's journal path made to hold something else than the run's journal."""
    if how == "missing":
        path.unlink()
    elif how == "not a journal":
        path.unlink()
        path.write_text("notes, not a journal\n", encoding="utf-8")
    elif how == "another portal's":
        _other_portals_journal(factory, path, tmp_path)  # type: ignore[arg-type]
    else:  # another sheet's journal of this portal, at the same path
        path.unlink()
        hf.associate(_sheet(range(4, 6)), client, journal=path, **KW)


def test_a_report_whose_journal_holds_none_of_its_rows_is_refused_until_it_is_moved(
    setting: Setting, tmp_path: Path
) -> None:
    """Another sheet's journal of this portal at the report's journal path, or the report's
    ids all edited since: which, cannot be told, and undone as it reads an edited report
    removes associations the run never made (before: warned, and undone).  Refused, nothing
    changed; once the file is moved away, undone without it, warned."""
    sb, client, path = setting
    run = hf.associate(_sheet(range(3)), client, journal=path, **KW)
    report = _report(run, tmp_path / "run.xlsx")
    _replaced("another sheet's", path, client, tmp_path, None)
    before, linked = path.read_bytes(), _linked(sb)
    with pytest.raises(hf.InputError, match="holds none of the rows") as caught:
        hf.undo(report, client, **KW)
    assert "move it away and undo again" in str(caught.value)
    assert path.read_bytes() == before and _linked(sb) == linked
    path.rename(tmp_path / "other.sqlite")
    with pytest.warns(UserWarning, match=LEFT_OUT):
        undone = hf.undo(report, client, **KW)
    assert (undone["status"] == "success").all()
    assert _linked(sb) <= {(DEALS[n], CONTACTS[n]) for n in (4, 5)}  # the run's three gone


@pytest.mark.parametrize("how", ["missing", "not a journal", "another portal's"])
def test_a_report_whose_journal_is_not_the_runs_is_undone_warned_leaving_that_file(
    setting: Setting, tmp_path: Path, sandbox_factory: Callable[..., Sandbox], how: str
) -> None:
    """The report moved to another machine, or the path given to another journal: the undo
    takes the run back, says the journal was left out, and changes nothing in that file."""
    sb, client, path = setting
    run = hf.associate(_sheet(range(3)), client, journal=path, **KW)
    report = _report(run, tmp_path / "run.xlsx")
    _replaced(how, path, client, tmp_path, sandbox_factory)
    before = path.read_bytes() if path.exists() else None
    with pytest.warns(UserWarning, match=LEFT_OUT) as caught:
        undone = hf.undo(report, client, **KW)
    assert str(path) in str(caught[0].message)
    assert (undone["status"] == "success").all()
    assert _linked(sb) <= {(DEALS[n], CONTACTS[n]) for n in (4, 5)}  # the run's three gone
    assert (path.read_bytes() if path.exists() else None) == before  # not written, not made


def test_a_csv_report_leaves_the_journal_as_before(setting: Setting, tmp_path: Path) -> None:
    """A CSV report has no Summary: its undo names no journal and touches none (guard)."""
    sb, client, path = setting
    cancel = threading.Event()
    first = hf.associate(
        _sheet(range(6)), client, journal=path, batch_size=2, workers=1, cancel=cancel,
        on_progress=lambda rows: cancel.set(), **KW,  # type: ignore[arg-type]
    )  # fmt: skip
    state = _journal_state(path)
    assert state == (1, 0)
    _quiet_undo(hf.export_report(first, tmp_path / "first.csv"), client)
    assert _linked(sb) == set()
    assert _journal_state(path) == state


def test_a_reports_summary_says_a_type_the_read_inferred(tmp_path: Path) -> None:
    """The read took the records' type from the export's file name: the report says so (it
    said nothing, in Python, the command line or the app), and says nothing of a type given."""
    path = tmp_path / "hubspot-crm-exports-all-deals-2026-11-29.csv"
    path.write_text(f"Record ID,Associated Contact IDs\n{DEALS[0]},{CONTACTS[0]}\n")
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("contacts", CONTACTS)
        client = client_for(sb)
        inferred = hf.associate(hf.read_pairs(path), client, dry_run=True, **KW)
        given = hf.associate(hf.read_pairs(path, from_type="deals"), client, dry_run=True, **KW)
    said = _summary(_report(inferred, tmp_path / "inferred.xlsx"))
    assert said["from type"] == f"deals, inferred from the file name {path.name}"
    assert "from type" not in _summary(_report(given, tmp_path / "given.xlsx"))


#: Spellings an analyst's edit (or Excel) gives the cells a journal keys a row by, each read by
#: the undo as the run wrote it: the rows it takes back must be found in the journal too.
RETYPED = {
    "category": ["user_defined", "User Defined", " USER_DEFINED ", "user-defined"],
    "from_type": ["Deal", "DEALS", "0-3", " deal "],
    "to_type": ["Contact", "contacts ", "0-1"],
    "from_id": [int, float, lambda v: f" {v} "],
    "to_id": [int, float],
    "action": [str.upper, str.title],
}


def _retype(report: Path, edits: dict[str, object]) -> None:
    book = openpyxl.load_workbook(report)
    sheet = book["Results"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=False))
        for column, edit in edits.items():
            cell = cells[column]
            cell.value = edit(str(cell.value)) if callable(edit) else edit
    book.save(report)


@pytest.mark.parametrize("seed", range(6))
def test_a_report_retyped_by_hand_keeps_what_its_undo_took_back(
    setting: Setting, tmp_path: Path, seed: int
) -> None:
    """Before: a report whose category cells were retyped ('user_defined') was undone, but
    its rows were keyed as written, found in no journal entry: the journal was left out
    (warned) and a later undo from it removed a link made again by hand since."""
    import random

    sb, client, path = setting
    rng = random.Random(seed)
    edits = {c: rng.choice(spellings) for c, spellings in RETYPED.items() if rng.random() < 0.7}
    edits.setdefault("category", rng.choice(RETYPED["category"]))
    run = hf.associate(_sheet(range(3), "Decision maker"), client, journal=path, **KW)
    report = _report(run, tmp_path / "run.xlsx")
    _retype(report, edits)
    undone = _quiet_undo(report, client)
    assert (undone["status"] == "success").all(), edits
    assert (undone["category"] == "USER_DEFINED").all(), undone  # as it was sent
    assert _journal_state(path) == (0, 3), edits
    sb.associate("deals", DEALS[1], "contacts", CONTACTS[1])  # by hand
    hf.undo(path, client, **KW)
    assert _linked(sb) == {(DEALS[1], CONTACTS[1])}, edits
