"""What a batch read's answer says of each record it asked about, and what to ask next.

HubSpot answers an associations batch read with ``results`` (a record's ``to`` entries, with a
cursor when it has more) and ``errors`` (a record with no associations, or one it does not
know).  A record named in neither was not answered: reading it as "no associations" would let
an undo skip a link that is there, a removal leave one in place, an export drop a record's rows
and a check report a written row as not applied.  :class:`PageWalk` asks such a record again;
one left unnamed :data:`MAX_ASKS` times fails the read, as does a cursor given twice for one
record (a walk that would never end).  Only an error that says the record has none (category
``OBJECT_NOT_FOUND``, a subCategory naming no associations, or no category at all) settles a
record as having none: an ``INTERNAL_ERROR`` or any other refusal of one record (of any of its
pages: the same cursor) is asked again, then fails the read, never read as "no associations"
(an export would write the record as having none, and a sync of that export remove all it
has).  Errors that name no record (an answer with bare error details) answer for the records
left unnamed when there is one such error for each of them.  A result naming a record that was
not asked is ignored.

A record's pages are held until its last one is read, and given whole
(:attr:`Settled.found`).  "None" said of a record's *next* page means its associations changed
between its pages (a colleague, a workflow, an integration removed them while the read went
on): the pages read are stale, so they are dropped and the record is read again from its first
page, at most :data:`MAX_REREADS` times, after which the read fails saying what HubSpot
answered.  Before, the answer was asked for again with the same cursor and the whole read
failed, saying HubSpot had named "neither the associations of record ... nor an error for it".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from hubframe.constants import MAX_BATCH_READ
from hubframe.errors import ErrorCode, ServerError
from hubframe.hubspot import shapes
from hubframe.vocab import first_few

JSON = dict[str, Any]
Input = dict[str, str]  # {"id": ...} or {"id": ..., "after": cursor}
Entries = list[tuple[str, list[JSON]]]  # (from id, its ``to`` entries)

#: How many times one page of one record is asked before an answer that never names it fails.
MAX_ASKS: Final = 3
#: How many times a record is read again from its first page because HubSpot said, while its
#: next page was read, that it has none (its associations changed during the read).
MAX_REREADS: Final = 3

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Settled:
    """What one answer gave: each record whose last page it read, with the ``to`` entries of
    all its pages (:class:`PageWalk` holds a record's earlier pages until then), and how many
    records it finished (a record without associations, or its last page read)."""

    found: Entries
    done: int


@dataclass
class _Walking:
    """A record whose first page was read and whose last one was not yet: the entries of the
    pages read, and the cursors given (one given twice would never end)."""

    entries: list[JSON] = field(default_factory=list)
    cursors: set[str] = field(default_factory=set)


class PageWalk:
    """The inputs of a batch read still to ask, fed by the answers (see the module docstring).

    ``what`` names the read in an error (``"deals to contacts"``).  Not thread-safe: one
    thread takes inputs and settles answers; the calls themselves may run anywhere.  A record
    has one input in flight at most (its next page is asked once its page is answered)."""

    def __init__(self, ids: Iterable[str], what: str) -> None:
        self.todo: list[Input] = [{"id": i} for i in dict.fromkeys(str(i) for i in ids)]
        self.what = what
        self._asks: dict[str, tuple[str | None, int]] = {}  # record -> (its cursor, times)
        self._walking: dict[str, _Walking] = {}
        self._rereads: dict[str, int] = {}
        self._refused: dict[str, str] = {}  # record -> the message of an error refusing it

    def take(self, size: int = MAX_BATCH_READ) -> list[Input]:
        """The next inputs to ask (at most ``size``), taken off the list."""
        chunk = self.todo[:size]
        del self.todo[:size]
        for item in chunk:
            after = item.get("after")
            last, times = self._asks.get(item["id"], (None, 0))
            self._asks[item["id"]] = (after, times + 1 if last == after else 1)
        return chunk

    def settle(self, body: Any, inputs: Sequence[Input]) -> Settled:
        """Read one answer to ``inputs``: the records it finished (see :class:`Settled`);
        their next pages, the records to read again and the inputs it does not name go back
        on the list."""
        body = body if isinstance(body, dict) else {}
        asked = {item["id"]: item for item in inputs}
        nones, refusals = _sorted_errors(shapes.listed(body.get("errors")))
        names = error_names(nones)
        said = _none_messages(nones, names, asked.keys())
        anonymous = [e for e, n in zip(nones, names, strict=True) if not n & asked.keys()]
        self._note_refusals(refusals, asked.keys())
        found: Entries = []
        pages = self._pages(body.get("results"), asked.keys())
        answered = set(pages)
        for from_id, (entries, after) in pages.items():
            whole = self._page(from_id, entries, after)
            if whole is not None:
                found.append((from_id, whole))
        unnamed = [i for i in asked if i not in answered and i not in said]
        if unnamed and len(anonymous) >= len(unnamed):  # errors without names, one for each
            said.update(dict.fromkeys(unnamed, _message(anonymous[0])))
        done = len(found)
        for record, message in said.items():
            if record in answered:
                continue
            if "after" in asked[record]:  # its next page: it changed while it was read
                self._read_again(record, message)
            else:  # its first page: it has none
                self._forget(record)
                done += 1
        self._ask_again([i for i in inputs if i["id"] not in answered and i["id"] not in said])
        return Settled(found, done)

    def _pages(
        self, results: Any, asked: Iterable[str]
    ) -> dict[str, tuple[list[JSON], str | None]]:
        """The page an answer's ``results`` give each record asked: its entries and the cursor
        of its next page (a record listed twice: one page of both lists' entries, the first
        cursor given).  A result naming a record that was not asked is ignored."""
        wanted = set(asked)
        pages: dict[str, tuple[list[JSON], str | None]] = {}
        for result in shapes.listed(results):
            if not isinstance(result, dict):
                continue
            from_id = str(shapes.dig(result, "from", "id"))
            if from_id not in wanted:
                continue
            entries = shapes.links(result.get("to"), f"{self.what} of record {from_id}")
            after = shapes.dig(result, "paging", "next", "after")
            before, cursor = pages.get(from_id, ([], None))
            pages[from_id] = (before + entries, cursor or (str(after) if after else None))
        return pages

    def _page(self, from_id: str, entries: list[JSON], after: str | None) -> list[JSON] | None:
        """One page of a record: all its entries once its last page is read (None before; its
        next page goes on the list)."""
        self._refused.pop(from_id, None)  # answered: an earlier refusal is not its state now
        walking = self._walking.get(from_id)
        if after is None:
            self._forget(from_id)
            return entries if walking is None else walking.entries + entries
        if walking is None:
            walking = self._walking[from_id] = _Walking()
        if after in walking.cursors:
            raise ServerError(
                f"HubSpot's batch read of {self.what} gave the same page cursor twice for "
                f"record {from_id}: reading on would never end, so the read stops here.",
                code=ErrorCode.SERVER_ERROR,
            )
        walking.cursors.add(after)
        walking.entries += entries
        self.todo.append({"id": from_id, "after": after})
        return None

    def _forget(self, record: str) -> None:
        """A record read to its end: what was kept to read it goes."""
        self._walking.pop(record, None)
        self._asks.pop(record, None)
        self._rereads.pop(record, None)
        self._refused.pop(record, None)

    def _read_again(self, record: str, said: str) -> None:
        """HubSpot said, while ``record``'s next page was read, that it has no associations:
        they changed between its pages, so the pages read are stale.  It is read again from
        its first page, at most :data:`MAX_REREADS` times; then the read fails, saying so."""
        times = self._rereads.get(record, 0) + 1
        if times > MAX_REREADS:
            raise ServerError(
                f"HubSpot's batch read of {self.what}: while the next page of record {record} "
                f"was read, HubSpot answered that it has none ({said}), {MAX_REREADS + 1} times, "
                "though its first page listed some each time: its associations were changing "
                "while they were read, so what the portal holds for it is not known. Run it "
                "again once no one (a colleague, a workflow, an integration) is changing them.",
                code=ErrorCode.SERVER_ERROR,
            )
        self._walking.pop(record, None)  # its pages read so far, and their cursors
        self._rereads[record] = times
        self.todo.append({"id": record})

    def _note_refusals(self, refusals: list[JSON], asked: Iterable[str]) -> None:
        """Keep the message of each error that refuses a record asked."""
        wanted = set(asked)
        for error, names in zip(refusals, error_names(refusals), strict=True):
            for record in names & wanted:
                self._refused[record] = _message(error)

    def _ask_again(self, inputs: list[Input]) -> None:
        spent = [i["id"] for i in inputs if self._asks[i["id"]][1] >= MAX_ASKS]
        refused = [i for i in spent if i in self._refused]
        if refused:
            raise refused_error(
                self.what,
                f"record {first_few(refused)}",
                self._refused[refused[0]],
                "what the portal holds for it is not known, so the read stops here rather "
                "than take it for a record without associations",
            )
        if spent:
            raise unnamed_error(
                self.what, "the associations of record", spent, "what the portal holds for it"
            )
        self.todo.extend(inputs)


def _message(error: JSON) -> str:
    """An item error's words, for a message that quotes what HubSpot answered."""
    return str(error.get("message") or error.get("category") or "an error")


def _none_messages(
    nones: list[JSON], names: list[set[str]], asked: Iterable[str]
) -> dict[str, str]:
    """The records asked that errors saying "none" name (``names``: what each names), each
    with the words of one, in the order of ``asked``."""
    said: dict[str, str] = {}
    for error, named in zip(nones, names, strict=True):
        for record in named:
            said.setdefault(record, _message(error))
    return {record: said[record] for record in asked if record in said}


def refused_error(read: str, what: str, said: str, unknown: str) -> ServerError:
    """The error of a batch read of ``read`` whose answers refused ``what`` (the values
    named) each of :data:`MAX_ASKS` times, quoting HubSpot's words for the first (``said``);
    ``unknown``: what is not known then, and that the read stops."""
    return ServerError(
        f"HubSpot's batch read of {read} refused {what} {MAX_ASKS} times ({said}): {unknown}.",
        code=ErrorCode.SERVER_ERROR,
    )


def unnamed_error(read: str, subject: str, values: Sequence[str], unknown: str) -> ServerError:
    """The error of a read whose answers named ``values`` nowhere :data:`MAX_ASKS` times (a
    batch read of ``read``; ``subject``: what of each value was asked; ``unknown``: what is
    not known for it)."""
    return ServerError(
        f"HubSpot's answers to a batch read of {read} named neither {subject} "
        f"{first_few(values)} nor an "
        f"error for it, {MAX_ASKS} times: {unknown} is not known, so the read stops here "
        "rather than guess.",
        code=ErrorCode.SERVER_ERROR,
    )


#: The item errors of a batch read that say a record has no associations (or is unknown).
_NONE_CATEGORIES: Final = frozenset({"OBJECT_NOT_FOUND"})


def says_none(error: Any) -> bool:
    """Whether a batch read's item error says its records have no associations: category
    ``OBJECT_NOT_FOUND``, a subCategory naming none or not found, or no category at all (bare
    error details); any other category (``INTERNAL_ERROR``, ``RATE_LIMITS``) refuses them."""
    if not isinstance(error, dict):
        return False
    category, sub = error.get("category") or "", error.get("subCategory") or ""
    if type(category) is str and type(sub) is str:
        return _none_words(category, sub)  # an answer repeats a few spellings: remembered
    return _none_words.__wrapped__(str(category), str(sub))


@functools.lru_cache(maxsize=32)
def _none_words(category: str, sub: str) -> bool:
    category = category.strip().upper()
    return not category or category in _NONE_CATEGORIES or "NO_ASSOCIATIONS" in sub.upper()


def _sorted_errors(errors: list[Any]) -> tuple[list[JSON], list[JSON]]:
    """An answer's item errors: those saying their records have none, and the refusals."""
    nones: list[JSON] = []
    refusals: list[JSON] = []
    for error in errors:
        if isinstance(error, dict):
            (nones if says_none(error) else refusals).append(error)
    return nones, refusals


def error_names(errors: Any, *, messages: bool = True) -> list[set[str]]:
    """What each of an answer's errors names: the values of its ``context`` and
    (``messages``) the digit runs of its message; one set per error."""
    out: list[set[str]] = []
    digits = _DIGITS.findall
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        named: set[str] = set()
        context = error.get("context")
        if isinstance(context, dict):
            for value in context.values():
                if isinstance(value, list):
                    named.update(map(str, value))
                else:
                    named.add(str(value))
        message = error.get("message")
        if messages and isinstance(message, str):
            named.update(digits(message))
        out.append(named)
    return out


__all__ = [
    "MAX_ASKS",
    "MAX_REREADS",
    "PageWalk",
    "Settled",
    "error_names",
    "refused_error",
    "says_none",
    "unnamed_error",
]
