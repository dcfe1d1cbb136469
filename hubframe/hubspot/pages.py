"""What a batch read's answer says of each record it asked about, and what to ask next.

HubSpot answers an associations batch read with ``results`` (a record's ``to`` entries, with a
cursor when it has more) and ``errors`` (a record with no associations, or one it does not
know).  A record named in neither was not answered: reading it as "no associations" would let
an undo skip a link that is there, a removal leave one in place, an export drop a record's rows
and a check report a written row as not applied.  :class:`PageWalk` asks such a record again;
one left unnamed :data:`MAX_ASKS` times fails the read, as does a cursor given twice for one
record (a walk that would never end).  An error settles a record's first page only (a later
page it refuses is asked again), and only an error that says the record has none (category
``OBJECT_NOT_FOUND``, a subCategory naming no associations, or no category at all): an
``INTERNAL_ERROR`` or any other refusal of one record is asked again, then fails the read,
never read as "no associations" (an export would write the record as having none, and a sync
of that export remove all it has).  Errors that name no record (an answer with bare error
details) settle the records left unnamed when there is one such error for each of them.  A
result naming a record that was not asked is ignored.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hubframe.constants import MAX_BATCH_READ
from hubframe.errors import ErrorCode, ServerError
from hubframe.hubspot import shapes

JSON = dict[str, Any]
Input = dict[str, str]  # {"id": ...} or {"id": ..., "after": cursor}
Entries = list[tuple[str, list[JSON]]]  # (from id, its ``to`` entries on one page)

#: How many times one page of one record is asked before an answer that never names it fails.
MAX_ASKS: Final = 3

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Settled:
    """What one answer gave: the entries found, and how many records it read a first page of."""

    found: Entries
    first_pages: int


class PageWalk:
    """The inputs of a batch read still to ask, fed by the answers (see the module docstring).

    ``what`` names the read in an error (``"deals to contacts"``).  Not thread-safe: one
    thread takes inputs and settles answers; the calls themselves may run anywhere."""

    def __init__(self, ids: Iterable[str], what: str) -> None:
        self.todo: list[Input] = [{"id": i} for i in dict.fromkeys(str(i) for i in ids)]
        self.what = what
        self._asks: dict[tuple[str, str | None], int] = {}
        self._cursors: set[tuple[str, str]] = set()
        self._refused: dict[str, str] = {}  # record -> the message of an error refusing it

    def take(self, size: int = MAX_BATCH_READ) -> list[Input]:
        """The next inputs to ask (at most ``size``), taken off the list."""
        chunk = self.todo[:size]
        del self.todo[:size]
        for item in chunk:
            key = (item["id"], item.get("after"))
            self._asks[key] = self._asks.get(key, 0) + 1
        return chunk

    def settle(self, body: Any, inputs: Sequence[Input]) -> Settled:
        """Read one answer to ``inputs``: the entries of the records it names in ``results``;
        their next pages and the inputs it does not name go back on the list."""
        body = body if isinstance(body, dict) else {}
        asked = {item["id"]: item for item in inputs}
        # an error settles a record's first page only: a later page it refuses is not "none"
        fresh = {i for i, item in asked.items() if "after" not in item}
        nones, refusals = _sorted_errors(shapes.listed(body.get("errors")))
        names = error_names(nones)
        named = set().union(*names) & fresh
        anonymous = sum(1 for n in names if not n & asked.keys())
        self._note_refusals(refusals, asked.keys())
        found: Entries = []
        for result in shapes.listed(body.get("results")):
            if not isinstance(result, dict):
                continue
            from_id = str(shapes.dig(result, "from", "id"))
            if from_id not in asked:
                continue
            named.add(from_id)
            entries = shapes.links(result.get("to"), f"{self.what} of record {from_id}")
            found.append((from_id, entries))
            after = shapes.dig(result, "paging", "next", "after")
            if after:
                self._next_page(from_id, str(after))
        unnamed = fresh - named
        if unnamed and anonymous >= len(unnamed):  # errors without names, one for each
            named |= unnamed
        again = [item for item in inputs if item["id"] not in named]
        self._ask_again(again)
        first = sum(1 for item in inputs if "after" not in item and item["id"] in named)
        return Settled(found, first)

    def _next_page(self, from_id: str, after: str) -> None:
        if (from_id, after) in self._cursors:
            raise ServerError(
                f"HubSpot's batch read of {self.what} gave the same page cursor twice for "
                f"record {from_id}: reading on would never end, so the read stops here.",
                code=ErrorCode.SERVER_ERROR,
            )
        self._cursors.add((from_id, after))
        self.todo.append({"id": from_id, "after": after})

    def _note_refusals(self, refusals: list[JSON], asked: Iterable[str]) -> None:
        """Keep the message of each error that refuses a record asked."""
        wanted = set(asked)
        for error, names in zip(refusals, error_names(refusals), strict=True):
            message = str(error.get("message") or error.get("category") or "an error")
            for record in names & wanted:
                self._refused[record] = message

    def _ask_again(self, inputs: list[Input]) -> None:
        spent = [i["id"] for i in inputs if self._asks[(i["id"], i.get("after"))] >= MAX_ASKS]
        refused = [i for i in spent if i in self._refused]
        if refused:
            shown = ", ".join(refused[:5]) + (
                f" and {len(refused) - 5} more" if len(refused) > 5 else ""
            )
            raise ServerError(
                f"HubSpot's batch read of {self.what} refused record {shown} {MAX_ASKS} times "
                f"({self._refused[refused[0]]}): what the portal holds for it is not known, so "
                "the read stops here rather than take it for a record without associations.",
                code=ErrorCode.SERVER_ERROR,
            )
        if spent:
            raise unnamed_error(
                self.what, "the associations of record", spent, "what the portal holds for it"
            )
        self.todo.extend(inputs)


def unnamed_error(read: str, subject: str, values: Sequence[str], unknown: str) -> ServerError:
    """The error of a read whose answers named ``values`` nowhere :data:`MAX_ASKS` times (a
    batch read of ``read``; ``subject``: what of each value was asked; ``unknown``: what is
    not known for it)."""
    shown = ", ".join(values[:5]) + (f" and {len(values) - 5} more" if len(values) > 5 else "")
    return ServerError(
        f"HubSpot's answers to a batch read of {read} named neither {subject} {shown} nor an "
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


__all__ = ["MAX_ASKS", "PageWalk", "Settled", "error_names", "says_none", "unnamed_error"]
