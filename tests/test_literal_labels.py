"""A label that starts with "=" as text is a label, not a formula.

hubframe writes text as text: an inline string cell in a workbook, a guarded cell ("'=SUM(A1)")
in a CSV file.  Read back, such a label was refused as a formula without its value
(FORMULA_ERROR), so an export of a portal with a label named "=SUM(A1)", synced back
unchanged, refused those rows and held the removals of their records (found by the export,
edit and sync round-trip campaign: 10 of its first 41 seeds).  A text cell now reads as the
label; a formula cell without a value, a formula merged down, and a CSV cell holding a
formula's text unguarded are refused as before.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, xlsx_bytes

pytestmark = pytest.mark.profiles

LABELS = ["=SUM(A1)", "Champion", "= spaced", "=x"]


def _codes(pairs: pd.DataFrame) -> list[tuple[int, str]]:
    issues = hf.validate_pairs(pairs)
    return list(zip(issues["row"], issues["code"], strict=True))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_labels_hubframe_wrote_as_text_read_back_as_labels(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {
            "from_type": ["deals"] * 4,
            "from_id": ["11", "12", "13", "14"],
            "to_type": ["contacts"] * 4,
            "to_id": ["21", "22", "23", "24"],
            "label": LABELS,
        }
    )
    back = hf.read_pairs(hf.write_pairs(frame, tmp_path / f"pairs{suffix}"))
    assert back["label"].tolist() == LABELS
    assert _codes(back) == []


def test_formulas_are_refused_as_before() -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Label"])
    ws.append(["11", "21", "=VLOOKUP(A2,X!A:B,2,0)"])  # openpyxl writes a formula, no value
    ws.append(["12", "22", None])
    ws.append(["13", "23", "Champion"])
    ws.merge_cells("C2:C3")  # the formula merged down: its rows are refused, both
    out = io.BytesIO()
    book.save(out)
    assert _codes(hf.read_pairs(out.getvalue())) == [(2, "FORMULA_ERROR"), (3, "FORMULA_ERROR")]
    unguarded = hf.read_pairs(b"Deal ID,Contact ID,Label\n11,21,=SUM(A1)\n")
    assert _codes(unguarded) == [(2, "FORMULA_ERROR")]
    data = xlsx_bytes([["Deal ID", "Contact ID", "Label"], ["11", "21", "#N/A"]])
    assert _codes(hf.read_pairs(data)) == [(2, "FORMULA_ERROR")]  # error values too


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_export_with_such_a_label_syncs_back_unchanged(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    sandbox.add_records("deals", ["7500000001"])
    sandbox.add_records("contacts", ["8500000001", "8500000002"])
    odd = sandbox.add_label("deals", "contacts", "=SUM(A1)")
    sandbox.associate("deals", "7500000001", "contacts", "8500000001", type_id=odd)
    sandbox.associate("deals", "7500000001", "contacts", "8500000002")
    client = client_for(sandbox)
    links = hf.read_associations(client, "deals", "contacts", ids=["7500000001"], progress=False)
    path = hf.write_pairs(links, tmp_path / f"links{suffix}")
    before = sandbox.associations("deals", "contacts")
    result = hf.sync(path, client, allow_removals=True, progress=False)
    assert set(result["change"]) == {"keep"}, result[["label", "error_code"]].values.tolist()
    pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), before)


def test_a_text_label_merged_down_is_a_label_in_every_row_it_covers() -> None:
    """Before, only the merge's first row read "=SUM(A1)" as the label: the rows it covers
    were refused as formulas.  A covered cell is what the merge's first cell is, whatever it
    holds (here a formula without a value, kept unseen under the merge)."""
    from openpyxl import Workbook
    from workbook_features import with_merges

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Label"])
    ws.append(["11", "21", "=SUM(A1)"])
    ws.append(["12", "22", "=VLOOKUP(A3,X!A:B,2,0)"])  # covered: not shown
    ws.append(["13", "23", None])
    ws["C2"].data_type = "s"  # text, as hubframe writes it
    out = io.BytesIO()
    book.save(out)
    pairs = hf.read_pairs(with_merges(out.getvalue(), ["C2:C4"]))
    assert pairs["label"].tolist() == ["=SUM(A1)"] * 3
    assert _codes(pairs) == []
