"""Sending planned batches: worker pool, bisection, outcome checks, clean stops.

:class:`Sender` runs batches (a list, or a stream still being planned) on a thread pool sharing
one :class:`~hubframe.hubspot.client.HubSpotClient` (and so one rate limiter) and returns an
:class:`~hubframe.run.work.Outcome` per row:

- a 2xx is mapped row by row (:func:`hubframe.run.answers.map_response`); the rows it leaves
  unconfirmed are read back (after pauses when it says the batch is still being processed);
- a batch rejected whole (400) fails the rows its error names for sure; the rows it names only
  perhaps, and the rest, are sent again apart, and what no error names is split in halves
  until the bad rows are isolated;
- an outcome is reported only when it is known: when an attempt of a write may have been
  applied (its answer was lost, or was a 5xx), whatever ends the retries (a 429 of either
  policy, 401, 403, another 4xx, a network error, or a 2xx that refuses some rows), the rows
  not confirmed by the last answer are checked with a read of the portal (the endpoint's
  ``present``, read again after :data:`SETTLE_WAITS`): present means success; a row never
  found, or not checkable, is ``UNKNOWN_OUTCOME`` (failed): HubSpot may still apply it, so it
  is never reported "not applied" -- unless it names a record HubSpot does not have, which no
  write can apply: the records of a batch's rows still unknown are read last (one objects read
  per object type, :mod:`hubframe.run.gone`), and such a row is ``OBJECT_NOT_FOUND`` (a
  removal ``NOT_ASSOCIATED``); that read failing, they stay unknown.  A refused connection sent
  nothing: its rows are
  ``NETWORK_ERROR``.  A retry refused whole for its rows (a 400 naming one) is an answer: the
  rows the portal shows are successes, the rest go the refused-batch way above (sending a row
  again is safe on every endpoint), and a row then refused for a reason an earlier attempt may
  have caused is read back (:meth:`Sender._refused_after_unsure`);
- a 423 Locked or 477 Migration in Progress is retried by the client; HubSpot refused it
  before doing anything, so when the retries run out its rows are not read back: a 423's
  are ``failed`` with ``HUBSPOT_LOCKED``, and a 477 stops the run (below);
- a DAILY 429, an auth failure (401 / 403), a 477 Migration in Progress past the client's
  patience or an unreachable HubSpot stops the run: unsent rows are ``skipped``
  (``HUBSPOT_MIGRATING`` for a migration; ``failed`` with ``NETWORK_ERROR`` when HubSpot
  cannot be reached).
- a failure of hubframe itself while sending (out of memory building a body or reading an
  answer, no room to start a thread, a bug: any exception that is not HubSpot's answer) stops
  the run the same way (``RUN_FAILED``): the requests already out finish, the failing batch's
  rows are ``UNKNOWN_OUTCOME`` when one of its requests may have reached HubSpot, else
  ``failed`` with ``RUN_FAILED`` (the journal's record of it taken back), and the rows not
  sent ``skipped``; the result table is returned as for any stop.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import replace
from http import HTTPStatus
from typing import Final, TypeGuard, TypeVar

from hubframe.errors import (
    ApiError,
    BusyError,
    ConfigurationError,
    ErrorCode,
    HubframeError,
    InputError,
    NetworkError,
    RateLimitError,
    ServerError,
    StopReason,
    failure_words,
)
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.wire import ApiResponse, JsonBytes, requests_written
from hubframe.run import endpoints
from hubframe.run.answers import (
    Blame,
    LabelNames,
    UnlabeledIds,
    blame,
    cancelled_processing,
    classify,
    read_answer,
    row_message,
    unsaid,
)
from hubframe.run.diagnose import diagnose
from hubframe.run.gone import records_gone, settle_gone, unsure_rows
from hubframe.run.journal import Journal, Packed, is_final, pack
from hubframe.run.labels import unknown_object_type
from hubframe.run.outcomes import Outcomes
from hubframe.run.work import Batch, Outcome, WorkItem, shared_outcome
from hubframe.vocab import Status

#: The message of a row a cancel left unsent (the app counts them to say "Cancelled").
CANCELLED_MESSAGE: Final = "Not sent: the run was cancelled before this row's batch."
#: Requests in flight at most (the worker pool).  A run with a fresh rate window sends this many
#: at once, then one as each answer comes back (while the window allows).  32: below the
#: smallest rolling budget HubSpot documents for an app (100 requests / 10 s) with room to
#: spare, within the client's connection pool, and enough to fill a 190 / 10 s window at
#: latencies up to ~1.5 s (32 / 1.5 s > 19 / s); more threads only contend for the interpreter
#: while building request bodies.
MAX_IN_FLIGHT = 32
#: Batches queued per worker ahead of sending (the rest are planned as the queue drains).
QUEUE_PER_WORKER = 1
#: Pool threads per request slot: a worker reads its answer (parsing it, mapping its rows)
#: after giving its slot back, while another worker's request goes out.
THREADS_PER_SLOT = 2
#: Whole-batch statuses worth splitting the batch for (the rest fail every row at once).
BISECT_STATUSES = frozenset({400, 413, 422})
#: Rows of a batch refused whole (for no reason the portal shows) sent alone first -- its
#: first, middle and last -- to tell a refused row from a refused request (:meth:`Sender._probe`).
PROBES: Final = 3
#: Refusals of one batch, each naming a row, after which the portal is read for the rows that
#: cannot succeed (:func:`diagnose`) and the rest is sent again in halves: HubSpot may answer
#: only a batch's first bad row each time (the rest is not applied), and failing one and
#: sending the rest again nested a level per bad row (hundreds of records deleted since the
#: sheet was made ran out of stack); halves keep the depth to about log2 of the batch.
CHAIN: Final = 8
#: Pauses before each read of the rows of a batch HubSpot answered as still being processed
#: (status PROCESSING or PENDING, results not listing them): about 7.5 s in all, then the rows
#: not there yet are UNKNOWN_OUTCOME.
PROCESSING_WAITS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
#: Pauses before each read again of the rows of a write that may have been applied (its
#: answer lost, a timeout, 5xx) and were not there at the first read: HubSpot may still be
#: applying a request its gateway gave up on (504) or the client stopped waiting for.
SETTLE_WAITS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
_BATCH_LEVEL = re.compile(r"unable to infer object type", re.IGNORECASE)

Progress = Callable[[int], None]
#: Whether a journal's outcome of a row still holds, by what the job read of the portal before
#: the run (a limits run: HubSpot holds the limit the row asks, or none for a purge).
Agrees = Callable[[WorkItem, Outcome], bool]
_T = TypeVar("_T")
logger = logging.getLogger("hubframe.send")


class StopSignal:
    """Set once, by the first worker that hits a run-stopping error."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.reason: StopReason | None = None

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self, reason: StopReason) -> None:
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
                self._event.set()

    def stop_for(self, error: HubframeError) -> None:
        """Stop the run when ``error`` is one after which nothing else can work."""
        if error.stops_run:
            self.set(StopReason.of(error))


def resend_order(n: int, settled: set[int], unsure: list[int]) -> list[list[int]]:
    """The parts a refused batch's rows are sent again in: the rows the error may be about
    apart from the others (alone when they are at most :data:`PROBES`, else together), in the
    batch's order -- HubSpot applies a batch's inputs in turn, so two rows competing for a
    limit's last place go in the sheet's order.  Sent ahead of the rows before it, a row the
    error named took the place of an earlier row, which then failed (a batch refused whole).
    When apart and in order they would make more than ``2 * PROBES + 1`` requests, the rows
    before the first unsure one go first, then the unsure rows, then the rest."""
    open_ = [i for i in range(n) if i not in settled]
    doubt, apart = set(unsure), len(unsure) <= PROBES
    runs: list[list[int]] = []
    for i in open_:
        kind = i in doubt
        if runs and kind == (runs[-1][-1] in doubt) and not (kind and apart):
            runs[-1].append(i)
        else:
            runs.append([i])
    if len(runs) <= 2 * PROBES + 1:
        return runs
    first = min(unsure)
    before = [i for i in open_ if i < first and i not in doubt]
    after = [i for i in open_ if i > first and i not in doubt]
    return [part for part in (before, sorted(doubt), after) if part]


def _halves(rows: list[int]) -> tuple[list[int], ...]:
    """``rows`` in two halves, in order (one part when it is a single row)."""
    half = len(rows) // 2
    return (rows[:half], rows[half:]) if half else (rows,)


def _refused_alike(outcome: Outcome, said: str) -> bool:
    """A row sent alone refused with the batch's answer, and nothing in the portal says why."""
    return (
        outcome.status is Status.FAILED
        and outcome.error_code is ErrorCode.HUBSPOT_VALIDATION
        and said in (outcome.error_message or "")
    )


def _request_refused(said: str, rows: int) -> StopReason:
    return StopReason(
        ErrorCode.REQUEST_REFUSED,
        f"Not sent: HubSpot refused the requests themselves ({said}); {rows} rows sent one by "
        "one got that same answer, and the portal shows nothing wrong with them, so the run "
        "stopped instead of sending every row alone. Read the message, then run the retry file.",
    )


def _journal_failed(exc: Exception) -> StopReason:
    said = (
        _short(exc) if isinstance(exc, InputError) else f"the journal failed ({failure_words(exc)})"
    )
    return StopReason(
        ErrorCode.JOURNAL_FAILED,
        f"Not sent: {said}, and a batch the journal cannot record could not be undone "
        "from it, so the run stopped; free disk space (or close the program using the "
        "journal), then run the retry file with the same journal.",
    )


def _run_failed(exc: BaseException) -> StopReason:
    """Why a run stops when hubframe itself failed while sending (``exc``: not HubSpot's)."""
    return StopReason(
        ErrorCode.RUN_FAILED,
        f"Not sent: hubframe failed while the run was sending ({failure_words(exc)}), so the "
        "run stopped; free memory (or send fewer rows at once), then run the retry file.",
    )


def _no_threads(exc: RuntimeError) -> StopReason:
    """Why a run stops when not one thread to send with could be started."""
    return StopReason(
        ErrorCode.RUN_FAILED,
        f"Not sent: hubframe could not start the sending threads ({failure_words(exc)}), so "
        "the run stopped before sending; free memory (or raise the process's limits), then "
        "run the retry file.",
    )


def _unsent(batch: Batch, status: Status, code: ErrorCode | None, message: str) -> list[Outcome]:
    """Every row of ``batch`` with one outcome, no attempt made (a stop, a cancel, a failure of
    hubframe's own before or while it was sent)."""
    return [
        Outcome(
            status,
            action=item.action,
            error_code=code,
            error_message=message,
            batch=batch.number,
            attempts=0,
        )
        for item in batch.items
    ]


def _short(error: BaseException) -> str:
    return str(error).rstrip(".")


def _start_workers(pool: ThreadPoolExecutor, workers: int) -> int:
    """Start the pool's threads now, while nothing else runs, and say how many started.  The
    pool starts a thread per submit otherwise, and each start waits for its thread to run:
    behind the workers already building and sending bodies, 32 starts spread the first
    requests over ~0.3 s.  When the system refuses a thread (``RuntimeError: can't start new
    thread``: no memory for its stack, a process limit) fewer are started; when it refuses
    the first, that RuntimeError is raised.

    ``go`` is set whatever happens: a Ctrl-C (KeyboardInterrupt) between two submits left the
    threads started so far waiting for it for good, and the process hung at exit joining them.
    """
    go = threading.Event()
    started: list[Future[bool]] = []
    try:
        for _ in range(workers):
            started.append(pool.submit(go.wait))  # each busy: a new thread each
    except RuntimeError:
        if not started:
            raise
    finally:
        go.set()
    wait(started)
    return len(started)


def _open_pool(threads: int) -> tuple[ThreadPoolExecutor, int]:
    """A pool with its ``threads`` threads started, or as many as the system gives (the pool
    made again with that many: a pool never starts a thread past those, as one that cannot
    start would fail a submit whose batch then runs unseen); RuntimeError when not one
    starts."""
    while True:
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hubframe")
        try:
            started = _start_workers(pool, threads)
        except RuntimeError:
            pool.shutdown(wait=True)
            raise
        if started == threads:
            return pool, threads
        pool.shutdown(wait=True)
        logger.debug("only %d of %d sending threads could be started", started, threads)
        threads = started


class _Cancelled(Exception):
    """The run was cancelled before a batch's first request left (not a HubframeError)."""


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
        agrees: Agrees | None = None,
        unlabeled: UnlabeledIds | None = None,
        label_names: LabelNames | None = None,
        unsent: Mapping[int, Outcome] | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ConfigurationError("workers must be 1 or more")
        self.client = client
        self.journal = journal
        #: a journal outcome is re-used only for the rows this says it holds for (None: all)
        self.agrees = agrees
        #: the unlabeled type ids of the pairs the job read: whose limit an error names
        self.unlabeled = unlabeled or {}
        #: the labels' exact names the job read: what confirms a labeled row in an answer
        self.label_names = label_names
        #: rows whose outcome is the journal's record, or this one: never sent
        self.unsent = unsent or {}
        self.workers = workers
        self.on_progress = on_progress
        self.cancel = cancel
        self.stop = StopSignal()
        self._rows_pass = threading.Event()  # a row sent alone after a refused batch passed
        self._warned = False
        self._warned_lock = threading.Lock()
        #: Requests in flight at once (sends, and the reads that check them): the pool has more
        #: threads, so a worker reads its answer while another's request is already out.
        self._slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
        #: Whether the journal held batches this run may re-use when it started (see
        #: :meth:`_pump`); until then, assumed so.
        self._resuming = True
        #: Whether making the batches failed part way (:meth:`_guarded`): rows of batches
        #: never made have no outcome from the sender.
        self.stream_broke = False

    def run(self, batches: Iterable[Batch]) -> dict[int, Outcome]:
        """Send every batch; the outcomes by position (for a few batches: a run's many rows
        go into an :class:`~hubframe.run.outcomes.Outcomes` store with :meth:`send`)."""
        found: dict[int, Outcome] = {}

        def keep(batch: Batch, outcomes: list[Outcome]) -> None:
            found.update((item.position, o) for item, o in zip(batch.items, outcomes, strict=True))

        self._pump(batches, keep, len(batches) if isinstance(batches, Sized) else None)
        return found

    def send(self, batches: Iterable[Batch], store: Outcomes, *, count: int | None = None) -> None:
        """Send every batch (a stream, made as it is needed) into ``store``; ``count``: how many
        there are, when known (no more threads are started than batches)."""

        def keep(batch: Batch, outcomes: list[Outcome]) -> None:
            store.put_batch(batch.positions(), outcomes)

        self._pump(batches, keep, count)

    def _pump(
        self,
        batches: Iterable[Batch],
        keep: Callable[[Batch, list[Outcome]], None],
        count: int | None = None,
    ) -> None:
        workers = self.workers or self.in_flight()
        if count is not None:
            workers = max(1, min(workers, count))
        self._slots = threading.BoundedSemaphore(workers)
        # One worker sends one batch after another, in order (a run asked to go one at a time);
        # more share their slots with twice as many threads, in no set order, as before.
        threads = workers * THREADS_PER_SLOT if workers > 1 else 1
        if count is not None:
            threads = max(1, min(threads, count))
        # Each batch is submitted as soon as it is made, so the first requests leave at once
        # (the rate limiter lets a fresh window's budget go together); the limiter counts each
        # request from when it is written, whatever the planning thread is doing.  Its body is
        # built here, one after another: 32 workers building theirs at once share the same
        # cores, and each new thread's allocator starts cold, so the first burst would leave
        # spread over ~0.3 s instead of ~0.05 s.
        self._resuming = self._may_reuse()
        build = not self._resuming
        try:
            pool, threads = _open_pool(threads)
        except RuntimeError as refused:
            self.stop.set(_no_threads(refused))
            for batch in self._guarded(batches):
                self._done(batch, self._skipped(batch, None), keep)
            return
        with pool:
            queued: dict[Future[list[Outcome]], Batch] = {}
            try:
                for batch in self._guarded(batches):
                    try:
                        body = (
                            endpoints.encoded(batch) if build and not self.stop.is_set() else None
                        )
                    except Exception as exc:  # out of memory building it: it never left
                        self._done(batch, self._broke(batch, exc, sent=False), keep)
                        continue
                    queued[pool.submit(self.run_batch, batch, body)] = batch
                    if len(queued) >= QUEUE_PER_WORKER * threads:
                        done, _ = wait(queued, return_when=FIRST_COMPLETED)
                        for future in done:
                            self._done(queued.pop(future), future.result(), keep)
                for future in as_completed(queued):
                    self._done(queued[future], future.result(), keep)
            except KeyboardInterrupt:
                # Ctrl-C: batches not yet started are dropped; those in flight finish (and are
                # journaled) before the pool closes, so a re-run with the journal resumes.
                for future in queued:
                    future.cancel()
                raise

    def _guarded(self, batches: Iterable[Batch]) -> Iterator[Batch]:
        """``batches`` until making the next fails (out of memory): the run then stops
        (``RUN_FAILED``; :attr:`stream_broke`), and the rows of the batches not made are left
        to the caller (:func:`~hubframe.run.pipeline.execute` gives them the stop's outcome)."""
        stream = iter(batches)
        while True:
            try:
                batch = next(stream)
            except StopIteration:
                return
            except Exception as exc:
                self.stop.set(_run_failed(exc))
                self.stream_broke = True
                return
            yield batch

    def _may_reuse(self) -> bool:
        """Whether the journal holds batches this run may re-use.  When it does not, no batch
        is looked up in it (the run's own batches are never the same twice), and the planning
        thread builds each batch's body before submitting it (see :meth:`_pump`); when it does,
        the journal answers for most batches and their bodies would go unused (the workers
        then build the ones they send)."""
        return self.journal is not None and bool(self._journaled(lambda j: j.reusable()))

    def in_flight(self) -> int:
        """Requests to keep in flight: :data:`MAX_IN_FLIGHT`, or fewer when the rate window is
        smaller (a window's budget may all be in flight at once, never more)."""
        return max(1, min(MAX_IN_FLIGHT, self.client.limiter.effective_max))

    def _done(
        self,
        batch: Batch,
        outcomes: list[Outcome],
        keep: Callable[[Batch, list[Outcome]], None],
    ) -> None:
        keep(batch, outcomes)
        if self.on_progress is not None:
            self.on_progress(batch.size)

    def run_batch(self, batch: Batch, body: JsonBytes | None = None) -> list[Outcome]:
        """Outcomes of one batch: from the journal, or by sending it (``body``: its inputs,
        when built already).  A failure of hubframe itself on the way (any exception: out of
        memory, a bug) stops the run and gives the batch's rows their outcome
        (:meth:`_broke`): it never escapes, so the rows done stay reported."""
        mark = requests_written()
        try:
            return self._run_batch(batch, body)
        except Exception as exc:
            return self._broke(batch, exc, sent=requests_written() != mark)

    def _broke(self, batch: Batch, exc: Exception, *, sent: bool) -> list[Outcome]:
        """The outcomes of a batch hubframe failed on (``exc``), having stopped the run:
        ``UNKNOWN_OUTCOME`` when a request of it may have reached HubSpot (``sent``), else
        ``failed`` with ``RUN_FAILED``."""
        words = failure_words(exc)
        logger.debug("run stopped: %s", words, exc_info=exc)  # the traceback (redacted: logging)
        self.stop.set(_run_failed(exc))
        if sent:
            code = ErrorCode.UNKNOWN_OUTCOME
            message = (
                f"The outcome is unknown: hubframe failed while this row's batch was being sent "
                f"or its answer read ({words}), so the run stopped; HubSpot may have applied "
                "it. Run the retry file: sending it again is safe."
            )
        else:
            code = ErrorCode.RUN_FAILED
            message = (
                f"Not sent: hubframe failed before this row's batch left ({words}), so the run "
                "stopped; nothing of the batch reached HubSpot. Run the retry file."
            )
        return _unsent(batch, Status.FAILED, code, message)

    def _run_batch(self, batch: Batch, body: JsonBytes | None) -> list[Outcome]:
        packed = pack(batch) if self.journal is not None else None
        if packed is not None and self._resuming:
            recorded = self._journaled(lambda j: j.lookup(batch, packed))
            if recorded is not None:
                again = self._not_agreeing(batch, recorded)
                if not again:
                    return recorded
                if len(again) < batch.size:
                    return self._again(batch, recorded, again)
        return self._fresh(batch, packed, body)

    def _not_agreeing(self, batch: Batch, recorded: list[Outcome]) -> list[int]:
        """The rows of ``batch`` whose recorded outcome the job's read of the portal
        contradicts (:attr:`agrees`): they are sent again."""
        if self.agrees is None:
            return []
        agrees = self.agrees
        pairs = zip(batch.items, recorded, strict=True)
        return [i for i, (item, outcome) in enumerate(pairs) if not agrees(item, outcome)]

    def _again(self, batch: Batch, recorded: list[Outcome], again: list[int]) -> list[Outcome]:
        """``recorded``, with the rows ``again`` sent again as a batch of their own (the
        other rows' outcomes still hold: they are not sent twice)."""
        part = batch.part(tuple(batch.items[i] for i in again))
        sent = self._fresh(part, pack(part), None)
        out = list(recorded)
        for i, outcome in zip(again, sent, strict=True):
            out[i] = outcome
        return out

    def _fresh(
        self,
        batch: Batch,
        packed: Packed | None,
        body: JsonBytes | None,
        *,
        final: bool | None = None,
    ) -> list[Outcome]:
        """Send ``batch`` (journaled when ``packed``: kept as maybe applied before it leaves,
        its outcomes once answered; ``final=False``: its outcomes are not kept for a later run
        to re-use, the caller records them with others): its outcomes.  Its rows of
        :attr:`unsent` are not sent: they get their outcome there."""
        if self.unsent and any(item.position in self.unsent for item in batch.items):
            return self._but_unsent(batch)
        if self.stop.is_set():
            return self._skipped(batch, None)
        intended = self._journaled(lambda j: j.intend(batch, packed)) if packed else None
        if self.stop.is_set():  # the journal could not record it (or another stop): not sent
            return self._skipped(batch, None)
        mark = requests_written()
        try:
            outcomes = self._send(batch, 0, body, first=True)
        except Exception as exc:
            sent = requests_written() != mark and not isinstance(exc, _Cancelled)
            outcomes = self._cancelled_or_broke(batch, exc, sent=sent)
            if not sent and intended is not None:  # nothing of it left: not maybe applied
                self._journaled(lambda j: j.retract(intended))
                return outcomes
        outcomes = self._gone(batch, outcomes)
        if packed is not None:
            self._journaled(lambda j: j.record(batch, outcomes, packed, intended, final=final))
        return outcomes

    def _cancelled_or_broke(self, batch: Batch, exc: Exception, *, sent: bool) -> list[Outcome]:
        """The outcomes of a batch whose sending ended in ``exc``: a cancel before it left
        (``skipped``, ``CANCELLED``), or a failure of hubframe itself (:meth:`_broke`)."""
        if not isinstance(exc, _Cancelled):
            return self._broke(batch, exc, sent=sent)
        return _unsent(batch, Status.SKIPPED, ErrorCode.CANCELLED, CANCELLED_MESSAGE)

    def _but_unsent(self, batch: Batch) -> list[Outcome]:
        """``batch``'s outcomes: its rows of :attr:`unsent` given theirs, the others sent as
        a batch of their own.  A batch of limits is journaled whole (its unsent rows' outcomes
        too): a resumed run meets it whole, its rows removed since among the unsent then, and
        finds the outcomes of the rows this run sent (a part's record it would never look up);
        the part sent is kept as maybe applied before it leaves, as any batch.  An unsent row
        given ``success`` (a removal an earlier run of the journal sent, its answer lost, whose
        limit HubSpot no longer holds) is kept as found applied (:meth:`Journal.settle`)."""
        items = batch.items
        sending = [i for i, item in enumerate(items) if item.position not in self.unsent]
        whole = self.journal is not None and not batch.action.changes_links
        sent: dict[int, Outcome] = {}
        if sending:
            part = batch.part(tuple(items[i] for i in sending))
            packed = pack(part) if self.journal is not None else None
            done = self._fresh(part, packed, None, final=False if whole else None)
            sent = dict(zip(sending, done, strict=True))
        out = [sent[i] if i in sent else self.unsent[item.position] for i, item in enumerate(items)]
        if whole and sent:
            final = all(is_final(o) for o in sent.values())
            self._journaled(lambda j: j.record(batch, out, pack(batch), final=final))
        found = tuple(
            item
            for i, item in enumerate(items)
            if i not in sent and self.unsent[item.position].status is Status.SUCCESS
        )
        if found and self.journal is not None:
            self._journaled(lambda j: j.settle(batch.part(found)))
        return out

    def _journaled(self, use: Callable[[Journal], _T]) -> _T | None:
        """Use the journal; when it fails mid-run (a full disk, another program breaking or
        locking it, or any failure of its own: out of memory), the run stops: the batch at
        hand keeps its outcomes, and no further batch is sent that the journal could not
        record (``JOURNAL_FAILED``)."""
        assert self.journal is not None
        try:
            return use(self.journal)
        except Exception as exc:  # InputError; or out of memory, a fault of its own
            self.stop.set(_journal_failed(exc))
            return None

    def _explained(self, batch: Batch, outcomes: list[Outcome]) -> list[Outcome]:
        """Rows HubSpot refused one by one without a reason hubframe can read (a bare error
        body): the portal is read to find out why (:mod:`hubframe.run.diagnose`)."""
        shared = shared_outcome(outcomes)
        if shared is not None and shared.status is Status.SUCCESS:  # nothing vague in it
            return outcomes
        vague = [
            n
            for n, o in enumerate(outcomes)
            if o.status is Status.FAILED and o.error_code is ErrorCode.HUBSPOT_VALIDATION
        ]
        if not vague or self.stop.is_set():
            return outcomes
        part = batch.part(tuple(batch.items[n] for n in vague))
        with self._slots:
            findings = diagnose(self.client, part)
        for n, finding in zip(vague, findings, strict=True):
            if finding is not None and not finding.later:  # the rows before it were refused
                outcomes[n] = outcomes[n].with_(
                    error_code=finding.code, error_message=finding.message
                )
        return outcomes

    # --- one request --------------------------------------------------------------------------

    def _request(self, batch: Batch, body: JsonBytes | None) -> ApiResponse:
        """Send ``batch``'s request (the caller holds its slot).  An error that stops the run
        stops it before the slot is given up: a batch waiting for the slot then sees the stop
        and is not sent."""
        try:
            return endpoints.send(self.client, batch, body)
        except HubframeError as exc:
            self.stop.stop_for(exc)
            raise

    def _send(
        self, batch: Batch, prior: int, body: JsonBytes | None = None, *, first: bool = False
    ) -> list[Outcome]:
        """Send ``batch`` (``first``: a batch's first request, which a cancel made while it
        waited for its slot stops: :class:`_Cancelled`)."""
        if self.stop.is_set():  # stopped while this batch was being split or sent again
            return self._skipped(batch, None)
        try:
            with self._slots:
                if first and self.cancel is not None and self.cancel.is_set():
                    raise _Cancelled
                if self.stop.is_set():  # stopped while this batch waited for its slot
                    return self._skipped(batch, None)
                resp = self._request(batch, body)
        except HubframeError as exc:
            if exc.may_have_applied and _refuses_rows(exc, batch):
                return self._refused_after_unsure(batch, exc, prior)
            if exc.may_have_applied or isinstance(exc, ServerError):
                return self._settle(batch, exc, prior)
            return self._not_applied(batch, exc, prior)
        try:
            answer = read_answer(batch, resp, prior, self.unlabeled, self.label_names)
        except ServerError as unread:  # a 2xx that is not HubSpot's answer: it may have applied
            return self._settle(batch, unread, prior)
        out = answer.outcomes
        if answer.unconfirmed:
            out = self._confirm(batch, out, answer.unconfirmed, resp, prior, answer.pending)
        out = self._explained(batch, out)
        if resp.earlier_may_have_applied:
            return self._recheck(batch, out, resp, prior)
        return out

    def _not_applied(self, batch: Batch, exc: HubframeError, prior: int) -> list[Outcome]:
        """Outcomes of rows no attempt applied: the request was refused, or never reached
        HubSpot (a write that may have is settled by reads: :meth:`_settle`)."""
        if exc.stops_run:
            return self._skipped(batch, exc)
        if isinstance(exc, RateLimitError):
            return self._all_failed(batch, exc, prior, self._retries_message(exc))
        if isinstance(exc, BusyError):  # refused before anything was done: nothing to read
            message = f"Not applied: {_short(exc)}. Run the retry file later."
            return self._all_failed(batch, exc, prior, message)
        if isinstance(exc, (ServerError, NetworkError)):
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

    def _skipped(self, batch: Batch, exc: HubframeError | None) -> list[Outcome]:
        """Rows a stopped run leaves undone."""
        reason = self.stop.reason
        if reason is None:
            assert exc is not None, "rows are skipped only once the run has stopped"
            reason = StopReason.of(exc)
        message = reason.message
        if exc is None:
            return _unsent(batch, reason.status, reason.code, message)
        return [
            Outcome.of_error(
                reason.status,
                exc,
                message,
                action=item.action,
                code=reason.code,
                batch=batch.number,
                attempts=exc.attempts,
            )
            for item in batch.items
        ]

    def _all_failed(
        self, batch: Batch, exc: HubframeError, prior: int, message: str
    ) -> list[Outcome]:
        return _every_row_failed(batch, exc, message, prior + exc.attempts)

    # --- a batch refused as a whole -----------------------------------------------------------

    def _rejected(self, batch: Batch, exc: ApiError, prior: int) -> list[Outcome]:
        attempts = prior + exc.attempts
        if exc.http_status is not None and 300 <= exc.http_status < 400:  # not HubSpot's
            return self._all_failed(batch, exc, prior, f"Not applied: {_short(exc)}.")
        unknown = unknown_object_type(exc, batch.from_type, batch.to_type)
        if unknown is not None:  # the sheet's object type, as a lookup of its labels says
            return [
                Outcome.of_error(
                    Status.INVALID,
                    exc,
                    unknown[1],
                    action=item.action,
                    code=ErrorCode.BAD_OBJECT_TYPE,
                    batch=batch.number,
                    attempts=attempts,
                )
                for item in batch.items
            ]
        if exc.http_status not in BISECT_STATUSES or _BATCH_LEVEL.search(str(exc)):
            message = f"HubSpot refused the whole request: {_short(exc)}."
            return self._all_failed(batch, exc, prior, message)
        n = len(batch.items)
        if n == 1:  # the request of this row alone was refused
            return self._fail_named_resend_rest(batch, exc, Blame(sure=(0,)), attempts)
        named = blame(exc.body, batch.items, unlabeled=self.unlabeled)
        if named.sure or 0 < len(named.unsure) < n:
            return self._fail_named_resend_rest(batch, exc, named, attempts)
        if not named.unsure and not batch.diagnosed:
            return self._fail_found_resend_rest(batch, exc, attempts)
        if n > PROBES and not self._rows_pass.is_set():
            return self._probe(batch, exc, attempts)
        if n <= PROBES:  # every row may be the one: each goes alone
            return [self._send(batch.part((item,)), attempts)[0] for item in batch.items]
        half = n // 2
        left = self._send(batch.part(batch.items[:half]), attempts)
        return left + self._send(batch.part(batch.items[half:]), attempts)

    def _probe(self, batch: Batch, exc: ApiError, attempts: int) -> list[Outcome]:
        """A batch refused whole for no reason the portal shows: its first row goes alone, and
        when HubSpot refuses it with the batch's own answer its middle and last rows too.
        When each is refused alike, HubSpot refuses the request, not a row: the run stops
        (REQUEST_REFUSED, the rest ``skipped``) rather than send every row of every batch
        alone -- two requests a row, the day's API limit spent for nothing.  Otherwise the rest
        is halved as usual (and, once a row passed alone, every later refused batch too).
        The rows go in the batch's order wherever the first row is not refused alike: the
        middle row sent ahead of the rows before it took a limit's last place from them."""
        n = len(batch.items)
        said = str((exc.body or {}).get("message") or exc).rstrip(".")
        out = {0: self._send(batch.part((batch.items[0],)), attempts)[0]}
        if _refused_alike(out[0], said):
            for i in sorted({n // 2, n - 1} - {0}):
                out[i] = self._send(batch.part((batch.items[i],)), attempts)[0]
        if any(o.status is Status.SUCCESS for o in out.values()):
            self._rows_pass.set()
        elif len(out) > 1 and all(_refused_alike(o, said) for o in out.values()):
            self.stop.set(_request_refused(said, len(out)))
        rest = [i for i in range(n) if i not in out]
        for start, end in ((0, n // 2), (n // 2, n)):
            part = [i for i in rest if start <= i < end]
            if part:
                sent = self._send(batch.part(tuple(batch.items[i] for i in part)), attempts)
                out.update(zip(part, sent, strict=True))
        return [out[i] for i in range(n)]

    def _fail_found_resend_rest(self, batch: Batch, exc: ApiError, attempts: int) -> list[Outcome]:
        """A batch refused whole without naming a row: read the portal for the rows that cannot
        succeed (missing records, types the pair lacks, full limits: a few reads of up to 100
        records each, where halving the batch would cost about log2(batch) requests per bad
        row), fail those and send the rest again; halve only what the reads cannot explain.
        A row past a limit only if rows before it apply (a deal's second contact where one is
        allowed) waits for them: read again once they are settled, it fails if the portal is
        then full, else it is sent (the row before it was refused for a reason no read shows:
        counting it, the row was failed unsent, and the deal ended with no contact)."""
        n = len(batch.items)
        later: list[int] = []
        out = self._found(batch, exc, attempts, list(range(n)), later)
        again = replace(batch, diagnosed=True)
        first = [i for i in range(n) if i not in out and i not in later]
        out.update(self._in_halves(again, first, attempts))
        out.update(self._later(again, exc, attempts, later))
        return [out[i] for i in range(n)]

    def _later(
        self, batch: Batch, exc: ApiError, attempts: int, later: list[int], halved: bool = False
    ) -> dict[int, Outcome]:
        """The outcomes of the rows past a limit only if rows before them apply, once those
        are settled: read again, failed when the portal is now full, else sent again."""
        out = self._found(batch, exc, attempts, later)
        out.update(self._in_halves(batch, [i for i in later if i not in out], attempts, halved))
        return out

    def _found(
        self,
        batch: Batch,
        exc: ApiError,
        attempts: int,
        rows: list[int],
        later: list[int] | None = None,
    ) -> dict[int, Outcome]:
        """The rows of ``rows`` a read of the portal shows cannot succeed (:func:`diagnose`),
        failed saying what it found; the rows past a limit only if rows before them apply go
        into ``later`` (when given)."""
        if not rows:
            return {}
        with self._slots:
            part = batch.part(tuple(batch.items[i] for i in rows))
            findings = diagnose(self.client, part)
        if later is not None:
            later += [i for i, f in zip(rows, findings, strict=True) if f is not None and f.later]
        return {
            i: Outcome.of_error(
                Status.FAILED,
                exc,
                finding.message,
                action=batch.items[i].action,
                code=finding.code,
                batch=batch.number,
                attempts=attempts,
            )
            for i, finding in zip(rows, findings, strict=True)
            if finding is not None and not finding.later
        }

    def _fail_named_resend_rest(
        self, batch: Batch, exc: ApiError, named: Blame, attempts: int
    ) -> list[Outcome]:
        """A batch refused whole by an error that names rows: the rows it names for sure are
        failed; the rows it may be about (:class:`~hubframe.run.answers.Blame`) are sent again
        apart from the rest -- alone when they are few, else together (halved when refused
        again) -- and so is the rest: no row is failed for an error that may be another's."""
        hits = list(named.sure)
        code = classify(exc.body)
        out: dict[int, Outcome] = {}
        for i in hits:
            item = batch.items[i]
            message = row_message(item, exc.body or {"message": str(exc)}, code, self.unlabeled)
            out[i] = Outcome.of_error(
                Status.FAILED,
                exc,
                message,
                action=item.action,
                code=code,
                batch=batch.number,
                attempts=attempts,
            )
        explained = self._explained(
            batch.part(tuple(batch.items[i] for i in hits)), [out[i] for i in hits]
        )
        out.update(zip(hits, explained, strict=True))
        again = replace(batch, refusals=batch.refusals + 1)
        chained = again.refusals >= CHAIN  # refused again and again: many such rows, maybe
        later: list[int] = []  # past a limit only if rows before them apply: sent after them
        if chained and not batch.diagnosed:
            rest = [i for i in range(len(batch.items)) if i not in out]
            out.update(self._found(batch, exc, attempts, rest, later))
            again = replace(again, diagnosed=True)
        unsure = [i for i in named.unsure if i not in out and i not in later]
        for part in resend_order(len(batch.items), {*out, *later}, unsure):
            out.update(self._in_halves(again, part, attempts, chained))
        out.update(self._later(again, exc, attempts, later, chained))
        return [out[i] for i in range(len(batch.items))]

    def _in_halves(
        self, batch: Batch, rows: list[int], attempts: int, halved: bool = False
    ) -> dict[int, Outcome]:
        """The outcomes of ``rows`` of ``batch`` sent again (in halves when ``halved``)."""
        if not rows:
            return {}
        out: dict[int, Outcome] = {}
        for piece in _halves(rows) if halved else (rows,):
            sent = self._send(batch.part(tuple(batch.items[i] for i in piece)), attempts)
            out.update(zip(piece, sent, strict=True))
        return out

    # --- outcome unknown: look ------------------------------------------------------------------

    def _gone(self, batch: Batch, outcomes: list[Outcome]) -> list[Outcome]:
        """``outcomes`` with the rows still ``UNKNOWN_OUTCOME`` whose records HubSpot does not
        have settled (:mod:`hubframe.run.gone`: no write can apply them), before the journal
        records them.  The records are read once a batch, one objects batch read per object
        type; when that read fails the rows stay ``UNKNOWN_OUTCOME`` (an error that stops
        runs stops this one)."""
        rows = unsure_rows(batch.items, outcomes)
        if not rows:
            return outcomes
        items = [batch.items[i] for i in rows]
        try:
            with self._slots:
                gone = records_gone(self.client, items)
        except HubframeError as check:
            self.stop.stop_for(check)
            return outcomes
        found = {rows[n]: records for n, records in gone.items()}
        return settle_gone(batch.items, outcomes, found)

    def _present(self, batch: Batch) -> list[bool]:
        with self._slots:
            return endpoints.endpoint(batch.action).present(self.client, batch)

    def _settle(self, batch: Batch, exc: HubframeError, prior: int) -> list[Outcome]:
        """The request failed after an attempt that may have been applied: read the portal."""
        attempts = prior + exc.attempts
        try:
            present = self._present(batch)
        except HubframeError as check:
            return self._unknown(batch, exc, check, attempts)
        present, waited = self._seen_late(batch, present)
        api = exc if isinstance(exc, ApiError) else None
        out: dict[int, Outcome] = {}
        for i, (item, ok) in enumerate(zip(batch.items, present, strict=True)):
            if ok:
                out[i] = Outcome(
                    Status.SUCCESS,
                    action=item.action,
                    correlation_id=api.correlation_id if api else None,
                    batch=batch.number,
                    attempts=attempts,
                )
        missing = [i for i in range(len(batch.items)) if i not in out]
        if missing:
            part = batch.part(tuple(batch.items[i] for i in missing))
            out.update(zip(missing, self._unseen(part, exc, attempts, waited), strict=True))
        return [out[i] for i in range(len(batch.items))]

    def _refused_after_unsure(self, batch: Batch, exc: ApiError, prior: int) -> list[Outcome]:
        """A batch refused whole (``exc``: a 400 naming a row, say) after an earlier attempt
        that may have been applied (a 5xx, a lost answer).  The refusal is an answer for sure:
        the rows the portal shows applied are successes, and the rest go the way of any
        refused batch (:meth:`_rejected`: the rows it names failed, the others sent again).
        Sending a row again is safe whatever the earlier attempt did: every endpoint here asks
        for a state, not a step -- a link or label created or removed, a limit set to a value or
        purged -- and what is there already is left as it is (an answer refusing it, a limit
        HubSpot says exists, is read back below).  A row then failed for any reason but a
        record that does not exist (which no attempt can have linked) is read back, again
        after pauses: there, a success; never seen, ``UNKNOWN_OUTCOME`` (:meth:`_look_again`).
        Before, every row was ``UNKNOWN_OUTCOME`` quoting the refusal (another row's record),
        and the rows HubSpot would take were never sent again."""
        attempts = prior + exc.attempts
        try:
            present = self._present(batch)
        except HubframeError as check:
            return self._unknown(batch, exc, check, attempts)
        n = len(batch.items)
        out = {i: self._applied(batch, i, exc, attempts) for i in range(n) if present[i]}
        missing = [i for i in range(n) if i not in out]
        if len(missing) == n:  # the refusal is about these rows: split as it says
            out.update(enumerate(self._rejected(batch, exc, prior)))
        elif missing:  # what it names may be a row now there: the rest asked anew
            part = batch.part(tuple(batch.items[i] for i in missing))
            out.update(zip(missing, self._send(part, attempts), strict=True))
        done = [out[i] for i in range(n)]
        doubt = [i for i in missing if _unsure_refusal(done[i])]
        return self._look_again(
            batch, done, doubt, lambda i: self._applied(batch, i, exc, attempts), exc.unsure_attempt
        )

    @staticmethod
    def _applied(batch: Batch, i: int, exc: ApiError, attempts: int) -> Outcome:
        """Row ``i`` of a write that ended in ``exc``, which a read shows applied."""
        return Outcome(
            Status.SUCCESS,
            action=batch.items[i].action,
            correlation_id=exc.correlation_id,
            batch=batch.number,
            attempts=attempts,
        )

    def _unseen(
        self, batch: Batch, exc: HubframeError, attempts: int, waited: float
    ) -> list[Outcome]:
        """Rows of a write whose answer was lost that the reads did not find.  HubSpot may
        still apply them (it went on applying writes after its gateway gave up, seconds
        later), so they are ``UNKNOWN_OUTCOME``, never "not applied": the retry file sends
        them again, a resumed run too, and an undo reads the portal and takes them back when
        they appeared."""
        looked = (
            f"checks over the next {waited:g} s did not find the change"
            if waited
            else "a check right after did not find the change"
        )
        stopped = self.stop.reason
        why = stopped.message.removeprefix("Not sent: ") if stopped else ""
        then = f" {why[:1].upper()}{why[1:]}" if why else ""
        message = (
            f"The outcome is unknown: {_undetermined(exc)}, and {looked}, but HubSpot may "
            f"still apply it. Run the retry file: sending it again is safe.{then}"
        )
        return _all_unknown(batch, exc, message, attempts)

    def _seen_late(self, batch: Batch, present: list[bool]) -> tuple[list[bool], float]:
        """``present`` with the rows not there read again after each of :data:`SETTLE_WAITS`
        (HubSpot may still be applying them), and the seconds waited.  A read that fails, a
        cancel or a stopped run ends the waiting: what was read stands."""
        present = list(present)
        waited = 0.0
        for pause in SETTLE_WAITS:
            missing = [i for i, ok in enumerate(present) if not ok]
            if not missing or self.stop.is_set():
                break
            cancelled = not self._pause(pause)  # a cancel: one read at once, then no more
            waited += 0.0 if cancelled else pause
            try:
                again = self._present(batch.part(tuple(batch.items[i] for i in missing)))
            except HubframeError:
                break
            for i, ok in zip(missing, again, strict=True):
                present[i] = ok
            if cancelled:
                break
        return present, waited

    def _confirm(
        self,
        batch: Batch,
        out: list[Outcome],
        unconfirmed: dict[int, Outcome],
        resp: ApiResponse,
        prior: int,
        pending: str | None = None,
    ) -> list[Outcome]:
        """Rows a 2xx neither listed as done nor refused by their pair: read the portal.
        There: success; not there: the outcome the answer gives them; no read: they stay
        ``UNKNOWN_OUTCOME``.  An answer saying the batch is still being processed
        (``pending``) is read after a pause, and the rows not there yet again after longer
        ones (:data:`PROCESSING_WAITS`); those never seen stay ``UNKNOWN_OUTCOME``."""

        def unread(i: int, check: HubframeError) -> Outcome:
            return out[i].with_(
                error_message=(
                    f"The outcome is unknown: HubSpot's answer (HTTP {resp.status}) does not "
                    f"say whether this row was applied ({unsaid(batch.items[i].action)}), and "
                    f"the read that should have settled it failed ({_short(check)}). Run the "
                    "retry file: sending it again is safe."
                )
            )

        rows = sorted(unconfirmed)
        for pause in PROCESSING_WAITS if pending else (0.0,):
            cancelled = bool(pause) and not self._pause(pause)  # one read at once, no more
            out = self._read_back(batch, out, rows, resp, prior, unconfirmed, unread)
            rows = [i for i in rows if out[i] is unconfirmed[i]]  # read, and not there yet
            if cancelled and pending:
                for i in rows:
                    tried = out[i].attempts or 1
                    out[i] = cancelled_processing(batch, batch.items[i], resp, tried, pending)
            if cancelled or not rows or self.stop.is_set():
                break
        return out

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the run was cancelled meanwhile."""
        if self.cancel is None:
            time.sleep(seconds)
            return True
        return not self.cancel.wait(seconds)

    def _recheck(
        self, batch: Batch, out: list[Outcome], resp: ApiResponse, prior: int
    ) -> list[Outcome]:
        """A 2xx after an attempt whose answer was lost (or a 5xx): the rows it did not apply
        may be applied by that attempt, now or seconds later (HubSpot goes on after its
        gateway gave up).  They are read back, those not there again after each of
        :data:`SETTLE_WAITS`: there, a success; never seen, ``UNKNOWN_OUTCOME`` with what the
        retry's answer said -- never "not applied" (a row the retry's answer left out was
        reported ``NOT_APPLIED`` after one read, and appeared two seconds later).  A row the
        retry refused because its record does not exist stays ``OBJECT_NOT_FOUND``: no attempt
        can have linked a record that is not there."""
        refused = [i for i, o in enumerate(out) if _may_be_earlier(o)]
        return self._look_again(
            batch,
            out,
            refused,
            lambda i: _there(batch, batch.items[i], resp, prior),
            resp.unsure_attempt,
        )

    def _look_again(
        self,
        batch: Batch,
        out: list[Outcome],
        rows: list[int],
        there: Callable[[int], Outcome],
        unsure: str | None,
    ) -> list[Outcome]:
        """``rows`` a retry did not apply, which an earlier attempt of the write (``unsure``:
        which, and what it got) may have applied: read back, those not there again after each
        of :data:`SETTLE_WAITS`; there, ``there(row)``; never seen, ``UNKNOWN_OUTCOME``
        saying what the retry's answer said."""
        if not rows:
            return out
        part = batch.part(tuple(batch.items[i] for i in rows))
        try:
            present = self._present(part)
        except HubframeError as check:
            self.stop.stop_for(check)
            for i in rows:
                out[i] = _maybe_earlier(out[i], f"the check failed ({_short(check)})", unsure)
            return out
        present, waited = self._seen_late(part, present)
        looked = f"checks over the next {waited:g} s" if waited else "a check right after"
        for i, ok in zip(rows, present, strict=True):
            out[i] = (
                there(i)
                if ok
                else _maybe_earlier(out[i], f"{looked} did not find the change", unsure)
            )
        return out

    def _read_back(
        self,
        batch: Batch,
        out: list[Outcome],
        rows: list[int],
        resp: ApiResponse,
        prior: int,
        absent: dict[int, Outcome],
        unread: Callable[[int, HubframeError], Outcome],
    ) -> list[Outcome]:
        """Settle ``rows`` of a batch answered ``resp`` by reading the portal: a row whose
        change is there is a success, one whose change is not takes ``absent[row]``; when the
        read fails, each takes ``unread(row, error)`` (and an error that stops runs stops it)."""
        if not rows:
            return out
        part = batch.part(tuple(batch.items[i] for i in rows))
        try:
            present = self._present(part)
        except HubframeError as check:
            self.stop.stop_for(check)
            for i in rows:
                out[i] = unread(i, check)
            return out
        for i, ok in zip(rows, present, strict=True):
            out[i] = _there(batch, batch.items[i], resp, prior) if ok else absent[i]
        return out

    def _unknown(
        self, batch: Batch, exc: HubframeError, check: HubframeError, attempts: int
    ) -> list[Outcome]:
        """Rows whose write may have been applied and that no read could check."""
        self.stop.stop_for(check)
        same = _short(check).removesuffix("; not sent") in _short(exc)
        why = (
            "; no read could check it, for the same reason"
            if same
            else (f"; the check that followed failed too ({_short(check)})")
        )
        said = (
            f"HubSpot's answer was lost or inconclusive ({_short(exc)})"
            if _last_said_nothing(exc)
            else _undetermined(exc)
        )
        message = (
            f"The outcome is unknown: {said}{why}. The change may or may not be there. Run the "
            "retry file: sending it again is safe."
        )
        return _all_unknown(batch, exc, message, attempts)


def _may_be_earlier(outcome: Outcome) -> bool:
    """Whether an earlier attempt (its answer lost) may have applied a row a retry's answer
    did not: every row but a success and one naming a record that does not exist."""
    return outcome.status is not Status.SUCCESS and (
        outcome.error_code is not ErrorCode.OBJECT_NOT_FOUND
    )


def _unsure_refusal(outcome: Outcome) -> bool:
    """Whether a row of a batch refused after an attempt that may have applied it, and then
    sent again, may be that attempt's (:func:`_may_be_earlier`): not when reads settled it
    already (``UNKNOWN_OUTCOME``: the resend's own lost answer)."""
    return _may_be_earlier(outcome) and outcome.error_code is not ErrorCode.UNKNOWN_OUTCOME


def _maybe_earlier(refused: Outcome, looked: str, unsure: str | None) -> Outcome:
    """A row a retry did not apply, which an earlier attempt (its answer lost, or a 5xx;
    ``unsure``: which, and what it got) may still apply: ``UNKNOWN_OUTCOME``, saying what the
    retry's answer said."""
    said = str(refused.error_message or "HubSpot did not apply it").rstrip(".")
    return refused.with_(
        status=Status.FAILED,
        error_code=ErrorCode.UNKNOWN_OUTCOME,
        error_message=(
            f"The outcome is unknown: a retry did not apply the row ({said}), but "
            f"{_earlier(unsure)} may have applied it, and {looked}; HubSpot may still apply "
            "it. Run the retry file: sending it again is safe."
        ),
    )


def _earlier(unsure: str | None) -> str:
    """The earlier attempt of a write that may have been applied, as a message names it."""
    if unsure is None:
        return "an earlier attempt whose answer was lost (or a 5xx)"
    return f"an earlier attempt ({unsure})"


def _last_said_nothing(exc: HubframeError) -> bool:
    """Whether the answer that ended a write's retries is itself what leaves its outcome
    unknown (lost, a 5xx, not HubSpot's, or never sent: the day's budget), rather than a
    refusal of the last attempt (a 4xx, 423, 429), which says nothing of an earlier one."""
    if isinstance(exc, ServerError) or not isinstance(exc, ApiError):
        return True
    return exc.http_status is None or not 400 <= exc.http_status < 500


def _undetermined(exc: HubframeError) -> str:
    """What left a write's outcome unknown, for its rows' messages.  A last attempt refused
    (a 423 says "nothing of the request was applied", a 400 may name another row's record) is
    named by its status alone: the attempt that may have applied it is an earlier one."""
    if _last_said_nothing(exc):
        return f"no answer said what became of it ({_short(exc)})"
    assert isinstance(exc, ApiError)
    return (
        f"{_earlier(exc.unsure_attempt)} may have applied it, though the last was refused "
        f"({_status_text(exc.http_status)})"
    )


def _status_text(status: int | None) -> str:
    """``HTTP 423 Locked``: a status and its name, where HTTP names it."""
    try:
        return f"HTTP {status} {HTTPStatus(status or 0).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _refuses_rows(exc: HubframeError, batch: Batch) -> TypeGuard[ApiError]:
    """Whether ``exc`` is HubSpot refusing the batch whole for its rows (a 400, 413 or 422
    that is not about the request or the object types): an answer for sure, which the
    refused-batch path splits, fails the rows it is about and sends the others again."""
    return (
        isinstance(exc, ApiError)
        and not isinstance(exc, ServerError)
        and exc.http_status in BISECT_STATUSES
        and not _BATCH_LEVEL.search(str(exc))
        and unknown_object_type(exc, batch.from_type, batch.to_type) is None
    )


def _all_unknown(batch: Batch, exc: HubframeError, message: str, attempts: int) -> list[Outcome]:
    """Every row of ``batch`` ``failed`` with ``UNKNOWN_OUTCOME`` and ``message``."""
    return _every_row_failed(batch, exc, message, attempts, code=ErrorCode.UNKNOWN_OUTCOME)


def _every_row_failed(
    batch: Batch,
    exc: HubframeError,
    message: str,
    attempts: int,
    *,
    code: ErrorCode | None = None,
) -> list[Outcome]:
    """Every row of ``batch`` ``failed`` with ``message`` and ``code`` (else the error's)."""
    return [
        Outcome.of_error(
            Status.FAILED,
            exc,
            message,
            action=item.action,
            code=code,
            batch=batch.number,
            attempts=attempts,
        )
        for item in batch.items
    ]


def _there(batch: Batch, item: WorkItem, resp: ApiResponse, prior: int) -> Outcome:
    """A row a read of the portal shows applied, after the 2xx ``resp``."""
    return Outcome(
        Status.SUCCESS,
        action=item.action,
        http_status=resp.status,
        correlation_id=resp.correlation_id,
        batch=batch.number,
        attempts=prior + resp.attempts,
    )


__all__ = ["Sender", "StopSignal"]
