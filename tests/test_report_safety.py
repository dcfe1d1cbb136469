"""Reports and retry files are formula-safe everywhere, give back what was uploaded, and hold no
secret (issue 10, sections 5 and 6).

* Round trip: ``export_retry`` then reading the file back gives every value and header exactly
  as uploaded -- for ``.xlsx`` through calamine and ``read_pairs``, for ``.csv`` through a plain
  ``csv`` reader plus :func:`hubframe.formula.unguard` (what ``read_pairs`` applies once io.py
  calls it; the ``read_pairs`` CSV test below is an expected failure until then).
* Safety: no cell or header a spreadsheet would run as a formula -- in ``.xlsx`` no formula
  cells, and every text starting with ``= + - @ tab CR`` carries the quote prefix; in ``.csv``
  every such cell is guarded unless it is a plain number.
* Secrets: a registered token appears in no byte of any file written, in any spelling.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oddcells import NoText, with_cell
from python_calamine import CalamineWorkbook

from hubframe import formula, redaction
from hubframe.io import read_pairs
from hubframe.io.aliases import field_mark
from hubframe.report import export_report, export_retry
from hubframe.report.safety import outgoing_column

ID_COLUMN = "Deal ID"

# --- building result tables ----------------------------------------------------------------------


def _result(columns: dict[str, list[str]], *, sheet: str = "Sheet1") -> pd.DataFrame:
    """A failed result row per value, with the given original columns (and a Deal ID first)."""
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {
            "sheet": [sheet] * n,
            "row": list(range(2, 2 + n)),
            "status": ["failed"] * n,
            "error_code": ["OBJECT_NOT_FOUND"] * n,
            "from_id": [str(2040000001 + i) for i in range(n)],  # a pairs result's own column
            ID_COLUMN: [str(2040000001 + i) for i in range(n)],
            **columns,
        }
    )
    frame.attrs["hubframe"] = {  # as a run's: which columns are the analyst's, what was read
        "kind": "pairs",
        "original_columns": [ID_COLUMN, *columns],
        "column_map": {ID_COLUMN: "from_id"}
        | ({"Association label": "label"} if "Association label" in columns else {}),
    }  # a run reads the label column a read of its headers takes
    return frame


SPECIAL = [
    "=1+2", "+1", "-5", "-", "@Partner", "\t", "\r", "'", "'=x", "''=x", "'-5", "'''@",
    "_x0041_", "_x005F_", "_xFFFE_", "\x01", "\x1f", "-1e5", "+1.5e3", " =x", "=", "@",
    "'plain", "-5 ", "--5", "=HYPERLINK(\"http://x\")", "a\r\nb", "ü", "\u2028", "𝄞",
    "#N/A", "#n/a", " #REF! ", "'#N/A", "''#VALUE!", "Err:502", "#SPILL!", "#1", "#N/A x",
    "\t#N/A", "'\t#N/A", "#N/A\xa0", "\x0b#N/A", "'#REF!\u3000", "\x1c#N/A\x85",
]  # fmt: skip
# No lone surrogates (no UTF-8 file holds them) nor U+FFFE/U+FFFF (XML refuses them): those are
# written as U+FFFD (test_report.test_text_is_escaped_and_kept_exactly).
_PLAIN = st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff")
VALUES = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(_PLAIN, max_size=12),
    st.builds(lambda a, b: a + b, st.sampled_from(SPECIAL), st.text(_PLAIN, max_size=6)),
)
HEADERS = st.sampled_from(["=Label", "@Partner", "+x", "-y", "'=z", "''@", "Notes", "_x0041_"])


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _xlsx_rows(path: Path) -> list[list[Any]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    width = len(rows[0])
    return [[*r, *[""] * (width - len(r))] for r in rows]


def _assert_csv_safe(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if formula.starts_like_formula(cell):
                assert formula.NUMBER.fullmatch(cell), cell


def _assert_xlsx_safe(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and formula.starts_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.value)


# --- the guard itself ----------------------------------------------------------------------------


@given(st.one_of(VALUES, st.text(max_size=30)))
def test_unguard_undoes_guard(text: str) -> None:
    guarded = formula.guard(text)
    assert formula.unguard(guarded) == text
    assert not formula.starts_like_formula(guarded) or formula.NUMBER.fullmatch(guarded)
    assert formula.unguard_column(pa.array([guarded, None])).to_pylist() == [text, None]


def test_error_texts_are_guarded_and_given_back() -> None:
    """An error's text (a label named "#N/A") is guarded in CSV, where Excel and the reader
    would take it for a formula's error; text that only starts with "#" is not."""
    assert formula.guard("#N/A") == "'#N/A" and formula.guard(" #ref! ") == "' #ref! "
    assert formula.guard("'#N/A") == "''#N/A" and formula.guard("Err:502") == "'Err:502"
    assert formula.guard("#1 fan") == "#1 fan" and formula.guard("#N/A x") == "#N/A x"
    assert formula.unguard("'#N/A") == "#N/A" and formula.unguard("'#1 fan") == "'#1 fan"
    column = pa.array(["''\t#N/A", "'#N/A", "'#1", None])
    assert formula.unguard_column(column).to_pylist() == ["'\t#N/A", "#N/A", "'#1", None]


def test_guard_examples() -> None:
    assert formula.guard("=1+2") == "'=1+2"
    assert formula.guard("@Partner") == "'@Partner"
    assert formula.guard("'=x") == "''=x"  # a literal apostrophe survives the round trip
    assert formula.guard("-5") == "-5" and formula.guard("+1.5e3") == "+1.5e3"
    assert formula.guard("'plain") == "'plain" and formula.guard("plain") == "plain"
    assert formula.unguard("'=1+2") == "=1+2" and formula.unguard("'plain") == "'plain"


# --- retry files give back what was uploaded ------------------------------------------------------


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(VALUES, min_size=1, max_size=6),
    header=HEADERS,
)
def test_csv_retry_round_trips_and_is_safe(tmp_path: Path, values: list[str], header: str) -> None:
    result = _result({header: values, "Association label": values[::-1]})
    # each example is another sheet: the last one's .csv retry file is not written over
    (tmp_path / "retry.csv").unlink(missing_ok=True)
    path = export_retry(result, tmp_path / "retry.csv")
    rows = _csv_rows(path)
    _assert_csv_safe(rows)
    back = [[formula.unguard(cell) for cell in row] for row in rows]
    # a header that reads as a second label column ("=Label") makes the retry file mark the
    # columns the run read ("Deal ID [from_id]"): read back, it reads as the run read
    assert [field_mark(h)[0] for h in back[0]] == [ID_COLUMN, header, "Association label"]
    assert [r[1] for r in back[1:]] == values
    assert [r[2] for r in back[1:]] == values[::-1]


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(VALUES, min_size=1, max_size=6),
    header=HEADERS,
)
def test_xlsx_retry_round_trips_and_is_safe(tmp_path: Path, values: list[str], header: str) -> None:
    result = _result({header: values, "Association label": values[::-1]})
    path = export_retry(result, tmp_path / "retry.xlsx")
    _assert_xlsx_safe(path)
    rows = _xlsx_rows(path)
    assert [field_mark(h)[0] for h in rows[0]] == [ID_COLUMN, header, "Association label"]
    assert [r[1] for r in rows[1:]] == values
    assert [r[2] for r in rows[1:]] == values[::-1]


ROUND_TRIP = ["=1+2", "@Partner", "+1", "-5", "'=x", "''@y", "'-5", "\tT", "_x0041_", "a\x01b",
              "  padded  ", "-", "Decision maker", "'plain"]  # fmt: skip


def _pairs_source(tmp_path: Path) -> pd.DataFrame:
    n = len(ROUND_TRIP)
    source = pd.DataFrame(
        {
            ID_COLUMN: [str(2040000001 + i) for i in range(n)],
            "Contact ID": [str(1019360001 + i) for i in range(n)],
            "Association label": ROUND_TRIP,
            "=Notes": ROUND_TRIP[::-1],
        }
    )
    pairs = read_pairs(source, from_type="deals", to_type="contacts")
    return pairs.assign(status="failed")


def test_xlsx_retry_round_trips_through_read_pairs(tmp_path: Path) -> None:
    result = _pairs_source(tmp_path)
    back = read_pairs(
        export_retry(result, tmp_path / "retry.xlsx"), from_type="deals", to_type="contacts"
    )
    assert (
        back.attrs["hubframe"]["original_columns"] == result.attrs["hubframe"]["original_columns"]
    )
    for column in ("Association label", "=Notes", "label"):
        assert back[column].tolist() == result[column].tolist(), column


def test_csv_retry_round_trips_through_read_pairs(tmp_path: Path) -> None:
    result = _pairs_source(tmp_path)
    back = read_pairs(
        export_retry(result, tmp_path / "retry.csv"), from_type="deals", to_type="contacts"
    )
    assert (
        back.attrs["hubframe"]["original_columns"] == result.attrs["hubframe"]["original_columns"]
    )
    for column in ("Association label", "=Notes", "label"):
        assert back[column].tolist() == result[column].tolist(), column


def test_report_headers_and_settings_are_formula_safe(tmp_path: Path) -> None:
    result = _result({"=Evil()": ["=1+2", "-5"], "@Partner": ["@x", "+cmd"]})
    result["error_message"] = ['=HYPERLINK("http://x")', "-"]
    result["Amount"] = [float("-inf"), -5.0]  # -inf is written as text
    result["Mixed"] = pd.Series([float("-inf"), "=x"], dtype=object)
    result.attrs["hubframe"]["original_columns"] += ["Amount", "Mixed"]
    settings = {"source": "=cmd|' /C calc'!A0", "@note": "+1+1"}
    path = export_report(result, tmp_path / "report.xlsx", settings=settings)
    _assert_xlsx_safe(path)
    csv_path = export_report(result, tmp_path / "report.csv", settings=settings)
    rows = _csv_rows(csv_path)
    _assert_csv_safe(rows)
    assert "'=Evil()" in rows[0] and "'@Partner" in rows[0]


def test_sheet_names_from_the_source_survive(tmp_path: Path) -> None:
    """Sheet names are never evaluated; the retry workbook keeps the source's names."""
    result = _result({"Notes": ["a", "b"]})
    result["sheet"] = ["=1+2", "@Q2"]
    path = export_retry(result, tmp_path / "retry.xlsx")
    assert CalamineWorkbook.from_path(str(path)).sheet_names == ["=1+2", "@Q2"]
    _assert_xlsx_safe(path)


# --- secrets are redacted by value everywhere ----------------------------------------------------


TOKEN = "pat-na1-4f3b2a19-7c1d-4e8f-9a6b-0d2c5e7f8a91"
ODD_TOKEN = "tok/with+odd=chars&more"  # URL-encoding changes it


@pytest.fixture
def registered() -> Iterator[None]:
    redaction.register_secret(TOKEN)
    redaction.register_secret(ODD_TOKEN)
    yield
    redaction.forget_secret(TOKEN)
    redaction.forget_secret(ODD_TOKEN)


def _spellings(secret: str) -> list[bytes]:
    raw = secret.encode()
    forms = {
        raw,
        quote(secret, safe="").encode(),
        base64.b64encode(raw).rstrip(b"="),
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        secret.replace("&", "&amp;").encode(),  # as XML would hold it
    }
    return sorted(forms)


def _all_bytes(path: Path) -> list[tuple[str, bytes]]:
    """The file, and for a workbook every part of it, uncompressed."""
    data = path.read_bytes()
    parts = [(path.name, data)]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(path) as zf:
            parts += [(f"{path.name}:{n}", zf.read(n)) for n in zf.namelist()]
    return parts


def _leaky_result() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """The token in cells, messages, headers, sheet names, settings and validation rows."""
    result = _result(
        {
            f"Notes {TOKEN}": [f"pasted {TOKEN} here", "clean", f"={TOKEN}"],
            "Association label": ["a", ODD_TOKEN, f"x{ODD_TOKEN}y"],
            f"Copied {TOKEN.upper()}": [TOKEN.upper(), f"-{TOKEN.swapcase()}", ODD_TOKEN.title()],
        },
        sheet=f"S {TOKEN[:20]}",
    )
    result["error_message"] = [
        f"HubSpot said: Authorization: Bearer {TOKEN}",
        f"https://api.hubapi.com/x?hapikey={quote(ODD_TOKEN, safe='')}",
        None,
    ]
    result.attrs["hubframe"]["source"] = f"upload-{TOKEN}.csv"
    validation = pd.DataFrame(
        {
            "sheet": ["S"],
            "row": [2],
            "column": [f"Notes {TOKEN}"],
            "value": [TOKEN],
            "code": ["BAD_ID"],
            "message": [f"{ODD_TOKEN} is not an id"],
            "severity": ["error"],
        }
    )
    settings: dict[str, object] = {
        "note": TOKEN,  # a key that does not look like a secret
        "base_url": f"https://{TOKEN}@api.hubapi.com/?key={TOKEN}",
        "command": f"hubframe associate --token {TOKEN} pairs.csv",
        "token": TOKEN,
        "auth_header": base64.b64encode(TOKEN.encode()).decode(),
    }
    return result, validation, settings


def test_no_file_holds_a_registered_secret(tmp_path: Path, registered: None) -> None:
    result, validation, settings = _leaky_result()
    written = [
        export_report(result, tmp_path / "r.xlsx", validation=validation, settings=settings),
        export_report(result, tmp_path / "r.csv", validation=validation, settings=settings),
        export_retry(result, tmp_path / "retry.xlsx"),
        export_retry(result, tmp_path / "retry.csv"),
    ]
    for path in written:
        found_mark = False
        for part, data in _all_bytes(path):
            folded = data.lower()  # an upper-cased token gives it away too
            for secret in (TOKEN, ODD_TOKEN):
                for spelling in _spellings(secret):
                    assert spelling.lower() not in folded, (part, spelling)
            found_mark = found_mark or redaction.MARK.encode() in data
            found_mark = found_mark or b"&lt;redacted&gt;" in data
        assert found_mark, path.name  # the cells are there, with the secret taken out
    back = _xlsx_rows(tmp_path / "retry.xlsx")
    assert back[1][1] == f"pasted {redaction.MARK} here" and back[1][2] == "a"


def test_redaction_of_a_frame_is_one_search_when_clean(registered: None) -> None:
    assert redaction.redact_all(["a", "b"]) == ["a", "b"]
    assert redaction.redact_all(["a", f"b{TOKEN}"]) == ["a", f"b{redaction.MARK}"]
    assert redaction.redact(f"{quote(ODD_TOKEN, safe='')}!") == f"{redaction.MARK}!"
    assert not redaction.contains_secret("pat-na1-")


def _cased(text: str, flips: list[bool]) -> str:
    """``text`` with the case of its i-th character swapped where ``flips[i]`` is set."""
    flips = flips + [False] * (len(text) - len(flips))
    return "".join(c.swapcase() if f else c for c, f in zip(text, flips, strict=True))


_AROUND = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


@settings(max_examples=examples(60), deadline=None)
@given(
    flips=st.lists(st.booleans(), max_size=len(TOKEN)),
    before=_AROUND,
    after=_AROUND,
    arrow=st.booleans(),
)
def test_a_secret_in_any_case_is_redacted(
    flips: list[bool], before: str, after: str, arrow: bool
) -> None:
    """Whatever the case of each character, in a message, in a list of texts, in a column of
    either kind of text: the secret is not there once redacted, and the text around it is."""
    redaction.register_secret(TOKEN)
    try:
        text = f"{before}{_cased(TOKEN, flips)}{after}"
        shown = redaction.redact(text)
        assert TOKEN not in shown.lower() and redaction.MARK in shown
        assert redaction.redact_all(["clean", text]) == ["clean", shown]
        assert redaction.contains_secret(text)
        dtype = "str" if arrow else object
        column = pd.Series(["clean", text, None], dtype=dtype)
        cells = outgoing_column(column).tolist()
        assert cells[0] == "clean" and pd.isna(cells[2])
        assert TOKEN not in str(cells[1]).lower() and redaction.MARK in str(cells[1])
    finally:
        redaction.forget_secret(TOKEN)


def test_short_values_are_not_registered() -> None:
    redaction.register_secret("abc")
    assert redaction.redact("abc") == "abc"
    redaction.register_secret(None)


def test_unregistered_text_is_untouched(tmp_path: Path) -> None:
    result = _result({"Notes": ["pat-na1-not-registered-0000"]})
    rows = _csv_rows(export_retry(result, tmp_path / "retry.csv"))
    assert rows[1][1] == "pat-na1-not-registered-0000"
    assert not re.search("redacted", (tmp_path / "retry.csv").read_text(encoding="utf-8-sig"))


def test_a_result_table_with_odd_cells_is_still_written(tmp_path: Path) -> None:
    """A result table edited with an odd object in a cell (an int past int64, a signalling-NaN
    Decimal, a dict in ``status``, an object without a text) made export_report, export_retry
    and write_pairs fail with Python's own errors (ValueError: Exceeds the limit (4300
    digits), InvalidOperation, TypeError: unhashable type: 'dict', RuntimeError); each such
    cell is written as its text, and the report has one row per row."""
    import datetime as dt
    import decimal

    import numpy as np

    import hubframe as hf

    result = pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": ["2040000001", "2040000002"],
            "to_type": "contacts",
            "to_id": ["1019360001", "1019360002"],
            "status": ["failed", "success"],
            "error_code": ["HUBSPOT_VALIDATION", None],
            "error_message": ["no", None],
            "Notes": ["a", "b"],
        }
    )
    odd = [
        10**5000,
        -(2**70),
        decimal.Decimal("sNaN"),
        {"a": 1},
        [1],
        pd.Period("2020", "Y"),
        np.datetime64("2021"),
        NoText(),
        dt.date(2020, 1, 1),
    ]
    for column in ["from_id", "status", "error_message", "Notes"]:
        for value in odd:
            table = with_cell(result, column, value)
            hf.export_report(table, tmp_path / "report.xlsx")
            hf.export_report(table, tmp_path / "report.csv")
            hf.export_retry(table, tmp_path / "retry.csv")
            hf.write_pairs(table, tmp_path / "pairs.xlsx")
            written = pd.read_csv(tmp_path / "report.csv", dtype=str, encoding="utf-8-sig")
            assert len(written) == 2, (column, value)


def test_a_summary_of_a_result_table_with_odd_cells() -> None:
    """summarize failed with TypeError (unhashable type: 'dict'), InvalidOperation or
    ValueError on such a cell in ``status`` or ``error_code``; it counts it by its text."""
    import decimal

    import hubframe as hf

    result = pd.DataFrame(
        {"from_id": ["1", "2"], "to_id": ["3", "4"], "status": ["failed", "success"]}
    )
    result["error_code"] = ["X", None]
    for column in ("status", "error_code"):
        for value in (10**5000, decimal.Decimal("sNaN"), {"a": 1}, [1], NoText()):
            table = with_cell(result, column, value)
            summary = hf.summarize(table)
            assert summary["rows"].tolist()[-1] == 2 and summary["rows"].sum() == 4
