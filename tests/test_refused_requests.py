"""HubSpot refusing the requests themselves stops the run; a refused row is still isolated.

A 400 that names no row, for rows the portal shows nothing wrong with, used to be halved down
to single rows in every batch: each row alone twice over (a 2,000-row batch is 3,999 requests),
the day's API limit spent for nothing, and every row reported as "HubSpot rejected the row".
Now a few rows of the first such batch go alone; when each gets the same refusal, the run stops
with REQUEST_REFUSED (the rest ``skipped``, in the retry file).  A row HubSpot refuses for its
own sake is still found by halving, the rest applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import ErrorCode, HubframeError
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.pipeline import run_facts
from hubframe.run.send import PROBES, StopSignal
from hubframe.sandbox import Sandbox

DEALS = [str(5_300_000_001 + i) for i in range(200)]
CONTACTS = [str(6_300_000_001 + i) for i in range(200)]


def _portal(sb: Sandbox) -> pd.DataFrame:
    sb.start()
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})


@pytest.mark.parametrize("workers", [1, 4])
def test_a_refused_request_stops_the_run_after_a_few_rows(
    sandbox_factory: object, workers: int, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    sheet = _portal(sb)
    with FaultProxy(sb, then="reject", cued=True) as proxy:
        client = HubSpotClient(token=sb.token, base_url=proxy.url)
        result = hf.associate(sheet, client, progress=False, batch_size=20, workers=workers)
        writes = proxy.answered - len(sb.request_log())  # refused writes never reach it
    facts = run_facts(result)
    assert facts is not None and facts.stop is not None
    assert facts.stop.code is ErrorCode.REQUEST_REFUSED
    assert "Invalid input JSON" in facts.stop.message
    status = result["status"].value_counts().to_dict()
    # the batches in flight (one a worker) and a few rows of each alone; nothing else sent
    assert status.get("failed", 0) <= workers * PROBES
    assert status["skipped"] == len(sheet) - status.get("failed", 0)
    skipped = result[result["status"] == "skipped"]
    assert (skipped["error_code"] == "REQUEST_REFUSED").all()
    assert writes <= 2 * workers * (1 + PROBES)  # halving every batch: 10 x 39 = 390
    assert sb.associations("deals", "contacts").empty  # nothing applied
    retry = hf.export_retry(result, tmp_path / "retry.csv")
    assert len(pd.read_csv(retry)) == len(sheet)  # every row is still to do


def test_a_row_refused_for_its_own_sake_is_isolated_and_the_rest_applied(
    sandbox_factory: object,
) -> None:
    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    sheet = _portal(sb)
    poison = CONTACTS[47]  # inside the third batch of 20, at none of its probed rows
    with FaultProxy(sb, then=f"reject:{poison}", cued=True) as proxy:
        client = HubSpotClient(token=sb.token, base_url=proxy.url)
        result = hf.associate(sheet, client, progress=False, batch_size=20, workers=2)
    facts = run_facts(result)
    assert facts is not None and facts.stop is None
    failed = result[result["status"] != "success"]
    assert failed["to_id"].tolist() == [poison]
    assert failed["error_code"].tolist() == ["HUBSPOT_VALIDATION"]
    assert len(sb.associations("deals", "contacts")) == len(sheet) - 1


def test_the_cli_says_the_requests_were_refused(
    sandbox_factory: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    sheet = _portal(sb)
    path = tmp_path / "pairs.csv"
    sheet.head(60).to_csv(path, index=False)
    with FaultProxy(sb, then="reject", cued=True) as proxy:
        code = main(
            [
                "associate",
                str(path),
                "--base-url",
                proxy.url,
                "--token",
                sb.token,
                "--batch-size",
                "20",
                "--retry-file",
                str(tmp_path / "retry.csv"),
            ]
        )
    said = capsys.readouterr()
    assert code == 2, said
    assert "HubSpot refused the requests themselves" in said.out + said.err
    assert len(pd.read_csv(tmp_path / "retry.csv")) == 60


# --- a write HubSpot applies after its gateway gave up ------------------------------------------


@pytest.mark.parametrize("delay", [0.3, 1.2])
def test_a_write_applied_after_its_504s_is_a_success(
    sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch, delay: float
) -> None:
    """Every attempt answered 504 while HubSpot goes on and applies the write a moment later:
    before, one read right after the last attempt showed nothing and the row was reported
    "Not applied" (and an undo left the link).  The rows not there are read again after
    pauses, and found."""
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (0.2, 0.4, 0.8))
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", ["9100000001", "9100000002"])
    sb.add_records("contacts", ["9200000001", "9200000002"])
    sheet = pd.DataFrame(
        {"Deal ID": ["9100000001", "9100000002"], "Contact ID": ["9200000001", "9200000002"]}
    )
    with FaultProxy(sb, then=f"late:{delay}", cued=True) as proxy:
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
        )
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        result = hf.associate(pairs, client, progress=False)
    assert result["status"].tolist() == ["success", "success"], result["error_message"].tolist()
    assert len(sb.associations("deals", "contacts")) == 2


def test_a_write_never_seen_says_how_long_it_was_looked_for(
    sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (0.05, 0.1))
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", ["9100000003"])
    sb.add_records("contacts", ["9200000003"])
    sheet = pd.DataFrame({"Deal ID": ["9100000003"], "Contact ID": ["9200000003"]})
    with FaultProxy(sb, then="late:30", cued=True) as proxy:  # applied long after the run
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
        )
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        result = hf.associate(pairs, client, progress=False)
    assert result["status"].tolist() == ["failed"]
    assert result["error_code"].tolist() == ["UNKNOWN_OUTCOME"]  # HubSpot may apply it later
    message = result["error_message"][0]
    assert "checks over the next 0.15 s did not find the change" in message, message
    assert "HubSpot may still apply it" in message and "504" in message, message


def _labels_sheet() -> pd.DataFrame:
    return pd.DataFrame(
        [("deals", "contacts", "Technical buyer", "")],
        columns=["From type", "To type", "Label", "Inverse label"],
    )


@pytest.mark.parametrize("delay", [0.3, 1.0])
def test_a_label_created_after_its_504s_is_a_success(
    sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch, delay: float
) -> None:
    """As for associations: a label create answered 504 while HubSpot goes on and creates it
    was read once, at once, and reported ``failed``, ``SERVER_ERROR`` with no word that the
    label may exist.  It is read again after the same pauses, and found."""
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (0.2, 0.4, 0.8))
    sb = sandbox_factory(seed="demo")
    with FaultProxy(sb, then=f"late:{delay}", cued=True) as proxy:
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
        )
        result = hf.configure_labels(_labels_sheet(), client)
    assert result["status"].tolist() == ["success"], result["error_message"].tolist()
    labels = sb.labels("deals", "contacts")
    made = labels.loc[labels["label"] == "Technical buyer", "type_id"].tolist()
    assert result["type_id"].tolist() == made and len(made) == 1


def test_a_label_never_seen_after_its_504s_is_of_unknown_outcome(
    sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (0.05, 0.1))
    sb = sandbox_factory(seed="demo")
    with FaultProxy(sb, then="late:30", cued=True) as proxy:  # created long after the run
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
        )
        result = hf.configure_labels(_labels_sheet(), client)
    assert result["status"].tolist() == ["failed"]
    assert result["error_code"].tolist() == ["UNKNOWN_OUTCOME"]
    message = result["error_message"][0]
    assert "0.15 s later; HubSpot may still create it" in message, message


@pytest.mark.parametrize("then", ["daily", "token:pat-na1-00000000-0000-0000-0000-000000000000"])
def test_batches_waiting_for_a_slot_are_not_sent_once_the_run_stopped(
    sandbox_factory: object, then: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker that meets a run-stopping answer says so before it gives up its slot.  It is
    made slow to say so (as a worker descheduled on a busy machine): the batches waiting for
    its slot, two workers' worth, are still skipped, not sent after the run stopped."""
    sb = sandbox_factory(seed=None)  # type: ignore[operator]
    sheet = _portal(sb)
    said = StopSignal.stop_for

    def slow_to_say(self: StopSignal, error: HubframeError) -> None:
        time.sleep(0.3)
        said(self, error)

    monkeypatch.setattr(StopSignal, "stop_for", slow_to_say)
    with FaultProxy(sb, then=then, cued=True) as proxy:
        client = HubSpotClient(token=sb.token, base_url=proxy.url, backoff_base=0.01)
        result = hf.associate(
            sheet, client, progress=False, batch_size=20, workers=2, preflight=False
        )
    facts = run_facts(result)
    assert facts is not None and facts.stop is not None
    assert proxy.answered <= 2  # one batch a slot; the 8 others skipped
    assert (result["status"] == "skipped").sum() >= len(sheet) - 2 * 20
