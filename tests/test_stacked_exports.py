"""An export of another object stacked under the first stops the read, naming the row.

Before: a deals export (``Record ID | Deal Name | Associated Contact IDs``), a blank row (or
none: two CSV files joined by ``cat``), then a tickets export (``Record ID | Ticket name |
Associated Contact IDs``) had only the tickets' header row refused (BAD_ID): the columns read
are named alike in every export, so the row passed as the header repeated in its own order, and
the tickets' rows were read and sent as deals (deal 1010003 linked to contact 2020004, though
the row is ticket 1010003), a sync computing its removals from them.  And a second table headed
by its objects' names (``Contact | Deal`` under ``Deal ID | Contact ID``) was read the same
way, its sides swapped: an object's name did not count as a header's.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import csv_upload, xlsx_bytes

KINDS = ["csv", "xlsx"]
Rows = list[list[str]]
DEALS = ["1010001", "1010002", "1010003"]
CONTACTS = ["2020001", "2020002", "2020003", "2020004", "2020009"]
DEALS_HEADER = ["Record ID", "Deal Name", "Associated Contact IDs"]
TICKETS_HEADER = ["Record ID", "Ticket name", "Associated Contact IDs"]
DEALS_ROWS: Rows = [[DEALS[0], "Deal one", f"{CONTACTS[0]};{CONTACTS[1]}"]]
DEALS_ROWS += [[DEALS[1], "Deal two", CONTACTS[2]]]
TICKETS_ROWS: Rows = [[DEALS[2], "Ticket: printer broken", CONTACTS[3]]]


def _csv(rows: Rows, name: str = "hubspot-crm-exports-all-deals-2026-11-29.csv") -> io.BytesIO:
    return csv_upload(rows, name)


def _source(rows: Rows, kind: str) -> io.BytesIO | bytes:
    return _csv(rows) if kind == "csv" else xlsx_bytes(rows, title="Export")


def _stacked(gap: Rows) -> Rows:
    return [DEALS_HEADER, *DEALS_ROWS, *gap, TICKETS_HEADER, *TICKETS_ROWS]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("gap", [[[]], [], [["Tickets", "", ""]]], ids=["blank", "cat", "title"])
def test_an_export_of_another_object_below_stops_the_read(kind: str, gap: Rows) -> None:
    rows = _stacked(gap)
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source(rows, kind), from_type="deals")
    message = str(info.value)
    if gap and gap[0]:  # the title names tickets under a deals Record ID: it stops the read
        assert "row 4 names another object than the one its column's ids are read as" in message
        assert "'Tickets' under 'Record ID'; read as deals" in message
        assert "on its own sheet or in its own file" in message
        return
    assert f"row {4 + len(gap)} reads as a header of a second table" in message
    assert "'Ticket name' under 'Deal Name'" in message
    assert "'Record ID | Deal Name | Associated Contact IDs'" in message
    assert "'Record ID | Ticket name | Associated Contact IDs'" in message
    assert "on its own sheet or in its own file" in message


@pytest.mark.parametrize("kind", KINDS)
def test_a_dataframe_of_two_exports_stops_the_read(kind: str) -> None:
    """``pd.read_csv`` / ``pd.read_excel`` of the sheet: the second header is a row of cells."""
    rows = _stacked([])
    if kind == "csv":
        frame = pd.read_csv(_csv(rows), dtype=str)
    else:
        frame = pd.read_excel(io.BytesIO(xlsx_bytes(rows)), dtype=str, engine="openpyxl")
    with pytest.raises(InputError, match=r"reads as a header of a second table"):
        hf.read_pairs(frame.astype(str), from_type="deals")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "names",
    [["Contact", "Deal"], ["contacts", "deals"], ["0-1", "0-3"], ["Companies", "Contact"]],
)
def test_object_names_head_a_second_table(kind: str, names: list[str]) -> None:
    rows = [["Deal ID", "Contact ID"], [DEALS[0], CONTACTS[0]], [], names]
    rows += [[CONTACTS[1], DEALS[1]]]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source(rows, kind))
    assert info.match(rf"row 4 reads as a header \('{names[0]}' under 'Deal ID'")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "header",
    [
        ["Deal", "Contact"],
        ["Deal ID", "Contact ID", "Notes"],
        ["Deal ID", "Contact ID", ""],
        ["Deals", "Contact IDs", "notes"],
    ],
)
def test_the_header_repeated_whole_is_one_refused_row(kind: str, header: list[str]) -> None:
    """A print layout repeats the header; an object's name in its own column, another spelling
    and a cell left empty repeat it too: the rows below are the first table's."""
    first = ["Deal ID", "Contact ID", "Notes"]
    rows = [first, [DEALS[0], CONTACTS[0], "a"], header + [""] * (3 - len(header))]
    rows += [[DEALS[1], CONTACTS[1], "b"]]
    pairs = hf.read_pairs(_source(rows, kind))
    assert pairs["from_id"].tolist() == [DEALS[0], header[0], DEALS[1]]
    assert set(hf.validate_pairs(pairs)["row"]) == {3}


@pytest.mark.parametrize("kind", KINDS)
def test_object_names_in_type_columns_are_cells(kind: str) -> None:
    rows = [["From Type", "From ID", "To Type", "To ID"]]
    rows += [
        ["deals", DEALS[0], "contacts", CONTACTS[0]],
        ["Contact", CONTACTS[1], "Deal", DEALS[1]],
    ]
    pairs = hf.read_pairs(_source(rows, kind))
    assert pairs["from_type"].tolist() == ["deals", "contacts"]
    limits = [["From Object Type", "To Object Type", "Max"], ["deals", "contacts", "5"]]
    limits += [["Contact", "Company", "2"]]
    assert len(hf.read_limits(_source(limits, kind))) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_sync_of_two_stacked_exports_changes_nothing(kind: str, tmp_path: Path) -> None:
    """The repro: a deal with the ticket's id, its real contact 2020009 kept, nothing sent."""
    path = tmp_path / f"hubspot-crm-exports-all-deals-2026-11-29.{kind}"
    source = _source(_stacked([[]]), kind)
    path.write_bytes(source.getvalue() if isinstance(source, io.BytesIO) else source)
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("tickets", [DEALS[2]])
        sb.add_records("contacts", CONTACTS)
        sb.associate("deals", DEALS[2], "contacts", CONTACTS[4])
        before = sb.associations("deals", "contacts")
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        with pytest.raises(InputError, match=r"row 5 reads as a header of a second table"):
            hf.sync(path, client, allow_removals=True)
        assert sb.associations("deals", "contacts").equals(before)


# --- seeded: random exports of two objects stacked ---------------------------------------------

NAMES = {
    "deals": "Deal Name",
    "tickets": "Ticket name",
    "companies": "Company name",
    "contacts": "First Name",
}
SHARED = ["Create Date", "Owner", "Last Activity Date", "Pipeline", "Amount"]
ASSOCIATED = {"contacts": "Associated Contact IDs", "companies": "Associated Company IDs"}


def _export(rng: random.Random, header: list[str], start: int) -> Rows:
    """An export's header and its rows: a record id, its name, shared properties, and the ids
    of its associated records (``;``-separated, some empty)."""
    out = [header]
    for i in range(rng.randint(1, 6)):
        cells = []
        for name in header:
            if name == "Record ID":
                cells.append(str(start + i))
            elif name.startswith("Associated"):
                ids = [str(rng.randint(5_000_000, 5_999_999)) for _ in range(rng.randint(0, 3))]
                cells.append(";".join(ids))
            else:
                cells.append(rng.choice(["Acme", "2026-11-29", "Sam", "", "1200"]))
        out.append(cells)
    return out


def _layout(rng: random.Random, first: str, to: str) -> list[str]:
    """An export's header: ``Record ID`` first, the object's name, shared properties, and the
    associated ids column somewhere after the id."""
    header = ["Record ID", NAMES[first], *rng.sample(SHARED, rng.randint(0, 3))]
    header.insert(rng.randint(1, len(header)), ASSOCIATED[to])
    return header


@pytest.mark.parametrize("seed", seeds(30))
def test_seeded_exports_of_two_objects_stacked_stop_the_read(seed: int) -> None:
    rng = random.Random(seed)
    to = rng.choice(list(ASSOCIATED))
    first, second = rng.sample([o for o in NAMES if o != to], 2)
    header = _layout(rng, first, to)
    other = [NAMES[second] if h == NAMES[first] else h for h in header]
    top = _export(rng, header, 7_000_000)
    below = _export(rng, other, 8_000_000)
    gap = rng.choice([[], [[]], [[f"{second.title()} export"]]])
    kind = rng.choice(KINDS)
    rows = [*top, *gap, *below]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source(rows, kind), from_type=first)
    message = str(info.value)
    assert f"row {len(top) + len(gap) + 1} reads as a header of a second table" in message
    assert f"'{NAMES[second]}' under '{NAMES[first]}'" in message


@pytest.mark.parametrize("seed", seeds(30))
def test_seeded_exports_of_one_object_stacked_stop_the_read(seed: int) -> None:
    """The same export twice (a print layout, or one export in two parts): ``Record ID`` does
    not name its object, so the second header cannot tell its rows are the first's object's (a
    tickets export trimmed to these columns reads alike): the read is refused at that row, as
    for two objects (tests/test_neutral_repeated_header.py; the rows read before at 171bcf6)."""
    rng = random.Random(seed)
    to = rng.choice(list(ASSOCIATED))
    first = rng.choice([o for o in NAMES if o != to])
    header = _layout(rng, first, to)
    top = _export(rng, header, 7_000_000)
    below = _export(rng, header, 8_000_000)
    kind = rng.choice(KINDS)
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source([*top, *below], kind), from_type=first)
    message = str(info.value)
    assert f"row {len(top) + 1} reads as a header of a second table" in message
    assert f"'Record ID' does not name the object of its ids (read as {first} " in message
