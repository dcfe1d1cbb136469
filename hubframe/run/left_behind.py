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
from typing import TYPE_CHECKING

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
    left = journal.left_behind(lambda: _named(prepared))
    if left:
        warnings.warn(_message(left, str(journal.path)), ResumedRowsLeftOut, stacklevel=4)


def _named(prepared: Prepared) -> set[tuple[str, str]]:
    """The record pairs this run's rows name, both ways (its sheet's rows, kept ones too, and
    the rows it sends: a sync's removals of pairs the sheet leaves out)."""
    frame = prepared.frame
    pairs: set[tuple[str, str]] = set()
    if "from_id" in frame and "to_id" in frame:
        ids = zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True)
        pairs.update(ids)
    pairs.update((str(i.from_id), str(i.to_id)) for i in prepared.work().items())
    return pairs | {(b, a) for a, b in pairs}


def _message(left: list[SentKey], path: str) -> str:
    shown = "; ".join(_row(key) for key in left[:_SHOWN])
    more = f" and {len(left) - _SHOWN:,} more" if len(left) > _SHOWN else ""
    return (
        f"This run resumed an earlier run of the journal {path} (stopped before it ended) "
        f"that applied {len(left):,} rows this sheet no longer lists ({shown}{more}): they "
        "stay in HubSpot as that run left them, and this report does not show them. Put "
        "them back in the sheet to have them reported, or take them back with "
        "remove_associations (hubframe remove) for an association created."
    )


def _row(key: SentKey) -> str:
    action, from_type, to_type, from_id, to_id = key[:5]
    removed = str(action) in (Action.ARCHIVE, Action.ARCHIVE_LABELS)
    verb = "removed" if removed else "created"
    return (
        f"{object_noun(str(from_type))} {from_id} -> {object_noun(str(to_type))} {to_id} ({verb})"
    )


__all__ = ["warn_left_behind"]
