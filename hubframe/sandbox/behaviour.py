"""Switches for what HubSpot does not document, and named presets of them.

Where HubSpot's behaviour is not documented the sandbox models one guess; a client tested
against one guess can pass here and fail on a real portal.  :class:`Behaviour` has one field
per such guess, each defaulting to the sandbox's long-standing choice; the other values are
what a real portal could plausibly do instead.  ``PRESETS["hostile"]`` picks the least
convenient value of every switch, ``PRESETS["observed"]`` the values seen in quoted real-looking
responses.  docs/sandbox.md gives the evidence for each value.

Use ``Sandbox(behaviour="hostile")``, ``Sandbox(behaviour={"type_ids": "per_pair"})``, or
``hubframe sandbox --behaviour hostile --behaviour-set strict_inputs=false``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final


class PartialFailure(StrEnum):
    """A write batch in which some inputs fail."""

    ITEMS = "items"  # item errors; the good inputs are applied (207, or 200 on 2026-09)
    REFUSE_BATCH = "refuse_batch"  # 400 carrying only the first input's error; nothing applied


class CreatedStatus(StrEnum):
    """The status of a fully successful create (batch create, limit create, labeled PUT)."""

    CREATED = "201"  # as HubSpot's v4 and 2026-03 specs declare
    OK = "200"  # as v3 batch create answers since 2025-08-21


class TypeIds(StrEnum):
    """How user labels and custom-object types get their association type ids."""

    GLOBAL = "global"  # unique across pairs from 1001 up; a label's inverse is id + 1
    PER_PAIR = "per_pair"  # small ids per direction, shared with other pairs; inverse not adjacent


class AllFailed(StrEnum):
    """The batch ``status`` when every input failed."""

    COMPLETE = "complete"
    CANCELED = "canceled"  # "CANCELED" with empty ``results``


class LimitsRead(StrEnum):
    """What the limit configuration reads list."""

    CONFIGURED = "configured"  # configured limits only
    WITH_NULLS = "with_nulls"  # also the other types of a limited pair: maximum null


class ErrorDetails(StrEnum):
    """Which optional keys error bodies carry."""

    FULL = "full"  # subCategory, context, errors and links where the sandbox has them
    BARE = "bare"  # required keys only: no subCategory/context/errors/links; items no errors/links


class LimitErrorNames(StrEnum):
    """What the context of an association limit error names."""

    PAIR = "pair"  # fromObjectId, toObjectId and associationSpec: the input refused
    RECORD = "record"  # the record at its limit only (fromObjectId or toObjectId), and the spec


@dataclass(frozen=True)
class Behaviour:
    """One choice per behaviour HubSpot does not document (defaults: the sandbox's own)."""

    partial_failure: PartialFailure = PartialFailure.ITEMS
    created_status: CreatedStatus = CreatedStatus.CREATED
    type_ids: TypeIds = TypeIds.GLOBAL
    all_failed: AllFailed = AllFailed.COMPLETE
    limits_read: LimitsRead = LimitsRead.CONFIGURED
    #: Case-sensitive object types, ids not trimmed, ASCII-digit integers, int32 ``limit``,
    #: duplicate inputs collapsed.
    strict_inputs: bool = False
    #: ``fromObjectTypeId`` / ``toObjectTypeId`` on labels read back (v4 and 2026-03).
    label_object_types: bool = True
    error_details: ErrorDetails = ErrorDetails.FULL
    limit_error_names: LimitErrorNames = LimitErrorNames.PAIR

    def __post_init__(self) -> None:
        """Values spelled as text (``"per_pair"``, ``"true"``) become the switch's type."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            coerced = _coerce(f.name, f.default, value)
            if coerced is not value:
                object.__setattr__(self, f.name, coerced)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Behaviour:
        """A copy with some switches changed; values may be spelled as text (``"true"``)."""
        names = [f.name for f in dataclasses.fields(self)]
        unknown = [name for name in overrides if name not in names]
        if unknown:
            raise ValueError(
                f"unknown behaviour switch {unknown[0]!r}; switches: {', '.join(names)}"
            )
        return dataclasses.replace(self, **overrides)

    def as_dict(self) -> dict[str, str | bool]:
        """Every switch and its value (enum values as text)."""
        out: dict[str, str | bool] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value if isinstance(value, bool) else str(value)
        return out

    def name(self) -> str | None:
        """The preset this behaviour is, or None for a mix."""
        return next((n for n, b in PRESETS.items() if b == self), None)


_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _coerce(name: str, default: Any, value: Any) -> Any:
    """``value`` as the type of the switch's ``default``, or the ValueError naming the choices."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE + _FALSE:
            return text in _TRUE
        raise ValueError(f"behaviour switch {name} takes true or false, not {value!r}")
    kind = type(default)
    if isinstance(value, kind):
        return value
    try:
        return kind(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(str(v) for v in kind)
        raise ValueError(f"behaviour switch {name} takes one of {allowed}, not {value!r}") from None


PRESETS: Final[dict[str, Behaviour]] = {
    "default": Behaviour(),
    "hostile": Behaviour(
        partial_failure=PartialFailure.REFUSE_BATCH,
        created_status=CreatedStatus.OK,
        type_ids=TypeIds.PER_PAIR,
        all_failed=AllFailed.CANCELED,
        limits_read=LimitsRead.WITH_NULLS,
        strict_inputs=True,
        label_object_types=False,
        error_details=ErrorDetails.BARE,
        limit_error_names=LimitErrorNames.RECORD,
    ),
    "observed": Behaviour(
        all_failed=AllFailed.CANCELED,
        limits_read=LimitsRead.WITH_NULLS,
        label_object_types=False,
    ),
}

BehaviourSpec = str | Behaviour | Mapping[str, Any] | None


def resolve(spec: BehaviourSpec) -> Behaviour:
    """A :class:`Behaviour` from a preset name, a Behaviour, or a mapping of switches.

    A mapping changes the default preset, or the one its ``"preset"`` key names.
    """
    if spec is None:
        return PRESETS["default"]
    if isinstance(spec, Behaviour):
        return spec
    if isinstance(spec, str):
        return preset(spec)
    overrides = dict(spec)
    base = preset(str(overrides.pop("preset", "default")))
    return base.with_overrides(overrides)


def preset(name: str) -> Behaviour:
    try:
        return PRESETS[name.strip().lower()]
    except KeyError:
        raise ValueError(
            f"unknown behaviour preset {name!r}; presets: {', '.join(PRESETS)}"
        ) from None
