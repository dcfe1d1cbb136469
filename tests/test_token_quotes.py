"""A token given in quotes is the token inside them.

``HUBSPOT_ACCESS_TOKEN="pat-..."`` in an env file that a tool reads as it is (docker's
``--env-file``) gives the token with its quotes.  The quoted text was taken for the token: the
run was refused (401), and only the quoted text was redacted, so the token itself in a cell of
the sheet was written into the report in clear.  No token holds a quote: quotes around it (and
curly ones, from a word processor) are taken off, as spaces and the ``Bearer`` word are; and
"Bearer" alone is no token, said so before anything is sent.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import _env, _hubframe

from hubframe.errors import ConfigurationError
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.tokens import token_text

DEAL, CONTACT = 2040000060, 1019360160
WRAPS = ['"{}"', "'{}'", "\u201c{}\u201d", "\u2018{}\u2019", "`{}`", ' "{}" \n', '"Bearer {}"']
WRAPS += ['Bearer "{}"', "  '{}'\r\n", "Bearer\t{}", '" {} "', '{}"', "'{}", "\u201c{}"]


@pytest.mark.parametrize("wrap", WRAPS)
def test_a_quoted_token_runs_and_the_token_in_a_cell_is_redacted(
    sandbox: Sandbox, tmp_path: Path, wrap: str
) -> None:
    sheet = tmp_path / "pairs.csv"
    sheet.write_text(f"Deal ID,Contact ID,Notes\n{DEAL},{CONTACT},{sandbox.token}\n")
    report = tmp_path / "report.csv"
    env = _env(sandbox, token=wrap.format(sandbox.token))
    proc = _hubframe("associate", str(sheet), "--report", str(report), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = report.read_text(encoding="utf-8-sig")
    assert sandbox.token not in written and "success" in written, written
    assert sandbox.token not in proc.stdout + proc.stderr
    assert (DEAL, CONTACT) in {
        (int(f), int(t))
        for f, t in sandbox.associations("deals", "contacts")[["from_id", "to_id"]].values
    }


@pytest.mark.parametrize("given_token", ["Bearer ", "bearer", '""', "' '", '"Bearer"'])
def test_bearer_or_quotes_alone_are_no_token(given_token: str) -> None:
    with pytest.raises(ConfigurationError, match="No HubSpot access token"):
        HubSpotClient(given_token, "http://127.0.0.1:9")


TOKEN_CHARS = string.ascii_letters + string.digits + "-_"


@settings(max_examples=examples(200), deadline=None)
@given(
    token=st.text(TOKEN_CHARS, min_size=1, max_size=40),
    layers=st.lists(
        st.sampled_from(
            ['"{}"', "'{}'", "\u201c{}\u201d", " {} ", "\n{}\r\n", "Bearer {}", '{}"', "`{}"]
        ),
        max_size=4,
    ),
)
def test_property_every_wrapping_gives_the_token_back(token: str, layers: list[str]) -> None:
    """Quotes, spaces, line ends and one ``Bearer`` word around a token, in any order, are
    taken off; the token itself is never cut."""
    if sum(layer.startswith("Bearer") for layer in layers) > 1 or token.lower() == "bearer":
        return  # "Bearer Bearer x": the second word is not known to be one
    text = token
    for layer in layers:
        text = layer.format(text)
    assert token_text(text) == token, (text, token)
