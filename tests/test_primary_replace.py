"""A row that makes another company a record's primary: the run says which one it replaces,
and its undo does not leave the record without a primary company.

HubSpot keeps one primary company per contact, deal or ticket; setting another moves it, the
old company staying associated without the label.  The dry run, the pre-flight and the run
said nothing of the company demoted, and the undo (which removes only what the run created)
left the record with no primary at all.  Where the run reads the portal before sending
(pre-flight, ``record_existing`` / a journal), the row now names the company it replaces; the
undo of such a row from its result table or report is ``NOT_UNDOABLE``, saying why and how to
put the old primary back, and changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.constants import PRIMARY_TYPES
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

TYPES = {t.record_type: t for t in PRIMARY_TYPES}
OLD, NEW = str(demo_ids("companies")[40]), str(demo_ids("companies")[41])


def _record(kind: str) -> str:
    return str(demo_ids(kind)[-1])


def _sheet(kind: str, side: str, company: str) -> pd.DataFrame:
    t, record = TYPES[kind], _record(kind)
    if side == "record":
        cells = (kind, record, "companies", company, t.to_company)
    else:
        cells = ("companies", company, kind, record, t.from_company)
    names = ("From Type", "From ID", "To Type", "To ID", "Type ID")
    return pd.DataFrame([dict(zip(names, map(str, cells), strict=True))], dtype=object)


def _primaries(sb: Sandbox, kind: str) -> set[str]:
    rows = sb.associations(kind, "companies")
    mine = rows[(rows["from_id"].astype(str) == _record(kind))]
    held = mine[mine["type_id"].astype(int) == TYPES[kind].to_company]
    return set(held["to_id"].astype(str))


def _linked(sb: Sandbox, kind: str) -> set[str]:
    rows = sb.associations(kind, "companies")
    return set(rows.loc[rows["from_id"].astype(str) == _record(kind), "to_id"].astype(str))


RUNS: dict[str, dict[str, Any]] = {
    "dry run": {"dry_run": True},
    "pre-flight": {"preflight": True},
    "state before": {"record_existing": True},
}


@pytest.mark.parametrize("how", list(RUNS))
@pytest.mark.parametrize("side", ["record", "company"])
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_row_names_the_primary_it_replaces(kind: str, side: str, how: str) -> None:
    with Sandbox(seed="demo") as sb:
        sb.associate(kind, _record(kind), "companies", OLD, TYPES[kind].to_company)
        client = client_for(sb)
        result = hf.associate(
            hf.read_pairs(_sheet(kind, side, NEW)), client, progress=False, **RUNS[how]
        )
        row = result.iloc[0]
        assert row["status"] == ("planned" if how == "dry run" else "success")
        message = str(row["error_message"])
        # the words are the point: the record and the company it replaces
        assert f"Replaces {kind[:-1]} {_record(kind)}'s primary company {OLD}" in message
        assert _primaries(sb, kind) == ({OLD} if how == "dry run" else {NEW})


@pytest.mark.parametrize("kind", list(TYPES))
def test_no_word_when_the_record_has_no_primary_or_the_same_one(kind: str) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        first = hf.associate(
            hf.read_pairs(_sheet(kind, "record", NEW)), client, progress=False, preflight=True
        )
        again = hf.associate(
            hf.read_pairs(_sheet(kind, "company", NEW)), client, progress=False, preflight=True
        )
    assert pd.isna(first["error_message"].iloc[0])
    assert "Replaces" not in str(again["error_message"].iloc[0])


@pytest.mark.parametrize("source", ["table", "report"])
@pytest.mark.parametrize("side", ["record", "company"])
@pytest.mark.parametrize("linked", [False, True])
@pytest.mark.parametrize("kind", list(TYPES))
def test_the_undo_of_a_replaced_primary_never_leaves_the_record_without_it(
    kind: str, linked: bool, side: str, source: str, tmp_path: Path
) -> None:
    with Sandbox(seed="demo") as sb:
        sb.associate(kind, _record(kind), "companies", OLD, TYPES[kind].to_company)
        if linked:  # the new company was associated already, unlabeled
            sb.associate(kind, _record(kind), "companies", NEW)
        client = client_for(sb)
        pairs = hf.read_pairs(_sheet(kind, side, NEW))
        result = hf.associate(pairs, client, progress=False, journal=tmp_path / "run.sqlite")
        assert result["status"].tolist() == ["success"]
        run: Any = result
        if source == "report":
            run = tmp_path / "report.xlsx"
            hf.export_report(result, run)
        undone = hf.undo(run, client, progress=False)
        assert undone["status"].tolist() == ["skipped"]
        assert undone["error_code"].tolist() == ["NOT_UNDOABLE"]
        assert OLD in str(undone["error_message"].iloc[0])
        # not left without a primary: the run's end state stands, for the analyst to decide
        assert _primaries(sb, kind) == {NEW}
        assert _linked(sb, kind) == {OLD, NEW}


def test_the_undo_of_a_primary_that_replaced_none_still_removes_it(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = hf.associate(
            hf.read_pairs(_sheet("deals", "record", NEW)),
            client,
            progress=False,
            record_existing=True,
        )
        undone = hf.undo(result, client, progress=False)
        assert undone["status"].tolist() == ["success"]
        assert _linked(sb, "deals") == set()
