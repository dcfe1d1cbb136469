"""A fault proxy in front of a sandbox, for sequences the sandbox's own faults cannot play.

The sandbox's seeded faults (:mod:`hubframe.sandbox.faults`) drop or refuse single requests.
What happens *after* a write's answer is lost needs a second act: HubSpot's daily limit, a
revoked token, missing scopes, or HubSpot no longer reachable at all.  :class:`FaultProxy` is a
small HTTP/1.1 proxy on 127.0.0.1 that forwards every request to the sandbox (which applies it)
and, on cue, changes what the client sees:

* ``lose=k``: the k-th write (POST/PUT/DELETE other than a batch read) is forwarded and applied,
  then the client's connection is closed without an answer (a lost response);
* ``after_drops=n``: the cue is the n-th write whose answer the *sandbox* lost (its own
  ``lost_response`` fault: applied, then the connection closed; passed on as is);
* ``then``: what every request after the cue gets: ``"daily"`` (429, policy DAILY),
  ``"throttle"`` (429, TEN_SECONDLY_ROLLING), ``"token:<other token>"`` (forwarded with another
  token: an unknown one gives the sandbox's own 401, a read-only one its 403 on writes and
  answers to reads), or ``"refuse"`` (the proxy stops listening and closes every connection:
  connections are refused from then on), or ``"reject"`` (every write gets a 400 that names
  no row, as HubSpot answers a request whose form it refuses; reads are forwarded;
  ``"reject:<text>"``: only writes whose body holds the text, as a row refused for a reason
  the portal does not show);
  ``then_count`` limits it to that many requests; ``cued=True`` plays ``then`` from the start;
  ``then_writes=[mode, ...]``: the writes after the cue get these modes one each, in turn;
* ``then="page"``: every request gets ``200 OK`` with a page of HTML, not forwarded (a proxy's
  or a firewall's login page answering in HubSpot's place); ``then="foreign"``: ``200 OK`` with
  a JSON object that is not HubSpot's (another API at a mistyped base URL);
* ``then="swallow:<text>"``: a write's inputs whose JSON holds the text are taken out of its
  body before it is forwarded, and the answer is passed on as is: HubSpot ignoring an input
  without a word (results that do not name it, no error); ``then="unnamed:<text>"``: the
  write is forwarded whole (every input applied) and the answer's results holding the text
  are taken out: an answer that does not name rows it applied; ``then="reversed"``: a write's
  answer lists its results in the reverse order (``"last_result"``: its last one only);
  ``then="replace:<json>"``: a write is forwarded (applied) and its answer's body replaced by
  that JSON, status kept (an answer no parser should trust);
  ``then="flood:<bytes>"``: a write is forwarded (applied) and answered ``200`` with a body of
  that many bytes (a JSON object's outline of spaces); ``then="trickle"``: forwarded, and
  answered a few bytes at a time without end (until the client hangs up);
  ``then="slow_head"``: forwarded, and answered with a status line and headers sent a byte
  every 50 ms without end; ``then="continues"``: forwarded, and answered ``100 Continue``
  every 50 ms without end (a proxy or load balancer that never gets to the answer);
  ``then="redirect:<status> <location>"``: every write is answered with that redirect, not
  forwarded (something in front of HubSpot sending the client elsewhere);
  ``then="late:<seconds>"``: a write is answered ``504`` at once and forwarded that many
  seconds later (a gateway that gave up while HubSpot goes on and applies it);
  ``then="cut_body"``: a write is forwarded (applied) and half of its answer's body sent before
  the connection is closed (a connection cut while the answer arrives);
  ``then="answer:<json>"``: every write gets
  ``200 OK`` with that JSON body and is not forwarded (nothing applied); ``then="loose"``: the
  errors of a write's answer name no ``toObjectId`` (an error naming only the record at its
  limit, not the pair it refused);
* ``fail_reads=True``: every batch read gets ``503`` (a read that should settle a row fails);
  ``fail_reads_after_write=True``: every read (GET or batch read) once a write has come gets
  ``503`` (the read of the limits that should settle a purge fails);
* ``fail_path="<text>"``: every request whose path holds the text gets ``503``, not forwarded
  (one object pair's labels read failing while the others are answered);
  ``reject_path="<text>"``: every write whose path holds the text gets ``then="reject"``'s 400
  (HubSpot refusing one endpoint's request while another's, for the same pair, is applied);
  ``daily_path="<text>"``: every write whose path holds the text gets ``then="daily"``'s 429
  (the day's limit reached on one object pair's request while another's was applied);
* ``drop_reads="<text>"``: the results and errors of a batch read's answer that hold the text
  are taken out (an answer that names a record it was asked about nowhere); the first
  ``drop_reads_count`` answers only, when given; with ``drop_reads_as="<category>"`` they are
  replaced by one item error of that category naming the record (the text, quotes aside): an
  answer refusing one record (``INTERNAL_ERROR``) rather than saying it has none;
* ``on_read=<callable>``: called with each batch read's request body and answer body (parsed
  JSON) before the answer is passed on; a test changes the portal there, as a colleague or a
  workflow does while a long read goes on (between two pages of one record, say), or returns
  another answer to pass on (None: the answer as it is);
* ``on_write=<callable>``: every write is handed to it, not forwarded: it is called with
  the write's path, its body (parsed JSON) and ``forward(body) -> (status, answer)``, which
  sends a body (of the inputs it chooses) on to the sandbox, and returns the status and JSON
  answer the client gets (a test's HubSpot: which inputs it applies, how its answer names
  them; an answer given as bytes goes to the client as they are: JSON no dict can hold, a
  key twice, a key spelled with escapes);
* ``stuck_cursor=True``: the cursors of a batch read (and the ``after`` of a GET) are taken
  out of it before it is forwarded, so every answer is a first page with the same cursor to
  the second (a server that ignores the cursor: a walk through the pages that never ends);
* ``read_body="<json>"``: every read (GET, batch read) is forwarded and answered with that
  body, status kept; ``rejected_body="<json>"``: the body of ``then="reject"``'s 400;
* ``set_headers={name: value}``: those headers are set on every answer passed on (rate limit
  figures no HubSpot would send, say);
* ``extra_limit="<json>"``: every read of an object pair's limits (GET of its
  ``definitions/configurations``) is forwarded and that entry appended to its ``results`` (an
  entry hubframe cannot place: a null type id, say);
* ``echo_token=True``: every ``message`` of an error body (top level and ``errors[]``) gets the
  request's bearer token appended, as a careless server might echo it; ``"escaped"``: spelled
  with a JSON ``\\uXXXX`` escape for each character, ``"dashes"``: for its dashes only (the
  same text once the JSON is read), ``"upper"``: upper-cased (not the token to HubSpot, but
  it gives the token away).

Only for tests: no TLS, Content-Length bodies only (the sandbox always sends one).
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException, RemoteDisconnected
from typing import Any

from hubframe.sandbox import Sandbox
from hubframe.sandbox.bodies import rate_limit_body

_WRITES = frozenset({"POST", "PUT", "DELETE", "PATCH"})
_WINDOW_HEADERS = (
    ("X-HubSpot-RateLimit-Max", "190"),
    ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"),
    ("X-HubSpot-RateLimit-Remaining", "100"),
)


#: What HubSpot answers a request whose form it refuses (no input named).
_REJECTED = {
    "status": "error",
    "message": "Invalid input JSON on line 1, column 42: Cannot deserialize value",
    "correlationId": "00000000-0000-4000-8000-000000000400",
    "category": "VALIDATION_ERROR",
}


@dataclass
class _Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def is_write(self) -> bool:
        return self.method in _WRITES and not self.path.endswith("/batch/read")

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def _read_request(rfile: io.BufferedIOBase) -> _Request | None:
    line = rfile.readline(65537)
    if not line or not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        raw = rfile.readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        key, _, value = raw.decode("latin-1").partition(":")
        headers.append((key.strip(), value.strip()))
    length = int(next((v for k, v in headers if k.lower() == "content-length"), "0") or 0)
    body = rfile.read(length) if length else b""
    return _Request(method, path, headers, body)


def _response(status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    skip = {"content-length", "transfer-encoding", "connection"}
    lines += [f"{k}: {v}" for k, v in headers if k.lower() not in skip]
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def _echo(body: bytes, token: str, spelling: bool | str = True) -> bytes:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if not isinstance(parsed, dict):
        return body
    targets = [parsed, *(e for e in parsed.get("errors") or [] if isinstance(e, dict))]
    touched = False
    for target in targets:
        if isinstance(target.get("message"), str):
            target["message"] += " (request token: \0TOKEN\0)"
            touched = True
    if not touched:
        return body
    if spelling == "escaped":
        written = "".join(f"\\u{ord(c):04x}" for c in token)
    elif spelling == "dashes":
        written = token.replace("-", "\\u002d")
    elif spelling == "upper":
        written = token.upper()
    else:
        written = json.dumps(token)[1:-1]
    return json.dumps(parsed).replace("\\u0000TOKEN\\u0000", written).encode()


def _with_list(body: bytes, key: str, change: Callable[[list[Any]], list[Any]]) -> bytes:
    """``body`` with its JSON list ``key`` changed by ``change`` (as it is when it has none)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if not isinstance(parsed, dict) or not isinstance(parsed.get(key), list):
        return body
    parsed[key] = change(parsed[key])
    return json.dumps(parsed).encode()


def _appended(body: bytes, key: str, entry: Any) -> bytes:
    """``body`` with ``entry`` appended to its JSON list ``key``."""
    return _with_list(body, key, lambda entries: [*entries, entry])


def _drop_entries(body: bytes, key: str, text: str) -> bytes:
    """``body`` with the entries of its JSON list ``key`` that hold ``text`` taken out."""
    return _with_list(body, key, lambda entries: [e for e in entries if text not in json.dumps(e)])


def _refusing(body: bytes, error: dict[str, Any]) -> bytes:
    """``body`` with ``error`` appended to its ``errors`` (made when it has none)."""
    parsed = json.loads(body)
    if not isinstance(parsed, dict):
        return body
    found = parsed.get("errors")
    errors: list[Any] = found if isinstance(found, list) else []
    parsed["errors"] = [*errors, error]
    parsed["numErrors"] = len(parsed["errors"])
    return json.dumps(parsed).encode()


def _reversed(body: bytes, key: str, keep: int | None = None) -> bytes:
    """``body`` with its JSON list ``key`` in the reverse order (its first ``keep`` only)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if not isinstance(parsed, dict) or not isinstance(parsed.get(key), list):
        return body
    parsed[key] = parsed[key][::-1][:keep]
    return json.dumps(parsed).encode()


def _loosened(body: bytes) -> bytes:
    """``body`` with ``toObjectId`` taken out of its errors' contexts."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if not isinstance(parsed, dict) or not isinstance(parsed.get("errors"), list):
        return body
    for err in parsed["errors"]:
        if isinstance(err, dict) and isinstance(err.get("context"), dict):
            err["context"].pop("toObjectId", None)
    return json.dumps(parsed).encode()


def _first_pages(request: _Request) -> _Request:
    """A batch read ``request`` with the cursors taken out of its inputs."""
    parsed = json.loads(request.body)
    for item in parsed.get("inputs") or []:
        if isinstance(item, dict):
            item.pop("after", None)
    body = json.dumps(parsed).encode()
    headers = [(k, v) for k, v in request.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    return _Request(request.method, request.path, headers, body)


def _no_after(path: str) -> str:
    """``path`` without its ``after`` query parameter (the first page again)."""
    route, _, query = path.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("after=")]
    return route + ("?" + "&".join(kept) if kept else "")


def _flood(conn: socket.socket, size: int) -> None:
    """A 200 whose body is ``size`` bytes: ``{"results": [`` and spaces up to ``]}``."""
    head, tail = b'{"results": [', b"]}"
    headers = [("Content-Type", "application/json;charset=utf-8")]
    lines = ["HTTP/1.1 200 OK", *(f"{k}: {v}" for k, v in headers)]
    lines += [f"Content-Length: {size}", "", ""]
    with contextlib.suppress(OSError):
        conn.sendall("\r\n".join(lines).encode() + head)
        left, block = size - len(head) - len(tail), b" " * (1 << 20)
        while left > 0:
            conn.sendall(block[: min(left, len(block))])
            left -= len(block)
        conn.sendall(tail)


def _trickle(conn: socket.socket) -> None:
    """A 200 with a large Content-Length whose body comes 16 bytes every 50 ms, until the
    client hangs up (or ten minutes pass)."""
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json", "Content-Length: 100000000"]
    with contextlib.suppress(OSError):
        conn.sendall("\r\n".join([*lines, "", ""]).encode() + b'{"results": [')
        for _ in range(12_000):
            conn.sendall(b" " * 16)
            time.sleep(0.05)


def _slow_head(conn: socket.socket, continues: bool) -> None:
    """A head that never ends, until the client hangs up (or ten minutes pass): ``100
    Continue`` answers one after another, or a 200 whose headers come a byte at a time."""
    with contextlib.suppress(OSError):
        if not continues:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ")
        for _ in range(12_000):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" if continues else b"a")
            time.sleep(0.05)


def _without(request: _Request, key: str, text: str) -> _Request:
    """``request`` with the entries of its body's list ``key`` that hold ``text`` taken out."""
    body = _drop_entries(request.body, key, text)
    headers = [(k, v) for k, v in request.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    return _Request(request.method, request.path, headers, body)


@dataclass
class FaultProxy:
    """See the module docstring; use as a context manager, point the client at :attr:`url`."""

    sandbox: Sandbox
    lose: int | None = None
    after_drops: int | None = None
    then: str | None = None
    then_count: int | None = None
    #: once cued, the modes the writes get, one each in turn (reads are forwarded; writes after
    #: the last are forwarded): a 504 HubSpot applies late, then a retry answered without a row
    then_writes: list[str] | None = None
    echo_token: bool | str = False
    extra_limit: str | None = None
    fail_reads: bool = False
    fail_reads_after_write: bool = False
    fail_path: str | None = None
    path_failures: int = 0  # requests answered 503 by ``fail_path``
    reject_path: str | None = None
    daily_path: str | None = None
    wrote: bool = False  # a write has come (``fail_reads_after_write``)
    drop_reads: str | None = None
    drop_reads_count: int | None = None
    drop_reads_as: str | None = None
    stuck_cursor: bool = False
    on_read: Callable[[Any, Any], Any] | None = None
    on_write: Callable[[str, Any, Callable[[Any], tuple[int, Any]]], tuple[int, Any]] | None = None
    set_headers: dict[str, str] | None = None
    read_body: str | None = None
    rejected_body: str | None = None
    reads_dropped: int = 0  # batch read answers changed by ``drop_reads``
    writes: int = 0
    drops: int = 0
    cued: bool = False
    answered: int = 0  # requests answered by ``then``
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _server: socketserver.ThreadingTCPServer | None = field(default=None, repr=False)
    _conns: set[socket.socket] = field(default_factory=set, repr=False)
    _port: int = 0

    # --- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> FaultProxy:
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.connection, self.rfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                """Connections closed on purpose end with errors: nothing to print."""

        server = Server(("127.0.0.1", 0), Handler)
        self._server = server
        self._port = int(server.server_address[1])
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.refuse()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def refuse(self) -> None:
        """Stop listening and close every connection: from now on, connections are refused."""
        with self._lock:
            server, self._server = self._server, None
            conns = list(self._conns)
        if server is not None:
            server.shutdown()
            server.server_close()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    # --- one client connection ----------------------------------------------------------------

    def _serve(self, conn: socket.socket, rfile: io.BufferedIOBase) -> None:
        with self._lock:
            if self._server is None:
                return
            self._conns.add(conn)
        upstream = HTTPConnection("127.0.0.1", self.sandbox.port, timeout=60)
        try:
            while (request := _read_request(rfile)) is not None:
                if not self._one(conn, request, upstream):
                    break
        except (OSError, ValueError):
            pass
        finally:
            upstream.close()
            with self._lock:
                self._conns.discard(conn)

    def _decide(self, request: _Request) -> str:
        """'forward', 'lose' or the ``then`` mode, counting writes (caller holds no lock)."""
        with self._lock:
            if self.cued and self.then_writes is not None:
                if not request.is_write or self.answered >= len(self.then_writes):
                    return "forward"
                self.answered += 1
                return self.then_writes[self.answered - 1]
            if self.cued and self.then is not None:
                if self.then_count is None or self.answered < self.then_count:
                    self.answered += 1
                    return self.then
                return "forward"
            if request.is_write:
                self.writes += 1
                if self.lose is not None and self.writes == self.lose:
                    return "lose"
            return "forward"

    def _read_answer(self, body: bytes) -> bytes:
        """A batch read's answer as ``drop_reads`` changes it (counted when it takes any out)."""
        if self.drop_reads is not None:
            with self._lock:
                due = self.drop_reads_count is None or self.reads_dropped < self.drop_reads_count
            if due:
                cut = _drop_entries(body, "results", self.drop_reads)
                cut = _drop_entries(cut, "errors", self.drop_reads)
                if json.loads(cut) != json.loads(body):
                    body = cut if self.drop_reads_as is None else _refusing(cut, self._refusal())
                    with self._lock:
                        self.reads_dropped += 1
        return body

    def _refusal(self) -> dict[str, Any]:
        record = str(self.drop_reads).strip('"')
        return {
            "status": "error",
            "category": self.drop_reads_as,
            "message": f"Internal error reading the associations of {record}; try again",
            "context": {"fromObjectId": [record]},
        }

    def _cue(self) -> None:
        with self._lock:
            self.cued = True
        if self.then == "refuse":
            self.refuse()

    def _apply_late(self, request: _Request) -> None:
        """Send a write on to the sandbox now (``then="late:<s>"``: applied after its 504)."""
        try:
            port = self.sandbox.port
        except RuntimeError:  # the test's sandbox stopped before the write was due: no portal
            return
        late = HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            late.request(request.method, request.path, request.body, dict(request.headers))
            late.getresponse().read()
        except OSError:
            pass  # the sandbox was stopped meanwhile: nothing is applied
        finally:
            late.close()

    def _written(self, conn: socket.socket, request: _Request, upstream: HTTPConnection) -> bool:
        """A write answered by ``on_write``, which forwards what it chooses."""

        def forward(payload: Any) -> tuple[int, Any]:
            data = json.dumps(payload).encode()
            headers = [(k, v) for k, v in request.headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(data))))
            upstream.request(request.method, request.path, data, dict(headers))
            resp = upstream.getresponse()
            return resp.status, json.loads(resp.read() or b"{}")

        assert self.on_write is not None
        status, answer = self.on_write(request.path, json.loads(request.body), forward)
        headers = [("Content-Type", "application/json;charset=utf-8")]
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        conn.sendall(_response(status, "OK" if status < 300 else "Bad Request", headers, body))
        return True

    def _one(self, conn: socket.socket, request: _Request, upstream: HTTPConnection) -> bool:
        """Handle one request; False when the client connection must close."""
        with self._lock:
            after_write, self.wrote = self.wrote, self.wrote or request.is_write
        failed_path = self.fail_path is not None and self.fail_path in request.path
        if failed_path:
            with self._lock:
                self.path_failures += 1
        if (
            (self.fail_reads and request.path.endswith("/batch/read"))
            or (self.fail_reads_after_write and after_write and not request.is_write)
            or failed_path
        ):
            body = json.dumps({"status": "error", "message": "Service Unavailable"}).encode()
            headers = [("Content-Type", "application/json;charset=utf-8")]
            conn.sendall(_response(503, "Service Unavailable", headers, body))
            return True
        mode = self._decide(request)
        poison = mode.split(":", 1)[1].encode() if mode.startswith("reject:") else None
        rejected_path = self.reject_path is not None and self.reject_path in request.path
        poisoned = mode.startswith("reject") and (poison is None or poison in request.body)
        if request.is_write and (rejected_path or poisoned):
            body = (self.rejected_body or json.dumps(_REJECTED)).encode()
            headers = [("Content-Type", "application/json;charset=utf-8")]
            conn.sendall(_response(400, "Bad Request", headers, body))
            return True
        if mode.startswith("reject"):
            mode = "forward"
        if self.daily_path is not None and request.is_write and self.daily_path in request.path:
            mode = "daily"
        if mode == "refuse":
            self.refuse()
            return False
        if mode == "page":
            page = b"<!DOCTYPE html><html><body>Sign in to continue</body></html>"
            conn.sendall(_response(200, "OK", [("Content-Type", "text/html")], page))
            return True
        if mode == "foreign":
            foreign = b'{"ok": true, "service": "another API"}'
            conn.sendall(_response(200, "OK", [("Content-Type", "application/json")], foreign))
            return True
        if mode in ("daily", "throttle"):
            policy = "DAILY" if mode == "daily" else "TEN_SECONDLY_ROLLING"
            body = json.dumps(rate_limit_body(policy)).encode()
            headers = [("Content-Type", "application/json;charset=utf-8")]
            if mode == "throttle":  # the window is full for a moment, as the sandbox says it
                headers += [(h, v) for h, v in _WINDOW_HEADERS]
            conn.sendall(_response(429, "Too Many Requests", headers, body))
            return True
        if mode.startswith("redirect:") and request.is_write:
            status, location = mode.split(":", 1)[1].split(" ", 1)
            headers = [("Location", location), ("Content-Type", "text/plain")]
            conn.sendall(_response(int(status), "Redirect", headers, b"moved"))
            return True
        if mode.startswith("late:") and request.is_write:
            delay = float(mode.split(":", 1)[1])
            timer = threading.Timer(delay, self._apply_late, (request,))
            timer.daemon = True  # a write due after the test ends does not hold its process
            timer.start()
            body = json.dumps({"status": "error", "message": "Gateway Timeout"}).encode()
            headers = [("Content-Type", "application/json;charset=utf-8")]
            conn.sendall(_response(504, "Gateway Timeout", headers, body))
            return True
        if self.on_write is not None and request.is_write:
            return self._written(conn, request, upstream)
        if mode.startswith("answer:") and request.is_write:
            body = mode.split(":", 1)[1].encode()
            headers = [("Content-Type", "application/json;charset=utf-8")]
            conn.sendall(_response(200, "OK", headers, body))
            return True
        headers = request.headers
        cut = mode.split(":", 1)[1] if mode.startswith(("swallow:", "unnamed:")) else None
        if cut is not None and mode.startswith("swallow:") and request.is_write:
            request = _without(request, "inputs", cut)
            headers = request.headers
        if self.stuck_cursor and request.path.endswith("/batch/read"):
            request = _first_pages(request)
            headers = request.headers
        if self.stuck_cursor and request.method == "GET":
            request = _Request(request.method, _no_after(request.path), headers, request.body)
        if mode.startswith("token:"):
            other = mode.split(":", 1)[1]
            headers = [(k, v) for k, v in headers if k.lower() != "authorization"]
            headers.append(("Authorization", f"Bearer {other}"))
        try:
            upstream.request(request.method, request.path, request.body, dict(headers))
            resp = upstream.getresponse()
            body = resp.read()
        except (OSError, HTTPException) as exc:
            upstream.close()  # the sandbox dropped it (lost response or reset): pass it on
            # a reset (RST) is refused before anything is applied; a clean close is a lost answer
            lost = isinstance(exc, RemoteDisconnected) or not isinstance(exc, ConnectionResetError)
            if request.is_write and lost:
                with self._lock:
                    self.drops += 1
                    cue = self.after_drops is not None and self.drops == self.after_drops
                if cue:
                    self._cue()
            return False
        if mode == "lose":
            self._cue()
            return False
        if mode.startswith("flood:") and request.is_write:
            _flood(conn, int(mode.split(":", 1)[1]))
            return False
        if mode == "cut_body" and request.is_write:
            whole = _response(resp.status, resp.reason, resp.getheaders(), body)
            with contextlib.suppress(OSError):
                conn.sendall(whole[: len(whole) - max(1, len(body) // 2)])
            return False
        if mode == "trickle" and request.is_write:
            _trickle(conn)
            return False
        if mode in ("slow_head", "continues") and request.is_write:
            _slow_head(conn, mode == "continues")
            return False
        if cut is not None and mode.startswith("unnamed:") and request.is_write:
            body = _drop_entries(body, "results", cut)
        if mode == "reversed" and request.is_write:
            body = _reversed(body, "results")
        if mode == "last_result" and request.is_write:
            body = _reversed(body, "results", keep=1)
        if mode == "loose" and request.is_write:
            body = _loosened(body)
        if mode.startswith("replace:") and request.is_write:
            body = mode.split(":", 1)[1].encode()
        if self.read_body is not None and not request.is_write:
            body = self.read_body.encode()
        if request.path.endswith("/batch/read"):
            body = self._read_answer(body)
            if self.on_read is not None:
                instead = self.on_read(json.loads(request.body), json.loads(body))
                body = body if instead is None else json.dumps(instead).encode()
        if (
            self.extra_limit is not None
            and request.method == "GET"
            and ("/definitions/configurations/" in request.path)
        ):
            body = _appended(body, "results", json.loads(self.extra_limit))
        if self.echo_token:
            token = (request.header("Authorization") or "").removeprefix("Bearer ").strip()
            body = _echo(body, token, self.echo_token)
        answer_headers = resp.getheaders()
        if self.set_headers:
            names = {k.lower() for k in self.set_headers}
            answer_headers = [(k, v) for k, v in answer_headers if k.lower() not in names]
            answer_headers += list(self.set_headers.items())
        conn.sendall(_response(resp.status, resp.reason, answer_headers, body))
        return True
