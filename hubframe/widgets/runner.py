"""One background worker for the app: long work never runs on the kernel's main thread.

Tasks run one at a time, in the order submitted, on a daemon thread, so a button handler
returns at once and the notebook (or Voilà page) stays responsive -- including the cancel
button of a running job.  ``wait()`` blocks (bounded) until every submitted task, and every
task those tasks submitted, has finished: what a test or a script driving the app needs.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("hubframe.widgets")

Task = Callable[[], None]
ErrorHandler = Callable[[BaseException], None]


class Runner:
    """A single-thread task queue with an error handler and a bounded ``wait``."""

    def __init__(self, on_error: ErrorHandler, *, name: str = "hubframe-app") -> None:
        self._on_error = on_error
        self._name = name
        self._queue: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def busy(self) -> bool:
        with self._idle:
            return self._pending > 0

    def submit(self, task: Task) -> None:
        """Queue ``task``; it runs after the tasks already queued."""
        with self._idle:
            if self._closed:
                return
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
        self._queue.put(task)

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until no task is queued or running; False if ``timeout`` seconds ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        """Stop the worker after the queued tasks (does not wait)."""
        with self._idle:
            self._closed = True
        self._queue.put(None)

    def _loop(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            try:
                task()
            except Exception as exc:  # shown in the app, never raised to the kernel
                log.debug("app task failed", exc_info=True)
                self._report(exc)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _report(self, exc: BaseException) -> None:
        try:
            self._on_error(exc)
        except Exception:  # the error display itself failed: keep the worker alive
            log.exception("could not show an error in the app")
