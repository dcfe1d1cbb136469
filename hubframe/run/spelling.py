"""One spelling per HubSpot object, so that rows naming one object two ways are one object pair.

A custom object may be written by its type id (``2-7350001``) or by its name
(``p_installations``, ``p1234567_installations``); the reader keeps each as written
(:func:`hubframe.io.normalize.canonical_object_type`).  HubSpot takes either; a job that
compares or counts per object pair, or finds repeats and conflicts, does not:

* :func:`object_keys` (pair rows: associate, remove_associations, sync, validation with a
  client): each object's key for the rows' repeats (``DUPLICATE_ROW``) and conflicts
  (``CONFLICTING_ROWS``), and the one spelling a pair is sent under.  Rows of one record pair
  spelled two ways were sent, and reported ``success``, twice;
* :func:`one_spelling` (limits): each object pair under its first spelling in the sheet, the
  pairs told apart by :func:`pair_identity`;
* :class:`Spellings` (sync): each *object* under its first spelling, found by the object type
  ids the pairs' labels lists name (so a pair and its other direction agree too), and object
  pairs by :func:`pair_identity` where the lists name no object type ids (the 2026-09 API).
  A sync that took two spellings for two objects removed what the sheet keeps.

A name's type id is what a labels list of its pairs names, else what the portal's custom
object schemas list names (:class:`~hubframe.run.customs.CustomTypes`: the labels lists name
none on 2026-09, and a portal may leave them out on 2026-03 and v4).  Where neither says it
(the schemas list fails), a name and a type id cannot be told to be one object or two: limits,
sync and labels refuse such a sheet (:func:`ambiguous`) rather than guess; pair rows naming the
object by that name are refused (``untold``: :class:`~hubframe.validate.ObjectKeys`), never sent
as another object.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import replace

import pandas as pd

from hubframe.constants import OBJECT_TYPES_BY_NAME
from hubframe.errors import HubframeError, InputError
from hubframe.io.normalize import (
    CUSTOM_TYPE_ID,
    QUALIFIED_NAME,
    is_valid_object_type,
    object_key,
)
from hubframe.run.labels import LabelBook
from hubframe.run.rows import type_pairs
from hubframe.run.work import WorkItem
from hubframe.validate import ObjectKeys
from hubframe.vocab import ObjectPair


def pair_identity(book: LabelBook, pair: ObjectPair) -> Hashable:
    """What tells an object pair from the others however its types are spelled (a custom
    object by its type id ``2-7350001`` or its name ``p_installations``): the object type ids
    its labels list names; where the list names none (2026-09) or cannot be read, each side's
    type id (a name's from the schemas list), and where that fails, each side's
    :func:`object_key` -- two names of one object agree (``p_cars``, ``p123_cars``), a name
    and a type id do not (:func:`ambiguous` refuses a sheet that mixes them).  Not the
    association types the pairs list: where a portal numbers them per pair, two custom
    objects list the same ones, and one's limits were set on the other."""
    ids = book.object_type_ids(*pair)
    if ids is not None:
        return ids
    found = tuple(_object_id(book, t) for t in pair)
    if all(found):
        return found
    return (object_key(pair.from_type), object_key(pair.to_type))


def _object_id(book: LabelBook, spelling: str) -> str | None:
    """The object type id of ``spelling`` (``deals`` -> ``0-3``, a custom object's name -> its
    type id as the schemas list names it), or None where it cannot be told."""
    known = OBJECT_TYPES_BY_NAME.get(spelling)
    if known is not None:
        return known.type_id
    if CUSTOM_TYPE_ID.fullmatch(spelling):
        return spelling
    return _schema_id(book, spelling) if QUALIFIED_NAME.fullmatch(spelling) else None


def _schema_id(book: LabelBook, name: str) -> str | None:
    """The type id the portal's custom object schemas list names for ``name``; None where it
    names none or cannot be read (:func:`_untold_why` says which)."""
    try:
        return book.customs.type_id(name)
    except HubframeError:
        return None


def _untold_why(book: LabelBook, name: str) -> str:
    """Why the type id of the custom object ``name`` could not be told."""
    try:
        book.customs.type_id(name)
    except HubframeError as exc:
        return f"HubSpot's custom object schemas list, which says it, could not be read ({exc})"
    return "HubSpot's custom object schemas list names no such object"


def ambiguous(book: LabelBook, pairs: Iterable[ObjectPair]) -> str | None:
    """Why the object pairs cannot be told apart, or None: a custom object written by a type
    id and another by a name, where no labels list says which name is which id (the 2026-09
    API names no object type ids; 2026-03 and v4 lists may leave them out).  Taken for one,
    rows of two objects would change each other's; taken for two, a sync would remove what the
    other spelling's rows keep.  A name whose labels lists HubSpot refuses (no such object here:
    ``p_instalations``, another portal's ``p999_cars``) is left out: its rows are refused on
    their own, and the sheet was refused whole for it, its typo called a spelling clash."""
    listed = list(dict.fromkeys(pairs))
    customs = {t for p in listed for t in p if t not in OBJECT_TYPES_BY_NAME}
    ids = sorted(t for t in customs if CUSTOM_TYPE_ID.fullmatch(t))
    named = {t for t in customs if QUALIFIED_NAME.fullmatch(t)}
    if not named or not ids:
        return None
    known = _object_spellings(book, listed, customs)
    named = {t for t in named if _readable(book, listed, t)}
    names = sorted(t for t in named if t not in known)
    if names:
        return (
            f"The sheet names custom objects by type id ({', '.join(ids)}) and by name "
            f"({', '.join(names)}), and which name is which type id cannot be told: "
            f"{_untold_why(book, names[0])}, and the labels lists HubSpot answered name no "
            "object type ids. Write each custom object one way throughout, by its type id or "
            "by its name, or give the token the crm.schemas.custom.read scope."
        )
    return None


def _readable(book: LabelBook, pairs: list[ObjectPair], spelling: str) -> bool:
    """Some labels list of a pair naming ``spelling`` is read (HubSpot knows the object)."""
    for pair in pairs:
        if spelling in pair:
            try:
                book.labels(*pair)
            except HubframeError:
                continue
            return True
    return False


def one_spelling(book: LabelBook, items: list[WorkItem]) -> list[WorkItem]:
    """The items, each object pair (:func:`pair_identity`) sent under its first spelling in
    the sheet: rows naming one limit through two spellings are then repeats (the later not
    sent again), as rows spelled alike are."""
    problem = ambiguous(book, (item.objects for item in items))
    if problem is not None:
        raise InputError(problem)
    first: dict[Hashable, ObjectPair] = {}
    out: list[WorkItem] = []
    for item in items:
        pair = first.setdefault(pair_identity(book, item.objects), item.objects)
        out.append(replace(item, from_type=pair.from_type, to_type=pair.to_type))
    return out


class Spellings:
    """Object pairs as written -> the same pairs with one spelling per object (the first in
    ``pairs``' order).  Only a sheet naming two custom objects or more reads anything (the
    labels lists of its pairs, through ``book``); otherwise every pair is its own spelling."""

    def __init__(self, book: LabelBook, pairs: Iterable[ObjectPair]) -> None:
        listed = list(dict.fromkeys(pairs))
        self._pairs: dict[ObjectPair, ObjectPair] = {}
        customs = {t for p in listed for t in p if t not in OBJECT_TYPES_BY_NAME}
        if len(customs) < 2:
            return
        problem = ambiguous(book, listed)
        if problem is not None:
            raise InputError(problem)
        objects = _object_spellings(book, listed, customs)
        first: dict[Hashable, ObjectPair] = {}
        for pair in listed:
            spelled = ObjectPair(*(objects.get(t, t) for t in pair))
            identity = pair_identity(book, spelled)
            if identity not in first and any(t in customs and t not in objects for t in pair):
                first[identity] = _as_other_direction(book, spelled, first)
            self._pairs[pair] = first.setdefault(identity, spelled)

    def __call__(self, pair: ObjectPair) -> ObjectPair:
        return self._pairs.get(pair, pair)

    def objects(self) -> dict[str, str]:
        """Each object type as the sheet writes it -> the spelling its object is compared under
        (``{"p_installations": "2-7350001"}``; empty when every pair is its own spelling)."""
        out: dict[str, str] = {}
        for written, spelled in self._pairs.items():
            for as_written, as_spelled in zip(written, spelled, strict=True):
                out.setdefault(as_written, as_spelled)
        return out

    def items(self, items: Iterable[WorkItem]) -> list[WorkItem]:
        """``items`` with their object pairs spelled as :meth:`__call__` spells them."""
        out: list[WorkItem] = []
        for item in items:
            pair = self(item.objects)
            same = pair == item.objects
            out.append(item if same else replace(item, from_type=pair[0], to_type=pair[1]))
        return out


def _as_other_direction(
    book: LabelBook, pair: ObjectPair, first: dict[Hashable, ObjectPair]
) -> ObjectPair:
    """``pair`` spelled as the other direction of a pair in ``first`` spells it, when its
    other direction is one of those (told by :func:`pair_identity`, where no object type id
    names the objects: the 2026-09 API): an association is one for both directions, and a
    sync holds a removal that a row of the other direction keeps."""
    back = pair_identity(book, ObjectPair(pair.to_type, pair.from_type))
    found = first.get(back)
    return ObjectPair(found.to_type, found.from_type) if found is not None else pair


def object_keys(book: LabelBook, pairs: Iterable[ObjectPair]) -> dict[str, str]:
    """Each custom object spelling of ``pairs`` -> what tells its object from the others, for
    the repeats and conflicts of pair rows (``objects`` of :func:`hubframe.validate.
    validate_pairs` and :func:`hubframe.run.pairs.prepare_pairs`): its type id, where the
    spelling is one (``2-...``) or a labels list of its pairs names it; else
    :func:`~hubframe.io.normalize.object_key` (two names of one object agree).  A name that no
    list names gets the type id the schemas list names for it; where that fails too, the sheet
    also writing type ids, the name is ``untold`` (its rows refused: which id it is is not
    guessed).  Labels lists are read only for a sheet naming custom objects both by a type id
    and by a name (or one object by two names)."""
    listed = list(dict.fromkeys(pairs))
    customs = {t for p in listed for t in p if t not in OBJECT_TYPES_BY_NAME}
    keys = {t: object_key(t) for t in customs}
    names = {t for t in customs if QUALIFIED_NAME.fullmatch(t)}
    if not names or not (
        _portal_spellings(names) or any(CUSTOM_TYPE_ID.fullmatch(t) for t in customs)
    ):
        return keys  # names alone, or type ids alone: told apart by their spelling
    ids = _type_ids(book, listed, customs)
    by_name = {keys[t]: ids[t] for t in names if t in ids}  # p_cars's id is p123_cars's too
    # a name HubSpot knows no object by (another portal's p999_cars, a typo) is its own object:
    # it was p_cars's repeat by its spelling, reported `duplicate` while HubSpot refuses it
    unknown = {t for t in names if t not in ids and not _readable(book, listed, t)}
    out = {t: t if t in unknown else ids.get(t) or by_name.get(keys[t]) or keys[t] for t in customs}
    untold = {t: _untold_why(book, t) for t in names if t not in unknown and out[t] == keys[t]}
    return ObjectKeys(out, untold if any(CUSTOM_TYPE_ID.fullmatch(t) for t in customs) else {})


def sheet_objects(book: LabelBook, frame: pd.DataFrame) -> dict[str, str]:
    """:func:`object_keys` of the object pairs the rows of a pairs or limits frame name (those
    whose two types are object types: another text is its own object)."""
    pairs = [
        ObjectPair(f, t)
        for f, t in type_pairs(frame)
        if isinstance(f, str)
        and isinstance(t, str)
        and is_valid_object_type(f)
        and is_valid_object_type(t)
    ]
    return object_keys(book, pairs)


def _portal_spellings(names: set[str]) -> bool:
    """Some custom object is named two ways ("p_cars", "p24681357_cars", "p999_cars"): which
    are this portal's only its labels lists tell."""
    keys = [object_key(n) for n in names]
    return len(keys) != len(set(keys))


def _type_ids(book: LabelBook, pairs: list[ObjectPair], customs: set[str]) -> dict[str, str]:
    """Each custom object's spelling -> its type id, where known: a ``2-...`` spelling is one,
    a name's is what a labels list of its pairs names."""
    ids = {t: t for t in customs if CUSTOM_TYPE_ID.fullmatch(t)}
    for pair in pairs:
        if all(t in ids or t not in customs for t in pair):
            continue  # nothing of this pair left to learn
        found = book.object_type_ids(*pair)
        for spelling, object_id in zip(pair, found or (), strict=False):
            if spelling in customs:
                ids.setdefault(spelling, object_id)
    for name in sorted(t for t in customs - ids.keys() if QUALIFIED_NAME.fullmatch(t)):
        found_id = _schema_id(book, name)  # where no labels list names the ids (2026-09)
        if found_id is not None:
            ids[name] = found_id
    return ids


def _object_spellings(
    book: LabelBook, pairs: list[ObjectPair], customs: set[str]
) -> dict[str, str]:
    """Each custom object's spelling -> the first spelling of that object (by its type id:
    :func:`_type_ids`)."""
    ids = _type_ids(book, pairs, customs)
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for pair in pairs:
        for spelling in pair:
            if spelling in ids:
                out[spelling] = first.setdefault(ids[spelling], spelling)
    return out


__all__ = ["Spellings", "object_keys", "one_spelling", "pair_identity", "sheet_objects"]
