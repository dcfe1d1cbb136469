"""export_retry: the rows still to do, in the layout of the sheet the analyst uploaded."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from hubframe.constants import PORTAL_LABELS
from hubframe.errors import InputError
from hubframe.io.cells import plain_cells
from hubframe.report.columns import check_result, from_sheet, meta, original_columns, retry_rows
from hubframe.report.excel import Table, write_tables
from hubframe.report.export import target_path, write_csv

PathLike = str | os.PathLike[str]

# --- Public: retry files -------------------------------------------------------------------------


def _split_id_columns(result: pd.DataFrame) -> dict[str, str]:
    """Original header -> normalized id column, for the headers that hold record ids."""
    column_map = meta(result).get("column_map") or {}
    return {
        str(header): str(canonical)
        for header, canonical in column_map.items()
        if canonical in ("from_id", "to_id") and header in result.columns
    }


def _rejoin_split_ids(result: pd.DataFrame, needed: pd.Series) -> pd.DataFrame:
    """The ``needed`` rows of ``result``, numbered from 0: one retry row per source row, a ';'
    list of ids keeping only the ids still to do.  Rows are one source row's only when they
    are told to be (:func:`_one_source`); others stay rows of their own, each with its own
    id, so that no pair still to do is lost."""
    keys = ["sheet", "row"]
    result = result.reset_index(drop=True)  # positions: the index of concatenated results repeats
    todo = result.loc[needed.to_numpy(dtype=bool)]
    if todo.empty or not set(keys) <= set(todo.columns):
        return todo.reset_index(drop=True)
    if int(result.groupby(keys, sort=False, dropna=False).size().max()) <= 1:
        return todo.reset_index(drop=True)
    split = _split_id_columns(result)
    one_source = _one_source(result, keys, split)
    joins = todo.loc[one_source.loc[todo.index].to_numpy(dtype=bool)]
    if joins.empty:
        return todo.reset_index(drop=True)
    source_rows = result.loc[one_source.to_numpy(dtype=bool)].groupby(
        keys, sort=False, dropna=False
    )
    out = joins.drop_duplicates(subset=keys, keep="first").copy()
    index = pd.MultiIndex.from_frame(out[keys])
    for header, canonical in split.items():
        varies = source_rows[canonical].nunique(dropna=False) > 1  # this cell was split
        joined = (
            joins.astype({canonical: "string"})
            .groupby(keys, sort=False, dropna=False)[canonical]
            .agg(lambda ids: ";".join(dict.fromkeys(ids.dropna())))
        )
        rebuild = index.isin(varies[varies].index)
        out.loc[rebuild, header] = joined.reindex(index[rebuild]).to_numpy()
    alone = todo.loc[~todo.index.isin(joins.index)]
    return pd.concat([out, alone]).sort_index().reset_index(drop=True)


def _one_source(result: pd.DataFrame, keys: list[str], split: Mapping[str, str]) -> pd.Series:
    """Rows that are the pairs of one source row's list of ids, to be joined again: those of a
    ``sheet`` and ``row`` whose ids vary on one side at most, as a split cell makes them.
    Results put together (``pd.concat`` of two runs of sheets named alike) share lines that
    are not one row; without the id headers (a result whose attrs pandas dropped, as a
    ``concat`` of runs of different files does), which cell was split is not known: none is
    joined, each row keeps its own id."""
    if not split:
        return pd.Series(False, index=result.index)
    sides = pd.DataFrame({k: result[k] for k in keys}).assign(
        **{c: result[c].astype("string") for c in set(split.values())}
    )
    groups = sides.groupby(keys, sort=False, dropna=False)
    varying = sum(
        (groups[c].transform("nunique", dropna=False) > 1).astype(int) for c in set(split.values())
    )
    return pd.Series(varying <= 1, index=result.index, dtype=bool)


#: Fields a run may take from an argument (``label=``) rather than from a column, and the
#: header each gets in a retry file whose sheet lacks such a column.  The object types are not
#: among them: a file that does not name them is refused until they are given (the id headers
#: name them, or ``--from``/``--to``), while a file without its label would be read as unlabeled.
_ARGUMENT_HEADERS = {"label": ("Association label", "Association label name", "Label name")}


def _argument_columns(
    todo: pd.DataFrame, columns: list[str], column_map: Mapping[str, str] | None
) -> dict[str, str]:
    """Header -> field for the values the run took from its arguments, not from a column of
    the sheet: the retry file carries them as columns, so that running the file alone does
    what the run meant (without ``--label`` its rows would be linked without the label)."""
    if not column_map:  # not read by hubframe (no attrs): which column held what is not known
        return {}
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
    everything else the sheet keeps for those records."""
    if "change" not in result.columns:  # not a sync
        return needed
    keys = result["from_type"].astype("string") + "\0" + result["from_id"].astype("string")
    return needed | keys.isin(set(keys[needed].dropna())).fillna(False).astype(bool)


def _todo(result: pd.DataFrame) -> pd.DataFrame:
    """The result's rows still to do, numbered from 0 (one per source row)."""
    needed = _whole_records(result, retry_rows(result))
    return _own_labels(result, _rejoin_split_ids(result, needed & from_sheet(result)))


def _own_labels(result: pd.DataFrame, todo: pd.DataFrame) -> pd.DataFrame:
    """``todo`` with the labels a limits run filled in from the portal (rows that gave a type id
    only) taken out again: the retry file keeps the analyst's empty cell, as it keeps every
    other cell, rather than a label name the sheet did not hold."""
    named = meta(result).get(PORTAL_LABELS)
    if not named or "label" not in todo.columns or not {"sheet", "row"} <= set(todo.columns):
        return todo
    keys = {(str(sheet), str(row)) for sheet, row in named}
    rows = zip(todo["sheet"].astype("string"), todo["row"].astype("string"), strict=True)
    filled = [(str(sheet), str(row)) in keys for sheet, row in rows]
    if not any(filled):
        return todo
    todo = todo.copy()
    todo["label"] = todo["label"].astype("string").mask(pd.Series(filled, index=todo.index))
    return todo


def _layout(
    todo: pd.DataFrame, columns: list[str], column_map: Mapping[str, str] | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows of ``todo`` in the layout of a sheet with ``columns`` (frame names), and which
    of its headers hold a field the run read (``column_map`` limited to them, with the
    columns an argument's values are written in)."""
    layout = pd.DataFrame(index=todo.index)
    for name in columns:
        layout[name] = todo[name] if name in todo.columns else pd.Series(pd.NA, index=todo.index)
    read_into = {h: f for h, f in (column_map or {}).items() if h in layout.columns}
    for header, field in _argument_columns(todo, columns, column_map).items():
        layout[header] = todo[field].astype("string")
        read_into[header] = field
    _fill_from_arguments(todo, layout, read_into)
    return layout, read_into


def _own_sheets(result: pd.DataFrame, todo: pd.DataFrame) -> dict[str, list[str]] | None:
    """Each sheet's own columns (frame names, in its order) when the rows to do come from a
    read of several sheets that says them; None otherwise."""
    found = meta(result).get("sheet_columns")
    if not isinstance(found, Mapping) or len(found) < 2 or "sheet" not in todo.columns:
        return None
    if todo.empty:  # the file is emptied to its header: the first sheet's
        return None
    sheets = set(todo["sheet"].astype("string").dropna())
    if not sheets <= set(found):
        return None
    return {str(k): [str(c) for c in v] for k, v in found.items()}


def _retry_tables(result: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """The rows still to do: one table per sheet of a read of several sheets, each with that
    sheet's own columns only (a column of another sheet would be read as a second label or
    limit column, and refused), else one table in the sheet's layout."""
    columns = original_columns(result)
    column_map = meta(result).get("column_map")
    todo = _todo(result)
    own = _own_sheets(result, todo)
    if own is None:
        layout, _ = _layout(todo, columns, column_map)
        sheets = pd.Series(todo.get("sheet", pd.NA), index=todo.index, dtype="string").fillna("")
        names = list(dict.fromkeys(sheets))
        if len(names) <= 1:
            return [(names[0] if names else None, _written(result, layout))]
        return [(name, _written(result, layout.loc[(sheets == name).to_numpy()])) for name in names]
    return [
        (name, _written(result, layout))
        for name, layout, _ in _sheet_layouts(todo, own, column_map)
        if len(layout)
    ]


def _sheet_layouts(
    todo: pd.DataFrame, own: Mapping[str, list[str]], column_map: Mapping[str, str] | None
) -> Iterator[tuple[str, pd.DataFrame, dict[str, str]]]:
    """Each sheet's rows of ``todo`` in that sheet's own layout (:func:`_layout` with its
    columns and the part of ``column_map`` they hold), in the order of ``own``; a sheet with
    no rows to do gives an empty layout."""
    labels = todo["sheet"].astype("string")
    for name, mine in own.items():
        rows = todo.loc[(labels == name).fillna(False).to_numpy(dtype=bool)]
        maps = {h: f for h, f in (column_map or {}).items() if h in mine}
        layout, read_into = _layout(rows, mine, maps)
        yield name, layout, read_into


def _one_table(result: pd.DataFrame) -> pd.DataFrame:
    """The rows still to do as one table (a ``.csv`` file).  Sheets of one read that name a
    field by different headers (``Label`` here, ``Association label`` there) put it under the
    first sheet's header: two label or limit columns would be refused when read back."""
    columns = original_columns(result)
    column_map = meta(result).get("column_map")
    todo = _todo(result)
    own = _own_sheets(result, todo)
    if own is None:
        return _written(result, _layout(todo, columns, column_map)[0])
    first: dict[str, str] = {}  # field -> the header it is written under
    parts: list[pd.DataFrame] = []
    for _, layout, read_into in _sheet_layouts(todo, own, column_map):
        for header, field in read_into.items():
            first.setdefault(field, header)
        parts.append(layout.rename(columns={h: first[f] for h, f in read_into.items()}))
    return _written(result, pd.concat(parts).sort_index())


def _written(result: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """``layout`` numbered from 0, with the headers as the sheet wrote them (repeats, empty
    ones, "status" included)."""
    layout = layout.reset_index(drop=True)
    written = meta(result).get("written_headers") or {}
    layout.columns = pd.Index([str(written.get(c, c)) for c in layout.columns], dtype=object)
    return layout


def _retry_sheets(result: pd.DataFrame) -> list[Table]:
    tables = _retry_tables(result)
    source = str(meta(result).get("source", ""))
    from_excel = source.lower().endswith((".xlsx", ".xlsm"))
    if len(tables) <= 1:
        name, table = tables[0] if tables else (None, pd.DataFrame())
        return [Table(name if name and from_excel else "Retry", table)]
    return [Table(str(name), table) for name, table in tables]


def export_retry(result: pd.DataFrame, path: PathLike) -> Path:
    """Write the rows still to do in the layout of the uploaded sheet (``.xlsx`` or ``.csv``).

    Failed and invalid rows, and rows a stopped run never sent, with the analyst's columns in
    their original order and their original cell values, so ``read_pairs``/``read_limits``
    read the file back.  A cell that held several ids (``"1;2;3"``) keeps only the ids still
    to do.  From a multi-sheet workbook the ``.xlsx`` retry file has one sheet per source sheet
    (read it back with ``sheet="*"``).  A sync's removals are not rows of the sheet and are
    left out, and from a sync every sheet row of each record with something still to do is
    kept (a sync is scoped by record: synced again, the file keeps what the sheet keeps and
    plans the removals still to do).  Returns the path written; InputError for a path
    ``result`` was read from (its sheet), left as it was.
    """
    check_result(result)
    target, suffix = target_path(path, result, "retry file")
    result = plain_cells(result.copy(deep=False))
    if suffix == ".csv":
        write_csv(_one_table(result), target)
    else:
        write_tables(target, _retry_sheets(result))
    return target
