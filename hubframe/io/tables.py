"""The totals rows of a sheet's Excel tables: totals, not pairs.

An Excel table (Insert > Table) may end with a totals row: ``Total``, ``SUBTOTAL(103, ...)``
counts, sums.  Excel shows it apart from the table's rows; its cells are read like any other,
and a count under each id column (2 and 2) reads as a pair of ids.  The reader finds those
rows in the table parts the sheet's relations name (``totalsRowCount`` rows at the end of the
table's ``ref``), and validation refuses each (``TOTALS_ROW``).  The tables' ranges and
column names also say which cells a structured reference (``Table1[Max]``) names (io.sums).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Final

from hubframe.io.xmltags import column_number

#: The private frame column naming, on a totals row, its table (validation's TOTALS_ROW).
TOTALS_ROW: Final = "_raw_totals_row"
#: The private frame column saying, on a totals row typed by hand (io.sums), which cell totals
#: its column (validation's TOTALS_ROW).
SUM_ROW: Final = "_raw_sum_row"
_RELATION = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]{0,2048}>")
_TABLE = re.compile(rb"<(?:[\w.-]+:)?table\b[^>]{0,4096}>")
_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_COLUMN = re.compile(rb"<(?:[\w.-]+:)?tableColumn\b[^>]{0,4096}>")
_TABLES_MAX: Final = 64  # table parts of a sheet looked at
_PART_MAX: Final = 1 << 20  # bytes of a relations or table part looked at


def _attribute(tag: bytes, name: bytes) -> str:
    found = re.search(rb"\b" + name + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", tag)
    if found is None:
        return ""
    return (found.group(1) or found.group(2) or b"").decode("utf-8", "replace")


def _read(book: zipfile.ZipFile, name: str) -> bytes:
    lower = {n.lower(): n for n in book.namelist()}
    found = lower.get(name.lower())
    if found is None or book.getinfo(found).file_size > _PART_MAX:
        return b""
    return book.read(found)


@dataclass(frozen=True)
class Table:
    """An Excel table of a sheet: its name, its rows and columns (1-based, headers and
    totals included), how many header and totals rows it has, and its columns' names."""

    name: str
    top: int
    bottom: int
    left: int
    right: int
    headers: int
    totals: int
    columns: tuple[str, ...]

    def holds(self, row: int, column: int) -> bool:
        """Whether the cell at ``row``, ``column`` is in the table."""
        return self.top <= row <= self.bottom and self.left <= column <= self.right


def sheet_tables(book: zipfile.ZipFile, part: str) -> list[Table]:
    """The Excel tables of the sheet ``part`` (its name in the archive), as the table parts
    its relations name describe them; a part that does not describe one is left out."""
    from hubframe.io.guard import resolve_part  # the workbook guard: only for a workbook

    folder, base = posixpath.split(part)
    rels = _read(book, posixpath.join(folder, "_rels", base + ".rels"))
    targets = [
        resolve_part(folder, _attribute(tag, b"Target"))
        for tag in _RELATION.findall(rels)
        if _attribute(tag, b"Type").endswith("/table")
    ]
    tables = (_table(_read(book, target)) for target in targets[:_TABLES_MAX])
    return [t for t in tables if t is not None]


def _table(xml: bytes) -> Table | None:
    """The table a table part describes, or None (no table tag, no range of two cells)."""
    import html  # only a workbook with tables needs it (start-up: tests/test_startup)

    tag = _TABLE.search(xml)
    if tag is None:
        return None
    corners = [
        (m.group(1), int(m.group(2))) for m in _RANGE.finditer(_attribute(tag.group(0), b"ref"))
    ]
    if len(corners) != 2:
        return None
    (first, top), (last, bottom) = corners
    name = _attribute(tag.group(0), b"displayName") or _attribute(tag.group(0), b"name")
    columns = tuple(html.unescape(_attribute(c, b"name")) for c in _COLUMN.findall(xml))
    return Table(
        html.unescape(name),
        min(top, bottom),
        max(top, bottom),
        column_number(first.encode()),
        column_number(last.encode()),
        _count(tag.group(0), b"headerRowCount", 1),
        _count(tag.group(0), b"totalsRowCount", 0),
        columns,
    )


def _count(tag: bytes, name: bytes, default: int) -> int:
    value = _attribute(tag, name)
    return int(value) if value.isdigit() else default


def totals_rows(tables: list[Table]) -> dict[int, str]:
    """Excel row -> table name, for the totals rows of ``tables`` (a sheet's).  Empty when
    none has a totals row."""
    out: dict[int, str] = {}
    for table in tables:
        for row in range(table.bottom - table.totals + 1, table.bottom + 1):
            out[row] = table.name
    return out


__all__ = ["SUM_ROW", "TOTALS_ROW", "Table", "sheet_tables", "totals_rows"]
