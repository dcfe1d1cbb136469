"""The public functions' yes/no and number arguments, held to their types.

Python reads any non-empty text as true, so ``allow_removals="no"`` allowed a sync to remove
associations and ``dry_run="false"`` made a dry run; ``batch_size=2.5`` or ``workers="4"``
stopped a run with a TypeError from deep inside.  :func:`flag` takes True or False only (numpy's
too), :func:`count` whole numbers only; anything else is a
:class:`~hubframe.errors.ConfigurationError` naming the argument and the value, raised before a
job reads or sends anything.  (No numpy import: the command line's start-up stays light.)
The command lines (``hubframe``, ``python -m hubframe.sandbox``) hold every option that takes a
value to a non-blank one (:func:`refuse_blank_values`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from hubframe.errors import ConfigurationError
from hubframe.terminal import shown

if TYPE_CHECKING:  # the command line's: a job's arguments are checked without it
    import argparse


def flag(name: str, value: Any) -> bool:
    """``value`` as a yes/no argument: True or False (a numpy bool too)."""
    if isinstance(value, bool):
        return value
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind == "b" and getattr(value, "ndim", 1) == 0:  # numpy.True_, numpy.False_
        return bool(value)
    raise ConfigurationError(f"{name} must be True or False, not {shown(value)}")


def optional_flag(name: str, value: Any) -> bool | None:
    """:func:`flag`, or None (the default chosen by the job)."""
    return None if value is None else flag(name, value)


def count(name: str, value: Any, *, minimum: int = 1) -> int | None:
    """``value`` as a whole-number argument of at least ``minimum`` (None: the default)."""
    if value is None:
        return None
    if not is_whole(value):
        raise ConfigurationError(f"{name} must be a whole number, not {shown(value)}")
    if int(value) < minimum:
        raise ConfigurationError(f"{name} must be {minimum} or more, not {int(value)}")
    return int(value)


def is_whole(value: Any, minimum: int | None = None) -> bool:
    """``value`` is a whole number (numpy's too; not True or False), at least ``minimum``."""
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    return whole and (minimum is None or int(value) >= minimum)


#: The longest time an argument may give in seconds: a day.  Past it (``float("inf")``,
#: ``1e300``), a timeout failed with Python's OverflowError at the first request, and a wait
#: or a rate-limit window never ended.
MAX_SECONDS: Final = 86_400


def is_seconds(value: Any, *, zero: bool = False) -> bool:
    """``value`` is a number of seconds above 0 (or 0 too, with ``zero``), at most
    :data:`MAX_SECONDS`: not NaN or infinite."""
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return number and (value >= 0 if zero else value > 0) and value <= MAX_SECONDS


#: What a space-like character a sheet's cells are trimmed of too (``hubframe.io.text.SPACE``).
INVISIBLE: Final = " \t\r\n\u00a0\ufeff\u200b"


class NotBlank:
    """An option's type: text that is not empty or blank, then ``inner``'s conversion.
    ``--label "$LABEL"`` with the variable unset gave ``--label ""``, which was taken as not
    given: ``hubframe remove pairs.csv --label ""`` removed the pairs' every label and their
    links instead of one label; ``--base-url ""`` sent a rehearsal to HubSpot itself.  Every
    option that takes a value has this type (:func:`refuse_blank_values`).  (The refusal
    never repeats what was given: it may be a token.)"""

    def __init__(self, inner: Callable[[str], Any], option: str, left_out: str = "") -> None:
        self.inner = inner
        self.option = option
        self.left_out = left_out
        self.__name__ = getattr(inner, "__name__", "value")  # argparse's "invalid ... value"

    def __call__(self, text: str) -> Any:
        if not text.strip() or not text.strip(INVISIBLE):
            import argparse

            raise argparse.ArgumentTypeError(self._said())
        return self.inner(text)

    def _said(self) -> str:
        if not self.option.startswith("-"):
            return "is empty (a shell variable that is not set?): give the file's path"
        out = f" {self.left_out}" if self.left_out else ""
        return (
            f"is empty (a shell variable that is not set?): give it a value, or leave "
            f"{self.option} out{out}"
        )


def refuse_blank_values(
    parser: argparse.ArgumentParser, left_out: Mapping[str, str] | None = None
) -> None:
    """Every option (and positional) of every command that takes a value refuses an empty or
    blank one by name (:class:`NotBlank`), whatever its type; a type that refuses it already
    with words of its own (``--token``) is kept."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict(action.choices).values():
                refuse_blank_values(sub, left_out)
            continue
        if action.nargs == 0 or isinstance(action.type, NotBlank):
            continue
        option = action.option_strings[-1] if action.option_strings else action.dest
        inner = action.type if callable(action.type) else str
        action.type = NotBlank(inner, option, (left_out or {}).get(option, ""))


__all__ = [
    "INVISIBLE",
    "MAX_SECONDS",
    "NotBlank",
    "count",
    "flag",
    "is_seconds",
    "is_whole",
    "optional_flag",
    "refuse_blank_values",
]
