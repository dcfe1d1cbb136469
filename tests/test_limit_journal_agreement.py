"""A resumed limits run re-uses a journal outcome only when the limits it reads agree with it.

A limits run was cancelled; someone then changed a limit in HubSpot by hand; the same sheet was
resumed with the same journal.  The resumed run read the pair's limits (its dry run said
"changes the limit from 2 to 1") yet took the row's outcome from the journal: ``success``,
nothing sent, and HubSpot kept 2.  The read before the run is evidence the journal lacks: a
row the journal says succeeded is re-used only when HubSpot holds what the row asks (its value;
a purge: no limit), and is sent again otherwise -- only that row, not the rows of its batch
that agree, in whichever phase (label limits lowered, the object limit, label limits raised)
it is.  The dry run of the resume says which rows it changes, and the real resume changes
exactly those.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DC, CD = ("deals", "contacts"), ("contacts", "deals")

#: The sheet: two label limits lowered in one batch, a purge (the other direction, same first
#: phase), the object limit changed, a label limit raised.
SHEET = [
    (*DC, "Decision maker", "1"),  # 2 -> 1: lower phase
    (*DC, "Budget holder", "4"),  # 5 -> 4: lower phase, the same batch
    (*CD, "Champion", "remove"),  # 5 -> none: lower phase
    (*DC, "", "20"),  # 25 -> 20: object phase
    (*DC, "Champion", "3"),  # 1 -> 3: raise phase
]

#: What HubSpot holds before the first run, by (direction, label; "" the object limit).
START = {
    (DC, "Decision maker"): 2,
    (DC, "Budget holder"): 5,
    (CD, "Champion"): 5,
    (DC, ""): 25,
    (DC, "Champion"): 1,
}

#: The sheet applied.
END = {
    (DC, "Decision maker"): 1,
    (DC, "Budget holder"): 4,
    (CD, "Champion"): None,
    (DC, ""): 20,
    (DC, "Champion"): 3,
}

#: A change made by hand after the first run, undoing one row's work, per phase.
BY_HAND = {
    "lower": {(DC, "Decision maker"): 2},
    "purge": {(CD, "Champion"): 5},
    "object": {(DC, ""): 22},
    "raise": {(DC, "Champion"): 1},
}
BY_HAND["all"] = {k: v for change in BY_HAND.values() for k, v in change.items()}
BY_HAND["none"] = {}


def _type_id(sb: Sandbox, way: tuple[str, str], label: str) -> int | None:
    return None if not label else sb.type_id(*way, label)


def _set(sb: Sandbox, held: dict[tuple[tuple[str, str], str], int | None]) -> None:
    for (way, label), limit in held.items():
        sb.set_limit(*way, limit, type_id=_type_id(sb, way, label))


def _held(sb: Sandbox) -> dict[tuple[tuple[str, str], str], int | None]:
    out: dict[tuple[tuple[str, str], str], int | None] = {}
    for way, label in START:
        limits = sb.limits(*way)
        mine = limits[limits["type_id"] == sb.type_id(*way, label)] if label else limits
        mine = mine[mine["label"].isna()] if not label else mine
        out[(way, label)] = int(mine["max_to_object_ids"].iloc[0]) if len(mine) else None
    return out


def _sheet() -> pd.DataFrame:
    return hf.read_limits(pd.DataFrame(SHEET, columns=["From", "To", "Label", "Max"]))


def _sent_rows(sb: Sandbox) -> int:
    """The limit rows sent since the log was reset (reads left out)."""
    log = sb.request_log()
    return int(log.loc[log["method"] != "GET", "inputs"].sum())


def _first_run(sb: Sandbox, journal: Path, version: str) -> None:
    """The whole sheet sent, the run cancelled as its last batch ends: open in the journal."""
    cancel = threading.Event()
    done = [0]

    def progress(rows: int) -> None:
        done[0] += rows
        if done[0] >= len(SHEET):
            cancel.set()

    client = client_for(sb, api_version=version)
    first = hf.configure_limits(
        _sheet(), client, journal=journal, cancel=cancel, on_progress=progress, progress=False
    )
    assert first["status"].tolist() == ["success"] * len(SHEET), first
    assert _held(sb) == END


#: Each change on the default version; all at once, and none, on every version.
CASES = [(c, "2026-03") for c in BY_HAND] + [
    (c, v) for c in ("all", "none") for v in ("2026-09", "v4")
]


@pytest.mark.parametrize(("change", "version"), CASES)
def test_a_resume_sends_again_the_rows_hubspot_no_longer_holds(
    change: str, version: str, tmp_path: Path
) -> None:
    journal = tmp_path / "run.sqlite"
    by_hand = BY_HAND[change]
    with Sandbox(seed="demo") as sb:
        _set(sb, START)
        _first_run(sb, journal, version)
        _set(sb, by_hand)
        client = client_for(sb, api_version=version)
        dry = hf.configure_limits(_sheet(), client, journal=journal, dry_run=True, progress=False)
        sb.reset_request_log()
        real = hf.configure_limits(_sheet(), client, journal=journal, progress=False)
        sent = _sent_rows(sb)
        held = _held(sb)
    assert held == END, (change, real)  # the rows undone by hand were sent again
    assert sent >= len(by_hand), (change, sent)
    changes = dry["limit_change"].tolist()
    said = [
        not (c.startswith("keeps") or c.startswith("nothing"))
        for c in changes  # what the dry run says each row changes
    ]
    assert sum(said) == len(by_hand), changes
    purge_undone = (CD, "Champion") in by_hand
    for pos, row in real.iterrows():
        key = ((row["from_type"], row["to_type"]), row["label"] if pd.notna(row["label"]) else "")
        if key == (CD, "Champion") and not purge_undone:
            # the journal records the removal and HubSpot holds no limit: the read agrees, the
            # recorded success is re-used, and the dry run says so (it said "nothing to remove")
            assert (row["status"], dry["status"][pos]) == ("success", "planned"), row
            assert "reports it from the journal" in dry["error_message"][pos], dry.loc[pos]
            continue
        assert (row["status"], dry["status"][pos]) == ("success", "planned"), (key, row)


#: Two label limits lowered: one batch, whatever the portal holds when the run is resumed.
PAIR = [(*DC, "Decision maker", "1"), (*DC, "Budget holder", "4")]


@pytest.mark.parametrize("version", ["2026-03", "v4"])
@pytest.mark.parametrize("undone", [(), ("Decision maker",), ("Decision maker", "Budget holder")])
def test_only_the_rows_of_a_batch_hubspot_no_longer_holds_are_sent_again(
    undone: tuple[str, ...], version: str, tmp_path: Path
) -> None:
    """The journal's batch holds both rows; the rows that still hold are not sent twice."""
    journal = tmp_path / "run.sqlite"
    sheet = hf.read_limits(pd.DataFrame(PAIR, columns=["From", "To", "Label", "Max"]))
    with Sandbox(seed="demo") as sb:
        _set(sb, {(DC, "Decision maker"): 2, (DC, "Budget holder"): 5})
        client = client_for(sb, api_version=version)
        cancel = threading.Event()
        first = hf.configure_limits(
            sheet, client, journal=journal, cancel=cancel, on_progress=lambda _: cancel.set(),
            progress=False,
        )  # fmt: skip
        assert first["status"].tolist() == ["success"] * 2, first
        _set(sb, {(DC, label): 7 for label in undone})
        sb.reset_request_log()
        real = hf.configure_limits(sheet, client, journal=journal, progress=False)
        sent = _sent_rows(sb)
        held = _held(sb)
    assert real["status"].tolist() == ["success"] * 2, real
    assert sent == len(undone)
    assert held[(DC, "Decision maker")] == 1 and held[(DC, "Budget holder")] == 4


#: Removals whose limit HubSpot does not hold, with or without a journal's record of them.
REMOVALS = [(*CD, "Champion", "remove"), (*DC, "Budget holder", "remove"), (*DC, "", "remove")]


@pytest.mark.parametrize("version", ["2026-03", "v4"])
@pytest.mark.parametrize("recorded", [(), (0,), (0, 1), (0, 1, 2)])
def test_a_resumed_removal_reports_the_removal_its_journal_recorded(
    recorded: tuple[int, ...], version: str, tmp_path: Path
) -> None:
    """The rows ``recorded`` were removed by a first run (cancelled after them), the others
    never had a limit: a resume re-uses the recorded successes; a removal with no record and
    no limit is skipped, "nothing to remove", and nothing is sent for it."""
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        keys = [((r[0], r[1]), r[2]) for r in REMOVALS]
        _set(sb, dict.fromkeys(keys))  # no limit (label limits first)
        _set(sb, {keys[i]: 3 if keys[i][1] else 25 for i in sorted(recorded, reverse=True)})
        client = client_for(sb, api_version=version)
        if recorded:
            rows = [REMOVALS[i] for i in recorded]
            first_sheet = hf.read_limits(pd.DataFrame(rows, columns=["From", "To", "Label", "Max"]))
            cancel, done = threading.Event(), [0]

            def progress(rows: int) -> None:  # cancelled as its last batch ends: left open
                done[0] += rows
                if done[0] >= len(recorded):
                    cancel.set()

            first = hf.configure_limits(
                first_sheet, client, journal=journal, cancel=cancel, on_progress=progress,
                progress=False,
            )  # fmt: skip
            assert set(first["status"]) == {"success"}, first
        sheet = hf.read_limits(pd.DataFrame(REMOVALS, columns=["From", "To", "Label", "Max"]))
        sb.reset_request_log()
        real = hf.configure_limits(sheet, client, journal=journal, progress=False)
        sent = _sent_rows(sb)
    assert sent == 0
    for pos, row in real.iterrows():
        if pos in recorded:
            assert row["status"] == "success", row.to_dict()
        else:
            assert row["status"] == "skipped", row.to_dict()
            assert "nothing to remove" in row["error_message"], row.to_dict()
