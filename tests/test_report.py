"""Reports and retry files: open what export_report / export_retry write and check it."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import hubframe.report as report
from hubframe import formula
from hubframe.constants import ISSUE_COLUMNS
from hubframe.errors import CODE_INFO, ErrorCode, InputError
from hubframe.report import STATUS_COLOURS, csv_safe, export_report, export_retry, retry_rows

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
RISKY = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"]
ORIGINALS = ["Deal ID", "Contact ID", "Association label", "Notes"]


def _result(statuses: list[str], notes: list[Any] | None = None) -> pd.DataFrame:
    """A result table as associate() returns it (contract columns, original columns last)."""
    n = len(statuses)
    deals = [str(2040000001 + i) for i in range(n)]
    contacts = [str(1019360001 + i) for i in range(n)]
    codes = {"failed": "OBJECT_NOT_FOUND", "invalid": "BAD_ID", "duplicate": "DUPLICATE_ROW"}
    frame = pd.DataFrame(
        {
            "sheet": "Deals",
            "row": pd.array(range(4, 4 + n), dtype="Int64"),
            "from_type": "deals",
            "from_id": deals,
            "to_type": "contacts",
            "to_id": contacts,
            "label": "Decision maker",
            "category": "USER_DEFINED",
            "type_id": pd.array([101] * n, dtype="Int64"),
            "action": "associate",
            "status": statuses,
            "error_code": pd.array([codes.get(s) for s in statuses], dtype="string"),
            "error_message": pd.array(
                [
                    f"Problem with row {4 + i}." if s in codes else None
                    for i, s in enumerate(statuses)
                ],
                dtype="string",
            ),
            "http_status": pd.array([207 if s == "failed" else None for s in statuses], "Int64"),
            "hubspot_category": pd.array([None] * n, dtype="string"),
            "correlation_id": pd.array([None] * n, dtype="string"),
            "batch": pd.array([1] * n, dtype="Int64"),
            "attempts": pd.array([1] * n, dtype="Int64"),
            "Deal ID": [f"{d}.0" for d in deals],  # raw cells, as the analyst typed them
            "Contact ID": contacts,
            "Association label": "Decision maker",
            "Notes": notes if notes is not None else [f"note {i}" for i in range(n)],
        }
    )
    frame.attrs["hubframe"] = {
        "kind": "pairs",
        "source": "deals_contacts.xlsx",
        "original_columns": ORIGINALS,
        "column_map": {"Deal ID": "from_id", "Contact ID": "to_id", "Association label": "label"},
    }
    return frame


MIXED = ["success", "failed", "invalid", "duplicate", "skipped", "planned", "success", "failed"]


def _issues() -> pd.DataFrame:
    rows = [
        ("Deals", 6, "Deal ID", "x", "BAD_ID", "Deal id 'x' is not a number.", "error", 2),
        ("Deals", 7, "Deal ID", "2040000004", "DUPLICATE_ROW", "Repeats row 4.", "warning", 3),
    ]
    return pd.DataFrame(rows, columns=[*ISSUE_COLUMNS, "position"])


def _fill(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def _xml_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml")}


@pytest.fixture
def report_path(tmp_path: Path) -> Path:
    settings = {
        "api_version": "2026-03",
        "dry_run": False,
        "base_url": "http://127.0.0.1:8765/",
        "token": TOKEN,
        "started": pd.Timestamp("2026-03-01 09:30:00").to_pydatetime(),
    }
    return export_report(
        _result(MIXED), tmp_path / "report.xlsx", validation=_issues(), settings=settings
    )


def test_workbook_has_the_four_sheets(report_path: Path) -> None:
    wb = openpyxl.load_workbook(report_path)
    assert wb.sheetnames == ["Summary", "Results", "Errors", "Validation"]


def test_results_sheet_holds_every_row_in_report_order(report_path: Path) -> None:
    ws = openpyxl.load_workbook(report_path)["Results"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:5] == ["sheet", "row", "status", "error_code", "error_message"]
    assert header[5:9] == ORIGINALS
    assert {"from_id", "to_id", "action", "http_status", "batch", "attempts"} <= set(header)
    assert len(rows) == len(MIXED) + 1
    assert [r[2] for r in rows[1:]] == MIXED
    assert [r[1] for r in rows[1:]] == list(range(4, 4 + len(MIXED)))
    # raw analyst values come back untouched, ids stay text, counts stay numbers
    assert rows[1][header.index("Deal ID")] == "2040000001.0"
    assert rows[1][header.index("from_id")] == "2040000001"
    assert rows[2][header.index("http_status")] == 207


def test_results_formatting_fills_freeze_filter_widths(report_path: Path) -> None:
    ws = openpyxl.load_workbook(report_path)["Results"]
    assert ws.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(ws.max_column)
    assert ws.auto_filter.ref == f"A1:{last}{len(MIXED) + 1}"
    for row in range(2, len(MIXED) + 2):
        status = ws.cell(row, 3).value
        assert _fill(ws.cell(row, 3)) == STATUS_COLOURS[status]
    assert _fill(ws.cell(2, 3)) == "C6EFCE"  # success green
    assert _fill(ws.cell(3, 3)) == "FFC7CE"  # failed red
    assert ws.cell(1, 1).font.b
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["E"] > widths["B"] >= 6  # error_message wider than row


def test_errors_sheet_has_failed_and_invalid_rows_only(report_path: Path) -> None:
    ws = openpyxl.load_workbook(report_path)["Errors"]
    rows = list(ws.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["failed", "invalid", "failed"]
    assert [r[1] for r in rows[1:]] == [5, 6, 11]
    assert ws.freeze_panes == "A2"


def test_validation_sheet_lists_issues_without_position(report_path: Path) -> None:
    ws = openpyxl.load_workbook(report_path)["Validation"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(ISSUE_COLUMNS)
    assert [r[4] for r in rows[1:]] == ["BAD_ID", "DUPLICATE_ROW"]
    assert _fill(ws.cell(2, 7)) == "F8CBAD"


def test_validation_sheet_has_headers_when_there_are_no_issues(tmp_path: Path) -> None:
    path = export_report(_result(["success"]), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["Validation"]
    assert list(ws.iter_rows(values_only=True)) == [tuple(ISSUE_COLUMNS)]


def _summary_rows(path: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)["Summary"]
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def test_summary_counts_statuses_and_codes_with_explanations(report_path: Path) -> None:
    rows = _summary_rows(report_path)
    by_first = {r[0]: r for r in rows}
    assert by_first["success"][1] == 2 and by_first["failed"][1] == 2
    assert by_first["invalid"][1] == 1 and by_first["planned"][1] == 1
    assert by_first["total"][1] == len(MIXED)
    info = CODE_INFO[ErrorCode.OBJECT_NOT_FOUND]
    assert by_first["OBJECT_NOT_FOUND"][1:] == (2, "HubSpot", info.meaning, info.action)
    assert by_first["BAD_ID"][2] == "the sheet"
    assert by_first["DUPLICATE_ROW"][1] == 1


def test_summary_shows_settings_but_never_the_token(report_path: Path) -> None:
    by_first = {r[0]: r[1] for r in _summary_rows(report_path)}
    assert by_first["api version"] == "2026-03"
    assert by_first["dry run"] == "no"
    assert by_first["base URL host"] == "127.0.0.1"
    assert by_first["source"] == "deals_contacts.xlsx"
    assert by_first["started"] == "2026-03-01 09:30:00"
    assert "token" not in by_first
    for name, xml in _xml_parts(report_path).items():
        assert TOKEN not in xml, name
        assert "8765" not in xml, name  # only the host of the base URL


def test_summary_has_a_native_bar_chart_of_statuses(report_path: Path) -> None:
    parts = _xml_parts(report_path)
    charts = [x for n, x in parts.items() if n.startswith("xl/charts/chart")]
    assert len(charts) == 1
    assert "<c:barChart>" in charts[0] or "<barChart>" in charts[0]
    assert "'Summary'!$B$12:$B$17" in charts[0]  # one bar per status present
    assert "'Summary'!$A$12:$A$17" in charts[0]
    assert any("drawing" in n for n in parts)


def test_summary_says_so_when_there_are_no_errors(tmp_path: Path) -> None:
    path = export_report(_result(["success", "success"]), tmp_path / "r.xlsx")
    assert ("No errors or warnings.",) in [tuple(v for v in r if v) for r in _summary_rows(path)]


def test_injected_formulas_stay_text_in_xlsx(tmp_path: Path) -> None:
    frame = _result(["failed"] * len(RISKY), notes=RISKY)
    frame["Amount"] = [-5, -1.5, 0, 3, -7, 2]  # numbers, negative ones included
    frame.attrs["hubframe"]["original_columns"] = [*ORIGINALS, "Amount"]
    settings = {"source": '=HYPERLINK("http://x")'}
    path = export_report(frame, tmp_path / "r.xlsx", settings=settings)
    for name, xml in _xml_parts(path).items():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in xml and "<f " not in xml, name
    wb = openpyxl.load_workbook(path)
    for title in ("Results", "Errors"):
        ws = wb[title]
        header = [c.value for c in ws[1]]
        notes, amount = header.index("Notes") + 1, header.index("Amount") + 1
        for i, text in enumerate(RISKY, 2):
            cell = ws.cell(i, notes)
            assert cell.data_type == "s" and cell.value == text
            assert cell.quotePrefix
        assert [ws.cell(i, amount).value for i in range(2, 8)] == [-5, -1.5, 0, 3, -7, 2]
        assert all(ws.cell(i, amount).data_type == "n" for i in range(2, 8))
    source = next(r for r in wb["Summary"].iter_rows() if r[0].value == "source")[1]
    assert source.data_type == "s" and source.value.startswith("=HYPERLINK")


def test_injected_formulas_get_a_quote_in_csv_but_numbers_do_not(tmp_path: Path) -> None:
    frame = _result(["failed"] * len(RISKY), notes=RISKY)
    frame["Amount"] = [-5, -1.5, 0, 3, -7, 2]
    frame["Text number"] = ["-5", "+1", "-1.5e3", "-", "@", "=A1"]
    path = export_report(frame, tmp_path / "r.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # utf-8 BOM for Excel
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["Notes"] for r in rows] == ["'" + t for t in RISKY]
    assert [r["Amount"] for r in rows] == ["-5.0", "-1.5", "0.0", "3.0", "-7.0", "2.0"]
    assert [r["Text number"] for r in rows] == ["-5", "+1", "-1.5e3", "'-", "'@", "'=A1"]
    assert csv_safe(-5) == -5 and csv_safe("plain") == "plain"


def test_csv_report_is_the_results_table(tmp_path: Path) -> None:
    result = _result(MIXED)
    path = export_report(result, tmp_path / "r.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back.columns) == report.report_columns(result)
    assert back["status"].tolist() == MIXED
    assert back["Deal ID"].iloc[0] == "2040000001.0"


def test_text_is_escaped_and_kept_exactly(tmp_path: Path) -> None:
    notes = ["a & b < c > d", "  padded  ", "bell\x07gone", 'quote "q"', "ünïcødé ✓", "",
             "_x0041_", "\ufffe", "lone \ud800"]  # fmt: skip
    result = _result(["success"] * len(notes))
    result["Notes"] = pd.Series(notes, dtype=object)  # Arrow text cannot hold a lone surrogate
    path = export_report(result, tmp_path / "r.xlsx")
    back = pd.read_excel(path, sheet_name="Results", engine="calamine", dtype=str)
    got = back["Notes"].fillna("").tolist()
    assert got == [*notes[:-2], "\ufffd", "lone \ufffd"]  # _xHHHH_ escapes decode exactly
    xml = _xml_parts(path)["xl/worksheets/sheet2.xml"]
    assert "bell_x0007_gone" in xml and "_x005F_x0041_" in xml


def test_other_readers_parse_the_streamed_sheets(tmp_path: Path) -> None:
    path = export_report(_result(MIXED), tmp_path / "r.xlsx")
    back = pd.read_excel(path, sheet_name="Results", engine="calamine", dtype=str)
    assert back["status"].tolist() == MIXED
    assert back["to_id"].iloc[0] == "1019360001"


def test_rows_stream_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hubframe.report.excel as excel

    monkeypatch.setattr(excel, "_CHUNK_ROWS", 3)
    statuses = ["success", "failed"] * 5
    path = export_report(_result(statuses), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["Results"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == list(range(4, 14))
    assert [r[2] for r in rows] == statuses
    xml = _xml_parts(path)["xl/worksheets/sheet2.xml"]
    assert re.findall(r'<row r="(\d+)"', xml) == [str(i) for i in range(1, 12)]


def test_empty_result_exports_headers(tmp_path: Path) -> None:
    path = export_report(_result([]), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb["Results"].max_row == 1
    assert ("total", 0) in [r[:2] for r in _summary_rows(path)]


def test_rejects_other_suffixes_and_non_results(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.xlsx or \.csv"):
        export_report(_result(["success"]), tmp_path / "r.json")
    with pytest.raises(InputError, match="status"):
        export_report(pd.DataFrame({"a": [1]}), tmp_path / "r.xlsx")


# --- Retry files ---------------------------------------------------------------------------------


def test_retry_rows_are_failed_invalid_and_stopped_rows() -> None:
    result = _result(["success", "failed", "invalid", "duplicate", "skipped", "skipped"])
    result.loc[5, "error_code"] = "RATE_LIMITED"  # the run stopped before sending this row
    assert retry_rows(result).tolist() == [False, True, True, False, False, True]


def test_retry_xlsx_has_the_uploaded_layout_and_raw_values(tmp_path: Path) -> None:
    result = _result(["success", "failed", "invalid", "success"], notes=["a", "=b", "c", "d"])
    path = export_retry(result, tmp_path / "retry.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Deals"]
    rows = list(wb["Deals"].iter_rows(values_only=True))
    assert list(rows[0]) == ORIGINALS
    assert rows[1:] == [
        ("2040000002.0", "1019360002", "Decision maker", "=b"),
        ("2040000003.0", "1019360003", "Decision maker", "c"),
    ]
    assert wb["Deals"].cell(2, 4).data_type == "s"


def test_retry_csv_has_the_uploaded_layout(tmp_path: Path) -> None:
    result = _result(["failed", "success", "invalid"])
    path = export_retry(result, tmp_path / "retry.csv")
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert list(back.columns) == ORIGINALS
    assert back["Deal ID"].tolist() == ["2040000001.0", "2040000003.0"]


def test_retry_keeps_only_the_ids_still_to_do_of_a_split_cell(tmp_path: Path) -> None:
    result = _result(["success", "failed", "failed", "success"])
    result["row"] = pd.array([4, 4, 4, 5], dtype="Int64")  # "1019360001;...;...003" was split
    result["Contact ID"] = ["1019360001;1019360002;1019360003"] * 3 + ["1019360004"]
    result["Deal ID"] = ["2040000001.0"] * 3 + ["2040000004"]
    result["from_id"] = ["2040000001"] * 3 + ["2040000004"]
    path = export_retry(result, tmp_path / "retry.csv")
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert back["Contact ID"].tolist() == ["1019360002;1019360003"]
    assert back["Deal ID"].tolist() == ["2040000001.0"]  # not split: the raw cell as it was


def test_retry_from_several_sheets_has_one_sheet_each(tmp_path: Path) -> None:
    result = _result(["failed", "failed", "success"])
    result["sheet"] = ["Q1", "Q2", "Q2"]
    path = export_retry(result, tmp_path / "retry.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Q1", "Q2"]
    assert wb["Q2"].max_row == 2


def test_retry_without_attrs_falls_back_to_unknown_columns(tmp_path: Path) -> None:
    result = _result(["failed"])
    result.attrs = {}
    path = export_retry(result, tmp_path / "retry.csv")
    assert pd.read_csv(path, encoding="utf-8-sig").columns.tolist() == ORIGINALS


def test_a_labels_result_has_no_retry_file(tmp_path: Path) -> None:
    """Before: KeyError 'from_id' (its ``change`` column was taken for a sync's)."""
    result = pd.DataFrame(
        {
            "from_type": ["deals"],
            "to_type": ["contacts"],
            "label": ["New"],
            "inverse_label": [None],
            "change": ["create"],
            "status": ["failed"],
        }
    )
    for attrs in ({"hubframe": {"kind": "labels"}}, {}):
        result.attrs = attrs
        with pytest.raises(InputError, match="labels run has no retry file"):
            export_retry(result, tmp_path / "retry.csv")
    assert not (tmp_path / "retry.csv").exists()


# --- Retry files read back through hubframe.io ----------------------------------------------------


def test_retry_file_round_trips_through_read_pairs(tmp_path: Path) -> None:
    from hubframe.io import read_pairs

    sheet = tmp_path / "deals.csv"
    sheet.write_text(
        "Deal ID,Contact ID,Association label,Notes\n"
        "2040000001,1019360001,Decision maker,ok\n"
        "2040000002,1019360002;1019360003,Champion,=1+2\n"
        "2040000003,12ab,Champion,bad id\n",
        encoding="utf-8",
    )
    pairs = read_pairs(sheet, from_type="deals", to_type="contacts")
    result = pairs.assign(status=["success", "success", "failed", "invalid"])
    for suffix in (".xlsx", ".csv"):
        back = read_pairs(
            export_retry(result, tmp_path / f"retry{suffix}"), from_type="deals", to_type="contacts"
        )
        meta = back.attrs["hubframe"]
        assert meta["original_columns"] == ["Deal ID", "Contact ID", "Association label", "Notes"]
        assert back["from_id"].tolist() == ["2040000002", "2040000003"]
        assert back["to_id"].tolist() == ["1019360003", "12ab"]  # only the id still to do
        assert back["label"].tolist() == ["Champion", "Champion"]
        notes = back["Notes"].tolist()
        if suffix == ".csv":  # guarded in the file; read_pairs takes it off (io/csv.py)
            notes = [formula.unguard(n) for n in notes]
        assert notes == ["=1+2", "bad id"]


def test_limits_retry_file_round_trips_through_read_limits(tmp_path: Path) -> None:
    from hubframe.io import read_limits

    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From object,To object,Label,Max associations\n"
        "deals,contacts,,30\ndeals,contacts,Champion,lots\ncontacts,companies,Employee,remove\n",
        encoding="utf-8",
    )
    limits = read_limits(sheet)
    result = limits.assign(status=["success", "invalid", "failed"])
    back = read_limits(export_retry(result, tmp_path / "retry.xlsx"))
    assert back["label"].tolist() == ["Champion", "Employee"]
    assert back["Max associations"].tolist() == ["lots", "remove"]
    assert back["remove"].tolist() == [False, True]


# --- retry files give back the sheet's own headers and columns --------------------------------

_AWKWARD_HEADERS = [
    "from_type", "from_id", "to_type", "to_id", "label",  # spelled as hubframe's fields
    "status", "row", "error_code", "attempts",  # names hubframe's result table uses
    "Notes", "Notes", "", " Padded ", "Two\nlines",  # repeats, empty, spaces, a line break
]  # fmt: skip
_AWKWARD_ROWS = [
    ["deals", "2040000001", "contacts", "1019360001;1019360002", "Champion",
     "to do", "r1", "mine", "3", "n1", "n2", "blank-header", "p", "t"],
    ["deals", "2040000002", "contacts", "1019360003", "",
     "done?", "r2", "", "", "m1", "m2", "", "q", "u"],
]  # fmt: skip


def _awkward_sheet(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"awkward{suffix}"
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([_AWKWARD_HEADERS, *_AWKWARD_ROWS])
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [_AWKWARD_HEADERS, *_AWKWARD_ROWS]:
            sheet.append([cell or None for cell in row])
        book.save(path)
    return path


def _raw_rows(path: Path) -> list[list[str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [[formula.unguard(c) for c in row] for row in csv.reader(handle)]
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("sheet_kind", [".csv", ".xlsx"])
@pytest.mark.parametrize("retry_kind", [".csv", ".xlsx"])
def test_retry_file_keeps_every_column_and_header_as_written(
    tmp_path: Path, sheet_kind: str, retry_kind: str
) -> None:
    """Columns named like hubframe's fields or result columns, repeated and empty headers: the
    result keeps the analyst's values, and the retry file holds the sheet's own header row and
    cells (one row per source row, split id cells joined again)."""
    from hubframe.io import read_pairs
    from hubframe.run.table import result_table
    from hubframe.run.work import Outcome
    from hubframe.vocab import Status

    pairs = read_pairs(_awkward_sheet(tmp_path, sheet_kind))
    assert len(pairs) == 3  # the ';' cell is two rows
    result = result_table(
        pairs, {p: Outcome(Status.FAILED) for p in range(len(pairs))}, kind="pairs"
    )
    assert result["status (original)"].tolist() == ["to do", "to do", "done?"]
    assert result["row (original)"].tolist() == ["r1", "r1", "r2"]
    assert result["status"].tolist() == ["failed"] * 3
    written = _raw_rows(export_retry(result, tmp_path / f"retry{retry_kind}"))
    assert written == [_AWKWARD_HEADERS, *_AWKWARD_ROWS]


def test_validation_sheet_lists_every_invalid_row_of_a_run(sandbox: Any, tmp_path: Path) -> None:
    """Rows found invalid while the run prepared them (an unknown label) are listed beside the
    sheet's own issues, which a fresh result carries when validation= is not given."""
    from hubframe.jobs import associate
    from hubframe.testing import client_for, pairs_sheet

    sheet = pairs_sheet(
        [("2040000021", "1019360021", "Champion"), ("2040000022", "1019360022", "Champ"),
         ("2040000023", "12ab", ""), ("2040000021", "1019360021", "Champion")]
    )  # fmt: skip
    result = associate(sheet, client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["success", "invalid", "invalid", "duplicate"]
    path = export_report(result, tmp_path / "r.xlsx")
    rows = list(openpyxl.load_workbook(path)["Validation"].iter_rows(values_only=True))[1:]
    assert [(r[1], r[2], r[4], r[6]) for r in rows] == [
        (3, "label", "UNKNOWN_LABEL", "error"),
        (4, "to_id", "BAD_ID", "error"),
        (5, "from_id", "DUPLICATE_ROW", "warning"),
    ]
    assert rows[0][3] == "Champ" and "does not exist" in str(rows[0][5])
    back = report.load_run(path)  # read back: no run facts, the rows still say it
    again = export_report(back, tmp_path / "again.xlsx", validation=None)
    listed = list(openpyxl.load_workbook(again)["Validation"].iter_rows(values_only=True))[1:]
    assert sorted((r[1], r[4]) for r in listed) == [(3, "UNKNOWN_LABEL"), (4, "BAD_ID")]


def test_summary_names_the_sheets_read_and_those_left_out(tmp_path: Path) -> None:
    """A later sheet of pairs is not run by the default read: the report keeps it in view."""
    from hubframe.io import read_pairs
    from hubframe.testing import workbook_bytes

    book = {
        "January": [["Deal ID", "Contact ID"], ["2040000001", "1019360001"]],
        "February": [["Deal ID", "Contact ID"], ["2040000002", "1019360002"]],
        "March": [["Deal #", "Contact #"], ["2040000003", "1019360003"]],
        "Notes": [["call the buyer"], ["budget"]],
    }
    pairs = read_pairs(workbook_bytes(book), from_type="deals", to_type="contacts")
    path = export_report(pairs.assign(status="success"), tmp_path / "report.xlsx")
    by_first = {r[0]: r[1] for r in _summary_rows(path)}
    assert by_first["sheets read"] == "January"
    left_out = str(by_first["sheets not read"])
    assert left_out.startswith("February (it has recognised columns and rows too")
    assert "March (no recognised columns)" in left_out and "Notes" not in left_out


@pytest.mark.parametrize("rows_as", ["int", "float", "text"])
def test_a_sync_report_with_a_validation_table_without_positions(
    tmp_path: Path, rows_as: str
) -> None:
    """A sync's result (its removal rows have no row number) with the issues as printed or read
    from a report (no ``position`` column): the report stopped with "cannot convert NA to
    integer".  Now written, with each invalid row's issue once on the Validation sheet."""
    import hubframe as hf
    from hubframe.sandbox import Sandbox
    from hubframe.testing import client_for

    sheet = pd.DataFrame(
        {
            "from_type": ["deals"] * 2,
            "from_id": ["2040000002"] * 2,
            "to_type": ["contacts"] * 2,
            "to_id": ["1019360099", "abc"],
            "label": ["", ""],
        }
    )
    pairs = hf.read_pairs(sheet)
    issues = hf.validate_pairs(pairs)[list(ISSUE_COLUMNS)]
    issues["row"] = {"int": issues["row"], "float": issues["row"].astype(float)}.get(
        rows_as, issues["row"].astype(str)
    )
    with Sandbox(seed="demo") as sb:
        result = hf.sync(pairs, client_for(sb), allow_removals=True, dry_run=True, progress=False)
    assert result["row"].isna().any()  # the removals read from the portal
    path = export_report(result, tmp_path / "sync.xlsx", validation=issues)
    shown = pd.read_excel(path, sheet_name="Validation", dtype=str, engine="calamine")
    assert shown["code"].tolist() == ["BAD_ID"], shown
