"""write_pairs of a frame read by read_pairs (and edited) reads back to the same pairs.

Before: the file held both the normalized columns and the sheet's columns read into them
(``from_id`` and ``Deal ID``, ``label`` and ``Label``), so read_pairs refused it ("several
columns could hold the association label"), and an id fixed in ``from_id`` met the old one in
``Deal ID``.  A limits frame was written as if it were pairs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe
from hubframe.errors import InputError

FIELDS = ["from_type", "from_id", "to_type", "to_id", "label", "category", "type_id"]

cells = st.sampled_from(["2040000001", "1019360001", " 77 ", "12.0", "x", "", "=cmd", "Champion"])
labels = st.sampled_from(["", "Champion", "decision  maker", "=SUM(1)", "'quoted"])


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(cells, cells, labels, st.sampled_from(["", "3", "x"])), min_size=1, max_size=6
    ),
    suffix=st.sampled_from([".xlsx", ".csv"]),
    edit=st.booleans(),
)
def test_a_read_frame_written_reads_back_to_the_same_pairs(
    tmp_path: Path, rows: list[tuple[str, str, str, str]], suffix: str, edit: bool
) -> None:
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Label", "Type ID"])
    sheet["Notes"] = [f"note {n}" for n in range(len(sheet))]
    pairs = hubframe.read_pairs(sheet)
    if edit:  # the analyst fixes the first row's id in the read frame
        pairs.loc[0, "from_id"] = "2040000009"
    path = hubframe.write_pairs(pairs, tmp_path / f"pairs{suffix}")
    back = hubframe.read_pairs(path)
    for field in FIELDS:
        assert back[field].astype(object).where(back[field].notna(), None).tolist() == (
            pairs[field].astype(object).where(pairs[field].notna(), None).tolist()
        ), field
    assert back["Notes"].tolist() == sheet["Notes"].tolist()
    if edit:
        assert back["from_id"].iloc[0] == "2040000009"


def test_a_type_id_that_did_not_parse_keeps_its_text(tmp_path: Path) -> None:
    pairs = hubframe.read_pairs(
        pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["2"], "Type ID": ["three"]})
    )
    back = hubframe.read_pairs(hubframe.write_pairs(pairs, tmp_path / "p.csv"))
    issues = hubframe.validate_pairs(back)
    assert "'three'" in " ".join(issues["message"])


def test_a_limits_frame_is_not_written_as_pairs(tmp_path: Path) -> None:
    limits = hubframe.read_limits(pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": [3]}))
    with pytest.raises(InputError, match="write_pairs writes pairs"):
        hubframe.write_pairs(limits, tmp_path / "l.xlsx")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("named", ["as an export", "some as an export", "own"])
def test_a_read_export_written_again_keeps_its_columns(
    tmp_path: Path, suffix: str, named: str
) -> None:
    """Columns named as the reader names them (an export read back) are its own columns:
    before, writing the read frame dropped them, and the file held only sheet and row."""
    own = ["From Type", "Deal ID", "To Type", "Contact ID", "Label", "Category", "Type ID"]
    headers = {
        "as an export": FIELDS,
        "some as an export": [*FIELDS[:4], *own[4:]],
        "own": own,
    }[named]
    cells = [["deals", "2040000001", "contacts", "1019360001", "Champion", "USER_DEFINED", "7"]]
    pairs = hubframe.read_pairs(pd.DataFrame(cells, columns=headers))
    back = hubframe.read_pairs(hubframe.write_pairs(pairs, tmp_path / f"again{suffix}"))
    for field in FIELDS:
        assert back[field].astype(object).tolist() == pairs[field].astype(object).tolist(), field
