"""What a read notes beside its frame: the sheets chosen and skipped, types it inferred.

:func:`hubframe.io.read_pairs` keeps these in ``attrs["hubframe"]`` (plain lists and dicts, so
they survive copies): ``sheets_read`` (workbook sheets read, in order), ``sheet_choice`` (how
they were chosen), ``skipped_sheets`` (``[{"sheet": name, "reason": why, "holds_rows": bool}]``;
``holds_rows``: recognised columns and rows, or what look like record ids under columns
not recognised, left unread), ``hidden_columns`` (sheet -> the
headers of the columns it reads that the workbook hides) and ``guessed_types``
(``{"from": {"type": "deals", "reason": "file name", "evidence": ...}}``).
:func:`read_notes` gives them back typed, and :meth:`ReadNotes.messages` as the lines the CLI
and the notebook app show, in the caller's syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hubframe.constants import NO_TARGETS_COLUMN
from hubframe.errors import HubframeWarning
from hubframe.io.columns import (
    TypeGuess,
)
from hubframe.io.hidden import HIDDEN_ROW
from hubframe.io.rowname import index_label
from hubframe.io.scope import ExportScope, export_scope
from hubframe.io.sheet import SheetChoice, SkippedSheet, goes_on_from
from hubframe.io.syntax import PYTHON, Syntax

Level = Literal["info", "warning"]


class SheetsLeftOut(HubframeWarning):
    """A read left out a visible workbook sheet that holds rows (a later sheet of pairs the
    default read does not read, or ids under columns it does not recognise).  Warned from
    Python, where nothing else shows it; the command line and the app say it in their own
    words and silence this."""


class HiddenIds(HubframeWarning):
    """Rows of a workbook's id sheet (``--ids``, ``--scope``, ``ids=``, ``scope=``) that the
    workbook hides (a filter, hidden rows) were read: their records are in the export or the
    sync's scope, though the analyst may have filtered them out to leave them out."""


class EmptyRowsLeftOut(HubframeWarning):
    """Rows of a DataFrame read that hold no value in any cell (``NaN`` everywhere, as
    ``pd.read_excel`` gives a sheet's blank row) were left out, as a sheet's blank rows are:
    the frame read, and a job's result table, have no row for them, and their index labels
    are missing where the result is lined up with the frame."""


def warn_empty_rows(frame: pd.DataFrame, read_rows: pd.Series) -> None:
    """One :class:`EmptyRowsLeftOut` warning naming the index labels of the rows of ``frame``
    (a DataFrame given to a read) that ``read_rows`` (the read's ``row`` column: position + 2)
    does not hold."""
    import warnings

    kept = np.zeros(len(frame), dtype=bool)
    kept[np.unique(read_rows.to_numpy(dtype=np.int64)) - 2] = True
    left = np.flatnonzero(~kept)
    if not len(left):
        return
    labels = [index_label(frame.index[i]) for i in left[:5]]
    more = f" and {len(left) - 5:,} more" if len(left) > 5 else ""
    one = len(left) == 1
    warnings.warn(
        f"{'1 row' if one else f'{len(left):,} rows'} of the frame (index {', '.join(labels)}"
        f"{more}) {'holds' if one else 'hold'} nothing (every cell empty or blank) and "
        f"{'was' if one else 'were'}"
        " left out, as a sheet's blank rows are: the result has no row for "
        f"{'it' if one else 'them'}.",
        EmptyRowsLeftOut,
        stacklevel=2,
    )


def warn_hidden_ids(where: str, rows: list[int]) -> None:
    """One :class:`HiddenIds` warning naming the first hidden rows read and how many."""
    import warnings

    shown = ", ".join(map(str, rows[:5])) + (
        f" and {len(rows) - 5:,} more" if len(rows) > 5 else ""
    )
    one = len(rows) == 1
    warnings.warn(
        f"{where}: {'row' if one else 'rows'} {shown} {'is' if one else 'are'} hidden in the "
        f"workbook (a filter or hidden rows) and {'its id was' if one else 'their ids were'} "
        "read too; to leave those records out, delete the rows (hiding them does not).",
        HiddenIds,
        stacklevel=4,
    )


def warn_left_out(frame: pd.DataFrame) -> None:
    """Warn (:class:`SheetsLeftOut`, once) of the sheets holding rows that the read of
    ``frame`` left out: the first three with why, and how many more."""

    info = frame.attrs.get("hubframe") or {}
    left = [s for s in _skipped(info) if s.holds_rows and not s.hidden]  # attrs only
    if left:
        warn_sheets_left_out(str(info.get("source", "")), left, stacklevel=5)


def warn_sheets_left_out(source: str, left: list[SkippedSheet], *, stacklevel: int) -> None:
    """One :class:`SheetsLeftOut` warning naming the first three sheets ``left`` and why."""
    import warnings

    said = "; ".join(f"sheet '{s.name}' was not read: {s.reason}" for s in left[:3])
    more = f"; and {len(left) - 3:,} more such sheets" if len(left) > 3 else ""
    warnings.warn(f"{source}: {said}{more}", SheetsLeftOut, stacklevel=stacklevel)


def _skipped(info: dict[str, Any]) -> list[SkippedSheet]:
    return [
        SkippedSheet(str(s["sheet"]), str(s["reason"]), bool(s.get("holds_rows", False)))
        for s in info.get("skipped_sheets", [])
    ]


@dataclass(frozen=True)
class ReadNotes:
    """The typed view of a read's notes (see the module docstring)."""

    source: str = ""
    sheets: list[str] = field(default_factory=list)
    sheet_choice: str | None = None
    skipped: list[SkippedSheet] = field(default_factory=list)
    guessed_types: dict[str, TypeGuess] = field(default_factory=dict)
    no_targets: int = 0  # rows of exported records that have no associated records
    hidden: list[tuple[str, int]] = field(default_factory=list)  # (sheet, row) a workbook hides
    merged: dict[str, list[str]] = field(default_factory=dict)  # sheet -> ranges read per row
    #: sheet -> headers of columns hubframe reads that the workbook hides
    hidden_columns: dict[str, list[str]] = field(default_factory=dict)
    #: sheet -> side -> type inferred, when several sheets were read (each its own guess)
    guessed_by_sheet: dict[str, dict[str, TypeGuess]] = field(default_factory=dict)
    #: the records an export read, from its scope sheet (:mod:`hubframe.io.scope`)
    export_scope: ExportScope | None = None
    rows: int | None = None  # the rows read (None: not known)

    def unread_part(self) -> tuple[SkippedSheet, str] | None:
        """A sheet left unread that holds rows and is named as a later part of a sheet read
        ("Associations (2)" beside "Associations": an export, a report or a retry file longer
        than an Excel sheet), with the sheet read it goes on from; None when there is none."""
        for skipped in self.skipped:
            first = next((s for s in self.sheets if goes_on_from(skipped.name, s)), None)
            if skipped.holds_rows and first is not None:
                return skipped, first
        return None

    def messages(self, syntax: Syntax = PYTHON, job: str | None = None) -> list[tuple[Level, str]]:
        """(level, text) lines: the sheets read, each skipped sheet (a warning), inferred types
        and the records with nothing to do; ``job``: the command the sheet was read for
        (``"remove"`` says what an export's scope is to it)."""
        out = self.sheet_messages()
        if self.rows == 0 and self.source:
            out.append(("warning", self._no_rows_message()))
        out += self._guess_messages(syntax)
        if self.export_scope is not None and self.export_scope.sheet is not None:
            scope = self.export_scope
            said = self._scope_for_remove(scope) if job == "remove" else self._scope_message(scope)
            out.append(("info", said))
        if self.no_targets:
            out.append(
                (
                    "info",
                    f"{self.source}: {self.no_targets} exported record(s) have no associated "
                    "records (an empty association cell): nothing to do for them (NO_TARGETS)",
                )
            )
        if self.hidden:
            out.append(("warning", self._hidden_message()))
        for sheet, headers in self.hidden_columns.items():
            named = ", ".join(f"'{h}'" for h in headers)
            word = "column" if len(headers) == 1 else "columns"
            verb, it = ("is", "it") if len(headers) == 1 else ("are", "them")
            out.append(
                (
                    "warning",
                    f"{self.source}: sheet '{sheet}': the {word} {named} {verb} hidden in the "
                    "workbook, and read all the same (hubframe reads what the file holds); "
                    f"unhide {it} in Excel to check what will be sent",
                )
            )
        for sheet, ranges in self.merged.items():
            shown = _listed(ranges)
            out.append(
                (
                    "info",
                    f"{self.source}: sheet '{sheet}': cells merged over several rows ({shown}) "
                    "are read as their value in every row they cover",
                )
            )
        return out

    def _no_rows_message(self) -> str:
        where = {0: "the file holds", 1: "the sheet read holds"}.get(
            len(self.sheets), "the sheets read hold"
        )
        meant = "the file" if not self.sheets else "the file and sheet"
        return (
            f"{self.source}: {where} no rows below the header (empty rows are left out), so "
            f"there is nothing to check or send: is it {meant} you meant?"
        )

    def _scope_message(self, scope: ExportScope) -> str:
        from hubframe.vocab import object_noun

        n = len(scope.ids)
        if not n:
            return (
                f"{self.source}: sheet '{scope.sheet}' lists no record: the export read none, "
                "so a sync's scope is the records the other sheet lists"
            )
        kind = scope.from_type or "records"
        records = f"1 {object_noun(kind)}" if n == 1 else f"{n:,} {kind}"
        return (
            f"{self.source}: sheet '{scope.sheet}' lists the {records} the export read: a sync "
            "takes them as its scope, with the records the other sheet lists, unless a scope "
            "is given; a record whose rows were all deleted has its associations removed when "
            "removals are allowed"
        )

    def _scope_for_remove(self, scope: ExportScope) -> str:
        """The scope sheet to a remove, which does not use it: the sync's words ("a record
        whose rows were all deleted has its associations removed when removals are allowed")
        read as the remove's, and a remove takes only what the rows name."""
        return (
            f"{self.source}: sheet '{scope.sheet}' lists the records the export read; remove "
            "does not use it: it removes only what the rows list (a row with a label removes "
            "that label only, and its records stay associated), and a record whose rows were "
            "deleted keeps its associations"
        )

    def sheet_messages(self) -> list[tuple[Level, str]]:
        """(level, text) lines of the workbook's sheets alone: the sheets read and how they
        were chosen, then each sheet skipped and why (a warning)."""
        out: list[tuple[Level, str]] = []
        if self.sheets:
            names = ", ".join(f"'{name}'" for name in self.sheets)
            word = "sheet" if len(self.sheets) == 1 else "sheets"
            out.append(("info", f"{self.source}: read {word} {names} ({self.sheet_choice})"))
        for skipped in self.skipped:
            out.append(
                ("warning", f"{self.source}: sheet '{skipped.name}' skipped: {skipped.reason}")
            )
        return out

    def _guess_messages(self, syntax: Syntax) -> list[tuple[Level, str]]:
        """The types inferred: one line a side, or, of several sheets read, one a sheet and
        side (a warning: no type picker shows another sheet's guess, and the sheets' types
        may differ)."""
        if not self.guessed_by_sheet:
            return [
                ("info", f"{self.source}: {self._guess_words(side, guess, syntax)}")
                for side, guess in self.guessed_types.items()
            ]
        return [
            (
                "warning",
                f"{self.source}: sheet '{sheet}': {self._guess_words(side, guess, syntax)}",
            )
            for sheet, guesses in self.guessed_by_sheet.items()
            for side, guess in guesses.items()
        ]

    def _guess_words(self, side: str, guess: TypeGuess, syntax: Syntax) -> str:
        evidence = "" if guess.evidence == self.source else f" ({guess.evidence})"
        option = syntax.named(f"{side}_type")
        said = f"{side} type {guess.object_type}, from the {guess.reason}{evidence}"
        return f"{said}; {option} sets another"

    def _hidden_message(self) -> str:
        shown = _listed([str(row) for _, row in self.hidden])
        sheets = sorted({sheet for sheet, _ in self.hidden})
        where = f"sheet '{sheets[0]}' " if len(sheets) == 1 else ""
        return (
            f"{self.source}: {len(self.hidden):,} row(s) hidden in the workbook ({where}row "
            f"{shown}; a filter or Hide Rows) are read and sent like the others "
            "(HIDDEN_ROW); delete them from the sheet if they should not be sent"
        )


def _listed(items: list[str], shown: int = 10) -> str:
    """The first ``shown`` items, then how many more."""
    more = f" and {len(items) - shown:,} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def choice_attrs(choice: SheetChoice | None) -> dict[str, Any]:
    """The ``attrs["hubframe"]`` entries of a workbook's sheet choice."""
    if choice is None:
        return {}
    out: dict[str, Any] = {"sheets_read": list(choice.chosen), "sheet_choice": choice.how}
    if choice.skipped:
        out["skipped_sheets"] = [
            {"sheet": s.name, "reason": s.reason, "holds_rows": s.holds_rows}
            for s in choice.skipped
        ]
    return out


def guess_attrs(guesses: Mapping[str, TypeGuess]) -> dict[str, Any]:
    """The ``attrs["hubframe"]`` entry of the types inferred (none: no entry)."""
    if not guesses:
        return {}
    return {"guessed_types": {side: _guess_entry(g) for side, g in guesses.items()}}


def sheet_guess_attrs(
    by_sheet: Mapping[str, Mapping[str, TypeGuess]], several: bool
) -> dict[str, Any]:
    """The ``attrs["hubframe"]`` entries of the types a read inferred, sheet by sheet.

    ``guessed_types``: a side's type where every sheet that inferred one inferred the same
    (the first sheet's evidence).  When ``several`` sheets were read, each sheet's own are
    kept too (``guessed_types_by_sheet``): a type inferred on one sheet is said, not only the
    last sheet's, and sheets that inferred different types for a side are both named."""
    agreed: dict[str, TypeGuess] = {}
    differ: set[str] = set()
    for sheet_guesses in by_sheet.values():
        for side, guess in sheet_guesses.items():
            if agreed.setdefault(side, guess).object_type != guess.object_type:
                differ.add(side)
    out = guess_attrs({s: g for s, g in agreed.items() if s not in differ})
    if several and by_sheet:
        out["guessed_types_by_sheet"] = {
            sheet: {side: _guess_entry(g) for side, g in sheet_guesses.items()}
            for sheet, sheet_guesses in by_sheet.items()
        }
    return out


def _guess_entry(guess: TypeGuess) -> dict[str, str]:
    return {"type": guess.object_type, "reason": guess.reason, "evidence": guess.evidence}


def _guesses(found: object) -> dict[str, TypeGuess]:
    """The :class:`TypeGuess` of each side of a ``guessed_types`` entry."""
    if not isinstance(found, Mapping):
        return {}
    return {
        str(side): TypeGuess(str(g["type"]), str(g["reason"]), str(g["evidence"]))
        for side, g in found.items()
        if isinstance(g, Mapping)
    }


def read_notes(frame: pd.DataFrame) -> ReadNotes:
    """The notes of a frame of :func:`~hubframe.io.read_pairs` / ``read_limits``."""
    info = frame.attrs.get("hubframe") or {}
    skipped = _skipped(info)
    guesses = _guesses(info.get("guessed_types"))
    by_sheet = info.get("guessed_types_by_sheet")
    sheet_guesses = (
        {str(sheet): _guesses(found) for sheet, found in by_sheet.items()}
        if isinstance(by_sheet, Mapping)
        else {}
    )
    no_targets = 0
    if NO_TARGETS_COLUMN in frame.columns:
        no_targets = int(frame[NO_TARGETS_COLUMN].fillna(False).astype(bool).sum())
    hidden: list[tuple[str, int]] = []
    if HIDDEN_ROW in frame.columns:
        rows = frame.loc[frame[HIDDEN_ROW].fillna(False).astype(bool), ["sheet", "row"]]
        hidden = [(str(s), int(r)) for s, r in rows.drop_duplicates().itertuples(index=False)]
    return ReadNotes(
        str(info.get("source", "")),
        [str(s) for s in info.get("sheets_read") or []],
        info.get("sheet_choice"),
        skipped,
        guesses,
        no_targets,
        hidden,
        {str(k): [str(r) for r in v] for k, v in (info.get("merged_cells") or {}).items()},
        {str(k): [str(h) for h in v] for k, v in (info.get("hidden_columns") or {}).items()},
        sheet_guesses,
        export_scope(info),
        len(frame) if info else None,
    )
