"""The reports of a session's earlier runs, kept on the app's page: only a run's own report
undoes it, so none goes with the results the page stops showing.

A kept report holds the result and issues it is written from, and is written only when the
page or Save report asks for it: keeping one never writes a file, so it can never stop the app
from clearing what a change on the page made stale.  Each is named after its run ("a_report
(run 1).xlsx").  At most :data:`MAX_KEPT` are kept; past it the oldest report of a run that
changed nothing in HubSpot goes first, and a report of a run that changed something never goes.
No ipywidgets here.
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

#: Reports kept beside the shown run's, before those of runs that changed nothing give way.
MAX_KEPT: Final = 20
#: The actions of a row that changes nothing when the association was there before it.
_ADDING: Final = frozenset({str(Action.ASSOCIATE), str(Action.ASSOCIATE_DEFAULT)})


@dataclass
class KeptReport:
    """One earlier run's report: ``run`` is its number in the session, ``name`` its file's."""

    run: int
    name: str
    result: pd.DataFrame = field(repr=False)
    issues: pd.DataFrame | None = field(repr=False)
    changed: bool = True  # the run changed something in HubSpot (or may have)
    _data: bytes | None = field(default=None, repr=False)
    #: the files Save report wrote it to: path -> (size, modified time) as written
    _saved: dict[Path, tuple[int, int]] = field(default_factory=dict, repr=False)

    def saved_as(self, folder: Path) -> Path | None:
        """The file in ``folder`` Save report wrote this report to, still as written; None
        when there is none (never saved there, or since changed, moved or deleted)."""
        for path, stamp in self._saved.items():
            if path.parent.resolve() == folder.resolve() and file_stamp(path) == stamp:
                return path
        return None

    def was_saved(self, path: Path, stamp: tuple[int, int] | None = None) -> None:
        """Note that Save report wrote this report to ``path`` (``stamp``: the file's size and
        modified time as written, when noted then; else as it is now, just written)."""
        stamp = stamp or file_stamp(path)
        if stamp is not None:
            self._saved[path] = stamp

    def data(self) -> bytes:
        """The report's bytes, written the first time they are asked for."""
        if self._data is None:
            self._data = backend.report_bytes(self.result, self.issues, self.name)
        return self._data


@dataclass
class SavedFiles:
    """The files a Save wrote the shown run's report (and retry file) to, as written: a Save
    again into the same folder is those files, not copies beside them ("a_report (2).xlsx",
    read as another run's)."""

    result: pd.DataFrame = field(repr=False)
    issues: pd.DataFrame | None = field(repr=False)
    names: tuple[str, str]
    stamps: dict[Path, tuple[int, int]]

    @classmethod
    def of(
        cls,
        result: pd.DataFrame,
        issues: pd.DataFrame | None,
        names: tuple[str, str],
        paths: list[Path],
    ) -> SavedFiles:
        stamps = {path: stamp for path in paths if (stamp := file_stamp(path)) is not None}
        return cls(result, issues, names, stamps)

    def still(
        self,
        result: pd.DataFrame,
        issues: pd.DataFrame | None,
        names: tuple[str, str],
        folder: Path,
    ) -> list[Path] | None:
        """The files, when they are ``result``'s (with ``issues``) under ``names`` in
        ``folder``, each as written; None when any is not (another run, changed, gone)."""
        if result is not self.result or issues is not self.issues or names != self.names:
            return None
        where = folder.resolve()
        for path, stamp in self.stamps.items():
            if path.parent.resolve() != where or file_stamp(path) != stamp:
                return None
        return list(self.stamps) or None

    def hand_to(self, report: KeptReport) -> None:
        """Note on ``report`` (this run's, kept once another run is shown) the report file
        this Save wrote, so a Save of the kept reports does not write it again."""
        if report.result is self.result and self.stamps:
            path, stamp = next(iter(self.stamps.items()))
            report.was_saved(path, stamp)  # as written then: a file edited since is not it


def kept_name(report_name: str, run: int) -> str:
    """``a_report.xlsx`` of run 3 -> ``a_report (run 3).xlsx``."""
    path = Path(report_name)
    return f"{path.stem} (run {run}){path.suffix}"


def keep(
    result: pd.DataFrame | None,
    issues: pd.DataFrame | None,
    run: int,
    report_name: str,
    data: bytes | None = None,
) -> KeptReport | None:
    """The report to keep of run ``run`` (None for what is no run: an export, nothing);
    ``data``: its bytes when the page made them already."""
    if result is None or "status" not in result.columns or run < 1:
        return None
    name = kept_name(report_name, run)
    return KeptReport(run, name, result, issues, changed_portal(result), data)


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
    returned); a report of a run that changed something is never dropped."""
    kept = dict(reports)
    dropped: list[KeptReport] = []
    for name, report in sorted(reports.items(), key=lambda item: item[1].run):
        if len(kept) <= limit:
            break
        if not report.changed:
            dropped.append(kept.pop(name))
    return kept, dropped


def dropped_words(dropped: int, limit: int) -> str:
    """What the page says of the reports that gave way ("" when none did)."""
    if not dropped:
        return ""
    runs = "run that" if dropped == 1 else f"{dropped:,} runs that"
    return (
        f"The report of {'a' if dropped == 1 else 'each of'} {runs} changed nothing in HubSpot "
        f"is no longer kept: the page keeps {limit:,} earlier reports, and drops those of runs "
        "that changed nothing first (the report of a run that changed something is always kept)."
    )


__all__ = [
    "MAX_KEPT",
    "KeptReport",
    "SavedFiles",
    "bounded",
    "changed_portal",
    "dropped_words",
    "keep",
]
