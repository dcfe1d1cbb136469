"""A group row above a sheet's header: headings naming each side over its columns (``From``
merged over ``Deal ID | Deal Name``, ``To`` over ``Contact ID | Contact Name``).

A bare ``From`` or ``To`` (or ``From object``) names a column hubframe reads, so such a row
scored as many known headers as the real header below it, and being the earlier it was taken
for the header: the real one was then refused as a second table, or read as a row of data.
:func:`header_below_group` passes from such a row to the header row right below it (blank
rows and a row of the objects' names between), which :func:`hubframe.io.sheet.check_rows_above`
then reads past as a title, as docs/columns.md says.  A sheet whose header is ``From | To``
has rows of data below it, never a header: it reads as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from hubframe.io.aliases import (
    SIDE_KEYS,
    alias_field,
    field_mark,
    header_key,
)
from hubframe.io.normalize import canonical_object_type, is_valid_object_type

#: The fields a heading over one side's columns names (``From object``, ``To Type``).
_SIDE_FIELDS = frozenset({"from_type", "to_type"})

Score = Callable[[Sequence[object]], int]


def group_cell(text: str, explicit: Collection[str] = ()) -> bool:
    """A heading naming one side as a whole: a bare ``From`` / ``To``, or a name of a side's
    object type column (``From object``, ``To Object Type``); not one ``columns=`` names."""
    key = header_key(text)
    if not key or key in explicit:
        return False
    if key in SIDE_KEYS:
        return True
    if field_mark(text)[1] is not None:
        return False
    return alias_field(text) in _SIDE_FIELDS


def is_group_row(cells: Sequence[str], score: Score, explicit: Collection[str] = ()) -> bool:
    """Whether every cell of ``cells`` that names a column (``score``) is a heading of a side
    (:func:`group_cell`), one at least, and no cell is a number (a row of data)."""
    named = [c for c in cells if score([c]) > 0]
    return (
        bool(named)
        and all(group_cell(c, explicit) for c in named)
        and not any(c.strip().isdigit() for c in cells)
    )


def _blank(cells: Sequence[str]) -> bool:
    return not any(c.strip() for c in cells)


def _objects_heading(cells: Sequence[str]) -> bool:
    """A row naming only object types (``Deals | | Contacts |``): headings under a group row."""
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(
        is_valid_object_type(canonical_object_type(c) or "") and not c.isdigit() for c in filled
    )


def header_below_group(
    rows: Sequence[Sequence[str]],
    scores: Sequence[int],
    best: int,
    score: Score,
    explicit: Collection[str] = (),
) -> int:
    """The header row when row ``best`` (the earliest with the most known headers) is a group
    row (:func:`is_group_row`) over it: the next row that names as many columns, not a group
    row itself, with only blank rows or rows of object names between; ``best`` otherwise (a
    row of data, or any other row, comes first)."""
    at = best
    if not is_group_row(rows[at], score, explicit):
        return best
    for j in range(best + 1, len(rows)):
        cells = rows[j]
        if _blank(cells) or _objects_heading(cells):
            continue
        if scores[j] < scores[at] or any(c.strip().isdigit() for c in cells):
            break
        if is_group_row(cells, score, explicit):
            at = j  # a second group row ("From object" under "From"): look below it
            continue
        return j
    return best
