"""Labels from a sheet: :func:`configure_labels` (``hubframe labels FILE``).

A sheet names labels -- a labels sheet (:func:`hubframe.io.labels.read_labels`: types, label,
optionally its inverse label, type id and internal name), or any pairs or limits sheet (the
labels its rows name).  For each distinct (from type, to type, label):

* the portal has it (names compared case- and space-insensitively): ``exists``, ``skipped``
  with ``LABEL_EXISTS`` and its category and type id;
* the portal lacks it: ``create`` -- a user-defined label, paired when the sheet gives an
  inverse label (HubSpot then names the reverse direction with it);
* the sheet gives a type id whose label the portal names otherwise: ``rename``, done only with
  ``renames=True`` (else ``invalid``, ``RENAME_REFUSED``);
* a new name or inverse name that reads as another label of the pair (case, spaces, invisible
  characters aside) is neither created nor given: ``invalid``, ``LABEL_WOULD_REPEAT``.

Labels are created one request each (HubSpot has no batch call for them), under the client's
rate limiter.  A create whose answer was lost is never reported as not done while HubSpot shows
the label: the labels are read again, and the row is what they show.  A created row takes the
type id of the result naming its label (an answer lists the reverse direction too, in no
documented order); an answer that names it in neither or both directions is settled by reading
the labels again (``NOT_APPLIED`` when they do not list it).  A dry run reports
``planned`` for what it would create or rename.  The result has one row per label: ``sheet``,
``row``, ``from_type``, ``to_type``, ``label``, ``inverse_label``, ``change``, ``category``,
``type_id``, ``status``, ``error_code``, ``error_message``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from hubframe.argtypes import flag
from hubframe.constants import UNLABELED_NAMES
from hubframe.errors import ErrorCode, HubframeError, InputError, StopReason
from hubframe.hubspot.client import HubSpotClient, require_client
from hubframe.io.labels import LABELS_KIND, RAW_TYPE_ID, read_labels
from hubframe.io.normalize import is_valid_object_type, normalize_label
from hubframe.io.sheet_errors import explain, is_error_text
from hubframe.run.labels import LabelDef, named, visible_label
from hubframe.run.rows import describer, differing, text, value, whole
from hubframe.vocab import Action, Status

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


def _shown(inverse: str | None) -> str | None:
    return visible_label(inverse) or None if inverse else None


def internal_name(label: str) -> str:
    """The internal name HubSpot needs for a new label: letters, digits and underscores."""
    name = "".join(c if c.isascii() and c.isalnum() else "_" for c in label.lower()).strip("_")
    name = "_".join(part for part in name.split("_") if part) or "label"
    return f"label_{name}" if name[0].isdigit() else name


def _wanted(sheet: Any, from_type: str | None, to_type: str | None) -> pd.DataFrame:
    """The labels the sheet names (see the module docstring)."""
    if isinstance(sheet, pd.DataFrame):
        meta = sheet.attrs.get("hubframe")
        kind = meta.get("kind") if isinstance(meta, Mapping) else None
        if kind in ("pairs", "limits", LABELS_KIND):
            return _from_frame(sheet, labels_sheet=kind == LABELS_KIND)
    try:
        return read_labels(sheet, from_type=from_type, to_type=to_type)
    except InputError as first:
        from hubframe.io import read_limits, read_pairs

        for reader in (read_pairs, read_limits):
            try:
                return _from_frame(reader(sheet, from_type=from_type, to_type=to_type))
            except InputError:
                continue
        raise first from None


def _from_frame(frame: pd.DataFrame, *, labels_sheet: bool = False) -> pd.DataFrame:
    """The distinct labels of a read sheet, first row of each."""
    rows = frame.loc[frame["label"].notna()]
    out = pd.DataFrame(
        {
            "sheet": rows["sheet"].astype(object) if "sheet" in rows else "",
            "row": rows.get("row"),
            "from_type": rows["from_type"].astype(object),
            "to_type": rows["to_type"].astype(object),
            "label": rows["label"].astype(object).map(lambda v: text(v)),
            "inverse_label": rows["inverse_label"] if labels_sheet else None,
            "type_id": rows["type_id"] if labels_sheet else pd.NA,
            "name": rows["name"] if labels_sheet else None,
            RAW_TYPE_ID: rows.get(RAW_TYPE_ID),
        }
    )
    out = out.loc[out["label"].notna()]
    keep = [normalize_label(str(v)) not in UNLABELED_NAMES for v in out["label"]]
    out = out.loc[keep]
    keys = [
        (str(f), str(t), normalize_label(str(lbl)))
        for f, t, lbl in zip(out["from_type"], out["to_type"], out["label"], strict=True)
    ]
    return out.loc[~pd.Series(keys, index=out.index).duplicated()].reset_index(drop=True)


@dataclass
class _Outcome:
    change: str
    status: Status
    category: str | None = None
    type_id: int | None = None
    code: ErrorCode | None = None
    message: str | None = None


#: The cells of a labels row that say what is created, in words.
_NAMING: Final = {
    "label": "label",
    "inverse_label": "inverse label",
    "name": "internal name",
    "from_type": "'from' object type",
    "to_type": "'to' object type",
    RAW_TYPE_ID: "type id",
}


def _refused(row: Mapping[str, Any]) -> _Outcome | None:
    """A row whose cells cannot say what to create: a spreadsheet error (#N/A) in any of them,
    a type that names no object, a type id that is not a whole number.  Never created under
    that text, nor without the inverse label the sheet meant, nor as a new label where a type
    id (a rename) was meant."""
    for column, what in _NAMING.items():
        cell = text(value(row.get(column)))
        if not cell:
            continue
        if is_error_text(cell):
            holds, fix = explain(cell)
            said = f"The {what} cell '{cell}' {holds}. Nothing is created for this row. {fix}"
            return _Outcome("", Status.INVALID, code=ErrorCode.FORMULA_ERROR, message=said)
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


def _reads_as(label: str, defs: list[LabelDef]) -> LabelDef | None:
    """A label of ``defs`` that reads as ``label`` (case, spaces, invisible characters)."""
    return next(iter(named(label, defs)), None)


@dataclass
class _Labeler:
    client: HubSpotClient
    renames: bool
    dry_run: bool
    known: dict[tuple[str, str], list[LabelDef]] = field(default_factory=dict)
    stop: StopReason | None = None

    def labels(self, from_type: str, to_type: str) -> list[LabelDef]:
        from hubframe.run.labels import LabelBook

        key = (from_type, to_type)
        if key not in self.known:
            self.known[key] = LabelBook(self.client).labels(from_type, to_type)
        return self.known[key]

    def one(self, row: Mapping[str, Any]) -> _Outcome:
        f, t, label = str(row["from_type"]), str(row["to_type"]), str(row["label"])
        if self.stop is not None:
            return _Outcome("", self.stop.status, code=self.stop.code, message=self.stop.message)
        refused = _refused(row)
        if refused is not None:
            return refused
        try:
            return self._decide(f, t, label, row)
        except HubframeError as exc:
            if exc.stops_run:
                self.stop = StopReason.of(exc)
                return _Outcome("", self.stop.status, code=self.stop.code, message=str(exc))
            code = exc.code or ErrorCode.HUBSPOT_VALIDATION
            return _Outcome("", Status.FAILED, code=code, message=str(exc))

    def _decide(self, f: str, t: str, label: str, row: Mapping[str, Any]) -> _Outcome:
        defs = self.labels(f, t)
        type_id = whole(value(row.get("type_id")))
        if type_id is not None:
            return self._by_id(f, t, label, type_id, defs, row)
        spelled = named(label, defs)  # the one spelled exactly as the sheet first
        if spelled:
            d = spelled[0]
            said = f'The label "{d.label}" exists from {f} to {t}; nothing to create.'
            return _Outcome(
                "exists", Status.SKIPPED, d.category, d.type_id, ErrorCode.LABEL_EXISTS, said
            )
        return self._create(f, t, label, row)

    def _by_id(
        self, f: str, t: str, label: str, type_id: int, defs: list[LabelDef], row: Mapping[str, Any]
    ) -> _Outcome:
        found = next((d for d in defs if d.type_id == type_id), None)
        if found is None or found.label is None:
            return _Outcome(
                "",
                Status.INVALID,
                code=ErrorCode.INVALID_ASSOCIATION_TYPE,
                message=f"Type id {type_id} is not a label from {f} to {t}.",
            )
        if normalize_label(found.label) == normalize_label(label):
            said = f'The label "{found.label}" exists from {f} to {t}; nothing to change.'
            return _Outcome(
                "exists", Status.SKIPPED, found.category, type_id, ErrorCode.LABEL_EXISTS, said
            )
        twin = _reads_as(label, [d for d in defs if d.type_id != type_id])
        if twin is not None:  # two labels that read the same: every later match ambiguous
            return _Outcome(
                "rename",
                Status.INVALID,
                found.category,
                type_id,
                ErrorCode.LABEL_WOULD_REPEAT,
                f'Type id {type_id} ("{found.label}") is not renamed "{label}": the label '
                f'"{twin.label}" (type id {twin.type_id}) exists from {f} to {t} and would read '
                "the same. Choose another name, or use that label.",
            )
        if not self.renames:
            return _Outcome(
                "rename",
                Status.INVALID,
                found.category,
                type_id,
                ErrorCode.RENAME_REFUSED,
                f'Type id {type_id} is "{found.label}" in HubSpot, not "{label}"; not renamed '
                "(renames=True / --rename renames it).",
            )
        if self.dry_run:
            said = f'Planned: "{found.label}" is renamed "{label}".'
            return _Outcome("rename", Status.PLANNED, found.category, type_id, message=said)
        inverse = _shown(text(row.get("inverse_label")))
        try:
            self.client.update_label(f, t, type_id, visible_label(label), inverse)
        except HubframeError as exc:
            self._forget(f, t)
            if not exc.may_have_applied:
                raise
            return self._maybe_renamed(f, t, label, found, exc)
        self._forget(f, t)
        return _Outcome("rename", Status.SUCCESS, found.category, type_id)

    def _maybe_renamed(
        self, f: str, t: str, label: str, found: LabelDef, exc: HubframeError
    ) -> _Outcome:
        """A rename whose answer was lost (then retried, and refused or failed): the labels
        are read again, and the row is what they show -- renamed when the type id now bears
        the new name, else the failure.  A run that stops says the rename may be done."""
        if exc.stops_run:
            return self._stopped(exc, "rename", "renamed the label", found)
        now = self._read_again(f, t, visible_label(label), "HubSpot's answer was lost", "rename")
        if isinstance(now, _Outcome):
            return now
        if not any(d.type_id == found.type_id for d in now):
            raise exc
        said = (
            f'Renamed: HubSpot\'s first answer was lost and the retry was refused ("{exc}"), but '
            f'HubSpot now names type id {found.type_id} "{visible_label(label)}" from {f} to {t}.'
        )
        return _Outcome("rename", Status.SUCCESS, found.category, found.type_id, message=said)

    def _stopped(
        self, exc: HubframeError, change: str, done: str, found: LabelDef | None = None
    ) -> _Outcome:
        """A write whose answer was lost, in a run that then stopped: its outcome is unknown."""
        self.stop = StopReason.of(exc)
        said = f"{exc} HubSpot may have {done} before its answer was lost."
        category, type_id = (found.category, found.type_id) if found else (None, None)
        return _Outcome(
            change, self.stop.status, category, type_id, ErrorCode.UNKNOWN_OUTCOME, said
        )

    def _create(self, f: str, t: str, label: str, row: Mapping[str, Any]) -> _Outcome:
        label, inverse = visible_label(label), _shown(text(row.get("inverse_label")))
        twin = _reads_as(inverse, self.labels(t, f)) if inverse else None
        if twin is not None:  # the reverse direction would get two labels that read the same
            return _Outcome(
                "create",
                Status.INVALID,
                code=ErrorCode.LABEL_WOULD_REPEAT,
                message=(
                    f'The label "{label}" is not created: its inverse label "{inverse}" would '
                    f'read the same as "{twin.label}" (type id {twin.type_id}), which exists '
                    f"from {t} to {f}. Choose another inverse label."
                ),
            )
        if self.dry_run:
            paired = f' (inverse label "{inverse}")' if inverse else ""
            said = f'Planned: the label "{label}"{paired} is created from {f} to {t}.'
            return _Outcome("create", Status.PLANNED, message=said)
        name = text(row.get("name")) or internal_name(label)
        try:
            created = self.client.create_label(f, t, name, label, inverse)
        except HubframeError as exc:
            self._forget(f, t)
            if not exc.may_have_applied:
                raise
            return self._maybe_created(f, t, label, exc)
        self._forget(f, t)
        return self._created(f, t, label, created, inverse)

    def _created(
        self, f: str, t: str, label: str, answer: list[Any], inverse: str | None
    ) -> _Outcome:
        """A create HubSpot answered: the row takes the type id of the one result naming the
        label (the answer lists the reverse direction too, in no documented order: a paired
        label's inverse, or an unpaired label under the same name).  Otherwise the labels are
        read again, and the row is what they show."""
        mine = [
            r
            for r in answer
            if isinstance(r, dict)
            and whole(r.get("typeId")) is not None
            and normalize_label(str(r.get("label") or "")) == normalize_label(label)
        ]
        # The name tells the direction only when the reverse one is named otherwise: an
        # unpaired label, or one paired with its own name, is named so both ways.
        told = inverse is not None and normalize_label(inverse) != normalize_label(label)
        if len(mine) == 1 and told:
            first = mine[0]
            category = str(first.get("category") or "USER_DEFINED")
            return _Outcome("create", Status.SUCCESS, category, whole(first.get("typeId")))
        now = self._read_again(f, t, label, "HubSpot answered the create without naming it")
        if isinstance(now, _Outcome):
            return now
        if len(now) == 1 and mine:  # the answer named it both ways: the read tells which
            return _Outcome("create", Status.SUCCESS, now[0].category, now[0].type_id)
        if len(now) == 1:
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
        said = (
            f'Not applied: HubSpot answered the create without naming "{label}", and the labels '
            f"read now do not list it from {f} to {t}. Run the sheet again."
        )
        return _Outcome("create", Status.FAILED, code=ErrorCode.NOT_APPLIED, message=said)

    def _read_again(
        self, f: str, t: str, label: str, why: str, change: str = "create"
    ) -> list[LabelDef] | _Outcome:
        """The labels named ``label`` from ``f`` to ``t`` read again after a create (or a
        rename: ``change``) whose answer does not say what it did (``why``); a row of unknown
        outcome when the read fails too."""
        try:
            return [d for d in self.labels(f, t) if d.label == label]
        except HubframeError as again:
            if again.stops_run:
                raise
            said = (
                f'{why}, and the labels could not be read again ({again}); check whether "{label}" '
                f"exists from {f} to {t} before running again."
            )
            return _Outcome(change, Status.FAILED, code=ErrorCode.UNKNOWN_OUTCOME, message=said)

    def _forget(self, f: str, t: str) -> None:
        """The labels of the pair (both ways) are read again when next needed."""
        self.known.pop((f, t), None)
        self.known.pop((t, f), None)

    def _maybe_created(self, f: str, t: str, label: str, exc: HubframeError) -> _Outcome:
        """A create whose answer was lost (then retried, and refused or failed): the labels are
        read again, and the row is what they show -- created when the label is there now (it
        was not before), else the failure.  A run that stops says the label may exist."""
        if exc.stops_run:
            return self._stopped(exc, "", "created the label")
        now = self._read_again(f, t, label, "HubSpot's answer was lost")
        if isinstance(now, _Outcome):
            return now
        if len(now) != 1:
            raise exc
        said = (
            f'Created: HubSpot\'s first answer was lost and the retry was refused ("{exc}"), '
            f'but HubSpot now lists "{label}" from {f} to {t} (type id {now[0].type_id}).'
        )
        return _Outcome("create", Status.SUCCESS, now[0].category, now[0].type_id, message=said)


def configure_labels(
    sheet: Any,
    client: HubSpotClient,
    *,
    renames: bool = False,
    dry_run: bool = False,
    from_type: str | None = None,
    to_type: str | None = None,
) -> pd.DataFrame:
    """Create the labels a sheet names and the portal lacks; report those that exist; rename
    only when asked (see the module docstring).  ``sheet``: a labels, pairs or limits sheet
    (anything the readers read, or their output); ``from_type`` / ``to_type`` for sheets
    without type columns.  Returns one row per label."""
    require_client(client)
    wanted = _wanted(sheet, from_type, to_type)
    labeler = _Labeler(client, flag("renames", renames), flag("dry_run", dry_run))
    records = wanted.to_dict("records")
    held = _conflicts(wanted, records)
    found = [
        held.get(n) or labeler.one({str(k): v for k, v in row.items()})
        for n, row in enumerate(records)
    ]
    result = pd.DataFrame(
        {
            "sheet": wanted["sheet"].astype("string"),
            "row": pd.array(wanted["row"].tolist(), dtype="Int64"),
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
    result.attrs["hubframe"] = {"kind": LABELS_KIND, "source": _source(wanted)}
    return result


def _conflicts(wanted: pd.DataFrame, records: list[dict[Any, Any]]) -> dict[int, _Outcome]:
    """Rows naming one label (from type, to type, the label however spelled) with different
    inverse labels: none is created, since the first would decide without a word."""
    groups: dict[Key, list[int]] = {}
    for n, row in enumerate(records):
        key = (str(row["from_type"]), str(row["to_type"]), normalize_label(str(row["label"])))
        groups.setdefault(key, []).append(n)
    describe = describer(wanted)
    out: dict[int, _Outcome] = {}
    for members in groups.values():
        inverses = {n: _shown(text(records[n].get("inverse_label"))) for n in members}
        folded = {n: normalize_label(v) if v else None for n, v in inverses.items()}
        for n, other in differing(folded).items():
            here = f'the inverse label "{inverses[n]}"' if inverses[n] else "no inverse label"
            message = (
                f'The label "{records[n]["label"]}" is given {here} here and '
                f'"{inverses[other]}" in {describe(other)}; keep one (nothing is created for '
                "either)."
            )
            out[n] = _Outcome("", Status.INVALID, code=ErrorCode.CONFLICTING_ROWS, message=message)
    return out


def _source(frame: pd.DataFrame) -> str:
    meta = frame.attrs.get("hubframe")
    return str(meta.get("source", "")) if isinstance(meta, Mapping) else ""


# --- limits sheets naming labels created in the same command ------------------------------------


def planned_labels(result: pd.DataFrame) -> set[Key]:
    """The labels a dry run of :func:`configure_labels` would create, both directions."""
    planned = result.loc[(result["status"] == "planned") & (result["change"] == "create")]
    out: set[Key] = set()
    for f, t, label, inverse in planned[
        ["from_type", "to_type", "label", "inverse_label"]
    ].itertuples(index=False):
        out.add((str(f), str(t), normalize_label(str(label))))
        back = inverse if value(inverse) is not None else label
        out.add((str(t), str(f), normalize_label(str(back))))
    return out


def assume_created(limits: pd.DataFrame, planned: set[Key]) -> pd.DataFrame:
    """A limits dry run's rows that name a label the same command creates first: ``planned``
    (not ``invalid`` with ``UNKNOWN_LABEL``)."""
    if not planned:
        return limits
    out = limits.copy()
    codes = out["error_code"].astype("string")
    for pos in out.index[(codes == str(ErrorCode.UNKNOWN_LABEL)).fillna(False)]:
        row = out.loc[pos]
        key = (str(row["from_type"]), str(row["to_type"]), normalize_label(str(row["label"])))
        if key in planned:
            _assumed(out, pos, str(row["label"]), removes=row.get("action") == Action.PURGE_LIMIT)
    return out


def _assumed(out: pd.DataFrame, pos: Any, label: str, *, removes: bool) -> None:
    """A dry run's row naming a label the command creates first: planned, or for a removal
    skipped (a new label has no limit to remove: the real run skips it too)."""
    out.loc[pos, "error_code"] = pd.NA
    if removes:
        out.loc[pos, "status"] = str(Status.SKIPPED)
        out.loc[pos, "error_message"] = (
            f'The label "{label}" is created first (--create-labels) and has no limit yet; '
            "nothing to remove."
        )
        if "limit_change" in out.columns:
            out.loc[pos, "limit_change"] = "nothing: there is no limit to remove"
        return
    out.loc[pos, "status"] = str(Status.PLANNED)
    out.loc[pos, "error_message"] = (
        f'Planned once the label "{label}" is created (--create-labels); the limit is checked then.'
    )


__all__ = ["assume_created", "configure_labels", "internal_name", "planned_labels"]
