"""Reading HubSpot's answers: error codes, the rows an error names, per-row outcomes of a 2xx.

Any 2xx may carry ``errors[]``: :func:`read_answer` maps each error to its rows through the
error's ``context`` (``INVALID_OBJECT_IDS``, ``objectId``/``objectType``, ``associationSpec``,
type ids, ``fromObjectId``/``toObjectId``, read in parallel; an invalid type the limits
endpoints name as ``type`` "1-1007" and two object types, by the batch's one row of it).  A
row no error names is a success only when the answer confirms it: the top-level ``results``
of a create or a limit list it (a limit result giving another limit, or one that does not
read as a whole number, does not) --
a result of its own direction (a default association's answer lists each pair both ways, and
ids are per object type) and, for a labeled row, listing its label.  A row an error tied to
no row may be about takes none of its code: read back, and not there, it is
``HUBSPOT_VALIDATION`` (diagnosed from the portal), quoting such errors as said of some rows
of the batch.  The answer of a removal
(archive, labels archive) or a limit purge confirms nothing (it names no row, and HubSpot
answers one it ignored alike): their rows are read back.  Any
other row is unconfirmed, and the sender reads the portal to settle it (``NOT_APPLIED`` when
its change is not there).  :func:`classify` gives hubframe's code for an error and
:func:`row_message` the sentence an analyst reads.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from itertools import compress
from string import Template
from typing import Any, Final

from hubframe.constants import (
    HUBSPOT_DEFINED,
    HUBSPOT_DEFINED_TYPES,
    MAX_ID_DIGITS,
    OBJECT_TYPES_BY_NAME,
    UNLABELED_NAMES,
    USER_DEFINED,
)
from hubframe.errors import ErrorCode
from hubframe.hubspot import shapes
from hubframe.hubspot.shapes import dig
from hubframe.hubspot.wire import ApiResponse
from hubframe.io.normalize import normalize_label
from hubframe.run.endpoints import Key, endpoint, row_keys
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.run.worktable import ACTION_CODE, NONE, WorkTable
from hubframe.vocab import Action, Status, object_noun, sentence_start

_OBJECT_REF = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*(\d+)")
#: An association type an error names, ``USER_DEFINED=5``: a type id of at most
#: :data:`~hubframe.constants.MAX_ID_DIGITS` digits (a longer one names no type, and Python
#: makes no int of more than 4,300 digits).
_DIGITS = f"[0-9]{{1,{MAX_ID_DIGITS}}}"
_SPEC_REF = re.compile(rf"([A-Z_]+)\s*=\s*({_DIGITS})(?![0-9])")
_TYPE_ID = re.compile(rf"\s*{_DIGITS}\s*")


def _context(err: Mapping[str, Any]) -> dict[str, list[str]]:
    raw = err.get("context") or {}
    if not isinstance(raw, dict):
        return {}
    return {
        str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in raw.items()
    }


def classify(err: Mapping[str, Any]) -> ErrorCode:
    """hubframe's error code for one HubSpot error (batch item or whole-request body), from
    what the error says outright: its ``subCategory`` or the context keys that name bad records
    or types.  Anything else is ``HUBSPOT_VALIDATION``, and the sender then reads the portal to
    find out why (:mod:`hubframe.run.diagnose`): an ``associationSpec`` alone only names the
    row's type, not what was wrong with it.
    """
    ctx = _context(err)
    sub = str(err.get("subCategory") or "").upper()
    if "LABEL_LIMIT" in sub or "ABOVE_OBJECT_LIMIT" in sub:
        return ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT
    if "LIMIT" in sub:
        return ErrorCode.LIMIT_EXCEEDED
    if "INVALID_OBJECT_IDS" in ctx or "objectId" in ctx:
        return ErrorCode.OBJECT_NOT_FOUND
    if "INVALID_ASSOCIATION_TYPE" in sub or "INVALID_ASSOCIATION_TYPE_ID" in ctx:
        return ErrorCode.INVALID_ASSOCIATION_TYPE
    return ErrorCode.HUBSPOT_VALIDATION


_Spec = tuple[str | None, int]  # (category or None, type id)


@dataclass(frozen=True)
class _Named:
    """The rows an error names, by the keys its context carries."""

    objects: tuple[tuple[str, str], ...]  # (TYPE as HubSpot wrote it, id)
    specs: tuple[_Spec, ...]
    from_ids: frozenset[str]
    to_ids: frozenset[str]
    #: The (from id, to id) pairs its ``fromObjectId`` and ``toObjectId`` lists name: read in
    #: parallel (one id against each of the other list's when it has one), each with the
    #: types its ``associationSpec`` list names at the same place (empty: :attr:`specs` are
    #: every pair's).  None when it names no pair, or lists of several ids each that do not
    #: pair up: every row of their ids may be the one, none for sure.
    pairs: Mapping[tuple[str, str], tuple[_Spec, ...]] | None = None
    #: The pairs were read place by place from lists of several ids each: lists sorted or
    #: reordered apart name other pairs alike, so a row of their ids that the zip leaves out
    #: leaves every pair of them in doubt (:func:`_doubted`).
    positional: bool = False
    #: The pairs were read as one id against each of the other list's (lists of two lengths,
    #: one of one id): a list with each id once reads so, and so does one cut short, which
    #: names no pair for sure.
    crossed: bool = False

    @property
    def empty(self) -> bool:
        return not (self.objects or self.specs or self.from_ids or self.to_ids)


def _named(err: Mapping[str, Any]) -> _Named:
    ctx = _context(err)
    objects = [m.groups() for v in ctx.get("INVALID_OBJECT_IDS", []) if (m := _OBJECT_REF.match(v))]
    ids, types = ctx.get("objectId", []), ctx.get("objectType", [])
    for n, object_id in enumerate(ids):
        objects.append((_listed_type(types, len(ids), n), object_id.strip()))
    specs: list[_Spec] = []
    for key in ("associationSpec", "INVALID_ASSOCIATION_TYPE_ID"):
        for value in ctx.get(key, []):
            specs.extend((c, int(t)) for c, t in _SPEC_REF.findall(value))
    for key in ("typeId", "associationTypeId"):
        specs.extend((None, int(v)) for v in ctx.get(key, []) if _TYPE_ID.fullmatch(v))
    froms = [v.strip() for v in ctx.get("fromObjectId", [])]
    tos = [v.strip() for v in ctx.get("toObjectId", [])]
    return _Named(
        objects=_typed_refs([(str(k), str(i)) for k, i in objects]),
        specs=tuple(dict.fromkeys(specs)),
        from_ids=frozenset(froms),
        to_ids=frozenset(tos),
        pairs=_paired(froms, tos, ctx.get("associationSpec", [])),
        positional=len(froms) == len(tos) > 1,
        crossed=len(froms) != len(tos),
    )


def _listed_type(types: Sequence[str], ids: int, n: int) -> str:
    """The type an ``objectType`` list gives the ``n``-th of ``ids`` ids: its own when the list
    is as long and names one type; any of them (:data:`_ONE_OF`) when it names several (a
    list reordered or sorted apart from the ids reads alike); none when the lists' lengths
    differ (a list of each type once, or cut short: which id is of which type, it does not
    say)."""
    if len(types) != ids:
        return ""
    names = {_type_name(text) for text in types}
    return types[n] if len(names) == 1 else _ONE_OF.join(sorted(dict.fromkeys(types)))


def _typed_refs(refs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """An error's object refs, an id without one type dropped where another ref states the
    id's type (``DEAL=995`` beside an ``objectId`` 995 whose ``objectType`` list does not
    pair up: the deal, not a contact 995)."""
    typed = {object_id for kind, object_id in refs if _exact(kind)}
    kept = [(kind, object_id) for kind, object_id in refs if _exact(kind) or object_id not in typed]
    return tuple(dict.fromkeys(kept))


def _paired(
    froms: Sequence[str], tos: Sequence[str], spec_texts: Sequence[str]
) -> dict[tuple[str, str], tuple[_Spec, ...]] | None:
    """:attr:`_Named.pairs` of an error's id lists and ``associationSpec`` texts: lists of one
    length name their pairs place by place (fromObjectId [D1, D2], toObjectId [C2, C1]: D1 ->
    C2 and D2 -> C1, not D1 -> C1), never their cross product."""
    if not (froms and tos):
        return None
    if len(froms) == len(tos):
        zipped = list(zip(froms, tos, strict=True))
    elif len(froms) == 1 or len(tos) == 1:
        zipped = [(f, t) for f in froms for t in tos]
    else:
        return None
    found = [_SPEC_REF.findall(text) for text in spec_texts]
    parallel = len(zipped) > 1 and len(found) == len(zipped) and all(len(f) == 1 for f in found)
    pairs: dict[tuple[str, str], tuple[_Spec, ...]] = {}
    for n, pair in enumerate(zipped):
        own = ((found[n][0][0], int(found[n][0][1])),) if parallel else ()
        pairs[pair] = (*pairs.get(pair, ()), *own)
    return pairs


_BY_TYPE_ID: Final = {t.type_id: t for t in OBJECT_TYPES_BY_NAME.values()}
_Pair = tuple[str | None, str | None]


def _type_matches(text: str, object_type: str) -> bool:
    wanted = text.strip().lower()
    known = OBJECT_TYPES_BY_NAME.get(object_type) or _BY_TYPE_ID.get(object_type)
    names = {object_type.lower()}
    if known is not None:
        names |= {known.name, known.singular.lower(), known.type_id}
    return wanted in names


def _sides_named(item: WorkItem, named: _Named) -> list[str]:
    """Which sides ("from", "to") of an association row the error's object refs point at."""
    sides: list[str] = []
    for kind, object_id in named.objects:
        candidates = [("from", item.from_type, item.from_id), ("to", item.to_type, item.to_id)]
        by_id = [c for c in candidates if c[2] == object_id]
        typed = [c for c in by_id if _kind_matches(kind, c[1])]
        sides.extend(side for side, _, _ in (typed or by_id))
    return list(dict.fromkeys(sides))


#: Rows of a batch by record id (either side): which rows an error naming ids can be about.
RecordIndex = Mapping[str, Sequence[int]]


def record_index(items: Sequence[WorkItem]) -> dict[str, list[int]]:
    """:data:`RecordIndex` of ``items``: built once a batch, so that each of its errors looks
    at the rows holding the ids it names, not at every row (a batch of 2,000 rows refused one
    by one took 2,000 x 2,000 looks)."""
    index: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        for record in dict.fromkeys((item.from_id, item.to_id)):
            if record is not None:
                index.setdefault(str(record), []).append(i)
    return index


def _candidates(named: _Named, size: int, index: RecordIndex) -> list[int]:
    """The rows an error can name: those holding an id it names (every row when it names
    none: a type or a limit only)."""
    ids = {object_id for _, object_id in named.objects} | named.from_ids | named.to_ids
    if not ids:
        return list(range(size))
    return sorted({i for record in ids for i in index.get(record, ())})


def _object_hits(named: _Named, items: Sequence[WorkItem]) -> list[list[bool]]:
    """For each item, one entry per object ref of the error that points at one of its
    records: True when the ref pins that record down -- a record of the type the error
    states, or, the error stating no type any row's record of that id has, an id that only
    records of one object type of the batch have -- False when it only may (the id of a
    record of another type than the one stated, or an id records of several types share)."""
    hits: list[list[bool]] = [[] for _ in items]
    contested = _contested(named.objects)
    for kind, object_id in named.objects:
        sides = [
            (i, object_type)
            for i, item in enumerate(items)
            for object_type, record in ((item.from_type, item.from_id), (item.to_type, item.to_id))
            if record == object_id
        ]
        typed = [(i, object_type) for i, object_type in sides if _kind_matches(kind, object_type)]
        if typed:  # of one type (one of the types a list names), and not named as another
            sure = len({t for _, t in typed}) == 1 and object_id not in contested
            for i in dict.fromkeys(i for i, _ in typed):
                hits[i].append(sure)
            continue
        stated = any(_kind_matches(kind, t.name) for t in OBJECT_TYPES_BY_NAME.values())
        one_type = len({object_type for _, object_type in sides}) == 1
        sure = one_type and not stated and object_id not in contested
        for i in dict.fromkeys(i for i, _ in sides):
            hits[i].append(sure)
    return hits


#: Between the types of an object ref that may be any of them (an ``objectType`` list naming
#: several types beside its ``objectId`` list: reordered apart from it, it says which types,
#: not which id is of which).
_ONE_OF: Final = "|"


def _kind_matches(kind: str, object_type: str) -> bool:
    """Whether an object ref's type (one, or any of several: :data:`_ONE_OF`) is
    ``object_type``; a ref stating no type matches none."""
    return any(_type_matches(k, object_type) for k in kind.split(_ONE_OF) if k.strip())


def _exact(kind: str) -> bool:
    """An object ref states one type (not none, not one of several)."""
    return bool(kind.strip()) and _ONE_OF not in kind


def _contested(objects: Sequence[tuple[str, str]]) -> set[str]:
    """The ids an error names as records of two object types (``CONTACT=995`` and
    ``DEAL=995``): which record does not exist, it does not say for sure."""
    kinds: dict[str, set[str]] = {}
    for kind, object_id in objects:
        if _exact(kind):
            kinds.setdefault(object_id, set()).add(_type_name(kind))
    return {object_id for object_id, names in kinds.items() if len(names) > 1}


def _type_name(text: str) -> str:
    """One spelling of an object type an error states (``CONTACT``, ``contacts``, ``0-1``)."""
    for known in OBJECT_TYPES_BY_NAME.values():
        if _type_matches(text, known.name):
            return known.name
    return text.strip().lower()


def _matches(item: WorkItem, named: _Named, objects: list[bool], paired: bool) -> bool:
    """Whether an error may name ``item``: ``paired``, its pair is one the error names, read
    as :func:`_pair_reading` reads it (when the error names pairs)."""
    if named.empty:
        return False
    if named.objects and not objects:
        return False
    if named.pairs is not None:
        return paired
    if named.specs and item.type_id is not None and not _of_type(item, named.specs):
        return False
    if named.from_ids and item.from_id not in named.from_ids:
        return False
    return not (named.to_ids and item.to_id not in named.to_ids)


def _of_type(item: WorkItem, specs: Sequence[_Spec]) -> bool:
    return any(t == item.type_id and (c is None or c == item.category) for c, t in specs)


def _pinned(
    item: WorkItem, named: _Named, objects: list[bool], code: ErrorCode, pair: bool
) -> bool:
    """Whether an error that names ``item`` can be about no other row (see :class:`Blame`);
    ``pair``: its pair reading pins it (:func:`_pair_reading`)."""
    if named.objects:  # records that do not exist, each of the type the error states
        return code is ErrorCode.OBJECT_NOT_FOUND and all(objects)
    if named.from_ids and named.to_ids:  # its pair: with its type, or the pair's only row
        return named.pairs is not None and pair  # lists that do not pair up: no pair for sure
    if named.from_ids or named.to_ids:  # one of its records: every row of it is named
        return False
    if item.from_id is None:  # a limit row is its type
        return item.type_id is not None
    # an association row of a type the pair lacks; any other refusal naming a type alone may
    # be one row's of that type (its records'), not every row's
    return item.type_id is not None and code is ErrorCode.INVALID_ASSOCIATION_TYPE


#: The two ways an error's (from id, to id) may name a row's pair: in the row's order, or
#: worded from the target's side (the row's to id first).
_FORWARD: Final = "forward"
_REVERSE: Final = "reverse"
_EITHER: Final = frozenset({_FORWARD, _REVERSE})


def _unlabeled_spec(
    spec: _Spec, from_type: str, to_type: str, unlabeled: UnlabeledIds
) -> bool | None:
    """Whether ``spec`` is the unlabeled type of a direction (of its category: HubSpot's own
    for two standard objects, a USER_DEFINED 3 is no deal -> contact unlabeled 3); None when
    that direction's unlabeled types are not known."""
    ids = _unlabeled_ids(from_type, to_type, unlabeled)
    if ids is None:
        return None
    category, type_id = spec
    standard = (from_type, to_type) in _UNLABELED_IDS
    return type_id in ids and (category is None or not standard or category == HUBSPOT_DEFINED)


def _spec_sides(spec: _Spec, item: WorkItem, unlabeled: UnlabeledIds) -> frozenset[str]:
    """The ways (:data:`_FORWARD`, :data:`_REVERSE`) an error naming ``spec`` beside a pair
    may name ``item``: its own type (or, a row without one, its direction's unlabeled type)
    reads the ids in the row's order; the other direction's unlabeled type either way (the
    refusal of the target's limit, its ids as the row has them or swapped); a type that
    cannot be placed (a same-object pair's, unlabeled types not known) either way, for a row
    without a type; any other type, none (a labeled row's pair is then only in doubt)."""
    same = item.from_type == item.to_type
    if item.type_id is not None and _of_type(item, (spec,)):
        return _EITHER if same else frozenset({_FORWARD})
    forward = _unlabeled_spec(spec, item.from_type, item.to_type, unlabeled)
    backward = _unlabeled_spec(spec, item.to_type, item.from_type, unlabeled)
    if backward:
        return _EITHER
    if item.type_id is not None:
        return frozenset()
    if backward is None:
        return _EITHER
    return frozenset({_FORWARD}) if forward is not False else frozenset()


def _read_ways(specs: Sequence[_Spec], item: WorkItem, unlabeled: UnlabeledIds) -> frozenset[str]:
    """The ways an error's types allow its pair to name ``item`` (any way, without types)."""
    if not specs:
        return _EITHER
    return frozenset().union(*(_spec_sides(spec, item, unlabeled) for spec in specs))


def _pair_reading(
    named: _Named, items: Sequence[WorkItem], unlabeled: UnlabeledIds, *, typed: bool = True
) -> dict[int, bool]:
    """The rows the pairs an error names may be, each with whether it is pinned: a pair names
    a row in its order or, worded from the target's side, swapped (as its types allow:
    :func:`_spec_sides`); a pair that may name rows both ways, or lists the zip may have read
    wrong (:func:`_doubted`), pins none.  Else a row is pinned by its own type, or as its
    pair's only row.  ``typed=False``: the types are left out, and no row is pinned."""
    pairs = named.pairs or {}
    found: dict[tuple[str, str], list[tuple[int, str, tuple[_Spec, ...]]]] = {}
    for n, item in enumerate(items):
        ends = (str(item.from_id), str(item.to_id))
        ways = (
            ((ends, _FORWARD),)
            if ends[0] == ends[1]
            else ((ends, _FORWARD), (ends[::-1], _REVERSE))
        )
        for pair, way in ways:
            own = pairs.get(pair)
            if own is None:
                continue
            specs = (own or named.specs) if typed else ()
            if way in _read_ways(specs, item, unlabeled):
                found.setdefault(pair, []).append((n, way, specs))
    doubt = not typed or _doubted(named, items)
    groups = _by_pair(items)
    reading: dict[int, bool] = {}
    for hits in found.values():
        one_way = len({way for _, way, _ in hits}) == 1
        for n, way, specs in hits:
            sure = not doubt and one_way and _pins(items[n], way, specs, named, groups)
            reading[n] = reading.get(n, True) and sure
    return reading


def _by_pair(items: Sequence[WorkItem]) -> dict[_Pair, list[WorkItem]]:
    groups: dict[_Pair, list[WorkItem]] = {}
    for item in items:
        groups.setdefault((item.from_id, item.to_id), []).append(item)
    return groups


def _pins(
    item: WorkItem,
    way: str,
    specs: Sequence[_Spec],
    named: _Named,
    groups: Mapping[_Pair, Sequence[WorkItem]],
) -> bool:
    """Whether a pair the error names, read ``way``, pins ``item``: a labeled row by its own
    type (in its order; and no other row of the pair has a type the error names elsewhere: a
    list of types reordered apart from the ids), else as its pair's only row (a row without a
    type, or an error naming no type)."""
    rows = groups[(item.from_id, item.to_id)]
    if item.type_id is None or not specs:
        return len(rows) == 1
    if way != _FORWARD or not _of_type(item, specs):
        return False
    return not any(
        other.type_id is not None and _of_type(other, named.specs) and not _of_type(other, specs)
        for other in rows
    )


def _doubted(named: _Named, items: Sequence[WorkItem]) -> bool:
    """The error's pairs were read place by place from lists of several ids, and a row of the
    batch pairs their ids otherwise (either way round): lists sorted or reordered apart name
    that row's pair as well as the zip's, so no pair of them is sure; or lists of two lengths
    were read one id against each of the other's (:attr:`_Named.crossed`)."""
    pairs = named.pairs
    if named.crossed:
        return True
    if not named.positional or pairs is None:
        return False
    froms, tos = named.from_ids, named.to_ids
    for item in items:
        ends = (str(item.from_id), str(item.to_id))
        for a, b in (ends, ends[::-1]):
            if a in froms and b in tos and (a, b) not in pairs:
                return True
    return False


@dataclass(frozen=True)
class Blame:
    """The rows an error names.  ``sure``: rows it can be about and no other -- by its pair and
    type (or a pair that only that row has; several pairs in parallel lists, place by place),
    by a record that does not exist, of the type the error states (or whose id only records
    of one type in the batch have), or by its type alone when that is a limit row's, or a type
    the pair lacks.  ``unsure``: rows it may be about, or not -- every row of a record named
    alone (a record at its limit: some of its rows may be fine), the rows of a pair when it
    names a type no row asks for (the reverse direction's, or the unlabeled type HubSpot adds),
    the rows of id lists that do not pair up (or that the zip may have read wrong:
    :func:`_doubted`), the rows a pair may name either way round (:func:`_pair_reading`: a
    refusal worded from the target's side), the rows of a type named alone by another
    refusal than an invalid type (a record's limit named without its record names none), a
    row whose record has the id but not the type the error states, whose id records of
    several types share, or whose id the error names as records of two types.  Only a sure
    row may be failed without being sent again or read back."""

    sure: tuple[int, ...] = ()
    unsure: tuple[int, ...] = ()

    @property
    def rows(self) -> list[int]:
        return sorted((*self.sure, *self.unsure))


def blame(
    err: Mapping[str, Any],
    items: Sequence[WorkItem],
    index: RecordIndex | None = None,
    unlabeled: UnlabeledIds | None = None,
) -> Blame:
    """The rows of ``items`` an error names (by the object ids, types and pairs of its
    ``context``), sure and unsure (:class:`Blame`); none when the context names nothing.  An
    error whose association type no row asks for is about a type HubSpot adds or checks on its
    own -- the unlabeled type comes with every label, the reverse direction's type with every
    association, and either's limit refuses the pair -- so it names the rows of its two
    records, unsure (when it names both: a row of another pair is never taken for it).
    ``index``: the batch's :func:`record_index`, when the caller reads several errors;
    ``unlabeled``: the unlabeled type ids the run read (:data:`UnlabeledIds`), which tell the
    direction a type is of."""
    named = _named(err)
    if named.empty:
        return _blame_type_text(err, items)
    code = classify(err)
    rows = _candidates(named, len(items), record_index(items) if index is None else index)
    if _type_alone(named) and code in _PER_RECORD:  # a record's limit, the record unnamed
        rows = [i for i in rows if items[i].from_id is None]  # limit rows: their type is all
    part = [items[i] for i in rows]
    objects = _object_hits(named, part)
    known = unlabeled or {}
    reading = _pair_reading(named, part, known) if named.pairs is not None else {}
    sure: list[int] = []
    unsure: list[int] = []
    for n, item in enumerate(part):
        if _matches(item, named, objects[n], n in reading):
            pinned = _pinned(item, named, objects[n], code, reading.get(n, False))
            (sure if pinned else unsure).append(rows[n])
    if sure or unsure or not named.specs or not (named.from_ids and named.to_ids):
        return Blame(tuple(sure), tuple(unsure))
    # without both records named, no pair's rows are guessed
    loose = _pair_reading(named, part, known, typed=False) if named.pairs is not None else {}
    records = replace(named, specs=())
    return Blame(
        unsure=tuple(
            rows[n]
            for n, item in enumerate(part)
            if _matches(item, records, objects[n], n in loose)
        )
    )


#: Codes of refusals a record's own state brings about (its limit full), not its type's.
_PER_RECORD: Final = frozenset({ErrorCode.LIMIT_EXCEEDED})


def _type_alone(named: _Named) -> bool:
    """The error names association types and no record: of association rows, it says which
    type, not which rows (a limit refusal is one record's: HubSpot's answer naming only the
    type names none of them; an invalid type is every row of it)."""
    return bool(named.specs) and not (named.objects or named.from_ids or named.to_ids)


# --- an invalid type named as "<category prefix>-<type id>" -----------------------------------

#: The category each prefix of an invalid type's text names (``1-1007``: USER_DEFINED 1007),
#: as the schema and limits endpoints word it (docs/sandbox.md).
_PREFIXES: Final = {
    "0": HUBSPOT_DEFINED,
    "1": USER_DEFINED,
    "2": "INTEGRATOR_DEFINED",
    "3": "WORK",
}
_TYPE_TEXT: Final = re.compile(rf"\s*([0-9])-({_DIGITS})\s*")
#: The message of such an error: "1-1007 is not a valid association type between DEAL and
#: CONTACT" (the type, then the from and to object types).
_NOT_VALID: Final = re.compile(
    r"\s*(\S+) is not a valid association type between (\S+) and (\S+?)\.?\s*"
)


@dataclass(frozen=True)
class _TypeText:
    """The one association type and direction an invalid-type error names without an
    ``associationSpec``: by its ``type``, ``fromObjectType`` and ``toObjectType`` and its
    message, read together."""

    spec: _Spec
    from_type: str
    to_type: str


def _type_text(err: Mapping[str, Any]) -> _TypeText | None:
    """What an invalid-type error of the schema and limits endpoints names; None when its
    context and message name no type, or several, or disagree (a mock's message "0--1 is not
    a valid ..." beside its type "0-5"), or leave an object type out: then it names no row."""
    ctx = _context(err)
    said = _NOT_VALID.fullmatch(str(err.get("message") or ""))
    worded = said.groups() if said else ()
    type_text = _one([*ctx.get("type", []), *worded[:1]], str.strip)
    from_type = _one([*ctx.get("fromObjectType", []), *worded[1:2]], _type_name)
    to_type = _one([*ctx.get("toObjectType", []), *worded[2:]], _type_name)
    found = _TYPE_TEXT.fullmatch(type_text or "")
    if found is None or found[1] not in _PREFIXES or from_type is None or to_type is None:
        return None
    return _TypeText((_PREFIXES[found[1]], int(found[2])), from_type, to_type)


def _one(texts: Sequence[str], spelling: Callable[[str], str]) -> str | None:
    """The one thing ``texts`` name, each read by ``spelling``; None when none or several."""
    named = {spelling(text) for text in texts}
    return named.pop() if len(named) == 1 else None


def _blame_type_text(err: Mapping[str, Any], items: Sequence[WorkItem]) -> Blame:
    """The row an invalid-type error without an ``associationSpec`` names (:func:`_type_text`):
    the batch's one row of its category and type id, when that row's direction is the
    error's.  None when no row or several have that type (a create and an update of it, its
    two directions): which one HubSpot refused, only a read of the portal can tell."""
    named = _type_text(err)
    if named is None or classify(err) is not ErrorCode.INVALID_ASSOCIATION_TYPE:
        return Blame()
    rows = [i for i, item in enumerate(items) if _of_type(item, (named.spec,))]
    if len(rows) != 1:
        return Blame()
    item = items[rows[0]]
    ours = _type_matches(named.from_type, item.from_type) and _type_matches(
        named.to_type, item.to_type
    )
    return Blame(sure=(rows[0],)) if ours else Blame()


def rows_named(err: Mapping[str, Any], items: Sequence[WorkItem]) -> list[int]:
    """The indexes of the items an error names, sure or not (:func:`blame`)."""
    return blame(err, items).rows


# --- messages an analyst can act on -----------------------------------------------------------


def _spec_text(item: WorkItem) -> str:
    label = f' ("{item.label}")' if item.label else ""
    return f"association type {item.category} {item.type_id}{label}"


#: The unlabeled type ids of object pairs, (from type, to type) -> ids, as the run read them
#: from the pairs' labels lists (a custom object's are USER_DEFINED: 1017): whose limit a
#: limit error names (:func:`_limit_side`).
UnlabeledIds = Mapping[tuple[str, str], frozenset[int]]

#: The labels of object pairs as the run read them: (from type, to type) -> type id -> the
#: label's exact name, or None when another label of the pair matches it as a sheet's label
#: is matched (``normalize_label``: "Sponsor" and "sponsor", "Sponsor" and "Sponsor "): an
#: answer's label names confirm a labeled row only by the exact name of the label the row
#: resolved to, and never when that label has such a lookalike (the row is read back).
LabelNames = Mapping[tuple[str, str], Mapping[int, str | None]]


class _Unsure(Enum):
    """A labeled row whose label no name an answer lists can confirm (see :data:`LabelNames`)."""

    NAMES = "names"


#: The name a result lists when a row's label was set (None: no name to look for).
_Wanted = str | _Unsure | None


def row_message(
    item: WorkItem,
    err: Mapping[str, Any],
    code: ErrorCode,
    unlabeled: UnlabeledIds | None = None,
) -> str:
    """One sentence naming the value at fault, for a row HubSpot refused (``unlabeled``: the
    unlabeled type ids the run read, :data:`UnlabeledIds`)."""
    hubspot = str(err.get("message") or "no message").strip().rstrip(".")
    if code is ErrorCode.OBJECT_NOT_FOUND and item.from_id is not None:
        sides = _sides_named(item, _named(err)) or ["from", "to"]
        refs = [
            (object_noun(item.from_type), item.from_id)
            if side == "from"
            else (object_noun(item.to_type), item.to_id)
            for side in sides
        ]
        if len(refs) == 1:
            noun, object_id = refs[0]
            return (
                f"{sentence_start(noun)} {object_id} does not exist in HubSpot (or is not a "
                f"{noun})."
            )
        joined = " and ".join(f"{noun} {object_id}" for noun, object_id in refs)
        return f"{sentence_start(joined)} do not exist in HubSpot (or are of another type)."
    if code is ErrorCode.INVALID_ASSOCIATION_TYPE and item.type_id is None:
        return (
            f"HubSpot does not accept an unlabeled association from {item.from_type} to "
            f"{item.to_type} (HubSpot: {hubspot}): when it lists no association type for the "
            "pair, the two objects cannot be associated; check the from and to object types."
        )
    if code is ErrorCode.INVALID_ASSOCIATION_TYPE and item.from_id is None:
        return (
            f"HubSpot does not accept a limit of {_spec_text(item)} from {item.from_type} to "
            f"{item.to_type} (HubSpot: {hubspot}); check that the pair's labels in HubSpot "
            "still list it (a label deleted and made again has another type id), then run the "
            "retry file."
        )
    if code is ErrorCode.INVALID_ASSOCIATION_TYPE:
        return (
            f"HubSpot does not accept {_spec_text(item)} from {item.from_type} to "
            f"{item.to_type}; check the label or type id and the from/to order."
        )
    if code is ErrorCode.LIMIT_EXCEEDED:
        if item.from_id is not None:
            return _limit_message(item, _named(err), hubspot, unlabeled or {})
        return f"HubSpot refused the limit for {_spec_text(item)}: {hubspot}."
    return f"HubSpot rejected the row: {hubspot}."


_UNLABELED_IDS: Final = {
    (t.from_type, t.to_type): t.type_id for t in HUBSPOT_DEFINED_TYPES if t.label is None
}


def _unlabeled_ids(from_type: str, to_type: str, unlabeled: UnlabeledIds) -> frozenset[int] | None:
    """The unlabeled type ids of a direction: as its labels list was read, else HubSpot's
    own for two standard objects; None when not known (a custom object's list not read)."""
    read = unlabeled.get((from_type, to_type))
    if read is not None:
        return read
    defined = _UNLABELED_IDS.get((from_type, to_type))
    return None if defined is None else frozenset({defined})


def _limit_side(item: WorkItem, named: _Named, unlabeled: UnlabeledIds) -> int | None:
    """Whose limit an error counted, by the association type it names: 0, the source
    record's (the row's own type, or the unlabeled type of its direction, which a label comes
    with); 1, the target record's (the unlabeled type of the other direction, or a label of the
    user's other than the row's: the row's label seen from the target); None when it does not
    say (no type, one of HubSpot's that hubframe does not know, a USER_DEFINED type of a pair
    whose unlabeled types are not known, or on a same-object pair a type that counts on
    either side: its unlabeled type, 450 both ways, or the row's own).  A type is placed with
    its category: a USER_DEFINED 3 is no deal -> contact unlabeled (HUBSPOT_DEFINED 3)."""
    forward = _unlabeled_ids(item.from_type, item.to_type, unlabeled)
    same = item.from_type == item.to_type
    sides = set()
    for spec in named.specs:
        category = spec[0]
        own = _of_type(item, (spec,)) or bool(
            _unlabeled_spec(spec, item.from_type, item.to_type, unlabeled)
        )
        back = bool(_unlabeled_spec(spec, item.to_type, item.from_type, unlabeled))
        if same and (own or back):
            return None
        theirs = back or (
            # the row's label seen from the target, once its direction's unlabeled is known
            category == USER_DEFINED and item.type_id is not None and forward is not None
        )
        if not (own or theirs):
            return None
        sides.add(0 if own else 1)
    return sides.pop() if len(sides) == 1 else None


def _many(object_type: str) -> str:
    """'contacts' -> 'contacts', 'line_items' -> 'line items', '2-123' -> '2-123 records'."""
    if object_type in OBJECT_TYPES_BY_NAME:
        return object_type.replace("_", " ")
    return f"{object_type} records"


def _limit_message(item: WorkItem, named: _Named, hubspot: str, unlabeled: UnlabeledIds) -> str:
    """Whose limit refused the row (:func:`_limit_side`); both records when the error does
    not say."""
    ends = [
        (object_noun(item.from_type), item.from_id, _many(item.to_type)),
        (object_noun(item.to_type), item.to_id, _many(item.from_type)),
    ]
    side = _limit_side(item, named, unlabeled)
    if side is not None:
        noun, record, others = ends[side]
        return (
            f"{sentence_start(noun)} {record} already has as many {others} as its association "
            f"limit allows (HubSpot: {hubspot})."
        )
    (f_noun, f_id, _), (t_noun, t_id, _) = ends
    return (
        f"{sentence_start(f_noun)} {f_id} or {t_noun} {t_id} already has as many associations "
        f"as its limit allows (HubSpot: {hubspot})."
    )


# --- mapping a 2xx answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A 2xx answer read row by row: one outcome per row, and the rows it leaves unconfirmed
    (neither listed as done nor refused) with the outcome each gets should a read of the
    portal show its change is not there."""

    outcomes: list[Outcome]
    unconfirmed: dict[int, Outcome]
    #: The envelope's ``status`` when it says the batch is not done yet ("PROCESSING",
    #: "PENDING"): a row its results do not list may still be applied, so a read that does not
    #: show it yet leaves it ``UNKNOWN_OUTCOME``.
    pending: str | None = None


def map_response(batch: Batch, resp: ApiResponse, prior: int = 0) -> list[Outcome]:
    """One outcome per item of ``batch`` from a 2xx answer (with or without ``errors[]``); a
    row the answer leaves unconfirmed is ``UNKNOWN_OUTCOME`` (see :func:`read_answer`)."""
    return read_answer(batch, resp, prior).outcomes


def read_answer(
    batch: Batch,
    resp: ApiResponse,
    prior: int = 0,
    unlabeled: UnlabeledIds | None = None,
    names: LabelNames | None = None,
) -> Answer:
    """The outcomes of a 2xx answer. A row is a success only when the answer confirms it: its
    endpoint's ``results`` list it (creates and limits); a removal's or a purge's rows are
    never confirmed by its answer (:attr:`~hubframe.run.endpoints.Endpoint.read_back`). A
    row an error names by its pair (or a record that does not exist) failed. Any other row
    is unconfirmed, and only a read of the portal can tell: HubSpot may have skipped it
    without a word (a batch answered ``COMPLETE`` with results missing), or an error names
    it only by one of its records (a record at its limit: the batch's first rows of that
    record may be applied), or the results list the pair an error names
    (:func:`_contradicted`), or the answer says the batch is still being processed
    (:func:`_pending`: what its results do not list may be applied later).  ``names``: the
    labels the run read (:data:`LabelNames`; None: each labeled row's own text, exactly)."""
    attempts = prior + resp.attempts
    named_rows = endpoint(batch.action).result_key is not None
    listed = named_rows and _lists_every_row(batch, resp, unlabeled or {}, names)
    body = resp.json() if (named_rows and not listed) or resp.may_have_errors() else {}
    failures, loose, unmapped = _blamed(batch, body, resp, attempts, unlabeled)
    said = _Said(batch, body, unlabeled or {}, names)
    for i in _contradicted(said, failures) if named_rows else ():
        loose[i] = failures.pop(i)
    loose = {i: o for i, o in loose.items() if i not in failures}
    open_rows = (
        []
        if listed
        else sorted({*_unconfirmed(said, failures | loose, unmapped, named_rows), *loose})
    )

    # One success shared by the rows of an action (outcomes are not changed in place): a
    # batch of 2,000 successes is one object, and the journal sees that at once.
    def success(action: Action) -> Outcome:
        return Outcome(
            Status.SUCCESS,
            action=action,
            http_status=resp.status,
            correlation_id=resp.correlation_id,
            batch=batch.number,
            attempts=attempts,
        )

    if not failures and not open_rows and _one_action(batch):
        return Answer([success(batch.action)] * batch.size, {})  # no WorkItems made
    pending = _pending(resp) if open_rows else None
    unconfirmed: dict[int, Outcome] = {}
    for i in open_rows:
        item = batch.items[i]
        unconfirmed[i] = loose.get(i) or (
            _still_processing(batch, item, resp, attempts, pending)
            if pending
            else _untied(batch, item, resp, attempts, unmapped, unlabeled)
            if unmapped
            else _not_applied(batch, item, resp, attempts)
        )
        failures[i] = _unchecked(batch, item, resp, attempts)
    successes = {action: success(action) for action in {item.action for item in batch.items}}
    outcomes = [failures.get(i) or successes[item.action] for i, item in enumerate(batch.items)]
    return Answer(outcomes, unconfirmed, pending)


def _blamed(
    batch: Batch,
    body: Mapping[str, Any],
    resp: ApiResponse,
    attempts: int,
    unlabeled: UnlabeledIds | None,
) -> tuple[dict[int, Outcome], dict[int, Outcome], list[Mapping[str, Any]]]:
    """The rows the answer's ``errors`` name: (failed: an error names their pair or a record
    that does not exist; loose: named by one of their records only, or unsure, to be read back;
    the errors that name no row)."""
    failures: dict[int, Outcome] = {}
    loose: dict[int, Outcome] = {}
    unmapped: list[Mapping[str, Any]] = []
    errors = shapes.listed(body.get("errors"))
    index = record_index(batch.items) if errors else {}
    for err in errors:
        if not isinstance(err, dict):
            continue
        named = blame(err, batch.items, index, unlabeled)
        if not named.rows:
            unmapped.append(err)
        code = classify(err)
        by_record = not batch.action.is_limit and _names_one_record(err, code)
        rows = named.rows
        claimed = all(i in failures or i in loose for i in rows)
        if rows and claimed and not by_record:
            rows = _pair_mates(batch, rows, failures, loose)  # a second error for one pair
            for i in rows:
                loose.setdefault(
                    i, _item_failure(batch, batch.items[i], err, code, resp, attempts, unlabeled)
                )
            continue
        for i in rows:
            found = loose if by_record or i in named.unsure else failures
            found.setdefault(
                i, _item_failure(batch, batch.items[i], err, code, resp, attempts, unlabeled)
            )
    return failures, loose, unmapped


def _pair_mates(
    batch: Batch, rows: Sequence[int], failures: Mapping[int, Outcome], loose: Mapping[int, Outcome]
) -> list[int]:
    """The other rows of the pairs of ``rows`` that no error has named yet.  An error naming
    rows an earlier error named already is about another row: two rows of one pair (a label
    and the unlabeled type, say) refused by one limit get two errors that both name the type
    the limit counts.  Those rows are read back, each taking the error should its change not
    be there (before, the second row read back as "answered without this row")."""
    pairs = {(batch.items[i].from_id, batch.items[i].to_id) for i in rows}
    return [
        i
        for i, item in enumerate(batch.items)
        if (item.from_id, item.to_id) in pairs and i not in failures and i not in loose
    ]


#: The batch envelope's ``status`` values that say it is not done yet (HubSpot's specs list
#: ``CANCELED``, ``COMPLETE``, ``PENDING`` and ``PROCESSING``).
PENDING_STATUSES: Final = frozenset({"PENDING", "PROCESSING"})
_PENDING: Final = re.compile(rb'"(?:PENDING|PROCESSING)"', re.IGNORECASE)


def _pending(resp: ApiResponse) -> str | None:
    """The answer's ``status`` when it says the batch is still being processed, else None
    (found in its bytes first: most answers are not parsed to be read)."""
    if not _PENDING.search(resp.content):
        return None
    status = str(resp.json().get("status") or "").strip().upper()
    return status if status in PENDING_STATUSES else None


def _still_processing(
    batch: Batch,
    item: WorkItem,
    resp: ApiResponse,
    attempts: int,
    status: str,
    *,
    cancelled: bool = False,
) -> Outcome:
    """A row of a batch HubSpot answered as still being processed, whose change a read (or
    several, a while apart) does not show yet: it may still be applied.  ``cancelled``: the
    run was cancelled while it waited, and the one read made then did not show it."""
    reads = (
        "the run was cancelled while it waited, and the read made then does not show"
        if cancelled
        else "reads a few seconds apart do not show"
    )
    return _failed(
        batch,
        item,
        resp,
        attempts,
        ErrorCode.UNKNOWN_OUTCOME,
        f"The outcome is unknown: HubSpot answered (HTTP {resp.status}) that the batch is still "
        f"being processed (status {status}), and {reads} this row's change yet: it may still "
        "be applied. Check later, or run the retry file: sending it again is safe.",
    )


def cancelled_processing(
    batch: Batch, item: WorkItem, resp: ApiResponse, attempts: int, status: str
) -> Outcome:
    """:func:`_still_processing` of a run cancelled while it waited to read the row again."""
    return _still_processing(batch, item, resp, attempts, status, cancelled=True)


# --- an answer read from its bytes ------------------------------------------------------------

#: JSON's pieces as an answer's bytes spell them: a string (quotes inside escaped, no raw
#: control character), a scalar.
_STR: Final = r'"[^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*"'
_SCALAR: Final = rf"(?:{_STR}|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)"


def _json(template: str, *, spaced: bool = True, **parts: str) -> str:
    """A pattern of JSON tokens: each space of ``template`` is optional whitespace (none when
    not ``spaced``), each ``$name`` a part (written so that no two whitespace runs meet)."""
    return Template(template.replace(" ", "[ \t\n\r]*" if spaced else "")).substitute(parts)


def _key(*not_these: str) -> str:
    """A key of letters, not one of ``not_these``: a key spelled with escapes (another key once
    read) is none, and so is a second spelling of a key the pattern reads."""
    others = "|".join(not_these)
    return (f'"(?!(?:{others})")' if not_these else '"') + '[A-Za-z_]+"'


#: An object whose values are scalars (an envelope's ``links``).
_FLAT: Final = _json(r"\{ (?:$key : $scalar(?: , $key : $scalar)*)? \}", key=_key(), scalar=_SCALAR)
#: A member of the envelope beside ``results``: a scalar or a flat object.
_TOP: Final = _json("$key : (?:$scalar|$flat)", key=_key("results"), scalar=_SCALAR, flat=_FLAT)
#: An answer's bytes up to the ``[`` that opens its top-level ``results``, and from the ``]``
#: that closes it (searched for in its last :data:`_TAIL_BYTES`).
_HEAD: Final = re.compile(_json(r' \{ (?:$top , )*"results" : (?=\[)', top=_TOP).encode())
_TAIL: Final = re.compile(_json(r"\](?: , $top)* \} \Z", top=_TOP).encode())
_TAIL_BYTES: Final = 4096
#: The from and the to id of a result: a JSON string of digits or a number (the quote, if
#: any, must close it).
_FROM_ID: Final = r'(?P<fq>"?)([0-9]+)(?P=fq)'
_TO_ID: Final = r'(?P<tq>"?)([0-9]+)(?P=tq)'


def _created() -> str:
    """A labeled create's result as HubSpot writes it (no spaces: :func:`_entries`): groups its
    from object type, (quote,) from id, to object type, (quote,) to id, the text inside its
    labels list."""
    return _json(
        r'\{ "fromObjectTypeId" : ($str) , "fromObjectId" : $f , "toObjectTypeId" : ($str) , '
        r'"toObjectId" : $t , "labels" : \[ ((?:$str(?: , $str)*)?) \] \}',
        spaced=False,
        f=_FROM_ID,
        t=_TO_ID,
        str=_STR,
    )


def _defaulted() -> str:
    """A default association's result as HubSpot writes it (no spaces: :func:`_entries`):
    groups (quote,) its from id, (quote,) to id, association type id."""
    return _json(
        r'\{ "from" : \{ "id" : $f \} , "to" : \{ "id" : $t \} , "associationSpec" : '
        r'\{ "associationCategory" : $str , "associationTypeId" : ([0-9]+) \} \}',
        spaced=False,
        f=_FROM_ID,
        t=_TO_ID,
        str=_STR,
    )


def _entries(result: str) -> re.Pattern[bytes]:
    """Each result of a ``results`` list, with the ``[`` or ``,`` before it, or else any one
    byte (the last group: what is not a result where the list's results should be).  HubSpot
    writes its answers without spaces: a result spelled with them (read twice as slowly) is
    not one of these, and its answer is parsed."""
    return re.compile(_json(r"[\[,]$result|(.)", spaced=False, result=result).encode(), re.DOTALL)


def _created_types(found: tuple[bytes, ...]) -> dict[str, Any]:
    """The object type ids a labeled create's result found in its bytes gives (as parsed)."""
    return {"fromObjectTypeId": json.loads(found[0]), "toObjectTypeId": json.loads(found[1])}


def _defaulted_type(found: tuple[bytes, ...]) -> dict[str, Any]:
    """The association type a default association's result found in its bytes gives."""
    return {"associationSpec": {"associationTypeId": int(found[0])}}


@dataclass(frozen=True)
class _Listing:
    """How the results of an endpoint are read from an answer's bytes: each result's groups,
    and from them its row's key (and labels text), the direction it says (``sign``: the groups
    :func:`_forward` judges, as ``typed`` gives them to it), and anything but a result."""

    pattern: re.Pattern[bytes]
    row: Callable[[tuple[bytes, ...]], tuple[bytes, ...]]
    sign: Callable[[tuple[bytes, ...]], tuple[bytes, ...]]
    typed: Callable[[tuple[bytes, ...]], dict[str, Any]]
    other: Callable[[tuple[bytes, ...]], bytes] = operator.itemgetter(-1)


#: The results of a create (from id, to id, and the text inside its labels list), found in the
#: answer's bytes without parsing it, for the keys HubSpot writes in its order (an answer of
#: another shape is parsed).
_LISTED: Final[Mapping[Action, _Listing]] = {
    Action.ASSOCIATE: _Listing(
        _entries(_created()),
        operator.itemgetter(2, 5, 6),
        operator.itemgetter(0, 3),
        _created_types,
    ),
    Action.ASSOCIATE_DEFAULT: _Listing(
        _entries(_defaulted()),
        operator.itemgetter(1, 3),
        operator.itemgetter(4, 4),  # its type id, as a tuple (as the labeled's signs are)
        _defaulted_type,
    ),
}


def _listed_pairs(
    batch: Batch, content: bytes, unlabeled: UnlabeledIds
) -> list[tuple[bytes, ...]] | None:
    """(from id, to id[, the text inside its labels list]) of each result of the answer's
    top-level ``results`` that is of the batch's direction (:func:`_forward`, as
    :meth:`_Said.own` reads it), when the answer is nothing but that list of results of the
    shape :data:`_LISTED` reads beside scalars: quotes inside a JSON string are escaped, so a
    label cannot fake a result, and the pairs of an echo of the request under another key (or
    of a second list) are not what was done.  None for any other answer (it is then parsed)."""
    head = _HEAD.match(content)
    if head is None:
        return None
    tail = _TAIL.search(content, max(head.end(), len(content) - _TAIL_BYTES))
    if tail is None:
        return None
    listing = _LISTED[batch.action]
    found = listing.pattern.findall(content, head.end(), tail.start())
    if not found or any(map(listing.other, found)):
        return None  # not results only (or none: the answer is parsed)
    signs = set(map(listing.sign, found))
    try:
        own = {
            sign
            for sign in signs
            if batch.from_type == batch.to_type
            or _forward(batch, listing.typed(sign), unlabeled) is not False
        }
    except ValueError:  # a type id's text that does not read
        return None
    kept = (
        found if own == signs else compress(found, map(own.__contains__, map(listing.sign, found)))
    )
    return list(map(listing.row, kept))


def _lists_every_row(
    batch: Batch, resp: ApiResponse, unlabeled: UnlabeledIds, names: LabelNames | None
) -> bool:
    """The answer has no errors and its results name every row of the batch, as found in its
    bytes (the common answer of a run, read without building its JSON); False when that does
    not show it (the answer is then parsed)."""
    if batch.action not in _LISTED or batch.table is None or resp.may_have_errors():
        return False
    keys = batch.table.record_keys(binary=True)
    if batch.action is Action.ASSOCIATE and len(set(keys)) < len(keys):
        return False  # a pair with two labels: each is confirmed by its own (see _unlabeled)
    crossed = batch.from_type != batch.to_type and batch.table.ids_on_both_sides()
    if crossed and _both_ways(keys):
        return False  # rows of both directions: only a result's direction tells (_Said.own)
    found = _listed_pairs(batch, resp.content, unlabeled)
    if found is None:
        return False
    if batch.action is Action.ASSOCIATE:
        return _labels_listed(batch.table, keys, found, _pair_names(batch, names))
    listed = set(found)
    return all(key in listed for key in keys)


def _labels_listed(
    table: WorkTable,
    keys: Sequence[tuple[bytes, bytes]],
    found: Sequence[tuple[bytes, ...]],
    pair: Mapping[int, str | None] | None,
) -> bool:
    """Whether the results found in an answer's bytes (from id, to id, the text of their
    labels list) name every row's pair, each labeled row's with its label (see
    :func:`_unlabeled`); False when they do not, a list does not read, or a row's label is
    one names cannot confirm (:data:`LabelNames`)."""
    names: dict[bytes, frozenset[str]] = {}
    for text in {text for _, _, text in found}:
        listed = _label_names(text)
        if listed is None:
            return False
        names[text] = listed
    rows, wanted = _table_wanted(table, pair)
    if _Unsure.NAMES in wanted.values():
        return False  # the answer is parsed, and the row read back
    if len(names) == 1:  # the common answer: every result lists the same labels
        (same,) = names.values()
        if not set(wanted.values()) - {None} <= same:
            return False
        pairs = {(f, t) for f, t, _ in found}
        return all(key in pairs for key in keys)
    by_pair = {(f, t): names[text] for f, t, text in found}
    return all(
        key in by_pair and (row[0] == NONE or wanted[row] in (None, *by_pair[key]))
        for key, row in zip(keys, rows, strict=True)
    )


def _label_names(text: bytes) -> frozenset[str] | None:
    """The label names of a results entry's ``labels`` list, from the text inside its brackets
    (:func:`_names_of`); None when it does not read."""
    try:
        return _names_of(json.loads(b"[" + text + b"]"))
    except ValueError:
        return None


def _names_of(names: Any) -> frozenset[str] | None:
    """The label names of a result's ``labels``, as spelled (:func:`_wanted`); None when it is
    not a list of texts."""
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return None
    return frozenset(names)


def _names_one_record(err: Mapping[str, Any], code: ErrorCode) -> bool:
    """The error names association rows by a record (its from id, its to id, an ``objectId``),
    not by their pairs: unless the record does not exist, it may not be about every row of
    it.  (A limit row is named by its type, which is all it is.)"""
    if code is ErrorCode.OBJECT_NOT_FOUND:
        return False  # no row of a record that does not exist was applied
    named = _named(err)
    return not (named.from_ids and named.to_ids)


def _contradicted(said: _Said, failures: Mapping[int, Outcome]) -> list[int]:
    """Rows an error refuses whose key the answer's results list as done: the answer says both
    (or, for two labels of one pair, the error may be about the other label), so only a read
    of the portal can tell."""
    done = said.keys() if failures else None
    if not done:
        return []
    keys = said.row_keys
    return [i for i in failures if keys[i] in done]


def _unconfirmed(
    said: _Said,
    failures: Mapping[int, Outcome],
    unmapped: Sequence[Mapping[str, Any]],
    named_rows: bool,
) -> list[int]:
    """The rows no error names that the answer does not confirm (see :func:`read_answer`)."""
    batch, body = said.batch, said.body
    if not named_rows:
        confirms = not (unmapped or endpoint(batch.action).read_back)
        return [] if confirms else [i for i in range(batch.size) if i not in failures]
    done = said.keys()
    if done is None:  # no results list where there should be one: nothing is confirmed
        return [i for i in range(batch.size) if i not in failures]
    keys = said.row_keys
    open_rows = [i for i, key in enumerate(keys) if i not in failures and key not in done]
    others = _other_limits(batch, body, keys, failures)
    return sorted({*open_rows, *_unlabeled(said, failures), *others})


def _other_limits(
    batch: Batch, body: Mapping[str, Any], keys: list[Key], failures: Mapping[int, Outcome]
) -> list[int]:
    """Rows of a limit create or update whose result names their type with anything but the
    limit sent (HubSpot capped or kept one): only a read of the limits tells what holds.  The
    limit is read as pre-flight reads it, under ``userEnforcedMaxToObjectIds`` or
    ``maxToObjectIds``, a whole number as a JSON integer or digits; any other value there
    (``50.0``, ``"5 "``, ``true``, ``null``) is not the limit sent.  A result giving neither
    key says nothing against the row.  Before, such a row was reported ``success`` with the
    limit sent unless a JSON integer under the first key said otherwise."""
    key_of = endpoint(batch.action).result_key
    if batch.action not in (Action.CREATE_LIMIT, Action.UPDATE_LIMIT) or key_of is None:
        return []
    given: dict[Key, set[int | None]] = {}
    for result in shapes.listed(body.get("results")):
        if isinstance(result, dict):
            limits = given.setdefault(key_of(result), set())
            limits.update(_limit_read(result[name]) for name in _LIMIT_KEYS if name in result)
    return [
        i
        for i, (key, item) in enumerate(zip(keys, batch.items, strict=True))
        if i not in failures and given.get(key, set()) - {item.max_to_object_ids}
    ]


#: Where a limit result gives its limit (as :mod:`hubframe.run.preflight` reads it).
_LIMIT_KEYS: Final = ("userEnforcedMaxToObjectIds", "maxToObjectIds")


def _limit_read(value: Any) -> int | None:
    """A limit an answer gives, as a whole number (:func:`~hubframe.hubspot.shapes.whole`); None
    when it is not one (no limit can be sent as None)."""
    return int(value) if shapes.whole(value) else None


def _unlabeled(said: _Said, failures: Mapping[int, Outcome]) -> list[int]:
    """Rows of a labeled create whose pair's results do not list their label: a result names
    the pair that was linked and, in ``labels``, the labels that were set (``[]``: none; two
    rows of one pair: one label, or both).  Such a row is read back, whatever its label (one
    of HubSpot's, Primary, too): the read settles it.  A result without ``labels`` (or with
    ``null``) says nothing of labels (the pair is enough); one whose ``labels`` is not a list
    of names (a text, an object, a list holding a number) cannot be read, and lists none.  A
    row given by type id only has no name to look for.  A name confirms a row's label only
    when it is the exact name of the label the row resolved to, and never when another label
    of the pair matches that one as a sheet's label is matched (:data:`LabelNames`): before,
    names were compared case- and space-insensitively, and an answer listing "Sponsor"
    confirmed a row that asked for "sponsor"."""
    batch, keys = said.batch, said.row_keys
    key_of = endpoint(batch.action).result_key
    if batch.action is not Action.ASSOCIATE or key_of is None:
        return []
    listed: dict[Key, set[str]] = {}
    for result in said.own():
        names = result.get("labels")
        if names is not None:
            listed.setdefault(key_of(result), set()).update(_names_of(names) or ())
    if not listed:
        return []
    wanted = _row_wanted(batch, _pair_names(batch, said.names))
    return [
        i
        for i, (key, name) in enumerate(zip(keys, wanted, strict=True))
        if i not in failures
        and name is not None
        and key in listed
        and (name is _Unsure.NAMES or name not in listed[key])
    ]


def _pair_names(batch: Batch, names: LabelNames | None) -> Mapping[int, str | None] | None:
    """The labels read of the batch's pair (empty: not read); None: no labels were given."""
    return None if names is None else names.get((batch.from_type, batch.to_type), {})


def _row_wanted(batch: Batch, pair: Mapping[int, str | None] | None) -> list[_Wanted]:
    """Each row's :func:`_wanted`, from the batch's table when it has one."""
    table = batch.table
    if table is None:
        return [_wanted(item.label, item.type_id, pair) for item in batch.items]
    rows, wanted = _table_wanted(table, pair)
    return [wanted.get(row) for row in rows]


def _table_wanted(
    table: WorkTable, pair: Mapping[int, str | None] | None
) -> tuple[list[tuple[int, int | None]], dict[tuple[int, int | None], _Wanted]]:
    """Each row's (label code, type id), and :func:`_wanted` of each distinct one labeled
    (worked out once: a batch of 2,000 rows has a handful)."""
    rows = list(zip(table.label_codes.tolist(), table.type_ids.tolist(), strict=True))
    wanted = {
        row: _wanted(table.labels[row[0]], row[1], pair) for row in set(rows) if row[0] != NONE
    }
    return rows, wanted


def _wanted(
    label: str | None, type_id: int | None, pair: Mapping[int, str | None] | None
) -> _Wanted:
    """The name a result lists when a row's label was set: the exact name of the label of the
    row's type id in ``pair`` (the labels read of the batch's pair; None: none given, and the
    row's own text is looked for as written).  None: the row has no label name (none, or a
    word for the unlabeled type); :attr:`_Unsure.NAMES`: the type's label has a lookalike, or
    the pair's labels were not read -- no name can confirm it."""
    if not _has_label_name(label):
        return None
    if pair is None:
        return label
    name = None if type_id is None else pair.get(type_id)
    return _Unsure.NAMES if name is None else name


def _has_label_name(label: str | None) -> bool:
    """Whether a row's label is a name a result lists when it was set: not none, nor a word
    for the unlabeled type ("default"), which contributes no name."""
    return bool(label) and normalize_label(str(label)) not in UNLABELED_NAMES


def unsaid(action: Action) -> str:
    """Why an answer leaves a row of ``action`` unconfirmed, for the row's message."""
    if action is Action.PURGE_LIMIT:
        return "a purge's answer names no limit, so only a read of the limits can tell"
    if endpoint(action).read_back:
        return "a removal's answer names no row, so only a read of the portal can tell"
    return "it neither lists it as done nor refuses its pair"


def _unchecked(batch: Batch, item: WorkItem, resp: ApiResponse, attempts: int) -> Outcome:
    """A row the answer leaves unconfirmed, before (or without) a read of the portal."""
    return _failed(
        batch,
        item,
        resp,
        attempts,
        ErrorCode.UNKNOWN_OUTCOME,
        f"The outcome is unknown: HubSpot's answer (HTTP {resp.status}) does not say whether "
        f"this row was applied ({unsaid(item.action)}), and no read has checked it. Run the "
        "retry file: sending it again is safe.",
    )


def _not_applied(batch: Batch, item: WorkItem, resp: ApiResponse, attempts: int) -> Outcome:
    """A row the answer left unconfirmed that a read shows is not there."""
    said = (
        f"Not applied: HubSpot answered the purge (HTTP {resp.status}) without an error, but a "
        "read shows the limit is still set. Run the retry file."
        if batch.action is Action.PURGE_LIMIT
        else f"Not applied: HubSpot's answer (HTTP {resp.status}) did not confirm the limit "
        f"{item.max_to_object_ids} (it left the row out, or gave another limit), and a read "
        f"shows the limit is not {item.max_to_object_ids}. Run the retry file."
        if batch.action.is_limit
        else f"Not applied: HubSpot answered the removal (HTTP {resp.status}) without an "
        "error, but a read shows the association is still there. Run the retry file."
        if endpoint(batch.action).read_back
        else f"Not applied: HubSpot's answer (HTTP {resp.status}) listed neither this row's pair "
        "with its label nor an error for it, and a read shows the change is not there. Run the "
        "retry file."
        if _has_label_name(item.label)
        else f"Not applied: HubSpot answered the batch (HTTP {resp.status}) without this row "
        "and without an error for it, and a read shows the change is not there. Run the retry "
        "file."
    )
    return _failed(batch, item, resp, attempts, ErrorCode.NOT_APPLIED, said)


#: The most errors tied to no row that a row's message quotes.
_QUOTED: Final = 3


def _untied(
    batch: Batch,
    item: WorkItem,
    resp: ApiResponse,
    attempts: int,
    unmapped: Sequence[Mapping[str, Any]],
    unlabeled: UnlabeledIds | None,
) -> Outcome:
    """A row the answer left unconfirmed, beside errors it ties to no row, that a read shows
    is not there.  One of them may be its refusal, or none (HubSpot skipped it), so it takes
    none of their codes as its own (a row whose record does not exist was given another row's
    limit error): ``HUBSPOT_VALIDATION``, which the sender diagnoses by reading the portal
    (:mod:`hubframe.run.diagnose`), quoting them as said of some rows of the batch.  The only
    row of its batch is what they are about: it takes the first."""
    if batch.size == 1:
        err = unmapped[0]
        return _item_failure(batch, item, err, classify(err), resp, attempts, unlabeled)
    quoted = list(dict.fromkeys(_hubspot_said(err) for err in unmapped))
    more = f" (and {len(quoted) - _QUOTED} more)" if len(quoted) > _QUOTED else ""
    said = "; ".join(f'"{text}"' for text in quoted[:_QUOTED])
    outcome = _failed(
        batch,
        item,
        resp,
        attempts,
        ErrorCode.HUBSPOT_VALIDATION,
        f"Not applied: HubSpot's answer (HTTP {resp.status}) neither lists this row as done nor "
        f"ties an error to it, and {_read_shows(batch, item)}. HubSpot said, of some rows of "
        f"this batch: {said}{more}. Run the retry file.",
    )
    categories = {str(err.get("category")) for err in unmapped if err.get("category")}
    return outcome.with_(hubspot_category=categories.pop()) if len(categories) == 1 else outcome


def _hubspot_said(err: Mapping[str, Any]) -> str:
    return str(err.get("message") or "no message").strip().rstrip(".")


def _read_shows(batch: Batch, item: WorkItem) -> str:
    """What the read of a row left unconfirmed found, as a message says it."""
    if batch.action is Action.PURGE_LIMIT:
        return "a read shows the limit is still set"
    if batch.action.is_limit:
        return f"a read shows the limit is not {item.max_to_object_ids}"
    if endpoint(batch.action).read_back:
        return "a read shows the association is still there"
    return "a read shows the change is not there"


def _failed(
    batch: Batch, item: WorkItem, resp: ApiResponse, attempts: int, code: ErrorCode, said: str
) -> Outcome:
    return Outcome(
        Status.FAILED,
        action=item.action,
        error_code=code,
        error_message=said,
        http_status=resp.status,
        correlation_id=resp.correlation_id,
        batch=batch.number,
        attempts=attempts,
    )


def _one_action(batch: Batch) -> bool:
    """Every row of the batch is sent with the batch's action (as planned batches are)."""
    if batch.table is not None:
        return bool((batch.table.actions == ACTION_CODE[batch.action]).all())
    return all(item.action is batch.action for item in batch.items)


def _item_failure(
    batch: Batch,
    item: WorkItem,
    err: Mapping[str, Any],
    code: ErrorCode,
    resp: ApiResponse,
    attempts: int,
    unlabeled: UnlabeledIds | None = None,
) -> Outcome:
    return Outcome(
        Status.FAILED,
        action=item.action,
        error_code=code,
        error_message=row_message(item, err, code, unlabeled),
        http_status=resp.status,
        hubspot_category=str(err.get("category")) if err.get("category") else None,
        correlation_id=resp.correlation_id,
        batch=batch.number,
        attempts=attempts,
    )


class _Said:
    """What a 2xx answer's ``results`` say of a batch's rows: the results that can name a row
    (:meth:`own`: of the batch's direction) and the keys they name (:meth:`keys`)."""

    def __init__(
        self,
        batch: Batch,
        body: Mapping[str, Any],
        unlabeled: UnlabeledIds,
        names: LabelNames | None = None,
    ) -> None:
        self.batch, self.body, self.unlabeled, self.names = batch, body, unlabeled, names
        self._row_keys: list[Key] | None = None

    @property
    def row_keys(self) -> list[Key]:
        if self._row_keys is None:
            self._row_keys = row_keys(self.batch)
        return self._row_keys

    def own(self) -> list[dict[str, Any]]:
        """The results that may name a row: not of the other direction (a default
        association's answer lists each pair both ways, and ids are per object type, so the
        reverse entry of deal 5 -> company 7 is keyed as a row deal 7 -> company 5), nor
        keyed as two rows of both directions without saying which direction is theirs."""
        key_of = endpoint(self.batch.action).result_key
        results = [r for r in shapes.listed(self.body.get("results")) if isinstance(r, dict)]
        if key_of is None or self.batch.from_type == self.batch.to_type:
            return results
        both = _both_ways(self.row_keys)
        own = []
        for result in results:
            forward = _forward(self.batch, result, self.unlabeled)
            if forward or (forward is None and key_of(result) not in both):
                own.append(result)
        return own

    def keys(self) -> set[Key] | None:
        """What the results list says was done, keyed like the endpoint's item key; None when
        the results name nothing (archives) or are missing.  An empty list says nothing was
        done."""
        key = endpoint(self.batch.action).result_key
        if key is None or not isinstance(self.body.get("results"), list):
            return None
        return {key(r) for r in self.own()}


def _both_ways(keys: Sequence[Key]) -> set[Key]:
    """The keys of rows whose reversed key is another row's (deal 5 -> company 7 beside deal
    7 -> company 5)."""
    found = set(keys)
    return {(a, b) for a, b in found if (b, a) in found}


def _forward(batch: Batch, result: Mapping[str, Any], unlabeled: UnlabeledIds) -> bool | None:
    """Whether a result is of the batch's direction: by its object type ids (a labeled
    create's), or by its association type (a default association's: the direction's unlabeled
    type, or the other direction's); None when it does not say (types not known)."""
    if batch.action is Action.ASSOCIATE_DEFAULT:
        type_id = dig(result, "associationSpec", "associationTypeId")
        if type_id is None:
            return None
        if not shapes.whole(type_id):
            return False  # a type id that does not read names no direction of the batch
        type_id = int(type_id)
        forward = _unlabeled_ids(batch.from_type, batch.to_type, unlabeled) or frozenset()
        backward = _unlabeled_ids(batch.to_type, batch.from_type, unlabeled) or frozenset()
        return True if type_id in forward else False if type_id in backward else None
    sides = [
        _names_type(result.get("fromObjectTypeId"), batch.from_type),
        _names_type(result.get("toObjectTypeId"), batch.to_type),
    ]
    return False if False in sides else True if True in sides else None


def _names_type(text: Any, object_type: str) -> bool | None:
    """Whether an answer's object type id names ``object_type``; None when it cannot tell (no
    type id, or a custom object named by a name whose type id the run does not know).  A type
    id that is not a text (``3``, ``{}``) names no object type."""
    known = object_type in OBJECT_TYPES_BY_NAME or _TYPE_ID_TEXT.fullmatch(object_type)
    if text is None or not known:
        return None
    if not isinstance(text, str):
        return False
    return _type_matches(text, object_type)


_TYPE_ID_TEXT: Final = re.compile(r"[0-9]+-[0-9]+")


__all__ = [
    "Answer",
    "Blame",
    "RecordIndex",
    "UnlabeledIds",
    "blame",
    "classify",
    "map_response",
    "read_answer",
    "record_index",
    "row_message",
    "rows_named",
    "unsaid",
]
