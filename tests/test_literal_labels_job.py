"""configure_labels reads a label cell as the pairs jobs read it.

A label or inverse label that starts with "=" or reads as a spreadsheet error (``#N/A``),
held as text -- a workbook's text cell, a CSV cell guarded with "'" as write_pairs and
export_retry write it, a DataFrame's "=..." cell -- is a label to read_pairs, associate and sync
(docs/columns.md; tests/test_literal_labels.py).  configure_labels refused every such cell as
FORMULA_ERROR ("the label this row should have is unknown"), so a portal's label named
"=SUM(A1)" could be used by the pairs jobs and never created by the labels job.  A formula
cell without a value, an error cell and a bare CSV formula or error are refused as before,
and so is a DataFrame's error text (what pandas reads of a failed lookup:
tests/test_frame_formula_texts.py).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import pandas as pd
import pytest
from openpyxl import Workbook

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

pytestmark = pytest.mark.profiles

#: Texts a spreadsheet takes for a formula or an error, each a label's name when held as text.
TEXTS = ["=SUM(A1)", "=B2", "#N/A", "#REF!"]
Cell = Literal["text", "formula"]  # how the file holds the cell


def _xlsx(rows: list[list[str]], cell: Cell) -> bytes:
    """A workbook of ``rows``: its third and fourth columns' cells below the header as text
    cells, or as the formula (no value) or error cell their text reads as."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows(min_row=2, min_col=3):
        for c in line:
            if c.value is not None:
                kind = "s" if cell == "text" else "f" if str(c.value).startswith("=") else "e"
                c.data_type = kind
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[str]], cell: Cell) -> bytes:
    """The same as CSV: text guarded with "'" (hubframe's guard), a formula or error bare."""
    guard = "'" if cell == "text" else ""
    lines = [",".join(rows[0])]
    lines += [",".join([*r[:2], *(guard + v for v in r[2:])]) for r in rows[1:]]
    return ("\n".join(lines) + "\n").encode()


def _source(rows: list[list[str]], cell: Cell, suffix: str, tmp_path: Path) -> object:
    if suffix == "frame":
        return pd.DataFrame(rows[1:], columns=rows[0])
    path = tmp_path / f"in{suffix}"
    path.write_bytes(_xlsx(rows, cell) if suffix == ".xlsx" else _csv(rows, cell))
    return path


def _run(sandbox: Sandbox, source: object) -> pd.DataFrame:
    return hf.configure_labels(source, client_for(sandbox))


def _made(suffix: str, text: str) -> bool:
    """Whether the label ``text`` held as text is created: a DataFrame's error text is not."""
    return suffix != "frame" or text.startswith("=")


def _labels_sheet(label: str, inverse: str | None) -> list[list[str]]:
    if inverse is None:
        return [["From", "To", "Label"], ["deals", "contacts", label]]
    return [["From", "To", "Label", "Inverse label"], ["deals", "contacts", label, inverse]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", "frame"])
@pytest.mark.parametrize("label", TEXTS)
def test_a_text_label_that_reads_as_a_formula_is_created(
    sandbox: Sandbox, tmp_path: Path, suffix: str, label: str
) -> None:
    source = _source(_labels_sheet(label, None), "text", suffix, tmp_path)
    result = _run(sandbox, source)
    made = _made(suffix, label)
    assert result["label"].tolist() == [label]
    assert result["status"].tolist() == ["success" if made else "invalid"]
    assert result["error_code"].fillna("").tolist() == ["" if made else "FORMULA_ERROR"]
    assert (label in set(sandbox.labels("deals", "contacts").label.dropna())) == made


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", "frame"])
@pytest.mark.parametrize("inverse", TEXTS)
def test_a_text_inverse_label_that_reads_as_a_formula_is_created(
    sandbox: Sandbox, tmp_path: Path, suffix: str, inverse: str
) -> None:
    source = _source(_labels_sheet("Coach", inverse), "text", suffix, tmp_path)
    result = _run(sandbox, source)
    made = _made(suffix, inverse)
    assert result["status"].tolist() == ["success" if made else "invalid"]
    assert (inverse in set(sandbox.labels("contacts", "deals").label.dropna())) == made


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("label", TEXTS)
def test_a_pairs_sheets_text_label_is_created(
    sandbox: Sandbox, tmp_path: Path, suffix: str, label: str
) -> None:
    rows = [["Deal ID", "Contact ID", "Label"], ["11", "21", label]]
    result = _run(sandbox, _source(rows, "text", suffix, tmp_path))
    assert result[["label", "status"]].values.tolist() == [[label, "success"]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("label", TEXTS)
@pytest.mark.parametrize("inverse", [False, True])
def test_formula_and_error_cells_are_refused_as_before(
    sandbox: Sandbox, tmp_path: Path, suffix: str, label: str, inverse: bool
) -> None:
    sheet = _labels_sheet("Coach", label) if inverse else _labels_sheet(label, None)
    result = _run(sandbox, _source(sheet, "formula", suffix, tmp_path))
    assert result[["status", "error_code"]].values.tolist() == [["invalid", "FORMULA_ERROR"]]
    held = set(sandbox.labels("deals", "contacts").label.dropna())
    held |= set(sandbox.labels("contacts", "deals").label.dropna())
    assert label not in held and "Coach" not in held


@pytest.mark.parametrize("label", TEXTS)
def test_a_pairs_sheets_formula_label_is_refused_as_before(
    sandbox: Sandbox, tmp_path: Path, label: str
) -> None:
    rows = [["Deal ID", "Contact ID", "Label"], ["11", "21", label]]
    for suffix in (".xlsx", ".csv"):
        result = _run(sandbox, _source(rows, "formula", suffix, tmp_path))
        assert result["error_code"].tolist() == ["FORMULA_ERROR"]
