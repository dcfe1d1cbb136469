"""The sheets of a report or retry workbook have names Excel opens without repair: at most 31
characters, no two alike ignoring case, and no warning of openpyxl's reaches the analyst.

Two source sheets whose names agree in their first 31 characters (LibreOffice and pandas allow
longer names) were both cut to 31, and openpyxl told them apart by a "1" appended: a name of
32 characters, which Excel asks to repair, and "Title is more than 31 characters" printed as
the command's warning.  Names alike but for case were passed through too, which Excel refuses.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.report.excel import Table, write_tables

LONG = "Deals to contacts for the region "


def _titles(path: Path) -> list[str]:
    return openpyxl.load_workbook(path, read_only=True).sheetnames


def _write(path: Path, names: list[str], first: list[str] | None = None) -> list[str]:
    frame = pd.DataFrame({"Deal ID": ["1"]})

    def build_first(wb: openpyxl.Workbook) -> None:
        for name in first or []:
            wb.create_sheet(name)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl's own renaming warns
        write_tables(path, [Table(n, frame) for n in names], build_first if first else None)
    return _titles(path)


def _excel_valid(titles: list[str]) -> None:
    assert all(1 <= len(t) <= 31 for t in titles), titles
    assert len({t.casefold() for t in titles}) == len(titles), titles


@pytest.mark.parametrize(
    "names",
    [
        [LONG + "North", LONG + "South"],
        [LONG + "North", LONG + "South", LONG + "East", LONG + "West"],
        ["Deals", "DEALS", "deals"],
        ["x" * 40, "X" * 40, "x" * 31],
        ["Sheet (2)", "Sheet", "Sheet"],
    ],
)
def test_sheet_names_are_unique_and_short(tmp_path: Path, names: list[str]) -> None:
    titles = _write(tmp_path / "out.xlsx", names)
    _excel_valid(titles)
    assert len(titles) == len(names)


def test_a_table_named_like_a_sheet_written_first_gets_a_name_of_its_own(tmp_path: Path) -> None:
    titles = _write(tmp_path / "out.xlsx", ["summary", "Results"], first=["Summary"])
    _excel_valid(titles)
    assert titles[0] == "Summary"


@settings(max_examples=examples(30), deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("aAbB []:*?/\\'é"), min_size=0, max_size=40).map(
            lambda t: LONG[: len(t) % 33] + t
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_sheet_names_make_a_workbook_excel_opens(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    path = tmp_path_factory.mktemp("titles") / "out.xlsx"
    titles = _write(path, names)
    _excel_valid(titles)
    assert len(titles) == len(names)
