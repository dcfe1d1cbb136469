"""A usage error never prints the access token.

argparse's errors were printed before the token was registered for redaction, so a typo in
``--token`` (``--tokn $TOK``), the token given without its option (a stray word), or given to
another option (``--api-version $TOK``) wrote it to stderr, into CI logs and scrollback,
though ``$HUBSPOT_ACCESS_TOKEN`` held it.  Now what can be known before parsing is registered
(the variable; the word after an option spelled like ``--token``, or its ``=`` value) and the
parser's errors go through the redaction, which also hides any word shaped like a HubSpot
private app token.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe import redaction
from hubframe.cli import main
from hubframe.constants import ENV_TOKEN

TOKEN = "pat-na1-aaaabbbb-cccc-dddd-eeee-ffff00001111"
LEGACY = "0f1e2d3c4b5a69788796a5b4"  # no pat- shape: found only by where it was typed


@contextlib.contextmanager
def _environment(token: str | None) -> Iterator[None]:
    saved = os.environ.get(ENV_TOKEN)
    os.environ.pop(ENV_TOKEN, None)
    if token is not None:
        os.environ[ENV_TOKEN] = token
    try:
        yield
    finally:
        os.environ.pop(ENV_TOKEN, None)
        if saved is not None:
            os.environ[ENV_TOKEN] = saved
        for secret in (TOKEN, LEGACY):
            redaction.forget_secret(secret)


def _said(argv: list[str], env_token: str | None = None) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with _environment(env_token), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue() + err.getvalue()


def _sheet(tmp_path: Path) -> str:
    sheet = tmp_path / "p.csv"
    sheet.write_text("Deal ID,Contact ID\n2040000001,1019360001\n", encoding="utf-8")
    return str(sheet)


def _cases(sheet: str, token: str) -> dict[str, list[str]]:
    return {
        "a typo of --token": ["associate", sheet, "--tokn", token],
        "--token forgotten": ["associate", sheet, token],
        "the wrong option": ["associate", sheet, "--api-version", token],
        "a typo with =": ["associate", sheet, f"--tokne={token}"],
        "a stray word after --token": ["validate", sheet, "--token", token, "extra.csv"],
        "a number option": ["associate", sheet, "--batch-size", token],
        "the wrong command": ["asociate", sheet, "--token", token],
        "a sandbox mode": ["associate", sheet, "--sandbox", token],
    }


CASES = list(_cases("", ""))


@pytest.mark.parametrize("env", [True, False], ids=["in the variable", "typed only"])
@pytest.mark.parametrize("token", [TOKEN, LEGACY], ids=["pat", "legacy"])
@pytest.mark.parametrize("case", CASES)
def test_a_usage_error_never_prints_the_token(
    tmp_path: Path, case: str, token: str, env: bool
) -> None:
    argv = _cases(_sheet(tmp_path), token)[case]
    hidden = env or token == TOKEN or case in ("a typo of --token", "a typo with =")
    hidden |= "--token" in argv
    if not hidden:  # typed without its option and without the variable: nothing says it is one
        pytest.skip("nothing can tell this word is a token")
    code, said = _said(argv, token if env else None)
    assert code == 2
    assert token not in said and token.upper() not in said.upper(), said
    assert "error:" in said


def _typos(word: str) -> st.SearchStrategy[str]:
    """One edit of ``word`` after its dashes: a letter left out, doubled, swapped or changed."""
    letters = st.sampled_from("abcdefghijklmnopqrstuvwxyz")
    body = word[2:]

    def edit(kind: int, at: int, letter: str) -> str:
        at %= len(body)
        if kind == 0:
            return body[:at] + body[at + 1 :]
        if kind == 1:
            return body[:at] + letter + body[at:]
        if kind == 2 and at + 1 < len(body):
            return body[:at] + body[at + 1] + body[at] + body[at + 2 :]
        return body[:at] + letter + body[at + 1 :]

    edited = st.builds(edit, st.integers(0, 3), st.integers(0, 20), letters)
    return edited.map(lambda b: "--" + b)


@settings(max_examples=examples(40), deadline=None)
@given(option=_typos("--token"), joined=st.booleans(), env=st.booleans())
def test_a_misspelt_token_option_never_prints_the_token(
    option: str, joined: bool, env: bool
) -> None:
    argv = ["associate", "/nonexistent/p.csv"]
    argv += [f"{option}={LEGACY}"] if joined else [option, LEGACY]
    _, said = _said(argv, LEGACY if env else None)
    assert LEGACY not in said, (option, said)


def test_words_after_other_options_are_not_hidden(tmp_path: Path) -> None:
    """``--to contacts`` is no token: an error names the words it holds as typed."""
    sheet = _sheet(tmp_path)
    code, said = _said(["associate", sheet, "--to", "contacts", "--frm", "deals", "stray-word"])
    assert code == 2 and "--frm" in said and "stray-word" in said and "<redacted>" not in said
