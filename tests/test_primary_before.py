"""Undo knows which company held a record's primary before a run from a column and from the
journal, not from a message's words.

A row making another company a contact's, deal's or ticket's primary takes the label from the
company that held it (HubSpot keeps one).  Before, undo told such a row by the words of its
``error_message`` ("Replaces deal ...'s primary company ..."): a cell the analyst cleared or
reworded, and the undo removed the new primary, leaving the record with none; an undo from the
journal alone (``hf.undo("run.sqlite")``, ``hubframe undo run.sqlite``) never knew, and did the
same.  Now every run that reads the portal first writes ``primary_before`` (the companies that
held the record's primary before the row, empty when none) into its result, report and retry
file, a journaled run keeps the old primary pair among its readings, and undo goes by those:
such a row is ``NOT_UNDOABLE``, naming the old company, from every source; a row that set a
record's first primary is taken back as before.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import PRIMARY_TYPES
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

TYPES = {t.record_type: t for t in PRIMARY_TYPES}
COMPANIES = [str(c) for c in demo_ids("companies")[40:44]]
OLD, NEW = COMPANIES[0], COMPANIES[1]
KW: dict[str, Any] = {"progress": False}


def _records(kind: str) -> list[str]:
    return [str(r) for r in demo_ids(kind)[-2:]]


def _record(kind: str) -> str:
    return _records(kind)[-1]


def _cells(kind: str, side: str, record: str, company: str, labeled: bool = True) -> dict[str, str]:
    t = TYPES[kind]
    if side == "record":
        cells = (kind, record, "companies", company, t.to_company if labeled else "")
    else:
        cells = ("companies", company, kind, record, t.from_company if labeled else "")
    names = ("From Type", "From ID", "To Type", "To ID", "Type ID")
    return dict(zip(names, map(str, cells), strict=True))


def _sheet(kind: str, side: str, company: str = NEW) -> pd.DataFrame:
    return hf.read_pairs(pd.DataFrame([_cells(kind, side, _record(kind), company)], dtype=object))


def _primaries(sb: Sandbox, kind: str, record: str | None = None) -> set[str]:
    rows = sb.associations(kind, "companies")
    mine = rows[rows["from_id"].astype(str) == (record or _record(kind))]
    held = mine[mine["type_id"].astype(int) == TYPES[kind].to_company]
    return set(held["to_id"].astype(str))


def _linked(sb: Sandbox, kind: str, record: str | None = None) -> set[str]:
    rows = sb.associations(kind, "companies")
    return set(rows.loc[rows["from_id"].astype(str) == (record or _record(kind)), "to_id"])


def _primary(sb: Sandbox, kind: str, company: str, record: str | None = None) -> None:
    sb.associate(kind, record or _record(kind), "companies", company, TYPES[kind].to_company)


RUNS: dict[str, dict[str, Any]] = {
    "dry run": {"dry_run": True},
    "pre-flight": {"preflight": True},
    "state before": {"record_existing": True},
    "journal": {},
    "journal, pre-flight": {"preflight": True},
}


def _run(pairs: pd.DataFrame, client: hf.HubSpotClient, how: str, tmp_path: Path) -> Any:
    journal = {"journal": tmp_path / "run.sqlite"} if how.startswith("journal") else {}
    return hf.associate(pairs, client, **KW, **RUNS[how], **journal)


# --- the column ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", list(RUNS))
@pytest.mark.parametrize("side", ["record", "company"])
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_result_names_the_company_that_held_the_primary_before(
    kind: str, side: str, how: str, tmp_path: Path
) -> None:
    """The row replacing a primary, a row giving another record its first one and an
    unlabeled row, in one sheet; the dry run says what the real run says."""
    first, other = _records(kind)
    rows = [
        _cells(kind, side, first, COMPANIES[2]),  # the record has none
        _cells(kind, side, _record(kind), NEW),  # replaces OLD
        _cells(kind, side, first, COMPANIES[3], labeled=False),  # no primary asked
    ]
    with Sandbox(seed="demo") as sb:
        _primary(sb, kind, OLD)
        pairs = hf.read_pairs(pd.DataFrame(rows, dtype=object))
        result = _run(pairs, client_for(sb), how, tmp_path)
        assert other == _record(kind)
        column = result["primary_before"]
        assert column.iloc[0] == ""
        assert column.iloc[1] == OLD
        assert pd.isna(column.iloc[2])
        assert list(result.columns).index("primary_before") == (
            list(result.columns).index("linked_before") + 1
        )
        assert "Replaces" in str(result["error_message"].iloc[1])
        assert _primaries(sb, kind) == ({OLD} if how == "dry run" else {NEW})


def test_a_run_that_reads_nothing_has_no_column() -> None:
    with Sandbox(seed="demo") as sb:
        result = hf.associate(_sheet("deals", "record"), client_for(sb), **KW)
    assert "primary_before" not in result.columns


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_report_keeps_the_column(suffix: str, tmp_path: Path) -> None:
    from hubframe.report.reader import load_run

    with Sandbox(seed="demo") as sb:
        _primary(sb, "deals", OLD)
        result = hf.associate(_sheet("deals", "record"), client_for(sb), **KW, dry_run=True)
        report = tmp_path / f"report.{suffix}"
        hf.export_report(result, report)
    back = load_run(report)
    assert str(back["primary_before"].iloc[0]) == OLD
    assert "primary_before" not in back.attrs["hubframe"]["original_columns"]


# --- undo from the result table and its reports --------------------------------------------------


def _source(result: pd.DataFrame, source: str, message: str, tmp_path: Path) -> Any:
    """The run as undo is given it, its message cell as the analyst left it."""
    edited = result.copy()
    edited.attrs = result.attrs
    if message == "cleared":
        edited["error_message"] = None
    elif message == "reworded":
        edited["error_message"] = "Ersetzt die primäre Firma"
    if source == "table":
        return edited
    path = tmp_path / f"report.{source}"
    hf.export_report(edited, path)
    return path


def _undo(run: Any, client: hf.HubSpotClient, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a report's journal, left out or not
        return hf.undo(run, client, **KW, **options)


@pytest.mark.parametrize("message", ["as written", "cleared", "reworded"])
@pytest.mark.parametrize("source", ["table", "xlsx", "csv"])
@pytest.mark.parametrize("side", ["record", "company"])
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_undo_of_a_replaced_primary_goes_by_the_column_not_the_words(
    kind: str, side: str, source: str, message: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        _primary(sb, kind, OLD)
        client = client_for(sb)
        result = hf.associate(_sheet(kind, side), client, **KW, record_existing=True)
        assert result["status"].tolist() == ["success"]
        run = _source(result, source, message, tmp_path)
        planned = _undo(run, client, dry_run=True)
        undone = _undo(run, client)
        for table in (planned, undone):
            assert table["status"].tolist() == ["skipped"]
            assert table["error_code"].tolist() == ["NOT_UNDOABLE"]
            assert f"in place of {OLD}" in str(table["error_message"].iloc[0])
        assert _primaries(sb, kind) == {NEW}
        assert _linked(sb, kind) == {OLD, NEW}


@pytest.mark.parametrize("source", ["table", "xlsx", "csv", "journal"])
@pytest.mark.parametrize("side", ["record", "company"])
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_undo_of_a_first_primary_still_removes_it(
    kind: str, side: str, source: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        journal = tmp_path / "run.sqlite"
        result = hf.associate(_sheet(kind, side), client, **KW, journal=journal)
        assert result["primary_before"].tolist() == [""]
        run = journal if source == "journal" else _source(result, source, "as written", tmp_path)
        assert _undo(run, client, dry_run=True)["status"].tolist() == ["planned"]
        assert _undo(run, client)["status"].tolist() == ["success"]
        assert _linked(sb, kind) == set()


@pytest.mark.parametrize("cell", ["someone", "True", "3120000030x"])
def test_an_edited_cell_is_not_taken_for_none(cell: str) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = hf.associate(_sheet("deals", "record"), client, **KW, record_existing=True)
        result["primary_before"] = cell
        undone = _undo(result, client)
        assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
        assert "primary_before" in str(undone["error_message"].iloc[0])
        assert _primaries(sb, "deals") == {NEW}


def test_a_table_without_the_column_does_not_lose_the_primary() -> None:
    with Sandbox(seed="demo") as sb:
        _primary(sb, "deals", OLD)
        client = client_for(sb)
        result = hf.associate(_sheet("deals", "record"), client, **KW, record_existing=True)
        undone = _undo(result.drop(columns=["primary_before", "error_message"]), client)
        assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
        assert _primaries(sb, "deals") == {NEW}


# --- undo from the journal alone -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["journal", "journal, pre-flight"])
@pytest.mark.parametrize("linked", [False, True])
@pytest.mark.parametrize("side", ["record", "company"])
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_undo_of_the_journal_keeps_the_primary(
    kind: str, side: str, linked: bool, how: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        _primary(sb, kind, OLD)
        if linked:  # the new company was associated already, unlabeled
            sb.associate(kind, _record(kind), "companies", NEW)
        client = client_for(sb)
        _run(_sheet(kind, side), client, how, tmp_path)
        journal = tmp_path / "run.sqlite"
        planned = _undo(journal, client, dry_run=True)
        undone = _undo(journal, client)
        for table in (planned, undone):
            assert table["status"].tolist() == ["skipped"]
            assert table["error_code"].tolist() == ["NOT_UNDOABLE"]
            said = str(table["error_message"].iloc[0])
            assert f"in place of {OLD}" in said
            assert f"with {OLD} as Primary again" in said
        assert _primaries(sb, kind) == {NEW}
        assert _linked(sb, kind) == {OLD, NEW}


def test_the_journal_of_a_resumed_run_keeps_the_primary_its_first_run_replaced(
    tmp_path: Path,
) -> None:
    """Run once, stopped after its first batch, then resumed: the resumed run's result says
    what the first run found (the portal now holds its work), and every undo keeps both
    records' primary."""
    records = _records("deals")
    rows = [_cells("deals", "record", r, c) for r, c in zip(records, COMPANIES[1:3], strict=True)]
    pairs = hf.read_pairs(pd.DataFrame(rows, dtype=object))
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        for record in records:
            _primary(sb, "deals", OLD, record)
        client = client_for(sb)
        cancel = threading.Event()
        first = hf.associate(
            pairs,
            client,
            journal=journal,
            cancel=cancel,
            on_progress=lambda _: cancel.set(),
            progress=False,
            batch_size=1,
            workers=1,
        )
        assert first["status"].tolist() == ["success", "skipped"]
        second = hf.associate(pairs, client, journal=journal, progress=False, batch_size=1)
        assert second["status"].tolist() == ["success", "success"]
        assert second["primary_before"].tolist() == [OLD, OLD]
        for run in (second, journal):
            undone = _undo(run, client)
            assert undone["error_code"].tolist() == ["NOT_UNDOABLE", "NOT_UNDOABLE"]
        for record, company in zip(records, COMPANIES[1:3], strict=True):
            assert _primaries(sb, "deals", record) == {company}


# --- a primary that cannot be read -----------------------------------------------------------


@pytest.mark.parametrize("how", ["dry run", "pre-flight", "state before", "journal"])
def test_a_row_whose_records_primary_cannot_be_read_is_never_undone_blind(
    how: str, tmp_path: Path
) -> None:
    """Only the read of the deal's companies fails (the row goes from the company, whose
    side the state before is read from): a run that records the state before holds the row
    back, as it does a pair it could not read; a pre-flight run sends it with its state
    before blank, and its undo says it was not recorded rather than take the deal's primary
    away."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    with Sandbox(seed="demo") as sb:
        _primary(sb, "deals", OLD)
        with FaultProxy(sb, fail_path="/deals/companies/batch/read") as proxy:
            client = HubSpotClient(
                token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01,
                backoff_cap=0.02,
            )  # fmt: skip
            result = _run(_sheet("deals", "company"), client, how, tmp_path)
        row = result.iloc[0]
        assert pd.isna(row["primary_before"])
        if how == "dry run":
            assert row["status"] == "planned"
        elif how == "pre-flight":
            assert row["status"] == "success"
            assert pd.isna(row["existed_before"]) and pd.isna(row["linked_before"])
            undone = _undo(result, client_for(sb))
            assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
            assert "did not record" in str(undone["error_message"].iloc[0])
        else:
            assert row["status"] == "failed"
            assert str(row["error_message"]).startswith("Not sent: what these records")
        assert _primaries(sb, "deals") == ({NEW} if how == "pre-flight" else {OLD})


@pytest.mark.parametrize("source", ["table", "xlsx"])
@pytest.mark.parametrize(
    ("number", "named"),
    [(float(OLD), True), (1234567890123450.0, False), (9.87654321098765e17, False)],
)
def test_a_number_in_the_cell_is_a_company_only_below_excels_15_digits(
    source: str, number: float, named: bool, tmp_path: Path
) -> None:
    """A spreadsheet that made the cell a number keeps 15 digits of it: a company id of 16
    digits and more comes back as another id (its last digits zeros), so such a number is
    not taken for the company that held the primary (the cell reads as edited); one below
    is, as before."""
    import openpyxl

    with Sandbox(seed="demo") as sb:
        _primary(sb, "deals", OLD)
        client = client_for(sb)
        result = hf.associate(_sheet("deals", "record"), client, **KW, record_existing=True)
        run: Any = result
        if source == "table":
            result["primary_before"] = pd.Series([number], dtype="float64")
        else:
            run = tmp_path / "report.xlsx"
            hf.export_report(result, run)
            book = openpyxl.load_workbook(run)
            sheet = book["Results"]
            header = [c.value for c in sheet[1]]
            sheet.cell(row=2, column=header.index("primary_before") + 1, value=number)
            book.save(run)
        undone = _undo(run, client)
        assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
        said = str(undone["error_message"].iloc[0])
        if named:
            assert f"in place of {OLD}" in said, said
        else:
            assert "primary_before" in said and "edited" in said, said
            assert f"in place of {int(number)}" not in said
        assert _primaries(sb, "deals") == {NEW}


@settings(max_examples=examples(200), deadline=None)
@given(
    cell=st.one_of(
        st.text(alphabet="0123456789., ;x", max_size=40),
        st.integers(1, 6000).map(lambda n: "1" * n + ".0"),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**20), 10**20),
    )
)
def test_any_cell_reads_as_company_ids_or_as_edited_never_an_error(cell: object) -> None:
    """Whatever the cell (a float's text of thousands of digits too: Python refuses to make an
    int of more than 4,300), it is company ids or None; a float's text from 16 digits up and a
    float from 10**15 up are None."""
    from hubframe.run.primary import primary_companies

    found = primary_companies(cell)
    assert found is None or all(c.isascii() and c.isdigit() for c in found)
    if isinstance(cell, str) and any(
        w.endswith(".0") and len(w[:-2].lstrip("0")) > 15 for w in cell.replace(",", " ").split()
    ):
        assert found is None
    if isinstance(cell, float) and abs(cell) >= 1e15:
        assert found is None
