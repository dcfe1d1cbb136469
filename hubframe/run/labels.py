"""Label names in a sheet -> (category, type id), through HubSpot's labels for the object pair.

The labels of each (from type, to type) pair are fetched once per run (``LabelBook``) and
matched case- and space-insensitively.  When that matches several labels (a portal may hold
"Champion" and "champion"), the one spelled as the cell wins (its case; not its spacing, which
a trimmed cell and HubSpot's pages do not show: "Champion" and "Champion " are spelled alike);
with none or several so spelled the row is refused (:class:`AmbiguousLabel`) unless it gives
the type id: a label is never picked by guess.
"Primary" and the other HubSpot-defined labels come from the same list; the unlabeled
("default") type is the entry whose label is null, and a sheet may name it "unlabeled" or
"default" -- unless the pair has a label so called (a user label "Default"): such a cell names
both, and the row is refused (:class:`UnlabeledClash`).  An unknown label raises
:class:`UnknownLabel` whose message lists the labels that exist for that pair, closest first.
"""

from __future__ import annotations

import difflib
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from hubframe.constants import (
    HUBSPOT_DEFINED,
    HUBSPOT_DEFINED_TYPES,
    UNLABELED_NAMES,  # what a sheet may write for the unlabeled type
    USER_DEFINED,
)
from hubframe.errors import ErrorCode, HubframeError
from hubframe.io.normalize import canonical_category, composed_as_typed, normalize_label, shown_as
from hubframe.run.customs import CustomTypes
from hubframe.run.rows import text, whole
from hubframe.validate import category_alone_message

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient


@dataclass(frozen=True, slots=True)
class LabelDef:
    """One association type for a direction: category, type id, label (None = unlabeled)."""

    category: str
    type_id: int
    label: str | None


class LabelRefused(HubframeError):
    """A row's association type cannot be told from its label and type id (an input problem:
    the row is ``invalid``; ``code`` says why)."""


class UnknownLabel(LabelRefused):
    """A label that does not exist for the object pair."""

    code = ErrorCode.UNKNOWN_LABEL


class AmbiguousLabel(LabelRefused):
    """A label that names several association types of the object pair (case or spacing apart)."""

    code = ErrorCode.AMBIGUOUS_LABEL


class UnlabeledClash(AmbiguousLabel):
    """A word for the unlabeled type ("default", "unlabeled") that a label of the object pair
    is also called: the cell names both (a category cell does not pick one)."""


class UnlistedType(LabelRefused):
    """A type id HubSpot does not list for the object pair: it refuses it."""

    code = ErrorCode.INVALID_ASSOCIATION_TYPE


class NoAssociationType(UnlistedType):
    """An object pair HubSpot lists no association type for: its records cannot be
    associated (deals and products: a deal's products are its line items)."""


#: The object pairs whose unlabeled type HubSpot defines (deals -> contacts 3): a row of one
#: without a label or type id is sent without reading the pair's labels.
DEFINED_DEFAULTS: Final = frozenset(
    (t.from_type, t.to_type) for t in HUBSPOT_DEFINED_TYPES if t.label is None
)


def no_association_message(from_type: str, to_type: str) -> str:
    """Why a row of an object pair HubSpot lists no association type for is refused."""
    hint = (
        " (a deal's or quote's products are its line items: associate it with line_items)"
        if "products" in (from_type, to_type)
        else ""
    )
    return (
        f"HubSpot lists no association type from {from_type} to {to_type}: {from_type} and "
        f"{to_type} records cannot be associated{hint}. Check the from and to object types."
    )


class LabelTypeMismatch(LabelRefused):
    """A row whose label and type id name different association types."""

    code = ErrorCode.LABEL_TYPE_MISMATCH


def visible_label(text: str) -> str:
    """The label a new or renamed label gets from a cell: the characters it shows, spelled
    one way (:func:`~hubframe.io.normalize.composed_as_typed`), its spaces single plain
    spaces (a no-break space or a double space is one space) -- never a hidden character
    HubSpot would keep and no sheet typed by hand would match."""
    return " ".join(composed_as_typed(text).split())


#: Label lists read at once by :meth:`LabelBook.prefetch` (a sheet of several object pairs:
#: read one after another, ten pairs at 0.5 s a round trip kept a run waiting 5 s).  The
#: client's rate limiter paces them as it paces the sends.
PREFETCH_WORKERS = 8


class _NotRead(Exception):
    """A prefetch left a pair unread: an earlier read stopped the run (a bad token)."""


Key = tuple[str, str]


#: HubSpot's answer (400) to a path naming an object type the portal does not have.
NO_SUCH_OBJECT_TYPE = "Unable to infer object type from:"


def unknown_object_type(exc: HubframeError, from_type: str, to_type: str) -> tuple[str, str] | None:
    """``(column, message)`` when ``exc`` is HubSpot saying it has no object type of the pair
    (a ``2-...`` id or ``p_name`` that names none of its objects): the sheet's cell is at
    fault, not HubSpot; None for any other error."""
    said = str(exc)
    if getattr(exc, "http_status", None) != 400 or NO_SUCH_OBJECT_TYPE not in said:
        return None
    words = said.split(NO_SUCH_OBJECT_TYPE, 1)[1].split()  # a type has no spaces
    named = words[0].rstrip(".,;") if words else ""
    if not named:
        return None
    column = "to_type" if named == to_type and named != from_type else "from_type"
    side = "to" if column == "to_type" else "from"
    message = (
        f'HubSpot has no object type "{named}" in this portal (it answered "{NO_SUCH_OBJECT_TYPE} '
        f'{named}"). Check the {side} object type: name a custom object by the type id or the '
        "p_ name HubSpot lists for it, or a standard object such as contacts or deals."
    )
    return column, message


def is_stand_in(type_id: int | None) -> bool:
    """Whether ``type_id`` stands in for a label not created yet (see :class:`LabelBook`):
    HubSpot's type ids are positive."""
    return type_id is not None and type_id < 0


class LabelBook:
    """Association types per object pair, fetched lazily, once per pair (thread-safe).

    ``new``: labels a command creates before its run (``limits --create-labels``), per object
    pair, each under a stand-in type id (negative: :func:`is_stand_in`).  They are listed
    beside HubSpot's labels, so that rows naming them are judged as if they existed, unless
    HubSpot lists a label of that direction that reads the same (created since: the real one
    is used).  ``first``: the stand-in type ids of those the run creates first (a dry run's
    plan); an unknown label's message names them apart from the labels that exist, and never
    names the others (planned, not created)."""

    def __init__(
        self,
        client: HubSpotClient,
        new: Mapping[Key, Sequence[LabelDef]] | None = None,
        *,
        first: Iterable[int] = (),
    ) -> None:
        self._client = client
        self._new = dict(new or {})
        self._first = frozenset(first)
        self._pairs: dict[Key, list[LabelDef]] = {}
        self._pending: dict[Key, Future[list[LabelDef]]] = {}  # a prefetch's
        self._failed: dict[Key, HubframeError] = {}  # the error of a pair's read, kept
        self._objects: dict[Key, tuple[str, str]] = {}  # see object_type_ids
        self._lock = threading.Lock()
        #: The portal's custom objects, for the type id of a name no labels list tells.
        self.customs = CustomTypes(client)

    def labels(self, from_type: str, to_type: str) -> list[LabelDef]:
        """Every association type from ``from_type`` to ``to_type`` (HubframeError on failure).

        A read that failed (after the client's retries) is not made again: every later call
        for the pair raises its error, so a pair whose rows name ten labels waits for one
        failing read, not ten (each up to half a minute of retries)."""
        key = (from_type, to_type)
        with self._lock:
            pending = self._pending.get(key)
        if pending is not None:
            try:
                found = pending.result()  # the prefetch's read: waited for, not made again
            except _NotRead:
                pass
            except HubframeError as exc:
                with self._lock:
                    self._pending.pop(key, None)
                    self._failed.setdefault(key, exc.with_traceback(None))
            except Exception:
                with self._lock:
                    self._pending.pop(key, None)  # not HubSpot's answer: a later call reads again
                raise
            else:
                with self._lock:
                    self._pairs.setdefault(key, found)
        with self._lock:
            self._pending.pop(key, None)
            if key not in self._pairs and key not in self._failed:
                try:
                    self._pairs[key] = self._read(key)
                except HubframeError as exc:  # kept without its frames (the client's locals)
                    self._failed[key] = exc.with_traceback(None)
            failed = self._failed.get(key)
            if failed is not None:
                raise failed.with_traceback(None)
            return self._pairs[key]

    def _read(self, key: Key) -> list[LabelDef]:
        entries = self._client.list_labels(*key)
        ids = {(str(e.get("fromObjectTypeId")), str(e.get("toObjectTypeId"))) for e in entries}
        if len(ids) == 1 and "None" not in next(iter(ids)):
            self._objects[key] = ids.pop()
        listed = [_parse(entry) for entry in entries]
        new = [d for d in self._new.get(key, ()) if d.label and not named(d.label, listed)]
        return [*listed, *new]

    def object_type_ids(self, from_type: str, to_type: str) -> tuple[str, str] | None:
        """The object type ids (``0-3``, ``2-7350001``) of a pair as its labels list names
        them (one pair, however its types are spelled); None when the list does not say (the
        2026-09 API) or cannot be read."""
        try:
            self.labels(from_type, to_type)
        except HubframeError:
            return None
        return self._objects.get((from_type, to_type))

    def prefetch(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Start reading the labels of ``pairs`` in the background, up to
        :data:`PREFETCH_WORKERS` at once, so that the answers are on their way while the sheet
        is checked; the first :meth:`labels` call of a pair waits for its read, and gets its
        labels or raises what the read raised.  After an error that stops a run (a bad token)
        the pairs not read yet are not read."""
        with self._lock:
            known = self._pairs.keys() | self._pending.keys() | self._failed.keys()
            wanted = [k for k in dict.fromkeys(pairs) if k not in known]
            reads: dict[Key, Future[list[LabelDef]]] = {key: Future() for key in wanted}
            self._pending.update(reads)
        queue, stopped = deque(wanted), threading.Event()

        def reader() -> None:  # daemon threads: a Ctrl-C never waits for a read to end
            while queue:
                try:
                    key = queue.popleft()
                except IndexError:  # another reader took the last one
                    return
                read = reads[key]
                read.set_running_or_notify_cancel()
                try:
                    read.set_result(self._prefetched(key, stopped))
                except Exception as exc:  # for the caller's thread
                    read.set_exception(exc)

        for _ in range(min(PREFETCH_WORKERS, len(wanted))):
            threading.Thread(target=reader, name="hubframe-labels", daemon=True).start()

    def _prefetched(self, key: Key, stopped: threading.Event) -> list[LabelDef]:
        if stopped.is_set():
            raise _NotRead
        try:
            return self._read(key)
        except Exception as exc:
            if not isinstance(exc, HubframeError) or exc.stops_run:
                stopped.set()
            raise

    def unlabeled(self, from_type: str, to_type: str) -> LabelDef | None:
        """The pair's unlabeled HUBSPOT_DEFINED type (the 'default' association)."""
        found = [d for d in self.labels(from_type, to_type) if d.label is None]
        defined = [d for d in found if d.category == HUBSPOT_DEFINED]
        chosen = defined or found
        return chosen[0] if chosen else None

    def unlabeled_ids(self, from_type: str, to_type: str) -> frozenset[int] | None:
        """The type ids the pair's labels list gives no label (its unlabeled types: the
        HUBSPOT_DEFINED one between two standard objects, a USER_DEFINED one for a custom
        object's pairs); None when the list cannot be read (a stopping error is raised)."""
        defs = _readable(self, from_type, to_type)
        return None if defs is None else frozenset(d.type_id for d in defs if d.label is None)

    def unlabeled_read(self) -> dict[Key, frozenset[int]]:
        """The unlabeled type ids of every pair whose labels were read (none is read here):
        whose limit a limit error names (a custom object's are USER_DEFINED)."""
        with self._lock:
            read = dict(self._pairs)
        return {
            key: frozenset(
                d.type_id for d in defs if d.label is None and not is_stand_in(d.type_id)
            )
            for key, defs in read.items()
        }

    def names_read(self) -> dict[Key, dict[int, str | None]]:
        """Each labeled type id of every pair whose labels were read -> its label's exact name,
        or None when another label of the pair matches it as a sheet's label is matched
        (:func:`normalize_label`): an answer listing the name cannot tell which was set."""
        with self._lock:
            read = dict(self._pairs)
        return {key: label_names_by_type(defs) for key, defs in read.items()}

    def resolve(self, from_type: str, to_type: str, label: str) -> LabelDef:
        """The type a label names for this pair; UnknownLabel when there is none.  A word for
        the unlabeled type ("default") that a label of the pair is also called (a user label
        "Default") names both: :class:`UnlabeledClash`, never one of them by guess."""
        defs = self.labels(from_type, to_type)
        matches = named(label, defs)
        unlabeled = None
        if normalize_label(label) in UNLABELED_NAMES:
            unlabeled = self.unlabeled(from_type, to_type)
            if unlabeled is not None and matches:
                said = unlabeled_clash_message(label, from_type, to_type, unlabeled, matches)
                raise UnlabeledClash(said)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousLabel(ambiguous_label_message(label, from_type, to_type, matches))
        if unlabeled is not None:
            return unlabeled
        said = unknown_label_message(label, from_type, to_type, defs, first=self._first)
        raise UnknownLabel(said + self.other_way(from_type, to_type, label=label))

    def other_way(
        self, from_type: str, to_type: str, *, label: str | None = None, type_id: int | None = None
    ) -> str:
        """A sentence for a label or type id the pair lacks that its reverse direction has
        (the row's From and To swapped), or "" (none there, or its labels cannot be read)."""
        try:
            defs = [d for d in self.labels(to_type, from_type) if not is_stand_in(d.type_id)]
        except HubframeError:
            return ""
        found = named(label, defs) if label else [d for d in defs if d.type_id == type_id]
        if not found:
            return ""
        there, way = found[0], f"from {to_type} to {from_type}, the other direction"
        if label:
            said = f' The label "{there.label}" exists {way} (type id {there.type_id})'
        else:
            what = f'the label "{there.label}"' if there.label else "the unlabeled association"
            said = f" Type id {type_id} is {what} {way}"
        return said + ": swap the row's from and to to use it."

    def category_of(self, from_type: str, to_type: str, type_id: int) -> str | None:
        """The category of a type id for this pair, when HubSpot lists it."""
        for d in self.labels(from_type, to_type):
            if d.type_id == type_id:
                return d.category
        return None


def _parse(entry: dict[str, object]) -> LabelDef:
    label = entry.get("label")
    type_id = entry.get("typeId", entry.get("associationTypeId"))
    category = entry.get("category", entry.get("associationCategory"))
    return LabelDef(
        category=str(category or HUBSPOT_DEFINED),
        type_id=int(str(type_id)),
        label=None if label is None or str(label) == "" else str(label),
    )


def label_names_by_type(defs: Iterable[LabelDef]) -> dict[int, str | None]:
    """Each labeled type id of ``defs`` -> its label's exact name (None: another label of
    ``defs`` matches it as a sheet's label is matched, :func:`normalize_label`, or the id is
    listed with two names)."""
    labeled = [d for d in defs if d.label is not None]
    folded = Counter(normalize_label(str(d.label)) for d in labeled)
    out: dict[int, str | None] = {}
    for d in labeled:
        name = str(d.label) if folded[normalize_label(str(d.label))] == 1 else None
        out[d.type_id] = name if out.get(d.type_id, name) == name else None
    return out


def named(label: str, defs: Iterable[LabelDef]) -> list[LabelDef]:
    """The labeled types ``label`` may name: those matching it case- and space-insensitively,
    narrowed, when there are several, to those spelled as ``label`` is shown
    (:func:`shown_as`: case counts, spacing does not).  Several so spelled ("Champion" and
    "Champion ", which a trimmed cell and HubSpot's pages show alike) are all returned: the
    caller refuses the row, and a type id of any of them agrees with the label."""
    wanted = normalize_label(label)
    matches = [d for d in defs if d.label is not None and normalize_label(d.label) == wanted]
    exact = [d for d in matches if shown_as(str(d.label)) == shown_as(label)]
    return exact if len(matches) > 1 and exact else matches


def ambiguous_label_message(
    label: str, from_type: str, to_type: str, matches: list[LabelDef]
) -> str:
    said = f'Label "{label}" could mean {len(matches)} labels from {from_type} to {to_type}: '
    apart = _told_apart_by_category(matches)
    if apart:  # a user "Primary" beside HubSpot's: spelled alike, of different categories
        listed = ", ".join(f'"{d.label}" ({d.category}, type id {d.type_id})' for d in matches)
        return (
            f"{said}{listed}. They are of different categories: give the category of the one "
            f"you mean ({' or '.join(apart)}) in a category column, or its type id in a "
            "type_id column."
        )
    listed = ", ".join(f'"{d.label}" (type id {d.type_id})' for d in matches)
    alike = [d for d in matches if shown_as(str(d.label)) == shown_as(label)]
    if len(alike) > 1:  # writing the cell "exactly" cannot tell them apart
        return (
            f"{said}{listed}. They look the same: they differ only in what a sheet does not "
            "show (spaces at the ends, a double space or a no-break space, an accented letter "
            "stored as one character or as a letter and an accent, or an invisible "
            "character), so give the label's type id in a type_id column."
        )
    return (
        f"{said}{listed}. Write the label exactly as HubSpot spells it, or give its type id in "
        "a type_id column."
    )


def unlabeled_clash_message(
    label: str, from_type: str, to_type: str, unlabeled: LabelDef, matches: list[LabelDef]
) -> str:
    """Why a label cell written as a word for the unlabeled type is refused where a label of
    the pair is so called: it names both."""
    listed = " and ".join(f'"{d.label}" (type id {d.type_id})' for d in matches)
    labels = "label" if len(matches) == 1 else "labels"
    ids = " or ".join(str(d.type_id) for d in matches)
    return (
        f'Label "{label}" names both the plain (unlabeled) association from {from_type} to '
        f'{to_type} (type id {unlabeled.type_id}), which a sheet may write as "{label}", and '
        f"the portal's {labels} {listed}. Give the type id in a type_id column ({ids} for the "
        f"{labels}), or leave the label cell empty for the plain association."
    )


def _told_apart_by_category(matches: Sequence[LabelDef]) -> list[str]:
    """The categories that each name one of ``matches`` (a category cell picks that one: see
    :func:`_by_label`), when the matches are of several categories; else none."""
    counts = Counter(d.category for d in matches)
    if len(counts) < 2:
        return []
    return sorted(category for category, n in counts.items() if n == 1)


def closest_first(text: str, choices: list[str]) -> list[str]:
    """``choices`` sorted by similarity to ``text`` (most similar first, ties alphabetical)."""
    wanted = normalize_label(text)

    def score(choice: str) -> float:
        return difflib.SequenceMatcher(None, wanted, normalize_label(choice)).ratio()

    return sorted(dict.fromkeys(choices), key=lambda c: (-score(c), c))


def unknown_label_message(
    label: str,
    from_type: str,
    to_type: str,
    defs: Sequence[LabelDef],
    *,
    first: frozenset[int] = frozenset(),
) -> str:
    """A label the pair lacks: the labels HubSpot lists for it, closest first (a stand-in
    type id is a label not created, never one that exists), then those of ``first``, which
    the run creates first (a dry run of ``limits --create-labels``)."""
    exist = _names(label, [d for d in defs if not is_stand_in(d.type_id)])
    created = _names(label, [d for d in defs if is_stand_in(d.type_id) and d.type_id in first])
    listed = ", ".join(f'"{n}"' for n in exist) if exist else "none"
    if created:
        listed += "; labels this run creates first: " + ", ".join(f'"{n}"' for n in created)
    return (
        f'Label "{label}" does not exist from {from_type} to {to_type}; labels that exist: '
        f"{listed} (or leave the label empty for the default association)."
    )


def _names(label: str, defs: Sequence[LabelDef]) -> list[str]:
    return closest_first(label, [d.label for d in defs if d.label is not None])


def category_for(book: LabelBook, from_type: str, to_type: str, type_id: int) -> str:
    """The category of a type id a sheet gives without one: as HubSpot lists it for the pair,
    else HUBSPOT_DEFINED for HubSpot's own ids and USER_DEFINED for the rest."""
    try:
        listed = book.category_of(from_type, to_type, type_id)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        listed = None
    if listed:
        return listed
    defined = {(t.from_type, t.to_type, t.type_id) for t in HUBSPOT_DEFINED_TYPES}
    return HUBSPOT_DEFINED if (from_type, to_type, type_id) in defined else USER_DEFINED


def _readable(book: LabelBook, from_type: str, to_type: str) -> list[LabelDef] | None:
    """The pair's association types, or None when they cannot be read (a stopping error is
    raised)."""
    try:
        return list(book.labels(from_type, to_type))
    except HubframeError as exc:
        if exc.stops_run:
            raise
        return None


def _check_listed(
    book: LabelBook, from_type: str, to_type: str, type_id: int, label: str | None
) -> None:
    """UnlistedType when the pair's association types, read, do not hold ``type_id`` (a
    label not created yet, under a stand-in, is listed); when they cannot be read HubSpot
    judges the row (a stopping error is raised)."""
    defs = _readable(book, from_type, to_type)
    if defs is not None and type_id not in {d.type_id for d in defs}:
        said = unlisted_type_message(from_type, to_type, type_id, label, defs)
        raise UnlistedType(said + book.other_way(from_type, to_type, type_id=type_id))


def unlisted_type_message(
    from_type: str,
    to_type: str,
    type_id: int,
    label: str | None = None,
    defs: Iterable[LabelDef] = (),
) -> str:
    """Why a type id the pair's types do not hold is refused, naming the type id of the row's
    label there when it has one (an export of another portal carries its type ids)."""
    said = f"HubSpot has no association type {type_id} from {from_type} to {to_type}"
    same = named(label, defs) if label else []
    if len(same) == 1:
        return (
            f'{said}; the label "{same[0].label}" is type id {same[0].type_id} here: clear the '
            "type id and category cells to send it by its label."
        )
    return f"{said}; use a label, or a type id HubSpot lists for this pair."


def resolve(
    book: LabelBook, row: Mapping[Any, Any], *, unlabeled_default: bool, listed_only: bool = False
) -> LabelDef | None:
    """The association type a row asks for (by type id, label, or none); None means HubSpot's
    default (unlabeled) one, when ``unlabeled_default``.  UnknownLabel when the label does not
    exist; HubframeError when the labels cannot be read.  ``listed_only``: a type id the pair's
    types (read) do not hold is UnlistedType, not for HubSpot to judge."""
    f, t = str(row["from_type"]), str(row["to_type"])
    type_id, label = whole(row.get("type_id")), text(row.get("label"))
    given = text(row.get("category"))
    _check_associable(book, f, t)
    if type_id is not None:
        if label is not None:
            _check_agree(book, f, t, label, type_id)
        if listed_only:
            _check_listed(book, f, t, type_id, label)
        category = str(canonical_category(given) or category_for(book, f, t, type_id)).upper()
        if given is not None:
            _check_category(given, _listed(book, f, t, type_id))
        return LabelDef(category, type_id, label)
    if label is not None:
        return _check_category(given, _by_label(book, f, t, label, given))
    if given is not None:  # a category alone names the unlabeled type, or the row is refused
        unlabeled_of(book, f, t, given)
    if unlabeled_default:
        return None
    unlabeled = book.unlabeled(f, t)
    if unlabeled is None:
        raise UnknownLabel(
            f"HubSpot lists no unlabeled association type from {f} to {t}; give a label or type id."
        )
    return unlabeled


def _check_associable(book: LabelBook, from_type: str, to_type: str) -> None:
    """NoAssociationType when the pair's labels list is empty (HubSpot refuses every row of
    it, and a dry run planned them).  A pair whose unlabeled type HubSpot defines is not read
    for it; one whose list cannot be read is left to the rest of the row's checks (or, for an
    unlabeled row, to HubSpot), unless HubSpot has no such object type (raised: the row's
    object type cell is at fault) or the error stops the run."""
    if (from_type, to_type) in DEFINED_DEFAULTS:
        return
    try:
        defs = book.labels(from_type, to_type)
    except HubframeError as exc:
        if exc.stops_run or unknown_object_type(exc, from_type, to_type) is not None:
            raise
        return
    if not defs:
        raise NoAssociationType(no_association_message(from_type, to_type))


def unlabeled_of(book: LabelBook, from_type: str, to_type: str, given: str) -> LabelDef | None:
    """The unlabeled type a row with a category cell and no label or type id is sent as (None:
    the pair lists none, HubSpot judges the row); LabelTypeMismatch when the cell names
    another category (the row would be sent as a type of another category than it says).
    The labels are read (HubframeError when they cannot be)."""
    unlabeled = book.unlabeled(from_type, to_type)
    if unlabeled is None or canonical_category(given) == unlabeled.category:
        return unlabeled
    raise LabelTypeMismatch(
        category_alone_message(from_type, to_type, given, unlabeled.type_id, unlabeled.category)
    )


def _by_label(
    book: LabelBook, from_type: str, to_type: str, label: str, category: str | None
) -> LabelDef:
    """The type ``label`` names; of several alike (a user label "Primary" beside HubSpot's),
    the one of the row's category when it names one only."""
    try:
        return book.resolve(from_type, to_type, label)
    except UnlabeledClash:
        raise
    except AmbiguousLabel:
        wanted = canonical_category(category) if category else None
        alike = [d for d in named(label, book.labels(from_type, to_type)) if d.category == wanted]
        if len(alike) == 1:
            return alike[0]
        raise


def _listed(book: LabelBook, from_type: str, to_type: str, type_id: int) -> LabelDef | None:
    """The type HubSpot lists for the pair under ``type_id`` (None: not listed, or the labels
    cannot be read: for HubSpot to judge)."""
    defs = _readable(book, from_type, to_type)
    return next((d for d in defs or () if d.type_id == type_id), None)


def _check_category(given: str | None, found: LabelDef | None) -> LabelDef | None:
    """``found``; LabelTypeMismatch when the row's category cell names another category than
    the type its label or type id names (the cell would be ignored, or sent and refused)."""
    if given is None or found is None or canonical_category(given) == found.category:
        return found
    what = f'label "{found.label}"' if found.label else "the unlabeled type"
    raise LabelTypeMismatch(
        f'The category "{given}" does not match {what} (type id {found.type_id}), which is '
        f"{found.category}; correct the category or clear it."
    )


def _check_agree(book: LabelBook, from_type: str, to_type: str, label: str, type_id: int) -> None:
    """LabelTypeMismatch when HubSpot lists ``type_id`` for the pair under another label (a
    type id HubSpot does not list, or labels that cannot be read, are for HubSpot to judge)."""
    defs = _readable(book, from_type, to_type)
    if defs is None:
        return
    known = next((d for d in defs if d.type_id == type_id), None)
    problem = disagreement(label, type_id, known, defs=defs)
    if problem is not None:
        raise LabelTypeMismatch(problem)


def disagreement(
    label: str | None,
    type_id: int,
    known: LabelDef | None,
    *,
    check_empty: bool = False,
    defs: Iterable[LabelDef] = (),
    advice: str = "; when you change a label, clear the type id and category too.",
) -> str | None:
    """Why a row's label and type id disagree, in words (None when they agree or it cannot be
    told).  An empty label disagrees with a labeled type only when ``check_empty``; a label
    that names the type only case and spacing apart disagrees when ``defs`` (the pair's types)
    hold another spelled exactly as it ("champion" with the type id of "Champion").  ``advice``
    ends the words (what to do, for a sheet's row)."""
    if known is None:
        return None
    if label is None:
        if not check_empty or known.label is None:
            return None
        return (
            f'The label cell is empty but type id {type_id} is "{known.label}"; to remove '
            "the label, clear the type id and category too (or delete the row)."
        )
    if known.label is None and normalize_label(label) in UNLABELED_NAMES:
        return None
    if known.label is not None and normalize_label(label) == normalize_label(known.label):
        spelled = named(label, defs)
        if not spelled or known in spelled:
            return None
        return (
            f'The label "{label}" is spelled exactly as "{spelled[0].label}" (type id '
            f'{spelled[0].type_id}), not as type id {type_id}\'s "{known.label}"{advice}'
        )
    called = f'"{known.label}"' if known.label else "the unlabeled type"
    return f'The label "{label}" and type id {type_id} ({called}) disagree{advice}'
