"""An undo of a report (or result table) whose run's journal sent more than it lists.

The undo of a run's report or result table ends the open runs of the run's journal that sent to
its record pairs (:func:`hubframe.jobs.unlink._end_journal_runs`): a later run of the sheet
then sends their batches again rather than report the undone rows done.  A run stopped (Ctrl-C,
the daily limit) writes its report and stays open; the same command again resumes it, and when
that resume is killed (or stopped without writing a report of its own), the journal holds sends
the report never heard of.  Undone as it reads, such a report took back only its own rows, ended
the resume too, and left the resume's links in HubSpot, exit 0, nothing said; a later run of the
sheet did not resume, and read those links as there before it.  Such an undo is refused before
anything is sent (:func:`refuse_sends_beyond`), naming how many record pairs the journal holds
beyond the report and the undo from the journal that takes them back.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from hubframe.constants import OBJECT_TYPES_BY_NAME
from hubframe.errors import InputError
from hubframe.run.journal import RecordEnds, SentKey, record_ends
from hubframe.vocab import first_few, object_noun

if TYPE_CHECKING:
    from hubframe.run.journal import Journal

#: How many of the pairs beyond the report the refusal names.
_NAMED: Final = 3


def refuse_sends_beyond(
    journal: Journal, listed: Iterable[SentKey], touching: set[RecordEnds] | None, name: str
) -> None:
    """InputError when the open runs an undo of ``name`` (a report, or "the table") would end
    (:meth:`~hubframe.run.journal.Journal.closing_sent` with ``touching``) sent rows, applied
    or maybe, that ``listed`` (the rows the report says HubSpot applied, or may have) does not
    hold and no undo took back since: the undo would leave them in HubSpot and end their run."""
    beyond = sends_beyond(journal, listed, touching)
    if beyond:
        raise InputError(_beyond_words(name, str(journal.path), beyond))


def sends_beyond(
    journal: Journal, listed: Iterable[SentKey], touching: set[RecordEnds] | None
) -> list[SentKey]:
    """The rows of :func:`refuse_sends_beyond`'s refusal, in a stable order."""
    said = {_loose(key) for key in listed}
    extra = {tuple(key) for key in journal.closing_sent(touching) if _loose(key) not in said}
    if extra:
        left = journal.still_taken_back(extra)  # None: taken back since its last send
        extra -= {key for key, why in left.items() if why is None}
    return sorted(extra, key=lambda key: tuple(str(part) for part in key))


def _loose(key: SentKey) -> SentKey:
    """A row as compared with the report's: a custom object's type may be spelled otherwise
    there (``2-7350001`` for ``p_installations``), so such a row goes by its ids and type."""
    if {str(key[1]), str(key[2])} <= set(OBJECT_TYPES_BY_NAME):
        return tuple(key)
    return (key[0], None, None, *key[3:])


def _pairs(rows: list[SentKey]) -> dict[RecordEnds, str]:
    """The record pairs of ``rows`` (either direction once), in the order first met, each in
    words as its first row names it (from record, then to record)."""
    found: dict[RecordEnds, str] = {}
    for key in rows:
        from_type, to_type, from_id, to_id = (str(part) for part in key[1:5])
        words = f"{object_noun(from_type)} {from_id} and {object_noun(to_type)} {to_id}"
        found.setdefault(record_ends(from_type, from_id, to_type, to_id), words)
    return found


def _beyond_words(name: str, path: str, rows: list[SentKey]) -> str:
    pairs = list(_pairs(rows).values())
    count = len(pairs)
    some = first_few(pairs, _NAMED, sep="; ")
    noun = "record pair" if count == 1 else "record pairs"
    return (
        f"{name}: the run's journal {path} holds {count} {noun} ({some}) that its open "
        f"runs sent, HubSpot applying them or maybe, and that {name} does not list as applied: "
        f"a resume of the run after {name} was made (killed, or stopped without a report of "
        f"its own), or rows deleted from {name}. Undone as it reads, the undo would leave "
        "them in HubSpot and end those runs, so the sheet run again with the journal would "
        "not resume them. Undo from the journal to take back everything its runs sent: "
        f"hubframe undo {shlex.quote(path)} (in Python, hf.undo({path!r}, client); it takes "
        "back every run of the journal since its last undo from it, those of other sheets "
        "too); or run the sheet again with the journal to finish the run, then undo the "
        "report it writes. Nothing was changed."
    )
