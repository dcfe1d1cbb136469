"""HubSpot-shaped JSON bodies the sandbox sends: errors, batch envelopes, timestamps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

JsonDict = dict[str, Any]

AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
SCOPES_MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes."
)
INVALID_ASSOCIATIONS = "One or more associations are invalid"


class ApiFailure(Exception):
    """A whole request fails: ``status`` with a HubSpot error ``body``."""

    def __init__(self, status: int, body: JsonDict) -> None:
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def now_iso() -> str:
    """ISO-8601 UTC with milliseconds, as HubSpot writes timestamps."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def correlation_id() -> str:
    return str(uuid.uuid4())


def error_body(
    message: str,
    category: str = "VALIDATION_ERROR",
    *,
    sub_category: str | None = None,
    context: dict[str, list[str]] | None = None,
    errors: list[JsonDict] | None = None,
    links: dict[str, str] | None = None,
) -> JsonDict:
    """A top-level ``Error`` body (any non-2xx except 429)."""
    body: JsonDict = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
    }
    if sub_category:
        body["subCategory"] = sub_category
    if context:
        body["context"] = context
    if errors:
        body["errors"] = errors
    if links:
        body["links"] = links
    return body


def failure(status: int, message: str, category: str = "VALIDATION_ERROR", **kw: Any) -> ApiFailure:
    return ApiFailure(status, error_body(message, category, **kw))


def item_error(
    message: str,
    context: dict[str, list[str]],
    *,
    category: str = "VALIDATION_ERROR",
    sub_category: str | None = None,
) -> JsonDict:
    """One ``StandardError`` inside ``errors[]`` of a batch response."""
    err: JsonDict = {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }
    if sub_category:
        err["subCategory"] = sub_category
    return err


def batch_envelope(results: list[Any], errors: list[JsonDict], started: str) -> JsonDict:
    """The batch response envelope; ``errors``/``numErrors`` only when there are errors."""
    body: JsonDict = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": now_iso(),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    return body


def rate_limit_body(policy: str) -> JsonDict:
    """HubSpot's 429 body (``errorType``, no ``category``; docs/sandbox.md, "HTTP")."""
    what = "daily" if policy == "DAILY" else policy.lower()
    return {
        "status": "error",
        "message": f"You have reached your {what} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "requestId": correlation_id(),
    }


def spec_text(category: str, type_id: int) -> str:
    """``USER_DEFINED=1001``: how HubSpot names an association type in error context."""
    return f"{category}={type_id}"
