"""The in-memory portal: records, association definitions, associations and limits.

Pure state and rules, no HTTP.  Every public method expects the caller to hold ``portal.lock``
(the sandbox's HTTP layer and its Python helpers do).  Record ids are ints inside, strings at
the edges.  Associations are stored in both directions; each stored direction holds the set of
definitions between the two records.

A definition is known inside by its *key*, unique in the portal; its *type id* is what HubSpot
shows, unique only within its direction (from type, to type).  Under the default
``type_ids="global"`` behaviour the two are equal; under ``"per_pair"`` user labels get small
type ids that other pairs use too (see :mod:`hubframe.sandbox.behaviour`), so links, counts and
limits are keyed by definition key, and type ids are looked up per direction.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from hubframe.constants import (
    GET_LIST_PAGE_SIZE,
    HUBSPOT_DEFINED,
    HUBSPOT_DEFINED_TYPES,
    MAX_LABELS_PER_PAIR,
    MAX_LIMIT_VALUE,
    OBJECT_TYPES_BY_NAME,
    PRIMARY_TYPES,
    USER_DEFINED,
)
from hubframe.sandbox.behaviour import Behaviour, LimitErrorNames, TypeIds
from hubframe.sandbox.bodies import (
    JsonDict,
    failure,
    item_error,
    spec_text,
)
from hubframe.sandbox.objects import CustomObject, ObjectKind, TypeRegistry

#: The first key (and, under global type ids, type id) of user labels and custom-object types:
#: above every HUBSPOT_DEFINED id, so ids never collide across categories.
USER_TYPE_ID_START = 1001
CATEGORY_PREFIX = {HUBSPOT_DEFINED: 0, USER_DEFINED: 1, "INTEGRATOR_DEFINED": 2, "WORK": 3}
LIMIT_EXCEEDED = "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
INVALID_TYPE = "crm.associations.INVALID_ASSOCIATION_TYPE"
LABEL_LIMIT = "crm.associations.LABEL_LIMIT_ABOVE_OBJECT_LIMIT"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: The keys (HubSpot-defined: their type ids) of the record -> company "Primary" types
#: (contact 1, deal 5, ticket 26): a record holds one with one company at most
#: (:meth:`Portal._demote`); the reverse types (2, 6, 25) follow as their inverses.
PRIMARY_KEYS: frozenset[int] = frozenset(t.to_company for t in PRIMARY_TYPES)

Keys = tuple[int, ...]
Links = dict[int, dict[int, Keys]]  # from_id -> to_id -> definition keys (tuples: not GC-tracked)
Direction = tuple[str, str]  # (from object type id, to object type id)


@dataclass
class AssocDef:
    """One directional association type (a "definition")."""

    type_id: int
    category: str
    from_type: str  # object type id, "0-3"
    to_type: str
    label: str | None  # None = the unlabeled (default) type
    name: str | None = None  # internal name of user labels
    inverse: int | None = None  # the key of the definition stored for the reverse direction
    key: int = 0  # unique in the portal (Portal.defs); the type id under global type ids

    @property
    def direction(self) -> Direction:
        return self.from_type, self.to_type

    @property
    def spec(self) -> str:
        return spec_text(self.category, self.type_id)


@dataclass
class Portal:
    """All state of one sandbox portal."""

    portal_id: int = 24681357
    behaviour: Behaviour = field(default_factory=Behaviour)
    registry: TypeRegistry = field(init=False)
    lock: threading.RLock = field(default_factory=threading.RLock)
    records: dict[str, dict[int, dict[str, str] | None]] = field(default_factory=dict)
    #: object type id -> properties with unique values (``hasUniqueValue``): idProperty lookups
    unique_properties: dict[str, set[str]] = field(
        default_factory=lambda: {"0-1": {"email"}, "0-2": {"domain"}}
    )
    defs: dict[int, AssocDef] = field(default_factory=dict)  # by key
    pair_defs: dict[Direction, list[int]] = field(default_factory=dict)  # keys per direction
    type_keys: dict[Direction, dict[int, int]] = field(default_factory=dict)  # type id -> key
    links: dict[Direction, Links] = field(default_factory=dict)
    counts: dict[tuple[int, int], int] = field(default_factory=dict)  # (key, source record id)
    limits: dict[int, int] = field(default_factory=dict)  # key -> maxToObjectIds
    defaults: dict[Direction, AssocDef] = field(default_factory=dict)
    next_key: int = USER_TYPE_ID_START
    #: Under per-pair type ids: the next type id to try, per direction.
    next_pair_id: dict[Direction, int] = field(default_factory=dict)
    read_page_size: int = GET_LIST_PAGE_SIZE  # associations per input per batch/read page

    def __post_init__(self) -> None:
        self.registry = TypeRegistry(self.portal_id)
        self._load_hubspot_defined()

    # --- object types ---------------------------------------------------------------------

    def kind(self, spelling: str) -> ObjectKind:
        """Resolve a path segment, or raise the 400 HubSpot sends."""
        kind = self.registry.resolve(spelling, exact=self.behaviour.strict_inputs)
        if kind is None:
            raise failure(400, f"Unable to infer object type from: {spelling}")
        return kind

    def add_custom_object(self, custom: CustomObject, associated_with: Sequence[str]) -> None:
        """Register a custom object with unlabeled types to each listed object type."""
        kind = self.registry.add_custom(custom)
        for other in associated_with:
            other_kind = self.kind(other)
            forward = self._new_def(USER_DEFINED, kind.type_id, other_kind.type_id, None)
            backward = self._new_def(
                USER_DEFINED, other_kind.type_id, kind.type_id, None, near=forward.type_id
            )
            forward.inverse, backward.inverse = backward.key, forward.key

    # --- records --------------------------------------------------------------------------

    def add_records(
        self,
        kind: ObjectKind,
        ids: Iterable[int | str],
        properties: Sequence[dict[str, str]] | None = None,
    ) -> None:
        store = self.records.setdefault(kind.type_id, {})
        if properties is None:  # None, not {}: a dict of ints and None is not GC-tracked
            store.update(dict.fromkeys(int(raw) for raw in ids))
            return
        for raw, props in zip(ids, properties, strict=True):
            store[int(raw)] = dict(props)

    def has_record(self, kind: ObjectKind, record_id: int) -> bool:
        return record_id in self.records.get(kind.type_id, {})

    # --- definitions ----------------------------------------------------------------------

    def _load_hubspot_defined(self) -> None:
        for t in HUBSPOT_DEFINED_TYPES:
            a, b = (
                OBJECT_TYPES_BY_NAME[t.from_type].type_id,
                OBJECT_TYPES_BY_NAME[t.to_type].type_id,
            )
            self._add_def(AssocDef(t.type_id, HUBSPOT_DEFINED, a, b, t.label, key=t.type_id))
        for d in self.defs.values():
            d.inverse = self._hubspot_inverse(d)

    def _hubspot_inverse(self, d: AssocDef) -> int | None:
        explicit = {13: 14, 14: 13}
        if d.type_id in explicit:
            return explicit[d.type_id]
        for other_key in self.pair_defs.get((d.to_type, d.from_type), []):
            other = self.defs[other_key]
            if other.label == d.label and other.category == d.category:
                return other.key
        return None

    def _add_def(self, d: AssocDef) -> AssocDef:
        self.defs[d.key] = d
        direction = d.direction
        self.pair_defs.setdefault(direction, []).append(d.key)
        self.type_keys.setdefault(direction, {})[d.type_id] = d.key
        if d.label is None and (direction not in self.defaults or d.category == HUBSPOT_DEFINED):
            self.defaults[direction] = d
        return d

    def _new_def(
        self,
        category: str,
        a: str,
        b: str,
        label: str | None,
        name: str | None = None,
        *,
        near: int | None = None,
    ) -> AssocDef:
        """A new definition; ``near``: the type id of its inverse, which this one must not equal
        or neighbour under per-pair type ids."""
        key = self.next_key
        self.next_key += 1
        type_id = key
        if self.behaviour.type_ids is TypeIds.PER_PAIR:
            type_id = self._pair_type_id((a, b), near)
        return self._add_def(AssocDef(type_id, category, a, b, label, name, key=key))

    def _pair_type_id(self, direction: Direction, near: int | None) -> int:
        """The next free small type id of a direction (never reused), not within 1 of ``near``:
        a client that takes a label's inverse to be id + 1 (or the same id) goes wrong."""
        taken = self.type_keys.get(direction, {})
        candidate = self.next_pair_id.get(direction, 1)
        while candidate in taken or (near is not None and abs(candidate - near) <= 1):
            candidate += 1
        self.next_pair_id[direction] = candidate + 1
        return candidate

    def definitions(self, fk: ObjectKind, tk: ObjectKind) -> list[AssocDef]:
        """Every type for the direction: labeled ones by id, then the unlabeled one."""
        found = [self.defs[k] for k in self.pair_defs.get((fk.type_id, tk.type_id), [])]
        return sorted(found, key=lambda d: (d.label is None, d.type_id))

    def unlabeled(self, fk: ObjectKind, tk: ObjectKind) -> AssocDef | None:
        """The unlabeled ("default") type of the direction, if the pair has one."""
        return self.defaults.get((fk.type_id, tk.type_id))

    def def_by_type(self, fk: ObjectKind, tk: ObjectKind, type_id: int) -> AssocDef | None:
        """The definition with this type id in the fk -> tk direction, if any."""
        key = self.type_keys.get((fk.type_id, tk.type_id), {}).get(type_id)
        return None if key is None else self.defs[key]

    def find_def(
        self, fk: ObjectKind, tk: ObjectKind, category: str, type_id: int
    ) -> AssocDef | None:
        d = self.def_by_type(fk, tk, type_id)
        if d is None or d.category != category:
            return None
        return d

    def add_label(
        self, fk: ObjectKind, tk: ObjectKind, name: str, label: str, inverse_label: str | None
    ) -> list[AssocDef]:
        """Create a user label; returns the forward definition, then the reverse one if any."""
        self._check_new_label(fk, tk, name, label)
        forward = self._new_def(USER_DEFINED, fk.type_id, tk.type_id, label, name)
        if fk.type_id == tk.type_id and not inverse_label:
            forward.inverse = forward.key
            return [forward]
        backward = self._new_def(
            USER_DEFINED, tk.type_id, fk.type_id, inverse_label or label, name, near=forward.type_id
        )
        forward.inverse, backward.inverse = backward.key, forward.key
        return [forward, backward]

    def _check_new_label(self, fk: ObjectKind, tk: ObjectKind, name: str, label: str) -> None:
        if not _NAME_RE.match(name):
            raise failure(
                400,
                f"Invalid association label name '{name}': use letters, digits and underscores, "
                "not starting with a digit.",
            )
        if not label.strip():
            raise failure(400, "The association label may not be empty.")
        users = [d for d in self.definitions(fk, tk) if d.category == USER_DEFINED and d.label]
        if any(d.name == name for d in users):
            raise failure(400, f"An association label named '{name}' already exists.")
        if len(users) >= MAX_LABELS_PER_PAIR:
            raise failure(
                400,
                f"Too many association labels: at most {MAX_LABELS_PER_PAIR} labels are allowed "
                f"between {fk.error_name} and {tk.error_name}.",
            )

    def user_def(self, fk: ObjectKind, tk: ObjectKind, type_id: int) -> AssocDef:
        """A user label of this direction, or the 400 for anything else."""
        d = self.def_by_type(fk, tk, type_id)
        if d is None:
            raise failure(
                400,
                f"{type_id} is not a valid association type between "
                f"{fk.error_name} and {tk.error_name}",
                sub_category=INVALID_TYPE,
            )
        if d.category != USER_DEFINED or d.label is None:
            raise failure(400, f"Association type {type_id} is not a user-defined label.")
        return d

    def update_label(self, d: AssocDef, label: str, inverse_label: str | None) -> None:
        d.label = label
        inverse = self.defs.get(d.inverse) if d.inverse is not None else None
        if inverse is not None and inverse is not d and inverse_label:
            inverse.label = inverse_label

    def delete_label(self, d: AssocDef) -> None:
        keys = {d.key} | ({d.inverse} if d.inverse is not None else set())
        in_use = [k for (k, _), n in self.counts.items() if k in keys and n > 0]
        if in_use:
            raise failure(
                400,
                f"Association label '{d.label}' ({d.type_id}) is in use; remove it from records "
                "before deleting it.",
            )
        for key in keys:
            gone = self.defs.pop(key)
            self.pair_defs[gone.direction].remove(key)
            del self.type_keys[gone.direction][gone.type_id]
            self.limits.pop(key, None)

    # --- associations ---------------------------------------------------------------------

    def linked(self, fk: ObjectKind, tk: ObjectKind, from_id: int) -> dict[int, Keys]:
        return self.links.get((fk.type_id, tk.type_id), {}).get(from_id, {})

    def types_between(self, fk: ObjectKind, tk: ObjectKind, from_id: int, to_id: int) -> Keys:
        return self.linked(fk, tk, from_id).get(to_id, ())

    def associate(
        self,
        fk: ObjectKind,
        tk: ObjectKind,
        pair: tuple[int, int],
        types: Sequence[AssocDef],
        *,
        replace: bool = False,
        enforce: bool = True,
    ) -> JsonDict | None:
        """Add ``types`` (plus the unlabeled type) both ways; a limit error item, or None."""
        from_id, to_id = pair
        forward = {d.key for d in types}
        default = self.defaults.get((fk.type_id, tk.type_id))
        if default is not None:
            forward.add(default.key)
        current = self.types_between(fk, tk, from_id, to_id)
        if not replace and forward.issubset(current):
            return None  # already there: creating an existing association is a no-op
        drop = {t for t in current if t not in forward and self.defs[t].label is not None}
        new_forward = forward.difference(current)
        new_reverse = self._inverses(new_forward).difference(
            self.types_between(tk, fk, to_id, from_id)
        )
        if enforce and self.limits:
            err = self._check_limits(fk, tk, pair, new_forward, new_reverse)
            if err is not None:
                return err
        if replace and drop:
            self._unlink(fk, tk, from_id, to_id, drop)
        self._link(fk.type_id, tk.type_id, from_id, to_id, new_forward)
        self._link(tk.type_id, fk.type_id, to_id, from_id, new_reverse)
        return None

    def associate_all(
        self,
        fk: ObjectKind,
        tk: ObjectKind,
        pairs: Sequence[tuple[int, int]],
        types: Sequence[AssocDef],
    ) -> dict[int, JsonDict]:
        """:meth:`associate` for each pair in turn, all with ``types``; errors by pair position.

        The batch endpoints' hot path: when no configured limit concerns these types (the usual
        case), the pairs are linked in one tight loop with the same effect as :meth:`associate`.
        """
        forward = {d.key for d in types}
        default = self.defaults.get((fk.type_id, tk.type_id))
        if default is not None:
            forward.add(default.key)
        both = forward | self._inverses(forward)
        if (self.limits and not self.limits.keys().isdisjoint(both)) or self._moves_primary(both):
            refused: dict[int, JsonDict] = {}
            for n, pair in enumerate(pairs):
                err = self.associate(fk, tk, pair, types)
                if err is not None:
                    refused[n] = err
            return refused
        if forward:
            self._link_all(fk, tk, pairs, tuple(forward), types)
        return {}

    def _link_all(
        self,
        fk: ObjectKind,
        tk: ObjectKind,
        pairs: Sequence[tuple[int, int]],
        forward: Keys,
        types: Sequence[AssocDef],
    ) -> None:
        """Link every pair both ways with ``forward`` and its inverses; no limit checks."""
        defs, counts = self.defs, self.counts
        inverse = {t: defs[t].inverse for t in forward}
        reverse = tuple(dict.fromkeys(i for i in inverse.values() if i is not None))
        same = fk.type_id == tk.type_id
        by_from = self.links.setdefault((fk.type_id, tk.type_id), {})
        by_to = self.links.setdefault((tk.type_id, fk.type_id), {})
        for from_id, to_id in pairs:
            if same and from_id == to_id:  # both directions share one entry: the general path
                self.associate(fk, tk, (from_id, to_id), types)
                continue
            targets = by_from.get(from_id)
            stored: Keys = targets.get(to_id, ()) if targets is not None else ()
            new, new_reverse = forward, reverse
            if stored:
                new = tuple(t for t in forward if t not in stored)
                if not new:
                    continue  # already there: a no-op
                new_reverse = tuple(dict.fromkeys(i for t in new if (i := inverse[t]) is not None))
            if targets is None:
                targets = by_from[from_id] = {}
            targets[to_id] = stored + new
            for t in new:
                counts[(t, from_id)] = counts.get((t, from_id), 0) + 1
            if not new_reverse:
                continue
            back = by_to.get(to_id)
            if back is None:
                back = by_to[to_id] = {}
            back_stored: Keys = back.get(from_id, ())
            for t in new_reverse:
                if t not in back_stored:
                    back_stored += (t,)
                    counts[(t, to_id)] = counts.get((t, to_id), 0) + 1
            back[from_id] = back_stored

    def _inverses(self, keys: Iterable[int]) -> set[int]:
        defs = self.defs
        return {inv for k in keys if (inv := defs[k].inverse) is not None}

    def _moves_primary(self, keys: set[int]) -> bool:
        """Whether linking ``keys`` (both directions' keys) may move a record's primary."""
        return not PRIMARY_KEYS.isdisjoint(keys)

    def _demote(
        self, a: str, b: str, record_id: int, company_id: int, keys: frozenset[int]
    ) -> None:
        """``record_id`` (of type ``a``) now holds the primary ``keys`` with ``company_id``:
        take them, both ways, from every other company it held them with.  That company stays
        associated: every pair linked here holds the unlabeled type beside its labels."""
        by_record = self.links.get((a, b), {}).get(record_id, {})
        for other, stored in list(by_record.items()):
            gone = keys.intersection(stored)
            if other != company_id and gone:
                self._unlink_one(a, b, record_id, other, gone)
                self._unlink_one(b, a, other, record_id, self._inverses(gone))

    def _link(self, a: str, b: str, from_id: int, to_id: int, keys: set[int]) -> None:
        if not keys:
            return
        by_from = self.links.get((a, b))
        if by_from is None:
            by_from = self.links[(a, b)] = {}
        targets = by_from.get(from_id)
        if targets is None:
            targets = by_from[from_id] = {}
        stored: Keys = targets.get(to_id, ())
        counts = self.counts
        for k in keys:
            if k not in stored:
                stored += (k,)
                counts[(k, from_id)] = counts.get((k, from_id), 0) + 1
        targets[to_id] = stored  # tuples of ints: the GC stops tracking them
        primary = PRIMARY_KEYS.intersection(keys)
        if primary:
            self._demote(a, b, from_id, to_id, primary)

    def _unlink_one(
        self, a: str, b: str, from_id: int, to_id: int, keys: Iterable[int] | None
    ) -> None:
        """Remove the definitions ``keys`` (None = all) from one stored direction."""
        by_from = self.links.get((a, b), {})
        stored = by_from.get(from_id, {}).get(to_id)
        if not stored:
            return
        gone = set(stored) if keys is None else set(keys).intersection(stored)
        for t in gone:
            self.counts[(t, from_id)] -= 1
        kept = tuple(t for t in stored if t not in gone)
        if kept:
            by_from[from_id][to_id] = kept
            return
        del by_from[from_id][to_id]
        if not by_from[from_id]:
            del by_from[from_id]

    def _unlink(
        self, fk: ObjectKind, tk: ObjectKind, from_id: int, to_id: int, types: set[int]
    ) -> None:
        self._unlink_one(fk.type_id, tk.type_id, from_id, to_id, types)
        self._unlink_one(tk.type_id, fk.type_id, to_id, from_id, self._inverses(types))

    def remove_all(self, fk: ObjectKind, tk: ObjectKind, from_id: int, to_id: int) -> None:
        """Delete every association type between two records, both directions."""
        self._unlink_one(fk.type_id, tk.type_id, from_id, to_id, None)
        self._unlink_one(tk.type_id, fk.type_id, to_id, from_id, None)

    def remove_types(
        self, fk: ObjectKind, tk: ObjectKind, pair: tuple[int, int], types: Sequence[AssocDef]
    ) -> None:
        """Remove labels; removing the unlabeled type removes the whole association."""
        if any(d.label is None for d in types):
            self.remove_all(fk, tk, *pair)
        else:
            self._unlink(fk, tk, pair[0], pair[1], {d.key for d in types})

    # --- limits ---------------------------------------------------------------------------

    def _check_limits(
        self,
        fk: ObjectKind,
        tk: ObjectKind,
        pair: tuple[int, int],
        new_forward: set[int],
        new_reverse: set[int],
    ) -> JsonDict | None:
        from_id, to_id = pair
        for keys, source, target, source_id, forward in (
            (new_forward, fk, tk, from_id, True),
            (new_reverse, tk, fk, to_id, False),
        ):
            for k in sorted(keys, key=lambda k: self.defs[k].type_id):
                limit = self.limits.get(k)
                if limit is not None and self.counts.get((k, source_id), 0) >= limit:
                    return self._limit_error(
                        self.defs[k], source, target, source_id, pair, limit, forward=forward
                    )
        return None

    def _limit_error(
        self,
        d: AssocDef,
        source: ObjectKind,
        target: ObjectKind,
        source_id: int,
        pair: tuple[int, int],
        limit: int,
        *,
        forward: bool = True,
    ) -> JsonDict:
        """The error of an input that passes ``source_id``'s limit of ``d`` (``forward``: the
        input's from record, in the input's direction; else its to record, in the reverse
        direction).  ``limit_error_names="record"``: the context names only that record."""
        what = f"'{d.label}' ({d.spec})" if d.label else f"unlabeled ({d.spec})"
        message = (
            f"{source.singular.capitalize()} {source_id} already has {limit} {target.name} "
            f"associated as {what}, the configured limit of {limit}; the association of "
            f"{pair[0]} with {pair[1]} was not created."
        )
        context = {
            "fromObjectId": [str(pair[0])],
            "toObjectId": [str(pair[1])],
            "associationSpec": [d.spec],
        }
        if self.behaviour.limit_error_names is LimitErrorNames.RECORD:
            del context["toObjectId" if forward else "fromObjectId"]
        return item_error(message, context, sub_category=LIMIT_EXCEEDED)

    def invalid_type_error(
        self, fk: ObjectKind, tk: ObjectKind, category: str, type_id: int
    ) -> JsonDict:
        """Item error for a (category, typeId) that is no definition of this direction, as the
        schema and limits endpoints answer it: the type as ``<category prefix>-<type id>``
        (``1-1007``) and the two object types, no ``associationSpec``."""
        type_text = f"{CATEGORY_PREFIX.get(category, 0)}-{type_id}"
        message = (
            f"{type_text} is not a valid association type between {fk.error_name} and "
            f"{tk.error_name}"
        )
        context = {
            "type": [type_text],
            "fromObjectType": [fk.error_name],
            "toObjectType": [tk.error_name],
        }
        return item_error(message, context, sub_category=INVALID_TYPE)

    def set_limit(self, d: AssocDef, value: int, *, create: bool) -> JsonDict | None:
        """Create or update one limit; an item error, or None when applied."""
        context = {"associationSpec": [d.spec]}
        if create and d.key in self.limits:
            return item_error(
                f"A limit already exists for {d.spec}; update it instead of creating it.", context
            )
        if not create and d.key not in self.limits:
            return item_error(
                f"No limit is configured for {d.spec}; create it before updating it.", context
            )
        if not 1 <= value <= MAX_LIMIT_VALUE:
            return item_error(
                f"maxToObjectIds for {d.spec} must be between 1 and {MAX_LIMIT_VALUE}, "
                f"not {value}.",
                context,
            )
        conflict = self._limit_conflict(d, value)
        if conflict is not None:
            return item_error(conflict, context, sub_category=LABEL_LIMIT)
        self.limits[d.key] = value
        return None

    def _limit_conflict(self, d: AssocDef, value: int) -> str | None:
        fk, tk = self.registry.by_id(d.from_type), self.registry.by_id(d.to_type)
        obj = self.unlabeled(fk, tk)
        if obj is None:
            return None
        pair_text = f"{fk.name} to {tk.name}"
        if d.key == obj.key:
            labeled = [
                (self.limits[k], self.defs[k].label)
                for k in self.pair_defs[d.direction]
                if k in self.limits and k != obj.key
            ]
            if labeled and value < max(labeled)[0]:
                highest, label = max(labeled, key=lambda x: x[0])
                return (
                    f"The {pair_text} limit must be at least {highest}, because label "
                    f"'{label}' allows {highest}; lower the label limit first."
                )
            return None
        object_limit = self.limits.get(obj.key)
        if object_limit is not None and value > object_limit:
            return (
                f"The limit for label '{d.label}' ({d.spec}) must be between 1 and {object_limit}, "
                f"because {pair_text} associations are limited to {object_limit}."
            )
        return None

    def purge_limit(self, d: AssocDef) -> None:
        self.limits.pop(d.key, None)

    def checkpoint(self, *directions: Direction) -> Callable[[], None]:
        """A function that puts back the links of ``directions``, the per-record counts (when
        directions are given) and the limits as they are now: undoes a refused batch."""
        links = {d: {f: dict(t) for f, t in self.links.get(d, {}).items()} for d in directions}
        counts = dict(self.counts) if directions else None
        limits = dict(self.limits)

        def restore() -> None:
            self.links.update(links)
            if counts is not None:
                self.counts = counts
            self.limits = limits

        return restore

    def limited_defs(self) -> list[AssocDef]:
        """The definitions with a configured limit, by type id (then direction)."""
        defs = [self.defs[k] for k in self.limits]
        return sorted(defs, key=lambda d: (d.type_id, d.direction))


def check_type(
    portal: Portal,
    fk: ObjectKind,
    tk: ObjectKind,
    category: str,
    type_id: int,
    *,
    with_spec: bool = False,
) -> AssocDef:
    """The definition, or the whole-request 400 used by endpoints that cannot carry items.
    ``with_spec``: its context names the type as ``associationSpec`` too, as an associations
    endpoint's error does; a limits endpoint's names it as ``type`` only."""
    d = portal.find_def(fk, tk, category, type_id)
    if d is None:
        err = portal.invalid_type_error(fk, tk, category, type_id)
        context = err["context"]
        if with_spec:
            context = {**context, "associationSpec": [spec_text(category, type_id)]}
        raise failure(400, err["message"], sub_category=INVALID_TYPE, context=context)
    return d
