"""A retry file keeps a label cell that was a formula or an error one, refused again.

A label cell that is a formula without its value (``=B2`` in a workbook a program wrote, a
bare ``=B2`` in a CSV) or an error (``#N/A``: an error cell, or its text bare in a CSV) is
refused ``FORMULA_ERROR``: the label the row should have is unknown.  export_retry wrote such
a cell as text (a workbook's text cell, ``'=B2`` in a CSV), which the reader takes for the
label itself (a portal's label may be named ``=B2``): running the retry file unchanged sent
``=B2`` as the label, ``success``, and the formula was gone from the file.  write_pairs of a
read frame did the same.  Now such a cell is written back as an error value (its own error,
``#N/A`` for a formula; ``t="e"``, bare in a CSV), and read back it is refused again.  Not as
a live formula: Excel would work it out against the retry file's rows (``=E3`` names another
row there) and a save would send that label (helper-292).  A label held as text stays text,
and the cells of other columns (ids, types, limits) are refused read back as before.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

#: A formula without its value and error values, as a sheet holds them.
TEXTS = ["=B2", "=VLOOKUP(A2,X!A:B,2,0)", "#N/A", "#REF!", "Err:502"]
HEADER = ["From type", "From ID", "To type", "To ID", "Label", "Note"]
#: The cell of each column the tests put a formula or error in (row 2 of the sheet).
CELLS = {"label": 4, "to_id": 3, "to_type": 2}


def _sheet(path: Path, rows: list[list[str]], at: int | None) -> Path:
    """``rows`` (the header first) as ``path``: the second row's cell ``at`` a formula or an
    error cell in a workbook, bare in a CSV; other cells text (a CSV's "=..." or error's text
    elsewhere guarded with "'", as hubframe writes text)."""
    if path.suffix == ".csv":
        lines = [
            ",".join(_csv_cell(v, (r, i) == (1, at)) for i, v in enumerate(row))
            for r, row in enumerate(rows)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    for r, row in enumerate(ws.iter_rows(min_row=1)):
        for i, cell in enumerate(row):
            if cell.value is None:
                continue
            text = str(cell.value)
            if (r, i) != (1, at):
                cell.data_type = "s"  # text, whatever it reads like
            elif not text.startswith("="):
                cell.data_type = "e"
    book.save(path)
    return path


def _csv_cell(text: str, formula: bool) -> str:
    shown = text if formula or not (text.startswith("=") or text.startswith("#")) else "'" + text
    return f'"{shown}"' if "," in shown else shown


Job = Callable[..., pd.DataFrame]
JOBS: dict[str, Job] = {
    "associate": hf.associate,
    "sync": lambda source, client, **kw: hf.sync(source, client, allow_removals=True, **kw),
    "remove": hf.remove_associations,
}


def _portal(sb: Sandbox, text: str) -> HubSpotClient:
    """Deal 101, contacts 201 and 202, a label named ``text`` (and X), linked with X and
    ``text`` (a removal has something to remove)."""
    sb.add_records("deals", ["101"])
    sb.add_records("contacts", ["201", "202"])
    odd = sb.add_label("deals", "contacts", text)
    plain = sb.add_label("deals", "contacts", "X")
    sb.associate("deals", "101", "contacts", "201", odd)
    sb.associate("deals", "101", "contacts", "202", plain)
    return client_for(sb)


def _rows(column: str, text: str) -> list[list[str]]:
    first = ["deals", "101", "contacts", "201", "X", "n"]
    first[CELLS[column]] = text
    return [HEADER, first, ["deals", "101", "contacts", "202", "X", "n"]]


def _row_two(result: pd.DataFrame) -> list[list[object]]:
    return result.loc[result["row"] == 2, ["status", "error_code"]].values.tolist()


def _written(retry: Path) -> object:
    """The retry file's label cell of its first row: (value, data type) of a workbook's cell,
    a CSV's cell as written."""
    if retry.suffix == ".xlsx":
        cell = openpyxl.load_workbook(retry).worksheets[0]["E2"]
        return cell.value, cell.data_type
    lines = retry.read_text(encoding="utf-8-sig").splitlines()
    return list(csv.reader(lines))[1][4]


CASES = list(itertools.product([".xlsx", ".csv"], JOBS, ["label", "to_id", "to_type"], TEXTS))


@pytest.mark.parametrize(("suffix", "job", "column", "text"), CASES)
def test_a_formula_or_error_cell_is_refused_again_from_the_retry_file(
    tmp_path: Path, suffix: str, job: str, column: str, text: str
) -> None:
    with Sandbox(seed=None) as sb:
        client = _portal(sb, text)
        before = sb.associations("deals", "contacts")
        source = _sheet(tmp_path / f"in{suffix}", _rows(column, text), CELLS[column])
        run = JOBS[job]
        first = run(source, client, progress=False)
        assert _row_two(first) == [["invalid", "FORMULA_ERROR"]]
        retry = hf.export_retry(first, tmp_path / f"retry{suffix}")
        again = run(retry, client, progress=False)
        assert _row_two(again) == [["invalid", "FORMULA_ERROR"]]
        said = _shown(text) if column == "label" else text
        assert again.loc[again["row"] == 2, "error_message"].str.contains(said, regex=False).all()
        if column == "label":
            assert _formula_written(_written(retry), text)
        after = sb.associations("deals", "contacts")
        if job == "associate":  # nothing new under the formula's text
            assert len(after) == len(before)


def _shown(text: str) -> str:
    """The error value a formula or error cell is written back as."""
    return "#N/A" if text.startswith("=") else text


def _formula_written(cell: object, text: str) -> bool:
    """The retry file holds the label cell as an error value, never a live formula."""
    if isinstance(cell, tuple):
        return cell == (_shown(text), "e")
    return cell == _shown(text)  # bare: Excel reads the error, hubframe refuses it


LIMIT_CASES = list(itertools.product([".xlsx", ".csv"], [2, 3, 1], TEXTS))


@pytest.mark.parametrize(("suffix", "at", "text"), LIMIT_CASES)
def test_a_limits_retry_file_refuses_the_formula_or_error_again(
    tmp_path: Path, suffix: str, at: int, text: str
) -> None:
    with Sandbox(seed=None) as sb:
        for name in ("X", "Y", text):
            sb.add_label("deals", "contacts", name)
        client = client_for(sb)
        first_row = ["deals", "contacts", "X", "3"]
        first_row[at] = text
        rows = [
            ["From type", "To type", "Label", "Max"],
            first_row,
            ["deals", "contacts", "Y", "4"],
        ]
        source = _sheet(tmp_path / f"in{suffix}", rows, at)
        first = hf.configure_limits(source, client, progress=False)
        assert _row_two(first) == [["invalid", "FORMULA_ERROR"]]
        retry = hf.export_retry(first, tmp_path / f"retry{suffix}")
        again = hf.configure_limits(retry, client, progress=False)
        assert _row_two(again) == [["invalid", "FORMULA_ERROR"]]
        assert _limited(sb, text) == []


def _limited(sb: Sandbox, label: str) -> list[object]:
    """The limits the portal holds for the label named ``label``."""
    limits = sb.limits("deals", "contacts")
    names = sb.labels("deals", "contacts")
    ids = names.loc[names["label"] == label, "type_id"].astype(int).tolist()
    return limits.loc[limits["type_id"].astype(int).isin(ids)].values.tolist()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("text", ["=SUM(A1)", "#N/A", "=B2"])
def test_a_label_held_as_text_stays_text_in_the_retry_file(
    tmp_path: Path, suffix: str, text: str
) -> None:
    """A label cell held as text (a workbook's text cell, a guarded CSV cell) whose row is
    still to do for another reason (its contact is no record) is written as text: read back,
    it is the label, and the row is refused for its contact alone."""
    with Sandbox(seed=None) as sb:
        client = _portal(sb, text)
        rows = [HEADER, ["deals", "101", "contacts", "999", text, "=HYPERLINK(1)"]]
        source = _sheet(tmp_path / f"in{suffix}", rows, None)
        first = hf.associate(source, client, progress=False)
        assert first["error_code"].tolist() != ["FORMULA_ERROR"]
        retry = hf.export_retry(first, tmp_path / f"retry{suffix}")
        back = hf.read_pairs(retry)
        assert back["label"].tolist() == [text]
        assert "FORMULA_ERROR" not in hf.validate_pairs(back)["code"].tolist()
        if suffix == ".csv":  # text stays guarded: the note's formula is never run
            line = retry.read_text(encoding="utf-8-sig").splitlines()[1]
            assert f"'{text}" in line and "'=HYPERLINK(1)" in line


def test_a_dataframes_label_stays_text(tmp_path: Path) -> None:
    """A DataFrame's cell is a value: its label "=cmd|' /C calc'!A0" is a label, written
    guarded, never a formula a spreadsheet would run."""
    frame = pd.DataFrame(
        {
            "from_type": ["deals"],
            "from_id": ["101"],
            "to_type": ["contacts"],
            "to_id": ["999"],
            "label": ["=cmd|' /C calc'!A0"],
        }
    )
    with Sandbox(seed=None) as sb:
        client = _portal(sb, "X2")
        first = hf.associate(frame, client, progress=False)
        retry = hf.export_retry(first, tmp_path / "retry.csv")
        assert "'=cmd" in retry.read_text(encoding="utf-8-sig")
        assert hf.read_pairs(retry)["label"].tolist() == ["=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_results_put_together_are_refused_naming_the_cell(tmp_path: Path, suffix: str) -> None:
    """Results whose attrs ``pd.concat`` dropped do not say which label cells were text: a
    refused row's label reading as a formula stops the retry file, naming the row and the
    label (as text it would be sent; as a formula, text would run in Excel)."""
    with Sandbox(seed=None) as sb:
        client = _portal(sb, "=B2")
        one = _sheet(tmp_path / f"one{suffix}", _rows("label", "=B2"), CELLS["label"])
        two = _sheet(tmp_path / f"two{suffix}", _rows("to_id", "#N/A"), CELLS["to_id"])
        results = [hf.associate(p, client, progress=False) for p in (one, two)]
        together = pd.concat(results, ignore_index=True)
        with pytest.raises(hf.InputError, match=r"'=B2' of row 2 of sheet '(Sheet|one\.csv)'"):
            hf.export_retry(together, tmp_path / f"retry{suffix}")
        assert not (tmp_path / f"retry{suffix}").exists()
        alone = hf.export_retry(results[1], tmp_path / f"two_retry{suffix}")  # attrs kept
        again = hf.associate(alone, client, progress=False)
        assert _row_two(again) == [["invalid", "FORMULA_ERROR"]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("given", [".xlsx", ".csv"])
def test_write_pairs_keeps_a_formula_label_a_formula(
    tmp_path: Path, suffix: str, given: str
) -> None:
    rows = [
        ["Deal ID", "Contact ID", "Label"],
        ["101", "201", "=B2"],
        ["101", "202", "#N/A"],
        ["101", "203", "=SUM(A1)"],
    ]
    source = _sheet(tmp_path / f"in{given}", rows, None)
    if given == ".csv":
        source.write_text(
            "Deal ID,Contact ID,Label\n101,201,=B2\n101,202,#N/A\n101,203,'=SUM(A1)\n"
        )
    else:
        book = openpyxl.load_workbook(source)
        ws = book.worksheets[0]
        ws["C2"].data_type, ws["C3"].data_type = "f", "e"
        book.save(source)
    pairs = hf.read_pairs(source)
    expected = [(2, "FORMULA_ERROR"), (3, "FORMULA_ERROR")]
    assert list(hf.validate_pairs(pairs)[["row", "code"]].itertuples(index=False)) == expected
    back = hf.read_pairs(hf.write_pairs(pairs, tmp_path / f"out{suffix}"))
    assert back["label"].tolist() == ["#N/A", "#N/A", "=SUM(A1)"]
    assert list(hf.validate_pairs(back)[["row", "code"]].itertuples(index=False)) == expected


def test_a_workbook_formula_cell_is_no_live_formula(tmp_path: Path) -> None:
    """The retry workbook's cell is the error #N/A, no formula Excel would work out against
    the retry file's rows (``=E3`` there names another row's label, and a save sent it)."""
    with Sandbox(seed=None) as sb:
        client = _portal(sb, "=B2")
        source = _sheet(tmp_path / "in.xlsx", _rows("label", "=B2"), CELLS["label"])
        retry = hf.export_retry(hf.associate(source, client, progress=False), tmp_path / "r.xlsx")
        values = openpyxl.load_workbook(io.BytesIO(retry.read_bytes()), data_only=True)
        assert values.worksheets[0]["E2"].value == "#N/A"
        assert "<f>" not in _sheet_xml(retry)


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()
