"""Issue 10: one honest result row per input row.

1. Numbers never change silently: forms that could mean another number are BAD_ID / BAD_LIMIT.
2. No row vanishes and every ``row`` is the row Excel shows (property test with the characters
   Python's ``str.splitlines`` treats as line breaks but CSV readers do not).
"""

from __future__ import annotations

import csv
import io
import re
import warnings

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hubframe.errors import CODE_INFO, ErrorCode, InputError, SourceError
from hubframe.io import read_limits, read_pairs
from hubframe.validate import validate_limits, validate_pairs

#: Every test here runs in both pandas text representations (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("text_mode")

ARGS = {"from_type": "deals", "to_type": "contacts"}


def _pairs(text: str, encoding: str = "utf-8") -> tuple[pd.DataFrame, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a reader warning is a lost cell: never acceptable
        pairs = read_pairs(text.encode(encoding), **ARGS)
    return pairs, validate_pairs(pairs)


def _codes(issues: pd.DataFrame, column: str) -> list[str]:
    return issues.loc[issues["column"] == column, "code"].tolist()


def _xlsx(*rows: list[object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- 1. numbers ---------------------------------------------------------------------------------

CSV_REFUSED = [
    '"123,000"',
    "101.000",
    '"1,000"',
    "123.00",
    "①②",
    "¹⁰¹⁹",
    "１２３",
    "𝟏𝟐𝟑",
    "٣٤٥",
    "+123",
    "-5",
    "0x1F",
    "1_000",
    '"1 000"',
    "1'000",
    "123.",
    "12%",
    "$123",
    "NaN",
    "1e3",
    "1234567890123456.0",
]


@pytest.mark.parametrize("cell", CSV_REFUSED)
def test_csv_id_forms_that_could_mean_another_number_are_bad_id(cell: str) -> None:
    pairs, issues = _pairs(f"From ID,To ID\n{cell},7\n")
    assert _codes(issues, "from_id") == ["BAD_ID"]
    assert pairs["from_id"].iloc[0] == next(csv.reader([cell]))[0]  # kept as written
    message = issues["message"].iloc[0]
    assert pairs["from_id"].iloc[0] in message  # what was seen, and what to do:
    assert "digits 0-9" in message or "Format the id column as text" in message


@pytest.mark.parametrize("cell", ["123", " 123 ", "123.0", "00123", "'123"])
def test_csv_id_forms_docs_columns_md_lists(cell: str) -> None:
    pairs, issues = _pairs(f'From ID,To ID\n"{cell}",7\n')
    assert pairs["from_id"].tolist() == ["123"] and issues.empty


def test_unquoted_thousands_in_a_comma_csv_is_an_issue_not_deal_1_contact_19() -> None:
    pairs, issues = _pairs("Deal ID,Contact ID\n1,019,360,003,7\n5,6\n")
    assert pairs["row"].tolist() == [2, 3]
    bad = issues[issues["row"] == 2]
    assert "EXTRA_CELLS" in bad["code"].tolist()
    assert issues[issues["row"] == 3].empty  # the next row is not shifted


@pytest.mark.parametrize(
    ("cell", "ok"),
    [
        (2040000001.0, "2040000001"),
        (123.0, "123"),
        (999_999_999_999_999.0, "999999999999999"),
        (12, "12"),
    ],
)
def test_excel_number_cells_holding_exact_integers_are_ids(cell: object, ok: str) -> None:
    pairs = read_pairs(_xlsx(["Deal ID", "Contact ID"], [cell, 7]), to_type="contacts")
    assert pairs["from_id"].tolist() == [ok]
    assert validate_pairs(pairs).empty


@pytest.mark.parametrize(
    "cell",
    [
        2.0**53,  # floats from 10**15 on may not hold the typed number (Excel: 15 digits)
        2.0**53 + 2,
        1e15,
        1e16,
        123.00000000001,
        -0.0,
        -5.0,
        True,
        "１２３",
        "123,000",
    ],
)
def test_excel_cells_that_are_not_exact_ids_are_bad_id(cell: object) -> None:
    pairs = read_pairs(_xlsx(["Deal ID", "Contact ID"], [cell, 7]), to_type="contacts")
    assert _codes(validate_pairs(pairs), "from_id") == ["BAD_ID"]


LIMITS_REFUSED = ['"1.000"', '"1,000"', "1e3", "10.5", '"1 000"', "+5", "-5", "-0", "５", "5%"]


@pytest.mark.parametrize("cell", LIMITS_REFUSED)
def test_limit_forms_that_could_mean_another_number_are_bad_limit(cell: str) -> None:
    limits = read_limits(f"From Type,To Type,Limit\ndeals,contacts,{cell}\n".encode())
    issues = validate_limits(limits)
    assert issues["code"].tolist() == ["BAD_LIMIT"]
    assert "digits 0-9" in issues["message"].iloc[0]


def test_limits_one_thousand_is_the_same_whatever_the_spelling_or_refused() -> None:
    text = 'From Type,To Type,Limit\ndeals,contacts,1000\ndeals,tickets,"1000.0"\n'
    limits = read_limits(text.encode())
    assert limits["max_to_object_ids"].tolist() == [1000, 1000]
    assert validate_limits(limits).empty
    book = _xlsx(["From Type", "To Type", "Limit"], ["deals", "contacts", 1000.0])
    assert read_limits(book)["max_to_object_ids"].tolist() == [1000]


def test_type_ids_follow_the_same_rule() -> None:
    pairs, issues = _pairs('From ID,To ID,Type ID\n1,2,"3,000"\n3,4,3.0\n')
    assert _codes(issues, "type_id") == ["BAD_ID"]
    assert pairs["type_id"].tolist()[1] == 3


def test_new_code_is_documented() -> None:
    info = CODE_INFO[ErrorCode.EXTRA_CELLS]
    assert info.source == "input" and info.meaning and info.action
    with pytest.raises(InputError):
        read_pairs(b"", **ARGS)


# --- 2. rows ---------------------------------------------------------------------------------

#: Characters str.splitlines() treats as line breaks; CSV readers and Excel do not.
SPLITLINES_ONLY = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", SPLITLINES_ONLY)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_title_line_with_a_splitlines_break_loses_no_row(char: str, encoding: str) -> None:
    pairs, _ = _pairs(f"Report{char}Q3,x\nFrom ID,To ID\n1,2\n3,4\n", encoding)
    assert pairs["row"].tolist() == [3, 4]  # the title is row 1, the header row 2
    assert pairs["from_id"].tolist() == ["1", "3"]


def test_quoted_multiline_title_and_cells_are_one_excel_row_each() -> None:
    text = '"Deals to link\nQ3 review",x\nFrom ID,To ID,Notes\n1,2,"two\nlines"\n3,4,ok\n'
    pairs, issues = _pairs(text)
    assert pairs["row"].tolist() == [3, 4] and issues.empty
    assert pairs["Notes"].tolist() == ["two\nlines", "ok"]


def test_data_cells_with_splitlines_breaks_stay_in_their_row() -> None:
    notes = "".join(SPLITLINES_ONLY)
    pairs, _ = _pairs(f"From ID,To ID,Notes\n1,2,a{notes}b\n3,4,c\n")
    assert pairs["row"].tolist() == [2, 3]
    assert pairs["Notes"].tolist() == [f"a{notes}b", "c"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_newline_style_counts_rows_the_same(newline: str) -> None:
    text = newline.join(["Title", "From ID,To ID", "1,2", "", "3,4", ""])
    pairs, _ = _pairs(text)
    assert pairs["row"].tolist() == [3, 5]  # the blank row 4 is skipped, not renumbered


def test_an_unclosed_quote_is_an_input_error_not_vanished_rows() -> None:
    with pytest.raises(InputError, match=r"row 3.*never closed") as info:
        _pairs('From ID,To ID,Notes\n1,2,ok\n3,4,"oops\n5,6,x\n7,8,y\n')
    assert "<bytes>" in str(info.value)
    pairs, _ = _pairs('From ID,To ID,Notes\n1,2,"closed\nnext line, 5"\n7,8,y\n')
    assert pairs["row"].tolist() == [2, 3]  # a closed quote is a legitimate multi-line cell
    with pytest.raises(InputError, match=r"row 2 .*line 3, which reads as a row"):
        _pairs('From ID,To ID,Notes\n1,2,"closed\n5,6,x"\n7,8,y\n')  # unless it took a row


def test_extra_cells_rows_are_reported_on_every_reader_path(tmp_path: object) -> None:
    long_first = "From ID,To ID\n" + "1," * 50 + "\n5,6\n"
    pairs, issues = _pairs(long_first)
    assert pairs["row"].tolist() == [2, 3]
    assert issues.loc[issues["row"] == 2, "code"].tolist()[0] == "EXTRA_CELLS"
    blank_and_extra = "From ID,To ID\n1,2\n\n3,4,5\n6\n"
    pairs, issues = _pairs(blank_and_extra)
    assert pairs["row"].tolist() == [2, 4, 5]
    assert pairs["to_id"].tolist()[:2] == ["2", "4"]  # not shifted
    assert issues["code"].tolist()[:1] == ["EXTRA_CELLS"] and issues["row"].iloc[0] == 4
    trailing_empty = "From ID,To ID\n1,2,,\n3,4\n"
    assert _pairs(trailing_empty)[1].empty  # empty cells beyond the header are harmless


def test_extra_cells_issue_comes_first_and_stops_the_row() -> None:
    _, issues = _pairs("From ID,To ID\n12a,019,360\n")
    assert issues["code"].tolist()[0] == "EXTRA_CELLS"
    assert issues["column"].tolist()[0] == "extra_cells"
    assert "360" in issues["value"].iloc[0]


def test_limits_extra_cells() -> None:
    limits = read_limits(b"From Type,To Type,Limit\ndeals,contacts,1,000\n")
    assert validate_limits(limits)["code"].tolist()[0] == "EXTRA_CELLS"


# Title and note cells: the splitlines-only breaks, quotes, commas, CR/LF (quoted multi-line
# cells), spaces and a few letters; never a tab, ';' or '|' (they would change the delimiter).
cell_text = st.text(
    alphabet=st.sampled_from([*SPLITLINES_ONLY, '"', ",", "\n", "\r", " ", "x", "é", "1"]),
    max_size=8,
)
ids = st.from_regex(r"[1-9][0-9]{0,9}", fullmatch=True)


def _quoted(cell: str) -> str:
    """RFC 4180 quoting (csv.writer leaves a bare CR unquoted when lines end with LF)."""
    if any(ch in cell for ch in ',"\r\n') or not cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.lists(cell_text, min_size=1, max_size=3), max_size=3),
    body=st.lists(st.tuples(ids, ids, cell_text), min_size=1, max_size=8),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_property_rows_in_equal_rows_out_with_excel_row_numbers(
    titles: list[list[str]], body: list[tuple[str, str, str]], newline: str, encoding: str
) -> None:
    # A title whose first two cells are ids reads as rows of the table above the header: the
    # read refuses it (test_a_title_of_two_ids_above_the_header_is_refused), not this property.
    assume(not any(_two_ids(title) for title in titles))
    # A note whose later lines begin with two ids ("1,1,") reads as rows a stray quote took
    # into one cell: refused (tests/test_csv_swallowed_rows.py), not this property.
    assume(not any(_holds_a_row(note) for _, _, note in body))
    records = [*titles, ["From ID", "To ID", "Notes"], *body]
    text = "".join(",".join(map(_quoted, record)) + newline for record in records)
    if encoding == "latin-1" and not all(ord(ch) < 256 for ch in text):
        encoding = "utf-8"
    data = text.encode(encoding)
    if encoding == "latin-1" and re.search(rb"[\x80-\x9f]", data):
        # bytes 0x80-0x9f read as cp1252's letters, or as Mac Roman's: where both readings
        # are text ("\x85x": "…x" or "Öx") the read refuses, naming the line (io.encoding)
        try:
            pairs = read_pairs(data, **ARGS)
        except SourceError as refused:
            assert "Mac Roman" in str(refused) and "line" in str(refused)
            return
    else:
        pairs = read_pairs(data, **ARGS)
    first = len(titles) + 2  # each title record is one Excel row, then the header row
    assert pairs["row"].tolist() == list(range(first, first + len(body)))
    assert pairs["from_id"].tolist() == [f for f, _, _ in body]
    assert pairs["to_id"].tolist() == [t for _, t, _ in body]
    if encoding != "latin-1":  # latin-1 bytes 0x80-0x9f read as cp1252: same rows, other text
        assert pairs["Notes"].tolist() == [n for _, _, n in body]
    issues = validate_pairs(pairs)
    assert (issues["severity"] == "error").sum() == 0  # repeats are warnings


def _holds_a_row(note: str) -> bool:
    lines = re.split(r"\r\n|\r|\n", note)[1:]
    return any(all(c.strip().isdigit() for c in [*line.split(","), "", ""][:2]) for line in lines)


def _two_ids(title: list[str]) -> bool:
    cells = [cell.strip() for cell in title[:2]]
    return len(cells) == 2 and all(cell.isascii() and cell.isdigit() for cell in cells)


@pytest.mark.parametrize("title", ["1,1", "11,1", '"1 ",1', "1,1,note"])
def test_a_title_of_two_ids_above_the_header_is_refused(title: str) -> None:
    """The row Hypothesis found: ids in both id columns above the header read as rows of the
    table, which the read would leave out: refused, naming the row, not dropped."""
    with pytest.raises(InputError, match="row 1 above it read as rows of the table"):
        read_pairs(f"{title}\nFrom ID,To ID,Notes\n1,1,\n".encode(), **ARGS)


@pytest.mark.parametrize("line", ["sep=;", '"sep=;"', "SEP=;"])
def test_excels_sep_directive_gives_the_delimiter_and_is_not_a_row(line: str) -> None:
    """Excel reads a CSV's first line "sep=;" as the delimiter to use and does not show it:
    row numbers are the ones Excel shows (the header is row 1), and the directive's delimiter
    is used even where another would look likelier."""
    text = f"{line}\r\nDeal ID;Contact ID;Notes\r\n2040000001;1019360001;a,b,c,d,e\r\nx;1;n\r\n"
    pairs = read_pairs(text.encode(), **ARGS)
    assert pairs["row"].tolist() == [2, 3]
    assert pairs["Notes"].tolist() == ["a,b,c,d,e", "n"]
    issues = validate_pairs(pairs)
    assert issues[["row", "code"]].values.tolist() == [[3, "BAD_ID"]]
