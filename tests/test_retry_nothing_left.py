"""A retry file of a run with nothing left to do reads back as nothing to do.

Before: from a workbook of several sheets read together (``sheet="*"``) whose sheets name
their columns differently (``Label | Max`` on one, ``Association label | Limit`` on the next),
``export_retry`` of a run whose rows all succeeded wrote one "Retry" sheet holding every
sheet's headers side by side, which hubframe's own read refused ("several columns could hold
the association label"): a notebook or a scheduled job that always runs the retry file got an
error instead of nothing to do.  Now each sheet's header is written alone (``.xlsx``; a
``.csv`` takes the first sheet's), and the file reads back as no rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.report import export_retry
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, workbook_bytes

D, C, CO = demo_ids("deals"), demo_ids("contacts"), demo_ids("companies")

LIMITS: dict[str, dict[str, list[list[Any]]]] = {
    "one sheet": {
        "A": [["From", "To", "Label", "Max"], ["deals", "contacts", "Decision maker", 3]]
    },
    "same headers": {
        "A": [["From", "To", "Label", "Max"], ["deals", "contacts", "Decision maker", 3]],
        "B": [["From", "To", "Label", "Max"], ["companies", "contacts", "Employer", 7]],
    },
    "other headers": {
        "A": [["From", "To", "Label", "Max"], ["deals", "contacts", "Decision maker", 3]],
        "C": [
            ["From object", "To object", "Association label", "Limit"],
            ["companies", "contacts", "Employer", 7],
        ],
    },
}
PAIRS: dict[str, dict[str, list[list[Any]]]] = {
    "one sheet": {"A": [["Deal ID", "Contact ID", "Label"], [D[5], C[9], ""]]},
    "same headers": {
        "A": [["Deal ID", "Contact ID", "Label"], [D[5], C[9], ""]],
        "B": [["Deal ID", "Contact ID", "Label"], [D[6], C[8], "Champion"]],
    },
    "other headers": {
        "A": [["Deal ID", "Contact ID", "Association label"], [D[5], C[9], ""]],
        "B": [["Deal Record ID", "Contact Record ID", "Label"], [D[6], C[8], "Champion"]],
    },
    "other directions": {
        "A": [["Deal ID", "Contact ID"], [D[5], C[9]]],
        "B": [["Contact ID", "Company ID"], [C[9], CO[3]]],
    },
}
CASES = [("limits", name) for name in LIMITS] + [("pairs", name) for name in PAIRS]


def _run(kind: str, sheets: dict[str, list[list[Any]]], path: Path) -> pd.DataFrame:
    path.write_bytes(workbook_bytes(sheets))
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        if kind == "limits":
            result = hf.configure_limits(hf.read_limits(path, sheet="*"), client, progress=False)
        else:
            result = hf.associate(hf.read_pairs(path, sheet="*"), client, progress=False)
    assert set(result["sheet"]) == set(sheets)  # every sheet read
    return result


@pytest.mark.filterwarnings("ignore::hubframe.errors.HubframeWarning")
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize(("kind", "case"), CASES)
def test_nothing_left_reads_back_as_nothing(
    kind: str, case: str, suffix: str, tmp_path: Path
) -> None:
    sheets = (LIMITS if kind == "limits" else PAIRS)[case]
    result = _run(kind, sheets, tmp_path / "book.xlsx")
    assert result["status"].eq("success").all(), result[["status", "error_message"]]
    written = export_retry(result, tmp_path / f"retry{suffix}")
    read = hf.read_limits if kind == "limits" else hf.read_pairs
    back = read(written, **({"sheet": "*"} if suffix == ".xlsx" else {}))
    assert len(back) == 0
    if suffix == ".xlsx" and len(sheets) > 1:
        book = openpyxl.load_workbook(written)
        headers = {ws.title: [c.value for c in next(ws.iter_rows())] for ws in book}
        assert headers == {name: rows[0] for name, rows in sheets.items()}


@pytest.mark.filterwarnings("ignore::hubframe.errors.HubframeWarning")
def test_a_sheet_with_rows_left_is_written_alone_as_before(tmp_path: Path) -> None:
    """Rows left on one sheet: its sheet only (a sheet with nothing to do is not written)."""
    sheets = dict(PAIRS["other headers"])
    sheets["B"] = [sheets["B"][0], [D[6], "404", "Champion"]]  # an id no contact has
    result = _run("pairs", sheets, tmp_path / "book.xlsx")
    assert result["status"].tolist()[0] == "success"
    written = export_retry(result, tmp_path / "retry.xlsx")
    assert [ws.title for ws in openpyxl.load_workbook(written)] == ["B"]
    assert len(hf.read_pairs(written, sheet="*")) == 1
