"""A label created from a cell HubSpot holds spelled otherwise says so in its row.

The result's ``label`` column shows the cell ("Tech  buyer", "new\\nline", "Spon\\u00adsor"),
while the label is created as its visible text ("Tech buyer", "new line", "Sponsor"): with no
word in the row, the name HubSpot holds was nowhere in the result or the report.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.run.labels import visible_label
from hubframe.testing import client_for

WORDS = ["Tech", "buyer", "Board", "sponsor", "Café", "Einkäufer", "Key", "user"]
GAPS = [" ", "  ", "\n", "\t", "\u00a0", " \u200b", "\u00ad"]


def _cell(rng: random.Random) -> str:
    words = [*rng.sample(WORDS, rng.randint(1, 3)), str(rng.randrange(10**6))]
    out = words[0]
    for word in words[1:]:
        out += (rng.choice(GAPS) if rng.random() < 0.5 else " ") + word
    return out


@pytest.mark.parametrize("seed", seeds(6))
def test_each_label_created_is_said_as_hubspot_holds_it(sandbox_factory: Any, seed: int) -> None:
    rng = random.Random(seed)
    cells = [_cell(rng) for _ in range(6)]
    inverses = [_cell(rng) if rng.random() < 0.5 else None for _ in cells]
    sheet = pd.DataFrame(
        {"From": "deals", "To": "contacts", "Label": cells, "Inverse label": inverses}
    )
    sb = sandbox_factory(seed="demo")
    result = hf.configure_labels(sheet, client_for(sb))
    held = set(sb.labels("deals", "contacts")["label"].dropna())
    back = set(sb.labels("contacts", "deals")["label"].dropna())
    for row, cell, inverse in zip(result.itertuples(), cells, inverses, strict=True):
        assert row.status == "success", row
        assert visible_label(cell) in held
        said = "" if pd.isna(row.error_message) else str(row.error_message)
        for shown, kept in ((cell, held), (inverse, back)):
            if shown is None:
                continue
            assert visible_label(shown) in kept
            named = f'"{visible_label(shown)}"' in said
            assert named == (visible_label(shown) != shown), (shown, said)


def test_a_label_written_as_hubspot_holds_it_has_no_note(sandbox_factory: Any) -> None:
    sheet = pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Label": ["Board sponsor"]})
    result = hf.configure_labels(sheet, client_for(sandbox_factory(seed="demo")))
    assert result["status"].tolist() == ["success"] and result["error_message"].isna().all()
