"""A workbook of the features a sheet reader must read as the sheet shows them, for the
properties of tests/test_merged_cells.py and tests/test_openpyxl_fallback.py: ids, labels,
error values, formulas without a value, hidden rows and a label merged down; and
:func:`engine`, which reads with openpyxl as when calamine fails."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import strategies as st
from openpyxl import Workbook

from hubframe.io import excel as hexcel

HEADER = ["Deal ID", "Contact ID", "Label"]
DEAL, CONTACT = "7000000001", "8000000002"
CELLS = st.sampled_from(["", DEAL, CONTACT, "Champion", "#N/A", "=VLOOKUP(A2,L!A:B,2,0)"])
GRIDS = st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=7)
HIDDEN = st.sets(st.integers(2, 8), max_size=3)
MERGES = st.one_of(st.none(), st.tuples(st.integers(2, 8), st.integers(1, 3)))


@dataclass
class FeaturesBook:
    """The workbook, what its file holds and what its sheet shows (row 2 first)."""

    data: bytes
    held: list[list[str]]
    shown: list[list[str]]


def features_book(
    grid: list[list[str]], hidden: set[int], merge: tuple[int, int] | None
) -> FeaturesBook:
    """A sheet of ``grid`` under HEADER, rows ``hidden``, and a label merged down from row
    ``merge[0]`` over ``merge[1]`` rows (a merge clears the cells it covers)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    for row in grid:
        ws.append([cell or None for cell in row])
    held = [list(row) for row in grid]
    shown = [list(row) for row in grid]
    if merge is not None:
        top, span = merge
        bottom = min(top + span, len(grid) + 1)
        if bottom > top:
            ws.merge_cells(f"C{top}:C{bottom}")
            for r in range(top + 1, bottom + 1):
                held[r - 2][2] = ""
                shown[r - 2][2] = shown[top - 2][2]
    for number in hidden:
        ws.row_dimensions[number].hidden = True
    out = io.BytesIO()
    book.save(out)
    return FeaturesBook(out.getvalue(), held, shown)


def with_merges(data: bytes, merges: list[str]) -> bytes:
    """The workbook with ``merges`` added to its first sheet's XML, the covered cells left
    as they are (as LibreOffice keeps them on "keep the contents of the hidden cells")."""
    block = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
    listed = f'<mergeCells count="{len(merges)}">{block}</mergeCells>'.encode()
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"</sheetData>", b"</sheetData>" + listed, 1)
            copy.writestr(info.filename, part)
    return out.getvalue()


@contextlib.contextmanager
def read_with(name: str) -> Iterator[None]:
    """Read with ``name``: calamine as usual, or openpyxl as when calamine fails."""
    if name == "calamine":
        yield
        return

    def broken(self: hexcel.Workbook) -> Any:
        raise RuntimeError("calamine cannot read this workbook")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hexcel.Workbook, "_book", broken)
        yield


def rewrite_sheet(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """The workbook with its first sheet's XML edited (as other writers lay it out)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            part = source.read(info)
            copy.writestr(info, edit(part) if info.filename.endswith("sheet1.xml") else part)
    return out.getvalue()
