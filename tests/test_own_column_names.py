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
from hubframe.constants import (
    LITERAL_LABEL_COLUMN,
    NO_TARGETS_COLUMN,
    RESERVED_COLUMNS,
    SYNC_COLUMNS,
)
from hubframe.io.columns import HeaderError, unread_role
from hubframe.io.frame import EXTRA_CELLS, RAW_PREFIX
from hubframe.io.hidden import HIDDEN_ROW
from hubframe.io.tables import SUM_ROW, TOTALS_ROW
from hubframe.report import export_report, export_retry
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from hubframe.vocab import Status

OWNED = sorted({*RESERVED_COLUMNS, *SYNC_COLUMNS})
#: hubframe's private columns (the text of cells that did not parse, what the reader noticed
#: of a row): the steps after the read took an analyst's column of such a name for theirs.
PRIVATE = sorted(
    {
        *(NO_TARGETS_COLUMN, LITERAL_LABEL_COLUMN, HIDDEN_ROW, TOTALS_ROW, SUM_ROW, EXTRA_CELLS),
        *(RAW_PREFIX + name for name in ("type_id", "from_header_type", "to_header_type")),
        *(RAW_PREFIX + name for name in ("from_id", "to_id", "label", "max_to_object_ids")),
    }
)
#: Headers an analyst may give: hubframe's names, the names it keeps those under, and a note.
HEADERS = [
    *OWNED,
    *(name for name in PRIVATE if unread_role(name, "pairs") is None),  # else: said, not read
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


#: Cells a private column of hubframe's holds (flags, numbers, text), as an analyst's might.
CELLS = st.sampled_from(["TRUE", "FALSE", "True", "1", "0", "checked", "", "7", "x;y", "Champion"])


@settings(max_examples=examples(40), deadline=None)
@given(
    names=st.lists(
        st.one_of(st.sampled_from(PRIVATE), st.from_regex(r"_raw_[a-z_]{1,12}", fullmatch=True)),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    cells=st.lists(st.tuples(CELLS, CELLS, CELLS), min_size=2, max_size=2),
    kind=st.sampled_from(["pairs", "limits"]),
    source=st.sampled_from(["csv", "frame"]),
)
def test_a_column_named_like_a_private_one_is_the_analysts_and_changes_no_row(
    tmp_path_factory: pytest.TempPathFactory,
    names: list[str],
    cells: list[tuple[str, str, str]],
    kind: str,
    source: str,
) -> None:
    """A column ``_raw_no_targets`` of TRUE/FALSE crashed validation and the run with a pandas
    TypeError (the command line said first that both rows had no associated records), and one
    ``_raw_extra_cells`` refused its rows as CSV rows with too many cells: any ``_raw_...``
    header was taken for the reader's own column.  Now it is kept as "<name> (original)",
    whole, and every row is judged as without it."""
    head, rows = _sheet_of(kind)
    own = [[c for c, _ in zip(row, names, strict=False)] for row in cells]
    folder = tmp_path_factory.mktemp("private")
    with_own = [head + names, *(r + o for r, o in zip(rows, own, strict=True))]
    read, validate = (
        (hf.read_pairs, hf.validate_pairs)
        if kind == "pairs"
        else (hf.read_limits, hf.validate_limits)
    )

    def source_of(table: list[list[str]], name: str) -> object:
        if source == "frame":
            return pd.DataFrame(table[1:], columns=table[0], dtype=object)
        return _write(folder / f"{name}.csv", table)

    plain = read(source_of([head, *rows], "plain"))
    try:
        theirs = read(source_of(with_own, "own"))
    except HeaderError as refused:  # a name that says "label" or "max": may hold them, said
        assert any(f'"{name}"' in str(refused) for name in names), refused
        return
    for n, name in enumerate(names):
        assert theirs[f"{name} (original)"].fillna("").tolist() == [o[n] for o in own]
    issues = validate(theirs)
    assert validate(plain)[["row", "code"]].equals(issues[["row", "code"]])
    with Sandbox(seed="demo") as sb:
        run = hf.associate if kind == "pairs" else hf.configure_limits
        planned = run(theirs, client_for(sb), dry_run=True, progress=False)
        assert planned["status"].tolist() == ["planned", "planned"]


def _sheet_of(kind: str) -> tuple[list[str], list[list[str]]]:
    if kind == "pairs":
        return IDS, [["2040000001", "1019360001"], ["2040000002", "1019360002"]]
    head = ["From", "To", "Label", "Max"]
    return head, [["deals", "contacts", "Decision maker", "5"], ["deals", "companies", "", "3"]]
