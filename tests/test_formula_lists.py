"""A formula never computed whose text holds ';' is one cell, not a list of ids."""

from __future__ import annotations

import io

import openpyxl
import pytest

import hubframe as hf


@pytest.mark.parametrize("source", ["csv", "xlsx"])
@pytest.mark.parametrize("side", [0, 1])
def test_a_formula_whose_text_holds_semicolons_is_one_cell_not_a_list(
    source: str, side: int
) -> None:
    """A formula never computed, written with a European Excel's ';' between its arguments,
    was split as a list of ids: "=VLOOKUP(A2" refused, and "2" (and "1" of "=IF(A2;1;2)")
    read as a record id the analyst never named, its row sent.  It is one cell, refused as a
    formula; a list beside it in another row still splits."""
    formula = "=VLOOKUP(A2;L!A:B;2;0)" if side else "=IF(A2;1;2)"
    first = ["2040000001", formula] if side else [formula, "1019360001"]
    if source == "csv":
        data = f'Deal ID,Contact ID\n"{first[0]}","{first[1]}"\n2040000002,1;2\n'.encode()
    else:
        book = openpyxl.Workbook()
        ws = book.active
        assert ws is not None
        ws.append(["Deal ID", "Contact ID"])
        ws.append(first)
        ws.append(["2040000002", "1;2"])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    pairs = hf.read_pairs(io.BytesIO(data))
    assert pairs[["from_id", "to_id"]].values.tolist() == [
        first,
        ["2040000002", "1"],
        ["2040000002", "2"],
    ]
    issues = hf.validate_pairs(pairs)
    assert issues[["row", "code"]].values.tolist() == [[2, "FORMULA_ERROR"]]
