"""A sync of rows in both directions learns which label is which one's inverse from the
portal's own record pairs.

ecdfec6 took a label's inverse as known only where no other pairing is possible, since
HubSpot's labels lists never say which type of the other direction is a label's inverse and
names may cross ("Manager" with the inverse "Managed deal", beside "Managed deal" with the
inverse "Manager").  That held a removal the old code made right in the most common portal:
unpaired labels of one name both ways ("Decision maker", "Budget holder"), a pair holding both
and a sheet listing the pair "Budget holder" in both directions left "Decision maker"
``REMOVAL_HELD``, advising to "change the rows of both directions", which were already right.

Now an association is one thing seen from both sides: a pair holding, of a category, exactly
one labeled type read from each side pins the two as each other's inverse
(``hubframe.jobs.sync_inverse.pins``), so with another pair of the scope holding "Decision
maker" alone the removal goes; with none it is still held (under crossed inverses the sheet
would keep both), and the hold says what works: ``remove``, or one direction's rows.  Pins
prove a crossing too ("Manager" alone from the deal shows "Managed deal" from the contact).
A seeded property: no sync removes an association a row names, and with a pin for every
label a sync removes exactly what no row names, read from both sides.
"""

from __future__ import annotations

import random
import warnings

import pandas as pd
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

FORWARD, BACKWARD = ("deals", "contacts"), ("contacts", "deals")
NAMES = ["Decision maker", "Budget holder", "Manager", "Managed deal", "Sponsor", "Buyer"]
Held = set[tuple[str, str, int]]
Row = tuple[str, str, str, str | None]


class Portal:
    """A sandbox's deals and contacts, its user labels by direction and each one's inverse."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.names: dict[tuple[str, str], dict[str, int]] = {FORWARD: {}, BACKWARD: {}}
        self.inverse: dict[int, int] = {sb.type_id(*FORWARD): sb.type_id(*BACKWARD)}
        self.inverse[sb.type_id(*BACKWARD)] = sb.type_id(*FORWARD)

    def add(self, label: str, inverse: str | None = None) -> int:
        """A label deals -> contacts (paired with ``inverse``, else unpaired)."""
        forward = self.sb.add_label(*FORWARD, label, inverse)
        backward = self.sb.type_id(*BACKWARD, inverse or label)
        self.names[FORWARD][label] = forward
        self.names[BACKWARD][inverse or label] = backward
        self.inverse.update({forward: backward, backward: forward})
        return forward

    def free(self, label: str, inverse: str) -> bool:
        """Whether ``label`` (deals -> contacts) and ``inverse`` (the other way) are free."""
        return label not in self.names[FORWARD] and inverse not in self.names[BACKWARD]

    def hold(self, deal: str, contact: str, *types: int) -> None:
        """The pair linked, with ``types`` (deals -> contacts)."""
        self.sb.associate("deals", deal, "contacts", contact)
        for type_id in types:
            self.sb.associate("deals", deal, "contacts", contact, type_id)

    def held(self, ends: tuple[str, str]) -> Held:
        """What the portal holds, read from ``ends``' side."""
        table = self.sb.associations(*ends)
        ids = table["type_id"].astype(int)
        return set(zip(table["from_id"], table["to_id"], ids, strict=True))

    def named(self, rows: list[Row]) -> Held:
        """What ``rows`` name, as the portal holds it from the deals side."""
        out: Held = set()
        for from_type, f, t, name in rows:
            ends = FORWARD if from_type == "deals" else BACKWARD
            deal, contact = (f, t) if ends == FORWARD else (t, f)
            out.add((deal, contact, self.sb.type_id(*FORWARD)))
            if name is not None:
                type_id = self.names[ends][name]
                out.add((deal, contact, type_id if ends == FORWARD else self.inverse[type_id]))
        return out

    def seen_back(self, forward: Held) -> Held:
        """``forward`` as the contacts side reads it."""
        return {(c, d, self.inverse[k]) for d, c, k in forward}


def _sandbox(deals: int = 4, contacts: int = 4) -> Sandbox:
    sb = Sandbox(seed=None)
    sb.add_records("deals", [101 + i for i in range(deals)])
    sb.add_records("contacts", [201 + i for i in range(contacts)])
    return sb


def _sync(sb: Sandbox, rows: list[Row]) -> pd.DataFrame:
    sheet = pd.DataFrame(rows, columns=["from_type", "from_id", "to_id", "label"])
    sheet.insert(2, "to_type", sheet["from_type"].map({"deals": "contacts", "contacts": "deals"}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hf.sync(
            hf.read_pairs(sheet),
            client_for(sb),
            allow_removals=True,
            max_removals=1000,
            progress=False,
        )


def _both(deal: str, contact: str, forward: str, backward: str) -> list[Row]:
    """The rows of a pair in both directions."""
    return [("deals", deal, contact, forward), ("contacts", contact, deal, backward)]


def _removals(result: pd.DataFrame) -> pd.DataFrame:
    return result.loc[result["change"] == "remove"]


def test_the_dropped_label_goes_where_a_pair_pins_it() -> None:
    """The reviewer's portal, and another pair of the scope holding "Decision maker" alone
    (both sides): its inverse is known, so dropping it from both directions' rows removes it,
    read from both sides; "Budget holder" and the pinning pair stay."""
    with _sandbox() as sb:
        portal = Portal(sb)
        decision, budget = portal.add("Decision maker"), portal.add("Budget holder")
        portal.hold("101", "201", decision, budget)
        portal.hold("102", "202", decision)
        rows = _both("101", "201", "Budget holder", "Budget holder")
        rows += _both("102", "202", "Decision maker", "Decision maker")
        result = _sync(sb, rows)
        forward, backward = portal.held(FORWARD), portal.held(BACKWARD)
    assert ("101", "201", decision) not in forward, result
    assert forward == portal.named(rows) and backward == portal.seen_back(forward)
    assert set(_removals(result)["status"]) == {"success"}, result


def test_without_a_pin_the_removal_is_held_saying_what_works() -> None:
    """No pair pins "Decision maker": under crossed inverses the sheet would keep both, so the
    removal is held, and its message says to use remove or one direction's rows."""
    with _sandbox() as sb:
        portal = Portal(sb)
        decision, budget = portal.add("Decision maker"), portal.add("Budget holder")
        portal.hold("101", "201", decision, budget)
        before = portal.held(FORWARD)
        result = _sync(sb, _both("101", "201", "Budget holder", "Budget holder"))
        assert portal.held(FORWARD) == before
    removals = _removals(result)
    assert set(removals["error_code"]) == {"REMOVAL_HELD"}, result
    for message in removals["error_message"].astype(str):
        assert "may be this one's inverse" in message
        assert "hubframe remove" in message and "hf.remove_associations" in message
        assert "one direction only" in message and "change the rows" not in message


def test_pins_prove_a_crossing_and_the_sheet_is_kept() -> None:
    """Crossing names, a pair holding "Manager" alone (the contact's side shows "Managed
    deal"): the pins prove the crossing, so a sheet naming "Manager" both ways keeps both labels
    (a certain hold), and one naming "Manager" / "Managed deal" (one association) removes the
    other label, seen from both sides."""
    for back_name in ("Manager", "Managed deal"):
        with _sandbox() as sb:
            portal = Portal(sb)
            manager = portal.add("Manager", "Managed deal")
            managed = portal.add("Managed deal", "Manager")
            portal.hold("101", "201", manager, managed)
            portal.hold("102", "202", manager)
            rows = _both("101", "201", "Manager", back_name)
            rows += _both("102", "202", "Manager", "Managed deal")
            result = _sync(sb, rows)
            forward, backward = portal.held(FORWARD), portal.held(BACKWARD)
        assert forward == portal.named(rows), (back_name, result)
        assert backward == portal.seen_back(forward)
        removals = _removals(result)
        if back_name == "Manager":
            assert set(removals["error_code"]) == {"REMOVAL_HELD"}, result
            assert not removals["error_message"].str.contains("may be this one's").any()
        else:
            assert set(removals["status"]) == {"success"} and len(removals) == 2, result


def _labels(portal: Portal, rng: random.Random) -> None:
    """2-3 labels a direction: unpaired (one name both ways), renamed, or a crossing pair."""
    target = rng.randint(2, 3)
    while len(portal.names[FORWARD]) < target:
        a, b = rng.sample(NAMES, 2)
        kind = rng.choice(["same", "renamed", "crossed"])
        if kind == "same" and portal.free(a, a):
            portal.add(a)
        elif kind == "renamed" and portal.free(a, b):
            portal.add(a, b)
        elif kind == "crossed" and _crossing_fits(portal, a, b, target):
            portal.add(a, b)
            portal.add(b, a)


def _crossing_fits(portal: Portal, a: str, b: str, target: int) -> bool:
    """Whether two labels whose names cross (``a`` / ``b``) are free and fit in ``target``."""
    room = target - len(portal.names[FORWARD]) >= 2
    return room and portal.free(a, b) and portal.free(b, a)


def _pinning(portal: Portal, rng: random.Random) -> list[Row]:
    """Maybe a pinning pair for every label (deal 103+i, contact 203+i, holding it alone),
    listed both ways as it is."""
    rows: list[Row] = []
    if rng.random() < 0.3:
        return rows
    for i, (name, type_id) in enumerate(sorted(portal.names[FORWARD].items())):
        deal, contact = str(103 + i), str(203 + i)
        portal.hold(deal, contact, type_id)
        back = {v: k for k, v in portal.names[BACKWARD].items()}[portal.inverse[type_id]]
        rows += _both(deal, contact, name, back)
    return rows


def _drawn(portal: Portal, rng: random.Random) -> list[Row]:
    """Holdings of deals 101-102 with contacts 201-202 drawn, and rows of both directions."""
    rows: list[Row] = []
    for deal in ("101", "102"):
        for contact in ("201", "202"):
            if rng.random() < 0.8:
                types = [t for t in portal.names[FORWARD].values() if rng.random() < 0.7]
                portal.hold(deal, contact, *types)
            for ends, f, t in ((FORWARD, deal, contact), (BACKWARD, contact, deal)):
                draw = rng.random()
                if draw < 0.1:
                    rows.append((ends[0], f, t, None))
                if draw < 0.25:
                    continue
                names = sorted(portal.names[ends])
                rows += [(ends[0], f, t, n) for n in rng.sample(names, rng.randint(1, len(names)))]
    return rows or [("deals", "101", "201", None)]


def _expected(portal: Portal, before: Held, rows: list[Row]) -> Held:
    """What a sync removing exactly what no row names leaves: of the pairs in scope (a deal
    of a deals row, a contact of a contacts row), what the rows name; the rest as it was."""
    scope = {(from_type, f) for from_type, f, _, _ in rows}
    named = portal.named(rows)
    kept = {(d, c, k) for d, c, k in before if not {("deals", d), ("contacts", c)} & scope}
    return kept | named


def test_rows_are_kept_and_with_pins_exactly_the_unnamed_removed_property() -> None:
    """Seeded: portals of 2-3 labels a direction (unpaired, renamed, crossing), holdings and
    sheets of both directions, with or without a pinning pair for every label: every
    association a row names is there after, read from both sides; with pins the portal holds
    exactly what the rows name (and what is out of scope)."""
    for seed in seeds(40):
        rng = random.Random(seed)
        with _sandbox(6, 6) as sb:
            portal = Portal(sb)
            _labels(portal, rng)
            pinned = _pinning(portal, rng)
            rows = _drawn(portal, rng) + pinned
            before = portal.held(FORWARD)
            result = _sync(sb, rows)
            forward, backward = portal.held(FORWARD), portal.held(BACKWARD)
        context = (seed, rows, result[["change", "label", "status", "error_message"]])
        assert portal.named(rows) <= forward, context
        assert backward == portal.seen_back(forward), context
        if pinned:
            assert forward == _expected(portal, before, rows), context
