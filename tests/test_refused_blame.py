"""A batch refused whole (400) by an error that names its rows only loosely: no row is failed
for another row's error.

Under ``partial_failure="refuse_batch"`` HubSpot's 400 carries the error of the first failing
input only, and nothing of the batch is applied.  An error may name a row for sure (its pair and
type; a record that does not exist, of the type the error states) or only perhaps: a record at
its limit (``limit_error_names="record"``: every row of that record fits), the reverse
direction's type or the unlabeled type (no row asks for it: every row of the pair fits), an id
that a record of another type in the batch also has.  Only the rows named for sure are failed
unsent; the others are sent again apart (alone when few), so the valid ones are applied and
the bad one is found.  The property test at the end draws batches with several bad rows of
every kind and checks each row's status against the portal.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

Factory = Callable[..., Sandbox]
REFUSE = {"partial_failure": "refuse_batch"}
BY_RECORD = {"partial_failure": "refuse_batch", "limit_error_names": "record"}
DEALS = [str(2050000001 + i) for i in range(8)]
CONTACTS = [str(1029360001 + i) for i in range(12)]


def _sheet(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Deal ID": [r[0] for r in rows],
            "Contact ID": [r[1] for r in rows],
            "Association label": [r[2] for r in rows],
        }
    )


def _portal(sb: Sandbox) -> Sandbox:
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _run(sb: Sandbox, rows: list[tuple[str, str, str]], **kw: object) -> pd.DataFrame:
    return hf.associate(_sheet(rows), client_for(sb), progress=False, **kw)  # type: ignore[arg-type]


def _outcomes(result: pd.DataFrame) -> list[tuple[str, str]]:
    codes = result["error_code"].astype("string").fillna("")
    return list(zip(result["status"].astype(str), codes, strict=True))


def _linked(sb: Sandbox) -> set[tuple[str, str, int]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], frame["type_id"].astype(int), strict=True))


def _writes(sb: Sandbox) -> pd.DataFrame:
    log = sb.request_log()
    return log[log["path"].str.endswith("/batch/create")]


@pytest.mark.parametrize("behaviour", [BY_RECORD, {**BY_RECORD, "type_ids": "per_pair"}])
def test_a_record_at_its_limit_named_alone_fails_only_the_row_past_it(
    sandbox_factory: Factory, behaviour: dict[str, str]
) -> None:
    """The deal may have 2 Decision makers and has none: of its three rows the first two are
    applied, the third is refused; the 400 names the deal only, not which row."""
    sb = _portal(sandbox_factory(behaviour=behaviour))
    rows = [(DEALS[0], CONTACTS[i], "Decision maker") for i in range(3)]
    rows.append((DEALS[1], CONTACTS[3], "Champion"))
    result = _run(sb, rows)
    assert _outcomes(result) == [("success", "")] * 2 + [("failed", "LIMIT_EXCEEDED")] + [
        ("success", "")
    ]
    dm = sb.type_id("deals", "contacts", "Decision maker")
    assert {(DEALS[0], CONTACTS[i], dm) for i in range(2)} <= _linked(sb)
    assert (DEALS[0], CONTACTS[2], dm) not in _linked(sb)
    first = _writes(sb).iloc[0]
    assert first["status"] == 400 and first["inputs"] == 4  # refused whole, then resent


@pytest.mark.parametrize("behaviour", [REFUSE, BY_RECORD])
def test_the_contacts_reverse_limit_fails_only_its_label_not_the_pairs_other_row(
    sandbox_factory: Factory, behaviour: dict[str, str]
) -> None:
    """A contact may be Decision maker of one deal and is already: the 400 names the pair (or the
    contact) with the reverse type, which no row asks for.  The pair's Champion row is fine."""
    sb = _portal(sandbox_factory(behaviour=behaviour))
    inverse = sb.type_id("contacts", "deals", "Decision maker")
    sb.set_limit("contacts", "deals", 1, type_id=inverse)
    dm = sb.type_id("deals", "contacts", "Decision maker")
    sb.associate("deals", DEALS[2], "contacts", CONTACTS[4], type_id=dm)
    rows = [
        (DEALS[3], CONTACTS[4], "Champion"),
        (DEALS[3], CONTACTS[4], "Decision maker"),
        (DEALS[4], CONTACTS[5], "Champion"),
    ]
    result = _run(sb, rows)
    assert _outcomes(result) == [
        ("success", ""),
        ("failed", "LIMIT_EXCEEDED"),
        ("success", ""),
    ]
    champion = sb.type_id("deals", "contacts", "Champion")
    assert (DEALS[3], CONTACTS[4], champion) in _linked(sb)
    assert (DEALS[3], CONTACTS[4], dm) not in _linked(sb)


def test_a_missing_contact_whose_id_is_another_rows_deal_blames_only_its_row(
    sandbox_factory: Factory,
) -> None:
    """The 400 names CONTACT=X (no such contact); X is also the deal of a valid row."""
    sb = _portal(sandbox_factory(behaviour=REFUSE))
    rows = [
        (DEALS[5], CONTACTS[6], "Champion"),
        (DEALS[6], DEALS[5], "Champion"),  # no contact has the id of deal 5
        (DEALS[7], CONTACTS[7], "Champion"),
    ]
    result = _run(sb, rows)
    assert _outcomes(result) == [
        ("success", ""),
        ("failed", "OBJECT_NOT_FOUND"),
        ("success", ""),
    ]
    assert result["error_message"][1].startswith(f"Contact {DEALS[5]} does not exist")
    champion = sb.type_id("deals", "contacts", "Champion")
    assert (DEALS[5], CONTACTS[6], champion) in _linked(sb)
    # the refused batch, then the two valid rows together: the named row is not sent again
    assert _writes(sb)["inputs"].tolist() == [3, 2]


# --- the class: batches with several bad rows of every kind ------------------------------------

LABELS = ("Champion", "Decision maker", "Budget holder")
BEHAVIOURS = {
    "refuse": REFUSE,
    "refuse-by-record": BY_RECORD,
    "items": {},
    "items-by-record": {"limit_error_names": "record"},
    "hostile": {"preset": "hostile"},
}


def _draw(rng: random.Random) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(links there before, as Decision maker; the sheet's rows): few deals and contacts, so
    records and pairs repeat, some at their limits; missing contacts, some with a deal's id."""
    deals, contacts = DEALS[: rng.randint(2, 5)], CONTACTS[: rng.randint(3, 8)]
    before = [(rng.choice(DEALS[5:]), c) for c in contacts if rng.random() < 0.3]
    before += [(d, CONTACTS[11]) for d in deals if rng.random() < 0.3]
    missing = ["1029369999", *deals]  # a deal's id is no contact's
    rows: dict[tuple[str, str, str], None] = {}
    for _ in range(rng.randint(4, 14)):
        contact = rng.choice(missing) if rng.random() < 0.15 else rng.choice(contacts)
        rows[(rng.choice(deals), contact, rng.choice(LABELS))] = None
    return before, list(rows)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("behaviour", list(BEHAVIOURS))
def test_every_rows_status_is_what_the_portal_shows(
    sandbox_factory: Factory, behaviour: str, seed: int
) -> None:
    """Decision maker: 2 per deal, and (reverse) 1 deal per contact.  Every row reported done
    is in the portal and every failed one is not; a row of a label without limits on records
    that exist never fails; a row failed by a limit has a record at that limit afterwards (it
    could not be applied: not blamed for another row's error); a row failed for a missing
    record has one."""
    rng = random.Random(seed)
    sb = _portal(sandbox_factory(behaviour=BEHAVIOURS[behaviour]))
    dm = sb.type_id("deals", "contacts", "Decision maker")
    inverse = sb.type_id("contacts", "deals", "Decision maker")
    sb.set_limit("contacts", "deals", 1, type_id=inverse)
    before, rows = _draw(rng)
    for deal, contact in before:
        sb.associate("deals", deal, "contacts", contact, type_id=dm)
    there = _linked(sb)
    result = _run(sb, rows, batch_size=rng.randint(2, 8))
    linked = _linked(sb)
    per_deal = pd.Series([f for f, _, t in linked if t == dm]).value_counts()
    per_contact = pd.Series([c for _, c, t in linked if t == dm]).value_counts()
    for n, (deal, contact, label) in enumerate(rows):
        status, code = _outcomes(result)[n]
        key = (deal, contact, sb.type_id("deals", "contacts", label))
        where = f"row {n} {rows[n]}: {status} {code} {result['error_message'][n]}"
        assert (key in linked) == (status == "success"), where
        if contact not in CONTACTS:
            assert (status, code) == ("failed", "OBJECT_NOT_FOUND"), where
        elif label != "Decision maker" or key in there:
            assert status == "success", where
        elif status != "success":
            assert code == "LIMIT_EXCEEDED", where
            full = per_deal.get(deal, 0) >= 2 or per_contact.get(contact, 0) >= 1
            assert full, where


def _linked_by_label(sb: Sandbox) -> set[tuple[str, str, str]]:
    """The links deal -> contact by label name (type ids differ under ``per_pair``)."""
    names = {int(t): str(n) for t, n in zip(*_type_names(sb), strict=True)}
    return {(f, c, names.get(t, str(t))) for f, c, t in _linked(sb)}


def _type_names(sb: Sandbox) -> tuple[list[int], list[str]]:
    labels = sb.labels("deals", "contacts")
    return labels["type_id"].astype(int).tolist(), labels["label"].fillna("").astype(str).tolist()


LIMITS = ("deal's contacts", "deal's Decision makers", "contact's deals as Decision maker")


def _limited(sb: Sandbox, which: str) -> Sandbox:
    if which == LIMITS[0]:
        sb.set_limit("deals", "contacts", 2)  # the unlabeled type: every contact of a deal
    elif which == LIMITS[1]:
        sb.set_limit(
            "deals", "contacts", 1, type_id=sb.type_id("deals", "contacts", "Decision maker")
        )
    else:
        sb.set_limit(
            "contacts", "deals", 1, type_id=sb.type_id("contacts", "deals", "Decision maker")
        )
    return sb


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("which", LIMITS)
def test_rows_competing_for_a_limit_win_in_the_sheets_order_however_hubspot_refuses(
    sandbox_factory: Factory, which: str, seed: int
) -> None:
    """One worker: rows competing for a limit's last places are applied in the sheet's order,
    as HubSpot applies a batch's inputs, whether it answers item errors or refuses the batch
    whole.  A refused batch's row the error named was sent again ahead of the rows before it,
    took their place, and they failed: another contact than the sheet's first was linked."""
    rng = random.Random(seed)
    deals, contacts = DEALS[: rng.randint(1, 3)], CONTACTS[: rng.randint(3, 6)]
    rows = list(
        dict.fromkeys(
            (rng.choice(deals), rng.choice(contacts), rng.choice(LABELS[:2]))
            for _ in range(rng.randint(3, 10))
        )
    )
    size = rng.randint(2, 8)
    seen: dict[str, tuple[list[str], set[tuple[str, str, str]]]] = {}
    for name in ("items", "refuse", "refuse-by-record", "hostile"):
        sb = _limited(_portal(sandbox_factory(behaviour=BEHAVIOURS[name])), which)
        result = _run(sb, rows, batch_size=size, workers=1)
        seen[name] = (result["status"].astype(str).tolist(), _linked_by_label(sb))
    for name, got in seen.items():
        assert got == seen["items"], (
            f"{name} differs from item errors for {rows}, {size}: {got} {seen['items']}"
        )


@pytest.mark.parametrize("which", LIMITS)
@pytest.mark.parametrize("behaviour", ["refuse", "refuse-by-record", "hostile"])
def test_the_first_of_two_rows_competing_for_the_last_place_wins(
    sandbox_factory: Factory, which: str, behaviour: str
) -> None:
    """The deal (or the contact) has one place left: the sheet's first row takes it."""
    sb = _limited(_portal(sandbox_factory(behaviour=BEHAVIOURS[behaviour])), which)
    if which == LIMITS[0]:  # one of the deal's two places is taken
        sb.associate("deals", DEALS[0], "contacts", CONTACTS[9])
    contact_side = which == LIMITS[2]
    rows = [
        (DEALS[0], CONTACTS[0], "Decision maker"),
        (
            DEALS[1] if contact_side else DEALS[0],
            CONTACTS[0] if contact_side else CONTACTS[1],
            "Decision maker",
        ),
    ]
    result = _run(sb, rows, workers=1)
    assert result["status"].tolist() == ["success", "failed"]
    assert (rows[0][0], rows[0][1], "Decision maker") in _linked_by_label(sb)
    assert (rows[1][0], rows[1][1], "Decision maker") not in _linked_by_label(sb)
