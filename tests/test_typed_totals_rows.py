"""A totals row typed by hand -- a cell of a limit or record id column whose formula aggregates
cells of its own column (``=SUM(B2:B3)``, ``=SUBTOTAL(9,...)``, ``=COUNT(A2:A3)``, MAX, MIN,
AVERAGE, PRODUCT, COUNTA, AGGREGATE) -- is refused as TOTALS_ROW, naming the row, the column
and the formula, as an Excel table's totals row is.  Before, a label-less row whose Max was
``=SUM(B2:B3)`` (7 saved) was read as the object limit: a run changed deals -> contacts from
25 to 7 and said ``success``.  Other formulas (``=B2``, ``=5``, a VLOOKUP, a SUM of other
columns) are read as their values, as before."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pytest
from workbook_features import read_with

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, xlsx_bytes

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]


def _cached(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook with each formula cell's value saved (cell reference -> value), as a
    spreadsheet app saves it."""

    def fill(m: re.Match[bytes]) -> bytes:
        value = values[m.group(1).decode()].encode()
        return m.group(0).replace(b"<v />", b"<v>" + value + b"</v>")

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = re.sub(rb'<c r="([A-Z]+[0-9]+)"[^>]*><f>[^<]*</f><v /></c>', fill, part)
            zout.writestr(info, part)
    return out.getvalue()


#: (function call, value saved) over the limits 5 and 2 of column {c}, rows 2-3
AGGREGATES = [
    ("SUM({c}2:{c}3)", "7"),
    ("SUM(${c}$2:${c}$3)", "7"),
    ("SUM({c}2,{c}3)", "7"),
    ("SUBTOTAL(9,{c}2:{c}3)", "7"),
    ("SUBTOTAL(109,{c}2:{c}3)", "7"),
    ("_xlfn.AGGREGATE(9,4,{c}2:{c}3)", "7"),
    ("COUNT({c}2:{c}3)", "2"),
    ("COUNTA({c}2:{c}3)", "2"),
    ("AVERAGE({c}2:{c}3)", "3.5"),
    ("MAX({c}2:{c}3)", "5"),
    ("MIN({c}2:{c}3)", "2"),
    ("PRODUCT({c}2:{c}3)", "10"),
    ("SUM( {c}2:{c}3 )", "7"),
    ("{c}2+{c}3", "7"),  # a sum written with "+"
    ("${c}$2 + {c}3", "7"),
]

#: limits layouts: (header, rows of Champion 5 and Decision maker 2, the totals row with the
#: formula in the Max column, read_limits' arguments)
TYPES = {"from_type": "deals", "to_type": "contacts"}
LAYOUTS = {
    "labels": (["Label", "Max"], [["Champion", 5], ["Decision maker", 2]], [None, "F"], TYPES),
    "standard": (
        ["From", "To", "Label", "Max"],
        [["deals", "contacts", "Champion", 5], ["deals", "contacts", "Decision maker", 2]],
        ["deals", "contacts", None, "F"],
        {},
    ),
    "type id": (
        ["From", "To", "Label", "Type ID", "Max"],
        [["deals", "contacts", "Champion", 3, 5], ["deals", "contacts", "Decision maker", 4, 2]],
        [None, None, None, None, "F"],
        {},
    ),
    "category": (
        ["Category", "Label", "Max"],
        [["USER_DEFINED", "Champion", 5], ["USER_DEFINED", "Decision maker", 2]],
        [None, None, "F"],
        TYPES,
    ),
}


def _limits_book(layout: str, call: str, value: str) -> tuple[bytes, dict[str, str], str]:
    header, rows, totals, kwargs = LAYOUTS[layout]
    column = "ABCDE"[header.index("Max")]
    formula = "=" + call.format(c=column)
    book = xlsx_bytes([header, *rows, [formula if c == "F" else c for c in totals]])
    return _cached(book, {f"{column}4": value}), kwargs, formula


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize(("call", "value"), AGGREGATES)
def test_a_typed_totals_row_of_limits_is_refused(
    engine: str, layout: str, call: str, value: str
) -> None:
    data, kwargs, formula = _limits_book(layout, call, value)
    with read_with(engine):
        frame = hf.read_limits(data, **kwargs)
    issues = hf.validate_limits(frame)
    refused = issues[issues["code"] == "TOTALS_ROW"]
    assert refused["row"].tolist() == [4], issues.to_string()
    said = refused["message"].iloc[0]
    assert "'Max'" in said and formula.replace("_xlfn.", "") in said, said
    assert not set(issues["row"]) & {2, 3}


#: formulas that are no totals of their column: read as the values they hold
NOT_TOTALS = [
    ("=B2", "5"),
    ("=5", "5"),
    ('=VLOOKUP("Champion",Labels!A:B,2,FALSE)', "5"),
    ("=SUM(C2:C3)", "7"),  # a sum of another column
    ("=Other!B2+0", "5"),
    ("=B2+C2", "5"),  # cells of other columns
    ("=B2+1", "6"),
    ("=MIN(B2,500)", "5"),  # a cap, not a total: a number beside the cells
    ("=MAX(B2:B3,1)", "5"),
    ("=SUBTOTAL(9,B2:B3,1)", "8"),
]


@pytest.mark.parametrize("call", ["SUM(B2:B3)", "MAX(B2:B3)", "SUBTOTAL(9,B2:B3)"])
def test_a_labels_limit_worked_out_from_the_column_is_read(call: str) -> None:
    """A label's limit computed from the others' (Decision maker = Champion + Economic
    buyer) is the label's own, not a total: only a row without a label would set the object
    limit."""
    book = xlsx_bytes(
        [["Label", "Max"], ["Champion", 5], ["Economic buyer", 2], ["Decision maker", "=" + call]]
    )
    frame = hf.read_limits(_cached(book, {"B4": "7"}), **TYPES)
    assert frame["max_to_object_ids"].tolist()[-1] == 7
    assert "TOTALS_ROW" not in set(hf.validate_limits(frame)["code"])


@pytest.mark.parametrize(("formula", "value"), NOT_TOTALS)
def test_other_formulas_in_a_limit_column_read_as_their_values(formula: str, value: str) -> None:
    book = xlsx_bytes([["Label", "Max"], ["Champion", 5], ["Decision maker", 2], [None, formula]])
    frame = hf.read_limits(_cached(book, {"B4": value}), **TYPES)
    assert frame["max_to_object_ids"].tolist()[-1] == int(value)
    assert "TOTALS_ROW" not in set(hf.validate_limits(frame)["code"])


@pytest.mark.parametrize("call", ["COUNT({c}2:{c}3)", "SUBTOTAL(103,{c}2:{c}3)", "MAX({c}2:{c}3)"])
@pytest.mark.parametrize("columns", ["A", "B", "AB"])
def test_a_typed_totals_row_of_ids_is_refused(call: str, columns: str) -> None:
    totals: list[object] = [None, None, "Total"]
    values = {}
    for c in columns:
        totals["AB".index(c)] = "=" + call.format(c=c)
        values[f"{c}4"] = "2" if "COUNT" in call or "103" in call else DEALS[1]
    rows = [
        ["Deal ID", "Contact ID", "Notes"],
        [DEALS[0], CONTACTS[0], ""],
        [DEALS[1], CONTACTS[1], ""],
    ]
    data = _cached(xlsx_bytes([*rows, totals]), values)
    pairs = hf.read_pairs(data)
    issues = hf.validate_pairs(pairs)
    refused = issues[issues["code"] == "TOTALS_ROW"]
    assert refused["row"].tolist() == [4], issues.to_string()
    said = refused["message"].iloc[0]
    first = columns[0]
    assert (
        call.format(c=first) in said and ("'Deal ID'" if first == "A" else "'Contact ID'") in said
    )


def test_a_shared_totals_formula_copied_across_is_refused() -> None:
    """Typed in A4 and dragged to B4: Excel saves B4's formula as a copy of A4's."""
    rows = [["Deal ID", "Contact ID"], [DEALS[0], CONTACTS[0]], [DEALS[1], CONTACTS[1]], [1, 1]]
    data = xlsx_bytes(rows)
    shared = (
        b'<c r="A4"><f t="shared" ref="A4:B4" si="0">COUNT(A2:A3)</f><v>2</v></c>'
        b'<c r="B4"><f t="shared" si="0"/><v>2</v></c>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = re.sub(rb'<c r="A4".*?</row>', shared + b"</row>", part)
            zout.writestr(info, part)
    issues = hf.validate_pairs(hf.read_pairs(out.getvalue()))
    assert issues[issues["code"] == "TOTALS_ROW"]["row"].tolist() == [4], issues.to_string()


def test_a_typed_sum_row_never_sets_the_object_limit(sandbox: Sandbox) -> None:
    data, kwargs, _ = _limits_book("labels", "SUM({c}2:{c}3)", "7")
    client = client_for(sandbox)
    before = sandbox.limits("deals", "contacts")
    result = hf.configure_limits(hf.read_limits(data, **kwargs), client, progress=False)
    by_row = result.set_index("row")
    assert by_row.loc[4, "status"] == "invalid" and by_row.loc[4, "error_code"] == "TOTALS_ROW"
    after = sandbox.limits("deals", "contacts")
    unlabeled = lambda f: f[f["label"].isna()]["max_to_object_ids"].tolist()  # noqa: E731
    assert unlabeled(after) == unlabeled(before)
    assert isinstance(after, pd.DataFrame)
