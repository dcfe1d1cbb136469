"""A row naming a record that does not exist is never of unknown outcome.

A write HubSpot's answer left unsure (answered still processing, its answer lost, a 5xx) is
read back, and a row the read-back does not find was ``failed`` ``UNKNOWN_OUTCOME``: "maybe
applied" to undo, the reports and a resumed run -- also when it names a deal HubSpot does not
have, which no write can ever apply.  Now the records of the rows still unknown are read (one
objects batch read per object type): a row whose record is missing is ``failed``
``OBJECT_NOT_FOUND`` naming it (a removal: ``skipped`` ``NOT_ASSOCIATED``, nothing to remove),
the journal records it not applied, undo leaves it and a resumed run does not take it for
maybe applied.  When that read fails, the rows stay ``UNKNOWN_OUTCOME``; rows whose records
exist are as before.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.run import send
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

Factory = Callable[..., Sandbox]
DEALS = [str(7_000_000_001 + i) for i in range(3)]
CONTACTS = [str(8_000_000_001 + i) for i in range(3)]
NO_DEAL, NO_CONTACT = "7999999999", "8999999999"
GOOD = [(d, c) for d in DEALS for c in CONTACTS]
#: The path of the association reads (deal -> contact), not of the records' reads.
LINK_READS = "deals/contacts/batch/read"
BAD = [(NO_DEAL, CONTACTS[0]), (DEALS[0], NO_CONTACT), (NO_DEAL, NO_CONTACT)]


@pytest.fixture(autouse=True)
def _quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(send, "PROCESSING_WAITS", (0.05, 0.1))


def _sandbox(factory: Factory, **faults: object) -> Sandbox:
    sb = factory(faults=faults or None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _via(proxy: FaultProxy, sb: Sandbox) -> HubSpotClient:
    """A client of ``sb`` through ``proxy``, which does not send a write again (the lost
    answer's rows are settled by reads, not by a retry's answer)."""
    return HubSpotClient(
        token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05, max_retries=0
    )


def _sheet(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Deal ID", "Contact ID"])


def _codes(result: pd.DataFrame) -> list[str | None]:
    return result["error_code"].astype("string").replace({pd.NA: None}).tolist()


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


def _record_reads(sb: Sandbox) -> list[str]:
    paths = sb.request_log()["path"].astype(str)
    return [p for p in paths if "/objects/" in p and p.endswith("/batch/read")]


def _assert_settled(result: pd.DataFrame, bad: int) -> None:
    """The last ``bad`` rows (:data:`BAD`) failed OBJECT_NOT_FOUND, naming their records."""
    tail = result.tail(bad)
    assert tail["status"].tolist() == ["failed"] * bad, tail
    assert _codes(tail) == ["OBJECT_NOT_FOUND"] * bad, tail
    said = tail["error_message"].astype(str).tolist()
    assert all("cannot have applied" in s for s in said), said
    assert said[0].startswith(f"Deal {NO_DEAL} does not exist in HubSpot"), said
    if bad > 1:
        assert said[1].startswith(f"Contact {NO_CONTACT} does not exist in HubSpot"), said
        assert f"deal {NO_DEAL} and contact {NO_CONTACT} do not exist" in said[2].lower()


# --- the prober's repro: a batch answered PROCESSING, applied after the client stopped looking --


def test_a_processing_batch_settles_its_rows_of_missing_records(sandbox_factory: Factory) -> None:
    sb = _sandbox(sandbox_factory, processing_rate=1.0, processing_delay=60)
    result = hf.associate(_sheet(GOOD + BAD), client_for(sb), progress=False)
    _assert_settled(result, len(BAD))
    head = result.head(len(GOOD))  # records there: unknown as before, HubSpot may apply them
    assert _codes(head) == ["UNKNOWN_OUTCOME"] * len(GOOD)
    assert head["error_message"].str.contains("still being processed").all()
    assert len(_record_reads(sb)) == 2  # one objects read per object type


# --- an answer lost -----------------------------------------------------------------------------


def test_a_lost_answer_settles_its_rows_of_missing_records(sandbox_factory: Factory) -> None:
    sb = _sandbox(sandbox_factory, lost_response_rate=1.0, writes_only=True)
    result = hf.associate(_sheet(GOOD + BAD), client_for(sb), progress=False)
    _assert_settled(result, len(BAD))
    assert result.head(len(GOOD))["status"].tolist() == ["success"] * len(GOOD)
    assert set(GOOD) <= _linked(sb)


def test_a_lost_answer_whose_read_back_fails_still_settles_missing_records(
    sandbox: Sandbox,
) -> None:
    """The association reads fail too (the proxy's first write lost, every association read a
    503): the rows of existing records stay unknown, those of missing records do not."""
    sandbox.add_records("deals", DEALS)
    sandbox.add_records("contacts", CONTACTS)
    with FaultProxy(sandbox, lose=1, fail_path=LINK_READS) as proxy:
        result = hf.associate(_sheet(GOOD + BAD), _via(proxy, sandbox), progress=False)
    _assert_settled(result, len(BAD))
    assert _codes(result.head(len(GOOD))) == ["UNKNOWN_OUTCOME"] * len(GOOD)


def test_a_failed_record_read_leaves_the_rows_unknown(sandbox: Sandbox) -> None:
    """Never a guess: when the read of the records fails, every unsure row stays unknown."""
    sandbox.add_records("deals", DEALS)
    sandbox.add_records("contacts", CONTACTS)
    sandbox.set_faults(processing_rate=1.0, processing_delay=60)
    with FaultProxy(sandbox, fail_path="/objects/") as proxy:
        result = hf.associate(_sheet(GOOD + BAD), _via(proxy, sandbox), progress=False)
        assert proxy.path_failures >= 1
    assert _codes(result) == ["UNKNOWN_OUTCOME"] * len(GOOD + BAD)


# --- a removal ----------------------------------------------------------------------------------


def test_a_removal_of_a_missing_record_is_nothing_to_remove(sandbox: Sandbox) -> None:
    """Every association read fails (the read before sending, the read-back) and the archive's
    answer is lost: the pair of existing records stays unknown; one naming a record that does
    not exist had nothing to remove (skipped NOT_ASSOCIATED), never maybe removed."""
    sandbox.add_records("deals", DEALS)
    sandbox.add_records("contacts", CONTACTS)
    hf.associate(_sheet(GOOD[:1]), client_for(sandbox), progress=False)
    sheet = _sheet(GOOD[:1] + BAD[:1])
    with FaultProxy(sandbox, lose=1, fail_path=LINK_READS) as proxy, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = hf.remove_associations(sheet, _via(proxy, sandbox), progress=False)
    assert _codes(result) == ["UNKNOWN_OUTCOME", "NOT_ASSOCIATED"], result
    assert result["status"].tolist() == ["failed", "skipped"]
    said = str(result["error_message"].iloc[1])
    assert f"deal {NO_DEAL} does not exist in HubSpot" in said and "nothing to remove" in said


# --- the journal, undo and a resumed run ---------------------------------------------------------


def test_the_journal_undo_and_a_resumed_run_take_them_for_not_applied(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    sb = _sandbox(sandbox_factory, processing_rate=1.0, processing_delay=60)
    journal = tmp_path / "run.sqlite"
    report = tmp_path / "run.xlsx"
    sheet = _sheet(GOOD + BAD)
    first = hf.associate(sheet, client_for(sb), journal=journal, progress=False)
    hf.export_report(first, report)
    _assert_settled(first, len(BAD))
    with Journal(journal) as book:
        maybe = {(r.from_id, r.to_id) for r in book.created() if r.maybe}
    assert maybe == set(GOOD)  # the rows of missing records: not maybe applied
    undone = hf.undo(report, client_for(sb), progress=False)
    tail = undone.tail(len(BAD))
    assert tail["status"].tolist() == ["skipped"] * len(BAD), tail
    sent = sb.request_log()["path"].astype(str)
    assert not sent.str.contains("archive").any()  # nothing of theirs taken back (nor GOOD's)
    sb.set_faults()
    again = hf.associate(sheet, client_for(sb), journal=journal, progress=False)
    assert again.head(len(GOOD))["status"].tolist() == ["success"] * len(GOOD)
    assert _codes(again.tail(len(BAD))) == ["OBJECT_NOT_FOUND"] * len(BAD)
    assert "UNKNOWN_OUTCOME" not in again["error_message"].astype(str).str.cat()


# --- a seeded property --------------------------------------------------------------------------

FAULTS = (
    {"processing_rate": 1.0, "processing_delay": 60},
    {"lost_response_rate": 1.0, "writes_only": True},
    {"server_error_rate": 0.6},
    {"lost_response_rate": 0.7},
    {"processing_rate": 0.5, "processing_delay": 0.3, "server_error_rate": 0.3},
)


@pytest.mark.parametrize("seed", seeds(6))
def test_no_row_of_a_missing_record_is_unknown(sandbox_factory: Factory, seed: int) -> None:
    rng = random.Random(seed)
    faults = {**rng.choice(FAULTS), "seed": seed}
    sb = _sandbox(sandbox_factory, **faults)
    deals = DEALS + [str(7_100_000_000 + n) for n in range(3)]  # the last three not there
    contacts = CONTACTS + [str(8_100_000_000 + n) for n in range(3)]
    rows = list({(rng.choice(deals), rng.choice(contacts)) for _ in range(rng.randint(4, 30))})
    result = hf.associate(
        _sheet(rows), client_for(sb, max_retries=rng.randint(0, 2)), progress=False, batch_size=7
    )
    linked = _linked(sb)
    for (deal, contact), status, code in zip(rows, result["status"], _codes(result), strict=True):
        missing = deal not in DEALS or contact not in CONTACTS
        if missing:
            assert code != "UNKNOWN_OUTCOME", (seed, faults, deal, contact)
            assert status != "success"
        if status == "success":
            assert (deal, contact) in linked, (seed, faults, deal, contact)
