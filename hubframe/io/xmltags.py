"""Searches for start tags and attributes in a sheet part's XML (io.guard, io.sheet_errors,
io.hidden, io.merges, io.numfmt).

Attributes are found in every form XML allows, as the engines read them: any whitespace (a
space, a tab, a line break) before the name and around ``=``, either quote
(:func:`opening`).  A start tag is found however long it is: it ends at the first ``>``
outside quotes.  A crafted part may hold a million tags without an end: the tags holding
positions given in increasing order are found by searches that only move forward
(:class:`Tags`), so a scan costs time in proportion to the part's size, never its square.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

PREFIX: Final = rb"(?:[A-Za-z_][\w.-]{0,32}:)?"  # a namespace prefix, as some writers use
SPACE: Final = rb"[ \t\n\r]"  # XML's whitespace
TAG_MAX: Final = 1024  # bytes a start tag takes, for the searches that look around one
#: The rest of a start tag from after its ``<``: up to the first ``>`` outside quotes.
_TAG_REST = re.compile(rb"""[^>"']*+(?:(?:"[^"]*+"|'[^']*+')[^>"']*+)*+>""")


def opening(name: bytes) -> bytes:
    """A regular expression (its bytes) of the attribute ``name`` up to its value's opening
    quote, in any form XML allows (``r="``, ``r='``, a line break before ``r``, spaces around
    ``=``).  Led by the name itself (a whitespace before it is looked behind), so a search
    skips ahead as fast as for a plain string."""
    return name + rb"(?<=" + SPACE + name + rb")" + SPACE + rb"*=" + SPACE + rb"*[\"']"


def attribute(name: bytes, value: bytes) -> re.Pattern[bytes]:
    """The attribute ``name`` whose value matches ``value`` (group 1), in any form XML
    allows."""
    return re.compile(opening(name) + rb"(" + value + rb")[\"']")


class Tags:
    """The start tags around positions of one part given in increasing order.  Each search
    starts where the one before stopped: every byte is searched a bounded number of times."""

    def __init__(self, part: bytes) -> None:
        self.part = part
        self._searched = 0  # '<' was looked for in the bytes before this
        self._start = -1  # the last '<' before _searched
        self._tag = (-1, -1)  # the last tag whose end was looked for: its start and end
        self._broken = False  # a tag without an end was met: the rest is not searched

    def before(self, pos: int, tag: re.Pattern[bytes]) -> tuple[int, int] | None:
        """(start, end) of the last start tag to begin before ``pos`` (the tag holding it, or
        the one before it) when ``tag`` matches it; None when it does not, or when the tag
        has no end.  ``pos`` must not be less than the last one given."""
        found = self.part.rfind(b"<", self._searched, pos)
        self._start = found if found >= 0 else self._start
        self._searched = max(self._searched, pos)
        start = self._start
        if start < 0 or not tag.match(self.part, start):
            return None
        if start != self._tag[0]:
            self._tag = (start, self._end(start))
        return None if self._tag[1] < 0 else self._tag

    def holding(self, pos: int, tag: re.Pattern[bytes]) -> tuple[int, int] | None:
        """:meth:`before`, when that tag holds ``pos`` (an attribute of it is there)."""
        found = self.before(pos, tag)
        return found if found is not None and found[1] > pos else None

    def _end(self, start: int) -> int:
        """Where the tag starting at ``start`` ends (after its ``>``), or -1.  A ``<`` inside
        the tag before (quoted: not a tag) or after a tag without an end is no tag's start:
        the part is not XML there, and nothing more is searched."""
        if self._broken or start < self._tag[1]:
            return -1
        found = _TAG_REST.match(self.part, start + 1)
        if found is None:
            self._broken = True
            return -1
        return found.end()


def marked_tags(
    part: bytes, mark: re.Pattern[bytes], tag: re.Pattern[bytes]
) -> Iterator[tuple[int, int]]:
    """(start, end) of each start tag ``tag`` matches whose attributes hold ``mark`` (an
    :func:`attribute`: ``t="e"``, ``hidden="1"``), in the part's order."""
    tags = Tags(part)
    for found in mark.finditer(part):
        held = tags.holding(found.start(), tag)
        if held is not None:
            yield held


def column_number(letters: bytes) -> int:
    """A cell reference's column letters as a number (``b"C"`` -> 3, ``b"AA"`` -> 27,
    ``b"XFD"`` -> 16384: bijective base 26)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def column_letters(number: int) -> str:
    """16384 -> 'XFD'."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


__all__ = [
    "PREFIX",
    "SPACE",
    "TAG_MAX",
    "Tags",
    "attribute",
    "column_letters",
    "column_number",
    "marked_tags",
    "opening",
]
