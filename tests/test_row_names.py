"""A row is named by its sheet only when the analyst's rows come from several sheets.

A sync's removal rows (sheet "(portal)") are no sheet of the analyst's: with them, a sheet
read from a DataFrame (sheet "") was taken for one of two sheets, and a message said "Repeats
row 2 of sheet  (...) ... row 2 of sheet 's status".
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.run.rows import describer
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids


@pytest.mark.parametrize(
    ("sheets", "said"),
    [
        (["", "", "(portal)"], "row 2"),
        (["Deals", "Deals", "(portal)"], "row 2"),
        (["Deals", "Other", "(portal)"], "row 2 of sheet Deals"),
        (["", "Other", "(portal)"], "row 2"),
    ],
)
def test_a_row_is_named_by_its_sheet_only_among_the_analysts_sheets(
    sheets: list[str], said: str
) -> None:
    frame = pd.DataFrame({"sheet": sheets, "row": pd.array([2, 3, pd.NA], dtype="Int64")})
    describe = describer(frame)
    assert describe(0) == said
    assert describe(2) == "row 3 of the table"


def test_the_undo_of_a_sync_names_a_repeated_row_without_an_empty_sheet() -> None:
    deal = str(demo_ids("deals")[60])
    contact, other = (str(x) for x in demo_ids("contacts")[200:202])
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        sb.associate("deals", deal, "contacts", other)  # the sync removes this one
        rows = [
            {
                "from_type": "deals",
                "from_id": deal,
                "to_type": "contacts",
                "to_id": contact,
                "label": "Champion",
            },
            {
                "from_type": "deals",
                "from_id": deal,
                "to_type": "contacts",
                "to_id": contact,
                "label": "",
            },
        ]
        synced = hf.sync(
            hf.read_pairs(pd.DataFrame(rows)), client, allow_removals=True, progress=False
        )
        undone = hf.undo(synced, client, progress=False)
        said = [str(m) for m in undone["error_message"].dropna()]
        assert any(m.startswith("Repeats row 2 (") for m in said), said
        assert not any("of sheet " in m for m in said), said
