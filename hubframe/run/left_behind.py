"""What a resumed run's sheet no longer lists: said, never left silently.

A run resumes the open runs of its journal whose batches it re-uses or sends again (a killed
run of the same sheet).  When the analyst edited the sheet between the two runs, the killed
run may have applied rows the new sheet no longer lists: those associations stay in HubSpot,
and the new run's report, one row per row of the new sheet, does not show them.  The run
ends with a :class:`~hubframe.run.journal.ResumedRowsLeftOut` warning naming how many, the
first few, and what to do.
"""

from __future__ import annotations

import functools
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import pandas as pd

from hubframe.constants import USER_DEFINED
from hubframe.run.journal import Journal, ResumedRowsLeftOut, SentKey, StoppedRunRowsRefused
from hubframe.vocab import Action, Status, object_noun

if TYPE_CHECKING:
    from hubframe.run.options import RunOptions
    from hubframe.run.pipeline import Prepared

_SHOWN = 3  # rows a warning names before it counts the rest


def warn_left_behind(journal: Journal | None, prepared: Prepared, options: RunOptions) -> None:
    """Warn when the open runs this run resumed applied rows it does not send (see the
    module docstring); a dry run, a run without a journal or of limits says nothing."""
    if journal is None or options.dry_run or prepared.kind != "pairs":
        return
    named = functools.cache(lambda: _Named.of(prepared))  # a pass over every row: once, if at all
    left = journal.left_behind(named)
    if left:
        warnings.warn(_message(left, str(journal.path)), ResumedRowsLeftOut, stacklevel=4)
    refused = journal.open_applied(_refused_pairs(prepared))
    # less what this run sends again, and so reports itself
    refused = [key for key in refused if not named().sends(key)]
    if refused:
        warnings.warn(_refused(refused, str(journal.path)), StoppedRunRowsRefused, stacklevel=4)


def _refused_pairs(prepared: Prepared) -> set[tuple[str, str]]:
    """The record pairs of the rows this run refused (invalid: never sent)."""
    frame = prepared.frame
    at = [p for p, o in prepared.settled.items() if o.status is Status.INVALID]
    if not at or "from_id" not in frame or "to_id" not in frame:
        return set()
    from_ids, to_ids = frame["from_id"].iloc[at].astype(str), frame["to_id"].iloc[at].astype(str)
    return set(zip(from_ids, to_ids, strict=True))


@dataclass(frozen=True)
class _Named:
    """What this run's rows name: record pairs (both ways) and, per pair as written, the type
    ids its rows resolved to (None: a row left without one: refused, or removing the pair
    whole) and, per pair as a row sends it, the type ids it sends.  A row of a label the
    stopped run applied is named while the pair is, unless every row of that pair is in the
    same direction and none has its type: the sheet changed that row's label ('Champion' to
    'Decision maker'), and the stopped run's 'Champion' stays in HubSpot (or, removed, stays
    gone), unreported.  A resume removing the pair whole names a label removed."""

    pairs: frozenset[tuple[str, str]]
    rows: Counter[tuple[str, str]]  # the sheet's rows of each pair, as written
    typed: Mapping[tuple[str, str], set[int | None]]  # the pair's rows' type ids
    sent: Mapping[tuple[str, str, str, str], set[int | None]]  # (types, ids) -> type ids

    @classmethod
    def of(cls, prepared: Prepared) -> _Named:
        rows: Counter[tuple[str, str]] = Counter()
        typed: dict[tuple[str, str], set[int | None]] = {}
        frame = prepared.frame
        if "from_id" in frame and "to_id" in frame:
            ids = list(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))
            rows.update(ids)
            for pair, type_id in zip(ids, _row_types(prepared), strict=True):
                typed.setdefault(pair, set()).add(type_id)
        sent: dict[tuple[str, str, str, str], set[int | None]] = {}
        for item in prepared.work().items():
            pair = (str(item.from_id), str(item.to_id))
            sent.setdefault((item.from_type, item.to_type, *pair), set()).add(item.type_id)
            typed.setdefault(pair, set())
        both = set(typed)
        return cls(frozenset(both | {(b, a) for a, b in both}), rows, typed, sent)

    def sends(self, key: SentKey) -> bool:
        """Whether a row of this run sends what ``key`` did (written the same way)."""
        action, from_type, to_type, from_id, to_id, _, type_id = key[:7]
        types = self.sent.get((str(from_type), str(to_type), str(from_id), str(to_id)), set())
        return type_id in types or (str(action) in _REMOVALS and None in types)

    def __call__(self, key: SentKey) -> bool:
        action, _, _, from_id, to_id, category, type_id = key[:7]
        ids = (str(from_id), str(to_id))
        if ids not in self.pairs:
            return False
        if str(action) == str(Action.ARCHIVE) or category != USER_DEFINED or type_id is None:
            return True
        if self.rows[ids[::-1]] > 0:  # rows of the other direction: not told apart
            return True
        if self.sends(key):
            return True
        typed = self.typed.get(ids, set())
        return type_id in typed or None in typed or (str(action) in _REMOVALS and _NONE in typed)


#: A row naming no label, category or type id (a default association; a removal of the
#: pair whole) among a pair's type ids; None: a row whose label did not resolve (refused).
_NONE: Final = -1


def _row_types(prepared: Prepared) -> list[int | None]:
    """Each row's type id as the run resolved its label, :data:`_NONE` for a row naming
    none, None for a row whose label the run did not resolve (refused, not sent)."""
    frame = prepared.frame
    filled = prepared.resolved.fill(frame)
    none = pd.Series(True, index=frame.index)
    for column in ("label", "category", "type_id"):
        if column in frame:
            cells = frame[column]
            none &= cells.isna() | (cells.astype("string").str.strip() == "").fillna(True)
    if "type_id" not in filled:
        return [_NONE if n else None for n in none.tolist()]
    types = filled["type_id"].astype(object).tolist()
    return [
        _NONE if n else (None if pd.isna(t) else int(t))
        for n, t in zip(none.tolist(), types, strict=True)
    ]


_REMOVALS: Final = frozenset({str(Action.ARCHIVE), str(Action.ARCHIVE_LABELS)})


def _listed(keys: list[SentKey]) -> str:
    """The first few rows of ``keys`` in words, and how many more."""
    more = f" and {len(keys) - _SHOWN:,} more" if len(keys) > _SHOWN else ""
    return "; ".join(_row(key) for key in keys[:_SHOWN]) + more


def _message(left: list[SentKey], path: str) -> str:
    return (
        f"This run resumed an earlier run of the journal {path} (stopped before it ended) "
        f"that applied {len(left):,} rows this sheet no longer lists ({_listed(left)}): they "
        "stay in HubSpot as that run left them, and this report does not show them. Put "
        "them back in the sheet to have them reported, or take them back with "
        "remove_associations (hubframe remove) for an association created"
        f"{_PUT_BACK if any(str(key[0]) in _REMOVALS for key in left) else ''}."
    )


_PUT_BACK: Final = ", or put back with associate (hubframe associate) for one removed"


def _refused(applied: list[SentKey], path: str) -> str:
    return (
        f"An earlier run of the journal {path}, stopped before it ended, applied "
        f"{len(applied):,} rows to record pairs whose rows this run refused ({_listed(applied)}): "
        "they stay in HubSpot as that run left them, and this report shows those rows as not "
        "sent. A label renamed in HubSpot since that run is a common cause (the sheet's label "
        "no longer exists): put the new name in the sheet and run again with the journal to "
        "resume that run, or take what it applied back with an undo from the journal "
        "(hubframe undo with the journal's path)."
    )


def _row(key: SentKey) -> str:
    action, from_type, to_type, from_id, to_id, category, type_id = key[:7]
    removed = str(action) in _REMOVALS
    verb = "removed" if removed else "created"
    if category == USER_DEFINED and type_id is not None:
        verb = f"its label of type id {type_id} {verb}"
    return (
        f"{object_noun(str(from_type))} {from_id} -> {object_noun(str(to_type))} {to_id} ({verb})"
    )


__all__ = ["warn_left_behind"]
