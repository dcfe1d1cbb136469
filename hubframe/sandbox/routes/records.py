"""The CRM objects endpoints the sandbox serves: records by id or unique property, and listing.

``POST /crm/objects/{version}/{objectType}/batch/read`` (and ``/crm/v3/objects/...``) reads up to
100 records by record id, or with ``idProperty`` by the value of a property the portal marks
``hasUniqueValue`` (``email`` for contacts and ``domain`` for companies in every portal, plus
any added with :meth:`hubframe.sandbox.Sandbox.add_unique_property`).  Unique values match
case-insensitively, as HubSpot's email matching does.  ``GET /crm/objects/{version}/{objectType}``
lists records in id order, at most 100 a page.

Modelled, not confirmed: values that match no record are one item error, category
``OBJECT_NOT_FOUND``, message "Could not get some CONTACT objects, they may be deleted or not
exist. Check that ids are valid.", context ``ids`` listing them (207; 200 on 2026-09); an
``idProperty`` that is not a unique property of the object is a whole-request 400.  Results
carry the requested properties (null when unset) plus ``hs_object_id``, ``createdate`` and
``lastmodifieddate``; duplicate inputs give one result.  A value several records hold (companies
may share a domain; the sandbox lets records be added so) gives each of them.
"""

from __future__ import annotations

from typing import Any

from hubframe.constants import MAX_OBJECT_BATCH_READ
from hubframe.sandbox.bodies import JsonDict, batch_envelope, failure, item_error, now_iso
from hubframe.sandbox.objects import ObjectKind
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.routes.common import Reply, batch_status, kinds
from hubframe.sandbox.routes.parsing import (
    Call,
    cannot_deserialize,
    decode_cursor,
    encode_cursor,
    int_of,
    object_ref,
    parse_inputs,
    parse_json,
    record_id,
)

#: When every sandbox record was created and last modified (records carry no history).
RECORD_TIMESTAMP = "2026-01-05T09:00:00.000Z"
DEFAULT_PAGE = 10


def _properties(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise cannot_deserialize("`java.util.ArrayList<java.lang.String>`", value)
    return list(dict.fromkeys(value))


def record_json(portal: Portal, kind: ObjectKind, rid: int, properties: list[str]) -> JsonDict:
    """One record as HubSpot's SimplePublicObject."""
    stored = portal.records.get(kind.type_id, {}).get(rid) or {}
    props: dict[str, str | None] = {p: stored.get(p) for p in properties}
    props.update(
        hs_object_id=str(rid), createdate=RECORD_TIMESTAMP, lastmodifieddate=RECORD_TIMESTAMP
    )
    return {
        "id": str(rid),
        "properties": props,
        "createdAt": RECORD_TIMESTAMP,
        "updatedAt": RECORD_TIMESTAMP,
        "archived": False,
    }


def _not_found(kind: ObjectKind, values: list[str]) -> JsonDict:
    return item_error(
        f"Could not get some {kind.error_name} objects, they may be deleted or not exist. "
        "Check that ids are valid.",
        {"ids": values},
        category="OBJECT_NOT_FOUND",
    )


def _finder(
    portal: Portal, kind: ObjectKind, id_property: str | None
) -> dict[str, list[int]] | None:
    """Unique value (lower case: case-insensitive, 'ß' not 'ss') -> the ids of the records
    holding it; None when reading by record id."""
    if id_property is None or id_property == "hs_object_id":
        return None
    if id_property not in portal.unique_properties.get(kind.type_id, set()):
        raise failure(
            400,
            f"{id_property} is not a unique property of {kind.error_name}; use a property "
            "with unique values (hasUniqueValue) as idProperty, or leave it out to read by "
            "record id.",
        )
    index: dict[str, list[int]] = {}
    for rid, props in portal.records.get(kind.type_id, {}).items():
        value = (props or {}).get(id_property)
        if value:
            index.setdefault(str(value).strip().lower(), []).append(rid)
    return index


def objects_batch_read(portal: Portal, call: Call) -> Reply:
    (kind,) = kinds(portal, call, "objectType")
    inputs = parse_inputs(call, MAX_OBJECT_BATCH_READ)
    data = parse_json(call)  # a JSON object: parse_inputs checked
    values = [object_ref(item, strict=portal.behaviour.strict_inputs) for item in inputs]
    id_property = data.get("idProperty")
    if id_property is not None and not isinstance(id_property, str):
        raise cannot_deserialize("`java.lang.String`", id_property)
    properties = _properties(data.get("properties"))
    if id_property and id_property not in properties:
        properties.append(id_property)
    started = now_iso()
    index = _finder(portal, kind, id_property)
    store = portal.records.get(kind.type_id, {})
    found: dict[int, None] = {}
    missing: list[str] = []
    for value in values:
        if index is None:
            rid = record_id(value)
            rids = [] if rid is None else [rid]
        else:
            rids = index.get(value.strip().lower(), [])
        held = [rid for rid in rids if rid in store]
        if not held:
            missing.append(value)
        found.update(dict.fromkeys(held))
    results = [record_json(portal, kind, rid, properties) for rid in found]
    errors = [_not_found(kind, list(dict.fromkeys(missing)))] if missing else []
    return Reply(batch_status(call.version, errors, 200), batch_envelope(results, errors, started))


def objects_list(portal: Portal, call: Call) -> Reply:
    (kind,) = kinds(portal, call, "objectType")
    size = int_of(
        call.query.get("limit", DEFAULT_PAGE), "int", strict=portal.behaviour.strict_inputs
    )
    if not 1 <= size <= MAX_OBJECT_BATCH_READ:
        raise failure(400, f"limit must be between 1 and {MAX_OBJECT_BATCH_READ}")
    properties = [p for p in call.query.get("properties", "").split(",") if p]
    ids = sorted(portal.records.get(kind.type_id, {}))
    after = call.query.get("after")
    if after:
        start = decode_cursor(after)
        ids = [i for i in ids if i > start]
    chunk = ids[:size]
    body: JsonDict = {"results": [record_json(portal, kind, i, properties) for i in chunk]}
    if len(ids) > size:
        body["paging"] = {"next": {"after": encode_cursor(chunk[-1])}}
    return Reply(200, body)
