"""Under an association limit, the rows that fit in sheet order get the record's places.

With pre-flight (and in every sync), a row the sheet puts past a record's last place is
predicted ``LIMIT_EXCEEDED``: for certain when the record is at the limit already (not sent),
or only with the sheet's earlier rows (sent: those may fail and leave room).  Such a row was
sent with the others, and batches travel at once, from two endpoints (labeled and not), a full
batch before a partial one: a later row could reach HubSpot first and take the place of a row
before it, which was then refused (``failed``, ``LIMIT_EXCEEDED``) while the dry run had
planned it with no prediction.  Rows predicted refused and sent all the same now go in a phase
of their own, once the other rows are answered.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

VERSIONS = ("2026-03", "2026-09", "v4")
LABELS = ("Decision maker", "Champion")
DEAL = 11
FILLERS = list(range(100, 130))  # deals of no limit's concern, to fill a batch
CONTACTS = list(range(200, 240))


def _portal(limits: dict[str, int]) -> Sandbox:
    """Deals and contacts, no links, the labels, and ``limits`` (label -> maximum; "" for the
    object limit) from deals to contacts."""
    sb = Sandbox(seed=None).start()
    sb.add_records("deals", [DEAL, 12, 13, *FILLERS])
    sb.add_records("contacts", CONTACTS)
    ids = {label: sb.add_label("deals", "contacts", label) for label in LABELS}
    for label, limit in limits.items():
        sb.set_limit("deals", "contacts", limit, type_id=ids[label] if label else None)
    return sb


def _run(job: str, sheet: pd.DataFrame, sb: Sandbox, version: str, **kw: object) -> pd.DataFrame:
    client = client_for(sb, version)
    if job == "sync":
        return hf.sync(sheet, client, batch_size=30, progress=False, **kw)  # type: ignore[arg-type]
    return hf.associate(sheet, client, preflight=True, batch_size=30, progress=False, **kw)  # type: ignore[arg-type]


def _sheet(first: str, last: str) -> pd.DataFrame:
    """DEAL's first contact with ``first`` as its label ("" for none), 29 other deals' rows
    unlabeled, then DEAL's second contact with ``last``: with a batch of 30 rows, the rows
    without a label fill one batch, sent before the partial batch of the labeled ones."""
    rows = [(DEAL, CONTACTS[0], first)]
    rows += [(deal, CONTACTS[1 + i], "") for i, deal in enumerate(FILLERS[:29])]
    rows.append((DEAL, CONTACTS[39], last))
    return pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])


@pytest.mark.parametrize("job", ["associate", "sync"])
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("first", "last"),
    [("Decision maker", ""), ("", "Decision maker"), ("", ""), ("Decision maker", "Champion")],
)
def test_the_row_first_in_the_sheet_takes_the_last_place(
    job: str, version: str, first: str, last: str
) -> None:
    """An object limit of one contact a deal: the sheet's first row of the deal is applied,
    its last refused, whichever endpoint each goes to and whichever batch leaves first."""
    with _portal({"": 1}) as sb:
        sheet = _sheet(first, last)
        dry = _run(job, sheet, sb, version, dry_run=True)
        assert pd.isna(dry["error_code"].iloc[0]), dry
        assert dry["error_code"].iloc[-1] == "LIMIT_EXCEEDED", dry
        assert "sent all the same" in str(dry["error_message"].iloc[-1])
        assert dry["batch"].iloc[-1] > dry["batch"].max(skipna=True) - 1  # the last batch
        assert dry["batch"].iloc[-1] > dry["batch"].iloc[:-1].max()
        real = _run(job, sheet, sb, version)
        assert real["status"].iloc[:-1].eq("success").all(), real
        assert (real["status"].iloc[-1], real["error_code"].iloc[-1]) == (
            "failed",
            "LIMIT_EXCEEDED",
        ), real
        held = sb.associations("deals", "contacts")
        assert set(held.loc[held["from_id"] == str(DEAL), "to_id"]) == {str(CONTACTS[0])}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_row_sent_with_send_predicted_failures_goes_after_the_rows_that_fit(
    version: str,
) -> None:
    """A deal at its label limit already, then a row that fits the other label: the certain
    refusal, sent as asked, goes last; the row that fits is applied."""
    with _portal({"Decision maker": 1, "": 2}) as sb:
        client = client_for(sb, version)
        dm = sb.type_id("deals", "contacts", "Decision maker")
        sb.associate("deals", str(DEAL), "contacts", str(CONTACTS[0]), dm)
        sheet = _sheet("Decision maker", "")
        sheet.loc[0, "Contact ID"] = CONTACTS[38]
        result = hf.associate(
            sheet,
            client,
            preflight=True,
            send_predicted_failures=True,
            batch_size=30,
            progress=False,
        )
        assert result["error_code"].iloc[0] == "LIMIT_EXCEEDED", result
        assert result["batch"].iloc[0] > result["batch"].iloc[1:].max()
        assert result["status"].iloc[1:].eq("success").all(), result


def _draw(rng: random.Random) -> tuple[dict[str, int], list[tuple[int, int, str]], int]:
    """Limits, a sheet of three deals' rows of both kinds (a few naming a contact that does not
    exist), and a batch size."""
    limits = {name: rng.randint(1, 3) for name in ("", *LABELS) if rng.random() < 0.6}
    limits = limits or {"": rng.randint(1, 3)}
    rows = []
    for _ in range(rng.randint(2, 24)):
        contact = rng.choice(CONTACTS) if rng.random() < 0.9 else 999_999
        rows.append((rng.choice([DEAL, 12, 13]), contact, rng.choice(["", "", *LABELS])))
    return limits, rows, rng.randint(1, 6)


@pytest.mark.parametrize("seed", seeds(16))
def test_seeded_runs_under_limits_refuse_no_row_planned_without_a_prediction(seed: int) -> None:
    """Random limits and sheets of both kinds of row, small batches, pre-flight on: a row the
    dry run plans with no prediction is never refused for a limit, a certain prediction is
    what HubSpot does (all sent), and every row's outcome is what the portal shows."""
    rng = random.Random(seed)
    limits, rows, size = _draw(rng)
    version = rng.choice(VERSIONS)
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
    with _portal(limits) as sb:
        client = client_for(sb, version)
        kw = {"preflight": True, "send_predicted_failures": True, "batch_size": size}
        dry = hf.associate(sheet, client, dry_run=True, progress=False, **kw)  # type: ignore[arg-type]
        real = hf.associate(sheet, client, progress=False, **kw)  # type: ignore[arg-type]
        held = sb.associations("deals", "contacts")
        types = {
            (int(f), int(t), int(k))
            for f, t, k in zip(held["from_id"], held["to_id"], held["type_id"], strict=True)
        }
        ids = {label: sb.type_id("deals", "contacts", label) for label in LABELS}
        unlabeled = sb.type_id("deals", "contacts", None)
        for d, r in zip(dry.to_dict("records"), real.to_dict("records"), strict=True):
            where = (seed, limits, size, d, r)
            if pd.isna(d["error_code"]):
                assert r["error_code"] != "LIMIT_EXCEEDED", where
            elif "will refuse" in str(d["error_message"]):
                assert (r["status"], r["error_code"]) == ("failed", "LIMIT_EXCEEDED"), where
            label = r["label"] if isinstance(r["label"], str) and r["label"] else None
            key = (int(r["from_id"]), int(r["to_id"]), ids[label] if label else unlabeled)
            if r["status"] == "success":
                assert key in types, where
            elif r["error_code"] == "LIMIT_EXCEEDED" and not any(
                (int(x["from_id"]), int(x["to_id"])) == key[:2] and x["status"] == "success"
                for x in real.to_dict("records")
            ):
                assert key not in types, where


@pytest.mark.parametrize("version", VERSIONS)
def test_a_row_whose_pair_only_a_row_predicted_refused_links_is_predicted_too(
    version: str,
) -> None:
    """Two rows of one pair past the deal's last place, with different labels: the first is
    predicted refused (the object limit, with the sheet's earlier row), and the second, which
    adds only its label to a pair the first would link, needs the place too: predicted (it was
    planned with no prediction, then refused by HubSpot)."""
    with _portal({"": 1}) as sb:
        rows = [
            (DEAL, CONTACTS[0], ""),
            (DEAL, CONTACTS[1], "Decision maker"),
            (DEAL, CONTACTS[1], "Champion"),
        ]
        sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])
        dry = _run("associate", sheet, sb, version, dry_run=True)
        assert dry["error_code"].tolist()[1:] == ["LIMIT_EXCEEDED"] * 2, dry
        assert all("sent all the same" in str(m) for m in dry["error_message"][1:]), dry
        real = _run("associate", sheet, sb, version)
        assert real["status"].tolist() == ["success", "failed", "failed"], real
        assert real["error_code"].tolist()[1:] == ["LIMIT_EXCEEDED"] * 2, real


@pytest.mark.parametrize("version", VERSIONS)
def test_rows_of_a_phase_a_stop_left_unsent_keep_their_batch_numbers(version: str) -> None:
    """The day's limit met on the first phase's labeled batch: the row held back to the
    second phase is ``skipped`` in the batch the dry run planned it in (it had none)."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    with _portal({"": 1}) as sb:
        sheet = _sheet("Decision maker", "")
        dry = _run("associate", sheet, sb, version, dry_run=True)
        with FaultProxy(sb, daily_path="batch/create") as proxy:
            client = HubSpotClient(
                token=sb.token, base_url=proxy.url, api_version=version, backoff_base=0.01
            )
            real = hf.associate(sheet, client, preflight=True, batch_size=30, progress=False)
        assert real["error_code"].iloc[0] == "RATE_LIMITED", real
        assert real["error_code"].iloc[-1] == "RATE_LIMITED", real
        assert real["batch"].tolist() == dry["batch"].tolist(), (dry, real)
