"""One exception root, stable error codes, and what each code means to an analyst.

Every failure hubframe reports, whether it is a whole-run exception or one row's
``error_code`` in a result table, uses a code from :class:`ErrorCode`.  Tests check codes,
never message text.  :data:`CODE_INFO` is the single table that says, for each code, whether it
comes from the sheet or from HubSpot, what it means and what to do about it; reports and the
notebook app read their explanations from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hubframe.redaction import redact
from hubframe.terminal import visible
from hubframe.vocab import Status


class ErrorCode(StrEnum):
    """Stable error codes (values never change once released)."""

    # Problems in the sheet, found before anything is sent.
    MISSING_VALUE = "MISSING_VALUE"
    BAD_ID = "BAD_ID"
    FORMULA_ERROR = "FORMULA_ERROR"
    BAD_OBJECT_TYPE = "BAD_OBJECT_TYPE"
    TYPE_CONFLICT = "TYPE_CONFLICT"
    UNKNOWN_LABEL = "UNKNOWN_LABEL"
    AMBIGUOUS_LABEL = "AMBIGUOUS_LABEL"
    BAD_CATEGORY = "BAD_CATEGORY"
    BAD_LIMIT = "BAD_LIMIT"
    LABEL_LIMIT_ABOVE_OBJECT_LIMIT = "LABEL_LIMIT_ABOVE_OBJECT_LIMIT"
    DUPLICATE_ROW = "DUPLICATE_ROW"
    CONFLICTING_ROWS = "CONFLICTING_ROWS"
    EXTRA_CELLS = "EXTRA_CELLS"
    HIDDEN_ROW = "HIDDEN_ROW"
    TOTALS_ROW = "TOTALS_ROW"
    NO_TARGETS = "NO_TARGETS"
    BLANK_LIMIT = "BLANK_LIMIT"
    LABEL_TYPE_MISMATCH = "LABEL_TYPE_MISMATCH"
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    SAME_RECORD = "SAME_RECORD"
    # Answers from HubSpot (or the lack of one).
    OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND"
    AMBIGUOUS_RECORD = "AMBIGUOUS_RECORD"
    INVALID_ASSOCIATION_TYPE = "INVALID_ASSOCIATION_TYPE"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    ALREADY_ASSOCIATED = "ALREADY_ASSOCIATED"
    NOT_ASSOCIATED = "NOT_ASSOCIATED"
    HUBSPOT_VALIDATION = "HUBSPOT_VALIDATION"
    REQUEST_REFUSED = "REQUEST_REFUSED"
    MISSING_SCOPES = "MISSING_SCOPES"
    UNAUTHORIZED = "UNAUTHORIZED"
    RATE_LIMITED = "RATE_LIMITED"
    SERVER_ERROR = "SERVER_ERROR"
    HUBSPOT_LOCKED = "HUBSPOT_LOCKED"
    HUBSPOT_MIGRATING = "HUBSPOT_MIGRATING"
    NETWORK_ERROR = "NETWORK_ERROR"
    UNKNOWN_OUTCOME = "UNKNOWN_OUTCOME"
    NOT_APPLIED = "NOT_APPLIED"
    # An undo: a run row that does not say what undo needs to take it back.
    NOT_UNDOABLE = "NOT_UNDOABLE"
    # A run stopped on purpose (cancel=, Ctrl-C on the command line).
    CANCELLED = "CANCELLED"
    # A run stopped because its journal could not record a batch before sending it.
    JOURNAL_FAILED = "JOURNAL_FAILED"
    # Safety rules of a sync (hubframe.jobs.sync) and of label set-up (hubframe.jobs.labels).
    TOO_MANY_REMOVALS = "TOO_MANY_REMOVALS"
    PRIMARY_PROTECTED = "PRIMARY_PROTECTED"
    PRIMARY_MOVED = "PRIMARY_MOVED"
    REMOVAL_HELD = "REMOVAL_HELD"
    LABEL_EXISTS = "LABEL_EXISTS"
    RENAME_REFUSED = "RENAME_REFUSED"
    LABEL_WOULD_REPEAT = "LABEL_WOULD_REPEAT"
    INVERSE_LABEL_DIFFERS = "INVERSE_LABEL_DIFFERS"
    TOO_MANY_LABELS = "TOO_MANY_LABELS"
    LABEL_NAME_TAKEN = "LABEL_NAME_TAKEN"
    BAD_LABEL_NAME = "BAD_LABEL_NAME"
    BAD_LABEL_TEXT = "BAD_LABEL_TEXT"
    # hubframe caught itself breaking one of its own rules before sending a row.
    INTERNAL_FAULT = "INTERNAL_FAULT"
    # hubframe itself failed while a run sent (out of memory, no room for a thread, a bug).
    RUN_FAILED = "RUN_FAILED"


@dataclass(frozen=True)
class CodeInfo:
    """What a code means: where it comes from, in plain words, and what to do."""

    code: ErrorCode
    source: str  # "input" (the sheet), "remote" (HubSpot, the network) or "run" (a cancel)
    meaning: str
    action: str


_INFO: tuple[tuple[ErrorCode, str, str, str], ...] = (
    (
        ErrorCode.MISSING_VALUE,
        "input",
        "A required cell is empty.",
        "Fill in the cell, or delete the row if it should not be sent.",
    ),
    (
        ErrorCode.BAD_ID,
        "input",
        "A record id is not written with the digits 0-9 only (a separator, decimal, sign or "
        "other digit character could mean another number).",
        "Use HubSpot record ids; if Excel shows 1.2E+11, format the column as text, export again.",
    ),
    (
        ErrorCode.BAD_OBJECT_TYPE,
        "input",
        "An object type is not one HubSpot knows.",
        "Use a name such as contacts, companies, deals or tickets, or a custom id like 2-1234.",
    ),
    (
        ErrorCode.TYPE_CONFLICT,
        "input",
        "A row's object type cell names another object than its id column's name ('companies' "
        "in the To Type cell of a 'Contact ID' column), so the id could be another record's.",
        "Correct the type cell, or name the id column without a type (such as 'To ID') if it "
        "holds records of several objects.",
    ),
    (
        ErrorCode.UNKNOWN_LABEL,
        "input",
        "An association label does not exist for that object pair.",
        "Use one of the labels listed in the message, or create the label in HubSpot first.",
    ),
    (
        ErrorCode.HIDDEN_ROW,
        "input",
        "The row is hidden in the workbook (a filter or Hide Rows); it is read and sent like the "
        "others (a warning).",
        "Nothing, if the row should be sent; otherwise delete it from the sheet (a filter only "
        "hides rows) and run again.",
    ),
    (
        ErrorCode.TOTALS_ROW,
        "input",
        "The row is the totals row of an Excel table (Total, counts, sums): totals, not a "
        "pair, so it is not sent.",
        "Nothing, if it is the table's totals row; to send the row, turn the totals row off "
        "(Table Design > Total Row) and put the pair in a row of the table.",
    ),
    (
        ErrorCode.FORMULA_ERROR,
        "input",
        "A cell holds a spreadsheet error such as #N/A or #REF! (its formula failed: a lookup "
        "that found no match gives #N/A), so the value it should hold is unknown.",
        "Fix the formula (or type the value) in the spreadsheet, save, and run the sheet again.",
    ),
    (
        ErrorCode.AMBIGUOUS_LABEL,
        "input",
        "An association label matches several labels of that object pair once case and "
        'spacing are ignored (HubSpot holds both "Champion" and "champion").',
        "Write the label exactly as HubSpot spells it, or give its type id in a type_id column "
        "(or, when the labels are of different categories, the category in a category column).",
    ),
    (
        ErrorCode.BAD_CATEGORY,
        "input",
        "An association category is not a HubSpot category.",
        "Use HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED, or leave it empty.",
    ),
    (
        ErrorCode.BAD_LIMIT,
        "input",
        "A limit is not a whole number from 1 to 10000 written with the digits 0-9 only.",
        "Enter a whole number such as 1000 (no separators), or 'remove' to delete the limit.",
    ),
    (
        ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
        "input",
        "A label's limit is higher than the limit for the whole object pair.",
        "Lower the label limit or raise the object limit; a label limit may not exceed it.",
    ),
    (
        ErrorCode.DUPLICATE_ROW,
        "input",
        "The row repeats an earlier row and is not sent again: the earlier row's status is "
        "what became of both.",
        "Nothing to do for this row (fix the earlier one if it failed); delete the repeat to "
        "keep the sheet tidy.",
    ),
    (
        ErrorCode.CONFLICTING_ROWS,
        "input",
        "Two rows ask for different things for the same pair (or one row does: a limits "
        "row that asks to remove the limit and holds one), or give one contact, deal or "
        "ticket two different primary companies (HubSpot keeps one).",
        "Keep one of the rows; the message names the other.",
    ),
    (
        ErrorCode.EXTRA_CELLS,
        "input",
        "A CSV row has more cells than the header row, so its cells may be shifted (an "
        "unquoted comma inside a value such as 1,019,360,003 splits it in several cells).",
        "Put the value in quotes or remove the separator (or give the extra column a header), "
        "then export the sheet again.",
    ),
    (
        ErrorCode.NO_TARGETS,
        "input",
        "The record has no associated records in this export (its association cell is "
        "empty); nothing to do for it.",
        "Nothing to do; it is not sent. Fill in the ids if the record should be associated.",
    ),
    (
        ErrorCode.BLANK_LIMIT,
        "input",
        "The limit cell is empty, so the row says nothing to do: it is not sent and the "
        "limit stays as it is (an empty cell never removes a limit).",
        "Write a number to set the limit, or 'remove' to remove it (or make empty cells "
        "remove their limit: `hubframe limits --remove-blank-limits`, or "
        "hf.read_limits(..., remove_blank=True) before configure_limits).",
    ),
    (
        ErrorCode.LABEL_TYPE_MISMATCH,
        "input",
        "The row's label and its type id name different association types (a label edited "
        "in an exported sheet, its type id left as it was).",
        "When you change or clear a label, clear the row's type id and category too.",
    ),
    (
        ErrorCode.SAME_RECORD,
        "input",
        "The row associates a record with itself: both sides name the same record (a sheet "
        "listing records beside their own ids or emails read as pairs?).",
        "Give the other record of the pair; if the sheet lists records, not pairs, it is not "
        "one to associate.",
    ),
    (
        ErrorCode.OUT_OF_SCOPE,
        "input",
        "The row's record is outside the scope the sync was given; it is not compared.",
        "Nothing to do, or widen the scope (scope= / --scope) to include the record.",
    ),
    (
        ErrorCode.OBJECT_NOT_FOUND,
        "remote",
        "HubSpot has no record with that id.",
        "Check the id in HubSpot (it may be deleted or belong to another object type).",
    ),
    (
        ErrorCode.AMBIGUOUS_RECORD,
        "remote",
        "An email, domain or other property value of the sheet is held by several records in "
        "HubSpot, or matches a record's only through a lookalike letter (the Kelvin sign for "
        "k), so it does not say which record is meant; nothing is sent for the row.",
        "Put the record id of the one you mean (the message lists them) in place of the value.",
    ),
    (
        ErrorCode.INVALID_ASSOCIATION_TYPE,
        "remote",
        "HubSpot does not accept that association type for this object pair and direction.",
        "Check the label or type id and the from/to order.",
    ),
    (
        ErrorCode.LIMIT_EXCEEDED,
        "remote",
        "The record already has as many associations as allowed.",
        "Remove other associations first, or raise the association limit.",
    ),
    (
        ErrorCode.ALREADY_ASSOCIATED,
        "remote",
        "The records are already associated this way.",
        "Nothing to do.",
    ),
    (
        ErrorCode.NOT_ASSOCIATED,
        "remote",
        "The records are not associated this way in HubSpot (any more), so there is nothing "
        "to remove; the row was not sent.",
        "Nothing to do; it may have been removed already (by an earlier undo or by hand).",
    ),
    (
        ErrorCode.HUBSPOT_VALIDATION,
        "remote",
        "HubSpot rejected the row for another reason.",
        "Read the message from HubSpot; fix the row and send it again.",
    ),
    (
        ErrorCode.REQUEST_REFUSED,
        "remote",
        "HubSpot refused the requests themselves, not a row in them: rows sent one by one got "
        "the same refusal though the portal shows nothing wrong with them, so the run stopped "
        "instead of sending every row alone (which would spend the API limit for nothing).",
        "Read HubSpot's message; when it is about the request (an API change), update hubframe "
        "or choose another api_version, then run the retry file.",
    ),
    (
        ErrorCode.MISSING_SCOPES,
        "remote",
        "The access token lacks a permission this call needs.",
        "Add the scopes named in the message to the private app, then run again.",
    ),
    (
        ErrorCode.UNAUTHORIZED,
        "remote",
        "HubSpot did not accept the access token.",
        "Check the token (it may be mistyped, revoked or expired) and run again.",
    ),
    (
        ErrorCode.RATE_LIMITED,
        "remote",
        "HubSpot's rate limit stopped the row from being sent.",
        "Run the retry file later (after the daily limit resets, if that was the cause).",
    ),
    (
        ErrorCode.SERVER_ERROR,
        "remote",
        "HubSpot had a server error and retries did not help.",
        "Run the retry file later.",
    ),
    (
        ErrorCode.HUBSPOT_LOCKED,
        "remote",
        "HubSpot answered 423 Locked: it locks records for a couple of seconds while it takes "
        "in a large volume of data, and kept them locked through every retry (each at least "
        "2 s apart). HubSpot refused the request before doing it: nothing of it was applied, "
        "and nothing is wrong with the row.",
        "Run the retry file later (in a few minutes, when the other imports or integrations "
        "writing to the portal are done).",
    ),
    (
        ErrorCode.HUBSPOT_MIGRATING,
        "remote",
        "HubSpot answered 477 Migration in Progress: the account is being moved between data "
        "centres, and every request is refused until it is done (HubSpot says how long to "
        "wait, typically up to a day). The run stopped; the row was not applied, and nothing "
        "is wrong with it.",
        "Run the retry file after the time the message gives (HubSpot's Retry-After).",
    ),
    (
        ErrorCode.NETWORK_ERROR,
        "remote",
        "The connection to HubSpot failed; retries did not help.",
        "Check the network and run the retry file.",
    ),
    (
        ErrorCode.UNKNOWN_OUTCOME,
        "remote",
        "No answer came back, and no check could tell whether the row was applied or the "
        "checks did not find it yet (HubSpot may still apply it).",
        "Run the retry file: sending an association again is safe.",
    ),
    (
        ErrorCode.NOT_APPLIED,
        "remote",
        "HubSpot answered the batch without this row and without an error for it, and a read "
        "of the portal shows the change is not there.",
        "Run the retry file; if the row comes back the same way, check its records in HubSpot.",
    ),
    (
        ErrorCode.NOT_UNDOABLE,
        "input",
        "An undo left the row: it does not say what undo needs to take it back (its action or "
        "type_id cell was cleared in the report, or the run did not record what the two "
        "records held before it).",
        "Put the cell back as the run wrote it and undo again (or undo from the run's result "
        "table or journal); to make runs undoable, give them a journal or record_existing=True.",
    ),
    (
        ErrorCode.INTERNAL_FAULT,
        "run",
        "hubframe found a fault of its own in this row's batch before sending it (a bug); "
        "nothing of the batch was sent.",
        "Report it with the message; the retry file holds the row.",
    ),
    (
        ErrorCode.RUN_FAILED,
        "run",
        "hubframe itself failed while the run was sending (out of memory, no room to start a "
        "thread, or a fault of its own), so the run stopped: this row's batch never left "
        "(failed), or it was not sent because the run had stopped (skipped). The requests "
        "already out finished and were reported.",
        "Free memory (close other programs, or run a smaller sheet or --batch-size), then run "
        "the retry file; report the message if it happens again.",
    ),
    (
        ErrorCode.CANCELLED,
        "run",
        "The run was cancelled (Cancel in the app, Ctrl-C on the command line, cancel= from "
        "Python) before this row's batch was sent; nothing of it was sent.",
        "Run the retry file to send the rows the cancel left.",
    ),
    (
        ErrorCode.JOURNAL_FAILED,
        "run",
        "The run's journal could not be written (a full disk, or another program holding or "
        "breaking the file) before this row's batch was sent: a batch the journal cannot record "
        "could not be undone from it, so nothing of it was sent and the run stopped.",
        "Free disk space (or close the program using the journal), then run the retry file "
        "with the same journal.",
    ),
    (
        ErrorCode.TOO_MANY_REMOVALS,
        "input",
        "A sync would remove more associations than it may without an explicit allowance.",
        "Check the sheet covers every association to keep, then allow the number with "
        "max_removals= (--max-removals N).",
    ),
    (
        ErrorCode.PRIMARY_PROTECTED,
        "input",
        "A HubSpot-defined primary association is kept: a sync removes none without an "
        "explicit option.",
        "Add the row back to the sheet, or allow it with allow_primary_removal=True "
        "(--allow-primary-removal).",
    ),
    (
        ErrorCode.PRIMARY_MOVED,
        "input",
        "A company's Primary label the sheet leaves out is not removed by its own row, but "
        "another row of the sync makes another company the record's primary: HubSpot keeps "
        "one, so this company loses the label through that row and stays associated.",
        "Nothing, if the new primary company is meant; to keep this one, list it as Primary "
        "in the sheet instead of the other.",
    ),
    (
        ErrorCode.REMOVAL_HELD,
        "input",
        "A removal is held back: another row of the same record could not be compared (it "
        "is invalid), so nothing of that record is removed; or a row naming a record HubSpot "
        "does not have (a typo of its id?) could be asking to keep it.",
        "Fix the invalid rows the message names (see their messages), then sync again.",
    ),
    (
        ErrorCode.LABEL_EXISTS,
        "remote",
        "The label exists in HubSpot already; nothing was created.",
        "Nothing to do.",
    ),
    (
        ErrorCode.RENAME_REFUSED,
        "input",
        "The sheet gives an existing label (by type id) another name; labels are renamed only "
        "when asked.",
        "Fix the name in the sheet, or rename on purpose with renames=True (--rename).",
    ),
    (
        ErrorCode.LABEL_WOULD_REPEAT,
        "input",
        "The new name of a label (or of its inverse label) reads the same as another label of "
        "that object pair once case, spaces and invisible characters are ignored: HubSpot "
        "would hold two labels no sheet could tell apart. Nothing was created or renamed.",
        "Choose another name, or use the label that exists.",
    ),
    (
        ErrorCode.INVERSE_LABEL_DIFFERS,
        "remote",
        "The label exists in HubSpot, but the sheet gives it an inverse label HubSpot does not "
        "list in the reverse direction: its inverse label is another. Nothing was changed.",
        "Correct the inverse label in the sheet, or rename it on purpose: give the label's "
        "type id and rename (renames=True / --rename).",
    ),
    (
        ErrorCode.TOO_MANY_LABELS,
        "remote",
        "The object pair has as many labels of your own as HubSpot allows (10 per object "
        "pairing), counting those the sheet's earlier rows create: HubSpot would refuse the "
        "new one. Nothing was created.",
        "Archive a label the pair no longer uses in HubSpot, or use a label that exists.",
    ),
    (
        ErrorCode.LABEL_NAME_TAKEN,
        "input",
        "The sheet's Name (internal name) for a new label is the internal name of a label the "
        "object pair holds (HubSpot names a label as its text, and keeps the name when the "
        "label is renamed): HubSpot would refuse it. Nothing was created.",
        "Give another Name, or leave the Name cell empty: hubframe then picks a free one.",
    ),
    (
        ErrorCode.BAD_LABEL_NAME,
        "input",
        "The sheet's Name (internal name) for a new label is not one HubSpot takes: letters, "
        "digits and underscores only, not starting with a digit. Nothing was created.",
        "Correct the Name, or leave the Name cell empty: hubframe then makes one from the label.",
    ),
    (
        ErrorCode.BAD_LABEL_TEXT,
        "input",
        "A label (or inverse label) to create or rename to holds U+FFFD, the replacement "
        "character a program writes where it could not read a character: the name the sheet "
        "meant is lost, and HubSpot would be given the broken one. Nothing was created.",
        "Retype the label, or save the file as UTF-8 (Excel: CSV UTF-8) and read it again.",
    ),
)

CODE_INFO: dict[ErrorCode, CodeInfo] = {c: CodeInfo(c, s, m, a) for c, s, m, a in _INFO}


class HubframeError(Exception):
    """Root of every exception hubframe raises.

    ``attempts``: how many times the request that failed was sent (0 when the error did not come
    from a request).  ``may_have_applied``: an attempt of a write got no answer that says what
    became of it (the answer was lost, the connection broke after the request was written, the
    read timed out, or HubSpot answered 5xx), so HubSpot may have applied it; hubframe then reads
    the portal before reporting the rows.  False for reads, and when nothing was sent.
    ``unsure_attempt``: which attempt that was and what it got (``"attempt 1 got HTTP 504"``),
    set by the client on the error that ends a write's retries, for messages; None otherwise.
    """

    code: ErrorCode | None = None
    unsure_attempt: str | None = None

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        attempts: int = 0,
        may_have_applied: bool = False,
    ) -> None:
        # It quotes cells, names and HubSpot's own messages, and may reach a terminal or a
        # notebook's saved traceback: no registered secret in it, however the answer spelled it.
        super().__init__(visible(redact(message)))
        if code is not None:
            self.code = code
        self.attempts = attempts
        self.may_have_applied = may_have_applied

    @property
    def stops_run(self) -> bool:
        """True when no other request can succeed either, so a run stops: the token is refused
        (401 / 403), HubSpot's daily limit is reached, or HubSpot cannot be reached."""
        return False


class HubframeWarning(UserWarning):
    """Root of every warning hubframe gives: its message shows the characters that would steer
    a terminal (:func:`hubframe.terminal.visible`), as it quotes names from sheets and reports
    and Python prints it to a terminal."""

    def __init__(self, message: object = "") -> None:
        super().__init__(visible(redact(str(message))))


class InputError(HubframeError, ValueError):
    """A whole-file or whole-argument problem: unreadable file, no header, missing columns."""


class SourceError(InputError):
    """The file itself cannot be read as a sheet, whatever its columns: not what its name says,
    damaged, cut short, a quote never closed, its text encoding unknown.  (The notebook app
    says so where the file is loaded, not as a column to pick.)"""


class ConfigurationError(HubframeError, ValueError):
    """A setting is wrong: no token, unknown api version, a bad base URL."""


class UsageError(HubframeError, TypeError):
    """hubframe was called in a way that cannot work: an unknown keyword argument, pickling an
    access token."""


class InternalError(HubframeError, RuntimeError):
    """hubframe broke one of its own rules (a bug: please report it with the traceback)."""

    code = ErrorCode.INTERNAL_FAULT


class ApiError(HubframeError):
    """HubSpot answered with an error for a whole request.

    ``body`` is HubSpot's JSON error body (never containing the token); ``http_status``,
    ``category`` and ``correlation_id`` are copied out of it for convenience.
    """

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode = ErrorCode.HUBSPOT_VALIDATION,
        http_status: int | None = None,
        category: str | None = None,
        correlation_id: str | None = None,
        body: dict[str, Any] | None = None,
        attempts: int = 0,
        may_have_applied: bool = False,
    ) -> None:
        super().__init__(message, code=code, attempts=attempts, may_have_applied=may_have_applied)
        self.http_status = http_status
        self.category = category
        self.correlation_id = correlation_id
        self.body: dict[str, Any] = body or {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!s}, http_status={self.http_status}, "
            f"category={self.category!r}, message={str(self)!r})"
        )

    @property
    def required_scopes(self) -> list[str]:
        """The scopes a 403 body says the token lacks."""
        return required_scopes(self.body)


def required_scopes(body: Any) -> list[str]:
    """The scopes an error body names as missing (``errors[].context.requiredScopes``)."""
    scopes: list[str] = []
    errors = body.get("errors") if isinstance(body, dict) else None
    for detail in errors if isinstance(errors, list) else []:
        if isinstance(detail, dict):
            context = detail.get("context")
            found = context.get("requiredScopes") if isinstance(context, dict) else None
            if isinstance(found, list):
                scopes.extend(str(s) for s in found if s)
    return list(dict.fromkeys(scopes))


class AuthError(ApiError, PermissionError):
    """401 (token not accepted) or 403 (missing scopes): the run cannot go on."""

    @property
    def stops_run(self) -> bool:
        return True


class RateLimitError(ApiError):
    """429 after retries, or at once for the DAILY policy (never retried)."""

    def __init__(self, message: str, *, policy_name: str | None = None, **kw: Any) -> None:
        kw.setdefault("code", ErrorCode.RATE_LIMITED)
        super().__init__(message, **kw)
        self.policy_name = policy_name

    @property
    def is_daily(self) -> bool:
        name = self.policy_name
        return isinstance(name, str) and name.upper() == "DAILY"

    @property
    def stops_run(self) -> bool:
        return self.is_daily


class ServerError(ApiError):
    """5xx after retries."""


class BusyError(ApiError):
    """423 Locked or 477 Migration in Progress after retries: HubSpot refused the request
    before doing it (nothing of it was applied) because records were locked (423) or the
    account is being migrated (477).  ``retry_after_s``: the wait HubSpot's ``Retry-After``
    asked for, when it gave one.  A migration refuses every request for hours: it stops a run
    (its rows ``skipped``, ``HUBSPOT_MIGRATING``); a lock does not."""

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after_s = retry_after_s

    @property
    def migrating(self) -> bool:
        return self.code is ErrorCode.HUBSPOT_MIGRATING

    @property
    def stops_run(self) -> bool:
        return self.migrating


class NetworkError(HubframeError, ConnectionError):
    """The connection failed (refused, reset, timed out) after retries.

    ``unreachable``: the last attempt could not even connect (refused, no such host, connect
    timeout), so nothing of it was sent: HubSpot cannot be reached and a run stops.
    """

    code = ErrorCode.NETWORK_ERROR

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 0,
        may_have_applied: bool = False,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message, attempts=attempts, may_have_applied=may_have_applied)
        self.unreachable = unreachable

    @property
    def stops_run(self) -> bool:
        return self.unreachable


#: The codes a stopped run gives the rows it did not do (and that a retry file picks up).
STOPPING_CODES: frozenset[ErrorCode] = frozenset(
    {
        ErrorCode.UNAUTHORIZED,
        ErrorCode.MISSING_SCOPES,
        ErrorCode.RATE_LIMITED,
        ErrorCode.HUBSPOT_MIGRATING,
        ErrorCode.NETWORK_ERROR,
        ErrorCode.REQUEST_REFUSED,
        ErrorCode.CANCELLED,
        ErrorCode.JOURNAL_FAILED,
        ErrorCode.RUN_FAILED,
    }
)


@dataclass(frozen=True)
class StopReason:
    """Why a run stopped early: the code and the message its unsent rows get."""

    code: ErrorCode
    message: str

    @property
    def status(self) -> Status:
        """The status of the rows left undone: ``skipped``, or ``failed`` when HubSpot could
        not be reached (a network failure: the row is to do again, like any failed row)."""
        return Status.FAILED if self.code is ErrorCode.NETWORK_ERROR else Status.SKIPPED

    @classmethod
    def of(cls, error: HubframeError, again: str = "run the retry file") -> StopReason:
        """The reason an error that :attr:`~HubframeError.stops_run` gives; ``again``: how
        the rows not sent are done later (a job without a retry file -- labels -- says
        "run the sheet again")."""
        if isinstance(error, RateLimitError):
            return cls(
                ErrorCode.RATE_LIMITED,
                f"Not sent: HubSpot's daily API limit was reached, so the run stopped; {again} "
                "after the limit resets (midnight in the account's time zone).",
            )
        if isinstance(error, BusyError):
            return cls(ErrorCode.HUBSPOT_MIGRATING, _migrating_message(error, again))
        if isinstance(error, NetworkError):
            return cls(
                ErrorCode.NETWORK_ERROR,
                "Not sent: HubSpot could not be reached (no connection could be made), so the "
                f"run stopped; check the network and the base URL, then {again}.",
            )
        if isinstance(error, ApiError) and error.code is ErrorCode.MISSING_SCOPES:
            scopes = error.required_scopes
            needed = f" ({', '.join(scopes)})" if scopes else ""
            return cls(
                ErrorCode.MISSING_SCOPES,
                f"Not sent: the access token lacks a required scope{needed}, so the run "
                f"stopped; add the scope to the private app and {again}.",
            )
        return cls(
            ErrorCode.UNAUTHORIZED,
            "Not sent: HubSpot did not accept the access token (401), so the run stopped; check "
            f"the token and {again}.",
        )


def failure_words(error: BaseException) -> str:
    """A failure of hubframe itself in a few words, for a row's message or an error line:
    ``MemoryError: out of memory``, ``RuntimeError: can't start new thread``; a
    :class:`HubframeError` by its own message.  Redacted: a failure outside hubframe's own
    code may quote what it was given (http.client: ``Invalid header value b'Bearer pat-...'``),
    and these words go into a result table no writer redacts."""
    from hubframe.redaction import redact

    text = redact(" ".join(str(error).split()).rstrip("."))
    if isinstance(error, HubframeError):
        return text or type(error).__name__
    name = type(error).__name__
    if isinstance(error, MemoryError):  # pyarrow's ArrowMemoryError is one too
        return f"{name}: {text}" if text else f"{name}: out of memory"
    return f"{name}: {text}" if text else name


def _migrating_message(error: BusyError, again: str) -> str:
    wait = error.retry_after_s
    asked = f"HubSpot asked to wait {_duration(wait)}" if wait else "it can last up to a day"
    return (
        "Not sent: HubSpot is migrating the account between data centres (477 Migration in "
        f"Progress; {asked}) and refuses every request until it is done, so the run stopped; "
        f"{again} after that."
    )


def _duration(seconds: float) -> str:
    """``seconds`` in words: "40 s", "15 min", "3.5 h"."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{round(seconds / 60):g} min"
    return f"{round(seconds / 3600, 1):g} h"


@contextmanager
def interrupt_kept() -> Iterator[None]:
    """A Ctrl-C stays a Ctrl-C through the block.  Landing inside zipfile's ``open`` for
    writing (``writestr`` too), it leaves the write handle open, and closing the archive then
    raises ValueError ("Can't close the ZIP file while there is an open writing handle") in
    its place: an ``.xlsx`` report cut short exited 1, not 130, and a workbook being read was
    called unreadable.  That ValueError is turned back into the interrupt."""
    try:
        yield
    except ValueError as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise exc.__context__ from None
        raise
