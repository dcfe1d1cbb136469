"""The totals row of an Excel table is refused (TOTALS_ROW), never read as a pair or a limit.

Before, a table's totals row was read like any row: a count under each id column (2 and 2)
was a pair of ids, planned and sent.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table
from workbook_features import read_with

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [7_400_000_001, 7_400_000_002]
CONTACTS = [8_400_000_001, 8_400_000_002]
PAIRS = ((DEALS[0], CONTACTS[0], "n"), (DEALS[1], CONTACTS[1], "n"))


def _book(
    totals: list[object] | None,
    header: tuple[str, ...] = ("Deal ID", "Contact ID", "Notes"),
    rows: tuple[tuple[object, ...], ...] = (
        (DEALS[0], CONTACTS[0], "n"),
        (DEALS[1], CONTACTS[1], "n"),
    ),
) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Report of the quarter"])  # a title above: the table need not start at A1
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    last = 4
    if totals is not None:
        ws.append(totals)
        last = 5
    table = Table(displayName="Links", ref=f"A2:C{last}")
    if totals is not None:
        table.totalsRowCount = 1
    ws.add_table(table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("totals", [[2, 2, "Total"], ["Total", None, None], [None, 2, None]])
def test_a_tables_totals_row_is_refused_naming_the_table(
    engine: str, totals: list[object], sandbox: Sandbox
) -> None:
    with read_with(engine):
        pairs = hf.read_pairs(_book(totals), from_type="deals", to_type="contacts")
    issues = hf.validate_pairs(pairs)
    refused = issues[issues["code"] == "TOTALS_ROW"]
    assert refused["row"].tolist() == [5]
    assert "Excel table 'Links'" in refused["message"].iloc[0]
    assert not set(issues["row"]) & {3, 4}  # the table's rows are read as usual
    result = hf.associate(pairs, client_for(sandbox), dry_run=True, progress=False)
    assert result.set_index("row").loc[5, "status"] == "invalid"
    assert (result.set_index("row").loc[[3, 4], "status"] == "planned").all()


def test_a_table_without_a_totals_row_reads_every_row(sandbox: Sandbox) -> None:
    pairs = hf.read_pairs(_book(None), from_type="deals", to_type="contacts")
    assert hf.validate_pairs(pairs).empty
    result = hf.associate(pairs, client_for(sandbox), dry_run=True, progress=False)
    assert set(result["status"]) == {"planned"} and "_raw_totals_row" not in result


def test_a_limits_tables_totals_row_is_refused() -> None:
    header = ("From Object", "To Object", "Max")
    rows = (("deals", "contacts", 5), ("deals", "companies", 2))
    limits = hf.read_limits(_book([None, "Total", 7], header, rows))
    issues = hf.validate_limits(limits)
    assert issues.loc[issues["code"] == "TOTALS_ROW", "row"].tolist() == [5]
    assert set(issues["row"]) == {5}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize(
    "totals", [[2, 2, "Total"], ["Total", None, None], [None, 2, None], [2040000003, 1019360003, 2]]
)
def test_a_tables_totals_row_is_not_in_the_retry_file(
    tmp_path: Path, suffix: str, totals: list[object], sandbox: Sandbox
) -> None:
    """The retry file holds the rows still to do, and a totals row is none: before, it was
    written there as a plain row (no table around it any more), and its counts (2 and 2) were
    read back as a pair and sent when the analyst ran the retry file."""
    rows = ((2040000001, 1019369999, "n"), (2040000002, 1019360002, "n"))  # fails, succeeds
    source = tmp_path / "links.xlsx"
    source.write_bytes(_book(totals, rows=rows))
    client = client_for(sandbox)
    pairs = hf.read_pairs(source, from_type="deals", to_type="contacts")
    result = hf.associate(pairs, client, progress=False)
    assert result["error_code"].fillna("").tolist() == ["OBJECT_NOT_FOUND", "", "TOTALS_ROW"]
    retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
    back = hf.read_pairs(retry, from_type="deals", to_type="contacts")
    again = hf.associate(back, client, dry_run=True, progress=False)
    assert again[["from_id", "to_id"]].values.tolist() == [["2040000001", "1019369999"]]
    assert again["status"].tolist() == ["planned"]
