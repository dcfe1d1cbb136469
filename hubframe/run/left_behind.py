"""What a resumed run's sheet no longer lists: said, never left silently.

A run resumes the open runs of its journal whose batches it re-uses or sends again (a killed
run of the same sheet).  When the analyst edited the sheet between the two runs, the killed
run may have applied rows the new sheet no longer lists: those associations stay in HubSpot,
and the new run's report, one row per row of the new sheet, does not show them.  The run
ends with a :class:`~hubframe.run.journal.ResumedRowsLeftOut` warning naming how many, the
first few, and what to do.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from hubframe.constants import USER_DEFINED
from hubframe.run.journal import Journal, ResumedRowsLeftOut, SentKey
from hubframe.vocab import Action, object_noun

if TYPE_CHECKING:
    from hubframe.run.options import RunOptions
    from hubframe.run.pipeline import Prepared

_SHOWN = 3  # rows a warning names before it counts the rest


def warn_left_behind(journal: Journal | None, prepared: Prepared, options: RunOptions) -> None:
    """Warn when the open runs this run resumed applied rows it does not send (see the
    module docstring); a dry run, a run without a journal or of limits says nothing."""
    if journal is None or options.dry_run or prepared.kind != "pairs":
        return
    left = journal.left_behind(lambda: _Named.of(prepared))
    if left:
        warnings.warn(_message(left, str(journal.path)), ResumedRowsLeftOut, stacklevel=4)


@dataclass(frozen=True)
class _Named:
    """What this run's rows name: record pairs (both ways) and, per pair as a row sends it,
    the type ids it sends.  A row of a label the stopped run applied is named while the pair
    is, unless every row of that pair is sent in the same direction and none with its type:
    the sheet changed that row's label ('Champion' to 'Decision maker'), and the stopped
    run's 'Champion' stays in HubSpot, unreported.  So for a label the stopped run removed:
    the resume removing 'Decision maker' instead does not report 'Champion' gone (a resume
    removing the pair whole names it)."""

    pairs: frozenset[tuple[str, str]]
    rows: Counter[tuple[str, str]]  # the sheet's rows of each pair, as written
    sent: Mapping[tuple[str, str, str, str], set[int | None]]  # (types, ids) -> type ids
    counts: Counter[tuple[str, str]]  # the rows sent of each pair, as written

    @classmethod
    def of(cls, prepared: Prepared) -> _Named:
        frame = prepared.frame
        rows: Counter[tuple[str, str]] = Counter()
        if "from_id" in frame and "to_id" in frame:
            rows.update(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))
        sent: dict[tuple[str, str, str, str], set[int | None]] = {}
        counts: Counter[tuple[str, str]] = Counter()
        for item in prepared.work().items():
            ids = (str(item.from_id), str(item.to_id))
            counts[ids] += 1
            sent.setdefault((item.from_type, item.to_type, *ids), set()).add(item.type_id)
        both = set(rows) | set(counts)
        return cls(frozenset(both | {(b, a) for a, b in both}), rows, sent, counts)

    def __call__(self, key: SentKey) -> bool:
        action, from_type, to_type, from_id, to_id, category, type_id = key[:7]
        ids = (str(from_id), str(to_id))
        if ids not in self.pairs:
            return False
        if str(action) == str(Action.ARCHIVE) or category != USER_DEFINED or type_id is None:
            return True
        types = self.sent.get((str(from_type), str(to_type), *ids))
        unsent = self.rows[ids] > self.counts[ids] or self.rows[ids[::-1]] > 0
        if types is None or unsent or type_id in types:
            return True
        # a label removed: named too when this run removes the pair whole
        return str(action) in _REMOVALS and None in types


_REMOVALS: Final = frozenset({str(Action.ARCHIVE), str(Action.ARCHIVE_LABELS)})


def _message(left: list[SentKey], path: str) -> str:
    shown = "; ".join(_row(key) for key in left[:_SHOWN])
    more = f" and {len(left) - _SHOWN:,} more" if len(left) > _SHOWN else ""
    return (
        f"This run resumed an earlier run of the journal {path} (stopped before it ended) "
        f"that applied {len(left):,} rows this sheet no longer lists ({shown}{more}): they "
        "stay in HubSpot as that run left them, and this report does not show them. Put "
        "them back in the sheet to have them reported, or take them back with "
        "remove_associations (hubframe remove) for an association created"
        f"{_PUT_BACK if any(str(key[0]) in _REMOVALS for key in left) else ''}."
    )


_PUT_BACK: Final = ", or put back with associate (hubframe associate) for one removed"


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
