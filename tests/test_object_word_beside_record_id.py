"""An everyday word that is also an object's name, in an id column naming no object.

Review of ab2241c.  Under ``From ID | To ID | Notes`` (deals -> contacts given) a data row
``1010002 | Lead | placeholder - contact not created yet`` stopped the whole read as 'the title
or header of a second table' (the same for Call, Note, Task, Meeting, Quote, Order, ... and in a
deals export's ``Record ID``), though its other id cell holds a record id: at d1ce300 that row
alone was refused (BAD_ID) and the others read.  Now a foreign object's name is a title or
header only when the row's other id cells read hold no record id; beside one it is the row's
own bad id.  A title ``Calls`` (its other cells empty, or header words) still stops the read.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import xlsx_bytes

Rows = list[list[str]]
WORDS = [
    "Lead",
    "Call",
    "Note",
    "Task",
    "Meeting",
    "Quote",
    "Order",
    "Service",
    "Product",
    "Invoice",
    "Appointment",
    "Course",
    "Listing",
    "Emails",
    "User",
    "Goal",
    "Payment",
    "Tickets",
    "Companies",
]
DC = {"from_type": "deals", "to_type": "contacts"}
#: header, the types given, the positions of the id columns read (from, to), a note column
LAYOUTS: list[tuple[list[str], dict[str, str], tuple[int, int], int | None]] = [
    (["From ID", "To ID", "Notes"], DC, (0, 1), 2),
    (["From ID", "To ID"], DC, (0, 1), None),
    (["Record ID", "Deal Name", "Associated Contact IDs"], DC, (0, 2), 1),
    (["Record ID", "Associated Contact IDs"], {"from_type": "deals"}, (0, 1), None),
    (["Object ID", "To ID", "Notes"], DC, (0, 1), 2),
    (["ID", "Associated ID"], DC, (0, 1), None),
]


def _source(rows: Rows, kind: str) -> io.BytesIO | bytes | pd.DataFrame:
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        source = io.BytesIO(out.getvalue().encode())
        source.name = "deal_contacts.csv"
        return source
    if kind == "xlsx":
        return xlsx_bytes(rows)
    width = len(rows[0])
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows[1:]], columns=rows[0])


def _row(header: list[str], ids: tuple[int, int], deal: str, contact: str, note: str) -> list[str]:
    out = [note if i not in ids else "" for i in range(len(header))]
    out[ids[0]], out[ids[1]] = deal, contact
    return out


def _neutral(header: list[str], side: int) -> bool:
    return header[side] in ("From ID", "To ID", "Record ID", "Object ID", "ID", "Associated ID")


def _data_case(rng: random.Random) -> tuple[Rows, dict[str, str], int, str]:
    header, given, ids, _ = rng.choice(LAYOUTS)
    sides = [s for s in (0, 1) if _neutral(header, ids[s])]
    side = rng.choice(sides)
    word = rng.choice([rng.choice(WORDS), rng.choice(WORDS).upper(), rng.choice(WORDS).lower()])
    count = rng.randint(3, 6)
    at = rng.randrange(count)
    rows = [header]
    for n in range(count):
        pair = [str(1_010_001 + n), str(2_020_001 + n)]
        if n == at:
            pair[side] = word
        note = rng.choice(["", "placeholder - not created yet", "check"])
        rows.append(_row(header, ids, pair[0], pair[1], note))
    return rows, given, at + 2, word


@pytest.mark.parametrize("seed", range(8))
def test_seeded_object_word_beside_a_record_id_is_one_refused_row(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(6):
        rows, given, at, word = _data_case(rng)
        kind = rng.choice(["csv", "xlsx", "frame"])
        pairs = hf.read_pairs(_source(rows, kind), **given)  # type: ignore[arg-type]
        assert pairs["row"].tolist() == list(range(2, len(rows) + 1)), (rows, kind)
        ids = next(layout[2] for layout in LAYOUTS if layout[0] == rows[0])
        assert pairs["from_id"].tolist() == [r[ids[0]] for r in rows[1:]]
        assert pairs["to_id"].tolist() == [r[ids[1]] for r in rows[1:]]
        issues = hf.validate_pairs(pairs)
        errors = issues.loc[issues["severity"] == "error"]
        assert set(errors["row"]) == {at}, (rows, kind, errors)
        assert set(errors["code"]) == {"BAD_ID"}, (word, errors)


def test_the_reported_sheet_reads_three_rows() -> None:
    rows = [["From ID", "To ID", "Notes"], ["1010001", "2020001", ""]]
    rows += [["1010002", "Lead", "placeholder - contact not created yet"]]
    rows += [["1010003", "2020003", ""]]
    for word in WORDS:
        rows[2][1] = word
        pairs = hf.read_pairs(_source(rows, "csv"), **DC)  # type: ignore[arg-type]
        assert pairs["to_id"].tolist() == ["2020001", word, "2020003"]
        issues = hf.validate_pairs(pairs)
        assert set(issues.loc[issues["severity"] == "error", "row"]) == {3}


# --- a title or header naming another object still stops the read --------------------------------


def _title_case(rng: random.Random) -> tuple[Rows, dict[str, str], int]:
    header, given, ids, note = rng.choice(LAYOUTS)
    sides = [s for s in (0, 1) if _neutral(header, ids[s])]
    side = rng.choice(sides)
    word = rng.choice(WORDS)
    word = rng.choice([word, word + "s" if not word.endswith("s") else word, word.upper()])
    top = [_row(header, ids, str(1_010_001 + n), str(2_020_001 + n), "") for n in range(2)]
    title = [""] * len(header)
    title[ids[side]] = word
    other = ids[1 - side]
    title[other] = rng.choice(["", "", header[other], "To ID" if side == 0 else "From ID"])
    if note is not None:
        title[note] = rng.choice(["", "(export 2)", "Notes"])
    gap: Rows = rng.choice([[], [[""] * len(header)]])
    below = [_row(header, ids, str(4_040_001 + n), str(2_020_005 + n), "") for n in range(2)]
    return [header, *top, *gap, title, *below], given, 4 + len(gap)


@pytest.mark.parametrize("seed", range(6))
def test_seeded_object_word_as_a_title_still_stops_the_read(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(6):
        rows, given, at = _title_case(rng)
        kind = rng.choice(["csv", "xlsx"])
        with pytest.raises(InputError, match=rf"row {at} .*second table"):
            hf.read_pairs(_source(rows, kind), **given)  # type: ignore[arg-type]


# --- over HTTP: the other rows sent, the odd one reported as not applied -------------------------


def test_the_other_rows_are_sent_and_the_word_row_reported_invalid(tmp_path: Path) -> None:
    rows = [["From ID", "To ID", "Notes"], ["1010001", "2020001", ""]]
    rows += [["1010002", "Meeting", "placeholder - contact not created yet"]]
    rows += [["1010003", "2020003", ""]]
    path = tmp_path / "deal_contacts.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows(rows)
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", ["1010001", "1010002", "1010003"])
        sb.add_records("contacts", ["2020001", "2020003"])
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        pairs = hf.read_pairs(path, **DC)  # type: ignore[arg-type]
        result = hf.associate(pairs, client, progress=False)
        assert result["row"].tolist() == [2, 3, 4]
        assert result["status"].tolist() == ["success", "invalid", "success"]
        assert len(sb.associations("deals", "contacts")) == 2
