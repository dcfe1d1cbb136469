"""Why HubSpot refused a row, when its answer does not say: read the portal and find out.

HubSpot's error bodies may lack every optional key (``subCategory``, ``context``): a whole
batch refused with a bare 400, or an item error without ``subCategory``, names no reason an
analyst could act on.  Before such a row is reported, :func:`diagnose` reads the portal:

* do both records exist (CRM objects batch read)?  -> ``OBJECT_NOT_FOUND``
* does the object pair accept the association type (its labels list)?
  -> ``INVALID_ASSOCIATION_TYPE``
* is a configured limit full, for the source record or (through the inverse type) for the
  target record (limit configurations and the records' associations)?  -> ``LIMIT_EXCEEDED``
* for a limit row: is a label's limit above the pair's object limit, or an object limit below
  a label's?  -> ``LABEL_LIMIT_ABOVE_OBJECT_LIMIT``

The first finding is the row's code, with a message saying what was found.  A row the reads
cannot explain keeps HubSpot's own message and ``HUBSPOT_VALIDATION``; a read that fails
explains nothing (it never turns a refusal into something else).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from hubframe.constants import HUBSPOT_DEFINED
from hubframe.errors import ErrorCode, HubframeError
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.shapes import placed_limits
from hubframe.run.reads import read_records
from hubframe.run.work import Batch, WorkItem
from hubframe.vocab import Action, object_noun, sentence_start

Types = list[dict[str, Any]]  # a labels list


@dataclass(frozen=True)
class Finding:
    """What the portal shows about one refused row.  ``later``: the row is past a limit only
    if the batch's rows before it are applied (they take the last places), which no read can
    tell of rows HubSpot refused: such a row is sent once they are settled."""

    code: ErrorCode
    message: str
    later: bool = False


class _Reads:
    """The portal reads of one diagnosis, each made once."""

    def __init__(self, client: HubSpotClient) -> None:
        self.client = client
        self._labels: dict[tuple[str, str], Types] = {}
        self._limits: dict[tuple[str, str], dict[int, int]] = {}

    def existing(self, object_type: str, ids: Iterable[str]) -> set[str]:
        return {str(r.get("id")) for r in read_records(self.client, object_type, ids)}

    def labels(self, from_type: str, to_type: str) -> Types:
        key = (from_type, to_type)
        if key not in self._labels:
            self._labels[key] = self.client.list_labels(from_type, to_type)
        return self._labels[key]

    def limits(self, from_type: str, to_type: str) -> dict[int, int]:
        """Configured limits of a pair by type id (entries without a value left out)."""
        key = (from_type, to_type)
        if key not in self._limits:
            placed = placed_limits(self.client.get_limits(from_type, to_type))
            self._limits[key] = {type_id: int(value) for (_, type_id), value in placed.items()}
        return self._limits[key]

    def links(
        self, from_type: str, to_type: str, ids: Iterable[str]
    ) -> dict[str, dict[str, set[int]]]:
        """Per record: the type ids it holds with each record of ``to_type``."""
        found = self.client.read_associations(from_type, to_type, ids)
        out: dict[str, dict[str, set[int]]] = {}
        for record, entries in found.items():
            targets = out.setdefault(record, {})
            for entry in entries:
                types = targets.setdefault(str(entry.get("toObjectId")), set())
                types |= {int(s.get("typeId", -1)) for s in entry.get("associationTypes") or []}
        return out


class _Held:
    """Associations per (record, type id): the portal's now, plus (``add``) the batch's rows so
    far that fit (a later row of the same record may be the one too many -- and a later row
    of the same pair adds nothing: a second label of a deal's contact takes no second place of
    the deal's contact limit)."""

    def __init__(self, links: Mapping[str, Mapping[str, set[int]]]) -> None:
        self.links = links
        self.added: dict[tuple[str, str], set[int]] = {}
        self.counts: dict[tuple[str, int], int] = {}

    def has(self, record: str, other: str, type_id: int) -> bool:
        return type_id in self.links.get(record, {}).get(other, set()) or type_id in (
            self.added.get((record, other), set())
        )

    def count(self, record: str, type_id: int) -> int:
        now = sum(1 for types in self.links.get(record, {}).values() if type_id in types)
        return now + self.counts.get((record, type_id), 0)

    def add(self, record: str, other: str, type_ids: Iterable[int]) -> None:
        for type_id in type_ids:
            if not self.has(record, other, type_id):
                self.added.setdefault((record, other), set()).add(type_id)
                self.counts[(record, type_id)] = self.counts.get((record, type_id), 0) + 1


def diagnose(client: HubSpotClient, batch: Batch) -> list[Finding | None]:
    """A finding per row of ``batch`` (rows HubSpot refused without a usable reason).  A limit
    is full by what the portal holds; a row past it only if the batch's rows before it apply
    (they were refused too, or may yet be for a reason no read shows) is a finding marked
    ``later``, for the caller to send once those are settled."""
    reads = _Reads(client)
    try:
        if batch.action.is_limit:
            return [_limit_finding(reads, item) for item in batch.items]
        return _association_findings(reads, batch)
    except HubframeError:
        return [None] * len(batch.items)


# --- association rows ---------------------------------------------------------------------------


def _association_findings(reads: _Reads, batch: Batch) -> list[Finding | None]:
    items = batch.items
    from_found = reads.existing(batch.from_type, (str(i.from_id) for i in items))
    to_found = reads.existing(batch.to_type, (str(i.to_id) for i in items))
    findings: list[Finding | None] = []
    for item in items:
        finding = _missing(item, str(item.from_id) in from_found, str(item.to_id) in to_found)
        findings.append(finding or _type_finding(reads, item))
    if batch.action.creates_association:
        _limit_findings(reads, batch, findings)
    return findings


def _missing(item: WorkItem, has_from: bool, has_to: bool) -> Finding | None:
    sides = ((item.from_type, item.from_id, has_from), (item.to_type, item.to_id, has_to))
    gone = [f"{object_noun(t)} {i}" for t, i, ok in sides if not ok]
    if not gone:
        return None
    verb = "does" if len(gone) == 1 else "do"
    what = " and ".join(gone)
    return Finding(
        ErrorCode.OBJECT_NOT_FOUND,
        f"{what[0].upper()}{what[1:]} {verb} not exist in HubSpot (HubSpot refused the row "
        "without saying why; a read of the portal shows it).",
    )


def _accepts(types: Types, category: str | None, type_id: int) -> bool:
    return any(
        int(t.get("typeId", -1)) == type_id and t.get("category") in (None, category) for t in types
    )


def _type_finding(reads: _Reads, item: WorkItem) -> Finding | None:
    if item.type_id is None:
        return None
    if _accepts(reads.labels(item.from_type, item.to_type), item.category, item.type_id):
        return None
    return Finding(
        ErrorCode.INVALID_ASSOCIATION_TYPE,
        f"HubSpot does not accept association type {item.category} {item.type_id} from "
        f"{item.from_type} to {item.to_type} (its labels list does not have it); check the "
        "label or type id and the from/to order.",
    )


def _unlabeled(types: Types) -> int | None:
    found = [t for t in types if t.get("label") in (None, "")]
    found.sort(key=lambda t: t.get("category") != HUBSPOT_DEFINED)
    return int(found[0]["typeId"]) if found else None


def _inverse(reads: _Reads, item: WorkItem, forward: int) -> int | None:
    """The type id of the same association seen from the target record."""
    ahead = reads.labels(item.from_type, item.to_type)
    behind = reads.labels(item.to_type, item.from_type)
    label = next((t.get("label") for t in ahead if int(t.get("typeId", -1)) == forward), None)
    if label in (None, ""):
        return _unlabeled(behind)
    same = [t for t in behind if t.get("label") == label]
    return int(same[0]["typeId"]) if same else None


def _limit_findings(reads: _Reads, batch: Batch, findings: list[Finding | None]) -> None:
    """Rows that would take a record past a configured limit: the source record's (types the
    pair lacks yet) or the target record's (their inverses), as the portal holds them; else,
    counting the rows before them that fit, ``later``."""
    todo = [n for n, f in enumerate(findings) if f is None]
    if not todo:
        return
    f_type, t_type = batch.from_type, batch.to_type
    forward, backward = reads.limits(f_type, t_type), reads.limits(t_type, f_type)
    if not forward and not backward:
        return
    unlabeled = _unlabeled(reads.labels(f_type, t_type))
    items = [batch.items[n] for n in todo]
    links = reads.links(f_type, t_type, (str(i.from_id) for i in items))
    back = reads.links(t_type, f_type, (str(i.to_id) for i in items))
    portal, in_turn = (_Held(links), _Held(back)), (_Held(links), _Held(back))
    for n, item in zip(todo, items, strict=True):
        finding = _past(reads, item, unlabeled, portal, (forward, backward))
        if finding is None:
            turned = _past(reads, item, unlabeled, in_turn, (forward, backward), add=True)
            finding = None if turned is None else replace(turned, later=True)
        findings[n] = finding


def _past(
    reads: _Reads,
    item: WorkItem,
    unlabeled: int | None,
    held: tuple[_Held, _Held],
    limits: tuple[Mapping[int, int], Mapping[int, int]],
    *,
    add: bool = False,
) -> Finding | None:
    """Why ``item`` would take its source or target record past a limit as ``held`` counts
    them (the types the pair lacks yet, and their inverses); ``add``: a row that fits is
    counted for the rows after it."""
    sources, targets = held
    f_id, t_id = str(item.from_id), str(item.to_id)
    asked = [t for t in (item.type_id, unlabeled) if t is not None]
    new = [t for t in dict.fromkeys(asked) if not sources.has(f_id, t_id, t)]
    inverse = [i for t in new if (i := _inverse(reads, item, t)) is not None]
    f_type, t_type = item.from_type, item.to_type
    finding = _full(item, new, limits[0], sources, "from", _names(reads, f_type, t_type)) or (
        _full(item, inverse, limits[1], targets, "to", _names(reads, t_type, f_type))
    )
    if finding is None and add:
        sources.add(f_id, t_id, new)
        targets.add(t_id, f_id, inverse)
    return finding


def _names(reads: _Reads, from_type: str, to_type: str) -> dict[int, str]:
    """Type id -> its label (the unlabeled type has none)."""
    return {
        int(t["typeId"]): str(t["label"])
        for t in reads.labels(from_type, to_type)
        if t.get("label") not in (None, "") and t.get("typeId") is not None
    }


def _full(
    item: WorkItem,
    type_ids: list[int],
    limits: Mapping[int, int],
    held: _Held,
    side: str,
    names: Mapping[int, str],
) -> Finding | None:
    record_type = item.from_type if side == "from" else item.to_type
    record_id = str(item.from_id if side == "from" else item.to_id)
    other = item.to_type if side == "from" else item.from_type
    for type_id in type_ids:
        maximum, count = limits.get(type_id), held.count(record_id, type_id)
        if maximum is not None and count >= maximum:
            what = f"'{names[type_id]}' {other}" if type_id in names else other
            return Finding(
                ErrorCode.LIMIT_EXCEEDED,
                f"{sentence_start(object_noun(record_type))} {record_id} already has {count} "
                f"{what}, the most its association limit allows ({maximum}).",
            )
    return None


# --- limit rows ---------------------------------------------------------------------------------


def _limit_finding(reads: _Reads, item: WorkItem) -> Finding | None:
    if item.type_id is None:
        return None
    types = reads.labels(item.from_type, item.to_type)
    if not _accepts(types, item.category, item.type_id):
        return Finding(
            ErrorCode.INVALID_ASSOCIATION_TYPE,
            f"{item.category} {item.type_id} is not an association type from {item.from_type} "
            f"to {item.to_type} (its labels list does not have it).",
        )
    value = item.max_to_object_ids
    if item.action is Action.PURGE_LIMIT or value is None:
        return None
    limits, unlabeled = reads.limits(item.from_type, item.to_type), _unlabeled(types)
    if item.type_id != unlabeled and unlabeled in limits and value > limits[unlabeled]:
        what = f'label "{item.label}"' if item.label else f"type {item.type_id}"
        return Finding(
            ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
            f"The limit for {what} ({value}) may not exceed the limit for the whole object pair "
            f"{item.from_type} to {item.to_type} ({limits[unlabeled]}); lower it or raise the "
            "object limit first.",
        )
    labels = [v for t, v in limits.items() if t != unlabeled]
    if item.type_id == unlabeled and labels and value < max(labels):
        return Finding(
            ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
            f"The object pair's limit ({value}) may not be below a label's limit "
            f"({max(labels)}); lower the label limits first.",
        )
    return None


__all__ = ["Finding", "diagnose"]
