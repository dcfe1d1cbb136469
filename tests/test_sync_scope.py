"""``sync(scope=...)`` takes record ids in the forms an analyst has them, and refuses anything
else by name before the sync reads or sends anything.

Before: a scope of one id given as text (``scope="2040000001"``) was read as its characters
and a mistyped id (``"garbage"``, ``True``) was dropped, so every record (or the mistyped one)
was left out of the sync without a word; one id as a number stopped it with a TypeError.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oddcells import NoText

import hubframe
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")
SHEET = pd.DataFrame({"Deal ID": list(DEALS[:3]), "Contact ID": list(CONTACTS[:3])})


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


def _forms(deal: int) -> st.SearchStrategy[Any]:
    return st.sampled_from(
        [deal, str(deal), f" {deal} ", float(deal), np.int64(deal), f"{deal}.0", f"0{deal}"]
    )


good = st.sampled_from(DEALS[:4]).flatmap(_forms)
BAD = ["garbage", "12a", True, -5, 2.5, float(2**60), "1e9", "x@y.com"]
bad = st.sampled_from(BAD)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.one_of(good, bad, st.none()), max_size=5))
def test_the_scope_is_the_ids_given_or_a_refusal(portal: Sandbox, values: list[Any]) -> None:
    client = client_for(portal)
    if any(v is not None and _is_bad(v) for v in values):
        with pytest.raises(InputError, match="scope= holds"):
            hubframe.sync(SHEET, client, dry_run=True, progress=False, scope=values)
        return
    if all(v is None for v in values):  # an empty filter's ids: nothing would be synced
        with pytest.raises(InputError, match="scope= names no record"):
            hubframe.sync(SHEET, client, dry_run=True, progress=False, scope=values)
        return
    result = hubframe.sync(SHEET, client, dry_run=True, progress=False, scope=values)
    sheet_rows = result.loc[result["sheet"] != "(portal)"]
    scoped = {str(int(float(str(v).strip()))) for v in values if v is not None}
    outside = sheet_rows["error_code"].fillna("").eq("OUT_OF_SCOPE").tolist()
    assert outside == [str(d) not in scoped for d in DEALS[:3]]


def _is_bad(v: Any) -> bool:
    return isinstance(v, bool) or any(v == b and type(v) is type(b) for b in BAD)


@pytest.mark.parametrize("one", [DEALS[0], str(DEALS[0]), np.int64(DEALS[0])])
def test_one_id_is_a_scope_of_one(portal: Sandbox, one: Any) -> None:
    result = hubframe.sync(SHEET, client_for(portal), dry_run=True, progress=False, scope=one)
    rows = result.loc[result["sheet"] != "(portal)"]
    assert rows["error_code"].fillna("").eq("OUT_OF_SCOPE").tolist() == [False, True, True]


@pytest.mark.parametrize(
    "one",
    [Decimal(DEALS[0]), Decimal(f"{DEALS[0]}.00"), Fraction(DEALS[0]), np.uint64(DEALS[0])],
    ids=["Decimal", "Decimal with zeros", "Fraction", "uint64"],
)
def test_one_id_of_any_exact_kind_is_a_scope_of_one(portal: Sandbox, one: Any) -> None:
    """docs/sync.md: one id or several, as text or whole numbers; a Decimal or a Fraction was
    iterated as if it held several, and failed with a bare TypeError."""
    test_one_id_is_a_scope_of_one(portal, one)


@pytest.mark.parametrize(
    "one",
    [pd.Timestamp("2021-01-01"), Decimal("2.5"), Fraction(5, 2), object(), NoText()],
    ids=["Timestamp", "Decimal 2.5", "Fraction 5/2", "object", "no text"],
)
def test_one_value_that_is_no_id_is_refused_by_name(portal: Sandbox, one: Any) -> None:
    with pytest.raises(InputError, match="scope= holds"):
        hubframe.sync(SHEET, client_for(portal), dry_run=True, progress=False, scope=one)


def test_a_frame_of_one_column_is_its_ids(portal: Sandbox) -> None:
    ids = pd.DataFrame({"Deal ID": [DEALS[1]]})
    result = hubframe.sync(SHEET, client_for(portal), dry_run=True, progress=False, scope=ids)
    rows = result.loc[result["sheet"] != "(portal)"]
    assert rows["error_code"].fillna("").eq("OUT_OF_SCOPE").tolist() == [True, False, True]
    with pytest.raises(InputError, match="frame of 2 columns"):
        hubframe.sync(SHEET, client_for(portal), dry_run=True, scope=SHEET)


@given(values=st.lists(st.one_of(good, bad, st.none()), max_size=6))
def test_scope_and_export_ids_take_the_same_values(values: list[Any]) -> None:
    """One reading of ids given as values (io.ids.given_ids) for sync(scope=) and
    read_associations(ids=): the same ids, or both refuse."""
    from hubframe.jobs.export import record_ids
    from hubframe.jobs.sync import _ids

    outcomes = []
    for read in (lambda: _ids(values), lambda: record_ids(None, "deals", values)):  # type: ignore[arg-type]
        try:
            outcomes.append(sorted(read()))
        except InputError as refused:  # an empty scope is refused; an empty export is empty
            outcomes.append([] if "scope= names no record" in str(refused) else None)
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    "value",
    [np.datetime64("2021"), pd.Period("2021", "Y"), 10**5000, NoText()],
    ids=["numpy year", "yearly period", "int of 5,000 digits", "object without text"],
)
def test_ids_given_as_dates_or_odd_objects_are_refused(portal: Sandbox, value: object) -> None:
    """``ids=[np.datetime64("2021")]`` or a yearly Period was the record id 2021 (their str is
    "2021"); an int too long to print, or an object whose str fails, failed with Python's own
    error.  Each is refused, naming it, for an export and a sync's scope alike."""
    client = client_for(portal)
    with pytest.raises(InputError):
        hubframe.read_associations(client, "deals", "contacts", [value], progress=False)
    with pytest.raises(InputError, match="scope= holds"):
        hubframe.sync(SHEET, client, dry_run=True, progress=False, scope=[value])


@pytest.mark.parametrize("empty", [[], (), set(), [None, ""], pd.Series([], dtype=object)])
def test_a_scope_naming_no_record_is_refused(portal: Sandbox, empty: Any) -> None:
    """An empty scope (a filter that matched nothing) skipped every row OUT_OF_SCOPE and
    synced nothing, exit 0, without a word."""
    with pytest.raises(InputError, match="scope= names no record"):
        hubframe.sync(SHEET, client_for(portal), dry_run=True, progress=False, scope=empty)


@pytest.mark.parametrize("content", ["Deal ID\n", "Deal ID\n\n \n", ""])
def test_a_scope_file_naming_no_record_is_refused(
    portal: Sandbox, tmp_path: Any, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubframe.cli import main

    (tmp_path / "scope.csv").write_text(content)
    sheet = tmp_path / "pairs.csv"
    SHEET.to_csv(sheet, index=False)
    env = {"HUBSPOT_BASE_URL": portal.url, "HUBSPOT_ACCESS_TOKEN": portal.token}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        code = main(["sync", str(sheet), "--scope", str(tmp_path / "scope.csv"), "--dry-run"])
    said = capsys.readouterr().err
    assert code == 2 and "scope.csv" in said, said
