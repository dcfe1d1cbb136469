"""A retry file of a read of several sheets reads back as the rows still to do.

A workbook read with ``sheet="*"`` whose sheets name a column differently (``Label, Max`` in
one, ``Association Label, Limit`` in the other, as analysts' sheets do) gave a retry file whose
every sheet had the columns of all the sheets, and the label and ``remove`` the run read from
one sheet's column were written into the other sheet's column too.  Read back, the file was
refused ("several columns could hold the association label"), ``.xlsx`` and ``.csv`` alike:
the failed rows could not be run again.  Each ``.xlsx`` sheet now has its own sheet's columns
only, and a ``.csv`` file puts a field the sheets name differently under the first sheet's
header; read back, the file asks what the failed rows asked, in limits and pairs runs alike.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

SUFFIXES = [".xlsx", ".csv"]
LIMIT_ASK = ["from_type", "to_type", "label", "max_to_object_ids", "remove"]
PAIR_ASK = ["from_type", "from_id", "to_type", "to_id", "label"]


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _asks(frame: pd.DataFrame, columns: list[str]) -> list[tuple[object, ...]]:
    asks = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [tuple(str(v) if v is not None else None for v in row) for row in asks.to_numpy()]


def _headers(path: Path) -> dict[str, list[object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {s.title: [c.value for c in next(s.iter_rows(max_row=1))] for s in book.worksheets}


LIMIT_SHEETS: dict[str, list[list[object]]] = {
    "Deals": [
        ["From", "To", "Label", "Max", "Notes"],
        ["deals", "contacts", "Champion", 4, "ok"],
        ["deals", "contacts", "No such label", 3, "typo"],
        ["deals", "contacts", "Nor this one", None, "blank: removes"],
    ],
    "Companies": [
        ["Object", "To Object", "Association Label", "Limit"],
        ["contacts", "companies", "Employee", 2],
        ["contacts", "companies", "Missing label", None],
        ["deals", "contacts", "Unknown too", 7],
    ],
    "Same headers": [
        ["From", "To", "Label", "Max", "Owner"],
        ["deals", "companies", "Not there", 5, "me"],
    ],
}


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("sheets", [["Deals", "Companies"], ["Deals", "Companies", "Same headers"]])
def test_a_limits_retry_file_of_several_sheets_reads_back_as_its_failed_rows(
    tmp_path: Path, suffix: str, sheets: list[str]
) -> None:
    source = _book(tmp_path / "limits.xlsx", {name: LIMIT_SHEETS[name] for name in sheets})
    limits = hf.read_limits(source, sheet="*", remove_blank=True)
    with Sandbox(seed="demo") as sb:
        result = hf.configure_limits(limits, client_for(sb), dry_run=True, progress=False)
    failed = result[result["status"].isin(["failed", "invalid"])]
    assert len(failed) == {2: 4, 3: 5}[len(sheets)]
    retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
    again = hf.read_limits(retry, sheet="*" if suffix == ".xlsx" else None)
    assert _asks(again, LIMIT_ASK) == _asks(failed, LIMIT_ASK)
    if suffix == ".xlsx":
        assert list(again["sheet"]) == list(failed["sheet"])
        headers = _headers(retry)
        assert headers == {name: LIMIT_SHEETS[name][0] for name in headers}


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_pairs_retry_file_of_several_sheets_reads_back_as_its_failed_rows(
    tmp_path: Path, suffix: str
) -> None:
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    missing = 99999
    source = _book(
        tmp_path / "pairs.xlsx",
        {
            "Mine": [
                ["Deal ID", "Contact ID", "Label"],
                [deals[0], contacts[0], "Champion"],
                [deals[1], missing, "Decision maker"],
            ],
            "Theirs": [
                ["Deal ID", "Associated Contact ID", "Association Label", "Owner"],
                [deals[2], contacts[2], "Champion", "me"],
                [deals[3], missing, "Champion", "you"],
                [deals[4], missing, None, "them"],
            ],
        },
    )
    pairs = hf.read_pairs(source, sheet="*")
    with Sandbox(seed="demo") as sb:
        result = hf.associate(pairs, client_for(sb), progress=False)
    failed = result[result["status"] == "failed"]
    assert len(failed) == 3
    retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
    again = hf.read_pairs(retry, sheet="*" if suffix == ".xlsx" else None)
    assert _asks(again, PAIR_ASK) == _asks(failed, PAIR_ASK)
