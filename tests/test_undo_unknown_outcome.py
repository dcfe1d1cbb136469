"""An undo takes back a write of unknown outcome only where it landed, never a colleague's link.

A run sent a label to two records that had no link; the answer never came, so the row is
``failed`` ``UNKNOWN_OUTCOME`` (its write may have landed).  A colleague then linked the
records by hand.  Undo took the row back like a done one, with a whole-pair archive (the pair
had no link before the run), and the portal read before it asked only whether the pair was
linked: the colleague's link was there, so it was removed, reported ``success``.  Now a row of
unknown outcome whose type (its label) the linked pair lacks is ``skipped`` ``NOT_ASSOCIATED``
and nothing is sent: the write never landed, the link is someone else's.  Where it landed,
the run's work is taken back as before, and a label the colleague added keeps the link.

An undo from the journal of a run whose pair a colleague gave another label since left the
run's own label in place ("Left in place: the two records also hold ..."): a journal keeps a
label's type id, not its name, and the row was taken for the pair's plain link.  The label
is now named from the pair's types, and goes alone.

Every case: the run's answer came, or never came and the write landed or not (the answer lost
after HubSpot applied it, or a connection reset before HubSpot read it), what the colleague
did (nothing, a plain link, another label), the undo given the journal or the report.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import HubframeError
from hubframe.jobs import load_run
from hubframe.report.reader import NotUndone
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = str(demo_ids("deals")[0]), str(demo_ids("contacts")[4])  # not linked in the demo
SHEET = pd.DataFrame(
    [(DEAL, CONTACT, "Budget holder")], columns=["Deal ID", "Contact ID", "Association label"]
)
COLLEAGUE = {"nothing": (), "plain link": (None,), "another label": ("Champion",)}
Entry = tuple[str, str, int]


def _pair(sb: Sandbox) -> set[Entry]:
    """The deal's and the contact's types, both ways."""
    out: set[Entry] = set()
    for direction in (("deals", "contacts"), ("contacts", "deals")):
        table = sb.associations(*direction)
        mine = table["from_id"].astype(str).isin({DEAL, CONTACT})
        mine &= table["to_id"].astype(str).isin({DEAL, CONTACT})
        ends = table.loc[mine, ["from_id", "to_id", "type_id"]].itertuples(index=False)
        out |= {(str(f), str(t), int(k)) for f, t, k in ends}
    return out


def _run(sb: Sandbox, outcome: str, journal: Path) -> pd.DataFrame:
    """The run: its answer came ("success"), or never came and HubSpot applied the write
    ("landed": the answer lost, the day's budget gone before the check) or never read it
    ("never landed": the connection reset)."""
    if outcome != "success":
        fault = "lost_response_rate" if outcome == "landed" else "reset_rate"
        sb.set_faults(**{fault: 1.0, "writes_only": True})
    sb.set_daily_limit(3 if outcome == "landed" else None)  # labels, state before, the write
    run = hf.associate(SHEET, client_for(sb, max_retries=0), journal=journal, progress=False)
    sb.set_faults()
    sb.set_daily_limit(None)
    code = None if outcome == "success" else "UNKNOWN_OUTCOME"
    assert run["error_code"].replace({pd.NA: None}).tolist() == [code], run
    assert run["existed_before"].tolist() == [False], run
    return run


@pytest.mark.parametrize("source", ["journal", "report"])
@pytest.mark.parametrize("colleague", list(COLLEAGUE))
@pytest.mark.parametrize("outcome", ["never landed", "landed", "success"])
def test_an_undo_of_an_unknown_outcome_keeps_what_a_colleague_linked_since(
    sandbox_factory: Any, tmp_path: Path, outcome: str, colleague: str, source: str
) -> None:
    sb = sandbox_factory(seed="demo")
    before = _pair(sb)
    assert not before
    journal = tmp_path / "run.sqlite"
    run = _run(sb, outcome, journal)
    for label in COLLEAGUE[colleague]:
        sb.associate("deals", DEAL, "contacts", CONTACT, sb.type_id("deals", "contacts", label))
    now, sent = _pair(sb), len(sb.request_log())
    done = hf.undo(journal if source == "journal" else run, client_for(sb), progress=False)
    archives = sb.request_log()["path"].iloc[sent:].str.contains("archive")
    if outcome == "never landed":  # all there is the colleague's: kept, nothing sent
        assert _pair(sb) == now, done
        assert done["status"].tolist() == ["skipped"], done
        assert done["error_code"].tolist() == ["NOT_ASSOCIATED"], done
        assert not archives.any(), sb.request_log().iloc[sent:]
    elif colleague == "another label":  # the run's label goes, the link stays for theirs
        assert _pair(sb) == now - _run_label(sb), done
        assert done["status"].tolist() == ["success"], done
    else:  # a colleague's plain link is the run's own: it goes with the run's label
        assert _pair(sb) == before, done
        assert done["status"].tolist() == ["success"], done


def _run_label(sb: Sandbox) -> set[Entry]:
    """The run's label between the two records, both ways."""
    there = sb.type_id("deals", "contacts", "Budget holder")
    back = sb.type_id("contacts", "deals", "Budget holder")
    return {(DEAL, CONTACT, there), (CONTACT, DEAL, back)}


DEALS = [str(i) for i in demo_ids("deals")[:4]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:8]]  # the demo links a few of them
RUN_LABELS = [None, "Budget holder", "Champion"]
THEIR_LABEL = "Decision maker"  # a colleague's: one the runs here never write


def _entries(sb: Sandbox) -> set[Entry]:
    """Every type between the deals and the contacts here, deal to contact."""
    table = sb.associations("deals", "contacts")
    mine = table["from_id"].astype(str).isin(DEALS) & table["to_id"].astype(str).isin(CONTACTS)
    ends = table.loc[mine, ["from_id", "to_id", "type_id"]].itertuples(index=False)
    return {(str(f), str(t), int(k)) for f, t, k in ends}


def _faulty_run(sb: Sandbox, rng: random.Random, journal: Path) -> pd.DataFrame | None:
    """A run of random rows under random resets and lost answers (None: it raised)."""
    rows = [
        (deal, contact, rng.choice(RUN_LABELS))
        for deal in DEALS
        for contact in rng.sample(CONTACTS, rng.randint(0, 3))
    ]
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
    reset, lost = rng.choice([0.0, 0.3, 0.6]), rng.choice([0.0, 0.3])
    faults = {"reset_rate": reset, "lost_response_rate": lost, "seed": rng.randrange(2**31)}
    sb.set_faults(**faults, writes_only=rng.random() < 0.5)
    client = client_for(sb, max_retries=rng.choice([0, 1]))
    try:
        options = {"batch_size": rng.randint(1, 3), "workers": 1, "progress": False}
        return hf.associate(sheet, client, journal=journal, **options)
    except HubframeError:
        return None
    finally:
        sb.set_faults()


def _unknown_plain(journal: Path, plain: int) -> set[Entry]:
    """The plain links of the run's unlabeled writes of unknown outcome: a colleague's plain
    link on such a pair cannot be told from the run's (taken back as the run's)."""
    with warnings.catch_warnings():  # a run that sent nothing: nothing to undo, said below
        warnings.simplefilter("ignore", NotUndone)
        rows = load_run(journal)
    unlabeled = rows["type_id"].isna() | (rows["type_id"] == plain)
    unknown = rows[(rows["error_code"] == "UNKNOWN_OUTCOME") & unlabeled]
    ends = unknown[["from_id", "to_id"]].itertuples(index=False)
    return {(str(d), str(c), plain) for d, c in ends}


@pytest.mark.parametrize("seed", seeds(30))
def test_seeded_undos_of_faulty_runs_take_back_the_runs_labels_and_keep_a_colleagues(
    tmp_path: Path, seed: int
) -> None:
    """Whatever the run learned of its writes, its undo removes every label it put in the
    portal, nothing there before it, and nothing a colleague added since: their label, the
    link their label holds, their plain link where nothing of the run landed on the pair."""
    rng = random.Random(seed)
    with Sandbox(seed="demo") as sb:
        before, journal = _entries(sb), tmp_path / "run.sqlite"
        run = _faulty_run(sb, rng, journal)
        landed = _entries(sb) - before
        theirs = rng.sample([(d, c) for d in DEALS for c in CONTACTS], 6)
        for n, (deal, contact) in enumerate(theirs):
            label = THEIR_LABEL if n % 2 else None
            sb.associate("deals", deal, "contacts", contact, sb.type_id("deals", "contacts", label))
        if run is None and not journal.exists():
            return
        plain = sb.type_id("deals", "contacts", None)
        added = _entries(sb) - before - landed - _unknown_plain(journal, plain)
        source = journal if run is None or rng.random() < 0.5 else run
        with warnings.catch_warnings():  # a run that sent nothing: "nothing left to undo"
            warnings.simplefilter("ignore", NotUndone)
            done = hf.undo(source, client_for(sb), progress=False)
        after = _entries(sb)
        shown = done[["to_id", "type_id", "status", "error_code", "error_message"]]
        assert before <= after, shown  # nothing there before the run goes
        assert added <= after, shown  # nothing a colleague added since goes
        labels = {t for _, _, t in landed if t != plain}
        assert not {e for e in landed & after if e[2] in labels}, shown  # the run's labels go
        labeled = {(d, c) for d, c, t in after if t != plain}
        assert all((d, c, plain) in after for d, c in labeled), shown  # a label keeps its link
