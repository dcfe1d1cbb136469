"""A resumed limits run reports the removals its stopped run made, also where the stopped run's
batch held a removal with nothing to remove.

A removal of a limit HubSpot does not hold is not sent (``skipped``, "nothing to remove"); in a
run with a journal it rides in its batch as the journal's record only, so that a resumed run
meets the batch as it went.  The stopped run sent the batch's other rows as a part and
journaled the part; the resumed run (every removal now nothing to remove) looked the whole
batch up, found nothing, and reported the removals the stopped run had made ``skipped``,
"nothing to remove", as if the run had not made them.  The batch is now journaled whole (the
unsent rows' outcomes too, judged again when met: a limit set by hand since is removed).
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

VERSIONS = ("2026-03", "2026-09", "v4")
LABELS = ("Decision maker", "Champion", "Budget holder")
NOTHING = "nothing to remove"


def _sheet(asks: dict[str, str]) -> pd.DataFrame:
    """The labels' rows (``asks``: label -> "remove" or a limit), then contacts to companies
    set to 7: its write comes last (an object limit goes in a later phase than lowered or
    removed label limits), and a daily limit on it stops the run."""
    labels = list(asks)
    return hf.read_limits(
        pd.DataFrame(
            {
                "From": ["deals"] * len(labels) + ["contacts"],
                "To": ["contacts"] * len(labels) + ["companies"],
                "Label": [*labels, None],
                "Max": [*asks.values(), "7"],
            }
        )
    )


def _limits(sb: Sandbox) -> dict[str, int]:
    """The label limits from deals to contacts, by label."""
    held = sb.limits("deals", "contacts").dropna(subset=["label"])
    return dict(zip(held["label"], held["max_to_object_ids"].astype(int), strict=True))


def _stopped(sb: Sandbox, sheet: pd.DataFrame, journal: Path, version: str) -> pd.DataFrame:
    """The sheet run with ``journal``, stopped by HubSpot's daily limit at its last write."""
    with FaultProxy(sb, daily_path="companies") as proxy:
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, api_version=version, backoff_base=0.01
        )
        result = hf.configure_limits(sheet, client, journal=journal, progress=False)
    assert result["error_code"].iloc[-1] == "RATE_LIMITED", result
    return result


def _two_limits(sb: Sandbox) -> dict[str, int]:
    """Limits of 2 for "Decision maker" and "Budget holder" ("Champion": none); the labels'
    type ids."""
    ids = {label: sb.type_id("deals", "contacts", label) for label in LABELS}
    for label in ("Decision maker", "Budget holder"):
        sb.set_limit("deals", "contacts", 2, type_id=ids[label])
    return ids


def _outcomes(result: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """label -> (status, message) of the label rows."""
    rows = result.dropna(subset=["label"])
    return {
        str(r.label): (str(r.status), str(r.error_message)) for r in rows.itertuples(index=False)
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("between", [None, "set again", "set the absent one"])
def test_a_resumed_run_reports_the_stopped_runs_removals_beside_one_with_nothing_to_remove(
    version: str, between: str | None, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        ids = _two_limits(sb)
        sheet = _sheet(dict.fromkeys(LABELS, "remove"))
        journal = tmp_path / "run.sqlite"
        first = _outcomes(_stopped(sb, sheet, journal, version))
        assert [first[label][0] for label in LABELS] == ["success", "skipped", "success"]
        assert _limits(sb) == {}
        if between == "set again":  # a colleague sets a removed limit again: removed again
            sb.set_limit("deals", "contacts", 3, type_id=ids["Decision maker"])
        elif between == "set the absent one":  # one the stopped run found none of: removed
            sb.set_limit("deals", "contacts", 3, type_id=ids["Champion"])
        result = _resumed(sb, sheet, journal, version)
        assert result["status"].tolist() == ["success", "skipped", "success", "success"] or (
            between == "set the absent one" and result["status"].tolist() == ["success"] * 4
        ), result
        again = _outcomes(result)
        assert (
            NOTHING not in again["Decision maker"][1] and NOTHING not in again["Budget holder"][1]
        )
        assert (NOTHING in again["Champion"][1]) == (between != "set the absent one")
        assert _limits(sb) == {}
        objects = sb.limits("contacts", "companies")
        assert objects.loc[objects["label"].isna(), "max_to_object_ids"].tolist() == [7]


def _resumed(sb: Sandbox, sheet: pd.DataFrame, journal: Path, version: str) -> pd.DataFrame:
    """The resumed run's result, after a dry run of it with the journal, which must say what
    the run then does (``planned`` for a row the run reports ``success``; each other row its
    status and message) and write nothing.  Before, the dry run said "nothing to remove" of a
    removal the stopped run made, which the run reports ``success`` from the journal."""
    client = client_for(sb, version)
    sb.reset_request_log()
    planned = hf.configure_limits(sheet, client, journal=journal, dry_run=True)
    writes = sb.request_log()["path"].str.contains("/batch/(?:create|update|purge)")
    assert not writes.any(), sb.request_log()
    result = hf.configure_limits(sheet, client, journal=journal)
    said = planned["status"].replace("planned", "success").tolist()
    assert said == result["status"].tolist(), (planned, result)
    for p, r in zip(planned.itertuples(), result.itertuples(), strict=True):
        if r.status == "skipped":
            assert p.error_message == r.error_message, (p, r)
        from_journal = "reports it from the journal" in str(p.error_message)
        no_limit = str(p.limit_change).startswith("nothing now: HubSpot holds no limit")
        assert from_journal == (r.status == "success" and no_limit), (p, r)
    return result


def _draw(rng: random.Random) -> tuple[dict[str, int], dict[str, str]]:
    """The label limits held before, and what the sheet asks of each label it names."""
    before = {label: rng.randint(1, 5) for label in LABELS if rng.random() < 0.6}
    asks = {
        label: rng.choice(["remove", "remove", str(rng.randint(1, 5))])
        for label in LABELS
        if rng.random() < 0.85
    }
    return before, asks or {"Champion": "remove"}


@pytest.mark.parametrize("seed", seeds(12))
def test_seeded_resumed_limits_runs_report_what_the_stopped_run_did(
    seed: int, tmp_path: Path
) -> None:
    """Random limits held, a random sheet of removals and limits, the run stopped at its last
    write, a colleague's random changes, the run resumed: the portal is what the sheet asks,
    and a removal the stopped run made whose limit nobody set again since is ``success`` in
    the resumed run (never "nothing to remove"); one a colleague set since is removed."""
    rng = random.Random(seed)
    before, asks = _draw(rng)
    version = rng.choice(VERSIONS)
    with Sandbox(seed="demo") as sb:
        ids = {label: sb.type_id("deals", "contacts", label) for label in LABELS}
        for label, limit in before.items():
            sb.set_limit("deals", "contacts", limit, type_id=ids[label])
        sheet = _sheet(asks)
        journal = tmp_path / "run.sqlite"
        first = _outcomes(_stopped(sb, sheet, journal, version))
        changed: set[str] = set()
        for label in LABELS:
            if rng.random() < 0.25:
                changed.add(label)
                if label in _limits(sb) and rng.random() < 0.5:
                    sb.set_limit("deals", "contacts", None, type_id=ids[label])
                else:
                    sb.set_limit("deals", "contacts", rng.randint(1, 5), type_id=ids[label])
        result = _resumed(sb, sheet, journal, version)
        again = _outcomes(result)
        held = _limits(sb)
        for label, ask in asks.items():
            status, said = again[label]
            want = None if ask == "remove" else int(ask)
            assert held.get(label) == want, (label, ask, result)
            assert status in ("success", "skipped"), (label, result)
            made = ask == "remove" and label in before and first[label][0] == "success"
            if made and label not in changed:
                assert (status, NOTHING in said) == ("success", False), (label, result)
            if ask == "remove" and status == "skipped":
                assert (NOTHING in said and label not in before) or label in changed, (label, said)
        assert result["status"].iloc[-1] == "success", result


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("fault", ["refused", "answer lost"])
def test_a_mixed_batch_whose_sent_part_did_not_finish_is_judged_again_when_resumed(
    version: str, fault: str, tmp_path: Path
) -> None:
    """The batch of removals beside one with nothing to remove: its sent part refused by the
    day's limit (not applied) or applied with its answer lost (then the day's limit, no read
    back).  Not final, so not journaled: the resumed run judges the batch again -- the
    removals refused are made (``success``), those the stopped run sent with their answer lost
    are gone, and ``success`` too, saying the earlier run sent them (they were ``skipped``,
    "nothing to remove", as if no run had made them: the journal now keeps a batch of limits
    as maybe applied before it leaves), and the portal holds no label limit either way."""
    options = {"daily_path": "purge"} if fault == "refused" else {"lose": 1, "then": "daily"}
    with Sandbox(seed="demo") as sb:
        _two_limits(sb)
        sheet = _sheet(dict.fromkeys(LABELS, "remove"))
        journal = tmp_path / "run.sqlite"
        with FaultProxy(sb, **options) as proxy:
            client = HubSpotClient(
                token=sb.token, base_url=proxy.url, api_version=version, backoff_base=0.01
            )
            first = hf.configure_limits(sheet, client, journal=journal, progress=False)
        codes = first["error_code"].tolist()
        want = "RATE_LIMITED" if fault == "refused" else "UNKNOWN_OUTCOME"
        assert [codes[0], codes[2]] == [want, want], first
        assert (_limits(sb) == {}) == (fault == "answer lost")
        result = hf.configure_limits(sheet, client_for(sb, version), journal=journal)
        again = _outcomes(result)
        assert [again[label][0] for label in LABELS] == ["success", "skipped", "success"], result
        assert NOTHING in again["Champion"][1]
        for label in ("Decision maker", "Budget holder"):
            earlier = "an earlier run with this journal sent this removal" in again[label][1]
            assert earlier == (fault == "answer lost"), result
        assert _limits(sb) == {}
        assert result["status"].iloc[-1] == "success", result
