"""A read frame's id or type emptied after the read, its own cell not, stops the job.

A job sends the reader's columns (``from_id``, ``to_id``, ``from_type``, ...); the sheet's own
("Deal ID", "From Type") ride along into the report.  A label or type id emptied after the read
was refused as an edit (docs/columns.md, "A frame read, then edited"), but an id or a type
emptied (``None``, ``NaN``, ``""``, an ``Int64`` or ``float`` column with a gap) was not: the
row was reported ``MISSING_VALUE`` saying its "Deal ID" cell was empty while it held a record.
An own cell edited to an ``Int64`` number was shown as ``np.int64(...)``, not its digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[40:46]]
CONTACTS = [str(i) for i in demo_ids("contacts")[80:86]]
OWN = {
    "from_id": "From ID",
    "to_id": "To ID",
    "from_type": "From Type",
    "to_type": "To Type",
    "label": "Label",
    "type_id": "Type ID",
}
EMPTY: dict[str, Any] = {"None": None, "NaN": float("nan"), "pd.NA": pd.NA, "''": "", "'  '": "  "}
NUMERIC = ("Int64 NA", "float NaN")
EDITED = r"this frame was edited after it was read: the '{header}' cell of {place} is {cell}, "
Job = Callable[[pd.DataFrame, Sandbox], object]


@pytest.fixture(scope="module")
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sb:
        yield sb


def _sheet(n: int = 4) -> pd.DataFrame:
    """A typed sheet of deals and contacts: every column the reader compares has its own."""
    wanted = "Decision maker"
    return pd.DataFrame(
        {
            "From Type": ["deals"] * n,
            "From ID": DEALS[:n],
            "To Type": ["contacts"] * n,
            "To ID": CONTACTS[:n],
            "Label": [wanted if i % 2 == 0 else "" for i in range(n)],
            "Type ID": [""] * n,
        }
    )


def _emptied(frame: pd.DataFrame, column: str, at: list[int], way: str) -> pd.DataFrame:
    """A copy of ``frame`` whose ``column`` is emptied at positions ``at`` in one ``way``."""
    out = frame.copy()
    if way in NUMERIC:
        numbers = pd.to_numeric(out[column].astype(object), errors="coerce")
        values = numbers.astype("Int64" if way == "Int64 NA" else float)
        out[column] = values.mask(values.index.isin(values.index[at]))
        return out
    cells = out[column].astype(object)
    cells.iloc[at] = EMPTY[way]
    out[column] = cells
    return out


def _validate(frame: pd.DataFrame, portal: Sandbox) -> object:
    return hf.validate_pairs(frame)


def _associate_dry(frame: pd.DataFrame, portal: Sandbox) -> object:
    return hf.associate(frame, client_for(portal), dry_run=True, progress=False)


def _associate(frame: pd.DataFrame, portal: Sandbox) -> object:
    return hf.associate(frame, client_for(portal), progress=False)


def _remove(frame: pd.DataFrame, portal: Sandbox) -> object:
    return hf.remove_associations(frame, client_for(portal), progress=False)


def _sync_dry(frame: pd.DataFrame, portal: Sandbox) -> object:
    return hf.sync(frame, client_for(portal), dry_run=True, progress=False)


JOBS: dict[str, Job] = {
    "validate_pairs": _validate,
    "associate dry run": _associate_dry,
    "associate": _associate,
    "remove": _remove,
    "sync dry run": _sync_dry,
}


def _refused(job: Job, frame: pd.DataFrame, portal: Sandbox) -> str:
    """The job's refusal of ``frame``, checked to have sent and changed nothing."""
    before = portal.associations("deals", "contacts")
    portal.reset_request_log()
    with pytest.raises(InputError) as caught:
        job(frame, portal)
    assert portal.request_log().empty, "a request was made before the refusal"
    assert portal.associations("deals", "contacts").equals(before)
    return str(caught.value)


def _cases() -> Iterator[tuple[str, str]]:
    for column in ("from_id", "to_id", "from_type", "to_type"):
        numeric = column.endswith("_id")
        for way in [*EMPTY, *(NUMERIC if numeric else ())]:
            yield column, way


@pytest.mark.parametrize("job", list(JOBS))
@pytest.mark.parametrize(("column", "way"), list(_cases()))
def test_an_id_or_type_emptied_after_the_read_stops_the_job(
    portal: Sandbox, column: str, way: str, job: str
) -> None:
    pairs = hf.read_pairs(_sheet())
    header, cell = OWN[column], pairs[OWN[column]].iloc[1]
    message = _refused(JOBS[job], _emptied(pairs, column, [1], way), portal)
    said = EDITED.format(header=header, place="row 3", cell=re.escape(repr(cell)))
    assert re.match(said + f"but its {column}, what a job sends, is empty", message), message
    assert message.endswith("Nothing was sent.")


@pytest.mark.parametrize("way", [*EMPTY, *NUMERIC])
def test_a_type_id_emptied_beside_a_cell_retyped_as_numbers_shows_its_digits(
    portal: Sandbox, way: str
) -> None:
    """The analyst's "Type ID" made numbers (``Int64``) and the type id emptied: both are
    named as text, the cell's as its digits."""
    wanted = portal.type_id("deals", "contacts", "Decision maker")
    sheet = _sheet().assign(**{"Label": "", "Type ID": str(wanted)})
    pairs = hf.read_pairs(sheet)
    pairs["Type ID"] = pd.array([wanted] * len(pairs), dtype="Int64")
    for job in JOBS.values():
        message = _refused(job, _emptied(pairs, "type_id", [2], way), portal)
        assert f"the 'Type ID' cell of row 4 is '{wanted}', but its type_id" in message
        assert "np." not in message and "is empty" in message


@pytest.mark.parametrize("retyped", ["Int64", "int64", "float"])
def test_an_own_cell_edited_to_a_number_is_shown_as_its_digits(
    portal: Sandbox, retyped: str
) -> None:
    pairs = hf.read_pairs(_sheet())
    other = DEALS[5]
    edited = pairs.copy()
    cells = [int(d) for d in edited["From ID"]]
    cells[1] = int(other)
    edited["From ID"] = pd.Series(cells, dtype=retyped)
    edited["from_id"] = edited["from_id"].astype(float)  # the id sent shown as digits too
    for job in JOBS.values():
        message = _refused(job, edited, portal)
        assert f"'From ID' cell of row 3 is '{other}', but its from_id, what a job sends, is " in (
            message
        )
        assert f"sends, is '{DEALS[1]}'." in message and "np." not in message, message


def test_an_id_filled_into_a_blank_row_after_the_read_is_refused_as_a_filled_blank(
    portal: Sandbox,
) -> None:
    """A row read empty whose "From ID" is filled in the notebook, ``from_id`` not: refused as a
    label, type id or limit typed into a blank cell is; set alike, it runs; filled in
    ``from_id`` only (a cell that names no record, fixed in the id) it is taken.  A row empty
    in both stays a missing value.  The frame with its ``attrs`` lost (a ``pd.concat``, a
    CSV round trip) is judged too, its columns found by their headers."""
    sheet = _sheet()
    sheet.loc[1, "From ID"] = ""
    pairs = hf.read_pairs(sheet)
    assert hf.validate_pairs(pairs).query("row == 3")["code"].tolist() == ["MISSING_VALUE"]
    pairs.loc[1, "From ID"] = DEALS[1]
    for job in JOBS.values():
        message = _refused(job, pairs, portal)
        assert f"'From ID' cell of row 3 is '{DEALS[1]}', but its from_id" in message
        assert "is empty" in message
    plain = pairs.copy()
    plain.attrs = {}
    assert f"'From ID' cell of row 3 is '{DEALS[1]}'" in _refused(JOBS["associate"], plain, portal)
    pairs.loc[1, "from_id"] = DEALS[1]  # set alike
    planned = hf.associate(pairs, client_for(portal), dry_run=True, progress=False)
    assert planned["status"].eq("planned").all(), planned[["status", "error_message"]]
    pairs.loc[1, "From ID"] = None  # the id alone: taken
    assert len(hf.associate(pairs, client_for(portal), dry_run=True, progress=False)) == 4


def _workbook(path: Path) -> None:
    book = Workbook()
    for s, name in enumerate(("North", "South")):
        sheet = book.create_sheet(name)
        sheet.append(["Deal ID", "Contact ID", "Label"])
        for i in range(3):
            sheet.append([DEALS[3 * s + i], int(CONTACTS[3 * s + i]), "Decision maker"])
    book.remove(book.worksheets[0])
    book.save(path)


def test_an_emptied_cell_in_a_read_of_several_sheets_names_its_sheet(
    portal: Sandbox, tmp_path: Path
) -> None:
    """An id, a label emptied in the second sheet of a workbook read whole: its sheet named."""
    _workbook(tmp_path / "book.xlsx")
    pairs = hf.read_pairs(tmp_path / "book.xlsx", sheet="*")
    assert set(pairs["sheet"]) == {"North", "South"}
    for column, header in (("from_id", "Deal ID"), ("to_id", "Contact ID"), ("label", "Label")):
        for way in EMPTY:
            edited = _emptied(pairs, column, [4], way)
            for job in JOBS.values():
                message = _refused(job, edited, portal)
                cell = re.escape(repr(pairs[header].iloc[4]))
                said = EDITED.format(header=header, place="sheet 'South' row 3", cell=cell)
                assert re.match(said + f"but its {column}, what a job sends, is empty", message)


# --- a property: random edits to random rows ---------------------------------------------

FIELDS = ("from_id", "to_id", "from_type", "to_type", "label", "type_id")
SAME: dict[str, Callable[[Any], object]] = {  # the value in another form: no edit
    "from_id": int,
    "to_id": lambda v: f"  {v} ",
    "from_type": lambda v: " DEALS",
    "to_type": lambda v: "Contact",
    "label": lambda v: f" {str(v).upper()} ",
    "type_id": lambda v: f"{v}.0",
}


@st.composite
def _edits(draw: st.DrawFn) -> list[tuple[int, str, str, str]]:
    """(position, field, what: 'field' / 'cell' / 'same', way) edits."""
    edit = st.tuples(
        st.integers(0, 5),
        st.sampled_from(FIELDS),
        st.sampled_from(["field", "cell", "same"]),
        st.sampled_from([*EMPTY, *NUMERIC]),
    )
    return draw(st.lists(edit, min_size=1, max_size=5))


def _apply(pairs: pd.DataFrame, edits: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    frame = pairs.copy()
    for at, field, what, way in edits:
        column = field if what != "cell" else OWN[field]
        numeric = field in ("from_id", "to_id", "type_id") and what == "field"
        if what == "same":
            value = pairs.at[at, field]  # as read: the same value, however often retyped
            if _says(value):
                cells = frame[field].astype(object)
                cells.iloc[at] = SAME[field](value)
                frame[field] = cells
        else:
            frame = _emptied(frame, column, [at], way if numeric or way in EMPTY else "None")
    return frame


def _mismatched(pairs: pd.DataFrame, edits: list[tuple[int, str, str, str]]) -> set[int]:
    """The sheet rows (numbers) left with a field empty beside its own cell saying a value,
    the edits followed in order (a field retyped as read is filled again)."""
    filled: dict[tuple[int, str], list[bool]] = {}  # (position, field) -> [field, cell]
    for at, field, what, _ in edits:
        state = filled.setdefault((at, field), [_says(pairs[field].iloc[at])] * 2)
        state[0] = _says(pairs[field].iloc[at]) if what == "same" else state[0] and what != "field"
        state[1] = state[1] and what != "cell"
    return {at + 2 for (at, _), (field, cell) in filled.items() if cell and not field}


def _says(value: Any) -> bool:
    return not pd.isna(value) and str(value).strip() != ""


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=_edits())
def test_random_edits_stop_the_job_naming_an_edited_row_or_change_nothing(
    edits: list[tuple[int, str, str, str]],
) -> None:
    sheet = _sheet(6)
    sheet.loc[[1, 3], "Type ID"] = "4"
    sheet.loc[5, ["From ID", "Label"]] = ""  # a row read empty in both: a missing value
    pairs = hf.read_pairs(sheet)
    edited = _apply(pairs, edits)
    wrong = _mismatched(pairs, edits)
    try:
        hf.validate_pairs(edited)
    except InputError as caught:
        named = re.search(r"cell of row (\d+) is", str(caught))
        assert named is not None and int(named.group(1)) in wrong, (edits, str(caught))
        assert "Nothing was sent." in str(caught)
    else:
        assert not wrong, f"{edits}: rows {sorted(wrong)} emptied, not stopped"
