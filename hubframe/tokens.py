"""What an access token may be, told without loading an HTTP library: the notebook app, the
command line and the built-in sandbox check a token as typed with these, and the client does
before it sends one (:mod:`hubframe.hubspot.auth` keeps it masked)."""

from __future__ import annotations

#: Quotes a token may come wrapped in (an env file's ``TOKEN="pat-..."`` read as it is, a
#: word processor's curly quotes, one left by a cut paste): no token holds one.
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"


def token_text(given: str) -> str:
    """A token as given, without what a copy brings along: spaces and line ends around it,
    quotes around it (``"pat-na1-..."``: no token holds a quote), and the ``Bearer`` word of an
    Authorization header ("Bearer pat-na1-..."); "Bearer" alone is no token ("").  Before,
    a quoted token was the token's text to redact, and the token itself in a cell was not."""
    text = _unquoted(given)
    parts = text.split(None, 1)
    if parts and parts[0].lower() == "bearer":
        return _unquoted(parts[1]) if len(parts) == 2 else ""
    return text


def _unquoted(text: str) -> str:
    """``text`` without the spaces and quotes around it (a pair, or one alone)."""
    return text.strip().strip(_QUOTES + " \t\r\n")


def token_problem(text: str) -> str | None:
    """Why ``text`` cannot be an access token, saying where but never what it holds; None
    when it can.  Tokens are visible ASCII (``pat-na1-...``)."""
    for position, char in enumerate(text, start=1):
        if not 33 <= ord(char) <= 126:
            what = (
                "a line break"
                if char in "\r\n\u2028\u2029"
                else "a space"
                if char.isspace()
                else "a control character"
                if ord(char) < 32 or ord(char) == 127
                else "a character outside ASCII"
            )
            return (
                f"The access token holds {what} at character {position} of {len(text)}: "
                "paste the token alone (HubSpot's tokens are letters, digits and dashes)."
            )
    return None
