"""The routing table: which path and method reach which endpoint, in which API version.

``match()`` turns a method and path into a :class:`Route` (or the 404 / 405 HubSpot sends);
``dispatch()`` runs its handler against the portal (the caller holds the lock) and returns a
:class:`~hubframe.sandbox.routes.common.Reply`; whole-request failures are raised as
:class:`~hubframe.sandbox.bodies.ApiFailure`.  ``respond()`` (what the server calls) turns those
into replies too, shaped by the portal's behaviour switches.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from hubframe.sandbox.bodies import ApiFailure, failure
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.routes import associations, labels, limits, records, schemas, single
from hubframe.sandbox.routes.common import V4, V2603, V2609, Handler, Reply
from hubframe.sandbox.routes.parsing import Call
from hubframe.sandbox.routes.profile import shape

DATE_VERSIONS = {"2026-03": V2603, "2026-09": V2609, "2025-09": V2603}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    pattern: tuple[str, ...]
    access: str  # "read" / "write"
    faults: bool  # association reads and writes are subject to injected faults
    schema_path: bool  # labels and limit configurations (also under /crm/associations/v4)


@dataclass(frozen=True)
class Route:
    endpoint: Endpoint
    version: str
    params: dict[str, str]
    query: dict[str, str]


# --- path matching -----------------------------------------------------------------------------


def _ep(name: str, method: str, path: str, access: str = "write") -> Endpoint:
    """Association record endpoints are subject to faults; labels and limits are schema paths."""
    schema = path.startswith("definitions/") or ("/labels" in path and "/batch/" not in path)
    return Endpoint(name, method, tuple(path.split("/")), access, not schema, schema)


#: CRM objects endpoints (records, :mod:`~hubframe.sandbox.routes.records`): no faults.
_RECORD_ENDPOINTS = (
    Endpoint("objects_batch_read", "POST", ("{objectType}", "batch", "read"), "read", False, False),
    Endpoint("objects_list", "GET", ("{objectType}",), "read", False, False),
)
#: The custom object schemas list (:mod:`~hubframe.sandbox.routes.schemas`): no faults.
_SCHEMA_ENDPOINTS = (Endpoint("schemas_list", "GET", ("schemas",), "read", False, False),)
#: The schemas API's versions: the v3 path, and the date-based ones.
_SCHEMA_VERSIONS = {"v3": V4, **DATE_VERSIONS}
_CONF = "definitions/configurations"
_ASSOC_ENDPOINTS = (
    _ep("limits_create", "POST", f"{_CONF}/{{from}}/{{to}}/batch/create"),
    _ep("limits_update", "POST", f"{_CONF}/{{from}}/{{to}}/batch/update"),
    _ep("limits_purge", "POST", f"{_CONF}/{{from}}/{{to}}/batch/purge"),
    _ep("limits_all", "GET", f"{_CONF}/all", "read"),
    _ep("limits_pair", "GET", f"{_CONF}/{{from}}/{{to}}", "read"),
    _ep("labels_list", "GET", "{from}/{to}/labels", "read"),
    _ep("labels_create", "POST", "{from}/{to}/labels"),
    _ep("labels_update", "PUT", "{from}/{to}/labels"),
    _ep("labels_delete", "DELETE", "{from}/{to}/labels/{typeId}"),
    _ep("batch_create", "POST", "{from}/{to}/batch/create"),
    _ep("batch_default", "POST", "{from}/{to}/batch/associate/default"),
    _ep("batch_read", "POST", "{from}/{to}/batch/read", "read"),
    _ep("batch_archive", "POST", "{from}/{to}/batch/archive"),
    _ep("batch_labels_archive", "POST", "{from}/{to}/batch/labels/archive"),
)
_OBJECT_ENDPOINTS = (
    _ep("put_default", "PUT", "{from}/{fromId}/associations/default/{to}/{toId}"),
    _ep("put_labeled", "PUT", "{from}/{fromId}/associations/{to}/{toId}"),
    _ep("delete", "DELETE", "{from}/{fromId}/associations/{to}/{toId}"),
    _ep("get_list", "GET", "{from}/{fromId}/associations/{to}", "read"),
    *_RECORD_ENDPOINTS,
)


def _split(segments: list[str]) -> tuple[str, str, list[str]] | None:
    """(family, version, rest); family "schema-v4" is the /crm/associations/v4 spelling,
    "schemas" the custom object schemas (/crm-object-schemas/{v3|<date>}, /crm/v3/schemas)."""
    if len(segments) >= 2 and segments[0] == "crm-object-schemas":
        version = _SCHEMA_VERSIONS.get(segments[1])
        return ("schemas", version, segments[2:]) if version is not None else None
    if segments[:3] == ["crm", "v3", "schemas"]:
        return "schemas", V4, segments[2:]
    if len(segments) < 3 or segments[0] != "crm":
        return None
    if segments[1] == "v4" and segments[2] in ("associations", "objects"):
        return segments[2], V4, segments[3:]
    if segments[1] in ("associations", "objects") and segments[2] in DATE_VERSIONS:
        return segments[1], DATE_VERSIONS[segments[2]], segments[3:]
    if segments[1] == "associations" and segments[2] == "v4":
        return "schema-v4", V4, segments[3:]
    if segments[1] == "v3" and segments[2] == "objects":  # the v4 client's objects API
        return "objects-v3", V2603, segments[3:]
    return None


def _fit(pattern: tuple[str, ...], rest: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(rest):
        return None
    params: dict[str, str] = {}
    for want, got in zip(pattern, rest, strict=True):
        if want.startswith("{"):
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params


def match(method: str, target: str) -> Route:
    """The route for a request, or the 404 / 405 HubSpot would send."""
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an absolute-form target with a broken IPv6 host
        raise failure(400, f"Invalid request target: {target[:200]}") from None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    split = _split(segments)
    if split is not None:
        family, version, rest = split
        endpoints: tuple[Endpoint, ...] = _ASSOC_ENDPOINTS
        if family in ("objects", "objects-v3"):
            endpoints = _OBJECT_ENDPOINTS if family == "objects" else _RECORD_ENDPOINTS
        elif family == "schemas":
            endpoints = _SCHEMA_ENDPOINTS
        wrong_method = False
        for ep in endpoints:
            if family == "schema-v4" and not ep.schema_path:
                continue
            params = _fit(ep.pattern, rest)
            if params is None:
                continue
            if ep.method != method:
                wrong_method = True
                continue
            return Route(ep, version, params, query)
        if wrong_method:
            raise failure(
                405, f"Method {method} is not allowed on {parts.path}", "METHOD_NOT_ALLOWED"
            )
    raise not_found(parts.path)


def not_found(path: str) -> ApiFailure:
    return failure(404, f"No route matches {path}", "OBJECT_NOT_FOUND")


def respond(portal: Portal, route: Route, call: Call) -> Reply:
    """The reply to a routed call (caller holds the lock): the endpoint's, or the failure it
    raised, as the portal's behaviour shapes it."""
    try:
        reply = dispatch(portal, route, call)
    except ApiFailure as exc:
        reply = Reply(exc.status, exc.body)
    return shape(reply, portal.behaviour)


def dispatch(portal: Portal, route: Route, call: Call) -> Reply:
    if route.endpoint.name == "get_list" and route.version == V2609:
        raise not_found("the per-record association list (not in the 2026-09 API; use batch/read)")
    handler: Handler = HANDLERS[route.endpoint.name]
    return handler(portal, call)


HANDLERS: dict[str, Handler] = {
    "objects_batch_read": records.objects_batch_read,
    "objects_list": records.objects_list,
    "schemas_list": schemas.schemas_list,
    "batch_create": associations.batch_create,
    "batch_default": associations.batch_default,
    "batch_read": associations.batch_read,
    "batch_archive": associations.batch_archive,
    "batch_labels_archive": associations.batch_labels_archive,
    "put_default": single.put_default,
    "put_labeled": single.put_labeled,
    "delete": single.delete,
    "get_list": single.get_list,
    "labels_list": labels.labels_list,
    "labels_create": labels.labels_create,
    "labels_update": labels.labels_update,
    "labels_delete": labels.labels_delete,
    "limits_create": limits.limits_create,
    "limits_update": limits.limits_update,
    "limits_purge": limits.limits_purge,
    "limits_all": limits.limits_all,
    "limits_pair": limits.limits_pair,
}
