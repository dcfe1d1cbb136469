"""How a run goes: the options every job takes, and the process settings a run holds.

:class:`RunOptions` is one frozen record of the run options (``dry_run``, ``batch_size``,
``journal``, ``progress``, ``workers``, ``on_progress``, ``on_start``, ``cancel``).  The public
jobs (:func:`hubframe.associate`, :func:`hubframe.configure_limits`, :func:`hubframe.undo`,
:func:`hubframe.remove_associations`) accept them as keyword arguments (:class:`RunKwargs`) and
hand them to :func:`hubframe.run.pipeline.run_job` together; adding a run option is one field
here (and its key in :class:`RunKwargs`), and every job has it.
"""

from __future__ import annotations

import gc
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from hubframe.argtypes import count, flag
from hubframe.errors import ConfigurationError, InputError, UsageError

if TYPE_CHECKING:  # the journal (sqlite3) loads when a run opens one, not for validation
    from hubframe.run.journal import Journal
    from hubframe.run.portal import TokenHolder

JournalArg: TypeAlias = "str | os.PathLike[str] | Journal | None"


class RunKwargs(TypedDict, total=False):
    """The run options as keyword arguments of the public jobs (see :class:`RunOptions`)."""

    dry_run: bool
    batch_size: int | None
    journal: JournalArg
    progress: bool
    workers: int | None
    on_progress: Callable[[int], None] | None
    on_start: Callable[[int], None] | None
    cancel: threading.Event | None


@dataclass(frozen=True)
class RunOptions:
    """How a job runs.

    ``dry_run``: plan only, send nothing (rows come back ``planned``).  ``batch_size``: inputs
    per request, when lower than the endpoint's maximum.  ``journal``: a SQLite file (or an open
    :class:`~hubframe.run.journal.Journal`) recording finished batches, so an interrupted run
    resumes without re-sending them.  ``progress``: a progress bar (tqdm).  ``workers``: requests
    in flight (default: enough to fill the rate budget).  ``on_start(rows)``: called once with
    the number of rows to send, before the first request; ``on_progress(rows)``: called as each
    batch finishes with its row count.  ``cancel``: a :class:`threading.Event`; once set, no
    further batch is sent and unsent rows come back ``skipped`` with ``CANCELLED`` (in the
    retry file).
    """

    dry_run: bool = False
    batch_size: int | None = None
    journal: JournalArg = None
    progress: bool = True
    workers: int | None = None
    on_progress: Callable[[int], None] | None = None
    on_start: Callable[[int], None] | None = None
    cancel: threading.Event | None = None

    def __post_init__(self) -> None:
        """Each option held to its type (:mod:`hubframe.argtypes`): ``dry_run="false"`` is
        refused, not taken for true."""
        checked = {
            "dry_run": flag("dry_run", self.dry_run),
            "progress": flag("progress", self.progress),
            "batch_size": count("batch_size", self.batch_size),
            "workers": count("workers", self.workers),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        _check_journal(self.journal)
        for name in ("on_progress", "on_start"):
            if getattr(self, name) is not None and not callable(getattr(self, name)):
                raise ConfigurationError(f"{name} must be a function, not {getattr(self, name)!r}")
        if self.cancel is not None and not callable(getattr(self.cancel, "is_set", None)):
            raise ConfigurationError(f"cancel must be a threading.Event, not {self.cancel!r}")

    @classmethod
    def of(cls, kwargs: Mapping[str, Any]) -> RunOptions:
        """From a job's keyword arguments; an unknown name is a TypeError, as for a function."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise UsageError(f"unexpected keyword argument(s): {', '.join(unknown)}")
        return cls(**kwargs)


def _check_journal(journal: object) -> None:
    """A journal is a path (text or ``pathlib``) or an open Journal."""
    if journal is None:
        return
    if isinstance(journal, str | os.PathLike):
        if not os.fspath(journal).strip():
            raise ConfigurationError(
                f"journal is {os.fspath(journal)!r}: give a file path (such as 'run.sqlite'), "
                "or None for no journal"
            )
        return
    from hubframe.run.journal import Journal

    if isinstance(journal, Journal):
        return
    raise ConfigurationError(
        f"journal must be a file path (such as 'run.sqlite') or a Journal, not {journal!r}"
    )


@contextmanager
def opened_journal(
    journal: JournalArg, client: TokenHolder, *, begin: bool = False
) -> Iterator[Journal | None]:
    """The run's journal, opened (and closed afterwards) when given as a path, and bound to
    ``client``'s portal: one written against another is refused before anything is sent.
    ``begin``: a run that sends starts in it (:meth:`~hubframe.run.journal.Journal.begin_run`;
    :func:`finished` ends it)."""
    from hubframe.run.journal import Journal

    if journal is None:
        yield None
        return
    opened = journal if isinstance(journal, Journal) else Journal(journal)
    try:
        opened.bind(client)
        if begin:
            opened.begin_run()
        else:
            opened.follow()
        yield opened
    finally:
        if begin:
            opened.end_run()
        if opened is not journal:
            opened.close()


def finished(journal: Journal | None, stopped: bool, options: RunOptions) -> None:
    """A run that sent every batch (not stopped, not cancelled, not a dry run) ends in its
    journal, so a later run does not take its work for done (``Journal.finish_run``)."""
    cancelled = options.cancel is not None and options.cancel.is_set()
    if journal is None or stopped or cancelled or options.dry_run:
        return
    from hubframe.run.journal import JournalNotFinished

    try:
        journal.finish_run()
    except InputError as exc:  # the rows were sent and are reported: never lost over this
        warnings.warn(
            f"{exc}; the run's rows are reported, and a later run of this sheet with the "
            "journal takes its recorded batches as done (resumes it).",
            JournalNotFinished,
            stacklevel=3,
        )


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


#: Wrap a job in ``with calm_gc():`` (see :class:`_CalmGC`).
calm_gc = _CalmGC()


__all__ = ["JournalArg", "RunKwargs", "RunOptions", "calm_gc", "finished", "opened_journal"]
