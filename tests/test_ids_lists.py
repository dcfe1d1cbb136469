"""A file of record ids whose cells hold ``;``-separated lists (copied from an export's
"Associated Deal IDs" column) reads every id of every cell, as a sheet of pairs splits them,
whatever the spaces around ``;``; a row with cells past the header is refused naming the row
and the cells.  Before, a one-column CSV was split at ``;`` as its delimiter, the later ids
became cells past the header and were dropped without a word (``101;102`` read as ``101``),
while ``101; 102`` was refused: the outcome hung on the delimiter sniffer, not on the cell."""

from __future__ import annotations

import itertools

import pytest

from hubframe.errors import InputError
from hubframe.io.ids import read_ids
from hubframe.testing import xlsx_bytes

IDS = [str(101936297021 + i) for i in range(9)]
SEPARATORS = (";", "; ", " ; ", ";;")


def _cells(sizes: tuple[int, ...], sep: str) -> list[str]:
    out, n = [], 0
    for size in sizes:
        out.append(sep.join(IDS[n : n + size]))
        n += size
    return out


GRID = [
    (sizes, sep, extra)
    for sizes in itertools.product((1, 2, 3), repeat=3)
    for sep in SEPARATORS
    for extra in (False, True)
    if max(sizes) > 1 or sep == ";"
]


@pytest.mark.parametrize(("sizes", "sep", "other"), GRID)
def test_every_id_of_a_list_cell_is_read(sizes: tuple[int, ...], sep: str, other: bool) -> None:
    """One column, or beside a column of names (``other``), in a CSV and a workbook."""
    cells = _cells(sizes, sep)
    wanted = IDS[: sum(sizes)]
    header = ["Deal ID", "Name"] if other else ["Deal ID"]
    rows = [[c, "Acme"] if other else [c] for c in cells]
    csv = "\n".join(",".join(f'"{v}"' if "," in v else v for v in r) for r in [header, *rows])
    assert read_ids(csv.encode() + b"\n", object_type="deals") == wanted
    assert read_ids(xlsx_bytes([header, *rows]), object_type="deals") == wanted


@pytest.mark.parametrize(
    ("data", "row", "cells"),
    [
        (b"Deal ID,Name\n101936297021,Acme,Inc\n", 2, "Inc"),
        (b"Deal ID\n101936297021\n1,019,360,003\n", 3, "019,360,003"),
        (b"Deal ID\tName\n101936297021\tA\n101936297022\tB\tC\n", 3, "C"),
    ],
)
def test_rows_with_cells_past_the_header_are_refused(data: bytes, row: int, cells: str) -> None:
    with pytest.raises(InputError) as caught:
        read_ids(data, object_type="deals")
    said = str(caught.value)
    assert f"row {row}" in said and cells in said, said


def test_a_one_column_file_keeps_its_cells_whole() -> None:
    """A header of one cell says the file has one column: a ``;`` or ``|`` in its cells is
    not taken for the delimiter."""
    data = b"Deal ID\n101936297021|101936297022\n"
    with pytest.raises(InputError) as caught:
        read_ids(data, object_type="deals")
    assert "101936297021|101936297022" in str(caught.value)
