"""A large sheet of rows that are not sent (bad ids, repeats) is prepared a column at a time.

The action each invalid or duplicate row would have been sent with was found a row at a time
(``frame.iloc[pos]``: 0.5 ms a row), so a sheet of 20,000 bad ids took 12 s before the first
request and one of a million, read with the wrong id column, ten minutes.  The actions named
are unchanged: ``associate`` for a row with a label or a type id, else ``associate_default``.
(Timed by hand in commit 61549c8; a unit test does not time it: here only the actions are
checked.)
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

ROWS = 3_000


def _sheet(count: int, labels: list[str], type_ids: list[str]) -> pd.DataFrame:
    """``count`` rows of bad contact ids, cycling through the label and type id cells given,
    after one good row and one repeat of it (a duplicate)."""
    deal, contact = str(demo_ids("deals")[0]), str(demo_ids("contacts")[0])
    rows = [(deal, contact, "", ""), (deal, contact, "", "")]
    rows += [
        (deal, f"x{n}", labels[n % len(labels)], type_ids[n % len(type_ids)]) for n in range(count)
    ]
    return pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label", "Type ID"])


@pytest.mark.parametrize(
    ("labels", "type_ids"),
    [
        ([""], [""]),  # no label, no type id: unlabeled
        (["Champion", "", "  "], [""]),  # labels, empty and blank cells among them
        ([""], ["3", ""]),  # type ids only
        (["Champion", ""], ["", "4", ""]),  # both, interleaved
    ],
)
def test_a_large_sheet_of_bad_rows_names_each_rows_action(
    sandbox: Sandbox, labels: list[str], type_ids: list[str]
) -> None:
    sheet = _sheet(ROWS, labels, type_ids)
    with HubSpotClient(sandbox.token, sandbox.url) as client:
        result = hf.associate(sheet, client, dry_run=True, preflight=False)
    bad = result.iloc[2:]
    assert (bad["status"].astype(str) == "invalid").all()
    label = sheet["Association label"].iloc[2:].str.strip() != ""
    typed = (label | (sheet["Type ID"].iloc[2:] != "")).to_numpy()
    expected = ["associate" if t else "associate_default" for t in typed]
    assert bad["action"].astype(str).tolist() == expected
    assert result["status"].astype(str).iloc[1] == "duplicate"
    assert result["action"].astype(str).iloc[1] == "associate_default"
