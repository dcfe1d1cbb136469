"""What became of every row, column by column, as a run learns it.

:class:`Outcomes` holds one entry per input row in numpy arrays (status, action, error code,
HTTP status, batch, attempts) and keeps text (messages, categories, correlation ids) only for
the rows that have any: a successful batch of 2,000 rows is stored as 2,000 array entries and
one correlation id, not 2,000 objects.  The result table is built straight from the arrays
(:meth:`Outcomes.columns`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from hubframe.errors import ErrorCode, InternalError
from hubframe.redaction import redact_all
from hubframe.run.work import Outcome, shared_outcome
from hubframe.run.worktable import ACTION_CODE, ACTIONS, NONE
from hubframe.vocab import Action, Status

STATUSES: tuple[Status, ...] = tuple(Status)
STATUS_CODE = {s: n for n, s in enumerate(STATUSES)}
CODES: tuple[ErrorCode, ...] = tuple(ErrorCode)
CODE_OF = {c: n for n, c in enumerate(CODES)}


class Outcomes:
    """One outcome per row of a frame of ``size`` rows (see the module docstring)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.status = np.full(size, NONE, dtype=np.int8)
        self.action = np.full(size, NONE, dtype=np.int8)
        self.code = np.full(size, NONE, dtype=np.int16)
        self.http = np.full(size, NONE, dtype=np.int16)
        self.batch = np.full(size, NONE, dtype=np.int32)
        self.attempts = np.full(size, NONE, dtype=np.int16)
        self.messages: dict[int, str] = {}
        self.categories: dict[int, str] = {}
        self.correlation: dict[int, str] = {}
        #: correlation id of rows that share their batch's (successful rows)
        self.batch_correlation: dict[int, str] = {}

    # --- writing ----------------------------------------------------------------------------

    def put(self, position: int, outcome: Outcome) -> None:
        self.status[position] = STATUS_CODE[outcome.status]
        self.action[position] = NONE if outcome.action is None else ACTION_CODE[outcome.action]
        self.code[position] = NONE if outcome.error_code is None else CODE_OF[outcome.error_code]
        self.http[position] = NONE if outcome.http_status is None else outcome.http_status
        self.batch[position] = NONE if outcome.batch is None else outcome.batch
        self.attempts[position] = NONE if outcome.attempts is None else outcome.attempts
        _keep(self.messages, position, outcome.error_message)
        _keep(self.categories, position, outcome.hubspot_category)
        _keep(self.correlation, position, outcome.correlation_id)

    def put_all(self, outcomes: Mapping[int, Outcome]) -> None:
        for position, outcome in outcomes.items():
            self.put(position, outcome)

    def put_batch(self, positions: Sequence[int], outcomes: Sequence[Outcome]) -> None:
        """A batch's outcomes; plain successes are stored with array writes."""
        shared = shared_outcome(outcomes)
        if shared is not None and shared.batch is not None and _plain_success(shared):
            self._put_successes(np.asarray(positions, dtype=np.int64), shared)
            return
        plain = [n for n, o in enumerate(outcomes) if _plain_success(o)]
        if plain:
            first = outcomes[plain[0]]
            same = all(
                outcomes[n].correlation_id == first.correlation_id
                and outcomes[n].http_status == first.http_status
                and outcomes[n].attempts == first.attempts
                and outcomes[n].action == first.action
                and outcomes[n].batch == first.batch
                for n in plain
            )
            if same and first.batch is not None:
                self._put_successes(np.asarray([positions[n] for n in plain]), first)
                plain_set = set(plain)
                rest = [n for n in range(len(outcomes)) if n not in plain_set]
            else:
                rest = list(range(len(outcomes)))
        else:
            rest = list(range(len(outcomes)))
        for n in rest:
            self.put(positions[n], outcomes[n])

    def _put_successes(self, positions: npt.NDArray[np.int64], outcome: Outcome) -> None:
        assert outcome.batch is not None and outcome.action is not None
        self.status[positions] = STATUS_CODE[Status.SUCCESS]
        self.action[positions] = ACTION_CODE[outcome.action]
        self.code[positions] = NONE
        self.http[positions] = NONE if outcome.http_status is None else outcome.http_status
        self.batch[positions] = outcome.batch
        self.attempts[positions] = NONE if outcome.attempts is None else outcome.attempts
        for texts in (self.messages, self.categories, self.correlation):
            if texts:  # texts an earlier outcome of these rows left
                held = np.fromiter(texts, dtype=np.int64, count=len(texts))
                for position in held[np.isin(held, positions)].tolist():
                    del texts[position]
        if outcome.correlation_id is not None:
            self.batch_correlation[outcome.batch] = outcome.correlation_id

    def put_planned(
        self,
        positions: npt.NDArray[np.int64],
        actions: npt.NDArray[np.int8],
        batches: npt.NDArray[np.int64],
    ) -> None:
        """A dry run's rows to send: ``planned`` with their action and batch."""
        self.status[positions] = STATUS_CODE[Status.PLANNED]
        self.action[positions] = actions
        self.batch[positions] = batches

    # --- reading ------------------------------------------------------------------------------

    def missing(self) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self.status == NONE)

    def get(self, position: int) -> Outcome | None:
        status = int(self.status[position])
        if status == NONE:
            return None
        action, code = int(self.action[position]), int(self.code[position])
        batch = int(self.batch[position])
        correlation = self.correlation.get(position)
        if correlation is None and batch != NONE:
            correlation = self.batch_correlation.get(batch)
        return Outcome(
            STATUSES[status],
            action=None if action == NONE else ACTIONS[action],
            error_code=None if code == NONE else CODES[code],
            error_message=self.messages.get(position),
            http_status=_int(self.http[position]),
            hubspot_category=self.categories.get(position),
            correlation_id=correlation,
            batch=None if batch == NONE else batch,
            attempts=_int(self.attempts[position]),
        )

    def columns(self, shown: Action | None = None) -> dict[str, pd.Series]:
        """The status columns of the result table (:data:`hubframe.constants.STATUS_COLUMNS`)."""
        missing = self.missing()
        if len(missing):
            raise InternalError(f"no outcome for frame positions {missing[:10].tolist()}")
        actions: tuple[str, ...] = tuple(str(a.shown) for a in ACTIONS)
        if shown is not None:
            actions = (str(shown),) * len(ACTIONS)
        return {
            "action": decoded(self.action, actions),
            "status": decoded(self.status, tuple(str(s) for s in STATUSES)),
            "error_code": decoded(self.code, tuple(str(c) for c in CODES)),
            "error_message": _sparse_text(self.messages, self.size),
            "http_status": _nullable_int(self.http),
            "hubspot_category": _sparse_text(self.categories, self.size),
            "correlation_id": self._correlation_column(),
            "batch": _nullable_int(self.batch),
            "attempts": _nullable_int(self.attempts),
        }

    def _correlation_column(self) -> pd.Series:
        """Successful rows share their batch's correlation id: codes into the distinct ids,
        decoded by Arrow (no Python object per row)."""
        names = list(dict.fromkeys([*self.batch_correlation.values(), *self.correlation.values()]))
        index = {name: n for n, name in enumerate(names)}
        codes = np.full(self.size, NONE, dtype=np.int32)
        if self.batch_correlation:
            by_batch = np.full(max(self.batch_correlation) + 1, NONE, dtype=np.int32)
            for batch, correlation in self.batch_correlation.items():
                by_batch[batch] = index[correlation]
            known = (self.batch != NONE) & (self.batch < len(by_batch))
            codes[known] = by_batch[self.batch[known]]
        _put_codes(codes, self.correlation, index)
        return decoded(codes, tuple(names))


def _plain_success(outcome: Outcome) -> bool:
    return (
        outcome.status is Status.SUCCESS
        and outcome.error_code is None
        and outcome.error_message is None
        and outcome.hubspot_category is None
    )


def _keep(store: dict[int, str], position: int, value: str | None) -> None:
    if value is None:
        store.pop(position, None)
    else:
        store[position] = value


def _int(value: np.integer) -> int | None:
    number = int(value)
    return None if number == NONE else number


def decoded(codes: npt.NDArray[np.integer], names: tuple[str, ...]) -> pd.Series:
    """Text from codes (NONE: missing), without a Python string per row."""
    indices = pa.array(codes.astype(np.int32), mask=codes == NONE)
    dictionary = pa.array(list(names), type=pa.large_string())
    text = pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()
    return pd.Series(text, dtype="string")


def _sparse_text(values: Mapping[int, str], size: int) -> pd.Series:
    """Text that few rows have (messages, categories), decoded from codes like the rest; a
    registered secret (the access token, echoed by an answer in any spelling the reading of it
    undid) is redacted here, so no result table holds it."""
    names = list(dict.fromkeys(values.values()))
    shown = redact_all(names)
    order = {text: n for n, text in enumerate(dict.fromkeys(shown))}
    index = {name: order[text] for name, text in zip(names, shown, strict=True)}
    names = list(order)
    codes = np.full(size, NONE, dtype=np.int32)
    _put_codes(codes, values, index)
    return decoded(codes, tuple(names))


def _put_codes(
    codes: npt.NDArray[np.int32], values: Mapping[int, str], index: Mapping[str, int]
) -> None:
    if values:
        positions = np.fromiter(values.keys(), dtype=np.int64, count=len(values))
        codes[positions] = np.fromiter(
            (index[v] for v in values.values()), dtype=np.int32, count=len(values)
        )


def _nullable_int(values: npt.NDArray[np.integer]) -> pd.Series:
    return pd.Series(pd.arrays.IntegerArray(values.astype(np.int64), values == NONE))


__all__ = ["Outcomes", "decoded"]
