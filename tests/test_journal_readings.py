"""What a journal says a pair held before a run is what the run that wrote it went by, and an
undo ends only the runs whose work it takes back.

Before:

* a resumed run took the first run's reading of a pair that run never sent: a link made by
  hand in between was reported ``existed_before=False`` and the undo of the report removed it;
* an undo from the journal paired a row with the first reading of its pair, by a run whose
  write HubSpot refused: the link made by hand since, which a later run found and reported
  ``existed_before=True``, was removed;
* the undo of one sheet's result table (or report) ended every open run of the journal, the
  stopped run of another sheet too: rerun, that sheet took the links its first run made for
  links found there, and the undo of its report left them in the portal.

Against a sandbox over HTTP; a run stopped by its ``cancel`` event stands in for a killed one
(both leave the run open, to be resumed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(7_100_000_001 + i) for i in range(12)]
CONTACTS = [str(8_100_000_001 + i) for i in range(12)]
ONE_BY_ONE = {"progress": False, "batch_size": 1, "workers": 1}


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", DEALS)
        sb.add_records("contacts", CONTACTS)
        yield sb


def links(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    return set(zip(found["from_id"], found["to_id"], strict=True))


def sheet(deals: list[str], contacts: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"Deal ID": deals, "Contact ID": contacts})
    return hf.read_pairs(frame, from_type="deals", to_type="contacts")


def stopped(pairs: pd.DataFrame, client: hf.HubSpotClient, journal: Path) -> pd.DataFrame:
    """A run of ``pairs`` stopped after its first batch (left open in ``journal``)."""
    cancel = threading.Event()
    result = hf.associate(
        pairs, client, journal=journal, cancel=cancel, on_progress=lambda _: cancel.set(),
        **ONE_BY_ONE,
    )  # fmt: skip
    assert "success" in set(result["status"]) and set(result["status"]) != "success"
    return result


@pytest.mark.parametrize("undo_from", ["table", "journal"])
def test_a_pair_linked_by_hand_before_a_resume_is_left_by_the_undo(
    portal: Sandbox, tmp_path: Path, undo_from: str
) -> None:
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    pairs = sheet(DEALS[:4], CONTACTS[:4])
    stopped(pairs, client, journal)
    portal.associate("deals", DEALS[3], "contacts", CONTACTS[3])  # by hand, before the resume
    resumed = hf.associate(pairs, client, journal=journal, **ONE_BY_ONE)
    assert resumed["existed_before"].tolist() == [False, False, False, True]
    assert resumed["status"].tolist() == ["success"] * 4
    hf.undo(resumed if undo_from == "table" else journal, client, **ONE_BY_ONE)
    assert links(portal) == {(DEALS[3], CONTACTS[3])}


def test_a_pair_a_run_could_not_link_and_linked_by_hand_since_is_left_by_the_undo(
    portal: Sandbox, tmp_path: Path
) -> None:
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    portal.set_limit("deals", "contacts", 1)
    pairs = sheet([DEALS[0], DEALS[0]], CONTACTS[:2])
    first = hf.associate(pairs, client, journal=journal, **ONE_BY_ONE)
    assert first["status"].tolist() == ["success", "failed"]
    portal.set_limit("deals", "contacts", None)
    portal.associate("deals", DEALS[0], "contacts", CONTACTS[1])  # by hand
    second = hf.associate(pairs, client, journal=journal, **ONE_BY_ONE)
    assert second["existed_before"].tolist() == [True, True]
    undone = hf.undo(journal, client, **ONE_BY_ONE)
    assert links(portal) == {(DEALS[0], CONTACTS[1])}, undone[["to_id", "status"]]


@pytest.mark.parametrize("undone", ["table", "report"])
def test_the_undo_of_one_sheet_leaves_another_sheets_stopped_run_to_resume(
    portal: Sandbox, tmp_path: Path, undone: str
) -> None:
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    sheet_b = sheet(DEALS[:4], CONTACTS[:4])
    stopped(sheet_b, client, journal)
    sheet_a = sheet(DEALS[8:10], CONTACTS[8:10])
    run_a = hf.associate(sheet_a, client, journal=journal, **ONE_BY_ONE)
    if undone == "report":
        hf.export_report(run_a, tmp_path / "a.xlsx")
        hf.undo(tmp_path / "a.xlsx", client, **ONE_BY_ONE)
    else:
        hf.undo(run_a, client, **ONE_BY_ONE)
    run_b = hf.associate(sheet_b, client, journal=journal, **ONE_BY_ONE)
    assert run_b["existed_before"].tolist() == [False] * 4  # its own first run's links too
    hf.undo(run_b, client, **ONE_BY_ONE)
    assert links(portal) == set()


def test_the_undo_of_a_sheet_ends_a_stopped_run_of_its_pairs(
    portal: Sandbox, tmp_path: Path
) -> None:
    """A stopped run that sent to the pairs the undo takes back is ended: run again, its
    recorded successes are not re-used for links the undo removed."""
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    pairs = sheet(DEALS[:4], CONTACTS[:4])
    first = stopped(pairs, client, journal)
    hf.undo(first, client, **ONE_BY_ONE)
    assert links(portal) == set()
    again = hf.associate(pairs, client, journal=journal, **ONE_BY_ONE)
    assert again["status"].tolist() == ["success"] * 4
    assert links(portal) == set(zip(DEALS[:4], CONTACTS[:4], strict=True))


@pytest.mark.parametrize("labeled", [False, True])
def test_a_resumed_removal_reports_what_its_stopped_run_removed_as_done(
    portal: Sandbox, tmp_path: Path, labeled: bool
) -> None:
    """Before: the row the stopped run removed was ``skipped``, ``NOT_ASSOCIATED`` ("already
    removed?") in the resumed run's report: the run's own work reported as not done."""
    client, journal = client_for(portal), tmp_path / "run.sqlite"
    champion = portal.add_label("deals", "contacts", "Champion")
    for deal, contact in zip(DEALS[:3], CONTACTS[:3], strict=True):
        portal.associate("deals", deal, "contacts", contact)
        portal.associate("deals", deal, "contacts", contact, champion)
    frame = pd.DataFrame({"Deal ID": DEALS[:3], "Contact ID": CONTACTS[:3]})
    if labeled:
        frame["Association label"] = "Champion"
    pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
    cancel = threading.Event()
    first = hf.remove_associations(
        pairs, client, journal=journal, cancel=cancel, on_progress=lambda _: cancel.set(),
        **ONE_BY_ONE,
    )  # fmt: skip
    assert first["status"].tolist()[0] == "success" and "skipped" in set(first["status"])
    resumed = hf.remove_associations(pairs, client, journal=journal, **ONE_BY_ONE)
    assert resumed["status"].tolist() == ["success"] * 3, resumed[["status", "error_message"]]
    left = {(d, c) for d, c, t in links_with_types(portal) if t == (champion if labeled else 3)}
    assert left == set()
    again = hf.remove_associations(pairs, client, journal=journal, **ONE_BY_ONE)  # finished
    assert set(again["error_code"]) == {"NOT_ASSOCIATED"}  # a new run: absent, not sent


def links_with_types(sb: Sandbox) -> set[tuple[str, str, int]]:
    found = sb.associations("deals", "contacts")
    types = found["type_id"].astype(int)
    return set(zip(found["from_id"], found["to_id"], types, strict=True))


def two_spellings(sb: Sandbox) -> pd.DataFrame:
    """Rows of a deal to four installations, the first naming the custom object by its type id
    (an association the portal holds already) and the others by its name."""
    deal = str(demo_ids("deals")[9])
    targets = [str(i) for i in demo_ids("installations")[10:14]]
    sb.associate("deals", deal, "2-7350001", targets[0])
    return pd.DataFrame(
        {
            "from_type": "deals",
            "from_id": deal,
            "to_type": ["2-7350001"] + ["p_installations"] * 3,
            "to_id": targets,
        }
    )


def test_the_undo_of_a_table_naming_a_custom_object_ends_the_runs_that_sent_it(
    tmp_path: Path,
) -> None:
    """A stopped sync of rows naming a custom object by its type id (a row already as the portal
    is) and by its name sends them under the first spelling; the undo of its table (which
    shows each row's own spelling, matching no pair it sent) ended no run before,
    so that a run after the undo sends again rather than re-use outcomes the undo took back."""
    with Sandbox(seed="demo") as sb:
        client, journal = client_for(sb), tmp_path / "run.sqlite"
        rows = two_spellings(sb)  # the first row kept: only the others are sent
        deal, targets = rows["from_id"].iloc[0], rows["to_id"].tolist()
        cancel = threading.Event()
        first = hf.sync(
            rows, client, journal=journal, cancel=cancel, on_progress=lambda _: cancel.set(),
            **ONE_BY_ONE,
        )  # fmt: skip
        assert "success" in set(first["status"])
        hf.undo(first, client, **ONE_BY_ONE)
        again = hf.sync(rows, client, journal=journal, **ONE_BY_ONE)
        sheet_rows = again[again["sheet"] != "(portal)"]
        assert sheet_rows["status"].tolist()[1:] == ["success"] * 3, again[["to_id", "status"]]
        links = sb.associations("deals", "2-7350001")
        assert set(targets) <= set(links.loc[links["from_id"] == deal, "to_id"])
