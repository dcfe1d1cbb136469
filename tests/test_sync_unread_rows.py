"""A sync removes nothing a row of its sheet could be asking to keep.

Three ways a row's association could be removed all the same, found by an adversarial pass:

- a row whose *from* id cannot be read (Excel's ``2.04E+09``, a blank cell, a letter O for a
  zero, a note typed in the id column) was ``invalid`` but held nothing: only a bad *to* id held
  its record, since the record of a bad from id is unknown.  Such a row now holds every removal
  of its object pair (both directions), and a row whose object type cannot be read every
  removal of the sync, naming the row;
- the other direction's batch read failed: its rows were ``failed`` and no longer kept what
  they list, so the first direction removed it;
- ``scope=`` left the other direction's rows out (``OUT_OF_SCOPE``), and with them what they
  keep.

The seeded property at the end edits an export of both directions at random (rows dropped, id
cells spoiled, a scope) and checks that no association any row names, in either direction,
is removed, and that a spoiled from id removes nothing of its object pair.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
COMPANIES = [str(i) for i in demo_ids("companies")]
Pair = frozenset[str]

#: cells of a from id column that name no record hubframe can read
UNREADABLE = ["2.04E+09", "", "2040000001x", "2O40000001", "0", "99999999999999999999", "see note"]


def _links(sb: Sandbox, from_type: str = "deals", to_type: str = "contacts") -> set[Pair]:
    table = sb.associations(from_type, to_type)
    return {frozenset(p) for p in zip(table["from_id"], table["to_id"], strict=True)}


def _sheet(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["from_type", "from_id", "to_type", "to_id"])


def _portal(sb: Sandbox) -> tuple[str, str, str]:
    """Deal 0 with contacts 0 and 1, and one more pair of its own (deal 1 - contact 2)."""
    deal, keep, drop = DEALS[0], CONTACTS[0], CONTACTS[1]
    for contact in (keep, drop):
        sb.associate("deals", deal, "contacts", contact)
    sb.associate("deals", DEALS[1], "contacts", CONTACTS[2])
    return deal, keep, drop


def _through(sb: Sandbox, proxy: FaultProxy) -> hf.HubSpotClient:
    """A client of ``sb`` whose requests go through ``proxy`` (short back-offs)."""
    return hf.HubSpotClient(token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05)


def _held(result: pd.DataFrame) -> pd.DataFrame:
    return result.loc[result["change"] == "remove"]


@pytest.mark.parametrize("cell", UNREADABLE)
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_from_id_that_cannot_be_read_holds_its_object_pair(cell: str, dry_run: bool) -> None:
    with Sandbox(seed="demo") as sb:
        deal, keep, drop = _portal(sb)
        before = _links(sb)
        sheet = _sheet([("deals", deal, "contacts", keep), ("deals", cell, "contacts", drop)])
        sheet.loc[2] = ["deals", DEALS[1], "contacts", CONTACTS[3]]  # deal 1: contact 2 out
        result = hf.sync(
            sheet, client_for(sb), allow_removals=True, dry_run=dry_run, progress=False
        )
        assert _links(sb) == before | (
            {frozenset((DEALS[1], CONTACTS[3]))} if not dry_run else set()
        )
    assert result.loc[1, "status"] == "invalid"
    held = _held(result)
    assert set(held["to_id"]) == {drop, CONTACTS[2]}  # another deal's removal too: whose row?
    assert set(held["error_code"]) == {"REMOVAL_HELD"}, held
    assert all("row 3" in m for m in held["error_message"]), held["error_message"].tolist()


def test_a_from_id_that_cannot_be_read_in_the_other_direction_holds_too() -> None:
    with Sandbox(seed="demo") as sb:
        deal, keep, _ = _portal(sb)
        before = _links(sb)
        sheet = _sheet([("deals", deal, "contacts", keep), ("contacts", "1.02E+09", "deals", deal)])
        result = hf.sync(sheet, client_for(sb), allow_removals=True, progress=False)
        assert _links(sb) == before
    assert set(_held(result)["error_code"]) == {"REMOVAL_HELD"}


def test_an_object_type_that_cannot_be_read_holds_every_removal() -> None:
    with Sandbox(seed="demo") as sb:
        deal, keep, _ = _portal(sb)
        sb.associate("deals", deal, "companies", COMPANIES[0])
        before = (_links(sb), _links(sb, "deals", "companies"))
        sheet = _sheet(
            [
                ("deals", deal, "contacts", keep),
                ("deals", deal, "companies", COMPANIES[1]),
                ("dealz", deal, "contacts", CONTACTS[1]),
            ]
        )
        result = hf.sync(sheet, client_for(sb), allow_removals=True, progress=False)
        assert (_links(sb), _links(sb, "deals", "companies")) == (
            before[0],
            before[1] | {frozenset((deal, COMPANIES[1]))},
        )
    assert result.loc[2, "status"] == "invalid"
    held = _held(result)
    assert set(held["to_id"]) == {CONTACTS[1], COMPANIES[0]} and set(held["error_code"]) == {
        "REMOVAL_HELD"
    }


def test_a_bad_row_of_another_object_pair_holds_nothing_here() -> None:
    """The hold is the object pair's: a deal -> company row with a bad deal id does not keep a
    contact the deal -> contact rows leave out."""
    with Sandbox(seed="demo") as sb:
        deal, keep, drop = _portal(sb)
        sheet = _sheet([("deals", deal, "contacts", keep), ("deals", "2.04E+09", "companies", "1")])
        result = hf.sync(sheet, client_for(sb), allow_removals=True, progress=False)
        assert frozenset((deal, drop)) not in _links(sb)
    removed = _held(result)
    assert set(removed["to_id"]) == {drop} and set(removed["status"]) == {"success"}, removed


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_failed_read_of_the_other_direction_keeps_what_its_rows_list(dry_run: bool) -> None:
    deal, keep, listed = DEALS[5], CONTACTS[10], CONTACTS[11]
    sheet = _sheet([("deals", deal, "contacts", keep), ("contacts", listed, "deals", deal)])
    with Sandbox(seed="demo") as sb:
        for contact in (keep, listed):
            sb.associate("deals", deal, "contacts", contact)
        before = _links(sb)
        with FaultProxy(sb, drop_reads='"typeId": 4') as proxy:  # contacts -> deals only
            client = _through(sb, proxy)
            result = hf.sync(sheet, client, allow_removals=True, dry_run=dry_run, progress=False)
        assert _links(sb) == before
    assert result.loc[1, "status"] == "failed"
    assert _held(result)["error_code"].tolist() == ["REMOVAL_HELD"], result


@pytest.mark.parametrize("dry_run", [True, False])
def test_rows_out_of_scope_still_keep_what_they_list_the_other_way(dry_run: bool) -> None:
    deal, keep, listed = DEALS[5], CONTACTS[10], CONTACTS[11]
    sheet = _sheet([("deals", deal, "contacts", keep), ("contacts", listed, "deals", deal)])
    with Sandbox(seed="demo") as sb:
        for contact in (keep, listed):
            sb.associate("deals", deal, "contacts", contact)
        before = _links(sb)
        result = hf.sync(
            sheet,
            client_for(sb),
            allow_removals=True,
            scope=[deal],
            dry_run=dry_run,
            progress=False,
        )
        assert _links(sb) == before
    assert result.loc[1, "error_code"] == "OUT_OF_SCOPE"
    held = _held(result)
    assert (
        held["error_code"].tolist() == ["REMOVAL_HELD"] and "row 3" in held["error_message"].iloc[0]
    )


SPOILERS = ["2.04E+09", "", "x", "1O1", "0"]


def _spoiled(rng: random.Random, sheet: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """An export of both directions edited at random: rows dropped, id cells spoiled.
    Returns it and the directions ("from->to") where a from id was spoiled."""
    out = sheet.sample(frac=rng.uniform(0.4, 1.0), random_state=rng.randrange(2**31))
    out = out.reset_index(drop=True).astype({"from_id": object, "to_id": object})
    spoiled: set[str] = set()
    for pos in range(len(out)):
        roll = rng.random()
        if roll < 0.06:
            out.loc[pos, "from_id"] = rng.choice(SPOILERS)
            spoiled.add(f"{out.loc[pos, 'from_type']}->{out.loc[pos, 'to_type']}")
        elif roll < 0.12:
            out.loc[pos, "to_id"] = rng.choice(SPOILERS)
    return out, spoiled


def _named(sheet: pd.DataFrame) -> set[Pair]:
    """Every pair of ids a row names, whatever else is wrong with it."""
    return {
        frozenset((str(f), str(t))) for f, t in zip(sheet["from_id"], sheet["to_id"], strict=True)
    }


@pytest.mark.parametrize("seed", seeds(6))
def test_no_association_a_row_names_is_removed(seed: int) -> None:
    rng = random.Random(seed)
    with Sandbox(seed="demo") as sb:
        deals, contacts = DEALS[:6], CONTACTS[:12]
        for deal in deals:
            for contact in rng.sample(contacts, rng.randint(1, 4)):
                sb.associate("deals", deal, "contacts", contact)
        client = client_for(sb)
        forward = hf.read_associations(client, "deals", "contacts", deals, progress=False)
        back = hf.read_associations(client, "contacts", "deals", contacts, progress=False)
        both = pd.concat([forward, back], ignore_index=True)[
            ["from_type", "from_id", "to_type", "to_id"]
        ]
        sheet, spoiled = _spoiled(rng, both)
        scope = rng.sample(deals + contacts, 8) if rng.random() < 0.4 else None
        before = _links(sb)
        result = hf.sync(
            sheet, client, allow_removals=True, max_removals=1000, scope=scope, progress=False
        )
        after = _links(sb)
    removed = before - after
    assert not removed & _named(sheet), (removed & _named(sheet), sheet)
    if spoiled:  # one object pair both ways: a spoiled from id holds all of it
        assert not removed, (removed, spoiled, sheet)
    assert result["sheet"].ne("(portal)").sum() == len(sheet)
    assert result.loc[: len(sheet) - 1, "row"].tolist() == list(range(2, len(sheet) + 2))


def test_a_pair_kept_the_other_way_while_its_label_goes_there_too() -> None:
    """Deal 0's rows leave contact 0 out (the pair's removal, its label riding on it); contact
    0's row keeps the pair without its label.  The pair's removal is held (it had no removal to
    ride on: the sync stopped with a KeyError); the label, which the other direction removes
    too, is removed on its own (held with the pair, its row said "Kept" while it went)."""
    deal, contact = DEALS[0], CONTACTS[0]  # the demo portal: "Decision maker"
    sheet = _sheet([("deals", deal, "contacts", CONTACTS[1]), ("contacts", contact, "deals", deal)])
    sheet["label"] = ["Decision maker", None]  # a label column: the sheet says labels
    with Sandbox(seed="demo") as sb:
        result = hf.sync(sheet, client_for(sb), allow_removals=True, progress=False)
        table = sb.associations("deals", "contacts")
        kept = table.loc[(table["from_id"] == deal) & (table["to_id"] == contact), "type_id"]
    assert kept.tolist() == [3], result  # linked, the label gone
    forward = result.loc[(result["sheet"] == "(portal)") & (result["from_id"] == deal)]
    assert len(forward) == 2  # the pair's link and its label
    link, label = (forward.loc[forward["label"].isna()], forward.loc[forward["label"].notna()])
    assert link["error_code"].tolist() == ["REMOVAL_HELD"], forward
    assert label["status"].tolist() == ["success"], forward


TYPOS = ["1019369002", "1019360902", "10193600002", "1019306002"]  # no such contact


@pytest.mark.parametrize("typo", TYPOS)
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_target_that_names_no_record_holds_its_record(typo: str, dry_run: bool) -> None:
    """A typo of a contact id is a well-formed id: only HubSpot knows it names no contact.
    The sync removed the real pair first, then failed to add the typo's (OBJECT_NOT_FOUND);
    the records a record's new pairs name are now read when the record loses pairs."""
    deal = DEALS[0]  # the demo portal: contacts 0 and 1
    sheet = _sheet([("deals", deal, "contacts", CONTACTS[0]), ("deals", deal, "contacts", typo)])
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        result = hf.sync(
            sheet, client_for(sb), allow_removals=True, dry_run=dry_run, progress=False
        )
        assert _links(sb) == before
    assert (result.loc[1, "status"], result.loc[1, "error_code"]) == ("invalid", "OBJECT_NOT_FOUND")
    assert pd.isna(result.loc[1, "change"])
    held = _held(result)
    assert set(held["error_code"]) == {"REMOVAL_HELD"} and len(held) == 2, held
    assert "row 3" in held["error_message"].iloc[0]


def test_a_target_that_exists_lets_the_removal_go() -> None:
    deal = DEALS[0]
    sheet = _sheet(
        [("deals", deal, "contacts", CONTACTS[0]), ("deals", deal, "contacts", CONTACTS[5])]
    )
    with Sandbox(seed="demo") as sb:
        result = hf.sync(sheet, client_for(sb), allow_removals=True, progress=False)
        assert _links(sb) >= {frozenset((deal, CONTACTS[5]))}
        assert frozenset((deal, CONTACTS[1])) not in _links(sb)
    assert set(result["status"]) == {"success", "skipped"}, result


def test_targets_that_cannot_be_checked_hold_the_record() -> None:
    """The read of the new contact never names it (an answer that leaves it out): whether it
    exists is unknown, and the deal's removals are held, saying why."""
    deal, new = DEALS[0], CONTACTS[5]
    sheet = _sheet([("deals", deal, "contacts", CONTACTS[0]), ("deals", deal, "contacts", new)])
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        with FaultProxy(sb, drop_reads=new) as proxy:
            client = _through(sb, proxy)
            result = hf.sync(sheet, client, allow_removals=True, dry_run=True, progress=False)
        assert _links(sb) == before
    held = _held(result)
    assert set(held["error_code"]) == {"REMOVAL_HELD"}, held
    assert "could not be read" in held["error_message"].iloc[0]


@pytest.mark.parametrize("totals", [["Total", 2], ["Total", None], [None, 2], [2, 2]])
def test_an_excel_tables_totals_row_holds_nothing(totals: list[object]) -> None:
    """A table's totals row is no record's: it held every removal of the object pair as a
    row whose from id cannot be read, since its first issue (BAD_ID, MISSING_VALUE) was the
    code its outcome carried, not TOTALS_ROW.  The sync removes what the sheet leaves out."""
    import io

    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table

    deal, keep, drop = DEALS[0], CONTACTS[0], CONTACTS[1]  # the demo portal: 0 and 1
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in (["Deal ID", "Contact ID"], [deal, keep], totals):
        ws.append(row)
    table = Table(displayName="Links", ref="A1:B3")
    table.totalsRowCount = 1
    ws.add_table(table)
    data = io.BytesIO()
    book.save(data)
    with Sandbox(seed="demo") as sb:
        pairs = hf.read_pairs(data.getvalue(), from_type="deals", to_type="contacts")
        result = hf.sync(pairs, client_for(sb), allow_removals=True, progress=False)
        assert frozenset((deal, drop)) not in _links(sb)
    assert result.loc[1, "status"] == "invalid"  # the totals row: not sent
    assert set(_held(result)["status"]) == {"success"}, result


def test_a_target_check_that_fails_holds_the_association_both_ways() -> None:
    """The check of deal 0's new contact fails: its removals are held, and the same
    association was removed all the same from the other direction's rows (contact 1 ->
    another deal), the report saying it was kept."""
    deal, new = DEALS[0], CONTACTS[5]
    sheet = _sheet([("deals", deal, "contacts", new), ("contacts", CONTACTS[1], "deals", DEALS[3])])
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        with FaultProxy(sb, drop_reads=new) as proxy:
            client = _through(sb, proxy)
            result = hf.sync(sheet, client, allow_removals=True, progress=False)
        assert frozenset((deal, CONTACTS[1])) in _links(sb)
        assert frozenset((deal, CONTACTS[0])) in _links(sb)
    gone = result.loc[(result["change"] == "remove") & (result["status"] == "success")]
    named = {frozenset((f, t)) for f, t in zip(gone["from_id"], gone["to_id"], strict=True)}
    assert not named & before & {frozenset((deal, CONTACTS[1])), frozenset((deal, CONTACTS[0]))}
