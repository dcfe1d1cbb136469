"""A pairs sheet given to the labels job is read as a pairs sheet, whatever types it names.

Before, a sheet with record id columns that also had object type columns (an export's layout)
or was given ``from_type``/``to_type`` was read as a labels sheet: a ``Labels (;-separated)``
cell was created as one label of its whole text, an export's unlabeled rows were refused
``MISSING_VALUE``, and a label edited beside the export's type id (with ``renames=True``)
renamed that label across the whole portal.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

import hubframe as hf
from hubframe.io.labels import PairsSheetError, read_labels
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, xlsx_bytes

DEAL, CONTACT = demo_ids("deals")[0], demo_ids("contacts")[0]

PAIRS_SHEETS: dict[str, list[list[Any]]] = {
    "ids and a list cell": [
        ["Deal ID", "Contact ID", "Labels (;-separated)"],
        [DEAL, CONTACT, "Decision maker; Sponsor"],
    ],
    "an export's layout": [
        ["from_type", "from_id", "to_type", "to_id", "label", "category", "type_id"],
        ["deals", DEAL, "contacts", CONTACT, "Decision maker", "USER_DEFINED", 1001],
        ["deals", DEAL, "contacts", CONTACT + 1, "Sponsor", "USER_DEFINED", 1001],
        ["deals", DEAL + 1, "contacts", CONTACT + 2, None, "HUBSPOT_DEFINED", 3],
    ],
    "type columns beside ids": [
        ["From type", "Deal ID", "To type", "Contact ID", "Label"],
        ["deals", DEAL, "contacts", CONTACT, "Sponsor"],
    ],
}


def _source(rows: list[list[Any]]) -> io.BytesIO:
    stream = io.BytesIO(xlsx_bytes(rows))
    stream.name = "pairs.xlsx"
    return stream


@pytest.mark.parametrize("name", list(PAIRS_SHEETS))
@pytest.mark.parametrize("given", [{}, {"from_type": "deals", "to_type": "contacts"}])
def test_the_labels_reader_refuses_a_sheet_of_record_ids(name: str, given: dict[str, str]) -> None:
    with pytest.raises(hf.InputError) as refused:
        read_labels(_source(PAIRS_SHEETS[name]), **given)
    if given or name != "ids and a list cell":  # else: no type column, refused for that first
        assert isinstance(refused.value, PairsSheetError), refused.value
        assert "this is a pairs sheet" in str(refused.value)


@pytest.mark.parametrize("name", list(PAIRS_SHEETS))
@pytest.mark.parametrize("given", [{}, {"from_type": "deals", "to_type": "contacts"}])
def test_the_labels_job_takes_a_pairs_sheets_labels_and_renames_nothing(
    name: str, given: dict[str, str]
) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        before = sb.labels("deals", "contacts")
        result = hf.configure_labels(_source(PAIRS_SHEETS[name]), client, renames=True, **given)
        after = sb.labels("deals", "contacts")
    assert "rename" not in set(result["change"].dropna()), result
    kept = before.merge(after, on=["category", "type_id"], suffixes=("", "_after"))
    assert (kept["label"].fillna("") == kept["label_after"].fillna("")).all(), kept
    assert len(kept) == len(before)
    labels = set(result["label"].dropna())
    assert "Decision maker; Sponsor" not in labels
    assert not (result["error_code"] == "MISSING_VALUE").any(), result


def test_a_labels_sheet_is_still_a_labels_sheet() -> None:
    rows = [["From type", "To type", "Label", "Inverse label"], ["deals", "contacts", "Payer", ""]]
    frame = read_labels(_source(rows))
    assert frame["label"].tolist() == ["Payer"]
    bare = [["From", "To", "Label"], ["deals", "contacts", "Payer"]]
    assert read_labels(_source(bare))["from_type"].tolist() == ["deals"]


# Before, a type given for every row (from_type=, --from) lost to a labels sheet's type cell
# naming another object without a word: the label was created for companies -> contacts when
# deals -> contacts was asked for.  read_pairs stops there; read_labels now does too.


@pytest.mark.parametrize(("cell", "agrees"), [("companies", False), ("Deal", True), ("0-3", True)])
@pytest.mark.parametrize("job", [False, True])
def test_a_type_cell_contradicting_the_type_given_stops_the_read(
    cell: str, agrees: bool, job: bool
) -> None:
    rows = [["From type", "To type", "Label"], [cell, "contacts", "Payer"], ["", "contacts", "X"]]
    given = {"from_type": "deals", "to_type": "contacts"}
    if agrees:
        frame = read_labels(_source(rows), **given)
        assert frame["from_type"].tolist() == ["deals", "deals"]
        return
    with Sandbox(seed="demo") as sb:
        before = sb.labels("companies", "contacts")
        with pytest.raises(hf.InputError, match=r'the column "From type" says otherwise'):
            if job:
                hf.configure_labels(_source(rows), client_for(sb), **given)
            else:
                read_labels(_source(rows), **given)
        assert sb.labels("companies", "contacts").equals(before)
