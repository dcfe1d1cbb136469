"""The association limit configuration endpoints: batch create, update, purge, and reads.

``definitions/configurations/...`` under ``/crm/v4/associations``, ``/crm/associations/v4``
and ``/crm/associations/<date>``.
"""

from __future__ import annotations

from hubframe.constants import MAX_BATCH_LIMITS
from hubframe.sandbox.behaviour import LimitsRead
from hubframe.sandbox.bodies import JsonDict, batch_envelope, now_iso
from hubframe.sandbox.portal import AssocDef, Direction, Portal, check_type
from hubframe.sandbox.routes.common import (
    Reply,
    batch_status,
    kinds,
    refuses_batch,
    void_reply,
    whole_batch_failure,
)
from hubframe.sandbox.routes.parsing import (
    Call,
    category_of,
    collapse,
    int_of,
    parse_inputs,
    require,
)

LimitInput = tuple[str, int, int]  # category, type id, maxToObjectIds (0 for purge)


def _limit_inputs(portal: Portal, call: Call, with_max: bool) -> list[LimitInput]:
    strict = portal.behaviour.strict_inputs
    out = []
    for item in parse_inputs(call, MAX_BATCH_LIMITS):
        fields = ("category", "maxToObjectIds", "typeId") if with_max else ("category", "typeId")
        require(item, *fields)
        value = int_of(item["maxToObjectIds"], "int", strict=strict) if with_max else 0
        type_id = int_of(item["typeId"], "int", strict=strict)
        out.append((category_of(item["category"]), type_id, value))
    return collapse(out, strict)


def _limits_write(portal: Portal, call: Call, create: bool) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = _limit_inputs(portal, call, with_max=True)
    started = now_iso()
    restore = portal.checkpoint() if refuses_batch(portal) else None
    results: list[JsonDict] = []
    errors: list[JsonDict] = []
    for category, type_id, value in inputs:
        d = portal.find_def(fk, tk, category, type_id)
        err = portal.invalid_type_error(fk, tk, category, type_id) if d is None else None
        if d is not None:
            err = portal.set_limit(d, value, create=create)
        if err is not None:
            errors.append(err)
            continue
        assert d is not None
        results.append(_result(d, value, create))
    if restore is not None and errors:
        restore()
        raise whole_batch_failure(enumerate(errors))
    status = batch_status(call.version, errors, 201 if create else 200)
    return Reply(status, batch_envelope(results, errors, started))


def _result(d: AssocDef, value: int, create: bool) -> JsonDict:
    result: JsonDict = {"category": d.category, "typeId": d.type_id}
    if create:
        result["label"] = d.label
    result["userEnforcedMaxToObjectIds"] = value
    return result


def limits_create(portal: Portal, call: Call) -> Reply:
    return _limits_write(portal, call, create=True)


def limits_update(portal: Portal, call: Call) -> Reply:
    return _limits_write(portal, call, create=False)


def limits_purge(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    inputs = _limit_inputs(portal, call, with_max=False)
    defs = [check_type(portal, fk, tk, category, type_id) for category, type_id, _ in inputs]
    started = now_iso()
    for d in defs:
        portal.purge_limit(d)
    return void_reply(call, len(defs), started)


def _limit_rows(portal: Portal, direction: Direction | None) -> list[JsonDict]:
    defs = portal.limited_defs()
    if portal.behaviour.limits_read is LimitsRead.WITH_NULLS:
        defs = _with_unlimited(portal, defs)
    return [
        {
            "category": d.category,
            "typeId": d.type_id,
            "userEnforcedMaxToObjectIds": portal.limits.get(d.key),
            "label": d.label,
        }
        for d in defs
        if direction is None or d.direction == direction
    ]


def _with_unlimited(portal: Portal, limited: list[AssocDef]) -> list[AssocDef]:
    """Every type of a limited pair, both directions (``limits_read="with_nulls"``): those
    without a limit are read back with ``userEnforcedMaxToObjectIds`` null."""
    shown = {d.direction for d in limited} | {(d.to_type, d.from_type) for d in limited}
    defs = [portal.defs[k] for direction in shown for k in portal.pair_defs.get(direction, [])]
    return sorted(defs, key=lambda d: (d.type_id, d.direction))


def limits_all(portal: Portal, call: Call) -> Reply:
    return Reply(200, {"results": _limit_rows(portal, None)})


def limits_pair(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    return Reply(200, {"results": _limit_rows(portal, (fk.type_id, tk.type_id))})
