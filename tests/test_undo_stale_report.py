"""The undo of a stopped run's report after a resume of that run sent more: refused.

A run stopped (Ctrl-C, the day's limit) writes its report and stays open in its journal; the
same command again resumes it, and when that resume is killed (or stopped without its report
written over the first), the journal holds sends the report never heard of.  Before, the undo
of the report (or of the first run's result table) took back the report's rows, ended the
resume's run too as "undone", and left every link the resume made in HubSpot, exit 0, nothing
said; the sheet run again did not resume.  Now such an undo is refused before anything is sent,
naming how many record pairs the journal holds beyond the report and ``hubframe undo
JOURNAL``, which takes them back; the runs stay open.  A report that lists everything its
runs sent (a resume that finished, one that sent nothing more) is undone as before, and an
open run of another sheet stays open and untouched.

The stops are driven by ``cancel`` (once the portal holds a given number of pairs more) and
by the day's limit with the answers lost (rows of unknown outcome: maybe applied).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.hubspot.client import HubSpotClient
from hubframe.report.reader import NotUndone
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_810_000_001 + i) for i in range(30)]
CONTACTS = [str(6_810_000_001 + i) for i in range(30)]
LABEL = "Decision maker"
KW = {"progress": False}

Setting = tuple[Sandbox, HubSpotClient, Path]
Pair = tuple[str, str]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    sb.add_label("deals", "contacts", LABEL)
    return sb, client_for(sb), tmp_path / "run.sqlite"


def _sheet(rows: range, labeled: Callable[[int], bool] = lambda n: n % 2 == 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Deal ID": [DEALS[n] for n in rows],
            "Contact ID": [CONTACTS[n] for n in rows],
            "Association label": [LABEL if labeled(n) else "" for n in rows],
        }
    )


def _links(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    cells = found[["from_id", "to_id", "type_id"]].itertuples(index=False)
    return {(str(f), str(t), int(k)) for f, t, k in cells}


def _pairs(sb: Sandbox) -> set[Pair]:
    return {(f, t) for f, t, _ in _links(sb)}


def _stopped(
    sb: Sandbox, sheet: pd.DataFrame, client: HubSpotClient, path: Path, more: int
) -> pd.DataFrame:
    """A run of the sheet with the journal, one batch at a time, cancelled once the portal
    holds ``more`` pairs more than when it started (0: cancelled before it sends)."""
    cancel = threading.Event()
    base = len(_pairs(sb))
    if more == 0:
        cancel.set()

    def progress(rows: int) -> None:
        if len(_pairs(sb)) - base >= more:
            cancel.set()

    run = hf.associate(
        sheet, client, journal=path, batch_size=2, workers=1, cancel=cancel,
        on_progress=progress, **KW,  # type: ignore[arg-type]
    )  # fmt: skip
    assert (run["error_code"] == "CANCELLED").any(), run  # stopped, not finished
    return run


def _applied(run: pd.DataFrame) -> set[Pair]:
    """The pairs a run's table says HubSpot applied, or may have."""
    acted = (run["status"] == "success") | (run["error_code"] == "UNKNOWN_OUTCOME")
    rows = run.loc[acted, ["from_id", "to_id"]].astype(str).itertuples(index=False)
    return {(f, t) for f, t in rows}


def _runs(path: Path) -> list[tuple[int, str | None]]:
    with sqlite3.connect(path) as db:
        return [(int(r), e) for r, e in db.execute("SELECT id, ended FROM runs ORDER BY id")]


def _open(path: Path) -> list[int]:
    return [run for run, ended in _runs(path) if ended is None]


def _source(run: pd.DataFrame, how: str, tmp_path: Path) -> pd.DataFrame | Path:
    """The run undone from its result table, or from its .xlsx report (whose Summary names
    the journal)."""
    return run if how == "table" else hf.export_report(run, tmp_path / f"report-{id(run)}.xlsx")


def _refused(source: object, client: HubSpotClient, beyond: int, path: Path) -> str:
    """The undo (and its dry run) refused, naming the pairs beyond the report and the undo
    from the journal."""
    for dry_run in (True, False):
        with pytest.raises(InputError) as refused:
            hf.undo(source, client, dry_run=dry_run, **KW)  # type: ignore[arg-type]
        said = str(refused.value)
        noun = "record pair" if beyond == 1 else "record pairs"
        assert f"holds {beyond} {noun}" in said, said
        assert f"hubframe undo {path}" in said and "Nothing was changed" in said, said
    return said


def _undo_journal(path: Path, client: HubSpotClient) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotUndone)
        return hf.undo(path, client, **KW)


@pytest.mark.parametrize("how", ["table", "xlsx"])
def test_an_undo_of_a_stopped_runs_report_its_resume_sent_more_beyond_is_refused(
    setting: Setting, tmp_path: Path, how: str
) -> None:
    """Before: exit 0, the report's rows taken back, the resume's links left, both runs ended."""
    sb, client, path = setting
    sheet = _sheet(range(16))
    first = _stopped(sb, sheet, client, path, 2)
    source = _source(first, how, tmp_path)
    _stopped(sb, sheet, client, path, 2)  # the resume, its report not written over the first's
    held, runs = _links(sb), _runs(path)
    beyond = _pairs(sb) - _applied(first)
    assert beyond
    _refused(source, client, len(beyond), path)
    assert _links(sb) == held  # nothing sent
    assert _runs(path) == runs  # no run ended: the sheet run again resumes them
    _undo_journal(path, client)
    assert _links(sb) == set()  # the way out the refusal names takes everything back


def test_rows_of_unknown_outcome_a_resume_left_are_beyond_the_report(
    setting: Setting, tmp_path: Path
) -> None:
    """The resume stopped by the day's limit with its answers lost: rows maybe applied (here
    applied), which the first run's report does not list."""
    sb, client, path = setting
    sheet = _sheet(range(12), labeled=lambda n: False)
    first = _stopped(sb, sheet, client, path, 2)
    report = _source(first, "xlsx", tmp_path)
    sb.set_faults(lost_response_rate=1.0, writes_only=True)
    sb.set_daily_limit(3)  # the read before, the write, then nothing: its check refused
    second = hf.associate(
        sheet, client_for(sb, max_retries=0), journal=path, batch_size=2, workers=1, **KW
    )
    sb.set_faults()
    sb.set_daily_limit(None)
    unknown = second["error_code"] == "UNKNOWN_OUTCOME"
    assert unknown.any(), second
    beyond = _applied(second) - _applied(first)  # one batch out at a time: it landed
    assert beyond and beyond == _applied(second[unknown]) == _pairs(sb) - _applied(first)
    held = _links(sb)
    _refused(report, client, len(beyond), path)
    assert _links(sb) == held
    _undo_journal(path, client)
    assert _links(sb) == set()


def test_the_command_line_refuses_with_exit_2_and_names_the_journals_undo(
    setting: Setting, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sb, client, path = setting
    hub = ["--token", sb.token, "--base-url", sb.url]
    sheet = _sheet(range(14))
    first = _stopped(sb, sheet, client, path, 3)
    report = hf.export_report(first, tmp_path / "r.xlsx")
    _stopped(sb, sheet, client, path, 2)
    held = _links(sb)
    capsys.readouterr()
    assert main(["undo", str(report), *hub]) == 2
    err = capsys.readouterr().err
    assert f"hubframe undo {path}" in err and "record pair" in err, err
    assert _links(sb) == held
    assert main(["undo", str(path), *hub]) == 0
    assert _links(sb) == set()


@pytest.mark.parametrize("how", ["table", "xlsx"])
def test_a_report_that_lists_everything_its_runs_sent_is_undone_as_before(
    setting: Setting, tmp_path: Path, how: str
) -> None:
    """A resume that sent nothing more (cancelled before it sent), and a resume that finished
    undone from its own report: taken back, and another sheet's open run left open with its
    links."""
    sb, client, path = setting
    other = _stopped(sb, _sheet(range(20, 26)), client, path, 2)  # another sheet, left open
    theirs, their_run = _pairs(sb), _open(path)
    assert _applied(other) == theirs and len(their_run) == 1
    sheet = _sheet(range(12))
    first = _stopped(sb, sheet, client, path, 2)
    _stopped(sb, sheet, client, path, 0)  # resumed, cancelled before it sent anything
    done = hf.undo(_source(first, how, tmp_path), client, **KW)
    assert set(done["status"]) <= {"success", "skipped"}, done
    assert _pairs(sb) == theirs  # the run's taken back, the other sheet's kept
    assert set(their_run) <= set(_open(path))  # the other sheet's run still to be resumed
    stopped = _stopped(sb, sheet, client, path, 2)
    finished = hf.associate(sheet, client, journal=path, batch_size=2, **KW)  # its resume
    assert (finished["status"] == "success").all() and _applied(stopped) <= _applied(finished)
    done = hf.undo(_source(finished, how, tmp_path), client, **KW)
    assert (done["status"] == "success").all(), done
    assert _pairs(sb) == theirs
    assert set(their_run) <= set(_open(path))


@pytest.mark.parametrize("seed", seeds(4))
def test_wherever_the_stops_fall_an_undo_of_the_first_report_leaves_nothing_unsaid(
    setting: Setting, tmp_path: Path, seed: int
) -> None:
    """Seeded: the rows, their labels, where the first run and its resume stop (the resume
    perhaps before it sent anything), the undo from the table or the report, another sheet's
    run open beside.  The undo of the first run's report either takes everything back or is
    refused with nothing changed, naming as many pairs as the resume's beyond the report; the
    journal's undo then leaves the portal as before, the other sheet's pairs kept."""
    sb, client, path = setting
    rng = random.Random(seed)
    theirs: set[Pair] = set()
    their_run: list[int] = []
    if rng.random() < 0.5:
        _stopped(sb, _sheet(range(24, 30)), client, path, 2)
        theirs, their_run = _pairs(sb), _open(path)
    size = rng.randint(20, 24)
    labels = [rng.random() < 0.4 for _ in range(size)]
    sheet = _sheet(range(size), labeled=lambda n: labels[n])
    first = _stopped(sb, sheet, client, path, rng.randint(1, 3))
    source = _source(first, rng.choice(["table", "xlsx"]), tmp_path)
    _stopped(sb, sheet, client, path, 0 if seed % 3 == 1 else rng.randint(1, 3))
    held, runs = _links(sb), _runs(path)
    beyond = _pairs(sb) - theirs - _applied(first)
    if beyond:
        _refused(source, client, len(beyond), path)
        assert _links(sb) == held and _runs(path) == runs
        _undo_journal(path, client)
        assert _pairs(sb) == set()  # every run of the journal, the other sheet's too
    else:
        hf.undo(source, client, **KW)  # type: ignore[arg-type]
        assert _pairs(sb) == theirs
        assert set(their_run) <= set(_open(path))
