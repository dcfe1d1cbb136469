"""The state before a run, read column-wise (run/before.py) over HTTP: right in both reading
directions, under the client's rate limit, remembered in the journal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hubframe.jobs import associate
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, pairs_sheet

Factory = Callable[..., Sandbox]
DEAL, CONTACT = 3_300_000_001, 4_300_000_001


def _portal(factory: Factory, deals: int, contacts: int, **kwargs: object) -> Sandbox:
    sb = factory(seed=None, **kwargs)
    sb.add_records("deals", [DEAL + n for n in range(deals)])
    sb.add_records("contacts", [CONTACT + n for n in range(contacts)])
    return sb


@pytest.mark.parametrize("contacts", [3, 40], ids=["few targets", "many targets"])
def test_existed_and_linked_before_are_right_from_either_side(
    sandbox_factory: Factory, tmp_path: Path, contacts: int
) -> None:
    """Few targets are read backwards (then the linked pairs' types forwards), many targets
    forwards; either way the columns and the journal say what the portal held."""
    sb = _portal(sandbox_factory, 20, contacts)
    label = sb.add_label("deals", "contacts", "Buyer")
    sb.associate("deals", DEAL + 1, "contacts", CONTACT + 1)  # unlabeled
    sb.associate("deals", DEAL + 2, "contacts", CONTACT + 2, type_id=label)
    rows = [(str(DEAL + n), str(CONTACT + n % contacts), "") for n in range(20)]
    rows[2] = (rows[2][0], rows[2][1], "Buyer")
    rows[3] = (str(DEAL + 1), str(CONTACT + 1), "Buyer")  # linked, but not with this label
    journal = tmp_path / "run.sqlite"
    result = associate(pairs_sheet(rows), client_for(sb), journal=journal, progress=False)
    linked = [n in (1, 2, 3) for n in range(20)]
    existed = [n in (1, 2) for n in range(20)]
    assert result["linked_before"].tolist() == linked
    assert result["existed_before"].tolist() == existed
    with Journal(journal) as opened:
        before = opened.existing("deals", "contacts")
    assert {p for p, types in before.items() if types} == {
        (str(DEAL + 1), str(CONTACT + 1)),
        (str(DEAL + 2), str(CONTACT + 2)),
    }
    assert len(before) == 19  # rows 1 and 3 name one pair


def test_concurrent_reads_keep_to_the_rate_limit(sandbox_factory: Factory) -> None:
    """12 batch reads at once (12,000 deals and contacts, one pair each), with a limit of 5
    requests a second: no window of a second holds more than 5, and none is refused -- but
    for a stray refusal or two on a loaded machine (the 30 ms margin of a one-second window is
    less than the jitter of two busy processes on two cores: one seen in a make test, and in
    1 of 6 runs beside two CPU hogs; two on 2026-12-01, with the machine giving the suite 1.5
    of its 2 cores), re-learned without a storm: each refused read is sent again once."""
    n = 12_000
    sb = _portal(sandbox_factory, n, n, rate_limit=(5, 1.0))
    sheet = pd.DataFrame(
        {
            "Deal ID": (DEAL + np.arange(n)).astype(str),
            "Contact ID": (CONTACT + np.arange(n)).astype(str),
        }
    )
    client = client_for(sb, rate_limit=(5, 1.0))
    result = associate(sheet, client, record_existing=True, batch_size=2_000, progress=False)
    assert not result["linked_before"].any() and len(result) == n
    log = sb.request_log()
    reads = log[log["path"].str.endswith("/batch/read")]
    refused = int((log["status"] == 429).sum())
    assert refused <= 2 and set(log["status"]) <= {200, 201, 207, 429}
    assert len(reads) == 12 + refused  # the refused read sent again once, nothing more
    starts = np.sort(log["started"].to_numpy())
    most = max(int(np.searchsorted(starts, s + 1.0, side="left")) - k for k, s in enumerate(starts))
    assert most <= 5 + refused


def test_the_state_before_is_read_while_the_labels_are(sandbox_factory: Factory) -> None:
    """The reads need only ids: they leave before the labels lookup answers, not after it;
    rows settled by their label meanwhile (an unknown one) change nothing that is reported."""
    sb = _portal(sandbox_factory, 30, 3, latency=(0.3, 0.0))
    label = sb.add_label("deals", "contacts", "Buyer")
    sb.associate("deals", DEAL + 4, "contacts", CONTACT + 1, type_id=label)
    rows = [(str(DEAL + n), str(CONTACT + n % 3), "Buyer") for n in range(30)]
    rows[7] = (str(DEAL + 4), str(CONTACT + 1), "Byuer")  # linked pair, unknown label
    result = associate(pairs_sheet(rows), client_for(sb), record_existing=True, progress=False)
    assert result.loc[7, "error_code"] == "UNKNOWN_LABEL"
    assert result.loc[4, "linked_before"] and result.loc[4, "existed_before"]
    assert not result.drop(index=[4, 7])["linked_before"].any()
    log = sb.request_log()
    lookup = log[log["path"].str.endswith("/labels")].iloc[0]
    reads = log[log["path"].str.endswith("/batch/read")]
    assert len(reads) and float(reads["started"].min()) < float(lookup["finished"])
    writes = log[log["path"].str.endswith("/batch/create")]
    assert float(writes["started"].min()) >= float(reads["finished"].max())


def test_a_sheet_run_again_reads_its_unlabeled_type_beside_the_reads(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Every pair of an unlabeled sheet is linked already (the sheet runs a second time): what
    each row's "existed" means needs the pair's unlabeled type, read while the state before is,
    not one round trip after it; every row says it existed and undo would leave it."""
    sb = _portal(sandbox_factory, 40, 4, latency=(0.3, 0.0))
    rows = [(str(DEAL + n), str(CONTACT + n % 4), "") for n in range(40)]
    for deal, contact, _ in rows:
        sb.associate("deals", deal, "contacts", contact)
    journal = tmp_path / "run.sqlite"
    result = associate(pairs_sheet(rows), client_for(sb), journal=journal, progress=False)
    assert result["linked_before"].all() and result["existed_before"].all()
    log = sb.request_log()
    lookup = log[log["path"].str.endswith("/labels")]
    reads = log[log["path"].str.endswith("/batch/read")]
    assert len(lookup) == 1 and len(reads)
    assert float(lookup["started"].iloc[0]) < float(reads["finished"].min())


@pytest.mark.parametrize("label", ["Buyer", ""], ids=["with a lookup", "no lookup"])
def test_a_day_used_up_by_the_early_reads_stops_the_run_before_any_write(
    sandbox_factory: Factory, tmp_path: Path, label: str
) -> None:
    """The day has one request left: the labels lookup and the reads of the state before (they
    start together) cannot all have it -- and for an unlabeled sheet none is left (it reads
    the unlabeled type beside the reads).  Either way no row is sent and every row says why."""
    sb = _portal(sandbox_factory, 12, 3, latency=(0.2, 0.0), daily_limit=1 if label else 0)
    sb.add_label("deals", "contacts", "Buyer")
    rows = [(str(DEAL + n), str(CONTACT + n % 3), label) for n in range(12)]
    journal = tmp_path / "run.sqlite"
    result = associate(pairs_sheet(rows), client_for(sb), journal=journal, progress=False)
    assert len(result) == 12
    assert set(result["status"]) == {"skipped"} and set(result["error_code"]) == {"RATE_LIMITED"}
    assert "daily" in str(result["error_message"].iloc[0])
    log = sb.request_log()
    assert log["path"].str.contains("/batch/read|/labels").any()
    assert not log["path"].str.contains("/batch/create|/associate/default").any()
    assert sb.associations("deals", "contacts").empty


# --- a state before that cannot be read holds its rows back -------------------------------------


def _failing_reads_run(
    sb: Sandbox, tmp_path: Path, preflight: bool, seed: int
) -> tuple[pd.DataFrame, list[tuple[str, str, str]]]:
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    rng = np.random.default_rng(seed)
    rows = [
        (str(DEAL + int(d)), str(CONTACT + int(c)), "")
        for d, c in zip(rng.integers(0, 6, 12), rng.integers(0, 6, 12), strict=True)
    ]
    with FaultProxy(sb, fail_reads=True) as proxy:
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01, backoff_cap=0.02
        )
        result = associate(
            pairs_sheet(rows),
            client,
            journal=tmp_path / "run.sqlite",
            preflight=preflight,
            progress=False,
        )
    return result, rows


@pytest.mark.parametrize("preflight", [False, True], ids=["record only", "with pre-flight"])
@pytest.mark.parametrize("seed", [1, 2])
def test_rows_whose_state_before_cannot_be_read_are_not_sent(
    sandbox_factory: Factory, tmp_path: Path, preflight: bool, seed: int
) -> None:
    """Before: the failed read was swallowed, every row was sent and reported success, and the
    undo then took none back (NOT_UNDOABLE, "run with record_existing=True" -- as it was).
    Now nothing is sent: every row fails with the read's error, the retry file holds it, and
    the run made again once HubSpot reads undoes exactly."""
    import hubframe as hf
    from hubframe.report import retry_rows

    sb = _portal(sandbox_factory, 6, 6)
    sb.associate("deals", DEAL, "contacts", CONTACT)  # there before: an undo must keep it
    result, rows = _failing_reads_run(sb, tmp_path, preflight, seed)
    assert len(result) == len(rows)
    failed = result["status"] == "failed"
    assert set(result["status"][~failed]) <= {"duplicate"}, result[["status", "error_code"]]
    assert set(result["error_code"][failed]) == {"SERVER_ERROR"}
    assert result["error_message"][failed].str.startswith("Not sent: what these records").all()
    assert retry_rows(result).tolist() == failed.tolist()
    assert len(sb.associations("deals", "contacts")) == 1  # the one there before
    again = associate(pairs_sheet(rows), client_for(sb), record_existing=True, progress=False)
    assert set(again["status"]) <= {"success", "duplicate"}
    hf.undo(again, client_for(sb), progress=False)
    left = sb.associations("deals", "contacts")
    assert set(zip(left["from_id"], left["to_id"], strict=True)) == {(str(DEAL), str(CONTACT))}


def test_a_dry_run_does_not_hold_rows_back(sandbox_factory: Factory, tmp_path: Path) -> None:
    """Nothing is recorded by a dry run: its reads failing plans the rows as before."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    sb = _portal(sandbox_factory, 2, 2)
    rows = [(str(DEAL), str(CONTACT), ""), (str(DEAL + 1), str(CONTACT + 1), "")]
    with FaultProxy(sb, fail_reads=True) as proxy:
        client = HubSpotClient(token=sb.token, base_url=proxy.url, max_retries=1)
        result = associate(pairs_sheet(rows), client, dry_run=True, preflight=False, progress=False)
    assert set(result["status"]) == {"planned"}
