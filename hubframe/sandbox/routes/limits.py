"""The association limit configuration endpoints: batch create, update, purge, and reads.

``definitions/configurations/...`` under ``/crm/v4/associations``, ``/crm/associations/v4``
and ``/crm/associations/<date>``.
"""

from __future__ import annotations

from hubframe.constants import MAX_BATCH_LIMITS
from hubframe.sandbox.bodies import JsonDict, batch_envelope, now_iso
from hubframe.sandbox.portal import Portal, check_type
from hubframe.sandbox.routes.common import Reply, batch_status, kinds, void_reply
from hubframe.sandbox.routes.parsing import Call, category_of, int_of, parse_inputs, require


def _limit_inputs(call: Call, with_max: bool) -> list[tuple[str, int, int]]:
    out = []
    for item in parse_inputs(call, MAX_BATCH_LIMITS):
        fields = ("category", "maxToObjectIds", "typeId") if with_max else ("category", "typeId")
        require(item, *fields)
        value = int_of(item["maxToObjectIds"], "int") if with_max else 0
        out.append((category_of(item["category"]), int_of(item["typeId"], "int"), value))
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
    return void_reply(call, len(defs), started)


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
