"""An answer nested too deeply to parse is not HubSpot's answer, and it kills nothing.

A 2xx body like ``{"results": [[[[...]]]]}`` (200,000 levels) passed the client's check of
HubSpot's shape (a JSON object holding ``results``), and parsing it raised RecursionError --
not a HubframeError: ``associate`` died with it and no row had an outcome; an export, a label
lookup and a record check died the same way.  Such a body (or a malformed one inside braces)
is now read as what it is, an answer that says nothing: a write's rows are settled by reading
the portal (applied: ``success``; not: ``failed``, in the retry file), a read fails as a read
(a HubframeError naming the answer), an error body that cannot be read keeps its status.  The
fault proxy plays the answers: ``answer:<json>`` (a write not applied, that body back),
``replace:<json>`` (applied, its body replaced), ``read_body`` and ``rejected_body``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import ErrorCode, InputError, ServerError
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs.export import read_associations
from hubframe.run.reads import read_records
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

DEPTH = 200_000
VERSIONS = ["2026-03", "2026-09", "v4"]
DEALS = [str(i) for i in demo_ids("deals")[20:24]]
CONTACTS = [str(i) for i in demo_ids("contacts")[120:124]]
KINDS = ["array", "object", "malformed"]


def _body(kind: str) -> str:
    """A JSON object's outline holding ``results`` (it passes the shape check) that no parser
    reads: nested ``DEPTH`` deep, or malformed inside its braces."""
    if kind == "array":
        return '{"results": ' + "[" * DEPTH + "]" * DEPTH + "}"
    if kind == "object":
        return '{"results": [], "x": ' + '{"a":' * DEPTH + "1" + "}" * DEPTH + "}"
    return '{"results": [}'


def _client(url: str, token: str, version: str = "2026-03") -> HubSpotClient:
    return HubSpotClient(
        token=token, base_url=url, api_version=version, backoff_base=0.01, backoff_cap=0.05
    )


def _sheet() -> pd.DataFrame:
    labels = ["", "Champion", "", "Champion"]
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Association label": labels})


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("applied", [False, True])
@pytest.mark.parametrize("version", VERSIONS)
def test_a_write_answered_with_a_body_no_parser_reads_is_settled_by_a_read(
    kind: str, applied: bool, version: str
) -> None:
    mode = ("replace:" if applied else "answer:") + _body(kind)
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then=mode, cued=True) as fp:
            result = hf.associate(_sheet(), _client(fp.url, sb.token, version), progress=False)
        linked = _linked(sb)
    pairs = set(zip(DEALS, CONTACTS, strict=True))
    shown = result[["status", "error_code", "error_message"]].to_dict("records")
    if applied:
        assert set(result["status"]) == {"success"}, shown
        assert pairs <= linked
    else:
        assert set(result["status"]) == {"failed"}, shown
        # not found by the reads after it, but an answer nobody could read is no proof that
        # HubSpot did not apply the write: the outcome is unknown
        assert set(result["error_code"]) == {str(ErrorCode.UNKNOWN_OUTCOME)}, shown
        assert "could not be read as a JSON object" in result["error_message"][0]
        assert "HubSpot may still apply it" in result["error_message"][0]
        assert not pairs & linked


@pytest.mark.parametrize("kind", KINDS)
def test_a_read_answered_with_a_body_no_parser_reads_fails_as_a_read(kind: str) -> None:
    with Sandbox(seed="demo") as sb, FaultProxy(sb, read_body=_body(kind)) as fp:
        client = _client(fp.url, sb.token)
        for read in (
            lambda: read_associations(client, "deals", "contacts", DEALS, progress=False),
            lambda: client.read_associations("deals", "contacts", DEALS),
            lambda: read_records(client, "deals", DEALS),
            lambda: client.list_labels("deals", "contacts"),
            lambda: client.record_ids("deals"),
        ):
            with pytest.raises(ServerError, match="could not be read as a JSON object"):
                read()
        # a run that cannot read the labels or the portal: the labeled rows fail saying so, and
        # so do the plain ones (before, they were sent: what existed before was not known, and
        # an undo of the run left them)
        result = hf.associate(_sheet(), client, record_existing=True, progress=False)
        linked = _linked(sb)
    assert result["status"].tolist() == ["failed"] * 4, result
    assert all("could not be read" in m for m in result["error_message"])
    assert result["error_message"][0].startswith("Not sent: what these records")
    assert not {(DEALS[n], CONTACTS[n]) for n in range(4)} & linked


@pytest.mark.parametrize("kind", KINDS)
def test_an_error_body_no_parser_reads_keeps_its_status(kind: str) -> None:
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then="reject", cued=True, rejected_body=_body(kind)) as fp:
            result = hf.associate(_sheet(), _client(fp.url, sb.token), progress=False)
        assert not set(zip(DEALS, CONTACTS, strict=True)) & _linked(sb)
    assert set(result["status"]) == {"failed"}, result
    assert set(result["http_status"].astype(int)) == {400}


@pytest.mark.parametrize(("table", "column"), [("sent", "types"), ("before", "linked")])
@pytest.mark.parametrize("text", ["[" * DEPTH + "]" * DEPTH, "not json"])
def test_a_journal_holding_text_no_parser_reads_is_a_damaged_journal(
    tmp_path: Path, table: str, column: str, text: str
) -> None:
    """A journal whose recorded JSON was overwritten with JSON nested 200,000 deep (or text
    that is not JSON): the undo from it says the journal is damaged (InputError naming it); it
    died with RecursionError, and nothing was removed."""
    path = tmp_path / "run.journal"
    with Sandbox(seed="demo") as sb:
        client = _client(sb.url, sb.token)
        first = hf.associate(_sheet(), client, journal=path, progress=False)
        assert set(first["status"]) == {"success"}
        with sqlite3.connect(path) as db:
            db.execute(f"UPDATE {table} SET {column} = ?", (text,))
        db.close()
        with pytest.raises(InputError, match="could not read it"):
            hf.undo(path, client, progress=False)
        assert set(zip(DEALS, CONTACTS, strict=True)) <= _linked(sb)
