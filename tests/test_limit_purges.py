"""A limit purge is a success only when a read of the limits shows it gone.

A purge's 2xx answer names no row (204, or results of empty objects), and HubSpot answers a
purge it ignored alike: such a purge was reported ``success`` while the limit stayed set
(creates and updates in the same situation were read back).  Every purge row is now read
back, one GET of the pair's limits per batch: gone, ``success``; still set, ``failed`` with
``NOT_APPLIED`` (in the retry file); no read possible, ``UNKNOWN_OUTCOME``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

VERSIONS = ["2026-03", "2026-09", "v4"]
LABELS = ["Decision maker", "Champion", "Budget holder"]


def _client(url: str, token: str, version: str, **kwargs: int) -> HubSpotClient:
    return HubSpotClient(
        token=token,
        base_url=url,
        api_version=version,
        backoff_base=0.01,
        backoff_cap=0.05,
        **kwargs,
    )


def _sheet() -> pd.DataFrame:
    rows = len(LABELS)
    return hf.read_limits(
        pd.DataFrame(
            {"From": ["deals"] * rows, "To": ["contacts"] * rows, "Label": LABELS, "Max": "remove"}
        )
    )


def _set_up(sb: Sandbox) -> list[int]:
    """Every label of the sheet limited to 2; their type ids."""
    ids = [sb.type_id("deals", "contacts", label) for label in LABELS]
    for type_id in ids:
        sb.set_limit("deals", "contacts", 2, type_id=type_id)
    return ids


def _limited(sb: Sandbox) -> set[int]:
    return set(sb.limits("deals", "contacts")["type_id"].astype(int))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("ignored", range(len(LABELS)))
def test_a_purge_hubspot_ignores_is_not_applied(version: str, ignored: int, tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        ids = _set_up(sb)
        with FaultProxy(sb, then=f'swallow:"typeId": {ids[ignored]}', cued=True) as fp:
            result = hf.configure_limits(_sheet(), _client(fp.url, sb.token, version))
        left = _limited(sb)
    assert ids[ignored] in left and not (set(ids) - {ids[ignored]}) & left
    for n in range(len(LABELS)):
        if n == ignored:
            assert result["status"][n] == "failed" and result["error_code"][n] == "NOT_APPLIED"
            assert "still set" in result["error_message"][n]
        else:
            assert result["status"][n] == "success", result.iloc[n]
    retry = hf.read_limits(hf.export_retry(result, tmp_path / "retry.csv"))
    assert retry["label"].tolist() == [LABELS[ignored]]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("body", ['{"status": "COMPLETE", "results": [], "errors": []}', "{}"])
def test_a_purge_answered_without_being_sent_is_not_applied(version: str, body: str) -> None:
    """Something answers 200 in HubSpot's place and applies nothing: no row is a success."""
    with Sandbox(seed="demo") as sb:
        ids = _set_up(sb)
        with FaultProxy(sb, then=f"answer:{body}", cued=True) as fp:
            result = hf.configure_limits(_sheet(), _client(fp.url, sb.token, version))
        assert set(ids) <= _limited(sb)
    assert result["status"].tolist() == ["failed"] * len(LABELS)
    assert set(result["error_code"]) == {"NOT_APPLIED"}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_purge_the_read_cannot_settle_is_unknown(version: str, tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        _set_up(sb)
        with FaultProxy(sb, fail_reads_after_write=True) as fp:
            client = _client(fp.url, sb.token, version, max_retries=1)
            result = hf.configure_limits(_sheet(), client)
    assert result["status"].tolist() == ["failed"] * len(LABELS)
    assert set(result["error_code"]) == {"UNKNOWN_OUTCOME"}
    assert all("only a read of the limits can tell" in m for m in result["error_message"])
    retry = hf.read_limits(hf.export_retry(result, tmp_path / "retry.csv"))
    assert retry["label"].tolist() == LABELS


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_a_purge_costs_one_read_per_batch(version: str, batch_size: int) -> None:
    """Purges that HubSpot applied are successes, read back once per batch, never per row."""
    with Sandbox(seed="demo") as sb:
        ids = _set_up(sb)
        sb.reset_request_log()
        result = hf.configure_limits(
            _sheet(), _client(sb.url, sb.token, version), batch_size=batch_size
        )
        log = sb.request_log()
        assert not set(ids) & _limited(sb)
    assert result["status"].tolist() == ["success"] * len(LABELS)
    batches = -(-len(LABELS) // batch_size)
    purges = log[log["path"].str.endswith("/batch/purge")]
    after = log.iloc[int(purges.index.min()) :]
    reads = after[(after["method"] == "GET") & after["path"].str.contains("configurations")]
    assert len(purges) == batches and len(reads) == batches


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("max_", [5, None])
@pytest.mark.parametrize("sheet", ["purge", "set"])
def test_a_limits_read_listing_an_entry_without_a_type_id_is_no_crash(
    version: str, max_: int | None, sheet: str
) -> None:
    """HubSpot's limits list an entry whose type id is null (the shape it documents allows
    it): it sets no limit hubframe can place.  Before, the read-back after sending took
    ``int(None)``: a TypeError, and no result table for rows already sent."""
    entry = {"category": "HUBSPOT_DEFINED", "typeId": None, "userEnforcedMaxToObjectIds": max_}
    frame = _sheet() if sheet == "purge" else hf.read_limits(
        pd.DataFrame({"From": ["deals"] * 3, "To": ["contacts"] * 3, "Label": LABELS, "Max": "3"})
    )  # fmt: skip
    with Sandbox(seed="demo") as sb:
        ids = _set_up(sb)
        with FaultProxy(sb, extra_limit=json.dumps(entry)) as fp:
            result = hf.configure_limits(frame, _client(fp.url, sb.token, version))
        left = sb.limits("deals", "contacts")
    assert result["status"].tolist() == ["success"] * len(LABELS), result
    held = dict(zip(left["type_id"].astype(int), left["max_to_object_ids"], strict=True))
    if sheet == "purge":
        assert not set(ids) & set(held)
    else:
        assert all(held[type_id] == 3 for type_id in ids)
