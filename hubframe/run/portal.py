"""Which portal a journal's batches went to, so they are never taken for another portal's.

A journal records the batches a run finished; resuming re-uses them and sends only the rest,
and undo takes back what they created.  A journal written against one portal (a rehearsal in
the sandbox, a test portal) and given to a run against another would report every recorded row
``success`` there while nothing was sent, and undo would remove that portal's own associations.
So the journal keeps the base URL and a salted SHA-256 of the access token of the runs that
wrote it (:class:`PortalKey`; never the token), and a run or an undo with another refuses it
before anything is read or sent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from hubframe.errors import HubframeWarning, InputError
from hubframe.redaction import clip

#: Where a result table read from a journal keeps the journal's portal
#: (``attrs["hubframe"]["portal"]``: the journal's path and the :class:`PortalKey` fields).
PORTAL_KEY = "portal"
#: Where a result table read from a report keeps the host its run sent to
#: (``attrs["hubframe"]["sent_to"]``: ``{"host": ..., "report": file name}``).
SENT_TO = "sent_to"
#: How a report's Summary sheet labels the run's :meth:`PortalKey.text`.
PORTAL_LABEL = "portal key"
#: What an undo against another portal would do, said by every refusal of one.
_UNDONE_HERE = (
    "Its rows say what that run created there, not here: undone here, they would remove this "
    "portal's own associations."
)
#: The way out for a token made since in the same portal (an .xlsx report's check is cleared).
_ROTATED = (
    "if the token was made since for this same portal, undo it from its .xlsx report with the "
    f"Summary sheet's '{PORTAL_LABEL}' cell cleared"
)
_SCHEME = "sha256"
_HEX = re.compile(r"[0-9a-f]{32,64}")


class TokenHolder(Protocol):
    """What a :class:`~hubframe.hubspot.client.HubSpotClient` tells of where it sends."""

    base_url: str

    def token_fingerprint(self, salt: bytes) -> str: ...


@dataclass(frozen=True)
class PortalKey:
    """The base URL and the salted SHA-256 of the access token (hex) of a portal's runs."""

    base_url: str
    salt: str
    token: str

    @classmethod
    def of(cls, client: TokenHolder, salt: str | None = None) -> PortalKey:
        """The key of ``client``'s portal, with ``salt`` (hex; a new random one when None)."""
        salt = salt or os.urandom(16).hex()
        return cls(client.base_url, salt, client.token_fingerprint(bytes.fromhex(salt)))

    def well_formed(self) -> bool:
        """Whether the salt and the token's hash are hex as :meth:`of` writes them (a salt of
        whole bytes): a damaged journal's or report's are refused, never read as another
        portal's nor a traceback."""
        return bool(
            _HEX.fullmatch(self.salt) and len(self.salt) % 2 == 0 and _HEX.fullmatch(self.token)
        )

    def text(self) -> str:
        """The salt and the token's hash as a report's Summary keeps them (no base URL: the
        Summary names the host on a row of its own): ``sha256:<salt>:<hash>``."""
        return f"{_SCHEME}:{self.salt}:{self.token}"

    @classmethod
    def from_text(cls, host: str, text: str) -> PortalKey | None:
        """The key :meth:`text` wrote, for a run that sent to ``host``; None when ``text`` is
        not one (an edited or damaged cell)."""
        parts = text.strip().lower().split(":")
        if len(parts) != 3 or parts[0] != _SCHEME:
            return None
        key = cls(host, parts[1], parts[2])
        return key if key.well_formed() else None

    def same_host(self, client: TokenHolder) -> bool:
        """Hosts are compared, not ports: a run through a proxy on another port resumes
        directly (the token tells portals apart)."""
        return host_of(self.base_url) == host_of(client.base_url)

    def matches(self, client: TokenHolder) -> bool:
        return self.same_host(client) and PortalKey.of(client, self.salt).token == self.token


def portal_elsewhere(key: PortalKey, client: TokenHolder) -> str:
    """Where ``key``'s runs went, said against ``client``'s (they do not match)."""
    if not key.same_host(client):
        return f"the API at {host_of(key.base_url)}, not {host_of(client.base_url)}"
    return "another access token (another portal, or a token made since)"


def refuse_another_run_portal(key: PortalKey, client: TokenHolder) -> None:
    """InputError when ``client`` sends elsewhere than the run of a result table did (every
    HubSpot portal shares one host: the token tells them apart)."""
    if key.matches(client):
        return
    where = (
        f"to the API at {host_of(key.base_url)}, not {host_of(client.base_url)}"
        if not key.same_host(client)
        else f"with {portal_elsewhere(key, client)}"
    )
    raise InputError(
        f"the run's result table: the run was sent {where}. {_UNDONE_HERE} Undo it with the "
        f"portal and token it was run with; {_ROTATED}."
    )


def refuse_another_portal(key: PortalKey, client: TokenHolder, journal: str) -> None:
    """InputError when ``client`` sends elsewhere than the runs that wrote ``journal``."""
    if key.matches(client):
        return
    other = portal_elsewhere(key, client)
    raise InputError(
        f"journal {journal}: written by runs against {other}; the batches it records were "
        "sent there, and would be taken here for done (resume) or for this portal's own "
        "(undo). Give a new journal file for runs against this portal; undo that run with the "
        f"portal and token it was run with; {_ROTATED}."
    )


def refuse_another_portal_of(table_attrs: Mapping[Any, Any], client: TokenHolder) -> None:
    """:func:`refuse_another_portal` for a result table read from a journal (its attrs)."""
    meta = table_attrs.get("hubframe") or {}
    found = meta.get(PORTAL_KEY) if isinstance(meta, Mapping) else None
    if isinstance(found, Mapping):
        key = PortalKey(str(found["base_url"]), str(found["salt"]), str(found["token"]))
        refuse_another_portal(key, client, str(found["journal"]))


def refuse_another_report_portal(sent: Mapping[str, Any], client: TokenHolder) -> None:
    """InputError when ``client`` holds another token than the run of a report did (``sent``:
    what the report's Summary says, :data:`SENT_TO`), or when the Summary's portal key is not
    one hubframe wrote.  A report without a key (a .csv report, one written before reports
    held it) is not checked."""
    text = sent.get("portal")
    if not text:
        return
    report = f"report {sent.get('report', '')}".strip()
    # a Summary that lost its host row: the key still tells the portal by its token
    host = str(sent.get("host") or client.base_url)
    key = PortalKey.from_text(host, str(text))
    if key is None:
        shown = clip(str(text), 120)  # a cell typed by hand: a token pasted in is not said
        raise InputError(
            f"{report}: the Summary sheet's '{PORTAL_LABEL}' cell ({shown!r}) is not a key "
            "hubframe wrote, so which portal the run sent to cannot be told. Undo from the "
            "report as it was written, or clear the cell to undo without the check."
        )
    if key.matches(client):
        return
    raise InputError(
        f"{report}: the run was sent with {portal_elsewhere(key, client)}. {_UNDONE_HERE} "
        "Undo it with the portal's token it was run with; if the token was made since for "
        f"this same portal, clear the Summary sheet's '{PORTAL_LABEL}' cell and undo again."
    )


class PortalUnchecked(HubframeWarning):
    """An undo of a table that does not say which portal its run sent to (a .csv report, a
    table read or made by hand): the token it goes with could not be checked against the
    run's."""


def refuse_another_address(sent: str, what: str, client: TokenHolder) -> None:
    """InputError when ``client`` sends to another host than the run ``what`` names did
    (``sent``: its base URL, or the host alone, as a report's Summary keeps it).  Hosts are
    compared, not ports: a run through a proxy on another port is undone directly."""
    there = host_of(sent)
    here = host_of(client.base_url)
    if there == here:
        return
    raise InputError(
        f"{what}: the run was sent to {there}, and this undo would go to {here}. "
        f"{_UNDONE_HERE} Undo it against {there}."
    )


def host_of(address: str) -> str:
    """The host a base URL (or a host alone, as a report keeps it) names, lower case."""
    if "://" not in address:
        return address.strip().lower()
    return (urlsplit(address).hostname or "").lower()


__all__ = [
    "PORTAL_KEY",
    "PORTAL_LABEL",
    "SENT_TO",
    "PortalKey",
    "PortalUnchecked",
    "TokenHolder",
    "host_of",
    "portal_elsewhere",
    "refuse_another_address",
    "refuse_another_portal",
    "refuse_another_portal_of",
    "refuse_another_report_portal",
    "refuse_another_run_portal",
]
