"""The token ``$HUBSPOT_ACCESS_TOKEN`` holds is redacted though no client was made with it.

The client registers its token when it is made and the command line at its start; the notebook
app in sandbox mode, and a report exported from Python before any client used the environment's
token, did not: a token of no known shape (an OAuth token) pasted into a sheet's cell went into
the app's preview, its saved widget state, the report and the retry file as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe import redaction
from hubframe.redaction import MARK, contains_secret, forget_secret, redact
from hubframe.report import export_retry
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

OAUTH = "CNmBu4bFMBICAQEYp4XXASCq5-wMKM7sSDIUX1P5F2N1jC4T0Hd4D8e0ZY0GQkEz"


@pytest.fixture
def env_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", f"Bearer {OAUTH}\n")
    yield OAUTH
    forget_secret(OAUTH)
    redaction._env_seen = None


def test_the_environments_token_is_redacted_with_no_client_made(env_token: str) -> None:
    assert contains_secret(f"note: {env_token}")
    assert redact(f"a {env_token} b") == f"a {MARK} b"


def test_a_token_set_after_the_first_look_is_redacted_too(
    env_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert redact(env_token) == MARK
    other = OAUTH[::-1]
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", other)
    try:
        assert redact(f"x {other}") == f"x {MARK}"
    finally:
        forget_secret(other)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_reports_from_python_hold_no_token_of_the_environment(
    env_token: str, sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    sheet = pd.DataFrame(
        {
            "Deal ID": [str(demo_ids("deals")[1]), str(demo_ids("deals")[2])],
            "Contact ID": [str(demo_ids("contacts")[1]), "abc"],
            "Note": [f"token {env_token}", env_token],
        }
    )
    result = hf.associate(sheet, client_for(sandbox), dry_run=True, progress=False)
    report, retry = tmp_path / f"report{suffix}", tmp_path / f"retry{suffix}"
    hf.export_report(result, report)
    export_retry(result, retry)
    for path in (report, retry):
        data = path.read_bytes()
        if suffix == ".xlsx":
            import zipfile

            with zipfile.ZipFile(path) as book:
                data = b"".join(book.read(name) for name in book.namelist())
        assert env_token.encode() not in data, path
        assert b"redacted" in data, path
