"""HubSpot's 423 Locked and 477 Migration in Progress are waited out, not read as a bad row.

HubSpot's error-handling guide: 423 Locked "Locks will last for 2 seconds, so if you receive a
423 error, you should include a delay of at least 2 seconds between your API requests"; 477
Migration in Progress comes with a ``Retry-After`` header "indicating how many seconds to wait
before retrying the request (typically up to 24 hours)".  The client retried only 429 and 5xx:
a 423 or 477 failed every row of its batch after one attempt as ``HUBSPOT_VALIDATION`` ("HubSpot
refused the whole request: Locked.") -- the wrong cause, and rows a retry would have applied.

Now both are retried under the client's retry budget, a 423 at least 2 s after the last
attempt, a 477 after its ``Retry-After`` (within ``migration_patience_s`` in all); HubSpot
refused the request before doing it, so nothing is read back.  When the retries run out a
423's rows are ``failed`` with ``HUBSPOT_LOCKED``; a 477 stops the run (the account refuses
every request for hours): every row not done is ``skipped`` with ``HUBSPOT_MIGRATING``.  Both go
to the retry file, and a journal does not keep them as final.  The sandbox's ``locked_rate``
and ``migration_rate`` faults answer so over real HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

import hubframe as hf
from hubframe.errors import CODE_INFO, STOPPING_CODES, BusyError, ErrorCode, HubframeError
from hubframe.hubspot.client import HubSpotClient, _retry_after
from hubframe.run.journal import TRANSIENT_CODES
from hubframe.sandbox import Sandbox
from hubframe.sandbox.faults import Fault, FaultPlan
from hubframe.testing import client_for

Factory = Callable[..., Sandbox]
DEALS = [str(2050000201 + i) for i in range(4)]
CONTACTS = [str(1029360201 + i) for i in range(4)]
LABELS = ["Decision maker", "Champion", "Budget holder"]
#: The rates and the fault each kind draws.
KINDS = {
    "locked": ("locked_rate", Fault.LOCKED, 423, ErrorCode.HUBSPOT_LOCKED),
    "migration": ("migration_rate", Fault.MIGRATION, 477, ErrorCode.HUBSPOT_MIGRATING),
}


def _seed(rate: str, wanted: list[Fault], value: float = 0.5) -> int:
    """A seed whose first draws at ``rate`` = ``value`` are ``wanted`` (then anything)."""
    for seed in range(10_000):
        plan = FaultPlan.from_dict({rate: value, "seed": seed})
        if [plan.draw()[0] for _ in wanted] == wanted:
            return seed
    raise AssertionError(f"no seed draws {wanted}")


def _client(sb: Sandbox, **kwargs: Any) -> HubSpotClient:
    client = client_for(sb, **kwargs)
    client.locked_wait_s = 0.05  # the 2 s floor has its own test
    return client


def _sandbox(factory: Factory, **faults: Any) -> Sandbox:
    sb = factory(seed="demo", faults=faults)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _pairs_sheet() -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Association label": LABELS[0]})


def _limits_sheet() -> pd.DataFrame:
    rows = len(LABELS)
    frame = pd.DataFrame({"From": ["deals"] * rows, "To": ["contacts"] * rows})
    return hf.read_limits(frame.assign(Label=LABELS, Max="3"))


def _run(job: str, sb: Sandbox, client: HubSpotClient, **kwargs: Any) -> pd.DataFrame:
    if job == "associate":
        return hf.associate(hf.read_pairs(_pairs_sheet()), client, progress=False, **kwargs)
    return hf.configure_limits(_limits_sheet(), client, progress=False, **kwargs)


def _done(job: str, sb: Sandbox) -> int:
    """How many of the job's changes the portal holds."""
    if job == "associate":
        frame = sb.associations("deals", "contacts")
        return sum(a in set(DEALS) for a in frame["from_id"].drop_duplicates())
    limits = sb.limits("deals", "contacts")
    ids = {sb.type_id("deals", "contacts", label) for label in LABELS}
    mine = limits[limits["type_id"].astype(int).isin(ids)]
    return int((mine["max_to_object_ids"].astype(int) == 3).sum())


def _writes(sb: Sandbox) -> list[int]:
    log = sb.request_log()
    writes = log[(log["method"] != "GET") & ~log["path"].str.endswith("/read")]
    return [int(s) for s in writes["status"]]


# --- the client -----------------------------------------------------------------------------


def test_a_lock_is_retried_at_least_2_s_after_the_423(sandbox_factory: Factory) -> None:
    """The floor is HubSpot's: a retry after 10-50 ms of backoff would meet the same lock."""
    seed = _seed("locked_rate", [Fault.LOCKED, Fault.NONE])
    sb = sandbox_factory(faults={"locked_rate": 0.5, "seed": seed})
    pair = [{"from": {"id": "2040000002"}, "to": {"id": "1019360002"}}]
    resp = client_for(sb).batch_associate_default("deals", "contacts", pair)
    log = sb.request_log()
    assert log["status"].tolist() == [423, 200] and resp.attempts == 2
    assert log["started"][1] - log["finished"][0] >= 2.0


@pytest.mark.parametrize("retry_after", [1, 2])
def test_a_migration_is_retried_after_its_retry_after(
    sandbox_factory: Factory, retry_after: int
) -> None:
    seed = _seed("migration_rate", [Fault.MIGRATION, Fault.NONE])
    faults = {"migration_rate": 0.5, "migration_retry_after": retry_after, "seed": seed}
    sb = sandbox_factory(faults=faults)
    pair = [{"from": {"id": "2040000002"}, "to": {"id": "1019360002"}}]
    resp = client_for(sb).batch_associate_default("deals", "contacts", pair)
    log = sb.request_log()
    assert log["status"].tolist() == [477, 200] and resp.attempts == 2
    assert log["started"][1] - log["finished"][0] >= retry_after


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("retries", [0, 2])
def test_the_retries_run_out_with_the_right_code(
    sandbox_factory: Factory, kind: str, retries: int
) -> None:
    rate, _, status, code = KINDS[kind]
    sb = sandbox_factory(faults={rate: 1.0, "migration_retry_after": 0})
    pair = [{"from": {"id": "2040000002"}, "to": {"id": "1019360002"}}]
    with pytest.raises(BusyError) as info:
        _client(sb, max_retries=retries).batch_associate_default("deals", "contacts", pair)
    error = info.value
    assert (error.code, error.http_status, error.attempts) == (code, status, retries + 1)
    assert not error.may_have_applied  # refused before anything was done
    assert error.stops_run is (kind == "migration")
    assert str(status) in str(error)
    assert _writes(sb) == [status] * (retries + 1)
    linked = sb.associations("deals", "contacts")
    assert linked.query("from_id == '2040000002' and to_id == '1019360002'").empty


@pytest.mark.parametrize("retry_after", [121, 3600, 86400])
def test_a_migration_longer_than_the_patience_is_not_waited_for(
    sandbox_factory: Factory, retry_after: int
) -> None:
    """HubSpot asks to wait hours: no retry after 2 minutes would find it done."""
    sb = sandbox_factory(faults={"migration_rate": 1.0, "migration_retry_after": retry_after})
    started = time.monotonic()
    with pytest.raises(BusyError) as info:
        client_for(sb, max_retries=6).batch_read("deals", "contacts", [{"id": "2040000002"}])
    assert time.monotonic() - started < 5
    assert info.value.attempts == 1 and info.value.retry_after_s == retry_after
    assert info.value.code is ErrorCode.HUBSPOT_MIGRATING


def test_migration_waits_add_up_to_the_patience(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(faults={"migration_rate": 1.0, "migration_retry_after": 1})
    client = client_for(sb, max_retries=10)
    client.migration_patience_s = 2.5  # two waits of 1 s fit, a third does not
    with pytest.raises(BusyError) as info:
        client.batch_read("deals", "contacts", [{"id": "2040000002"}])
    assert info.value.attempts == 3


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("read", ["batch_read", "list_labels", "get_limits"])
def test_reads_are_retried_too(sandbox_factory: Factory, kind: str, read: str) -> None:
    rate, fault, status, _ = KINDS[kind]
    seed = _seed(rate, [fault, fault, Fault.NONE])
    sb = sandbox_factory(
        faults={rate: 0.5, "seed": seed, "migration_retry_after": 0, "schema_paths": True}
    )
    client = _client(sb)
    if read == "batch_read":
        found = client.batch_read("deals", "contacts", [{"id": "2040000001"}]).json()["results"]
    elif read == "list_labels":
        found = client.list_labels("deals", "contacts")
    else:
        found = client.get_limits("deals", "contacts")
    assert found is not None
    assert sb.request_log()["status"].tolist() == [status, status, 200]


def test_retry_after_in_seconds_or_as_a_date() -> None:
    def answer(value: str | None) -> requests.Response:
        resp = requests.Response()
        if value is not None:
            resp.headers["Retry-After"] = value
        return resp

    assert _retry_after(answer("30")) == 30.0
    assert _retry_after(answer(None)) is None
    assert _retry_after(answer("soon")) is None
    later = pd.Timestamp.now(tz="UTC") + pd.Timedelta(seconds=90)
    waited = _retry_after(answer(later.strftime("%a, %d %b %Y %H:%M:%S GMT")))
    assert waited is not None and 80 <= waited <= 91
    assert _retry_after(answer("Mon, 01 Jan 2001 00:00:00 GMT")) == 0.0


# --- the jobs -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("job", ["associate", "limits"])
def test_a_passing_lock_or_migration_leaves_every_row_applied(
    sandbox_factory: Factory, kind: str, job: str
) -> None:
    rate, fault, _, _ = KINDS[kind]
    seed = _seed(rate, [fault, fault, Fault.NONE])
    faults = {rate: 0.5, "seed": seed, "migration_retry_after": 0, "writes_only": True}
    sb = _sandbox(sandbox_factory, schema_paths=True, **faults)
    result = _run(job, sb, _client(sb, max_retries=12))
    assert set(result["status"]) == {"success"}, result[["status", "error_message"]]
    assert result["attempts"].max() >= 2
    assert _writes(sb).count(KINDS[kind][2]) == 2
    assert _done(job, sb) == (len(DEALS) if job == "associate" else len(LABELS))


@pytest.mark.parametrize("job", ["associate", "limits"])
def test_a_lasting_lock_fails_the_rows_for_the_retry_file(
    sandbox_factory: Factory, job: str, tmp_path: Path
) -> None:
    sb = _sandbox(sandbox_factory, locked_rate=1.0, writes_only=True, schema_paths=True)
    result = _run(job, sb, _client(sb, max_retries=2))
    assert set(result["status"]) == {"failed"}
    assert set(result["error_code"]) == {"HUBSPOT_LOCKED"}
    assert all("423" in m and "retry file" in m for m in result["error_message"])
    batches = 1 if job == "associate" else 2  # limits: an update and a create
    assert _writes(sb) == [423] * 3 * batches  # three attempts each, nothing read back
    assert set(result["attempts"]) == {3}
    assert _done(job, sb) == 0
    retry = hf.export_retry(result, tmp_path / "retry.csv")
    assert len(pd.read_csv(retry)) == len(result)


@pytest.mark.parametrize("job", ["associate", "limits"])
def test_a_lasting_migration_stops_the_run(
    sandbox_factory: Factory, job: str, tmp_path: Path
) -> None:
    """Every batch would wait out the same migration: the first one that gives up stops the
    run, its rows and the rest ``skipped`` for the retry file."""
    faults = {"migration_rate": 1.0, "migration_retry_after": 3600, "writes_only": True}
    sb = _sandbox(sandbox_factory, schema_paths=True, **faults)
    result = _run(job, sb, _client(sb, max_retries=6), batch_size=1, workers=1)
    assert set(result["status"]) == {"skipped"}
    assert set(result["error_code"]) == {"HUBSPOT_MIGRATING"}
    assert all("477" in m and "60 min" in m for m in result["error_message"])
    assert _writes(sb) == [477]  # no other batch was sent
    stop = result.attrs["hubframe"]["run"].stop
    assert stop is not None and stop.code is ErrorCode.HUBSPOT_MIGRATING
    retry = hf.export_retry(result, tmp_path / "retry.csv")
    assert len(pd.read_csv(retry)) == len(result)


@pytest.mark.parametrize("kind", KINDS)
def test_a_journaled_run_sends_the_rows_again_when_resumed(
    sandbox_factory: Factory, kind: str, tmp_path: Path
) -> None:
    rate = KINDS[kind][0]
    faults = {rate: 1.0, "migration_retry_after": 3600, "writes_only": True}
    sb = _sandbox(sandbox_factory, **faults)
    journal = tmp_path / "run.sqlite"
    first = _run("associate", sb, _client(sb, max_retries=1), journal=journal)
    assert set(first["error_code"]) == {KINDS[kind][3].value}
    sb.set_faults()
    again = _run("associate", sb, _client(sb), journal=journal)
    assert set(again["status"]) == {"success"}
    assert _done("associate", sb) == len(DEALS)


# --- the read paths -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_an_export_waits_out_a_passing_lock_or_migration(
    sandbox_factory: Factory, kind: str
) -> None:
    rate, fault, _, _ = KINDS[kind]
    plain = sandbox_factory(seed="demo")
    expected = hf.read_associations(client_for(plain), "deals", "contacts", progress=False)
    seed = _seed(rate, [fault, fault, Fault.NONE])
    sb = sandbox_factory(seed="demo", faults={rate: 0.5, "seed": seed, "migration_retry_after": 0})
    found = hf.read_associations(_client(sb, max_retries=12), "deals", "contacts", progress=False)
    assert sorted(map(tuple, found.astype(str).values.tolist())) == sorted(
        map(tuple, expected.astype(str).values.tolist())
    )
    assert {423, 477} & set(sb.request_log()["status"])


@pytest.mark.parametrize("kind", KINDS)
def test_an_export_that_stays_locked_says_so(sandbox_factory: Factory, kind: str) -> None:
    rate, _, _, code = KINDS[kind]
    sb = sandbox_factory(seed="demo", faults={rate: 1.0, "migration_retry_after": 0})
    with pytest.raises(HubframeError) as info:
        hf.read_associations(_client(sb, max_retries=1), "deals", "contacts", progress=False)
    assert info.value.code is code


# --- the codes ------------------------------------------------------------------------------


def test_the_codes_say_what_happened_and_what_to_do() -> None:
    for code in (ErrorCode.HUBSPOT_LOCKED, ErrorCode.HUBSPOT_MIGRATING):
        info = CODE_INFO[code]
        assert info.source == "remote" and "retry file" in info.action
        assert code in TRANSIENT_CODES  # a journal does not keep them as final
    assert ErrorCode.HUBSPOT_MIGRATING in STOPPING_CODES
    assert ErrorCode.HUBSPOT_LOCKED not in STOPPING_CODES
