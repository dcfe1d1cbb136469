"""Pair rows made ready to send: labels resolved through HubSpot, one work item per row.

Used by the jobs that send record pairs (:mod:`hubframe.jobs.link`,
:mod:`hubframe.jobs.unlink`'s ``remove_associations``).  The label lookups happen once per
distinct (object pair, label, category, type id); work items stream out as they resolve, so
planning (and sending) can start while the rest of a large sheet is still being prepared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import ErrorCode, HubframeError, StopReason
from hubframe.io.meta import without_attrs
from hubframe.io.normalize import is_valid_object_type
from hubframe.run.labels import (
    DEFINED_DEFAULTS,
    Key,
    LabelBook,
    LabelDef,
    LabelRefused,
    resolve,
    unknown_object_type,
)
from hubframe.run.pipeline import Prepared
from hubframe.run.rows import arrow_column, text, value
from hubframe.run.work import Outcome
from hubframe.run.worktable import ACTION_CODE, ACTIONS, NONE, WorkTable
from hubframe.vocab import Action, ObjectPair, Status

_KEY_FIELDS = ("from_type", "to_type", "label", "category", "type_id")
Resolved = LabelDef | None | HubframeError


def pair_action(row: Mapping[Any, Any] | pd.Series) -> Action:
    """The action a pair row is sent with: labeled create with a label or type id."""
    typed = value(row.get("type_id")) is not None or text(row.get("label")) is not None
    return Action.ASSOCIATE if typed else Action.ASSOCIATE_DEFAULT


def with_actions(frame: pd.DataFrame, settled: dict[int, Outcome]) -> dict[int, Outcome]:
    """Name the action invalid and duplicate rows would have been sent with (the two cells
    that say it read a column at a time: a row at a time took 0.5 ms a row, minutes for a
    large sheet of bad ids)."""
    todo = [pos for pos, outcome in settled.items() if outcome.action is None]
    if not todo:
        return settled
    names = [name for name in ("type_id", "label") if name in frame.columns]
    frame = without_attrs(frame)
    cells = {name: frame[name].iloc[todo].astype(object).tolist() for name in names}
    for i, pos in enumerate(todo):
        row = {name: cells[name][i] for name in names}
        settled[pos] = settled[pos].with_(action=pair_action(row))
    return settled


def labeled_pairs(frame: pd.DataFrame, *, every: bool = False) -> list[tuple[str, str]]:
    """The distinct (from type, to type) of a pairs frame whose labels will be read, in order
    of first appearance: those of the rows that name an association type (a label, a type id
    or a category), and every pair whose unlabeled type HubSpot does not define (a custom
    object's, deals and products: whether it lists any type is read,
    :data:`~hubframe.run.labels.DEFINED_DEFAULTS`); ``every``: of every row (a run that reads
    the state before needs each pair's unlabeled type as soon as a pair turns out linked)."""
    if "from_type" not in frame.columns or "to_type" not in frame.columns:
        return []
    frame = without_attrs(frame)
    typed = np.full(len(frame), every, dtype=bool)
    if "label" in frame.columns and not every:
        labels = frame["label"].astype("str").str.strip()
        typed |= (frame["label"].notna() & (labels != "")).to_numpy(dtype=bool)
    if "type_id" in frame.columns and not every:
        typed |= frame["type_id"].notna().to_numpy(dtype=bool)
    if "category" in frame.columns and not every:  # held to the unlabeled type's category
        typed |= frame["category"].notna().to_numpy(dtype=bool)
    f, f_names = pd.factorize(frame["from_type"])
    t, t_names = pd.factorize(frame["to_type"])
    width = max(1, len(t_names))
    codes = f.astype(np.int64) * width + t
    valid = (f >= 0) & (t >= 0)

    def pair(code: int) -> tuple[str, str]:
        return str(f_names[code // width]), str(t_names[code % width])

    unread = [c for c in pd.unique(codes[valid]).tolist() if pair(c) not in DEFINED_DEFAULTS]
    typed |= np.isin(codes, unread)
    combined = pd.unique(codes[typed & valid])
    # a type cell that names no object (the row is refused offline) is never put in a
    # request's path: it may hold anything ("..", a URL, a pasted token)
    return [p for c in combined.tolist() if _object_types(p := pair(c))]


def _object_types(pair: tuple[str, str]) -> bool:
    return all(is_valid_object_type(t) for t in pair)


def lookup_failure(
    prepared: Prepared,
    positions: Iterable[int],
    action: Action,
    exc: HubframeError,
    pair: Key,
    read: str = "association labels",
) -> None:
    """Rows of ``pair`` (from type, to type) whose ``read`` (its labels, or its limits) could
    not be read: invalid when HubSpot has no such object type, else failed; or the run stops."""
    if exc.stops_run:
        prepared.stop = prepared.stop or StopReason.of(exc)
        return
    unknown = unknown_object_type(exc, *pair)
    if unknown is not None:
        code, message = ErrorCode.BAD_OBJECT_TYPE, unknown[1]
        outcome = Outcome(Status.INVALID, action=action, error_code=code, error_message=message)
    else:
        message = f"Could not read the {read} from HubSpot: {exc}"
        outcome = Outcome.of_error(Status.FAILED, exc, message, action=action)
    for pos in positions:
        prepared.settled[pos] = outcome


def unknown_label(action: Action, exc: LabelRefused) -> Outcome:
    """A row whose label does not name one association type (unknown, or not its type id's)."""
    code = exc.code or ErrorCode.UNKNOWN_LABEL
    return Outcome(Status.INVALID, action=action, error_code=code, error_message=str(exc))


def _try_resolve(book: LabelBook, key: tuple[Any, ...], *, listed_only: bool = False) -> Resolved:
    row = dict(zip(_KEY_FIELDS, key, strict=True))
    try:
        return resolve(book, row, unlabeled_default=True, listed_only=listed_only)
    except HubframeError as exc:  # LabelRefused included
        return exc


Keys = tuple[npt.NDArray[np.int64], list[tuple[Any, ...]]]


def _keys(frame: pd.DataFrame, rows: npt.NDArray[np.int64]) -> Keys:
    """Each row's key code, and the distinct keys (from type, to type, label, category, type id)
    as plain values (None for missing), in order of first appearance."""
    every = len(rows) == len(frame)
    few = len(rows) * 2 < len(frame)  # else each column is coded whole: cheaper than a take
    combined = np.zeros(len(rows), dtype=np.int64)
    span = 1  # combined < span
    columns: list[tuple[npt.NDArray[np.int64], list[Any]]] = []
    for name in _KEY_FIELDS:
        if name not in frame.columns:
            codes, uniques = np.zeros(len(rows), dtype=np.int64), [None]
        else:
            codes, uniques = _column_codes(frame[name].iloc[rows] if few else frame[name])
            codes = codes if every or few else codes[rows]
        columns.append((codes, uniques))
        if span * len(uniques) >= 2**62:  # the product would leave int64: renumber first
            combined = pd.factorize(combined)[0].astype(np.int64)
            span = int(combined.max()) + 1
        combined = combined * len(uniques) + codes
        span *= len(uniques)
    inverse = pd.factorize(combined)[0].astype(np.int64)  # numbered in order of appearance
    first = np.full(int(inverse.max()) + 1, len(rows), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(rows), dtype=np.int64))
    keys = [tuple(uniques[int(codes[row])] for codes, uniques in columns) for row in first]
    return inverse, keys


def _column_codes(column: pd.Series) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """Each cell's code (0 for missing, k for ``uniques[k]``) and the values (``uniques[0]`` is
    None), numbered in order of first appearance.  A column of one value or none (from_type,
    to_type, an unused label column: the usual sheet) is told in one pass of Arrow."""
    n = len(column)
    if hasattr(column.array, "__arrow_array__"):
        values = arrow_column(column)
        if values.null_count == n:
            return np.zeros(n, dtype=np.int64), [None]
        if values.null_count == 0 and pc.all(pc.equal(values, values[0])).as_py():
            return np.ones(n, dtype=np.int64), [None, values[0].as_py()]
        encoded = pc.dictionary_encode(values)
        indices = encoded.indices.fill_null(-1) if encoded.null_count else encoded.indices
        codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int64) + 1
        return codes, [None, *_plain(encoded.dictionary.to_pylist())]
    if not column.notna().any():
        return np.zeros(n, dtype=np.int64), [None]
    found, uniques = pd.factorize(column, use_na_sentinel=True)
    return found.astype(np.int64) + 1, [None, *_plain(uniques)]


def _plain(values: Any) -> list[Any]:
    """Python values (ints as int, missing as None) of factorize's uniques."""
    out: list[Any] = []
    for found in list(values):
        if found is None or found is pd.NA or (isinstance(found, float) and found != found):
            out.append(None)
        elif isinstance(found, np.integer):
            out.append(int(found))
        else:
            out.append(found)
    return out


def prepare_pairs(prepared: Prepared, book: LabelBook, *, listed_only: bool = False) -> None:
    """The rows of ``prepared.frame`` not settled yet, as a work table (``prepared.table``);
    rows whose label does not resolve are settled instead (``listed_only``: and rows whose
    type id the pair's types do not hold, as validation finds them).  Labels are read once per
    distinct (object pair, label, category, type id), before this returns, so a bad token or
    an unreachable HubSpot stops the run here.  Nothing loops over rows in Python."""
    frame = without_attrs(prepared.frame)
    rows = prepared.open_positions()
    if len(rows) == 0:
        prepared.table, prepared.count = WorkTable.empty(), 0
        return
    codes, keys = _keys(frame, rows)
    actions = np.array([ACTION_CODE[_action(key)] for key in keys], dtype=np.int8)
    found: list[Resolved] = []
    for key in keys:
        spec = _try_resolve(book, key, listed_only=listed_only)
        if isinstance(spec, HubframeError) and spec.stops_run:  # no other lookup will work
            by_row = {int(p): ACTIONS[int(actions[c])] for p, c in zip(rows, codes, strict=True)}
            prepared.stop_all(StopReason.of(spec), by_row)
            return
        found.append(spec)
    _settle_unresolved(prepared, rows, codes, keys, actions, found)
    ok_keys = np.array([not isinstance(spec, HubframeError) for spec in found], dtype=bool)
    ok = ok_keys[codes]
    sending, sending_codes = rows[ok], codes[ok]
    spell = one_spelling_each(keys, prepared.objects)
    prepared.table = _table(frame, sending, sending_codes, keys, actions, found, spell)
    prepared.count = len(sending)
    _note_resolved(prepared, prepared.table)
    _note_defaults(prepared, book, sending, sending_codes, keys)
    _note_repeats(prepared, book)
    prepared.unlabeled.update(book.unlabeled_read())
    prepared.label_names.update(book.names_read())


def one_spelling_each(keys: list[tuple[Any, ...]], objects: Mapping[str, str]) -> dict[str, str]:
    """Each custom object spelling of ``keys`` (from type, to type, ...) -> the first spelling
    of its object (``objects``: spelling -> object), which its rows are sent under: HubSpot
    takes either, and the plan then finds a repeat or a conflict of one record pair spelled
    two ways (:func:`hubframe.run.plan.make_plan`) as of one spelled alike."""
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for key in keys:
        for spelling in (str(key[0]), str(key[1])):
            found = objects.get(spelling)
            if found is not None:
                out[spelling] = first.setdefault(found, spelling)
    return out


def _action(key: tuple[Any, ...]) -> Action:
    typed = key[4] is not None or text(key[2]) is not None
    return Action.ASSOCIATE if typed else Action.ASSOCIATE_DEFAULT


def _settle_unresolved(
    prepared: Prepared,
    rows: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    keys: list[tuple[Any, ...]],
    actions: npt.NDArray[np.int8],
    found: list[Resolved],
) -> None:
    for code, spec in enumerate(found):
        if not isinstance(spec, HubframeError):
            continue
        action = ACTIONS[int(actions[code])]
        positions = rows[codes == code].tolist()
        if isinstance(spec, LabelRefused):
            outcome = unknown_label(action, spec)
            for pos in positions:
                prepared.settled[pos] = outcome
        else:
            lookup_failure(
                prepared, positions, action, spec, (str(keys[code][0]), str(keys[code][1]))
            )


def _table(
    frame: pd.DataFrame,
    rows: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    keys: list[tuple[Any, ...]],
    actions: npt.NDArray[np.int8],
    found: list[Resolved],
    spell: Mapping[str, str],
) -> WorkTable:
    spelled = [
        ObjectPair(spell.get(str(k[0]), str(k[0])), spell.get(str(k[1]), str(k[1]))) for k in keys
    ]
    pairs = tuple(dict.fromkeys(spelled))
    pair_of = {p: n for n, p in enumerate(pairs)}
    specs = [s if isinstance(s, LabelDef) else None for s in found]
    categories = tuple(dict.fromkeys(s.category for s in specs if s is not None))
    category_of = {c: n for n, c in enumerate(categories)}
    labels = tuple(dict.fromkeys(t for k in keys if (t := text(k[2])) is not None))
    label_of = {lab: n for n, lab in enumerate(labels)}
    key_pair = np.array([pair_of[p] for p in spelled], dtype=np.int32)
    key_category = np.array(
        [NONE if s is None else category_of[s.category] for s in specs], dtype=np.int16
    )
    key_type = np.array([NONE if s is None else s.type_id for s in specs], dtype=np.int64)
    key_label = np.array(
        [NONE if (t := text(k[2])) is None else label_of[t] for k in keys], dtype=np.int32
    )
    every = len(rows) == len(frame)
    index = None if every else pa.array(rows, type=pa.int64())
    from_ids, to_ids = arrow_column(frame["from_id"]), arrow_column(frame["to_id"])
    return WorkTable(
        positions=rows,
        actions=actions[codes],
        pairs=pairs,
        pair_codes=key_pair[codes],
        from_ids=from_ids if index is None else from_ids.take(index),
        to_ids=to_ids if index is None else to_ids.take(index),
        categories=categories,
        category_codes=key_category[codes],
        type_ids=key_type[codes],
        maxima=np.full(len(rows), NONE, dtype=np.int64),
        labels=labels,
        label_codes=key_label[codes],
    )


def _note_repeats(prepared: Prepared, book: LabelBook) -> None:
    """The category and type id of rows settled as repeats of an earlier row (DUPLICATE_ROW):
    the type their label resolves to, as the earlier row shows it (labels are read already)."""
    repeats = [p for p, o in prepared.settled.items() if o.error_code is ErrorCode.DUPLICATE_ROW]
    if not repeats:
        return
    rows = np.array(sorted(repeats), dtype=np.int64)
    codes, keys = _keys(prepared.frame, rows)
    specs = [_try_resolve(book, key) if text(key[2]) is not None else None for key in keys]
    categories = tuple(dict.fromkeys(s.category for s in specs if isinstance(s, LabelDef)))
    category_of = {c: n for n, c in enumerate(categories)}
    key_category = np.array(
        [category_of[s.category] if isinstance(s, LabelDef) else NONE for s in specs], np.int16
    )
    key_type = np.array([s.type_id if isinstance(s, LabelDef) else NONE for s in specs])
    labeled = key_type[codes] != NONE
    if labeled.any():
        prepared.resolved.add(
            rows[labeled], key_category[codes][labeled], categories, key_type[codes][labeled]
        )


def _note_defaults(
    prepared: Prepared,
    book: LabelBook,
    rows: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    keys: list[tuple[Any, ...]],
) -> None:
    """The category of rows sent as the default (no label, no type id) beside a category cell:
    the pair's unlabeled type's, which :func:`resolve` held the cell to, shown in the result
    table as what was sent (not the cell as written)."""
    shown: dict[int, str] = {}
    for code, key in enumerate(keys):
        if _action(key) is Action.ASSOCIATE_DEFAULT and text(key[3]) is not None:
            try:
                unlabeled = book.unlabeled(str(key[0]), str(key[1]))  # read by resolve already
            except HubframeError:
                continue
            if unlabeled is not None:
                shown[code] = unlabeled.category
    if not shown:
        return
    categories = tuple(dict.fromkeys(shown.values()))
    key_category = np.full(len(keys), NONE, dtype=np.int16)
    for code, category in shown.items():
        key_category[code] = categories.index(category)
    picked = key_category[codes] != NONE
    if picked.any():
        none = np.full(int(picked.sum()), NONE, dtype=np.int64)
        prepared.resolved.add(rows[picked], key_category[codes][picked], categories, none)


def _note_resolved(prepared: Prepared, table: WorkTable) -> None:
    """The category and type id each labeled row resolved to (for the result table)."""
    labeled = table.type_ids != NONE
    if labeled.any():
        prepared.resolved.add(
            table.positions[labeled],
            table.category_codes[labeled],
            table.categories,
            table.type_ids[labeled],
        )


__all__ = [
    "labeled_pairs",
    "lookup_failure",
    "pair_action",
    "prepare_pairs",
    "unknown_label",
    "with_actions",
]
