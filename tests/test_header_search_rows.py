"""A header below the rows it is looked for in (the first 30) is said to be there.

Before: 30 title lines above the header gave "no column for the 'from' record id. Columns
found: Title 0", naming a title for the sheet's columns, while the header was there, below the
rows looked at; neither the message nor docs/columns.md said the header is looked for in the
first 30 rows only.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.labels import read_labels
from hubframe.testing import xlsx_bytes

REPO = Path(__file__).resolve().parent.parent
KINDS = ["csv", "xlsx"]


def _source(rows: list[list[str]], kind: str) -> io.BytesIO | bytes:
    if kind == "xlsx":
        return xlsx_bytes(rows, title="Links")
    source = io.BytesIO("".join(",".join(r) + "\n" for r in rows).encode())
    source.name = "links.csv"
    return source


def _titled(titles: int) -> list[list[str]]:
    rows = [[f"Title {i}", ""] for i in range(titles)]
    return [*rows, ["Deal ID", "Contact ID"], ["2040000010", "1019360050"]]


# --- a header past the rows it is looked for in --------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reader", ["pairs", "limits", "labels"])
def test_a_header_below_row_30_is_said_to_be_past_the_rows_looked_at(
    kind: str, reader: str
) -> None:
    rows = _titled(30)
    read = {"pairs": hf.read_pairs, "limits": hf.read_limits, "labels": read_labels}[reader]
    with pytest.raises(InputError) as info:
        read(_source(rows, kind))
    message = str(info.value)
    assert "No header found in the first 30 rows" in message
    assert "the first row reads 'Title 0'" in message


def test_the_limit_of_rows_looked_at_is_documented() -> None:
    text = (REPO / "docs" / "columns.md").read_text()
    assert "first 30 rows" in text


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_in_row_30_is_found(kind: str) -> None:
    pairs = hf.read_pairs(_source(_titled(29), kind), from_type="deals", to_type="contacts")
    assert pairs["row"].tolist() == [31]


def test_a_short_sheet_of_unknown_columns_is_not_said_to_hide_its_header() -> None:
    """A sheet of a few rows whose header names no column hubframe reads: every row was looked
    at, so its message names the columns found, as before, and no header further down."""
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source([["Foo", "Bar"], ["1", "2"]], "csv"))
    assert info.match("Columns found: Foo, Bar")
    assert "first 30 rows" not in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_long_sheet_of_unknown_columns_says_where_the_header_was_looked_for(kind: str) -> None:
    rows = [["Foo", "Bar"], *[[str(i), str(i)] for i in range(40)]]
    with pytest.raises(InputError) as info:
        hf.read_pairs(_source(rows, kind))
    assert info.match("Columns found: Foo, Bar")
    assert info.match("No header found in the first 30 rows.*the first row reads 'Foo \\| Bar'")


def test_the_command_line_says_it(tmp_path: Path) -> None:
    path = tmp_path / "title30.csv"
    path.write_text("".join(",".join(r) + "\n" for r in _titled(30)))
    run = subprocess.run(
        [sys.executable, "-m", "hubframe", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 2
    assert "No header found in the first 30 rows" in run.stderr
