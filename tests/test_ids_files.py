"""A file of record ids (``export --ids``, ``sync --scope``, ``ids=`` / ``scope=`` of a sheet)
is read whole, or says what it leaves out, and never reads one object's ids as another's.

Before: a workbook whose two sheets both list deal ids gave the first sheet's ids without a
word (an export of fewer records than the workbook lists; a sync's scope missing records);
and an export of deals -> contacts given as the contacts to read had its ``from_id`` column
(deal ids, as its ``from_type`` column says) read as contact ids: exit 0, "0 associations",
and with ``--keep-empty`` those ids written as contacts without deals.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut
from hubframe.io.ids import read_id_columns, read_ids
from hubframe.jobs import read_associations
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, workbook_bytes

DEALS = [str(i) for i in demo_ids("deals")[:3]]
EXPORT = "from_type,from_id,to_type,to_id,label\n" + "".join(
    f"deals,{deal},contacts,{contact},\n"
    for deal, contact in zip(DEALS, demo_ids("contacts"), strict=False)
)
SHEET_OF_PAIRS = pd.read_csv(io.StringIO(EXPORT), dtype=str)


def two_sheets(tmp_path: Path, *, hidden: bool = False) -> Path:
    from openpyxl import load_workbook

    data = workbook_bytes({"Q1": [["Deal ID"], [DEALS[0]]], "Q2": [["Deal ID"], [DEALS[1]]]})
    path = tmp_path / "deals.xlsx"
    path.write_bytes(data)
    if hidden:
        book = load_workbook(path)
        book["Q2"].sheet_state = "hidden"
        book.save(path)
    return path


def test_a_second_sheet_of_ids_left_out_is_said(tmp_path: Path) -> None:
    book = two_sheets(tmp_path)
    with pytest.warns(SheetsLeftOut, match="sheet 'Q2' was not read"):
        assert read_ids(book) == [DEALS[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", SheetsLeftOut)
        assert read_ids(book, sheet="*") == DEALS[:2]
        assert read_ids(book, sheet="Q2") == [DEALS[1]]
        assert read_ids(two_sheets(tmp_path, hidden=True)) == [DEALS[0]]  # hidden: on purpose


@pytest.mark.parametrize("command", ["export", "sync"])
def test_the_command_line_warns_of_a_sheet_of_ids_left_out(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    err = _ids_command(sandbox, tmp_path, capsys, command, two_sheets(tmp_path))
    assert "hubframe: warning: deals.xlsx: sheet 'Q2' was not read" in err, err


def _ids_command(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, book: Path
) -> str:
    """``export --ids BOOK`` or ``sync links.csv --scope BOOK --dry-run``: what it said on
    stderr (it must exit 0)."""
    hub = ["--base-url", sandbox.url, "--token", sandbox.token]
    links, out = tmp_path / "links.csv", tmp_path / "out.csv"
    links.write_text(EXPORT, encoding="utf-8")
    argv = (
        ["export", "--from", "deals", "--to", "contacts", "--ids", str(book), "-o", str(out)]
        if command == "export"
        else ["sync", str(links), "--scope", str(book), "--dry-run"]
    )
    assert main([*argv, *hub]) == 0
    return capsys.readouterr().err


@pytest.mark.parametrize("keep", [False, True])
def test_an_export_of_other_records_is_not_read_as_these(sandbox: Sandbox, keep: bool) -> None:
    with pytest.raises(InputError, match="'from_id' holds the ids of deals") as raised:
        read_associations(
            client_for(sandbox), "contacts", "deals", io.StringIO(EXPORT), keep_empty=keep
        )
    assert "'to_id' holds contacts ids: name it" in str(raised.value)


def test_the_command_line_refuses_an_export_of_other_records(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links, out = tmp_path / "links.csv", tmp_path / "back.csv"
    links.write_text(EXPORT, encoding="utf-8")
    hub = ["--base-url", sandbox.url, "--token", sandbox.token]
    argv = ["export", "--from", "contacts", "--to", "deals", "--ids", str(links), "-o", str(out)]
    assert main([*argv, "--keep-empty", *hub]) == 2
    assert "holds the ids of deals" in capsys.readouterr().err
    assert not out.exists()
    assert main([*argv, "--ids-column", "to_id", *hub]) == 0  # the column named: read
    read = pd.read_csv(out, dtype=str)
    assert set(read["from_id"]) == {str(i) for i in demo_ids("contacts")[:3]}


@pytest.mark.parametrize(
    ("object_type", "column", "expected"),
    [
        ("deals", None, DEALS),  # the file's own object: read as before
        ("contacts", "from_id", DEALS),  # the column named: read as it is
        (None, None, DEALS),  # no object named: nothing to compare
    ],
)
def test_ids_of_the_object_the_sheet_names_are_read(
    object_type: str | None, column: str | None, expected: list[str]
) -> None:
    found = read_ids(io.StringIO(EXPORT), object_type=object_type, column=column)
    assert found == expected


def test_a_sheet_of_several_objects_is_refused_for_one() -> None:
    mixed = EXPORT + f"tickets,{demo_ids('tickets')[0]},contacts,{demo_ids('contacts')[5]},\n"
    with pytest.raises(InputError, match="holds the ids of deals, tickets"):
        read_ids(io.StringIO(mixed), object_type="deals")


def test_a_custom_object_spelled_another_way_is_not_refused() -> None:
    """``2-7350001`` and ``p_installations`` may be one object: not told apart here."""
    sheet = "from_type,from_id,to_type,to_id\n2-7350001,4710000001,deals,2040000001\n"
    assert read_ids(io.StringIO(sheet), object_type="p_installations") == ["4710000001"]


# --- a file of ids without a header line ------------------------------------------------------
# Before: the first id was taken for the id column's header ("only column"), so the read
# left that record out without a word: an export lacked its rows (a file of one id exported
# nothing) and exited 0, and ``sync --scope`` made that record OUT_OF_SCOPE.  The same ids
# in a workbook were refused ("no recognised columns").  A first row whose one cell is a record
# id is now the first row of data, its column named by its letter; a frame or Series named by
# a record id (pandas took the file's first id for its header) is refused, naming the fix.

HEADERLESS = {
    "lines": "\n".join(DEALS) + "\n",
    "crlf, no last line end": "\r\n".join(DEALS),
    "blank lines first": "\n\n" + "\n".join(DEALS) + "\n",
    "as Excel keeps ids text": "\n".join(f'="{d}"' for d in DEALS) + "\n",
    "spaces, empty cells after": "\n".join(f" {d} ,," for d in DEALS) + "\n",
    "whole floats": "\n".join(f"{d}.0" for d in DEALS) + "\n",
}


@pytest.mark.parametrize("text", HEADERLESS.values(), ids=HEADERLESS.keys())
def test_a_csv_of_ids_without_a_header_line_is_read_whole(text: str) -> None:
    read = read_id_columns(io.BytesIO(("\ufeff" + text).encode()), object_type="deals")
    assert read.ids == DEALS and read.columns == {"<file>": "A"}


@pytest.mark.parametrize(
    "rows",
    [
        [[int(d)] for d in DEALS],
        [[d] for d in DEALS],  # text cells
        [[None, int(d)] for d in DEALS],  # the ids in column B
        [[float(d)] for d in DEALS],
    ],
    ids=["numbers", "text", "column B", "floats"],
)
def test_a_workbook_of_ids_without_a_header_row_is_read_whole(rows: list[list[object]]) -> None:
    from hubframe.io.ids import id_headers  # the headers a column picker offers

    book = io.BytesIO(workbook_bytes({"Deals": rows}))
    read = read_id_columns(book, object_type="deals")
    assert read.ids == DEALS and read.columns == {"Deals": "B" if rows[0][0] is None else "A"}
    assert id_headers(io.BytesIO(workbook_bytes({"Deals": rows})))[-1] == read.columns["Deals"]


@settings(max_examples=examples(40), deadline=None)
@given(
    ids=st.lists(st.integers(1, 10**18 - 1), min_size=1, max_size=8, unique=True),
    header=st.sampled_from([None, "Deal ID", "Record ID", "ids", "Deals to read"]),
    end=st.sampled_from(["\n", "\r\n"]),
)
def test_every_id_of_a_file_is_read_with_or_without_its_header(
    ids: list[int], header: str | None, end: str
) -> None:
    lines = ([] if header is None else [header]) + [str(i) for i in ids]
    text = end.join(lines) + end
    assert read_ids(io.StringIO(text), object_type="deals") == [str(i) for i in ids]
    rows = [[header]] if header is not None else []
    cells = [[i if i < 10**15 else str(i)] for i in ids]  # Excel holds 15 digits a number
    book = io.BytesIO(workbook_bytes({"Deals": rows + cells}))
    if header in (None, "Deal ID", "Record ID"):  # a workbook takes recognised headers only
        assert read_ids(book, object_type="deals") == [str(i) for i in ids]


def test_a_bad_cell_below_a_first_line_of_data_is_named_by_its_own_row() -> None:
    with pytest.raises(InputError, match=r"of the id column 'A' is not a record id \(row 3: 'x'\)"):
        read_ids(io.StringIO(f"{DEALS[0]}\n{DEALS[1]}\nx\n"))


def test_a_headerless_file_of_pairs_is_refused_saying_it_has_no_header() -> None:
    pairs = "".join(f"{d},{c}\n" for d, c in zip(DEALS, demo_ids("contacts"), strict=False))
    with pytest.raises(InputError, match="first line holds record ids, not column names"):
        read_ids(io.StringIO(pairs), object_type="deals")


def _headerless_frame() -> pd.DataFrame:
    return pd.read_csv(io.StringIO("\n".join(DEALS) + "\n"), dtype=str)  # pandas' header


@pytest.mark.parametrize(
    "made",
    [
        lambda: _headerless_frame(),
        lambda: _headerless_frame().iloc[:, 0],  # a Series named by the first id
        lambda: pd.read_csv(io.StringIO("\n".join(DEALS) + "\n")),  # int ids, name text
        lambda: pd.DataFrame({int(DEALS[0]): [int(d) for d in DEALS[1:]]}),  # read_excel
    ],
    ids=["frame", "series", "frame of numbers", "number as name"],
)
def test_a_frame_named_by_its_first_id_is_refused(sandbox: Sandbox, made: Any) -> None:
    client = client_for(sandbox)
    with pytest.raises(InputError, match=f"named '{DEALS[0]}', a record id: .*header=None"):
        read_associations(client, "deals", "contacts", made(), progress=False)
    with pytest.raises(InputError, match=f"named '{DEALS[0]}', a record id"):
        hf.sync(SHEET_OF_PAIRS, client, dry_run=True, progress=False, scope=made())


def test_a_frame_read_without_a_header_is_read_whole(sandbox: Sandbox) -> None:
    frame = pd.read_csv(io.StringIO("\n".join(DEALS) + "\n"), header=None)
    client = client_for(sandbox)
    for ids in (frame, frame[0], frame.astype(str), frame[[0]]):
        found = read_associations(client, "deals", "contacts", ids, progress=False)
        assert set(found["from_id"]) == set(DEALS)
    result = hf.sync(SHEET_OF_PAIRS, client, dry_run=True, progress=False, scope=frame)
    assert not result["error_code"].eq("OUT_OF_SCOPE").any()


@pytest.mark.parametrize("shape", ["frame", "series"])
def test_ids_named_for_another_object_are_refused_as_a_frame_or_a_series(
    sandbox: Sandbox, shape: str
) -> None:
    """``ids=pairs["Contact ID"]`` for deals was read as deal ids without a word, while
    ``pairs[["Contact ID"]]`` was refused: both are refused now, and read when they match."""
    pairs = pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": [str(demo_ids("contacts")[0])]})
    client = client_for(sandbox)
    for column, ok in (("Contact ID", False), ("Deal ID", True)):
        ids = pairs[[column]] if shape == "frame" else pairs[column]
        if ok:
            found = read_associations(client, "deals", "contacts", ids, progress=False)
            assert set(found["from_id"]) == set(DEALS[:1])
        else:
            with pytest.raises(InputError, match="holds contact ids, and the records read are"):
                read_associations(client, "deals", "contacts", ids, progress=False)


@pytest.mark.parametrize("ids", ["".join(f"{d}\n" for d in DEALS), f"{DEALS[0]}\n"])
def test_the_command_line_exports_every_record_of_a_file_without_a_header(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], ids: str
) -> None:
    given, out = tmp_path / "deals.csv", tmp_path / "links.csv"
    given.write_text(ids)
    hub = ["--base-url", sandbox.url, "--token", sandbox.token]
    argv = ["export", "--from", "deals", "--to", "contacts", "--ids", str(given), "-o", str(out)]
    assert main([*argv, "--keep-empty", *hub]) == 0
    wanted = ids.split()
    assert f"of the {len(wanted)} deals read (ids from the column 'A';" in capsys.readouterr().out
    read = pd.read_csv(out, dtype=str)
    assert set(read["from_id"]) == set(wanted)
    truth = sandbox.associations("deals", "contacts")
    linked = set(truth.loc[truth["from_id"].astype(str) == DEALS[0], "to_id"].astype(str))
    assert linked and linked <= set(read.loc[read["from_id"] == DEALS[0], "to_id"])
    assert main([*argv, "--ids-column", "a", *hub]) == 0  # its column named as it was said
    assert set(pd.read_csv(out, dtype=str)["from_id"]) <= set(wanted)


def test_a_sync_scope_file_without_a_header_keeps_its_first_record(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links, scope, out = tmp_path / "links.csv", tmp_path / "scope.csv", tmp_path / "report.csv"
    links.write_text(EXPORT, encoding="utf-8")
    scope.write_text(f"{DEALS[0]}\n{DEALS[1]}\n")
    hub = ["--base-url", sandbox.url, "--token", sandbox.token]
    argv = ["sync", str(links), "--scope", str(scope), "--dry-run", "--report", str(out)]
    assert main([*argv, *hub]) == 0
    report = pd.read_csv(out, dtype=str)
    rows = report.loc[report["sheet"] != "(portal)"].set_index("from_id")["error_code"]
    assert rows.fillna("").eq("OUT_OF_SCOPE").to_dict() == {
        DEALS[0]: False,
        DEALS[1]: False,
        DEALS[2]: True,
    }


def _filtered(tmp_path: Path, hidden: tuple[int, ...], ids: list[str] = DEALS) -> Path:
    """A workbook of deal ids filtered by region: ``hidden`` rows (Excel's numbers) hidden."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Deal ID", "Region"])
    for n, deal in enumerate(ids):
        sheet.append([deal, "US" if n % 2 else "EU"])
    sheet.append([None, "US"])  # a hidden row without an id says nothing
    sheet.auto_filter.ref = f"A1:B{len(ids) + 2}"
    for row in hidden:
        sheet.row_dimensions[row].hidden = True
    path = tmp_path / "scope.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("hidden", [(3,), (2, 4), (len(DEALS) + 2,), ()])
def test_hidden_rows_of_ids_are_read_and_said(tmp_path: Path, hidden: tuple[int, ...]) -> None:
    """A scope or ids workbook filtered to some records: the rows the filter hides were read
    without a word, so a sync with --delete changed the records the analyst filtered out.
    They are read, as a sheet of pairs reads them, and said, as it says them."""
    from hubframe.io import HiddenIds

    path = _filtered(tmp_path, hidden)
    with_ids = [r for r in hidden if r - 2 < len(DEALS)]
    if not with_ids:
        with warnings.catch_warnings():
            warnings.simplefilter("error", HiddenIds)
            assert read_ids(path) == DEALS
        return
    rows = ", ".join(map(str, with_ids))
    with pytest.warns(HiddenIds, match=f"rows? {rows} (is|are) hidden"):
        assert read_ids(path) == DEALS


@pytest.mark.parametrize("command", ["export", "sync"])
def test_the_command_line_warns_of_hidden_rows_of_ids(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    err = _ids_command(sandbox, tmp_path, capsys, command, _filtered(tmp_path, (3,)))
    assert "hubframe: warning: scope.xlsx [Sheet]: row 3 is hidden in the workbook" in err, err
