"""HubSpot's own CRM exports, read as they come.

An export of deals is named ``hubspot-crm-exports-all-deals-2026-11-29.csv``, its first column
``Record ID`` is the row's own id, properties follow (``Deal Name``, ``Deal Stage``, ...), and
the associations are columns such as ``Associated Contact IDs`` holding ``;``-separated ids,
empty for a record that has none.  The headers map through :mod:`hubframe.io.columns`
(``Record ID`` is the from id, ``Associated Contact IDs`` the to ids and type); what the
headers cannot say, the type of the exported records, is inferred here -- only when nothing
else gives it and only when it is unambiguous:

* from the file name, when the sheet is an export (the file name starts with
  ``hubspot-crm-export``, or the from id column is the row's own id: ``Record ID``, ``Object
  ID``, ``ID``) and the name is an object's own: its words, without HubSpot's
  ``hubspot-crm-exports`` and without numbers (the date, a copy's "(1)"), are the object's name
  alone or after the words HubSpot names its default views with (:func:`default_view_type`):
  ``deals``, ``all-deals``, ``my-deals``, ``all-open-deals``, ``my-open-tickets``,
  ``unassigned-contacts``, ``all-line-items``; a retry mark at the end (``..._retry.csv``, the
  name hubframe gives a retry file) is left out, so a retry file says what its sheet said;
* else from headers only one object has (``Deal Name``, ``Deal Stage``, ``Ticket name``,
  ``First Name``, ``Email``, ``Company Domain Name``, ...), when the from id column is the row's
  own id and at least two such headers say the same object: one alone may be a property the
  portal added to another object (a company's own "Email", a ticket's "Deal Name"), and
  ``Company name`` is a contact's property as well as a company's, so it says nothing.

HubSpot names an export after its view, and the analyst names the view: a contacts export of
a view named "Deal champions" is ``hubspot-crm-exports-deal-champions-....csv``.  A name that
mentions an object in other words (``deal-champions``, ``q3-deals-to-chase``,
``contacts-at-won-deals``, ``open-tickets``) says what the view is about, not which object's
records it lists, so nothing is taken from it: such a contacts export holding only ``Record ID``
and ``Associated Company IDs`` was read as deals, its contact ids sent as deal ids.  The same
holds for a file the analyst named (``deal-champions.csv``).  The object such a name mentions
still vetoes headers that say another, and two sources that disagree, or a name mentioning two
objects (``deals_contacts.csv``), infer nothing: the reader then asks for the type
(``from_type=`` / ``--from``), saying why none was taken (:class:`NoGuess`).
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
    NoGuess,
    TypeGuess,
    TypeGuesser,
)

EXPORT_NAME: Final = re.compile(r"hubspot[-_ ]crm[-_ ]exports?(?![a-z])", re.IGNORECASE)
#: The words of HubSpot's own part of an export's file name.
EXPORT_WORDS: Final = (("hubspot", "crm", "exports"), ("hubspot", "crm", "export"))
#: The words before an object's name in the names HubSpot gives its default views ("All
#: deals", "My open deals", "Unassigned contacts"), and none (a file named "deals.csv").
#: Nothing else: "open tickets", "recent deals" are names an analyst gave a view, of any object.
DEFAULT_VIEW_WORDS: Final = frozenset(
    {(), ("all",), ("my",), ("all", "open"), ("my", "open"), ("unassigned",)}
)
#: The word hubframe marks a retry file's name with, after its sheet's (``<stem>_retry.csv``):
#: left out at the end of a name, as a date is, so the retry file of ``...-all-deals-...``
#: says deals as its sheet did.
RETRY_WORD: Final = "retry"
#: Headers of one object's properties needed to take the type from them (see the docstring).
CONTEXT_NEEDED: Final = 2
#: Headers of the row's own id in an export (no object type in them).
OWN_ID_HEADERS: Final = frozenset(header_key(h) for h in ("Record ID", "Object ID", "ID"))
#: Properties only one standard object has, as HubSpot's exports head them.
CONTEXT_HEADERS: Final[dict[str, str]] = {
    header_key(header): object_type
    for object_type, headers in {
        "deals": ("Deal Name", "Deal Stage", "Deal owner"),
        "tickets": ("Ticket name", "Ticket status", "Ticket owner"),
        "contacts": ("First Name", "Last Name", "Email", "Contact owner"),
        # not "Company name": contacts have it too (the company a contact works for)
        "companies": ("Company Domain Name", "Company owner"),
    }.items()
    for header in headers
}


def is_hubspot_export(file_name: str) -> bool:
    """True for HubSpot's export file names (``hubspot-crm-exports-all-deals-....csv``)."""
    return EXPORT_NAME.search(PurePath(file_name).name) is not None


def _name_words(file_name: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", PurePath(file_name).stem.casefold()) if w]


def types_named_in(file_name: str) -> list[str]:
    """The standard object types a file name mentions, in order, each once."""
    words = _name_words(file_name)
    found: list[str] = []
    for i, word in enumerate(words):
        pair = word + words[i + 1] if i + 1 < len(words) else ""
        for key in (pair, word):  # "line-items" before "items"
            if key in OBJECT_SPELLINGS:
                found.append(OBJECT_SPELLINGS[key])
                break
    return list(dict.fromkeys(found))


def view_words(file_name: str) -> tuple[str, ...]:
    """The words of a file name that say what it holds: without HubSpot's ``hubspot crm
    exports``, without numbers (an export's date, a copy's "(1)") and without the retry marks
    at its end (:data:`RETRY_WORD`: a retry file's, a retry of a retry file's)."""
    words = _name_words(file_name)
    for i in range(len(words) - 2):
        if tuple(words[i : i + 3]) in EXPORT_WORDS:
            del words[i : i + 3]
            break
    kept = [w for w in words if not w.isdigit()]
    while kept and kept[-1] == RETRY_WORD:
        kept.pop()
    return tuple(kept)


def default_view_type(file_name: str) -> str | None:
    """The object a file name names as its own, None for any other name: the name's
    :func:`view_words` are the object's name (``deals``, ``line items``, ``contact``) alone or
    after the words of a default view (:data:`DEFAULT_VIEW_WORDS`: ``all deals``, ``my open
    tickets``, ``unassigned contacts``).  ``deal champions``, ``q3 deals``, ``open tickets``:
    None, the name of a view that may list another object's records."""
    words = view_words(file_name)
    for size in (1, 2):  # "deals", "line items"
        if len(words) > size - 1 and words[:-size] in DEFAULT_VIEW_WORDS:
            found = OBJECT_SPELLINGS.get("".join(words[-size:]))
            if found is not None:
                return found
    return None


def from_type_guesser(
    file_name: str, headers: Sequence[str], sheet: str | None = None
) -> TypeGuesser:
    """The guesser :func:`hubframe.io.columns.match_headers` calls when no from type is given
    (``sheet``: the workbook sheet's name, which may contradict the file name's)."""

    def guess(side: Side, mapping: ColumnMapping) -> TypeGuess | NoGuess | None:
        if side != "from":
            return None
        found = guess_from_type(file_name, headers, mapping)
        return _sheet_veto(found, sheet) if isinstance(found, TypeGuess) else found

    return guess


def _sheet_veto(found: TypeGuess, sheet: str | None) -> TypeGuess | NoGuess:
    """A guess from the file name that the sheet's name contradicts, naming another object as
    its own as the file name does (``deals.xlsx``, sheet "Companies" or "All companies
    2024"): the sheet may hold that object's records, so no type is taken.  A sheet name that
    only mentions an object ("Email campaign Q3", "Call list") says nothing of its rows."""
    own = default_view_type(sheet) if sheet and found.reason == "file name" else None
    if own is None or own == found.object_type:
        return found
    return NoGuess(
        f"The file name says {found.object_type} but the sheet's name '{sheet}' says {own}, "
        "so no type is taken."
    )


def guess_from_type(
    file_name: str, headers: Sequence[str], mapping: ColumnMapping
) -> TypeGuess | NoGuess | None:
    """The exported records' type, from the file name or the headers, when unambiguous; why
    not (:class:`NoGuess`) when the name or the headers mention objects but give none."""
    own_id = mapping.columns.get("from_id")
    own_row = own_id is not None and header_key(own_id) in OWN_ID_HEADERS
    export = own_row or is_hubspot_export(file_name)
    named = types_named_in(file_name) if export else []
    own = default_view_type(file_name) if export else None
    context = [h for h in headers if header_key(h) in CONTEXT_HEADERS] if own_row else []
    by_context = list(dict.fromkeys(CONTEXT_HEADERS[header_key(h)] for h in context))
    if len(by_context) > 1:
        said = ", ".join(f"{h}: {CONTEXT_HEADERS[header_key(h)]}" for h in context)
        return NoGuess(f"The headers name several objects ({said}), so no type is taken.")
    if named and by_context and named != by_context:
        return NoGuess(
            f"The file name mentions {' and '.join(named)} and the headers "
            f"({', '.join(context)}) say {by_context[0]}, so no type is taken."
        )
    if own is not None:
        return TypeGuess(own, "file name", PurePath(file_name).name)
    if by_context and len({header_key(h) for h in context}) >= CONTEXT_NEEDED:
        return TypeGuess(by_context[0], "headers", ", ".join(context))
    if by_context:
        return NoGuess(
            f"Only the header {context[0]} says {by_context[0]}, and a property of that name "
            "may be one the portal added to another object, so no type is taken from it."
        )
    return _not_its_own(named) if named else None


def _not_its_own(named: Sequence[str]) -> NoGuess:
    """A file name mentioning objects, but not as a name of its own."""
    if len(named) > 1:
        return NoGuess(
            f"The file name mentions {' and '.join(named)}, so no type is taken from it."
        )
    spelled = named[0].replace("_", " ")
    return NoGuess(
        f'The file name mentions {named[0]}, but not as a name of its own ("{spelled}", '
        f'"all {spelled}", "my open {spelled}"): HubSpot names an export after its view, and '
        'a view or a file may mention another object than its records\' ("Deal champions" '
        "of contacts), so the type is not taken from it."
    )
