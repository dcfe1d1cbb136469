"""Reading analyst sheets: ``read_pairs``, ``read_limits`` and ``sheet_headers``.

A source (:mod:`hubframe.io.sources`) is turned into one or more raw sheets (CSV:
:mod:`hubframe.io.csv`, Excel: :mod:`hubframe.io.excel`, DataFrames: :mod:`hubframe.io.sheet`),
then each raw sheet into the normalized frame: blank rows dropped and ``;`` cells split
(:mod:`hubframe.io.rows`), cells normalized (:mod:`hubframe.io.normalize`), every original
column kept, and what was read noted in ``attrs["hubframe"]``.  The frame wraps the Arrow
columns without copying them.  Whole-file problems raise :class:`~hubframe.errors.InputError`
naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubframe.argtypes import flag
from hubframe.constants import (
    HEADER_TYPE_COLUMNS,
    LITERAL_LABEL_COLUMN,
    LITERAL_LABELS,
    NO_TARGETS_COLUMN,
    RESERVED_COLUMNS,
)
from hubframe.errors import InputError, SourceError
from hubframe.io.aliases import (
    ACTION_REMOVE,
    KEEP_HEADERS,
    KEEP_NO,
    REMOVE_YES,
    Kind,
    Side,
    fields_for,
    header_key,
)
from hubframe.io.arguments import check_arguments, check_named_columns
from hubframe.io.blocks import check_second_header
from hubframe.io.bounds import ReadLimits, read_limits_in_force
from hubframe.io.cells import clean_headers, filled
from hubframe.io.columns import (
    ColumnMapping,
    TypeGuess,
    check_empty_labels,
    check_remove_column,
    check_unread_columns,
    is_association_column,
)
from hubframe.io.hidden import HIDDEN_ROW
from hubframe.io.normalize import (
    canonical_category,
    canonical_ids,
    canonical_object_type,
    id_text,
    is_valid_object_type,
    label_text,
    purge_flags,
    shows_nothing,
    whole_numbers,
)
from hubframe.io.notes import choice_attrs, sheet_guess_attrs, warn_empty_rows, warn_left_out
from hubframe.io.rivals import check_rival_columns
from hubframe.io.rows import (
    ID_COLUMNS,
    check_reordered_header,
    drop_blank,
    explode,
    split_labels,
)
from hubframe.io.sheet import RawSheet, Request, frame_sheet, row_headers, sheet_where
from hubframe.io.sheet_errors import error_mask
from hubframe.io.sources import (
    EXCEL_EXTENSIONS,
    Loaded,
    SheetArg,
    Source,
    head_bytes,
    is_workbook,
    load_source,
    read_from_attrs,
    reading,
    refuse_non_sheet,
    sheet_argument,
)
from hubframe.io.syntax import Syntax, SyntaxName, syntax_of
from hubframe.io.tables import SUM_ROW, TOTALS_ROW
from hubframe.io.text import (
    PARALLEL_ROWS,
    TEXT,
    BoolArray,
    Text,
    arrow_text_dtype,
    chunked,
    clean_text,
    constant_text,
    distinct,
    empty_mask,
    map_text,
    run_all,
    to_series,
    trimmed_text,
)
from hubframe.terminal import shown

if TYPE_CHECKING:  # the Excel and CSV readers load with the first file of their kind
    from pathlib import Path

    from hubframe.io.excel import SheetInfo

RESERVED: Final = frozenset(RESERVED_COLUMNS)
RAW_PREFIX: Final = "_raw_"  # private columns: the text of cells that did not parse
EXTRA_CELLS: Final = RAW_PREFIX + "extra_cells"  # CSV cells beyond the header's width


# --- sources to raw sheets ------------------------------------------------------------------------


def raw_sheets(loaded: Loaded, sheet: SheetArg, request: Request) -> list[RawSheet]:
    """The raw sheets of ``sheet`` that ``request`` reads (a workbook's, a CSV's one, a
    DataFrame's); a sheet named for a source of one table is refused (:func:`_one_table`)."""
    if loaded.frame is not None:
        _one_table(loaded, sheet, "a DataFrame", request.syntax)
        return [frame_sheet(loaded.frame, request)]
    if is_workbook(loaded):
        from hubframe.io.excel import excel_sheets, workbook_checked  # only for a workbook

        return excel_sheets(workbook_checked(loaded, request.limits), sheet, request)
    refuse_non_sheet(loaded)
    if loaded.extension in EXCEL_EXTENSIONS:
        raise SourceError(f"{loaded.name}: {_not_a_workbook(head_bytes(loaded, 4096))}")
    _one_table(loaded, sheet, "a CSV or text file", request.syntax)
    from hubframe.io.csv import csv_sheet  # only for a text file

    return [csv_sheet(loaded, request)]


def _not_a_workbook(head: bytes) -> str:
    """Why a file named as a workbook is none, from its first bytes: a web page (what some
    tools export as "Excel"), text (a CSV saved under an Excel name), or neither."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return (
            "this is not an Excel workbook but a web page or XML file with an Excel name (as "
            "some tools export 'Excel' files). Open it in Excel and save it as .xlsx "
            "(Excel Workbook)."
        )
    if _is_text(head):
        return (
            "this is not an Excel workbook but a text file (CSV or tab-separated) with an "
            "Excel name. Rename it to .csv to read it as text, or open it in Excel and save "
            "it as .xlsx."
        )
    return (
        "this is not an Excel workbook (the file is damaged or has the wrong extension). "
        "Open it in Excel and save it again as .xlsx."
    )


def _is_text(head: bytes) -> bool:
    """True when ``head`` decodes as text (UTF-16 with its byte order mark, as Excel's
    "Unicode text" saves; else UTF-8 or Windows-1252, as its CSVs) holding no control
    characters but tabs and line ends (a binary file holds some in its first bytes)."""
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:  # a character cut at the sample's end, or cp1252
            cut = exc.start >= len(head) - 3
            text = head.decode("utf-8" if cut else "cp1252", "replace")
    return not any(ord(c) < 32 and c not in "\t\r\n" for c in text)


def _one_table(loaded: Loaded, sheet: SheetArg, what: str, words: Syntax) -> None:
    """A sheet named for a source of one table (a CSV file, a DataFrame) is refused: the
    caller meant a workbook's sheet, and reading this file instead would send other rows."""
    if sheet is None or str(sheet).strip() in ("*", "0", "-1"):
        return
    raise InputError(
        f"{loaded.name}: the sheet {sheet!r} was asked for ({words.named('sheet')}), but this "
        f"is {what}, which holds one table and no sheets; leave the sheet out, or give the "
        "workbook that has it."
    )


# --- raw sheets to the normalized frame ---------------------------------------------------------


def _type_column(raw: RawSheet, side: Literal["from", "to"], given: str | None) -> Text:
    cells = raw.cells(f"{side}_type")
    fallback = given or raw.mapping.implied_types.get(side)
    if cells is None:
        return constant_text(fallback, raw.size)
    types = map_text(cells, canonical_object_type)
    return types.fill_null(fallback) if fallback and types.null_count else types


def _text_column(
    raw: RawSheet, canonical: str, func: Callable[[Text], Text], default: str | None = None
) -> Text:
    cells = raw.cells(canonical)
    if cells is None:
        return constant_text(default, raw.size)
    values = func(cells)
    return values.fill_null(default) if default and values.null_count else values


def _label_job(raw: RawSheet, request: Request) -> Callable[[], Text]:
    """The label column.  With ``label=`` for every row of a pairs sheet, every row is the
    argument as given: its cells agree with it (:func:`check_arguments` stopped the read
    otherwise), yet one differing in case may name another label in a portal holding both
    ("Champion" and "champion"): it is sent as the argument's, never as another label."""
    if request.kind == "pairs" and request.label:
        return partial(constant_text, request.label, raw.size)
    return partial(_text_column, raw, "label", label_text, request.label)


def _whole_column(raw: RawSheet, canonical: str) -> tuple[pd.arrays.IntegerArray, Text | None]:
    cells = raw.cells(canonical)
    if cells is None:
        n = raw.size
        return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)), None
    return whole_numbers(cells)


def _normalized(raw: RawSheet, request: Request) -> dict[str, Any]:
    """The canonical columns (Arrow text, Int64 arrays, bool arrays) and private raw text.

    The columns are independent; on large sheets they are computed on a few threads (Arrow
    and numpy release the GIL).
    """
    pairs = request.kind == "pairs"
    whole = ["type_id"] if pairs else ["type_id", "max_to_object_ids"]
    jobs: dict[str, Callable[[], Any]] = {
        "from_type": partial(_type_column, raw, "from", request.from_type),
        "from_id": partial(_text_column, raw, "from_id", _id_cells(raw, request, "from")),
        "to_type": partial(_type_column, raw, "to", request.to_type),
        "to_id": partial(_text_column, raw, "to_id", _id_cells(raw, request, "to")),
        "label": _label_job(raw, request),
        "category": partial(
            _text_column, raw, "category", partial(map_text, func=canonical_category)
        ),
        **{canonical: partial(_whole_column, raw, canonical) for canonical in whole},
    }
    if not pairs:
        del jobs["from_id"], jobs["to_id"]
        jobs["remove"] = partial(_purge_column, raw)
    out = run_all(jobs, threads=raw.size >= PARALLEL_ROWS)
    private: dict[str, Any] = {}
    for canonical in whole:
        out[canonical], bad = out[canonical]
        if bad is not None and bad.null_count < len(bad):
            private[RAW_PREFIX + canonical] = bad
    literal = _literal_label_mask(raw, out["label"])
    if literal is not None:
        private[LITERAL_LABEL_COLUMN] = literal
    for side in ("from", "to") if pairs else ():
        conflicts = _header_conflicts(raw, side, out[f"{side}_type"])
        if conflicts is not None:
            private[HEADER_TYPE_COLUMNS[f"{side}_type"]] = conflicts
    if pairs and out["to_id"].null_count and _exports_associations(raw):
        private[NO_TARGETS_COLUMN] = np.asarray(out["to_id"].is_null().to_numpy(), dtype=bool)
    return out | private


def _literal_label_mask(raw: RawSheet, labels: Text) -> BoolArray | None:
    """Rows whose label is "=..." or an error's text the sheet holds as text (see
    RawSheet.literal_labels);
    None when there are none."""
    if not raw.literal_labels:
        return None
    held = np.isin(raw.rows, np.fromiter(raw.literal_labels, dtype=np.int64))
    starts = pc.starts_with(labels, "=").fill_null(False)
    starting = np.asarray(starts.to_numpy(zero_copy_only=False), dtype=bool)
    mask = held & (starting | error_mask(labels))
    return mask if mask.any() else None


def _header_conflicts(raw: RawSheet, side: Literal["from", "to"], types: Text) -> Text | None:
    """The type an id column's name gives ("Contact ID": contacts) on the rows whose type cell
    names another object ("companies"), null elsewhere; None when no row does.  The cell's
    type is the row's; validate refuses the row, since its id may be another record's."""
    named = raw.mapping.implied_types.get(side)
    if named is None or side in raw.mapping.guessed_types or raw.cells(f"{side}_type") is None:
        return None
    others = [v for v in distinct(types) if v and v != named and is_valid_object_type(v)]
    if not others:
        return None
    differs = pc.is_in(types, value_set=pa.array(others, type=TEXT))
    return chunked(pc.if_else(differs, pa.scalar(named, type=TEXT), pa.scalar(None, type=TEXT)))


def _exports_associations(raw: RawSheet) -> bool:
    """True when the to ids come from an export's association column ("Associated Contact
    IDs"), where an empty cell means the record has none: no targets, not a missing value."""
    header = raw.mapping.columns.get("to_id")
    return header is not None and is_association_column(header)


def _id_cells(raw: RawSheet, request: Request, side: str) -> Callable[[Text], Text]:
    """Record ids become canonical digits; unique property values (emails...) stay as written."""
    return trimmed_text if side in request.properties(raw.mapping) else id_text


def _purge_column(raw: RawSheet) -> BoolArray:
    cells = raw.cells("max_to_object_ids")
    assert cells is not None
    return purge_flags(cells)


def _series(values: Any) -> pd.Series:
    if isinstance(values, pa.ChunkedArray):
        return to_series(values)
    return pd.Series(values, copy=False)


def _study(raw: RawSheet) -> None:
    """Compute the column facts the steps below need (canonical ids, distinct values) side by
    side; they are remembered on the columns, so the steps find them ready."""
    jobs: dict[str, Callable[[], Any]] = {}
    for canonical in ID_COLUMNS:
        if (cells := raw.cells(canonical)) is not None:
            jobs[canonical] = partial(canonical_ids, cells)
    for canonical in ("from_type", "to_type", "category"):
        if (cells := raw.cells(canonical)) is not None:
            jobs[canonical] = partial(distinct, cells)
    run_all(jobs, threads=raw.size >= PARALLEL_ROWS)


def _first_yes(raw: RawSheet, at: int) -> str | None:
    """The sheet row (its :meth:`~hubframe.io.sheet.RawSheet.row_name`) of the first cell
    of the column at ``at`` that asks for a removal ("yes", "x") whose limit cell does not say
    ``remove`` already."""
    return _first_asking(raw, _said(raw.columns[at], REMOVE_YES))


def _first_marked(raw: RawSheet, exempt: frozenset[str], at: int) -> str | None:
    """The same for a column of the analyst's own that marks rows in other words
    (:func:`marked_rows`); None for a report's own ``change`` and ``action`` columns
    (``exempt``: :func:`report_own`)."""
    header = raw.headers[at]
    if header in exempt:
        return None
    marks = marked_rows(header, raw.columns[at])
    return None if marks is None else _first_asking(raw, marks)


def marked_rows(header: str, cells: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """Which cells of a column of the analyst's own ask their row's removal when the column
    marks rows in words: a "Keep" column's "no", or a removal's word (:data:`ACTION_REMOVE`)
    in a column of a few words (:data:`_FEW_WORDS`), some asking for a removal and some not
    ("remove" beside "keep", "Don't remove", "retain", or empty cells).  None for any other
    column, and for one asking every row's removal."""
    if header_key(header).removesuffix("yn") in KEEP_HEADERS:
        return _said(cells, KEEP_NO)
    if len(distinct(cells[:1000])) > _FEW_WORDS + 1 or not _marks_rows(distinct(cells)):
        return None
    keys = pc.replace_substring_regex(pc.utf8_lower(cells), pattern="[^0-9a-z]", replacement="")
    return pc.is_in(keys, value_set=pa.array(sorted(ACTION_REMOVE)))


#: At most so many words (and the empty cell) in a column marking rows: more is text.
_FEW_WORDS: Final = 20
#: The columns every hubframe result table has, read back as a sheet (any case, an analyst's
#: kept under "... (original)"), and those of them saying what the run did.
_REPORT_COLUMNS: Final = frozenset({"status", "error_code", "error_message"})
_RUN_DID: Final = frozenset({"change", "action"})
_KEPT: Final = re.compile(r" \(original(?: [0-9]+)?\)$")


def report_own(headers: list[str]) -> frozenset[str]:
    """A hubframe report's or result table's own ``change`` and ``action`` columns (none for
    another sheet): they say what its run did, and a job refuses its removals in the run's
    words (:mod:`hubframe.run.rows`); a column the analyst added to it is looked at as any."""
    names = {h: _KEPT.sub("", str(h)).strip().casefold() for h in headers}
    if not set(names.values()) >= _REPORT_COLUMNS:
        return frozenset()
    return frozenset(h for h, name in names.items() if name in _RUN_DID)


def _marks_rows(values: list[str | None]) -> bool:
    """Whether a column's distinct ``values`` are a few words (:data:`_FEW_WORDS`), some
    asking for a removal and some not (another word, or empty)."""
    keys = {header_key(v) for v in values if v is not None and v.strip()}
    empty = any(v is None or not v.strip() for v in values)
    asks = keys & ACTION_REMOVE
    return bool(asks) and len(keys) <= _FEW_WORDS and (len(keys) > len(asks) or empty)


def _said(cells: pa.Array | pa.ChunkedArray, words: Collection[str]) -> pa.Array:
    """Which cells say one of ``words`` (trimmed of spaces and of ``.!?``, in lower case)."""
    folded = pc.utf8_trim(pc.utf8_lower(pc.utf8_trim_whitespace(cells)), characters=" .!?")
    return pc.is_in(folded, value_set=pa.array(sorted(words)))


def _first_asking(raw: RawSheet, asks_array: pa.Array | pa.ChunkedArray) -> str | None:
    """The sheet row of the first cell ``asks_array`` marks whose limit cell does not say
    ``remove`` already."""
    asks = pc.fill_null(asks_array, False).to_numpy(zero_copy_only=False)
    limits = raw.cells("max_to_object_ids")
    removed = purge_flags(limits) if limits is not None else np.zeros(raw.size, dtype=bool)
    hits = np.flatnonzero(np.asarray(asks, dtype=bool) & ~np.asarray(removed, dtype=bool))
    return raw.row_name(raw.rows[hits[0]]) if len(hits) else None


def column_values(raw: RawSheet, header: str) -> list[str]:
    """The distinct cells of a column, trimmed, the empty ones left out."""
    cells = distinct(raw.columns[raw.headers.index(header)])
    return list(dict.fromkeys(t for c in cells if (t := clean_text(c)) is not None))


def _check_sheet(raw: RawSheet, request: Request) -> None:
    """A label column empty beside labels named otherwise, columns not read whose names say
    they hold what hubframe reads (io.columns) or whose cells contradict the column read for
    the same thing (io.rivals), and cells that contradict an argument given for every row
    (io.arguments)."""
    if not raw.size:
        return
    where = sheet_where(raw, request)
    check_reordered_header(raw, request)
    check_second_header(raw, request)
    check_arguments(raw, request, where)
    check_named_columns(raw, request, where)
    says_so = partial(_first_marked, raw, report_own(raw.headers))
    check_remove_column(
        raw.headers, raw.mapping, (partial(_first_yes, raw), says_so), where, request.kind
    )
    given: dict[Side, str | None] = {"from": request.from_type, "to": request.to_type}
    check_unread_columns(
        raw.headers,
        raw.mapping,
        request.kind,
        partial(column_values, raw),
        given,
        where,
        request.syntax,
    )
    check_rival_columns(raw, request, where)
    if request.label is not None:
        return

    def holds_cells(header: str) -> bool:
        return not empty_mask(raw.columns[raw.headers.index(header)]).all()

    check_empty_labels(raw.headers, raw.mapping, holds_cells, where, request.syntax)


def original_name(header: str, taken: set[str]) -> str:
    """The name an analyst's column named like one of hubframe's is kept under: "status
    (original)", or "status (original 2)", ... when the sheet has a column of that name too
    (before, one column took the other's place: its cells were lost).  Added to ``taken``."""
    name, n = f"{header} (original)", 1
    while name in taken:
        n += 1
        name = f"{header} (original {n})"
    taken.add(name)
    return name


def own_columns(
    raw: RawSheet,
    read: Collection[str],
    taken: set[str],
    reserved: Collection[str] = RESERVED,
) -> tuple[dict[str, pd.Series], list[str], dict[str, str]]:
    """The analyst's columns of ``raw`` as a read keeps them: each header's cells as text
    (an empty cell ``""``), but a header spelled as a field the read holds (in ``read``: it
    keeps its cleaned cells); a header named like one of hubframe's columns (``reserved``,
    or ``_raw_...``) kept as ``<name> (original)``, a name not in ``taken`` (added to it).
    Returns the columns added, every column's name in sheet order (the read's
    ``original_columns``) and the header as written for the names that differ from it."""
    columns: dict[str, pd.Series] = {}
    originals: list[str] = []
    written: dict[str, str] = {}
    text_dtype = arrow_text_dtype()  # once, not per column
    for position, header in enumerate(raw.headers):
        name = header
        if header not in read:  # (a header spelled as the field keeps its cleaned cells)
            # a private column's name (``_raw_...``) too: the steps after the read take it
            # for what the reader found (an analyst's ``_raw_extra_cells`` refused its rows)
            owned = header in reserved or header.startswith(RAW_PREFIX)
            name = original_name(header, taken) if owned else header
            columns[name] = to_series(filled(raw.columns[position]), dtype=text_dtype)
        originals.append(name)
        if name != header or header in raw.written:
            written[name] = raw.written.get(header, header)
    return columns, originals, written


def _sheet_frame(raw: RawSheet, request: Request) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The sheet's frame, its original columns (frame names, in sheet order) and the header
    as written for the names that differ from it."""
    _study(raw)
    raw = drop_blank(raw)
    if request.kind == "pairs":
        raw = explode(raw, request)
    if request.kind in ("pairs", "limits"):
        raw = split_labels(raw)
    _check_sheet(raw, request)
    normalized = _normalized(raw, request)
    columns: dict[str, pd.Series] = {
        "sheet": to_series(constant_text(raw.name, raw.size)),
        "row": pd.Series(raw.rows, dtype=np.int64, copy=False),
    }
    private = {k: v for k, v in normalized.items() if k.startswith(RAW_PREFIX)}
    columns.update({k: _series(v) for k, v in normalized.items() if k not in private})
    own, originals, written = own_columns(raw, normalized, {*raw.headers, *columns})
    columns.update(own)
    columns.update({k: _series(v) for k, v in private.items()})
    if raw.extra is not None and raw.extra.null_count < len(raw.extra):
        columns[EXTRA_CELLS] = to_series(raw.extra)
    if raw.hidden:
        hidden = np.isin(raw.rows, np.fromiter(raw.hidden, dtype=np.int64))
        if hidden.any():
            columns[HIDDEN_ROW] = pd.Series(hidden, copy=False)
    if raw.totals:
        tables = pd.Series(raw.rows).map(raw.totals)
        if tables.notna().any():
            columns[TOTALS_ROW] = tables.astype(object)
    if raw.sums:
        sums = pd.Series(raw.rows).map(raw.sums)
        if sums.notna().any():
            columns[SUM_ROW] = sums.astype(object)
    return pd.DataFrame(columns, copy=False), originals, written


def _read(
    kind: Kind,
    source: Source,
    *,
    sheet: SheetArg,
    columns: Mapping[str, str] | None,
    from_type: str | None,
    to_type: str | None,
    label: str | None = None,
    id_properties: Mapping[str, str | None] | None = None,
    limits: ReadLimits | None = None,
    syntax: Syntax,
) -> pd.DataFrame:
    _check_arguments(columns, label, limits)
    _check_texts(
        from_type=from_type,
        to_type=to_type,
        **{f"{side}_id_property": given for side, given in (id_properties or {}).items()},
    )
    sheet = sheet_argument(sheet)
    loaded = load_source(source)
    if loaded.frame is not None and is_read_frame(loaded.frame, kind):
        from hubframe.io.conform import conformed

        found = conformed(loaded.frame, kind)
        return found.copy() if found is loaded.frame else found
    request = Request(
        kind,
        loaded.name,
        columns,
        type_argument(from_type, "from_type", loaded.name, syntax),
        type_argument(to_type, "to_type", loaded.name, syntax),
        clean_text(label) if label is not None else None,
        syntax=syntax,
        id_properties={k: str(v).strip() for k, v in (id_properties or {}).items() if v},
        limits=limits or read_limits_in_force(),
    )
    sheets = _Sheets(loaded.name, request)
    with reading(loaded.name):
        for raw in raw_sheets(loaded, sheet, request):
            sheets.add(raw)
    result = _combine(sheets.parts, kind)
    if loaded.frame is not None:
        result.index = source_index(loaded.frame, result["row"])
        warn_empty_rows(loaded.frame, result["row"])
    info = sheets.attrs(kind, loaded.path) | _literal_rows(result)
    if kind == "pairs":
        info |= _scope_entry(request, loaded.frame)
    result.attrs["hubframe"] = info
    warn_left_out(result)
    return result


def _literal_rows(frame: pd.DataFrame) -> dict[str, list[list[Any]]]:
    """The read's note of the rows whose label cell it read as text that reads like a formula
    or an error (:data:`~hubframe.constants.LITERAL_LABELS`); every other such cell was a
    formula without its value or an error cell, and a retry file writes it back as one."""
    if LITERAL_LABEL_COLUMN not in frame.columns:
        return {LITERAL_LABELS: []}
    marked = frame[LITERAL_LABEL_COLUMN].astype("boolean").fillna(False).to_numpy(dtype=bool)
    rows = frame.loc[marked]
    sheets = rows["sheet"].astype(object).where(rows["sheet"].notna(), "")
    pairs = zip(sheets.tolist(), rows["row"].tolist(), strict=True)
    return {LITERAL_LABELS: [[str(sheet), int(row)] for sheet, row in pairs]}


@dataclass
class _Sheets:
    """What the sheets of one read gave, gathered sheet by sheet: their frames and the notes
    the read's ``attrs["hubframe"]`` keeps (:meth:`attrs`)."""

    source: str
    request: Request
    parts: list[pd.DataFrame] = field(default_factory=list)
    # the columns in order (a list's `in`: 16,000 columns took 4 s)
    originals: dict[str, None] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    column_map: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    first: tuple[str, dict[str, str]] | None = None  # the first sheet and how it names records
    # sheet -> side -> the type inferred
    guesses: dict[str, dict[str, TypeGuess]] = field(default_factory=dict)
    merged: dict[str, list[str]] = field(default_factory=dict)
    hidden_columns: dict[str, list[str]] = field(default_factory=dict)
    sheet_columns: dict[str, list[str]] = field(default_factory=dict)
    sheet_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> its own map

    def add(self, raw: RawSheet) -> None:
        """Read one sheet: its frame, and what it says of its columns and records."""
        if raw.merged:
            self.merged[raw.name] = list(raw.merged)
        if raw.hidden_columns:
            self.hidden_columns[raw.name] = list(raw.hidden_columns)
        frame, names, as_written = _sheet_frame(raw, self.request)
        self.parts.append(frame)
        self.sheet_columns[raw.name] = list(names)
        self.originals.update(dict.fromkeys(names))
        self.written.update(as_written)
        self.column_map.update(raw.mapping.column_map)
        self.sheet_maps[raw.name] = dict(raw.mapping.column_map)
        _marks_agree(self.source, raw.mapping, self.request)
        named = self.request.properties(raw.mapping)
        self.first = self.first or (raw.name, named)
        _same_properties(self.source, self.first, (raw.name, named))
        self.properties.update(named)
        if raw.mapping.guessed_types:
            self.guesses[raw.name] = {str(k): v for k, v in raw.mapping.guessed_types.items()}

    def attrs(self, kind: Kind, path: Path | None) -> dict[str, Any]:
        """The read's ``attrs["hubframe"]`` (but its export scope): the source, the columns as
        read and mapped, and each sheet's own when there were several."""
        info: dict[str, Any] = {
            "kind": kind,
            "source": self.source,
            "original_columns": list(self.originals),
            "column_map": self.column_map,
        }
        if self.written:
            info["written_headers"] = self.written
        if self.merged:
            info["merged_cells"] = self.merged
        if self.hidden_columns:
            info["hidden_columns"] = self.hidden_columns
        several = len(self.sheet_columns) > 1
        if several:  # each sheet's own columns: its retry sheet has them alone
            info["sheet_columns"] = self.sheet_columns
            info["sheet_column_maps"] = self.sheet_maps  # column_map is their union
        info |= choice_attrs(self.request.choice) | sheet_guess_attrs(self.guesses, several)
        info |= read_from_attrs(path)
        if self.properties and kind == "pairs":
            info["id_properties"] = self.properties
        return info


def _scope_entry(request: Request, frame: pd.DataFrame | None) -> dict[str, Any]:
    """The ``export_scope`` entry of a read (:mod:`hubframe.io.scope`): the scope sheet of a
    workbook, or the entry of a frame read (an export's frame, edited or not)."""
    from hubframe.io.scope import export_scope, scope_attrs

    found = request.export_scope
    if found is None and frame is not None:
        found = export_scope(frame.attrs.get("hubframe"))
    return {} if found is None else scope_attrs(found)


def _marks_agree(source: str, mapping: ColumnMapping, request: Request) -> None:
    """A side's property argument and the property its id column's header mark names (a retry
    file's "Contact ID [id property: code]") are one: the argument would otherwise look the
    column's values up by another property than they are values of."""
    for side, marked in mapping.marked.items():
        given = request.id_properties.get(side)
        if given is None or given == marked:
            continue
        header = mapping.columns[f"{side}_id"]
        option = request.syntax.named(f"{side}_id_property")
        raise InputError(
            f"{source}: the column {shown(header)} says its cells are values of "
            f"{shown(marked)}, and {option} says {shown(given)}. Give the property the column "
            "holds, or none (the mark says it)."
        )


def _same_properties(
    source: str, first: tuple[str, dict[str, str]], sheet: tuple[str, dict[str, str]]
) -> None:
    """Sheets read together name records the same way: the property a side's values are
    looked up by (an email, a domain) is the frame's, so a sheet naming that side by record
    id would have its ids looked up as emails."""
    (name, said), (other, says) = first, sheet
    for side in ("from", "to"):
        if said.get(side) != says.get(side):

            def how(prop: str | None) -> str:
                return f"by {prop}" if prop else "by record id"

            raise InputError(
                f"{source}: sheet '{name}' names the {side} records {how(said.get(side))} and "
                f"sheet '{other}' {how(says.get(side))}; sheets read together must name them "
                "the same way. Read the sheets one at a time (name each with sheet=...)."
            )


def source_index(frame: pd.DataFrame, rows: pd.Series) -> pd.Index:
    """The index label in ``frame`` (a DataFrame read) of each row read from it: the frame's
    rows are numbered as a sheet's (its first row is row 2), and a cell of several ids gives
    its label to each of its rows, as ``DataFrame.explode`` does.  A result table then lines up
    with the frame it came from (``frame["status"] = result["status"]``), whatever its index."""
    positions = rows.to_numpy(dtype=np.int64) - 2
    if isinstance(frame.index, pd.RangeIndex) and np.array_equal(
        positions, np.arange(len(frame), dtype=np.int64)
    ):
        return frame.index
    return frame.index.take(positions)


def _combine(parts: list[pd.DataFrame], kind: Kind) -> pd.DataFrame:
    if len(parts) == 1:
        return parts[0]  # built in this order, original cells already "" when empty
    result = pd.concat(parts, ignore_index=True)
    head = ["sheet", "row", *fields_for(kind), *(["remove"] if kind == "limits" else [])]
    rest = [c for c in result.columns if c not in head and not str(c).startswith(RAW_PREFIX)]
    private = [c for c in result.columns if str(c).startswith(RAW_PREFIX)]
    result = result[head + rest + private]
    for column in rest + private:
        if result[column].isna().any() and not column.startswith(RAW_PREFIX):
            result[column] = result[column].fillna("")
    if NO_TARGETS_COLUMN in result.columns:  # sheets without it: False
        result[NO_TARGETS_COLUMN] = result[NO_TARGETS_COLUMN].astype("boolean").fillna(False)
        result[NO_TARGETS_COLUMN] = result[NO_TARGETS_COLUMN].astype(bool)
    result["row"] = result["row"].astype(np.int64)
    return result.reset_index(drop=True)


def _check_arguments(columns: object, label: object, limits: object) -> None:
    """Arguments of another kind are refused by name: a label given as a number was left out,
    and every row linked without it."""
    if columns is not None and not isinstance(columns, Mapping):
        raise InputError(
            "columns= maps the sheet's headers to hubframe's columns, such as "
            f"{{'My header': 'from_id'}}, not {shown(columns)}"
        )
    missing = label is None or label is pd.NA or (isinstance(label, float) and label != label)
    if not missing and not isinstance(label, str):
        raise InputError(
            f"label= takes a label's name as text, not {shown(label)} (a type id goes in a "
            "Type ID column)"
        )
    if isinstance(label, str) and _blank(label):
        raise InputError(
            f"label= is empty ({label!r}): give a label's name, or label=None to use the "
            "sheet's label column (or no label)"
        )
    if limits is not None and not isinstance(limits, ReadLimits):
        raise InputError(f"limits= takes a hubframe.ReadLimits, not {shown(limits)}")


def _check_texts(**given: object) -> None:
    """Object types and id properties are text (or None): another value is refused by name
    (one without a text, or an int too long to print, failed with Python's own error)."""
    for name, value in given.items():
        if value is not None and not isinstance(value, str):
            raise InputError(f'{name}= takes text, such as "contacts", not {shown(value)}')
        if isinstance(value, str) and _blank(value):
            raise InputError(f"{name}= is empty ({value!r}): give a value, or None")


def _blank(text: str) -> bool:
    """Text that is empty or spaces only: an empty ``label=`` or ``to_id_property=`` was read
    as not given (a variable not set in a notebook, ``--label "$L"`` on the command line), and
    the rows linked unlabeled, removed whole, or their emails read as record ids."""
    return clean_text(text) is None or shows_nothing(text)


def is_read_frame(frame: pd.DataFrame, kind: Kind) -> bool:
    """``frame`` was read by :func:`read_pairs` (``kind="pairs"``) or :func:`read_limits`; see
    :func:`hubframe.io.conform.conformed` for what is checked before it is taken as it is.

    Its ``attrs`` say so; a frame without them that has every column the reader gives (``sheet``,
    ``row``, the fields) is one too: ``pd.concat`` of frames read from two files drops their
    ``attrs`` (they differ), and reading the joined frame again as a sheet found two columns for
    every field read (``label`` and ``Label``)."""
    info = frame.attrs.get("hubframe")
    if isinstance(info, Mapping):
        return info.get("kind") == kind
    wanted = {"sheet", "row", *fields_for(kind), *(["remove"] if kind == "limits" else [])}
    return wanted <= set(frame.columns)


def type_argument(value: str | None, name: str, source: str, syntax: Syntax) -> str | None:
    """A ``from_type`` / ``to_type`` argument (an option on the command line) in its
    canonical spelling; InputError naming it as typed when it names no object type."""
    if value is None:
        return None
    canonical = canonical_object_type(value)
    if canonical is None or not is_valid_object_type(canonical):
        raise InputError(
            f"{source}: {syntax.option(name, str(value))} is not an object type HubSpot knows. "
            "Use a name such as contacts, companies, deals or tickets, or a custom object id "
            "like 2-1234."
        )
    return canonical


# --- public -------------------------------------------------------------------------------------


def sheet_headers(
    source: Source,
    *,
    sheet: SheetArg = None,
    kind: Kind = "pairs",
    limits: ReadLimits | None = None,
    syntax: SyntaxName = "python",
) -> list[str]:
    """The header row the readers would use (found below any title block), as they name it.

    For a column-mapping UI: unlike :func:`read_pairs` it does not require the columns to be
    recognised.  ``sheet=None`` and ``sheet="*"`` give the headers of the first visible sheet
    whose header row is recognised (else of the first visible sheet).  Unreadable files raise
    :class:`InputError` as the readers do.
    """
    loaded = load_source(source)
    with reading(loaded.name):
        return _headers_of(loaded, sheet, kind, limits, syntax_of(syntax))


def _headers_of(
    loaded: Loaded, sheet: SheetArg, kind: Kind, limits: ReadLimits | None, syntax: Syntax
) -> list[str]:
    request = Request(kind, loaded.name, None, None, None, syntax=syntax)
    request.limits = limits or read_limits_in_force()
    return headers_found(loaded, sheet, request)


def headers_found(loaded: Loaded, sheet: SheetArg, request: Request) -> list[str]:
    """The headers ``request``'s read takes from the sheet (:func:`sheet_headers`): the letters
    of a row of data it reads without a header (:meth:`Request.headerless`)."""
    if loaded.frame is not None:
        return clean_headers([str(c) for c in loaded.frame.columns])
    if is_workbook(loaded):
        from hubframe.io.excel import header_grid, workbook_checked

        grid, index = header_grid(workbook_checked(loaded, request.limits), sheet, request)
        return row_headers(grid.cells[index], request, grid.first_col)[0] if index >= 0 else []
    refuse_non_sheet(loaded)
    from hubframe.io.csv import csv_format

    return csv_format(loaded, request).headers


def sheet_list(source: Source, *, limits: ReadLimits | None = None) -> list[SheetInfo]:
    """A workbook's sheets in order, with their 0-based positions and whether each is hidden
    ([] for a CSV or text file or a DataFrame), for sheet pickers."""
    loaded = load_source(source)
    if not is_workbook(loaded):
        return []
    from hubframe.io.excel import Workbook, workbook_checked

    with reading(loaded.name):
        return Workbook(
            workbook_checked(loaded, limits or read_limits_in_force()), loaded.name
        ).sheets


def read_pairs(
    source: Source,
    *,
    sheet: SheetArg = None,
    columns: Mapping[str, str] | None = None,
    from_type: str | None = None,
    to_type: str | None = None,
    label: str | None = None,
    from_id_property: str | None = None,
    to_id_property: str | None = None,
    limits: ReadLimits | None = None,
    syntax: SyntaxName = "python",
) -> pd.DataFrame:
    """Read a sheet of record pairs to associate.

    Returns ``sheet``, ``row``, ``from_type``, ``from_id``, ``to_type``, ``to_id``, ``label``,
    ``category``, ``type_id`` (Int64), then the sheet's original columns as text.  A cell of
    several ``;``-separated ids becomes several rows with the same ``sheet`` and ``row``.
    ``from_id_property="email"`` (or a header such as "Contact email") says a side names its
    records by a unique property instead of record ids: the values are kept as written and
    noted in ``attrs["hubframe"]["id_properties"]``; ``associate`` looks them up
    (:mod:`hubframe.run.lookup`).  Raises :class:`~hubframe.errors.InputError` for whole-file
    problems, including files beyond ``limits`` (:class:`hubframe.io.ReadLimits`; the
    process-wide ones by default): sheets too large, zip bombs, rows of too many cells.

    ``sheet``: a workbook's sheet by name or 0-based position (hidden sheets count), ``"*"``
    for every visible sheet with recognised columns, None (default) for the first of them
    (:mod:`hubframe.io.excel`).  HubSpot's own exports read as they come
    (:mod:`hubframe.io.exports`): the from type may be inferred from the file name, and a
    record whose association cell is empty is kept and marked (``_raw_no_targets``, validated
    as a ``NO_TARGETS`` warning).  What was chosen or inferred is noted in
    ``attrs["hubframe"]`` (:func:`hubframe.io.read_notes`).  ``syntax="cli"`` words messages
    for the command line (``--from deals`` rather than ``from_type="deals"``).
    """
    return _read(
        "pairs",
        source,
        sheet=sheet,
        columns=columns,
        from_type=from_type,
        to_type=to_type,
        label=label,
        id_properties={"from": from_id_property, "to": to_id_property},
        limits=limits,
        syntax=syntax_of(syntax),
    )


def read_limits(
    source: Source,
    *,
    sheet: SheetArg = None,
    columns: Mapping[str, str] | None = None,
    from_type: str | None = None,
    to_type: str | None = None,
    limits: ReadLimits | None = None,
    syntax: SyntaxName = "python",
    remove_blank: bool = False,
) -> pd.DataFrame:
    """Read a sheet of association limits.

    Returns ``sheet``, ``row``, ``from_type``, ``to_type``, ``label``, ``category``,
    ``type_id`` (Int64), ``max_to_object_ids`` (Int64), ``remove`` (bool: the cell says
    ``remove``, ``remove limit`` or ``no limit``, any case: the limit is removed), then the
    sheet's original columns as text.  An empty limit cell removes nothing: validation reports
    it as a ``BLANK_LIMIT`` warning and the row is not sent; ``remove_blank=True`` makes empty
    cells remove their limit instead.  ``sheet`` and ``syntax`` as for :func:`read_pairs`.
    """
    remove_blank = flag("remove_blank", remove_blank)
    frame = _read(
        "limits",
        source,
        sheet=sheet,
        columns=columns,
        from_type=from_type,
        to_type=to_type,
        limits=limits,
        syntax=syntax_of(syntax),
    )
    return _blank_removes(frame) if remove_blank else frame


#: Fields whose cell in the sheet says which limit a row is about.
_WHICH_LIMIT: Final = ("from_type", "to_type", "label", "category", "type_id")


def _blank_removes(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty limit cells remove their limit (``read_limits(remove_blank=True)``), on rows that
    say in the sheet which limit (a type, label, category or type id cell filled in).  A row
    holding only the analyst's own notes (``,,see above``) with the types given as arguments
    was read as "remove the deals -> contacts limit"; it is an empty limit now (BLANK_LIMIT,
    not sent), as it is without ``remove_blank``."""
    raw = frame.get(RAW_PREFIX + "max_to_object_ids")
    blank = frame["max_to_object_ids"].isna()
    if raw is not None:
        blank &= raw.isna()
    column_map = (frame.attrs.get("hubframe") or {}).get("column_map") or {}
    headers = [h for h, f in column_map.items() if f in _WHICH_LIMIT and h in frame.columns]
    said = np.zeros(len(frame), dtype=bool)
    for header in headers:
        cells = frame[header].astype("string").str.strip()
        said |= (cells.notna() & (cells != "")).to_numpy(dtype=bool)
    frame["remove"] = frame["remove"].astype(bool) | (blank.to_numpy(dtype=bool) & said)
    return frame


__all__ = ["read_limits", "read_pairs", "sheet_headers", "sheet_list"]
