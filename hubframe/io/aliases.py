"""The documented alias table: which header spellings name which of hubframe's columns.

Headers are compared by a *key*: lower case with everything but letters and digits removed, so
``"From ID"``, ``"from_id"``, ``"FROM-ID"`` and ``"fromId"`` are the same header.  Besides the
aliases, headers may name an object type (``"Contact ID"``, ``"Associated Company IDs"``) or a
unique property (``"Contact email"``); :mod:`hubframe.io.columns` matches a sheet's headers
against these tables.  ``docs/columns.md`` lists the same table for users (:func:`alias_table`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from hubframe.constants import LIMIT_COLUMNS, OBJECT_TYPES, PAIR_COLUMNS

Kind = Literal["pairs", "limits"]
Side = Literal["from", "to"]

PAIR_FIELDS: Final = PAIR_COLUMNS
LIMIT_FIELDS: Final = LIMIT_COLUMNS

# Strong aliases: a header spelled like this means exactly this column.
STRONG_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "from_id": (
        "From ID",
        "From IDs",
        "From Object ID",
        "From Record ID",
        "fromObjectId",
        "Source ID",
        "Source Record ID",
    ),
    "to_id": (
        "To ID",
        "To IDs",
        "To Object ID",
        "To Record ID",
        "toObjectId",
        "Target ID",
        "Target Record ID",
        "Associated ID",
        "Associated IDs",
        "Associated Record ID",
        "Associated Record IDs",
    ),
    "from_type": (
        "From Type",
        "From Object Type",
        "From Object",
        "From Object Type ID",
        "fromObjectType",
        "fromObjectTypeId",
        "Source Type",
        "Source Object Type",
    ),
    "to_type": (
        "To Type",
        "To Object Type",
        "To Object",
        "To Object Type ID",
        "toObjectType",
        "toObjectTypeId",
        "Target Type",
        "Target Object Type",
        "Associated Object Type",
    ),
    "label": (
        "Label",
        "Labels",
        "Association Label",
        "Association Labels",
        "Association Label Name",
        "Label Name",
    ),
    "category": (
        "Category",
        "Association Category",
        "associationCategory",
        "Type Category",
    ),
    "type_id": (
        "Type ID",
        "Association Type ID",
        "associationTypeId",
        "typeId",
        "Label ID",
    ),
    "max_to_object_ids": (
        "Max To Object IDs",
        "maxToObjectIds",
        "userEnforcedMaxToObjectIds",
        "Max",
        "Maximum",
        "Max Associations",
        "Max Associated Records",
        "Max Records",
        "Association Limit",
        "Limit",
        "Limit Value",
    ),
}

#: Headers that say "association label" in other words (a CRM's "Contact Role", a
#: "Relationship" column) without being one hubframe reads: when no label column is read, such a
#: column stops the read (hubframe.io.columns), or its labels would be dropped unseen.
#: Headers (as header keys) of a limits sheet's column that says which limits to remove in a
#: column of its own ("Remove: yes"): hubframe removes a limit only when its limit cell says so,
#: so such a column's rows would be set, not removed.
REMOVE_LOOKALIKES: Final = frozenset(
    {
        "remove",
        "removelimit",
        "removethelimit",
        "toremove",
        "delete",
        "deletelimit",
        "todelete",
        "purge",
        "purgelimit",
        "clear",
        "clearlimit",
        "unset",
        "removed",
        "deleted",
    }
)
#: The same in a pairs sheet ("Delete: yes" beside a pair): hubframe reads no such column, so
#: associate and sync would link the rows marked, and remove would remove the rows not marked.
#: (Status words such as "Deleted" or "Removed" are left out: exports carry them.)
PAIR_REMOVE_LOOKALIKES: Final = frozenset(
    {
        "remove",
        "toremove",
        "delete",
        "todelete",
        "unlink",
        "removeassociation",
        "deleteassociation",
        "removelink",
        "purge",
        "drop",
        "todrop",
    }
)
#: Cells of such a column that ask for the removal (trimmed of spaces and of ``.!?``, in lower
#: case: "Yes." is yes).
REMOVE_YES: Final = frozenset(
    {"yes", "y", "true", "x", "1", "remove", "delete", "purge", "✓", "✔", "✅", "☑", "☒", "🗑"}
)
#: What a header key of a pairs sheet's remove column starts with ("Remove (Y/N)", "Delete
#: link?", "To be removed"), and what it may not (status words: "Removed on", "Deleted").
_PAIR_REMOVE_STARTS: Final = (
    "remove",
    "delete",
    "unlink",
    "purge",
    "toremove",
    "todelete",
    "toberemoved",
    "tobedeleted",
    "tounlink",
)
_PAIR_REMOVE_NOT: Final = ("removed", "deleted", "unlinked", "purged")
#: What such a key ends with ("Should remove", "Needs removal", "Disassociate?", "Do remove
#: (Y/N)"): a note about a removal ("Removal note") or its date ("Date removed") does not.
_PAIR_REMOVE_ENDS: Final = (
    "remove",
    "removal",
    "delete",
    "unlink",
    "unassociate",
    "disassociate",
    "dissociate",
)
#: Cells of a column of the analyst's own that says in words what to do with each row (an
#: "Action" column of remove / keep, made with ``np.where``), compared as header keys ("To
#: remove" is ``toremove``): the words asking for a removal.  "Archive" is a record's ("a deal
#: to archive later"), "Drop" a stage's (a dropped deal), not a link's.
ACTION_REMOVE: Final = frozenset(
    {
        "remove",
        "toremove",
        "removal",
        "removelink",
        "removeassociation",
        "delete",
        "todelete",
        "deletelink",
        "deleteassociation",
        "unlink",
        "purge",
        "unassociate",
        "disassociate",
        "dissociate",
    }
)
#: Header keys of a column marking rows to keep ("Keep?", "Keep (Y/N)", "To keep"): its
#: "no" asks the row's removal.  "Keeper", "Keepsake" are no such column.
KEEP_HEADERS: Final = frozenset({"keep", "tokeep", "keeprow", "keeplink", "keepassociation"})
#: Cells of a "Keep" column asking for the row to go (trimmed of spaces and of ``.!?``, in
#: lower case, as :data:`REMOVE_YES`).
KEEP_NO: Final = frozenset({"no", "n", "false", "0", "nein", "non", "✗", "✘", "❌"})


#: What a header ending in a removal's word holds when it protects its rows from it ("Do not
#: remove", "Don't delete", "Never unlink", "Exempt from removal", "Undelete"): the analyst's.
_PROTECTS: Final = ("not", "dont", "never", "exempt", "protect", "undelete", "noremov", "nodelet")


def is_pair_remove_key(key: str) -> bool:
    """Whether a header key names a column marking pairs to remove (see
    :data:`PAIR_REMOVE_LOOKALIKES`): one of them, a key that starts as one does and is not a
    status word ("removeyn", "deletelink"; not "removedon"), or one ending in a removal's word
    ("shouldremove", "needsremoval"; not "removalnote", "dateremoved")."""
    if key in PAIR_REMOVE_LOOKALIKES:
        return True
    if key.startswith(_PAIR_REMOVE_STARTS) and not key.startswith(_PAIR_REMOVE_NOT):
        return True
    protects = any(word in key for word in _PROTECTS)
    return key.removesuffix("yn").endswith(_PAIR_REMOVE_ENDS) and not protects


LABEL_LOOKALIKES: Final = frozenset(
    {
        "role",
        "roles",
        "contactrole",
        "contactroles",
        "dealrole",
        "companyrole",
        "associationrole",
        "associationroles",
        "relationship",
        "relationships",
        "relationshiptype",
        "relationshiplabel",
        "association",
        "associationtype",
        "associationtypes",
        "associationtypelabel",
        "associationtypename",
        "associationname",
        "assoclabel",
        "assoclabels",
        "assoctype",
        "labeltype",
    }
)

#: Words of a header that say how the column is filled, not what it holds ("Label (optional)",
#: "Association label (exact)", "Labels (;-separated)", "Max (required)"): a header that is a
#: strong alias once they are left out is read as that alias (:func:`strong_alias`).
FILL_NOTES: Final = frozenset(
    {
        "optional",
        "required",
        "mandatory",
        "exact",
        "exactly",
        "s",  # "Label(s)"
        "separated",
        "semicolon",
        "comma",
        "if",
        "any",
    }
)

#: Words that name association labels in other words ("Role in deal", "Deal contact role"),
#: and the words that may stand beside them in such a header: "Buying Role" or "Employment
#: Role", HubSpot properties, have other words and are not lookalikes.
ROLE_WORDS: Final = frozenset({"role", "roles", "relationship", "relationships"})
ROLE_COMPANIONS: Final = frozenset(
    {
        *("in", "on", "for", "of", "the", "to", "with", "type"),
        *("association", "associations", "assoc"),
        *("contact", "contacts", "company", "companies", "deal", "deals"),
        *("ticket", "tickets", "lead", "leads", "quote", "quotes"),
    }
)

# Weak aliases: used only when no strong alias names the same column.
WEAK_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "from_id": ("Record ID", "Object ID", "ID"),
    "from_type": ("Object Type", "Object"),
}

# Bare side headers ("From", "To"): object types in a limits sheet; in a pairs sheet the side's
# type column when the cells name object types ("deals", "Contact", "0-3", "2-1234"), else its
# record id column -- each only when no other header already holds it.
SIDE_ALIASES: Final[dict[Side, tuple[str, ...]]] = {
    "from": ("From",),
    "to": ("To",),
}

# Patterns of headers naming an object type; "{object}" is e.g. "Contact" or "Line Items".
TYPED_ID_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "any": ("{object} ID", "{object} IDs", "{object} Record ID", "{object} Object ID"),
    "from": ("Record ID - {object}", "From {object} ID"),
    "to": ("Associated {object} ID", "Associated {object} IDs", "To {object} ID"),
}

# Headers naming a unique property of an object type, whose values are looked up to record ids:
# (object type, property) -> patterns; "{object}" is the type's name, and the bare property name
# is accepted too.  Only sides no record id column claims take them.
PROPERTY_PATTERNS: Final[dict[tuple[str, str], dict[str, tuple[str, ...]]]] = {
    ("contacts", "email"): {
        "any": ("{object} Email", "{object} Email Address", "Email", "Email Address"),
        "from": ("From {object} Email",),
        "to": ("Associated {object} Email", "To {object} Email"),
    },
    ("companies", "domain"): {
        "any": ("{object} Domain", "{object} Domain Name", "Domain", "Domain Name"),
        "from": ("From {object} Domain",),
        "to": ("Associated {object} Domain", "To {object} Domain"),
    },
}

REQUIRED: Final[dict[Kind, tuple[str, ...]]] = {
    "pairs": ("from_id", "to_id"),
    "limits": ("max_to_object_ids",),
}

DESCRIPTIONS: Final[dict[str, str]] = {
    "from_id": "the 'from' record id",
    "to_id": "the 'to' record id",
    "from_type": "the 'from' object type",
    "to_type": "the 'to' object type",
    "label": "the association label",
    "category": "the association category",
    "type_id": "the association type id",
    "max_to_object_ids": "the limit (max to object ids)",
    "inverse_label": "the inverse label",  # labels sheets (hubframe.io.labels)
    "name": "the label's internal name",
}


#: The mark ending the header of a column whose cells are values of a unique property, not
#: record ids: ``Contact ID [id property: code]``.  A retry file writes it on the column of a
#: side the run read by ``to_id_property=`` (:func:`marked_header`), so that the file read
#: alone looks its values up again; the reader reads the header without it, and the side by
#: that property.
_PROPERTY_MARK: Final = re.compile(r"\s*\[\s*id[ _]property\s*:\s*([^\[\]]*?)\s*\]\s*$", re.I)


def property_mark(header: object) -> tuple[str, str | None]:
    """A header without its property mark, and the property it names (None: no mark; ``""``:
    a mark naming none)."""
    text = str(header)
    if "]" not in text:
        return text, None
    found = _PROPERTY_MARK.search(text)
    if found is None:
        return text, None
    return text[: found.start()], found.group(1)


def marked_header(header: object, id_property: str) -> str:
    """``header`` with the mark saying its cells are values of ``id_property`` (an earlier
    mark replaced)."""
    return f"{property_mark(header)[0]} [id property: {id_property}]"


#: The fields a header may be marked as holding (:func:`field_mark`).
MARKED_FIELDS: Final = tuple(dict.fromkeys((*PAIR_FIELDS, *LIMIT_FIELDS)))
#: The mark ending a header (before a property mark) that says which of hubframe's fields the
#: column holds: ``Replacement [to_id]``, ``Their part [label]``.  A retry file writes it on a
#: column the run read as a field (``columns=``, the app's dropdowns) that a read of the file's
#: headers would not take for it (:func:`field_marked`); the reader takes a marked column for
#: its field as ``columns=`` would, before any header named as that field.
_FIELD_MARK: Final = re.compile(
    r"\s*\[\s*(" + "|".join(MARKED_FIELDS) + r")\s*\]\s*$", re.IGNORECASE
)


def field_mark(header: object) -> tuple[str, str | None]:
    """A header without its field mark (and without its property mark), and the field the mark
    names (None: no mark)."""
    text = property_mark(header)[0]
    if "]" not in text:
        return text, None
    found = _FIELD_MARK.search(text)
    if found is None:
        return text, None
    return text[: found.start()], found.group(1).casefold()


def field_marked(header: object, field: str) -> str:
    """``header`` marked as holding ``field`` (an earlier field mark replaced; a property mark
    kept, after it)."""
    base, _ = field_mark(header)
    _, prop = property_mark(header)
    marked = f"{base} [{field}]"
    return marked if prop is None else marked_header(marked, prop)


def bare_header(header: object) -> str:
    """``header`` without its marks (:func:`field_mark`, :func:`property_mark`)."""
    return field_mark(header)[0]


def header_key(header: object) -> str:
    """The comparison key of a header: lower case, letters and digits only; its marks are no
    part of it (:func:`property_mark`, :func:`field_mark`).  Remembered per text: matching a
    sheet's headers asks a dozen times for each (16,384 headers of a wide sheet: a second)."""
    return _key(str(header))


def header_words(header: object) -> list[str]:
    """The words of a header, lower case: split at spaces, punctuation and camelCase humps
    ("associationLabel (exact)" -> ["association", "label", "exact"]); its marks are no part
    of them."""
    return list(_words(str(header)))


_HEADERS_REMEMBERED: Final = 1 << 16


@lru_cache(maxsize=_HEADERS_REMEMBERED)
def _key(text: str) -> str:
    return _NOT_KEY.sub("", bare_header(text).casefold())


@lru_cache(maxsize=_HEADERS_REMEMBERED)
def _words(text: str) -> tuple[str, ...]:
    spaced = _HUMP.sub(" ", bare_header(text))
    return tuple(_WORD.findall(spaced.casefold()))


_NOT_KEY: Final = re.compile(r"[^0-9a-z]")
_HUMP: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD: Final = re.compile(r"[0-9a-z]+")


def noted_key(header: object) -> str | None:
    """The key of a header once the words that say how to fill it are left out ("Label
    (optional)" -> "label"); None when it has no such word, or nothing else."""
    words = header_words(header)
    kept = [w for w in words if w not in FILL_NOTES]
    if not kept or len(kept) == len(words):
        return None
    return "".join(kept)


def strong_alias(header: object) -> str | None:
    """The column a header names by a strong alias, as spelled or with its fill notes left out
    ("Label (optional)": label)."""
    found = STRONG_KEYS.get(header_key(header))
    if found is not None:
        return found
    noted = noted_key(header)
    return None if noted is None else STRONG_KEYS.get(noted)


def alias_field(header: object) -> str | None:
    """The column a header names by an alias, strong (:func:`strong_alias`) or weak (``ID``,
    ``Record ID``, ``Object``); None for none."""
    return strong_alias(header) or WEAK_KEYS.get(header_key(header))


def names_labels_otherwise(header: object) -> bool:
    """A header naming association labels in other words ("Contact Role", "Relationship",
    "Role in deal", "Association Type"): :data:`LABEL_LOOKALIKES`, or role words beside
    :data:`ROLE_COMPANIONS` only."""
    keys = {header_key(header), noted_key(header)}
    if keys & LABEL_LOOKALIKES:
        return True
    words = [w for w in header_words(header) if w not in FILL_NOTES]
    if not any(w in ROLE_WORDS for w in words):
        return False
    return all(w in ROLE_WORDS or w in ROLE_COMPANIONS for w in words)


def _object_spellings() -> dict[str, str]:
    """Key of every spelling of a standard object type -> canonical name."""
    out: dict[str, str] = {}
    for t in OBJECT_TYPES:
        for spelling in (t.name, t.singular, t.name.replace("_", " ")):
            out[header_key(spelling)] = t.name
    return out


OBJECT_SPELLINGS: Final = _object_spellings()


#: Words naming a record object in the languages analysts head their sheets in besides English
#: (German, French, Spanish, Portuguese, Italian, Dutch; accents folded: ``"Geschäft"`` is
#: ``geschaft``), and what other CRMs and analysts call HubSpot's (an account, an opportunity, a
#: customer): with :data:`OBJECT_SPELLINGS`, what a column of a side's ids may be headed by in a
#: sheet hubframe does not read (:func:`may_head_a_side`).  Words that also name a measure
#: (``Presupuesto``, a quote and a budget; ``Termin``, a meeting and a date) are none.
OTHER_OBJECT_WORDS: Final = frozenset(
    {
        # contacts
        *("person", "persons", "people", "customer", "customers", "client", "clients"),
        *("kontakt", "kontakte", "kontaktperson", "kontaktpersonen", "ansprechpartner"),
        *("personen", "kunde", "kunden", "personne", "personnes", "contacto", "contactos"),
        *("persona", "personas", "cliente", "clientes", "contato", "contatos", "pessoa"),
        *("pessoas", "contatto", "contatti", "contactpersoon", "contactpersonen", "persoon"),
        *("klant", "klanten"),
        # companies
        *("account", "accounts", "organization", "organizations", "organisation"),
        *("organisations", "firma", "firmen", "unternehmen", "entreprise", "entreprises"),
        *("societe", "societes", "empresa", "empresas", "compania", "companias", "organizacion"),
        *("organizacao", "azienda", "aziende", "societa", "bedrijf", "bedrijven"),
        *("organisatie", "organisaties"),
        # deals
        *("opportunity", "opportunities", "geschaft", "geschafte", "verkaufschance"),
        *("verkaufschancen", "auftrag", "auftrage", "affaire", "affaires", "opportunite"),
        *("opportunites", "negocio", "negocios", "oportunidad", "oportunidades", "trato"),
        *("tratos", "oportunidade", "trattativa", "trattative", "opportunita", "affare"),
        *("affari",),
        # products, quotes, orders, invoices
        *("produkt", "produkte", "produit", "produits", "producto", "productos", "produto"),
        *("produtos", "prodotto", "prodotti", "angebot", "angebote", "devis", "cotizacion"),
        *("cotizaciones", "cotacao", "preventivo", "preventivi", "offerte", "offertes"),
        *("offerta", "bestellung", "bestellungen", "commande", "commandes", "pedido"),
        *("pedidos", "ordine", "ordini", "bestelling", "bestellingen", "rechnung", "rechnungen"),
        *("facture", "factures", "factura", "facturas", "fatura", "faturas", "fattura"),
        *("fatture", "factuur", "facturen"),
    }
)

#: Words a header of a side's ids may hold besides an object's name, or instead of one (then
#: it names a side or a record id and no object: ``From``, ``Target``, ``Record ID``, ``Von``,
#: ``ID``): ids, records, sides, which of several, and the little words between them
#: (``ID du contact``, ``ID de la empresa``), in the languages of :data:`OTHER_OBJECT_WORDS`.
SIDE_HEADER_WORDS: Final = frozenset(
    {
        *("id", "ids", "record", "records", "object", "objects", "hubspot", "hs"),
        *("from", "to", "source", "target", "associated", "association", "linked"),
        *("related", "primary", "secondary", "main", "new", "old", "other", "first"),
        *("second", "parent", "child", "side", "a", "b", "of", "the"),
        # German
        *("von", "nach", "zu", "quelle", "ziel", "datensatz", "objekt", "verknupft"),
        *("verknupfte", "zugeordnet", "zugeordnete", "haupt", "neu", "alt", "erste", "zweite"),
        *("der", "die", "das", "des", "dem", "vom", "zum"),
        # French, Spanish, Portuguese, Italian
        *("de", "du", "la", "le", "les", "l", "d", "cible", "vers", "identifiant"),
        *("enregistrement", "objet", "associe", "associee", "lie", "liee", "principal"),
        *("principale", "origine", "destination", "del", "el", "desde", "hasta", "origen"),
        *("destino", "registro", "registo", "objeto", "asociado", "asociada", "identificador"),
        *("do", "da", "dos", "para", "origem", "associado", "associada", "di", "della"),
        *("oggetto", "associato", "associata", "destinazione", "identificativo"),
        # Dutch
        *("van", "naar", "bron", "doel", "het", "gekoppeld", "gekoppelde"),
    }
)

#: Words of the names a sheet's program gives a column of no header (``Column1``, German
#: Excel's ``Spalte1``, pandas' ``Unnamed: 2``, ``Col A``): a column named so says nothing of
#: what it holds.
UNNAMED_WORDS: Final = frozenset(
    {
        *("unnamed", "column", "col", "field", "spalte", "feld", "colonne", "champ"),
        *("columna", "coluna", "colonna", "campo", "kolom", "veld"),
    }
)


def folded_words(header: object) -> list[str]:
    """The words of a header with accents folded (``"Geschäft-ID"`` -> ``["geschaft", "id"]``,
    ``"Straße"`` -> ``["strasse"]``), its runs of letters and of digits apart (``"Column1"``
    -> ``["column", "1"]``); its marks are no part of them."""
    spaced = _HUMP.sub(" ", bare_header(str(header)))
    text = unicodedata.normalize("NFKD", spaced.casefold().translate(_LIGATURES))
    plain = "".join(c for c in text if not unicodedata.combining(c))
    return _LETTERS_OR_DIGITS.findall(_BRAND.sub("hubspot", plain))


#: The brand split by its capital (``HubSpot`` -> ``Hub Spot``): one word again, the
#: ``hub`` of a portal's id (``Hub ID``, a measure's word) no part of it.
_BRAND: Final = re.compile(r"\bhub[\s_-]*spot\b")


_LIGATURES: Final = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})
_LETTERS_OR_DIGITS: Final = re.compile(r"[a-z]+|[0-9]+")


def names_a_side(header: object) -> bool:
    """Whether a header may head a column of one side's record ids, by its words alone: none (a
    blank header, a number, ``#``), a program's name for a column of none (:data:`UNNAMED_WORDS`),
    or the name of a record object (:data:`OBJECT_SPELLINGS`, :data:`OTHER_OBJECT_WORDS`), of a
    side or a record id (:data:`SIDE_HEADER_WORDS`), or both (``Deal``, ``Kontakt-ID``,
    ``Associated Company IDs``, ``ID du contact``, ``Source``).  A word naming anything else
    makes a header of a measure or of another system's key (``Telefon``, ``Deal value``,
    ``Invoice number``, ``Kundennummer``, ``External ID``), not of a side's ids."""
    words = [w for w in folded_words(header) if not w.isdigit()]
    rest = [w for w in words if w not in SIDE_HEADER_WORDS]
    if not rest:
        return True
    if set(rest) <= UNNAMED_WORDS:
        return True
    joined = "".join(rest)
    return joined in OBJECT_SPELLINGS or joined in OTHER_OBJECT_WORDS


#: Words (accents folded) of a header whose numbers are a measure, a date, a code or another
#: system's key, not a side's record ids: an amount, a count, a phone number, a postal code, a
#: tax or order number (English, German, French, Spanish, Portuguese, Italian, Dutch), and
#: what names no record (an owner's, a pipeline's id: the unread-column check's words).
MEASURE_WORDS: Final = frozenset(
    {
        *("amount", "value", "revenue", "price", "total", "sum", "count", "employees"),
        *("phone", "mobile", "fax", "tel", "telephone", "zip", "postal", "postcode", "plz"),
        *("year", "quantity", "qty", "score", "number", "no", "nr", "num", "code", "date"),
        *("time", "external", "erp", "sap", "vat", "tax", "arr", "mrr", "budget", "forecast"),
        *("seats", "licenses", "licences", "headcount", "size", "age", "duration", "percent"),
        *("rate", "margin", "cost", "costs", "fee", "discount", "balance", "limit", "rank"),
        *("owner", "pipeline", "stage", "portal", "hub", "team", "form", "campaign", "row"),
        *("handy", "mobil", "telefono", "telefoon", "ust", "idnr", "tva", "nif", "btw"),
        *("iva", "partita", "chiffre", "facturacion", "omzet", "receita", "fatturato"),
        *("effectif", "empleados", "medewerkers", "funcionarios", "dipendenti", "montant"),
        *("ht", "importe", "bedrag", "valor", "valore", "betrag", "eur", "usd", "prognose"),
        *("cloture", "fecha", "cierre", "numero", "external", "lizenzen", "cap", "codigo"),
        *("kostenstelle", "cout", "preis", "prix", "precio", "preco", "prezzo", "prijs"),
        *("anzahl", "menge", "jahr", "annee", "ano", "anno", "jaar", "datum", "dato", "data"),
    }
)

#: Parts of compound words (German, Dutch) of such headers: ``Telefonnummer``,
#: ``Jahresumsatz``, ``Mitarbeiterzahl``, ``Abschlussdatum``, ``Steuernummer``.
MEASURE_STEMS: Final = (
    *("nummer", "umsatz", "telefon", "datum", "zahl", "kosten", "preis", "betrag", "steuer"),
    *("mitarbeiter", "lizenz", "postleit", "bedrag", "waarde", "aantal"),
)


#: Words (and German / Dutch compound tails) that make a header naming an object a name of that
#: object's number or key: ``Customer number``, ``Kontakt-Nr.``, ``Kundennummer``, ``Ticket no``.
KEY_WORDS: Final = frozenset(
    {"number", "numbers", "nummer", "nr", "no", "num", "numero", "key", "ref", "reference"}
)


#: Words of what has ids but is no record (an owner, a team, a pipeline and its stages, a
#: form, a campaign, the portal): ``Contact owner ID``, ``Deal stage ID`` name no contact's or
#: deal's ids.
NOT_RECORD_WORDS: Final = frozenset(
    {
        *("owner", "owners", "user", "users", "team", "teams", "pipeline", "pipelines"),
        *("stage", "stages", "form", "forms", "campaign", "campaigns", "portal", "hub", "row"),
        *("besitzer", "inhaber", "benutzer", "proprietaire", "propietario", "proprietario"),
    }
)


#: Words of a header that counts or sums, or of a tax number: ``Contact ID count``, ``Contact
#: IDs (count)``, ``Deal IDs (total amount)``, ``Company VAT ID``: no record's ids.
QUANTITY_WORDS: Final = frozenset(
    {
        *("count", "counts", "total", "totals", "sum", "amount", "amounts", "qty", "quantity"),
        *("anzahl", "menge", "summe", "vat", "tax", "ust", "tva", "nif", "btw", "iva", "idnr"),
    }
)


def names_an_objects_key(header: object) -> bool:
    """Whether a header names a record object's number or key, and nothing else (besides a
    side's words): ``Customer number``, ``Kontakt-Nr.``, ``Kundennummer``, ``Ticketnummer``,
    ``Numéro client``, ``Order number``; or an object's ids whatever note it has, unless the
    note names what has ids but is no record (:data:`NOT_RECORD_WORDS`): ``Deal Date ID``,
    ``Contact ID (SAP)``, ``Kontakt-ID (Datum)``, not ``Contact owner ID``.  Such a column may
    hold that object's HubSpot ids, or another system's keys: which is not known, so a sheet
    left unread with it is said (a sync that may remove stops), rather than read past as a
    lookup's measure."""
    every = [w for w in folded_words(header) if not w.isdigit()]
    words = [w for w in every if w not in SIDE_HEADER_WORDS]
    objects = [w for w in words if _object_word(w) or _object_compound(w)]
    rest = [w for w in words if w not in objects and w not in KEY_WORDS]
    ids = any(w in ("id", "ids") for w in every) or any(_object_compound(w) for w in objects)
    vetoed = NOT_RECORD_WORDS.union(QUANTITY_WORDS).intersection(rest)
    noted = ids and not vetoed  # "Contact ID (SAP)": an id still
    return bool(objects) and (not rest or noted)


def notes_a_side(header: str) -> bool:
    """Whether a header whose note is set apart (:func:`header_main`) may head a side's ids by
    its main part: an object's ids, number or record whatever the note names but a quantity
    (``Contact ID (Sales team)``, ``Kontakt-Nr. (Datum)``, ``Contact record (date added)``;
    not ``Contact IDs (count)``); an object's bare name only with a note naming no measure but
    a date and nothing that is no record (``Kontakt (HubSpot)``, ``Contact (EMEA)``, ``Contact
    (date added)``; not ``Deal (owner)``, ``Contact (phone)``, ``Company (revenue)``: the
    record's own value)."""
    main = header_main(header)
    words, named = folded_words(header), folded_words(main)
    if not main or main == header or QUANTITY_WORDS.intersection(words):
        return False
    if not (names_a_side(main) or names_an_objects_key(main)):
        return False
    if not all(_object_word(w) for w in named):
        return True  # its ids, number or record, or a side's word
    note = [w for w in words if w not in named]
    valued = [w for w in note if w not in DATE_WORDS and names_a_measure(w)]
    return not valued and not NOT_RECORD_WORDS.intersection(note)


#: A date's words: no date is written as a record id's digits (but as yyyymmdd), so numbers
#: of a record's size under ``Contact (date added)`` are more likely the contacts' ids.
DATE_WORDS: Final = frozenset({"date", "datum", "fecha", "dato", "data", "time", "added"})


def _object_word(word: str) -> bool:
    return word in OBJECT_SPELLINGS or word in OTHER_OBJECT_WORDS


def _object_compound(word: str) -> bool:
    """An object's word with a key's tail, written as one (``kontaktnummer``, ``firmennr``)."""
    return any(
        word.endswith(tail) and len(word) > len(tail) and _object_word(word[: -len(tail)])
        for tail in ("nummer", "nr", "number", "id")
    )


def header_main(header: str) -> str:
    """A header without its note: what its brackets hold and what follows a dash or colon set
    apart (``Contact ID (Sales team)``, ``Kontakt-Nr. (Datum)``, ``Contact ID - form leads``,
    ``Contact ID: EMEA`` -> ``Contact ID``, ``Kontakt-Nr.``); the header when it has none."""
    bare = _NOTE_BRACKETS.sub(" ", header)
    return _NOTE_AFTER.split(bare, maxsplit=1)[0].strip()


_NOTE_BRACKETS: Final = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|\{[^}]*\}?")
_NOTE_AFTER: Final = re.compile(r"\s[-\u2013\u2014]\s|:|\s/\s")


def names_a_measure(header: object) -> bool:
    """Whether a header names a measure, a date, a code or another system's key by one of its
    words (:data:`MEASURE_WORDS`, :data:`MEASURE_STEMS`): ``Telefon``, ``Deal value``,
    ``Invoice number``, ``Kundennummer``, ``External ID``, ``Close date``."""
    return any(
        w in MEASURE_WORDS or any(stem in w for stem in MEASURE_STEMS) for w in folded_words(header)
    )


@dataclass(frozen=True)
class TypedHeader:
    """A header that names a record id column of a known object type."""

    object_type: str
    side: Side | None  # None: the side comes from position or the from_type/to_type arguments
    id_property: str | None = None  # a unique property whose values name the records


def _build_typed() -> dict[str, TypedHeader]:
    out: dict[str, TypedHeader] = {}
    for side_name, patterns in TYPED_ID_PATTERNS.items():
        side: Side | None = None if side_name == "any" else side_name  # type: ignore[assignment]
        for pattern in patterns:
            for spelling, name in OBJECT_SPELLINGS.items():
                key = header_key(pattern).replace("object", spelling, 1)
                out.setdefault(key, TypedHeader(name, side))
    return out


def _build_aliases(table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in table.items():
        out[header_key(canonical)] = canonical
        for alias in aliases:
            out[header_key(alias)] = canonical
    return out


def _build_properties() -> dict[str, TypedHeader]:
    out: dict[str, TypedHeader] = {}
    for (object_type, prop), by_side in PROPERTY_PATTERNS.items():
        names = [s for s, n in OBJECT_SPELLINGS.items() if n == object_type]
        for side_name, patterns in by_side.items():
            side: Side | None = None if side_name == "any" else side_name  # type: ignore[assignment]
            for pattern in patterns:
                for spelling in names if "{object}" in pattern else [""]:
                    key = header_key(pattern).replace("object", spelling, 1)
                    out.setdefault(key, TypedHeader(object_type, side, prop))
    return out


def _build_sides() -> dict[str, Side]:
    return {header_key(a): side for side, aliases in SIDE_ALIASES.items() for a in aliases}


TYPED_HEADERS: Final = _build_typed()
SIDE_KEYS: Final = _build_sides()
PROPERTY_HEADERS: Final = _build_properties()
STRONG_KEYS: Final = _build_aliases(STRONG_ALIASES)
WEAK_KEYS: Final = {k: v for k, v in _build_aliases(WEAK_ALIASES).items() if k not in STRONG_KEYS}


@lru_cache(maxsize=_HEADERS_REMEMBERED)
def typed_among_words(header: str) -> tuple[TypedHeader, frozenset[str]] | None:
    """The record id column of an object a header names among other words ("Contact ID (new)",
    "Secondary Contact ID", "Contact IDs (;-separated)", "Old deal id"), and the other words:
    a run of its words spelling a :data:`TYPED_HEADERS` header, the longest first; None for
    none (a header that is one exactly is ``TYPED_HEADERS[header_key(header)]``)."""
    words = header_words(header)
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            typed = TYPED_HEADERS.get("".join(words[start : start + size]))
            if typed is not None:
                return typed, frozenset(words[:start] + words[start + size :])
    return None


def fields_for(kind: Kind) -> tuple[str, ...]:
    return PAIR_FIELDS if kind == "pairs" else LIMIT_FIELDS


def accepted_names(canonical: str) -> list[str]:
    """Header spellings accepted for a canonical column, for error messages and docs."""
    names = [canonical, *STRONG_ALIASES.get(canonical, ()), *WEAK_ALIASES.get(canonical, ())]
    if canonical in ("from_type", "to_type", "from_id", "to_id"):
        names += SIDE_ALIASES["from" if canonical.startswith("from") else "to"]
    if canonical in ("from_id", "to_id"):
        side = "from" if canonical == "from_id" else "to"
        names += [p.format(object="Contact") for p in TYPED_ID_PATTERNS[side]]
        names += [p.format(object="Deal") for p in TYPED_ID_PATTERNS["any"][:2]]
    return list(dict.fromkeys(names))


def header_score(cells: Iterable[object], kind: Kind, explicit: Iterable[str] = ()) -> int:
    """How many cells of a row look like headers hubframe knows (to find the header row); a
    header marked with one of the kind's fields (:func:`field_mark`) is one."""
    wanted = set(fields_for(kind))
    explicit_keys = {header_key(h) for h in explicit}
    score = 0
    for cell in cells:
        key = header_key(cell)
        if not key:
            continue
        known = field_mark(cell)[1] or alias_field(cell)
        typed = kind == "pairs" and (key in TYPED_HEADERS or key in PROPERTY_HEADERS)
        side = key in SIDE_KEYS
        if key in explicit_keys or typed or side or (known is not None and known in wanted):
            score += 1
    return score


def alias_table() -> list[tuple[str, str, list[str]]]:
    """(canonical column, what it holds, accepted spellings) for docs/columns.md."""
    every = (*PAIR_FIELDS, "max_to_object_ids")
    return [(c, DESCRIPTIONS[c], accepted_names(c)) for c in dict.fromkeys(every)]


#: Letters of other scripts that look like Latin ones (Cyrillic, Greek), as the Latin letter a
#: header key keeps: ``"Lаbel"`` with a Cyrillic ``а`` reads as ``"Label"`` misspelled.  Full-width
#: letters (``"Ｌａｂｅｌ"``) fold by NFKC (:func:`folded_key`).
_CONFUSABLES: Final = str.maketrans(
    {
        **dict.fromkeys("АаΑα", "a"),
        **dict.fromkeys("ВΒЬьβ", "b"),
        **dict.fromkeys("СсϹϲ", "c"),
        **dict.fromkeys("ԁ", "d"),
        **dict.fromkeys("ЕеΕε", "e"),
        **dict.fromkeys("ΗНһ", "h"),
        **dict.fromkeys("ІіΙιӀ", "i"),
        **dict.fromkeys("Јј", "j"),
        **dict.fromkeys("КкΚκ", "k"),
        **dict.fromkeys("ӏ", "l"),
        **dict.fromkeys("МΜм", "m"),
        **dict.fromkeys("Νη", "n"),
        **dict.fromkeys("ОоΟοσ", "o"),
        **dict.fromkeys("РрΡρ", "p"),
        **dict.fromkeys("Ѕѕ", "s"),
        **dict.fromkeys("ТтΤτ", "t"),
        **dict.fromkeys("υ", "u"),
        **dict.fromkeys("ν", "v"),
        **dict.fromkeys("ХхΧχ", "x"),
        **dict.fromkeys("УуΥγ", "y"),
        **dict.fromkeys("Ζ", "z"),
    }
)
#: Digits that stand for letters in a misspelled header ("Labe1", "Type lD" -> "T0tal"...).
_DIGIT_LETTERS: Final = str.maketrans({"1": "l", "0": "o"})
#: Aliases shorter than this are matched by their look-alike letters only, never one typo away
#: ("Max" is one letter from "Mix", "Tax", "Man").
TYPO_MIN_LETTERS: Final = 4


def folded_key(header: object) -> str:
    """The key of a header once look-alike letters of other scripts and full-width letters are
    read as the Latin letters they look like (:data:`_CONFUSABLES`)."""
    text = unicodedata.normalize("NFKC", bare_header(str(header)))
    return _NOT_KEY.sub("", text.translate(_CONFUSABLES).casefold())


def within_one_typo(text: str, target: str) -> bool:
    """Whether ``text`` is ``target`` with one letter added, left out, changed, or swapped with
    its neighbour (Damerau-Levenshtein distance 1); False when they are the same."""
    if text == target or abs(len(text) - len(target)) > 1:
        return False
    start = 0
    while start < min(len(text), len(target)) and text[start] == target[start]:
        start += 1
    a, b = text[start:], target[start:]
    if len(a) == len(b):
        swapped = len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:]
        return a[1:] == b[1:] or swapped
    return a[1:] == b if len(a) > len(b) else a == b[1:]


def _alias_spellings(fields: Iterable[str]) -> dict[str, str]:
    """Key -> spelling of the aliases of ``fields`` (canonical names too), strong and weak."""
    out: dict[str, str] = {}
    for canonical in fields:
        names = (*STRONG_ALIASES.get(canonical, ()), *WEAK_ALIASES.get(canonical, ()), canonical)
        for name in names:
            out.setdefault(header_key(name), name)
    return out


@lru_cache(maxsize=64)
def _spellings_of(fields: tuple[str, ...]) -> dict[str, str]:
    return _alias_spellings(fields)


def _near_key(key: str, spellings: Mapping[str, str], word: bool, typos: bool = True) -> str | None:
    """The alias key ``key`` spells by its look-alike letters, or (``typos``) one typo away
    from, both ``key`` and the alias of :data:`TYPO_MIN_LETTERS` letters or more ("TID" is no
    "To ID" less a letter); ``word``: the header is one word."""
    if key in spellings:
        return key
    if not typos or sum(c.isalpha() for c in key) < TYPO_MIN_LETTERS:
        return None
    targets = _typo_targets(tuple(spellings))
    for part in (key, *_deletions(key)):
        for alias in targets.get(part, ()):
            if within_one_typo(key, alias) and not (word and _past_tense(key, alias)):
                return alias
    return None


def _deletions(key: str) -> list[str]:
    """``key`` less one of its letters, each way."""
    return [key[:i] + key[i + 1 :] for i in range(len(key))]


@lru_cache(maxsize=64)
def _typo_targets(keys: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The alias keys (of :data:`TYPO_MIN_LETTERS` letters or more) by themselves and by each
    of their letters left out: a key one typo away from an alias shares one of these with it,
    itself or less a letter, so a wide sheet's 16,384 headers are each compared with a few."""
    out: dict[str, list[str]] = {}
    for alias in keys:
        if len(alias) >= TYPO_MIN_LETTERS:
            for part in (alias, *_deletions(alias)):
                out.setdefault(part, []).append(alias)
    return {part: tuple(dict.fromkeys(aliases)) for part, aliases in out.items()}


def _past_tense(key: str, alias: str) -> bool:
    """A header of one word ending in "ed" where the alias ends in "id" ("Typed", "Labeled",
    "Recorded", "Targeted"): a word of its own, not "Type ID" misspelled ("Type eD" is)."""
    return key.endswith("ed") and alias.endswith("id")


def near_alias(header: object, fields: Sequence[str], typos: bool = True) -> tuple[str, str] | None:
    """(field, alias) when a header is not an alias of ``fields`` but looks like one
    misspelled: one typo away ("Lable", "Lables", "Typ ID", "Maximun"; only with ``typos``),
    written with letters of another script or full-width ones ("Lаbel" with a Cyrillic ``а``),
    or with ``1`` for ``l``, ``0`` for ``o`` ("Labe1"); None otherwise."""
    spellings = _spellings_of(tuple(fields))
    if header_key(header) in spellings or noted_key(header) in spellings:
        return None
    folded, word = folded_key(header), len(header_words(header)) == 1
    for key in dict.fromkeys((header_key(header), folded, folded.translate(_DIGIT_LETTERS))):
        if not key:
            continue
        found = _near_key(key, spellings, word, typos)
        if found is not None:
            alias = spellings[found]
            return STRONG_KEYS.get(found) or WEAK_KEYS.get(found) or alias, alias
    return None


#: The words a header names labels by, and how a misspelled one is told from other words
#: ("Contact Lable", "Lаbel to apply"): :func:`misspelled_label_word`.
_LABEL_WORDS: Final = ("label", "labels")


def misspelled_label_word(header: object) -> str | None:
    """A word of a header that is "label" or "labels" misspelled (one typo away, or written
    with look-alike letters or digits), its letters read as Latin; None for none.  A word
    spelled right is not one ("Contact label" is found by its name already)."""
    right = set(header_words(header))
    text = unicodedata.normalize("NFKC", bare_header(str(header))).translate(_CONFUSABLES)
    words: list[str] = _WORD.findall(_HUMP.sub(" ", text).casefold())
    for word in words:
        if word in right and word in _LABEL_WORDS:
            continue
        if _label_like(word) or _label_like(word.translate(_DIGIT_LETTERS)):
            return word
    return None


def _label_like(word: str) -> bool:
    return _near_key(word, _LABEL_SPELLINGS, word=False) is not None


_LABEL_SPELLINGS: Final = {w: w for w in _LABEL_WORDS}
