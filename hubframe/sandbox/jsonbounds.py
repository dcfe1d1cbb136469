"""Request JSON parsed within bounds: nesting depth and number of values, checked first.

HubSpot reads request bodies with Jackson, whose ``StreamReadConstraints`` (2.15 and later)
refuse documents nested deeper than 1,000 arrays/objects.  The sandbox refuses bodies nested
deeper than 500, with a 400, and checks that *before* parsing, by counting brackets outside
strings, without recursion: Python's ``json`` recurses once per level, so with the default
recursion limit of 1,000 (which a handler thread's own frames count against) it would raise
``RecursionError`` somewhere below Jackson's 1,000.  No real request comes near either bound.

The sandbox also refuses bodies of more than 1,000,000 JSON values (its own bound, not a known
HubSpot one; a real batch of 2,000 inputs has about 20,000).  Together with the 64 MiB body
limit this bounds what one parse can cost: a 64 MiB ``[0,0,0,...]`` would otherwise become
33 million Python objects, several hundred MB.  Integers longer than Python's 4,300-digit
conversion limit are refused as well (Jackson stops at 1,000 digits).

Normal bodies take a fast path: counting brackets and commas in the raw bytes (which
over-counts: brackets inside strings are counted too) already shows them to be within bounds.
Bodies without backslashes (every real batch: a 2,000-input one has ~15,000 brackets, so the
first test does not settle it) are split at their quotes: every other piece is outside strings,
and only those are counted (~1 ms for 2,000 inputs, against ~12 ms for the general scan).
Others are scanned with numpy, 256 KiB at a time, without copying the body: a quote not
preceded by an odd run of backslashes opens or closes a string, and brackets and commas
outside strings are counted and nested (a few MB of work arrays, whatever the body's size).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

MAX_DEPTH: Final = 500  # Jackson allows 1,000 (StreamReadConstraints.DEFAULT_MAX_DEPTH)
MAX_VALUES: Final = 1_000_000

_QUOTE, _BACKSLASH, _COMMA = ord('"'), ord("\\"), ord(",")
_STEP: Final = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1
_CHUNK: Final = 256 * 1024
#: Bodies with more quotes than this are scanned in chunks (splitting at every quote would
#: make one bytes object per piece: ~8 MB at this many).
_PLAIN_QUOTES: Final = 262_144
#: Bodies longer than this are scanned in chunks too: the split path's work arrays grow with
#: the body (~6 bytes a byte), the chunked scan's do not.  A 2,000-input batch is ~0.4 MB.
_PLAIN_BYTES: Final = 2 * 1024 * 1024


class JsonTooComplex(ValueError):
    """The body is nested too deep or holds too many values (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Scan:
    """Carried from one chunk to the next."""

    in_string: int = 0  # 1 inside a string
    backslashes: int = 0  # the run of backslashes that ended the previous chunk
    level: int = 0  # open brackets
    values: int = 1  # the root, then one per comma and per open bracket
    deepest: int = 0


def _scan_chunk(codes: np.ndarray[Any, np.dtype[np.uint8]], state: _Scan) -> None:
    n = len(codes)
    index = np.arange(n, dtype=np.int64)
    is_backslash = codes == _BACKSLASH
    last_other = np.maximum.accumulate(np.where(is_backslash, -1, index))
    run = index - last_other  # backslashes ending at each position (0 where there is none)
    run = np.where(last_other < 0, run + state.backslashes, run)
    before = np.empty(n, dtype=np.int64)
    before[0] = state.backslashes
    before[1:] = run[:-1]
    quote = (codes == _QUOTE) & (before % 2 == 0)
    inside = (np.cumsum(quote, dtype=np.int64) + state.in_string) % 2
    outside = (inside == 0) & ~quote
    steps = np.where(outside, _STEP[codes], 0)
    state.values += int(np.count_nonzero(steps > 0)) + int(
        np.count_nonzero(outside & (codes == _COMMA))
    )
    running = np.cumsum(steps, dtype=np.int64) + state.level
    state.deepest = max(state.deepest, int(running.max()))
    state.level = int(running[-1])
    state.in_string = int(inside[-1])
    state.backslashes = int(run[-1])


def _scan_plain(body: bytes) -> tuple[int, int] | None:
    """:func:`scan` of a body of at most 2 MiB without backslashes and with few strings (every
    real batch): every quote opens or closes a string, so the text outside strings is every
    other piece between quotes, and only that is counted.  None for other bodies."""
    if len(body) > _PLAIN_BYTES or b"\\" in body or body.count(b'"') > _PLAIN_QUOTES:
        return None
    outside = b"".join(body.split(b'"')[0::2])
    steps = _STEP[np.frombuffer(outside, dtype=np.uint8)]
    values = 1 + int(np.count_nonzero(steps > 0)) + outside.count(b",")
    deepest = max(0, int(np.cumsum(steps, dtype=np.int32).max())) if len(steps) else 0
    return values, deepest


def scan(body: bytes) -> tuple[int, int]:
    """(values, deepest nesting) of ``body``, counting only what is outside strings; stops
    early once either bound is exceeded (a body with backslashes or many strings)."""
    plain = _scan_plain(body)
    if plain is not None:
        return plain
    codes = np.frombuffer(body, dtype=np.uint8)
    state = _Scan()
    for start in range(0, len(codes), _CHUNK):
        _scan_chunk(codes[start : start + _CHUNK], state)
        if state.values > MAX_VALUES or state.deepest > MAX_DEPTH:
            break
    return state.values, state.deepest


def check(body: bytes) -> None:
    """Raise :class:`JsonTooComplex` when ``body`` is nested too deep or has too many values.

    A value is the root or an element of an array or object, so there are at most
    1 + commas + open brackets of them (outside strings).
    """
    opens = body.count(b"[") + body.count(b"{")
    if opens <= MAX_DEPTH and 1 + opens + body.count(b",") <= MAX_VALUES:
        return  # upper bounds, so certainly within the limits
    values, deepest = scan(body)
    if values > MAX_VALUES:
        raise JsonTooComplex(
            f"Document has more than {MAX_VALUES} values (the sandbox's limit per request)"
        )
    if deepest > MAX_DEPTH:
        raise JsonTooComplex(
            f"Document nesting depth ({MAX_DEPTH + 1}) exceeds the maximum allowed ({MAX_DEPTH})"
        )


def loads(body: bytes) -> Any:
    """``json.loads`` within the bounds above.

    Raises :class:`JsonTooComplex`, ``json.JSONDecodeError``, ``UnicodeDecodeError`` or
    ``ValueError`` (an integer beyond Python's digit limit); never ``RecursionError``.
    """
    check(body)
    try:
        return json.loads(body)
    except RecursionError:  # not reachable after check(); kept as a guard
        raise JsonTooComplex("Document nesting is too deep") from None
