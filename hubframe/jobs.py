"""The public jobs: :func:`associate` and :func:`configure_limits`.

Each job reads the sheet (unless given a frame from :func:`hubframe.io.read_pairs` /
``read_limits``), validates it, resolves labels through HubSpot, plans, sends (or, for a dry
run, only plans) and returns the result table of design.md: one row per input row, in input
order, each with exactly one status.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from hubframe.client import HubSpotClient
from hubframe.constants import (
    EXISTING_COLUMNS,
    HUBSPOT_DEFINED,
    HUBSPOT_DEFINED_TYPES,
    USER_DEFINED,
)
from hubframe.errors import ApiError, ErrorCode, HubframeError, stops_the_run
from hubframe.journal import Journal
from hubframe.labels import LabelBook, LabelDef, UnknownLabel
from hubframe.models import (
    ASSOCIATE,
    ASSOCIATE_DEFAULT,
    CREATE_LIMIT,
    DUPLICATE,
    FAILED,
    INVALID,
    PLANNED,
    PURGE_LIMIT,
    SKIPPED,
    UPDATE_LIMIT,
    Outcome,
    WorkItem,
    object_noun,
)
from hubframe.plan import make_plan, stream_plan
from hubframe.preflight import Check, Pair, PortalState, predict, read_state, sources_of
from hubframe.results import result_frame
from hubframe.send import Sender, stop_reason, stopped_status

JournalArg = str | os.PathLike[str] | Journal | None


# --- small helpers ----------------------------------------------------------------------------


def _value(v: Any) -> Any:
    """None for every kind of missing value."""
    if v is None:
        return None
    try:
        return None if pd.isna(v) else v
    except (TypeError, ValueError):
        return v


def _text(v: Any) -> str | None:
    v = _value(v)
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _int(v: Any) -> int | None:
    v = _value(v)
    return None if v is None else int(v)


def describer(frame: pd.DataFrame) -> Callable[[int], str]:
    """position -> "row 12" (or "row 12 of sheet Deals" when the frame holds several sheets)."""
    rows = frame["row"].tolist() if "row" in frame.columns else list(range(2, len(frame) + 2))
    sheets = frame["sheet"].tolist() if "sheet" in frame.columns else [""] * len(frame)
    several = len({str(s) for s in sheets}) > 1

    def describe(position: int) -> str:
        text = f"row {rows[position]}"
        return f"{text} of sheet {sheets[position]}" if several else text

    return describe


def issue_outcomes(frame: pd.DataFrame, issues: pd.DataFrame) -> dict[int, Outcome]:
    """``invalid`` for rows with an error issue, ``duplicate`` for DUPLICATE_ROW rows."""
    if issues.empty:
        return {}
    positions = _issue_positions(frame, issues)
    out: dict[int, Outcome] = {}
    grouped: dict[int, list[dict[Any, Any]]] = {}
    for pos, rec in zip(positions, issues.to_dict("records"), strict=True):
        if pos is not None:
            grouped.setdefault(pos, []).append(rec)
    for pos, recs in grouped.items():
        errors = [r for r in recs if str(r.get("severity")) == "error"]
        if errors:
            first = errors[0]
            more = len(recs) - 1
            note = (
                f" (and {more} more problem{'s' if more > 1 else ''} in this row)" if more else ""
            )
            out[pos] = Outcome(
                INVALID,
                error_code=str(first["code"]),
                error_message=f"{str(first['message']).rstrip('.')}{note}.",
            )
        elif any(str(r.get("code")) == ErrorCode.DUPLICATE_ROW.value for r in recs):
            dup = next(r for r in recs if str(r.get("code")) == ErrorCode.DUPLICATE_ROW.value)
            out[pos] = Outcome(
                DUPLICATE,
                error_code=ErrorCode.DUPLICATE_ROW.value,
                error_message=str(dup["message"]),
            )
    return out


def _issue_positions(frame: pd.DataFrame, issues: pd.DataFrame) -> list[int | None]:
    if "position" in issues.columns:
        return [None if _value(p) is None else int(p) for p in issues["position"].tolist()]
    first: dict[tuple[str, int], int] = {}
    for pos, (sheet, row) in enumerate(zip(frame["sheet"], frame["row"], strict=True)):
        first.setdefault((str(sheet), int(row)), pos)
    return [
        first.get((str(s), int(r))) for s, r in zip(issues["sheet"], issues["row"], strict=True)
    ]


class _CalmGC:
    """Fewer garbage-collector passes while jobs hold many small objects.

    A 200,000-row job keeps millions of objects alive (cells, rows, outcomes); the default
    thresholds then run collections over them again and again: measured on a 200,000-row
    sheet, 2,900 passes and ~0.9 s of CPU (dry run 4.7 s -> 3.9 s wall, real run against a
    sandbox 3.0 s -> 2.2 s of client CPU with the thresholds raised).

    The thresholds are interpreter-wide, so jobs share one setting: the first job to start
    saves the thresholds and raises them, the last one to end puts the saved ones back --
    unless someone else changed them meanwhile, whose setting then stays.  Nothing else of the
    collector is touched (no ``gc.freeze``: it measured no faster, and ``gc.unfreeze`` would
    also thaw objects the user froze).
    """

    FLOORS = (50_000, 20, 50)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs = 0
        self._saved: tuple[int, ...] = ()
        self._set: tuple[int, ...] = ()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._jobs == 0:
                self._saved = gc.get_threshold()
                floors = self.FLOORS + (0,) * max(0, len(self._saved) - len(self.FLOORS))
                self._set = tuple(max(v, f) for v, f in zip(self._saved, floors, strict=False))
                gc.set_threshold(*self._set)
            self._jobs += 1
        try:
            yield
        finally:
            with self._lock:
                self._jobs -= 1
                if self._jobs == 0 and gc.get_threshold() == self._set:
                    gc.set_threshold(*self._saved)


_calm_gc = _CalmGC()


@contextmanager
def _journal(journal: JournalArg) -> Iterator[Journal | None]:
    if journal is None or isinstance(journal, Journal):
        yield journal
        return
    opened = Journal(journal)
    try:
        yield opened
    finally:
        opened.close()


@dataclass(frozen=True)
class _Hooks:
    """Optional callbacks of a job: rows finished per batch, and a cancel flag."""

    on_progress: Callable[[int], None] | None = None
    cancel: threading.Event | None = None


@dataclass
class _Prep:
    """Rows turned into work items, plus outcomes settled while preparing them."""

    items: Iterable[WorkItem] = field(default_factory=list)  # may be a stream (associate)
    count: int = 0  # rows in ``items``, or at most that many for a stream
    settled: dict[int, Outcome] = field(default_factory=dict)
    resolved: dict[int, tuple[str, int]] = field(default_factory=dict)
    stop: tuple[ErrorCode, str] | None = None
    current_max: dict[int, int | None] = field(default_factory=dict)  # limits: what is set now


def _lookup_failure(prep: _Prep, pos: int, action: str, exc: HubframeError) -> None:
    if stops_the_run(exc):
        prep.stop = prep.stop or stop_reason(exc)
        return
    api = exc if isinstance(exc, ApiError) else None
    prep.settled[pos] = Outcome(
        FAILED,
        action=action,
        error_code=(exc.code or ErrorCode.HUBSPOT_VALIDATION).value,
        error_message=f"Could not read the association labels from HubSpot: {exc}",
        http_status=api.http_status if api else None,
        hubspot_category=api.category if api else None,
        correlation_id=api.correlation_id if api else None,
    )


def _category_for(book: LabelBook, from_type: str, to_type: str, type_id: int) -> str:
    try:
        listed = book.category_of(from_type, to_type, type_id)
    except HubframeError as exc:
        if stops_the_run(exc):
            raise
        listed = None
    if listed:
        return listed
    defined = {(t.from_type, t.to_type, t.type_id) for t in HUBSPOT_DEFINED_TYPES}
    return HUBSPOT_DEFINED if (from_type, to_type, type_id) in defined else USER_DEFINED


def _resolve(
    book: LabelBook, row: Mapping[Any, Any], *, unlabeled_default: bool
) -> LabelDef | None:
    """The association type a row asks for; None means HubSpot's default (unlabeled) one."""
    f, t = str(row["from_type"]), str(row["to_type"])
    type_id, label = _int(row.get("type_id")), _text(row.get("label"))
    if type_id is not None:
        category = _text(row.get("category")) or _category_for(book, f, t, type_id)
        return LabelDef(category.upper(), type_id, label)
    if label is not None:
        return book.resolve(f, t, label)
    if unlabeled_default:
        return None
    unlabeled = book.unlabeled(f, t)
    if unlabeled is None:
        raise UnknownLabel(
            f"HubSpot lists no unlabeled association type from {f} to {t}; give a label or type id."
        )
    return unlabeled


def _unknown(pos: int, action: str, exc: UnknownLabel) -> Outcome:
    return Outcome(
        INVALID, action=action, error_code=ErrorCode.UNKNOWN_LABEL.value, error_message=str(exc)
    )


def _skip_all(prep: _Prep, positions: list[int], actions: Mapping[int, str]) -> None:
    assert prep.stop is not None
    code, message = prep.stop
    for pos in positions:
        if pos not in prep.settled:
            prep.settled[pos] = Outcome(
                stopped_status(code),
                action=actions.get(pos),
                error_code=code.value,
                error_message=message,
            )


# --- associate ----------------------------------------------------------------------------------


def _as_frame(source: Any, kind: str) -> pd.DataFrame:
    if (
        isinstance(source, pd.DataFrame)
        and (source.attrs.get("hubframe") or {}).get("kind") == kind
    ):
        return source.reset_index(drop=True)
    if kind == "pairs":
        from hubframe.io import read_pairs

        frame: pd.DataFrame = read_pairs(source)
        return frame.reset_index(drop=True)
    from hubframe.io import read_limits

    limits: pd.DataFrame = read_limits(source)
    return limits.reset_index(drop=True)


_PAIR_FIELDS = ("from_type", "to_type", "from_id", "to_id", "label", "category", "type_id")
Resolved = LabelDef | None | HubframeError


def _columns(frame: pd.DataFrame, positions: list[int], names: tuple[str, ...]) -> list[list[Any]]:
    """Plain Python lists (None for missing) of some columns at some positions."""
    sub = frame.iloc[positions]
    out: list[list[Any]] = []
    for name in names:
        if name not in sub.columns:
            out.append([None] * len(positions))
            continue
        column = sub[name].astype(object)
        out.append(column.where(column.notna(), None).tolist())
    return out


def _try_resolve(book: LabelBook, key: tuple[Any, ...], *, unlabeled_default: bool) -> Resolved:
    row = dict(zip(("from_type", "to_type", "label", "category", "type_id"), key, strict=True))
    try:
        return _resolve(book, row, unlabeled_default=unlabeled_default)
    except HubframeError as exc:  # UnknownLabel included
        return exc


def _pair_items(frame: pd.DataFrame, settled: Mapping[int, Outcome], book: LabelBook) -> _Prep:
    prep = _Prep()
    todo = [p for p in range(len(frame)) if p not in settled]
    f_types, t_types, f_ids, t_ids, labels, cats, type_ids = _columns(frame, todo, _PAIR_FIELDS)
    label_text = {raw: _text(raw) for raw in set(labels)}
    keys = list(zip(f_types, t_types, labels, cats, type_ids, strict=True))
    # Build the rows first and ask HubSpot for labels last, so sending follows the lookup.
    drafts = [
        WorkItem(
            position=pos,
            action=ASSOCIATE if key[4] is not None or label_text[key[2]] else ASSOCIATE_DEFAULT,
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
        spec = cache[key] = _try_resolve(book, key, unlabeled_default=True)
        if isinstance(spec, HubframeError) and stops_the_run(spec):  # no other lookup will work
            prep.stop = stop_reason(spec)
            _skip_all(prep, todo, {item.position: item.action for item in drafts})
            return prep
    prep.items, prep.count = _resolved_items(prep, drafts, keys, cache), len(drafts)
    return prep


def _resolved_items(
    prep: _Prep,
    drafts: list[WorkItem],
    keys: list[tuple[Any, ...]],
    cache: Mapping[tuple[Any, ...], Resolved],
) -> Iterator[WorkItem]:
    """The rows whose association type resolved (a stream; the others go to prep.settled)."""
    for item, key in zip(drafts, keys, strict=True):
        spec = cache[key]
        if isinstance(spec, UnknownLabel):
            prep.settled[item.position] = _unknown(item.position, item.action, spec)
        elif isinstance(spec, HubframeError):
            _lookup_failure(prep, item.position, item.action, spec)
        else:
            if spec is not None:
                item.category, item.type_id = spec.category, spec.type_id
                prep.resolved[item.position] = (spec.category, spec.type_id)
            yield item


#: Whether ``preflight=None`` turns pre-flight on for dry runs (it does: a dry run then reads
#: limits and current associations, with GETs and batch reads, and still writes nothing).
PREFLIGHT_ON_DRY_RUNS = True


def associate(
    pairs: Any,
    client: HubSpotClient,
    *,
    dry_run: bool = False,
    batch_size: int | None = None,
    journal: JournalArg = None,
    progress: bool = True,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
    preflight: bool | None = None,
    skip_existing: bool = False,
    send_predicted_failures: bool = False,
    record_existing: bool | None = None,
) -> pd.DataFrame:
    """Associate record pairs; returns the result table (one row per input row).

    ``pairs``: the output of :func:`hubframe.io.read_pairs`, or anything it reads (a path, bytes,
    a file-like object, a DataFrame).  Sides named by a unique property (``from_id_property=``,
    "Contact email") are looked up to record ids first (:mod:`hubframe.lookup`).  Rows with a
    label or type id are sent with labeled batch create, the others with batch associate
    default.  ``dry_run`` sends nothing and marks rows ``planned`` with their batch number.
    ``journal`` (a path) records finished batches so an interrupted run resumes without
    re-sending them.  ``on_progress(rows)`` is called as each batch finishes; setting ``cancel``
    (a :class:`threading.Event`) stops the run before the next batch: unsent rows come back
    ``skipped``.

    Reading the portal first (:mod:`hubframe.preflight`):

    * ``preflight=True`` reads the pairs' limit configuration and the current associations of
      every source record, and predicts ``ALREADY_ASSOCIATED`` and ``LIMIT_EXCEEDED`` per row.
      A dry run reports the predictions on its ``planned`` rows (``error_code`` and
      ``error_message``; predicted limit failures get no batch).  A real run does not send
      predicted limit failures (``failed``, ``LIMIT_EXCEEDED``, "... not sent") unless
      ``send_predicted_failures=True``.  ``None`` (default): on for dry runs, off for
      real runs (:data:`PREFLIGHT_ON_DRY_RUNS`).
    * ``skip_existing=True``: rows whose association type exists already are ``skipped`` with
      ``ALREADY_ASSOCIATED`` and not sent.
    * ``record_existing`` (default: when a journal is given): read which pairs exist before
      sending, even without pre-flight, so the run can be undone exactly
      (:func:`hubframe.undo.undo`).  A journal keeps the first run's reading across resumes.

    Whenever the portal was read, the result gains two boolean columns after ``attempts``:
    ``existed_before`` (the requested association type was already there) and
    ``linked_before`` (the two records were associated, with any type).
    """
    from hubframe.lookup import resolve_ids
    from hubframe.validate import validate_pairs

    frame = _as_frame(pairs, "pairs")
    wanted = _Wanted(
        preflight=PREFLIGHT_ON_DRY_RUNS and dry_run if preflight is None else bool(preflight),
        skip_existing=skip_existing,
        send_predicted_failures=send_predicted_failures,
        record=journal is not None if record_existing is None else bool(record_existing),
        dry_run=dry_run,
    )
    with _calm_gc(), _journal(journal) as opened:
        frame, looked_up = resolve_ids(frame, client)
        issues = issue_outcomes(frame, validate_pairs(frame))
        settled = _with_pair_actions(frame, issues | looked_up)
        book = LabelBook(client)
        prep = _pair_items(frame, settled, book)
        checks = _check_portal(prep, client, book, opened, wanted)
        outcomes = settled | _execute(
            prep,
            frame,
            client,
            desc="associate",
            dry_run=dry_run,
            batch_size=batch_size,
            journal=opened,
            progress=progress,
            workers=workers,
            hooks=_Hooks(on_progress, cancel),
        )
        if checks is not None and dry_run:
            outcomes = _annotate_planned(outcomes, checks, wanted)
        result = _fill_resolved(result_frame(frame, outcomes, kind="pairs"), prep.resolved)
        return result if checks is None else _with_existing(result, checks)


# --- reading the portal before sending (pre-flight, skip existing, undo records) ---------------


@dataclass(frozen=True)
class _Wanted:
    """What an associate run reads the portal for."""

    preflight: bool
    skip_existing: bool
    send_predicted_failures: bool
    record: bool
    dry_run: bool

    @property
    def read(self) -> bool:
        return self.preflight or self.skip_existing or (self.record and not self.dry_run)


def _unlabeled_ids(book: LabelBook, pairs: Iterable[Pair]) -> dict[Pair, int | None]:
    out: dict[Pair, int | None] = {}
    for pair in pairs:
        try:
            found = book.unlabeled(*pair)
        except HubframeError as exc:
            if stops_the_run(exc):
                raise
            found = None
        out[pair] = found.type_id if found is not None else None
    return out


def _read_portal(
    items: list[WorkItem], client: HubSpotClient, journal: Journal | None, wanted: _Wanted
) -> tuple[PortalState, Callable[[WorkItem], frozenset[int] | None]]:
    """The portal's state, and each row's pair as it was before the run (the journal's memory
    of an earlier, interrupted run first).  New readings are remembered in the journal."""
    pairs = {(i.from_type, i.to_type) for i in items}
    known = {pair: journal.existing(*pair) for pair in pairs} if journal is not None else {}

    def is_known(item: WorkItem) -> bool:
        return (str(item.from_id), str(item.to_id)) in known.get((item.from_type, item.to_type), {})

    need = items if wanted.preflight else [i for i in items if not is_known(i)]
    state = read_state(client, sources_of(need), limits=wanted.preflight)
    if journal is not None and not wanted.dry_run:
        _remember(journal, [i for i in need if not is_known(i)], state)

    def before(item: WorkItem) -> frozenset[int] | None:
        pair, link = (item.from_type, item.to_type), (str(item.from_id), str(item.to_id))
        remembered = known.get(pair, {}).get(link)
        return remembered if remembered is not None else state.types(pair, link)

    return state, before


def _remember(journal: Journal, items: list[WorkItem], state: PortalState) -> None:
    by_pair: dict[Pair, dict[tuple[str, str], frozenset[int]]] = {}
    for item in items:
        pair, link = (item.from_type, item.to_type), (str(item.from_id), str(item.to_id))
        types = state.types(pair, link)
        if types is not None:
            by_pair.setdefault(pair, {})[link] = types
    for pair, states in by_pair.items():
        journal.remember_existing(pair[0], pair[1], states)


def _check_portal(
    prep: _Prep, client: HubSpotClient, book: LabelBook, journal: Journal | None, wanted: _Wanted
) -> dict[int, Check] | None:
    """Read the portal for the prepared rows; settle the rows not to send; the checks by row."""
    if not wanted.read or prep.stop is not None:
        return None
    items = list(prep.items)  # the whole sheet: limits count rows in input order
    try:
        state, before = _read_portal(items, client, journal, wanted)
        unlabeled = _unlabeled_ids(book, {(i.from_type, i.to_type) for i in items})
    except HubframeError as exc:  # a bad token, the daily limit, no HubSpot: nothing will work
        if not stops_the_run(exc):
            raise
        prep.stop = stop_reason(exc)
        prep.items, prep.count = [], 0
        _skip_all(prep, [i.position for i in items], {i.position: i.action for i in items})
        return None
    checks = predict(items, state, unlabeled=unlabeled, before=before)
    keep: list[WorkItem] = []
    for item in items:
        outcome = _decide(item, checks[item.position], wanted)
        if outcome is None:
            keep.append(item)
        else:
            prep.settled[item.position] = outcome
    prep.items, prep.count = keep, len(keep)
    return checks


def _decide(item: WorkItem, check: Check, wanted: _Wanted) -> Outcome | None:
    """The outcome of a row pre-flight keeps from sending, or None to send it."""
    if check.code is ErrorCode.ALREADY_ASSOCIATED and wanted.skip_existing:
        message = f"{check.message}; skipped, not sent."
        return Outcome(
            SKIPPED, action=item.action, error_code=check.code.value, error_message=message
        )
    if check.code is ErrorCode.LIMIT_EXCEEDED and not wanted.send_predicted_failures:
        if wanted.dry_run:
            status = PLANNED
            message = f"{check.message}; a real run will not send it."
        else:
            status = FAILED
            message = f"{check.message}; not sent (send_predicted_failures=True sends it anyway)."
        return Outcome(
            status, action=item.action, error_code=check.code.value, error_message=message
        )
    return None


def _annotate_planned(
    outcomes: dict[int, Outcome], checks: Mapping[int, Check], wanted: _Wanted
) -> dict[int, Outcome]:
    """Put the predictions on the dry run's planned rows that will be sent."""
    notes = {
        ErrorCode.ALREADY_ASSOCIATED: "; sending it again changes nothing.",
        ErrorCode.LIMIT_EXCEEDED: "; HubSpot will refuse it (sent: send_predicted_failures=True).",
    }
    for pos, check in checks.items():
        outcome = outcomes.get(pos)
        if check.code is None or outcome is None or outcome.status != PLANNED:
            continue
        if outcome.error_code is None:
            message = f"{check.message}{notes[check.code]}"
            outcomes[pos] = outcome.with_(error_code=check.code.value, error_message=message)
    return outcomes


def _with_existing(result: pd.DataFrame, checks: Mapping[int, Check]) -> pd.DataFrame:
    """Add ``existed_before`` and ``linked_before`` after the status columns."""
    at = list(result.columns).index("attempts") + 1
    for offset, name in enumerate(EXISTING_COLUMNS):
        values = [getattr(checks[p], name) if p in checks else None for p in range(len(result))]
        result.insert(at + offset, name, pd.Series(values, dtype="boolean", index=result.index))
    return result


def _with_pair_actions(frame: pd.DataFrame, settled: dict[int, Outcome]) -> dict[int, Outcome]:
    """Name the action invalid and duplicate rows would have been sent with."""
    for pos, outcome in settled.items():
        if outcome.action is None:
            row = frame.iloc[pos]
            typed = _value(row.get("type_id")) is not None or _text(row.get("label")) is not None
            settled[pos] = outcome.with_(action=ASSOCIATE if typed else ASSOCIATE_DEFAULT)
    return settled


def _fill_resolved(result: pd.DataFrame, resolved: Mapping[int, tuple[str, int]]) -> pd.DataFrame:
    """Show the category and type id a label resolved to, where the sheet left them empty."""
    if not resolved or "type_id" not in result.columns:
        return result
    positions = list(resolved)
    categories = pd.Series([resolved[p][0] for p in positions], index=positions, dtype="string")
    type_ids = pd.Series([resolved[p][1] for p in positions], index=positions, dtype="Int64")
    result["category"] = result["category"].astype("string").fillna(categories)
    result["type_id"] = result["type_id"].astype("Int64").fillna(type_ids)
    return result


def _execute(
    prep: _Prep,
    frame: pd.DataFrame,
    client: HubSpotClient,
    *,
    desc: str,
    dry_run: bool,
    batch_size: int | None,
    journal: JournalArg,
    progress: bool,
    workers: int | None,
    hooks: _Hooks,
) -> dict[int, Outcome]:
    """Plan and send (or only plan) the prepared rows; outcomes of every row prepared."""
    describe = describer(frame)
    if dry_run:
        plan = make_plan(prep.items, batch_size=batch_size, describe=describe)
        return {**prep.settled, **plan.planned()}
    repeats: dict[int, Outcome] = {}
    stream = stream_plan(prep.items, repeats, batch_size=batch_size, describe=describe)
    with (
        _journal(journal) as opened,
        tqdm(total=prep.count, desc=desc, unit="rows", disable=not progress) as bar,
    ):

        def advance(rows: int) -> None:
            bar.update(rows)
            if hooks.on_progress is not None:
                hooks.on_progress(rows)

        sender = Sender(
            client, journal=opened, workers=workers, on_progress=advance, cancel=hooks.cancel
        )
        sent = sender.run(stream)
        bar.update(max(0, prep.count - bar.n))  # rows set aside while planning
    return {**prep.settled, **repeats, **sent}


# --- configure_limits ---------------------------------------------------------------------------


Limits = dict[tuple[str, int], int | None]  # (category, type id) -> configured maximum


def _current_limits(
    client: HubSpotClient, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], Limits | HubframeError]:
    current: dict[tuple[str, str], Limits | HubframeError] = {}
    for f, t in sorted(pairs):
        try:
            rows = client.get_limits(f, t)
        except HubframeError as exc:
            if stops_the_run(exc):
                raise
            current[(f, t)] = exc
            continue
        current[(f, t)] = {
            (str(r.get("category")), int(r.get("typeId", -1))): _int(
                r.get("userEnforcedMaxToObjectIds")
            )
            for r in rows
        }
    return current


def _limit_action(row: Mapping[Any, Any], spec: LabelDef, existing: Limits) -> str:
    key = (spec.category, spec.type_id)
    if bool(_value(row.get("remove"))):
        return PURGE_LIMIT
    return UPDATE_LIMIT if key in existing else CREATE_LIMIT


def _limit_items(
    frame: pd.DataFrame, settled: Mapping[int, Outcome], client: HubSpotClient
) -> _Prep:
    prep = _Prep()
    book = LabelBook(client)
    todo = [p for p in range(len(frame)) if p not in settled]
    records = frame.iloc[todo].to_dict("records") if todo else []
    actions = {
        pos: PURGE_LIMIT if bool(_value(r.get("remove"))) else CREATE_LIMIT
        for pos, r in zip(todo, records, strict=True)
    }
    try:
        current = _current_limits(
            client, {(str(r["from_type"]), str(r["to_type"])) for r in records}
        )
    except HubframeError as exc:  # only errors that stop the run come out of it
        prep.stop = stop_reason(exc)
        _skip_all(prep, todo, actions)
        return prep
    items: list[WorkItem] = []
    for pos, row in zip(todo, records, strict=True):
        if prep.stop is not None:
            break
        item = _limit_row(prep, book, current, pos, row)
        if item is not None:
            items.append(item)
    if prep.stop is not None:
        items = []
        _skip_all(prep, todo, actions)
    prep.items, prep.count = items, len(items)
    return prep


def _limit_row(
    prep: _Prep,
    book: LabelBook,
    current: Mapping[tuple[str, str], Limits | HubframeError],
    pos: int,
    row: Mapping[Any, Any],
) -> WorkItem | None:
    """The row's work item, or None when its outcome is settled here (in ``prep``)."""
    f, t = str(row["from_type"]), str(row["to_type"])
    fallback = PURGE_LIMIT if bool(_value(row.get("remove"))) else CREATE_LIMIT
    existing = current[(f, t)]
    if isinstance(existing, HubframeError):
        _lookup_failure(prep, pos, fallback, existing)
        return None
    try:
        spec = _resolve(book, row, unlabeled_default=False)
    except UnknownLabel as exc:
        prep.settled[pos] = _unknown(pos, fallback, exc)
        return None
    except HubframeError as exc:
        _lookup_failure(prep, pos, fallback, exc)
        return None
    assert spec is not None
    prep.resolved[pos] = (spec.category, spec.type_id)
    prep.current_max[pos] = existing.get((spec.category, spec.type_id))
    action = _limit_action(row, spec, existing)
    if action == PURGE_LIMIT and (spec.category, spec.type_id) not in existing:
        what = f'label "{spec.label}"' if spec.label else "the unlabeled association"
        prep.settled[pos] = Outcome(
            SKIPPED,
            action=action,
            error_message=(
                f"No limit is set from {f} to {t} for {what} "
                f"({spec.category} {spec.type_id}); nothing to remove."
            ),
        )
        return None
    return WorkItem(
        position=pos,
        action=action,
        from_type=f,
        to_type=t,
        category=spec.category,
        type_id=spec.type_id,
        max_to_object_ids=None if action == PURGE_LIMIT else _int(row["max_to_object_ids"]),
        label=spec.label,
    )


#: Source records a limits dry run with pre-flight looks at per object pair (see
#: :func:`configure_limits`): 100 list calls and 10 batch reads at most.
USAGE_SCAN_MAX = 10_000


def configure_limits(
    limits: Any,
    client: HubSpotClient,
    *,
    dry_run: bool = False,
    batch_size: int | None = None,
    journal: JournalArg = None,
    progress: bool = True,
    on_progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
    preflight: bool | None = None,
    usage_scan_max: int = USAGE_SCAN_MAX,
) -> pd.DataFrame:
    """Create, update or purge association limits; returns the result table.

    Reads the current configuration of each object pair first: a limit that exists is updated,
    a new one created, and rows asking to remove a limit purge it (``skipped`` when there is no
    such limit).  Unlabeled rows limit the pair's unlabeled HUBSPOT_DEFINED type.
    ``on_progress`` and ``cancel`` work as for :func:`associate`.

    A dry run shows ``current_max`` (the limit configured now; empty when none) beside
    ``max_to_object_ids``.  With ``preflight=True`` (``None``: as for :func:`associate`) it
    also counts the source records that already have more associations of the type than the
    new limit allows, in a ``records_over`` column and a warning on the row: limits are not
    retroactive, so those records keep what they have but can get no new ones.  HubSpot has
    no call that lists the records holding associations of a type (its high-usage report is
    sent later by email), so the count covers the source records hubframe can enumerate: the
    first ``usage_scan_max`` records of the from object (objects list, 100 a call), whose
    associations are read with batch read (1,000 a call).  When there are more, the warning
    says "at least".
    """
    from hubframe.validate import validate_limits

    frame = _as_frame(limits, "limits")
    settled = issue_outcomes(frame, validate_limits(frame))
    with _journal(journal) as opened:  # a path that cannot be a journal fails before any call
        prep = _limit_items(frame, settled, client)
        check_usage = dry_run and (PREFLIGHT_ON_DRY_RUNS if preflight is None else bool(preflight))
        usage = _usage(prep, client, usage_scan_max) if check_usage else None
        outcomes = settled | _execute(
            prep,
            frame,
            client,
            desc="limits",
            dry_run=dry_run,
            batch_size=batch_size,
            journal=opened,
            progress=progress,
            workers=None,
            hooks=_Hooks(on_progress, cancel),
        )
    if usage is not None:
        outcomes = _warn_usage(outcomes, prep, usage)
    result = _fill_resolved(result_frame(frame, outcomes, kind="limits"), prep.resolved)
    return _with_current(result, prep, usage) if dry_run else result


# --- limits dry run: what is set now, and who is over the new value ------------------------------


@dataclass(frozen=True)
class _Usage:
    """Source records of an object pair, and how many targets of each type each one has."""

    scanned: int
    complete: bool  # every record of the from object was scanned
    counts: dict[int, list[int]]  # type id -> per record (those that have any)


def _scan(client: HubSpotClient, pair: tuple[str, str], maximum: int) -> _Usage:
    ids = client.record_ids(pair[0], maximum=maximum + 1)
    complete = len(ids) <= maximum
    ids = ids[:maximum]
    found = client.read_associations(pair[0], pair[1], ids)
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


def _usage(
    prep: _Prep, client: HubSpotClient, maximum: int
) -> dict[tuple[str, str], _Usage | HubframeError]:
    pairs = {(i.from_type, i.to_type) for i in prep.items if i.action != PURGE_LIMIT}
    out: dict[tuple[str, str], _Usage | HubframeError] = {}
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


def _warn_usage(
    outcomes: dict[int, Outcome], prep: _Prep, usage: Mapping[tuple[str, str], Any]
) -> dict[int, Outcome]:
    for item in prep.items:
        if item.max_to_object_ids is None:
            continue
        found = usage.get((item.from_type, item.to_type))
        over = _over(found, item.type_id, item.max_to_object_ids)
        outcome = outcomes.get(item.position)
        if over and isinstance(found, _Usage) and outcome and outcome.error_message is None:
            message = _usage_warning(item, found, over)
            outcomes[item.position] = outcome.with_(error_message=message)
    return outcomes


def _with_current(
    result: pd.DataFrame, prep: _Prep, usage: Mapping[tuple[str, str], Any] | None
) -> pd.DataFrame:
    """``current_max`` (and, after a usage scan, ``records_over``) beside the new value."""
    at = list(result.columns).index("max_to_object_ids") + 1
    current = [prep.current_max.get(p) for p in range(len(result))]
    result.insert(at, "current_max", pd.Series(current, dtype="Int64", index=result.index))
    if usage is not None:
        over: list[int | None] = [None] * len(result)
        for item in prep.items:
            if item.max_to_object_ids is not None:
                found = usage.get((item.from_type, item.to_type))
                over[item.position] = _over(found, item.type_id, item.max_to_object_ids)
        result.insert(at + 1, "records_over", pd.Series(over, dtype="Int64", index=result.index))
    return result
