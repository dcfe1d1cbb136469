"""Rows the reader would leave out, or read under the wrong header, stop the read naming them.

Before: the header row was the earliest of the first rows with the most recognised names, and
every row above it was a "title block", dropped unseen -- pairs typed above the header, or a
whole first block whose header named fewer columns than a second block's.  A second block
whose header put the columns in another order was read under the first header: its contact
ids sent as deal ids and its deal ids as contact ids (only its header row was refused).  And
the openpyxl reading cut every row to the header's width, losing a row whose only cell was
right of it (calamine kept it).
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence

import pytest
from fuzzseeds import seeds
from openpyxl import Workbook
from workbook_features import read_with

import hubframe as hf
from hubframe.errors import InputError

DEALS = [str(7_100_000_001 + i) for i in range(40)]
CONTACTS = [str(8_100_000_001 + i) for i in range(40)]
Rows = Sequence[Sequence[object]]


def _xlsx(rows: Rows) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: Rows) -> bytes:
    return "".join(",".join("" if c is None else str(c) for c in r) + "\n" for r in rows).encode()


def _read(rows: Rows, kind: str) -> object:
    data = _xlsx(rows) if kind == "xlsx" else _csv(rows)
    return hf.read_pairs(data, from_type="deals", to_type="contacts")


KINDS = ["xlsx", "csv"]


@pytest.mark.parametrize("kind", KINDS)
def test_pairs_above_the_header_stop_the_read_naming_them(kind: str) -> None:
    rows = [
        [DEALS[0], CONTACTS[0]],
        [DEALS[1], CONTACTS[1]],
        ["Deal ID", "Contact ID"],
        [DEALS[2], CONTACTS[2]],
    ]
    with pytest.raises(InputError, match=r"header is row 3, and rows 1, 2 above it") as info:
        _read(rows, kind)
    assert DEALS[0] in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_first_block_under_a_shorter_header_stops_the_read(kind: str) -> None:
    """A later header naming more columns (a second block, with labels) was taken, and the
    first block's rows were a title -- small ids too, which do not look like record ids."""
    rows: list[list[object]] = [["Deal ID", "Contact ID"]]
    rows += [[str(101 + i), str(201 + i)] for i in range(5)]
    rows += [[], ["Deal ID", "Contact ID", "Association label"], [DEALS[9], CONTACTS[9], "x"]]
    with pytest.raises(InputError, match=r"row 1 is a header too, and rows 2, 3, 4, 5, 6"):
        _read(rows, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_title_block_above_the_header_is_still_read_past(kind: str) -> None:
    rows: list[list[object]] = [
        ["Deals to contacts, Q3", None],
        ["Owner: Sam", "exported 30 Nov"],
        ["Portal ID", 4412345],  # one number is a title's
        [],
        ["Deal ID", "Contact ID"],
    ]
    rows += [[DEALS[i], CONTACTS[i]] for i in range(3)]
    pairs = _read(rows, kind)
    assert pairs["from_id"].tolist() == DEALS[:3]  # type: ignore[index]
    assert pairs["row"].tolist() == [6, 7, 8]  # type: ignore[index]


@pytest.mark.parametrize("kind", KINDS)
def test_a_group_row_right_above_the_header_is_read_past(kind: str) -> None:
    rows: list[list[object]] = [["Deals", "Contacts"], ["Deal ID", "Contact ID"]]
    rows += [[DEALS[i], CONTACTS[i]] for i in range(2)]
    pairs = _read(rows, kind)
    assert pairs["to_id"].tolist() == CONTACTS[:2]  # type: ignore[index]


@pytest.mark.parametrize("kind", KINDS)
def test_rows_of_headings_above_a_fuller_header_are_a_title(kind: str) -> None:
    """A group row naming two columns this reader knows ("From | To"), then the objects'
    names: headings, not a block of rows -- the header under them is read."""
    rows: list[list[object]] = [
        ["From", "To", None],
        ["Deal", "Contact", None],
        ["Deal ID", "Contact ID", "Association label"],
        [DEALS[0], CONTACTS[0], ""],
    ]
    pairs = _read(rows, kind)
    assert pairs["from_id"].tolist() == DEALS[:1]  # type: ignore[index]
    assert pairs["row"].tolist() == [4]  # type: ignore[index]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("second", [["Contact ID", "Deal ID"], ["Association label", "Deal ID"]])
def test_a_header_repeated_in_another_order_stops_the_read(kind: str, second: list[str]) -> None:
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Association label"]]
    rows += [[DEALS[0], CONTACTS[0], ""], [], [*second, ""], [CONTACTS[1], DEALS[1], ""]]
    with pytest.raises(InputError, match=r"row 4 repeats the header in another order") as info:
        _read(rows, kind)
    assert f"'{second[0]}' under" in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_repeated_in_its_order_is_one_refused_row(kind: str) -> None:
    rows: list[list[object]] = [["Deal ID", "Contact ID"], [DEALS[0], CONTACTS[0]]]
    rows += [["Deal ID", "Contact ID"], [DEALS[1], CONTACTS[1]]]
    pairs = _read(rows, kind)
    issues = hf.validate_pairs(pairs)  # type: ignore[arg-type]
    assert set(issues["row"]) == {3}
    assert pairs["from_id"].tolist()[-1] == DEALS[1]  # type: ignore[index]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_cell_right_of_the_header_keeps_its_row_with_either_engine(engine: str) -> None:
    rows = [
        ["Deal ID", "Contact ID"],
        [DEALS[0], CONTACTS[0]],
        [None, None, None, CONTACTS[1]],  # typed two columns too far right
        [DEALS[2], CONTACTS[2]],
    ]
    with read_with(engine):
        pairs = hf.read_pairs(_xlsx(rows), from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [2, 3, 4]
    assert pairs["Unnamed: 3"].tolist()[1] == CONTACTS[1]


@pytest.mark.parametrize("seed", seeds(40))
@pytest.mark.parametrize("kind", KINDS)
def test_seeded_layouts_read_every_pair_or_stop(seed: int, kind: str) -> None:
    """A table under title rows of text, with pairs or a header block perhaps put above its
    header: every pair is read with its own ids and row, or the read stops naming a row."""
    rng = random.Random(seed)
    titles: list[list[object]] = [
        [rng.choice(["Deals", "Q3 links", "Owner: Sam", "Notes", ""]), None]
        for _ in range(rng.randint(0, 4))
    ]
    count = rng.randint(1, 8)
    body: list[list[object]] = [[DEALS[i], CONTACTS[i]] for i in range(count)]
    misplaced = rng.choice(["none", "pair", "block"])
    above: list[list[object]] = []
    if misplaced == "pair":
        above = [[DEALS[30], CONTACTS[30]]]
    elif misplaced == "block":
        above = [["Deal ID", "Contact ID"], [DEALS[31], CONTACTS[31]], []]
    header: list[object] = ["Deal ID", "Contact ID"] + (["Label"] if misplaced == "block" else [])
    rows = titles + above + [header] + body
    if misplaced != "none":
        with pytest.raises(InputError, match=r"row \d+"):
            _read(rows, kind)
        return
    pairs = _read(rows, kind)
    start = len(titles) + 2
    assert pairs["from_id"].tolist() == DEALS[:count]  # type: ignore[index]
    assert pairs["to_id"].tolist() == CONTACTS[:count]  # type: ignore[index]
    assert pairs["row"].tolist() == list(range(start, start + count))  # type: ignore[index]


@pytest.mark.parametrize("kind", KINDS)
def test_one_cell_naming_another_column_is_a_cell(kind: str) -> None:
    """A header is two cells at least: one id cell reading "Label" (or a label "Deal ID") is a
    bad cell of its row (refused by validation, or by the run for a label) -- not a header
    that stops the read."""
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Label"]]
    rows += [[DEALS[0], "LABEL", ""], [DEALS[1], CONTACTS[1], "Deal ID"]]
    pairs = _read(rows, kind)
    assert pairs["row"].tolist() == [2, 3]  # type: ignore[index]
    issues = hf.validate_pairs(pairs)  # type: ignore[arg-type]
    assert set(issues["row"]) == {2}  # the id "LABEL"; a label is checked against HubSpot's
    assert pairs["label"].tolist()[1] == "Deal ID"  # type: ignore[index]
