"""The analyst's own columns named like hubframe's (``status``, ``change``, ...) and like the
names hubframe keeps those under (``status (original)``): each column stays a column of its
own, in the result, the report and the retry file, with its own header and cells.

Before: a sheet with both ``status`` and ``status (original)`` lost one of them (the first was
renamed onto the second: its cells were gone, and the retry file wrote the second's cells under
the first's header); and ``change`` or ``reason`` (a sync's own columns) were not set apart: an
associate's retry file then held the rows that succeeded (read as a sync's, widened to every row
of a record), its report's Summary counted a sync's changes, and a sync crashed ("cannot insert
change, already exists").
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe import formula
from hubframe.constants import RESERVED_COLUMNS, SYNC_COLUMNS
from hubframe.report import export_report, export_retry
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from hubframe.vocab import Status

OWNED = sorted({*RESERVED_COLUMNS, *SYNC_COLUMNS})
#: Headers an analyst may give: hubframe's names, the names it keeps those under, and a note.
HEADERS = [
    *OWNED,
    *(f"{name} (original)" for name in OWNED),
    *(f"{name} (original 2)" for name in ("status", "change")),
    "Notes",
]
IDS = ["Deal ID", "Contact ID"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(row)
        book.save(path)
    return path


def _raw_rows(path: Path) -> list[list[str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [[formula.unguard(c) for c in row] for row in csv.reader(handle)]
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def _sheet(own: list[str]) -> list[list[str]]:
    """A sheet of two pairs with the analyst's columns ``own``, each cell naming its column."""
    rows = [["2040000001", "1019360001"], ["2040000002", "1019360002"]]
    return [IDS + own, *([*ids, *(f"{h}: {n}" for h in own)] for n, ids in enumerate(rows))]


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    own=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5, unique=True),
    suffix=st.sampled_from([".csv", ".xlsx"]),
    retry=st.sampled_from([".csv", ".xlsx"]),
)
def test_each_own_column_is_kept_whole_through_the_retry_file(
    tmp_path_factory: pytest.TempPathFactory, own: list[str], suffix: str, retry: str
) -> None:
    folder = tmp_path_factory.mktemp("own")
    sheet = _sheet(own)
    pairs = hf.read_pairs(_write(folder / f"sheet{suffix}", sheet))
    failed = {0: Outcome(Status.FAILED), 1: Outcome(Status.FAILED)}
    result = result_table(pairs, failed, kind="pairs")
    info = result.attrs["hubframe"]
    originals, written = info["original_columns"], info.get("written_headers", {})
    assert len(originals) == len(own) + 2  # a column each, none lost to another's name
    for name in originals:  # each holds its own header's cells
        header = written.get(name, name)
        if header not in IDS:
            assert result[name].tolist() == [f"{header}: 0", f"{header}: 1"]
    assert not {*SYNC_COLUMNS} & set(result.columns)  # not taken for a sync's
    assert _raw_rows(export_retry(result, folder / f"retry{retry}")) == sheet


@pytest.mark.parametrize("source", ["csv", "frame"])
def test_an_associate_with_a_change_column_retries_its_failed_rows_only(
    tmp_path: Path, source: str
) -> None:
    """A column named ``change`` in an associate's sheet: the retry file holds the failed row
    alone (before, also the row that succeeded, as a sync's record), and the report is no
    sync's."""
    rows = [
        ["Deal ID", "Contact ID", "change", "reason", "status", "status (original)"],
        ["2040000070", "1019360170", "new", "asked by Bob", "todo", "was todo"],
        ["2040000070", "1019369999", "new", "asked by Ann", "todo", "was todo"],
    ]
    sheet = (
        _write(tmp_path / "sheet.csv", rows)
        if source == "csv"
        else pd.DataFrame(rows[1:], columns=rows[0])
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(sheet, client_for(sb), progress=False)
    assert result["status"].tolist() == ["success", "failed"]
    assert _raw_rows(export_retry(result, tmp_path / "retry.csv")) == [rows[0], rows[2]]
    report = export_report(result, tmp_path / "report.xlsx")
    summary = pd.read_excel(report, sheet_name="Summary", header=None, engine="calamine")
    assert "changes" not in set(summary[0].astype(str))
    results = pd.read_excel(report, sheet_name="Results", dtype=str, engine="calamine")
    assert results["change (original)"].tolist() == ["new", "new"]
    assert results["status (original)"].tolist() == ["was todo", "was todo"]  # the analyst's
    assert results["status (original 2)"].tolist() == ["todo", "todo"]  # their "status"


@pytest.mark.parametrize("own", [["change"], ["reason"], ["change", "reason"]])
def test_a_sync_sheet_with_a_change_or_reason_column_runs(tmp_path: Path, own: list[str]) -> None:
    """An exported sheet the analyst gave a ``change`` or ``reason`` column is synced (before:
    ValueError "cannot insert change, already exists"), and its retry file keeps them."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        links = hf.read_associations(client, "deals", "contacts", [2040000001], progress=False)
        path = tmp_path / "links.xlsx"
        hf.write_pairs(links, path)
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        width = sheet.max_column
        for n, header in enumerate(own, 1):
            sheet.cell(1, width + n, header)
            for line in range(2, sheet.max_row + 1):
                sheet.cell(line, width + n, f"{header} {line}")
        book.save(path)
        result = hf.sync(path, client, dry_run=True, progress=False)
    assert result["change"].tolist() == ["keep", "keep"]
    for header in own:
        assert result[f"{header} (original)"].tolist() == [f"{header} 2", f"{header} 3"]
    back = _raw_rows(export_retry(result.assign(status="failed"), tmp_path / "retry.xlsx"))
    assert back[0][-len(own) :] == own
    assert [row[-len(own) :] for row in back[1:]] == [[f"{h} {n}" for h in own] for n in (2, 3)]
