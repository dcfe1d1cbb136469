"""What validation with a client finds in HubSpot, with the code a run uses (the checks listed
in :mod:`hubframe.jobs.check`'s docstring): looked-up values, labels, record ids, primary
companies and limits.  Loaded only when ``hf.validate_pairs`` / ``hf.validate_limits`` are given a
client: an offline validation needs none of the run's modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hubframe.constants import ID_PROPERTIES, PRIMARY_COMPANY
from hubframe.errors import ErrorCode, HubframeError
from hubframe.hubspot.client import require_client
from hubframe.io.normalize import is_valid_object_type
from hubframe.jobs.check import (
    CHECKED_IN,
    ONLINE_CODES,
    ROW_DIGESTS,
    above_object_limit,
    row_digests,
)
from hubframe.run.labels import (
    LabelBook,
    LabelDef,
    LabelRefused,
    NoAssociationType,
    UnlistedType,
    resolve,
    unknown_object_type,
)
from hubframe.run.lookup import Matches, id_properties, match_records
from hubframe.run.pairs import labeled_pairs
from hubframe.run.portal import PortalKey
from hubframe.run.reads import read_records
from hubframe.run.rows import NOTHING_TO_DO, columns, describer, issue_outcomes, text
from hubframe.run.spelling import sheet_objects
from hubframe.validate import ERROR, invalid_rows
from hubframe.validate import validate_limits as _offline_limits
from hubframe.validate import validate_pairs as _offline_pairs
from hubframe.vocab import object_noun

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient

SIDES = ("from", "to")


@dataclass
class _Found:
    """Issues found in HubSpot, as the rows of an issues table."""

    frame: pd.DataFrame
    rows: list[dict[str, Any]] = field(default_factory=list)
    flagged: set[int] = field(default_factory=set)

    def add(self, pos: int, column: str, code: ErrorCode, message: str) -> None:
        cell = self.frame[column].iloc[pos] if column in self.frame.columns else None
        self.rows.append(
            {
                "sheet": str(self.frame["sheet"].iloc[pos]),
                "row": int(self.frame["row"].iloc[pos]),
                "column": column,
                "value": "" if text(cell) is None else str(text(cell)),
                "code": str(code),
                "message": message,
                "severity": ERROR,
                "position": pos,
            }
        )
        self.flagged.add(pos)

    def merged(self, offline: pd.DataFrame) -> pd.DataFrame:
        """The offline issues and these, in row order (offline ones first on a row)."""
        if not self.rows:
            return offline
        found = pd.DataFrame(self.rows, columns=list(offline.columns))
        both = pd.concat([offline, found.astype(offline.dtypes.to_dict())], ignore_index=True)
        ordered = both.sort_values("position", kind="stable").reset_index(drop=True)
        return ordered.astype(offline.dtypes.to_dict())


def _open_rows(frame: pd.DataFrame, offline: pd.DataFrame, found: _Found) -> list[int]:
    """Positions of rows with no error yet (the ones a run would go on with): not those a
    warning leaves nothing to do (an empty limit cell, a record with no targets), which a run
    never sends -- an error found online there would turn a skipped row invalid."""
    bad = invalid_rows(frame, offline).to_numpy(dtype=bool)
    idle = offline.loc[offline["code"].isin(list(NOTHING_TO_DO)), "position"]
    done = found.flagged | {int(p) for p in idle.dropna().tolist()}
    return [p for p in np.flatnonzero(~bad).tolist() if p not in done]


def _by_type(frame: pd.DataFrame, side: str, positions: Iterable[int]) -> dict[str, list[int]]:
    """Object type -> positions whose ``side`` id is filled, for known object types."""
    todo = list(positions)
    types, ids = columns(frame, todo, (f"{side}_type", f"{side}_id"))
    out: dict[str, list[int]] = {}
    for pos, object_type, value in zip(todo, types, ids, strict=True):
        if object_type is not None and is_valid_object_type(str(object_type)) and text(value):
            out.setdefault(str(object_type), []).append(pos)
    return out


def _read_failed(exc: HubframeError, what: str) -> str:
    return f"Could not check {what} in HubSpot: {str(exc).rstrip('.')}."


#: (object type, the sheet's values) -> what HubSpot holds for them.
Known = Callable[[str, list[str]], Matches]


def _check_side(
    frame: pd.DataFrame,
    found: _Found,
    open_: list[int],
    side: str,
    known_of: Known,
    what: Callable[[str], str],
    missing: Callable[[str, str], str],
) -> dict[int, str]:
    """Every value of one side's id column that HubSpot does not know: OBJECT_NOT_FOUND (or
    AMBIGUOUS_RECORD when several records hold it, or HubSpot's refusal to look it up, as a
    run says it), or the read's own failure on each row of the object type when HubSpot could
    not be read.  Returns the record id each row's value
    names (by position), for the rows whose value names one."""
    column = f"{side}_id"
    cells = frame[column].to_numpy(dtype=object)
    named: dict[int, str] = {}
    for object_type, positions in _by_type(frame, side, open_).items():
        values = {p: str(cells[p]) for p in positions}
        try:
            known = known_of(object_type, list(values.values()))
        except HubframeError as exc:
            if exc.stops_run:
                raise
            said = _read_failed(exc, what(object_type))
            for pos in positions:
                found.add(pos, column, exc.code or ErrorCode.HUBSPOT_VALIDATION, said)
            continue
        for pos, value in values.items():
            several, refused = known.several.get(value), known.refused.get(value)
            if refused is not None:  # HubSpot would not look it up: not known missing
                found.add(pos, column, *refused)
            elif several is not None:
                found.add(pos, column, ErrorCode.AMBIGUOUS_RECORD, several)
            elif value not in known.ids:
                found.add(pos, column, ErrorCode.OBJECT_NOT_FOUND, missing(object_type, value))
            else:
                named[pos] = known.ids[value]
    return named


#: side ("from", "to") -> position -> the record id a looked-up value names
Named = dict[str, dict[int, str]]


def _check_lookups(
    frame: pd.DataFrame, client: HubSpotClient, found: _Found, open_: list[int], named: Named
) -> None:
    """Sides named by a unique property: every value HubSpot does not know; then, on the ids
    they name (kept in ``named``), the rows whose two sides are one record (``SAME_RECORD``,
    as a run finds it)."""
    properties = id_properties(frame)
    for side, prop in properties.items():

        def known_of(object_type: str, values: list[str], prop: str = prop) -> Matches:
            return match_records(client, object_type, prop, values)

        def missing(object_type: str, value: str, prop: str = prop) -> str:
            return f'No {object_noun(object_type)} with {prop} "{value}" exists in HubSpot.'

        def what(object_type: str, prop: str = prop) -> str:
            return f"{object_type} by {prop}"

        named[side] = _check_side(frame, found, open_, side, known_of, what, missing)
    if properties:
        _check_same_records(frame, named, found)


def _check_same_records(
    frame: pd.DataFrame, named: Mapping[str, Mapping[int, str]], found: _Found
) -> None:
    """The rows whose looked-up sides name records, checked as the run checks them once it
    has the ids: the sheet's own checks on the rows with the ids in place, SAME_RECORD kept."""
    sides = list(named)
    positions = sorted(set.intersection(*(set(named[s]) for s in sides)))
    if not positions:
        return
    rows = frame.iloc[positions].reset_index(drop=True)
    for side in sides:
        column = f"{side}_id"
        ids = [named[side][p] for p in positions]
        rows[column] = pd.Series(ids, dtype=frame[column].dtype)
    meta = dict(frame.attrs.get("hubframe") or {})
    meta.pop(ID_PROPERTIES, None)
    rows.attrs = {**frame.attrs, "hubframe": meta}
    issues = _offline_pairs(rows)
    same = issues.loc[issues["code"].astype(str) == ErrorCode.SAME_RECORD.value]
    for at, message in zip(same["position"], same["message"], strict=True):
        found.add(positions[int(at)], "to_id", ErrorCode.SAME_RECORD, str(message))


def _check_labels(
    frame: pd.DataFrame, book: LabelBook, found: _Found, open_: list[int], *, pairs: bool
) -> None:
    """Each row's label (or type id) resolves for its object pair, as the run resolves it."""
    names = ("from_type", "to_type", "label", "category", "type_id")
    cache: dict[tuple[Any, ...], tuple[ErrorCode, str, str] | None] = {}
    for pos, key in zip(open_, zip(*columns(frame, open_, names), strict=True), strict=True):
        if key not in cache:
            cache[key] = _label_problem(book, dict(zip(names, key, strict=True)), pairs=pairs)
        problem = cache[key]
        if problem is not None:
            found.add(pos, problem[1], problem[0], problem[2])


def _label_problem(
    book: LabelBook, row: dict[str, Any], *, pairs: bool
) -> tuple[ErrorCode, str, str] | None:
    """(code, column, message) of a row whose association type does not resolve, else None."""
    if row["from_type"] is None or row["to_type"] is None:
        return None
    try:  # the pair's types are read for every row: the token and the pair are checked too
        book.labels(str(row["from_type"]), str(row["to_type"]))
        resolve(book, row, unlabeled_default=pairs, listed_only=True)
    except NoAssociationType as exc:  # the objects cannot be associated: the run refuses it
        return ErrorCode.INVALID_ASSOCIATION_TYPE, "to_type", str(exc)
    except UnlistedType as exc:  # the run refuses it with the same words
        return ErrorCode.INVALID_ASSOCIATION_TYPE, "type_id", str(exc)
    except LabelRefused as exc:
        return exc.code or ErrorCode.UNKNOWN_LABEL, "label", str(exc)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        unknown = unknown_object_type(exc, str(row["from_type"]), str(row["to_type"]))
        if unknown is not None:
            return ErrorCode.BAD_OBJECT_TYPE, unknown[0], unknown[1]
        what = f"the labels from {row['from_type']} to {row['to_type']}"
        return exc.code or ErrorCode.HUBSPOT_VALIDATION, "label", _read_failed(exc, what)
    return None


def _check_primaries(
    frame: pd.DataFrame,
    book: LabelBook,
    found: _Found,
    open_: list[int],
    named: Named,
    offline: pd.DataFrame,
) -> None:
    """Rows giving one record two different primary companies (``CONFLICTING_ROWS``), found
    as the run finds them (:func:`hubframe.run.primary.conflicts`) on the rows it would send:
    labels resolved, looked-up sides as the ids they name, repeats of a row left out."""
    from hubframe.run.primary import conflicts, primary_row, primary_spec

    settled = issue_outcomes(frame, found.merged(offline))
    todo = [p for p in open_ if p not in settled]
    names = ("from_type", "to_type", "label", "category", "type_id", "from_id", "to_id")
    cache: dict[tuple[Any, ...], LabelDef | None] = {}
    rows = []
    for pos, cells in zip(todo, zip(*columns(frame, todo, names), strict=True), strict=True):
        row = dict(zip(names, cells, strict=True))
        key = cells[:5]
        if key not in cache:
            cache[key] = _resolved(book, row)
        spec = cache[key]
        if (
            spec is None
            or primary_spec(str(cells[0]), str(cells[1]), spec.category, spec.type_id) is None
        ):
            continue
        ids = tuple(named.get(side, {}).get(pos, str(text(row[f"{side}_id"]))) for side in SIDES)
        made = primary_row(
            pos, (str(cells[0]), str(cells[1])), (ids[0], ids[1]), spec.category, spec.type_id
        )
        if made is not None:
            rows.append(made)
    for pos, message in conflicts(rows, describer(frame)).items():
        side = "to_id" if str(frame["from_type"].iloc[pos]) != PRIMARY_COMPANY else "from_id"
        found.add(pos, side, ErrorCode.CONFLICTING_ROWS, message)


def _resolved(book: LabelBook, row: Mapping[str, Any]) -> LabelDef | None:
    """The association type a row asks for, or None (unlabeled, or it does not resolve)."""
    try:
        return resolve(book, row, unlabeled_default=True)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        return None


def records_found(client: HubSpotClient, object_type: str, ids: Iterable[str]) -> set[str]:
    """The record ids among ``ids`` that exist in HubSpot (objects batch reads, 100 a call, at
    once under the client's rate limiter)."""
    return {str(r["id"]) for r in read_records(client, object_type, ids) if r.get("id")}


def _records_read(object_type: str) -> str:
    return f"the {object_type} records"


def _missing_record(object_type: str, record: str) -> str:
    return (
        f"HubSpot has no {object_noun(object_type)} with id {record} (it may be deleted, or "
        "belong to another object type)."
    )


def _check_records(
    frame: pd.DataFrame, client: HubSpotClient, found: _Found, open_: list[int]
) -> None:
    """Every record id (sides not named by a property) exists."""
    named = id_properties(frame)
    for side in (s for s in SIDES if s not in named):

        def known_of(object_type: str, ids: list[str]) -> Matches:
            return Matches({i: i for i in records_found(client, object_type, ids)})

        _check_side(frame, found, open_, side, known_of, _records_read, _missing_record)


def _connected(
    frame: pd.DataFrame,
    offline: pd.DataFrame,
    steps: Iterable[Callable[[_Found, list[int]], None]],
    client: HubSpotClient,
) -> pd.DataFrame:
    found = _Found(frame)
    for step in steps:
        step(found, _open_rows(frame, offline, found))
    issues = found.merged(offline)
    online = issues.loc[issues["code"].astype(str).isin(ONLINE_CODES), "position"]
    issues.attrs = {
        "hubframe": {
            CHECKED_IN: vars(PortalKey.of(client)),
            ROW_DIGESTS: row_digests(frame, online.tolist()),
        }
    }
    return issues


def pairs_online(
    frame: pd.DataFrame,
    client: HubSpotClient,
    *,
    check_records: bool,
    labels: pd.Index | None = None,
) -> pd.DataFrame:
    """``hf.validate_pairs`` with a client: the offline checks, and what a run finds
    (``labels``: the index labels of the DataFrame read, as the offline checks take them)."""
    require_client(client)
    book = LabelBook(client)
    book.prefetch(labeled_pairs(frame))  # read while the ids are looked up
    objects = sheet_objects(book, frame)  # repeats of one pair however it is spelled
    offline = _offline_pairs(frame, objects, labels)
    named: Named = {}
    steps: list[Callable[[_Found, list[int]], None]] = [
        lambda found, open_: _check_lookups(frame, client, found, open_, named),
        lambda found, open_: _check_labels(frame, book, found, open_, pairs=True),
    ]
    if check_records:
        steps.append(lambda found, open_: _check_records(frame, client, found, open_))
    steps.append(lambda found, open_: _check_primaries(frame, book, found, open_, named, offline))
    return _connected(frame, offline, steps, client)


def limits_online(
    frame: pd.DataFrame, client: HubSpotClient, *, labels: pd.Index | None = None
) -> pd.DataFrame:
    """``hf.validate_limits`` with a client: the offline checks, and what a run finds."""
    offline = _offline_limits(frame, labels=labels)
    require_client(client)
    book = LabelBook(client)
    book.prefetch(labeled_pairs(frame))
    steps: list[Callable[[_Found, list[int]], None]] = [
        lambda found, open_: _check_labels(
            frame, book, found, sorted({*open_, *above_object_limit(offline)}), pairs=False
        ),
        lambda found, open_: _check_limit_ends(frame, offline, client, book, found, open_),
    ]
    return _connected(frame, offline, steps, client)


def _check_limit_ends(
    frame: pd.DataFrame,
    offline: pd.DataFrame,
    client: HubSpotClient,
    book: LabelBook,
    found: _Found,
    open_: list[int],
) -> None:
    """What the run refuses once it has read HubSpot's labels and limits
    (:func:`hubframe.jobs.limits.portal_refusals`): rows naming one limit in different
    spellings that ask different things, and rows whose end state HubSpot would refuse."""
    from hubframe.jobs.limits import portal_refusals

    if not open_:
        return
    refused = portal_refusals(frame, found.merged(offline), client, book)
    for pos, outcome in sorted(refused.items()):
        if pos in open_ and outcome.error_code is not None:
            found.add(pos, "max_to_object_ids", outcome.error_code, str(outcome.error_message))


__all__ = ["limits_online", "pairs_online", "records_found"]
