"""Ctrl-C ("Interrupt kernel" in Jupyter) while a job sends, from Python: the run stops cleanly.

Before, a KeyboardInterrupt in the middle of a real run left the call with no result table:
the rows HubSpot had applied were reported nowhere (without a journal, nothing to undo them
from), and a progress callback that raised (a widget closed) did the same.  The command line
already turned its first Ctrl-C into a clean stop; a Python call now does too, when the caller
gives no ``cancel`` event of its own (the command line and the app give theirs):

- the first Ctrl-C once the sending has started stops the run as ``cancel`` does: no new batch
  starts, the requests in flight finish, the rows left are ``skipped`` ``CANCELLED``, and the
  call returns its table, with a :class:`RunInterrupted` warning; a second Ctrl-C (or one
  before the sending starts, while nothing is sent) is the KeyboardInterrupt it always was;
- an ``on_progress`` callback that raises is warned of (:class:`CallbackFailed`) and not called
  again; the run goes on.

Only the main thread can set a signal handler: a job run in another thread is left as it was.
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import FrameType
from typing import Final

from hubframe.errors import HubframeWarning
from hubframe.run.options import RunOptions

#: What the first Ctrl-C says at once, on stderr.
STOPPING: Final = (
    "hubframe: stopping: the requests on their way finish, no new batch starts; the result "
    "table says which rows HubSpot applied (interrupt again to stop at once, unreported)"
)


class RunInterrupted(HubframeWarning):
    """A run stopped by Ctrl-C: its rows not sent are ``skipped`` ``CANCELLED``."""


class CallbackFailed(HubframeWarning):
    """An ``on_progress`` callback raised: it is not called again, and the run goes on."""


@contextmanager
def ctrl_c_cancels(options: RunOptions) -> Iterator[RunOptions]:
    """``options`` with a ``cancel`` event that the first Ctrl-C after the sending starts sets,
    and an ``on_progress`` that cannot stop the run (see the module docstring)."""
    options = replace(options, on_progress=_guarded(options.on_progress))
    previous = signal.getsignal(signal.SIGINT)
    own = options.cancel is None and threading.current_thread() is threading.main_thread()
    if not own or not callable(previous):
        yield options
        return
    cancel, sending = threading.Event(), threading.Event()
    on_start = options.on_start

    def started(rows: int) -> None:
        sending.set()
        if on_start is not None:
            on_start(rows)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if not sending.is_set() or cancel.is_set():
            previous(signum, frame)  # KeyboardInterrupt, normally
            return
        cancel.set()
        print(f"\n{STOPPING}", file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, interrupt)
    try:
        yield replace(options, cancel=cancel, on_start=started)
    finally:
        signal.signal(signal.SIGINT, previous)
    if cancel.is_set():
        warnings.warn(
            "the run was interrupted (Ctrl-C): the rows it had not sent are skipped, "
            "CANCELLED; the result table says which rows HubSpot applied, and its retry file "
            "holds the rest.",
            RunInterrupted,
            stacklevel=5,  # the job's caller: this, contextlib, run_job, the job function
        )


def _guarded(callback: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """``callback``, warned of and no longer called once it raises (an Exception: a
    KeyboardInterrupt is the caller's to give)."""
    if callback is None:
        return None
    failed: list[Exception] = []

    def call(rows: int) -> None:
        if failed:
            return
        try:
            callback(rows)
        except Exception as exc:  # the caller's code: any error, never the run's end
            failed.append(exc)
            warnings.warn(
                f"on_progress raised {type(exc).__name__}: {exc}; it is not called again, "
                "and the run goes on.",
                CallbackFailed,
                stacklevel=2,
            )

    return call


__all__ = ["STOPPING", "CallbackFailed", "RunInterrupted", "ctrl_c_cancels"]
