"""What a file already at a report's or retry file's path must be for hubframe to write over it.

The writers replaced whatever file was at the path they were given: ``--retry-file`` naming
another of the analyst's sheets emptied it to a header when no row was left to do, a
``--report`` named like a journal replaced the run's record, and a table whose attrs a merge
dropped was written over the sheet it was read from.  Now a file is written over only when
hubframe can tell it is its own:

* a **report** (``--report``, :func:`~hubframe.report.export_report`) over an empty file, a
  report hubframe wrote (read back as one, with its ``sheet``, ``row`` and ``status`` columns),
  or an ``.xlsx`` retry file (its mark);
* a **retry file** (``--retry-file``, :func:`~hubframe.report.export_retry`) over an empty
  file or a retry file: an ``.xlsx`` one carries a mark (a custom document property, which
  Excel and LibreOffice keep when they save the file again and which no sheet shows); a
  ``.csv`` one (no room for a mark) when its header is the header the run writes and all its
  rows are rows of the run's own sheet, or were before one of their cells was fixed (a cell
  of several ids may hold some of them: the ids still to do), and it is not named as that
  sheet.  An ``.xlsx`` retry file an earlier
  hubframe wrote has no mark and is not written over: a workbook of the sheet's own header
  and rows is as likely the analyst's workbook itself;
* a SQLite database (a journal) never, whatever the writer (an export too).

Any other file -- an analyst's sheet, a journal, a file that is no spreadsheet -- is refused
with an :class:`~hubframe.errors.InputError`, before anything is sent on the command line, and
left byte for byte as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from hubframe.errors import InputError
from hubframe.formula import unguard
from hubframe.io.retrymark import MARK_NAME, RETRY_MARK, has_retry_mark, sheet_list_parts

if TYPE_CHECKING:
    from openpyxl import Workbook

#: The first bytes of every SQLite database (a journal).
_SQLITE: Final = b"SQLite format 3\x00"
_REPORT_COLUMNS: Final = frozenset({"sheet", "row", "status"})
_LIST: Final = ";"  # the separator of a cell of several ids (report.retry_lists.ID_SEPARATOR)

#: A table of text cells: its header and its rows.
Cells = tuple[list[str], list[list[str]]]


def mark_retry(wb: Workbook) -> None:
    """Mark ``wb`` as a retry file (see the module docstring), naming its sheets as titled
    (:mod:`hubframe.io.retrymark`): called once they are all written."""
    from openpyxl.packaging.custom import StringProperty

    book: Any = wb  # openpyxl's stubs miss custom_doc_props
    book.custom_doc_props.append(StringProperty(name=MARK_NAME, value=RETRY_MARK))
    for name, value in sheet_list_parts(list(wb.sheetnames)):
        book.custom_doc_props.append(StringProperty(name=name, value=value))


def _holds_bytes(path: Path) -> bool:
    """``path`` is a file with something in it (a missing or empty file is no one's)."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def is_sqlite(path: Path) -> bool:
    """``path`` is a SQLite database (a journal, or another program's)."""
    try:
        with path.open("rb") as file:
            return file.read(len(_SQLITE)) == _SQLITE
    except OSError:
        return False


def _is_report(path: Path) -> bool:
    """``path`` reads back as a report hubframe wrote (:func:`report_read`): its ``status``
    column, and ``error_code`` or the ``sheet`` and ``row`` columns beside it."""
    from hubframe.report.reader import report_read

    try:
        table, _ = report_read(path)
    except Exception:  # not a report, or none that can be read
        return False
    columns = {str(c).strip() for c in table.columns}
    return "status" in columns and ("error_code" in columns or columns >= _REPORT_COLUMNS)


def _refusal(path: Path, role: str, why: str) -> InputError:
    """The one line that refuses to write the ``role`` over ``path`` (``why``: what it holds)."""
    return InputError(
        f"{path}: {why}; hubframe does not write {_a(role)} over it. Give the {role} another "
        "path, or delete or move the file."
    )


def _a(role: str) -> str:
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


_FOREIGN: Final = "holds a file hubframe did not write"


def refuse_journal(path: Path, role: str) -> None:
    """InputError when ``path`` is a SQLite database: no writer writes over a journal."""
    if _holds_bytes(path) and is_sqlite(path):
        raise _refusal(path, role, "holds a SQLite database (a hubframe journal?)")


def check_report_target(path: Path) -> None:
    """InputError unless a report may be written over what ``path`` holds (see the module
    docstring); before anything is sent."""
    if not _holds_bytes(path):
        return
    refuse_journal(path, "report")
    if not (has_retry_mark(path) or _is_report(path)):
        raise _refusal(path, "report", f"{_FOREIGN} (it is not a hubframe report)")


def precheck_retry_target(path: Path) -> None:
    """What can be said of a retry file's path before the sheet is read: InputError for a
    journal, an .xlsx file without the mark, or a file that is no CSV; a .csv file is judged
    against the sheet once it is read (:func:`check_retry_target`)."""
    if not _holds_bytes(path):
        return
    refuse_journal(path, "retry file")
    if path.suffix.lower() != ".csv":
        if not has_retry_mark(path):
            raise _refusal(path, "retry file", f"{_FOREIGN} (it is not a hubframe retry file)")
    elif _csv_cells(path) is None:
        raise _refusal(path, "retry file", f"{_FOREIGN} (it is not a CSV file)")


def check_retry_target(
    path: Path, layouts: Callable[[], Iterable[pd.DataFrame]], sheets: Iterable[object] = ()
) -> None:
    """InputError unless a retry file may be written over (or emptied in) what ``path``
    holds: nothing, a marked retry workbook, or a .csv file whose header is that of one of
    ``layouts`` (the retry layouts of the whole sheet being run, called only when needed) and
    whose rows are all rows of it.  ``sheets``: the names of the sheets run (a .csv sheet's
    is its file name): a .csv file of that name is the sheet itself, or a copy of it, whose
    rows are all rows of the sheet by definition (a table whose attrs a merge dropped no
    longer says the file it was read from)."""
    precheck_retry_target(path)
    if not _holds_bytes(path) or path.suffix.lower() != ".csv":
        return
    if path.name.casefold() in {str(s).casefold() for s in sheets}:
        raise _refusal(path, "retry file", "is named as the sheet being run (the sheet itself?)")
    table = _csv_cells(path)
    known = [_layout_cells(layout) for layout in layouts()]
    if table is None or not _fits_one(table, known):
        raise _refusal(
            path,
            "retry file",
            f"{_FOREIGN} as a retry file of this sheet (its header is not the retry file's, "
            "or not all its rows are rows of the sheet: another sheet, or a retry file of the "
            "sheet before it was edited?)",
        )


# --- The file's cells ----------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as text, stripped: empty for a missing value, a whole float without ``.0``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_cells(path: Path) -> Cells | None:
    """A .csv file's header and rows as text cells, read as a report is (in the encoding and
    with the delimiter it was saved in); None when it is no CSV file."""
    from hubframe.io.csv import csv_text

    try:
        text, delimiter = csv_text(path.read_bytes(), path.name)
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except (OSError, InputError, csv.Error, UnicodeError, ValueError):
        return None
    if any("\0" in cell for line in lines for cell in line):
        return None  # text holds no NUL: a binary file
    # the retry writer guards cells and headers that a spreadsheet would run ('+1 555 0101):
    # read as the sheet's rows are, without the guard (else the file is not the run's own)
    return _as_table([[unguard(_text(c)) for c in line] for line in lines])


def _as_table(lines: Sequence[list[str]]) -> Cells | None:
    """The first line not empty as the header, and the lines after it that hold a cell."""
    filled = [line for line in lines if any(line)]
    if not filled:
        return None
    header = _trimmed(filled[0])
    return header, [_trimmed(line) for line in filled[1:]]


def _trimmed(line: list[str]) -> list[str]:
    """``line`` without its empty cells at the end (Excel and calamine keep or drop them)."""
    end = len(line)
    while end and not line[end - 1]:
        end -= 1
    return line[:end]


# --- Rows of the sheet ---------------------------------------------------------------------------


def _layout_cells(layout: pd.DataFrame) -> Cells:
    header = _trimmed([_text(c) for c in layout.columns])
    rows = [[_text(c) for c in row] for row in layout.itertuples(index=False, name=None)]
    return header, rows


def _items(cell: str) -> frozenset[str]:
    return frozenset(part.strip() for part in cell.split(_LIST) if part.strip())


def _fits_one(table: Cells, known: list[Cells]) -> bool:
    """``table`` has the header of one of ``known`` and only rows of it."""
    header, rows = table
    return any(header == h and _rows_of(rows, sheet, len(h)) for h, sheet in known)


def _rows_of(rows: list[list[str]], sheet: list[list[str]], width: int) -> bool:
    """Every row of ``rows`` is a row of ``sheet`` (each cell the sheet's, or some of the ids
    of its cell of several: the ids still to do), or was before one of its cells was fixed."""
    exact = {tuple(_padded(r, width)) for r in sheet}
    left = [_padded(r, width) for r in rows if len(r) <= width]
    if len(left) < len(rows):
        return False  # cells past the header
    left = [r for r in left if tuple(r) not in exact]
    if not left:
        return True
    index = _ItemIndex([[_items(c) for c in _padded(r, width)] for r in sheet])
    return all(index.holds([_items(c) for c in r]) for r in left)


def _padded(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row))


class _ItemIndex:
    """The sheet's rows as sets of ids per cell, found by any id of a column."""

    def __init__(self, rows: list[list[frozenset[str]]]) -> None:
        self.rows = rows
        self.by_item: dict[tuple[int, str], list[int]] = {}
        for at, row in enumerate(rows):
            for column, items in enumerate(row):
                for item in items:
                    self.by_item.setdefault((column, item), []).append(at)

    def holds(self, row: list[frozenset[str]]) -> bool:
        """A row of the sheet holds each cell of ``row`` (an empty cell only where it is) but
        one at most, and at least two: the row as the sheet has it, or had it before one of
        its cells was fixed (the run again after a fix empties its earlier retry file)."""
        keys = [(c, next(iter(items))) for c, items in enumerate(row) if items]
        if len(keys) < 2:
            return False  # a row of one cell says too little of where it comes from
        found = sorted((self.by_item.get(k, []) for k in keys), key=len)
        # a row that differs in one cell at most holds one of any two of its cells
        near = {at for posting in found[:2] for at in posting}
        return any(self._covers(self.rows[at], row) for at in near)

    @staticmethod
    def _covers(sheet_row: list[frozenset[str]], row: list[frozenset[str]]) -> bool:
        fits = [
            cell <= mine and (bool(cell) or not mine)
            for cell, mine in zip(row, sheet_row, strict=True)
        ]
        return fits.count(False) <= 1 and any(f and bool(c) for f, c in zip(fits, row, strict=True))


__all__ = [
    "MARK_NAME",
    "RETRY_MARK",
    "check_report_target",
    "check_retry_target",
    "has_retry_mark",
    "is_sqlite",
    "mark_retry",
    "precheck_retry_target",
    "refuse_journal",
]
