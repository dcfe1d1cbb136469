"""What the client sends and says stays what was asked: a base URL holding white space, a
query, a fragment or nothing at all is refused before anything is sent (a trailing line break
was sent and failed as "check the network", a leading space raised requests' own InvalidSchema,
``?portalId=123`` put every path after a query, ``base_url=""`` meant HubSpot itself); a path
segment is one segment whatever a cell holds (``..`` went out as it was and asked another
endpoint); and the token a sheet's cell holds shows in no log line, hubframe's or urllib3's,
nor in a client's repr."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import unquote

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import ApiError, ConfigurationError, ErrorCode, InputError
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

SECRET = "pat-na1-11111111-2222-3333-4444-555555555555"
DEAL, CONTACT = "2040000001", "1019360001"
#: Characters that cannot be sent in a URL as they are, and show nothing or little on screen.
UNSEEN = " \t\n\r\x0b\x0c\x00\x1f\x7f\x85\xa0\u200b\u2028\u3000\ufeff"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="demo", token=SECRET) as sandbox:
        yield sandbox


# --- base_url -------------------------------------------------------------------------------


@settings(max_examples=examples(60), deadline=None)
@given(at=st.integers(min_value=0), char=st.sampled_from(UNSEEN))
def test_white_space_anywhere_in_base_url_is_refused(sb: Sandbox, at: int, char: str) -> None:
    url = sb.url[: at % (len(sb.url) + 1)] + char + sb.url[at % (len(sb.url) + 1) :]
    sb.reset_request_log()
    with pytest.raises(ConfigurationError, match=r"^base_url holds .* at character") as caught:
        HubSpotClient(SECRET, url)
    assert sb.request_log().empty
    assert SECRET not in str(caught.value)


@settings(max_examples=examples(60), deadline=None)
@given(mark=st.sampled_from("?#"), after=st.text(max_size=20), slash=st.booleans())
def test_query_or_fragment_in_base_url_is_refused(
    sb: Sandbox, mark: str, after: str, slash: bool
) -> None:
    url = sb.url + ("/" if slash else "") + mark + after.replace("\x00", "") + SECRET
    with pytest.raises(ConfigurationError, match=r"^base_url holds ") as caught:
        HubSpotClient(SECRET, url)
    said = str(caught.value)
    assert SECRET not in said
    if url.isprintable() and not any(c.isspace() for c in url):
        assert f"a {'query' if mark == '?' else 'fragment'}" in said
        assert f"write the address alone: '{sb.url}'" in said


@pytest.mark.parametrize("url", ["", " ", "\n", "\t "])
def test_empty_base_url_is_refused_and_none_is_the_default(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBSPOT_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match=r"^base_url is empty"):
        HubSpotClient(SECRET, url)
    assert HubSpotClient(SECRET, None).base_url == "https://api.hubapi.com"


def test_base_url_refused_runs_nothing(sb: Sandbox) -> None:
    """The hunter's cases, each sent before: refused by the client, so no run starts."""
    sb.reset_request_log()
    for url in (sb.url + "\n", " " + sb.url, sb.url + "?portalId=123", sb.url + "#x"):
        with pytest.raises(ConfigurationError, match=r"write the address alone"):
            HubSpotClient(SECRET, url)
    assert sb.request_log().empty
    assert HubSpotClient(SECRET, sb.url + "/").base_url == sb.url  # still fine


@pytest.mark.parametrize("url", ["https://" + SECRET, "https://api.hubapi.com/" + SECRET])
def test_token_in_base_url_is_refused_without_showing_it(url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^base_url holds the access token") as caught:
        HubSpotClient(SECRET, url)
    assert SECRET not in str(caught.value)


def test_repr_redacts_the_base_url(sb: Sandbox) -> None:
    client = client_for(sb)
    client.base_url = "https://api.hubapi.com/?hapikey=" + SECRET  # set after the checks
    assert SECRET not in repr(client)
    assert "<redacted>" in repr(client)


# --- path segments ----------------------------------------------------------------------------


@pytest.mark.parametrize("segment", ["", ".", ".."])
def test_segments_naming_a_place_in_the_path_are_refused(sb: Sandbox, segment: str) -> None:
    client = client_for(sb)
    sb.reset_request_log()
    for call in (
        lambda: client.list_labels(segment, "contacts"),
        lambda: client.list_labels("deals", segment),
        lambda: client.get_limits(segment, "contacts"),
        lambda: client.batch_read(segment, "contacts", [{"id": DEAL}]),
        lambda: client.batch_read_records(segment, [DEAL]),
        lambda: client.record_ids(segment, maximum=1),
    ):
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.code is ErrorCode.BAD_OBJECT_TYPE
        assert "nothing was sent" in str(caught.value)
    with pytest.raises(InputError) as caught:
        client.delete_associations("deals", segment, "contacts", CONTACT)
    assert caught.value.code is ErrorCode.BAD_ID
    assert sb.request_log().empty


@settings(max_examples=examples(80), deadline=None)
@given(
    segment=st.sampled_from(["", ".", "..", "./", "%2e%2e", "a/b", "deals?x=1", "deals#"])
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
)
def test_any_segment_is_one_segment(sb: Sandbox, segment: str) -> None:
    """Whatever an object type cell holds, it is the one segment it was given as: ``..`` was
    sent, and urllib3 took it out with the segment before it (another endpoint)."""
    client = client_for(sb)
    sb.reset_request_log()
    try:
        client.list_labels(segment, "contacts")
    except InputError:
        assert segment in ("", ".", "..")
        assert sb.request_log().empty
        return
    except ApiError:
        pass  # not an object type the sandbox knows
    paths = list(sb.request_log()["path"])
    assert len(paths) == 1
    parts = paths[0].split("/")
    assert parts[:4] == ["", "crm", "associations", "2026-03"] and parts[5:] == [
        "contacts",
        "labels",
    ], paths[0]
    assert unquote(parts[4]) == segment


def test_dot_dot_cell_is_refused_without_a_request(sb: Sandbox) -> None:
    client = client_for(sb)
    sb.reset_request_log()
    sheet = pd.DataFrame({"From Type": [".."], "From ID": [DEAL], "Contact ID": [CONTACT]})
    result = hf.associate(sheet, client, dry_run=True, progress=False)
    assert result.loc[0, "error_code"] == "BAD_OBJECT_TYPE"
    # urllib3 took the dot segment out: /crm/associations/contacts/labels was asked
    assert sb.request_log().empty, list(sb.request_log()["path"])


# --- logs -------------------------------------------------------------------------------------


def test_token_in_a_cell_shows_in_no_debug_line(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """A token pasted into a sheet's object type cell went into the labels request's path,
    and hubframe's and urllib3's DEBUG lines quoted it."""
    client = client_for(sb)
    caplog.set_level(logging.DEBUG)
    for name in ("hubframe", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    cells = [SECRET, SECRET.upper(), f"x{SECRET}x"]
    sheet = pd.DataFrame({"From Type": cells, "From ID": [DEAL] * 3, "Contact ID": [CONTACT] * 3})
    hf.associate(sheet, client, dry_run=True, progress=False)  # refused: no request (3cd52f3)
    for cell in cells:  # a caller's own request with it in its path: its lines redacted
        with pytest.raises(ApiError):
            client.list_labels(cell, "contacts")
    names = {r.name for r in caplog.records}
    assert "urllib3.connectionpool" in names and "hubframe.hubspot.client" in names
    assert "/<redacted>/" in caplog.text
    for record in caplog.records:
        assert SECRET.casefold() not in record.getMessage().casefold(), record.getMessage()
    assert SECRET.casefold() not in caplog.text.casefold()


def test_urllib3_lines_are_redacted_for_any_handler(sb: Sandbox) -> None:
    """The filter sits on urllib3's loggers, so a handler of the root logger (as
    ``logging.basicConfig`` adds) gets the lines redacted too."""
    client = client_for(sb)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    root = logging.getLogger()
    handler, level = Keep(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with pytest.raises(ApiError):
            client.list_labels(SECRET, "contacts")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert any('"GET /crm/' in line for line in lines), lines
    assert not any(SECRET in line for line in lines), lines
