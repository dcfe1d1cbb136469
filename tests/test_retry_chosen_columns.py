"""A retry file reads back the columns the run read, also those chosen with ``columns=``.

The sheet ``Deal ID, Contact ID, Notes, Replacement``, read with ``columns={"Replacement":
"to_id"}`` (or the app's dropdown), sent the Replacement ids.  Its retry file kept the sheet's
headers as they were, so ``read_pairs(retry)`` took ``Contact ID`` again: the retry linked the
old contact, ``success``.  A label column with a header the reader does not know (``Their
part``), chosen so, was left as a column of the analyst's own: the retry linked the pairs
without the label.  A column the run read as a field that a read of the file would not take for
it is now marked with the field (``Replacement [to_id]``, ``Their part [label]``), and the
reader takes a marked column for its field before any other; when no mark can make the file
read as the run read, nothing is written (InputError).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import read_limits, read_pairs
from hubframe.io.aliases import field_mark, field_marked, header_key, marked_header
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from hubframe.widgets import backend

ROWS = 3
#: Header -> its cells: several columns could each be chosen for a field, and each holds
#: values no other column holds, so a field read from another column shows.
POOL: dict[str, list[str]] = {
    "Deal ID": [str(2040000001 + i) for i in range(ROWS)],
    "Contact ID": [str(1019360001 + i) for i in range(ROWS)],
    "Replacement": [str(1019370001 + i) for i in range(ROWS)],
    "Old deal": [str(2040100001 + i) for i in range(ROWS)],
    "Label": ["Champion"] * ROWS,
    "Their part": ["Decision maker"] * ROWS,
    "Association label": ["Partner"] * ROWS,
    "Notes": [f"note {i}" for i in range(ROWS)],
    "Type ID": ["1003"] * ROWS,
    "Kind": ["1005"] * ROWS,
    "Record ID": [str(2040000001 + i) for i in range(ROWS)],
    "Associated Contact IDs": [str(1019360001 + i) for i in range(ROWS)],
    "Associated Company IDs": [str(1019380001 + i) for i in range(ROWS)],
}
PAIR_FIELDS = ("from_id", "to_id", "label", "type_id")
COMPARED = ("from_type", "from_id", "to_type", "to_id", "label", "category", "type_id")
TYPES = {"from_type": "deals", "to_type": "contacts"}


def _values(frame: pd.DataFrame, fields: tuple[str, ...] = COMPARED) -> list[tuple[str, ...]]:
    """Each row's fields as text ("" for an empty cell or a field the frame lacks)."""
    cells = [
        frame[f].astype("string").fillna("").str.strip().tolist()
        if f in frame.columns
        else [""] * len(frame)
        for f in fields
    ]
    return list(zip(*cells, strict=True))


def _failed(pairs: pd.DataFrame) -> pd.DataFrame:
    """A result of ``pairs`` whose every row failed (each is in the retry file)."""
    return pairs.assign(status="failed", error_code="OBJECT_NOT_FOUND")


def _sheet(headers: list[str]) -> pd.DataFrame:
    return pd.DataFrame({h: POOL[h] for h in headers})


IDS = [
    "Deal ID",
    "Contact ID",
    "Replacement",
    "Old deal",
    "Record ID",
    "Associated Contact IDs",
    "Associated Company IDs",
]
OTHERS = ["Label", "Their part", "Notes", "Kind"]


@st.composite
def _choices(draw: st.DrawFn) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """A sheet's headers (two id columns at least), ``columns=`` choosing some of them, and
    the object types given (none: the headers must name them)."""
    ids = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=4, unique=True))
    others = draw(st.lists(st.sampled_from(OTHERS), max_size=3, unique=True))
    headers = draw(st.permutations([*ids, *others]))
    fields = draw(st.lists(st.sampled_from(PAIR_FIELDS), max_size=3, unique=True))
    chosen = draw(st.permutations(headers))[: len(fields)]
    types = draw(
        st.sampled_from([TYPES, {}, {"to_type": "contacts"}, {**TYPES, "to_type": "companies"}])
    )
    return list(headers), dict(zip(chosen, fields[: len(chosen)], strict=False)), types


def _read_or_none(
    sheet: pd.DataFrame, columns: Mapping[str, str], types: Mapping[str, str]
) -> pd.DataFrame | None:
    try:
        return read_pairs(sheet, columns=dict(columns), **types)
    except InputError:
        return None  # the run refused the sheet: nothing to retry


def _check_reads_back(pairs: pd.DataFrame, retry: Path, types: Mapping[str, str]) -> None:
    """Read alone the file is refused (a type the run was given) or reads the run's fields;
    with the run's object types given again, it reads them."""
    wanted = _values(pairs)
    assert _values(read_pairs(retry, **types)) == wanted
    try:
        alone = read_pairs(retry)
    except InputError as exc:
        assert types, exc  # refused until the types the run was given are given again
        assert "type" in str(exc), exc
    else:
        assert _values(alone) == wanted


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choice=_choices(), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_a_retry_file_reads_back_the_columns_the_run_read(
    tmp_path_factory: pytest.TempPathFactory,
    choice: tuple[list[str], dict[str, str], dict[str, str]],
    suffix: str,
) -> None:
    headers, columns, types = choice
    pairs = _read_or_none(_sheet(headers), columns, types)
    if pairs is None:
        return
    retry = hf.export_retry(_failed(pairs), tmp_path_factory.mktemp("r") / f"retry{suffix}")
    _check_reads_back(pairs, retry, types)
    # A retry of the retry file keeps one mark per column, and reads back the same.
    again = read_pairs(retry, **types)
    second = hf.export_retry(_failed(again), tmp_path_factory.mktemp("r") / f"again{suffix}")
    _check_reads_back(pairs, second, types)
    first_headers = _headers(retry)
    assert _headers(second) == first_headers
    assert all(h.count("[") <= 1 for h in first_headers)


def _headers(path: Path) -> list[str]:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig").columns.tolist()
    return pd.read_excel(path, dtype=str, engine="calamine").columns.tolist()


GRID = [  # sheet headers, columns=, the headers the retry file has
    (
        ["Deal ID", "Contact ID", "Notes", "Replacement"],
        {"Replacement": "to_id"},
        ["Deal ID", "Contact ID", "Notes", "Replacement [to_id]"],
    ),
    (
        ["Deal ID", "Contact ID", "Their part"],
        {"Their part": "label"},
        ["Deal ID", "Contact ID", "Their part [label]"],
    ),
    (  # the types given chose the sides; read alone the file would swap them
        ["Contact ID", "Deal ID"],
        {},
        ["Contact ID [to_id]", "Deal ID [from_id]"],
    ),
    (
        ["Old deal", "Deal ID", "Contact ID"],
        {"Old deal": "from_id", "Contact ID": "to_id"},
        ["Old deal [from_id]", "Deal ID", "Contact ID [to_id]"],
    ),
    (
        ["Deal ID", "Contact ID", "Kind"],
        {"Kind": "type_id"},
        ["Deal ID", "Contact ID", "Kind [type_id]"],
    ),
    (  # an export read with its types: refused alone (several to_id columns), as before
        ["Record ID", "Associated Contact IDs", "Associated Company IDs"],
        {},
        ["Record ID", "Associated Contact IDs", "Associated Company IDs"],
    ),
    (  # chosen, but the read of the file takes the same columns: nothing marked
        ["Deal ID", "Contact ID", "Association label"],
        {"Association label": "label", "Deal ID": "from_id"},
        ["Deal ID", "Contact ID", "Association label"],
    ),
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(("headers", "columns", "written"), GRID)
def test_a_chosen_column_is_marked_only_where_the_file_would_read_another(
    tmp_path: Path,
    suffix: str,
    headers: list[str],
    columns: dict[str, str],
    written: list[str],
) -> None:
    pairs = read_pairs(_sheet(headers), columns=columns, **TYPES)
    retry = hf.export_retry(_failed(pairs), tmp_path / f"retry{suffix}")
    assert _headers(retry) == written
    _check_reads_back(pairs, retry, TYPES)


def test_a_chosen_column_read_by_a_property_keeps_both_marks(tmp_path: Path) -> None:
    sheet = pd.DataFrame({"Deal ID": ["1", "2"], "Contact ID": ["3", "4"], "Code": ["C-1", "C-2"]})
    pairs = read_pairs(sheet, columns={"Code": "to_id"}, to_id_property="code", **TYPES)
    retry = hf.export_retry(_failed(pairs), tmp_path / "retry.csv")
    assert _headers(retry) == ["Deal ID", "Contact ID", "Code [to_id] [id property: code]"]
    back = read_pairs(retry, **TYPES)
    assert back["to_id"].tolist() == ["C-1", "C-2"]
    assert back.attrs["hubframe"]["id_properties"] == {"to": "code"}


def test_a_limits_retry_file_reads_back_the_chosen_limit_column(tmp_path: Path) -> None:
    sheet = pd.DataFrame(
        {
            "From": ["deals"],
            "To": ["contacts"],
            "Label": ["Champion"],
            "Cap": ["7"],
        }
    )
    limits = read_limits(sheet, columns={"Cap": "max_to_object_ids"})
    assert limits["max_to_object_ids"].astype(str).tolist() == ["7"]
    for suffix in (".csv", ".xlsx"):
        retry = hf.export_retry(_failed(limits), tmp_path / f"retry{suffix}")
        assert _headers(retry) == ["From", "To", "Label", "Cap [max_to_object_ids]"]
        back = read_limits(retry)
        assert back["max_to_object_ids"].astype(str).tolist() == ["7"]


LIMIT_POOL: dict[str, list[str]] = {
    "From": ["deals", "deals"],
    "To": ["contacts", "companies"],
    "Object": ["deals", "deals"],
    "Label": ["Champion", "Partner"],
    "Their part": ["Decision maker", "Reseller"],
    "Limit": ["5", "6"],
    "Cap": ["7", "8"],
    "Notes": ["a", "b"],
}
LIMIT_FIELDS = ("from_type", "to_type", "label", "max_to_object_ids")
LIMIT_COMPARED = ("from_type", "to_type", "label", "type_id", "max_to_object_ids")


@st.composite
def _limit_choices(draw: st.DrawFn) -> tuple[list[str], dict[str, str]]:
    headers = draw(st.permutations(list(LIMIT_POOL)))[: draw(st.integers(3, len(LIMIT_POOL)))]
    fields = draw(st.lists(st.sampled_from(LIMIT_FIELDS), max_size=3, unique=True))
    chosen = draw(st.permutations(headers))[: len(fields)]
    return list(headers), dict(zip(chosen, fields[: len(chosen)], strict=False))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choice=_limit_choices(), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_a_limits_retry_file_reads_back_the_columns_the_run_read(
    tmp_path_factory: pytest.TempPathFactory,
    choice: tuple[list[str], dict[str, str]],
    suffix: str,
) -> None:
    headers, columns = choice
    sheet = pd.DataFrame({h: LIMIT_POOL[h] for h in headers})
    try:
        limits = read_limits(sheet, columns=columns)
    except InputError:
        return  # the run refused the sheet
    retry = hf.export_retry(_failed(limits), tmp_path_factory.mktemp("r") / f"retry{suffix}")
    back = read_limits(retry)
    assert _values(back, LIMIT_COMPARED) == _values(limits, LIMIT_COMPARED)


# --- The reader's field marks ----------------------------------------------------------------


@settings(max_examples=examples(60), deadline=None)
@given(
    header=st.sampled_from(["Replacement", "Their part", "Contact ID", "Notes (x)"]),
    field=st.sampled_from(["from_id", "to_id", "label", "type_id", "max_to_object_ids"]),
    again=st.sampled_from(["to_id", "label"]),
    prop=st.none() | st.sampled_from(["code", "email"]),
)
def test_a_field_marked_header_reads_as_its_header_with_the_field(
    header: str, field: str, again: str, prop: str | None
) -> None:
    base = header if prop is None else marked_header(header, prop)
    marked = field_marked(field_marked(base, again), field)  # one field mark, the last
    assert field_mark(marked) == (header, field)
    assert header_key(marked) == header_key(header)
    assert marked.endswith(f"[{field}]" if prop is None else f"[id property: {prop}]")


def test_a_field_marked_on_two_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Deal ID,Contact ID [to_id],Replacement [to_id]\n1,2,3\n")
    with pytest.raises(InputError, match=r"Replacement \[to_id\].*marked as to_id too"):
        read_pairs(path, **TYPES)


def test_a_field_mark_a_limits_sheet_has_no_column_for_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("From,To,Limit,Old [to_id]\ndeals,contacts,5,3\n")
    with pytest.raises(InputError, match="limits sheet has no column to_id"):
        read_limits(path)


def test_columns_given_again_agree_with_the_marks(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Deal ID,Contact ID,Replacement [to_id]\n1,2,3\n")
    for columns in ({}, {"Replacement": "to_id"}, {"Replacement [to_id]": "to_id"}):
        assert read_pairs(path, columns=columns, **TYPES)["to_id"].tolist() == ["3"]
    # columns= names another column for the field: it wins, as it does over any header.
    chosen = read_pairs(path, columns={"Contact ID": "to_id"}, **TYPES)
    assert chosen["to_id"].tolist() == ["2"]


# --- End to end: Python, the command line, the app's read ------------------------------------

DEAL, DEAL_2 = "2040000075", "2040000076"
OLD, GOOD, MISTYPED, FIXED = "1019360180", "1019360175", "1019369999", "1019360176"
CSV = (
    "Deal ID,Contact ID,Notes,Replacement,Their part\n"
    f"{DEAL},{OLD},old contact,{GOOD},Champion\n"
    f"{DEAL_2},{OLD},old contact,{MISTYPED},Champion\n"
)
CHOSEN = {"Replacement": "to_id", "Their part": "label"}


def _links(sb: Sandbox, deal: str) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    frame = frame[frame["from_id"].astype(str) == deal]
    return set(zip(frame["to_id"].astype(str), frame["type_id"].astype(str), strict=True))


def _first_run(sb: Sandbox, tmp_path: Path, suffix: str) -> Path:
    pairs = read_pairs(io.BytesIO(CSV.encode()), columns=CHOSEN, **TYPES)
    first = hf.associate(pairs, client_for(sb), progress=False)
    assert first["status"].tolist() == ["success", "failed"]
    retry = hf.export_retry(first, tmp_path / f"retry{suffix}")
    if suffix == ".csv":  # the analyst fixes the mistyped id
        retry.write_text(retry.read_text(encoding="utf-8-sig").replace(MISTYPED, FIXED))
    else:
        frame = pd.read_excel(retry, dtype=str, engine="calamine")
        frame.replace(MISTYPED, FIXED).to_excel(retry, index=False, sheet_name="Retry")
    return retry


CHAMPION = "1003"  # deals -> contacts, in the demo portal


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_retry_links_the_chosen_contact_with_the_chosen_label(
    tmp_path: Path, suffix: str
) -> None:
    with Sandbox(seed="demo") as sb:
        retry = _first_run(sb, tmp_path, suffix)
        again = hf.associate(read_pairs(retry, to_type="contacts"), client_for(sb), progress=False)
        assert again["status"].tolist() == ["success"]
        links = _links(sb, DEAL_2)
        assert (FIXED, CHAMPION) in links
        assert not {to for to, _ in links} & {OLD, MISTYPED}


def test_the_command_line_runs_the_retry_file_as_the_run_read(tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        retry = _first_run(sb, tmp_path, ".csv")
        where = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        assert main(["associate", str(retry), "--to", "contacts", *where]) == 0
        links = _links(sb, DEAL_2)
        assert (FIXED, CHAMPION) in links
        assert OLD not in {to for to, _ in links}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_app_reads_the_retry_file_as_the_run_read(tmp_path: Path, suffix: str) -> None:
    """The app's read of the retry file's bytes (as uploaded): its dropdowns are filled from
    the read, and the read takes the marked columns."""
    pairs = read_pairs(io.BytesIO(CSV.encode()), columns=CHOSEN, **TYPES)
    data = backend.retry_bytes(_failed(pairs), f"p_retry{suffix}")
    source = backend.SheetSource.from_upload({"name": f"p_retry{suffix}", "content": data})
    frame = backend.read(source, "associate", to_type="contacts")
    assert _values(frame) == _values(pairs)
    mapping = frame.attrs["hubframe"]["column_map"]
    assert mapping["Replacement [to_id]"] == "to_id"
    assert mapping["Their part [label]"] == "label"
