"""Object names under an id column naming no object: the side's own object, or a second table.

Review of 6b5372a.  A template's example row naming the very objects read (``Deals |
Contacts`` under ``From ID | To ID``, deals and contacts given; ``deal | contact | example row -
delete``; the same beside ``From Type | To Type`` saying deals and contacts; ``Deal |
Contacts`` under ``Record ID | Associated Contact IDs``) stopped the whole read as 'a second
table', though the rows below are the objects it names: now such a row is one refused row
(BAD_ID), as under ``Deal ID | Contact ID``.  And a tickets export stacked under a deals
``Record ID | Associated Contact IDs`` still had ticket 4040001 read (and sent) as a deal when
its header used HubSpot's internal names (``hs_object_id | associations.contacts``), when only
a title ``Tickets`` sat between the two, or when the second header read ``Record ID 2``: now
each stops the read, naming the row.  Another object's name under such a column (``Contacts |
Deals`` swapped, ``Ticket`` beside a From Type of deals) still stops it.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import csv_upload, xlsx_bytes

Rows = list[list[str]]
KINDS = ["csv", "xlsx", "frame"]
DT = {"from_type": "deals", "to_type": "contacts"}
EXPORT_NAME = "hubspot-crm-exports-all-deals-2026-11-29"


def _csv(rows: Rows, name: str) -> io.BytesIO:
    return csv_upload(rows, name)


def _source(rows: Rows, kind: str, name: str = "sheet") -> io.BytesIO | bytes | pd.DataFrame:
    if kind == "csv":
        return _csv(rows, f"{name}.csv")
    if kind == "xlsx":
        return xlsx_bytes(rows)
    width = len(rows[0])
    body = [r + [""] * (width - len(r)) for r in rows[1:] if any(r)]
    return pd.DataFrame(body, columns=rows[0])


# --- a template's example row naming the objects read: one refused row --------------------------

TEMPLATES: dict[str, tuple[list[str], list[str], dict[str, str], str]] = {
    "From ID | To ID, types given": (["From ID", "To ID"], ["Deals", "Contacts"], DT, "sheet"),
    "a label column's note": (
        ["From ID", "To ID", "Label"],
        ["deal", "contact", "example row - delete"],
        DT,
        "sheet",
    ),
    "type columns say it": (
        ["From ID", "To ID", "From Type", "To Type"],
        ["Deal", "Contact", "deals", "contacts"],
        {},
        "sheet",
    ),
    "type ids": (["From ID", "To ID"], ["0-3", "0-1"], DT, "sheet"),
    "Record ID beside a named column": (
        ["Record ID", "Associated Contact IDs"],
        ["Deal", "Contacts"],
        DT,
        "sheet",
    ),
    "the file name gives the object": (
        ["Record ID", "Associated Contact IDs"],
        ["Deals", "Contact"],
        {},
        EXPORT_NAME,
    ),
    "Associated ID, the 'to' type given": (
        ["Deal ID", "Associated ID"],
        ["Deal", "Contacts"],
        {"to_type": "contacts"},
        "sheet",
    ),
    "an object type column read as the side's": (
        ["Object Type", "Record ID", "Associated Contact IDs"],
        ["Deals", "deal", "contact"],
        {},
        "sheet",
    ),
}


def _filled(header: list[str], deal: str, contact: str) -> list[str]:
    cells = {"Label": "", "From Type": "deals", "To Type": "contacts", "Object Type": "deals"}
    out = []
    for h in header:
        named = h in ("From ID", "Record ID", "Deal ID")
        out.append(deal if named else contact if "ID" in h else cells[h])
    return out


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(TEMPLATES))
def test_an_example_row_naming_the_objects_read_is_one_refused_row(kind: str, case: str) -> None:
    header, example, given, name = TEMPLATES[case]
    if name != "sheet" and kind != "csv":  # only a file has a name
        given = {"from_type": "deals"}
    rows = [header, example, _filled(header, "1010001", "2020001")]
    rows += [_filled(header, "1010002", "2020002")]
    pairs = hf.read_pairs(_source(rows, kind, name), **given)  # type: ignore[arg-type]
    assert pairs["from_id"].tolist() == [example[header.index(_id_header(header))], *DEALS]
    assert pairs["from_type"].tolist()[1:] == ["deals", "deals"]
    assert pairs["to_id"].tolist()[1:] == ["2020001", "2020002"]
    issues = hf.validate_pairs(pairs)
    assert set(issues.loc[issues["severity"] == "error", "row"]) == {2}


DEALS = ["1010001", "1010002"]


def _id_header(header: list[str]) -> str:
    return next(h for h in header if h in ("From ID", "Record ID", "Deal ID"))


# --- another object's name, or the header repeated, still stops the read ------------------------

STILL_REFUSED: dict[str, tuple[list[str], list[str], dict[str, str]]] = {
    "sides swapped": (["From ID", "To ID"], ["Contacts", "Deals"], DT),
    "another object under Record ID": (
        ["Record ID", "Associated Contact IDs"],
        ["Tickets", "Contacts"],
        DT,
    ),
    "a type column saying other": (
        ["From ID", "To ID", "From Type", "To Type"],
        ["Ticket", "Contact", "deals", "contacts"],
        {},
    ),
    "one side named, the other repeated": (["From ID", "To ID"], ["Deals", "To ID"], DT),
    "the header repeated": (["From ID", "To ID"], ["From ID", "To ID"], DT),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(STILL_REFUSED))
def test_another_object_or_a_repeat_still_stops_the_read(kind: str, case: str) -> None:
    header, below, given = STILL_REFUSED[case]
    rows = [header, _filled(header, "1010001", "2020001"), below]
    rows += [_filled(header, "1010002", "2020002")]
    with pytest.raises(InputError, match=r"row 3\b.*(reads as a header|names another object)"):
        hf.read_pairs(_source(rows, kind), **given)  # type: ignore[arg-type]


# --- a second export stacked under a deals Record ID: the read stops ----------------------------

TOP: Rows = [["Record ID", "Associated Contact IDs"], ["1010001", "2020001"]]
TICKETS: Rows = [["4040001", "2020004"], ["4040002", "2020005"]]
STACKED: dict[str, tuple[Rows, int]] = {
    "hs_object_id header": ([[], ["hs_object_id", "associations.contacts"]], 4),
    "hs_object_id, no blank row": ([["hs_object_id", ""]], 3),
    "HS Object ID spelled out": ([[], ["HS Object ID", "Contacts"]], 4),
    "title 'Tickets' alone": ([[], ["Tickets", ""]], 4),
    "title 'Tickets | (export 2)'": ([[], ["Tickets", "(export 2)"]], 4),
    "title below a blank row and above one": ([[], ["tickets", ""], []], 4),
    "title 'Ticket IDs'": ([[], ["Ticket IDs", ""]], 4),
    "title by type id": ([[], ["0-5", ""]], 4),
    "'Record ID 2'": ([["Record ID 2", "Associated Contact IDs"]], 3),
    "'Record ID.1'": ([[], ["Record ID.1", "Associated Contact IDs 2"]], 4),
    "'ID 2'": ([["ID 2", ""]], 3),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(STACKED))
def test_a_second_export_stacked_under_record_id_stops_the_read(kind: str, case: str) -> None:
    between, at = STACKED[case]
    rows = [*TOP, *between, *TICKETS]
    if kind == "frame":  # a frame has no blank rows: its rows are numbered without them
        at -= next(i for i, r in enumerate(between) if any(r))
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source(rows, kind), **DT)  # type: ignore[arg-type]
    message = str(info.value)
    assert f"row {at} " in message
    assert "second table" in message
    assert "on its own sheet or in its own file" in message


def test_the_title_message_names_the_cell_and_the_object_read() -> None:
    rows = [*TOP, [], ["Tickets", ""], *TICKETS]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_csv(rows, f"{EXPORT_NAME}.csv"))
    message = str(info.value)
    assert "row 4 names another object than the one its column's ids are read as" in message
    assert "'Tickets' under 'Record ID'; read as deals" in message
    rows = [["From ID", "To ID"], ["1010001", "2020001"], ["Contacts", "Companies"]]
    rows += [["2020002", "3030001"]]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_csv(rows, "sheet.csv"), **DT)  # type: ignore[arg-type]
    assert "'Contacts' under 'From ID', 'Companies' under 'To ID'" in str(info.value)


def test_an_object_word_over_no_ids_is_a_refused_row() -> None:
    """A ``Notes`` title over lines of text below the pairs (no record id below it): nothing
    would be read as another object, each row is refused on its own."""
    rows = [*TOP, [], ["Notes", ""], ["check deal 1010001 with Sam", ""]]
    pairs = hf.read_pairs(_csv(rows, "sheet.csv"), **DT)  # type: ignore[arg-type]
    assert pairs["from_id"].tolist()[0] == "1010001"
    issues = hf.validate_pairs(pairs)
    assert set(issues.loc[issues["severity"] == "error", "row"]) == {4, 5}


# --- seeded: a row of object names or header words under neutral id columns ---------------------

LAYOUTS: list[tuple[list[str], dict[str, str], tuple[str, str]]] = [
    (["From ID", "To ID"], DT, ("deals", "contacts")),
    (["Record ID", "Associated Contact IDs"], {"from_type": "deals"}, ("deals", "contacts")),
    (["Object ID", "To ID"], {"from_type": "tickets", "to_type": "companies"}, ("t", "c")),
    (["ID", "Associated ID"], {"from_type": "companies", "to_type": "deals"}, ("c", "d")),
]
SPELLINGS = {
    "deals": ["Deal", "deals", "DEALS", "0-3"],
    "contacts": ["Contact", "contacts", "0-1"],
    "tickets": ["Ticket", "tickets", "0-5"],
    "companies": ["Company", "Companies", "0-2"],
}
SHORT = {"t": "tickets", "c": "companies", "d": "deals"}


def _seeded(rng: random.Random) -> tuple[Rows, dict[str, str], bool]:
    header, given, objects = rng.choice(LAYOUTS)
    sides = [SHORT.get(o, o) for o in objects]
    named = [rng.choice([s, rng.choice(list(SPELLINGS))]) for s in sides]
    row = [rng.choice(SPELLINGS[o]) for o in named]
    if header[1].startswith("Associated Contact"):  # a column naming its object
        row[1] = rng.choice(SPELLINGS["contacts"])
        named[1] = sides[1]
    own = named == sides
    ids = [[str(1_010_000 + n), str(2_020_000 + n)] for n in range(rng.randint(1, 3))]
    gap: Rows = rng.choice([[], [[]]])
    return [header, *ids, *gap, row, *ids], given, own


@pytest.mark.parametrize("seed", range(10))
def test_seeded_object_names_under_neutral_columns(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(8):
        rows, given, own = _seeded(rng)
        kind = rng.choice(["csv", "xlsx"])
        at = next(i for i, r in enumerate(rows) if r and not r[0].isdigit() and i) + 1
        if own:
            pairs = hf.read_pairs(_source(rows, kind), **given)  # type: ignore[arg-type]
            issues = hf.validate_pairs(pairs)
            assert set(issues.loc[issues["severity"] == "error", "row"]) == {at}
            continue
        with pytest.raises(InputError, match=rf"row {at} "):
            hf.read_pairs(_source(rows, kind), **given)  # type: ignore[arg-type]


# --- over HTTP: nothing sent as the wrong object, a template's rows sent --------------------------


def test_a_sync_of_an_internal_names_export_stacked_changes_nothing(tmp_path: Path) -> None:
    rows = [*TOP, [], ["hs_object_id", "associations.contacts"], ["1010002", "2020004"]]
    path = tmp_path / f"{EXPORT_NAME}.csv"
    path.write_bytes(_csv(rows, "x.csv").getvalue())
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", ["1010001", "1010002"])
        sb.add_records("tickets", ["1010002"])
        sb.add_records("contacts", ["2020001", "2020004", "2020009"])
        sb.associate("deals", "1010002", "contacts", "2020009")
        before = sb.associations("deals", "contacts")
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        with pytest.raises(InputError, match=r"row 4 reads as a header of a second table"):
            hf.sync(path, client, allow_removals=True)
        assert sb.associations("deals", "contacts").equals(before)


def test_a_template_with_its_example_row_is_sent(tmp_path: Path) -> None:
    rows = [["From ID", "To ID", "Label"], ["deal", "contact", "example row - delete"]]
    rows += [["1010001", "2020001", ""], ["1010002", "2020002", ""]]
    path = tmp_path / "template.csv"
    path.write_bytes(_csv(rows, "x.csv").getvalue())
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("contacts", ["2020001", "2020002"])
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        pairs = hf.read_pairs(path, **DT)  # type: ignore[arg-type]
        result = hf.associate(pairs, client, progress=False)
        assert result["status"].tolist() == ["invalid", "success", "success"]
        assert result["row"].tolist() == [2, 3, 4]
        linked = sb.associations("deals", "contacts")
        assert len(linked) == 2
