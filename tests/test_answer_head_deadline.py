"""An answer whose status line and headers never finish arriving ends at the answer deadline.

A server (a proxy, a load balancer, a wrong base URL) that sent its status line or headers a
byte at a time, more often than the read timeout, or ``HTTP/1.1 100 Continue`` answers
without end, kept a request waiting for ever: the read timeout bounds one socket read only,
and ``answer_deadline_s`` was checked only while the body was read, after the headers.  Every
read of an answer's socket now gets no more time than is left before the deadline (measured
from the request's start): a head that has not come whole by then is an answer that never
came -- a read is retried as after a read timeout, a write's outcome is unknown (retried, and
its rows settled by reading the portal as after any lost answer).  The tests lower the
deadline; tiny loopback servers trickle the head, and the fault proxy trickles the answer of
each write it applies.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import NetworkError
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.wire import ApiResponse
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
DEADLINE = 0.6
#: Well past the deadline, well below "for ever": the head tricklers never stop by themselves.
SLACK = 3.0
LABELS = {"results": [{"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}]}
PAIR = [{"from": {"id": "2040000001"}, "to": {"id": "1019360001"}}]
WRITTEN = {
    "status": "COMPLETE",
    "results": [{"from": {"id": "2040000001"}, "to": {"id": "1019360001"}}],
}


def _answer(body: dict[str, object]) -> bytes:
    content = json.dumps(body).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(content)}"
    return head.encode() + b"\r\n\r\n" + content


def _heads(rng: random.Random) -> tuple[bytes, bytes]:
    """A head sent at once and one sent a byte at a time after it, without end (the bytes
    repeat): a stall anywhere in the status line or the headers, or 100 Continue answers."""
    whole = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abc\r\n"
    kind = rng.choice(["status", "header", "continue", "continue_then"])
    if kind == "continue":
        return b"", b"HTTP/1.1 100 Continue\r\n\r\n"
    if kind == "continue_then":
        return b"HTTP/1.1 100 Continue\r\n\r\n" * rng.randint(
            1, 3
        ), b"HTTP/1.1 100 Continue\r\n\r\n"
    if kind == "status":
        return whole[: rng.randint(0, 15)], b"1"  # inside "HTTP/1.1 200 OK"
    return whole[: rng.randint(18, len(whole) - 2)], b"a"


class HeadServer:
    """A loopback HTTP server whose first ``stalls`` connections get a head that never ends
    (:func:`_heads`, one byte every ``every`` s), and the rest ``answer``."""

    def __init__(
        self, head: tuple[bytes, bytes], answer: bytes, stalls: int = 10**6, every: float = 0.05
    ) -> None:
        self.head, self.answer, self.stalls, self.every = head, answer, stalls, every
        self.requests = 0
        self._srv = socket.socket()
        self._srv.bind(("127.0.0.1", 0))
        self._srv.listen(16)
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._srv.getsockname()[1]}"

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set():
                conn, _ = self._srv.accept()
                self._conns.append(conn)
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while self._request(conn):
                self.requests += 1
                if self.requests > self.stalls:
                    conn.sendall(self.answer)
                    continue
                first, then = self.head
                conn.sendall(first)
                while not self._stop.is_set():
                    for byte in [then[i : i + 1] for i in range(len(then))]:
                        conn.sendall(byte)
                        time.sleep(self.every / len(then))
                return

    @staticmethod
    def _request(conn: socket.socket) -> bool:
        """Read one request (headers and a Content-Length body); False at the end."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            body += conn.recv(65536)
        return True

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._srv.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()


@contextlib.contextmanager
def _server(
    head: tuple[bytes, bytes], answer: bytes = b"", stalls: int = 10**6
) -> Iterator[HeadServer]:
    server = HeadServer(head, answer, stalls)
    try:
        yield server
    finally:
        server.close()


def _client(url: str, token: str = TOKEN, retries: int = 0) -> HubSpotClient:
    client = HubSpotClient(
        token=token, base_url=url, timeout=(2.0, 2.0), max_retries=retries, backoff_base=0.01
    )
    client.answer_deadline_s = DEADLINE
    return client


def _within(call: Callable[[], object], seconds: float) -> tuple[object, BaseException | None]:
    """What ``call`` returned or raised; the test fails when it is still waiting after
    ``seconds`` (the defect: it waited for ever)."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:  # handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the request is still waiting past its answer deadline"
    error = box.get("error")
    assert error is None or isinstance(error, BaseException)
    return box.get("result"), error


def _failure(call: Callable[[], object]) -> tuple[BaseException | None, float]:
    """What ``call`` raised (within :data:`SLACK` seconds past the deadline), and how long it
    took."""
    start = time.monotonic()
    _, error = _within(call, DEADLINE + SLACK)
    return error, time.monotonic() - start


@pytest.mark.parametrize("seed", range(8))
def test_a_read_whose_head_never_ends_fails_at_the_deadline(seed: int) -> None:
    with _server(_heads(random.Random(seed))) as server:
        client = _client(server.url)
        error, took = _failure(lambda: client.list_labels("deals", "contacts"))
    assert isinstance(error, NetworkError), error
    assert "status line and headers" in str(error) and f"{DEADLINE:g} s" in str(error)
    assert not error.may_have_applied and error.attempts == 1
    assert DEADLINE * 0.9 <= took < DEADLINE + SLACK


@pytest.mark.parametrize("seed", range(4))
def test_a_read_whose_head_never_ends_is_retried(seed: int) -> None:
    """As after a read timeout: the next attempt, answered, is the answer."""
    with _server(_heads(random.Random(seed)), _answer(LABELS), stalls=1) as server:
        client = _client(server.url, retries=2)
        labels, error = _within(lambda: client.list_labels("deals", "contacts"), 2 * SLACK)
        assert server.requests == 2
    assert error is None and isinstance(labels, list), error
    assert [label["typeId"] for label in labels] == [3]


@pytest.mark.parametrize("seed", range(4))
def test_a_write_whose_head_never_ends_may_have_applied(seed: int) -> None:
    """Not a success, and not a plain failure: what became of the write is not known."""
    with _server(_heads(random.Random(seed))) as server:
        client = _client(server.url)
        error, _ = _failure(lambda: client.batch_associate_default("deals", "contacts", PAIR))
    assert isinstance(error, NetworkError), error
    assert error.may_have_applied and not error.unreachable and error.attempts == 1
    assert error.unsure_attempt == "attempt 1 got no answer"


def test_a_write_retried_after_a_head_that_never_ended_says_so() -> None:
    with _server(_heads(random.Random(1)), _answer(WRITTEN), stalls=1) as server:
        client = _client(server.url, retries=1)
        answer, error = _within(
            lambda: client.batch_associate_default("deals", "contacts", PAIR), 2 * SLACK
        )
        assert server.requests == 2
    assert isinstance(answer, ApiResponse), error
    assert answer.attempts == 2 and answer.earlier_may_have_applied


def test_a_body_past_the_deadline_is_still_dropped_as_before() -> None:
    """The head in time, the body a byte at a time: dropped (not retried), named as the body."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", b" "
    with _server(head) as server:
        client = _client(server.url, retries=3)
        error, _ = _failure(lambda: client.list_labels("deals", "contacts"))
        assert server.requests == 1
    assert isinstance(error, NetworkError)
    assert "its body took more than" in str(error)


DEALS = [str(i) for i in demo_ids("deals")[40:44]]
CONTACTS = [str(i) for i in demo_ids("contacts")[140:144]]


@pytest.mark.parametrize("mode", ["slow_head", "continues"])
@pytest.mark.parametrize("settled", [True, False])
def test_a_run_settles_writes_whose_head_never_ended(mode: str, settled: bool) -> None:
    """Each write is applied and its answer's head never ends: the run ends, and its rows are
    settled by reading the portal (applied: success), or, when that read fails too, reported
    as an unknown outcome -- never as not applied."""
    sheet = pd.DataFrame(
        {"Deal ID": DEALS, "Contact ID": CONTACTS, "Association label": ["", "Champion"] * 2}
    )
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then=mode, cued=True, fail_reads=not settled) as fp:
            client = _client(fp.url, sb.token, retries=1)
            result, error = _within(lambda: hf.associate(sheet, client, progress=False), 15)
        frame = sb.associations("deals", "contacts")
    assert error is None and isinstance(result, pd.DataFrame), error
    linked = set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))
    assert set(zip(DEALS, CONTACTS, strict=True)) <= linked
    if settled:
        assert set(result["status"]) == {"success"}, result[["status", "error_message"]]
    else:
        assert set(result["status"]) == {"failed"}, result[["status", "error_message"]]
        assert set(result["error_code"]) == {"UNKNOWN_OUTCOME"}, result["error_code"]
