"""Bounded searches for start tags in a sheet part's XML (io.sheet_errors, io.hidden, io.merges).

A crafted part may hold a million tags without an end: every search here looks at most
``TAG_MAX`` bytes around a position, so a scan costs time in proportion to the part's size,
never its square.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

PREFIX: Final = rb"(?:[A-Za-z_][\w.-]{0,32}:)?"  # a namespace prefix, as some writers use
TAG_MAX: Final = 1024  # bytes a start tag may take


def start_tag(part: bytes, pos: int, tag: re.Pattern[bytes]) -> tuple[int, int] | None:
    """(start, end) of the start tag ``tag`` matches that holds ``pos`` or is the last tag
    before it, or None."""
    start = part.rfind(b"<", max(0, pos - TAG_MAX), pos)
    if start < 0 or not tag.match(part, start):
        return None
    end = part.find(b">", start, start + TAG_MAX)
    return None if end < 0 else (start, end + 1)


def marked_tags(part: bytes, mark: bytes, tag: re.Pattern[bytes]) -> Iterator[tuple[int, int]]:
    """(start, end) of each start tag ``tag`` matches whose attributes hold ``mark``
    (``t="e"``, ``hidden="1"``), in the part's order."""
    pos = part.find(mark)
    while pos >= 0:
        found = start_tag(part, pos, tag)
        if found is not None and found[1] > pos:
            yield found
        pos = part.find(mark, pos + len(mark))


def column_number(letters: bytes) -> int:
    """A cell reference's column letters as a number (``b"C"`` -> 3, ``b"AA"`` -> 27)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


__all__ = ["PREFIX", "TAG_MAX", "column_number", "marked_tags", "start_tag"]
