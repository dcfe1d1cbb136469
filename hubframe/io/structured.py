"""Structured references (``Table1[Max]``) written as the cell ranges they name.

Excel writes a formula over a table column's cells as a structured reference: selecting B2:B3
of table Table1 while typing ``=SUM(`` gives ``=SUM(Table1[Max])``, and ``[@Max]``,
``Table1[[#This Row],[Max]]``, ``Table1[[#Data],[Max]]``, ``Table1[[#All],[Max]]`` and
``Table1[[#Totals],[Max]]`` name one row or another part of the column.  The checks of a
formula's cells (io.sums) read cell ranges: :func:`resolved` writes each structured reference
to a table of the sheet as its range (``$B$2:$B$3``; a row of its own, ``$B5``, moves with a
shared formula's copies), and one that names no table of the sheet (another sheet's, another
workbook's) or a column its table lacks as ``#REF!``: no cells of the sheet's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from hubframe.io.tables import Table
from hubframe.io.xmltags import column_letters

#: a text, a quoted sheet name (copied as they are) or the start of a structured reference
#: (Excel's bounds: a text of 255 characters, a sheet name of 31, a table name of 255)
_TOKEN = re.compile(
    r"\"(?:[^\"]|\"\"){0,510}\"|'[^'](?:[^']|''){0,61}+'|([^\W\d][\w.\\]{0,254})?\["
)
#: what follows an external workbook's "[1]": a sheet name and "!"
_EXTERNAL = re.compile(r"(?:'[^'](?:[^']|''){0,61}+'|[^\W\d][\w.]{0,61})!")
#: the part names of a structured reference's rows
_PARTS: Final = ("#all", "#data", "#headers", "#totals", "#this row")
_UNKNOWN: Final = "#REF!"


def resolved(formula: str, row: int, column: int, tables: Sequence[Table]) -> str:
    """``formula`` with its structured references written as cell ranges, read from the cell
    at ``row``, ``column`` (1-based) of a sheet holding ``tables``.  A formula without one is
    given back as it is."""
    if "[" not in formula:
        return formula
    out: list[str] = []
    pos = 0
    while (token := _TOKEN.search(formula, pos)) is not None:
        out.append(formula[pos : token.start()])
        if not token.group(0).endswith("["):
            out.append(token.group(0))
            pos = token.end()
            continue
        end = _closing(formula, token.end() - 1)
        if end < 0:
            return formula  # not a formula Excel saves: read as it is
        name, inner = token.group(1), formula[token.end() : end - 1]
        external = name is None and _EXTERNAL.match(formula, end) is not None
        found = None if external else _range(name, inner, row, column, tables)
        out.append(_UNKNOWN if found is None else found)
        pos = end
    return "".join(out) + formula[pos:]


def _closing(text: str, start: int) -> int:
    """The position after the "]" closing the "[" at ``start``; -1 when none does.  A "'"
    escapes the character after it (a column name's "]", "[", "#" or "'")."""
    depth, pos = 0, start
    while pos < len(text):
        ch = text[pos]
        if ch == "'":
            pos += 1
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return -1


def _range(
    name: str | None, inner: str, row: int, column: int, tables: Sequence[Table]
) -> str | None:
    """The cell range the reference ``name[inner]`` names, or None when it names none of
    the sheet's tables, a column its table lacks, or nothing Excel reads."""
    table = _table(name, row, column, tables)
    items = _items(inner)
    if table is None or items is None:
        return None
    parts = ["#this row" if i == "@" else i.casefold() for i, _ in items if _is_part(i)]
    names = [(i, joined) for i, joined in items if not _is_part(i)]
    if any(p not in _PARTS for p in parts):
        return None
    columns = _columns(table, names)
    rows = _rows(table, parts or ["#data"], row)
    if columns is None or rows is None:
        return None
    left, right = (column_letters(c) for c in columns)
    if "#this row" in parts:
        return f"${left}{rows[0]}:${right}{rows[1]}"
    return f"${left}${rows[0]}:${right}${rows[1]}"


def _is_part(item: str) -> bool:
    """Whether a reference's item names rows (``#Data``, "@"), not a column."""
    return item.startswith("#") or item == "@"


def _table(name: str | None, row: int, column: int, tables: Sequence[Table]) -> Table | None:
    """The table ``name`` names (case aside), or, without a name, the one holding the cell."""
    for table in tables:
        if table.holds(row, column) if name is None else table.name.casefold() == name.casefold():
            return table
    return None


def _items(inner: str) -> list[tuple[str, bool]] | None:
    """The items of a reference's brackets, unescaped (``#Data``, a column's name; "@" for
    the row of its own), each with whether a ":" joins it to the one before: ``Max`` gives
    [("Max", False)], ``[#This Row],[Max]`` [("#This Row", False), ("Max", False)],
    ``[A]:[B]`` [("A", False), ("B", True)].  None when it is not one Excel reads."""
    text = inner.strip()
    if not text:
        return []  # Table1[]: the table's data
    if not text.startswith(("[", "@[")) and not (text.startswith("@") and "[" not in text):
        return [(_unescaped(text), False)]
    items: list[tuple[str, bool]] = []
    pos, joined = 0, False
    if text.startswith("@"):
        items.append(("@", False))
        pos = 1
        if pos == len(text) or text[pos] != "[":
            return [*items, (_unescaped(text[pos:]), False)] if text[pos:] else items
    while pos < len(text):
        end = _closing(text, pos)
        if text[pos] != "[" or end < 0:
            return None
        items.append((_unescaped(text[pos + 1 : end - 1]).strip(), joined))
        rest = text[end:].lstrip()
        if rest and rest[0] not in ",:":
            return None
        joined = rest[:1] == ":"
        pos = len(text) - len(rest[1:].lstrip()) if rest else len(text)
    return items


def _unescaped(text: str) -> str:
    """A column name as a structured reference writes it, its "'" escapes taken out."""
    return re.sub(r"'(.)", r"\1", text)


def _columns(table: Table, names: list[tuple[str, bool]]) -> tuple[int, int] | None:
    """The first and last column (1-based) the column names give: every column without one,
    one column, or two joined with ":"; None for a name the table lacks, or a list."""
    if not names:
        return table.left, table.right
    folded = [c.casefold() for c in table.columns]
    found = [folded.index(n.casefold()) if n.casefold() in folded else -1 for n, _ in names]
    if -1 in found or len(names) > 2 or (len(names) == 2 and not names[1][1]):
        return None
    return table.left + min(found), table.left + max(found)


def _rows(table: Table, parts: list[str], row: int) -> tuple[int, int] | None:
    """The first and last row of the table's parts named (``#Data`` and so on), or None
    when one is not there (``#Totals`` of a table without a totals row)."""
    spans = {
        "#all": (table.top, table.bottom),
        "#headers": (table.top, table.top + table.headers - 1) if table.headers else None,
        "#data": (table.top + table.headers, table.bottom - table.totals),
        "#totals": (table.bottom - table.totals + 1, table.bottom) if table.totals else None,
        "#this row": (row, row),
    }
    found = [spans[p] for p in parts]
    if any(s is None for s in found):
        return None
    return min(s[0] for s in found if s), max(s[1] for s in found if s)


__all__ = ["resolved"]
