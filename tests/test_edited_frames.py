"""A frame read by read_pairs / read_limits and then edited in the notebook is held to what the
reader gives (hubframe.io.conform) before a job takes it.

Before: a limit set to 7.5 was sent as 7, a remove cell reading "no" purged the limit, numbers
put in an id or type id column stopped the run with a pandas error, and a limit fixed from
"many" to 7 was still refused as "many".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe
from hubframe.errors import HubframeError, InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")
TYPES = ["contacts", "companies", "tickets"]


def _limits() -> pd.DataFrame:
    return hubframe.read_limits(pd.DataFrame({"From": ["deals"] * 3, "To": TYPES, "Max": [5] * 3}))


def _limits_field_only() -> pd.DataFrame:
    """:func:`_limits` without the sheet's own "Max" column, whose cells (5) would otherwise
    contradict a limit edited to another number (refused: tests/test_edited_id_cells.py)."""
    return _limits().drop(columns="Max")


def _limit_of(sb: Sandbox, to_type: str) -> int | None:
    client = client_for(sb)
    answer = client.request(
        "GET", f"/crm/associations/2026-03/definitions/configurations/deals/{to_type}"
    ).json()
    found = [r for r in answer["results"] if r["category"] == "HUBSPOT_DEFINED"]
    return found[0]["userEnforcedMaxToObjectIds"] if found else None


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


cells = st.one_of(
    st.integers(-3, 20_000),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from(["7", " 8 ", "7.0", "7.5", "many", "", "1e3", "1,000", None, True, False]),
    st.decimals(places=2, min_value=-10, max_value=100, allow_nan=False),
)


def _whole(cell: Any) -> int | None:
    """The limit a cell says when it is a whole number as a sheet's cell would be read."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, Decimal):  # a number held exactly: Decimal("25.00") is 25
        return int(cell) if cell == cell.to_integral_value() else None
    if isinstance(cell, str):  # as a sheet's text: "1.00" is not read as 1
        text = cell.strip()
        whole = text.isdigit() or (text.endswith(".0") and text[:-2].isdigit())
        return int(float(text)) if whole else None
    number = float(cell)
    return int(number) if np.isfinite(number) and number == int(number) else None


ABOVE = "LABEL_LIMIT_ABOVE_OBJECT_LIMIT"


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(cells, min_size=3, max_size=3))
def test_an_edited_limit_is_planned_only_as_the_whole_number_it_says(
    portal: Sandbox, edits: list[Any]
) -> None:
    limits = _limits_field_only()
    limits["max_to_object_ids"] = pd.Series(edits, dtype=object)
    result = hubframe.configure_limits(limits, client_for(portal), dry_run=True, progress=False)
    for cell, (_, row) in zip(edits, result.iterrows(), strict=True):
        said = _whole(cell)
        if row["status"] == "planned":
            assert said is not None and row["max_to_object_ids"] == said, (cell, row.to_dict())
        # a whole limit is refused only for what the portal holds: a label limit above it
        elif said is not None and 1 <= said <= 10_000 and row["error_code"] != ABOVE:
            pytest.fail(f"{cell!r} is a whole limit, yet the row is {row['status']}")


@pytest.mark.parametrize("cell", ["no", "false", "0", 1, "yes", None, np.nan])
def test_a_remove_cell_that_is_not_true_or_false_stops_before_sending(
    sandbox_factory: Any, cell: Any
) -> None:
    sb = sandbox_factory(seed="demo")
    hubframe.configure_limits(_limits(), client_for(sb), progress=False)
    limits = _limits()
    limits["max_to_object_ids"] = pd.array([9, 9, 9], dtype="Int64")
    limits["remove"] = pd.Series([False, cell, False], dtype=object)
    with pytest.raises(InputError, match=r"remove column .* row 3 holds"):
        hubframe.configure_limits(limits, client_for(sb), progress=False)
    assert [_limit_of(sb, t) for t in TYPES] == [5, 5, 5]  # nothing sent, nothing purged


def test_a_fractional_limit_is_refused_not_cut(sandbox_factory: Any) -> None:
    sb = sandbox_factory(seed="demo")
    before = _limit_of(sb, TYPES[0])
    limits = _limits_field_only()
    limits["max_to_object_ids"] = pd.Series([7.5, 8.0, "9"], dtype=object)
    result = hubframe.configure_limits(limits, client_for(sb), progress=False)
    assert result["status"].tolist() == ["invalid", "success", "success"]
    assert result["error_code"].iloc[0] == "BAD_LIMIT"
    assert "7.5" in result["error_message"].iloc[0]
    assert [_limit_of(sb, t) for t in TYPES] == [before, 8, 9]
    assert before != 7


def test_a_limit_fixed_after_reading_is_taken(portal: Sandbox) -> None:
    limits = hubframe.read_limits(
        pd.DataFrame({"From": ["deals", "deals"], "To": TYPES[:2], "Max": ["many", "lots"]})
    )
    limits.loc[0, "max_to_object_ids"] = 7
    result = hubframe.configure_limits(limits, client_for(portal), dry_run=True, progress=False)
    assert result["status"].tolist() == ["planned", "invalid"]
    assert result["max_to_object_ids"].iloc[0] == 7
    assert "'lots'" in result["error_message"].iloc[1]


ids = st.one_of(
    st.sampled_from(DEALS[:4]),
    st.sampled_from([float(d) for d in DEALS[:4]]),
    st.sampled_from([str(d) for d in DEALS[:4]]),
    st.sampled_from([" 2040000001 ", "x", "", None, np.nan, 2.5, -1, 2**70, True]),
)
type_ids = st.one_of(st.none(), st.integers(-2, 300), st.floats(), st.text(max_size=3))


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    froms=st.lists(ids, min_size=3, max_size=3), types=st.lists(type_ids, min_size=3, max_size=3)
)
def test_edited_pairs_give_every_row_a_status_or_stop_clearly(
    portal: Sandbox, froms: list[Any], types: list[Any]
) -> None:
    sheet = pd.DataFrame({"Deal ID": [str(d) for d in DEALS[:3]], "Contact ID": CONTACTS[:3]})
    pairs = hubframe.read_pairs(sheet)
    pairs["from_id"] = pd.Series(froms, dtype=object)
    pairs["type_id"] = pd.Series(types, dtype=object)
    try:
        result = hubframe.associate(pairs, client_for(portal), dry_run=True, progress=False)
    except HubframeError:
        return
    assert len(result) == 3
    for cell, (_, row) in zip(froms, result.iterrows(), strict=True):
        if row["status"] == "planned":  # only a cell that says this record's id exactly
            assert row["from_id"] == _id_of(cell), (cell, row.to_dict())


def _id_of(cell: Any) -> str | None:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, float):
        exact = np.isfinite(cell) and cell == int(cell) and abs(cell) < 2**53
        return str(int(cell)) if exact else None
    return str(cell)


def test_ids_put_in_as_numbers_are_linked(sandbox_factory: Any) -> None:
    sb = sandbox_factory(seed="demo")
    sheet = pd.DataFrame({"Deal ID": ["x", "y"], "Contact ID": [str(c) for c in CONTACTS[5:7]]})
    pairs = hubframe.read_pairs(sheet)
    pairs["from_id"] = pd.to_numeric(pd.Series([DEALS[5], DEALS[6]]))  # int64
    result = hubframe.associate(pairs, client_for(sb), progress=False)
    assert result["status"].tolist() == ["success", "success"]
    assert result["from_id"].tolist() == [str(DEALS[5]), str(DEALS[6])]


@pytest.mark.parametrize("column", ["row", "sheet", "to_type", "label", "type_id"])
def test_a_read_frame_missing_a_column_is_refused_by_name(portal: Sandbox, column: str) -> None:
    pairs = hubframe.read_pairs(pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]}))
    with pytest.raises(InputError, match=f"lacks its column.*'{column}'"):
        hubframe.associate(pairs.drop(columns=column), client_for(portal), dry_run=True)
    with pytest.raises(InputError, match=f"lacks its column.*'{column}'"):
        hubframe.read_pairs(pairs.drop(columns=column))


def test_row_numbers_that_are_not_whole_numbers_are_refused(portal: Sandbox) -> None:
    pairs = hubframe.read_pairs(pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]}))
    pairs["row"] = pd.Series(["two"], dtype=object)
    with pytest.raises(InputError, match="row column holds 'two'"):
        hubframe.associate(pairs, client_for(portal), dry_run=True)
    pairs["row"] = pd.Series(["7"], dtype=object)
    result = hubframe.associate(pairs, client_for(portal), dry_run=True, progress=False)
    assert result["row"].tolist() == [7]


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        (np.float64("nan"), "nothing at index 'new'"),
        (np.float64(2.5), "2.5 at index 'new'"),
        (pd.NA, "nothing at index 'new'"),
        ("x", "'x' at index 'new'"),
    ],
)
def test_a_row_added_to_a_read_frame_is_named_by_its_index(cell: Any, said: str) -> None:
    """A row added with pd.concat has no row number: the error said "the row column holds
    np.float64(nan) (position 1)", numpy's repr and a position the analyst cannot see."""
    pairs = hubframe.read_pairs(pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]}))
    added = pd.DataFrame(
        {"from_type": ["deals"], "from_id": [str(DEALS[1])], "to_type": ["contacts"]},
        index=["new"],
    ).assign(to_id=str(CONTACTS[1]), row=pd.Series([cell], index=["new"], dtype=object))
    both = pd.concat([pairs, added])
    both.attrs = pairs.attrs
    with pytest.raises(InputError) as refused:
        hubframe.validate_pairs(both)
    assert f"the row column holds {said}:" in str(refused.value)
    assert "np." not in str(refused.value) and "pd.concat" in str(refused.value)


def test_an_unedited_read_frame_is_taken_without_a_copy() -> None:
    from hubframe.io.conform import conformed

    pairs = hubframe.read_pairs(pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": ["x"]}))
    assert conformed(pairs, "pairs") is pairs
    limits = hubframe.read_limits(
        pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": ["many"]})
    )
    assert conformed(limits, "limits") is limits


def test_a_type_conflict_fixed_in_the_read_frame_is_taken(portal: Sandbox) -> None:
    """A "To Type" cell naming companies in a "Contact ID" row is TYPE_CONFLICT; set to
    contacts in the read frame, the row was still refused: the reader's note of the conflict
    stayed."""
    pairs = hubframe.read_pairs(
        pd.DataFrame(
            {
                "Deal ID": [DEALS[0], DEALS[1]],
                "Contact ID": list(CONTACTS[:2]),
                "To Type": ["companies", "companies"],
            }
        )
    )
    first = hubframe.associate(pairs, client_for(portal), dry_run=True, progress=False)
    assert first["error_code"].tolist() == ["TYPE_CONFLICT", "TYPE_CONFLICT"]
    pairs.loc[0, "to_type"] = "contacts"
    again = hubframe.associate(pairs, client_for(portal), dry_run=True, progress=False)
    assert again["status"].tolist() == ["planned", "invalid"]
    assert again["error_code"].iloc[1] == "TYPE_CONFLICT"


def _pairs_frame() -> pd.DataFrame:
    return hubframe.read_pairs(
        pd.DataFrame(
            {
                "from_type": "deals",
                "from_id": [str(DEALS[0]), str(DEALS[1])],
                "to_type": "contacts",
                "to_id": [str(CONTACTS[0]), str(CONTACTS[1])],
                "label": "Champion",
            }
        )
    )


@pytest.mark.parametrize("kind", ["pairs", "limits"])
def test_an_odd_object_in_any_column_of_an_edited_frame_is_refused_by_name(kind: str) -> None:
    """An int of 5,000 digits put in the ``row`` column of a read frame (or the ``remove``
    column of a limits frame) made associate and configure_limits fail with "ValueError:
    Exceeds the limit (4300 digits)" while their error message was built; an odd object in
    any column is refused with an InputError, or its row is (validation, offline)."""
    import datetime as dt

    from oddcells import NoText, edits, refused_or_done

    frame = _limits() if kind == "limits" else _pairs_frame()
    check = hubframe.validate_limits if kind == "limits" else hubframe.validate_pairs
    odd = [10**5000, 2**64, Decimal("sNaN"), {"a": 1}, [1], dt.date(2020, 1, 1), NoText()]
    columns = [str(c) for c in frame.columns if not str(c).startswith("_")]
    for case, edited in edits(frame, columns, odd):
        refused_or_done(lambda edited=edited: check(edited), case)


@pytest.mark.parametrize(
    ("job", "column"), [("associate", "row"), ("sync", "row"), ("configure_limits", "remove")]
)
def test_a_job_given_an_int_too_long_to_print_refuses_it(
    portal: Sandbox, job: str, column: str
) -> None:
    from oddcells import with_cell

    frame = with_cell(_limits() if job == "configure_limits" else _pairs_frame(), column, 10**5000)
    with pytest.raises(InputError, match="about 5,001 digits"):
        getattr(hubframe, job)(frame, client_for(portal), dry_run=True, progress=False)


def _dm_limit(sb: Sandbox) -> list[int]:
    held = sb.limits("deals", "contacts")
    return held.loc[held["label"] == "Decision maker", "max_to_object_ids"].tolist()


@pytest.mark.parametrize("edit", [1, "many", 7.5])
def test_a_removal_row_given_a_limit_is_refused_not_purged(sandbox_factory: Any, edit: Any) -> None:
    """A row read as ``remove``, then given a limit in the notebook, asks for two things: it
    was purged without a word (``success``, the limit 1 shown beside ``purge_limit``).  It is
    ``invalid``, ``CONFLICTING_ROWS``, naming the row and both values, offline and in the run,
    and nothing is sent."""
    sb = sandbox_factory(seed="demo")
    before = _dm_limit(sb)
    limits = hubframe.read_limits(b"From,To,Label,Max\ndeals,contacts,Decision maker,remove\n")
    limits["max_to_object_ids"] = pd.Series([edit], dtype=object)
    issues = hubframe.validate_limits(limits)
    assert issues["code"].tolist() == ["CONFLICTING_ROWS"]
    for dry_run in (True, False):
        result = hubframe.configure_limits(limits, client_for(sb), dry_run=dry_run, progress=False)
        row = result.iloc[0]
        assert (row["status"], row["error_code"]) == ("invalid", "CONFLICTING_ROWS")
        message = str(row["error_message"])
        assert "Row 2" in message and "remove" in message and f"'{edit}'" in message
    assert before and _dm_limit(sb) == before  # nothing purged


@pytest.mark.parametrize("other", ["decision maker,1", "DECISION MAKER,remove", "Decision maker,1"])
def test_a_row_asking_two_things_conflicts_with_the_other_rows_of_its_limit(
    portal: Sandbox, other: str
) -> None:
    """Whatever another row of the limit asks, one half of the row asking two things asks
    otherwise: the other row is not sent alone, offline (rows written alike) and in the run
    (any spelling) alike."""
    sheet = f"From,To,Label,Max\ndeals,contacts,Decision maker,remove\ndeals,contacts,{other}\n"
    limits = hubframe.read_limits(sheet.encode())
    limits["max_to_object_ids"] = pd.Series([1, limits["max_to_object_ids"].iloc[1]], dtype=object)
    issues = hubframe.validate_limits(limits)
    alike = other.startswith("Decision maker")
    assert sorted(issues["row"]) == ([2, 3] if alike else [2])
    result = hubframe.configure_limits(limits, client_for(portal), dry_run=True, progress=False)
    assert result["error_code"].tolist() == ["CONFLICTING_ROWS", "CONFLICTING_ROWS"]
    assert "Row 2 asks for two things" in str(result["error_message"].iloc[0])
    assert "row 2" in str(result["error_message"].iloc[1])


def test_removals_spelled_otherwise_are_still_one_ask(portal: Sandbox) -> None:
    """The reader keeps a removal's own word as the cell's text: "remove" and "No limit" ask
    the same (a repeat), never two things."""
    sheet = "From,To,Label,Max\ndeals,contacts,Decision maker,remove\n"
    limits = hubframe.read_limits(f"{sheet}deals,contacts,Decision maker,No limit\n".encode())
    assert hubframe.validate_limits(limits)["code"].tolist() == ["DUPLICATE_ROW"]
    result = hubframe.configure_limits(limits, client_for(portal), dry_run=True, progress=False)
    assert result["status"].tolist() == ["planned", "duplicate"]


def test_a_new_label_s_row_asking_two_things_is_refused_in_the_dry_run_too(
    sandbox_factory: Any,
) -> None:
    """Limits naming a label the same command creates (``limits --create-labels``): the row
    asking two things stays refused with its own message, and the other row of that label
    conflicts with it, as the real run finds it; no row is sent, so no label is created."""
    from hubframe.jobs.limits import limits_after_labels
    from hubframe.jobs.new_labels import create_new_labels, plan_new_labels

    sb = sandbox_factory(seed="demo")
    sheet = b"From,To,Label,Max\ndeals,contacts,Mentor,remove\ndeals,contacts,mentor,1\n"
    limits = hubframe.read_limits(sheet)
    limits["max_to_object_ids"] = pd.Series([1, 1], dtype=object)
    client = client_for(sb)
    for dry_run in (True, False):
        new = plan_new_labels(limits, client)
        create_new_labels(new, client, dry_run=dry_run)
        result = limits_after_labels(limits, client, new, dry_run=dry_run, progress=False)
        assert result["error_code"].tolist() == ["CONFLICTING_ROWS", "CONFLICTING_ROWS"]
        assert "Row 2 asks for two things" in str(result["error_message"].iloc[0])
    assert "mentor" not in {str(x).lower() for x in sb.labels("deals", "contacts")["label"]}


# --- labels frames ------------------------------------------------------------------------------
# A labels frame (read_labels) edited before configure_labels was taken as it was: a type id cell
# of 1001.5 was cut to 1001 (another label renamed, without a word), and "1003x" stopped the
# job with a bare ValueError after the rows before it had created their labels (no result).


def _labels_frame(edit: Any) -> pd.DataFrame:
    from hubframe.io.labels import read_labels

    sheet = pd.DataFrame(
        {"From type": ["deals", "deals"], "To type": ["contacts"] * 2, "Label": ["Payer", "Backer"]}
    )
    frame = read_labels(sheet)
    frame["type_id"] = frame["type_id"].astype(object)
    frame.loc[1, "type_id"] = edit
    return frame


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edit=st.one_of(cells, st.sampled_from(["1003x", 1001.5, "1001", 1001.0, "0x3E9"])))
def test_an_edited_type_id_is_taken_only_as_the_whole_number_it_says(
    portal: Sandbox, edit: Any
) -> None:
    frame = _labels_frame(edit)
    client = client_for(portal)
    result = hubframe.configure_labels(frame, client, dry_run=True, renames=True)
    assert len(result) == 2 and result["row"].tolist() == frame["row"].tolist()
    row = result.iloc[1]
    said = _whole(edit)
    if said is None and not (edit is None or (isinstance(edit, float) and np.isnan(edit))):
        if edit == "":
            return  # an empty cell: no type id, the label is created by its name
        assert row["status"] == "invalid", (edit, row.to_dict())
        assert row["error_code"] in ("BAD_ID", "MISSING_VALUE"), (edit, row.to_dict())
    elif said is not None and row["type_id"] is not pd.NA and not pd.isna(row["type_id"]):
        assert int(row["type_id"]) == said, (edit, row.to_dict())


def test_a_type_id_that_is_text_never_stops_a_run_after_labels_were_created() -> None:
    with Sandbox(seed="demo") as sb:
        result = hubframe.configure_labels(_labels_frame("1003x"), client_for(sb), renames=True)
        labels = set(sb.labels("deals", "contacts")["label"].dropna())
    assert result["status"].tolist() == ["success", "invalid"], result
    assert "'1003x'" in result["error_message"].iloc[1]
    assert "Payer" in labels and "Backer" not in labels


WORDS = ["remove", "Remove", " REMOVE LIMIT ", "no limit"]


@pytest.mark.parametrize("word", WORDS)
def test_a_removal_word_set_in_a_limit_is_the_removal_it_asks(portal: Sandbox, word: str) -> None:
    """``limits.loc[0, "max_to_object_ids"] = "remove"``: refused as BAD_LIMIT, with a message
    naming the sheet's column (which still said 5) and asking for the very word written.  Now
    it is the removal, as in a sheet; with the sheet's own column still saying 5, the two
    disagree and the row is refused naming both, nothing sent."""
    client = client_for(portal)
    alone = _limits_field_only()
    alone["max_to_object_ids"] = alone["max_to_object_ids"].astype(object)
    alone.loc[0, "max_to_object_ids"] = word
    planned = hubframe.configure_limits(alone, client, dry_run=True, progress=False)
    sheet = pd.DataFrame({"From": ["deals"] * 3, "To": TYPES, "Max": [word, 5, 5]})
    expected = hubframe.configure_limits(
        hubframe.read_limits(sheet), client, dry_run=True, progress=False
    )
    for column in ("status", "error_code", "remove", "max_to_object_ids", "action"):
        assert planned[column].tolist() == expected[column].tolist(), column
    assert bool(planned["remove"].iloc[0]) and planned["status"].iloc[0] != "invalid"
    both = _limits()
    both["max_to_object_ids"] = both["max_to_object_ids"].astype(object)
    both.loc[0, "max_to_object_ids"] = word
    with pytest.raises(InputError, match=r"the 'Max' cell of row 2 is '5'.*Nothing was sent"):
        hubframe.configure_limits(both, client, dry_run=True, progress=False)
    both.loc[0, "Max"] = word  # both say it: the removal
    again = hubframe.configure_limits(both, client, dry_run=True, progress=False)
    assert again["remove"].tolist() == expected["remove"].tolist()
