"""A sync's retry file, synced again with removals, never removes what the sheet keeps.

A sync is scoped by record: its retry file holds every row of each record with something
still to do.  Before, records were told by ``from_type`` as written, so a custom object
written two ways (``2-7350001`` on one row, ``p_installations`` on another) was two records,
and the file held the failed row alone; and a row of the other direction keeping an
association of such a record (``contacts -> deals`` beside ``deals -> contacts``) was left out.
Synced again with removals (its typo fixed), either file removed an association the sheet
keeps.  And an ``.xlsx`` export that read no record (its ids all deleted) wrote a scope sheet
of a header alone, and every sync of the edited workbook was refused, naming types no row
could give.  Against the demo sandbox over HTTP.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.report import export_retry
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

ID, NAME = "2-7350001", "p_installations"
DEALS = [str(i) for i in demo_ids("deals")[:4]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:8]]
INSTALLATIONS = [str(i) for i in demo_ids("installations")[:4]]
LABELS = ["", "Decision maker", "Champion"]
BOGUS = "Bogus"  # a label no pair has: the row is invalid until it is fixed
UNKNOWN = {"contacts": "1019369999", "deals": "2049999999"}  # ids naming no record
COLUMNS = ["from_type", "from_id", "to_type", "to_id", "label"]
Row = tuple[str, str, str, str, str]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sb:
        yield sb


def links(client: hf.HubSpotClient, from_type: str, to_type: str, ids: list[str]) -> set[Row]:
    """What the portal holds from ``ids``, one entry per link (label '') and per label."""
    read = hf.read_associations(client, from_type, to_type, ids=ids, progress=False)
    out = {
        (from_type, f, to_type, t, "") for f, t in zip(read["from_id"], read["to_id"], strict=True)
    }
    labeled = read[read["label"].notna()]
    return out | {
        (from_type, f, to_type, t, str(label))
        for f, t, label in zip(labeled["from_id"], labeled["to_id"], labeled["label"], strict=True)
    }


def held(client: hf.HubSpotClient, rows: list[Row]) -> list[Row]:
    """``rows`` (object types as HubSpot reads them: a custom object by its type id) that the
    portal does not hold: each row's link, and its label when it names one."""
    missing: list[Row] = []
    for row in rows:
        from_type, from_id, to_type, to_id, label = row
        found = links(client, from_type, to_type, [from_id])
        wanted = {
            (from_type, from_id, to_type, to_id, ""),
            (from_type, from_id, to_type, to_id, label),
        }
        if not wanted <= found:
            missing.append(row)
    return missing


def kept_rows(result: pd.DataFrame) -> list[Row]:
    """The sheet rows the sync kept or added: what the sheet keeps, custom objects read by
    their type id."""
    done = result[
        (result["sheet"] != "(portal)")
        & result["change"].isin(["keep", "add"])
        & result["status"].isin(["success", "skipped"])
    ]
    return [
        (
            ID if f == NAME else f,
            str(fi),
            ID if t == NAME else t,
            str(ti),
            "" if pd.isna(label) else str(label),
        )
        for f, fi, t, ti, label in done[COLUMNS].itertuples(index=False)
    ]


def fixed_retry(result: pd.DataFrame, folder: Path, suffix: str) -> Path:
    """The retry file of ``result`` with its failing cells fixed as an analyst would (a bogus
    label emptied, a row naming no record deleted), written again as ``suffix``."""
    written = export_retry(result, folder / f"retry{suffix}")
    if suffix == ".csv":
        table = pd.read_csv(written, dtype=str, keep_default_na=False)
    else:
        table = pd.read_excel(written, dtype=str, engine="openpyxl").fillna("")
    table.loc[table["label"] == BOGUS, "label"] = ""
    table = table[~table["to_id"].isin(UNKNOWN.values())]
    target = folder / f"fixed{suffix}"
    if suffix == ".csv":
        table.to_csv(target, index=False)
    else:
        table.to_excel(target, index=False, sheet_name="Retry")
    return target


def sync_with_removals(source: object, client: hf.HubSpotClient) -> pd.DataFrame:
    return hf.sync(source, client, allow_removals=True, max_removals=500, progress=False)


# --- the three cases as found ------------------------------------------------------------------


def test_a_custom_object_written_two_ways_is_one_record_of_the_retry_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    client = client_for(sandbox)
    sheet = tmp_path / "sheet.csv"
    rows = [
        (ID, INSTALLATIONS[0], "deals", DEALS[0], ""),  # kept
        (NAME, INSTALLATIONS[0], "deals", DEALS[1], BOGUS),  # invalid: its record held
    ]
    pd.DataFrame(rows, columns=COLUMNS).to_csv(sheet, index=False)
    result = sync_with_removals(sheet, client)
    assert result["status"].tolist() == ["skipped", "invalid"]
    fixed = fixed_retry(result, tmp_path, ".csv")
    assert pd.read_csv(fixed, dtype=str)["from_type"].tolist() == [ID, NAME]
    again = sync_with_removals(fixed, client)
    assert "remove" not in again["change"].tolist()
    assert held(client, [(ID, INSTALLATIONS[0], "deals", DEALS[0], "")]) == []


def test_the_other_directions_rows_keeping_a_record_are_in_the_retry_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    client = client_for(sandbox)
    deal, (c1, c2) = DEALS[0], CONTACTS[:2]
    rows = [
        ("deals", deal, "contacts", c1, "Decision maker"),
        ("deals", deal, "contacts", CONTACTS[7], BOGUS),  # invalid: deal 1 held
        ("contacts", c2, "deals", deal, "Decision maker"),  # keeps deal 1 - contact 2
    ]
    sheet = tmp_path / "sheet.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(sheet, index=False)
    result = sync_with_removals(sheet, client)
    assert set(result.loc[result["sheet"] == "(portal)", "error_code"]) == {"REMOVAL_HELD"}
    for suffix in (".csv", ".xlsx"):
        fixed = fixed_retry(result, tmp_path, suffix)
        back = hf.read_pairs(fixed)
        assert ("contacts", c2) in set(zip(back["from_type"], back["from_id"], strict=True)), suffix
    sync_with_removals(fixed, client)
    assert held(client, [("deals", deal, "contacts", c2, "Decision maker")]) == []


def test_an_export_that_read_no_record_syncs_as_the_records_its_sheet_lists(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    client = client_for(sandbox)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UnknownRecords: the deal was deleted
        export = hf.read_associations(client, "deals", "contacts", ids=[UNKNOWN["deals"]])
    path = tmp_path / "links.xlsx"
    hf.write_pairs(export, path)
    book = openpyxl.load_workbook(path)
    assert [[c.value for c in r] for r in book["Export scope"].iter_rows()] == [
        ["from_type", "from_id", "to_type"]
    ]
    deal, contact = DEALS[1], CONTACTS[6]
    book["Associations"].append(["deals", deal, "contacts", contact, "Champion", None, None])
    book.save(path)
    before = links(client, "deals", "contacts", DEALS)
    plan = hf.sync(path, client, allow_removals=True, dry_run=True, progress=False)
    # deal 2 is synced as any record the sheet lists; no other record is in scope
    assert set(plan["from_id"]) == {deal}
    assert "add" in plan["change"].tolist()
    notes = hf.read_pairs(path).attrs["hubframe"]["export_scope"]
    assert list(notes["ids"]) == []
    result = sync_with_removals(path, client)
    assert result.loc[result["sheet"] != "(portal)", "status"].tolist() == ["success"]
    after = links(client, "deals", "contacts", DEALS)
    others = {r for r in before if r[1] != deal}
    assert others <= after  # no record the export did not read lost anything


# --- the class: sheets mixing directions and spellings, with rows that fail --------------------


def _contact_row(rng: random.Random) -> Row:
    deal, contact, label = rng.choice(DEALS), rng.choice(CONTACTS), rng.choice(LABELS)
    if rng.random() < 0.5:
        return ("deals", deal, "contacts", contact, label)
    return ("contacts", contact, "deals", deal, label)


def _installation_row(rng: random.Random) -> Row:
    deal, installation = rng.choice(DEALS), rng.choice(INSTALLATIONS)
    spelled = rng.choice([ID, NAME])
    if rng.random() < 0.5:
        return (spelled, installation, "deals", deal, "")
    return ("deals", deal, spelled, installation, "")


def _failing(row: Row, rng: random.Random) -> Row:
    """``row`` made to fail: a bogus label, or a target naming no record (contacts and deals
    have ids that name none; an installation row gets the bogus label)."""
    from_type, from_id, to_type, to_id, _ = row
    if to_type in UNKNOWN and rng.random() < 0.5:
        return (from_type, from_id, to_type, UNKNOWN[to_type], "")
    return (from_type, from_id, to_type, to_id, BOGUS)


def random_sheet(rng: random.Random) -> list[Row]:
    """Rows of deals <-> contacts and deals <-> installations, both directions, installations
    written by type id and by name, one to three of them failing."""
    rows = [_contact_row(rng) for _ in range(rng.randint(4, 9))]
    rows += [_installation_row(rng) for _ in range(rng.randint(2, 6))]
    rows = list(dict.fromkeys(rows))
    for pos in rng.sample(range(len(rows)), rng.randint(1, 3)):
        rows[pos] = _failing(rows[pos], rng)
    return list(dict.fromkeys(rows))


def seed_portal(sb: Sandbox, rng: random.Random) -> None:
    """Some associations beside the demo's, for the sync to keep or remove."""
    for _ in range(rng.randint(2, 6)):
        type_id = rng.choice([None, 1001, 1003])
        sb.associate("deals", rng.choice(DEALS), "contacts", rng.choice(CONTACTS), type_id)
    for _ in range(rng.randint(1, 3)):
        sb.associate("deals", rng.choice(DEALS), ID, rng.choice(INSTALLATIONS))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("seed", seeds(8))
def test_syncing_the_fixed_retry_file_keeps_what_the_sheet_keeps(
    seed: int, suffix: str, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    rows = random_sheet(rng)
    sheet = tmp_path / "sheet.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(sheet, index=False)
    with Sandbox(seed="demo") as sb:
        seed_portal(sb, rng)
        client = client_for(sb)
        result = sync_with_removals(sheet, client)
        kept = kept_rows(result)
        assert held(client, kept) == [], "the sync itself lost what it keeps"
        fixed = fixed_retry(result, tmp_path, suffix)
        again = sync_with_removals(fixed, client)
        lost = held(client, kept)
        assert lost == [], (rows, again[[*COLUMNS, "change", "status"]].to_string())
