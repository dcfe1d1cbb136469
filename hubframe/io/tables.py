"""The totals rows of a sheet's Excel tables: totals, not pairs.

An Excel table (Insert > Table) may end with a totals row: ``Total``, ``SUBTOTAL(103, ...)``
counts, sums.  Excel shows it apart from the table's rows; its cells are read like any other,
and a count under each id column (2 and 2) reads as a pair of ids.  The reader finds those
rows in the table parts the sheet's relations name (``totalsRowCount`` rows at the end of the
table's ``ref``), and validation refuses each (``TOTALS_ROW``).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Final

#: The private frame column naming, on a totals row, its table (validation's TOTALS_ROW).
TOTALS_ROW: Final = "_raw_totals_row"
#: The private frame column saying, on a totals row typed by hand (io.sums), which cell totals
#: its column (validation's TOTALS_ROW).
SUM_ROW: Final = "_raw_sum_row"
_RELATION = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]{0,2048}>")
_TABLE = re.compile(rb"<(?:[\w.-]+:)?table\b[^>]{0,4096}>")
_RANGE = re.compile(r"\$?[A-Za-z]{1,3}\$?([0-9]{1,7})")
_TABLES_MAX: Final = 64  # table parts of a sheet looked at
_PART_MAX: Final = 1 << 20  # bytes of a relations or table part looked at


def _attribute(tag: bytes, name: bytes) -> str:
    found = re.search(rb"\b" + name + rb"\s*=\s*[\"']([^\"']*)[\"']", tag)
    return found.group(1).decode("utf-8", "replace") if found is not None else ""


def _read(book: zipfile.ZipFile, name: str) -> bytes:
    lower = {n.lower(): n for n in book.namelist()}
    found = lower.get(name.lower())
    if found is None or book.getinfo(found).file_size > _PART_MAX:
        return b""
    return book.read(found)


def totals_rows(book: zipfile.ZipFile, part: str) -> dict[int, str]:
    """Excel row -> table name, for the totals rows of the tables of the sheet ``part`` (its
    name in the archive).  Empty when the sheet has no table with a totals row."""
    from hubframe.io.guard import resolve_part  # the workbook guard: only for a workbook

    folder, base = posixpath.split(part)
    rels = _read(book, posixpath.join(folder, "_rels", base + ".rels"))
    targets = [
        resolve_part(folder, _attribute(tag, b"Target"))
        for tag in _RELATION.findall(rels)
        if _attribute(tag, b"Type").endswith("/table")
    ]
    out: dict[int, str] = {}
    for target in targets[:_TABLES_MAX]:
        tag = _TABLE.search(_read(book, target))
        if tag is None:
            continue
        count = _attribute(tag.group(0), b"totalsRowCount")
        rows = [int(m.group(1)) for m in _RANGE.finditer(_attribute(tag.group(0), b"ref"))]
        if not count.isdigit() or int(count) < 1 or len(rows) != 2:
            continue
        name = _attribute(tag.group(0), b"displayName") or _attribute(tag.group(0), b"name")
        for row in range(max(rows) - int(count) + 1, max(rows) + 1):
            out[row] = name
    return out


__all__ = ["SUM_ROW", "TOTALS_ROW", "totals_rows"]
