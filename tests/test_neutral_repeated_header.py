"""A header repeated below the first: refused when an id column read names no object.

Review of 171bcf6.  A row repeating the header in the columns read was a second table's header
when its other cells named other columns: a print layout with ``Page 2`` in its Notes column, a
``Notes (optional)`` under ``Notes``, a description row ``deal | contact | example row -
delete`` refused sheets whose pairs read fine before (the repeated row refused alone), though
``Deal ID | Contact ID`` repeated cannot hide another object.  And under ``Record ID`` (a
header naming no object: the object comes from an argument or the file name) a tickets export
trimmed to the columns read (``Record ID | Associated Contact IDs``), or whose other header
cell was empty, passed as the header repeated: ticket 1010003 was read as deal 1010003 ->
2020004.  Now a header repeated under columns that name their objects is one refused row
whatever its other cells hold, and under a column naming none the read is refused at it.
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
DEALS = ["1010001", "1010002", "1010003"]
CONTACTS = ["2020001", "2020002", "2020003", "2020004", "2020009"]
EXPORT_NAME = "hubspot-crm-exports-all-deals-2026-11-29"


def _csv(rows: Rows, name: str) -> io.BytesIO:
    return csv_upload(rows, name)


def _source(rows: Rows, kind: str) -> io.BytesIO | bytes | pd.DataFrame:
    if kind == "csv":
        return _csv(rows, "sheet.csv")
    if kind == "xlsx":
        return xlsx_bytes(rows)
    width = len(rows[0])
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows[1:]], columns=rows[0])


# --- columns naming their objects: the repeated row is one refused row ------------------------

NAMED_REPEATS = {
    "page number in notes": (
        ["Deal ID", "Contact ID", "Notes"],
        ["Deal ID", "Contact ID", "Page 2"],
    ),
    "notes reworded": (
        ["Deal ID", "Contact ID", "Notes"],
        ["Deal ID", "Contact ID", "Notes (optional)"],
    ),
    "empty header titled": (
        ["Deal ID", "Contact ID", "Memo"],
        ["Deal ID", "Contact ID", "Comment"],
    ),
    "description row": (
        ["Deal ID", "Contact ID", "Note"],
        ["deal", "contact", "example row - delete"],
    ),
    "other spelling, other notes": (
        ["Deal ID", "Associated Contact IDs", "Notes"],
        ["Deal IDs", "Contact IDs", "Amount"],
    ),
    "type columns, ids by From ID": (
        ["From Type", "From ID", "To Type", "To ID", "Notes"],
        ["From Type", "From ID", "To Type", "To ID", "Page 2"],
    ),
}


def _named_rows(header: list[str], repeat: list[str]) -> Rows:
    typed = header[0] == "From Type"

    def pair(deal: str, contact: str, note: str) -> list[str]:
        return ["deals", deal, "contacts", contact, note] if typed else [deal, contact, note]

    return [header, pair(DEALS[0], CONTACTS[0], "a"), repeat, pair(DEALS[1], CONTACTS[1], "b")]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(NAMED_REPEATS))
def test_a_header_repeated_under_named_columns_is_one_refused_row(kind: str, case: str) -> None:
    header, repeat = NAMED_REPEATS[case]
    if case == "empty header titled" and kind != "frame":
        header = [*header[:2], ""]
    pairs = hf.read_pairs(_source(_named_rows(header, repeat), kind))
    assert pairs["from_id"].tolist()[0::2] == DEALS[:2]
    assert pairs["to_id"].tolist()[0::2] == CONTACTS[:2]
    issues = hf.validate_pairs(pairs)
    assert set(issues.loc[issues["severity"] == "error", "row"]) == {3}


# --- a column naming no object: the read is refused at the repeated row -----------------------

NEUTRAL = {
    "only the columns read": (
        [["Record ID", "Associated Contact IDs"], [DEALS[0], CONTACTS[0]], []],
        [["Record ID", "Associated Contact IDs"], [DEALS[2], CONTACTS[3]]],
        {"from_type": "deals"},
    ),
    "other header cell empty": (
        [["Record ID", "Deal Name", "Associated Contact IDs"], [DEALS[0], "A", CONTACTS[0]], []],
        [["Record ID", "", "Associated Contact IDs"], [DEALS[2], "Printer broken", CONTACTS[3]]],
        {"from_type": "deals"},
    ),
    "the same export twice": (
        [["Record ID", "Deal Name", "Associated Contact IDs"], [DEALS[0], "A", CONTACTS[0]]],
        [["Record ID", "Deal Stage", "Associated Contact IDs"], [DEALS[1], "won", CONTACTS[1]]],
        {"from_type": "deals"},
    ),
    "one cell read names its column": (
        [
            ["Record ID", "Associated Company IDs", "Associated Contact IDs"],
            [DEALS[0], "3030001", CONTACTS[0]],
        ],
        [["Record ID", "Associated Contact IDs", ""], [DEALS[2], CONTACTS[3], ""]],
        {"from_type": "deals", "to_type": "contacts"},
    ),
    "another spelling": (
        [["Record ID", "Associated Contact IDs"], [DEALS[0], CONTACTS[0]]],
        [["Object ID", "Contact IDs"], [DEALS[2], CONTACTS[3]]],
        {"from_type": "deals"},
    ),
    "an empty export first": (
        [["Record ID", "Associated Contact IDs"]],
        [["Record ID", "Associated Contact IDs"], [DEALS[2], CONTACTS[3]]],
        {"from_type": "deals"},
    ),
    "a column chosen by columns=": (
        [["hs_object_id", "Associated Contact IDs"], [DEALS[0], CONTACTS[0]]],
        [["hs_object_id", "Associated Contact IDs"], [DEALS[2], CONTACTS[3]]],
        {"from_type": "deals", "columns": {"hs_object_id": "from_id"}},
    ),
    "the 'to' side names none": (
        [["Deal ID", "Associated ID"], [DEALS[0], CONTACTS[0]]],
        [["Deal ID", "Associated ID"], [DEALS[2], CONTACTS[3]]],
        {"to_type": "contacts"},
    ),
    "From ID and To ID with types given": (
        [["From ID", "To ID"], [DEALS[0], CONTACTS[0]]],
        [["From ID", "To ID"], [DEALS[2], CONTACTS[3]]],
        {"from_type": "deals", "to_type": "contacts"},
    ),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(NEUTRAL))
def test_a_header_repeated_under_a_column_naming_no_object_stops_the_read(
    kind: str, case: str
) -> None:
    top, below, given = NEUTRAL[case]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source([*top, *below], kind), **given)  # type: ignore[arg-type]
    message = str(info.value)
    assert f"row {len(top) + 1}" in message
    assert "reads as a header of a second table below the first" in message
    assert "does not name the object" in message or "do not name the object" in message
    assert "read each export on its own" in message


def test_the_message_names_the_column_the_object_and_the_cells() -> None:
    top, below, given = NEUTRAL["other header cell empty"]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_csv([*top, *below], f"{EXPORT_NAME}.csv"))
    message = str(info.value)
    assert "row 4 reads as a header" in message
    assert "'Record ID' does not name the object of its ids (read as deals" in message
    assert "'Record ID | Deal Name | Associated Contact IDs'" in message
    assert "'Record ID |  | Associated Contact IDs'" in message
    top, below, given = NEUTRAL["the same export twice"]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_csv([*top, *below], "sheet.csv"), **given)  # type: ignore[arg-type]
    assert "'Deal Stage' under 'Deal Name'" in str(info.value)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_sync_of_trimmed_stacked_exports_changes_nothing(kind: str, tmp_path: Path) -> None:
    """The repro over HTTP: deal 1010003 (a ticket's id) keeps its contact 2020009."""
    top, below, _ = NEUTRAL["only the columns read"]
    rows = [*top, *below]
    path = tmp_path / f"{EXPORT_NAME}.{kind}"
    path.write_bytes(_csv(rows, "x.csv").getvalue() if kind == "csv" else xlsx_bytes(rows))
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("tickets", [DEALS[2]])
        sb.add_records("contacts", CONTACTS)
        sb.associate("deals", DEALS[2], "contacts", CONTACTS[4])
        before = sb.associations("deals", "contacts")
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        with pytest.raises(InputError, match=r"row 4 reads as a header of a second table"):
            hf.sync(path, client, allow_removals=True)
        assert sb.associations("deals", "contacts").equals(before)


# --- seeded: a header repeated, its other cells the same, other or empty ------------------------

LAYOUTS: list[tuple[list[str], bool, dict[str, str]]] = [
    (["Deal ID", "Contact ID"], False, {}),
    (["Deal ID", "Associated Contact IDs"], False, {}),
    (["Contact Email", "Deal ID"], False, {}),
    (["Record ID", "Associated Contact IDs"], True, {"from_type": "deals"}),
    (["ID", "Contact ID"], True, {"from_type": "deals"}),
    (["From ID", "To ID"], True, {"from_type": "deals", "to_type": "contacts"}),
    (["Deal ID", "To ID"], True, {"to_type": "contacts"}),
]
OTHER_CELLS = ["", "Notes", "Page 2", "Ticket name", "Deal Stage", "Amount", "-"]


def _seeded(rng: random.Random, kind: str) -> tuple[Rows, int, bool, dict[str, str]]:
    """A sheet of pairs, a header repeated somewhere below (its other cells as in the header,
    empty or other; a blank row above it in a file), and whether its id columns name no
    object."""
    read, neutral, given = rng.choice(LAYOUTS)
    header = [*read]
    extra = rng.randint(0, 2)
    for i in range(extra):
        header.insert(rng.randint(0, len(header)), f"Note {i + 1}")
    email = read[0] == "Contact Email"

    def row(n: int) -> list[str]:
        ids = {read[0]: f"c{n}@example.com" if email else str(1_010_000 + n)}
        ids[read[1]] = str(2_020_000 + n)
        return [ids.get(h, rng.choice(["", "ok", "x"])) for h in header]

    top = [row(n) for n in range(rng.randint(0, 4))]
    repeat = [h if h in read else rng.choice([h, *OTHER_CELLS]) for h in header]
    below = [row(n) for n in range(10, 10 + rng.randint(1, 4))]
    gap: Rows = rng.choice([[], [[""] * len(header)]]) if kind != "frame" else []
    rows = [header, *top, *gap, repeat, *below]
    return rows, len(top) + len(gap) + 2, neutral, given


@pytest.mark.parametrize("seed", range(12))
def test_seeded_repeated_headers(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(6):
        kind = rng.choice(KINDS)
        rows, at, neutral, given = _seeded(rng, kind)
        source = _source(rows, kind)
        if neutral:
            with pytest.raises(InputError, match=rf"row {at}\b.* reads as a header of a second"):
                hf.read_pairs(source, **given)  # type: ignore[arg-type]
            continue
        pairs = hf.read_pairs(source, **given)  # type: ignore[arg-type]
        assert len(pairs) == sum(1 for r in rows[1:] if any(r))
        issues = hf.validate_pairs(pairs)
        assert set(issues.loc[issues["severity"] == "error", "row"]) == {at}
