"""A limit removal HubSpot applied whose answer the run never read is reported done on resume.

A limits run sent a removal, HubSpot applied it, and the answer was lost (the connection cut
after the purge, then the day's limit or an unreachable HubSpot kept the read that settles it
from going out), or the process was killed while the request was out.  The run with the same
journal again read no limit there and reported the row ``skipped``, "nothing to remove",
exit 0, its report and retry file written over: nothing said the job had removed the limit.
A batch of limits is now kept in the journal as maybe applied before it leaves (as a batch of
associations is), so the resumed run knows its removal was sent: ``success``, saying that an
earlier run sent it and HubSpot holds no such limit now.  A limit set again since is removed
again (sent); a removal no run sent of a limit HubSpot does not hold stays ``skipped``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.journal import has_open_run
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

NOTHING = "nothing to remove"
EARLIER = "an earlier run with this journal sent this removal"
LABELS = ("Decision maker", "Champion", "Budget holder")
PURGE = "/batch/purge"


def _employee() -> pd.DataFrame:
    """The demo portal's contacts -> companies "Employee" limit (1), removed."""
    return pd.DataFrame(
        {"From": ["contacts"], "To": ["companies"], "Label": ["Employee"], "Max": ["remove"]}
    )


def _employee_limit(sb: Sandbox) -> list[int]:
    held = sb.limits("contacts", "companies")
    return held.loc[held["label"] == "Employee", "max_to_object_ids"].astype(int).tolist()


def _lost(sb: Sandbox, sheet: pd.DataFrame, journal: Path, then: str) -> pd.DataFrame:
    """``sheet`` run with ``journal``: its first write applied and its answer lost, then
    ``then``: the day's limit (the run stops, left open), HubSpot unreachable, or every read
    failing (the run finishes, its row of unknown outcome)."""
    options = {"fail_reads_after_write": True} if then == "reads fail" else {"then": then}
    with FaultProxy(sb, lose=1, **options) as proxy:
        client = HubSpotClient(token=sb.token, base_url=proxy.url, backoff_base=0.01, max_retries=1)
        return hf.configure_limits(sheet, client, journal=journal, progress=False)


def _purges(sb: Sandbox) -> int:
    log = sb.request_log()
    return int(log["path"].str.contains(PURGE, regex=False).sum())


@pytest.mark.parametrize("then", ["daily", "refuse", "reads fail"])
def test_a_removal_whose_answer_was_lost_is_reported_done_on_resume(
    then: str, tmp_path: Path
) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        first = _lost(sb, _employee(), journal, then)
        assert first["error_code"].tolist() == ["UNKNOWN_OUTCOME"], first
        assert _employee_limit(sb) == []  # applied; the run could not tell
        client = client_for(sb)
        sb.reset_request_log()
        planned = hf.configure_limits(_employee(), client, journal=journal, dry_run=True)
        assert planned["status"].tolist() == ["planned"], planned
        assert EARLIER in str(planned["error_message"].iloc[0]), planned
        resumed = hf.configure_limits(_employee(), client, journal=journal, progress=False)
        assert _purges(sb) == 0  # nothing to send: the limit is gone
        row = resumed.iloc[0]
        assert row["status"] == "success", resumed
        assert EARLIER in row["error_message"] and NOTHING not in row["error_message"], row
        assert _employee_limit(sb) == []
        # A run after it (the removal reported done) goes by the portal: nothing to remove.
        again = hf.configure_limits(_employee(), client, journal=journal, progress=False)
        assert again["status"].tolist() == ["skipped"], again
        assert NOTHING in str(again["error_message"].iloc[0])


def test_the_same_command_again_reports_the_removal_done_and_exits_0(tmp_path: Path) -> None:
    """The command line: the first run stops (the day's limit) with the row of unknown
    outcome in its report and retry file; the same command again reports it ``success``
    (before: ``skipped``, "nothing to remove", the retry file emptied)."""
    from hubframe.cli import main

    sheet, journal = tmp_path / "limits.csv", tmp_path / "run.sqlite"
    report, retry = tmp_path / "report.csv", tmp_path / "retry.csv"
    _employee().to_csv(sheet, index=False)
    with Sandbox(seed="demo") as sb:
        args = [str(sheet), "--journal", str(journal), "--report", str(report)]
        args += ["--retry-file", str(retry), "--no-progress"]
        with FaultProxy(sb, lose=1, then="daily") as proxy:
            first = main(["limits", *args, "--token", sb.token, "--base-url", proxy.url])
        assert first == 1
        assert pd.read_csv(report)["error_code"].tolist() == ["UNKNOWN_OUTCOME"]
        again = main(["limits", *args, "--token", sb.token, "--base-url", sb.url])
        assert _employee_limit(sb) == []
    said = pd.read_csv(report)
    assert said["status"].tolist() == ["success"], said
    assert EARLIER in said["error_message"].iloc[0]
    assert again == 0


_RUN = """
import sys
from hubframe.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_removal_sent_by_a_run_killed_before_its_answer_is_reported_done(
    tmp_path: Path,
) -> None:
    sheet, journal = tmp_path / "limits.csv", tmp_path / "run.sqlite"
    rows = "From,To,Label,Max\ncontacts,companies,Employee,remove\n"
    rows += "deals,contacts,Decision maker,remove\n"
    sheet.write_text(rows)
    with Sandbox(seed="demo", latency=(1.5, 0.0)) as sb:  # applied at once, answered later
        env = dict(os.environ, HUBSPOT_BASE_URL=sb.url, HUBSPOT_ACCESS_TOKEN=sb.token)
        command = [sys.executable, "-c", _RUN, "limits", str(sheet), "--journal", str(journal)]
        command.append("--no-progress")
        run = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while _employee_limit(sb) or not sb.limits("deals", "contacts")["label"].isna().all():
            assert time.monotonic() < deadline and run.poll() is None, "nothing was applied"
            time.sleep(0.02)
        run.send_signal(signal.SIGKILL)  # HubSpot removed both; the answers are on the way
        run.wait()
        time.sleep(2.0)  # the killed run's requests are answered (and logged) first
        sb.reset_request_log()
        resumed = hf.configure_limits(hf.read_limits(sheet), client_for(sb), journal=journal)
        assert _purges(sb) == 0
        assert _employee_limit(sb) == []
    assert resumed["status"].tolist() == ["success", "success"], resumed
    for said in resumed["error_message"]:
        assert EARLIER in said and NOTHING not in said, said


def test_a_removal_no_run_sent_stays_nothing_to_remove(tmp_path: Path) -> None:
    """Beside the lost removal, a removal of a label that never had a limit: never sent by
    either run, so ``skipped``, "nothing to remove", on resume as in the first run."""
    sheet = pd.DataFrame(
        {
            "From": ["contacts", "deals"],
            "To": ["companies", "contacts"],
            "Label": ["Employee", "Champion"],
            "Max": ["remove", "remove"],
        }
    )
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        first = _lost(sb, sheet, journal, "daily")
        assert first["status"].tolist() == ["failed", "skipped"], first
        resumed = hf.configure_limits(sheet, client_for(sb), journal=journal, progress=False)
    assert resumed["status"].tolist() == ["success", "skipped"], resumed
    assert EARLIER in resumed["error_message"].iloc[0]
    assert NOTHING in resumed["error_message"].iloc[1]
    assert EARLIER not in resumed["error_message"].iloc[1]


def test_a_fresh_journal_still_says_nothing_to_remove(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        sb.set_limit(
            "contacts", "companies", None, type_id=sb.type_id("contacts", "companies", "Employee")
        )
        result = hf.configure_limits(
            _employee(), client_for(sb), journal=tmp_path / "run.sqlite", progress=False
        )
    assert result["status"].tolist() == ["skipped"], result
    assert NOTHING in result["error_message"].iloc[0]


@pytest.mark.parametrize("then", ["daily", "reads fail"])
def test_a_limit_set_again_between_the_runs_is_removed_again(then: str, tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _lost(sb, _employee(), journal, then)
        assert _employee_limit(sb) == []
        type_id = sb.type_id("contacts", "companies", "Employee")
        sb.set_limit("contacts", "companies", 3, type_id=type_id)  # a colleague, by hand
        sb.reset_request_log()
        resumed = hf.configure_limits(_employee(), client_for(sb), journal=journal, progress=False)
        assert _purges(sb) == 1
        assert _employee_limit(sb) == []
    assert resumed["status"].tolist() == ["success"], resumed
    assert EARLIER not in resumed["error_message"].fillna("").iloc[0]


def _draw(rng: random.Random) -> tuple[dict[str, int], dict[str, str]]:
    """The label limits held before (deals -> contacts), and what the sheet asks of each."""
    before = {label: rng.randint(1, 5) for label in LABELS if rng.random() < 0.7}
    asks = {
        label: rng.choice(["remove", "remove", str(rng.randint(1, 5))])
        for label in LABELS
        if rng.random() < 0.9
    }
    return before, asks or {"Decision maker": "remove"}


def _label_limits(sb: Sandbox) -> dict[str, int]:
    held = sb.limits("deals", "contacts").dropna(subset=["label"])
    return dict(zip(held["label"], held["max_to_object_ids"].astype(int), strict=True))


@pytest.mark.parametrize("seed", seeds(10))
def test_seeded_lost_answers_then_resume_report_what_the_portal_holds(
    seed: int, tmp_path: Path
) -> None:
    """Random label limits, a random sheet of creates, updates and removals (one batch per
    row), a random write's answer lost and then the day's limit, HubSpot unreachable or
    the reads failing; perhaps a colleague setting a limit again; the run with the journal
    again.  Every row's status matches the portal: a removal reported ``success`` leaves no
    limit; one ``skipped`` "nothing to remove" is of a label no run sent a removal of (it
    held no limit before), or one the first run reported removed and that run finished (a
    run after a finished one goes by the portal); a removal the first run left of unknown
    outcome whose limit is gone is ``success`` saying an earlier run sent it (unless set
    again since: then removed again), and only such a removal says so."""
    rng = random.Random(seed)
    before, asks = _draw(rng)
    then = rng.choice(["daily", "refuse", "reads fail"])
    lose = rng.randint(1, 3)
    with Sandbox(seed="demo") as sb:
        ids = {label: sb.type_id("deals", "contacts", label) for label in LABELS}
        sb.set_limit("deals", "contacts", None, type_id=ids["Decision maker"])
        for label, limit in before.items():
            sb.set_limit("deals", "contacts", limit, type_id=ids[label])
        labels = list(asks)
        sheet = pd.DataFrame(
            {
                "From": ["deals"] * len(labels),
                "To": ["contacts"] * len(labels),
                "Label": labels,
                "Max": [asks[label] for label in labels],
            }
        )
        journal = tmp_path / "run.sqlite"
        options = {"fail_reads_after_write": True} if then == "reads fail" else {"then": then}
        with FaultProxy(sb, lose=lose, **options) as proxy:
            client = HubSpotClient(
                token=sb.token, base_url=proxy.url, backoff_base=0.01, max_retries=1
            )
            first = hf.configure_limits(
                sheet, client, journal=journal, progress=False, batch_size=1
            )
        first_status = dict(zip(labels, first["status"], strict=True))
        first_code = dict(zip(labels, first["error_code"].fillna(""), strict=True))
        finished = not has_open_run(journal)
        gone = {label for label in labels if label not in _label_limits(sb)}
        set_again = {
            label
            for label in labels
            if asks[label] == "remove" and label in gone
            if rng.random() < 0.3
        }
        for label in set_again:
            sb.set_limit("deals", "contacts", rng.randint(1, 5), type_id=ids[label])
        client = client_for(sb)
        planned = hf.configure_limits(sheet, client, journal=journal, dry_run=True)
        result = hf.configure_limits(sheet, client, journal=journal, progress=False, batch_size=1)
        held = _label_limits(sb)
    said = planned["status"].replace("planned", "success").tolist()
    assert said == result["status"].tolist(), (planned, result)
    for label, row in zip(labels, result.itertuples(index=False), strict=True):
        message = str(row.error_message)
        if asks[label] != "remove":
            assert row.status == "success" and held.get(label) == int(asks[label]), (label, row)
            continue
        assert label not in held, (label, held, result)
        assert row.status in ("success", "skipped"), (label, result)
        if row.status == "skipped":
            assert NOTHING in message and EARLIER not in message, (label, result)
            never_held = label not in before and label not in set_again
            reported = first_status[label] == "success" and finished and label not in set_again
            assert never_held or reported, (label, first, result)
        unknown = first_code[label] == "UNKNOWN_OUTCOME" and label in gone
        if unknown and label not in set_again:
            assert row.status == "success" and EARLIER in message, (label, first, result)
        if EARLIER in message:
            assert unknown and label not in set_again, (label, first, result)
