"""Two labels of one pair in one batch: each row is confirmed by its own label.

A labeled create's results name pairs, with the labels of each input.  Two rows of one pair
(two labels) were both confirmed by any result naming the pair: when HubSpot skipped one of
the two inputs without a word, its row was reported ``success`` and left out of the retry
file.  A row of such a pair is now confirmed only by a result of its pair listing its label;
otherwise it is read back (there: ``success``; not there: ``failed`` ``NOT_APPLIED``).  A
result without a ``labels`` list, and a row given by type id only, are confirmed by the pair
as before.  The fault proxy plays both: ``swallow`` takes one input out of the request,
``unnamed`` takes its result out of the answer.
"""

from __future__ import annotations

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

DEAL = str(demo_ids("deals")[75])
CONTACTS = [str(c) for c in demo_ids("contacts")[175:177]]
LABELS = ["Champion", "Decision maker"]


def _sheet() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Deal ID": [DEAL, DEAL, DEAL],
            "Contact ID": [CONTACTS[0], CONTACTS[0], CONTACTS[1]],
            "Association label": [LABELS[0], LABELS[1], LABELS[1]],
        }
    )


def _labels_of(sb: Sandbox, contact: str) -> set[str]:
    links = sb.associations("deals", "contacts")
    mine = links[(links["from_id"].astype(str) == DEAL) & (links["to_id"].astype(str) == contact)]
    types = sb.labels("deals", "contacts")
    names = dict(zip(types["type_id"], types["label"], strict=True))
    return {str(names[t]) for t in mine["type_id"].astype(int) if pd.notna(names.get(t))}


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
@pytest.mark.parametrize("skipped", LABELS)
def test_a_label_hubspot_skips_beside_another_of_its_pair_is_not_a_success(
    version: str, skipped: str
) -> None:
    with Sandbox(seed="demo") as sb:
        type_id = sb.type_id("deals", "contacts", skipped)
        with FaultProxy(sb, then=f'swallow:"associationTypeId": {type_id}', cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, api_version=version)
            result = hf.associate(_sheet(), client, batch_size=3, progress=False)
        held = _labels_of(sb, CONTACTS[0])
    status, codes = result["status"].tolist(), result["error_code"].tolist()
    n = LABELS.index(skipped)
    assert held == {LABELS[1 - n]}
    assert status[n] == "failed" and codes[n] == "NOT_APPLIED", result
    assert status[1 - n] == "success"
    assert status[2] == ("failed" if skipped == LABELS[1] else "success")  # same type swallowed


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_a_label_applied_but_not_listed_beside_another_of_its_pair_is_read_back(
    version: str,
) -> None:
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then=f'unnamed:"{LABELS[1]}"', cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, api_version=version)
            result = hf.associate(_sheet(), client, batch_size=3, progress=False)
        held = _labels_of(sb, CONTACTS[0])
    assert held == set(LABELS)
    assert result["status"].tolist() == ["success"] * 3, result
