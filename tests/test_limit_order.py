"""Limit changes reach HubSpot in an order each step of which HubSpot accepts.

HubSpot refuses, at each request, a label limit above the pair's object (unlabeled) limit.  A
limits run sent its batches of different actions at once, in no set order, and the rows of a
batch in sheet order: "purge the object limit, then create a label limit above the old one"
failed now and then with LABEL_LIMIT_ABOVE_OBJECT_LIMIT, and "object limit 25 -> 1" listed
before "Decision maker 2 -> 1" failed every time.  Per object pair, label limits lowered or
purged now go first, then the object limit, then label limits raised or created; a dry run
plans the same batches.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

VERSIONS = ["2026-03", "2026-09", "v4"]
LABELS = ["Decision maker", "Champion", "Budget holder"]
Config = dict[str, int | None]  # label ("" for the object limit) -> limit, None: none


@st.composite
def _configs(draw: st.DrawFn) -> Config:
    """A configuration HubSpot accepts: every label limit at most the object limit."""
    top = draw(st.none() | st.integers(1, 40))
    most = 40 if top is None else top
    config: Config = {"": top}
    for label in LABELS:
        config[label] = draw(st.none() | st.integers(1, most))
    return config


def _apply(sb: Sandbox, config: Config) -> None:
    for label, value in config.items():
        type_id = sb.type_id("deals", "contacts", label or None)
        sb.set_limit("deals", "contacts", value, type_id=type_id)


def _now(sb: Sandbox) -> Config:
    held = sb.limits("deals", "contacts")
    found = dict(zip(held["label"].fillna(""), held["max_to_object_ids"].astype(int), strict=True))
    return {label: found.get(label) for label in ("", *LABELS)}


def _sheet(start: Config, end: Config, order: list[str]) -> pd.DataFrame:
    """The rows that take ``start`` to ``end`` (and, for some limits kept, a row saying so)."""
    rows = [
        (label, "remove" if end[label] is None else str(end[label]))
        for label in order
        if start[label] != end[label] or end[label] is not None
    ]
    return pd.DataFrame(
        {
            "From": ["deals"] * len(rows),
            "To": ["contacts"] * len(rows),
            "Label": [label for label, _ in rows],
            "Max": [value for _, value in rows],
        }
    )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    start=_configs(),
    end=_configs(),
    seed=st.integers(0, 2**16),
    batch_size=st.sampled_from([1, 2, 100]),
)
def test_any_valid_change_is_applied_whole(
    version: str, start: Config, end: Config, seed: int, batch_size: int
) -> None:
    """From any valid configuration to any other, rows in any order: every row is applied."""
    order = ["", *LABELS]
    random.Random(seed).shuffle(order)
    sheet = _sheet(start, end, order)
    if sheet.empty:
        return
    with Sandbox(seed="demo") as sb:
        _apply(sb, start)
        client = client_for(sb, version)
        limits = hf.read_limits(sheet)
        planned = hf.configure_limits(limits, client, dry_run=True, batch_size=batch_size)
        result = hf.configure_limits(limits, client, batch_size=batch_size, progress=False)
        now = _now(sb)
    sent = result["status"] != "skipped"  # a removal of a limit not set: nothing to do
    assert set(result.loc[sent, "status"]) == {"success"}, result
    assert now == end
    assert planned.loc[sent, "batch"].tolist() == result.loc[sent, "batch"].tolist()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("rows", "end"),
    [
        ([("", "remove"), ("Champion", "40")], {"Decision maker": 2, "Champion": 40}),
        ([("", "50"), ("Champion", "40")], {"": 50, "Decision maker": 2, "Champion": 40}),
        ([("", "1"), ("Decision maker", "1")], {"": 1, "Decision maker": 1}),
        ([("Champion", "30"), ("", "30"), ("Decision maker", "remove")], {"": 30, "Champion": 30}),
    ],
)
def test_the_cases_found(version: str, rows: list[tuple[str, str]], end: Config) -> None:
    """The tester's sheets (deals -> contacts starts at 25, Decision maker at 2)."""
    sheet = pd.DataFrame(
        {
            "From": ["deals"] * len(rows),
            "To": ["contacts"] * len(rows),
            "Label": [r[0] for r in rows],
            "Max": [r[1] for r in rows],
        }
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, version)
        planned = hf.configure_limits(hf.read_limits(sheet), client, dry_run=True)
        result = hf.configure_limits(hf.read_limits(sheet), client, progress=False)
        now = {k: v for k, v in _now(sb).items() if v is not None}
    assert result["status"].tolist() == ["success"] * len(rows), result
    assert now == end
    assert planned["batch"].tolist() == result["batch"].tolist()
    batches = result["batch"].tolist()
    object_batch = batches[[label for label, _ in rows].index("")]
    for (label, value), batch in zip(rows, batches, strict=True):
        lowered = value == "remove" or label == "Decision maker"  # from 2: only ever lowered
        if label:  # lowered: sent before the object limit; raised or created: after it
            assert (batch < object_batch) == lowered, result
