"""CSV cells written ="text" (exports that keep ids as text for Excel) read as the text."""

from __future__ import annotations

import io

import pandas as pd

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for


def test_text_formulas_of_a_csv_read_as_the_text_they_show() -> None:
    """Before: every such row was refused as a formula never computed (FORMULA_ERROR)."""
    csv = (
        "Deal ID,Contact ID,Label\n"
        '="2040000001",="1019360001",="Champion"\n'
        '="2040000002",=A1+1,\n'  # a formula that computes: refused as before
    )
    pairs = hf.read_pairs(io.BytesIO(csv.encode()))
    assert pairs["from_id"].tolist() == ["2040000001", "2040000002"]
    assert pairs["label"].tolist()[0] == "Champion"
    issues = hf.validate_pairs(pairs)
    assert issues[["row", "column", "code"]].values.tolist() == [[3, "to_id", "FORMULA_ERROR"]]


def test_hubframes_own_guarded_text_reads_back_unchanged(tmp_path: object) -> None:
    """A label that is literally ="x" is written guarded ('="x") and reads back as written."""
    frame = pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["2"], "Label": ['="x"']})
    path = hf.write_pairs(frame, f"{tmp_path}/pairs.csv")
    assert hf.read_pairs(path)["Label"].tolist() == ['="x"']


def test_a_text_formula_export_associates(sandbox: Sandbox) -> None:
    sandbox.add_records("deals", ["7400000001"])
    sandbox.add_records("contacts", ["8400000001"])
    csv = 'Deal ID,Contact ID\n="7400000001",="8400000001"\n'
    result = hf.associate(hf.read_pairs(csv.encode()), client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["success"]
