"""The HTTP layer: a threaded server on 127.0.0.1 and the per-request pipeline.

Pipeline for every request, once its request line and headers are in: authenticate, route,
draw a fault and count the request against the rate limit -- at arrival, before the body is
read, under a small gate lock that no endpoint holds while it works (HubSpot, too, counts a
request at its edge); read the body and parse it once; sleep the configured latency WITHOUT
any lock; under the portal lock run the endpoint on the parsed body; send the reply with an
``X-HubSpot-Correlation-Id`` (or drop the connection, for the fault kinds that do so); append
the request to the log.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hubframe.sandbox.bodies import (
    AUTH_MESSAGE,
    ApiFailure,
    correlation_id,
    error_body,
    rate_limit_body,
)
from hubframe.sandbox.faults import Fault, FaultPlan, server_error_message
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.ratelimit import TEN_SECONDLY, RateLimiter
from hubframe.sandbox.routes import Call, Parsed, Reply, Route, dispatch, match, parse_body

MAX_BODY = 64 * 1024 * 1024
CORRELATION_HEADER = "X-HubSpot-Correlation-Id"


@dataclass(frozen=True)
class LogEntry:
    method: str
    path: str
    status: int  # 0 = the connection was dropped (reset or lost response)
    inputs: int
    started: float  # time.time() seconds, when the request line and headers were in
    finished: float
    body_sha1: str


@dataclass
class _Admitted:
    """What the gate decided at arrival: a reply already, or the route to run."""

    reply: Reply | None = None
    route: Route | None = None
    scopes: frozenset[str] | None = None
    fault: Fault = Fault.NONE
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class App:
    """Everything a request needs; shared by all handler threads."""

    portal: Portal
    tokens: dict[str, frozenset[str] | None]
    limiter: RateLimiter
    faults: FaultPlan = field(default_factory=FaultPlan)
    latency: tuple[float, float] | None = None
    log: list[LogEntry] = field(default_factory=list)
    log_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Guards the limiter and the fault draws: held for microseconds, never by an endpoint.
    gate: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, h: _Handler) -> None:
        started = time.time()
        with self.gate:
            admitted = self._admit(h)
            admitted.headers = self.limiter.headers()
        body = h.read_body()
        parsed = parse_body(body)
        sha1 = hashlib.sha1(body).hexdigest()

        def record(status: int) -> None:
            entry = LogEntry(h.command, h.path, status, parsed.inputs, started, time.time(), sha1)
            with self.log_lock:
                self.log.append(entry)

        if admitted.fault is Fault.RESET:
            record(0)
            h.reset_connection()
            return
        reply, headers = admitted.reply, admitted.headers
        if reply is None:
            reply, headers = self._run(h, admitted, body, parsed)
        if admitted.fault is Fault.LOST_RESPONSE:
            record(0)
            h.drop_connection()
            return
        record(reply.status)  # before replying, so a client that got the reply sees it
        h.send_reply(reply, headers)

    def _admit(self, h: _Handler) -> _Admitted:
        """Auth, route, fault and rate window, in that order (caller holds the gate)."""
        scopes = self._authenticate(h.headers.get("Authorization"))
        if scopes is False or scopes is True:
            return _Admitted(Reply(401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION")))
        try:
            route = match(h.command, h.path)
        except ApiFailure as exc:
            return _Admitted(Reply(exc.status, exc.body))
        fault, status = self.faults.draw() if route.endpoint.faults else (Fault.NONE, 0)
        if fault is Fault.THROTTLE:
            return _Admitted(Reply(429, rate_limit_body(TEN_SECONDLY)))
        policy = self.limiter.admit()
        if policy is not None:
            return _Admitted(Reply(429, rate_limit_body(policy)))
        if fault is Fault.SERVER_ERROR:
            body_500 = error_body(server_error_message(status), "INTERNAL_ERROR")
            return _Admitted(Reply(status, body_500), fault=fault)
        return _Admitted(None, route, scopes, fault)

    def _authenticate(self, header: str | None) -> frozenset[str] | bool | None:
        """The token's scopes (None = all), or False when it is missing or unknown."""
        if not header or not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :].strip()
        if token not in self.tokens:
            return False
        return self.tokens[token]

    def _run(
        self, h: _Handler, admitted: _Admitted, body: bytes, parsed: Parsed
    ) -> tuple[Reply, dict[str, str]]:
        route = admitted.route
        assert route is not None
        access = route.endpoint.access
        call = Call(
            h.command,
            route.version,
            route.params,
            route.query,
            body,
            admitted.scopes,
            access,
            parsed,
        )
        if self.latency is not None:
            base, per_input = self.latency
            time.sleep(base + per_input * parsed.inputs)
        with self.portal.lock:
            try:
                reply = dispatch(self.portal, route, call)
            except ApiFailure as exc:
                reply = Reply(exc.status, exc.body)
        with self.gate:
            return reply, self.limiter.headers()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SandboxHTTPServer
    timeout = 120  # idle keep-alive connections are closed after this

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def _dispatch(self) -> None:
        self.server.app.handle(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line (the sandbox keeps its own request log)."""

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                self.close_connection = True
                return b""
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def send_reply(self, reply: Reply, headers: dict[str, str]) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        if reply.body is not None:
            self.send_header("Content-Type", "application/json;charset=utf-8")
        correlation = reply.body.get("correlationId") if isinstance(reply.body, dict) else None
        self.send_header(CORRELATION_HEADER, str(correlation or correlation_id()))
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def reset_connection(self) -> None:
        """Close with SO_LINGER 0: the peer sees a connection reset (RST), no reply."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def drop_connection(self) -> None:
        """Close without writing anything: the peer sees the connection end, no reply."""
        self.close_connection = True


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, port: int, app: App) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self._open_lock:
            if add:
                self._open.add(conn)
            else:
                self._open.discard(conn)

    def close_all(self) -> None:
        """Shut down open keep-alive connections so their threads end promptly."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
