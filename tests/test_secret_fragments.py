"""No part of the token is shown either: text is redacted before it is cut, a base URL that may be
the token is not quoted back, and the token's escaped spellings are redacted.

Before: a cell of more than 60 characters holding the token (``Authorization: Bearer pat-...``,
a long OAuth token) was cut, then redacted -- the token was no longer whole, so up to 60 of its
characters reached the issues table, the reports and ``hubframe validate``; a CSV's unclosed
quote showed 40, a hand-edited portal key cell up to 120.  ``HubSpotClient(url, token)`` (the
arguments swapped) quoted the whole token in its refusal, and the notebook app kept it in its
Base URL box.  ``Basic base64("user:" + token)``, ``pat%2Dna1%2D...`` and ``\\u002d`` escapes
were not redacted.
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import HubframeError
from hubframe.hubspot.client import HubSpotClient
from hubframe.redaction import MARK, clip, forget_secret, redact, register_secret
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

TOKENS = {
    "pat_na1": "pat-na1-7a1b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
    "pat_eu1": "pat-eu1-0f9e8d7c-6b5a-4f3e-8d1c-0b9a8f7e6d5c",
    "legacy_hex": "3f2a9c4e-8b7d-4c1a-9e6f-2d5b8a7c1e4f",
    "oauth": "CNmBu4bFMBICAQEYp4XXASCq5-wMKM7sSDIUX1P5F2N1jC4T0Hd4D8e0ZY0GQkEx",
}


@pytest.fixture(params=sorted(TOKENS))
def token(request: pytest.FixtureRequest) -> Iterator[str]:
    value = TOKENS[request.param]
    register_secret(value)
    yield value
    forget_secret(value)


def fragments(token: str, text: str, size: int = 10) -> list[str]:
    """The pieces of ``token`` of ``size`` characters that ``text`` shows (any case)."""
    folded = text.casefold()
    pieces = {token[i : i + size].casefold() for i in range(len(token) - size + 1)}
    return sorted(p for p in pieces if p in folded)


@settings(max_examples=examples(200), deadline=None)
@given(
    before=st.text(max_size=80),
    after=st.text(max_size=40),
    limit=st.integers(1, 120),
    name=st.sampled_from(sorted(TOKENS)),
)
def test_clip_never_shows_a_piece_of_a_registered_token(
    before: str, after: str, limit: int, name: str
) -> None:
    secret = TOKENS[name]
    register_secret(secret)
    try:
        shown = clip(before + secret + after, limit, count=True)
    finally:
        forget_secret(secret)
    assert not fragments(secret, shown), shown
    assert MARK in shown or len(redact(before)) >= limit, shown  # cut inside: the mark whole


def test_clip_keeps_short_text_and_never_splits_the_mark() -> None:
    assert clip("short", 10) == "short"
    secret = TOKENS["oauth"]
    register_secret(secret)
    try:
        for limit in range(1, 30):
            shown = clip("ab" + secret + "cd", limit)
            assert MARK in shown or shown == "ab"[:limit] + "...", (limit, shown)
    finally:
        forget_secret(secret)


@pytest.mark.parametrize(
    "cell",
    ["Authorization: Bearer {t}", "{t}{t}", "x" * 30 + "{t}", "{t}" + "y" * 40, "id {t} copied"],
)
def test_a_long_cell_holding_the_token_shows_none_of_it(
    token: str, cell: str, tmp_path: Path
) -> None:
    text = cell.format(t=token)
    sheet = pd.DataFrame(
        {"Deal ID": [text, "2040000001"], "Contact ID": ["1019360001", text], "Max": ["5", text]}
    )
    issues = hf.validate_pairs(sheet[["Deal ID", "Contact ID"]])
    said = " ".join(issues["message"].astype(str))
    assert "is not a HubSpot record id" in said
    assert not fragments(token, said), said
    path = tmp_path / "p.csv"
    path.write_text(f"Deal ID,Contact ID\n2040000001,1019360001,{text}\n", encoding="utf-8")
    extra = " ".join(hf.validate_pairs(path)["message"].astype(str))
    assert "more cells than the header" in extra and not fragments(token, extra), extra


def test_an_unclosed_quote_shows_none_of_the_token(token: str, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f'Deal ID,Contact ID\n2040000001,"{token}\nmore\n', encoding="utf-8")
    with pytest.raises(HubframeError, match="never closed") as refused:
        hf.read_pairs(path)
    assert not fragments(token, str(refused.value)), str(refused.value)


def test_a_hand_edited_portal_key_shows_none_of_the_token(
    token: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    import openpyxl

    client = client_for(sandbox)
    pairs = pd.DataFrame(
        {"Deal ID": [demo_ids("deals")[0]], "Contact ID": [demo_ids("contacts")[0]]}
    )
    report = hf.export_report(hf.associate(pairs, client, progress=False), tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(report)
    summary = book["Summary"]
    for row in summary.iter_rows():
        if row[0].value == "portal key":
            row[1].value = "x" * 100 + " in the tracker: " + token
    book.save(report)
    with pytest.raises(HubframeError, match="portal key") as refused:
        hf.undo(report, client, dry_run=True, progress=False)
    assert not fragments(token, str(refused.value)), str(refused.value)


@pytest.mark.parametrize("environment", [False, True])
@pytest.mark.parametrize("form", ["{t}", "api.hubapi.com/{t}", "http://{t}/", "{t}.x"])
def test_a_token_given_as_the_base_url_is_not_quoted(
    token: str, form: str, environment: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``HubSpotClient("https://api.hubapi.com", token)``: the arguments swapped."""
    if environment:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", token)
    forget_secret(token)  # as in a fresh process: the client has not registered it yet
    url = form.format(t=token)
    first = None if environment else "https://api.hubapi.com"
    with pytest.raises(HubframeError) as refused:
        HubSpotClient(first, url)
    said = str(refused.value)
    assert "base_url" in said and not fragments(token, said), said


@pytest.mark.parametrize("url", ["api.hubapi.com", "localhost:8765", "127.0.0.1:9/x"])
def test_a_base_url_without_its_scheme_is_still_quoted_back(url: str) -> None:
    with pytest.raises(HubframeError, match=f"name a host: .{url.split('/')[0]}"):
        HubSpotClient(TOKENS["pat_na1"], url)


@pytest.mark.parametrize("prefix", ["", "u:", "us:", "api:", "user:"])
@pytest.mark.parametrize("suffix", ["", ":", "\n"])
def test_base64_of_the_token_at_any_alignment_is_redacted(
    token: str, prefix: str, suffix: str
) -> None:
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        header = "Authorization: Basic " + encode((prefix + token + suffix).encode()).decode()
        assert MARK in redact(header), header


@pytest.mark.parametrize("escape", ["%{:02X}", "%{:02x}", "\\u{:04x}", "\\u{:04X}", "&#{};"])
def test_the_tokens_signs_escaped_are_redacted(token: str, escape: str) -> None:
    escaped = "".join(c if c.isalnum() else escape.format(ord(c)) for c in token)
    assert redact(f"said: {escaped}.") == f"said: {MARK}."


def test_the_app_empties_a_base_url_box_holding_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sys.path.insert(0, os.path.dirname(__file__))
    from app_driver import click

    secret = TOKENS["pat_na1"]
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", secret)
    app = hf.app(sandbox=False)
    app.base_url.value = secret
    click(app, app.connect_button)
    shown = app.message.value + "".join(m.value for m in app.messages.values())
    assert app.base_url.value == "" and not fragments(secret, shown)
    app.base_url.value = "api.hubapi.com"  # a host name typed without https:// stays
    click(app, app.connect_button)
    assert app.base_url.value == "api.hubapi.com"
