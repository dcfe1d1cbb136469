"""Sending planned batches: worker pool, 207 mapping, bisection, outcome checks, clean stops.

:class:`Sender` runs the batches of a :class:`~hubframe.plan.Plan` on a thread pool sharing one
:class:`~hubframe.client.HubSpotClient` (and so one rate limiter) and returns an
:class:`~hubframe.models.Outcome` per row:

- any 2xx may carry ``errors[]``: each error is mapped to its rows through ``context``
  (``INVALID_OBJECT_IDS``, ``objectId``/``objectType``, ``associationSpec``, type ids,
  ``fromObjectId``/``toObjectId``); rows no error names succeeded;
- a batch rejected whole (400) is split in halves until the bad rows are isolated;
- an outcome is reported only when it is known: when an attempt of a write may have been
  applied (its answer was lost, or was a 5xx), whatever ends the retries (a 429 of either
  policy, 401, 403, another 4xx, a network error, or a 2xx that refuses some rows), the rows
  not confirmed by the last answer are checked with a read of the portal: present means
  success; ``UNKNOWN_OUTCOME`` (failed) only when that check is impossible too.  A refused
  connection sent nothing: its rows are ``NETWORK_ERROR``, never unknown;
- a DAILY 429, an auth failure (401 / 403) or an unreachable HubSpot stops the run: unsent rows
  are ``skipped`` (``failed`` with ``NETWORK_ERROR`` when HubSpot cannot be reached).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass
from typing import Any, TypeVar

from hubframe.client import ApiResponse, HubSpotClient
from hubframe.constants import OBJECT_TYPES_BY_NAME
from hubframe.errors import (
    ApiError,
    ErrorCode,
    HubframeError,
    InputError,
    NetworkError,
    RateLimitError,
    ServerError,
    stops_the_run,
)
from hubframe.journal import Journal
from hubframe.models import (
    ARCHIVE,
    ARCHIVE_LABELS,
    ASSOCIATE,
    ASSOCIATE_DEFAULT,
    CREATE_LIMIT,
    FAILED,
    LIMIT_ACTIONS,
    PURGE_LIMIT,
    SKIPPED,
    SUCCESS,
    UPDATE_LIMIT,
    Batch,
    Outcome,
    WorkItem,
    object_noun,
)

DEFAULT_WORKERS = 16
MAX_WORKERS = 32
#: Batches queued per worker ahead of sending (the rest are planned as the queue drains).
QUEUE_PER_WORKER = 1
#: Latency assumed when sizing the pool before one has been measured (a 2,000-input batch).
ASSUMED_LATENCY_S = 1.5
#: Whole-batch statuses worth splitting the batch for (the rest fail every row at once).
BISECT_STATUSES = frozenset({400, 413, 422})
_BATCH_LEVEL = re.compile(r"unable to infer object type", re.IGNORECASE)
_OBJECT_REF = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*(\d+)")
_SPEC_REF = re.compile(r"([A-Z_]+)\s*=\s*(\d+)")

Progress = Callable[[int], None]
_T = TypeVar("_T")
logger = logging.getLogger("hubframe.send")


# --- reading HubSpot's errors -----------------------------------------------------------------


def _context(err: Mapping[str, Any]) -> dict[str, list[str]]:
    raw = err.get("context") or {}
    if not isinstance(raw, dict):
        return {}
    return {
        str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in raw.items()
    }


def classify(err: Mapping[str, Any], action: str | None = None) -> ErrorCode:
    """hubframe's error code for one HubSpot error (batch item or whole-request body).

    An ``associationSpec`` alone names the association type of a row: for an association it
    is the type HubSpot did not accept; for a limit configuration only the limit's type (a
    limit that already exists, or does not yet), which says nothing about the type itself.
    """
    ctx = _context(err)
    sub = str(err.get("subCategory") or "").upper()
    if "LABEL_LIMIT" in sub or "ABOVE_OBJECT_LIMIT" in sub:
        return ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT
    if "LIMIT" in sub:
        return ErrorCode.LIMIT_EXCEEDED
    if "INVALID_OBJECT_IDS" in ctx or "objectId" in ctx:
        return ErrorCode.OBJECT_NOT_FOUND
    if "INVALID_ASSOCIATION_TYPE" in sub or "INVALID_ASSOCIATION_TYPE_ID" in ctx:
        return ErrorCode.INVALID_ASSOCIATION_TYPE
    if "associationSpec" in ctx and action not in LIMIT_ACTIONS:
        return ErrorCode.INVALID_ASSOCIATION_TYPE
    return ErrorCode.HUBSPOT_VALIDATION


@dataclass(frozen=True)
class _Named:
    """The rows an error names, by the keys its context carries."""

    objects: tuple[tuple[str, str], ...]  # (TYPE as HubSpot wrote it, id)
    specs: tuple[tuple[str | None, int], ...]  # (category or None, type id)
    from_ids: frozenset[str]
    to_ids: frozenset[str]

    @property
    def empty(self) -> bool:
        return not (self.objects or self.specs or self.from_ids or self.to_ids)


def _named(err: Mapping[str, Any]) -> _Named:
    ctx = _context(err)
    objects = [m.groups() for v in ctx.get("INVALID_OBJECT_IDS", []) if (m := _OBJECT_REF.match(v))]
    ids, types = ctx.get("objectId", []), ctx.get("objectType", [])
    for n, object_id in enumerate(ids):
        kind = types[n] if n < len(types) else (types[0] if types else "")
        objects.append((kind, object_id.strip()))
    specs: list[tuple[str | None, int]] = []
    for key in ("associationSpec", "INVALID_ASSOCIATION_TYPE_ID"):
        for value in ctx.get(key, []):
            specs.extend((c, int(t)) for c, t in _SPEC_REF.findall(value))
    for key in ("typeId", "associationTypeId"):
        specs.extend((None, int(v)) for v in ctx.get(key, []) if v.strip().isdigit())
    return _Named(
        objects=tuple((str(k), str(i)) for k, i in objects),
        specs=tuple(dict.fromkeys(specs)),
        from_ids=frozenset(v.strip() for v in ctx.get("fromObjectId", [])),
        to_ids=frozenset(v.strip() for v in ctx.get("toObjectId", [])),
    )


def _type_matches(text: str, object_type: str) -> bool:
    wanted = text.strip().lower()
    known = OBJECT_TYPES_BY_NAME.get(object_type)
    names = {object_type.lower()}
    if known is not None:
        names |= {known.singular.lower(), known.type_id}
    return wanted in names


def _sides_named(item: WorkItem, named: _Named) -> list[str]:
    """Which sides ("from", "to") of an association row the error's object refs point at."""
    sides: list[str] = []
    for kind, object_id in named.objects:
        candidates = [("from", item.from_type, item.from_id), ("to", item.to_type, item.to_id)]
        by_id = [c for c in candidates if c[2] == object_id]
        typed = [c for c in by_id if _type_matches(kind, c[1])]
        sides.extend(side for side, _, _ in (typed or by_id))
    return list(dict.fromkeys(sides))


def _matches(item: WorkItem, named: _Named) -> bool:
    if named.empty:
        return False
    if named.objects and not _sides_named(item, named):
        return False
    if named.specs and item.type_id is not None:
        hit = any(t == item.type_id and (c is None or c == item.category) for c, t in named.specs)
        if not hit:
            return False
    if named.from_ids and item.from_id not in named.from_ids:
        return False
    return not (named.to_ids and item.to_id not in named.to_ids)


# --- messages an analyst can act on -----------------------------------------------------------


def _spec_text(item: WorkItem) -> str:
    label = f' ("{item.label}")' if item.label else ""
    return f"association type {item.category} {item.type_id}{label}"


def row_message(item: WorkItem, err: Mapping[str, Any], code: ErrorCode) -> str:
    """One sentence naming the value at fault, for a row HubSpot refused."""
    hubspot = str(err.get("message") or "no message").strip().rstrip(".")
    if code is ErrorCode.OBJECT_NOT_FOUND and item.from_id is not None:
        sides = _sides_named(item, _named(err)) or ["from", "to"]
        refs = [
            (object_noun(item.from_type), item.from_id)
            if side == "from"
            else (object_noun(item.to_type), item.to_id)
            for side in sides
        ]
        if len(refs) == 1:
            noun, object_id = refs[0]
            return (
                f"{noun.capitalize()} {object_id} does not exist in HubSpot (or is not a {noun})."
            )
        joined = " and ".join(f"{noun} {object_id}" for noun, object_id in refs)
        return f"{joined.capitalize()} do not exist in HubSpot (or are of another type)."
    if code is ErrorCode.INVALID_ASSOCIATION_TYPE:
        return (
            f"HubSpot does not accept {_spec_text(item)} from {item.from_type} to "
            f"{item.to_type}; check the label or type id and the from/to order."
        )
    if code is ErrorCode.LIMIT_EXCEEDED:
        if item.from_id is not None:
            return (
                f"{object_noun(item.from_type).capitalize()} {item.from_id} already has as many "
                f"{item.to_type} as its association limit allows (HubSpot: {hubspot})."
            )
        return f"HubSpot refused the limit for {_spec_text(item)}: {hubspot}."
    return f"HubSpot rejected the row: {hubspot}."


# --- stopping the run -------------------------------------------------------------------------


class StopSignal:
    """Set once, by the first worker that hits a run-stopping error."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.code: ErrorCode | None = None
        self.message = ""

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self, code: ErrorCode, message: str) -> None:
        with self._lock:
            if not self._event.is_set():
                self.code, self.message = code, message
                self._event.set()


def stop_reason(error: HubframeError) -> tuple[ErrorCode, str]:
    """Why a run stops, as (code, message for the rows that were not sent)."""
    if isinstance(error, RateLimitError):
        return ErrorCode.RATE_LIMITED, (
            "Not sent: HubSpot's daily API limit was reached, so the run stopped; run the retry "
            "file after the limit resets (midnight in the account's time zone)."
        )
    if isinstance(error, NetworkError):
        return ErrorCode.NETWORK_ERROR, (
            "Not sent: HubSpot could not be reached (no connection could be made), so the run "
            "stopped; check the network and the base URL, then run the retry file."
        )
    if isinstance(error, ApiError) and error.code is ErrorCode.MISSING_SCOPES:
        scopes: list[str] = []
        for detail in error.body.get("errors") or []:
            scopes += (detail.get("context") or {}).get("requiredScopes") or []
        needed = f" ({', '.join(scopes)})" if scopes else ""
        return ErrorCode.MISSING_SCOPES, (
            f"Not sent: the access token lacks a required scope{needed}, so the run stopped; "
            "add the scope to the private app and run the retry file."
        )
    return ErrorCode.UNAUTHORIZED, (
        "Not sent: HubSpot did not accept the access token (401), so the run stopped; check "
        "the token and run the retry file."
    )


def stopped_status(code: ErrorCode | None) -> str:
    """The status of a row a stopped run did not send: ``skipped``, or ``failed`` when HubSpot
    could not be reached (a network failure: the row is to do again, like any failed row)."""
    return FAILED if code is ErrorCode.NETWORK_ERROR else SKIPPED


def _short(error: BaseException) -> str:
    return str(error).rstrip(".")


# --- the sender -------------------------------------------------------------------------------


class Sender:
    """Send batches over a shared client; one :class:`Outcome` per row."""

    def __init__(
        self,
        client: HubSpotClient,
        *,
        journal: Journal | None = None,
        workers: int | None = None,
        on_progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError("workers must be 1 or more")
        self.client = client
        self.journal = journal
        self.workers = workers
        self.on_progress = on_progress
        self.cancel = cancel
        self.stop = StopSignal()
        self._warned = False
        self._warned_lock = threading.Lock()

    def run(self, batches: Iterable[Batch]) -> dict[int, Outcome]:
        """Send every batch (a list, or a stream still being planned); outcomes by position."""
        outcomes: dict[int, Outcome] = {}
        stream = iter(batches)
        workers = self.workers
        if workers is None and not self.client.limiter.known:
            # Learn the budget (and the latency) from one batch before filling the pool.
            first = next(stream, None)
            if first is None:
                return outcomes
            started = time.monotonic()
            outcomes.update(self._done(first, self.run_batch(first)))
            workers = self._pool_size(time.monotonic() - started)
        workers = workers or self._pool_size(ASSUMED_LATENCY_S)
        # Each batch is submitted as soon as it is planned, so the first request leaves at once.
        # Planning shares the interpreter with the workers and may delay a request a little
        # after the limiter let it go; the limiter counts each request from when it is written.
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hubframe") as pool:
            queued: dict[Future[list[Outcome]], Batch] = {}
            try:
                for batch in stream:
                    queued[pool.submit(self.run_batch, batch)] = batch
                    if len(queued) >= QUEUE_PER_WORKER * workers:
                        done, _ = wait(queued, return_when=FIRST_COMPLETED)
                        for future in done:
                            outcomes.update(self._done(queued.pop(future), future.result()))
                for future in as_completed(queued):
                    outcomes.update(self._done(queued[future], future.result()))
            except KeyboardInterrupt:
                # Ctrl-C: batches not yet started are dropped; those in flight finish (and are
                # journaled) before the pool closes, so a re-run with the journal resumes.
                for future in queued:
                    future.cancel()
                raise
        return outcomes

    def _pool_size(self, latency_s: float) -> int:
        """Enough workers to keep the rate budget full while requests take ``latency_s``."""
        limiter = self.client.limiter
        wanted = math.ceil(limiter.rate_per_s * latency_s * 1.5) + 2
        # Never more requests in flight than one window allows: a burst of queued requests
        # reaching HubSpot together must still fit in its window.
        cap = min(MAX_WORKERS, limiter.effective_max)
        return max(1, min(cap, max(DEFAULT_WORKERS, wanted)))

    def _done(self, batch: Batch, outcomes: list[Outcome]) -> dict[int, Outcome]:
        if self.on_progress is not None:
            self.on_progress(len(batch.items))
        return {item.position: o for item, o in zip(batch.items, outcomes, strict=True)}

    def run_batch(self, batch: Batch) -> list[Outcome]:
        """Outcomes of one batch: from the journal, or by sending it."""
        if self.journal is not None:
            recorded = self._journaled(lambda j: j.lookup(batch))
            if recorded is not None:
                return recorded
        if self.stop.is_set():
            return self._skipped(batch, None)
        if self.cancel is not None and self.cancel.is_set():
            return [
                Outcome(
                    SKIPPED,
                    action=item.action,
                    error_message="Not sent: the run was cancelled before this row's batch.",
                    batch=batch.number,
                    attempts=0,
                )
                for item in batch.items
            ]
        outcomes = self._send(batch, 0)
        if self.journal is not None:
            self._journaled(lambda j: j.record(batch, outcomes))
        return outcomes

    def _journaled(self, use: Callable[[Journal], _T]) -> _T | None:
        """Use the journal; when it fails mid-run (another program broke or locked it), warn
        once and go on without it: the outcomes are still reported, and a re-run sends the
        batches it could not record again."""
        assert self.journal is not None
        try:
            return use(self.journal)
        except InputError as exc:
            with self._warned_lock:
                first, self._warned = not self._warned, True
            if first:
                logger.warning(
                    "%s; the run goes on without it (a re-run sends unrecorded batches again)",
                    exc,
                )
            return None

    # --- one request --------------------------------------------------------------------------

    def _call(self, batch: Batch) -> ApiResponse:
        payloads = [item.payload() for item in batch.items]
        client, f, t = self.client, batch.from_type, batch.to_type
        senders: dict[str, Callable[[str, str, Sequence[Mapping[str, Any]]], ApiResponse]] = {
            ASSOCIATE: client.batch_create,
            ASSOCIATE_DEFAULT: client.batch_associate_default,
            CREATE_LIMIT: client.create_limits,
            UPDATE_LIMIT: client.update_limits,
            PURGE_LIMIT: client.purge_limits,
            ARCHIVE: client.batch_archive,
            ARCHIVE_LABELS: client.batch_archive_labels,
        }
        return senders[batch.action](f, t, payloads)

    def _send(self, batch: Batch, prior: int) -> list[Outcome]:
        try:
            resp = self._call(batch)
        except HubframeError as exc:
            if stops_the_run(exc):
                self.stop.set(*stop_reason(exc))
            if exc.may_have_applied or isinstance(exc, ServerError):
                return self._settle(batch, exc, prior)
            return self._not_applied(batch, exc, prior)
        out = map_response(batch, resp, prior)
        if resp.earlier_may_have_applied:
            return self._recheck(batch, out, resp, prior)
        return out

    def _not_applied(
        self, batch: Batch, exc: HubframeError, prior: int, *, checked: bool = False
    ) -> list[Outcome]:
        """Outcomes of rows no attempt applied (nothing reached HubSpot, or a check says so)."""
        if stops_the_run(exc):
            return self._skipped(batch, exc, checked=checked)
        if isinstance(exc, RateLimitError):
            return self._all_failed(batch, exc, prior, self._retries_message(exc))
        if isinstance(exc, (ServerError, NetworkError)):
            if checked:
                message = (
                    f"Not applied: HubSpot did not answer ({_short(exc)}) and a check shows the "
                    "change is not there; run the retry file."
                )
            else:
                message = f"Not sent: {_short(exc)}; run the retry file."
            return self._all_failed(batch, exc, prior, message)
        if isinstance(exc, ApiError):
            return self._rejected(batch, exc, prior)
        return self._all_failed(batch, exc, prior, f"Not sent: {_short(exc)}.")

    @staticmethod
    def _retries_message(exc: HubframeError) -> str:
        status = exc.http_status if isinstance(exc, ApiError) else None
        return (
            f"Not applied: HubSpot kept answering {status} after "
            f"{exc.attempts} attempts ({exc}); run the retry file later."
        )

    def _skipped(
        self, batch: Batch, exc: HubframeError | None, *, checked: bool = False
    ) -> list[Outcome]:
        """Rows a stopped run leaves undone (``checked``: sent, but a read shows them absent)."""
        code = self.stop.code or ErrorCode.UNAUTHORIZED
        message = self.stop.message
        if checked:
            message = "Not applied (checked after the answer was lost): " + message.removeprefix(
                "Not sent: "
            )
        api = exc if isinstance(exc, ApiError) else None
        return [
            Outcome(
                stopped_status(code),
                action=item.action,
                error_code=code.value,
                error_message=message,
                http_status=api.http_status if api else None,
                hubspot_category=api.category if api else None,
                correlation_id=api.correlation_id if api else None,
                batch=batch.number,
                attempts=exc.attempts if exc else 0,
            )
            for item in batch.items
        ]

    def _all_failed(
        self, batch: Batch, exc: HubframeError, prior: int, message: str
    ) -> list[Outcome]:
        api = exc if isinstance(exc, ApiError) else None
        code = exc.code or ErrorCode.HUBSPOT_VALIDATION
        return [
            Outcome(
                FAILED,
                action=item.action,
                error_code=code.value,
                error_message=message,
                http_status=api.http_status if api else None,
                hubspot_category=api.category if api else None,
                correlation_id=api.correlation_id if api else None,
                batch=batch.number,
                attempts=prior + exc.attempts,
            )
            for item in batch.items
        ]

    # --- a batch refused as a whole -----------------------------------------------------------

    def _rejected(self, batch: Batch, exc: ApiError, prior: int) -> list[Outcome]:
        attempts = prior + exc.attempts
        if exc.http_status not in BISECT_STATUSES or _BATCH_LEVEL.search(str(exc)):
            message = f"HubSpot refused the whole request: {str(exc).rstrip('.')}."
            return self._all_failed(batch, exc, prior, message)
        named = _named(exc.body)
        hits = [i for i, item in enumerate(batch.items) if _matches(item, named)]
        if len(batch.items) == 1 or (hits and len(hits) < len(batch.items)):
            return self._fail_named_resend_rest(batch, exc, hits or [0], attempts)
        half = len(batch.items) // 2
        left = self._send(batch.part(batch.items[:half]), attempts)
        return left + self._send(batch.part(batch.items[half:]), attempts)

    def _fail_named_resend_rest(
        self, batch: Batch, exc: ApiError, hits: list[int], attempts: int
    ) -> list[Outcome]:
        code = classify(exc.body, batch.action)
        out: dict[int, Outcome] = {}
        for i in hits:
            item = batch.items[i]
            out[i] = Outcome(
                FAILED,
                action=item.action,
                error_code=code.value,
                error_message=row_message(item, exc.body or {"message": str(exc)}, code),
                http_status=exc.http_status,
                hubspot_category=exc.category,
                correlation_id=exc.correlation_id,
                batch=batch.number,
                attempts=attempts,
            )
        rest = [i for i in range(len(batch.items)) if i not in out]
        if rest:
            sent = self._send(batch.part(tuple(batch.items[i] for i in rest)), attempts)
            out.update(zip(rest, sent, strict=True))
        return [out[i] for i in range(len(batch.items))]

    # --- outcome unknown: look ------------------------------------------------------------------

    def _settle(self, batch: Batch, exc: HubframeError, prior: int) -> list[Outcome]:
        """The request failed after an attempt that may have been applied: read the portal."""
        attempts = prior + exc.attempts
        try:
            present = self._present(batch)
        except HubframeError as check:
            return self._unknown(batch, exc, check, attempts)
        api = exc if isinstance(exc, ApiError) else None
        out: dict[int, Outcome] = {}
        for i, (item, ok) in enumerate(zip(batch.items, present, strict=True)):
            if ok:
                out[i] = Outcome(
                    SUCCESS,
                    action=item.action,
                    correlation_id=api.correlation_id if api else None,
                    batch=batch.number,
                    attempts=attempts,
                )
        missing = [i for i in range(len(batch.items)) if i not in out]
        if missing:
            part = batch.part(tuple(batch.items[i] for i in missing))
            done = self._not_applied(part, exc, prior, checked=True)
            out.update(zip(missing, done, strict=True))
        return [out[i] for i in range(len(batch.items))]

    def _recheck(
        self, batch: Batch, out: list[Outcome], resp: ApiResponse, prior: int
    ) -> list[Outcome]:
        """A 2xx after an attempt whose answer was lost: rows it refuses may be applied."""
        refused = [i for i, o in enumerate(out) if o.status != SUCCESS]
        if not refused:
            return out
        part = batch.part(tuple(batch.items[i] for i in refused))
        attempts = prior + resp.attempts
        try:
            present = self._present(part)
        except HubframeError as check:
            if stops_the_run(check):
                self.stop.set(*stop_reason(check))
            for i in refused:
                message = (
                    f"The outcome is unknown: HubSpot refused the row on a retry "
                    f"({str(out[i].error_message).rstrip('.')}), but an earlier attempt whose "
                    f"answer was lost may have applied it, and the check failed "
                    f"({_short(check)}); run the retry file."
                )
                out[i] = out[i].with_(
                    error_code=ErrorCode.UNKNOWN_OUTCOME.value, error_message=message
                )
            return out
        for i, ok in zip(refused, present, strict=True):
            if ok:
                out[i] = Outcome(
                    SUCCESS,
                    action=batch.items[i].action,
                    http_status=resp.status,
                    correlation_id=resp.correlation_id,
                    batch=batch.number,
                    attempts=attempts,
                )
        return out

    def _unknown(
        self, batch: Batch, exc: HubframeError, check: HubframeError, attempts: int
    ) -> list[Outcome]:
        """Rows whose write may have been applied and that no read could check."""
        if stops_the_run(check):
            self.stop.set(*stop_reason(check))
        api = exc if isinstance(exc, ApiError) else None
        message = (
            f"The outcome is unknown: HubSpot's answer was lost or inconclusive ({_short(exc)}) "
            f"and the check that followed failed too ({_short(check)}); the change may or may "
            "not be there. Run the retry file: sending it again is safe."
        )
        return [
            Outcome(
                FAILED,
                action=item.action,
                error_code=ErrorCode.UNKNOWN_OUTCOME.value,
                error_message=message,
                http_status=api.http_status if api else None,
                hubspot_category=api.category if api else None,
                correlation_id=api.correlation_id if api else None,
                batch=batch.number,
                attempts=attempts,
            )
            for item in batch.items
        ]

    def _present(self, batch: Batch) -> list[bool]:
        """Per row: is the change there (for archives: is the association gone)?"""
        if batch.action in (ASSOCIATE, ASSOCIATE_DEFAULT, ARCHIVE, ARCHIVE_LABELS):
            ids = [item.from_id for item in batch.items if item.from_id is not None]
            found = self.client.read_associations(batch.from_type, batch.to_type, ids)
            removing = batch.action in (ARCHIVE, ARCHIVE_LABELS)
            return [
                _association_present(item, found.get(str(item.from_id), [])) != removing
                for item in batch.items
            ]
        current = {
            (str(c.get("category")), int(c.get("typeId", -1))): c.get("userEnforcedMaxToObjectIds")
            for c in self.client.get_limits(batch.from_type, batch.to_type)
        }
        return [_limit_present(item, current) for item in batch.items]


def _association_present(item: WorkItem, entries: Iterable[Mapping[str, Any]]) -> bool:
    for entry in entries:
        if str(entry.get("toObjectId")) != str(item.to_id):
            continue
        if item.type_id is None:
            return True
        for spec in entry.get("associationTypes") or []:
            if int(spec.get("typeId", -1)) == item.type_id and spec.get("category") in (
                None,
                item.category,
            ):
                return True
    return False


def _limit_present(item: WorkItem, current: Mapping[tuple[str, int], Any]) -> bool:
    key = (str(item.category), int(item.type_id if item.type_id is not None else -1))
    if item.action == PURGE_LIMIT:
        return key not in current
    value = current.get(key)
    return value is not None and int(value) == item.max_to_object_ids


# --- mapping a 2xx answer -----------------------------------------------------------------------


def _result_keys(batch: Batch, body: Mapping[str, Any]) -> set[tuple[str, str]] | None:
    """What the results list says was done, keyed like :func:`_item_key`; None if unknown."""
    results = body.get("results")
    if not isinstance(results, list) or not results or batch.action in (ARCHIVE, ARCHIVE_LABELS):
        return None  # archive results are empty objects: they name nothing
    keys: set[tuple[str, str]] = set()
    for r in results:
        if not isinstance(r, dict):
            continue
        if batch.action == ASSOCIATE:
            keys.add((str(r.get("fromObjectId")), str(r.get("toObjectId"))))
        elif batch.action == ASSOCIATE_DEFAULT:
            keys.add((str((r.get("from") or {}).get("id")), str((r.get("to") or {}).get("id"))))
        else:
            keys.add((str(r.get("category")), str(r.get("typeId"))))
    return keys


def _item_key(item: WorkItem) -> tuple[str, str]:
    if item.action in (ASSOCIATE, ASSOCIATE_DEFAULT):
        return (str(item.from_id), str(item.to_id))
    return (str(item.category), str(item.type_id))


def map_response(batch: Batch, resp: ApiResponse, prior: int = 0) -> list[Outcome]:
    """One outcome per item of ``batch`` from a 2xx answer (with or without ``errors[]``)."""
    attempts = prior + resp.attempts
    failures: dict[int, Outcome] = {}
    body = resp.json() if resp.may_have_errors() else {}
    unmapped: list[Mapping[str, Any]] = []
    for err in body.get("errors") or []:
        if not isinstance(err, dict):
            continue
        named = _named(err)
        hits = [i for i, item in enumerate(batch.items) if _matches(item, named)]
        if not hits:
            unmapped.append(err)
        code = classify(err, batch.action)
        for i in hits:
            failures.setdefault(i, _item_failure(batch, batch.items[i], err, code, resp, attempts))
    if unmapped:
        done = _result_keys(batch, body)
        for i, item in enumerate(batch.items):
            if i not in failures and done is not None and _item_key(item) not in done:
                err = unmapped[0]
                failures[i] = _item_failure(
                    batch, item, err, classify(err, batch.action), resp, attempts
                )
    return [
        failures.get(i)
        or Outcome(
            SUCCESS,
            action=item.action,
            http_status=resp.status,
            correlation_id=resp.correlation_id,
            batch=batch.number,
            attempts=attempts,
        )
        for i, item in enumerate(batch.items)
    ]


def _item_failure(
    batch: Batch,
    item: WorkItem,
    err: Mapping[str, Any],
    code: ErrorCode,
    resp: ApiResponse,
    attempts: int,
) -> Outcome:
    return Outcome(
        FAILED,
        action=item.action,
        error_code=code.value,
        error_message=row_message(item, err, code),
        http_status=resp.status,
        hubspot_category=str(err.get("category")) if err.get("category") else None,
        correlation_id=resp.correlation_id,
        batch=batch.number,
        attempts=attempts,
    )
