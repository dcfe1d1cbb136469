"""HubSpot's daily budget: a dry run says when a real run would need more requests than the
day has left (X-HubSpot-RateLimit-Daily-Remaining), and a real run stops cleanly at it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from hubframe.jobs import associate, sync
from hubframe.run.budget import DailyBudget
from hubframe.run.pipeline import run_facts
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, pairs_sheet

Factory = Callable[..., Sandbox]
DEALS = [str(2040000001 + i) for i in range(10)]
CONTACTS = [str(1019360001 + i) for i in range(40)]
ROWS = [(DEALS[5], CONTACTS[n], "") for n in range(20)]  # 10 requests in batches of 2


def _cli_dry_run(sb: Sandbox, tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``hubframe associate --dry-run`` of the ROWS sheet against ``sb``, in its own process."""
    sheet = tmp_path / "pairs.csv"
    sheet.write_text(
        "Deal ID,Contact ID\n" + "".join(f"{d},{c}\n" for d, c, _ in ROWS), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    env.update(HUBSPOT_ACCESS_TOKEN=sb.token, HUBSPOT_BASE_URL=sb.url)
    command = [sys.executable, "-m", "hubframe", "associate", str(sheet), "--from", "deals"]
    command += ["--to", "contacts", "--dry-run", *options]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_the_budget_in_words() -> None:
    assert DailyBudget(10, None).message() is None  # HubSpot never said
    assert DailyBudget(10, 10).message() is None
    assert not DailyBudget(0, 0).short
    short = DailyBudget(1_200, 1)
    assert short.short
    text = short.message() or ""
    assert "at least 1,200 requests" in text and "1 request left" in text
    assert "retry file" in text and "X-HubSpot-RateLimit-Daily-Remaining" in text


@pytest.mark.parametrize(("daily", "short"), [(8, True), (20, False), (None, False)])
def test_a_dry_run_says_when_the_day_is_too_short(
    sandbox_factory: Factory, daily: int | None, short: bool
) -> None:
    sb = sandbox_factory(daily_limit=daily)
    result = associate(pairs_sheet(ROWS), client_for(sb), dry_run=True, batch_size=2)
    assert set(result["status"]) == {"planned"}
    facts = run_facts(result)
    assert facts is not None and facts.budget is not None
    assert facts.budget.needed == 10
    used = len(sb.request_log())  # the pre-flight's reads count against the day too
    assert facts.budget.left == (None if daily is None else daily - used)
    assert facts.budget.short is short
    assert (facts.budget.message() is not None) is short


def _said_as_a_dry_run(result: pd.DataFrame) -> None:
    """Every row of a dry run the day's reads used up says so as a dry run's, and its budget
    says nothing could be planned."""
    assert set(result["error_code"]) == {"RATE_LIMITED"}
    said = set(result["error_message"])
    assert len(said) == 1 and "run the dry run again" in said.pop()
    facts = run_facts(result)
    assert facts is not None and facts.budget is not None and facts.budget.short
    assert "nothing could be planned" in (facts.budget.message() or "")


@pytest.mark.parametrize("daily", [0, 1])
def test_a_dry_run_the_day_cannot_plan_says_so_as_a_dry_run(
    sandbox_factory: Factory, daily: int, tmp_path: Path
) -> None:
    """The day's limit used up by the reads a dry run makes: every row said "run the retry
    file" (a dry run writes none) and budget.message() was None (needed 0, left 0): neither
    the CLI's warning line nor Python's message said the day was too short."""
    sb = sandbox_factory(daily_limit=daily)
    result = associate(pairs_sheet(ROWS), client_for(sb), dry_run=True, batch_size=2)
    _said_as_a_dry_run(result)
    proc = _cli_dry_run(sb, tmp_path)
    assert "warning: HubSpot's daily API limit was reached" in proc.stdout, proc.stdout


@pytest.mark.parametrize("daily", [0, 1])
def test_a_sync_dry_run_the_day_cannot_plan_says_so_as_a_dry_run(
    sandbox_factory: Factory, daily: int
) -> None:
    """The same for a sync (and a pre-flight associate with rows past a limit, which run in
    phases): its rows said "run the retry file" and it had no budget to tell the day was used
    up."""
    sb = sandbox_factory(daily_limit=daily)
    result = sync(pairs_sheet(ROWS), client_for(sb), dry_run=True, batch_size=2, progress=False)
    _said_as_a_dry_run(result)


@pytest.mark.parametrize("workers", [1, None])
def test_a_real_run_that_the_day_cannot_hold_stops_cleanly(
    sandbox_factory: Factory, workers: int | None
) -> None:
    """One request at a time, the run sends exactly the 3 the day has left.  Several at once,
    an answer's remaining count may already include requests still on their way, which the
    limiter counts again to be safe: it may stop a request or two early, never late."""
    sb = sandbox_factory(daily_limit=4)
    client = client_for(sb)
    client.list_labels("deals", "contacts")  # the client learns the day has 3 requests left
    result = associate(pairs_sheet(ROWS), client, batch_size=2, progress=False, workers=workers)
    facts = run_facts(result)
    assert facts is not None and facts.budget == DailyBudget(10, 3)
    assert len(result) == len(ROWS)  # every row reported
    counts = result["status"].value_counts().to_dict()
    if workers == 1:
        assert counts == {"skipped": 14, "success": 6}
    else:
        assert counts.get("success", 0) in (2, 4, 6) and sum(counts.values()) == 20
    skipped = result[result["status"] == "skipped"]
    assert set(skipped["error_code"]) == {"RATE_LIMITED"}
    assert "daily" in str(skipped["error_message"].iloc[0])
    assert not (sb.request_log()["status"] == 429).any()  # stopped before HubSpot refused
    linked = sb.associations("deals", "contacts")
    pairs = set(zip(linked["from_id"], linked["to_id"], strict=True))
    done = result[result["status"] == "success"]
    assert set(zip(done["from_id"], done["to_id"], strict=True)) <= pairs
    assert not set(zip(skipped["from_id"], skipped["to_id"], strict=True)) & pairs


def test_the_cli_dry_run_warns(sandbox_factory: Factory, tmp_path: Path) -> None:
    sb = sandbox_factory(daily_limit=8)
    proc = _cli_dry_run(sb, tmp_path, "--batch-size", "2")
    assert proc.returncode == 0, proc.stderr
    # the labels lookup and the read of the state before the run records, beside the batches
    assert "warning: This run needs at least 12 requests (10 writes, 2 reads" in proc.stdout
    log = sb.request_log()
    assert not log["path"].str.endswith("/batch/create").any()  # a dry run sends nothing


def test_the_apps_dry_run_warns(sandbox_factory: Factory) -> None:
    from hubframe.widgets import render

    sb = sandbox_factory(daily_limit=8)
    plan = associate(pairs_sheet(ROWS), client_for(sb), dry_run=True, batch_size=2)
    assert "This run needs at least 10 requests" in render.plan_html(plan)
    roomy = sandbox_factory(daily_limit=100)
    plan = associate(pairs_sheet(ROWS), client_for(roomy), dry_run=True, batch_size=2)
    assert "daily limit" not in render.plan_html(plan)
