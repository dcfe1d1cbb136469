"""The sandbox's Python interface: lifecycle, helpers, inspection frames, the demo portal."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd
import pytest
import requests
from openapi_check import SpecChecker

from hubframe.constants import HUBSPOT_DEFINED_TYPES
from hubframe.sandbox import Sandbox, demo
from hubframe.testing import SandboxFactory


def test_lifecycle_and_repr_hide_the_token() -> None:
    sb = Sandbox(seed=None, token="pat-na1-secret-value")
    with pytest.raises(RuntimeError):
        _ = sb.url
    with sb:
        assert sb.url.startswith("http://127.0.0.1:")
        assert "secret" not in repr(sb) and sb.url in repr(sb)
        url = sb.url
    assert "stopped" in repr(sb)
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_a_sandbox_stops_serving_and_starts_again_leaving_nothing_open() -> None:
    """The sandbox's loop wakes on its own socket to stop (socketserver's shutdown waited out a
    50 ms poll, a minute of a test suite): a stop before any request, one that follows a
    keep-alive connection, a stop of a stopped sandbox and a second start all work, and a
    hundred starts and stops leave no thread and no file descriptor behind."""
    import os
    import threading

    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    sb = Sandbox(seed=None)
    sb.stop()  # never started: nothing to do

    def served() -> bool:
        return requests.get(sb.url + "/crm/v3/owners", timeout=5).status_code in (200, 401, 404)

    with sb, requests.Session() as session:  # a keep-alive connection open at the stop
        assert session.get(sb.url + "/crm/v3/owners", timeout=5).ok or served()
    sb.stop()
    with sb:
        assert served()
    threads, fds = threading.active_count(), open_fds()
    for n in range(100):
        with sb:
            assert n % 25 or served()
    assert threading.active_count() <= threads and open_fds() <= fds


def test_the_sandbox_replies_without_nagle_delay() -> None:
    """Every connection the sandbox accepts sends at once (TCP_NODELAY): a reply goes out in
    two sends (headers, then the body), and with Nagle's algorithm the body waited for the
    client's delayed ACK -- 40 ms more on every request of a kept-alive connection (44 ms
    against 3 ms on this machine), a latency HubSpot does not have, in every test and
    benchmark."""
    import socket

    with Sandbox(seed=None) as sb, requests.Session() as session:
        for _ in range(3):
            session.get(sb.url + "/crm/v3/owners", timeout=5)
        server = sb._server
        assert server is not None
        with server._open_lock:
            open_now = list(server._open)
        assert open_now  # the session's connection, kept alive
        for conn in open_now:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_fixed_port_and_bad_arguments(sandbox_factory: SandboxFactory) -> None:
    with pytest.raises(ValueError, match="seed"):
        Sandbox(seed="other")
    with pytest.raises(ValueError, match="rate_limit"):
        Sandbox(rate_limit=(0, 1.0))
    with pytest.raises(ValueError, match="fault rates"):
        Sandbox(faults={"reset_rate": 0.8, "lost_response_rate": 0.8})
    sb = sandbox_factory(seed=None)
    with pytest.raises(OSError):
        Sandbox(seed=None, port=sb.port).start()  # the port is taken


def test_associations_frame(sandbox: Sandbox) -> None:
    frame = sandbox.associations("deal", "0-1")
    assert list(frame.columns) == ["from_id", "to_id", "category", "type_id"]
    assert frame.type_id.dtype == "int64"
    first = frame.iloc[0]
    assert (first.from_id, first.to_id, first.category, first.type_id) == (
        "2040000001",
        "1019360001",
        "HUBSPOT_DEFINED",
        3,
    )
    assert isinstance(first.from_id, str)
    assert len(sandbox.associations("tickets", "contacts")) == 0


def test_limits_frame(sandbox: Sandbox) -> None:
    frame = sandbox.limits()
    assert list(frame.columns) == [
        "from_type", "to_type", "category", "type_id", "label", "max_to_object_ids"
    ]  # fmt: skip
    assert frame.to_dict("records")[1] == {
        "from_type": "deals",
        "to_type": "contacts",
        "category": "USER_DEFINED",
        "type_id": 1001,
        "label": "Decision maker",
        "max_to_object_ids": 2,
    }
    assert len(sandbox.limits(from_type="contacts")) == 1
    assert len(sandbox.limits(to_type="CONTACT")) == 2
    sandbox.set_limit("deals", "contacts", None, type_id=1001)
    assert 1001 not in set(sandbox.limits().type_id)


def test_add_records_labels_and_associate(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(seed=None)
    sb.add_records("deal", ["11", 12], properties=[{"dealname": "A"}, {"dealname": "B"}])
    sb.add_records("0-1", range(100, 105))
    forward = sb.add_label("deals", "contacts", "Signer", inverse_label="Signed deal")
    again = sb.add_label("deals", "contacts", "Signer")  # same text: a new, distinct label
    assert forward >= 1001 and again > forward
    labels = sb.labels("contacts", "deals")
    assert "Signed deal" in set(labels.label.dropna())
    sb.associate("deals", 11, "contacts", "100", type_id=forward)
    sb.associate("deals", "12", "contacts", 101)
    rows = sb.associations("contacts", "deals")
    assert sorted(zip(rows.from_id, rows.type_id, strict=True)) == [
        ("100", 4),
        ("100", forward + 1),
        ("101", 4),
    ]
    with pytest.raises(ValueError, match="does not exist"):
        sb.associate("deals", 13, "contacts", 100)
    with pytest.raises(ValueError, match="no association type"):
        sb.associate("deals", 11, "contacts", 100, type_id=279)
    with pytest.raises(ValueError, match="Unable to infer object type"):
        sb.add_records("widgets", [1])
    with pytest.raises(ValueError, match="one dict per id"):
        sb.add_records("deals", [1, 2], properties=[{}])


def test_helpers_ignore_limits_so_tests_can_overfill(sandbox: Sandbox) -> None:
    for contact in (1019360010, 1019360011, 1019360012):
        sandbox.associate("deals", 2040000001, "contacts", contact, type_id=1001)
    rows = sandbox.associations("deals", "contacts").query("from_id == '2040000001'")
    assert (rows.type_id == 1001).sum() == 5


def test_hubspot_defined_types_present(sandbox: Sandbox) -> None:
    for t in HUBSPOT_DEFINED_TYPES:
        labels = sandbox.labels(t.from_type, t.to_type)
        row = labels[labels.type_id == t.type_id]
        assert len(row) == 1 and row.category.iloc[0] == "HUBSPOT_DEFINED"
        assert (row.label.iloc[0] if pd.notna(row.label.iloc[0]) else None) == t.label


def test_demo_portal_is_deterministic_and_matches_its_constants() -> None:
    a, b = Sandbox(), Sandbox()
    pd.testing.assert_frame_equal(
        a.associations("deals", "contacts"), b.associations("deals", "contacts")
    )
    with a.portal.lock:
        assert len(a.portal.records["0-3"]) == len(demo.DEAL_IDS)
        assert a.portal.records["0-3"][demo.DEAL_IDS[0]] == demo.deal_properties()[0]
    for spec in demo.DEMO_LABELS:
        labels = a.labels(spec.from_type, spec.to_type).set_index("type_id")
        assert labels.label[spec.type_id] == spec.label
    for from_type, to_type in (("2-7350001", "deals"), ("deals", "p_installations")):
        assert len(a.labels(from_type, to_type)) == 1
    assert len(a.associations("p_installations", "deals")) == 3


def test_fixtures(
    sandbox: Sandbox, sandbox_factory: SandboxFactory, spec_checker: SpecChecker
) -> None:
    other = sandbox_factory(seed=None, token="pat-test")
    assert other.token == "pat-test" and other.url != sandbox.url
    path = "/crm/associations/v4/deals/contacts/labels"
    r = requests.get(other.url + path, headers={"Authorization": "Bearer pat-test"}, timeout=5)
    spec_checker.check("GET", path, r.status_code, r.json())
    assert r.status_code == 200


def test_serving_in_process_leaves_the_interpreter_as_it_was(capsys: Any) -> None:
    """``hubframe sandbox`` tunes the garbage collector and handles SIGTERM while it serves;
    run inside another program, it puts both back when it stops."""
    import gc
    import os
    import signal
    import threading

    from hubframe.sandbox import serve

    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args(["--port", "0", "--json"])
    before = (gc.get_threshold(), gc.get_freeze_count(), signal.getsignal(signal.SIGTERM))
    done = threading.Event()

    def stop_once_serving() -> None:
        """SIGTERM once the server handles it: sent earlier (after a fixed 0.5 s, on a busy
        machine still building the demo portal), it killed the test's own worker."""
        while signal.getsignal(signal.SIGTERM) == before[2] and not done.wait(0.01):
            pass
        if not done.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    stopper = threading.Thread(target=stop_once_serving, daemon=True)
    stopper.start()
    try:
        assert serve.run(args) == 0
    finally:
        done.set()
        stopper.join(5)
    assert '"url"' in capsys.readouterr().out
    after = (gc.get_threshold(), gc.get_freeze_count(), signal.getsignal(signal.SIGTERM))
    assert after == before


@pytest.mark.parametrize("given", [-5, -1, 2.5, True, "3"], ids=repr)
def test_a_daily_limit_that_is_no_count_is_refused(given: Any) -> None:
    """Before: a negative daily limit was taken, and every request was then refused as over
    the day's quota (429 DAILY); a float or text failed at the first request."""
    with pytest.raises(ValueError, match="daily_limit must be a whole number, 0 or more"):
        Sandbox(seed=None, daily_limit=given)
    with Sandbox(seed=None) as sb, pytest.raises(ValueError, match="daily_limit"):
        sb.set_daily_limit(given)


@pytest.mark.parametrize(("given", "said"), [("-5", "must be 0 or more"), ("x", "not a whole")])
def test_the_sandbox_command_refuses_a_daily_limit_that_is_no_count(
    given: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubframe.sandbox import serve

    parser = argparse.ArgumentParser(prog="hubframe sandbox")
    serve.add_arguments(parser)
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--daily-limit", given])
    assert exited.value.code == 2
    assert f"argument --daily-limit: {said}" in capsys.readouterr().err
    assert parser.parse_args(["--daily-limit", "0"]).daily_limit == 0  # a quota used up


def test_the_sandbox_commands_help_lists_every_fault_option() -> None:
    """``hubframe sandbox --help`` listed its fault options by hand and left out the three
    ``processing_*`` ones the option accepts."""
    import contextlib
    import io
    from dataclasses import fields

    from hubframe.cli import main
    from hubframe.sandbox.faults import FaultPlan

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main(["sandbox", "--help"])
    said = " ".join(out.getvalue().split())
    for option in (f.name for f in fields(FaultPlan) if f.init):
        assert option in said, option


UNSENDABLE = ["a b", "pat\tx", "pat-\u00e9", "pat\nx", "pat\u200bx", "pat\x7fx"]


@pytest.mark.parametrize("token", UNSENDABLE)
def test_a_token_no_client_can_send_is_refused_by_name_not_value(
    token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Sandbox(token="a b")`` and ``hubframe sandbox --token "a b"`` served a sandbox whose
    token every client refuses to send: nothing could reach it, and nothing said why."""
    from hubframe.sandbox import serve

    with pytest.raises(ValueError, match="token: The access token holds") as refused:
        Sandbox(seed=None, token=token)
    assert token not in str(refused.value)
    parser = argparse.ArgumentParser(prog="hubframe sandbox")
    serve.add_arguments(parser)
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--token", token])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --token: The access token holds" in err and token not in err


@pytest.mark.parametrize("typed", [" pat-na1-x ", "Bearer pat-na1-x", "pat-na1-x\n"])
def test_the_sandbox_command_takes_a_token_as_a_client_does(typed: str) -> None:
    """A token copied with spaces around it, or as a header ("Bearer ..."), was served as
    typed, and the clients, which send it without them, were refused (401)."""
    from hubframe.hubspot import HubSpotClient
    from hubframe.sandbox import serve

    parser = argparse.ArgumentParser(prog="hubframe sandbox")
    serve.add_arguments(parser)
    token = parser.parse_args(["--token", typed]).token
    assert token == "pat-na1-x"
    with Sandbox(seed="demo", token=token) as sb, HubSpotClient(typed, sb.url) as client:
        assert client.list_labels("deals", "contacts")  # a 401 raises
