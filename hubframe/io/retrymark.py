"""The mark of a retry workbook hubframe wrote: a custom document property, ``hubframe`` =
``retry file`` (Excel and LibreOffice keep it when they save the file again; no sheet shows it).

Read here, where the sheets are picked, and by the writers (:mod:`hubframe.report.overwrite`,
which writes it).  A workbook carrying it is read whole by default: every sheet of it is the
retry (one per source sheet of a run of ``sheet="*"``, one per direction of a sheet whose rows
were read in several, ``Retry (2)`` past Excel's last row), as ``sheet="*"`` reads them.
Before, the default read took its first sheet alone: a retry run sent that sheet's rows,
said "no rows to retry", and the other sheets' rows were never sent again.

The writer names the sheets it wrote too (``hubframe sheets``: a JSON list of their final
titles, in parts of at most :data:`PART_CHARS` characters, ``hubframe sheets (2)`` on, as
Excel keeps a text property of 255): the default read takes those alone, so that a tab the
analyst added (a ``Done`` tab of the pairs that went through, a ``Contacts`` lookup) is left to
the usual rules (warned of when it holds rows), never read as rows to retry.  A workbook
marked before the list (or whose list does not parse) is read whole, as it was.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from hubframe.io.xmltags import PREFIX, SPACE

#: The custom document property that marks a retry workbook, and its value.
MARK_NAME: Final = "hubframe"
RETRY_MARK: Final = "retry file"
#: The custom document properties naming the sheets the writer wrote (JSON lists, in parts).
SHEETS_NAME: Final = "hubframe sheets"
PART_CHARS: Final = 255  # characters of a part, at most (Excel keeps 255 of a text property)
_PARTS_MAX: Final = 1000  # parts read, at most
_CUSTOM_PART: Final = "docProps/custom.xml"
_CUSTOM_MAX: Final = 1 << 20  # bytes of docProps/custom.xml read, at most
_MARKED: Final = re.compile(
    rb"<" + PREFIX + rb"property\b[^>]*" + SPACE + rb"name" + SPACE + rb"*=" + SPACE
    + rb"*[\"']" + MARK_NAME.encode() + rb"[\"'][^>]*>" + SPACE + rb"*<" + PREFIX
    + rb"lpwstr>" + RETRY_MARK.encode() + rb"</"
)  # fmt: skip


_LISTED: Final = re.compile(
    rb"<" + PREFIX + rb"property\b[^>]*" + SPACE + rb"name" + SPACE + rb"*=" + SPACE
    + rb"*[\"']" + SHEETS_NAME.encode() + rb"(?: \(([0-9]{1,4})\))?[\"'][^>]*>" + SPACE
    + rb"*<" + PREFIX + rb"lpwstr>([^<]{0,4096})</"
)  # fmt: skip


@dataclass(frozen=True)
class RetryMark:
    """A retry workbook's mark: the sheets its writer wrote, or None (marked before the list,
    or a list that does not parse): every sheet is the retry."""

    sheets: tuple[str, ...] | None


def sheet_list_parts(names: list[str]) -> list[tuple[str, str]]:
    """The custom properties (name, value) naming ``names``: JSON lists of at most
    :data:`PART_CHARS` characters each (a sheet's title has 31 at most)."""
    parts: list[list[str]] = [[]]
    for name in names:
        if parts[-1] and len(json.dumps([*parts[-1], name])) > PART_CHARS:
            parts.append([])
        parts[-1].append(name)
    return [(_part_name(n), json.dumps(part)) for n, part in enumerate(parts, start=1)]


def _part_name(number: int) -> str:
    return SHEETS_NAME if number == 1 else f"{SHEETS_NAME} ({number})"


def _listed(custom: bytes) -> tuple[str, ...] | None:
    """The sheets the mark names, in order; None when it names none or its parts do not
    parse (missing one, out of order, not a list of text)."""
    found = list(itertools.islice(_LISTED.finditer(custom), _PARTS_MAX + 1))
    if not found or len(found) > _PARTS_MAX:
        return None
    parts = sorted(found, key=lambda m: int(m.group(1) or 1))
    if [int(m.group(1) or 1) for m in parts] != list(range(1, len(parts) + 1)):
        return None
    names: list[str] = []
    for match in parts:
        part = _names(match.group(2))
        if part is None:
            return None
        names += part
    return tuple(names)


def _names(value: bytes) -> list[str] | None:
    try:
        loaded = json.loads(html.unescape(value.decode("utf-8")))
    except ValueError:
        return None
    if not isinstance(loaded, list) or not all(isinstance(n, str) for n in loaded):
        return None
    return loaded


def _book_mark(book: zipfile.ZipFile) -> RetryMark | None:
    info = book.getinfo(_CUSTOM_PART)
    if info.file_size > _CUSTOM_MAX:
        return None
    custom = book.read(info)
    if _MARKED.search(custom) is None:
        return None
    return RetryMark(_listed(custom))


def _book_marked(book: zipfile.ZipFile) -> bool:
    return _book_mark(book) is not None


def has_retry_mark(path: Path) -> bool:
    """``path`` is an ``.xlsx`` file marked as a retry file."""
    try:
        with zipfile.ZipFile(path) as book:
            return _book_marked(book)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False


def marked_retry(data: bytes) -> bool:
    """The workbook ``data`` (its bytes: a checked workbook's, an upload's) is marked as a
    retry file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return _book_marked(book)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError):
        return False


def retry_mark(data: bytes) -> RetryMark | None:
    """The mark of the workbook ``data`` (its bytes), or None when it carries none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return _book_mark(book)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError):
        return None


__all__ = [
    "MARK_NAME",
    "PART_CHARS",
    "RETRY_MARK",
    "SHEETS_NAME",
    "RetryMark",
    "has_retry_mark",
    "marked_retry",
    "retry_mark",
    "sheet_list_parts",
]
