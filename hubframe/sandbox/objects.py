"""Object types of a sandbox portal and how path segments resolve to them.

HubSpot accepts, in a path, an object type id (``0-1``, ``2-7350001``), a standard object's name
singular or plural in any case (``contact``, ``CONTACTS``; only lower case under the strict inputs
behaviour), and for custom objects ``p_<name>`` or ``p<portalId>_<name>``.  Anything else is
answered with 400 "Unable to infer object type from: X".
"""

from __future__ import annotations

from dataclasses import dataclass

from hubframe.constants import OBJECT_TYPES


@dataclass(frozen=True)
class ObjectKind:
    """One object type of the portal."""

    type_id: str  # "0-1", "2-7350001"
    name: str  # canonical: plural name for standard objects, the type id for custom objects
    singular: str  # "contact"; a custom object's own (singular) name
    error_name: str  # how HubSpot names the type in error text: "CONTACT"; custom: the type id
    scope: str  # scope segment: crm.objects.<scope>.read
    custom: bool = False


@dataclass(frozen=True)
class CustomObject:
    """A custom object schema: ``type_id`` like ``2-7350001`` and its base ``name``."""

    type_id: str
    name: str  # plural base name, e.g. "installations"
    singular: str


class TypeRegistry:
    """Resolves the spellings HubSpot accepts to :class:`ObjectKind` (case-insensitive)."""

    def __init__(self, portal_id: int, customs: tuple[CustomObject, ...] = ()) -> None:
        self.portal_id = portal_id
        self._by_key: dict[str, ObjectKind] = {}  # lower-cased spellings
        self._exact: dict[str, ObjectKind] = {}  # spellings as registered
        self._by_id: dict[str, ObjectKind] = {}
        self._customs: dict[str, CustomObject] = {}  # by type id, in the order added
        for t in OBJECT_TYPES:
            kind = ObjectKind(t.type_id, t.name, t.singular, t.singular.upper(), t.name)
            self._register(kind, (t.type_id, t.name, t.singular))
        for c in customs:
            self.add_custom(c)

    def add_custom(self, custom: CustomObject) -> ObjectKind:
        kind = ObjectKind(custom.type_id, custom.type_id, custom.singular, custom.type_id, "custom")
        # HubSpot's spellings of a custom object in a path: its type id and its fully
        # qualified name, short or long; its singular label is not one ("p_installation" is
        # answered 400 "Unable to infer object type from: p_installation").
        keys = (custom.type_id, f"p_{custom.name}", f"p{self.portal_id}_{custom.name}")
        self._register(kind, keys, custom=True)
        self._customs[custom.type_id] = custom
        return kind

    def customs(self) -> list[CustomObject]:
        """The custom objects, in the order they were added (the schemas list)."""
        return list(self._customs.values())

    def _register(self, kind: ObjectKind, keys: tuple[str, ...], custom: bool = False) -> None:
        if custom:
            kind = ObjectKind(
                kind.type_id, kind.name, kind.singular, kind.error_name, "custom", True
            )
        self._by_id[kind.type_id] = kind
        for key in keys:
            self._by_key[key.lower()] = kind
            self._exact[key] = kind

    def resolve(self, spelling: str, *, exact: bool = False) -> ObjectKind | None:
        """The type a path segment or helper argument names, or None; ``exact``: only the
        spellings as registered (``contacts``, ``contact``, ``0-1``, ``p_installations``), not
        other cases or with surrounding spaces."""
        if exact:
            return self._exact.get(spelling)
        return self._by_key.get(spelling.strip().lower())

    def by_id(self, type_id: str) -> ObjectKind:
        return self._by_id[type_id]

    def all(self) -> list[ObjectKind]:
        return list(self._by_id.values())
