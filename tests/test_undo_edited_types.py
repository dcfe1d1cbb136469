"""An undo never acts on a type id its row's label disagrees with.

A report edited by hand (an autofill down the type_id column, a paste, a typo) can pair a
row's label with another type's id.  Undo acts on the type id, so it removed the label the id
names -- one that was there before the run -- and reported the row's own label ``success``;
for a sync's removal it created a type that was never there.  Such a row is now
``NOT_UNDOABLE``, naming the label and the type id, and nothing is sent for it.  A label
spelled with other case or spaces still agrees; when the pair's types cannot be read, the
type id is acted on as the run wrote it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL = str(demo_ids("deals")[9])
CONTACTS = [str(c) for c in demo_ids("contacts")[80:84]]
LABELS = ["Champion", "Decision maker", "Budget holder"]

Link = tuple[str, str, int]


def _links(sb: Sandbox) -> set[Link]:
    """Every deals -> contacts association of DEAL, as (deal, contact, type id)."""
    found = sb.associations("deals", "contacts")
    mine = found[found["from_id"].astype(str) == DEAL]
    return {
        (str(f), str(t), int(k))
        for f, t, k in zip(mine["from_id"], mine["to_id"], mine["type_id"], strict=True)
    }


def _edited(result: pd.DataFrame, where: str, tmp: Path, edits: dict[int, int]) -> object:
    """The run as undo gets it (``where``: the table, an .xlsx or a .csv report), with the
    type_id cells of rows ``edits`` replaced."""
    if where == "table":
        table = result.copy()
        for row, type_id in edits.items():
            table.loc[row, "type_id"] = type_id
        return table
    path = tmp / f"report.{where}"
    export_report(result, path)
    if where == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for row, type_id in edits.items():
            frame.loc[row, "type_id"] = str(type_id)
        frame.to_csv(path, index=False)
        return path
    book = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    for row, type_id in edits.items():
        book["Results"].loc[row, "type_id"] = str(type_id)
    with pd.ExcelWriter(path) as writer:
        for name, frame in book.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    labels=st.lists(st.sampled_from(LABELS), min_size=1, max_size=3, unique=True),
    before=st.sets(st.sampled_from(LABELS), max_size=2),
    where=st.sampled_from(["table", "xlsx", "csv"]),
)
def test_an_undo_never_acts_on_a_type_id_its_label_disagrees_with(
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
    labels: list[str],
    before: set[str],
    where: str,
) -> None:
    contact = CONTACTS[0]
    sheet = pd.DataFrame({"Deal ID": DEAL, "Contact ID": contact, "Association label": labels})
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        ids = {lab: sb.type_id("deals", "contacts", lab) for lab in LABELS}
        ids[""] = sb.type_id("deals", "contacts")
        for label in before:  # labels the pair held before the run
            sb.associate("deals", DEAL, "contacts", contact, ids[label])
        start = _links(sb)
        result = hf.associate(sheet, client, record_existing=True, progress=False)
        edits = data.draw(
            st.dictionaries(
                st.sampled_from(range(len(labels))), st.sampled_from(sorted(ids.values()))
            ),
            "edits",
        )
        run = _edited(result, where, tmp_path_factory.mktemp("undo"), edits)
        undone = hf.undo(run, client, progress=False)
        end = _links(sb)
    created = result["status"].eq("success") & ~result["existed_before"].astype(bool)
    wrong = {r for r, type_id in edits.items() if type_id != ids[labels[r]] and created[r]}
    for row in range(len(labels)):
        code, message = str(undone.loc[row, "error_code"]), str(undone.loc[row, "error_message"])
        if row in wrong:
            assert code == "NOT_UNDOABLE", (row, message)
            assert f'"{labels[row]}"' in message and str(edits[row]) in message, message
        else:
            assert code != "NOT_UNDOABLE", (row, message)
    assert start <= end, "an undo removed an association that was there before the run"
    made = {(DEAL, contact, ids[labels[row]]) for row in wrong}
    if wrong and not start:  # the run linked the pair: its plain link stays for the label
        made.add((DEAL, contact, ids[""]))
    assert end - start <= made, "only the rows left NOT_UNDOABLE keep what the run made"


def test_a_label_spelled_otherwise_still_agrees(tmp_path: Path) -> None:
    """Case and spaces are not a disagreement: the row is taken back."""
    sheet = pd.DataFrame(
        {"Deal ID": [DEAL], "Contact ID": [CONTACTS[1]], "Association label": ["Champion"]}
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        start = _links(sb)
        result = hf.associate(sheet, client, record_existing=True, progress=False)
        result.loc[0, "label"] = "  champion "
        undone = hf.undo(result, client, progress=False)
        assert undone.loc[0, "status"] == "success", undone.loc[0, "error_message"]
        assert _links(sb) == start


def test_a_syncs_removal_is_not_created_again_as_another_type(tmp_path: Path) -> None:
    """A sync removed a label; its report's row edited to another type id is not created
    again (that type was never there), and says why."""
    contact = CONTACTS[2]
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        champion = sb.type_id("deals", "contacts", "Champion")
        sb.associate("deals", DEAL, "contacts", contact, champion)
        start = _links(sb)
        sheet = pd.DataFrame(
            {"from_type": ["deals"], "from_id": [DEAL], "to_type": ["contacts"]}
            | {"to_id": [contact], "label": [None]}
        )
        result = hf.sync(sheet, client, allow_removals=True, progress=False)
        removed = result.index[result["change"] == "remove"].tolist()
        assert removed, result
        decision = sb.type_id("deals", "contacts", "Decision maker")
        run = _edited(result, "xlsx", tmp_path, dict.fromkeys(removed, decision))
        undone = hf.undo(run, client, progress=False)
        end = _links(sb)
    row = removed[0]
    assert undone.loc[row, "error_code"] == "NOT_UNDOABLE", undone.loc[row, "error_message"]
    assert (DEAL, contact, decision) not in end, "a type never there was created"
    assert end <= start


def test_when_the_pairs_types_cannot_be_read_the_type_id_is_acted_on() -> None:
    """No types to compare with (the labels path answers 503): the row is taken back by its
    type id as before, never refused on a guess."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    sheet = pd.DataFrame(
        {"Deal ID": [DEAL], "Contact ID": [CONTACTS[3]], "Association label": ["Champion"]}
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        start = _links(sb)
        result = hf.associate(sheet, client, record_existing=True, progress=False)
        with FaultProxy(sb, fail_path="/labels") as proxy:
            slow = HubSpotClient(
                token=sb.token, base_url=proxy.url, max_retries=1, backoff_base=0.01
            )
            undone = hf.undo(result, slow, progress=False)
        assert undone.loc[0, "status"] == "success", undone.loc[0, "error_message"]
        assert _links(sb) == start
