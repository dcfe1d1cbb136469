"""A write HubSpot applies after hubframe stopped looking is never reported "not applied".

A write whose answer was lost (a 504 from a gateway that gave up, a 5xx, a broken connection)
is settled by reads of the portal, again after pauses (``send.SETTLE_WAITS``).  A row those
reads never find used to be reported ``failed`` "Not applied: ... the change is not there",
with the error's own code: HubSpot then applied it, the report was wrong, and an undo (of the
report or of the journal) left the association in the portal, as a row the run never made.
Such a row is ``UNKNOWN_OUTCOME`` now: in the retry file, sent again by a resumed run, and
taken back by an undo that finds it there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.report import retry_rows
from hubframe.sandbox import Sandbox

DEALS = ["9300000001", "9300000002", "9300000003"]
CONTACTS = ["9400000001", "9400000002", "9400000003"]
LATE = 1.0  # seconds after its 504 the proxy forwards a write: after the run's last look


@pytest.fixture(autouse=True)
def _short_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (0.05, 0.1))


def _client(url: str, token: str) -> HubSpotClient:
    return HubSpotClient(
        token=token, base_url=url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
    )


def _portal(factory: Callable[..., Sandbox]) -> Sandbox:
    sb = factory(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _pairs(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


def _types(sb: Sandbox, deal: str, contact: str) -> set[int]:
    frame = sb.associations("deals", "contacts")
    mine = frame[(frame["from_id"] == deal) & (frame["to_id"] == contact)]
    return set(mine["type_id"].tolist())


def _wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "the late write never reached the sandbox"
        time.sleep(0.05)


def _late_run(sb: Sandbox, sheet: pd.DataFrame, journal: Path) -> pd.DataFrame:
    with FaultProxy(sb, then=f"late:{LATE}", cued=True) as proxy:
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        client = _client(proxy.url, sb.token)
        result = hf.associate(pairs, client, progress=False, journal=journal)
        # the proxy forwards the late writes on its own threads: let them land before it closes
        _wait_for(lambda: len(_pairs(sb)) >= len(sheet))
    return result


def _assert_unknown(result: pd.DataFrame, looked: str) -> None:
    assert result["status"].tolist() == ["failed"] * len(result), result
    assert set(result["error_code"]) == {"UNKNOWN_OUTCOME"}, result["error_code"].tolist()
    for message in result["error_message"]:
        assert looked in message and "HubSpot may still apply it" in message, message
        assert not message.startswith("Not applied"), message
    assert retry_rows(result).all()


@pytest.mark.parametrize("undo_from", ["report", "journal"])
def test_a_write_applied_after_the_watch_is_unknown_and_undone(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, undo_from: str
) -> None:
    sb = _portal(sandbox_factory)
    sheet = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})
    journal = tmp_path / "run.journal"
    result = _late_run(sb, sheet, journal=journal)
    _assert_unknown(result, "checks over the next 0.15 s did not find the change")
    assert _pairs(sb) == set(zip(DEALS, CONTACTS, strict=True))  # HubSpot applied them after all
    report = tmp_path / "report.xlsx"
    hf.export_report(result, report)
    undone = hf.undo(report if undo_from == "report" else journal, _client(sb.url, sb.token))
    assert _pairs(sb) == set(), undone[["status", "error_code", "error_message"]]
    assert set(undone["status"]) == {"success"}, undone[["status", "error_message"]]


def test_a_label_applied_late_to_a_pair_there_before_is_taken_back_alone(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    """The pair was associated before the run: the undo takes back the label HubSpot applied
    late, and keeps the association."""
    sb = _portal(sandbox_factory)
    deal, contact = DEALS[0], CONTACTS[0]
    sb.associate("deals", deal, "contacts", contact)
    before = _types(sb, deal, contact)
    label = sb.add_label("deals", "contacts", "Budget holder")
    sheet = pd.DataFrame({"Deal ID": [deal], "Contact ID": [contact], "Label": ["Budget holder"]})
    with FaultProxy(sb, then=f"late:{LATE}", cued=True) as proxy:
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        client = _client(proxy.url, sb.token)
        result = hf.associate(pairs, client, progress=False, record_existing=True)
        _wait_for(lambda: label in _types(sb, deal, contact))
    _assert_unknown(result, "did not find the change")
    undone = hf.undo(result, _client(sb.url, sb.token))
    assert undone["status"].tolist() == ["success"], undone[["status", "error_message"]]
    assert _types(sb, deal, contact) == before


def test_a_resumed_run_sends_a_row_of_unknown_outcome_again(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = _portal(sandbox_factory)
    sheet = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})
    journal = tmp_path / "run.journal"
    _late_run(sb, sheet, journal=journal)
    pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
    again = hf.associate(pairs, _client(sb.url, sb.token), progress=False, journal=journal)
    assert set(again["status"]) == {"success"}, again[["status", "error_message"]]


def test_a_cancel_during_the_watch_leaves_the_row_unknown(
    sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cancel ends the watch at once: one read right after, which does not find the write
    HubSpot applies a moment later; the row is still of unknown outcome, not "not applied"."""
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (5.0,))  # the cancel comes during the pause
    sb = _portal(sandbox_factory)
    sheet = pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": CONTACTS[:1]})
    cancel = threading.Event()
    with FaultProxy(sb, then=f"late:{LATE}", cued=True) as proxy:

        def cancel_once_sent() -> None:
            _wait_for(lambda: proxy.wrote)
            cancel.set()

        watcher = threading.Thread(target=cancel_once_sent)
        watcher.start()
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        result = hf.associate(pairs, _client(proxy.url, sb.token), progress=False, cancel=cancel)
        watcher.join()
        _wait_for(lambda: len(_pairs(sb)) == 1)
    _assert_unknown(result, "a check right after did not find the change")


def test_a_removal_of_a_sync_applied_late_is_unknown_and_undone(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    """A sync's removal answered 504 and applied after the watch: unknown, and the undo of the
    sync creates the association again."""
    sb = _portal(sandbox_factory)
    for contact in CONTACTS[:2]:
        sb.associate("deals", DEALS[0], "contacts", contact)
    sheet = pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]})
    with FaultProxy(sb, then=f"late:{LATE}", cued=True) as proxy:
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        client = _client(proxy.url, sb.token)
        result = hf.sync(pairs, client, allow_removals=True, progress=False)
        _wait_for(lambda: _pairs(sb) == {(DEALS[0], CONTACTS[0])})
    removed = result[result["change"] == "remove"]
    assert len(removed) == 1 and (result["change"] != "remove").sum() == 1, result
    _assert_unknown(removed, "did not find the change")
    undone = hf.undo(result, _client(sb.url, sb.token), progress=False)
    assert _pairs(sb) == {(DEALS[0], CONTACTS[0]), (DEALS[0], CONTACTS[1])}, undone


def test_a_limit_set_late_is_unknown(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = _portal(sandbox_factory)
    sheet = pd.DataFrame(
        {"From object": ["Deals"], "To object": ["Contacts"], "Max associations": [7]}
    )
    with FaultProxy(sb, then=f"late:{LATE}", cued=True) as proxy:
        result = hf.configure_limits(sheet, _client(proxy.url, sb.token), progress=False)
        _wait_for(lambda: not sb.limits("deals", "contacts").empty)
    _assert_unknown(result, "did not find the change")
    assert sb.limits("deals", "contacts")["max_to_object_ids"].tolist() == [7]


@pytest.mark.parametrize(("late", "waits"), [(0.2, (0.3, 0.6)), (1.0, (0.05, 0.1))])
def test_a_retry_answered_without_a_row_a_late_write_applies_is_never_not_applied(
    sandbox_factory: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
    late: float,
    waits: tuple[float, ...],
) -> None:
    """The first attempt gets a 504 (HubSpot applies it ``late`` seconds later); the retry is
    answered 200 without the second row and no error for it.  Before: that row was ``failed``
    ``NOT_APPLIED`` after one read ("a read shows the change is not there"), and then it was
    applied.  Now it is read again after the waits: found, a success; never found (applied
    after them), ``UNKNOWN_OUTCOME``, saying HubSpot may still apply it."""
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", waits)
    sb = _portal(sandbox_factory)
    sheet = pd.DataFrame({"Deal ID": DEALS[:2], "Contact ID": CONTACTS[:2]})
    modes = [f"late:{late}", f"swallow:{CONTACTS[1]}"]
    with FaultProxy(sb, then_writes=modes, cued=True) as proxy:
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        result = hf.associate(pairs, _client(proxy.url, sb.token), progress=False)
        _wait_for(lambda: len(_pairs(sb)) == 2)
    assert result.loc[0, "status"] == "success"
    row = result.loc[1]
    if late < sum(waits):  # seen by the waits
        assert row["status"] == "success", row.to_dict()
    else:
        assert (row["status"], row["error_code"]) == ("failed", "UNKNOWN_OUTCOME"), row.to_dict()
        assert "HubSpot may still apply it" in row["error_message"]
        assert retry_rows(result).tolist() == [False, True]


@pytest.mark.parametrize("lost", ["lose", "late"])
def test_a_row_naming_a_record_that_does_not_exist_stays_object_not_found(
    sandbox_factory: Callable[..., Sandbox], lost: str
) -> None:
    """The first attempt's answer is lost (or a 504 while HubSpot applies it later); the
    retry's answer refuses a row whose contact does not exist.  No attempt can have linked a
    record that is not there: the row is ``OBJECT_NOT_FOUND``, the error to act on (it was
    ``UNKNOWN_OUTCOME``, "an earlier attempt may have applied it")."""
    sb = _portal(sandbox_factory)
    missing = "9400000099"
    sheet = pd.DataFrame({"Deal ID": DEALS[:3], "Contact ID": [CONTACTS[0], missing, CONTACTS[2]]})
    proxy = (
        FaultProxy(sb, lose=1)
        if lost == "lose"
        else FaultProxy(sb, then_writes=["late:0.05"], cued=True)
    )
    with proxy:
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        result = hf.associate(pairs, _client(proxy.url, sb.token), progress=False)
        _wait_for(lambda: len(_pairs(sb)) == 2)
    assert result["status"].tolist() == ["success", "failed", "success"]
    row = result.loc[1]
    assert row["error_code"] == "OBJECT_NOT_FOUND", row.to_dict()
    assert missing in row["error_message"]
    assert retry_rows(result).tolist() == [False, True, False]
