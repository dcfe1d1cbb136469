"""The app's object type pickers: HubSpot's standard objects, and the connected portal's custom
objects (read from its schemas list when the app connects), each shown with its type id.

A value set from code may be any spelling the list knows: a standard object's name, singular
or type id (``deal``, ``0-3``), a custom object's type id, ``p_<name>`` or qualified name
(``p24681357_installations``), in any case.  It is taken as the option it names (the standard
object's name, the custom object's type id); a spelling the list does not know is refused, as
the dropdown refuses any value not among its options, with what to do instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import ipywidgets as w
from traitlets import TraitError, validate

from hubframe.constants import OBJECT_TYPES
from hubframe.hubspot.shapes import CustomObjectType

NONE: Final = ""  # "(from the sheet)": no type picked
FROM_SHEET: Final = ("(from the sheet)", NONE)
STANDARD_CHOICES: Final = [(f"{t.name} ({t.type_id})", t.name) for t in OBJECT_TYPES]


def _standard_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for t in OBJECT_TYPES:
        out.update(dict.fromkeys((t.name, t.singular, t.type_id), t.name))
    return out


_STANDARD_ALIASES: Final = _standard_aliases()


def choices(customs: Sequence[CustomObjectType]) -> list[tuple[str, str]]:
    """The picker's options: none picked, the standard objects, then ``customs`` (by name)."""
    found = [(f"{c.name} ({c.type_id})", c.type_id) for c in customs]
    return [FROM_SHEET, *STANDARD_CHOICES, *sorted(found, key=lambda c: c[0].casefold())]


def aliases(customs: Sequence[CustomObjectType]) -> dict[str, str]:
    """Every spelling the picker takes (case-folded) -> the option it names."""
    out = {k.casefold(): v for k, v in _STANDARD_ALIASES.items()}
    for custom in customs:
        out.update(dict.fromkeys((s.casefold() for s in custom.spellings), custom.type_id))
    return out


class TypePicker(w.Dropdown):  # type: ignore[misc]
    """A from or to object type dropdown (see the module's docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        self._aliases = aliases(())
        self._customs: tuple[CustomObjectType, ...] = ()
        super().__init__(options=choices(()), value=NONE, **kwargs)

    @property
    def customs(self) -> tuple[CustomObjectType, ...]:
        """The custom objects offered (the portal's, as it listed them at Connect)."""
        return self._customs

    def offer(self, customs: Sequence[CustomObjectType]) -> None:
        """Offer ``customs`` beside the standard objects; the type picked stays picked while
        it is offered still (a custom object the portal does not list goes)."""
        kept: object = self.get_interact_value()
        self._customs = tuple(customs)
        self._aliases = aliases(self._customs)
        offered = choices(self._customs)
        self.options = offered
        self.value = kept if kept in {v for _, v in offered} else NONE

    @validate("value")
    def _validate_value(self, proposal: Any) -> Any:
        value = proposal.value
        if value is None or value == NONE:
            return value
        named = self._aliases.get(str(value).strip().casefold()) if isinstance(value, str) else None
        if named is None:
            raise TraitError(self._unknown(value))
        return named

    def _unknown(self, value: object) -> str:
        """Why ``value`` cannot be picked, and what can."""
        if not self._customs:
            listed = "no custom objects are listed: Connect (step 1) lists the portal's"
        else:
            listed = "the portal's custom objects: " + ", ".join(
                f"{c.name} ({c.type_id})" for c in self._customs
            )
        return (
            f"Invalid selection: {value!r} is not an object type this picker lists ({listed}). "
            "Pick a standard object's name or type id, or a listed custom object's type id or "
            "p_ name."
        )


__all__ = ["NONE", "STANDARD_CHOICES", "TypePicker", "aliases", "choices"]
