"""A sheet given to the other kind of read says what it looks like and what to run, in the
caller's syntax: a limits sheet (a Max column) given to ``associate``/``remove``/``sync``
(``read_pairs``) was refused "no column for the 'from' record id", listing "From" among the
columns found and among the names accepted; a pairs sheet given to ``limits`` said only "no
column for the limit".  And the Max column's number-format refusal said "which id was meant"
of a limit."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.io.columns import HeaderError

LIMITS = [
    "From,To,Label,Max\ndeals,contacts,Champion,5\n",
    "From Object,To Object,Association Label,Limit\ndeals,contacts,Champion,5\n",
    "Label,Max\nChampion,5\n",
    "From,To,Label,Type ID,Max\ndeals,contacts,Champion,3,5\n",
]
PAIRS = [
    "Deal ID,Contact ID,Label\n101,201,Champion\n",
    "From Type,From ID,To Type,To ID,Label\ndeals,101,contacts,201,Champion\n",
    "From ID,To ID\n101,201\n",
]


@pytest.mark.parametrize("text", LIMITS)
@pytest.mark.parametrize(("syntax", "said"), [("python", "hf.configure_limits"),
                                              ("cli", "hubframe limits")])  # fmt: skip
def test_a_limits_sheet_read_as_pairs_says_to_configure_limits(
    text: str, syntax: str, said: str, tmp_path: Path
) -> None:
    path = tmp_path / "lim.csv"
    path.write_text(text)
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(path, syntax=syntax)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "looks like a limits sheet" in message and said in message, message


@pytest.mark.parametrize("text", PAIRS)
@pytest.mark.parametrize(("syntax", "said"), [("python", "hf.associate"),
                                              ("cli", "hubframe associate")])  # fmt: skip
def test_a_pairs_sheet_read_as_limits_says_to_associate(
    text: str, syntax: str, said: str, tmp_path: Path
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(text)
    with pytest.raises(HeaderError) as caught:
        hf.read_limits(path, syntax=syntax)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "looks like a pairs sheet" in message and said in message, message


@pytest.mark.parametrize("command", ["associate", "remove", "sync"])
def test_the_commands_of_pairs_given_a_limits_sheet_name_the_limits_command(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lim.csv"
    path.write_text(LIMITS[0])
    assert main([command, str(path), "--dry-run", "--sandbox"]) != 0
    said = capsys.readouterr().err
    assert "looks like a limits sheet" in said and "hubframe limits lim.csv" in said, said


def test_limits_given_a_pairs_sheet_names_associate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(PAIRS[0])
    assert main(["limits", str(path), "--dry-run", "--sandbox"]) != 0
    said = capsys.readouterr().err
    assert "looks like a pairs sheet" in said and "hubframe associate pairs.csv" in said, said


@pytest.mark.parametrize(
    ("header", "word"), [("Max", "limit"), ("Type ID", "type id"), ("Label", "label")]
)
@pytest.mark.parametrize("code", ["0%", "0,", '"1"0'])
def test_a_reformatted_cell_is_named_by_what_its_column_holds(
    header: str, word: str, code: str, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["From", "To", "Label", "Type ID", "Max"])
    ws.append(["deals", "contacts", 7, 3, 5])
    ws.cell(
        row=2, column=["From", "To", "Label", "Type ID", "Max"].index(header) + 1
    ).number_format = code
    path = tmp_path / "lim.xlsx"
    book.save(path)
    with pytest.raises(hf.InputError) as caught:
        hf.read_limits(path)
    message = str(caught.value)
    assert f"which {word} was meant" in message and f"'{header}'" in message, message
