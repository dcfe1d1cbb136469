"""An undo leaves the plain link of a pair whose label, the run's, is gone since.

A run linked two records that had no link with a label.  Since, the label was removed in
HubSpot (the pair keeps its plain link), or the pair was removed and linked again without a
label.  The run's row said ``success``, and its undo removed the pair whole: the dry run said
``planned``, the undo ``success``, and the plain link -- someone else's now -- was gone.  A row
of unknown outcome already went by what the pair holds (its label missing: the write never
landed, the link is not taken for the run's); an applied row now does the same: ``skipped``
``NOT_ASSOCIATED``, nothing sent, the link kept.  Either direction of the run's sheet, the
undo given the ``.xlsx`` report, the ``.csv`` report, the result table or the journal, and
its dry run says what it does.  The run's rows whose association is still there (a plain
link, another label) are taken back as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_journal_between import deals_and_contacts

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

DEALS = [str(5_600_000_001 + i) for i in range(3)]
CONTACTS = [str(6_600_000_001 + i) for i in range(3)]
#: Row 0: the label removed since (or the pair linked again plain); rows 1 and 2 kept as the
#: run left them, a label and a plain link: taken back.
LABELS = ["Decision maker", "Decision maker", ""]
KW = {"progress": False}
Entry = tuple[str, str, int]

Setting = tuple[Sandbox, HubSpotClient, Path]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    sb, client = deals_and_contacts(sandbox_factory, DEALS, CONTACTS, "Decision maker")
    return sb, client, tmp_path


def _sheet(direction: str) -> pd.DataFrame:
    ids = {"Deal ID": DEALS, "Contact ID": CONTACTS}
    order = ["Deal ID", "Contact ID"] if direction == "deals" else ["Contact ID", "Deal ID"]
    return pd.DataFrame({**{name: ids[name] for name in order}, "Association label": LABELS})


def _held(sb: Sandbox) -> set[Entry]:
    """Every type between the deals and contacts, both directions (deal, contact, type)."""
    out: set[Entry] = set()
    for from_type, to_type in (("deals", "contacts"), ("contacts", "deals")):
        found = sb.associations(from_type, to_type)
        for f, t, k in found[["from_id", "to_id", "type_id"]].itertuples(index=False):
            deal, contact = (f, t) if from_type == "deals" else (t, f)
            out.add((str(deal), str(contact), int(k)))
    return out


def _plain(sb: Sandbox, n: int) -> set[Entry]:
    """Pair ``n``'s plain link, both directions."""
    there = sb.type_id("deals", "contacts", None)
    back = sb.type_id("contacts", "deals", None)
    return {(DEALS[n], CONTACTS[n], there), (DEALS[n], CONTACTS[n], back)}


def _label_gone(sb: Sandbox, client: HubSpotClient, how: str) -> None:
    """Pair 0 loses the run's label: the label alone removed, or the pair removed and linked
    again without one (by hand: no journal)."""
    label = "Decision maker" if how == "label removed" else ""
    gone = pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": CONTACTS[:1], "Label": [label]})
    assert (hf.remove_associations(gone, client, **KW)["status"] == "success").all()
    if how == "linked again plain":
        sb.associate("deals", DEALS[0], "contacts", CONTACTS[0])


def _source(kind: str, run: pd.DataFrame, tmp: Path) -> object:
    if kind in ("xlsx", "csv"):
        return hf.export_report(run, tmp / f"r.{kind}")
    return tmp / "run.sqlite" if kind == "journal" else run


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # the .csv report
@pytest.mark.parametrize("source", ["xlsx", "csv", "table", "journal"])
@pytest.mark.parametrize("how", ["label removed", "linked again plain"])
@pytest.mark.parametrize("direction", ["deals", "contacts"])
def test_a_row_whose_label_is_gone_leaves_the_link_the_pair_holds_now(
    setting: Setting, direction: str, how: str, source: str
) -> None:
    sb, client, tmp = setting
    run = hf.associate(_sheet(direction), client, journal=tmp / "run.sqlite", **KW)
    assert (run["status"] == "success").all(), run
    assert not run["linked_before"].any(), run
    _label_gone(sb, client, how)
    assert {e for e in _held(sb) if e[0] == DEALS[0]} == _plain(sb, 0)
    given = _source(source, run, tmp)
    planned = hf.undo(given, client, dry_run=True, **KW)  # type: ignore[arg-type]
    sent = len(sb.request_log())
    undone = hf.undo(given, client, **KW)  # type: ignore[arg-type]
    assert _held(sb) == _plain(sb, 0), undone  # pair 0's link kept; the run's others gone
    mine = undone["from_id"].astype(str).isin([DEALS[0], CONTACTS[0]]).to_numpy()
    assert undone.loc[mine, "status"].tolist() == ["skipped"], undone
    assert undone.loc[mine, "error_code"].tolist() == ["NOT_ASSOCIATED"], undone
    assert (undone.loc[~mine, "status"] == "success").all(), undone
    log = sb.request_log().iloc[sent:]
    archived = log.loc[log["path"].str.contains("archive"), "inputs"].sum()
    assert archived == int((~mine).sum()), log  # nothing sent for pair 0
    assert planned["status"].replace({"planned": "success"}).tolist() == undone["status"].tolist()
    assert planned["error_code"].equals(undone["error_code"]), (planned, undone)


def test_a_label_a_later_run_of_the_journal_removed_leaves_the_runs_link_to_its_undo(
    setting: Setting,
) -> None:
    """Not a change outside the journal: the undo from the journal replays the pair's runs
    (the link the first made, the label the second removed) and takes the link back."""
    sb, client, tmp = setting
    journal = tmp / "run.sqlite"
    hf.associate(_sheet("deals"), client, journal=journal, **KW)
    gone = pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": CONTACTS[:1], "Label": [LABELS[0]]})
    hf.remove_associations(gone, client, journal=journal, **KW)
    assert {e for e in _held(sb) if e[0] == DEALS[0]} == _plain(sb, 0)
    undone = hf.undo(journal, client, **KW)
    assert _held(sb) == set(), undone
