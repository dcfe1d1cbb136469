"""HubSpot's own CRM exports, read as they come.

An export of deals is named ``hubspot-crm-exports-all-deals-2026-11-29.csv`` (or the view's
name: ``hubspot-crm-exports-my-open-deals-...``), its first column ``Record ID`` is the row's
own id, properties follow (``Deal Name``, ``Deal Stage``, ...), and the associations are columns
such as ``Associated Contact IDs`` holding ``;``-separated ids, empty for a record that has
none.  The headers map through :mod:`hubframe.io.columns` (``Record ID`` is the from id,
``Associated Contact IDs`` the to ids and type); what the headers cannot say, the type of the
exported records, is inferred here -- only when nothing else gives it and only when it is
unambiguous:

* from the file name, when it names exactly one object type ("deals", "contact", "line-items")
  and the sheet is an export (the file name starts with ``hubspot-crm-export``, or the from id
  column is the row's own id: ``Record ID``, ``Object ID``, ``ID``);
* else from headers only one object has (``Deal Name``, ``Deal Stage``, ``Ticket name``,
  ``First Name``, ``Email``, ``Company name``, ...), when the from id column is the row's own id.

Two sources that disagree, or a file name naming two types (``deals_contacts.csv``), infer
nothing: the reader then asks for the type (``from_type=`` / ``--from``).  A view's name is the
analyst's: a contacts export of a view named "Deal champions" is
``hubspot-crm-exports-deal-champions-....csv``, and its contact headers (``First Name``,
``Email``) contradict the file name, so nothing is inferred.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Final

from hubframe.io.aliases import (
    OBJECT_SPELLINGS,
    Side,
    header_key,
)
from hubframe.io.columns import (
    ColumnMapping,
    TypeGuess,
    TypeGuesser,
)

EXPORT_NAME: Final = re.compile(r"hubspot[-_ ]crm[-_ ]exports?(?![a-z])", re.IGNORECASE)
#: Headers of the row's own id in an export (no object type in them).
OWN_ID_HEADERS: Final = frozenset(header_key(h) for h in ("Record ID", "Object ID", "ID"))
#: Properties only one standard object has, as HubSpot's exports head them.
CONTEXT_HEADERS: Final[dict[str, str]] = {
    header_key(header): object_type
    for object_type, headers in {
        "deals": ("Deal Name", "Deal Stage", "Deal owner"),
        "tickets": ("Ticket name", "Ticket status", "Ticket owner"),
        "contacts": ("First Name", "Last Name", "Email", "Contact owner"),
        "companies": ("Company name", "Company Domain Name", "Company owner"),
    }.items()
    for header in headers
}


def is_hubspot_export(file_name: str) -> bool:
    """True for HubSpot's export file names (``hubspot-crm-exports-all-deals-....csv``)."""
    return EXPORT_NAME.search(PurePath(file_name).name) is not None


def types_named_in(file_name: str) -> list[str]:
    """The standard object types a file name names, in order, each once."""
    words = [w for w in re.split(r"[^0-9a-z]+", PurePath(file_name).stem.casefold()) if w]
    found: list[str] = []
    for i, word in enumerate(words):
        pair = word + words[i + 1] if i + 1 < len(words) else ""
        for key in (pair, word):  # "line-items" before "items"
            if key in OBJECT_SPELLINGS:
                found.append(OBJECT_SPELLINGS[key])
                break
    return list(dict.fromkeys(found))


def from_type_guesser(file_name: str, headers: Sequence[str]) -> TypeGuesser:
    """The guesser :func:`hubframe.io.columns.match_headers` calls when no from type is given."""

    def guess(side: Side, mapping: ColumnMapping) -> TypeGuess | None:
        return guess_from_type(file_name, headers, mapping) if side == "from" else None

    return guess


def guess_from_type(
    file_name: str, headers: Sequence[str], mapping: ColumnMapping
) -> TypeGuess | None:
    """The exported records' type, from the file name or the headers, when unambiguous."""
    own_id = mapping.columns.get("from_id")
    own_row = own_id is not None and header_key(own_id) in OWN_ID_HEADERS
    named = types_named_in(file_name) if own_row or is_hubspot_export(file_name) else []
    context = [h for h in headers if header_key(h) in CONTEXT_HEADERS] if own_row else []
    by_context = list(dict.fromkeys(CONTEXT_HEADERS[header_key(h)] for h in context))
    if len(named) > 1 or len(by_context) > 1 or (named and by_context and named != by_context):
        return None
    if named:
        return TypeGuess(named[0], "file name", PurePath(file_name).name)
    if by_context:
        return TypeGuess(by_context[0], "headers", ", ".join(context))
    return None
