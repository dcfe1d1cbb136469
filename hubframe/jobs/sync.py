"""The sync job: make the portal's associations equal a sheet's, for the records it names.

:func:`sync` reads the sheet as :func:`hubframe.associate` does (ids looked up, every row
validated, labels resolved), reads what the portal holds for the records in scope (every from
id of the sheet, or those of ``scope=``), and compares the two (:mod:`hubframe.run.diff`):

* ``add``: a pair or a label the sheet has and the portal lacks (sent like ``associate``);
* ``remove``: a label or a pair the portal has and the sheet lacks -- only with
  ``allow_removals=True`` (a label: batch labels archive, the pair stays; a pair the sheet
  does not list at all: batch archive, with every label);
* ``keep``: already as the sheet says (not sent).

The sheet is read the way :func:`hubframe.read_associations` writes it: a row without a label
asks for the pair's link, a row with a label for the link and that label (HubSpot keeps the
unlabeled type beside every label, so a sync never removes the link of a pair the sheet
lists).  A sheet with no label or type id column at all (a HubSpot CRM export: links only)
says nothing of labels: the labels of the pairs it keeps stay.  A row naming a record and
nothing else puts the record in scope with no associations.

The result has one row per sheet row plus one row per planned removal (``sheet`` is
``"(portal)"``, ``row`` empty), with a ``change`` column (``add`` / ``remove`` / ``keep``)
and a ``reason`` in plain words; the counts per change ride in ``attrs["hubframe"]["sync"]``
(:func:`sync_facts`).  The rows are sent by the run pipeline (journal, resume, 207 mapping,
rate limiter), removals first (:mod:`hubframe.run.phases`), and the result can be undone
exactly with :func:`hubframe.undo`: additions are taken back as after ``associate``, and each
removed association is created again with its type (``existed_before`` is true on removal
rows).

Safety (:mod:`hubframe.jobs.sync_plan`):

* removals are off unless asked, and more than
  :func:`~hubframe.jobs.sync_rules.removal_allowance` of them (10 % of the associations in
  scope, at least 10, at most 500) stop a real run before anything is sent
  (:class:`~hubframe.jobs.sync_rules.RemovalGuard`, ``TOO_MANY_REMOVALS``) unless
  ``max_removals`` allows that many; a dry run shows the plan with the warning on the
  removal rows;
* HubSpot-defined primary associations (labels named "Primary") are never removed without
  ``allow_primary_removal=True`` (``PRIMARY_PROTECTED``), nor the pairs holding them;
* nothing of a record is removed while a row of it could not be compared (invalid, unknown
  label, label and type id disagreeing): a typo must not read as "remove" (``REMOVAL_HELD``);
* a row naming a record HubSpot does not have (a typo of a well-formed id: the target of a
  record that loses pairs, or a from record the portal shows no association of) is
  ``invalid``, ``OBJECT_NOT_FOUND``, and holds what it could be asking to keep
  (:mod:`hubframe.jobs.sync_records`);
* nothing is removed that a row of the other direction keeps (an association is one for both
  directions; an export of companies to companies lists each twice): ``REMOVAL_HELD``;
* a row whose label and type id name different types is refused (``LABEL_TYPE_MISMATCH``):
  an exported row relabeled in Excel must have its type id cleared;
* configured limits are predicted for the additions, counting the portal after the removals
  (which are sent first), as pre-flight does for ``associate``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Unpack

import pandas as pd

from hubframe.argtypes import count, flag
from hubframe.constants import NO_TARGETS_COLUMN, PRIMARY_COMPANY, PRIMARY_TYPES, SYNC_OBJECTS
from hubframe.errors import ErrorCode, HubframeError, InputError
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs import sync_words as words
from hubframe.jobs.sync_plan import SyncPlanner
from hubframe.jobs.sync_rules import (
    REMOVAL_CAP,
    REMOVAL_FLOOR,
    REMOVAL_SHARE,
    RemovalGuard,
    SyncFacts,
    SyncRules,
    change_counts,
    removal_allowance,
    sync_facts,
)
from hubframe.run.labels import LabelBook, LabelDef, disagreement
from hubframe.run.options import RunKwargs, RunOptions
from hubframe.run.pairs import labeled_pairs, prepare_pairs, with_actions
from hubframe.run.phases import run_in_phases
from hubframe.run.pipeline import Prepared, RunContext
from hubframe.run.primary import settle_conflicts
from hubframe.run.primary_before import primaries_before
from hubframe.run.rows import (
    issues_argument,
    read_input,
    refuse_removals_sheet,
    refuse_unread_part,
    type_pairs,
)
from hubframe.run.spelling import Spellings
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, ObjectPair, Status

if TYPE_CHECKING:
    from hubframe.io.scope import ExportScope


def sync(
    pairs: Any,
    client: HubSpotClient,
    *,
    allow_removals: bool = False,
    max_removals: int | None = None,
    allow_primary_removal: bool = False,
    scope: Iterable[Any] | None = None,
    send_predicted_failures: bool = False,
    issues: pd.DataFrame | None = None,
    **run: Unpack[RunKwargs],
) -> pd.DataFrame:
    """Make the portal's associations equal the sheet's for the records it names; returns the
    result table (one row per sheet row, plus one per planned removal).  See the module
    docstring for what is compared, sent and refused.

    ``pairs``: anything :func:`hubframe.read_pairs` reads, or its output (an export of
    :func:`hubframe.read_associations` too).  ``scope``: from ids to sync (rows of others are
    ``skipped``, ``OUT_OF_SCOPE``): one id or several, as text or whole numbers (a frame of one
    column too); a value that is not a record id raises InputError.  Default every from id of
    the sheet.  ``allow_removals``,
    ``max_removals``, ``allow_primary_removal``: the removal rules.
    ``send_predicted_failures``: send additions a configured limit is predicted to refuse.
    ``issues``: as for :func:`hubframe.associate`.  Run options as for
    :func:`hubframe.associate`; ``dry_run=True`` returns the plan (the diff) and sends nothing.
    Raises :class:`~hubframe.jobs.sync_rules.RemovalGuard` before sending anything when a real
    run would remove more than allowed.
    """
    options = RunOptions.of(run)
    rules = SyncRules(
        allow_removals=flag("allow_removals", allow_removals),
        max_removals=count("max_removals", max_removals, minimum=0),
        allow_primary_removal=flag("allow_primary_removal", allow_primary_removal),
        scope=None if scope is None else frozenset(_ids(scope)),
        send_predicted_failures=flag("send_predicted_failures", send_predicted_failures),
        dry_run=options.dry_run,
    )
    return run_in_phases(_Sync(pairs, rules, issues_argument(issues, "pairs")), client, options)


def _ids(values: Any) -> list[str]:
    """``scope=`` as record ids: one id (text or a whole number) or several, empty values left
    out.  A value that is not a record id stops the sync before anything is read or sent: a
    mistyped id would leave its record out of the sync without a word."""
    if isinstance(values, str | bytes) or pd.api.types.is_scalar(values):
        values = [values]  # one id: a Decimal, a Fraction or a date too (iterated, a TypeError)
    elif not isinstance(values, Iterable):
        values = [values]
    from hubframe.io.ids import LOST_FIRST_ID, given_ids, names_a_record

    if isinstance(values, pd.DataFrame):  # a frame of ids: its one column
        if values.shape[1] != 1:
            raise InputError(
                f"scope= is a frame of {values.shape[1]} columns: give one column of from ids "
                "(scope=frame['Deal ID'])."
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series) and names_a_record(str(values.name)):
        raise InputError(f"scope= is a column named {str(values.name)!r}, {LOST_FIRST_ID}")

    found, wrong = given_ids(values, "scope=")
    if wrong:
        more = f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""
        raise InputError(
            f"scope= holds {', '.join(wrong[:3])}{more}, not record ids: give the "
            "ids of the from records to sync, whole numbers such as 12345."
        )
    if not found:  # an empty filter, a scope sheet of a header alone: every row out of scope
        raise InputError(
            "scope= names no record (it is empty, or its values are all empty), so every row "
            "would be skipped OUT_OF_SCOPE and nothing synced: give the ids of the from "
            "records to sync, or leave scope= out to sync the records the sheet lists."
        )
    return found


@dataclass(frozen=True)
class _Sync:
    source: Any
    rules: SyncRules
    issues: pd.DataFrame | None
    #: removal rows that ride on their pair's removal: position -> the pair's row position
    riders: dict[int, int] = field(default_factory=dict)
    #: held removals of a primary company (or its pair) another row demotes: position ->
    #: (that row's position, the outcome when it is not applied)
    moved: dict[int, tuple[int, Outcome]] = field(default_factory=dict)

    def prepare(self, run: RunContext) -> Prepared:
        from hubframe.jobs.check import run_issues, settled_rows
        from hubframe.run.lookup import resolve_ids
        from hubframe.run.spelling import sheet_objects

        source, index = read_input(self.source, "pairs")
        refuse_removals_sheet(source, "sync")
        if self.rules.allow_removals:
            _refuse_unread_sheets(source)
        else:  # an export's first part alone, linked as if it were all of it
            refuse_unread_part(source, "sync would link")
        book = LabelBook(run.client)
        book.prefetch(labeled_pairs(source, every=True))  # every pair's links are read
        frame, looked_up = resolve_ids(source, run.client)
        frame = _mark_no_targets(frame)
        objects = sheet_objects(book, frame)  # one record pair however it is spelled
        issues = run_issues(frame, self.issues, "pairs", run.client, objects, index)
        settled = with_actions(frame, settled_rows(source, frame, issues, looked_up))
        prepared = Prepared("pairs", frame, "sync", settled=settled, issues=issues)
        prepared.index = index
        prepared.objects = objects
        prepare_pairs(prepared, book)
        settle_conflicts(prepared)  # two primary companies for one record: neither is kept
        items = prepared.work().items()  # the planner works row by row, then sets items
        prepared.table = None
        if prepared.stop is not None:
            prepared.items, prepared.count = (), 0
            return prepared
        spell = Spellings(book, _sheet_pairs(frame))
        planner = SyncPlanner(
            prepared,
            book,
            run,
            self.rules,
            labels=_says_labels(frame),
            spell=spell,
            records=_export_records(self.rules, source),
        )
        planner.plan(spell.items(_matching(items, prepared, book)))
        _keep_objects(prepared, spell)
        self.riders.update(planner.riders)
        self.moved.update(planner.moved)
        # the companies holding the primary of each record an addition moves it to, as
        # associate reads them: undo never takes a record's primary away blind
        primaries_before(
            prepared, run, record=not self.rules.dry_run, removed=_companies_removed(prepared)
        )
        return prepared

    def finish(self, prepared: Prepared, outcomes: dict[int, Outcome]) -> None:
        """A label removed with its pair gets the outcome of the pair's removal; a primary
        company kept while another row makes another company the primary says "Kept" again
        when that row was not applied (or, in a dry run, will not be sent)."""
        for pos, (by, kept) in self.moved.items():
            found = outcomes.get(by)
            sent = found is not None and by not in prepared.settled
            if not sent or found is None or found.status not in (Status.SUCCESS, Status.PLANNED):
                outcomes[pos] = kept
        for pos, pair_row in self.riders.items():
            found = outcomes.get(pair_row)
            if found is not None:
                outcomes[pos] = found.with_(
                    action=Action.ARCHIVE_LABELS, error_message=words.rider_message(found)
                )


def _companies_removed(prepared: Prepared) -> set[tuple[str, str, str]]:
    """The (record type, record id, company id) pairs a sync removes whole, from either side:
    a row replacing such a record's primary says the old company goes too."""
    from hubframe.io.normalize import canonical_object_type

    records = {t.record_type for t in PRIMARY_TYPES}
    out: set[tuple[str, str, str]] = set()
    for item in prepared.work().items():  # items, or the table they were read into
        if item.action is not Action.ARCHIVE:
            continue
        ends = (canonical_object_type(item.from_type), canonical_object_type(item.to_type))
        if ends[1] == PRIMARY_COMPANY and ends[0] in records:
            out.add((str(ends[0]), str(item.from_id), str(item.to_id)))
        elif ends[0] == PRIMARY_COMPANY and ends[1] in records:
            out.add((str(ends[1]), str(item.to_id), str(item.from_id)))
    return out


def _keep_objects(prepared: Prepared, spell: Spellings) -> None:
    """Note in the result's attrs the object each object type cell names, as the sync compared
    it (:data:`~hubframe.constants.SYNC_OBJECTS`).  Before, the retry file took a custom object
    written two ways (``2-7350001`` on one row, ``p_installations`` on another) for two
    objects: it left out the rows of a record written the other way, and synced again with
    removals it removed what they keep."""
    objects = spell.objects()
    if not objects:
        return
    frame = prepared.frame
    info = dict(frame.attrs.get("hubframe") or {})
    info[SYNC_OBJECTS] = objects
    frame.attrs = {**frame.attrs, "hubframe": info}


def _export_records(rules: SyncRules, frame: pd.DataFrame) -> dict[ObjectPair, tuple[str, ...]]:
    """The records an export read (:mod:`hubframe.io.scope`), for the scope of their object
    pair, when no ``scope=`` is given: a record whose rows were all deleted is synced too.
    An export that read no record (its ids all unknown) adds none: the scope is the records
    the sheet lists.  Before, its ``.xlsx`` read back (a scope sheet of a header alone, which
    names no object types) refused every sync of the workbook, asking for types no row could
    hold.
    A sheet in an export's layout that carries none, synced with removals, is warned of
    (:func:`~hubframe.io.scope.warn_no_scope`): a ``.csv``, and a frame -- one whose scope
    pandas dropped (``pd.concat`` or ``pd.merge`` of frames whose attrs differ,
    ``pd.DataFrame(frame)``) reads as one built in Python.  Such a record is not synced, and
    no scope is made up for it: the rows' records are the scope.  Before, a frame was never
    warned of, and a row added with ``pd.concat`` left a deleted record's associations in
    HubSpot without a word (the same edit made with ``.loc`` removed them)."""
    from hubframe.io.scope import export_scope, warn_no_scope

    if rules.scope is not None:
        return {}
    info = frame.attrs.get("hubframe") or {}
    found = export_scope(info)
    if found is not None:
        return {_scope_pair(found): found.ids} if found.ids else {}
    if rules.allow_removals and _export_layout(info):
        warn_no_scope(str(info.get("source") or ""), _listed(frame))
    return {}


def _listed(frame: pd.DataFrame) -> int:
    """The records a read sheet's rows name: its distinct from ids, empty cells left out."""
    ids = frame["from_id"].dropna().astype(str).str.strip()
    return int(ids[ids != ""].nunique())


def _scope_pair(found: ExportScope) -> ObjectPair:
    """The object pair of an export's scope, spelled as the sheet's cells are read ('Deals'
    and '0-3' are ``deals``); InputError when it names none (its records would be read under
    a pair no row has, and a sync remove all they have, or none of it without a word)."""
    from hubframe.io.normalize import canonical_object_type

    from_type = canonical_object_type(found.from_type)
    to_type = canonical_object_type(found.to_type)
    if not from_type or not to_type:
        where = f"sheet '{found.sheet}'" if found.sheet else "the frame's export scope"
        raise InputError(
            f"{where} lists {len(found.ids):,} records the export read but not their object "
            f"types (from_type {found.from_type!r}, to_type {found.to_type!r}): give both, or "
            "drop the scope to sync only the records the sheet lists."
        )
    return ObjectPair(from_type, to_type)


def _export_layout(info: Mapping[str, Any]) -> bool:
    """Whether the sheet read has every column of an export, as an export names them."""
    from hubframe.io.scope import EXPORT_LAYOUT

    headers = {str(h).strip().casefold() for h in (info.get("column_map") or {})}
    return set(EXPORT_LAYOUT) <= headers


def _refuse_unread_sheets(frame: pd.DataFrame) -> None:
    """A sync that may remove, of a workbook whose later sheet of pairs was left unread (the
    default reads the first): it would remove the associations that sheet lists for the
    records both name.  Stop before anything is read or sent."""
    from hubframe.io.notes import read_notes

    notes = read_notes(frame)
    unread = next((s for s in notes.skipped if s.holds_rows), None)
    if unread is None:
        return
    how = (
        "Unhide it to read it with the others, or choose the one sheet to sync."
        if unread.hidden
        else "Read both, or rename that sheet if it is not more of this one."
        if unread.continues
        else "Read that sheet too (naming its columns if they are not recognised), or choose "
        "the one sheet to sync."
    )
    raise InputError(
        f"{notes.source}: sheet '{unread.name}' was not read ({unread.reason}), and it holds "
        "rows of pairs or of what look like record ids. A sync that may remove takes away "
        "every association of the records it reads that the sheets read do not list, so it "
        f"would remove the ones listed on that sheet. {how}"
    )


def _label_columns(frame: pd.DataFrame) -> list[bool]:
    """Per row, whether its sheet has a label column (an empty cell there says "no label")."""
    maps = _column_maps(frame.attrs.get("hubframe") or {})
    has = {sheet: "label" in columns.values() for sheet, columns in maps.items()}
    sheets = _sheets(frame)
    return [has.get(sheet, has.get(None, False)) for sheet in sheets]


def _sheets(frame: pd.DataFrame) -> list[Any]:
    return frame["sheet"].astype(object).tolist() if "sheet" in frame else [None] * len(frame)


def _says_labels(frame: pd.DataFrame) -> list[bool] | None:
    """Per row, whether its sheet says which labels its pairs have: a label or type id
    column of that sheet (or a label given for every row).  A sheet of links only does not,
    also when another sheet read with it (``sheet="*"``) has such a column.  None: every row
    says (a frame not read from a sheet)."""
    meta = frame.attrs.get("hubframe") or {}
    if "column_map" not in meta:
        return None
    named = frame["label"].notna().to_numpy(dtype=bool)
    says = {sheet: _maps_labels(columns) for sheet, columns in _column_maps(meta).items()}
    return [
        bool(label) or says.get(sheet, says.get(None, False))
        for label, sheet in zip(named, _sheets(frame), strict=True)
    ]


def _column_maps(meta: dict[str, Any]) -> dict[Any, dict[str, str]]:
    """Each sheet's own column map (key None: the one map of a read of one sheet)."""
    maps = meta.get("sheet_column_maps")
    if isinstance(maps, dict) and maps:
        return {name: dict(columns or {}) for name, columns in maps.items()}
    return {None: dict(meta.get("column_map") or {})}


def _maps_labels(columns: dict[str, str]) -> bool:
    return bool(set(columns.values()) & {"label", "type_id"})


def _sheet_pairs(frame: pd.DataFrame) -> list[ObjectPair]:
    """The object pairs the rows name, as written, in the order they first come."""
    return [
        ObjectPair(f, t) for f, t in type_pairs(frame) if isinstance(f, str) and isinstance(t, str)
    ]


def _mark_no_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """A row naming a record and nothing else (no to id, no label, no type id) puts the record
    in scope with no associations: marked like an export's empty association cell."""
    from hubframe.validate import record_only_rows

    empty = pd.Series(record_only_rows(frame), index=frame.index)
    if not bool(empty.any()):
        return frame
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    before = out[NO_TARGETS_COLUMN] if NO_TARGETS_COLUMN in out.columns else False
    out[NO_TARGETS_COLUMN] = (empty | before).astype(bool)
    return out


# --- a row's label and type id must agree -------------------------------------------------------


def _matching(items: list[WorkItem], prepared: Prepared, book: LabelBook) -> list[WorkItem]:
    """The items whose type id HubSpot lists for their pair and whose label agrees with it;
    the others settled ``INVALID_ASSOCIATION_TYPE`` / ``LABEL_TYPE_MISMATCH``, so that they
    hold their record: compared with the portal, a type id it does not have is an addition,
    and the label the row names (under the portal's own type id) a removal -- an export of
    one portal synced into another (a sandbox rehearsal, then production) removed every
    label it kept."""
    frame = prepared.frame
    label_column = _label_columns(frame)
    given_type = frame["type_id"].notna().to_numpy(dtype=bool)
    defs: dict[ObjectPair, dict[int, LabelDef] | None] = {}
    keep: list[WorkItem] = []
    for item in items:
        problem: tuple[ErrorCode, str] | None = None
        if given_type[item.position] and item.type_id is not None:
            listed = _defs(book, item.objects, defs)
            problem = _type_problem(item, listed, label_column[item.position])
        if problem is None:
            keep.append(item)
        else:
            prepared.settled[item.position] = Outcome(
                Status.INVALID, action=item.action, error_code=problem[0], error_message=problem[1]
            )
    return keep


def _type_problem(
    item: WorkItem, listed: dict[int, LabelDef] | None, label_column: bool
) -> tuple[ErrorCode, str] | None:
    """Why a row's type id cannot be compared with the portal (None when it can)."""
    assert item.type_id is not None
    if listed is None:  # the labels could not be read: HubSpot judges it when it is sent
        return None
    known = listed.get(item.type_id)
    if known is None:
        return ErrorCode.INVALID_ASSOCIATION_TYPE, words.unlisted_type(item, listed.values())
    check_empty = label_column or item.label is not None
    problem = disagreement(
        item.label, item.type_id, known, check_empty=check_empty, defs=listed.values()
    )
    return None if problem is None else (ErrorCode.LABEL_TYPE_MISMATCH, problem)


def _defs(
    book: LabelBook, pair: ObjectPair, cache: dict[ObjectPair, dict[int, LabelDef] | None]
) -> dict[int, LabelDef] | None:
    """The types HubSpot lists for ``pair`` by type id; None when they cannot be read."""
    if pair not in cache:
        try:
            cache[pair] = {d.type_id: d for d in book.labels(*pair)}
        except HubframeError:
            cache[pair] = None
    return cache[pair]


__all__ = [
    "REMOVAL_CAP",
    "REMOVAL_FLOOR",
    "REMOVAL_SHARE",
    "RemovalGuard",
    "SyncFacts",
    "change_counts",
    "removal_allowance",
    "sync",
    "sync_facts",
]
