"""An undo of a report after its label was renamed in HubSpot says so.

The report holds the label and type id the run wrote; HubSpot now lists that type id under
another name and no type by the report's label.  The undo refuses the row (it acts on type ids
and does not guess), but it said "the report was edited?" and asked to put back cells that
were never changed; it now says the label was likely renamed since the run and that an undo
from the journal (which keeps the type ids) takes it back.  A label cell edited to another
label HubSpot lists still reads as an edit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL = str(demo_ids("deals")[7])
CONTACTS = [str(c) for c in demo_ids("contacts")[20:22]]


def _pairs(label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"Deal ID": [DEAL] * 2, "Contact ID": CONTACTS, "Association label": [label] * 2}
    )


def _held(sb: Sandbox) -> set[tuple[str, int]]:
    table = sb.associations("deals", "contacts")
    table = table.loc[table["from_id"].eq(DEAL)]
    return set(zip(table["to_id"], table["type_id"].astype(int), strict=True))


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_undo_of_a_report_whose_label_was_renamed_says_so(version: str, tmp_path: Path) -> None:
    report, journal = tmp_path / "report.xlsx", tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, version)
        client.create_label("deals", "contacts", "zeta", "Zeta", "Zeta of")
        zeta = sb.type_id("deals", "contacts", "Zeta")
        before = _held(sb)
        result = hf.associate(_pairs("Zeta"), client, journal=journal, progress=False)
        assert result["status"].tolist() == ["success"] * 2, result
        hf.export_report(result, report)
        client.update_label("deals", "contacts", zeta, "Omega", "Omega of")
        undone = hf.undo(report, client, progress=False)
        assert undone["error_code"].tolist() == ["NOT_UNDOABLE"] * 2, undone
        said = str(undone["error_message"].iloc[0])
        assert "renamed in HubSpot since the run" in said and "journal" in said, said
        assert "(the report was edited?)" not in said
        hf.undo(journal, client, progress=False)
        assert _held(sb) == before


def test_a_label_cell_edited_to_another_label_still_reads_as_an_edit() -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = hf.associate(_pairs("Champion"), client, record_existing=True, progress=False)
        edited = result.copy()
        edited.attrs = result.attrs
        edited["label"] = "Decision maker"
        edited["Association label"] = "Decision maker"
        undone = hf.undo(edited, client, progress=False)
    said = " ".join(str(m) for m in undone["error_message"])
    assert "(the report was edited?)" in said, undone
    assert "renamed" not in said
