"""Which cells of a rival column (io.rivals) are held to the column read, and which are not.

Commit 2670509 held a deals export's ``Associated Company IDs (Primary)`` to the ``Associated
Company IDs`` read and a second column of a side's object types to the one read, and then:

* a header repeated whole in the data (a print layout, two exports joined by ``cat``) stopped
  the whole read: its primary cell ``Associated Company IDs (Primary)`` was taken for an id not
  listed, where before only that row was refused (``BAD_ID``);
* a primary cell that is no id (``#N/A`` of a failed VLOOKUP, ``N/A``, ``-``, formula text,
  ``(No value)``) stopped the whole read, telling the analyst to add ``#N/A`` to the ids;
* an empty ``From Type`` cell beside ``Object`` = deals, with no type given, stopped the whole
  read where before only that row was refused (``MISSING_VALUE``);
* a second type column under a name that is no exact accepted one (``Object (from)``,
  ``Object type (from)``, ``Object Type ID``, a limits sheet's ``Associated Object Type ID``)
  was read past without a word, its contradicting cells dropped.

Now only cells that read as record ids are compared (the row's own id problems are its own
refused row), a row with no type is its own matter, and type columns are found by their
words: held to the column read, or where none is read to the type given or the id column's
name gives.
"""

from __future__ import annotations

import io
import random
import warnings
from collections.abc import Callable, Iterator

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, csv_upload, xlsx_bytes

HEADER = ["Record ID", "Deal Name", "Associated Company IDs", "Associated Company IDs (Primary)"]
PRIMARY = HEADER[3]
#: Cells that are no record id, as sheets hold them where a lookup failed or nothing is set.
NOT_IDS = (
    "#N/A",
    "N/A",
    "n/a",
    "-",
    "=VLOOKUP(A2,Sheet2!A:B,2,0)",
    "(No value)",
    "TBD",
    "0",
    "3030009x",
    PRIMARY,
)
Rows = list[list[str]]


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _csv(rows: Rows) -> io.BytesIO:
    return csv_upload(rows)


def _sources(rows: Rows) -> list[tuple[str, Callable[[], object]]]:
    frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    return [
        ("csv", lambda: _csv(rows)),
        ("xlsx", lambda: io.BytesIO(xlsx_bytes(rows))),
        ("frame", lambda: frame.copy()),
    ]


def _pairs(read: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(read["from_id"].astype(str), read["to_id"].astype(str), strict=True))


# --- a (Primary) cell or an id cell that is no id -----------------------------------------------


#: The export's header with its source column named for its object: a header repeated under it
#: is one refused row (under "Record ID" it stops the read: io.blocks, a possible second export).
NAMED_HEADER = ["Deal ID", *HEADER[1:]]


def test_a_header_repeated_whole_is_one_refused_row_not_a_refused_read() -> None:
    """Two deals exports joined (the header again in the data): every pair is read, and the
    header's row alone is refused as BAD_ID, in CSV, XLSX and a DataFrame; the primary check
    does not stop the read over the header's row."""
    rows = [
        NAMED_HEADER,
        ["1010001", "A", "3030001;3030002", "3030001"],
        NAMED_HEADER,
        ["1010002", "B", "3030002", "3030002"],
    ]
    for kind, source in _sources(rows):
        read = hf.read_pairs(source(), from_type="deals")  # type: ignore[arg-type]
        pairs = _pairs(read)
        assert ("1010001", "3030001") in pairs and ("1010002", "3030002") in pairs, kind
        assert ("1010001", "3030002") in pairs, kind
        issues = hf.validate_pairs(read)
        bad = issues[issues["severity"] == "error"]
        assert set(bad["code"]) == {"BAD_ID"}, (kind, bad.to_dict("records"))
        assert set(bad["row"].astype(str)) == {"3"}, (kind, bad.to_dict("records"))


@pytest.mark.parametrize("cell", NOT_IDS)
def test_a_primary_cell_of_no_id_says_nothing_of_the_row_ids(cell: str) -> None:
    rows = [HEADER, ["1010001", "A", "3030001;3030002", cell], ["1010002", "B", "3030001", ""]]
    for kind, source in _sources(rows):
        read = hf.read_pairs(source(), from_type="deals")  # type: ignore[arg-type]
        assert _pairs(read) == [
            ("1010001", "3030001"),
            ("1010001", "3030002"),
            ("1010002", "3030001"),
        ], (kind, cell)


@pytest.mark.parametrize("cell", ["#N/A", "-", "(No value)", "TBD"])
def test_an_id_cell_of_no_id_beside_no_primary_id_is_its_own_refused_row(cell: str) -> None:
    rows = [HEADER, ["1010001", "A", cell, "#N/A"], ["1010002", "B", "3030001", "3030001"]]
    read = hf.read_pairs(_csv(rows), from_type="deals")
    issues = hf.validate_pairs(read)
    bad = issues[issues["severity"] == "error"]
    assert set(bad["code"]) <= {"BAD_ID", "FORMULA_ERROR"}, (cell, bad.to_dict("records"))
    assert set(bad["row"].astype(str)) == {"2"}, cell


def test_a_valid_primary_id_not_listed_beside_cells_of_no_id_still_stops_the_read_seeded() -> None:
    """Seeded: rows mixing listed ids, ids not listed and cells of no id in both columns; the
    read stops, naming the first row whose primary cell holds an id missing from the ids the
    row's cell lists (none when it lists none), and otherwise reads the listed ids."""
    rng = random.Random(2670509)
    for case in range(80):
        n = rng.randint(1, 5)
        rows: Rows = [HEADER]
        first_bad: int | None = None
        listed: set[str] = set()
        for row in range(n):
            ids = [str(i) for i in rng.sample(range(3030001, 3030020), rng.randint(0, 3))]
            junk = rng.sample(NOT_IDS[:-1], rng.randint(0, 1))
            listed |= set(ids)
            named = [rng.choice(ids)] if ids and rng.random() < 0.5 else []
            if rng.random() < 0.3:
                named.append(str(rng.choice([i for i in range(3030001, 3030030)])))
            named += rng.sample(NOT_IDS[:-1], rng.randint(0, 1))
            missing = [v for v in named if v.isdigit() and v != "0" and v not in ids]
            if missing and first_bad is None:
                first_bad = row
            rows.append([str(1010001 + row), "D", ";".join(ids + junk), ";".join(named)])
        if not listed:
            continue
        source = _csv(rows) if case % 2 else pd.DataFrame(rows[1:], columns=HEADER, dtype=object)
        if first_bad is None:
            read = hf.read_pairs(source, from_type="deals")  # type: ignore[arg-type]
            assert listed <= set(read["to_id"].dropna()), (case, rows)
            continue
        with pytest.raises(HeaderError) as caught:
            hf.read_pairs(source, from_type="deals")  # type: ignore[arg-type]
        message = str(caught.value)
        assert PRIMARY in message and f"row {first_bad + 2}" in message, (case, rows, message)
        for junk_cell in NOT_IDS[:-1]:
            assert f"names {junk_cell} as" not in message, (case, message)


# --- a row with no type -------------------------------------------------------------------------


def test_an_empty_type_cell_with_no_type_given_is_the_row_own_missing_value() -> None:
    frame = pd.DataFrame(
        {
            "From Type": ["", "deals"],
            "Object": ["deals", "deals"],
            "From ID": ["1010001", "1010002"],
            "To Type": ["contacts", "contacts"],
            "To ID": ["2020001", "2020001"],
        },
        dtype=object,
    )
    for source in (frame, _csv([list(frame.columns), *frame.values.tolist()])):
        read = hf.read_pairs(source)  # type: ignore[arg-type]
        assert read["from_type"].isna().tolist() == [True, False]
        issues = hf.validate_pairs(read)
        bad = issues[issues["severity"] == "error"]
        assert bad[["row", "code"]].astype(str).values.tolist() == [["2", "MISSING_VALUE"]]


# --- type columns found by their words ----------------------------------------------------------

#: Spellings of one object type.
SPELLINGS = {
    "deals": ("deals", "Deal", "0-3"),
    "tickets": ("tickets", "Ticket", "0-5"),
    "contacts": ("contacts", "Contact", "0-1"),
    "companies": ("companies", "Company", "0-2"),
}
#: Headers naming a side's object types in words that are no accepted name.
FROM_WORDS = ("Object (from)", "Object type (from)", "Object Type ID", "Object type ID (from)")
TO_WORDS = ("Associated Object Type ID", "Object (to)", "Object type (to)", "Type (to)")


def _kind(spelling: str) -> str:
    return next(o for o, names in SPELLINGS.items() if spelling in names)


def _sheet(kind: str, side: str, rival: str, cells: list[tuple[str, str]]) -> pd.DataFrame:
    n = len(cells)
    read = f"{side.title()} Type"
    other = "To Type" if side == "from" else "From Type"
    columns = {
        read: [a for a, _ in cells],
        other: ["contacts" if side == "from" else "deals"] * n,
        rival: [b for _, b in cells],
    }
    if kind == "pairs":
        columns |= {"From ID": ["1010001"] * n, "To ID": ["2020001"] * n}
    else:
        columns |= {"Limit": ["5"] * n}
    return pd.DataFrame(columns, dtype=object)


def _read(kind: str, source: object) -> pd.DataFrame:
    read = hf.read_pairs if kind == "pairs" else hf.read_limits
    return read(source)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("kind", "side", "rival"),
    [("pairs", "from", h) for h in FROM_WORDS]
    + [("limits", "from", h) for h in FROM_WORDS]
    + [("limits", "to", h) for h in TO_WORDS]
    + [("pairs", "to", h) for h in TO_WORDS[:2]],
)
def test_a_type_column_named_in_words_is_held_to_the_column_read_seeded(
    kind: str, side: str, rival: str
) -> None:
    rng = random.Random(hash((kind, side, rival)) & 0xFFFF)
    objects = ["deals", "tickets"] if side == "from" else ["contacts", "companies"]
    for _ in range(6):
        n = rng.randint(1, 4)
        wanted = [rng.choice(objects) for _ in range(n)]
        cells = [(rng.choice(SPELLINGS[o]), rng.choice(SPELLINGS[o])) for o in wanted]
        read = _read(kind, _sheet(kind, side, rival, cells))
        assert read[f"{side}_type"].tolist() == wanted, (rival, cells)
        bad = rng.randrange(n)
        other = objects[1] if wanted[bad] == objects[0] else objects[0]
        cells[bad] = (cells[bad][0], rng.choice(SPELLINGS[other]))
        first = next(i for i, (a, b) in enumerate(cells) if _kind(a) != _kind(b))
        with pytest.raises(HeaderError) as caught:
            _read(kind, _sheet(kind, side, rival, cells))
        message = str(caught.value)
        assert f'"{rival}"' in message and f'"{side.title()} Type"' in message, message
        assert f"row {first + 2} " in message, (rival, cells, message)


def test_the_probed_sheets_of_type_columns_in_words_stop_the_read() -> None:
    probed = (("Object (from)", "tickets"), ("Object type (from)", "tickets"))
    for extra, value in (*probed, ("Object Type ID", "0-5")):
        rows = [
            ["From Type", "From ID", "To Type", "To ID", extra],
            ["deals", "1010001", "contacts", "2020001", value],
        ]
        with pytest.raises(HeaderError, match=extra.replace("(", r"\(").replace(")", r"\)")):
            hf.read_pairs(_csv(rows))
    rows = [["From Type", "To Type", "Associated Object Type ID", "Limit"]]
    rows.append(["deals", "contacts", "0-2", "5"])
    with pytest.raises(HeaderError, match="Associated Object Type ID"):
        hf.read_limits(_csv(rows))


def test_a_type_column_in_words_is_held_to_the_type_given_or_named_where_none_is_read() -> None:
    named = pd.DataFrame({"Deal ID": ["1010001"], "Contact ID": ["2020001"]}, dtype=object)
    assert _pairs(hf.read_pairs(named.assign(**{"Object (from)": ["Deal"]}))) == [
        ("1010001", "2020001")
    ]
    with pytest.raises(HeaderError, match=r'"Object \(from\)".*"Deal ID"'):
        hf.read_pairs(named.assign(**{"Object (from)": ["tickets"]}))
    given = pd.DataFrame({"From ID": ["1010001"], "To ID": ["2020001"]}, dtype=object)
    given = given.assign(**{"Object Type ID": ["0-5"]})
    with pytest.raises(HeaderError, match=r"from_type=\"deals\""):
        hf.read_pairs(given, from_type="deals", to_type="contacts")
    read = hf.read_pairs(given, from_type="tickets", to_type="contacts")
    assert read["from_type"].tolist() == ["tickets"]


def test_ordinary_columns_and_repeated_headers_read_as_before() -> None:
    """Columns whose words are not only a type's and a side's are the sheet's own, whatever
    they hold; a header repeated whole in the data names no type, and is one refused row."""
    base = {
        "From Type": ["deals", "deals"],
        "From ID": ["1010001", "1010002"],
        "To Type": ["contacts", "contacts"],
        "To ID": ["2020001", "2020002"],
    }
    owns = ("Object name", "Object source", "Deal type", "Source", "Type of object note")
    for own in (*owns, "Object owner", "Source object", "Target object"):
        frame = pd.DataFrame(base | {own: ["tickets", "CONTACTS"]}, dtype=object)
        assert hf.read_pairs(frame)["from_type"].tolist() == ["deals", "deals"], own
    header = [*base, "Object (from)"]
    rows = [header, ["deals", "1010001", "contacts", "2020001", "Deal"], header]
    rows.append(["deals", "1010002", "contacts", "2020002", "0-3"])
    read = hf.read_pairs(_csv(rows))
    assert ("1010002", "2020002") in _pairs(read) and len(read) == 3


# --- end to end ---------------------------------------------------------------------------------


def test_associate_against_the_sandbox_sends_what_the_columns_agree_on() -> None:
    """A repeated header and a primary cell of #N/A: every other row is linked; a type column
    in words naming tickets beside 'From Type' = deals: nothing is sent; an empty 'From Type'
    with no type given: that row is not sent, the others are."""
    with Sandbox(seed=None).start() as sb:
        sb.add_records("deals", [1010001, 1010002])
        sb.add_records("tickets", [1010001])
        sb.add_records("companies", [3030001, 3030002])
        sb.add_records("contacts", [2020001])
        client = client_for(sb)
        rows = [NAMED_HEADER, ["1010001", "A", "3030001", "#N/A"], NAMED_HEADER]
        rows.append(["1010002", "B", "3030002", "3030002"])
        result = hf.associate(hf.read_pairs(_csv(rows), from_type="deals"), client, progress=False)
        assert result["status"].tolist().count("success") == 2
        assert len(sb.associations("deals", "companies")) == 2
        cells = {"From ID": ["1010001"], "To Type": ["contacts"], "To ID": ["2020001"]}
        bad = pd.DataFrame({"From Type": ["deals"], "Object (from)": ["tickets"]} | cells)
        with pytest.raises(HeaderError):
            hf.associate(hf.read_pairs(bad), client, progress=False)
        assert len(sb.associations("deals", "contacts")) == 0
        assert len(sb.associations("tickets", "contacts")) == 0
        empty = pd.DataFrame(
            {
                "From Type": ["", "deals"],
                "Object": ["tickets", "deals"],
                "From ID": ["1010001", "1010002"],
                "To Type": ["contacts", "contacts"],
                "To ID": ["2020001", "2020001"],
            },
            dtype=object,
        )
        result = hf.associate(hf.read_pairs(empty), client, progress=False)
        assert result["status"].tolist()[1] == "success"
        assert result["status"].tolist()[0] != "success"
        assert len(sb.associations("tickets", "contacts")) == 0
        assert len(sb.associations("deals", "contacts")) == 1
