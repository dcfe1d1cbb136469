"""A request as the endpoints see it, and the parsers they share.

:class:`Call` is one routed request; :func:`parse_body` parses its body once (the server does,
so the request log and the endpoint share one parse).  The helpers read what HubSpot's Jackson
deserializers read: ``inputs`` lists, required fields, integers, record ids, association specs
and paging cursors, and raise the whole-request 400 HubSpot sends for each kind of bad input.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from hubframe.constants import CATEGORIES
from hubframe.sandbox import jsonbounds
from hubframe.sandbox.bodies import ApiFailure, JsonDict, failure

NO_BODY = "Invalid JSON input: a request body was expected, but none found"
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
H = TypeVar("H", bound=Hashable)


@dataclass(frozen=True)
class Parsed:
    """A request body parsed once: its JSON value, or the whole-request 400 it earns."""

    value: Any = None
    status: int = 0  # 400 when the body is empty or not JSON
    error: JsonDict | None = None

    @property
    def inputs(self) -> int:
        """Number of ``inputs`` (0 when there are none or the body does not parse)."""
        data = self.value
        inputs = data.get("inputs") if isinstance(data, dict) else None
        return len(inputs) if isinstance(inputs, list) else 0

    def json(self) -> Any:
        if self.error is not None:
            raise ApiFailure(self.status, self.error)
        return self.value


@dataclass(frozen=True)
class Call:
    """One request as the endpoints see it."""

    method: str
    version: str  # "v4", "2026-03" or "2026-09"
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    scopes: frozenset[str] | None  # None = every scope
    access: str  # "read" or "write"
    parsed: Parsed | None = None  # the body parsed once by the server (None: parse on demand)


def parse_body(body: bytes) -> Parsed:
    """Parse a request body once; a failure is kept for the endpoint that needs the JSON."""
    try:
        return Parsed(_decode(body))
    except ApiFailure as exc:
        return Parsed(None, exc.status, exc.body)


def count_inputs(body: bytes) -> int:
    """Number of ``inputs`` in a JSON body (0 when there are none or it does not parse)."""
    return parse_body(body).inputs


def _decode(body: bytes) -> Any:
    if not body.strip():
        raise failure(400, NO_BODY)
    try:
        return jsonbounds.loads(body)
    except json.JSONDecodeError as exc:
        raise failure(
            400, f"Invalid input JSON on line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except jsonbounds.JsonTooComplex as exc:
        raise failure(400, f"Invalid input JSON on line 1, column 1: {exc.reason}") from None
    except UnicodeDecodeError:
        raise failure(400, "Invalid input JSON on line 1, column 1: invalid UTF-8") from None
    except ValueError:  # an integer longer than Python converts (Jackson allows 1,000 digits)
        raise failure(
            400, "Invalid input JSON on line 1, column 1: Number value length exceeds the maximum"
        ) from None


def parse_json(source: bytes | Call) -> Any:
    """The JSON of a body (or of a call, parsed once by the server), or the 400 it earns."""
    if isinstance(source, Call):
        if source.parsed is not None:
            return source.parsed.json()
        source = source.body
    return _decode(source)


def missing_fields(fields: list[str]) -> ApiFailure:
    """The 400 for required fields that are absent or null."""
    return failure(
        400,
        "Invalid input JSON on line 1, column 3. Some required fields were not set: "
        f"[{', '.join(fields)}]",
    )


def cannot_deserialize(what: str, value: Any) -> ApiFailure:
    """The 400 Jackson sends for a value of the wrong JSON type."""
    shown = json.dumps(value)[:60]
    return failure(
        400,
        "Invalid input JSON on line 1, column 1: Cannot deserialize value of type "
        f"{what} from {shown}",
    )


def parse_inputs(source: bytes | Call, maximum: int) -> list[dict[str, Any]]:
    """The ``inputs`` list, checked for shape and size (whole-request 400 otherwise)."""
    data = parse_json(source)
    if not isinstance(data, dict):
        raise cannot_deserialize("`BatchInput`", data)
    inputs = data.get("inputs")
    if inputs is None:
        raise missing_fields(["inputs"])
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise cannot_deserialize("`java.util.ArrayList`", inputs)
    if len(inputs) > maximum:
        raise failure(
            400,
            f"Too many inputs: {len(inputs)} were sent, the maximum for this endpoint "
            f"is {maximum}.",
            sub_category="crm.associations.BATCH_SIZE_EXCEEDED",
            context={"maxInputs": [str(maximum)], "inputs": [str(len(inputs))]},
        )
    return inputs


def require(obj: dict[str, Any], *fields: str) -> None:
    missing = [f for f in fields if obj.get(f) is None]
    if missing:
        raise missing_fields(missing)


def int_of(value: Any, what: str, *, strict: bool = False) -> int:
    """An integer field (JSON number, or a string Jackson would coerce), or the 400.

    ``strict`` (the strict inputs behaviour): a string must be ASCII digits (``"٣"`` and
    ``" 5"`` are refused) and the value must fit an int32, as the specs type these fields.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise cannot_deserialize(f"`{what}`", value)
    number: int = value if isinstance(value, int) else 0
    if isinstance(value, str):
        if strict and not plain_digits(value.removeprefix("-")):
            raise cannot_deserialize(f"`{what}`", value)
        try:
            number = int(value if strict else value.strip())
        except ValueError:
            raise cannot_deserialize(f"`{what}`", value) from None
    if strict and not INT32_MIN <= number <= INT32_MAX:
        raise failure(
            400,
            f"Invalid input JSON on line 1, column 1: Numeric value ({number}) out of range of "
            f"int ({INT32_MIN} - {INT32_MAX})",
        )
    return number


def text_of(obj: dict[str, Any], field: str) -> str | None:
    """An optional string field, or the 400 for another JSON type."""
    value = obj.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise cannot_deserialize("`java.lang.String`", value)
    return value


def object_ref(obj: Any, *, strict: bool = False) -> str:
    """``{"id": "123"}`` -> "123" (ids may be JSON numbers too); ``strict``: not trimmed, so
    ``" 123"`` is the id of no record."""
    if not isinstance(obj, dict):
        raise cannot_deserialize("`PublicObjectId`", obj)
    require(obj, "id")
    value = obj["id"]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise cannot_deserialize("`java.lang.String`", value)
    return str(value) if strict else str(value).strip()


def category_of(value: Any) -> str:
    if value not in CATEGORIES:
        raise failure(
            400,
            "Invalid input JSON on line 1, column 1: Cannot deserialize value of type "
            f"`AssociationCategory` from String {json.dumps(value)}: not one of the values "
            f"accepted for Enum class: [{', '.join(CATEGORIES)}]",
        )
    return str(value)


def spec_of(obj: Any, *, strict: bool = False) -> tuple[str, int]:
    """An ``AssociationSpec`` as (category, type id)."""
    if not isinstance(obj, dict):
        raise cannot_deserialize("`AssociationSpec`", obj)
    require(obj, "associationCategory", "associationTypeId")
    type_id = int_of(obj["associationTypeId"], "int", strict=strict)
    return category_of(obj["associationCategory"]), type_id


def collapse(inputs: list[H], strict: bool) -> list[H]:
    """The inputs, with repeats of an input dropped under the strict inputs behaviour."""
    return list(dict.fromkeys(inputs)) if strict else inputs


def plain_digits(text: str) -> bool:
    """True for ASCII digits only: ``"²".isdigit()`` and ``"٣".isdecimal()`` are True too."""
    return text.isascii() and text.isdigit()


def record_id(text: str) -> int | None:
    """The record id a path segment or body id spells, or None (ASCII digits, at most 19)."""
    return int(text) if plain_digits(text) and len(text) <= 19 else None


def encode_cursor(to_id: int) -> str:
    return base64.urlsafe_b64encode(str(to_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise failure(400, f"Invalid paging cursor: {cursor}") from None
