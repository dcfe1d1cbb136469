"""HubSpotClient: the only module of hubframe that speaks HTTP.

One pooled :class:`requests.Session`, one retry policy (429 except the DAILY policy, 5xx,
connection errors and dropped responses: capped, jittered exponential backoff that honours
``Retry-After``), one shared :class:`~hubframe.ratelimit.RateLimiter`, and typed methods for the
association, label and limit endpoints hubframe uses.  HubSpot errors become
:class:`~hubframe.errors.HubframeError` subclasses here; 2xx answers come back as
:class:`ApiResponse` (parsed body, status, headers, correlation id, attempt count).

The access token lives in one private attribute; it appears in no repr, log line or exception.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from http.client import HTTPConnection as _StdConnection
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hubframe.constants import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
    ENV_BASE_URL,
    ENV_TOKEN,
    MAX_BATCH_READ,
    MAX_OBJECT_BATCH_READ,
)
from hubframe.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    ErrorCode,
    HubframeError,
    NetworkError,
    RateLimitError,
    ServerError,
)
from hubframe.ratelimit import RateLimiter

logger = logging.getLogger("hubframe.client")

JSON = dict[str, Any]
#: Connections kept per host: enough for the largest worker pool hubframe starts.
POOL_SIZE = 32
DEFAULT_TIMEOUT = (10.0, 120.0)  # (connect, read) seconds
DEFAULT_MAX_RETRIES = 6
RETRY_AFTER_CAP_S = 120.0
_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True)
class ApiResponse:
    """A 2xx answer: status, raw content (parsed on first use), headers and bookkeeping."""

    status: int
    content: bytes = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    correlation_id: str | None
    attempts: int

    @cached_property
    def body(self) -> Any:
        """The parsed JSON body (None when empty or not JSON)."""
        if not self.content:
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def may_have_errors(self) -> bool:
        """False when the body certainly holds no ``errors`` (a fast check before parsing)."""
        return b'"errors"' in self.content

    def json(self) -> JSON:
        """The body as a JSON object ({} for an empty body)."""
        return self.body if isinstance(self.body, dict) else {}


# --- knowing when a request leaves ---------------------------------------------------------------

#: Per thread: what to call right before the next request's first byte is written.
_before_send = threading.local()


def _fire_before_send(conn: _StdConnection) -> None:
    hook: Callable[[], None] | None = getattr(_before_send, "hook", None)
    if hook is None:
        return
    _before_send.hook = None
    if conn.sock is None and conn.auto_open:
        conn.connect()  # a new connection (and its TLS handshake) comes before the request
    hook()


class _HTTPConnection(HTTPConnection):
    def send(self, data: Any) -> None:
        _fire_before_send(self)
        super().send(data)


class _HTTPSConnection(HTTPSConnection):
    def send(self, data: Any) -> None:
        _fire_before_send(self)
        super().send(data)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Adapter(HTTPAdapter):
    """requests' adapter, with connections that tell the rate limiter when a request leaves."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class _Secret:
    """Holds the token; shows up as <redacted> in reprs, vars() and tracebacks."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<redacted>"


class HubSpotClient:
    """A HubSpot CRM associations client (see module docstring)."""

    def __init__(
        self,
        token: str | None = None,
        base_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: tuple[int, float] | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        token = token if token is not None else os.environ.get(ENV_TOKEN)
        if not token or not token.strip():
            raise ConfigurationError(
                f"No HubSpot access token: pass token=... or set the {ENV_TOKEN} "
                "environment variable."
            )
        if api_version not in API_VERSIONS:
            raise ConfigurationError(
                f"Unknown api_version {api_version!r}; use one of {', '.join(API_VERSIONS)}."
            )
        url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"base_url must start with http:// or https://: {url!r}")
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more.")
        self._token = _Secret(token.strip())
        self.base_url = url.rstrip("/")
        self.api_version = api_version
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.limiter = RateLimiter(rate_limit)
        self._session = self._make_session()

    def __repr__(self) -> str:
        return (
            f"HubSpotClient(base_url={self.base_url!r}, api_version={self.api_version!r}, "
            "token=<redacted>)"
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HubSpotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _make_session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no proxies or .netrc credentials picked up behind our back
        adapter = _Adapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update({"Accept": "application/json", "User-Agent": "hubframe"})
        return session

    # --- transport ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """Send one request with the retry policy; return the 2xx answer or raise."""
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"Authorization": f"Bearer {self._token.value}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        url = self.base_url + path
        attempt = 0
        while True:
            attempt += 1
            # The request counts against the window from when it is written, not from now.
            _before_send.hook = partial(self.limiter.sending, self.limiter.acquire())
            started = time.monotonic()
            try:
                resp = self._send(method, url, data, params, headers)
            except _NETWORK_ERRORS as exc:
                error = self._network_error(method, path, exc, attempt)
                if attempt > self.max_retries:
                    raise error from None
                self._pause(attempt, None, f"{method} {path}: {error}")
                continue
            except requests.RequestException as exc:
                raise self._network_error(method, path, exc, attempt) from None
            self.limiter.observe(resp.headers)
            logger.debug(
                "%s %s -> %s (attempt %d, %.3f s)",
                method,
                path,
                resp.status_code,
                attempt,
                time.monotonic() - started,
            )
            if 200 <= resp.status_code < 300:
                return self._success(resp, attempt)
            api_error = self._api_error(resp, method, path, attempt)
            if isinstance(api_error, RateLimitError) and not api_error.is_daily:
                self.limiter.throttled(resp.headers)
            if not self._retryable(api_error) or attempt > self.max_retries:
                raise api_error
            self._pause(attempt, _retry_after(resp), f"{method} {path}: {resp.status_code}")

    def _send(
        self,
        method: str,
        url: str,
        data: bytes | None,
        params: Mapping[str, str] | None,
        headers: dict[str, str],
    ) -> requests.Response:
        try:
            return self._session.request(
                method, url, data=data, params=params, headers=headers, timeout=self.timeout
            )
        finally:
            _before_send.hook = None  # fired already, unless nothing was written

    def _pause(self, attempt: int, retry_after: float | None, why: str) -> None:
        cap = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        delay = cap / 2 + random.uniform(0, cap / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, RETRY_AFTER_CAP_S))
        logger.info("retrying after %.2f s (%s)", delay, self._redact(why))
        time.sleep(delay)

    @staticmethod
    def _retryable(error: HubframeError) -> bool:
        if isinstance(error, RateLimitError):
            return not error.is_daily
        return isinstance(error, ServerError)

    def _success(self, resp: requests.Response, attempt: int) -> ApiResponse:
        return ApiResponse(
            status=resp.status_code,
            content=resp.content or b"",
            headers=dict(resp.headers),
            correlation_id=_correlation_id(resp, None),
            attempts=attempt,
        )

    def _network_error(self, method: str, path: str, exc: Exception, attempt: int) -> NetworkError:
        kind = type(exc).__name__
        error = NetworkError(
            self._redact(
                f"No answer from HubSpot for {method} {path} after {attempt} attempt(s) "
                f"({kind}: {exc})."
            )
        )
        error.attempts = attempt  # type: ignore[attr-defined]
        return error

    def _api_error(self, resp: requests.Response, method: str, path: str, attempt: int) -> ApiError:
        try:
            parsed = resp.json()
        except ValueError:
            parsed = None
        body: JSON = parsed if isinstance(parsed, dict) else {}
        status = resp.status_code
        message = self._redact(str(body.get("message") or resp.reason or f"HTTP {status}"))
        common: dict[str, Any] = {
            "http_status": status,
            "category": body.get("category") or body.get("errorType"),
            "correlation_id": _correlation_id(resp, body),
            "body": body,
        }
        error: ApiError
        if status == 401:
            error = AuthError(
                f"HubSpot did not accept the access token (401): {message}",
                code=ErrorCode.UNAUTHORIZED,
                **common,
            )
        elif status == 403:
            scopes = _required_scopes(body)
            detail = f" Scopes needed: {', '.join(scopes)}." if scopes else ""
            error = AuthError(
                f"The access token lacks permission for {method} {path} (403): {message}{detail}",
                code=ErrorCode.MISSING_SCOPES,
                **common,
            )
        elif status == 429:
            error = RateLimitError(
                f"HubSpot rate limit (429): {message}",
                policy_name=body.get("policyName"),
                **common,
            )
        elif status >= 500:
            error = ServerError(
                f"HubSpot server error {status} for {method} {path}: {message}",
                code=ErrorCode.SERVER_ERROR,
                **common,
            )
        else:
            error = ApiError(message, code=ErrorCode.HUBSPOT_VALIDATION, **common)
        error.attempts = attempt  # type: ignore[attr-defined]
        return error

    def _redact(self, text: str) -> str:
        token = self._token.value
        return text.replace(token, "<redacted>") if token else text

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

    def batch_create(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """Labeled batch create: inputs ``{"from": {"id"}, "to": {"id"}, "types": [...]}``."""
        path = self._records(from_type, to_type, "batch/create")
        return self.request("POST", path, body={"inputs": list(inputs)})

    def batch_associate_default(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """Default (unlabeled) batch associate: inputs ``{"from": {"id"}, "to": {"id"}}``."""
        path = self._records(from_type, to_type, "batch/associate/default")
        return self.request("POST", path, body={"inputs": list(inputs)})

    def associate_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> ApiResponse:
        """Single default PUT (creates the unlabeled association in both directions)."""
        tail = (
            f"{_seg(from_type)}/{_seg(from_id)}/associations/default/{_seg(to_type)}/{_seg(to_id)}"
        )
        return self.request("PUT", self._objects(tail))

    def associate_labeled(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        types: Sequence[Mapping[str, Any]],
    ) -> ApiResponse:
        """Single labeled PUT; the types sent replace the pair's labels."""
        tail = f"{_seg(from_type)}/{_seg(from_id)}/associations/{_seg(to_type)}/{_seg(to_id)}"
        return self.request("PUT", self._objects(tail), body=list(types))

    def delete_associations(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> ApiResponse:
        """Single DELETE: removes every association type between two records."""
        tail = f"{_seg(from_type)}/{_seg(from_id)}/associations/{_seg(to_type)}/{_seg(to_id)}"
        return self.request("DELETE", self._objects(tail))

    def batch_archive(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """Batch archive: inputs ``{"from": {"id"}, "to": [{"id"}, ...]}``."""
        path = self._records(from_type, to_type, "batch/archive")
        return self.request("POST", path, body={"inputs": list(inputs)})

    def batch_archive_labels(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """Batch labels archive: the body of batch create; removes only the listed types."""
        path = self._records(from_type, to_type, "batch/labels/archive")
        return self.request("POST", path, body={"inputs": list(inputs)})

    # --- association reads --------------------------------------------------------------------

    def batch_read(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """One page of batch read: inputs ``{"id": ..., "after": cursor?}`` (max 1,000)."""
        path = self._records(from_type, to_type, "batch/read")
        return self.request("POST", path, body={"inputs": list(inputs)})

    def read_associations(
        self, from_type: str, to_type: str, ids: Iterable[str]
    ) -> dict[str, list[JSON]]:
        """Every association of the given records: from id -> list of ``to`` entries.

        Chunks to the batch read maximum and follows ``paging.next.after`` per record.
        Records that HubSpot reports as invalid (errors[]) map to an empty list.
        """
        found: dict[str, list[JSON]] = {}
        pending = [{"id": str(i)} for i in dict.fromkeys(str(i) for i in ids)]
        for record in pending:
            found[record["id"]] = []
        while pending:
            chunk, pending = pending[:MAX_BATCH_READ], pending[MAX_BATCH_READ:]
            resp = self.batch_read(from_type, to_type, chunk)
            for result in resp.json().get("results") or []:
                from_id = str((result.get("from") or {}).get("id"))
                found.setdefault(from_id, []).extend(result.get("to") or [])
                after = ((result.get("paging") or {}).get("next") or {}).get("after")
                if after:
                    pending.append({"id": from_id, "after": str(after)})
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
        return self.request("POST", self._crm_objects(f"{_seg(object_type)}/batch/read"), body=body)

    def record_ids(self, object_type: str, *, maximum: int | None = None) -> list[str]:
        """Ids of the records of a type, in HubSpot's order (at most ``maximum``).

        Pages through the objects list endpoint, 100 records a call.
        """
        ids: list[str] = []
        after: str | None = None
        path = self._crm_objects(_seg(object_type))
        while maximum is None or len(ids) < maximum:
            params = {"limit": str(MAX_OBJECT_BATCH_READ), "archived": "false"}
            if after:
                params["after"] = after
            body = self.request("GET", path, params=params).json()
            ids += [str(r.get("id")) for r in body.get("results") or [] if isinstance(r, dict)]
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break
        return ids if maximum is None else ids[:maximum]

    # --- labels -------------------------------------------------------------------------------

    def list_labels(self, from_type: str, to_type: str) -> list[JSON]:
        """Every association type from ``from_type`` to ``to_type`` (label None = unlabeled)."""
        resp = self.request("GET", self._schema(f"{_seg(from_type)}/{_seg(to_type)}/labels"))
        return list(resp.json().get("results") or [])

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
        return list(self.request("POST", path, body=body).json().get("results") or [])

    # --- limit configurations -----------------------------------------------------------------

    def get_all_limits(self) -> list[JSON]:
        resp = self.request("GET", self._schema("definitions/configurations/all"))
        return list(resp.json().get("results") or [])

    def get_limits(self, from_type: str, to_type: str) -> list[JSON]:
        tail = f"definitions/configurations/{_seg(from_type)}/{_seg(to_type)}"
        return list(self.request("GET", self._schema(tail)).json().get("results") or [])

    def _limits_batch(
        self, from_type: str, to_type: str, verb: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        tail = f"definitions/configurations/{_seg(from_type)}/{_seg(to_type)}/batch/{verb}"
        return self.request("POST", self._schema(tail), body={"inputs": list(inputs)})

    def create_limits(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """Inputs ``{"category", "typeId", "maxToObjectIds"}``."""
        return self._limits_batch(from_type, to_type, "create", inputs)

    def update_limits(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """Inputs ``{"category", "typeId", "maxToObjectIds"}``."""
        return self._limits_batch(from_type, to_type, "update", inputs)

    def purge_limits(
        self, from_type: str, to_type: str, inputs: Sequence[Mapping[str, Any]]
    ) -> ApiResponse:
        """Inputs ``{"category", "typeId"}``."""
        return self._limits_batch(from_type, to_type, "purge", inputs)


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def _correlation_id(resp: requests.Response, body: Any) -> str | None:
    for name in ("X-HubSpot-Correlation-Id", "X-Request-Id"):
        if resp.headers.get(name):
            return str(resp.headers[name])
    if isinstance(body, dict) and body.get("correlationId"):
        return str(body["correlationId"])
    return None


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _required_scopes(body: JSON) -> list[str]:
    scopes: list[str] = []
    for detail in body.get("errors") or []:
        if isinstance(detail, dict):
            scopes.extend(str(s) for s in (detail.get("context") or {}).get("requiredScopes", []))
    return list(dict.fromkeys(scopes))
