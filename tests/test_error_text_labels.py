"""A label named like a spreadsheet error (``#N/A``) survives an export and a sync back.

HubSpot takes any text as a label's name.  An export wrote ``#N/A`` as text, and reading it
back took it for the error a failed VLOOKUP leaves (``FORMULA_ERROR``): export -> sync was no
longer a no-op (the row refused, its deal's removals held) and the message spoke of lookups.
Now the workbook reader tells a text cell from an error cell (``t="e"``), and a CSV file guards
such text with an apostrophe as it guards formulas; an error cell, and an unguarded error's
text in a CSV file (as Excel saves one), are still refused.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.constants import ERROR_TEXTS
from hubframe.jobs.sync import change_counts
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL = str(demo_ids("deals")[9])
CONTACTS = [str(i) for i in demo_ids("contacts")[100:102]]
NAMES = [*ERROR_TEXTS, "Err:502", "#n/a", "'#N/A"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("name", NAMES)
def test_an_export_of_an_error_named_label_syncs_back_unchanged(
    name: str, suffix: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        type_id = sb.add_label("deals", "contacts", name)
        sb.associate("deals", DEAL, "contacts", CONTACTS[0], type_id)
        sb.associate("deals", DEAL, "contacts", CONTACTS[1], None)
        before = sb.associations("deals", "contacts")
        client = client_for(sb)
        links = hf.read_associations(client, "deals", "contacts", [DEAL], progress=False)
        path = tmp_path / f"links{suffix}"
        hf.write_pairs(links, path)
        back = hf.read_pairs(path)
        assert name in back["label"].tolist()
        result = hf.sync(back, client, allow_removals=True, progress=False)
        pd.testing.assert_frame_equal(sb.associations("deals", "contacts"), before)
    assert change_counts(result) == {"add": 0, "remove": 0, "keep": 2}, result


def test_error_cells_and_unguarded_error_texts_are_still_refused(tmp_path: Path) -> None:
    """Excel saves an error cell to CSV as its bare text: still a FORMULA_ERROR."""
    csv = tmp_path / "pairs.csv"
    csv.write_text(f"Deal ID,Contact ID,Label\n{DEAL},{CONTACTS[0]},#N/A\n")
    issues = hf.validate_pairs(hf.read_pairs(csv, from_type="deals", to_type="contacts"))
    assert issues[["column", "code"]].values.tolist() == [["label", "FORMULA_ERROR"]]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_text_cell_is_a_label_and_an_error_cell_an_error_on_both_engines(engine: str) -> None:
    """openpyxl writes "#SPILL!" as text (not one of its error codes) and "#N/A" as an error
    cell: the label column reads the first as a label, the second as the error it is."""
    from workbook_features import read_with

    from hubframe.testing import xlsx_bytes

    data = xlsx_bytes([["Deal ID", "Contact ID", "Label"], [DEAL, 1, "#SPILL!"], [DEAL, 2, "#N/A"]])
    with read_with(engine):
        pairs = hf.read_pairs(data, from_type="deals", to_type="contacts")
    assert pairs["label"].tolist() == ["#SPILL!", "#N/A"]
    issues = hf.validate_pairs(pairs)
    assert issues[["row", "code"]].values.tolist() == [[3, "FORMULA_ERROR"]]
