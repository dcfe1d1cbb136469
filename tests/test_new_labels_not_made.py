"""``limits --create-labels``: a limits row whose new label the plan does not make says why.

Before, near HubSpot's cap of 10 labels of one's own per object pair, a limits row whose
label the plan refused (``TOO_MANY_LABELS``, ``LABEL_WOULD_REPEAT``) or left out (none of
its rows sent: two rows asking it different limits) was reported ``UNKNOWN_LABEL``, "does not
exist", while the labels line said "their status says why": the real reason (the pair is
full, the rows conflict) was on stdout only, or nowhere.  Such a row now carries its label's
refusal, or its own reason, in both runs, row by row.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

from hubframe.cli import main
from hubframe.constants import MAX_LABELS_PER_PAIR, USER_DEFINED
from hubframe.sandbox import Sandbox

VERSIONS = ["2026-03", "2026-09", "v4"]


def _own(sb: Sandbox, from_type: str, to_type: str) -> int:
    listed = sb.labels(from_type, to_type)
    return int(((listed["category"] == USER_DEFINED) & listed["label"].notna()).sum())


def _runs(
    sb: Sandbox, rows: list[tuple[str, str, str, str]], tmp_path: Path, version: str = "2026-03"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The dry run's and the real run's reports of ``rows`` (From, To, Label, Max)."""
    sheet = tmp_path / "limits.csv"
    pd.DataFrame(rows, columns=["From", "To", "Label", "Max"]).to_csv(sheet, index=False)
    hub = ["--token", sb.token, "--base-url", sb.url, "--api-version", version]
    reports = []
    for dry in (["--dry-run"], []):
        report = tmp_path / f"report{len(dry)}.csv"
        args = ["limits", str(sheet), "--create-labels", "--no-progress", *dry, *hub]
        main([*args, "--report", str(report)])
        reports.append(pd.read_csv(report, dtype=str, keep_default_na=False))
    return reports[0], reports[1]


def _agree(planned: pd.DataFrame, done: pd.DataFrame) -> None:
    dry = ["success" if s == "planned" else s for s in planned["status"]]
    assert dry == done["status"].tolist(), (planned, done)
    assert planned["error_code"].tolist() == done["error_code"].tolist()


@pytest.mark.parametrize("version", VERSIONS)
def test_rows_of_one_new_label_that_conflict_on_a_full_pair_say_they_conflict(
    version: str, tmp_path: Path
) -> None:
    """Two rows ask the new label "N1" different limits while other new labels fill the
    pair: the plan leaves "N1" out to make room, and both rows are CONFLICTING_ROWS (as on
    a pair with room), not "does not exist"."""
    with Sandbox(seed="demo") as sb:
        room = MAX_LABELS_PER_PAIR - _own(sb, "deals", "contacts")
        rows = [("deals", "contacts", f"N{n}", "3") for n in range(1, room + 1)]
        rows += [("deals", "contacts", "n1", "4"), ("deals", "contacts", f"N{room + 1}", "3")]
        planned, done = _runs(sb, rows, tmp_path, version)
        made = {str(x) for x in sb.labels("deals", "contacts")["label"].dropna()}
    _agree(planned, done)
    conflict = [0, room]
    assert done["error_code"].iloc[conflict].tolist() == ["CONFLICTING_ROWS"] * 2, done
    others = done.drop(index=conflict)
    assert others["status"].tolist() == ["success"] * room, done
    assert "N1" not in made and f"N{room + 1}" in made


@pytest.mark.parametrize("version", VERSIONS)
def test_a_row_whose_new_label_the_pair_has_no_room_for_says_the_pair_is_full(
    version: str, tmp_path: Path
) -> None:
    """A label made by a contacts -> deals row counts toward deals -> contacts: the last
    deals -> contacts label is refused, and its limits row says so (TOO_MANY_LABELS, the
    labels line's message), in both runs."""
    with Sandbox(seed="demo") as sb:
        room = MAX_LABELS_PER_PAIR - _own(sb, "deals", "contacts")
        rows = [("deals", "contacts", f"N{n}", "3") for n in range(1, room)]
        rows += [("contacts", "deals", "Rev", "2"), ("deals", "contacts", "Last", "3")]
        planned, done = _runs(sb, rows, tmp_path, version)
        made = {str(x) for x in sb.labels("deals", "contacts")["label"].dropna()}
    _agree(planned, done)
    assert done["status"].tolist() == ["success"] * room + ["invalid"], done
    last = done.iloc[-1]
    assert last["error_code"] == "TOO_MANY_LABELS"
    assert f"at most {MAX_LABELS_PER_PAIR} labels" in last["error_message"]
    assert planned["error_message"].iloc[-1] == last["error_message"]
    assert "Last" not in made


@pytest.mark.parametrize("seed", seeds(8))
def test_no_row_of_a_sheet_near_the_cap_is_said_not_to_exist(seed: int, tmp_path: Path) -> None:
    """Sheets of new labels both ways near the cap, some asked two limits, some repeated,
    some spelled otherwise, some existing: every row names a label that exists or that the
    sheet creates, so none is UNKNOWN_LABEL; the runs agree row by row; a label is created
    only for a row that succeeded, and every success is held by the portal."""
    rng = random.Random(seed)
    names = [f"Role {n}" for n in range(rng.randint(6, 12))] + ["Champion", "Decision maker"]
    ways = [("deals", "contacts"), ("contacts", "deals")]
    rows: list[tuple[str, str, str, str]] = []
    for _ in range(rng.randint(6, 16)):
        f, t = rng.choice(ways)
        name = rng.choice(names)
        name = rng.choice([name, name.upper(), f" {name.lower()} "])
        rows.append((f, t, name, str(rng.randint(1, 5))))
    with Sandbox(seed="demo") as sb:
        before = {str(x) for x in sb.labels("deals", "contacts")["label"].dropna()}
        planned, done = _runs(sb, rows, tmp_path)
        after = {str(x) for x in sb.labels("deals", "contacts")["label"].dropna()}
        held = sb.limits()
    _agree(planned, done)
    assert "UNKNOWN_LABEL" not in done["error_code"].tolist(), done
    assert (done["error_message"].str.contains("does not exist") == False).all()  # noqa: E712
    succeeded = {
        " ".join(lab.split()).lower()
        for lab, s in zip(done["Label"], done["status"], strict=True)
        if s == "success"
    }
    for label in after - before:
        assert label.lower() in succeeded, (label, done)
    limits = {
        (f, t, " ".join(str(lab).split()).lower()): str(m)
        for f, t, lab, m in held[["from_type", "to_type", "label", "max_to_object_ids"]].to_numpy()
    }
    for _, row in done[done["status"] == "success"].iterrows():
        key = (row["From"], row["To"], " ".join(row["Label"].split()).lower())
        assert limits.get(key) == row["Max"], (key, limits)
