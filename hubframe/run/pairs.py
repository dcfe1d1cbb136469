"""Pair rows made ready to send: labels resolved through HubSpot, one work item per row.

Used by the jobs that send record pairs (:mod:`hubframe.jobs.link`,
:mod:`hubframe.jobs.unlink`'s ``remove_associations``).  The label lookups happen once per
distinct (object pair, label, category, type id); work items stream out as they resolve, so
planning (and sending) can start while the rest of a large sheet is still being prepared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from hubframe.errors import ErrorCode, HubframeError, StopReason
from hubframe.run.labels import LabelBook, LabelDef, UnknownLabel, resolve
from hubframe.run.pipeline import Prepared
from hubframe.run.rows import columns, text, value
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, Status

_PAIR_FIELDS = ("from_type", "to_type", "from_id", "to_id", "label", "category", "type_id")
_KEY_FIELDS = ("from_type", "to_type", "label", "category", "type_id")
Resolved = LabelDef | None | HubframeError


def pair_action(row: Mapping[Any, Any] | pd.Series) -> Action:
    """The action a pair row is sent with: labeled create with a label or type id."""
    typed = value(row.get("type_id")) is not None or text(row.get("label")) is not None
    return Action.ASSOCIATE if typed else Action.ASSOCIATE_DEFAULT


def with_actions(frame: pd.DataFrame, settled: dict[int, Outcome]) -> dict[int, Outcome]:
    """Name the action invalid and duplicate rows would have been sent with."""
    for pos, outcome in settled.items():
        if outcome.action is None:
            settled[pos] = outcome.with_(action=pair_action(frame.iloc[pos]))
    return settled


def lookup_failure(prepared: Prepared, pos: int, action: Action, exc: HubframeError) -> None:
    """A row whose labels could not be read: failed, or the run stops."""
    if exc.stops_run:
        prepared.stop = prepared.stop or StopReason.of(exc)
        return
    message = f"Could not read the association labels from HubSpot: {exc}"
    prepared.settled[pos] = Outcome.of_error(Status.FAILED, exc, message, action=action)


def unknown_label(action: Action, exc: UnknownLabel) -> Outcome:
    return Outcome(
        Status.INVALID, action=action, error_code=ErrorCode.UNKNOWN_LABEL, error_message=str(exc)
    )


def _try_resolve(book: LabelBook, key: tuple[Any, ...]) -> Resolved:
    row = dict(zip(_KEY_FIELDS, key, strict=True))
    try:
        return resolve(book, row, unlabeled_default=True)
    except HubframeError as exc:  # UnknownLabel included
        return exc


def prepare_pairs(prepared: Prepared, book: LabelBook) -> None:
    """Work items (``prepared.items``, a stream) for the rows of ``prepared.frame`` not settled
    yet; the rows whose label does not resolve are settled instead.  Labels are read before
    this returns, so a bad token or an unreachable HubSpot stops the run here."""
    frame = prepared.frame
    todo = [p for p in range(len(frame)) if p not in prepared.settled]
    f_types, t_types, f_ids, t_ids, labels, cats, type_ids = columns(frame, todo, _PAIR_FIELDS)
    label_text = {raw: text(raw) for raw in set(labels)}
    keys = list(zip(f_types, t_types, labels, cats, type_ids, strict=True))
    drafts = [
        WorkItem(
            position=pos,
            action=Action.ASSOCIATE
            if key[4] is not None or label_text[key[2]]
            else Action.ASSOCIATE_DEFAULT,
            from_type=str(key[0]),
            to_type=str(key[1]),
            from_id=str(from_id),
            to_id=str(to_id),
            label=label_text[key[2]],
        )
        for pos, key, from_id, to_id in zip(todo, keys, f_ids, t_ids, strict=True)
    ]
    cache: dict[tuple[Any, ...], Resolved] = {}
    for key in dict.fromkeys(keys):
        spec = cache[key] = _try_resolve(book, key)
        if isinstance(spec, HubframeError) and spec.stops_run:  # no other lookup will work
            prepared.stop_all(StopReason.of(spec), {d.position: d.action for d in drafts})
            return
    prepared.items = _resolved_items(prepared, drafts, keys, cache)
    prepared.count = len(drafts)


def _resolved_items(
    prepared: Prepared,
    drafts: list[WorkItem],
    keys: list[tuple[Any, ...]],
    cache: Mapping[tuple[Any, ...], Resolved],
) -> Iterator[WorkItem]:
    """The rows whose association type resolved (a stream; the others are settled)."""
    for item, key in zip(drafts, keys, strict=True):
        spec = cache[key]
        if isinstance(spec, UnknownLabel):
            prepared.settled[item.position] = unknown_label(item.action, spec)
        elif isinstance(spec, HubframeError):
            lookup_failure(prepared, item.position, item.action, spec)
        else:
            if spec is not None:
                item.category, item.type_id = spec.category, spec.type_id
                prepared.resolved[item.position] = (spec.category, spec.type_id)
            yield item


__all__ = ["lookup_failure", "pair_action", "prepare_pairs", "unknown_label", "with_actions"]
