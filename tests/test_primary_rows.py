"""Rows of one sheet that give a contact, deal or ticket two different primary companies.

HubSpot keeps one primary company per record ("This API supports changing which company is
considered the primary"): sent, both rows came back ``success`` while HubSpot kept one of them
(the other's label gone), and validation said nothing.  Every such row is now ``invalid``,
``CONFLICTING_ROWS``, naming the record, the companies and the rows, and none is sent -- found
alike by ``hf.validate_pairs(pairs, client)``, a dry run and a run, whichever side of its row
names the record (deal -> company 5, company -> deal 6) and whether the type is given by label
or by type id.  Naming the same primary again is no conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import PRIMARY_TYPES
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

TYPES = {t.record_type: t for t in PRIMARY_TYPES}
#: (record kind, record number, company number, side naming the record, spelling of the type)
Row = tuple[str, int, int, str, str]


def _record(kind: str, n: int) -> str:
    ids = demo_ids(kind)
    return str(ids[len(ids) - 1 - n])


def _company(n: int) -> str:
    return str(demo_ids("companies")[40 + n])


def _sheet(rows: Sequence[Row]) -> pd.DataFrame:
    cells: list[dict[str, Any]] = []
    for kind, r, c, side, by in rows:
        t = TYPES[kind]
        record, company = _record(kind, r), _company(c)
        if side == "record":
            a, f, b, to, type_id = kind, record, "companies", company, t.to_company
        else:
            a, f, b, to, type_id = "companies", company, kind, record, t.from_company
        cells.append(
            {
                "From Type": a,
                "From ID": f,
                "To Type": b,
                "To ID": to,
                "Association Label": "Primary" if by == "label" else "",
                "Type ID": str(type_id) if by == "type_id" else "",
            }
        )
    return pd.DataFrame(cells, dtype=object)


def _expected_conflicts(rows: Sequence[Row]) -> set[int]:
    companies: dict[tuple[str, int], set[int]] = {}
    for kind, r, c, _, _ in rows:
        companies.setdefault((kind, r), set()).add(c)
    return {n for n, (kind, r, _, _, _) in enumerate(rows) if len(companies[(kind, r)]) > 1}


def _conflicting(codes: pd.Series) -> set[int]:
    return {int(n) for n, code in codes.items() if str(code) == "CONFLICTING_ROWS"}


def _primaries(sb: Sandbox, kind: str) -> dict[str, set[str]]:
    rows = sb.associations(kind, "companies")
    held = rows[rows["type_id"].astype(int) == TYPES[kind].to_company]
    out: dict[str, set[str]] = {}
    for record, company in zip(held["from_id"], held["to_id"], strict=True):
        out.setdefault(str(record), set()).add(str(company))
    return out


def _check_everywhere(rows: Sequence[Row], **run: Any) -> pd.DataFrame:
    """Validation with a client, the dry run and the run name the same conflicting rows; the
    conflicting records are left as they were, the others get their one primary."""
    expected = _expected_conflicts(rows)
    pairs = hf.read_pairs(_sheet(rows))
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        issues = hf.validate_pairs(pairs, client)
        found = issues.loc[issues["code"] == "CONFLICTING_ROWS", "position"].astype(int)
        assert set(found) == expected, issues.to_dict("records")
        dry = hf.associate(pairs, client, dry_run=True, progress=False)
        assert _conflicting(dry["error_code"].reset_index(drop=True)) == expected
        result = hf.associate(pairs, client, progress=False, **run)
        result = result.reset_index(drop=True)
        assert _conflicting(result["error_code"]) == expected
        for n, status in result["status"].items():
            want = {"invalid"} if n in expected else {"success", "duplicate"}
            assert status in want, (n, result.iloc[int(n)].to_dict())
        for kind in {row[0] for row in rows}:
            wanted = {
                _record(kind, r): {_company(c)}
                for n, (k, r, c, _, _) in enumerate(rows)
                if k == kind and n not in expected
            }
            assert _primaries(sb, kind) == wanted
    return result


_ROW = st.tuples(
    st.sampled_from(list(TYPES)),
    st.integers(0, 1),
    st.integers(0, 2),
    st.sampled_from(["record", "company"]),
    st.sampled_from(["label", "type_id"]),
)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ROW, min_size=1, max_size=6, unique=True))
def test_every_row_giving_a_record_two_primaries_is_refused_everywhere(rows: list[Row]) -> None:
    _check_everywhere(rows)


@pytest.mark.parametrize("kind", list(TYPES))
@pytest.mark.parametrize("sides", [("record", "record"), ("record", "company")])
@pytest.mark.parametrize("by", ["label", "type_id"])
def test_two_primaries_for_one_record(kind: str, sides: tuple[str, str], by: str) -> None:
    rows: list[Row] = [(kind, 0, 0, sides[0], by), (kind, 1, 2, "record", by)]
    rows.append((kind, 0, 1, sides[1], by))
    result = _check_everywhere(rows, record_existing=True)
    message = str(result["error_message"].iloc[0])
    # the message names the record, both companies and both rows (its words are the point)
    assert f"{kind[:-1]} {_record(kind, 0)}" in message
    assert f"row 2 names company {_company(0)}" in message
    assert f"row 4 names company {_company(1)}" in message
    assert result["error_message"].iloc[2] == message


@pytest.mark.parametrize("by", ["label", "type_id"])
def test_the_same_primary_named_again_is_no_conflict(by: str) -> None:
    rows: list[Row] = [("deals", 0, 0, "record", by), ("deals", 0, 0, "company", by)]
    result = _check_everywhere(rows)
    assert set(result["status"]) == {"success"}


def test_a_repeated_row_of_a_conflict_stays_a_duplicate_of_it() -> None:
    """A row repeating a conflicting row cell for cell is a duplicate of it (the sheet's own
    check); the row it repeats is invalid and says why."""
    sheet = _sheet([("deals", 0, 0, "record", "label"), ("deals", 0, 1, "record", "label")])
    sheet = pd.concat([sheet, sheet.iloc[[0]]], ignore_index=True)
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = hf.associate(hf.read_pairs(sheet), client, progress=False)
    assert result["status"].tolist() == ["invalid", "invalid", "duplicate"]


def test_many_rows_and_companies_keep_the_message_short() -> None:
    rows: list[Row] = [("deals", 0, c, "record", "label") for c in range(3)]
    rows += [("deals", 0, c, "company", "label") for c in range(3)]
    rows += [("deals", 0, c, "record", "type_id") for c in range(3)]
    result = _check_everywhere(rows)
    message = str(result["error_message"].iloc[0])
    assert message.count("row") <= 12 and "more rows" not in message


def test_a_sync_sheet_giving_a_record_two_primaries_keeps_it_as_it_is() -> None:
    rows: list[Row] = [("deals", 0, 0, "record", "label"), ("deals", 0, 1, "record", "label")]
    deal = _record("deals", 0)
    with Sandbox(seed="demo") as sb:
        sb.associate("deals", deal, "companies", _company(2), 5)
        client = client_for(sb)
        result = hf.sync(hf.read_pairs(_sheet(rows)), client, allow_removals=True, progress=False)
        sheet_rows = result.iloc[:2]
        assert set(sheet_rows["error_code"]) == {"CONFLICTING_ROWS"}
        assert _primaries(sb, "deals") == {deal: {_company(2)}}
