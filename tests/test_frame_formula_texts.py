"""A DataFrame's text cell is a value: a label named ``=SUM(A1)`` or ``#N/A`` is a label.

docs/sync.md's Python flow -- ``links = hf.read_associations(...)``, edit, ``hf.sync(links)`` --
refused every row whose portal label starts with "=" or reads like ``#N/A`` as FORMULA_ERROR ("a
formula whose value was never computed ... Open the file in Excel or LibreOffice, save it"):
there was no file, and the removal the analyst asked for was held.  A frame holds no formula
waiting for its value and no error cell, so its label cells are labels, as a workbook's text
cells are (an error's text pandas read from a workbook names no label: refused as unknown,
never sent unlabeled).  In the columns of ids, types, type ids and limits such text is still no
value (FORMULA_ERROR), and the message speaks of the DataFrame, never of a file; files are read
as before.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.jobs.sync import change_counts
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, xlsx_bytes

NAMES = ["=SUM(A1)", "#N/A", " #ref! ", "Err:502", "= spaced"]
FILE_WORDS = ("Open the file", "save", "workbook")


@pytest.mark.parametrize("name", NAMES)
def test_a_frame_of_the_portals_links_syncs_back(
    sandbox_factory: Callable[..., Sandbox], name: str
) -> None:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", ["7500000001"])
    sb.add_records("contacts", ["8500000001", "8500000002"])
    odd = sb.add_label("deals", "contacts", name.strip())
    sb.associate("deals", "7500000001", "contacts", "8500000001", type_id=odd)
    sb.associate("deals", "7500000001", "contacts", "8500000002")
    client = client_for(sb)
    links = hf.read_associations(client, "deals", "contacts", ["7500000001"], progress=False)
    assert name.strip() in links["label"].tolist()
    assert hf.validate_pairs(links).empty
    edited = links[links["to_id"] != "8500000002"]  # the analyst drops one link
    result = hf.sync(edited, client, allow_removals=True, progress=False)
    assert change_counts(result) == {"add": 0, "remove": 1, "keep": 1}, result
    assert set(sb.associations("deals", "contacts")["to_id"]) == {"8500000001"}


def test_an_error_text_pandas_read_is_never_sent_unlabeled(sandbox: Sandbox) -> None:
    """pd.read_excel gives an error cell as its text (openpyxl): no label has that name, so
    the row is refused as an unknown label, never associated without one."""
    frame = pd.DataFrame(
        {"Deal ID": ["2040000001"], "Contact ID": ["1019360001"], "Label": ["#REF!"]}
    )
    before = sandbox.associations("deals", "contacts")
    result = hf.associate(frame, client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["invalid"]
    assert result["error_code"].tolist() == ["UNKNOWN_LABEL"]
    pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), before)


def test_other_columns_of_a_frame_refuse_such_text_without_file_advice() -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": ["=A2", "2040000002", "2040000003"],
            "Contact ID": ["1019360001", "#N/A", "1019360003"],
            "Type ID": ["", "", "#REF!"],
        }
    )
    issues = hf.validate_pairs(frame)
    assert issues[["row", "column", "code"]].values.tolist() == [
        [2, "from_id", "FORMULA_ERROR"],
        [3, "to_id", "FORMULA_ERROR"],
        [4, "type_id", "FORMULA_ERROR"],
    ]
    for message in issues["message"]:
        assert "DataFrame" in message
        assert not any(word in message for word in FILE_WORDS), message
    limits = pd.DataFrame(
        {"From object": ["deals"], "To object": ["contacts"], "Label": ["=x"], "Max": ["=B2"]}
    )
    issues = hf.validate_limits(limits)
    assert issues[["column", "code"]].values.tolist() == [["max_to_object_ids", "FORMULA_ERROR"]]
    assert not any(word in issues["message"].iloc[0] for word in FILE_WORDS)


def test_files_are_read_as_before() -> None:
    """A CSV cell holding a formula's text and an error cell of a workbook: FORMULA_ERROR,
    with the advice about the file."""
    csv = hf.read_pairs(io.BytesIO(b"Deal ID,Contact ID,Label\n11,21,=SUM(A1)\n"))
    book = hf.read_pairs(xlsx_bytes([["Deal ID", "Contact ID", "Label"], ["11", "21", "#N/A"]]))
    for pairs in (csv, book):
        issues = hf.validate_pairs(pairs)
        assert issues["code"].tolist() == ["FORMULA_ERROR"]
        assert "DataFrame" not in issues["message"].iloc[0]


def test_a_labels_frame_is_refused_without_file_advice(sandbox: Sandbox) -> None:
    """configure_labels creates nothing from such text (a failed lookup's), and says why in
    words about the frame."""
    frame = pd.DataFrame({"From object": ["deals"], "To object": ["contacts"], "Label": ["#N/A"]})
    result = hf.configure_labels(frame, client_for(sandbox), dry_run=True)
    assert result["error_code"].tolist() == ["FORMULA_ERROR"]
    message = result["error_message"].iloc[0]
    assert "DataFrame" in message
    assert not any(word in message for word in FILE_WORDS), message


def test_a_frame_written_and_read_back_keeps_its_labels(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": ["11", "12"],
            "to_type": "contacts",
            "to_id": ["21", "22"],
            "label": ["=SUM(A1)", "#N/A"],
        }
    )
    assert hf.validate_pairs(frame).empty
    for suffix in (".xlsx", ".csv"):
        back = hf.read_pairs(hf.write_pairs(frame, tmp_path / f"pairs{suffix}"))
        assert back["label"].tolist() == ["=SUM(A1)", "#N/A"]
        assert hf.validate_pairs(back).empty
