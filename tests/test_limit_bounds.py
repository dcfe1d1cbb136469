"""The dry run says what the real run does with the limits HubSpot holds.

A limits dry run reads the portal's limits (it shows ``current_max``) yet planned rows HubSpot
then refused for them: "Budget holder, 40" beside an object limit of 25 in HubSpot was
``planned``, then ``failed`` LABEL_LIMIT_ABOVE_OBJECT_LIMIT; "object limit 1" beside HubSpot's
"Decision maker" limit of 2 the same.  The end state of each pair (HubSpot's limits with the
sheet's rows applied) is checked before sending: a row that breaks it is ``invalid`` in the dry
run and the real run alike, and is not sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_limit_order import LABELS, VERSIONS, Config, _apply, _configs, _now

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, without_schemas

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
    _agree(start, changes, planned, result, now)


# --- a custom object spelled two ways: offline validation cannot tell the rows' pair is one ----

CUSTOM = "2-7350001"
SPELLINGS = [CUSTOM, "p_installations"]
CUSTOM_LABELS = ["Site", "Zone"]


def _custom_portal(sb: Sandbox, start: Config) -> None:
    for label in CUSTOM_LABELS:
        sb.add_label("deals", CUSTOM, label)
    for label, value in start.items():
        sb.set_limit("deals", CUSTOM, value, type_id=sb.type_id("deals", CUSTOM, label or None))


def _custom_now(sb: Sandbox) -> Config:
    held = sb.limits("deals", CUSTOM)
    found = dict(zip(held["label"].fillna(""), held["max_to_object_ids"].astype(int), strict=True))
    return {label: found.get(label) for label in ("", *CUSTOM_LABELS)}


def _custom_rows(changes: dict[str, int | None], spelled: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From": ["deals"] * len(changes),
            "To": [SPELLINGS[s % 2] for s in spelled[: len(changes)]],
            "Label": list(changes),
            "Max": ["remove" if v is None else str(v) for v in changes.values()],
        }
    )


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("object_first", [True, False])
def test_an_object_limit_below_a_label_whose_row_is_refused_is_refused(
    version: str, object_first: bool
) -> None:
    """ "Site" is at 8 in HubSpot, with no object limit; the sheet sets the object limit 3 and
    Site 5 (the custom object spelled two ways).  Site 5 is above 3: refused, so Site keeps its
    8, and the object limit 3 below it was planned, then sent and refused by HubSpot.  Both
    are invalid in both runs, and nothing is sent."""
    changes: dict[str, int | None] = {"": 3, "Site": 5} if object_first else {"Site": 5, "": 3}
    spelled = [0, 1] if object_first else [1, 0]
    with Sandbox(seed="demo") as sb:
        _custom_portal(sb, {"": None, "Site": 8, "Zone": None})
        client = client_for(sb, version)
        limits = hf.read_limits(_custom_rows(changes, spelled))
        if version == "2026-09":  # no labels list says which name is which type id: the
            # schemas list does; where it fails too, the sheet is refused
            unread = without_schemas(client_for(sb, version))
            for dry_run in (True, False):
                with pytest.raises(hf.InputError, match=r"by type id .* and by name"):
                    hf.configure_limits(limits, unread, dry_run=dry_run, progress=False)
            assert _custom_now(sb) == {"": None, "Site": 8, "Zone": None}
        planned = hf.configure_limits(limits, client, dry_run=True)
        result = hf.configure_limits(limits, client, progress=False)
        after = _custom_now(sb)
    for table in (planned, result):
        assert table["status"].tolist() == ["invalid", "invalid"], table
        codes = table["error_code"].tolist()
        assert codes == ["LABEL_LIMIT_ABOVE_OBJECT_LIMIT"] * 2
        on_object = table.loc[table["label"].isna(), "error_message"].iloc[0]
        assert "the limit 8 for label 'Site' set in HubSpot" in str(on_object)
    assert after == {"": None, "Site": 8, "Zone": None}


@st.composite
def _custom_configs(draw: st.DrawFn) -> Config:
    top = draw(st.none() | st.integers(1, 40))
    most = 40 if top is None else top
    return {"": top, **{label: draw(st.none() | st.integers(1, most)) for label in CUSTOM_LABELS}}


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    start=_custom_configs(),
    changes=st.dictionaries(
        st.sampled_from(["", *CUSTOM_LABELS]),
        st.none() | st.integers(1, 60),
        min_size=1,
        max_size=3,
    ),
    spelled=st.lists(st.integers(0, 1), min_size=3, max_size=3),
)
def test_the_dry_run_predicts_every_refusal_however_the_object_is_spelled(
    version: str, start: Config, changes: dict[str, int | None], spelled: list[int]
) -> None:
    """As :func:`test_the_dry_run_predicts_every_refusal`, with a custom object named by its
    type id on some rows and by its name on others (validation cannot tell them one pair).
    Under 2026-09 (no labels list says which name is which type id) such a sheet is refused,
    by validation as by the run, and nothing changes -- unless no row to send needs the two
    told apart (removals of limits that are not there): then none refuses it."""
    with Sandbox(seed="demo") as sb:
        _custom_portal(sb, start)
        client = client_for(sb, version)
        limits = hf.read_limits(_custom_rows(changes, spelled))
        if version == "2026-09" and len(set(limits["to_type"])) > 1:
            refused = _refusal(lambda: hf.validate_limits(limits, client))
            assert refused == _refusal(lambda: hf.configure_limits(limits, client, dry_run=True))
            if refused:  # else no row needs the two told apart (nothing to remove, say)
                assert _refusal(lambda: hf.configure_limits(limits, client, progress=False))
                assert _custom_now(sb) == start
                return
        issues = hf.validate_limits(limits, client)
        planned = hf.configure_limits(limits, client, dry_run=True)
        result = hf.configure_limits(limits, client, progress=False)
        now = _custom_now(sb)
    assert _refused(issues) == _invalid(planned), (issues, planned)  # validation agrees
    _agree(start, changes, planned, result, now)


def _refusal(call: Callable[[], object]) -> bool:
    """Whether ``call`` refused a sheet naming the custom object by type id and by name."""
    try:
        call()
    except hf.InputError as refused:
        assert re.search(r"by type id .* and by name", str(refused)), refused
        return True
    return False


def _agree(
    start: Config,
    changes: dict[str, int | None],
    planned: pd.DataFrame,
    result: pd.DataFrame,
    now: Config,
) -> None:
    """The run failed nothing, did what its dry run planned, and the portal holds the start
    with the rows that succeeded, a state HubSpot accepts."""
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


def _refused(issues: pd.DataFrame) -> set[tuple[int, str]]:
    errors = issues.loc[issues["severity"] == "error"]
    return {(int(r), str(c)) for r, c in zip(errors["row"], errors["code"], strict=True)}


def _invalid(result: pd.DataFrame) -> set[tuple[int, str]]:
    rows = result.loc[result["status"] == "invalid"]
    return {(int(r), str(c)) for r, c in zip(rows["row"], rows["error_code"], strict=True)}
