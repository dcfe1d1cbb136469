"""A check with a client says what a run would say of a value HubSpot refused to look up.

HubSpot's objects batch read by a unique property (an email, a domain) may answer a value with
an item error that is not ``OBJECT_NOT_FOUND`` (its spec's ``StandardError`` of any category: a
malformed value, an internal error).  A run fails such a row quoting HubSpot ("HubSpot refused
to look up the contact ..."); the check (``validate_pairs(frame, client)``) said the record
"does not exist in HubSpot", ``OBJECT_NOT_FOUND``, of a contact that exists, and told the
analyst to fix or delete a good row.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from tests.faultproxy import FaultProxy

Factory = Callable[..., Sandbox]
EMAILS = [f"person{i}@example.com" for i in range(12)]
CONTACTS = [str(1019360001 + i) for i in range(12)]
COMPANIES = [str(3150000001 + i) for i in range(12)]


def _refusing(refused: set[str], category: str) -> Callable[[Any, Any], Any]:
    """An answer of HubSpot's read by email giving each value of ``refused`` an item error of
    ``category`` in place of its record."""

    def on_read(request: Any, answer: Any) -> Any:
        if "idProperty" not in request:
            return None
        kept = [r for r in answer.get("results", []) if r["properties"].get("email") not in refused]
        asked = {str(i.get("id")) for i in request.get("inputs", [])}
        errors = [
            {
                "status": "error",
                "category": category,
                "message": f"Could not read {value}; try again",
                "context": {"ids": [value]},
            }
            for value in sorted(refused & asked)
        ]
        if errors:
            answer["results"] = kept
            answer["errors"] = [*(answer.get("errors") or []), *errors]
            answer["numErrors"] = len(answer["errors"])
        return answer

    return on_read


def _codes(issues: pd.DataFrame) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for row, code in zip(issues["row"], issues["code"].astype(str), strict=True):
        out.setdefault(int(row), set()).add(code)
    return out


def _check_and_run(
    sb: Sandbox, sheet: pd.DataFrame, refused: set[str], category: str
) -> tuple[dict[int, set[str]], pd.DataFrame]:
    with FaultProxy(sb, on_read=_refusing(refused, category)) as fp:
        client = hf.HubSpotClient(
            token=sb.token, base_url=fp.url, backoff_base=0.01, backoff_cap=0.05, max_retries=1
        )
        issues = hf.validate_pairs(hf.read_pairs(sheet), client)
        result = hf.associate(sheet, client, progress=False)
    return _codes(issues), result


@pytest.mark.parametrize("category", ["INTERNAL_ERROR", "VALIDATION_ERROR"])
def test_a_refused_lookup_is_no_missing_record(sandbox_factory: Factory, category: str) -> None:
    sb = sandbox_factory(seed=None, rate_limit=(1000, 1.0))
    sb.add_records("contacts", CONTACTS[:2], [{"email": e} for e in EMAILS[:2]])
    sb.add_records("companies", COMPANIES[:2])
    sheet = pd.DataFrame({"Contact email": EMAILS[:2], "Company ID": COMPANIES[:2]})
    codes, result = _check_and_run(sb, sheet, {EMAILS[1]}, category)
    run_code = str(result["error_code"].iloc[1])
    assert result["status"].iloc[1] == "failed" and run_code != "OBJECT_NOT_FOUND"
    assert codes.get(3) == {run_code}, codes  # the sheet's row 3: the second pair
    assert 2 not in codes


@pytest.mark.parametrize("seed", seeds(4))
def test_the_check_and_the_run_agree_on_every_looked_up_value(
    sandbox_factory: Factory, seed: int
) -> None:
    """Seeded: emails of contacts that exist, that do not, and that HubSpot refuses to look
    up, in any order: the check's code of each row is the run's, and only a value no record
    holds is OBJECT_NOT_FOUND."""
    rng = random.Random(seed)
    n = rng.randint(3, 12)
    present = sorted(rng.sample(range(n), rng.randint(1, n)))
    refused = {EMAILS[i] for i in present if rng.random() < 0.4}
    sb = sandbox_factory(seed=None, rate_limit=(1000, 1.0))
    sb.add_records(
        "contacts", [CONTACTS[i] for i in present], [{"email": EMAILS[i]} for i in present]
    )
    sb.add_records("companies", COMPANIES[:n])
    order = rng.sample(range(n), n)
    sheet = pd.DataFrame(
        {"Contact email": [EMAILS[i] for i in order], "Company ID": [COMPANIES[i] for i in order]}
    )
    codes, result = _check_and_run(sb, sheet, refused, rng.choice(["INTERNAL_ERROR", "BAD"]))
    for pos, i in enumerate(order):
        row = pos + 2
        run = str(result["error_code"].iloc[pos]) if result["status"].iloc[pos] != "success" else ""
        where = (seed, EMAILS[i], codes.get(row), run)
        if i not in present:
            assert codes.get(row) == {"OBJECT_NOT_FOUND"} and run == "OBJECT_NOT_FOUND", where
        elif EMAILS[i] in refused:
            assert codes.get(row) == {run} and run not in ("", "OBJECT_NOT_FOUND"), where
        else:
            assert row not in codes and run == "", where
