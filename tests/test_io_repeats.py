"""A sheet whose column hubframe reads is repeated ("Contact ID" twice, "Contact ID 2", "Label"
and "Label 2") would have the repeats' cells left out of the run unseen: the read stops and
says which columns, in every reader (CSV, Excel, DataFrame) and on the command line.  So does a
sheet whose labels stand in a column named otherwise ("Contact Role", "Relationship")."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.testing import workbook_bytes, xlsx_bytes

REPO = Path(__file__).resolve().parent.parent


def _csv(text: str) -> io.BytesIO:
    source = io.BytesIO(text.encode())
    source.name = "links.csv"
    return source


def _read(headers: list[str], cells: list[str], how: str, **kwargs: Any) -> pd.DataFrame:
    if how == "csv":
        return hf.read_pairs(_csv(",".join(headers) + "\n" + ",".join(cells) + "\n"), **kwargs)
    if how == "xlsx":
        return hf.read_pairs(xlsx_bytes([headers, cells]), **kwargs)
    frame = pd.DataFrame([cells], columns=headers)
    return hf.read_pairs(frame, **kwargs)


READERS = ("csv", "xlsx", "frame")


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(
    ("headers", "repeat", "first"),
    [
        (["Deal ID", "Contact ID", "Contact ID"], "Contact ID.1", "Contact ID"),
        (["Deal ID", "Contact ID", "Contact ID.1"], "Contact ID.1", "Contact ID"),  # pandas wrote
        (["Deal ID", "Contact ID", "Contact ID 2"], "Contact ID 2", "Contact ID"),
        (["Deal ID", "Deal ID 2", "Contact ID"], "Deal ID 2", "Deal ID"),
        (["Deal ID", "Contact ID", "Label", "Label 2"], "Label 2", "Label"),
        (["Deal ID", "Contact ID", "Type ID", "Type ID.1"], "Type ID.1", "Type ID"),
        (["Deal ID", "Contact ID", "Contact Id"], "Contact Id", "Contact ID"),  # case
        (["Deal ID", "Contact ID", "CONTACT_ID"], "CONTACT_ID", "Contact ID"),  # punctuation
        (["Deal ID", "Contact ID", "Contact IDs"], "Contact IDs", "Contact ID"),  # same object
    ],
)
def test_a_repeated_column_stops_the_read_naming_both(
    headers: list[str], repeat: str, first: str, how: str
) -> None:
    cells = ["3000000001", "4000000001", "4000000002", "4000000003"][: len(headers)]
    with pytest.raises(HeaderError) as info:
        _read(headers, cells, how)
    message = str(info.value)
    assert f'"{repeat}" repeats "{first}"' in message
    assert "left out" in message
    assert f"columns={{{repeat!r}:" in message


@pytest.mark.parametrize("how", READERS)
def test_a_numbered_label_column_alone_is_not_dropped_unseen(how: str) -> None:
    with pytest.raises(HeaderError) as info:
        _read(["Deal ID", "Contact ID", "Label 1"], ["3000000001", "4000000001", "Champion"], how)
    assert '"Label 1" looks like the association label' in str(info.value)
    assert 'name it "Label"' in str(info.value)


@pytest.mark.parametrize("how", READERS)
def test_columns_chosen_explicitly_and_columns_of_the_analysts_own_read(how: str) -> None:
    headers = ["Deal ID", "Contact ID", "Contact ID 2", "Notes", "Notes 2", "Amount 2026"]
    cells = ["3000000001", "4000000001", "4000000002", "a", "b", "5"]
    chosen = _read(headers, cells, how, columns={"Contact ID 2": "to_id"}, to_type="contacts")
    assert chosen["to_id"].tolist() == ["4000000002"]
    first = _read(headers, cells, how, columns={"Contact ID": "to_id"}, to_type="contacts")
    assert first["to_id"].tolist() == ["4000000001"]
    own = _read(
        ["Deal ID", "Contact ID", "Notes", "Notes 2", "Amount 2026"], cells[:2] + cells[3:], how
    )
    assert own["to_id"].tolist() == ["4000000001"]
    assert own["Notes 2"].tolist() == ["b"]


def _hubframe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubframe", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_the_command_line_says_it_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text("Deal ID,Contact ID,Contact ID\n3000000001,4000000001,4000000002\n")
    proc = _hubframe("validate", str(path))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert '"Contact ID.1" repeats "Contact ID"' in lines[0]
    assert "columns=" not in lines[0]  # not an option of the command line


_ROLES = ["Deal ID", "Contact ID", "from_id", "to_id", "Label", "Type ID", "Association label"]
_OTHERS = ["Notes", "Amount", "Owner", "Stage", "Close Date", "Region"]


@settings(max_examples=150, deadline=None)
@given(
    role=st.sampled_from(_ROLES),
    suffix=st.sampled_from([".1", ".2", " 2", "2", " (2)", "_3", " 10"]),
    others=st.lists(st.sampled_from(_OTHERS), max_size=3, unique=True),
    other_suffix=st.sampled_from(["", ".1", " 2"]),
)
def test_any_numbered_repeat_of_a_read_column_stops_and_others_never_do(
    role: str, suffix: str, others: list[str], other_suffix: str
) -> None:
    base = ["from_id", "to_id"] if role in ("from_id", "to_id") else ["Deal ID", "Contact ID"]
    headers = list(dict.fromkeys([*base, role]))
    extra = [o + other_suffix for o in others]
    kwargs: dict[str, Any] = {"from_type": "deals", "to_type": "contacts"}
    clean = headers + extra + [o for o in others if other_suffix]
    frame = pd.DataFrame([["3000000001"] * len(clean)], columns=clean)
    read = hf.read_pairs(frame, **kwargs)
    assert len(read) == 1  # the analyst's own numbered columns never stop a read
    repeated = pd.DataFrame([["3000000001"] * (len(clean) + 1)], columns=[*clean, role + suffix])
    with pytest.raises(HeaderError, match="repeats"):
        hf.read_pairs(repeated, **kwargs)


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(
    "header", ["Role", "Contact Role", "Relationship", "Association Type", "association_role"]
)
def test_labels_in_a_column_named_otherwise_stop_the_read(header: str, how: str) -> None:
    """Before: the column was not read, and every pair was associated without its label."""
    cells = ["3000000001", "4000000001", "Decision maker"]
    with pytest.raises(HeaderError) as info:
        _read(["Deal ID", "Contact ID", header], cells, how)
    message = str(info.value)
    assert f'the column "{header}" may hold association labels' in message
    assert "associated without labels" in message and f"columns={{{header!r}: 'label'}}" in message
    chosen = _read(["Deal ID", "Contact ID", header], cells, how, columns={header: "label"})
    assert chosen["label"].tolist() == ["Decision maker"]


@pytest.mark.parametrize("how", READERS)
def test_a_role_column_beside_a_label_column_or_one_label_given_reads(how: str) -> None:
    cells = ["3000000001", "4000000001", "Champion", "Buyer"]
    both = _read(["Deal ID", "Contact ID", "Label", "Contact Role"], cells, how)
    assert both["label"].tolist() == ["Champion"] and both["Contact Role"].tolist() == ["Buyer"]
    given = _read(["Deal ID", "Contact ID", "Role"], cells[:3], how, label="Decision maker")
    assert given["label"].tolist() == ["Decision maker"]
    own = _read(["Deal ID", "Contact ID", "Buying Role", "Type"], cells, how)  # properties
    assert own["label"].isna().all()


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize("header", ["Role", "Contact Role", "Relationship"])
def test_an_empty_label_column_beside_labels_named_otherwise_stops_the_read(
    header: str, how: str
) -> None:
    """A template's Label column left empty, the labels typed in a "Role" column beside it:
    before, every pair was associated without its label and reported success."""
    headers = ["Deal ID", "Contact ID", "Label", header]
    cells = ["3000000001", "4000000001", "", "Decision maker"]
    for columns in (None, {"Label": "label"}):  # the notebook app names its dropdowns' choice
        with pytest.raises(HeaderError) as info:
            _read(headers, cells, how, columns=columns)
        message = str(info.value)
        assert f'the column "Label" is empty in every row, and the column "{header}"' in message
        assert "associated without labels" in message
    chosen = _read(headers, cells, how, columns={header: "label"})
    assert chosen["label"].tolist() == ["Decision maker"]
    given = _read(headers, cells, how, label="Champion")
    assert given["label"].tolist() == ["Champion"]
    empty = _read(headers, [*cells[:3], ""], how)  # both empty: unlabeled, as the sheet says
    assert empty["label"].isna().all()


def test_one_label_filled_anywhere_reads_the_label_column_as_before() -> None:
    sheet = _csv(
        "Deal ID,Contact ID,Label,Role\n"
        "3000000001,4000000001,,Buyer\n"
        "3000000002,4000000002,Champion,\n"
    )
    assert hf.read_pairs(sheet)["label"].tolist()[1] == "Champion"


def test_each_sheet_of_a_workbook_is_checked_on_its_own() -> None:
    data = workbook_bytes(
        {
            "January": [
                ["Deal ID", "Contact ID", "Label"],
                ["3000000001", "4000000001", "Champion"],
            ],
            "February": [
                ["Deal ID", "Contact ID", "Label", "Role"],
                ["3000000002", "4000000002", "", "X"],
            ],
        }
    )
    with pytest.raises(HeaderError, match=r"\[February\]: the column \"Label\" is empty"):
        hf.read_pairs(data, sheet="*")


def test_an_empty_label_column_of_a_limits_sheet_beside_relationships_stops() -> None:
    """A limit meant for the "Champion" label would have been set for the whole pair."""
    sheet = _csv("From object,To object,Label,Relationship,Max\ndeals,contacts,,Champion,3\n")
    with pytest.raises(HeaderError, match='"Relationship" may hold association labels'):
        hf.read_limits(sheet)


def test_a_limits_sheet_with_a_relationship_column_stops_too() -> None:
    sheet = _csv("From object,To object,Relationship,Max\ndeals,contacts,Champion,3\n")
    with pytest.raises(HeaderError, match='"Relationship" may hold association labels'):
        hf.read_limits(sheet)


def test_the_command_line_names_the_role_column_and_sends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_text("Deal ID,Contact ID,Contact Role\n2040000001,1019360001,Decision maker\n")
    proc = _hubframe("associate", str(path), "--sandbox")
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("hubframe: error")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert '"Contact Role" may hold association labels' in errors[0]
    assert 'Name it "Label"' in errors[0] and "columns=" not in errors[0]


@settings(max_examples=120, deadline=None)
@given(
    role=st.sampled_from(["Deal ID", "Contact ID", "Type ID"]),
    spelling=st.lists(
        st.sampled_from(["upper", "lower", "space", "underscore", "dash"]), max_size=3
    ),
)
def test_any_spelling_of_a_read_column_beside_it_stops(role: str, spelling: list[str]) -> None:
    """Before: "Contact Id" beside "Contact ID" was left unread, its pairs dropped unseen."""
    other = role
    for how in spelling:
        other = {
            "upper": other.upper(),
            "lower": other.lower(),
            "space": other.replace(" ", "  "),
            "underscore": other.replace(" ", "_"),
            "dash": other.replace(" ", "-"),
        }[how]
    if other == role:
        other = role.swapcase()
    headers = [*dict.fromkeys(["Deal ID", "Contact ID", role]), other]
    frame = pd.DataFrame([["3000000001"] * len(headers)], columns=headers)
    with pytest.raises(HeaderError, match=r"repeats|several columns could hold"):
        hf.read_pairs(frame)
