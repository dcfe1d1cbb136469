"""Undo of a record pair written from both sides (deals -> contacts and contacts -> deals).

What was wrong:

* A run added two labels to a pair that was not linked before, one row written deals ->
  contacts and one contacts -> deals.  Its undo (of the table, or of the journal; an
  associate's or a sync's) removed both labels but left the link the run made, both rows
  ``success``, each saying the pair stays associated "since they also hold" the other row's
  label (seen from its side) -- which that same undo took back.  HubSpot lists a pair's labels
  per direction, under type ids its labels list never ties to the other side's (names may
  cross: "Manager" with inverse "Managed deal", and "Managed deal" with inverse "Manager").
* A journal of two runs on a pair linked before: run 1 added "Manager" deals -> contacts, run
  2 (a sync of the contact's sheet) took it off again contacts -> deals.  The undo from the
  journal replayed each side alone, created the label again from the contact's side
  (``success``) and skipped the deal side's removal: the pair held a label it held before
  neither run.

What is now so: the labels of a pair the undo's rows linked from both sides are taken back
first, then the pair is read again; holding no other label, it goes whole (its link was the
run's), else it stays and its row names what it still holds.  A journal's pair whose runs
changed labels from both sides (added one way, taken off the other) is not undone blind: its
rows are ``NOT_UNDOABLE``, naming the pair and what each run did.  The seeded property runs
1-3 associates, removes and syncs of random directions and labels (crossing and renamed
inverses) and undoes the last run's table or the journal: the portal is as before the runs
undone, or a row not put back says ``NOT_UNDOABLE``; never ``success`` with the portal wrong.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = ["105", "106"]
CONTACTS = ["205", "206"]
#: label -> inverse: crossing names, and an inverse renamed
LABELS = {"Manager": "Managed deal", "Managed deal": "Manager", "Champion": "Championed by"}
KW = {"progress": False}
State = set[tuple[str, str, str, int]]


def _portal(sandbox_factory: Callable[..., Sandbox]) -> tuple[Sandbox, HubSpotClient]:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    for label, inverse in LABELS.items():
        sb.add_label("deals", "contacts", label, inverse)
    sb.add_label("deals", "contacts", "Decision maker", "Decides for")
    return sb, client_for(sb)


def _state(sb: Sandbox) -> State:
    """Every association of both directions, every type."""
    out: State = set()
    for a, b in (("deals", "contacts"), ("contacts", "deals")):
        found = sb.associations(a, b)
        for f, t, tid in zip(found["from_id"], found["to_id"], found["type_id"], strict=True):
            out.add((a, str(f), str(t), int(tid)))
    return out


def _rows(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Rows (from type, from id, to id, label) of deals and contacts."""
    other = {"deals": "contacts", "contacts": "deals"}
    return pd.DataFrame(
        {
            "from_type": [r[0] for r in rows],
            "to_type": [other[r[0]] for r in rows],
            "from_id": [r[1] for r in rows],
            "to_id": [r[2] for r in rows],
            "label": [r[3] for r in rows],
        }
    )


def _quiet(call: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


BOTH_SIDES = [
    (("deals", "105", "205", "Managed deal"), ("contacts", "205", "105", "Managed deal")),
    (("deals", "105", "205", "Champion"), ("contacts", "205", "105", "Decides for")),
    (("deals", "105", "205", "Manager"), ("contacts", "205", "105", "Manager")),
]


@pytest.mark.parametrize("route", ["table", "journal"])
@pytest.mark.parametrize("job", ["associate", "sync"])
@pytest.mark.parametrize("rows", BOTH_SIDES)
def test_a_pair_linked_from_both_sides_is_undone_whole(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    route: str,
    job: str,
    rows: tuple[tuple[str, str, str, str], ...],
) -> None:
    sb, client = _portal(sandbox_factory)
    journal = tmp_path / "run.sqlite"
    before = _state(sb)
    sheet = hf.read_pairs(_rows(list(rows)))
    if job == "associate":
        run = _quiet(lambda: hf.associate(sheet, client, journal=journal, **KW))
    else:
        run = _quiet(lambda: hf.sync(sheet, client, journal=journal, **KW))
    added = run[run["status"] == "success"]
    assert len(added) == 2 and not added["linked_before"].astype(bool).any()
    undone = _quiet(lambda: hf.undo(run if route == "table" else journal, client, **KW))
    assert _state(sb) == before, undone[["status", "error_message"]]
    said = " ".join(undone["error_message"].dropna().astype(str))
    assert "stay associated" not in said and "also hold" not in said


def test_a_label_added_since_keeps_the_link_and_is_named(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb, client = _portal(sandbox_factory)
    rows = [("deals", "105", "205", "Manager"), ("contacts", "205", "105", "Decides for")]
    journal = tmp_path / "run.sqlite"
    run = _quiet(lambda: hf.associate(hf.read_pairs(_rows(rows)), client, journal=journal, **KW))
    added = _state(sb)
    since = sb.add_label("deals", "contacts", "Budget holder", "Holds budget")
    sb.associate("deals", "105", "contacts", "205", since)
    undone = _quiet(lambda: hf.undo(run, client, **KW))
    assert (undone["status"] == "success").all(), undone[["status", "error_message"]]
    left = _state(sb)
    assert ("deals", "105", "205", since) in left
    assert not {t for t in added if t[3] > 1000} & left  # the run's labels are gone
    said = " ".join(undone["error_message"].dropna().astype(str))
    kept = said.split("still hold")[-1]  # named from the side of the row read again
    assert '"Budget holder"' in kept or '"Holds budget"' in kept, said
    assert not any(f'"{name}"' in kept for name in ("Manager", "Managed deal", "Decides for"))


def test_a_journal_of_a_label_added_one_way_and_taken_off_the_other_is_refused(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb, client = _portal(sandbox_factory)
    sb.associate("deals", "105", "contacts", "205")
    journal = tmp_path / "run.sqlite"
    before = _state(sb)
    added = pd.DataFrame({"Deal ID": ["105"], "Contact ID": ["205"], "Label": ["Manager"]})
    taken = pd.DataFrame({"Contact ID": ["205"], "Deal ID": ["105"], "Label": [""]})
    _quiet(lambda: hf.associate(hf.read_pairs(added), client, journal=journal, **KW))
    _quiet(
        lambda: hf.sync(hf.read_pairs(taken), client, journal=journal, allow_removals=True, **KW)
    )
    undone = _quiet(lambda: hf.undo(journal, client, **KW))
    assert _state(sb) == before
    assert not (undone["status"] == "success").any()
    assert (undone["error_code"] == "NOT_UNDOABLE").all()
    said = str(undone["error_message"].iloc[0])
    assert "deals 105 and contacts 205" in said and "run 1" in said and "run 2" in said


# --- the property --------------------------------------------------------------------------

NAMES = {"deals": ["Manager", "Managed deal", "Champion", ""], "contacts": []}
NAMES["contacts"] = [*LABELS.values(), "Decides for", ""]


def _start(sb: Sandbox, rng: random.Random) -> None:
    """Each deal-contact pair unlinked, linked, or linked with random labels."""
    types = {
        name: int(tid)
        for name, tid in zip(
            sb.labels("deals", "contacts")["label"],
            sb.labels("deals", "contacts")["type_id"],
            strict=True,
        )
        if isinstance(name, str) and name
    }
    for deal in DEALS:
        for contact in CONTACTS:
            if rng.random() < 0.4:
                continue
            sb.associate("deals", deal, "contacts", contact)
            for name in rng.sample(sorted(types), rng.randint(0, 2)):
                sb.associate("deals", deal, "contacts", contact, types[name])


def _one_run(rng: random.Random, client: HubSpotClient, journal: Path) -> tuple[pd.DataFrame, bool]:
    """A random run (associate, remove or sync; its result, and whether it can be undone)."""
    job = rng.choice(["associate", "associate", "sync", "sync", "remove"])
    side = rng.choice(["deals", "contacts"])
    rows: list[tuple[str, str, str, str]] = []
    for _ in range(rng.randint(1, 3)):
        deal, contact = rng.choice(DEALS), rng.choice(CONTACTS)
        first = rng.choice(["deals", "contacts"]) if job == "associate" else side
        ends = (deal, contact) if first == "deals" else (contact, deal)
        rows.append((first, *ends, rng.choice(NAMES[first])))
    if job == "sync":  # one record's sheet, one side
        rows = [r for r in rows if r[1] == rows[0][1]]
    pairs = hf.read_pairs(_rows(rows))
    if job == "associate":
        return _quiet(lambda: hf.associate(pairs, client, journal=journal, **KW)), True
    if job == "sync":
        found = _quiet(lambda: hf.sync(pairs, client, journal=journal, allow_removals=True, **KW))
        return found, True
    return _quiet(lambda: hf.remove_associations(pairs, client, journal=journal, **KW)), False


@pytest.mark.parametrize("seed", seeds(6))
@pytest.mark.parametrize("route", ["table", "journal"])
def test_an_undo_puts_back_both_sides_or_says_not_undoable(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, seed: int, route: str
) -> None:
    rng = random.Random(seed)
    sb, client = _portal(sandbox_factory)
    _start(sb, rng)
    journal = tmp_path / "run.sqlite"
    first = _state(sb)
    last_before, run, undoable = first, pd.DataFrame(), True
    for _ in range(rng.randint(1, 3)):
        last_before = _state(sb)
        run, undoable = _one_run(rng, client, journal)
    if route == "table" and not undoable:
        return  # a remove's table is not undone (it records nothing before it)
    undone = _quiet(lambda: hf.undo(run if route == "table" else journal, client, **KW))
    expected = last_before if route == "table" else first
    assert not (undone["status"] == "failed").any(), undone[["status", "error_message"]]
    refused = _refused_pairs(undone)
    shown = undone[["status", "from_type", "from_id", "to_id", "error_message"]]
    assert _outside(_state(sb), refused) == _outside(expected, refused), shown


def _refused_pairs(undone: pd.DataFrame) -> set[tuple[str, str]]:
    """The (deal, contact) pairs of the undo's NOT_UNDOABLE rows."""
    out: set[tuple[str, str]] = set()
    for _, row in undone[undone["error_code"] == "NOT_UNDOABLE"].iterrows():
        ids = (str(row["from_id"]), str(row["to_id"]))
        out.add(ids if row["from_type"] == "deals" else (ids[1], ids[0]))
    return out


def _outside(state: State, pairs: set[tuple[str, str]]) -> State:
    """``state`` without the associations of ``pairs`` (either direction)."""
    return {s for s in state if ((s[1], s[2]) if s[0] == "deals" else (s[2], s[1])) not in pairs}
