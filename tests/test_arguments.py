"""An argument given for every row against cells that say otherwise: the read stops.

``label="Champion"`` (``--label``) is documented as the label for every row, and ``to_type=``
as every row's object; a label or type column beside it used to win without a word (a row
associated with "Decision maker" when "Champion" was asked for; a contact id looked up as a
company's).  Cells that agree (any case or spelling of the same object), empty cells (they take
the argument) and type cells naming no object (refused by validation) read as before.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.cli import main
from hubframe.io import read_pairs
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import xlsx_bytes

Rows = list[list[str]]


def _csv(rows: Rows) -> bytes:
    return "".join(",".join(r) + "\n" for r in rows).encode()


READERS: dict[str, Callable[[Rows], Any]] = {
    "csv": lambda rows: io.BytesIO(_csv(rows)),
    "xlsx": lambda rows: xlsx_bytes(rows),
    "frame": lambda rows: pd.DataFrame(rows[1:], columns=rows[0]),
}
LABELED = [
    ["Deal ID", "Contact ID", "Label"],
    ["11", "21", "Decision maker"],
    ["12", "22", ""],
    ["13", "23", "champion"],
]


@pytest.mark.parametrize("reader", READERS)
def test_a_label_for_every_row_against_other_labels_stops_the_read(reader: str) -> None:
    with pytest.raises(HeaderError) as info:
        hf.read_pairs(READERS[reader](LABELED), label="Champion")
    message = str(info.value)
    assert 'label="Champion" was given for every row' in message
    row = "2 (index 0)" if reader == "frame" else "2"  # a DataFrame's row: its label too
    assert f'the column "Label" says otherwise ("Decision maker" in row {row})' in message
    assert "Leave out label=" in message and 'rename the column "Label"' in message
    agreeing = [[*row[:2], row[2].replace("Decision maker", "")] for row in LABELED]
    pairs = hf.read_pairs(READERS[reader](agreeing), label="Champion")
    # cells that agree are read as the argument: "champion" may be another label than
    # "Champion" in a portal holding both, and the argument is for every row
    assert pairs["label"].tolist() == ["Champion", "Champion", "Champion"]


@pytest.mark.parametrize("reader", READERS)
def test_a_type_for_every_row_against_a_type_column_stops_the_read(reader: str) -> None:
    rows = [["From ID", "To ID", "From Type", "To Type"], ["11", "21", "Deal", "companies"]]
    with pytest.raises(HeaderError, match=r'to_type="contacts" was given .*"companies" in row 2'):
        hf.read_pairs(READERS[reader](rows), from_type="deals", to_type="contacts")
    rows[1][3] = "0-1"  # contacts, by type id: agrees
    pairs = hf.read_pairs(READERS[reader](rows), from_type="deals", to_type="contacts")
    assert pairs[["from_type", "to_type"]].values.tolist() == [["deals", "contacts"]]


def test_many_rows_are_summed_up_not_listed() -> None:
    rows = [["Deal ID", "Contact ID", "Label"]]
    rows += [
        [str(100 + i), str(200 + i), "Buyer" if i % 3 else "Decision maker"] for i in range(50)
    ]
    with pytest.raises(HeaderError) as info:
        hf.read_pairs(_csv(rows), label="Champion", syntax="cli")
    message = str(info.value)
    assert '"Decision maker" in rows 2, 5, 8 ...; "Buyer" in rows 3, 4, 6 ...' in message
    assert "50 rows in all" in message and "--label Champion" in message


def test_a_limits_sheet_against_its_type_arguments_stops_too() -> None:
    sheet = _csv([["From object", "To object", "Max"], ["deals", "companies", "3"]])
    with pytest.raises(HeaderError, match=r'to_type="contacts" was given'):
        hf.read_limits(sheet, from_type="deals", to_type="contacts")


def test_the_command_line_names_both_and_sends_nothing(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = sandbox_factory(seed=None)
    path = tmp_path / "pairs.csv"
    path.write_bytes(_csv(LABELED))
    hub = ["--token", sb.token, "--base-url", sb.url]
    assert main(["associate", str(path), "--label", "Champion", *hub]) == 2
    err = capsys.readouterr().err
    assert "--label Champion was given for every row" in err and "Leave out --label" in err
    assert "Traceback" not in err
    assert sb.request_log().empty


_LABELS = st.sampled_from(["", "Champion", "champion", " CHAMPION ", "Buyer", "Decision maker"])


@settings(max_examples=80, deadline=None)
@given(cells=st.lists(_LABELS, min_size=1, max_size=10))
def test_property_every_row_gets_the_argument_or_the_read_stops(cells: list[str]) -> None:
    rows = [["Deal ID", "Contact ID", "Label"]]
    rows += [[str(100 + i), str(200 + i), cell] for i, cell in enumerate(cells)]
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    differs = [c for c in cells if c.strip() and c.strip().casefold() != "champion"]
    if differs:
        with pytest.raises(HeaderError):
            hf.read_pairs(frame, label="Champion")
        return
    labels = hf.read_pairs(frame, label="Champion")["label"].tolist()
    assert [label.casefold() for label in labels] == ["champion"] * len(cells)


@pytest.mark.parametrize("cell", ["champion", "Cham\u200bpion", "Champion\u00ad", "CHAMPION  "])
def test_a_cell_that_spells_the_label_another_way_agrees(cell: str) -> None:
    """A cell agrees with ``label=`` as labels are matched (case, spaces, combining marks,
    characters that show nothing): "Cham\\u200bpion" was taken for another label and stopped
    the read, naming a value that looks the same."""
    frame = pd.DataFrame({"Deal ID": ["2040000001"], "Contact ID": ["1019360001"], "Label": [cell]})
    assert len(read_pairs(frame, label="Champion")) == 1
