"""The reads' checks of this stop take a record id by the read's own rule
(:func:`hubframe.io.cells.record_id`), not by patterns of their own:

* a data row with an object's word beside a short record id (``51 | Lead``: an old portal's
  contact) is its own refused row, as ``1010002 | Lead`` is -- the second-table check took only
  ids of 5 to 18 digits for ids and stopped the whole read;
* a ``(Primary)`` cell written as Excel's text formula (``="3030009"``), which an id column
  reads as its id, is held to the row's ids like any other;
* a ``(Primary)`` cell whose exponent no number holds (``1e99999999999999999999``) says
  nothing: the read went on to fail as "the file could not be read", naming no row.
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.testing import csv_upload

WORDS = ["Lead", "Call", "Note", "Task", "Tickets", "Order", "0-5"]
SHORT_IDS = ["51", "151", "1201", "9999", "1010002"]


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("short", SHORT_IDS)
def test_an_object_word_beside_a_short_record_id_is_its_own_refused_row(
    short: str, word: str
) -> None:
    rows = [
        ["From ID", "To ID", "Notes"],
        ["101", "1010001", ""],
        [short, word, "placeholder - deal not created yet"],
        ["151", "1010003", ""],
    ]
    pairs = hf.read_pairs(csv_upload(rows), from_type="contacts", to_type="deals")
    assert pairs["from_id"].tolist() == ["101", short, "151"]
    issues = hf.validate_pairs(pairs)
    bad = issues[issues["severity"] == "error"]
    assert bad["row"].astype(int).tolist() == [3], bad.to_dict("records")
    assert bad["code"].tolist() == ["BAD_ID"]


def test_a_title_row_of_another_object_still_stops_the_read() -> None:
    rows = [
        ["Record ID", "Associated Contact IDs"],
        ["1010001", "2020001"],
        ["Tickets", ""],
        ["4040001", "2020004"],
    ]
    with pytest.raises(hf.InputError, match="row 3"):
        hf.read_pairs(csv_upload(rows, "hubspot-crm-exports-all-deals-2026-11-29.csv"))


HEADER = ["Deal ID", "Associated Company IDs", "Associated Company IDs (Primary)"]


@pytest.mark.parametrize("cell", ['="3030009"', "'3030009", "3030009.0"])
def test_a_primary_written_as_text_or_float_is_held_to_the_row(cell: str) -> None:
    rows = [HEADER, ["1010001", "3030001", cell], ["1010002", "3030002", "3030002"]]
    with pytest.raises(HeaderError, match="3030009"):
        hf.read_pairs(csv_upload(rows), to_type="companies")
    listed = [HEADER, ["1010001", "3030009", cell], ["1010002", "3030002", "3030002"]]
    assert len(hf.read_pairs(csv_upload(listed), to_type="companies")) == 2


@pytest.mark.parametrize("cell", ["1e99999999999999999999", "9.9E+999999999999", "1E-99999999999"])
def test_a_primary_no_number_holds_says_nothing(cell: str) -> None:
    rows = [HEADER, ["1010001", "3030001", cell], ["1010002", "3030002", "3030002"]]
    pairs = hf.read_pairs(csv_upload(rows), to_type="companies")
    assert pairs["to_id"].tolist() == ["3030001", "3030002"]


def test_a_frame_of_a_thousand_rows_with_two_type_columns_names_the_first_differing_row() -> None:
    """The type check judges each distinct pair of cells once and finds its rows in Arrow: the
    row named is still the first that differs."""
    size = 1_000
    objects = ["deals"] * size
    objects[617] = "tickets"
    objects[800] = "tickets"
    frame = pd.DataFrame(
        {
            "From Type": ["deals"] * size,
            "Object": objects,
            "From ID": [str(1010001 + n) for n in range(size)],
            "To Type": ["contacts"] * size,
            "To ID": ["2020001"] * size,
        }
    )
    with pytest.raises(HeaderError, match=r"row 619 \(index 617\)"):
        hf.read_pairs(frame)
