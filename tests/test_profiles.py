"""The engine gives the same answer under every sandbox behaviour, switch by switch.

The engine's end-to-end modules run under the default and the hostile profile (every switch at
its least convenient value at once, see tests/conftest.py).  Here each switch is turned on
alone, and under the "observed" preset, for core scenarios: a mixed association sheet (every
kind of refusal), limits (create, update, a label above the portal's object limit) and undo.
For each, every row's status and error code must equal the default profile's, and the portal
must hold exactly what was reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.sandbox.behaviour import PRESETS, Behaviour
from hubframe.testing import client_for, demo_ids, pairs_sheet

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]


def _switches() -> list[tuple[str, dict[str, Any]]]:
    """Each switch alone at its hostile value, then the "observed" preset."""
    hostile, default = PRESETS["hostile"].as_dict(), Behaviour().as_dict()
    cases = [(name, {name: value}) for name, value in hostile.items() if value != default[name]]
    cases.append(("observed", {"preset": "observed"}))
    return cases


SWITCHES = _switches()
Scenario = Callable[[Sandbox], pd.DataFrame]


def _outcomes(result: pd.DataFrame) -> list[tuple[str, str]]:
    codes = result["error_code"].astype("string").fillna("")
    return list(zip(result["status"].astype(str), codes, strict=True))


def _links(sb: Sandbox) -> set[tuple[str, str, str | None]]:
    """deal -> contact links by label name (type ids differ between profiles)."""
    names = {sb.type_id("deals", "contacts", label): label for label in _labels(sb)}
    frame = sb.associations("deals", "contacts")
    return {
        (str(f), str(t), names.get(int(i), str(i)))
        for f, t, i in zip(frame["from_id"], frame["to_id"], frame["type_id"], strict=True)
    }


def _labels(sb: Sandbox) -> list[str | None]:
    return [None, "Decision maker", "Champion", "Budget holder"]


def mixed_pairs(sb: Sandbox) -> pd.DataFrame:
    rows = [
        (DEALS[20], CONTACTS[120], "Champion"),  # fine
        (DEALS[20], "1019369999", "Champion"),  # no such contact
        (DEALS[0], CONTACTS[121], "Decision maker"),  # deal 0 is at its limit of 2
        (DEALS[21], CONTACTS[122], ""),  # fine, unlabeled
        ("2049999999", CONTACTS[123], "Champion"),  # no such deal
        (DEALS[21], CONTACTS[124], "No such label"),  # invalid before sending
        (DEALS[22], CONTACTS[125], "Decision maker"),  # fine
    ]
    return hf.associate(pairs_sheet(rows), client_for(sb), progress=False, record_existing=True)


def limits(sb: Sandbox) -> pd.DataFrame:
    sheet = pd.DataFrame(
        {
            "from_type": ["deals"] * 3,
            "to_type": ["contacts"] * 3,
            "label": ["Champion", "Decision maker", "Budget holder"],
            "max": ["4", "3", "50"],  # 50: above the portal's object limit of 25
        }
    )
    return hf.configure_limits(sheet, client_for(sb), progress=False)


def undo_of_a_run(sb: Sandbox) -> pd.DataFrame:
    run = mixed_pairs(sb)
    return hf.undo(run, client_for(sb), progress=False)


SCENARIOS: dict[str, Scenario] = {
    "mixed_pairs": mixed_pairs,
    "limits": limits,
    "undo": undo_of_a_run,
}


def _run(scenario: Scenario, behaviour: Any) -> tuple[list[tuple[str, str]], Any, Any]:
    with Sandbox(seed="demo", behaviour=behaviour) as sb:
        result = scenario(sb)
        limits_now = sorted(
            (label, int(v))
            for label, v in zip(
                sb.limits("deals", "contacts")["label"].astype("string").fillna(""),
                sb.limits("deals", "contacts")["max_to_object_ids"],
                strict=True,
            )
        )
        return _outcomes(result), _links(sb), limits_now


_BASELINES: dict[str, tuple[list[tuple[str, str]], Any, Any]] = {}


def _baseline(name: str) -> tuple[list[tuple[str, str]], Any, Any]:
    if name not in _BASELINES:
        _BASELINES[name] = _run(SCENARIOS[name], "default")
    return _BASELINES[name]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize(("switch", "behaviour"), SWITCHES, ids=[s for s, _ in SWITCHES])
def test_each_switch_gives_the_same_rows_and_portal(
    scenario: str, switch: str, behaviour: dict[str, Any]
) -> None:
    outcomes, links, limits_now = _run(SCENARIOS[scenario], behaviour)
    expected = _baseline(scenario)
    assert outcomes == expected[0]
    assert links == expected[1]
    assert limits_now == expected[2]


def test_the_baselines_say_what_the_scenarios_mean() -> None:
    """The default answers themselves (so the comparisons above compare something)."""
    pairs, _, _ = _baseline("mixed_pairs")
    assert pairs == [
        ("success", ""),
        ("failed", "OBJECT_NOT_FOUND"),
        ("failed", "LIMIT_EXCEEDED"),
        ("success", ""),
        ("failed", "OBJECT_NOT_FOUND"),
        ("invalid", "UNKNOWN_LABEL"),
        ("success", ""),
    ]
    limit_rows, _, _ = _baseline("limits")
    assert [s for s, _ in limit_rows] == ["success", "success", "invalid"]  # found before
    assert limit_rows[2][1] == "LABEL_LIMIT_ABOVE_OBJECT_LIMIT"
    undone, links, _ = _baseline("undo")
    assert [s for s, _ in undone].count("success") == 3  # the three links the run made
    assert not {(DEALS[20], CONTACTS[120]), (DEALS[21], CONTACTS[122])} & {
        (f, t) for f, t, _ in links
    }
