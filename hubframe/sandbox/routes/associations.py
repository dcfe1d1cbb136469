"""The association batch endpoints: create, associate default, read, archive, labels archive.

``POST {from}/{to}/batch/...`` under ``/crm/v4/associations`` and ``/crm/associations/<date>``.
Inputs are applied in order; a bad record or type is an item error and the good inputs are
applied, or under ``partial_failure="refuse_batch"`` the whole batch is refused with the first
failing input's error and nothing is applied (docs/sandbox.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubframe.constants import (
    MAX_BATCH_ARCHIVE,
    MAX_BATCH_CREATE,
    MAX_BATCH_DEFAULT,
    MAX_BATCH_READ,
)
from hubframe.sandbox.bodies import JsonDict, batch_envelope, item_error, now_iso, spec_text
from hubframe.sandbox.objects import ObjectKind
from hubframe.sandbox.portal import AssocDef, Direction, Portal, check_type
from hubframe.sandbox.routes.common import (
    Reply,
    assoc_type_error,
    batch_status,
    default_results,
    find_pairs,
    kinds,
    no_default,
    page,
    refuses_batch,
    void_reply,
    whole_batch_failure,
)
from hubframe.sandbox.routes.parsing import (
    Call,
    cannot_deserialize,
    collapse,
    object_ref,
    parse_inputs,
    record_id,
    require,
    spec_of,
)

NO_ASSOCIATIONS = "crm.associations.NO_ASSOCIATIONS_FOUND"


Spec = tuple[str, int]
SpecCache = dict[Spec, Spec]
CreateInput = tuple[str, str, tuple[Spec, ...]]  # from id, to id, specs
Run = list[tuple[int, tuple[int, int]]]  # (input position, record pair) of consecutive inputs
Positioned = list[tuple[int, JsonDict]]  # (input position, item error)


def _create_input(item: dict[str, Any], cache: SpecCache, strict: bool) -> CreateInput:
    """(from id, to id, specs) of one batch-create input; fast for well-formed inputs."""
    frm, to, types = item.get("from"), item.get("to"), item.get("types")
    if not strict and type(frm) is dict and type(to) is dict and type(types) is list:
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
            return from_id.strip(), to_id.strip(), tuple(specs)
    require(item, "from", "to", "types")
    if not isinstance(types, list):
        raise cannot_deserialize("`java.util.ArrayList`", types)
    refs = object_ref(frm, strict=strict), object_ref(to, strict=strict)
    return *refs, tuple(spec_of(s, strict=strict) for s in types)


def batch_create(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    strict = portal.behaviour.strict_inputs
    inputs = parse_inputs(call, MAX_BATCH_CREATE)
    cache: SpecCache = {}
    parsed = collapse([_create_input(item, cache, strict) for item in inputs], strict)
    started = now_iso()
    pairs = find_pairs(portal, fk, tk, [(f, t) for f, t, _ in parsed])
    errors: Positioned = []
    bad_types: dict[str, tuple[int, JsonDict]] = {}  # by spec: (first input, item error)
    runs = _runs(portal, fk, tk, parsed, pairs, errors, bad_types)
    if refuses_batch(portal):
        results = _create_or_refuse(portal, fk, tk, runs, errors + list(bad_types.values()))
    else:
        results = _create(portal, fk, tk, runs, errors)
    errors.sort(key=lambda e: e[0])
    item_errors = [err for _, err in errors] + [err for _, err in bad_types.values()]
    body = batch_envelope(results, item_errors, started)
    return Reply(batch_status(call.version, item_errors, 201), body)


def _create(
    portal: Portal,
    fk: ObjectKind,
    tk: ObjectKind,
    runs: list[tuple[_Resolved, Run]],
    errors: Positioned,
) -> list[JsonDict]:
    """Apply the runs in order; the results, with the inputs a limit refused added to errors."""
    results: list[JsonDict] = []
    for types, run in runs:
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
    return results


def _create_or_refuse(
    portal: Portal,
    fk: ObjectKind,
    tk: ObjectKind,
    runs: list[tuple[_Resolved, Run]],
    early: Positioned,
) -> list[JsonDict]:
    """All inputs applied, or none: the 400 of the first failing input (``refuse_batch``)."""
    if early:
        raise whole_batch_failure(early)
    restore = portal.checkpoint(*_directions(fk, tk)) if portal.limits else None
    refused: Positioned = []
    results = _create(portal, fk, tk, runs, refused)
    if refused:
        if restore is not None:
            restore()
        raise whole_batch_failure(refused)
    return results


def _directions(fk: ObjectKind, tk: ObjectKind) -> tuple[Direction, Direction]:
    return (fk.type_id, tk.type_id), (tk.type_id, fk.type_id)


def _runs(
    portal: Portal,
    fk: ObjectKind,
    tk: ObjectKind,
    parsed: list[CreateInput],
    pairs: list[tuple[int, int] | JsonDict],
    errors: Positioned,
    bad_types: dict[str, tuple[int, JsonDict]],
) -> list[tuple[_Resolved, Run]]:
    """Consecutive inputs with the same types, in input order; bad records and types noted."""
    resolved: dict[tuple[Spec, ...], _Resolved | None] = {}
    runs: list[tuple[_Resolved, Run]] = []
    for position, ((_, _, specs), pair) in enumerate(zip(parsed, pairs, strict=True)):
        if isinstance(pair, dict):
            errors.append((position, pair))
            continue
        if specs not in resolved:
            resolved[specs] = _resolve(portal, fk, tk, specs, position, bad_types)
        types = resolved[specs]
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
    specs: tuple[Spec, ...],
    position: int,
    bad_types: dict[str, tuple[int, JsonDict]],
) -> _Resolved | None:
    """The definitions for a list of specs, or None after noting the invalid ones."""
    defs = [portal.find_def(fk, tk, c, t) for c, t in specs]
    good = [d for d in defs if d is not None]
    if len(good) == len(defs):
        return _Resolved(good, tuple(d.label for d in good if d.label))
    for (c, t), d in zip(specs, defs, strict=True):
        if d is None:
            bad_types.setdefault(spec_text(c, t), (position, assoc_type_error(fk, tk, c, t)))
    return None


def batch_default(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    strict = portal.behaviour.strict_inputs
    parsed = []
    for item in parse_inputs(call, MAX_BATCH_DEFAULT):
        require(item, "from", "to")
        refs = object_ref(item["from"], strict=strict), object_ref(item["to"], strict=strict)
        parsed.append(refs)
    parsed = collapse(parsed, strict)
    started = now_iso()
    default = portal.unlabeled(fk, tk)
    pairs = find_pairs(portal, fk, tk, parsed)
    if default is None:
        errors = [pair if isinstance(pair, dict) else no_default(fk, tk) for pair in pairs]
        if refuses_batch(portal) and errors:
            raise whole_batch_failure(enumerate(errors))
        return Reply(200, batch_envelope([], errors, started))
    failed = _associate_defaults(portal, fk, tk, pairs)
    results: list[JsonDict] = []
    errors = []
    for position, pair in enumerate(pairs):
        if isinstance(pair, dict) or position in failed:
            errors.append(pair if isinstance(pair, dict) else failed[position])
            continue
        results.extend(default_results(portal, pair, default))
    return Reply(200, batch_envelope(results, errors, started))


def _associate_defaults(
    portal: Portal, fk: ObjectKind, tk: ObjectKind, pairs: list[tuple[int, int] | JsonDict]
) -> dict[int, JsonDict]:
    """Associate the found pairs unlabeled; the limit errors by input position (under
    ``refuse_batch``: nothing applied and the 400 of the first failing input instead)."""
    refuse = refuses_batch(portal)
    bad = [(n, pair) for n, pair in enumerate(pairs) if isinstance(pair, dict)]
    if refuse and bad:
        raise whole_batch_failure(bad)
    restore = portal.checkpoint(*_directions(fk, tk)) if refuse and portal.limits else None
    found = [(n, pair) for n, pair in enumerate(pairs) if not isinstance(pair, dict)]
    refused = portal.associate_all(fk, tk, [pair for _, pair in found], [])
    failed = {position: refused[n] for n, (position, _) in enumerate(found) if n in refused}
    if refuse and failed:
        if restore is not None:
            restore()
        raise whole_batch_failure(failed.items())
    return failed


def batch_read(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    strict = portal.behaviour.strict_inputs
    parsed = []
    for item in parse_inputs(call, MAX_BATCH_READ):
        require(item, "id")
        after = item.get("after")
        parsed.append((object_ref(item, strict=strict), str(after) if after is not None else None))
    parsed = collapse(parsed, strict)
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


def batch_archive(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    strict = portal.behaviour.strict_inputs
    parsed: list[tuple[str, tuple[str, ...]]] = []
    for item in parse_inputs(call, MAX_BATCH_ARCHIVE):
        require(item, "from", "to")
        if not isinstance(item["to"], list):
            raise cannot_deserialize("`java.util.ArrayList`", item["to"])
        to_refs = tuple(object_ref(t, strict=strict) for t in item["to"])
        parsed.append((object_ref(item["from"], strict=strict), to_refs))
    parsed = collapse(parsed, strict)
    started = now_iso()
    for from_text, to_texts in parsed:
        from_id = record_id(from_text)
        for to_text in to_texts:
            to_id = record_id(to_text)
            if from_id is not None and to_id is not None:
                portal.remove_all(fk, tk, from_id, to_id)
    return void_reply(call, len(parsed), started)


def batch_labels_archive(portal: Portal, call: Call) -> Reply:
    fk, tk = kinds(portal, call, "from", "to")
    strict = portal.behaviour.strict_inputs
    parsed = []
    for item in parse_inputs(call, MAX_BATCH_ARCHIVE):
        require(item, "from", "to", "types")
        if not isinstance(item["types"], list):
            raise cannot_deserialize("`java.util.ArrayList`", item["types"])
        specs = tuple(spec_of(s, strict=strict) for s in item["types"])
        refs = object_ref(item["from"], strict=strict), object_ref(item["to"], strict=strict)
        parsed.append((*refs, specs))
    parsed = collapse(parsed, strict)
    checked = [
        (f, t, [check_type(portal, fk, tk, *s, with_spec=True) for s in specs])
        for f, t, specs in parsed
    ]
    started = now_iso()
    for from_text, to_text, defs in checked:
        from_id, to_id = record_id(from_text), record_id(to_text)
        if from_id is not None and to_id is not None:
            portal.remove_types(fk, tk, (from_id, to_id), defs)
    return void_reply(call, len(parsed), started)
