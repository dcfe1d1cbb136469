"""The rows a run will send, column by column: one array per field, not one object per row.

A 5,000,000-row sheet is planned and sent without a Python object per row: the rows to send
are a :class:`WorkTable` of numpy arrays (codes into small tables for the action, object pair,
category and label; the record ids as Arrow text, shared with the input frame), and
:class:`~hubframe.run.work.WorkItem` objects exist only for the rows of the batches in flight
(:meth:`WorkTable.items`).  Jobs that build their rows one by one (limits, undo) hand over
WorkItems and get a table from :meth:`WorkTable.from_items`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.errors import InternalError
from hubframe.run.work import WorkItem
from hubframe.vocab import Action, ObjectPair

IntArray = npt.NDArray[np.int64]
#: Action codes: ``ACTIONS[code]``.
ACTIONS: tuple[Action, ...] = tuple(Action)
ACTION_CODE: dict[Action, int] = {a: n for n, a in enumerate(ACTIONS)}
NONE = -1  # the code of a missing value in every code column


def _text(values: Any) -> pa.Array:
    """Arrow text from a list, an Arrow array or chunked array (None stays null)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        return values.cast(pa.large_string()) if values.type != pa.large_string() else values
    return pa.array(list(values), type=pa.large_string())


def _refuse_sentinels(rows: Sequence[WorkItem]) -> None:
    """A type id or limit equal to NONE would be read back as none (a labeled row sent as a
    default association): such a row is a bug, never a row to send."""
    for item in rows:
        if NONE in (item.type_id, item.max_to_object_ids):
            raise InternalError(
                f"row {item.position} holds {NONE} as its type id or limit, which a work "
                "table cannot tell from none"
            )


@dataclass(frozen=True)
class WorkTable:
    """Rows to send; every array has one entry per row, in input order."""

    positions: IntArray  # the row's position in the input frame
    actions: npt.NDArray[np.int8]  # codes into ACTIONS
    pairs: tuple[ObjectPair, ...]
    pair_codes: npt.NDArray[np.int32]
    from_ids: pa.Array  # large_string; null for limit rows
    to_ids: pa.Array
    categories: tuple[str, ...]
    category_codes: npt.NDArray[np.int16]  # NONE: no category
    type_ids: IntArray  # NONE: the default (unlabeled) association
    maxima: IntArray  # NONE: no limit value
    labels: tuple[str, ...]
    label_codes: npt.NDArray[np.int32]  # NONE: no label

    def __len__(self) -> int:
        return len(self.positions)

    @classmethod
    def empty(cls) -> WorkTable:
        return cls.from_items([])

    @classmethod
    def from_items(cls, items: Iterable[WorkItem]) -> WorkTable:
        """A table of WorkItems (for jobs that prepare rows one by one)."""
        rows = list(items)
        pairs = tuple(dict.fromkeys(i.objects for i in rows))
        categories = tuple(dict.fromkeys(i.category for i in rows if i.category is not None))
        labels = tuple(dict.fromkeys(i.label for i in rows if i.label is not None))
        pair_of = {p: n for n, p in enumerate(pairs)}
        category_of = {c: n for n, c in enumerate(categories)}
        label_of = {lab: n for n, lab in enumerate(labels)}

        def codes(values: Sequence[Any], dtype: Any) -> Any:
            return np.array(values, dtype=dtype) if values else np.zeros(0, dtype=dtype)

        _refuse_sentinels(rows)

        return cls(
            positions=codes([i.position for i in rows], np.int64),
            actions=codes([ACTION_CODE[Action(i.action)] for i in rows], np.int8),
            pairs=pairs,
            pair_codes=codes([pair_of[i.objects] for i in rows], np.int32),
            from_ids=_text([i.from_id for i in rows]),
            to_ids=_text([i.to_id for i in rows]),
            categories=categories,
            category_codes=codes(
                [NONE if i.category is None else category_of[i.category] for i in rows], np.int16
            ),
            type_ids=codes([NONE if i.type_id is None else i.type_id for i in rows], np.int64),
            maxima=codes(
                [NONE if i.max_to_object_ids is None else i.max_to_object_ids for i in rows],
                np.int64,
            ),
            labels=labels,
            label_codes=codes(
                [NONE if i.label is None else label_of[i.label] for i in rows], np.int32
            ),
        )

    def take(self, rows: npt.NDArray[Any] | Sequence[int]) -> WorkTable:
        """The table of some of its rows (positions into this table, in the order given)."""
        index = np.asarray(rows, dtype=np.int64)
        arrow_index = pa.array(index, type=pa.int64())
        return WorkTable(
            positions=self.positions[index],
            actions=self.actions[index],
            pairs=self.pairs,
            pair_codes=self.pair_codes[index],
            from_ids=self.from_ids.take(arrow_index),
            to_ids=self.to_ids.take(arrow_index),
            categories=self.categories,
            category_codes=self.category_codes[index],
            type_ids=self.type_ids[index],
            maxima=self.maxima[index],
            labels=self.labels,
            label_codes=self.label_codes[index],
        )

    def items(self, rows: npt.NDArray[Any] | Sequence[int] | None = None) -> list[WorkItem]:
        """WorkItems of some rows (all by default), for the code that works row by row."""
        index = np.arange(len(self)) if rows is None else np.asarray(rows, dtype=np.int64)
        part = self.take(index) if rows is not None else self
        pairs = [part.pairs[c] for c in part.pair_codes.tolist()]
        names, texts = part.categories, part.labels
        categories = (None if c == NONE else names[c] for c in part.category_codes.tolist())
        labels = (None if c == NONE else texts[c] for c in part.label_codes.tolist())
        type_ids = (None if t == NONE else t for t in part.type_ids.tolist())
        maxima = (None if m == NONE else m for m in part.maxima.tolist())
        return [
            WorkItem(position, ACTIONS[action], pair.from_type, pair.to_type, f, t, c, tid, m, lab)
            for position, action, pair, f, t, c, tid, m, lab in zip(
                part.positions.tolist(),
                part.actions.tolist(),
                pairs,
                part.from_ids.to_pylist(),
                part.to_ids.to_pylist(),
                categories,
                type_ids,
                maxima,
                labels,
                strict=True,
            )
        ]

    def record_keys(self, *, binary: bool = False) -> list[tuple[Any, Any]]:
        """(from id, to id) of each row, as an answer's results name association rows (as
        bytes with ``binary``, to compare with an answer's raw bytes)."""
        from_ids, to_ids = self.from_ids, self.to_ids
        if binary:
            from_ids, to_ids = from_ids.cast(pa.large_binary()), to_ids.cast(pa.large_binary())
        return list(zip(from_ids.to_pylist(), to_ids.to_pylist(), strict=True))

    def ids_on_both_sides(self) -> bool:
        """Whether an id is a from id of a row and a to id of a row (of two object types, rows
        of both directions may then be keyed alike by an answer's results)."""
        return bool(pc.any(pc.is_in(self.from_ids, value_set=self.to_ids)).as_py())

    def type_keys(self) -> list[tuple[str, str]]:
        """(category, type id) of each row, as an answer's results name limit rows."""
        names = self.categories
        return [
            (str(None if c == NONE else names[c]), str(None if t == NONE else t))
            for c, t in zip(self.category_codes.tolist(), self.type_ids.tolist(), strict=True)
        ]

    def with_actions(self, actions: npt.NDArray[np.int8]) -> WorkTable:
        """The same rows sent with other actions (e.g. removals of the pairs a sheet names)."""
        return WorkTable(
            self.positions,
            actions,
            self.pairs,
            self.pair_codes,
            self.from_ids,
            self.to_ids,
            self.categories,
            self.category_codes,
            self.type_ids,
            self.maxima,
            self.labels,
            self.label_codes,
        )


__all__ = ["ACTIONS", "ACTION_CODE", "NONE", "WorkTable"]
