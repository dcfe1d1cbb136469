"""Reading the portal into a sheet: :func:`read_associations` (``hubframe export``).

The export is read-only: no run pipeline, no journal.  It reads the associations of the given
records with batch read, 1,000 records a call, several calls in flight under the client's rate
limiter (:func:`hubframe.run.reads.read_links`), and names each association type with the
label the portal lists for it (:class:`~hubframe.run.labels.LabelBook`).

The frame is in hubframe's upload layout -- ``from_type``, ``from_id``, ``to_type``, ``to_id``,
``label``, ``category``, ``type_id`` -- so :func:`hubframe.read_pairs` reads it (or the file
:func:`hubframe.report.write_pairs` writes) back to the same pairs, and :func:`hubframe.sync`
takes it after an edit.  One row per association as an analyst sees it:

* a pair with labels gives one row per label.  HubSpot always keeps the pair's unlabeled type
  beside a label; it is not written as a row of its own (a labeled row implies it);
* a pair without labels gives one row with an empty label: ``category`` and ``type_id`` then
  name the pair's unlabeled type (``HUBSPOT_DEFINED`` 3 for deal -> contact);
* with ``keep_empty=True``, a record without associations gives one row with an empty
  ``to_id`` (a sync reads it as "this record is in scope and has no associations").
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from tqdm.auto import tqdm

from hubframe.argtypes import count, flag
from hubframe.constants import MAX_BATCH_READ
from hubframe.errors import (
    ConfigurationError,
    ErrorCode,
    HubframeError,
    HubframeWarning,
    InputError,
)
from hubframe.hubspot.client import HubSpotClient, require_client
from hubframe.io.ids import (
    LOST_FIRST_ID,
    IdsRead,
    given_ids,
    names_a_record,
    other_object,
    read_id_columns,
)
from hubframe.io.normalize import (
    canonical_object_type,
    is_valid_object_type,
)
from hubframe.io.scope import ExportScope, scope_attrs
from hubframe.io.sources import SheetArg, read_from_attrs
from hubframe.io.syntax import PYTHON, Syntax, SyntaxName, syntax_of
from hubframe.io.text import text_series
from hubframe.run.labels import LabelBook, LabelDef
from hubframe.run.reads import iter_links, read_records
from hubframe.terminal import shown
from hubframe.vocab import object_noun

#: The columns of an export, in order (the pairs columns of the result table contract).
EXPORT_COLUMNS: Final = ("from_type", "from_id", "to_type", "to_id", "label", "category", "type_id")
#: What ``attrs["hubframe"]["kind"]`` says of an export's frame.
EXPORT_KIND: Final = "associations"

Row = tuple[str | None, str | None, str | None, int | None]  # to id, label, category, type id


def object_type_argument(value: str, name: str, syntax: Syntax = PYTHON) -> str:
    """A type given as an argument, canonical ("Deal" -> "deals"); InputError if unknown,
    naming the option as ``syntax`` spells it (``from_type='foo'``, ``--from foo``)."""
    canonical = canonical_object_type(value)
    if canonical is None or not is_valid_object_type(canonical):
        typed = syntax.option(name, value) if isinstance(value, str) and syntax != PYTHON else None
        raise InputError(
            f"{typed or f'{name}={shown(value)}'} is not an object type HubSpot knows: use a "
            "name such as contacts, companies, deals or tickets, or a custom object id like "
            "2-1234."
        )
    return canonical


def record_ids(
    client: HubSpotClient,
    object_type: str,
    ids: Any,
    *,
    sheet: SheetArg = None,
    column: str | None = None,
) -> list[str]:
    """The records to read: every record of the type (``ids=None``), ids from a list, a Series
    or an array, or the id column of a sheet (a path, bytes, a file, a DataFrame: see
    :func:`hubframe.io.ids.read_ids`).  Distinct, in the order given; InputError for a value
    that is not a record id."""
    return _record_ids(client, object_type, ids, sheet=sheet, column=column).ids


def _record_ids(
    client: HubSpotClient,
    object_type: str,
    ids: Any,
    *,
    sheet: SheetArg,
    column: str | None,
    cancel: threading.Event | None = None,
    syntax: Syntax = PYTHON,
) -> IdsRead:
    """:func:`record_ids`, with the id column each sheet was read from (none for ids not
    read from a sheet); the listing of every record stops once ``cancel`` is set."""
    if ids is None:
        return IdsRead(client.record_ids(object_type, cancel=cancel), {})
    if _one_id(ids):  # ids=2040000001 or "2040000001": that record, not a file of that name
        ids = [ids]
    if isinstance(ids, pd.DataFrame) or not _is_listlike(ids):
        return read_id_columns(
            ids, object_type=object_type, column=column, sheet=sheet, syntax=syntax.name
        )
    if isinstance(ids, pd.Series) and ids.name is not None:
        _check_series_name(str(ids.name), object_type)
    found, bad = given_ids(ids)
    if bad:
        raise InputError(f"{len(bad)} of the ids given are not record ids: {', '.join(bad[:5])}.")
    return IdsRead(found, {})


def _check_series_name(name: str, object_type: str) -> None:
    """A Series of ids is held to its name as a one-column frame is to its header
    (:func:`hubframe.io.ids.pick_id_column`): a name saying it holds another object's ids
    (``pairs["Contact ID"]`` given for deals) or a name that is a record id is refused."""
    other = other_object(name, object_type)
    if other is not None:
        raise InputError(
            f"ids= is a Series named {name!r}: it holds {object_noun(other)} ids, and the "
            f"records read are {object_type}. Give {object_noun(object_type)} ids, or its "
            "values (ids=series.tolist()) to read them as they are."
        )
    if names_a_record(name):
        raise InputError(f"ids= is a Series named {name!r}, {LOST_FIRST_ID}")


def _one_id(ids: Any) -> bool:
    """``ids`` is one record id: a whole number, or digits that name no file."""
    if isinstance(ids, bool | np.bool_):
        return False
    if isinstance(ids, int | np.integer):
        return True
    text = ids.strip() if isinstance(ids, str) else ""
    return text.isascii() and text.isdigit() and not os.path.exists(ids)


def _is_listlike(value: Any) -> bool:
    if isinstance(value, str | bytes | bytearray | memoryview):
        return False
    listed = (pd.Series, pd.Index, np.ndarray, ExtensionArray, list, tuple, set, frozenset, range)
    return isinstance(value, listed)


def read_associations(
    client: HubSpotClient,
    from_type: str,
    to_type: str,
    ids: Any = None,
    *,
    keep_empty: bool = False,
    sheet: SheetArg = None,
    column: str | None = None,
    workers: int | None = None,
    progress: bool = True,
    cancel: threading.Event | None = None,
    syntax: SyntaxName = "python",
) -> pd.DataFrame:
    """The associations of records, one row per (from id, to id, label), in the upload layout
    (see the module docstring).

    ``ids``: the records to read -- a list, a range, a Series, an array (pandas' too), a sheet
    (path, bytes, file, DataFrame; its id column, or ``column=``; ``sheet=`` picks a workbook's
    sheet), or None for every record of ``from_type`` (listed 100 a call first).
    ``keep_empty=True`` keeps records without associations as rows with an empty ``to_id``.
    ``workers``: calls in flight (default: enough to fill the rate budget).  Raises
    :class:`~hubframe.errors.HubframeError` when a read fails for good (nothing partial is
    returned).  ``attrs["hubframe"]["id_columns"]`` names the column each sheet's ids were read
    from (``{sheet: header}``; ``{}`` without one); ids given that name no record are left out,
    warned of (:class:`UnknownRecords`) and listed in ``attrs["hubframe"]["unknown_records"]``;
    ``attrs["hubframe"]["export_scope"]`` holds the records read, which a sync of the frame (or
    of its ``.xlsx``, :func:`hubframe.report.write_pairs`) takes as its scope
    (:mod:`hubframe.io.scope`): a record whose rows were all deleted is synced too.
    ``cancel``: a :class:`threading.Event`; once set, no further call is made (those in
    flight are waited for) and a HubframeError with code ``CANCELLED`` is raised: nothing
    partial is returned.  ``syntax="cli"`` names the types' options as the command line does
    (``--from foo``).
    """
    words = syntax_of(syntax)
    from_type = object_type_argument(from_type, "from_type", words)
    to_type = object_type_argument(to_type, "to_type", words)
    require_client(client)
    keep_empty, progress = flag("keep_empty", keep_empty), flag("progress", progress)
    workers = count("workers", workers)
    if cancel is not None and not callable(getattr(cancel, "is_set", None)):
        raise ConfigurationError(f"cancel must be a threading.Event, not {shown(cancel)}")
    _stop_if_cancelled(cancel)
    given = _record_ids(
        client, from_type, ids, sheet=sheet, column=column, cancel=cancel, syntax=words
    )
    _stop_if_cancelled(cancel)
    wanted = given.ids
    calls = -(-len(wanted) // MAX_BATCH_READ)
    by_record: dict[str, list[Row]] = {i: [] for i in wanted}
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="hubframe-labels") as side,
        tqdm(total=len(wanted), desc="export", unit="records", disable=not progress) as bar,
    ):
        labels = side.submit(LabelBook(client).labels, from_type, to_type)  # meanwhile

        def answered(records: int) -> None:  # in the walk: a cancel ends it, no call left
            bar.update(records)
            _stop_if_cancelled(cancel)

        pages = iter_links(client, from_type, to_type, wanted, workers=workers, on_call=answered)
        defs: dict[int, LabelDef] | None = None
        for from_id, entries in pages:  # rows built while the next calls are in flight
            if defs is None:
                defs = {d.type_id: d for d in labels.result()}
            rows = by_record.setdefault(from_id, [])
            for entry in entries:
                rows += _entry_rows(
                    str(entry.get("toObjectId")), entry.get("associationTypes") or [], defs
                )
        labels.result()  # its error, if the labels could not be read
    unknown = [] if ids is None else _unknown(client, from_type, by_record, cancel)
    for record in unknown:  # named by an id given, no such record: no row, not in scope
        del by_record[record]
    if unknown:
        _warn_unknown(from_type, unknown, len(wanted))
    wanted = [i for i in wanted if i in by_record]
    linked = sum(1 for rows in by_record.values() if rows)
    if keep_empty:
        for rows in by_record.values():
            if not rows:
                rows.append((None, None, None, None))
    frame = _frame(from_type, to_type, by_record)
    frame.attrs["hubframe"] = {
        "kind": EXPORT_KIND,
        "from_type": from_type,
        "to_type": to_type,
        "records": len(wanted),
        "read_calls": calls,
        "linked_records": linked,
        "unknown_records": unknown,  # ids given that name no record (not exported)
        "id_columns": dict(given.columns),  # {sheet: the id column read}; {} without a sheet
        **read_from_attrs(given.path),
        # the records read: a sync of the frame (or of its .xlsx) takes them as its scope
        **scope_attrs(ExportScope(from_type, to_type, tuple(wanted))),
    }
    return frame


class UnknownRecords(HubframeWarning):
    """Ids given to an export that name no record of its type (a typo, a deleted record):
    left out of the export, which would otherwise list them as records without
    associations."""


def _unknown(
    client: HubSpotClient,
    object_type: str,
    by_record: Mapping[str, list[Row]],
    cancel: threading.Event | None,
) -> list[str]:
    """The records read with no association that HubSpot does not have: its associations
    read answers a missing record as one without associations, so they are looked up with
    the objects batch read (100 a call), as a sync checks the records it adds."""
    empty = [record for record, rows in by_record.items() if not rows]
    if not empty:
        return []
    found = {str(r["id"]) for r in read_records(client, object_type, empty) if r.get("id")}
    _stop_if_cancelled(cancel)
    return [record for record in empty if record not in found]


def _warn_unknown(object_type: str, unknown: list[str], given: int) -> None:
    import warnings

    noun, one = object_noun(object_type), len(unknown) == 1
    shown_ids = ", ".join(unknown[:10]) + (
        f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else ""
    )
    warnings.warn(
        f"{len(unknown):,} of the ids given {'names' if one else 'name'} no {noun} in HubSpot "
        f"and {'is' if one else 'are'} left out of the export (a typo, a deleted {noun}, or an "
        f"id of another object): {shown_ids}.",
        UnknownRecords,
        stacklevel=3,
    )


def _stop_if_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise HubframeError(
            "The export was cancelled: nothing of it is returned (an export is whole or not "
            "at all).",
            code=ErrorCode.CANCELLED,
        )


def _entry_rows(to_id: str, specs: Iterable[Any], defs: Mapping[int, LabelDef]) -> list[Row]:
    """One row per label of the pair; one row for its unlabeled type when it has no label."""
    labeled: list[Row] = []
    unlabeled: list[Row] = []
    for spec in specs:
        if not isinstance(spec, dict) or spec.get("typeId") is None:
            continue
        type_id = int(spec["typeId"])
        known = defs.get(type_id)
        name = known.label if known is not None else spec.get("label") or None
        category = known.category if known is not None else str(spec.get("category") or "")
        row: Row = (to_id, None if name is None else str(name), category or None, type_id)
        (unlabeled if name is None else labeled).append(row)
    chosen = labeled or unlabeled
    return chosen or [(to_id, None, None, None)]


def _frame(from_type: str, to_type: str, by_record: Mapping[str, list[Row]]) -> pd.DataFrame:
    from_ids = [f for f, rows in by_record.items() for _ in rows]
    rows = [row for found in by_record.values() for row in found]
    n = len(rows)
    return pd.DataFrame(
        {
            "from_type": text_series([from_type] * n),
            "from_id": text_series(from_ids),
            "to_type": text_series([to_type] * n),
            "to_id": text_series([r[0] for r in rows]),
            "label": text_series([r[1] for r in rows]),
            "category": text_series([r[2] for r in rows]),
            "type_id": pd.array([r[3] for r in rows], dtype="Int64"),
        }
    )


def is_export(frame: pd.DataFrame) -> bool:
    meta = frame.attrs.get("hubframe")
    return isinstance(meta, Mapping) and meta.get("kind") == EXPORT_KIND


__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_KIND",
    "UnknownRecords",
    "is_export",
    "object_type_argument",
    "read_associations",
    "record_ids",
]
