"""Pre-flight over HTTP against the sandbox: predictions, skip-existing, not sending refusals."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from hubframe.jobs import associate
from hubframe.run.preflight import LimitRule, PortalState, predict, read_state
from hubframe.run.work import WorkItem
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import DECISION_MAKER
from hubframe.testing import client_for, pairs_sheet
from hubframe.vocab import Action

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

DEALS = [str(2040000001 + i) for i in range(20)]
CONTACTS = [str(1019360001 + i) for i in range(80)]
WRITES = ("batch/create", "batch/associate/default", "archive")


def log_of(sb: Sandbox) -> pd.DataFrame:
    return sb.request_log()


def codes(result: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(c) else str(c) for c in result["error_code"]]


ROWS = [
    (DEALS[0], CONTACTS[0], "Decision maker"),  # exists (demo)
    (DEALS[0], CONTACTS[20], "Decision maker"),  # deal 1 has 2 of at most 2
    (DEALS[4], CONTACTS[21], "Decision maker"),  # 1 of 2
    (DEALS[4], CONTACTS[22], "Decision maker"),  # 2 of 2
    (DEALS[4], CONTACTS[23], "Decision maker"),  # the sheet's earlier rows used the limit up
    (DEALS[4], CONTACTS[23], "Champion"),  # another label: fine
    (DEALS[2], CONTACTS[3], ""),  # exists (demo, unlabeled)
    (DEALS[5], CONTACTS[24], ""),  # new
]
PREDICTED = [
    "ALREADY_ASSOCIATED", "LIMIT_EXCEEDED", None, None, "LIMIT_EXCEEDED", None,
    "ALREADY_ASSOCIATED", None,
]  # fmt: skip


@pytest.mark.parametrize("version", ("2026-03", "2026-09", "v4"))
def test_dry_run_predicts_per_row_and_writes_nothing(sandbox: Sandbox, version: str) -> None:
    before = sandbox.associations("deals", "contacts")
    result = associate(
        pairs_sheet(ROWS),
        client_for(sandbox, version),
        dry_run=True,
        preflight=True,
        progress=False,
    )
    assert set(result["status"]) == {"planned"}
    assert codes(result) == PREDICTED
    assert result.loc[1, "error_message"] == (
        f"predicted: deal {DEALS[0]} already has 2 of at most 2 'Decision maker' contacts; "
        "a real run with pre-flight on (preflight=True, --preflight) will not send it; without "
        "it, it is sent and HubSpot refuses it."
    )
    assert result.loc[4, "error_message"] == (  # only with the sheet's earlier rows: sent
        f"predicted: deal {DEALS[4]} has 0 of at most 2 'Decision maker' contacts and earlier "
        "rows of the sheet add 2; sent all the same: HubSpot refuses it only if those rows are "
        "applied."
    )
    assert 'are already associated as "Decision maker"' in result.loc[0, "error_message"]
    assert result["batch"].isna().tolist() == [n == 1 for n in range(len(PREDICTED))]
    assert result["existed_before"].tolist() == [c == "ALREADY_ASSOCIATED" for c in PREDICTED]
    assert result["linked_before"].tolist()[6]
    log = log_of(sandbox)
    assert not any(p.endswith(WRITES) for p in log["path"])
    assert sandbox.associations("deals", "contacts").equals(before)


def test_predictions_match_what_hubspot_says(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    planned = associate(pairs_sheet(ROWS), client, dry_run=True, preflight=True, progress=False)
    sent = associate(
        pairs_sheet(ROWS), client, preflight=True, send_predicted_failures=True, progress=False
    )
    refused = [c == "LIMIT_EXCEEDED" for c in codes(sent)]
    assert refused == [c == "LIMIT_EXCEEDED" for c in codes(planned)]
    assert sent.loc[refused, "http_status"].notna().all()  # sent, and HubSpot refused them


def test_real_run_does_not_send_predicted_refusals(sandbox: Sandbox) -> None:
    """A row whose record is at its limit now is not sent; one that reaches it only with the
    sheet's earlier rows is (they may fail), and HubSpot refuses it."""
    client = client_for(sandbox)
    result = associate(pairs_sheet(ROWS), client, preflight=True, progress=False)
    assert codes(result) == [c if c == "LIMIT_EXCEEDED" else None for c in PREDICTED]
    refused = result[result["error_code"] == "LIMIT_EXCEEDED"]
    assert set(refused["status"]) == {"failed"}
    assert refused["batch"].isna().tolist() == [True, False]
    assert "not sent" in refused.loc[1, "error_message"]
    assert refused.loc[4, "http_status"] in (207, 400)  # HubSpot's own refusal
    bodies = " ".join(log_of(sandbox)["path"])
    assert "batch/create" in bodies
    links = sandbox.associations("deals", "contacts")
    assert links.query(f"from_id == '{DEALS[0]}' and to_id == '{CONTACTS[20]}'").empty
    assert (result["status"] == "success").sum() == 6


def test_skip_existing(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    result = associate(pairs_sheet(ROWS[5:]), client, skip_existing=True, progress=False)
    assert result["status"].tolist() == ["success", "skipped", "success"]
    assert codes(result) == [None, "ALREADY_ASSOCIATED", None]
    assert "skipped, not sent" in result.loc[1, "error_message"]
    assert pd.isna(result.loc[1, "batch"])
    assert result["existed_before"].tolist() == [False, True, False]
    default_writes = log_of(sandbox).query(
        "path.str.endswith('associate/default')", engine="python"
    )
    assert default_writes["inputs"].sum() == 1  # only the new pair


def test_object_limit_counts_the_unlabeled_type(sandbox: Sandbox) -> None:
    sandbox.set_limit("deals", "contacts", 3)  # every association has the unlabeled type
    rows = [(DEALS[9], CONTACTS[40 + n], "Champion" if n % 2 else "") for n in range(5)]
    result = associate(
        pairs_sheet(rows), client_for(sandbox), dry_run=True, preflight=True, progress=False
    )
    assert codes(result) == [None, None, None, "LIMIT_EXCEEDED", "LIMIT_EXCEEDED"]
    assert result.loc[3, "error_message"].startswith(
        f"predicted: deal {DEALS[9]} has 0 of at most 3 contacts and earlier rows of the sheet "
        "add 3; sent all the same"
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_row_after_rows_that_fail_is_not_refused_for_their_places(
    sandbox: Sandbox, dry_run: bool
) -> None:
    """A row that reaches a limit only with earlier rows of the sheet is sent: an earlier row
    may fail (its contact does not exist) and take no place.  Before, pre-flight refused it
    unsent (``LIMIT_EXCEEDED``, "not sent") though HubSpot would have made it."""
    rows = [
        (DEALS[7], CONTACTS[50], "Decision maker"),
        (DEALS[7], "1019369999", "Decision maker"),  # no such contact: fails, takes no place
        (DEALS[7], CONTACTS[51], "Decision maker"),  # the deal's limit is 2
    ]
    result = associate(
        pairs_sheet(rows), client_for(sandbox), dry_run=dry_run, preflight=True, progress=False
    )
    if dry_run:
        assert result["batch"].notna().all()  # every row would be sent
        assert "sent all the same" in result.loc[2, "error_message"]
        return
    assert result["status"].tolist() == ["success", "failed", "success"]
    assert codes(result) == [None, "OBJECT_NOT_FOUND", None]
    links = sandbox.associations("deals", "contacts")
    made = set(links.loc[links["from_id"].astype(str) == DEALS[7], "to_id"].astype(str))
    assert {CONTACTS[50], CONTACTS[51]} <= made


def test_reads_a_thousand_records_a_call(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(seed=None)
    deals = [str(7_000_000_001 + i) for i in range(1500)]
    sb.add_records("deals", deals)
    sb.add_records("contacts", ["8000000001"])
    sb.associate("deals", deals[1499], "contacts", "8000000001")
    rows = [(d, "8000000001", "") for d in deals]
    result = associate(
        pairs_sheet(rows), client_for(sb), dry_run=True, preflight=True, progress=False
    )
    assert codes(result)[-1] == "ALREADY_ASSOCIATED"
    assert codes(result).count(None) == 1499
    reads = log_of(sb).query("path.str.endswith('/batch/read')", engine="python")
    # the reads go at once (in any order): a thousand records each, the rest in the last
    assert sorted(reads["inputs"].tolist(), reverse=True) == [1000, 500]


def test_predict_without_reading() -> None:
    state = PortalState(
        links={("deals", "contacts"): {"1": {"10": frozenset({3, 1001})}}},
        limits={("deals", "contacts"): {1001: LimitRule("USER_DEFINED", 1001, 1, "DM")}},
    )
    items = [
        WorkItem(
            0, Action.ASSOCIATE, "deals", "contacts", "1", "10", "USER_DEFINED", 1001, label="DM"
        ),
        WorkItem(
            1, Action.ASSOCIATE, "deals", "contacts", "1", "11", "USER_DEFINED", 1001, label="DM"
        ),
        WorkItem(2, Action.ASSOCIATE_DEFAULT, "deals", "contacts", "1", "10"),
        WorkItem(
            3, Action.ASSOCIATE, "deals", "contacts", "2", "11", "USER_DEFINED", 1001, label="DM"
        ),
    ]
    checks = predict(items, state, unlabeled={("deals", "contacts"): 3})
    assert [c.code.value if c.code else None for c in checks.values()] == [
        "ALREADY_ASSOCIATED", "LIMIT_EXCEEDED", "ALREADY_ASSOCIATED", None,
    ]  # fmt: skip
    assert checks[1].message == "predicted: deal 1 already has 1 of at most 1 'DM' contacts"
    assert (checks[3].existed_before, checks[3].linked_before) == (False, False)


def test_read_state_keeps_failed_pairs(sandbox: Sandbox) -> None:
    state = read_state(
        client_for(sandbox), {("deals", "contacts"): [DEALS[0]], ("deals", "widgets"): ["1"]}
    )
    decision_maker = sandbox.type_id("deals", "contacts", DECISION_MAKER.label)
    assert state.types(("deals", "contacts"), (DEALS[0], CONTACTS[0])) == frozenset(
        {3, decision_maker}
    )
    assert state.limits[("deals", "contacts")][decision_maker].maximum == 2
    assert ("deals", "widgets") in state.failed
    assert state.types(("deals", "widgets"), ("1", "2")) is None
