"""The dry run says what the real run does with the limits HubSpot holds.

A limits dry run reads the portal's limits (it shows ``current_max``) yet planned rows HubSpot
then refused for them: "Budget holder, 40" beside an object limit of 25 in HubSpot was
``planned``, then ``failed`` LABEL_LIMIT_ABOVE_OBJECT_LIMIT; "object limit 1" beside HubSpot's
"Decision maker" limit of 2 the same.  The end state of each pair (HubSpot's limits with the
sheet's rows applied) is checked before sending: a row that breaks it is ``invalid`` in the dry
run and the real run alike, and is not sent.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_limit_order import LABELS, VERSIONS, Config, _apply, _configs, _now

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

KEYS = ["", *LABELS]  # "" is the object (unlabeled) limit


def _rows(changes: dict[str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From": ["deals"] * len(changes),
            "To": ["contacts"] * len(changes),
            "Label": list(changes),
            "Max": ["remove" if v is None else str(v) for v in changes.values()],
        }
    )


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"Budget holder": 40}, "higher than the limit 25"),  # HubSpot's object limit: 25
        ({"": 1}, "lower than the limit 2 for label 'Decision maker' set in HubSpot"),
    ],
)
def test_a_row_hubspot_would_refuse_is_invalid_in_both_runs(
    version: str, changes: dict[str, int | None], refused: str
) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, version)
        before = _now(sb)
        planned = hf.configure_limits(hf.read_limits(_rows(changes)), client, dry_run=True)
        result = hf.configure_limits(hf.read_limits(_rows(changes)), client, progress=False)
        after = _now(sb)
    for table in (planned, result):
        assert table["status"].tolist() == ["invalid"], table
        assert table["error_code"].tolist() == ["LABEL_LIMIT_ABOVE_OBJECT_LIMIT"]
        assert refused in str(table["error_message"].iloc[0])
    assert after == before


def _valid(config: Config) -> bool:
    top = config[""]
    return top is None or all(v is None or v <= top for k, v in config.items() if k)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    start=_configs(),
    changes=st.dictionaries(
        st.sampled_from(KEYS), st.none() | st.integers(1, 60), min_size=1, max_size=4
    ),
)
def test_the_dry_run_predicts_every_refusal(
    version: str, start: Config, changes: dict[str, int | None]
) -> None:
    """From any valid start, any rows: no row fails in the real run (what HubSpot would
    refuse is found first), each row's dry-run status is its real one, and the portal ends
    as the rows sent say."""
    with Sandbox(seed="demo") as sb:
        _apply(sb, start)
        client = client_for(sb, version)
        limits = hf.read_limits(_rows(changes))
        planned = hf.configure_limits(limits, client, dry_run=True)
        result = hf.configure_limits(limits, client, progress=False)
        now = _now(sb)
    real = result["status"].tolist()
    assert "failed" not in real, result
    dry = ["success" if s == "planned" else s for s in planned["status"].tolist()]
    assert dry == real, (planned, result)
    expected = dict(start)
    for (label, value), status in zip(changes.items(), real, strict=True):
        if status == "success":
            expected[label] = value
    assert now == expected
    assert _valid(now)
