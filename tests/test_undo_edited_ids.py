"""An undo of a report whose ids were edited never acts on the records the edit names.

Before: a report row's ``to_id`` cell changed in Excel (a typo "fixed", the column sorted on
its own) made the undo remove the association it now named -- one that was there before the
run -- report it ``success`` and exit 0, and leave the run's own link in the portal.  The
report's own id columns ("Contact ID", as the sheet had them) say which records the run
linked: a row whose ids differ from them is refused, naming it, and nothing is removed.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import contact_properties
from hubframe.testing import client_for, demo_ids

DEALS = [str(d) for d in demo_ids("deals")[30:36]]
CONTACTS = [str(c) for c in demo_ids("contacts")[30:42]]


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    return {(str(f), str(t)) for f, t in zip(found["from_id"], found["to_id"], strict=True)}


def _write(result: pd.DataFrame, path: Path, edit: Any) -> Path:
    export_report(result, path)
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        edit(frame)
        frame.to_csv(path, index=False)
        return path
    book = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    edit(book["Results"])
    with pd.ExcelWriter(path) as writer:
        for name, frame in book.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def _run(sb: Sandbox) -> pd.DataFrame:
    sb.associate("deals", int(DEALS[0]), "contacts", int(CONTACTS[11]))  # there before the run
    sheet = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS[:6]})
    pairs = hf.read_pairs(sheet)
    return hf.associate(pairs, client_for(sb), progress=False, record_existing=True)


@pytest.mark.parametrize("seed", seeds(6))
def test_an_undo_of_a_report_with_edited_ids_removes_nothing(tmp_path: Path, seed: int) -> None:
    r = random.Random(seed)
    how = r.choice(["to_id", "from_id", "Contact ID", "sorted"])
    suffix = r.choice([".xlsx", ".csv"])
    at = r.randrange(6)

    def edit(frame: pd.DataFrame) -> None:
        if how == "sorted":  # one column sorted alone ("continue with the current selection")
            frame["to_id"] = sorted(frame["to_id"], reverse=True)
        elif how == "from_id":
            frame.loc[at, "from_id"] = DEALS[(at + 1) % 6]
        else:
            frame.loc[at, how] = CONTACTS[11]  # the link that was there before the run

    with Sandbox(seed="demo") as sb:
        result = _run(sb)
        assert set(result["status"]) == {"success"}
        before = _links(sb)
        report = _write(result, tmp_path / f"report{suffix}", edit)
        with pytest.raises(InputError, match=r"edited after it was read.*Nothing was removed"):
            hf.undo(report, client_for(sb), progress=False)
        assert _links(sb) == before, how


def test_an_unedited_report_and_a_result_table_undo_as_before(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        before_run = _links(sb) | {(DEALS[0], CONTACTS[11])}
        result = _run(sb)
        report = _write(result, tmp_path / "report.xlsx", lambda frame: None)
        undone = hf.undo(report, client_for(sb), progress=False)
        assert set(undone["status"]) == {"success"}, undone
        assert _links(sb) == before_run
        table = result.copy()
        table.loc[2, "Contact ID"] = CONTACTS[11]
        with pytest.raises(InputError, match="'Contact ID' cell of row 4"):
            hf.undo(table, client_for(sb), progress=False)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", "table"])
def test_an_undo_of_a_report_without_its_label_column_removes_nothing(
    tmp_path: Path, suffix: str
) -> None:
    """The label, type_id and category columns deleted: every row was taken for a plain link,
    ``skipped`` "Left in place" as if left out of the undo, exit 0, the run's labels kept."""
    gone = ["label", "type_id", "category"]
    with Sandbox(seed="demo") as sb:
        sheet = pd.DataFrame(
            {"Deal ID": DEALS[:2], "Contact ID": CONTACTS[:2], "Label": "Champion"}
        )
        client = client_for(sb)
        result = hf.associate(hf.read_pairs(sheet), client, progress=False, record_existing=True)
        after = sb.associations("deals", "contacts")
        if suffix == "table":
            run: Any = result.drop(columns=gone)
        else:
            run = _write(
                result, tmp_path / f"report{suffix}", lambda f: [f.pop(column) for column in gone]
            )
        with pytest.raises(InputError, match="no label column"):
            hf.undo(run, client, progress=False)
        assert sb.associations("deals", "contacts").equals(after)


@pytest.mark.parametrize("where", ["table", ".xlsx"])
def test_a_side_named_by_email_is_not_taken_for_an_edit(tmp_path: Path, where: str) -> None:
    """Its ids are the records HubSpot found, never the cell's text: not compared."""
    with Sandbox(seed="demo") as sb:
        emails = [p["email"] for p in contact_properties()][:2]
        sheet = pd.DataFrame({"Deal ID": DEALS[:2], "Contact email": emails})
        client = client_for(sb)
        result = hf.associate(hf.read_pairs(sheet), client, progress=False, record_existing=True)
        assert set(result["status"]) == {"success"}, result
        run: Any = result if where == "table" else _write(result, tmp_path / "r.xlsx", print)
        undone = hf.undo(run, client, progress=False)
        assert set(undone["status"]) == {"success"}, undone
