"""Reading a run back from its report (.xlsx Results sheet, or .csv) or its journal.

:func:`load_run` gives the result table :func:`hubframe.undo` works from: a result table as it
is, the Results sheet of an ``.xlsx`` report, a ``.csv`` report (its formula guard taken off),
or the association rows a journal recorded (with what the pairs held before the first run).
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe import formula
from hubframe.constants import (
    CATEGORIES,
    EXISTING_COLUMNS,
    HUBSPOT_DEFINED,
    MAX_ID_DIGITS,
    PAIR_COLUMNS,
    PRIMARY_BEFORE,
    STATUS_COLUMNS,
    SYNC_COLUMNS,
)
from hubframe.errors import ErrorCode, HubframeError, HubframeWarning, InputError
from hubframe.io.bounds import ReadLimits, read_limits_in_force
from hubframe.io.cells import (
    EXCEL_LIMIT,
    cells_to_text,
    clean_headers,
    one_cell_text,
    plain_cells,
    refuse_repeated_columns,
)
from hubframe.io.conform import check_report_ids, own_columns
from hubframe.io.csv import csv_text
from hubframe.io.guard import Unreadable, checked_workbook, sheet_parts
from hubframe.io.hidden import hidden_rows, may_hide_rows
from hubframe.io.meta import refuse_odd_meta, without_attrs
from hubframe.io.narrow import refuse_rounded
from hubframe.io.normalize import (
    canonical_category,
    canonical_ids,
    canonical_object_type,
    clean_id,
    describe_number,
    is_valid_object_type,
)
from hubframe.io.sources import as_path, read_from_attrs, refuse_unreadable_file
from hubframe.io.text import as_text
from hubframe.report import excel
from hubframe.report.excel import RESULTS, SHEET_ROWS, continued_title
from hubframe.report.net import net_rows, replayed
from hubframe.report.sheet import SHEET_TITLE as EXPORT_SHEET
from hubframe.report.sheet_cells import sheet_text
from hubframe.report.spans import refuse_swallowed
from hubframe.report.summary import BASE_URL_LABEL, JOB, JOURNAL, JOURNAL_RUN
from hubframe.run.journal import Journal, JournalHolds, JournalRow
from hubframe.run.portal import PORTAL_KEY, PORTAL_LABEL, SENT_TO
from hubframe.run.primary import one_way_types, primary_cell
from hubframe.vocab import Action, ObjectPair, RecordPair, Status

RunArg = pd.DataFrame | str | os.PathLike[str] | Journal
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
#: True and false as a report may hold them: Excel saves a CSV with its own language's words
#: (German WAHR / FALSCH, French VRAI / FAUX, ...).
_TRUE_WORDS: Final = {
    "true",
    "yes",
    "1",
    "y",
    "wahr",
    "vrai",
    "verdadero",
    "vero",
    "verdadeiro",
    "waar",
} | {"sant", "sand", "sann", "tosi", "prawda", "pravda", "igaz", "doğru", "истина"}
_FALSE_WORDS: Final = {
    "false",
    "no",
    "0",
    "n",
    "falsch",
    "faux",
    "falso",
    "onwaar",
    "falskt",
    "falsk",
} | {"usann", "epätosi", "fałsz", "nepravda", "hamis", "yanlış", "ложь"}
#: The code pages Excel saves a "CSV" in for the languages above whose words are not cp1252's
#: (Polish, Czech, Hungarian; Russian; Turkish): a report read as cp1252 holds them as other
#: letters ("ËÎÆÜ" for ЛОЖЬ), which are read back in these.
_CODE_PAGES: Final = ("cp1250", "cp1251", "cp1254")


def _word(text: str) -> str:
    """A word as the sets hold it: trimmed, case folded, Turkish dotless i as i (YANLIŞ
    casefolds to "yanliş")."""
    return text.strip().casefold().replace("ı", "i")


_TRUE: Final = frozenset(map(_word, _TRUE_WORDS))
_FALSE: Final = frozenset(map(_word, _FALSE_WORDS))


def _spellings(text: str) -> Iterator[str]:
    """``text``, then, when it is not ASCII, the words it is in the code pages Excel may have
    saved it in (:data:`_CODE_PAGES`), had it been read as cp1252 or latin-1."""
    yield text
    if text.isascii():
        return
    for read_as in ("cp1252", "latin-1"):
        try:
            data = text.encode(read_as)
        except UnicodeEncodeError:
            continue
        for page in _CODE_PAGES:
            try:
                yield data.decode(page)
            except UnicodeDecodeError:
                continue
        return


#: A whole number as a report holds it: digits, or a float's text from an Excel cell ("1001.0");
#: at most 15 digits, so that the float it passes through holds it exactly.
_WHOLE: Final = r"^\s*[0-9]{1,15}(?:\.0*)?\s*$"


# --- reading a run back -----------------------------------------------------------------------


def flag(cell: Any) -> bool | None:
    """True / False / None (not known) from a cell: a bool, or text such as 'True' or 'no'."""
    if cell is None or cell is pd.NA:
        return None
    if isinstance(cell, bool):
        return cell
    for spelling in _spellings(str(cell)):
        word = _word(spelling)
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    return None


SUMMARY: Final = "Summary"
SUMMARY_ROWS: Final = 60  # the settings are at the Summary's top
#: Where a result table read from an .xlsx report keeps the journal its Summary names
#: (``attrs["hubframe"]["report_journal"]``: ``{"path": ..., "report": file name}``); an undo
#: of the report uses it when it is that run's (:func:`hubframe.jobs.unlink._report_journal`).
REPORT_JOURNAL: Final = "report_journal"


#: Where a result table read from a journal keeps the positions of its rows whose run recorded
#: what its pairs held before it, but the journal holds no reading of theirs
#: (``attrs["hubframe"]["no_reading"]``): their undo's ``NOT_UNDOABLE`` says so, not that the
#: run did not record (:func:`no_reading`).
NO_READING: Final = "no_reading"


#: attrs key of a journal's frame: position -> why the row has nothing to take back (several
#: runs changed its pair, and their net change leaves it as before the first: ``report.net``).
NET_NONE: Final = "net_none"


#: attrs key of a journal's frame: the record pairs several of its runs changed
#: (:func:`hubframe.report.net.replayed`, :func:`net_replayed`).
NET_REPLAYED: Final = "net_replayed"


def net_replayed(table: pd.DataFrame) -> frozenset[tuple[str, ...]]:
    """The record pairs (:func:`hubframe.report.net.ends`) several of a journal's runs
    changed (:data:`NET_REPLAYED`): the journal's replay says what of them is the runs'.
    Empty for any other table."""
    meta = table.attrs.get("hubframe")
    found = meta.get(NET_REPLAYED) if isinstance(meta, Mapping) else None
    if not isinstance(found, list):
        return frozenset()
    return frozenset(tuple(str(v) for v in pair) for pair in found if isinstance(pair, list))


def net_none(table: pd.DataFrame) -> dict[int, str]:
    """The positions of a journal's rows with nothing to take back, and why
    (:data:`NET_NONE`); empty for any other table."""
    return _messages_in(table, NET_NONE)


#: attrs key of a journal's frame: position -> why the row is not undone (``NOT_UNDOABLE``):
#: several runs changed its pair's labels from both sides (``report.net``).
NET_REFUSED: Final = "net_refused"


def net_refused(table: pd.DataFrame) -> dict[int, str]:
    """The positions of a journal's rows not undone, and why (:data:`NET_REFUSED`); empty
    for any other table."""
    return _messages_in(table, NET_REFUSED)


def _messages_in(table: pd.DataFrame, key: str) -> dict[int, str]:
    meta = table.attrs.get("hubframe")
    found = meta.get(key) if isinstance(meta, Mapping) else None
    return {int(p): str(m) for p, m in found.items()} if isinstance(found, Mapping) else {}


def no_reading(table: pd.DataFrame) -> frozenset[int]:
    """The positions of a journal's rows whose pair has no reading in it though their run
    recorded readings (:data:`NO_READING`); empty for any other table."""
    return _positions_in(table, NO_READING)


#: Where a result table read from a journal keeps the positions of its rows that made a company
#: a record's primary whose run left no reading of the record's primary companies before it
#: (``attrs["hubframe"]["no_primary_reading"]``: an older hubframe's run, or a sync before it
#: read them): their ``primary_before`` cell is empty, and says nothing
#: (:func:`no_primary_reading`).
NO_PRIMARY_READING: Final = "no_primary_reading"


def no_primary_reading(table: pd.DataFrame) -> frozenset[int]:
    """The positions of a journal's rows that set a record's primary company whose run did not
    read the record's primary companies before it (:data:`NO_PRIMARY_READING`); empty for any
    other table."""
    return _positions_in(table, NO_PRIMARY_READING)


def _positions_in(table: pd.DataFrame, key: str) -> frozenset[int]:
    meta = table.attrs.get("hubframe")
    found = meta.get(key) if isinstance(meta, Mapping) else None
    return frozenset(int(p) for p in found) if isinstance(found, list) else frozenset()


def report_journal(table: pd.DataFrame) -> tuple[str, str] | None:
    """(path, report file name) of the journal an .xlsx report's Summary names, kept in a
    result table read from it (:data:`REPORT_JOURNAL`); None when it names none."""
    meta = table.attrs.get("hubframe")
    named = meta.get(REPORT_JOURNAL) if isinstance(meta, Mapping) else None
    if not isinstance(named, Mapping) or not named.get("path"):
        return None
    return str(named["path"]), str(named.get("report") or "the report")


def report_run(table: pd.DataFrame) -> int | None:
    """The run of the journal an .xlsx report's Summary names (its number there, as the run
    wrote it: ``journal run``); None when it names none (a report of an older hubframe, a
    dry run's) or the cell holds no whole number."""
    meta = table.attrs.get("hubframe")
    named = meta.get(REPORT_JOURNAL) if isinstance(meta, Mapping) else None
    run = named.get("run") if isinstance(named, Mapping) else None
    text = str(run).strip().removesuffix(".0") if run is not None else ""
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None


def report_read(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """A report's rows as its file holds them and what its Summary says (empty for a .csv
    report), read as an undo reads them: a workbook checked before the engine opens it (a
    hostile file named like a report is refused, not opened), a .csv in the encoding and
    delimiter it was saved in.  InputError when it cannot be read as one."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return _csv_report(path), {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HiddenReportRows)  # read to be kept, not undone
        table, said, _ = _results_sheets(path)
    return table, said


def _results_sheets(path: Path) -> tuple[pd.DataFrame, dict[str, str], Place]:
    """The Results sheet of an .xlsx report, and the sheets it goes on in past Excel's row
    limit ("Results (2)", ...), as one table; the settings its Summary keeps that an undo
    uses (:func:`_summary_settings`); and where each row is (its sheet and line).  The
    workbook is opened once for all of them."""
    # Checked as a sheet is (zip sizes, parts, sheet dimensions) before the engine opens it:
    # a damaged or hostile file named like a report must not take the process down.
    data = checked_workbook(path.read_bytes(), path.name, report_limits())
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
        names = set(book.sheet_names)
    except Exception as exc:  # calamine raises several error types for a file it cannot read
        raise InputError(f"{path.name}: the report cannot be read ({exc}).") from exc
    with book, _damaged(path.name):
        if RESULTS not in names:
            if EXPORT_SHEET in names:
                raise InputError(
                    _not_a_run(
                        path.name,
                        f"its sheet '{EXPORT_SHEET}' lists associations, as `hubframe export` "
                        "writes them",
                    )
                )
            raise InputError(_no_results(path.name, book))
        parts = [_results_part(book, RESULTS)]
        while (following := continued_title(RESULTS, len(parts) + 1)) in names:
            _check_full(path.name, continued_title(RESULTS, len(parts)), following, len(parts[-1]))
            parts.append(_results_part(book, following))
        titles = [continued_title(RESULTS, n) for n in range(1, len(parts) + 1)]
        said = _summary_settings(book.book) if SUMMARY in names else {}
    table = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    sizes = [(title, len(part)) for title, part in zip(titles, parts, strict=True)]
    _warn_hidden(path.name, data, titles)
    return table, said, report_lines(path.name, sizes)


def _may_hide(book: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet part may hide rows, read in blocks (a report's Results sheet may be
    hundreds of MB unzipped; it is read whole only when it may)."""
    tail = b""
    with book.open(part) as stream:
        while block := stream.read(1 << 24):
            if may_hide_rows(tail + block):
                return True
            tail = block[-256:]  # a mark cut between two blocks
    return False


class HiddenReportRows(HubframeWarning):
    """Rows of a report's Results sheet are hidden (filtered): read as every other row."""


def _warn_hidden(name: str, data: bytes, titles: Sequence[str]) -> None:
    """Warn (:class:`HiddenReportRows`) when the Results sheets hide rows: an analyst who
    filtered the report down to some rows may expect an undo to take back only those, and it
    takes back every row of the report (before: without a word)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        try:
            parts = sheet_parts(book, book.infolist())
        except Unreadable:
            return
        hidden: list[str] = []
        for part, title in parts.items():
            if title not in titles or part not in book.namelist():
                continue
            if not _may_hide(book, part):
                continue
            lines = sorted(hidden_rows(book.read(part)) - {1})
            if lines:
                shown = ", ".join(f"{n:,}" for n in lines[:5])
                more = f" and {len(lines) - 5:,} more" if len(lines) > 5 else ""
                hidden.append(f"sheet '{title}' lines {shown}{more}")
    if hidden:
        warnings.warn(
            f"{name}: rows of the report are hidden ({'; '.join(hidden)}: a filter?); they are "
            "read as every other row, and an undo takes them back too. To undo only some rows, "
            "delete the others from a copy of the report and undo that copy.",
            HiddenReportRows,
            stacklevel=4,
        )


def _no_results(name: str, book: pd.ExcelFile) -> str:
    """Why a workbook without a Results sheet is not read as a report, and what to do: a
    .csv report saved again as .xlsx (Excel names its one sheet after the file) is said so."""
    calamine: Any = book.book
    shaped = []
    for title in book.sheet_names:
        header = calamine.get_sheet_by_name(title).to_python(nrows=1)
        cells = {formula.unguard(str(c)).strip() for c in (header[0] if header else [])}
        if {"from_id", "to_id", "status"} <= cells:
            shaped.append(str(title))
    if not shaped:
        return f"{name}: no Results sheet; is it a hubframe report?"
    return (
        f"{name}: no Results sheet, but its sheet '{shaped[0]}' has a report's columns: a "
        ".csv report saved again as .xlsx? Only a report hubframe wrote as .xlsx is read from "
        "a workbook (its Results sheet). Undo from the .csv report as it was written, or from "
        "the run's journal, or save this sheet as CSV UTF-8 and undo from that. Nothing was "
        "undone."
    )


@contextmanager
def _damaged(name: str) -> Iterator[None]:
    """A sheet calamine cannot read (a cell pointing past the shared strings, XML cut short)
    is an InputError naming the report, not calamine's own error and a traceback: the
    workbook guard checks the file's parts and sizes, not every cell."""
    try:
        yield
    except HubframeError:
        raise
    except Exception as exc:  # calamine's CalamineError, and the errors of pandas' reader
        raise InputError(
            f"{name}: a sheet of the report cannot be read ({exc}); the file is damaged. "
            "Export the report again from the run, or undo from its journal."
        ) from exc


#: The columns of record ids (``primary_before``: company ids) whose number cells from Excel's
#: 15 digits up keep their float's text, which no id check takes.
_ID_CELLS: Final = ("from_id", "to_id", PRIMARY_BEFORE)


def _results_part(book: pd.ExcelFile, title: str) -> pd.DataFrame:
    """One sheet of a report's results as the text the run wrote, NaN where a cell is empty:
    converted a column at a time (:func:`~hubframe.report.sheet_cells.sheet_text`), else, for
    headers pandas names itself, by pandas' reader cell by cell, as below.

    Read with each cell's type: read as text (``dtype=str``), a record id the analyst made a
    number cell came back as all its digits, though Excel keeps 15 of them (a 17-digit id is
    another record's), and a label such as "N/A" or "None" came back empty (pandas' missing
    values).  An id cell holding a number from 10**15 up keeps its float text here, which the
    id check refuses (``primary_before``'s too: its company ids); only an empty cell is
    missing."""
    calamine: Any = book.book  # the engine's workbook: python-calamine's
    rows = calamine.get_sheet_by_name(title).to_python(skip_empty_area=False)
    found = sheet_text(rows, ids=_ID_CELLS, id_limit=EXCEL_LIMIT)
    if found is not None:  # converted column by column (pandas converts cell by cell)
        return found
    frame = pd.read_excel(
        book, sheet_name=title, dtype=object, keep_default_na=False, na_values=[""]
    )
    for column in [c for c in _ID_CELLS if c in frame]:
        frame[column] = frame[column].map(_rounded_id, na_action="ignore")
    return frame.where(frame.isna(), frame.astype(str))


def _rounded_id(cell: Any) -> Any:
    """A number cell past Excel's 15 digits as a float's text ('2.04e+16'): not an id."""
    number = isinstance(cell, int | float) and not isinstance(cell, bool)
    return repr(float(cell)) if number and abs(cell) >= EXCEL_LIMIT else cell


def _check_full(name: str, title: str, following: str, rows: int) -> None:
    """A report goes on in "Results (2)" only past a full sheet: a copy of Results that Excel
    named so (Move or Copy) is not more of the run."""
    if rows < excel.SHEET_ROWS - 1:
        raise InputError(
            f"{name}: has a sheet '{following}', but '{title}' holds {rows:,} rows, not a full "
            f"sheet's {excel.SHEET_ROWS - 1:,}: a report goes on in another sheet only past "
            f"Excel's row limit. If '{following}' is a copy, delete or rename it; if rows were "
            f"deleted from '{title}', export the report again. Nothing was undone."
        )


#: A report's Results sheet may fill Excel's rows with the result's columns and the analyst's:
#: its sheets are read up to 64 columns of full sheets, and 4 GiB unzipped (the guard still
#: refuses far-away cells, zip bombs and entity expansion).
REPORT_SHEET_CELLS: Final = SHEET_ROWS * 64
REPORT_UNZIPPED_BYTES: Final = 4 << 30


def report_limits() -> ReadLimits:
    """The read limits in force, raised to what a large report needs."""
    limits = read_limits_in_force()
    return replace(
        limits,
        max_sheet_cells=max(limits.max_sheet_cells, REPORT_SHEET_CELLS),
        max_unzipped_bytes=max(limits.max_unzipped_bytes, REPORT_UNZIPPED_BYTES),
    )


def _summary_settings(book: Any) -> dict[str, str]:
    """What a report's Summary sheet says of its run that an undo uses: the host it sent to
    (``BASE_URL_LABEL``), its portal's key (``PORTAL_LABEL``) and its journal's path
    (``JOURNAL``) and the run's number in it (``JOURNAL_RUN``), those it names."""
    wanted = {BASE_URL_LABEL, JOURNAL, JOURNAL_RUN, PORTAL_LABEL, KIND, JOB, COMMAND}
    said: dict[str, str] = {}
    for row in book.get_sheet_by_name(SUMMARY).to_python(nrows=SUMMARY_ROWS):
        label = str(row[0]).strip() if row else ""
        if len(row) >= 2 and label in wanted and label not in said:
            said[label] = str(row[1]).strip()
    return {label: text for label, text in said.items() if text}


def _csv_report(path: Path) -> pd.DataFrame:
    """A .csv report as text cells (None where empty), read in the encoding and with the
    delimiter it was saved in (Excel saves cp1252, UTF-16, or ``;``); its blank lines kept
    (undo leaves them alone), so that positions stay lines.  A line with more cells than the
    header, or a quote never closed, stops the read naming it: pandas took a line's extra
    cell for an index and shifted every cell of the file one column."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}).") from None
    text, delimiter = csv_text(data, path.name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise InputError(f"{path.name}: the report is empty; is it a hubframe report?")
        lines: list[tuple[int, list[str]]] = []
        start = reader.line_num + 1
        for cells in reader:
            lines.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            f"{path.name}: line {reader.line_num}: {exc}; the file is damaged (a quote "
            "never closed?). Export the report again, or correct the line."
        ) from None
    if reader.line_num > len(lines) + 1:  # a cell spans lines (each record is a line else)
        refuse_swallowed(path.name, [h.strip() for h in header], lines, delimiter)
    rows = [_report_cells(path.name, header, line, cells) for line, cells in lines]
    return pd.DataFrame(rows, columns=clean_headers(header), dtype=object)  # repeats: "x.1"


def _report_cells(name: str, header: list[str], line: int, cells: list[str]) -> list[str | None]:
    """One line of a CSV report as cells, None where empty; refused when it holds cells past
    the header's."""
    extra = [c for c in cells[len(header) :] if c.strip()]
    if extra:
        raise InputError(
            f"{name}: line {line} has {len(cells)} cells and the header {len(header)} "
            f"({extra[0]!r} past the last column); every cell would move a column. Remove "
            "it or give it a header, then try again."
        )
    out: list[str | None] = [c if c != "" else None for c in cells[: len(header)]]
    return out + [None] * (len(header) - len(out))


def _report_frame(path: Path) -> pd.DataFrame:
    """The Results sheet of an .xlsx report, or a .csv report, as a result table."""
    said: dict[str, str] = {}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table, said, lines = _results_sheets(path)
    else:
        lines = report_lines(path.name)  # a CSV report has no Summary
        table = _csv_report(path)
        table.columns = pd.Index([formula.unguard(str(c)) for c in table.columns], dtype=object)
        table = table.apply(lambda column: column.map(formula.unguard, na_action="ignore"))
    if UNDO in (said.get(JOB), said.get(COMMAND)):
        raise InputError(undo_of_undo(path.name))
    missing = [c for c in ("from_type", "from_id", "to_type", "to_id", "status") if c not in table]
    if missing:
        _refuse_other_report(path.name, table, said.get(KIND), missing)
        raise InputError(
            f"{path.name}: not a hubframe associate report (no {', '.join(missing)} column)."
        )
    _refuse_lost_labels(table, path.name)
    table = table.astype(object).where(table.notna(), None)
    if "row" in table:  # where the row came from: shown, never acted on
        table["row"] = _whole_numbers(table["row"]).astype("Int64")
    if "type_id" in table:
        table["type_id"] = type_ids(table["type_id"], lines)
    table = records_acted_on(run_words(table, lines), lines)
    originals = [str(c) for c in table.columns if c not in _RUN_COLUMNS]
    info: dict[str, Any] = {"kind": "pairs", "source": path.name, "original_columns": originals}
    info |= read_from_attrs(path)
    if BASE_URL_LABEL in said or PORTAL_LABEL in said:  # either is checked without the other
        info[SENT_TO] = {
            "host": said.get(BASE_URL_LABEL),
            "portal": said.get(PORTAL_LABEL),
            "report": path.name,
        }
    if JOURNAL in said:
        info[REPORT_JOURNAL] = {
            "path": said[JOURNAL],
            "report": path.name,
            "run": said.get(JOURNAL_RUN),
        }
    table.attrs["hubframe"] = info
    check_report_ids(table, path.name, _RUN_COLUMNS)
    return table


#: The columns a run's table has of its own (the rest are its sheet's).
_RUN_COLUMNS: Final = frozenset(
    {"sheet", "row", *PAIR_COLUMNS, *STATUS_COLUMNS, *EXISTING_COLUMNS, *SYNC_COLUMNS}
    | {PRIMARY_BEFORE}
)


def _refuse_lost_labels(table: pd.DataFrame, name: str) -> None:
    """A run table without its label column whose sheet's own label column (found by its
    header: "Association label") names labels: every row would be taken for a plain link -- a
    label the run added kept, reported ``skipped`` as if left out of the undo, exit 0."""
    if "label" in table.columns:
        return
    header = own_columns(table, name, _RUN_COLUMNS).get("label")
    headers = [header] if header is not None else []
    if any(table[h].astype("string").str.strip().fillna("").ne("").any() for h in headers):
        raise InputError(_no_label_column(name))


def _no_label_column(name: str) -> str:
    """Why a run without its label column is not undone."""
    return (
        f"{name}: it has no label column (deleted?): without it every row would be taken back "
        "as a link without a label, the labels the run added left in place. Put the column "
        "back, or undo from the run's journal (hubframe undo JOURNAL: the file the run was "
        "given with --journal). Nothing was removed."
    )


#: How a report's Summary labels the kind of its run ("pairs", "limits", "labels", ...).
KIND: Final = "kind"
#: How a command line report's Summary names its command; and the job an undo's is.
COMMAND: Final = "command"
UNDO: Final = "undo"


def undo_of_undo(name: str) -> str:
    """Why an undo's own result (its table, its report) is not undone."""
    return (
        f"{name} is the result of an undo: undo takes back a run's changes, not an undo's, so "
        "nothing was done. To make the run's changes again, run its sheet again with the same "
        "command (associate or sync); its rows the undo left (failed, NOT_UNDOABLE) are in "
        "it."
    )


def _refuse_other_report(
    name: str, table: pd.DataFrame, kind: str | None, missing: list[str]
) -> None:
    """Refuse, saying what it is, a report of a run undo cannot take back (limits, labels) or a
    list of associations (an export's): each is the InputError of a whole-run refusal.  Before,
    all were "not a hubframe associate report (no from_id, to_id column)", which did not say
    that a limits run cannot be undone.  Nothing is said for other tables (the caller's error)."""
    columns = set(map(str, table.columns))
    actions = table["action"] if "action" in table else pd.Series(dtype=object)
    limit_actions = {str(a) for a in Action if a.is_limit}
    if (
        kind == "limits"
        or "max_to_object_ids" in columns
        or bool(actions.astype("string").str.strip().str.lower().isin(limit_actions).any())
    ):
        raise InputError(_limits_report(name, table))
    if kind == "labels" or {"change", "inverse_label"} <= columns:
        raise InputError(
            f"{name} is the report of a labels run (`hubframe labels`): hubframe cannot undo "
            "label changes, so nothing was undone. A label it created stays in HubSpot until "
            "it is deleted there (HubSpot's association settings); one it renamed can be "
            "renamed back with `hubframe labels --rename` and a sheet giving its type id and "
            "the old name."
        )
    if missing == ["status"]:
        raise InputError(
            _not_a_run(name, "it lists associations, as `hubframe export` or a sheet of pairs do")
        )


def _limits_report(name: str, table: pd.DataFrame) -> str:
    """Why the report of a limits run is not undone, and where its limits before are."""
    said = (
        f"{name} is the report of a limits run (`hubframe limits`): hubframe cannot undo "
        "limits changes, so nothing was undone."
    )
    status = table["status"] if "status" in table else pd.Series(dtype=object)
    changed = int(status.astype("string").str.strip().str.lower().eq(Status.SUCCESS).sum())
    before = "current_max" in table.columns
    if not changed:
        then = "; its current_max column shows the limits as they were then" if before else ""
        return f"{said} No row of it changed a limit (a dry run, or none succeeded){then}."
    rows = f"{changed} row{'s' if changed != 1 else ''}"
    if before:
        return (
            f"{said} Its {rows} with status success changed a limit (max_to_object_ids is the "
            "new one, current_max the one before): set them back with `hubframe limits` and a "
            "sheet of the current_max values."
        )
    return (
        f"{said} Its {rows} with status success changed a limit (max_to_object_ids is the new "
        f"one); a limits report does not keep the limits before the run: {_LIMITS_BACK}."
    )


def _not_a_run(name: str, what: str) -> str:
    """The refusal of a file that lists associations but records no run (no status)."""
    return (
        f"{name}: not the report of a run: {what}, with no status column; it records no "
        "change, so there is nothing to undo. To take a run back, undo the report its "
        "--report wrote, or its journal; to remove the associations a sheet lists on purpose, "
        "use `hubframe remove` (with --dry-run first)."
    )


def _whole_numbers(column: pd.Series) -> pd.Series:
    """Whole numbers (float64, NaN where empty or not one) from cells of any kind."""
    if pd.api.types.is_integer_dtype(column.dtype):
        return column.astype("float64")
    if pd.api.types.is_float_dtype(column.dtype):
        numbers = column.astype("float64")
        exact = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (numbers.abs() < 10**15)
        return numbers.where(exact)
    cells = column.astype(object)
    text = cells.where(~cells.map(lambda c: isinstance(c, bool)), None).astype("string")
    whole = text.str.fullmatch(_WHOLE).fillna(False).astype(bool)
    digits = text.where(whole).str.strip().str.split(".").str[0]
    return pd.to_numeric(digits, errors="coerce").astype("float64")


#: Where a row of a result table is, for a message: its position -> "report.xlsx: line 12".
Place = Callable[[int], str]


def report_lines(name: str, parts: Sequence[tuple[str, int]] = ()) -> Place:
    """Lines of a report file: the position's line in its sheet (the header is line 1), and
    the sheet when the table goes on in several (``parts``: each sheet's title and rows)."""
    if len(parts) < 2:
        return lambda at: f"{name}: line {at + 2}"
    starts = np.cumsum([0, *(rows for _, rows in parts)])

    def place(at: int) -> str:
        part = int(np.searchsorted(starts, at, side="right")) - 1
        return f"{name}: sheet '{parts[part][0]}' line {at - int(starts[part]) + 2}"

    return place


def _positions(at: int) -> str:
    return f"the result table's row at position {at}"


def type_ids(column: pd.Series, place: Place = _positions) -> pd.Series:
    """A run's type ids as Int64 (NA where empty); a cell that is not a whole number (text, a
    fraction, a number past int64) raises InputError naming it (at ``place``): undo acts on
    these numbers, so none is guessed or cut."""
    numbers = _whole_numbers(column)
    cells = column.astype(object)
    empty = cells.map(lambda c: c is None or c is pd.NA or (isinstance(c, float) and c != c))
    empty |= cells.map(lambda c: isinstance(c, str) and not c.strip())
    bad = np.flatnonzero((~empty & numbers.isna()).to_numpy(dtype=bool))
    if len(bad):
        at = int(bad[0])
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise InputError(
            f"{place(at)}: type_id {cells.iloc[at]!r} is not an association type id "
            f"(a whole number such as 1001){more}; correct it or leave it empty."
        )
    return pd.Series(pd.array(numbers.to_numpy(), dtype="Int64"), index=column.index)


_STATUSES: Final = ", ".join(s.value for s in Status)


def run_words(table: pd.DataFrame, place: Place = _positions) -> pd.DataFrame:
    """The run's ``status``, ``action`` and ``error_code`` as hubframe writes them: a cell
    retyped with capitals or spaces around (``Success``, ``associate ``) is the word it
    spells, so an applied row is never left in the portal as one the run "did not create".
    A status that is none of hubframe's, and an action that is none on a row undo acts on,
    raise InputError naming it (at ``place``): whether the run applied such a row is not
    known, so none is guessed."""
    out = table.copy(deep=False)  # its columns are replaced, never written into
    bare = without_attrs(table)
    words = {c: _words(bare[c]) for c in ("status", "action", "error_code") if c in out}
    if "error_code" in words:
        codes = words["error_code"].str.upper().astype(object)
        out["error_code"] = codes.where(codes.notna(), None)
    statuses = {str(s) for s in Status}
    if "status" in words:
        found = words["status"].str.lower()
        bad = np.flatnonzero((found.notna() & ~found.isin(statuses)).to_numpy(dtype=bool))
        if len(bad):
            at = int(bad[0])
            raise InputError(
                f"{place(at)}: status {out['status'].iloc[at]!r} is not a status hubframe "
                f"writes ({_STATUSES}); undo acts only on what the run wrote, so none is "
                "guessed: correct it as the run wrote it (or delete the row to leave it as "
                "it is)."
            )
        out["status"] = found.astype(object).where(found.notna(), None)
    if "action" in words:
        found = words["action"].str.lower()
        out["action"] = found.astype(object).where(found.notna(), None)
        acted = acted_on(out)
        actions = {str(a) for a in Action}
        bad = np.flatnonzero(acted & (found.notna() & ~found.isin(actions)).to_numpy(dtype=bool))
        if len(bad):
            at = int(bad[0])
            raise InputError(
                f"{place(at)}: action {table['action'].iloc[at]!r} is not an action hubframe "
                "writes (associate, associate_default, archive); undo acts only on what the "
                "run wrote, so none is guessed: correct it as the run wrote it (or delete the "
                "row to leave it as it is)."
            )
    return out


def _words(column: pd.Series) -> pd.Series:
    """A column's cells as trimmed text, NA where empty (column-wise: a result table of
    millions of rows is read in a moment)."""
    found = column.astype(pd.StringDtype("pyarrow")).str.strip()
    return found.mask(found == "")


#: The journal's last run when a table was read from it (:meth:`Journal.last_run`).
JOURNAL_LAST_RUN: Final = "journal_last_run"


def _journal_frame(journal: Journal) -> pd.DataFrame:
    """The association rows a journal's runs created and removed, as a result table: of a
    record pair several runs changed, the rows that take back their net change
    (:mod:`hubframe.report.net`)."""
    steps = journal.history()
    netted = net_rows(journal.created(), steps)
    backs = _back_readings(journal, [row for row, _ in netted])
    rows: list[JournalRow] = []
    notes: dict[int, str] = {}
    refused: dict[int, str] = {}
    for row, note in netted:
        if note is not None:
            (refused if note.refused else notes)[len(rows)] = note.message
            rows.append(row)
        else:
            rows += _each_type(row)
    backward = [b for row, note in netted if note is None for b in _one_way_back(row, backs)]
    rows += _new_rows(rows, backward)
    frame = pd.DataFrame(
        {
            "sheet": [journal.path.name] * len(rows),
            "row": list(range(1, len(rows) + 1)),
            "from_type": [r.from_type for r in rows],
            "from_id": [r.from_id for r in rows],
            "to_type": [r.to_type for r in rows],
            "to_id": [r.to_id for r in rows],
            "label": [None] * len(rows),
            "category": [r.category for r in rows],
            "type_id": pd.array([r.type_id for r in rows], dtype="Int64"),
            "action": [str(r.action) for r in rows],
            "status": [str(Status.FAILED if r.maybe else Status.SUCCESS) for r in rows],
            "error_code": [ErrorCode.UNKNOWN_OUTCOME.value if r.maybe else None for r in rows],
            "existed_before": [_existed(r) for r in rows],
            "linked_before": [None if r.before is None else bool(r.before) for r in rows],
            PRIMARY_BEFORE: pd.array([_primary(r) for r in rows], dtype="string"),
        }
    )
    _say_not_undone(journal, bool(rows))
    meta: dict[str, Any] = {"kind": "pairs", "source": journal.path.name, "original_columns": []}
    meta[NO_READING] = [n for n, r in enumerate(rows) if r.before is None and r.recorded]
    meta[NO_PRIMARY_READING] = [n for n, r in enumerate(rows) if not r.primary_read]
    meta[NET_NONE] = notes
    meta[NET_REFUSED] = refused
    meta[NET_REPLAYED] = replayed(steps)
    meta |= read_from_attrs(journal.path)
    meta[JOURNAL_LAST_RUN] = journal.last_run()
    key = journal.portal()
    if key is not None:  # undo checks the portal, and ends the journal's runs
        meta[PORTAL_KEY] = {"journal": str(journal.path), **asdict(key)}
    frame.attrs["hubframe"] = meta
    return frame


class NotUndone(HubframeWarning):
    """An undo from a journal leaves something it records as it is: its limits runs' changes
    (hubframe cannot undo limits), or nothing of its association runs is left to take back."""


#: How a limits row's action reads in a message.
_LIMIT_WORDS: Final = {
    Action.CREATE_LIMIT: "set",
    Action.UPDATE_LIMIT: "changed",
    Action.PURGE_LIMIT: "removed",
}
#: Where the limits before a limits run are, and how to set them back.
_LIMITS_BACK: Final = (
    "set them back with `hubframe limits` and a sheet of the old values (the current_max "
    "column of a dry run's report made before the run shows them)"
)


def _limits_held(holds: JournalHolds) -> str | None:
    """The limits rows a journal's runs sent, in words ("6 limits rows: 3 set, 2 changed, 1
    removed"); None when it holds none."""
    counts = {a: holds.batch_rows.get(str(a), 0) for a in _LIMIT_WORDS}
    total = sum(counts.values())
    if not total:
        return None
    parts = ", ".join(f"{n} {_LIMIT_WORDS[a]}" for a, n in counts.items() if n)
    return f"{total} limits row{'s' if total != 1 else ''} sent: {parts}"


def _say_not_undone(journal: Journal, rows: bool) -> None:
    """Say what an undo from ``journal`` leaves: its limits runs' changes (warned beside rows
    to take back; refused, InputError, when they are all it holds), or nothing to take back
    (refused when the journal records no change at all, else warned: an earlier undo took
    its rows back, or none was applied).  Before, such an undo said "total 0", exit 0, with
    the limits it had changed still in place."""
    holds = journal.holds()
    limits = _limits_held(holds)
    name = journal.path.name
    cannot = (
        "hubframe cannot undo limits changes, and a journal does not keep the limits before "
        "a run: " + _LIMITS_BACK
    )
    if rows:
        if limits is not None:
            warnings.warn(
                f"{name}: its limits runs ({limits}) are not undone: {cannot}.",
                NotUndone,
                stacklevel=4,
            )
        return
    if holds.sent_rows and holds.taken_back:
        left = "an earlier undo took back every association its runs applied"
    elif holds.sent_rows:
        left = "none of the association rows its runs sent was applied (they failed)"
    else:
        left = None
    if limits is not None:
        held = f"of its association runs, {left}; and it records" if left else "it records only"
        raise InputError(f"{name}: nothing was undone: {held} limits runs ({limits}): {cannot}.")
    if left is None and not holds.runs:
        raise InputError(
            f"{name}: nothing to undo: no run has used this journal (is it the run's journal? "
            "a run given --journal records its batches in it)."
        )
    if left is None:  # its runs sent nothing (a sync with nothing to change, say)
        left = "its runs sent nothing"
    warnings.warn(f"{name}: nothing left to undo: {left}.", NotUndone, stacklevel=4)


def _each_type(row: JournalRow) -> list[JournalRow]:
    """A removal of a whole pair (``archive``: every type it held goes) as one removal per
    type the pair held before the first run, so that an undo creates each again (its label
    too, not only the pair's link); any other row as it is."""
    if row.action != Action.ARCHIVE or not row.before:
        return [row]
    return [
        replace(row, action=str(Action.ARCHIVE_LABELS), category=None, type_id=type_id)
        for type_id in sorted(row.before)
    ]


def _back_readings(
    journal: Journal, rows: list[JournalRow]
) -> dict[tuple[str, str], dict[RecordPair, frozenset[int]]]:
    """The journal's readings of the other direction of the object pairs whose removals
    take a primary only that direction lists (contacts -> leads: the lead's 578)."""
    pairs = {
        (r.to_type, r.from_type)
        for r in rows
        if r.action == Action.ARCHIVE and one_way_types(ObjectPair(r.from_type, r.to_type))
    }
    return {pair: journal.existing(*pair) for pair in pairs}


def _new_rows(rows: list[JournalRow], more: list[JournalRow]) -> list[JournalRow]:
    """The rows of ``more`` that ``rows`` does not hold already (the other direction's
    removal of the same label, by a row of that direction)."""
    seen = {_row_key(r) for r in rows}
    out: list[JournalRow] = []
    for row in more:
        if _row_key(row) not in seen:
            seen.add(_row_key(row))
            out.append(row)
    return out


def _row_key(row: JournalRow) -> tuple[object, ...]:
    return (row.action, row.from_type, row.to_type, row.from_id, row.to_id, row.type_id)


def _one_way_back(
    row: JournalRow, backs: Mapping[tuple[str, str], Mapping[RecordPair, frozenset[int]]]
) -> list[JournalRow]:
    """A removal of a whole pair whose other direction held a primary only it lists (a
    lead's Primary contact, 578, removed with the contact -> lead pair): one removal of that
    label in that direction, so that an undo creates it again."""
    if row.action != Action.ARCHIVE:
        return []
    reading = backs.get((row.to_type, row.from_type), {}).get(RecordPair(row.to_id, row.from_id))
    held = one_way_types(ObjectPair(row.from_type, row.to_type)) & (reading or frozenset())
    return [
        replace(
            row,
            action=str(Action.ARCHIVE_LABELS),
            from_type=row.to_type,
            to_type=row.from_type,
            from_id=row.to_id,
            to_id=row.from_id,
            category=HUBSPOT_DEFINED,
            type_id=type_id,
            before=reading,
        )
        for type_id in sorted(held)
    ]


def _primary(row: JournalRow) -> str | None:
    """The ``primary_before`` cell of a journal's row: the companies its run's readings found
    holding the record's primary, for a row making a company its primary; else empty (also
    when its run did not read them: :data:`NO_PRIMARY_READING`)."""
    if row.primary_before is None or not row.primary_read:
        return None
    return primary_cell(row.primary_before)


def _existed(row: JournalRow) -> bool | None:
    if row.before is None:
        return None
    if row.type_id is None:  # the default association: there if the records were linked
        return bool(row.before)
    return row.type_id in row.before


def acted_on(table: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows an undo takes back: those the run applied, or may have (UNKNOWN_OUTCOME)."""
    table = without_attrs(table)
    status = table["status"].astype("string").str.strip()
    codes = table["error_code"] if "error_code" in table else pd.Series(None, index=table.index)
    unknown = (status == Status.FAILED) & (codes.astype("string") == ErrorCode.UNKNOWN_OUTCOME)
    return ((status == Status.SUCCESS) | unknown).fillna(False).to_numpy(dtype=bool)


def records_acted_on(table: pd.DataFrame, place: Place = _positions) -> pd.DataFrame:
    """The record ids, object types and categories of the rows an undo acts on, as the run
    wrote them: an id re-saved as Excel writes it (``3000000002.0``, a number cell, spaces
    around) is its digits again; one that is not an id (``3.00E+09``, ``3,000,000,002``,
    empty) raises InputError naming it (at ``place``), as does an object type hubframe does
    not know: undo acts on these values, so none is guessed, and a row is never left in the
    portal because its id was re-formatted.  A category retyped (``user defined``) is the one
    HubSpot spells (:func:`_categories`)."""
    rows = np.flatnonzero(acted_on(table))
    if len(rows) == 0:
        return table
    out = table.copy()
    for column in [c for c in ("from_id", "to_id") if c in out]:
        cells = out[column].to_numpy(dtype=object, copy=True)
        texts = cells_to_text(cells[rows])  # text cells as they are: no call a cell
        fine = canonical_ids(as_text(texts))
        for at in rows[~fine].tolist():
            cells[at] = _record_id(cells[at], f"{place(at)}: {column}")
        cells[rows[fine]] = texts[fine]
        out[column] = pd.Series(cells, index=out.index, dtype=object)
    for column in [c for c in ("from_type", "to_type") if c in out]:
        cells = out[column].to_numpy(dtype=object, copy=True)
        named: dict[Any, str | None] = {}
        for at in rows.tolist():
            cell = cells[at]
            if cell not in named:
                found = canonical_object_type(cell)
                named[cell] = found if found is not None and is_valid_object_type(found) else None
            if named[cell] is None:
                raise InputError(
                    f"{place(at)}: {column} {cell!r} is not an object type hubframe "
                    "knows (contacts, deals, 0-3, 2-1234, ...); correct it as the run wrote it."
                )
            cells[at] = named[cell]
        out[column] = pd.Series(cells, index=out.index, dtype=object)
    if "category" in out:
        out["category"] = _categories(out["category"], rows)
    return out


def _categories(column: pd.Series, rows: npt.NDArray[np.intp]) -> pd.Series:
    """The category cells of ``rows`` as HubSpot spells a category they name ('user defined'
    -> USER_DEFINED), the others as they are (undo then takes the category from the portal,
    by the type id): a category retyped by hand is the one the run sent, for the removal
    and for what the journal keeps of it."""
    cells = column.to_numpy(dtype=object, copy=True)
    named: dict[Any, Any] = {}
    for at in rows.tolist():
        cell = cells[at]
        if isinstance(cell, str):
            if cell not in named:
                found = canonical_category(cell)
                named[cell] = found if found in CATEGORIES else cell
            cells[at] = named[cell]
    return pd.Series(cells, index=column.index, dtype=object)


def _record_id(cell: Any, where: str) -> str:
    """A record id cell as its digits, or InputError saying what it is instead."""
    text = one_cell_text(cell)
    found = clean_id(text)
    digits = found is not None and found.isascii() and found.isdigit()
    if digits and found != "0" and len(str(found)) <= MAX_ID_DIGITS:
        return str(found)
    said = describe_number(text) if text.strip() else "is empty"
    raise InputError(
        f"{where} {text!r} {said}; undo removes only what the run wrote, so no id is guessed: "
        "correct it as the run wrote it (or delete the row to leave it as it is)."
    )


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}).") from None


#: How a journal's file is named (a report is .xlsx or .csv).
JOURNAL_SUFFIXES: Final = frozenset({".sqlite", ".sqlite3", ".db", ".db3"})
_HEADER: Final = 100  # a SQLite file's header


def _sqlite_pages(header: bytes, size: int) -> bool:
    """Whether a file whose first bytes are ``header`` (and of ``size`` bytes) is laid out as a
    SQLite database, its first bytes aside: the page size of its header (a power of two from
    512 to 65536, written 1 for 65536) divides the size, and the payload fractions are the
    64, 32, 32 every SQLite file has."""
    if len(header) < _HEADER or header[:2] == b"PK" or header[21:24] != b"\x40\x20\x20":
        return False
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    return 512 <= page <= 65536 and page & (page - 1) == 0 and size % page == 0


def _refuse_damaged_journal(path: Path) -> None:
    """A file named like a journal (.sqlite, .db, ...) or laid out as one that does not start
    as SQLite does is a damaged journal: InputError saying so.  Before, it was read as a CSV
    report and the analyst told to save it again as 'CSV UTF-8' (or, empty, "the report is
    empty")."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(_HEADER)
    except OSError:
        return  # the report's read says why
    named = path.suffix.lower() in JOURNAL_SUFFIXES
    instead = "Undo from the run's report instead (the file its --report wrote)."
    if named and size == 0:
        raise InputError(
            f"{path.name}: not a readable hubframe journal: the file is empty (0 bytes), and a "
            f"journal never is (damaged, or it was never written); nothing was undone. {instead}"
        )
    if named or _sqlite_pages(header, size):
        said = "is named like a journal" if named else "has a SQLite database's page layout"
        raise InputError(
            f"{path.name}: not a readable hubframe journal: it {said}, but does not start "
            f"as a SQLite database does (damaged?); nothing was undone. {instead}"
        )


def journal_read_only(path: Path) -> str | None:
    """Why the journal at ``path`` cannot be written, in an analyst's words (None: it can):
    its file system is mounted read-only, the file is read-only, or its folder cannot be
    written and SQLite's log files beside it (``-wal``, ``-shm``) are not there to reuse.
    Told by ``os.access``, which asks as the user runs: root may write a file marked
    read-only, and is told so, except on a read-only file system."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except (OSError, AttributeError):  # no statvfs (Windows): the checks below
        pass
    if not os.access(path, os.W_OK):
        return "the file is read-only (permission denied)"
    logs = [path.with_name(path.name + end) for end in ("-wal", "-shm")]
    if not os.access(path.parent, os.W_OK | os.X_OK) and not all(
        log.is_file() and os.access(log, os.W_OK) for log in logs
    ):
        return f"its folder {path.parent} is read-only (permission denied)"
    return None


def _refuse_read_only_journal(path: Path) -> None:
    """An undo from a journal writes to it (it ends the journal's runs and keeps what it took
    back): a read-only one is refused, saying so.  Before, SQLite's "cannot use it as a
    journal (unable to open database file)"."""
    why = journal_read_only(path)
    if why is not None:
        raise InputError(
            f"journal {path}: cannot be written ({why}); an undo from a journal ends its runs "
            "and keeps in it what it took back, so it must write it. Make it writable, or undo "
            "from the run's .xlsx report (which goes on without the journal, warned)."
        )


#: The columns of a result table an undo reads.
_READ: Final = frozenset(
    {"from_type", "to_type", "from_id", "to_id", "type_id", "category", "label", "status"}
    | {"action", "error_code", "sheet", "row", "batch"}
)


def load_run(run: RunArg) -> pd.DataFrame:
    """A run's result table from a DataFrame, a report (.xlsx / .csv) or a journal (SQLite)."""
    if isinstance(run, pd.DataFrame):
        if "status" not in run.columns:
            raise InputError("not a hubframe result table: it has no 'status' column")
        refuse_repeated_columns(run)
        refuse_odd_meta(run, "the result table")
        table = plain_cells(run.reset_index(drop=True), _READ)
        for column in [c for c in ("from_id", "to_id", "type_id") if c in table]:  # float32
            refuse_rounded(
                table[column], column, "the result table", first=0, row="row at position"
            )
        check_report_ids(
            run, "the result table", _RUN_COLUMNS
        )  # after the float32 ids' own refusal
        _refuse_lost_labels(run, "the result table")
        if "type_id" in table and not pd.api.types.is_integer_dtype(table["type_id"].dtype):
            table["type_id"] = type_ids(table["type_id"])
        return records_acted_on(run_words(table))
    if isinstance(run, Journal):
        return _journal_frame(run)
    path = as_path(run)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the run's report or journal in it.")
    refuse_unreadable_file(path, path.name)
    if _is_sqlite(path):
        _refuse_read_only_journal(path)
        try:
            with Journal(path) as journal:
                return _journal_frame(journal)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path.name}: not a hubframe journal ({exc}).") from None
    _refuse_damaged_journal(path)
    return _report_frame(path)


__all__ = [
    "JOURNAL_LAST_RUN",
    "NET_NONE",
    "NET_REFUSED",
    "NET_REPLAYED",
    "NO_PRIMARY_READING",
    "NO_READING",
    "REPORT_JOURNAL",
    "HiddenReportRows",
    "RunArg",
    "acted_on",
    "flag",
    "journal_read_only",
    "load_run",
    "net_none",
    "net_refused",
    "net_replayed",
    "no_primary_reading",
    "no_reading",
    "report_journal",
    "report_limits",
    "report_read",
    "report_run",
    "undo_of_undo",
]
