"""Columns not read beside the column read (io.rivals), second review.

* A custom object written as its name in one column and its type id in another
  (``p_installations`` beside ``2-7350001``) cannot be told one object or two offline: the
  read goes on (the run resolves names against the portal); standard objects, two names or
  two type ids are still compared.
* A cell read that is no record id but lists the primary another way (``3030002, 3030001``,
  ``3 030 001``) is its row's own ``BAD_ID``, not a stopped read; a side read by a unique
  property (``to_id_property="domain"``) is not compared with a column of record ids.
* A primary cell naming an id not among the row's ids stops the read however the ids in it
  are separated (',' '|' a line break, a space) or when Excel wrote it in scientific notation.
"""

from __future__ import annotations

import io
import random
import warnings
from collections.abc import Iterator

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import DEAL_IDS, INSTALLATION_IDS
from hubframe.testing import client_for, csv_upload

HEADER = ["Record ID", "Deal Name", "Associated Company IDs", "Associated Company IDs (Primary)"]
PRIMARY = HEADER[3]
Rows = list[list[str]]


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _csv(rows: Rows) -> io.BytesIO:
    return csv_upload(rows)


def _deals(rows: Rows, **kwargs: str) -> pd.DataFrame:
    return hf.read_pairs(_csv([HEADER, *rows]), from_type="deals", to_type="companies", **kwargs)


# --- a custom object's name beside its type id -------------------------------------------------

SAME_OBJECT = {
    "pairs, To Type beside Associated Object Type ID": (
        "pairs",
        [
            ["From Type", "From ID", "To Type", "To ID", "Associated Object Type ID"],
            ["deals", "1010001", "p_installations", "5050001", "2-7350001"],
        ],
        {},
    ),
    "pairs, a name with the portal id beside the type id": (
        "pairs",
        [
            ["From Type", "From ID", "To Type", "To ID", "Associated Object Type ID"],
            ["deals", "1010001", "2-7350001", "5050001", "P24681357_Installations"],
        ],
        {},
    ),
    "limits, To Object beside Associated Object Type ID": (
        "limits",
        [
            ["From Object", "To Object", "Associated Object Type ID", "Label", "Limit"],
            ["deals", "p_installations", "2-7350001", "", "5"],
        ],
        {},
    ),
    "limits, Object beside Object Type ID": (
        "limits",
        [
            ["Object", "Object Type ID", "To Object", "Label", "Limit"],
            ["p_installations", "2-7350001", "deals", "", "5"],
        ],
        {},
    ),
    "pairs, from_type given beside Object type ID": (
        "pairs",
        [["Record ID", "Deal ID", "Object type ID"], ["5050001", "1010001", "2-7350001"]],
        {"from_type": "p_installations"},
    ),
}


def _read(kind: str, rows: Rows, kwargs: dict[str, str]) -> pd.DataFrame:
    reader = hf.read_pairs if kind == "pairs" else hf.read_limits
    return reader(_csv(rows), **kwargs)  # type: ignore[operator]


@pytest.mark.parametrize("name", list(SAME_OBJECT))
def test_a_custom_objects_name_beside_its_type_id_reads(name: str) -> None:
    kind, rows, kwargs = SAME_OBJECT[name]
    read = _read(kind, rows, kwargs)
    assert len(read) == 1, name


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        ("contacts", "0-2"),
        ("companies", "contacts"),
        ("p_installations", "p_cars"),
        ("2-7350001", "2-7350002"),
        ("contacts", "2-7350001"),
        ("p_installations", "0-1"),
    ],
)
def test_spellings_told_apart_offline_still_stop_the_read(mine: str, theirs: str) -> None:
    rows = [
        ["From Type", "From ID", "To Type", "To ID", "Associated Object Type ID"],
        ["deals", "1010001", mine, "5050001", theirs],
    ]
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(_csv(rows))
    assert "Associated Object Type ID" in str(caught.value) and theirs in str(caught.value)


# --- a cell read that is no id ----------------------------------------------------------------

LISTED_OTHERWISE = ["3030002, 3030001", "3030002\n3030001", "3030002 | 3030001", "3 030 001"]


@pytest.mark.parametrize("cell", LISTED_OTHERWISE)
def test_a_cell_read_listing_the_primary_otherwise_is_its_rows_own_bad_id(cell: str) -> None:
    good = [["1010002", "B", "3030003", "3030003"], ["1010003", "C", "3030004;3030005", "3030005"]]
    read = _deals([["1010001", "A", cell, "3030001"], *good])
    assert len(read) == 4
    issues = hf.validate_pairs(read)
    bad = issues[issues["severity"] == "error"]
    assert set(bad["code"]) == {"BAD_ID"} and set(bad["row"].astype(str)) == {"2"}, cell


@pytest.mark.parametrize("cell", LISTED_OTHERWISE)
def test_a_cell_read_not_listing_the_primary_any_way_still_stops(cell: str) -> None:
    with pytest.raises(HeaderError) as caught:
        _deals([["1010001", "A", cell, "3030009"]])
    assert "names 3030009 as the primary" in str(caught.value)


def test_a_side_read_by_a_property_is_not_compared_with_the_primary_ids() -> None:
    read = _deals(
        [["1010001", "A", "acme.com", "3030001"], ["1010002", "B", "b.com;c.com", "3030002"]],
        to_id_property="domain",
    )
    assert read["to_id"].tolist() == ["acme.com", "b.com", "c.com"]


# --- a primary cell written otherwise -----------------------------------------------------------

SEPARATORS = [", ", ",", "|", " | ", "\n", " ", "\u00a0", "/", ";"]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_primary_naming_a_missing_id_beside_another_stops(separator: str) -> None:
    with pytest.raises(HeaderError) as caught:
        _deals([["1010001", "A", "3030001", f"3030009{separator}3030001"]])
    assert "names 3030009 as the primary" in str(caught.value)
    read = _deals([["1010001", "A", "3030001;3030009", f"3030009{separator}3030001"]])
    assert read["to_id"].tolist() == ["3030001", "3030009"]


@pytest.mark.parametrize(
    ("primary", "listed", "stops"),
    [
        ("3.030009E+06", "3030001", True),
        ("3,030009E+06", "3030001", True),
        ("3.030009E+06", "3030009", False),
        ("1.01936E+11", "101936123456", False),
        ("1.01936E+11", "101937123456", True),
        ("3 030 009", "3030001", True),
        ("3,030,001", "3030001", False),
        ("3.030.001", "3030001", False),
        ("=VLOOKUP(A2,Sheet2!A:B,2,0)", "3030001", False),
        ("#N/A", "3030001", False),
        ("1.5E-03", "3030001", False),
    ],
)
def test_a_primary_in_other_number_forms(primary: str, listed: str, stops: bool) -> None:
    rows = [["1010001", "A", listed, primary]]
    if not stops:
        assert _deals(rows)["to_id"].tolist() == [listed]
        return
    with pytest.raises(HeaderError) as caught:
        _deals(rows)
    assert PRIMARY in str(caught.value) and "row 2" in str(caught.value)


def test_primary_cells_written_any_way_seeded() -> None:
    """Seeded: rows of listed ids and primary cells naming ids among them or not, joined by
    any separator; the read stops at the first row naming one missing, else reads them all."""
    rng = random.Random(101)
    for case in range(150):
        rows: Rows = []
        first_bad: int | None = None
        for row in range(rng.randint(1, 6)):
            ids = [str(i) for i in rng.sample(range(3030001, 3030020), rng.randint(1, 3))]
            named = rng.sample(ids, rng.randint(0, len(ids)))
            if rng.random() < 0.3:
                named.insert(rng.randint(0, len(named)), str(rng.randint(3030020, 3030040)))
            if named != [n for n in named if n in ids] and first_bad is None:
                first_bad = row
            separator = rng.choice(SEPARATORS)
            rows.append([str(1010001 + row), "D", ";".join(ids), separator.join(named)])
        if first_bad is None:
            read = _deals(rows)
            assert len(read) == sum(len(r[2].split(";")) for r in rows), (case, rows)
            continue
        with pytest.raises(HeaderError) as caught:
            _deals(rows)
        assert f"row {first_bad + 2}:" in str(caught.value), (case, rows, str(caught.value))


# --- end to end ---------------------------------------------------------------------------------


def _links(frame: pd.DataFrame) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in zip(frame["from_id"], frame["to_id"], strict=True)}


def test_associate_sends_a_custom_objects_rows_named_both_ways() -> None:
    """The demo portal's installations (2-7350001) named p_installations in 'To Type' beside
    'Associated Object Type ID' = 2-7350001: the row is sent and linked; a deals export row
    whose company cell is '3030002, 3030001' is refused alone, the others linked."""
    deal, installation = DEAL_IDS[-1], INSTALLATION_IDS[-1]
    with Sandbox(seed="demo").start() as sb:
        client = client_for(sb)
        rows = [
            ["From Type", "From ID", "To Type", "To ID", "Associated Object Type ID"],
            ["deals", str(deal), "p_installations", str(installation), "2-7350001"],
        ]
        pair = (deal, installation)
        assert pair not in _links(sb.associations("deals", "2-7350001"))
        result = hf.associate(hf.read_pairs(_csv(rows)), client, progress=False)
        assert result["status"].tolist() == ["success"]
        assert pair in _links(sb.associations("deals", "2-7350001"))
        sb.add_records("deals", [1010001, 1010002])
        sb.add_records("companies", [3030001, 3030002])
        sheet = [["1010001", "A", "3030002, 3030001", "3030001"]]
        sheet.append(["1010002", "B", "3030002", "3030002"])
        result = hf.associate(_deals(sheet), client, progress=False)
        assert result["status"].tolist()[1] == "success"
        assert result["status"].tolist()[0] != "success"
        links = _links(sb.associations("deals", "companies"))
        assert (1010002, 3030002) in links
        assert not {(1010001, 3030001), (1010001, 3030002)} & links
