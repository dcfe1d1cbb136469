"""Taking associations back: :func:`undo` a run, :func:`remove_associations` on purpose.

:func:`undo` removes exactly what a run of :func:`hubframe.jobs.link` created, and nothing
that was there before it.  It needs the run's record of the pairs' state before sending: the
``existed_before`` / ``linked_before`` columns of its result table (present when the run read
the portal: pre-flight, ``skip_existing``, ``record_existing``, a journal, or any CLI run), or
its journal.  For each row the run created:

* the two records were not associated before the run: the pair is removed with batch archive
  (every type the run put between them goes), unless it holds a label the undo does not take
  back (a row left out of the undo, a label added since): then the row's label goes alone,
  and a row of the plain link is left in place (a pair the rows linked from both sides is
  read again once its labels are off, :mod:`hubframe.jobs.undo_sides`);
* they were associated before, with other types: only the row's label is removed with batch
  labels archive, which keeps the unlabeled link and the other labels.

A :func:`hubframe.sync` also removes: each association it removed (its rows with change
``remove``, which record ``existed_before``) is created again with the type it had -- a label
with batch create, a pair's link with batch associate default -- and the removals of the undo
are sent before these creations (:mod:`hubframe.run.phases`), so a limit the sync made room
under has room again.  A run that removed without recording what was there (``remove``) is
not undone.

Rows the run did not create or remove (failed, invalid, skipped, or already there) are
``skipped`` with a reason; undo never guesses.  Before removing, the portal is read: an
association that is not there any more (undone already, removed by hand) is ``skipped`` with
``NOT_ASSOCIATED``, "not there", never reported as a ``success`` (when that read fails, a row
sent without it says so beside its ``success``: :func:`skip_absent`).  A row whose outcome was
unknown (failed, ``UNKNOWN_OUTCOME``: its write may have been applied) is taken back like a done
one: when a removal was not applied, the association is there and the row says so; creating
one that is there changes nothing.  A creation whose type (its label) the linked pair lacks
never landed, or was removed since: the link the pair holds is not taken for the run's, and a
colleague's since is kept (``NOT_ASSOCIATED``).  A row an earlier undo took back, as the run's
journal records it, is not taken back again (:func:`_taken_back_already`), nor is one whose
change a later run of that journal reversed since (a sync or a remove removing what it made, a
run making again what it removed): what the pair holds now, if anything, was made since, by
hand or by a later run, and is not the run's.

:func:`remove_associations` removes the pairs of a sheet on purpose: a row with a label (or
type id) loses that label only, a row without one loses the whole association.  Both return a
result table of their own (action ``archive``).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Unpack, cast

import numpy as np
import pandas as pd

from hubframe.constants import (
    CATEGORIES,
    EXISTING_COLUMNS,
    HUBSPOT_DEFINED,
    OBJECT_TYPES_BY_NAME,
    PRIMARY_BEFORE,
    STATUS_COLUMNS,
    SYNC_COLUMNS,
)
from hubframe.errors import (
    STOPPING_CODES,
    ErrorCode,
    HubframeError,
    HubframeWarning,
    InputError,
    StopReason,
)
from hubframe.hubspot.client import HubSpotClient
from hubframe.io.meta import without_attrs
from hubframe.io.normalize import canonical_category
from hubframe.io.sources import as_path
from hubframe.jobs.before_flags import refuse_flipped_flags, refuse_unsent, written_pairs
from hubframe.jobs.moved_primary import MovedPrimary, take_back_moved
from hubframe.jobs.undo_beyond import refuse_sends_beyond
from hubframe.jobs.undo_cells import refuse_edited_cells, refuse_lost_codes
from hubframe.jobs.undo_links import cover_links
from hubframe.jobs.undo_runs import changed_later, report_runs, sent_again
from hubframe.jobs.undo_sides import BothSides, PairKey, pair_key
from hubframe.jobs.undo_unlinked import spare_unlinked
from hubframe.report.net import ends
from hubframe.report.reader import (
    JOURNAL_LAST_RUN,
    RunArg,
    acted_on,
    flag,
    journal_read_only,
    load_run,
    net_none,
    net_refused,
    net_replayed,
    no_primary_reading,
    no_reading,
    report_journal,
    undo_of_undo,
)
from hubframe.run.endpoints import batch_links, endpoint, links_present
from hubframe.run.journal import (
    Journal,
    RecordEnds,
    ReportJournalLeftOut,
    SentKey,
    is_journal,
    record_ends,
)
from hubframe.run.labels import LabelBook, disagreement, named
from hubframe.run.lease import Lease, undo_lease
from hubframe.run.options import RunKwargs, RunOptions
from hubframe.run.pairs import labeled_pairs, prepare_pairs, with_actions
from hubframe.run.phases import run_in_phases
from hubframe.run.pipeline import Note, Prepared, RunContext, run_facts, run_job
from hubframe.run.portal import (
    PORTAL_KEY,
    PORTAL_LABEL,
    SENT_TO,
    PortalUnchecked,
    host_of,
    portal_elsewhere,
    refuse_another_address,
    refuse_another_portal_of,
    refuse_another_report_portal,
    refuse_another_run_portal,
)
from hubframe.run.primary import PrimaryRow, primary_companies, primary_spec, replaced_by, row_of
from hubframe.run.rows import (
    issues_argument,
    own_index,
    read_input,
    refuse_unread_part,
    text,
    value,
)
from hubframe.run.work import Batch, Outcome, WorkItem
from hubframe.run.worktable import ACTION_CODE, NONE, WorkTable
from hubframe.vocab import Action, Status, object_noun

# --- undo -------------------------------------------------------------------------------------


def _skip(message: str, code: ErrorCode | None = None) -> Outcome:
    """A run row this undo leaves: nothing to take back (no code), or ``NOT_UNDOABLE`` for a
    row that does not say what undo needs (the analyst can put it back)."""
    return Outcome(Status.SKIPPED, action=Action.ARCHIVE, error_code=code, error_message=message)


def _not_undoable(message: str) -> Outcome:
    return _skip(message, ErrorCode.NOT_UNDOABLE)


def _unrecorded(row: Mapping[Any, Any]) -> str:
    """Why a row the run created is not undone when whether it existed before is not known:
    the run did not record it, or (a column missing) its report lost the column."""
    message = (
        "Not undone: the run did not record whether this association existed before it "
        "(runs from the command line or the notebook app record it; from Python, run "
        "associate with record_existing=True, preflight=True, skip_existing=True or a "
        "journal to make it undoable)."
    )
    missing = [name for name in EXISTING_COLUMNS if name not in row]
    if not missing:
        return message
    said = (
        f"{message.removesuffix('.')} -- or the {' and '.join(missing)} column"
        f"{'s were' if len(missing) > 1 else ' was'} deleted from its report: then undo from "
        "the run's journal (its path is in the report's Summary), or put the column back."
    )
    return said + _if_an_undos(row)


def _if_an_undos(row: Mapping[Any, Any]) -> str:
    """What to do if the row is an undo's own (its result has neither ``existed_before`` nor
    ``linked_before``; a .csv report of one keeps no Summary to say it is an undo's)."""
    if any(name in row for name in EXISTING_COLUMNS):
        return ""
    return (
        " If the file is the result of an undo: undo does not take an undo back; run the "
        "run's sheet again instead."
    )


def _unknown(row: Mapping[Any, Any]) -> bool:
    """True for a row whose outcome the run never learned (its write may have been applied)."""
    failed = value(row.get("status")) == Status.FAILED
    return bool(failed and value(row.get("error_code")) == ErrorCode.UNKNOWN_OUTCOME)


def _acted(row: Mapping[Any, Any]) -> bool:
    """True for a row the run applied (or may have: its outcome is unknown)."""
    return bool(value(row.get("status")) == Status.SUCCESS or _unknown(row))


def _created(row: Mapping[Any, Any]) -> Action | None:
    """The action of a row the run created (or may have: its outcome is unknown), else None."""
    action = value(row.get("action"))
    if not _acted(row) or action not in set(Action):
        return None
    made = Action(action)
    return made if made.creates_association else None


def _removed(row: Mapping[Any, Any]) -> bool:
    """True for a row whose association the run removed (or may have: unknown outcome)."""
    return _acted(row) and value(row.get("action")) in (Action.ARCHIVE, Action.ARCHIVE_LABELS)


#: A row the run applied whose action is gone from the report: what to take back is not known.
_NO_ACTION = (
    "Not undone: the run applied this row, but its action is empty (the column or cell was "
    "cleared), and undo acts only on what the run wrote; put the action back as the run wrote "
    "it (associate, associate_default or archive)."
)


def _restore_row(pos: int, row: Mapping[Any, Any]) -> WorkItem | Outcome:
    """The creation that takes back one removal of a run, or why there is none."""
    existed = flag(value(row.get("existed_before")))
    if existed is None:
        return _not_undoable(
            "Not undone: the run removed this association without recording what the two "
            "records held before it (a sync records it; remove_associations does not)."
            + _if_an_undos(row)
        )
    # a report shows both removals as "archive", with the label; a journal keeps the action.
    # A row without a label is the pair's link or a label whose cell was cleared: its type id
    # tells, by the pair's labels list (_restored_label; a custom object's link is
    # USER_DEFINED); only a row without one is taken for a label by its category.
    action = value(row.get("action"))
    category = _category(row)
    type_id = value(row.get("type_id"))
    labeled = (
        text(row.get("label")) is not None
        or action == Action.ARCHIVE_LABELS
        or (type_id is None and category not in (None, HUBSPOT_DEFINED))
    )
    restore = endpoint(Action.ARCHIVE_LABELS if labeled else Action.ARCHIVE).undo[int(existed)]
    if restore is None:
        return _skip("Left out: the association was not there before the run.")
    if restore is Action.ASSOCIATE and type_id is None:
        return _not_undoable(_NO_TYPE_ID.format(verb="Not created again"))
    return WorkItem(
        position=pos,
        action=restore,
        from_type=str(row["from_type"]),
        to_type=str(row["to_type"]),
        from_id=str(row["from_id"]),
        to_id=str(row["to_id"]),
        category=category if labeled else None,
        # a link's type: a label whose cells were cleared is told from it (_restored_labels)
        type_id=int(type_id) if type_id is not None else None,
        label=text(row.get("label")),
    )


#: A label's row whose type id is gone from the report: which type to act on is not known.
_NO_TYPE_ID = (
    "{verb}: the row names a label but no type_id (the column or cell was cleared), and undo "
    "acts only on the type the run wrote; put the type_id back as the run wrote it."
)


def _category(row: Mapping[Any, Any]) -> str | None:
    """The row's category as HubSpot spells it ('user defined' -> USER_DEFINED); None when
    the cell is empty or names none (the portal then says, from the type id)."""
    found = canonical_category(value(row.get("category")))
    return found if found in CATEGORIES else None


#: A journal's row whose run recorded what its pairs held before it, but not this pair's.
_NO_READING: Final = (
    "Not undone: the journal holds no reading of what these two records held before the run "
    "that made this association (that run recorded the other pairs' readings, not this one's: "
    "an older hubframe left none for a run that went by another open run's reading), so "
    "whether it existed before is not known and it is left in place. Undo from that run's "
    "report instead (its existed_before and linked_before columns say it)."
)


def _undo_row(
    pos: int, row: Mapping[Any, Any], *, unread: bool = False, primary_unread: bool = False
) -> WorkItem | Outcome | MovedPrimary:
    """What takes one row of a run back, or why nothing does (``unread``: a journal's row
    whose run recorded readings but none of this pair, :func:`no_reading`;
    ``primary_unread``: a journal's row setting a record's primary company whose run left no
    reading of the record's primary companies, :func:`no_primary_reading`)."""
    if _removed(row):
        return _restore_row(pos, row)
    made = _created(row)
    if made is None:
        status, action = value(row.get("status")), value(row.get("action"))
        if _acted(row) and action is None:
            return _not_undoable(_NO_ACTION)
        if _acted(row):
            return _skip(
                f"Not undone: the run did not create an association here (action {action})."
            )
        return _skip(f"Not undone: the run did not create this association (status {status}).")
    existed, linked = (
        flag(value(row.get("existed_before"))),
        flag(value(row.get("linked_before"))),
    )
    if existed is None or linked is None:
        return _not_undoable(_NO_READING if unread else _unrecorded(row))
    if existed:
        return _skip("Left in place: the association existed before the run.")
    kept = _primary_kept(row, unread=primary_unread)
    removal = _removal_of(pos, row, made, linked=linked)
    if kept is None or not isinstance(removal, WorkItem):
        return removal if kept is None else _not_undoable(kept)
    moved = None if primary_unread else _moved_from(row)
    if moved is None:
        return _not_undoable(kept)
    return MovedPrimary(removal, _not_undoable(kept), *moved)


def _removal_of(
    pos: int, row: Mapping[Any, Any], made: Action, *, linked: bool
) -> WorkItem | Outcome:
    """The removal that takes back a row the run created (that did not exist before it)."""
    type_id = value(row.get("type_id"))
    removal = endpoint(made).undo[1 if linked else 0]
    if removal is None:
        return _skip("Left in place: the two records were associated before the run.")
    if removal is Action.ARCHIVE_LABELS and type_id is None:
        return _not_undoable(_NO_TYPE_ID.format(verb="Not removed"))
    labeled = removal is Action.ARCHIVE_LABELS
    return WorkItem(
        position=pos,
        action=removal,
        from_type=str(row["from_type"]),
        to_type=str(row["to_type"]),
        from_id=str(row["from_id"]),
        to_id=str(row["to_id"]),
        category=_category(row) if labeled else None,
        type_id=int(type_id) if labeled else None,
        label=value(row.get("label")),
    )


def _primary_kept(row: Mapping[Any, Any], *, unread: bool = False) -> str | None:
    """Why a row making a company a record's primary is not taken back (its ``primary_before``
    names another company, or cannot be read; ``unread``: the journal it comes from holds no
    reading of the record's primary companies), else None (any other row, or a record that
    had no primary company: the row's label goes as any other)."""
    primary = _primary_of(row)
    if primary is None:
        return None
    if unread:
        return _primary_unread(primary)
    if PRIMARY_BEFORE not in row:
        return (
            f"Not undone: this row made company {primary.company_id} the primary company of "
            f"{object_noun(primary.record_type)} {primary.record_id}, and the "
            f"{PRIMARY_BEFORE} column, which says which company held it before, is not in "
            "the run's table (deleted from its report, or a run of an older hubframe): taking "
            "the row back could leave the record with no primary company. Undo from the "
            "run's journal, or put the column back."
        )
    before = primary_companies(row.get(PRIMARY_BEFORE))
    if before is None:
        return (
            f"Not undone: the {PRIMARY_BEFORE} cell ({text(row.get(PRIMARY_BEFORE))!r}) is "
            "not the company ids the run wrote (edited?), and it says which company held "
            f"{object_noun(primary.record_type)} {primary.record_id}'s primary before the "
            "row: put it back as the run wrote it (empty when none)."
        )
    others = replaced_by(primary, before)
    return _moved_primary(primary, others) if others else None


def _primary_of(row: Mapping[Any, Any]) -> PrimaryRow | None:
    """The run row as a :class:`PrimaryRow` when it sets a record's primary company."""
    return row_of(
        str(row.get("from_type")),
        str(row.get("from_id")),
        str(row.get("to_type")),
        str(row.get("to_id")),
        _category(row),
        value(row.get("type_id")),
    )


def _moved_from(row: Mapping[Any, Any]) -> tuple[PrimaryRow, tuple[str, ...]] | None:
    """The record's primary a row moved and the companies it moved it from (its readable
    ``primary_before``, but the row's own company), else None."""
    primary = _primary_of(row)
    before = primary_companies(row.get(PRIMARY_BEFORE)) if PRIMARY_BEFORE in row else None
    if primary is None or before is None:
        return None
    others = replaced_by(primary, before)
    return (primary, tuple(others)) if others else None


def _primary_unread(row: PrimaryRow) -> str:
    """Why a journal's row that set a record's primary company is not undone when its run did
    not read which company held that primary before it."""
    noun, record = object_noun(row.record_type), row.record_id
    return (
        f"Not undone: this row made company {row.company_id} the primary company of {noun} "
        f"{record}, and which company was {noun} {record}'s primary before the run was not read "
        "(the journal holds no reading of it: a run of an older hubframe, whose syncs did not "
        "read it). If another company held it, taking the row back would leave the "
        f"{noun} with no primary company. Undo from the run's report if it has a "
        f"{PRIMARY_BEFORE} column; else check {noun} {record} in HubSpot and remove the "
        f"association with {row.company_id} there if it had no primary company before."
    )


def _moved_primary(row: PrimaryRow, companies: list[str]) -> str:
    """Why a row that moved a record's primary company is not undone."""
    old, company = " and ".join(companies), row.company_id
    noun, record = object_noun(row.record_type), row.record_id
    return (
        f"Not undone: this row made company {company} the primary company of {noun} {record} "
        f"in place of {old} (HubSpot keeps one), and taking it back would leave the {noun} "
        f"with no primary company: undo does not set {old} as primary again. Associate "
        f"{noun} {record} with {old} as Primary again (that moves it back), then remove the "
        f"association with {company} if you do not want it."
    )


def _base(frame: pd.DataFrame) -> pd.DataFrame:
    """The run's rows without its outcome: inputs and the analyst's columns."""
    owned = (*STATUS_COLUMNS, *EXISTING_COLUMNS, PRIMARY_BEFORE, *SYNC_COLUMNS)
    drop = [c for c in owned if c in frame.columns]
    base = frame.drop(columns=drop).reset_index(drop=True)
    meta = frame.attrs.get("hubframe")
    kept = {k: v for k, v in meta.items() if k != "sync"} if isinstance(meta, Mapping) else meta
    base.attrs = {**frame.attrs, "hubframe": kept} if kept is not None else dict(frame.attrs)
    return base


def undo(run: RunArg, client: HubSpotClient, **options: Unpack[RunKwargs]) -> pd.DataFrame:
    """Take a run back: remove the associations it created and, for a sync, create again the
    ones it removed; returns a result table (one row per run row).

    ``run``: the result table of :func:`hubframe.associate`, a report it was written to
    (``.xlsx``: its Results sheet, or ``.csv``), or the run's journal.  See the module
    docstring for what is removed.  The run's journal (a fresh result table's, the one an
    ``.xlsx`` report's Summary names when it is the run's: :func:`_report_journal`, or the one
    undone) has its open runs ended and keeps what the undo took back: a later run with it
    sends those rows again, and a later undo from it leaves them alone.  The undo of a report
    or table whose journal's open runs sent rows it does not list as applied (a resume of the
    stopped run, killed since) is refused before anything is sent: :func:`_refuse_beyond`.
    Run options as for
    :func:`hubframe.associate`; ``journal`` here records the undo's own batches (to resume an
    interrupted undo); ``dry_run`` plans the removals without sending them.
    """
    index = own_index(run.index) if isinstance(run, pd.DataFrame) else None
    opts = RunOptions.of(options)
    facts = run_facts(run) if isinstance(run, pd.DataFrame) else None
    if facts is not None and facts.job == "undo":
        raise InputError(undo_of_undo("the table"))
    with _undo_lease(run, opts.dry_run) as leased:
        return _undo(run, client, index, opts, leased)


def _undo(
    run: RunArg,
    client: HubSpotClient,
    index: pd.Index | None,
    opts: RunOptions,
    leased: Path | None,
) -> pd.DataFrame:
    """:func:`undo`, under the journal's lease when undoing a journal (``leased``), and
    under the lease of the journal a report or result table names once it is found."""
    table = load_run(run)
    missing = [c for c in ("from_type", "from_id", "to_type", "to_id") if c not in table]
    if missing:  # a table edited in Python (a report's are refused as they are read)
        raise InputError(
            f"not a hubframe result table of associations: it has no {', '.join(missing)} "
            "column (dropped?); undo needs the records of every row: put it back."
        )
    _refuse_dry_run(table, run)
    _refuse_own_journal(table, opts.journal)
    job = _Undo(table, index, _RunJournal(leased=leased))
    try:
        result = _undo_advice(run_in_phases(job, client, opts))
        if not opts.dry_run:
            _journal_taken_back(table, result, client, job, opts)
    finally:
        job.journal.release()
    return result


class UndoNotJournaled(HubframeWarning):
    """An undo sent its removals, and the run's journal could not record what it took back (a
    full disk, out of memory): its table is returned (its report and retry file written), and
    the warning says what a later undo from that journal would do."""


def _journal_taken_back(
    table: pd.DataFrame, result: pd.DataFrame, client: HubSpotClient, job: _Undo, opts: RunOptions
) -> None:
    """Record in the run's journal what this undo took back (:func:`_note_taken_back`) and,
    when it took back every row it found from a journal, that the journal's runs are undone
    (:func:`_mark_taken_back`).  A failure there comes after the removals were sent: it is
    warned of (:class:`UndoNotJournaled`), and the undo's table is returned.  Before, it was
    raised: ``hf.undo`` lost the table of removals it had made, and ``hubframe undo`` wrote no
    report and no retry file, its one line saying only that the journal could not be written."""
    cancelled = opts.cancel is not None and opts.cancel.is_set()
    path = job.journal.path or _journal_read(table)
    try:
        _note_taken_back(table, result, client, job.journal.path, job.journal.book)
        if not (cancelled or _rows_left(result)):
            _mark_taken_back(table, client)
    except Exception as exc:  # a full disk, out of memory: after the removals were sent
        said = " ".join(str(exc).split()) or type(exc).__name__
        warnings.warn(
            UndoNotJournaled(
                f"This undo's removals were sent (its table, report and retry file say which), "
                f"but the journal {path} could not record what it took back ({said}). An undo "
                "from that journal later would take these rows back again: check first that "
                "none of their links was made again by hand since, or undo from this undo's "
                "report instead."
            ),
            stacklevel=4,
        )


#: A run's advice for a row whose removal may not be done ("Run the retry file: sending it
#: again is safe"), and what an undo says instead: an undo's retry file is run by `hubframe
#: remove`, which takes only the label of a labeled row whose pair the undo removes whole.
#: The advice may end a sentence or a message quoted inside another ("... Run the retry file:
#: sending it again is safe), but an earlier attempt ..."); advice that goes on ("Run the
#: retry file later (after the daily limit ...)") is left whole rather than cut in two.
_RETRY_ADVICE: Final = re.compile(
    r"\b([Rr])un the retry file(?:: sending it again is safe| later)?(?=[.)]|$)(\.?)"
)
_UNDO_AGAIN: Final = (
    "un the undo again (of the same report or journal): it takes back only what is still there"
)


def _undo_advice(result: pd.DataFrame) -> pd.DataFrame:
    """The undo's rows advised as an undo's, not as a run's (see :data:`_RETRY_ADVICE`)."""
    if "error_message" not in result.columns:
        return result
    said = result["error_message"]
    told = said.map(
        lambda m: (
            _RETRY_ADVICE.sub(lambda f: f.group(1) + _UNDO_AGAIN + f.group(2), m)
            if isinstance(m, str)
            else m
        )
    )
    if not told.equals(said):
        result["error_message"] = told
    return result


@contextmanager
def _undo_lease(run: RunArg, dry_run: bool) -> Iterator[Path | None]:
    """The journal's exclusive lease (:func:`~hubframe.run.lease.undo_lease`) for an undo
    from a journal, from before it reads the journal to after it marks it: refused while a
    run records in it, whose batches recorded after the read the mark would cover, and no
    later undo take back.  A dry run writes nothing to the journal and needs none."""
    path = None if dry_run else _journal_file(run)
    if path is None:
        yield None
        return
    if path.is_file() and not is_journal(path):  # another program's database: refused
        Journal(path).close()  # before a lease file is made beside it (an empty one: made)
    with undo_lease(path):
        if isinstance(run, pd.DataFrame):
            _refuse_changed_since(run, path)
        yield path


def _refuse_changed_since(table: pd.DataFrame, path: Path) -> None:
    """A table read from a journal (``load_run``) before the undo took the journal's lease:
    InputError when a run (or an undo) used the journal since -- the table does not hold
    what that run recorded, and the mark this undo leaves would cover it."""
    meta = table.attrs.get("hubframe") or {}
    read = meta.get(JOURNAL_LAST_RUN) if isinstance(meta, Mapping) else None
    if not isinstance(read, int):
        return
    with Journal(path) as journal:
        now = journal.last_run()
    if now > read:
        raise InputError(
            f"journal {path}: a run used it after this table was read from it, and the table "
            "does not hold what that run recorded; read the journal again "
            "(hubframe.report.load_run, or undo the journal's path). Nothing was sent."
        )


def _journal_file(run: RunArg) -> Path | None:
    """The journal ``run`` names (a Journal, the path of a SQLite file, or a table read from
    one and still there); None for another table or a report (or a path that cannot be read:
    :func:`load_run` says why)."""
    if isinstance(run, Journal):
        return run.path
    if isinstance(run, pd.DataFrame):
        read = _journal_read(run)
        return as_path(read) if read and Path(read).is_file() else None
    if not isinstance(run, (str, os.PathLike)):
        return None
    try:
        path = as_path(run)
        if not path.is_file():  # a folder, a named pipe (its read would wait): load_run says
            return None
        with path.open("rb") as handle:
            magic = handle.read(len(_SQLITE_MAGIC))
    except (OSError, InputError, TypeError, ValueError):
        return None
    return path if magic == _SQLITE_MAGIC else None


_SQLITE_MAGIC: Final = b"SQLite format 3\x00"


def _refuse_dry_run(table: pd.DataFrame, run: RunArg) -> None:
    """A dry run's table or report (rows planned, none sent): InputError saying so.  Before,
    its undo skipped every row, one by one, and ended as if done (exit 0)."""
    if "status" not in table.columns or table.empty:
        return
    statuses = set(table["status"].astype("string").dropna().str.strip().str.lower())
    if Status.PLANNED.value in statuses and not statuses & {Status.SUCCESS, Status.FAILED}:
        if isinstance(run, pd.DataFrame):
            name = "the table"
        elif isinstance(run, Journal):
            name = run.path.name
        else:
            name = Path(run).name
        raise InputError(
            f"{name} is the result of a dry run: its rows were planned and none was sent, so "
            "there is nothing to undo."
        )


def _refuse_own_journal(table: pd.DataFrame, journal: object) -> None:
    """InputError when the undo's own ``journal=`` is the journal of the run it takes back:
    the undo's removals were recorded there as a run of their own, and a later undo from the
    journal took that run back too -- every row NOT_UNDOABLE, exit 1, though nothing was left
    to undo.  The run's journal keeps what an undo takes back without it."""
    if journal is None:
        return
    mine = journal.path if isinstance(journal, Journal) else as_path(cast(Any, journal))
    named = report_journal(table)
    for theirs in (_journal_of(table), named[0] if named else None):
        if theirs and _same_file(mine, Path(theirs)):
            raise InputError(
                f"The undo's journal {mine.name} is the journal of the run it takes back: that "
                "journal keeps what the undo takes back already, and the undo's own removals "
                "would be recorded there as a run a later undo from it takes back too. Give "
                "the undo a journal of its own (to resume it if it is interrupted), or none."
            )


def _same_file(one: Path, other: Path) -> bool:
    """One file under two names (a relative path, a link), or one path where none is yet."""
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


#: Undo outcomes of a run row that leave nothing of it to take back: taken back, or found
#: already gone (``NOT_ASSOCIATED``).
_GONE_CODES: Final = frozenset({str(ErrorCode.NOT_ASSOCIATED)})


def _note_taken_back(
    table: pd.DataFrame,
    result: pd.DataFrame,
    client: HubSpotClient,
    path: str | None,
    book: LabelBook | None = None,
) -> None:
    """Keep in the run's journal (``path``: a fresh result table's, its report's, or the
    journal undone) the rows this undo took back, or found gone: a later undo from the journal
    leaves them alone.  Before, undoing a result table and then the journal removed a link made
    again by hand in between (the journal said the run had made it, on a pair with nothing
    before), reported success."""
    if path is None:
        return
    status = result["status"].astype("string").fillna("").tolist()
    codes = result["error_code"].astype("string").fillna("").tolist()
    done = [
        n
        for n, (s, c) in enumerate(zip(status, codes, strict=True))
        if s == "success" or c in _GONE_CODES
    ]
    if not done:
        return
    keys = _sent_keys(table, done, book or LabelBook(client))
    with Journal(path) as journal:
        journal.bind(client)
        journal.take_back(keys)


def _sent_keys(table: pd.DataFrame, positions: list[int], book: LabelBook) -> list[SentKey]:
    """The rows of ``table`` at ``positions`` as a journal keys what it sent.  A removal row
    (a sync's, shown ``archive``) is keyed as it was sent: the pair's batch archive (no
    category, no type) when the run removed the pair whole -- its link's row
    (:func:`_link_removals`), and the label rows riding on it -- else its label's batch labels
    archive.  Before, a removal was keyed by its cells, which the journal never holds, so a
    later undo from the journal took it back again."""
    columns = ("action", "from_type", "to_type", "from_id", "to_id", "category", "type_id")
    rows = table.iloc[positions].reindex(columns=list(columns))
    keys = [
        tuple(_key_part(v) for v in values) for values in rows.itertuples(index=False, name=None)
    ]
    acted = np.flatnonzero(acted_on(table)).tolist()
    needed = sorted({*acted, *positions})
    records = dict(zip(needed, table.iloc[needed].to_dict("records"), strict=True))
    whole = _link_removals([records[n] for n in acted], book)
    out: list[SentKey] = []
    for n, key in zip(positions, keys, strict=True):
        if not _removed(records[n]):
            out.append(key)
        elif key[1:5] in whole:
            out.append((str(Action.ARCHIVE), *key[1:5], None, None))
        else:
            out.append((str(Action.ARCHIVE_LABELS), *key[1:]))
    return out


def _record_pair(row: Mapping[Any, Any]) -> tuple[Any, ...]:
    return tuple(_key_part(row.get(c)) for c in ("from_type", "to_type", "from_id", "to_id"))


def _link_removals(rows: list[Mapping[Any, Any]], book: LabelBook) -> set[tuple[Any, ...]]:
    """The record pairs whose link one of ``rows`` removed (the pair removed whole: batch
    archive), told by the pairs' labels lists, read once per object pair."""
    maybe = [row for row in rows if _may_be_link_removal(row)]
    book.prefetch(
        (str(row["from_type"]), str(row["to_type"]))
        for row in maybe
        if isinstance(_key_part(row.get("type_id")), int)
    )
    return {_record_pair(row) for row in maybe if _is_link_removal(row, book)}


def _may_be_link_removal(row: Mapping[Any, Any]) -> bool:
    """A removal row without a label: the pair's link, or a label whose cell was cleared."""
    return (
        _removed(row)
        and value(row.get("action")) == Action.ARCHIVE
        and text(row.get("label")) is None
    )


def _is_link_removal(row: Mapping[Any, Any], book: LabelBook) -> bool:
    """Whether a removal row without a label removed the pair's link: its type id is one the
    pair's labels list gives no label (HUBSPOT_DEFINED between two standard objects, a custom
    object's USER_DEFINED); a row without a type id, or of a pair whose list cannot be read,
    by its category (empty or HUBSPOT_DEFINED).  Before, the category alone decided, and a
    custom object's link was taken for a label."""
    type_id = _key_part(row.get("type_id"))
    unlabeled = None
    if isinstance(type_id, int):
        try:
            unlabeled = book.unlabeled_ids(str(row["from_type"]), str(row["to_type"]))
        except HubframeError:  # a stopping error: the run's own report says it
            unlabeled = None
    if unlabeled is None:
        return _category(row) in (None, HUBSPOT_DEFINED)
    return type_id in unlabeled


def _key_part(cell: Any) -> Any:
    """A cell of a run row as the journal keys it: None where empty, a type id an int."""
    found = value(cell)
    if found is None:
        return None
    if isinstance(found, (int, np.integer)) or (isinstance(found, float) and found.is_integer()):
        return int(found)
    return str(found)


def _rows_left(result: pd.DataFrame) -> bool:
    """Rows an undo did not settle: failed (of unknown outcome too), or not sent because the
    run stopped (the daily limit, a refused token: skipped with a stopping code)."""
    status = result["status"].astype("string")
    codes = result["error_code"].astype("string").isin([str(c) for c in STOPPING_CODES])
    return bool(((status == Status.FAILED) | codes.fillna(False)).any())


def _mark_taken_back(table: pd.DataFrame, client: HubSpotClient) -> None:
    """An undo read from a journal that took back every row it found (:func:`_rows_left`:
    none) marks the journal: a later undo from it takes back only later runs.  One with rows
    left keeps them for the next undo ("run the undo again")."""
    path = _journal_read(table)
    if path:
        with Journal(path) as journal:
            journal.bind(client)
            journal.mark_taken_back()


def _journal_of(table: pd.DataFrame) -> str | None:
    """The journal of the run ``table`` holds: the one it was read from, or a fresh result
    table's (when its file is still there); None for a report (:func:`_report_journal`)."""
    path = _journal_read(table)
    facts = run_facts(table)
    if not path and facts is not None and facts.journal and Path(facts.journal).is_file():
        path = facts.journal
    return path


def _journal_read(table: pd.DataFrame) -> str | None:
    """The journal ``table`` was read from (None: a result table, a report)."""
    meta = table.attrs.get("hubframe") or {}
    portal = meta.get(PORTAL_KEY) if isinstance(meta, Mapping) else None
    path = portal.get("journal") if isinstance(portal, Mapping) else None
    return str(path) if path else None


def _report_journal(
    table: pd.DataFrame, client: HubSpotClient, book: LabelBook | None = None
) -> str | None:
    """The journal an .xlsx report's Summary names
    (:func:`~hubframe.report.reader.report_journal`), when it is the report's run's: a
    hubframe journal of this undo's portal that sent at least one of the
    rows the report says the run applied (one that sent none is refused: :func:`_holds_none`).
    Else None, warned (:class:`ReportJournalLeftOut`) and nothing refused: the report may have
    moved to another machine, where the path is another file or none.  A report whose run
    applied nothing needs none (nothing is taken back).  Nothing is written to a file that
    fails these checks."""
    named = report_journal(table)
    if named is None:
        return None
    path, report = named
    applied = np.flatnonzero(acted_on(table)).tolist()  # applied, or maybe (unknown)
    if not applied:
        return None
    why: str | None = None
    read_only = Path(path).is_file() and journal_read_only(Path(path))
    if not Path(path).is_file():
        why = "it is not there (the report was moved, or the journal deleted or renamed)"
    elif read_only:  # before: "not a hubframe journal" (SQLite cannot open it read-only)
        why = f"it cannot be written ({read_only})"
    elif not is_journal(path):
        why = "it is not a hubframe journal"
    else:
        try:
            with Journal(path) as journal:
                key = journal.portal()  # never written here: bind would tie a new one
                if key is None:
                    why = "no run has used it (it is not the run's journal)"
                elif not key.matches(client):
                    why = f"it was written by runs against {portal_elsewhere(key, client)}"
                elif not journal.sent_any(_sent_keys(table, applied, book or LabelBook(client))):
                    why = _HOLDS_NONE if _no_pair_sent(journal, table, applied) else _OTHER_KEYS
        except InputError as exc:  # a journal that cannot be opened or read
            why = f"it cannot be used ({str(exc).removeprefix(f'journal {path}: ')})"
    if why == _HOLDS_NONE:
        raise InputError(_holds_none(report, path))
    if why is None:
        return path
    then = (
        "Once it can be written again, do not run the sheet again with it"
        if read_only
        else "If that run's journal is elsewhere, do not run the sheet again with it"
    )
    warnings.warn(
        f"{report}: its Summary names the journal {path}, but {why.rstrip('.')}; the undo goes "
        "on without it (its runs are not ended, and what this undo takes back is not kept in "
        f"it). {then} (rows taken back here could be reported done from it) nor undo from it: "
        "give the next run a new journal.",
        ReportJournalLeftOut,
        stacklevel=2,
    )
    return None


_HOLDS_NONE: Final = "it holds none of the rows the report says the run applied"
_OTHER_KEYS: Final = (
    "it holds none of the rows the report says the run applied as the report writes them "
    "(another spelling of a custom object, say)"
)


def _no_pair_sent(journal: Journal, table: pd.DataFrame, applied: list[int]) -> bool:
    """Whether the journal sent no write of any record pair the report's applied rows name
    (of their kind): the report's ids were all edited, or it is another journal.  A journal
    that wrote the pairs under other keys (a custom object's other spelling) is the run's."""
    rows = without_attrs(table).iloc[applied].to_dict("records")
    pairs = set(written_pairs(rows, range(len(rows))).values())
    return bool(pairs) and journal.never_sent(pairs) == pairs


def _holds_none(report: str, path: str) -> str:
    """A report whose Summary names a journal of this portal that sent none of the rows the
    report says the run applied: its ids were all edited since, or the path holds another
    journal now.  Which cannot be told, and undone as it reads, an edited report removes
    associations the run never made: refused."""
    return (
        f"{report}: its Summary names the run's journal {path}, which holds none of the rows "
        "the report says the run applied: the report's ids were edited (a column sorted alone, "
        "ids typed over), or that path holds another journal now. Undo from the report as the "
        "run wrote it, or from the run's journal itself. If the file there is another "
        "journal (the run's was deleted and its name used again), move it away and undo "
        "again: the undo then goes on without it. Nothing was changed."
    )


@dataclass
class _RunJournal:
    """The journal of the run undone, found once (before sending) for use after the undo,
    and the labels lists the undo read (which of its removal rows were a pair's link)."""

    path: str | None = None
    book: LabelBook | None = None
    #: the journal's path when the undo holds its lease already (an undo from the journal)
    leased: Path | None = None
    #: the lease taken for the journal a report or result table names (:meth:`hold`)
    lease: Lease | None = None

    def hold(self) -> None:
        """Take the journal's exclusive lease (:func:`~hubframe.run.lease.undo_lease`) for
        the journal found (:attr:`path`) when the undo holds none of it yet: an undo of a
        report (or a result table) marks in the run's journal what it took back, and a run
        of that journal recording beside it had its rows, sent after the mark's run number,
        taken for "taken back already": a later undo of that run's report, or of the journal,
        left them all in HubSpot.  InputError while a run records in it."""
        if self.path is None or self.lease is not None:
            return
        path = Path(self.path)
        if self.leased is None or not _same_path(path, self.leased):
            self.lease = undo_lease(path)

    def release(self) -> None:
        if self.lease is not None:
            lease, self.lease = self.lease, None
            lease.release()


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@dataclass(frozen=True)
class _Undo:
    run: pd.DataFrame
    index: pd.Index | None = None  # the run table's own labels (None: 0..n-1 or a file)
    journal: _RunJournal = field(default_factory=_RunJournal)  # set by prepare

    def prepare(self, run: RunContext) -> Prepared:
        refuse_another_portal_of(self.run.attrs, run.client)  # a journal's: its own portal only
        sent = _sent_to(self.run)
        if sent is not None:
            refuse_another_address(*sent, run.client)
        refuse_another_report_portal(_report_sent(self.run), run.client)
        facts = run_facts(self.run)
        if facts is not None and facts.portal is not None:
            refuse_another_run_portal(facts.portal, run.client)
        _refuse_edited_lookups(self.run, run.client)
        book = self.journal.book = LabelBook(run.client)
        if not run.options.dry_run:
            self.journal.path = _journal_of(self.run) or _report_journal(self.run, run.client, book)
            self.journal.hold()  # before anything is read from it or written to it
            _end_journal_runs(self.journal.path, run.client, self.run, book)
            if self.journal.path is None and not _names_portal(self.run):
                _warn_unchecked(self.run, run.client)
        elif not _names_portal(self.run) and not _names_journal(self.run):
            _warn_unchecked(self.run, run.client)  # the dry run warns as the undo would
        prepared = Prepared("pairs", _base(self.run), "undo")
        prepared.index = self.index  # one row per run row, labelled as the run's were
        items: list[WorkItem] = []
        moved: list[MovedPrimary] = []
        rows = without_attrs(self.run).to_dict("records")
        unread, nothing = no_reading(self.run), net_none(self.run)
        refused = net_refused(self.run)
        primary_unread = no_primary_reading(self.run)
        journal = self._journal_path(run, book)
        if run.options.dry_run:
            _dry_refuse_beyond(journal, self.run, book)
        runs = None if _journal_read(self.run) else report_runs(self.run, journal)
        _refuse_edited_cells(self.run, rows, journal, book, runs)
        nothing.update(_taken_back_already(self.run, journal, book, runs))
        for pos, row in enumerate(rows):
            found = (
                _not_undoable(refused[pos])
                if pos in refused
                else _skip(nothing[pos])
                if pos in nothing
                else _undo_row(pos, row, unread=pos in unread, primary_unread=pos in primary_unread)
            )
            if isinstance(found, WorkItem):
                items.append(found)
            elif isinstance(found, MovedPrimary):
                moved.append(found)
            else:
                prepared.settled[pos] = found
        items = take_back_moved(items, moved, prepared)
        replayed = net_replayed(self.run)
        # a journal's pair several runs changed goes by its first run's reading (report.net),
        # which a later run's reading from the other side contradicts: no edit of a report
        refuse_flipped_flags(journal, [i for i in items if not _replays(i, replayed)], rows)
        refuse_unsent(journal, items, rows, runs)
        items = _agreeing(items, rows, prepared, book)
        items = _spare_other_labels(
            items, rows, prepared, run.client, replayed, run.options.dry_run
        )
        items = _with_categories(items, prepared, book)
        items = spare_unlinked(
            items, prepared, lambda found: _types_held(run.client, found), book.unlabeled_ids
        )
        items = cover_links(items, prepared)
        prepared.items, prepared.count = items, len(items)
        prepared.unlabeled.update(book.unlabeled_read())
        prepared.label_names.update(book.names_read())
        if items:
            skip_absent(prepared, run.client, run.journal)
        return prepared

    def _journal_path(self, run: RunContext, book: LabelBook) -> str | None:
        """The run's journal, to check the run rows' before-state against: the one found for
        the real run, or (a dry run, which ends no journal run) found as the real run would."""
        if not run.options.dry_run:
            return self.journal.path
        with warnings.catch_warnings():  # the real run says it, when it cannot be used
            warnings.simplefilter("ignore", ReportJournalLeftOut)
            return _journal_of(self.run) or _report_journal(self.run, run.client, book)


def _refuse_edited_lookups(table: pd.DataFrame, client: HubSpotClient) -> None:
    """A report or result table of a run that looked records up (emails, domains) whose id of
    such a side is not the record its cell names: the ``to_id`` column edited (cells swapped,
    sorted alone) -- the undo would remove links that were there before the run and leave the
    run's own.  Its own id column ("Contact ID") is held to its ids as the table is read
    (:func:`~hubframe.io.conform.check_report_ids`); a looked-up side's cells are looked up
    again (:func:`~hubframe.run.lookup.refuse_undone_edits`).  A journal is not edited."""
    if _journal_read(table) or "status" not in table.columns:
        return
    from hubframe.io.conform import looked_up_columns
    from hubframe.run.lookup import refuse_undone_edits

    meta = table.attrs.get("hubframe")
    source = meta.get("source") if isinstance(meta, Mapping) else None
    report = isinstance(meta, Mapping) and not meta.get("column_map") and source
    where = str(source) if report else "the result table"
    looked = looked_up_columns(table, where)
    if looked:
        refuse_undone_edits(table, client, looked, acted_on(table), where)


def _refuse_edited_cells(
    table: pd.DataFrame,
    rows: list[dict[Any, Any]],
    path: str | None,
    book: LabelBook,
    runs: frozenset[int] | None,
) -> None:
    """A report (or result table) whose cells that decide what the undo does were edited
    since the run: held to the run's journal when it is known
    (:func:`~hubframe.jobs.undo_cells.refuse_edited_cells`), else refused when its failed
    rows lost their ``error_code`` column.  A table read from a journal is the journal's.
    ``runs``: the report's run and the runs it resumed, when the report names it."""
    if _journal_read(table) or "status" not in table.columns:
        return
    refuse_lost_codes(table, path)
    acted = acted_on(table)
    keys = _sent_keys(table, list(range(len(rows))), book) if path and acted.any() else []
    refuse_edited_cells(path, rows, keys, acted.tolist(), runs)


def _taken_back_already(
    table: pd.DataFrame, path: str | None, book: LabelBook, runs: frozenset[int] | None = None
) -> dict[int, str]:
    """The rows of a run's table (a report, a result table) that its journal (``path``)
    records an earlier undo took back, or found gone, with no run sending them since, or that
    a later run of the journal sent again after an undo took them back from the table's run
    (``runs``: :func:`~hubframe.jobs.undo_runs.report_runs`), and why they are left
    (:meth:`Journal.still_taken_back`).  Before, a second undo of the report (as a partial
    one advises) took them back again: a link made again by hand since, on a pair with
    nothing before the run, was removed and reported ``success``, though an undo from the
    journal left it; and so was a link a later run of the journal made again.  Also left: a
    row whose change a later run of the journal reversed since (a sync or a remove removing
    what it made, a run making again what it removed: :meth:`Journal.changed_later`): what
    the pair holds now is not the run's.  A table read
    from the journal leaves them out already (it replays the runs' net change)."""
    if path is None or _journal_read(table):
        return {}
    acted = np.flatnonzero(acted_on(table)).tolist()
    if not acted:
        return {}
    keys = _sent_keys(table, acted, book)
    with Journal(path) as journal:
        gone = journal.still_taken_back(keys, runs)
        said: dict[int | None, str] = {
            run: sent_again(journal, run, runs) for run in set(gone.values()) if run
        }
        changed = journal.changed_later([k for k in keys if k not in gone], runs)
        out = {
            pos: changed_later(journal, changed[key], runs, made_link=_made_link(table, pos))
            for pos, key in zip(acted, keys, strict=True)
            if key in changed
        }
    said[None] = _TAKEN_BACK_ALREADY.format(journal=Path(path).name)
    out.update((pos, said[gone[key]]) for pos, key in zip(acted, keys, strict=True) if key in gone)
    return out


def _made_link(table: pd.DataFrame, pos: int) -> bool:
    """Whether the row at ``pos`` linked two records that were not linked before its run."""
    return "linked_before" in table and flag(value(table["linked_before"].iloc[pos])) is False


_TAKEN_BACK_ALREADY: Final = (
    "Not undone: an earlier undo took this row back already, or found it gone (the run's "
    "journal {journal} records it, and no run sent it again since): what the two records "
    "hold now was made since (by hand, or by another program) and is left in place; nothing "
    "sent."
)


def _replays(item: WorkItem, replayed: frozenset[tuple[str, ...]]) -> bool:
    """Whether ``item``'s record pair is one several runs of a journal changed."""
    return ends(*pair_key(item)) in replayed


def _spare_other_labels(
    items: list[WorkItem],
    rows: list[dict[Any, Any]],
    prepared: Prepared,
    client: HubSpotClient,
    replayed: frozenset[tuple[str, ...]] = frozenset(),
    dry_run: bool = False,
) -> list[WorkItem]:
    """A pair the run linked goes whole (batch archive) only when it holds no label this undo
    does not take back: another row of the run left out of the undo (``undo(result.iloc[[0]])``)
    or a label added since.  Else the row's own label goes alone (the link stays for the
    others; the row says the pair stays linked), and a row of the plain link is left in
    place, saying which labels keep it.  A pair the undo's rows linked from both sides is
    read again once their labels are off (:mod:`hubframe.jobs.undo_sides`): one side's label
    shows from the other under a type id not known to be its.  A row removes nothing when
    the linked pair lacks its type (a label's): of unknown outcome, the write never landed;
    applied, the label was removed since (the pair linked again without it, or its label
    taken off): either way the link is someone else's.  Before, an applied row removed that
    link, reported ``success``.  (A journal's row whose pair several of its runs changed
    (``replayed``) goes by the journal's replay: a label one of them removed leaves the runs'
    link, taken back.)"""
    whole = [i for i in items if i.action is Action.ARCHIVE and i.from_id is not None]
    if not whole:
        return items
    try:
        held = _types_held(client, whole)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        return _unchecked(items, prepared, exc)
    taken: dict[PairKey, set[int]] = {}
    for item in items:
        type_id = value(rows[item.position].get("type_id"))
        if item.action in _REMOVALS and type_id is not None:
            taken.setdefault(pair_key(item), set()).add(int(type_id))
    sides = BothSides(
        label_of=lambda i: _label_of(rows[i.position], held.get(pair_key(i), {})),
        alone=lambda i: _alone(i, rows[i.position], held.get(pair_key(i), {})),
        read=lambda found: _types_held(client, found),
        dry_run=dry_run,
        notes=prepared.notes,
    )
    groups = {
        pair: group
        for pair, group in sides.groups(items).items()
        if all(_plainly_held(i, rows[i.position], held, replayed) for i in group)
    }
    both = {i.position for group in groups.values() for i in group}
    out: list[WorkItem] = []
    for item in items:
        if item.position in both:
            out.append(item)
            continue
        again = _replays(item, replayed)
        kept = _kept_whole(item, rows[item.position], held, taken, again)
        if isinstance(kept, WorkItem):
            out.append(kept)
            names = _held_by(item, held.get(pair_key(item), {}), taken)
            if kept.action is Action.ARCHIVE_LABELS and names is not None:
                prepared.notes[item.position] = _label_alone(item, names)
        elif kept is not None:
            prepared.settled[item.position] = kept
        else:
            out.append(item)
    return sides.take_back(out, groups, prepared) if groups else out


def _plainly_held(
    item: WorkItem,
    row: Mapping[Any, Any],
    held: Mapping[PairKey, Mapping[int, str | None]],
    replayed: frozenset[tuple[str, ...]],
) -> bool:
    """Whether a whole removal's pair is linked now, holding the row's type (a label's), and
    the row's label is known by its type id: such rows of a pair linked from both sides are
    taken back together (:class:`~hubframe.jobs.undo_sides.BothSides`); the others go as
    :func:`_kept_whole` says."""
    types = held.get(pair_key(item))
    if types is None:
        return False
    if text(row.get("label")) is not None and value(row.get("type_id")) is None:
        return False
    missing = _lacks_type(item, row, types)
    return not missing or (not _unknown(row) and _replays(item, replayed))


def _label_of(row: Mapping[Any, Any], types: Mapping[int, str | None]) -> tuple[int, str] | None:
    """A row's label: its type id and name (the portal's for a journal's row, which keeps the
    type id only); None for a plain link's row."""
    type_id, label = value(row.get("type_id")), text(row.get("label"))
    if type_id is None:
        return None
    label = label if label is not None else types.get(int(type_id))
    return None if label is None else (int(type_id), label)


def _alone(item: WorkItem, row: Mapping[Any, Any], types: Mapping[int, str | None]) -> WorkItem:
    """A whole removal of a labeled row turned into the removal of its label alone."""
    found = _label_of(row, types)
    if found is None:
        return item
    return replace(
        item,
        action=Action.ARCHIVE_LABELS,
        category=_category(row),  # None: the portal's, by its type id
        type_id=found[0],
        label=found[1],
    )


def _kept_whole(
    item: WorkItem,
    row: Mapping[Any, Any],
    held: Mapping[PairKey, Mapping[int, str | None]],
    taken: Mapping[PairKey, set[int]],
    replayed: bool = False,
) -> WorkItem | Outcome | None:
    """What a pair's whole removal becomes, given the types the pair holds now: the row's
    label alone, an outcome (never landed, gone since, left in place), or None (it goes
    whole as it is).  ``replayed``: a journal's row whose pair several runs changed, whose
    type a later run of them may have removed (:func:`_spare_other_labels`)."""
    if item.action is not Action.ARCHIVE:
        return None
    types = held.get(pair_key(item))
    if types is None:  # not linked: the portal read says so (skip_absent)
        return None
    type_id, label = value(row.get("type_id")), text(row.get("label"))
    if label is None and type_id is not None:  # a journal keeps a label's type id only
        label = types.get(int(type_id))
    if _lacks_type(item, row, types) and (_unknown(row) or not replayed):
        what = f'the label "{label}"' if label else f"association type {type_id}"
        return _type_missing(item, what, _unknown(row))
    names = _held_by(item, types, taken)
    if names is None:
        return None
    if label is not None and type_id is not None:
        return _alone(item, row, types)
    if label is not None:  # the row's own label, its type id cleared: not known which
        return _not_undoable(_NO_TYPE_ID.format(verb="Not removed"))
    return _skip(
        f"Left in place: the two records also hold {names}, which this undo does not "
        "take back (a row of the run left out of it or not taken back, or a label added "
        "since); the link stays for them. Undo those rows too to remove it."
    )


def _lacks_type(item: WorkItem, row: Mapping[Any, Any], types: Mapping[int, str | None]) -> bool:
    """Whether the linked pair lacks the row's type (a label's), the run's write of which
    never landed or was removed since.  Not a Primary type: HubSpot takes Primary off a pair by
    itself when another company becomes the record's primary, and keeps the pair's link --
    the run's, to take back (it was left as someone else's, and never taken back after)."""
    type_id = value(row.get("type_id"))
    if type_id is None or int(type_id) in types:
        return False
    category = _category(row)
    primary = primary_spec(item.from_type, item.to_type, HUBSPOT_DEFINED, int(type_id))
    return primary is None or category not in (None, HUBSPOT_DEFINED)


def _held_by(
    item: WorkItem, types: Mapping[int, str | None], taken: Mapping[PairKey, set[int]]
) -> str | None:
    """The labels (quoted, in order) that hold a pair's link whole removal would take, and
    this undo does not take back; None when there is none."""
    others = {t for t, name in types.items() if name} - taken.get(pair_key(item), set())
    return ", ".join(f'"{types[t]}"' for t in sorted(others)) if others else None


def _label_alone(item: WorkItem, names: str) -> Note:
    """What a row whose label is taken back alone says, planned or done: the two records
    stay associated (before, a ``success`` with no word, as if the pair was gone)."""
    return Note(
        f"Only this row's label is taken back: {item.from_type} {item.from_id} and "
        f"{item.to_type} {item.to_id} stay associated, since they also hold {names}, which "
        "this undo does not take back (a later run's, a row of the run left out of it, or a "
        "label added since). When a later run's, that run's undo keeps the link too (it was "
        "there before that run): undo runs newest first, or remove the link by hand then.",
        sent=True,
    )


#: Why a row whose type the linked pair lacks leaves the pair's link (:func:`_type_missing`):
#: the run applied it (its label removed since), or never learned whether it did.
_WHY_MISSING: Final = {
    False: (
        " (removed since?). The link they have now is not taken for the run's (the label was "
        "taken off it, or the pair linked again without it: someone else's)"
    ),
    True: (
        ". The run never learned whether its write of it landed: it did not (or it was "
        "removed since), so the link they have is not taken for the run's (someone else's?)"
    ),
}


def _type_missing(item: WorkItem, what: str, unknown: bool) -> Outcome:
    """A row whose type (its label) the linked pair lacks: applied, what the run wrote was
    removed since (the label alone, or the pair removed and linked again without it); of
    unknown outcome, its write never landed.  Either way the link the pair holds now is not
    taken for the run's: left in place."""
    between = f"{item.from_type} {item.from_id} and {item.to_type} {item.to_id}"
    return Outcome(
        Status.SKIPPED,
        action=item.action,
        error_code=ErrorCode.NOT_ASSOCIATED,
        error_message=(
            f"Not there: {between} do not have {what} in HubSpot{_WHY_MISSING[unknown]} and "
            "is left in place; nothing sent."
        ),
    )


def _unchecked(items: list[WorkItem], prepared: Prepared, exc: HubframeError) -> list[WorkItem]:
    """The read of the labels pairs hold failed: a pair is not removed whole unchecked (it
    could take labels this undo is not given); a label's own removal goes ahead."""
    out: list[WorkItem] = []
    for item in items:
        if item.action is not Action.ARCHIVE:
            out.append(item)
            continue
        prepared.settled[item.position] = Outcome.of_error(
            Status.FAILED,
            exc,
            (
                f"Not removed: which labels {item.from_type} {item.from_id} and {item.to_type} "
                f"{item.to_id} hold could not be read ({str(exc).rstrip('.')}), and removing "
                "the pair whole could take labels this undo is not given. Run the undo again."
            ),
            action=Action.ARCHIVE,
        )
    return out


def _types_held(
    client: HubSpotClient, items: list[WorkItem]
) -> dict[PairKey, dict[int, str | None]]:
    """The types each pair of ``items`` holds now: type id -> label (None: unlabeled)."""
    from hubframe.run.reads import read_links

    held: dict[PairKey, dict[int, str | None]] = {}
    groups: dict[tuple[str, str], set[str]] = {}
    for item in items:
        groups.setdefault((item.from_type, item.to_type), set()).add(str(item.from_id))
    for (from_type, to_type), ids in groups.items():
        for from_id, entries in read_links(client, from_type, to_type, sorted(ids)).items():
            for entry in entries:
                specs = entry.get("associationTypes") or []
                types = {
                    int(s["typeId"]): str(s["label"]) if s.get("label") else None
                    for s in specs
                    if isinstance(s, dict) and "typeId" in s
                }
                key = (from_type, to_type, from_id, str(entry.get("toObjectId")))
                held.setdefault(key, {}).update(types)
    return held


def _agreeing(
    items: list[WorkItem], rows: list[dict[Any, Any]], prepared: Prepared, book: LabelBook
) -> list[WorkItem]:
    """The items whose row's label and type id agree as the portal lists the pair's types;
    a row whose cells disagree (a report edited by hand: an autofill, a paste) is
    ``NOT_UNDOABLE``, naming both: undo acts on the type id, and acting on another type than
    the run's could remove a label that was there before the run, or create one that never
    was.  Rows without both cells, and pairs whose types cannot be read, are not judged."""
    named = [i for i in items if _label_and_type(rows[i.position]) is not None]
    if not named:
        return items
    book.prefetch((i.from_type, i.to_type) for i in named)
    out: list[WorkItem] = []
    for item in items:
        given = _label_and_type(rows[item.position])
        problem = None if given is None else _disagrees(book, item, *given)
        if problem is None:
            out.append(item)
        else:
            prepared.settled[item.position] = _not_undoable(f"Not undone: {problem}")
    return out


def _label_and_type(row: Mapping[Any, Any]) -> tuple[str, int] | None:
    """The row's label and type id, when it gives both."""
    label, type_id = text(row.get("label")), value(row.get("type_id"))
    return None if label is None or type_id is None else (label, int(type_id))


def _disagrees(book: LabelBook, item: WorkItem, label: str, type_id: int) -> str | None:
    """Why ``label`` and ``type_id`` disagree for the item's pair (None: they agree, or its
    types cannot be read; a stopping error is raised)."""
    try:
        defs = book.labels(item.from_type, item.to_type)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        return None
    known = next((d for d in defs if d.type_id == type_id), None)
    renamed = known is not None and known.label is not None and not named(label, defs)
    problem = disagreement(
        label, type_id, known, defs=defs, advice=_RENAMED if renamed else _EDITED
    )
    return None if problem is None else problem[0].lower() + problem[1:]


#: What to do about a row whose label and type id disagree.
_EDITED: Final = (
    " (the report was edited?): undo acts on the type id, and this one is not the label's; put "
    "the label and type_id back as the run wrote them."
)


#: What to do about a row whose type id HubSpot now lists under another label, and whose
#: label it lists nowhere: most likely renamed in HubSpot since the run.
_RENAMED: Final = (
    ": HubSpot lists no type of this pair by the report's label now, so the label was likely "
    "renamed in HubSpot since the run (or the report's label cell edited). Undo acts on the "
    "type id and does not guess: undo from the run's journal (it keeps the type ids the run "
    "sent), or, if the type id is the run's, write the label as HubSpot lists it now."
)


def _with_categories(items: list[WorkItem], prepared: Prepared, book: LabelBook) -> list[WorkItem]:
    """Types to create again without their category (a journal keeps a removed pair's type
    ids only) get it from the portal's list of the pair's types; a type it no longer lists
    is not created, and its row says so."""
    if not any(_needs_category(i) or _may_be_labeled(i) for i in items):
        return items
    wanted = (i for i in items if _needs_category(i) or _may_be_labeled(i))
    book.prefetch((i.from_type, i.to_type) for i in wanted)
    out: list[WorkItem] = []
    for item in items:
        if _may_be_labeled(item):
            item = _restored_label(book, item)
        if _needs_category(item) and item.type_id is not None:
            category = book.category_of(item.from_type, item.to_type, item.type_id)
            if category is None:
                verb = "Not created again" if item.action is Action.ASSOCIATE else "Not there"
                prepared.settled[item.position] = _skip(
                    f"{verb}: HubSpot no longer lists association type "
                    f"{item.type_id} from {item.from_type} to {item.to_type}."
                )
                continue
            item = replace(item, category=category)
        out.append(item)
    return out


def _needs_category(item: WorkItem) -> bool:
    """A type to create again or a label to remove whose category the row does not give."""
    return item.action in (Action.ASSOCIATE, Action.ARCHIVE_LABELS) and item.category is None


def _may_be_labeled(item: WorkItem) -> bool:
    """A link to create again whose row keeps a type id: the pair's unlabeled type, or a
    label whose label and category cells were cleared."""
    return item.action is Action.ASSOCIATE_DEFAULT and item.type_id is not None


def _restored_label(book: LabelBook, item: WorkItem) -> WorkItem:
    """A link to create again as its type: the plain link for an unlabeled type of the pair
    (HUBSPOT_DEFINED, or a custom object's USER_DEFINED; no type id sent), else the label that
    type is (batch create with its type id)."""
    unlabeled = book.unlabeled_ids(item.from_type, item.to_type)
    if item.type_id is None or (unlabeled is not None and item.type_id in unlabeled):
        return replace(item, type_id=None)
    return replace(item, action=Action.ASSOCIATE)


def _end_journal_runs(
    path: str | None, client: HubSpotClient, table: pd.DataFrame, book: LabelBook
) -> None:
    """An undo from a journal ends the journal's open runs, before anything is sent: a run of
    the sheet with that journal afterwards sends its batches again rather than re-using the
    outcomes of work this undo takes back (it reported every row ``success`` and sent
    nothing, with the portal holding none of them).  A result table fresh from a journaled
    run names its journal too, as does an .xlsx report's Summary (:func:`_report_journal`);
    a .csv report does not.  The undo of a result table or report ends only the open runs
    that sent to one of its record pairs: one of another sheet is still to be resumed; and
    it is refused when those runs sent rows it does not list (:func:`_refuse_beyond`)."""
    if path:
        with Journal(path) as journal:
            journal.bind(client)  # a result table's journal: refused for another portal too
            if _journal_read(table):
                journal.close_runs("undone")
            else:
                touching = _table_ends(table)
                _refuse_beyond(journal, table, book, touching)
                journal.close_runs("undone", touching=touching)


def _refuse_beyond(
    journal: Journal, table: pd.DataFrame, book: LabelBook, touching: set[RecordEnds] | None
) -> None:
    """InputError when the open runs the undo of ``table`` (a report, a result table) ends
    sent rows, applied or maybe, it does not list as applied: a resume of a stopped run, killed
    since its report was written (:func:`~hubframe.jobs.undo_beyond.refuse_sends_beyond`).
    Before, the undo took back the report's rows, ended the resume too and left its links in
    HubSpot, exit 0 with nothing said."""
    applied = np.flatnonzero(acted_on(table)).tolist()
    named = report_journal(table)
    name = named[1] if named is not None else "the table"
    refuse_sends_beyond(journal, _sent_keys(table, applied, book), touching, name)


def _dry_refuse_beyond(path: str | None, table: pd.DataFrame, book: LabelBook) -> None:
    """A dry run refuses as the undo would (:func:`_refuse_beyond`), reading only."""
    if path and not _journal_read(table):
        with Journal(path) as journal:
            _refuse_beyond(journal, table, book, _table_ends(table))


def _table_ends(table: pd.DataFrame) -> set[RecordEnds] | None:
    """The record pairs a result table names (either direction); None (every open run ends)
    when it names a custom object: a run may have sent its rows under another spelling of it
    (``2-7350001`` for ``p_installations``: :mod:`hubframe.run.spelling`), which these pairs
    would not match, and a run left open whose work the undo took back would be resumed."""
    names = ["from_type", "from_id", "to_type", "to_id"]
    if not set(names) <= set(table.columns):
        return set()
    cells = table[names].astype(object).where(table[names].notna(), None)
    types = set(cells["from_type"].dropna()) | set(cells["to_type"].dropna())
    if not {str(t) for t in types} <= set(OBJECT_TYPES_BY_NAME):
        return None
    return {
        record_ends(*(str(v) for v in row))
        for row in cells.itertuples(index=False, name=None)
        if all(v is not None for v in row)
    }


def _sent_to(table: pd.DataFrame) -> tuple[str, str] | None:
    """Where the run of ``table`` sent (its base URL, or the host its report names), and how
    to name the run; None when the table does not say (a CSV report, a table made by hand)."""
    facts = run_facts(table)
    if facts is not None and facts.base_url:
        return facts.base_url, "the run's result table"
    found = _report_sent(table)
    if found.get("host"):
        return str(found["host"]), f"report {found.get('report', '')}".strip()
    return None


def _names_portal(table: pd.DataFrame) -> bool:
    """Whether ``table`` says which portal its run sent to (a result table's facts, a
    journal's key, an .xlsx report's Summary)."""
    facts = run_facts(table)
    meta = table.attrs.get("hubframe") or {}
    journal_key = meta.get(PORTAL_KEY) if isinstance(meta, Mapping) else None
    return bool(
        (facts is not None and facts.portal is not None)
        or isinstance(journal_key, Mapping)
        or _report_sent(table).get("portal")
    )


def _names_journal(table: pd.DataFrame) -> bool:
    """Whether ``table`` is a journal's, or a report whose Summary names its run's journal
    that is there (whose key the undo then checks the token against)."""
    named = report_journal(table)
    return _journal_of(table) is not None or (
        named is not None and Path(named[0]).expanduser().is_file()
    )


def _warn_unchecked(table: pd.DataFrame, client: HubSpotClient) -> None:
    """Warn (:class:`PortalUnchecked`) that an undo with something to take back goes to
    ``client``'s portal unchecked."""
    if not bool(acted_on(table).any()):
        return
    sent = _report_sent(table)
    if sent:  # an .xlsx report whose key cell was cleared
        what = f"report {sent.get('report', '')}".strip()
        why = f"{what}: its Summary's '{PORTAL_LABEL}' cell is empty"
        way_out = " (as meant, when it was cleared for a token made since for that portal)."
    else:
        why = (
            "the run undone does not say which portal it sent to (a .csv report keeps no "
            "Summary; an .xlsx report, the run's journal or its result table do)"
        )
        way_out = (
            ". If the run went to another portal, undo from its .xlsx report or its journal, "
            "which refuse another portal's token."
        )
    warnings.warn(
        f"{why}, so this undo cannot check that the token it sends with to "
        f"{host_of(client.base_url)} is the run's portal's{way_out}",
        PortalUnchecked,
        stacklevel=2,
    )


def _report_sent(table: pd.DataFrame) -> Mapping[str, Any]:
    """What a report's Summary said of where its run sent (:data:`SENT_TO`; empty for a table
    not read from a report)."""
    meta = table.attrs.get("hubframe") or {}
    found = meta.get(SENT_TO) if isinstance(meta, Mapping) else None
    return found if isinstance(found, Mapping) else {}


# --- what is not there is not removed ---------------------------------------------------------


def _not_there(item: WorkItem) -> Outcome:
    between = f"{item.from_type} {item.from_id} and {item.to_type} {item.to_id}"
    if item.action is Action.ARCHIVE_LABELS:
        what = f'the label "{item.label}"' if item.label else f"association type {item.type_id}"
        state = f"{between} do not have {what} in HubSpot"
    else:
        state = f"{between} are not associated in HubSpot"
    return Outcome(
        Status.SKIPPED,
        action=item.action,
        error_code=ErrorCode.NOT_ASSOCIATED,
        error_message=f"Not there: {state} (already removed?); nothing to remove, not sent.",
    )


_REMOVALS = frozenset({Action.ARCHIVE, Action.ARCHIVE_LABELS})


def _sent_unchecked(exc: HubframeError) -> str:
    """What a removal sent without the read before it says on its row: its success (HubSpot
    holding no such association after it) does not say there was one to remove."""
    return (
        "Whether HubSpot held this association before could not be read (the read before "
        f"sending failed: {str(exc).rstrip('.')}), so the row is sent without that check: its "
        "success says only that HubSpot holds no such association after the run, not that "
        "there was one to remove"
    )


def _say(prepared: Prepared, items: Iterable[WorkItem], message: str) -> None:
    """Add ``message`` to the rows' notes, said on their planned and their applied rows."""
    for item in items:
        prepared.say(item.position, f"{message}.")


#: What the read before sending found: (from type, to type) -> from id -> its ``to`` entries.
Held = dict[tuple[str, str], dict[str, list[dict[str, Any]]]]


def skip_absent(prepared: Prepared, client: HubSpotClient, journal: Journal | None) -> Held:
    """Read the portal for the removals to send: those already absent are ``skipped`` with
    ``NOT_ASSOCIATED`` (HubSpot would answer success for them, which says nothing), the rest
    stay to send.  A failed read sends them all, as before, each row saying that its success
    does not say whether it was there (:func:`_sent_unchecked`: before, an association that was
    never there was reported a plain ``success``); a stopping error stops the run.
    A removal ``journal``'s open runs made (a stopped run resumed) is not absent but done: it
    stays, and the journal gives its recorded outcome (skipped, its undo left it removed).
    Returns what the read found, for the rows' words (:func:`_say_kept`)."""
    held: Held = {}
    table = prepared.work()
    items = table.items()
    groups: dict[tuple[str, str, Action], list[int]] = {}
    for row, item in enumerate(items):
        groups.setdefault(item.group, []).append(row)
    absent = np.zeros(len(items), dtype=bool)
    for (from_type, to_type, action), rows in groups.items():
        if action not in _REMOVALS:  # an undo's re-creations are sent as they are
            continue
        batch = Batch(0, action, from_type, to_type, tuple(items[r] for r in rows))
        try:
            found = batch_links(client, batch)  # the removal endpoints' read-back
        except HubframeError as exc:
            if exc.stops_run:
                prepared.stop_all(StopReason.of(exc), {i.position: i.action for i in items})
                return held
            _say(prepared, batch.items, _sent_unchecked(exc))
            continue
        held.setdefault((from_type, to_type), {}).update(found)
        gone = links_present(batch, found)  # for a removal: is the link gone?
        made = _Made(
            journal.applied(str(action), from_type, to_type) if journal is not None else set()
        )
        done = [r for r, is_gone in zip(rows, gone, strict=True) if is_gone]
        absent[[r for r in done if not made.holds(items[r])]] = True
    prepared.settled.update(
        {items[r].position: _not_there(items[r]) for r in np.flatnonzero(absent)}
    )
    prepared.table = table.take(np.flatnonzero(~absent))
    prepared.count = len(prepared.table)
    return held


class _Made:
    """Removals a journal's open runs made: (from id, to id, type id)."""

    def __init__(self, rows: set[tuple[str, str, Any]]) -> None:
        self.rows = rows
        self.pairs = {(f, t) for f, t, _ in rows}

    def holds(self, item: WorkItem) -> bool:
        """Whether ``item`` is one of them (a label's by its type id too)."""
        if item.action is Action.ARCHIVE_LABELS:
            return (str(item.from_id), str(item.to_id), item.type_id) in self.rows
        return (str(item.from_id), str(item.to_id)) in self.pairs


# --- remove on purpose ----------------------------------------------------------------------


def remove_associations(
    pairs: Any,
    client: HubSpotClient,
    *,
    issues: pd.DataFrame | None = None,
    **options: Unpack[RunKwargs],
) -> pd.DataFrame:
    """Remove the associations a sheet lists; returns the result table (action ``archive``).

    ``pairs`` is read like :func:`hubframe.associate`'s (record ids, or unique property values
    looked up first).  A row with a label or type id removes that association type only
    (batch labels archive: the unlabeled link and other labels stay, and its row says so); a
    row without one removes every association between the two records (batch archive).  The
    portal is read first: a row whose association is not there is ``skipped`` with
    ``NOT_ASSOCIATED`` and not sent (HubSpot answers success for those, which would say
    nothing); when that read fails, the rows are sent, and a ``success`` says it could not
    tell whether there was one to remove.  A workbook whose table goes on in a sheet the read
    left out ("Associations (2)") is refused (:class:`InputError`, nothing sent): read it with
    ``sheet="*"``.  Run options and ``issues`` as for :func:`hubframe.associate`.
    """
    job = _Remove(pairs, issues_argument(issues, "pairs"))
    return run_job(job, client, RunOptions.of(options))


@dataclass(frozen=True)
class _Remove:
    source: Any
    issues: pd.DataFrame | None

    def prepare(self, run: RunContext) -> Prepared:
        from hubframe.jobs.check import run_issues, settled_rows
        from hubframe.run.lookup import resolve_ids
        from hubframe.run.spelling import sheet_objects

        source, index = read_input(self.source, "pairs")
        refuse_unread_part(source, "remove would remove")
        book = LabelBook(run.client)
        book.prefetch(labeled_pairs(source))  # read while the sheet is checked
        frame, looked_up = resolve_ids(source, run.client)
        objects = sheet_objects(book, frame)  # one record pair however it is spelled
        issues = run_issues(frame, self.issues, "pairs", run.client, objects, index)
        settled = with_actions(frame, settled_rows(source, frame, issues, looked_up))
        prepared = Prepared(
            "pairs", frame, "remove", settled=settled, shown=Action.ARCHIVE, issues=issues
        )
        prepared.index = index
        prepared.objects = objects
        prepare_pairs(prepared, book, listed_only=True)  # as associate: a type id
        # the pair does not list is no label it carries (another portal's, the reverse's)
        prepared.table = _removals(prepared.work())
        if prepared.stop is None:
            _say_kept(prepared, book, skip_absent(prepared, run.client, run.journal))
        return prepared


def _say_kept(prepared: Prepared, book: LabelBook, held: Held) -> None:
    """A label's removal leaves its records associated (the unlabeled link, the pair's other
    labels), yet its row said a bare ``success``, as a pair's removal does: the export's rows,
    removed, looked unlinked while HubSpot kept every pair.  Say it on the row (planned, and
    its success), where the read before sending shows the pair holding another type than the
    labels the run removes from it -- no request more.  Not said where the run removes the
    pair whole too (a row without a label, either direction), or the read failed."""
    items = prepared.work().items()
    whole = {_ends(i) for i in items if i.action is Action.ARCHIVE}
    going: dict[PairKey, set[int]] = {}
    for item in items:
        if item.action is Action.ARCHIVE_LABELS and item.type_id is not None:
            going.setdefault(pair_key(item), set()).add(item.type_id)
    for item in items:
        if item.action is not Action.ARCHIVE_LABELS or _ends(item) in whole:
            continue
        entries = held.get((item.from_type, item.to_type), {}).get(str(item.from_id))
        left = _types_to(entries or [], item.to_id) - going.get(pair_key(item), set())
        if entries is not None and left:
            _say(prepared, [item], _kept(book, item, left))


def _ends(item: WorkItem) -> RecordEnds:
    return record_ends(item.from_type, str(item.from_id), item.to_type, str(item.to_id))


def _types_to(entries: list[dict[str, Any]], to_id: object) -> set[int]:
    """The type ids the read's ``entries`` of a from record hold to record ``to_id``."""
    return {
        int(spec["typeId"])
        for entry in entries
        if str(entry.get("toObjectId")) == str(to_id)
        for spec in entry.get("associationTypes") or []
        if spec.get("typeId") is not None
    }


def _kept(book: LabelBook, item: WorkItem, left: set[int]) -> str:
    """'Removes the label "X" only: the records stay associated (unlabeled)', naming what
    the pair keeps: its unlabeled link, its other labels."""
    plain = left & (book.unlabeled_ids(item.from_type, item.to_type) or frozenset())
    try:
        names = {d.type_id: d.label for d in book.labels(item.from_type, item.to_type)}
    except HubframeError as exc:
        if exc.stops_run:
            raise
        names = {}
    others = [f'"{names[t]}"' if names.get(t) else f"type {t}" for t in sorted(left - plain)]
    kept = (["unlabeled"] if plain else []) + (
        [f"with the label{'s' if len(others) > 1 else ''} {' and '.join(others)}"] if others else []
    )
    what = f'the label "{item.label}"' if item.label else f"association type {item.type_id}"
    return f"Removes {what} only: the records stay associated ({', and '.join(kept)})"


def _removals(table: WorkTable) -> WorkTable:
    """Association rows -> removals: a label's own archive, or the whole link."""
    labeled = table.actions == ACTION_CODE[Action.ASSOCIATE]
    actions = np.where(
        labeled, ACTION_CODE[Action.ARCHIVE_LABELS], ACTION_CODE[Action.ARCHIVE]
    ).astype(np.int8)
    whole = replace(
        table,
        category_codes=np.where(labeled, table.category_codes, NONE).astype(np.int16),
        type_ids=np.where(labeled, table.type_ids, NONE),
    )
    return whole.with_actions(actions)


__all__ = ["load_run", "remove_associations", "undo"]
