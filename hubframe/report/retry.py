"""export_retry: the rows still to do, in the layout of the sheet the analyst uploaded."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from hubframe.constants import (
    ID_PROPERTIES,
    LITERAL_LABELS,
    LOOKED_UP,
    PORTAL_LABELS,
    REMOVALS_SHEET,
    SYNC_OBJECTS,
)
from hubframe.errors import HubframeWarning, InputError
from hubframe.io.aliases import (
    PROPERTY_HEADERS,
    Kind,
    field_mark,
    field_marked,
    header_key,
    marked_header,
    property_mark,
)
from hubframe.io.cells import one_cell_text, plain_cells
from hubframe.io.columns import ColumnMapping, HeaderError, fields_read
from hubframe.io.frame import read_limits, read_pairs
from hubframe.io.labels import LABELS_KIND
from hubframe.io.sheet import SAMPLE_CELLS
from hubframe.io.sheet_errors import is_error_text
from hubframe.report.columns import (
    check_result,
    from_sheet,
    meta,
    original_columns,
    retry_rows,
    row_key,
)
from hubframe.report.excel import Table, unique_title, write_tables
from hubframe.report.export import target_path, write_csv
from hubframe.report.overwrite import check_retry_target, mark_retry
from hubframe.report.retry_lists import (
    CSV_CELLS,
    ID_SEPARATOR,
    KEYS,
    XLSX_CELLS,
    CellLimit,
    ListColumns,
    Rebuilt,
    Split,
    list_columns,
    rebuild_row,
    sheet_map,
    sheet_maps,
)
from hubframe.report.safety import SheetFormula
from hubframe.terminal import shown
from hubframe.vocab import ObjectPair

PathLike = str | os.PathLike[str]

# --- Public: retry files -------------------------------------------------------------------------


def _rejoin_split_cells(result: pd.DataFrame, needed: pd.Series, limit: CellLimit) -> pd.DataFrame:
    """The ``needed`` rows of ``result``, numbered from 0: one retry row per source row (or a
    few, :func:`~hubframe.report.retry_lists.rebuild_row`), whose split cells -- a ';' list of
    ids or emails, a list of labels -- hold only the values of the pairs still to do, as the
    sheet wrote them.  Rows are one source row's only when they are told to be
    (:func:`_one_source`); others stay rows of their own, each with its own values, so that no
    pair still to do is lost."""
    result = result.reset_index(drop=True)  # positions: the index of concatenated results repeats
    todo = result.loc[needed.to_numpy(dtype=bool)]
    if todo.empty or not set(KEYS) <= set(todo.columns):
        return todo.reset_index(drop=True)
    if int(result.groupby(KEYS, sort=False, dropna=False).size().max()) <= 1:
        return todo.reset_index(drop=True)
    lists = list_columns(result)  # every sheet's list columns
    one_source = _one_source(result, lists)
    joins = todo.loc[one_source.loc[todo.index].to_numpy(dtype=bool)]
    if joins.empty:
        return todo.reset_index(drop=True)
    split = _split_cells(result.loc[one_source.to_numpy(dtype=bool)], lists)
    cells = _Cells.of(joins, split, lists)
    sheets = joins["sheet"].tolist() if sheet_maps(result) else None
    own: dict[Any, ListColumns] = {}  # each sheet's, as its rows were read (its column map)
    rebuilt = [
        row
        for positions in _source_rows(joins)
        for row in _rebuilt(
            cells,
            positions,
            lists if sheets is None else _sheet_lists(result, sheets[positions[0]], own),
            limit,
        )
    ]
    out = joins.loc[[r.row for r in rebuilt]].copy()
    for header in dict.fromkeys(h for r in rebuilt for h in r.cells):
        has = [header in r.cells for r in rebuilt]
        out[header] = out[header].astype(object)
        out.loc[has, header] = [r.cells[header] for r in rebuilt if header in r.cells]
    alone = todo.loc[~todo.index.isin(joins.index)]
    return pd.concat([out, alone]).sort_index().reset_index(drop=True)


def _sheet_lists(result: pd.DataFrame, sheet: Any, own: dict[Any, ListColumns]) -> ListColumns:
    """The list columns of ``sheet``'s rows (its own column map: a header the sheets share may
    hold ``from_id`` on one and ``to_id`` on another), kept in ``own``."""
    if sheet not in own:
        own[sheet] = list_columns(result, sheet if isinstance(sheet, str) else None)
    return own[sheet]


def _one_source(result: pd.DataFrame, lists: ListColumns) -> pd.Series:
    """Rows that are the pairs of one source row's split cells, to be joined again: those of a
    ``sheet`` and ``row`` whose ids vary on one side at most, as a split cell makes them.
    Results put together (``pd.concat`` of two runs of sheets named alike) share lines that
    are not one row; without the id headers (a result whose attrs pandas dropped, as a
    ``concat`` of runs of different files does), which cell was split is not known: none is
    joined, each row keeps its own values."""
    if not lists.any:
        return pd.Series(False, index=result.index)
    groups = result.groupby(KEYS, sort=False, dropna=False)
    varying = pd.Series(0, index=result.index)
    for header in lists.ids:
        varying += (groups[header].transform("nunique", dropna=False) > 1).astype(int)
    return pd.Series((varying <= 1).to_numpy(dtype=bool), index=result.index, dtype=bool)


def _split_cells(rows: pd.DataFrame, lists: ListColumns) -> pd.DataFrame:
    """For each of ``rows`` and each list column, whether that column's cell of its source row
    was split: its values vary over the source row's pairs (all of them, done or not); and for
    each id field, whether its ids vary (a table whose own cell holds the whole list on every
    pair's row, as one built by hand may)."""
    groups = rows.groupby(KEYS, sort=False, dropna=False)
    columns = lists.cells
    return pd.DataFrame(
        {c: (groups[c].transform("nunique", dropna=False) > 1).to_numpy() for c in columns},
        index=rows.index,
    )


def _source_rows(joins: pd.DataFrame) -> list[list[int]]:
    """The positions (in ``joins``) of each source row's pairs, in order."""
    codes = joins.groupby(KEYS, sort=False, dropna=False).ngroup().to_numpy()
    found: dict[int, list[int]] = {}
    for position, code in enumerate(codes.tolist()):
        found.setdefault(code, []).append(position)
    return list(found.values())


@dataclass(frozen=True)
class _Cells:
    """What :func:`_rebuilt` reads of the rows to join, taken out of the frames once (pandas
    lookups per source row took about a millisecond each: a retry file of 50,000 lists still
    to do took 55 s, and 82 s before the lists were rebuilt from the sheet's cells; 4 s now)."""

    labels: list[Any]  # the result row label of each position of the rows to join
    values: dict[str, list[str | None]]  # list column or id field -> its cells, as text
    varies: dict[str, dict[Any, bool]]  # the same -> whether its cell of a row was split

    @classmethod
    def of(cls, joins: pd.DataFrame, split: pd.DataFrame, lists: ListColumns) -> _Cells:
        columns = lists.cells
        return cls(
            labels=joins.index.tolist(),
            values={
                c: [None if pd.isna(v) else str(v) for v in joins[c].tolist()] for c in columns
            },
            varies={
                c: dict(zip(split.index.tolist(), split[c].tolist(), strict=True)) for c in columns
            },
        )


def _rebuilt(
    cells: _Cells, positions: list[int], lists: ListColumns, limit: CellLimit
) -> list[Rebuilt]:
    """The retry rows of one source row's pairs still to do (``positions`` in the rows to
    join), each naming the result row it copies by its label."""
    labels = [cells.labels[p] for p in positions]
    varies = {c: flags[labels[0]] for c, flags in cells.varies.items()}
    ids = [h for h in lists.ids if varies[h] or varies[lists.ids[h]]]
    named = [h for h in lists.labels if varies[h]]
    id_cell = None
    if ids:  # the cell's own parts; the ids sent when the cell is whole on every row
        source = ids[0] if varies[ids[0]] else lists.ids[ids[0]]
        id_cell = Split(ids[0], ID_SEPARATOR, [cells.values[source][p] for p in positions])
    label_cell = (
        Split(named[0], lists.labels[named[0]], [cells.values[named[0]][p] for p in positions])
        if named
        else None
    )
    return rebuild_row(labels, id_cell, label_cell, limit)


#: Fields a run may take from an argument (``label=``) rather than from a column, and the
#: header each gets in a retry file whose sheet lacks such a column.  The object types are not
#: among them: a file that does not name them is refused until they are given (the id headers
#: name them, or ``--from``/``--to``), while a file without its label would be read as unlabeled.
_ARGUMENT_HEADERS = {"label": ("Association label", "Association label name", "Label name")}


def _argument_columns(
    todo: pd.DataFrame, columns: list[str], column_map: Mapping[str, str]
) -> dict[str, str]:
    """Header -> field for the values the run took from its arguments, not from a column of
    the sheet: the retry file carries them as columns, so that running the file alone does
    what the run meant (without ``--label`` its rows would be linked without the label)."""
    mapped = set(column_map.values())
    taken = {c.casefold() for c in columns}
    out: dict[str, str] = {}
    for field, headers in _ARGUMENT_HEADERS.items():
        if field in mapped or field not in todo.columns or not todo[field].notna().any():
            continue
        free = [h for h in headers if h.casefold() not in taken]
        if not free:
            raise InputError(
                f"The retry file needs a column for the {field} the run was given, and the "
                f"sheet uses each of its names ({', '.join(headers)}) for something else; "
                "rename one of those columns."
            )
        out[free[0]] = field
    return out


def _fill_from_arguments(
    todo: pd.DataFrame, layout: pd.DataFrame, column_map: Mapping[str, str]
) -> None:
    """Empty cells of the sheet's own columns that an argument gave a meaning get it written
    in the retry file, which is run without the argument: the label ``label=`` filled in
    (else those rows would be linked unlabeled), ``remove`` where ``remove_blank=True`` read
    an empty limit cell as a removal (else the row would not be sent)."""
    for header, field in column_map.items():
        if header not in layout.columns or field not in todo.columns:
            continue
        cells = layout[header].astype("string").str.strip()
        empty = cells.isna() | (cells == "")
        if field in _ARGUMENT_HEADERS:
            filled, values = empty & todo[field].notna(), todo[field].astype(str)
        elif field == "max_to_object_ids" and "remove" in todo.columns:
            filled = empty & todo["remove"].astype("boolean").fillna(False).astype(bool)
            values = pd.Series("remove", index=todo.index)
        else:
            continue
        if filled.any():
            layout[header] = layout[header].astype(object)
            layout.loc[filled, header] = values[filled]


def _whole_records(result: pd.DataFrame, needed: pd.Series) -> pd.Series:
    """A sync's rows still to do, widened to every sheet row of their records: a sync is scoped
    by record, so a retry file of the failed rows alone, synced with removals, would remove
    everything else the sheet keeps for those records.  Records are told by the object the sync
    compared (:func:`_record_keys`), and the widening goes on through the other direction
    (:func:`_kept_records`): a row of the other direction keeps an association of a record
    the file keeps whole, so it is kept too, and with it every row of its own record.  Before,
    a record's rows writing a custom object another way, and the other direction's rows
    keeping its associations, were left out, and syncing the file removed what they keep."""
    if "change" not in result.columns or "from_id" not in result.columns:  # not a sync
        return needed
    from_keys = _record_keys(result, "from")
    to_keys = _record_keys(result, "to")
    pointing = to_keys.where(from_sheet(result).to_numpy(dtype=bool))  # sheet rows only
    records = _kept_records(from_keys.tolist(), pointing.tolist(), set(from_keys[needed].dropna()))
    return needed | from_keys.isin(records).fillna(False).astype(bool)


def _record_keys(result: pd.DataFrame, side: str) -> pd.Series:
    """Each row's record on ``side`` (``from`` or ``to``) as ``object\0id``, the object as
    the sync compared it (:data:`~hubframe.constants.SYNC_OBJECTS`: ``p_installations`` and
    ``2-7350001`` are one), else as written (a result whose attrs are gone); NA where the row
    names none."""
    type_column, id_column = f"{side}_type", f"{side}_id"
    if type_column not in result.columns or id_column not in result.columns:
        return pd.Series(pd.NA, index=result.index, dtype="string")
    found = meta(result).get(SYNC_OBJECTS)
    objects = dict(found) if isinstance(found, Mapping) else {}
    written = result[type_column].astype("string")
    spelled = written.map(lambda t: objects.get(t, t), na_action="ignore").astype("string")
    return spelled + "\0" + result[id_column].astype("string")


def _kept_records(from_keys: list[Any], to_keys: list[Any], records: set[str]) -> set[str]:
    """``records`` and every record a sheet row of one of them names from the other side (a
    row ``from_keys[i]`` -> ``to_keys[i]`` whose target is kept), and theirs in turn: a record
    the retry file keeps whole is in its sync's scope, and the rows of the other direction
    that keep its associations must be in the file (and their records whole) or the sync
    removes what they keep."""
    pointing: dict[str, list[str]] = {}
    for source, target in zip(from_keys, to_keys, strict=True):
        if isinstance(source, str) and isinstance(target, str):
            pointing.setdefault(target, []).append(source)
    found = set(records)
    queue = list(records)
    while queue:
        for other in pointing.get(queue.pop(), ()):
            if other not in found:
                found.add(other)
                queue.append(other)
    return found


def _todo(result: pd.DataFrame, limit: CellLimit) -> pd.DataFrame:
    """The result's rows still to do, numbered from 0 (one per source row, or a few when the
    ids of its list still to do have different labels, or its list cells would be too long
    for ``limit``: an Excel cell, in a ``.xlsx`` file)."""
    needed = _whole_records(result, retry_rows(result))
    todo = _rejoin_split_cells(result, needed & from_sheet(result), limit)
    todo = _own_labels(result, _with_rowless_records(result, needed, todo))
    return todo.assign(**{_FORMULA_LABEL: _formula_labels(result, todo)})


#: The private column of the rows still to do saying whether the run read the row's label cell
#: as a formula without its value or an error, had it text reading as one (:func:`_layout`).
_FORMULA_LABEL: Final = "_formula_label"


def _formula_labels(result: pd.DataFrame, todo: pd.DataFrame) -> pd.Series:
    """For each row of ``todo``, whether a label cell of its reading like a formula or an error
    (``=B2``, ``#N/A``) was one to the run: every such cell but those the read took as text
    (:data:`~hubframe.constants.LITERAL_LABELS`: a workbook's text cell, a CSV cell guarded
    with "'", a DataFrame's cell).  A result that does not say them (its attrs dropped by
    ``pd.concat``): see :func:`_unsaid_formulas`."""
    found = meta(result).get(LITERAL_LABELS)
    if not isinstance(found, list | tuple) or not {"sheet", "row"} <= set(todo.columns):
        _unsaid_formulas(todo)
        return pd.Series(False, index=todo.index, dtype=bool)
    literal = {(str(sheet), str(row)) for sheet, row in found}
    sheets = todo["sheet"].astype("string").fillna("").tolist()
    rows = todo["row"].astype("string").fillna("").tolist()
    marks = [(sheet, row) not in literal for sheet, row in zip(sheets, rows, strict=True)]
    return pd.Series(marks, index=todo.index, dtype=bool)


def _unsaid_formulas(todo: pd.DataFrame) -> None:
    """InputError naming the first row still to do whose label reads like a formula or an
    error when the result does not say whether its cell was one: a row refused (``invalid``)
    from a file's sheet (a DataFrame's cell, sheet "", is a value; a row sent passed
    validation, its label read as text).  Written as text, such a cell is read back as the
    label "=B2" and sent so; written as a formula, a label held as text would be run as one
    in Excel.  Nothing is written."""
    columns = {"label", "status", "sheet"}
    if not columns <= set(todo.columns):
        return
    labels = todo["label"].astype("string").fillna("")
    refused = (todo["status"].astype("string") == "invalid").fillna(False)
    from_file = (todo["sheet"].astype("string").fillna("") != "").fillna(False)
    for position in np.flatnonzero((refused & from_file).to_numpy(dtype=bool)):
        label = labels.iloc[position]
        if is_error_text(label):
            row = todo.iloc[position]
            raise InputError(
                f"The result does not say whether the label cell {shown(label)} of row "
                f"{row.get('row')} of sheet {shown(str(row['sheet']))} was a formula (or an error) "
                "or text that reads like one (pd.concat drops the attrs that say it, when the "
                "results' differ), so no retry file was written: a formula written as text "
                "would be sent as the label. Write each run's retry file from its own result."
            )


def _formula_cells(
    layout: pd.DataFrame, read_into: Mapping[str, str], todo: pd.DataFrame
) -> pd.DataFrame:
    """``layout`` with each label cell the run read as a formula without its value or an
    error (:func:`_formula_labels`) made a :class:`~hubframe.report.safety.SheetFormula`,
    written back as the formula or error it was: as text (``'=B2`` in a CSV, a workbook's
    text cell), it read back as the label "=B2", and the retry file sent the row so."""
    if _FORMULA_LABEL not in todo.columns:
        return layout
    flagged = todo[_FORMULA_LABEL].reindex(layout.index).fillna(False).astype(bool)
    for header in [h for h, f in read_into.items() if f == "label" and h in layout.columns]:
        cells = layout[header]
        marks = [
            bool(flag) and isinstance(cell, str) and is_error_text(cell)
            for flag, cell in zip(flagged.tolist(), cells.tolist(), strict=True)
        ]
        if any(marks):
            written = cells.astype(object).tolist()
            layout[header] = pd.Series(
                [SheetFormula(c) if m else c for c, m in zip(written, marks, strict=True)],
                index=layout.index,
                dtype=object,
            )
    return layout


#: The cells of a pair a row without targets leaves empty (see :func:`_with_rowless_records`).
_TARGET_FIELDS: Final = ("to_id", "label", "category", "type_id")


def _with_rowless_records(
    result: pd.DataFrame, needed: pd.Series, todo: pd.DataFrame
) -> pd.DataFrame:
    """``todo`` and, for a sync, a row without targets (its ``to_id`` empty) for each record
    whose removals are still to do but which no sheet row names: a record the sync took from an
    export's scope after the analyst deleted its last row.  Without it the retry file held
    nothing of the record, and syncing it removed nothing (the record was out of its scope)."""
    if "change" not in result.columns or not {"from_type", "from_id"} <= set(result.columns):
        return todo
    keys = _record_keys(result, "from")
    sheet_rows = from_sheet(result)
    named = set(keys[sheet_rows].dropna())
    rowless = needed & ~sheet_rows & ~keys.isin(named).fillna(False).astype(bool)
    if not rowless.any():
        return todo
    pair = [c for c in ("from_type", "from_id", "to_type") if c in result.columns]
    extra = result.loc[rowless].drop_duplicates(subset=pair).copy()
    for field in [f for f in _TARGET_FIELDS if f in extra.columns]:
        extra[field] = pd.NA
    sheet = None
    if "sheet" in result.columns and result.loc[sheet_rows, "sheet"].notna().any():
        sheet = result.loc[sheet_rows, "sheet"].dropna().iloc[0]
    for header, field in sheet_map(result, sheet).items():  # the map of the sheet they go on
        if header in extra.columns and field in _TARGET_FIELDS and header not in _TARGET_FIELDS:
            extra[header] = pd.NA
    if sheet is not None:
        extra["sheet"] = sheet
    if "row" in extra.columns:
        extra["row"] = pd.NA
    return pd.concat([todo, extra], ignore_index=True)


def _own_labels(result: pd.DataFrame, todo: pd.DataFrame) -> pd.DataFrame:
    """``todo`` with the labels a limits run filled in from the portal (rows that gave a type id
    only) taken out again: the retry file keeps the analyst's empty cell, as it keeps every
    other cell, rather than a label name the sheet did not hold."""
    named = meta(result).get(PORTAL_LABELS)
    if not named or "label" not in todo.columns or not {"sheet", "row"} <= set(todo.columns):
        return todo
    keys = {(str(sheet), row_key(row)) for sheet, row in named}
    rows = zip(todo["sheet"].astype("string"), todo["row"].tolist(), strict=True)
    filled = [(str(sheet), row_key(row)) in keys for sheet, row in rows]
    if not any(filled):
        return todo
    todo = todo.copy()
    todo["label"] = todo["label"].astype("string").mask(pd.Series(filled, index=todo.index))
    return todo


def _layout(
    todo: pd.DataFrame, columns: list[str], fields: _Fields
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows of ``todo`` in the layout of a sheet with ``columns`` (frame names), and which
    of its headers hold a field the run read (``fields.column_map`` limited to them, with the
    columns the fields no header gave and an argument's values are written in)."""
    todo = todo.copy(deep=False)
    todo.attrs = {}  # pandas deep-copies attrs into each column taken out: 16,000 columns, O(n^2)
    lost = dict(fields.lost)
    built: dict[str, Any] = {f: lost.pop(f) for f in [f for f in lost if f in _KEY_FIELDS]}
    blank = pd.Series(pd.NA, index=todo.index)
    for name in columns:  # the pair's columns first, then the sheet's, then the fields lost
        built[name] = todo[name] if name in todo.columns else blank
    built |= lost
    layout = pd.DataFrame(built, index=todo.index)
    read_into = {h: f for h, f in fields.column_map.items() if h in layout.columns}
    read_into |= {name: name for name in fields.lost}
    layout, read_into = _marked(layout, read_into, fields.looked_up)
    taken = [str(c) for c in layout.columns]
    for header, field in _argument_columns(todo, taken, fields.column_map).items():
        layout[header] = todo[field].astype("string")
        read_into[header] = field
    _fill_from_arguments(todo, layout, read_into)
    types = {side: _one_value(todo, f"{side}_type") for side in ("from", "to")}
    layout, read_into = _read_back(layout, read_into, fields.kind, types)
    return _formula_cells(layout, read_into, todo), read_into


@dataclass(frozen=True)
class _Fields:
    """What the retry file's headers are read as: ``column_map`` (header -> field), the run's
    own; and for a result that lost it, the reader's, with the fields none of the sheet's
    headers gives (``lost``: field -> cells), written under the field's own name."""

    column_map: Mapping[str, str]
    lost: Mapping[str, pd.Series]
    looked_up: Mapping[str, str]  # side -> the unique property its cells are values of
    kind: Kind


def _looked_up(result: pd.DataFrame) -> dict[str, str]:
    """Side -> the unique property the run read that side's cells by (``to_id_property=``, a
    "Contact email" header): a run's result says it under ``looked_up``, a frame read and not
    yet run under ``id_properties``."""
    found = meta(result).get(LOOKED_UP) or meta(result).get(ID_PROPERTIES)
    if not isinstance(found, Mapping):
        return {}
    return {
        side: prop
        for side, prop in found.items()
        if side in ("from", "to") and isinstance(prop, str) and prop
    }


def _marked(
    layout: pd.DataFrame, read_into: Mapping[str, str], looked_up: Mapping[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``layout`` with the header of each side read by a unique property marked with it
    ("Contact ID [id property: code]"), unless the header says that property by itself
    ("Contact email"): read alone, the retry file would send the values as record ids."""
    names: dict[str, str] = {}
    for header, field_name in read_into.items():
        side = {"from_id": "from", "to_id": "to"}.get(field_name)
        prop = looked_up.get(side) if side is not None else None
        if prop is None or _reads_as(header, prop):
            continue
        if "]" in prop or "[" in prop:
            raise InputError(
                f"The retry file cannot say that the column {shown(header)} holds values of "
                f"{shown(prop)} (a property's name has no brackets), so none was written."
            )
        names[header] = marked_header(header, prop)
    return _renamed(layout, read_into, names)


def _renamed(
    layout: pd.DataFrame, read_into: Mapping[str, str], names: Mapping[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``layout`` with its headers renamed by ``names``, and ``read_into`` keyed as they are."""
    if not names:
        return layout, dict(read_into)
    return layout.rename(columns=names), {names.get(h, h): f for h, f in read_into.items()}


def _read_back(
    layout: pd.DataFrame,
    read_into: Mapping[str, str],
    kind: Kind,
    types: Mapping[str, str | None],
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``layout`` with the header of each column the run read as a field that a read of the
    file would not take for it (a column chosen with ``columns=`` or in the app's dropdowns:
    "Replacement" for the contact ids beside "Contact ID", a label column "Their part") marked
    with that field ("Replacement [to_id]", :func:`~hubframe.io.aliases.field_marked`), which
    the reader takes for it before any other.  Read alone (and with the run's object types
    given again), the file then reads each field from the column the run read it from; when no
    mark can make it so, InputError and nothing is written."""
    names: dict[str, str] = {}
    while True:
        wrong, extra = _read_otherwise(layout, read_into, names, kind, types)
        if not wrong and not extra:
            wrong = _refused_unmarked(layout, read_into, names, kind, types)
            if not wrong:
                break
        if all(h in names for h in wrong):  # nothing more to mark
            if _refused_outright(layout, names, kind, types):
                # read back, it is refused as the sheet would be: nothing silent; unmarked
                # when the headers as they are are refused too
                names = {} if _refused_outright(layout, {}, kind, types) else names
                break
            raise InputError(_unreadable(wrong, read_into, extra))
        names |= {h: field_marked(h, read_into[h]) for h in wrong}
    return _renamed(layout, read_into, names)


def _refused_outright(
    layout: pd.DataFrame,
    names: Mapping[str, str],
    kind: Kind,
    types: Mapping[str, str | None],
) -> bool:
    """True when a read of ``layout``'s headers (renamed by ``names``, its first cells as the
    sample) is refused, read alone and with the rows' object types given: such a file says
    what is wrong when it is read (nothing silent), and is written."""
    return all(_fields_of(layout, names, kind, reads) is None for reads in _type_reads(types))


def _type_reads(types: Mapping[str, str | None]) -> list[dict[str, str]]:
    """The reads a retry file is checked by: with the rows' object types given again (when
    they have one type a side), then alone."""
    given = {f"{side}_type": t for side, t in types.items() if t}
    return [given, {}] if given else [{}]


def _fields_of(
    layout: pd.DataFrame, names: Mapping[str, str], kind: Kind, reads: Mapping[str, str]
) -> dict[str, str] | None:
    """What :func:`fields_read` takes from ``layout``'s headers renamed by ``names`` (header
    -> field), its first cells as the sample; None when it refuses them."""
    headers = [names.get(str(h), str(h)) for h in layout.columns]
    cells = dict(zip(headers, (layout.iloc[:, i] for i in range(layout.shape[1])), strict=True))

    def sample(header: str) -> list[str]:
        return [one_cell_text(c) for c in cells[header].head(SAMPLE_CELLS).tolist()]

    try:
        return fields_read(headers, kind, sample=sample, **reads).column_map
    except HeaderError:
        return None


def _read_otherwise(
    layout: pd.DataFrame,
    read_into: Mapping[str, str],
    names: Mapping[str, str],
    kind: Kind,
    types: Mapping[str, str | None],
) -> tuple[list[str], dict[str, str]]:
    """The headers of ``read_into`` whose field a read of ``layout`` (its headers renamed by
    ``names``) takes from another column or from none, read with the rows' object types given
    and read alone (every one of them when the headers do not tell with the types given:
    several columns could hold a field; read alone, that read is refused, as such a file is
    until the types are given again); and the headers such a read takes for a field the run
    read from no column (header -> field: no mark helps there)."""
    wrong: dict[str, None] = {}
    extra: dict[str, str] = {}
    fields = set(read_into.values())
    tried = _type_reads(types)
    for reads in tried:
        read = _fields_of(layout, names, kind, reads)
        if read is None:
            if reads or len(tried) == 1:  # alone, with the types given elsewhere: refused
                wrong |= dict.fromkeys(read_into)
            continue
        wrong |= dict.fromkeys(h for h, f in read_into.items() if read.get(names.get(h, h)) != f)
        extra |= {h: f for h, f in read.items() if f not in fields}
    return list(wrong), extra


def _refused_unmarked(
    layout: pd.DataFrame,
    read_into: Mapping[str, str],
    names: Mapping[str, str],
    kind: Kind,
    types: Mapping[str, str | None],
) -> list[str]:
    """The headers of ``read_into`` to mark besides those a read takes wrongly, by what the
    reader does with the file's first rows: a column the run chose with ``columns=`` is exempt
    from the reader's refusals of a column left unread beside it ("Deal ID" beside the chosen
    "Associated Contact IDs"), and so is a marked one.  Every one not marked yet when the
    reader refuses the file but not the file with every column marked (else its refusal says
    what is wrong, as it said it of the sheet: a file refused is nothing silent); the ones it
    takes for another field otherwise."""
    head = layout.head(SAMPLE_CELLS).astype(object)
    unmarked = [h for h in read_into if h not in names]
    for reads in _type_reads(types):
        found = _column_map_read(head, names, kind, reads)
        if found is None:
            every = {**names, **{h: field_marked(h, read_into[h]) for h in unmarked}}
            if unmarked and _column_map_read(head, every, kind, reads) is not None:
                return unmarked  # marked, the reader takes it: refused unmarked for them
            continue
        wrong = [h for h, f in read_into.items() if found.get(names.get(h, h)) != f]
        if wrong:
            return wrong
    return []


def _column_map_read(
    head: pd.DataFrame, names: Mapping[str, str], kind: Kind, types: Mapping[str, str]
) -> dict[str, str] | None:
    """The ``column_map`` the reader takes from ``head`` with its headers renamed by ``names``
    (None: the reader refuses it)."""
    frame = head.set_axis([names.get(str(h), str(h)) for h in head.columns], axis=1)
    from_type, to_type = types.get("from_type"), types.get("to_type")
    try:
        with warnings.catch_warnings():  # a check: what the read notes is said when it is run
            warnings.simplefilter("ignore")
            if kind == "pairs":
                read = read_pairs(frame, from_type=from_type, to_type=to_type)
            else:
                read = read_limits(frame, from_type=from_type, to_type=to_type)
    except InputError:
        return None
    return dict(meta(read).get("column_map") or {})


def _unreadable(wrong: list[str], read_into: Mapping[str, str], extra: Mapping[str, str]) -> str:
    said = [f"would not take {shown(h)} for {read_into[h]}" for h in wrong]
    said += [
        f"would take {shown(h)} for {f}, which the run read from no column"
        for h, f in extra.items()
    ]
    return (
        "The retry file would not be read as the run read the sheet (a read of its headers "
        f"{'; '.join(said)}), so none was written: rename the sheet's columns so that each "
        "says what it holds (or delete those the run did not read), and run again."
    )


def _reads_as(header: str, prop: str) -> bool:
    """Whether ``header`` read alone names values of ``prop``: a header the reader maps to it
    ("Contact email", "Domain") without a mark, or one marked with it."""
    _, marked = property_mark(header)
    if marked is not None:
        return marked == prop
    typed = PROPERTY_HEADERS.get(header_key(header))
    return typed is not None and typed.id_property == prop


#: The fields that say which records (pairs) or object pair (limits) a row is about.
_KEY_FIELDS: Final = ("from_type", "from_id", "to_type", "to_id")
_NEEDED: Final[Mapping[str, tuple[str, ...]]] = {
    "pairs": _KEY_FIELDS,
    "limits": ("from_type", "to_type", "max_to_object_ids"),
}


def _read_fields(
    result: pd.DataFrame, todo: pd.DataFrame, columns: list[str]
) -> tuple[pd.DataFrame, _Fields]:
    """Which headers of the retry file hold which field: the run's ``column_map``, or when
    the result lost its attrs (see :func:`_lost_attrs`) what a read of the file takes; and
    ``todo`` without the labels a limits run named from the portal (:func:`_own_labels`)."""
    column_map = meta(result).get("column_map")
    if column_map is not None:
        return todo, _Fields(dict(column_map), {}, _looked_up(result), _kind(result))
    kind = _kind(result)
    fields = _lost_attrs(todo, columns, kind)
    if kind == "limits":
        todo = _given_by_type_id(todo, fields.column_map)
    return todo, fields


def _given_by_type_id(todo: pd.DataFrame, column_map: Mapping[str, str]) -> pd.DataFrame:
    """``todo`` without the labels of the rows whose type id cell the file keeps: a limits
    result names the portal's label of a row given by type id alone, and the attrs that say
    which rows (:func:`_own_labels`) are gone.  The type id says the label: the sheet's empty
    label cell is kept, as the run's own retry file keeps it."""
    headers = [h for h, f in column_map.items() if f == "type_id" and h in todo.columns]
    if not headers or "label" not in todo.columns:
        return todo
    given = _text(todo[headers[0]]).notna().to_numpy(dtype=bool)
    if not given.any():
        return todo
    todo = todo.copy()
    todo["label"] = todo["label"].astype("string").mask(given)
    return todo


def _kind(result: pd.DataFrame) -> Kind:
    limits = meta(result).get("kind") == "limits" or "from_id" not in result.columns
    return "limits" if limits else "pairs"


def _lost_attrs(todo: pd.DataFrame, columns: list[str], kind: Kind) -> _Fields:
    """A result whose attrs are gone (``pd.concat`` drops them when the runs' differ, as
    they do) does not say which of its columns the run read, nor which fields it was given
    as arguments.  The file's headers are read as the reader reads them
    (:func:`~hubframe.io.columns.fields_read`: the mapping ``read_pairs`` applies to the file),
    and each field the run needs that none of them gives is written as a column of its own
    from the result's values: an id or type the run took from an argument or from a column
    named as hubframe names it (``from_id``, which the result's own column stands for), a
    label given as an argument (:func:`_argument_columns`), the type id of a row given by
    type id alone.  So the file run alone does what the run meant."""
    mapping = _mapping_of(todo, columns, kind)
    read = mapping.columns
    lost: dict[str, pd.Series] = {}
    for name in _NEEDED[kind]:
        side = name.split("_")[0]
        implied = name.endswith("_type") and side in mapping.implied_types
        if name not in read and not implied and name in todo.columns:
            lost[name] = _text(todo[name])
    if kind == "pairs":  # a limits result names the label of a row given by type id
        lost |= _type_id_rows(todo, read)
    return _Fields(mapping.column_map, lost, {}, kind)


def _text(cells: pd.Series) -> pd.Series:
    text = cells.astype("string")
    return text.where(text.str.strip() != "")


def _type_id_rows(todo: pd.DataFrame, read: Mapping[str, str]) -> dict[str, pd.Series]:
    """The type id (and category) of the pairs given by type id alone, where no header of
    the file holds them: without it, such a row would be sent unlabeled."""
    if "type_id" in read or "type_id" not in todo.columns:
        return {}
    unlabeled = _text(todo["label"]).isna() if "label" in todo.columns else True
    by_id = (_text(todo["type_id"]).notna() & unlabeled).fillna(False).astype(bool)
    if not by_id.any():
        return {}
    out = {"type_id": _text(todo["type_id"]).where(by_id)}
    if "category" not in read and "category" in todo.columns:
        out["category"] = _text(todo["category"]).where(by_id)
    return out


def _mapping_of(todo: pd.DataFrame, columns: list[str], kind: Kind) -> ColumnMapping:
    """What a read of a file with ``columns`` takes from them (the rows' object types pick
    among headers naming objects, as the run's arguments did); InputError when the headers
    are ambiguous."""

    def sample(header: str) -> list[str]:
        cells = todo[header].head(SAMPLE_CELLS).tolist() if header in todo.columns else []
        return [one_cell_text(c) for c in cells]

    types = {side: _one_value(todo, f"{side}_type") for side in ("from", "to")}
    try:
        return fields_read(
            columns, kind, from_type=types["from"], to_type=types["to"], sample=sample
        )
    except HeaderError as exc:
        raise InputError(
            "This result table has lost its attrs (pandas drops them, as pd.concat of the "
            "results of two runs does), so which of its columns the run read is told by their "
            f"names only, and they do not tell ({exc.detail}). The retry file might not do what "
            "the run meant, so none was written: write each run's retry file from its own "
            "result, before putting the results together."
        ) from None


def _one_value(todo: pd.DataFrame, column: str) -> str | None:
    if column not in todo.columns:
        return None
    values = todo[column].dropna().unique()
    return str(values[0]) if len(values) == 1 else None


def _own_sheets(result: pd.DataFrame, todo: pd.DataFrame) -> dict[str, list[str]] | None:
    """Each sheet's own columns (frame names, in its order) when the rows to do come from a
    read of several sheets that says them; None otherwise."""
    found = meta(result).get("sheet_columns")
    if not isinstance(found, Mapping) or len(found) < 2 or "sheet" not in todo.columns:
        return None
    sheets = set(todo["sheet"].astype("string").dropna())
    if not sheets <= set(found):
        return None
    return {str(k): [str(c) for c in v] for k, v in found.items()}


@dataclass(frozen=True)
class _Part:
    """Rows of the retry file that one header reads as the run read them, in their layout (its
    index the rows still to do's), and which of its headers hold which field: a source
    sheet's rows, or -- where a sheet's rows were read in several directions and no column
    says each row's object types -- those of one ``direction`` (the results of runs put
    together with ``pd.concat``, whose rows are all of sheet "": one run read ``Deal ID |
    Contact ID``, the next ``Contact ID | Deal ID``)."""

    sheet: str
    layout: pd.DataFrame
    read_into: dict[str, str]
    direction: ObjectPair | None = None

    @property
    def said(self) -> str:
        """The part in a message: its sheet's name, or its rows' direction."""
        if self.direction is None:
            return shown(self.sheet)
        rows = f"the rows of {shown(self.sheet)}" if self.sheet else "the rows"
        return f"{rows} read {_arrow(self.direction)}"


def _arrow(direction: ObjectPair) -> str:
    return f"{direction.from_type} -> {direction.to_type}"


def _says_types(read_into: Mapping[str, str]) -> bool:
    """A column of the file says each row's object types (then one header reads rows of any
    direction as the run read them)."""
    return bool({"from_type", "to_type"} & set(read_into.values()))


def _retry_tables(result: pd.DataFrame) -> list[_Part]:
    """The rows still to do (their layouts as written): one table per sheet of a read of
    several sheets, each with that sheet's own columns only (a column of another sheet would
    be read as a second label or limit column, and refused), else one table in the sheet's
    layout per sheet the rows name, and per direction where a sheet's rows were read in
    several (:func:`_directed_parts`).  With nothing left to do, each sheet's header alone, which
    reads back as its sheet (the union of the sheets' columns under one header would read as
    two label or limit columns)."""
    todo = _todo(result, XLSX_CELLS)
    parts = [replace(p, layout=_written(result, p.layout)) for p in _parts(result, todo)]
    return [p for p in parts if len(p.layout)] or parts


def _parts(result: pd.DataFrame, todo: pd.DataFrame) -> list[_Part]:
    """The parts (:class:`_Part`) of the rows still to do: each sheet's of a read of several
    sheets that says them, in its own layout; else each sheet's, and each direction's where
    its rows were read in several, in the sheet's layout."""
    own = _own_sheets(result, todo)
    if own is None:
        return _plain_parts(result, todo)
    column_map = meta(result).get("column_map")
    maps = sheet_maps(result)
    return list(_sheet_layouts(todo, own, column_map, maps, _looked_up(result), _kind(result)))


def _plain_parts(result: pd.DataFrame, todo: pd.DataFrame) -> list[_Part]:
    """The parts of rows in one layout (a read of one sheet, or results put together): one
    per sheet the rows name, in order, each read by its own rows' fields
    (:func:`_read_fields`), and split by direction where need be (:func:`_directed_parts`)."""
    columns = original_columns(result)
    sheets = pd.Series(todo.get("sheet", pd.NA), index=todo.index, dtype="string").fillna("")
    names = list(dict.fromkeys(sheets))
    if not names:  # nothing left to do: the sheet's header alone
        return [_part(result, todo, columns, "")]
    if len(names) == 1:
        return _directed_parts(result, todo, columns, names[0])
    return [
        part
        for name in names
        for part in _directed_parts(result, todo.loc[(sheets == name).to_numpy()], columns, name)
    ]


def _part(
    result: pd.DataFrame,
    rows: pd.DataFrame,
    columns: list[str],
    sheet: str,
    direction: ObjectPair | None = None,
) -> _Part:
    """``rows`` of ``sheet`` in the sheet's layout, their fields read as :func:`_read_fields`
    says; the rows of one ``direction`` of a result that lost its column map with its id
    columns in their direction's order (:func:`_in_read_order`)."""
    rows, fields = _read_fields(result, rows, columns)
    if direction is not None and meta(result).get("column_map") is None:
        columns = _in_read_order(columns, fields.column_map)
    layout, read_into = _layout(rows, columns, fields)
    return _Part(sheet, layout, read_into, direction)


def _in_read_order(columns: list[str], column_map: Mapping[str, str]) -> list[str]:
    """``columns`` with the ``from_id`` column before the ``to_id`` one, as a read without
    the types given takes them: a result that lost its attrs does not say the order of each
    run's sheet (its columns are the first run's order), and a sheet per direction reads
    like that direction's sheet ("Contact ID | Deal ID") rather than with its headers marked
    ("Deal ID [to_id] | Contact ID [from_id]")."""
    sides = {f: h for h, f in column_map.items() if f in ("from_id", "to_id") and h in columns}
    if len(sides) < 2:
        return columns
    at = {side: columns.index(header) for side, header in sides.items()}
    if at["from_id"] < at["to_id"]:
        return columns
    swapped = list(columns)
    swapped[at["from_id"]], swapped[at["to_id"]] = sides["to_id"], sides["from_id"]
    return swapped


def _directed_parts(
    result: pd.DataFrame, rows: pd.DataFrame, columns: list[str], sheet: str
) -> list[_Part]:
    """``rows`` (``sheet``'s) as one part, or one part per direction when they were read in
    several and no column says each row's object types: a header order reads its ids one way
    only.  Before, the rows of results put together were written under the first run's
    layout, and read back a second run's contacts -> deals rows went deals -> contacts (a
    label whose inverse is another label applied as that one).  Each row's direction is its
    own ``from_type`` and ``to_type`` (a result that lost its attrs says nothing else of
    it)."""
    directions = _directions(result, rows)
    if len(directions) > 1:
        split = [
            _part(result, rows.iloc[at], columns, sheet, direction)
            for direction, at in directions.items()
        ]
        if not all(_says_types(p.read_into) for p in split):
            return split
    return [_part(result, rows, columns, sheet)]


def _directions(result: pd.DataFrame, rows: pd.DataFrame) -> dict[ObjectPair, list[int]]:
    """The directions of ``rows`` (object types as a sync compared them,
    :data:`~hubframe.constants.SYNC_OBJECTS`; ``?`` for a side a row does not name) and the
    positions of each one's rows, in order; none when the rows name one pair of types."""
    if not {"from_type", "to_type"} <= set(rows.columns):
        return {}
    if len(rows[["from_type", "to_type"]].drop_duplicates()) <= 1:
        return {}  # one direction (as a run's own result): none to tell apart
    found = meta(result).get(SYNC_OBJECTS)
    objects = dict(found) if isinstance(found, Mapping) else {}
    sides = [
        [objects.get(t, t) if isinstance(t, str) and t else "?" for t in _plain(rows[column])]
        for column in ("from_type", "to_type")
    ]
    positions: dict[ObjectPair, list[int]] = {}
    for at, pair in enumerate(zip(*sides, strict=True)):
        positions.setdefault(ObjectPair(*pair), []).append(at)
    return positions


def _plain(cells: pd.Series) -> list[object]:
    """``cells`` as Python values, a missing one None."""
    return cells.astype(object).where(cells.notna(), None).tolist()


def _sheet_layouts(
    todo: pd.DataFrame,
    own: Mapping[str, list[str]],
    column_map: Mapping[str, str] | None,
    sheet_maps: Mapping[str, Mapping[str, str]] | None,
    looked_up: Mapping[str, str],
    kind: Kind,
) -> Iterator[_Part]:
    """Each sheet's rows of ``todo`` in that sheet's own layout (:func:`_layout` with its
    columns and its own column map, ``sheet_column_maps``: the read's ``column_map`` is the
    union of the sheets', in which the last sheet wins a header they share, and a sheet
    "Contact ID | Company ID" read beside a sheet "Company ID | Contact ID" was written with
    marks that read its ids the other way round; without them, the part of ``column_map``
    its columns hold), in the order of ``own``; a sheet with no rows to do gives an empty
    layout."""
    labels = todo["sheet"].astype("string")
    for name, mine in own.items():
        rows = todo.loc[(labels == name).fillna(False).to_numpy(dtype=bool)]
        given = (sheet_maps or {}).get(name)
        source = column_map if given is None else given
        maps = {h: f for h, f in (source or {}).items() if h in mine}
        layout, read_into = _layout(rows, mine, _Fields(maps, {}, looked_up, kind))
        yield _Part(name, layout, read_into)


def _one_table(result: pd.DataFrame) -> pd.DataFrame:
    """The rows still to do as one table (a ``.csv`` file), when one header reads them all as
    the run read them (:func:`_csv_sheets`).  Parts that name a field by different headers
    (``Label`` here, ``Association label`` there) put it under the first part's header: two
    label or limit columns would be refused when read back."""
    todo = _todo(result, CSV_CELLS)
    parts = _csv_sheets(todo, _parts(result, todo))
    if len(parts) == 1:
        return _written(result, parts[0].layout)
    first: dict[str, str] = {}  # field -> the header it is written under
    frames: list[pd.DataFrame] = []
    for part in parts:
        for header, field in part.read_into.items():
            first.setdefault(field, header)
        frames.append(part.layout.rename(columns={h: first[f] for h, f in part.read_into.items()}))
    return _written(result, pd.concat(frames).sort_index())


def _csv_sheets(todo: pd.DataFrame, parts: list[_Part]) -> list[_Part]:
    """The parts a ``.csv`` retry file puts under one header: all of them, or those with rows
    to do when only parts without any disagree with the others.  Parts with rows that read a
    shared header as different fields ("Contact ID | Company ID" on one sheet, "Company ID |
    Contact ID" on the next; the rows of one direction and of the other, :class:`_Part`), or
    whose rows are of different object pairs while no column says the types, cannot share one
    header: a read of the file would take one part's rows the other way round (its from and to
    swapped, a label of one direction sent in the other), or one sheet's ids as another
    object's.  InputError naming the parts, and nothing is written: a ``.xlsx`` retry file
    writes each part on a sheet of its own, with its own columns."""
    if _disagreement(todo, parts) is None:
        return parts
    with_rows = [part for part in parts if len(part.layout)]
    found = _disagreement(todo, with_rows)
    if found is None:
        return with_rows or parts[:1]  # nothing left to do: the first sheet's header
    first, other, what = found
    if first.direction is None and other.direction is None:
        both = f"The sheets {first.said} and {other.said}"
    else:
        said = f"{first.said} and {other.said}"
        both = said[:1].upper() + said[1:]
    raise InputError(
        f"{both} cannot share the one header of a .csv retry file ({what}): read back, the "
        "rows of one of them would not be read as the run read them, so none was written. "
        "Write the retry file as .xlsx instead (one sheet per source sheet, and per direction "
        "where a sheet's rows were read in several, each with its own columns; read it back "
        "with sheet=\"*\" / --sheet '*')."
    )


def _bare(header: str) -> str:
    """``header`` without the marks a retry file adds (a property's, a field's)."""
    base, _ = property_mark(header)
    bare, _ = field_mark(base)
    return bare


def _disagreement(todo: pd.DataFrame, parts: list[_Part]) -> tuple[_Part, _Part, str] | None:
    """Two of the parts whose rows one header cannot read as each part's were read, and why;
    None when they agree (see :func:`_csv_sheets`)."""
    fields: dict[str, tuple[_Part, str]] = {}  # header, marks left out -> its first part, field
    for part in parts:
        for header, field in part.read_into.items():
            seen, said = fields.setdefault(_bare(header), (part, field))
            if said != field:
                return (
                    seen,
                    part,
                    (
                        f"the column {shown(_bare(header))} holds the {said} of {seen.said} and "
                        f"the {field} of {part.said}"
                    ),
                )
    if any(_says_types(part.read_into) for part in parts):
        return None  # a column says each row's object types
    known: tuple[_Part, str, str] | None = None  # the first part with rows of one object pair
    for part in parts:
        rows = todo.loc[part.layout.index]
        from_type, to_type = _one_value(rows, "from_type"), _one_value(rows, "to_type")
        if from_type is None or to_type is None:
            continue
        if known is None:
            known = (part, from_type, to_type)
        elif known[1:] != (from_type, to_type):
            types = (
                ""  # the parts say their directions
                if known[0].direction and part.direction
                else f"its rows are {known[1]} -> {known[2]} on {known[0].said} and "
                f"{from_type} -> {to_type} on {part.said}, and "
            )
            return known[0], part, f"{types}no column says each row's types"
    return None


def _written(result: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """``layout`` numbered from 0, with the headers as the sheet wrote them (repeats, empty
    ones, "status" included)."""
    layout = layout.reset_index(drop=True)
    written = meta(result).get("written_headers") or {}
    layout.columns = pd.Index([_as_written(str(c), written) for c in layout.columns], dtype=object)
    return layout


def _as_written(name: str, written: Mapping[str, str]) -> str:
    """A column's header as the sheet wrote it; a header marked with a property
    (:func:`_marked`) or a field (:func:`_read_back`) is the written header, marked."""
    if name in written:
        return str(written[name])
    base, prop = property_mark(name)
    bare, field = field_mark(base)
    if bare not in written or (prop is None and field is None):
        return name
    header = str(written[bare])
    header = header if field is None else field_marked(header, field)
    return header if prop is None else marked_header(header, prop)


def holds_removals(result: pd.DataFrame) -> bool:
    """True when the rows ``result`` leaves to do are removals (an undo's, a remove's): their
    retry file is run with ``hubframe remove``, never ``associate``, which would link them."""
    if "action" not in result.columns:
        return False
    actions = result.loc[retry_rows(result) & from_sheet(result), "action"].astype("string")
    return bool(len(actions)) and bool(actions.isin(["archive", "archive_labels"]).all())


#: The characters of an Excel sheet's title.
_TITLE_CHARS: Final = 31


class RowsByDirection(HubframeWarning):
    """A retry workbook has a sheet per direction for rows of one source sheet that were read
    in several (the results of runs put together with ``pd.concat``), each sheet read back as
    its rows were: the file is read whole with ``sheet="*"`` (``--sheet '*'``)."""


def _retry_sheets(result: pd.DataFrame, parts: list[_Part]) -> list[Table]:
    """The retry workbook's sheets, one per part (:func:`_retry_tables`): one alone is named
    like its source sheet (or ``Retry``), several each like theirs, with their direction
    where a sheet's rows were read in several (:func:`_title`); an undo's or a remove's
    rows on sheets named ``To remove``."""
    source = str(meta(result).get("source", ""))
    from_excel = source.lower().endswith((".xlsx", ".xlsm"))
    removals = holds_removals(result)
    if len(parts) <= 1:
        name, table = (parts[0].sheet, parts[0].layout) if parts else ("", pd.DataFrame())
        title = REMOVALS_SHEET if removals else name if name and from_excel else "Retry"
        return [Table(title, table)]
    return [Table(_title(part, removals), part.layout) for part in parts]


def _title(part: _Part, removals: bool) -> str:
    """The title of ``part``'s sheet among several: its source sheet's name (``To remove -
    NAME`` for removals), and its direction after it where its sheet's rows are split so
    ("Retry (contacts -> deals)" for a DataFrame's rows; "To remove (companies→contacts)"
    where the arrow would not fit in Excel's 31 characters), the name cut to leave room for
    it; the workbook cuts a title still past them (a custom object's long name), and the
    warning names the titles as written (:func:`_warn_directions`)."""
    name = part.sheet
    if part.direction is None:
        return f"{REMOVALS_SHEET} - {name}" if removals else name
    if removals:
        base = f"{REMOVALS_SHEET} - {name}" if name else REMOVALS_SHEET
    else:
        base = name or "Retry"
    suffix = f" ({_arrow(part.direction)})"
    if len(base) + len(suffix) > _TITLE_CHARS:  # "To remove (companies→contacts)": 30
        suffix = f" ({part.direction.from_type}→{part.direction.to_type})"
    return base[: max(len(REMOVALS_SHEET), _TITLE_CHARS - len(suffix))] + suffix


def _warn_directions(result: pd.DataFrame, parts: list[_Part], tables: list[Table]) -> None:
    """Say (:class:`RowsByDirection`) which sheet of the retry workbook holds the rows of each
    direction, when a sheet's rows were split so: read with the default ``sheet`` the file
    gives its first sheet's rows alone."""
    taken: set[str] = set()
    titles = [unique_title(t.title, taken) for t in tables]  # as the workbook names them
    split = [(p, t) for p, t in zip(parts, titles, strict=True) if p.direction is not None]
    if not split:
        return
    sheets = "; ".join(f"{p.said}: sheet {shown(t)}" for p, t in split)
    lost = (
        " (the result table does not say which columns each row was read from: pd.concat drops "
        "that with the attrs; each row's direction is its own from_type and to_type)"
        if meta(result).get("column_map") is None
        else ""
    )
    warnings.warn(
        RowsByDirection(
            f"The rows still to do were read in several directions{lost}, and one header reads "
            f"its ids in one direction only, so the retry file has a sheet per direction "
            f"({sheets}), each read back in its own. Read it with sheet=\"*\" (--sheet '*')."
        ),
        stacklevel=3,
    )


def _check_rows_to_send(result: pd.DataFrame) -> None:
    """InputError for a labels run's result (its ``kind``, or without attrs its
    ``inverse_label`` column): a labels run has no retry file, its sheet is run again."""
    labels = "inverse_label" in result.columns and "from_id" not in result.columns
    if meta(result).get("kind") == LABELS_KIND or labels:
        raise InputError(
            "a labels run has no retry file: run its labels sheet again (the labels done are "
            "not made twice)"
        )


def export_retry(result: pd.DataFrame, path: PathLike) -> Path:
    """Write the rows still to do in the layout of the uploaded sheet (``.xlsx`` or ``.csv``).

    Failed and invalid rows, and rows a stopped run never sent, with the analyst's columns in
    their original order and their original cell values, so ``read_pairs``/``read_limits``
    read the file back.  A cell that held several ids, emails or labels (``"1;2;3"``) keeps
    only the values of the pairs still to do, as the sheet wrote them (ids still to do with
    different labels on rows of their own; in a ``.xlsx`` file a list too long for an Excel
    cell goes on over several rows).  From a multi-sheet workbook the ``.xlsx`` retry file has
    one sheet per source sheet (read it back with ``sheet="*"``), and rows of one sheet read
    in several directions (results put together with ``pd.concat``: every row of sheet "")
    with no column saying each row's types have one sheet per direction, ``Retry (contacts
    -> deals)``, said by a :class:`RowsByDirection` warning; a ``.csv`` file of sheets or
    directions one header cannot read as their runs did is refused (InputError: write
    ``.xlsx``).  A sync's removals are not
    rows of the sheet and are left out, and from a sync every sheet row of each record with
    something still to do is kept (a sync is scoped by record: synced again, the file keeps
    what the sheet keeps and plans the removals still to do).  Returns the path written;
    InputError for a path ``result`` was read from (its sheet), left as it was.
    """
    check_result(result)
    _check_rows_to_send(result)
    target, suffix = target_path(path, result, "retry file")
    result = plain_cells(result.copy(deep=False))
    check_retry_target(target, lambda: whole_layouts(result), sheet_names(result))
    if suffix == ".csv":
        write_csv(_one_table(result), target)
        return target
    parts = _retry_tables(result)
    tables = _retry_sheets(result, parts)
    write_tables(target, tables, build_last=mark_retry)
    _warn_directions(result, parts, tables)
    return target


def whole_layouts(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The retry files of ``frame`` (a result, or a sheet read and not yet run) were every
    row of its sheet still to do: the ``.csv`` table and each ``.xlsx`` sheet.  A file whose
    header is one of theirs and whose rows are theirs is a retry file of this sheet
    (:func:`~hubframe.report.overwrite.check_retry_target`)."""
    every = plain_cells(frame.copy(deep=False))
    every["status"] = "failed"
    found: list[pd.DataFrame] = []
    for layout in (_csv_layouts, _xlsx_layouts):
        try:
            found += layout(every)
        except InputError:  # no .csv layout (sheets that disagree), or none that can be written
            continue
    return found


def sheet_names(frame: pd.DataFrame) -> list[str]:
    """The names of the sheets ``frame``'s rows come from (a .csv sheet's: its file name)."""
    if "sheet" not in frame.columns:
        return []
    return [str(s) for s in frame["sheet"].astype("string").dropna().unique()]


def _csv_layouts(result: pd.DataFrame) -> list[pd.DataFrame]:
    return [_one_table(result)]


def _xlsx_layouts(result: pd.DataFrame) -> list[pd.DataFrame]:
    return [part.layout for part in _retry_tables(result)]
