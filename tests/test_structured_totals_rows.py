"""A totals row typed by hand below an Excel table is refused (TOTALS_ROW) however its formula
names the column's cells: a structured reference (``=SUM(Table1[Max])``, which Excel writes
when the table column's cells are selected), ``Table1[[#Data],[Max]]`` and the other parts of
a column, the sheet's own name (``=SUM(Limits!B2:B3)``, ``'Q1 limits'!``), a unary "+" or
"@" (``=+SUM(B2:B3)``).  Before, only ``=SUM(B2:B3)`` was refused: the same total written so
was read as its value, a label-less limit row of 8 that configure_limits set as the object
limit (``success``), or a pair 3 -> 3 of counts.  A formula over another column, another
sheet or another sheet's table is read as its value, as before."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table
from workbook_features import read_with

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
TYPES = {"from_type": "deals", "to_type": "contacts"}
ENGINES = ["calamine", "openpyxl"]


def _book(
    title: str,
    rows: list[list[object]],
    ref: str,
    value: str,
    other: list[list[object]] | None = None,
) -> bytes:
    """A sheet ``title`` of ``rows`` whose table Table1 spans ``ref``, every formula saved
    with ``value`` (as Excel saves it); ``other``: a second sheet "Other" with table Table2."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    ws.add_table(Table(displayName="Table1", ref=ref))
    if other is not None:
        second = book.create_sheet("Other")
        for row in other:
            second.append(row)
        second.add_table(Table(displayName="Table2", ref=f"A1:B{len(other)}"))
    out = io.BytesIO()
    book.save(out)
    return _cached(out.getvalue(), value)


def _cached(data: bytes, value: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                part = re.sub(rb"(</f>)<v ?/>", rb"\1<v>" + value.encode() + b"</v>", part)
            zout.writestr(info, part)
    return out.getvalue()


#: totals of the Max column (B2:B3 of table Table1 at A1:B3, 5 and 3: saved 8), as Excel or
#: an analyst writes them; {s}: the sheet's name as a formula gives it
LIMIT_TOTALS = [
    "SUM(Table1[Max])",
    "SUBTOTAL(109,Table1[Max])",
    "SUBTOTAL(9, Table1[Max])",
    "SUM(Table1[[#Data],[Max]])",
    "SUM(Table1[[#All],[Max]])",
    "SUM(table1[ [#Data], [Max] ])",
    "MAX(Table1[Max])",
    "SUM({s}!B2:B3)",
    "SUM({s}!$B$2:$B$3)",
    "{s}!B2+{s}!B3",
    "+SUM(B2:B3)",
    " + SUM(Table1[Max])",
    "@SUM(B2:B3)",
    "_xlfn.SINGLE(SUM(B2:B3))",
    "+B2+B3",
]
#: sheet names, and as a formula names them
SHEETS = {"Limits": "Limits", "Q1 limits": "'Q1 limits'", "Bob's": "'Bob''s'"}


def _limits(title: str, formula: str) -> bytes:
    rows: list[list[object]] = [["Label", "Max"], ["Champion", 5], ["Decision maker", 3], []]
    return _book(title, [*rows, [None, "=" + formula]], "A1:B3", "8")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("title", list(SHEETS))
@pytest.mark.parametrize("call", LIMIT_TOTALS)
def test_a_limits_total_below_a_table_is_refused(engine: str, title: str, call: str) -> None:
    formula = call.format(s=SHEETS[title])
    with read_with(engine):
        frame = hf.read_limits(_limits(title, formula), **TYPES)
    issues = hf.validate_limits(frame)
    refused = issues[issues["code"] == "TOTALS_ROW"]
    assert refused["row"].tolist() == [5], issues.to_string()
    assert "'Max'" in refused["message"].iloc[0]
    assert not set(issues["row"]) & {2, 3}


#: counts of the id columns (A2:A3 and B2:B3 of table Table1 at A1:C3: saved 2); {c}: the
#: column's letter, {n}: its header
PAIR_TOTALS = [
    "COUNT(Table1[{n}])",
    "SUBTOTAL(103,Table1[{n}])",
    "COUNTA(Table1[[#Data],[{n}]])",
    "COUNTA(Deals!{c}2:{c}3)",
    "+COUNT({c}2:{c}3)",
    "@COUNTA({c}2:{c}3)",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("call", PAIR_TOTALS)
def test_a_pairs_count_below_a_table_is_refused(engine: str, call: str, sandbox: Sandbox) -> None:
    header = ["Deal ID", "Contact ID", "Label"]
    counts = ["=" + call.format(c=c, n=n) for c, n in zip("AB", header, strict=False)]
    rows = [header, [DEALS[0], CONTACTS[0], "n"], [DEALS[1], CONTACTS[1], "n"], []]
    data = _book("Deals", [*rows, [*counts, "Total"]], "A1:C3", "2")
    with read_with(engine):
        pairs = hf.read_pairs(data, **TYPES)
    issues = hf.validate_pairs(pairs)
    assert issues[issues["code"] == "TOTALS_ROW"]["row"].tolist() == [5], issues.to_string()
    result = hf.associate(pairs, client_for(sandbox), dry_run=True, progress=False)
    assert result.set_index("row").loc[5, "status"] == "invalid"


#: formulas in the Max column below or in the table that are no total of it: read as 8
NOT_TOTALS = [
    "SUM(Table2[Max])",  # another sheet's table
    "SUM(Other!B2:B3)",  # another sheet's cells
    "SUM(Table1[[Label]:[Max]])",  # two columns
    "SUM(Table1[Label])+8",
    "MIN(Table1[Max],8)",  # a cap: a number beside the cells
    "SUM(Table1[Nope])",  # no such column: #REF! in Excel
    'B2&""',
    "SUM(Table1[[#Headers],[Label]])",
]


@pytest.mark.parametrize("formula", NOT_TOTALS)
def test_other_formulas_below_a_table_read_as_their_values(formula: str) -> None:
    rows: list[list[object]] = [["Label", "Max"], ["Champion", 5], ["Decision maker", 3], []]
    other: list[list[object]] = [["Label", "Max"], ["A", 1], ["B", 7]]
    data = _book("Limits", [*rows, [None, "=" + formula]], "A1:B3", "8", other)
    frame = hf.read_limits(data, sheet="Limits", **TYPES)
    assert frame["max_to_object_ids"].tolist()[-1] == 8
    assert "TOTALS_ROW" not in set(hf.validate_limits(frame)["code"])


#: the table at A1:B4 (header, two rows, a totals row): which references of a cell at row
#: 3 (in it) or 6 (below it) of column B name its own column
OWN = [
    ("SUM([Max])", 3),  # a table's own column, from inside it
    ("SUM([@Max])", 3),
    ("SUM(Table1[@Max])", 3),
    ("SUM(Table1[[#This Row],[Max]])", 3),
    ("SUM(Table1[[#Totals],[Max]])", 6),
    ("SUM(Table1[[#Headers],[#Data],[Max]])", 6),
    ("SUM(Table1[Max])", 6),
    ("SUM(TABLE1[max])", 6),
]
NOT_OWN = [
    ("SUM([Max])", 6),  # no table holds the cell: Excel refuses it
    ("SUM(Table1[Deal ID])", 6),
    ("SUM(Table1[#Data])", 6),  # every column
    ("SUM(Table1[])", 6),
    ("SUM(Table9[Max])", 6),
    ("SUM([1]Limits!B2:B3)", 6),  # another workbook's sheet of that name
    ('SUM("[Max]")', 6),
    ("SUM(Table1[[#This Row],[Deal ID]])", 3),
    ("-SUM(Table1[Max])", 6),
]


@pytest.mark.parametrize(("formula", "row"), OWN + NOT_OWN)
def test_structured_references_are_read_as_their_cells(formula: str, row: int) -> None:
    from hubframe.io.sums import Place, totals_its_column
    from hubframe.io.tables import Table as SheetTable

    table = SheetTable("Table1", 1, 4, 1, 2, 1, 1, ("Deal ID", "Max"))
    place = Place("Limits", [table])
    assert totals_its_column(formula, 2, place, row) is ((formula, row) in OWN)


def test_a_structured_total_never_sets_the_object_limit(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    before = sandbox.limits("deals", "contacts")
    frame = hf.read_limits(_limits("Limits", "SUM(Table1[Max])"), **TYPES)
    result = hf.configure_limits(frame, client, progress=False)
    by_row = result.set_index("row")
    assert by_row.loc[5, "status"] == "invalid" and by_row.loc[5, "error_code"] == "TOTALS_ROW"
    after = sandbox.limits("deals", "contacts")
    unlabeled = lambda f: f[f["label"].isna()]["max_to_object_ids"].tolist()  # noqa: E731
    assert unlabeled(after) == unlabeled(before)


@pytest.mark.parametrize(
    ("earlier", "total"),
    [
        ("SUM('Q1 limits'!B2:B3)", "SUM('Q2 limits'!B2:B3)"),
        ("SUM(Q1!B2:B3)", "SUM('Q2 limits'!B2:B3)"),
    ],
)
def test_a_total_is_found_after_another_sheets_formula_of_its_shape(
    earlier: str, total: str
) -> None:
    """Verdicts were remembered by the formula without its digits, and sheet and table names
    hold digits: a total of the sheet's own column was read as a limit after another sheet's
    formula of the same shape above it (helper-294)."""
    from hubframe.io.sums import Place, aggregate_cells

    cell = '<row r="{0}"><c r="B{0}"><f>{1}</f><v>6</v></c></row>'
    part = (
        "<worksheet><sheetData>"
        + cell.format(4, earlier)
        + cell.format(6, total)
        + "</sheetData></worksheet>"
    ).encode()
    found = list(aggregate_cells(part, [2], Place("Q2 limits")))
    assert [a.row for a in found] == [6], found
