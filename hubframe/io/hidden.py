"""Rows and columns a workbook hides: read and sent like every other, and said so.

An analyst who filtered a sheet down to the rows they meant may expect only those to be sent;
hubframe reads what the file holds, every row, and says so row by row: validation warns
``HIDDEN_ROW`` (the rows are still sent).  A hidden column hubframe reads (a stale "Contact ID"
column hidden beside the "Contact email" column the analyst edited) is named in the read's
notes.  Hidden rows and columns are marked in the sheet's XML (``<row r="7" hidden="1">``,
``<col min="2" max="3" hidden="1"/>``, or a row of height 0 and a column of width 0 as
writers other than Excel leave them); python-calamine does not say which are hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from hubframe.io.xmltags import PREFIX, SPACE, attribute, marked_tags, opening

#: The private frame column marking the rows a workbook hides (True) for validation's warning.
HIDDEN_ROW: Final = "_raw_hidden_row"
_HIDDEN = attribute(b"hidden", rb"1|true")
#: A row of no height, a column of no width: not shown either (Excel writes ``hidden="1"``
#: for them; other writers write the size).  ``customHeight="0"`` is another attribute.
_ZERO: Final = rb"0+(?:\.0*)?|\.0+"
_ROW_MARKS: Final = (_HIDDEN, attribute(b"ht", _ZERO))
_COL_MARKS: Final = (_HIDDEN, attribute(b"width", _ZERO))
_ROW_TAG = re.compile(rb"<" + PREFIX + rb"row\s")
_ROW_NUMBER = re.compile(opening(b"r") + rb"([0-9]{1,7})[\"']")
_COL_TAG = re.compile(rb"<" + PREFIX + rb"col\s")
_COL_BOUND = re.compile(
    rb"(?<=" + SPACE + rb")(min|max)" + SPACE + rb"*=" + SPACE + rb"*[\"']([0-9]{1,5})[\"']"
)


def may_hide_rows(part: bytes) -> bool:
    """False when a sheet part (its XML) hides nothing: a few searches, each as fast as for a
    plain string."""
    return b"hidden" in part or any(
        m.search(part) is not None for m in (_ROW_MARKS[1], _COL_MARKS[1])
    )


def hidden_rows(part: bytes) -> frozenset[int]:
    """The numbers of the rows a sheet part (its XML) hides (rows without a number are not
    hidden ones: Excel numbers every row it hides).  Each mark is looked at within its tag
    (bounded searches): time in proportion to the part's size."""
    found: set[int] = set()
    for mark in _ROW_MARKS:
        for start, end in marked_tags(part, mark, _ROW_TAG):
            number = _ROW_NUMBER.search(part, start, end)
            if number is not None:
                found.add(int(number.group(1)))
    return frozenset(found)


def hidden_columns(part: bytes, wanted: Iterable[int]) -> frozenset[int]:
    """Which of the ``wanted`` column numbers (1 for A) a sheet part hides: each hidden
    ``<col>`` tag is looked at within its bounds (bounded searches, as for rows)."""
    wanted = frozenset(wanted)
    found: set[int] = set()
    for mark in _COL_MARKS:
        for start, end in marked_tags(part, mark, _COL_TAG):
            bounds: dict[bytes, bytes] = dict(_COL_BOUND.findall(part, start, end))
            low = int(bounds.get(b"min", b"0"))
            high = int(bounds.get(b"max", bounds.get(b"min", b"0")))
            found.update(c for c in wanted if low <= c <= high)
    return frozenset(found)


__all__ = ["HIDDEN_ROW", "hidden_columns", "hidden_rows", "may_hide_rows"]
