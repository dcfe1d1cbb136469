"""HubSpot's daily limit: a day once used up is asked again, and a dry run counts the reads.

What was wrong:

* A client that had once reached the daily limit refused every later request, of every later
  job, without sending it: its rate limiter believed the day used up, and with no request sent
  it never saw the fresh ``X-HubSpot-RateLimit-Daily-Remaining`` of the next day.  In a
  notebook or the app (one client for all runs), the retry file run after midnight reported
  every row ``skipped``, ``RATE_LIMITED``, "HubSpot's daily API limit was reached", though no
  request went out.
* A dry run's daily budget counted the write batches alone, not the reads a real run makes
  (the labels lookup, the portal read before a removal or a sync, the read of the state
  before a journaled associate, a removal's read-back of each batch): it said the day had room,
  and the real run then stopped at the limit.

What is now so: every job asks HubSpot again as it starts (a limiter that believes the day
used up forgets it, so the first request goes out and its answer decides), and so does a
request ten minutes after HubSpot last said so; a dry run's ``needed`` counts the reads its
real run makes (its own, less a pre-flight only a dry run makes, plus those only a real run
makes), and a real run given that many requests does not stop at the limit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import RateLimitError
from hubframe.hubspot import ratelimit
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.ratelimit import RateLimiter
from hubframe.jobs import associate, configure_limits, remove_associations, sync
from hubframe.run.budget import DailyBudget
from hubframe.run.pipeline import run_facts
from hubframe.sandbox import Sandbox
from hubframe.testing import FakeClock, client_for, pairs_sheet

DEALS = [str(2040000001 + i) for i in range(6)]
CONTACTS = [str(1019360001 + i) for i in range(40)]
LABELS = ["", "Champion", "Budget holder", "Decision maker"]
ROWS = [(DEALS[n % 4], CONTACTS[n], LABELS[n % 3]) for n in range(30)]
Rows = list[tuple[str, str, str]]
Job = Callable[..., pd.DataFrame]
DAILY = {"X-HubSpot-RateLimit-Daily-Remaining": "0"}


def _limits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From object": ["deals", "contacts"],
            "To object": ["contacts", "companies"],
            "Label": ["Decision maker", ""],
            "Max associations": ["3", "5"],
        }
    )


def _jobs(tmp: Path) -> dict[str, Callable[[HubSpotClient, Rows, dict[str, Any]], pd.DataFrame]]:
    """The jobs a run can be, each on a pairs sheet (limits: its own sheet)."""
    journal = iter(range(1_000))
    return {
        "associate": lambda c, rows, kw: associate(pairs_sheet(rows), c, **kw),
        "associate with journal": lambda c, rows, kw: associate(
            pairs_sheet(rows), c, journal=tmp / f"j{next(journal)}.db", **kw
        ),
        "remove": lambda c, rows, kw: remove_associations(pairs_sheet(rows), c, **kw),
        "sync": lambda c, rows, kw: sync(pairs_sheet(rows), c, **kw),
        "limits": lambda c, rows, kw: configure_limits(_limits(), c, **kw),
    }


JOBS = list(_jobs(Path()))


def _linked(sb: Sandbox, rows: Rows) -> None:
    """Every other row's pair is linked already (a remove and a sync have work to do)."""
    for deal, contact, _ in rows[::2]:
        sb.associate("deals", deal, "contacts", contact)


# --- the day asked again ---------------------------------------------------------------------


def _used_up(sb: Sandbox) -> HubSpotClient:
    """A client (one kept for every run, as a notebook's) whose run reached the day's limit."""
    client = client_for(sb)
    first = associate(pairs_sheet(ROWS[:20]), client, batch_size=2, progress=False, workers=1)
    assert "RATE_LIMITED" in set(first["error_code"])
    assert client.limiter.daily_left == 0
    return client


def _other_jobs(tmp: Path) -> dict[str, Callable[[HubSpotClient], object]]:
    """Every public job, as a notebook would run it on its client."""
    labels = pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Label": ["Technical buyer"]})
    runs = _jobs(tmp)
    every: dict[str, Callable[[HubSpotClient], object]] = {
        name: lambda c, job=job: job(c, ROWS, {"progress": False}) for name, job in runs.items()
    }
    every["labels"] = lambda c: hf.configure_labels(labels, c)
    every["export"] = lambda c: hf.read_associations(c, "deals", "contacts", DEALS)
    every["validation"] = lambda c: hf.validate_pairs(pairs_sheet(ROWS), c, check_records=True)
    every["undo"] = lambda c: hf.undo(
        associate(pairs_sheet(ROWS[:4]), c, journal=tmp / "u.db", progress=False), c
    )
    return every


@pytest.mark.parametrize("job", [*JOBS, "labels", "export", "validation", "undo"])
def test_a_job_after_the_day_turned_over_sends_on_the_same_client(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, job: str
) -> None:
    """Before, every one of these jobs refused every request without sending it (rows
    ``RATE_LIMITED``, a RateLimitError for labels, export and validation)."""
    sb = sandbox_factory(seed="demo", daily_limit=5)
    _linked(sb, ROWS)
    client = _used_up(sb)
    sb.set_daily_limit(1_000)  # midnight: a new day
    sb.reset_request_log()
    result = _other_jobs(tmp_path)[job](client)
    assert len(sb.request_log()) > 0
    assert (sb.request_log()["status"] != 429).all()
    if isinstance(result, pd.DataFrame) and "error_code" in result:
        assert "RATE_LIMITED" not in set(result["error_code"].dropna())
    assert (client.limiter.daily_left or 0) > 900


@pytest.mark.parametrize("job", JOBS)
def test_a_day_still_used_up_stops_the_next_run_cleanly_after_asking_once(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, job: str
) -> None:
    """The job's first request goes out and HubSpot's 429 (DAILY) stops the run: its rows
    ``skipped``/``RATE_LIMITED`` as before, now said after HubSpot said it, once."""
    sb = sandbox_factory(seed="demo", daily_limit=5)
    _linked(sb, ROWS)
    client = _used_up(sb)
    sb.reset_request_log()
    result = _jobs(tmp_path)[job](client, ROWS, {"progress": False})
    log = sb.request_log()
    assert list(log["status"]) == [429]
    facts = run_facts(result)
    assert facts is not None and facts.stop is not None and facts.stop.code == "RATE_LIMITED"
    undone = result[result["status"] != "invalid"]
    assert set(undone["error_code"].dropna()) <= {"RATE_LIMITED", "DUPLICATE_ROW"}
    assert client.limiter.daily_left == 0


def test_the_limiter_asks_again_at_a_job_and_after_a_while() -> None:
    """A job's start (``ask_again``) forgets a day used up, never one with requests left; a
    request ``ratelimit.DAILY_ASK_AGAIN_S`` after HubSpot said the day was used up goes out."""
    clock = FakeClock()
    rl = RateLimiter((100, 10.0), clock=clock, wait=clock.wait)
    rl.sending(rl.acquire())
    rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": "7"})
    rl.ask_again()
    assert rl.daily_left == 7  # requests left: kept
    rl.observe(DAILY)
    with pytest.raises(RateLimitError):
        rl.acquire()
    rl.ask_again()
    rl.sending(rl.acquire())  # goes out: its answer decides
    rl.observe(DAILY)
    clock.advance(ratelimit.DAILY_ASK_AGAIN_S - 1)
    with pytest.raises(RateLimitError):
        rl.acquire()
    clock.advance(1)
    rl.sending(rl.acquire())
    rl.observe({"X-HubSpot-RateLimit-Daily-Remaining": "250000"})
    assert rl.daily_left == 250000
    assert rl.booked == 3


def test_a_client_used_directly_asks_again_after_a_while(sandbox_factory: Any) -> None:
    """``client.read_associations(...)`` outside any job: refused, unsent, while HubSpot said
    the day was used up a moment ago; ten minutes later the request goes out."""
    sb = sandbox_factory(seed="demo", daily_limit=0)
    client = client_for(sb)
    clock = FakeClock()
    client.limiter = RateLimiter(clock=clock, wait=clock.wait)
    with pytest.raises(RateLimitError):
        client.read_associations("deals", "contacts", DEALS[0])  # HubSpot's 429 (DAILY)
    sb.reset_request_log()
    with pytest.raises(RateLimitError) as refused:
        client.read_associations("deals", "contacts", DEALS[0])
    assert refused.value.attempts == 0 and sb.request_log().empty  # not sent
    sb.set_daily_limit(1_000)  # midnight
    clock.advance(ratelimit.DAILY_ASK_AGAIN_S)
    client.read_associations("deals", "contacts", DEALS[0])
    assert (client.limiter.daily_left or 0) > 900


# --- the reads in the day's budget -------------------------------------------------------------


def _dry_then_real(
    tmp: Path, name: str, rows: Rows, setup: Callable[[Sandbox], None], **kw: Any
) -> tuple[DailyBudget, DailyBudget, pd.DataFrame, int]:
    """A dry run on a fresh portal (its budget), then on another the day set to exactly the
    dry run's reads and what it says the run needs: the dry run there (its budget) and the
    real run after it, and the requests the real run made."""
    tmp.mkdir(parents=True, exist_ok=True)
    run = _jobs(tmp)[name]
    options = {"workers": 1, "progress": False, **kw}
    with Sandbox(seed="demo", daily_limit=100_000) as probe:
        setup(probe)
        planned = run_facts(run(client_for(probe), rows, {**options, "dry_run": True}))
        own = len(probe.request_log())
    assert planned is not None and planned.budget is not None
    with Sandbox(seed="demo", daily_limit=own + planned.budget.needed) as sb:
        setup(sb)
        again = run_facts(run(client_for(sb), rows, {**options, "dry_run": True}))
        assert again is not None and again.budget is not None
        sb.reset_request_log()
        result = run(client_for(sb), rows, options)
        made = len(sb.request_log())
    return planned.budget, again.budget, result, made


@pytest.mark.parametrize("job", JOBS)
def test_a_real_run_given_what_its_dry_run_said_does_not_stop(tmp_path: Path, job: str) -> None:
    """Batches of 3 on 30 rows: before, remove needed 2 (made 7), sync 9 (12), associate 11
    (12, with a journal 13), limits 2 (6); the real run stopped at the limit."""
    planned, again, result, made = _dry_then_real(
        tmp_path, job, ROWS, lambda sb: _linked(sb, ROWS), batch_size=3
    )
    assert not again.short and again.message() is None
    assert "RATE_LIMITED" not in set(result["error_code"].dropna())
    assert made == planned.needed  # no read left out, none counted twice (a quiet portal)


@pytest.mark.parametrize("preflight", [None, True, False])
@pytest.mark.parametrize("record", [None, True, False])
@pytest.mark.parametrize("job", ["associate", "associate with journal"])
def test_an_associate_dry_run_counts_its_real_runs_reads_whatever_the_options(
    tmp_path: Path, job: str, preflight: bool | None, record: bool | None
) -> None:
    """Before (review), a dry run with pre-flight turned off (``--dry-run --no-preflight``)
    counted no read of the state before, nor the labels lookup its real run makes to record
    it: the day set to what it said, the real run stopped at the limit."""
    options = {"batch_size": 3, "preflight": preflight, "record_existing": record}
    planned, again, result, made = _dry_then_real(
        tmp_path, job, ROWS, lambda sb: _linked(sb, ROWS), **options
    )
    assert "RATE_LIMITED" not in set(result["error_code"].dropna()), again
    assert made <= planned.needed or again.short


def test_a_day_one_request_short_is_said(tmp_path: Path) -> None:
    budget, _, _, _ = _dry_then_real(
        tmp_path, "remove", ROWS, lambda sb: _linked(sb, ROWS), batch_size=3
    )
    short = DailyBudget(budget.writes, budget.needed - 1, reads=budget.reads, checks=budget.checks)
    assert short.short
    text = short.message() or ""
    assert f"at least {budget.needed} requests" in text
    assert f"{budget.writes} writes, {budget.reads + budget.checks} reads" in text


def _drawn(rng: random.Random) -> tuple[Rows, list[tuple[str, str]]]:
    """A small sheet of deal -> contact rows (labels, repeats), and the pairs linked first."""
    rows = [
        (rng.choice(DEALS), rng.choice(CONTACTS[:12]), rng.choice(LABELS))
        for _ in range(rng.randint(1, 14))
    ]
    linked = [(rng.choice(DEALS), rng.choice(CONTACTS[:12])) for _ in range(rng.randint(0, 8))]
    return rows, linked


def test_seeded_a_real_run_given_its_dry_runs_day_never_stops_at_the_limit(
    tmp_path: Path,
) -> None:
    """For random small sheets and jobs, batch sizes and workers: the day set to what the dry
    run said (and its own reads), the real run does not stop at the daily limit, or that dry
    run said the day was short."""
    failures = []
    for seed in seeds(12):
        rng = random.Random(seed)
        rows, linked = _drawn(rng)
        job = rng.choice(JOBS)

        def setup(sb: Sandbox, linked: list[tuple[str, str]] = linked) -> None:
            for deal, contact in linked:
                sb.associate("deals", deal, "contacts", contact)

        kw: dict[str, Any] = {"batch_size": rng.randint(1, 4), "workers": rng.choice([1, 4])}
        if job.startswith("associate"):
            kw["preflight"] = rng.choice([None, True, False])
            kw["record_existing"] = rng.choice([None, True, False])
        _, again, result, _ = _dry_then_real(tmp_path / str(seed), job, rows, setup, **kw)
        stopped = "RATE_LIMITED" in set(result["error_code"].dropna())
        if stopped and not again.short:
            failures.append((seed, job, kw, again))
    assert not failures, failures


@pytest.mark.parametrize("error", [KeyboardInterrupt, MemoryError, SystemExit])
def test_a_request_cut_off_gives_back_its_place_in_flight(error: type[BaseException]) -> None:
    """Before (review), a request cut off while it was sent (Ctrl-C in a notebook, out of
    memory) stayed in flight for good, and every later job on the client that met the day's
    end waited DAILY_SETTLE_S (30 s) for its answer before it said RATE_LIMITED."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        real = client._send

        def cut_off(*args: Any, **kwargs: Any) -> Any:
            client._send = real  # type: ignore[method-assign]
            raise error

        client._send = cut_off  # type: ignore[method-assign]
        with pytest.raises(error):
            client.read_associations("deals", "contacts", DEALS[0])
        assert client.limiter._in_flight == 0
        sb.set_daily_limit(2)
        started = time.monotonic()
        with pytest.raises(RateLimitError):
            hf.read_associations(client, "contacts", "deals", CONTACTS[:240] * 10, workers=1)
        assert time.monotonic() - started < ratelimit.DAILY_SETTLE_S / 3
