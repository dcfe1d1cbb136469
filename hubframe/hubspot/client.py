"""HubSpotClient: retries, errors, and typed methods for the endpoints hubframe uses.

One pooled :class:`requests.Session`, one retry policy (429 except the DAILY policy, 5xx,
423 Locked (at least :data:`LOCKED_WAIT_S` apart), 477 Migration in Progress (while its
``Retry-After`` waits fit :data:`MIGRATION_PATIENCE_S`), connection errors and dropped
responses: capped, jittered exponential backoff that honours ``Retry-After``), one shared
:class:`~hubframe.hubspot.ratelimit.RateLimiter`, and typed methods for the association,
label, limit and record endpoints.  HubSpot errors become
:class:`~hubframe.errors.HubframeError` subclasses here; 2xx answers come back as
:class:`~hubframe.hubspot.wire.ApiResponse`.

Secrecy (:mod:`hubframe.hubspot.auth`): the token is written into each request by one auth
object as the request is prepared, what requests holds of a sent request is wiped, and every
text that leaves the client (messages, error bodies, 2xx bodies with item errors, log lines)
has the token's value replaced by ``<redacted>``.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import logging
import os
import random
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
import urllib3

from hubframe.argtypes import MAX_SECONDS, count, is_seconds
from hubframe.constants import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
    ENV_TOKEN,
    MAX_OBJECT_BATCH_READ,
)
from hubframe.errors import (
    ApiError,
    AuthError,
    BusyError,
    ConfigurationError,
    ErrorCode,
    HubframeError,
    InputError,
    NetworkError,
    RateLimitError,
    ServerError,
    UsageError,
    required_scopes,
)
from hubframe.hubspot import shapes
from hubframe.hubspot.auth import (
    BearerAuth,
    Secret,
    base_url_of,
    forget_auth,
    scrub,
)
from hubframe.hubspot.pages import PageWalk
from hubframe.hubspot.ratelimit import RateLimiter
from hubframe.hubspot.wire import (
    Adapter,
    ApiResponse,
    JsonBytes,
    Sending,
    answer_deadline_passed,
    await_answer,
    before_send,
    correlation_id,
    loads,
    open_connections,
)
from hubframe.redaction import (
    contains_secret,
    guard_loggers,
    redact,
    register_secret,
    replace_in_bytes,
    replace_value,
)
from hubframe.tokens import token_problem, token_text

logger = logging.getLogger("hubframe.hubspot.client")

JSON = dict[str, Any]
REDACTED = "<redacted>"
#: The key every HubSpot answer to a batch, a list or a label or limit read holds.
RESULTS = "results"
#: Connections kept per host: enough for everything one run may have in flight at once -- the
#: sender's 32, or the reads of the state before (up to 32) beside the labels lookup and the
#: connections opened ahead (31) -- so none is given back to a full pool (urllib3 would close
#: it and warn "Connection pool is full").
POOL_SIZE = 64
DEFAULT_TIMEOUT = (10.0, 120.0)  # (connect, read) seconds
DEFAULT_MAX_RETRIES = 6
#: Retries of a connection that could not be made, while HubSpot has never answered this client:
#: an unreachable HubSpot (wrong base URL, no network) is reported in about a second.
FIRST_CONTACT_RETRIES = 2
RETRY_AFTER_CAP_S = 120.0
#: HubSpot's 423 Locked: "Locks will last for 2 seconds, so if you receive a 423 error, you
#: should include a delay of at least 2 seconds between your API requests."
LOCKED = 423
LOCKED_WAIT_S = 2.0
#: HubSpot's 477 Migration in Progress: the account is being moved between data centres, and
#: ``Retry-After`` says how many seconds to wait ("typically up to 24 hours").  A request waits
#: for it within this many seconds in all (one wait longer than that is not made at all): past
#: it the request fails and the run stops (:class:`~hubframe.errors.BusyError`), instead of
#: every batch of a long run waiting out the retries of a migration one after another.
MIGRATING = 477
MIGRATION_PATIENCE_S = RETRY_AFTER_CAP_S
#: The largest answer read (HubSpot's largest, a batch read of 1,000 records with a full page of
#: associations each, is tens of MB), and the longest time it may take to arrive whole, from the
#: request's start: past either, the answer is dropped (a server streaming without end, or one
#: byte at a time).  The deadline holds for the status line and headers too (:class:`AnswerLate`).
MAX_ANSWER_BYTES = 512 << 20
ANSWER_DEADLINE_S = 600.0
_ANSWER_CHUNK = 64 << 10


class AnswerDropped(requests.RequestException):
    """An answer's body was too large or too slow to read (see :data:`MAX_ANSWER_BYTES`)."""


class AnswerLate(requests.Timeout):
    """An answer's status line and headers had not all come within the answer deadline (a
    server sending them a byte at a time, or ``100 Continue`` without end): no answer came,
    as when a read times out, and the request is retried as then."""


_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _timeout(given: object) -> float | tuple[float, float]:
    """``timeout=``: seconds (above 0), or (connect, read) seconds; checked here, as requests
    only checks it when the first request is sent."""
    parts = given if isinstance(given, tuple) and len(given) == 2 else (given,)
    if not all(is_seconds(part) for part in parts):
        raise ConfigurationError(
            f"timeout must be seconds above 0 and at most {MAX_SECONDS} (a day), or "
            f"(connect, read) such seconds, not {given!r}"
        )
    return given  # type: ignore[return-value]


class HubSpotClient:
    """A HubSpot CRM associations client (see module docstring)."""

    def __init__(
        self,
        token: str | Secret | None = None,
        base_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: tuple[int, float] | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        # The token and the URL leave this frame's locals before anything can raise: a
        # traceback of a configuration error must not show them.
        given = token if token is not None else os.environ.get(ENV_TOKEN)
        if isinstance(given, Secret):
            given = given.reveal()
        kind = None if given is None or isinstance(given, str) else type(given).__name__
        given = token_text(given) if kind is None and given else None
        unusable = token_problem(given) if given else None
        secret = Secret(given) if given and unusable is None else None
        url, bad_url = base_url_of(base_url)
        del token, given, base_url
        if kind is not None:  # bytes, a number...: said without the value
            raise UsageError(f"token= must be text (str) or a Secret, not {kind}")
        if unusable is not None:
            raise ConfigurationError(unusable)
        if secret is None:
            raise ConfigurationError(
                f"No HubSpot access token: pass token=... or set the {ENV_TOKEN} "
                "environment variable."
            )
        register_secret(secret.reveal())  # reports, logs and the refusals below redact it
        guard_loggers()  # urllib3's DEBUG lines quote each request's path, cells and all
        if bad_url is not None:
            raise ConfigurationError(bad_url)
        if contains_secret(url):  # pasted into the wrong box: every log line would show it
            raise ConfigurationError(
                f"base_url holds the access token ({redact(url)!r}): give HubSpot's address "
                f"in base_url (such as {DEFAULT_BASE_URL}) and the token in token= only"
            )
        if not isinstance(api_version, str) or api_version not in API_VERSIONS:
            raise ConfigurationError(
                f"Unknown api_version {api_version!r}; use one of {', '.join(API_VERSIONS)}."
            )
        max_retries = count("max_retries", max_retries, minimum=0) or 0
        timeout = _timeout(timeout)
        for name, seconds in (("backoff_base", backoff_base), ("backoff_cap", backoff_cap)):
            if not is_seconds(seconds, zero=True):
                raise ConfigurationError(
                    f"{name} must be a number of seconds from 0 to {MAX_SECONDS} (a day), "
                    f"not {seconds!r}"
                )
        self._token = secret
        self.base_url = url
        self.api_version = api_version
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.limiter = RateLimiter(rate_limit)
        self.max_answer_bytes = MAX_ANSWER_BYTES
        self.answer_deadline_s = ANSWER_DEADLINE_S
        self.locked_wait_s = LOCKED_WAIT_S
        self.migration_patience_s = MIGRATION_PATIENCE_S
        self._reached = False  # HubSpot has answered this client at least once
        self._session = self._make_session()

    def __repr__(self) -> str:
        base_url = getattr(self, "base_url", None)  # also while __init__ raises
        api_version = getattr(self, "api_version", None)
        shown = repr(base_url)  # the token pasted into it ("https://pat-na1-...") is not shown
        shown = self._redact(shown) if hasattr(self, "_token") else redact(shown)
        return f"HubSpotClient(base_url={shown}, api_version={api_version!r}, token=<redacted>)"

    def token_fingerprint(self, salt: bytes) -> str:
        """The token's salted SHA-256 (:meth:`~hubframe.hubspot.auth.Secret.fingerprint`)."""
        return self._token.fingerprint(salt)

    def close(self) -> None:
        self._session.close()

    def open_connections(self, count: int) -> threading.Thread:
        """Open up to ``count`` connections to HubSpot in the background, so that a burst of
        requests does not wait for its handshakes; returns the thread doing it.  A run calls
        this before its first (labels) request: the connections open while that answer is on
        its way.  One place in the pool is left to that request (a pool given back more
        connections than it holds discards one, with a warning).  When no thread can be
        started (``RuntimeError: can't start new thread``: no memory for its stack) none is
        opened ahead, and the thread returned has nothing to do: each request opens its own
        connection, as it would anyway."""
        wanted = min(count, POOL_SIZE // 2 - 1)
        adapter = self._session.get_adapter(self.base_url)
        connect_s = self.timeout[0] if isinstance(self.timeout, tuple) else self.timeout
        thread = threading.Thread(
            target=open_connections,
            args=(adapter, self.base_url, wanted, connect_s),
            name="hubframe-connect",
            daemon=True,
        )
        try:
            thread.start()
        except RuntimeError:  # no room for a thread: the requests open their connections
            return _NotStarted(name="hubframe-connect", daemon=True)
        return thread

    def __enter__(self) -> HubSpotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _make_session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no proxies or .netrc credentials picked up behind our back
        adapter = Adapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update({"Accept": "application/json", "User-Agent": "hubframe"})
        session.auth = BearerAuth(self._token)
        return session

    # --- transport ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        write: bool | None = None,
        answers: str | None = None,
    ) -> ApiResponse:
        """Send one request with the retry policy; return the 2xx answer or raise.

        ``write`` (default: any method but GET) says whether the request changes HubSpot; only
        a write's lost answer makes an error's ``may_have_applied`` true.  ``answers``: the key
        HubSpot's answer to this request always holds (``"results"``); a 2xx without it, like
        one whose body is not a JSON object, is not HubSpot's answer (:meth:`_unreadable`).
        Errors are raised outside any ``except`` block, so they chain to nothing of requests or
        urllib3; the helpers return them (and their frames end) before this one raises.
        """
        data = None if body is None else _encoded(body)
        headers = {"Content-Type": "application/json"} if data is not None else {}
        url = self.base_url + path
        tries = _Tries(method, path, method != "GET" if write is None else write)
        while True:
            tries.attempt += 1
            sending = self._slot(tries)  # it counts against the window from when it is written
            if isinstance(sending, HubframeError):  # the day's budget is used up: not sent
                raise sending
            before_send.hook = sending
            started = time.monotonic()
            resp: requests.Response | None = None
            failure: str | None = None
            retryable = False
            try:
                resp = self._send(method, url, data, params, headers)
            except _NETWORK_ERRORS as exc:
                failure, retryable = f"{type(exc).__name__}: {exc}", True
            except requests.RequestException as exc:
                failure = f"{type(exc).__name__}: {exc}"
            except BaseException:  # Ctrl-C, out of memory: no answer will come back to count
                self.limiter.unanswered()
                raise
            step: ApiResponse | HubframeError | tuple[float, str]
            if resp is None:
                step = self._no_answer(tries, sending, failure, retryable)
            else:
                step = self._answer(tries, resp, sending, started, answers)
            resp = None  # its raw body may echo the token: not a local of a traceback's frame
            if isinstance(step, ApiResponse):
                return step
            if isinstance(step, HubframeError):
                raise step
            self._pause(*step)

    def _slot(self, tries: _Tries) -> Sending | HubframeError:
        """A place in the rate window for the next attempt, or the error that ends the request
        when the day's budget is used up (:meth:`_not_retried`)."""
        try:
            return Sending(self.limiter)
        except HubframeError as exc:
            refused = exc
        return _unsure(
            self._not_retried(refused, tries.method, tries.path, tries.attempt, tries.unknown),
            tries.unsure,
        )

    def _no_answer(
        self, tries: _Tries, sending: Sending, failure: str | None, retryable: bool
    ) -> HubframeError | tuple[float, str]:
        """An attempt that got no answer: the error that ends the request, or the pause before
        the next attempt (and why)."""
        self.limiter.unanswered()
        if tries.writes and sending.written and tries.unsure is None:
            tries.unsure = f"attempt {tries.attempt} got no answer"
        error = NetworkError(
            self._redact(
                f"No answer from HubSpot for {tries.method} {tries.path} after {tries.attempt} "
                f"attempt(s) ({failure})."
            ),
            attempts=tries.attempt,
            may_have_applied=tries.unknown,
            unreachable=not sending.written,
        )
        if not retryable or tries.attempt > self._retries(error):
            return _unsure(error, tries.unsure)
        return self._delay(tries.attempt, None), f"{tries.method} {tries.path}: {error}"

    def _answer(
        self,
        tries: _Tries,
        resp: requests.Response,
        sending: Sending,
        started: float,
        answers: str | None,
    ) -> ApiResponse | HubframeError | tuple[float, str]:
        """An attempt HubSpot answered: the 2xx answer, the error that ends the request, or the
        pause before the next attempt (and why)."""
        self._reached = True
        self.limiter.observe(resp.headers, sending.slot)
        if logger.isEnabledFor(logging.DEBUG):  # a path quotes a sheet's cells
            logger.debug(
                "%s %s -> %s (attempt %d, %.3f s)",
                tries.method,
                self._redact(tries.path),
                resp.status_code,
                tries.attempt,
                time.monotonic() - started,
            )
        if 300 <= resp.status_code < 400:
            return self._redirected(resp, tries.method, tries.path, tries.attempt)
        unreadable = 200 <= resp.status_code < 300 and not _hubspot_answer(resp, answers)
        if 200 <= resp.status_code < 300 and not unreadable:
            return self._success(resp, tries.attempt, tries.unsure)
        if tries.writes and (resp.status_code >= 500 or unreadable) and tries.unsure is None:
            tries.unsure = f"attempt {tries.attempt} got HTTP {resp.status_code}" + (
                " with a body that is not HubSpot's answer" if unreadable else ""
            )
        made = self._unreadable if unreadable else self._api_error
        api_error = made(resp, tries.method, tries.path, tries.attempt, tries.unknown)
        if isinstance(api_error, RateLimitError) and not api_error.is_daily:
            self.limiter.throttled(resp.headers)
        if not self._retryable(api_error) or tries.attempt > self.max_retries:
            return _unsure(api_error, tries.unsure)
        delay = self._delay(tries.attempt, _retry_after(resp), api_error)
        if isinstance(api_error, BusyError) and api_error.migrating:
            tries.migration_waited += delay
            if tries.migration_waited > self.migration_patience_s:
                return _unsure(api_error, tries.unsure)  # a migration: the retry file is for later
        return delay, f"{tries.method} {tries.path}: {api_error.http_status}"

    def _not_retried(
        self, error: HubframeError, method: str, path: str, attempt: int, unknown: bool
    ) -> HubframeError:
        """``error``, raised before attempt ``attempt`` was sent (the day's budget is used up),
        as the outcome of the request: the attempts made before it count, and when one of
        them may have been applied (its answer lost, a 5xx) so may the request -- the rows are
        then settled by a read (or reported ``UNKNOWN_OUTCOME``), never as not sent."""
        if attempt == 1:
            return error
        error.attempts = attempt - 1
        if unknown:
            error.may_have_applied = True
            error.args = (
                self._redact(
                    f"{method} {path} got no answer that says what became of it after "
                    f"{attempt - 1} attempt(s) (it may have been applied), and could not be "
                    f"sent again: {str(error).rstrip('.').removesuffix('; not sent')}"
                ),
            )
        return error

    def _retries(self, error: NetworkError) -> int:
        """Retries allowed for a connection failure: few while HubSpot never answered."""
        if error.unreachable and not self._reached:
            return min(self.max_retries, FIRST_CONTACT_RETRIES)
        return self.max_retries

    def _send(
        self,
        method: str,
        url: str,
        data: bytes | None,
        params: Mapping[str, str] | None,
        headers: dict[str, str],
    ) -> requests.Response:
        started = time.monotonic()
        await_answer(started + self.answer_deadline_s)  # each read of the answer's socket
        try:
            resp = self._session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,  # HubSpot's API never redirects: see _redirected
            )
            self._read_body(resp, started)
        except BaseException as exc:
            scrub(exc)  # requests' frames and request objects held the header while sending
            if isinstance(exc, _NETWORK_ERRORS) and answer_deadline_passed():
                raise self._late() from None
            raise
        finally:
            before_send.hook = None  # fired already, unless nothing was written
            await_answer(None)
        forget_auth(resp)
        return resp

    def _late(self) -> AnswerLate:
        """The status line and headers had not all come by the answer deadline."""
        return AnswerLate(
            f"the answer did not come: its status line and headers had not all arrived "
            f"{self.answer_deadline_s:g} s after the request was sent (a server or proxy "
            "sending them a few bytes at a time, or '100 Continue' answers without end)"
        )

    def _read_body(self, resp: requests.Response, started: float) -> None:
        """Read ``resp``'s body into it, within :attr:`max_answer_bytes` and
        :attr:`answer_deadline_s` of the request's start; past either, AnswerDropped (a read
        of the socket waits no longer than the deadline: :func:`~hubframe.hubspot.wire.
        await_answer`)."""
        chunks: list[bytes] = []
        size = 0
        try:
            # read1: what one read of the socket brings (read(amt) waits for amt bytes, so a
            # body trickling a byte at a time would never reach the checks below)
            while chunk := resp.raw.read1(_ANSWER_CHUNK, decode_content=True):
                size += len(chunk)
                late = time.monotonic() - started > self.answer_deadline_s
                if size > self.max_answer_bytes or late:
                    why = (
                        f"its body passed {self.max_answer_bytes:,} bytes"
                        if size > self.max_answer_bytes
                        else self._body_late()
                    )
                    raise AnswerDropped(f"the answer was dropped: {why}")
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:  # as requests' own body read wraps them
            resp.close()
            if answer_deadline_passed():  # a read that waited until the deadline
                raise AnswerDropped(f"the answer was dropped: {self._body_late()}") from None
            raise _requests_error(exc) from None
        except BaseException:
            resp.close()
            raise
        resp._content = b"".join(chunks)  # what requests keeps of a body read whole

    def _body_late(self) -> str:
        return f"its body took more than {self.answer_deadline_s:g} s to arrive"

    def _delay(
        self, attempt: int, retry_after: float | None, error: HubframeError | None = None
    ) -> float:
        """Seconds to wait before attempt ``attempt + 1``: the capped, jittered backoff, or
        longer when HubSpot asks -- ``Retry-After`` (at most :data:`RETRY_AFTER_CAP_S`; a
        477's whole, which the caller holds to :attr:`migration_patience_s`), and at least
        :attr:`locked_wait_s` after a 423."""
        cap = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        delay = cap / 2 + random.uniform(0, cap / 2)
        migrating = isinstance(error, BusyError) and error.migrating
        if retry_after is not None:
            delay = max(delay, retry_after if migrating else min(retry_after, RETRY_AFTER_CAP_S))
        if isinstance(error, BusyError) and not migrating:
            delay = max(delay, self.locked_wait_s)
        return delay

    def _pause(self, delay: float, why: str) -> None:
        logger.info("retrying after %.2f s (%s)", delay, self._redact(why))
        time.sleep(delay)

    @staticmethod
    def _retryable(error: HubframeError) -> bool:
        if isinstance(error, RateLimitError):
            return not error.is_daily
        return isinstance(error, (ServerError, BusyError))

    def _success(self, resp: requests.Response, attempt: int, unsure: str | None) -> ApiResponse:
        # Item errors may echo the token: redacted by value before anything reads the body.
        content = self._redacted_body(resp.content or b"")
        return ApiResponse(
            status=resp.status_code,
            content=content,
            headers={k: self._redact(v) for k, v in resp.headers.items()},
            correlation_id=correlation_id(resp, None),
            attempts=attempt,
            earlier_may_have_applied=unsure is not None,
            unsure_attempt=unsure,
        )

    def _redirected(
        self, resp: requests.Response, method: str, path: str, attempt: int
    ) -> ApiError:
        """A redirect: HubSpot's API answers where it is asked, so something else answered
        (a proxy, a moved or mistyped base URL).  Not followed -- a POST would land elsewhere,
        turned into a GET, its answer read as this request's -- and not retried; nothing was
        applied by whoever redirected."""
        target = urlsplit(resp.headers.get("Location") or "")
        where = f"{target.scheme}://{target.hostname}" if target.hostname else "another path"
        return ApiError(
            self._redact(
                f"The answer to {method} {path} was a redirect (HTTP {resp.status_code}) to "
                f"{where}: HubSpot's API does not redirect, so something else answered (a "
                "proxy, a moved or mistyped base URL). hubframe does not follow it; check the "
                "base URL."
            ),
            code=ErrorCode.REQUEST_REFUSED,
            http_status=resp.status_code,
            correlation_id=correlation_id(resp, None),
            attempts=attempt,
        )

    def _unreadable(
        self, resp: requests.Response, method: str, path: str, attempt: int, unknown: bool
    ) -> ServerError:
        """A 2xx whose body is not HubSpot's JSON (a proxy's or a captive portal's page): what
        became of the request is not known, so it is never read as an answer (an empty one
        would say every row succeeded, or that a record has no associations)."""
        kind = resp.headers.get("Content-Type") or "no content type"
        return ServerError(
            self._redact(
                f"The answer to {method} {path} was HTTP {resp.status_code} with a body that is "
                f"not HubSpot's JSON answer ({kind}): something between hubframe and HubSpot (a "
                "proxy, a firewall's login page) or another server may have answered instead."
            ),
            code=ErrorCode.SERVER_ERROR,
            http_status=resp.status_code,
            correlation_id=correlation_id(resp, None),
            attempts=attempt,
            may_have_applied=unknown,
        )

    def _api_error(
        self, resp: requests.Response, method: str, path: str, attempt: int, unknown: bool
    ) -> ApiError:
        try:
            parsed = self._redact_json(loads(resp.content or b""))
        except RecursionError:  # parsed, but too deep to walk: none of it is kept
            parsed = None
        body: JSON = parsed if isinstance(parsed, dict) else {}
        status = resp.status_code
        message = self._redact(str(body.get("message") or resp.reason or f"HTTP {status}"))
        common: dict[str, Any] = {
            "http_status": status,
            "category": _text(body.get("category")) or _text(body.get("errorType")),
            "correlation_id": correlation_id(resp, body),
            "body": body,
            "attempts": attempt,
            "may_have_applied": unknown,
        }
        error: ApiError
        if status == 401:
            error = AuthError(
                f"HubSpot did not accept the access token (401): {message}",
                code=ErrorCode.UNAUTHORIZED,
                **common,
            )
        elif status == 403:
            scopes = required_scopes(body)
            detail = f" Scopes needed: {', '.join(scopes)}." if scopes else ""
            error = AuthError(
                f"The access token lacks permission for {method} {path} (403): {message}{detail}",
                code=ErrorCode.MISSING_SCOPES,
                **common,
            )
        elif status == 429:
            error = RateLimitError(
                f"HubSpot rate limit (429): {message}",
                policy_name=_text(body.get("policyName")),
                **common,
            )
        elif status in (LOCKED, MIGRATING):
            error = self._busy(resp, method, path, message, common)
        elif status >= 500:
            error = ServerError(
                f"HubSpot server error {status} for {method} {path}: {message}",
                code=ErrorCode.SERVER_ERROR,
                **common,
            )
        else:
            error = ApiError(message, code=ErrorCode.HUBSPOT_VALIDATION, **common)
        return error

    @staticmethod
    def _busy(
        resp: requests.Response, method: str, path: str, message: str, common: dict[str, Any]
    ) -> BusyError:
        """423 Locked or 477 Migration in Progress: refused before anything was done."""
        attempts = common["attempts"]
        tried = f"after {attempts} attempt{'' if attempts == 1 else 's'}"
        if resp.status_code == LOCKED:
            return BusyError(
                f"HubSpot answered 423 Locked to {method} {path} {tried} ({message}): it locks "
                "records for about 2 s while it takes in a large volume of data; nothing of "
                "the request was applied",
                code=ErrorCode.HUBSPOT_LOCKED,
                **common,
            )
        wait = _retry_after(resp)
        asked = f"; it asked to wait {wait:g} s" if wait is not None else ""
        return BusyError(
            f"HubSpot answered 477 Migration in Progress to {method} {path} {tried} "
            f"({message}): the account is being moved between data centres{asked}; nothing of "
            "the request was applied",
            code=ErrorCode.HUBSPOT_MIGRATING,
            retry_after_s=wait,
            **common,
        )

    def redact(self, text: str) -> str:
        """``text`` with the access token's value replaced by ``<redacted>``."""
        return self._redact(text)

    def _redact(self, text: str) -> str:
        return redact(replace_value(text, self._token.reveal(), REDACTED))

    def _redacted_body(self, content: bytes) -> bytes:
        """A success answer's bytes with the token redacted: its bytes as they are, and where
        JSON escapes may spell it (``\\u0070at-...``, escaped dashes) the decoded body too --
        else reading the answer decodes the clear token into every frame and object that holds
        the parsed body (a crash reporter's captured locals, an error quoting an item error).
        Bodies without ``\\u`` (nearly all) pay one substring search."""
        token = self._token.reveal()
        content = replace_in_bytes(content, token, REDACTED)
        if not token or b"\\u" not in content:
            return content
        try:
            parsed = json.loads(content)
        except ValueError:
            return content  # not JSON: read as it is, and refused as such
        if token.casefold() not in json.dumps(parsed, ensure_ascii=False).casefold():
            return content
        return json.dumps(self._redact_json(parsed), ensure_ascii=False).encode()

    def _redact_json(self, value: Any) -> Any:
        """A parsed JSON value with the token's value redacted in every string."""
        if isinstance(value, str):
            return self._redact(value)
        if isinstance(value, list):
            return [self._redact_json(v) for v in value]
        if isinstance(value, dict):
            return {self._redact(str(k)): self._redact_json(v) for k, v in value.items()}
        return value

    # --- paths ----------------------------------------------------------------------------------

    def _records(self, from_type: str, to_type: str, tail: str) -> str:
        pair = f"{_seg(from_type)}/{_seg(to_type)}/{tail}"
        if self.api_version == "v4":
            return f"/crm/v4/associations/{pair}"
        return f"/crm/associations/{self.api_version}/{pair}"

    def _objects(self, tail: str) -> str:
        if self.api_version == "v4":
            return f"/crm/v4/objects/{tail}"
        return f"/crm/objects/{self.api_version}/{tail}"

    def _crm_objects(self, tail: str) -> str:
        """The CRM objects API (records and their properties): v3 under the v4 client."""
        if self.api_version == "v4":
            return f"/crm/v3/objects/{tail}"
        return f"/crm/objects/{self.api_version}/{tail}"

    def _schema(self, tail: str) -> str:
        if self.api_version == "v4":
            return f"/crm/associations/v4/{tail}"
        return f"/crm/associations/{self.api_version}/{tail}"

    # --- association writes -------------------------------------------------------------------

    def batch_create(self, from_type: str, to_type: str, inputs: Inputs) -> ApiResponse:
        """Labeled batch create: inputs ``{"from": {"id"}, "to": {"id"}, "types": [...]}``."""
        path = self._records(from_type, to_type, "batch/create")
        return self.request("POST", path, body=_inputs(inputs), answers=RESULTS)

    def batch_associate_default(self, from_type: str, to_type: str, inputs: Inputs) -> ApiResponse:
        """Default (unlabeled) batch associate: inputs ``{"from": {"id"}, "to": {"id"}}``."""
        path = self._records(from_type, to_type, "batch/associate/default")
        return self.request("POST", path, body=_inputs(inputs), answers=RESULTS)

    def associate_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> ApiResponse:
        """Single default PUT (creates the unlabeled association in both directions)."""
        tail = (
            f"{_seg(from_type)}/{_seg(from_id, _ID)}/associations/default/{_seg(to_type)}/"
            f"{_seg(to_id, _ID)}"
        )
        return self.request("PUT", self._objects(tail), answers=RESULTS)  # the batch envelope

    def associate_labeled(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        types: Sequence[Mapping[str, Any]],
    ) -> ApiResponse:
        """Single labeled PUT; the types sent replace the pair's labels."""
        tail = (
            f"{_seg(from_type)}/{_seg(from_id, _ID)}/associations/{_seg(to_type)}/"
            f"{_seg(to_id, _ID)}"
        )
        return self.request("PUT", self._objects(tail), body=list(types))

    def delete_associations(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> ApiResponse:
        """Single DELETE: removes every association type between two records."""
        tail = (
            f"{_seg(from_type)}/{_seg(from_id, _ID)}/associations/{_seg(to_type)}/"
            f"{_seg(to_id, _ID)}"
        )
        return self.request("DELETE", self._objects(tail))

    def batch_archive(self, from_type: str, to_type: str, inputs: Inputs) -> ApiResponse:
        """Batch archive: inputs ``{"from": {"id"}, "to": [{"id"}, ...]}``."""
        path = self._records(from_type, to_type, "batch/archive")
        return self.request("POST", path, body=_inputs(inputs))

    def batch_archive_labels(self, from_type: str, to_type: str, inputs: Inputs) -> ApiResponse:
        """Batch labels archive: the body of batch create; removes only the listed types."""
        path = self._records(from_type, to_type, "batch/labels/archive")
        return self.request("POST", path, body=_inputs(inputs))

    # --- association reads --------------------------------------------------------------------

    def batch_read(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """One page of batch read: inputs ``{"id": ..., "after": cursor?}`` (max 1,000)."""
        path = self._records(from_type, to_type, "batch/read")
        return self.request(
            "POST", path, body={"inputs": list(inputs)}, write=False, answers=RESULTS
        )

    def read_associations(
        self, from_type: str, to_type: str, ids: Iterable[str]
    ) -> dict[str, list[JSON]]:
        """Every association of the given records: from id -> list of ``to`` entries.

        Chunks to the batch read maximum and follows ``paging.next.after`` per record.
        Records that HubSpot reports as invalid (errors[]) map to an empty list; one its
        answers name nowhere is asked again, and fails the read if it never is
        (:class:`~hubframe.hubspot.pages.PageWalk`).
        """
        walk = PageWalk(ids, f"{from_type} to {to_type}")
        found: dict[str, list[JSON]] = {item["id"]: [] for item in walk.todo}
        while walk.todo:
            chunk = walk.take()
            resp = self.batch_read(from_type, to_type, chunk)
            for from_id, entries in walk.settle(resp.json(), chunk).found:
                found[from_id].extend(entries)
        return found

    # --- records ------------------------------------------------------------------------------

    def batch_read_records(
        self,
        object_type: str,
        ids: Sequence[str],
        *,
        id_property: str | None = None,
        properties: Sequence[str] = (),
    ) -> ApiResponse:
        """One objects batch read (max 100): records by id, or by a unique ``id_property``."""
        body: JSON = {
            "inputs": [{"id": str(i)} for i in ids],
            "properties": list(properties),
            "propertiesWithHistory": [],
        }
        if id_property is not None:
            body["idProperty"] = id_property
        path = self._crm_objects(f"{_seg(object_type)}/batch/read")
        return self.request("POST", path, body=body, write=False, answers=RESULTS)

    def record_ids(
        self,
        object_type: str,
        *,
        maximum: int | None = None,
        cancel: threading.Event | None = None,
    ) -> list[str]:
        """Ids of the records of a type, in HubSpot's order (at most ``maximum``).

        Pages through the objects list endpoint, 100 records a call; a cursor given twice
        fails the read (it would never end).  Once ``cancel`` is set no further page is asked
        for: the ids listed so far are returned (the caller, which set it, knows they are not
        all).
        """
        ids: list[str] = []
        after: str | None = None
        seen: set[str] = set()
        path = self._crm_objects(_seg(object_type))
        while (maximum is None or len(ids) < maximum) and not (cancel and cancel.is_set()):
            params = {"limit": str(MAX_OBJECT_BATCH_READ), "archived": "false"}
            if after:
                params["after"] = after
            body = self.request("GET", path, params=params, answers=RESULTS).json()
            found = shapes.records(body.get("results"), f"the {object_type} records")
            ids += [str(r["id"]) for r in found]
            after = shapes.dig(body, "paging", "next", "after")
            if not after:
                break
            if str(after) in seen:
                raise ServerError(
                    f"HubSpot's list of {object_type} records gave the same page cursor twice: "
                    "reading on would never end, so the read stops here.",
                    code=ErrorCode.SERVER_ERROR,
                )
            seen.add(str(after))
        return ids if maximum is None else ids[:maximum]

    # --- labels -------------------------------------------------------------------------------

    def list_labels(self, from_type: str, to_type: str) -> list[JSON]:
        """Every association type from ``from_type`` to ``to_type`` (label None = unlabeled)."""
        path = self._schema(f"{_seg(from_type)}/{_seg(to_type)}/labels")
        resp = self.request("GET", path, answers=RESULTS)
        return shapes.labels(
            resp.json().get("results"), f"the association types of {from_type} to {to_type}"
        )

    def create_label(
        self,
        from_type: str,
        to_type: str,
        name: str,
        label: str,
        inverse_label: str | None = None,
    ) -> list[JSON]:
        """Create a user-defined label (paired when ``inverse_label`` is given)."""
        body: JSON = {"name": name, "label": label}
        if inverse_label is not None:
            body["inverseLabel"] = inverse_label
        path = self._schema(f"{_seg(from_type)}/{_seg(to_type)}/labels")
        resp = self.request("POST", path, body=body, answers=RESULTS)
        try:
            return shapes.labels(
                resp.json().get("results"), f"the label created for {from_type} to {to_type}"
            )
        except ServerError as unread:  # a 2xx not read: the label may be created (as json())
            unread.may_have_applied, unread.http_status = True, resp.status
            raise

    def update_label(
        self,
        from_type: str,
        to_type: str,
        type_id: int,
        label: str,
        inverse_label: str | None = None,
    ) -> None:
        """Rename a user-defined label (its id in the from -> to direction); the inverse label
        of a paired label too when ``inverse_label`` is given."""
        body: JSON = {"associationTypeId": int(type_id), "label": label}
        if inverse_label is not None:
            body["inverseLabel"] = inverse_label
        self.request("PUT", self._schema(f"{_seg(from_type)}/{_seg(to_type)}/labels"), body=body)

    # --- custom object schemas ----------------------------------------------------------------

    def custom_object_types(self) -> list[shapes.CustomObjectType]:
        """The portal's custom objects (``GET /crm-object-schemas/{v3|2026-03}/schemas``; the
        token needs ``crm.schemas.custom.read``), in HubSpot's order."""
        version = "v3" if self.api_version == "v4" else "2026-03"
        resp = self.request("GET", f"/crm-object-schemas/{version}/schemas", answers=RESULTS)
        return shapes.custom_objects(resp.json().get("results"), "the custom object schemas")

    # --- limit configurations -----------------------------------------------------------------

    def get_all_limits(self) -> list[JSON]:
        resp = self.request("GET", self._schema("definitions/configurations/all"), answers=RESULTS)
        return shapes.limits(resp.json().get("results"), "the association limits")

    def get_limits(self, from_type: str, to_type: str) -> list[JSON]:
        tail = f"definitions/configurations/{_seg(from_type)}/{_seg(to_type)}"
        resp = self.request("GET", self._schema(tail), answers=RESULTS)
        return shapes.limits(
            resp.json().get("results"), f"the association limits of {from_type} to {to_type}"
        )

    def _limits_batch(self, from_type: str, to_type: str, verb: str, inputs: Inputs) -> ApiResponse:
        tail = f"definitions/configurations/{_seg(from_type)}/{_seg(to_type)}/batch/{verb}"
        answers = None if verb == "purge" else RESULTS  # a purge may answer 204, no body
        return self.request("POST", self._schema(tail), body=_inputs(inputs), answers=answers)

    def create_limits(self, from_type: str, to_type: str, inputs: Inputs) -> ApiResponse:
        """Inputs ``{"category", "typeId", "maxToObjectIds"}``."""
        return self._limits_batch(from_type, to_type, "create", inputs)

    def update_limits(self, from_type: str, to_type: str, inputs: Inputs) -> ApiResponse:
        """Inputs ``{"category", "typeId", "maxToObjectIds"}``."""
        return self._limits_batch(from_type, to_type, "update", inputs)

    def purge_limits(self, from_type: str, to_type: str, inputs: Inputs) -> ApiResponse:
        """Inputs ``{"category", "typeId"}``."""
        return self._limits_batch(from_type, to_type, "purge", inputs)


#: A batch's inputs: JSON-able mappings, or the ``inputs`` array already encoded.
Inputs = Sequence[Mapping[str, Any]] | JsonBytes


_Error = TypeVar("_Error", bound=HubframeError)


@dataclass
class _Tries:
    """One request's attempts so far: what the retry loop of :meth:`HubSpotClient.request`
    carries from one attempt to the next."""

    method: str
    path: str
    writes: bool
    attempt: int = 0
    #: the first attempt of a write that may have been applied, and what it got
    unsure: str | None = None
    #: seconds waited after 477 answers (a portal's migration)
    migration_waited: float = 0.0

    @property
    def unknown(self) -> bool:
        """Whether an attempt of this write may have been applied (its answer lost, a 5xx)."""
        return self.unsure is not None


class _NotStarted(threading.Thread):
    """The thread :meth:`HubSpotClient.open_connections` could not start: nothing to wait for."""

    def join(self, timeout: float | None = None) -> None:
        return None

    def is_alive(self) -> bool:
        return False


def _unsure(error: _Error, unsure: str | None) -> _Error:
    """``error``, raised as the outcome of a write, saying which earlier attempt of it may have
    been applied and what that attempt got (``"attempt 1 got HTTP 504"``; None: none may)."""
    error.unsure_attempt = unsure
    return error


def _inputs(inputs: Inputs) -> Any:
    if isinstance(inputs, JsonBytes):
        return JsonBytes(b"".join((b'{"inputs":', inputs, b"}")))  # one copy of the inputs
    return {"inputs": list(inputs)}


def _encoded(body: Any) -> bytes:
    if isinstance(body, JsonBytes):
        return body  # bytes already: sent without another copy
    return json.dumps(body, separators=(",", ":")).encode()


def _requests_error(exc: urllib3.exceptions.HTTPError) -> requests.RequestException:
    """urllib3's error while a body is read, as requests raises it from ``Response.content``
    (a connection cut mid-body is a ChunkedEncodingError: a network error, retried)."""
    errors = urllib3.exceptions
    if isinstance(exc, errors.ReadTimeoutError):
        return requests.ConnectionError(exc)
    if isinstance(exc, errors.DecodeError):
        return requests.exceptions.ContentDecodingError(exc)
    if isinstance(exc, errors.SSLError):
        return requests.exceptions.SSLError(exc)
    return requests.exceptions.ChunkedEncodingError(exc)  # ProtocolError and the rest


_ID = "record id"
#: Path segments that a server reads as a place in the path, not as a name: ``..`` went out
#: as it was (``GET /crm/associations/2026-03/../contacts/labels``), asking another endpoint.
_NOT_NAMES = frozenset({"", ".", ".."})


def _seg(value: str, what: str = "object type") -> str:
    """``value`` as one segment of a request's path, every character but letters, digits and
    ``-._~`` percent-encoded; an empty one, ``.`` or ``..`` (which no encoding keeps a name)
    is refused before anything is sent."""
    text = str(value)
    if text in _NOT_NAMES:
        said = "is empty" if not text else f"{text!r} names a place in a request's path"
        raise InputError(
            f"The {what} {said}, not one HubSpot knows: give the {what} by its name or id "
            "(such as 'contacts' or '0-1'); nothing was sent.",
            code=ErrorCode.BAD_ID if what.endswith("id") else ErrorCode.BAD_OBJECT_TYPE,
        )
    return quote(text, safe="")


def _hubspot_answer(resp: requests.Response, answers: str | None) -> bool:
    """True when a 2xx reads as HubSpot's answer: a JSON object (or empty), holding the key
    ``answers`` names when it names one."""
    content = resp.content or b""
    if answers is not None and f'"{answers}"'.encode() not in content:
        return False
    return _json_object(content)


def _json_object(content: bytes | None) -> bool:
    """True for an empty body (a 204's) or one that reads as a JSON object, as every HubSpot
    answer with a body is; checked by its first and last characters (a page of HTML or text is
    not), the parse is left to the reader."""
    content = content or b""
    head, tail = content[:64].lstrip(), content[-64:].rstrip()  # no copy of a large body
    if not head or not tail:  # much white space: the slow way
        text = content.strip()
        return not text or (text[:1] == b"{" and text[-1:] == b"}")
    return head[:1] == b"{" and tail[-1:] == b"}"


def _retry_after(resp: requests.Response) -> float | None:
    """The seconds ``Retry-After`` asks to wait: a number of seconds (as HubSpot sends it), or
    an HTTP date (as HTTP allows); None without one or when it reads as neither."""
    value = (resp.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # a field out of range too
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def _text(value: object) -> str | None:
    """A field of an error body that should be text, when it is (a proxy or another server may
    answer a number, a list or an object there: not taken, rather than fail the run on it)."""
    return value if isinstance(value, str) else None


def require_client(client: object) -> HubSpotClient:
    """``client`` when it is a :class:`HubSpotClient`, at the start of a job: a day its rate
    limiter believes used up is asked of HubSpot again (:meth:`RateLimiter.ask_again`: a client
    kept from run to run, as a notebook or the app keeps it, refused every request of a run
    after midnight without sending one).  Else a UsageError saying what it is, never its value
    (a token passed in its place stays out of the message)."""
    if isinstance(client, HubSpotClient):
        client.limiter.ask_again()
        return client
    raise UsageError(
        f"client must be a hubframe.HubSpotClient, such as hf.HubSpotClient(token=...), not "
        f"{type(client).__name__}"
    )
