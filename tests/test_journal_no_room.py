"""A journal that cannot be written as it is made says why: the file size limit, or the disk.

A run given a new journal under a file size limit too small for even its tables (``ulimit -f``,
or a disk as full) stopped with ``cannot use it as a journal (cannot commit - no transaction is
active)``: SQLite's words for the commit it had rolled back, which say nothing of the cause.  The
message now names the limit (or the disk's free space) and what to do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_OPENER = """
import resource, sys
from hubframe.errors import InputError
from hubframe.run.journal import Journal
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.RLIM_INFINITY))
try:
    with Journal(sys.argv[1]) as journal:
        journal.begin_run()
except InputError as exc:
    print(exc)
    sys.exit(2)
"""


@pytest.mark.parametrize("limit", [4096, 8192, 20_000, 40_000])
def test_a_journal_under_a_file_size_limit_names_it(tmp_path: Path, limit: int) -> None:
    path = tmp_path / "j.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", _OPENER, str(path), str(limit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    said = done.stdout.strip()
    assert f"limits the files this program writes to {limit:,} bytes (ulimit -f)" in said
    assert "nothing was sent" in said


def test_a_journal_the_limit_allows_opens(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", _OPENER, str(path), str(10 << 20)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)


_REOPEN = """
import sys
from hubframe.run.journal import Journal
with Journal(sys.argv[1]) as journal:
    journal.begin_run()
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, check=False
    )


#: Every limit from one page to past a journal's making and first run, in one process each
#: way: a process per limit and step (46 of them, each loading pandas) took 76 s of the suite.
_OPENERS = """
import json, resource, sys
from hubframe.errors import InputError
from hubframe.run.journal import Journal
said = {}
for limit in range(4096, 98_304, 4096):
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        with Journal(f"{sys.argv[1]}/j{limit}.sqlite") as journal:
            journal.begin_run()
        said[limit] = None
    except InputError as exc:
        said[limit] = str(exc)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
print(json.dumps(said))
"""

_REOPENS = """
import sys
from hubframe.run.journal import Journal
for limit in range(4096, 98_304, 4096):
    with Journal(f"{sys.argv[1]}/j{limit}.sqlite") as journal:
        journal.begin_run()
"""


def test_a_journal_a_full_disk_stopped_is_usable_once_there_is_room(tmp_path: Path) -> None:
    """Before, a journal whose making the limit stopped at its first page was left behind with
    no table, and every later run and undo refused it as a journal "copied without its -wal
    file" that never existed; a limit that let it be made but not a run started said only
    "could not start a run (disk I/O error)".  Whatever the limit, the run says why and that
    nothing was sent, and the same path then works (in another process, as a later run)."""
    stopped = _run(_OPENERS, str(tmp_path))
    assert stopped.returncode == 0, (stopped.stdout, stopped.stderr)
    said = json.loads(stopped.stdout)
    assert len(said) == 23
    for limit, message in said.items():
        if message is not None:
            assert f"writes to {int(limit):,} bytes (ulimit -f)" in message, (limit, message)
            assert "nothing was sent" in message, (limit, message)
    assert any(m is not None for m in said.values())  # the smallest limits stop the making
    again = _run(_REOPENS, str(tmp_path))
    assert again.returncode == 0, (again.stdout, again.stderr)


def test_a_journal_in_use_is_never_deleted_when_a_limit_stops_its_opening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    assert _run(_REOPEN, str(path)).returncode == 0
    size = path.stat().st_size
    _run(_OPENER, str(path), "1")  # whatever it says, the journal stays
    assert path.exists() and path.stat().st_size == size
    assert _run(_REOPEN, str(path)).returncode == 0
