"""A report sheet read column by column gives exactly the text pandas' reader gave, cell by cell.

The Results sheet of an .xlsx report was read with ``pd.read_excel`` (calamine), which converts
every cell in Python: a 1,000,000-row report took over a minute to load for an undo.  It is now
converted a column at a time (:mod:`hubframe.report.sheet_cells`).  The oracle here is the old
reading; seeded workbooks mix every kind of cell an analyst's Excel leaves in a report (text,
whole and other numbers, numbers past Excel's 15 digits in the id columns and elsewhere,
booleans, dates, times, blank cells and rows, numeric text, spaces).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds

from hubframe.io.cells import EXCEL_LIMIT
from hubframe.report.reader import _results_part
from hubframe.report.sheet_cells import sheet_text

HEADERS = ["sheet", "row", "from_type", "from_id", "to_type", "to_id", "label", "type_id",
           "status", "http_status", "existed_before", "Notes", "Amount", "When"]  # fmt: skip


def _oracle(path: Path, title: str = "Results") -> pd.DataFrame:
    """The reading before: pandas' reader, ids past 15 digits as floats' text, str of all."""
    frame = pd.read_excel(
        path, sheet_name=title, engine="calamine", dtype=object, keep_default_na=False,
        na_values=[""],
    )  # fmt: skip
    for column in [c for c in ("from_id", "to_id") if c in frame]:
        frame[column] = frame[column].map(_rounded, na_action="ignore")
    return frame.where(frame.isna(), frame.astype(str))


def _rounded(cell: Any) -> Any:
    number = isinstance(cell, int | float) and not isinstance(cell, bool)
    return repr(float(cell)) if number and abs(cell) >= EXCEL_LIMIT else cell


def _cell(rng: random.Random, kind: str) -> Any:
    return {
        "text": lambda: rng.choice(["deals", "Champion", "N/A", "None", " ", "x y", "0012"]),
        "digits": lambda: str(rng.randrange(10**12)),
        "whole": lambda: float(rng.randrange(-(10**9), 10**12)),
        "int": lambda: rng.randrange(10**6),
        "fraction": lambda: rng.choice([0.5, 1001.25, -3.75, 1e-7, 123456.789]),
        "huge": lambda: float(rng.choice([10**15, 2.04e16, 12345678901234567, 2**53 + 2, 1e20])),
        "bool": lambda: rng.random() < 0.5,
        "date": lambda: date(2026, rng.randrange(1, 13), rng.randrange(1, 28)),
        "datetime": lambda: datetime(2026, 5, 4, rng.randrange(24), rng.randrange(60)),
        "time": lambda: time(rng.randrange(24), rng.randrange(60)),
        "empty": lambda: None,
    }[kind]()


KINDS = ["text", "digits", "whole", "int", "fraction", "huge", "bool", "date", "datetime", "time"]


def _workbook(seed: int, path: Path) -> None:
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Results"
    sheet.append(HEADERS)
    # each column mostly one kind (as a report's are), sometimes mixed, with blanks
    plan = {h: rng.sample(KINDS, rng.choice([1, 1, 1, 2, 3])) for h in HEADERS}
    for _ in range(rng.randrange(0, 40)):
        if rng.random() < 0.05:
            sheet.append([None] * len(HEADERS))  # a blank row
            continue
        sheet.append(
            [None if rng.random() < 0.2 else _cell(rng, rng.choice(plan[h])) for h in HEADERS]
        )
    book.save(path)


@pytest.mark.parametrize("seed", seeds(40))
def test_a_sheet_reads_as_pandas_read_it(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "report.xlsx"
    _workbook(seed, path)
    with pd.ExcelFile(path, engine="calamine") as book:
        found = _results_part(book, "Results")
    expected = _oracle(path)
    assert list(found.columns) == list(expected.columns)
    # as the reader goes on with it: cells as objects, None where missing (NaN, NaT, NA)
    for got, was in zip(_cells(found), _cells(expected), strict=True):
        differ = [(g, w) for g, w in zip(got, was, strict=True) if not _same(g, w)]
        assert not differ, differ


def _same(got: Any, was: Any) -> bool:
    """The same cell, or one of the old reading's two artefacts: a whole number of an id
    column with a blank cell came back "183763.0" (its map made the column floats; the id
    check reads it as 183763), and a column of dates alone came back without its midnight
    ("2026-07-06", datetime formatting; a column mixing dates with text kept the time)."""
    if got == was:
        return True
    if isinstance(got, str) and isinstance(was, str):
        if was.endswith(".0") and was[:-2] == got:
            return True
        try:
            return bool(pd.Timestamp(got) == pd.Timestamp(was))
        except ValueError:
            return False
    return False


def _cells(frame: pd.DataFrame) -> list[list[Any]]:
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def test_a_sheet_with_headers_pandas_names_itself_is_read_by_pandas() -> None:
    """Empty, repeated or non-text headers: pandas names them ("Unnamed: 2", "x.1", 5)."""
    for header in (["a", "", "b"], ["a", "a"], ["a", 5.0]):
        assert sheet_text([header, ["1"] * len(header)]) is None
    assert sheet_text([]) is None
    assert sheet_text([["a", "b"], ["1"]]) is None  # a short row: pandas pads it
    empty = sheet_text([["a", "b"]])
    assert empty is not None and empty.empty and list(empty.columns) == ["a", "b"]


def test_a_column_of_whole_numbers_is_its_digits_and_past_15_digits_an_id_is_not() -> None:
    rows: list[list[Any]] = [["from_id", "n"], [2040000001.0, 7.0], ["", ""], [2.04e16, 2.04e16]]
    found = sheet_text(rows, ids=("from_id",), id_limit=EXCEL_LIMIT)
    assert found is not None
    assert found["from_id"].tolist()[0] == "2040000001" and np.isnan(found["from_id"][1])
    assert found["from_id"][2] == "2.04e+16"  # refused later as an id: Excel kept 15 digits
    assert found["n"][2] == "20400000000000000"


def test_a_big_report_loads_from_its_sheet(tmp_path: Path) -> None:
    """The whole path (load_run) on a report written by export_report."""
    import hubframe as hf
    from hubframe.jobs import load_run

    result = pd.DataFrame(
        {
            "sheet": "Sheet1", "row": range(2, 502), "from_type": "deals",
            "from_id": [str(2040000001 + n) for n in range(500)], "to_type": "contacts",
            "to_id": [str(1019360001 + n) for n in range(500)], "label": "", "category": "",
            "type_id": pd.array([None] * 500, dtype="Int64"), "action": "associate_default",
            "status": "success", "error_code": "", "error_message": "",
        }
    )  # fmt: skip
    path = hf.export_report(result, tmp_path / "r.xlsx")
    table = load_run(path)
    assert table["from_id"].tolist() == result["from_id"].tolist()
    assert table["row"].tolist() == list(range(2, 502))


def _damage(path: Path, sheet_part: str, edit: Any) -> Path:
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    parts[sheet_part] = edit(parts[sheet_part])
    out = path.with_name("damaged.xlsx")
    with zipfile.ZipFile(out, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return out


_ROW = b'<row r="2"><c r="A2" t="s"><v>99999</v></c></row>'
DAMAGES = {
    "a shared string past the table": lambda x: x.replace(b"<sheetData>", b"<sheetData>" + _ROW, 1),
    "a number cell of letters": lambda x: x.replace(
        b"<sheetData>", b'<sheetData><row r="2"><c r="A2"><v>abc</v></c></row>', 1
    ),
    "xml cut short": lambda x: x[: len(x) // 2],
}


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"])
def test_a_damaged_report_sheet_is_an_input_error_naming_the_report(
    tmp_path: Path, damage: str, part: str
) -> None:
    """Before: calamine's own error (CalamineError: "Cell string index not found in shared
    strings table") came out of load_run, a traceback on the command line."""
    import hubframe as hf
    from hubframe.errors import InputError
    from hubframe.jobs import load_run

    result = pd.DataFrame(
        {"from_type": ["deals"], "from_id": ["1"], "to_type": ["contacts"], "to_id": ["2"],
         "status": ["success"]}
    )  # fmt: skip
    report = hf.export_report(result, tmp_path / "report.xlsx")
    damaged = _damage(report, part, DAMAGES[damage])
    try:
        load_run(damaged)
    except InputError as exc:
        assert "damaged.xlsx" in str(exc)
    # else: the damage left the cells calamine reads whole (a sheet it reads as it can)
