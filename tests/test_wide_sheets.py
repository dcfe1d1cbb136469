"""A wide sheet: refused where it cannot go, and never quadratic in its columns.

A CSV of one row and 20,000 columns (169 KB) was read although a row may hold 16,384 cells
(the check looked only at rows longer than the header), its run spent 15 s building the
result table, and its Excel report took minutes (pandas deep-copied the frame's attrs, which
list every column, into each column taken out) before openpyxl failed with a ValueError
past column 18,278: the run was done and no report came.  Now the header row is held to
``max_row_cells``, the attrs stay out of the per-column work, an Excel report wider than a
sheet (16,384 columns) is refused before anything is written, and the command line refuses an
.xlsx report of a sheet that would be too wide before anything is sent.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.report import excel as report_excel
from hubframe.report.excel import SHEET_COLUMNS
from hubframe.report.safety import outgoing_frame
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids
from hubframe.vocab import Status

DEAL, CONTACT = str(demo_ids("deals")[70]), str(demo_ids("contacts")[170])


def _wide_csv(path: Path, extra: int) -> Path:
    header = ["Deal ID", "Contact ID", *(f"c{i}" for i in range(extra))]
    path.write_text(",".join(header) + "\n" + ",".join([DEAL, CONTACT, *"x" * extra]) + "\n")
    return path


def test_a_header_wider_than_a_row_may_be_is_refused(tmp_path: Path) -> None:
    path = _wide_csv(tmp_path / "wide.csv", 20_000)
    with pytest.raises(InputError, match=r"row 1 has 20,002 cells; hubframe reads at most 16,384"):
        hf.read_pairs(path)


class _Counted:
    """An attrs value that counts its deep copies."""

    copies = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> _Counted:
        _Counted.copies += 1
        return self


def test_writing_a_frame_copies_its_attrs_no_more_than_once() -> None:
    frame = pd.DataFrame({f"c{i}": ["x"] for i in range(120)})
    frame.attrs = {"hubframe": {"original_columns": list(frame.columns), "probe": _Counted()}}
    _Counted.copies = 0
    copy.deepcopy(frame.attrs)
    once = _Counted.copies
    _Counted.copies = 0
    out = outgoing_frame(frame)
    assert out.shape == frame.shape
    assert _Counted.copies <= once  # was once per column (and more): 120 columns, 120 copies


class _Listing(list[str]):
    """A list that counts the times it is read whole."""

    reads = 0

    def __iter__(self) -> Any:
        _Listing.reads += 1
        return super().__iter__()


def test_the_result_table_reads_the_analysts_columns_once() -> None:
    names = [f"c{i}" for i in range(200)]
    frame = pd.DataFrame({"from_id": [DEAL], "to_id": [CONTACT], **{n: ["x"] for n in names}})
    frame.attrs = {"hubframe": {"kind": "pairs", "original_columns": _Listing(names)}}
    _Listing.reads = 0
    table = result_table(frame, {0: Outcome(Status.SUCCESS)}, kind="pairs")
    assert list(table.columns[-200:]) == names
    assert _Listing.reads <= 10  # was once per column


def test_an_excel_file_wider_than_a_sheet_is_refused_before_writing(tmp_path: Path) -> None:
    frame = pd.DataFrame({f"c{i}": ["x"] for i in range(SHEET_COLUMNS + 1)})
    target = tmp_path / "wide.xlsx"
    with pytest.raises(InputError, match=r"16,385 columns, and an Excel sheet holds 16,384"):
        hf.write_pairs(frame, target)
    assert not target.exists()


def test_the_command_line_refuses_a_workbook_report_too_wide_before_sending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_excel, "SHEET_COLUMNS", 40)  # a sheet as wide as 40 columns
    path = _wide_csv(tmp_path / "wide.csv", 30)
    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url]
        assert main(["associate", str(path), "--report", str(tmp_path / "r.xlsx"), *hub]) == 2
        assert "give a .csv path instead. Nothing was sent." in capsys.readouterr().err
        assert not (sb.request_log()["method"] == "POST").any()
        assert main(["associate", str(path), "--report", str(tmp_path / "r.csv"), *hub]) == 0
    report = pd.read_csv(tmp_path / "r.csv", dtype=str, nrows=1)
    assert report["status"].tolist() == ["success"]
