"""The behaviour switches that reshape a reply after its endpoint ran.

``created_status="200"`` answers 200 where the endpoint answered 201; ``all_failed="canceled"``
marks a batch whose every input failed ``"CANCELED"``; ``error_details="bare"`` drops the
optional keys of error bodies (``subCategory``, ``context``, ``errors``, ``links``) and of
batch item errors (``subCategory``, ``errors``, ``links``).  See docs/sandbox.md.
"""

from __future__ import annotations

from hubframe.sandbox.behaviour import AllFailed, Behaviour, CreatedStatus, ErrorDetails
from hubframe.sandbox.bodies import JsonDict
from hubframe.sandbox.routes.common import Reply

#: Optional keys of HubSpot's top-level ``Error`` (required: category, correlationId, message).
ERROR_OPTIONAL = ("subCategory", "context", "errors", "links")
#: Keys of a batch item error (``StandardError``) that real responses leave out.
ITEM_OPTIONAL = ("subCategory", "errors", "links")


def shape(reply: Reply, behaviour: Behaviour) -> Reply:
    """The reply as this behaviour sends it."""
    status, body = reply.status, reply.body
    if status == 201 and behaviour.created_status is CreatedStatus.OK:
        status = 200
    if isinstance(body, dict):
        if behaviour.all_failed is AllFailed.CANCELED and _all_failed(body):
            body = {**body, "status": "CANCELED"}
        if behaviour.error_details is ErrorDetails.BARE:
            body = _bare(body, status)
    if status == reply.status and body is reply.body:
        return reply
    return Reply(status, body)


def _all_failed(body: JsonDict) -> bool:
    """A batch envelope with errors and no results."""
    return body.get("status") == "COMPLETE" and bool(body.get("errors")) and not body["results"]


def _bare(body: JsonDict, status: int) -> JsonDict:
    if status >= 400 and "category" in body:
        return _without(body, ERROR_OPTIONAL)
    errors = body.get("errors")
    if status < 300 and isinstance(errors, list) and "results" in body:
        return {**body, "errors": [_without(e, ITEM_OPTIONAL) for e in errors]}
    return body


def _without(obj: JsonDict, keys: tuple[str, ...]) -> JsonDict:
    return {k: v for k, v in obj.items() if k not in keys}
