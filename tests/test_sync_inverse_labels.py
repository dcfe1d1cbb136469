"""A sync with removals never removes a label the sheet's rows of the other direction name
under its inverse's name.

HubSpot's labels lists never say which type of the other direction is a label's inverse, and a
paired label's inverse may have another name, even another label's ("Manager" with the inverse
"Managed deal", beside "Managed deal" with the inverse "Manager").  Before, a sync matched a
label with the other direction's label of the same name: with crossing names that is the wrong
type, so a sheet listing deal 102 -> contact 202 "Manager" and contact 202 -> deal 102
"Manager" (exactly what the portal held) said both rows "Kept: already in the portal as the
sheet says" and then removed both labels, the pair left unlabeled (h43).

Now an inverse is known only where no other pairing is possible (the HubSpot-defined pairs
hubframe knows, a category with one label each way: ``hubframe.jobs.sync_inverse``); any other
label's removal is held (``REMOVAL_HELD``, "may be this one's inverse") while the other
direction's rows list the pair with a label that may be its inverse -- one of its category
that the pair holds from that side -- or list the pair and remove nothing of it.  Relabeling
the rows of both directions still removes the old label; a renamed inverse, one direction
alone are as before.  Of an object type with itself (companies with companies) the old rule
held a label's removal only while the other end removed nothing of the pair, so an end that
dropped another label let the removal of one it still named through; now the same holds.
Seeded properties over portals of 1-4 labels a direction (crossing, renamed, unpaired of one
name; of companies with companies, paired or unpaired), holdings and sheets of both
directions check no association a row names is removed, read from both sides.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field

import pandas as pd
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS, CONTACTS = ["101", "102"], ["201", "202"]
NAMES = ["Manager", "Managed deal", "Managed by", "Sponsor", "Buyer", "Owner", "Champion"]
FORWARD, BACKWARD = ("deals", "contacts"), ("contacts", "deals")
UNLABELED = {FORWARD: 3, BACKWARD: 4}
Held = set[tuple[str, str, int]]


@dataclass
class Labels:
    """The portal's user labels: their names by direction, and each type's inverse."""

    names: dict[tuple[str, str], dict[str, int]] = field(
        default_factory=lambda: {FORWARD: {}, BACKWARD: {}}
    )
    inverse: dict[int, int] = field(default_factory=dict)

    def add(self, sb: Sandbox, label: str, inverse: str | None = None) -> int:
        forward = sb.add_label("deals", "contacts", label, inverse)
        backward = sb.type_id("contacts", "deals", inverse or label)
        self.names[FORWARD][label] = forward
        self.names[BACKWARD][inverse or label] = backward
        self.inverse.update({forward: backward, backward: forward})
        return forward

    def free(self, label: str, inverse: str) -> bool:
        return label not in self.names[FORWARD] and inverse not in self.names[BACKWARD]


def _sandbox() -> Sandbox:
    sb = Sandbox(seed=None)
    sb.add_records("deals", [int(i) for i in DEALS])
    sb.add_records("contacts", [int(i) for i in CONTACTS])
    return sb


def _held(sb: Sandbox, ends: tuple[str, str]) -> Held:
    table = sb.associations(*ends)
    return set(zip(table["from_id"], table["to_id"], table["type_id"].astype(int), strict=True))


def _sync(sb: Sandbox, rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
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


def test_crossing_inverse_names_listed_both_ways_are_kept() -> None:
    """The repro: each direction names the pair's one label "Manager" -- two types, each the
    other's "Managed deal" -- and nothing is removed; the "Kept" rows are true after."""
    with _sandbox() as sb:
        labels = Labels()
        manager = labels.add(sb, "Manager", "Managed deal")
        managed = labels.add(sb, "Managed deal", "Manager")
        for type_id in (manager, managed):
            sb.associate("deals", 102, "contacts", 202, type_id)
        before = _held(sb, FORWARD), _held(sb, BACKWARD)
        result = _sync(
            sb, [("deals", "102", "202", "Manager"), ("contacts", "202", "102", "Manager")]
        )
        assert (_held(sb, FORWARD), _held(sb, BACKWARD)) == before
    removals = result.loc[result["change"] == "remove"]
    assert len(removals) == 2 and set(removals["error_code"]) == {"REMOVAL_HELD"}, result
    assert all("may be this one's inverse" in str(m) for m in removals["error_message"])
    kept = result.loc[result["error_code"] == "ALREADY_ASSOCIATED"]
    assert len(kept) == 2


def test_relabeling_both_directions_removes_the_old_label() -> None:
    """Crossing names, the pair holding one of the two: both directions' rows name the other
    (by that direction's name), and the old one goes, the new one comes, seen both ways."""
    with _sandbox() as sb:
        labels = Labels()
        manager = labels.add(sb, "Manager", "Managed deal")
        managed = labels.add(sb, "Managed deal", "Manager")
        sb.associate("deals", 102, "contacts", 202, manager)
        result = _sync(
            sb, [("deals", "102", "202", "Managed deal"), ("contacts", "202", "102", "Manager")]
        )
        assert _held(sb, FORWARD) == {("102", "202", 3), ("102", "202", managed)}
        assert _held(sb, BACKWARD) == {("202", "102", 4), ("202", "102", labels.inverse[managed])}
    assert set(result.loc[result["change"] == "remove", "status"]) == {"success"}, result


def test_a_renamed_inverse_is_held_and_removed_when_both_drop_it() -> None:
    """One label each way ("Manager" / "Managed by"): its inverse is known though the names
    differ; the other side's row naming it holds the removal, both sides dropping it remove
    it."""
    for both in (False, True):
        with _sandbox() as sb:
            labels = Labels()
            manager = labels.add(sb, "Manager", "Managed by")
            sb.associate("deals", 101, "contacts", 201, manager)
            other = None if both else "Managed by"
            result = _sync(sb, [("deals", "101", "201", None), ("contacts", "201", "101", other)])
            held = ("101", "201", manager) in _held(sb, FORWARD)
            assert held == (not both)
            assert (("201", "101", labels.inverse[manager]) in _held(sb, BACKWARD)) == held
        removal = result.loc[result["change"] == "remove"]
        assert set(removal["status"]) == ({"success"} if both else {"skipped"}), result
        if not both:
            assert "keeps its label there" in str(removal["error_message"].iloc[0])


def _labels(sb: Sandbox, rng: random.Random) -> Labels:
    """1-4 labels a direction: unpaired (one name both ways), renamed, or a crossing pair."""
    labels = Labels()
    target = rng.randint(1, 4)
    while len(labels.names[FORWARD]) < target:
        a, b = rng.sample(NAMES, 2)
        kind = rng.choice(["same", "renamed", "crossed"])
        if kind == "same" and labels.free(a, a):
            labels.add(sb, a)
        elif kind == "renamed" and labels.free(a, b):
            labels.add(sb, a, b)
        elif kind == "crossed" and len(labels.names[FORWARD]) <= 2 and _crossing_free(labels, a, b):
            labels.add(sb, a, b)
            labels.add(sb, b, a)
    return labels


def _crossing_free(labels: Labels, a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are free both ways, for two labels whose names cross."""
    return labels.free(a, b) and labels.free(b, a)


def _hold(sb: Sandbox, labels: Labels, rng: random.Random) -> None:
    """Each record pair: nothing, the link alone, or the link with some labels."""
    types = sorted(labels.names[FORWARD].values())
    for deal in DEALS:
        for contact in CONTACTS:
            if rng.random() < 0.2:
                continue
            sb.associate("deals", deal, "contacts", contact)
            for type_id in types:
                if rng.random() < 0.5:
                    sb.associate("deals", deal, "contacts", contact, type_id)


def _rows(labels: Labels, rng: random.Random) -> list[tuple[str, str, str, str | None]]:
    """Each record pair, each direction: no row, an unlabeled row, or rows of some labels."""
    rows: list[tuple[str, str, str, str | None]] = []
    for deal in DEALS:
        for contact in CONTACTS:
            for ends, f, t in ((FORWARD, deal, contact), (BACKWARD, contact, deal)):
                draw = rng.random()
                names = sorted(labels.names[ends])
                if draw < 0.3:
                    continue
                if draw < 0.5:
                    rows.append((ends[0], f, t, None))
                    continue
                chosen = rng.sample(names, rng.randint(1, len(names)))
                rows += [(ends[0], f, t, name) for name in chosen]
    return rows or [("deals", DEALS[0], CONTACTS[0], None)]


def _named(labels: Labels, rows: list[tuple[str, str, str, str | None]]) -> Held:
    """What the rows name, as the portal holds it from the deals side."""
    out: Held = set()
    for from_type, f, t, name in rows:
        ends = FORWARD if from_type == "deals" else BACKWARD
        deal, contact = (f, t) if ends == FORWARD else (t, f)
        out.add((deal, contact, UNLABELED[FORWARD]))
        if name is not None:
            type_id = labels.names[ends][name]
            forward = type_id if ends == FORWARD else labels.inverse[type_id]
            out.add((deal, contact, forward))
    return out


def test_no_association_a_row_names_is_removed_property() -> None:
    """Seeded: portals of 1-4 labels a direction (crossing, renamed, unpaired of one name),
    holdings drawn at random, sheets of rows in both directions: after a sync with removals
    every association a row names (the pair, and its label) is in the portal, read from the
    deals side and, as its inverse, from the contacts side."""
    for seed in seeds(40):
        rng = random.Random(seed)
        with _sandbox() as sb:
            labels = _labels(sb, rng)
            _hold(sb, labels, rng)
            rows = _rows(labels, rng)
            result = _sync(sb, rows)
            forward, backward = _held(sb, FORWARD), _held(sb, BACKWARD)
        named = _named(labels, rows)
        missing = named - forward
        assert not missing, (seed, missing, rows, result[["status", "label", "error_message"]])
        inverses = {**labels.inverse, UNLABELED[FORWARD]: UNLABELED[BACKWARD]}
        seen_back = {(d, c, inverses[k]) for d, c, k in named}
        assert seen_back <= {(d, c, k) for c, d, k in backward}, (seed, rows)


COMPANIES = ["301", "302", "303"]
OWN_NAMES = ["Mentor", "Mentee", "Partner", "Supplier", "Client"]
SELF = ("companies", "companies")


def _own_labels(sb: Sandbox, rng: random.Random) -> Labels:
    """1-4 labels of companies with companies: unpaired (one type, its own inverse) or paired
    ("Mentor" / "Mentee": two types of the one direction)."""
    labels = Labels(names={SELF: {}})
    names = labels.names[SELF]
    target = rng.randint(1, 4)
    while len(names) < target:
        a, b = rng.sample(OWN_NAMES, 2)
        if rng.random() < 0.5 and a not in names:
            names[a] = sb.add_label(*SELF, a)
            labels.inverse[names[a]] = names[a]
        elif a not in names and b not in names and len(names) <= 2:
            names[a] = sb.add_label(*SELF, a, b)
            names[b] = sb.type_id(*SELF, b)
            labels.inverse.update({names[a]: names[b], names[b]: names[a]})
    return labels


def _own_sheet(
    sb: Sandbox, labels: Labels, rng: random.Random
) -> list[tuple[str, str, str | None]]:
    """Holdings of each pair of companies drawn, then rows of both ends of each."""
    types = sorted(labels.names[SELF].values())
    for i, first in enumerate(COMPANIES):
        for second in COMPANIES[i + 1 :]:
            if rng.random() < 0.2:
                continue
            sb.associate(SELF[0], first, SELF[1], second)
            for type_id in types:
                if rng.random() < 0.4:
                    sb.associate(SELF[0], first, SELF[1], second, type_id)
    rows: list[tuple[str, str, str | None]] = []
    names = sorted(labels.names[SELF])
    for f in COMPANIES:
        for t in COMPANIES:
            draw = rng.random()
            if f == t or draw < 0.3:
                continue
            if draw < 0.5:
                rows.append((f, t, None))
                continue
            rows += [(f, t, name) for name in rng.sample(names, rng.randint(1, len(names)))]
    return rows or [(COMPANIES[0], COMPANIES[1], None)]


def test_no_association_a_row_names_is_removed_of_an_object_with_itself() -> None:
    """Seeded, companies with companies (each association listed from both ends, a paired
    label's inverse another label of the one direction): after a sync with removals every
    association a row names is in the portal, its label from the row's end and its inverse
    from the other."""
    for seed in seeds(40):
        rng = random.Random(seed)
        with _sandbox() as sb:
            sb.add_records("companies", [int(i) for i in COMPANIES])
            labels = _own_labels(sb, rng)
            rows = _own_sheet(sb, labels, rng)
            unlabeled = sb.type_id(*SELF)
            frame = [("companies", f, t, name) for f, t, name in rows]
            sheet = pd.DataFrame(frame, columns=["from_type", "from_id", "to_id", "label"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = hf.sync(
                    hf.read_pairs(sheet.assign(to_type="companies")),
                    client_for(sb),
                    allow_removals=True,
                    max_removals=1000,
                    progress=False,
                )
            held = _held(sb, SELF)
        named: Held = set()
        for f, t, name in rows:
            named |= {(f, t, unlabeled), (t, f, unlabeled)}
            if name is not None:
                type_id = labels.names[SELF][name]
                named |= {(f, t, type_id), (t, f, labels.inverse[type_id])}
        missing = named - held
        assert not missing, (seed, missing, rows, result[["status", "label", "error_message"]])
