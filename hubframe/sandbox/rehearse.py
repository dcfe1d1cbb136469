"""A rehearsal portal: the records and labels a sheet names, so a real sheet runs in the sandbox.

The demo portal knows its own records only, so a rehearsal of a real sheet against it fails
with ``OBJECT_NOT_FOUND`` on every row.  :func:`rehearse` fills a portal from a frame of
:func:`hubframe.read_pairs` (or ``read_limits``, or a result table being undone) instead:

* every record id of a known object type (``from_type``/``from_id``, ``to_type``/``to_id``,
  ids written with the digits 0-9) becomes a record of that type;
* a side named by a unique property (the frame's ``attrs["hubframe"]["id_properties"]``, e.g.
  ``{"to": "email"}``) gets one record per distinct value, with that property set (ids from
  :data:`REHEARSAL_ID_START` up), and the property is made unique for the type;
* every label a row names that the object pair does not have yet becomes a USER_DEFINED label
  of that pair (the labels HubSpot defines, such as "Primary", and the words for the unlabeled
  type are left alone);
* a custom object type id (``2-1234``) or name (``p_cars``, ``p<portal id>_cars``: HubSpot's
  qualified names) the portal does not know becomes a custom object associated with the types
  the sheet pairs it with (a name gets a free type id from ``2-9000001`` up).

What the sheet gets wrong stays wrong: bad ids, other unknown object type names (``carz``, a
``p<other portal>_cars``) and type ids without a label are not invented, so the rehearsal
reports them as a real run would.  The sandbox shares
nothing with the client side but :mod:`hubframe.constants`: the frame is read by column name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hubframe.constants import ID_PROPERTIES, IGNORABLE_NOT_CF, UNLABELED_NAMES
from hubframe.sandbox.bodies import ApiFailure
from hubframe.sandbox.objects import CustomObject, ObjectKind
from hubframe.sandbox.portal import Portal

#: Record ids given to records named by a property (emails, domains): far above demo ids.
REHEARSAL_ID_START = 90_000_000_001
_ID = re.compile(r"[1-9][0-9]{0,17}")
_CUSTOM = re.compile(r"2-[0-9]+")
_QUALIFIED = re.compile(r"p([0-9]*)_(\w+)", re.ASCII)
#: The first type id a custom object named only by its p_ name is given (then the next free).
NAMED_TYPE_START = 9_000_001
SIDES = ("from", "to")


@dataclass
class Rehearsal:
    """What :func:`rehearse` made: records per object type, labels, custom objects."""

    records: dict[str, int] = field(default_factory=dict)  # object type name -> records made
    labels: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, label)
    custom_objects: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """ "42 records (20 deals, 22 contacts) and 2 labels"."""
        total = sum(self.records.values())
        kinds = ", ".join(f"{n} {name}" for name, n in self.records.items())
        made = f"{total} record{'' if total == 1 else 's'}" + (f" ({kinds})" if kinds else "")
        labels = len(self.labels)
        if labels:
            made += f" and {labels} label{'' if labels == 1 else 's'}"
        if self.custom_objects:
            made += f", custom objects {', '.join(self.custom_objects)}"
        return made


def _cells(frame: pd.DataFrame, column: str) -> list[str | None]:
    if column not in frame.columns:
        return [None] * len(frame)
    out: list[str | None] = []
    for value in frame[column].astype(object).tolist():
        text = None if value is None or value is pd.NA or pd.isna(value) else str(value).strip()
        out.append(text or None)
    return out


def _label_key(text: str) -> str:
    """A label as hubframe's client compares labels (``hubframe.io.normalize.normalize_label``:
    characters that show nothing out, Unicode composed, spaces collapsed, lower case), so the
    spellings a run takes for one label make one label here too."""
    shown = "".join(c for c in text if not _ignorable(c))
    return " ".join(unicodedata.normalize("NFC", shown).split()).lower()


def _ignorable(char: str) -> bool:
    """A character that shows nothing: a format character, or another default-ignorable one."""
    if unicodedata.category(char) == "Cf":
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in IGNORABLE_NOT_CF)


def _properties(frame: pd.DataFrame) -> dict[str, str]:
    meta = frame.attrs.get("hubframe") or {}
    given = meta.get(ID_PROPERTIES) or {}
    return {side: str(given[side]) for side in SIDES if given.get(side)}


@dataclass
class _Sheet:
    """The cells of the frame that name types, records and labels."""

    types: dict[str, list[str | None]]
    ids: dict[str, list[str | None]]
    labels: list[str | None]
    properties: dict[str, str]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Sheet:
        return cls(
            types={side: _cells(frame, f"{side}_type") for side in SIDES},
            ids={side: _cells(frame, f"{side}_id") for side in SIDES},
            labels=_cells(frame, "label"),
            properties=_properties(frame),
        )

    def pairs(self) -> Iterator[tuple[str, str]]:
        for f, t in zip(self.types["from"], self.types["to"], strict=True):
            if f is not None and t is not None:
                yield f, t


def _custom_objects(portal: Portal, sheet: _Sheet, made: Rehearsal) -> None:
    """Custom objects the portal does not know, named by type id or by qualified name,
    associated as the sheet pairs them (type ids first: a name's type id is a free one)."""
    partners: dict[str, set[str]] = {}
    for f, t in sheet.pairs():
        for one, other in ((f, t), (t, f)):
            if _unknown_custom(portal, one):
                partners.setdefault(one, set()).add(other)
    ordered = sorted(partners, key=lambda spelled: not _CUSTOM.fullmatch(spelled))
    for spelled in ordered:
        if portal.registry.resolve(spelled) is not None:  # p_Cars after p_cars: made already
            continue
        custom = _custom_object(portal, spelled)
        known = sorted(o for o in partners[spelled] if portal.registry.resolve(o))
        portal.add_custom_object(custom, [o for o in known if o != spelled])
        made.custom_objects.append(spelled)


def _unknown_custom(portal: Portal, spelled: str) -> bool:
    """A custom object's type id, or a qualified name of this portal, it does not know."""
    if portal.registry.resolve(spelled) is not None:
        return False
    if _CUSTOM.fullmatch(spelled):
        return True
    named = _QUALIFIED.fullmatch(spelled)
    return named is not None and named.group(1) in ("", str(portal.portal_id))


def _custom_object(portal: Portal, spelled: str) -> CustomObject:
    """The custom object a type id or a qualified name (``p_cars``: named ``cars``) makes."""
    if _CUSTOM.fullmatch(spelled):
        name = f"object_{spelled.split('-')[1]}"
        return CustomObject(spelled, name, name)
    named = _QUALIFIED.fullmatch(spelled)
    assert named is not None
    number = NAMED_TYPE_START
    while portal.registry.resolve(f"2-{number}") is not None:
        number += 1
    name = named.group(2)
    return CustomObject(f"2-{number}", name, name)


def _kind(portal: Portal, object_type: str | None) -> ObjectKind | None:
    return None if object_type is None else portal.registry.resolve(object_type)


def _records(portal: Portal, sheet: _Sheet, made: Rehearsal) -> None:
    for side in SIDES:
        prop = sheet.properties.get(side)
        wanted: dict[str, dict[str, None]] = {}
        for object_type, value in zip(sheet.types[side], sheet.ids[side], strict=True):
            kind = _kind(portal, object_type)
            if kind is not None and value is not None and (prop or _ID.fullmatch(value)):
                wanted.setdefault(kind.type_id, {})[value] = None
        for type_id, values in wanted.items():
            kind = portal.registry.by_id(type_id)
            if prop:
                count = _add_named(portal, kind, values, prop)
            else:
                count = _add_ids(portal, kind, values)
            if count:
                made.records[kind.name] = made.records.get(kind.name, 0) + count


def _add_ids(portal: Portal, kind: ObjectKind, values: Iterable[str]) -> int:
    new = [int(v) for v in values if not portal.has_record(kind, int(v))]
    portal.add_records(kind, new)
    return len(new)


def _add_named(portal: Portal, kind: ObjectKind, values: Iterable[str], prop: str) -> int:
    """One record per distinct value of a unique property (ignoring case, as HubSpot does)."""
    portal.unique_properties.setdefault(kind.type_id, set()).add(prop)
    store = portal.records.get(kind.type_id, {})
    known = {str((p or {}).get(prop, "")).strip().lower() for p in store.values()}
    next_id = max([REHEARSAL_ID_START - 1, *store]) + 1
    ids: list[int] = []
    props: list[dict[str, str]] = []
    for value in values:
        if value.strip().lower() in known:
            continue
        known.add(value.strip().lower())
        ids.append(next_id + len(ids))
        props.append({prop: value})
    portal.add_records(kind, ids, props)
    return len(ids)


def _labels(portal: Portal, sheet: _Sheet, made: Rehearsal) -> None:
    wanted: dict[tuple[str, str], dict[str, str]] = {}
    rows = zip(sheet.types["from"], sheet.types["to"], sheet.labels, strict=True)
    for f, t, label in rows:
        if f is None or t is None or label is None or _label_key(label) in UNLABELED_NAMES:
            continue
        wanted.setdefault((f, t), {}).setdefault(_label_key(label), label)
    for (f, t), labels in wanted.items():
        fk, tk = _kind(portal, f), _kind(portal, t)
        if fk is None or tk is None:
            continue
        have = {_label_key(d.label) for d in portal.definitions(fk, tk) if d.label}
        taken = {d.name for d in portal.definitions(fk, tk) if d.name}
        for key, label in labels.items():
            if key in have:
                continue
            try:
                portal.add_label(fk, tk, _name(label, taken), label, None)
            except ApiFailure:  # too many labels for the pair: the run says so, as HubSpot would
                continue
            made.labels.append((fk.name, tk.name, label))


def _name(label: str, taken: set[str]) -> str:
    """An internal label name like HubSpot's: letters, digits and underscores, unique."""
    base = "".join(c if c.isalnum() and c.isascii() else "_" for c in label.lower()).strip("_")
    base = base or "label"
    if base[0].isdigit():
        base = f"label_{base}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def rehearse(portal: Portal, frame: Any) -> Rehearsal:
    """Add what ``frame`` names to ``portal`` (caller holds the lock); see the module docstring."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "a rehearsal needs a frame of hubframe.read_pairs or read_limits (read the sheet first)"
        )
    sheet = _Sheet.of(frame)
    made = Rehearsal()
    _custom_objects(portal, sheet, made)
    _records(portal, sheet, made)
    _labels(portal, sheet, made)
    return made


__all__ = ["REHEARSAL_ID_START", "Rehearsal", "rehearse"]
