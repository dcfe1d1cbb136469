"""Seeded scenarios across the writing jobs: a random portal, a random sheet, random faults.

Each seed draws a portal (records, labels, limits, associations already there), a sheet with
good rows, repeats, typos, unknown records and labels that disagree with their type ids, and a
way to run it (API version, sandbox behaviour, batch size, workers, journal, server faults and
answers lost on the way back).  Whatever was drawn, the report must say what the portal shows:

- one result row per sheet row, in order, with the analyst's columns and row numbers;
- every ``success`` is in the portal (for a removal: gone from it);
- everything the run changed in the portal is a row reported ``success`` (or
  ``UNKNOWN_OUTCOME``): never a change reported as ``failed``, ``invalid`` or ``skipped``;
- ids are never changed beyond the documented ``123.0`` and surrounding spaces;
- a journaled run resumed after a crash finishes the job, and ``undo`` from its journal puts
  the portal back as it was;
- an undo that meets faults of its own removes nothing that was there before the run and says
  ``success`` only of what it took back; a second undo finishes the job, as it does after an
  undo killed mid-way;
- the retry file of a run under faults holds every row left undone and none done, and run
  again without faults it finishes them (of a limits run too, faults on the configuration
  endpoints included);
- an export read under faults is exactly the portal's links, and a sync of it sends nothing;
- a labels run under faults leaves no two labels that read the same, and every label new in
  the portal is one a row says it created.

The run settings are spread over the seeds (each API version with and without lost answers,
each sandbox behaviour), the rest is drawn.  A failure names the seed and what it drew.
``make test`` runs a few seeds; a campaign runs more, e.g. ``HUBFRAME_FUZZ_SEEDS=500:40
.venv/bin/python -m pytest -n 2 tests/test_job_fuzz.py``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import STOPPING_CODES
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

pytestmark = pytest.mark.slow

VERSIONS = ("2026-03", "2026-09", "v4")
BEHAVIOURS: tuple[Any, ...] = (
    "default",
    "hostile",
    {"partial_failure": "refuse_batch"},
    {"type_ids": "per_pair"},
)
FAULTS = ("server_error_rate", "throttle_rate", "reset_rate", "lost_response_rate")
Link = tuple[str, str, int]


class Draw:
    """What one seed drew: the run's settings spread over the seeds, the rest random."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.r = random.Random(seed)
        self.version = VERSIONS[seed % 3]
        self.lose = seed % 2  # the first write's answer is lost on the way back
        self.behaviour = BEHAVIOURS[seed // 2 % len(BEHAVIOURS)]
        self.faults: dict[str, Any] = {f: self.r.choice([0, 0.03, 0.08]) for f in FAULTS}
        self.faults["seed"] = seed
        self.batch_size = self.r.choice([1, 3, 7, 100])
        self.workers = self.r.choice([1, 4])

    def __repr__(self) -> str:
        return (
            f"seed {self.seed}: API {self.version}, behaviour {self.behaviour}, faults "
            f"{self.faults}, lost answers {self.lose}, batch {self.batch_size}, workers "
            f"{self.workers}"
        )

    def ids(self, start: int, most: int) -> list[str]:
        return [str(start + n) for n in range(self.r.randint(1, most))]

    @contextmanager
    def client(self, sb: Sandbox) -> Iterator[HubSpotClient]:
        """A client to the sandbox, through a proxy that loses answers when drawn."""
        options: dict[str, Any] = {"backoff_base": 0.01, "backoff_cap": 0.05}
        if not self.lose:
            yield HubSpotClient(sb.token, sb.url, api_version=self.version, **options)
            return
        with FaultProxy(sb, lose=self.lose) as proxy:
            yield HubSpotClient(sb.token, proxy.url, api_version=self.version, **options)

    def run_options(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "workers": self.workers, "progress": False}


@contextmanager
def portal(draw: Draw, **kwargs: Any) -> Iterator[Sandbox]:
    sb = Sandbox(seed=None, behaviour=draw.behaviour, **kwargs).start()
    try:
        yield sb
    finally:
        sb.stop()


def links(sb: Sandbox) -> set[Link]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], frame["type_id"].astype(int), strict=True))


def fill(draw: Draw, sb: Sandbox) -> tuple[list[str], list[str], dict[str, int]]:
    """Records, two labels and some associations already there."""
    deals, contacts = draw.ids(7_000_000_001, 12), draw.ids(8_000_000_001, 25)
    sb.add_records("deals", deals)
    sb.add_records("contacts", contacts)
    labels = {name: sb.add_label("deals", "contacts", name) for name in ("Alpha", "Beta one")}
    for _ in range(draw.r.randint(0, 30)):
        kind = draw.r.choice([None, None, *labels.values()])
        sb.associate("deals", draw.r.choice(deals), "contacts", draw.r.choice(contacts), kind)
    return deals, contacts, labels


def _status(result: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return result["status"].astype("string"), result["error_code"].astype("string").fillna("")


def _type_of(row: Any, unlabeled: int) -> int | None:
    if pd.notna(row["type_id"]):
        return int(row["type_id"])
    return unlabeled if row["action"] in ("associate_default", "archive") else None


def check_rows(sheet: pd.DataFrame, result: pd.DataFrame, what: Draw) -> None:
    """One row per sheet row, in order, the analyst's columns and ids kept."""
    assert len(result) == len(sheet), what
    assert result["note"].tolist() == sheet["note"].tolist(), what
    assert result["row"].tolist() == list(range(2, len(sheet) + 2)), what
    status, _ = _status(result)
    assert status.notna().all(), what
    for n, row in enumerate(result.itertuples()):
        if status[n] == "invalid":
            continue
        for column, given in (("from_id", sheet["Deal ID"][n]), ("to_id", sheet["Contact ID"][n])):
            kept = str(given).strip().removesuffix(".0")
            assert getattr(row, column) == kept, (what, row.row, column, given)


# --- associate ------------------------------------------------------------------------------


def pairs_sheet(draw: Draw, deals: list[str], contacts: list[str], labels: dict[str, int]) -> Any:
    """Good rows, repeats, typos, unknown records and labels, labels with the wrong type id."""
    r, rows = draw.r, []
    names = ["", "", "Alpha", "alpha ", "Beta one", "BETA ONE", "Gamma", "default"]
    for _ in range(r.randint(1, 80)):
        deal = r.choice(deals) if r.random() > 0.05 else r.choice(["9999999999", "12x", ""])
        contact = r.choice(contacts) if r.random() > 0.05 else r.choice(["8999999999", "1.5"])
        if r.random() < 0.05:
            contact = f" {r.choice(contacts)}.0"
        type_id = str(r.choice([*labels.values(), 3, 99999])) if r.random() < 0.15 else ""
        rows.append((deal, contact, r.choice(names), type_id))
    rows += r.sample(rows, min(len(rows), r.randint(0, 4)))  # repeats
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label", "Type ID"])
    sheet["note"] = [f"n{n}" for n in range(len(sheet))]
    return sheet


def check_applied(result: pd.DataFrame, before: set[Link], after: set[Link], unlabeled: int) -> str:
    """What the portal gained is what the rows report as done; '' when it is."""
    status, code = _status(result)
    told: set[Link] = set()
    for n, row in enumerate(result.to_dict("records")):
        kind = _type_of(row, unlabeled)
        if kind is None:
            continue
        link = (row["from_id"], row["to_id"], kind)
        if status[n] == "success" and link not in after:
            return f"row {row['row']} success but {link} is not in the portal"
        if status[n] in ("success", "duplicate") or code[n] == "UNKNOWN_OUTCOME":
            told.add(link)
    labeled_pairs = {(f, t) for f, t, kind in told if kind != unlabeled}
    for link in after - before:  # a labeled create gives the pair its unlabeled type too
        if link not in told and not (link[2] == unlabeled and link[:2] in labeled_pairs):
            return f"{link} applied but no row says so"
    return ""


class Run(NamedTuple):
    """A drawn sheet associated on a drawn portal: what the portal held before, the sheet, the
    result and the pair's unlabeled type id."""

    before: set[Link]
    sheet: pd.DataFrame
    result: pd.DataFrame
    unlabeled: int


def run_drawn(draw: Draw, sb: Sandbox, journal: Path | None = None) -> Run:
    deals, contacts, labels = fill(draw, sb)
    unlabeled = sb.type_id("deals", "contacts", None)
    before = links(sb)
    sheet = pairs_sheet(draw, deals, contacts, labels)
    with draw.client(sb) as client:
        options = {"record_existing": True, "journal": journal, **draw.run_options()}
        result = hf.associate(sheet, client, **options)
    return Run(before, sheet, result, unlabeled)


@pytest.mark.parametrize("seed", seeds(12))
def test_associate_reports_what_the_portal_shows(seed: int) -> None:
    draw = Draw(seed)
    with portal(draw, faults=draw.faults) as sb:
        before, sheet, result, unlabeled = run_drawn(draw, sb)
        check_rows(sheet, result, draw)
        assert not check_applied(result, before, links(sb), unlabeled), draw
        sb.set_faults()
        undone = hf.undo(result, HubSpotClient(sb.token, sb.url), progress=False)
        assert links(sb) == before, (draw, undone["status"].value_counts().to_dict())


def _faults_again(draw: Draw) -> dict[str, Any]:
    """Faults drawn apart from the run's: for an undo after it, an export, a labels or a
    limits run."""
    faults: dict[str, Any] = {f: draw.r.choice([0, 0.05, 0.15]) for f in FAULTS}
    faults["seed"] = draw.seed + 1_000
    return faults


def check_undone(undone: pd.DataFrame, made: set[Link], after: set[Link], unlabeled: int) -> str:
    """Every undo row ``success`` took its link back, when the run had made it ('' when so): a
    label's link goes; an unlabeled link goes unless a label the undo left keeps the pair."""
    status, _ = _status(undone)
    kept = {x[:2] for x in after if x[2] != unlabeled}
    for n, row in enumerate(undone.to_dict("records")):
        kind = int(row["type_id"]) if pd.notna(row["type_id"]) else unlabeled
        link = (row["from_id"], row["to_id"], kind)
        if status[n] != "success" or link not in made or link not in after:
            continue
        if kind != unlabeled or link[:2] not in kept:
            return f"undo row {row['row']} success but {link} is still in the portal"
    return ""


@pytest.mark.parametrize("seed", seeds(6))
def test_undo_under_faults_takes_back_what_it_says(seed: int, tmp_path: Path) -> None:
    """An undo that meets faults of its own never removes a link that was there before the
    run, says ``success`` only of what it took back, and a second undo (without faults)
    finishes the job: the portal as before the run."""
    draw = Draw(seed)
    journal = tmp_path / "run.sqlite" if seed % 3 else None
    with portal(draw, faults=draw.faults) as sb:
        before, _, result, unlabeled = run_drawn(draw, sb, journal)
        made = links(sb) - before
        faults = _faults_again(draw)
        sb.set_faults(**faults)
        source = journal if journal is not None and seed % 2 else result
        with draw.client(sb) as client:
            undone = hf.undo(source, client, **draw.run_options())
        after = links(sb)
        assert before <= after <= before | made, (draw, "undone under", faults)
        assert not check_undone(undone, made, after, unlabeled), (draw, "undone under", faults)
        sb.set_faults()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "nothing left to undo" when the first did it all
            hf.undo(journal or result, HubSpotClient(sb.token, sb.url), progress=False)
        assert links(sb) == before, draw


#: What a failed row may still say when its retry file is run again without faults: HubSpot's
#: answer about the row itself, not a fault of the way.
LASTING = {"OBJECT_NOT_FOUND", "INVALID_ASSOCIATION_TYPE", "LIMIT_EXCEEDED", "HUBSPOT_VALIDATION"}


@pytest.mark.parametrize("seed", seeds(6))
def test_a_retry_file_holds_what_is_left_and_finishes_it(seed: int, tmp_path: Path) -> None:
    """The retry file of a run under faults holds every row the faults left undone (and no
    row done), read back as the sheet was; run again without faults, each of its rows is done
    or says what HubSpot holds against that row itself, and the portal changes as its rows say."""
    draw = Draw(seed)
    with portal(draw, faults=draw.faults) as sb:
        _, sheet, result, unlabeled = run_drawn(draw, sb)
        status, code = _status(result)
        never_sent = code.isin([str(c) for c in STOPPING_CODES]) & (status == "skipped")
        undone = set(sheet["note"][(status == "failed") | never_sent])
        done = set(sheet["note"][status.isin(["success", "duplicate"])])
        retry = hf.export_retry(result, tmp_path / ("retry.xlsx" if seed % 2 else "retry.csv"))
        if not (undone or (status == "invalid").any()):
            assert hf.read_pairs(retry).empty, draw  # nothing left to do: a file of headers
            return
        sb.set_faults()
        before = links(sb)
        client = HubSpotClient(sb.token, sb.url)
        again = hf.associate(retry, client, record_existing=True, progress=False)
        notes = set(again["note"])
        assert undone <= notes and not notes & done, draw
        status, code = _status(again)
        finished = status.isin(["success", "duplicate", "invalid"]) | code.isin(LASTING)
        assert finished.all(), (draw, again.loc[~finished, ["row", "error_code"]].values.tolist())
        assert not check_applied(again, before, links(sb), unlabeled), draw


# --- remove ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", seeds(8))
def test_remove_reports_what_the_portal_shows(seed: int) -> None:
    draw = Draw(seed)
    with portal(draw, faults=draw.faults) as sb:
        deals, contacts, _ = fill(draw, sb)
        before = links(sb)
        rows = [
            (
                draw.r.choice(deals),
                draw.r.choice(contacts),
                draw.r.choice(["", "Alpha", "beta one"]),
            )
            for _ in range(draw.r.randint(1, 60))
        ]
        sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
        sheet["note"] = [f"n{n}" for n in range(len(sheet))]
        with draw.client(sb) as client:
            result = hf.remove_associations(sheet, client, **draw.run_options())
        check_rows(sheet, result, draw)
        after = links(sb)
        assert after <= before, draw
        status, code = _status(result)
        told: set[Link] = set()
        for n, row in enumerate(result.to_dict("records")):
            pair = (row["from_id"], row["to_id"])
            labeled = isinstance(row["label"], str) and row["label"] != ""
            these = {x for x in before if x[:2] == pair}
            if labeled:
                assert row["type_id"] is not None or status[n] != "success", (draw, row)
                these = {x for x in these if x[2] == row["type_id"]}
            if status[n] == "success":
                assert not these & after, (draw, row["row"], these & after)
            if code[n] == "NOT_ASSOCIATED":
                assert not these, (draw, row["row"], these)
            if status[n] in ("success", "duplicate") or code[n] == "UNKNOWN_OUTCOME":
                told |= these if labeled else {x for x in before if x[:2] == pair}
        unlabeled = sb.type_id("deals", "contacts", None)
        for link in before - after:  # a label's removal may take the pair's unlabeled type
            assert link in told or (link[2] == unlabeled and link[:2] in {x[:2] for x in told})


# --- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", seeds(6))
def test_an_export_under_faults_is_the_portal_and_syncs_to_no_change(
    seed: int, tmp_path: Path
) -> None:
    """An export read under faults, of every record or of some (ids naming none among them,
    one twice), one page a record or many, lists exactly the portal's links of the records
    read (a labeled pair once per label, an unlabeled one once; with ``keep_empty``, a row for
    each record without any); and a sync of that export, unchanged, sends nothing (under
    faults of its own: its reads failing for good fail its rows, saying so)."""
    draw = Draw(seed)
    draw.faults = _faults_again(draw)  # as the draw's repr names them
    with portal(draw, faults=draw.faults) as sb:
        deals, _, _ = fill(draw, sb)
        sb.set_read_page_size(draw.r.choice([1, 2, 3, 100]))
        unlabeled = sb.type_id("deals", "contacts", None)
        before = links(sb)
        ids = None if seed % 3 == 0 else draw.r.sample(deals, draw.r.randint(1, len(deals)))
        if ids is not None and seed % 3 == 2:
            ids += ["7999999999", ids[0]]
        scope = set(deals) if ids is None else set(ids) & set(deals)
        keep_empty = bool(seed % 2)
        with draw.client(sb) as client:
            try:
                export = hf.read_associations(
                    client, "deals", "contacts", ids, keep_empty=keep_empty, progress=False
                )
            except (hf.RateLimitError, hf.ServerError, hf.NetworkError) as exc:
                # a read failing for good raises, nothing partial (seed 1122: a read refused,
                # reset or answered 5xx seven times running); a read changes nothing
                assert exc.attempts == client.max_retries + 1, (draw, exc)
                assert links(sb) == before, draw
                return
        rows = export.dropna(subset=["to_id"])
        listed = list(zip(rows["from_id"], rows["to_id"], rows["type_id"].astype(int), strict=True))
        labeled = {x[:2] for x in before if x[2] != unlabeled}  # listed under their labels only
        wanted = {
            x for x in before if x[0] in scope and (x[2] != unlabeled or x[:2] not in labeled)
        }
        assert sorted(listed) == sorted(wanted), draw
        empty = set(export.loc[export["to_id"].isna(), "from_id"])
        assert empty == (scope - {x[0] for x in before} if keep_empty else set()), draw
        path = hf.write_pairs(export, tmp_path / ("export.xlsx" if seed % 2 else "export.csv"))
        with draw.client(sb) as client:
            synced = hf.sync(path, client, allow_removals=True, **draw.run_options())
        assert links(sb) == before, draw  # its reads may fail for good: rows failed, not sent
        assert "success" not in set(synced["status"].astype(str)), draw


# --- limits ---------------------------------------------------------------------------------

LIMIT_PAIRS = (("deals", "contacts"), ("contacts", "companies"), ("deals", "companies"))


def limits_now(sb: Sandbox) -> dict[tuple[str, str, int], int]:
    frame = sb.limits()
    return {
        (r.from_type, r.to_type, int(r.type_id)): int(r.max_to_object_ids)
        for r in frame.itertuples()
    }


@pytest.mark.parametrize("seed", seeds(8))
def test_limits_report_what_the_portal_shows(seed: int) -> None:
    draw = Draw(seed)
    with portal(draw, faults=draw.faults) as sb:
        for f, t in LIMIT_PAIRS:
            alpha = sb.add_label(f, t, "Alpha")
            sb.add_label(f, t, "Beta")
            if draw.r.random() < 0.5:
                sb.set_limit(f, t, draw.r.randint(1, 50), type_id=alpha)
            if draw.r.random() < 0.3:
                sb.set_limit(f, t, draw.r.randint(1, 50))
        before = limits_now(sb)
        rows = []
        for _ in range(draw.r.randint(1, 12)):
            f, t = draw.r.choice(LIMIT_PAIRS)
            u = draw.r.random()
            bad = draw.r.choice(["", "0", "-1", "2.5", "1e3", "30000"])
            limit = str(draw.r.randint(1, 60)) if u < 0.7 else "remove" if u < 0.82 else bad
            rows.append((f.title(), t, draw.r.choice(["", "Alpha", "beta", "Gamma"]), limit))
        sheet = pd.DataFrame(
            rows, columns=["From object", "To object", "Label", "Max associations"]
        )
        with draw.client(sb) as client:
            result = hf.configure_limits(sheet, client, **draw.run_options())
        assert len(result) == len(sheet), draw
        after = limits_now(sb)
        status, code = _status(result)
        asked: dict[tuple[str, str, int], set[Any]] = {}
        for n, row in enumerate(result.to_dict("records")):
            done = status[n] == "success" or code[n] == "UNKNOWN_OUTCOME"
            if not done or pd.isna(row["type_id"]):
                continue
            key = (row["from_type"], row["to_type"], int(row["type_id"]))
            value = None if row["action"] == "purge_limit" else int(row["max_to_object_ids"])
            asked.setdefault(key, set()).add(value if status[n] == "success" else "?")
        for key in before.keys() | after.keys():
            wanted = asked.get(key, set())
            if "?" not in wanted:
                assert after.get(key) in (wanted or {before.get(key)}), (draw, key, wanted)


@pytest.mark.parametrize("seed", seeds(6))
def test_limits_under_faults_and_their_retry_file_set_every_limit(
    seed: int, tmp_path: Path
) -> None:
    """Limits sent under faults on the configuration endpoints too (their reads and writes),
    then their retry file run without faults: every limit the sheet sets or removes is so in
    the portal, whatever failed on the way (each pair's limit above its labels' limits, so
    HubSpot refuses none)."""
    draw = Draw(seed)
    draw.faults = {**_faults_again(draw), "schema_paths": True}
    with portal(draw, faults=draw.faults) as sb:
        rows = []
        for f, t in draw.r.sample(LIMIT_PAIRS, draw.r.randint(1, 3)):
            for label in ("Alpha", "Beta"):
                sb.add_label(f, t, label)
            for label in draw.r.sample(["", "Alpha", "Beta"], draw.r.randint(1, 3)):
                limit = draw.r.randint(3, 20) if label else draw.r.randint(25, 40)
                rows.append((f, t, label, str(limit) if draw.r.random() < 0.85 else "remove"))
        columns = ["From object", "To object", "Label", "Max associations"]
        with draw.client(sb) as client:
            client.max_retries = 1  # rows then fail for good, and the retry file holds them
            result = hf.configure_limits(
                pd.DataFrame(rows, columns=columns), client, **draw.run_options()
            )
        sb.set_faults()
        retry = hf.export_retry(result, tmp_path / ("retry.xlsx" if seed % 2 else "retry.csv"))
        if not hf.read_limits(retry).empty:
            again = hf.configure_limits(retry, HubSpotClient(sb.token, sb.url), progress=False)
            status, code = _status(again)
            assert status.isin(["success", "skipped"]).all(), (draw, code.tolist())
        now = limits_now(sb)
        for f, t, label, limit in rows:
            key = (f, t, sb.type_id(f, t, label or None))
            assert now.get(key) == (None if limit == "remove" else int(limit)), (draw, key)


# --- labels ---------------------------------------------------------------------------------

LABEL_DIRECTIONS = (("deals", "contacts"), ("contacts", "companies"), ("companies", "companies"))
LABEL_NAMES = ("Technical buyer", "technical  BUYER", "Board member", "Champion", "Référent")


def _label_key(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def portal_labels(sb: Sandbox) -> dict[tuple[str, str], set[tuple[int, str]]]:
    """Every user label of the directions drawn from (both ways): (type id, label)."""
    out: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for f, t in LABEL_DIRECTIONS:
        for way in ((f, t), (t, f)):
            frame = sb.labels(*way).dropna(subset=["label"])
            out[way] = set(zip(frame["type_id"].astype(int), frame["label"], strict=True))
    return out


@pytest.mark.parametrize("seed", seeds(6))
def test_labels_report_what_the_portal_shows(seed: int) -> None:
    """configure_labels under faults on the label endpoints: no two labels of a direction
    read the same, every label a row says it created is there, every label new in the portal
    is one a row says it created (or could not tell), and a dry run after plans nothing but
    the rows that failed."""
    draw = Draw(seed)
    draw.faults = {**_faults_again(draw), "schema_paths": True}
    with portal(draw, faults=draw.faults) as sb:
        rows = []
        for _ in range(draw.r.randint(1, 10)):
            f, t = draw.r.choice(LABEL_DIRECTIONS)
            inverse = draw.r.choice([None, None, "Board seat", *LABEL_NAMES[:2]])
            rows.append((f, t, draw.r.choice(LABEL_NAMES), inverse))
        sheet = pd.DataFrame(rows, columns=["From type", "To type", "Label", "Inverse label"])
        before = portal_labels(sb)
        with draw.client(sb) as client:
            result = hf.configure_labels(sheet, client)
        sb.set_faults()
        after = portal_labels(sb)
        for way, listed in after.items():
            names = [_label_key(label) for _, label in listed]
            assert len(names) == len(set(names)), (draw, way, sorted(listed))
        status, code = _status(result)
        told: set[str] = set()
        for n, row in enumerate(result.to_dict("records")):
            way = (row["from_type"], row["to_type"])
            if status[n] == "success" and row["change"] == "create":
                assert _label_key(row["label"]) in {_label_key(x) for _, x in after[way]}, draw
            if status[n] == "success" or code[n] == "UNKNOWN_OUTCOME":
                inverse = row.get("inverse_label")
                told |= {_label_key(x) for x in (row["label"], inverse) if isinstance(x, str)}
        for way, listed in after.items():
            for type_id, label in listed - before[way]:
                assert _label_key(label) in told, (draw, way, type_id, label)
        again = hf.configure_labels(sheet, HubSpotClient(sb.token, sb.url), dry_run=True)
        assert len(again) == len(result), draw  # one row a label, in the sheet's order
        planned = (again["change"] == "create") & (again["status"] == "planned")
        left = planned & (status != "failed")  # a failed row: its label may not be made
        assert not left.any(), (draw, again.loc[left, "label"].tolist())


# --- sync -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", seeds(8))
def test_sync_makes_the_portal_what_the_sheet_says(seed: int, tmp_path: Path) -> None:
    draw = Draw(seed)
    with portal(draw, faults=draw.faults) as sb:
        deals, contacts, labels = fill(draw, sb)
        unlabeled = sb.type_id("deals", "contacts", None)
        before = links(sb)
        rows = [
            (draw.r.choice(deals), draw.r.choice(contacts), draw.r.choice(["", "", *labels]))
            for _ in range(draw.r.randint(1, 40))
        ]
        sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
        with draw.client(sb) as client:
            journal = tmp_path / "sync.sqlite"
            result = hf.sync(
                sheet,
                client,
                allow_removals=True,
                max_removals=10_000,
                journal=journal,
                **draw.run_options(),
            )
        after = links(sb)
        wanted = {(d, c, unlabeled) for d, c, _ in rows} | {
            (d, c, labels[label]) for d, c, label in rows if label
        }
        scope = {d for d, _, _ in rows}
        assert {x for x in after if x[0] not in scope} == {x for x in before if x[0] not in scope}
        assert not (after - before) - wanted, draw  # nothing added the sheet does not ask for
        assert not (before - after) & wanted, draw  # nothing removed the sheet asks for
        status, code = _status(result)
        if not ((status == "failed") | (code == "UNKNOWN_OUTCOME")).any():
            assert {x for x in after if x[0] in scope} == wanted, draw
        for n, row in enumerate(result.to_dict("records")):
            if status[n] != "success":
                continue
            link = (row["from_id"], row["to_id"], _type_of(row, unlabeled) or unlabeled)
            assert (link in after) == (row["change"] == "add"), (draw, row)
        sb.set_faults()  # undone from the journal or the result table: the portal as before
        hf.undo(journal if seed % 2 else result, HubSpotClient(sb.token, sb.url), progress=False)
        assert links(sb) == before, (draw, "undone from", "journal" if seed % 2 else "result")


# --- a journaled run killed, resumed and undone ----------------------------------------------

RUNNER = """
import sys
import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
url, token, sheet, journal, batch, version = sys.argv[1:7]
client = HubSpotClient(token, url, api_version=version)
hf.associate(sheet, client, batch_size=int(batch), journal=journal, progress=False, workers=4)
"""

UNDO_RUNNER = """
import sys
import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
url, token, journal, own, version = sys.argv[1:6]
client = HubSpotClient(token, url, api_version=version)
hf.undo(journal, client, batch_size=3, journal=own or None, progress=False, workers=2)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def _kill_once(proc: subprocess.Popen[bytes], done: Callable[[], bool], draw: Draw) -> None:
    """SIGKILL ``proc`` a drawn moment after ``done()`` holds, unless it ended first."""
    try:
        deadline = time.monotonic() + 60
        while not done() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(draw.r.uniform(0, 0.2))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


@pytest.mark.parametrize("seed", seeds(3))
def test_a_killed_journaled_run_resumes_and_undoes(seed: int, tmp_path: Path) -> None:
    draw = Draw(seed)
    with portal(draw, latency=(0.1, 0.0)) as sb:
        deals, contacts, labels = fill(draw, sb)
        unlabeled = sb.type_id("deals", "contacts", None)
        before = links(sb)
        rows = [
            (draw.r.choice(deals), draw.r.choice(contacts), draw.r.choice(["", *labels]))
            for _ in range(draw.r.randint(200, 400))
        ]
        sheet = tmp_path / "pairs.csv"
        pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"]).to_csv(
            sheet, index=False
        )
        journal = tmp_path / "run.sqlite"
        args = [sb.url, sb.token, str(sheet), str(journal), "5", draw.version]
        proc = subprocess.Popen([sys.executable, "-c", RUNNER, *args], env=_env())
        wanted = {(d, c, labels[label] if label else unlabeled) for d, c, label in rows}
        # killed once it made a few new links (a sheet of mostly existing ones has fewer: the
        # run may then finish first, and the resume finds it all done)
        enough = min(3, len(wanted - before))
        _kill_once(proc, lambda: len(links(sb) - before) >= enough, draw)
        client = HubSpotClient(sb.token, sb.url, api_version=draw.version)
        result = hf.associate(sheet, client, batch_size=5, journal=journal, progress=False)
        assert set(result["status"]) <= {"success", "duplicate"}, draw
        assert wanted <= links(sb), draw
        known = result["existed_before"][result["status"] == "success"]
        assert known.notna().all(), draw
        hf.undo(journal, client, progress=False)
        assert links(sb) == before, draw


@pytest.mark.parametrize("seed", seeds(2))
def test_a_killed_undo_is_finished_by_the_next(seed: int, tmp_path: Path) -> None:
    """An undo killed while it takes a run back has removed nothing that was there before,
    and the next undo from the run's journal (resuming the killed one's own journal, when it
    kept one) takes back the rest: the portal as before the run."""
    draw = Draw(seed)
    with portal(draw, latency=(0.05, 0.0)) as sb:
        deals, contacts, labels = fill(draw, sb)
        before = links(sb)
        rows = [
            (draw.r.choice(deals), draw.r.choice(contacts), draw.r.choice(["", *labels]))
            for _ in range(draw.r.randint(100, 300))
        ]
        sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
        journal = tmp_path / "run.sqlite"
        own = tmp_path / "undo.sqlite" if seed % 2 else None
        client = HubSpotClient(sb.token, sb.url, api_version=draw.version)
        hf.associate(sheet, client, journal=journal, progress=False, batch_size=50)
        made = links(sb) - before
        args = [sb.url, sb.token, str(journal), str(own or ""), draw.version]
        proc = subprocess.Popen([sys.executable, "-c", UNDO_RUNNER, *args], env=_env())
        _kill_once(proc, lambda: len(made - links(sb)) >= len(made) // 3, draw)
        assert before <= links(sb) <= before | made, draw
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "nothing left to undo" when it had finished
            hf.undo(journal, client, journal=own, progress=False)
        assert links(sb) == before, draw
