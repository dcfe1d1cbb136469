"""The mark of a retry workbook hubframe wrote: a custom document property, ``hubframe`` =
``retry file`` (Excel and LibreOffice keep it when they save the file again; no sheet shows it).

Read here, where the sheets are picked, and by the writers (:mod:`hubframe.report.overwrite`,
which writes it).  A workbook carrying it is read whole by default: every sheet of it is the
retry (one per source sheet of a run of ``sheet="*"``, one per direction of a sheet whose rows
were read in several, ``Retry (2)`` past Excel's last row), as ``sheet="*"`` reads them.
Before, the default read took its first sheet alone: a retry run sent that sheet's rows,
said "no rows to retry", and the other sheets' rows were never sent again.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Final

from hubframe.io.xmltags import PREFIX, SPACE

#: The custom document property that marks a retry workbook, and its value.
MARK_NAME: Final = "hubframe"
RETRY_MARK: Final = "retry file"
_CUSTOM_PART: Final = "docProps/custom.xml"
_CUSTOM_MAX: Final = 1 << 20  # bytes of docProps/custom.xml read, at most
_MARKED: Final = re.compile(
    rb"<" + PREFIX + rb"property\b[^>]*" + SPACE + rb"name" + SPACE + rb"*=" + SPACE
    + rb"*[\"']" + MARK_NAME.encode() + rb"[\"'][^>]*>" + SPACE + rb"*<" + PREFIX
    + rb"lpwstr>" + RETRY_MARK.encode() + rb"</"
)  # fmt: skip


def _book_marked(book: zipfile.ZipFile) -> bool:
    info = book.getinfo(_CUSTOM_PART)
    if info.file_size > _CUSTOM_MAX:
        return False
    return _MARKED.search(book.read(info)) is not None


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


__all__ = ["MARK_NAME", "RETRY_MARK", "has_retry_mark", "marked_retry"]
