"""The shapes of HubSpot's answers that hubframe reads values out of, checked as they arrive.

hubframe turns the type ids, record ids and limits of HubSpot's answers into numbers and
compares them with the sheet's.  An entry whose ``typeId`` is ``null``, ``"x"`` or ``{}`` made
that a TypeError or ValueError deep inside a job (an undo, an export, a label lookup died with
it), and one of ``1.5`` was read as type 1 (an undo skipped a label that was there).  Each list
an answer gives is checked here, before anything reads it: an entry that is not what HubSpot
sends is a :class:`~hubframe.errors.ServerError` naming it -- the answer is not read at all,
as an answer that could not be read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from hubframe.constants import MAX_ID_DIGITS
from hubframe.errors import ErrorCode, ServerError
from hubframe.redaction import clip

JSON = dict[str, Any]


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...``, or None where a level is missing or not a JSON object (an answer's
    ``"from": "x"`` or ``"paging": []`` reads as nothing there, never as an AttributeError)."""
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def listed(value: Any) -> list[Any]:
    """An answer's list (``results``, ``errors``) as a list; anything else (``true``, a
    number, an object) lists nothing."""
    return value if isinstance(value, list) else []


def whole(value: Any) -> bool:
    """A whole number as HubSpot writes one: a JSON integer, or ASCII digits (at most
    :data:`~hubframe.constants.MAX_ID_DIGITS` of them: Python makes no int of more than 4,300)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value < 10**MAX_ID_DIGITS
    return (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value.lstrip("0")) <= MAX_ID_DIGITS
    )


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _spec(value: Any) -> bool:
    """``{"category", "typeId", "label"}`` of an association type."""
    return (
        isinstance(value, Mapping)
        and whole(value.get("typeId"))
        and _text(value.get("category"))
        and _text(value.get("label"))
    )


def _link(value: Any) -> bool:
    """A batch read's ``to`` entry: ``{"toObjectId", "associationTypes": [...]}``."""
    if not isinstance(value, Mapping) or not whole(value.get("toObjectId")):
        return False
    specs = value.get("associationTypes")
    return specs is None or (isinstance(specs, list) and all(_spec(s) for s in specs))


def _limit(value: Any) -> bool:
    """A limit configuration: ``{"category", "typeId", "userEnforcedMaxToObjectIds"}`` (a
    type id or maximum may be null: an entry that sets no limit)."""
    if not isinstance(value, Mapping):
        return False
    numbers = (value.get(k) for k in ("typeId", "userEnforcedMaxToObjectIds", "maxToObjectIds"))
    return (
        all(n is None or whole(n) for n in numbers)
        and _text(value.get("category"))
        and _text(value.get("label"))
    )


def _record(value: Any) -> bool:
    """A record of an objects read: ``{"id", ...}``."""
    return isinstance(value, Mapping) and whole(value.get("id"))


#: A custom object's type id, and its name as HubSpot qualifies it (``p24681357_cars``).
_CUSTOM_ID: Final = re.compile(r"2-[0-9]+", re.ASCII)
#: A custom object's qualified name, p<portal id>_<name>: a name of letters (either case),
#: digits and underscores, as HubSpot's schemas take it.
_QUALIFIED: Final = re.compile(r"p[0-9]*_[a-z0-9_]+", re.ASCII | re.IGNORECASE)


def _schema(value: Any) -> bool:
    """A custom object schema: ``{"objectTypeId": "2-...", "name", "fullyQualifiedName"}``."""
    if not isinstance(value, Mapping):
        return False
    type_id, name, qualified = (
        value.get(k) for k in ("objectTypeId", "name", "fullyQualifiedName")
    )
    return (
        isinstance(type_id, str)
        and _CUSTOM_ID.fullmatch(type_id) is not None
        and isinstance(name, str)
        and name != ""
        and (
            qualified is None
            or (isinstance(qualified, str) and _QUALIFIED.fullmatch(qualified) is not None)
        )
    )


def _checked(entries: Any, fits: Callable[[Any], bool], what: str) -> list[JSON]:
    """``entries`` (an answer's list; None: none) when each fits, else a ServerError."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ServerError(
            f"HubSpot's answer listing {what} holds {type(entries).__name__} where a list "
            "belongs. The answer is not read (something other than HubSpot may have answered).",
            code=ErrorCode.SERVER_ERROR,
        )
    out: list[JSON] = entries
    for entry in out:
        if not fits(entry):
            shown = clip(json.dumps(entry, default=str), 200)
            raise ServerError(
                f"HubSpot's answer listing {what} holds an entry that is not one: {shown}. "
                "The answer is not read (something other than HubSpot may have answered).",
                code=ErrorCode.SERVER_ERROR,
            )
    return out


def links(entries: Any, what: str) -> list[JSON]:
    """A batch read's ``to`` entries of one record, checked (None: none; not a list: refused,
    as every checker here does)."""
    return _checked(entries, _link, what)


def labels(entries: Any, what: str) -> list[JSON]:
    """Association types (a labels read or create), checked."""
    return _checked(entries, _spec, what)


def limits(entries: Any, what: str) -> list[JSON]:
    """Limit configurations, checked."""
    return _checked(entries, _limit, what)


def placed_limits(entries: list[JSON]) -> dict[tuple[str, int], Any]:
    """The limits :func:`limits` entries set, by (category, type id), each maximum as HubSpot
    wrote it: an entry without a type id or without a maximum (both may be null) sets none
    hubframe can place, and is left out."""
    return {
        (str(e.get("category")), int(e["typeId"])): e["userEnforcedMaxToObjectIds"]
        for e in entries
        if e.get("typeId") is not None and e.get("userEnforcedMaxToObjectIds") is not None
    }


@dataclass(frozen=True)
class CustomObjectType:
    """A custom object of the portal, as its schema names it: ``type_id`` (``2-7350001``),
    ``name`` (``installations``: ``p_installations`` names it too) and ``qualified_name``
    (``p24681357_installations``; "" where the schema gives none)."""

    type_id: str
    name: str
    qualified_name: str = ""

    @property
    def spellings(self) -> tuple[str, ...]:
        """What names the object in a path: its type id, ``p_<name>`` and its qualified name."""
        found = (self.type_id, f"p_{self.name.lower()}", self.qualified_name.lower())
        return tuple(dict.fromkeys(s for s in found if s))


def custom_objects(entries: Any, what: str) -> list[CustomObjectType]:
    """The custom objects of a schemas list, checked (:class:`CustomObjectType`)."""
    return [
        CustomObjectType(
            str(e["objectTypeId"]), str(e["name"]), str(e.get("fullyQualifiedName") or "")
        )
        for e in _checked(entries, _schema, what)
    ]


def records(entries: Any, what: str) -> list[JSON]:
    """Records of an objects read or list, checked."""
    return _checked(entries, _record, what)


__all__ = [
    "CustomObjectType",
    "custom_objects",
    "dig",
    "labels",
    "limits",
    "links",
    "listed",
    "placed_limits",
    "records",
    "whole",
]
