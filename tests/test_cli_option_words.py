"""Every command-line option given a bad value is refused in the words typed: the option
(``--rate-limit``), or the path given for a file option, never the Python parameter behind it.

Before: ``--base-url http://example.com`` said ``base_url's plain http:// ...`` (also when the
URL came from ``$HUBSPOT_BASE_URL``, which was not named), ``hubframe sandbox --rate-limit 0``
said ``rate_limit must be (max_requests >= 1, window_s ...)``, ``--latency -1`` said ``latency
must be (base_s, per_input_s) ...``, ``--faults server_error_rate=2`` named nothing, ``--sheet 3``
on a CSV and ``--ids-column Nope`` named no option.  docs/cli.md: "Messages name options as
typed here, not as the Python API does."  The table below holds a bad value for every option
of every command that takes one (a new option fails :func:`test_the_table_covers_every_option`
until it has one); the Python API keeps naming its parameters.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hubframe.cli import build_parser, main
from hubframe.errors import ConfigurationError
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

TOKEN = "pat-na1-00000000-0000-0000-0000-000000000000"
DEAL, CONTACT = str(demo_ids("deals")[60]), str(demo_ids("contacts")[160])


@dataclass(frozen=True)
class Bad:
    """A bad value of an option, what else the command needs to reach its check, and what the
    refusal must name (the option itself unless ``names`` says: a file option's path)."""

    value: str
    needs: tuple[str, ...] = ()
    names: str | None = None
    label: str = field(default="")
    joined: bool = False  # given as --option=VALUE (--sandbox VALUE reads VALUE as the file)
    only: tuple[str, ...] = ()  # the commands it is tried with (default: every one)


#: A bad value of every option that takes one (options shared by several commands: the same
#: value for each).  ``{tmp}`` is the test's folder; ``{ids}``, ``{pairs}`` its sheets.
TABLE: dict[str, list[Bad]] = {
    "--api-version": [Bad("v9")],
    "--base-url": [
        Bad("http://example.com", ("--token", TOKEN), label="plain-http"),
        Bad("ftp://example.com", ("--token", TOKEN), label="not-http"),
        Bad("https://user:pw@example.com", ("--token", TOKEN), label="credentials"),
    ],
    "--batch-size": [Bad("0")],
    "--from": [Bad("nosuchtype")],
    "--to": [Bad("nosuchtype")],
    "--from-id-property": [Bad(" ")],
    "--to-id-property": [Bad(" ")],
    "--label": [Bad(" ")],
    "--token": [Bad(" ")],
    "--journal": [Bad("{tmp}", names="{tmp}")],
    "--report": [Bad("{tmp}/out.txt", names="out.txt")],
    "--retry-file": [Bad("{tmp}/out.txt", names="out.txt")],
    "--sandbox": [Bad("bogus", joined=True)],
    "--sheet": [Bad("3")],
    "--ids": [Bad("{tmp}/nosuch.csv", names="nosuch.csv")],
    "--ids-column": [Bad("Nope", ("--ids", "{ids}"))],
    "--kind": [Bad("x")],
    "--max-issues": [Bad("0")],
    "--max-removals": [Bad("-1")],
    "--out": [
        Bad("{tmp}/links.txt", names="links.txt", only=("export",)),
        Bad("{pairs}", names="pairs.csv", only=("demo",)),  # a file, not a folder
    ],
    "--scope": [Bad("{tmp}/nosuch.csv", names="nosuch.csv")],
    "--scope-column": [
        Bad("Nope", ("--scope", "{ids}"), label="no-such-column"),
        Bad("Nope", label="without-scope"),
    ],
    "--port": [Bad("99999")],
    "--seed": [Bad("x")],
    "--rate-limit": [Bad("0", label="max"), Bad("5/0", label="window"), Bad("x", label="text")],
    "--daily-limit": [Bad("-1")],
    "--latency": [Bad("-1", label="base"), Bad("0,-1", label="per-input")],
    "--faults": [
        Bad("server_error_rate=2", label="rate"),
        Bad("bogus=1", label="unknown"),
        Bad("server_error_rate=0.6,reset_rate=0.6", label="sum"),
    ],
    "--behaviour": [Bad("x")],
    "--behaviour-set": [Bad("nope=1")],
    "--records": [Bad("{tmp}/nosuch.csv", names="nosuch.csv")],
    "--sample-data": [Bad("{tmp}/none")],
}
#: What a command needs besides the option tried; ``--sandbox`` where a check runs connected.
BASE: dict[str, list[str]] = {
    "associate": ["{pairs}"],
    "remove": ["{pairs}"],
    "sync": ["{pairs}"],
    "validate": ["{pairs}"],
    "limits": ["{limits}"],
    "labels": ["{labels}", "--from", "deals", "--to", "contacts"],
    "undo": ["{report}"],
    "export": ["--from", "deals", "--to", "contacts", "-o", "{tmp}/links.csv"],
    "sandbox": ["--port", "0"],
    "demo": [],
}
#: Commands that connect before every check: with the demo sandbox (the table's --base-url
#: cases connect to the URL given instead).
CONNECTED: frozenset[str] = frozenset(BASE) - {"sandbox", "demo", "undo"}  # undo: refused
#: Options a command reads only with another: the sandbox reads --from/--to/--sheet with a
#: sheet of records, export --sheet with --ids.
NEEDS: dict[tuple[str, str], list[str]] = {
    ("sandbox", "--from"): ["--records", "{pairs}"],
    ("sandbox", "--to"): ["--records", "{pairs}"],
    ("sandbox", "--sheet"): ["--records", "{pairs}"],
    ("export", "--sheet"): ["--ids", "{ids}"],
}
#: Known, left for another change: the labels sheet's rows take the type --from / --to gives,
#: and a bad one is each row's BAD_OBJECT_TYPE "'from' object type cell" (exit 1).
LEFT: dict[tuple[str, str], str] = {}
#: The Python names a command-line message must not use.
PYTHON_ONLY = ("column=", "sheet=", "ids=", "scope=", "max_requests", "window_s", "base_s")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subs.choices)


def _value_options() -> list[tuple[str, argparse.Action]]:
    """(command, action) of every option of every command that takes a value."""
    flags = (argparse._HelpAction, argparse._StoreConstAction, argparse.BooleanOptionalAction)
    return [
        (name, action)
        for name, sub in _commands().items()
        for action in sub._actions
        if action.option_strings and action.nargs != 0 and not isinstance(action, flags)
    ]


def _python_names() -> set[str]:
    """The parameters behind the options: their dest when it is not one word (``base_url``)."""
    return {a.dest for _, a in _value_options() if "_" in a.dest}


def _cases() -> Iterator[object]:
    for command, action in _value_options():
        option = action.option_strings[-1]
        for bad in TABLE.get(option, []):
            if bad.only and command not in bad.only:
                continue
            label = f"-{bad.label}" if bad.label else ""
            left = LEFT.get((command, option))
            marks = [pytest.mark.xfail(reason=left, strict=True)] if left else []
            yield pytest.param(command, option, bad, id=f"{command}{option}{label}", marks=marks)


def test_the_table_covers_every_option() -> None:
    missing = sorted({a.option_strings[-1] for _, a in _value_options()} - set(TABLE))
    assert not missing, f"no bad value in TABLE for {missing}"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The sheets the commands read, and a report of a real run (over HTTP) for undo."""
    folder = tmp_path_factory.mktemp("sheets")
    pairs = folder / "pairs.csv"
    pairs.write_text(f"Deal ID,Contact ID\n{DEAL},{CONTACT}\n", encoding="utf-8")
    limits = folder / "limits.csv"
    limits.write_text("From type,To type,Label,Limit\ndeals,contacts,,5\n", encoding="utf-8")
    labels = folder / "labels.csv"
    labels.write_text("Label,Inverse label\nScout,Scouted\n", encoding="utf-8")
    ids = folder / "ids.csv"
    ids.write_text(f"Which deals,Note\n{DEAL},x\n", encoding="utf-8")
    report = folder / "report.csv"
    with Sandbox() as sb:
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        assert main(["associate", str(pairs), "--report", str(report), *hub]) == 0
    return {
        "pairs": str(pairs),
        "limits": str(limits),
        "labels": str(labels),
        "ids": str(ids),
        "report": str(report),
    }


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, capsys.readouterr().err


def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert lines, err
    return lines[-1]


@pytest.mark.parametrize(("command", "option", "bad"), list(_cases()))
def test_a_bad_value_is_refused_in_the_words_typed(
    command: str,
    option: str,
    bad: Bad,
    files: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HUBSPOT_BASE_URL", raising=False)
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    fill = {**files, "tmp": str(tmp_path)}
    sandbox = ["--sandbox"] if command in CONNECTED and option != "--base-url" else []
    given = [f"{option}={bad.value}"] if bad.joined else [option, bad.value]
    argv = [command, *BASE[command], *sandbox, *NEEDS.get((command, option), []), *bad.needs]
    argv += given
    code, err = _run([word.format(**fill) for word in argv], capsys)
    said = _error_line(err)
    assert code == 2, err
    named = (bad.names or option).format(**fill)
    assert named in said, f"{said!r} does not name {named!r}"
    for name in _python_names():
        assert not re.search(rf"(?<![\w-]){name}(?![\w-])", said), f"{said!r} says {name}"
    assert not [word for word in PYTHON_ONLY if word in said], said


def test_a_base_url_from_the_environment_is_named_so(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://example.com")
    code, err = _run(["associate", files["pairs"], "--token", TOKEN, "--dry-run"], capsys)
    assert code == 2
    assert "hubframe: error: $HUBSPOT_BASE_URL's plain http:// to 'example.com'" in err, err
    code, err = _run(["validate", files["pairs"], "--token", TOKEN], capsys)
    assert code == 2 and "$HUBSPOT_BASE_URL's plain http://" in err, err
    monkeypatch.setenv("HUBSPOT_BASE_URL", "ftp://example.com")  # --base-url given wins
    code, err = _run(
        ["associate", files["pairs"], "--token", TOKEN, "--base-url", "ftp://x.example"], capsys
    )
    assert code == 2 and "--base-url must start with http://" in err, err


# --- the Python API keeps its parameters' names ------------------------------------------


def test_the_client_names_its_parameter_or_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUBSPOT_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match=r"^base_url's plain http:// to 'example\.com'"):
        HubSpotClient(TOKEN, "http://example.com")
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://example.com")
    with pytest.raises(ConfigurationError, match=r"^\$HUBSPOT_BASE_URL's plain http://"):
        HubSpotClient(TOKEN)
    with pytest.raises(ConfigurationError, match=r"^base_url must start with http://"):
        HubSpotClient(TOKEN, "ftp://example.com")  # given: the variable is not read


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"rate_limit": (0, 10.0)}, r"^rate_limit must be \(max_requests >= 1"),
        ({"latency": (-1.0, 0.0)}, r"^latency must be \(base_s, per_input_s\)"),
        ({"faults": {"server_error_rate": 2.0}}, r"^fault rates must be between 0 and 1"),
    ],
    ids=["rate_limit", "latency", "faults"],
)
def test_the_sandbox_names_its_parameters(kwargs: dict[str, object], said: str) -> None:
    with pytest.raises(ValueError, match=said):
        Sandbox(**kwargs)  # type: ignore[arg-type]


def test_the_apps_base_url_box_is_named_as_the_page_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hubframe.widgets import backend

    monkeypatch.delenv("HUBSPOT_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match=r"^the Base URL's plain http:// to 'example\."):
        backend.connect("account", token=TOKEN, base_url="http://example.com", api_version="v4")
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://example.com")  # the box left empty
    with pytest.raises(ConfigurationError, match=r"^\$HUBSPOT_BASE_URL's plain http://"):
        backend.connect("account", token=TOKEN, base_url=None, api_version="v4")
