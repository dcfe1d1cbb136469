"""A frame of :func:`hubframe.read_pairs` / ``read_limits`` that the analyst edited, held to
what the reader gives before a job takes it as it is.

A read frame is the sheet's rows with their cells normalized: text columns, whole numbers in
``Int64`` columns (the text of a cell that was not one kept aside for validation to name), and
``remove`` as True or False.  An analyst reads a sheet, looks at it and fixes it in the
notebook (``limits.loc[3, "max_to_object_ids"] = 7.5``, ``pairs["from_id"] =
pd.to_numeric(...)``, ``limits["remove"] = "no"``), then runs it.  Such edits reached the
jobs as they were: a limit of 7.5 was sent as 7, a remove cell reading ``"no"`` purged the
limit, and numbers in an id column stopped the run with a pandas error.  :func:`conformed`
gives every edited column the reader's form:

- text columns (types, ids, labels, categories, the sheet name): cells that are not text
  become the text a DataFrame's cells read as (``2040000001`` -> ``"2040000001"``); validation
  then judges them as any sheet's cells;
- whole-number columns (type ids, limits): cells that are not whole numbers (``7.5``,
  ``"many"``) become empty, their text kept for validation to report the row (``BAD_LIMIT``);
- ``row``: whole numbers, ``remove``: True or False only; anything else stops the job with an
  :class:`~hubframe.errors.InputError` naming the row and the value, before anything is sent;
- a column the reader gives that the frame lacks stops it too, naming the column.

A result table fed back to a job reads a side its run looked up (emails) as the sheet asked
it: its cells are the values to look up again, and the ids the run found are kept aside for the
lookup to compare (:func:`_reopened`, :func:`refuse_other_records`).  It keeps the analyst's
columns but not the reader's notes of its bad whole-number cells: that text is taken from the
analyst's column the read mapped (its ``column_map``).  A frame the reader gave and nobody
edited passes unchanged and uncopied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import (
    HEADER_TYPE_COLUMNS,
    ID_PROPERTIES,
    LIMIT_COLUMNS,
    LOOKED_UP,
    PAIR_COLUMNS,
    RESERVED_COLUMNS,
)
from hubframe.errors import InputError
from hubframe.io.aliases import TYPED_HEADERS, Kind, fields_for, header_key, strong_alias
from hubframe.io.cells import label_cells, refuse_odd_cells
from hubframe.io.columns import match_headers
from hubframe.io.frame import RAW_PREFIX, marked_rows, report_own
from hubframe.io.narrow import refuse_rounded
from hubframe.io.normalize import (
    canonical_ids,
    id_text,
    is_valid_object_type,
    label_text,
    normalize_label,
    purge_flags,
    whole_numbers,
)
from hubframe.io.sheet import frame_column
from hubframe.io.text import BoolArray, Text, text_series, to_series, trimmed_text
from hubframe.terminal import shown
from hubframe.vocab import object_noun

WHOLE: Final = frozenset({"type_id", "max_to_object_ids"})
TYPES: Final = ("from_type", "to_type")
SHOWN: Final = 3  # rows named in an error


def conformed(frame: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """``frame`` (a read frame of ``kind``) with every column the reader gives in its form; the
    frame itself when nothing differs.  Raises InputError for a missing column, a row number
    that is not a whole number, or a remove cell that is not True or False."""
    columns = ["sheet", "row", *fields_for(kind), *(["remove"] if kind == "limits" else [])]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"this frame was read by read_{kind} but lacks its column(s) "
            f"{', '.join(map(repr, missing))}: keep them (an empty column is fine), or pass "
            "the sheet itself to be read again."
        )
    fixes: dict[str, Any] = {}
    for column in columns:
        series = frame[column]
        _refuse_rounded(series, column)
        if column == "row":
            fixes |= _rows(series)
        elif column == "remove":
            fixes |= _removes(series, frame["row"])
        elif column in WHOLE:
            fixes |= _whole(series, column, frame.get(RAW_PREFIX + column), frame)
        elif not _is_text(series):
            _refuse_odd(series, column, frame["row"])
            fixes[column] = to_series(_text(series), frame.index)
    fixes |= _type_conflicts(frame, fixes)
    if kind == "limits":
        fixes |= _removal_words(frame, fixes)
    _check_cell_edits(frame, kind, fixes, maps=_found_maps(frame, kind, fixes))
    _refuse_marking_columns(frame, kind, set(columns), fixes.get("remove"))
    looked = _passed_back(frame) if kind == "pairs" else []
    if not fixes and not looked:
        return frame
    out = frame.copy(deep=False)
    for column, values in fixes.items():
        out[column] = values
    return _reopened(out, looked) if looked else out


#: The columns of a labels frame (:func:`hubframe.io.labels.read_labels`) besides sheet and row.
LABEL_FIELDS: Final = ("from_type", "to_type", "label", "inverse_label", "type_id", "name")


def conformed_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """A labels frame the analyst edited held to the reader's form, as :func:`conformed` holds
    a pairs or limits frame: a type id cell that is not a whole number (``1001.5``,
    ``"1003x"``) kept as text so that its row is refused naming it (before, a fraction was cut
    to its whole part -- another label renamed -- and text stopped the job with a bare
    ValueError after the rows before it were sent); text columns as text."""
    columns = ["sheet", "row", *LABEL_FIELDS]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"this frame was read by read_labels but lacks its column(s) "
            f"{', '.join(map(repr, missing))}: keep them (an empty column is fine), or pass "
            "the sheet itself to be read again."
        )
    fixes: dict[str, Any] = {}
    for column in columns:
        series = frame[column]
        _refuse_rounded(series, column)
        if column == "row":
            fixes |= _rows(series)
        elif column == "type_id":
            fixes |= _whole(series, column, frame.get(RAW_PREFIX + column), frame)
        elif not _is_text(series):
            _refuse_odd(series, column, frame["row"])
            fixes[column] = to_series(_text(series), frame.index)
    if not fixes:
        return frame
    out = frame.copy(deep=False)
    for column, values in fixes.items():
        out[column] = values
    return out


def _refuse_marking_columns(
    frame: pd.DataFrame, kind: Kind, read: set[str], removes: pd.Series | None = None
) -> None:
    """InputError naming the first row a column the analyst added to a read frame marks for
    removal (:func:`~hubframe.io.frame.marked_rows`: ``df["action"] = np.where(cond,
    "remove", "keep")``), as the read of a sheet refuses such a column: no job reads it, so
    remove would remove the rows marked keep and associate or sync link the rows marked
    remove.  A limits row whose limit cell says remove already asks it (``removes``: the
    ``remove`` column as the frame's edits make it, a limit edited to "remove" too).  Columns
    are taken by position: two columns of one name are each looked at."""
    exempt = report_own([str(c) for c in frame.columns]) | _mapped_headers(frame, kind)
    asked = None
    if kind == "limits":
        asked = np.asarray(frame["remove"] if removes is None else removes, dtype=bool)
    for position, column in enumerate(frame.columns):
        if not isinstance(column, str) or column in read or column in exempt:
            continue
        if column.startswith(("_", RAW_PREFIX)):
            continue
        try:
            cells = pa.array(frame.iloc[:, position].astype("string"), type=pa.string())
        except Exception:  # cells no text reads (an odd object's own error): no words
            continue
        marks = marked_rows(column, cells)
        if marks is None:
            continue
        hits = pc.fill_null(marks, False).to_numpy(zero_copy_only=False).astype(bool)
        first = np.flatnonzero(hits & ~asked if asked is not None else hits)
        if len(first):
            row = frame["row"].iloc[int(first[0])]
            raise InputError(
                f'the column "{column}" marks rows to remove (row {row}), but no job reads it: '
                f"{_marked_words(kind)} Split the frame (the rows to remove in a frame of "
                f'their own), or drop the column "{column}" if its words mean nothing here.'
            )


def _mapped_headers(frame: pd.DataFrame, kind: Kind) -> frozenset[str]:
    """The sheet's own columns a read frame keeps of the fields it read ("Max" beside
    ``max_to_object_ids``): by the read's column maps, or by their headers when the frame
    lost them."""
    mapped = {str(h) for _, found in column_maps(frame) for h in found}
    wanted = set(fields_for(kind))
    named = {c for c in frame.columns if isinstance(c, str) and strong_alias(c) in wanted}
    return frozenset(mapped | named)


def _marked_words(kind: Kind) -> str:
    if kind == "limits":
        return 'a limit is removed only when its limit cell says "remove": these would be set.'
    return "associate and sync would link the rows marked, remove would remove every row."


def _refuse_rounded(series: pd.Series, column: str) -> None:
    """InputError when a read frame's column holds a whole number a float32 or float16 may
    have rounded (:func:`~hubframe.io.narrow.refuse_rounded`): an id, and a type id or limit
    too (these were parsed from the float's digits, 16777217 as 16777216)."""
    refuse_rounded(series, column, f"the {column} column", first=0, row="position")


def _refuse_odd(series: pd.Series, column: str, rows: pd.Series) -> None:
    """InputError naming the first cell of a read frame's text column that the analyst set to
    bytes or several values (``b"Sponsor"``, a list), as the read refuses such a cell: its
    text (``b'Sponsor'``) is not what it holds."""
    cells = label_cells(series, column)
    if cells is not None:
        refuse_odd_cells(cells, column, "the frame given", rows.tolist(), column)


def _type_conflicts(frame: pd.DataFrame, fixes: dict[str, Any]) -> dict[str, Any]:
    """The reader's note of a type cell that names another object than its id column's header
    ("companies" in a "Contact ID" row), kept only where the type still differs: a row whose
    type the analyst set to the header's object was refused as TYPE_CONFLICT all the same."""
    out: dict[str, Any] = {}
    for column, private in HEADER_TYPE_COLUMNS.items():
        types = fixes.get(column, frame[column])
        if private not in frame.columns:
            lost = _lost_conflicts(frame, column.removesuffix("_type"), types)
            if lost is not None:
                out[private] = lost
            continue
        noted = frame[private]
        agree = noted.notna().to_numpy(dtype=bool) & (
            noted.astype(object).to_numpy() == types.astype(object).to_numpy()
        )
        if agree.any():
            out[private] = noted.mask(agree)
    return out


def _lost_conflicts(frame: pd.DataFrame, side: str, types: pd.Series) -> pd.Series | None:
    """The reader's note of type cells naming another object than their id column's header,
    made again from the analyst's columns (the read's ``column_map``) when the frame lost it:
    a result table keeps the analyst's columns, not the notes, and a row refused as
    TYPE_CONFLICT, fed back to a job, was sent as the type its cell named.  Judged on the
    column's distinct values: this runs on every job given a read frame with a type column."""
    noted = np.full(len(types), None, dtype=object)
    for rows, mapped in column_maps(frame):  # each sheet's own columns (a read of several)
        id_header = _analyst_column(frame, f"{side}_id", mapped)
        typed = TYPED_HEADERS.get(header_key(str(id_header))) if id_header is not None else None
        if typed is None or _analyst_column(frame, f"{side}_type", mapped) is None:
            continue
        named = typed.object_type
        values = types if rows is None else types[rows]
        others = [
            v for v in values.dropna().unique() if v != named and is_valid_object_type(str(v))
        ]
        differs = types.isin(others).to_numpy(dtype=bool)
        noted[differs if rows is None else differs & rows] = named
    return None if pd.isna(noted).all() else text_series(noted, frame.index)


def own_columns(table: pd.DataFrame, where: str, skip: frozenset[str]) -> dict[str, str]:
    """A run table's own (sheet) columns, field -> header: as its read mapped them (its
    ``column_map``), else found by their headers among the columns not in ``skip`` (a
    report's, whose attrs keep none), as the reader finds them; empty when none is."""
    info = table.attrs.get("hubframe") or {}
    mapped = dict(info.get("column_map") or {}) if isinstance(info, dict) else {}
    kept = {str(f): str(h) for h, f in mapped.items() if h in table.columns}
    if kept:
        return kept
    headers = [str(c) for c in table.columns if str(c) not in skip]
    try:
        mapping = match_headers(headers, "pairs", source=where)
    except InputError:  # no columns of its own the reader would take
        return {}
    properties = {f"{side}_id" for side in mapping.id_properties}
    return {f: h for f, h in mapping.columns.items() if f not in properties}


def _found_maps(
    frame: pd.DataFrame, kind: Kind, fixes: Mapping[str, Any]
) -> list[MapOfRows] | None:
    """The column maps of a read frame that lost its ``attrs`` (``pd.concat`` of two reads, a
    result table saved as CSV and read back with ``pd.read_csv``); None when the ``attrs``
    keep the read's own.  Each of the analyst's columns is found by its own header, as the
    reader names a field (reads of "Max" and "Max associations" concatenated hold both), an
    id column judged on the rows of its object's side (reads of "Deal ID, Contact ID" and
    "Contact ID, Deal ID"); a row whose cell differs while another column of the analyst's
    holds the field's value is not judged (:func:`_unexplained`).  Before, such a frame was
    taken with no check: a "Deal ID" or "Max" cell edited after the read was shown beside
    ``success`` while the value read was sent."""
    info = frame.attrs.get("hubframe")
    if isinstance(info, Mapping) and not info.get(COLUMNS_FOUND):
        return None
    skip = _OWN_COLUMNS | {str(c) for c in frame.columns if str(c).startswith(RAW_PREFIX)}
    wanted = set(fields_for(kind))
    mapped = {
        c: field
        for c in frame.columns
        if isinstance(c, str) and c not in skip and (field := strong_alias(c)) in wanted
    }
    maps = (
        _oriented(mapped, frame, skip, {})
        if kind == "pairs"
        else [(None, {h: f}) for h, f in mapped.items()]
    )
    sides = _side_notes(frame, emptied=True)
    return [_unexplained(frame, m, fixes, sides, skip) for m in maps]


#: The columns of hubframe's own in a read frame or result table (never the analyst's).
_OWN_COLUMNS: Final = frozenset(
    {"sheet", "row", "remove", *PAIR_COLUMNS, *LIMIT_COLUMNS, *RESERVED_COLUMNS}
)


def _unexplained(
    frame: pd.DataFrame,
    found: MapOfRows,
    fixes: Mapping[str, Any],
    sides: _Sides,
    skip: frozenset[str],
) -> MapOfRows:
    """``found`` (one of the analyst's columns -> a field, on its rows) without the rows where
    its cell differs from the field and another column of the analyst's says the field's very
    value: the read took the field from that one there (``columns=`` named "HubSpot deal"
    beside a "Deal ID" of old ids), and the cell is no edit."""
    rows, mapped = found
    [(header, field)] = mapped.items()
    column = frame[header]
    if field not in frame.columns or not isinstance(column, pd.Series):
        return found  # a column dropped or a header two columns have: refused by name
    sent = fixes.get(field, frame[field])
    differs = _differs(_text(column), sent, field, sides)
    if rows is not None:
        differs = differs & rows
    left = differs.copy()
    for other in frame.columns:
        if not left.any():
            break
        cells = frame[other]
        if other == header or not isinstance(other, str) or other in skip:
            continue
        if isinstance(cells, pd.Series):
            left &= ~_says_sent(_text(cells), sent, field, sides)
    explained = differs & ~left
    if not explained.any():
        return found
    kept = ~explained if rows is None else rows & ~explained
    return (kept, mapped)


def check_report_ids(table: pd.DataFrame, where: str, skip: frozenset[str]) -> None:
    """A run's report (its Results sheet) or result table whose ``from_id``/``to_id`` cell was
    edited, or its own id column ("Contact ID"), or one column sorted alone: its rows name
    other records than the run linked, and an undo removed those -- links that were there
    before the run -- and left the run's own.  The table's own id columns
    (:func:`own_columns`) are compared with the ids, as a read frame's are; InputError naming
    the row and both values.  Sides named by a property (emails) are not compared here: their
    ids are the records HubSpot found, and the undo holds them to their cells by looking the
    cells up again (:func:`looked_up_columns`, :func:`refuse_undone_others`)."""
    info = table.attrs.get("hubframe") or {}
    properties = (info.get("id_properties") or {}) if isinstance(info, dict) else {}
    compared = {f for f in ("from_id", "to_id") if f[:-3] not in properties}
    if isinstance(info, dict) and info.get("sheet_column_maps"):  # a result table's read
        maps = [(rows, {h: f for h, f in m.items() if f in compared and h in table.columns})
                for rows, m in column_maps(table)]  # fmt: skip
    else:
        own = own_columns(table, where, skip)
        maps = _oriented({own[f]: f for f in compared if f in own}, table, skip, properties)
    view = table.copy(deep=False)
    view.attrs = {"hubframe": {"id_properties": properties}}
    advice = (
        "Undo from the report as the run wrote it, or from the run's journal (hubframe undo "
        "JOURNAL: the file the run was given with --journal): "
        "an undo removes the records its rows name. Nothing was removed."
    )
    _check_cell_edits(
        view, "pairs", {}, fields=["from_id", "to_id"], advice=advice, maps=maps, emptied=False
    )


# --- a side a run looked up (emails), in its table passed back ----------------------------------

#: The private column where a result table passed back to a job keeps, for a side its run
#: looked up by a unique property (emails), the ids that run found: the side's cells are the
#: sheet's values again, looked up anew, and a record found now that is not the one the run
#: used is an edit (:func:`refuse_other_records`).
FOUND_IDS: Final = {"from": RAW_PREFIX + "from_id_found", "to": RAW_PREFIX + "to_id_found"}

#: The ``attrs["hubframe"]`` note of a result table whose attrs were lost (saved as CSV and
#: read back) that a job read its looked-up sides of by their headers: its other columns are
#: still found by their headers (:func:`_found_maps`).
COLUMNS_FOUND: Final = "columns_found"


class LookedUp(NamedTuple):
    """A side of a run's table whose records the run looked up by a unique property: the
    analyst's column holding the values (``header``: "Contact email"), on ``rows`` (None:
    every row; a read of several sheets may name the column otherwise on each)."""

    side: str
    header: str
    id_property: str
    rows: BoolArray | None


def looked_up_columns(
    table: pd.DataFrame, where: str, skip: frozenset[str] = frozenset()
) -> list[LookedUp]:
    """The sides of a run's table (a result table, a report) whose ids its run looked up from
    the analyst's column beside them: by the ``looked_up`` note and the read's column maps, or,
    for a table whose attrs keep none (a report, a result saved as CSV), by its own headers as
    the reader finds them among the columns not in ``skip`` ("Contact email" beside "Deal
    ID").  Empty for a read frame (its ids are the values still) and a table of record ids."""
    info = table.attrs.get("hubframe")
    info = info if isinstance(info, Mapping) else {}
    if info.get(ID_PROPERTIES):
        return []
    if info.get("column_map") and not info.get(COLUMNS_FOUND):
        found = _sides(info.get(LOOKED_UP))
        out: list[LookedUp] = []
        for rows, mapped in column_maps(table):
            for side, prop in found.items():
                header = _analyst_column(table, f"{side}_id", mapped)
                if header is not None and isinstance(table[header], pd.Series):
                    out.append(LookedUp(side, str(header), prop, rows))
        return out
    skip = skip | _OWN_COLUMNS
    headers = [
        str(c) for c in table.columns if str(c) not in skip and not str(c).startswith(RAW_PREFIX)
    ]
    try:
        mapping = match_headers(headers, "pairs", source=where)
    except InputError:  # no columns of its own the reader would take
        return []
    out = []
    for side, prop in mapping.id_properties.items():
        header = mapping.columns.get(f"{side}_id")
        if header is None or not isinstance(table.get(header), pd.Series):
            continue
        if _ids_of_a_lookup(table, f"{side}_id", str(header), skip):
            out.append(LookedUp(str(side), str(header), str(prop), None))
    return out


def _ids_of_a_lookup(table: pd.DataFrame, column: str, header: str, skip: frozenset[str]) -> bool:
    """Whether a table without its notes (a report, a result saved as CSV or joined with
    ``pd.concat``) shows that its ``column`` ids were looked up from ``header`` (its headers
    alone say so, "Contact email"): it holds some id, and no other column of the analyst's
    holds them on every row that has one.  A sheet read with ``columns=`` naming "Person"
    for the ids keeps them there, beside a "Contact email" note: taken for a lookup, its note
    was looked up and a row with no id linked to the note's contact, and its report could not
    be undone ("edited after its run")."""
    ids = _text(table[column])
    has = np.asarray(pc.is_valid(ids), dtype=bool)
    if not has.any():
        return False  # nothing shows a lookup: the ids are taken as they are
    wanted = ids.filter(pa.array(has)).to_pylist()
    for other in table.columns:
        name = str(other)
        if name in (header, column) or name in skip or name.startswith(RAW_PREFIX):
            continue
        if not isinstance(table[other], pd.Series):
            continue
        cells = trimmed_text(_text(table[other])).filter(pa.array(has)).to_pylist()
        if all(c is not None and _same_record(c, w) for c, w in zip(cells, wanted, strict=True)):
            return False
    return True


def _passed_back(frame: pd.DataFrame) -> list[LookedUp]:
    """The looked-up sides of a result table passed back to a job (a run's own table with its
    ``looked_up`` note, or one whose attrs were lost that has a ``status`` column)."""
    info = frame.attrs.get("hubframe")
    if isinstance(info, Mapping) and not info.get(COLUMNS_FOUND):
        if not info.get(LOOKED_UP) or info.get(ID_PROPERTIES):
            return []
    elif isinstance(info, Mapping) or "status" not in frame.columns:
        return []
    return looked_up_columns(frame, "the frame")


def _reopened(frame: pd.DataFrame, looked: list[LookedUp]) -> pd.DataFrame:
    """A result table passed back with its looked-up sides read as the sheet asked them: the
    side's ids are its cells again (the values looked up, ``id_properties``), and the ids its
    run found are kept aside (:data:`FOUND_IDS`) for the lookup to compare with the records
    the cells name now.  Before, the ids were sent as they were: an email corrected in the
    table linked the record of the old email, reported ``success`` beside the new one, and
    an email HubSpot had not found was reported as an empty cell."""
    properties: dict[str, str] = {}
    for found in looked:
        column, keep = f"{found.side}_id", FOUND_IDS[found.side]
        ids = _text(frame[column]).to_pylist()
        cells = trimmed_text(_text(frame[found.header])).to_pylist()
        kept = _text(frame[keep]).to_pylist() if keep in frame.columns else [None] * len(ids)
        at = range(len(ids)) if found.rows is None else np.flatnonzero(found.rows).tolist()
        for i in at:
            kept[i], ids[i] = ids[i], cells[i]
        frame[column] = text_series(ids, frame.index)
        frame[keep] = text_series(kept, frame.index)
        properties[found.side] = found.id_property
    info = frame.attrs.get("hubframe")
    if isinstance(info, Mapping) and not info.get(COLUMNS_FOUND):
        meta = {k: v for k, v in info.items() if k != LOOKED_UP}
    else:
        own = [
            c for c in frame.columns if c not in _OWN_COLUMNS and not str(c).startswith(RAW_PREFIX)
        ]
        meta = {
            "kind": "pairs",
            "column_map": {f.header: f"{f.side}_id" for f in looked},
            "original_columns": own,
            COLUMNS_FOUND: True,
        }
    meta[ID_PROPERTIES] = properties
    frame.attrs = {**frame.attrs, "hubframe": meta}
    return frame


def refuse_other_records(
    frame: pd.DataFrame, side: str, found: list[Any], object_type: list[Any]
) -> None:
    """A result table passed back (:func:`_reopened`) whose cell of a looked-up side names
    another record now (``found``, by position: the record HubSpot holds the value for; None
    where it found none or several) than the id its run found for the row: the cell or the
    id was edited since (an email corrected, the id typed over or sorted alone), and which of
    the two the table does not say.  InputError naming the row and the values, before
    anything is sent.  A row whose id is empty (HubSpot found no record for it then, or the
    analyst emptied it) takes the record found: that is how a cell is looked up again."""
    keep = FOUND_IDS[side]
    if keep not in frame.columns:
        return
    kept = _text(frame[keep]).to_pylist()
    rows = _clashes(kept, found)
    if not rows:
        return
    first = rows[0]
    header = _looked_up_header(frame, side, first)
    noun = object_noun(str(object_type[first]))
    prop = _sides(_info(frame).get(ID_PROPERTIES)).get(side, "value")
    said = _clash_words(frame, rows, header, frame[f"{side}_id"].iloc[first], noun, found)
    also = _also(_row_place(frame), np.asarray(rows), "differ so")
    raise InputError(
        f"this table was edited after its run: {said}, but its {side}_id, the record its run "
        f"found for the cell, is {kept[first]}{also}. "
        f"Which of the two was edited the table does not say: to look the cell up again, "
        f"empty the {side}_id (table.loc[..., {side + '_id'!r}] = None); else set the cell "
        f"back to the {prop} of {noun} {kept[first]}. Nothing was sent."
    )


def _clashes(used: list[Any], named: list[Any]) -> list[int]:
    """The positions where an id (``used``) and the record its cell names now (``named``)
    are both known and are not one record."""
    return [
        i
        for i, (one, other) in enumerate(zip(used, named, strict=True))
        if one is not None and other is not None and not _same_record(one, other)
    ]


def _clash_words(
    table: pd.DataFrame, rows: list[int], header: str, cell: Any, noun: str, now: list[Any]
) -> str:
    """'the 'Contact email' cell of row 2 is 'cat@x.com', HubSpot's contact for it is 5003'."""
    first = rows[0]
    return (
        f"the {shown(header)} cell of {_row_place(table)(first)} is {shown(cell)}, HubSpot's "
        f"{noun} for it is {now[first]}"
    )


def _info(frame: pd.DataFrame) -> Mapping[str, Any]:
    info = frame.attrs.get("hubframe")
    return info if isinstance(info, Mapping) else {}


def refuse_undone_others(
    table: pd.DataFrame, found: LookedUp, ids: list[Any], now: list[Any], where: str
) -> None:
    """A run's report or table whose id of a looked-up side (``ids``, by position) is not the
    record its cell names now (``now``: the record HubSpot holds the value for; None where
    unread, or it found none or several): its ``to_id`` typed over or sorted alone, or the
    cell edited.  An undo removed the links the ids name -- links that were there before the
    run -- and left the run's own.  InputError naming the row and the values, before
    anything is removed."""
    rows = _clashes(ids, now)
    if not rows:
        return
    first = rows[0]
    cell = table[found.header].iloc[first]
    noun = object_noun(str(table[f"{found.side}_type"].iloc[first]))
    said = _clash_words(table, rows, found.header, cell, noun, now)
    also = _also(_row_place(table), np.asarray(rows), "differ so")
    raise InputError(
        f"{where} was edited after its run: {said}, but its "
        f"{found.side}_id, what the undo removes, is {ids[first]}{also}. An undo removes the "
        "records its rows name, and the run linked the one its cell names (unless that "
        f"{noun}'s {found.id_property} changed in HubSpot since). Undo from the report as the "
        "run wrote it, or from the run's journal (hubframe undo JOURNAL: the file the run was "
        "given with --journal). Nothing was removed."
    )


def _same_record(one: Any, other: Any) -> bool:
    """Whether two ids name one record (``"05001"`` and ``5001`` do)."""
    a, b = str(one).strip(), str(other).strip()
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def _looked_up_header(frame: pd.DataFrame, side: str, at: int) -> str:
    """The analyst's column a looked-up side's cell at position ``at`` was read from."""
    for rows, mapped in column_maps(frame):
        header = _analyst_column(frame, f"{side}_id", mapped)
        if header is not None and (rows is None or bool(rows[at])):
            return str(header)
    return f"{side}_id"


def _oriented(
    mapped: dict[str, str], table: pd.DataFrame, skip: frozenset[str], properties: Any
) -> list[MapOfRows]:
    """A report's id columns (``mapped``: header -> field, as found by their headers), each
    row's judged by the side of its header's object: a report of a workbook whose sheets list
    "Deal ID, Contact ID", "Contact ID, Deal ID" and "Company ID, Deal ID" holds rows of each
    direction, and the deal is ``from_id`` on some and ``to_id`` on others.  A header naming
    no object, or a row whose two records are of its object, is judged as found."""
    sided = {"from_type", "to_type"} <= set(table.columns)  # else refused by name after
    typed = _typed_id_columns(table, skip) if sided and not properties else {}
    maps: list[MapOfRows] = [(None, {h: f}) for h, f in mapped.items() if h not in typed]
    types = {side: _text(table[f"{side}_type"]) for side in ("from", "to")} if typed else {}
    for header, object_type in typed.items():
        is_from, is_to = (_equals(types[side], object_type) for side in ("from", "to"))
        maps += [(is_from & ~is_to, {header: "from_id"}), (is_to & ~is_from, {header: "to_id"})]
        if header in mapped:
            maps.append((is_from & is_to, {header: mapped[header]}))
    return maps


def _equals(cells: Text, wanted: str) -> BoolArray:
    """Cells (as the reader reads them) equal to ``wanted``; False where empty."""
    same = pc.fill_null(pc.equal(cells, wanted), False)
    return np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)


def _typed_id_columns(table: pd.DataFrame, skip: frozenset[str]) -> dict[str, str]:
    """The table's own columns whose header names the records of one object ("Deal ID"),
    header -> object type."""
    found: dict[str, str] = {}
    for column in table.columns:
        if str(column) in skip:
            continue
        typed = TYPED_HEADERS.get(header_key(str(column)))
        if typed is not None and typed.id_property is None:
            found[str(column)] = typed.object_type
    return found


def _check_cell_edits(
    frame: pd.DataFrame,
    kind: Kind,
    fixes: dict[str, Any],
    *,
    fields: list[str] | None = None,
    advice: str | None = None,
    maps: list[MapOfRows] | None = None,
    emptied: bool = True,
) -> None:
    """A cell of the analyst's column edited after the read, the field a job sends not: the
    job sent the value read before ("Contact ID" fixed in the notebook linked the old contact,
    a "Max" cell set to 7 sent 5) and the report showed the edited cell beside ``success``.
    Each column the read mapped (its ``column_map``) is read again as the reader reads it and
    compared with the field: a row whose cell and field both say something, and differ (which
    of the two was edited no frame can tell), or whose label, type id or limit cell says one
    beside none sent (a blank cell filled in after the read: the row went unlabeled and said
    ``success``), is refused, InputError naming the rows, before anything is sent.  A cell that
    says nothing the reader takes ("x" as an id, "many" as a limit, empty) beside a field set is
    the documented fix (``frame["from_id"] = ...``).  A field emptied beside a cell that says
    something (an id, a type) is refused too (``emptied``): the row was reported as a missing
    value naming its cell as empty.  Types are judged for that only: setting a type the header
    names is how a TYPE_CONFLICT is fixed.  The message shows both values as their text."""
    _check_cells_of_no_column(frame, fields_for(kind), advice)
    sides = _side_notes(frame, emptied)
    if fields is None:
        sent_fields = ["from_id", "to_id"] if kind == "pairs" else ["max_to_object_ids"]
        fields = [*sent_fields, "label", "type_id", *TYPES]
    for rows_of, mapped in maps if maps is not None else column_maps(frame):
        for field in fields:
            header = _analyst_column(frame, field, mapped)
            if header is None or header == field or field not in frame.columns:
                continue  # a column dropped is refused by name where it is needed
            sent = fixes.get(field, frame[field])
            if _same_ids(frame[header], sent, field, sides):
                continue
            cells = _text(frame[header])
            differs = _differs(cells, sent, field, sides)
            if field == "max_to_object_ids":  # a cell saying remove, or a number, not `remove`
                differs |= _removal_differs(cells, fixes.get("remove", frame["remove"]))
            rows = np.flatnonzero(differs if rows_of is None else differs & rows_of)
            if len(rows):
                shown_as = _Shown(header, field, cells, sent)
                raise InputError(_edited(frame, shown_as, rows, advice))


def _check_cells_of_no_column(
    frame: pd.DataFrame, own: tuple[str, ...], advice: str | None
) -> None:
    """A read of several sheets: a cell filled in after the read in a column the row's sheet
    did not have ("Contact ID" on a row of a sheet of deals and companies).  The row's fields
    come from its own sheet's columns, so no field took the value: it was not sent, and the
    report showed it beside ``success``.  Refused, InputError naming the first such cell, before
    anything is sent (the reader leaves such cells empty).  A header that is a field's own
    name (``own``: a sheet's "from_type" column) is the field, filled on every row."""
    info = frame.attrs.get("hubframe") or {}
    info = info if isinstance(info, dict) else {}
    columns, merged = info.get("sheet_columns"), info.get("column_map")
    if not isinstance(columns, dict) or not isinstance(merged, dict) or "sheet" not in frame:
        return
    sheets = frame["sheet"].astype(object)
    for header in merged:
        if header in own:
            continue
        lacking = [s for s, held in columns.items() if header not in list(held or [])]
        column = frame[header] if lacking and header in frame.columns else None
        if not isinstance(column, pd.Series):
            continue
        cells = _text(column)
        said = np.asarray(pc.is_valid(cells).to_numpy(zero_copy_only=False))
        rows = np.flatnonzero(said & np.asarray(sheets.isin(lacking), dtype=bool))
        if len(rows):
            raise InputError(_filled_in(frame, (header, cells), rows, advice))


def _filled_in(
    frame: pd.DataFrame, column: tuple[Any, Text], rows: npt.NDArray[Any], advice: str | None
) -> str:
    header, cells = column
    place, first = _row_place(frame), int(rows[0])
    cell = cells[first].as_py()
    also = _also(place, rows, "hold one")
    sheet = shown(str(frame["sheet"].iloc[first]))
    return (
        f"this frame was edited after it was read: the {shown(header)} cell of {place(first)} "
        f"is {shown(cell)}, but sheet {sheet} has no {shown(header)} column, so no field of the "
        f"row takes it and a job would not send it{also}. "
        + (
            advice
            or "Clear the cell, or give what it names a row of its own (on a sheet with that "
            "column). Nothing was sent."
        )
    )


class _Sides(NamedTuple):
    """How a frame's id columns are read: ``properties``, the sides named by a unique property
    whose ids are still the cells (a read frame's ``id_properties``: emails), and ``found``,
    the sides whose ids may be empty beside a cell: the records a run looked up (a result's
    ``looked_up``: an email HubSpot did not find), or every side where an emptied id is no edit
    (a report undone: its row removes nothing)."""

    properties: dict[str, str]
    found: frozenset[str]


def _side_notes(frame: pd.DataFrame, emptied: bool) -> _Sides:
    """A frame's ``id_properties`` and ``looked_up`` notes; ``emptied``: whether an id emptied
    beside its cell is an edit."""
    info = frame.attrs.get("hubframe") or {}
    info = info if isinstance(info, dict) else {}
    found = set(_sides(info.get(LOOKED_UP))) if emptied else {"from", "to"}
    return _Sides(_sides(info.get("id_properties")), frozenset(found))


def _sides(note: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in note.items()} if isinstance(note, Mapping) else {}


class _Shown(NamedTuple):
    """What an edit's message shows: the analyst's column and its cells read as text, and the
    field with the values a job sends."""

    header: Any
    field: str
    cells: Text
    sent: pd.Series


#: Rows (None: all) and the column map (analyst header -> field) their sheet was read with.
MapOfRows = tuple["BoolArray | None", dict[Any, Any]]


def column_maps(frame: pd.DataFrame) -> list[MapOfRows]:
    """The column maps ``frame``'s rows were read with: the read's ``column_map``, or, for a
    read of several sheets whose maps differ ("Deal ID, Contact ID" on one, "Contact ID, Deal
    ID" on the next), each sheet's own (``sheet_column_maps``) with its rows.  Before, the union
    of the maps judged every row, and an unedited workbook of two such sheets was refused as
    edited."""
    info = frame.attrs.get("hubframe") or {}
    info = info if isinstance(info, dict) else {}
    merged = dict(info.get("column_map") or {})
    per_sheet = info.get("sheet_column_maps")
    if not isinstance(per_sheet, dict) or "sheet" not in frame.columns:
        return [(None, merged)]
    distinct: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    for sheet, mapped in per_sheet.items():
        key = tuple(sorted((str(h), str(f)) for h, f in dict(mapped or {}).items()))
        distinct.setdefault(key, []).append(sheet)
    if len(distinct) < 2:
        return [(None, merged)]
    sheets = frame["sheet"].astype(object)
    return [
        (np.asarray(sheets.isin(names), dtype=bool), dict(key)) for key, names in distinct.items()
    ]


def _removal_differs(cells: Text, remove: pd.Series) -> BoolArray:
    """Rows whose limit cell asks for a removal ("remove") and whose ``remove`` is False, or
    whose cell is a limit and ``remove`` True."""
    removing = np.asarray(remove.fillna(False), dtype=bool)
    asks = np.asarray(purge_flags(cells), dtype=bool)
    numbers = ~np.asarray(whole_numbers(cells)[0].isna(), dtype=bool)
    return np.asarray((asks & ~removing) | (numbers & removing), dtype=bool)


def _differs(cells: Text, sent: pd.Series, field: str, sides: _Sides) -> BoolArray:
    """Rows whose cell, read as the reader reads ``field``, says something other than
    ``sent``, or says something beside ``sent`` empty (emptied after the read, or filled into a
    blank cell: the row was reported as a missing value, its cell named as empty)."""
    if field in TYPES:  # types are not compared: setting one is how a TYPE_CONFLICT is fixed
        return _emptied(trimmed_text(cells), _text(sent))
    if field in WHOLE:  # a number in the cell beside none sent: filled in after the read
        numbers = whole_numbers(cells)[0]
        said = ~np.asarray(numbers.isna(), dtype=bool)
        values = np.asarray(numbers.fillna(0), dtype=np.int64)
        other = np.asarray(sent.isna(), dtype=bool) | (
            values != np.asarray(sent.fillna(0), dtype=np.int64)
        )
        return np.asarray(said & other, dtype=bool)
    if field == "label":  # a label in the cell beside none sent too
        shown_label = label_text(cells)
        if shown_label.null_count == len(shown_label):  # no label cell says anything
            return np.zeros(len(shown_label), dtype=bool)
        read, given = _compared_labels(to_series(shown_label)), _compared_labels(sent)
        return np.asarray(pd.notna(read) & (pd.isna(given) | (read != given)), dtype=bool)
    side = field.removesuffix("_id")
    named = side in sides.properties
    text, ids = trimmed_text(cells) if named else id_text(cells), _text(sent)
    out = pc.fill_null(pc.not_equal(text, ids), False)
    differs = np.asarray(out.to_numpy(zero_copy_only=False), dtype=bool)
    # two records named: an id that names none ("1.2345E+11") is refused on its own row
    differs = differs if named else differs & canonical_ids(text) & canonical_ids(ids)
    return differs if side in sides.found else differs | _emptied(text, ids)


def _says_sent(cells: Text, sent: pd.Series, field: str, sides: _Sides) -> BoolArray:
    """Rows whose cell, read as the reader reads ``field``, says the very value sent (a type
    says nothing here: types are not compared)."""
    if field in TYPES:
        return np.zeros(len(cells), dtype=bool)
    if field in WHOLE:
        numbers = whole_numbers(cells)[0]
        both = ~np.asarray(numbers.isna(), dtype=bool) & ~np.asarray(sent.isna(), dtype=bool)
        values = np.asarray(numbers.fillna(0), dtype=np.int64)
        return np.asarray(both & (values == np.asarray(sent.fillna(0), dtype=np.int64)))
    if field == "label":
        read = _compared_labels(to_series(label_text(cells)))
        given = _compared_labels(sent)
        return np.asarray(pd.notna(read) & pd.notna(given) & (read == given), dtype=bool)
    named = field.removesuffix("_id") in sides.properties
    text, ids = trimmed_text(cells) if named else id_text(cells), _text(sent)
    same = np.asarray(
        pc.fill_null(pc.equal(text, ids), False).to_numpy(zero_copy_only=False), dtype=bool
    )
    return same if named else same & canonical_ids(text)


def _same_ids(cells: pd.Series, sent: pd.Series, field: str, sides: _Sides) -> bool:
    """Whether an id field is its cells' very text (the read kept canonical ids as they were,
    sharing their Arrow data): such a field differs from its cells on no row, as
    :func:`_differs` would find on a whole pass.  Not for a side named by a property (its
    cells are compared trimmed)."""
    side = field.removesuffix("_id")
    if field not in ("from_id", "to_id") or side in sides.properties:
        return False
    if not (_is_text(cells) and _is_text(sent)) or cells.dtype == object:
        return False
    return bool(frame_column(cells).equals(frame_column(sent)))


def _emptied(cells: Text, sent: Text) -> BoolArray:
    """Rows whose cell says something and whose field sent is empty."""
    emptied = pc.and_(pc.is_valid(cells), pc.is_null(sent))
    return np.asarray(emptied.to_numpy(zero_copy_only=False), dtype=bool)


def _compared_labels(labels: pd.Series) -> npt.NDArray[np.object_]:
    """Each label as labels are compared (None when empty), worked out once per distinct one."""
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    compared = np.array([normalize_label(str(u)) for u in uniques] + [None], dtype=object)
    return compared[codes]  # code -1 (empty) takes the None at the end


def _also(place: Callable[[int], str], rows: npt.NDArray[Any], said: str) -> str:
    """The rows an edit's message lists beside its first (" (row 3, row 5 differ so)"): up to
    SHOWN, then how many more; empty for one row."""
    if len(rows) < 2:
        return ""
    more = f" and {len(rows) - SHOWN:,} more" if len(rows) > SHOWN else ""
    return f" ({', '.join(place(int(i)) for i in rows[:SHOWN])}{more} {said})"


def _edited(
    frame: pd.DataFrame,
    edit: _Shown,
    differs: npt.NDArray[Any],
    advice: str | None = None,
) -> str:
    first, field = int(differs[0]), edit.field
    removes = field == "max_to_object_ids" and frame["remove"].iloc[first] in (True, np.True_)
    what = "remove (True: the limit removed)" if removes else _sent_shown(edit.sent, first)
    place = _row_place(frame)
    also = _also(place, differs, "differ so")
    cell = edit.cells[first].as_py()
    return (
        f"this frame was edited after it was read: the {shown(edit.header)} cell of "
        f"{place(first)} is {shown(cell) if cell is not None else 'empty'}, but its {field}, "
        f"what a job sends, is {what}{also}. "
        + (
            advice
            or "Which of the two was edited the frame does not say: set them alike "
            f"(frame[{field!r}] = ..., or the cell), and run again. Nothing was sent."
        )
    )


def _sent_shown(sent: pd.Series, at: int) -> str:
    """The value a job sends at position ``at`` as a message shows it: a whole number's digits,
    other cells as their text (``'2040000001'``, never ``2040000001.0``), or ``empty``."""
    value = sent.iloc[at]
    if _missing(value):
        return "empty"
    if pd.api.types.is_integer_dtype(sent.dtype):
        return str(int(value))
    text = _text(sent.iloc[at : at + 1])[0].as_py()
    return "empty" if text is None else shown(text)


def _missing(value: Any) -> bool:
    """Whether a value is missing (NA, NaN, None); False for one pandas cannot tell of (a
    signalling ``Decimal("sNaN")`` raises when compared)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError, ArithmeticError):
        return False


def _row_place(frame: pd.DataFrame) -> Callable[[int], str]:
    """How a message names the row at a position: ``row 3``, or ``sheet 'Firms' row 3`` in a
    frame of several sheets (each has a row 3); a row of a DataFrame read (no sheet name, in
    a frame joined with reads of files) is ``row 3 of the DataFrame``."""
    rows = frame["row"]
    if "sheet" not in frame.columns or frame["sheet"].nunique(dropna=False) < 2:
        return lambda at: f"row {rows.iloc[at]}"
    sheets = frame["sheet"]

    def place(at: int) -> str:
        sheet = sheets.iloc[at]
        if pd.isna(sheet) or not str(sheet):
            return f"row {rows.iloc[at]} of the DataFrame"
        return f"sheet {shown(str(sheet))} row {rows.iloc[at]}"

    return place


def _analyst_column(frame: pd.DataFrame, field: str, mapped: dict[Any, Any] | None = None) -> Any:
    """The header of the analyst's column the read took ``field`` from (``mapped``, else the
    read's ``column_map``), when the frame still has it; None otherwise."""
    if mapped is None:
        info = frame.attrs.get("hubframe") or {}
        mapped = info.get("column_map") if isinstance(info, dict) else None
    names = [o for o, f in (mapped or {}).items() if f == field and o in frame.columns]
    return names[0] if len(names) == 1 else None


def _is_text(series: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return True
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in (
        "string",
        "empty",
    )


def _text(series: pd.Series) -> Text:
    """Cells as the reader reads a DataFrame's cells; empty ones (and spaces) null."""
    text = frame_column(series)
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    return pc.if_else(blank, pa.scalar(None, type=text.type), text)


def _whole(
    series: pd.Series, column: str, raw: pd.Series | None, frame: pd.DataFrame
) -> dict[str, Any]:
    """A whole-number column's fixes: its cells parsed when they are not Int64, and the text
    kept for validation only on the rows still without a number (a cell the analyst set to a
    number is no longer the text the sheet had).  Without the reader's note of that text (a
    result table keeps the analyst's columns, not the notes), it is taken from the analyst's
    own column: a result fed back to a job read a type id ``abc`` as none (the row was sent
    unlabeled) and a limit ``many`` as blank (removed with ``remove_blank``)."""
    fixes: dict[str, Any] = {}
    values = series
    kept = np.full(len(series), None, dtype=object)
    if not pd.api.types.is_integer_dtype(series.dtype):
        parsed, bad = whole_numbers(_text(series))
        values = fixes[column] = pd.Series(parsed, index=series.index)
        kept = np.asarray(bad.to_numpy(zero_copy_only=False), dtype=object)
    if raw is None and bool(values.isna().any()):
        unread = _unread_cells(frame, column)
        if unread is not None:
            kept = np.where(np.asarray(values.isna(), dtype=bool) & pd.isna(kept), unread, kept)
    if raw is not None:
        was = raw.astype(object).where(raw.notna(), None).to_numpy()
        kept = np.where(np.asarray(values.isna(), dtype=bool) & pd.isna(kept), was, kept)
        if not pd.Series(kept, dtype=object).equals(pd.Series(was, dtype=object)):
            fixes[RAW_PREFIX + column] = text_series(kept, series.index)
    elif not pd.isna(kept).all():
        fixes[RAW_PREFIX + column] = text_series(kept, series.index)
    return fixes


def _unread_cells(frame: pd.DataFrame, column: str) -> npt.NDArray[np.object_] | None:
    """The text of the cells of the analyst's column that ``column`` was read from (the read's
    ``column_map``) that are not whole numbers, as the reader kept it (a limit cell asking for
    removal is not such a cell); None where the frame has no such column."""
    out: npt.NDArray[np.object_] | None = None
    for rows, mapped in column_maps(frame):  # each sheet's own column (a read of several)
        header = _analyst_column(frame, column, mapped)
        if header is None:
            continue
        cells = _text(frame[header])
        bad = whole_numbers(cells)[1]
        if column == "max_to_object_ids":
            bad = pc.if_else(pa.array(purge_flags(cells)), pa.scalar(None, type=bad.type), bad)
        found = np.asarray(bad.to_numpy(zero_copy_only=False), dtype=object)
        if rows is None:
            return found
        out = np.full(len(frame), None, dtype=object) if out is None else out
        out[rows] = found[rows]
    return out


def sheet_rows(series: pd.Series) -> pd.Series:
    """A read frame's ``row`` column as the reader gives it, int64; InputError naming the
    cells that are no sheet row's number (a row added to the frame, a sync's removal)."""
    return pd.Series(_rows(series).get("row", series), index=series.index).astype(np.int64)


def _rows(series: pd.Series) -> dict[str, Any]:
    if pd.api.types.is_integer_dtype(series.dtype) and not series.isna().any():
        return {}
    values = whole_numbers(_text(series))[0]
    wrong = np.flatnonzero(np.asarray(values.isna(), dtype=bool))
    if len(wrong):
        raise InputError(
            f"the row column holds {_row_cells(series, wrong)}: it numbers each row as the "
            "sheet does, a whole number in every row. A row without one is not a sheet's row: "
            "a row added to the frame read (pd.concat, .loc) needs the number of its row in "
            "the sheet (or read the sheet again with the row in it), and a sync's result's "
            "rows for its removals have none: leave those rows out."
        )
    return {"row": pd.Series(np.asarray(values, dtype=np.int64), index=series.index)}


def _row_cells(series: pd.Series, wrong: npt.NDArray[np.intp]) -> str:
    """The first cells of ``wrong`` positions, each with its index label ("nothing at index
    1"): a cell as Python shows it, never numpy's ``np.float64(nan)``."""

    def cell(at: int) -> str:
        value = series.iloc[at]
        if isinstance(value, np.generic):
            value = value.item()
        try:
            empty = bool(pd.isna(value))
        except (TypeError, ValueError, ArithmeticError):  # Decimal('sNaN') will not compare
            empty = False
        return f"{'nothing' if empty else shown(value)} at index {series.index[at]!r}"

    more = f" and {len(wrong) - SHOWN:,} more" if len(wrong) > SHOWN else ""
    return ", ".join(cell(int(at)) for at in wrong[:SHOWN]) + more


def _removal_words(frame: pd.DataFrame, fixes: dict[str, Any]) -> dict[str, Any]:
    """A limit cell set to a removal word in the notebook (``frame.loc[3,
    "max_to_object_ids"] = "remove"``): the removal it asks for (``remove`` True, no limit),
    as the same cell of a sheet or of a frame built by hand is.  Before, it was refused as
    BAD_LIMIT with a message naming the sheet's own column and asking for the word written."""
    series = frame["max_to_object_ids"]
    if pd.api.types.is_integer_dtype(series.dtype):
        return {}
    words = purge_flags(_text(series))
    if not words.any():
        return {}
    raw = RAW_PREFIX + "max_to_object_ids"
    limits = fixes.get("max_to_object_ids", series)
    remove = fixes.get("remove", frame["remove"])
    out: dict[str, Any] = {
        "max_to_object_ids": limits.mask(words),
        "remove": remove.mask(words, True).astype(bool),
    }
    kept = fixes.get(raw, frame.get(raw))
    if kept is not None:
        out[raw] = kept.mask(words)
    return out


def _removes(series: pd.Series, rows: pd.Series) -> dict[str, Any]:
    if pd.api.types.is_bool_dtype(series.dtype) and not series.isna().any():
        return {}
    cells = series.to_numpy(dtype=object)
    flags = np.array([c is True or c is np.True_ for c in cells], dtype=bool)
    plain = np.array([isinstance(c, bool | np.bool_) for c in cells], dtype=bool)
    wrong = np.flatnonzero(~plain)
    if len(wrong):
        named = ", ".join(f"row {rows.iloc[i]} holds {shown(cells[i])}" for i in wrong[:SHOWN])
        raise InputError(
            f"the remove column takes True (remove the limit) or False, but {named}: set "
            "True or False, or read the sheet again."
        )
    return {"remove": pd.Series(flags, index=series.index)}


__all__ = [
    "FOUND_IDS",
    "LookedUp",
    "check_report_ids",
    "conformed",
    "looked_up_columns",
    "own_columns",
    "refuse_other_records",
    "refuse_undone_others",
]
