"""Secrecy: the access token kept masked, written into each request at send time only.

The token lives in one :class:`Secret` (XOR-masked; no repr, no pickle) and is written into the
``Authorization`` header by one :class:`BearerAuth` object as each request is prepared, so no
frame of hubframe holds it as a local; what requests keeps of a sent request is wiped
(:func:`forget_auth`, :func:`scrub`).  A base URL with a user name or password is refused
(:func:`base_url_of`): HubSpot authenticates with the token only, and so is a plain
``http://`` one to another machine: the token would cross the network unencrypted, and one
with white space, a query or a fragment, or none at all (``""``; None is the default).  A token
holding a line break or other character no header may carry is refused without its value
(:func:`~hubframe.tokens.token_problem`): sending it raised an error that quoted the
whole header.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import traceback
from typing import Any, Final
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from hubframe.constants import DEFAULT_BASE_URL, ENV_BASE_URL
from hubframe.errors import UsageError

JSON = dict[str, Any]


class Secret:
    """An access token, kept masked (XOR with a random pad): neither its repr nor its attributes
    show the value; :meth:`reveal` gives it back for the moment it is needed.  Callers that hold
    a token for a while (the command line, the notebook app) keep it in one of these too, and
    may pass it to :class:`HubSpotClient` as ``token``."""

    __slots__ = ("_masked", "_pad")

    def __init__(self, value: str) -> None:
        raw = value.encode()
        self._pad = os.urandom(len(raw))
        self._masked = bytes(a ^ b for a, b in zip(raw, self._pad, strict=True))

    def reveal(self) -> str:
        return bytes(a ^ b for a, b in zip(self._masked, self._pad, strict=True)).decode()

    def fingerprint(self, salt: bytes) -> str:
        """A salted SHA-256 of the token: tells two tokens apart (a journal keeps it to know
        the portal its batches went to) and gives nothing of the token back."""
        return hashlib.sha256(salt + self.reveal().encode()).hexdigest()

    def __repr__(self) -> str:
        return "<redacted>"

    def __reduce__(self) -> Any:
        raise UsageError("the access token cannot be pickled")


class BearerAuth(AuthBase):
    """Writes ``Authorization: Bearer ...`` into each request as requests prepares it."""

    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = "Bearer " + self._secret.reveal()
        return r

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"


def forget_auth(resp: requests.Response) -> None:
    """Drop the Authorization header requests keeps on the response's request(s)."""
    for r in (*resp.history, resp):
        if r.request is not None:
            r.request.headers.pop("Authorization", None)


def scrub(error: BaseException) -> None:
    """Wipe what an error raised inside requests / urllib3 holds of the request: the locals of
    its (finished) frames, and the headers of the request it carries; the same for the errors
    it chains to."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.__traceback__ is not None:
            traceback.clear_frames(current.__traceback__)
        for name in ("request", "response"):
            held = getattr(current, name, None)
            if isinstance(held, requests.PreparedRequest):
                held.headers.pop("Authorization", None)
            elif isinstance(held, requests.Response):
                forget_auth(held)
        current = current.__cause__ or current.__context__


#: How a refusal names a base URL taken from the environment (none given).
ENV_BASE_URL_NAMED: Final = f"${ENV_BASE_URL}"


def base_url_of(given: str | None, named: str = "base_url") -> tuple[str, str | None]:
    """The base URL to use, or a reason it cannot be used (without its credentials).  The
    reason names where the URL came from: ``named`` (how the caller gives it: ``base_url``,
    ``--base-url``, the app's "Base URL"), or ``$HUBSPOT_BASE_URL`` when none was given.

    None means the default (``$HUBSPOT_BASE_URL``, else HubSpot's own address); an empty or
    blank text is refused (an unset variable's value: it used to mean HubSpot itself), and so
    is white space or an invisible character anywhere (a line break read from a file was sent,
    and failed as "HubSpot could not be reached"), a query or a fragment (every request's path
    went after it: "No route matches /.")."""
    if given is not None and not isinstance(given, str):  # a number, bytes, pd.NA
        return "", f"{named} must be text (a URL), not {type(given).__name__}"
    if given is not None and not given.strip():
        return "", (
            f"{named} is empty ({given!r}; a variable that is not set?): give the address to "
            f"send to ({DEFAULT_BASE_URL} for HubSpot, a sandbox's url for a rehearsal), or "
            "leave it out (None) for $HUBSPOT_BASE_URL or HubSpot"
        )
    from_env = os.environ.get(ENV_BASE_URL) if given is None else None
    url = given if given is not None else (from_env or DEFAULT_BASE_URL)
    if given is None and from_env:
        named = ENV_BASE_URL_NAMED
    unwritten = _unwritten(url, named)
    if unwritten is not None:
        return "", unwritten
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "", f"{named} is not a URL (http:// or https:// and a host name)."
    if "@" in parts.netloc:
        where = f"{parts.scheme}://<credentials>@{parts.hostname or ''}"
        where += f":{port}" if port else ""
        return "", (
            f"{named} must not contain a user name or password ({where}): HubSpot "
            "authenticates with the access token only."
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "", f"{named} must start with http:// or https:// and name a host{_as_given(url)}"
    if "?" in url or "#" in url:
        what = "a query ('?...')" if "?" in url.split("#", 1)[0] else "a fragment ('#...')"
        return "", (
            f"{named} holds {what}: every request's path would follow it, and HubSpot takes "
            "no setting in its base URL (the access token is given on its own, never in the "
            f"URL); write the address alone{_written(parts.scheme, parts.netloc, parts.path)}"
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return "", (
            f"{named}'s plain http:// to {_quoted(parts.hostname) or 'that host'} would send "
            "the access token unencrypted to another machine: "
            "use https:// (plain http:// is for a sandbox on this machine: localhost, "
            "127.0.0.1, ::1)."
        )
    return url.rstrip("/"), None


def _unwritten(url: str, named: str) -> str | None:
    """Why ``url`` cannot be sent as it is: white space or an invisible character in it
    (saying which and where, never the text around it); None when it holds none."""
    for position, char in enumerate(url, start=1):
        if char.isprintable() and not char.isspace():
            continue
        what = (
            "a line break"
            if char in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
            else "a space"
            if char.isspace()
            else "a control character"
            if ord(char) < 32 or 127 <= ord(char) < 160
            else "an invisible character"
        )
        clean = "".join(c for c in url if c.isprintable() and not c.isspace())
        try:
            parts = urlsplit(clean)
            shown = _written(parts.scheme, parts.netloc, "", query=False)
        except ValueError:
            shown = ""
        return (
            f"{named} holds {what} ({char!r}) at character {position} of {len(url)}: write "
            f"the address alone, without spaces or line breaks{shown}"
        )
    return None


def _written(scheme: str, netloc: str, path: str, *, query: bool = True) -> str:
    """ ": 'https://host:port/...'": the address as it should be written, quoted when its host
    reads as a host name (:func:`_quoted`: a token given in its place is not); else ""."""
    quoted = _quoted(netloc + path.rstrip("/")) if scheme in ("http", "https") else None
    if quoted is None or "@" in netloc:
        return "" if query else "."
    return f": '{scheme}://{quoted[1:-1]}'" if query else f" ('{scheme}://{quoted[1:-1]}')."


#: What a base URL given without its scheme looks like: a host name (labels of letters, digits
#: and dashes, a dot between them), a port, a path.  Only such text is quoted back: a token
#: given in its place (arguments swapped, pasted in the wrong box) is not.
_HOST_LIKE: Final = re.compile(
    r"(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63})"
    r"(?::\d{1,5})?"
)


def _quoted(text: str) -> str | None:
    """``text`` quoted for a refusal when it reads as a host name, its path left out ("/..."),
    as a path may hold anything (else None: not said)."""
    host, slash, _ = text.partition("/")
    if not _HOST_LIKE.fullmatch(host) or len(host) > 80:
        return None
    return repr(host + ("/..." if slash else ""))


def may_hold_secret(url: str) -> bool:
    """A base URL refused without being quoted back (:func:`_quoted`): the notebook app empties
    its box then, as it empties the token's, so a saved notebook does not keep it."""
    try:
        host = (urlsplit(url).hostname or "") if "://" in url else url
    except ValueError:  # "http://[": not a URL, and not quoted
        host = url
    return bool(url.strip()) and _quoted(host) is None


def _as_given(url: str) -> str:
    """``url`` quoted for a refusal when it reads as a host name, else its length alone."""
    quoted = _quoted(url)
    if quoted is not None:
        return f": {quoted}"
    return (
        f" (the {len(url)} characters given are not a URL; not shown, as they may be the "
        "access token given in its place)"
    )


def _loopback(host: str) -> bool:
    """``host`` is this machine: ``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
