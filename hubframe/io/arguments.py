"""An argument given for every row against the cells of a sheet that say otherwise.

``label="Champion"`` (``--label``) is "the association label for every row", and
``from_type=``/``to_type=`` the object type of every row; a sheet may hold a label or type
column too.  Empty cells take the argument, and so do label cells that agree with it (case
and spacing apart: the read gives every row the argument as given, since in a portal holding
"Champion" and "champion" the cell would name another label).  A cell that names another
label or object is a contradiction between two instructions: before, the cell won without a
word (a row labeled "Decision maker" when "Champion" was asked for every row; a row read as
a company's when contacts were asked for).  The read now stops and names both, so the
analyst decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from hubframe.io.aliases import fields_for, header_key
from hubframe.io.columns import HeaderError
from hubframe.io.normalize import canonical_object_type, is_valid_object_type, normalize_label
from hubframe.io.sheet import RawSheet, Request
from hubframe.io.text import clean_text, distinct, unique_flags

SHOWN: Final = 3  # values named in the message, and rows named per value
LOOKED_AT: Final = 1000  # cells looked at for the message


def check_arguments(raw: RawSheet, request: Request, where: str) -> None:
    """Raise :class:`HeaderError` when a cell contradicts the label or an object type given
    for every row."""
    if request.kind == "pairs" and request.label is not None:
        given = normalize_label(request.label)  # as labels are matched: case, spaces, marks
        _check(raw, request, where, "label", request.label, lambda v: normalize_label(v) == given)
    for side, wanted in (("from", request.from_type), ("to", request.to_type)):
        if wanted is not None:
            _check(raw, request, where, f"{side}_type", wanted, _type_agrees(wanted))


def check_named_columns(raw: RawSheet, request: Request, where: str) -> None:
    """Raise :class:`HeaderError` when ``columns=`` names a header two columns share ("Deal"
    twice; ``1`` and ``"1"`` in a DataFrame): the read named the second "Deal.1" and took the
    first without a word, whichever was meant.  A name the read made ("Deal.1", as pandas
    makes it) names its one column; so does a name in the app, whose dropdowns list those."""
    if not request.columns or request.syntax.name == "app":
        return
    wanted = fields_for(request.kind)
    for key, value in request.columns.items():
        header = str(value if value not in wanted and key in wanted else key)
        sharing = _sharing(raw, header)
        if len(sharing) > 1:
            places = ", ".join(f"column {raw.headers.index(h) + 1}" for h in sharing)
            made = [h for h in sharing if h in raw.written]
            also = f" (columns= may name {made[0]!r}, as the read calls it)" if made else ""
            raise HeaderError(
                where,
                f"columns= names {header!r}, a name that matches {len(sharing)} columns "
                f"({places}): which one to read is not clear. Rename the columns apart{also}. "
                "Nothing was read.",
            )


def _sharing(raw: RawSheet, header: str) -> list[str]:
    """The headers ``header`` (a ``columns=`` name) may mean: the columns written as it (an
    exact name), else those whose comparison key is its, as written or as the read names them
    (``columns=`` matches the names: ``CONTACT ID.1`` beside the repeats of ``Contact ID`` and
    ``contact id``, read as ``Contact ID.1`` and ``contact id.1``, may mean either); a name the
    read made for a repeat or an empty header is its own column only."""

    def text(name: str) -> str:
        return (clean_text(raw.written.get(name, name)) or name).replace("\n", " ")

    if header in raw.headers:
        if header in raw.written and text(header) != header:
            return [header]
        return [h for h in raw.headers if text(h) == header]
    key = header_key(header)
    return [h for h in raw.headers if key in (header_key(text(h)), header_key(h))]


def _type_agrees(wanted: str) -> Callable[[str], bool]:
    """True for a type cell that agrees with ``wanted`` or names no object at all (validation
    refuses that one as ``BAD_OBJECT_TYPE``)."""

    def agrees(value: str) -> bool:
        canonical = canonical_object_type(value)
        return canonical is None or canonical == wanted or not is_valid_object_type(canonical)

    return agrees


def _check(
    raw: RawSheet,
    request: Request,
    where: str,
    canonical: str,
    given: str,
    agrees: Callable[[str], bool],
) -> None:
    cells = raw.cells(canonical)
    if cells is None or not any(v and v.strip() and not agrees(v) for v in distinct(cells)):
        return
    against = np.flatnonzero(unique_flags(cells, lambda v: not v.strip() or agrees(v)))
    shown, named = _shown(raw, cells.take(against[:LOOKED_AT]).to_pylist(), against[:LOOKED_AT])
    if named < len(against):
        shown += f"; {len(against):,} rows in all"
    header = raw.mapping.columns[canonical]
    option = request.syntax.option(canonical, given) or f"{canonical}={given!r}"
    raise HeaderError(
        where,
        f'{option} was given for every row, but the column "{header}" says otherwise ({shown}): '
        "those rows would not get what was given. "
        f"Leave out {request.syntax.named(canonical)} to use the column (and fill its empty "
        f'cells), or delete or rename the column "{header}" to give every row {given}.',
    )


def _shown(raw: RawSheet, values: list[str], positions: np.ndarray) -> tuple[str, int]:
    """'"Decision maker" in rows 2, 4, 5 ...; "Buyer" in row 9': values and their first rows,
    and how many rows that names."""
    rows: dict[str, list[int]] = {}
    for at, value in zip(positions, values, strict=True):
        rows.setdefault(value.strip(), []).append(int(raw.rows[at]))
    parts, named = [], 0
    for value, found in list(rows.items())[:SHOWN]:
        listed = ", ".join(map(raw.row_name, found[:SHOWN])) + (
            " ..." if len(found) > SHOWN else ""
        )
        parts.append(f'"{value}" in row{"s" if len(found) > 1 else ""} {listed}')
        named += min(len(found), SHOWN)
    return "; ".join(parts), named


__all__ = ["check_arguments"]
