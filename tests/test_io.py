"""read_pairs / read_limits: sources, encodings, delimiters, Excel, headers, the output contract."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hubframe.constants import LIMIT_COLUMNS, PAIR_COLUMNS
from hubframe.errors import InputError
from hubframe.io import read_limits, read_pairs, sheet_headers
from hubframe.io.cells import cells_to_arrow, cells_to_text
from hubframe.io.columns import HeaderError

GOLDEN = Path(__file__).parent / "golden"
HEAD = ["sheet", "row", *PAIR_COLUMNS]
CSV_VARIANTS = [
    "pairs_utf8.csv",
    "pairs_bom.csv",
    "pairs_semicolon_cp1252.csv",
    "pairs_tab.tsv",
    "pairs_utf16.txt",
]


#: Every test here runs in both pandas text representations (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("text_mode")


@pytest.mark.parametrize("reader", ["read_pairs", "read_limits", "read_labels"])
def test_a_csv_whose_name_is_not_utf8_reads_like_any_other(tmp_path: Path, reader: str) -> None:
    """A latin-1 name (old zips and shares make them): 'the file could not be read
    (UnicodeEncodeError ...). If it opens in Excel, save it again', though its bytes read
    under any other name.  Its sheet is named with U+FFFD for the byte, as reports write it."""
    import os

    from hubframe.io.labels import read_labels

    content = b"From type,To type,Deal ID,Contact ID,Label,Limit\ndeals,contacts,1,2,Champion,5\n"
    if reader == "read_labels":  # a sheet of record ids is a pairs sheet, not a labels sheet
        content = b"From type,To type,Label\ndeals,contacts,Champion\n"
    named = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"Kontakte_M\xe4rz.csv")))
    named.write_bytes(content)
    plain = tmp_path / "plain.csv"
    plain.write_bytes(content)
    read = {"read_pairs": read_pairs, "read_limits": read_limits, "read_labels": read_labels}
    try:
        got = read[reader](named)
    except InputError as refused:  # its words hold the name's escape, which xdist cannot send
        raise AssertionError(ascii(str(refused))) from None
    expected = read[reader](plain)
    assert got["sheet"].tolist() == ["Kontakte_M\ufffdrz.csv"]
    pd.testing.assert_frame_equal(got.drop(columns="sheet"), expected.drop(columns="sheet"))


@pytest.mark.parametrize("name", CSV_VARIANTS)
def test_csv_variants_read_the_same(name: str) -> None:
    pairs = read_pairs(GOLDEN / name)
    assert list(pairs.columns[: len(HEAD)]) == HEAD
    assert pairs["sheet"].unique().tolist() == [name]
    assert pairs["row"].tolist() == [2, 3, 4, 5]
    assert pairs["from_type"].tolist() == ["deals"] * 4
    assert pairs["to_type"].tolist() == ["contacts"] * 4
    assert pairs["from_id"].tolist()[:2] == ["2040000001", "2040000002"]
    assert pairs["from_id"].iloc[2] in ("1.01936E+11", "1,01936E+11")
    assert pairs["to_id"].tolist() == ["101", "102", "103", "101"]
    assert pairs["type_id"].dtype == "Int64"
    info = pairs.attrs["hubframe"]
    assert info["kind"] == "pairs" and info["source"] == name
    assert info["original_columns"] == ["From Type", "From ID", "To Type", "To ID", "Label"]
    assert info["column_map"]["From ID"] == "from_id"
    assert pairs["From Type"].tolist()[1] == "Deal"  # the original cell, unchanged


def test_cp1252_labels_decoded() -> None:
    pairs = read_pairs(GOLDEN / "pairs_semicolon_cp1252.csv")
    assert pairs["label"].tolist() == ["Décideur"] * 4


def test_empty_label_is_na_and_a_label_argument_never_overrides_a_cell_unseen() -> None:
    pairs = read_pairs(GOLDEN / "pairs_utf8.csv")
    assert pairs["label"].isna().tolist() == [False, True, False, False]
    # "the label for every row" against cells naming another: before, the cells won unseen
    with pytest.raises(HeaderError, match=r'"Decision maker" in rows 2, 4, 5\)'):
        read_pairs(GOLDEN / "pairs_utf8.csv", label="Champion")
    agreeing = read_pairs(GOLDEN / "pairs_utf8.csv", label="decision maker")  # case aside
    assert agreeing["label"].tolist() == ["decision maker"] * 4  # read as the argument


def test_title_block_semicolon_ids_and_blank_lines_in_csv() -> None:
    pairs = read_pairs(GOLDEN / "export_title.csv", from_type="deal", to_type="contact")
    assert pairs["row"].tolist() == [5, 5, 5, 6, 8]
    assert pairs["to_id"].tolist()[:3] == ["101", "102", "103"]
    assert pd.isna(pairs["to_id"].iloc[3])
    assert pairs["Notes"].tolist() == ["first"] * 3 + ["no contacts", ""]
    assert pairs["from_type"].unique().tolist() == ["deals"]


def test_excel_title_block_exact_numbers_and_all_sheets() -> None:
    pairs = read_pairs(GOLDEN / "pairs_title.xlsx", sheet="*")
    assert pairs["sheet"].tolist() == ["Links"] * 5 + ["More"]
    assert pairs["row"].tolist() == [5, 6, 8, 9, 9, 2]
    assert pairs["from_id"].iloc[0] == "2040000001"
    assert pairs["to_id"].tolist() == ["101", "102", "103", "104", "105", "106"]
    assert "e+19" in pairs["from_id"].iloc[2]  # beyond 2**53: kept as text, validate flags it
    assert pairs["Amount"].tolist()[:2] == ["1500.5", "20"]
    assert pairs["Signed"].tolist()[:2] == ["TRUE", "FALSE"]
    assert pairs["Signed"].iloc[3] == "2025-07-02 09:30:00"
    assert pairs.attrs["hubframe"]["skipped_sheets"] == [
        {"sheet": "Notes", "reason": "no recognised columns", "holds_rows": False},
        {"sheet": "Empty", "reason": "empty", "holds_rows": False},
    ]
    assert pairs.attrs["hubframe"]["sheets_read"] == ["Links", "More"]
    assert pairs["from_type"].unique().tolist() == ["deals"]  # from the "Deal ID" header


def test_excel_sheet_by_name_and_number() -> None:
    by_name = read_pairs(GOLDEN / "pairs_title.xlsx", sheet="more")
    by_number = read_pairs(GOLDEN / "pairs_title.xlsx", sheet=1)
    assert by_name["to_id"].tolist() == by_number["to_id"].tolist() == ["106"]
    # the message lists the sheets with the positions sheet= takes (why the text is checked)
    with pytest.raises(InputError, match="Sheets in the workbook: 0 'Links', 1 'More'"):
        read_pairs(GOLDEN / "pairs_title.xlsx", sheet="Nope")
    with pytest.raises(InputError, match="empty"):
        read_pairs(GOLDEN / "pairs_title.xlsx", sheet="Empty")


def test_excel_data_not_starting_at_a1() -> None:
    pairs = read_pairs(GOLDEN / "pairs_offset.xlsx")
    assert pairs["row"].tolist() == [4]
    assert pairs[["from_type", "from_id", "to_id"]].iloc[0].tolist() == [
        "companies",
        "501",
        "502",
    ]


def test_bytes_and_file_objects_detect_the_format() -> None:
    data = (GOLDEN / "pairs_title.xlsx").read_bytes()
    from_bytes = read_pairs(data)
    assert from_bytes.attrs["hubframe"]["source"] == "<bytes>"
    assert from_bytes["sheet"].iloc[0] == "Links"
    handle = io.BytesIO((GOLDEN / "pairs_utf8.csv").read_bytes())
    handle.name = "upload.csv"  # type: ignore[attr-defined]
    from_handle = read_pairs(handle)
    assert from_handle["sheet"].iloc[0] == "upload.csv"
    assert len(from_handle) == 4


def test_openpyxl_fallback_reads_what_calamine_reads() -> None:
    from hubframe.io import excel
    from hubframe.io.sheet import Request

    data = (GOLDEN / "pairs_title.xlsx").read_bytes()
    request = Request("pairs", "x.xlsx", None, None, None)
    calamine = excel.Workbook(data, "x.xlsx").grid(excel.SheetInfo("Links", 0))
    fallback = excel._openpyxl_grid(data, "Links")
    a = excel._grid_sheet(calamine, request)
    b = excel._grid_sheet(fallback, request)
    assert a.rows.tolist() == b.rows.tolist()
    assert a.data.to_numpy().tolist() == b.data.to_numpy().tolist()


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("protected.xlsx", "password-protected"),
        ("corrupt.xlsx", "damaged"),
    ],
)
def test_unreadable_workbooks(name: str, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern) as info:
        read_pairs(GOLDEN / name)
    assert name in str(info.value)


def test_missing_columns_name_file_columns_and_aliases(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal", "Notes"])
    ws.append(["x", "y"])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        read_pairs(path)
    text = str(info.value)
    assert text.startswith("deals.xlsx")
    assert "Columns found: Deal, Notes" in text and "Accepted names:" in text


def test_missing_type_raises_unless_given(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("From ID,To ID\n1,2\n")
    with pytest.raises(InputError, match="from_type"):
        read_pairs(path)
    pairs = read_pairs(path, from_type="Deal", to_type="0-1")
    assert pairs[["from_type", "to_type"]].iloc[0].tolist() == ["deals", "contacts"]
    with pytest.raises(InputError, match="not an object type"):
        read_pairs(path, from_type="dealz", to_type="contacts")


def test_a_type_argument_fills_empty_type_cells_and_never_overrides_one(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("From ID,To Type,To ID\n1,Contact,2\n3,,4\n5,contcts,6\n")
    pairs = read_pairs(path, from_type="deals", to_type="contacts")
    assert pairs["to_type"].tolist() == ["contacts", "contacts", "contcts"]  # the last: invalid
    path.write_text("From ID,To Type,To ID\n1,companies,2\n3,,4\n")
    with pytest.raises(HeaderError, match=r'to_type="contacts" was given .*"companies" in row 2'):
        read_pairs(path, from_type="deals", to_type="contacts")  # before: read as a company's
    assert read_pairs(path, from_type="deals")["to_type"].fillna("").tolist() == ["companies", ""]


def test_explicit_columns_both_directions(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("A,B,C\n11,22,x\n")
    one = read_pairs(
        path, columns={"A": "from_id", "B": "to_id"}, from_type="deals", to_type="contacts"
    )
    two = read_pairs(
        path, columns={"from_id": "A", "to_id": "B"}, from_type="deals", to_type="contacts"
    )
    assert one["from_id"].tolist() == two["from_id"].tolist() == ["11"]
    assert one.attrs["hubframe"]["column_map"] == {"A": "from_id", "B": "to_id"}
    with pytest.raises(InputError, match="not a column of the sheet"):
        read_pairs(path, columns={"Z": "from_id"}, from_type="deals", to_type="contacts")


def test_dataframe_input_rows_and_passthrough() -> None:
    frame = pd.DataFrame(
        {
            "from_type": ["deals", "deals"],
            "from_id": [1.0, 2],
            "to_type": "contacts",
            "to_id": ["3", " 4 "],
            "row": ["a", "b"],
        }
    )
    pairs = read_pairs(frame)
    assert pairs["row"].tolist() == [2, 3]
    assert pairs["sheet"].tolist() == ["", ""]
    assert pairs["from_id"].tolist() == ["1", "2"]
    assert pairs["to_id"].tolist() == ["3", "4"]
    assert pairs["row (original)"].tolist() == ["a", "b"]
    assert "from_id" not in pairs.columns[len(HEAD) :]  # same-named original dropped
    again = read_pairs(pairs)
    pd.testing.assert_frame_equal(again, pairs)


def test_read_limits_contract() -> None:
    limits = read_limits(GOLDEN / "limits.csv")
    assert list(limits.columns[:9]) == ["sheet", "row", *LIMIT_COLUMNS, "remove"]
    assert limits["max_to_object_ids"].dtype == "Int64"
    # 'remove' removes; the empty cell (Billing contact) does not: it is a BLANK_LIMIT warning
    assert limits["remove"].tolist() == [False, False, False, True, False] + [False] * 4
    blank = read_limits(GOLDEN / "limits.csv", remove_blank=True)  # unless asked
    assert blank["remove"].tolist() == [False, False, False, True, True] + [False] * 4
    assert limits["max_to_object_ids"].iloc[5] == 0
    assert pd.isna(limits["max_to_object_ids"].iloc[6])
    assert limits["_raw_max_to_object_ids"].iloc[6] == "abc"
    assert limits.columns[-1] == "_raw_max_to_object_ids"


def test_limits_need_a_limit_column(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("From Type,To Type\ndeals,contacts\n")
    with pytest.raises(InputError, match="limit"):
        read_limits(path)


def test_cells_to_text_exact() -> None:
    out = cells_to_text([2040000001.0, 1.5, None, "x", True, 7, float(2**53), np.nan])
    assert out.tolist()[:6] == ["2040000001", "1.5", "", "x", "TRUE", "7"]
    assert out[6] == repr(float(2**53)) and out[7] == ""


def test_empty_and_binary_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_pairs(empty)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02garbage\x00")
    with pytest.raises(InputError, match="binary"):
        read_pairs(binary)
    with pytest.raises(InputError, match="no such file"):
        read_pairs(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a folder"):  # was "no such file"
        read_pairs(tmp_path)


def test_ragged_csv_uses_the_forgiving_reader(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("From ID,To ID\n1,2\n3,4,extra\n5\n")
    pairs = read_pairs(path, from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [2, 3, 4]
    assert pairs["to_id"].isna().tolist() == [False, False, True]


def test_integer_fast_path_matches_text_path(tmp_path: Path) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text("From ID,To ID\n1,2\n30,40\n")
    messy = tmp_path / "messy.csv"
    messy.write_text("From ID,To ID\n1,2\n30,40.0\n")
    a = read_pairs(clean, from_type="deals", to_type="contacts")
    b = read_pairs(messy, from_type="deals", to_type="contacts")
    assert a["to_id"].tolist() == b["to_id"].tolist() == ["2", "40"]
    assert b["To ID"].tolist() == ["2", "40.0"]


cells = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    st.sampled_from(["", " ", ";", "1;2", "1.0", "1,01936E+11", "remove", "deals", "0-1"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=12))
def test_property_any_cells_rows_map_back(rows: list[tuple[str, str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["From ID", "To ID", "Notes"])
    try:
        pairs = read_pairs(frame, from_type="deals", to_type="contacts")
    except InputError:
        return
    counts = pairs.groupby("row").size()
    for position, (from_cell, to_cell, notes) in enumerate(rows):
        if not any(c.strip() for c in (from_cell, to_cell, notes)):
            assert position + 2 not in counts.index
            continue
        expected = _parts(from_cell) * _parts(to_cell)
        assert counts[position + 2] == expected
        mine = pairs[pairs["row"] == position + 2]
        assert mine["Notes"].tolist() == [notes] * len(mine)  # (== on str drops a trailing NUL)
    assert pairs["row"].is_monotonic_increasing


def _parts(cell: str) -> int:
    if ";" not in cell:
        return 1
    return max(1, sum(1 for p in cell.split(";") if p.strip(" \t\r\n\u00a0\ufeff\u200b")))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=8))
def test_property_csv_bytes_never_raise_other_errors(rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    pd.DataFrame(rows, columns=["From ID", "To ID"]).to_csv(buffer, index=False)
    try:
        pairs = read_pairs(buffer.getvalue().encode("utf-8"), from_type="deals", to_type="contacts")
    except InputError:
        return
    assert set(pairs["row"]) <= set(range(2, 2 + 10 * len(rows)))


# --- fast paths and their fallbacks ---------------------------------------------------------

excel_cells = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.sampled_from(["", " ", "7", "x;y"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2040000001.0, 1.5, -0.0, 2.0**53, 1e19, 12.0]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=10**15 - 2, max_value=2**53 + 2),  # whole floats shown as floats
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(excel_cells, min_size=1, max_size=12), st.integers(0, 3))
@example([0.0, 10**15], 0)  # an int a float holds exactly, at Excel's 15 digits: its digits
@example([1.5, -(2**53), None], 0)
def test_cells_to_arrow_gives_the_text_of_cells_to_text(cells: list[object], pick: int) -> None:
    kinds = [cells, [c for c in cells if isinstance(c, float)] or [1.0]]
    kinds += [[c if isinstance(c, str) else None for c in cells]]
    kinds += [[c for c in cells if isinstance(c, int) and not isinstance(c, bool)] or [3]]
    values = np.array(kinds[pick], dtype=object)
    assert cells_to_arrow(values).to_pylist() == cells_to_text(values).tolist()


def test_csv_with_quoted_newlines_and_text_beyond_the_sample(tmp_path: Path) -> None:
    rows = "".join(f"deals,{i},contacts,{i + 1},\n" for i in range(1, 30_000))
    body = 'From Type,From ID,To Type,To ID,Notes\ndeals,5,contacts,6,"two\nlines, quoted"\n'
    path = tmp_path / "quoted.csv"
    path.write_bytes((body + rows + "deals,7,contacts,8,Décideur\n").encode("utf-8"))
    for source in (path, path.read_bytes()):
        pairs = read_pairs(source)
        assert pairs["Notes"].iloc[0] == "two\nlines, quoted"
        assert pairs["row"].iloc[:2].tolist() == [2, 3]
        assert pairs["Notes"].iloc[-1] == "Décideur" and len(pairs) == 30_001


def test_csv_bytes_that_break_utf8_after_the_sample_fall_back(tmp_path: Path) -> None:
    rows = "".join(f"deals,{i},contacts,{i + 1}\n" for i in range(1, 40_000)).encode()
    path = tmp_path / "late.csv"
    path.write_bytes(
        b"From Type,From ID,To Type,To ID\n" + rows + "deals,9,contacts,ü\n".encode("cp1252")
    )
    pairs = read_pairs(path)
    assert pairs["to_id"].iloc[-1] == "ü" and len(pairs) == 40_000


def test_csv_with_only_a_header(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("From Type,From ID,To Type,To ID")  # no newline: pyarrow cannot skip it
    pairs = read_pairs(path)
    assert pairs.empty and list(pairs.columns[: len(HEAD)]) == HEAD


def test_threads_give_the_same_frame_and_issues(monkeypatch: pytest.MonkeyPatch) -> None:
    from hubframe import validate as hv
    from hubframe.io import frame, rows

    path = GOLDEN / "export_title.csv"
    args = {"from_type": "deal", "to_type": "contact"}
    plain = read_pairs(path, **args)
    for module in (frame, rows):
        monkeypatch.setattr(module, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(hv, "PARALLEL_ROWS", 1)
    threaded = read_pairs(path, **args)
    pd.testing.assert_frame_equal(threaded, plain)
    pd.testing.assert_frame_equal(hv.validate_pairs(threaded), hv.validate_pairs(plain))


def test_validate_sees_edits_made_after_reading() -> None:
    from hubframe.validate import validate_pairs

    pairs = read_pairs(GOLDEN / "pairs_utf8.csv")
    assert validate_pairs(pairs)["code"].tolist() == ["BAD_ID", "DUPLICATE_ROW"]
    pairs.loc[0, "from_id"] = "12x"  # the row that row 5 repeated
    pairs.loc[1, "to_type"] = "dealz"
    issues = validate_pairs(pairs)
    assert issues["code"].tolist() == ["BAD_ID", "BAD_OBJECT_TYPE", "BAD_ID"]
    assert issues["value"].tolist()[:2] == ["12x", "dealz"]


# --- sheet_headers (for mapping UIs) -----------------------------------------------------------


def test_sheet_headers_match_what_the_reader_uses() -> None:
    for name in ("pairs_title.xlsx", "pairs_semicolon_cp1252.csv", "pairs_tab.tsv"):
        expected = read_pairs(GOLDEN / name).attrs["hubframe"]["original_columns"]
        assert sheet_headers(GOLDEN / name) == expected, name


def test_sheet_headers_list_columns_the_reader_would_refuse() -> None:
    data = b"Title\n\nRecord ID,Name,Associated Contact IDs,Notes\n1,A,2,x\n"
    with pytest.raises(InputError):
        read_pairs(data)  # no type column, no from_type argument, nothing to infer it from
    assert sheet_headers(data) == ["Record ID", "Name", "Associated Contact IDs", "Notes"]


def test_sheet_headers_of_frames_bytes_and_bad_files() -> None:
    frame = pd.DataFrame({"Deal ID": ["1"], "Deal ID ": ["2"], "": ["x"]})
    assert sheet_headers(frame) == ["Deal ID", "Deal ID.1", "Unnamed: 2"]
    data = (GOLDEN / "pairs_title.xlsx").read_bytes()
    assert sheet_headers(data) == sheet_headers(GOLDEN / "pairs_title.xlsx")
    with pytest.raises(InputError, match=r"corrupt\.xlsx"):
        sheet_headers(GOLDEN / "corrupt.xlsx")


@pytest.mark.parametrize("sheet", ["February", 2, "Sheet1"])
def test_a_sheet_asked_of_a_csv_or_dataframe_is_refused(tmp_path: Path, sheet: object) -> None:
    """A sheet named for a one-table source was ignored: the caller meant a workbook's sheet,
    and the rows of this file would have been sent instead."""
    path = tmp_path / "january.csv"
    path.write_text("Deal ID,Contact ID\n2040000001,1019360001\n")
    frame = pd.DataFrame({"Deal ID": ["2040000001"], "Contact ID": ["1019360001"]})
    for source in (path, frame):
        with pytest.raises(InputError, match="holds one table and no sheets"):
            read_pairs(source, sheet=sheet)  # type: ignore[arg-type]
        for fine in (None, 0, "*"):
            assert len(read_pairs(source, sheet=fine)) == 1  # type: ignore[arg-type]


PAIRS_CSV = "Deal ID,Contact ID\n101,201\n"


def test_a_home_folder_path_is_read_as_pandas_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``read_pairs("~/deals.csv")`` said "no such file (~/deals.csv)"; pandas reads it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "deals.csv").write_text(PAIRS_CSV, encoding="utf-8")
    assert read_pairs("~/deals.csv", from_type="deals", to_type="contacts")["to_id"].tolist() == [
        "201"
    ]


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("https://example.com/deals.csv", "not web addresses: download the file"),
        ("deals.csv ", "spaces at its ends; 'deals.csv' is there"),
        (PAIRS_CSV, "pass io.StringIO(text) or text.encode()"),
        ({"Deal ID": ["101"]}, "pd.DataFrame(...) of it"),
    ],
)
def test_what_is_not_a_file_says_what_was_meant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: object, said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deals.csv").write_text(PAIRS_CSV, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_pairs(given, from_type="deals", to_type="contacts")
    assert said in str(refused.value)


def test_a_file_whose_name_has_a_line_break_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deals\nold.csv"
    path.write_text(PAIRS_CSV, encoding="utf-8")
    assert len(read_pairs(str(path), from_type="deals", to_type="contacts")) == 1


def test_a_run_is_loaded_from_a_home_folder_path_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubframe.jobs import load_run

    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(InputError) as refused:
        load_run("~/report.xlsx")
    assert f"no such file ({tmp_path / 'report.xlsx'})" in str(refused.value)
