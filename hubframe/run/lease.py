"""Who uses a journal now: a run holds a shared lease on it while it records, an undo from it
an exclusive one.

An undo from a journal takes back what the journal's runs recorded and marks the journal, so a
later undo from it takes back only what comes after.  A run still writing to the journal then
went on recording batches the mark already covered: no later undo took them back ("nothing left
to undo"), with the portal holding them.  Now an undo from a journal a run is writing to is
refused, as is a run started on a journal an undo is taking back; two runs may share a journal
as before.

The lease is an advisory lock (``flock``) on a file beside the journal, ``<journal>-lease``
(empty; it stays, as the lock is on its open file and not on its being there).  The system
drops it when the process ends, however it ends: a killed run leaves none behind, and its
journal can be undone at once.  Where there is no ``flock`` (Windows) or the file cannot be
made (a read-only folder, where the journal cannot be written either), nothing is leased.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from hubframe.errors import InputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The name the lease file takes after the journal's own.
LEASE_SUFFIX: Final = "-lease"


def lease_path(journal: Path) -> Path:
    """The lease file of ``journal``: ``run.sqlite-lease`` beside ``run.sqlite``."""
    return journal.with_name(journal.name + LEASE_SUFFIX)


class Lease:
    """A lease held on a journal until :meth:`release` (or the process ends)."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file drops the lock

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _take(journal: Path, exclusive: bool) -> Lease | None:
    """The lease, or None when another process (or another part of this one) holds one that
    excludes it."""
    if fcntl is None:
        return Lease(None)
    try:
        fd = os.open(lease_path(journal), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:  # a read-only folder: nothing can be written there, nor leased
        return Lease(None)
    how = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:  # a file system without flock
        os.close(fd)
        return Lease(None)
    return Lease(fd)


def run_lease(journal: Path) -> Lease:
    """The shared lease a run holds on its journal while it records; InputError while an undo
    from the journal holds it."""
    found = _take(journal, exclusive=False)
    if found is None:
        raise InputError(
            f"journal {journal}: an undo from it is taking back its runs now; start this run "
            "when the undo has ended (nothing was sent)."
        )
    return found


def undo_lease(journal: Path) -> Lease:
    """The exclusive lease an undo from ``journal`` holds while it reads, sends and marks;
    InputError while a run records in it (or another undo takes it back)."""
    found = _take(journal, exclusive=True)
    if found is None:
        raise InputError(
            f"journal {journal}: a run is writing to it now (in another terminal or the "
            "notebook app), or another undo is taking it back; an undo from it now would leave "
            "out what that run records from here on. Undo when it has ended (a run stopped "
            "with Ctrl-C or killed ends its hold at once). Nothing was sent."
        )
    return found


__all__ = ["LEASE_SUFFIX", "Lease", "lease_path", "run_lease", "undo_lease"]
