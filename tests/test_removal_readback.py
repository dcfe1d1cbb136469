"""A removal is reported done only once a read shows it gone.

An archive's answer names no row (its results are empty objects), and HubSpot answers a
removal it ignored alike, yet every removal no error named was taken as done: an input HubSpot
dropped without a word was reported ``success`` (and left out of the retry file) while the
association stayed, for remove_associations, undo and sync alike.  Removals are now read back
as limit purges are, one read a batch: gone, ``success``; still there, ``failed``
``NOT_APPLIED``, in the retry file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

DEAL = str(demo_ids("deals")[0])
CONTACTS = [str(c) for c in demo_ids("contacts")[:2]]  # Decision maker, both (demo)


def _held(sb: Sandbox) -> set[tuple[str, int]]:
    links = sb.associations("deals", "contacts")
    mine = links[links["from_id"].astype(str) == DEAL]
    return set(zip(mine["to_id"].astype(str), mine["type_id"].astype(int), strict=True))


def _client(sb: Sandbox, url: str, version: str) -> HubSpotClient:
    return HubSpotClient(token=sb.token, base_url=url, api_version=version, backoff_base=0.01)


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
@pytest.mark.parametrize("dropped", [0, 1])
def test_a_removal_hubspot_drops_without_a_word_is_not_a_success(
    version: str, dropped: int, tmp_path: Path
) -> None:
    sheet = hf.read_pairs(
        pd.DataFrame({"from_id": [DEAL] * 2, "to_id": CONTACTS, "label": ["Decision maker", None]}),
        from_type="deals",
        to_type="contacts",
    )
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then=f"swallow:{CONTACTS[dropped]}", cued=True) as fp:
            result = hf.remove_associations(sheet, _client(sb, fp.url, version), progress=False)
        held = _held(sb)
    kept = 1 - dropped
    assert result["status"].tolist()[dropped] == "failed", result
    assert result["error_code"].tolist()[dropped] == "NOT_APPLIED"
    assert "still there" in str(result["error_message"].iloc[dropped])
    assert result["status"].tolist()[kept] == "success"
    assert any(to == CONTACTS[dropped] for to, _ in held)
    retry_file = hf.export_retry(result, tmp_path / "retry.csv")
    retry = hf.read_pairs(retry_file, from_type="deals", to_type="contacts")
    assert retry["to_id"].tolist() == [CONTACTS[dropped]]


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_a_removal_answered_in_hubspots_place_is_checked(version: str) -> None:
    """An answer of empty results from something that did not remove anything."""
    sheet = hf.read_pairs(
        pd.DataFrame({"from_id": [DEAL] * 2, "to_id": CONTACTS}),
        from_type="deals",
        to_type="contacts",
    )
    answer = 'answer:{"status": "COMPLETE", "results": []}'
    with Sandbox(seed="demo") as sb:
        before = _held(sb)
        with FaultProxy(sb, then=answer, cued=True) as fp:
            result = hf.remove_associations(sheet, _client(sb, fp.url, version), progress=False)
        assert _held(sb) == before
    assert result["status"].tolist() == ["failed", "failed"], result
    assert set(result["error_code"]) == {"NOT_APPLIED"}


def test_an_undo_whose_removal_is_dropped_says_so() -> None:
    contact = str(demo_ids("contacts")[170])
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [contact]})
    with Sandbox(seed="demo") as sb:
        run = hf.associate(sheet, _client(sb, sb.url, "2026-03"), record_existing=True)
        assert run["status"].tolist() == ["success"]
        with FaultProxy(sb, then=f"swallow:{contact}", cued=True) as fp:
            undone = hf.undo(run, _client(sb, fp.url, "2026-03"), progress=False)
        assert any(to == contact for to, _ in _held(sb))
    assert undone["status"].tolist() == ["failed"], undone
    assert undone["error_code"].tolist() == ["NOT_APPLIED"]
