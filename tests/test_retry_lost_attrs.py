"""A retry file does what the run meant when the result table has lost its attrs.

pandas drops a table's ``attrs`` when ``pd.concat`` joins tables whose attrs differ (the results
of two runs always do).  The retry file then wrote no ``Association label`` column for a label
given as an argument (``read_pairs(chunk, label="Champion")``), so run alone it linked its rows
unlabeled, without a word; it took hubframe's own ``existed_before`` / ``linked_before`` columns
for the analyst's; and a sheet whose headers are hubframe's own names (``from_id``, ``label``,
``type_id``) lost them all (the result's normalized columns stand for them), leaving a file that
could not be read.  The file's headers are now read as the reader reads them, and each field
the run needs that none of them gives is written as a column of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import RESERVED_COLUMNS
from hubframe.errors import InputError
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from hubframe.vocab import Status

SUFFIXES = [".csv", ".xlsx"]
FIELDS = ["from_type", "from_id", "to_type", "to_id", "label", "type_id"]


def _ids(object_type: str) -> list[str]:
    return [str(i) for i in demo_ids(object_type)]


def _joined(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    joined = pd.concat(parts)
    assert joined.attrs == {}  # as pandas joins the results of two runs
    return joined


def _plain(cells: pd.Series) -> list[object]:
    return cells.astype(object).where(cells.notna(), None).tolist()


def _cells(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_label_given_as_an_argument_survives_pd_concat(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    deals, contacts = _ids("deals"), _ids("contacts")
    sheet = pd.DataFrame(
        {
            "Deal ID": deals[40:44],
            "Contact ID": [contacts[80], "999", contacts[81], "998"],  # no contact 999, 998
        }
    )
    client = client_for(sandbox)
    parts = [
        hf.associate(
            hf.read_pairs(chunk, label="Champion"), client, progress=False, record_existing=True
        )
        for chunk in (sheet.iloc[:2], sheet.iloc[2:])
    ]
    retry = hf.export_retry(_joined(parts), tmp_path / f"retry{suffix}")
    written = _cells(retry)
    assert written.columns.tolist() == ["Deal ID", "Contact ID", "Association label"]
    assert written["Association label"].tolist() == ["Champion", "Champion"]
    again = hf.associate(hf.read_pairs(retry), client, progress=False, dry_run=True)
    assert again["label"].tolist() == ["Champion", "Champion"]
    assert again["action"].tolist() == ["associate", "associate"]  # before: associate_default


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_retry_file_of_a_report_read_back_keeps_the_label(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    """A report read back (load_run) says which columns were the analyst's, not which field
    each held: its retry file lost the label given as an argument the same way."""
    from hubframe.report.reader import load_run

    deals, contacts = _ids("deals"), _ids("contacts")
    sheet = pd.DataFrame({"Deal ID": deals[40:42], "Contact ID": [contacts[80], "999"]})
    client = client_for(sandbox)
    result = hf.associate(hf.read_pairs(sheet, label="Champion"), client, progress=False)
    report = hf.export_report(result, tmp_path / f"report{suffix}")
    retry = hf.export_retry(load_run(report), tmp_path / f"retry{suffix}")
    again = hf.read_pairs(retry)
    assert again["to_id"].tolist() == ["999"]
    assert again["label"].tolist() == ["Champion"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_sheet_named_as_hubframe_names_its_columns_keeps_them(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    """Before: the retry file held "Notes" alone, and could not be read."""
    deals, contacts = _ids("deals"), _ids("contacts")
    champion = sandbox.type_id("deals", "contacts", "Champion")
    sheet = pd.DataFrame(
        {
            "from_type": ["deals"] * 4,
            "from_id": deals[1:5],
            "to_type": ["contacts"] * 4,
            "to_id": [contacts[1], "999", "997", "998"],
            "label": ["Champion", "", "Champion", ""],
            "type_id": ["", "", "", str(champion)],
            "Notes": ["a", "b", "c", "d"],
        }
    )
    client = client_for(sandbox)
    parts = [hf.associate(part, client, progress=False) for part in (sheet[:2], sheet[2:])]
    result = _joined(parts)
    assert result["status"].tolist() == ["success", "failed", "failed", "failed"]
    retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
    again = hf.associate(hf.read_pairs(retry), client, progress=False, dry_run=True)
    assert again["to_id"].tolist() == ["999", "997", "998"]
    assert again["Notes"].tolist() == ["b", "c", "d"]
    assert again["action"].tolist() == ["associate_default", "associate", "associate"]
    assert again["type_id"].tolist()[1:] == [champion, champion]
    assert again["label"].fillna("").tolist() == ["", "Champion", ""]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_hubframe_columns_are_never_the_analysts(tmp_path: Path, suffix: str) -> None:
    deals, contacts = _ids("deals"), _ids("contacts")
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        frame = pd.DataFrame({"Deal ID": [deals[0], "12"], "Contact ID": contacts[:2]})
        first = hf.associate(frame, client, progress=False, record_existing=True)
        second = hf.configure_limits(
            pd.DataFrame({"From object": ["deals"], "To object": ["contacts"], "Max": ["x"]}),
            client,
            dry_run=True,
            progress=False,
        )
    for result, kept in ((first, ["Deal ID", "Contact ID"]), (second, ["From object"])):
        result = result.copy()
        result.attrs = {}
        # a path of its own: a .csv retry file of another sheet is not written over
        written = _cells(hf.export_retry(result, tmp_path / f"retry_{kept[0]}{suffix}"))
        assert not set(written.columns) & set(RESERVED_COLUMNS)
        assert written.columns.tolist()[: len(kept)] == kept


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_blank_limit_read_as_a_removal_is_remove_without_attrs(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    """remove_blank=True read the empty limit cells as removals; the retry file of the joined
    results kept them empty, so run alone (without the flag) its rows were not sent."""
    sheet = pd.DataFrame(
        {
            "From object": ["Deals", "Deals"],
            "To object": ["Contacts", "Companies"],
            "Label": ["No such label", "Nor this one"],
            "Max associations": ["", " "],
        }
    )
    client = client_for(sandbox)
    parts = [
        hf.configure_limits(hf.read_limits(part, remove_blank=True), client, progress=False)
        for part in (sheet[:1], sheet[1:])
    ]
    retry = hf.export_retry(_joined(parts), tmp_path / f"retry{suffix}")
    back = hf.read_limits(retry)  # without remove_blank
    assert back["Max associations"].tolist() == ["remove", "remove"]
    assert back["remove"].tolist() == [True, True]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_limits_named_as_hubframe_names_them_read_back(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    """A limits sheet whose headers are hubframe's own names: a row given by type id alone
    is written with the label the result names for it (the portal's), a removal says
    remove, the object's limit stays the object's."""
    champion = sandbox.type_id("deals", "contacts", "Champion")
    sheet = pd.DataFrame(
        {
            "from_type": ["deals"] * 3,
            "to_type": ["contacts", "contacts", "companies"],
            "label": ["", "", "No such label"],
            "type_id": [str(champion), "", ""],
            "max_to_object_ids": ["5", "remove", "3"],
        }
    )
    result = hf.configure_limits(sheet, client_for(sandbox), dry_run=True, progress=False)
    result = result.assign(status="failed")
    result.attrs = {}
    back = hf.read_limits(hf.export_retry(result, tmp_path / f"retry{suffix}"))
    assert back["label"].fillna("").tolist() == ["Champion", "", "No such label"]
    assert _plain(back["type_id"]) == [None, None, None]
    assert _plain(back["max_to_object_ids"]) == [5, None, 3]
    assert back["remove"].tolist() == [False, True, False]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_limits_row_given_by_type_id_keeps_its_empty_label_cell(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    """The result names the portal's label of a row given by type id alone; without the
    attrs that say which rows, the retry file wrote that name into the analyst's empty cell."""
    champion = sandbox.type_id("deals", "contacts", "Champion")
    sheet = pd.DataFrame(
        {
            "From": ["deals", "deals"],
            "To": ["contacts", "contacts"],
            "Label": ["", "decision maker"],
            "Type ID": [str(champion), ""],
            "Max": ["5", "4"],
        }
    )
    result = hf.configure_limits(sheet, client_for(sandbox), dry_run=True, progress=False)
    assert result["label"].tolist() == ["Champion", "decision maker"]
    result = result.assign(status="failed")
    result.attrs = {}
    written = _cells(hf.export_retry(result, tmp_path / f"retry{suffix}"))
    assert written.columns.tolist() == ["From", "To", "Label", "Type ID", "Max"]
    assert written["Label"].tolist() == ["", "decision maker"]


def test_headers_that_do_not_say_what_was_read_are_refused(tmp_path: Path) -> None:
    """Two columns named as the 'from' ids (the run chose one with columns=): which one the
    run read, and so what the retry file would do, cannot be told. Nothing is written."""
    sheet = pd.DataFrame({"Source ID": ["7"], "From ID": ["11"], "Contact ID": ["21"]})
    pairs = hf.read_pairs(sheet, columns={"From ID": "from_id"}, from_type="deals")
    result = pairs.assign(status="failed")
    result.attrs = {}
    with pytest.raises(InputError, match="lost its attrs") as caught:
        hf.export_retry(result, tmp_path / "retry.csv")
    assert "Source ID, From ID" in str(caught.value)
    assert not (tmp_path / "retry.csv").exists()


# --- Any layout: the file read back gives the rows still to do ------------------------------------

ID_HEADERS = {
    "typed": ("Deal ID", "Contact ID"),
    "generic": ("From ID", "To ID"),
    "own": ("from_id", "to_id"),
}
TYPE_HEADERS = {"columns": ("From Type", "To Type"), "own": ("from_type", "to_type")}


@st.composite
def sheets(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, str]]:
    """A pairs sheet in one of many layouts, and the arguments its read is given."""
    n = draw(st.integers(1, 4))
    ids = draw(st.sampled_from(sorted(ID_HEADERS)))
    frame = {
        ID_HEADERS[ids][0]: [str(2040000001 + i) for i in range(n)],
        ID_HEADERS[ids][1]: [str(1019360001 + i) for i in range(n)],
    }
    arguments: dict[str, str] = {}
    if ids != "typed":
        types = draw(st.sampled_from([*sorted(TYPE_HEADERS), "argument"]))
        if types == "argument":
            arguments |= {"from_type": "deals", "to_type": "contacts"}
        else:
            frame[TYPE_HEADERS[types][0]] = ["deals"] * n
            frame[TYPE_HEADERS[types][1]] = ["contacts"] * n
    label = draw(st.sampled_from(["none", "Association label", "label", "argument", "both"]))
    if label in ("Association label", "label", "both"):  # "both": the argument fills it
        labels = ["", "Budget holder"] if label == "both" else ["", "Champion", "decision maker"]
        frame["Association label" if label == "both" else label] = draw(
            st.lists(st.sampled_from(labels), min_size=n, max_size=n)
        )
    if label in ("argument", "both"):
        arguments["label"] = "Budget holder"
    elif draw(st.booleans()):  # rows given by type id alone
        header = draw(st.sampled_from(["type_id", "Type ID"]))
        cells = draw(st.lists(st.sampled_from(["", "1003"]), min_size=n, max_size=n))
        given = frame.get("Association label", frame.get("label", [""] * n))
        frame[header] = [c if not g else "" for c, g in zip(cells, given, strict=True)]
    frame["Notes"] = [f"n{i}" for i in range(n)]
    return pd.DataFrame(frame), arguments


def _fields(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    cells = frame[FIELDS].astype(object).where(frame[FIELDS].notna(), None)
    cells["label"] = cells["label"].map(lambda v: v or None)
    return [tuple(row) for row in cells.itertuples(index=False)]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheet=sheets(), data=st.data(), suffix=st.sampled_from(SUFFIXES))
def test_the_retry_file_of_a_result_without_attrs_reads_back_as_its_rows(
    tmp_path_factory: pytest.TempPathFactory,
    sheet: tuple[pd.DataFrame, dict[str, str]],
    data: st.DataObject,
    suffix: str,
) -> None:
    """A sheet run in one or two chunks (the second perhaps with another label given), the
    results joined and their attrs gone: read back, the retry file's rows are the rows still
    to do, with the same pair, types, label and type id."""
    frame, arguments = sheet
    cut = data.draw(st.integers(0, len(frame)))
    results = []
    for n, chunk in enumerate(c for c in (frame[:cut], frame[cut:]) if len(c)):
        given = dict(arguments)
        if n and given.get("label") and "Association label" not in chunk.columns:
            given["label"] = data.draw(st.sampled_from(["Budget holder", "Champion"]))
        pairs = hf.read_pairs(chunk, **given)
        size = len(pairs)
        statuses = data.draw(st.lists(st.sampled_from(list(Status)), min_size=size, max_size=size))
        results.append(result_table(pairs, dict(enumerate(map(Outcome, statuses))), kind="pairs"))
    result = pd.concat(results) if len(results) > 1 else results[0].copy()
    result.attrs = {}
    todo = result[result["status"].isin([Status.FAILED, Status.INVALID])]
    retry = hf.export_retry(result, tmp_path_factory.mktemp("retry") / f"retry{suffix}")
    written = _cells(retry)
    assert not set(written.columns) & set(RESERVED_COLUMNS)
    assert "Notes" in written.columns
    if todo.empty:
        return
    assert _fields(hf.read_pairs(retry)) == _fields(todo)
