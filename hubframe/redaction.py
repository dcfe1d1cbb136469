"""Secrets hubframe must never write out, redacted by value wherever text leaves it.

The client registers its access token when it is made (:func:`register_secret`); everything
that writes text for people -- reports, retry files, and any log or message that calls
:func:`redact` -- replaces each registered secret with ``<redacted>``, whatever the key,
column, cell or message it sits in.  Filtering by key name ("token", "password", ...) alone
misses a token pasted into a note, echoed in an error message or carried in a URL.

The registry is process-wide and lives only in memory: nothing is stored in DataFrame
``attrs`` (which travel into pickles, notebooks and parquet files).  Besides the value itself
its URL-encoded, JSON-escaped and base64 spellings are redacted.  Values shorter than
:data:`MIN_LENGTH` characters are not registered (redacting every ``a`` would destroy a
report; no real token is that short).  Matching ignores case: a token upper-cased in a note
or a message is not one HubSpot accepts, but it still gives the token away.  Nor does a token
need to be whole to give it away: one wrapped across lines, split by spaces or invisible
characters (a paste through an editor that wraps), written in full-width letters or with a
typographic hyphen is redacted too, from its first character to its last (:func:`redact`).

Log records are redacted on their way out too (:func:`guard_loggers`): a filter on hubframe's
client loggers and on those of urllib3 and requests, whose DEBUG lines quote each request's
path (``"GET /crm/.../<a cell's text>/... HTTP/1.1" 400``), whatever a sheet put in it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import logging
from urllib.parse import quote, quote_plus

from hubframe.constants import ENV_TOKEN

MARK: Final = "<redacted>"
MIN_LENGTH: Final = 8

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_ordered: tuple[str, ...] = ()
_folded: tuple[str, ...] = ()
#: The value of ``$HUBSPOT_ACCESS_TOKEN`` last registered (:func:`_environment`).
_env_seen: str | None = None

# what may split a pasted token without hiding it: white space, line and paragraph breaks, soft
# hyphens and the characters that show nothing (zero-width, joiners, direction marks)
GAP: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\xad\u1680\u180e\u2000-\u200f"
    "\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff"
)
_GAPS: Final = re.compile(f"[{GAP}]+")
# one character for another that reads the same: full-width forms of ASCII, hyphens and minus
_SAME: Final = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | dict.fromkeys(
    (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63), ord("-")
)
#: A HubSpot private app token's shape (``pat-na1-`` and a UUID): redacted wherever it shows,
#: registered or not (a sheet validated offline, a usage error with no variable set).  Written
#: for Python's and Arrow's (RE2) regular expressions alike; matched in any case.
#: Its dashes may be underscores (``pat_na1_...``: retyped, or made an identifier).
TOKEN_SHAPE_SOURCE: Final = (
    "pat[-_][a-z]{2,4}[0-9]*[-_][0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}"
    "[-_][0-9a-f]{12}"
)
#: ... as a word: not the end of another (``compat-eu1-<UUID>`` is no token).
TOKEN_SHAPE: Final = re.compile(f"(?<![a-z0-9]){TOKEN_SHAPE_SOURCE}", re.IGNORECASE)
#: :data:`TOKEN_SHAPE` for Arrow's searches (RE2 has no look-behind).
TOKEN_SHAPE_RE2: Final = f"(?:^|[^a-z0-9]){TOKEN_SHAPE_SOURCE}"
_ASCII_GAPS: Final = bytes(c for c in range(128) if _GAPS.match(chr(c)))
_ODD: Final = re.compile(f"[{GAP}{''.join(map(chr, _SAME))}]")  # what white space leaves


def _secret_parts(value: str) -> set[str]:
    """A token of :data:`TOKEN_SHAPE`'s parts that give it away: its UUID (the secret; the
    ``pat-na1-`` before it is the same for every token of a region), and the token and its
    UUID with underscores for dashes, and the UUID without them (32 hex digits)."""
    if not TOKEN_SHAPE.fullmatch(value):
        return set()
    secret = value[-36:]
    return {secret, secret.replace("-", "_"), secret.replace("-", ""), value.replace("-", "_")}


def _spellings(value: str) -> set[str]:
    """``value``'s spellings, and those of its :func:`_secret_parts`."""
    return set().union(*(_spellings_of(v) for v in {value, *_secret_parts(value)}))


def _spellings_of(value: str) -> set[str]:
    forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    for escape in ("%{:02X}", "\\u{:04x}", "&#{};"):  # every sign escaped: pat%2Dna1%2D...
        forms.add("".join(c if c.isalnum() else escape.format(ord(c)) for c in value))
    raw = value.encode("utf-8", "surrogatepass")
    for offset in range(3):  # "Basic " + base64("user:" + token): another alignment
        forms |= _base64_inside(raw, offset)
    return {f for f in forms if len(f) >= MIN_LENGTH}


def _base64_inside(raw: bytes, offset: int) -> set[str]:
    """The base64 characters that encode ``raw`` alone when ``offset`` (mod 3) bytes come
    before it in the encoded text: those the bytes around it share are left out."""
    head = (0, 2, 3)[offset]  # characters holding bits of the bytes before
    out = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(b"\0" * offset + raw).decode().rstrip("=")
        tail = 1 if (offset + len(raw)) % 3 else 0  # the last holds bits of the bytes after
        out.add(text[head : len(text) - tail])
    return out


def _rebuild() -> None:
    global _pattern, _ordered, _folded
    ordered = tuple(sorted(_secrets, key=len, reverse=True))  # the longest spelling wins
    _pattern = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None
    _ordered = ordered
    _folded = tuple(dict.fromkeys(s.casefold() for s in ordered))


def _environment() -> None:
    """Register ``$HUBSPOT_ACCESS_TOKEN`` when it is new since last looked at: the client
    registers its token when it is made, and the command line at its start, but the notebook
    app in sandbox mode and a report exported from Python with no client made never did, so a
    token of no known shape (an OAuth token) in a sheet's cell went into reports as it was."""
    global _env_seen
    value = os.environ.get(ENV_TOKEN)
    if value == _env_seen:
        return
    _env_seen = value
    if value:
        from hubframe.tokens import token_text

        register_secret(token_text(value))


def register_secret(value: str | None) -> None:
    """Redact ``value`` (and its encoded spellings) from everything hubframe writes."""
    if not value or len(value.strip()) < MIN_LENGTH:
        return
    with _lock:
        forms = _spellings(value) | _spellings(value.strip())
        if not forms <= _secrets:
            _secrets.update(forms)
            _rebuild()


def forget_secret(value: str) -> None:
    """Stop redacting ``value`` (tests; a process that is done with a token)."""
    forget_spellings(_spellings(value) | _spellings(value.strip()))


def forget_spellings(forms: Iterable[str]) -> None:
    """Stop redacting these registered spellings (those :func:`spellings` listed; tests)."""
    with _lock:
        before = len(_secrets)
        _secrets.difference_update(forms)
        if len(_secrets) != before:
            _rebuild()


def spellings() -> tuple[str, ...]:
    """Every registered spelling, longest first (empty when nothing is registered)."""
    _environment()
    return _ordered


def contains_secret(text: str) -> bool:
    """True when ``text`` holds a registered secret in any case, whole or split by
    :data:`GAP` characters, full-width or with another hyphen (substring searches of the
    case-folded text: fast), or a word of :data:`TOKEN_SHAPE`."""
    _environment()
    folded_text = text.casefold()
    if _may_hold_shape(folded_text) and TOKEN_SHAPE.search(text):
        return True
    folded = _folded
    if not folded:
        return False
    return _holds(folded_text, folded) or _holds(squeeze(text).casefold(), folded)


def _may_hold_shape(folded_text: str) -> bool:
    """Whether case-folded text may hold a word of :data:`TOKEN_SHAPE` (its start, ``pat-``
    or ``pat_``): a substring search, so that the expression runs on few texts."""
    return "pat-" in folded_text or "pat_" in folded_text


def _holds(folded_text: str, folded: tuple[str, ...]) -> bool:
    return any(secret in folded_text for secret in folded)


def squeeze(text: str) -> str:
    """``text`` without :data:`GAP` characters, its full-width ASCII and other hyphens read as
    ASCII, and in NFKC (a ligature ``ﬀ`` as ``ff``, as a copy from a PDF gives it)."""
    if text.isascii():  # bytes' translate: ten times a regular expression's speed
        return text.encode("ascii").translate(None, _ASCII_GAPS).decode("ascii")
    text = "".join(text.split())  # white space (all of it is in GAP)
    text = _ODD.sub(_read_as, text) if _ODD.search(text) else text
    return text if text.isascii() else unicodedata.normalize("NFKC", text)  # ligatures: ff


def _read_as(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(_SAME[code]) if code in _SAME else ""


def replace_value(text: str, value: str, mark: str = MARK) -> str:
    """``text`` with ``value`` replaced by ``mark`` in any case (a token too short to be
    registered, or one a caller holds without registering it)."""
    if not value or value.casefold() not in text.casefold():
        return text
    return re.sub(re.escape(value), lambda _: mark, text, flags=re.IGNORECASE)


def replace_in_bytes(data: bytes, value: str, mark: str = MARK) -> bytes:
    """``data`` (an answer's body) with ``value``'s UTF-8 bytes replaced by ``mark`` in any
    ASCII case."""
    raw = value.encode("utf-8", "surrogatepass")
    if not raw or raw.lower() not in data.lower():
        return data
    return re.sub(re.escape(raw), lambda _: mark.encode(), data, flags=re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by :data:`MARK`: whole, or split by
    :data:`GAP` characters (from its first character to its last), full-width or with another
    hyphen; and every word of :data:`TOKEN_SHAPE`."""
    _environment()
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MARK, text)
    if _may_hold_shape(text.casefold()):
        text = TOKEN_SHAPE.sub(MARK, text)
    if pattern is None:
        return text
    if not _holds(squeeze(text).casefold(), _folded):
        return text
    return _redact_loose(text, pattern)


def _redact_loose(text: str, pattern: re.Pattern[str]) -> str:
    """:func:`redact` of a secret that is not whole in ``text``: searched in the text without
    its gaps, each match mapped back to the characters it was read from (rare: slow is
    fine)."""
    read: list[str] = []
    source: list[int] = []  # per character read, the one of ``text`` it was read from
    for i, c in enumerate(text):
        if not _GAPS.match(c):
            as_read = _read_char(c)
            read.append(as_read)
            source += [i] * len(as_read)
    out, last = [], 0
    for match in pattern.finditer("".join(read)):
        start, end = source[match.start()], source[match.end() - 1] + 1
        out += [text[last:start], MARK]
        last = end
    return "".join(out) + text[last:]


def _read_char(c: str) -> str:
    """A character as :func:`squeeze` and :func:`contains_secret` read it (case-folded)."""
    code = ord(c)
    if code in _SAME:
        return chr(_SAME[code])
    return c if c.isascii() else unicodedata.normalize("NFKC", c).casefold()


def clip(text: str, limit: int, *, count: bool = False) -> str:
    """``text`` redacted, then cut to ``limit`` characters with "..." (and, with ``count``,
    how long it was): cut first, a secret straddling the cut was no longer whole, so
    redaction missed it and up to ``limit`` of its characters were shown.  A cut never falls
    inside a :data:`MARK`."""
    shown = redact(text)
    if len(shown) <= limit:
        return shown
    end = limit
    start = shown.find(MARK, max(0, end - len(MARK) + 1))
    if start != -1 and start < end:  # the cut falls inside a mark: keep it whole
        end = start + len(MARK)
    said = f" ({len(text):,} characters)" if count else ""
    return f"{shown[:end]}...{said}"


def redact_all(texts: Iterable[str]) -> list[str]:
    """:func:`redact` on many texts, one search over all of them when none holds a secret."""
    items = list(texts)
    if not contains_secret("\x00".join(items)):
        return items
    return [redact(t) for t in items]


#: The loggers :func:`guard_loggers` filters: hubframe's client and run, and those of the
#: libraries under it that log requests (urllib3's connection pool logs each request's path).
GUARDED_LOGGERS: Final = (
    "hubframe.hubspot.client",
    "hubframe.send",
    "urllib3",
    "urllib3.connection",
    "urllib3.connectionpool",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
    "requests",
)


class RedactingFilter:
    """A log filter that lets every record through with :func:`redact` applied to its message
    (formatted with its arguments) and to the traceback it carries.  (logging takes any object
    with a ``filter`` method: not a subclass, so that ``hubframe --help``, which imports this
    module, does not import logging.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> None:
    """``record`` with any secret in its message, traceback or stack replaced by :data:`MARK`:
    the message then stands formatted, without its arguments."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it itself
        return
    if contains_secret(message):
        record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        import logging

        text = logging.Formatter().formatException(record.exc_info)
        if contains_secret(text):
            record.exc_text = redact(text)  # what formatters show instead of formatting again
    if record.stack_info and contains_secret(record.stack_info):
        record.stack_info = redact(record.stack_info)


_guarded: set[str] = set()


def guard_loggers(names: Iterable[str] = GUARDED_LOGGERS) -> None:
    """Put one :class:`RedactingFilter` on each named logger (once: calling again adds none).
    A logger's filters see the records logged to it by name, not those of its children, so
    each logger that logs requests is named."""
    import logging

    with _lock:
        for name in names:
            if name in _guarded:
                continue
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactingFilter) for f in logger.filters):
                logger.addFilter(RedactingFilter())
            _guarded.add(name)
