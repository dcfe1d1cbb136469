"""A number of an id, type id or limit column formatted as a date or time stops the read,
naming the column, the rows, the number and the format, as ``;;;`` (which shows nothing) does.

Every HubSpot id is past Excel's last date (9999-12-31, serial 2958465): Excel shows such a
cell as ########, no id at all.  Before, the number held was read and sent (associate said
success for ids the analyst never saw), for built-in date formats (14, m/d/yyyy), custom ones
("mm", "h:mm") and a locale's (27-36, 50-58), with either engine, as the engines only turn
numbers up to the last date into dates.  A date read as a date is refused as before (BAD_ID,
BAD_LIMIT); a date column of the analyst's own, and a format whose section for the number
shows no date, read as before."""

from __future__ import annotations

import io
import re
import warnings
import zipfile

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.formatting.rule import Rule
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from workbook_features import read_with

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = demo_ids("deals")[0], demo_ids("contacts")[0]
ENGINES = ["calamine", "openpyxl"]
PAST = 2958466  # the day after Excel's last date

#: custom date and time formats (written in the workbook's numFmts)
CUSTOM = ["mm", "h:mm", "yyyy-mm-dd", "d-mmm", "ss", "[h]", "[Red]m/d/yyyy",
          "[$-409]mmmm d, yyyy", 'yyyy" Q"', "\\#0 mm", "m/d/yy;0", "mm;;"]  # fmt: skip
#: built-in date and time formats, used by number (a locale's 27-36, 50-58 too)
BUILT_IN = [14, 15, 17, 18, 20, 21, 22, 45, 46, 47, 27, 31, 36, 50, 57, 58]
#: elapsed time: the engines read a number of days up to 999999999 as a duration
ELAPSED = ("[h]", 46)
#: formats whose section for a positive number shows no date: read as before
NO_DATE = ['0" days"', "0;m/d/yy", "\\d0", '"mm"0', "[$-409]0", "General", "0"]


def _book(header: list[str], row: list[object], column: int, code: str | int) -> bytes:
    """A sheet of ``header`` and ``row``, the cell of ``column`` (1-based) formatted with
    ``code`` (a built-in format by its number, written with no code, as Excel writes it)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(header)
    ws.append(row)
    ws.cell(2, column).number_format = "@@@@" if isinstance(code, int) else code
    out = io.BytesIO()
    book.save(out)
    return out.getvalue() if isinstance(code, str) else _built_in(out.getvalue(), code)


def _built_in(data: bytes, number: int) -> bytes:
    """The workbook with its one custom format ("@@@@") replaced by the built-in ``number``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/styles.xml":
                found = re.search(rb'<numFmt numFmtId="([0-9]+)" formatCode="@@@@"\s*/>', part)
                assert found is not None
                part = part.replace(found.group(0), b"")
                part = part.replace(
                    b'numFmtId="' + found.group(1) + b'"', b'numFmtId="%d"' % number
                )
            zout.writestr(info, part)
    return out.getvalue()


PAIRS = ["Deal ID", "Contact ID", "Label"]
LIMITS = ["From", "To", "Label", "Type ID", "Max"]
#: the column formatted: (header, its row, the column's number, the number it holds)
COLUMNS = {
    "from id": (PAIRS, [DEAL, CONTACT, "Champion"], 1, DEAL),
    "to id": (PAIRS, [DEAL, CONTACT, "Champion"], 2, CONTACT),
    "type id": (LIMITS, ["deals", "contacts", "Champion", PAST, 5], 4, PAST),
    "limit": (LIMITS, ["deals", "contacts", "Champion", 3, PAST + 7], 5, PAST + 7),
}


def _read(kind: str, data: bytes) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if COLUMNS[kind][0] is PAIRS:
            return hf.read_pairs(data, from_type="deals", to_type="contacts")
        return hf.read_limits(data)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", list(COLUMNS))
@pytest.mark.parametrize("code", [*CUSTOM, *BUILT_IN])
def test_a_number_past_the_last_date_stops_the_read(
    engine: str, kind: str, code: str | int
) -> None:
    header, row, column, held = COLUMNS[kind]
    data = _book(header, row, column, code)
    if code in ELAPSED and kind in ("type id", "limit"):  # a duration of days: a timedelta
        with read_with(engine):
            frame = _read(kind, data)
        assert {"BAD_ID", "BAD_LIMIT"} & set(hf.validate_limits(frame)["code"])
        return
    with read_with(engine), pytest.raises(InputError) as info:
        _read(kind, data)
    said = str(info.value)
    assert f"column '{header[column - 1]}'" in said, said
    assert f"row 2 holds {held}" in said and "as ########" in said, said


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("code", NO_DATE)
def test_a_format_showing_no_date_reads_the_id(engine: str, code: str) -> None:
    with read_with(engine):
        pairs = _read("from id", _book(PAIRS, [DEAL, CONTACT, "Champion"], 1, code))
    assert pairs["from_id"].tolist() == [str(DEAL)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("code", ["yyyy-mm-dd", "h:mm", "[h]:mm", 14, 27])
def test_a_date_column_of_the_analysts_own_reads_as_before(engine: str, code: str | int) -> None:
    header = [*PAIRS, "Since"]
    with read_with(engine):
        pairs = _read("from id", _book(header, [DEAL, CONTACT, "Champion", DEAL], 4, code))
    assert pairs["from_id"].tolist() == [str(DEAL)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("kind", "code"), [("from id", "BAD_ID"), ("type id", "BAD_ID"),
                                            ("limit", "BAD_LIMIT")])  # fmt: skip
@pytest.mark.parametrize("number_format", ["yyyy-mm-dd", "h:mm", 14])
def test_a_date_in_range_keeps_its_refusal(
    engine: str, kind: str, code: str, number_format: str | int
) -> None:
    """A number up to the last date (a type id 3, a limit 5, an id 45000) is read as the date
    Excel shows, and refused as a date."""
    header, row, column, _ = COLUMNS[kind]
    row = [*row[: column - 1], 45000 if kind == "from id" else 3, *row[column:]]
    with read_with(engine):
        frame = _read(kind, _book(header, row, column, number_format))
    validate = hf.validate_pairs if header is PAIRS else hf.validate_limits
    assert code in set(validate(frame)["code"])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_conditional_date_format_stops_the_read(engine: str) -> None:
    """A conditional formatting rule that may show the id column as a date."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(PAIRS)
    ws.append([DEAL, CONTACT, "Champion"])
    rule = Rule(type="expression", formula=["TRUE"])
    rule.dxf = DifferentialStyle(numFmt=NumberFormat(numFmtId=164, formatCode="yyyy-mm-dd"))
    ws.conditional_formatting.add("A2:A10", rule)
    out = io.BytesIO()
    book.save(out)
    with read_with(engine), pytest.raises(InputError, match=r"column 'Deal ID'.*as ########"):
        _read("from id", out.getvalue())


def test_a_date_formatted_id_is_never_sent(sandbox: Sandbox) -> None:
    before = len(sandbox.associations("deals", "contacts"))
    data = _book(PAIRS, [DEAL, CONTACT, "Champion"], 1, 14)
    with pytest.raises(InputError, match="column 'Deal ID'"):
        hf.associate(data, client_for(sandbox), progress=False)
    assert len(sandbox.associations("deals", "contacts")) == before


def test_a_date_formatted_limit_never_sets_a_limit(sandbox: Sandbox) -> None:
    before = sandbox.limits("deals", "contacts")
    data = _book(LIMITS, ["deals", "contacts", None, None, PAST + 7], 5, "mm")
    with pytest.raises(InputError, match="column 'Max'"):
        hf.configure_limits(data, client_for(sandbox), progress=False)
    after = sandbox.limits("deals", "contacts")
    assert after.equals(before)


#: pieces of a format's section: date and time codes, and what shows no date (placeholders,
#: text quoted or escaped, colours, locales, fills and spaces)
DATE_CODES = ["d", "dd", "ddd", "mm", "mmm", "yy", "yyyy", "h", "hh", "ss", "[h]", "[mm]",
              "[ss]", "AM/PM", "m", "s"]  # fmt: skip
NO_DATE_PIECES = ["0", "#", ",", ".", " ", '"dmy hs"', "\\d", "\\m", "[Red]", "[Color12]",
                  "[$-409]", "[$€-407]", "_)", "*-", '" days"', "-", "/"]  # fmt: skip


@st.composite
def _section(draw: st.DrawFn, dated: bool) -> str:
    pieces = draw(st.lists(st.sampled_from(NO_DATE_PIECES), max_size=4))
    if dated:
        at = draw(st.integers(0, len(pieces)))
        pieces.insert(at, draw(st.sampled_from(DATE_CODES)))
    elif not any(p in ("0", "#") for p in pieces):
        pieces.append("0")
    return "".join(pieces)


@settings(max_examples=examples(200), deadline=None)
@given(
    dated=st.booleans(),
    first=st.data(),
    others=st.lists(st.sampled_from(["0", "mm", "", '"x"']), max_size=2),
    value=st.sampled_from([PAST, DEAL, PAST + 0.5, 7.5e14]),
)
def test_property_a_section_shows_a_number_as_a_date_only_with_date_codes(
    dated: bool, first: st.DataObject, others: list[str], value: float
) -> None:
    """The section showing a positive number (the first) decides, whatever the others are."""
    from hubframe.io.numfmt import shows_as_date

    code = ";".join([first.draw(_section(dated)), *others])
    assert shows_as_date(code, value) is dated, code
