"""export_retry: the rows still to do, in the layout of the sheet the analyst uploaded."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from hubframe.errors import InputError
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


def _rejoin_split_ids(result: pd.DataFrame, todo: pd.DataFrame) -> pd.DataFrame:
    """One retry row per source row; a ';' list of ids keeps only the ids still to do."""
    keys = ["sheet", "row"]
    if todo.empty or not set(keys) <= set(todo.columns):
        return todo
    source_rows = result.groupby(keys, sort=False, dropna=False)
    if int(source_rows.size().max()) <= 1:
        return todo
    out = todo.drop_duplicates(subset=keys, keep="first").copy()
    index = pd.MultiIndex.from_frame(out[keys])
    for header, canonical in _split_id_columns(result).items():
        varies = source_rows[canonical].nunique(dropna=False) > 1  # this cell was split
        joined = (
            todo.astype({canonical: "string"})
            .groupby(keys, sort=False, dropna=False)[canonical]
            .agg(lambda ids: ";".join(dict.fromkeys(ids.dropna())))
        )
        rebuild = index.isin(varies[varies].index)
        out.loc[rebuild, header] = joined.reindex(index[rebuild]).to_numpy()
    return out


#: Fields a run may take from an argument (``label=``) rather than from a column, and the
#: header each gets in a retry file whose sheet lacks such a column.  The object types are not
#: among them: a file that does not name them is refused until they are given (the id headers
#: name them, or ``--from``/``--to``), while a file without its label would be read as unlabeled.
_ARGUMENT_HEADERS = {"label": ("Association label", "Association label name", "Label name")}


def _argument_columns(
    result: pd.DataFrame, todo: pd.DataFrame, columns: list[str]
) -> dict[str, str]:
    """Header -> field for the values the run took from its arguments, not from a column of
    the sheet: the retry file carries them as columns, so that running the file alone does
    what the run meant (without ``--label`` its rows would be linked without the label)."""
    column_map = meta(result).get("column_map")
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


def _fill_from_arguments(result: pd.DataFrame, todo: pd.DataFrame, layout: pd.DataFrame) -> None:
    """Empty cells of the sheet's own columns that an argument gave a meaning get it written
    in the retry file, which is run without the argument: the label ``label=`` filled in
    (else those rows would be linked unlabeled), ``remove`` where ``remove_blank=True`` read
    an empty limit cell as a removal (else the row would not be sent)."""
    column_map = meta(result).get("column_map") or {}
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


def _retry_table(result: pd.DataFrame) -> pd.DataFrame:
    columns = original_columns(result)
    needed = _whole_records(result, retry_rows(result))
    todo = _rejoin_split_ids(result, result.loc[needed & from_sheet(result)])
    layout = pd.DataFrame(index=todo.index)
    for name in columns:
        layout[name] = todo[name] if name in todo.columns else pd.Series(pd.NA, index=todo.index)
    for header, field in _argument_columns(result, todo, columns).items():
        layout[header] = todo[field].astype("string")
    _fill_from_arguments(result, todo, layout)
    if "sheet" in todo.columns:
        layout.attrs["sheets"] = todo["sheet"].astype("string").fillna("").tolist()
    layout = layout.reset_index(drop=True)
    written = meta(result).get("written_headers") or {}
    layout.columns = pd.Index([str(written.get(c, c)) for c in layout.columns], dtype=object)
    return layout  # headers as the sheet wrote them (repeats, empty ones, "status" included)


def _retry_sheets(result: pd.DataFrame, table: pd.DataFrame) -> list[Table]:
    sheets: list[str] = table.attrs.get("sheets", [])
    names = list(dict.fromkeys(sheets))
    source = str(meta(result).get("source", ""))
    from_excel = source.lower().endswith((".xlsx", ".xlsm"))
    if len(names) <= 1:
        title = names[0] if names and from_excel else "Retry"
        return [Table(title, table)]
    labels = pd.Series(sheets, dtype="string")
    return [
        Table(name, table.loc[(labels == name).to_numpy()].reset_index(drop=True)) for name in names
    ]


def export_retry(result: pd.DataFrame, path: PathLike) -> Path:
    """Write the rows still to do in the layout of the uploaded sheet (``.xlsx`` or ``.csv``).

    Failed and invalid rows, and rows a stopped run never sent, with the analyst's columns in
    their original order and their original cell values, so ``read_pairs``/``read_limits``
    read the file back.  A cell that held several ids (``"1;2;3"``) keeps only the ids still
    to do.  From a multi-sheet workbook the ``.xlsx`` retry file has one sheet per source sheet
    (read it back with ``sheet="*"``).  A sync's removals are not rows of the sheet and are
    left out, and from a sync every sheet row of each record with something still to do is
    kept (a sync is scoped by record: synced again, the file keeps what the sheet keeps and
    plans the removals still to do).  Returns the path written.
    """
    check_result(result)
    target, suffix = target_path(path)
    table = _retry_table(result)
    if suffix == ".csv":
        write_csv(table, target)
    else:
        write_tables(target, _retry_sheets(result, table))
    return target
