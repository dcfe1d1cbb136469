"""The sandbox answers every request: malformed, oversized, hostile (issue 10, section 8).

Every request gets an HTTP/1.1 status line and a HubSpot-shaped JSON error body (never a
silent close), the handler never dies, and the server still answers afterwards.  Refused
requests (no token, rate limited, too large) are answered without their body being kept in
memory.  Raw sockets build what no HTTP library would send.
"""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_check import SpecChecker

from hubframe.sandbox import Sandbox, jsonbounds
from hubframe.sandbox.jsonbounds import MAX_DEPTH
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.ratelimit import RateLimiter
from hubframe.sandbox.routes import parse_body
from hubframe.sandbox.server import MAX_BODY, App, SandboxHTTPServer
from hubframe.testing import SandboxFactory

CREATE = "/crm/v4/associations/deals/contacts/batch/create"
LABELS = "/crm/v4/associations/deals/contacts/labels"
DEAL, CONTACT = "2040000050", "1019360150"
SPEC = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}


def create_body(from_id: str = DEAL, to_id: str = CONTACT) -> bytes:
    inputs = [{"from": {"id": from_id}, "to": {"id": to_id}, "types": [SPEC]}]
    return json.dumps({"inputs": inputs}).encode()


# --- a raw HTTP/1.1 client ---------------------------------------------------------------------


@dataclass
class RawReply:
    status_line: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


class NoReply(AssertionError):
    """The connection ended (or stalled) before a complete status line and headers."""


def read_reply(sock: socket.socket, buffered: bytearray, *, head: bool = False) -> RawReply:
    """One HTTP response from ``sock`` (``buffered``: bytes already received, consumed here)."""
    while b"\r\n\r\n" not in buffered:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, OSError) as exc:
            raise NoReply(f"no reply: {exc!r}; got {bytes(buffered[:80])!r}") from None
        if not chunk:
            raise NoReply(f"connection closed; got {bytes(buffered[:80])!r}")
        buffered += chunk
    end = buffered.index(b"\r\n\r\n")
    lines = bytes(buffered[:end]).decode("latin-1").split("\r\n")
    del buffered[: end + 4]
    status_line = lines[0]
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or parts[0] != "HTTP/1.1" or not parts[1].isdigit() or len(parts[1]) != 3:
        raise NoReply(f"not an HTTP/1.1 status line: {status_line!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers.get("content-length", "0"))
    while len(buffered) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise NoReply("connection closed inside the reply body")
        buffered += chunk
    body = bytes(buffered[:length])
    del buffered[:length]
    return RawReply(status_line, int(parts[1]), headers, body)


def exchange(
    port: int,
    data: bytes,
    *,
    half_close: bool = False,
    timeout: float = 10.0,
    head: bool = False,
) -> RawReply:
    """Send ``data`` on a new connection and read one reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return read_reply(sock, bytearray(), head=head)


def request(
    method: str,
    target: str,
    body: bytes = b"",
    *,
    token: str | None,
    headers: dict[str, str] | None = None,
    length: bool = True,
    version: str = "HTTP/1.1",
) -> bytes:
    lines = [f"{method} {target} {version}", "Host: 127.0.0.1"]
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode("utf-8") + body


def assert_error_body(reply: RawReply) -> None:
    """A HubSpot-shaped JSON error body whose correlation id matches the header."""
    assert reply.headers.get("content-type", "").startswith("application/json"), reply
    body = reply.json()
    assert body["status"] == "error" and body["message"] and body["category"]
    assert body["correlationId"] == reply.headers["x-hubspot-correlation-id"]


def still_answers(sb: Sandbox) -> None:
    reply = exchange(sb.port, request("GET", LABELS, token=sb.token))
    assert reply.status == 200


# --- ids the path or body spells with non-ASCII digits ("²".isdigit() is True) -------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", f"/crm/v4/objects/deals/{DEAL}/associations/default/contacts/1%C2%B2", 400),
        ("PUT", f"/crm/v4/objects/deals/%C2%B2/associations/default/contacts/{CONTACT}", 400),
        ("GET", "/crm/v4/objects/deals/%C2%B2/associations/contacts", 200),
        ("DELETE", f"/crm/v4/objects/deals/%C2%B2/associations/contacts/{CONTACT}", 204),
        ("DELETE", "/crm/v4/associations/deals/contacts/labels/%C2%B2", 400),
        ("GET", f"/crm/v4/objects/deals/{DEAL}/associations/contacts?limit=%C2%B2", 400),
    ],
)
def test_superscript_digits_in_the_path(
    sandbox: Sandbox, spec_checker: SpecChecker, method: str, path: str, status: int
) -> None:
    reply = exchange(sandbox.port, request(method, path, token=sandbox.token))
    assert reply.status == status
    spec_checker.check(method, path, status, reply.json() if reply.body else None)
    still_answers(sandbox)


@pytest.mark.parametrize("odd", ["1²", "²", "٣", "１２"])
@pytest.mark.parametrize(
    ("path", "make", "status"),
    [
        (
            CREATE,
            lambda i: {"inputs": [{"from": {"id": DEAL}, "to": {"id": i}, "types": [SPEC]}]},
            207,
        ),
        ("/crm/v4/associations/deals/contacts/batch/read", lambda i: {"inputs": [{"id": i}]}, 207),
        (
            "/crm/v4/associations/deals/contacts/batch/archive",
            lambda i: {"inputs": [{"from": {"id": i}, "to": [{"id": i}]}]},
            204,
        ),
        ("/crm/objects/2026-03/contacts/batch/read", lambda i: {"inputs": [{"id": i}]}, 207),
        (
            "/crm/associations/2026-03/deals/contacts/batch/associate/default",
            lambda i: {"inputs": [{"from": {"id": i}, "to": {"id": CONTACT}}]},
            200,
        ),
    ],
)
def test_non_ascii_digits_in_body_ids(
    sandbox: Sandbox, spec_checker: SpecChecker, path: str, make: Any, status: int, odd: str
) -> None:
    """Ids in non-ASCII digits are ids that do not exist, not a crash (nor record 3)."""
    body = json.dumps(make(odd)).encode()
    reply = exchange(sandbox.port, request("POST", path, body, token=sandbox.token))
    assert reply.status == status
    spec_checker.check("POST", path, status, reply.json() if reply.body else None)
    if status == 207:
        assert reply.json()["numErrors"] == 1


# --- bodies that are JSON but hostile ------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 50_000, 2_000_000])
def test_deeply_nested_json_is_a_400(
    sandbox: Sandbox, spec_checker: SpecChecker, depth: int
) -> None:
    for body in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        reply = exchange(sandbox.port, request("POST", CREATE, body, token=sandbox.token))
        assert reply.status == 400
        assert_error_body(reply)
        spec_checker.check("POST", CREATE, 400, reply.json())
    still_answers(sandbox)


def test_the_depth_bound_is_exact_and_parses_without_recursion_errors() -> None:
    for depth in (MAX_DEPTH, MAX_DEPTH + 1):
        for body in (
            b"[" * depth + b"]" * depth,
            b'{"a":' * (depth - 1) + b"[]" + b"}" * (depth - 1),
        ):
            assert parse_body(body).status == (0 if depth <= MAX_DEPTH else 400)
    assert parse_body(b'["' + b"[" * 100_000 + b'"]').status == 0  # brackets in a string
    assert parse_body(b'["\\\\"' + b", []" * 10 + b"]").status == 0  # an escaped backslash
    assert parse_body(b'"' + b'\\"[' * 100_000).status == 400  # never closed: linear, 400


def test_brackets_inside_strings_do_not_count(sandbox: Sandbox) -> None:
    note = json.dumps("[" * 5000 + "{" * 5000 + '"\\').encode()
    deep = b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)  # inside the top object: 500 deep
    inputs = json.loads(create_body())["inputs"]
    body = (
        json.dumps({"inputs": inputs}).encode()[:-1]
        + b', "x": '
        + deep
        + b', "note": '
        + note
        + b"}"
    )
    reply = exchange(sandbox.port, request("POST", CREATE, body, token=sandbox.token))
    assert reply.status == 201


@pytest.mark.parametrize(
    "body",
    [
        b'{"inputs": [{"from": {"id": 1' + b"9" * 5000 + b'}, "to": {"id": "1"}, "types": []}]}',
        b'{"label": "x", "name": "x", "associationTypeId": ' + b"7" * 4400 + b"}",
        b'{"inputs": ["\xff\xfe"]}',
        b'{"inputs": [' + b"1," * 1_100_000 + b"1]}",
        b'{"inputs": "\\ud800"}',
        b"\xef\xbb\xbf{}",
    ],
    ids=[
        "5000-digit-id",
        "4400-digit-type",
        "invalid-utf8",
        "a-million-values",
        "surrogate",
        "bom",
    ],
)
def test_hostile_json_is_a_400(sandbox: Sandbox, body: bytes) -> None:
    for path in (CREATE, LABELS):
        reply = exchange(sandbox.port, request("POST", path, body, token=sandbox.token))
        assert reply.status == 400
        assert_error_body(reply)
    still_answers(sandbox)


# --- framing: Content-Length, Transfer-Encoding, chunks ------------------------------------------


def _post(token: str, extra: str, rest: bytes = b"") -> bytes:
    head = f"POST {CREATE} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{extra}\r\n"
    return head.encode() + rest


FRAMING = {
    "length-not-a-number": ("Content-Length: abc\r\n", b"", 400),
    "length-negative": ("Content-Length: -5\r\n", b"", 400),
    "length-plus-sign": ("Content-Length: +2\r\n", b"{}", 400),
    "length-hex": ("Content-Length: 0x2\r\n", b"{}", 400),
    "length-two-values": ("Content-Length: 2\r\nContent-Length: 3\r\n", b"{}", 400),
    "length-list": ("Content-Length: 2, 3\r\n", b"{}", 400),
    "length-huge": ("Content-Length: 99999999999999999999999\r\n", b"", 413),
    "length-just-over": (f"Content-Length: {MAX_BODY + 1}\r\n", b"", 413),
    "length-and-chunked": (
        "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
        b"0\r\n\r\n",
        400,
    ),
    "te-gzip": ("Transfer-Encoding: gzip\r\n", b"{}", 400),
    "te-chunked-then-gzip": ("Transfer-Encoding: chunked, gzip\r\n", b"0\r\n\r\n", 400),
    "te-gzip-then-chunked": ("Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n", 501),
    "te-chunked-twice": ("Transfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n", 400),
    "te-empty": ("Transfer-Encoding: \r\n", b"", 400),
    "chunk-size-not-hex": ("Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n", 400),
    "chunk-size-empty": ("Transfer-Encoding: chunked\r\n", b"\r\n{}\r\n0\r\n\r\n", 400),
    "chunk-size-negative": ("Transfer-Encoding: chunked\r\n", b"-2\r\n{}\r\n0\r\n\r\n", 400),
    "chunk-size-huge": ("Transfer-Encoding: chunked\r\n", b"ffffffffffffffffffff\r\nab", 413),
    "chunk-size-over-limit": ("Transfer-Encoding: chunked\r\n", b"4000001\r\nab", 413),
    "chunk-no-crlf-after-data": ("Transfer-Encoding: chunked\r\n", b"2\r\n{}XX0\r\n\r\n", 400),
    "chunk-size-line-endless": ("Transfer-Encoding: chunked\r\n", b"1" * 100_000, 400),
    "chunk-truncated": ("Transfer-Encoding: chunked\r\n", b"10\r\n{}", 400),
    "length-truncated": ("Content-Length: 100\r\n", b'{"inputs": [', 400),
    "chunk-trailers-endless": (
        "Transfer-Encoding: chunked\r\n",
        b"2\r\n{}\r\n0\r\n" + b"X-T: 1\r\n" * 200 + b"\r\n",
        431,
    ),
}


@pytest.mark.parametrize("case", list(FRAMING))
def test_broken_framing_gets_a_reply(sandbox: Sandbox, case: str) -> None:
    extra, rest, status = FRAMING[case]
    reply = exchange(sandbox.port, _post(sandbox.token, extra, rest), half_close=True)
    assert reply.status == status
    assert_error_body(reply)
    assert reply.headers.get("connection", "").lower() == "close"
    still_answers(sandbox)


def test_valid_chunked_bodies_with_extensions_and_trailers(sandbox: Sandbox) -> None:
    body = create_body()
    rest = (
        f"{len(body[:10]):x};ext=1\r\n".encode() + body[:10] + b"\r\n"
        + f"{len(body[10:]):X}\r\n".encode() + body[10:] + b"\r\n"
        + b"0\r\nX-Trailer: yes\r\n\r\n"
    )  # fmt: skip
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall(_post(sandbox.token, "Transfer-Encoding: Chunked\r\n", rest))
        buffered = bytearray()
        assert read_reply(sock, buffered).status == 201
        sock.sendall(request("GET", LABELS, token=sandbox.token))  # the connection stays usable
        assert read_reply(sock, buffered).status == 200


# --- the request line and headers ----------------------------------------------------------------


LINES = {
    "http-0.9": (b"GET /\r\n\r\n", 400),
    "http-0.9-post": (b"POST /crm\r\n\r\n", 400),
    "garbage": (b"\x00\x01\x02 garbage\r\n\r\n", 400),
    "four-words": (b"GET /a b HTTP/1.1\r\n\r\n", 400),
    "bad-version": (b"GET / HTTP/x.y\r\n\r\n", 400),
    "http-2": (b"GET / HTTP/2.0\r\n\r\n", 505),
    "request-line-too-long": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    "header-too-long": (b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    "too-many-headers": (b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 200 + b"\r\n", 431),
    "method-with-bad-chars": (b"G(T / HTTP/1.1\r\n\r\n", 400),
    "bad-ipv6-target": (b"GET http://[::1/crm/v4 HTTP/1.1\r\n\r\n", 401),
}


@pytest.mark.parametrize("case", list(LINES))
def test_malformed_request_lines_and_headers(sandbox: Sandbox, case: str) -> None:
    data, status = LINES[case]
    reply = exchange(sandbox.port, data, half_close=True)
    assert reply.status == status
    assert_error_body(reply)
    still_answers(sandbox)


def test_bad_absolute_target_with_a_token_is_a_400(sandbox: Sandbox) -> None:
    reply = exchange(sandbox.port, request("GET", "http://[::1/crm/v4", token=sandbox.token))
    assert reply.status == 400
    assert_error_body(reply)


@pytest.mark.parametrize(
    ("method", "target", "token", "status"),
    [
        ("FROB", LABELS, True, 405),
        ("FROB", "/nowhere", True, 404),
        ("FROB", LABELS, False, 401),
        ("PATCH", CREATE, True, 405),
        ("OPTIONS", "*", True, 404),
        ("GET", "/crm/v4/associations/deals/contacts/labelsé", True, 404),
        ("GET", "/crm/v4/objects/deals/%ff/associations/contacts", True, 200),
    ],
)
def test_any_method_and_target_gets_a_json_reply(
    sandbox: Sandbox, method: str, target: str, token: bool, status: int
) -> None:
    data = request(method, target, token=sandbox.token if token else None)
    reply = exchange(sandbox.port, data)
    assert reply.status == status
    if status >= 400:
        assert_error_body(reply)


def test_head_gets_headers_only(sandbox: Sandbox) -> None:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        buffered = bytearray()
        sock.sendall(request("HEAD", LABELS, token=sandbox.token))
        reply = read_reply(sock, buffered, head=True)
        assert reply.status == 405
        sock.sendall(request("GET", LABELS, token=sandbox.token))
        assert read_reply(sock, buffered).status == 200  # no stray body before this reply


# --- refused before the body: 401, 429, 413 ------------------------------------------------------


def test_expect_100_continue(sandbox: Sandbox) -> None:
    body = create_body()
    headers = {"Expect": "100-continue", "Content-Type": "application/json"}
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall(
            request("POST", CREATE, body, token="pat-na1-wrong", headers=headers)[: -len(body)]
        )
        reply = read_reply(sock, bytearray())
        assert reply.status == 401  # no "100 Continue": the body is not wanted
        assert_error_body(reply)
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall(
            request("POST", CREATE, body, token=sandbox.token, headers=headers)[: -len(body)]
        )
        buffered = bytearray()
        assert read_reply(sock, buffered).status == 100
        sock.sendall(body)
        assert read_reply(sock, buffered).status == 201


def test_refused_requests_keep_the_connection_for_small_bodies(sandbox: Sandbox) -> None:
    """A 401 with a small body reads it past (unstored), so the connection stays in step."""
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        buffered = bytearray()
        sock.sendall(request("POST", CREATE, create_body(), token="pat-na1-wrong"))
        assert read_reply(sock, buffered).status == 401
        sock.sendall(request("POST", CREATE, create_body(), token=sandbox.token))
        assert read_reply(sock, buffered).status == 201


def test_body_over_the_limit_is_a_413_the_client_sees(
    sandbox: Sandbox, spec_checker: SpecChecker
) -> None:
    headers = {"Authorization": f"Bearer {sandbox.token}", "Content-Type": "application/json"}
    big = b" " * (MAX_BODY + 1)
    r = requests.post(sandbox.url + CREATE, data=big, headers=headers, timeout=60)
    assert r.status_code == 413
    spec_checker.check("POST", CREATE, 413, r.json())

    def chunks() -> Iterator[bytes]:
        piece = b" " * (1 << 20)
        for _ in range(MAX_BODY // len(piece) + 1):
            yield piece

    r = requests.post(sandbox.url + CREATE, data=chunks(), headers=headers, timeout=60)
    assert r.status_code == 413
    unauthenticated = {**headers, "Authorization": "Bearer pat-na1-wrong"}
    r = requests.post(sandbox.url + CREATE, data=big, headers=unauthenticated, timeout=60)
    assert r.status_code == 401
    log = sandbox.request_log()
    assert log.status.tolist() == [413, 413, 401]
    assert log.inputs.tolist() == [0, 0, 0]


def test_413_counts_against_the_rate_window_and_429_comes_first(
    sandbox_factory: SandboxFactory,
) -> None:
    sb = sandbox_factory(seed="demo", rate_limit=(1, 30.0))
    huge = f"Content-Length: {MAX_BODY + 1}\r\n"
    assert exchange(sb.port, _post(sb.token, huge), half_close=True).status == 413
    assert exchange(sb.port, _post(sb.token, huge), half_close=True).status == 429
    assert exchange(sb.port, _post("pat-na1-wrong", huge), half_close=True).status == 401


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_refused_big_bodies_do_not_grow_the_sandbox() -> None:
    """50 MB without a token, and 70 MB with one, leave the sandbox's peak memory flat; an
    accepted 50 MB body costs about its own size."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubframe.sandbox", "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        url = info["url"] + CREATE
        body = b'{"inputs": [' + b'"1",' * 12_500_000 + b'"1"]}'  # 50 MB
        before = _vm_hwm_mb(proc.pid)
        wrong = {"Authorization": "Bearer pat-na1-wrong"}
        assert requests.post(url, data=body, headers=wrong, timeout=60).status_code == 401
        over = body + b" " * (MAX_BODY + 1 - len(body))
        right = {"Authorization": f"Bearer {info['token']}"}
        assert requests.post(url, data=over, headers=right, timeout=60).status_code == 413
        grown = _vm_hwm_mb(proc.pid) - before
        assert grown < 16, f"the sandbox grew by {grown:.0f} MB"
        # An accepted 50 MB body is read once and scanned in place; its 12.5 million values
        # are refused before json.loads would build them (several hundred MB).
        assert requests.post(url, data=body, headers=right, timeout=60).status_code == 400
        grown = _vm_hwm_mb(proc.pid) - before
        assert grown < 100, f"the sandbox grew by {grown:.0f} MB for a 48 MB body"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- a seeded fuzz of raw requests ---------------------------------------------------------------


def _fuzz_requests(token: str, rnd: random.Random) -> Iterator[bytes]:
    good = [
        request("POST", CREATE, create_body(), token=token),
        request("GET", LABELS, token=token),
        request(
            "PUT",
            f"/crm/v4/objects/deals/{DEAL}/associations/contacts/{CONTACT}",
            json.dumps([SPEC]).encode(),
            token=token,
        ),
        _post(token, "Transfer-Encoding: chunked\r\n", b"2\r\n{}\r\n0\r\n\r\n"),
    ]
    odd_bytes = [b"\x00", b"\xff", b"\r", b"\n", b" ", b":", b"%", b"\xc2\xb2", b"[", b"{", b"-"]
    while True:
        data = bytearray(rnd.choice(good))
        for _ in range(rnd.randrange(1, 4)):
            where = rnd.randrange(len(data))
            kind = rnd.randrange(4)
            if kind == 0:
                del data[where : where + rnd.randrange(1, 8)]
            elif kind == 1:
                data[where:where] = rnd.choice(odd_bytes) * rnd.randrange(1, 5)
            elif kind == 2:
                data[where] = rnd.randrange(256)
            else:
                data[where:where] = quote(chr(rnd.randrange(0x80, 0x3000))).encode()
        yield bytes(data)


def test_fuzzed_requests_always_get_a_reply(sandbox: Sandbox) -> None:
    rnd = random.Random(20261010)
    deadline = time.monotonic() + 6
    sent = 0
    for data in _fuzz_requests(sandbox.token, rnd):
        if sent >= 600 or time.monotonic() > deadline:
            break
        try:
            reply = exchange(sandbox.port, data, half_close=True, timeout=5)
        except NoReply as exc:
            raise AssertionError(f"no reply to {data!r}") from exc
        assert 100 <= reply.status < 500 or reply.status in (501, 505), (data, reply)
        sent += 1
    assert sent >= 100
    still_answers(sandbox)


# --- the JSON bounds scanner against a plain one -------------------------------------------------


def _reference_scan(body: bytes) -> tuple[int, int]:
    """The rule, one byte at a time: a quote after an even run of backslashes (0, 2, ...)
    opens or closes a string; brackets and commas outside strings count."""
    values, level, deepest, in_string, backslashes = 1, 0, 0, False, 0
    for char in body.decode("latin-1"):
        delimiter = char == '"' and backslashes % 2 == 0
        backslashes = backslashes + 1 if char == "\\" else 0
        if delimiter:
            in_string = not in_string
        elif not in_string and char in "[{":
            values, level = values + 1, level + 1
            deepest = max(deepest, level)
        elif not in_string and char in "]}":
            level -= 1
        elif not in_string and char == ",":
            values += 1
    return values, deepest


def _shape(value: Any, level: int = 0) -> tuple[int, int]:
    """(values, deepest nesting) of a parsed JSON value."""
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        return 1, level
    counted = [_shape(v, level + 1) for v in value]
    return 1 + sum(c for c, _ in counted), max([level + 1, *(d for _, d in counted)])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{},"\\ax\n'),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(alphabet='[]{}",\\b', max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_bounds_scanner_counts_what_json_holds(value: Any) -> None:
    """Depth exactly; values at least as many as there are (an empty [] or {} counts one)."""
    body = json.dumps(value).encode()
    values, deepest = jsonbounds.scan(body)
    expected_values, expected_depth = _shape(value)
    assert deepest == expected_depth
    assert expected_values <= values <= expected_values + body.count(b"[") + body.count(b"{")
    assert (values, deepest) == _reference_scan(body)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(['"', "\\", "[", "]", "{", "}", ",", "a", " "]), max_size=400))
def test_bounds_scanner_matches_a_plain_scanner(pieces: list[str]) -> None:
    body = "".join(pieces).encode()
    assert jsonbounds.scan(body) == _reference_scan(body)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(['"', "[", "]", "{", "}", ",", "a", " "]), max_size=400),
    st.sampled_from([0, 0, 0, 1]),
)
def test_bounds_scanner_without_backslashes_matches_a_plain_scanner(
    pieces: list[str], repeat: int
) -> None:
    """Bodies without backslashes take the split-at-quotes path; over a chunk too."""
    body = "".join(pieces).encode()
    if repeat:
        body = body * (jsonbounds._CHUNK // max(1, len(body)) + repeat)
    plain = jsonbounds._scan_plain(body)
    assert (plain is None) == (body.count(b'"') > jsonbounds._PLAIN_QUOTES)
    assert jsonbounds.scan(body) == _reference_scan(body)


def test_a_long_body_is_scanned_in_chunks_with_bounded_work_arrays() -> None:
    """A 64 MiB ``[0,0,...`` split at its quotes would make work arrays of ~6 bytes a byte; over
    2 MiB the chunked scan (a few MB whatever the size) takes it, with the same counts."""
    body = b"[" + b"10," * (jsonbounds._PLAIN_BYTES // 3 + 1) + b"0]"  # under MAX_VALUES
    assert jsonbounds._scan_plain(body) is None
    assert jsonbounds._scan_plain(body[: jsonbounds._PLAIN_BYTES - 2] + b"0]") is not None
    assert jsonbounds.scan(body) == _reference_scan(body)
    big = b"[" + b"0," * 8_000_000 + b"0]"  # 16 MB (the split path: ~100 MB of work arrays)
    tracemalloc.start()
    try:
        jsonbounds.scan(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


def test_a_body_of_many_strings_is_scanned_in_chunks() -> None:
    body = b"[" + b'"a",' * (jsonbounds._PLAIN_QUOTES // 2 + 1) + b"[]]"
    assert jsonbounds._scan_plain(body) is None
    assert jsonbounds.scan(body) == _reference_scan(body)


def test_bounds_scanner_carries_state_across_chunks() -> None:
    chunk = jsonbounds._CHUNK
    for cut in (chunk - 2, chunk - 1, chunk, chunk + 1):
        body = b"[" + b" " * (cut - 3) + b'"\\\\\\"[' + b"]" * 3 + b'"' + b",[]" * 3 + b"]"
        assert jsonbounds.scan(body) == _reference_scan(body)
        body = b"[" * 3 + b'"' + b"x" * cut + b'[",' + b"[" * 2
        assert jsonbounds.scan(body) == _reference_scan(body)


# --- stalled requests ----------------------------------------------------------------------------


@pytest.fixture
def impatient() -> Iterator[SandboxHTTPServer]:
    """A bare sandbox server whose connections may stay silent for half a second."""
    app = App(Portal(portal_id=1), {"pat-na1-impatient": None}, RateLimiter())
    server = SandboxHTTPServer(0, app)
    server.request_timeout = 0.5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.close_all()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize(
    "partial",
    [
        b"GET /crm/v4/associations/deals/contacts/labels HTTP/1.1\r\nHost: x\r\n",
        b"POST " + CREATE.encode() + b" HTTP/1.1\r\nAuthorization: Bearer pat-na1-impatient\r\n"
        b"Content-Length: 100\r\n\r\n{",
        b"POST " + CREATE.encode() + b" HTTP/1.1\r\nAuthorization: Bearer pat-na1-impatient\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n10\r\n{",
    ],
    ids=["headers", "body", "chunks"],
)
def test_a_stalled_request_gets_a_408(impatient: SandboxHTTPServer, partial: bytes) -> None:
    port = impatient.server_address[1]
    reply = exchange(port, partial, timeout=5)
    assert reply.status == 408
    assert_error_body(reply)
    assert [e.status for e in impatient.app.log] == [408]


def test_an_idle_connection_just_ends(impatient: SandboxHTTPServer) -> None:
    with socket.create_connection(("127.0.0.1", impatient.server_address[1]), timeout=5) as sock:
        assert sock.recv(100) == b""  # closed after the timeout, nothing sent
    assert impatient.app.log == []
