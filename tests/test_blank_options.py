"""An option given an empty or blank value is refused by name, never read as "not given".

``hubframe remove pairs.csv --label "$LABEL"`` with ``LABEL`` unset (meant: take one label off)
removed the pair's every label and the link, exit 0, nothing said; ``associate --label ""``
linked the pairs unlabeled, ``--sheet ""`` read the default sheet, ``--to-id-property ""``
read record ids.  Only ``--token`` and ``--base-url`` were refused so.  Now every option of
every command that takes a value refuses one that is empty or blank, and ``read_pairs`` refuses
a blank ``label=``, ``from_id_property=`` or ``to_id_property=``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

import pandas as pd
import pytest

import hubframe
from hubframe.cli import build_parser, main
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox

BLANKS = ["", " ", "\t", " \n"]
#: What a command needs besides the option tried (its positional file, its required options).
REQUIRED: dict[str, list[str]] = {"export": ["--from", "deals", "--to", "contacts", "-o", "x.csv"]}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subs.choices)


def _options() -> list[tuple[str, str]]:
    """(command, option) for every option of every command that takes a value."""
    found = []
    for name, sub in _commands().items():
        for action in sub._actions:
            if action.option_strings and action.nargs != 0 and not _is_flag(action):
                found.append((name, action.option_strings[-1]))
    return found


def _is_flag(action: argparse.Action) -> bool:
    flags = (argparse._HelpAction, argparse._StoreConstAction, argparse.BooleanOptionalAction)
    return isinstance(action, flags)


def _argv(command: str, option: str, value: str) -> list[str]:
    sub = _commands()[command]
    positional = [a for a in sub._actions if not a.option_strings]
    return [command, *(["f.csv"] * len(positional)), *REQUIRED.get(command, []), option, value]


def _parse(argv: list[str]) -> tuple[int | None, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            build_parser().parse_args(argv)
        except SystemExit as exit_:
            return int(exit_.code or 0), err.getvalue()
    return None, err.getvalue()


def test_the_options_tried_include_the_reported_ones() -> None:
    tried = set(_options())
    for command in ("associate", "remove", "sync", "validate"):
        for option in ("--label", "--sheet", "--from-id-property", "--to-id-property"):
            assert (command, option) in tried
    assert {("export", "--sheet"), ("export", "--ids-column"), ("demo", "--out")} <= tried


@pytest.mark.parametrize("value", BLANKS, ids=repr)
@pytest.mark.parametrize(("command", "option"), _options())
def test_every_option_refuses_a_blank_value_by_name(command: str, option: str, value: str) -> None:
    code, err = _parse(_argv(command, option, value))
    assert code == 2, f"{command} {option} {value!r} was accepted"
    assert f"argument {option}" in err or f"/{option}" in err, err


@pytest.mark.parametrize("value", BLANKS, ids=repr)
@pytest.mark.parametrize("command", ["associate", "remove", "validate", "labels", "undo"])
def test_a_blank_file_argument_is_refused_by_name(command: str, value: str) -> None:
    code, err = _parse([command, value])
    assert code == 2 and "argument file" in err and "empty" in err, err


@pytest.mark.parametrize("value", ["Champion", "0", "-1", "*", " Decision maker "])
def test_values_that_are_not_blank_are_kept_as_given(value: str) -> None:
    args = build_parser().parse_args(["associate", "p.csv", "--label", value, "--sheet", value])
    assert args.label == value and args.sheet == value


def _pairs(tmp_path: Path, deal: str, contact: str) -> Path:
    sheet = tmp_path / "pairs.csv"
    sheet.write_text(f"Deal ID,Contact ID\n{deal},{contact}\n", encoding="utf-8")
    return sheet


@pytest.mark.parametrize("value", ["", " "], ids=repr)
def test_remove_with_an_unset_label_variable_removes_nothing(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """The reported case, over real HTTP: the pair keeps both labels and its link."""
    from hubframe.testing import demo_ids

    deal, contact = str(demo_ids("deals")[50]), str(demo_ids("contacts")[150])
    sheet = _pairs(tmp_path, deal, contact)
    hub = ["--token", sandbox.token, "--base-url", sandbox.url, "--no-progress"]
    for label in ("Decision maker", "Champion"):
        assert main(["associate", str(sheet), "--label", label, *hub]) == 0
    links = sandbox.associations("deals", "contacts")
    before = links[links["from_id"] == deal]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["remove", str(sheet), "--label", value, *hub])
    assert exit_.value.code == 2
    assert "argument --label: is empty" in capsys.readouterr().err
    links = sandbox.associations("deals", "contacts")
    after = links[links["from_id"] == deal]
    assert len(after) == len(before) >= 3


@pytest.mark.parametrize("value", ["", " ", "\t", "\u3000"], ids=repr)
@pytest.mark.parametrize("argument", ["label", "from_id_property", "to_id_property"])
def test_read_pairs_refuses_a_blank_text_argument_by_name(argument: str, value: str) -> None:
    sheet = pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["2"]})
    with pytest.raises(InputError, match=f"{argument}= is empty"):
        hubframe.read_pairs(sheet, **{argument: value})


def _sandbox_options() -> list[str]:
    from hubframe.sandbox.serve import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return [a.option_strings[-1] for a in parser._actions if a.option_strings and a.nargs != 0]


@pytest.mark.parametrize("value", ["", " "], ids=repr)
@pytest.mark.parametrize("option", _sandbox_options())
def test_python_m_hubframe_sandbox_refuses_a_blank_value_too(option: str, value: str) -> None:
    """``python -m hubframe.sandbox --faults ""`` served a sandbox without faults (and
    ``--behaviour-set ""`` one without the switches), where ``hubframe sandbox`` refused.
    (A process: accepted, the sandbox serves until stopped.)"""
    import subprocess
    import sys

    argv = [sys.executable, "-m", "hubframe.sandbox", option, value, "--port", "0"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{option} {value!r} was accepted: the sandbox served")
    assert done.returncode == 2 and f"argument {option}" in done.stderr, done.stderr
