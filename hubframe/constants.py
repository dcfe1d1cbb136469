"""Facts about HubSpot shared by the client side and the sandbox: tables and numbers only.

This module holds no behaviour.  The sandbox and the client each interpret these tables with
their own code, so a bug in one cannot hide behind the same bug in the other.
Sources: ``shared/hubspot-api.md`` §4 (batch maxima), §5 (rate limits), §6 (types).
"""

from __future__ import annotations

from typing import Final, NamedTuple

# --- API versions -----------------------------------------------------------------------------

API_VERSIONS: Final = ("2026-03", "2026-09", "v4")
DEFAULT_API_VERSION: Final = "2026-03"
DEFAULT_BASE_URL: Final = "https://api.hubapi.com"
ENV_TOKEN: Final = "HUBSPOT_ACCESS_TOKEN"
ENV_BASE_URL: Final = "HUBSPOT_BASE_URL"

# --- Batch maxima (inputs per request) ----------------------------------------------------------

MAX_BATCH_CREATE: Final = 2_000  # associations batch/create (documented)
MAX_BATCH_DEFAULT: Final = 2_000  # batch/associate/default (undocumented; same as create)
MAX_BATCH_ARCHIVE: Final = 2_000  # batch/archive and batch/labels/archive (undocumented)
#: The most digits a HubSpot id has: ids are 64-bit integers, and 18 digits always fit (a
#: longer number in an answer or a cell is no id, type id or limit).
MAX_ID_DIGITS: Final = 18
MAX_BATCH_READ: Final = 1_000  # associations batch/read (documented, enforced since 2025-02)
MAX_BATCH_LIMITS: Final = 100  # limit configuration batch create/update/purge (undocumented)
MAX_OBJECT_BATCH_READ: Final = 100  # CRM objects batch/read (documented)
GET_LIST_PAGE_SIZE: Final = 500  # per-record GET list default and maximum
MAX_LABELS_PER_PAIR: Final = 10  # user-defined labels per object pairing
MAX_LIMIT_VALUE: Final = 10_000  # the highest custom association limit the UI accepts

# --- Rate limits ------------------------------------------------------------------------------

RATE_LIMIT_MAX_HEADER: Final = "X-HubSpot-RateLimit-Max"
RATE_LIMIT_REMAINING_HEADER: Final = "X-HubSpot-RateLimit-Remaining"
RATE_LIMIT_INTERVAL_HEADER: Final = "X-HubSpot-RateLimit-Interval-Milliseconds"
RATE_LIMIT_DAILY_HEADER: Final = "X-HubSpot-RateLimit-Daily"
RATE_LIMIT_DAILY_REMAINING_HEADER: Final = "X-HubSpot-RateLimit-Daily-Remaining"
DEFAULT_RATE_LIMIT: Final = (190, 10.0)  # private app, Professional: 190 requests / 10 s
DEFAULT_DAILY_LIMIT: Final = 625_000

# --- Association categories -------------------------------------------------------------------

CATEGORIES: Final = ("HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK")
HUBSPOT_DEFINED: Final = "HUBSPOT_DEFINED"
USER_DEFINED: Final = "USER_DEFINED"

# --- Object types -----------------------------------------------------------------------------


class ObjectType(NamedTuple):
    type_id: str  # "0-1"
    name: str  # canonical plural name, as HubSpot spells it in paths: "contacts"
    singular: str  # "contact"


OBJECT_TYPES: Final[tuple[ObjectType, ...]] = (
    ObjectType("0-1", "contacts", "contact"),
    ObjectType("0-2", "companies", "company"),
    ObjectType("0-3", "deals", "deal"),
    ObjectType("0-5", "tickets", "ticket"),
    ObjectType("0-7", "products", "product"),
    ObjectType("0-8", "line_items", "line_item"),
    ObjectType("0-14", "quotes", "quote"),
    ObjectType("0-18", "communications", "communication"),
    ObjectType("0-19", "feedback_submissions", "feedback_submission"),
    ObjectType("0-27", "tasks", "task"),
    ObjectType("0-46", "notes", "note"),
    ObjectType("0-47", "meetings", "meeting"),
    ObjectType("0-48", "calls", "call"),
    ObjectType("0-49", "emails", "email"),
    ObjectType("0-53", "invoices", "invoice"),
    ObjectType("0-54", "marketing_events", "marketing_event"),
    ObjectType("0-69", "subscriptions", "subscription"),
    ObjectType("0-74", "goals", "goal"),
    ObjectType("0-84", "discounts", "discount"),
    ObjectType("0-85", "fees", "fee"),
    ObjectType("0-86", "taxes", "tax"),
    ObjectType("0-101", "payments", "payment"),
    ObjectType("0-115", "users", "user"),
    ObjectType("0-116", "postal_mail", "postal_mail"),
    ObjectType("0-123", "orders", "order"),
    ObjectType("0-136", "leads", "lead"),
    ObjectType("0-142", "carts", "cart"),
    ObjectType("0-162", "services", "service"),
    ObjectType("0-410", "courses", "course"),
    ObjectType("0-420", "listings", "listing"),
    ObjectType("0-421", "appointments", "appointment"),
    ObjectType("0-970", "projects", "project"),
)
OBJECT_TYPES_BY_ID: Final = {t.type_id: t for t in OBJECT_TYPES}
OBJECT_TYPES_BY_NAME: Final = {t.name: t for t in OBJECT_TYPES}

# --- HubSpot-defined association types (hubspot-api.md §6.2) ----------------------------------


class DefinedType(NamedTuple):
    from_type: str  # canonical name
    to_type: str
    type_id: int
    label: str | None  # None = the unlabeled ("default") type


def _pair(a: str, b: str, forward: int, backward: int) -> tuple[DefinedType, DefinedType]:
    return DefinedType(a, b, forward, None), DefinedType(b, a, backward, None)


_UNLABELED: tuple[tuple[str, str, int, int], ...] = (
    ("contacts", "companies", 279, 280),
    ("deals", "contacts", 3, 4),
    ("deals", "companies", 341, 342),
    ("tickets", "contacts", 16, 15),
    ("tickets", "companies", 339, 340),
    ("deals", "tickets", 27, 28),
    ("deals", "line_items", 19, 20),
    ("quotes", "deals", 64, 63),
    ("quotes", "contacts", 69, 70),
    ("quotes", "companies", 71, 72),
    ("quotes", "line_items", 67, 68),
    ("leads", "contacts", 608, 609),
    ("calls", "contacts", 194, 193),
    ("calls", "companies", 182, 181),
    ("calls", "deals", 206, 205),
    ("calls", "tickets", 220, 219),
    ("emails", "contacts", 198, 197),
    ("emails", "companies", 186, 185),
    ("emails", "deals", 210, 209),
    ("emails", "tickets", 224, 223),
    ("meetings", "contacts", 200, 199),
    ("meetings", "companies", 188, 187),
    ("meetings", "deals", 212, 211),
    ("meetings", "tickets", 226, 225),
    ("notes", "contacts", 202, 201),
    ("notes", "companies", 190, 189),
    ("notes", "deals", 214, 213),
    ("notes", "tickets", 228, 227),
    ("tasks", "contacts", 204, 203),
    ("tasks", "companies", 192, 191),
    ("tasks", "deals", 216, 215),
    ("tasks", "tickets", 230, 229),
)

_SAME_OBJECT: tuple[tuple[str, int], ...] = (
    ("contacts", 449),
    ("companies", 450),
    ("deals", 451),
    ("tickets", 452),
)

_LABELED: tuple[DefinedType, ...] = (
    DefinedType("contacts", "companies", 1, "Primary"),
    DefinedType("companies", "contacts", 2, "Primary"),
    DefinedType("contacts", "companies", 931, "Billing contact"),
    DefinedType("companies", "contacts", 930, "Billing contact"),
    DefinedType("deals", "companies", 5, "Primary"),
    DefinedType("companies", "deals", 6, "Primary"),
    DefinedType("tickets", "companies", 26, "Primary"),
    DefinedType("companies", "tickets", 25, "Primary"),
    DefinedType("quotes", "contacts", 702, "Quote signer"),
    DefinedType("contacts", "quotes", 703, "Quote signer"),
    DefinedType("companies", "companies", 13, "Child company"),
    DefinedType("companies", "companies", 14, "Parent company"),
    DefinedType("leads", "contacts", 578, "Primary"),
)


class PrimaryType(NamedTuple):
    """A HubSpot-defined "Primary" association type pair: a record of ``record_type`` has ONE
    primary company (v4 associations guide: "This API supports changing which company is
    considered the primary"); setting another moves it, the old company stays associated
    without the label.  Both type ids are that one association seen from each side."""

    record_type: str  # canonical name of the record holding one primary: "deals"
    to_company: int  # record -> company type id (deals -> companies 5)
    from_company: int  # company -> record type id (companies -> deals 6)


PRIMARY_COMPANY: Final = "companies"
PRIMARY_TYPES: Final[tuple[PrimaryType, ...]] = (
    PrimaryType("contacts", 1, 2),
    PrimaryType("deals", 5, 6),
    PrimaryType("tickets", 26, 25),
)

HUBSPOT_DEFINED_TYPES: Final[tuple[DefinedType, ...]] = (
    *(t for a, b, f, r in _UNLABELED for t in _pair(a, b, f, r)),
    *(DefinedType(name, name, type_id, None) for name, type_id in _SAME_OBJECT),
    *_LABELED,
)

#: HubSpot-defined "Primary" labels listed in one direction only (lead -> contact 578: the
#: contact -> lead direction lists the pair as unlabeled).  A sync from the other side does not
#: see them, yet removing the pair whole takes them with it (``jobs.sync_plan``).
ONE_WAY_PRIMARIES: Final[tuple[DefinedType, ...]] = tuple(
    t
    for t in _LABELED
    if t.label == "Primary"
    and not any(
        (b.from_type, b.to_type, b.label) == (t.to_type, t.from_type, t.label) for b in _LABELED
    )
)

# --- The result table contract (docs/report.md, "The result table") --------------------------

STATUSES: Final = ("success", "failed", "invalid", "duplicate", "skipped", "planned")
ACTIONS: Final = (
    "associate",
    "associate_default",
    "create_limit",
    "update_limit",
    "purge_limit",
    "archive",
)
PAIR_COLUMNS: Final = ("from_type", "from_id", "to_type", "to_id", "label", "category", "type_id")
LIMIT_COLUMNS: Final = (
    "from_type",
    "to_type",
    "label",
    "category",
    "type_id",
    "max_to_object_ids",
)
STATUS_COLUMNS: Final = (
    "action",
    "status",
    "error_code",
    "error_message",
    "http_status",
    "hubspot_category",
    "correlation_id",
    "batch",
    "attempts",
)
#: Columns a run that read the portal adds after ``attempts`` (what undo needs).
EXISTING_COLUMNS: Final = ("existed_before", "linked_before")
#: The column a run that read the portal adds after ``linked_before`` for the rows that set a
#: record's primary company: the companies that held it before the row ("" for none; what
#: undo needs not to leave the record without one).
PRIMARY_BEFORE: Final = "primary_before"
#: Columns a limits dry run adds beside ``max_to_object_ids``.
CURRENT_LIMIT_COLUMNS: Final = ("current_max", "limit_change", "records_over")
#: Columns a sync adds to its result table: what it does for the row, and why.
SYNC_COLUMNS: Final = ("change", "reason")
#: Column names hubframe's tables own: an analyst's column of that name is kept as
#: "<name> (original)" so it is neither lost nor mistaken for hubframe's (a sync's own
#: ``change`` too: an associate's table with one was taken for a sync's).
RESERVED_COLUMNS: Final = (
    "sheet",
    "row",
    *STATUS_COLUMNS,
    *EXISTING_COLUMNS,
    PRIMARY_BEFORE,
    *CURRENT_LIMIT_COLUMNS,
    *SYNC_COLUMNS,
)
ISSUE_COLUMNS: Final = ("sheet", "row", "column", "value", "code", "message", "severity")
#: The ``sheet`` of result rows that come from the portal, not from the sheet: a sync's
#: removals (their ``row`` is empty; retry files leave them out).
PORTAL_SHEET: Final = "(portal)"
#: Private bool column of read_pairs frames: True for a row of a HubSpot export whose
#: association cell ("Associated Contact IDs") is empty -- the record has no associated records
#: in the export, so there is nothing to do for it (validate: NO_TARGETS warning).
NO_TARGETS_COLUMN: Final = "_raw_no_targets"
#: Private bool column of read_pairs / read_limits frames: True for a row whose label starts
#: with "=" as text the sheet holds (a workbook's text cell, a CSV cell guarded with "'"), so
#: not a formula without its value: validation does not refuse it as FORMULA_ERROR.
LITERAL_LABEL_COLUMN: Final = "_raw_literal_label"
#: Where a read's ``attrs["hubframe"]`` lists the rows whose label cell it read as text
#: although the text reads like a formula or an error (``[[sheet, row], ...]``: those
#: :data:`LITERAL_LABEL_COLUMN` marks): a retry file writes the others' such cells back as the
#: formula or error they were (:class:`hubframe.report.safety.SheetFormula`).
LITERAL_LABELS: Final = "literal_labels"
#: The same, of read_labels frames, for the inverse label cell (the labels job does not refuse
#: either as FORMULA_ERROR).
LITERAL_INVERSE_COLUMN: Final = "_raw_literal_inverse_label"
#: Private text columns of read_pairs frames, per type column: the object type an id column's
#: name gives ("Contact ID": contacts) on the rows whose type cell names another object
#: ("companies"), null on the others.  The cell wins when the frame is built; validate refuses
#: such a row (TYPE_CONFLICT) rather than look its id up as another object's record.
HEADER_TYPE_COLUMNS: Final = {
    "from_type": "_raw_from_header_type",
    "to_type": "_raw_to_header_type",
}
#: Where a read_pairs frame notes the sides named by a unique property instead of record ids
#: (``attrs["hubframe"]["id_properties"] == {"to": "email"}``): the reader writes it, validate
#: checks those sides as property values, the run looks them up (hubframe.run.lookup).
ID_PROPERTIES: Final = "id_properties"
#: Where a limits result notes the rows whose ``label`` the run filled in with the portal's
#: label of their type id (``[[sheet, row], ...]``): the analyst's cell was empty, and the retry
#: file keeps it so (hubframe.jobs.limits writes it, hubframe.report.retry reads it).
PORTAL_LABELS: Final = "portal_labels"
#: Where a sync's result notes the object each object type cell names, spelled as the sync
#: compared it (``attrs["hubframe"]["sync_objects"] == {"p_installations": "2-7350001"}``): a
#: custom object written two ways is one object, and the retry file keeps every row of a
#: record however its rows write the object (hubframe.jobs.sync writes it,
#: hubframe.report.retry reads it).
SYNC_OBJECTS: Final = "sync_objects"
#: What a sheet may write as a label for the unlabeled ("default") association type, when no
#: real label has the name (hubframe.run.labels resolves them; a rehearsal sandbox never makes
#: labels of them).
UNLABELED_NAMES: Final = frozenset(
    {"unlabeled", "default", "no label", "(no label)", "(unlabeled)"}
)
#: Where a run's result notes the properties whose ids it looked up (``hubframe.run.lookup``):
#: the frame then holds the record ids HubSpot found.
LOOKED_UP: Final = "looked_up"

#: Error values Excel, Google Sheets and LibreOffice write (LibreOffice also writes Err:502).
ERROR_TEXTS: Final = (
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#DIV/0!",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#PYTHON!",
    "#GETTING_DATA",
    "#ERROR!",
)
#: LibreOffice's error text (``Err:502``), upper-cased, as a regular expression
OFFICE_ERROR: Final = r"ERR:[0-9]{3}"


#: The sheet name of a retry workbook whose rows are removals still to do (an undo's or a
#: remove's); a sheet named so is refused by associate and sync, which would link its rows.
REMOVALS_SHEET: Final = "To remove"


#: Unicode's default-ignorable code points that are not format characters (category Cf), as
#: inclusive ranges: variation selectors, the combining grapheme joiner, Mongolian free
#: variation selectors, Hangul fillers, Khmer's inherent vowels, unassigned ones.  Labels
#: compare without them, as without format characters (``hubframe.io.normalize``, and the
#: sandbox's rehearsal, which shares nothing else with the client).
IGNORABLE_NOT_CF: Final = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)
