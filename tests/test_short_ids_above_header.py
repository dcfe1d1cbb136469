"""A pair above the header is read or refused, never dropped as a title, whatever its ids'
length.  Before, a row above the header counted as a row of the table only when its ids had
as many digits (give or take one) as the ids sampled below the header: ``1234 | 5678 |
Champion`` or ``51 | 1201 | Champion`` over 11-digit ids (old portals mix them), ``12345678901 |
1234``, a 19-digit id, a deal's 4-digit id beside a contact's email, were read past as a title
without a word -- the association lost -- while ``12345678901 | 98765432101 | Champion`` was
refused.  Titles with numbers (a year, a count, "Page 1 of 3", "Q3 | 2026", a summary of counts
under the objects' names) are still read past."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

import openpyxl
import pytest
from fuzzseeds import seeds

from hubframe.errors import HubframeError
from hubframe.io import read_pairs
from hubframe.testing import xlsx_bytes

HEADER = "Deal ID,Contact ID,Label"
BELOW = "12345678902,98765432102,Champion"
LABELS = ["Champion", "Decision maker", "Billing contact", "", ""]

#: rows above the header that hold a pair, or half of one beside its label: (row, header)
PAIRS = [
    ("1234,5678,Champion", HEADER),
    ("51,1201,Champion", HEADER),
    ("12345678901,1234,", HEADER),
    ("1234,5678,", HEADER),
    ("7,9,", HEADER),
    ("1234,,Champion", HEADER),
    (",51,Champion", HEADER),
    ("1234567890123456789,5,Champion", HEADER),
    ("1234,ann@acme.example", "Deal ID,Contact Email"),
    # ids written with leading zeros (a text column): only a two-digit one is a period's
    ("0101,0202,Champion", HEADER),
    ("0101,0202,", HEADER),
    ("007,1234,", HEADER),
    ("01,1234,Champion", HEADER),
]

#: title blocks read past: (the lines above the header, the header)
TITLES = [
    (['"Deals to link, Q3 2026"'], HEADER),
    (["Export 2026-11-29"], HEADER),
    (["1234"], HEADER),
    (["2026"], HEADER),
    (["Q3"], HEADER),
    (["Page 1 of 3"], HEADER),
    (["Q3,2026"], HEADER),
    (["2026,Q3"], HEADER),
    (["FY,2026"], HEADER),
    (["Total rows,1234"], HEADER),
    (["Rows,1234,5678"], HEADER),
    (["Page,1,of 3"], HEADER),
    (["Deals to link - Q3 review,,", "Prepared by: Ana,,", ",,"], HEADER),
    (["Deals,Contacts", "80,240"], HEADER),
    (["Summary", "Deals,Contacts,Labels", "4,12,2"], HEADER),
    (["1234,", "Page 1 of 3"], "Deal ID,Contact Email"),
    # a row numbering the columns (a template's layout; refused once short ids counted)
    (["1,2,3"], HEADER),
    (["0,1,2"], HEADER),
    (["1,2"], HEADER),
    (["Deals to link", "", "1,2,3"], HEADER),
    # a reporting period (a month with its leading zero is no record id)
    (["2026,01"], HEADER),
    (["Period,2026,01"], HEADER),
    (["01,2026"], HEADER),
]


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _xlsx(lines: list[str]) -> bytes:
    return xlsx_bytes([[_cell(c) for c in cells] for cells in csv.reader(lines)])


def _cell(text: str) -> object:
    """A cell as Excel holds it: a number where it keeps every digit, else text (a leading
    zero kept: a cell formatted as text)."""
    if text.isdigit() and len(text) <= 15 and not (len(text) > 1 and text.startswith("0")):
        return int(text)
    return text or None


def _sources(lines: list[str]) -> dict[str, bytes]:
    return {"csv": _csv(lines), "xlsx": _xlsx(lines)}


def _read_or_refused(data: bytes, pair: tuple[str, str], row: int) -> None:
    """The sheet is refused, or its row ``row`` read with the ids ``pair``."""
    try:
        pairs = read_pairs(io.BytesIO(data), from_type="deals", to_type="contacts")
    except HubframeError as exc:
        assert f"row {row}" in str(exc), str(exc)
        return
    read = pairs[pairs["row"] == row]
    assert not read.empty, f"row {row} ({pair}) dropped: rows read {pairs['row'].tolist()}"
    assert (read["from_id"].fillna("").tolist(), read["to_id"].fillna("").tolist()) == (
        [pair[0]],
        [pair[1]],
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("row", "header"), PAIRS)
def test_a_pair_above_the_header_is_refused_whatever_its_ids_length(
    row: str, header: str, kind: str
) -> None:
    below = BELOW if header == HEADER else "12345678902,bob@acme.example"
    data = _sources([row, header, below])[kind]
    with pytest.raises(HubframeError) as caught:
        read_pairs(io.BytesIO(data), from_type="deals", to_type="contacts")
    assert "row 1" in str(caught.value), str(caught.value)


def _digits(rng: random.Random) -> str:
    length = rng.randint(1, 19)
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(length - 1))


def _pair_row(rng: random.Random) -> tuple[str, str, str]:
    """A row of the table: two ids of random lengths (one left out beside a label, now and
    then) and a label or none."""
    deal, contact, label = _digits(rng), _digits(rng), rng.choice(LABELS)
    if label and rng.random() < 0.2:
        deal, contact = rng.choice([(deal, ""), ("", contact)])
    return deal, contact, label


@pytest.mark.parametrize("seed", seeds(40))
def test_a_random_pair_above_the_header_is_read_or_refused_never_dropped(seed: int) -> None:
    rng = random.Random(seed)
    pair = _pair_row(rng)
    title = rng.choice([[], ['"Deals to link, Q3 2026"'], ["Export 2026-11-29", ""]])
    below = [",".join((_digits(rng), _digits(rng), rng.choice(LABELS))) for _ in range(3)]
    lines = [*title, ",".join(pair), HEADER, *below]
    for kind, data in _sources(lines).items():
        try:
            _read_or_refused(data, (pair[0], pair[1]), len(title) + 1)
        except AssertionError as exc:
            raise AssertionError(f"{kind}, seed {seed}, lines {lines}: {exc}") from None


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("above", "header"), TITLES)
def test_titles_with_numbers_are_read_past(above: list[str], header: str, kind: str) -> None:
    below = BELOW if header == HEADER else "12345678902,bob@acme.example"
    lines = [*above, header, below]
    pairs = read_pairs(io.BytesIO(_sources(lines)[kind]), from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [len(lines)]


def _workbook(first: list[object], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(first)
    if merge:
        sheet.merge_cells(merge)
    sheet.append(HEADER.split(","))
    sheet.append([12345678902, 98765432102, "Champion"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("first", "merge"),
    [
        (["Deals to link, Q3 2026", None, None], "A1:C1"),
        (["Association report 2026", None, None], "A1:B1"),
        ([date(2026, 11, 29)], None),
        ([date(2026, 11, 29), 1234], None),
        (["Exported", date(2026, 11, 29), "by Jane"], None),
        ([1234], None),
    ],
)
def test_workbook_titles_are_read_past(first: list[object], merge: str | None) -> None:
    pairs = read_pairs(io.BytesIO(_workbook(first, merge)), from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [3]
