"""Where a run will write, checked before it sends anything: report, retry file, journal.

A run that cannot write its report afterwards has still sent its associations, and the analyst
is left without the one file that says what happened.  :func:`check_outputs` looks at every
path a run will write before the first request (the command line calls it before it connects,
the notebook app before it saves) and raises one :class:`~hubframe.errors.InputError` naming the
path and what is wrong:

* a report or retry file must end in ``.xlsx`` or ``.csv``;
* a path that is a folder is an error (a file is never written inside it), and so is one
  that is a named pipe, a socket or a block device (a write to a pipe waits for ever for a
  program to read it);
* the folder must be a folder, and hubframe must be able to create a file in it (a file is
  created there and deleted again, which is the only test that holds for read-only disks,
  network shares and access lists alike); a missing folder of a report or retry file is
  created when it is written, so the nearest folder that exists is tested; a journal's folder
  must exist (the journal is opened before sending);
* an existing file must be writable, and one hubframe may write over
  (:mod:`hubframe.report.overwrite`: a report over an empty file or a report, a retry file
  over an empty file or a retry file, nothing over a journal); and no output may be the
  sheet being read or another output of the same run: the same file under any name (a hard
  link, a symbolic link, ``..``: files that exist are compared by identity,
  ``os.path.samefile``), or a name that differs from it only in capital letters.  macOS's
  and Windows's usual disks take ``Report.csv`` and ``report.CSV`` for one file, and whether
  a disk does cannot be known for a file not written yet, so such names are refused
  everywhere (on a disk that tells them apart the analyst renames one; on one that does not,
  one would be written over the other).

The writers of the Python API (``export_report``, ``export_retry``, ``write_pairs``) check the
same for the table they write (:func:`refuse_own_sources`): a table keeps the files it was read
from (``attrs["hubframe"]["read_from"]``: the sheet, the report or journal undone, the ids
sheet of an export) and the journal of its run, and none of them is written over.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from hubframe.errors import InputError
from hubframe.io.sources import READ_FROM, as_path, special_kind
from hubframe.report.summary import BASE_URL_LABEL, JOB, JOURNAL, JOURNAL_RUN
from hubframe.report.whole import name_max

if TYPE_CHECKING:
    from hubframe.run.journal import OpenRuns

PathLike = str | os.PathLike[str]
#: The file types reports and retry files are written as.
REPORT_SUFFIXES = (".xlsx", ".csv")


def _kind_of(suffix: str) -> str:
    return f"'{suffix}'" if suffix else "no extension"


def free_name(path: Path) -> Path:
    """``path``, or ``name (2).ext``, ``(3)``... beside it when a file of that name exists:
    where a file is kept and the new one goes beside it (the app's saves, a report another
    run wrote while this one ran)."""
    found, n = path, 2
    while found.exists():
        found = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return found


def file_stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and modified time (None when it is gone): whether it was written since."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _existing_folder(path: Path) -> Path:
    """The nearest folder above ``path`` that exists (``path``'s own folder, or an ancestor)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _probe(folder: Path) -> OSError | None:
    """None when a file can be created (and deleted) in ``folder``, else why not."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".hubframe-check-"):
            return None
    except OSError as exc:
        return exc


def _check_folder(path: Path, role: str, *, create: bool) -> None:
    folder = path.parent if path.parent.exists() or not create else _existing_folder(path)
    if not folder.exists():
        raise InputError(
            f"{path}: the folder {folder} does not exist; create it or give the {role} another path"
        )
    if not folder.is_dir():
        raise InputError(f"{path}: {folder} is a file, not a folder; give the {role} another path")
    problem = _probe(folder)
    if problem is not None:
        reason = problem.strerror or type(problem).__name__
        raise InputError(f"{path}: cannot write in the folder {folder} ({reason.lower()})")


def check_output(path: PathLike, role: str, *, sheet: bool = True, create: bool = True) -> Path:
    """Check one path a run will write (see the module docstring); returns it as a Path.

    ``role`` names it in messages ("report", "retry file", "journal"); ``sheet``: it must end
    in .xlsx or .csv; ``create``: missing folders will be created (else the folder must exist).
    """
    target = as_path(path)
    _check_name(target, role)
    if target.is_dir():
        example = target / (f"{role.replace(' ', '_')}.xlsx" if sheet else "run.sqlite")
        raise InputError(f"{target}: is a folder; give the {role} a file name, such as {example}")
    kind = _not_writable_kind(target)
    if kind is not None:
        raise InputError(f"{target}: is {kind}, not a file; give the {role} a file path")
    suffix = target.suffix.lower()
    if sheet and suffix not in REPORT_SUFFIXES:
        raise InputError(
            f"{target}: {_a(role)} must end in .xlsx or .csv (this path has {_kind_of(suffix)})"
        )
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(f"{target}: the file exists and cannot be written (permission denied)")
    if target.is_symlink() and not target.exists():  # written where it points, as open() would
        pointed = Path(os.path.realpath(target))
        if not pointed.parent.is_dir():
            raise InputError(
                f"{target}: is a link to {pointed}, whose folder does not exist; give the "
                f"{role} another path"
            )
    _check_folder(target, role, create=create)
    return target


def _not_writable_kind(path: Path) -> str | None:
    """What ``path`` is (through links) when an output cannot be written there: a named pipe
    (the write waits for ever for a program to read it: a run sent its rows, then hung with
    nothing written, and SIGTERM did not end it), a socket, a block device (a disk, written
    over in place); None for a file, nothing, a folder (refused in its own words) or a
    character device (``/dev/null``, a link to ``/dev/full``: written at once, as asked)."""
    try:
        if stat.S_ISCHR(os.stat(path).st_mode):
            return None
    except OSError:
        return None
    return special_kind(path)


def check_written_over(target: Path, role: str) -> None:
    """InputError when the file at ``target`` is not one the ``role`` may be written over
    (:mod:`hubframe.report.overwrite`): a report over a report, a retry file over a retry
    file (judged against the sheet too, once read), nothing over a journal."""
    from hubframe.report import overwrite

    if role == "report":
        overwrite.check_report_target(target)
    elif role == "retry file":
        overwrite.precheck_retry_target(target)
    else:
        overwrite.refuse_journal(target, role)


def _check_name(target: Path, role: str) -> None:
    """InputError for a path no disk takes: a NUL character, or a file name too long."""
    if "\0" in str(target):
        raise InputError(
            f"{str(target)!r}: a path cannot hold a NUL character; give the {role} another path"
        )
    size, most = len(os.fsencode(target.name)), name_max(target.parent)
    if size > most:
        raise InputError(
            f"{target.name[:40]}...: the file name is {size:,} bytes long, and the disk of "
            f"its folder takes {most} at most; give the {role} a shorter name"
        )


def _a(role: str) -> str:
    """``role`` with its article: "a report", "an export"."""
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


def _same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` name one file: the same file when both exist (hard links included), else
    the same path once links and ``..`` are resolved."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _case_twins(a: Path, b: Path) -> bool:
    """``a`` and ``b`` differ only in capital letters (one file on a case-insensitive disk)."""
    try:
        first, second = str(a.resolve()), str(b.resolve())
    except OSError:
        return False
    return first != second and first.casefold() == second.casefold()


def _clash(
    path: Path, role: str, other: Path, other_role: str | None, *, table: bool = False
) -> str | None:
    """Why ``path`` (the ``role``) cannot be written beside ``other`` (another output, or a
    file read when ``other_role`` is None: the sheet a command is reading, or with ``table``
    a file the table being written was read from); None when it can."""
    read = "the file this table was read from" if table else "the sheet being read"
    if _same_file(path, other):
        if other_role is None:
            said = "this table was read from" if table else "being read"
            return f"{path}: is the file {said}; write the {role} to another file"
        return f"{path}: the {other_role} and the {role} cannot be one file"
    if _case_twins(path, other):
        what = read if other_role is None else f"the {other_role}"
        return (
            f"{path}: differs from {what} ({other}) only in capital letters, which macOS and "
            f"Windows take for one file; give the {role} another name"
        )
    return None


def check_outputs(
    *,
    report: PathLike | None = None,
    retry_file: PathLike | None = None,
    journal: PathLike | None = None,
    export: PathLike | None = None,
    sources: Iterable[PathLike | None] = (),
) -> None:
    """Check every path a run will write, before it sends anything; InputError when one
    cannot be written as asked.  ``sources``: files the run reads (never overwritten; None
    for an optional file not given)."""
    outputs: list[tuple[str, Path]] = []
    if export is not None:
        outputs.append(("export", check_output(export, "export")))
    if report is not None:
        outputs.append(("report", check_output(report, "report")))
    if retry_file is not None:
        outputs.append(("retry file", check_output(retry_file, "retry file")))
    if journal is not None:
        outputs.append(("journal", check_output(journal, "journal", sheet=False, create=False)))
    read: list[tuple[str | None, Path]] = [(None, Path(s)) for s in sources if s is not None]
    for i, (role, path) in enumerate(outputs):
        for other_role, other in [*read, *outputs[:i]]:
            clash = _clash(path, role, other, other_role)
            if clash is not None:
                raise InputError(clash)
    for role, path in outputs:
        if role != "journal":
            check_written_over(path, role)


def _read_from(frame: pd.DataFrame) -> list[tuple[str | None, Path]]:
    """The files ``frame`` was read from (role None: a sheet read) and its run's journal."""
    info: Any = frame.attrs.get("hubframe")
    if not isinstance(info, dict):
        return []
    found: list[tuple[str | None, Path]] = []
    listed = info.get(READ_FROM)
    if isinstance(listed, list | tuple):
        found += [(None, Path(p)) for p in listed if isinstance(p, str) and p]
    journal = getattr(info.get("run"), "journal", None)  # run.pipeline.RunFacts
    if isinstance(journal, str) and journal:
        found.append(("journal", Path(journal)))
    return found


def refuse_own_sources(path: PathLike, role: str, frame: pd.DataFrame) -> None:
    """InputError when ``path`` (the ``role`` written from ``frame``) is a file ``frame`` was
    read from, or its run's journal, under any name (see the module docstring): writing it
    would replace the analyst's sheet, or the record of a run, with this table."""
    target = as_path(path)
    for other_role, other in _read_from(frame):
        clash = _clash(target, role, other, other_role, table=True)
        if clash is not None:
            raise InputError(clash)


def keep_run_report(
    target: PathLike,
    who: str,
    what: str,
    done: str,
    *,
    sandbox_reports: bool = False,
    resumed: Path | None = None,
) -> None:
    """InputError when ``target`` (as written: ``~`` is the home folder, as for the writers)
    holds the report of a run that sent rows: ``who`` (a run, a dry run, an export) does not
    write ``what`` over it, as ``hubframe undo`` reads it (``done``: what was not done, in
    "Nothing was ...").  ``sandbox_reports``: the report of a run that sent to a sandbox (its
    Summary's host a loopback address) is written over (the demo's own reports, run again).
    ``resumed``: the journal of a run being resumed; the report of its run (one written since
    the run started, whose applied rows the run sent and whose cells of what each pair held
    before agree with the run's readings: :func:`_resumed_runs`) is written over by the
    resumed run's, which reports the journal's rows too."""
    path = as_path(target)
    if not path.is_file():
        return
    from hubframe.report.reader import COMMAND, report_read

    try:
        table, said = report_read(path)
    except Exception:  # not a report (or not one that can be read): nothing to keep
        return
    sent = _rows_sent(table)
    if not sent or "undo" in (said.get(JOB), said.get(COMMAND)):  # an undo's: no undo reads it
        return
    if _resumed_runs(path, said, table, resumed):
        return
    if not (sandbox_reports and said.get(BASE_URL_LABEL, "").lower() in _LOOPBACK_HOSTS):
        raise InputError(
            f"{path}: holds the report of a run that sent rows ({sent}); {who} does not "
            f"write over it (hubframe undo reads it). Give {what} another path. "
            f"Nothing was {done}."
        )


def _resumed_runs(
    path: Path, said: dict[str, str], table: pd.DataFrame, resumed: Path | None
) -> bool:
    """Whether the report at ``path`` (``table``, its Summary ``said``) is that of the run the
    journal ``resumed`` holds (see :func:`keep_run_report`): it names the journal (a .csv
    report names none) and the run, when it does (an .xlsx report); it was written since the
    first of the journal's open runs started; every row it says HubSpot applied or may have,
    those runs sent and did not see fail; and what it says each of those pairs held before
    agrees with a reading the runs took of it.  Before, a .csv report whose applied pairs the
    open runs had sent again was taken for theirs: the report of a run without a journal on
    the same sheet, whose rows the open run found linked and sent again, was written over by
    the resume, which said they existed before, and ``undo`` of it took nothing back."""
    from hubframe.run.journal import open_runs

    if resumed is None or not _names_journal(said, resumed):
        return False
    if "status" not in table or not {"from_type", "to_type"} <= set(table):
        return False
    done = _done_rows(table)
    record = open_runs(resumed, {_ends(row) for row in done})
    if record is None or not _names_open_run(said, record.runs):
        return False
    if not _written_since(path, record.started):
        return False
    return _journal_applied(record, done) and all(_agrees(row, record) for row in done)


def _names_journal(said: dict[str, str], journal: Path) -> bool:
    """Whether a report's Summary (``said``; empty for a .csv report) names ``journal``: a
    .csv report names none (:func:`_resumed_runs` then decides)."""
    if not said:
        return True
    named = said.get(JOURNAL, "")
    if not named:
        return False
    return Path(named).expanduser().resolve() == journal.resolve()


def _names_open_run(said: dict[str, str], runs: frozenset[int]) -> bool:
    """Whether the run a report's Summary names (an .xlsx report's) is one of ``runs``; True
    when it names none (a .csv report, one of an earlier hubframe)."""
    named = said.get(JOURNAL_RUN, "").strip()
    if not named:
        return True
    try:
        return int(float(named)) in runs
    except ValueError:
        return False


#: How long before the first open run started a report of it may say it was written: a disk
#: that keeps times to the second (or two: FAT) rounds them down.
_CLOCK_SLACK_S: Final = 2.0


def _written_since(path: Path, started: float | None) -> bool:
    """Whether the file at ``path`` was last written after ``started`` (the first open run's
    start; None: not recorded, which says nothing): a run's report is written after it
    started, and a file written before is another run's."""
    if started is None:
        return True
    stamp = file_stamp(path)
    return stamp is not None and stamp[1] / 1e9 >= started - _CLOCK_SLACK_S


#: A row of a report as :func:`_resumed_runs` compares it: from type, from id, to type, to
#: id, type id, existed_before, linked_before (the cells as text, "" when empty).
_Row = tuple[str, str, str, str, str, str, str]


def _done_rows(table: pd.DataFrame) -> list[_Row]:
    """The rows of a report HubSpot applied or may have (:func:`_applied`), as :data:`_Row`."""
    applied, unknown = _applied(table)
    done = table.loc[(applied | unknown).to_numpy(dtype=bool)]
    names = ("from_type", "from_id", "to_type", "to_id", "type_id")
    cells = [_cells(done, c) for c in (*names, "existed_before", "linked_before")]
    return list(zip(*cells, strict=True))


def _ends(row: _Row) -> tuple[str, ...]:
    """A report row's record pair as the journal keeps it (:func:`record_ends`), or
    ``("limits", from type, to type)`` for a row of limits (it has no ids)."""
    from hubframe.run.journal import record_ends

    from_type, from_id, to_type, to_id = row[:4]
    if not (from_id or to_id):
        return ("limits", from_type, to_type)
    return record_ends(from_type, from_id, to_type, to_id)


def _journal_applied(record: OpenRuns, done: list[_Row]) -> bool:
    """Whether every row of a report that HubSpot applied or may have (``done``) is one the
    journal's open runs (or the runs they resumed) sent and did not see fail (a limits row:
    changed its object pair's limits): a .csv report names no journal, and an .xlsx one names
    the journal, not always the run, so the report of another run (of another sheet, or a
    finished run of the same journal) was taken for the resumed run's and written over."""
    for row in done:
        ends = _ends(row)
        if ends not in (record.sent if ends[0] == "limits" else record.applied):
            return False
    return True


def _agrees(row: _Row, record: OpenRuns) -> bool:
    """Whether what a report row says its pair held before the run (``existed_before``: its
    type; ``linked_before``: any) agrees with a reading the journal's open runs took of the
    pair, when they took one: the resumed run reports the runs' readings, and a report saying
    otherwise (a pair the runs found linked said created) is another run's."""
    from hubframe.report.reader import flag

    from_type, from_id, to_type, to_id, type_id, existed, linked = row
    same = record.readings.get((from_type, from_id, to_type, to_id), ())
    either = (*same, *record.readings.get((to_type, to_id, from_type, from_id), ()))
    typed, said_existed = _type_number(type_id), flag(existed or None)
    if typed is not None and not _any_reading(same, said_existed, lambda held: typed in held):
        return False
    return _any_reading(either, flag(linked or None), bool)


def _any_reading(
    readings: tuple[frozenset[int], ...], said: bool | None, held: Callable[[frozenset[int]], bool]
) -> bool:
    """Whether one of ``readings`` agrees with a report's cell (``said``; None: empty): True
    when there is no reading or no cell to compare."""
    if not readings or said is None:
        return True
    return any(held(types) == said for types in readings)


def _type_number(cell: str) -> int | None:
    """A report's ``type_id`` cell as a number (None when empty or not one)."""
    try:
        return int(float(cell)) if cell else None
    except ValueError:
        return None


def _cells(table: pd.DataFrame, column: str) -> list[str]:
    """A column's cells as stripped text ("" where empty or absent)."""
    if column not in table:
        return [""] * len(table)
    return table[column].astype("string").fillna("").str.strip().tolist()


#: The hosts a sandbox serves on: a report whose Summary names another host sent to HubSpot.
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _applied(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Two masks of a report's rows: those HubSpot applied (``success``), and those it may
    have (``failed``, ``UNKNOWN_OUTCOME``): what an undo acts on."""
    status = table["status"].astype("string").str.strip().str.lower()
    empty = pd.Series("", index=table.index, dtype="string")
    code = table["error_code"].astype("string") if "error_code" in table else empty
    done = (status == "success").fillna(False)
    maybe = ((status == "failed") & (code.str.strip() == "UNKNOWN_OUTCOME")).fillna(False)
    return done.astype(bool), maybe.astype(bool)


def _rows_sent(table: pd.DataFrame) -> str:
    """ "6 success, 1 UNKNOWN_OUTCOME": the rows of a report HubSpot applied or may have (what
    an undo acts on); "" when none (rows that all failed with an answer, HubSpot unreachable:
    nothing to undo, and a run again may write over it)."""
    if "status" not in table:
        return ""
    applied, unknown = _applied(table)
    done, maybe = int(applied.sum()), int(unknown.sum())
    said = [f"{done} success"] if done else []
    return ", ".join(said + ([f"{maybe} UNKNOWN_OUTCOME"] if maybe else []))


__all__ = [
    "REPORT_SUFFIXES",
    "check_output",
    "check_outputs",
    "check_written_over",
    "free_name",
    "keep_run_report",
    "refuse_own_sources",
]
