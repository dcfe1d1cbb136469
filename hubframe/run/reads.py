"""Reading the associations of many records at once: batch reads, concurrent, paged.

:func:`read_links` reads every association of a list of records from one object type to
another with batch read (:data:`~hubframe.constants.MAX_BATCH_READ` records a call), several
calls in flight on a small thread pool that shares the client -- and so its rate limiter --
the way :class:`~hubframe.run.send.Sender` shares it for writes.  A record with more
associations than one page holds comes back with a cursor; its next page is asked for in a
later call (cursors of several records share a call), and the record is given whole once its
last page arrived; one HubSpot says has none while its next page is read changed during the
read and is read again from its first page.  Records HubSpot reports as having no
associations (or as unknown: an item error) map to an empty list, as
:meth:`~hubframe.hubspot.client.HubSpotClient.read_associations` does; a record an answer names
nowhere is asked again, and one never named fails the read
(:class:`~hubframe.hubspot.pages.PageWalk`).  A call that fails for good raises its
:class:`~hubframe.errors.HubframeError`: a read is all or nothing.

:func:`read_records` does the same for records (objects batch read,
:data:`~hubframe.constants.MAX_OBJECT_BATCH_READ` a call): the record checks of validation and
export.  A value HubSpot refuses with an item error of its own (a malformed email:
``VALIDATION_ERROR``) is asked again; refused each time, it fails the read, quoting HubSpot.
:func:`read_values` is the id lookup by email or domain: there a refused value is one value
HubSpot answered, with its words (:attr:`Read.refused`), and the other values are read.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from hubframe.constants import MAX_OBJECT_BATCH_READ
from hubframe.hubspot import shapes
from hubframe.hubspot.pages import (
    MAX_ASKS,
    Input,
    PageWalk,
    error_names,
    refused_error,
    says_none,
    unnamed_error,
)
from hubframe.vocab import first_few

if TYPE_CHECKING:  # only annotations: validation imports this module offline
    from hubframe.hubspot.client import HubSpotClient

JSON = dict[str, Any]

#: Calls in flight when nothing is known yet about the rate budget or the latency.
DEFAULT_READ_WORKERS: Final = 8
MAX_READ_WORKERS: Final = 32


def pool_size(client: HubSpotClient, latency_s: float) -> int:
    """Enough calls in flight to keep the rate budget full while each takes ``latency_s``,
    never more than one window of the budget allows."""
    limiter = client.limiter
    max_requests, window_s = limiter.budget
    wanted = math.ceil(max_requests / window_s * latency_s * 1.5) + 2
    cap = min(MAX_READ_WORKERS, limiter.effective_max)
    return max(1, min(cap, max(DEFAULT_READ_WORKERS, wanted)))


def iter_links(
    client: HubSpotClient,
    from_type: str,
    to_type: str,
    ids: Iterable[str],
    *,
    workers: int | None = None,
    on_call: Callable[[int], None] | None = None,
) -> Iterator[tuple[str, list[JSON]]]:
    """(from id, its ``to`` entries) as the records are read -- each once, with the entries of
    all its pages, once its last page arrived (a record that changed between its pages is read
    again from its first: :class:`~hubframe.hubspot.pages.PageWalk`) -- while the next calls are
    in flight: the caller's work on a record overlaps the network.  ``on_call(records)`` is
    called as each call returns, with the records it finished reading (each counted once)."""
    walk = PageWalk(ids, f"{from_type} to {to_type}")
    # Until a call has answered, the latency (and maybe the rate budget) is not known: a few
    # calls go out at once, and the pool is sized to fill the budget once the first answers.
    size = workers or DEFAULT_READ_WORKERS
    learning, started = workers is None, time.monotonic()
    pool = ThreadPoolExecutor(max(MAX_READ_WORKERS, size), thread_name_prefix="hubframe-read")
    flying: dict[Future[Any], list[Input]] = {}
    try:
        while walk.todo or flying:
            while walk.todo and len(flying) < size:
                chunk = walk.take()
                flying[pool.submit(_answer, client, from_type, to_type, chunk)] = chunk
            done, _ = wait(flying, return_when=FIRST_COMPLETED)
            for future in done:
                settled = walk.settle(future.result(), flying.pop(future))
                if on_call is not None:
                    on_call(settled.done)
                yield from settled.found
            if learning:
                size, learning = pool_size(client, time.monotonic() - started), False
    finally:
        for future in flying:
            future.cancel()
        pool.shutdown(wait=True)


def _answer(client: HubSpotClient, from_type: str, to_type: str, inputs: list[Input]) -> Any:
    """One batch read's answer body."""
    return client.batch_read(from_type, to_type, inputs).json()


def read_links(
    client: HubSpotClient,
    from_type: str,
    to_type: str,
    ids: Iterable[str],
    *,
    workers: int | None = None,
    on_call: Callable[[int], None] | None = None,
) -> dict[str, list[JSON]]:
    """Every association of the given records: from id -> its ``to`` entries, in the order of
    ``ids`` (see the module docstring).  ``on_call(records)`` is called as each call returns,
    with the records it finished reading."""
    order = list(dict.fromkeys(str(i) for i in ids))
    found: dict[str, list[JSON]] = {i: [] for i in order}
    pages = iter_links(client, from_type, to_type, order, workers=workers, on_call=on_call)
    for from_id, entries in pages:
        found.setdefault(from_id, []).extend(entries)
    return found


def read_records(
    client: HubSpotClient,
    object_type: str,
    values: Iterable[str],
    *,
    id_property: str | None = None,
    properties: Sequence[str] = (),
) -> list[JSON]:
    """The records HubSpot knows among ``values`` (ids, or values of the unique ``id_property``),
    as its batch reads return them: every call at once on a small pool under the client's rate
    limiter.  A call that fails for good raises (the calls not started are dropped).  A value
    an answer names in neither its results nor its errors is asked again, and fails the read
    when it never is (it is not taken for a record HubSpot does not have); so does a value
    HubSpot refuses (an item error naming it that does not say not found) each time it is
    asked, quoting HubSpot."""
    read = read_values(client, object_type, values, id_property=id_property, properties=properties)
    if read.refused:  # before, the message showed the first refusal's repr: Refusal(...)
        refused = list(read.refused)
        raise refused_error(
            f"{object_type} records",
            first_few(refused),
            read.refused[refused[0]].message,
            "whether it exists is not known, so the read stops here rather than guess",
        )
    return read.records


@dataclass(frozen=True)
class Refusal:
    """HubSpot's item error for one value it refused: its words and its category."""

    message: str
    category: str = ""


@dataclass(frozen=True)
class Read:
    """What the objects batch reads of :func:`read_values` found: the records, and each value
    HubSpot refused every time it was asked (an item error naming it that does not say not
    found: a malformed email) with HubSpot's error."""

    records: list[JSON]
    refused: dict[str, Refusal] = field(default_factory=dict)


def read_values(
    client: HubSpotClient,
    object_type: str,
    values: Iterable[str],
    *,
    id_property: str | None = None,
    properties: Sequence[str] = (),
) -> Read:
    """:func:`read_records`, but a value HubSpot refuses each time it is asked is given back in
    :attr:`Read.refused` (in the order of ``values``) instead of failing the read: one
    malformed email among thousands fails its own rows, not every row of the sheet."""
    distinct = list(dict.fromkeys(str(v) for v in values))
    chunks = [
        distinct[start : start + MAX_OBJECT_BATCH_READ]
        for start in range(0, len(distinct), MAX_OBJECT_BATCH_READ)
    ]
    if not chunks:
        return Read([])

    def read(chunk: list[str]) -> tuple[list[JSON], dict[str, Refusal]]:
        found: list[JSON] = []
        refused: dict[str, Refusal] = {}
        for _ in range(MAX_ASKS):
            body = client.batch_read_records(
                object_type, chunk, id_property=id_property, properties=properties
            ).json()
            results = shapes.records(body.get("results"), f"the {object_type} records")
            found += results
            chunk, said = _unnamed(chunk, results, body.get("errors"), id_property)
            refused.update(said)
            if not chunk:
                return found, {}
        if any(value not in refused for value in chunk):
            left = [value for value in chunk if value not in refused]
            raise unnamed_error(f"{object_type} records", "record", left, "whether it exists")
        return found, {value: refused[value] for value in chunk}

    size = max(1, min(len(chunks), MAX_READ_WORKERS, client.limiter.effective_max))
    pool = ThreadPoolExecutor(size, thread_name_prefix="hubframe-read")
    try:
        answers = list(pool.map(read, chunks))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    refused = {value: why for _, said in answers for value, why in said.items()}
    return Read(
        [record for found, _ in answers for record in found],
        {value: refused[value] for value in distinct if value in refused},
    )


def _unnamed(
    values: list[str], results: list[JSON], errors: Any, id_property: str | None
) -> tuple[list[str], dict[str, Refusal]]:
    """The ``values`` an objects batch read's answer names in neither its results nor its
    errors saying not found (ids, or values of ``id_property``, matched as HubSpot matches
    them: :func:`value_key`), and those of them an error that does not say not found names
    (a refusal: the value is asked again, and is refused if it always is), with the error.
    An error saying not found (:func:`~hubframe.hubspot.pages.says_none`) names a value in its
    context or its message; one that names none of them (bare error details) answers for
    every value left but those refused."""
    key = str if id_property is None else value_key
    listed = [e for e in shapes.listed(errors) if isinstance(e, dict)]
    nones = [e for e in listed if says_none(e)]
    refusals = [e for e in listed if not says_none(e)]
    if id_property is None:
        named = {str(r.get("id")) for r in results}
    else:
        named = {value_key(shapes.dig(r, "properties", id_property)) for r in results}
    asked = {key(v) for v in values}
    refused: dict[str, Refusal] = {}
    for error, names in zip(refusals, error_names(refusals), strict=True):
        for said_key in _said(error, names, asked, key, id_property):
            refused.setdefault(said_key, _refusal(error))
    for error, names in zip(nones, error_names(nones), strict=True):
        said = _said(error, names, asked, key, id_property)
        named |= said or (asked - refused.keys())
    left = [v for v in values if key(v) not in named]
    return left, {v: refused[key(v)] for v in left if key(v) in refused}


def _said(
    error: JSON,
    names: set[str],
    asked: set[str],
    key: Callable[[object], str],
    id_property: str | None,
) -> set[str]:
    """The keys of the values asked that an item error names."""
    said = {key(n) for n in names} & asked
    if id_property is not None:
        message = value_key(error.get("message") or "")
        said |= {v for v in asked if _names_whole(message, v)}
    return said


def _refusal(error: JSON) -> Refusal:
    message = str(error.get("message") or error.get("category") or "an error").strip()
    return Refusal(message, str(error.get("category") or ""))


def _names_whole(message: str, value: str) -> bool:
    """Whether ``message`` names ``value`` as a whole ("ann@x.com" is not named by a message
    naming "joann@x.com", nor "acme.com" by one naming "www.acme.com"); a sentence's full stop
    may follow it."""
    if not value:
        return False
    pattern = rf"(?<![\w.@+-]){re.escape(value)}(?![\w@+-]|\.\w)"
    return re.search(pattern, message) is not None


def value_key(value: object) -> str:
    """How values of a unique property (emails, domains) are told apart: by the whole value in
    lower case, around it no spaces, and the lower-case letters case folding takes for one
    letter as that letter ('ς', the final sigma ``lower`` writes at a word's end, as 'σ'; the
    long s 'ſ' as 's'; the micro sign as 'μ').  Never 'ß' as 'ss', a ligature as its letters,
    nor a decomposed letter as a composed one: those are other values (HubSpot holds
    'strasse' and 'straße' as two addresses).  Values of one key may still differ by more
    than case: :mod:`hubframe.run.lookup` tells which."""
    text = str(value).strip().lower()
    if text.isascii():
        return text
    return "".join(map(_one_letter, text))


@functools.lru_cache(maxsize=4096)
def _one_letter(c: str) -> str:
    """A lower-case letter's case folding when that is one other letter ('ς' -> 'σ'), not a
    case of its own (a lower-case Cherokee letter folds to its capital: kept)."""
    folded = c.casefold()
    return folded if len(folded) == 1 and folded.lower() != c else c


def types_of(entries: Iterable[Mapping[str, Any]]) -> dict[str, frozenset[int]]:
    """to id -> the type ids between the two records, from a record's ``to`` entries."""
    out: dict[str, frozenset[int]] = {}
    for entry in entries:
        specs = entry.get("associationTypes") or []
        ids = {int(s["typeId"]) for s in specs if isinstance(s, dict) and "typeId" in s}
        to_id = str(entry.get("toObjectId"))
        out[to_id] = out.get(to_id, frozenset()) | frozenset(ids)
    return out


__all__ = [
    "Read",
    "Refusal",
    "iter_links",
    "pool_size",
    "read_links",
    "read_records",
    "read_values",
    "types_of",
    "value_key",
]
