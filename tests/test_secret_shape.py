"""A word of a HubSpot private app token's shape (``pat-na1-`` and a UUID) is redacted wherever
it shows, registered or not.

Before: only registered tokens were redacted, and a token is registered when a client is made
or ``$HUBSPOT_ACCESS_TOKEN`` is read.  ``hubframe validate`` and ``hf.validate_pairs`` of a
sheet holding a token (pasted into an id or notes cell), run offline, quoted it in the issues
table, the terminal and the Validation sheet of a report; a dry-run report of a result held it
in the sheet's own columns.  Only the command line's usage errors hid the shape.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe import redaction
from hubframe.cli import main
from hubframe.constants import ENV_TOKEN
from hubframe.redaction import MARK, contains_secret, redact, redact_all
from hubframe.report.safety import outgoing_frame
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for


def _token(region: str = "na1") -> str:
    return f"pat-{region}-{uuid.uuid4()}"


@pytest.fixture(autouse=True)
def _no_variable() -> Iterator[None]:
    saved = os.environ.pop(ENV_TOKEN, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[ENV_TOKEN] = saved


def shows(token: str, text: str) -> bool:
    """True when ``text`` shows any 12 characters of ``token``'s UUID (any case)."""
    tail = token.split("-", 2)[2].casefold()
    folded = text.casefold()
    return any(tail[i : i + 12] in folded for i in range(len(tail) - 11))


@settings(max_examples=examples(200), deadline=None)
@given(
    region=st.sampled_from(["na1", "eu1", "ap1", "na2", "na12"]),
    upper=st.booleans(),
    before=st.text(alphabet="ab ,:\n", max_size=20),
    after=st.text(alphabet="ab ,:\n", max_size=20),
    dashes=st.sampled_from(["-", "_"]),  # pat_na1_...: retyped as a name that takes no dashes
)
def test_a_token_of_hubspots_shape_is_redacted_unregistered(
    region: str, upper: bool, before: str, after: str, dashes: str
) -> None:
    token = _token(region).replace("-", dashes)
    token = token.upper() if upper else token
    before += " "  # a word of its own: "apat-na1-..." is the end of another word
    text = before + token + after
    assert contains_secret(text) and contains_secret("\x00".join(["x", text]))
    assert redact(text) == before + MARK + after
    assert redact_all(["plain", text]) == ["plain", before + MARK + after]
    assert token not in redaction.spellings()  # redacted by shape, not registered


@pytest.mark.parametrize(
    "text",
    [
        "pat-na1-notauuid",
        str(uuid.UUID(int=7)),  # a UUID alone may be a record's key
        "pat-na1-1b2c3d4e-5f60-7182-93a4",  # a piece
        "a pat-na1- prefix",
        "compat-eu1-9e1d2c3b-1111-2222-3333-444455556666",  # the end of another word
        "compat_eu1_9e1d2c3b_1111_2222_3333_444455556666",
        str(uuid.UUID(int=9)).replace("-", "_"),  # a UUID alone, however written
    ],
)
def test_words_not_of_the_shape_stay(text: str) -> None:
    assert redact(text) == text and not contains_secret(text)


@pytest.mark.parametrize("dtype", [object, "string[python]", "string[pyarrow]"])
def test_a_report_column_holding_one_is_redacted(dtype: object) -> None:
    token = _token()
    frame = pd.DataFrame({"Notes": pd.Series(["ok", f"key {token}", None], dtype=dtype)})  # type: ignore[call-overload]
    out = outgoing_frame(frame)["Notes"].tolist()
    assert out[:2] == ["ok", f"key {MARK}"], out


def _sheet(tmp_path: Path, token: str) -> Path:
    path = tmp_path / "pairs.csv"
    path.write_text(
        f"Deal ID,Contact ID,Notes\n{token},1019360001,x\n2040000001,1019360002,key {token}\n",
        encoding="utf-8",
    )
    return path


def test_an_offline_validation_quotes_none_of_it(tmp_path: Path, sandbox: Sandbox) -> None:
    token = _token()
    issues = hf.validate_pairs(_sheet(tmp_path, token))
    said = " ".join(issues["message"].astype(str))
    assert "is not a HubSpot record id" in said and not shows(token, said), said
    result = hf.associate(_sheet(tmp_path, token), client_for(sandbox), progress=False)
    for path in (
        hf.export_report(result, tmp_path / "r.xlsx"),
        hf.export_report(result, tmp_path / "r.csv"),
    ):
        if path.suffix == ".xlsx":
            frames = pd.read_excel(path, sheet_name=None, dtype=str)
            text = "\n".join(f.to_csv() for f in frames.values())
        else:
            text = path.read_text(encoding="utf-8-sig")
        assert not shows(token, text), (path.name, text[:400])


def test_hubframe_validate_offline_prints_none_of_it(tmp_path: Path) -> None:
    token = _token()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(_sheet(tmp_path, token))])
    said = out.getvalue() + err.getvalue()
    assert code != 0 and "not a HubSpot record id" in said, said
    assert not shows(token, said), said
