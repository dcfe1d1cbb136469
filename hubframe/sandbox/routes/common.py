"""What the endpoint modules share: replies, versions, scopes, record pairs and JSON pieces."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from hubframe.sandbox.behaviour import PartialFailure
from hubframe.sandbox.bodies import (
    INVALID_ASSOCIATIONS,
    SCOPES_MESSAGE,
    ApiFailure,
    JsonDict,
    batch_envelope,
    error_body,
    failure,
    item_error,
    spec_text,
)
from hubframe.sandbox.objects import ObjectKind
from hubframe.sandbox.portal import AssocDef, Portal
from hubframe.sandbox.routes.parsing import Call, decode_cursor, encode_cursor, record_id

V4, V2603, V2609 = "v4", "2026-03", "2026-09"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None  # JSON-able, or None for no body

    @cached_property
    def payload(self) -> bytes:
        """The body as sent, encoded once (the server does it while the latency runs), with no
        spaces between tokens, as HubSpot writes its JSON."""
        return b"" if self.body is None else json.dumps(self.body, separators=(",", ":")).encode()


Handler = Callable[[Portal, Call], Reply]


# --- object types and scopes -------------------------------------------------------------------


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
    require_scopes(call, required_scopes(found, call.access))
    return found


def require_scopes(call: Call, scopes: list[str]) -> None:
    """Raise the 403 HubSpot sends when the call's token lacks one of ``scopes``."""
    if call.scopes is not None:
        missing = [s for s in scopes if not has_scope(call.scopes, s)]
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


# --- errors --------------------------------------------------------------------------------------


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


def refuses_batch(portal: Portal) -> bool:
    """True when a failing input refuses its whole write batch (``partial_failure``)."""
    return portal.behaviour.partial_failure is PartialFailure.REFUSE_BATCH


def whole_batch_failure(errors: Iterable[tuple[int, JsonDict]]) -> ApiFailure:
    """The 400 refusing a whole batch: the error of the first failing input (by position),
    in HubSpot's top-level ``Error`` shape, as its objects batch create answers."""
    _, err = min(errors, key=lambda e: e[0])
    return failure(
        400,
        err["message"],
        err["category"],
        sub_category=err.get("subCategory"),
        context=err["context"],
    )


def batch_status(version: str, errors: list[JsonDict], ok: int) -> int:
    if version == V2609:
        return 200
    return 207 if errors else ok


def void_reply(call: Call, count: int, started: str) -> Reply:
    """What a batch endpoint without results answers: v4 204; 2026-03 one ``{}`` per input;
    2026-09 the envelope with empty ``results``."""
    if call.version == V4:
        return Reply(204)
    results: list[JsonDict] = [{} for _ in range(count)] if call.version == V2603 else []
    return Reply(200, batch_envelope(results, [], started))


# --- record pairs --------------------------------------------------------------------------------


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
        # record_id inlined (two calls per input are a fifth of a 2,000-input batch's work)
        plain = from_text.isascii() and to_text.isascii() and from_text.isdigit()
        if plain and to_text.isdigit() and len(from_text) <= 19 and len(to_text) <= 19:
            from_id, to_id = int(from_text), int(to_text)
            if from_id in from_records and to_id in to_records:
                out.append((from_id, to_id))
                continue
        out.append(find_pair(portal, fk, tk, from_text, to_text))
    return out


# --- JSON pieces ---------------------------------------------------------------------------------


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


def spec_with_label(portal: Portal, d: AssocDef, version: str) -> JsonDict:
    """A label read back; 2026-09 (and the ``label_object_types=false`` behaviour) without
    its object type ids."""
    out: JsonDict = {"category": d.category, "typeId": d.type_id, "label": d.label}
    if version != V2609 and portal.behaviour.label_object_types:
        out["fromObjectTypeId"] = d.from_type
        out["toObjectTypeId"] = d.to_type
    return out


def type_list(portal: Portal, keys: tuple[int, ...]) -> list[JsonDict]:
    defs = sorted((portal.defs[k] for k in keys), key=lambda d: (d.label is None, d.type_id))
    return [{"category": d.category, "typeId": d.type_id, "label": d.label} for d in defs]


def default_result(from_id: int, to_id: int, d: AssocDef) -> JsonDict:
    return {
        "from": {"id": str(from_id)},
        "to": {"id": str(to_id)},
        "associationSpec": {"associationCategory": d.category, "associationTypeId": d.type_id},
    }


def no_default(fk: ObjectKind, tk: ObjectKind) -> JsonDict:
    return item_error(
        f"There is no default association type between {fk.error_name} and {tk.error_name}",
        {"fromObjectType": [fk.error_name], "toObjectType": [tk.error_name]},
        sub_category="crm.associations.INVALID_ASSOCIATION_TYPE",
    )


def default_results(portal: Portal, pair: tuple[int, int], d: AssocDef) -> list[JsonDict]:
    out = [default_result(pair[0], pair[1], d)]
    if d.inverse is not None:
        out.append(default_result(pair[1], pair[0], portal.defs[d.inverse]))
    return out


def page(
    portal: Portal, fk: ObjectKind, tk: ObjectKind, from_id: int, after: str | None, size: int
) -> tuple[list[JsonDict], str | None]:
    """One page of a record's associated records: (items, cursor of the next page or None)."""
    linked = portal.linked(fk, tk, from_id)
    to_ids = sorted(linked)
    if after:
        start = decode_cursor(after)
        to_ids = [t for t in to_ids if t > start]
    chunk = to_ids[:size]
    items = [{"toObjectId": t, "associationTypes": type_list(portal, linked[t])} for t in chunk]
    more = encode_cursor(chunk[-1]) if len(to_ids) > size else None
    return items, more
