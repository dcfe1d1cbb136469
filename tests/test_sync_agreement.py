"""Every row of a sync's result agrees with the portal after the sync.

A row saying an association (or a label) is kept -- ``keep``, or a removal held back
(``PRIMARY_PROTECTED``, ``REMOVAL_HELD``) -- finds it in the portal afterwards; a removal that
succeeded finds it gone.  Two rows contradicted their own sync:

* a sheet making company B a record's Primary while the portal had A as its Primary (removals
  allowed, not primary removal): A's Primary row said "Kept" (``PRIMARY_PROTECTED``) though
  B's row of the same sync took the label from A (HubSpot keeps one primary company).  A's row
  now says that it loses the label through B's row (``skipped``, ``PRIMARY_MOVED``: its own
  removal is not sent), and says "Kept" again when B's row was not applied;
* a label riding on its pair's removal, held because the other direction's rows list the pair,
  said "Kept" (``REMOVAL_HELD``) while the other direction's row removed the label: it is now
  a label removal of its own, sent when its own checks pass.

A dry run says what the real run does, in the same words.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.constants import PRIMARY_TYPES
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

KW: dict[str, Any] = {"progress": False}
TYPES = {t.record_type: t for t in PRIMARY_TYPES}
SIDES = ["record", "company"]
HELD_WORDS = {"PRIMARY_PROTECTED", "REMOVAL_HELD", "PRIMARY_MOVED", "ALREADY_ASSOCIATED"}
Key = tuple[str, str, str, str]


def _state(sb: Sandbox, directions: list[tuple[str, str]]) -> dict[Key, set[int]]:
    """The portal's associations of each direction: (from type, from, to type, to) -> types."""
    out: dict[Key, set[int]] = {}
    for a, b in directions:
        table = sb.associations(a, b)
        for f, t, type_id in zip(table["from_id"], table["to_id"], table["type_id"], strict=True):
            out.setdefault((a, str(f), b, str(t)), set()).add(int(type_id))
    return out


def _claims(row: dict[str, Any], types: set[int]) -> str | None:
    """What is wrong with a result row's word, given the pair's types after the sync."""
    change, status, code = row["change"], row["status"], row["error_code"]
    if pd.isna(change) or status not in ("success", "skipped"):
        return None  # not compared, or not applied: the row claims nothing of the portal
    labeled = pd.notna(row["label"])
    there = int(row["type_id"]) in types if labeled else bool(types)
    if change != "remove":
        return None if there else f"{change} {status}: not in the portal"
    if status == "success":
        return f"removed {status}: still in the portal" if there else None
    if code == "PRIMARY_MOVED":
        if there or not types:
            return "PRIMARY_MOVED: the label is still there, or the pair is gone"
        return None
    return None if there else f"{code}: says kept, gone from the portal"


def _reason_claims(row: dict[str, Any]) -> str | None:
    """What is wrong with a removal row's reason: a row that removes nothing (held, skipped)
    must not read as removing, nor a row that removes (or would) as held."""
    if row["change"] != "remove":
        return None
    says_held = "does not remove" in str(row["reason"])
    if (row["status"] == "skipped") != says_held:
        return f"{row['status']} {row['error_code']}: the reason says {row['reason']!r}"
    return None


def disagreements(result: pd.DataFrame, state: dict[Key, set[int]]) -> list[str]:
    """The rows of ``result`` whose word the portal's ``state`` contradicts."""
    out: list[str] = []
    for row in result.to_dict("records"):
        key = (str(row["from_type"]), str(row["from_id"]), str(row["to_type"]), str(row["to_id"]))
        wrong = _claims(row, state.get(key, set())) or _reason_claims(row)
        if wrong is not None:
            out.append(f"{key} {row['label']!r} {row['type_id']}: {wrong} | {row['error_message']}")
    return out


def _words(result: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Each row's status (planned read as success), code and, for rows held or kept, message."""
    out: list[tuple[Any, ...]] = []
    for row in result.to_dict("records"):
        status = "success" if row["status"] == "planned" else row["status"]
        code = row["error_code"] if pd.notna(row["error_code"]) else None
        said = row["error_message"] if code in HELD_WORDS else None
        out.append((row["change"], row["reason"], status, code, said))
    return out


def _same_words(dry: pd.DataFrame, real: pd.DataFrame) -> None:
    for n, (a, b) in enumerate(zip(_words(dry), _words(real), strict=True)):
        assert a == b, (n, a, b)


# --- a new primary company: the old one's rows ------------------------------------------------


def _primary_case(
    sb: Sandbox, kind: str, side: str, old_side: str, listed: bool
) -> tuple[pd.DataFrame, str, str, str]:
    """The portal: a record with company ``old`` as its primary.  The sheet: company ``new``
    as its primary, from ``side``; the old company in scope (its side's rows), its pair with
    the record listed without a label (``listed``) or not at all."""
    record, other = (str(i) for i in demo_ids(kind)[-2:])
    old, new = (str(i) for i in demo_ids("companies")[40:42])
    t = TYPES[kind]
    if old_side == "record":
        sb.associate(kind, record, "companies", old, t.to_company)
    else:
        sb.associate("companies", old, kind, record, t.from_company)

    def row(company: str, target: str, label: str | None, row_side: str) -> dict[str, Any]:
        if row_side == "record":
            return dict(zip(COLUMNS, (kind, target, "companies", company, label), strict=True))
        return dict(zip(COLUMNS, ("companies", company, kind, target, label), strict=True))

    rows = [row(new, record, "Primary", side)]
    # the old company's pair: listed without its label, or left out (the record's rows list
    # a third company instead; the company's rows, another record: the old one is in scope)
    if listed:
        rows.append(row(old, record, None, side))
    elif side == "record":
        rows.append(row(str(demo_ids("companies")[42]), record, None, side))
    else:
        rows.append(row(old, other, None, side))
    return pd.DataFrame(rows, dtype=object), record, old, new


COLUMNS = ("from_type", "from_id", "to_type", "to_id", "label")
DIRECTIONS = [(k, "companies") for k in TYPES] + [("companies", k) for k in TYPES]


@pytest.mark.parametrize("allow_primary_removal", [False, True])
@pytest.mark.parametrize("listed", [True, False])
@pytest.mark.parametrize("old_side", SIDES)
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_old_primary_row_says_what_the_new_primary_row_does(
    kind: str, side: str, old_side: str, listed: bool, allow_primary_removal: bool
) -> None:
    options = {"allow_removals": True, "allow_primary_removal": allow_primary_removal, **KW}
    with Sandbox(seed="demo") as sb:
        sheet, *_ = _primary_case(sb, kind, side, old_side, listed)
        dry = hf.sync(sheet, client_for(sb), dry_run=True, **options)
    with Sandbox(seed="demo") as sb:
        sheet, record, old, new = _primary_case(sb, kind, side, old_side, listed)
        real = hf.sync(sheet, client_for(sb), **options)
        state = _state(sb, DIRECTIONS)
    assert not disagreements(real, state), (disagreements(real, state), real)
    _same_words(dry, real)
    primary = TYPES[kind].to_company
    assert primary in state[(kind, record, "companies", new)]
    assert primary not in state.get((kind, record, "companies", old), set())
    old_rows = real.loc[(real["sheet"] == "(portal)") & real["label"].eq("Primary")]
    assert len(old_rows) == 1, real
    said = old_rows.iloc[0]
    if allow_primary_removal:
        assert said["status"] == "success", said
    else:
        assert (said["status"], said["error_code"]) == ("skipped", "PRIMARY_MOVED"), said
        assert "row 2" in said["error_message"] and new in said["error_message"], said
        assert not str(said["error_message"]).startswith("Kept"), said


def test_the_old_primary_is_kept_when_the_new_primary_row_is_not_sent() -> None:
    """B's row is held back (a limit of one company per deal): A keeps the label, and its row
    says "Kept" again."""
    with Sandbox(seed="demo") as sb:
        sheet, record, old, new = _primary_case(sb, "deals", "record", "record", True)
        sb.set_limit("deals", "companies", 1, type_id=TYPES["deals"].to_company)
        sb.set_limit("deals", "companies", 1)
        result = hf.sync(sheet, client_for(sb), allow_removals=True, **KW)
        state = _state(sb, DIRECTIONS)
    assert result.loc[0, "status"] != "success", result
    assert not disagreements(result, state), (disagreements(result, state), result)
    held = result.loc[(result["sheet"] == "(portal)") & result["label"].eq("Primary")].iloc[0]
    assert held["error_code"] == "PRIMARY_PROTECTED", held
    assert str(held["error_message"]).startswith("Kept"), held
    primary = TYPES["deals"].to_company
    assert primary in state[("deals", record, "companies", old)]
    assert primary not in state.get(("deals", record, "companies", new), set())


# --- a label riding on a held pair removal --------------------------------------------------------


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_label_the_other_direction_removes_is_not_said_kept(dry_run: bool) -> None:
    deal, contact, other = (str(i) for i in (*demo_ids("deals")[:1], *demo_ids("contacts")[:2]))
    sheet = pd.DataFrame(
        [
            ("deals", deal, "contacts", other, "Decision maker"),
            ("contacts", contact, "deals", deal, None),
        ],
        columns=list(COLUMNS),
    )
    with Sandbox(seed="demo") as sb:
        result = hf.sync(sheet, client_for(sb), allow_removals=True, dry_run=dry_run, **KW)
        state = _state(sb, [("deals", "contacts"), ("contacts", "deals")])
    label = result.loc[(result["from_id"] == deal) & result["label"].eq("Decision maker")]
    label = label.loc[label["to_id"] == contact].iloc[0]
    assert label["status"] == ("planned" if dry_run else "success"), label
    assert label["action"] == "archive", label  # a label's removal is shown as archive
    assert pd.isna(label["error_code"]), label
    assert "they stay associated" in str(label["reason"]), label
    if not dry_run:
        assert not disagreements(result, state), (disagreements(result, state), result)
        assert state[("deals", deal, "contacts", contact)] == {3}


def test_a_label_one_direction_keeps_is_held_while_it_removes_another() -> None:
    """Deal -> contact keeps "Champion" and leaves out "Decision maker"; contact -> deal the
    other way round.  Each side removing a label of the pair let the other side's removal go:
    both labels went while each side's row said "Kept"."""
    deal, contact = str(demo_ids("deals")[-1]), str(demo_ids("contacts")[-1])
    sheet = pd.DataFrame(
        [("deals", deal, "contacts", contact, "Champion"),
         ("contacts", contact, "deals", deal, "Decision maker")],
        columns=list(COLUMNS),
    )  # fmt: skip
    with Sandbox(seed="demo") as sb:
        for label in ("Decision maker", "Champion"):
            sb.associate("deals", deal, "contacts", contact, sb.type_id("deals", "contacts", label))
        result = hf.sync(sheet, client_for(sb), allow_removals=True, **KW)
        state = _state(sb, [("deals", "contacts"), ("contacts", "deals")])
    assert not disagreements(result, state), (disagreements(result, state), result)
    held = result.loc[result["sheet"] == "(portal)"]
    assert set(held["error_code"]) == {"REMOVAL_HELD"} and len(held) == 2, result
    assert state[("deals", deal, "contacts", contact)] == {3, 1001, 1003}


# --- the class: small portals and sheets, both directions ---------------------------------------

GEN_DIRECTIONS = [
    ("deals", "contacts"),
    ("contacts", "deals"),
    ("deals", "companies"),
    ("companies", "deals"),
]
LABELS = {
    ("deals", "contacts"): ["Decision maker", "Champion"],
    ("contacts", "deals"): ["Decision maker", "Champion"],
    ("deals", "companies"): ["Primary", "Reseller"],
    ("companies", "deals"): ["Primary", "Reseller"],
}
IDS = {
    "deals": [str(i) for i in demo_ids("deals")[-3:]],
    "contacts": [str(i) for i in demo_ids("contacts")[-3:]],
    "companies": [str(i) for i in demo_ids("companies")[-3:]],
}


def _portal(sb: Sandbox, rng: random.Random) -> None:
    for limit in sb.limits().to_dict("records"):  # limits are not this test's matter
        sb.set_limit(limit["from_type"], limit["to_type"], None, type_id=limit["type_id"])
    for deal in IDS["deals"]:
        for contact in IDS["contacts"]:
            for label in rng.choice(
                [[], [None], ["Decision maker"], ["Decision maker", "Champion"]]
            ):
                type_id = None if label is None else sb.type_id("deals", "contacts", label)
                sb.associate("deals", deal, "contacts", contact, type_id)
        primary = rng.choice([None, *IDS["companies"]])
        for company in IDS["companies"]:
            labels = rng.choice([[], [None], ["Reseller"]])
            if company == primary:
                labels = ["Primary", *labels]
            for label in labels:
                type_id = None if label is None else sb.type_id("deals", "companies", label)
                sb.associate("deals", deal, "companies", company, type_id)


def _gen_sheet(rng: random.Random) -> pd.DataFrame:
    rows: list[tuple[str, str, str, str, str | None]] = []
    for a, b in rng.sample(GEN_DIRECTIONS, rng.randint(1, len(GEN_DIRECTIONS))):
        for f in rng.sample(IDS[a], rng.randint(1, 2)):
            for t in IDS[b]:
                if rng.random() < 0.5:
                    rows.append((a, f, b, t, rng.choice([None, None, *LABELS[(a, b)]])))
    if not rows:
        rows.append(("deals", IDS["deals"][0], "contacts", IDS["contacts"][0], None))
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)


@pytest.mark.parametrize("seed", seeds(24))
def test_every_row_agrees_with_the_portal_after_the_sync(seed: int) -> None:
    rng = random.Random(seed)
    state = rng.getstate()
    options = {"allow_removals": rng.random() < 0.8, "allow_primary_removal": rng.random() < 0.4}
    options["max_removals"] = 100  # not the guard's test
    results: list[pd.DataFrame] = []
    for dry_run in (True, False):
        rng.setstate(state)
        rng.random(), rng.random()
        with Sandbox(seed="demo") as sb:
            _portal(sb, rng)
            sheet = _gen_sheet(rng)
            result = hf.sync(sheet, client_for(sb), dry_run=dry_run, **options, **KW)
            after = _state(sb, GEN_DIRECTIONS)
        results.append(result)
    dry, real = results
    wrong = disagreements(real, after)
    assert not wrong, (wrong, options, sheet, real)
    _same_words(dry, real)
