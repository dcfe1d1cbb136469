"""Text bound for a terminal, with the characters that would steer the terminal shown instead.

What the command line prints quotes the analyst's cells, headers, sheet and file names, and
HubSpot's label names and messages.  Any of them can hold control characters: an escape
sequence colours or clears the screen, rewrites the window's title or (OSC 52) the clipboard;
a carriage return or a backspace writes over what was printed before it, so a line saying a row
is in error can be overwritten by one saying it is fine; a right-to-left override reverses what
follows it.  :func:`visible` writes each such character as its escape (``\\x1b``, ``\\u202e``),
so the terminal shows it and is steered by none of it.  The command line applies it to all it
writes (keeping the carriage return that begins a progress bar's write, which is how tqdm
redraws its line), and every message of a :class:`~hubframe.errors.HubframeError` and of
hubframe's warnings is made with it, as Python prints them to a terminal too.
"""

from __future__ import annotations

import re
from typing import Final

#: C0 controls but tab and newline, DEL and the C1 controls (a terminal takes U+009B for an
#: escape sequence), and the bidirectional overrides, embeddings and isolates.
_STEERING: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, redraw: bool = False) -> str:
    """``text`` with every character that steers a terminal written as its escape.
    ``redraw``: a carriage return that begins it is kept (a write of a progress bar redrawing
    its line; everything after it is still shown as text)."""
    if _STEERING.search(text) is None:
        return text
    head = "\r" if redraw and text.startswith("\r") else ""
    return head + _STEERING.sub(_escaped, text[len(head) :])


def shown(value: object) -> str:
    """``repr(value)`` for a message, or :func:`no_text` when it has none (an int too long for
    Python to write, an object whose ``repr`` fails)."""
    try:
        return repr(value)
    except Exception:
        return no_text(value)


def no_text(value: object) -> str:
    """Words for a value Python cannot write: "(a whole number of about 5,001 digits)"."""
    if isinstance(value, int):
        digits = int(abs(value).bit_length() * 0.30103) + 1
        return f"(a whole number of about {digits:,} digits)"
    return f"(a {type(value).__name__} that has no text)"


__all__ = ["no_text", "shown", "visible"]
