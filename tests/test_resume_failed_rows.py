"""A resumed associate run sends again the rows the stopped run recorded as failed.

Before: a journaled run whose rows HubSpot refused (a label's association limit reached) was
stopped; the analyst raised the limit and resumed with the same sheet and journal.  The dry
run of the resume planned every row, but the resume re-used the journal's failures without
sending them ("Deal ... already has 2 contacts associated as 'Decision maker', the configured
limit of 2" while the limit was 10), and the rows were sent only by a run without the journal.
A create is safe to send twice: a recorded failure is sent again (a success is still re-used
while the portal holds it).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
LABEL = "Decision maker"


def _sheet(path: Path) -> Path:
    rows = [(DEALS[0], CONTACTS[i], LABEL) for i in range(5)]
    rows += [(DEALS[1 + i % 8], CONTACTS[10 + i], "") for i in range(25)]
    frame = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
    frame.to_csv(path, index=False)
    return path


def _stopped_run(sb: Sandbox, sheet: Path, journal: Path, version: str) -> pd.DataFrame:
    """Run 1: the label's limit is 2, and the run is cancelled after two batches."""
    cancel, batches = threading.Event(), [0]

    def progress(_: int) -> None:
        batches[0] += 1
        if batches[0] == 2:
            cancel.set()

    return hf.associate(
        sheet,
        client_for(sb, version),
        journal=journal,
        batch_size=5,
        workers=1,
        cancel=cancel,
        on_progress=progress,
        progress=False,
    )


def _held(sb: Sandbox, type_id: int) -> int:
    links = sb.associations("deals", "contacts")
    return int(
        ((links["from_id"].astype(str) == str(DEALS[0])) & (links["type_id"] == type_id)).sum()
    )


@pytest.mark.filterwarnings("ignore::hubframe.errors.HubframeWarning")
@pytest.mark.parametrize("version", ["2026-03", "v4"])
@pytest.mark.parametrize("raised", [True, False], ids=["limit raised", "limit kept"])
def test_recorded_failures_are_sent_again(version: str, raised: bool, tmp_path: Path) -> None:
    sheet, journal = _sheet(tmp_path / "links.csv"), tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        type_id = sb.type_id("deals", "contacts", LABEL)
        sb.set_limit("deals", "contacts", 2, type_id=type_id)
        first = _stopped_run(sb, sheet, journal, version)
        failed = first.index[first["error_code"].eq("LIMIT_EXCEEDED")].tolist()
        assert failed, "the stopped run recorded refusals"
        if raised:
            sb.set_limit("deals", "contacts", 10, type_id=type_id)
        client = client_for(sb, version)
        dry = hf.associate(
            sheet, client, journal=journal, batch_size=5, dry_run=True, progress=False
        )
        before = len(sb.request_log())
        resumed = hf.associate(sheet, client, journal=journal, batch_size=5, progress=False)
        sent = sb.request_log().iloc[before:]
        creates = sent[sent["path"].str.contains("batch/create") & (sent["method"] == "POST")]
        assert creates["inputs"].sum() >= len(failed)  # sent again, not taken from the journal
        if raised:
            assert dry.loc[failed, "status"].eq("planned").all()
            assert resumed.loc[failed, "status"].eq("success").all()
            assert _held(sb, type_id) == 5
        else:
            assert resumed.loc[failed, "error_code"].eq("LIMIT_EXCEEDED").all()
            assert _held(sb, type_id) == 2
        assert resumed["status"].drop(index=failed).eq("success").all()
