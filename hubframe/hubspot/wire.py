"""What travels: the 2xx answer hubframe keeps, and connections that say when a request leaves.

:class:`ApiResponse` is a 2xx answer (raw content parsed on first use, status, headers,
correlation id, attempts).  The connection classes fire a per-thread hook right before a
request's first byte is written: the rate limiter counts a request from that moment
(:meth:`~hubframe.hubspot.ratelimit.RateLimiter.sending`), and the client learns that the
request may have reached HubSpot (so a lost answer is an unknown outcome, not "nothing sent").
Their answers are read within the deadline the client sets for each request
(:func:`await_answer`): every read of the socket -- the status line, the headers, each
``100 Continue``, the body -- gets no more time than is left before it.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from http.client import HTTPConnection as _StdConnection
from http.client import HTTPResponse as _StdResponse
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hubframe.errors import ErrorCode, ServerError
from hubframe.hubspot.ratelimit import RateLimiter

JSON = dict[str, Any]


class JsonBytes(bytes):
    """JSON already encoded: a batch's ``inputs`` array built from arrays
    (:mod:`hubframe.run.bodies`), or a whole request body; sent as it is."""


@dataclass(frozen=True)
class ApiResponse:
    """A 2xx answer: status, raw content (parsed on first use), headers and bookkeeping."""

    status: int
    content: bytes = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    correlation_id: str | None
    attempts: int
    #: An earlier attempt of this write got no answer that says what became of it (lost answer,
    #: 5xx): rows the answer reports as failed may have been applied by that attempt.
    earlier_may_have_applied: bool = False
    #: Which attempt that was, and what it got (``"attempt 1 got HTTP 504"``), for messages.
    unsure_attempt: str | None = None

    @cached_property
    def body(self) -> Any:
        """The parsed JSON body (None when empty or not JSON)."""
        return loads(self.content) if self.content else None

    def may_have_errors(self) -> bool:
        """False when the body certainly holds no ``errors`` (a fast check before parsing)."""
        return b'"errors"' in self.content

    def json(self) -> JSON:
        """The body as a JSON object ({} for an empty body).  A body that does not read as
        one (malformed, or nested too deeply to read) raises a ServerError: it is not
        HubSpot's answer, and what became of the request is not known."""
        if isinstance(self.body, dict):
            return self.body
        if self.content.strip():
            raise ServerError(
                f"HubSpot's answer (HTTP {self.status}, {len(self.content):,} bytes) could not be "
                "read as a JSON object (malformed, or nested too deeply): what became of the "
                "request is not known.",
                code=ErrorCode.SERVER_ERROR,
                http_status=self.status,
                correlation_id=self.correlation_id,
                attempts=self.attempts,
                may_have_applied=True,
            )
        return {}


def loads(content: bytes | str) -> Any:
    """JSON text parsed, or None when it is not JSON -- malformed, or nested deeper than the
    parser goes (a RecursionError there is an answer's fault, not hubframe's)."""
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


# --- knowing when a request leaves ---------------------------------------------------------------

#: Per thread: what to call right before the next request's first byte is written.
before_send = threading.local()


def requests_written() -> int:
    """How many requests this thread has begun writing so far: a failure between two counts
    came after a request may have reached HubSpot when they differ (the sender tells so a
    batch that surely never left from one that may have been applied)."""
    written: int = getattr(before_send, "written", 0)
    return written


def _fire_before_send(conn: _StdConnection) -> None:
    before_send.written = requests_written() + 1
    hook: Callable[[], None] | None = getattr(before_send, "hook", None)
    if hook is None:
        return
    before_send.hook = None
    if conn.sock is None and conn.auto_open:
        conn.connect()  # a new connection (and its TLS handshake) comes before the request
    hook()


# --- the answer's deadline -----------------------------------------------------------------------

#: Per thread: ``at``, the monotonic time by which the answer awaited must have come whole (None:
#: no deadline), and ``passed``, whether a read of it reached that time.
_deadline = threading.local()


def await_answer(at: float | None) -> None:
    """The answers this thread reads from now on must have come whole by ``at`` (monotonic
    seconds; None: no deadline): a socket read past it fails as a read timeout does."""
    _deadline.at, _deadline.passed = at, False


def answer_deadline_passed() -> bool:
    """Whether a read of this thread's answer failed because its deadline had come."""
    passed: bool = getattr(_deadline, "passed", False)
    return passed


class _DeadlineReader(io.RawIOBase):
    """An answer's socket as http.client reads it, each read given no more time than is left
    before the deadline.  The socket's timeout bounds one read only: a server (a proxy, a
    wrong base URL) sending its status line or headers a byte at a time, or ``100 Continue``
    answers without end, was read for ever, before the client's own checks of the body."""

    def __init__(self, raw: Any, sock: socket.socket, at: float) -> None:
        super().__init__()
        self._raw, self._sock, self._at = raw, sock, at

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        fileno: int = self._raw.fileno()
        return fileno

    def readinto(self, buffer: Any) -> int | None:
        left = self._at - time.monotonic()
        if left <= 0:
            _deadline.passed = True
            raise TimeoutError("the answer did not come whole before its deadline")
        given = self._sock.gettimeout()
        if given is not None and given <= left:  # the socket's own timeout comes first
            count: int | None = self._raw.readinto(buffer)
            return count
        self._sock.settimeout(left)
        try:
            count = self._raw.readinto(buffer)
        except TimeoutError:
            _deadline.passed = True
            raise
        finally:
            with contextlib.suppress(OSError):  # closed meanwhile: nothing to give back
                self._sock.settimeout(given)
        return count

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineResponse(_StdResponse):
    """http.client's response, reading its socket through :class:`_DeadlineReader` while the
    thread has a deadline (:func:`await_answer`)."""

    def __init__(
        self, sock: socket.socket, debuglevel: int = 0, method: str | None = None, url: Any = None
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        at: float | None = getattr(_deadline, "at", None)
        if at is not None:
            self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, at))


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse

    def send(self, data: Any) -> None:
        _fire_before_send(self)
        super().send(data)


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse

    def send(self, data: Any) -> None:
        _fire_before_send(self)
        super().send(data)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class Adapter(HTTPAdapter):
    """requests' adapter, with connections that tell the rate limiter when a request leaves."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def open_connections(adapter: HTTPAdapter, url: str, count: int, timeout: float) -> int:
    """Open up to ``count`` keep-alive connections to ``url``'s host in ``adapter``'s pool, all
    at once (their TCP and TLS handshakes in parallel), and leave them there for the requests
    that follow; returns how many are open.  A connection that fails to open is dropped: its
    request opens its own, as it would have anyway.  (urllib3's ``_get_conn``/``_put_conn`` are
    the pool's own check-out and check-in, which requests uses the same way.)"""
    prepared = requests.Request("GET", url).prepare()
    pool = adapter.get_connection_with_tls_context(prepared, verify=True)
    assert isinstance(pool, HTTPConnectionPool)  # HTTPS pools are HTTP pools too
    taken = [pool._get_conn() for _ in range(max(0, count))]

    def connect(conn: Any) -> None:
        if not conn.is_connected:
            conn.timeout = timeout
            try:
                conn.connect()
            except Exception:  # refused, timed out, TLS: the request will say so itself
                conn.close()

    threads: list[threading.Thread] = []
    for conn in taken:
        thread = threading.Thread(target=connect, args=(conn,), name="hubframe-open", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # no room for another thread: the rest open with their requests
            break
        threads.append(thread)
    for thread in threads:
        thread.join()
    opened = sum(1 for conn in taken if conn.is_connected)
    for conn in taken:
        pool._put_conn(conn)
    return opened


class Sending:
    """The hook of one attempt: books the rate limiter slot and notes that bytes were written."""

    __slots__ = ("limiter", "slot", "written")

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self.slot = limiter.acquire()
        self.written = False

    def __call__(self) -> None:
        self.written = True
        self.limiter.sending(self.slot)


def correlation_id(resp: requests.Response, body: Any) -> str | None:
    for name in ("X-HubSpot-Correlation-Id", "X-Request-Id"):
        if resp.headers.get(name):
            return str(resp.headers[name])
    if isinstance(body, dict) and body.get("correlationId"):
        return str(body["correlationId"])
    return None
