"""A resumed associate run sends again the rows whose association was removed outside the journal.

A run was killed after some batches were recorded; before the resume, some of the associations
it made were removed by hand (HubSpot's UI, ``hubframe remove`` without the journal, another
tool).  The resumed run took those rows' outcomes from the journal: ``success``, nothing sent,
not in the retry file, and HubSpot did not hold them.  The resumed run reads the portal anyway
(the state before the run, for undo); that read now covers the pairs of the recorded batches
too, and a recorded success is re-used only when HubSpot still holds the row's association
type.  The others are sent again (alone: their batch's other rows are not), their
``existed_before`` still what the first run found, so an undo restores the portal as it was
before the first run.  The dry run of the resume says what the resume reports.

Against a sandbox over HTTP; a run stopped by its ``cancel`` event stands in for a killed one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(7_400_000_001 + i) for i in range(6)]
CONTACTS = [str(8_400_000_001 + i) for i in range(2)]
PAIRS = [(d, c) for d in DEALS for c in CONTACTS]  # 12 rows
LABELS = [("Champion", "", "Decision maker")[n % 3] for n in range(len(PAIRS))]
OPTIONS: dict[str, Any] = {"progress": False, "batch_size": 2, "workers": 1}
#: Linked before the first run (plain): left by every removal, and by the undo.
BEFORE = (DEALS[5], CONTACTS[1])
WRITES = ("/batch/create", "/batch/associate/default")


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("contacts", CONTACTS)
        sb.add_label("deals", "contacts", "Champion")
        sb.add_label("deals", "contacts", "Decision maker")
        sb.associate("deals", BEFORE[0], "contacts", BEFORE[1])
        yield sb


def held(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    types = found["type_id"].astype(int)
    return set(zip(found["from_id"], found["to_id"], types, strict=True))


def sheet() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "Deal ID": [p[0] for p in PAIRS],
            "Contact ID": [p[1] for p in PAIRS],
            "Association label": LABELS,
        }
    )
    return hf.read_pairs(frame, from_type="deals", to_type="contacts")


def wanted_type(sb: Sandbox, row: int) -> int:
    label = LABELS[row]
    return sb.type_id("deals", "contacts", label or None)


def first_run(client: hf.HubSpotClient, journal: Path) -> pd.DataFrame:
    """The sheet, stopped after about half its rows (left open in the journal)."""
    cancel = threading.Event()
    done = [0]

    def progress(rows: int) -> None:
        done[0] += rows
        if done[0] >= len(PAIRS) // 2:
            cancel.set()

    first = hf.associate(
        sheet(), client, journal=journal, cancel=cancel, on_progress=progress, **OPTIONS
    )
    statuses = set(first["status"])
    assert "success" in statuses and "skipped" in statuses, first
    return first


def victims(first: pd.DataFrame, how: str) -> list[int]:
    """The rows (positions) whose association is removed by hand before the resume: of the
    first run's successes, never the pair linked before it."""
    done = [
        n for n in range(len(PAIRS)) if first["status"].iloc[n] == "success" and PAIRS[n] != BEFORE
    ]
    batches = first["batch"].iloc[done]
    if how == "none":
        return []
    if how == "one":  # a row of a batch of two: its other row agrees
        shared = batches[batches.duplicated(keep=False)]
        return [int(shared.index[0])]
    if how == "batch":  # every row of one batch
        number = batches[batches.duplicated(keep=False)].iloc[0]
        return [n for n in done if first["batch"].iloc[n] == number]
    if how == "label":  # only the label of a labeled row: the two records stay linked
        return [n for n in done if LABELS[n]][:2]
    return done  # "all"


def remove_by_hand(sb: Sandbox, client: hf.HubSpotClient, rows: list[int], how: str) -> None:
    for n in rows:
        deal, contact = PAIRS[n]
        if how == "label":
            label = {"associationCategory": "USER_DEFINED", "associationTypeId": wanted_type(sb, n)}
            types = [label]
            inputs = [{"from": {"id": deal}, "to": {"id": contact}, "types": types}]
            client.batch_archive_labels("deals", "contacts", inputs)
        else:
            client.delete_associations("deals", deal, "contacts", contact)


def rows_sent(sb: Sandbox) -> int:
    log = sb.request_log()
    writes = log["path"].str.endswith(WRITES) & (log["status"] // 100 == 2)
    return int(log.loc[writes, "inputs"].sum())


@pytest.mark.parametrize("how", ["none", "one", "batch", "label", "all"])
@pytest.mark.parametrize("reading", ["record", "preflight", "skip_existing"])
def test_a_resume_sends_again_the_rows_removed_outside_the_journal(
    portal: Sandbox, tmp_path: Path, how: str, reading: str
) -> None:
    start = held(portal)
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    options = dict(OPTIONS, **({reading: True} if reading != "record" else {}))
    first = first_run(client, journal)
    gone = victims(first, how)
    remove_by_hand(portal, client, gone, how)
    dry = hf.associate(sheet(), client, journal=journal, dry_run=True, **options)
    portal.reset_request_log()
    resumed = hf.associate(sheet(), client, journal=journal, **options)

    assert resumed["status"].tolist() == ["success"] * len(PAIRS), resumed
    now = held(portal)
    for n, (deal, contact) in enumerate(PAIRS):
        assert (deal, contact, wanted_type(portal, n)) in now, (n, how)
    not_done = int((first["status"] != "success").sum())
    assert rows_sent(portal) == not_done + len(gone)  # nothing that agrees is sent twice
    assert set(dry["status"]) == {"planned"}
    for column in ("existed_before", "linked_before"):  # the dry run says what the resume does
        assert dry[column].tolist() == resumed[column].tolist(), column
    existed = [PAIRS[n] == BEFORE and not LABELS[n] for n in range(len(PAIRS))]
    assert resumed["existed_before"].tolist() == existed  # as before the first run

    hf.undo(journal, client, progress=False)
    assert held(portal) == start


# --- a pair linked before the first run, removed by hand before the resume --------------------

DEAL, KEPT, NEW = "7400000101", "8400000101", "8400000102"


def _linked_before() -> tuple[Sandbox, pd.DataFrame]:
    sb = Sandbox(seed=None)
    sb.add_records("deals", [DEAL])
    sb.add_records("contacts", [KEPT, NEW])
    sb.associate("deals", DEAL, "contacts", KEPT)  # plain, as the sheet's first row asks
    frame = pd.DataFrame({"Deal ID": [DEAL, DEAL], "Contact ID": [KEPT, NEW]})
    return sb, hf.read_pairs(frame, from_type="deals", to_type="contacts")


def _first_batch_only(client: hf.HubSpotClient, pairs: pd.DataFrame, journal: Path) -> None:
    cancel = threading.Event()
    first = hf.associate(
        pairs,
        client,
        journal=journal,
        cancel=cancel,
        on_progress=lambda rows: cancel.set(),
        progress=False,
        batch_size=1,
        workers=1,
    )
    assert first["status"].tolist() == ["success", "skipped"], first


@pytest.mark.parametrize("reading", ["skip_existing", "preflight", "record"])
@pytest.mark.parametrize("removed", [True, False])
def test_a_pair_linked_before_the_run_and_removed_since_is_sent_not_skipped(
    tmp_path: Path, reading: str, removed: bool
) -> None:
    sb, pairs = _linked_before()
    with sb:
        client, journal = client_for(sb), tmp_path / "run.sqlite"
        _first_batch_only(client, pairs, journal)
        if removed:  # by hand, outside the journal
            client.delete_associations("deals", DEAL, "contacts", KEPT)
        options: dict[str, Any] = {
            "progress": False,
            **({reading: True} if reading != "record" else {}),
        }
        dry = hf.associate(pairs, client, journal=journal, dry_run=True, **options)
        resumed = hf.associate(pairs, client, journal=journal, **options)

        held_now = set(
            zip(
                *[sb.associations("deals", "contacts")[c] for c in ("from_id", "to_id")],
                strict=True,
            )
        )
        assert {(DEAL, KEPT), (DEAL, NEW)} <= held_now
        assert resumed["existed_before"].tolist() == [True, False]  # as before the first run
        assert dry["existed_before"].tolist() == [True, False]
        if removed:  # not "already associated": sent again
            assert resumed["status"].tolist() == ["success", "success"], resumed
            assert pd.isna(dry["error_code"].iloc[0]), dry
        else:  # still there: the dry run says so, and skip_existing skips it
            assert dry["error_code"].iloc[0] == "ALREADY_ASSOCIATED"
            skips = reading == "skip_existing"
            assert resumed["status"].tolist() == ["skipped" if skips else "success", "success"]
        hf.undo(journal, client, progress=False)
        after = sb.associations("deals", "contacts")
        assert list(zip(after["from_id"], after["to_id"], strict=True)) == [(DEAL, KEPT)]
