"""Rows a workbook hides (an AutoFilter, or Hide Rows): read and sent like every other row.

An analyst who filtered a sheet down to the rows they meant may expect only those to be sent;
hubframe reads what the file holds, every row, and says so row by row: validation warns
``HIDDEN_ROW`` (the rows are still sent).  Hidden rows are marked in the sheet's XML
(``<row r="7" hidden="1">``); python-calamine does not say which rows are hidden.
"""

from __future__ import annotations

import re
from typing import Final

from hubframe.io.xmltags import PREFIX, marked_tags

#: The private frame column marking the rows a workbook hides (True) for validation's warning.
HIDDEN_ROW: Final = "_raw_hidden_row"
_MARKS: Final = (b'hidden="1"', b'hidden="true"', b"hidden='1'", b"hidden='true'")
_ROW_TAG = re.compile(rb"<" + PREFIX + rb"row\s")
_ROW_NUMBER = re.compile(rb"\br\s*=\s*[\"']([0-9]{1,7})[\"']")


def may_hide_rows(part: bytes) -> bool:
    """False when a sheet part (its XML) hides nothing: one byte search."""
    return b"hidden=" in part


def hidden_rows(part: bytes) -> frozenset[int]:
    """The numbers of the rows a sheet part (its XML) hides (rows without a number are not
    hidden ones: Excel numbers every row it hides).  Each mark is looked at within its tag
    (bounded searches): time in proportion to the part's size."""
    found: set[int] = set()
    for mark in _MARKS:
        for start, end in marked_tags(part, mark, _ROW_TAG):
            number = _ROW_NUMBER.search(part, start, end)
            if number is not None:
                found.add(int(number.group(1)))
    return frozenset(found)


__all__ = ["HIDDEN_ROW", "hidden_rows", "may_hide_rows"]
