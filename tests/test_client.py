"""HubSpotClient over real HTTP against the sandbox: config, endpoints, retries, limits, secrecy."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from faultproxy import FaultProxy

from hubframe.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    ErrorCode,
    NetworkError,
    RateLimitError,
    ServerError,
)
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.ratelimit import RateLimiter, Slot
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEAL, DEAL2 = "2040000001", "2040000002"
CONTACT, CONTACT2, CONTACT3 = "1019360001", "1019360002", "1019360003"
MISSING_CONTACT = "1019369999"
VERSIONS = ("2026-03", "2026-09", "v4")

Factory = Callable[..., Sandbox]


def spec(type_id: int, category: str = "USER_DEFINED") -> dict[str, Any]:
    return {"associationCategory": category, "associationTypeId": type_id}


def linked(
    sb: Sandbox, from_id: str, to_id: str, f: str = "deals", t: str = "contacts"
) -> set[int]:
    frame = sb.associations(f, t)
    hits = frame[(frame["from_id"] == from_id) & (frame["to_id"] == to_id)]
    return {int(x) for x in hits["type_id"]}


# --- configuration ----------------------------------------------------------------------------


def test_configuration_from_arguments_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("HUBSPOT_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="HUBSPOT_ACCESS_TOKEN"):
        HubSpotClient()
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-env-secret")
    client = HubSpotClient()
    assert client.base_url == "https://api.hubapi.com"
    assert client.api_version == "2026-03"
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://127.0.0.1:9/")
    assert HubSpotClient().base_url == "http://127.0.0.1:9"
    assert HubSpotClient(base_url="http://localhost:1").base_url == "http://localhost:1"
    with pytest.raises(ConfigurationError, match="api_version"):
        HubSpotClient(api_version="v3")
    with pytest.raises(ConfigurationError):
        HubSpotClient(base_url="ftp://x")
    assert "pat-na1-env-secret" not in repr(client)
    assert "pat-na1-env-secret" not in str(vars(client))


# --- endpoints, all versions ------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_create_reports_items_and_paths(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    champion = sandbox.add_label("deals", "contacts", "Bench champion")
    resp = client.batch_create(
        "deals",
        "contacts",
        [
            {"from": {"id": DEAL2}, "to": {"id": CONTACT}, "types": [spec(champion)]},
            {"from": {"id": DEAL2}, "to": {"id": MISSING_CONTACT}, "types": [spec(champion)]},
        ],
    )
    assert resp.status == (200 if version == "2026-09" else 207)
    assert resp.attempts == 1
    assert resp.json()["numErrors"] == 1
    assert champion in linked(sandbox, DEAL2, CONTACT)
    len(sandbox.request_log())
    path = sandbox.request_log()["path"].iloc[-1]
    expected = {
        "2026-03": "/crm/associations/2026-03/deals/contacts/batch/create",
        "2026-09": "/crm/associations/2026-09/deals/contacts/batch/create",
        "v4": "/crm/v4/associations/deals/contacts/batch/create",
    }
    assert path == expected[version]


@pytest.mark.parametrize("version", VERSIONS)
def test_record_endpoints(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    pair = [{"from": {"id": DEAL2}, "to": {"id": CONTACT2}}]
    assert client.batch_associate_default("deals", "contacts", pair).status == 200
    assert 3 in linked(sandbox, DEAL2, CONTACT2)
    assert 4 in linked(sandbox, CONTACT2, DEAL2, "contacts", "deals")
    client.batch_archive("deals", "contacts", [{"from": {"id": DEAL2}, "to": [{"id": CONTACT2}]}])
    assert linked(sandbox, DEAL2, CONTACT2) == set()
    assert client.associate_default("deals", DEAL2, "contacts", CONTACT3).status == 200
    assert 3 in linked(sandbox, DEAL2, CONTACT3)
    champion = sandbox.add_label("deals", "contacts", "Another champion")
    resp = client.associate_labeled("deals", DEAL2, "contacts", CONTACT3, [spec(champion)])
    assert resp.status == 201
    assert linked(sandbox, DEAL2, CONTACT3) == {3, champion}
    labeled = [{"from": {"id": DEAL2}, "to": {"id": CONTACT3}, "types": [spec(champion)]}]
    client.batch_archive_labels("deals", "contacts", labeled)
    assert linked(sandbox, DEAL2, CONTACT3) == {3}
    assert client.delete_associations("deals", DEAL2, "contacts", CONTACT3).status == 204
    assert linked(sandbox, DEAL2, CONTACT3) == set()


@pytest.mark.parametrize("version", VERSIONS)
def test_read_associations_follows_paging(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    contacts = [str(1019380001 + i) for i in range(7)]
    sandbox.add_records("contacts", contacts)
    for c in contacts:
        sandbox.associate("deals", DEAL2, "contacts", c)
    sandbox.set_read_page_size(3)
    found = client.read_associations("deals", "contacts", [DEAL2, DEAL2, "2040000003"])
    assert set(found) == {DEAL2, "2040000003"}
    assert {str(e["toObjectId"]) for e in found[DEAL2]} >= set(contacts)
    reads = sandbox.request_log().query("path.str.endswith('batch/read')", engine="python")
    assert len(reads) >= 3


@pytest.mark.parametrize("version", VERSIONS)
def test_labels_and_limits(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    created = client.create_label("deals", "contacts", "sponsor", "Sponsor", "Sponsored")
    assert {c["label"] for c in created} >= {"Sponsor"}
    labels = client.list_labels("deals", "contacts")
    sponsor = next(x for x in labels if x["label"] == "Sponsor")
    assert any(x["label"] is None and x["typeId"] == 3 for x in labels)
    key = {"category": "USER_DEFINED", "typeId": sponsor["typeId"]}
    assert client.create_limits("deals", "contacts", [{**key, "maxToObjectIds": 2}]).status < 300
    assert client.update_limits("deals", "contacts", [{**key, "maxToObjectIds": 1}]).status < 300
    current = {
        r["typeId"]: r["userEnforcedMaxToObjectIds"] for r in client.get_limits("deals", "contacts")
    }
    assert current[sponsor["typeId"]] == 1
    assert any(r["typeId"] == sponsor["typeId"] for r in client.get_all_limits())
    client.purge_limits("deals", "contacts", [key])
    assert sponsor["typeId"] not in {r["typeId"] for r in client.get_limits("deals", "contacts")}
    len(sandbox.request_log())
    schema = sandbox.request_log()["path"].iloc[-1]
    assert schema.startswith(
        "/crm/associations/v4/" if version == "v4" else f"/crm/associations/{version}/"
    )


# --- errors at the boundary -------------------------------------------------------------------


def test_http_errors_become_hubframe_errors(sandbox: Sandbox) -> None:
    bad = HubSpotClient(token="pat-na1-wrong-secret", base_url=sandbox.url)
    with pytest.raises(AuthError) as info:
        bad.list_labels("deals", "contacts")
    assert info.value.code is ErrorCode.UNAUTHORIZED and info.value.http_status == 401
    assert "pat-na1-wrong-secret" not in str(info.value) + repr(info.value)

    narrow = sandbox.create_token(["crm.objects.contacts.read"])
    with pytest.raises(AuthError) as info:
        HubSpotClient(token=narrow, base_url=sandbox.url).batch_associate_default(
            "deals", "contacts", [{"from": {"id": DEAL}, "to": {"id": CONTACT}}]
        )
    assert info.value.code is ErrorCode.MISSING_SCOPES
    assert "crm.objects.deals" in str(info.value)

    client = client_for(sandbox)
    with pytest.raises(ApiError) as api:
        client.list_labels("widgets_nope", "contacts")
    assert api.value.http_status == 400 and api.value.code is ErrorCode.HUBSPOT_VALIDATION
    assert "Unable to infer object type" in str(api.value)
    assert api.value.correlation_id


def test_daily_limit_is_not_retried(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(daily_limit=2)
    client = client_for(sb)
    client.list_labels("deals", "contacts")
    client.limiter.observe({})  # forget nothing: the headers said 1 left, and it is used next
    client.list_labels("deals", "contacts")
    with pytest.raises(RateLimitError) as info:  # the day is used up: not even sent
        client.list_labels("deals", "contacts")
    assert info.value.is_daily and info.value.code is ErrorCode.RATE_LIMITED
    assert info.value.attempts == 0
    assert list(sb.request_log()["status"]) == [200, 200]
    other = client_for(sb)  # a client that was never told: HubSpot's 429 is not retried
    with pytest.raises(RateLimitError) as info:
        other.list_labels("deals", "contacts")
    assert info.value.is_daily and info.value.attempts == 1
    assert list(sb.request_log()["status"]) == [200, 200, 429]


def test_retries_throttling_and_server_errors_then_gives_up(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(faults={"throttle_rate": 0.5, "server_error_rate": 0.3, "seed": 3})
    client = client_for(sb, max_retries=12)
    pair = [{"from": {"id": DEAL2}, "to": {"id": CONTACT2}}]
    resp = client.batch_associate_default("deals", "contacts", pair)
    assert resp.status == 200 and resp.attempts == len(sb.request_log())
    sb.set_faults(server_error_rate=1.0)
    sb.reset_request_log()
    with pytest.raises(ServerError) as info:
        client_for(sb, max_retries=2).batch_associate_default("deals", "contacts", pair)
    assert info.value.code is ErrorCode.SERVER_ERROR
    assert len(sb.request_log()) == 3


def test_resets_and_lost_responses_are_retried(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(faults={"lost_response_rate": 1.0})
    client = client_for(sb, max_retries=1)
    pair = [{"from": {"id": DEAL2}, "to": {"id": CONTACT2}}]
    with pytest.raises(NetworkError) as info:
        client.batch_associate_default("deals", "contacts", pair)
    assert getattr(info.value, "attempts", None) == 2
    assert 3 in linked(sb, DEAL2, CONTACT2)  # applied although no answer came back
    sb.set_faults(reset_rate=0.5, lost_response_rate=0.3, seed=11)
    resp = client_for(sb, max_retries=20).batch_associate_default("deals", "contacts", pair)
    assert resp.status == 200


def test_errors_say_whether_an_attempt_may_have_been_applied(sandbox_factory: Factory) -> None:
    """``attempts`` and ``may_have_applied`` are attributes of every error the client raises."""
    sb = sandbox_factory()
    pair = [{"from": {"id": DEAL2}, "to": {"id": CONTACT2}}]

    def client(url: str) -> HubSpotClient:
        return HubSpotClient(sb.token, url, max_retries=2, backoff_base=0.01, backoff_cap=0.05)

    with (
        FaultProxy(sb, lose=1, then="throttle") as proxy,  # applied, lost, then 429s
        pytest.raises(RateLimitError) as throttled,
    ):
        client(proxy.url).batch_associate_default("deals", "contacts", pair)
    assert (throttled.value.attempts, throttled.value.may_have_applied) == (3, True)
    with FaultProxy(sb, lose=1) as proxy:  # applied, lost, then answered
        resp = client(proxy.url).batch_associate_default("deals", "contacts", pair)
    assert (resp.attempts, resp.earlier_may_have_applied) == (2, True)
    with FaultProxy(sb) as proxy:
        url = proxy.url
    with pytest.raises(NetworkError) as refused:  # nothing listens: nothing was sent
        client(url).batch_associate_default("deals", "contacts", pair)
    assert (refused.value.attempts, refused.value.may_have_applied) == (3, False)
    sb.set_faults(throttle_rate=1.0)
    with pytest.raises(RateLimitError) as only_429:
        client(sb.url).batch_associate_default("deals", "contacts", pair)
    assert (only_429.value.attempts, only_429.value.may_have_applied) == (3, False)
    sb.set_faults(server_error_rate=1.0)
    with pytest.raises(ServerError) as server:  # a 5xx may or may not have been applied
        client(sb.url).batch_associate_default("deals", "contacts", pair)
    assert server.value.may_have_applied
    sb.set_faults(lost_response_rate=1.0)
    with pytest.raises(NetworkError) as read:  # a read changes nothing, answered or not
        client(sb.url).batch_read("deals", "contacts", [{"id": DEAL2}])
    assert (read.value.attempts, read.value.may_have_applied) == (3, False)
    plain = ConfigurationError("not from a request")
    assert (plain.attempts, plain.may_have_applied) == (0, False)


# --- rate limiting ------------------------------------------------------------------------------


def test_limiter_learns_budget_and_avoids_429(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(rate_limit=(6, 0.5))
    client = client_for(sb)
    assert not client.limiter.known
    client.list_labels("deals", "contacts")
    assert client.limiter.known and client.limiter.budget == (6, 0.5)
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda: [client.list_labels("deals", "contacts") for _ in range(5)])
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    elapsed = time.monotonic() - started
    log = sb.request_log()
    # A stray refusal on a loaded machine (the limiter's margin is 30 ms of the 0.5 s window, the
    # sandbox shares this process), sent again once; a limiter that did not learn the budget
    # (one given 190 / 10 s) had 3 refused.
    refused = int((log["status"] == 429).sum())
    assert refused <= 1 and len(log) == 21 + refused
    assert elapsed >= 3 * 0.5  # 20 requests at 5 per ~0.5 s window


def test_rate_limit_override_and_remaining_header() -> None:
    limiter = RateLimiter((10, 0.3))
    limiter.observe(
        {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    )
    assert limiter.budget == (10, 0.3)  # an override is not replaced by headers
    assert limiter.effective_max == 10  # small budgets keep no fixed reserve
    assert RateLimiter((190, 10.0)).effective_max == 185
    limiter.observe({"X-HubSpot-RateLimit-Remaining": "2"})  # someone else used the window
    started = time.monotonic()
    for _ in range(3):
        limiter.acquire()
    assert time.monotonic() - started >= 0.25
    learned = RateLimiter()
    learned.observe(
        {"X-HubSpot-RateLimit-Max": "50", "X-HubSpot-RateLimit-Interval-Milliseconds": "2000"}
    )
    assert learned.known and learned.budget == (50, 2.0)


# --- the token stays secret -----------------------------------------------------------------------


def test_token_never_logged_or_shown(
    sandbox_factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox_factory(faults={"server_error_rate": 0.5, "reset_rate": 0.3, "seed": 5})
    caplog.set_level(logging.DEBUG)
    client = client_for(sb, max_retries=1)
    errors: list[Exception] = []
    for _ in range(6):
        try:
            client.list_labels("deals", "contacts")
        except (ServerError, NetworkError) as exc:
            errors.append(exc)
    assert caplog.records  # debug and retry lines were logged
    text = caplog.text + repr(client) + "".join(f"{e}{e!r}" for e in errors)
    assert sb.token not in text
    assert "Bearer" not in caplog.text


# --- when a request counts, and its correlation id -----------------------------------------------


class RecordingLimiter(RateLimiter):
    """Notes each slot handed out and each slot reported as written."""

    def __init__(self) -> None:
        super().__init__((100, 1.0))
        self.acquired: list[Slot] = []
        self.written: list[tuple[Slot, float]] = []

    def acquire(self) -> Slot:
        slot = super().acquire()
        self.acquired.append(slot)
        return slot

    def sending(self, slot: Slot) -> None:
        self.written.append((slot, time.monotonic()))
        super().sending(slot)


def test_each_attempt_counts_from_when_it_is_written(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(faults={"server_error_rate": 1.0, "seed": 2})
    client = client_for(sb, max_retries=2)
    limiter = RecordingLimiter()
    client.limiter = limiter
    client.list_labels("deals", "contacts")  # schema paths are not faulted
    with pytest.raises(ServerError):
        client.batch_associate_default(
            "deals", "contacts", [{"from": {"id": DEAL}, "to": {"id": CONTACT}}]
        )
    assert len(limiter.acquired) == 4 == len(sb.request_log())
    assert [slot for slot, _ in limiter.written] == limiter.acquired  # every attempt, in order
    assert all(slot.at >= at for slot, at in limiter.written)


def test_successes_carry_the_correlation_id(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    pair = [{"from": {"id": DEAL2}, "to": {"id": CONTACT3}}]
    first = client.batch_associate_default("deals", "contacts", pair)
    second = client.batch_associate_default("deals", "contacts", pair)
    ids = [first.correlation_id, second.correlation_id]
    assert all(re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-", i or "") for i in ids)
    assert ids[0] != ids[1]


def test_connections_opened_ahead_carry_the_burst_that_follows(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sb = sandbox_factory(seed="demo", latency=(0.2, 0.0))
    client = client_for(sb)
    client.open_connections(6).join(timeout=10)
    deadline = time.monotonic() + 5
    while sb.connections_opened < 6 and time.monotonic() < deadline:
        time.sleep(0.01)  # the server accepts what the client connected, in its own time
    assert sb.connections_opened == 6
    go = threading.Barrier(6)
    answers: list[int] = []

    def ask() -> None:
        go.wait(timeout=10)
        answers.append(len(client.list_labels("deals", "contacts")))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(answers) == 6 and min(answers) > 0
    assert sb.connections_opened == 6  # the six requests overlapped on the six connections
    client.close()


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_connections_that_cannot_open_are_left_to_the_requests() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HubSpotClient(token="pat-na1-x", base_url=f"http://127.0.0.1:{port}", timeout=2)
    thread = client.open_connections(3)
    thread.join(timeout=10)
    assert not thread.is_alive()
    client.close()


def test_connections_opened_ahead_leave_room_for_the_lookup(
    sandbox_factory: Callable[..., Sandbox], caplog: pytest.LogCaptureFixture
) -> None:
    """A run opens its first burst's connections while the labels lookup (and, journaled, the
    reads of the state before) run beside them: all fit the pool, so urllib3 never discards one
    ("Connection pool is full")."""
    from hubframe.jobs import associate
    from hubframe.testing import demo_ids, pairs_sheet

    sb = sandbox_factory(seed="demo", latency=(0.05, 0.0))
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    rows = [(str(deals[n % 80]), str(contacts[n // 80]), "Champion") for n in range(640)]
    for record_existing in (False, True):  # with the reads of the state before beside them
        with caplog.at_level(logging.WARNING, logger="urllib3"):
            result = associate(
                pairs_sheet(rows), client_for(sb), batch_size=20, progress=False,
                record_existing=record_existing,
            )  # fmt: skip
        assert set(result["status"]) == {"success"} and len(result) == 640
        assert not [r for r in caplog.records if "pool is full" in r.getMessage()]


@pytest.mark.parametrize(
    "copied",
    ["{t}\n", "  {t}\r\n", "Bearer {t}", "bearer  {t} ", "BEARER\t{t}"],
)
def test_a_token_copied_with_what_surrounds_it_is_used(sandbox: Sandbox, copied: str) -> None:
    """Line ends and spaces of a file or a paste, and the "Bearer" of an Authorization header
    copied from a curl example, are not the token: the request is made with the token."""
    sandbox.start()
    client = HubSpotClient(token=copied.format(t=sandbox.token), base_url=sandbox.url)
    assert client.list_labels("deals", "contacts")  # 401 (AuthError) before
    with pytest.raises(ConfigurationError, match="No HubSpot access token"):
        HubSpotClient(token="Bearer", base_url=sandbox.url)  # the word alone: no token
