"""Pre-flight: read the portal before sending and predict what HubSpot will refuse.

For the rows of a sheet (as :class:`~hubframe.run.work.WorkItem` s, labels resolved),
:func:`read_state` reads the limit configuration of each object pair and, with batch read (1,000
records a call, concurrent under the client's rate limiter: :mod:`hubframe.run.reads`), the
current associations of every source record.  :func:`predict` then walks
the rows in input order and says, per row:

* whether the association type it asks for exists already (``ALREADY_ASSOCIATED``), and
  whether the two records were linked at all (the facts undo needs: ``existed_before``,
  ``linked_before``);
* whether it would exceed a configured limit (``LIMIT_EXCEEDED``), counting what the source
  record has now plus what earlier rows of the sheet add.  A row adds its type and, when the
  two records are not yet linked, the pair's unlabeled type (HubSpot always keeps that one
  beside a label), so both a label's limit and the object pair's limit are checked.  The
  prediction is ``certain`` when the record is at the limit already; one that counts earlier
  rows of the sheet is not (an earlier row may fail -- its target record missing, say -- and
  take no place), so such a row is sent and HubSpot decides.

Limits are checked on the source (from) side, the side the sheet's limit rows configure.  A
limit configured on the reverse direction (HubSpot checks the inverse type for the target
record too) is not predicted: HubSpot still enforces it at send time and the row then fails
with ``LIMIT_EXCEEDED`` as usual.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from hubframe.errors import ErrorCode, HubframeError, HubframeWarning
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.reads import read_links, types_of
from hubframe.run.work import WorkItem
from hubframe.vocab import ObjectPair, RecordPair, object_noun


@dataclass(frozen=True)
class LimitRule:
    """A configured limit: at most ``maximum`` target records per source record for a type."""

    category: str
    type_id: int
    maximum: int
    label: str | None


@dataclass
class PortalState:
    """What the portal holds for the sheet's object pairs (see module docstring)."""

    #: (from type, to type) -> from id -> to id -> type ids between the two records
    links: dict[ObjectPair, dict[str, dict[str, frozenset[int]]]] = field(default_factory=dict)
    #: (from type, to type) -> type id -> its configured limit
    limits: dict[ObjectPair, dict[int, LimitRule]] = field(default_factory=dict)
    #: object pairs whose reads failed (their rows get no prediction)
    failed: dict[ObjectPair, HubframeError] = field(default_factory=dict)
    #: object pairs whose limits could not be read (their rows are not checked against them)
    unread_limits: dict[ObjectPair, HubframeError] = field(default_factory=dict)

    def types(self, pair: ObjectPair, link: RecordPair) -> frozenset[int] | None:
        """Type ids between two records now; None when the read of the pair failed."""
        if pair in self.failed:
            return None
        return self.links.get(pair, {}).get(link[0], {}).get(link[1], frozenset())

    def linked(self, pair: ObjectPair, from_id: str) -> dict[str, frozenset[int]]:
        return self.links.get(pair, {}).get(from_id, {})


@dataclass(frozen=True)
class Check:
    """One row's pre-flight finding."""

    existed_before: bool | None  # the type the row asks for was there (None: not known)
    linked_before: bool | None  # the two records were associated, with any type
    code: ErrorCode | None = None  # ALREADY_ASSOCIATED or LIMIT_EXCEEDED (predicted)
    message: str | None = None
    #: LIMIT_EXCEEDED: the record is at the limit now; False: only with earlier rows of the
    #: sheet, which may fail (the row is sent, HubSpot decides)
    certain: bool = True


def _read_limits(client: HubSpotClient, pair: ObjectPair) -> dict[int, LimitRule]:
    rules: dict[int, LimitRule] = {}
    for raw in client.get_limits(*pair):
        maximum = raw.get("userEnforcedMaxToObjectIds", raw.get("maxToObjectIds"))
        if maximum is None or raw.get("typeId") is None:
            continue
        type_id = int(raw["typeId"])
        label = raw.get("label")
        rules[type_id] = LimitRule(
            str(raw.get("category")), type_id, int(maximum), str(label) if label else None
        )
    return rules


def limit_rules(client: HubSpotClient, pair: ObjectPair) -> dict[int, LimitRule]:
    """The limits configured for an object pair, by type id (one GET)."""
    return _read_limits(client, pair)


class LimitsUnread(HubframeWarning):
    """The limits of an object pair could not be read: its rows are not checked against them
    (no ``LIMIT_EXCEEDED`` predicted), while HubSpot still enforces them."""


def unread_limits_note(pair: ObjectPair, exc: HubframeError) -> str:
    """What a row of a pair whose limits could not be read says (a dry run's note)."""
    return (
        f"not checked against the association limits of {pair[0]} -> {pair[1]}: they could "
        f"not be read ({exc}); HubSpot still enforces them when it is sent"
    )


def read_pair_limits(
    client: HubSpotClient, pair: ObjectPair, state: PortalState, *, warn: bool = True
) -> None:
    """``state.limits[pair]``; when the read fails, ``state.unread_limits[pair]`` and (``warn``)
    a :class:`LimitsUnread` warning: the pair's rows are checked for what they hold without
    its limits.  An error that stops every run is raised."""
    try:
        state.limits[pair] = _read_limits(client, pair)
    except HubframeError as exc:
        if exc.stops_run:
            raise
        state.unread_limits[pair] = exc
        if warn:
            warn_unread_limits(pair, exc)


def warn_unread_limits(pair: ObjectPair, exc: HubframeError) -> None:
    warnings.warn(
        LimitsUnread(
            f"the association limits of {pair[0]} -> {pair[1]} could not be read ({exc}): "
            "its rows are not checked against them (no LIMIT_EXCEEDED predicted); HubSpot "
            "still enforces them when the rows are sent"
        ),
        stacklevel=3,
    )


def read_state(
    client: HubSpotClient,
    sources: Mapping[ObjectPair, Iterable[str]],
    *,
    limits: bool = True,
) -> PortalState:
    """Read the current associations of the source records (and, with ``limits``, the limit
    configuration) of each object pair.  A failed read of associations is kept in ``failed``,
    of limits in ``unread_limits`` (:func:`read_pair_limits`); an error that stops every run
    (bad token, daily limit) is raised."""
    state = PortalState()
    for pair, ids in sources.items():
        if limits:
            read_pair_limits(client, pair, state, warn=False)
        try:
            found = read_links(client, pair[0], pair[1], ids)  # concurrent, rate limited
        except HubframeError as exc:
            if exc.stops_run:
                raise
            state.failed[pair] = exc  # its rows get no prediction at all: said on them
            state.unread_limits.pop(pair, None)
            continue
        state.links[pair] = {f: types_of(entries) for f, entries in found.items()}
        if pair in state.unread_limits:
            warn_unread_limits(pair, state.unread_limits[pair])
    return state


def sources_of(items: Iterable[WorkItem]) -> dict[ObjectPair, list[str]]:
    """The distinct source record ids of each object pair, in input order."""
    out: dict[ObjectPair, dict[str, None]] = {}
    for item in items:
        out.setdefault(item.objects, {})[str(item.from_id)] = None
    return {pair: list(ids) for pair, ids in out.items()}


# --- predicting -------------------------------------------------------------------------------


def _requested(item: WorkItem, unlabeled: int | None) -> int | None:
    return item.type_id if item.type_id is not None else unlabeled


def _what(item: WorkItem) -> str:
    if item.type_id is None:
        return ""
    if item.label:
        return f' as "{item.label}"'
    return f" with association type {item.category} {item.type_id}"


def already_message(item: WorkItem) -> str:
    """'Deal 1 and contact 2 are already associated as "Decision maker"'."""
    return (
        f"{object_noun(item.from_type).capitalize()} {item.from_id} and "
        f"{object_noun(item.to_type)} {item.to_id} are already associated{_what(item)}"
    )


def limit_message(item: WorkItem, rule: LimitRule, count: int, added: int = 0) -> str:
    """'predicted: deal 1 already has 2 of at most 2 'Decision maker' contacts'; ``added``:
    how many of them earlier rows of the sheet add."""
    what = f"'{rule.label}' {item.to_type}" if rule.label else item.to_type
    record = f"{object_noun(item.from_type)} {item.from_id}"
    if not added:
        return f"predicted: {record} already has {count} of at most {rule.maximum} {what}"
    return (
        f"predicted: {record} has {count - added} of at most {rule.maximum} {what} and earlier "
        f"rows of the sheet add {added}"
    )


class _Counter:
    """Associations per (source record, type id): the portal's now, plus the sheet's so far."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.counts: dict[tuple[ObjectPair, str, int], int] = {}
        self.held: dict[tuple[ObjectPair, str, int], int] = {}  # the portal's part of counts
        self.seen: set[tuple[ObjectPair, str]] = set()
        self.added: dict[tuple[ObjectPair, RecordPair], frozenset[int]] = {}
        #: the types of a pair that only rows predicted refused (uncertain ones) added
        self.maybe: dict[tuple[ObjectPair, RecordPair], frozenset[int]] = {}

    def _load(self, pair: ObjectPair, from_id: str) -> None:
        if (pair, from_id) in self.seen:
            return
        self.seen.add((pair, from_id))
        for types in self.state.linked(pair, from_id).values():
            for t in types:
                key = (pair, from_id, t)
                self.counts[key] = self.counts.get(key, 0) + 1
                self.held[key] = self.held.get(key, 0) + 1

    def now(self, pair: ObjectPair, link: RecordPair) -> frozenset[int]:
        current = self.state.types(pair, link) or frozenset()
        return current | self.added.get((pair, link), frozenset())

    def count(self, pair: ObjectPair, from_id: str, type_id: int) -> tuple[int, int]:
        """How many the record has of a type: in all, and of those in the portal now."""
        self._load(pair, from_id)
        key = (pair, from_id, type_id)
        return self.counts.get(key, 0), self.held.get(key, 0)

    def relied(self, pair: ObjectPair, link: RecordPair) -> frozenset[int]:
        """The types the pair holds only if a row predicted refused is applied."""
        return self.maybe.get((pair, link), frozenset())

    def add(self, pair: ObjectPair, link: RecordPair, types: frozenset[int]) -> None:
        self._load(pair, link[0])
        for t in types:
            key = (pair, link[0], t)
            self.counts[key] = self.counts.get(key, 0) + 1
        self.added[(pair, link)] = self.added.get((pair, link), frozenset()) | types

    def mark(
        self, pair: ObjectPair, link: RecordPair, types: frozenset[int], *, sure: bool
    ) -> None:
        """The pair holds ``types`` for sure (a row predicted to fit asks for them), or only if
        a row predicted refused is applied."""
        maybe = self.relied(pair, link)
        self.maybe[(pair, link)] = maybe - types if sure else maybe | types


def predict(
    items: Sequence[WorkItem],
    state: PortalState,
    *,
    unlabeled: Mapping[ObjectPair, int | None],
    before: Callable[[WorkItem], frozenset[int] | None] | None = None,
) -> dict[int, Check]:
    """One :class:`Check` per item (by position), walking the items in input order.

    ``unlabeled`` gives each object pair's unlabeled type id.  ``before(item)`` gives the type
    ids the pair carried before the run (default: what the portal holds now); a resumed run
    passes what its journal remembers from the first run.  A row is ``ALREADY_ASSOCIATED``
    only when the portal holds its type now too: one removed since the first run (outside the
    journal) is sent again, not skipped as there.
    """
    counter = _Counter(state)
    checks: dict[int, Check] = {}
    for item in sorted(items, key=lambda i: i.position):
        pair, link = item.objects, item.records
        default = unlabeled.get(pair)
        earlier = before(item) if before is not None else state.types(pair, link)
        if earlier is None:
            checks[item.position] = Check(None, None)
            continue
        wanted = _requested(item, default)
        existed = _carries(earlier, wanted)
        check = Check(existed, bool(earlier))
        if existed and (before is None or _carries(state.types(pair, link), wanted)):
            check = Check(True, True, ErrorCode.ALREADY_ASSOCIATED, already_message(item))
        else:
            check = _limit_check(item, check, counter, state, wanted, default)
        unread = state.unread_limits.get(pair)
        if unread is not None and check.code is None:
            check = replace(check, message=unread_limits_note(pair, unread))
        checks[item.position] = check
    return checks


def _carries(types: frozenset[int] | None, wanted: int | None) -> bool:
    """Whether a pair's type ids hold the one a row asks for (any type: the row asks for the
    link alone); False when they are not known."""
    if types is None:
        return False
    return wanted in types if wanted is not None else bool(types)


def _limit_check(
    item: WorkItem,
    check: Check,
    counter: _Counter,
    state: PortalState,
    wanted: int | None,
    default: int | None,
) -> Check:
    """Count the row's new types against the limits; add them unless the record is at one
    already (a certain refusal).  A limit reached only with earlier rows of the sheet is an
    uncertain prediction: the row is sent, so it counts."""
    pair, link = item.objects, item.records
    asked = frozenset(t for t in (wanted, default) if t is not None)
    new = asked - counter.now(pair, link)
    rules = state.limits.get(pair, {})
    unsure: Check | None = None
    for type_id in sorted(new, key=lambda t: t != wanted):  # the row's own type first
        rule = rules.get(type_id)
        if rule is None:
            continue
        count, held = counter.count(pair, link[0], type_id)
        if held >= rule.maximum:
            message = limit_message(item, rule, count)
            return replace(check, code=ErrorCode.LIMIT_EXCEEDED, message=message)
        if count >= rule.maximum and unsure is None:
            message = limit_message(item, rule, count, count - held)
            unsure = replace(check, code=ErrorCode.LIMIT_EXCEEDED, message=message, certain=False)
    unsure = unsure or _relying(item, check, counter, rules, asked)
    counter.add(pair, link, new)
    counter.mark(pair, link, asked if unsure is None else new, sure=unsure is None)
    return check if unsure is None else unsure


def _relying(
    item: WorkItem,
    check: Check,
    counter: _Counter,
    rules: Mapping[int, LimitRule],
    asked: frozenset[int],
) -> Check | None:
    """A row whose pair has a type it asks for only through an earlier row predicted refused
    (its label's row past the record's last place, say, then a row of another label of the same
    two records): when that row is refused, this one needs the place itself, and a limit
    counting more than its maximum may refuse it too (an uncertain prediction), else None."""
    pair, link = item.objects, item.records
    for type_id in sorted(asked & counter.relied(pair, link)):
        rule = rules.get(type_id)
        if rule is None:
            continue
        count, held = counter.count(pair, link[0], type_id)
        if count > rule.maximum:
            message = limit_message(item, rule, count - 1, count - 1 - held)
            return replace(check, code=ErrorCode.LIMIT_EXCEEDED, message=message, certain=False)
    return None


__all__ = [
    "Check",
    "LimitRule",
    "LimitsUnread",
    "PortalState",
    "limit_rules",
    "predict",
    "read_pair_limits",
    "read_state",
    "sources_of",
    "unread_limits_note",
    "warn_unread_limits",
]
