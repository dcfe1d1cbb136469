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

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

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
