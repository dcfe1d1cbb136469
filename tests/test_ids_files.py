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

import pandas as pd
import pytest

from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut
from hubframe.io.ids import read_ids
from hubframe.jobs import read_associations
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, workbook_bytes

DEALS = [str(i) for i in demo_ids("deals")[:3]]
EXPORT = "from_type,from_id,to_type,to_id,label\n" + "".join(
    f"deals,{deal},contacts,{contact},\n"
    for deal, contact in zip(DEALS, demo_ids("contacts"), strict=False)
)


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
    book = two_sheets(tmp_path)
    hub = ["--base-url", sandbox.url, "--token", sandbox.token]
    links, out = tmp_path / "links.csv", tmp_path / "out.csv"
    links.write_text(EXPORT, encoding="utf-8")
    argv = (
        ["export", "--from", "deals", "--to", "contacts", "--ids", str(book), "-o", str(out)]
        if command == "export"
        else ["sync", str(links), "--scope", str(book), "--dry-run"]
    )
    assert main([*argv, *hub]) == 0
    err = capsys.readouterr().err
    assert "hubframe: warning: deals.xlsx: sheet 'Q2' was not read" in err, err


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
