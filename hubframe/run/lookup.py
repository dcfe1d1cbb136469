"""Record ids from unique property values: contacts by email, companies by domain, and so on.

A sheet may name records by a property the portal marks unique (``hasUniqueValue``) instead of
by record id: ``read_pairs(..., from_id_property="email")``, or a column such as "Contact email"
or "Company domain" (see :mod:`hubframe.io.columns`).  :func:`hubframe.io.read_pairs` keeps those
values in ``from_id`` / ``to_id`` and notes the property in ``attrs["hubframe"]["id_properties"]``;
:func:`resolve_ids` then turns them into record ids through HubSpot's objects batch read with
``idProperty`` (100 values a call), before the rows are validated and planned.  A value HubSpot
does not know becomes a ``failed`` row with code ``OBJECT_NOT_FOUND`` naming the value; a value
HubSpot finds on several records (companies may share a domain) is never matched to one of them
by guess: its rows are ``failed`` with code ``AMBIGUOUS_RECORD``, naming the records' ids.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe.constants import ID_PROPERTIES, LOOKED_UP
from hubframe.errors import ErrorCode, HubframeError, StopReason
from hubframe.hubspot.shapes import dig
from hubframe.io.conform import LookedUp, refuse_other_records, refuse_undone_others
from hubframe.io.normalize import char_name, is_valid_object_type
from hubframe.run.reads import Refusal, read_values, value_key
from hubframe.run.work import Outcome
from hubframe.vocab import Status, object_noun

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient

SIDES = ("from", "to")


def id_properties(frame: pd.DataFrame) -> dict[str, str]:
    """The sides of a pairs frame that hold property values instead of record ids."""
    meta = frame.attrs.get("hubframe") or {}
    given = meta.get(ID_PROPERTIES) or {}
    return {side: str(given[side]) for side in SIDES if given.get(side)}


def _key(value: object) -> str:
    """How values are grouped: case-insensitively (as HubSpot matches emails and domains), by
    :func:`~hubframe.run.reads.value_key` -- the whole value in lower case, and a lower-case
    letter case folding takes for another single letter as that letter (the final sigma 'ς'
    as 'σ', the long s 'ſ' as 's') -- not ``casefold``, which takes 'straße' for 'strasse': two
    addresses, so a row was sent with another contact's id.  Values of one key are the same
    value only when :func:`_same` says so."""
    return value_key(value)


def _same(held: str, asked: str) -> bool:
    """Whether two values of one :func:`_key` differ in case only, as HubSpot tells them
    apart: one lower case of the whole value ('ΣΑΣ@x.com' is 'σας@x.com': a sigma ending a
    word lowers to 'ς'), and not by a lookalike letter (:func:`_lookalike`): 'Kate@x.com' spelt
    with the Kelvin sign is not kate@x.com, nor 'ſam@x.com' (a long s) sam@x.com, nor
    'σασ@x.com' (a sigma where HubSpot's lower case writes 'ς') 'σας@x.com'."""
    if held.isascii() and asked.isascii():
        return True  # one key: the same letters, in other cases at most
    return _strict(held) == _strict(asked)


def _strict(value: str) -> str:
    """``value`` in lower case, as ``str.lower`` writes the whole value (a capital sigma ending
    a word as 'ς', elsewhere 'σ'), but for its lookalike letters, kept as they are."""
    text = value.strip()
    lowered = text.lower() if "\u03a3" in text else ""
    out: list[str] = []
    at = 0
    for c in text:
        low = c.lower()
        if c == "\u03a3":
            out.append(lowered[at])  # 'σ' or 'ς': where it stands says which
        else:
            out.append(c if _lookalike_letter(c) else low)
        at += len(low)
    return "".join(out)


def _lookalike(c: str) -> bool:
    """A character :func:`_key` takes for another letter HubSpot does not: a
    :func:`_lookalike_letter`, or a lower-case letter case folding takes for another one
    (the final sigma 'ς' for 'σ', the long s 'ſ' for 's', the micro sign for 'μ')."""
    return c != "\u03a3" and _strict(c) != value_key(c)


def _lookalike_letter(c: str) -> bool:
    """A letter whose lower case is another letter's, one with a capital of its own: the
    Kelvin sign 'K' lowers to 'k' (whose capital is 'K'), the Angstrom sign to 'å', the Ohm
    sign to 'ω', the theta symbol to 'θ'.  The capital sharp s 'ẞ' is not one: 'ß' has no
    capital of one letter ('SS'), so 'ẞ' is its capital; nor is 'İ' (its lower case is two
    characters), nor a title-case digraph such as 'ǅ' (between 'Ǆ' and 'ǆ')."""
    lower = c.lower()
    capital = lower.upper()
    if lower == c or len(lower) != 1 or len(capital) != 1 or capital == c:
        return False
    return unicodedata.category(c) != "Lt"


@dataclass(frozen=True)
class Matches:
    """What a lookup found: each value naming one record, its id; each value naming several
    (or one only through a lookalike letter), why it names none of them (a message for its
    rows); each value HubSpot refused (an item error naming it: a malformed email), its
    error code and a message quoting HubSpot."""

    ids: Mapping[str, str]
    several: Mapping[str, str] = field(default_factory=dict)
    refused: Mapping[str, tuple[ErrorCode, str]] = field(default_factory=dict)


def match_records(
    client: HubSpotClient, object_type: str, id_property: str, values: Iterable[str]
) -> Matches:
    """The records HubSpot holds for each value (objects batch read, 100 a call).

    Values match case-insensitively, as HubSpot matches emails and domains: a value matches a
    record HubSpot answers for it when the two differ in case only (:func:`_same`, whatever
    the script), and only when HubSpot answers no other record of its :func:`_key` -- two
    records whose values differ in case only, or one differing through a lookalike letter,
    are never told apart by guess.  The calls go at once under the client's rate limiter
    (:func:`~hubframe.run.reads.read_values`).
    """
    distinct = list(dict.fromkeys(str(v) for v in values))
    read = read_values(
        client, object_type, distinct, id_property=id_property, properties=[id_property]
    )
    by_value: dict[str, dict[str, str]] = {}
    for record in read.records:
        value = dig(record, "properties", id_property)
        if value is not None and record.get("id") is not None:
            by_value.setdefault(_key(value), {})[str(record["id"])] = str(value)
    ids: dict[str, str] = {}
    several: dict[str, str] = {}
    refused: dict[str, tuple[ErrorCode, str]] = {}
    for value in distinct:
        held = by_value.get(_key(value), {})
        found = [rid for rid, spelt in held.items() if _same(spelt, value)]
        if value in read.refused and not held:
            refused[value] = _refused(object_type, id_property, value, read.refused[value])
        elif len(found) == 1:  # records of its key spelled otherwise are other values
            ids[value] = found[0]
        elif found:
            several[value] = _several(object_type, id_property, value, found)
        elif held:
            several[value] = _lookalike_message(object_type, id_property, value, held)
    return Matches(ids, several, refused)


def _refused(
    object_type: str, id_property: str, value: str, refusal: Refusal
) -> tuple[ErrorCode, str]:
    code = {
        "RATE_LIMITS": ErrorCode.RATE_LIMITED,
        "INTERNAL_ERROR": ErrorCode.SERVER_ERROR,
    }.get(refusal.category.upper(), ErrorCode.HUBSPOT_VALIDATION)
    words = refusal.message.rstrip(".")
    return code, (
        f"HubSpot refused to look up the {object_noun(object_type)} with {id_property} "
        f'"{value}": {words}.'
    )


def _several(object_type: str, id_property: str, value: str, ids: list[str]) -> str:
    shown = sorted(ids, key=lambda i: (len(i), i))
    listed = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
    return (
        f'HubSpot holds {len(shown)} records with {id_property} "{value}" (the '
        f"{object_noun(object_type)} ids {listed}), so the row does not say which one: put "
        "the record id of the one you mean in its place."
    )


def _lookalike_message(
    object_type: str, id_property: str, value: str, held: Mapping[str, str]
) -> str:
    rid, spelt = min(held.items(), key=lambda item: (len(item[0]), item[0]))
    odd = sorted({c for c in value + spelt if _lookalike(c)})
    if not odd:  # never so (one key, not the same in lower case: a lookalike between)
        odd = sorted(set(_strict(value)) ^ set(_strict(spelt)))
    named = ", ".join(char_name(c) for c in odd)
    return (
        f'{id_property} "{value}" matches the {object_noun(object_type)} {rid} ("{spelt}") '
        f"only through a lookalike character ({named}), which HubSpot may "
        "not take for the same letter: put the record id of the one you mean in its place, or "
        "correct the value."
    )


def _not_found(object_type: str, id_property: str, value: str) -> str:
    return f'No {object_noun(object_type)} with {id_property} "{value}" exists in HubSpot.'


def _failure(exc: HubframeError, object_type: str, id_property: str) -> Outcome:
    status = StopReason.of(exc).status if exc.stops_run else Status.FAILED
    message = (
        f"Not sent: could not look up {object_type} by {id_property} in HubSpot: "
        f"{str(exc).rstrip('.')}."
    )
    return Outcome.of_error(status, exc, message)


def _look_up(
    frame: pd.DataFrame, side: str, values: list[Any], id_property: str, client: HubSpotClient
) -> tuple[list[Any], dict[int, Outcome], list[Any]]:
    """The record ids of a side's ``values`` (by position; None where unresolved), the
    outcomes of the rows unresolved, and the record each value names (None where it names
    none or several, or was not looked up)."""
    types = frame[f"{side}_type"].astype(object).where(frame[f"{side}_type"].notna(), None)
    wanted: dict[str, list[int]] = {}
    for pos, (object_type, value) in enumerate(zip(types.tolist(), values, strict=True)):
        known = object_type is not None and is_valid_object_type(str(object_type))
        if known and value is not None and str(value).strip():
            wanted.setdefault(str(object_type), []).append(pos)
    ids: list[Any] = [None] * len(values)
    failures: dict[int, Outcome] = {}
    found: list[Any] = [None] * len(values)
    for object_type, positions in wanted.items():
        try:
            matches = match_records(
                client, object_type, id_property, (values[p] for p in positions)
            )
        except HubframeError as exc:
            failures.update(dict.fromkeys(positions, _failure(exc, object_type, id_property)))
            continue
        for pos in positions:
            ids[pos] = found[pos] = matches.ids.get(str(values[pos]))
            several = matches.several.get(str(values[pos]))
            refused = matches.refused.get(str(values[pos]))
            if refused is not None:
                failures[pos] = Outcome(
                    Status.FAILED, error_code=refused[0], error_message=f"Not sent: {refused[1]}"
                )
            elif several is not None:
                failures[pos] = Outcome(
                    Status.FAILED,
                    error_code=ErrorCode.AMBIGUOUS_RECORD,
                    error_message=f"Not sent: {several}",
                )
            elif ids[pos] is None:
                message = _not_found(object_type, id_property, str(values[pos]))
                failures[pos] = Outcome(
                    Status.FAILED, error_code=ErrorCode.OBJECT_NOT_FOUND, error_message=message
                )
    for pos, value in enumerate(values):
        if pos not in failures and ids[pos] is None and value is not None:
            ids[pos] = value  # no object type to look it up in: validation reports the row
    return ids, failures, found


def _merge(outcomes: Mapping[int, Outcome], more: Mapping[int, Outcome]) -> dict[int, Outcome]:
    merged = dict(outcomes)
    for pos, outcome in more.items():
        earlier = merged.get(pos)
        if earlier is None:
            merged[pos] = outcome
        elif earlier.status is Status.FAILED and outcome.status is Status.FAILED:
            text = f"{str(earlier.error_message).rstrip('.')}; {outcome.error_message}"
            merged[pos] = earlier.with_(error_message=text)
    return merged


def resolve_ids(
    pairs: pd.DataFrame, client: HubSpotClient
) -> tuple[pd.DataFrame, dict[int, Outcome]]:
    """Replace property values by record ids; outcomes (by position) of the rows that failed.

    ``pairs`` is a frame of :func:`hubframe.io.read_pairs`; without id properties it comes back
    unchanged.  Unresolved values leave the id empty (the outcome says why).
    """
    properties = id_properties(pairs)
    if not properties:
        return pairs, {}
    out = pairs.copy()
    outcomes: dict[int, Outcome] = {}
    for side, id_property in properties.items():
        column = f"{side}_id"
        values = pairs[column].astype(object).where(pairs[column].notna(), None).tolist()
        ids, failures, found = _look_up(pairs, side, values, id_property, client)
        types = pairs[f"{side}_type"].astype(object).tolist()
        refuse_other_records(pairs, side, found, types)  # a result table's cell edited
        out[column] = pd.Series(ids, index=out.index, dtype=pairs[column].dtype)
        outcomes = _merge(outcomes, failures)
    meta = dict(out.attrs.get("hubframe") or {})
    meta.pop(ID_PROPERTIES, None)
    meta[LOOKED_UP] = properties
    out.attrs["hubframe"] = meta
    return out, outcomes


def refuse_undone_edits(
    table: pd.DataFrame,
    client: HubSpotClient,
    looked: Iterable[LookedUp],
    acted: npt.NDArray[np.bool_],
    where: str,
) -> None:
    """An undo of a run's report or table with sides the run looked up by a unique property
    (``looked``: "Contact email"): the cells of the rows it takes back (``acted``) are looked
    up again, and a row whose id is another record than its cell names now -- a ``to_id``
    typed over or sorted alone, which an undo would remove though the run never linked it --
    stops the undo before anything is removed (:func:`~hubframe.io.conform.refuse_undone_others`).
    A cell naming no record now, or several, is not compared.  A lookup that fails raises."""
    for found in looked:
        rows = acted if found.rows is None else acted & found.rows
        cells = _cells(table[found.header])
        ids = _cells(table[f"{found.side}_id"])
        types = _cells(table[f"{found.side}_type"])
        wanted: dict[str, list[int]] = {}
        for pos in np.flatnonzero(rows).tolist():
            object_type = types[pos]
            if cells[pos] and ids[pos] and object_type and is_valid_object_type(object_type):
                wanted.setdefault(object_type, []).append(pos)
        now: list[Any] = [None] * len(table)
        used: list[Any] = [None] * len(table)
        for object_type, positions in wanted.items():
            matches = match_records(
                client, object_type, found.id_property, (str(cells[p]) for p in positions)
            )
            for pos in positions:
                now[pos], used[pos] = matches.ids.get(str(cells[pos])), ids[pos]
        refuse_undone_others(table, found, used, now, where)


def _cells(series: pd.Series) -> list[str | None]:
    """A column's cells as trimmed text, None where empty."""
    out: list[str | None] = []
    for value in series.astype(object).tolist():
        empty = value is None or (not isinstance(value, str) and bool(pd.isna(value)))
        out.append(None if empty else str(value).strip() or None)
    return out


__all__ = ["Matches", "id_properties", "match_records", "refuse_undone_edits", "resolve_ids"]
