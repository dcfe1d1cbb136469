"""A labels sheet's row that asks something without a label has a result row, refused.

A row giving an inverse label, an internal name or a type id but an empty label cell was
dropped by the reader: no result row, nothing said (the analyst's "Protege" inverse vanished).
Now it is ``invalid MISSING_VALUE`` naming what it gives, and nothing is created or renamed; a
row naming only the object types asks nothing and is left out, as a blank row is.
"""

from __future__ import annotations

import io

import pandas as pd
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

HEADER = "From type,To type,Label,Inverse label,Internal name,Type ID\n"
FILLS = {  # what a row without a label may give, cell by cell
    "inverse": ",Protege,,",
    "name": ",,protege_x,",
    "type id": ",,,1001",
    "inverse and name": ",Protege,protege_x,",
    "types only": ",,,",
}


def _labels(sb: Sandbox) -> set[str]:
    both = (sb.labels("deals", "contacts"), sb.labels("contacts", "deals"))
    return {str(label) for listed in both for label in listed["label"].dropna()}


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fills=st.lists(st.sampled_from(sorted(FILLS)), min_size=1, max_size=4),
    dry_run=st.booleans(),
    frame=st.booleans(),
)
def test_a_row_without_a_label_is_refused_never_dropped(
    fills: list[str], dry_run: bool, frame: bool
) -> None:
    lines = ["deals,contacts,Mentor,Mentee,,"] + [f"deals,contacts,{FILLS[f]}" for f in fills]
    data = (HEADER + "\n".join(lines) + "\n").encode()
    source: object = pd.read_csv(io.BytesIO(data), dtype=str) if frame else io.BytesIO(data)
    with Sandbox(seed="demo") as sb:
        before = _labels(sb)
        result = hf.configure_labels(source, client_for(sb), dry_run=dry_run)
        after = _labels(sb)
    asking = [n for n, f in enumerate(fills) if f != "types only"]
    rows = result["row"].astype(int).tolist()
    assert rows == [2] + [n + 3 for n in asking], result  # one row each, types-only left out
    for n, got in zip(asking, result.iloc[1:].to_dict("records"), strict=True):
        assert got["status"] == "invalid" and got["error_code"] == "MISSING_VALUE", got
        assert "The label cell is empty" in got["error_message"]
        if "inverse" in fills[n]:
            assert "'Protege'" in got["error_message"]
    made = after - before
    assert made == (set() if dry_run else {"Mentor", "Mentee"})
