"""What hubframe keeps in a frame's ``attrs["hubframe"]``, checked where a frame comes back in.

pandas carries ``attrs`` through copies, so a frame given to a job may hold entries another
program (or an analyst's notebook) set: ``attrs["hubframe"] = 5``, a ``column_map`` that is a
list, ``original_columns`` a number.  Read as hubframe wrote them, they failed deep inside with
Python's AttributeError or TypeError.  :func:`refuse_odd_meta` checks each entry hubframe reads
against the shape it writes, where a frame enters (a job's sheet, a result table undone or
reported) and refuses one of another shape by name (InputError), before anything is read or
sent.  Entries hubframe does not know are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import pandas as pd

from hubframe.errors import InputError

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list(item: Check | None = None) -> Check:
    def check(value: Any) -> bool:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            return False
        return item is None or all(item(v) for v in value)

    return check


def _map(item: Check | None = None) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, Mapping):
            return False
        return item is None or all(item(v) for v in value.values())

    return check


def _scalar(value: Any) -> bool:
    """A header or a sheet's name: text, or a number a DataFrame's column may be named by."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _texts(value: Any) -> bool:
    return _list(_text)(value)


def _text_map(value: Any) -> bool:
    return _map(_text)(value)


def _optional_text_map(value: Any) -> bool:
    return _map(lambda v: v is None or _text(v))(value)


def _scope(value: Any) -> bool:
    """An export's records (:mod:`hubframe.io.scope`): its types, ids and sheet."""
    if not _map()(value):
        return False
    types = all(_text(value.get(key)) for key in ("from_type", "to_type") if key in value)
    sheet = value.get("sheet")
    return types and _list(_scalar)(value.get("ids", ())) and (sheet is None or _text(sheet))


def _facts(name: str) -> Check:
    def check(value: Any) -> bool:
        return type(value).__name__ == name

    return check


#: Each entry hubframe reads back, and the shape it writes (outer shape and, for lists and
#: mappings of text, their items).
SHAPES: Final[Mapping[str, Check]] = {
    "kind": _text,
    "labels_stop": _text,
    "source": _text,
    "from_type": _text,
    "to_type": _text,
    "sheet_choice": _text,
    "original_columns": _list(_scalar),
    "sheets_read": _list(_scalar),
    "read_from": _texts,
    "column_map": _text_map,
    "written_headers": _text_map,
    "checked_in": _map(),
    "portal": _optional_text_map,
    "sent_to": _map(),
    "report_journal": _map(),
    "skipped_sheets": _list(_map()),
    "sheet_columns": _map(_list(_scalar)),
    "sheet_column_maps": _map(_text_map),
    "literal_labels": _list(_list(_scalar)),
    "merged_cells": _map(_list(_scalar)),
    "hidden_columns": _map(_list(_scalar)),
    "guessed_types": _map(_map()),
    "guessed_types_by_sheet": _map(_map(_map())),
    "id_properties": _map(),
    "id_columns": _map(),
    "export_scope": _scope,
    "unknown_records": _list(),
    "no_reading": _list(),
    "no_primary_reading": _list(),
    "net_none": _map(),
    "net_refused": _map(),
    "net_replayed": _list(_list()),
    "sync_objects": _text_map,
    "records": _whole,
    "journal_last_run": _whole,
    "read_calls": _whole,
    "linked_records": _whole,
    "run": _facts("RunFacts"),
    "sync": _facts("SyncFacts"),
}


def refuse_odd_meta(frame: pd.DataFrame, what: str) -> None:
    """InputError when ``frame.attrs["hubframe"]`` (or an entry of it hubframe reads) is not
    of the shape hubframe writes; ``what`` names the frame ("the pairs", "the result table")."""
    attrs = getattr(frame, "attrs", None)
    meta = attrs.get("hubframe") if isinstance(attrs, Mapping) else None
    if meta is None:
        return
    if not isinstance(meta, Mapping):
        raise InputError(_odd(what, "", type(meta).__name__))
    for key, check in SHAPES.items():
        if key in meta and meta[key] is not None and not _holds(check, meta[key]):
            raise InputError(_odd(what, f"[{key!r}]", type(meta[key]).__name__))


def sheet_column_maps(info: Any) -> dict[str, dict[str, str]]:
    """Each sheet's own column map (header -> field) of a read of several sheets, from a
    frame's ``attrs["hubframe"]`` (``info``), as text; empty for a read of one sheet.  The
    read's ``column_map`` is their union, in which the last sheet wins a header they share
    ("Contact ID" the 'from' side of one sheet and the 'to' side of another): messages,
    retry files and the app name or write each sheet's rows by its own map."""
    found = info.get("sheet_column_maps") if isinstance(info, Mapping) else None
    if not isinstance(found, Mapping):
        return {}
    return {
        str(name): {str(h): str(f) for h, f in dict(mapped or {}).items()}
        for name, mapped in found.items()
    }


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (its columns shared, not copied) without its ``attrs``, to read columns from:
    pandas deep-copies a frame's attrs into every column taken out of it and every result of
    a column's methods (a one-row job read its sheet's columns ~70 times, 3 ms of its ~40)."""
    bare = frame.copy(deep=False)
    bare.attrs = {}
    return bare


def _holds(check: Check, value: Any) -> bool:
    try:
        return check(value)
    except Exception:  # an item whose own comparison or iteration fails
        return False


def _odd(what: str, entry: str, kind: str) -> str:
    return (
        f"{what}: its attrs['hubframe']{entry} is not what hubframe writes there (it holds "
        f"{'a' if kind[:1].lower() not in 'aeiou' else 'an'} {kind} of another shape): other "
        "code changed it. Read the sheet again, or drop hubframe's notes with "
        "frame.attrs.pop('hubframe')."
    )


__all__ = ["SHAPES", "refuse_odd_meta", "sheet_column_maps", "without_attrs"]
