"""Excel workbooks: checked bytes, sheets picked by name or position, cells as Arrow text.

A workbook is checked before an engine sees it (:mod:`hubframe.io.guard`), then read by
python-calamine (openpyxl when calamine fails) and converted column by column with Arrow and
numpy (:func:`hubframe.io.cells.cells_to_arrow`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from hubframe.errors import InputError
from hubframe.io.bounds import ReadLimits
from hubframe.io.cells import cells_to_arrow, clean_headers, written_headers
from hubframe.io.guard import checked_workbook, refuse_legacy_excel
from hubframe.io.normalize import ObjArray
from hubframe.io.sheet import RawSheet, Request, find_header
from hubframe.io.sources import OLE_MAGIC, Loaded, SheetArg, all_bytes

ENCRYPTED_MARK: Final = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Grid:
    name: str
    cells: list[list[Any]]
    first_row: int  # Excel row number of cells[0]


def workbook_bytes(loaded: Loaded, limits: ReadLimits) -> bytes:
    """The workbook's bytes once checked (:mod:`hubframe.io.guard`): what the engines may open."""
    data = all_bytes(loaded)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise InputError(
                f"{loaded.name}: the workbook is password-protected. Open it in Excel, remove "
                "the password (File > Info > Protect Workbook > Encrypt with Password), save, "
                "and try again."
            )
        raise refuse_legacy_excel(loaded.name)
    return checked_workbook(data, loaded.name, limits)


def excel_sheets(data: bytes, sheet: SheetArg, request: Request) -> list[RawSheet]:
    name = request.source_name
    grids = excel_grids(data, sheet, name)
    sheets: list[RawSheet] = []
    for grid in grids:
        raw = _grid_sheet(grid, request, every=sheet == "*")
        if raw is not None:
            sheets.append(raw)
    if not sheets:
        raise InputError(
            f"{name}: no sheet has a header hubframe recognises "
            f"(sheets: {', '.join(g.name for g in grids)})."
        )
    return sheets


def excel_grids(data: bytes, sheet: SheetArg, name: str) -> list[Grid]:
    try:
        return _calamine_grids(data, sheet, name)
    except InputError:
        raise
    except Exception as first:  # calamine raises several error types; try openpyxl next
        if type(first).__name__ == "PasswordError":
            raise InputError(
                f"{name}: the workbook is password-protected. Remove the password in Excel, "
                "save, and try again."
            ) from first
        try:
            return _openpyxl_grids(data, sheet, name)
        except InputError:
            raise
        except Exception as second:
            raise InputError(
                f"{name}: the workbook cannot be read; the file is damaged or not an Excel "
                f"workbook ({first}; {second}). Open it in Excel and save it again."
            ) from second


def _pick_sheets(names: list[str], sheet: SheetArg, source: str) -> list[str]:
    if not names:
        raise InputError(f"{source}: the workbook has no sheets.")
    if sheet is None:
        return names[:1]
    if sheet == "*":
        return names
    if isinstance(sheet, int):
        if -len(names) <= sheet < len(names):
            return [names[sheet]]
    else:
        exact = [n for n in names if n == sheet]
        loose = [n for n in names if n.strip().casefold() == str(sheet).strip().casefold()]
        if exact or loose:
            return (exact or loose)[:1]
    raise InputError(
        f"{source}: no sheet {sheet!r}. Sheets in the workbook: {', '.join(names)} "
        "(sheet= takes a name, a 0-based number, or '*' for every sheet)."
    )


def _calamine_grids(data: bytes, sheet: SheetArg, source: str) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    for name in _pick_sheets(list(book.sheet_names), sheet, source):
        ws = book.get_sheet_by_name(name)
        cells = ws.to_python()
        start = ws.start
        first = (start[0] if start else 0) + 1
        grids.append(Grid(name, cells if cells else [], first))
    return grids


def _openpyxl_grids(data: bytes, sheet: SheetArg, source: str) -> list[Grid]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        grids = []
        for name in _pick_sheets(list(book.sheetnames), sheet, source):
            ws = book[name]
            cells = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            grids.append(Grid(name, cells, 1))
        return grids
    finally:
        book.close()


def _rectangle(body: list[list[Any]], width: int) -> ObjArray:
    """Rows of cells as a 2-D object array of exactly ``width`` columns (None pads)."""
    table: ObjArray = np.empty((len(body), width), dtype=object)
    if not body:
        return table
    block = np.array(body, dtype=object)
    if block.ndim == 2:
        cols = min(width, block.shape[1])
        table[:, :cols] = block[:, :cols]
        return table
    for i, row in enumerate(body):  # ragged rows (openpyxl): padded with None
        cells = row[:width]
        table[i, : len(cells)] = cells
    return table


def _grid_sheet(grid: Grid, request: Request, *, every: bool) -> RawSheet | None:
    where = f"{request.source_name} [{grid.name}]"
    index = find_header(grid.cells, request)
    if index < 0 or (every and request.score(grid.cells[index]) == 0):
        if every:
            request.skipped_sheets.append(grid.name)
            return None
        raise InputError(f"{where}: the sheet is empty.")
    headers = clean_headers(grid.cells[index])
    mapping = request.match(headers, where)
    body = grid.cells[index + 1 :]
    table = _rectangle(body, len(headers))
    columns = [cells_to_arrow(table[:, i]) for i in range(len(headers))]
    rows = np.arange(len(body), dtype=np.int64) + grid.first_row + index + 1
    written = written_headers(grid.cells[index], headers)
    return RawSheet(grid.name, headers, columns, rows, mapping, written=written)
