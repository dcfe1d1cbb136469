"""A batch HubSpot answers as still being processed is not read as final.

HubSpot's batch envelope has a ``status`` (``CANCELED``, ``COMPLETE``, ``PENDING``,
``PROCESSING``).  An answer saying ``PROCESSING`` (or ``PENDING``) with empty ``results`` was
read like a finished batch that left every row out: the rows were read back at once, not
there yet, and reported ``failed`` / ``NOT_APPLIED`` -- final, so a resumed run reused that --
although HubSpot applied them a moment later.  Now the rows are read after a pause, the ones
not there yet again after longer ones, and those never seen are ``UNKNOWN_OUTCOME`` (in the
retry file, sent again by a resumed run, taken back by undo).  The sandbox's ``processing``
fault answers so and applies the batch ``processing_delay`` seconds later.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import ErrorCode
from hubframe.hubspot.wire import ApiResponse
from hubframe.run import send
from hubframe.run.answers import read_answer
from hubframe.run.work import Batch, WorkItem
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from hubframe.vocab import Action, Status

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

Factory = Callable[..., Sandbox]
CHAMPION = "USER_DEFINED"
DEALS = [str(2050000101 + i) for i in range(4)]
CONTACTS = [str(1029360101 + i) for i in range(4)]


def _sandbox(factory: Factory, **faults: object) -> Sandbox:
    sb = factory(faults={"processing_rate": 1.0, **faults})
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _sheet(label: str) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Association label": label})


def _pairs(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], strict=True))


def _reads(sb: Sandbox) -> int:
    """Batch reads after the first write (those before: the state before a journaled run)."""
    paths = sb.request_log()["path"].tolist()
    first = next(n for n, p in enumerate(paths) if p.endswith(("/create", "/default")))
    return sum(p.endswith("/batch/read") for p in paths[first:])


@pytest.mark.parametrize(
    ("version", "label", "status"),
    [
        ("2026-03", "Champion", "PROCESSING"),
        ("2026-09", "", "PENDING"),
        ("v4", "Champion", "PENDING"),
    ],
)
def test_a_batch_still_processing_is_read_until_its_rows_are_there(
    sandbox_factory: Factory, version: str, label: str, status: str
) -> None:
    """Applied 1.2 s after the answer: the first read (after 0.5 s) does not show the rows, a
    later one does; every row is a success, none NOT_APPLIED."""
    sb = _sandbox(sandbox_factory, processing_delay=1.2, processing_status=status)
    result = hf.associate(_sheet(label), client_for(sb, version), progress=False)
    assert result["status"].tolist() == ["success"] * 4
    assert set(zip(DEALS, CONTACTS, strict=True)) <= _pairs(sb)
    assert _reads(sb) >= 2  # read again: not there at the first read


def test_rows_applied_before_the_processing_answer_are_read_once(
    sandbox_factory: Factory,
) -> None:
    sb = _sandbox(sandbox_factory)
    result = hf.associate(_sheet("Champion"), client_for(sb), progress=False)
    assert result["status"].tolist() == ["success"] * 4
    assert _reads(sb) == 1


def test_rows_a_processing_batch_never_shows_are_unknown_and_sent_again(
    sandbox_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not there after the pauses: UNKNOWN_OUTCOME, not a final NOT_APPLIED; a resumed run
    with the journal sends the batch again instead of reusing the outcome."""
    monkeypatch.setattr(send, "PROCESSING_WAITS", (0.05, 0.1))
    sb = _sandbox(sandbox_factory, processing_delay=60)
    journal = tmp_path / "run.sqlite"
    first = hf.associate(_sheet("Champion"), client_for(sb), journal=journal, progress=False)
    assert first["status"].tolist() == ["failed"] * 4
    assert first["error_code"].tolist() == [ErrorCode.UNKNOWN_OUTCOME] * 4
    assert "still being processed (status PROCESSING)" in first["error_message"][0]
    # two read-backs, then the deals and the contacts read (both there: the rows stay unknown)
    assert _reads(sb) == 2 + 2 and not _pairs(sb) & set(zip(DEALS, CONTACTS, strict=True))
    sb.set_faults()
    again = hf.associate(_sheet("Champion"), client_for(sb), journal=journal, progress=False)
    assert again["status"].tolist() == ["success"] * 4
    writes = sb.request_log()["path"].str.endswith("/batch/create")
    assert int(writes.sum()) == 2  # sent again, not reused from the journal


# --- reading the answer -------------------------------------------------------------------------


def _batch() -> Batch:
    items = tuple(
        WorkItem(n, Action.ASSOCIATE, "deals", "contacts", DEALS[n], CONTACTS[n], CHAMPION, 1003)
        for n in range(2)
    )
    return Batch(1, Action.ASSOCIATE, "deals", "contacts", items)


@pytest.mark.parametrize(("status", "code"), [
    ("PROCESSING", ErrorCode.UNKNOWN_OUTCOME),
    ("pending", ErrorCode.UNKNOWN_OUTCOME),
    ("COMPLETE", ErrorCode.NOT_APPLIED),
    ("CANCELED", ErrorCode.NOT_APPLIED),
])  # fmt: skip
def test_an_answer_still_processing_leaves_its_rows_open(status: str, code: ErrorCode) -> None:
    body = {"status": status, "results": [], "startedAt": "2026-01-01T00:00:00Z"}
    answer = read_answer(_batch(), ApiResponse(202, json.dumps(body).encode(), {}, "c", 1))
    assert [o.status for o in answer.outcomes] == [Status.FAILED] * 2
    assert sorted(answer.unconfirmed) == [0, 1]
    assert {o.error_code for o in answer.unconfirmed.values()} == {code}
    assert answer.pending == (status.upper() if code is ErrorCode.UNKNOWN_OUTCOME else None)
    listed = {**body, "results": [{"fromObjectId": DEALS[n], "toObjectId": CONTACTS[n],
                                   "labels": ["Champion"]} for n in range(2)]}  # fmt: skip
    done = read_answer(_batch(), ApiResponse(201, json.dumps(listed).encode(), {}, "c", 1))
    assert [o.status for o in done.outcomes] == [Status.SUCCESS] * 2  # listed: done


@pytest.mark.parametrize("delay", [0.0, 30.0], ids=["applied", "still processing"])
def test_a_cancel_while_a_batch_is_processing_still_reads_it_once(
    sandbox_factory: Factory, delay: float
) -> None:
    """A cancel during the pause before a processing batch's read ended the waiting with no
    read at all: rows HubSpot had applied came back failed UNKNOWN_OUTCOME (the app's headline
    "N failed", the retry file sending them again).  Now the read is made at once; rows it
    does not show yet stay UNKNOWN_OUTCOME, saying the run was cancelled before they were
    checked again."""
    import threading
    import time

    sb = sandbox_factory(
        faults={"processing_rate": 1.0, "processing_delay": delay}, latency=(0.2, 0.0)
    )
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    cancel = threading.Event()

    def cancel_after_the_first_write() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not cancel.is_set():
            paths = sb.request_log()["path"].tolist()
            if any(p.endswith(("/create", "/default")) for p in paths):
                cancel.set()
            time.sleep(0.005)

    watcher = threading.Thread(target=cancel_after_the_first_write, daemon=True)
    watcher.start()
    result = hf.associate(_sheet("Champion"), client_for(sb), progress=False, cancel=cancel)
    watcher.join()
    there = _pairs(sb)
    for row in result.itertuples():
        if (row.from_id, row.to_id) in there and not delay:
            assert row.status == "success", row
        if str(row.error_code) == "UNKNOWN_OUTCOME":
            assert "cancel" in row.error_message, row.error_message
    if delay:
        assert set(result["error_code"]) == {"UNKNOWN_OUTCOME"}
    else:
        assert set(result["status"]) == {"success"}
