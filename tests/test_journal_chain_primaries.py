"""Over a chain of stopped and resumed runs of one sheet, a row's ``primary_before`` (and what an
undo does with it) is the record's primary company before the chain first sent its row.

Before, a resumed run took the first reading of a record's primary company by the runs it
resumed: run 1 read deal D's primary company P1 and was stopped before sending D's row (which
makes company N its primary), a colleague moved D's primary to P2 by hand, run 2 read P2, sent
D's row and was stopped too, and run 3 reported the first reading of each company's pair:
``primary_before`` "P1 P2", and the undo of its result table, ``.xlsx`` or ``.csv`` report
told to put both back as primary; the undo of the journal, which merged the readings of the run
that applied the row and the runs it resumed company by company, said the same.  When the
colleague took D's primary off instead, run 3 reported P1 and every undo left D's row as one
that moved a primary, not a first primary to take back.  And a record a row of which the chain
sent without setting its primary (an unlabeled row of the same pair) was taken for one whose
primary the chain had set: run 2 went by run 1's reading, not the colleague's move.  A resumed
run now goes, of each record whose primary the chain set (or may have), by the last reading
taken up to the first run of the chain that sent such a row of it, and reads the others again;
the undo of the journal goes by the last run (of the one that applied the row and those it
resumed) that read the record.  A primary moved to P2 from none was already told right (the
first reading of P2's pair is run 2's): kept here as a case.

Against a sandbox over HTTP; a run stopped by its ``cancel`` event stands in for a killed one
(both leave the run open, to be resumed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds
from test_journal_chain_readings import stopped_after, undo_from

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_700_000_001 + i) for i in range(6)]
COMPANIES = [str(7_700_000_001 + i) for i in range(4)]
NEW, P1, P2 = COMPANIES[:3]
PRIMARY = 5  # deals -> companies
SOURCES = ("table", "report", "csv", "journal")
Row = tuple[str, str, str]
Pair = tuple[str, str]


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("companies", COMPANIES)
        yield sb


def primaries(sb: Sandbox) -> dict[str, frozenset[str]]:
    """Each deal's primary companies (none: an empty set)."""
    found = sb.associations("deals", "companies")
    out: dict[str, set[str]] = {d: set() for d in DEALS}
    for d, c, t in zip(found["from_id"], found["to_id"], found["type_id"], strict=True):
        if int(t) == PRIMARY:
            out[str(d)].add(str(c))
    return {d: frozenset(cs) for d, cs in out.items()}


def make_primary(sb: Sandbox, deal: str, company: str) -> None:
    """A colleague makes ``company`` the deal's primary (HubSpot takes it from the other)."""
    sb.associate("deals", deal, "companies", company, PRIMARY)


def sheet(rows: list[Row]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Deal ID", "Company ID", "Association label"])


def undo_says(undone: pd.DataFrame, deal: str) -> str:
    """The undo's message on the deal's row."""
    rows = undone[undone["from_id"].astype(str) == deal]
    assert len(rows) == 1, undone
    return str(rows["error_message"].iloc[0])


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("had", ["P1", "none"])
def test_a_primary_moved_by_hand_then_sent_by_a_stopped_resume_is_named_by_the_undo(
    portal: Sandbox, tmp_path: Path, source: str, had: str
) -> None:
    """Run 1 sends deal 0's row and stops (deal 1's primary P1, or none); deal 1's primary is
    moved to P2 by hand; run 2 sends deal 1's row and stops; run 3 finishes: its result says
    P2 held deal 1's primary, and the undo leaves N (naming P2 to put back)."""
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    if had == "P1":
        make_primary(portal, DEALS[1], P1)
    rows = [(d, NEW, "Primary") for d in DEALS[:3]]
    frame = sheet(rows)
    first = stopped_after(frame, client, journal, 1)
    assert first["status"].tolist() == ["success", "skipped", "skipped"]
    make_primary(portal, DEALS[1], P2)
    second = stopped_after(frame, client, journal, 2)
    assert second["status"].tolist() == ["success", "success", "skipped"]
    assert second["primary_before"].tolist()[1] == P2
    third = stopped_after(frame, client, journal, 0)
    assert third["status"].tolist() == ["success"] * 3
    undone = undo_from(source, third, client, journal, tmp_path)
    said = undo_says(undone, DEALS[1])
    assert f"in place of {P2} " in said, said
    assert f"with {P2} as Primary again" in said, said
    after = primaries(portal)
    assert after[DEALS[1]] == {NEW}  # a moved primary is left, the undo names P2
    assert not after[DEALS[0]] and not after[DEALS[2]]  # first primaries taken back
    assert third["primary_before"].tolist() == ["", P2, ""]


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
@pytest.mark.parametrize("source", SOURCES)
def test_a_primary_taken_off_by_hand_before_the_resume_sent_the_row_is_taken_back(
    portal: Sandbox, tmp_path: Path, source: str
) -> None:
    """Deal 1's primary P1 taken off by hand (P1 left associated) after run 1 read it: the row
    run 2 sent set deal 1's first primary, and the undo takes it back."""
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    make_primary(portal, DEALS[1], P1)
    frame = sheet([(d, NEW, "Primary") for d in DEALS[:3]])
    first = stopped_after(frame, client, journal, 1)
    assert first["status"].tolist() == ["success", "skipped", "skipped"]
    label = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": PRIMARY}
    inputs = [{"from": {"id": DEALS[1]}, "to": {"id": P1}, "types": [label]}]
    client.batch_archive_labels("deals", "companies", inputs)
    assert not primaries(portal)[DEALS[1]]
    stopped_after(frame, client, journal, 2)
    third = stopped_after(frame, client, journal, 0)
    undone = undo_from(source, third, client, journal, tmp_path)
    assert set(undone["status"]) == {"success"}, undone["error_message"].tolist()
    assert primaries(portal) == {d: frozenset() for d in DEALS}
    assert third["primary_before"].tolist() == ["", "", ""]


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
@pytest.mark.parametrize("source", SOURCES)
def test_a_row_sent_before_that_set_no_primary_leaves_the_primary_to_read_again(
    portal: Sandbox, tmp_path: Path, source: str
) -> None:
    """Run 1 sends deal 1's unlabeled row to N and stops before its Primary row; deal 1's
    primary is moved from P1 to P2 by hand; run 2 sends the Primary row and stops; run 3
    finishes: the chain had not set deal 1's primary before run 2 read P2."""
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    make_primary(portal, DEALS[1], P1)
    rows = [(DEALS[1], NEW, ""), (DEALS[1], NEW, "Primary"), (DEALS[2], NEW, "Primary")]
    frame = sheet(rows)
    first = stopped_after(frame, client, journal, 1)
    assert first["status"].tolist() == ["success", "skipped", "skipped"]
    make_primary(portal, DEALS[1], P2)
    second = stopped_after(frame, client, journal, 2)
    assert second["status"].tolist() == ["success", "success", "skipped"]
    third = stopped_after(frame, client, journal, 0)
    undone = undo_from(source, third, client, journal, tmp_path)
    said = " ".join(undone["error_message"].fillna(""))
    assert f"in place of {P2} (" in said, said
    assert primaries(portal)[DEALS[1]] == {NEW}
    assert third["primary_before"].tolist()[1:] == [P2, ""]


# --- the property: any chain of 2-4 runs, primaries moved by hand between ---------------------


def set_up(sb: Sandbox, rng: random.Random) -> list[Row]:
    """Some deals with a primary company before the first run (and some companies linked
    without), and a sheet making a company the primary of four to six deals, beside up to
    three unlabeled rows of those deals (a row's pair sometimes)."""
    for deal in DEALS:
        if rng.random() < 0.6:
            make_primary(sb, deal, rng.choice(COMPANIES))
        if rng.random() < 0.3:
            sb.associate("deals", deal, "companies", rng.choice(COMPANIES))
    rows = [(d, rng.choice(COMPANIES), "Primary") for d in rng.sample(DEALS, rng.randint(4, 6))]
    for _ in range(rng.randint(0, 3)):
        row = (rng.choice(rows)[0], rng.choice(COMPANIES), "")
        if row not in rows:
            rows.insert(rng.randrange(len(rows) + 1), row)
    return rows


def by_hand(
    sb: Sandbox, client: hf.HubSpotClient, rng: random.Random, deal: str, sent: set[Pair]
) -> None:
    """A colleague's change of a deal's primary, on pairs no run of the chain sent: another
    company made its primary, its primary taken off (the company left associated), or a
    company associated without a label."""
    now = primaries(sb)[deal]
    free = [c for c in COMPANIES if (deal, c) not in sent]
    how = rng.choice(["move", "move", "off", "link"])
    if how == "off" and now and not any((deal, c) in sent for c in now):
        label = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": PRIMARY}
        inputs = [{"from": {"id": deal}, "to": {"id": c}, "types": [label]} for c in now]
        client.batch_archive_labels("deals", "companies", inputs)
    elif how == "link" and free:
        sb.associate("deals", deal, "companies", rng.choice(free))
    elif free and not any((deal, c) in sent for c in now):
        make_primary(sb, deal, rng.choice(free))


def run_chain(
    sb: Sandbox, rng: random.Random, rows: list[Row], journal: Path
) -> tuple[pd.DataFrame, dict[str, frozenset[str]]]:
    """2-4 runs of ``rows``, each but the last stopped after 1-3 new batches, with changes by
    hand of the primaries of deals whose row no run sent yet between them: the last run's
    result and each deal's primary companies before the run that first sent its row."""
    client, sent = client_for(sb), set[Pair]()
    first: dict[str, frozenset[str]] = {}
    result = pd.DataFrame({"status": []})
    runs = rng.randint(2, 4)
    for n in range(runs):
        unsent = [d for d, _, label in rows if label and d not in first]
        for _ in range(rng.randint(1, 3) if n else 0):
            if unsent:
                by_hand(sb, client, rng, rng.choice(unsent), sent)
        now, done_before = primaries(sb), int((result["status"] == "success").sum())
        stop = done_before + rng.randint(1, 3) if n < runs - 1 else 0  # re-used batches count
        result = stopped_after(sheet(rows), client, journal, stop)
        for (d, c, label), status in zip(rows, result["status"], strict=True):
            if status == "success":
                sent.add((d, c))
                if label and d not in first:
                    first[d] = now[d]
        if (result["status"] == "success").all():
            break  # finished (its last batch the one it stopped after): the chain's end
    return result, first


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
@pytest.mark.parametrize("seed", seeds(12))
def test_any_chain_of_stopped_runs_reports_and_undoes_the_primary_before_the_chain(
    portal: Sandbox, tmp_path: Path, seed: int
) -> None:
    """2-4 runs of one sheet, each but the last stopped after 1-3 batches, with primaries of
    deals whose row the chain had not sent moved, taken off or left by hand between them;
    after the last run, its ``primary_before`` of each row is the deal's primary before the
    chain first sent that row, and after an undo (from its table, .xlsx report, .csv report
    or journal, by the seed) each deal's primary is that again, or the row's company when it
    moved the primary from another, which the undo names."""
    rng = random.Random(seed)
    rows = set_up(portal, rng)
    result, first = run_chain(portal, rng, rows, tmp_path / "run.sqlite")
    assert result["status"].tolist() == ["success"] * len(rows)
    for n, (deal, _, label) in enumerate(rows):
        if label:
            cell = " ".join(sorted(first[deal]))
            assert result["primary_before"].iloc[n] == cell, (n, rows, first)
    source = SOURCES[seed % len(SOURCES)]
    client = client_for(portal)
    undone = undo_from(source, result, client, tmp_path / "run.sqlite", tmp_path)
    assert set(undone["status"]) <= {"success", "skipped", "duplicate"}, undone
    after = primaries(portal)
    for deal, company, label in rows:
        others = sorted(first[deal] - {company}) if label else []
        if others:
            assert after[deal] == {company}, (source, deal, rows, first)
            mine = undone["from_id"].astype(str) == deal
            said = " ".join(undone.loc[mine, "error_message"].fillna(""))
            assert f"in place of {' and '.join(others)} (" in said, (source, deal, said)
        elif label:
            assert after[deal] == first[deal], (source, deal, rows, first)
