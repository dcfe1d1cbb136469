"""HubSpot holds at most 10 labels of one's own per object pairing (MAX_LABELS_PER_PAIR).

Before: a labels dry run planned every new label, and the real run created ten and failed
the rest with HubSpot's refusal (``HUBSPOT_VALIDATION``); ``limits --create-labels --dry-run``
then planned the limits of labels the real run never made (``UNKNOWN_LABEL`` there).  A new
label the pair has no room for, counting those the earlier rows create, is ``invalid``,
``TOO_MANY_LABELS``, in both runs, and is not sent.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

from hubframe.cli import main
from hubframe.constants import MAX_LABELS_PER_PAIR, USER_DEFINED
from hubframe.jobs import configure_labels
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

VERSIONS = ["2026-03", "2026-09", "v4"]


def _own(sb: Sandbox, from_type: str, to_type: str) -> int:
    listed = sb.labels(from_type, to_type)
    return int(((listed["category"] == USER_DEFINED) & listed["label"].notna()).sum())


def _sheet(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["From type", "To type", "Label", "Inverse label"])


@pytest.mark.parametrize("version", VERSIONS)
def test_new_labels_past_the_cap_are_refused_in_both_runs(version: str) -> None:
    with Sandbox(seed="demo") as sb:
        room = MAX_LABELS_PER_PAIR - _own(sb, "deals", "contacts")
        rows = [("deals", "contacts", f"Role {n}", "") for n in range(room + 2)]
        client = client_for(sb, version)
        planned = configure_labels(_sheet(rows), client, dry_run=True)
        done = configure_labels(_sheet(rows), client)
        own = _own(sb, "deals", "contacts")
    assert planned["status"].tolist() == ["planned"] * room + ["invalid"] * 2
    assert done["status"].tolist() == ["success"] * room + ["invalid"] * 2
    for table in (planned, done):
        assert table["error_code"].tolist()[room:] == ["TOO_MANY_LABELS"] * 2
        assert f"at most {MAX_LABELS_PER_PAIR}" in str(table["error_message"].iloc[-1])
    assert own == MAX_LABELS_PER_PAIR


@pytest.mark.parametrize("seed", seeds(6))
def test_labels_of_both_directions_are_counted_as_hubspot_counts_them(seed: int) -> None:
    """Labels created from contacts to deals are listed from deals to contacts too (under
    their inverse label, or their own name): the dry run counts them where the real run
    meets them, row by row."""
    rng = random.Random(seed)
    rows = []
    for n in range(rng.randint(6, 12)):
        ways = [("deals", "contacts"), ("contacts", "deals")]
        f, t = rng.choice(ways)
        inverse = rng.choice(["", f"Inverse {n}"])
        rows.append((f, t, f"Label {n}", inverse))
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        planned = configure_labels(_sheet(rows), client, dry_run=True)
        done = configure_labels(_sheet(rows), client)
        both = (_own(sb, "deals", "contacts"), _own(sb, "contacts", "deals"))
    assert "failed" not in done["status"].tolist(), done
    dry = ["success" if s == "planned" else s for s in planned["status"].tolist()]
    assert dry == done["status"].tolist(), (planned, done)
    assert planned["error_code"].tolist() == done["error_code"].tolist()
    assert max(both) <= MAX_LABELS_PER_PAIR


def test_limits_create_labels_does_not_plan_the_limits_of_labels_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(seed="demo") as sb:
        room = MAX_LABELS_PER_PAIR - _own(sb, "deals", "contacts")
        rows = "".join(f"deals,contacts,Role {n},2\n" for n in range(room + 1))
        sheet = tmp_path / "limits.csv"
        sheet.write_text(f"From,To,Label,Max\n{rows}")
        hub = ["--token", sb.token, "--base-url", sb.url]
        results = []
        for dry in (["--dry-run"], []):
            report = tmp_path / f"report{len(dry)}.csv"
            args = ["limits", str(sheet), "--create-labels", "--no-progress", *dry, *hub]
            assert main([*args, "--report", str(report)]) == 1
            assert f'"Role {room}": create invalid TOO_MANY_LABELS' in capsys.readouterr().out
            results.append(pd.read_csv(report))
    planned, done = results
    assert planned["status"].tolist() == ["planned"] * room + ["invalid"]
    assert done["status"].tolist() == ["success"] * room + ["invalid"]
    assert planned["error_code"].iloc[-1] == done["error_code"].iloc[-1] == "TOO_MANY_LABELS"
    said = done["error_message"].iloc[-1]
    assert said == planned["error_message"].iloc[-1]
    assert f"at most {MAX_LABELS_PER_PAIR} labels" in said, said
