"""How the reader's messages name the caller's options: in the syntax of where they were given.

A message that tells the analyst what to pass says ``from_type="deals"`` to a Python caller and
``--from deals`` on the command line.  The reader is told which (``read_pairs(...,
syntax="cli")``, as the CLI does); messages ask :class:`Syntax` for the spelling instead of
writing an option name themselves.  An option the command line does not have (``columns=``) is
``None`` there, and the message says what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from hubframe.errors import ConfigurationError

SyntaxName: TypeAlias = Literal["python", "cli"]

#: Reader options that the command line has, and their flags.
CLI_FLAGS: Final[dict[str, str]] = {
    "from_type": "--from",
    "to_type": "--to",
    "sheet": "--sheet",
    "label": "--label",
    "from_id_property": "--from-id-property",
    "to_id_property": "--to-id-property",
}


@dataclass(frozen=True)
class Syntax:
    """The caller's spelling of options: ``python`` (keyword arguments) or ``cli`` (flags)."""

    name: SyntaxName = "python"

    def option(self, option: str, value: str | None = None) -> str | None:
        """``from_type="deals"`` / ``--from deals`` (``from_type=`` / ``--from`` without a
        value); None when the command line has no such option."""
        if self.name == "cli":
            flag = CLI_FLAGS.get(option)
            if flag is None:
                return None
            return flag if value is None else f"{flag} {_cli_value(value)}"
        return f"{option}=" if value is None else f'{option}="{value}"'

    def named(self, option: str) -> str:
        """The option's name alone, for sentences: ``from_type=`` / ``--from``."""
        return self.option(option) or f"{option}="


def _cli_value(value: str) -> str:
    """A value as typed in a shell: quoted when it holds spaces or shell characters."""
    plain = value and all(c.isalnum() or c in "-_.,:/@+" for c in value)
    return value if plain else "'" + value.replace("'", "'\\''") + "'"


PYTHON: Final = Syntax("python")
CLI: Final = Syntax("cli")


def syntax_of(name: str | Syntax | None) -> Syntax:
    """The :class:`Syntax` of a ``syntax=`` argument ("python", "cli", a Syntax, None)."""
    if isinstance(name, Syntax):
        return name
    if name in (None, "python"):
        return PYTHON
    if name == "cli":
        return CLI
    raise ConfigurationError(f"syntax must be 'python' or 'cli', not {name!r}")
