"""The reports and retry files of a session's earlier runs, kept on the app's page: only a
run's own report undoes it, and its retry file holds the rows it left to do, so neither goes
with the results the page stops showing.

A kept run holds the result and issues its files are written from.  What the page shows of a
file (:class:`PageFile`: its bytes while small enough for a download link, else only its size,
or why it could not be made) is made on the app's worker, never by a change on the page: the
shown run's files are made there when the run ends, and those bytes are what is kept (a file
too large for a link keeps only its size, and is written by Save report alone), so keeping a
run never writes a file and a change on the page never waits for a workbook.  Each file is
named after its run ("a_report (run 1).xlsx", "a_retry (run 1).xlsx").  At most
:data:`MAX_KEPT` runs are kept; past it the oldest of a run that changed nothing in HubSpot
goes first, and a run that changed something never goes.  No ipywidgets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from hubframe.report.outputs import file_stamp
from hubframe.vocab import Action, Status
from hubframe.widgets import backend
from hubframe.widgets.backend import FileKind, RunFile
from hubframe.widgets.render import plural

#: Runs whose files are kept beside the shown run's, before those of runs that changed nothing
#: give way.
MAX_KEPT: Final = 20
#: The actions of a row that changes nothing when the association was there before it.
_ADDING: Final = frozenset({str(Action.ASSOCIATE), str(Action.ASSOCIATE_DEFAULT)})


@dataclass(frozen=True)
class PageFile:
    """What the page has of a file once made: ``size`` bytes, the ``data`` themselves only
    while a download link may carry them (None: too large, Save report writes it); or the
    ``problem`` that kept it from being made ("" when it was)."""

    size: int = 0
    data: bytes | None = field(default=None, repr=False)
    problem: str = ""

    @classmethod
    def made(cls, data: bytes, limit: int) -> PageFile:
        """``data`` made for the page: kept when at most ``limit`` bytes, else only its size."""
        return cls(len(data), data if len(data) <= limit else None)

    @classmethod
    def failed(cls, problem: str) -> PageFile:
        """A file that could not be made (the temp folder full or gone), and why."""
        return cls(problem=problem)


@dataclass(frozen=True)
class Made:
    """What the worker made of the shown run's files for the page (``pages``, by file name),
    and the rows its retry file holds (0: it has none), counted there too."""

    pages: Mapping[str, PageFile]
    retry_rows: int


@dataclass(frozen=True)
class Offer:
    """A file the page offers: its name, what its link says, and what was made of it (None:
    nothing yet)."""

    name: str
    label: str
    page: PageFile | None


@dataclass
class KeptFile:
    """One file of a kept run (its report or its retry file), under its run's name: what the
    page has of it (``page``, made on the worker only), and where Save report wrote it."""

    file: RunFile
    page: PageFile | None = None
    #: the files Save report wrote it to: path -> (size, modified time) as written
    _saved: dict[Path, tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.file.name

    def saved_as(self, folder: Path) -> Path | None:
        """The file in ``folder`` Save report wrote this file to, still as written; None when
        there is none (never saved there, or since changed, moved or deleted)."""
        for path, stamp in self._saved.items():
            if path.parent.resolve() == folder.resolve() and file_stamp(path) == stamp:
                return path
        return None

    def was_saved(self, path: Path, stamp: tuple[int, int] | None = None) -> None:
        """Note that Save report wrote this file to ``path`` (``stamp``: the file's size and
        modified time as written, when noted then; else as it is now, just written)."""
        stamp = stamp or file_stamp(path)
        if stamp is not None:
            self._saved[path] = stamp


@dataclass
class KeptReport:
    """One earlier run's report and, when it left rows to do, its retry file (``retry_rows``
    of them): ``run`` is its number in the session, ``name`` its report's file name."""

    run: int
    name: str
    result: pd.DataFrame = field(repr=False)
    issues: pd.DataFrame | None = field(repr=False)
    changed: bool = True  # the run changed something in HubSpot (or may have)
    retry_name: str = ""  # "": no rows left to do, no retry file
    retry_rows: int = 0
    report: KeptFile = field(init=False, repr=False)
    retry: KeptFile | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.report = KeptFile(RunFile(FileKind.REPORT, self.name, self.result, self.issues))
        self.retry = None
        if self.retry_name:
            self.retry = KeptFile(RunFile(FileKind.RETRY, self.retry_name, self.result))

    @property
    def files(self) -> list[KeptFile]:
        """Its report, then its retry file when it has one."""
        return [self.report] if self.retry is None else [self.report, self.retry]

    def offers(self, *, last: bool) -> list[Offer]:
        """Its files as the page offers them ("of the last run" when ``last``)."""
        of = f"the last run (run {self.run})" if last else f"run {self.run}"
        offers = [Offer(self.name, f"Report of {of}", self.report.page)]
        if self.retry is not None:
            label = f"Retry file of {of} ({plural(self.retry_rows, 'row')})"
            offers.append(Offer(self.retry.name, label, self.retry.page))
        return offers


@dataclass
class SavedFiles:
    """The files a Save wrote the shown run's report (and retry file) to, as written: a Save
    again into the same folder is those files, not copies beside them ("a_report (2).xlsx",
    read as another run's); only a file changed, moved or deleted since is written anew."""

    result: pd.DataFrame = field(repr=False)
    issues: pd.DataFrame | None = field(repr=False)
    names: tuple[str, str]
    #: each file written (the report, the retry file): its path, and its size and time then
    files: dict[FileKind, tuple[Path, tuple[int, int]]]

    @classmethod
    def of(
        cls,
        result: pd.DataFrame,
        issues: pd.DataFrame | None,
        names: tuple[str, str],
        paths: Mapping[FileKind, Path],
    ) -> SavedFiles:
        """``paths``: where each file was written (a Save that could not write one has not
        got it)."""
        files = {kind: (path, stamp) for kind, path in paths.items() if (stamp := file_stamp(path))}
        return cls(result, issues, names, files)

    def still(
        self,
        result: pd.DataFrame,
        issues: pd.DataFrame | None,
        names: tuple[str, str],
        folder: Path,
    ) -> dict[FileKind, Path]:
        """The files that are ``result``'s (with ``issues``) under ``names`` in ``folder``,
        each as written; none when another run's, and not those changed or gone since."""
        if result is not self.result or issues is not self.issues or names != self.names:
            return {}
        where = folder.resolve()
        return {
            kind: path
            for kind, (path, stamp) in self.files.items()
            if path.parent.resolve() == where and file_stamp(path) == stamp
        }

    def hand_to(self, report: KeptReport) -> None:
        """Note on ``report`` (this run's, kept once another run is shown) the report and
        retry file this Save wrote, so a Save of the kept runs does not write them again."""
        if report.result is not self.result:
            return
        files = {FileKind.REPORT: report.report, FileKind.RETRY: report.retry}
        for kind, (path, stamp) in self.files.items():
            if (file := files.get(kind)) is not None:
                file.was_saved(path, stamp)  # as written then: a file edited since is not it


def kept_name(file_name: str, run: int) -> str:
    """A file's name after its run: ``a_report.xlsx`` of run 3 -> ``a_report (run 3).xlsx``,
    ``a_retry.csv`` -> ``a_retry (run 3).csv``."""
    path = Path(file_name)
    return f"{path.stem} (run {run}){path.suffix}"


def keep(
    result: pd.DataFrame | None,
    issues: pd.DataFrame | None,
    run: int,
    names: tuple[str, str],
    made: Made | None = None,
) -> KeptReport | None:
    """The report (and retry file) to keep of run ``run`` (None for what is no run: an
    export, nothing); ``names``: the shown run's report and retry file names; ``made``: what
    the worker made of them for the page (nothing is made here)."""
    if result is None or "status" not in result.columns or run < 1:
        return None
    rows = made.retry_rows if made is not None else backend.retry_count(result)
    retry = kept_name(names[1], run) if rows else ""
    report = KeptReport(
        run, kept_name(names[0], run), result, issues, changed_portal(result), retry, rows
    )
    pages = made.pages if made is not None else {}
    report.report.page = pages.get(names[0])
    if report.retry is not None:
        report.retry.page = pages.get(names[1])
    return report


def changed_portal(result: pd.DataFrame) -> bool:
    """Whether the run may have changed HubSpot: any row sent (or maybe applied) but a link
    or label that was there before it."""
    status = result["status"].astype("string")
    acted = status.isin([str(Status.SUCCESS), str(Status.FAILED)]).fillna(False)
    if not acted.any():
        return False
    if "existed_before" not in result.columns or "action" not in result.columns:
        return True
    existed = result["existed_before"].astype("string").str.lower() == "true"
    adding = result["action"].astype("string").isin(_ADDING)
    there = (status == str(Status.SUCCESS)) & existed & adding
    return bool((acted & ~there.fillna(False)).any())


def bounded(
    reports: Mapping[str, KeptReport], limit: int
) -> tuple[dict[str, KeptReport], list[KeptReport]]:
    """``reports`` held to ``limit``: the oldest of runs that changed nothing go first (and are
    returned, with their retry files); a report of a run that changed something is never
    dropped."""
    kept = dict(reports)
    dropped: list[KeptReport] = []
    for name, report in sorted(reports.items(), key=lambda item: item[1].run):
        if len(kept) <= limit:
            break
        if not report.changed:
            dropped.append(kept.pop(name))
    return kept, dropped


def dropped_words(dropped: int, limit: int) -> str:
    """What the page says of the runs whose files gave way ("" when none did)."""
    if not dropped:
        return ""
    runs = "run that" if dropped == 1 else f"{dropped:,} runs that"
    return (
        f"The report (and retry file) of {'a' if dropped == 1 else 'each of'} {runs} changed "
        f"nothing in HubSpot is no longer kept: the page keeps the files of {limit:,} earlier "
        "runs, and drops those of runs that changed nothing first (the report of a run that "
        "changed something is always kept)."
    )


__all__ = [
    "MAX_KEPT",
    "KeptFile",
    "KeptReport",
    "Made",
    "Offer",
    "PageFile",
    "SavedFiles",
    "bounded",
    "changed_portal",
    "dropped_words",
    "keep",
]
