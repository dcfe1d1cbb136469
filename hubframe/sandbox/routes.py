"""Paths to endpoints, and each endpoint's JSON in and out (per API version).

``match()`` turns a method and path into a :class:`Route`; ``dispatch()`` runs it against the
portal (caller holds the lock) and returns a :class:`Reply`.  Whole-request failures are raised
as :class:`~hubframe.sandbox.bodies.ApiFailure`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from hubframe.constants import (
    CATEGORIES,
    GET_LIST_PAGE_SIZE,
    MAX_BATCH_ARCHIVE,
    MAX_BATCH_CREATE,
    MAX_BATCH_DEFAULT,
    MAX_BATCH_LIMITS,
    MAX_BATCH_READ,
)
from hubframe.sandbox import jsonbounds
from hubframe.sandbox.bodies import (
    INVALID_ASSOCIATIONS,
    SCOPES_MESSAGE,
    ApiFailure,
    JsonDict,
    batch_envelope,
    error_body,
    failure,
    item_error,
    now_iso,
    spec_text,
)
from hubframe.sandbox.objects import ObjectKind
from hubframe.sandbox.portal import AssocDef, Portal, check_type

V4, V2603, V2609 = "v4", "2026-03", "2026-09"
DATE_VERSIONS = {"2026-03": V2603, "2026-09": V2609, "2025-09": V2603}
NO_BODY = "Invalid JSON input: a request body was expected, but none found"
NO_ASSOCIATIONS = "crm.associations.NO_ASSOCIATIONS_FOUND"


@dataclass(frozen=True)
class Call:
    """One request as the endpoints see it."""

    method: str
    version: str  # "v4", "2026-03" or "2026-09"
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    scopes: frozenset[str] | None  # None = every scope
    access: str  # "read" or "write"
    parsed: Parsed | None = None  # the body parsed once by the server (None: parse on demand)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None  # JSON-able, or None for no body


Handler = Callable[[Portal, Call], Reply]


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


#: CRM objects endpoints (records and properties, :mod:`hubframe.sandbox.records`): no faults.
_RECORD_ENDPOINTS = (
    Endpoint("objects_batch_read", "POST", ("{objectType}", "batch", "read"), "read", False, False),
    Endpoint("objects_list", "GET", ("{objectType}",), "read", False, False),
)
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
    """(family, version, rest); family "schema-v4" is the /crm/associations/v4 spelling."""
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


def dispatch(portal: Portal, route: Route, call: Call) -> Reply:
    if route.endpoint.name == "get_list" and route.version == V2609:
        raise not_found("the per-record association list (not in the 2026-09 API; use batch/read)")
    handler: Handler = HANDLERS[route.endpoint.name]
    return handler(portal, call)


def count_inputs(body: bytes) -> int:
    """Number of ``inputs`` in a JSON body (0 when there are none or it does not parse)."""
    return parse_body(body).inputs


# --- request parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A request body parsed once: its JSON value, or the whole-request 400 it earns."""

    value: Any = None
    status: int = 0  # 400 when the body is empty or not JSON
    error: JsonDict | None = None

    @property
    def inputs(self) -> int:
        """Number of ``inputs`` (0 when there are none or the body does not parse)."""
        data = self.value
        inputs = data.get("inputs") if isinstance(data, dict) else None
        return len(inputs) if isinstance(inputs, list) else 0

    def json(self) -> Any:
        if self.error is not None:
            raise ApiFailure(self.status, self.error)
        return self.value


def parse_body(body: bytes) -> Parsed:
    """Parse a request body once; a failure is kept for the endpoint that needs the JSON."""
    try:
        return Parsed(_decode(body))
    except ApiFailure as exc:
        return Parsed(None, exc.status, exc.body)


def _decode(body: bytes) -> Any:
    if not body.strip():
        raise failure(400, NO_BODY)
    try:
        return jsonbounds.loads(body)
    except json.JSONDecodeError as exc:
        raise failure(
            400, f"Invalid input JSON on line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except jsonbounds.JsonTooComplex as exc:
        raise failure(400, f"Invalid input JSON on line 1, column 1: {exc.reason}") from None
    except UnicodeDecodeError:
        raise failure(400, "Invalid input JSON on line 1, column 1: invalid UTF-8") from None
    except ValueError:  # an integer longer than Python converts (Jackson allows 1,000 digits)
        raise failure(
            400, "Invalid input JSON on line 1, column 1: Number value length exceeds the maximum"
        ) from None


def parse_json(source: bytes | Call) -> Any:
    """The JSON of a body (or of a call, parsed once by the server), or the 400 it earns."""
    if isinstance(source, Call):
        if source.parsed is not None:
            return source.parsed.json()
        source = source.body
    return _decode(source)


def _missing(fields: list[str]) -> ApiFailure:
    return failure(
        400,
        "Invalid input JSON on line 1, column 3. Some required fields were not set: "
        f"[{', '.join(fields)}]",
    )


def _deserialize(what: str, value: Any) -> ApiFailure:
    shown = json.dumps(value)[:60]
    return failure(
        400,
        "Invalid input JSON on line 1, column 1: Cannot deserialize value of type "
        f"{what} from {shown}",
    )


def parse_inputs(source: bytes | Call, maximum: int) -> list[dict[str, Any]]:
    """The ``inputs`` list, checked for shape and size (whole-request 400 otherwise)."""
    data = parse_json(source)
    if not isinstance(data, dict):
        raise _deserialize("`BatchInput`", data)
    inputs = data.get("inputs")
    if inputs is None:
        raise _missing(["inputs"])
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise _deserialize("`java.util.ArrayList`", inputs)
    if len(inputs) > maximum:
        raise failure(
            400,
            f"Too many inputs: {len(inputs)} were sent, the maximum for this endpoint "
            f"is {maximum}.",
            sub_category="crm.associations.BATCH_SIZE_EXCEEDED",
            context={"maxInputs": [str(maximum)], "inputs": [str(len(inputs))]},
        )
    return inputs


def require(obj: dict[str, Any], *fields: str) -> None:
    missing = [f for f in fields if obj.get(f) is None]
    if missing:
        raise _missing(missing)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _deserialize(f"`{what}`", value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _deserialize(f"`{what}`", value) from None
    return value


def object_ref(obj: Any) -> str:
    """``{"id": "123"}`` -> "123" (ids may be JSON numbers too)."""
    if not isinstance(obj, dict):
        raise _deserialize("`PublicObjectId`", obj)
    require(obj, "id")
    value = obj["id"]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _deserialize("`java.lang.String`", value)
    return str(value).strip()


def category_of(value: Any) -> str:
    if value not in CATEGORIES:
        raise failure(
            400,
            "Invalid input JSON on line 1, column 1: Cannot deserialize value of type "
            f"`AssociationCategory` from String {json.dumps(value)}: not one of the values "
            f"accepted for Enum class: [{', '.join(CATEGORIES)}]",
        )
    return str(value)


def spec_of(obj: Any) -> tuple[str, int]:
    if not isinstance(obj, dict):
        raise _deserialize("`AssociationSpec`", obj)
    require(obj, "associationCategory", "associationTypeId")
    return category_of(obj["associationCategory"]), _int(obj["associationTypeId"], "int")


def plain_digits(text: str) -> bool:
    """True for ASCII digits only: ``"²".isdigit()`` and ``"٣".isdecimal()`` are True too."""
    return text.isascii() and text.isdigit()


def record_id(text: str) -> int | None:
    """The record id a path segment or body id spells, or None (ASCII digits, at most 19)."""
    return int(text) if plain_digits(text) and len(text) <= 19 else None


# --- shared pieces -----------------------------------------------------------------------------


def required_scopes(kinds: list[ObjectKind], access: str) -> list[str]:
    out: list[str] = []
    for k in kinds:
        out.append(f"crm.objects.{k.scope}.{access}")
        if k.custom:
            out.append("crm.schemas.custom.read")
    return list(dict.fromkeys(out))


def has_scope(scopes: frozenset[str], scope: str) -> bool:
    if scope in scopes:
        return True
    return scope.endswith(".read") and scope[: -len(".read")] + ".write" in scopes


def kinds(portal: Portal, call: Call, *names: str) -> list[ObjectKind]:
    """Resolve path object types and check the token's scopes for them."""
    found = [portal.kind(call.params[n]) for n in names]
    if call.scopes is not None:
        missing = [s for s in required_scopes(found, call.access) if not has_scope(call.scopes, s)]
        if missing:
            raise ApiFailure(
                403,
                error_body(
                    SCOPES_MESSAGE,
                    "MISSING_SCOPES",
                    errors=[
                        {
                            "message": "One or more of the following scopes are required.",
                            "context": {"requiredScopes": missing},
                        }
                    ],
                    links={"scopes": "https://developers.hubspot.com/scopes"},
                ),
            )
    return found


def objects_error(missing: list[tuple[ObjectKind, str]]) -> JsonDict:
    context = {
        "INVALID_OBJECT_IDS": [f"{k.error_name}={i} is not valid" for k, i in missing],
        "objectId": [i for _, i in missing],
        "objectType": [k.error_name for k, _ in missing],
    }
    message = "; ".join(f"{k.error_name}={i} is not valid" for k, i in missing)
    return item_error(message, context)


def assoc_type_error(fk: ObjectKind, tk: ObjectKind, category: str, type_id: int) -> JsonDict:
    spec = spec_text(category, type_id)
    context = {
        "INVALID_ASSOCIATION_TYPE_ID": [f"{spec} is not a valid association definition id"],
        "associationSpec": [spec],
        "fromObjectType": [fk.error_name],
        "toObjectType": [tk.error_name],
    }
    message = (
        f"{spec} is not a valid association definition id from {fk.error_name} to {tk.error_name}"
    )
    return item_error(message, context, sub_category="crm.associations.INVALID_ASSOCIATION_TYPE")


def as_failure(err: JsonDict, message: str = INVALID_ASSOCIATIONS) -> ApiFailure:
    """An item error as the top-level 400 of a single-record call."""
    return failure(
        400, message, err["category"], sub_category=err.get("subCategory"), context=err["context"]
    )


def find_pair(
    portal: Portal, fk: ObjectKind, tk: ObjectKind, from_text: str, to_text: str
) -> tuple[int, int] | JsonDict:
    """The two record ids, or an INVALID_OBJECT_IDS item error naming the missing ones."""
    from_id, to_id = record_id(from_text), record_id(to_text)
    missing = []
    if from_id is None or not portal.has_record(fk, from_id):
        missing.append((fk, from_text))
    if to_id is None or not portal.has_record(tk, to_id):
        missing.append((tk, to_text))
    if missing or from_id is None or to_id is None:
        return objects_error(missing)
    return from_id, to_id


def find_pairs(
    portal: Portal, fk: ObjectKind, tk: ObjectKind, texts: Iterable[tuple[str, str]]
) -> list[tuple[int, int] | JsonDict]:
    """:func:`find_pair` for each input; existing records with plain ids take a fast path."""
    from_records = portal.records.get(fk.type_id, {})
    to_records = portal.records.get(tk.type_id, {})
    out: list[tuple[int, int] | JsonDict] = []
    for from_text, to_text in texts:
        from_id, to_id = record_id(from_text), record_id(to_text)
        if from_id in from_records and to_id in to_records:
            assert from_id is not None and to_id is not None
            out.append((from_id, to_id))
            continue
        out.append(find_pair(portal, fk, tk, from_text, to_text))
    return out


def batch_status(version: str, errors: list[JsonDict], ok: int) -> int:
    if version == V2609:
        return 200
    return 207 if errors else ok


def labels_pair(
    fk: ObjectKind, tk: ObjectKind, pair: tuple[int, int], labels: list[str]
) -> JsonDict:
    return {
        "fromObjectTypeId": fk.type_id,
        "fromObjectId": pair[0],
        "toObjectTypeId": tk.type_id,
        "toObjectId": pair[1],
        "labels": labels,
    }


def spec_with_label(d: AssocDef, version: str) -> JsonDict:
    out: JsonDict = {"category": d.category, "typeId": d.type_id, "label": d.label}
    if version != V2609:
        out["fromObjectTypeId"] = d.from_type
        out["toObjectTypeId"] = d.to_type
    return out


def type_list(portal: Portal, type_ids: tuple[int, ...]) -> list[JsonDict]:
    defs = sorted((portal.defs[t] for t in type_ids), key=lambda d: (d.label is None, d.type_id))
    return [{"category": d.category, "typeId": d.type_id, "label": d.label} for d in defs]


def default_result(from_id: int, to_id: int, d: AssocDef) -> JsonDict:
    return {
        "from": {"id": str(from_id)},
        "to": {"id": str(to_id)},
        "associationSpec": {"associationCategory": d.category, "associationTypeId": d.type_id},
    }


def encode_cursor(to_id: int) -> str:
    return base64.urlsafe_b64encode(str(to_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise failure(400, f"Invalid paging cursor: {cursor}") from None


def page(
    portal: Portal, fk: ObjectKind, tk: ObjectKind, from_id: int, after: str | None, size: int
) -> tuple[list[JsonDict], str | None]:
    linked = portal.linked(fk, tk, from_id)
    to_ids = sorted(linked)
    if after:
        start = decode_cursor(after)
        to_ids = [t for t in to_ids if t > start]
    chunk = to_ids[:size]
    items = [{"toObjectId": t, "associationTypes": type_list(portal, linked[t])} for t in chunk]
    more = encode_cursor(chunk[-1]) if len(to_ids) > size else None
    return items, more


# --- record associations -----------------------------------------------------------------------


SpecCache = dict[tuple[str, int], tuple[str, int]]


def _create_input(item: dict[str, Any], cache: SpecCache) -> tuple[str, str, list[tuple[str, int]]]:
    """(from id, to id, specs) of one batch-create input; fast for well-formed inputs."""
    frm, to, types = item.get("from"), item.get("to"), item.get("types")
    if type(frm) is dict and type(to) is dict and type(types) is list:
        from_id, to_id = frm.get("id"), to.get("id")
        if type(from_id) is str and type(to_id) is str:
            specs = []
            for s in types:
                cat = s.get("associationCategory") if type(s) is dict else None
                tid = s.get("associationTypeId") if type(s) is dict else None
                if type(cat) is not str or type(tid) is not int:
                    specs.append(spec_of(s))
                    continue
                spec = cache.get((cat, tid))
                if spec is None:
                    spec = cache[(cat, tid)] = spec_of(s)
                specs.append(spec)
            return from_id.strip(), to_id.strip(), specs
    require(item, "from", "to", "types")
    if not isinstance(types, list):
        raise _deserialize("`java.util.ArrayList`", types)
    return object_ref(frm), object_ref(to), [spec_of(s) for s in types]


def batch_create(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = parse_inputs(call, MAX_BATCH_CREATE)
    cache: SpecCache = {}
    parsed = [_create_input(item, cache) for item in inputs]
    started = now_iso()
    pairs = find_pairs(portal, fk, tk, [(f, t) for f, t, _ in parsed])
    errors: list[tuple[int, JsonDict]] = []  # (input position, item error)
    bad_types: dict[str, JsonDict] = {}
    results: list[JsonDict] = []
    for types, run in _runs(portal, fk, tk, parsed, pairs, errors, bad_types):
        refused = portal.associate_all(fk, tk, [pair for _, pair in run], types.defs)
        labels = list(types.labels)
        for n, (position, (from_id, to_id)) in enumerate(run):
            if n in refused:
                errors.append((position, refused[n]))
                continue
            results.append(
                {
                    "fromObjectTypeId": fk.type_id,
                    "fromObjectId": from_id,
                    "toObjectTypeId": tk.type_id,
                    "toObjectId": to_id,
                    "labels": labels,
                }
            )
    errors.sort(key=lambda e: e[0])
    item_errors = [err for _, err in errors] + list(bad_types.values())
    body = batch_envelope(results, item_errors, started)
    return Reply(batch_status(call.version, item_errors, 201), body)


Run = list[tuple[int, tuple[int, int]]]  # (input position, record pair) of consecutive inputs


def _runs(
    portal: Portal,
    fk: ObjectKind,
    tk: ObjectKind,
    parsed: list[tuple[str, str, list[tuple[str, int]]]],
    pairs: list[tuple[int, int] | JsonDict],
    errors: list[tuple[int, JsonDict]],
    bad_types: dict[str, JsonDict],
) -> list[tuple[_Resolved, Run]]:
    """Consecutive inputs with the same types, in input order; bad records and types noted."""
    resolved: dict[tuple[tuple[str, int], ...], _Resolved | None] = {}
    runs: list[tuple[_Resolved, Run]] = []
    for position, ((_, _, specs), pair) in enumerate(zip(parsed, pairs, strict=True)):
        if isinstance(pair, dict):
            errors.append((position, pair))
            continue
        key = tuple(specs)
        if key not in resolved:
            resolved[key] = _resolve(portal, fk, tk, specs, bad_types)
        types = resolved[key]
        if types is None:
            continue
        if runs and runs[-1][0] is types:
            runs[-1][1].append((position, pair))
        else:
            runs.append((types, [(position, pair)]))
    return runs


@dataclass(frozen=True)
class _Resolved:
    defs: list[AssocDef]
    labels: tuple[str, ...]


def _resolve(
    portal: Portal,
    fk: ObjectKind,
    tk: ObjectKind,
    specs: list[tuple[str, int]],
    bad_types: dict[str, JsonDict],
) -> _Resolved | None:
    """The definitions for a list of specs, or None after noting the invalid ones."""
    defs = [portal.find_def(fk, tk, c, t) for c, t in specs]
    good = [d for d in defs if d is not None]
    if len(good) == len(defs):
        return _Resolved(good, tuple(d.label for d in good if d.label))
    for (c, t), d in zip(specs, defs, strict=True):
        if d is None:
            bad_types.setdefault(spec_text(c, t), assoc_type_error(fk, tk, c, t))
    return None


def batch_default(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = parse_inputs(call, MAX_BATCH_DEFAULT)
    parsed = []
    for item in inputs:
        require(item, "from", "to")
        parsed.append((object_ref(item["from"]), object_ref(item["to"])))
    started = now_iso()
    default = portal.unlabeled(fk, tk)
    pairs = find_pairs(portal, fk, tk, parsed)
    if default is None:
        errors = [pair if isinstance(pair, dict) else _no_default(fk, tk) for pair in pairs]
        return Reply(200, batch_envelope([], errors, started))
    found = [(n, pair) for n, pair in enumerate(pairs) if not isinstance(pair, dict)]
    refused = portal.associate_all(fk, tk, [pair for _, pair in found], [])
    failed = {position: refused[n] for n, (position, _) in enumerate(found) if n in refused}
    results: list[JsonDict] = []
    errors = []
    for position, pair in enumerate(pairs):
        if isinstance(pair, dict) or position in failed:
            errors.append(pair if isinstance(pair, dict) else failed[position])
            continue
        results.extend(_default_results(portal, pair, default))
    return Reply(200, batch_envelope(results, errors, started))


def _no_default(fk: ObjectKind, tk: ObjectKind) -> JsonDict:
    return item_error(
        f"There is no default association type between {fk.error_name} and {tk.error_name}",
        {"fromObjectType": [fk.error_name], "toObjectType": [tk.error_name]},
        sub_category="crm.associations.INVALID_ASSOCIATION_TYPE",
    )


def _default_results(portal: Portal, pair: tuple[int, int], d: AssocDef) -> list[JsonDict]:
    out = [default_result(pair[0], pair[1], d)]
    if d.inverse is not None:
        out.append(default_result(pair[1], pair[0], portal.defs[d.inverse]))
    return out


def batch_read(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = parse_inputs(call, MAX_BATCH_READ)
    parsed = []
    for item in inputs:
        require(item, "id")
        after = item.get("after")
        parsed.append((object_ref(item), str(after) if after is not None else None))
    started = now_iso()
    results: list[JsonDict] = []
    errors: list[JsonDict] = []
    for from_text, after in parsed:
        from_id = record_id(from_text)
        linked = portal.linked(fk, tk, from_id) if from_id is not None else {}
        if from_id is None or not linked:
            errors.append(_no_associations(fk, tk, from_text))
            continue
        items, more = page(portal, fk, tk, from_id, after, portal.read_page_size)
        result: JsonDict = {"from": {"id": from_text}, "to": items}
        if more is not None:
            result["paging"] = {"next": {"after": more}}
        results.append(result)
    return Reply(batch_status(call.version, errors, 200), batch_envelope(results, errors, started))


def _no_associations(fk: ObjectKind, tk: ObjectKind, from_text: str) -> JsonDict:
    return item_error(
        f"No {tk.name} are associated with {fk.singular} {from_text}.",
        {"fromObjectId": [from_text]},
        category="OBJECT_NOT_FOUND",
        sub_category=NO_ASSOCIATIONS,
    )


def _void_reply(call: Call, count: int, started: str) -> Reply:
    if call.version == V4:
        return Reply(204)
    results: list[JsonDict] = [{} for _ in range(count)] if call.version == V2603 else []
    return Reply(200, batch_envelope(results, [], started))


def batch_archive(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = parse_inputs(call, MAX_BATCH_ARCHIVE)
    parsed: list[tuple[str, list[str]]] = []
    for item in inputs:
        require(item, "from", "to")
        if not isinstance(item["to"], list):
            raise _deserialize("`java.util.ArrayList`", item["to"])
        parsed.append((object_ref(item["from"]), [object_ref(t) for t in item["to"]]))
    started = now_iso()
    for from_text, to_texts in parsed:
        from_id = record_id(from_text)
        for to_text in to_texts:
            to_id = record_id(to_text)
            if from_id is not None and to_id is not None:
                portal.remove_all(fk, tk, from_id, to_id)
    return _void_reply(call, len(parsed), started)


def batch_labels_archive(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = parse_inputs(call, MAX_BATCH_ARCHIVE)
    parsed = []
    for item in inputs:
        require(item, "from", "to", "types")
        if not isinstance(item["types"], list):
            raise _deserialize("`java.util.ArrayList`", item["types"])
        defs = [check_type(portal, fk, tk, *spec_of(s)) for s in item["types"]]
        parsed.append((object_ref(item["from"]), object_ref(item["to"]), defs))
    started = now_iso()
    for from_text, to_text, defs in parsed:
        from_id, to_id = record_id(from_text), record_id(to_text)
        if from_id is not None and to_id is not None:
            portal.remove_types(fk, tk, (from_id, to_id), defs)
    return _void_reply(call, len(parsed), started)


def _path_pair(portal: Portal, call: Call) -> tuple[ObjectKind, ObjectKind, tuple[int, int]]:
    fk, tk = kinds(portal, call, "from", "to")
    pair = find_pair(portal, fk, tk, call.params["fromId"], call.params["toId"])
    if isinstance(pair, dict):
        raise as_failure(pair)
    return fk, tk, pair


def put_default(portal: Portal, call: Call) -> Reply:
    fk, tk, pair = _path_pair(portal, call)
    started = now_iso()
    default = portal.unlabeled(fk, tk)
    if default is None:
        raise as_failure(_no_default(fk, tk))
    err = portal.associate(fk, tk, pair, [])
    if err is not None:
        raise as_failure(err, err["message"])
    return Reply(200, batch_envelope(_default_results(portal, pair, default), [], started))


def put_labeled(portal: Portal, call: Call) -> Reply:
    fk, tk, pair = _path_pair(portal, call)
    data = parse_json(call)
    if not isinstance(data, list):
        raise _deserialize(
            "`java.util.HashSet<com.hubspot.inbounddb.publicobject.core.v2.AssociationSpec>`",
            data,
        )
    specs = [spec_of(s) for s in data]
    defs = []
    for category, type_id in specs:
        d = portal.find_def(fk, tk, category, type_id)
        if d is None:
            raise as_failure(assoc_type_error(fk, tk, category, type_id))
        defs.append(d)
    err = portal.associate(fk, tk, pair, defs, replace=True)
    if err is not None:
        raise as_failure(err, err["message"])
    labels = [d.label for d in defs if d.label]
    return Reply(201, labels_pair(fk, tk, pair, labels))


def delete(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    from_id, to_id = record_id(call.params["fromId"]), record_id(call.params["toId"])
    if from_id is not None and to_id is not None:
        portal.remove_all(fk, tk, from_id, to_id)
    return Reply(204)


def get_list(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    size = min(_int(call.query.get("limit", GET_LIST_PAGE_SIZE), "int"), GET_LIST_PAGE_SIZE)
    if size < 1:
        raise failure(400, f"limit must be between 1 and {GET_LIST_PAGE_SIZE}")
    from_id = record_id(call.params["fromId"])
    if from_id is None:
        return Reply(200, {"results": []})
    items, more = page(portal, fk, tk, from_id, call.query.get("after"), size)
    body: JsonDict = {"results": items}
    if more is not None:
        body["paging"] = {"next": {"after": more}}
    return Reply(200, body)


# --- labels ------------------------------------------------------------------------------------


def labels_list(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    defs = portal.definitions(fk, tk)
    return Reply(200, {"results": [spec_with_label(d, call.version) for d in defs]})


def _text(obj: dict[str, Any], field: str) -> str | None:
    value = obj.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _deserialize("`java.lang.String`", value)
    return value


def labels_create(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    data = parse_json(call)
    if not isinstance(data, dict):
        raise _deserialize("`PublicAssociationDefinitionCreateRequest`", data)
    require(data, "label", "name")
    name, label = _text(data, "name") or "", _text(data, "label") or ""
    created = portal.add_label(fk, tk, name, label, _text(data, "inverseLabel"))
    return Reply(200, {"results": [spec_with_label(d, call.version) for d in created]})


def labels_update(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    data = parse_json(call)
    if not isinstance(data, dict):
        raise _deserialize("`PublicAssociationDefinitionUpdateRequest`", data)
    require(data, "associationTypeId", "label")
    d = portal.user_def(fk, tk, _int(data["associationTypeId"], "int"))
    label = _text(data, "label") or ""
    if not label.strip():
        raise failure(400, "The association label may not be empty.")
    portal.update_label(d, label, _text(data, "inverseLabel"))
    return Reply(204)


def labels_delete(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    type_id = record_id(call.params["typeId"])
    if type_id is None:
        raise failure(400, f"Invalid association type id: {call.params['typeId']}")
    portal.delete_label(portal.user_def(fk, tk, type_id))
    return Reply(204)


# --- limit configurations ----------------------------------------------------------------------


def _limit_inputs(call: Call, with_max: bool) -> list[tuple[str, int, int]]:
    out = []
    for item in parse_inputs(call, MAX_BATCH_LIMITS):
        fields = ("category", "maxToObjectIds", "typeId") if with_max else ("category", "typeId")
        require(item, *fields)
        value = _int(item["maxToObjectIds"], "int") if with_max else 0
        out.append((category_of(item["category"]), _int(item["typeId"], "int"), value))
    return out


def _limits_write(portal: Portal, call: Call, create: bool) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = _limit_inputs(call, with_max=True)
    started = now_iso()
    results: list[JsonDict] = []
    errors: list[JsonDict] = []
    for category, type_id, value in inputs:
        d = portal.find_def(fk, tk, category, type_id)
        if d is None:
            errors.append(portal.invalid_type_error(fk, tk, category, type_id))
            continue
        err = portal.set_limit(d, value, create=create)
        if err is not None:
            errors.append(err)
            continue
        result: JsonDict = {"category": d.category, "typeId": d.type_id}
        if create:
            result["label"] = d.label
        result["userEnforcedMaxToObjectIds"] = value
        results.append(result)
    status = batch_status(call.version, errors, 201 if create else 200)
    return Reply(status, batch_envelope(results, errors, started))


def limits_create(portal: Portal, call: Call) -> Reply:
    return _limits_write(portal, call, create=True)


def limits_update(portal: Portal, call: Call) -> Reply:
    return _limits_write(portal, call, create=False)


def limits_purge(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = _limit_inputs(call, with_max=False)
    defs = [check_type(portal, fk, tk, category, type_id) for category, type_id, _ in inputs]
    started = now_iso()
    for d in defs:
        portal.purge_limit(d)
    return _void_reply(call, len(defs), started)


def _limit_rows(portal: Portal, pair: tuple[str, str] | None) -> list[JsonDict]:
    rows = []
    for type_id in sorted(portal.limits):
        d = portal.defs[type_id]
        if pair is None or (d.from_type, d.to_type) == pair:
            rows.append(
                {
                    "category": d.category,
                    "typeId": d.type_id,
                    "userEnforcedMaxToObjectIds": portal.limits[type_id],
                    "label": d.label,
                }
            )
    return rows


def limits_all(portal: Portal, call: Call) -> Reply:
    return Reply(200, {"results": _limit_rows(portal, None)})


def limits_pair(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    return Reply(200, {"results": _limit_rows(portal, (fk.type_id, tk.type_id))})


def _records(name: str) -> Handler:
    """A handler of :mod:`hubframe.sandbox.records` (imported late: it builds on this module)."""

    def handler(portal: Portal, call: Call) -> Reply:
        from hubframe.sandbox import records

        found: Handler = getattr(records, name)
        return found(portal, call)

    return handler


HANDLERS: dict[str, Handler] = {
    "objects_batch_read": _records("objects_batch_read"),
    "objects_list": _records("objects_list"),
    "batch_create": batch_create,
    "batch_default": batch_default,
    "batch_read": batch_read,
    "batch_archive": batch_archive,
    "batch_labels_archive": batch_labels_archive,
    "put_default": put_default,
    "put_labeled": put_labeled,
    "delete": delete,
    "get_list": get_list,
    "labels_list": labels_list,
    "labels_create": labels_create,
    "labels_update": labels_update,
    "labels_delete": labels_delete,
    "limits_create": limits_create,
    "limits_update": limits_update,
    "limits_purge": limits_purge,
    "limits_all": limits_all,
    "limits_pair": limits_pair,
}
