"""A list of ids that Excel cut short stops the read.

An Excel cell holds 32,767 characters; opening or saving a file in Excel drops the rest.  A
HubSpot export's "Associated Contact IDs" cell of a record with some 3,000 contacts is longer:
saved from Excel, it ends mid-list, its last id cut (``101936297`` where ``1019362979`` was).
Before, the cut id was read as a record id (another record's, or none) and, in a sync with
removals, every id past the cut was removed from the record.  A cell of exactly that length is
now refused, naming it; longer cells (a CSV never opened in Excel) and shorter ones read as
before.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, xlsx_bytes

DEAL = "2040000001"
IDS = [str(1_019_360_001 + i) for i in range(3000)]
WHOLE = ";".join(IDS)  # 32,999 characters
CUT = WHOLE[:32_767]  # as Excel keeps it: the last id cut to 9 digits


def _csv(cell: str) -> io.BytesIO:
    source = io.BytesIO(f'Record ID,Associated Contact IDs\n{DEAL},"{cell}"\n'.encode())
    source.name = "export.csv"
    return source


def test_a_cell_cut_at_excels_length_stops_the_read() -> None:
    assert CUT.rsplit(";", 1)[1] == "101936297"  # what the cut left: a valid-looking id
    with pytest.raises(InputError) as info:
        hf.read_pairs(_csv(CUT), from_type="deals")
    message = str(info.value)
    assert "export.csv: the cell in row 2, column 'Associated Contact IDs'" in message
    assert "32,767 characters, the most an Excel cell holds" in message


def test_a_workbook_names_its_sheet() -> None:
    data = xlsx_bytes([["Record ID", "Associated Contact IDs"], [DEAL, CUT]], title="Deals")
    with pytest.raises(InputError, match=r"\[Deals\]: the cell in row 2"):
        hf.read_pairs(data, from_type="deals")


@pytest.mark.parametrize("cell", [WHOLE, CUT[:-1], CUT.rsplit(";", 1)[0]])
def test_longer_and_shorter_lists_read_as_before(cell: str) -> None:
    pairs = hf.read_pairs(_csv(cell), from_type="deals")
    assert pairs["to_id"].tolist() == cell.split(";")


def test_a_sync_never_removes_what_excel_cut_off(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(seed=None)
    sb.add_records("deals", [DEAL])
    sb.add_records("contacts", IDS)
    for contact in IDS:  # before: the 22 ids past the cut were removed, reported success
        sb.associate("deals", DEAL, "contacts", contact)
    with pytest.raises(InputError, match="Excel cut it short"):
        pairs = hf.read_pairs(_csv(CUT), from_type="deals")
        hf.sync(pairs, client_for(sb), allow_removals=True, progress=False)
    assert len(sb.associations("deals", "contacts")) == 3000
