"""A sync's additions against configured association limits: what its dry run predicts is
what HubSpot then does, with and without ``send_predicted_failures``.

A sync counts its additions on the portal as the removals (sent first) leave it.  An addition
a limit refuses whatever the earlier rows do is predicted ``LIMIT_EXCEEDED`` and not sent
(unless ``send_predicted_failures``: then sent, and HubSpot refuses it); one a limit refuses
only if earlier additions are applied is sent all the same, with the prediction as its note.
No test ran these paths before (seen with a coverage run).
"""

from __future__ import annotations

import random

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = ["11", "12", "13"]
CONTACTS = ["21", "22", "23", "24", "25", "26"]
LABELS = ("Decision maker", "Champion")
Link = tuple[str, str, int]


def _portal(dm_limit: int, links: list[tuple[str, str]]) -> tuple[Sandbox, int]:
    sb = Sandbox(seed=None).start()
    sb.add_records("deals", [int(d) for d in DEALS])
    sb.add_records("contacts", [int(c) for c in CONTACTS])
    dm = sb.add_label("deals", "contacts", "Decision maker")
    sb.set_limit("deals", "contacts", dm_limit, type_id=dm)
    for deal, contact in links:
        sb.associate("deals", deal, "contacts", contact, dm)
    return sb, dm


def _sheet(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])


def _links(sb: Sandbox) -> set[Link]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], frame["type_id"].astype(int), strict=True))


@pytest.mark.parametrize("send", [False, True])
def test_an_addition_a_limit_refuses_for_certain_is_sent_only_when_asked(send: bool) -> None:
    sb, dm = _portal(1, [("11", "21")])
    with sb:
        sheet = _sheet([("11", "21", "Decision maker"), ("11", "22", "Decision maker")])
        client = client_for(sb)
        dry = hf.sync(sheet, client, send_predicted_failures=send, dry_run=True, progress=False)
        assert dry["error_code"].tolist()[1] == "LIMIT_EXCEEDED"
        said = str(dry["error_message"].tolist()[1])
        assert ("HubSpot will refuse it" in said) == send, said
        assert ("a real run will not send it" in said) == (not send), said
        sb.reset_request_log()
        real = hf.sync(sheet, client, send_predicted_failures=send, progress=False)
        row = real.iloc[1]
        assert (row["change"], row["status"], row["error_code"]) == (
            "add",
            "failed",
            "LIMIT_EXCEEDED",
        )
        writes = sb.request_log().query("method != 'GET' and not path.str.contains('read')")
        assert (len(writes) > 0) == send  # sent only when asked
        assert ("HubSpot:" in str(row["error_message"])) == send  # HubSpot's refusal, or ours
        assert ("22", dm) not in {(c, t) for _, c, t in _links(sb)}


def test_additions_a_limit_refuses_only_after_earlier_ones_are_sent_and_refused() -> None:
    sb, dm = _portal(2, [("11", "21")])
    with sb:
        contacts = ["21", "22", "23", "24"]
        sheet = _sheet([("11", c, "Decision maker") for c in contacts])
        client = client_for(sb)
        dry = hf.sync(sheet, client, dry_run=True, progress=False)
        assert dry["error_code"].tolist()[2:] == ["LIMIT_EXCEEDED"] * 2
        assert all("sent all the same" in str(m) for m in dry["error_message"][2:])
        real = hf.sync(sheet, client, progress=False)
        assert real["status"].tolist() == ["skipped", "success", "failed", "failed"], real
        assert real["error_code"].tolist()[2:] == ["LIMIT_EXCEEDED"] * 2
        assert {c for _, c, t in _links(sb) if t == dm} == {"21", "22"}


def _draw(rng: random.Random) -> tuple[dict[str, int], list[Link], list[tuple[str, str, str]]]:
    """Limits (per label and for the object; absent: none), the links before, the sheet."""
    limits = {name: rng.randint(1, 3) for name in (*LABELS, "") if rng.random() < 0.6}
    # Additions of both endpoints: the rows predicted refused go after the others, so a row
    # planned with no prediction is applied whichever batch reaches HubSpot first.
    adding = rng.choice([list(LABELS), [""], ["", *LABELS]])
    before: list[Link] = []
    rows: list[tuple[str, str, str]] = []
    for deal in DEALS:
        for contact in rng.sample(CONTACTS, rng.randint(0, 3)):
            label = rng.choice(["", *LABELS])
            before.append((deal, contact, LABELS.index(label) if label else -1))
            rows.append((deal, contact, label))
        for contact in rng.sample(CONTACTS, rng.randint(0, 4)):
            rows.append((deal, contact, rng.choice(adding)))
    rng.shuffle(rows)
    return limits, before, rows


@pytest.mark.parametrize("seed", seeds(16))
def test_seeded_syncs_under_limits_do_what_their_dry_runs_say(seed: int) -> None:
    """Random limits (labels', the object's), links (some past a limit set later), and a
    sheet keeping them and adding others (labeled, not, or both): the dry run's certain
    predictions are what HubSpot refuses (all sent), an addition planned without one is
    applied, and every row's outcome is what the portal shows."""
    rng = random.Random(seed)
    limits, before, rows = _draw(rng)
    sb = Sandbox(seed=None).start()
    with sb:
        sb.add_records("deals", [int(d) for d in DEALS])
        sb.add_records("contacts", [int(c) for c in CONTACTS])
        ids = [sb.add_label("deals", "contacts", label) for label in LABELS]
        for deal, contact, k in before:
            sb.associate("deals", deal, "contacts", contact, ids[k] if k >= 0 else None)
        for name, limit in limits.items():
            sb.set_limit(
                "deals", "contacts", limit, type_id=ids[LABELS.index(name)] if name else None
            )
        sheet, client = _sheet(rows), client_for(sb)
        kw = {"send_predicted_failures": True, "batch_size": rng.randint(1, 4)}  # batches race
        dry = hf.sync(sheet, client, dry_run=True, progress=False, **kw)  # type: ignore[arg-type]
        real = hf.sync(sheet, client, progress=False, **kw)  # type: ignore[arg-type]
        links = _links(sb)
        unlabeled = sb.type_id("deals", "contacts", None)
        for d, r in zip(dry.to_dict("records"), real.to_dict("records"), strict=True):
            assert (d["from_id"], d["to_id"], d["change"]) == (
                r["from_id"],
                r["to_id"],
                r["change"],
            )
            label = r["label"] if isinstance(r["label"], str) and r["label"] else None
            k = ids[LABELS.index(label)] if label else unlabeled
            there = (str(r["from_id"]), str(r["to_id"]), k) in links
            where = (seed, d, r)
            if r["change"] != "add":
                continue
            certain = d["error_code"] == "LIMIT_EXCEEDED" and "will refuse" in str(
                d["error_message"]
            )
            if certain:
                assert (r["status"], r["error_code"]) == ("failed", "LIMIT_EXCEEDED"), where
            elif pd.isna(d["error_code"]):
                assert r["status"] == "success", where
            if r["status"] == "success":
                assert there, where
            elif r["status"] == "failed":
                assert not there, where
