"""Labels from a sheet: :func:`configure_labels` (``hubframe labels FILE``).

A sheet names labels -- a labels sheet (:func:`hubframe.io.labels.read_labels`: types, label,
optionally its inverse label, type id and internal name), or any pairs or limits sheet (the
labels its rows name).  For each distinct (from type, to type, label), in the sheet's order
(a custom object written by its type id and by its name is one object:
:func:`spellings`):

* the portal has it (names compared case- and space-insensitively): ``exists``, ``skipped``
  with ``LABEL_EXISTS`` and its category and type id -- unless the sheet gives it an inverse
  label the reverse direction does not list (its inverse is another): ``invalid``,
  ``INVERSE_LABEL_DIFFERS``;
* the portal lacks it: ``create`` -- a user-defined label, paired when the sheet gives an
  inverse label (HubSpot then names the reverse direction with it; unpaired, with the label
  itself).  A label of one object to itself whose inverse label is itself is created unpaired:
  one type id both ways, never two types of one name;
* the sheet gives a type id whose label (or, with an inverse label the reverse direction does
  not list, whose inverse) the portal names otherwise: ``rename``, done only with
  ``renames=True`` (else ``invalid``, ``RENAME_REFUSED``); HubSpot's own labels never;
* a new label from an object to another whose pair holds as many labels of one's own that way
  as HubSpot allows (``MAX_LABELS_PER_PAIR``, counting those earlier rows create):
  ``invalid``, ``TOO_MANY_LABELS``, not sent (HubSpot would refuse it);
* a new name, inverse name or reverse name (an unpaired label's) that reads as another label
  of that direction (case, spaces, invisible characters aside) is neither created nor given:
  ``invalid``, ``LABEL_WOULD_REPEAT`` -- a rename's inverse label too when the reverse
  direction lists one so named, since HubSpot's list does not say whose inverse that is.

Each row meets what the rows before it did: a real run reads the pair's labels again after
each write; a dry run adds what its earlier rows would create or rename to the labels it read,
so that it plans what the real run does (a label two rows name is created once, the second
``exists``).  A new label's internal name is made from the label (:func:`internal_name`),
with ``_2``, ``_3``... when a label of the pair, either way, would be named so too (HubSpot
takes a name once per object pair); two rows giving one name in the sheet's ``Name`` column:
the second ``invalid``, ``CONFLICTING_ROWS``.

Labels are created one request each (HubSpot has no batch call for them), under the client's
rate limiter.  A create whose answer was lost is never reported as not done while HubSpot shows
the label: the labels are read again, and the row is what they show.  A created label is read
back: the row takes the type id new since the create and named as the label, the one HubSpot's
answer gives when the answer tells (it lists the reverse direction too, in no documented order),
never an id the read does not show so (``NOT_APPLIED`` when the read lists no such label).  A
rename is read back too, and names the type id its inverse label reads back on: a later row
renaming that type id otherwise is not sent (``CONFLICTING_ROWS``), and an earlier row whose
name a later rename's inverse label replaced is ``failed``, ``NOT_APPLIED`` (a pair renamed from
both ends; which type id is a label's inverse the labels list does not say, so a dry run cannot
tell).  ``cancel=`` stops before the next label.  A dry run reports ``planned`` for what it
would create or rename.  The result has one row per label: ``sheet``, ``row`` (int64),
``from_type``, ``to_type``, ``label``, ``inverse_label``, ``change``, ``category``, ``type_id``,
``status``, ``error_code``, ``error_message``, then the sheet's own columns as read
(docs/report.md's result table).  A labels sheet's label is its row (rows naming nothing are
left out, with a warning); a pairs or limits sheet's is the first row naming it.  The result
keeps the index of the DataFrame read (its label row's), so ``df["status"] = result["status"]``
puts each label's status on its row; a file's is 0..n-1.
"""

from __future__ import annotations

import difflib
import io
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from hubframe.argtypes import flag
from hubframe.constants import (
    LITERAL_INVERSE_COLUMN,
    LITERAL_LABEL_COLUMN,
    MAX_LABELS_PER_PAIR,
    UNLABELED_NAMES,
    USER_DEFINED,
)
from hubframe.errors import (
    ConfigurationError,
    ErrorCode,
    HubframeError,
    InputError,
    StopReason,
    failure_words,
)
from hubframe.hubspot.client import HubSpotClient, require_client
from hubframe.io.cells import label_cells, refuse_odd_cells
from hubframe.io.columns import looks_like
from hubframe.io.conform import conformed_labels, sheet_rows
from hubframe.io.frame import EXTRA_CELLS, original_name
from hubframe.io.labels import (
    LABEL_COLUMNS,
    LABELS_KIND,
    RAW_TYPE_ID,
    read_labels,
)
from hubframe.io.normalize import is_valid_object_type, normalize_label
from hubframe.io.sheet_errors import explain, is_error_text
from hubframe.io.sources import FRAME_SOURCE, READ_FROM, SheetArg, load_source
from hubframe.io.syntax import SyntaxName
from hubframe.run.labels import (
    LabelBook,
    LabelDef,
    ambiguous_label_message,
    closest_first,
    named,
    unknown_object_type,
    visible_label,
)
from hubframe.run.rows import describer, differing, text, value, whole
from hubframe.run.spelling import Spellings
from hubframe.run.table import Kind, analyst_columns, input_columns
from hubframe.vocab import ObjectPair, Status

RESULT_COLUMNS: Final = (
    "sheet",
    "row",
    "from_type",
    "to_type",
    "label",
    "inverse_label",
    "change",
    "category",
    "type_id",
    "status",
    "error_code",
    "error_message",
)
Key = tuple[str, str, str]  # from type, to type, normalized label


#: How a labels run's labels not done are done later: it has no retry file, and running the
#: sheet again is safe (the labels made are reported as existing, not made twice).
_AGAIN: Final = "run the sheet again (the labels done are not made twice)"


def _stop_of(error: HubframeError) -> StopReason:
    """Why the run stops, in words for the labels left: :meth:`StopReason.of` said "run the
    retry file", and a labels run has none."""
    return StopReason.of(error, _AGAIN)


def _shown(inverse: str | None) -> str | None:
    return visible_label(inverse) or None if inverse else None


def internal_name(label: str) -> str:
    """The internal name HubSpot needs for a new label: letters, digits and underscores."""
    name = "".join(c if c.isascii() and c.isalnum() else "_" for c in label.lower()).strip("_")
    name = "_".join(part for part in name.split("_") if part) or "label"
    return f"label_{name}" if name[0].isdigit() else name


def names_given(labels: Iterable[str]) -> set[str]:
    """The internal names of labels made one after another as a run makes them: each its
    :func:`internal_name`, ``_2``, ``_3``... for the second, third label so named.  Labels of
    other scripts are all named ``label`` (Cyrillic, Greek, Persian...): counted once, the
    third such label of a pair was given ``label_2``, which the second held, and HubSpot
    refused it.  A label counted twice (listed both ways) only skips a free name."""
    held: set[str] = set()
    for label in labels:
        base = name = internal_name(label)
        suffix = 2
        while name in held:
            name, suffix = f"{base}_{suffix}", suffix + 1
        held.add(name)
    return held


def read_label_sheet(
    source: Any,
    *,
    sheet: SheetArg = None,
    from_type: str | None = None,
    to_type: str | None = None,
    syntax: SyntaxName = "python",
) -> pd.DataFrame:
    """The sheet :func:`configure_labels` takes its labels from, read: a labels sheet
    (:func:`~hubframe.io.labels.read_labels`), else a pairs sheet, else a limits sheet (their
    frames, with their read notes).  ``sheet`` and ``syntax`` as for
    :func:`~hubframe.io.read_pairs`; the labels reader's error when no reader takes it, or,
    where it found a pairs or a limits sheet (``HeaderError.looks_like``), that reader's."""
    from hubframe.io import read_limits, read_pairs

    readers = {"labels": read_labels, "pairs": read_pairs, "limits": read_limits}
    again = _rereadable(source)
    refusals: dict[str, InputError] = {}
    for kind, reader in readers.items():
        try:
            return reader(again(), sheet=sheet, from_type=from_type, to_type=to_type, syntax=syntax)
        except InputError as refused:
            refusals[kind] = refused
    # the labels reader found another kind of sheet (a pairs sheet, a limits sheet), which
    # that kind's reader read and refused: why
    first = refusals["labels"]
    raise refusals.get(looks_like(first) or "labels", first) from None


def _rereadable(source: Any) -> Callable[[], Any]:
    """``source`` as each reader of :func:`read_label_sheet` gets it: a stream (an open file,
    ``io.BytesIO``) read once, each reader given a fresh stream of its bytes under its name
    (the first reader read it to its end: the next got nothing, and the first refusal was
    said); anything else as it is."""
    if isinstance(source, pd.DataFrame) or not hasattr(source, "read"):
        return lambda: source
    data = load_source(source).data or b""
    name = getattr(source, "name", None)

    def fresh() -> io.BytesIO:
        stream = io.BytesIO(data)
        if isinstance(name, str):
            stream.name = name  # type: ignore[attr-defined]
        return stream

    return fresh


class _Wanted(NamedTuple):
    """The labels a sheet names, numbered from 0 (:attr:`labels`), and for each the analyst's
    own columns of its row, under the index label of that row in the frame read
    (:attr:`own`): the result keeps both."""

    labels: pd.DataFrame
    own: pd.DataFrame


def _wanted(source: Any, from_type: str | None, to_type: str | None, sheet: SheetArg) -> _Wanted:
    """The labels the sheet names (see the module docstring): a labels sheet's rows, every one
    (a label two rows name is done twice: the second ``exists``, or both are refused when they
    differ), or the distinct labels of a pairs or limits sheet."""
    kind = _read_kind(source)
    if kind is None:
        source = read_label_sheet(source, sheet=sheet, from_type=from_type, to_type=to_type)
        kind = _read_kind(source)
    else:
        _no_sheet_of_a_frame(sheet)
        _refuse_odd_cells(source)
    if kind != LABELS_KIND:
        return _from_frame(source)
    labels = conformed_labels(source)
    own = analyst_columns(labels, _READ_COLUMNS)
    return _Wanted(labels.drop(columns=own).reset_index(drop=True), labels[own])


def _read_kind(source: Any) -> str | None:
    """What a frame the readers read holds (``labels``, ``pairs``, ``limits``); None for
    anything else (a file, bytes, a DataFrame of the analyst's own)."""
    if not isinstance(source, pd.DataFrame):
        return None
    meta = source.attrs.get("hubframe")
    kind = meta.get("kind") if isinstance(meta, Mapping) else None
    return str(kind) if kind in ("pairs", "limits", LABELS_KIND) else None


#: The text columns of a read frame the labels job takes its labels and their types from.
_TEXT_FIELDS: Final = ("from_type", "to_type", "label", "inverse_label", "name", "category")


def _refuse_odd_cells(frame: pd.DataFrame) -> None:
    """InputError naming the first cell of a read frame's label, type or name column that the
    analyst set to bytes or several values (``b"Sponsor"``, a list): its text was created as
    the label ``b'Sponsor'``, as a DataFrame's such cell was before the read refused it."""
    rows = frame["row"].tolist() if "row" in frame.columns else list(range(len(frame)))
    for column in _TEXT_FIELDS:
        if column in frame.columns:
            cells = label_cells(frame[column], column)
            if cells is not None:
                refuse_odd_cells(cells, column, "the frame given", rows, column)


def _no_sheet_of_a_frame(sheet: SheetArg) -> None:
    """A sheet named for a frame read already is refused, as the readers refuse one named for
    a DataFrame: the caller meant a workbook's sheet, and the frame's labels are others."""
    if sheet is None or str(sheet).strip() in ("*", "0", "-1"):
        return
    raise InputError(
        f"the sheet {sheet!r} was asked for, but the labels come from a DataFrame read "
        "already, which holds one table and no sheets; leave sheet= out, or give the "
        "workbook that has it."
    )


def _from_frame(frame: pd.DataFrame) -> _Wanted:
    """The distinct labels of a read pairs or limits sheet, first row of each, keeping where
    the sheet was read from (before, the result had none: its report could be written over
    the pairs sheet itself, and its Summary named no source), and that row's index label and
    own columns (one named like a column of the labels result kept as ``<name> (original)``).
    The frame is taken by position (two read sheets put together with ``pd.concat`` repeat
    their index: the job stopped with pandas's "cannot reindex on an axis with duplicate
    labels")."""
    kept = _source(frame)
    kind: Kind = "limits" if _read_kind(frame) == "limits" else "pairs"
    own = frame[analyst_columns(frame, input_columns(frame, kind))]
    taken = {*RESULT_COLUMNS, *map(str, own.columns)}
    own = own.set_axis(
        [original_name(str(c), taken) if c in RESULT_COLUMNS else c for c in own.columns],
        axis=1,
    )
    frame = frame.reset_index(drop=True)
    # every row numbered as the sheet numbers it, as the other jobs take such a frame
    numbered = sheet_rows(frame["row"] if "row" in frame else pd.Series(None, index=frame.index))
    rows = frame.loc[frame["label"].notna()]
    out = pd.DataFrame(
        {
            "sheet": rows["sheet"].astype(object) if "sheet" in rows else "",
            "row": numbered.loc[rows.index],
            "from_type": rows["from_type"].astype(object),
            "to_type": rows["to_type"].astype(object),
            "label": rows["label"].astype(object).map(lambda v: text(v)),
            "inverse_label": None,
            "type_id": pd.NA,
            "name": None,
            RAW_TYPE_ID: rows.get(RAW_TYPE_ID),
            EXTRA_CELLS: rows.get(EXTRA_CELLS),
            LITERAL_LABEL_COLUMN: rows.get(LITERAL_LABEL_COLUMN),
        }
    )
    out = out.loc[out["label"].notna()]
    keep = [normalize_label(str(v)) not in UNLABELED_NAMES for v in out["label"]]
    out = out.loc[keep]
    keys = pd.Series(
        [
            (str(f), str(t), normalize_label(str(lbl)))
            for f, t, lbl in zip(out["from_type"], out["to_type"], out["label"], strict=True)
        ],
        index=out.index,
        dtype=object,
    )
    out[REMOVALS_ONLY] = _removals_only(frame.loc[out.index], keys)
    out = out.loc[~keys.duplicated()]
    firsts = out.index.to_numpy(dtype=np.int64)  # the first row of each label, by position
    out = out.reset_index(drop=True)
    out.attrs["hubframe"] = kept
    return _Wanted(out, own.iloc[firsts])


#: A label a limits sheet names only in rows removing its limit ("remove" under Max): never
#: created (a new label has no limit to remove; a label once created stays in HubSpot).
REMOVALS_ONLY: Final = "_removals_only"
#: The columns of a read labels frame a labels result shows as read (not the analyst's own).
_READ_COLUMNS: Final = ("sheet", "row", *LABEL_COLUMNS, "category", REMOVALS_ONLY)
REMOVALS_ONLY_SAID: Final = (
    "Not created: the only rows of the limits sheet naming it remove its limit ('remove' "
    "under the limit), and a new label has no limit to remove (a label once created stays in "
    "HubSpot)."
)


def _removals_only(rows: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """Per row: every row of its label removes a limit (a limits sheet's ``remove``)."""
    if "remove" not in rows.columns:
        return pd.Series(False, index=rows.index)
    removal = rows["remove"].fillna(False).astype(bool)
    return removal.groupby(keys.map(str)).transform("all").astype(bool)


@dataclass
class _Outcome:
    change: str
    status: Status
    category: str | None = None
    type_id: int | None = None
    code: ErrorCode | None = None
    message: str | None = None


#: Cells an analyst may write for "no label" ("N/A", "None", "NULL"): a sheet's label cell is
#: the label it names (a portal may hold a label so named), so such a label is created as any
#: other -- and its line says so, since an empty cell was perhaps meant.
PLACEHOLDER_LABELS: Final = frozenset({"n/a", "na", "none", "null", "nil", "-", "--"})


def _placeholder_noted(outcome: _Outcome, label: str) -> _Outcome:
    """``outcome``, a label created or planned, with a word when ``label`` reads as a
    placeholder for "no label" (:data:`PLACEHOLDER_LABELS`)."""
    made = outcome.change == "create" and outcome.status in (Status.SUCCESS, Status.PLANNED)
    if not made or normalize_label(label) not in PLACEHOLDER_LABELS:
        return outcome
    note = (
        f'Note: "{visible_label(label)}" is created as a label named so: a label cell is the '
        "label it names, not an empty cell. For no label leave the cell empty (or write "
        "unlabeled)."
    )
    outcome.message = f"{outcome.message} {note}" if outcome.message else note
    return outcome


def _spelling_noted(outcome: _Outcome, label: str, inverse: str | None) -> _Outcome:
    """``outcome``, a label created or planned, with a word naming the label (and inverse) as
    HubSpot holds it where that is not the cell as written (:func:`visible_label`: a double
    space, a line break, a hidden character): the result's label column shows the cell."""
    made = outcome.change == "create" and outcome.status in (Status.SUCCESS, Status.PLANNED)
    if not made:
        return outcome
    held = [
        f'{what} "{visible_label(cell)}"'
        for what, cell in (("the label as", label), ("its inverse as", inverse))
        if cell and visible_label(cell) != cell
    ]
    if not held:
        return outcome
    note = (
        f"Note: HubSpot holds {' and '.join(held)}: a label's name is kept with single spaces, "
        "without the cell's line breaks, doubled spaces or hidden characters."
    )
    outcome.message = f"{outcome.message} {note}" if outcome.message else note
    return outcome


#: How alike a new label and an existing one are (difflib's ratio of their normalized
#: spellings) for its line to name the existing one: "Decison maker" and "Decision maker".
NEAR_MISS: Final = 0.85


def _look_alike(label: str, defs: list[LabelDef]) -> str | None:
    """An existing label ``label`` reads as once compatibility forms are folded (NFKC:
    "Ｃhampion" with a full-width C and "Champion"), when it is not spelled so; else None."""
    folded = normalize_label(unicodedata.normalize("NFKC", label))
    for d in defs:
        if (
            d.label is not None
            and normalize_label(unicodedata.normalize("NFKC", d.label)) == folded
        ):
            return d.label
    return None


def _near_miss_noted(outcome: _Outcome, label: str, defs: list[LabelDef]) -> _Outcome:
    """``outcome``, a label created or planned, with a word naming the existing labels of the
    pair it nearly spells (a typo in a pairs sheet made a new label that associate then used,
    where associate alone refuses the typo as UNKNOWN_LABEL)."""
    made = outcome.change == "create" and outcome.status in (Status.SUCCESS, Status.PLANNED)
    listed = [d.label for d in defs if d.label is not None and d.label != label]
    near = [c for c in closest_first(label, listed) if _likeness(label, c) >= NEAR_MISS][:2]
    if not made or not near:
        return outcome
    names = " or ".join(f'"{visible_label(c)}"' for c in near)
    note = (
        f"Note: the pair already has the label {names}, close to this one (a typo?); if that "
        "was meant, correct the sheet: this label is a new one."
    )
    outcome.message = f"{outcome.message} {note}" if outcome.message else note
    return outcome


def _likeness(one: str, other: str) -> float:
    return difflib.SequenceMatcher(None, normalize_label(one), normalize_label(other)).ratio()


#: The internal names HubSpot takes: letters, digits and underscores, not a digit first.
_NAME_FORM: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _bad_name(label: str, name: str) -> _Outcome:
    """A new label whose sheet Name HubSpot refuses (a hyphen, a space, a digit first): not
    sent.  Before, the dry run planned it and the real run failed with HubSpot's 400."""
    said = (
        f'The label "{label}" is not created: its internal name "{name}" (the sheet\'s Name) is '
        "not one HubSpot takes: letters (a-z), digits and underscores only, not starting with a "
        "digit. Correct the Name, or leave the cell empty: a name is made from the label."
    )
    return _Outcome("create", Status.INVALID, code=ErrorCode.BAD_LABEL_NAME, message=said)


def _reverse_label(f: str, t: str, label: str, inverse: str | None) -> str | None:
    """The label a new label gives the reverse direction: its inverse label, or (between two
    objects) the label itself; a label of one object to itself without one is one label both
    ways."""
    return inverse if inverse is not None else (None if f == t else label)


def _conflicting_name(label: str, name: str, row: str) -> _Outcome:
    """A new label's internal name that an earlier row of the sheet gives its label: HubSpot
    takes each once per object pair."""
    said = (
        f'The label "{label}" is not created: its internal name "{name}" is the one '
        f"{row} gives its label, and HubSpot takes each internal name once per "
        "object pair. Give one of them another name (a Name column)."
    )
    return _Outcome("create", Status.INVALID, code=ErrorCode.CONFLICTING_ROWS, message=said)


def _name_taken(f: str, t: str, label: str, name: str) -> _Outcome:
    """A new label whose sheet Name is the internal name of a label the pair holds (as far as
    the run can tell): not sent, since HubSpot refuses it ("An association label named ... already
    exists"), and the dry run, which sends nothing, planned it."""
    said = (
        f'The label "{label}" is not created: its internal name "{name}" (the sheet\'s Name) is '
        f"a label's of the pair {f} and {t} already (HubSpot names a label as its text and keeps "
        "the name when it is renamed), and HubSpot takes each once. Give another Name, or leave "
        "the Name cell empty: a free one is picked."
    )
    return _Outcome("create", Status.INVALID, code=ErrorCode.LABEL_NAME_TAKEN, message=said)


def _rename_refused(category: str | None, type_id: int, message: str) -> _Outcome:
    """A rename the row asks for that is not made (``RENAME_REFUSED``)."""
    return _Outcome("rename", Status.INVALID, category, type_id, ErrorCode.RENAME_REFUSED, message)


#: The replacement character: text a program could not read (a lone surrogate reads so too).
_BROKEN: Final = "\ufffd"

#: The cells of a labels row that say what is created, in words.
_NAMING: Final = {
    "label": "label",
    "inverse_label": "inverse label",
    "name": "internal name",
    "from_type": "'from' object type",
    "to_type": "'to' object type",
    RAW_TYPE_ID: "type id",
}


def _refused(row: Mapping[str, Any], in_frame: bool) -> _Outcome | None:
    """A row whose cells cannot say what to create: a spreadsheet error (#N/A) in any of them,
    a type that names no object, a type id that is not a whole number.  Never created under
    that text, nor without the inverse label the sheet meant, nor as a new label where a type
    id (a rename) was meant; a CSV row with cells past the header, whose cells may be shifted.
    """
    shifted = _extra_cells(row)
    if shifted is not None:
        return shifted
    missing = _no_label(row)
    if missing is not None:
        return missing
    for column in ("from_type", "to_type"):
        if not text(value(row.get(column))):
            return _no_type(_NAMING[column])
    for column, what in _NAMING.items():
        cell = text(value(row.get(column)))
        if not cell:
            continue
        if is_error_text(cell) and not _literal(row, column, cell, in_frame):
            holds, fix = explain(cell, in_frame=in_frame)
            said = f"The {what} cell '{cell}' {holds}. Nothing is created for this row. {fix}"
            return _Outcome("", Status.INVALID, code=ErrorCode.FORMULA_ERROR, message=said)
        if column in ("label", "inverse_label") and _BROKEN in cell:
            said = (
                f"The {what} cell '{cell}' holds U+FFFD, the replacement character a program "
                "writes where it could not read a character, so the name the sheet meant is "
                "lost; nothing is created or renamed for this row. Retype the "
                f"{what}, or save the file as UTF-8 (Excel: CSV UTF-8) and read it again."
            )
            change = "rename" if value(row.get(RAW_TYPE_ID)) is not None else "create"
            return _Outcome(change, Status.INVALID, code=ErrorCode.BAD_LABEL_TEXT, message=said)
        if column in ("from_type", "to_type") and not is_valid_object_type(cell):
            said = (
                f"The {what} cell '{cell}' names no object type HubSpot knows; nothing is "
                "created for this row. Use a name such as contacts, companies or deals, or an "
                "object type id like 0-1 or 2-1234."
            )
            return _Outcome("", Status.INVALID, code=ErrorCode.BAD_OBJECT_TYPE, message=said)
        if column == RAW_TYPE_ID:
            said = (
                f"The type id cell '{cell}' is not a whole number, so which label it means is "
                "unknown; nothing is created or renamed for this row. Write the type id HubSpot "
                "shows (digits 0-9 only), or leave the cell empty to create the label by name."
            )
            return _Outcome("", Status.INVALID, code=ErrorCode.BAD_ID, message=said)
    return None


#: The private column marking a label cell of each column as text the sheet holds as such.
_LITERAL: Final = {"label": LITERAL_LABEL_COLUMN, "inverse_label": LITERAL_INVERSE_COLUMN}


def _literal(row: Mapping[str, Any], column: str, cell: str, in_frame: bool) -> bool:
    """True where ``cell``, of ``column`` of ``row``, is a label cell whose "=..." or error's
    text is the label, as the pairs jobs read it (docs/columns.md): a workbook's text cell, a
    CSV cell guarded with "'" (the reader's mark), a DataFrame's "=..." (a value, never a
    formula waiting for its value).  A DataFrame's error text (``#N/A``) is what pandas read
    of a failed lookup, and no label is created under it."""
    if column not in _LITERAL:
        return False
    if in_frame:
        return cell.lstrip().startswith("=")
    return bool(value(row.get(_LITERAL[column])))


def _secret_cell(row: Mapping[str, Any], client: HubSpotClient) -> _Outcome | None:
    """A row whose label, inverse label or name holds the access token (pasted into the
    sheet?) or a word of a token's shape: HubSpot's answers and read-backs hold it redacted,
    so a label created under it was reported not applied; and a label must not carry a
    secret.  Nothing is created; the cell is not shown."""
    for column in ("label", "inverse_label", "name"):
        cell = text(value(row.get(column)))
        if cell and client.redact(cell) != cell:
            what = _NAMING.get(column, column.replace("_", " "))
            said = (
                f"The {what} cell holds the access token, or a word shaped like one (pasted "
                "into the sheet?): nothing is created for this row. Put the label's name there."
            )
            return _Outcome("", Status.INVALID, code=ErrorCode.BAD_LABEL_TEXT, message=said)
    return None


def _extra_cells(row: Mapping[str, Any]) -> _Outcome | None:
    """A CSV row with more cells than the header (an unquoted comma in a label): its cells
    may be shifted (the label's end read as the inverse label), so nothing is created from
    it, as a pairs row so is never sent (``EXTRA_CELLS``)."""
    beyond = text(value(row.get(EXTRA_CELLS)))
    if not beyond:
        return None
    said = (
        f"This row has more cells than the header row ('{beyond}' beyond the last column), "
        "so its cells may be shifted: a label probably holds an unquoted comma. Nothing is "
        "created or renamed for this row. Put that label in quotes or remove the separator "
        "(or give the extra column a header), then export again."
    )
    return _Outcome("", Status.INVALID, code=ErrorCode.EXTRA_CELLS, message=said)


def _no_type(what: str) -> _Outcome:
    """A row whose object type cell is empty.  Before, its labels were asked for and created
    between the object "None" and the other, and HubSpot's refusal blamed an object "None"
    the sheet never wrote."""
    said = (
        f"The {what} cell is empty, so which objects the label is between is not known; "
        "nothing is created for this row. Write the object type (contacts, companies, deals, "
        "or an id like 0-1), or give it for the whole sheet (from_type= / to_type=, --from / "
        "--to)."
    )
    return _Outcome("", Status.INVALID, code=ErrorCode.MISSING_VALUE, message=said)


def _no_label(row: Mapping[str, Any]) -> _Outcome | None:
    """A row that gives an inverse label, an internal name or a type id but no label: nothing
    says which label to create or what to rename to."""
    if text(value(row.get("label"))):
        return None
    given = [
        f"{what} '{text(value(row.get(column)))}'"
        for column, what in _NAMING.items()
        if column not in ("label", "from_type", "to_type") and text(value(row.get(column)))
    ]
    if not given and value(row.get("type_id")) is not None:
        given = [f"type id {value(row.get('type_id'))}"]
    said = (
        f"The label cell is empty (the row gives the {' and the '.join(given) or 'object types'}), "
        "so which label to create or what to rename it to is not known; nothing is created or "
        "renamed for this row. Write the label's name."
    )
    return _Outcome("", Status.INVALID, code=ErrorCode.MISSING_VALUE, message=said)


def _unlabeled_word(label: str | None, inverse: str | None) -> str | None:
    """Why a new name is not given: it is a word sheets write for the pair's unlabeled type
    ("default", "unlabeled"), so every row writing it would be taken for the label, or the
    label for the plain association.  None when neither name is one."""
    for what, name in (("label", label), ("inverse label", inverse)):
        if name is not None and normalize_label(name) in UNLABELED_NAMES:
            return (
                f'The {what} "{name}" is not given: sheets write "{name}" for the plain '
                "association (the pair's unlabeled type), so a label so named would be taken "
                "for it, or it for the label. Choose another name."
            )
    return None


def _reads_as(label: str, defs: list[LabelDef]) -> LabelDef | None:
    """A label of ``defs`` that reads as ``label`` (case, spaces, invisible characters)."""
    return next(iter(named(label, defs)), None)


#: A label of one object to itself whose inverse label is itself: created unpaired, one type
#: id both ways (a label paired with itself would be two types of one name, every later row
#: naming it ambiguous).
_ONE_BOTH_WAYS: Final = (
    'the label "{label}" from {t} to {t} is one label both ways (its inverse label is itself: '
    "one type id, not two labels of one name)."
)
_GIVE_INVERSE: Final = "Give it an inverse label (the reverse direction's name), or use that label."
#: What a row a cancel left says: it needed HubSpot, and nothing was sent for it.
CANCELLED_LABEL: Final = (
    "Not done: the run was cancelled before this label; nothing was sent for it."
)


@dataclass
class _Labeler:
    """Decides and does each row in turn.  A real run reads a pair's labels again after each
    write, so each row meets what HubSpot holds then; a dry run adds what the rows before it
    would do to the labels it read (``planned``: a label an earlier row creates, by a negative
    stand-in type id -> that row), so that its rows meet what the real run's would."""

    client: HubSpotClient
    renames: bool
    dry_run: bool
    cancel: threading.Event | None = None
    in_frame: bool = False  # the sheet is a DataFrame: its messages name no file
    known: dict[tuple[str, str], list[LabelDef]] = field(default_factory=dict)
    stop: StopReason | None = None
    planned: dict[int, str] = field(default_factory=dict)
    #: The internal names this run gives new labels, per object pair: name -> the row.
    names: dict[frozenset[str], dict[str, str]] = field(default_factory=dict)
    #: The internal names of every label this run has read, per object pair: a label this run
    #: renames keeps its internal name in HubSpot (a new label named as its old name was refused
    #: "An association label named 'champion' already exists" in the real run, planned in the
    #: dry run).
    seen: dict[frozenset[str], set[str]] = field(default_factory=dict)
    #: The change the row being done sends ("create", "rename"): a row HubSpot refuses keeps
    #: it (it was reported with no change, as a row that asked nothing).
    doing: str = ""
    #: A dry run's renames given an inverse label, per reverse direction: the row, and the
    #: labels listed there before it -- one of which it renames, HubSpot's list not saying
    #: which, so the dry run goes on meeting each under its old name (:meth:`_unsure_noted`).
    unsure: dict[tuple[str, str], list[tuple[str, list[LabelDef]]]] = field(default_factory=dict)
    #: A dry run's stand-in for the inverse label of each label it renames given one.
    inverses: dict[tuple[str, str, int], int] = field(default_factory=dict)
    #: A real run's names of the type ids its rows renamed or found, the reverse direction's
    #: by the inverse label read back: (from, to, type id) -> (the row, the name).  A pair's
    #: two type ids may be named from both ends (a rename given an inverse label, a rename of
    #: the reverse type id): each row was done and said done, HubSpot keeping the last name.
    claims: dict[tuple[str, str, int], tuple[str, str]] = field(default_factory=dict)
    #: Rows a later row's rename undid (it named their type id otherwise, as its inverse
    #: label): the row -> its outcome now (``NOT_APPLIED``).
    undone: dict[str, _Outcome] = field(default_factory=dict)

    def labels(self, from_type: str, to_type: str) -> list[LabelDef]:
        key = (from_type, to_type)
        if key not in self.known:
            self.known[key] = list(LabelBook(self.client).labels(from_type, to_type))
            held = self.seen.setdefault(frozenset(key), set())
            held.update(internal_name(d.label) for d in self.known[key] if d.label)
        return self.known[key]

    def one(self, row: Mapping[str, Any], where: str) -> _Outcome:
        f, t, label = str(row["from_type"]), str(row["to_type"]), str(row["label"])
        if self.stop is not None:
            return _Outcome("", self.stop.status, code=self.stop.code, message=self.stop.message)
        refused = _refused(row, self.in_frame) or _secret_cell(row, self.client)
        if refused is not None:
            return refused
        if self.cancel is not None and self.cancel.is_set():
            return _Outcome("", Status.SKIPPED, code=ErrorCode.CANCELLED, message=CANCELLED_LABEL)
        self.doing = ""
        try:
            return self._unsure_noted(self._decide(f, t, label, row, where), f, t, label, row)
        except HubframeError as exc:
            if exc.stops_run:
                self.stop = _stop_of(exc)
                said = str(exc)
                return _Outcome(self.doing, self.stop.status, code=self.stop.code, message=said)
            unknown = unknown_object_type(exc, f, t)
            if unknown is not None:  # the sheet's type names no object of this portal
                bad = ErrorCode.BAD_OBJECT_TYPE
                return _Outcome(self.doing, Status.INVALID, code=bad, message=unknown[1])
            code = exc.code or ErrorCode.HUBSPOT_VALIDATION
            return _Outcome(self.doing, Status.FAILED, code=code, message=str(exc))
        except Exception as exc:  # hubframe itself failed (out of memory): the run stops
            return self._broke(exc)

    def _broke(self, exc: Exception) -> _Outcome:
        """The outcome of a label hubframe failed on (``exc``: not HubSpot's answer), having
        stopped the run (``RUN_FAILED``: the labels after it ``skipped``): ``UNKNOWN_OUTCOME``
        once its create or rename request was on its way, else ``failed`` ``RUN_FAILED``."""
        words = failure_words(exc)
        self.stop = StopReason(
            ErrorCode.RUN_FAILED,
            f"Not sent: hubframe failed while the run was sending ({words}), so the run "
            f"stopped; free memory, then {_AGAIN}.",
        )
        if self.doing:
            message = (
                f"The outcome is unknown: hubframe failed while this label's {self.doing} was "
                f"being sent or its answer read ({words}), so the run stopped; check the "
                f"labels in HubSpot, then {_AGAIN}."
            )
            return _Outcome(
                self.doing, Status.FAILED, code=ErrorCode.UNKNOWN_OUTCOME, message=message
            )
        message = (
            f"Not sent: hubframe failed before this label was sent ({words}), so the run "
            f"stopped; {_AGAIN}."
        )
        return _Outcome("", Status.FAILED, code=ErrorCode.RUN_FAILED, message=message)

    def _unsure_noted(
        self, outcome: _Outcome, f: str, t: str, label: str, row: Mapping[str, Any]
    ) -> _Outcome:
        """A dry run's row naming (as its label or inverse label) a label an earlier row may
        have renamed as its inverse label: its line says the real run may do otherwise (it
        reads the labels back after the rename, and finds the one renamed)."""
        names = [n for n in (label, _shown(text(row.get("inverse_label")))) if n]
        for a, b in ((f, t), (t, f)):
            for where, defs in self.unsure.get((a, b), []):
                hit = next((d for n in names if (d := _reads_as(n, defs)) is not None), None)
                if hit is not None:
                    note = (
                        f" The dry run meets {self._called(hit)} from {a} to {b} under that "
                        f"name still: if it is the inverse label {where} renames (HubSpot's "
                        "list does not say whose it is), the real run finds it renamed and "
                        "may do otherwise."
                    )
                    return replace(outcome, message=f"{outcome.message or ''}{note}".strip())
        return outcome

    def _decide(self, f: str, t: str, label: str, row: Mapping[str, Any], where: str) -> _Outcome:
        defs = self.labels(f, t)
        inverse = _shown(text(row.get("inverse_label")))
        type_id = whole(value(row.get("type_id")))
        if type_id is not None:
            return self._by_id(f, t, label, type_id, inverse, where)
        spelled = named(label, defs)  # the one spelled exactly as the sheet when several
        if len(spelled) > 1:  # never one of them by guess
            said = ambiguous_label_message(label, f, t, spelled)
            return _Outcome("exists", Status.INVALID, code=ErrorCode.AMBIGUOUS_LABEL, message=said)
        if spelled:
            return self._exists(f, t, spelled[0], inverse, "create")
        twin = _look_alike(label, defs)
        if twin is not None:
            said = (
                f'The label "{visible_label(label)}" reads as "{visible_label(twin)}", which '
                f"HubSpot lists from {f} to {t}, written with other forms of its letters "
                "(full-width or compatibility characters, as some keyboards type them): HubSpot "
                "would hold two labels no sheet could tell apart. Nothing is created; write "
                f'"{visible_label(twin)}" as HubSpot lists it.'
            )
            return _Outcome(
                "create", Status.INVALID, code=ErrorCode.LABEL_WOULD_REPEAT, message=said
            )
        if value(row.get(REMOVALS_ONLY)) is not None and bool(row[REMOVALS_ONLY]):
            return _Outcome("create", Status.SKIPPED, message=REMOVALS_ONLY_SAID)
        made = self._create(f, t, label, inverse, text(row.get("name")), where)
        made = _near_miss_noted(_placeholder_noted(made, label), label, defs)
        return _spelling_noted(made, label, text(row.get("inverse_label")))

    def _exists(self, f: str, t: str, found: LabelDef, inverse: str | None, what: str) -> _Outcome:
        """A label the portal has (or, in a dry run, an earlier row creates): nothing to do,
        unless the sheet gives it an inverse label the reverse direction does not list."""
        planned = self.planned.get(found.type_id)
        type_id = None if planned else found.type_id
        if inverse is not None and not named(inverse, self.labels(t, f)):
            return _Outcome(
                "exists",
                Status.INVALID,
                found.category,
                type_id,
                ErrorCode.INVERSE_LABEL_DIFFERS,
                self._differs(f, t, found, inverse),
            )
        if planned:
            said = (
                f'The label "{found.label}" will exist from {f} to {t} once {planned} is done; '
                f"nothing to {what}."
            )
        else:
            said = f'The label "{found.label}" exists from {f} to {t}; nothing to {what}.'
        return _Outcome(
            "exists", Status.SKIPPED, found.category, type_id, ErrorCode.LABEL_EXISTS, said
        )

    def _differs(self, f: str, t: str, found: LabelDef, inverse: str) -> str:
        back = [d.label for d in self.labels(t, f) if d.label is not None]
        listed = ", ".join(f'"{n}"' for n in closest_first(inverse, back)[:6]) or "none"
        return (
            f'The label "{found.label}" exists from {f} to {t}, but its inverse label is not '
            f'"{inverse}": HubSpot lists no such label from {t} to {f} (labels there: {listed}). '
            "Nothing is changed. Correct the inverse label in the sheet, or rename it on "
            "purpose: give the label's type id and rename (renames=True / --rename)."
        )

    def _by_id(
        self, f: str, t: str, label: str, type_id: int, inverse: str | None, where: str
    ) -> _Outcome:
        defs = self.labels(f, t)
        found = next((d for d in defs if d.type_id == type_id), None)
        if found is None or found.label is None:
            return _Outcome(
                "",
                Status.INVALID,
                code=ErrorCode.INVALID_ASSOCIATION_TYPE,
                message=f"Type id {type_id} is not a label from {f} to {t}.",
            )
        same = normalize_label(found.label) == normalize_label(label)
        back = named(inverse, self.labels(t, f)) if inverse is not None else []
        if same and (inverse is None or back):
            self._claim((f, t, found, found.label), (inverse, back), where)
            return self._exists(f, t, found, None, "change")
        if found.category != USER_DEFINED:
            return _rename_refused(
                found.category,
                type_id,
                f'Type id {type_id} is HubSpot\'s own label "{found.label}" ({found.category}), '
                "which cannot be renamed; nothing is changed. Use a label of your own.",
            )
        new = found.label if same else visible_label(label)
        repeats = self._would_repeat(f, t, found, (label, new, inverse), same, back)
        if repeats is not None:
            return _Outcome(
                "rename",
                Status.INVALID,
                found.category,
                type_id,
                ErrorCode.LABEL_WOULD_REPEAT,
                repeats,
            )
        what = f'"{found.label}" is renamed "{new}"' if not same else ""
        if inverse is not None:
            paired = f'its inverse label is renamed "{inverse}"'
            what = f"{what} and {paired}" if what else f'"{found.label}": {paired}'
        if not self.renames:
            now = f'"{found.label}" in HubSpot, not "{label}"'
            if same:
                now = f'"{found.label}", whose inverse label is not "{inverse}" in HubSpot'
            return _rename_refused(
                found.category,
                type_id,
                f"Type id {type_id} is {now}; not renamed (renames=True / --rename renames it).",
            )
        if self.dry_run:
            return self._plan_rename(f, t, found, (new, inverse), what, where)
        clash = self._claimed(f, t, found, new, where)
        if clash is not None:
            return clash
        self.doing = "rename"
        try:
            self.client.update_label(f, t, type_id, new, inverse)
        except HubframeError as exc:
            self._forget(f, t)
            if not exc.may_have_applied:
                raise
            return self._maybe_renamed(f, t, new, found, exc)
        self._forget(f, t)
        done = self._renamed(f, t, found, new, inverse)
        if done.status is Status.SUCCESS:
            self._claim((f, t, found, new), (inverse, self._named_back(t, f, inverse)), where)
        return done

    def _named_back(self, t: str, f: str, inverse: str | None) -> list[LabelDef]:
        """The labels from ``t`` to ``f`` named ``inverse`` (none when it is None or the read
        fails: the rename was said done, and no later row is held to it)."""
        try:
            return named(inverse, self.labels(t, f)) if inverse is not None else []
        except HubframeError:
            return []

    def _claim(
        self,
        named_as: tuple[str, str, LabelDef, str],
        inverse: tuple[str | None, list[LabelDef]],
        where: str,
    ) -> None:
        """A real run's row ``where`` left ``named_as`` (from, to, the label, its name) so, and
        the one label named its inverse label from ``to`` to ``from`` (when it gives one):
        :attr:`claims`.  An earlier row that named that reverse type id otherwise is undone
        (:attr:`undone`): this row's rename named it after."""
        f, t, found, name = named_as
        if self.dry_run:
            return
        self.claims[(f, t, found.type_id)] = (where, name)
        text, back = inverse
        if text is None or len(back) != 1:
            return
        key = (t, f, back[0].type_id)
        earlier = self.claims.get(key)
        if earlier is not None and earlier[0] != where and not _same_name(earlier[1], text):
            self.undone[earlier[0]] = _Outcome(
                "rename",
                Status.FAILED,
                back[0].category,
                back[0].type_id,
                ErrorCode.NOT_APPLIED,
                f"Not applied in the end: {where} renamed type id {found.type_id} from {f} to "
                f'{t} after this row, with the inverse label "{text}", and so named type id '
                f'{back[0].type_id} from {t} to {f} "{text}", not "{earlier[1]}" (one pair of '
                "labels, named from both ends). Keep one of the two rows, and run again.",
            )
        self.claims[key] = (where, text)

    def _claimed(self, f: str, t: str, found: LabelDef, new: str, where: str) -> _Outcome | None:
        """A rename of a type id an earlier row named otherwise (as the inverse label of the
        label it renamed, or found): ``CONFLICTING_ROWS``, not sent -- sent, both rows would be
        said done, HubSpot keeping the last name."""
        earlier = self.claims.get((f, t, found.type_id))
        if earlier is None or earlier[0] == where or _same_name(earlier[1], new):
            return None
        return _Outcome(
            "",
            Status.INVALID,
            found.category,
            found.type_id,
            ErrorCode.CONFLICTING_ROWS,
            f'Type id {found.type_id} from {f} to {t} is named "{earlier[1]}" by {earlier[0]} '
            f"(its label, or the inverse label of the label it renames); this row would rename "
            f'it "{new}", and HubSpot keeps one name. Nothing is sent for this row: keep one of '
            "the two.",
        )

    def _would_repeat(
        self,
        f: str,
        t: str,
        found: LabelDef,
        names: tuple[str, str, str | None],
        same: bool,
        back: list[LabelDef],
    ) -> str | None:
        """Why renaming ``found`` (``names``: the row's label, the name it is given, the inverse
        label) would give a name that reads as another's or as the plain association
        (``LABEL_WOULD_REPEAT``); None when it would not."""
        label, new, inverse = names
        type_id = found.type_id
        unlabeled = _unlabeled_word(None if same else new, inverse)
        if unlabeled is not None:
            return unlabeled
        others = [d for d in self.labels(f, t) if d.type_id != type_id]
        twin = None if same else _reads_as(label, others)
        if twin is not None:  # two labels that read the same: every later match ambiguous
            return (
                f'Type id {type_id} ("{found.label}") is not renamed "{label}": the label '
                f"{self._called(twin)} exists from {f} to {t} and would read the same. Choose "
                "another name, or use that label."
            )
        if f == t and inverse is not None and normalize_label(inverse) == normalize_label(new):
            return (  # a label of one object to itself: both names in one direction
                f'Type id {type_id} ("{found.label}") is not renamed "{new}" with the inverse '
                f'label "{inverse}": from {f} to {t} both names are listed, and they would read '
                "the same. Leave the inverse label cell empty to rename this one, or choose "
                "another inverse label."
            )
        if back:  # the inverse label reads as one of the reverse direction: whose, unknown
            return (
                f'Type id {type_id} ("{found.label}") is not renamed "{label}" with the inverse '
                f'label "{inverse}": the label {self._called(back[0])} '
                f"exists from {t} to {f} and would read the same, unless it is this label's own "
                "inverse label (HubSpot's list does not say whose it is). Leave the inverse "
                "label cell empty to rename this direction only, or choose another inverse "
                "label."
            )
        return None

    def _plan_rename(
        self,
        f: str,
        t: str,
        found: LabelDef,
        names: tuple[str, str | None],
        what: str,
        where: str,
    ) -> _Outcome:
        """A dry run's rename of ``found`` (``names``: its new name, the inverse label): the
        labels it knows then, and the row's words."""
        new, inverse = names
        self.known[(f, t)] = [
            LabelDef(d.category, d.type_id, new) if d == found else d for d in self.labels(f, t)
        ]
        self._read_back(f, t, new, inverse)
        said = f"Planned: {what}."
        if inverse is not None:
            self._plan_inverse(f, t, found.type_id, inverse, where)
            said += (
                f" Which label from {t} to {f} is its inverse now HubSpot's list does not "
                "say: the rows after this one meet it still under its old name."
            )
            if f == t:
                said += (
                    " A label of one object to itself may be one label both ways, with no "
                    "inverse of its own: then the real run reports it not applied."
                )
        return _Outcome("rename", Status.PLANNED, found.category, found.type_id, message=said)

    def _renamed(self, f: str, t: str, found: LabelDef, new: str, inverse: str | None) -> _Outcome:
        """A rename HubSpot answered (with no body): the labels read back say what it did."""
        try:
            now = next((d for d in self.labels(f, t) if d.type_id == found.type_id), None)
            back = named(inverse, self.labels(t, f)) if inverse is not None else [found]
        except HubframeError as again:
            if again.stops_run:
                self.stop = _stop_of(again)
            said = (
                f"Renamed: HubSpot answered the rename; the labels could not be read back to "
                f"check it ({again})."
            )
            return _Outcome("rename", Status.SUCCESS, found.category, found.type_id, message=said)
        named_now = now is not None and normalize_label(now.label or "") == normalize_label(new)
        if named_now and back:
            return _Outcome("rename", Status.SUCCESS, found.category, found.type_id)
        shows = (
            f'type id {found.type_id} is "{now.label}"' if now else f"no type id {found.type_id}"
        )
        if named_now:
            shows = f'HubSpot lists no label "{inverse}" from {t} to {f}'
        said = (
            f"Not applied as asked: HubSpot answered the rename, but the labels read back show "
            f"{shows} (from {f} to {t}). Check the label in HubSpot before running again."
        )
        return _Outcome(
            "rename", Status.FAILED, found.category, found.type_id, ErrorCode.NOT_APPLIED, said
        )

    def _maybe_renamed(
        self, f: str, t: str, label: str, found: LabelDef, exc: HubframeError
    ) -> _Outcome:
        """A rename whose answer was lost (then retried, and refused or failed): the labels
        are read again, and the row is what they show -- renamed when the type id now bears
        the new name, else the failure.  A run that stops says the rename may be done."""
        if exc.stops_run:
            return self._stopped(exc, "rename", "renamed the label", found)
        now = self._read_again(f, t, label, "HubSpot's answer was lost", "rename")
        if isinstance(now, _Outcome):
            return now
        if not any(d.type_id == found.type_id for d in now):
            raise exc
        said = (
            f'Renamed: HubSpot\'s first answer was lost and the retry was refused ("{exc}"), but '
            f'HubSpot now names type id {found.type_id} "{label}" from {f} to {t}.'
        )
        return _Outcome("rename", Status.SUCCESS, found.category, found.type_id, message=said)

    def _stopped(
        self, exc: HubframeError, change: str, done: str, found: LabelDef | None = None
    ) -> _Outcome:
        """A write whose answer was lost, in a run that then stopped: its outcome is unknown,
        ``failed`` (to check, and do again), never ``skipped`` as the rows not sent are when
        the daily limit stopped the run."""
        self.stop = _stop_of(exc)
        said = f"{exc} HubSpot may have {done} before its answer was lost."
        category, type_id = (found.category, found.type_id) if found else (None, None)
        return _Outcome(change, Status.FAILED, category, type_id, ErrorCode.UNKNOWN_OUTCOME, said)

    def _called(self, d: LabelDef) -> str:
        """A label in words: its type id, or (a dry run) the row that creates it first."""
        planned = self.planned.get(d.type_id)
        return (
            f'"{d.label}" ({planned} creates it first)'
            if planned
            else (f'"{d.label}" (type id {d.type_id})')
        )

    def _free_name(self, f: str, t: str, label: str) -> str:
        """The internal name of a new label: :func:`internal_name`, with ``_2``, ``_3``... when
        a label of the pair (either way, this run's included) would be named so too -- "Mentor"
        from contacts to deals (``mentor``) beside a new "Mentor" from deals to contacts, or
        "Décideur" beside "Dècideur" (``d_cideur``): HubSpot takes a name once per pair.  The
        names of labels made elsewhere, or renamed since, HubSpot does not list."""
        held = self._held(f, t) | set(self.names.get(frozenset((f, t)), {}))
        base = name = internal_name(label)
        suffix = 2
        while name in held:
            name, suffix = f"{base}_{suffix}", suffix + 1
        return name

    def _held(self, f: str, t: str) -> set[str]:
        """The internal names the pair's labels (either way) hold as far as this run can tell:
        each listed label's name as HubSpot gives a new one (:func:`internal_name`), with those
        of every label this run has read (a renamed label keeps its name)."""
        listed = sorted((*self.labels(f, t), *self.labels(t, f)), key=lambda d: d.type_id)
        held = names_given(d.label for d in listed if d.label)
        return held | self.seen.get(frozenset((f, t)), set())

    def _plan(self, f: str, t: str, label: str, where: str) -> int:
        """A dry run: ``label`` exists from ``f`` to ``t`` for the rows after ``where``; its
        stand-in type id."""
        stand_in = -1 - len(self.planned)
        self.planned[stand_in] = where
        self.known[(f, t)] = [*self.labels(f, t), LabelDef(USER_DEFINED, stand_in, label)]
        return stand_in

    def _read_back(self, f: str, t: str, new: str, inverse: str | None) -> None:
        """A dry run's rename: the real run reads the labels back after it, and so takes the
        internal names their new texts would give as held (:meth:`_held`) for every later row,
        however often they are renamed again."""
        held = self.seen.setdefault(frozenset((f, t)), set())
        held.update(internal_name(n) for n in (new, inverse) if n is not None)

    def _plan_inverse(self, f: str, t: str, type_id: int, inverse: str, where: str) -> None:
        """A dry run's rename of ``type_id`` given an inverse label: the reverse direction lists
        it for the rows after ``where`` -- as a stand-in the first time (the label renamed is one
        of those listed there, HubSpot's list not saying which: :attr:`unsure`), the same
        stand-in renamed again after that (a label has one inverse label)."""
        key = (f, t, type_id)
        stand_in = self.inverses.get(key)
        if stand_in is None:
            before = [d for d in self.labels(t, f) if d.type_id not in self.planned]
            self.unsure.setdefault((t, f), []).append((where, before))
            self.inverses[key] = self._plan(t, f, inverse, where)
            return
        self.planned[stand_in] = where
        self.known[(t, f)] = [
            LabelDef(d.category, d.type_id, inverse) if d.type_id == stand_in else d
            for d in self.labels(t, f)
        ]

    def _create(
        self, f: str, t: str, label: str, inverse: str | None, name: str | None, where: str
    ) -> _Outcome:
        label = visible_label(label)
        unlabeled = _unlabeled_word(label, inverse)
        if unlabeled is not None:
            return _Outcome(
                "create", Status.INVALID, code=ErrorCode.LABEL_WOULD_REPEAT, message=unlabeled
            )
        single = (
            f == t and inverse is not None and normalize_label(inverse) == normalize_label(label)
        )
        if single:  # one label both ways: paired with itself it would be two labels of one name
            inverse = None
        refused = self._refused(f, t, label, inverse, name)
        if refused is not None:
            return refused
        taken = self.names.setdefault(frozenset((f, t)), {})
        if name is not None and name not in taken and name in self._held(f, t):
            return _name_taken(f, t, label, name)
        name = name or self._free_name(f, t, label)
        if name in taken:
            return _conflicting_name(label, name, taken[name])
        taken[name] = where
        if self.dry_run:
            return self._plan_create(f, t, label, inverse, where, single=single)
        before = {d.type_id for d in self.labels(f, t)}
        self.doing = "create"
        try:
            created = self.client.create_label(f, t, name, label, inverse)
        except HubframeError as exc:
            self._forget(f, t)
            if not exc.may_have_applied:
                del taken[name]
                raise
            return self._maybe_created(f, t, label, exc)
        self._forget(f, t)
        done = self._created(f, t, label, created, inverse, before)
        if single and done.status is Status.SUCCESS and done.message is None:
            done.message = f"Created: {_ONE_BOTH_WAYS.format(label=label, t=t)}"
        return done

    def _refused(
        self, f: str, t: str, label: str, inverse: str | None, name: str | None
    ) -> _Outcome | None:
        """Why a new label is not sent, before its internal name is taken: the reverse
        direction would get two labels that read the same, the name given is not one HubSpot
        takes, or the pair has no room."""
        back = _reverse_label(f, t, label, inverse)
        twin = _reads_as(back, self.labels(t, f)) if back is not None else None
        if twin is not None:  # the reverse direction would get two labels that read the same
            why = (
                f'its inverse label "{inverse}" would'
                if inverse is not None
                else f"without an inverse label it would be named so from {t} to {f} too, and"
            )
            return _Outcome(
                "create",
                Status.INVALID,
                code=ErrorCode.LABEL_WOULD_REPEAT,
                message=(
                    f'The label "{label}" is not created: {why} read the same as '
                    f"{self._called(twin)}, which exists from {t} to {f}. "
                    + ("Choose another inverse label." if inverse is not None else _GIVE_INVERSE)
                ),
            )
        if name is not None and not _NAME_FORM.fullmatch(name):
            return _bad_name(label, name)
        return self._full(f, t, label)

    def _plan_create(
        self, f: str, t: str, label: str, inverse: str | None, where: str, *, single: bool
    ) -> _Outcome:
        """The dry run's create: the label is planned both ways, as the real run creates it."""
        self._plan(f, t, label, where)
        back = _reverse_label(f, t, label, inverse)
        if back is not None:
            self._plan(t, f, back, where)
        paired = f' (inverse label "{inverse}")' if inverse else ""
        said = f'Planned: the label "{label}"{paired} is created from {f} to {t}.'
        if single:
            said = f"Planned: {_ONE_BOTH_WAYS.format(label=label, t=t)}"
        return _Outcome("create", Status.PLANNED, message=said)

    def _full(self, f: str, t: str, label: str) -> _Outcome | None:
        """A new label the pair has no room for: HubSpot holds at most
        :data:`~hubframe.constants.MAX_LABELS_PER_PAIR` labels of one's own from ``f`` to
        ``t`` (the reverse direction's listed there too) and refuses one more, so it is not
        sent (``invalid``, ``TOO_MANY_LABELS``); a dry run counts those its earlier rows
        create, so that it says what the real run does."""
        own = [d for d in self.labels(f, t) if d.category == USER_DEFINED and d.label]
        if len(own) < MAX_LABELS_PER_PAIR:
            return None
        planned = sum(1 for d in own if d.type_id in self.planned)
        among = f", {planned} of them created by earlier rows" if planned else ""
        said = (
            f'The label "{label}" is not created: HubSpot allows at most {MAX_LABELS_PER_PAIR} '
            f"labels of your own from {f} to {t}, and there are {len(own)}{among}. Archive a "
            "label the pair no longer uses in HubSpot, or use one that exists."
        )
        return _Outcome("create", Status.INVALID, code=ErrorCode.TOO_MANY_LABELS, message=said)

    def _created(
        self, f: str, t: str, label: str, answer: list[Any], inverse: str | None, before: set[int]
    ) -> _Outcome:
        """A create HubSpot answered: the labels are read back, and the row takes the type id
        of the label new since (not among ``before``) and named as the sheet names it -- the
        one HubSpot's answer gives it when the answer tells (it lists the reverse direction too,
        in no documented order, under the same name when unpaired), else the one the read shows.
        An answer's type id the read does not show so is not taken."""
        named, given = _answer_type(answer, label, inverse)
        try:
            listed = self.labels(f, t)
        except HubframeError as again:
            if again.stops_run:
                self.stop = _stop_of(again)
            return _created_unread(f, t, label, named, given, before, again)
        wanted = normalize_label(label)
        now = [
            d
            for d in listed
            if d.type_id not in before
            and d.label is not None
            and normalize_label(d.label) == wanted
        ]
        return _created_read(f, t, label, now, given, named)

    def _read_again(
        self, f: str, t: str, label: str, why: str, change: str = "create"
    ) -> list[LabelDef] | _Outcome:
        """The labels named ``label`` from ``f`` to ``t`` read again after a create (or a
        rename: ``change``) whose answer does not say what it did (``why``); a row of unknown
        outcome when the read fails too (also when it stops the run)."""
        try:
            return [d for d in self.labels(f, t) if d.label == label]
        except HubframeError as again:
            if again.stops_run:
                done = "created the label" if change == "create" else "renamed the label"
                return self._stopped(again, change, done)
            said = (
                f'{why}, and the labels could not be read again ({again}); check whether "{label}" '
                f"exists from {f} to {t} before running again."
            )
            return _Outcome(change, Status.FAILED, code=ErrorCode.UNKNOWN_OUTCOME, message=said)

    def _cancelled(self, pause: float) -> bool:
        """Wait ``pause`` seconds; True when the run is cancelled (at once, or meanwhile)."""
        if self.cancel is None:
            time.sleep(pause)
            return False
        return self.cancel.wait(pause)

    def _forget(self, f: str, t: str) -> None:
        """The labels of the pair (both ways) are read again when next needed."""
        self.known.pop((f, t), None)
        self.known.pop((t, f), None)

    def _maybe_created(self, f: str, t: str, label: str, exc: HubframeError) -> _Outcome:
        """A create whose answer was lost (then retried, and refused or failed): the labels are
        read again, and the row is what they show -- created when the label is there now (it
        was not before).  HubSpot may still be applying it (a gateway's 504 while it goes on),
        so a label not listed is read again after each of ``send.SETTLE_WAITS``, as the other
        jobs check a write; still not listed, the outcome is unknown (``UNKNOWN_OUTCOME``: it
        may yet appear).  A run that stops says the label may exist."""
        from hubframe.run.send import SETTLE_WAITS

        if exc.stops_run:
            return self._stopped(exc, "create", "created the label")
        now = self._read_again(f, t, label, "HubSpot's answer was lost")
        waited = 0.0
        for pause in SETTLE_WAITS:
            if isinstance(now, _Outcome) or now or self._cancelled(pause):
                break
            waited += pause
            self._forget(f, t)
            now = self._read_again(f, t, label, "HubSpot's answer was lost")
        if isinstance(now, _Outcome):
            return now
        if not now:
            unknown = (
                f'{_unanswered(exc)}, and "{label}" is not listed from '
                f"{f} to {t} {waited:g} s later; HubSpot may still create it. Check the labels "
                "before running again (a run then finds it, or creates it)."
            )
            return _Outcome(
                "create", Status.FAILED, code=ErrorCode.UNKNOWN_OUTCOME, message=unknown
            )
        if len(now) != 1:
            raise exc
        said = (
            f"Created: {_lost(exc)}, but HubSpot now lists "
            f'"{label}" from {f} to {t} (type id {now[0].type_id}).'
        )
        return _Outcome("create", Status.SUCCESS, now[0].category, now[0].type_id, message=said)


#: attrs key of a labels run's result: the code of what stopped it (``RUN_FAILED``, the daily
#: limit, a refused token), when it stopped before every label was done.
LABELS_STOP: Final = "labels_stop"


def configure_labels(
    source: Any,
    client: HubSpotClient,
    *,
    sheet: SheetArg = None,
    renames: bool = False,
    dry_run: bool = False,
    from_type: str | None = None,
    to_type: str | None = None,
    cancel: threading.Event | None = None,
    on_start: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Create the labels a sheet names and the portal lacks; report those that exist; rename
    only when asked (see the module docstring).  ``source``: a labels, pairs or limits sheet
    (anything the readers read, or their output: :func:`read_label_sheet`); ``sheet``: a
    workbook's sheet, as for :func:`~hubframe.io.read_pairs` (one that is not there is
    refused); ``from_type`` / ``to_type`` for sheets without type columns.  ``cancel``: a
    :class:`threading.Event`; once set, no further label is created or renamed (the request
    out finishes) and the rows left are ``skipped``, ``CANCELLED``; ``on_start(rows)`` is
    called once before the first row is done.  Returns one row per label, under the index
    label of its row in the frame read, with that row's own columns after the result's."""
    require_client(client)
    if cancel is not None and not callable(getattr(cancel, "is_set", None)):
        raise ConfigurationError(f"cancel must be a threading.Event, not {cancel!r}")
    wanted, own = _wanted(source, from_type, to_type, sheet)
    in_frame = _source(wanted)["source"] == FRAME_SOURCE
    labeler = _Labeler(client, flag("renames", renames), flag("dry_run", dry_run), cancel, in_frame)
    records = _one_spelling(wanted.to_dict("records"), spellings(client, wanted))
    held = {**_renamed_apart(wanted, records), **_conflicts(wanted, records)}
    describe = describer(wanted)
    if on_start is not None:
        on_start(len(records) - len(held))
    found = [
        held.get(n) or labeler.one({str(k): v for k, v in row.items()}, describe(n))
        for n, row in enumerate(records)
    ]
    found = [_undone(labeler.undone.get(describe(n)), o) for n, o in enumerate(found)]
    result = pd.DataFrame(
        {
            "sheet": wanted["sheet"].astype("string"),
            "row": wanted["row"].to_numpy(dtype=np.int64),
            "from_type": wanted["from_type"].astype("string"),
            "to_type": wanted["to_type"].astype("string"),
            "label": wanted["label"].astype("string"),
            "inverse_label": wanted["inverse_label"].astype("string"),
            "change": pd.Series([o.change or None for o in found], dtype="string"),
            "category": pd.Series([o.category for o in found], dtype="string"),
            "type_id": pd.Series(
                [
                    o.type_id if o.type_id is not None else whole(value(t))
                    for o, t in zip(found, wanted["type_id"], strict=True)
                ],
                dtype="Int64",
            ),
            "status": pd.Series([str(o.status) for o in found], dtype="string"),
            "error_code": pd.Series([o.code and str(o.code) for o in found], dtype="string"),
            "error_message": pd.Series([o.message for o in found], dtype="string"),
        },
        columns=list(RESULT_COLUMNS),
    )
    # the input's index and the analyst's own columns, as every job's result keeps them
    result = pd.concat([result, own.reset_index(drop=True)], axis=1).set_axis(own.index)
    result.attrs["hubframe"] = {
        "kind": LABELS_KIND,
        **_source(wanted),
        "original_columns": [str(c) for c in own.columns],
    }
    if labeler.stop is not None:  # what stopped the run (a limits run after it must not go)
        result.attrs["hubframe"][LABELS_STOP] = str(labeler.stop.code)
    return result


def spellings(client: HubSpotClient, frame: pd.DataFrame) -> Spellings:
    """One spelling per object for the rows of ``frame`` (``from_type`` / ``to_type``): a
    custom object written by its type id in one row and by its name (``p_installations``,
    ``p24681357_installations``) in another is one object, its pair's labels one list
    (:class:`~hubframe.run.spelling.Spellings`; a sheet where which name is which type id
    cannot be told is refused, as the limits and sync jobs refuse it)."""
    pairs = [
        ObjectPair(str(f), str(t))
        for f, t in zip(frame["from_type"], frame["to_type"], strict=True)
        if isinstance(f, str) and isinstance(t, str)
        if is_valid_object_type(f) and is_valid_object_type(t)
    ]
    return Spellings(LabelBook(client), pairs)


def _one_spelling(records: list[dict[Any, Any]], spell: Spellings) -> list[dict[Any, Any]]:
    """The rows with their object types spelled as ``spell`` spells them, so that a label
    one row creates is the one a row naming the object otherwise finds (the result keeps
    the sheet's spelling)."""
    out: list[dict[Any, Any]] = []
    for row in records:
        f, t = row["from_type"], row["to_type"]
        if isinstance(f, str) and isinstance(t, str):
            f, t = spell(ObjectPair(f, t))
        out.append({**row, "from_type": f, "to_type": t})
    return out


class _Named(NamedTuple):
    """A row's view of one label: the label, the inverse label it gives it, and (for the
    reverse direction's label a row names as its inverse) the direction seen from."""

    row: int
    label: str
    inverse: str | None
    reverse: tuple[str, str] | None = None


def _conflicts(wanted: pd.DataFrame, records: list[dict[Any, Any]]) -> dict[int, _Outcome]:
    """Rows naming one label (from type, to type, the label however spelled) with different
    inverse labels: none is created, since the first would decide without a word.  A row
    giving an inverse label names the reverse direction's label too, paired with its own
    (contacts to deals "Sponsored deal", inverse "Sponsor", is deals to contacts "Sponsor",
    inverse "Sponsored deal"): before, such a row was created beside two rows refused over
    "Sponsor", and so decided their conflict for one of them."""
    groups: dict[Key, list[_Named]] = {}
    for n, row in enumerate(records):
        f, t, label = str(row["from_type"]), str(row["to_type"]), str(row["label"])
        inverse = _shown(text(row.get("inverse_label")))
        groups.setdefault((f, t, normalize_label(label)), []).append(_Named(n, label, inverse))
        if inverse is not None:  # the same pair of labels, seen from the reverse direction
            seen = _Named(n, inverse, label, reverse=(t, f))
            groups.setdefault((t, f, normalize_label(inverse)), []).append(seen)
    describe = describer(wanted)
    out: dict[int, _Outcome] = {}
    for members in groups.values():
        named = {m.row: m for m in members}  # one label both ways is one view of its row
        folded = {n: normalize_label(m.inverse) if m.inverse else None for n, m in named.items()}
        for n, other in differing(folded).items():
            said = _conflict_words(named[n], named[other].inverse, describe(other))
            out.setdefault(
                n, _Outcome("", Status.INVALID, code=ErrorCode.CONFLICTING_ROWS, message=said)
            )
    return out


def _renamed_apart(wanted: pd.DataFrame, records: list[dict[Any, Any]]) -> dict[int, _Outcome]:
    """Rows giving one type id (from type, to type, type id) different names or inverse
    labels: none is sent.  Sent in turn, each was renamed and said ``success``, while HubSpot
    kept the last name only (1003 "Coach", then 1003 "Mentor": "Coach" reported done, and a
    label's name cannot be taken back by an undo)."""
    groups: dict[tuple[str, str, int], dict[int, tuple[str, str | None]]] = {}
    for n, row in enumerate(records):
        type_id = whole(value(row.get("type_id")))
        if type_id is None:
            continue
        key = (str(row["from_type"]), str(row["to_type"]), type_id)
        inverse = _shown(text(row.get("inverse_label")))
        asked = (str(row["label"]).strip(), inverse)
        groups.setdefault(key, {})[n] = asked
    describe = describer(wanted)
    out: dict[int, _Outcome] = {}
    for (f, t, type_id), asks in groups.items():
        # as labels compare (spaces, case aside); a blank inverse label asks nothing of it
        names = differing({n: normalize_label(a) for n, (a, _) in asks.items()})
        inverses = differing({n: b and normalize_label(b) for n, (_, b) in asks.items()})
        for n, other in {**inverses, **names}.items():
            label, inverse = asks[n]
            theirs, their_inverse = asks[other]
            mine = f'"{label}"' + (f' (inverse "{inverse}")' if inverse else "")
            yours = f'"{theirs}"' + (f' (inverse "{their_inverse}")' if their_inverse else "")
            said = (
                f"Type id {type_id} from {f} to {t} is given the name {mine} here and {yours} "
                f"in {describe(other)}; keep one (neither is sent: a label's name cannot be "
                "taken back by an undo)."
            )
            out[n] = _Outcome("", Status.INVALID, code=ErrorCode.CONFLICTING_ROWS, message=said)
    return out


def _undone(later: _Outcome | None, done: _Outcome) -> _Outcome:
    """A row's outcome once a later row undid it (:attr:`_Labeler.undone`), keeping the change
    it made (a label found renamed nothing: ``exists``); ``done`` when none did."""
    return done if later is None else replace(later, change=done.change)


def _same_name(one: str, other: str) -> bool:
    """Whether two names read as one label (:func:`normalize_label`)."""
    return normalize_label(one) == normalize_label(other)


def _conflict_words(mine: _Named, other: str | None, where: str) -> str:
    """Why a row's label is refused: it gives the label another inverse than ``where`` does."""
    label = f'"{mine.label}"'
    if mine.reverse is not None:
        label += f" (from {mine.reverse[0]} to {mine.reverse[1]}: this row's inverse label)"
    here = f'the inverse label "{mine.inverse}"' if mine.inverse else "no inverse label"
    return (
        f'The label {label} is given {here} here and "{other}" in {where}; keep one '
        "(nothing is created for either)."
    )


def _source(frame: pd.DataFrame) -> dict[str, Any]:
    """The entries of a labels sheet's ``attrs["hubframe"]`` its result keeps: the sheet's
    name, and the file it was read from (never written over by the report)."""
    meta = frame.attrs.get("hubframe")
    meta = meta if isinstance(meta, Mapping) else {}
    kept = {"source": str(meta.get("source", ""))}
    return kept | ({READ_FROM: meta[READ_FROM]} if READ_FROM in meta else {})


def _answer_type(
    answer: list[Any], label: str, inverse: str | None
) -> tuple[list[int], int | None]:
    """The type ids a create's answer gives ``label`` (both ways when unpaired), and the one it
    gives this direction when it tells: the name tells it only when the reverse one is named
    otherwise (an unpaired label, or one paired with its own name, is named so both ways)."""
    mine = [
        r
        for r in answer
        if isinstance(r, dict)
        and whole(r.get("typeId")) is not None
        and normalize_label(str(r.get("label") or "")) == normalize_label(label)
    ]
    ids = [int(t) for t in (whole(r.get("typeId")) for r in mine) if t is not None]
    told = inverse is not None and normalize_label(inverse) != normalize_label(label)
    given = ids[0] if len(ids) == 1 and told else None
    return ids, given


def _created_unread(
    f: str,
    t: str,
    label: str,
    named: list[int],
    given: int | None,
    before: set[int],
    again: HubframeError,
) -> _Outcome:
    """A create whose labels could not be read back: created when HubSpot's answer names the
    label with a type id new to the pair (this direction's when ``given``, else none taken:
    an unpaired label's answer lists both directions' ids in no documented order), else the
    row's outcome is unknown."""
    new = [i for i in named if i not in before]
    if given is not None and given in new:
        unread = (
            f"Created: type id {given} as HubSpot's answer gives it; the labels could not "
            f"be read back to check it ({again})."
        )
        return _Outcome("create", Status.SUCCESS, USER_DEFINED, given, message=unread)
    if new:
        ids = " and ".join(str(i) for i in sorted(new))
        unread = (
            f'Created: HubSpot\'s answer names "{label}" (type ids {ids}, both ways, in no '
            f"order it documents), and the labels could not be read back to tell which is "
            f"from {f} to {t} ({again}), so none is given here. Use the label by name."
        )
        return _Outcome("create", Status.SUCCESS, USER_DEFINED, None, message=unread)
    answered = "without naming it" if not named else "naming only type ids the pair held before"
    lost = (
        f"HubSpot answered the create {answered}, and the labels could not be "
        f'read again ({again}); check whether "{label}" exists from {f} to {t} before '
        "running again."
    )
    return _Outcome("create", Status.FAILED, code=ErrorCode.UNKNOWN_OUTCOME, message=lost)


def _created_read(
    f: str, t: str, label: str, now: list[LabelDef], given: int | None, named: list[int]
) -> _Outcome:
    """A create's outcome from the labels named ``label`` new since (``now``), the type id
    the answer gave this direction (``given``) and the type ids it named the label with
    (``named``: none, an answer that did not name it)."""
    chosen = next((d for d in now if d.type_id == given), None)
    if chosen is not None:
        return _Outcome("create", Status.SUCCESS, chosen.category, chosen.type_id)
    if len(now) == 1:
        said: str | None = None  # the answer named it both ways: the read tells which
        if given is not None:
            said = (
                f"Created: HubSpot's answer gave type id {given}, but the labels read back "
                f'list "{label}" from {f} to {t} as type id {now[0].type_id}, which is given '
                "here."
            )
        elif not named:
            said = (
                f'Created: HubSpot\'s answer did not name "{label}", but HubSpot now lists it '
                f"from {f} to {t} (type id {now[0].type_id})."
            )
        return _Outcome("create", Status.SUCCESS, now[0].category, now[0].type_id, message=said)
    if now:  # the label and its inverse under one name, both ways between one object
        ids = " and ".join(str(d.type_id) for d in sorted(now, key=lambda d: d.type_id))
        said = (
            f'Created: HubSpot now lists "{label}" from {f} to {t} both ways (type ids '
            f"{ids}); which id is this direction's its answer does not say, so none is "
            "given here. Use the label by name."
        )
        return _Outcome("create", Status.SUCCESS, now[0].category, None, message=said)
    answered = f"(type id {given})" if given is not None else f'without naming "{label}"'
    said = (
        f"Not applied: HubSpot answered the create {answered}, but the labels read now list "
        f'no new label "{label}" from {f} to {t}. Run the sheet again.'
    )
    return _Outcome("create", Status.FAILED, code=ErrorCode.NOT_APPLIED, message=said)


def _unread(exc: HubframeError) -> bool:
    """Whether ``exc`` is a 2xx answer hubframe could not read (not HubSpot's answer)."""
    status = getattr(exc, "http_status", None)
    return isinstance(status, int) and 200 <= status < 300


def _lost(exc: HubframeError) -> str:
    """What became of a create's answer, as a row's message says it."""
    if _unread(exc):
        return f'HubSpot\'s answer could not be read ("{exc}")'
    return f'HubSpot\'s first answer was lost and the retry was refused ("{exc}")'


def _unanswered(exc: HubframeError) -> str:
    if _unread(exc):
        return f'HubSpot\'s answer to the create could not be read ("{exc}")'
    return f'HubSpot did not answer the create ("{exc}")'


__all__ = ["configure_labels", "internal_name", "spellings"]
