"""How the reader's messages name the caller's options: in the syntax of where they were given.

A message that tells the analyst what to pass says ``from_type="deals"`` to a Python caller,
``--from deals`` on the command line and ``"From object type" deals`` in the notebook app (its
pickers and dropdowns).  The reader is told which (``read_pairs(..., syntax="cli")``, as the
CLI does; ``"app"`` from the app); messages ask :class:`Syntax` for the spelling instead of
writing an option name themselves.  An option the command line does not have (``columns=``) is
``None`` there, and the message says what to do instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal, TypeAlias

from hubframe.errors import ConfigurationError
from hubframe.terminal import shown

SyntaxName: TypeAlias = Literal["python", "cli", "app"]

#: Reader options that the command line has, and their flags.
CLI_FLAGS: Final[dict[str, str]] = {
    "from_type": "--from",
    "to_type": "--to",
    "sheet": "--sheet",
    "label": "--label",
    "from_id_property": "--from-id-property",
    "to_id_property": "--to-id-property",
    "column": "--ids-column",  # an export's; a sync's --scope names its own (Syntax.with_flag)
}


#: The app's controls for the reader's options (``columns`` is its column dropdowns).
APP_CONTROLS: Final[dict[str, str]] = {
    "from_type": "From object type",
    "to_type": "To object type",
    "sheet": "Sheet",
    "label": "Label for all rows",
    "column": "From record ID",  # the id column of the sheet of records to export
}
#: The app's column dropdown of each field the reader reads.
APP_COLUMNS: Final[dict[str, str]] = {
    "from_id": "From record ID",
    "to_id": "To record ID",
    "from_type": "From type column",
    "to_type": "To type column",
    "label": "Label column",
    "category": "Category column",
    "type_id": "Type ID column",
    "max_to_object_ids": "Limit column",
}
#: The jobs a message may send the caller to, as the app names them and as Python runs them.
JobName: TypeAlias = Literal["limits", "associate"]
_APP_JOBS: Final[dict[str, str]] = {"limits": "Configure limits", "associate": "Associate records"}
_PYTHON_JOBS: Final[dict[str, tuple[str, str]]] = {
    "limits": ("configure_limits", "read_limits"),
    "associate": ("associate", "read_pairs"),
}
_APP_SHEETS: Final = {"*": "All visible sheets", "NAME": "the sheet's name"}


@dataclass(frozen=True)
class Syntax:
    """The caller's spelling of options: ``python`` (keyword arguments), ``cli`` (flags) or
    ``app`` (the notebook app's pickers)."""

    name: SyntaxName = "python"
    #: Flags of this command that differ from :data:`CLI_FLAGS` ((option, flag) pairs):
    #: ``sync --scope`` names its file's id column ``--scope-column``, not ``--ids-column``.
    flags: tuple[tuple[str, str], ...] = ()

    def with_flag(self, option: str, flag: str) -> Syntax:
        """This syntax, with ``option`` given on the command line as ``flag``."""
        return replace(self, flags=(*self.flags, (option, flag)))

    def option(self, option: str, value: str | None = None) -> str | None:
        """``from_type="deals"`` / ``--from deals`` / ``"From object type" deals``
        (``from_type=`` / ``--from`` / ``"From object type"`` without a value); None when
        the command line or the app has no such option."""
        if self.name == "app":
            return _app_option(option, value)
        if self.name == "cli":
            flag = dict(self.flags).get(option) or CLI_FLAGS.get(option)
            if flag is None:
                return None
            return flag if value is None else f"{flag} {_cli_value(value)}"
        return f"{option}=" if value is None else f'{option}="{value}"'

    def named(self, option: str) -> str:
        """The option's name alone, for sentences: ``from_type=`` / ``--from``."""
        return self.option(option) or f"{option}="

    def job(self, job: JobName, source: str) -> str:
        """How the caller runs ``job`` on the file ``source``: ``hf.configure_limits(
        hf.read_limits("lim.csv"), client)`` / ``hubframe limits lim.csv`` / the app's
        "Configure limits" job."""
        named = not source.startswith("<")  # a file object, a DataFrame: no name to give
        if self.name == "app":
            return f'the "{_APP_JOBS[job]}" job'
        if self.name == "cli":
            return f"hubframe {job} {_cli_value(source) if named else 'FILE'}"
        function, reader = _PYTHON_JOBS[job]
        return f"hf.{function}(hf.{reader}({repr(source) if named else '...'}), client)"

    def give(self) -> str:
        """The verb of giving an option: "Pass" (Python, the command line), "Pick" (app)."""
        return "Pick" if self.name == "app" else "Pass"

    def field(self, canonical: str) -> str:
        """A field as a sentence names it beside a chosen column: ``'from_id'``, or the app's
        dropdown ``"From record ID"``."""
        if self.name == "app":
            return f'"{APP_COLUMNS.get(canonical, canonical)}"'
        return repr(canonical)

    def choose_any(self, canonical: str) -> str | None:
        """How to choose one of several columns as ``canonical``: ``choose with
        columns={header: 'label'}``, ``pick it in the "Label column" dropdown``; None on the
        command line."""
        if self.name == "cli":
            return None
        if self.name == "app":
            return f'pick it in the "{APP_COLUMNS.get(canonical, canonical)}" dropdown'
        return f"choose with columns={{header: {canonical!r}}}"

    def choose(self, header: str, canonical: str) -> str | None:
        """How to read ``header`` as ``canonical`` by choice: ``columns={'Role': 'label'}``,
        or ``"Role" in the "Label column" dropdown``; None on the command line (no such
        option: the message says to rename the column)."""
        return self.choose_all([(header, canonical)])

    def choose_all(self, chosen: Sequence[tuple[str, str]]) -> str | None:
        """:meth:`choose` for several columns at once: ``columns={'Deal ID': 'from_id',
        'Company ID': 'to_id'}``, or each column in its dropdown."""
        if self.name == "cli":
            return None
        if self.name == "app":
            return " and ".join(
                f'"{header}" in the "{APP_COLUMNS.get(canonical, canonical)}" dropdown'
                for header, canonical in chosen
            )
        return f"columns={dict(chosen)!r}"


def _app_option(option: str, value: str | None) -> str | None:
    """An option as the app's control that gives it: ``"From object type" deals``; the column
    dropdowns for ``columns``; None for an option the app has no control for."""
    if option == "columns":
        return "the column dropdowns"
    control = APP_CONTROLS.get(option)
    if control is None:
        return None
    if value is None:
        return f'"{control}"'
    said = _APP_SHEETS.get(value, value) if option == "sheet" else value
    return f'"{control}" {said}'


def _cli_value(value: str) -> str:
    """A value as typed in a shell: quoted when it holds spaces or shell characters."""
    plain = value and all(c.isalnum() or c in "-_.,:/@+" for c in value)
    return value if plain else "'" + value.replace("'", "'\\''") + "'"


PYTHON: Final = Syntax("python")
CLI: Final = Syntax("cli")
APP: Final = Syntax("app")


def syntax_of(name: str | Syntax | None) -> Syntax:
    """The :class:`Syntax` of a ``syntax=`` argument ("python", "cli", a Syntax, None)."""
    if isinstance(name, Syntax):
        return name
    if name is not None and not isinstance(name, str):  # pd.NA's == is neither yes nor no
        raise ConfigurationError(f"syntax must be 'python', 'cli' or 'app', not {shown(name)}")
    if name in (None, "python"):
        return PYTHON
    if name == "cli":
        return CLI
    if name == "app":
        return APP
    raise ConfigurationError(f"syntax must be 'python', 'cli' or 'app', not {shown(name)}")
