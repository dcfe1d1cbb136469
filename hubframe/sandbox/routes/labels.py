"""The association label endpoints: list, create, update and delete user labels.

``{from}/{to}/labels`` under ``/crm/v4/associations``, ``/crm/associations/v4`` and
``/crm/associations/<date>``.
"""

from __future__ import annotations

from hubframe.sandbox.bodies import failure
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.routes.common import Reply, kinds, spec_with_label
from hubframe.sandbox.routes.parsing import (
    Call,
    cannot_deserialize,
    int_of,
    parse_json,
    record_id,
    require,
    text_of,
)


def labels_list(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    defs = portal.definitions(fk, tk)
    return Reply(200, {"results": [spec_with_label(portal, d, call.version) for d in defs]})


def labels_create(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    data = parse_json(call)
    if not isinstance(data, dict):
        raise cannot_deserialize("`PublicAssociationDefinitionCreateRequest`", data)
    require(data, "label", "name")
    name, label = text_of(data, "name") or "", text_of(data, "label") or ""
    created = portal.add_label(fk, tk, name, label, text_of(data, "inverseLabel"))
    return Reply(200, {"results": [spec_with_label(portal, d, call.version) for d in created]})


def labels_update(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    data = parse_json(call)
    if not isinstance(data, dict):
        raise cannot_deserialize("`PublicAssociationDefinitionUpdateRequest`", data)
    require(data, "associationTypeId", "label")
    strict = portal.behaviour.strict_inputs
    d = portal.user_def(fk, tk, int_of(data["associationTypeId"], "int", strict=strict))
    label = text_of(data, "label") or ""
    if not label.strip():
        raise failure(400, "The association label may not be empty.")
    portal.update_label(d, label, text_of(data, "inverseLabel"))
    return Reply(204)


def labels_delete(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    type_id = record_id(call.params["typeId"])
    if type_id is None:
        raise failure(400, f"Invalid association type id: {call.params['typeId']}")
    portal.delete_label(portal.user_def(fk, tk, type_id))
    return Reply(204)
