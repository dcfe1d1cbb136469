"""The limits job: create, update or remove association limits from a sheet.

:func:`configure_limits` reads the current configuration of each object pair first: a limit
that exists is updated, a new one created, and rows asking to remove a limit purge it
(``skipped`` when there is no such limit).  A dry run shows what is set now beside the new
value and, with pre-flight, how many records already hold more than the new limit.

HubSpot refuses, at each request, a label limit above the pair's object (unlabeled) limit, so
the rows go in three phases (:func:`_phase`, :func:`~hubframe.run.phases.run_in_phases`):
label limits lowered or purged, then object limits, then label limits raised or created.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final, Unpack

import pandas as pd

from hubframe.argtypes import count, optional_flag
from hubframe.constants import PORTAL_LABELS
from hubframe.errors import ErrorCode, HubframeError, StopReason
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.shapes import placed_limits
from hubframe.io.frame import RAW_PREFIX
from hubframe.io.meta import without_attrs
from hubframe.io.normalize import is_purge_word
from hubframe.run.labels import LabelBook, LabelRefused, is_stand_in, resolve
from hubframe.run.options import RunKwargs, RunOptions
from hubframe.run.pairs import lookup_failure, unknown_label
from hubframe.run.phases import run_in_phases
from hubframe.run.pipeline import Note, Prepared, RunContext
from hubframe.run.plan import repeat_outcome
from hubframe.run.rows import (
    describer,
    differing,
    issue_outcomes,
    issues_argument,
    read_input,
    value,
    whole,
)
from hubframe.run.spelling import one_spelling, pair_identity
from hubframe.run.table import ExtraColumn
from hubframe.run.work import Outcome, WorkItem
from hubframe.vocab import Action, ObjectPair, Status, object_noun

if TYPE_CHECKING:
    from hubframe.jobs.new_labels import NewLabels
    from hubframe.run.journal import Journal

#: Source records a limits dry run with pre-flight looks at per object pair (see
#: :func:`configure_limits`): 100 list calls and 10 batch reads at most.
USAGE_SCAN_MAX = 10_000
#: Whether ``preflight=None`` turns pre-flight on for dry runs.
PREFLIGHT_ON_DRY_RUNS = True

Limits = dict[tuple[str, int], int | None]  # (category, type id) -> configured maximum


def configure_limits(
    limits: Any,
    client: HubSpotClient,
    *,
    preflight: bool | None = None,
    usage_scan_max: int = USAGE_SCAN_MAX,
    issues: pd.DataFrame | None = None,
    **run: Unpack[RunKwargs],
) -> pd.DataFrame:
    """Create, update or purge association limits; returns the result table.

    Reads the current configuration of each object pair first: a limit that exists is updated,
    a new one created, and rows asking to remove a limit purge it (``skipped`` when there is no
    such limit).  Unlabeled rows limit the pair's unlabeled HUBSPOT_DEFINED type.  Run options
    as for :func:`hubframe.associate`; ``issues`` likewise.

    The rows are sent in an order HubSpot accepts at each step (it refuses a label limit above
    the object limit): label limits lowered or purged first, then each pair's object limit,
    then label limits raised or created, each phase once the one before has finished.

    A dry run shows ``current_max`` (the limit configured now; empty when none) beside
    ``max_to_object_ids``, and ``limit_change``: what each row does, in words ("removes the
    limit of 25", "changes the limit from 2 to 3", "sets a limit of 5 (none now)", "nothing:
    the limit cell is empty, ...").  An empty limit cell is never a removal (``BLANK_LIMIT``:
    the row is ``skipped``); ``read_limits(..., remove_blank=True)`` makes it one.

    With ``preflight=True`` (``None``: on for dry runs) a dry run also counts the source
    records that already have more associations of the type than the new limit allows, in a
    ``records_over`` column and a warning on the row: limits are not retroactive, so those
    records keep what they have but can get no new ones.  HubSpot has no call that
    lists the records holding associations of a type (its high-usage report is sent later by
    email), so the count covers the source records hubframe can enumerate: the first
    ``usage_scan_max`` records of the from object (objects list, 100 a call), whose
    associations are read with batch read (1,000 a call).  When there are more, the warning
    says "at least".
    """
    return limits_after_labels(
        limits,
        client,
        None,
        preflight=preflight,
        usage_scan_max=usage_scan_max,
        issues=issues,
        **run,
    )


def limits_after_labels(
    limits: Any,
    client: HubSpotClient,
    new_labels: NewLabels | None,
    *,
    preflight: bool | None = None,
    usage_scan_max: int = USAGE_SCAN_MAX,
    issues: pd.DataFrame | None = None,
    **run: Unpack[RunKwargs],
) -> pd.DataFrame:
    """:func:`configure_limits` after the labels ``new_labels`` plans were created (``hubframe
    limits --create-labels``, :mod:`hubframe.jobs.new_labels`).  Its labels are taken as
    existing (those not created too, under their stand-in type ids), so that every row is
    judged as the plan judged it: a dry run plans the rows of labels it would create; a real
    run refuses, ``UNKNOWN_LABEL``, a row it would send whose label was not created."""
    options = RunOptions.of(run)
    preflight = optional_flag("preflight", preflight)
    scan_max = count("usage_scan_max", usage_scan_max, minimum=0)
    scan = options.dry_run and (PREFLIGHT_ON_DRY_RUNS if preflight is None else preflight)
    given = issues_argument(issues, "limits")
    job = _Limits(limits, scan_max if scan else None, given, new_labels)
    return run_in_phases(job, client, options)


@dataclass(frozen=True)
class _Limits:
    source: Any
    usage_scan_max: int | None  # None: no usage scan
    issues: pd.DataFrame | None
    new_labels: NewLabels | None = None

    def prepare(self, run: RunContext) -> Prepared:
        from hubframe.jobs.check import run_issues

        frame, index = read_input(self.source, "limits")
        issues = run_issues(frame, self.issues, "limits", run.client, labels=index)
        prepared = Prepared(
            "limits", frame, "limits", settled=issue_outcomes(frame, issues), issues=issues
        )
        prepared.index = index
        repeats: dict[int, int] = {}
        book = (
            self.new_labels.book(run.client, dry_run=run.options.dry_run)
            if self.new_labels is not None
            else None
        )
        absent: dict[int, WorkItem] = {}
        current_max = _limit_items(prepared, run.client, book, repeats=repeats, absent=absent)
        prepared.agrees = partial(_agrees, current_max)
        if run.journal is not None:  # a dry run says what the run reports of them
            _resumable_removals(prepared, absent, run.journal)
        new = _new_label_items(prepared, self.new_labels, dry_run=run.options.dry_run)
        if run.options.dry_run:
            usage = None
            if self.usage_scan_max is not None and prepared.stop is None:
                with run.reads.dry_run_only():  # a real run never scans
                    usage = _usage(prepared, run.client, self.usage_scan_max)
                prepared.notes = _usage_notes(prepared, usage)
            prepared.notes |= new
            prepared.extra = _current_columns(prepared, current_max, usage, repeats)
        return prepared


def _resumable_removals(
    prepared: Prepared, absent: Mapping[int, WorkItem], journal: Journal
) -> None:
    """Removals of limits HubSpot does not hold (``absent``, settled "nothing to remove"),
    in a run with a journal: sent as the journal's record only (``Prepared.unsent``), so a
    resumed run reports the removal its stopped run made, whose success the journal holds
    (the read agrees: no limit), and never as absent.  Without that record, a removal a run
    of the journal sent whose answer was lost (the run killed while it was sent, or stopped
    before a read settled it; or one that ended with it ``UNKNOWN_OUTCOME``) is ``success``,
    saying so (:func:`_sent_before`): the journal kept it as maybe applied before it left
    (:meth:`~hubframe.run.journal.Journal.removed_limits`).  One no run sent: nothing to
    remove, and nothing is sent.  They go in the batches they went in then, so the journal
    finds them."""
    kept = [p for p in absent if p in prepared.settled and _nothing_removed(prepared.settled[p])]
    if not kept:
        return
    removed: dict[ObjectPair, set[tuple[str | None, int | None]]] = {}
    for pos in kept:
        item = absent[pos]
        pair = ObjectPair(item.from_type, item.to_type)
        if pair not in removed:
            removed[pair] = journal.removed_limits(*pair)
        if (item.category, item.type_id) in removed[pair]:
            prepared.unsent[pos] = _sent_before(prepared.settled.pop(pos), item)
        else:
            prepared.unsent[pos] = prepared.settled.pop(pos)
    items = [*prepared.items, *(absent[pos] for pos in kept)]
    prepared.items = sorted(items, key=lambda item: item.position)
    prepared.count = len(prepared.items)


def _sent_before(nothing: Outcome, item: WorkItem) -> Outcome:
    """The outcome of a removal an earlier run of the journal sent (its answer lost) whose
    limit HubSpot no longer holds: done, by that run (``nothing``: what the read said)."""
    what = nothing.error_message or ""
    held = what.split("; nothing to remove", 1)[0]
    held = held.replace("No limit is set", "HubSpot holds no limit", 1)
    return Outcome(
        Status.SUCCESS,
        action=item.action,
        error_message=(
            f"Removed: an earlier run with this journal sent this removal, and {held} now; "
            "that run never read HubSpot's answer (lost, or the run ended first), so it could "
            "not say the removal was done. Nothing was sent again."
        ),
    )


def _agrees(current_max: Mapping[int, int | None], item: WorkItem, outcome: Outcome) -> bool:
    """Whether a journal's outcome of a limits row holds for the limits the run read before
    sending (``current_max``, by position): a success only when HubSpot holds what the row asks
    (its value; for a purge, no limit), another outcome only when it does not.  A limit changed
    by hand since (or a purge undone) is sent again, never reported done from the journal.
    A row the journal holds as not sent (a removal with nothing to remove then) is judged
    again."""
    if outcome.status not in (Status.SUCCESS, Status.FAILED):
        return False
    now = current_max.get(item.position)
    applied = now is None if item.action is Action.PURGE_LIMIT else now == item.max_to_object_ids
    return (outcome.status is Status.SUCCESS) == applied


def _new_label_items(
    prepared: Prepared, new_labels: NewLabels | None, *, dry_run: bool
) -> dict[int, Note]:
    """The rows to send whose label is not created yet (a stand-in type id: ``limits
    --create-labels``).  A row whose label the plan does not make (HubSpot's cap on labels
    reached, no row of it sent) is ``invalid`` for that reason, dry run and real.  A dry run
    plans the others (their notes, returned); a real run created the labels of the rows it
    sends first, so such a row's label was not created (HubSpot refused it, or the run was
    cancelled): ``invalid``, ``UNKNOWN_LABEL``, not sent."""
    items = list(prepared.items)
    new = [item for item in items if is_stand_in(item.type_id)]
    notes: dict[int, Note] = {}
    dropped: set[int] = set()
    for item in new:
        refused = None if new_labels is None else new_labels.refusal(int(item.type_id or 0))
        if refused is None and dry_run:
            notes[item.position] = Note(_created_first(item))
            continue
        code, message = refused or (ErrorCode.UNKNOWN_LABEL, _not_created(item))
        prepared.settled[item.position] = Outcome(
            Status.INVALID, action=item.action, error_code=code, error_message=message
        )
        dropped.add(item.position)
    if dropped:
        prepared.items = [item for item in items if item.position not in dropped]
        prepared.count = len(prepared.items)
    return notes


def _not_created(item: WorkItem) -> str:
    return (
        f'The label "{item.label}" does not exist from {item.from_type} to {item.to_type}: it '
        "was not created (see its line among the labels), so nothing is sent for this row. "
        "Run the sheet again to create it and set the limit."
    )


def _created_first(item: WorkItem) -> str:
    return f'Planned: the label "{item.label}" is created first (--create-labels).'


def _remove(row: Mapping[Any, Any]) -> bool:
    return bool(value(row.get("remove")))


def _current_limits(
    client: HubSpotClient, pairs: set[ObjectPair]
) -> dict[ObjectPair, Limits | HubframeError]:
    current: dict[ObjectPair, Limits | HubframeError] = {}
    for pair in sorted(pairs):
        try:
            rows = client.get_limits(*pair)
        except HubframeError as exc:
            if exc.stops_run:
                raise
            current[pair] = exc
            continue
        current[pair] = {key: whole(value) for key, value in placed_limits(rows).items()}
    return current


def _limit_items(
    prepared: Prepared,
    client: HubSpotClient,
    book: LabelBook | None = None,
    current: Mapping[ObjectPair, Limits | HubframeError] | None = None,
    *,
    repeats: dict[int, int] | None = None,
    absent: dict[int, WorkItem] | None = None,
) -> dict[int, int | None]:
    """Work items for the rows not settled yet; what each row's limit is now.  ``book`` and
    ``current``: the labels and limits read already (validation's), else read here;
    ``repeats`` gets the rows settled as repeats of a row refused (-> that row); ``absent``
    the work items of the removals settled as nothing to remove (HubSpot holds no limit)."""
    book = book or LabelBook(client)
    todo, records = _open_records(prepared)
    actions: dict[int, Action | None] = {
        pos: _action(r) for pos, r in zip(todo, records, strict=True)
    }
    current_max: dict[int, int | None] = {}
    try:
        current = current if current is not None else _current_limits(client, _pairs_of(records))
    except HubframeError as exc:  # only errors that stop the run come out of it
        prepared.stop_all(StopReason.of(exc), actions)
        return current_max
    _labels_first(prepared, book)
    items: list[WorkItem] = []
    named: dict[int, str] = {}
    for pos, row in zip(todo, records, strict=True):
        item = _limit_row(prepared, book, current, pos, row, current_max, named, absent)
        if prepared.stop is not None:
            prepared.stop_all(prepared.stop, actions)
            return current_max
        if item is not None:
            items.append(item)
    conflicting = _conflicts(prepared, book, dict(zip(todo, records, strict=True)))
    items = one_spelling(book, [item for item in items if item.position not in conflicting])
    items = _within_object_limits(prepared, book, current, items, repeats)
    prepared.items, prepared.count = items, len(items)
    _fill_labels(prepared, named)
    return current_max


def _labels_first(prepared: Prepared, book: LabelBook) -> None:
    """Rows the sheet's checks refused for a label limit above the object limit, whose label
    HubSpot does not have (or cannot tell apart), are refused for the label: "lower the label
    limit" sent the analyst to the limit cell of a misspelled label, and the next run then said
    the label does not exist."""
    above = ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT
    positions = [pos for pos, o in prepared.settled.items() if o.error_code is above]
    rows = prepared.frame.iloc[positions].to_dict("records") if positions else []
    for pos, row in zip(positions, rows, strict=True):
        try:
            resolve(book, row, unlabeled_default=False)
        except LabelRefused as exc:
            prepared.settled[pos] = unknown_label(_action(row), exc)
        except HubframeError:  # the labels cannot be read: the rows to send say why
            continue


def _open_records(prepared: Prepared) -> tuple[list[int], list[dict[Any, Any]]]:
    """The positions of the rows not settled yet, and the rows."""
    todo = [p for p in range(len(prepared.frame)) if p not in prepared.settled]
    return todo, (without_attrs(prepared.frame.iloc[todo]).to_dict("records") if todo else [])


def _pairs_of(records: list[dict[Any, Any]]) -> set[ObjectPair]:
    return {ObjectPair(str(r["from_type"]), str(r["to_type"])) for r in records}


#: What a run finds of a limits row once it has read HubSpot's labels and limits, that the
#: sheet's own checks cannot tell (:func:`portal_refusals`).
PORTAL_REFUSALS = (ErrorCode.CONFLICTING_ROWS, ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT)


def portal_refusals(
    frame: pd.DataFrame, issues: pd.DataFrame, client: HubSpotClient, book: LabelBook
) -> dict[int, Outcome]:
    """The rows a run refuses (``invalid``) once it has read HubSpot's labels and limits,
    beyond those ``issues`` settle: rows naming one limit however spelled that ask different
    things (``CONFLICTING_ROWS``), and rows whose end state HubSpot would refuse
    (``LABEL_LIMIT_ABOVE_OBJECT_LIMIT``) -- with the run's own code, so that validation with
    a client says what the run will refuse.  Errors that stop a run are raised."""
    settled = issue_outcomes(frame, issues)
    prepared = Prepared("limits", frame, "limits", settled=dict(settled), issues=issues)
    todo, records = _open_records(prepared)
    if not todo:
        return {}
    current = _current_limits(client, _pairs_of(records))  # raises what stops a run
    _limit_items(prepared, client, book, current)
    return {
        pos: outcome
        for pos, outcome in prepared.settled.items()
        if outcome.error_code in PORTAL_REFUSALS and settled.get(pos) is not outcome
    }


def rows_to_send(
    frame: pd.DataFrame, issues: pd.DataFrame, client: HubSpotClient, book: LabelBook
) -> list[WorkItem]:
    """The rows a run of ``frame`` sends (their work items, repeats of a row included), judged
    as the run judges them: ``issues`` (the sheet's checks), the labels ``book`` lists (a label
    a command creates first among them: :mod:`hubframe.jobs.new_labels`) and the limits HubSpot
    holds -- conflicts however spelled, limits above the object limit, removals of no limit.
    None when the run would stop before sending (a refused token: the run then says so)."""
    prepared = Prepared(
        "limits", frame, "limits", settled=issue_outcomes(frame, issues), issues=issues
    )
    if not _open_records(prepared)[0]:
        return []
    _limit_items(prepared, client, book)
    return list(prepared.items)


def _type_name(book: LabelBook, pair: ObjectPair, key: tuple[str, int]) -> str | None:
    """The portal's label of the association type ``key`` of ``pair`` (None for the pair's
    unlabeled type, or when the labels cannot be read)."""
    if key == _object_key(book, pair):
        return None
    return _label_names(book, pair).get(key)


def _fill_labels(prepared: Prepared, named: Mapping[int, str]) -> None:
    """Rows that give a label by its type id only show the portal's label in the result's
    ``label`` column (the analyst's own cell stays empty among the original columns), as
    ``type_id`` shows the type a label resolved to: the report, a dry run's lines and its
    messages then name the label the limit is for, not "all associations"."""
    if not named or "label" not in prepared.frame.columns:
        return
    frame = prepared.frame.copy()
    labels = frame["label"].astype("string")
    for pos, name in named.items():
        labels.iloc[pos] = name
    frame["label"] = labels
    info = dict(frame.attrs.get("hubframe") or {})
    info[PORTAL_LABELS] = _row_keys(frame, sorted(named))
    frame.attrs["hubframe"] = info
    prepared.frame = frame


def _row_keys(frame: pd.DataFrame, positions: list[int]) -> list[list[object]]:
    """[sheet, row] of each position (the keys a result keeps when it is filtered or sorted),
    empty when the frame does not say its sheet rows."""
    if not {"sheet", "row"} <= set(frame.columns):
        return []
    rows = frame.iloc[positions]
    return [[_plain(s), _plain(r)] for s, r in zip(rows["sheet"], rows["row"], strict=True)]


def _plain(value: object) -> object:
    """A cell as a plain Python value (numpy's scalars unwrapped; NA as None)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _within_object_limits(
    prepared: Prepared,
    book: LabelBook,
    current: Mapping[ObjectPair, Limits | HubframeError],
    items: list[WorkItem],
    repeated: dict[int, int] | None = None,
) -> list[WorkItem]:
    """The rows HubSpot would refuse for the limits it holds: a label limit above the object
    limit the pair will have, or an object limit below a label limit the sheet leaves as it is
    (the sheet's own rows against each other are validation's).  They are ``invalid``, as a
    dry run says too, and are not sent."""
    refused: dict[int, str] = {}
    describe = describer(prepared.frame)
    by_pair: dict[ObjectPair, list[WorkItem]] = {}
    for item in items:
        by_pair.setdefault(item.objects, []).append(item)
    for pair, mine in by_pair.items():
        existing = current.get(pair)
        object_key = _object_key(book, pair)
        if existing is None or isinstance(existing, HubframeError) or object_key is None:
            continue
        names = _label_names(book, pair)
        refused |= _past_object_limit(pair, existing, object_key, mine, names, describe)
    actions = {item.position: item.action for item in items}
    for pos, message in refused.items():
        prepared.settled[pos] = Outcome(
            Status.INVALID,
            action=actions[pos],
            error_code=ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
            error_message=message,
        )
    repeats = _repeats_of(items, set(refused))
    for pos, first in repeats.items():
        prepared.settled[pos] = repeat_outcome(actions[pos], describe(first))
    if repeated is not None:
        repeated |= repeats
    return [item for item in items if item.position not in refused and item.position not in repeats]


def _limit_identity(item: WorkItem) -> tuple[str, str, str, int]:
    """What one limit is (its object pair as :func:`~hubframe.run.spelling.one_spelling`
    spells it, and its association type): rows of one identity are one request, the first
    sent for all."""
    type_id = int(item.type_id if item.type_id is not None else -1)
    return (item.from_type, item.to_type, str(item.category), type_id)


def _repeats_of(items: list[WorkItem], firsts: set[int]) -> dict[int, int]:
    """Later rows of the same limit as a row of ``firsts`` -> that row (they are repeats of
    it, whatever became of it, as the planner makes them of a row it sends)."""
    first_of: dict[tuple[str, str, str, int], int] = {}
    out: dict[int, int] = {}
    for item in items:
        first = first_of.setdefault(_limit_identity(item), item.position)
        if first != item.position and first in firsts:
            out[item.position] = first
    return out


def _label_names(book: LabelBook, pair: ObjectPair) -> dict[tuple[str, int], str]:
    """(category, type id) -> label, for naming a label limit set in HubSpot."""
    try:
        return {(d.category, d.type_id): d.label for d in book.labels(*pair) if d.label}
    except HubframeError:
        return {}


def _past_object_limit(
    pair: ObjectPair,
    existing: Limits,
    object_key: tuple[str, int],
    items: list[WorkItem],
    names: Mapping[tuple[str, int], str],
    describe: Callable[[int], str],
) -> dict[int, str]:
    """Row position -> why, for rows of ``pair`` whose limit the end state breaks.  A row
    refused is not sent, so HubSpot keeps the limit it would have changed, which may break
    another row (an object limit below a label limit whose own row is refused): the end state
    is judged again without the rows refused, until no more are."""
    out: dict[int, str] = {}
    held: dict[tuple[str, int], WorkItem] = {}  # the limits of rows refused: as HubSpot holds
    while True:
        sent = [item for item in items if _key_of(item) not in held]
        more = _breaking(pair, existing, object_key, sent, names, held, describe)
        if not more:
            return out
        for item, message in more:
            out[item.position] = message
            held[_key_of(item)] = item


def _key_of(item: WorkItem) -> tuple[str, int]:
    return (str(item.category), int(item.type_id if item.type_id is not None else -1))


def _breaking(
    pair: ObjectPair,
    existing: Limits,
    object_key: tuple[str, int],
    items: list[WorkItem],
    names: Mapping[tuple[str, int], str],
    held: Mapping[tuple[str, int], WorkItem],
    describe: Callable[[int], str],
) -> list[tuple[WorkItem, str]]:
    """The rows of ``items`` (the first of each limit: the one sent) that the end state of
    sending them all breaks, and why; ``held``: the limits whose rows are refused (HubSpot
    keeps what it holds)."""
    final: dict[tuple[str, int], int | None] = dict(existing)
    given: dict[tuple[str, int], WorkItem] = {}
    for item in items:  # repeats of one limit ask alike (conflicts are settled before)
        key = _key_of(item)
        given.setdefault(key, item)  # the first is sent; the others repeat it
        final[key] = None if item.action is Action.PURGE_LIMIT else item.max_to_object_ids
    ceiling = final.get(object_key)
    if ceiling is None:
        return []
    out: list[tuple[WorkItem, str]] = []
    scope = f"{pair.from_type} to {pair.to_type}"
    for key, limit in final.items():
        if key == object_key or limit is None or limit <= ceiling:
            continue
        label = given[key].label if key in given else (names.get(key) or _held_label(held, key))
        named = f"label '{label}'" if label else f"type {key[1]}"
        if key in given:  # the row raises a label past the object limit
            out.append(
                (
                    given[key],
                    f"HubSpot would refuse it: the limit {limit} for {named} is higher than the "
                    f"limit {ceiling} for all {scope} associations"
                    f"{'' if object_key in given else ' (set in HubSpot)'}. Lower it to at most "
                    f"{ceiling}, or raise the object limit.",
                )
            )
        elif object_key in given:  # the row lowers the object limit under a label's
            refused = held.get(key)
            why = _below_label(ceiling, scope, limit, named)
            if refused is not None:
                why = _below_refused(ceiling, scope, limit, named, describe(refused.position))
            out.append((given[object_key], why))
    return out


def _held_label(held: Mapping[tuple[str, int], WorkItem], key: tuple[str, int]) -> str | None:
    return held[key].label if key in held else None


def _below_label(ceiling: int, scope: str, limit: int, named: str) -> str:
    """Why an object limit row is refused: ``named``'s limit, set in HubSpot, is above it."""
    return (
        f"HubSpot would refuse it: the limit {ceiling} for all {scope} associations "
        f"is lower than the limit {limit} for {named} set in HubSpot. Lower that label "
        f"limit in the sheet too, or set the object limit to at least {limit}."
    )


def _below_refused(ceiling: int, scope: str, limit: int, named: str, row: str) -> str:
    """Why an object limit row is refused: ``named``'s limit, set in HubSpot, is above it and
    stays, since ``row``, which changes it, is refused too."""
    return (
        f"HubSpot would refuse it: the limit {ceiling} for all {scope} associations is lower "
        f"than the limit {limit} for {named} set in HubSpot, which stays since {row} (that "
        f"label's) is refused too. Set the object limit to at least {limit}, or the label "
        f"limit of {row} to at most {ceiling}."
    )


#: Rows validation settled that take part in the conflict check of :func:`_conflicts`: besides
#: conflicts and repeats, a label limit found above the object limit, since offline a type id
#: may not be known for the pair's unlabeled type (a custom object's): such a row asking
#: another limit than the object row conflicts with it (neither is sent); and a limit not read
#: (``1,000``: 1000 meant?): a row of the same limit is not sent as if the sheet asked it alone.
_TAKING_PART = frozenset(
    {
        ErrorCode.CONFLICTING_ROWS,
        ErrorCode.DUPLICATE_ROW,
        ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
        ErrorCode.BAD_LIMIT,
    }
)

#: Rows that keep validation's own code when a row of their limit asks another thing: its
#: message names the row it conflicts with, or says the limit was not read.
_KEEP_CODE = frozenset({ErrorCode.CONFLICTING_ROWS, ErrorCode.BAD_LIMIT})


#: The text of a limit cell that is not a whole number (the reader's, or an edit's).
RAW_LIMIT = RAW_PREFIX + "max_to_object_ids"


def _ask(row: Mapping[Any, Any]) -> int | str | None:
    """What a row asks for its limit: a number, or ``"remove"``; a row that asks to remove
    the limit and holds one too (validation refuses it: ``CONFLICTING_ROWS``) asks something
    no other row asks, so every row of its limit conflicts with it, as validation says."""
    limit = whole(row["max_to_object_ids"])
    if not _remove(row):
        raw = value(row.get(RAW_LIMIT)) if limit is None else None
        return limit if raw is None else f"not read: {raw}"  # no other row's ask
    held = limit if limit is not None else value(row.get(RAW_LIMIT))
    if held is None or is_purge_word(str(held)):  # the reader keeps "remove" as its text
        return "remove"
    return f"remove and {held}"


def _conflicts(
    prepared: Prepared, book: LabelBook, todo: Mapping[int, Mapping[Any, Any]]
) -> set[int]:
    """Rows that name one limit (object pair and association type, however the label or the
    object types are spelled, or the label given by its type id) and ask for different
    things: each is settled CONFLICTING_ROWS, as validation settles such rows when they are
    written alike.  The rows validation settled as
    conflicts or repeats take part (a third spelling is not sent alone; a repeat of a row held
    back is held back too).  Returns the rows of ``todo`` settled here."""
    frame = prepared.frame
    earlier = {
        pos: frame.iloc[pos].to_dict()
        for pos, outcome in prepared.settled.items()
        if outcome.error_code in _TAKING_PART and pos not in todo
    }
    groups: dict[tuple[Hashable, str, int], dict[int, int | str | None]] = {}
    for pos, row in (*todo.items(), *earlier.items()):
        key = _quiet_key(book, row)  # the labels are looked up once, in the book
        if key is not None:
            pair = pair_identity(book, ObjectPair(str(row["from_type"]), str(row["to_type"])))
            groups.setdefault((pair, *key), {})[pos] = _ask(row)
    describe = describer(frame)
    settled: set[int] = set()
    for asks in groups.values():
        for pos, other in differing(asks).items():
            before = prepared.settled.get(pos)
            if before is not None and before.error_code in _KEEP_CODE:
                continue  # validation's own message names the other row, or the unread limit
            prepared.settled[pos] = conflict_outcome(
                _action(todo.get(pos) or earlier[pos]), describe(other)
            )
            settled.add(pos)
    return settled & set(todo)


def _quiet_key(book: LabelBook, row: Mapping[Any, Any]) -> tuple[str, int] | None:
    """The (category, type id) a row names, or None when it cannot be told (no error) or its
    pair lists no such type (the row is refused for that: :func:`_unlisted_type`)."""
    try:
        spec = resolve(book, row, unlabeled_default=False)
        pair = (str(row["from_type"]), str(row["to_type"]))
        if spec is None or book.category_of(*pair, spec.type_id) is None:
            return None
    except HubframeError:
        return None
    return (spec.category, spec.type_id)


def _action(row: Mapping[Any, Any]) -> Action:
    """The action a row asks for before the portal is read (a removal, else a create)."""
    return Action.PURGE_LIMIT if _remove(row) else Action.CREATE_LIMIT


def conflict_outcome(action: Action, other: str) -> Outcome:
    """A row asking another limit than ``other`` for the same limit: ``invalid``, not sent."""
    return Outcome(
        Status.INVALID,
        action=action,
        error_code=ErrorCode.CONFLICTING_ROWS,
        error_message=(
            f"Asks for a different limit than {other} for the same object pair and association "
            "type (the same objects and label, however they are spelled, or the label given by "
            "its type id); keep one of the two rows (neither is sent)."
        ),
    )


def _limit_row(
    prepared: Prepared,
    book: LabelBook,
    current: Mapping[ObjectPair, Limits | HubframeError],
    pos: int,
    row: Mapping[Any, Any],
    current_max: dict[int, int | None],
    named: dict[int, str],
    absent: dict[int, WorkItem] | None = None,
) -> WorkItem | None:
    """The row's work item, or None when its outcome is settled here (in ``prepared``);
    ``named`` gets the portal's label of a row that gives a label by its type id only;
    ``absent`` the item of a removal settled as nothing to remove."""
    pair = ObjectPair(str(row["from_type"]), str(row["to_type"]))
    fallback = _action(row)
    existing = current[pair]
    if isinstance(existing, HubframeError):
        types = (pair.from_type, pair.to_type)
        lookup_failure(prepared, [pos], fallback, existing, types, "association limits")
        return None
    try:
        spec = resolve(book, row, unlabeled_default=False)
        assert spec is not None
        # a type id given alone is checked against the labels list, read here first
        listed = book.category_of(*pair, spec.type_id) is not None
    except LabelRefused as exc:
        prepared.settled[pos] = unknown_label(fallback, exc)
        return None
    except HubframeError as exc:
        lookup_failure(prepared, [pos], fallback, exc, (pair.from_type, pair.to_type))
        return None
    key = (spec.category, spec.type_id)
    if not listed:
        other = book.other_way(*pair, type_id=spec.type_id)
        prepared.settled[pos] = _unlisted_type(fallback, pair, spec.type_id, other)
        return None
    if not is_stand_in(spec.type_id):  # a label not created yet has no type id to show
        prepared.resolved[pos] = key
    current_max[pos] = existing.get(key)
    label = spec.label
    if label is None and (label := _type_name(book, pair, key)) is not None:
        named[pos] = label
    if _remove(row):
        action = Action.PURGE_LIMIT
    else:
        action = Action.UPDATE_LIMIT if key in existing else Action.CREATE_LIMIT
    new = None if action is Action.PURGE_LIMIT else whole(row["max_to_object_ids"])
    prepared.phase[pos] = _phase(key == _object_key(book, pair), new, existing.get(key))
    item = WorkItem(
        position=pos,
        action=action,
        from_type=pair.from_type,
        to_type=pair.to_type,
        category=spec.category,
        type_id=spec.type_id,
        max_to_object_ids=new,
        label=label,
    )
    if action is Action.PURGE_LIMIT and key not in existing:
        is_object = key == _object_key(book, pair)
        prepared.settled[pos] = _nothing_to_remove(pair, label, key, is_object=is_object)
        if absent is not None and not is_stand_in(spec.type_id):
            absent[pos] = item
        return None
    return item


#: The phases of a limits run (:func:`_phase`), sent one after the other.
LOWER_LABELS, OBJECT_LIMIT, RAISE_LABELS = 0, 1, 2


def _phase(is_object: bool, new: int | None, current: int | None) -> int:
    """When a limit row is sent.  HubSpot refuses, at each request, a label limit above the
    pair's object (unlabeled) limit, so per object pair: label limits lowered or purged first,
    then the object limit (created, changed or purged), then label limits raised or created.
    From a valid start to a valid end no step passes through an invalid state: after the
    first, every label is at most the old object limit; after the second, every label is at
    most its final value, itself at most the new object limit."""
    if is_object:
        return OBJECT_LIMIT
    lowers = new is None or (current is not None and new <= current)
    return LOWER_LABELS if lowers else RAISE_LABELS


def _object_key(book: LabelBook, pair: ObjectPair) -> tuple[str, int] | None:
    """The (category, type id) of the pair's object limit: its unlabeled type (None when the
    labels cannot be read; an error that stops runs is raised)."""
    try:
        found = book.unlabeled(*pair)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        return None
    return None if found is None else (found.category, found.type_id)


def _unlisted_type(action: Action, pair: ObjectPair, type_id: int, other: str = "") -> Outcome:
    """A row naming a type id its object pair's labels do not list (a typo, the reverse
    direction's id): HubSpot has no limit of it to set or remove; ``invalid``, not sent, as
    validation with a client says (a removal was "nothing to remove" of "the unlabeled
    association", a create planned and then refused)."""
    return Outcome(
        Status.INVALID,
        action=action,
        error_code=ErrorCode.INVALID_ASSOCIATION_TYPE,
        error_message=(
            f"HubSpot has no association type {type_id} from {pair.from_type} to "
            f"{pair.to_type}; use a label, or a type id HubSpot lists for this pair.{other}"
        ),
    )


def _nothing_to_remove(
    pair: ObjectPair, label: str | None, key: tuple[str, int], *, is_object: bool
) -> Outcome:
    if is_stand_in(key[1]):
        return Outcome(
            Status.SKIPPED,
            action=Action.PURGE_LIMIT,
            error_message=(
                f'The label "{label}" is not in HubSpot before this run (--create-labels creates '
                f"the labels of rows that set a limit), so it has no limit from {pair.from_type} "
                f"to {pair.to_type}; nothing to remove."
            ),
        )
    what = f'label "{label}"' if label else f"association type {key[1]}"
    what = "the unlabeled association" if is_object else what
    return Outcome(
        Status.SKIPPED,
        action=Action.PURGE_LIMIT,
        error_message=(
            f"No limit is set from {pair.from_type} to {pair.to_type} for {what} "
            f"({key[0]} {key[1]}); nothing to remove."
        ),
    )


# --- limits dry run: what is set now, and who is over the new value ------------------------------


@dataclass(frozen=True)
class _Usage:
    """Source records of an object pair, and how many targets of each type each one has."""

    scanned: int
    complete: bool  # every record of the from object was scanned
    counts: dict[int, list[int]]  # type id -> per record (those that have any)


def _scan(client: HubSpotClient, pair: ObjectPair, maximum: int) -> _Usage:
    ids = client.record_ids(pair.from_type, maximum=maximum + 1)
    complete = len(ids) <= maximum
    ids = ids[:maximum]
    found = client.read_associations(pair.from_type, pair.to_type, ids)
    counts: dict[int, list[int]] = {}
    for entries in found.values():
        per_type: dict[int, int] = {}
        for entry in entries:
            for spec in entry.get("associationTypes") or []:
                type_id = int(spec.get("typeId", -1))
                per_type[type_id] = per_type.get(type_id, 0) + 1
        for type_id, n in per_type.items():
            counts.setdefault(type_id, []).append(n)
    return _Usage(len(ids), complete, counts)


UsageByPair = dict[ObjectPair, _Usage | HubframeError]


def _usage(prepared: Prepared, client: HubSpotClient, maximum: int) -> UsageByPair:
    pairs = {  # a label not created yet has no associations to count
        i.objects
        for i in prepared.items
        if i.action is not Action.PURGE_LIMIT and not is_stand_in(i.type_id)
    }
    out: UsageByPair = {}
    for pair in sorted(pairs):
        try:
            out[pair] = _scan(client, pair, maximum)
        except HubframeError as exc:
            out[pair] = exc
    return out


def _over(usage: _Usage | HubframeError | None, type_id: int | None, value: int) -> int | None:
    if not isinstance(usage, _Usage) or type_id is None:
        return None
    return sum(1 for n in usage.counts.get(type_id, []) if n > value)


def _usage_warning(item: WorkItem, usage: _Usage, over: int) -> str:
    what = f"'{item.label}' {item.to_type}" if item.label else item.to_type
    most = max(usage.counts.get(item.type_id or -1, [0]))
    many = f"{over}" if usage.complete else f"at least {over} (of the first {usage.scanned})"
    noun, verb = object_noun(item.from_type), "has" if over == 1 else "have"
    return (
        f"Warning: {many} {noun}{'' if over == 1 else 's'} already {verb} more than "
        f"{item.max_to_object_ids} {what} (up to {most}); limits are not retroactive, so they "
        "keep them but can get no new ones until they are below the limit."
    )


def _usage_notes(prepared: Prepared, usage: UsageByPair) -> dict[int, Note]:
    notes: dict[int, Note] = {}
    for item in prepared.items:
        if item.max_to_object_ids is None:
            continue
        found = usage.get(item.objects)
        over = _over(found, item.type_id, item.max_to_object_ids)
        if over and isinstance(found, _Usage):
            notes[item.position] = Note(_usage_warning(item, found, over))
    return notes


def change_words(action: Action, current: int | None, new: int | None) -> str:
    """What a limits row does, in words: "removes the limit of 25", "changes the limit from 2
    to 3", "sets a limit of 5 (none now)"."""
    if action is Action.PURGE_LIMIT:
        return f"removes the limit of {current}" if current is not None else "removes the limit"
    if current is None:
        return f"sets a limit of {new} (none now)"
    if current == new:
        return f"keeps the limit of {new} (already set)"
    return f"changes the limit from {current} to {new}"


def _changes(
    prepared: Prepared, current_max: Mapping[int, int | None], repeats: Mapping[int, int]
) -> list[str | None]:
    """Each row's ``limit_change``: what sending it does, or why nothing is done (a repeat of
    a row, however it was found: "nothing: repeats row N")."""
    words: list[str | None] = [None] * len(prepared.frame)
    describe = describer(prepared.frame)
    first_of: dict[tuple[str, str, str, int], int] = {}
    for item in prepared.items:
        first = first_of.setdefault(_limit_identity(item), item.position)
        if first != item.position:  # the planner sends the first row for both
            words[item.position] = f"nothing: repeats {describe(first)}"
            continue
        said = change_words(item.action, current_max.get(item.position), item.max_to_object_ids)
        if is_stand_in(item.type_id):  # a label --create-labels creates first
            said = said.replace("(none now)", "(none now: the label is created first)")
        words[item.position] = said
    for pos, first in (_validated_repeats(prepared) | dict(repeats)).items():
        words[pos] = f"nothing: repeats {describe(first)}"
    for pos, outcome in prepared.settled.items():
        if outcome.error_code is ErrorCode.BLANK_LIMIT:
            words[pos] = "nothing: the limit cell is empty, the limit stays as it is"
        elif _nothing_removed(outcome):
            words[pos] = "nothing: there is no limit to remove"
    for pos in prepared.unsent:  # sent as the journal's record only: its row says which
        words[pos] = f"nothing now: {_UNSENT_REMOVAL}"
    return words


#: A limits removal with nothing to remove in a run with a journal (:func:`_resumable_removals`).
_UNSENT_REMOVAL: Final = (
    "HubSpot holds no limit (a stopped run of the journal removed it, or none was set)"
)


def _nothing_removed(outcome: Outcome) -> bool:
    """``outcome`` is :func:`_nothing_to_remove`'s: the portal was read and has no such limit.
    A removal skipped for another reason (HubSpot refused the token, the run was stopped or
    reached the daily limit) read nothing, so it says nothing of the portal's limits."""
    return (
        outcome.status is Status.SKIPPED
        and outcome.action is Action.PURGE_LIMIT
        and outcome.error_code is None
    )


def _validated_repeats(prepared: Prepared) -> dict[int, int]:
    """The rows validation found repeating an earlier row (``DUPLICATE_ROW``: the same limit
    written alike, as :func:`hubframe.validate.validate_limits` groups them) -> that row."""
    from hubframe.validate import invalid_rows

    issues, frame = prepared.issues, prepared.frame
    if issues is None or issues.empty:
        return {}
    codes = issues["code"].astype(str)
    repeated = {
        int(p)
        for p in issues.loc[codes == ErrorCode.DUPLICATE_ROW, "position"]
        if (o := prepared.settled.get(int(p))) is not None and o.status is Status.DUPLICATE
    }
    if not repeated:
        return {}
    blank = set(issues.loc[codes == ErrorCode.BLANK_LIMIT, "position"].astype(int))
    sound = ~invalid_rows(frame, issues).to_numpy(dtype=bool)
    target = [c for c in ("from_type", "to_type", "label", "type_id") if c in frame.columns]
    keys = [tuple(value(v) for v in row) for row in frame[target].itertuples(index=False)]
    first: dict[tuple[Any, ...], int] = {}
    for pos, key in enumerate(keys):
        if sound[pos] and pos not in blank:
            first.setdefault(key, pos)
    return {pos: first[keys[pos]] for pos in repeated if first.get(keys[pos], pos) != pos}


def _current_columns(
    prepared: Prepared,
    current_max: Mapping[int, int | None],
    usage: UsageByPair | None,
    repeats: Mapping[int, int],
) -> list[ExtraColumn]:
    """``current_max`` and ``limit_change`` (and, after a usage scan, ``records_over``) beside
    the new value."""
    rows = len(prepared.frame)
    current = [current_max.get(p) for p in range(rows)]
    out = [
        ExtraColumn("max_to_object_ids", "current_max", pd.Series(current, dtype="Int64")),
        ExtraColumn(
            "current_max",
            "limit_change",
            pd.Series(_changes(prepared, current_max, repeats), dtype="string"),
        ),
    ]
    if usage is not None:
        over: list[int | None] = [None] * rows
        for item in prepared.items:
            if item.max_to_object_ids is not None:
                found = usage.get(item.objects)
                over[item.position] = _over(found, item.type_id, item.max_to_object_ids)
        out.append(ExtraColumn("limit_change", "records_over", pd.Series(over, dtype="Int64")))
    return out


__all__ = ["USAGE_SCAN_MAX", "change_words", "configure_limits", "conflict_outcome"]
