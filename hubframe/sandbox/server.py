"""The HTTP layer: a threaded server on 127.0.0.1 and the per-request pipeline.

Every request gets an HTTP/1.1 reply with a HubSpot-shaped JSON error body when it fails, and
no request can make the sandbox keep more than one bounded body in memory.  The pipeline:

1. Request line and headers (http.server): a malformed line is 400 (also for HTTP/0.9-style
   lines), a line over 64 KiB 414, a header line over 64 KiB or more than 100 headers 431, an
   HTTP version 2 or later 505; a method that is not an HTTP token is 400; any other method is
   routed (404/405 where nothing serves it).
2. Framing: ``Content-Length`` must be ASCII digits (several equal values allowed), a
   ``Transfer-Encoding`` must end in ``chunked`` once and may not come with a length (400),
   other codings are 501.
3. Admission, at arrival and before the body is read, under a small gate lock that no endpoint
   holds while it works (HubSpot, too, counts a request at its edge): authenticate (401),
   route (404/405), draw a fault, count the request against the rate limit (429), refuse a
   declared length over :data:`MAX_BODY` (413).
4. A refused request's body is never kept: one of up to :data:`DRAIN_LIMIT` bytes is read past
   (so a keep-alive connection stays in step); a bigger or chunked one is answered first, with
   ``Connection: close``, and then read and discarded for a while (at most :data:`LINGER_BYTES`
   or :data:`LINGER_SECONDS`) so that a client that sends its whole body before reading still
   gets the reply instead of a reset.  ``Expect: 100-continue`` is answered with the final
   status when refused, ``100 Continue`` otherwise.
5. Read the body: at most its declared length, or chunk by chunk up to :data:`MAX_BODY` (413
   beyond; a broken chunk line or a body that ends early is 400; a client that stalls for the
   handler timeout gets 408).
6. Wait half the configured base latency, WITHOUT any lock, then parse the body once, within
   :mod:`~hubframe.sandbox.jsonbounds` (not on arrival: parsing holds the interpreter, which
   would delay the counting of requests arriving together); under the portal lock run the
   endpoint on the parsed body (an unexpected exception is a 500, never a dropped connection)
   and, outside the lock, encode the reply's JSON; then wait until the whole latency has
   passed since the request arrived.  The latency is the time from arrival to reply, as on
   HubSpot, where the edge counts a request, a server applies it and the answer travels back:
   the sandbox's own work (one request at a time under the lock, then the reply's encoding) is
   inside it rather than added to it, and away from the moment requests are counted; send the
   reply with an ``X-HubSpot-Correlation-Id`` (or drop the connection, for the fault
   kinds that do so); append the request to the log (before replying, so a client that got the
   reply finds it there).  Refused requests are logged with ``inputs`` 0 and the hash of what
   was read.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import selectors
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from hubframe.sandbox.bodies import (
    AUTH_MESSAGE,
    ApiFailure,
    batch_envelope,
    correlation_id,
    error_body,
    failure,
    now_iso,
    rate_limit_body,
)
from hubframe.sandbox.faults import (
    PROCESSING_ENDPOINTS,
    Fault,
    FaultPlan,
    busy_reply_parts,
    server_error_message,
)
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.ratelimit import TEN_SECONDLY, RateLimiter
from hubframe.sandbox.routes import Call, Parsed, Reply, Route, match, parse_body, respond
from hubframe.sandbox.routes.common import V2609
from hubframe.sandbox.routes.profile import shape

MAX_BODY: Final = 64 * 1024 * 1024

#: The wall clock when this module loaded, and the steady clock then: :func:`_now` counts on
#: from them with the steady clock.
_WALL_START, _STEADY_START = time.time(), time.monotonic()


def _now() -> float:
    """Seconds since the epoch, as ``time.time()`` gave them when the sandbox module loaded,
    counted on with the steady clock.  The latency a request waits out and the times in the
    request log are taken from it: ``time.time()`` steps when the machine's clock is set (a
    virtual machine's, under load, by a second at once), which made a request's logged time
    2.05 s for a 1 s latency, and would make a step back of an hour a wait of an hour."""
    return _WALL_START + (time.monotonic() - _STEADY_START)


#: A refused request's body up to this size is read past (not kept) before the reply.
DRAIN_LIMIT: Final = 1024 * 1024
#: After replying to a request whose body was not read: discard at most this much, this long.
LINGER_BYTES: Final = 2 * MAX_BODY
LINGER_SECONDS: Final = 10.0
MAX_LINE: Final = 64 * 1024  # chunk-size and trailer lines
MAX_TRAILERS: Final = 100
CORRELATION_HEADER: Final = "X-HubSpot-Correlation-Id"

_READ: Final = 64 * 1024
_EMPTY_LINES: Final = 8
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an HTTP method (RFC 9110 token)
_HEX: Final = re.compile(rb"[0-9A-Fa-f]+")
_CATEGORIES: Final = {405: "METHOD_NOT_ALLOWED", 408: "TIMEOUT", 500: "INTERNAL_ERROR"}


def _error_reply(status: int, message: str) -> Reply:
    return Reply(status, error_body(message, _CATEGORIES.get(status, "VALIDATION_ERROR")))


@dataclass(frozen=True)
class LogEntry:
    method: str
    path: str
    status: int  # 0 = the connection was dropped (reset or lost response)
    inputs: int
    started: float  # _now() seconds, when the request line and headers were in
    finished: float
    body_sha1: str


@dataclass(frozen=True)
class Framing:
    """How the request body is delimited (from the headers)."""

    length: int = 0  # the declared Content-Length (0 without one)
    chunked: bool = False
    expect_continue: bool = False  # the client waits for "100 Continue" before the body


@dataclass
class _Admitted:
    """What the gate decided at arrival: a reply already, or the route to run."""

    reply: Reply | None = None
    route: Route | None = None
    scopes: frozenset[str] | None = None
    fault: Fault = Fault.NONE
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)  # a refusal's own headers


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
    #: The later applications of batches answered PROCESSING (guarded by ``log_lock``).
    timers: list[threading.Timer] = field(default_factory=list)

    def record(
        self, h: _Handler, status: int, started: float, inputs: int = 0, sha1: str = ""
    ) -> None:
        entry = LogEntry(h.command or "", h.path or "", status, inputs, started, _now(), sha1)
        with self.log_lock:
            self.log.append(entry)

    def handle(self, h: _Handler) -> None:
        started = _now()
        try:
            framing = h.framing()
        except ApiFailure as exc:  # the body cannot be delimited: answer and close
            self.refuse(h, Reply(exc.status, exc.body), {}, started, None)
            return
        with self.gate:
            admitted = self._admit(h, framing)
            admitted.headers = {**self.limiter.headers(), **admitted.extra}
        if admitted.reply is not None:
            self.refuse(h, admitted.reply, admitted.headers, started, framing)
            return
        if framing.expect_continue:
            h.send_continue()
        try:
            body = h.read_body(framing)
        except ApiFailure as exc:  # broken chunks, a body that ends early, over the limit
            self.refuse(h, Reply(exc.status, exc.body), admitted.headers, started, None)
            return
        except TimeoutError:
            reply = _error_reply(408, "The request body did not arrive in time")
            self.refuse(h, reply, admitted.headers, started, None)
            return
        sha1 = hashlib.sha1(body).hexdigest()

        if admitted.fault is Fault.RESET:
            self.record(h, 0, started, parse_body(body).inputs, sha1)
            h.reset_connection()
            return
        reply, headers, parsed = self._run(h, admitted, body, started)
        if admitted.fault is Fault.LOST_RESPONSE:
            self.record(h, 0, started, parsed.inputs, sha1)
            h.drop_connection()
            return
        self.record(h, reply.status, started, parsed.inputs, sha1)  # before replying
        h.send_reply(reply, headers)

    def refuse(
        self,
        h: _Handler,
        reply: Reply,
        headers: dict[str, str],
        started: float,
        framing: Framing | None,
    ) -> None:
        """Answer without keeping the body; ``framing`` None: the body is not readable."""
        sha1 = ""
        small = (
            framing is not None
            and not framing.chunked
            and not framing.expect_continue
            and framing.length <= DRAIN_LIMIT
        )
        if small and framing is not None:
            read = h.skip_body(framing.length)
            if read is None:
                small = False  # it ended early or stalled: the connection is out of step
            else:
                sha1 = read
        self.record(h, reply.status, started, sha1=sha1)
        h.send_reply(reply, headers, close=not small)
        if not small:
            h.linger()

    def _admit(self, h: _Handler, framing: Framing) -> _Admitted:
        """Auth, route, fault, rate window and declared size, in that order (caller holds the
        gate)."""
        scopes = self._authenticate(h.headers.get("Authorization"))
        if scopes is False or scopes is True:
            return _Admitted(Reply(401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION")))
        try:
            route = match(h.command, h.path)
        except ApiFailure as exc:
            return _Admitted(Reply(exc.status, exc.body))
        endpoint = route.endpoint
        faulted = (endpoint.faults or endpoint.schema_path) and self.faults.hits(
            endpoint.access, schema_path=endpoint.schema_path
        )
        fault, status = self.faults.draw() if faulted else (Fault.NONE, 0)
        if fault is Fault.PROCESSING and route.endpoint.name not in PROCESSING_ENDPOINTS:
            fault = Fault.NONE
        if fault is Fault.THROTTLE:
            return _Admitted(Reply(429, rate_limit_body(TEN_SECONDLY)))
        # Every route but the records' (objects_*) is the association API's.
        policy = self.limiter.admit(association=not route.endpoint.name.startswith("objects_"))
        if policy is not None:
            return _Admitted(Reply(429, rate_limit_body(policy)))
        if framing.length > MAX_BODY:
            return _Admitted(_too_large())
        if fault is Fault.SERVER_ERROR:
            body_500 = error_body(server_error_message(status), "INTERNAL_ERROR")
            return _Admitted(Reply(status, body_500), fault=fault)
        if fault in (Fault.LOCKED, Fault.MIGRATION):
            code, message, category, extra = busy_reply_parts(
                fault, self.faults.migration_retry_after
            )
            return _Admitted(Reply(code, error_body(message, category)), fault=fault, extra=extra)
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
        self, h: _Handler, admitted: _Admitted, body: bytes, started: float
    ) -> tuple[Reply, dict[str, str], Parsed]:
        route = admitted.route
        assert route is not None
        base, per_input = self.latency or (0.0, 0.0)
        # Parsed after half the base latency, not on arrival: a 2,000-input body holds the
        # interpreter for ~5 ms, which would delay the counting of the requests arriving with it.
        _sleep_until(started + base / 2)
        parsed = parse_body(body)
        latency = base + per_input * parsed.inputs
        call = Call(
            h.command,
            route.version,
            route.params,
            route.query,
            h.body,
            admitted.scopes,
            route.endpoint.access,
            parsed,
        )
        if admitted.fault is Fault.PROCESSING:
            reply = self._processing(route, call)
        else:
            reply = self._apply(route, call)
        reply.payload  # noqa: B018 -- encoded now, inside the latency, not after it
        _sleep_until(started + latency)
        with self.gate:
            return reply, self.limiter.headers(), parsed

    def _apply(self, route: Route, call: Call) -> Reply:
        """Run the endpoint under the portal lock."""
        with self.portal.lock:
            try:
                return respond(self.portal, route, call)
            except Exception:  # a sandbox bug: a 500 the client sees, not a dropped connection
                traceback.print_exc(file=sys.stderr)
                return _error_reply(500, "The sandbox failed on this request (a bug)")

    def _processing(self, route: Route, call: Call) -> Reply:
        """A PROCESSING fault: the batch is answered with the envelope's ``status`` saying it
        is still being processed and no ``results``.  With no delay it is applied first (a
        batch refused whole is answered as usual: nothing is processing); else it is answered
        at once, with the status a success has, and applied (as far as it can be) later."""
        delay = self.faults.processing_delay
        if delay > 0:
            timer = threading.Timer(delay, self._apply, (route, call))
            timer.daemon = True
            with self.log_lock:
                self.timers = [t for t in self.timers if t.is_alive()] + [timer]
            timer.start()
            ok = 200 if route.version == V2609 or route.endpoint.name != "batch_create" else 201
            done = shape(Reply(ok, batch_envelope([], [], now_iso())), self.portal.behaviour)
        else:
            done = self._apply(route, call)
            if not 200 <= done.status < 300 or not isinstance(done.body, dict):
                return done
        body = {**done.body, "status": self.faults.processing_status, "results": []}
        return Reply(done.status, body)

    def cancel_timers(self) -> None:
        """Drop the applications of PROCESSING batches still waiting (the sandbox stops)."""
        with self.log_lock:
            timers, self.timers = self.timers, []
        for timer in timers:
            timer.cancel()


def _sleep_until(moment: float) -> None:
    """Sleep until ``moment`` (:func:`_now` seconds), if it is still ahead."""
    left = moment - _now()
    if left > 0:
        time.sleep(left)


def _too_large() -> Reply:
    return Reply(
        413,
        error_body(
            f"The request body is larger than the maximum of {MAX_BODY} bytes",
            "VALIDATION_ERROR",
        ),
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SandboxHTTPServer
    body: bytes = b""

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)
        # A reply is written in two sends (headers, then the body): with Nagle's algorithm the
        # body waited for the client's delayed ACK, 40 ms more on every request of a kept-alive
        # connection -- a latency HubSpot does not have, in every test and benchmark.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    # --- request line and headers --------------------------------------------------------------

    def handle_one_request(self) -> None:
        """One request, whatever arrives: always a reply, never an exception out of here."""
        self.command, self.path, self.body = "", "", b""
        self.raw_requestline = b""
        self._replied = False
        try:
            try:
                self.raw_requestline = self.rfile.readline(65537)
                for _ in range(_EMPTY_LINES):  # RFC 9112 2.2: ignore empty lines before one
                    if self.raw_requestline not in (b"\r\n", b"\n"):
                        break
                    self.raw_requestline = self.rfile.readline(65537)
            except OSError:  # reset, or idle past the timeout: no request, nothing to answer
                self.close_connection = True
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.requestline = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline.strip():
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad request syntax (an empty line)")
                return
            if not self.parse_request():
                return  # answered by send_error
            if not _TOKEN.fullmatch(self.command):
                self.send_error(HTTPStatus.BAD_REQUEST, f"Invalid method {self.command[:40]!r}")
                return
            self.server.app.handle(self)
            self.wfile.flush()
        except TimeoutError:  # a request stalled half-way: 408 (an idle connection just ends)
            self.close_connection = True
            if self.raw_requestline and not self._replied:
                with contextlib.suppress(OSError):
                    reply = _error_reply(408, "The request did not arrive in time")
                    self.server.app.refuse(self, reply, {}, _now(), None)
        except ConnectionError:
            self.close_connection = True  # the peer went away: nobody to answer
        except Exception:  # a sandbox bug: answer 500 if nothing was sent yet
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            if not self._replied:
                with contextlib.suppress(OSError):
                    self.send_reply(_error_reply(500, "The sandbox failed on this request"), {})

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # "GET /" with no version: not HTTP/1.x
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request syntax (no HTTP version)")
            return False
        return True

    def handle_expect_100(self) -> bool:
        """Send nothing yet: "100 Continue" only once the request is admitted."""
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A malformed request: a JSON error body, an HTTP/1.1 status line, then close."""
        self.request_version = "HTTP/1.1"  # also after an HTTP/0.9-looking line: headers too
        self.command = self.command or ""
        self.path = getattr(self, "path", "") or ""
        text = message or HTTPStatus(code).phrase
        self.server.app.refuse(self, _error_reply(int(code), text), {}, _now(), None)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line (the sandbox keeps its own request log)."""

    # --- the body ------------------------------------------------------------------------------

    def framing(self) -> Framing:
        """The body's framing from the headers, or the 400/501 for framing that cannot be."""
        codings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        expect = self.headers.get("Expect", "").strip().lower() == "100-continue"
        expect = expect and self.request_version >= "HTTP/1.1"
        if codings:
            if lengths:
                raise failure(
                    400, "A request may not have both Transfer-Encoding and Content-Length"
                )
            names = [c.strip().lower() for c in ",".join(codings).split(",")]
            if names[-1] != "chunked" or "chunked" in names[:-1]:
                raise failure(400, "Transfer-Encoding must end in chunked, applied once")
            if len(names) > 1:
                raise ApiFailure(
                    501,
                    error_body(
                        f"Transfer-Encoding {names[0]!r} is not supported", "NOT_IMPLEMENTED"
                    ),
                )
            return Framing(chunked=True, expect_continue=expect)
        if not lengths:
            return Framing(expect_continue=expect)
        values = {v.strip() for v in ",".join(lengths).split(",")}
        value = values.pop() if len(values) == 1 else ""
        if not (value.isascii() and value.isdigit()):
            raise failure(400, "Invalid Content-Length")
        length = int(value) if len(value) <= 18 else MAX_BODY + 1
        return Framing(length=length, expect_continue=expect)

    def send_continue(self) -> None:
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.wfile.flush()

    def read_body(self, framing: Framing) -> bytes:
        """The body (kept on the handler for the endpoint), bounded by :data:`MAX_BODY`."""
        if framing.chunked:
            self.body = self._read_chunked()
        elif framing.length:
            self.body = self.rfile.read(framing.length)
            if len(self.body) < framing.length:
                self.close_connection = True
                raise failure(400, "The request body ended before its Content-Length")
        return self.body

    def _line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise failure(400, "The chunked body ended early or has a line that is too long")
        return line

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                raise failure(400, f"Invalid chunk size line {size_text[:40]!r}")
            size = int(size_text, 16) if len(size_text) <= 16 else MAX_BODY + 1
            if size == 0:
                break
            total += size
            if total > MAX_BODY:
                raise ApiFailure(413, _too_large().body)
            data = self.rfile.read(size)
            if len(data) < size or self.rfile.read(2) != b"\r\n":
                raise failure(400, "A chunk ended early or without its CRLF")
            parts.append(data)
        for _ in range(MAX_TRAILERS + 1):
            if self._line() in (b"\r\n", b"\n"):
                return b"".join(parts)
        raise ApiFailure(
            431, error_body("Too many trailer fields in the chunked body", "VALIDATION_ERROR")
        )

    def skip_body(self, length: int) -> str | None:
        """Read past ``length`` body bytes without keeping them: their SHA-1, or None when the
        body ended early or stalled."""
        digest = hashlib.sha1()
        left = length
        try:
            while left > 0:
                data = self.rfile.read(min(_READ, left))
                if not data:
                    return None
                digest.update(data)
                left -= len(data)
        except OSError:
            return None
        return digest.hexdigest()

    def linger(self) -> None:
        """After a final reply to a request whose body was not read: stop sending, then read
        and discard what the client still sends (bounded), so that its last bytes do not turn
        into a reset that destroys the reply in transit; then the connection closes."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
        except OSError:
            return
        deadline = time.monotonic() + LINGER_SECONDS
        left = LINGER_BYTES
        with contextlib.suppress(OSError, ValueError):
            while left > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.connection.settimeout(remaining)
                data = self.rfile.read1(min(_READ, left))
                if not data:
                    break
                left -= len(data)

    # --- replies -------------------------------------------------------------------------------

    def send_reply(self, reply: Reply, headers: dict[str, str], *, close: bool = False) -> None:
        payload = reply.payload
        self._replied = True  # from the first byte on, a 500 can no longer replace the reply
        self.send_response(reply.status)
        if reply.body is not None:
            self.send_header("Content-Type", "application/json;charset=utf-8")
        correlation = reply.body.get("correlationId") if isinstance(reply.body, dict) else None
        self.send_header(CORRELATION_HEADER, str(correlation or correlation_id()))
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
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
    #: Seconds a connection may stay silent: idle keep-alive connections are then closed, and
    #: a request whose headers or body stall is answered 408.
    request_timeout: float = 120.0

    def __init__(self, port: int, app: App) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self.accepted = 0  # connections accepted since the start
        self._stopping, self._stopped = threading.Event(), threading.Event()
        self._wake, self._waker = socket.socketpair()
        super().__init__(("127.0.0.1", port), _Handler)

    def serve_until_stopped(self) -> None:
        """Serve until :meth:`stop_serving` -- which returns at once: socketserver's
        ``shutdown`` waits out the loop's poll interval, 50 ms a sandbox (minutes over a test
        suite that starts thousands)."""
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake, selectors.EVENT_READ)
                while not self._stopping.is_set():
                    ready = selector.select()
                    if self._stopping.is_set():
                        break
                    if any(key.fileobj is self for key, _ in ready):
                        # socketserver's own accept-and-dispatch step (as serve_forever's),
                        # not in typeshed
                        self._handle_request_noblock()  # type: ignore[attr-defined]
        finally:
            self._stopped.set()

    def stop_serving(self, timeout: float = 5.0) -> None:
        """Stop the loop of :meth:`serve_until_stopped` (running or not yet started) and
        wait for it to end (at most ``timeout`` seconds)."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._waker.send(b"\0")
        self._stopped.wait(timeout)

    def server_close(self) -> None:
        super().server_close()
        for end in (self._wake, self._waker):
            end.close()

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self._open_lock:
            if add:
                self._open.add(conn)
                self.accepted += 1
            else:
                self._open.discard(conn)

    def close_all(self) -> None:
        """Shut down open keep-alive connections so their threads end promptly."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
