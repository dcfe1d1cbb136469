"""An id cell edited in a read frame, its record id not, is refused before anything is sent.

A job sends ``from_id``/``to_id``; the analyst's own columns ("Contact ID") ride along into the
report.  An analyst who fixed a typo in the "Contact ID" column of a read frame linked the old
contact, and the report showed the new id beside ``success``.  Which of the two was edited a
frame cannot tell, so a row whose cell and id name different records is refused, naming it;
a cell that names no record fixed in the id (``frame["from_id"] = ...``) is the documented fix.
"""

from __future__ import annotations

import io
import random
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples, seeds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, xlsx_bytes

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


def _settings(n: int) -> Any:
    """Hypothesis settings for tests that share the module's portal."""
    return settings(
        max_examples=examples(n),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


def _pairs(n: int = 4) -> pd.DataFrame:
    sheet = pd.DataFrame(
        {"Deal ID": [str(d) for d in DEALS[:n]], "Contact ID": [str(c) for c in CONTACTS[:n]]}
    )
    return hf.read_pairs(sheet)


@_settings(25)
@given(
    where=st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True),
    side=st.sampled_from(["Deal ID", "Contact ID"]),
    how=st.sampled_from(["text", "int", "float text", "spaced"]),
)
def test_an_edited_id_cell_is_refused_naming_its_row(
    portal: Sandbox, where: list[int], side: str, how: str
) -> None:
    before = portal.associations("deals", "contacts")
    pairs = _pairs()
    other = (DEALS if side == "Deal ID" else CONTACTS)[9]
    value: Any = {"text": str(other), "int": other, "float text": f"{other}.0"}.get(how)
    pairs[side] = pairs[side].astype(object)
    for i in where:
        pairs.loc[i, side] = value if value is not None else f"  {other} "
    first = min(where) + 2
    with pytest.raises(InputError, match=f"'{side}' cell of row {first} is") as caught:
        hf.associate(pairs, client_for(portal), progress=False)
    assert "Nothing was sent" in str(caught.value)
    assert portal.associations("deals", "contacts").equals(before)
    with pytest.raises(InputError, match="edited after it was read"):
        hf.read_pairs(pairs)


def test_the_id_set_as_the_cell_or_a_cell_fixed_in_the_id_runs(portal: Sandbox) -> None:
    pairs = _pairs()
    pairs.loc[0, "Contact ID"] = str(CONTACTS[9])
    pairs.loc[0, "to_id"] = str(CONTACTS[9])  # both alike: sent as shown
    fixed = hf.read_pairs(pd.DataFrame({"Deal ID": ["x"], "Contact ID": [str(CONTACTS[1])]}))
    fixed["from_id"] = str(DEALS[1])  # a cell naming no record, fixed in the id
    for frame in (pairs, fixed):
        result = hf.associate(frame, client_for(portal), progress=False)
        assert (result["status"] == "success").all(), result[["status", "error_message"]]
    assert result["from_id"].tolist() == [str(DEALS[1])]


def _messy_id(r: random.Random, record: int) -> object:
    return r.choice(
        [str(record), f" {record} ", f"{record}.0", record, float(record), f"'{record}"]
    )


@pytest.mark.parametrize("seed", seeds(6))
def test_frames_read_and_not_edited_are_never_refused(portal: Sandbox, seed: int) -> None:
    """Sheets written as analysts and exports write them (numbers, float text, spaces, ';'
    lists, an email column, a workbook's number cells): read and run as they are, never taken
    for edited, and a result table fed back runs too."""
    r = random.Random(seed)
    rows: list[list[object]] = [["Deal ID", "Contact ID", "Contact email"]]
    for i in range(6):
        contacts = [_messy_id(r, c) for c in r.sample(CONTACTS[:8], r.randint(1, 3))]
        cell = contacts[0] if len(contacts) == 1 else ";".join(str(c) for c in contacts)
        rows.append([_messy_id(r, DEALS[i]), cell, f"c{i}@example.com"])
    sheet = pd.DataFrame(rows[1:], columns=rows[0])
    ids = [[c for c, h in zip(row, rows[0], strict=True) if h != "Contact email"] for row in rows]
    workbook = io.BytesIO(xlsx_bytes(ids))
    workbook.name = "pairs.xlsx"
    sources = [sheet.drop(columns="Contact email"), workbook, sheet.drop(columns="Contact ID")]
    for source in sources:
        pairs = hf.read_pairs(source)
        result = hf.associate(pairs, client_for(portal), dry_run=True, progress=False)
        again = hf.associate(result, client_for(portal), dry_run=True, progress=False)
        assert len(again) == len(result) == len(pairs)


def test_an_edited_email_cell_is_refused_too(portal: Sandbox) -> None:
    """A side named by a unique property (emails) is compared as written."""
    pairs = hf.read_pairs(
        pd.DataFrame({"Deal ID": [str(DEALS[0])] * 2, "Contact email": ["a@x.com", "b@x.com"]})
    )
    pairs.loc[1, "Contact email"] = "c@x.com"
    with pytest.raises(InputError, match=r"'Contact email' cell of row 3 is 'c@x\.com'"):
        hf.associate(pairs, client_for(portal), dry_run=True, progress=False)


def _limits(max_cells: list[str]) -> pd.DataFrame:
    n = len(max_cells)
    sheet = pd.DataFrame(
        {"From": ["deals"] * n, "To": ["contacts", "companies"][:n], "Max": max_cells}
    )
    return hf.read_limits(sheet)


@pytest.mark.parametrize(
    ("cells", "edit", "said"),
    [
        (["5", "6"], "7", "'Max' cell of row 3 is '7', but its max_to_object_ids, what a job "),
        (["5", "6"], "remove", "'Max' cell of row 3 is 'remove', but its max_to_object_ids"),
        (["5", "remove"], "8", "is remove \\(True: the limit removed\\)"),
    ],
)  # fmt: skip
def test_an_edited_limit_cell_is_refused(
    portal: Sandbox, cells: list[str], edit: str, said: str
) -> None:
    """A "Max" cell set to 7 in the notebook sent the limit read before (6); one set to
    "remove" set the limit, and a number put in a removal's cell removed it."""
    limits = _limits(cells)
    limits.loc[1, "Max"] = edit
    with pytest.raises(InputError, match=said):
        hf.configure_limits(limits, client_for(portal), dry_run=True, progress=False)


def test_an_edited_label_cell_is_refused_but_not_its_spelling(portal: Sandbox) -> None:
    sheet = pd.DataFrame({"Deal ID": [str(DEALS[0])] * 2, "Label": ["Champion", ""]})
    sheet.insert(1, "Contact ID", [str(c) for c in CONTACTS[:2]])
    pairs = hf.read_pairs(sheet)
    pairs.loc[0, "Label"] = " CHAMPION "  # the same label as labels compare
    assert len(hf.associate(pairs, client_for(portal), dry_run=True, progress=False)) == 2
    pairs.loc[1, "Label"] = "Decision maker"  # a blank cell filled, the field empty
    with pytest.raises(InputError, match=r"'Label' cell of row 3 is 'Decision maker'.*empty"):
        hf.associate(pairs, client_for(portal), dry_run=True, progress=False)
    pairs.loc[1, "Label"] = ""
    pairs.loc[0, "Label"] = "Decision maker"
    with pytest.raises(InputError, match=r"'Label' cell of row 2 is 'Decision maker'.*'Champion'"):
        hf.associate(pairs, client_for(portal), dry_run=True, progress=False)


def test_a_blank_type_id_cell_filled_after_the_read_is_refused_not_sent_unlabeled(
    portal: Sandbox,
) -> None:
    """The hunter's file: the pair went as the plain association and said ``success`` beside
    the type id typed into its cell."""
    sheet = pd.DataFrame(
        {
            "Deal ID": [str(DEALS[0])] * 2,
            "Contact ID": [str(c) for c in CONTACTS[:2]],
            "Type ID": ["", ""],
        }
    )
    pairs = hf.read_pairs(sheet)
    before = portal.associations("deals", "contacts")
    wanted = portal.type_id("deals", "contacts", "Decision maker")
    pairs.loc[1, "Type ID"] = str(wanted)
    for dry_run in (True, False):
        with pytest.raises(InputError, match=rf"'Type ID' cell of row 3 is '{wanted}'.*is empty"):
            hf.associate(pairs, client_for(portal), dry_run=dry_run, progress=False)
    assert portal.associations("deals", "contacts").equals(before)
    pairs.loc[1, "type_id"] = wanted  # set alike: sent as the cell says
    planned = hf.associate(pairs, client_for(portal), dry_run=True, progress=False)
    assert planned["status"].tolist() == ["planned", "planned"]
    assert planned["type_id"].iloc[1] == wanted


def test_a_blank_limit_cell_filled_after_the_read_is_refused(portal: Sandbox) -> None:
    limits = hf.read_limits(
        pd.DataFrame(
            {"From": ["deals", "deals"], "To": ["contacts", "companies"], "Max": [5, None]}
        )
    )
    limits.loc[1, "Max"] = "3"
    with pytest.raises(InputError, match=r"'Max' cell of row 3 is '3'.*is empty"):
        hf.configure_limits(limits, client_for(portal), dry_run=True, progress=False)


@_settings(25)
@given(
    where=st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True),
    side=st.sampled_from(["Deal ID", "Contact ID"]),
    edit=st.sampled_from(["cell", "field", "column", "both"]),
)
def test_an_id_edited_in_the_frame_s_own_text_dtype_is_refused_unless_both_agree(
    portal: Sandbox, where: list[int], side: str, edit: str
) -> None:
    """The read shares an id column's text with its field (no copy); an edit that keeps the
    column's text dtype (``.loc`` with a string, a whole column put back) makes it text of its
    own, compared cell by cell again: refused unless cell and id were set alike."""
    pairs = _pairs()
    field = "from_id" if side == "Deal ID" else "to_id"
    other = str((DEALS if side == "Deal ID" else CONTACTS)[9])
    if edit == "column":
        values = pairs[side].tolist()
        for i in where:
            values[i] = other
        pairs[side] = pd.Series(values, index=pairs.index, dtype=pairs[side].dtype)
    for i in where:
        if edit in ("cell", "both"):
            pairs.loc[i, side] = other
        if edit in ("field", "both"):
            pairs.loc[i, field] = other
    assert pairs[side].dtype != object and pairs[field].dtype != object
    if edit == "both":
        planned = hf.associate(pairs, client_for(portal), dry_run=True, progress=False)
        assert (planned[field].iloc[where] == other).all()
        return
    first = min(where) + 2
    with pytest.raises(InputError, match=f"'{side}' cell of row {first} is"):
        hf.associate(pairs, client_for(portal), dry_run=True, progress=False)


_ID_CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "007", "1.2345E+11", "12.0", " 12 ", "'12", "x", "٣"]),
    st.text(alphabet="0123456789 .,Ee+-x'", max_size=14),
    st.integers(1, 10**18).map(str),
)


@_settings(40)
@given(cells=st.lists(_ID_CELLS, min_size=1, max_size=6), dtype=st.sampled_from(["str", "obj"]))
def test_an_id_set_to_its_own_cells_is_never_taken_for_an_edit(
    portal: Sandbox, cells: list[str], dtype: str
) -> None:
    """``frame["from_id"] = frame["Deal ID"]``: cell and id say the same on every row, whatever
    the cells hold (a number Excel wrote, spaces, text naming no record): never refused as
    edited, each row judged on its own (the shared text is skipped, the copied one compared)."""
    sheet = pd.DataFrame({"Deal ID": cells, "Contact ID": [str(CONTACTS[0])] * len(cells)})
    pairs = hf.read_pairs(sheet)
    pairs["from_id"] = pairs["Deal ID"] if dtype == "str" else pairs["Deal ID"].astype(object)
    planned = hf.associate(pairs, client_for(portal), dry_run=True, progress=False)
    assert len(planned) == len(cells)


def test_a_label_typed_into_a_sheet_with_no_label_is_refused(portal: Sandbox) -> None:
    """A sheet whose label cells are all blank reads as unlabeled; one filled after the read
    (the text dtype kept) is an edit, not a row sent as the plain association."""
    sheet = pd.DataFrame({"Deal ID": [str(DEALS[0])] * 3, "Label": ["", " ", None]})
    sheet.insert(1, "Contact ID", [str(c) for c in CONTACTS[:3]])
    pairs = hf.read_pairs(sheet)
    assert len(hf.associate(pairs, client_for(portal), dry_run=True, progress=False)) == 3
    pairs.loc[2, "Label"] = "Champion"
    assert pairs["Label"].dtype != object
    with pytest.raises(InputError, match=r"'Label' cell of row 4 is 'Champion'.*empty"):
        hf.associate(pairs, client_for(portal), dry_run=True, progress=False)
