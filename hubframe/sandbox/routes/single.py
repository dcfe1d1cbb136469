"""The single-record association endpoints: PUT default, PUT labeled, DELETE, GET list.

``/crm/v4/objects/{from}/{fromId}/associations/...`` and ``/crm/objects/<date>/...``; failures
are whole-request 400s (there is no batch to carry item errors).
"""

from __future__ import annotations

from hubframe.constants import GET_LIST_PAGE_SIZE
from hubframe.sandbox.bodies import JsonDict, batch_envelope, failure, now_iso
from hubframe.sandbox.objects import ObjectKind
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.routes.common import (
    Reply,
    as_failure,
    assoc_type_error,
    default_results,
    find_pair,
    kinds,
    labels_pair,
    no_default,
    page,
)
from hubframe.sandbox.routes.parsing import (
    Call,
    cannot_deserialize,
    int_of,
    parse_json,
    record_id,
    spec_of,
)


def _strict(portal: Portal) -> bool:
    return portal.behaviour.strict_inputs


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
        raise as_failure(no_default(fk, tk))
    err = portal.associate(fk, tk, pair, [])
    if err is not None:
        raise as_failure(err, err["message"])
    return Reply(200, batch_envelope(default_results(portal, pair, default), [], started))


def put_labeled(portal: Portal, call: Call) -> Reply:
    fk, tk, pair = _path_pair(portal, call)
    data = parse_json(call)
    if not isinstance(data, list):
        raise cannot_deserialize(
            "`java.util.HashSet<com.hubspot.inbounddb.publicobject.core.v2.AssociationSpec>`",
            data,
        )
    specs = [spec_of(s, strict=_strict(portal)) for s in data]
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
    limit = int_of(call.query.get("limit", GET_LIST_PAGE_SIZE), "int", strict=_strict(portal))
    size = min(limit, GET_LIST_PAGE_SIZE)
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
