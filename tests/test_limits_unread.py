"""When the limits of an object pair cannot be read (its ``GET .../definitions/configurations``
fails), pre-flight still reads the pair's associations and says that its rows were not checked
against the limits: a ``LimitsUnread`` warning, and a note on each of a dry run's rows.

Before, the limits read and the associations read shared one ``try``: the pair counted as
unread. A dry run then predicted nothing for it (no ``LIMIT_EXCEEDED``, no
``ALREADY_ASSOCIATED``, ``existed_before`` empty) and said nothing, as if its checks had passed,
and a journaled real run held every row back "what these records were associated with before
the run could not be read", naming the limits' request.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.preflight import LimitsUnread
from hubframe.sandbox import Sandbox

DEAL, FULL, KEPT = "7400000201", "7400000202", "7400000203"
CONTACTS = [str(8_400_000_201 + i) for i in range(4)]
LIMITS_PATH = "definitions/configurations"


def _portal() -> Sandbox:
    """Deal FULL is at its limit of 1 contact; DEAL is linked to CONTACTS[0]."""
    sb = Sandbox(seed=None)
    sb.add_records("deals", [DEAL, FULL, KEPT])
    sb.add_records("contacts", CONTACTS)
    sb.associate("deals", DEAL, "contacts", CONTACTS[0])
    sb.associate("deals", FULL, "contacts", CONTACTS[1])
    sb.set_limit("deals", "contacts", 1)
    return sb


SHEET = pd.DataFrame(
    {
        "Deal ID": [DEAL, FULL, KEPT],
        "Contact ID": [CONTACTS[0], CONTACTS[2], CONTACTS[3]],
    }
)


def _run(sb: Sandbox, fail: str | None, **options: Any) -> tuple[pd.DataFrame, list[str]]:
    with FaultProxy(sb, fail_path=fail) as proxy:
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = hf.associate(SHEET, client, progress=False, **options)
    said = [str(w.message) for w in caught if issubclass(w.category, LimitsUnread)]
    return result, said


def test_a_dry_run_says_its_rows_were_not_checked_and_still_knows_the_links() -> None:
    with _portal() as sb:
        checked, quiet = _run(sb, None, dry_run=True)
        unchecked, said = _run(sb, LIMITS_PATH, dry_run=True)
    assert quiet == [] and checked["error_code"].tolist()[:2] == [
        "ALREADY_ASSOCIATED",
        "LIMIT_EXCEEDED",
    ]
    assert len(said) == 1 and "deals -> contacts" in said[0] and "503" in said[0]
    assert unchecked["status"].tolist() == ["planned"] * 3
    assert unchecked["error_code"].iloc[0] == "ALREADY_ASSOCIATED"  # the links were read
    assert unchecked["existed_before"].tolist() == checked["existed_before"].tolist()
    for row in (1, 2):
        assert pd.isna(unchecked["error_code"].iloc[row])
        assert (
            unchecked["error_message"]
            .iloc[row]
            .startswith("not checked against the association limits of deals -> contacts")
        )


@pytest.mark.parametrize("journaled", [False, True])
def test_a_real_run_sends_its_rows_and_hubspot_decides(tmp_path: Path, journaled: bool) -> None:
    options: dict[str, Any] = {"preflight": True}
    if journaled:
        options["journal"] = tmp_path / "run.sqlite"
    with _portal() as sb:
        result, said = _run(sb, LIMITS_PATH, **options)
        found = sb.associations("deals", "contacts")
        held = set(zip(found["from_id"], found["to_id"], strict=True))
    assert len(said) == 1
    assert result["status"].tolist() == ["success", "failed", "success"], result
    assert result["error_code"].iloc[1] == "LIMIT_EXCEEDED"  # HubSpot's own refusal
    assert (KEPT, CONTACTS[3]) in held and (FULL, CONTACTS[2]) not in held
    assert result["existed_before"].tolist() == [True, False, False]


def test_a_sync_dry_run_says_so_too() -> None:
    with _portal() as sb, FaultProxy(sb, fail_path=LIMITS_PATH) as proxy:
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = hf.sync(SHEET, client, dry_run=True, progress=False)
    assert any(issubclass(w.category, LimitsUnread) for w in caught)
    added = result[result["change"] == "add"]
    assert len(added) == 2
    assert added["error_message"].str.startswith("not checked against the association").all()
