"""A labels run that HubSpot's daily limit stops.

Before: a create whose answer was lost, in a run the daily limit then stopped, was reported
``skipped`` (``UNKNOWN_OUTCOME``) -- "not sent" -- while the label was in the portal; a read
again after a lost create that met the daily limit left the row ``skipped``, ``RATE_LIMITED``;
and ``hubframe labels`` exited 0 with labels of unknown outcome or never sent.  Such a row is
``failed``, ``UNKNOWN_OUTCOME`` (as ``hubframe limits`` reports it), and the command exits 1:
rows were left (docs/cli.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

from hubframe.cli import main
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs import configure_labels
from hubframe.sandbox import Sandbox

SHEET = "From type,To type,Label\ndeals,contacts,Technical buyer\ndeals,contacts,Coach\n"


def _sheet() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From type": ["deals"] * 2,
            "To type": ["contacts"] * 2,
            "Label": ["Technical buyer", "Coach"],
        }
    )


def _labels(sb: Sandbox) -> set[str]:
    return {str(x) for x in sb.labels("deals", "contacts")["label"].dropna()}


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_a_create_lost_before_the_daily_limit_is_failed_not_skipped(
    sandbox: Sandbox, version: str
) -> None:
    with FaultProxy(sandbox, lose=1, then="daily") as proxy:
        client = HubSpotClient(
            token=sandbox.token, base_url=proxy.url, api_version=version, backoff_base=0.01
        )
        result = configure_labels(_sheet(), client)
    assert "Technical buyer" in _labels(sandbox)  # HubSpot made it
    assert result["status"].tolist() == ["failed", "skipped"]
    assert result["error_code"].tolist() == ["UNKNOWN_OUTCOME", "RATE_LIMITED"]
    assert "may have created the label" in str(result["error_message"][0])
    assert result["change"].tolist()[0] == "create"


def test_a_rename_lost_before_the_daily_limit_is_failed_not_skipped(sandbox: Sandbox) -> None:
    maker = sandbox.type_id("deals", "contacts", "Decision maker")
    rename = pd.DataFrame(
        {
            "From type": ["deals"],
            "To type": ["contacts"],
            "Label": ["Key person"],
            "Type ID": [maker],
        }
    )
    with FaultProxy(sandbox, lose=1, then="daily") as proxy:
        client = HubSpotClient(token=sandbox.token, base_url=proxy.url, backoff_base=0.01)
        result = configure_labels(rename, client, renames=True)
    assert result["status"].tolist() == ["failed"]
    assert result["error_code"].tolist() == ["UNKNOWN_OUTCOME"]


def test_a_read_again_that_meets_the_daily_limit_leaves_the_create_unknown(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    """Every answer to the create is a gateway's 504 (HubSpot applies it a moment later); the
    day's requests run out as the labels are read again to see what became of it: the read's
    stop was the row's (``skipped``, ``RATE_LIMITED``: "not sent")."""
    sb = sandbox_factory(seed="demo", daily_limit=9)  # 2 label reads, 6 tries, then the read
    with FaultProxy(sb, then="late:0.1", cued=True) as proxy:
        client = HubSpotClient(token=sb.token, base_url=proxy.url, backoff_base=0.01)
        result = configure_labels(_sheet(), client)
    assert result["status"].tolist() == ["failed", "skipped"]
    assert result["error_code"].tolist() == ["UNKNOWN_OUTCOME", "RATE_LIMITED"]
    assert "may have created the label" in str(result["error_message"][0])


@pytest.mark.parametrize("made", [True, False])
def test_the_labels_command_exits_1_when_the_daily_limit_left_labels(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], made: bool
) -> None:
    """``made``: the first create is applied and its answer lost, then the daily limit; else
    the daily limit from the first request (nothing created, every label left)."""
    path = tmp_path / "labels.csv"
    path.write_text(SHEET)
    lost = {"lose": 1} if made else {"cued": True}
    with FaultProxy(sandbox, then="daily", **lost) as proxy:
        code = main(["labels", str(path), "--token", sandbox.token, "--base-url", proxy.url])
    out = capsys.readouterr().out
    assert code == 1, out
    assert ("Technical buyer" in _labels(sandbox)) is made
    assert '"Coach": skipped RATE_LIMITED' in out
    first = "create failed UNKNOWN_OUTCOME" if made else "skipped RATE_LIMITED"
    assert f'"Technical buyer": {first}' in out
