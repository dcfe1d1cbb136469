"""Rows of a labels sheet that name one pair of labels from both directions conflict together.

A row giving an inverse label names the reverse direction's label too: contacts to deals
"Sponsored deal", inverse "Sponsor", is deals to contacts "Sponsor", inverse "Sponsored deal".
Two rows asking "Sponsor" with different inverse labels were both refused ("nothing is created
for either") while a third, written from the other direction, created one of them: the
analyst's unresolved conflict decided for one row, which said nothing was created.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

HEADER = ["From", "To", "Label", "Inverse label"]


def _user_labels(sb: Sandbox, f: str, t: str) -> set[str]:
    held = sb.labels(f, t)
    return {str(x) for x in held.loc[held["category"] == "USER_DEFINED", "label"].dropna()}


def _state(sb: Sandbox) -> tuple[set[str], set[str]]:
    return _user_labels(sb, "deals", "contacts"), _user_labels(sb, "contacts", "deals")


@pytest.mark.parametrize("order", [(0, 1, 2), (1, 0, 2), (2, 1, 0), (1, 2, 0)])
def test_a_row_from_the_other_direction_is_part_of_the_conflict(
    sandbox: Sandbox, order: tuple[int, int, int]
) -> None:
    rows = [
        ("deals", "contacts", "Sponsor", "Sponsored deal"),
        ("contacts", "deals", "Sponsored deal", "Sponsor"),
        ("deals", "contacts", "Sponsor", "Other inverse"),
    ]
    sheet = pd.DataFrame([rows[i] for i in order], columns=HEADER)
    client, before = client_for(sandbox), _state(sandbox)
    for dry_run in (True, False):
        result = hf.configure_labels(sheet, client, dry_run=dry_run)
        assert result["error_code"].tolist() == ["CONFLICTING_ROWS"] * 3, result
        assert result["status"].eq("invalid").all()
    assert _state(sandbox) == before
    reverse = result["from_type"] == "contacts"
    [message] = result.loc[reverse, "error_message"].tolist()
    assert message.startswith(
        'The label "Sponsor" (from deals to contacts: this row\'s inverse label) is given the '
        'inverse label "Sponsored deal" here and "Other inverse" in row'
    ), message


def test_rows_naming_one_pair_of_labels_alike_from_both_sides_conflict_with_none(
    sandbox: Sandbox,
) -> None:
    sheet = pd.DataFrame(
        [
            ("deals", "contacts", "Sponsor", "Sponsored deal"),
            ("contacts", "deals", "Sponsored deal", "Sponsor"),
        ],
        columns=HEADER,
    )
    result = hf.configure_labels(sheet, client_for(sandbox))
    assert not result["error_code"].eq("CONFLICTING_ROWS").any(), result
    assert "Sponsor" in _user_labels(sandbox, "deals", "contacts")
    assert "Sponsored deal" in _user_labels(sandbox, "contacts", "deals")


WORDS = ["Sponsor", "Sponsored deal", "Other", "Backer"]


@pytest.mark.parametrize("seed", seeds(25))
def test_random_sheets_create_no_label_a_refused_row_names(seed: int) -> None:
    """Random rows over four names, both directions, with or without an inverse label: no
    label the run creates is one a row refused as CONFLICTING_ROWS names (its label, or its
    inverse label in the reverse direction), and the dry run said the same statuses."""
    rng = random.Random(seed)
    rows = []
    for _ in range(rng.randint(2, 6)):
        f, t = rng.choice([("deals", "contacts"), ("contacts", "deals")])
        label = rng.choice(WORDS)
        inverse = rng.choice([w for w in WORDS if w != label])
        rows.append((f, t, label, inverse))
    sheet = pd.DataFrame(rows, columns=HEADER)
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        before = {d: _user_labels(sb, *d) for d in [("deals", "contacts"), ("contacts", "deals")]}
        dry = hf.configure_labels(sheet, client, dry_run=True)
        real = hf.configure_labels(sheet, client)
        made = {d: _user_labels(sb, *d) - before[d] for d in before}
    assert (dry["status"] == "invalid").tolist() == (real["status"] == "invalid").tolist(), (
        dry,
        real,
    )
    refused = real[real["error_code"] == "CONFLICTING_ROWS"]
    for row in refused.itertuples(index=False):
        assert row.label not in made[(row.from_type, row.to_type)], (rows, real, made)
        assert row.inverse_label not in made[(row.to_type, row.from_type)], (rows, real, made)
