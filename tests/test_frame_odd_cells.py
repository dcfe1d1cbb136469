"""DataFrame cells that are not one value, and DataFrame columns pandas reads otherwise.

* A cell holding bytes (``b"Sponsor"``, from a database driver) or several values (a list from
  ``groupby().agg(list)``, a tuple, a dict, a set, a numpy array) in a text column a read
  takes -- a label, an inverse label, an internal name, an object type -- was read as its
  ``str``: ``configure_labels`` created the label ``b'Sponsor'`` (labels cannot be undone) and
  the other jobs planned or sent the pairs under such a label.  The read now stops before
  anything is sent, naming the row, the column and the value; record id, type id and limit
  columns refuse such a cell on its row (``BAD_ID``, ``BAD_LIMIT``), and the analyst's own
  columns keep it.
* A categorical of int64 ids with a missing cell went through float64: 123456789012345678
  read ``1.2345678901234568e+17``, refused as an id Excel shortened.
* An Arrow ``string_view`` column (polars' text), even the analyst's own, stopped the read:
  "the file could not be read ... save it again as .xlsx".
* An object with no text of its own -- Python's default ``<....Kind object at 0x7f...>``, or
  a ``str`` that fails -- was read as that text (or "(a Kind that has no text)"), and
  ``configure_labels`` created a label so named; it is refused as the cells above are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.labels import read_labels
from hubframe.sandbox import Sandbox
from hubframe.terminal import shown
from hubframe.testing import client_for, demo_ids
from tests.fuzzseeds import examples

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")


class _Plain:
    """An object with Python's default text: ``<...Plain object at 0x7f...>``."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Mute(_Plain):
    """An object whose ``str`` fails (it was read as "(a _Mute that has no text)")."""

    def __str__(self) -> str:
        raise RuntimeError("no text")


#: Objects a DataFrame cell may hold that are not one value; each made from the text meant.
ODD: dict[str, Callable[[str], Any]] = {
    "object with the default text": _Plain,
    "object whose str fails": _Mute,
    "whole number past Python's digits": lambda t: 10**5000,
    "bytes": lambda t: t.encode(),
    "list": lambda t: [t, "Gatekeeper"],
    "tuple": lambda t: (t,),
    "dict": lambda t: {t: 1},
    "set": lambda t: {t},
    "numpy array": lambda t: np.array([t]),
    "0-d numpy array": lambda t: np.array(t),
}

#: The kinds whose text does not hold the text they were made from.
TEXTLESS = {
    "object with the default text": "_Plain",
    "object whose str fails": "_Mute",
    "whole number past Python's digits": "whole number",
}


def _with_odd(frame: pd.DataFrame, column: str, value: Any, at: int = 1) -> pd.DataFrame:
    """A copy of ``frame`` whose ``column`` holds ``value`` at position ``at`` (row ``at + 2``)."""
    edited = frame.copy()
    cells = edited[column].astype(object).tolist()
    cells[at] = value
    edited[column] = pd.Series(cells, index=edited.index, dtype=object)
    return edited


def _refused(call: Callable[[], object], header: str, value: Any, row: int = 3) -> None:
    """``call()`` raises an InputError naming the row, the column and the value."""
    with pytest.raises(InputError) as caught:
        call()
    said = str(caught.value)
    assert f"row {row} " in said and repr(header) in said, said
    assert shown(value)[:30] in said, said
    assert "save it again" not in said, said


def _no_repr_labels(sb: Sandbox, before: pd.DataFrame) -> None:
    """The portal's deals -> contacts labels are as they were: none named after a repr."""
    after = sb.labels("deals", "contacts")
    assert after.equals(before), after
    named = [str(n) for n in after["label"].dropna()]
    assert not [n for n in named if n[:1] in "b[({<" or n.startswith("array")], named


# --- configure_labels --------------------------------------------------------------------------

LABELS_SHEET = pd.DataFrame(
    {
        "From type": ["deals", "deals", "deals"],
        "To type": ["contacts", "contacts", "contacts"],
        "Label": ["Sponsor", "Gatekeeper", "Budget owner"],
        "Inverse label": ["Sponsored deal", "Gated deal", "Owned budget"],
        "Name": ["sponsor", "gatekeeper", "budget_owner"],
    }
)
LABEL_TEXT = {"Label": "Sponsor", "Inverse label": "Sponsored", "Name": "sponsor"}
TYPE_TEXT = {"From type": "deals", "To type": "contacts"}


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("column", [*LABEL_TEXT, *TYPE_TEXT])
def test_configure_labels_refuses_an_odd_cell_and_creates_nothing(
    sandbox: Sandbox, kind: str, column: str
) -> None:
    value = ODD[kind]({**LABEL_TEXT, **TYPE_TEXT}[column])
    frame = _with_odd(LABELS_SHEET, column, value)
    before = sandbox.labels("deals", "contacts")
    client = client_for(sandbox)
    _refused(lambda: hf.configure_labels(frame, client, dry_run=True), column, value)
    _refused(lambda: hf.configure_labels(frame, client), column, value)
    _no_repr_labels(sandbox, before)


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("column", ["label", "inverse_label", "name"])
def test_configure_labels_refuses_an_odd_cell_put_in_a_read_frame(
    sandbox: Sandbox, kind: str, column: str
) -> None:
    """The labels frame the reader gave, a cell then set to bytes or a list in the notebook."""
    value = ODD[kind]("Sponsor")
    frame = _with_odd(read_labels(LABELS_SHEET), column, value)
    before = sandbox.labels("deals", "contacts")
    _refused(lambda: hf.configure_labels(frame, client_for(sandbox)), column, value)
    _no_repr_labels(sandbox, before)


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("reader", ["pairs", "limits"])
def test_configure_labels_refuses_an_odd_label_put_in_a_read_pairs_or_limits_frame(
    sandbox: Sandbox, kind: str, reader: str
) -> None:
    value = ODD[kind]("Sponsor")
    read = hf.read_pairs(PAIRS) if reader == "pairs" else hf.read_limits(LIMITS)
    frame = _with_odd(read, "label", value)
    before = sandbox.labels("deals", "contacts")
    _refused(lambda: hf.configure_labels(frame, client_for(sandbox)), "label", value)
    _no_repr_labels(sandbox, before)


# --- the pairs jobs ----------------------------------------------------------------------------

PAIRS = pd.DataFrame(
    {
        "From type": ["deals", "deals", "deals"],
        "From ID": [DEALS[0], DEALS[0], DEALS[1]],
        "To type": ["contacts", "contacts", "contacts"],
        "To ID": [CONTACTS[0], CONTACTS[1], CONTACTS[5]],
        "Label": ["Decision maker", "Champion", "Champion"],
        "Notes": ["a", "b", "c"],
    }
)
PAIR_TEXT = {"Label": "Champion", "From type": "deals", "To type": "contacts"}


def _pairs_job(job: str, client: Any) -> Callable[[pd.DataFrame], object]:
    calls: dict[str, Callable[[pd.DataFrame], object]] = {
        "associate dry run": lambda f: hf.associate(f, client, dry_run=True, progress=False),
        "associate": lambda f: hf.associate(f, client, progress=False),
        "remove": lambda f: hf.remove_associations(f, client, progress=False),
        "sync dry run": lambda f: hf.sync(f, client, dry_run=True, progress=False),
        "validate": lambda f: hf.validate_pairs(f, client),
    }
    return calls[job]


PAIRS_JOBS = ["associate dry run", "associate", "remove", "sync dry run", "validate"]


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("column", list(PAIR_TEXT))
@pytest.mark.parametrize("job", PAIRS_JOBS)
def test_a_pairs_job_refuses_an_odd_cell_and_sends_nothing(
    sandbox: Sandbox, kind: str, column: str, job: str
) -> None:
    value = ODD[kind](PAIR_TEXT[column])
    frame = _with_odd(PAIRS, column, value)
    labels = sandbox.labels("deals", "contacts")
    held = sandbox.associations("deals", "contacts")
    _refused(lambda: _pairs_job(job, client_for(sandbox))(frame), column, value)
    assert sandbox.associations("deals", "contacts").equals(held)
    _no_repr_labels(sandbox, labels)


@pytest.mark.parametrize("kind", list(ODD))
def test_an_odd_cell_in_a_property_id_column_is_refused(sandbox: Sandbox, kind: str) -> None:
    """A column of record property values (emails) is text too: ``b'a@b.com'`` is no email."""
    frame = pd.DataFrame(
        {"Deal ID": [DEALS[0], DEALS[1]], "Contact email": ["a@example.com", "b@example.com"]}
    )
    value = ODD[kind]("b@example.com")
    odd = _with_odd(frame, "Contact email", value)
    _refused(lambda: hf.associate(odd, client_for(sandbox), dry_run=True), "Contact email", value)


@pytest.mark.parametrize("kind", list(ODD))
def test_an_odd_cell_of_the_analysts_own_column_is_kept_and_one_the_read_takes_refused(
    sandbox: Sandbox, kind: str
) -> None:
    """The analyst's own column keeps whatever it holds (carried as its text, the run goes on);
    the same cell under the label column stops the run."""
    value = ODD[kind]("Champion")
    own = _with_odd(PAIRS, "Notes", value)
    client = client_for(sandbox)
    result = hf.associate(own, client, dry_run=True, progress=False)
    assert "invalid" not in set(result["status"]), result
    carried = TEXTLESS.get(kind, "Champion")  # the cell's own text
    assert carried in str(result["Notes"].iloc[1]), result["Notes"]
    taken = own.assign(Label=own["Notes"], Notes="x")
    _refused(lambda: hf.associate(taken, client, dry_run=True, progress=False), "Label", value)


@pytest.mark.parametrize("kind", list(ODD))
def test_an_odd_id_cell_is_refused_on_its_row_and_an_odd_label_cell_stops_the_read(
    kind: str,
) -> None:
    """Record id columns refuse such a cell on its row (``BAD_ID``; a one-cell array of an id,
    ``np.array(2040000001)``, was read as the id), the label column before anything is read."""
    value = ODD[kind](str(DEALS[1])) if kind != "0-d numpy array" else np.array(DEALS[1])
    frame = PAIRS.drop(columns=["From type", "To type"])
    frame = frame.rename(columns={"From ID": "Deal ID", "To ID": "Contact ID"})
    issues = hf.validate_pairs(_with_odd(frame, "Deal ID", value))
    assert issues.loc[issues["row"] == 3, "code"].tolist() == ["BAD_ID"], issues
    _refused(lambda: hf.validate_pairs(_with_odd(frame, "Label", value)), "Label", value)


@pytest.mark.parametrize("form", ["category of bytes", "arrow binary", "arrow list"])
def test_label_columns_of_odd_dtypes_are_refused(form: str) -> None:
    cells: dict[str, Any] = {
        "category of bytes": pd.Categorical([b"Champion", b"Champion", None]),
        "arrow binary": pd.array(
            [b"Champion", b"Champion", None], dtype=pd.ArrowDtype(pa.binary())
        ),
        "arrow list": pd.array(
            [["Champion"], ["Champion"], None], dtype=pd.ArrowDtype(pa.list_(pa.string()))
        ),
    }
    frame = PAIRS.assign(Label=cells[form])
    with pytest.raises(InputError, match=r"row 2 \(index 0\) of column 'Label' holds"):
        hf.read_pairs(frame)


# --- limits ------------------------------------------------------------------------------------

LIMITS = pd.DataFrame(
    {
        "From type": ["deals", "deals", "deals"],
        "To type": ["contacts", "contacts", "contacts"],
        "Label": ["Decision maker", "Champion", "Budget holder"],
        "Max": [3, 4, 5],
    }
)
LIMIT_TEXT = {"Label": "Champion", "From type": "deals", "To type": "contacts"}


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("column", list(LIMIT_TEXT))
def test_limits_refuse_an_odd_cell_and_set_nothing(
    sandbox: Sandbox, kind: str, column: str
) -> None:
    value = ODD[kind](LIMIT_TEXT[column])
    frame = _with_odd(LIMITS, column, value)
    held = sandbox.limits("deals", "contacts")
    labels = sandbox.labels("deals", "contacts")
    client = client_for(sandbox)
    _refused(lambda: hf.read_limits(frame), column, value)
    _refused(lambda: hf.configure_limits(frame, client, dry_run=True), column, value)
    _refused(lambda: hf.configure_limits(frame, client, progress=False), column, value)
    assert sandbox.limits("deals", "contacts").equals(held)
    _no_repr_labels(sandbox, labels)


@pytest.mark.parametrize("kind", list(ODD))
def test_an_odd_limit_cell_is_refused_on_its_row_and_an_odd_label_cell_stops_the_read(
    kind: str,
) -> None:
    value = ODD[kind]("4") if kind != "0-d numpy array" else np.array(4)
    issues = hf.validate_limits(_with_odd(LIMITS, "Max", value))
    assert issues.loc[issues["row"] == 3, "code"].tolist() == ["BAD_LIMIT"], issues
    _refused(lambda: hf.validate_limits(_with_odd(LIMITS, "Label", value)), "Label", value)


# --- categorical ids ---------------------------------------------------------------------------


@st.composite
def _categorical_ids(draw: st.DrawFn) -> tuple[list[int | None], list[int]]:
    """Ids of up to 18 digits with one missing cell at least, and the categories in any order
    (with unused ones)."""
    ids = draw(st.lists(st.integers(1, 10**18 - 1), min_size=1, max_size=6))
    missing = draw(st.sets(st.integers(0, len(ids)), min_size=1))
    cells: list[int | None] = list(ids)
    for at in sorted(missing):
        cells.insert(min(at, len(cells)), None)
    unused = draw(st.lists(st.integers(1, 10**18 - 1), max_size=3))
    categories = list(dict.fromkeys([*ids, *unused]))
    return cells, draw(st.permutations(categories))


@settings(max_examples=examples(30), deadline=None)
@given(_categorical_ids())
def test_a_categorical_of_ids_with_missing_cells_reads_every_id_exactly(
    drawn: tuple[list[int | None], list[int]],
) -> None:
    cells, categories = drawn
    frame = pd.DataFrame(
        {
            "Deal ID": pd.Categorical(cells, categories=categories),
            "Contact ID": [CONTACTS[0]] * len(cells),
        }
    )
    pairs = hf.read_pairs(frame)
    read = dict(zip(pairs["row"], pairs["from_id"], strict=True))
    issues = hf.validate_pairs(pairs)
    for at, cell in enumerate(cells):
        row = at + 2
        codes = issues.loc[issues["row"] == row, "code"].tolist()
        if cell is None:
            assert "MISSING_VALUE" in codes, (row, issues)
        else:
            assert read[row] == str(cell), (row, read[row], cell)
            assert "BAD_ID" not in codes, (row, issues)


# --- string_view columns -----------------------------------------------------------------------

VIEW = pd.ArrowDtype(pa.string_view())


def test_string_view_ids_read_exactly_and_are_sent(sandbox: Sandbox) -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": pd.array([str(DEALS[2]), "123456789012345678"], dtype=VIEW),
            "Contact ID": pd.array([str(CONTACTS[6]), str(CONTACTS[7])], dtype=VIEW),
            "Label": pd.array(["Champion", None], dtype=VIEW),
        }
    )
    pairs = hf.read_pairs(frame)
    assert pairs["from_id"].tolist() == [str(DEALS[2]), "123456789012345678"]
    assert pairs["label"].tolist()[0] == "Champion"
    result = hf.associate(frame.iloc[:1], client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["success"], result
    held = sandbox.associations("deals", "contacts")
    sent = (held["from_id"].astype(str) == str(DEALS[2])) & (
        held["to_id"].astype(str) == str(CONTACTS[6])
    )
    assert sent.any(), held


@pytest.mark.parametrize("kind", ["string_view", "binary_view"])
def test_a_view_column_of_the_analysts_own_is_carried(kind: str) -> None:
    dtype = pd.ArrowDtype(pa.string_view() if kind == "string_view" else pa.binary_view())
    notes = ["call back", None] if kind == "string_view" else [b"call back", None]
    frame = pd.DataFrame(
        {
            "Deal ID": [DEALS[0], DEALS[1]],
            "Contact ID": [CONTACTS[5], CONTACTS[6]],
            "Notes": pd.array(notes, dtype=dtype),
        }
    )
    pairs = hf.read_pairs(frame)
    assert pairs["from_id"].tolist() == [str(DEALS[0]), str(DEALS[1])]
    assert "call back" in str(pairs["Notes"].tolist()[0])
    assert hf.validate_pairs(frame).empty


def test_a_binary_view_label_column_is_refused_by_name() -> None:
    frame = PAIRS.assign(Label=pd.array([b"Champion"] * 3, dtype=pd.ArrowDtype(pa.binary_view())))
    with pytest.raises(InputError, match=r"row 2 \(index 0\) of column 'Label' holds bytes"):
        hf.read_pairs(frame)


def test_configure_labels_reads_a_string_view_labels_sheet(sandbox: Sandbox) -> None:
    frame = LABELS_SHEET.astype(VIEW)
    frame["Name"] = pd.array(["sponsor", None, None], dtype=VIEW)  # a missing cell: a null
    result = hf.configure_labels(frame, client_for(sandbox))
    assert result["status"].tolist() == ["success"] * 3, result
    made = set(sandbox.labels("deals", "contacts")["label"].dropna())
    assert {"Sponsor", "Gatekeeper", "Budget owner"} <= made


# --- read frames edited after the read ------------------------------------------------------

READ_TEXT = {"label": "Champion", "from_type": "deals", "to_type": "contacts", "category": "x"}


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("column", list(READ_TEXT))
@pytest.mark.parametrize("own_label", [True, False])
@pytest.mark.parametrize("job", PAIRS_JOBS)
def test_a_pairs_job_refuses_an_odd_cell_set_in_a_read_frame(
    sandbox: Sandbox, kind: str, column: str, own_label: bool, job: str
) -> None:
    """A read frame whose text cell the analyst set to bytes or several values after the read
    (with or without a Label column of the sheet's own beside it) stops the job naming the
    row, the column and the value; before, a label cell set so was judged as the label
    "b'Champion'" (or, without the sheet's column, ALREADY_ASSOCIATED and the like)."""
    sheet = PAIRS if own_label else PAIRS.drop(columns=["Label"])
    read = hf.read_pairs(sheet)
    value = ODD[kind](READ_TEXT[column])
    frame = _with_odd(read, column, value)
    held = sandbox.associations("deals", "contacts")
    _refused(lambda: _pairs_job(job, client_for(sandbox))(frame), column, value)
    assert sandbox.associations("deals", "contacts").equals(held)


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("column", ["label", "from_type", "to_type"])
def test_limits_refuse_an_odd_cell_set_in_a_read_frame(
    sandbox: Sandbox, kind: str, column: str
) -> None:
    value = ODD[kind](LIMIT_TEXT[{"label": "Label"}.get(column, "From type")])
    frame = _with_odd(hf.read_limits(LIMITS), column, value)
    held = sandbox.limits("deals", "contacts")
    client = client_for(sandbox)
    _refused(lambda: hf.validate_limits(frame, client), column, value)
    _refused(lambda: hf.configure_limits(frame, client, dry_run=True), column, value)
    _refused(lambda: hf.configure_limits(frame, client, progress=False), column, value)
    assert sandbox.limits("deals", "contacts").equals(held)


class _MuteName:
    def __str__(self) -> str:
        raise RuntimeError("no name")

    def __repr__(self) -> str:
        raise RuntimeError("no name")


@pytest.mark.parametrize("name", [10**5000, _MuteName()], ids=["huge int", "mute object"])
def test_a_frame_whose_column_name_has_no_text_is_refused_as_a_frame(name: object) -> None:
    """A column name Python cannot write stops the read with words for a DataFrame; before,
    "the file could not be read ... If it opens in Excel, save it again as .xlsx"."""
    frame = pd.DataFrame([[DEALS[0], CONTACTS[0], "x"]], columns=["Deal ID", "Contact ID", name])
    with pytest.raises(InputError) as caught:
        hf.read_pairs(frame)
    said = str(caught.value)
    assert said.startswith("<DataFrame>: the frame could not be read"), said
    assert "Excel" not in said and "save it again" not in said, said


def _dates(form: str) -> Any:
    """Three dates as a DataFrame column holds them in ``form``."""
    days = ["2026-03-05", "2026-01-02", "2026-12-01"]
    if form == "timestamp cell":
        return pd.Series(["Sponsor", pd.Timestamp(days[1]), "Budget owner"], dtype=object)
    if form == "date cell":
        return pd.Series(["Sponsor", pd.Timestamp(days[1]).date(), "Budget owner"], dtype=object)
    if form == "datetime64 column":
        return pd.to_datetime(pd.Series(days))
    if form == "timezone column":
        return pd.to_datetime(pd.Series(days), utc=True)
    return pd.Series(pd.to_datetime(days).date, dtype="date32[pyarrow]")


DATE_FORMS = ["timestamp cell", "date cell", "datetime64 column", "timezone column", "arrow"]


@pytest.mark.parametrize("form", DATE_FORMS)
@pytest.mark.parametrize("column", list(LABEL_TEXT))
def test_a_date_in_a_frames_label_column_is_refused(
    sandbox: Sandbox, column: str, form: str
) -> None:
    """A DataFrame's label, inverse label or name cell holding a date (``pd.read_excel`` of a
    sheet where Excel made a date of "5-Mar", ``parse_dates``) was taken as its ISO text, and
    ``configure_labels`` created the label "2026-03-05"; the .xlsx reader refuses such a cell
    (its format shows other text), and a frame's is refused now too, naming the row."""
    frame = LABELS_SHEET.copy()
    frame[column] = _dates(form).to_numpy() if form != "arrow" else _dates(form).array
    before = sandbox.labels("deals", "contacts")
    with pytest.raises(InputError) as caught:
        hf.configure_labels(frame, client_for(sandbox))
    said = str(caught.value)
    assert "holds a date" in said and repr(column) in said, said
    assert _no_repr_labels(sandbox, before) is None


@pytest.mark.parametrize("form", DATE_FORMS)
def test_a_date_in_a_pairs_label_column_stops_the_read_and_one_in_the_notes_is_kept(
    form: str,
) -> None:
    frame = PAIRS.copy()
    frame["Notes"] = _dates(form).to_numpy() if form != "arrow" else _dates(form).array
    assert len(hf.read_pairs(frame)) == len(frame)  # the analyst's own column: kept
    frame["Label"] = frame["Notes"]
    with pytest.raises(InputError, match="holds a date"):
        hf.read_pairs(frame)
