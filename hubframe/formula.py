"""Formula-safe text: the guard hubframe writes into CSV files, and the reader's inverse.

A spreadsheet program runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (OWASP, "CSV injection").  In a CSV file the only defence is to
change the text, and OWASP's advice is a leading apostrophe, which Excel shows as text.  So
that the analyst gets back exactly what was uploaded, the apostrophe is a reversible guard:

* :func:`guard` puts one ``'`` in front of text that, after any apostrophes it already starts
  with, begins with one of those characters (``=1+2`` -> ``'=1+2``; a literal ``'=1+2`` ->
  ``''=1+2``), except plain numbers such as ``-5`` or ``+1.5e3`` (Excel reads those as
  numbers, never as formulas).
* text that a spreadsheet reads as an error value (``#N/A``, ``#REF!``, ``Err:502``: a label
  HubSpot holds may be named so) is guarded the same way, so a CSV file gives it back as text
  and the reader tells it from the error a failed formula leaves (which it refuses);
* :func:`unguard` takes exactly one ``'`` off text that starts with ``'`` followed by such
  text, and leaves everything else alone, so ``unguard(guard(t)) == t`` for every ``t``.

hubframe's reader applies :func:`unguard` (:func:`unguard_column` on Arrow columns) to the
cells and headers of CSV files; a file guarded this way by another tool reads back the same.
Excel workbooks need no guard: hubframe writes text as text cells, which Excel never runs,
and marks risky ones with Excel's "quote prefix" style without changing the value.
"""

from __future__ import annotations

import re
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from hubframe.constants import ERROR_TEXTS, OFFICE_ERROR

#: The characters that make a spreadsheet treat a cell as a formula (OWASP).
TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CLASS: Final = r"[=+\-@\t\r]"
#: Text that gets a guard: any apostrophes, then a trigger (matched at the start).
GUARDED: Final = re.compile(rf"'*{_TRIGGER_CLASS}")
#: A plain number: numbers are never guarded (Excel reads them as numbers).
NUMBER: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_ERRORS: Final = "|".join([*(re.escape(e) for e in ERROR_TEXTS), OFFICE_ERROR])
#: Every character Python's ``str.strip`` (and Arrow's ``utf8_trim_whitespace``) takes for a
#: space, as a class both regex engines read alike: RE2's ``\s`` (Arrow, pandas' Arrow strings)
#: is ASCII only, Python's is Unicode, and a label "#N/A" with a no-break space guarded by one
#: was not unguarded by the other.
_SPACE: Final = "[" + "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + "]"
#: Text that, after any apostrophes, is a spreadsheet error's text (edge spaces and case aside).
ERROR_GUARDED: Final = re.compile(rf"'*{_SPACE}*(?:{_ERRORS}){_SPACE}*", re.IGNORECASE)
#: The same rules for regex engines that match a whole cell (pandas, Arrow/RE2).
GUARDED_PATTERN: Final = rf"^'*{_TRIGGER_CLASS}"
ERROR_PATTERN: Final = rf"(?i)^'*{_SPACE}*(?:{_ERRORS}){_SPACE}*$"
NUMBER_PATTERN: Final = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
#: One guard: a ``'`` before a trigger, or before an error's text (one pass: never two off).
_UNGUARD_PATTERN: Final = rf"(?i)^'('*{_TRIGGER_CLASS}|'*{_SPACE}*(?:{_ERRORS}){_SPACE}*$)"


def starts_like_formula(text: str) -> bool:
    """True for text a spreadsheet would run as a formula (first character a trigger)."""
    return text.startswith(TRIGGERS)


def needs_guard(text: str) -> bool:
    """True when :func:`guard` changes ``text``."""
    if ERROR_GUARDED.fullmatch(text) is not None:
        return True
    return GUARDED.match(text) is not None and NUMBER.fullmatch(text) is None


def guard(text: str) -> str:
    """The text to write in a CSV cell (or header) so no spreadsheet runs it."""
    return "'" + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """What :func:`guard` was given: one leading ``'`` off guarded text, else ``text``."""
    if text.startswith("'") and (
        GUARDED.match(text, 1) is not None or ERROR_GUARDED.fullmatch(text, 1) is not None
    ):
        return text[1:]
    return text


def unguard_column(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """:func:`unguard` on every cell of an Arrow text column (nulls stay null)."""
    if not pc.any(pc.starts_with(column, "'")).as_py():
        return column  # the common case: nothing to take off, no copy
    return pc.replace_substring_regex(column, pattern=_UNGUARD_PATTERN, replacement=r"\1")
