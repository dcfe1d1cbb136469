"""Sending over HTTP: 207 mapping, bisection, outcome checks, clean stops, journal re-use."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy

from hubframe.errors import ErrorCode
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.wire import JsonBytes
from hubframe.run.journal import Journal
from hubframe.run.plan import make_plan
from hubframe.run.send import THREADS_PER_SLOT, Sender, _start_workers
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from hubframe.vocab import Action, Status

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

Factory = Callable[..., Sandbox]
DEALS = [str(2040000001 + i) for i in range(10)]
CONTACTS = [str(1019360001 + i) for i in range(40)]
MISSING_CONTACT, MISSING_DEAL = "1019369999", "2049999999"
VERSIONS = ("2026-03", "2026-09", "v4")


def assoc(
    pos: int, from_id: str, to_id: str, type_id: int | None = None, category: str = "USER_DEFINED"
) -> WorkItem:
    return WorkItem(
        position=pos,
        action=Action.ASSOCIATE if type_id is not None else Action.ASSOCIATE_DEFAULT,
        from_type="deals",
        to_type="contacts",
        from_id=from_id,
        to_id=to_id,
        category=category if type_id is not None else None,
        type_id=type_id,
    )


def run(client: HubSpotClient, items: list[WorkItem], **kw: Any) -> dict[int, Outcome]:
    batch_size = kw.pop("batch_size", None)
    plan = make_plan(items, batch_size=batch_size)
    return Sender(client, **kw).run(plan.stream())


def log_of(sb: Sandbox) -> Any:
    return sb.request_log()


def present(sb: Sandbox) -> set[tuple[str, str, int]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], frame["type_id"].astype(int), strict=True))


# --- 207 / 200-with-errors mapping --------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_mixed_batch_maps_every_error_to_its_row(sandbox: Sandbox, version: str) -> None:
    champion = sandbox.add_label("deals", "contacts", "Test champion")
    decision_maker = sandbox.type_id("deals", "contacts", "Decision maker")  # limit 2 per deal
    deal = DEALS[0]  # already has 2 decision makers (the demo limit)
    items = [
        assoc(0, DEALS[3], CONTACTS[20], champion),
        assoc(1, DEALS[3], MISSING_CONTACT, champion),
        assoc(2, DEALS[3], CONTACTS[21], 4242),
        assoc(3, deal, CONTACTS[22], decision_maker),
        assoc(4, MISSING_DEAL, CONTACTS[23], champion),
        assoc(5, DEALS[4], CONTACTS[24], champion),
    ]
    out = run(client_for(sandbox, version), items)
    codes = {p: (o.status, o.error_code) for p, o in out.items()}
    assert codes == {
        0: (Status.SUCCESS, None),
        1: (Status.FAILED, "OBJECT_NOT_FOUND"),
        2: (Status.FAILED, "INVALID_ASSOCIATION_TYPE"),
        3: (Status.FAILED, "LIMIT_EXCEEDED"),
        4: (Status.FAILED, "OBJECT_NOT_FOUND"),
        5: (Status.SUCCESS, None),
    }
    # (message text: the sentence must name the record at fault)
    assert (out[1].error_message or "").startswith(
        f"Contact {MISSING_CONTACT} does not exist in HubSpot"
    )
    assert f"Deal {MISSING_DEAL} does not exist" in (out[4].error_message or "")
    assert "USER_DEFINED 4242" in (out[2].error_message or "")
    assert deal in (out[3].error_message or "")
    if sandbox.behaviour.name() == "default":  # items reported in one multi-status answer
        assert {o.http_status for o in out.values()} == {200 if version == "2026-09" else 207}
    assert out[1].hubspot_category == "VALIDATION_ERROR"
    got = present(sandbox)
    assert (DEALS[3], CONTACTS[20], champion) in got
    assert (DEALS[4], CONTACTS[24], champion) in got
    assert not any(t == CONTACTS[21] or t == CONTACTS[22] for _, t, _ in got)


def test_default_associations_and_limits_endpoints(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    items = [assoc(0, DEALS[5], CONTACTS[30]), assoc(1, DEALS[5], MISSING_CONTACT)]
    out = run(client, items)
    assert [out[0].status, out[1].error_code] == [Status.SUCCESS, "OBJECT_NOT_FOUND"]
    assert (DEALS[5], CONTACTS[30], 3) in present(sandbox)

    champion = sandbox.add_label("deals", "contacts", "Limit champion")
    sandbox.set_limit("deals", "contacts", 3, type_id=3)

    def limit(pos: int, action: str, type_id: int, value: int | None) -> WorkItem:
        return WorkItem(pos, action, "deals", "contacts", category="USER_DEFINED",
                        type_id=type_id, max_to_object_ids=value)  # fmt: skip

    out = run(
        client, [limit(0, Action.CREATE_LIMIT, champion, 2), limit(1, Action.CREATE_LIMIT, 4242, 2)]
    )
    assert (out[0].status, out[1].status) == (Status.SUCCESS, Status.FAILED)
    assert out[1].error_code == "INVALID_ASSOCIATION_TYPE"
    out = run(client, [limit(0, Action.UPDATE_LIMIT, champion, 5)])  # above the object limit of 3
    assert out[0].error_code == "LABEL_LIMIT_ABOVE_OBJECT_LIMIT"
    out = run(client, [limit(0, Action.UPDATE_LIMIT, champion, 1)])
    assert out[0].status == Status.SUCCESS
    out = run(client, [limit(0, Action.CREATE_LIMIT, champion, 1)])  # it exists: HubSpot refuses
    assert (out[0].status, out[0].error_code) == (Status.FAILED, "HUBSPOT_VALIDATION")
    limits = sandbox.limits("deals", "contacts")
    assert int(limits.loc[limits["type_id"] == champion, "max_to_object_ids"].iloc[0]) == 1
    assert run(client, [limit(0, Action.PURGE_LIMIT, champion, None)])[0].status == Status.SUCCESS
    assert champion not in set(sandbox.limits("deals", "contacts")["type_id"])


def test_a_400_naming_no_row_is_explained_by_reading_the_portal(sandbox: Sandbox) -> None:
    items = [assoc(p, DEALS[6], CONTACTS[p], 3, "HUBSPOT_DEFINED") for p in range(8)]
    items[5] = assoc(5, DEALS[6], CONTACTS[5], 3, "NOT_A_CATEGORY")
    out = run(client_for(sandbox), items)
    assert [out[p].status for p in range(8)] == [Status.SUCCESS] * 5 + [Status.FAILED] + [
        Status.SUCCESS
    ] * 2
    # the 400 names no row; a read of the pair's types shows the one at fault
    assert out[5].error_code == "INVALID_ASSOCIATION_TYPE" and out[5].http_status == 400
    assert "NOT_A_CATEGORY" in (out[5].error_message or "")
    assert {(DEALS[6], CONTACTS[p], 3) for p in (0, 1, 2, 3, 4, 6, 7)} <= present(sandbox)
    writes = log_of(sandbox).query("path.str.endswith('/batch/create')")
    assert writes["status"].iloc[0] == 400 and len(writes) == 2  # refused, then the seven
    assert (out[0].attempts, out[5].attempts) == (2, 1)


def test_a_400_the_portal_cannot_explain_is_halved_until_the_bad_rows_are_alone(
    sandbox: Sandbox,
) -> None:
    """When the reads found nothing (``diagnosed``), the first row goes alone (it passes, so
    HubSpot refuses a row, not the request); the rest is split in halves, in the batch's order
    (HubSpot applies a batch's inputs in turn: a later row sent first may take a limit's last
    place from an earlier one)."""
    items = [assoc(p, DEALS[6], CONTACTS[p], 3, "HUBSPOT_DEFINED") for p in range(8)]
    items[5] = assoc(5, DEALS[6], CONTACTS[5], 3, "NOT_A_CATEGORY")
    batch = Batch(1, Action.ASSOCIATE, "deals", "contacts", tuple(items), diagnosed=True)
    out = Sender(client_for(sandbox)).run([batch])
    assert [out[p].status for p in range(8)] == [Status.SUCCESS] * 5 + [Status.FAILED] + [
        Status.SUCCESS
    ] * 2
    assert {(DEALS[6], CONTACTS[p], 3) for p in (0, 1, 2, 3, 4, 6, 7)} <= present(sandbox)
    writes = log_of(sandbox).query("path.str.endswith('/batch/create')")
    refused = [status == 400 for status in writes["status"]]  # the rest: 200 or 201 (profile)
    assert refused == [True, False, False, True, True, False, True, False]
    assert list(writes["inputs"]) == [8, 1, 3, 4, 2, 1, 1, 2]  # 8, 0, 1-3, 4-7, 4-5, 4, 5, 6-7
    assert (out[0].attempts, out[4].attempts, out[5].attempts, out[6].attempts) == (2, 4, 4, 3)


def test_batch_level_400_fails_every_row_without_bisecting(sandbox: Sandbox) -> None:
    items = [
        WorkItem(p, Action.ASSOCIATE_DEFAULT, "widgets_nope", "contacts", from_id="1", to_id=str(p))
        for p in range(6)
    ]
    out = run(client_for(sandbox), items)
    # the object type the rows name is the sheet's fault: invalid, as a lookup of its labels
    # says (tests/test_rehearse_custom_names.py), HubSpot's words quoted
    assert {o.status for o in out.values()} == {Status.INVALID}
    assert {o.error_code for o in out.values()} == {ErrorCode.BAD_OBJECT_TYPE}
    assert "Unable to infer object type" in (out[0].error_message or "")
    assert len(log_of(sandbox)) == 1


# --- outcome unknown after retries: checked with batch read ------------------------------------


@pytest.mark.parametrize(
    ("faults", "seed", "log", "expected", "applied"),
    [
        ("lost_response_rate", 4, [0, 200], (Status.SUCCESS, None), True),  # applied, reply lost
        # not there: read again after a pause (HubSpot may apply it late), which this seed's
        # fault answers too: what the first read showed stands, and it is no proof (HubSpot
        # may still apply the write): the outcome is unknown, never "not applied"; the deal and
        # the contact read last (200, 200) are there (tests/test_unknown_missing_records.py)
        (
            "server_error_rate",
            4,
            [500, 200, 500, 200, 200],
            (Status.FAILED, "UNKNOWN_OUTCOME"),
            False,
        ),
        ("reset_rate", 4, [0, 200, 0, 200, 200], (Status.FAILED, "UNKNOWN_OUTCOME"), False),
        (
            "lost_response_rate",
            1,
            [0, 0, 200, 200],
            (Status.FAILED, "UNKNOWN_OUTCOME"),
            True,
        ),  # check lost too
    ],
)
def test_unknown_outcome_is_checked(
    sandbox_factory: Factory,
    faults: str,
    seed: int,
    log: list[int],
    expected: tuple[Any, ...],
    applied: bool,
) -> None:
    sb = sandbox_factory(faults={faults: 0.5, "seed": seed})
    out = run(client_for(sb, max_retries=0), [assoc(0, DEALS[2], CONTACTS[35])])
    assert list(log_of(sb)["status"]) == log
    assert (out[0].status, out[0].error_code) == expected
    assert ((DEALS[2], CONTACTS[35], 3) in present(sb)) == applied


# --- a lost answer, then anything: settled by reading the portal -----------------------------


def via(proxy: FaultProxy, **kw: Any) -> HubSpotClient:
    kw.setdefault("backoff_base", 0.01)
    kw.setdefault("backoff_cap", 0.05)
    return HubSpotClient(proxy.sandbox.token, proxy.url, "2026-03", **kw)


def read_only(sb: Sandbox) -> str:
    return sb.create_token(["crm.objects.deals.read", "crm.objects.contacts.read"])


#: then-mode -> (first batch: applied, its answer lost), (second batch: never applied)
LOST_THEN = {
    # 429s until the retries run out, then the check reads the portal
    "throttle-2": ((Status.SUCCESS, None), (Status.SUCCESS, None)),
    # 429s for everything: the check is refused too
    "throttle": ((Status.FAILED, "UNKNOWN_OUTCOME"), (Status.FAILED, "RATE_LIMITED")),
    "daily": ((Status.FAILED, "UNKNOWN_OUTCOME"), (Status.SKIPPED, "RATE_LIMITED")),
    "unauthorized": ((Status.FAILED, "UNKNOWN_OUTCOME"), (Status.SKIPPED, "UNAUTHORIZED")),
    # writes answered 403, reads allowed: the check settles the batch
    "forbidden": ((Status.SUCCESS, None), (Status.SKIPPED, "MISSING_SCOPES")),
    "refuse": ((Status.FAILED, "UNKNOWN_OUTCOME"), (Status.FAILED, "NETWORK_ERROR")),
}


@pytest.mark.parametrize("then", sorted(LOST_THEN))
def test_lost_answer_then_anything_is_settled_before_it_is_reported(
    sandbox_factory: Factory, then: str
) -> None:
    sb = sandbox_factory()
    mode = {
        "throttle-2": "throttle",
        "unauthorized": "token:pat-na1-revoked-token",
        "forbidden": f"token:{read_only(sb)}",
    }.get(then, then)
    items = [assoc(p, DEALS[2], CONTACTS[p]) for p in range(4)]
    count = 2 if then == "throttle-2" else None
    with FaultProxy(sb, lose=1, then=mode, then_count=count) as proxy:
        out = run(via(proxy, max_retries=2), items, batch_size=2, workers=1)
    first, second = LOST_THEN[then]
    assert [(out[p].status, out[p].error_code) for p in range(4)] == [first] * 2 + [second] * 2
    linked = {t for f, t, _ in present(sb) if f == DEALS[2]}
    assert {CONTACTS[0], CONTACTS[1]} <= linked  # the lost write was applied
    assert (CONTACTS[2] in linked) == (second[0] == Status.SUCCESS)
    if first[1] == "UNKNOWN_OUTCOME":
        assert "check" in (out[0].error_message or "")


@pytest.mark.parametrize(
    ("fault", "applied"), [("lost_response_rate", True), ("server_error_rate", False)]
)
def test_a_retry_the_days_budget_refuses_after_an_unknown_attempt_is_unknown(
    sandbox_factory: Factory, fault: str, applied: bool
) -> None:
    """The write's answer is lost (or a 5xx) and that attempt used the day's last request: the
    client's own daily check refuses the retry before sending it.  The rows may be in the
    portal, so they are not "skipped, not sent": the check that follows is refused too, and
    they are UNKNOWN_OUTCOME (which an undo takes back); the next batch is skipped."""
    sb = sandbox_factory(daily_limit=2, faults={fault: 1.0, "writes_only": True})
    client = client_for(sb, max_retries=2, backoff_base=0.01)
    client.list_labels("deals", "contacts")  # the client learns: one request left today
    items = [assoc(p, DEALS[2], CONTACTS[p]) for p in range(4)]
    out = run(client, items, batch_size=2, workers=1)
    assert [(out[p].status, out[p].error_code) for p in range(4)] == [
        (Status.FAILED, "UNKNOWN_OUTCOME")
    ] * 2 + [(Status.SKIPPED, "RATE_LIMITED")] * 2
    assert out[0].attempts == 1 and out[2].attempts == 0
    assert "could not be sent again" in (out[0].error_message or "")
    assert len(log_of(sb)) == 2  # the labels, the write; nothing after the day's budget
    linked = {t for f, t, _ in present(sb) if f == DEALS[2]}
    assert ({CONTACTS[0], CONTACTS[1]} <= linked) == applied
    assert CONTACTS[2] not in linked


def test_refused_connection_is_not_an_unknown_outcome(sandbox_factory: Factory) -> None:
    sb = sandbox_factory()
    with FaultProxy(sb) as proxy:
        client = via(proxy, max_retries=2)
    started = time.monotonic()
    out = run(client, [assoc(p, DEALS[2], CONTACTS[p]) for p in range(4)], batch_size=2)
    assert [(o.status, o.error_code) for o in out.values()] == [
        (Status.FAILED, "NETWORK_ERROR")
    ] * 4
    assert "Not sent" in (out[0].error_message or "")
    assert time.monotonic() - started < 5
    assert log_of(sb).empty


def test_lost_limit_create_then_item_error_is_checked(sandbox_factory: Factory) -> None:
    """The retry of an applied limit create is refused ("already has a limit"): it is there."""
    sb = sandbox_factory()
    champion = sb.add_label("deals", "contacts", "Lost champion")
    item = WorkItem(0, Action.CREATE_LIMIT, "deals", "contacts", category="USER_DEFINED",
                    type_id=champion, max_to_object_ids=4)  # fmt: skip
    with FaultProxy(sb, lose=1) as proxy:
        out = run(via(proxy), [item])
    assert (out[0].status, out[0].error_code) == (Status.SUCCESS, None)
    limits = sb.limits("deals", "contacts")
    assert int(limits.loc[limits["type_id"] == champion, "max_to_object_ids"].iloc[0]) == 4


# --- stopping cleanly ---------------------------------------------------------------------------


def test_daily_limit_stops_the_run(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(daily_limit=2)
    items = [assoc(p, DEALS[7], CONTACTS[p]) for p in range(5)]
    out = run(client_for(sb), items, batch_size=1, workers=1)
    assert [out[p].status for p in range(5)] == [
        Status.SUCCESS,
        Status.SUCCESS,
        Status.SKIPPED,
        Status.SKIPPED,
        Status.SKIPPED,
    ]
    assert {out[p].error_code for p in (2, 3, 4)} == {"RATE_LIMITED"}
    assert "daily" in (out[4].error_message or "")
    # the day's budget is followed from HubSpot's headers: nothing is sent once it is used up
    assert list(log_of(sb)["status"]) == [200, 200] and out[2].http_status is None


def test_a_day_used_up_by_another_app_stops_the_run_on_hubspots_429(
    sandbox_factory: Factory,
) -> None:
    """The limiter's belief is only as fresh as its last answer: another app using the rest of
    the day meanwhile makes HubSpot answer DAILY 429, which stops the run too."""
    sb = sandbox_factory(daily_limit=3)
    ours, theirs = client_for(sb), client_for(sb)
    ours.list_labels("deals", "contacts")  # ours believes 2 are left
    theirs.list_labels("deals", "contacts")
    theirs.list_labels("deals", "contacts")  # the day is used up
    items = [assoc(p, DEALS[7], CONTACTS[p]) for p in range(3)]
    out = run(ours, items, batch_size=1, workers=1)
    assert [out[p].status for p in range(3)] == [Status.SKIPPED] * 3
    assert out[0].http_status == 429 and out[0].error_code == "RATE_LIMITED"
    assert out[1].http_status is None  # not sent: the run had stopped


def test_auth_failures_stop_the_run(sandbox_factory: Factory) -> None:
    sb = sandbox_factory()
    out = run(client_for(sb, token="pat-na1-not-valid"), [assoc(0, DEALS[1], CONTACTS[9])])
    assert (out[0].status, out[0].error_code) == (Status.SKIPPED, "UNAUTHORIZED")
    narrow = sb.create_token(["crm.objects.contacts.write", "crm.objects.companies.write"])
    ok = WorkItem(0, Action.ASSOCIATE_DEFAULT, "contacts", "companies", from_id=CONTACTS[0],
                  to_id="3120000001")  # fmt: skip
    items = [ok, assoc(1, DEALS[1], CONTACTS[9]), assoc(2, DEALS[1], CONTACTS[10])]
    out = run(client_for(sb, token=narrow), items, batch_size=1, workers=1)
    assert out[0].status == Status.SUCCESS
    assert [(out[p].status, out[p].error_code) for p in (1, 2)] == [
        (Status.SKIPPED, "MISSING_SCOPES")
    ] * 2
    assert "scope" in (out[2].error_message or "")


def test_endless_throttling_fails_rows_as_rate_limited(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(faults={"throttle_rate": 1.0})
    out = run(client_for(sb, max_retries=1), [assoc(0, DEALS[1], CONTACTS[11])])
    assert (out[0].status, out[0].error_code, out[0].attempts) == (Status.FAILED, "RATE_LIMITED", 2)


def test_cancel_skips_the_batches_not_yet_sent(sandbox: Sandbox) -> None:
    cancel = threading.Event()
    items = [assoc(p, DEALS[9], CONTACTS[p]) for p in range(6)]
    batches = list(make_plan(items, batch_size=2).stream())
    sender = Sender(client_for(sandbox), workers=1, cancel=cancel)
    first = sender.run(batches[:1])
    cancel.set()
    rest = sender.run(batches[1:])
    assert [first[p].status for p in range(2)] == [Status.SUCCESS] * 2
    assert [rest[p].status for p in range(2, 6)] == [Status.SKIPPED] * 4
    assert "cancelled" in (rest[5].error_message or "")
    assert {rest[p].error_code for p in range(2, 6)} == {ErrorCode.CANCELLED}
    assert {t for f, t, _ in present(sandbox) if f == DEALS[9]} == set(CONTACTS[:2])


def test_a_ctrl_c_while_the_pool_starts_leaves_no_thread_waiting() -> None:
    """A KeyboardInterrupt between two of the pool's first submits: the threads started so
    far are let go, so the pool (and the process, at exit) can join them.  They waited for
    good before, and the command line hung after a Ctrl-C at the start of the sending."""
    submitted = 0

    class Interrupted(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            nonlocal submitted
            submitted += 1
            if submitted == 3:
                raise KeyboardInterrupt
            return super().submit(fn, *args, **kwargs)

    pool = Interrupted(max_workers=4, thread_name_prefix="interrupted")
    with pytest.raises(KeyboardInterrupt):
        _start_workers(pool, 4)
    closing = threading.Thread(target=pool.shutdown, daemon=True)  # waits for its threads
    closing.start()
    closing.join(10)
    assert not closing.is_alive(), "the pool's threads were left waiting"


# --- journal ------------------------------------------------------------------------------------


def test_journal_reuses_finished_batches(sandbox: Sandbox, tmp_path: Path) -> None:
    items = [assoc(p, DEALS[8], CONTACTS[p]) for p in range(6)] + [
        assoc(6, DEALS[8], MISSING_CONTACT)
    ]
    path = tmp_path / "run.journal.sqlite"
    with Journal(path) as journal:
        first = run(client_for(sandbox), items, batch_size=2, journal=journal)
        assert len(journal) == 4
    sent = len(log_of(sandbox))  # the 4 batches (and, where HubSpot says no reason, reads)
    assert int(log_of(sandbox)["path"].str.endswith("/batch/associate/default").sum()) == 4
    with Journal(path) as journal:
        again = run(client_for(sandbox), items, batch_size=2, journal=journal)
    assert len(log_of(sandbox)) == sent  # nothing sent again
    assert again == first
    assert again[6].error_code == "OBJECT_NOT_FOUND"


def test_a_journal_failing_mid_run_loses_no_outcome(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another program breaks the journal after the first batch: every row is still reported.
    The batch whose outcome it could not record keeps its outcome, and the run stops there
    (``JOURNAL_FAILED``): it went on sending batches the journal could not take back."""
    path = tmp_path / "run.sqlite"
    items = [assoc(p, DEALS[8], CONTACTS[p]) for p in range(6)]

    def breaker(_rows: int) -> None:
        with sqlite3.connect(path) as other:
            other.execute("DROP TABLE IF EXISTS batches")
        other.close()

    with Journal(path) as journal:
        out = run(client_for(sandbox), items, batch_size=2, workers=1, journal=journal,
                  on_progress=breaker)  # fmt: skip
    statuses = [out[p].status for p in range(6)]
    assert statuses == [Status.SUCCESS] * 4 + [Status.SKIPPED] * 2, statuses
    assert {out[p].error_code for p in (4, 5)} == {ErrorCode.JOURNAL_FAILED}
    assert str(path) in str(out[4].error_message)
    linked = set(sandbox.associations("deals", "contacts")["to_id"])
    assert {CONTACTS[p] for p in range(4)} <= linked and not {CONTACTS[4], CONTACTS[5]} & linked


def test_single_batch_object() -> None:
    item = assoc(0, "1", "2")
    batch = Batch(1, Action.ASSOCIATE_DEFAULT, "deals", "contacts", (item,))
    assert batch.part(()).items == () and batch.number == 1


def test_successful_rows_carry_the_correlation_id(sandbox: Sandbox) -> None:
    items = [assoc(i, DEALS[7], CONTACTS[i]) for i in range(5)]
    out = run(client_for(sandbox), items, batch_size=2)
    assert {o.status for o in out.values()} == {Status.SUCCESS}
    by_batch: dict[int | None, set[str | None]] = {}
    for o in out.values():
        by_batch.setdefault(o.batch, set()).add(o.correlation_id)
    assert all(len(ids) == 1 and None not in ids for ids in by_batch.values())  # one per request
    assert len({i for ids in by_batch.values() for i in ids}) == 3  # three requests, three ids


@pytest.mark.parametrize("details", ["full", "bare"])
def test_refused_batches_cost_about_one_request_a_bad_row(
    sandbox_factory: Factory, details: str
) -> None:
    """Batches refused whole (nothing applied, only the first error, with or without naming the
    row): the bad rows are found for about one extra request each, not log2(batch) halvings."""
    sb = sandbox_factory(
        seed=None, behaviour={"partial_failure": "refuse_batch", "error_details": details}
    )
    deals = [str(6_100_000_001 + i) for i in range(20)]
    contacts = [str(7_100_000_001 + i) for i in range(400)]
    sb.add_records("deals", deals)
    sb.add_records("contacts", contacts)
    bad = {17, 140, 141, 333}  # no such contacts; three of the four batches hold one or two
    items = [
        assoc(n, deals[n % 20], f"7199999{n:03d}" if n in bad else contacts[n]) for n in range(400)
    ]
    out = run(client_for(sb), items, batch_size=100)
    assert {n for n, o in out.items() if o.status is Status.FAILED} == bad
    assert {out[n].error_code for n in bad} == {"OBJECT_NOT_FOUND"}
    log = log_of(sb)
    writes = int(log["path"].str.endswith("/batch/associate/default").sum())
    if details == "full":  # the 400 names the row: fail it, send the rest
        assert writes == 4 + len(bad) and len(log) == writes
    else:  # nothing named: one look at the portal per refused batch, then the rest goes through
        assert writes == 4 + 3
        assert len(log) - writes <= 4 * 3  # records of both sides, types, limits
    assert len(sb.associations("deals", "contacts")) == 400 - len(bad)


def _watching(seen: list[int]) -> type[Sender]:
    """A Sender noting, as each batch starts, how many of its pool's threads are running."""

    class Watching(Sender):
        def run_batch(self, batch: Batch, body: JsonBytes | None = None) -> list[Outcome]:
            running = [t for t in threading.enumerate() if t.name.startswith("hubframe_")]
            seen.append(len(running))
            return super().run_batch(batch, body)

    return Watching


def test_every_worker_is_running_before_the_first_batch_goes(sandbox: Sandbox) -> None:
    """The pool's threads are started together, before any batch: a thread started beside
    busy workers waits its turn, which spread a first burst of 32 requests over ~0.3 s."""
    seen: list[int] = []
    items = [assoc(p, DEALS[8], CONTACTS[p]) for p in range(8)]
    sender = _watching(seen)(client_for(sandbox), workers=4)
    outcomes = sender.run(make_plan(items, batch_size=2).stream())
    assert [outcomes[p].status for p in range(8)] == [Status.SUCCESS] * 8
    assert seen and seen[0] == 4 * THREADS_PER_SLOT  # a thread reads its answer off its slot


def test_no_more_threads_start_than_there_are_batches(sandbox: Sandbox) -> None:
    seen: list[int] = []
    items = [assoc(p, DEALS[7], CONTACTS[p]) for p in range(4)]
    batches = list(make_plan(items, batch_size=2).stream())
    outcomes = _watching(seen)(client_for(sandbox), workers=8).run(batches)
    assert [outcomes[p].status for p in range(4)] == [Status.SUCCESS] * 4
    assert seen and max(seen) == 2


def _bodies_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread that builds each planned body, as they are built."""
    from hubframe.run import bodies

    built: list[str] = []
    real = bodies.encoded_inputs

    def watched(action: Action, table: Any) -> JsonBytes | None:
        built.append(threading.current_thread().name)
        return real(action, table)

    monkeypatch.setattr(bodies, "encoded_inputs", watched)
    return built


def test_bodies_are_built_one_after_another_by_the_planning_thread(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planned batch's body is built by the thread that submits it, before a worker takes it:
    32 workers building theirs at once share the same cores (and each new thread's allocator
    starts cold), which spread a first burst of 32 requests over ~0.3 s."""
    built = _bodies_built(monkeypatch)
    labeled = {"type_id": 3, "category": "HUBSPOT_DEFINED"}  # the unlabeled type, sent labeled
    items = [assoc(p, DEALS[6], CONTACTS[p], **(labeled if p % 2 else {})) for p in range(8)]
    outcomes = run(client_for(sandbox), items, batch_size=2, workers=4)
    assert [outcomes[p].status for p in range(8)] == [Status.SUCCESS] * 8
    assert built == [threading.current_thread().name] * 4  # one body a batch, none in a worker
    posts = log_of(sandbox).query("method == 'POST'")
    assert len(posts) == 4


def test_a_resumed_run_builds_no_body_the_journal_answers_for(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a resume the journal answers for the finished batches: their bodies are not built
    (the planning thread builds bodies ahead only when nothing is recorded yet)."""
    built = _bodies_built(monkeypatch)
    items = [assoc(p, DEALS[5], CONTACTS[p]) for p in range(8)]
    with Journal(tmp_path / "run.sqlite") as journal:
        first = run(client_for(sandbox), items, batch_size=2, workers=4, journal=journal)
        assert built == [threading.current_thread().name] * 4
        built.clear()
        again = run(client_for(sandbox), items, batch_size=2, workers=4, journal=journal)
    assert again == first and built == []
    assert len(log_of(sandbox).query("method == 'POST'")) == 4  # nothing sent twice


def test_requests_in_flight_stay_within_the_slots(sandbox_factory: Any) -> None:
    """The pool has two threads a slot (one reads its answer while another's request is out),
    but never more requests at once than slots: sends and the reads that check them."""
    sb = sandbox_factory(seed="demo", latency=(0.05, 0.0))
    items = [assoc(p, DEALS[p % 5], CONTACTS[p]) for p in range(32)]
    sender = Sender(client_for(sb), workers=3)
    outcomes = sender.run(make_plan(items, batch_size=2).stream())
    assert {o.status for o in outcomes.values()} == {Status.SUCCESS}
    log = sb.request_log()
    starts, ends = log["started"].to_numpy(), log["finished"].to_numpy()
    overlapping = max(int(((starts <= s) & (ends > s)).sum()) for s in starts)
    assert 1 < overlapping <= 3


@pytest.mark.parametrize("journaled", [False, True])
def test_a_batch_holding_a_stand_in_type_id_fails_unsent_and_the_run_goes_on(
    sandbox: Sandbox, tmp_path: Path, journaled: bool
) -> None:
    """A label's stand-in type id (negative: not created yet) that reached the sender is a bug:
    its batch is failed with INTERNAL_FAULT and never sent, and the other batches are."""
    items = [assoc(p, DEALS[7], CONTACTS[p], 3, "HUBSPOT_DEFINED") for p in range(6)]
    items[3] = assoc(3, DEALS[7], CONTACTS[3], -2)
    batches = list(make_plan(items, batch_size=2).stream())
    if journaled:
        with Journal(tmp_path / "j.sqlite") as journal:
            out = Sender(client_for(sandbox), journal=journal).run(batches)
    else:
        out = Sender(client_for(sandbox)).run(batches)
    assert [out[p].status for p in range(6)] == [Status.SUCCESS] * 2 + [Status.FAILED] * 2 + [
        Status.SUCCESS
    ] * 2
    assert {out[p].error_code for p in (2, 3)} == {ErrorCode.INTERNAL_FAULT}
    assert "type id -2" in (out[3].error_message or "")
    sent = log_of(sandbox).query("path.str.endswith('/batch/create')")
    assert list(sent["inputs"]) == [2, 2]
    assert {t for f, t, _ in present(sandbox) if f == DEALS[7]} == {
        CONTACTS[p] for p in (0, 1, 4, 5)
    }
