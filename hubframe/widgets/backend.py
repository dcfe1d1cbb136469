"""What the app does, without the widgets: the calls into io, validate, client, jobs and report.

Each function takes plain values and returns plain values or DataFrames, so the app's
widget code stays thin and this layer can be tested on its own.  No ipywidgets here.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe.errors import (
    ConfigurationError,
    ErrorCode,
    HubframeError,
    InputError,
    SourceError,
    failure_words,
)
from hubframe.hubspot.auth import Secret, base_url_of
from hubframe.hubspot.client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, HubSpotClient
from hubframe.hubspot.shapes import CustomObjectType, whole
from hubframe.io import SheetInfo, SheetsLeftOut, read_limits, read_pairs, sheet_headers, sheet_list
from hubframe.io.aliases import (
    STRONG_KEYS,
    TYPED_HEADERS,
    WEAK_KEYS,
    Kind,
    header_key,
)
from hubframe.io.columns import HeaderError, TypeGuess, numbered_base
from hubframe.io.frame import RAW_PREFIX
from hubframe.io.ids import id_headers, read_id_columns
from hubframe.io.normalize import normalize_label, shown_as
from hubframe.io.notes import ReadNotes, guess_attrs, read_notes
from hubframe.io.retrymark import marked_retry
from hubframe.io.sources import as_path, refuse_unreadable_file
from hubframe.io.syntax import APP_COLUMNS
from hubframe.jobs import associate, configure_limits
from hubframe.jobs.check import validate_limits, validate_pairs
from hubframe.redaction import MARK, redact
from hubframe.report import export_report, export_retry, retry_rows
from hubframe.report.outputs import check_output, check_outputs, free_name
from hubframe.report.whole import written_whole
from hubframe.sandbox import Sandbox

PAIR_FIELDS: Final = ("from_id", "to_id", "from_type", "to_type", "label", "category", "type_id")
LIMIT_FIELDS: Final = ("from_type", "to_type", "label", "category", "type_id", "max_to_object_ids")
FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "associate": PAIR_FIELDS,
    "limits": LIMIT_FIELDS,
    "sync": PAIR_FIELDS,  # hubframe.widgets.portal
    "export": ("from_id",),  # the records to export: the sheet's id column (optional)
}
ALL_FIELDS: Final = (*PAIR_FIELDS, "max_to_object_ids")
FIELD_LABELS: Final[Mapping[str, str]] = APP_COLUMNS  # the column dropdowns' names
_XLSX_MAGIC: Final = b"PK\x03\x04"
ALL_SHEETS: Final = "*"  # the sheet argument that reads every visible sheet
#: Bytes of a sheet's name kept in the names of the files made after it: with "_report.xlsx"
#: and " (99)" a file name stays far below the 255 bytes file systems allow.
MAX_STEM_BYTES: Final = 120


def short_stem(stem: str) -> str:
    """``stem`` cut to :data:`MAX_STEM_BYTES` bytes of UTF-8, never inside a character."""
    cut = stem.encode("utf-8", "surrogatepass")[:MAX_STEM_BYTES]
    return cut.decode("utf-8", "ignore").rstrip(" .")


#: Characters no file name should hold on some system (and the path separators).
_UNSAFE: Final = frozenset('<>:"/\\|?*')


def safe_stem(name: str) -> str:
    """``name`` without its extension, as one printable path component: secrets redacted,
    control and separator characters as "_", never "." or ".." alone."""
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    kept = "".join(
        "_" if c in _UNSAFE or not c.isprintable() else c for c in redact(stem).replace(MARK, "_")
    )
    return kept.strip(" .")


# --- sources --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetSource:
    """A sheet the analyst gave the app: uploaded bytes or a file on disk."""

    name: str
    data: bytes = field(repr=False)
    path: Path | None = None

    @classmethod
    def from_upload(cls, item: Mapping[str, Any]) -> SheetSource:
        """From one entry of ``FileUpload.value`` (name, content, ...)."""
        content = item.get("content", b"")
        return cls(name=str(item.get("name") or "upload"), data=bytes(content))

    @classmethod
    def from_path(cls, text: str) -> SheetSource:
        path = as_path(text)
        if path.is_dir():
            raise InputError(f"{text}: is a folder; type the path of the sheet's file in it.")
        if not path.exists() and not path.is_symlink():
            where = "" if path.is_absolute() else f" (the path is relative to {Path.cwd()})"
            raise InputError(f"{text}: no such file{where}.")
        refuse_unreadable_file(path, text)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{text}: the file could not be read ({exc.strerror}).") from None
        return cls(name=path.name, data=data, path=path)

    @property
    def is_excel(self) -> bool:
        return self.data[:4] == _XLSX_MAGIC

    @property
    def stem(self) -> str:
        """The name the app's files are named after: printable, one path component, no
        secret (an odd upload name: a newline, a '/', a '<', the token)."""
        return short_stem(safe_stem(self.name)) or "hubframe"

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.is_excel else ".csv"

    def describe(self) -> str:
        kind = "Excel workbook" if self.is_excel else "text file"
        return f"{self.name}: {kind}, {len(self.data):,} bytes."

    def reader_input(self) -> Any:
        """What read_pairs / read_limits get: the bytes read at Load or upload, as a named file
        object (so messages name the file, not "<bytes>").  Never the path again: a file
        changed on disk after Load was read anew at Validate and at Run (another sheet, more
        rows) while the page still described the file as loaded."""
        handle = io.BytesIO(self.data)
        handle.name = self.name
        return handle


def left_out(frame: pd.DataFrame) -> list[str]:
    """What the read of ``frame`` says of the workbook's sheets it left out that hold rows (a
    later sheet of pairs, a hidden sheet of them): the lines a run repeats, as the command line
    warns of them whatever the step."""
    notes = read_notes(frame)
    return [
        f"{notes.source}: sheet '{s.name}' was not read: {s.reason}"
        for s in notes.skipped
        if s.holds_rows
    ]


def retry_workbook(source: SheetSource) -> bool:
    """The workbook is a retry file hubframe wrote (its mark): every sheet of it is the retry,
    and the reader reads them all unless one is named (:mod:`hubframe.io.retrymark`)."""
    return source.is_excel and marked_retry(source.data)


def workbook_sheets(source: SheetSource) -> list[SheetInfo]:
    """The workbook's sheets in order, each with whether it is hidden ([] for a CSV or text
    file); the workbook is checked as the readers check it."""
    if not source.is_excel:
        return []
    return sheet_list(source.reader_input())


# --- reading and validating -----------------------------------------------------------------


@dataclass(frozen=True)
class Guess:
    """The column mapping the alias table suggests for a sheet, and the types headers imply.

    ``guessed``: the sides whose type the reader inferred from around the sheet (a HubSpot
    export's file name, headers only one object has), with where from; ``unguessed``: the sides
    whose type it asks for, with why none was inferred though the file mentions an object
    (:class:`hubframe.io.columns.NoGuess`).  The app says both beside its type pickers.
    """

    headers: tuple[str, ...]
    mapping: dict[str, str]  # field -> header
    from_type: str | None = None
    to_type: str | None = None
    problem: str = ""
    guessed: dict[str, TypeGuess] = field(default_factory=dict)  # side -> guess
    unguessed: dict[str, str] = field(default_factory=dict)  # side -> why none
    #: (level, text): the sheets the read took and those it left out, and why
    sheets: tuple[tuple[str, str], ...] = ()
    #: sheets read together whose columns run in different directions: (sheet, from type,
    #: to type) for each, as its own header order reads it; no type is then pre-filled
    directions: tuple[tuple[str, str, str], ...] = ()


def read(
    source: SheetSource,
    job: str,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    from_type: str | None = None,
    to_type: str | None = None,
    label: str | None = None,
    remove_blank: bool = False,
    guessed: Mapping[str, TypeGuess] | None = None,
    type_id: int | None = None,
) -> pd.DataFrame:
    """Read the sheet with read_pairs or read_limits (``columns`` is {header: field});
    ``remove_blank``: an empty limit cell removes that limit.  ``guessed``: the types given
    that are the reader's own inference (:attr:`Guess.guessed`) left as they were pre-filled:
    noted as inferred in ``attrs["hubframe"]["guessed_types"]``, as read_pairs notes them when
    it infers them, not as chosen.  ``type_id``: the type id of the label picked for every
    row (:func:`picked_type`)."""
    if sheet == ALL_SHEETS and retry_workbook(source):  # the picker's "the retry's sheets"
        sheet = None  # the sheets hubframe wrote to it (its mark), not a tab the analyst added
    with warnings.catch_warnings():  # the app says it at Validate (read notes)
        warnings.simplefilter("ignore", SheetsLeftOut)
        frame = _read(source, job, sheet, columns, from_type, to_type, label, remove_blank)
    if label is not None and type_id is not None and job != "limits":
        frame = picked_type(frame, label, type_id)
    given = {"from": from_type, "to": to_type}
    kept = {side: g for side, g in (guessed or {}).items() if given.get(side) == g.object_type}
    if kept:
        meta = dict(frame.attrs.get("hubframe") or {})
        frame.attrs["hubframe"] = meta | guess_attrs(kept)
    return frame


def picked_type(frame: pd.DataFrame, label: str, type_id: int) -> pd.DataFrame:
    """Every row given the type id of the label picked for every row: the label is trimmed as
    it is read, and "Champion " picked beside "Champion" was sent as "Champion".  A row whose
    type id cell names another type raises InputError (which of the two is meant is not
    known); a row whose type id cell does not read as one ('1,019', '1019.5', 'abc') keeps it,
    its type id left empty, so that validation refuses it (BAD_ID) as without a label picked
    (before, the picked type id was written over it and the row was sent)."""
    given = frame["type_id"].astype("Int64")
    other = (given.notna() & (given != type_id)).to_numpy(dtype=bool, na_value=False)
    if other.any():
        at = int(other.argmax())
        row = frame.iloc[at]
        raise InputError(
            f"Row {row.get('row')} of sheet {row.get('sheet')!r} gives type id {given.iloc[at]}, "
            f"but the label picked for every row is {label!r} (type id {type_id}): clear the "
            'type id column, or pick "(from the sheet, or unlabeled)" to use the sheet\'s.'
        )
    out = frame.copy()
    picked = pd.array([type_id] * len(out), dtype="Int64")
    picked[_unread_type_ids(frame)] = pd.NA
    out["type_id"] = picked
    return out


def _unread_type_ids(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows whose type id cell holds text that does not read as a type id (kept, as the read
    keeps it, in its raw column for validation to name)."""
    raw = frame.get(RAW_PREFIX + "type_id")
    if raw is None:
        return np.zeros(len(frame), dtype=bool)
    said = raw.astype("string").str.strip().fillna("") != ""
    return (said & frame["type_id"].isna()).to_numpy(dtype=bool, na_value=False)


def _read(
    source: SheetSource,
    job: str,
    sheet: str | None,
    columns: Mapping[str, str] | None,
    from_type: str | None,
    to_type: str | None,
    label: str | None,
    remove_blank: bool,
) -> pd.DataFrame:
    cols = dict(columns) if columns else None
    if job == "limits":
        return read_limits(
            source.reader_input(),
            sheet=sheet,
            columns=cols,
            from_type=from_type,
            to_type=to_type,
            remove_blank=remove_blank,
            syntax="app",
        )
    return read_pairs(
        source.reader_input(),
        sheet=sheet,
        columns=cols,
        from_type=from_type,
        to_type=to_type,
        label=label,
        syntax="app",
    )


def validate(
    frame: pd.DataFrame,
    job: str,
    connection: Connection | None = None,
    *,
    check_records: bool = False,
) -> pd.DataFrame:
    """The sheet's issues; connected, also what a run would find in HubSpot (labels, emails
    and domains, and with ``check_records`` every record id): :mod:`hubframe.jobs.check`."""
    client = connection.client if connection is not None else None
    if job == "limits":
        return validate_limits(frame, client)
    return validate_pairs(frame, client, check_records=check_records)


def guess_columns(source: SheetSource, job: str, sheet: str | None) -> Guess:
    """Pre-fill the mapping dropdowns: the alias table's choice for each field.

    The sheet is read once the way a run would read it; when that fails (typically a required
    column the alias table does not recognise), the headers are still listed, with whatever
    the alias table matched, and the reason is returned in ``problem``.
    """
    headers = tuple(preview_headers(source, job, sheet))
    if job == "export":  # only the id column: no pairs to read
        return _guess_id_column(source, headers, sheet)
    try:
        frame = read(source, job, sheet=sheet)
    except SourceError:  # no column picked reads it: the file is not loaded (step 3 says so)
        raise
    except InputError as exc:
        said = exc.unguessed if isinstance(exc, HeaderError) else {}
        unguessed = {str(side): why for side, why in said.items()}
        return Guess(headers, partial_mapping(headers, job), problem=str(exc), unguessed=unguessed)
    notes = read_notes(frame)
    sheets = tuple(notes.sheet_messages())
    if sheet == ALL_SHEETS and job != "limits":  # each sheet is read by its own header
        return replace(_guess_every_sheet(headers, job, frame, notes), sheets=sheets)
    if sheet is None and notes.sheets:  # the default read: the headers of the sheet it took
        headers = tuple(preview_headers(source, job, notes.sheets[0]))
    meta = frame.attrs.get("hubframe", {})
    fields = FIELDS[job]
    column_map = dict(meta.get("column_map", {}))
    per_sheet = dict(meta.get("sheet_column_maps") or {})
    if sheet == ALL_SHEETS and per_sheet:  # limits: the dropdowns show the first sheet's
        # headers, so they show its columns; the union's last sheet wins a field the sheets
        # name apart ("Label" on the first, "Association label" on a later one)
        column_map = dict(next(iter(per_sheet.values())) or {})
    mapping = {
        str(field_): str(header) for header, field_ in column_map.items() if field_ in fields
    }
    found = Guess(
        headers or tuple(str(c) for c in meta.get("original_columns", ())),
        mapping,
        from_type=None if "from_type" in mapping else _single(frame, "from_type"),
        to_type=None if "to_type" in mapping else _single(frame, "to_type"),
        sheets=sheets,
    )
    return _with_guesses(found, notes.guessed_types)


def _guess_id_column(source: SheetSource, headers: tuple[str, ...], sheet: str | None) -> Guess:
    """The export's id column: the one the reader takes (no type is picked yet), as a run
    would read it; when it refuses, the alias table's match is only a suggestion."""
    try:
        read = read_id_columns(source.reader_input(), sheet=sheet, syntax="app")
    except InputError as exc:
        problem = (
            f"{exc} (Read without a from type: at Run the reader picks again for the from "
            "type, unless you pick the column here.)"
        )
        return Guess(headers, partial_mapping(headers, "export"), problem=problem)
    used = set(read.columns.values())
    return Guess(headers, {"from_id": used.pop()} if len(used) == 1 else {})


def _with_guesses(found: Guess, guessed: Mapping[str, TypeGuess]) -> Guess:
    """``found`` with the types the reader inferred: a side no column types is pre-filled
    with its guess, and the guess is kept (to be said) for the sides pre-filled with it."""
    types = {"from": found.from_type, "to": found.to_type}
    for side, guess in guessed.items():
        if types.get(side) is None and f"{side}_type" not in found.mapping:
            types[side] = guess.object_type
    kept = {s: g for s, g in guessed.items() if types.get(s) == g.object_type}
    return replace(found, from_type=types["from"], to_type=types["to"], guessed=kept)


def _guess_every_sheet(
    headers: Sequence[str], job: str, frame: pd.DataFrame, notes: ReadNotes
) -> Guess:
    """Every visible sheet, or a retry workbook's sheets: ``frame`` is the read the command line
    makes (``--sheet '*'``, or the retry's mark), each sheet mapped by its own column order, so
    a sheet of "Contact ID | Deal ID" runs contacts -> deals beside one of "Deal ID | Contact
    ID".  The read keeps the last sheet's column map; the dropdowns show the first sheet's
    headers instead, mapped by name (they are only suggestions: the read is given the columns
    picked).  A type is pre-filled only when every sheet's read took it: a type given reads
    every sheet's columns by name in that one direction, so one taken from the first sheet's
    headers sent a sheet whose columns run the other way backwards (the other direction's
    label applied).  Sheets that run apart are listed in :attr:`Guess.directions`."""
    mapping = partial_mapping(headers, job)
    types = {
        side: None if f"{side}_type" in mapping else _single(frame, f"{side}_type")
        for side in ("from", "to")
    }
    kept = {s: g for s, g in notes.guessed_types.items() if types.get(s) == g.object_type}
    return Guess(
        tuple(headers),
        mapping,
        from_type=types["from"],
        to_type=types["to"],
        guessed=kept,
        directions=_sheet_directions(frame),
    )


def _sheet_directions(frame: pd.DataFrame) -> tuple[tuple[str, str, str], ...]:
    """(sheet, from type, to type) of each sheet read whose rows run one way, when the sheets
    do not all run the same way; else ()."""
    wanted = {"sheet", "from_type", "to_type"}
    if not wanted <= set(frame.columns) or frame.empty:
        return ()
    found: list[tuple[str, str, str]] = []
    for name, rows in frame.groupby("sheet", sort=False, dropna=True):
        pairs = rows[["from_type", "to_type"]].dropna().drop_duplicates()
        if len(pairs) == 1:
            from_type, to_type = pairs.iloc[0]
            found.append((str(name), str(from_type), str(to_type)))
    return tuple(found) if len({(f, t) for _, f, t in found}) > 1 else ()


def partial_mapping(headers: Sequence[str], job: str) -> dict[str, str]:
    """{field: header} for the headers the alias table recognises (never raises).  A field two
    headers could fill ("From ID" and "Source ID"; "Contact ID" and its repeat "Contact ID.1" or
    "Contact ID 2") is left for the analyst to choose: a dropdown never picks one of them."""
    fields = FIELDS[job]
    repeats = {numbered_base(h) for h in headers}

    def repeated(header: str) -> bool:
        return header_key(header) in repeats

    found: dict[str, list[str]] = {}
    for header in headers:
        key = header_key(header)
        field_ = STRONG_KEYS.get(key) or WEAK_KEYS.get(key)
        if field_ in fields:
            found.setdefault(field_, []).append(header)
    out = {f: hs[0] for f, hs in found.items() if len(hs) == 1 and not repeated(hs[0])}
    taken = {h for hs in found.values() for h in hs} | set(found)
    if job == "associate":
        for header in headers:
            typed = TYPED_HEADERS.get(header_key(header))
            side = getattr(typed, "side", None) if typed is not None else None
            free = [s for s in ("from", "to") if f"{s}_id" not in taken and side in (None, s)]
            if typed is not None and free and header not in taken:
                taken.update((header, f"{free[0]}_id"))
                if not repeated(header):
                    out[f"{free[0]}_id"] = header
    return out


def _single(frame: pd.DataFrame, column: str) -> str | None:
    if column not in frame.columns:
        return None
    values = frame[column].dropna().unique()
    return str(values[0]) if len(values) == 1 else None


# --- the header row, for the mapping dropdowns -------------------------------------------------


def preview_headers(source: SheetSource, job: str, sheet: str | None) -> list[str]:
    """The header row of the sheet as hubframe finds it (below any title block), without the
    empty columns at its right end."""
    kind: Kind = "limits" if job == "limits" else "pairs"
    if job == "export":  # the id column's sheet, as the export reads it
        headers = id_headers(source.reader_input(), sheet=sheet)
    else:
        headers = sheet_headers(source.reader_input(), sheet=sheet, kind=kind)
    while headers and headers[-1].startswith("Unnamed: "):
        headers.pop()
    return headers


# --- connecting -----------------------------------------------------------------------------


@dataclass
class Connection:
    """A client, and the sandbox behind it when the app started one."""

    client: HubSpotClient
    sandbox: Sandbox | None = field(default=None, repr=False)
    description: str = ""
    rehearse: bool = False  # a sandbox that makes the records of each sheet read
    #: The portal's custom objects (its schemas list, read at connect), offered by the pickers.
    custom_types: tuple[CustomObjectType, ...] = ()
    #: Why the portal's custom objects could not be listed ("": they were).
    custom_problem: str = ""
    #: Per object pair, its label names and the type id of each (None: a name listed twice).
    _labels: dict[tuple[str, str], dict[str, int | None]] = field(default_factory=dict, repr=False)

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.sandbox is not None:
                self.sandbox.stop()


#: The read timeout and retries of Connect's check (the run's client then gets the defaults):
#: with a run's (120 s, 6 retries), a server that took the connection and never answered held
#: every box of the page disabled for about 14 minutes.
CHECK_TIMEOUT: tuple[float, float] = (10.0, 20.0)
CHECK_RETRIES: int = 1


def connect(
    mode: str, *, token: str | Secret | None, base_url: str | None, api_version: str
) -> Connection:
    """Start the built-in sandbox (mode "sandbox": the demo portal; "rehearse": an empty one
    that gets the records of each sheet read, :func:`rehearse`) or build a client for a
    HubSpot account.

    The connection is checked with one cheap read (the deals -> contacts labels), so a
    wrong token fails here, with HubSpot's own explanation, not in the middle of a run.
    """
    sandbox = None
    if mode in ("sandbox", "rehearse"):
        sandbox = Sandbox(seed="demo" if mode == "sandbox" else None)
        sandbox.start()
        token, base_url = sandbox.token, sandbox.url
    else:
        bad_url = base_url_of(base_url, "the Base URL")[1]  # named as the page names it
        if bad_url is not None:
            raise ConfigurationError(bad_url)
    try:
        client = HubSpotClient(
            token=token,
            base_url=base_url,
            api_version=api_version,
            timeout=CHECK_TIMEOUT,
            max_retries=CHECK_RETRIES,
        )
        client.list_labels("deals", "contacts")
    except BaseException:
        if sandbox is not None:
            sandbox.stop()
        raise
    try:
        customs, problem = custom_object_types(client)
    except BaseException:
        client.close()
        if sandbox is not None:
            sandbox.stop()
        raise
    client.timeout, client.max_retries = DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES  # a run's
    host = urlsplit(client.base_url).netloc
    where = {
        "sandbox": "the built-in sandbox (demo portal)",
        "rehearse": "a rehearsal sandbox: your sheet's records and labels are made in it "
        "when the sheet is read",
    }.get(mode, host)
    return Connection(
        client,
        sandbox,
        f"Connected to {where}, API {api_version}.",
        rehearse=mode == "rehearse",
        custom_types=customs,
        custom_problem=problem,
    )


#: Said when the portal's custom objects could not be listed: the token lacks the scope.
NO_CUSTOM_SCOPE: Final = (
    "The portal's custom objects could not be listed, so the object type pickers offer "
    "HubSpot's standard objects only (a sheet's type column may still name a custom object "
    "by its type id or p_ name). To pick them, give the private app the "
    "crm.schemas.custom.read scope and click Connect again. HubSpot said: {said}"
)
#: Said when the list failed otherwise (a server error, an answer that is not the list).
NO_CUSTOM_LIST: Final = (
    "The portal's custom objects could not be listed, so the object type pickers offer "
    "HubSpot's standard objects only (a sheet's type column may still name a custom object "
    "by its type id or p_ name); click Connect again to list them. {said}"
)


def custom_object_types(client: HubSpotClient) -> tuple[tuple[CustomObjectType, ...], str]:
    """The portal's custom objects, and "" -- or none, and why they could not be listed (a
    token without the schemas scope is still a connection: its standard objects work).  The
    scope is named only when HubSpot said it is missing."""
    try:
        return tuple(client.custom_object_types()), ""
    except HubframeError as exc:
        if exc.code in (ErrorCode.CANCELLED, ErrorCode.UNAUTHORIZED):
            raise
        said = NO_CUSTOM_SCOPE if exc.code is ErrorCode.MISSING_SCOPES else NO_CUSTOM_LIST
        return (), said.format(said=str(exc))


def rehearse(connection: Connection, frame: pd.DataFrame) -> None:
    """A rehearsal connection: make the sheet's records and labels in its sandbox (what is
    there already stays), so the sheet runs as it would where they exist."""
    if connection.rehearse and connection.sandbox is not None:
        connection.sandbox.add_sheet(frame)
        connection._labels.clear()  # the sheet may have brought labels


def label_names(connection: Connection, from_type: str, to_type: str) -> list[str]:
    """The label names HubSpot has for the pair (cached per connection)."""
    return sorted(_label_ids(connection, from_type, to_type), key=str.casefold)


def label_type_id(connection: Connection, from_type: str, to_type: str, name: str) -> int | None:
    """The type id of the label named exactly ``name`` for the pair, as the picker listed it
    (None: no such label, or a name HubSpot lists twice)."""
    return _label_ids(connection, from_type, to_type).get(name)


def label_type_ids(connection: Connection, from_type: str, to_type: str) -> dict[str, int | None]:
    """Each label name of the pair -> its type id (None: a name HubSpot lists twice)."""
    return dict(_label_ids(connection, from_type, to_type))


def label_shown(
    name: str, names: Sequence[str], type_ids: Mapping[str, int | None] | None = None
) -> str:
    """How the picker shows a label: quoted (``'Champion '``) when its spacing would not show
    (spaces at its ends, a double or no-break space).  When another of ``names`` matches it as
    a sheet's label is matched (:func:`~hubframe.io.normalize.normalize_label`: "Café" typed
    as one character or as "e" and an accent, "Champion" beside "Champion\u034f" or
    "champion"), quoting may not show the difference, so each is shown with its type id from
    ``type_ids`` (``Café (type id 1021)``), or, where none is known, with every character
    outside printable ASCII written as its code (``Cafe\u0301``): two such choices never look
    the same, whatever their characters."""
    quoted = repr(name) if shown_as(name) != name else name
    wanted = normalize_label(name)
    if sum(normalize_label(n) == wanted for n in names) < 2:
        return quoted
    type_id = (type_ids or {}).get(name)
    if type_id is None:
        return _spelled_out(name)
    return f"{quoted} (type id {type_id})"


def _spelled_out(name: str) -> str:
    """``name`` quoted with each character outside printable ASCII (and the backslash) as its
    code: two names give two texts."""
    return "'" + "".join(map(_code_point, name)) + "'"


def _code_point(char: str) -> str:
    if " " <= char <= "~" and char != "\\":
        return char
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def _label_ids(connection: Connection, from_type: str, to_type: str) -> dict[str, int | None]:
    key = (from_type, to_type)
    if key not in connection._labels:
        connection.client.limiter.ask_again()  # a day's end seen earlier is asked again
        found = connection.client.list_labels(from_type, to_type)
        ids: dict[str, int | None] = {}
        for entry in found:
            if entry.get("label"):
                name, type_id = str(entry["label"]), _type_id(entry)
                ids[name] = type_id if ids.get(name, type_id) == type_id else None
        connection._labels[key] = ids
    return connection._labels[key]


def _type_id(entry: Mapping[str, object]) -> int | None:
    """The type id a labels entry gives, as HubSpot writes a whole number
    (:func:`~hubframe.hubspot.shapes.whole`); None for any other value (``"²"``, which
    ``str.isdigit`` took for a digit and ``int`` refused with a bare ValueError)."""
    said = entry.get("typeId", entry.get("associationTypeId"))
    return int(str(said)) if whole(said) else None


# --- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Where a run is: rows finished of the rows being sent."""

    done: int
    total: int


ProgressHandler = Callable[[Progress], None]


class _ProgressRelay:
    """Adds up the rows each finished batch reports (from any worker thread) and passes the
    running total on, at most ``per_second`` times a second plus once at the end.  The run
    tells the total (``start``) before its first request."""

    def __init__(self, handler: ProgressHandler, per_second: float = 8.0) -> None:
        self._handler = handler
        self._total = 0
        self._done = 0
        self._lock = threading.Lock()
        self._gap = 1.0 / per_second
        self._last = 0.0

    def start(self, total: int) -> None:
        with self._lock:
            self._total = total
        self._handler(Progress(0, total))

    def __call__(self, rows: int) -> None:
        with self._lock:
            self._done += int(rows)
            now = time.monotonic()
            if now - self._last < self._gap and self._done < self._total:
                return
            self._last = now
            progress = Progress(min(self._done, self._total), self._total)
        self._handler(progress)


def progress_relay(handler: ProgressHandler) -> _ProgressRelay:
    """A relay for a job's ``on_start`` and ``on_progress`` (see :class:`_ProgressRelay`)."""
    return _ProgressRelay(handler)


def _job_function(job: str) -> Callable[..., pd.DataFrame]:
    return configure_limits if job == "limits" else associate


def execute(
    frame: pd.DataFrame,
    connection: Connection,
    job: str,
    *,
    dry_run: bool,
    batch_size: int | None = None,
    issues: pd.DataFrame | None = None,
    on_progress: ProgressHandler | None = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """Run associate or configure_limits without tqdm output.

    ``issues``: the sheet's validation issues, as the app showed them (not worked out again).
    ``on_progress`` gets the rows done of the rows to send, as batches finish; ``cancel`` (an
    Event) stops the run before its next batch.  A real associate run records which pairs
    existed before it, as every command-line run does, so its report can be undone.
    """
    relay = _ProgressRelay(on_progress) if on_progress is not None else None
    return _job_function(job)(
        frame,
        connection.client,
        dry_run=dry_run,
        progress=False,
        batch_size=batch_size,
        issues=issues,
        on_start=relay.start if relay is not None else None,
        on_progress=relay,
        cancel=cancel,
        **_undo_records(job),
    )


def _undo_records(job: str) -> dict[str, bool]:
    """What a job is asked to record so its report can be undone (``hubframe undo``): an
    associate run reads which pairs existed before it sends (the CLI's ``record_existing``);
    its dry run, which records nothing, counts those reads in its daily budget."""
    return {"record_existing": True} if job == "associate" else {}


# --- downloads ------------------------------------------------------------------------------


def report_bytes(result: pd.DataFrame, issues: pd.DataFrame | None, filename: str) -> bytes:
    """The report workbook (or CSV) as bytes, written through hubframe.report."""
    with tempfile.TemporaryDirectory(prefix="hubframe-app-") as tmp:
        path = Path(tmp) / filename
        export_report(result, path, validation=issues)
        return path.read_bytes()


def retry_count(result: pd.DataFrame) -> int:
    """Rows the retry file holds (failed, invalid, unsent after a stop)."""
    return int(retry_rows(result).sum())


class FileKind(StrEnum):
    """The files of a run the app writes, by the role the output checks name them with."""

    REPORT = "report"
    RETRY = "retry file"


@dataclass(frozen=True)
class RunFile:
    """One file of a run, named: its report (with the issues it ran with) or its retry file
    (the rows still to do, in the sheet's layout).  Nothing is written until asked."""

    kind: FileKind
    name: str
    result: pd.DataFrame = field(repr=False)
    issues: pd.DataFrame | None = field(default=None, repr=False)

    def data(self) -> bytes:
        """The file's bytes (written in a temporary folder)."""
        if self.kind is FileKind.REPORT:
            return report_bytes(self.result, self.issues, self.name)
        return retry_bytes(self.result, self.name)

    def write(self, path: Path) -> Path:
        """The file written at ``path`` (checked by the writer as the command line's are)."""
        if self.kind is FileKind.REPORT:
            return export_report(self.result, path, validation=self.issues)
        return export_retry(self.result, path)


class NotAllSaved(InputError):
    """A Save wrote some of its files and not others (a full disk, out of memory): ``failed``
    says each file not written and why, ``done`` where each written one went, by its writer's
    position, so the page notes them as saved and shows them."""

    def __init__(self, failed: Sequence[str], done: Mapping[int, Path]) -> None:
        wrote = "".join(f" {path} was written." for path in done.values())
        super().__init__("; ".join(failed) + "." + wrote)
        self.failed = list(failed)
        self.done = dict(done)

    @property
    def written(self) -> list[Path]:
        """The files written, in their writers' order."""
        return [self.done[n] for n in sorted(self.done)]


#: One file of a Save: what it is ("report"), its path (checked), and what writes it there.
Writer = tuple[str, Path, Callable[[Path], Path]]


def write_each(writers: Sequence[Writer]) -> list[Path]:
    """Each file written whatever became of the others (a report out of memory or on a full
    disk kept the next file from being tried, and the files before it went unsaid); the
    paths written, in order.  :class:`NotAllSaved` when any failed."""
    done: dict[int, Path] = {}
    failed: list[str] = []
    for n, (what, path, write) in enumerate(writers):
        try:
            done[n] = write(path)
        except Exception as exc:  # a full disk, out of memory: the others are written still
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else failure_words(exc)
            failed.append(f"{path}: the {what} could not be written ({why})")
    if failed:
        raise NotAllSaved(failed, done)
    return [done[n] for n in range(len(writers))]


def _refuse_a_file(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file, not a folder; type the folder to save into")


def save_outputs(
    result: pd.DataFrame,
    issues: pd.DataFrame | None,
    folder: Path,
    report_name: str,
    retry_name: str,
    *,
    source: Path | None = None,
    kinds: Collection[FileKind] = (FileKind.REPORT, FileKind.RETRY),
) -> list[Path]:
    """Write the report, and the retry file when rows are left to do, into ``folder`` (created
    when missing; earlier files are kept: a new name gets " (2)"); only the ``kinds`` asked
    for (those a Save wrote before and are as written are not written again).  Every path is
    checked before anything is written, as the command line checks its outputs.  Each file is
    attempted whatever became of the other (:func:`write_each`)."""
    _refuse_a_file(folder)
    report = free_name(folder / report_name) if FileKind.REPORT in kinds else None
    retry = None
    if FileKind.RETRY in kinds and retry_count(result):
        retry = free_name(folder / retry_name)
    check_outputs(report=report, retry_file=retry, sources=[source] if source else [])
    writers: list[Writer] = []
    if report is not None:
        writers.append(
            ("report", report, lambda path: export_report(result, path, validation=issues))
        )
    if retry is not None:
        writers.append(("retry file", retry, lambda path: export_retry(result, path)))
    return write_each(writers)


def _write_bytes(data: bytes) -> Callable[[Path], Path]:
    def write(path: Path) -> Path:
        with written_whole(path) as temp:
            temp.write_bytes(data)
        return path

    return write


def save_files(files: Mapping[str, bytes], folder: Path) -> list[Path]:
    """Write ready-made files (an export's ``.xlsx`` and ``.csv``) into ``folder``, created
    when missing; an existing file is kept (the new one gets " (2)").  Checked first; each
    file appears whole or not at all (a full disk left a cut file under the export's name),
    and is attempted whatever became of the other (:func:`write_each`)."""
    _refuse_a_file(folder)
    paths = [check_output(free_name(folder / name), "export") for name in files]
    folder.mkdir(parents=True, exist_ok=True)
    pairs = zip(paths, files.values(), strict=True)
    writers = [("export", path, _write_bytes(data)) for path, data in pairs]
    return write_each(writers)


def save_run_files(files: Sequence[RunFile], folder: Path) -> list[Path]:
    """Write run files (the earlier runs' reports and retry files the app kept) into
    ``folder``, created when missing; an existing file is kept and never written over (the new
    one gets " (2)").  Every path is checked before anything is written; each file is
    attempted whatever became of the others (:func:`write_each`: :class:`NotAllSaved` says
    which were written, by their position in ``files``)."""
    _refuse_a_file(folder)
    paths: list[Path] = []
    for file in files:  # the names differ: each is its run's
        paths.append(check_output(free_name(folder / file.name), str(file.kind)))
    return write_each([(str(f.kind), path, f.write) for f, path in zip(files, paths, strict=True)])


def retry_bytes(result: pd.DataFrame, filename: str) -> bytes:
    """The retry file (failed and invalid rows in the uploaded layout) as bytes."""
    with tempfile.TemporaryDirectory(prefix="hubframe-app-") as tmp:
        path = Path(tmp) / filename
        export_retry(result, path)
        return path.read_bytes()
